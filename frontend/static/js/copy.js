// "Copy" buttons next to codes. The buttons stay hidden without JavaScript or a clipboard.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = button.dataset.copiedLabel || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
