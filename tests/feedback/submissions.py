"""Realistic submissions, as students write them, with the verdict each must get.

Each row: an id, the exercise, the answer cell's code, cells the student added below
it, the expected verdict ("passed" or "failed"), what the hints and messages must say
(``must``: every phrase present) and must not (``must_not``). Phrases are matched
case-insensitively against the failed checks' messages and hints together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Submission:
    id: str
    exercise: str
    answer: str
    below: tuple[str, ...] = ()
    verdict: str = "failed"
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    timeout: float | None = None  # a short limit for rows that loop forever
    inline: bool = True  # also run the notebook's own check cell


QUADRATIC = "x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n    y = {f}\n\ngrad = {g}\n"


def quadratic(f: str = "x**2 + 2 * x - 1", g: str = "tape.gradient(y, x)") -> str:
    return QUADRATIC.format(f=f, g=g)


TRAINING = '''\
class LinearModel(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(w0)
        self.b = tf.Variable(b0)

    def __call__(self, x):
        return self.w * x + self.b


model = LinearModel()
x = tf.constant(x_train)
y = tf.constant(y_train)
optimizer = tf.keras.optimizers.SGD(learning_rate={lr})

for epoch in range({epochs}):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(y - model(x)))
    grads = tape.gradient(loss, model.trainable_variables)
{apply}
w = model.w
b = model.b
'''
APPLY = "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"


def training(lr: str = "learning_rate", epochs: str = "epochs", apply: str = APPLY) -> str:
    return TRAINING.format(lr=lr, epochs=epochs, apply=apply)


CUBIC = '''\
x = tf.Variable(x0)

with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = 2 * x**3 + 5 * x**2 + 3 * x
    dy_dx = inner.gradient(y, x)

d2y_dx2 = {second}
'''

JACOBIAN = "x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n    y = {f}\n\njac = {j}\n"

WATCH = '''\
x = tf.constant(x0)

with tf.GradientTape() as tape:
{watch}    y = {reduce}(x)
    z = tf.square(y)

dz_dx = {answer}
'''


def watch(watch: str = "    tape.watch(x)\n", reduce: str = "tf.reduce_sum",
          answer: str = "tape.gradient(z, x)") -> str:
    return WATCH.format(watch=watch, reduce=reduce, answer=answer)


NO_FACTOR = ("times the right value", "factor")
POINT_FIX = ("float(3)", "float(2.0)", "tf.variable(3", "tf.variable(2.0)", "= 6.0")

SUBMISSIONS = [
    # quadratic_derivative: f = x**2 + 2x - 1 at x0 = 2
    Submission("q_correct", "quadratic_derivative", quadratic(), verdict="passed"),
    Submission("q_hardcoded", "quadratic_derivative", "grad = 6.0\n",
               must=("hard-coded", "parameters"), must_not=NO_FACTOR + POINT_FIX),
    Submission("q_one_term_sign", "quadratic_derivative", quadratic("x**2 - 2 * x - 1"),
               must=("same amount (-4.0) at every point", "wrong sign or coefficient"),
               must_not=NO_FACTOR),
    Submission("q_factor_two", "quadratic_derivative", quadratic("2 * (x**2 + 2 * x - 1)"),
               must=("2 times the right value at every point",)),
    Submission("q_negated", "quadratic_derivative", quadratic("-(x**2 + 2 * x - 1)"),
               must=("negative of the right value",), must_not=("times the right",)),
    Submission("q_value_not_derivative", "quadratic_derivative", quadratic(g="y"),
               must=("function's value, not its derivative",), must_not=NO_FACTOR),
    Submission("q_outside_the_tape", "quadratic_derivative",
               "x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n    pass\n"
               "y = x**2 + 2 * x - 1\n\ngrad = tape.gradient(y, x)\n",
               must=("is none", "outside"), must_not=NO_FACTOR),
    Submission("q_by_hand", "quadratic_derivative", "x = tf.Variable(x0)\ngrad = 2 * x + 2\n",
               must=("by hand",), must_not=NO_FACTOR),
    Submission("q_numpy_in_tape", "quadratic_derivative",
               "import numpy as np\n" + quadratic("np.square(x) + 2 * x - 1"),
               must=("numpy", "np.square", "tf.*"), must_not=NO_FACTOR),
    Submission("q_stop_gradient", "quadratic_derivative",
               quadratic("tf.stop_gradient(x**2) + 2 * x - 1"),
               must=("in proportion to `x`",), must_not=NO_FACTOR),
    Submission("q_answer_in_a_new_cell", "quadratic_derivative", "x = tf.Variable(x0)\n",
               below=("with tf.GradientTape() as tape:\n    y = x**2 + 2 * x - 1\n"
                      "grad = tape.gradient(y, x)\n",), verdict="passed"),
    Submission("q_fixed_number_in_a_new_cell", "quadratic_derivative", quadratic(),
               below=("x = tf.Variable(2.0)\nwith tf.GradientTape() as tape:\n"
                      "    y = x**2 + 2 * x - 1\ngrad = tape.gradient(y, x)\n",),
               must=("hard-coded", "`x0`"), must_not=NO_FACTOR + POINT_FIX),
    Submission("q_tensorflow_import", "quadratic_derivative",
               "import tensorflow as tf\n" + quadratic(), verdict="either",
               must=("bundled engine", "import grader.tape as tf"),
               must_not=("modulenotfounderror",)),
    Submission("q_syntax_error", "quadratic_derivative",
               quadratic(g="tape.gradient(y, x"),
               must=("syntaxerror",), must_not=("ipykernel", ".py,")),
    Submission("q_name_error", "quadratic_derivative", quadratic(g="tape2.gradient(y, x)"),
               must=("nameerror", "tape2"), must_not=NO_FACTOR),
    Submission("q_endless_loop", "quadratic_derivative", "while True:\n    pass\n",
               must=("ran longer than its", "endless loop"), must_not=("crash",),
               timeout=6.0, inline=False),
    Submission("q_float64", "quadratic_derivative",
               quadratic().replace("tf.Variable(x0)", "tf.Variable(x0, dtype=tf.float64)"),
               must=("float64", "dtype=tf.float32"), must_not=NO_FACTOR),
    Submission("q_untouched_starter", "quadratic_derivative",
               "x = ...\n\nwith tf.GradientTape() as tape:\n    y = ...\n\ngrad = ...\n",
               must=("not answered yet",)),
    # integer_variable: f = x**2 + 3x, x0 = 3 (an int)
    Submission("i_as_handed_out", "integer_variable", "x = tf.Variable(x0)\n\n"
               "with tf.GradientTape() as tape:\n    y = x**2 + 3 * x\n\n"
               "grad = tape.gradient(y, x)\n", must=("float(x0)",), must_not=POINT_FIX),
    Submission("i_correct", "integer_variable", "x = tf.Variable(float(x0))\n\n"
               "with tf.GradientTape() as tape:\n    y = x**2 + 3 * x\n\n"
               "grad = tape.gradient(y, x)\n", verdict="passed"),
    Submission("i_dtype_argument", "integer_variable", "x = tf.Variable(x0, dtype=tf.float32)\n"
               "with tf.GradientTape() as tape:\n    y = x**2 + 3 * x\n"
               "grad = tape.gradient(y, x)\n", verdict="passed"),
    Submission("i_point_typed_in", "integer_variable", "x = tf.Variable(3.0)\n"
               "with tf.GradientTape() as tape:\n    y = x**2 + 3 * x\n"
               "grad = tape.gradient(y, x)\n",
               must=("hard-coded", "`x0`"), must_not=POINT_FIX + NO_FACTOR),
    # watch_constant: z = (sum x)**2, x0 = ones((2, 3))
    Submission("w_correct", "watch_constant", watch(), verdict="passed"),
    Submission("w_not_watched", "watch_constant", watch(watch=""),
               must=("tape.watch(x)",), must_not=NO_FACTOR),
    # Right values, but the exercise requires tape.watch: only that check fails.
    Submission("w_variable_instead", "watch_constant",
               watch(watch="").replace("tf.constant(x0)", "tf.Variable(x0)"),
               must=("a tf.Variable, which the tape watches by itself", "tape.watch(x)")),
    Submission("w_mean_for_sum", "watch_constant", watch(reduce="tf.reduce_mean"),
               must=("0.0277778 times the right value at every point",)),
    Submission("w_hardcoded", "watch_constant", "dz_dx = tf.fill((2, 3), 12.0)\n",
               must=("hard-coded",), must_not=NO_FACTOR),
    Submission("w_one_row", "watch_constant", watch(answer="tape.gradient(z, x)[0]"),
               must=("shape (3,)", "shape of its source")),
    # cubic_second_derivative: 2x^3 + 5x^2 + 3x at x0 = 2
    Submission("c_correct", "cubic_second_derivative",
               CUBIC.format(second="outer.gradient(dy_dx, x)"), verdict="passed"),
    Submission("c_first_derivative_twice", "cubic_second_derivative",
               CUBIC.format(second="dy_dx"), must=("one derivative short",),
               must_not=NO_FACTOR),
    Submission("c_by_hand", "cubic_second_derivative", CUBIC.format(second="12 * x + 10"),
               must=("by hand",)),
    Submission("c_inner_gradient_outside", "cubic_second_derivative",
               "x = tf.Variable(x0)\n\nwith tf.GradientTape() as outer:\n"
               "    with tf.GradientTape() as inner:\n        y = 2 * x**3 + 5 * x**2 + 3 * x\n"
               "dy_dx = inner.gradient(y, x)\n\nd2y_dx2 = outer.gradient(dy_dx, x)\n",
               must=("is none",), must_not=NO_FACTOR),
    # jacobian: y = x * sum(x), x0 = [1, 2, 3]
    Submission("j_correct", "jacobian", JACOBIAN.format(f="x * tf.reduce_sum(x)",
                                                        j="tape.jacobian(y, x)"),
               verdict="passed"),
    Submission("j_transposed", "jacobian",
               JACOBIAN.format(f="x * tf.reduce_sum(x)",
                               j="tf.transpose(tape.jacobian(y, x))"),
               must=("transpose",), must_not=NO_FACTOR),
    Submission("j_gradient_for_jacobian", "jacobian",
               JACOBIAN.format(f="x * tf.reduce_sum(x)", j="tape.gradient(y, x)"),
               must=("shape (3,)",)),
    Submission("j_hardcoded_list", "jacobian",
               "jac = [[7.0, 1.0, 1.0], [2.0, 8.0, 2.0], [3.0, 3.0, 9.0]]\n",
               must=("hard-coded",), must_not=("is a list",) + NO_FACTOR),
    Submission("j_numpy_sum", "jacobian",
               "import numpy as np\n" + JACOBIAN.format(f="x * np.sum(x)",
                                                        j="tape.jacobian(y, x)"),
               must=("numpy", "np.sum"), must_not=NO_FACTOR),
    # linear_regression (training): SGD, lr 0.01, 100 epochs
    Submission("t_correct", "linear_regression", training(), verdict="passed"),
    Submission("t_no_apply_gradients", "linear_regression", training(apply=""),
               must=("never moved", "apply_gradients"),
               must_not=("derivative", "does not follow")),
    Submission("t_one_epoch_too_many", "linear_regression", training(epochs="epochs + 1"),
               must=("after 101 steps, not 100",), must_not=("does not follow", "derivative")),
    Submission("t_learning_rate_typed_in", "linear_regression", training(lr="0.1"),
               must=("learning rate 10 times", "learning_rate=learning_rate"),
               must_not=("derivative",)),
    Submission("t_diverging", "linear_regression", training(lr="learning_rate * 100"),
               must=("diverged",), must_not=("derivative",)),
    # persistent_tape: two gradients from one tape
    Submission("p_correct", "persistent_tape", "x = tf.Variable(x0)\n\n"
               "with tf.GradientTape(persistent=True) as tape:\n    y = x * x\n    z = y * y\n\n"
               "dy_dx = tape.gradient(y, x)\ndz_dx = tape.gradient(z, x)\n", verdict="passed"),
    Submission("p_not_persistent", "persistent_tape", "x = tf.Variable(x0)\n\n"
               "with tf.GradientTape() as tape:\n    y = x * x\n    z = y * y\n\n"
               "dy_dx = tape.gradient(y, x)\ndz_dx = tape.gradient(z, x)\n",
               must=("persistent=true",)),
    # two_sources: y = sum(x*x + 2z)
    Submission("s_correct", "two_sources", "x = tf.Variable(x0)\nz = tf.Variable(z0)\n\n"
               "with tf.GradientTape() as tape:\n    y = tf.reduce_sum(x * x + 2 * z)\n\n"
               "dx, dz = tape.gradient(y, [x, z])\n", verdict="passed"),
    Submission("s_sources_swapped", "two_sources", "x = tf.Variable(x0)\nz = tf.Variable(z0)\n\n"
               "with tf.GradientTape() as tape:\n    y = tf.reduce_sum(x * x + 2 * z)\n\n"
               "dz, dx = tape.gradient(y, [x, z])\n", must=("shape",)),
]
