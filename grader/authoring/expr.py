"""The spec's function language: a small, safe subset of Python expressions.

An exercise states its function as text (``"x**2 + 2*x - 1"``). That text is parsed
with ``ast`` and every node is checked against a whitelist: numbers, the exercise's
variables, ``+ - * / **``, unary minus, the engine's math and reduction names
(bare, or spelled ``tf.X`` / ``tf.math.X`` / ``tf.nn.X`` as students write them, the
reductions with ``axis=`` and ``keepdims=``), indexing with literal integers and slices
(``x[0] * x[1]``, ``x[:, 0]``), ``where(x > 0, a, b)`` (a comparison is allowed only as
``where``'s condition), ``transpose``, ``matmul``, ``stop_gradient`` and
``clip_by_value``.
Nothing is ever passed to ``eval``: a parsed :class:`Expression` is a tree of our own
nodes, which evaluates three ways:

* :meth:`Expression.evaluate` with numpy in float64 (finite differences, plots;
  ``frozen=`` gives the point ``stop_gradient`` holds still while differences move
  the others, so both routes agree on what ``stop_gradient`` means),
* :meth:`Expression.to_tape` with the engine's ops, so a tape can differentiate it,
* :meth:`Expression.latex` for the statement shown to students.

The same module reads a variable's point when it is written as a creation call such
as ``fill((2, 3), 3.0)`` (:func:`creation_value`).
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from grader.errors import ExpressionError


# ---------------------------------------------------------------------------
# The whitelist: one table of functions
# ---------------------------------------------------------------------------

def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


@dataclass(frozen=True)
class _Fn:
    """One whitelisted function: its arity, its numpy form, its engine path, its LaTeX."""

    arity: int
    numpy: Callable[..., np.ndarray]
    tape: str  # attribute path under the engine module, e.g. "math.log"
    latex: str = ""  # an operator name such as r"\sin"; "" means a special form below
    reduction: bool = False


_FUNCTIONS: dict[str, _Fn] = {
    "sin": _Fn(1, np.sin, "sin", r"\sin"),
    "cos": _Fn(1, np.cos, "cos", r"\cos"),
    "tan": _Fn(1, np.tan, "math.tan", r"\tan"),
    "exp": _Fn(1, np.exp, "exp", r"\exp"),
    "log": _Fn(1, np.log, "math.log", r"\ln"),
    "log1p": _Fn(1, np.log1p, "math.log1p", r"\operatorname{log1p}"),
    "sqrt": _Fn(1, np.sqrt, "sqrt"),
    "square": _Fn(1, np.square, "square"),
    "tanh": _Fn(1, np.tanh, "tanh", r"\tanh"),
    "abs": _Fn(1, np.abs, "abs"),
    "negative": _Fn(1, np.negative, "negative"),
    "reciprocal": _Fn(1, np.reciprocal, "math.reciprocal"),
    "sigmoid": _Fn(1, _sigmoid, "math.sigmoid", r"\sigma"),
    "softplus": _Fn(1, lambda a: np.logaddexp(0.0, a), "math.softplus",
                    r"\operatorname{softplus}"),
    "relu": _Fn(1, lambda a: np.maximum(a, 0.0), "nn.relu", r"\operatorname{relu}"),
    "maximum": _Fn(2, np.maximum, "maximum", r"\max"),
    "minimum": _Fn(2, np.minimum, "minimum", r"\min"),
    "pow": _Fn(2, np.power, "pow"),
    "add": _Fn(2, np.add, "add"),
    "subtract": _Fn(2, np.subtract, "subtract"),
    "multiply": _Fn(2, np.multiply, "multiply"),
    "divide": _Fn(2, np.divide, "divide"),
    "matmul": _Fn(2, np.matmul, "matmul"),
    "transpose": _Fn(1, np.transpose, "transpose"),
    "stop_gradient": _Fn(1, lambda a: a, "stop_gradient", r"\operatorname{sg}"),
    "clip_by_value": _Fn(3, np.clip, "clip_by_value", r"\operatorname{clip}"),
    "where": _Fn(3, np.where, "where"),
    "reduce_sum": _Fn(1, np.sum, "reduce_sum", r"\sum", reduction=True),
    "reduce_mean": _Fn(1, np.mean, "reduce_mean", r"\operatorname{mean}", reduction=True),
    "reduce_max": _Fn(1, np.max, "reduce_max", r"\max", reduction=True),
    "reduce_min": _Fn(1, np.min, "reduce_min", r"\min", reduction=True),
    "reduce_prod": _Fn(1, np.prod, "reduce_prod", r"\prod", reduction=True),
}

_CONSTANTS = {"pi": math.pi}
_PREFIXES = ("tf", "tf.math", "tf.nn")
_MAX_POWER = 64  # a literal exponent above this is an authoring mistake, not a function


def function_names() -> list[str]:
    """Every function name the language accepts (for error messages and docs)."""
    return sorted(_FUNCTIONS)


def reserved_names() -> frozenset[str]:
    """Names a variable may not take: functions, constants and the ``tf`` prefix."""
    return frozenset(_FUNCTIONS) | frozenset(_CONSTANTS) | {"tf"}


# ---------------------------------------------------------------------------
# Our own tree
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Num:
    value: float | int


@dataclass(frozen=True)
class _Var:
    name: str


@dataclass(frozen=True)
class _Const:
    name: str


@dataclass(frozen=True)
class _Neg:
    operand: Any


@dataclass(frozen=True)
class _Bin:
    op: str  # one of + - * / **
    left: Any
    right: Any


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple
    axis: int | tuple[int, ...] | None = None
    keepdims: bool = False


@dataclass(frozen=True)
class _Index:
    """``operand[index]``: ``index`` a tuple of ints and (start, stop, step) slices."""

    operand: Any
    index: tuple


@dataclass(frozen=True)
class _Cmp:
    op: str  # one of < <= > >=; only as where's condition
    left: Any
    right: Any


_COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_LATEX_COMPARE = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"}


# The same Python operators serve numpy arrays and engine tensors.
_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "**": operator.pow}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison outside `where(...)`", ast.BoolOp: "`and`/`or`",
    ast.IfExp: "a conditional expression", ast.NamedExpr: "an assignment",
    ast.Await: "await", ast.JoinedStr: "an f-string", ast.Starred: "unpacking",
}


class _Parser:
    """Turns a Python ``ast`` into our tree, refusing anything not whitelisted."""

    def __init__(self, text: str, variables: Iterable[str]):
        self.text = text
        self.variables = tuple(variables)

    def fail(self, node: ast.AST | None, message: str, fix: str | None = None) -> ExpressionError:
        where = None
        if node is not None and hasattr(node, "col_offset"):
            where = f"column {node.col_offset + 1} of `{self.text}`"
        return ExpressionError(message, where=where, fix=fix)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` as the author wrote it."""
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def node(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return _Neg(self.node(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.node(node.operand)
            raise self.fail(node, f"the operator `{type(node.op).__name__}` is not allowed",
                            "use only + - * / ** and unary minus")
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise self.fail(node, f"the operator `{type(node.op).__name__}` is not allowed",
                                "use only + - * / ** and unary minus")
            left, right = self.node(node.left), self.node(node.right)
            if op == "**" and isinstance(right, _Num) and abs(right.value) > _MAX_POWER:
                raise self.fail(node, f"the exponent {right.value} is too large",
                                f"keep literal exponents within ±{_MAX_POWER}")
            return _Bin(op, left, right)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return _Index(self.node(node.value), self.index(node.slice))
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            raise self.fail(node, f"`{dotted or 'attribute access'}` is not allowed here",
                            "attributes are allowed only as tf.NAME(...), tf.math.NAME(...) "
                            "or tf.nn.NAME(...) calls of a whitelisted function")
        for kind, what in _REFUSED.items():
            if isinstance(node, kind):
                raise self.fail(node, f"{what} is not allowed in a function",
                                "write the function with numbers, variables, + - * / ** "
                                "and the whitelisted math names")
        raise self.fail(node, f"`{type(node).__name__}` is not allowed in a function",
                        "write the function with numbers, variables, + - * / ** and the "
                        "whitelisted math names")

    def index(self, node: ast.AST) -> tuple:
        """A literal index: ints, slices of literal ints, or a tuple of them."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        out: list = []
        for part in parts:
            if isinstance(part, ast.Slice):
                out.append(tuple(None if p is None else self.index_int(p)
                                 for p in (part.lower, part.upper, part.step)))
            else:
                out.append(self.index_int(part))
        return tuple(out)

    def index_int(self, node: ast.AST) -> int:
        try:
            value = ast.literal_eval(node)
        except ValueError:
            value = None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(node, f"an index must be a literal integer or slice, found "
                            f"`{self.segment(node)}`", "write e.g. `x[0]`, `x[1, 2]` or `x[:, 0]`")
        return value

    def condition(self, node: ast.AST) -> _Cmp:
        """``where``'s first argument: one comparison of two expressions."""
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1
                and type(node.ops[0]) in _COMPARISONS):
            raise self.fail(node, "the first argument of `where` must be one comparison "
                            "(<, <=, > or >=)", "write e.g. `where(x > 0, x**2, -x)`")
        return _Cmp(_COMPARISONS[type(node.ops[0])], self.node(node.left),
                    self.node(node.comparators[0]))

    def number(self, node: ast.Constant) -> _Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, f"the literal {value!r} is not a number",
                            "only int and float literals are allowed")
        if not math.isfinite(value):
            raise self.fail(node, f"the literal {value!r} is not finite")
        return _Num(value)

    def name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return _Var(node.id)
        if node.id in _CONSTANTS:
            return _Const(node.id)
        if node.id in _FUNCTIONS:
            raise self.fail(node, f"`{node.id}` is a function; call it, e.g. `{node.id}(x)`")
        known = list(self.variables) + list(_CONSTANTS)
        raise self.fail(node, f"unknown name `{node.id}` (the variables are "
                        f"{', '.join(self.variables) or 'none'})", _did_you_mean(node.id, known))

    def call(self, node: ast.Call) -> _Call:
        fname = self.function_name(node.func)
        fn = _FUNCTIONS[fname]
        if len(node.args) != fn.arity or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"`{fname}` takes {fn.arity} argument(s), got {len(node.args)}")
        if fname == "where":
            args = (self.condition(node.args[0]),) + tuple(self.node(a) for a in node.args[1:])
        else:
            args = tuple(self.node(a) for a in node.args)
        axis, keepdims = None, False
        for kw in node.keywords:
            if not fn.reduction or kw.arg not in ("axis", "keepdims"):
                allowed = "axis= and keepdims=" if fn.reduction else "no keyword arguments"
                raise self.fail(node, f"`{fname}` does not take the keyword `{kw.arg}`",
                                f"`{fname}` accepts {allowed}")
            value = self.literal(kw.value)
            if kw.arg == "keepdims":
                if not isinstance(value, bool):
                    raise self.fail(kw.value, f"keepdims must be True or False, got {value!r}")
                keepdims = value
            else:
                axis = _axis(value)
                if axis is _BAD:
                    raise self.fail(kw.value, f"axis must be an int or a list of ints, "
                                    f"got {value!r}")
        return _Call(fname, args, axis, keepdims)

    def function_name(self, func: ast.AST) -> str:
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            dotted = _dotted(func)
            prefix, _, name = (dotted or "").rpartition(".")
            if prefix not in _PREFIXES:
                raise self.fail(func, f"calling `{self.segment(func)}` is not allowed",
                                "call whitelisted names bare (`sin(x)`) or as tf.sin, "
                                "tf.math.log, tf.nn.relu")
        else:
            raise self.fail(func, f"calling `{self.segment(func)}` is not allowed",
                            "call a whitelisted math name, e.g. `sin(x)`")
        if name not in _FUNCTIONS:
            raise self.fail(func, f"`{name}` is not an allowed function",
                            _did_you_mean(name, list(_FUNCTIONS))
                            or f"allowed: {', '.join(function_names())}")
        return name

    def literal(self, node: ast.AST) -> Any:
        try:
            return ast.literal_eval(node)
        except ValueError:
            raise self.fail(node, "a keyword argument must be a literal value") from None


