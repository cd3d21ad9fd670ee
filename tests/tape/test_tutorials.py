"""Every example from the course's tutorials, run on the engine with the values TensorFlow gives.

The training-loop reference numbers were measured with real TensorFlow 2.21
(tensorflow-cpu, Keras 3) by running the same loop with ``import tensorflow as tf``
and printing ``repr(w.numpy().item())`` etc.; the engine reproduces them bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

import grader.tape as tf


def test_square_at_three():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    grad = tape.gradient(y, x)
    assert float(y) == 9.0
    assert grad.numpy() == np.float32(6.0)
    assert grad.dtype == tf.float32


def test_several_sources_with_reduce_sum():
    x = tf.Variable(tf.fill((2, 3), 3.0))
    z = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * x + 2 * z)
    dx, dz = tape.gradient(y, [x, z])
    assert float(y) == 6 * 9.0 + 6 * 10.0
    assert dx.shape == (2, 3)
    np.testing.assert_array_equal(dx.numpy(), np.full((2, 3), 6.0, np.float32))
    assert dz.numpy() == np.float32(12.0)


def test_square_of_sum_of_watched_constant():
    x = tf.ones((2, 3))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.square(y)
    dz_dx = t.gradient(z, x)
    np.testing.assert_array_equal(dz_dx.numpy(), np.full((2, 3), 12.0, np.float32))
    assert str(dz_dx) == ("tf.Tensor(\n[[12. 12. 12.]\n [12. 12. 12.]], shape=(2, 3), dtype=float32)")


def test_cubic_polynomial_prints_like_tensorflow(capsys):
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
    print(t.gradient(y, x))
    assert capsys.readouterr().out == "tf.Tensor(47.0, shape=(), dtype=float32)\n"


def test_nested_tapes_give_the_second_derivative():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t1:
        with tf.GradientTape() as t2:
            y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t1.gradient(dy_dx, x)
    assert float(dy_dx) == 47.0
    assert float(d2y_dx2) == 34.0


def test_cube_of_watched_constant_first_and_second_order():
    x = tf.constant(5.0)
    with tf.GradientTape() as outer_tape:
        outer_tape.watch(x)
        with tf.GradientTape() as inner_tape:
            inner_tape.watch(x)
            y = x ** 3
        dy_dx = inner_tape.gradient(y, x)
    d2y_dx2 = outer_tape.gradient(dy_dx, x)
    assert str(dy_dx) == "tf.Tensor(75.0, shape=(), dtype=float32)"
    assert str(d2y_dx2) == "tf.Tensor(30.0, shape=(), dtype=float32)"


def test_sum_of_two_watched_constants():
    x = tf.constant(3.0)
    y = tf.constant(4.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(y)
        z = x + y
        gradients = tape.gradient(z, [x, y])
    assert isinstance(gradients, list)
    assert [g.numpy() for g in gradients] == [1.0, 1.0]
    assert repr(gradients) == ("[<tf.Tensor: shape=(), dtype=float32, numpy=1.0>, "
                               "<tf.Tensor: shape=(), dtype=float32, numpy=1.0>]")


def test_persistent_tape_computes_several_gradients():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
        z = y * y * y * y
    dy_dx = t.gradient(y, x)
    dz_dy = t.gradient(z, y)
    dz_dx = t.gradient(z, x)
    del t
    assert float(dy_dx) == 47.0
    assert float(dz_dy) == pytest.approx(4 * 42.0 ** 3)
    assert float(dz_dx) == pytest.approx(4 * 42.0 ** 3 * 47.0, rel=1e-6)


def test_second_gradient_on_a_non_persistent_tape_raises():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
    dy_dx = t.gradient(y, x)
    with pytest.raises(RuntimeError) as info:
        t.gradient(tf.reduce_sum(dy_dx), x)
    assert str(info.value) == ("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")


def test_exercise_quadratic_at_two():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        f = x ** 2 + 2 * x - 1
    grad = tape.gradient(f, x)
    assert float(f) == 7.0
    assert grad.numpy() == np.float32(6.0)


class LinearModel(tf.Module):
    def __init__(self, w, b):
        self.w = tf.Variable(w)
        self.b = tf.Variable(b)

    def __call__(self, x):
        return self.w * x + self.b


def _train(model, optimizer, epochs=100):
    x = tf.constant([1.0, 2.0, 3.0])
    y = tf.constant([3.0, 5.0, 7.0])
    losses = []
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - model(x)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        losses.append(float(loss))
    return losses


def test_linear_regression_at_the_optimum_stays_there():
    model = LinearModel(2.0, 1.0)
    losses = _train(model, tf.keras.optimizers.SGD(learning_rate=0.01))
    assert losses == [0.0] * 100
    assert model.w.numpy() == np.float32(2.0) and model.b.numpy() == np.float32(1.0)


# (optimizer factory, final w, final b, last loss) from TensorFlow 2.21 / Keras 3, same loop.
TF_RUNS = {
    "sgd": (lambda: tf.keras.optimizers.SGD(learning_rate=0.01),
            2.034808874130249, 0.9208277463912964, 0.0009033943642862141),
    "momentum": (lambda: tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                 2.0110249519348145, 0.9986822605133057, 0.00029584005824290216),
    "adam": (lambda: tf.keras.optimizers.Adam(learning_rate=0.1),
             1.8077181577682495, 1.406049132347107, 0.02545294165611267),
}


@pytest.mark.parametrize("name", sorted(TF_RUNS))
def test_linear_regression_from_zero_matches_tensorflow(name):
    make, w, b, last_loss = TF_RUNS[name]
    model = LinearModel(0.0, 0.0)
    optimizer = make()
    losses = _train(model, optimizer)
    assert model.w.numpy().item() == w
    assert model.b.numpy().item() == b
    assert losses[-1] == last_loss
    assert optimizer.iterations.numpy() == 100
