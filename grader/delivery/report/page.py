"""The HTML report a student reads: what passed, what did not, and how to fix it.

``page_model`` gathers plain strings and numbers from a ``GradeResult``;
``templates/report/report.html.j2`` lays them out with autoescaping on, so nothing from
the notebook is ever markup. The page is one self-contained file: inline CSS, an
inline SVG plot, no scripts, nothing fetched.
"""

from __future__ import annotations

import math
from typing import Any

from grader.delivery.report.loss_plot import loss_model
from grader.delivery.report.matrix import grids
from grader.delivery.report.plot import plot_model
from grader.delivery.report.text import (clean, failed_checks, format_pair, format_points, one_line,
                                shorten, tail, verdict)
from grader.results import GradeResult

# Longest message, hint or error shown; longest cell source and traceback.
_TEXT, _CODE = 2000, 20000

# How the report names the cells the exercise tags (the tags render.py writes).
_CELL_ROLES = {
    "answer": "your answer cell",
    "parameters": "the cell that sets the point",
    "setup": "the setup cell with the imports",
}


def _percent(score: float, max_score: float) -> int:
    if not (isinstance(score, (int, float)) and isinstance(max_score, (int, float))):
        return 0
    if not (math.isfinite(score) and math.isfinite(max_score)) or max_score <= 0:
        return 0
    return int(round(min(max(score / max_score, 0.0), 1.0) * 100))


def _check_row(index: int, check: Any) -> dict[str, Any]:
    expected, got = format_pair(check.expected, check.got)
    return {
        "matrix": grids(check.expected, check.got, passed=bool(check.passed)),
        "id": f"check-{index}",
        "name": one_line(check.name, 300),
        "passed": bool(check.passed),
        "hidden": bool(check.hidden),
        "point_label": one_line(check.point_label, 100),
        "expected": expected,
        "got": got,
        "show_values": check.expected is not None or check.got is not None,
        "show_expected": check.expected is not None,
        "message": shorten(clean(check.message), _TEXT),
        "hint": shorten(clean(check.hint), _TEXT),
        "score": format_points(check.score),
        "max_score": format_points(check.max_score),
    }


def _cell_error(err: Any) -> dict[str, Any]:
    """A cell that raised, named as the notebook shows it (number and tag) in the
    heading, the message and the traceback alike: never ``In[1]`` or ``NNNN.py``."""
    from grader.grading.check import clean_evalue, clean_traceback

    index = err.cell_index
    where = f"Cell {index + 1}" if isinstance(index, int) and index >= 0 else "A cell"
    role = _CELL_ROLES.get(err.tag or "")
    named = err.where[:1].upper() + err.where[1:]
    return {
        "where": f"{where} ({role})" if role else where,
        "ename": one_line(err.ename, 200) or "Error",
        "evalue": shorten(clean_evalue(clean(err.evalue)), _TEXT),
        "source": shorten(clean(err.source).strip("\n"), _CODE),
        "traceback": tail(clean_traceback(clean(err.traceback), named).strip("\n"), _CODE),
    }


def page_model(result: GradeResult) -> dict[str, Any]:
    """The strings and numbers ``report.html.j2`` shows, all cleaned of control codes."""
    rows = [_check_row(i, c) for i, c in enumerate(result.checks, start=1)]
    failed = [r for r in rows if not r["passed"]]
    return {
        "title": one_line(result.title, 200) or one_line(result.exercise, 200)
        or one_line(result.submission, 200) or "Autograder report",
        "exercise": one_line(result.exercise, 200),
        "submission": one_line(result.submission, 300),
        "verdict": verdict(result),
        "score": format_points(result.score),
        "max_score": format_points(result.max_score),
        "percent": _percent(result.score, result.max_score),
        "checks": rows,
        "failed": failed,
        "hidden_failed": [r for r in failed if r["hidden"]],
        "n_failed": len(failed_checks(result)),
        "errors": [shorten(clean(e), _TEXT) for e in result.errors],
        "cell_errors": [_cell_error(e) for e in result.cell_errors],
        "plot": plot_model(result.plot),
        "loss_plot": loss_model(getattr(result, "loss_curve", None)),
        "duration": f"{result.duration_s:.2f} s" if isinstance(result.duration_s, (int, float))
        and math.isfinite(result.duration_s) else "",
        "sandbox": one_line(result.sandbox + (f" ({result.sandbox_note})" if getattr(
            result, "sandbox_note", None) else ""), 300),
        "integrity": one_line(clean(result.integrity.removeprefix("needs review: ")), _TEXT)
        if result.integrity else "",
        "status": one_line(getattr(result, "status", "graded"), 40),
    }


def render_html(result: GradeResult) -> str:
    """The whole report page for one submission, as a string."""
    from grader.delivery.report.templates import environment

    return environment("html").get_template("report.html.j2").render(page=page_model(result))


def render_inline(result: GradeResult) -> str:
    """The compact panel the notebook's check cell shows under itself (no page chrome)."""
    from grader.delivery.report.templates import environment

    return environment("html").get_template("inline.html.j2").render(page=page_model(result))
