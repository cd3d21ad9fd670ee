"""``tf.keras.losses``: mean squared error, as a class and as a function."""

from __future__ import annotations

from ..array_ops import cast as _cast
from ..dtypes import as_dtype as _as_dtype, float32 as _float32
from ..math_ops import multiply as _multiply, square as _square, subtract as _subtract
from ..reductions import reduce_mean as _reduce_mean, reduce_sum as _reduce_sum
from ..tensor import Tensor as _Tensor, convert_to_tensor as _convert_to_tensor, operand as _operand

__all__ = ["MeanSquaredError", "MSE", "mse"]


def _as_float(value, dtype):
    """Keras 3 casts both arguments of a loss to the loss dtype (float32 by default)."""
    return _cast(value, dtype) if isinstance(value, _Tensor) else _convert_to_tensor(value, dtype)


def _mean_squared_error(y_true, y_pred, dtype=_float32):
    """Per-example MSE: the mean of (y_pred - y_true)**2 over the last axis, in float32."""
    y_pred = _as_float(y_pred, dtype)
    y_true = _as_float(y_true, dtype)
    sq = _square(_subtract(y_pred, y_true))
    return _reduce_mean(sq, axis=-1) if sq._value.ndim else sq


MSE = mse = _mean_squared_error

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


class MeanSquaredError:
    """``tf.keras.losses.MeanSquaredError``: MSE reduced over the batch (mean by default)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: reduction=%r"
                             % (list(_REDUCTIONS), reduction))
        self.reduction = reduction
        self.name = name
        self.dtype = _float32 if dtype is None else _as_dtype(dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        per_example = _mean_squared_error(y_true, y_pred, self.dtype)
        if sample_weight is not None:
            per_example = _multiply(per_example, _operand(sample_weight, per_example._dtype))
        if self.reduction in ("none", None):
            return per_example
        if self.reduction == "sum":
            return _reduce_sum(per_example)
        return _reduce_mean(per_example)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}
