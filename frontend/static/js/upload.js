// Upload a revision with a real progress bar. The form works without this script (a normal multipart POST); with
// it, the same form is sent by XMLHttpRequest so that upload progress events can show bytes sent, speed and time
// left. The server answers {"ok": true, "redirect": url} or {"ok": false, "errors": {field: [messages]}}.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;

  var text = form.dataset;
  var input = form.querySelector('input[type="file"]');
  var progress = form.querySelector("[data-upload-progress]");
  var bar = form.querySelector("[data-upload-bar]");
  var percentOut = form.querySelector("[data-upload-percent]");
  var bytesOut = form.querySelector("[data-upload-bytes]");
  var speedOut = form.querySelector("[data-upload-speed]");
  var etaOut = form.querySelector("[data-upload-eta]");
  var errorBox = form.querySelector("[data-upload-error]");
  var submit = form.querySelector("[data-upload-submit]");
  var cancel = form.querySelector("[data-upload-cancel]");
  var xhr = null;

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function formatBytes(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i += 1;
    }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function formatDuration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function fieldErrorList() {
    var id = input.id + "_error";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("ul");
      list.className = "field-errors";
      list.id = id;
      input.insertAdjacentElement("afterend", list);
    }
    return list;
  }

  function clearErrors() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    var list = document.getElementById(input.id + "_error");
    if (list) list.remove();
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== input.id + "_error";
    });
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function showFieldErrors(messages) {
    var list = fieldErrorList();
    list.replaceChildren();
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    });
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(list.id) === -1) described.unshift(list.id);
    input.setAttribute("aria-describedby", described.join(" "));
    input.focus();
  }

  function showFormError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function showErrors(errors) {
    var general = [];
    Object.keys(errors).forEach(function (field) {
      if (field === input.name) showFieldErrors(errors[field]);
      else general = general.concat(errors[field]);
    });
    if (general.length) showFormError(general.join(" "));
  }

  function setBusy(busy) {
    submit.disabled = busy;
    submit.setAttribute("aria-busy", busy ? "true" : "false");
    input.disabled = busy;
    cancel.hidden = !busy;
    progress.hidden = !busy;
  }

  function warnBeforeLeaving(event) {
    event.preventDefault();
    event.returnValue = "";
  }

  function finish() {
    xhr = null;
    setBusy(false);
    window.removeEventListener("beforeunload", warnBeforeLeaving);
  }

  function goTo(url) {
    var target = new URL(url, window.location.href);
    var here = window.location;
    window.removeEventListener("beforeunload", warnBeforeLeaving);
    if (target.pathname === here.pathname && target.search === here.search) {
      // Only the fragment differs: assigning the URL would scroll, not reload.
      history.replaceState(null, "", target.href);
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function send(file) {
    var data = new FormData(form);
    var samples = [];
    xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");

    xhr.upload.addEventListener("progress", function (event) {
      var total = event.lengthComputable ? event.total : file.size;
      var now = performance.now();
      samples.push([now, event.loaded]);
      // Speed over the last three seconds, so it follows the connection instead of averaging since the start.
      while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
      var first = samples[0];
      var elapsed = (now - first[0]) / 1000;
      var rate = elapsed > 0 ? (event.loaded - first[1]) / elapsed : 0;
      var percent = total ? Math.min(100, Math.floor((event.loaded / total) * 100)) : 0;
      bar.value = percent;
      percentOut.textContent = percent + "%";
      bytesOut.textContent = fill(text.textProgress, { sent: formatBytes(event.loaded), total: formatBytes(total) });
      if (rate > 0) {
        speedOut.textContent = fill(text.textSpeed, { rate: formatBytes(rate) });
        etaOut.textContent = fill(text.textEta, { time: formatDuration((total - event.loaded) / rate) });
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      percentOut.textContent = "100%";
      speedOut.textContent = "";
      etaOut.textContent = text.textFinishing || "";
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (error) {
        body = null;
      }
      if (body && body.ok && body.redirect) {
        goTo(body.redirect);
        return;
      }
      finish();
      if (body && body.errors) showErrors(body.errors);
      else showFormError(text.textFailed + " (HTTP " + xhr.status + ")");
    });
    xhr.addEventListener("error", function () {
      finish();
      showFormError(text.textFailed);
    });
    xhr.addEventListener("abort", function () {
      finish();
      showFormError(text.textCancelled);
    });

    bar.value = 0;
    percentOut.textContent = "0%";
    bytesOut.textContent = fill(text.textProgress, { sent: formatBytes(0), total: formatBytes(file.size) });
    speedOut.textContent = "";
    etaOut.textContent = "";
    window.addEventListener("beforeunload", warnBeforeLeaving);
    xhr.send(data);
    // Disabled inputs are left out of FormData, so disable only after the data is taken.
    setBusy(true);
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || !input.files.length) return; // The browser, then the server, say a file is needed.
    event.preventDefault();
    if (xhr) return;
    clearErrors();
    var file = input.files[0];
    var max = Number(input.dataset.maxBytes || 0);
    if (max && file.size > max) {
      showFieldErrors([text.textTooLarge]);
      return;
    }
    send(file);
  });

  cancel.addEventListener("click", function () {
    if (xhr) xhr.abort();
  });
})();
