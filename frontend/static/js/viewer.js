// Every 3D viewer of a page (model-viewer[data-viewer], from judge/includes/model_viewer.html): where model-viewer
// finds its meshopt decoder, the button that loads a heavy model, and the status line under each viewer.
//
// The page never waits for a model. Each viewer shows its poster (the hero thumbnail) until the model is drawn;
// model-viewer fetches nothing before the viewer is on screen (loading="lazy"), and a heavy scene's viewer
// (reveal="manual", with a "Show in 3D" button) nothing before the button is pressed, so a judge can score while a
// 1.3-million-triangle scene is still a picture. Rendering stops by itself in a hidden tab (model-viewer draws from
// requestAnimationFrame, which browsers do not run there); animations are paused here too, and played again when
// the tab is back. Without a GPU (a software WebGL renderer: SwiftShader, llvmpipe) the drawing buffer is kept at
// one pixel per CSS pixel: a phone's 3x would cost nine times the work.
(function () {
  "use strict";

  var viewers = Array.prototype.slice.call(document.querySelectorAll("model-viewer[data-viewer]"));
  if (!viewers.length) return;

  // model-viewer loads its meshopt decoder script from the address given here, our own static copy, not a CDN. It
  // reads this configuration when the module runs, which is after this (deferred) script.
  window.ModelViewerElement = window.ModelViewerElement || {};
  window.ModelViewerElement.meshoptDecoderLocation = viewers[0].dataset.meshoptDecoder;

  var SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render/i;

  // Whether WebGL runs on the CPU here, asked from a throwaway context (only on a screen of more than one device
  // pixel per CSS pixel: elsewhere there is nothing to cap).
  function softwareWebGL() {
    var canvas = document.createElement("canvas");
    var gl = canvas.getContext("webgl");
    if (!gl) return false;
    var info = gl.getExtension("WEBGL_debug_renderer_info");
    var name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    var lose = gl.getExtension("WEBGL_lose_context");
    if (lose) lose.loseContext();
    return SOFTWARE_RENDERERS.test(String(name));
  }

  // model-viewer sizes its drawing buffer from window.devicePixelRatio, read on every frame, and has no setting
  // for it: on a software renderer this page reports at most 1.
  if (window.devicePixelRatio > 1 && softwareWebGL()) {
    Object.defineProperty(window, "devicePixelRatio", { configurable: true, value: 1 });
    document.documentElement.setAttribute("data-viewer-pixel-ratio", "1");
  }

  function statusOf(viewer) {
    var next = viewer.nextElementSibling;
    return next && next.hasAttribute("data-viewer-status") ? next : null;
  }

  function say(viewer, text) {
    var status = statusOf(viewer);
    if (status) status.textContent = text;
  }

  function start(viewer, button) {
    button.disabled = true;
    viewer.setAttribute("data-loaded", "loading");
    say(viewer, viewer.dataset.textLoading);
    customElements.whenDefined("model-viewer").then(function () {
      viewer.dismissPoster();
    });
  }

  viewers.forEach(function (viewer) {
    var button = viewer.querySelector("[data-viewer-start]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        start(viewer, button);
      });
    } else {
      say(viewer, viewer.dataset.textLoading);
    }
    viewer.addEventListener("load", function () {
      viewer.setAttribute("data-loaded", "true");
      say(viewer, viewer.dataset.textLoaded);
    });
    viewer.addEventListener("error", function () {
      viewer.setAttribute("data-loaded", "false");
      if (button) button.disabled = false;
      say(viewer, viewer.dataset.textFailed);
    });
  });

  var pausedForHiddenTab = [];
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      viewers.forEach(function (viewer) {
        if (viewer.loaded && viewer.paused === false) {
          viewer.pause();
          pausedForHiddenTab.push(viewer);
        }
      });
    } else {
      pausedForHiddenTab.forEach(function (viewer) {
        viewer.play();
      });
      pausedForHiddenTab = [];
    }
  });
})();
