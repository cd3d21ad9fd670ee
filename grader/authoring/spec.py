"""The exercise spec: one TOML file per exercise, loaded into a frozen dataclass.

A spec is written by an instructor and read by every later stage (rendering,
reference answers, checking, reports), so a mistake in it must be caught here, at
load time, with a message that names the file, the key, what was expected and what
was found, and the nearest key when a name looks like a typo. Loading is cheap (no
engine, no notebooks): ``grader list`` and ``grader check`` load specs on every call.
The expensive authoring checks (reference vs ``expected`` vs finite differences, the
solution's answers) live in ``grader/validate.py``.

The layout of a spec file (every key is described in ``grader new``'s scaffold)::

    id = "quadratic_derivative"          # must match the file name
    title = "..."
    kind = "gradient"                    # a name from grader.kinds (its keys below)
    dtype = "float32"                    # the float dtype the answers must have
    function = "x**2 + 2*x - 1"          # grader/expr.py's language
    statement = "..."                    # Markdown
    starter = "..."                      # the answer cell students start from
    steps = ["...", "..."]               # optional; default steps per kind
    [[variables]]  name, point, dtype?, role?, param?, description?
    requires = ["persistent-tape", ...]  # optional: how the answers must be made
    [[answers]]    name, of, order?, function?, description?, rtol?, atol?,
                   value?, output_gradients?, unconnected?, call?, args?, history?
    [expected]     ANSWER = number | nested list          (optional)
    [tolerance]    rtol?, atol?
    [hidden]       count?, range? | spread?, vary?
    [hints]        KEY = "text"                            (optional)
    [points]       visible?, hidden?, tape?, dtype?        (optional)
    [training]     optimizer, learning_rate, epochs, momentum?, batch_size?, clipnorm?
                   (kind = "training" / "model-training")
    [custom_gradient]  gradient                            (kind = "custom-gradient")

What a kind allows (several sources per answer, ``order`` above 1, its own tables
such as ``[training]``) is declared by the kind's module in ``grader/kinds/``; this
module asks the registry and knows no kind by name.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from grader import kinds
from grader.authoring import expr
from grader.kinds import requirements
from grader.errors import ExpressionError, SpecError, UnknownExerciseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FLOAT_DTYPES = ("float16", "float32", "float64")
DTYPES = FLOAT_DTYPES + ("int32", "int64")
ROLES = ("variable", "constant")
# Failure kinds a spec may give its own hint for (grader/check.py fills in the rest).
HINT_KEYS = ("none", "value", "dtype", "shape", "hardcoded", "not_tape", "runtime_error",
             "sign", "factor", "missing", "nan", "not_followed", "cell_error", "none_int",
             "none_constant", "not_number")
POINT_KEYS = ("visible", "hidden", "tape", "dtype", "requires")
UNCONNECTED = ("none", "zero")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------------------
# The dataclasses
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Tolerance:
    """How close counts as right: ``|got - want| <= atol + rtol * |want|``."""

    rtol: float = 1e-5
    atol: float = 1e-6

    def allclose(self, got: Any, want: Any) -> bool:
        return bool(np.allclose(got, want, rtol=self.rtol, atol=self.atol))


@dataclass(frozen=True)
class VariableSpec:
    """One input of the function.

    ``point`` is the visible point as written in the spec (a number, a nested list or
    a creation call such as ``"fill((2,3), 3.0)"``); ``value`` is it as an array
    (float64 for float dtypes, int64 for integer ones). ``role`` says how the student
    holds it: a ``tf.Variable`` (``"variable"``; in training, a trained parameter) or a
    ``tf.constant`` (``"constant"``: watched, or data in training). ``param`` is the
    Python name the parameters cell assigns the point to (default ``NAME0``).
    """

    name: str
    point: Any
    dtype: str
    role: str = "variable"
    param: str = ""
    description: str = ""
    value: np.ndarray = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class AnswerSpec:
    """One name the student's answer cell assigns, and what it must hold.

    ``of`` names the variable(s): the source(s) of the derivative or Jacobian, or the
    trained parameter. With several sources the answer is a list (one gradient per
    source, stacked for comparison). ``order`` is the derivative's order; ``function``
    overrides the spec's function for this answer (e.g. two targets on one
    persistent tape).
    """

    name: str
    of: tuple[str, ...]
    order: int = 1
    function: str = ""
    description: str = ""
    expression: expr.Expression = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    # This answer's own tolerance (None: the spec's [tolerance]).
    tolerance: "Tolerance | None" = None
    # The answer is the function's value (a loss), not a derivative: no tape check.
    value: bool = False
    # ``output_gradients``: the upstream weights of the gradient, as a function.
    output_gradients: str = ""
    upstream: expr.Expression | None = field(default=None, compare=False, repr=False)
    # What a source the target does not depend on gives: "zero" when the student must
    # pass ``unconnected_gradients=tf.UnconnectedGradients.ZERO``.
    unconnected: str = "none"
    # A function answer: the notebook defines ``call``, the grader calls it with the
    # parameters of ``args`` (grader/kernel/calls.py) and judges what it returns.
    call: str = ""
    args: tuple[str, ...] = ()
    # model-training: the loss of every step, in order.
    history: bool = False

    @property
    def is_list(self) -> bool:
        return len(self.of) > 1


@dataclass(frozen=True)
class HiddenSpec:
    """How the hidden points are drawn: ``count`` of them, each varied variable drawn
    uniformly from ``range`` (absolute) or from ``value ± spread * max(|value|, 1)``."""

    count: int = 3
    range: tuple[float, float] | None = None
    spread: float | None = 0.5
    vary: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingSpec:
    """The reference training loop: minimise ``function`` over the role-"variable"
    variables with this optimizer for ``epochs`` full-batch steps."""

    optimizer: str = "sgd"
    learning_rate: float = 0.01
    epochs: int = 100
    momentum: float = 0.0
    # model-training: examples per step (0: the whole data set), in order, and the
    # optimizer's ``clipnorm`` (0: none).
    batch_size: int = 0
    clipnorm: float = 0.0


@dataclass(frozen=True, eq=False)
class Spec:
    """One exercise, as loaded from ``path`` (see the module docstring for the keys).

    Two specs are equal when they come from the same bytes of the same file, which
    also makes a spec hashable (its fields hold arrays and dicts)."""

    id: str
    title: str
    kind: str
    statement: str
    function: str
    variables: tuple[VariableSpec, ...]
    dtype: str
    answers: tuple[AnswerSpec, ...]
    expected: Mapping[str, Any]
    tolerance: Tolerance
    hidden: HiddenSpec
    hints: Mapping[str, str]
    starter: str
    path: Path
    sha256: str
    steps: tuple[str, ...] = ()
    points: Mapping[str, float] = field(default_factory=dict)
    training: TrainingSpec | None = None
    # How the answers must be made (grader/kinds/requirements.py), each its own check.
    requires: tuple[str, ...] = ()
    # The kind's own tables (grader/kinds: Kind.tables), parsed, by key.
    tables: Mapping[str, Any] = field(default_factory=dict)
    expression: expr.Expression = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Spec):
            return NotImplemented
        return (self.path, self.sha256) == (other.path, other.sha256)

    def __hash__(self) -> int:
        return hash((self.path, self.sha256))

    def variable(self, name: str) -> VariableSpec:
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(name)

    @property
    def answer_names(self) -> list[str]:
        return [a.name for a in self.answers]

    def visible_values(self) -> dict[str, np.ndarray]:
        return {v.name: v.value for v in self.variables}


# ---------------------------------------------------------------------------
# Reading TOML with errors that say where
# ---------------------------------------------------------------------------

def _did_you_mean(word: str, options: Any) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class _Reader:
    """Typed access to one table of the TOML document, remembering its key path."""

    def __init__(self, path: Path, table: Mapping[str, Any], where: str = ""):
        self.path = path
        self.table = table
        self.where = where

    def key(self, name: str) -> str:
        return f"{self.where}{name}" if self.where else name

    def error(self, name: str | None, message: str, fix: str | None = None) -> SpecError:
        where = f"key `{self.key(name)}`" if name else (f"table `{self.where.rstrip('.')}`"
                                                        if self.where else None)
        return SpecError(message, path=str(self.path), where=where, fix=fix)

    def known(self, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        allowed = required + optional
        for name in self.table:
            if name not in allowed:
                raise self.error(name, f"unknown key `{name}` (allowed here: "
                                 f"{', '.join(allowed)})",
                                 _did_you_mean(name, allowed) or "remove it")
        for name in required:
            if name not in self.table:
                raise self.error(name, f"missing required key `{name}`",
                                 f"add `{name} = ...` (see `grader new` for a commented example)")

    def get(self, name: str, check: Callable[[Any], bool], expected: str,
            default: Any = None) -> Any:
        if name not in self.table:
            return default
        value = self.table[name]
        if not check(value):
            raise self.error(name, f"expected {expected}, found {_type_name(value)}")
        return value

    def text(self, name: str, default: str | None = None) -> str:
        value = self.get(name, lambda v: isinstance(v, str), "a string", default)
        if value is None:
            raise self.error(name, f"missing required key `{name}`")
        return value

    def number(self, name: str, default: float | None = None, *, positive: bool = False,
               minimum: float | None = None) -> float:
        value = self.get(name, _is_number, "a number", default)
        if value is None:
            return value
        if not math.isfinite(value):
            raise self.error(name, f"expected a finite number, found {value!r}")
        if positive and value <= 0:
            raise self.error(name, f"expected a positive number, found {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(name, f"expected a number >= {minimum}, found {value!r}")
        return float(value)

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        value = self.get(name, lambda v: isinstance(v, int) and not isinstance(v, bool),
                         "an integer", default)
        if value < minimum:
            raise self.error(name, f"expected an integer >= {minimum}, found {value!r}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(name, default)
        if value not in options:
            raise self.error(name, f"expected one of {', '.join(options)}, found {value!r}",
                             _did_you_mean(value, options))
        return value

    def table_at(self, name: str) -> "_Reader":
        value = self.get(name, lambda v: isinstance(v, dict), "a table", {})
        return _Reader(self.path, value, self.key(name) + ".")

    def tables(self, name: str) -> list["_Reader"]:
        value = self.table.get(name)
        if value is None:
            raise self.error(name, f"missing required key `{name}`",
                             f"add at least one `[[{name}]]` table")
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.error(name, f"expected a non-empty array of tables (`[[{name}]]`), "
                             f"found {_type_name(value)}")
        return [_Reader(self.path, item, f"{self.key(name)}[{i}].") for i, item in enumerate(value)]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_nested_numbers(value: Any) -> bool:
    if _is_number(value):
        return True
    return isinstance(value, list) and bool(value) and all(_is_nested_numbers(v) for v in value)


def _numeric_array(reader: _Reader, name: str, value: Any) -> np.ndarray:
    """A number or a rectangular nested list of numbers, finite, as an array."""
    if not _is_nested_numbers(value):
        raise reader.error(name, f"expected a number or a nested list of numbers, found "
                           f"{_type_name(value)}")
    try:
        array = np.array(value)
    except ValueError:
        raise reader.error(name, "the nested list is not rectangular (rows of different "
                           "lengths)") from None
    if array.dtype.kind not in "if":
        raise reader.error(name, "the nested list is not rectangular (rows of different "
                           "lengths)")
    if not np.all(np.isfinite(array)):
        raise reader.error(name, f"expected finite numbers, found {value!r}",
                           "NaN and infinity cannot be a point or an answer")
    return array


# ---------------------------------------------------------------------------
# The sections
# ---------------------------------------------------------------------------

def _identifier(reader: _Reader, name: str, what: str) -> str:
    value = reader.text(name)
    if not value.isidentifier() or keyword.iskeyword(value):
        raise reader.error(name, f"{what} must be a Python name, found {value!r}")
    if value in expr.reserved_names():
        raise reader.error(name, f"{what} {value!r} is a reserved function name",
                           "pick another name")
    return value


def _infer_dtype(value: np.ndarray) -> str:
    """TensorFlow's rule for Python literals: a float becomes float32, an int int32."""
    return "int32" if value.dtype.kind == "i" else "float32"


