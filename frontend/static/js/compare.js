// The judge's compare page (judge/compare.html): two entries' 3D viewers side by side, their cameras linked.
// The viewers themselves (viewing conditions, meshopt decoder, load status) are viewer.js's.
//
// Turning, zooming or moving one scene by hand (model-viewer's "camera-change" event with source
// "user-interaction": mouse, touch or keyboard) puts the other viewer's camera in the same place: the same orbit,
// target and field of view, at once rather than animated. Only a judge's own moves are followed, never the moves
// this script makes, so the two viewers cannot echo each other. "Link cameras" (ticked at first) turns it off;
// ticking it again brings the second viewer to the first one's camera.
(function () {
  "use strict";

  var page = document.querySelector("[data-compare]");
  if (!page) return;
  var viewers = page.querySelectorAll("model-viewer[data-viewer]");
  var link = page.querySelector("[data-link-cameras]");
  if (viewers.length !== 2 || !link) return;
  page.querySelector("[data-link-cameras-field]").hidden = false;

  function copyCamera(from, to) {
    if (typeof from.getCameraOrbit !== "function") return; // model-viewer is not defined yet
    to.cameraTarget = from.getCameraTarget().toString();
    to.cameraOrbit = from.getCameraOrbit().toString();
    to.fieldOfView = from.getFieldOfView() + "deg";
    to.jumpCameraToGoal();
  }

  function follow(from, to) {
    from.addEventListener("camera-change", function (event) {
      if (!link.checked || !event.detail || event.detail.source !== "user-interaction") return;
      copyCamera(from, to);
    });
  }

  follow(viewers[0], viewers[1]);
  follow(viewers[1], viewers[0]);
  link.addEventListener("change", function () {
    if (link.checked) copyCamera(viewers[0], viewers[1]);
  });
})();
