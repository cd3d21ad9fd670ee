/* The code editor: a <textarea> (so typing, selection, undo, screen readers and
   forms work as the browser makes them) under a <pre> that shows the same text with
   Python highlighted. Keys: Ctrl/Cmd-Enter fires "editor-run" on the textarea; Tab
   and Shift-Tab indent and dedent; Enter keeps the indentation (one more level after
   a colon); Esc then Tab moves focus on, so the editor never traps the keyboard.
   Shipped with the server, no network: the page's CSP allows only its own scripts. */
(function () {
  "use strict";
  var KEYWORDS = new Set(("False None True and as assert async await break class continue " +
    "def del elif else except finally for from global if import in is lambda nonlocal not " +
    "or pass raise return try while with yield").split(" "));
  var BUILTINS = new Set(("print len range float int list tuple dict set abs sum min max " +
    "zip enumerate isinstance type str bool round sorted map filter").split(" "));
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                     // 1 comment
    "([rRbBuUfF]{0,2}(?:\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|" +
      "\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?))",    // 2 string
    "(\\b\\d[\\d_]*(?:\\.\\d*)?(?:[eE][+-]?\\d+)?j?\\b|\\.\\d+(?:[eE][+-]?\\d+)?\\b)", // 3 number
    "(@[A-Za-z_][\\w.]*)",                                            // 4 decorator
    "([A-Za-z_]\\w*)"                                                 // 5 name
  ].join("|"), "g");
  var INDENT = "    ";

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* Python source -> escaped HTML with <span class="t-X"> around tokens. */
  function highlight(source) {
    var out = "", last = 0, match, cls;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(source)) !== null) {
      if (match[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(source.slice(last, match.index));
      if (match[1]) cls = "c";
      else if (match[2]) cls = "s";
      else if (match[3]) cls = "n";
      else if (match[4]) cls = "d";
      else if (KEYWORDS.has(match[5])) cls = "k";
      else if (BUILTINS.has(match[5])) cls = "b";
      else if (match[5] === "tf") cls = "m";
      else cls = "";
      out += cls ? '<span class="t-' + cls + '">' + escapeHtml(match[0]) + "</span>"
                 : escapeHtml(match[0]);
      last = TOKEN.lastIndex;
    }
    return out + escapeHtml(source.slice(last)) + "\n";
  }

  function insert(area, text) {
    area.focus();
    // insertText keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input"));
    }
  }

  function lineStart(value, at) { return value.lastIndexOf("\n", at - 1) + 1; }

  function dedent(area) {
    var value = area.value, start = lineStart(value, area.selectionStart);
    var spaces = /^ {1,4}/.exec(value.slice(start));
    if (!spaces) return;
    area.focus();
    area.setSelectionRange(start, start + spaces[0].length);
    if (!document.execCommand || !document.execCommand("delete", false)) {
      area.setRangeText("", start, start + spaces[0].length, "end");
      area.dispatchEvent(new Event("input"));
    }
  }

  function attach(area) {
    var wrap = area.parentNode, view = wrap.querySelector("code");
    var escaped = false;
    function paint() { view.innerHTML = highlight(area.value); }
    function sync() {
      wrap.querySelector("pre").scrollTop = area.scrollTop;
      wrap.querySelector("pre").scrollLeft = area.scrollLeft;
    }
    area.addEventListener("input", function () { paint(); sync(); });
    area.addEventListener("scroll", sync);
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.dispatchEvent(new CustomEvent("editor-run", { bubbles: true }));
        return;
      }
      if (event.key === "Escape") { escaped = true; return; }
      if (event.key === "Tab" && !escaped && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        if (event.shiftKey) dedent(area); else insert(area, INDENT);
      } else if (event.key === "Enter" && !event.shiftKey) {
        var value = area.value, at = area.selectionStart;
        var line = value.slice(lineStart(value, at), at);
        var indent = /^ */.exec(line)[0];
        if (/:\s*$/.test(line)) indent += INDENT;
        event.preventDefault();
        insert(area, "\n" + indent);
      }
      if (event.key !== "Shift") escaped = false;
    });
    wrap.classList.add("ready");
    paint();
  }

  window.tapegraderEditor = { highlight: highlight, attach: attach };
  document.querySelectorAll(".editor textarea").forEach(attach);
})();