def _variable(reader: _Reader) -> VariableSpec:
    reader.known(("name", "point"), ("dtype", "role", "param", "description"))
    name = _identifier(reader, "name", "a variable name")
    raw = reader.table["point"]
    if isinstance(raw, str):
        try:
            value = expr.creation_value(raw)
        except ExpressionError as err:
            raise reader.error("point", err.bare_message, err.fix) from None
        if not np.all(np.isfinite(value)):
            raise reader.error("point", f"expected finite numbers, found {raw!r}")
    else:
        value = _numeric_array(reader, "point", raw)
    dtype = reader.choice("dtype", DTYPES, _infer_dtype(value))
    if dtype in FLOAT_DTYPES:
        value = value.astype(np.float64)
    elif value.dtype.kind != "i":
        raise reader.error("point", f"the point {raw!r} is not an integer but dtype is {dtype}",
                           "write integer literals or a float dtype")
    else:
        value = value.astype(np.int64)
    param = reader.text("param", f"{name}0")
    if not param.isidentifier() or keyword.iskeyword(param):
        raise reader.error("param", f"param must be a Python name, found {param!r}")
    return VariableSpec(name=name, point=_freeze(raw), dtype=dtype,
                        role=reader.choice("role", ROLES, "variable"), param=param,
                        description=reader.text("description", ""), value=value)


