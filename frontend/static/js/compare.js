// The judge's compare page (judge/compare.html): two entries' 3D viewers side by side, their cameras linked.
// The viewers themselves (viewing conditions, meshopt decoder, load status) are viewer.js's.
//
// Turning, zooming or moving one scene by hand (model-viewer's "camera-change" event with source
// "user-interaction": mouse, touch or keyboard) puts the other viewer's camera in the same place: the same orbit,
// target and field of view, at once rather than animated. Only a judge's own moves are followed, never the moves
// this script makes, so the two viewers cannot echo each other. A viewer whose model loads later is brought to the
// other's camera. "Link cameras" (ticked at first) turns it off; ticking it again brings the viewer the judge did
// not move last to the camera of the one they did.
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

  // The viewer the judge moved last: the one the other follows, also when the other loads its model later.
  var leader = viewers[0];

  function follow(from, to) {
    from.addEventListener("camera-change", function (event) {
      if (!event.detail || event.detail.source !== "user-interaction") return;
      leader = from;
      if (link.checked) copyCamera(from, to);
    });
    to.addEventListener("load", function () {
      if (link.checked && leader === from && from.loaded) copyCamera(from, to);
    });
  }

  follow(viewers[0], viewers[1]);
  follow(viewers[1], viewers[0]);
  link.addEventListener("change", function () {
    if (link.checked) copyCamera(leader, leader === viewers[0] ? viewers[1] : viewers[0]);
  });
})();
