"""2-D answers (a Jacobian, a Hessian) laid out as grids, expected beside got.

On one line ``[[7.0, 2.0, 3.0], … (3 items in all)]`` hides the very mistake a matrix
answer invites: a transpose, rows and columns swapped. Drawn as aligned grids, with
the entries that differ marked, it shows at a glance. The HTML page (``page.py``) and
the terminal summary (``terminal.py``) both take their grids from here, so they mark
the same entries.
"""

from __future__ import annotations

import math
from typing import Any

from grader.delivery.report.text import format_value

# Larger matrices are shown as text, as any other long value: a grid past this size
# helps no one read it, on a phone least of all.
MAX_ROWS, MAX_COLS = 8, 8
# Entries closer than this are not marked as different (the check's own tolerance
# decided the verdict; this only guides the eye).
_RTOL, _ATOL = 1e-4, 1e-6
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _entry(v: Any) -> float | None:
    if isinstance(v, str):
        return _SPECIAL.get(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def as_matrix(value: Any) -> list[list[float]] | None:
    """``value`` as rows of numbers when it is a 2-D array of a size worth a grid."""
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= MAX_ROWS:
        return None
    if not all(isinstance(r, (list, tuple)) for r in value):
        return None
    width = len(value[0])
    if not 1 <= width <= MAX_COLS or any(len(r) != width for r in value):
        return None
    rows = [[_entry(v) for v in r] for r in value]
    if any(v is None for r in rows for v in r):
        return None
    # A 1×n or n×1 matrix has no transpose to spot: its line of text says it all.
    return rows if len(rows) > 1 and width > 1 else None


def _differs(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return not (math.isnan(a) and math.isnan(b))
    if math.isinf(a) or math.isinf(b):
        return a != b
    return not math.isclose(a, b, rel_tol=_RTOL, abs_tol=_ATOL)


def grids(expected: Any, got: Any, *, passed: bool) -> dict[str, Any] | None:
    """Both grids as text cells, or None unless ``got`` is a matrix (and ``expected``
    is one too, or absent). ``off`` marks a got entry that differs from the expected
    one at the same place; a failed check whose shapes differ marks nothing."""
    got_rows = as_matrix(got)
    want_rows = as_matrix(expected) if expected is not None else None
    if got_rows is None or (expected is not None and want_rows is None):
        return None
    same_shape = want_rows is not None and len(want_rows) == len(got_rows) \
        and len(want_rows[0]) == len(got_rows[0])

    def cells(rows: list[list[float]], compare: bool) -> list[list[dict[str, Any]]]:
        return [[{"text": format_value(v, limit=20),
                  "off": compare and not passed and same_shape
                  and _differs(v, want_rows[i][j])}
                 for j, v in enumerate(row)] for i, row in enumerate(rows)]

    return {
        "expected": cells(want_rows, False) if want_rows is not None else None,
        "got": cells(got_rows, True),
        "n_off": sum(c["off"] for row in cells(got_rows, True) for c in row),
        "shape": f"{len(got_rows)} × {len(got_rows[0])}",
    }


def _widths(*blocks: list[list[dict[str, Any]]]) -> list[int]:
    """Each column's width, the widest entry of that column in any of ``blocks``."""
    return [max(len(r[j]["text"]) for rows in blocks for r in rows)
            for j in range(len(blocks[0][0]))]


def _text_block(rows: list[list[dict[str, Any]]], widths: list[int], paint) -> list[str]:
    """``[ a  b ]`` lines, each column right-aligned to ``widths``."""
    return ["[ " + "  ".join(paint(c["text"].rjust(w), c["off"]) for c, w in zip(row, widths))
            + " ]" for row in rows]


def terminal_lines(expected: Any, got: Any, *, passed: bool, mark=None,
                   side_by_side_width: int = 100) -> list[str] | None:
    """The grids as plain lines for the terminal (expected left, got right; one above
    the other when both would not fit ``side_by_side_width``). ``mark(text)`` paints a
    differing entry (a colour), else entries are only aligned."""
    model = grids(expected, got, passed=passed)
    if model is None:
        return None

    def paint(text: str, off: bool) -> str:
        return mark(text) if off and mark is not None else text

    if model["expected"] is None:
        return ["your answer:"] + _text_block(model["got"], _widths(model["got"]), paint)
    same = len(model["expected"][0]) == len(model["got"][0])
    got_widths = _widths(model["expected"], model["got"]) if same else _widths(model["got"])
    want_widths = got_widths if same else _widths(model["expected"])
    got_lines = _text_block(model["got"], got_widths, paint)
    want_lines = _text_block(model["expected"], want_widths, lambda t, off: t)
    want_width = sum(want_widths) + 2 * (len(want_widths) - 1) + 4
    got_width = sum(got_widths) + 2 * (len(got_widths) - 1) + 4
    if want_width + 3 + got_width > side_by_side_width or len(want_lines) != len(got_lines):
        return ["expected:"] + want_lines + ["your answer:"] + got_lines
    return (["expected".ljust(want_width) + "   your answer"]
            + [w.ljust(want_width) + "   " + g for w, g in zip(want_lines, got_lines)])
