"""The two routes to a derivative that the kinds share: the engine and finite differences.

A reference must be right, so every kind computes it twice by independent routes:
the bundled engine in float64, differentiating exactly as a student's tape would
(nested tapes for higher orders), and central finite differences of the numpy
evaluation of the spec's function. The helpers here are those routes' building
blocks; each kind module combines them.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

FD_STEP = {1: 1e-6, 2: 1e-4, 3: 1e-3}


def tensors(tf: Any, point: Mapping[str, np.ndarray]) -> dict[str, Any]:
    return {name: tf.constant(value) for name, value in point.items()}


def as_tensor(tf: Any, value: Any) -> Any:
    return tf.convert_to_tensor(value, dtype=tf.float64)


def watched_function(tf: Any, answer: Any, point: Mapping[str, np.ndarray]):
    """(tape, y, source): the answer's function computed under a tape that watches its
    one source, as the Jacobian kinds' references need before their own tape call."""
    held = tensors(tf, point)
    source = held[answer.of[0]]
    with tf.GradientTape() as tape:
        tape.watch(source)
        y = as_tensor(tf, answer.expression.to_tape(tf, held))
    return tape, y, source


def nested_gradient(tf: Any, expression: Any, tensors: Mapping[str, Any],
                    sources: list, order: int, upstream: Any = None) -> list:
    """d^order f / d source^order, by nesting one tape per order (the outer tape records
    the inner tape's gradient computation, as a student's nested tapes do).
    ``upstream`` is the first derivative's ``output_gradients`` (None: ones)."""
    with tf.GradientTape() as tape:
        tape.watch(sources)
        if order == 1:
            target = as_tensor(tf, expression.to_tape(tf, tensors))
        else:
            target = nested_gradient(tf, expression, tensors, sources, order - 1, upstream)[0]
    weights = upstream if order == 1 else None
    return tape.gradient(target, sources, output_gradients=weights,
                         unconnected_gradients=tf.UnconnectedGradients.ZERO)


def engine_derivative(tf: Any, answer: Any, point: Mapping[str, np.ndarray],
                      order: int) -> np.ndarray:
    """The answer's ``order``-th derivative by the engine (stacked for several sources)."""
    held = tensors(tf, point)
    sources = [held[s] for s in answer.of]
    upstream = None
    if getattr(answer, "upstream", None) is not None:
        upstream = as_tensor(tf, answer.upstream.to_tape(tf, held))
    grads = nested_gradient(tf, answer.expression, held, sources, order, upstream)
    arrays = [np.asarray(g.numpy(), dtype=np.float64) for g in grads]
    return np.stack(arrays) if answer.is_list else arrays[0]


def fd_gradient(func: Callable[[dict], np.ndarray], point: dict[str, np.ndarray],
                source: str, step: float) -> np.ndarray:
    """d sum(func) / d point[source]: the Jacobian of the sum, shaped like the source."""
    return fd_jacobian(lambda p: np.sum(func(p)), point, source, step)


def fd_jacobian(func: Callable[[dict], np.ndarray], point: dict[str, np.ndarray],
                source: str, step: float) -> np.ndarray:
    """d func / d point[source] by central differences, shape func.shape + source.shape."""
    base = np.asarray(point[source], dtype=np.float64)
    out_shape = np.shape(func(point))
    jac = np.zeros(out_shape + base.shape)
    for index in np.ndindex(base.shape):
        h = step * max(1.0, abs(float(base[index])))
        plus, minus = base.copy(), base.copy()
        plus[index] += h
        minus[index] -= h
        diff = (func({**point, source: plus}) - func({**point, source: minus})) / (2 * h)
        jac[(Ellipsis,) + index] = diff
    return jac


def fd_derivative(answer: Any, point: dict[str, np.ndarray], order: int) -> np.ndarray:
    """The answer's ``order``-th derivative by nested central differences."""
    step = FD_STEP.get(order, 1e-3)
    results = []
    weights = None
    if getattr(answer, "upstream", None) is not None:
        weights = answer.upstream.evaluate(point)
    for source in answer.of:
        func: Callable[[dict], np.ndarray] = frozen_at(answer.expression, point, weights)
        for _ in range(order):
            func = _lift(func, source, step)
        results.append(func(point))
    return np.stack(results) if answer.is_list else results[0]


def frozen_at(expression: Any, point: Mapping[str, np.ndarray],
              weights: np.ndarray | None = None) -> Callable[[dict], np.ndarray]:
    """The expression as a function of the point for finite differences: what it
    wraps in ``stop_gradient`` stays at ``point``, and ``weights`` (the
    ``output_gradients``) multiply it, so its gradient is the weighted one."""
    base = dict(point)
    if weights is None:
        return lambda p: expression.evaluate(p, frozen=base)
    return lambda p: weights * expression.evaluate(p, frozen=base)


def _lift(func: Callable[[dict], np.ndarray], source: str,
          step: float) -> Callable[[dict], np.ndarray]:
    return lambda p: fd_gradient(func, p, source, step)
