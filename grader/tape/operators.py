"""Python operators on Tensor (``+ - * / // % ** @``, unary ``-``, ``abs``, comparisons,
``&  |  ^  ~`` and indexing), bound to the engine's ops as TensorFlow's math_ops does.

``==`` and ``!=`` compare element-wise, like TensorFlow 2; comparing with something
that is not convertible to a tensor (``None``, a string) gives False / True.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from . import math_ops as M
from .array_ops import getitem, identity
from .errors import InvalidArgumentError
from .tensor import Tensor, Variable, wrap


def _reflected(fn):
    def reflected(self, other):
        return fn(other, self)
    reflected.__name__ = "r" + fn.__name__
    return reflected


def _compare_or_constant(fn, self, other, when_incompatible: bool):
    """TensorFlow compares with ``incompatible_shape_error=False``: shapes that do not
    broadcast give a scalar bool instead of an error."""
    try:
        return fn(self, other)
    except InvalidArgumentError:
        return wrap(np.bool_(when_incompatible), dtypes.bool)


def _eq(self, other):
    if other is None:
        return False
    return _compare_or_constant(M.equal, self, other, False)


def _ne(self, other):
    if other is None:
        return True
    return _compare_or_constant(M.not_equal, self, other, True)


def _abs(self):
    return M.abs(self)


def _neg(self):
    return M.negative(self)


def _pos(self):
    # A Tensor is immutable, so +t can be t itself; +variable is a snapshot.
    return identity(self) if isinstance(self, Variable) else self


def _invert(self):
    return M.logical_not(self)


def _matmul(a, b):
    return M.matmul(a, b)


_BINARY = {
    "add": M.add, "sub": M.subtract, "mul": M.multiply, "truediv": M.divide, "floordiv": M.floordiv,
    "mod": M.floormod, "pow": M.pow, "matmul": _matmul, "and": M.logical_and, "or": M.logical_or,
    "xor": M.logical_xor,
}


def install() -> None:
    """Bind the operators onto Tensor (and so onto Variable)."""
    for name, fn in _BINARY.items():
        setattr(Tensor, "__%s__" % name, fn)
        setattr(Tensor, "__r%s__" % name, _reflected(fn))
    Tensor.__lt__ = M.less
    Tensor.__le__ = M.less_equal
    Tensor.__gt__ = M.greater
    Tensor.__ge__ = M.greater_equal
    Tensor.__eq__ = _eq
    Tensor.__ne__ = _ne
    Tensor.__neg__ = _neg
    Tensor.__pos__ = _pos
    Tensor.__abs__ = _abs
    Tensor.__invert__ = _invert
    Tensor.__getitem__ = getitem


install()
