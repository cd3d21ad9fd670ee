"""``tf.keras.optimizers``: SGD (with momentum), Adam, RMSprop and Adagrad, updating as
Keras 3 does, with its gradient clipping (``clipnorm``, ``clipvalue``, ``global_clipnorm``).

The updates are computed in the variable's dtype with the same operation order as
Keras (``keras/src/optimizers/sgd.py``, ``adam.py``, ``rmsprop.py``, ``adagrad.py`` and
``base_optimizer.py`` for clipping), so a training loop ends at the same float32 values
as under TensorFlow. Updates are plain numpy: no tape sees them.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from ..dtypes import int64 as _int64
from ..tensor import Tensor as _Tensor, Variable as _Variable

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad"]


def _apply(var: _Variable, ufunc, delta) -> None:
    """var = ufunc(var, delta): in place when nothing but the variable holds its array.

    A tape snapshot, a view or a tensor sharing the array raises its reference count,
    and then a new array is stored instead (recorded values never change). Writing in
    place lets a training loop reuse its memory instead of faulting in fresh pages for
    every update of a large weight.
    """
    value = var._value
    if value.__class__ is np.ndarray and value.base is None and sys.getrefcount(value) <= 3 \
            and value.flags.writeable:
        ufunc(value, delta, out=value)
    else:
        var._store(ufunc(value, delta))


class Optimizer:
    """Shared bookkeeping: the step counter, per-variable slots, skipping None gradients."""

    def __init__(self, learning_rate, name=None, clipnorm=None, clipvalue=None, global_clipnorm=None) -> None:
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             "clipnorm=%s, clipvalue=%s, global_clipnorm=%s" % (clipnorm, clipvalue, global_clipnorm))
        from .backend import _auto_name, _Scope, _snake
        from .variables import Variable as _KerasVariable
        self.name = _auto_name(_snake(type(self).__name__)) if name is None else name
        with _Scope(self.name, self):
            # Keras 3 keeps the step count and the rate in Keras variables (sgd/iteration).
            self.iterations = _KerasVariable(np.int64(0), dtype=_int64, trainable=False, name="iteration")
            self._learning_rate = None
            self.learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self._slots: dict = {}

    @property
    def learning_rate(self):
        """A float32 Variable, as in Keras 3 (or the schedule callable given)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if callable(value) and not isinstance(value, _Tensor):
            self._learning_rate = value
        elif isinstance(self._learning_rate, _Variable):
            self._learning_rate.assign(float(value))
        else:
            from .variables import Variable as _KerasVariable
            self._learning_rate = _KerasVariable(np.float32(value), trainable=False, name="learning_rate")

    def _lr(self, dtype) -> np.generic:
        lr = self._learning_rate
        if not isinstance(lr, _Tensor):
            lr = lr(self.iterations._value) if callable(lr) else lr
        return dtype.type(lr._value if isinstance(lr, _Tensor) else lr)

    def _slot(self, variable, index: int) -> np.ndarray:
        slots = self._slots.setdefault(id(variable), (variable, [None] * self._n_slots))[1]
        if slots[index] is None:
            slots[index] = np.zeros(variable._value.shape, variable._dtype._np)
        return slots[index]

    def _scaled(self, g: np.ndarray, lr, variable) -> np.ndarray:
        """g * lr written into a scratch buffer per (shape, dtype): no allocation per step.

        The product is consumed at once by ``_apply``, so one buffer serves every
        variable of that shape.
        """
        if g.__class__ is not np.ndarray or g.shape != variable._value.shape:
            return g * lr
        buffers = self.__dict__.setdefault("_buffers", {})
        key = (g.shape, g.dtype)
        buf = buffers.get(key)
        if buf is None:
            buf = buffers[key] = np.empty_like(g)
        return np.multiply(g, lr, out=buf)

    def _set_slot(self, variable, index: int, value) -> None:
        self._slots[id(variable)][1][index] = value

    def apply_gradients(self, grads_and_vars, **_ignored):
        """Apply one update per (gradient, variable) pair; pairs with a None gradient are skipped."""
        pairs = list(grads_and_vars)
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(pairs):
            missing = [v.name for g, v in pairs if g is None]
            warnings.warn("Gradients do not exist for variables %s when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?" % missing,
                          UserWarning, stacklevel=2)
        values = []
        for g, v in kept:
            if not isinstance(v, _Variable):
                raise TypeError("apply_gradients expects tf.Variable objects to update, got %r." % (v,))
            value = g._value if isinstance(g, _Tensor) else np.asarray(g)
            if value.dtype != v._dtype._np:
                value = np.asarray(value).astype(v._dtype._np)
            values.append(value)
        for value, (g, v) in zip(self._clipped(values), kept):
            self._update(value, v)
        self.iterations._store(self.iterations._value + np.int64(1))
        return self.iterations

    def _clipped(self, values: list) -> list:
        """Keras' _clip_gradients, in the gradients' dtype and Keras' order of operations."""
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in values:
                t = g.dtype.type
                l2sum = np.sum(np.square(g), keepdims=True)
                l2norm = np.where(l2sum > 0, np.sqrt(np.where(l2sum > 0, l2sum, t(1))), l2sum)
                out.append((g * t(self.clipnorm)) / np.maximum(l2norm, t(self.clipnorm)))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            t = values[0].dtype.type
            use_norm = np.sqrt(np.sum(np.stack([np.sum(np.square(g)) for g in values])))
            clip = t(self.global_clipnorm)
            scale = clip * np.minimum(t(1.0) / use_norm, t(1.0) / clip) + (use_norm - use_norm)
            return [g * scale.astype(g.dtype) for g in values]
        if self.clipvalue and self.clipvalue > 0:
            return [np.maximum(np.minimum(g, g.dtype.type(self.clipvalue)), g.dtype.type(-self.clipvalue))
                    for g in values]
        return values

    def minimize(self, loss, var_list, tape=None):
        """Compute the gradients of ``loss`` (a callable, or a tensor with ``tape``) and apply them."""
        from ..tape import GradientTape
        var_list = list(var_list() if callable(var_list) else var_list)
        if tape is None:
            if not callable(loss):
                raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: loss=%r, tape=None."
                                 % (loss,))
            with GradientTape() as tape:
                loss = loss()
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def get_config(self) -> dict:
        lr = self._learning_rate
        return {"name": self.name, "learning_rate": float(lr) if isinstance(lr, _Tensor) else lr,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}


