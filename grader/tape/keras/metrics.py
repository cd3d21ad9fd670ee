"""``tf.keras.metrics``: running means a training loop reports (``update_state``, ``result``,
``reset_state``), kept in two float32 Keras variables, ``total`` and ``count``, as Keras 3
keeps them. Metrics are outside every tape: their updates are never recorded.
"""

from __future__ import annotations

import numpy as _np

from .. import array_ops as _a
from .. import dtypes as _dtypes
from .. import math_ops as _m
from ..reductions import argmax as _argmax, reduce_mean as _reduce_mean, reduce_sum as _reduce_sum
from ..tape import _Paused
from ..tensor import Tensor as _Tensor, convert_to_tensor as _convert_to_tensor
from . import backend as _backend
from .variables import Variable as _KerasVariable

__all__ = ["Metric", "Mean", "CategoricalAccuracy", "SparseCategoricalAccuracy", "categorical_accuracy",
           "sparse_categorical_accuracy"]


def _tensor(x, dtype=None):
    t = x if isinstance(x, _Tensor) else _convert_to_tensor(x)
    return t if dtype is None or t._dtype is dtype else _a.cast(t, dtype)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred._dtype)
    shape = y_true._value.shape
    reshape = False
    if y_true._value.ndim == y_pred._value.ndim and shape[-1] == 1:
        y_true = _a.squeeze(y_true, -1)
        reshape = True
    predicted = _a.cast(_argmax(y_pred, axis=-1), y_true._dtype)
    matches = _a.cast(_m.equal(y_true, predicted), _dtypes.float32)
    return _a.reshape(matches, shape) if reshape else matches


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot labels), else 0.0."""
    return sparse_categorical_accuracy(_argmax(_tensor(y_true), axis=-1), y_pred)


class Metric:
    """State in Keras variables, created under the metric's name (``mean/total``)."""

    def __init__(self, name=None, dtype=None) -> None:
        self.name = name or _backend._snake(type(self).__name__)
        self._dtype = _dtypes.as_dtype("float32" if dtype is None else dtype)
        self._variables: list = []

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        with _backend._Scope(self.name, self):
            v = _KerasVariable(_np.zeros(shape, self._dtype._np), dtype=dtype or self._dtype, trainable=False,
                               name=name)
        self._variables.append(v)
        return v

    @property
    def variables(self) -> list:
        return list(self._variables)

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(_np.zeros(v._value.shape, v._dtype._np))

    def __repr__(self) -> str:
        return "<%s name=%s>" % (type(self).__name__, self.name)


class Mean(Metric):
    """The mean of every value given (per example, the mean over its other axes)."""

    def __init__(self, name="mean", dtype=None) -> None:
        super().__init__(name, dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None) -> None:
        with _Paused():
            values = _tensor(values, self._dtype)
            weight = None
            if sample_weight is not None:
                from .losses import _same_rank
                weight = _tensor(sample_weight, self._dtype)
                values, weight = _same_rank(values, weight)
                if values._value.ndim > weight._value.ndim:
                    values = _reduce_mean(values, axis=list(range(weight._value.ndim, values._value.ndim)))
                weight = _a.broadcast_to(weight, values._value.shape)
                values = _m.multiply(values, weight)
                if weight._value.ndim > 1:
                    weight = _reduce_mean(weight, axis=list(range(1, weight._value.ndim)))
            if values._value.ndim > 1:
                values = _reduce_mean(values, axis=list(range(1, values._value.ndim)))
            self.total.assign_add(_reduce_sum(values))
            if weight is not None:
                n = _reduce_sum(weight)
            else:
                n = values._value.shape[0] if values._value.ndim else 1
            self.count.assign_add(_a.cast(_tensor(n), self._dtype))

    def result(self):
        return _m.divide_no_nan(_a.identity(self.total), _a.identity(self.count))


class _MeanOf(Mean):
    """A Mean of a per-example function of (y_true, y_pred)."""

    _fn = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        with _Paused():
            matches = type(self)._fn(y_true, y_pred)
        super().update_state(matches, sample_weight)


class SparseCategoricalAccuracy(_MeanOf):
    _fn = staticmethod(sparse_categorical_accuracy)

    def __init__(self, name="sparse_categorical_accuracy", dtype=None) -> None:
        super().__init__(name, dtype)


class CategoricalAccuracy(_MeanOf):
    _fn = staticmethod(categorical_accuracy)

    def __init__(self, name="categorical_accuracy", dtype=None) -> None:
        super().__init__(name, dtype)
