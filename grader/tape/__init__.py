"""The bundled tape engine: TensorFlow 2's eager ``tf.GradientTape`` API on numpy.

Notebooks run ``import grader.tape as tf`` and use it as TensorFlow (see the project's
TAPE_API contract). The layers, bottom up: ``dtypes``, ``shape``, ``tensor`` (Tensor,
Variable, conversion), ``recording`` (the tape stack), the ops (``math_ops``,
``reductions``, ``array_ops``, ``nn``), ``gradients`` (the rule table), ``tape``
(GradientTape and the backward pass), then ``module``, ``random``, ``keras``.

Like TensorFlow, the engine computes inf and nan silently: importing it turns off
numpy's floating-point warnings for the process.
"""

from __future__ import annotations

import numpy as _np

from . import dtypes, errors  # noqa: F401
from .dtypes import (  # noqa: F401
    DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16, int32, int64, string, uint8,
)
from .shape import TensorShape  # noqa: F401
from .tensor import Tensor, Variable, constant, convert_to_tensor, is_tensor  # noqa: F401
from .math_ops import (  # noqa: F401
    abs, add, add_n, cos, divide, einsum, equal, exp, greater, greater_equal, less, less_equal, matmul, maximum,
    minimum, multiply, negative, not_equal, pow, round, sigmoid, sign, sin, sqrt, square, subtract, tanh,
    truediv, where, floor,
)
from .reductions import (  # noqa: F401
    argmax, argmin, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
    reduce_prod, reduce_sum,
)
from .array_ops import (  # noqa: F401
    broadcast_to, cast, clip_by_value, concat, expand_dims, eye, fill, identity, linspace, newaxis, ones,
    ones_like, range, rank, reshape, shape, size, squeeze, stack, stop_gradient, tile, transpose, unstack,
    zeros, zeros_like, gather, one_hot,
)
from . import operators as _operators  # noqa: F401 - binds + - * / ... onto Tensor
from . import linalg, math, nn, random  # noqa: F401
from .linalg import norm  # noqa: F401
from .tape import GradientTape, UnconnectedGradients  # noqa: F401
from .module import Module  # noqa: F401
from . import keras  # noqa: F401

_np.seterr(all="ignore")

__version__ = "2.16.0+tapegrader"


def function(func=None, **_options):
    """``tf.function``: the engine is always eager, so this returns ``func`` unchanged."""
    if func is None:
        return lambda f: f
    return func


def print(*inputs, output_stream=None, sep=" ", end="\n", summarize=3, name=None):  # noqa: A001
    """``tf.print``: values without dtype or shape, written to stderr by default."""
    import sys
    text = sep.join(_print_text(x) for x in inputs)
    stream = sys.stderr if output_stream is None else output_stream
    stream.write(text + end)


def _print_text(x) -> str:
    if isinstance(x, Tensor):
        v = _np.asarray(x._value)
        return _np.array2string(v, separator=" ", formatter={"float_kind": lambda f: "%g" % f}) if v.ndim \
            else ("%g" % v if v.dtype.kind == "f" else str(v))
    return str(x)
