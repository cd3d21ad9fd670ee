"""Clipping: ``tf.clip_by_value``, ``tf.clip_by_norm``, ``tf.clip_by_global_norm`` and
``tf.linalg.global_norm``, written as TensorFlow's ``clip_ops.py`` writes them (the same
ops in the same order), so values, gradients and NaN handling agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import math_ops as M
from .array_ops import cast, identity, ones_like, stack
from .dtypes import float32
from .errors import _op_error
from .nn import l2_loss
from .reductions import reduce_sum
from .tensor import Tensor, as_tensor, convert_to_tensor, operand

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_global_norm", "global_norm"]


def _same_shape(values: Tensor, clipped: Tensor) -> None:
    """TensorFlow refuses a clip that would broadcast the values to a bigger shape."""
    if clipped._value.shape != values._value.shape:
        raise ValueError("Shapes %s and %s are incompatible"
                         % (values.shape, clipped.shape))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """``tf.clip_by_value``: max(min(t, hi), lo); the gradient passes inside [lo, hi]."""
    values = as_tensor(t)
    t_min = M.minimum(values, clip_value_max)
    _same_shape(values, t_min)
    t_max = M.maximum(t_min, clip_value_min)
    _same_shape(values, t_max)
    return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """``tf.clip_by_norm``: t * clip_norm / max(||t||, clip_norm), the norm over ``axes``.

    The two-``where`` form keeps the gradient finite at t = 0, as TensorFlow's does.
    """
    values = convert_to_tensor(t)
    l2sum = reduce_sum(M.multiply(values, values), axes, keepdims=True)
    pred = M.greater(l2sum, 0)
    l2sum_safe = M.where(pred, l2sum, ones_like(l2sum))
    l2norm = M.where(pred, M.sqrt(l2sum_safe), l2sum)
    intermediate = M.multiply(values, clip_norm)
    _same_shape(values, intermediate)
    return identity(M.divide(intermediate, M.maximum(l2norm, clip_norm)))


def _sequence(t_list) -> list:
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("`t_list` should be a sequence of tensors. Received %s." % type(t_list))
    return list(t_list)


def global_norm(t_list, name=None) -> Tensor:
    """``tf.linalg.global_norm``: sqrt(sum of every tensor's squared entries); None skipped."""
    t_list = _sequence(t_list)
    values = [convert_to_tensor(t) for t in t_list if t is not None]
    if not values:
        raise _op_error("Pack", "global_norm needs at least one tensor that is not None")
    half_squared_norms = [l2_loss(v) for v in values]
    half_squared_norm = reduce_sum(stack(half_squared_norms))
    return M.sqrt(M.multiply(half_squared_norm, 2.0))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``tf.clip_by_global_norm``: every tensor scaled by clip_norm / max(global norm,
    clip_norm); returns ``(clipped list, the global norm)``. An infinite or NaN norm
    makes every value NaN, as in TensorFlow."""
    t_list = _sequence(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    use_norm = as_tensor(use_norm)
    one = operand(1.0, use_norm._dtype)
    scale_for_finite = M.multiply(clip_norm, M.minimum(M.divide(1.0, use_norm), M.divide(one, clip_norm)))
    scale = M.add(scale_for_finite, M.subtract(use_norm, use_norm))
    clipped = []
    for t in t_list:
        if t is None:
            clipped.append(None)
            continue
        v = convert_to_tensor(t, dtype_hint=float32)
        clipped.append(identity(M.multiply(v, cast(scale, v._dtype))))
    return clipped, use_norm
