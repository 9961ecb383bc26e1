// Upload a revision in resumable chunks, showing bytes sent, speed and time left (static/js/upload_form.js).
//
// The form works without this script (one multipart POST). With it, tus-js-client (static/vendor/tus.min.js, from
// npm) sends the file to the API's tus endpoint with the session login and the CSRF token: a POST opens the upload
// (every rule is checked then, before any byte is sent), then PATCH requests carry chunks of `data-chunk-size`
// bytes. A failed request is tried again after a growing pause, from the offset the server answers to a HEAD. The
// upload's URL is kept in localStorage under the entry and the file's name, size and modification time, so after a
// dropped connection or a reload, choosing the same file again continues from the server's last byte. This script
// adds what the library leaves to its user: a chunk that stalls, waiting while the browser is offline, dropping an
// upload the server refused, and making sure the upload became a revision before showing it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.tus || !window.tus.isSupported || !window.fetch || !window.metasceneUploadForm) return;

  var view = window.metasceneUploadForm(form);
  var csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var urlStorage = window.tus.defaultOptions.urlStorage;
  // Pauses before each new try after a failed request (with +-20% jitter); about a minute in all, then we stop and
  // say how to continue. They start again from the shortest once a chunk gets through.
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  // A chunk with no progress for this long is given up and tried again: a stalled connection never errors.
  var STALL_MS = 30000;
  var FINGERPRINT_PREFIX = "metascene-upload:" + form.dataset.entry + ":";

  // The upload in progress: {file, upload (a tus.Upload), sent (bytes the server has), retrying, restart}.
  var job = null;

  function noop() {}

  // --- Requests of our own (the library sends the chunks) ------------------------------------------------------

  // Resolves with {status, body} for any HTTP answer; rejects when none came.
  function api(method, url, headers, body) {
    var all = { "Tus-Resumable": "1.0.0", "X-CSRFToken": csrfToken, Accept: "application/json" };
    Object.assign(all, headers);
    var options = { method: method, headers: all, body: body, credentials: "same-origin", cache: "no-store" };
    return fetch(url, options).then(function (response) {
      var answer = { status: response.status, body: null };
      return response.json().then(
        function (parsed) {
          answer.body = parsed;
          return answer;
        },
        function () {
          return answer;
        },
      );
    });
  }

  function fingerprint(file) {
    return Promise.resolve(FINGERPRINT_PREFIX + [file.name, file.size, file.lastModified].join(":"));
  }

  // Drop the stored URLs of this file's uploads, so that the next try starts afresh.
  function forget(current) {
    return current.upload.findPreviousUploads().then(function (stored) {
      stored.forEach(function (saved) {
        urlStorage.removeUpload(saved.urlStorageKey);
      });
    }, noop);
  }

  // A refusal is final for this upload: drop it on both sides, so that the next try starts afresh.
  function refused(current, status, body) {
    forget(current);
    if (current.upload.url && status !== 404) api("DELETE", current.upload.url).catch(noop);
    view.refused(status, body);
  }

  function warnBeforeLeaving(event) {
    event.preventDefault();
    event.returnValue = "";
  }

  function finish() {
    job = null;
    view.busy(false);
    window.removeEventListener("beforeunload", warnBeforeLeaving);
  }

  // --- The library's hooks ------------------------------------------------------------------------------------

  // A refusal (4xx) is final, except a conflict over the offset, which the HEAD before the next try settles.
  function shouldRetry(current, error, attempt, options) {
    var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
    if (job !== current || (status >= 400 && status < 500 && status !== 409 && status !== 423)) return false;
    current.retrying = true;
    view.retrying(options.retryDelays[attempt]);
    return true;
  }

  // Wait while the browser is offline; then watch the chunk for a stall.
  function beforeRequest(current, request) {
    if (navigator.onLine !== false) return watchStall(current, request);
    view.offline();
    return new Promise(function (resolve, reject) {
      function online() {
        if (job === current) resolve(watchStall(current, request));
        else reject(new Error("cancelled"));
      }
      window.addEventListener("online", online, { once: true });
    });
  }

  // A chunk that makes no progress for STALL_MS is given up; the upload goes on from the server's offset.
  function watchStall(current, request) {
    if (request.getMethod() !== "PATCH") return;
    var xhr = request.getUnderlyingObject();
    var timer = null;
    function stalled() {
      if (job !== current) return;
      current.upload.abort();
      current.retrying = true;
      view.retrying(RETRY_DELAYS[0]);
      current.restart = window.setTimeout(current.upload.start.bind(current.upload), RETRY_DELAYS[0]);
    }
    function arm() {
      window.clearTimeout(timer);
      timer = window.setTimeout(stalled, STALL_MS);
    }
    function disarm() {
      window.clearTimeout(timer);
    }
    xhr.upload.addEventListener("progress", arm);
    // Once the body is sent, the server may take a while to answer (the last chunk stores the whole file).
    xhr.upload.addEventListener("load", disarm);
    xhr.addEventListener("loadend", disarm);
    arm();
  }

  // A HEAD asks the server's offset: when the upload resumes an earlier one, and before each new try.
  function afterResponse(current, request, response) {
    if (request.getMethod() !== "HEAD" || response.getStatus() !== 200 || job !== current) return;
    current.sent = Number(response.getHeader("Upload-Offset")) || 0;
    if (current.retrying) view.going();
    else view.resumed(current.sent);
    current.retrying = false;
  }

  function failed(current, error) {
    if (job !== current) return;
    var response = error.originalResponse;
    var status = response ? response.getStatus() : 0;
    finish();
    if (status >= 400 && status < 500) {
      var body = null;
      try {
        body = JSON.parse(response.getBody());
      } catch (ignored) {
        // Not the API's answer (a proxy's page): the status says enough.
      }
      refused(current, status, body);
    } else if (current.upload.url) {
      view.stopped(current.sent, current.file.size);
    } else {
      view.failed(status);
    }
  }

  // The last byte made the revision. If its answer was lost, or the revision could not be made then (a full disk),
  // the server has every byte and no revision: an empty chunk at the end asks again.
  function complete(current) {
    var url = current.upload.url;
    var atEnd = { "Upload-Offset": String(current.file.size), "Content-Type": "application/offset+octet-stream" };
    current.sent = current.file.size;
    view.progress(current.sent, current.file.size);
    api("GET", url)
      .then(function (info) {
        if (info.status !== 200 || !info.body || info.body.complete) return info;
        return api("PATCH", url, atEnd, new Blob([])).then(function (answer) {
          return answer.status === 204 ? api("GET", url) : answer;
        });
      })
      .then(function (info) {
        if (job !== current) return;
        if (info.status === 200 && info.body && info.body.complete) {
          // The page shows the new revision and says it is received (?upload=, see frontend/views/entries.py).
          window.removeEventListener("beforeunload", warnBeforeLeaving);
          forget(current).then(function () {
            window.location.assign(window.location.pathname + "?upload=" + info.body.id + "#revisions");
          });
          return;
        }
        finish();
        if (info.status >= 400 && info.status < 500) refused(current, info.status, info.body);
        else view.stopped(current.sent, current.file.size);
      })
      .catch(function () {
        if (job !== current) return;
        finish();
        view.stopped(current.sent, current.file.size);
      });
  }

  // --- The upload ---------------------------------------------------------------------------------------------

  function start(file) {
    var current = { file: file, upload: null, sent: 0, retrying: false, restart: null };
    job = current;
    view.busy(true);
    view.progress(0, file.size);
    window.addEventListener("beforeunload", warnBeforeLeaving);
    current.upload = new window.tus.Upload(file, {
      endpoint: new URL(form.dataset.endpoint, window.location.href).href,
      chunkSize: Number(form.dataset.chunkSize) || 8 * 1024 * 1024,
      retryDelays: RETRY_DELAYS.map(function (delay) {
        return Math.round(delay * (0.8 + Math.random() * 0.4));
      }),
      headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      metadata: { filename: file.name },
      fingerprint: fingerprint,
      onBeforeRequest: beforeRequest.bind(null, current),
      onAfterResponse: afterResponse.bind(null, current),
      onShouldRetry: shouldRetry.bind(null, current),
      onProgress: function (sent, total) {
        if (job === current) view.progress(sent, total);
      },
      onChunkComplete: function (size, accepted) {
        current.sent = accepted;
      },
      onSuccess: function () {
        if (job === current) complete(current);
      },
      onError: failed.bind(null, current),
    });
    current.upload.findPreviousUploads().then(function (stored) {
      if (job !== current) return;
      if (stored.length) current.upload.resumeFromPreviousUpload(stored[0]);
      current.upload.start();
    });
  }

  form.addEventListener("submit", function (event) {
    var input = view.input;
    if (!input.files || !input.files.length) return; // The browser, then the server, say a file is needed.
    event.preventDefault();
    if (job) return;
    view.clearErrors();
    var file = input.files[0];
    var max = Number(input.dataset.maxBytes || 0);
    if (max && file.size > max) {
      view.tooLarge();
      return;
    }
    // Refused here, a file costs no request (and no error in the browser's console); the server checks again.
    view.problemWith(file).then(function (problem) {
      if (problem) view.fieldProblem(problem);
      else if (!job) start(file);
    });
  });

  view.cancelButton.addEventListener("click", function () {
    if (!job) return;
    var stopped = job;
    window.clearTimeout(stopped.restart);
    stopped.upload.abort();
    forget(stopped);
    if (stopped.upload.url) api("DELETE", stopped.upload.url).catch(noop);
    finish();
    view.cancelled();
  });

  // On arrival, mention an upload of this entry that stopped (a reload, a closed tab), so the person knows that
  // choosing the same file again continues it. Uploads the server no longer has, or that are finished, are
  // forgotten.
  urlStorage.findAllUploads().then(function (stored) {
    stored.forEach(function (saved) {
      if (saved.urlStorageKey.indexOf("tus::" + FINGERPRINT_PREFIX) !== 0 || !saved.uploadUrl) return;
      api("GET", saved.uploadUrl)
        .then(function (info) {
          if (info.status !== 200 || !info.body || info.body.complete) {
            if (info.status < 500) urlStorage.removeUpload(saved.urlStorageKey);
          } else if (!job) {
            view.unfinished(info.body.original_name, info.body.offset, info.body.size);
          }
        })
        .catch(noop);
    });
  });

  // Arriving after an upload (?upload=<id>): a reload should not say again that the revision is received.
  if (new URLSearchParams(window.location.search).has("upload")) {
    var clean = new URL(window.location.href);
    clean.searchParams.delete("upload");
    history.replaceState(null, "", clean.href);
  }
})();
