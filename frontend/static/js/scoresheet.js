// The judge's entry page: save the score sheet as the judge types, move between entries with the keyboard, and
// report when the 3D viewer has loaded the model.
//
// Drafts: a change waits 800 ms of quiet, then the whole sheet is posted as JSON to the form's data-save-url with the
// version the page holds. The answer carries the new version. A 409 means the sheet was saved elsewhere (another tab):
// the newer values it carries replace the page's and a message says so. A 400 names the field at fault. Saves never
// overlap: a change during a save is sent after it. The form itself still works without this script: it posts and
// the server saves a draft, or submits.
//
// Keyboard: "j" opens the next entry and "k" the previous one, unless the focus is in a field or the 3D viewer.
(function () {
  "use strict";

  // --- 3D viewer ---------------------------------------------------------------------------------------------
  // model-viewer loads its meshopt decoder script from the address given here, our own static copy, not a CDN. It
  // reads this configuration when the module runs, which is after this (deferred) script.
  var viewer = document.querySelector("model-viewer[data-viewer]");
  if (viewer) {
    window.ModelViewerElement = window.ModelViewerElement || {};
    window.ModelViewerElement.meshoptDecoderLocation = viewer.dataset.meshoptDecoder;
    var viewerStatus = document.querySelector("[data-viewer-status]");
    viewer.addEventListener("load", function () {
      viewer.setAttribute("data-loaded", "true");
      if (viewerStatus) viewerStatus.textContent = viewer.dataset.textLoaded;
    });
    viewer.addEventListener("error", function () {
      viewer.setAttribute("data-loaded", "false");
      if (viewerStatus) viewerStatus.textContent = viewer.dataset.textFailed;
    });
  }

  // --- Keyboard ----------------------------------------------------------------------------------------------
  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, button, [contenteditable], model-viewer, summary");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (typing(event.target)) return;
    var which = event.key === "j" ? "next" : event.key === "k" ? "previous" : null;
    if (!which) return;
    var link = document.querySelector('a[data-nav="' + which + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  // --- Draft autosave ----------------------------------------------------------------------------------------
  var form = document.querySelector("form[data-scoresheet]");
  if (!form || !window.fetch || !window.JSON) return;

  var DELAY = 800;
  var RETRY = 5000;
  var status = form.querySelector("[data-sheet-status]");
  var versionInput = form.querySelector("[data-version]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var saving = false;
  var dirty = false;
  var pendingSubmit = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function showError(field, message) {
    var slot = form.querySelector('[data-error-for="' + field + '"]');
    var input = form.elements[field];
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
    }
    if (input) input.setAttribute("aria-invalid", "true");
  }

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (slot) {
      slot.textContent = "";
      slot.hidden = true;
      var input = form.elements[slot.dataset.errorFor];
      if (input) input.removeAttribute("aria-invalid");
    });
  }

  function collect() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var match = /^(score|comment)-(\d+)$/.exec(element.name || "");
      if (!match) return;
      values[match[2]] = values[match[2]] || {};
      values[match[2]][match[1] === "score" ? "value" : "comment"] = element.value;
    });
    return {
      version: parseInt(versionInput.value, 10),
      values: values,
      comment: form.elements.comment ? form.elements.comment.value : null,
    };
  }

  function apply(sheet) {
    versionInput.value = sheet.version;
    Object.keys(sheet.values).forEach(function (id) {
      var score = form.elements["score-" + id];
      var comment = form.elements["comment-" + id];
      if (score) score.value = sheet.values[id].value === null ? "" : sheet.values[id].value;
      if (comment) comment.value = sheet.values[id].comment;
    });
    if (form.elements.comment) form.elements.comment.value = sheet.comment;
  }

  function finished() {
    saving = false;
    if (pendingSubmit && !dirty) {
      var submitter = pendingSubmit;
      pendingSubmit = null;
      send(submitter);
    } else if (dirty) {
      schedule(0);
    }
  }

  // Post the form as the browser would, with the submit button pressed, now that no save is in flight.
  function send(submitter) {
    if (typeof form.requestSubmit === "function") {
      form.dataset.sending = "true";
      form.requestSubmit(submitter);
    } else {
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = submitter.name;
      action.value = submitter.value;
      form.appendChild(action);
      form.dataset.sending = "true";
      form.submit();
    }
  }

  function save() {
    timer = null;
    if (saving || !dirty) return;
    saving = true;
    dirty = false;
    say(form.dataset.textSaving);
    fetch(form.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf ? csrf.value : "",
        "X-Requested-With": "XMLHttpRequest",
      },
      body: JSON.stringify(collect()),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.status === 200 && answer.body.ok) {
          versionInput.value = answer.body.version;
          clearErrors();
          say(dirty ? form.dataset.textUnsaved : form.dataset.textSaved);
        } else if (answer.status === 409 && answer.body.sheet) {
          dirty = false;
          pendingSubmit = null;
          apply(answer.body.sheet);
          clearErrors();
          say(form.dataset.textStale);
        } else if (answer.status === 400) {
          pendingSubmit = null;
          clearErrors();
          if (answer.body.field) showError(answer.body.field, answer.body.detail);
          say(answer.body.field ? form.dataset.textRefused : answer.body.detail || form.dataset.textRefused);
        } else {
          throw new Error("status " + answer.status);
        }
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.textFailed);
        pendingSubmit = null;
        saving = false;
        schedule(RETRY);
      })
      .then(function () {
        if (saving) finished();
      });
  }

  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function changed(event) {
    if (!event.target.name || event.target.name === "csrfmiddlewaretoken") return;
    dirty = true;
    say(form.dataset.textUnsaved);
    schedule(DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // A post while a save is in flight would carry an old version: wait for the save, then post.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending === "true") return;
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (saving) {
      event.preventDefault();
      pendingSubmit = event.submitter || form.querySelector("button[type=submit]");
      dirty = false;
    }
  });

  // Leaving with unsaved changes: send them one last time; the browser keeps the request going after unload.
  window.addEventListener("pagehide", function () {
    if (!dirty || saving || form.dataset.sending === "true") return;
    try {
      fetch(form.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify(collect()),
      });
    } catch (error) {
      // Nothing more can be done while the page goes away.
    }
  });
})();
