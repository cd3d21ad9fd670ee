"""``tf.keras.layers``: ``Layer`` and the layers a custom training loop builds models from.

A layer builds its weights on its first call, from the input's shape, inside its name
scope (so ``kernel`` gets the path ``dense/kernel``, or ``sequential/dense/kernel``
inside a model). Weights are ``keras.Variable``s; sublayers assigned as attributes
(or in lists) are tracked, and their weights listed after the layer's own, as in
Keras 3. Inputs are converted to the layer's dtype (float32) as Keras autocasts.
"""

from __future__ import annotations

import functools as _functools
import inspect as _inspect
import math as _math

import numpy as _np

from .. import array_ops as _a
from .. import dtypes as _dtypes
from .. import math_ops as _m
from ..recording import active as _active, record as _record
from ..tensor import Tensor as _Tensor, convert_to_tensor as _convert_to_tensor, wrap as _wrap
from . import activations as _activations
from . import backend as _backend
from . import initializers as _initializers
from . import regularizers as _regularizers
from .variables import Variable as _KerasVariable

__all__ = ["Layer", "Dense", "Flatten", "Dropout", "Activation", "InputLayer", "Input"]


def _call_accepts(fn, name: str) -> bool:
    try:
        params = _inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _as_input(x, dtype):
    """Keras' autocast: a floating tensor in another dtype, or a numeric array or list, becomes ``dtype``."""
    if isinstance(x, _Tensor):
        return _a.cast(x, dtype) if x._dtype is not dtype and x._dtype.is_floating else x
    if isinstance(x, (list, tuple, _np.ndarray, _np.generic, float, int)):
        arr = _np.asarray(x)
        if arr.dtype.kind in "fiu":
            return _convert_to_tensor(arr.astype(dtype._np))
    return x


