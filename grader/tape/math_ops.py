"""Element-wise arithmetic, comparisons, matmul, einsum and where.

Each op converts its operands (Python scalars take the tensor's dtype, tensors of
different dtypes are an error as in TensorFlow), computes with numpy, wraps the
result, and records ``(op name, inputs, output, attrs)`` when a tape is active.
Op names are TensorFlow's (``AddV2``, ``Mul``, ``MatMul``...): they key the gradient
table in ``gradients.py`` and appear in error messages.
"""

from __future__ import annotations

import operator

import numpy as np

from . import dtypes
from .errors import _op_error
from .recording import active, record
from .tensor import Tensor, Variable, as_tensor, operand, wrap

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floormod", "mod", "pow",
    "maximum", "minimum", "squared_difference", "negative", "square", "sqrt", "rsqrt", "exp", "expm1",
    "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "abs", "reciprocal", "softplus", "sign",
    "floor", "ceil", "round", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor", "matmul", "einsum", "where", "add_n",
    "is_nan", "is_finite", "divide_no_nan",
]

# Python's operators rather than ufunc calls: on numpy scalars (every 0-d value the
# engine handles) ``a * b`` costs ~0.05 us and ``np.multiply(a, b)`` ~0.6 us; on
# arrays they run the same loop.
_new = object.__new__
_BOOL = dtypes.bool
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_name(dtype) -> str:
    return _TF_NAMES.get(dtype.name, dtype.name)


def _mismatch(op: str, a, b):
    """TensorFlow's message, plus the engine's dtype names and the fix."""
    return _op_error(op, "cannot compute %s as input #1(zero-based) was expected to be a %s tensor but is a %s tensor"
                    " (%r vs %r: dtypes are never converted implicitly; convert one operand with tf.cast)"
                    % (op, _tf_name(a), _tf_name(b), a, b))


def _dims(shape) -> str:
    return "[%s]" % ",".join(str(d) for d in shape)


def _numpy_failure(op: str, x, y, exc: Exception):
    """numpy refused two operands: say so as TensorFlow would (shapes first)."""
    try:
        np.broadcast_shapes(np.shape(x._value), np.shape(y._value))
    except ValueError:
        return _op_error(op, "Incompatible shapes: %s vs. %s" % (_dims(np.shape(x._value)), _dims(np.shape(y._value))),
                         kernel=True)
    return _op_error(op, str(exc))


def pair(x, y, op: str):
    """Two operands as tensors of one dtype, or TensorFlow's error for the op."""
    cx = x.__class__
    cy = y.__class__
    if cx is Tensor or cx is Variable or isinstance(x, Tensor):
        if cy is float and op == "AddV2" and not x._dtype.is_floating:
            raise _mismatch(op, x._dtype, dtypes.float32)  # TensorFlow converts y on its own for add
        if not (cy is Tensor or cy is Variable):
            y = operand(y, x._dtype)
    elif cy is Tensor or cy is Variable or isinstance(y, Tensor):
        x = operand(x, y._dtype)
    else:
        x = as_tensor(x)
        y = operand(y, x._dtype)
    if x._dtype is not y._dtype:
        raise _mismatch(op, x._dtype, y._dtype)
    return x, y


_ARITHMETIC_TYPES = ("Value for attr 'T' of bool is not in the list of allowed values: bfloat16, half, float, "
                     "double, uint8, uint16, uint32, uint64, int8, int16, int32, int64, complex64, complex128"
                     "\n\t; NodeDef: {{node %s}}")


