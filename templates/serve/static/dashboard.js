/* Keep the instructor's gradebook live: fetch the server-rendered (escaped) table
   every few seconds and swap it in, unless the keyboard focus is inside it. */
(function () {
  "use strict";
  var box = document.getElementById("gradebook");
  if (!box) return;
  setInterval(function () {
    if (document.hidden || box.contains(document.activeElement)) return;
    fetch("/instructor/gradebook", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && html !== box.innerHTML) box.innerHTML = html; })
      .catch(function () {});
  }, 3000);
})();
