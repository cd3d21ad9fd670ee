"""``tf.keras.Variable``: a layer's weight, as Keras 3 shows it on TensorFlow.

It takes part in every op and tape as a ``tf.Variable`` does (it is one, inside the
engine), but it prints and names itself as Keras 3 does: ``name`` is ``kernel``,
``path`` is ``dense/kernel``, ``dtype`` is the string ``'float32'``, the repr is
``<Variable path=dense/kernel, shape=(3, 4), dtype=float32, value=...>``, ``assign``
returns the assigned value, and ``trainable`` can be set.
"""

from __future__ import annotations

from ..tensor import Variable as _TFVariable, wrap as _wrap
from . import backend as _backend

__all__ = ["Variable"]


class Variable(_TFVariable):
    """A Keras weight (``keras.Variable``)."""

    __slots__ = ("_path",)

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None, **_ignored) -> None:
        value = initializer(shape, dtype=dtype) if callable(initializer) else initializer
        name = _backend._auto_name("variable") if name is None else str(name)
        super().__init__(value, trainable=trainable, dtype=dtype)
        self._name = name
        self._path = _backend._path(name)

    @property
    def path(self) -> str:
        return self._path

    @property
    def dtype(self) -> str:
        return self._dtype.name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = bool(value)

    @property
    def value(self):
        return _wrap(self._value, self._dtype)

    def assign(self, value):
        super().assign(value)
        return _wrap(self._value, self._dtype)

    def assign_add(self, value):
        super().assign_add(value)
        return _wrap(self._value, self._dtype)

    def assign_sub(self, value):
        super().assign_sub(value)
        return _wrap(self._value, self._dtype)

    def __repr__(self) -> str:
        return "<Variable path=%s, shape=%s, dtype=%s, value=%s>" % (
            self._path, tuple(self._value.shape), self._dtype.name, self.numpy())

    __str__ = __repr__
