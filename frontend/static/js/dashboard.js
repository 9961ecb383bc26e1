// Keep the organiser's dashboard live: every 30 seconds (the element's data-interval), fetch the figures again from
// the same view (data-url: ?fragment=figures, rendered by the page's own template) and swap them in. A failed fetch
// waits for the next turn. Without JavaScript the page is complete as it was loaded; a reload brings it up to date.
(function () {
  "use strict";
  var box = document.querySelector("[data-dashboard-figures]");
  if (!box || !window.fetch) return;
  var url = box.dataset.url;
  var interval = (parseInt(box.dataset.interval, 10) || 30) * 1000;

  function refresh() {
    // An open <details> (a table of figures the person is reading) stays open after the swap.
    var open = [];
    box.querySelectorAll("details").forEach(function (details, index) {
      if (details.open) open.push(index);
    });
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        var details = box.querySelectorAll("details");
        open.forEach(function (index) {
          if (details[index]) details[index].open = true;
        });
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(refresh, interval);
      });
  }

  window.setTimeout(refresh, interval);
})();
