"""Reductions over axes: sum, mean, max, min, prod (differentiable), any, all, argmax.

Every differentiable reduction records its normalised ``(axes, keepdims)``; the
gradient rules use ``expand_back`` to bring an upstream gradient back to the
input's shape.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .errors import _op_error
from .recording import active, record
from .tensor import Tensor, Variable, as_tensor, wrap

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
    "reduce_logsumexp", "reduce_std", "reduce_variance", "argmax", "argmin", "normalize_axes",
]


def normalize_axes(axis, ndim: int, op: str):
    """``None`` or a sorted tuple of non-negative axes; TensorFlow's error when out of range."""
    if axis.__class__ is tuple and all(a.__class__ is int and 0 <= a < ndim for a in axis):
        return axis
    if axis is None:
        return None
    if axis.__class__ is int and -ndim <= axis < ndim:
        return (axis % ndim,)
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    if isinstance(axis, (list, tuple, np.ndarray)):
        axes = [int(a) for a in axis]
    else:
        axes = [int(axis)]
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise _op_error(op, "Invalid reduction dimension (%d for input with %d dimension(s)" % (a, ndim))
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def _reduce(op: str, fn, x, axis, keepdims, differentiable=True):
    if not (x.__class__ is Tensor or x.__class__ is Variable):
        x = as_tensor(x)
    v = x._value
    axes = None if axis is None else normalize_axes(axis, v.ndim, op)
    if axes is not None and v.ndim == 0:
        axes = ()
    out = wrap(fn(v, axes, bool(keepdims), x._dtype._np), x._dtype)
    if active and differentiable:
        record(op, (x,), out, (axes, bool(keepdims)))
    return out


# ufunc.reduce directly: np.sum / np.mean add several microseconds of wrapper per call.
_add_reduce = np.add.reduce


def _sum(v, axes, keepdims, dt):
    return _add_reduce(v, axes, dt, None, keepdims)


def _mean(v, axes, keepdims, dt):
    total = _add_reduce(v, axes, dt if dt.kind == "f" else np.int64, None, keepdims)
    count = np.size(v) // max(np.size(total), 1) if np.size(total) else 0
    if dt.kind == "f":
        return total / dt.type(count)  # 0 / 0 is nan for an empty mean, as in TensorFlow  # numpy's mean: the sum, then one division in the dtype
    return np.trunc(total / max(count, 1)).astype(dt)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min if dt.kind in "iu" else False


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max if dt.kind in "iu" else True


def _max(v, axes, keepdims, dt):
    if np.size(v) == 0:  # TensorFlow: the lowest value of the dtype, like -inf
        return np.maximum.reduce(v, axes, None, None, keepdims, initial=_lowest(dt))
    return np.maximum.reduce(v, axes, None, None, keepdims)


def _min(v, axes, keepdims, dt):
    if np.size(v) == 0:
        return np.minimum.reduce(v, axes, None, None, keepdims, initial=_highest(dt))
    return np.minimum.reduce(v, axes, None, None, keepdims)


def _prod(v, axes, keepdims, dt):
    return np.multiply.reduce(v, axes, dt, None, keepdims)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_sum``: the sum over ``axis`` (all axes when None)."""
    return _reduce("Sum", _sum, input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_mean``: the mean; integer tensors give a truncated integer mean, as in TensorFlow."""
    return _reduce("Mean", _mean, input_tensor, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_max``; the gradient is shared equally between tied maxima."""
    return _reduce("Max", _max, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_min``; the gradient is shared equally between tied minima."""
    return _reduce("Min", _min, input_tensor, axis, keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_prod``: the product over ``axis``."""
    return _reduce("Prod", _prod, input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_any`` of a bool tensor."""
    return _reduce("Any", lambda v, a, k, dt: np.any(v, axis=a, keepdims=k), input_tensor, axis, keepdims, False)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_all`` of a bool tensor."""
    return _reduce("All", lambda v, a, k, dt: np.all(v, axis=a, keepdims=k), input_tensor, axis, keepdims, False)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.reduce_logsumexp``: log(sum(exp(x))), computed stably from engine ops."""
    from . import array_ops, math_ops
    x = as_tensor(input_tensor)
    top = array_ops.stop_gradient(reduce_max(x, axis, keepdims=True))
    top = math_ops.where(math_ops.is_finite(top), top, array_ops.zeros_like(top))
    total = math_ops.log(reduce_sum(math_ops.exp(math_ops.subtract(x, top)), axis, keepdims=True))
    result = math_ops.add(total, top)
    return result if keepdims else array_ops.squeeze(result, normalize_axes(axis, x._value.ndim, "Sum"))


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_variance``: the mean squared deviation (population variance)."""
    from . import math_ops
    x = as_tensor(input_tensor)
    centred = math_ops.subtract(x, reduce_mean(x, axis, keepdims=True))
    return reduce_mean(math_ops.square(centred), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_std``: the square root of ``reduce_variance``."""
    from . import math_ops
    return math_ops.sqrt(reduce_variance(input_tensor, axis, keepdims))


def _arg(fn, x, axis, output_type):
    x = as_tensor(x)
    axis = 0 if axis is None else int(axis)
    dt = dtypes.as_dtype(output_type)
    return wrap(np.asarray(fn(x._value, axis=axis)).astype(dt._np)[()], dt)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):
    """``tf.argmax``: index of the largest value along ``axis`` (default 0), int64."""
    return _arg(np.argmax, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):
    """``tf.argmin``: index of the smallest value along ``axis`` (default 0), int64."""
    return _arg(np.argmin, input, axis, output_type)
