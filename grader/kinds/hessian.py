"""Kind ``hessian``: the matrix of second derivatives of a scalar function of a vector.

The answer has shape (n, n) for a source of shape (n,): entry (i, j) is
d²f/dx_i dx_j. A student nests two tapes: the inner one gives the gradient, the outer
one its Jacobian (``outer.jacobian(grad, x)``), the reference does exactly that, and
finite differences take the Jacobian of the finite-difference gradient. The tape that
made the answer differentiated the gradient, which ``tape_target`` gives.

The classic mistake, ``outer.gradient(grad, x)``, sums each row (the gradient of the
summed gradient) and has shape (n,): the shape hint says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Kind, Scaffold

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec, _Reader

_FD_STEP = 1e-4


class Hessian(Kind):
    name = "hessian"
    rank = 25
    summary = "the Hessian of a scalar function with nested tapes and jacobian"
    multi_source = False
    what = "the Hessian"
    hints = {
        "shape": "`{name}` has shape {got}, but the Hessian has shape {want}. "
                 "`outer.gradient(grad, x)` sums the rows of the Hessian into one vector: "
                 "take `outer.jacobian(grad, x)` to keep the whole matrix.",
        "function_value": "`{name}` holds the function's value: differentiate twice (the "
                          "inner tape's gradient, then the outer tape's jacobian of it).",
        "gradient": "`{name}` is the gradient, not the Hessian: differentiate the gradient "
                    "once more with the outer tape (`outer.jacobian(grad, x)`).",
    }
    steps = (
        "Create the input from its parameter.",
        "Nest two tapes; compute the function inside the inner one and its gradient with "
        "the inner tape, still inside the outer block.",
        "After the outer block, take `outer.jacobian(grad, x)`: the Hessian.",
    )
    scaffold = Scaffold(
        title="A Hessian", function="x[0]**2 * x[1] + x[1]**3",
        statement="Compute the Hessian (the matrix of second derivatives) of the function "
                  "with two nested tapes.",
        steps=("Create `x = tf.Variable(x0)`.",
               "Nest two tapes; inside the inner one compute `y`, then `grad = "
               "inner.gradient(y, x)` inside the outer block.",
               "After the outer block, `hess = outer.jacobian(grad, x)`."),
        starter="x = ...\n\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
                "        y = ...\n    grad = ...\n\nhess = ...",
        variables=(("x", "[1.0, 2.0]", "variable", ""),),
        answers=(("hess", "x", 0, "the Hessian of f at x0"),),
        expected={"hess": "[[4.0, 2.0], [2.0, 12.0]]"}, range="range = [-2.0, 2.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as outer:\n"
                 "    with tf.GradientTape() as inner:\n        y = x[0]**2 * x[1] + x[1]**3\n"
                 "    grad = inner.gradient(y, x)\n\nhess = outer.jacobian(grad, x)\n",
        requires=("nested-tapes", "jacobian"))

    def check_answer(self, reader: _Reader, answer: AnswerSpec) -> None:
        super().check_answer(reader, answer)
        if answer.order != 1 or answer.upstream is not None:
            raise reader.error("order", "a Hessian answer is always the second derivative",
                               "remove `order` / `output_gradients`")

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        return f"the Hessian (matrix of second derivatives) with respect to `{answer.of[0]}`"

    def cross_check_rtol(self, answer: AnswerSpec) -> tuple[float, str]:
        return 1e-4, "central finite differences of the gradient"

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: self._engine(tf, a, point) for a in spec.answers}

    def _engine(self, tf: Any, answer: AnswerSpec, point: Mapping[str, np.ndarray]) -> np.ndarray:
        held = calculus.tensors(tf, point)
        source = held[answer.of[0]]
        zero = tf.UnconnectedGradients.ZERO
        with tf.GradientTape() as outer:
            outer.watch(source)
            with tf.GradientTape() as inner:
                inner.watch(source)
                y = calculus.as_tensor(tf, answer.expression.to_tape(tf, held))
            grad = inner.gradient(y, source, unconnected_gradients=zero)
        return np.asarray(outer.jacobian(grad, source, unconnected_gradients=zero).numpy())

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        for a in spec.answers:
            f = calculus.frozen_at(a.expression, point)
            source = a.of[0]
            out[a.name] = calculus.fd_jacobian(
                lambda p, f=f, s=source: calculus.fd_gradient(f, p, s, _FD_STEP),
                point, source, _FD_STEP)
        return out

    def tape_target(self, spec: Spec, answer: AnswerSpec,
                    point: Mapping[str, Any]) -> np.ndarray | None:
        """The tape that made the Hessian differentiated the gradient."""
        import grader.tape as tf

        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        return calculus.engine_derivative(tf, answer, values, 1)

    def clues(self, spec: Spec, answer: AnswerSpec,
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        import grader.tape as tf

        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        with np.errstate(all="ignore"):
            out: dict[str, Any] = {"function_value": np.asarray(
                answer.expression.evaluate(values), dtype=np.float64)}
        try:
            out["gradient"] = calculus.engine_derivative(tf, answer, values, 1)
        except Exception:  # a clue the engine cannot give is simply not offered
            pass
        return out

    def diagnose(self, pairs, *, numpy: bool = False):
        from grader.kinds import diagnosis as d

        for clue in ("function_value", "gradient"):
            if d.matches_clue(pairs, clue):
                return clue, {}
        return super().diagnose(pairs, numpy=numpy)


KIND = Hessian()
