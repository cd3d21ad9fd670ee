"""``tf.keras.losses``: mean squared error, as a class and as a function."""

from __future__ import annotations

from ..array_ops import cast
from ..dtypes import as_dtype, float32
from ..math_ops import multiply, square, subtract
from ..reductions import reduce_mean, reduce_sum
from ..tensor import Tensor, convert_to_tensor, operand

__all__ = ["MeanSquaredError", "mean_squared_error", "MSE", "mse"]


def _as_float(value, dtype):
    """Keras 3 casts both arguments of a loss to the loss dtype (float32 by default)."""
    return cast(value, dtype) if isinstance(value, Tensor) else convert_to_tensor(value, dtype)


def mean_squared_error(y_true, y_pred, dtype=float32):
    """Per-example MSE: the mean of (y_pred - y_true)**2 over the last axis, in float32."""
    y_pred = _as_float(y_pred, dtype)
    y_true = _as_float(y_true, dtype)
    sq = square(subtract(y_pred, y_true))
    return reduce_mean(sq, axis=-1) if sq._value.ndim else sq


MSE = mse = mean_squared_error

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


class MeanSquaredError:
    """``tf.keras.losses.MeanSquaredError``: MSE reduced over the batch (mean by default)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: reduction=%r"
                             % (list(_REDUCTIONS), reduction))
        self.reduction = reduction
        self.name = name
        self.dtype = float32 if dtype is None else as_dtype(dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        per_example = mean_squared_error(y_true, y_pred, self.dtype)
        if sample_weight is not None:
            per_example = multiply(per_example, operand(sample_weight, per_example._dtype))
        if self.reduction in ("none", None):
            return per_example
        if self.reduction == "sum":
            return reduce_sum(per_example)
        return reduce_mean(per_example)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}
