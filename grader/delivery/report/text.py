"""Turning result values and notebook text into something safe and readable.

Every report format shows strings that a student's notebook controls (exception
messages, tracebacks, the submission's file name). Here they lose terminal escape codes
and control characters, which could recolour a terminal, break an XML file or forge a
line in a CI log, and values are formatted the same way in every format.
"""

from __future__ import annotations

import math
import re
from typing import Any

from grader.results import GradeResult

# CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks), and any
# other two-byte escape: everything a traceback from IPython may carry.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
# Control characters other than tab and newline, DEL and the C1 block, and lone
# surrogates (which no UTF-8 file can hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")

# How many characters of one value a report shows before it says how long it was.
MAX_VALUE_CHARS = 300


def clean(text: Any) -> str:
    """``text`` as a string without escape codes or control characters (newlines kept)."""
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n")
    text = _ANSI.sub("", text)
    return _CONTROL.sub(lambda m: "\n" if m.group() == "\r" else "\ufffd"
                        if "\ud800" <= m.group() <= "\udfff" else "", text)


def one_line(text: Any, limit: int | None = None) -> str:
    """``clean(text)`` on a single line (for terminals, logs and table cells)."""
    flat = _SPACES.sub(" ", clean(text)).strip()
    return shorten(flat, limit) if limit else flat


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """At most about ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text):,} characters in all)"


def tail(text: str, limit: int) -> str:
    """The last ``limit`` characters (a traceback's end is where the error is)."""
    if len(text) <= limit:
        return text
    return f"… ({len(text) - limit:,} earlier characters left out)\n{text[-limit:]}"


def _number(v: float, digits: int) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = f"{v:.{digits}g}"
    # A float looks like one: 6.0, not 6 (and 1.0000001 at 7 digits reads "1.0").
    return text + ".0" if text.lstrip("-").isdigit() else text


def _value(v: Any, digits: int, budget: int = MAX_VALUE_CHARS) -> str:
    """``v`` as text; a list stops, saying how long it was, past ``budget`` characters."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return _number(float(v), digits)
    if isinstance(v, (list, tuple)):
        parts: list[str] = []
        used = 0
        for i, x in enumerate(v):
            item = _value(x, digits, budget - used)
            # Room is kept for the closing remark, so the list ends visibly.
            if parts and used + len(item) > budget - 30 and i < len(v) - 1:
                return "[" + ", ".join(parts) + f", … ({len(v):,} items in all)]"
            parts.append(item)
            used += len(item) + 2
        return "[" + ", ".join(parts) + "]"
    if isinstance(v, dict) and {"shape", "first"} <= set(v):
        # check.shown()'s summary of a large array.
        shape = " × ".join(str(n) for n in v.get("shape") or []) or "?"
        first = ", ".join(_value(x, digits) for x in v.get("first") or [])
        text = f"array of shape {shape}: {first}, …"
        if v.get("min") is not None or v.get("max") is not None:
            text += f" (min {_value(v.get('min'), digits)}, max {_value(v.get('max'), digits)})"
        return text
    if isinstance(v, dict):
        return "{" + ", ".join(f"{clean(k)}: {_value(x, digits)}" for k, x in v.items()) + "}"
    return clean(v)


def format_value(v: Any, *, limit: int = MAX_VALUE_CHARS) -> str:
    """An expected or received value as people read it: ``6.0``, ``[1.5, nan]``, ``None``.

    Floats show 7 significant digits, the honest precision of float32 answers.
    """
    return shorten(_value(v, 7, limit), limit)


def format_pair(expected: Any, got: Any, *, limit: int = MAX_VALUE_CHARS) -> tuple[str, str]:
    """Both values, with more digits when 7 would make two different values look equal."""
    for digits in (7, 9, 17):
        e, g = _value(expected, digits, limit), _value(got, digits, limit)
        if e != g or expected == got:
            break
    return shorten(e, limit), shorten(g, limit)


def format_points(x: float) -> str:
    """A score as a person writes it: ``5``, ``4.5``, ``0.33``."""
    if not isinstance(x, (int, float)) or not math.isfinite(x):
        return clean(x)
    return f"{round(float(x), 2):g}"


def failed_checks(result: GradeResult) -> list[Any]:
    return [c for c in result.checks if not c.passed]


def verdict(result: GradeResult) -> str:
    """One word a gradebook, a log or a screen reader can use."""
    if result.passed:
        return "passed"
    if not result.checks or getattr(result, "status", "graded") == "failed-to-grade":
        return "not graded"
    return "failed"
