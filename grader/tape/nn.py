"""``tf.nn``: activations and the small losses built on them."""

from __future__ import annotations

import numpy as np

from .errors import op_error
from .math_ops import _EXP, _FLOAT_ONLY, multiply, sigmoid, softplus, subtract, tanh, where, greater, square
from .recording import active, record
from .reductions import reduce_logsumexp, reduce_sum, reduce_mean
from .tensor import Tensor, Variable, as_tensor, operand, wrap

__all__ = ["relu", "leaky_relu", "softmax", "log_softmax", "sigmoid", "tanh", "softplus", "l2_loss",
           "softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits"]


def _float_tensor(x, op: str) -> Tensor:
    x = x if x.__class__ is Tensor or x.__class__ is Variable else as_tensor(x)
    if not x._dtype.is_floating:
        raise op_error(op, _FLOAT_ONLY % (x._dtype.name, op))
    return x


def relu(features, name=None) -> Tensor:
    """``tf.nn.relu``: max(x, 0); the gradient at 0 is 0, as in TensorFlow."""
    x = features if features.__class__ is Tensor or features.__class__ is Variable else as_tensor(features)
    out = wrap(np.maximum(x._value, 0), x._dtype)
    if active:
        record("Relu", (x,), out)
    return out


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """``tf.nn.leaky_relu``: x where x > 0, else alpha * x."""
    x = _float_tensor(features, "LeakyRelu")
    return where(greater(x, 0), x, multiply(x, alpha))


def softmax(logits, axis=None, name=None) -> Tensor:
    """``tf.nn.softmax`` along ``axis`` (the last by default), computed stably."""
    x = _float_tensor(logits, "Softmax")
    v = x._value
    axis = -1 if axis is None else int(axis)
    if v.ndim == 0:
        raise op_error("Softmax", "logits must have >= 1 dimension, got []")
    # TensorFlow's kernel: exp of the shifted logits, times the reciprocal of their sum.
    e = _EXP(v - np.max(v, axis=axis, keepdims=True))
    out = wrap(e * (1 / np.sum(e, axis=axis, keepdims=True)), x._dtype)
    if active:
        record("Softmax", (x,), out, axis)
    return out


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """``tf.nn.log_softmax``: x - logsumexp(x) along ``axis`` (the last by default)."""
    x = _float_tensor(logits, "LogSoftmax")
    axis = -1 if axis is None else int(axis)
    return subtract(x, reduce_logsumexp(x, axis, keepdims=True))


def l2_loss(t, name=None) -> Tensor:
    """``tf.nn.l2_loss``: sum(t ** 2) / 2."""
    return multiply(reduce_sum(square(t)), 0.5)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """``tf.nn.softmax_cross_entropy_with_logits``: -sum(labels * log_softmax(logits)) per example."""
    x = _float_tensor(logits, "SoftmaxCrossEntropyWithLogits")
    y = operand(labels, x._dtype)
    return -reduce_sum(multiply(y, log_softmax(x, axis)), axis)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """``tf.nn.sigmoid_cross_entropy_with_logits``: max(x, 0) - x * z + log(1 + exp(-|x|))."""
    x = _float_tensor(logits, "SigmoidCrossEntropyWithLogits")
    z = operand(labels, x._dtype)
    return relu(x) - x * z + softplus(-abs(x))


_ = reduce_mean, tanh, sigmoid  # re-exported under tf.nn
