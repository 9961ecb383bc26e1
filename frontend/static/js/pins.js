// Pinned comments (judge/includes/pins.html, and the read-only lists of the organiser's and the team's pages).
//
// Every list of pins ([data-pins]) shows its pins on its 3D viewer as numbered hotspots: model-viewer places a
// child <button slot="hotspot-…" data-position="x y z" data-normal="x y z"> at that point of the model, in the
// model's own coordinates. The viewer is the one inside the list's [data-pin-scene], or else the page's
// model-viewer[data-viewer] (the judge's entry page has one). The list items, rendered by the server, hold the
// points, so the hotspots come back on every load.
//
// On the judge's page (data-api set: the sheet is a draft of an open round) "Pin a comment" turns pinning on; a
// click on the model (not a drag that turns it) asks model-viewer for the point and the surface normal under the
// pointer, shows a new hotspot there and asks for the comment; saving posts it to the API. Enter in the 3D view
// pins the point at the view's centre, for keyboards. Each pin's Edit and Delete work on the list alone, without
// the 3D view. The server decides: a refusal (the sheet submitted meanwhile, the cap) is shown as it says.
(function () {
  "use strict";

  var SLOT = "hotspot-pin-";
  var CLICK_SLOP = 6; // pixels a pointer may move between press and release and still be a click, not a drag

  function format(text, number) {
    return text.replace("{number}", String(number));
  }

  function coordinates(vector) {
    return [vector.x, vector.y, vector.z]
      .map(function (value) {
        return value.toFixed(6);
      })
      .join(" ");
  }

  function setUp(box) {
    var scene = box.closest("[data-pin-scene]");
    var viewer = (scene || document).querySelector("model-viewer[data-viewer]");
    var list = box.querySelector("[data-pin-list]");
    var empty = box.querySelector("[data-pin-empty]");
    var status = box.querySelector("[data-pin-status]");
    var prefix = box.dataset.prefix || "pin";
    var texts = box.dataset;

    function items() {
      return Array.prototype.slice.call(list.querySelectorAll("[data-pin-id]"));
    }

    function say(message) {
      if (status) status.textContent = message;
    }

    function hotspotOf(id) {
      return viewer ? viewer.querySelector('[slot="' + SLOT + prefix + "-" + id + '"]') : null;
    }

    // The hotspot of a list item, made or brought up to date (number, label, place).
    function showHotspot(item) {
      if (!viewer) return;
      var id = item.dataset.pinId;
      var button = hotspotOf(id);
      var number = item.querySelector("[data-pin-number]").textContent;
      var author = item.querySelector("[data-pin-author]");
      var text = item.querySelector("[data-pin-text]").textContent;
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "pin-hotspot";
        button.slot = SLOT + prefix + "-" + id;
        button.dataset.visibilityAttribute = "visible";
        button.addEventListener("click", function (event) {
          event.stopPropagation();
          item.scrollIntoView({ block: "nearest" });
          item.classList.add("is-highlighted");
          window.setTimeout(function () {
            item.classList.remove("is-highlighted");
          }, 1500);
        });
        viewer.appendChild(button);
      }
      if (button.dataset.position !== item.dataset.position) {
        button.dataset.position = item.dataset.position;
        button.dataset.normal = item.dataset.normal;
        if (typeof viewer.updateHotspot === "function") {
          viewer.updateHotspot({ name: button.slot, position: item.dataset.position, normal: item.dataset.normal });
        }
      }
      button.textContent = number;
      button.setAttribute(
        "aria-label",
        format(texts.textPin || "{number}", number) + (author ? " (" + author.textContent + ")" : "") + ": " + text
      );
    }

    function renumber() {
      items().forEach(function (item, index) {
        item.querySelector("[data-pin-number]").textContent = String(index + 1);
        showHotspot(item);
      });
      if (empty) empty.hidden = items().length > 0;
    }

    renumber();
    if (!box.dataset.api) return;

    // --- Editing (the judge's own pins, while the sheet is a draft) ---------------------------------------------

    var form = box.querySelector("[data-pin-form]");
    var field = form.querySelector("textarea");
    var label = form.querySelector("[data-pin-label]");
    var error = form.querySelector("[data-pin-error]");
    var toolbar = box.querySelector("[data-pin-toolbar]");
    var toggle = box.querySelector("[data-pin-toggle]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var pending = null; // {position, normal} of a pin placed but not saved yet
    var editing = null; // the list item whose comment is being edited
    var pinning = false;
    var pressed = null;

    function request(method, url, body) {
      var headers = { Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" };
      if (body) headers["Content-Type"] = "application/json";
      return fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: headers,
        body: body ? JSON.stringify(body) : undefined,
      }).then(function (response) {
        if (response.status === 204) return { ok: true, body: null };
        return response.json().then(
          function (answer) {
            return { ok: response.ok, body: answer };
          },
          function () {
            return { ok: false, body: {} };
          }
        );
      });
    }

    function refusal(answer) {
      return (answer.body && answer.body.detail) || texts.textFailed;
    }

    function itemFor(pin) {
      var item = document.createElement("li");
      item.className = "pin-item";
      item.id = prefix + "-" + pin.id;
      item.dataset.pinId = String(pin.id);
      item.dataset.position = coordinates({ x: pin.position[0], y: pin.position[1], z: pin.position[2] });
      item.dataset.normal = coordinates({ x: pin.normal[0], y: pin.normal[1], z: pin.normal[2] });
      var number = document.createElement("span");
      number.className = "pin-number";
      number.dataset.pinNumber = "";
      var body = document.createElement("div");
      body.className = "pin-body";
      var text = document.createElement("p");
      text.className = "pin-text";
      text.dataset.pinText = "";
      text.textContent = pin.text;
      var actions = document.createElement("div");
      actions.className = "pin-actions";
      [
        ["pinEdit", texts.textEdit],
        ["pinDelete", texts.textDelete],
      ].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline";
        button.dataset[pair[0]] = "";
        button.textContent = pair[1];
        actions.appendChild(button);
      });
      body.appendChild(text);
      body.appendChild(actions);
      item.appendChild(number);
      item.appendChild(body);
      return item;
    }

    function dropPending() {
      var marker = viewer ? viewer.querySelector('[slot="' + SLOT + prefix + '-new"]') : null;
      if (marker) marker.remove();
      pending = null;
    }

    function closeForm() {
      var back = editing ? editing.querySelector("[data-pin-edit]") : toggle;
      form.hidden = true;
      error.textContent = "";
      field.removeAttribute("aria-invalid");
      dropPending();
      editing = null;
      if (back) back.focus();
    }

    function openForm(text, labelText) {
      form.hidden = false;
      label.textContent = labelText;
      field.value = text;
      error.textContent = "";
      field.focus();
    }

    function place(hit) {
      dropPending();
      editing = null;
      pending = { position: hit.position, normal: hit.normal };
      if (viewer) {
        var marker = document.createElement("span");
        marker.className = "pin-hotspot is-new";
        marker.slot = SLOT + prefix + "-new";
        marker.dataset.position = coordinates(hit.position);
        marker.dataset.normal = coordinates(hit.normal);
        marker.setAttribute("aria-hidden", "true");
        marker.textContent = String(items().length + 1);
        viewer.appendChild(marker);
      }
      openForm("", texts.textCommentNew);
    }

    function pinAt(clientX, clientY) {
      if (typeof viewer.positionAndNormalFromPoint !== "function" || viewer.dataset.loaded !== "true") {
        say(texts.textNotReady);
        return;
      }
      var hit = viewer.positionAndNormalFromPoint(clientX, clientY);
      if (!hit) {
        say(texts.textMissed);
        return;
      }
      say("");
      place(hit);
    }

    function setPinning(on) {
      pinning = on;
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      viewer.classList.toggle("is-pinning", on);
    }

    if (viewer && toolbar) {
      toolbar.hidden = false;
      toggle.addEventListener("click", function () {
        setPinning(!pinning);
      });
      viewer.addEventListener("pointerdown", function (event) {
        pressed = { x: event.clientX, y: event.clientY };
      });
      viewer.addEventListener("click", function (event) {
        if (!pinning || event.target !== viewer || !pressed) return;
        var moved = Math.abs(event.clientX - pressed.x) + Math.abs(event.clientY - pressed.y);
        pressed = null;
        if (moved > CLICK_SLOP) return; // the judge turned the model
        pinAt(event.clientX, event.clientY);
      });
      viewer.addEventListener("keydown", function (event) {
        if (!pinning || event.key !== "Enter" || event.target !== viewer) return;
        event.preventDefault();
        var box = viewer.getBoundingClientRect();
        pinAt(box.left + box.width / 2, box.top + box.height / 2);
      });
    }

    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeForm();
    });
    form.querySelector("[data-pin-cancel]").addEventListener("click", closeForm);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value;
      var answered;
      if (editing) {
        answered = request("PATCH", box.dataset.api + editing.dataset.pinId + "/", { text: text });
      } else if (pending) {
        answered = request("POST", box.dataset.api, {
          position: [pending.position.x, pending.position.y, pending.position.z],
          normal: [pending.normal.x, pending.normal.y, pending.normal.z],
          text: text,
        });
      } else {
        return;
      }
      answered.then(
        function (answer) {
          if (!answer.ok) {
            error.textContent = refusal(answer);
            field.setAttribute("aria-invalid", "true");
            return;
          }
          var item = editing;
          if (item) {
            item.querySelector("[data-pin-text]").textContent = answer.body.text;
          } else {
            item = itemFor(answer.body);
            list.appendChild(item);
          }
          editing = item;
          closeForm();
          renumber();
          say(texts.textSaved);
        },
        function () {
          error.textContent = texts.textFailed;
        }
      );
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      var item = button ? button.closest("[data-pin-id]") : null;
      if (!item) return;
      if (button.hasAttribute("data-pin-edit")) {
        dropPending();
        editing = item;
        var number = item.querySelector("[data-pin-number]").textContent;
        openForm(item.querySelector("[data-pin-text]").textContent, format(texts.textCommentEdit, number));
      } else if (button.hasAttribute("data-pin-delete")) {
        if (!window.confirm(texts.textConfirmDelete)) return;
        request("DELETE", box.dataset.api + item.dataset.pinId + "/").then(
          function (answer) {
            if (!answer.ok) {
              say(refusal(answer));
              return;
            }
            var hotspot = hotspotOf(item.dataset.pinId);
            if (hotspot) hotspot.remove();
            var next = item.nextElementSibling || item.previousElementSibling;
            item.remove();
            renumber();
            say(texts.textDeleted);
            var focus = next ? next.querySelector("[data-pin-edit]") : toggle;
            if (focus) focus.focus();
          },
          function () {
            say(texts.textFailed);
          }
        );
      }
    });

    items().forEach(function (item) {
      var actions = item.querySelector("[data-pin-actions]");
      if (actions) actions.hidden = false;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-pins]"), setUp);
})();
