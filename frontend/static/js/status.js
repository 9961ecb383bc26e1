// Follow the processing of an entry's revisions: while any is not final, poll the status JSON every two seconds
// and update the badges in place. Without JavaScript the page shows the status at load, and a note says to reload.
(function () {
  "use strict";
  var section = document.getElementById("revisions");
  if (!section || !window.fetch) return;
  section.querySelectorAll(".js-only").forEach(function (element) {
    element.hidden = false;
  });
  if (section.dataset.pending !== "true") return;

  var url = section.dataset.statusUrl;
  var INTERVAL = 2000;
  var RETRY = 10000;

  function renderMessages(row, messages) {
    var list = row.querySelector("[data-revision-messages]");
    list.replaceChildren();
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "severity-" + message.severity;
      item.textContent = message.message + " ";
      if (message.code) {
        var code = document.createElement("code");
        code.className = "small";
        code.textContent = message.code;
        item.append(code);
      }
      list.append(item);
    });
    row.hidden = messages.length === 0;
  }

  function apply(data) {
    var unknown = false;
    data.revisions.forEach(function (revision) {
      var row = section.querySelector('tr[data-revision="' + revision.id + '"]');
      if (!row) {
        unknown = true;
        return;
      }
      var badge = row.querySelector("[data-revision-status] .badge");
      if (badge && badge.dataset.status !== revision.status) {
        badge.className = "badge status-" + revision.status;
        badge.dataset.status = revision.status;
        badge.textContent = revision.label;
      }
      var report = section.querySelector('tr[data-revision-report="' + revision.id + '"]');
      if (report && revision.final) renderMessages(report, revision.messages);
    });
    return unknown;
  }

  function settle(data, unknown) {
    // Everything is checked. If the current file changed, its panel is out of date: offer a reload rather than
    // reloading by ourselves, which could throw away what the person is typing or uploading.
    var note = section.querySelector("[data-pending-note]");
    if (!note) return;
    var changed = unknown || String(data.current_revision || "") !== (section.dataset.current || "");
    if (!changed) {
      note.hidden = true;
      return;
    }
    var link = document.createElement("a");
    link.href = window.location.pathname + "#revisions";
    link.textContent = section.dataset.textReload;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
    note.replaceChildren(document.createTextNode(section.dataset.textSettled + " "), link);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var unknown = apply(data);
        if (data.pending && !unknown) window.setTimeout(poll, INTERVAL);
        else settle(data, unknown);
      })
      .catch(function () {
        window.setTimeout(poll, RETRY);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
