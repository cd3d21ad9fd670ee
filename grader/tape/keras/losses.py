"""``tf.keras.losses``: Keras 3's losses on TensorFlow, as classes and as functions.

Each function gives one loss per example (the mean over the last axis where Keras
takes it); a class converts both arguments to its dtype (float32), applies
``sample_weight`` and reduces: ``sum_over_batch_size`` (the default, also ``mean``)
is the sum divided by the number of values, as Keras divides (``divide_no_nan``).
Crossentropies of a softmax or sigmoid output made by ``tf.keras.activations``
work from its logits, as Keras 3 does.
"""

from __future__ import annotations

from .. import array_ops as _a
from .. import math_ops as _m
from .. import nn as _nn
from ..clip_ops import clip_by_value as _clip
from ..dtypes import as_dtype as _as_dtype, float32 as _float32, int64 as _int64
from ..reductions import reduce_mean as _reduce_mean, reduce_sum as _reduce_sum
from ..tensor import Tensor as _Tensor, convert_to_tensor as _convert_to_tensor, wrap as _wrap
from . import backend as _backend

__all__ = ["Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", 
           "huber", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "MSE", "mse", "MAE", "mae", "get"]

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def _tensor(x, dtype=None):
    """Keras' convert_to_tensor: a tensor of another dtype is cast, anything else converted."""
    if isinstance(x, _Tensor):
        return x if dtype is None or x._dtype is dtype else _a.cast(x, dtype)
    t = _convert_to_tensor(x)
    return t if dtype is None or t._dtype is dtype else _a.cast(t, dtype)


def _same_rank(x1, x2):
    """Keras' squeeze_or_expand_to_same_rank: drop (or add) a trailing axis of length 1."""
    r1, r2 = x1._value.ndim, x2._value.ndim
    if r1 == r2 + 1 and x1._value.shape[-1] == 1:
        return (x1, _a.expand_dims(x2, -1)) if r2 == 1 else (_a.squeeze(x1, -1), x2)
    if r2 == r1 + 1 and x2._value.shape[-1] == 1:
        return (_a.expand_dims(x1, -1), x2) if r1 == 1 else (x1, _a.squeeze(x2, -1))
    return x1, x2


def _pair(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred._dtype)
    return _same_rank(y_true, y_pred)


def _last_axis_mean(x):
    return _reduce_mean(x, axis=-1) if x._value.ndim else x


def _mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred) ** 2) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean(_m.square(_m.subtract(y_true, y_pred)))


def _mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean(_m.abs(_m.subtract(y_true, y_pred)))