class Layer:
    """``tf.keras.layers.Layer``: subclass it, create weights in ``build``, compute in ``call``."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs) -> None:
        unknown = set(kwargs) - {"input_shape", "input_dim", "autocast", "activity_regularizer"}
        if unknown:
            raise ValueError("Unrecognized keyword arguments passed to %s: %s" % (type(self).__name__, kwargs))
        object.__setattr__(self, "_tracked", [])
        self.name = _backend._auto_name(_backend._snake(type(self).__name__)) if name is None else str(name)
        self._dtype = _dtypes.as_dtype("float32" if dtype is None else dtype)
        self._trainable = bool(trainable)
        self._own_weights: list = []
        self._own_states: list = []   # seed-generator states: in ``variables``, not ``weights``
        self._regularized: list = []
        self._build_shape = None
        self.built = False
        shape = kwargs.get("input_shape")
        if kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        self._declared_input_shape = None if shape is None else (None,) + tuple(shape)

    def __init_subclass__(cls, **kwargs) -> None:
        """Wrap a subclass's ``build`` as Keras does: inside the layer's name scope, and
        ``built`` afterwards, however it is called (``layer.build(shape)`` too)."""
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("build")
        if original is None or getattr(original, "_wraps_build", False):
            return

        @_functools.wraps(original)
        def build(self, *args, **kw):
            with _backend._Scope(self.name, self):
                original(self, *args, **kw)
            self.built = True

        build._wraps_build = True
        cls.build = build

    # -- tracking ---------------------------------------------------------------------
    def __setattr__(self, name, value) -> None:
        tracked = self.__dict__.get("_tracked")
        if tracked is not None and not name.startswith("_"):
            for leaf in _layers_in(value):
                if leaf is not self and all(leaf is not t for t in tracked):
                    tracked.append(leaf)
        object.__setattr__(self, name, value)

    @property
    def _layers(self) -> list:
        return list(self.__dict__.get("_tracked", ()))

    # -- weights ----------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", overwrite_with_gradient=False,
                   name=None):
        """Create a weight of this layer (float32 and Glorot-uniform, or zeros for integers, by default)."""
        dt = self._dtype if dtype is None else _dtypes.as_dtype(dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dt.is_floating else "zeros"
        init = _initializers.get(initializer)
        with _backend._Scope(self.name, self):
            v = _KerasVariable(init, shape=() if shape is None else tuple(shape), dtype=dt,
                               trainable=bool(trainable) and self._trainable, name=name)
        self._own_weights.append(v)
        regularizer = _regularizers.get(regularizer)
        if regularizer is not None:
            self._regularized.append((v, regularizer))
        return v

    @property
    def weights(self) -> list:
        own = [v for v in self._own_weights if v.trainable] + [v for v in self._own_weights if not v.trainable]
        out, seen = [], set()
        for v in own + [w for layer in self._layers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def trainable_weights(self) -> list:
        return [v for v in self.weights if v.trainable] if self._trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return [v for v in self.weights if not v.trainable] if self._trainable else self.weights

    @property
    def variables(self) -> list:
        """The weights, then every random-seed state (Keras 3 lists those too)."""
        return self.weights + self._states()

    def _states(self) -> list:
        return list(self._own_states) + [s for layer in self._layers for s in layer._states()]

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = bool(value)
        for v in self._own_weights:
            v.trainable = self._trainable
        for layer in self._layers:
            layer.trainable = self._trainable

    @property
    def dtype(self) -> str:
        return self._dtype.name

    @property
    def losses(self) -> list:
        """The regularization penalties of this layer's weights and its sublayers', now."""
        own = [reg(v) for v, reg in self._regularized]
        return own + [loss for layer in self._layers for loss in layer.losses]

    def count_params(self) -> int:
        return int(sum(_math.prod(v._value.shape) for v in self.weights))

    def get_weights(self) -> list:
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError("You called `set_weights(weights)` on layer '%s' with a weight list of length %d, "
                             "but the layer was expecting %d weights." % (self.name, len(weights), len(mine)))
        for v, w in zip(mine, weights):
            v.assign(_np.asarray(w, v._dtype._np))

    # -- building and calling -------------------------------------------------------------
    def build(self, input_shape=None) -> None:
        self.built = True

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError("Layer %s does not have a `call()` method implemented." % type(self).__name__)

    def compute_output_shape(self, input_shape):
        """By default: call the layer on zeros of that shape (batch 1 where unknown)."""
        probe = _wrap(_np.zeros(tuple(1 if d is None else d for d in input_shape), self._dtype._np), self._dtype)
        saved = _active[:]
        _active.clear()
        try:
            out = self.call(probe)
        finally:
            _active[:] = saved
        return tuple(input_shape[:1]) + tuple(out._value.shape[1:])

    def _maybe_build(self, input_shape) -> None:
        if self.built:
            return
        self.build(input_shape)
        self._build_shape = None if input_shape is None else tuple(input_shape)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        inputs = _as_input(inputs, self._dtype)
        training = kwargs.pop("training", None)
        if training is None and _backend._training:
            training = _backend._training[-1]
        if isinstance(inputs, _Tensor):
            self._maybe_build(tuple(inputs._value.shape))
        elif not self.built:
            self._maybe_build(None)
        if _call_accepts(self.call, "training"):
            kwargs["training"] = training
        _backend._training.append(training)
        try:
            with _backend._Scope(self.name, self):
                out = self.call(inputs, *args, **kwargs)
        finally:
            _backend._training.pop()
        if self.__dict__.get("_first_output_shape") is None and isinstance(out, _Tensor):
            self._first_output_shape = tuple(out._value.shape)
        return out

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    def __repr__(self) -> str:
        return "<%s name=%s, built=%s>" % (type(self).__name__, self.name, self.built)


def _layers_in(value):
    if isinstance(value, Layer):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _layers_in(item)
    elif isinstance(value, dict):
        for key in value:
            yield from _layers_in(value[key])


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; the kernel is (input features, units)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)

    def build(self, input_shape) -> None:
        self._kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                       initializer=self.kernel_initializer, regularizer=self.kernel_regularizer)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    @property
    def kernel(self):
        if not self.built:
            raise AttributeError("You must build the layer before accessing `kernel`.")
        return self._kernel

    def call(self, inputs, training=None):
        x = _m.matmul(inputs, self._kernel)
        if self.bias is not None:
            x = _m.add(x, self.bias)
        return self.activation(x) if self.activation is not _activations.linear else x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return dict(super().get_config(), units=self.units, use_bias=self.use_bias,
                    activation=_activations.serialize(self.activation))


class Flatten(Layer):
    """Keep the batch axis, flatten the rest (a rank-1 input becomes (batch, 1))."""

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.built = False

    def build(self, input_shape=None) -> None:
        pass

    def call(self, inputs):
        shape = inputs._value.shape
        return _a.reshape(inputs, (shape[0] if shape else 1, int(_np.prod(shape[1:])) if len(shape) > 1 else 1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else int(_np.prod(rest)) if rest else 1)


class Activation(Layer):
    """Apply an activation function (a name or a callable)."""

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class _SeedGenerator:
    """Keras' SeedGenerator: its state is a non-trainable int64 variable that a model lists."""

    def __init__(self, seed=None) -> None:
        from .. import random as _random
        start = int(_random._generator(None).integers(0, 2**30)) if seed is None else int(seed)
        name = _backend._auto_name("seed_generator")
        saved = _backend._scopes[:]
        _backend._scopes[:] = [(name, self)]
        try:
            self.state = _KerasVariable(_np.array([start, 0], _np.int64), shape=(2,), dtype=_dtypes.int64,
                                        trainable=False, name="seed_generator_state")
        finally:
            _backend._scopes[:] = saved
        self.seed = seed

    def next(self):
        from .. import random as _random
        return _random._generator(None)


