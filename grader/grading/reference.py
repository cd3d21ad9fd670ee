"""Reference answers: the engine in float64, confirmed by central finite differences.

A wrong reference would grade every student wrong, so each answer is computed twice
by independent routes and the two must agree:

* the bundled engine (``grader.tape``) in float64, differentiating the spec's
  function exactly as a student's tape would (nested tapes for higher orders,
  ``jacobian``/``batch_jacobian``, the optimizer loop for training);
* central finite differences of the *numpy* evaluation of the function
  (``grader/expr.py``), nested for higher orders, and for training the same loop with
  finite-difference gradients and the optimizer's update rule written out in numpy.

A disagreement is an authoring error (a function not differentiable at the point, or
an engine bug) and raises SpecError naming both numbers. :func:`check_expected`
compares the spec's ``expected`` values with the reference the same way.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from grader.errors import SpecError
from grader.authoring.spec import AnswerSpec, Spec, format_value

# How far apart the engine and finite differences may be: |a - b| <= atol*scale + rtol*|b|
# with scale = max(1, max|b|). Nested differences lose digits, so higher orders get more room.
_FD_RTOL = {1: 1e-6, 2: 1e-4, 3: 1e-3}
_FD_STEP = {1: 1e-6, 2: 1e-4, 3: 1e-3}
_TRAINING_RTOL = 1e-5


def reference_answers(spec: Spec, values: Mapping[str, Any], *,
                      cross_check: bool = True) -> dict[str, np.ndarray]:
    """One float64 array per answer name at the point ``values`` (variable -> array).

    With ``cross_check`` (the default) every answer is confirmed by finite
    differences; SpecError if they disagree or the answer is not finite.
    """
    point = {v.name: np.asarray(values[v.name], dtype=np.float64) for v in spec.variables}
    engine = _engine_answers(spec, point)
    fd = finite_difference_answers(spec, point) if cross_check else {}
    for index, answer in enumerate(spec.answers):
        value = engine[answer.name]
        if not np.all(np.isfinite(value)):
            raise _error(spec, index, f"the reference for `{answer.name}` is not finite "
                         f"({format_value(value)}) at {_describe(point)}",
                         "move the point (or the hidden range) to where the function is "
                         "differentiable")
        if cross_check:
            _cross_check(spec, index, answer, point, value, fd[answer.name])
    return engine


def check_expected(spec: Spec, reference: Mapping[str, np.ndarray]) -> None:
    """SpecError if an ``expected`` value disagrees with the reference at the visible point."""
    for name, want in spec.expected.items():
        got = reference[name]
        if np.shape(want) != np.shape(got):
            raise SpecError(f"expected `{name}` has shape {np.shape(want)}, but the reference "
                            f"has shape {np.shape(got)}: {format_value(got)}",
                            path=str(spec.path), where=f"key `expected.{name}`",
                            fix=f"write `{name}` with the reference's shape")
        if not spec.tolerance.allclose(want, got):
            raise SpecError(f"expected {name} = {format_value(want)}, but the reference "
                            f"(engine in float64, confirmed by finite differences) gives "
                            f"{name} = {format_value(got)}",
                            path=str(spec.path), where=f"key `expected.{name}`",
                            fix=f"set `{name} = {format_value(got)}` if the function and "
                            "point are right, or fix the function or point")


def _error(spec: Spec, index: int, message: str, fix: str | None = None) -> SpecError:
    return SpecError(message, path=str(spec.path), where=f"answers[{index}]", fix=fix)


def _describe(point: Mapping[str, np.ndarray]) -> str:
    return ", ".join(f"{k} = {format_value(v)}" for k, v in point.items())


# ---------------------------------------------------------------------------
# The engine route
# ---------------------------------------------------------------------------

def _engine_answers(spec: Spec, point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    import grader.tape as tf

    try:
        if spec.kind == "training":
            return _train_engine(tf, spec, point)
        return {a.name: _engine_answer(tf, spec, a, point) for a in spec.answers}
    except SpecError:
        raise
    except Exception as err:  # an engine failure is reported, never a traceback
        raise SpecError(f"the engine could not compute the reference at {_describe(point)}: "
                        f"{type(err).__name__}: {err}", path=str(spec.path),
                        where="key `function`",
                        fix="check that the shapes in the function fit together; if they do, "
                        "this is an engine bug") from err


def _tensors(tf: Any, point: Mapping[str, np.ndarray]) -> dict[str, Any]:
    return {name: tf.constant(value) for name, value in point.items()}


def _as_tensor(tf: Any, value: Any) -> Any:
    return tf.convert_to_tensor(value, dtype=tf.float64)


def _engine_answer(tf: Any, spec: Spec, answer: AnswerSpec,
                   point: Mapping[str, np.ndarray]) -> np.ndarray:
    tensors = _tensors(tf, point)
    zero = tf.UnconnectedGradients.ZERO
    sources = [tensors[s] for s in answer.of]
    if spec.kind in ("jacobian", "batch-jacobian"):
        with tf.GradientTape() as tape:
            tape.watch(sources[0])
            y = _as_tensor(tf, answer.expression.to_tape(tf, tensors))
        if spec.kind == "jacobian":
            return np.asarray(tape.jacobian(y, sources[0], unconnected_gradients=zero).numpy())
        result = tape.batch_jacobian(y, sources[0])
        if result is None:
            return np.zeros(tuple(y.shape) + tuple(sources[0].shape[1:]))
        return np.asarray(result.numpy())
    grads = _nested_gradient(tf, answer, tensors, sources, answer.order)
    arrays = [np.asarray(g.numpy(), dtype=np.float64) for g in grads]
    return np.stack(arrays) if answer.is_list else arrays[0]


def _nested_gradient(tf: Any, answer: AnswerSpec, tensors: Mapping[str, Any],
                     sources: list, order: int) -> list:
    """d^order f / d source^order, by nesting one tape per order (the outer tape records
    the inner tape's gradient computation, as a student's nested tapes do)."""
    with tf.GradientTape() as tape:
        tape.watch(sources)
        if order == 1:
            target = _as_tensor(tf, answer.expression.to_tape(tf, tensors))
        else:
            target = _nested_gradient(tf, answer, tensors, sources, order - 1)[0]
    return tape.gradient(target, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def _trainable(spec: Spec) -> list[str]:
    return [v.name for v in spec.variables if v.role == "variable"]


def _train_engine(tf: Any, spec: Spec, point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    training = spec.training
    names = _trainable(spec)
    params = {n: tf.Variable(point[n]) for n in names}
    data = {n: tf.constant(v) for n, v in point.items() if n not in params}
    if training.optimizer == "sgd":
        optimizer = tf.keras.optimizers.SGD(learning_rate=training.learning_rate,
                                            momentum=training.momentum)
    else:
        optimizer = tf.keras.optimizers.Adam(learning_rate=training.learning_rate)
    variables = [params[n] for n in names]
    for _ in range(training.epochs):
        with tf.GradientTape() as tape:
            loss = spec.expression.to_tape(tf, {**params, **data})
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
    return {a.name: np.asarray(params[a.of[0]].numpy(), dtype=np.float64) for a in spec.answers}


# ---------------------------------------------------------------------------
# The finite-difference route
# ---------------------------------------------------------------------------

def _fd_gradient(func: Callable[[dict], np.ndarray], point: dict[str, np.ndarray],
                 source: str, step: float) -> np.ndarray:
    """d sum(func) / d point[source]: the Jacobian of the sum, shaped like the source."""
    return _fd_jacobian(lambda p: np.sum(func(p)), point, source, step)


def _fd_jacobian(func: Callable[[dict], np.ndarray], point: dict[str, np.ndarray],
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


def _fd_answer(spec: Spec, answer: AnswerSpec, point: dict[str, np.ndarray]) -> np.ndarray:
    order = answer.order
    step = _FD_STEP.get(order, 1e-3)
    if spec.kind in ("jacobian", "batch-jacobian"):
        source = answer.of[0]
        jac = _fd_jacobian(answer.expression.evaluate, point, source, step)
        if spec.kind == "jacobian":
            return jac
        y_shape, x_shape = jac.shape[:jac.ndim - point[source].ndim], point[source].shape
        batch = x_shape[0]
        blocks = jac.reshape(batch, -1, batch, int(np.prod(x_shape[1:], dtype=int)))
        diagonal = blocks[np.arange(batch), :, np.arange(batch), :]
        return diagonal.reshape((batch,) + y_shape[1:] + x_shape[1:])
    results = []
    for source in answer.of:
        func: Callable[[dict], np.ndarray] = answer.expression.evaluate
        for _ in range(order):
            func = _lift(func, source, step)
        results.append(func(point))
    return np.stack(results) if answer.is_list else results[0]


def _lift(func: Callable[[dict], np.ndarray], source: str,
          step: float) -> Callable[[dict], np.ndarray]:
    return lambda p: _fd_gradient(func, p, source, step)


def _train_fd(spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The training loop with finite-difference gradients and Keras' update rules."""
    training = spec.training
    names = _trainable(spec)
    current = {k: v.copy() for k, v in point.items()}
    velocity = {n: np.zeros_like(current[n]) for n in names}
    second = {n: np.zeros_like(current[n]) for n in names}
    beta_1, beta_2, epsilon = 0.9, 0.999, 1e-7
    lr = training.learning_rate
    for step in range(1, training.epochs + 1):
        grads = {n: _fd_gradient(spec.expression.evaluate, current, n, _FD_STEP[1])
                 for n in names}
        for n in names:
            g = grads[n]
            if training.optimizer == "sgd":
                velocity[n] = training.momentum * velocity[n] - lr * g
                current[n] = current[n] + velocity[n]
            else:
                velocity[n] += (g - velocity[n]) * (1 - beta_1)
                second[n] += (g * g - second[n]) * (1 - beta_2)
                lr_t = lr * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
                current[n] = current[n] - lr_t * velocity[n] / (np.sqrt(second[n]) + epsilon)
    return {a.name: current[a.of[0]] for a in spec.answers}