def _binary(op: str, fn, doc: str, py_name: str):
    def binary_op(x, y, name=None):
        cx = x.__class__
        cy = y.__class__
        if (cx is Tensor or cx is Variable) and (cy is Tensor or cy is Variable) and x._dtype is y._dtype:
            pass
        elif (cy is float or cy is int) and (cx is Tensor or cx is Variable) and x._dtype.is_floating:
            y = wrap(x._dtype._scalar(y), x._dtype)  # a Python number takes the tensor's dtype
        elif (cx is float or cx is int) and (cy is Tensor or cy is Variable) and y._dtype.is_floating:
            x = wrap(y._dtype._scalar(x), y._dtype)
        else:
            x, y = pair(x, y, op)
        if x._dtype is _BOOL:
            raise _op_error(op, _ARITHMETIC_TYPES % op)
        try:
            v = fn(x._value, y._value)
        except (ValueError, ZeroDivisionError) as exc:
            raise _numpy_failure(op, x, y, exc) from None
        out = _new(Tensor)
        out._value = v
        out._dtype = x._dtype
        if active:
            record(op, (x, y), out)
        return out

    binary_op.__name__ = binary_op.__qualname__ = py_name
    binary_op.__doc__ = doc
    return binary_op


add = _binary("AddV2", operator.add, "``tf.add``: x + y with numpy broadcasting.", "add")
subtract = _binary("Sub", operator.sub, "``tf.subtract``: x - y.", "subtract")
multiply = _binary("Mul", operator.mul, "``tf.multiply``: x * y.", "multiply")
realdiv = _binary("RealDiv", operator.truediv, "x / y for floating tensors.", "realdiv")
def _checked(fn):
    """Integer // and % by zero are errors in TensorFlow (numpy quietly gives 0)."""
    def integer_safe(x, y):
        if x.dtype.kind in "iu" and not np.all(y):
            raise ZeroDivisionError("Integer division by zero")
        return fn(x, y)
    return integer_safe


floordiv = _binary("FloorDiv", _checked(operator.floordiv), "``tf.math.floordiv``: floor(x / y).", "floordiv")
floormod = _binary("FloorMod", _checked(operator.mod), "``tf.math.floormod``: x - floor(x / y) * y.", "floormod")
pow = _binary("Pow", operator.pow, "``tf.pow``: x ** y.", "pow")  # noqa: A001 - TensorFlow's name
maximum = _binary("Maximum", np.maximum, "``tf.maximum``: the larger of x and y, element-wise.", "maximum")
minimum = _binary("Minimum", np.minimum, "``tf.minimum``: the smaller of x and y, element-wise.", "minimum")
mod = floormod


def divide(x, y, name=None):
    """``tf.divide``: x / y; integer tensors are divided as float64, as TensorFlow's truediv does."""
    for a, b in ((x, y), (y, x)):
        if isinstance(a, Tensor) and b.__class__ is float and not a._dtype.is_floating:
            raise TypeError("`x` and `y` must have the same dtype, got %r != tf.float32." % a._dtype)
    x, y = pair(x, y, "RealDiv")
    if not x._dtype.is_floating:
        target = dtypes.float32 if x._dtype._np.itemsize <= 2 else dtypes.float64
        from .array_ops import cast
        x, y = cast(x, target), cast(y, target)
    return realdiv(x, y)


truediv = divide


def divide_no_nan(x, y, name=None):
    """``tf.math.divide_no_nan``: x / y, and 0 where y is 0."""
    x, y = pair(x, y, "DivNoNan")
    safe = where(equal(y, 0), wrap(np.ones_like(y._value), y._dtype), y)
    return where(equal(y, 0), wrap(np.zeros(np.broadcast_shapes(np.shape(x._value), np.shape(y._value)),
                                            x._dtype._np), x._dtype), realdiv(x, safe))


def squared_difference(x, y, name=None):
    """``tf.math.squared_difference``: (x - y) ** 2."""
    return square(subtract(x, y))


