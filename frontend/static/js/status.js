// Follow the processing of an entry's revisions: while any is not final, poll the status JSON every two seconds and
// update each revision in place: its badge, its per-stage progress, then its outcome (grouped messages, or the
// thumbnail and figures), and the "Current file" panel when a revision becomes current. The server renders each
// block with the page's own templates (the JSON's `html`), so this script only swaps them in. Without JavaScript
// the page shows the status at load, and a note says to reload.
(function () {
  "use strict";
  var section = document.getElementById("revisions");
  if (!section || !window.fetch) return;
  section.querySelectorAll(".js-only").forEach(function (element) {
    element.hidden = false;
  });
  if (section.dataset.pending !== "true") return;

  var url = section.dataset.statusUrl;
  var currentPanel = document.querySelector("[data-current-file]");
  var INTERVAL = 2000;
  var RETRY = 10000;

  function updateBadge(row, revision) {
    var badge = row.querySelector("[data-revision-status] .badge");
    if (badge && badge.dataset.status !== revision.status) {
      badge.className = "badge status-" + revision.status;
      badge.dataset.status = revision.status;
      badge.textContent = revision.label;
    }
  }

  function updateDetail(revision) {
    var report = section.querySelector('tr[data-revision-report="' + revision.id + '"]');
    if (!report) return;
    var cell = report.querySelector("[data-revision-detail]");
    // Swap only when something changed, so that a screen reader or a text selection is not disturbed every poll.
    var state = revision.status + ":" + (revision.stage || "");
    if (cell && cell.dataset.state !== state) {
      cell.innerHTML = revision.html;
      cell.dataset.state = state;
    }
    report.hidden = !revision.visible;
  }

  function markCurrent(number) {
    var template = section.querySelector(".current-badge");
    section.querySelectorAll("tr[data-revision]").forEach(function (row) {
      var isCurrent = row.querySelector(".revision-number").textContent.trim() === String(number);
      row.classList.toggle("is-current", isCurrent);
      var badge = row.querySelector(".current-badge");
      if (badge && !isCurrent) badge.remove();
      if (!badge && isCurrent) {
        badge = document.createElement("span");
        badge.className = "badge current-badge";
        badge.textContent = template ? template.textContent : section.dataset.textCurrent;
        var name = row.querySelector(".filename .cell-detail");
        name.parentNode.insertBefore(badge, name);
        name.parentNode.insertBefore(document.createTextNode(" "), badge);
      }
    });
  }

  function updateCurrent(data) {
    var number = String(data.current_revision || "");
    if (number === (section.dataset.current || "")) return;
    section.dataset.current = number;
    if (currentPanel) currentPanel.innerHTML = data.current_html;
    markCurrent(number);
  }

  function apply(data) {
    var unknown = false;
    data.revisions.forEach(function (revision) {
      var row = section.querySelector('tr[data-revision="' + revision.id + '"]');
      if (!row) {
        unknown = true;
        return;
      }
      updateBadge(row, revision);
      updateDetail(revision);
    });
    updateCurrent(data);
    return unknown;
  }

  function settle(unknown) {
    // Everything is checked. A revision this page does not list (uploaded from elsewhere) needs a reload; offer
    // one rather than reloading by ourselves, which could throw away what the person is typing or uploading.
    var note = section.querySelector("[data-pending-note]");
    if (!note) return;
    if (!unknown) {
      note.replaceChildren(document.createTextNode(section.dataset.textSettled));
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
        else settle(unknown);
      })
      .catch(function () {
        window.setTimeout(poll, RETRY);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
