"""The feedback cell at the end of a student notebook: the same checks, shown inline.

``show_feedback("ID", globals())`` judges the answers in the student's own namespace at
the visible point, with the same ``check.py`` functions ``grader check`` uses, and
displays a compact panel. It is a convenience for the student while working and
decides nothing: the grade comes from ``grader check``, which runs the notebook in a
sandbox, at hidden points too, and computes every reference outside the kernel.
"""

from __future__ import annotations

from typing import Any, Mapping


def feedback(exercise_id: str, namespace: Mapping[str, Any]) -> Any:
    """The ``GradeResult`` of the visible point for the answers in ``namespace``."""
    from grader.grading import check, extract, grade, points
    from grader import resources
    from grader.authoring import spec as spec_mod
    from grader.results import GradeResult, Run

    spec = spec_mod.find_spec(exercise_id, resources.exercises_dir())
    visible = notebook_point(spec, namespace)
    answers, variables = grade.judged_names(spec)
    observed = extract.observe_namespace(answers + variables, namespace)
    run = Run(label=visible.label, hidden=False, point=points.point_to_json(visible),
              answers=observed)
    checks = check.check_runs([run], [grade.expectations_at(spec, visible)], kind=spec.kind,
                              answers=answers, variables=variables, hints=dict(spec.hints))
    score, max_score = check.total(checks)
    return GradeResult(exercise=spec.id, submission="this notebook", score=score,
                       max_score=max_score, passed=score == max_score, checks=checks,
                       title=spec.title)


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
    from grader.delivery import report
    from grader.errors import GraderError

    try:
        result = feedback(exercise_id, namespace)
    except GraderError as err:
        print(f"The feedback cell could not check this exercise: {err}")
        return
    try:
        from IPython.display import HTML, display
    except ImportError:
        print(report.terminal_summary(result, color=False))
        return
    display(HTML(report.render_inline(result)))