def add_n(inputs, name=None):
    """``tf.math.add_n``: the sum of a list of same-shaped tensors."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors, got [].")
    total = as_tensor(inputs[0])
    for t in inputs[1:]:
        total = add(total, t)
    return total


# -- unary ---------------------------------------------------------------------------
_FLOAT_ONLY = ("Value for attr 'T' of %s is not in the list of allowed values: bfloat16, half, float, double, "
               "complex64, complex128\n\t; NodeDef: {{node %s}}")


def _unary(op: str, fn, doc: str, py_name: str, floating: bool = True, differentiable: bool = True):
    def unary_op(x, name=None):
        if not (x.__class__ is Tensor or x.__class__ is Variable):
            x = as_tensor(x)
        dt = x._dtype
        if floating and not dt.is_floating or dt is _BOOL:
            raise _op_error(op, _FLOAT_ONLY % (dt.name, op))
        out = _new(Tensor)
        out._value = fn(x._value)
        out._dtype = dt
        if active and differentiable:
            record(op, (x,), out)
        return out

    unary_op.__name__ = unary_op.__qualname__ = py_name
    unary_op.__doc__ = doc
    return unary_op


def _square(v):
    return v * v


# TensorFlow evaluates a float32 tensor of fewer than 8 elements element by element
# with the C library (correctly rounded, in effect), and larger ones with Eigen's
# vector polynomials. numpy's float32 loops differ from both in the last bit about
# half the time, so small float32 inputs go through float64 here: the digits a
# student prints for tf.exp(1.0) are then TensorFlow's (2.7182817, not 2.718282).
_SMALL = 8
_f32 = np.dtype(np.float32)
_f64 = np.float64


def _tf_rounded(fn):
    def compute(v):
        if v.dtype == _f32 and v.size < _SMALL:
            return fn(v.astype(_f64)).astype(_f32)
        return fn(v)
    compute.__name__ = fn.__name__
    return compute


# TensorFlow's float32 tanh, at every size, is Eigen's [9/8] rational interpolant
# (ptanh_float, evaluated without FMA as in TensorFlow's CPU wheels); the same
# float32 arithmetic here gives the same bits.
_TANH_CLAMP = np.float32(7.90738964080810547)
_TANH_NUM = tuple(np.float32(c) for c in (1.394553628e-8, 2.102733560e-5, 3.520756727e-3, 1.340216100e-1))
_TANH_DEN = tuple(np.float32(c) for c in (8.015776984e-7, 3.326951409e-4, 2.597254514e-2, 4.673548340e-1, 1.0))


def _tanh(v):
    if v.dtype != _f32:
        return np.tanh(v)
    x = np.minimum(np.maximum(v, -_TANH_CLAMP), _TANH_CLAMP)
    x2 = x * x
    p = _TANH_NUM[0]
    for c in _TANH_NUM[1:]:
        p = p * x2 + c
    q = _TANH_DEN[0]
    for c in _TANH_DEN[1:]:
        q = q * x2 + c
    return (x2 * x * p + x) / q


def _sigmoid(v):
    if v.dtype == _f32 and v.size < _SMALL:  # TensorFlow's scalar path: e / (1 + e), e = exp(x) rounded
        e = np.exp(v.astype(_f64)).astype(_f32)
        return np.where(np.isinf(e), _f32.type(1), e / (1 + e))[()]
    return 1 / (1 + np.exp(-v))


_SOFTPLUS_EDGE = float(np.log(np.finfo(np.float32).eps) + 2)


def _softplus(v):
    """TensorFlow's kernel: x above -log(eps)-2, exp(x) below log(eps)+2, else log1p(exp(x))."""
    if v.dtype != _f32:
        return np.logaddexp(0, v)
    e = _EXP(v)
    return np.where(v > -_SOFTPLUS_EDGE, v, np.where(v < _SOFTPLUS_EDGE, e, _LOG1P(e)))[()]


def _rsqrt(v):
    return 1 / np.sqrt(v)


