// What the upload form shows while static/js/upload.js sends a file: bytes sent, speed and time left, the warning
// that the upload would end after the deadline, notices and errors, in the texts the template gives (data-text-*,
// translated there). `metasceneUploadForm(form)` returns what upload.js calls; it changes only the form's elements.
window.metasceneUploadForm = function (form) {
  "use strict";
  var text = form.dataset;
  var input = form.querySelector('input[type="file"]');
  var ui = {}; // The form's parts: ui.bar is [data-upload-bar], and so on.
  var parts = ["progress", "bar", "percent", "bytes", "speed", "eta", "late", "notice", "error", "submit", "cancel"];
  parts.forEach(function (name) {
    ui[name] = form.querySelector("[data-upload-" + name + "]");
  });
  var deadline = text.deadline ? Date.parse(text.deadline) : NaN;
  var samples = []; // [time, bytes sent] of the last few seconds, for the speed.

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function formatBytes(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    for (; n >= 1024 && i < units.length - 1; i += 1) n /= 1024;
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function formatDuration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = String(seconds % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  // A .gltf is read in the browser up to this size to list the files it refers to; a larger one is left to the server.
  var GLTF_READ_LIMIT = 64 * 1024 * 1024;

  // The files a glTF document refers to by URI (buffers and images that are not data: URIs); none if it is not JSON.
  function externalFiles(json) {
    var document;
    try {
      document = JSON.parse(json);
    } catch (error) {
      return [];
    }
    var files = [];
    ["buffers", "images"].forEach(function (key) {
      var items = document && Array.isArray(document[key]) ? document[key] : [];
      items.forEach(function (item) {
        var uri = item && typeof item.uri === "string" ? item.uri : "";
        if (uri && uri.slice(0, 5).toLowerCase() !== "data:" && files.indexOf(uri) === -1) files.push(uri);
      });
    });
    return files;
  }

  function show(box, message) {
    box.textContent = message || "";
    box.hidden = !message;
  }

  // Show `message` under the file field, linked to it for screen readers; without one, remove what is there.
  function fieldError(message) {
    var id = input.id + "_error";
    var shown = document.getElementById(id);
    if (shown) shown.remove();
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (other) {
      return other && other !== id;
    });
    input.removeAttribute("aria-invalid");
    if (message) {
      input.insertAdjacentHTML("afterend", '<ul class="field-errors" id="' + id + '"><li></li></ul>');
      document.getElementById(id).firstChild.textContent = message;
      described.unshift(id);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function failed(status) {
    show(ui.error, text.textFailed + (status ? " (HTTP " + status + ")" : ""));
  }

  return {
    input: input,
    cancelButton: ui.cancel,

    // While busy, the form cannot be sent again and shows the progress and the Cancel button.
    busy: function (busy) {
      ui.submit.disabled = busy;
      ui.submit.setAttribute("aria-busy", busy ? "true" : "false");
      input.disabled = busy;
      ui.cancel.hidden = !busy;
      ui.progress.hidden = !busy;
      if (busy && ui.late) ui.late.hidden = true;
      samples = [];
      show(ui.notice, "");
    },

    clearErrors: function () {
      show(ui.error, "");
      fieldError("");
    },

    progress: function (sent, total) {
      var now = performance.now();
      samples.push([now, sent]);
      // Speed over the last three seconds, so it follows the connection instead of averaging since the start.
      while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
      var elapsed = (now - samples[0][0]) / 1000;
      var rate = elapsed > 0 ? (sent - samples[0][1]) / elapsed : 0;
      var percent = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
      ui.bar.value = percent;
      ui.percent.textContent = percent + "%";
      ui.bytes.textContent = fill(text.textProgress, { sent: formatBytes(sent), total: formatBytes(total) });
      var left = rate > 0 && sent < total ? (total - sent) / rate : 0;
      ui.speed.textContent = left ? fill(text.textSpeed, { rate: formatBytes(rate) }) : "";
      ui.eta.textContent = left ? fill(text.textEta, { time: formatDuration(left) }) : "";
      // Once every byte is sent, the server stores the file before it answers.
      if (sent >= total) ui.eta.textContent = text.textFinishing || "";
      if (ui.late && left) ui.late.hidden = !(deadline && Date.now() + left * 1000 > deadline);
    },

    retrying: function (delay) {
      // Nothing is moving while the upload waits: a speed and time left from before would mislead.
      samples = [];
      ui.speed.textContent = ui.eta.textContent = "";
      show(ui.notice, fill(text.textRetrying, { seconds: Math.max(1, Math.round(delay / 1000)) }));
    },

    offline: function () {
      show(ui.notice, text.textOffline);
    },

    // The upload continues one that stopped: going from zero to `sent` in no time is no speed.
    resumed: function (sent) {
      samples = [];
      show(ui.notice, sent ? fill(text.textResuming, { sent: formatBytes(sent) }) : "");
    },

    going: function () {
      show(ui.notice, "");
    },

    unfinished: function (name, sent, total) {
      show(ui.notice, fill(text.textUnfinished, { name: name, percent: Math.floor((sent / total) * 100) + "%" }));
    },

    tooLarge: function () {
      fieldError(text.textTooLarge);
    },

    // What is wrong with `file` before any byte is sent, as far as the browser can tell: a type the competition
    // does not take, or a .gltf that refers to files of its own (which only a .zip can bring along). Resolves with
    // the message to show at the field, or "" when the file may go; the server checks everything again.
    problemWith: function (file) {
      var name = file.name || "";
      var dot = name.lastIndexOf(".");
      var extension = dot < 0 ? "" : name.slice(dot).toLowerCase();
      var accepted = (input.accept || "").split(",").filter(Boolean);
      if (accepted.length && accepted.indexOf(extension) === -1) {
        return Promise.resolve(fill(text.textNotAccepted, { name: name, accepted: accepted.join(", ") }));
      }
      if (extension !== ".gltf" || file.size > GLTF_READ_LIMIT || !file.text) return Promise.resolve("");
      return file.text().then(
        function (json) {
          var files = externalFiles(json);
          if (!files.length) return "";
          return fill(text.textGltfNeedsZip, {
            files: files.map(function (uri) { return "“" + uri + "”"; }).join(", "),
          });
        },
        function () {
          return "";
        },
      );
    },

    fieldProblem: function (message) {
      fieldError(message);
    },

    cancelled: function () {
      show(ui.error, text.textCancelled);
    },

    failed: failed,

    // The server keeps what it has: choosing the same file again continues from there.
    stopped: function (sent, total) {
      show(ui.error, fill(text.textStopped, { sent: formatBytes(sent), total: formatBytes(total) }));
    },

    // The API's error body is {code, detail, field}: a rule about the file is shown at the file field. A 401, 403
    // or 404 (signed out, the CSRF token refused, the upload or the entry gone) says no more than that it failed.
    refused: function (status, body) {
      if (!body || !body.detail || [401, 403, 404].indexOf(status) !== -1) failed(status);
      else if (body.field === input.name) fieldError(body.detail);
      else show(ui.error, body.detail);
    },
  };
};
