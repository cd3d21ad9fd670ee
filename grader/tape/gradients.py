"""The gradient rules: one table, keyed by TensorFlow's op name, one short function each.

A rule gets the upstream gradient ``g`` for the op's output and returns one gradient
per input (``None`` where ``needs`` says the input needs none, or where the input
has no gradient). Rules are written with the engine's own ops, so when an outer tape
is recording, the backward pass is itself recorded: that is what makes second and
third derivatives work. Masks and counts that are piecewise constant are built as
plain constants. Every broadcasting binary rule goes through ``unbroadcast``.
"""

from __future__ import annotations

import numpy as np

from . import array_ops as A
from . import dtypes
from . import math_ops as M
from . import linalg as L
from . import reductions as R
from .custom_gradient import _custom_gradient_rule
from .errors import UnimplementedError
from .recording import active
from .tensor import wrap

__all__ = ["RULES", "unbroadcast", "expand_back"]

_BOOL = dtypes.bool


def _shape(t) -> tuple:
    return t._value.shape


def _const(value, like):
    """A constant of ``like``'s dtype: a mask or count no tape needs to see."""
    return wrap(np.asarray(value, like._dtype._np)[()], like._dtype)


def _fixed(t) -> bool:
    """True when no recording tape watches ``t``: it may then be folded into a constant."""
    tid = id(t)
    for tape in active:
        if tid in tape._ids:
            return False
    return True


# Jacobian rows computed in one backward pass: while ``batch[0]`` is k > 0, every
# upstream gradient carries k leading axes (one per jacobian row) before the shape of
# the tensor it belongs to. Rules that name shapes or axes go through the helpers
# below, which keep those axes. Rules in NOT_BATCHABLE do not, and jacobians through
# them fall back to one backward pass per row.
batch = [0]
NOT_BATCHABLE = frozenset({"CustomGradient"})


def _lead(g) -> tuple:
    """The leading jacobian-row axes of a gradient (empty outside a batched pass)."""
    k = batch[0]
    return g._value.shape[:k] if k else ()


def _axis(axis: int) -> int:
    """An axis of the tensor, as an axis of its batched gradient."""
    return axis + batch[0] if axis >= 0 else axis


def unbroadcast(g, shape: tuple):
    """Sum ``g`` over the axes numpy broadcasting added or stretched, back to ``shape``."""
    gshape = g._value.shape
    k = batch[0]
    if k:
        shape = gshape[:k] + shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    axes = tuple(range(k, k + extra)) + tuple(
        extra + i for i, d in enumerate(shape) if i >= k and d == 1 and gshape[extra + i] != 1)
    summed = R.reduce_sum(g, axes)
    return summed if summed._value.shape == shape else A.reshape(summed, shape)


def expand_back(g, shape: tuple, axes, keepdims: bool, batched: bool = True):
    """Broadcast a reduction's gradient back over the axes the reduction removed."""
    lead = _lead(g) if batched else ()
    if g._value.shape == lead + shape:
        return g
    if not keepdims:
        kept = tuple(1 if axes is None or i in axes else d for i, d in enumerate(shape))
        g = A.reshape(g, lead + kept)
    return A.broadcast_to(g, lead + shape)


