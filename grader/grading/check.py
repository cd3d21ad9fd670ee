"""Judge a submission's answers against reference answers: pure functions, no I/O.

Everything here runs in the grader process on plain data (``Observed`` values that
came out of the kernel as JSON, and float64 reference arrays computed by the grader),
so nothing a student's code does can decide its own score. The same functions serve
``grader check`` and the in-notebook feedback cell.

Scoring, per answer: the visible point is worth ``VISIBLE`` points, the hidden
points together ``HIDDEN`` (split evenly), computing the answer with the tape
``TAPE`` and the required float dtype ``DTYPE``. A hard-coded number can pass the
visible point but nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from grader.results import CellError, CheckResult, Observed, Run, RunEnd
from grader.authoring.spec import Tolerance

VISIBLE = 2.0
HIDDEN = 2.0
TAPE = 1.0
DTYPE = 0.5

# Kinds whose answers are gradients the tape must have produced.
TAPE_KINDS = frozenset({"gradient", "higher-order", "jacobian", "batch-jacobian"})

# Factors a derivative is commonly off by (forgetting the 2 of x**2, halving twice ...).
_FACTORS = (2.0, 0.5, 3.0, 1.0 / 3.0, 4.0, 0.25)

_MAX_SHOWN = 24  # elements of an array shown in a report before it is summarised

DEFAULT_HINTS = {
    "missing": "`{name}` was never assigned. Assign the answer to `{name}` in the answer "
               "cell (the cell tagged `answer`), and run the notebook top to bottom.",
    "none": "tape.gradient returned None: the tape saw no path from the source to the "
            "target. Usual causes: the computation ran outside the `with "
            "tf.GradientTape() as tape:` block; the source is a tf.constant that was "
            "not watched (call `tape.watch(x)`); or the variable holds integers "
            "(write 2.0, not 2: only floating-point tensors get gradients).",
    "none_int": "`{var}` is {dtype}: integer and bool tensors carry no gradient, so "
                "tape.gradient gives None. Make it floating point: `tf.Variable(float({p}))` "
                "or `tf.Variable({p}, dtype=tf.float32)`.",
    "none_constant": "`{var}` is a tf.constant, and the tape only follows constants you "
                     "watch: call `tape.watch({var})` inside the `with` block, before "
                     "computing with it.",
    "runtime_error": "A non-persistent GradientTape computes one set of gradients only. "
                     "Create it with `tf.GradientTape(persistent=True)` to call "
                     "`gradient` more than once (and `del tape` when done).",
    "cell_error": "The answer cell raised {ename}: {evalue}. Fix the error first; the "
                  "traceback is below.",
    "unanswered": "Replace the `...` in the answer cell with code that computes `{name}` "
                  "with tf.GradientTape, then run the notebook top to bottom.",
    "not_number": "`{name}` should be a tensor or a number, but it is a {type_name}.",
    "dtype": "`{name}` has dtype {got}, but this exercise asks for {want}. "
             "{why}",
    "shape": "`{name}` has shape {got}, but the answer has shape {want}. A gradient has "
             "the shape of its source: check which tensor you pass as the source, and "
             "that you did not reduce it.",
    "nan": "`{name}` contains NaN or infinity: the function was evaluated where it is "
           "not defined, or a value overflowed.",
    "sign": "The value has the right size but the wrong sign: check the signs in your "
            "function.",
    "factor": "The value is off by a factor of {factor:g}: check the coefficients and "
              "powers in your function.",
    "value": "The value is not the derivative of the exercise's function at this point: "
             "check that your code computes exactly the function given.",
    "hardcoded": "`{name}` is the same at every point, so it looks hard-coded. Compute "
                 "it from the parameters (the names set in the parameters cell) with "
                 "the tape, so it follows the point.",
    "not_followed": "Right at the visible point but not here: the answer does not "
                    "follow the point. Build your tensors from the names in the "
                    "parameters cell rather than from fixed numbers.",
    "not_tape": "The value is right, but it was not returned by tape.gradient (or "
                "jacobian): the exercise is to let GradientTape compute it, not to "
                "write the derivative by hand.",
}


@dataclass(frozen=True)
class Expectation:
    """What one answer must be at one point, as the checker needs it."""

    name: str
    value: np.ndarray  # float64 reference
    dtype: str  # the float dtype required, e.g. "float32"
    tolerance: Tolerance


def hint(key: str, hints: Mapping[str, str] | None = None, **fields: Any) -> str:
    """The spec's hint for ``key`` if it has one, else ours, with fields filled in."""
    template = (hints or {}).get(key) or DEFAULT_HINTS[key]
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return template


