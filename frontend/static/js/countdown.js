// A live countdown to the submission deadline. The page already shows the deadline as text; this only adds the
// time left, read from the element's data-deadline (ISO 8601) and its translated data-label-* attributes.
(function () {
  "use strict";
  document.querySelectorAll("[data-deadline]").forEach(function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    var timer = box.querySelector(".countdown-timer");
    if (!timer || isNaN(deadline)) return;
    var labels = box.dataset;
    var interval;

    function part(value, label) {
      var span = document.createElement("span");
      span.className = "countdown-part";
      var number = document.createElement("strong");
      number.textContent = value;
      var unit = document.createElement("small");
      unit.textContent = label;
      span.append(number, unit);
      return span;
    }

    function pad(n) {
      return n < 10 ? "0" + n : String(n);
    }

    function tick() {
      var left = Math.floor((deadline - Date.now()) / 1000);
      if (left <= 0) {
        timer.textContent = labels.labelPassed || "";
        box.classList.add("is-passed");
        clearInterval(interval);
        return;
      }
      var days = Math.floor(left / 86400);
      var hours = Math.floor((left % 86400) / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      timer.replaceChildren(
        part(days, labels.labelDays),
        part(pad(hours), labels.labelHours),
        part(pad(minutes), labels.labelMinutes),
        part(pad(seconds), labels.labelSeconds)
      );
    }

    timer.hidden = false;
    tick();
    interval = setInterval(tick, 1000);
  });
})();
