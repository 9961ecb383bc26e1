// The judge's entry page: save the score sheet as the judge types and move between entries with the keyboard.
// The 3D viewer has its own script, viewer.js.
//
// Drafts: a change waits 800 ms of quiet, then the whole sheet is sent to the API (PUT to the form's data-save-url,
// /api/judging/entries/<id>/sheet/, signed in by the session, with the CSRF token of the form) with the version the
// page holds. The answer is the saved sheet with its new version. A 409 means the sheet was saved elsewhere (another
// tab): the page reads the sheet again, its newer values replace the page's and a message says so. A 400 carries
// {code, detail, field}: the field at fault is marked. Saves never overlap: a change during a save is sent after it.
// The form itself still works without this script: it posts and the server saves a draft, or submits.
//
// Sliders: each criterion's number input (the field that posts) gets a range slider beside it, kept in step both
// ways; moving the slider (mouse, touch, or the arrow, Page Up/Down, Home and End keys) types into the number, so
// the draft saves as if typed. The running weighted total under the criteria follows every change, with the
// arithmetic of competitions/selectors/sheet_total.py (scoring.weighted_total over the criteria scored, on the
// first criterion's scale): the same number the server shows and the ranking counts.
//
// Keyboard: "j" opens the next entry and "k" the previous one, unless the focus is in a field or the 3D viewer.
(function () {
  "use strict";

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

  var form = document.querySelector("form[data-scoresheet]");
  if (!form) return;

  // --- Sliders and the running total -------------------------------------------------------------------------
  var totalLine = form.querySelector("[data-sheet-total]");
  var sliders = Array.prototype.slice.call(form.querySelectorAll("input[data-slider-for]"));

  // A score the criterion can hold, as a number; null when empty, not a number or off the scale (not counted).
  function scoreOf(input, low, high) {
    var text = input ? input.value.trim() : "";
    if (text === "") return null;
    var value = Number(text);
    return isFinite(value) && value >= low && value <= high ? value : null;
  }

  // scoring.weighted_total over the criteria scored, in the same order of operations; null when none is.
  function weightedTotal() {
    var filled = [];
    form.querySelectorAll("fieldset[data-criterion]").forEach(function (row) {
      var low = Number(row.dataset.low);
      var high = Number(row.dataset.high);
      var value = scoreOf(form.elements["score-" + row.dataset.criterion], low, high);
      if (value !== null) filled.push({ weight: Number(row.dataset.weight), value: value, low: low, high: high });
    });
    if (!filled.length) return { value: null, scored: 0 };
    var equal = filled.every(function (score) {
      return score.weight === 0;
    });
    var fraction = 0;
    var weights = 0;
    filled.forEach(function (score) {
      var weight = equal ? 1 : score.weight;
      fraction += (weight * (score.value - score.low)) / (score.high - score.low);
      weights += weight;
    });
    var low = Number(totalLine.dataset.low);
    var high = Number(totalLine.dataset.high);
    return { value: low + ((high - low) * fraction) / weights, scored: filled.length };
  }

  function showTotal() {
    if (!totalLine) return;
    var total = weightedTotal();
    var count = form.querySelectorAll("fieldset[data-criterion]").length;
    var text = totalLine.dataset.textSome;
    if (total.value === null) text = totalLine.dataset.textNone;
    else if (total.scored === count) text = totalLine.dataset.textAll;
    var shown = total.value === null ? "" : total.value.toFixed(1); // halves away from zero, as the server
    var strong = document.createElement("strong");
    strong.textContent = text.replace("{total}", shown).replace("{scored}", String(total.scored));
    totalLine.replaceChildren(strong);
  }

  // The slider shows the number's score; an empty or invalid number leaves it marked "not scored yet".
  function syncSlider(slider) {
    var input = form.elements[slider.dataset.sliderFor];
    var value = scoreOf(input, Number(slider.min), Number(slider.max));
    if (value === null) {
      slider.setAttribute("data-unset", "");
      slider.setAttribute("aria-valuetext", slider.dataset.textUnset);
    } else {
      slider.value = String(value);
      slider.removeAttribute("data-unset");
      slider.removeAttribute("aria-valuetext");
    }
  }

  function refreshSheet() {
    sliders.forEach(syncSlider);
    showTotal();
  }

  sliders.forEach(function (slider) {
    slider.hidden = false;
    slider.addEventListener("input", function () {
      var input = form.elements[slider.dataset.sliderFor];
      if (!input) return;
      // The number is the field that posts and saves: change it as typing would, so autosave sends it.
      input.value = slider.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
  form.addEventListener("input", refreshSheet);
  form.addEventListener("change", refreshSheet);
  refreshSheet();

  // --- Draft autosave ----------------------------------------------------------------------------------------
  if (!window.fetch || !window.JSON) return;

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

  // The sheet as the API takes it: {version, comment, scores: [{criterion, value, comment}]}.
  function collect() {
    var scores = {};
    var order = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      var match = /^(score|comment)-(\d+)$/.exec(element.name || "");
      if (!match) return;
      var criterion = parseInt(match[2], 10);
      if (!scores[criterion]) {
        scores[criterion] = { criterion: criterion };
        order.push(criterion);
      }
      if (match[1] === "score") {
        scores[criterion].value = element.value.trim() === "" ? null : element.value.trim();
      } else {
        scores[criterion].comment = element.value;
      }
    });
    var sheet = {
      version: parseInt(versionInput.value, 10),
      scores: order.map(function (criterion) {
        return scores[criterion];
      }),
    };
    if (form.elements.comment) sheet.comment = form.elements.comment.value;
    return sheet;
  }

  // A stored score as the number input holds it: 7.5, not 7.50.
  function plain(value) {
    return value === null ? "" : String(parseFloat(value));
  }

  // The sheet as the API returns it.
  function apply(sheet) {
    versionInput.value = sheet.version;
    sheet.scores.forEach(function (score) {
      var value = form.elements["score-" + score.criterion];
      var comment = form.elements["comment-" + score.criterion];
      if (value) value.value = plain(score.value);
      if (comment) comment.value = score.comment;
    });
    if (form.elements.comment) form.elements.comment.value = sheet.comment;
    refreshSheet();
  }

  // The form field an error of the API is about: the rules name a criterion "criterion-<id>" (a missing required
  // comment is about its comment, anything else about its score); invalid input names "scores.<index>.<key>".
  function fieldOf(error, sent) {
    var field = error.field || "";
    var criterion = /^criterion-(\d+)$/.exec(field);
    if (criterion) return (error.code === "comment_required" ? "comment-" : "score-") + criterion[1];
    var input = /^scores\.(\d+)\.(value|comment)$/.exec(field);
    if (input && sent.scores[input[1]]) {
      return (input[2] === "value" ? "score-" : "comment-") + sent.scores[input[1]].criterion;
    }
    return field === "comment" ? field : "";
  }

  function request(method, body, keepalive) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(form.dataset.saveUrl, {
      method: method,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  function answerOf(response) {
    return response.json().then(function (body) {
      return { status: response.status, body: body };
    });
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
    var sent = collect();
    request("PUT", sent)
      .then(answerOf)
      .then(function (answer) {
        if (answer.status === 200) {
          versionInput.value = answer.body.version;
          clearErrors();
          say(dirty ? form.dataset.textUnsaved : form.dataset.textSaved);
        } else if (answer.status === 409) {
          // Saved elsewhere: read the sheet stored now and show it.
          return request("GET")
            .then(answerOf)
            .then(function (current) {
              if (current.status !== 200) throw new Error("status " + current.status);
              dirty = false;
              pendingSubmit = null;
              apply(current.body);
              clearErrors();
              say(form.dataset.textStale);
            });
        } else if (answer.status === 400) {
          pendingSubmit = null;
          clearErrors();
          var field = fieldOf(answer.body, sent);
          if (field) showError(field, answer.body.detail);
          say(field ? form.dataset.textRefused : answer.body.detail || form.dataset.textRefused);
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
      request("PUT", collect(), true);
    } catch (error) {
      // Nothing more can be done while the page goes away.
    }
  });
})();
