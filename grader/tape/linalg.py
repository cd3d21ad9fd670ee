"""``tf.linalg``: the matrix products and the norm, under their linear-algebra names."""

from .array_ops import eye as _eye, transpose as _transpose
from .math_ops import abs as _abs, einsum, matmul, sqrt as _sqrt, square as _square
from .reductions import reduce_max as _reduce_max, reduce_sum as _reduce_sum

__all__ = ["matmul", "einsum", "norm", "matrix_transpose", "matvec", "trace"]


def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None):
    """``tf.norm`` / ``tf.linalg.norm`` of the entries: ord 'euclidean' (2, 'fro'), 1 or inf."""
    if ord in ("euclidean", "fro", 2):
        return _sqrt(_reduce_sum(_square(tensor), axis, keepdims))
    if ord == 1:
        return _reduce_sum(_abs(tensor), axis, keepdims)
    if ord == float("inf"):
        return _reduce_max(_abs(tensor), axis, keepdims)
    raise ValueError("'ord' must be a supported vector norm ('euclidean', 1, 2, np.inf), got %r." % (ord,))


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