negative = _unary("Neg", operator.neg, "``tf.negative``: -x.", "negative", floating=False)
square = _unary("Square", _square, "``tf.square``: x * x.", "square", floating=False)
abs = _unary("Abs", operator.abs, "``tf.abs``: |x|.", "abs", floating=False)  # noqa: A001 - TensorFlow's name
sqrt = _unary("Sqrt", np.sqrt, "``tf.sqrt``: the square root.", "sqrt")
rsqrt = _unary("Rsqrt", _rsqrt, "``tf.math.rsqrt``: 1 / sqrt(x).", "rsqrt")
_EXP = _tf_rounded(np.exp)
_LOG = _tf_rounded(np.log)
_LOG1P = _tf_rounded(np.log1p)
exp = _unary("Exp", _EXP, "``tf.exp``: e ** x.", "exp")
expm1 = _unary("Expm1", _tf_rounded(np.expm1), "``tf.math.expm1``: e ** x - 1.", "expm1")
log = _unary("Log", _LOG, "``tf.math.log``: the natural logarithm.", "log")
log1p = _unary("Log1p", _LOG1P, "``tf.math.log1p``: log(1 + x).", "log1p")
sin = _unary("Sin", _tf_rounded(np.sin), "``tf.sin``.", "sin")
cos = _unary("Cos", _tf_rounded(np.cos), "``tf.cos``.", "cos")
tan = _unary("Tan", _tf_rounded(np.tan), "``tf.math.tan``.", "tan")
tanh = _unary("Tanh", _tanh, "``tf.tanh``.", "tanh")
sigmoid = _unary("Sigmoid", _sigmoid, "``tf.math.sigmoid``: 1 / (1 + e ** -x).", "sigmoid")
reciprocal = _unary("Reciprocal", np.reciprocal, "``tf.math.reciprocal``: 1 / x.", "reciprocal")
softplus = _unary("Softplus", _softplus, "``tf.math.softplus``: log(1 + e ** x).", "softplus")
# Piecewise-constant functions: TensorFlow gives them zero or no gradient; not recorded.
# Sign is recorded with a zero gradient (as in TensorFlow), so a derivative taken
# through it is zero rather than None: d2|x|/dx2 = 0.
sign = _unary("Sign", np.sign, "``tf.sign``: -1, 0 or 1.", "sign", floating=False)


def _positive(v):
    return (v > 0).astype(v.dtype)


step = _unary("Step", _positive, "1 where x > 0, else 0 (the relu mask); its gradient is zero.", "step")
floor = _unary("Floor", np.floor, "``tf.floor``.", "floor", differentiable=False)
ceil = _unary("Ceil", np.ceil, "``tf.math.ceil``.", "ceil", differentiable=False)
round = _unary("Round", np.round, "``tf.round``: to nearest, ties to even.", "round",  # noqa: A001
               floating=False, differentiable=False)


# -- comparisons and logic (bool results: never recorded) ---------------------------------
def _compare(op: str, fn, py_name: str):
    def compare_op(x, y, name=None):
        x, y = pair(x, y, op)
        try:
            return wrap(fn(x._value, y._value), dtypes.bool)
        except ValueError as exc:
            raise _numpy_failure(op, x, y, exc) from None

    compare_op.__name__ = compare_op.__qualname__ = py_name
    compare_op.__doc__ = "``tf.math.%s``, element-wise, giving a bool tensor." % py_name
    return compare_op


less = _compare("Less", operator.lt, "less")
less_equal = _compare("LessEqual", operator.le, "less_equal")
greater = _compare("Greater", operator.gt, "greater")
greater_equal = _compare("GreaterEqual", operator.ge, "greater_equal")
equal = _compare("Equal", np.equal, "equal")
not_equal = _compare("NotEqual", np.not_equal, "not_equal")
logical_and = _compare("LogicalAnd", np.logical_and, "logical_and")
logical_or = _compare("LogicalOr", np.logical_or, "logical_or")
logical_xor = _compare("LogicalXor", np.logical_xor, "logical_xor")


def logical_not(x, name=None):
    """``tf.math.logical_not`` of a bool tensor."""
    x = as_tensor(x)
    return wrap(np.logical_not(x._value), dtypes.bool)


def is_nan(x, name=None):
    x = as_tensor(x)
    return wrap(np.isnan(x._value), dtypes.bool)