def _freeze(value: Any) -> Any:
    """Nested lists as nested tuples, so a VariableSpec stays hashable."""
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


def _parse_function(reader: _Reader, name: str, text: str,
                    variables: tuple[str, ...]) -> expr.Expression:
    try:
        return expr.parse(text, variables)
    except ExpressionError as err:
        detail = f" ({err.where})" if err.where else ""
        raise ExpressionError(err.bare_message + detail, path=str(reader.path),
                              where=f"key `{reader.key(name)}`", fix=err.fix) from None


_ANSWER_OPTIONAL = ("order", "function", "description", "rtol", "atol", "value",
                    "output_gradients", "unconnected", "call", "args", "history")


def _names_list(reader: _Reader, key: str, variables: tuple[str, ...]) -> tuple[str, ...]:
    raw = reader.get(key, lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                     "a list of variable names", None)
    if raw is None:
        return variables
    for name in raw:
        if name not in variables:
            raise reader.error(key, f"`{name}` is not a variable of this exercise "
                               f"(variables: {', '.join(variables)})",
                               _did_you_mean(name, variables))
    return tuple(raw)


def _answer(reader: _Reader, kind: kinds.Kind, variables: tuple[str, ...],
            main: expr.Expression) -> AnswerSpec:
    value = reader.get("value", lambda v: isinstance(v, bool), "true or false", False)
    history = reader.get("history", lambda v: isinstance(v, bool), "true or false", False)
    needs_of = not (value or history)
    reader.known(("name", "of") if needs_of else ("name",),
                 _ANSWER_OPTIONAL + (() if needs_of else ("of",)))
    name = _identifier(reader, "name", "an answer name")
    raw_of = reader.get("of", lambda v: isinstance(v, str) or (
        isinstance(v, list) and v and all(isinstance(s, str) for s in v)),
        "a variable name or a list of them", [])
    of = (raw_of,) if isinstance(raw_of, str) else tuple(raw_of)
    for source in of:
        if source not in variables:
            raise reader.error("of", f"`{source}` is not a variable of this exercise "
                               f"(variables: {', '.join(variables)})",
                               _did_you_mean(source, variables))
    if len(set(of)) != len(of):
        raise reader.error("of", f"a variable is listed twice in {list(of)}")
    if needs_of and not of:
        raise reader.error("of", "expected a variable name or a list of them, found an "
                           "empty list")
    order = reader.integer("order", 1, minimum=1)
    function = reader.text("function", "")
    expression = _parse_function(reader, "function", function, variables) if function else main
    tolerance = None
    if "rtol" in reader.table or "atol" in reader.table:
        tolerance = Tolerance(rtol=reader.number("rtol", 1e-5, minimum=0.0),
                              atol=reader.number("atol", 1e-6, minimum=0.0))
    upstream_text = reader.text("output_gradients", "")
    upstream = (_parse_function(reader, "output_gradients", upstream_text, variables)
                if upstream_text else None)
    if (value or history) and (upstream or order > 1):
        raise reader.error("value" if value else "history", "a value answer has no "
                           "`order` or `output_gradients`", "remove those keys")
    if value and history:
        raise reader.error("history", "an answer is either a `value` or a `history`",
                           "keep one of the two")
    call = reader.text("call", "")
    if call and (not call.isidentifier() or keyword.iskeyword(call)):
        raise reader.error("call", f"call must name a Python function, found {call!r}")
    if "args" in reader.table and not call:
        raise reader.error("args", "`args` needs `call` (the function they are passed to)",
                           "add `call = \"NAME\"` or remove `args`")
    answer = AnswerSpec(name=name, of=of, order=order, function=function,
                        description=reader.text("description", ""), expression=expression,
                        tolerance=tolerance, value=value, output_gradients=upstream_text,
                        upstream=upstream,
                        unconnected=reader.choice("unconnected", UNCONNECTED, "none"),
                        call=call, args=_names_list(reader, "args", variables) if call else (),
                        history=history)
    kind.check_answer(reader, answer)
    return answer


