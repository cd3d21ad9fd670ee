"""The feedback cell at the end of a student notebook: the same checks, shown inline.

``show_feedback("ID", globals())`` judges the answers in the student's own namespace at
the visible point through ``grade.judge``, the very function ``grader check`` uses, so
the cell and the grader give the same verdicts and hints for the visible point. It is
a convenience for the student while working and decides nothing: the grade comes from
``grader check``, which runs the notebook in a sandbox, at hidden points too, and
computes every reference outside the kernel.

What ``grader check`` learns from running the cells, the cell reads from IPython: the
last error a cell raised (if that cell has not run cleanly since) and the code of the
cells run so far (for the numpy-in-the-tape explanation). The panel is displayed as
HTML with a plain-text twin, so a front end that shows no HTML prints readable text.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Mapping

from grader.results import CellError, GradeResult

# The MIME type the panel also carries: the result as JSON, for tools and tests.
RESULT_MIME = "application/vnd.tapegrader.result+json"


def _last_error(namespace: Mapping[str, Any]) -> tuple[CellError, ...]:
    """The error the last failing cell raised, unless that cell's code has since run
    again (and so succeeded: IPython records only failures)."""
    value = getattr(sys, "last_value", None)
    if value is None:
        return ()
    history = namespace.get("In")
    source, count = "", None
    try:
        from IPython import get_ipython

        shell = get_ipython()
        filenames = getattr(getattr(shell, "compile", None), "_filename_map", {}) or {}
        tb = getattr(value, "__traceback__", None)
        while tb is not None:
            count = filenames.get(tb.tb_frame.f_code.co_filename, count)
            tb = tb.tb_next
        if count is None and isinstance(value, SyntaxError):
            count = filenames.get(value.filename)
    except Exception:
        pass
    if isinstance(history, list) and count is not None and 0 < count < len(history):
        source = history[count]
        if any(h == source for h in history[count + 1:]):
            return ()  # the same code ran again later, without an error
    return (CellError(cell_index=-3 if count is None else count - 1, tag=None,
                      ename=type(value).__name__, evalue=str(value), traceback="",
                      source=source),)


def _code(namespace: Mapping[str, Any], parameters: str) -> list[str]:
    """The code run since the parameters cell last ran, without this check cell: what
    ``grader check`` re-runs at hidden points, as IPython's history holds it."""
    history = namespace.get("In")
    if not isinstance(history, list):
        return []
    cells = [h for h in history if isinstance(h, str)]
    marker = parameters.splitlines()[0] if parameters else ""
    starts = [i for i, h in enumerate(cells) if marker and h.startswith(marker)]
    since = cells[starts[-1] + 1:] if starts else cells
    return [h for h in since if "show_feedback(" not in h]


def feedback(exercise_id: str, namespace: Mapping[str, Any]) -> GradeResult:
    """The ``GradeResult`` of the visible point for the answers in ``namespace``."""
    from grader import resources
    from grader.authoring import render, spec as spec_mod
    from grader.grading import extract, grade, points
    from grader.results import Run
    from grader.tape import provenance

    spec = spec_mod.find_spec(exercise_id, resources.exercises_dir())
    visible = notebook_point(spec, namespace)
    answers, variables = grade.judged_names(spec)
    observed = extract.observe_namespace(answers + variables, namespace,
                                         calls=grade.calls_for(spec))
    run = Run(label=visible.label, hidden=False, point=points.point_to_json(visible),
              answers=observed, errors=_last_error(namespace))
    with provenance.paused():
        expectations = grade.expectations_at(spec, visible)
    parameters = render.parameters_source(spec, visible.values)
    checks, score, max_score, passed = grade.judge(spec, [run], [expectations],
                                                   _code(namespace, parameters))
    return GradeResult(exercise=spec.id, submission="this notebook", score=score,
                       max_score=max_score, passed=passed, checks=checks, title=spec.title)


class Panel:
    """The feedback as Jupyter shows it: HTML, plain text, and the JSON result."""

    def __init__(self, result: GradeResult):
        self.result = result

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from grader.delivery import report

        return {"text/html": report.render_inline(self.result),
                "text/plain": self.text(), RESULT_MIME: self.result.to_json()}

    def text(self) -> str:
        from grader.delivery import report

        return report.inline_text(self.result)

    def __repr__(self) -> str:
        return self.text()


def notebook_point(spec: Any, namespace: Mapping[str, Any]) -> Any:
    """The point the notebook's parameters cell set, else the spec's visible point.

    papermill (``-p x0 3.0``) and a student trying another value both change the
    parameters; the panel judges the answers at the point they were computed at.
    """
    import numpy as np

    from grader.grading import points

    visible = points.visible_point(spec)
    values = {}
    for var in spec.variables:
        default = visible.values[var.name]
        try:
            given = np.asarray(namespace.get(var.param, default), dtype=default.dtype)
        except (TypeError, ValueError):
            given = default
        values[var.name] = given if given.shape == default.shape else default
    if all(np.array_equal(values[k], visible.values[k]) for k in values):
        return visible
    return points.Point("point in the parameters cell", False, values)


def show_feedback(exercise_id: str, namespace: Mapping[str, Any]) -> None:
    """Display the feedback panel under the cell (plain text outside Jupyter)."""
    from grader.errors import GraderError

    try:
        result = feedback(exercise_id, namespace)
    except GraderError as err:
        print(f"The feedback cell could not check this exercise: {err}")
        return
    try:
        from IPython.display import display
    except ImportError:
        print(Panel(result).text())
        return
    display(Panel(result))
