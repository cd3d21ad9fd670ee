"""``TensorShape``: a tensor's shape, printed and compared as TensorFlow's is.

It prints like a tuple, ``(2, 3)``, compares equal to tuples, lists and other shapes,
and offers ``as_list()``, ``rank``, ``len`` and indexing. Engine code never builds one
on a hot path: it reads ``tensor._value.shape`` (a plain tuple) instead.
"""

from __future__ import annotations

__all__ = ["TensorShape"]


class TensorShape:
    """A fully known shape (eager tensors always have one)."""

    __slots__ = ("_dims",)

    def __init__(self, dims) -> None:
        if isinstance(dims, TensorShape):
            dims = dims._dims
        elif dims is None:
            raise ValueError("The engine runs eagerly: every shape is fully known, so TensorShape(None) is not supported.")
        elif isinstance(dims, int):
            dims = (dims,)
        self._dims = tuple(None if d is None else int(d) for d in dims)

    @property
    def rank(self) -> int:
        return len(self._dims)

    ndims = rank

    @property
    def dims(self) -> list:
        return list(self._dims)

    def as_list(self) -> list:
        return list(self._dims)

    def num_elements(self) -> int:
        n = 1
        for d in self._dims:
            n *= d
        return n

    def is_fully_defined(self) -> bool:
        return None not in self._dims

    def is_compatible_with(self, other) -> bool:
        other = TensorShape(other)
        return len(other._dims) == len(self._dims) and all(
            a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def __len__(self) -> int:
        return len(self._dims)

    def __iter__(self):
        return iter(self._dims)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __eq__(self, other) -> bool:
        if isinstance(other, TensorShape):
            return self._dims == other._dims
        if isinstance(other, (tuple, list)):
            return self._dims == tuple(other)
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._dims)

    def __add__(self, other) -> TensorShape:
        return TensorShape(self._dims + tuple(TensorShape(other)._dims))

    def __radd__(self, other) -> TensorShape:
        return TensorShape(tuple(TensorShape(other)._dims) + self._dims)

    def concatenate(self, other) -> TensorShape:
        return self + other

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        if len(self._dims) == 1:
            return "(%s,)" % self._dims[0]
        return "(%s)" % ", ".join(str(d) for d in self._dims)

    def __repr__(self) -> str:
        return "TensorShape(%s)" % list(self._dims)