def _hidden(reader: _Reader, variables: tuple[str, ...]) -> HiddenSpec:
    reader.known((), ("count", "range", "spread", "vary"))
    count = reader.integer("count", 3, minimum=0)
    if "range" in reader.table and "spread" in reader.table:
        raise reader.error("range", "give either `range` or `spread`, not both")
    low_high = None
    if "range" in reader.table:
        raw = reader.table["range"]
        if not (isinstance(raw, list) and len(raw) == 2 and all(_is_number(v) for v in raw)):
            raise reader.error("range", f"expected [low, high], found {_type_name(raw)}")
        if not all(math.isfinite(v) for v in raw) or raw[0] >= raw[1]:
            raise reader.error("range", f"expected finite low < high, found {raw!r}")
        low_high = (float(raw[0]), float(raw[1]))
    spread = None if low_high else reader.number("spread", 0.5, positive=True)
    vary = reader.get("vary", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                      "a list of variable names", list(variables))
    for name in vary:
        if name not in variables:
            raise reader.error("vary", f"`{name}` is not a variable of this exercise",
                               _did_you_mean(name, variables))
    if count and not vary:
        raise reader.error("vary", "hidden points need at least one variable to vary",
                           "list a variable in `vary`, or set `count = 0`")
    return HiddenSpec(count=count, range=low_high, spread=spread, vary=tuple(vary))


