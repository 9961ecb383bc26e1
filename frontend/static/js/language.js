// The language switcher works as a plain form; with JavaScript, choosing a language is enough.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    var button = form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      form.submit();
    });
  });
})();