def huber(y_true, y_pred, delta=1.0):
    """0.5 e**2 where |e| <= delta, else delta * |e| - 0.5 delta**2; mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    delta = _convert_to_tensor(delta, y_pred._dtype)
    error = _m.subtract(y_pred, y_true)
    abs_error = _m.abs(error)
    half = _convert_to_tensor(0.5, abs_error._dtype)
    return _last_axis_mean(_m.where(_m.less_equal(abs_error, delta), _m.multiply(half, _m.square(error)),
                                    _m.subtract(_m.multiply(delta, abs_error), _m.multiply(half, _m.square(delta)))))


def _logits(output, from_logits: bool, kind: str, fn_name: str):
    """Keras' _get_logits: an activation's output carries its logits."""
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        import warnings
        warnings.warn('"`%s` received `from_logits=True`, but the `output` argument was produced by a %s '
                      'activation and thus does not represent logits. Was this intended?' % (fn_name, kind),
                      stacklevel=3)
    return logits, True


def _same_shapes(target, output) -> None:
    if target._value.ndim != output._value.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). Received: "
                         "target.shape=%s, output.shape=%s" % (target.shape, output.shape))
    if target._value.shape != output._value.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         "target.shape=%s, output.shape=%s" % (target.shape, output.shape))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-(t log p + (1 - t) log(1 - p)), p clipped to [eps, 1 - eps]; mean over ``axis``."""
    y_pred = _tensor(y_pred)
    y_true = _a.cast(_tensor(y_true), y_pred._dtype)
    if label_smoothing:
        y_true = _m.add(_m.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    _same_shapes(y_true, y_pred)
    output, logits = _logits(y_pred, from_logits, "Sigmoid", "binary_crossentropy")
    if logits:
        bce = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=output)
    else:
        p = _clip(output, _backend.epsilon(), 1.0 - _backend.epsilon())
        bce = _m.multiply(y_true, _m.log(p))
        bce = _m.add(bce, _m.multiply(_m.subtract(1, y_true), _m.log(_m.subtract(1, p))))
        bce = _m.negative(bce)
    return _reduce_mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(t log p) over ``axis``, p normalised and clipped (or a softmax of logits)."""
    y_pred = _tensor(y_pred)
    y_true = _a.cast(_tensor(y_true), y_pred._dtype)
    if label_smoothing:
        classes = y_pred._value.shape[-1]
        y_true = _m.add(_m.multiply(y_true, 1.0 - label_smoothing), label_smoothing / classes)
    if y_true._value.ndim < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: target.shape=%s, "
                         "output.shape=%s" % (y_true.shape, y_pred.shape))
    _same_shapes(y_true, y_pred)
    output, logits = _logits(y_pred, from_logits, "Softmax", "categorical_crossentropy")
    if logits:
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=output, axis=axis)
    output = _m.divide(output, _reduce_sum(output, axis, keepdims=True))
    output = _clip(output, _backend.epsilon(), 1.0 - _backend.epsilon())
    return _m.negative(_reduce_sum(_m.multiply(y_true, _m.log(output)), axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """-log p[label]: integer labels, one per example (a trailing axis of 1 is dropped)."""
    y_pred = _tensor(y_pred)
    if axis != -1 and axis != y_pred._value.ndim - 1:
        raise ValueError("Only axis=-1 is currently supported. Received: axis=%s" % axis)
    output, logits = _logits(y_pred, from_logits, "Softmax", "sparse_categorical_crossentropy")
    target = _a.cast(_tensor(y_true), _int64)
    if target._value.ndim == output._value.ndim and target._value.shape[-1] == 1:
        target = _a.squeeze(target, -1)
    if target._value.shape != output._value.shape[:-1]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the last dimension: "
                         "target.shape=%s, output.shape=%s" % (target.shape, output.shape))
    if not logits:
        output = _m.log(_clip(output, _backend.epsilon(), 1 - _backend.epsilon()))
    return _nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


MSE = mse = _mean_squared_error
MAE = mae = _mean_absolute_error


def _reduce(values, sample_weight, reduction: str):
    """Keras' reduce_weighted_values: weight, then sum (divided by the count for the means)."""
    if sample_weight is not None:
        weight = _tensor(sample_weight, values._dtype)
        values, weight = _same_rank(values, weight)
        values = _m.multiply(values, weight)
    if reduction in (None, "none") or values._value.shape in ((), (0,)):
        return values
    loss = _reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = _a.cast(_reduce_sum(_tensor(sample_weight, values._dtype)), loss._dtype)
        else:
            divisor = _wrap(loss._dtype._np.type(values._value.size), loss._dtype)
        loss = _m.divide_no_nan(loss, divisor)
    return loss


class Loss:
    """A loss object: ``loss(y_true, y_pred, sample_weight=None)`` gives the reduced loss."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: "
                             "reduction=%s" % (set(_REDUCTIONS), reduction))
        self.name = name or _backend._snake(type(self).__name__)
        self.reduction = reduction
        self._dtype = _float32 if dtype is None else _as_dtype(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _tensor(y_pred, self._dtype)
        y_true = _tensor(y_true, self._dtype)
        return _reduce(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class _Wrapper(Loss):
    """A loss class around one of the functions above, with its keyword arguments."""

    _fn = None
    _default_name = ""

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **fn_kwargs) -> None:
        super().__init__(name or self._default_name, reduction, dtype)
        self._fn_kwargs = fn_kwargs

    def call(self, y_true, y_pred):
        return type(self)._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return dict(super().get_config(), **self._fn_kwargs)


class MeanSquaredError(_Wrapper):
    _fn, _default_name = staticmethod(_mean_squared_error), "mean_squared_error"


class MeanAbsoluteError(_Wrapper):
    _fn, _default_name = staticmethod(_mean_absolute_error), "mean_absolute_error"


class Huber(_Wrapper):
    _fn, _default_name = staticmethod(huber), "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None) -> None:
        super().__init__(reduction, name, dtype, delta=delta)


class BinaryCrossentropy(_Wrapper):
    _fn, _default_name = staticmethod(binary_crossentropy), "binary_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None) -> None:
        super().__init__(reduction, name, dtype, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(_Wrapper):
    _fn, _default_name = staticmethod(categorical_crossentropy), "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None) -> None:
        super().__init__(reduction, name, dtype, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(_Wrapper):
    _fn, _default_name = staticmethod(sparse_categorical_crossentropy), "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None) -> None:
        if ignore_class is not None:
            raise NotImplementedError("The engine's SparseCategoricalCrossentropy does not offer ignore_class.")
        super().__init__(reduction, name, dtype, from_logits=from_logits)
        self.from_logits = from_logits


_BY_NAME = {"mse": _mean_squared_error, "mean_squared_error": _mean_squared_error, "mae": _mean_absolute_error,
            "mean_absolute_error": _mean_absolute_error, "huber": huber, "binary_crossentropy": binary_crossentropy,
            "categorical_crossentropy": categorical_crossentropy,
            "sparse_categorical_crossentropy": sparse_categorical_crossentropy}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError("Could not interpret loss identifier: %s" % identifier)