def _expected(reader: _Reader, answers: tuple[AnswerSpec, ...]) -> dict[str, np.ndarray]:
    names = [a.name for a in answers]
    out = {}
    for name, value in reader.table.items():
        if name not in names:
            raise reader.error(name, f"`{name}` is not an answer of this exercise "
                               f"(answers: {', '.join(names)})", _did_you_mean(name, names))
        out[name] = _numeric_array(reader, name, value).astype(np.float64)
    return out


def _strings(reader: _Reader, options: tuple[str, ...] | None) -> dict[str, str]:
    out = {}
    for name, value in reader.table.items():
        if options is not None and name not in options:
            raise reader.error(name, f"unknown key `{name}` (allowed here: {', '.join(options)})",
                               _did_you_mean(name, options))
        if not isinstance(value, str):
            raise reader.error(name, f"expected a string, found {_type_name(value)}")
        out[name] = value
    return out


def _points(reader: _Reader) -> dict[str, float]:
    reader.known((), POINT_KEYS)
    return {name: reader.number(name, minimum=0.0) for name in reader.table}


_TOP_REQUIRED = ("id", "title", "kind", "statement", "function", "variables", "answers",
                 "starter")
_TOP_OPTIONAL = ("dtype", "expected", "tolerance", "hidden", "hints", "steps", "points",
                 "requires")


def _kind_tables() -> tuple[str, ...]:
    """Every top-level table some kind adds (``training`` ...): allowed keys, each
    refused with a message when the spec's kind is another."""
    return tuple(dict.fromkeys(t for n in kinds.names() for t in kinds.get(n).tables))