# ---------------------------------------------------------------------------
# Turning an observation into numbers


def decode_value(value: Any) -> Any:
    """JSON-safe nested lists (NaN/inf as strings) back to floats."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(value, value)
    return value


def observed_array(obs: Observed) -> np.ndarray | None:
    """The observation as a float64 array, or None when it holds no numbers."""
    if obs.status != "ok":
        return None
    if obs.items is not None:
        parts = [observed_array(item) for item in obs.items]
        if any(p is None for p in parts):
            return None
        try:
            return np.array(parts, dtype=np.float64)
        except ValueError:  # ragged: the items have different shapes
            return None
    try:
        return np.asarray(decode_value(obs.value), dtype=np.float64)
    except (TypeError, ValueError):
        return None


def observed_dtype(obs: Observed) -> str | None:
    if obs.items:
        dtypes = {item.dtype for item in obs.items}
        return dtypes.pop() if len(dtypes) == 1 else None
    return obs.dtype


def shown(array: np.ndarray | None) -> Any:
    """A value as a report shows it: plain numbers, summarised when large."""
    if array is None:
        return None
    arr = np.asarray(array, dtype=np.float64)
    if arr.size > _MAX_SHOWN:
        flat = arr.ravel()
        return {"shape": list(arr.shape), "first": [_plain(v) for v in flat[:6]],
                "min": _plain(np.nanmin(flat)) if np.isfinite(flat).any() else None,
                "max": _plain(np.nanmax(flat)) if np.isfinite(flat).any() else None}
    return _plain_tree(arr.tolist())


def _plain(v: float) -> Any:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v  # exact: reports round for people, JSON readers get the true number


def _plain_tree(v: Any) -> Any:
    if isinstance(v, list):
        return [_plain_tree(x) for x in v]
    return _plain(v)


# ---------------------------------------------------------------------------
# The value check at one point


def _close(got: np.ndarray, want: np.ndarray, tol: Tolerance) -> bool:
    if got.shape != want.shape:
        return False
    if not np.all(np.isfinite(got)):
        # NaN never matches; an infinity matches only the same infinity.
        same_inf = np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want))
        finite = np.isfinite(got) & np.isfinite(want)
        if not np.all(same_inf | finite):
            return False
        return bool(np.allclose(got[finite], want[finite], rtol=tol.rtol, atol=tol.atol))
    return bool(np.allclose(got, want, rtol=tol.rtol, atol=tol.atol))


def diagnose_value(got: np.ndarray, want: np.ndarray, tol: Tolerance,
                   hints: Mapping[str, str] | None, name: str) -> str:
    """Name the likely mistake behind a wrong value of the right shape."""
    if not np.all(np.isfinite(got)):
        return hint("nan", hints, name=name)
    if np.any(want != 0) and _close(-got, want, tol):
        return hint("sign", hints, name=name)
    nonzero = np.abs(want) > tol.atol
    if np.any(nonzero):
        ratios = got[nonzero] / want[nonzero]
        for factor in _FACTORS:
            if np.allclose(ratios, factor, rtol=max(tol.rtol, 1e-4)) and \
                    _close(got, want * factor, tol):
                return hint("factor", hints, name=name, factor=factor)
    return hint("value", hints, name=name)


def _variable_hint(name: str, variables: Mapping[str, Observed],
                   hints: Mapping[str, str] | None) -> str:
    """Why a gradient is None, from what the kernel's variables look like."""
    for var, obs in variables.items():
        if obs.status != "ok" or not obs.dtype:
            continue
        if obs.dtype.startswith(("int", "uint")) or obs.dtype == "bool":
            p = obs.value if not isinstance(obs.value, list) else "x0"
            return hint("none_int", hints, var=var, dtype=obs.dtype, p=p)
    for var, obs in variables.items():
        if obs.status == "ok" and obs.type_name in ("EagerTensor", "Tensor"):
            return hint("none_constant", hints, var=var)
    return hint("none", hints, name=name)