_BAD = object()


def _axis(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return _BAD


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean `{close[0]}`?" if close else None


# ---------------------------------------------------------------------------
# The public expression
# ---------------------------------------------------------------------------

class Expression:
    """A parsed function of named variables (see the module docstring)."""

    def __init__(self, text: str, variables: tuple[str, ...], tree: Any):
        self.text = text
        self.variables = variables
        self._tree = tree

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def used_variables(self) -> frozenset[str]:
        """The variables the expression actually mentions."""
        found: set[str] = set()
        _walk(self._tree, lambda n: found.add(n.name) if isinstance(n, _Var) else None)
        return frozenset(found)

    def evaluate(self, values: Mapping[str, Any], *,
                 frozen: Mapping[str, Any] | None = None) -> np.ndarray:
        """f at ``values`` with numpy in float64, elementwise over same-shape inputs.

        ``frozen`` is the point a finite difference starts from: what ``stop_gradient``
        wraps is evaluated there, so moving ``values`` does not move it (the tape sees
        it as a constant). Without it, ``stop_gradient`` is the identity.
        Numpy's floating-point warnings are silenced: a point where f is not defined
        gives NaN or infinity, which callers test for and explain.
        """
        arrays = _arrays(self.variables, values)
        held = _arrays(self.variables, frozen) if frozen is not None else None
        with np.errstate(all="ignore"):
            return np.asarray(_numpy(self._tree, arrays, held), dtype=np.float64)

    def holds_still(self) -> bool:
        """True when the function uses ``stop_gradient`` (finite differences then need
        ``frozen``)."""
        found: list = []
        _walk(self._tree, lambda n: found.append(n) if isinstance(n, _Call)
              and n.name == "stop_gradient" else None)
        return bool(found)

    def to_tape(self, tf: Any, tensors: Mapping[str, Any]) -> Any:
        """f built from the engine's ops on ``tensors``, so a tape records it."""
        return _tape(self._tree, tf, tensors)

    def latex(self) -> str:
        """f as LaTeX, e.g. ``x^{2} + 2 x - 1``."""
        return _latex(self._tree)[0]


def _arrays(names: tuple[str, ...], values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    return {name: np.asarray(values[name], dtype=np.float64) for name in names if name in values}


def parse(text: str, variables: Iterable[str]) -> Expression:
    """Parse ``text`` as a function of ``variables``; ExpressionError if not allowed."""
    variables = tuple(variables)
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the function is empty", fix="write an expression such as "
                              "`x**2 + 2*x - 1`")
    try:
        module = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"`{text}` is not a Python expression ({err.msg})",
                              fix="write one expression, e.g. `x**2 + 2*x - 1`") from None
    tree = _Parser(text.strip(), variables).node(module.body)
    return Expression(text.strip(), variables, tree)