def is_finite(x, name=None):
    x = as_tensor(x)
    return wrap(np.isfinite(x._value), dtypes.bool)


# -- matmul, einsum, where -----------------------------------------------------------
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """``tf.matmul``: matrix product of the last two axes; leading axes broadcast."""
    a, b = pair(a, b, "MatMul")
    av = a._value
    bv = b._value
    if av.ndim < 2 or bv.ndim < 2:
        raise _op_error("MatMul", "In[%d] ndims must be >= 2" % (0 if av.ndim < 2 else 1))
    ta = bool(transpose_a or adjoint_a)
    tb = bool(transpose_b or adjoint_b)
    if ta:
        av = av.swapaxes(-1, -2)
    if tb:
        bv = bv.swapaxes(-1, -2)
    if av.shape[-1] != bv.shape[-2]:
        raise _op_error("MatMul", "Matrix size-incompatible: In[0]: %s, In[1]: %s"
                       % (_dims(a._value.shape), _dims(b._value.shape)))
    try:
        # An inner dimension of 1 is an outer product: multiplying directly keeps the
        # signed zeros TensorFlow produces (BLAS accumulates onto +0).
        v = av * bv if av.shape[-1] == 1 else np.matmul(av, bv)
    except ValueError:
        raise _op_error("BatchMatMulV2", "Incompatible shapes: %s vs. %s"
                       % (_dims(a._value.shape), _dims(b._value.shape))) from None
    out = wrap(v, a._dtype)
    if active:
        record("MatMul", (a, b), out, (ta, tb))
    return out


def _einsum_terms(equation: str, n: int):
    """Split an einsum equation into input terms and the output term (numpy's implicit rule)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != n:
        raise ValueError("Einsum equation %r names %d inputs but %d were given." % (equation, len(terms), n))
    if not arrow:
        letters = "".join(terms).replace(".", "")
        rhs = ("..." if "..." in lhs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return tuple(terms), rhs


def einsum(equation, *inputs, **kwargs):
    """``tf.einsum`` for one or two operands (differentiable unless a term repeats a letter)."""
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    if len(inputs) == 2:
        tensors = pair(inputs[0], inputs[1], "Einsum")
    elif len(inputs) == 1:
        tensors = (as_tensor(inputs[0]),)
    else:
        raise ValueError("The engine's einsum takes one or two operands, got %d." % len(inputs))
    terms, out_term = _einsum_terms(equation, len(tensors))
    values = [t._value for t in tensors]
    big = sum(np.size(v) for v in values) > 4096
    try:
        v = np.einsum("%s->%s" % (",".join(terms), out_term), *values, optimize=big and len(values) > 1)
    except ValueError as exc:
        raise _op_error("Einsum", "%s (equation %r, shapes %s)"
                       % (exc, equation, ", ".join(_dims(np.shape(x)) for x in values))) from None
    out = wrap(v, tensors[0]._dtype)
    if active:
        record("Einsum", tuple(tensors), out, (terms, out_term))
    return out


def where(condition, x=None, y=None, name=None):
    """``tf.where``: pick from x where condition holds, else y; or the true indices (int64)."""
    c = as_tensor(condition)
    if not c._dtype.is_bool:
        raise _op_error("SelectV2", "cannot compute SelectV2 as input #0(zero-based) was expected to be a bool "
                       "tensor but is a %s tensor" % _tf_name(c._dtype))
    if x is None and y is None:
        return wrap(np.argwhere(c._value).astype(np.int64), dtypes.int64)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = pair(x, y, "SelectV2")
    try:
        v = np.where(c._value, x._value, y._value)
    except ValueError:
        raise _op_error("SelectV2", "condition, then and else do not broadcast: %s, %s and %s"
                       % (_dims(np.shape(c._value)), _dims(np.shape(x._value)), _dims(np.shape(y._value)))) from None
    out = wrap(v if v.ndim else v[()], x._dtype)
    if active:
        record("SelectV2", (c, x, y), out)
    return out
