"""Kind ``training``: a custom training loop, judged by where the parameters end up.

The spec's function is the loss; the variables with role "variable" are trained,
the others are data. Its own ``[training]`` table names the optimizer, learning
rate and number of epochs; the reference runs that loop with the engine, and again
with finite-difference gradients and Keras' update rules written out in numpy. The
answers are trained values, not tape results, so there is no tape check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Kind, Scaffold, Table
from grader.kinds.diagnosis import Pair

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec, VariableSpec, _Reader

OPTIMIZERS = ("sgd", "adam")
_RTOL = 1e-5
# Learning rates tried when a trained value is wrong: the exercise's times these.
_LR_FACTORS = (0.1, 0.5, 2.0, 10.0)


def _shown(value: Any) -> str:
    from grader.authoring.spec import format_value

    return format_value(value)


def parse_training(reader: _Reader) -> Any:
    """The ``[training]`` table as a ``TrainingSpec``."""
    from grader.authoring.spec import TrainingSpec

    reader.known(("optimizer", "learning_rate", "epochs"), ("momentum",))
    optimizer = reader.choice("optimizer", OPTIMIZERS)
    momentum = reader.number("momentum", 0.0, minimum=0.0)
    if momentum and optimizer != "sgd":
        raise reader.error("momentum", "momentum applies to the sgd optimizer only")
    return TrainingSpec(optimizer=optimizer,
                        learning_rate=reader.number("learning_rate", positive=True),
                        epochs=reader.integer("epochs", 100, minimum=1), momentum=momentum)


def trainable(spec: Spec) -> list[str]:
    return [v.name for v in spec.variables if v.role == "variable"]


class Training(Kind):
    name = "training"
    rank = 50
    summary = "a training loop: tape, gradients, optimizer.apply_gradients"
    tape = False
    multi_source = False
    letter = "L"
    what = "the trained value"
    hints = {
        "value": "`{name}` is not where the reference training loop ends (got {got}, "
                 "expected {want}). Check the loss (the exercise's function, a mean over "
                 "the data), the optimizer and its `learning_rate`, and that each of the "
                 "`epochs` steps uses the whole data set.",
        "never_moved": "`{name}` still holds its starting value: the parameters never "
                       "moved. In the loop, after `grads = tape.gradient(loss, "
                       "variables)`, call `optimizer.apply_gradients(zip(grads, "
                       "variables))`.",
        "steps": "`{name}` is where the reference loop is after {k} steps, not {epochs}: "
                 "loop `for epoch in range(epochs):`, one optimizer step per epoch.",
        "learning_rate": "`{name}` is where the loop ends with a learning rate {factor:g} "
                         "times the exercise's: create the optimizer with "
                         "`learning_rate=learning_rate` (the parameter).",
        "diverged": "`{name}` is {got}: the loss diverged. Use the `learning_rate` the "
                    "parameters cell sets, and a mean (`tf.reduce_mean`) as the loss, "
                    "not a sum.",
        "not_followed": "`{name}` is right from the visible starting point only: build "
                        "the variables and the data from the parameters ({params}), "
                        "never from fixed numbers.",
        "hardcoded": "`{name}` is the same for every starting point, so it looks typed "
                     "in: train it with the loop, starting from the parameters ({params}).",
        "unanswered": "Replace the `...` in the answer cell with the training loop, then "
                      "run the notebook top to bottom.",
    }
    tables = {"training": Table(parse_training, fix="add a [training] table: optimizer, "
                                "learning_rate, epochs")}
    steps = (
        "Create the trainable variables from their starting values and the data as constants.",
        "In a loop of `epochs` steps, compute the loss under a tape, take its gradients "
        "with respect to the trainable variables and apply them with the optimizer.",
        "After the loop, assign the trained values.",
    )
    scaffold = Scaffold(
        title="Fit a slope", function="reduce_mean(square(y - w * x))",
        statement="Train `w` with gradient descent on the data; the function is the loss.",
        steps=("Create `w = tf.Variable(w0)`, the data as constants and an SGD optimizer.",
               "Repeat `epochs` times: loss under a tape, gradient, `apply_gradients`.",
               "Leave the trained variable in `w`."),
        starter="w = ...\nx = tf.constant(x_train)\ny = tf.constant(y_train)\noptimizer = ...\n\n"
                "for epoch in range(epochs):\n    ...",
        variables=(("w", "0.0", "variable", ""), ("x", "[1.0, 2.0, 3.0]", "constant", "x_train"),
                   ("y", "[2.0, 4.0, 6.0]", "constant", "y_train")),
        answers=(("w", "w", 0, "the slope after training"),),
        expected={}, range='range = [-1.0, 1.0]\nvary = ["w"]',
        solution="w = tf.Variable(w0)\nx = tf.constant(x_train)\ny = tf.constant(y_train)\n"
                 "optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)\n\n"
                 "for epoch in range(epochs):\n    with tf.GradientTape() as tape:\n"
                 "        loss = tf.reduce_mean(tf.square(y - w * x))\n"
                 "    grads = tape.gradient(loss, [w])\n"
                 "    optimizer.apply_gradients(zip(grads, [w]))\n",
        extra_toml='''
[training]                        # the reference loop the answers are compared with
optimizer = "sgd"                 # sgd | adam
learning_rate = 0.05
epochs = 20
''', rtol="1e-4")

    # -- spec ---------------------------------------------------------------------
    def check_spec(self, reader: _Reader, spec: Spec, document: Mapping[str, Any]) -> None:
        names = trainable(spec)
        for answer in spec.answers:
            if answer.of[0] not in names:
                raise reader.error("answers", f"answer `{answer.name}` is of `{answer.of[0]}`, "
                                   "which is not a trained parameter (role = \"variable\")")

    # -- references -------------------------------------------------------------
    def cross_check_rtol(self, answer: AnswerSpec) -> tuple[float, str]:
        return _RTOL, "the same loop with finite-difference gradients"

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        training = spec.training
        names = trainable(spec)
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
        return {a.name: np.asarray(params[a.of[0]].numpy(), dtype=np.float64)
                for a in spec.answers}

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The training loop with finite-difference gradients and Keras' update rules."""
        training = spec.training
        names = trainable(spec)
        current = {k: v.copy() for k, v in point.items()}
        velocity = {n: np.zeros_like(current[n]) for n in names}
        second = {n: np.zeros_like(current[n]) for n in names}
        beta_1, beta_2, epsilon = 0.9, 0.999, 1e-7
        lr = training.learning_rate
        for step in range(1, training.epochs + 1):
            grads = {n: calculus.fd_gradient(spec.expression.evaluate, current, n,
                                             calculus.FD_STEP[1])
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

    def tape_target(self, spec: Spec, answer: AnswerSpec, point: Mapping[str, Any]) -> None:
        return None  # the answers are trained values: there is no tape result to trace

    # -- checking -------------------------------------------------------------------
    def clues(self, spec: Spec, answer: AnswerSpec,
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """Where the reference loop is at each step (up to twice the epochs), where it
        ends with other learning rates, and the starting value: the usual training
        mistakes land on one of these exactly."""
        import grader.tape as tf

        values = {k: np.asarray(v, dtype=np.float64) for k, v in point.items()}
        source = answer.of[0]
        clues: dict[str, Any] = {"start": values[source]}
        try:
            steps = self._trajectory(tf, spec, values, spec.training.learning_rate,
                                     2 * spec.training.epochs)
            clues["trajectory"] = [s[source] for s in steps]
            clues["learning_rates"] = {
                factor: self._trajectory(tf, spec, values,
                                         spec.training.learning_rate * factor,
                                         spec.training.epochs)[-1][source]
                for factor in _LR_FACTORS}
        except Exception:  # a loop the engine cannot run gives no clue, and no verdict
            pass
        return clues

    def _trajectory(self, tf: Any, spec: Spec, point: Mapping[str, np.ndarray],
                    learning_rate: float, epochs: int) -> list[dict[str, np.ndarray]]:
        """The trained values after 0, 1, ... ``epochs`` steps of the spec's loop."""
        training = spec.training
        names = trainable(spec)
        params = {n: tf.Variable(point[n]) for n in names}
        data = {n: tf.constant(v) for n, v in point.items() if n not in params}
        if training.optimizer == "sgd":
            optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate,
                                                momentum=training.momentum)
        else:
            optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
        variables = [params[n] for n in names]
        out = [{n: np.asarray(point[n], dtype=np.float64) for n in names}]
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                with tf.GradientTape() as tape:
                    loss = spec.expression.to_tape(tf, {**params, **data})
                grads = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(grads, variables))
                out.append({n: np.asarray(params[n].numpy(), dtype=np.float64) for n in names})
        return out

    def diagnose(self, pairs: Sequence[Pair], *, numpy: bool = False
                 ) -> tuple[str, dict[str, Any]] | None:
        from grader.kinds import diagnosis as d

        for p in pairs:
            if not np.all(np.isfinite(p.got)) or np.max(np.abs(p.got), initial=0) > 1e6 * max(
                    1.0, float(np.max(np.abs(p.want), initial=0))):
                return "diverged", {"got": _shown(p.got)}
        if d.matches_clue(pairs, "start"):
            return "never_moved", {}
        epochs = len(pairs[0].clues.get("trajectory", [])) // 2
        for k in range(len(pairs[0].clues.get("trajectory", []))):
            if k != epochs and all("trajectory" in p.clues
                                   and d.close(p.got, p.clues["trajectory"][k]) for p in pairs):
                return "steps", {"k": k, "epochs": epochs}
        for factor in _LR_FACTORS:
            if all(factor in p.clues.get("learning_rates", {})
                   and d.close(p.got, p.clues["learning_rates"][factor]) for p in pairs):
                return "learning_rate", {"factor": factor}
        return None

    # -- the report's loss curve ----------------------------------------------------
    def loss_curve(self, spec: Spec, point: Mapping[str, Any],
                   trained: Mapping[str, Any], losses: Sequence[float] = ()
                   ) -> dict[str, Any] | None:
        """The reference loop's loss after each step at ``point``, and the loss at the
        student's trained values (``trained``: parameter name to value, None where the
        notebook left none), for the report's picture.

        Both are computed here from data the grader has: the loop it runs itself, and
        the values the notebook ended with. ``losses`` is what the student's tape
        differentiated at each step of their loop (the kernel's tape evidence): their own
        curve, drawn beside the reference's when it has more than one step.
        """
        import grader.tape as tf

        values = {k: np.asarray(v, dtype=np.float64) for k, v in point.items()}
        names = trainable(spec)
        try:
            steps = self._trajectory(tf, spec, values, spec.training.learning_rate,
                                     spec.training.epochs)
            with np.errstate(all="ignore"):
                reference = [float(spec.expression.evaluate({**values, **s})) for s in steps]
        except Exception:  # a loop the engine cannot run has no curve to show
            return None
        final = None
        got = {n: trained.get(n) for n in names}
        if all(v is not None for v in got.values()):
            try:
                shaped = {n: np.asarray(v, dtype=np.float64).reshape(values[n].shape)
                          for n, v in got.items()}
                with np.errstate(all="ignore"):
                    final = float(spec.expression.evaluate({**values, **shaped}))
            except (ValueError, TypeError):  # a value of the wrong shape has no loss
                final = None
        student = [float(v) for v in losses][:10_000]
        return {"steps": list(range(len(reference))), "reference": reference,
                "student": student if len(student) > 1 else [],
                "student_final": final, "epochs": spec.training.epochs,
                "learning_rate": spec.training.learning_rate,
                "optimizer": spec.training.optimizer, "trained": names}

    # -- notebooks ----------------------------------------------------------------
    def held_as(self, var: VariableSpec) -> str:
        return "trained `tf.Variable`" if var.role == "variable" else "data (`tf.constant`)"

    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        return f"the trained value of `{answer.of[0]}`"

    def function_note(self, spec: Spec) -> str:
        optimizer = {"sgd": "`tf.keras.optimizers.SGD`",
                     "adam": "`tf.keras.optimizers.Adam`"}[spec.training.optimizer]
        return (f"minimised with {optimizer} (learning rate {spec.training.learning_rate}) "
                f"for {spec.training.epochs} epochs, each a step on the whole data set.")

    def extra_parameters(self, spec: Spec) -> list[tuple[str, str]]:
        return [("learning_rate", repr(float(spec.training.learning_rate))),
                ("epochs", repr(int(spec.training.epochs)))]


KIND = Training()
