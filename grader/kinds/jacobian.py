"""Kind ``jacobian``: ``tape.jacobian(y, x)`` of a vector- (or matrix-) valued function.

The answer has shape ``y.shape + x.shape``: row i is the gradient of ``y[i]``. One
source per answer. Finite differences perturb each element of the source in turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Kind, Scaffold

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec


class Jacobian(Kind):
    name = "jacobian"
    rank = 30
    summary = "the Jacobian of a vector-valued function with tape.jacobian"
    multi_source = False
    what = "the Jacobian"
    steps = (
        "Create the variable from its parameter.",
        "Inside the tape, compute the (vector-valued) function.",
        "Assign `tape.jacobian(y, x)`.",
    )
    scaffold = Scaffold(
        title="A Jacobian", function="x**2",
        statement="Compute the Jacobian of the vector-valued function with `tape.jacobian`.",
        steps=("Create `x = tf.Variable(x0)`.", "Inside the tape compute `y`.",
               "Assign `jac = tape.jacobian(y, x)`."),
        starter="x = ...\n\nwith tf.GradientTape() as tape:\n    y = ...\n\njac = ...",
        variables=(("x", "[1.0, 2.0]", "variable", ""),),
        answers=(("jac", "x", 0, "the Jacobian dy/dx"),),
        expected={"jac": "[[2.0, 0.0], [0.0, 4.0]]"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n    y = x**2\n\n"
                 "jac = tape.jacobian(y, x)\n")

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        return f"the Jacobian with respect to `{answer.of[0]}`"

    def clues(self, spec: Spec, answer: AnswerSpec,
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        with np.errstate(all="ignore"):
            return {"function_value": np.asarray(answer.expression.evaluate(values),
                                                 dtype=np.float64)}

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: self._engine(tf, a, point) for a in spec.answers}

    def _engine(self, tf: Any, answer: AnswerSpec, point: Mapping[str, np.ndarray]) -> np.ndarray:
        tape, y, source = calculus.watched_function(tf, answer, point)
        zero = tf.UnconnectedGradients.ZERO
        return np.asarray(tape.jacobian(y, source, unconnected_gradients=zero).numpy())

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: calculus.fd_jacobian(calculus.frozen_at(a.expression, point), point, a.of[0],
                                             calculus.FD_STEP[1])
                for a in spec.answers}


KIND = Jacobian()