def finite_difference_answers(spec: Spec, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The second route on its own: every answer by finite differences of numpy."""
    point = {v.name: np.asarray(values[v.name], dtype=np.float64) for v in spec.variables}
    if spec.kind == "training":
        return _train_fd(spec, point)
    return {a.name: _fd_answer(spec, a, point) for a in spec.answers}


def _cross_check(spec: Spec, index: int, answer: AnswerSpec, point: dict[str, np.ndarray],
                 value: np.ndarray, fd: np.ndarray) -> None:
    if spec.kind == "training":
        rtol = _TRAINING_RTOL
        route = "the same loop with finite-difference gradients"
    else:
        rtol = _FD_RTOL.get(answer.order, 1e-3)
        route = "central finite differences"
    if np.shape(fd) != np.shape(value):
        raise _error(spec, index, f"`{answer.name}`: the engine gives shape {np.shape(value)} "
                     f"but {route} give shape {np.shape(fd)}", "this is an engine bug")
    scale = max(1.0, float(np.max(np.abs(fd), initial=0.0)))
    if not np.allclose(value, fd, rtol=rtol, atol=rtol * scale):
        raise _error(spec, index,
                     f"`{answer.name}` at {_describe(point)}: the engine gives "
                     f"{format_value(value)} but {route} give {format_value(fd)}",
                     "the function may not be differentiable here (e.g. abs or relu at 0, "
                     "sqrt at 0): move the point; otherwise this is an engine bug")