class SGD(Optimizer):
    """Gradient descent; with ``momentum``, m = momentum*m - lr*g and var += m (Keras' form)."""

    _n_slots = 1

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, **_ignored) -> None:
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1]. Received: momentum=%r" % (momentum,))
        super().__init__(learning_rate, name, clipnorm, clipvalue, global_clipnorm)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, g: np.ndarray, var: _Variable) -> None:
        dt = var._dtype._np
        lr = self._lr(dt)
        if self.momentum == 0:
            if var._value.__class__ is np.ndarray:
                _apply(var, np.subtract, self._scaled(g, lr, var))
            else:  # a scalar: numpy's scalar arithmetic is the fast path
                var._store(var._value - g * lr)
            return
        momentum = dt.type(self.momentum)
        m = self._slot(var, 0)  # private to the optimizer: updated in place
        np.multiply(m, momentum, out=m)
        np.subtract(m, g * lr, out=m)
        _apply(var, np.add, m * momentum - g * lr if self.nesterov else m)

    def get_config(self) -> dict:
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)


class Adam(Optimizer):
    """Adam with Keras' defaults (lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7) and update."""

    _n_slots = 2

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name=None, clipnorm=None, clipvalue=None, global_clipnorm=None, **_ignored) -> None:
        if amsgrad:
            raise ValueError("The engine's Adam does not implement amsgrad; use amsgrad=False.")
        super().__init__(learning_rate, name, clipnorm, clipvalue, global_clipnorm)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _update(self, g: np.ndarray, var: _Variable) -> None:
        t = var._dtype._np.type
        lr = self._lr(var._dtype._np)
        step = t(self.iterations._value + 1)
        beta_1_power = t(self.beta_1) ** step
        beta_2_power = t(self.beta_2) ** step
        alpha = lr * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m = self._slot(var, 0)  # private to the optimizer: updated in place
        v = self._slot(var, 1)
        np.add(m, (g - m) * t(1 - self.beta_1), out=m)
        np.add(v, (np.square(g) - v) * t(1 - self.beta_2), out=v)
        _apply(var, np.subtract, (m * alpha) / (np.sqrt(v) + t(self.epsilon)))

    def get_config(self) -> dict:
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)


class RMSprop(Optimizer):
    """v = rho*v + (1-rho)*g^2; var -= lr*g / sqrt(v + epsilon) (centered: v - mean(g)^2; momentum)."""

    _n_slots = 3

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, **_ignored) -> None:
        super().__init__(learning_rate, name, clipnorm, clipvalue, global_clipnorm)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, bool(centered)

    def _update(self, g: np.ndarray, var: _Variable) -> None:
        t = var._dtype._np.type
        lr = self._lr(var._dtype._np)
        velocity = self._slot(var, 0)
        rho = t(self.rho)
        self._set_slot(var, 0, rho * velocity + t(1 - self.rho) * np.square(g))
        velocity = self._slot(var, 0)
        if self.centered:
            average = self._slot(var, 1)
            self._set_slot(var, 1, rho * average + t(1 - self.rho) * g)
            denominator = velocity - np.square(self._slot(var, 1)) + t(self.epsilon)
        else:
            denominator = velocity + t(self.epsilon)
        increment = (lr * g) / np.sqrt(denominator)
        if self.momentum > 0:
            self._set_slot(var, 2, t(self.momentum) * self._slot(var, 2) + increment)
            _apply(var, np.subtract, self._slot(var, 2))
        else:
            _apply(var, np.subtract, increment)

    def get_config(self) -> dict:
        return dict(super().get_config(), rho=self.rho, momentum=self.momentum, epsilon=self.epsilon,
                    centered=self.centered)


class Adagrad(Optimizer):
    """acc += g^2 (starting at ``initial_accumulator_value``); var -= lr*g / sqrt(acc + epsilon)."""

    _n_slots = 1

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, **_ignored) -> None:
        super().__init__(learning_rate, name, clipnorm, clipvalue, global_clipnorm)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _update(self, g: np.ndarray, var: _Variable) -> None:
        t = var._dtype._np.type
        lr = self._lr(var._dtype._np)
        slots = self._slots.get(id(var))
        if slots is None or slots[1][0] is None:
            self._slot(var, 0)
            self._set_slot(var, 0, np.full(var._value.shape, self.initial_accumulator_value, var._dtype._np))
        self._set_slot(var, 0, self._slot(var, 0) + np.square(g))
        _apply(var, np.subtract, (lr * g) / np.sqrt(self._slot(var, 0) + t(self.epsilon)))

    def get_config(self) -> dict:
        return dict(super().get_config(), initial_accumulator_value=self.initial_accumulator_value,
                    epsilon=self.epsilon)