def _walk(node: Any, visit: Callable[[Any], None]) -> None:
    visit(node)
    for child in _children(node):
        _walk(child, visit)


def _children(node: Any) -> tuple:
    if isinstance(node, _Neg):
        return (node.operand,)
    if isinstance(node, _Bin):
        return (node.left, node.right)
    if isinstance(node, _Call):
        return node.args
    if isinstance(node, _Index):
        return (node.operand,)
    if isinstance(node, _Cmp):
        return (node.left, node.right)
    return ()


def _slices(index: tuple) -> tuple:
    return tuple(slice(*part) if isinstance(part, tuple) else part for part in index)


# ---------------------------------------------------------------------------
# numpy
# ---------------------------------------------------------------------------

def _numpy(node: Any, arrays: Mapping[str, np.ndarray],
           frozen: Mapping[str, np.ndarray] | None = None) -> Any:
    def sub(child: Any) -> Any:
        return _numpy(child, arrays, frozen)

    if isinstance(node, _Num):
        return np.float64(node.value)  # numpy scalars: (-8.0) ** (1/3) is NaN, not complex
    if isinstance(node, _Var):
        return arrays[node.name]
    if isinstance(node, _Const):
        return _CONSTANTS[node.name]
    if isinstance(node, _Neg):
        return -sub(node.operand)
    if isinstance(node, _Bin):
        return _OPERATORS[node.op](sub(node.left), sub(node.right))
    if isinstance(node, _Index):
        return np.asarray(sub(node.operand))[_slices(node.index)]
    if isinstance(node, _Cmp):
        return _COMPARE[node.op](sub(node.left), sub(node.right))
    if node.name == "stop_gradient" and frozen is not None:
        return _numpy(node.args[0], frozen, frozen)
    if node.name == "where":
        return np.where(sub(node.args[0]), sub(node.args[1]), sub(node.args[2]))
    fn = _FUNCTIONS[node.name]
    args = [np.asarray(sub(a), dtype=np.float64) for a in node.args]
    if fn.reduction:
        return fn.numpy(args[0], axis=node.axis, keepdims=node.keepdims)
    return fn.numpy(*args)


