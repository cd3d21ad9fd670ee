"""Kind ``higher-order``: derivatives of derivatives, by nesting tapes.

An answer's ``order`` says which derivative it is (``order = 2``: d²y/dx²); the
reference nests one tape per order exactly as a student does, and finite
differences nest the same way. The tape that produced an order-n answer
differentiated the order-(n-1) derivative, which ``tape_target`` gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Scaffold
from grader.kinds.gradient import Gradient

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec, _Reader


class HigherOrder(Gradient):
    name = "higher-order"
    rank = 20
    summary = "second (or higher) derivatives with nested tapes"
    higher_order = True
    plots_tangents = False
    steps = (
        "Create the variable from its parameter.",
        "Nest two tapes; compute the function in the inner block.",
        "Take the first derivative with the inner tape inside the outer block, and the "
        "second derivative with the outer tape after it.",
    )
    scaffold = Scaffold(
        title="First and second derivative", function="x**3",
        statement="Nest two tapes to compute the first and the second derivative.",
        steps=("Create `x = tf.Variable(x0)`.",
               "Nest two tapes; compute `y` in the inner block and `dy_dx` after it.",
               "After the outer block, `d2y_dx2 = outer.gradient(dy_dx, x)`."),
        starter="x = ...\n\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
                "        y = ...\n    dy_dx = ...\n\nd2y_dx2 = ...",
        variables=(("x", "2.0", "variable", ""),),
        answers=(("dy_dx", "x", 1, "the first derivative"),
                 ("d2y_dx2", "x", 2, "the second derivative")),
        expected={"dy_dx": "12.0", "d2y_dx2": "12.0"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as outer:\n"
                 "    with tf.GradientTape() as inner:\n        y = x**3\n"
                 "    dy_dx = inner.gradient(y, x)\n\nd2y_dx2 = outer.gradient(dy_dx, x)\n")

    def check_answer(self, reader: _Reader, answer: AnswerSpec) -> None:
        super().check_answer(reader, answer)
        if answer.order > 1 and answer.is_list:
            raise reader.error("of", "a higher-order answer has one variable",
                               "use one answer per variable")

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        if answer.order > 1:
            sources = ", ".join(f"`{s}`" for s in answer.of)
            return f"the order-{answer.order} derivative with respect to {sources}"
        return super().answer_text(spec, answer)

    def tape_target(self, spec: Spec, answer: AnswerSpec,
                    point: Mapping[str, Any]) -> np.ndarray | None:
        if answer.order == 1:
            return super().tape_target(spec, answer, point)
        import grader.tape as tf

        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        return calculus.engine_derivative(tf, answer, values, answer.order - 1)


KIND = HigherOrder()
