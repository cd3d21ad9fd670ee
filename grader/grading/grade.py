"""Grade one notebook: read it, run it at the visible and hidden points, judge, report.

This is the pipeline of DESIGN.md as one function other tools call (the CLI's
``check``, ``batch``, the Gradescope runner). It never raises for anything a
submission does: a notebook that cannot be read, run or judged still ends in a
``GradeResult`` whose ``errors`` say what happened and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from grader.errors import GraderError, NotebookError
from grader.results import Execution, GradeResult, Run, RunEnd

# A notebook larger than this is refused before parsing: no exercise needs it, and
# reading a huge JSON file is itself a way to stall the grader.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

# A cell longer than this is stopped; ``grader check --timeout`` bounds the whole run.
DEFAULT_CELL_TIMEOUT = 10.0

# Points at which the one-variable plot samples f.
_PLOT_SAMPLES = 121


def seed_for(data: bytes) -> int:
    """The default hidden-point seed: the submission's content, so a regrade repeats."""
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big")


def read_notebook(path: Path) -> tuple[Any, bytes]:
    """Parse a submission, with errors a student can act on."""
    import nbformat

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError("no such file", path=str(path),
                            fix="check the path to the notebook") from None
    except OSError as err:
        raise NotebookError(f"cannot read the file: {err.strerror}", path=str(path)) from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(
            f"the notebook is {len(data) / 2**20:.0f} MB, over the "
            f"{MAX_NOTEBOOK_BYTES // 2**20} MB limit", path=str(path),
            fix="clear the outputs (Kernel > Restart & Clear Output) and save again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise NotebookError(f"not UTF-8 text (byte {err.start})", path=str(path),
                            fix="save the notebook from Jupyter again") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(f"not valid JSON: {err.msg}", path=str(path),
                            where=f"line {err.lineno}, column {err.colno}",
                            fix="the file is damaged: download the notebook again from "
                                "Jupyter (File > Download > .ipynb)") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise NotebookError("JSON, but not a Jupyter notebook (no cells)", path=str(path),
                            fix="submit the .ipynb file of the exercise")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many kinds for broken structure
        raise NotebookError(f"not a readable notebook: {err}", path=str(path),
                            fix="open it in Jupyter, save it, and submit again") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError("the notebook has no list of cells", path=str(path))
    return nb, data


def exercise_of(nb: Any, path: Path, override: str | None) -> str:
    if override:
        return override
    meta = nb.get("metadata", {}).get("grader", {})
    exercise = meta.get("exercise") if isinstance(meta, dict) else None
    if not isinstance(exercise, str) or not exercise:
        raise NotebookError(
            "the notebook does not say which exercise it is (no metadata.grader.exercise)",
            path=str(path),
            fix="start from the student notebook the course gave you, or pass "
                "--exercise ID")
    return exercise


def _tags(cell: Any) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _set_parameters(nb: Any, source: str) -> None:
    """The visible run uses the grader's point, whatever the student typed there."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in _tags(cell):
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


def _plot(spec: Any, points: list[Any], expectations: list[dict], runs: list[Run]) -> dict | None:
    """Samples of f and the tangents at each point, for one-variable gradient exercises."""
    import numpy as np

    from grader.grading import check

    from grader.authoring import expr

    if spec.kind != "gradient" or len(spec.variables) != 1 or len(spec.answers) != 1:
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


def failed_to_grade(submission: str, message: str, *, exercise: str = "",
                    duration_s: float = 0.0, status: str = "failed-to-grade") -> GradeResult:
    return GradeResult(exercise=exercise, submission=submission, score=0.0, max_score=0.0,
                       passed=False, errors=[message], duration_s=round(duration_s, 3),
                       status=status, end=RunEnd.REFUSED.value)


def grade_notebook(path: Path, *, exercise: str | None = None,
                   exercises_dir: Path | None = None, seed: int | None = None,
                   cell_timeout: float = 10.0, total_timeout: float = 60.0,
                   sandbox: str = "auto") -> GradeResult:
    """Grade ``path``; never raises for a bad submission (see the module docstring).

    A broken spec or exercise folder, the instructor's side, is raised as
    ``GraderError``: it must not be mistaken for a student's failure.
    """
    path = Path(path)
    started = time.perf_counter()
    try:
        nb, data, exercise_id = open_submission(path, exercise)
    except NotebookError as err:
        return failed_to_grade(path.name, str(err), exercise=exercise or "",
                               duration_s=time.perf_counter() - started)
    return grade_parsed(nb, data, exercise_id, submission=path.name,
                        exercises_dir=exercises_dir, seed=seed, cell_timeout=cell_timeout,
                        total_timeout=total_timeout, started=started, sandbox=sandbox)


def open_submission(path: Path, exercise: str | None = None) -> tuple[Any, bytes, str]:
    """(notebook, raw bytes, exercise id), or ``NotebookError`` saying what to fix."""
    nb, data = read_notebook(path)
    return nb, data, exercise_of(nb, path, exercise)


def expectations_at(spec: Any, point: Any) -> dict[str, Any]:
    """What each answer must be at ``point``: references computed here, never in a kernel."""
    from grader.grading import check, reference

    values = reference.reference_answers(spec, point.values)
    return {a.name: check.Expectation(name=a.name, value=values[a.name], dtype=spec.dtype,
                                      tolerance=spec.tolerance)
            for a in spec.answers}


def judged_names(spec: Any) -> tuple[list[str], list[str]]:
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
    from grader.grading import check, points as points_mod
    from grader.authoring import render, spec as spec_mod
    from grader import resources
    from grader.grading.execute import Rerun, start_kernel

    started = time.perf_counter() if started is None else started
    try:
        spec = spec_mod.find_spec(exercise_id, exercises_dir or resources.exercises_dir())
    except GraderError:
        if kernel is not None:
            kernel.close()
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
                           cell_timeout=cell_timeout)
    labels = [(p.label, p.hidden, points_mod.point_to_json(p)) for p in points]
    runs = _runs_for(execution, labels)
    checks = check.check_runs(runs, expectations, kind=spec.kind, answers=answer_names,
                              variables=variable_names, hints=dict(spec.hints))
    score, max_score = check.total(checks)
    cell_errors = [e for r in runs[:1] for e in r.errors]
    errors = [execution.fatal] if execution.fatal else []
    status = "graded"
    if runs and runs[0].timed_out or execution.timed_out:
        status = "timed-out"
    return GradeResult(
        exercise=spec.id, submission=submission, score=score, max_score=max_score,
        passed=bool(checks) and score == max_score, checks=checks, errors=errors,
        duration_s=round(time.perf_counter() - started, 3), cell_errors=cell_errors,
        sandbox=execution.sandbox, title=spec.title, status=status,
        plot=_plot(spec, points, expectations, runs), end=execution.end.value,
        sandbox_note=execution.sandbox_note)


def status_of(result: GradeResult) -> str:
    """``graded``, ``failed-to-grade`` or ``timed-out``, for gradebooks."""
    return result.status


__all__ = ["grade_notebook", "read_notebook", "status_of", "seed_for", "GraderError"]
