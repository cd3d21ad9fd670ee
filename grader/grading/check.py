"""Judge a submission's answers against reference answers: pure functions, no I/O.

Everything here runs in the grader process on plain data (``Observed`` values that
came out of the kernel as JSON, and float64 reference arrays computed by the grader),
so nothing a student's code does can decide its own score. The same functions serve
``grader check`` and the in-notebook feedback cell, so both give the same verdicts
and the same hints for the visible point.

Scoring, per answer: the visible point is worth ``visible`` points, the hidden points
together ``hidden`` (split evenly), computing the answer with the tape ``tape`` and the
required float dtype ``dtype``; the defaults are ``WEIGHTS`` and a spec's ``[points]``
table overrides any of them. A submission passes when every check passes, so for a
tape kind the tape check is required whatever its weight: an exercise about the tape
cannot be passed without it. A hard-coded number can pass the visible point but
nothing else.

Hints say only what is true: a wrong value is explained by what holds at every
point it was graded at (``grader/kinds/diagnosis.py``); a fix names the parameter
(``float(x0)``), never the point's value; the spec's ``[hints]`` come first, then the
kind's own wording (``Kind.hints``), then the defaults below.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from grader import kinds
from grader.kinds.diagnosis import Pair
from grader.results import CellError, CheckResult, Observed, Run, RunEnd
from grader.authoring.spec import Tolerance

WEIGHTS = {"visible": 2.0, "hidden": 2.0, "tape": 1.0, "dtype": 0.5, "requires": 0.5}
VISIBLE, HIDDEN, TAPE, DTYPE = (WEIGHTS[k] for k in ("visible", "hidden", "tape", "dtype"))

_MAX_SHOWN = 24  # elements of an array shown in a report before it is summarised

DEFAULT_HINTS = {
    "missing": "`{name}` was never assigned. Assign the answer to `{name}` in the answer "
               "cell (the cell tagged `answer`), and run the notebook top to bottom.",
    "none": "tape.gradient returned None: the tape saw no path from the source to the "
            "target. Usual causes: the computation ran outside the `with "
            "tf.GradientTape() as tape:` block; the source is a tf.constant that was "
            "not watched (call `tape.watch(x)`); the variable holds integers (write "
            "2.0, not 2: only floating-point tensors get gradients); or a step went "
            "through numpy (`np.*`), which the tape does not see.",
    "none_int": "`{var}` is {dtype}: integer and bool tensors carry no gradient, so "
                "tape.gradient gives None. Make it floating point from the parameter: "
                "{fix}.",
    "none_unconnected": "`{name}` is None because the function does not depend on that "
                        "source, and this exercise asks for zeros instead: pass "
                        "`unconnected_gradients=tf.UnconnectedGradients.ZERO` to "
                        "`tape.gradient`.",
    "call_error": "The grader called your function and it failed: {error}. Define it in "
                  "the answer cell with the parameters the statement names, and run the "
                  "notebook top to bottom.",
    "none_constant": "`{var}` is a tf.constant, and the tape only follows constants you "
                     "watch: call `tape.watch({var})` inside the `with` block, before "
                     "computing with it.",
    "runtime_error": "A non-persistent GradientTape computes one set of gradients only. "
                     "Create it with `tf.GradientTape(persistent=True)` to call "
                     "`gradient` more than once (and `del tape` when done).",
    "cell_error": "Your code raised {ename}: {evalue}. Fix that error first (the report "
                  "shows the cell and its traceback), then run the notebook top to bottom.",
    "tensorflow": "This course runs TensorFlow's API on a bundled engine, and the setup "
                  "cell already imports it as `tf` (`import grader.tape as tf`). Delete "
                  "`import tensorflow as tf` (and any `from tensorflow import ...`) from "
                  "your cell: `tf.GradientTape`, `tf.Variable`, `tf.constant` and the "
                  "`tf.math` functions work as in the tutorial.",
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
    "sign": "`{name}` is exactly the negative of the right value at every point checked: "
            "check the signs in your function.",
    "factor": "`{name}` is {factor:.6g} times the right value at every point checked: "
              "check the coefficients and powers in your function.",
    "offset": "`{name}` is off by the same amount ({offset}) at every point checked: a "
              "term whose derivative is a constant (a term like `3*x`) has the wrong "
              "sign or coefficient.",
    "linear_difference": "The error in `{name}` grows in proportion to `{var}` across the "
                         "points checked: a term in `{var}**2` has the wrong sign or "
                         "coefficient.",
    "function_value": "`{name}` is the function's value, not its derivative: assign what "
                      "`tape.gradient(y, x)` returns, not `y`.",
    "next_derivative": "`{name}` is the next derivative (one order too many): take one "
                       "gradient fewer.",
    "previous_derivative": "`{name}` is one derivative short (the order below): "
                           "differentiate once more with the outer tape.",
    "transpose": "`{name}` is the transpose of the right matrix: row i must be the "
                 "gradient of output i. Pass the function as the target and the input as "
                 "the source (`tape.jacobian(y, x)`), without transposing.",
    "numpy": "Your code calls numpy ({calls}) on tensors. The tape does not see numpy "
             "operations: their result is a constant to it, so that part of the "
             "derivative is missing (or the gradient is None). Use the `tf.*` functions "
             "or the operators (`x**2`, `x*y`) inside the tape.",
    "value": "`{name}` is not {what} of the exercise's function: got {got}, expected "
             "{want}. Check that the code inside the tape computes exactly the function "
             "given.",
    "hardcoded": "`{name}` is the same at every point, so it looks hard-coded (typed in "
                 "rather than computed). Compute it from the parameters ({params}) with the tape, so "
                 "it follows the point.",
    "not_followed": "`{name}` is right at the visible point but not at the hidden ones: "
                    "part of the code uses fixed numbers. Build every tensor from the "
                    "parameters ({params}).",
    "integrity": "The grader found code that reaches behind the engine ({found}). "
                 "An instructor will look at this submission; compute `{name}` with "
                 "tf.GradientTape and the engine's public functions only.",
    "not_tape": "The value is right, but it was not returned by tape.gradient (or "
                "jacobian): the exercise is to let GradientTape compute it, not to "
                "write the derivative by hand.",
    "timeout": "Look for an endless loop or a very long computation (a `while` whose "
               "condition never changes, a huge range), and run the notebook top to "
               "bottom yourself.",
    "kernel_died": "Look for a call that exits Python (`exit()`, `os._exit`) or uses "
                   "far too much memory, and run the notebook top to bottom yourself.",
}

# A spec's hint for the general key also covers these specific ones: an instructor who
# wrote `none` wrote it for every None gradient of the exercise.
_SPEC_FALLBACK = {"none_int": "none", "none_constant": "none"}

_NUMPY_CALL = re.compile(r"\b(?:np|numpy)\.(?:[A-Za-z_][A-Za-z_0-9]*\.)*[A-Za-z_][A-Za-z_0-9]*"
                         r"(?=\s*\()")


@dataclass(frozen=True)
class Expectation:
    """What one answer must be at one point, as the checker needs it. ``clues`` are
    other quantities at the same point that a mistaken answer may equal (the
    function's value, the next derivative ...), computed by the kind; ``inputs`` the
    point itself (variable -> array)."""

    name: str
    value: np.ndarray  # float64 reference
    dtype: str  # the float dtype required, e.g. "float32"
    tolerance: Tolerance
    # For the tape check: the answer's spec, what its tape target must hold at this
    # point, and the point itself (variable -> value). None where there is no tape check.
    answer: Any = None
    target: np.ndarray | None = None
    point: Mapping[str, np.ndarray] | None = None
    clues: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the checker knows of the exercise and the code besides the numbers.

    ``params`` maps each variable to the parameter name that sets it and ``scalar``
    says whether its point is one number (a fix reads ``float(x0)``, or
    ``tf.Variable(x0, dtype=tf.float32)`` for a list); ``numpy_calls`` are the numpy
    calls found in the code that computes the answers; ``weights`` the spec's
    ``[points]``.
    """

    kind: str = "gradient"
    hints: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    scalar: Mapping[str, bool] = field(default_factory=dict)
    numpy_calls: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    # The answer code (for requirements judged from its ast) and the spec's requires.
    code: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def weight(self, key: str) -> float:
        return float(self.weights.get(key, WEIGHTS[key]))

    def text(self, key: str, **fields: Any) -> str:
        """The hint for ``key``: the spec's, then the kind's, then the default."""
        template = (self.hints.get(key) or self.hints.get(_SPEC_FALLBACK.get(key, ""))
                    or kinds.get(self.kind).hints.get(key) or DEFAULT_HINTS.get(key)
                    or _requirement_hint(key))
        fields.setdefault("params", self.param_list())
        fields.setdefault("what", kinds.get(self.kind).what)
        try:
            return template.format(**fields)
        except (KeyError, IndexError, ValueError):
            return template

    def param_list(self) -> str:
        names = list(dict.fromkeys(self.params.values()))
        return ", ".join(f"`{n}`" for n in names) or "the names the parameters cell sets"

    def float_fix(self, var: str) -> str:
        p = self.params.get(var, f"{var}0")
        if self.scalar.get(var, True):
            return f"`tf.Variable(float({p}))` or `tf.Variable({p}, dtype=tf.float32)`"
        return f"`tf.Variable({p}, dtype=tf.float32)`"


def _requirement_hint(key: str) -> str:
    from grader.kinds import requirements

    return requirements.get(key).hint


def numpy_calls(sources: Sequence[str]) -> tuple[str, ...]:
    """The numpy calls (``np.square`` ...) in some code, each once, in order."""
    found: dict[str, None] = {}
    for source in sources:
        for line in source.splitlines():
            code = line.split("#", 1)[0]
            for match in _NUMPY_CALL.finditer(code):
                found.setdefault(match.group(0).replace("numpy.", "np.", 1), None)
    return tuple(found)


def hint(key: str, hints: Mapping[str, str] | None = None, **fields: Any) -> str:
    """The spec's hint for ``key`` if it has one, else the default, with fields filled in."""
    return Context(hints=dict(hints or {})).text(key, **fields)


# ---------------------------------------------------------------------------
# Turning an observation into numbers


def decode_value(value: Any) -> Any:
    """JSON-safe nested lists (NaN/inf as strings) back to floats."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(value, value)
    if type(value) is int and abs(value) > sys.float_info.max:  # 10**400: as float, inf
        return math.inf if value > 0 else -math.inf
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


def _format(value: Any) -> str:
    from grader.authoring.spec import format_value

    return format_value(value)


def diagnose(pairs: Sequence[Pair], context: Context, name: str) -> str:
    """The hint for a wrong answer, from what holds at every one of ``pairs`` (the
    points it was graded at, visible first): the kind's diagnosis, numpy inside the
    tape, or plainly "wrong" with the values."""
    first = pairs[0]
    if not np.all(np.isfinite(first.got)):
        found = kinds.get(context.kind).diagnose(pairs)
        if found is not None:
            return context.text(found[0], name=name, **found[1])
        return context.text("nan", name=name)
    found = kinds.get(context.kind).diagnose(pairs, numpy=bool(context.numpy_calls))
    if found is not None:
        key, fields = found
        return context.text(key, name=name, **fields)
    if context.numpy_calls and kinds.get(context.kind).tape:
        return context.text("numpy", name=name, calls=", ".join(
            f"`{c}`" for c in context.numpy_calls[:4]))
    return context.text("value", name=name, got=_format(first.got), want=_format(first.want))


def diagnose_value(got: np.ndarray, want: np.ndarray, tol: Tolerance,
                   hints: Mapping[str, str] | None, name: str) -> str:
    """A wrong value of the right shape at one point, with the default context."""
    return diagnose([Pair(got=got, want=want)], Context(hints=dict(hints or {})), name)


def _variable_hint(name: str, variables: Mapping[str, Observed], context: Context) -> str:
    """Why a gradient is None, from what the kernel's variables look like."""
    for var, obs in variables.items():
        if obs.status != "ok" or not obs.dtype:
            continue
        if obs.dtype.startswith(("int", "uint")) or obs.dtype == "bool":
            return context.text("none_int", var=var, dtype=obs.dtype,
                                fix=context.float_fix(var), p=context.params.get(var, var))
    for var, obs in variables.items():
        if obs.status == "ok" and obs.type_name in ("EagerTensor", "Tensor"):
            return context.text("none_constant", var=var)
    if context.numpy_calls and kinds.get(context.kind).tape:
        return context.text("numpy", name=name, calls=", ".join(
            f"`{c}`" for c in context.numpy_calls[:4]))
    return context.text("none", name=name)


_INTERNAL_FILE = re.compile(r"\((?:[^(),]*[/\\])?[^(),]*?\.py, (line \d+)\)")


def clean_evalue(evalue: str) -> str:
    """An error's message without the kernel's internal file name: IPython compiles each
    cell to a temporary ``NNNN.py``, which means nothing to a student
    ("incomplete input (3697544625.py, line 6)" becomes "... (line 6)")."""
    return _INTERNAL_FILE.sub(r"(\1)", evalue)


# How IPython names a cell in a traceback: its execution count (``Cell In[7], line 2``),
# or in older versions the temporary file it compiled the cell to.
_CELL_IN = re.compile(r"Cell In\[(\d+)\]")
_CELL_FILE = re.compile(r"""File "?(?:[^"\n]*[/\\])?ipykernel_\d+[/\\](\d+)\.py"?(?:, line |:)""")


def clean_traceback(traceback: str, where: str) -> str:
    """``traceback`` (escape codes already removed) with the failing cell named
    ``where`` ("Cell 4 (answer)"): the first cell a traceback shows is the one that
    raised, and its In[N] counts the grader's runs, not the notebook's cells. A frame
    in another cell (a function defined earlier) keeps IPython's name."""
    first = _CELL_IN.search(traceback)
    if first:
        traceback = re.sub(rf"Cell In\[{first.group(1)}\]", lambda _: where, traceback)
    first = _CELL_FILE.search(traceback)
    if first:
        traceback = re.sub(rf"""File "?(?:[^"\n]*[/\\])?ipykernel_\d+[/\\]{first.group(1)}\.py"?"""
                           r"(, line |:)", lambda m: f"{where}{m.group(1)}", traceback)
    return traceback


def _cell_error_hint(errors: Sequence[CellError], context: Context) -> str | None:
    for err in errors:
        if err.ename == "RuntimeError" and "non-persistent" in err.evalue:
            return context.text("runtime_error")
    for err in errors:
        if err.ename in ("ModuleNotFoundError", "ImportError") and "tensorflow" in err.evalue:
            return context.text("tensorflow")
    for err in errors:
        if err.ename in ("Timeout", "KernelDied"):
            continue
        if err.tag in ("answer", None):
            # The cell itself is named where the report shows it (its number and tag):
            # the notebook's check cell, which shares this hint, cannot know them.
            return context.text("cell_error", ename=err.ename,
                                evalue=clean_evalue(err.evalue)[:300])
    return None


def _stopped(run: Run) -> tuple[str, str] | None:
    """(message, hint key) when the run ended before the answers could be read."""
    if run.end is RunEnd.COMPLETED:
        return None
    if run.end is RunEnd.TIMED_OUT:
        # The limit is shown as the execution worded it; whether it timed out is data.
        limit = next((e.evalue for e in run.errors if e.ename == "Timeout"), "")
        match = re.search(r"longer than its ([0-9.]+) s", limit)
        said = (f"ran longer than its {match.group(1)} s limit" if match
                else "ran longer than its time limit")
        return f"The notebook {said} and was stopped before `{{name}}` was computed.", "timeout"
    if run.end is RunEnd.KERNEL_DIED:
        return "The Python kernel crashed before `{name}` was computed.", "kernel_died"
    return f"The notebook {run.end.explanation} before `{{name}}` was computed.", "kernel_died"


def check_value(obs: Observed | None, expect: Expectation, *, run: Run,
                variables: Mapping[str, Observed], hints: Mapping[str, str] | None = None,
                max_score: float, context: Context | None = None) -> CheckResult:
    """Is the answer present, numeric, of the right shape and value at this point?"""
    context = context or Context(hints=dict(hints or {}))
    name = expect.name
    title = f"{name} at the {run.label}"
    want = expect.value
    base = dict(name=title, max_score=max_score, expected=shown(want),
                hidden=run.hidden, point_label=run.label)

    def fail(message: str, hint_text: str, got: Any = None) -> CheckResult:
        return CheckResult(passed=False, score=0.0, got=got, message=message,
                           hint=hint_text, **base)

    stopped = _stopped(run)
    if (obs is None or obs.status == "missing" or obs.status == "error") and stopped:
        message, key = stopped
        return CheckResult(passed=False, score=0.0, message=message.format(name=name),
                           hint=_cell_error_hint(run.errors, context) or context.text(key),
                           stopped=run.end, **base)
    if obs is None or obs.status == "missing":
        cell_hint = _cell_error_hint(run.errors, context)
        return fail(f"`{name}` is not defined.",
                    cell_hint or context.text("missing", name=name))
    if obs.status == "none":
        cell_hint = _cell_error_hint(run.errors, context)
        answer = expect.answer
        if answer is not None and answer.unconnected == "zero" and not cell_hint:
            return fail(f"`{name}` is None.", context.text("none_unconnected", name=name),
                        got="None")
        return fail(f"`{name}` is None.", cell_hint or _variable_hint(name, variables, context),
                    got="None")
    if obs.status == "error" and (obs.error or "").startswith("calling `"):
        return fail(f"`{name}` could not be computed: {obs.error}.",
                    context.text("call_error", error=obs.error))
    if obs.type_name == "ellipsis":
        return fail(f"`{name}` is still `...`: not answered yet.",
                    context.text("unanswered", name=name))
    if obs.status in ("error", "unserializable"):
        return fail(f"`{name}` could not be read: {obs.error or obs.type_name}.",
                    context.text("not_number", name=name, type_name=obs.type_name or "value"))
    got = observed_array(obs)
    if got is None:
        return fail(f"`{name}` is a {obs.type_name}, not a number or tensor.",
                    context.text("not_number", name=name, type_name=obs.type_name))
    if got.shape != want.shape:
        # A one-element answer for a scalar (or the reverse) is not worth failing.
        if got.size == want.size == 1:
            got = got.reshape(want.shape)
        elif want.ndim == 2 and got.shape == want.T.shape and _close(got, want.T,
                                                                      expect.tolerance):
            return fail(f"Shape {tuple(got.shape)}, expected {tuple(want.shape)}: the "
                        "transpose.", context.text("transpose", name=name), got=shown(got))
        else:
            return fail(f"Shape {tuple(got.shape)}, expected {tuple(want.shape)}.",
                        context.text("shape", name=name, got=tuple(got.shape),
                                     want=tuple(want.shape)), got=shown(got))
    if _close(got, want, expect.tolerance):
        return CheckResult(passed=True, score=max_score, got=shown(got),
                           message="Correct.", **base)
    pair = Pair(got=got, want=want, clues=expect.clues, inputs=expect.inputs)
    return fail("Wrong value.", diagnose([pair], context, name), got=shown(got))


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
        why = ("Integers carry no gradient: build the tensors as floats from the "
               "parameters, with `dtype=tf.float32`.")
    elif dtype == "float64":
        why = ("numpy arrays and np.float64 values become float64 tensors: "
               "pass dtype=tf.float32, or use Python floats.")
    else:
        why = f"Create the tensors with dtype=tf.{expect.dtype}."
    return CheckResult(passed=False, score=0.0, got=dtype, message=f"dtype {dtype}.",
                       hint=hint("dtype", hints, name=name, got=dtype, want=expect.dtype,
                                 why=why), **base)


def check_tape(judged: Sequence[tuple[Run, Observed | None, Expectation]], name: str, *,
               value_passed: bool, hints: Mapping[str, str] | None, max_score: float,
               withheld: Sequence[str] = ()) -> CheckResult:
    """The tape computed the answer from the exercise's function, at every point.

    ``judged`` holds (run, observation, expectation) for the visible point and each
    hidden one; ``withheld`` what the integrity scan or the kernel's watch found, which
    withholds the check for an instructor's review.
    """
    from grader.grading import tape_check

    base = dict(name=f"{name} computed with GradientTape", max_score=max_score,
                expected="returned by tape.gradient / jacobian")
    tampered = [t for _, obs, _ in judged if obs is not None for t in obs.tampered]
    concerns = list(dict.fromkeys([*withheld, *tampered]))
    if concerns:
        shown = "; ".join(concerns[:3])
        return CheckResult(passed=False, score=0.0, got="withheld for review",
                           message=f"Withheld for an instructor's review: {shown}.",
                           hint=hint("integrity", hints, name=name, found=shown), **base)
    visible_obs = judged[0][1] if judged else None
    if visible_obs is None or visible_obs.status != "ok":
        return CheckResult(passed=False, score=0.0, got=None,
                           message=f"No value of `{name}` to check.", **base)
    for run, obs, expect in judged:
        if expect.answer is None or expect.target is None or expect.point is None:
            reason = None if obs is not None and obs.from_tape else \
                "it is not a result of tape.gradient or tape.jacobian"
        else:
            reason = tape_check.judge(obs, expect.answer, expect.target, expect.point)
        if reason is not None:
            never = not (obs is not None and obs.from_tape)
            return CheckResult(passed=False, score=0.0,
                               got="computed another way" if never else "another computation",
                               message=f"At the {run.label}: {reason}.",
                               hint=hint("not_tape", hints, name=name) if value_passed and never
                               else "", **base)
    return CheckResult(passed=True, score=max_score, got="returned by the tape",
                       message="Computed with the tape.", **base)


def _pair(obs: Observed | None, expect: Expectation) -> Pair | None:
    """The point as a diagnosis pair, when the answer is numbers of the right size."""
    if obs is None or obs.status != "ok":
        return None
    got = observed_array(obs)
    if got is None or got.size != expect.value.size:
        return None
    return Pair(got=got.reshape(expect.value.shape), want=expect.value, clues=expect.clues,
                inputs=expect.inputs)


def _hidden_hints(results: list[CheckResult], visible: CheckResult,
                  observations: list[Observed | None], expects: list[Expectation],
                  context: Context, name: str) -> list[CheckResult]:
    """The hidden rows of one answer, their hints judged over every point at once.

    Right at the visible point only: hard-coded (the same number everywhere) or not
    following the parameters. Wrong everywhere: what holds at all points (a factor,
    an offset, the function's value ...), or plainly wrong."""
    failed = [r for r in results if not r.passed]
    if not failed:
        return results
    pairs = [_pair(o, e) for o, e in zip(observations, expects)]
    if visible.passed:
        same = all(p is not None for p in pairs) and all(
            np.array_equal(p.got, pairs[0].got) for p in pairs[1:])
        key = "hardcoded" if same else "not_followed"
        message = ("The answer did not change with the point." if same
                   else "Right at the visible point, wrong here.")
        text = context.text(key, name=name)
    elif all(p is not None for p in pairs) and not any(_stopped_row(r) for r in failed):
        message, text = None, diagnose(pairs, context, name)
    else:
        return results
    out = []
    for result in results:
        if result.passed or _stopped_row(result) or (message is None and result.got is None):
            out.append(result)
            continue
        out.append(CheckResult(name=result.name, passed=False, score=0.0,
                               max_score=result.max_score, expected=result.expected,
                               got=result.got, message=message or result.message, hint=text,
                               hidden=True, point_label=result.point_label))
    return out


def _stopped_row(result: CheckResult) -> bool:
    return result.stopped is not None


def check_runs(runs: Sequence[Run], expectations: Sequence[Mapping[str, Expectation]], *,
               kind: str, answers: Sequence[str], variables: Sequence[str] = (),
               hints: Mapping[str, str] | None = None,
               withheld: Sequence[str] = (),
               context: Context | None = None) -> list[CheckResult]:
    """All checks for a submission: ``runs[i]`` judged against ``expectations[i]``.

    ``runs[0]`` is the visible point; the rest are hidden points. ``variables`` names
    the exercise's tensors, which the extraction also reports so that a ``None``
    gradient can be explained (an integer variable, an unwatched constant).
    """
    context = context or Context(kind=kind, hints=dict(hints or {}))
    checks: list[CheckResult] = []
    if not runs:
        return checks
    visible_run, hidden_runs = runs[0], runs[1:]
    per_hidden = context.weight("hidden") / len(hidden_runs) if hidden_runs else 0.0
    for name in answers:
        expect = expectations[0][name]
        obs = visible_run.answers.get(name)
        var_obs = {v: visible_run.answers[v] for v in variables if v in visible_run.answers}
        visible = check_value(obs, expect, run=visible_run, variables=var_obs,
                              max_score=context.weight("visible"), context=context)
        checks.append(visible)
        checks.append(check_dtype(obs, expect, hints=context.hints,
                                  max_score=context.weight("dtype")))
        if kinds.get(kind).tape and not (expect.answer is not None and expect.answer.value):
            judged = [(r, r.answers.get(name), e[name]) for r, e in zip(runs, expectations)]
            checks.append(check_tape(judged, name, value_passed=visible.passed,
                                     hints=context.hints, max_score=context.weight("tape"),
                                     withheld=withheld))
        hidden_rows, observations = [], [obs]
        for run, expects in zip(hidden_runs, expectations[1:]):
            h_obs = run.answers.get(name)
            h_vars = {v: run.answers[v] for v in variables if v in run.answers}
            hidden_rows.append(check_value(h_obs, expects[name], run=run, variables=h_vars,
                                           max_score=per_hidden, context=context))
            observations.append(h_obs)
        checks.extend(_hidden_hints(hidden_rows, visible, observations,
                                    [e[name] for e in expectations], context, name))
    for requirement in context.requires:
        checks.append(check_requirement(requirement, runs, answers, expectations,
                                        context=context, withheld=withheld))
    return checks


def _evidence_of(obs: Observed | None) -> tuple:
    if obs is None or obs.status != "ok":
        return ()
    if obs.items:
        return tuple(e for item in obs.items for e in item.evidence)
    return obs.evidence


def check_requirement(name: str, runs: Sequence[Run], answers: Sequence[str],
                      expectations: Sequence[Mapping[str, Expectation]], *, context: Context,
                      withheld: Sequence[str] = ()) -> CheckResult:
    """One ``requires`` entry, judged at every run (grader/kinds/requirements.py): the
    tape-made answers' evidence, or the answer code's ast."""
    from grader.kinds import requirements

    requirement = requirements.get(name)
    base = dict(name=f"requirement: {requirement.title}", max_score=context.weight("requires"),
                expected=requirement.title)
    if requirement.evidence and withheld:
        return CheckResult(passed=False, score=0.0, got="withheld for review",
                           message="Withheld for an instructor's review.", **base)
    for run, expects in zip(runs, expectations):
        tape_made = [a for a in answers
                     if not (expects[a].answer is not None and expects[a].answer.value)]
        if requirement.evidence and any(run.answers.get(a) is None
                                        or run.answers[a].status != "ok" for a in tape_made):
            return CheckResult(passed=False, score=0.0, got=None,
                               message=f"At the {run.label}: no answer to judge.", **base)
        made = requirements.Made(evidence={a: _evidence_of(run.answers.get(a))
                                           for a in tape_made}, code=tuple(context.code))
        why = requirement.judge(made)
        if why is not None:
            return CheckResult(passed=False, score=0.0, got=why,
                               message=f"At the {run.label}: {why}." if requirement.evidence
                               else f"{why[0].upper()}{why[1:]}.",
                               hint=context.text(name), **base)
        if not requirement.evidence:
            break  # the code is the same at every point
    return CheckResult(passed=True, score=base["max_score"], got=requirement.title,
                       message="Made as required.", **base)


def passed(checks: Sequence[CheckResult]) -> bool:
    """The verdict: every check passed. Not ``score == max_score``: a check a spec
    weighs at 0 (the tape check, say) must still pass for the submission to pass."""
    return bool(checks) and all(c.passed for c in checks)


def total(checks: Sequence[CheckResult]) -> tuple[float, float]:
    """(score, max_score), rounded so that float sums print cleanly."""
    score = round(sum(c.score for c in checks), 6)
    max_score = round(sum(c.max_score for c in checks), 6)
    return score, max_score
