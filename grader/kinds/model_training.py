"""Kind ``model-training``: the student writes the loop for a given model and data.

Beyond ``training`` (one expression, full-batch SGD or Adam), this kind trains in
minibatches taken in order (``batch_size`` examples per step, no shuffling, so the
run is the same on every machine: the fixed seed of the exercise), with SGD (and
momentum), Adam or RMSprop and optionally ``clipnorm``. The model is given by the
starter (a Keras layer, a ``tf.Module``, a custom layer) built from the parameters;
the spec's ``function`` is its loss on a batch, written over the trained variables
and the data (role "constant", sliced along the first axis).

Answers: a trained parameter (``of = "w"``: its final value), the loss of every step
(``history = true``, a list in step order) or the final loss on the whole data set
(``value = true``). The engine runs the loop with the optimizer; the second route
runs it with finite-difference gradients and the optimizers' update rules written
out in numpy (with the clipping), so both must agree step by step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from grader.kinds import calculus
from grader.kinds.base import Scaffold, Table
from grader.kinds.training import Training, trainable

if TYPE_CHECKING:
    from grader.authoring.spec import AnswerSpec, Spec, _Reader

OPTIMIZERS = ("sgd", "adam", "rmsprop")
_NAMES = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}


def parse_training(reader: _Reader) -> Any:
    """The ``[training]`` table of this kind, as a ``TrainingSpec``."""
    from grader.authoring.spec import TrainingSpec

    reader.known(("optimizer", "learning_rate", "epochs"), ("momentum", "batch_size", "clipnorm"))
    optimizer = reader.choice("optimizer", OPTIMIZERS)
    momentum = reader.number("momentum", 0.0, minimum=0.0)
    if momentum and optimizer != "sgd":
        raise reader.error("momentum", "momentum applies to the sgd optimizer only")
    return TrainingSpec(optimizer=optimizer,
                        learning_rate=reader.number("learning_rate", positive=True),
                        epochs=reader.integer("epochs", 10, minimum=1), momentum=momentum,
                        batch_size=reader.integer("batch_size", 0, minimum=0),
                        clipnorm=reader.number("clipnorm", 0.0, minimum=0.0))


def data_names(spec: Spec) -> list[str]:
    return [v.name for v in spec.variables if v.role == "constant"]


def batches(spec: Spec, point: Mapping[str, np.ndarray]) -> list[slice]:
    """The minibatches of one epoch, in order (one slice of the whole data when
    ``batch_size`` is 0)."""
    names = data_names(spec)
    n = int(np.shape(point[names[0]])[0]) if names else 1
    size = spec.training.batch_size or n
    return [slice(start, start + size) for start in range(0, n, size)]


def optimizer_for(tf: Any, training: Any, learning_rate: float) -> Any:
    options: dict[str, Any] = {"learning_rate": learning_rate}
    if training.clipnorm:
        options["clipnorm"] = training.clipnorm
    if training.optimizer == "sgd":
        options["momentum"] = training.momentum
    return getattr(tf.keras.optimizers, _NAMES[training.optimizer])(**options)


class ModelTraining(Training):
    name = "model-training"
    rank = 60
    summary = "a training loop for a given model: minibatches, optimizers, clipping"
    own_values = True
    tables = {"training": Table(parse_training, fix="add a [training] table: optimizer, "
                                "learning_rate, epochs, batch_size")}
    hints = dict(Training.hints, **{
        "value": "`{name}` is not where the reference loop ends (got {got}, expected "
                 "{want}). Check the loss (the exercise's function on the batch), the "
                 "optimizer and its settings, and that each epoch takes the batches in "
                 "order, `batch_size` examples each.",
        "shape": "`{name}` has shape {got}, but the answer has shape {want}: the loss "
                 "history holds one loss per optimizer step (epochs times batches).",
    })
    steps = (
        "Build the model and the optimizer as the starter shows, from the parameters.",
        "For each epoch, for each batch in order: compute the loss under a tape, take its "
        "gradients with respect to `model.trainable_variables` and apply them.",
        "Keep each step's loss, and leave the trained model's parameters in the answers.",
    )
    scaffold = Scaffold(
        title="A Dense layer in minibatches", function="reduce_mean(square(y - (matmul(x, w) + b)))",
        statement="Train the `Dense(1)` layer on the data with SGD in minibatches of "
                  "`batch_size` examples, taken in order. Write `train_step(model, x, y)`: "
                  "one step on one batch, returning the batch's loss.",
        steps=("Write `train_step`: loss under a tape, gradients, `optimizer.apply_gradients`.",
               "Run the loop the starter gives.",
               "Leave the kernel and bias in `w` and `b` and the losses in `losses`."),
        starter="layer = tf.keras.layers.Dense(1, kernel_initializer=tf.keras.initializers."
                "Constant(w0),\n                              bias_initializer=tf.keras."
                "initializers.Constant(b0))\nmodel = tf.keras.Sequential([layer])\n"
                "optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)\n\n\n"
                "def train_step(model, x, y):\n    ...\n\n\nlosses = []\n"
                "for epoch in range(epochs):\n    for start in range(0, len(x_train), batch_size):\n"
                "        x = tf.constant(x_train[start:start + batch_size])\n"
                "        y = tf.constant(y_train[start:start + batch_size])\n"
                "        losses.append(train_step(model, x, y))\n\n"
                "w = layer.kernel\nb = layer.bias",
        variables=(("w", "[[0.0]]", "variable", ""), ("b", "[0.0]", "variable", ""),
                   ("x", "[[1.0], [2.0], [3.0], [4.0]]", "constant", "x_train"),
                   ("y", "[[3.0], [5.0], [7.0], [9.0]]", "constant", "y_train")),
        answers=(("w", "w", 0, "the kernel after training"),
                 ("b", "b", 0, "the bias after training"),
                 ("losses", "", 0, "the loss of every step", "history = true")),
        expected={}, range='range = [-1.0, 1.0]\nvary = ["w", "b"]',
        solution="layer = tf.keras.layers.Dense(1, kernel_initializer=tf.keras.initializers."
                 "Constant(w0),\n                              bias_initializer=tf.keras."
                 "initializers.Constant(b0))\nmodel = tf.keras.Sequential([layer])\n"
                 "optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)\n\n\n"
                 "def train_step(model, x, y):\n    with tf.GradientTape() as tape:\n"
                 "        loss = tf.reduce_mean(tf.square(y - model(x)))\n"
                 "    grads = tape.gradient(loss, model.trainable_variables)\n"
                 "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
                 "    return loss\n\n\nlosses = []\nfor epoch in range(epochs):\n"
                 "    for start in range(0, len(x_train), batch_size):\n"
                 "        x = tf.constant(x_train[start:start + batch_size])\n"
                 "        y = tf.constant(y_train[start:start + batch_size])\n"
                 "        losses.append(train_step(model, x, y))\n\nw = layer.kernel\n"
                 "b = layer.bias\n",
        extra_toml='''
[training]                        # the reference loop the answers are compared with
optimizer = "sgd"                 # sgd | adam | rmsprop
learning_rate = 0.02
epochs = 5
batch_size = 2                    # examples per step, in order (0: the whole data set)
# momentum = 0.9                  # sgd only;  clipnorm = 1.0: clip each gradient's norm
''', rtol="1e-4", requires=("no-numpy-in-tape",))

    # -- spec ---------------------------------------------------------------------
    def check_answer(self, reader: _Reader, answer: AnswerSpec) -> None:
        if answer.order > 1 or answer.upstream is not None or answer.call:
            raise reader.error("order", "a model-training answer is a trained parameter, "
                               "the loss history or the final loss",
                               "remove `order`, `output_gradients` and `call`")

    def check_spec(self, reader: _Reader, spec: Spec, document: Mapping[str, Any]) -> None:
        names = trainable(spec)
        for answer in spec.answers:
            if answer.of and answer.of[0] not in names:
                raise reader.error("answers", f"answer `{answer.name}` is of `{answer.of[0]}`, "
                                   "which is not a trained parameter (role = \"variable\")")
        data = data_names(spec)
        rows = {int(np.shape(spec.variable(n).value)[0]) for n in data
                if np.ndim(spec.variable(n).value)}
        if len(rows) > 1 or any(np.ndim(spec.variable(n).value) == 0 for n in data):
            raise reader.error("variables", "the data (role = \"constant\") must all have the "
                               "same first axis: the examples", "give every data variable "
                               "one row per example")
        if spec.training.batch_size and rows and spec.training.batch_size > min(rows):
            raise reader.error("training", f"batch_size {spec.training.batch_size} is larger "
                               f"than the data ({min(rows)} examples)")

    # -- references -------------------------------------------------------------
    def _run(self, tf: Any, spec: Spec, point: Mapping[str, np.ndarray], learning_rate: float,
             epochs: int) -> tuple[list[dict[str, np.ndarray]], list[float], float]:
        """(parameters after each step, starting values first; loss of each step;
        final loss on the whole data) by the engine."""
        names = trainable(spec)
        params = {n: tf.Variable(point[n]) for n in names}
        data = {n: np.asarray(point[n], dtype=np.float64) for n in data_names(spec)}
        optimizer = optimizer_for(tf, spec.training, learning_rate)
        variables = [params[n] for n in names]
        states = [{n: np.asarray(point[n], dtype=np.float64) for n in names}]
        losses = []
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                for part in batches(spec, point):
                    batch = {n: tf.constant(v[part]) for n, v in data.items()}
                    with tf.GradientTape() as tape:
                        loss = spec.expression.to_tape(tf, {**params, **batch})
                    grads = tape.gradient(loss, variables)
                    optimizer.apply_gradients(zip(grads, variables))
                    losses.append(float(np.asarray(loss.numpy())))
                    states.append({n: np.asarray(params[n].numpy(), dtype=np.float64)
                                   for n in names})
            final = spec.expression.to_tape(tf, {**params, **{n: tf.constant(v)
                                                               for n, v in data.items()}})
        return states, losses, float(np.asarray(final.numpy()))

    def _answers(self, spec: Spec, state: Mapping[str, np.ndarray], losses: list[float],
                 final: float) -> dict[str, np.ndarray]:
        out = {}
        for a in spec.answers:
            if a.history:
                out[a.name] = np.asarray(losses, dtype=np.float64)
            elif a.value:
                out[a.name] = np.asarray(final, dtype=np.float64)
            else:
                out[a.name] = np.asarray(state[a.of[0]], dtype=np.float64)
        return out

    def engine_answers(self, tf: Any, spec: Spec,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        states, losses, final = self._run(tf, spec, point, spec.training.learning_rate,
                                          spec.training.epochs)
        return self._answers(spec, states[-1], losses, final)

    def fd_answers(self, spec: Spec, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The loop with finite-difference gradients and Keras' update rules in numpy."""
        training = spec.training
        names = trainable(spec)
        current = {k: np.asarray(v, dtype=np.float64).copy() for k, v in point.items()}
        first = {n: np.zeros_like(current[n]) for n in names}
        second = {n: np.zeros_like(current[n]) for n in names}
        lr, step, losses = training.learning_rate, 0, []
        beta_1, beta_2, epsilon, rho = 0.9, 0.999, 1e-7, 0.9
        for _ in range(training.epochs):
            for part in batches(spec, point):
                step += 1
                batch = {**current, **{n: np.asarray(point[n])[part] for n in data_names(spec)}}
                losses.append(float(spec.expression.evaluate(batch)))
                for n in names:
                    g = calculus.fd_gradient(spec.expression.evaluate, batch, n,
                                             calculus.FD_STEP[1])
                    norm = float(np.sqrt(np.sum(g * g)))
                    if training.clipnorm and norm > training.clipnorm:
                        g = g * training.clipnorm / norm
                    if training.optimizer == "sgd":
                        first[n] = training.momentum * first[n] - lr * g
                        current[n] = current[n] + first[n]
                    elif training.optimizer == "adam":
                        first[n] += (g - first[n]) * (1 - beta_1)
                        second[n] += (g * g - second[n]) * (1 - beta_2)
                        lr_t = lr * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
                        current[n] = current[n] - lr_t * first[n] / (np.sqrt(second[n]) + epsilon)
                    else:
                        second[n] = rho * second[n] + (1 - rho) * g * g
                        current[n] = current[n] - lr * g / np.sqrt(second[n] + epsilon)
        final = float(spec.expression.evaluate(current))
        return self._answers(spec, current, losses, final)

    def _trajectory(self, tf: Any, spec: Spec, point: Mapping[str, np.ndarray],
                    learning_rate: float, epochs: int) -> list[dict[str, np.ndarray]]:
        return self._run(tf, spec, point, learning_rate, epochs)[0]

    def clues(self, spec: Spec, answer: AnswerSpec,
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        if not answer.of:
            return {}
        return super().clues(spec, answer, point)

    # -- notebooks ----------------------------------------------------------------
    def answer_text(self, spec: Spec, answer: AnswerSpec) -> str:
        if answer.history:
            return "the list of the losses of every step, in order"
        if answer.value:
            return "the loss on the whole data set after training"
        return super().answer_text(spec, answer)

    def function_note(self, spec: Spec) -> str:
        t = spec.training
        size = f"minibatches of {t.batch_size} examples taken in order (no shuffling)" \
            if t.batch_size else "the whole data set at each step"
        extra = "".join([f", momentum {t.momentum}" if t.momentum else "",
                         f", clipnorm {t.clipnorm}" if t.clipnorm else ""])
        return (f"minimised with `tf.keras.optimizers.{_NAMES[t.optimizer]}` (learning rate "
                f"{t.learning_rate}{extra}) for {t.epochs} epochs of {size}.")

    def extra_parameters(self, spec: Spec) -> list[tuple[str, str]]:
        out = super().extra_parameters(spec)
        if spec.training.batch_size:
            out.append(("batch_size", repr(int(spec.training.batch_size))))
        return out


KIND = ModelTraining()
