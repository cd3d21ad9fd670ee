"""Grade one notebook: read it, run it at the visible and hidden points, judge, report.

This is the whole grading pipeline as one function other tools call (the CLI's
``check``, ``batch``, the Gradescope runner). It never raises for anything a
submission does: a notebook that cannot be read, run or judged still ends in a
``GradeResult`` whose ``errors`` say what happened and how to fix it.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from grader.errors import GraderError, NotebookError, UnknownExerciseError
from grader.grading.notebook import (MAX_NOTEBOOK_BYTES, cell_tags, exercise_mismatch,  # noqa: F401
                                     exercise_of, read_notebook)
from grader.results import CheckResult, Execution, GradeResult, Run, RunEnd, Status

if TYPE_CHECKING:
    from grader.authoring.spec import Spec
    from grader.grading.check import Context, Expectation
    from grader.grading.points import Point

# A cell longer than this is stopped; ``grader check --timeout`` bounds the whole run.
DEFAULT_CELL_TIMEOUT = 10.0

# Points at which the one-variable plot samples f.
_PLOT_SAMPLES = 121


def seed_for(data: bytes) -> int:
    """The default hidden-point seed: the submission's content, so a regrade repeats."""
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big")




def _set_parameters(nb: Any, source: str) -> None:
    """The visible run uses the grader's point, whatever the student typed there."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell_tags(cell):
            cell["source"] = source
            return


def _runs_for(execution: Execution, labels: list[tuple[str, bool, dict]]) -> list[Run]:
    """One run per point; points the execution never reached become empty failed runs."""
    runs = list(execution.runs)
    end = execution.end  # why the points below were never reached (RunEnd, as data)
    for label, hidden, point in labels[len(runs):]:
        runs.append(Run(label=label, hidden=hidden, point=point, answers={}, end=end,
                        timed_out=end is RunEnd.TIMED_OUT,
                        kernel_died=end is RunEnd.KERNEL_DIED))
    return runs[: len(labels)]


def _plot(spec: Spec, points: list[Point], expectations: list[dict],
          runs: list[Run]) -> dict | None:
    """Samples of f and the tangents at each point, for one-variable gradient exercises."""
    import numpy as np

    from grader import kinds
    from grader.authoring import expr
    from grader.grading import check

    if not kinds.get(spec.kind).plots_tangents or len(spec.variables) != 1 \
            or len(spec.answers) != 1:
        return None
    var = spec.variables[0].name
    answer = spec.answers[0].name
    xs_at = [float(np.asarray(p.values[var])) for p in points
             if np.asarray(p.values[var]).size == 1]
    if len(xs_at) != len(points):
        return None
    lo, hi = min(xs_at), max(xs_at)
    pad = max(1.0, 0.35 * (hi - lo))
    grid = np.linspace(lo - pad, hi + pad, _PLOT_SAMPLES)
    try:
        f = expr.parse(spec.function, [var])
        with np.errstate(all="ignore"):
            ys = np.asarray(f.evaluate({var: grid}), dtype=np.float64)
            at = [float(np.asarray(f.evaluate({var: np.float64(x)}))) for x in xs_at]
    except Exception:  # a function the plot cannot sample is no reason to fail grading
        return None
    marks = []
    for x, y, point, want, run in zip(xs_at, at, points, expectations, runs):
        obs = run.answers.get(answer)
        got = check.observed_array(obs) if obs is not None else None
        got_slope = float(got.ravel()[0]) if got is not None and got.size == 1 else None
        exp_slope = float(np.asarray(want[answer].value).ravel()[0])
        marks.append({"label": point.label, "x": x, "y": y, "expected_slope": exp_slope,
                      "got_slope": got_slope,
                      "passed": got_slope is not None
                      and bool(np.isclose(got_slope, exp_slope, rtol=spec.tolerance.rtol,
                                          atol=spec.tolerance.atol))})
    return {"variable": var, "function": spec.function, "latex": f.latex(),
            "xs": [float(v) for v in grid],
            "ys": [float(v) if np.isfinite(v) else None for v in ys], "points": marks}


def _loss_curve(spec: Spec, points: list[Point], runs: list[Run]) -> dict | None:
    """The reference loss curve and the student's final loss at the visible point, for
    training exercises (``grader/kinds/training.py`` computes both)."""
    from grader import kinds
    from grader.grading import check

    kind = kinds.get(spec.kind)
    if not hasattr(kind, "loss_curve") or not points or not runs:
        return None
    trained = {}
    for answer in spec.answers:
        if not answer.of:  # a loss value or history, not a trained parameter
            continue
        obs = runs[0].answers.get(answer.name)
        value = check.observed_array(obs) if obs is not None else None
        trained[answer.of[0]] = value
    return kind.loss_curve(spec, points[0].values, trained, losses=runs[0].losses)


def failed_to_grade(submission: str, message: str, *, exercise: str = "",
                    duration_s: float = 0.0,
                    status: Status = Status.FAILED_TO_GRADE) -> GradeResult:
    return GradeResult(exercise=exercise, submission=submission, score=0.0, max_score=0.0,
                       passed=False, errors=[message], duration_s=round(duration_s, 3),
                       status=status, end=RunEnd.REFUSED.value)


def unknown_exercise(submission: str, err: UnknownExerciseError, *,
                     duration_s: float = 0.0) -> GradeResult:
    """The report of a notebook whose exercise id no spec has: it names the id and the
    nearest ids the course knows (README: exit 2, and the report says why)."""
    nearest = ", ".join(err.known) or "none"
    message = (f"this notebook is for exercise {err.exercise!r}, which this course does not "
               f"have (the nearest it has: {nearest})\n  fix: start from the student "
               "notebook the course gave you, or grade it with --exercise ID")
    return failed_to_grade(submission, message, exercise=err.exercise, duration_s=duration_s)


def grade_notebook(path: Path, *, exercise: str | None = None,
                   exercises_dir: Path | None = None, seed: int | None = None,
                   cell_timeout: float = 10.0, total_timeout: float = 60.0,
                   sandbox: str = "auto",
                   warn: Callable[[str], None] | None = None) -> GradeResult:
    """Grade ``path``; never raises for a bad submission (see the module docstring).

    A broken spec or exercise folder, the instructor's side, is raised as
    ``GraderError``: it must not be mistaken for a student's failure. ``warn`` hears
    what deserves a word but changes nothing (``--exercise`` naming another exercise
    than the notebook's metadata).
    """
    path = Path(path)
    started = time.perf_counter()
    try:
        nb, data, exercise_id = open_submission(path, exercise)
    except NotebookError as err:
        return failed_to_grade(path.name, str(err), exercise=exercise or "",
                               duration_s=time.perf_counter() - started)
    mismatch = exercise_mismatch(nb, exercise)
    if mismatch and warn is not None:
        warn(mismatch)
    return grade_parsed(nb, data, exercise_id, submission=path.name,
                        exercises_dir=exercises_dir, seed=seed, cell_timeout=cell_timeout,
                        total_timeout=total_timeout, started=started, sandbox=sandbox)


def open_submission(path: Path, exercise: str | None = None) -> tuple[Any, bytes, str]:
    """(notebook, raw bytes, exercise id), or ``NotebookError`` saying what to fix."""
    nb, data = read_notebook(path)
    return nb, data, exercise_of(nb, path, exercise)


def expectations_at(spec: Spec, point: Point) -> dict[str, Expectation]:
    """What each answer must be at ``point``, with the kind's clues for explaining a
    wrong one: references computed here, never in a kernel."""
    import numpy as np

    from grader import kinds
    from grader.grading import check, reference

    from grader.kinds import tape_target

    values = reference.reference_answers(spec, point.values)
    kind = kinds.get(spec.kind)
    inputs = {k: np.asarray(v, dtype=np.float64) for k, v in point.values.items()}
    return {a.name: check.Expectation(name=a.name, value=values[a.name], dtype=spec.dtype,
                                      tolerance=a.tolerance or spec.tolerance, answer=a,
                                      target=tape_target(spec, a, point.values),
                                      point=point.values,
                                      clues=kind.clues(spec, a, inputs), inputs=inputs)
            for a in spec.answers}


def context_for(spec: Spec, code: list[str]) -> Context:
    """What the checker needs of the spec and the answer code besides the numbers."""
    from grader.grading import check

    return check.Context(kind=spec.kind, hints=dict(spec.hints),
                         params={v.name: v.param for v in spec.variables},
                         scalar={v.name: v.value.ndim == 0 for v in spec.variables},
                         numpy_calls=check.numpy_calls(code), weights=dict(spec.points),
                         code=tuple(code), requires=spec.requires)


def judge(spec: Spec, runs: list[Run], expectations: list[dict[str, Expectation]],
          code: list[str], withheld: Sequence[str] = ()
          ) -> tuple[list[CheckResult], float, float, bool]:
    """(checks, score, max score, passed): the one judging path ``grader check`` and the
    notebook's check cell share, so both give the same verdicts and hints. ``withheld``
    is what the integrity scan found (it withholds the tape check)."""
    from grader.grading import check

    answer_names, variable_names = judged_names(spec)
    checks = check.check_runs(runs, expectations, kind=spec.kind, answers=answer_names,
                              variables=variable_names, withheld=withheld,
                              context=context_for(spec, code))
    score, max_score = check.total(checks)
    return checks, score, max_score, check.passed(checks)


def answer_code(nb: Any) -> list[str]:
    """The code the hidden runs re-run (the cells after the parameters cell, up to the
    check cell): where the answers are computed, scanned for numpy calls."""
    from grader.grading.execute import _plan

    return [step.source for step in _plan(nb)[1]]


def calls_for(spec: Spec) -> tuple[tuple, ...]:
    """The function answers as the extraction calls them (``grader.kernel.calls``):
    (answer, function, parameter names, mode, dtype)."""
    from grader import kinds

    kind = kinds.get(spec.kind)
    return tuple((a.name, a.call, tuple(spec.variable(v).param for v in a.args),
                  kind.call_mode(a), spec.dtype) for a in spec.answers if a.call)


def judged_names(spec: Spec) -> tuple[list[str], list[str]]:
    """The answers to read, and the exercise's variables read alongside to explain a None."""
    answers = [a.name for a in spec.answers]
    return answers, [v.name for v in spec.variables if v.name not in answers]


def grade_parsed(nb: Any, data: bytes, exercise_id: str, *, submission: str,
                 exercises_dir: Path | None, seed: int | None, cell_timeout: float,
                 total_timeout: float, started: float | None = None,
                 kernel: Any = None, sandbox: str = "auto") -> GradeResult:
    """Grade a parsed notebook; ``kernel`` is a handle from ``execute.start_kernel``
    started ahead for this very notebook, else one is started here in ``sandbox``
    (``auto``, ``bwrap`` or ``basic``: see ``grader/sandbox.py``).

    The kernel boots (its own process) while this process computes the references,
    so the two costs overlap instead of adding up.
    """
    from grader.grading import integrity, points as points_mod
    from grader.authoring import render, spec as spec_mod
    from grader import resources
    from grader.grading.execute import Rerun, start_kernel

    started = time.perf_counter() if started is None else started
    try:
        spec = spec_mod.find_spec(exercise_id, exercises_dir or resources.exercises_dir())
    except GraderError as err:
        if kernel is not None:
            kernel.close()
        if isinstance(err, UnknownExerciseError):  # the notebook's side: a report says so
            return unknown_exercise(submission, err, duration_s=time.perf_counter() - started)
        raise
    if kernel is None:
        kernel = start_kernel(nb, total_timeout=total_timeout, submission_name=submission,
                              sandbox=sandbox)
    try:
        seed = seed_for(data) if seed is None else seed
        points = points_mod.grading_points(spec, seed)
        expectations = [expectations_at(spec, point) for point in points]
        visible, hidden = points[0], points[1:]
        # The handle runs this same notebook object, so the edit reaches the kernel.
        _set_parameters(nb, render.parameters_source(spec, visible.values))
        answer_names, variable_names = judged_names(spec)
        reruns = [Rerun(label=p.label, point=points_mod.point_to_json(p),
                        parameters_source=render.parameters_source(spec, p.values))
                  for p in hidden]
    except BaseException:
        kernel.close()
        raise
    execution = kernel.run(answers=answer_names + variable_names,
                           visible_point=points_mod.point_to_json(visible), reruns=reruns,
                           cell_timeout=cell_timeout, calls=calls_for(spec))
    labels = [(p.label, p.hidden, points_mod.point_to_json(p)) for p in points]
    runs = _runs_for(execution, labels)
    findings = integrity.scan_notebook(nb)
    checks, score, max_score, passed = judge(spec, runs, expectations, answer_code(nb),
                                             withheld=[f.describe() for f in findings])
    concerns = findings_and_tampering(findings, runs)
    cell_errors = [e for r in runs[:1] for e in r.errors]
    errors = [execution.fatal] if execution.fatal else []
    status = Status.GRADED
    if runs and runs[0].timed_out or execution.timed_out:
        status = Status.TIMED_OUT
    return GradeResult(
        exercise=spec.id, submission=submission, score=score, max_score=max_score,
        passed=passed, checks=checks, errors=errors,
        duration_s=round(time.perf_counter() - started, 3), cell_errors=cell_errors,
        sandbox=execution.sandbox, title=spec.title, status=status,
        plot=_plot(spec, points, expectations, runs), integrity=concerns,
        loss_curve=_loss_curve(spec, points, runs),
        end=execution.end.value, sandbox_note=execution.sandbox_note)


def findings_and_tampering(findings: list, runs: list[Run]) -> str | None:
    """The report's ``integrity`` text: the scan's findings, then what the kernel saw
    replaced (None when both are clean)."""
    from grader.grading import integrity

    tampered = list(dict.fromkeys(t for run in runs for obs in run.answers.values()
                                  for t in obs.tampered))
    text = integrity.summary(findings)
    if tampered:
        seen = "the kernel saw " + "; ".join(tampered[:3])
        text = f"{text}; {seen}" if text else f"needs review: {seen}"
    return text


def status_of(result: GradeResult) -> Status:
    """``graded``, ``failed-to-grade`` or ``timed-out``, for gradebooks."""
    return result.status


__all__ = ["grade_notebook", "read_notebook", "status_of", "seed_for", "GraderError"]
