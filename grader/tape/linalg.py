"""``tf.linalg``: the matrix products and the norm, under their linear-algebra names."""

import numpy as _np

from .array_ops import eye as _eye, expand_dims as _expand_dims, squeeze as _squeeze, transpose as _transpose
from .errors import _op_error
from .math_ops import pair as _pair
from .recording import active as _active, record as _record
from .tensor import wrap as _wrap
from .clip_ops import global_norm  # noqa: F401 - tf.linalg.global_norm
from .math_ops import abs as _abs, einsum, matmul, sqrt as _sqrt, square as _square
from .reductions import reduce_max as _reduce_max, reduce_sum as _reduce_sum

__all__ = ["matmul", "einsum", "norm", "matrix_transpose", "matvec", "trace", "global_norm", "solve"]


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


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.linalg.matvec``: as TensorFlow defines it, matmul(a, b[..., None])[..., 0]."""
    out = matmul(a, _expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return _squeeze(out, -1)


def solve(matrix, rhs, adjoint=False, name=None):
    """``tf.linalg.solve``: x with matrix @ x = rhs (each of a batch of square matrices)."""
    a, b = _pair(matrix, rhs, "MatrixSolve")
    av, bv = a._value, b._value
    if av.ndim < 2 or av.shape[-1] != av.shape[-2]:
        raise _op_error("MatrixSolve", "Input matrix must be square.", kernel=True)
    if bv.ndim != av.ndim or bv.shape[-2] != av.shape[-1]:
        raise _op_error("MatrixSolve", "Input matrix and right-hand side must have the same number of rows.",
                        kernel=True)
    if not a._dtype.is_floating:
        raise _op_error("MatrixSolve", "Value for attr 'T' of %s is not in the list of allowed values: double, "
                        "float, half, complex64, complex128" % a._dtype.name)
    return _solve(a, b, adjoint)


def _solve(a, b, adjoint: bool):
    """The MatrixSolve op, batch axes broadcast (the gradient rule's batched jacobian rows)."""
    av, bv = a._value, b._value
    lhs = _np.swapaxes(av, -1, -2) if adjoint else av
    try:
        v = _np.linalg.solve(lhs, bv).astype(a._dtype._np)
    except _np.linalg.LinAlgError:
        raise _op_error("MatrixSolve", "Input matrix is not invertible.", kernel=True) from None
    out = _wrap(v, a._dtype)
    if _active:
        _record("MatrixSolve", (a, b), out, bool(adjoint))
    return out


def trace(x, name=None):
    """``tf.linalg.trace``: the sum of the main diagonal (of the last two axes)."""
    return _reduce_sum(x * _eye(x.shape[-2], x.shape[-1], dtype=x.dtype), axis=[-2, -1])
