// Upload a revision in resumable chunks, with a progress bar showing bytes sent, speed and time left.
//
// The form works without this script (one multipart POST). With it, the file is sent with the tus 1.0 protocol
// (see competitions/api/tus.py): POST to open an upload session (every rule is checked then, before any byte is
// sent), then PATCH chunks of `data-chunk-size` bytes, each at the offset the server holds. A chunk that fails is
// retried with growing pauses, after asking the server (HEAD) how many bytes it really has. The session's URL is
// kept in localStorage under the entry, the file's name, size and modification time, so after a dropped
// connection or a reload, choosing the same file again continues from the server's last byte instead of zero.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest || !window.Blob || !window.Promise || !window.TextEncoder) return;

  var text = form.dataset;
  var input = form.querySelector('input[type="file"]');
  var progress = form.querySelector("[data-upload-progress]");
  var bar = form.querySelector("[data-upload-bar]");
  var percentOut = form.querySelector("[data-upload-percent]");
  var bytesOut = form.querySelector("[data-upload-bytes]");
  var speedOut = form.querySelector("[data-upload-speed]");
  var etaOut = form.querySelector("[data-upload-eta]");
  var lateOut = form.querySelector("[data-upload-late]");
  var noticeBox = form.querySelector("[data-upload-notice]");
  var errorBox = form.querySelector("[data-upload-error]");
  var submit = form.querySelector("[data-upload-submit]");
  var cancel = form.querySelector("[data-upload-cancel]");
  var csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;

  var TUS_VERSION = "1.0.0";
  var DEFAULT_CHUNK = 8 * 1024 * 1024;
  // Pauses before each new try after a failed chunk (with +-20% jitter); about a minute in all, then we stop and
  // say how to continue.
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  // A chunk with no progress for this long is given up and tried again: a stalled connection never errors.
  var STALL_MS = 30000;
  var STORE_PREFIX = "metascene-upload:" + text.entry + ":";
  var deadline = text.deadline ? Date.parse(text.deadline) : NaN;

  var upload = null; // The upload in progress: {file, key, url, xhr, timer, cancelled, failures, samples}.

  // --- Small helpers ------------------------------------------------------------------------------------------

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

  function base64(value) {
    var binary = "";
    new TextEncoder().encode(value).forEach(function (byte) {
      binary += String.fromCharCode(byte);
    });
    return window.btoa(binary);
  }

  function storageKey(file) {
    return STORE_PREFIX + [file.name, file.size, file.lastModified].join(":");
  }

  function recall(key) {
    try {
      var saved = JSON.parse(window.localStorage.getItem(key) || "null");
      return saved && saved.url ? saved : null;
    } catch (error) {
      return null;
    }
  }

  function remember(key, url, file) {
    try {
      window.localStorage.setItem(key, JSON.stringify({ url: url, name: file.name, size: file.size }));
    } catch (error) {
      // Private browsing or a full store: the upload still works, it just cannot resume after a reload.
    }
  }

  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // Nothing to do.
    }
  }

  // --- Messages -----------------------------------------------------------------------------------------------

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

  function showErrors(body, status) {
    var errors = body && body.errors;
    if (!errors) {
      showFormError(text.textFailed + (status ? " (HTTP " + status + ")" : ""));
      return;
    }
    var general = [];
    Object.keys(errors).forEach(function (field) {
      if (field === input.name) showFieldErrors(errors[field]);
      else general = general.concat(errors[field]);
    });
    if (general.length) showFormError(general.join(" "));
  }

  function notice(message) {
    noticeBox.textContent = message || "";
    noticeBox.hidden = !message;
  }

  // --- Requests -----------------------------------------------------------------------------------------------

  // Resolves with {status, offset, location, body} for any HTTP answer; rejects when no answer came (network
  // error, stall, or cancel).
  // `job` (the upload, or null) keeps the request so that Cancel can abort it.
  function send(job, method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var stallTimer = null;
      function watch() {
        window.clearTimeout(stallTimer);
        stallTimer = window.setTimeout(function () {
          xhr.abort();
        }, STALL_MS);
      }
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", TUS_VERSION);
      xhr.setRequestHeader("X-CSRFToken", csrfToken);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      Object.keys(headers || {}).forEach(function (name) {
        xhr.setRequestHeader(name, String(headers[name]));
      });
      if (onProgress) {
        xhr.upload.addEventListener("progress", function (event) {
          watch();
          onProgress(event.loaded);
        });
        // Once the body is sent, the server may take a while to answer (the last chunk hashes the whole file).
        xhr.upload.addEventListener("load", function () {
          window.clearTimeout(stallTimer);
        });
        watch();
      }
      xhr.addEventListener("load", function () {
        window.clearTimeout(stallTimer);
        var parsed = null;
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch (error) {
          parsed = null;
        }
        resolve({
          status: xhr.status,
          offset: xhr.getResponseHeader("Upload-Offset"),
          location: xhr.getResponseHeader("Location"),
          body: parsed,
        });
      });
      function fail() {
        window.clearTimeout(stallTimer);
        reject(new Error("no answer"));
      }
      xhr.addEventListener("error", fail);
      xhr.addEventListener("abort", fail);
      if (job) job.xhr = xhr;
      xhr.send(body === undefined ? null : body);
    });
  }

  function pause(job, ms) {
    return new Promise(function (resolve) {
      job.timer = window.setTimeout(resolve, ms);
    });
  }

  function online() {
    if (navigator.onLine !== false) return Promise.resolve();
    notice(text.textOffline);
    return new Promise(function (resolve) {
      window.addEventListener("online", resolve, { once: true });
    });
  }

  function Stop(body, status) {
    // The server refused (a rule, or the session is gone): retrying cannot help.
    this.body = body;
    this.status = status;
  }

  // After a failed chunk: pause, then ask the server for its offset. Resolves with it, or rejects after the last
  // try (the session is kept, so choosing the same file again continues from there). The pauses grow with each
  // failure in a row, and start again from the shortest once a chunk gets through.
  function recover(job, current) {
    function next() {
      if (job.cancelled) return Promise.reject(new Error("cancelled"));
      if (job.failures >= RETRY_DELAYS.length) return Promise.reject(new Error("gave up"));
      var delay = RETRY_DELAYS[job.failures] * (0.8 + Math.random() * 0.4);
      job.failures += 1;
      // Nothing is moving while we wait: a speed and time left from before would mislead.
      speedOut.textContent = "";
      etaOut.textContent = "";
      job.samples = [];
      notice(fill(text.textRetrying, { seconds: Math.max(1, Math.round(delay / 1000)) }));
      return pause(job, delay)
        .then(online)
        .then(function () {
          return send(job, "HEAD", job.url);
        })
        .then(
          function (head) {
            if (head.status === 200 && head.offset !== null) {
              notice("");
              return Number(head.offset);
            }
            if (head.status >= 500) return next();
            throw new Stop(head.body, head.status);
          },
          function (error) {
            if (job.cancelled) throw error;
            return next();
          },
        );
    }
    return next().catch(function (error) {
      if (!(error instanceof Stop) && !job.cancelled) {
        error.offset = current;
      }
      throw error;
    });
  }

  // --- Progress -----------------------------------------------------------------------------------------------

  function showProgress(job, sent) {
    var total = job.file.size;
    var now = performance.now();
    var samples = job.samples;
    samples.push([now, sent]);
    // Speed over the last three seconds, so it follows the connection instead of averaging since the start.
    while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
    var first = samples[0];
    var elapsed = (now - first[0]) / 1000;
    var rate = elapsed > 0 ? (sent - first[1]) / elapsed : 0;
    var percent = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
    bar.value = percent;
    percentOut.textContent = percent + "%";
    bytesOut.textContent = fill(text.textProgress, { sent: formatBytes(sent), total: formatBytes(total) });
    if (rate > 0) {
      var left = (total - sent) / rate;
      speedOut.textContent = fill(text.textSpeed, { rate: formatBytes(rate) });
      etaOut.textContent = fill(text.textEta, { time: formatDuration(left) });
      if (lateOut) lateOut.hidden = !(deadline && Date.now() + left * 1000 > deadline);
    }
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
    upload = null;
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

  // --- The upload ---------------------------------------------------------------------------------------------

  // Resolves with [session URL, server offset]: the saved session if the server still has it, else a new one.
  function open(job) {
    var file = job.file;
    var key = job.key;
    var saved = recall(key);
    var resume = saved
      ? send(job, "HEAD", saved.url).then(function (head) {
          if (head.status === 200 && head.offset !== null) return [saved.url, Number(head.offset)];
          forget(key);
          return null;
        })
      : Promise.resolve(null);
    return resume.then(function (found) {
      if (found) return found;
      var headers = { "Upload-Length": file.size, "Upload-Metadata": "filename " + base64(file.name) };
      return send(job, "POST", text.startUrl, headers).then(function (created) {
        if (created.status !== 201 || !created.location) throw new Stop(created.body, created.status);
        remember(key, created.location, file);
        return [created.location, 0];
      });
    });
  }

  // Sends the chunks from `offset` on. Resolves when the server has every byte.
  function sendFrom(job, offset) {
    var file = job.file;
    if (offset >= file.size) return Promise.resolve(offset);
    var size = Number(form.dataset.chunkSize) || DEFAULT_CHUNK;
    var end = Math.min(offset + size, file.size);
    var headers = { "Upload-Offset": offset, "Content-Type": "application/offset+octet-stream" };
    function again(next) {
      return sendFrom(job, next);
    }
    return send(job, "PATCH", job.url, headers, file.slice(offset, end), function (loaded) {
      showProgress(job, offset + loaded);
    }).then(
      function (answer) {
        if (answer.status === 204 && answer.offset !== null) {
          job.failures = 0;
          return again(Number(answer.offset));
        }
        if (answer.status === 409 && answer.offset !== null) {
          // The server has a different offset than we thought (e.g. it kept part of a dropped chunk).
          return again(Number(answer.offset));
        }
        if (answer.status >= 500) return recover(job, offset).then(again);
        throw new Stop(answer.body, answer.status);
      },
      function (error) {
        if (job.cancelled) throw error;
        return recover(job, offset).then(again);
      },
    );
  }

  // The last byte created the revision; if that answer was lost, an empty chunk at the end creates it now.
  function complete(job) {
    return send(job, "GET", job.url)
      .then(function (info) {
        if (info.status === 200 && info.body && !info.body.complete) {
          var headers = { "Upload-Offset": job.file.size, "Content-Type": "application/offset+octet-stream" };
          return send(job, "PATCH", job.url, headers, new Blob([])).then(function (answer) {
            if (answer.status !== 204) throw new Stop(answer.body, answer.status);
            return send(job, "GET", job.url);
          });
        }
        return info;
      })
      .then(function (info) {
        if (info.status !== 200 || !info.body || !info.body.complete) throw new Stop(info.body, info.status);
        return info.body.redirect;
      });
  }

  function start(file) {
    var job = { file: file, key: storageKey(file), url: null, xhr: null, timer: null, cancelled: false, failures: 0 };
    job.samples = [];
    upload = job;
    bar.value = 0;
    percentOut.textContent = "0%";
    bytesOut.textContent = fill(text.textProgress, { sent: formatBytes(0), total: formatBytes(file.size) });
    speedOut.textContent = "";
    etaOut.textContent = "";
    if (lateOut) lateOut.hidden = true;
    notice("");
    setBusy(true);
    window.addEventListener("beforeunload", warnBeforeLeaving);

    open(job)
      .then(function (session) {
        job.url = session[0];
        if (session[1] > 0) {
          notice(fill(text.textResuming, { sent: formatBytes(session[1]) }));
          showProgress(job, session[1]);
        }
        return sendFrom(job, session[1]);
      })
      .then(function () {
        bar.value = 100;
        percentOut.textContent = "100%";
        speedOut.textContent = "";
        etaOut.textContent = text.textFinishing || "";
        return complete(job);
      })
      .then(function (redirect) {
        forget(job.key);
        goTo(redirect);
      })
      .catch(function (error) {
        if (job.cancelled) return;
        finish();
        notice("");
        if (error instanceof Stop) {
          // A refusal is final for this session: drop it, so the next try starts afresh.
          forget(job.key);
          if (job.url && error.status !== 404) send(null, "DELETE", job.url).catch(function () {});
          showErrors(error.body, error.status);
        } else if (typeof error.offset === "number") {
          showFormError(fill(text.textStopped, { sent: formatBytes(error.offset), total: formatBytes(file.size) }));
        } else {
          showFormError(text.textFailed);
        }
      });
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || !input.files.length) return; // The browser, then the server, say a file is needed.
    event.preventDefault();
    if (upload) return;
    clearErrors();
    var file = input.files[0];
    var max = Number(input.dataset.maxBytes || 0);
    if (max && file.size > max) {
      showFieldErrors([text.textTooLarge]);
      return;
    }
    start(file);
  });

  cancel.addEventListener("click", function () {
    if (!upload) return;
    var stopped = upload;
    stopped.cancelled = true;
    window.clearTimeout(stopped.timer);
    if (stopped.xhr) stopped.xhr.abort();
    forget(stopped.key);
    if (stopped.url) send(null, "DELETE", stopped.url).catch(function () {});
    finish();
    notice("");
    showFormError(text.textCancelled);
  });

  // On arrival, mention an upload of this entry that stopped (a reload, a closed tab), so the person knows that
  // choosing the same file again continues it. Sessions the server no longer has are forgotten.
  function mentionUnfinished() {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(STORE_PREFIX) === 0) keys.push(key);
      }
    } catch (error) {
      return;
    }
    keys.forEach(function (key) {
      var saved = recall(key);
      if (!saved) return;
      send(null, "GET", saved.url)
        .then(function (info) {
          if (info.status !== 200 || !info.body || info.body.complete) {
            if (info.status < 500) forget(key);
            return;
          }
          if (upload) return;
          var percent = Math.floor((info.body.offset / info.body.size) * 100) + "%";
          notice(fill(text.textUnfinished, { name: info.body.name, percent: percent }));
        })
        .catch(function () {});
    });
  }

  mentionUnfinished();
})();
