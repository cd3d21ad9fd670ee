"""``tf.keras.initializers``: the starting values of weights, Keras 3's formulas.

Seeded initializers give the same values at every call (Keras 3's stateless seeds);
unseeded ones draw from the engine's generator, which ``tf.keras.utils.set_random_seed``
and ``tf.random.set_seed`` restart. The numbers differ from TensorFlow's (another
generator); the distributions, shapes and dtypes are the same.
"""

from __future__ import annotations

import math as _math

import numpy as _np

from .. import dtypes as _dtypes
from .. import random as _random
from ..tensor import as_tensor as _as_tensor, wrap as _wrap

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "GlorotUniform",
           "GlorotNormal", "HeNormal", "HeUniform", "VarianceScaling", "get", "zeros", "ones", "constant", "random_normal",
           "random_uniform", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform"]


def _dtype(dtype):
    return _dtypes.as_dtype("float32" if dtype is None else dtype)


def _rng(seed):
    return _random._generator(seed)


class Initializer:
    """``initializer(shape, dtype=None)`` gives a tensor of that shape (float32 by default)."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement `__call__()`.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Constant(Initializer):
    def __init__(self, value=0.0) -> None:
        self.value = value

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        v = _np.asarray(_as_tensor(self.value)._value, dt._np)
        return _wrap(_np.broadcast_to(v, tuple(shape)).copy()[()], dt)

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Constant):
    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        return _wrap(_rng(self.seed).normal(self.mean, self.stddev, tuple(shape)).astype(dt._np)[()], dt)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        return _wrap(_rng(self.seed).uniform(self.minval, self.maxval, tuple(shape)).astype(dt._np)[()], dt)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _fans(shape) -> tuple:
    """Keras' compute_fans: (fan_in, fan_out) of a dense or convolution kernel."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = _math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    """scale / fan, fan by ``mode``; uniform within sqrt(3 * that), or a truncated normal."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None) -> None:
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out}.get(self.mode, (fan_in + fan_out) / 2.0)
        scale = self.scale / max(1.0, fan)
        rng = _rng(self.seed)
        if self.distribution == "uniform":
            limit = _math.sqrt(3.0 * scale)
            v = rng.uniform(-limit, limit, tuple(shape))
        else:
            stddev = _math.sqrt(scale) / 0.87962566103423978 if self.distribution == "truncated_normal" \
                else _math.sqrt(scale)
            v = rng.standard_normal(tuple(shape))
            if self.distribution == "truncated_normal":
                bad = _np.abs(v) > 2
                while bad.any():
                    v[bad] = rng.standard_normal(int(bad.sum()))
                    bad = _np.abs(v) > 2
            v = v * stddev
        return _wrap(_np.asarray(v, dt._np)[()], dt)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform = RandomNormal, RandomUniform
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, HeUniform
_BY_NAME = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
            "random_uniform": RandomUniform, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
            "he_normal": HeNormal, "he_uniform": HeUniform, "variance_scaling": VarianceScaling}


def get(identifier):
    """An initializer from its name (``"glorot_uniform"``), itself, or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else _snake_name(identifier)
        if key not in _BY_NAME:
            raise ValueError("Could not interpret initializer identifier: %s" % identifier)
        return _BY_NAME[key]()
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret initializer identifier: %s" % identifier)


def _snake_name(name: str) -> str:
    from .backend import _snake
    return _snake(name)
