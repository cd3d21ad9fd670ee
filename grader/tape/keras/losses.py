"""``tf.keras.losses``: mean squared error, as a class and as a function."""

from __future__ import annotations

from ..math_ops import multiply, square, subtract
from ..reductions import reduce_mean, reduce_sum
from ..tensor import as_tensor, operand

__all__ = ["MeanSquaredError", "mean_squared_error", "MSE", "mse"]


def mean_squared_error(y_true, y_pred):
    """Per-example MSE: the mean of (y_pred - y_true)**2 over the last axis."""
    y_pred = as_tensor(y_pred)
    y_true = operand(y_true, y_pred._dtype) if not hasattr(y_true, "_dtype") else y_true
    sq = square(subtract(y_pred, y_true))
    return reduce_mean(sq, axis=-1) if sq._value.ndim else sq


MSE = mse = mean_squared_error

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


class MeanSquaredError:
    """``tf.keras.losses.MeanSquaredError``: MSE reduced over the batch (mean by default)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error") -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: reduction=%r"
                             % (list(_REDUCTIONS), reduction))
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        per_example = mean_squared_error(y_true, y_pred)
        if sample_weight is not None:
            per_example = multiply(per_example, operand(sample_weight, per_example._dtype))
        if self.reduction in ("none", None):
            return per_example
        if self.reduction == "sum":
            return reduce_sum(per_example)
        return reduce_mean(per_example)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}