# ---------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------

def _engine_fn(tf: Any, path: str) -> Callable[..., Any]:
    target = tf
    for part in path.split("."):
        target = getattr(target, part)
    return target


def _has_variable(node: Any) -> bool:
    found = []
    _walk(node, lambda n: found.append(n) if isinstance(n, _Var) else None)
    return bool(found)


def _tape(node: Any, tf: Any, tensors: Mapping[str, Any]) -> Any:
    if not _has_variable(node):
        # A constant part (`2`, `sin(2)`) becomes a Python float, which takes the dtype
        # of the tensor it meets; the engine would make `tf.sin(2.0)` float32 and then
        # refuse to mix it with float64. (Never an int: `2 ** 10 ** 10` would not end.)
        return float(_numpy(node, {}))
    if isinstance(node, _Var):
        return tensors[node.name]
    if isinstance(node, _Const):
        return _CONSTANTS[node.name]
    if isinstance(node, _Neg):
        return -_tape(node.operand, tf, tensors)
    if isinstance(node, _Bin):
        return _OPERATORS[node.op](_tape(node.left, tf, tensors), _tape(node.right, tf, tensors))
    if isinstance(node, _Index):
        return tf.convert_to_tensor(_tape(node.operand, tf, tensors))[_slices(node.index)]
    if isinstance(node, _Cmp):
        left, right = _tape(node.left, tf, tensors), _tape(node.right, tf, tensors)
        return _COMPARE[node.op](tf.convert_to_tensor(left, dtype=tf.float64), right)
    fn = _FUNCTIONS[node.name]
    args = [_tape(a, tf, tensors) for a in node.args]
    if node.name == "where":
        # Both branches as float64 tensors (a constant branch is a Python float).
        args = [args[0]] + [tf.convert_to_tensor(a, dtype=tf.float64) * tf.ones_like(args[0],
                            dtype=tf.float64) for a in args[1:]]
    call = _engine_fn(tf, fn.tape)
    if fn.reduction:
        axis = list(node.axis) if isinstance(node.axis, tuple) else node.axis
        return call(args[0], axis=axis, keepdims=node.keepdims)
    return call(*args)