def _tables_of(top: _Reader, kind: kinds.Kind, document: Mapping[str, Any]) -> dict[str, Any]:
    parsed = {}
    for key, table in kind.tables.items():
        if key in document:
            parsed[key] = table.parse(top.table_at(key))
        elif table.required:
            raise top.error(key, f"missing required key `{key}` for kind = \"{kind.name}\"",
                            table.fix or None)
    for key in _kind_tables():
        if key in document and key not in kind.tables:
            owner = next(n for n in kinds.names() if key in kinds.get(n).tables)
            raise top.error(key, f"a [{key}] table needs kind = \"{owner}\", this exercise "
                            f"is {kind.name!r}", "remove the table or change the kind")
    return parsed


def parse_spec(data: bytes, path: Path) -> Spec:
    """Validate and build a spec from the TOML bytes of ``path`` (see module docstring)."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise SpecError(f"not UTF-8 text ({err})", path=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"not valid TOML: {err}", path=str(path),
                        fix="check quotes, brackets and `key = value` lines") from None
    top = _Reader(path, document)
    top.known(_TOP_REQUIRED, _TOP_OPTIONAL + _kind_tables())
    spec_id = top.text("id")
    if not _ID.match(spec_id):
        raise top.error("id", f"expected lower-case letters, digits and _, found {spec_id!r}")
    if spec_id != path.stem:
        raise top.error("id", f"the id {spec_id!r} differs from the file name {path.name!r}",
                        f"rename the file to {spec_id}.toml or set id = {path.stem!r}")
    kind = kinds.get(top.choice("kind", kinds.names()))
    variables = tuple(_variable(r) for r in top.tables("variables"))
    names = tuple(v.name for v in variables)
    if len(set(names)) != len(names):
        raise top.error("variables", f"two variables share a name: {list(names)}")
    params = [v.param for v in variables]
    if len(set(params)) != len(params) or set(params) & set(names):
        raise top.error("variables", f"the parameter names {params} must be distinct from "
                        f"each other and from the variables {list(names)}",
                        "set `param` on the variables that clash")
    function = top.text("function")
    main = _parse_function(top, "function", function, names)
    answers = tuple(_answer(r, kind, names, main) for r in top.tables("answers"))
    for index, answer in enumerate(answers):
        shapes = {tuple(v.value.shape) for v in variables if v.name in answer.of}
        if len(shapes) > 1:
            raise top.error(f"answers[{index}].of", f"the sources {list(answer.of)} have "
                            f"different shapes {sorted(shapes)}, so one list cannot hold "
                            "their gradients for comparison", "use one answer per source")
    answer_names = [a.name for a in answers]
    if len(set(answer_names)) != len(answer_names):
        raise top.error("answers", f"two answers share a name: {answer_names}")
    clash = set(answer_names) & set(params)
    if clash:
        raise top.error("answers", f"answer names {sorted(clash)} are also parameter names")
    tables = _tables_of(top, kind, document)
    steps = top.get("steps", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                    "a list of strings", [])
    spec = Spec(
        id=spec_id, title=top.text("title"), kind=kind.name, statement=top.text("statement"),
        function=function, variables=variables,
        dtype=top.choice("dtype", FLOAT_DTYPES, "float32"), answers=answers,
        expected=_expected(top.table_at("expected"), answers),
        tolerance=_tolerance(top.table_at("tolerance")),
        hidden=_hidden(top.table_at("hidden"), names),
        hints=_strings(top.table_at("hints"), HINT_KEYS + requirements.names()),
        starter=top.text("starter"),
        path=path, sha256=hashlib.sha256(data).hexdigest(), steps=tuple(steps),
        points=_points(top.table_at("points")), training=tables.get("training"),
        tables=tables, expression=main, requires=_requires(top),
    )
    kind.check_spec(top, spec, document)
    for name in spec.requires:
        if requirements.get(name).evidence and not kind.tape:
            raise top.error("requires", f"{name!r} is judged from the tape's evidence, and "
                            f"a {kind.name} exercise's answers do not come from the tape",
                            "remove it, or use a requirement judged from the code "
                            "(custom-gradient, no-numpy-in-tape)")
    _check_defined(spec, top)
    return spec


def _requires(top: _Reader) -> tuple[str, ...]:
    """The ``requires`` list: known requirement names, each once."""
    raw = top.get("requires", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                  "a list of requirement names", [])
    known = requirements.names()
    for name in raw:
        if name not in known:
            raise top.error("requires", f"unknown requirement {name!r} (known: "
                            f"{', '.join(known)})", _did_you_mean(name, known))
    if len(set(raw)) != len(raw):
        raise top.error("requires", f"a requirement is listed twice in {raw}")
    return tuple(raw)


def _tolerance(reader: _Reader) -> Tolerance:
    reader.known((), ("rtol", "atol"))
    return Tolerance(rtol=reader.number("rtol", 1e-5, minimum=0.0),
                     atol=reader.number("atol", 1e-6, minimum=0.0))


def _check_defined(spec: Spec, top: _Reader) -> None:
    """The function must be defined (finite, shapes that fit) at the visible point."""
    values = spec.visible_values()
    for answer in spec.answers:
        key = f"answers[{spec.answers.index(answer)}].function" if answer.function else "function"
        try:
            result = answer.expression.evaluate(values)
        except ValueError as err:  # shapes that do not broadcast
            result = None
            problem = str(err)
        if result is None or not np.all(np.isfinite(result)):
            shown = ", ".join(f"{v.name} = {format_value(v.value)}" for v in spec.variables)
            raise top.error(key, f"`{answer.expression.text}` is not defined at the visible "
                            f"point ({shown}): "
                            + (problem if result is None else f"it gives {format_value(result)}"),
                            "move the point into the function's domain, or change the function")


def format_value(value: Any) -> str:
    """A number or array for a message: ``6.0``, ``[[6.0, 6.0], [6.0, 6.0]]``, 10 digits."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return _format_number(float(array))
    text = np.array2string(array, separator=", ", threshold=24,
                           formatter={"float_kind": _format_number})
    return " ".join(text.split())  # one line, whatever the shape