def _cell_error_hint(errors: Sequence[CellError], hints: Mapping[str, str] | None) -> str | None:
    for err in errors:
        if err.ename == "RuntimeError" and "non-persistent" in err.evalue:
            return hint("runtime_error", hints)
    for err in errors:
        if err.tag == "answer" or err.tag is None:
            return hint("cell_error", hints, ename=err.ename, evalue=err.evalue[:300])
    return None


def check_value(obs: Observed | None, expect: Expectation, *, run: Run,
                variables: Mapping[str, Observed], hints: Mapping[str, str] | None,
                max_score: float) -> CheckResult:
    """Is the answer present, numeric, of the right shape and value at this point?"""
    name = expect.name
    title = f"{name} at the {run.label}"
    want = expect.value
    base = dict(name=title, max_score=max_score, expected=shown(want),
                hidden=run.hidden, point_label=run.label)

    def fail(message: str, hint_text: str, got: Any = None) -> CheckResult:
        return CheckResult(passed=False, score=0.0, got=got, message=message,
                           hint=hint_text, **base)

    if (obs is None or obs.status == "missing") and run.end is not RunEnd.COMPLETED:
        what = run.end.explanation
        return fail(f"The notebook {what} before `{name}` was computed.",
                    _cell_error_hint(run.errors, hints)
                    or "Look for an endless loop, a huge computation or a call that "
                       "exits Python, and run the notebook top to bottom yourself.")
    if obs is None or obs.status == "missing":
        cell_hint = _cell_error_hint(run.errors, hints)
        return fail(f"`{name}` is not defined.",
                    cell_hint or hint("missing", hints, name=name))
    if obs.status == "none":
        cell_hint = _cell_error_hint(run.errors, hints)
        return fail(f"`{name}` is None.", cell_hint or _variable_hint(name, variables, hints),
                    got="None")
    if obs.type_name == "ellipsis":
        return fail(f"`{name}` is still `...`: not answered yet.",
                    hint("unanswered", hints, name=name))
    if obs.status in ("error", "unserializable"):
        return fail(f"`{name}` could not be read: {obs.error or obs.type_name}.",
                    hint("not_number", hints, name=name, type_name=obs.type_name or "value"))
    got = observed_array(obs)
    if got is None:
        return fail(f"`{name}` is a {obs.type_name}, not a number or tensor.",
                    hint("not_number", hints, name=name, type_name=obs.type_name))
    if got.shape != want.shape:
        # A one-element answer for a scalar (or the reverse) is not worth failing.
        if got.size == want.size == 1:
            got = got.reshape(want.shape)
        else:
            return fail(f"Shape {tuple(got.shape)}, expected {tuple(want.shape)}.",
                        hint("shape", hints, name=name, got=tuple(got.shape),
                             want=tuple(want.shape)), got=shown(got))
    if _close(got, want, expect.tolerance):
        return CheckResult(passed=True, score=max_score, got=shown(got),
                           message="Correct.", **base)
    return fail("Wrong value.", diagnose_value(got, want, expect.tolerance, hints, name),
                got=shown(got))


def check_dtype(obs: Observed | None, expect: Expectation, *,
                hints: Mapping[str, str] | None, max_score: float) -> CheckResult:
    """The answer carries the float dtype the exercise requires."""
    name = expect.name
    base = dict(name=f"{name} is {expect.dtype}", max_score=max_score,
                expected=expect.dtype)
    dtype = observed_dtype(obs) if obs is not None and obs.status == "ok" else None
    if obs is None or obs.status != "ok":
        return CheckResult(passed=False, score=0.0, got=None,
                           message=f"No value of `{name}` to check.", **base)
    if dtype is None:
        # A plain Python float carries no dtype: accept it, it came from a float tensor
        # or from arithmetic on one.
        if obs.type_name in ("float", "list", "tuple") or obs.items:
            return CheckResult(passed=True, score=max_score, got=obs.type_name,
                               message="A Python float: accepted.", **base)
        return CheckResult(passed=False, score=0.0, got=obs.type_name,
                           message=f"`{name}` has no dtype.",
                           hint=hint("not_number", hints, name=name, type_name=obs.type_name),
                           **base)
    if dtype == expect.dtype:
        return CheckResult(passed=True, score=max_score, got=dtype, message="Correct.", **base)
    if dtype.startswith(("int", "uint")) or dtype == "bool":
        why = "Integers carry no gradient: start from a floating-point value such as 2.0."
    elif dtype == "float64":
        why = ("numpy arrays and np.float64 values become float64 tensors: "
               "pass dtype=tf.float32, or use Python floats.")
    else:
        why = f"Create the tensors with dtype=tf.{expect.dtype}."
    return CheckResult(passed=False, score=0.0, got=dtype, message=f"dtype {dtype}.",
                       hint=hint("dtype", hints, name=name, got=dtype, want=expect.dtype,
                                 why=why), **base)