def _reduced_count(x, out) -> int:
    return max(np.size(x._value) // max(np.size(out._value), 1), 1)


# -- element-wise binary ------------------------------------------------------------------
def _add(g, ins, out, attrs, needs):
    x, y = ins
    return (unbroadcast(g, _shape(x)) if needs[0] else None,
            unbroadcast(g, _shape(y)) if needs[1] else None)


def _sub(g, ins, out, attrs, needs):
    x, y = ins
    return (unbroadcast(g, _shape(x)) if needs[0] else None,
            unbroadcast(M.negative(g), _shape(y)) if needs[1] else None)


def _mul(g, ins, out, attrs, needs):
    x, y = ins
    return (unbroadcast(M.multiply(g, y), _shape(x)) if needs[0] else None,
            unbroadcast(M.multiply(g, x), _shape(y)) if needs[1] else None)


def _realdiv(g, ins, out, attrs, needs):
    x, y = ins
    return (unbroadcast(M.realdiv(g, y), _shape(x)) if needs[0] else None,
            unbroadcast(M.multiply(g, M.realdiv(M.realdiv(M.negative(x), y), y)), _shape(y)) if needs[1] else None)


def _pow(g, ins, out, attrs, needs):
    x, y = ins
    gx = gy = None
    if needs[0]:
        y_minus_1 = _const(y._value - 1, y) if _fixed(y) else M.subtract(y, 1)
        gx = unbroadcast(M.multiply(M.multiply(g, y), M.pow(x, y_minus_1)), _shape(x))
    if needs[1]:
        positive = wrap(np.asarray(x._value > 0), _BOOL)
        safe_x = M.where(positive, x, _const(np.ones_like(x._value), x))
        log_x = M.where(positive, M.log(safe_x), _const(np.zeros_like(x._value), x))
        gy = unbroadcast(M.multiply(M.multiply(g, out), log_x), _shape(y))
    return gx, gy


def _select_mask(g, mask_value, ins, needs):
    """Route ``g`` to x where the mask holds and to y elsewhere (max, min)."""
    x, y = ins
    mask = wrap(np.broadcast_to(mask_value, _shape(g)), _BOOL)
    zeros = _const(np.zeros(_shape(g)), g)
    return (unbroadcast(M.where(mask, g, zeros), _shape(x)) if needs[0] else None,
            unbroadcast(M.where(mask, zeros, g), _shape(y)) if needs[1] else None)


def _maximum(g, ins, out, attrs, needs):
    return _select_mask(g, ins[0]._value >= ins[1]._value, ins, needs)


def _minimum(g, ins, out, attrs, needs):
    return _select_mask(g, ins[0]._value <= ins[1]._value, ins, needs)


def _floormod(g, ins, out, attrs, needs):
    x, y = ins
    return (unbroadcast(g, _shape(x)) if needs[0] else None,
            unbroadcast(M.multiply(M.negative(g), _const(np.floor(x._value / y._value), g)), _shape(y))
            if needs[1] else None)


def _no_gradient(g, ins, out, attrs, needs):
    return (None,) * len(ins)


def _select(g, ins, out, attrs, needs):
    c, x, y = ins
    zeros = _const(np.zeros(_shape(g)), g)
    return (None,
            unbroadcast(M.where(c, g, zeros), _shape(x)) if needs[1] else None,
            unbroadcast(M.where(c, zeros, g), _shape(y)) if needs[2] else None)


# -- element-wise unary -----------------------------------------------------------------
def _neg(g, ins, out, attrs, needs):
    return (M.negative(g),)


def _square(g, ins, out, attrs, needs):
    return (M.multiply(g, M.multiply(ins[0], 2)),)


def _zero_where_g_is_zero(g, out, rule):
    """TensorFlow's SqrtGrad and ReciprocalGrad give 0 where the upstream gradient is 0,
    even where the local derivative is infinite (so ``tf.where`` guards work)."""
    silent = g._value == 0
    if not (np.any(silent) and np.any(~np.isfinite(rule(out._value)))):
        return None
    mask = wrap(np.broadcast_to(silent, np.broadcast_shapes(_shape(g), _shape(out))), _BOOL)
    return mask, M.where(mask, _const(np.ones(_shape(out)), out), out)


def _sqrt(g, ins, out, attrs, needs):
    guarded = _zero_where_g_is_zero(g, out, lambda y: 0.5 / y)
    if guarded is None:
        return (M.realdiv(M.multiply(g, 0.5), out),)
    mask, safe_out = guarded
    return (M.where(mask, _const(np.zeros(_shape(out)), out), M.realdiv(M.multiply(g, 0.5), safe_out)),)


def _rsqrt(g, ins, out, attrs, needs):
    return (M.multiply(M.multiply(g, -0.5), M.multiply(out, M.square(out))),)


def _exp(g, ins, out, attrs, needs):
    return (M.multiply(g, out),)


def _expm1(g, ins, out, attrs, needs):
    return (M.multiply(g, M.exp(ins[0])),)


def _log(g, ins, out, attrs, needs):
    return (M.multiply(g, M.reciprocal(ins[0])),)


def _log1p(g, ins, out, attrs, needs):
    return (M.multiply(g, M.reciprocal(M.add(ins[0], 1))),)


def _sin(g, ins, out, attrs, needs):
    return (M.multiply(g, M.cos(ins[0])),)


def _cos(g, ins, out, attrs, needs):
    return (M.multiply(g, M.negative(M.sin(ins[0]))),)


def _tan(g, ins, out, attrs, needs):
    return (M.multiply(g, M.square(M.reciprocal(M.cos(ins[0])))),)


def _tanh(g, ins, out, attrs, needs):
    return (M.multiply(g, M.subtract(1, M.square(out))),)


def _sigmoid(g, ins, out, attrs, needs):
    return (M.multiply(M.multiply(g, out), M.subtract(1, out)),)


def _reciprocal(g, ins, out, attrs, needs):
    guarded = _zero_where_g_is_zero(g, out, np.square)
    if guarded is None:
        return (M.multiply(M.multiply(M.negative(out), out), g),)
    mask, safe_out = guarded
    return (M.where(mask, _const(np.zeros(_shape(out)), out),
                    M.multiply(M.multiply(M.negative(safe_out), safe_out), g)),)


def _softplus(g, ins, out, attrs, needs):
    return (M.multiply(g, M.sigmoid(ins[0])),)


def _abs(g, ins, out, attrs, needs):
    return (M.multiply(g, M.sign(ins[0])),)


def _relu(g, ins, out, attrs, needs):
    return (M.multiply(g, M.step(ins[0])),)


def _elu(g, ins, out, attrs, needs):
    """TensorFlow's EluGrad: g where the output is positive, else g * (out + 1)."""
    positive = wrap(np.broadcast_to(out._value > 0, _shape(g)), _BOOL)
    return (M.where(positive, g, M.multiply(g, M.add(out, 1))),)


def _pad(g, ins, out, attrs, needs):
    """The gradient of a constant pad: the slice of ``g`` where the input sits."""
    key = (slice(None),) * batch[0] + tuple(slice(b, b + n) for (b, _), n in zip(attrs, _shape(ins[0])))
    return (A.getitem(g, key),)


def _matrix_solve(g, ins, out, attrs, needs):
    """TensorFlow's MatrixSolveGrad: grad_b = solve(a^T, g), grad_a = -grad_b c^T."""
    a, b = ins
    grad_b = L._solve(a, g, not attrs)
    grad_a = None
    if needs[0]:
        grad_a = M.negative(M.matmul(out, grad_b, transpose_b=True) if attrs
                            else M.matmul(grad_b, out, transpose_b=True))
        grad_a = unbroadcast(grad_a, _shape(a))
    return grad_a, unbroadcast(grad_b, _shape(b)) if needs[1] else None


def _zero(g, ins, out, attrs, needs):
    """Piecewise-constant ops (sign, the relu mask): a zero gradient, not None."""
    return (_const(np.zeros(_lead(g) + _shape(ins[0])), ins[0]),)


def _softmax(g, ins, out, attrs, needs):
    dot = R.reduce_sum(M.multiply(g, out), _axis(attrs), keepdims=True)
    return (M.multiply(out, M.subtract(g, dot)),)


# -- rearrangements -----------------------------------------------------------------------
def _identity(g, ins, out, attrs, needs):
    return (g,)


def _cast(g, ins, out, attrs, needs):
    return (A.cast(g, ins[0]._dtype),)


def _reshape(g, ins, out, attrs, needs):
    return (A.reshape(g, _lead(g) + _shape(ins[0])),)


def _transpose(g, ins, out, attrs, needs):
    k = batch[0]
    return (A.transpose(g, tuple(range(k)) + tuple(k + int(i) for i in np.argsort(attrs))),)


def _broadcast_to(g, ins, out, attrs, needs):
    return (unbroadcast(g, _shape(ins[0])),)


def _tile(g, ins, out, attrs, needs):
    shape = _shape(ins[0])
    split = tuple(d for pair in zip(attrs, shape) for d in pair)
    k = batch[0]
    summed = R.reduce_sum(A.reshape(g, _lead(g) + split), tuple(range(k, k + 2 * len(shape), 2)))
    return (summed,)


def _strided_slice(g, ins, out, attrs, needs):
    return (A.slice_grad(g, _lead(g) + _shape(ins[0]), (slice(None),) * batch[0] + attrs),)


def _strided_slice_grad(g, ins, out, attrs, needs):
    return (A.getitem(g, (slice(None),) * batch[0] + attrs),)


def _gather(g, ins, out, attrs, needs):
    indices, axis = attrs
    return (A.gather_grad(g, _lead(g) + _shape(ins[0]), indices, _axis(axis)),)


def _gather_grad(g, ins, out, attrs, needs):
    indices, axis = attrs
    return (A.gather(g, indices, axis=_axis(axis)),)


def _concat(g, ins, out, attrs, needs):
    axis, sizes = attrs
    lead = (slice(None),) * _axis(axis)
    grads, start = [], 0
    for size, need in zip(sizes, needs):
        grads.append(A.getitem(g, lead + (slice(start, start + size),)) if need else None)
        start += size
    return tuple(grads)


def _pack(g, ins, out, attrs, needs):
    lead = (slice(None),) * _axis(attrs)
    return tuple(A.getitem(g, lead + (i,)) if need else None for i, need in enumerate(needs))


# -- reductions ---------------------------------------------------------------------------
def _sum(g, ins, out, attrs, needs):
    return (expand_back(g, _shape(ins[0]), *attrs),)


def _mean(g, ins, out, attrs, needs):
    scaled = M.realdiv(g, float(_reduced_count(ins[0], out)))
    return (expand_back(scaled, _shape(ins[0]), *attrs),)


def _extreme(g, ins, out, attrs, needs):
    """Max and min: the gradient goes to the extreme values, shared equally between ties."""
    x = ins[0]
    axes, keepdims = attrs
    kept = np.reshape(out._value, tuple(1 if axes is None or i in axes else d for i, d in enumerate(_shape(x))))
    hits = x._value == kept
    share = hits / np.sum(hits, axis=axes, keepdims=True)
    return (M.multiply(expand_back(g, _shape(x), axes, keepdims), _const(share, x)),)


def _prod(g, ins, out, attrs, needs):
    """prod(x) / x_i, and the product of the others where x_i is zero (treated as constant)."""
    x = ins[0]
    axes, keepdims = attrs
    nonzero = x._value != 0
    others = np.prod(np.where(nonzero, x._value, 1), axis=axes, keepdims=True)
    single_zero = np.sum(~nonzero, axis=axes, keepdims=True) == 1
    at_zero = _const(np.broadcast_to(np.where(single_zero, others, 0), _shape(x)), x)
    nz = wrap(nonzero, _BOOL)
    safe_x = M.where(nz, x, _const(np.ones(_shape(x)), x))
    ratio = M.realdiv(expand_back(out, _shape(x), axes, keepdims, batched=False), safe_x)
    return (M.multiply(expand_back(g, _shape(x), axes, keepdims), M.where(nz, ratio, at_zero)),)


# -- products ---------------------------------------------------------------------------
def _matmul(g, ins, out, attrs, needs):
    a, b = ins
    ta, tb = attrs
    ga = gb = None
    if needs[0]:
        if ta:
            ga = M.matmul(b, g, transpose_a=tb, transpose_b=True)
        else:
            ga = M.matmul(g, b, transpose_b=not tb)
        ga = unbroadcast(ga, _shape(a))
    if needs[1]:
        if tb:
            gb = M.matmul(g, a, transpose_a=True, transpose_b=ta)
        else:
            gb = M.matmul(a, g, transpose_a=not ta)
        gb = unbroadcast(gb, _shape(b))
    return ga, gb


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum(g, ins, out, attrs, needs):
    terms, out_term = attrs
    grads = []
    for i, (term, need) in enumerate(zip(terms, needs)):
        if not need:
            grads.append(None)
            continue
        letters = term.replace("...", "")
        if len(set(letters)) != len(letters):
            raise UnimplementedError(None, "Einsum", "The gradient of einsum term %r (a repeated index) is not "
                                     "supported by the engine; write it with tf.linalg-free ops instead." % term)
        others = [t for j, t in enumerate(terms) if j != i]
        present = set(out_term) | set("".join(others))
        kept = "".join(c for c in letters if c in present)
        prefix = "..." if "..." in term else ""
        # In a batched jacobian pass, g's leading row axes get letters of their own.
        k = batch[0]
        used = set("".join(terms) + out_term)
        rows = "".join([c for c in _LETTERS if c not in used][:k])
        eq = ",".join([rows + out_term] + others) + "->" + rows + prefix + kept
        grad = M.einsum(eq, g, *[ins[j] for j in range(len(terms)) if j != i])
        if kept != letters:  # an index summed away inside this operand alone: broadcast back
            gshape = list(_shape(grad))
            full = _shape(ins[i])
            offset = len(full) - len(letters)
            lead = tuple(gshape[:k])
            grad = A.reshape(grad, lead + tuple(full[:offset]) + tuple(
                gshape[k + offset + kept.index(c)] if c in kept else 1 for c in letters))
            grad = A.broadcast_to(grad, lead + full)
        grads.append(unbroadcast(grad, _shape(ins[i])))
    return tuple(grads)


RULES = {
    "AddV2": _add, "Sub": _sub, "Mul": _mul, "RealDiv": _realdiv, "Pow": _pow,
    "Maximum": _maximum, "Minimum": _minimum, "FloorMod": _floormod, "FloorDiv": _no_gradient,
    "SelectV2": _select,
    "Neg": _neg, "Square": _square, "Sqrt": _sqrt, "Rsqrt": _rsqrt, "Exp": _exp, "Expm1": _expm1,
    "Log": _log, "Log1p": _log1p, "Sin": _sin, "Cos": _cos, "Tan": _tan, "Tanh": _tanh,
    "Sigmoid": _sigmoid, "Reciprocal": _reciprocal, "Softplus": _softplus, "Abs": _abs, "Relu": _relu, "Elu": _elu, "Sign": _zero, "Step": _zero,
    "Softmax": _softmax,
    "Identity": _identity, "ReadVariableOp": _identity, "Cast": _cast, "Reshape": _reshape, "Transpose": _transpose,
    "BroadcastTo": _broadcast_to, "Tile": _tile, "StridedSlice": _strided_slice,
    "StridedSliceGrad": _strided_slice_grad,
    "GatherV2": _gather, "GatherGrad": _gather_grad, "ConcatV2": _concat, "Pack": _pack,
    "Sum": _sum, "Mean": _mean, "Max": _extreme, "Min": _extreme, "Prod": _prod,
    "MatMul": _matmul, "Einsum": _einsum, "MatrixSolve": _matrix_solve, "Pad": _pad,
    "CustomGradient": _custom_gradient_rule,
}
