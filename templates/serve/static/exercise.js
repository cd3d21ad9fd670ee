/* The exercise page: Check (button or Ctrl/Cmd-Enter) sends the editor's code to
   POST /api/exercises/ID/check with the CSRF token, shows the queue position while it
   waits, then the report (the grader's HTML report, in a sandboxed frame) and a new
   line in the history. "Upload a notebook" sends the file to POST /api/check. Every
   text from the server is set with textContent, never as markup. */
(function () {
  "use strict";
  var root = document.querySelector(".exercise");
  if (!root) return;
  var exercise = root.dataset.exercise;
  var area = document.getElementById("code");
  var button = document.getElementById("check");
  var statusLine = document.getElementById("status");
  var result = document.getElementById("result");
  var summary = document.getElementById("summary");
  var frame = document.getElementById("report");
  var history = document.getElementById("history");
  var upload = document.getElementById("upload");
  var busy = false;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var match = /(?:^|; )csrf_token=([^;]*)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : (meta ? meta.content : "");
  }

  function say(text) { statusLine.textContent = text; }

  function pollQueue() {
    var timer = setInterval(function () {
      fetch("/api/queue", { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (q) {
          if (!busy) return;
          if (q.position === 0) say("Grading your answer…");
          else if (q.position) say("In the queue: position " + q.position + " of " + q.queued + ".");
        }).catch(function () {});
    }, 1000);
    return function () { clearInterval(timer); };
  }

  function points(x) { return (Math.round(x * 100) / 100).toString(); }

  function show(report) {
    var failed = (report.checks || []).filter(function (c) { return !c.passed; });
    var text;
    if (report.passed) {
      text = "✓ Passed: " + points(report.score) + " / " + points(report.max_score) + " points.";
    } else if (report.status !== "graded" && !(report.checks || []).length) {
      text = "✗ Not graded: " + ((report.errors || [])[0] || report.status);
    } else {
      text = "✗ " + points(report.score) + " / " + points(report.max_score) + " points: " +
        failed.length + " of " + report.checks.length + " checks failed.";
      var hinted = failed.filter(function (c) { return c.hint; })[0];
      if (hinted) text += " Hint: " + hinted.hint;
    }
    summary.textContent = text;
    summary.className = report.passed ? "ok" : "no";
    result.hidden = false;
    frame.src = report.report_url;
    var none = history.querySelector(".none");
    if (none) none.remove();
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "/attempts/" + report.attempt_id;
    link.textContent = "Attempt " + report.attempt_id;
    item.appendChild(link);
    item.appendChild(document.createTextNode(" · just now · " + (report.passed ? "✓ passed" :
      points(report.score) + " / " + points(report.max_score))));
    history.insertBefore(item, history.firstChild);
    say("");
    document.getElementById("result-heading").focus();
  }

  function send(url, body, type) {
    if (busy) return;
    busy = true;
    button.disabled = true;
    say("Checking…");
    var stop = pollQueue();
    fetch(url, { method: "POST", credentials: "same-origin", body: body,
                 headers: { "Content-Type": type, "X-CSRF-Token": csrf() } })
      .then(function (response) {
        return response.json().then(function (data) { return [response, data]; });
      })
      .then(function (pair) {
        var response = pair[0], data = pair[1];
        if (response.ok) { show(data); return; }
        var wait = response.headers.get("Retry-After");
        say((data.error || ("the server answered " + response.status)) +
            (response.status === 429 && wait && data.reason === "queue-full" ?
             " (" + data.queued + " attempts are waiting.)" : ""));
      })
      .catch(function () { say("The server could not be reached: check again in a moment."); })
      .then(function () { stop(); busy = false; button.disabled = false; });
  }

  function check() {
    var limit = Number(root.dataset.maxCode || 0);
    if (limit && new Blob([area.value]).size > limit) {
      say("Your code is over the size limit (" + Math.round(limit / 1024) + " KB).");
      return;
    }
    send("/api/exercises/" + encodeURIComponent(exercise) + "/check",
         JSON.stringify({ code: area.value }), "application/json");
  }

  button.addEventListener("click", check);
  area.addEventListener("editor-run", check);
  upload.addEventListener("change", function () {
    var file = upload.files[0];
    if (!file) return;
    file.arrayBuffer().then(function (data) {
      send("/api/check?exercise=" + encodeURIComponent(exercise), data,
           "application/x-ipynb+json");
      upload.value = "";
    });
  });
})();
