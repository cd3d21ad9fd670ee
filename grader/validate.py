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
from grader.points import Point, grading_points
from grader.reference import check_expected, reference_answers
from grader.render import parameters_source, render_solution, render_student, solution_source
from grader.spec import Spec, exercise_ids, find_spec, format_value

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


def answer_value(obj: Any) -> tuple[np.ndarray | None, set[str]]:
    """An answer object (tensor, variable, list of them) as (float64 array, dtype names)."""
    if obj is None:
        return None, set()
    if isinstance(obj, (list, tuple)):
        parts = [answer_value(item) for item in obj]
        if not parts or any(a is None for a, _ in parts):
            return None, set()
        try:
            stacked = np.stack([a for a, _ in parts])
        except ValueError:
            return None, set()
        return stacked, set().union(*(d for _, d in parts))
    dtype = getattr(obj, "dtype", None)
    name = getattr(dtype, "name", None) or (str(dtype) if dtype is not None else type(obj).__name__)
    try:
        return np.asarray(obj, dtype=np.float64), {str(name)}
    except (TypeError, ValueError):
        return None, set()


def judge_answers(spec: Spec, namespace: Mapping[str, Any], reference: Mapping[str, np.ndarray]
           ) -> list[str]:
    """What is wrong with the answers in ``namespace`` (empty when all are right)."""
    problems = []
    for answer in spec.answers:
        if answer.name not in namespace:
            problems.append(f"`{answer.name}` is not assigned")
            continue
        value, dtypes = answer_value(namespace[answer.name])
        want = reference[answer.name]
        if value is None:
            problems.append(f"`{answer.name}` is {namespace[answer.name]!r}, not a number")
        elif value.shape != want.shape:
            problems.append(f"`{answer.name}` has shape {value.shape}, the reference {want.shape}")
        elif not spec.tolerance.allclose(value, want):
            problems.append(f"`{answer.name}` = {format_value(value)}, the reference "
                            f"{format_value(want)}")
        elif dtypes != {spec.dtype}:
            problems.append(f"`{answer.name}` has dtype {', '.join(sorted(dtypes))}, the spec "
                            f"asks for {spec.dtype}")
    return problems


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
                       solutions_dir: str | Path, out: TextIO) -> bool:
    """Check the exercises named (all when ``ids`` is empty); one line each on ``out``.

    Returns True when every exercise passed.
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
        except GraderError as err:
            all_ok = False
            text = "; ".join(line.strip() for line in str(err).splitlines())
            print(f"FAIL  {exercise_id:<{width}}  {text}", file=out)
        else:
            print(f"ok    {exercise_id:<{width}}  {summary}", file=out)
    return all_ok