def check_tape(obs: Observed | None, name: str, *, value_passed: bool,
               hints: Mapping[str, str] | None, max_score: float) -> CheckResult:
    """The answer is what the tape returned, not a derivative written by hand."""
    base = dict(name=f"{name} computed with GradientTape", max_score=max_score,
                expected="returned by tape.gradient / jacobian")
    if obs is not None and obs.status == "ok" and obs.from_tape:
        return CheckResult(passed=True, score=max_score, got="returned by the tape",
                           message="Computed with the tape.", **base)
    if obs is None or obs.status != "ok":
        return CheckResult(passed=False, score=0.0, got=None,
                           message=f"No value of `{name}` to check.", **base)
    return CheckResult(passed=False, score=0.0, got="computed another way",
                       message="Not a result of tape.gradient or tape.jacobian.",
                       hint=hint("not_tape", hints, name=name) if value_passed else "",
                       **base)


def _hidden_hint(result: CheckResult, visible: CheckResult, obs: Observed | None,
                 visible_obs: Observed | None, hints: Mapping[str, str] | None,
                 name: str) -> CheckResult:
    """At a hidden point, a right-at-visible answer that did not move is hard-coded."""
    if result.passed or not visible.passed or obs is None or visible_obs is None:
        return result
    same = (obs.status == visible_obs.status == "ok"
            and observed_array(obs) is not None
            and np.array_equal(observed_array(obs), observed_array(visible_obs)))
    key = "hardcoded" if same else "not_followed"
    message = ("The answer did not change with the point." if same
               else "Right at the visible point, wrong here.")
    return CheckResult(name=result.name, passed=False, score=0.0, max_score=result.max_score,
                       expected=result.expected, got=result.got, message=message,
                       hint=hint(key, hints, name=name), hidden=True,
                       point_label=result.point_label)


def check_runs(runs: Sequence[Run], expectations: Sequence[Mapping[str, Expectation]], *,
               kind: str, answers: Sequence[str], variables: Sequence[str] = (),
               hints: Mapping[str, str] | None = None) -> list[CheckResult]:
    """All checks for a submission: ``runs[i]`` judged against ``expectations[i]``.

    ``runs[0]`` is the visible point; the rest are hidden points. ``variables`` names
    the exercise's tensors, which the extraction also reports so that a ``None``
    gradient can be explained (an integer variable, an unwatched constant).
    """
    checks: list[CheckResult] = []
    if not runs:
        return checks
    visible_run, hidden_runs = runs[0], runs[1:]
    per_hidden = HIDDEN / len(hidden_runs) if hidden_runs else 0.0
    for name in answers:
        expect = expectations[0][name]
        obs = visible_run.answers.get(name)
        var_obs = {v: visible_run.answers[v] for v in variables if v in visible_run.answers}
        visible = check_value(obs, expect, run=visible_run, variables=var_obs, hints=hints,
                              max_score=VISIBLE)
        checks.append(visible)
        checks.append(check_dtype(obs, expect, hints=hints, max_score=DTYPE))
        if kind in TAPE_KINDS:
            checks.append(check_tape(obs, name, value_passed=visible.passed, hints=hints,
                                     max_score=TAPE))
        for run, expects in zip(hidden_runs, expectations[1:]):
            h_obs = run.answers.get(name)
            h_vars = {v: run.answers[v] for v in variables if v in run.answers}
            result = check_value(h_obs, expects[name], run=run, variables=h_vars,
                                 hints=hints, max_score=per_hidden)
            checks.append(_hidden_hint(result, visible, h_obs, obs, hints, name))
    return checks


def total(checks: Sequence[CheckResult]) -> tuple[float, float]:
    """(score, max_score), rounded so that float sums print cleanly."""
    score = round(sum(c.score for c in checks), 6)
    max_score = round(sum(c.max_score for c in checks), 6)
    return score, max_score
