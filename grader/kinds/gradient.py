"""Kind ``gradient``: ``tape.gradient(y, x)`` of a scalar function, one or more sources.

The first kind a course teaches and the default of ``grader new``. An answer of
several sources (``of = ["w", "b"]``) is the list ``tape.gradient`` returns for a
list of sources; it is stacked for comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Kind, Scaffold

if TYPE_CHECKING:
    from grader.authoring.spec import Spec


class Gradient(Kind):
    name = "gradient"
    rank = 10
    summary = "the gradient of a function with tape.gradient"
    plots_tangents = True
    steps = (
        "Create each variable from its parameter: `tf.Variable(...)` for variables, "
        "`tf.constant(...)` for constants.",
        "Inside `with tf.GradientTape() as tape:` (watching any constants with "
        "`tape.watch`), compute the function.",
        "After the block, assign the gradient(s) from `tape.gradient(target, sources)`.",
    )
    scaffold = Scaffold(
        title="Derivative of a cubic", function="x**3 - 2*x",
        statement="Compute the derivative of the function at the point with a `tf.GradientTape`.",
        steps=("Create `x = tf.Variable(x0)`.",
               "Inside `with tf.GradientTape() as tape:`, compute `y`.",
               "Assign `grad = tape.gradient(y, x)`."),
        starter="x = ...\n\nwith tf.GradientTape() as tape:\n    y = ...\n\ngrad = ...",
        variables=(("x", "1.5", "variable", ""),),
        answers=(("grad", "x", 0, "df/dx at x0"),),
        expected={"grad": "4.75"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n"
                 "    y = x**3 - 2 * x\n\ngrad = tape.gradient(y, x)\n")

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: calculus.engine_derivative(tf, a, point, a.order) for a in spec.answers}

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: calculus.fd_derivative(a, point, a.order) for a in spec.answers}


KIND = Gradient()
