// The 3D viewer of the judge's entry page (judge/includes/viewer.html): where model-viewer finds its meshopt decoder,
// and a status line that says when the model has loaded or could not be shown.
(function () {
  "use strict";

  // model-viewer loads its meshopt decoder script from the address given here, our own static copy, not a CDN. It
  // reads this configuration when the module runs, which is after this (deferred) script.
  var viewer = document.querySelector("model-viewer[data-viewer]");
  if (viewer) {
    window.ModelViewerElement = window.ModelViewerElement || {};
    window.ModelViewerElement.meshoptDecoderLocation = viewer.dataset.meshoptDecoder;
    var viewerStatus = document.querySelector("[data-viewer-status]");
    viewer.addEventListener("load", function () {
      viewer.setAttribute("data-loaded", "true");
      if (viewerStatus) viewerStatus.textContent = viewer.dataset.textLoaded;
    });
    viewer.addEventListener("error", function () {
      viewer.setAttribute("data-loaded", "false");
      if (viewerStatus) viewerStatus.textContent = viewer.dataset.textFailed;
    });
  }
})();
