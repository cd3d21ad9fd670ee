"""Kind ``custom-gradient``: the student writes a ``tf.custom_gradient`` function.

The answer is a function (``call = "f"``), not a number: the grader calls it at the
visible and the hidden points, in the student's kernel (``grader.kernel.calls``),
with the point as a float tensor. An answer with ``value = true`` is what the call
returns (the forward value: the spec's ``function``); an answer with ``of = "x"`` is
the gradient the function gives under a tape (the grader's tape, watching the
argument): what the spec's ``[custom_gradient] gradient`` says it must be. That is
usually not the true derivative (a clipped one, a numerically stable one), so it is
stated, never derived.

References: the engine route builds the same ``tf.custom_gradient`` function from
the spec (forward = ``function``, backward = ``upstream * gradient``) and
differentiates it with a tape; the second route evaluates ``gradient`` with numpy.
The clue for the usual mistake (no custom gradient at all) is the true derivative,
by finite differences. The gradient answers are not tape results of the student's
code, so there is no tape check; ``requires = ["custom-gradient"]`` checks the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Kind, Scaffold, Table

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec, VariableSpec, _Reader


@dataclass(frozen=True)
class CustomGradientSpec:
    """The ``[custom_gradient]`` table: the gradient the function must give (for an
    upstream of ones), as a function of the variables."""

    gradient: str
    expression: Any = None


def parse_table(reader: _Reader) -> CustomGradientSpec:
    reader.known(("gradient",), ())
    return CustomGradientSpec(gradient=reader.text("gradient"))


class CustomGradient(Kind):
    name = "custom-gradient"
    rank = 45
    summary = "a tf.custom_gradient function, judged by its values and its gradients"
    tape = False
    multi_source = False
    what = "the gradient your function gives"
    tables = {"custom_gradient": Table(parse_table, fix="add a [custom_gradient] table with "
                                       "`gradient = \"...\"` (the gradient the function gives)")}
    hints = {
        "true_derivative": "`{name}` is the true derivative of the function: the custom "
                           "gradient was not used. Decorate the function with "
                           "`@tf.custom_gradient` and return `y, grad`, where `grad(upstream)` "
                           "returns `upstream *` the gradient the statement asks for.",
        "value": "`{name}` is not what the exercise asks for: got {got}, expected {want}. "
                 "Check the forward value your function returns and the gradient its "
                 "`grad(upstream)` returns (times `upstream`).",
        "unanswered": "Replace the `...` in the answer cell with the function, then run the "
                      "notebook top to bottom.",
    }
    steps = (
        "Decorate a function of `x` with `@tf.custom_gradient`.",
        "Inside it compute the value `y` and define `grad(upstream)` returning `upstream` "
        "times the gradient the statement asks for.",
        "Return `y, grad`. The grader calls your function itself, at other points too.",
    )
    scaffold = Scaffold(
        title="A clipped gradient", function="x**2",
        statement="Write `f(x) = x²` as a `tf.custom_gradient` function whose gradient is "
                  "clipped to [-1, 1]: the backward pass returns `upstream * "
                  "tf.clip_by_value(2 * x, -1.0, 1.0)`.",
        steps=("Decorate `f` with `@tf.custom_gradient`.",
               "Compute `y = x**2` and define `grad(upstream)`.",
               "Return `y, grad`."),
        starter="@tf.custom_gradient\ndef f(x):\n    y = ...\n\n    def grad(upstream):\n"
                "        return ...\n\n    return y, grad",
        variables=(("x", "0.3", "variable", ""),),
        answers=(("y", "", 0, "the value f returns", "value = true", 'call = "f"'),
                 ("dy_dx", "x", 0, "the gradient f gives", 'call = "f"')),
        expected={"y": "0.09", "dy_dx": "0.6"}, range="range = [-2.0, 2.0]",
        solution="@tf.custom_gradient\ndef f(x):\n    y = x**2\n\n    def grad(upstream):\n"
                 "        return upstream * tf.clip_by_value(2 * x, -1.0, 1.0)\n\n"
                 "    return y, grad\n",
        extra_toml='''
[custom_gradient]                 # the gradient the function must give (upstream = 1)
gradient = "clip_by_value(2*x, -1, 1)"
''', requires=("custom-gradient",))

    # -- spec ---------------------------------------------------------------------
    def call_mode(self, answer: AnswerSpec) -> str:
        return "value" if answer.value else "gradient"

    def check_answer(self, reader: _Reader, answer: AnswerSpec) -> None:
        super().check_answer(reader, answer)
        if not answer.call:
            raise reader.error("call", "a custom-gradient answer is a function the grader "
                               "calls", "add `call = \"f\"` (the function's name)")
        if answer.order != 1 or answer.upstream is not None or answer.function:
            raise reader.error("order", "a custom-gradient answer is the value or the "
                               "gradient its function gives", "remove `order`, "
                               "`output_gradients` and `function`")

    def check_spec(self, reader: _Reader, spec: Spec, document: Mapping[str, Any]) -> None:
        from grader.authoring import expr
        from grader.errors import ExpressionError

        table = spec.tables["custom_gradient"]
        names = [v.name for v in spec.variables]
        try:
            parsed = expr.parse(table.gradient, names)
        except ExpressionError as err:
            raise reader.error("custom_gradient", f"`gradient`: {err.bare_message}",
                               err.fix) from None
        spec.tables["custom_gradient"] = CustomGradientSpec(table.gradient, parsed)  # type: ignore[index]
        for answer in spec.answers:
            if not answer.value and len(answer.args) != 1:
                raise reader.error("answers", f"answer `{answer.name}`: the gradient is taken "
                                   "with respect to one argument", "set `args = [\"x\"]`")

    # -- references -------------------------------------------------------------
    def _gradient(self, spec: Spec) -> Any:
        return spec.tables["custom_gradient"].expression

    def cross_check_rtol(self, answer: AnswerSpec) -> tuple[float, str]:
        return 1e-9, "the gradient formula evaluated with numpy"

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        gradient = self._gradient(spec)
        out = {}
        for answer in spec.answers:
            name = answer.args[0]

            @tf.custom_gradient
            def reference(x, answer=answer, name=name):
                held = {**calculus.tensors(tf, point), name: x}
                y = calculus.as_tensor(tf, answer.expression.to_tape(tf, held))

                def grad(upstream):
                    slope = calculus.as_tensor(tf, gradient.to_tape(tf, {**held, name: x}))
                    return upstream * slope

                return y, grad

            x = tf.constant(point[name])
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = reference(x)
            out[answer.name] = np.asarray(tape.gradient(y, x).numpy(), dtype=np.float64)
        return out

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        gradient = self._gradient(spec)
        return {a.name: np.broadcast_to(gradient.evaluate(point),
                                        np.shape(point[a.args[0]])).astype(np.float64)
                for a in spec.answers}

    def tape_target(self, spec: Spec, answer: AnswerSpec, point: Mapping[str, Any]) -> None:
        return None  # the grader's own tape takes the gradient: nothing to trace

    # -- checking -------------------------------------------------------------------
    def clues(self, spec: Spec, answer: AnswerSpec,
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        if answer.value:
            return {}
        values = {k: np.asarray(v, dtype=np.float64) for k, v in point.items()}
        f = calculus.frozen_at(answer.expression, values)
        return {"true_derivative": calculus.fd_gradient(f, values, answer.args[0],
                                                        calculus.FD_STEP[1])}

    def diagnose(self, pairs: Sequence[Any], *, numpy: bool = False):
        from grader.kinds import diagnosis as d

        # The true derivative often equals the custom one (where no clipping happens):
        # it explains the answer when it matches everywhere and differs somewhere.
        clues = [p.clues.get("true_derivative") for p in pairs]
        if pairs and all(c is not None and d.close(p.got, c) for p, c in zip(pairs, clues)) \
                and any(not d.close(p.want, c) for p, c in zip(pairs, clues)):
            return "true_derivative", {}
        return None

    # -- notebooks ----------------------------------------------------------------
    def held_as(self, var: VariableSpec) -> str:
        return "passed to your function as a tensor"

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        if answer.value:
            return f"the grader calls `{answer.call}` and reads the value it returns"
        return (f"the grader calls `{answer.call}` under a tape and reads the gradient with "
                f"respect to `{answer.args[0]}`")

    def function_note(self, spec: Spec) -> str:
        return (f"Its gradient must be `{self._gradient(spec).text}` (times `upstream`), "
                "whatever the true derivative is.")


KIND = CustomGradient()