class Dropout(Layer):
    """With ``training=True``: zero each value with probability ``rate``, scale the rest by 1/(1-rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             "Received: rate=%s" % rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self._generator = _SeedGenerator(seed)
        self._own_states.append(self._generator.state)
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        x = inputs
        shape = x._value.shape if self.noise_shape is None else tuple(
            s if n is None else n for s, n in zip(x._value.shape, self.noise_shape))
        keep = _wrap(self._generator.next().uniform(size=shape) >= self.rate, _dtypes.bool)
        scale = x._dtype._np.type(1 / (1 - self.rate))
        scaled = _m.multiply(x, scale)
        return _m.where(keep, scaled, _wrap(_np.zeros((), x._dtype._np)[()], x._dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class _KerasTensor:
    """What ``tf.keras.Input`` returns: a symbolic input that only carries a shape."""

    def __init__(self, shape, dtype, name) -> None:
        self.shape = _TensorShapeOf(shape)
        self.dtype = dtype
        self.name = name

    def __repr__(self) -> str:
        return "<KerasTensor shape=%s, dtype=%s, sparse=False, ragged=False, name=%s>" % (
            tuple(self.shape), self.dtype, self.name)


def _TensorShapeOf(shape):
    from ..shape import TensorShape
    return TensorShape(shape)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False):
    """``tf.keras.Input``: declare a model's input shape (the batch axis is left open)."""
    if batch_shape is None:
        if shape is None:
            raise ValueError("You must pass a `shape` argument.")
        batch_shape = (batch_size,) + tuple(shape)
    return _KerasTensor(tuple(batch_shape), "float32" if dtype is None else str(_dtypes.as_dtype(dtype).name),
                        _backend._auto_name("keras_tensor") if name is None else name)


class InputLayer(Layer):
    """The layer an ``Input`` stands for in a Sequential model (not listed in ``layers``)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.output = Input(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape)

    def call(self, inputs):
        return inputs
