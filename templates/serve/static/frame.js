/* Size a report frame to its content. The report is the grader's own HTML page,
   script-free and served with a sandbox CSP; allow-same-origin lets this script read
   its height, nothing more. */
(function () {
  "use strict";
  function fit(frame) {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) {
        frame.style.height = (doc.documentElement.scrollHeight + 4) + "px";
      }
    } catch (e) { /* another origin: keep the CSS height */ }
  }
  window.tapegraderFitFrame = fit;
  document.querySelectorAll("iframe.report, iframe#report").forEach(function (frame) {
    frame.addEventListener("load", function () { fit(frame); });
    fit(frame);
  });
  window.addEventListener("resize", function () {
    document.querySelectorAll("iframe.report, iframe#report").forEach(fit);
  });
})();