# ---------------------------------------------------------------------------
# LaTeX: each form returns (text, precedence); higher binds tighter
# ---------------------------------------------------------------------------

_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5


def _paren(text: str) -> str:
    return rf"\left({text}\right)"


def _wrap(part: tuple[str, int], minimum: int) -> str:
    return part[0] if part[1] >= minimum else _paren(part[0])


def _latex_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


def latex_name(name: str) -> str:
    greek = {"alpha", "beta", "gamma", "delta", "theta", "lambda", "mu", "sigma", "omega"}
    base, _, sub = name.partition("_")
    head = rf"\{base}" if base in greek else (base if len(base) == 1 else rf"\mathrm{{{base}}}")
    if sub:
        return f"{head}_{{{latex_name(sub) if sub.isalpha() else sub}}}"
    return head


def _latex(node: Any) -> tuple[str, int]:
    if isinstance(node, _Num):
        return _latex_number(node.value), _ATOM
    if isinstance(node, _Var):
        return latex_name(node.name), _ATOM
    if isinstance(node, _Const):
        return r"\pi", _ATOM
    if isinstance(node, _Neg):
        return "-" + _wrap(_latex(node.operand), _NEG), _NEG
    if isinstance(node, _Bin):
        return _latex_binary(node)
    if isinstance(node, _Index):
        parts = [str(p) if isinstance(p, int) else
                 ":".join("" if v is None else str(v) for v in (p if p[2] is not None else p[:2]))
                 for p in node.index]
        return f"{_wrap(_latex(node.operand), _ATOM)}_{{{','.join(parts)}}}", _ATOM
    if isinstance(node, _Cmp):
        return (f"{_latex(node.left)[0]} {_LATEX_COMPARE[node.op]} {_latex(node.right)[0]}",
                _ADD)
    return _latex_call(node)


