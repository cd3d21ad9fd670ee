"""Dtypes of the tape engine: TensorFlow's names over numpy dtypes.

A ``DType`` is a singleton per numpy dtype, so engine code compares dtypes with
``is``. The conversion rules for Python values (float -> float32, int -> int32,
bool -> bool) live here because both tensor creation and the operators use them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DType", "as_dtype", "float16", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "bool", "string", "complex64", "complex128",
]

_builtin_bool = bool


class DType:
    """One tensor element type, named and classified as TensorFlow does."""

    __slots__ = ("name", "as_numpy_dtype", "is_floating", "is_integer", "is_bool", "is_complex", "_np", "_scalar")

    def __init__(self, name: str, np_type) -> None:
        self.name = name
        self.as_numpy_dtype = np_type
        self._np = np.dtype(np_type)
        self._scalar = np_type
        self.is_floating = self._np.kind == "f"
        self.is_integer = self._np.kind in "iu"
        self.is_bool = self._np.kind == "b"
        # Complex tensors are values only: the tape refuses to differentiate them.
        self.is_complex = self._np.kind == "c"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    @property
    def real_dtype(self) -> DType:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def min(self):
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __repr__(self) -> str:
        return "tf." + self.name

    def __str__(self) -> str:
        return "<dtype: '%s'>" % self.name

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
bool = DType("bool", np.bool_)  # noqa: A001 - TensorFlow's public name
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
half = float16
double = float64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool, complex64, complex128)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, float=float32, double=float64)
# numpy dtype -> DType; hashing a numpy dtype is cheap and exact.
BY_NP = {d._np: d for d in _ALL}
_BY_TYPE = {d.as_numpy_dtype: d for d in _ALL}
_BY_TYPE.update({float: float32, int: int32, _builtin_bool: bool, complex: complex128})


class _StringDType(DType):
    """tf.string exists so user code naming it imports; the engine has no string ops."""

    def __init__(self) -> None:
        self.name = "string"
        self.as_numpy_dtype = np.object_
        self._np = np.dtype(object)
        self._scalar = np.object_
        self.is_floating = self.is_integer = self.is_bool = self.is_complex = False


string = _StringDType()


def as_dtype(value) -> DType:
    """Convert a DType, numpy dtype or type, Python type or name to a DType."""
    if isinstance(value, DType):
        return value
    found = _BY_TYPE.get(value) if isinstance(value, type) else _BY_NAME.get(value) if isinstance(value, str) else None
    if found is not None:
        return found
    try:
        return BY_NP[np.dtype(value)]
    except (TypeError, KeyError):
        raise TypeError("Cannot convert %r to a dtype. The engine supports %s." % (value, ", ".join(d.name for d in _ALL))) from None
