"""Kind ``batch-jacobian``: per-example Jacobians with ``tape.batch_jacobian(y, x)``.

The first axis of the source is the batch; example i's output depends only on
example i's input, and the answer has shape ``(batch,) + y.shape[1:] + x.shape[1:]``.
Finite differences take the full Jacobian and keep its block diagonal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Scaffold
from grader.kinds.jacobian import Jacobian

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec


class BatchJacobian(Jacobian):
    name = "batch-jacobian"
    rank = 40
    summary = "per-example Jacobians with tape.batch_jacobian"
    steps = (
        "Create the batch from its parameter (first axis = examples).",
        "Inside the tape, compute the function row by row.",
        "Assign `tape.batch_jacobian(y, x)`.",
    )
    scaffold = Scaffold(
        title="A batch Jacobian", function="x**2",
        statement="Compute the per-example Jacobians with `tape.batch_jacobian`.",
        steps=("Create `x = tf.constant(x0)` (first axis: examples).",
               "Inside the tape, watch `x` and compute `y`.",
               "Assign `batch_jac = tape.batch_jacobian(y, x)`."),
        starter="x = tf.constant(x0)\n\nwith tf.GradientTape() as tape:\n    ...\n    y = ...\n\n"
                "batch_jac = ...",
        variables=(("x", "[[1.0, 2.0], [3.0, 4.0]]", "constant", ""),),
        answers=(("batch_jac", "x", 0, "the per-example Jacobians"),),
        expected={"batch_jac": "[[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]]"},
        range="range = [-3.0, 3.0]",
        solution="x = tf.constant(x0)\n\nwith tf.GradientTape() as tape:\n    tape.watch(x)\n"
                 "    y = x**2\n\nbatch_jac = tape.batch_jacobian(y, x)\n")

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        return f"the batch Jacobian with respect to `{answer.of[0]}`"

    def _engine(self, tf: Any, answer: AnswerSpec, point: Mapping[str, np.ndarray]) -> np.ndarray:
        tape, y, source = calculus.watched_function(tf, answer, point)
        result = tape.batch_jacobian(y, source)
        if result is None:
            return np.zeros(tuple(y.shape) + tuple(source.shape[1:]))
        return np.asarray(result.numpy())

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: self._fd(a, point) for a in spec.answers}

    def _fd(self, answer: AnswerSpec, point: dict[str, np.ndarray]) -> np.ndarray:
        source = answer.of[0]
        jac = calculus.fd_jacobian(calculus.frozen_at(answer.expression, point), point, source,
                                   calculus.FD_STEP[1])
        y_shape, x_shape = jac.shape[:jac.ndim - point[source].ndim], point[source].shape
        batch = x_shape[0]
        blocks = jac.reshape(batch, -1, batch, int(np.prod(x_shape[1:], dtype=int)))
        diagonal = blocks[np.arange(batch), :, np.arange(batch), :]
        return diagonal.reshape((batch,) + y_shape[1:] + x_shape[1:])


KIND = BatchJacobian()
