"""``tf.math``: the element-wise and reduction ops under their ``tf.math.*`` names."""

from .math_ops import (  # noqa: F401 - re-exported
    abs, add, add_n, ceil, cos, divide, divide_no_nan, equal, exp, expm1, floor, floordiv, floormod, greater,
    greater_equal, is_finite, is_nan, less, less_equal, log, log1p, logical_and, logical_not, logical_or,
    logical_xor, maximum, minimum, mod, multiply, negative, not_equal, pow, reciprocal, round, rsqrt, sigmoid,
    sign, sin, softplus, sqrt, square, squared_difference, subtract, tan, tanh, truediv, matmul, einsum, where,
)
from .reductions import (  # noqa: F401
    argmax, argmin, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
    reduce_prod, reduce_std, reduce_sum, reduce_variance,
)
