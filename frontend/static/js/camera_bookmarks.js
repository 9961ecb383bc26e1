// The entrant's own cameras as bookmarks under the judge's 3D viewer (judge/includes/camera_bookmarks.html): a
// button moves model-viewer's camera to the camera's orbit, target and field of view; "Standard view" puts back the
// viewer's own. model-viewer keeps its camera out of the model and within its framing distance unless told
// otherwise, so a bookmark also widens those limits (an entrant's camera may stand inside the scene), and the
// standard view restores them. aria-pressed marks the bookmark in use.
(function () {
  "use strict";

  var bar = document.querySelector("[data-camera-bookmarks]");
  var viewer = document.querySelector("model-viewer[data-viewer]");
  if (!bar || !viewer) return;

  var SETTINGS = {
    cameraOrbit: "camera-orbit",
    cameraTarget: "camera-target",
    fieldOfView: "field-of-view",
    minCameraOrbit: "min-camera-orbit",
    maxCameraOrbit: "max-camera-orbit",
    minFieldOfView: "min-field-of-view",
    maxFieldOfView: "max-field-of-view"
  };
  // The viewer's own settings, as its markup gives them ("auto" where it gives none).
  var standard = {};
  Object.keys(SETTINGS).forEach(function (property) {
    standard[property] = viewer.getAttribute(SETTINGS[property]) || "auto";
  });

  function degrees(value) {
    return parseFloat(value) || 0;
  }

  function bookmarkSettings(button) {
    var fov = degrees(button.dataset.fieldOfView);
    return {
      cameraOrbit: button.dataset.cameraOrbit,
      cameraTarget: button.dataset.cameraTarget,
      fieldOfView: button.dataset.fieldOfView,
      minCameraOrbit: "auto auto 0m",
      maxCameraOrbit: "auto auto " + button.dataset.maxRadius,
      minFieldOfView: Math.min(fov, 10) + "deg",
      maxFieldOfView: Math.max(fov, 45) + "deg"
    };
  }

  function apply(settings) {
    // The limits first, so the camera is not clamped to the old ones on its way.
    ["minCameraOrbit", "maxCameraOrbit", "minFieldOfView", "maxFieldOfView", "cameraTarget", "cameraOrbit",
      "fieldOfView"].forEach(function (property) {
      viewer[property] = settings[property];
    });
  }

  var buttons = bar.querySelectorAll("button[data-camera-bookmark]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      apply(button.dataset.cameraBookmark === "standard" ? standard : bookmarkSettings(button));
      Array.prototype.forEach.call(buttons, function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
    });
  });
  bar.hidden = false;
})();