def _latex_binary(node: _Bin) -> tuple[str, int]:
    left, right = _latex(node.left), _latex(node.right)
    if node.op == "+":
        text = right[0]
        if text.startswith("-") and right[1] == _NEG:
            return f"{left[0]} - {text[1:]}", _ADD
        return f"{left[0]} + {text}", _ADD
    if node.op == "-":
        return f"{left[0]} - {_wrap(right, _MUL)}", _ADD
    if node.op == "/":
        return rf"\frac{{{left[0]}}}{{{right[0]}}}", _MUL
    if node.op == "*":
        lhs, rhs = _wrap(left, _MUL), _wrap(right, _MUL + 1)
        # "2 x", "3 x^{2}": a number times a letter reads best side by side.
        if isinstance(node.left, _Num) and not isinstance(node.right, (_Num, _Neg)) \
                and not rhs.startswith(r"\frac"):
            return f"{lhs} {rhs}", _MUL
        return rf"{lhs} \cdot {rhs}", _MUL
    base = left[0] if isinstance(node.left, (_Var, _Const)) or (
        isinstance(node.left, _Num) and node.left.value >= 0) else _paren(left[0])
    return f"{base}^{{{right[0]}}}", _POW


def _latex_call(node: _Call) -> tuple[str, int]:
    fn = _FUNCTIONS[node.name]
    args = [_latex(a) for a in node.args]
    if node.name == "sqrt":
        return rf"\sqrt{{{args[0][0]}}}", _ATOM
    if node.name == "square":
        return f"{_wrap(args[0], _ATOM)}^{{2}}", _POW
    if node.name == "pow":
        return f"{_wrap(args[0], _ATOM)}^{{{args[1][0]}}}", _POW
    if node.name == "abs":
        return rf"\left|{args[0][0]}\right|", _ATOM
    if node.name == "negative":
        return "-" + _wrap(args[0], _NEG), _NEG
    if node.name == "reciprocal":
        return rf"\frac{{1}}{{{args[0][0]}}}", _MUL
    if node.name in ("add", "subtract", "multiply", "divide"):
        op = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}[node.name]
        return _latex_binary(_Bin(op, node.args[0], node.args[1]))
    if node.name == "where":
        return (rf"\begin{{cases}} {args[1][0]} & \text{{if }} {args[0][0]} \\ "
                rf"{args[2][0]} & \text{{otherwise}} \end{{cases}}", _ATOM)
    if node.name == "transpose":
        return f"{_wrap(args[0], _ATOM)}^{{T}}", _POW
    if node.name == "matmul":
        return rf"{_wrap(args[0], _ATOM)} \, {_wrap(args[1], _ATOM)}", _MUL
    inner = ", ".join(a[0] for a in args)
    if fn.reduction:
        op = fn.latex
        if node.axis is not None:
            axes = node.axis if isinstance(node.axis, tuple) else (node.axis,)
            op += rf"_{{\mathrm{{axis}}\,{','.join(str(a) for a in axes)}}}"
        return rf"{op}{_paren(inner)}", _POW
    name = fn.latex or rf"\operatorname{{{node.name}}}"
    return rf"{name}{_paren(inner)}", _ATOM


