"""Gradient checking against central finite differences, to second order.

Modelled on HIPS autograd's ``test_util.check_grads``: the engine's reverse-mode
gradient is compared with a central difference along a random direction, and the
second derivative (nested tapes) is compared with central differences of the
engine's own first-order gradient.  Everything runs in float64 so the finite
differences are accurate to ~1e-9.

The module under test is ``grader.tape`` unless the environment variable
``TAPE_UNDER_TEST`` names another module with the same API (``tensorflow``):
that is how the tests themselves are validated against real TensorFlow.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Sequence

import numpy as np

MODULE_ENV = "TAPE_UNDER_TEST"


def module_under_test() -> Any:
    """Import and return the tape module under test (``grader.tape`` by default)."""
    return importlib.import_module(os.environ.get(MODULE_ENV, "grader.tape"))


def _as_numpy(value: Any) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _evaluate(tf: Any, fun: Callable, arrays: Sequence[np.ndarray]) -> np.ndarray:
    """``fun`` applied to float64 constants, outside any tape, as a numpy array."""
    return _as_numpy(fun(*[tf.constant(a, dtype=tf.float64) for a in arrays]))


def _directional_difference(f: Callable, arrays: Sequence[np.ndarray],
                            direction: Sequence[np.ndarray], eps: float) -> float:
    plus = [a + eps * d for a, d in zip(arrays, direction)]
    minus = [a - eps * d for a, d in zip(arrays, direction)]
    return float((f(plus) - f(minus)) / (2 * eps))


def _full_difference(f: Callable, arrays: Sequence[np.ndarray], eps: float) -> list:
    """Element-wise central differences of scalar ``f``; only used to explain a failure."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            step = [np.zeros_like(b) for b in arrays]
            step[i][idx] = 1.0
            g[idx] = _directional_difference(f, arrays, step, eps)
        grads.append(g)
    return grads


def _tape_gradient(tf: Any, scalar_fun: Callable, arrays: Sequence[np.ndarray],
                   variables: bool) -> list:
    """Gradient of the scalar ``scalar_fun(*tensors)`` with respect to every argument.

    Arguments are watched constants, or trainable Variables (watched automatically).
    Unconnected arguments give zeros (a linear op's second derivative is unconnected).
    """
    if variables:
        xs = [tf.Variable(a, dtype=tf.float64) for a in arrays]
    else:
        xs = [tf.constant(a, dtype=tf.float64) for a in arrays]
    with tf.GradientTape() as tape:
        if not variables:
            tape.watch(xs)
        y = scalar_fun(*xs)
    grads = tape.gradient(y, xs, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return grads


def _check_gradient(tf: Any, name: str, scalar_fun: Callable,
                    arrays: Sequence[np.ndarray], rng: np.random.Generator,
                    eps: float, rtol: float, atol: float, variables: bool) -> None:
    grads = _tape_gradient(tf, scalar_fun, arrays, variables)
    assert isinstance(grads, list) and len(grads) == len(arrays), (
        f"{name}: gradient of a list of sources must be a list of {len(arrays)}, got {grads!r}")
    for i, (g, a) in enumerate(zip(grads, arrays)):
        assert g is not None, f"{name}: gradient {i} is None"
        assert tuple(g.shape) == a.shape, (
            f"{name}: gradient {i} has shape {tuple(g.shape)}, its source {a.shape}")
        assert g.dtype == tf.float64, f"{name}: gradient {i} has dtype {g.dtype}, expected float64"
    grads = [_as_numpy(g) for g in grads]

    def f(arrs: Sequence[np.ndarray]) -> float:
        return float(_evaluate(tf, scalar_fun, arrs))

    direction = [rng.standard_normal(a.shape) for a in arrays]
    numeric = _directional_difference(f, arrays, direction, eps)
    analytic = float(sum(np.sum(g * d) for g, d in zip(grads, direction)))
    if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
        expected = _full_difference(f, arrays, eps)
        raise AssertionError(
            f"{name}: tape gradient disagrees with central differences\n"
            f"  directional: tape {analytic!r} vs finite difference {numeric!r}\n"
            f"  tape gradient:     {[g.tolist() for g in grads]}\n"
            f"  finite difference: {[g.tolist() for g in expected]}")


def check_grads(tf: Any, fun: Callable, *args: Any, order: int = 2, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0,
                variables: bool = False) -> None:
    """Check first (and second, when ``order == 2``) derivatives of ``fun`` at ``args``.

    ``fun`` takes one tensor per argument and returns a tensor of any shape; it is
    reduced to a scalar with a fixed random weighting so every output element
    matters.  Non-differentiable inputs (conditions, indices) belong in a closure.
    With ``variables=True`` the sources are ``tf.Variable``s the tapes watch by
    themselves instead of watched constants.
    """
    assert order in (1, 2), "order must be 1 or 2"
    arrays = [np.array(a, dtype=np.float64) for a in args]
    rng = np.random.default_rng(seed)
    out = _evaluate(tf, fun, arrays)
    weights = tf.constant(rng.standard_normal(out.shape), dtype=tf.float64)

    def first(*xs: Any) -> Any:
        return tf.reduce_sum(fun(*xs) * weights)

    name = getattr(fun, "__name__", repr(fun))
    _check_gradient(tf, f"{name} (first order)", first, arrays, rng, eps, rtol, atol,
                    variables)
    if order < 2:
        return

    projections = [tf.constant(rng.standard_normal(a.shape), dtype=tf.float64) for a in arrays]

    def projected_gradient(*xs: Any) -> Any:
        """<grad first(xs), u>: its gradient is a Hessian-vector product."""
        with tf.GradientTape() as inner:
            inner.watch(list(xs))
            y = first(*xs)
        grads = inner.gradient(y, list(xs),
                               unconnected_gradients=tf.UnconnectedGradients.ZERO)
        total = tf.constant(0.0, dtype=tf.float64)
        for g, u in zip(grads, projections):
            total = total + tf.reduce_sum(g * u)
        return total

    _check_gradient(tf, f"{name} (second order)", projected_gradient, arrays, rng,
                    eps, rtol, atol, variables)
