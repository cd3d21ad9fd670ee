"""``tf.keras.regularizers``: weight penalties a layer adds to ``layer.losses``."""

from __future__ import annotations

from .. import math_ops as _m
from ..reductions import reduce_sum as _reduce_sum

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2) (Keras 3 defaults: no penalty)."""

    def __init__(self, l1=0.0, l2=0.0) -> None:
        self.l1 = 0.0 if l1 is None else float(l1)
        self.l2 = 0.0 if l2 is None else float(l2)

    def __call__(self, x):
        total = _m.multiply(_reduce_sum(_m.abs(x)), self.l1) if self.l1 else None
        if self.l2:
            term = _m.multiply(_reduce_sum(_m.square(x)), self.l2)
            total = term if total is None else _m.add(total, term)
        return total if total is not None else _m.multiply(_reduce_sum(x), 0.0)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01) -> None:
        self.l1 = float(l1)

    def __call__(self, x):
        return _m.multiply(_reduce_sum(_m.abs(x)), self.l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01) -> None:
        self.l2 = float(l2)

    def __call__(self, x):
        return _m.multiply(_reduce_sum(_m.square(x)), self.l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError("Could not interpret regularizer identifier: %s" % identifier)
        return _BY_NAME[identifier]()
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret regularizer identifier: %s" % (identifier,))