# ---------------------------------------------------------------------------
# Points written as creation calls: fill((2, 3), 3.0), ones((2, 3)), ...
# ---------------------------------------------------------------------------

def _fill(shape: Any, value: Any) -> np.ndarray:
    return np.full(tuple(shape) if isinstance(shape, (list, tuple)) else (shape,), value)


_CREATIONS: dict[str, Callable[..., np.ndarray]] = {
    "fill": _fill,
    "ones": lambda shape: np.ones(shape, dtype=np.float64),
    "zeros": lambda shape: np.zeros(shape, dtype=np.float64),
    "eye": lambda n: np.eye(n, dtype=np.float64),
    "linspace": lambda start, stop, num: np.linspace(start, stop, num, dtype=np.float64),
    "range": lambda *args: np.arange(*args),
}


MAX_POINT_SIZE = 10_000  # elements in one variable's point: exercises are small


def _creation_size(name: str, args: list) -> float:
    """How many elements a creation call would make, computed before making them."""
    try:
        if name in ("fill", "ones", "zeros"):
            shape = args[0] if isinstance(args[0], (list, tuple)) else (args[0],)
            return float(np.prod([float(n) for n in shape]))
        if name == "eye":
            return float(args[0]) ** 2
        if name == "linspace":
            return float(args[2])
        if name == "range":
            bounds = [float(a) for a in args] + [1.0] * (3 - len(args))
            start, stop, step = (0.0, bounds[0], 1.0) if len(args) == 1 else bounds
            return abs((stop - start) / step) if step else 0.0
    except (IndexError, TypeError, ValueError, ZeroDivisionError):
        return 0.0  # malformed arguments: the call itself says what is wrong
    return 0.0


def creation_names() -> list[str]:
    """The creation calls a variable's point may be written with."""
    return sorted(_CREATIONS)


def creation_value(text: str) -> np.ndarray:
    """The array a creation call such as ``fill((2, 3), 3.0)`` describes.

    Only the names in :func:`creation_names` (optionally spelled ``tf.NAME``) with
    literal arguments are accepted; the dtype follows the literals (``fill`` with an
    int gives ints, ``ones`` gives floats), as the spec's dtype inference expects.
    """
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as err:
        raise ExpressionError(f"`{text}` is not a creation call ({err.msg})",
                              fix="write e.g. `fill((2, 3), 3.0)` or `ones((2, 3))`") from None
    if not isinstance(node, ast.Call):
        raise ExpressionError(f"`{text}` is not a creation call",
                              fix=f"use one of {', '.join(creation_names())}, e.g. "
                              "`fill((2, 3), 3.0)`, or write the number or list itself")
    dotted = _dotted(node.func) or ""
    name = dotted.removeprefix("tf.")
    if name not in _CREATIONS:
        raise ExpressionError(f"`{dotted or 'this call'}` is not an allowed creation call",
                              fix=_did_you_mean(name, _CREATIONS)
                              or f"use one of {', '.join(creation_names())}")
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    except ValueError:
        raise ExpressionError(f"the arguments of `{text}` must be literal numbers, "
                              "tuples or lists") from None
    if any(isinstance(a, bool) for a in args):
        raise ExpressionError(f"`{text}`: booleans are not numbers")
    if _creation_size(name, args) > MAX_POINT_SIZE:
        raise ExpressionError(f"`{text}` has more than {MAX_POINT_SIZE} elements",
                              fix="exercises use small tensors; shrink the shape")
    try:
        value = np.asarray(_CREATIONS[name](*args, **kwargs))
    except (TypeError, ValueError) as err:
        raise ExpressionError(f"`{text}` cannot be built: {err}") from None
    if value.dtype.kind not in "if":
        raise ExpressionError(f"`{text}` does not give numbers (dtype {value.dtype})")
    return value
