"""``tf.nn``: activations and the small losses built on them.

Helpers are imported under private names: ``tf.nn`` exposes only what TensorFlow's does.
"""

from __future__ import annotations

import numpy as _np

from . import math_ops as _m
from .errors import _op_error
from .math_ops import sigmoid, softplus, tanh  # noqa: F401 - tf.nn.sigmoid, tf.nn.tanh, tf.nn.softplus
from .recording import active as _active, record as _record
from .reductions import reduce_logsumexp as _logsumexp, reduce_sum as _reduce_sum
from .tensor import Tensor as _Tensor, Variable as _Variable, as_tensor as _as_tensor, operand as _operand
from .tensor import wrap as _wrap

__all__ = ["relu", "elu", "leaky_relu", "sparse_softmax_cross_entropy_with_logits", "softmax", "log_softmax", "sigmoid", "tanh", "softplus", "l2_loss",
           "softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits"]


def _float_tensor(x, op: str) -> _Tensor:
    x = x if x.__class__ is _Tensor or x.__class__ is _Variable else _as_tensor(x)
    if not x._dtype.is_floating:
        raise _op_error(op, _m._FLOAT_ONLY % (x._dtype.name, op))
    return x


def relu(features, name=None) -> _Tensor:
    """``tf.nn.relu``: max(x, 0); the gradient at 0 is 0, as in TensorFlow."""
    x = features if features.__class__ is _Tensor or features.__class__ is _Variable else _as_tensor(features)
    out = _wrap(_np.maximum(x._value, 0), x._dtype)
    if _active:
        _record("Relu", (x,), out)
    return out


def elu(features, name=None) -> _Tensor:
    """``tf.nn.elu``: x where x > 0, else exp(x) - 1 (TensorFlow's Elu op and EluGrad rule)."""
    x = _float_tensor(features, "Elu")
    v = x._value
    out = _wrap(_np.where(v > 0, v, _m._tf_rounded(_np.expm1)(_np.minimum(v, 0)))[()], x._dtype)
    if _active:
        _record("Elu", (x,), out)
    return out


def leaky_relu(features, alpha=0.2, name=None) -> _Tensor:
    """``tf.nn.leaky_relu``: x where x > 0, else alpha * x."""
    x = _float_tensor(features, "LeakyRelu")
    # x * (1 where x > 0, else alpha): the mask comes from a zero-gradient op, so the
    # second derivative is zero, not None, as TensorFlow's LeakyReluGrad gives.
    mask = _m.add(_m.multiply(_m.step(x), 1.0 - alpha), alpha)
    return _m.multiply(x, mask)


def softmax(logits, axis=None, name=None) -> _Tensor:
    """``tf.nn.softmax`` along ``axis`` (the last by default), computed stably."""
    x = _float_tensor(logits, "Softmax")
    v = x._value
    axis = -1 if axis is None else int(axis)
    if v.ndim == 0:
        raise _op_error("Softmax", "logits must have >= 1 dimension, got []")
    # TensorFlow's kernel: exp of the shifted logits, times the reciprocal of their sum.
    e = _m._EXP(v - _np.max(v, axis=axis, keepdims=True))
    out = _wrap(e * (1 / _np.sum(e, axis=axis, keepdims=True)), x._dtype)
    if _active:
        _record("Softmax", (x,), out, axis)
    return out


def log_softmax(logits, axis=None, name=None) -> _Tensor:
    """``tf.nn.log_softmax``: x - logsumexp(x) along ``axis`` (the last by default)."""
    x = _float_tensor(logits, "LogSoftmax")
    axis = -1 if axis is None else int(axis)
    return _m.subtract(x, _logsumexp(x, axis, keepdims=True))


def l2_loss(t, name=None) -> _Tensor:
    """``tf.nn.l2_loss``: sum(t ** 2) / 2."""
    return _m.multiply(_reduce_sum(_m.square(t)), 0.5)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> _Tensor:
    """``tf.nn.softmax_cross_entropy_with_logits``: -sum(labels * log_softmax(logits)) per example."""
    x = _float_tensor(logits, "SoftmaxCrossEntropyWithLogits")
    y = _operand(labels, x._dtype)
    if y._value.shape != x._value.shape:
        raise _op_error("SoftmaxCrossEntropyWithLogits", "logits and labels must be broadcastable: logits_size=%s "
                        "labels_size=%s" % (list(x._value.shape), list(y._value.shape)))
    return _m.negative(_reduce_sum(_m.multiply(y, log_softmax(x, axis)), axis))


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None) -> _Tensor:
    """``tf.nn.sparse_softmax_cross_entropy_with_logits``: -log_softmax(logits)[label] per example."""
    x = _float_tensor(logits, "SparseSoftmaxCrossEntropyWithLogits")
    idx = _np.asarray(labels._value if isinstance(labels, _Tensor) else labels)
    if idx.dtype.kind not in "iu":
        raise ValueError("`labels` must be an integer tensor, got dtype %s." % idx.dtype)
    if idx.shape != x._value.shape[:-1]:
        raise _op_error("SparseSoftmaxCrossEntropyWithLogits", "logits and labels must have the same first "
                        "dimension, got logits shape %s and labels shape %s"
                        % (list(x._value.shape), list(idx.shape)))
    depth = x._value.shape[-1]
    if idx.size and (idx.min() < 0 or idx.max() >= depth):
        raise _op_error("SparseSoftmaxCrossEntropyWithLogits", "Received a label value of %d which is outside the "
                        "valid range of [0, %d)." % (idx.max() if idx.max() >= depth else idx.min(), depth))
    one_hot = _wrap((idx[..., None] == _np.arange(depth)).astype(x._dtype._np), x._dtype)
    return _m.negative(_reduce_sum(_m.multiply(one_hot, log_softmax(x, -1)), -1))


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> _Tensor:
    """``tf.nn.sigmoid_cross_entropy_with_logits``: max(x, 0) - x * z + log(1 + exp(-|x|))."""
    x = _float_tensor(logits, "SigmoidCrossEntropyWithLogits")
    z = _operand(labels, x._dtype)
    return relu(x) - x * z + softplus(-abs(x))