def _format_number(number: float) -> str:
    text = f"{number:.10g}"
    return text + ".0" if text.lstrip("-").isdigit() else text


# ---------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------

def load_spec(path: str | Path) -> Spec:
    """Read and validate one spec file; SpecError says what is wrong and where."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SpecError(f"cannot read the spec: {err.strerror}", path=str(path)) from None
    return parse_spec(data, path)


def load_course(exercises_dir: str | Path) -> list[Spec]:
    """Every spec in ``exercises_dir``, sorted by id; any bad file is a SpecError
    listing all bad files."""
    folder = Path(exercises_dir)
    if not folder.is_dir():
        raise SpecError("no such exercises folder", path=str(folder),
                        fix="pass --exercises DIR pointing at a folder of *.toml specs")
    specs, problems = [], []
    for path in spec_paths(folder):
        try:
            specs.append(load_spec(path))
        except SpecError as err:
            problems.append(str(err))
    if problems:
        raise SpecError(f"{len(problems)} exercise spec(s) are invalid:\n" + "\n".join(problems),
                        path=str(folder))
    return sorted(specs, key=lambda s: s.id)


COURSE_FILE = "course.toml"


def spec_paths(folder: str | Path) -> list[Path]:
    """The exercise spec files of a folder: every ``*.toml`` but the course file."""
    return sorted(p for p in Path(folder).glob("*.toml") if p.name != COURSE_FILE)


def exercise_ids(exercises_dir: str | Path) -> list[str]:
    """The ids (file stems) in a folder, without loading them."""
    return [p.stem for p in spec_paths(exercises_dir)]


def find_spec(exercise_id: str, exercises_dir: str | Path) -> Spec:
    """The spec with this id; an unknown id is a SpecError with the nearest ids."""
    folder = Path(exercises_dir)
    path = folder / f"{exercise_id}.toml"
    if not _ID.match(exercise_id) or not path.is_file() or path.name == COURSE_FILE:
        ids = exercise_ids(folder)
        raise UnknownExerciseError(
            f"unknown exercise {exercise_id!r}", path=str(folder),
            fix=_did_you_mean(exercise_id, ids) or f"known exercises: {', '.join(ids) or 'none'}",
            exercise=exercise_id, known=difflib.get_close_matches(exercise_id, ids, n=3, cutoff=0.0))
    return load_spec(path)
