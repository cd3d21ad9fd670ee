"""``grader new ID --kind KIND``: a commented spec and a solution that validate as they are.

The scaffold is the spec format's documentation by example: every key is written
out with a comment saying what it does, and the numbers are right, so an instructor
starts from a passing ``grader validate`` and changes one thing at a time.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from grader.errors import UsageError
from grader.authoring.spec import KINDS

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_HEADER = Template('''\
# Exercise spec for tapegrader. Check it with `grader validate $id`,
# render it with `grader build --out DIR $id`.

id = "$id"                       # must equal the file name (without .toml)
title = "$title"
kind = "$kind"                 # gradient | higher-order | jacobian | batch-jacobian | training
dtype = "float32"                 # the float dtype every answer must have

# The function, in a safe subset of Python: numbers, the variables below,
# + - * / **, unary minus and the engine's math names (sin, exp, log, sqrt, square,
# reduce_sum, reduce_mean, matmul, ... bare or as tf.NAME / tf.math.NAME).
function = "$function"

# Markdown shown to the student above the function, the point and the steps.
statement = \'\'\'
$statement
\'\'\'

# Optional: the numbered steps (a default list per kind is used otherwise).
steps = [
$steps]

# The answer cell as the student receives it. It reads the point from the names the
# parameters cell sets (NAME0 by default, see `param` below), never from numbers:
# the grader re-runs the cell at hidden points.
starter = \'\'\'
$starter
\'\'\'
''')

_FOOTER = '''
[tolerance]                       # |got - want| <= atol + rtol * |want|
rtol = $rtol
atol = 1e-6

[hidden]                          # points the student does not see
count = 3                         # how many
# uniform in [low, high], or `spread = 0.5` (value ± 0.5 * max(|value|, 1));
# `vary` lists the variables that change (default: all)
$range

# Optional hints, shown when a check fails for that reason; keys: none, value, dtype,
# shape, hardcoded, not_tape, runtime_error, sign, factor.
[hints]
none = "Did the computation run inside the `with tf.GradientTape() as tape:` block?"
'''

_VARIABLE = '''
[[variables]]                     # one table per input, in order
name = "{name}"
point = {point}
# point: a number, a nested list, or a creation such as "fill((2, 3), 3.0)"
# dtype = "float32"               # default: float32 for floats, int32 for ints
role = "{role}"
# role: "variable" (a tf.Variable; in training, trained) or "constant" (a tf.constant:
# the student must watch it; in training, data)
{param}
'''

_ANSWER = '''
[[answers]]                       # one table per name the answer cell assigns
name = "{name}"
of = "{of}"                        # the source variable (a list of names gives a list of gradients)
{order}description = "{description}"
'''

_KINDS = {
    "gradient": dict(
        title="Derivative of a cubic", function="x**3 - 2*x",
        statement="Compute the derivative of the function at the point with a `tf.GradientTape`.",
        steps=["Create `x = tf.Variable(x0)`.",
               "Inside `with tf.GradientTape() as tape:`, compute `y`.",
               "Assign `grad = tape.gradient(y, x)`."],
        starter="x = ...\n\nwith tf.GradientTape() as tape:\n    y = ...\n\ngrad = ...",
        variables=[("x", "1.5", "variable")],
        answers=[("grad", "x", 1, "df/dx at x0")],
        expected={"grad": "4.75"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n"
                 "    y = x**3 - 2 * x\n\ngrad = tape.gradient(y, x)\n"),
    "higher-order": dict(
        title="First and second derivative", function="x**3",
        statement="Nest two tapes to compute the first and the second derivative.",
        steps=["Create `x = tf.Variable(x0)`.",
               "Nest two tapes; compute `y` in the inner block and `dy_dx` after it.",
               "After the outer block, `d2y_dx2 = outer.gradient(dy_dx, x)`."],
        starter="x = ...\n\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
                "        y = ...\n    dy_dx = ...\n\nd2y_dx2 = ...",
        variables=[("x", "2.0", "variable")],
        answers=[("dy_dx", "x", 1, "the first derivative"),
                 ("d2y_dx2", "x", 2, "the second derivative")],
        expected={"dy_dx": "12.0", "d2y_dx2": "12.0"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as outer:\n"
                 "    with tf.GradientTape() as inner:\n        y = x**3\n"
                 "    dy_dx = inner.gradient(y, x)\n\nd2y_dx2 = outer.gradient(dy_dx, x)\n"),
    "jacobian": dict(
        title="A Jacobian", function="x**2",
        statement="Compute the Jacobian of the vector-valued function with `tape.jacobian`.",
        steps=["Create `x = tf.Variable(x0)`.", "Inside the tape compute `y`.",
               "Assign `jac = tape.jacobian(y, x)`."],
        starter="x = ...\n\nwith tf.GradientTape() as tape:\n    y = ...\n\njac = ...",
        variables=[("x", "[1.0, 2.0]", "variable")],
        answers=[("jac", "x", 1, "the Jacobian dy/dx")],
        expected={"jac": "[[2.0, 0.0], [0.0, 4.0]]"}, range="range = [-3.0, 3.0]",
        solution="x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n    y = x**2\n\n"
                 "jac = tape.jacobian(y, x)\n"),
    "batch-jacobian": dict(
        title="A batch Jacobian", function="x**2",
        statement="Compute the per-example Jacobians with `tape.batch_jacobian`.",
        steps=["Create `x = tf.constant(x0)` (first axis: examples).",
               "Inside the tape, watch `x` and compute `y`.",
               "Assign `batch_jac = tape.batch_jacobian(y, x)`."],
        starter="x = tf.constant(x0)\n\nwith tf.GradientTape() as tape:\n    ...\n    y = ...\n\n"
                "batch_jac = ...",
        variables=[("x", "[[1.0, 2.0], [3.0, 4.0]]", "constant")],
        answers=[("batch_jac", "x", 1, "the per-example Jacobians")],
        expected={"batch_jac": "[[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]]"},
        range="range = [-3.0, 3.0]",
        solution="x = tf.constant(x0)\n\nwith tf.GradientTape() as tape:\n    tape.watch(x)\n"
                 "    y = x**2\n\nbatch_jac = tape.batch_jacobian(y, x)\n"),
    "training": dict(
        title="Fit a slope", function="reduce_mean(square(y - w * x))",
        statement="Train `w` with gradient descent on the data; the function is the loss.",
        steps=["Create `w = tf.Variable(w0)`, the data as constants and an SGD optimizer.",
               "Repeat `epochs` times: loss under a tape, gradient, `apply_gradients`.",
               "Leave the trained variable in `w`."],
        starter="w = ...\nx = tf.constant(x_train)\ny = tf.constant(y_train)\noptimizer = ...\n\n"
                "for epoch in range(epochs):\n    ...",
        variables=[("w", "0.0", "variable"), ("x", "[1.0, 2.0, 3.0]", "constant"),
                   ("y", "[2.0, 4.0, 6.0]", "constant")],
        answers=[("w", "w", 1, "the slope after training")],
        expected={}, range='range = [-1.0, 1.0]\nvary = ["w"]',
        solution="w = tf.Variable(w0)\nx = tf.constant(x_train)\ny = tf.constant(y_train)\n"
                 "optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)\n\n"
                 "for epoch in range(epochs):\n    with tf.GradientTape() as tape:\n"
                 "        loss = tf.reduce_mean(tf.square(y - w * x))\n"
                 "    grads = tape.gradient(loss, [w])\n"
                 "    optimizer.apply_gradients(zip(grads, [w]))\n"),
}

_TRAINING = '''
[training]                        # the reference loop the answers are compared with
optimizer = "sgd"                 # sgd | adam
learning_rate = 0.05
epochs = 20
'''


def spec_text(exercise_id: str, kind: str) -> str:
    """The commented TOML of a new exercise of ``kind``."""
    parts = _KINDS[kind]
    steps = "".join(f'    "{s}",\n' for s in parts["steps"])
    text = _HEADER.substitute(id=exercise_id, kind=kind, title=parts["title"],
                              function=parts["function"], statement=parts["statement"],
                              steps=steps, starter=parts["starter"])
    for i, (name, point, role) in enumerate(parts["variables"]):
        param = (f'param = "{name}_train"          # the name the parameters cell assigns'
                 if kind == "training" and i > 0 else
                 f'# param = "{name}0"              # the name the parameters cell assigns')
        text += _VARIABLE.format(name=name, point=point, role=role, param=param)
    for name, of, order, description in parts["answers"]:
        order_line = f"order = {order}                         # 2: the second derivative\n" \
            if kind == "higher-order" else ""
        text += _ANSWER.format(name=name, of=of, order=order_line, description=description)
    if kind == "training":
        text += _TRAINING
    if parts["expected"]:
        text += "\n[expected]                        # optional: checked against the reference\n"
        text += "".join(f"{k} = {v}\n" for k, v in parts["expected"].items())
    else:
        text += "\n# [expected] is optional: `grader validate` prints the reference values.\n"
    rtol = "1e-4" if kind == "training" else "1e-5"
    return text + Template(_FOOTER).substitute(range=parts["range"], rtol=rtol)


def new_exercise(exercise_id: str, *, kind: str, exercises_dir: str | Path,
                 solutions_dir: str | Path) -> list[Path]:
    """Write ``exercises_dir/ID.toml`` and ``solutions_dir/ID.py``; never overwrites."""
    if not _ID.match(exercise_id):
        raise UsageError(f"invalid exercise id {exercise_id!r}",
                         fix="use lower-case letters, digits and _, starting with a letter")
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}", fix=f"use one of {', '.join(KINDS)}")
    spec_path = Path(exercises_dir) / f"{exercise_id}.toml"
    solution_path = Path(solutions_dir) / f"{exercise_id}.py"
    for path in (spec_path, solution_path):
        if path.exists():
            raise UsageError("already exists; refusing to overwrite", path=str(path),
                             fix="pick another id, or delete the file first")
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    solution_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(spec_text(exercise_id, kind), encoding="utf-8")
    solution_path.write_text(_KINDS[kind]["solution"], encoding="utf-8")
    return [spec_path, solution_path]
