"""``tf.linalg``: the matrix products and the norm, under their linear-algebra names."""

from .array_ops import eye as _eye, transpose as _transpose
from .math_ops import einsum, matmul, sqrt as _sqrt, square as _square
from .reductions import reduce_sum as _reduce_sum

__all__ = ["matmul", "einsum", "norm", "matrix_transpose", "matvec", "trace"]


def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None):
    """``tf.norm`` / ``tf.linalg.norm``: the Euclidean (Frobenius) norm only."""
    if ord not in ("euclidean", "fro", 2):
        raise NotImplementedError("The engine's norm computes ord='euclidean' only, got ord=%r." % (ord,))
    return _sqrt(_reduce_sum(_square(tensor), axis, keepdims))


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swap the last two axes."""
    nd = a.ndim if hasattr(a, "ndim") else len(a.shape)
    return _transpose(a, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None):
    """``tf.linalg.matvec``: matrix times vector over the last axes."""
    return einsum("...ij,...j->...i" if not (transpose_a or adjoint_a) else "...ji,...j->...i", a, b)


def trace(x, name=None):
    """``tf.linalg.trace``: the sum of the main diagonal (of the last two axes)."""
    return _reduce_sum(x * _eye(x.shape[-2], x.shape[-1], dtype=x.dtype), axis=[-2, -1])
