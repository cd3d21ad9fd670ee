"""``grader validate``: an exercise is ready for students only when every route agrees.

For each exercise: the spec loads (schema, function language, defined at the point);
the reference answers at the visible point and at the hidden points agree with finite
differences; the spec's ``expected`` values agree with the reference; the solution
(``solutions/ID.py``), run in-process on the engine after the parameters cell, gives
the reference answers in the required dtype at every point; the untouched starter
does not; and both notebooks render and pass ``nbformat.validate``.

Solutions and starters are instructor code, so running them here (without a kernel)
is fine; student code never comes near this module.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any, Mapping, TextIO

import numpy as np

from grader.errors import GraderError, SpecError
from grader.grading.points import Point, grading_points
from grader.grading.reference import check_expected, reference_answers
from grader.authoring.render import parameters_source, render_solution, render_student, solution_source
from grader.authoring.spec import Spec, exercise_ids, find_spec, format_value

VALIDATION_SEED = 0


def run_answer_code(spec: Spec, code: str, values: Mapping[str, Any], *,
                    tf: Any = None) -> dict[str, Any]:
    """Run the setup, parameters and ``code`` cells in a fresh namespace on the engine
    (or on the module ``tf``, e.g. real TensorFlow in the oracle tests) and return the
    namespace. Output and warnings are swallowed (the integer starter warns on purpose)."""
    if tf is None:
        import grader.tape as tf

    namespace: dict[str, Any] = {"tf": tf, "__name__": "__answer__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(parameters_source(spec, values), "<parameters>", "exec"), namespace)
        exec(compile(code, f"<answer of {spec.id}>", "exec"), namespace)
    return namespace


def judge_answers(spec: Spec, namespace: Mapping[str, Any], reference: Mapping[str, np.ndarray]
                  ) -> list[str]:
    """What is wrong with the answers in ``namespace`` (empty when all are right).

    The same reading (``extract``) and the same value and dtype checks (``check``) as
    ``grader check``, so validation cannot pass what grading would fail. Whether the
    tape produced the values is left to the notebook runs of ``check_notebooks``.
    """
    from grader.grading import check, extract
    from grader.results import Run

    from grader.grading.grade import calls_for

    answers = [a.name for a in spec.answers]
    observed = extract.observe_namespace(answers, namespace, calls=calls_for(spec))
    run = Run(label="point", hidden=False, point={}, answers=observed)
    problems = []
    for answer in spec.answers:
        name = answer.name
        expect = check.Expectation(name=name, value=reference[name], dtype=spec.dtype,
                                   tolerance=answer.tolerance or spec.tolerance)
        for result in (check.check_value(observed[name], expect, run=run, variables={},
                                         hints=None, max_score=1.0),
                       check.check_dtype(observed[name], expect, hints=None, max_score=1.0)):
            if not result.passed:
                got = "" if result.got is None else f" (got {result.got}, expected " \
                    f"{result.expected})"
                problems.append(f"{result.name}: {result.message}{got}")
                break
    return problems


def check_notebooks(spec: Spec, solutions_dir: str | Path, *, seed: int = VALIDATION_SEED
                    ) -> str:
    """Grade the rendered notebooks as ``grader check`` would, each in its own kernel:
    the solution must score full marks, the untouched student notebook must not."""
    import json
    import time

    from grader.grading.grade import grade_parsed

    verdicts = {}
    for label, nb in (("solution", render_solution(spec, solutions_dir)),
                      ("student", render_student(spec))):
        data = json.dumps(nb).encode()
        result = grade_parsed(nb, data, spec.id, submission=f"{label} notebook",
                              exercises_dir=spec.path.parent, seed=seed, cell_timeout=30.0,
                              total_timeout=120.0, started=time.perf_counter())
        verdicts[label] = result
    solution, student = verdicts["solution"], verdicts["student"]
    if not solution.passed:
        failed = [f"{c.name}: {c.message}" for c in solution.checks if not c.passed]
        failed += solution.errors + [f"cell {e.cell_index + 1} raised {e.ename}: {e.evalue}"
                                     for e in solution.cell_errors]
        raise SpecError("the solution notebook does not score full marks under grader "
                        "check: " + "; ".join(failed),
                        path=str(Path(solutions_dir) / f"{spec.id}.py"),
                        fix="run the solution notebook from `grader build` to see why")
    if student.passed:
        raise SpecError("the untouched student notebook already scores full marks",
                        path=str(spec.path), where="key `starter`",
                        fix="leave the parts the student must write as `...`")
    return (f"solution notebook {solution.score:g}/{solution.max_score:g}, "
            f"starter {student.score:g}")


def check_exercise(spec: Spec, solutions_dir: str | Path, *,
                   seed: int = VALIDATION_SEED) -> str:
    """Every check of the module docstring; SpecError on the first failure, else a
    one-line summary of the reference at the visible point."""
    solution = solution_source(spec, solutions_dir)
    for label, code in (("solution", solution), ("starter", spec.starter)):
        try:
            compile(code, f"{spec.id} {label}", "exec")
        except SyntaxError as err:
            where = f"line {err.lineno}" if label == "solution" else "key `starter`"
            path = f"{Path(solutions_dir) / (spec.id + '.py')}" if label == "solution" \
                else str(spec.path)
            raise SpecError(f"the {label} is not valid Python: {err.msg}", path=path,
                            where=where) from None
    points = grading_points(spec, seed)
    visible_reference: dict[str, np.ndarray] = {}
    for point in points:
        reference = reference_answers(spec, point.values)
        if not point.hidden:
            visible_reference = reference
            check_expected(spec, reference)
        _check_solution(spec, solutions_dir, solution, point, reference)
    _check_starter(spec, visible_reference)
    render_student(spec)
    render_solution(spec, solutions_dir)
    shown = ", ".join(_summary(name, value) for name, value in visible_reference.items())
    return f"{shown}; solution right at {len(points)} points"


def _check_solution(spec: Spec, solutions_dir: str | Path, solution: str, point: Point,
                    reference: Mapping[str, np.ndarray]) -> None:
    path = str(Path(solutions_dir) / f"{spec.id}.py")
    try:
        namespace = run_answer_code(spec, solution, point.values)
    except Exception as err:
        raise SpecError(f"the solution raised {type(err).__name__}: {err} at the {point.label}",
                        path=path, fix="run the solution notebook to see the traceback") from err
    problems = judge_answers(spec, namespace, reference)
    if problems:
        raise SpecError(f"the solution is wrong at the {point.label}: " + "; ".join(problems),
                        path=path, fix="fix the solution (or the spec, if the solution is right)")


def _check_starter(spec: Spec, reference: Mapping[str, np.ndarray]) -> None:
    try:
        namespace = run_answer_code(spec, spec.starter, spec.visible_values())
    except Exception:
        return  # a starter that does not run yet certainly does not solve the exercise
    if not judge_answers(spec, namespace, reference):
        raise SpecError("the starter code already gives the right answers",
                        path=str(spec.path), where="key `starter`",
                        fix="leave the parts the student must write as `...`")


def _summary(name: str, value: np.ndarray) -> str:
    if value.size <= 4:
        return f"{name} = {format_value(value)}"
    return f"{name}: shape {value.shape}"


def validate_exercises(ids: list[str], *, exercises_dir: str | Path,
                       solutions_dir: str | Path, out: TextIO, notebooks: bool = True) -> bool:
    """Check the exercises named (all when ``ids`` is empty); one line each on ``out``.

    Returns True when every exercise passed. ``notebooks`` also grades the rendered
    solution and student notebooks in kernels (about a second each).
    """
    names = list(ids) or exercise_ids(exercises_dir)
    if not names:
        raise SpecError("no exercise specs found", path=str(exercises_dir),
                        fix="add ID.toml files, e.g. with `grader new ID`")
    all_ok = True
    width = max(len(n) for n in names)
    for exercise_id in names:
        try:
            spec = find_spec(exercise_id, exercises_dir)
            summary = check_exercise(spec, solutions_dir)
            if notebooks:
                summary += "; " + check_notebooks(spec, solutions_dir)
        except GraderError as err:
            all_ok = False
            text = "; ".join(line.strip() for line in str(err).splitlines())
            print(f"FAIL  {exercise_id:<{width}}  {text}", file=out)
        else:
            print(f"ok    {exercise_id:<{width}}  {summary}", file=out)
    return all_ok
