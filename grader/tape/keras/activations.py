"""``tf.keras.activations``: the functions ``Dense(activation=...)`` and ``Activation`` apply.

``softmax`` and ``sigmoid`` remember their logits on the output (Keras'
``_keras_logits``): a crossentropy loss given such an output works from the logits,
as Keras 3 does on TensorFlow, so values and gradients follow the same arithmetic.
"""

from __future__ import annotations

from .. import math_ops as _m
from .. import nn as _nn
from ..tensor import Tensor as _Tensor, as_tensor as _as_tensor

__all__ = ["relu", "sigmoid", "softmax", "tanh", "elu", "softplus", "linear", "leaky_relu", "exponential",
           "get", "serialize", "deserialize"]


class _WithLogits(_Tensor):
    """A softmax or sigmoid output that keeps its logits (Keras sets ``output._keras_logits``)."""

    __slots__ = ("_keras_logits",)


def _keep_logits(out, logits):
    t = object.__new__(_WithLogits)
    t._value, t._dtype, t._keras_logits = out._value, out._dtype, logits
    return t


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    x = _as_tensor(x)
    if negative_slope or max_value is not None or threshold:
        out = _m.where(x > threshold, x, _m.multiply(_m.subtract(x, threshold), negative_slope))
        return out if max_value is None else _m.minimum(out, max_value)
    return _nn.relu(x)


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, alpha=negative_slope)


def elu(x, alpha=1.0):
    out = _nn.elu(x)
    return out if alpha == 1.0 else _m.where(_as_tensor(x) > 0, out, _m.multiply(out, alpha))


def sigmoid(x):
    x = _as_tensor(x)
    return _keep_logits(_m.sigmoid(x), x)


def softmax(x, axis=-1):
    x = _as_tensor(x)
    return _keep_logits(_nn.softmax(x, axis=axis), x)


def tanh(x):
    return _m.tanh(x)


def softplus(x):
    return _m.softplus(x)


def exponential(x):
    return _m.exp(x)


def linear(x):
    return x


_BY_NAME = {f.__name__: f for f in (relu, sigmoid, softmax, tanh, elu, softplus, linear, leaky_relu, exponential)}


def serialize(activation) -> str:
    return activation.__name__


def deserialize(config, custom_objects=None):
    return get(config)


def get(identifier):
    """An activation from its name (``"relu"``), itself, or ``None`` (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError("Could not interpret activation function identifier: %s" % identifier)
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret activation function identifier: %s" % (identifier,))
