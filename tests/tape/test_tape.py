"""GradientTape behaviour: persistence, nesting, structures, jacobians, recording control,
memory, provenance. Expected values are worked by hand or are TensorFlow's."""

from __future__ import annotations

import numpy as np
import pytest

import grader.tape as tf


def _np(t):
    return t.numpy()


def test_persistent_tape_allows_repeated_gradients_and_jacobians():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = tf.reduce_sum(y)
    np.testing.assert_array_equal(_np(t.gradient(z, x)), [2.0, 4.0])
    np.testing.assert_array_equal(_np(t.gradient(y, x)), [2.0, 4.0])
    np.testing.assert_array_equal(_np(t.jacobian(y, x)), [[2.0, 0.0], [0.0, 4.0]])


def test_third_derivative_through_three_nested_tapes():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x ** 4
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert (float(d1), float(d2), float(d3)) == (32.0, 48.0, 48.0)


def test_second_derivatives_of_transcendental_functions():
    x = tf.Variable(0.5)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.sin(x) * tf.exp(x) + tf.math.log(x) + tf.tanh(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    v = 0.5
    expected_d1 = np.cos(v) * np.exp(v) + np.sin(v) * np.exp(v) + 1 / v + (1 - np.tanh(v) ** 2)
    expected_d2 = 2 * np.cos(v) * np.exp(v) - 1 / v ** 2 - 2 * np.tanh(v) * (1 - np.tanh(v) ** 2)
    assert float(dy) == pytest.approx(expected_d1, rel=1e-6)
    assert float(d2y) == pytest.approx(expected_d2, rel=1e-5)


def test_persistent_tape_inside_its_context_records_its_own_gradient(capfd, monkeypatch):
    from grader.tape import tape as tape_module
    monkeypatch.setattr(tape_module, "_warned", {})  # TensorFlow logs this once per process
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x * x
        g = t.gradient(y, x)
    h = t.gradient(g, x)
    assert (float(g), float(h)) == (12.0, 12.0)
    assert "inside its context is significantly less efficient" in capfd.readouterr().err


def test_sources_as_list_tuple_and_dict_keep_their_structure():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = a * b + b
    as_list = t.gradient(y, [a, b])
    as_tuple = t.gradient(y, (a, b))
    as_dict = t.gradient(y, {"b": b, "a": a})
    nested = t.gradient(y, {"pair": [a, b]})
    assert isinstance(as_list, list) and [float(g) for g in as_list] == [2.0, 2.0]
    assert isinstance(as_tuple, tuple) and [float(g) for g in as_tuple] == [2.0, 2.0]
    assert list(as_dict) == ["b", "a"] and float(as_dict["a"]) == 2.0 and float(as_dict["b"]) == 2.0
    assert [float(g) for g in nested["pair"]] == [2.0, 2.0]


def test_a_list_of_targets_gives_the_gradient_of_their_sum():
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y1 = x * x
        y2 = 4 * x
    assert float(t.gradient([y1, y2], x)) == 10.0


def test_non_scalar_target_is_summed():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        y = x * x
    np.testing.assert_array_equal(_np(t.gradient(y, x)), [2.0, 4.0, 6.0])


def test_output_gradients_weight_the_target():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        z = x * x
    g = t.gradient(z, x, output_gradients=tf.constant([[1.0, 0.0], [0.0, 2.0]]))
    np.testing.assert_array_equal(_np(g), [[2.0, 0.0], [0.0, 16.0]])


def test_unconnected_sources():
    x, u = tf.Variable(1.0), tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        y = x * 2
    assert t.gradient(y, u) is None
    zero = t.gradient(y, u, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(_np(zero), [0.0, 0.0])
    assert t.gradient(y, [x, u], unconnected_gradients="zero")[1].shape == (2,)
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients"):
        t.gradient(y, x, unconnected_gradients="sometimes")


def test_constants_are_not_watched_unless_asked():
    c = tf.constant(2.0)
    w = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = c * w
    dc, dw = t.gradient(y, [c, w])
    assert dc is None and float(dw) == 2.0


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x * x
        z = 3 * y + x
    dz_dy, dz_dx = t.gradient(z, [y, x])
    assert (float(dz_dy), float(dz_dx)) == (3.0, 13.0)


def test_broadcast_operands_get_gradients_of_their_own_shape():
    w = tf.Variable(tf.ones((3, 1)))
    b = tf.Variable(0.5)
    row = tf.Variable(tf.ones((1, 4)))
    with tf.GradientTape() as t:
        y = tf.reduce_sum(w * row + b)
    gw, gb, grow = t.gradient(y, [w, b, row])
    np.testing.assert_array_equal(_np(gw), np.full((3, 1), 4.0))
    assert float(gb) == 12.0
    np.testing.assert_array_equal(_np(grow), np.full((1, 4), 3.0))


def test_jacobian_shapes_and_values():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        y = x ** 2
        s = tf.reduce_sum(y)
    np.testing.assert_array_equal(_np(t.jacobian(y, x)), np.diag([2.0, 4.0, 6.0]))
    np.testing.assert_array_equal(_np(t.jacobian(s, x)), [2.0, 4.0, 6.0])
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    xin = tf.constant([[1.0], [-1.0]])
    with tf.GradientTape(persistent=True) as t2:
        z = tf.matmul(w, xin)
    j = t2.jacobian(z, w)
    assert j.shape == (2, 1, 2, 2)
    np.testing.assert_array_equal(_np(j)[0, 0], [[1.0, -1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(_np(j)[1, 0], [[0.0, 0.0], [1.0, -1.0]])
    u = tf.Variable(1.0)
    assert t2.jacobian(z, u) is None
    np.testing.assert_array_equal(_np(t2.jacobian(z, u, unconnected_gradients="zero")), np.zeros((2, 1)))


def test_hessian_as_jacobian_of_a_gradient():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(x ** 3)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
    np.testing.assert_array_equal(_np(h), [[6.0, 0.0], [0.0, 12.0]])


def test_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        z = x * x
    bj = t.batch_jacobian(z, x)
    np.testing.assert_array_equal(_np(bj), [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]])
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.batch_jacobian(z, x)


def test_batch_jacobian_of_a_layer():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = tf.constant([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.matmul(x, w)
    bj = t.batch_jacobian(y, x)
    assert bj.shape == (3, 3, 2)
    for b in range(3):
        np.testing.assert_array_equal(_np(bj)[b], w.numpy().T)


def test_non_persistent_tape_refuses_a_second_use():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        y = x * x
    t.jacobian(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set"):
        t.gradient(y, x)


def test_stop_recording():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        with t.stop_recording():
            y = x * x
        z = x * 3
    assert t.gradient(y, x) is None
    with tf.GradientTape() as t2:
        with t2.stop_recording():
            a = x * x
        b = a * x
    assert float(t2.gradient(b, x)) == 4.0
    with pytest.raises(RuntimeError, match="Trying to stop recording a tape which is not recording"):
        with t2.stop_recording():
            pass
    t3 = tf.GradientTape(persistent=True)
    with t3:
        pass
    with pytest.raises(ValueError, match="Tape is not recording"):
        with t3.stop_recording():
            pass
    assert float(z) == 6.0


def test_reset_forgets_what_was_recorded():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x * x
        t.reset()
        z = x * 5
    assert t.gradient(y, x) is None
    t2 = tf.GradientTape(persistent=True)
    with t2:
        y = x * x
    with pytest.raises(ValueError, match="Tape is not recording"):
        t2.reset()
    assert float(t2.gradient(y, x)) == 4.0
    del z


def test_watched_variables_in_creation_order():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as t:
        y = b * a * c
    assert isinstance(t.watched_variables(), tuple)
    assert [id(v) for v in t.watched_variables()] == [id(a), id(b)]
    t.gradient(y, [a, b])
    assert [id(v) for v in t.watched_variables()] == [id(a), id(b)]


def test_watch_accessed_variables_false_watches_only_what_is_asked():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(b)
        y = a * b
    ga, gb = t.gradient(y, [a, b])
    assert ga is None and float(gb) == 1.0
    assert [id(v) for v in t.watched_variables()] == [id(b)]


def test_non_trainable_variables_are_not_watched_automatically():
    frozen = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as t:
        y = frozen * frozen
    assert t.gradient(y, frozen) is None


def test_integer_tensors_are_not_recorded():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        n = tf.cast(x, tf.int32)
        y = tf.cast(n * 2, tf.float32)
    assert t.gradient(y, x) is None


def test_ten_thousand_steps_keep_no_entries():
    w = tf.Variable(1.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.001)
    sizes = []
    for step in range(10_000):
        with tf.GradientTape() as t:
            loss = tf.square(w * 2.0 - 1.0)
        if step % 2500 == 0:
            sizes.append(len(t._entries))
        opt.apply_gradients([(t.gradient(loss, w), w)])
        assert t._entries is None
    assert sizes == [4, 4, 4, 4]  # ReadVariableOp, Mul, Sub, Square
    assert float(w) == pytest.approx(0.5, abs=1e-4)


def test_tape_can_be_entered_again_after_use():
    x = tf.Variable(3.0)
    t = tf.GradientTape()
    with t:
        y = x * x
    assert float(t.gradient(y, x)) == 6.0
    with t:
        y = x * x * x
    assert float(t.gradient(y, x)) == 27.0


def test_gradients_of_each_differentiable_op():
    x = tf.Variable([0.5, 1.0, 2.0])
    cases = {
        "square": (tf.square, lambda v: 2 * v),
        "sqrt": (tf.sqrt, lambda v: 0.5 / np.sqrt(v)),
        "exp": (tf.exp, np.exp),
        "log": (tf.math.log, lambda v: 1 / v),
        "log1p": (tf.math.log1p, lambda v: 1 / (1 + v)),
        "sin": (tf.sin, np.cos),
        "cos": (tf.cos, lambda v: -np.sin(v)),
        "tan": (tf.math.tan, lambda v: 1 / np.cos(v) ** 2),
        "tanh": (tf.tanh, lambda v: 1 - np.tanh(v) ** 2),
        "sigmoid": (tf.math.sigmoid, lambda v: np.exp(-v) / (1 + np.exp(-v)) ** 2),
        "reciprocal": (tf.math.reciprocal, lambda v: -1 / v ** 2),
        "softplus": (tf.math.softplus, lambda v: 1 / (1 + np.exp(-v))),
        "abs": (lambda t: tf.abs(t - 1.5), lambda v: np.sign(v - 1.5)),
        "relu": (lambda t: tf.nn.relu(t - 0.75), lambda v: (v > 0.75).astype(float)),
        "pow": (lambda t: tf.pow(t, 3.0), lambda v: 3 * v ** 2),
        "maximum": (lambda t: tf.maximum(t, 1.0), lambda v: (v >= 1.0).astype(float)),
        "minimum": (lambda t: tf.minimum(t, 1.0), lambda v: (v <= 1.0).astype(float)),
        "divide": (lambda t: tf.divide(1.0, t), lambda v: -1 / v ** 2),
    }
    for name, (fn, derivative) in cases.items():
        with tf.GradientTape() as t:
            y = fn(x)
        np.testing.assert_allclose(_np(t.gradient(y, x)), derivative(np.array([0.5, 1.0, 2.0])),
                                   rtol=1e-5, err_msg=name)


def test_reduce_max_shares_the_gradient_between_ties():
    x = tf.constant([1.0, 3.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_max(x)
    np.testing.assert_array_equal(_np(t.gradient(y, x)), [0.0, 0.5, 0.5])


def test_reduce_prod_with_a_zero():
    x = tf.constant([2.0, 0.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_prod(x)
    np.testing.assert_array_equal(_np(t.gradient(y, x)), [0.0, 6.0, 0.0])


def test_pow_gradient_with_respect_to_the_exponent():
    a, b = tf.constant(-2.0), tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch([a, b])
        y = a ** b
    ga, gb = t.gradient(y, [a, b])
    assert (float(ga), float(gb)) == (-4.0, 0.0)


def test_slicing_concat_stack_and_where_route_gradients():
    x = tf.Variable([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as t:
        parts = tf.concat([x[:2] * 2.0, tf.stack([x[3], x[3]])], axis=0)
        y = tf.reduce_sum(tf.where(parts > 3.0, parts, tf.zeros_like(parts)))
    np.testing.assert_array_equal(_np(t.gradient(y, x)), [0.0, 2.0, 0.0, 2.0])


def test_softmax_and_matmul_gradient_match_finite_differences():
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 2))
    xin = tf.constant(rng.normal(size=(4, 3)))
    w = tf.Variable(w0)

    def loss(wv):
        return tf.reduce_sum(tf.nn.softmax(tf.matmul(xin, wv)) * tf.constant([[1.0, 2.0]], tf.float64))

    with tf.GradientTape() as t:
        value = loss(w)
    g = _np(t.gradient(value, w))
    eps = 1e-6
    numeric = np.zeros_like(w0)
    for i in np.ndindex(w0.shape):
        step = np.zeros_like(w0)
        step[i] = eps
        numeric[i] = (float(loss(tf.constant(w0 + step))) - float(loss(tf.constant(w0 - step)))) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


def test_einsum_gradient():
    a = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    b = tf.Variable([[1.0, 0.0], [1.0, 1.0]])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.einsum("ij,jk->ik", a, b))
    ga, gb = t.gradient(y, [a, b])
    np.testing.assert_array_equal(_np(ga), [[1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(_np(gb), [[4.0, 4.0], [6.0, 6.0]])


def test_where_guarded_sqrt_and_reciprocal_have_zero_gradient_at_zero():
    for fn, expected in ((tf.sqrt, [0.0, 0.25]), (tf.math.reciprocal, [0.0, -0.0625])):
        x = tf.Variable([0.0, 4.0])
        with tf.GradientTape() as t:
            w = tf.where(x > 0.0, fn(x), tf.zeros_like(x))
        np.testing.assert_array_equal(_np(t.gradient(w, x)), expected)


def test_gradient_of_none_is_a_type_error():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        x * 2.0
    with pytest.raises(TypeError, match="Argument `target` should be a list or nested structure"):
        t.gradient(None, x)


def test_entering_an_active_tape_again_is_an_error():
    x = tf.Variable(2.0)
    t = tf.GradientTape()
    with t:
        with pytest.raises(ValueError, match="Tape is still recording"):
            with t:
                x * x


def test_batch_jacobian_needs_rank_two():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    with pytest.raises(ValueError, match=r"Shape \(2,\) must have rank at least 2"):
        t.batch_jacobian(y, x)


JACOBIAN_CASES = {
    "broadcast": lambda x, w: x * w[:, :1] + tf.reduce_sum(w, axis=0),
    "matmul": lambda x, w: tf.matmul(w, tf.reshape(x, (3, 1))),
    "matmul_transposed": lambda x, w: tf.matmul(tf.reshape(x, (3, 1)), w, transpose_a=True, transpose_b=True),
    "reductions": lambda x, w: tf.stack([tf.reduce_mean(w * x, axis=1), tf.reduce_max(w, axis=1)]),
    "keepdims_prod": lambda x, w: tf.reduce_prod(w * x, axis=0, keepdims=True) + tf.reduce_min(x),
    "softmax_axis0": lambda x, w: tf.nn.softmax(w * x, axis=0),
    "slices_concat": lambda x, w: tf.concat([x[1:], w[0, ::2], tf.transpose(w)[2]], axis=0),
    "tile_where": lambda x, w: tf.where(tf.tile(tf.reshape(x, (1, 3)), (2, 1)) > 1.5, w * x, -w),
    "tiled": lambda x, w: tf.tile(tf.reshape(x, (1, 3)), (2, 2)) * tf.concat([w, w], axis=1),
    "unary": lambda x, w: tf.sqrt(x) * tf.exp(-x) + tf.tanh(w) ** 2 + tf.maximum(w, x),
    "pow_both": lambda x, w: tf.pow(x, w[0]) + tf.abs(w[1] - 1.0),
    "einsum_loops": lambda x, w: tf.einsum("ij,j->i", w, x),
    "gather": lambda x, w: tf.gather(w, [1, 0, 1], axis=0) * tf.gather(x, [[2, 2, 0]]),
}


@pytest.mark.parametrize("name", sorted(JACOBIAN_CASES))
def test_batched_jacobian_equals_row_by_row(name, monkeypatch):
    fn = JACOBIAN_CASES[name]
    x = tf.Variable([0.5, 1.0, 2.0])
    w = tf.Variable([[1.0, -2.0, 0.5], [3.0, 0.25, 1.5]])

    def jacobians():
        with tf.GradientTape() as t:
            y = fn(x, w)
        return [j.numpy() for j in t.jacobian(y, [x, w])]

    batched = jacobians()
    from grader.tape import tape as tape_module
    monkeypatch.setattr(tape_module, "_BATCHED_ELEMENTS", 0)
    looped = jacobians()
    for b, r in zip(batched, looped):
        np.testing.assert_allclose(b, r, rtol=1e-6, atol=1e-7)
    # and each row is a plain gradient
    with tf.GradientTape() as t:
        y = fn(x, w)
        first = tf.reshape(y, (-1,))[0]
    gx, gw = t.gradient(first, [x, w])
    np.testing.assert_allclose(batched[0].reshape((-1,) + (3,))[0], gx.numpy(), rtol=1e-6)
    np.testing.assert_allclose(batched[1].reshape((-1, 2, 3))[0], gw.numpy(), rtol=1e-6)


def test_gradients_use_the_values_the_forward_pass_saw():
    v = tf.Variable(1.0)
    with tf.GradientTape() as t:
        y = v * v
        v.assign(3.0)
    assert float(t.gradient(y, v)) == 2.0
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t2:
        cube = tf.reduce_sum(w ** 3)
    w.assign_add([10.0, 10.0])
    np.testing.assert_array_equal(t2.gradient(cube, w).numpy(), [3.0, 12.0])
    m = tf.Variable([3.0, 1.0, 2.0])
    with tf.GradientTape() as t3:
        top = tf.reduce_max(m)
    m.assign([0.0, 5.0, 0.0])
    np.testing.assert_array_equal(t3.gradient(top, m).numpy(), [1.0, 0.0, 0.0])


def test_optimizer_step_between_gradients_of_a_persistent_tape():
    w = tf.Variable([1.0, -1.0])
    opt = tf.keras.optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape(persistent=True) as t:
        loss1 = tf.reduce_sum(w * w)
        loss2 = tf.reduce_sum(w * w * w)
    g1 = t.gradient(loss1, w)
    opt.apply_gradients([(g1, w)])
    g2 = t.gradient(loss2, w)
    np.testing.assert_array_equal(g1.numpy(), [2.0, -2.0])
    np.testing.assert_array_equal(g2.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])


def test_gather_gradient_adds_repeated_rows():
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(tf.gather(x, [0, 2, 0]) ** 2)
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * g)
    np.testing.assert_array_equal(g.numpy(), [[4.0, 8.0], [0.0, 0.0], [10.0, 12.0]])
    # d/dx sum((2 * count * x)^2) = 8 * count^2 * x
    np.testing.assert_array_equal(outer.gradient(z, x).numpy(), [[32.0, 64.0], [0.0, 0.0], [40.0, 48.0]])


def test_second_derivative_of_abs_and_relu_is_zero_not_none():
    x = tf.Variable([-1.5, 2.0])
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            a = tf.abs(x)
            r = tf.nn.relu(x)
            m = tf.maximum(x, 0.0)
        da, dr, dm = inner.gradient(a, x), inner.gradient(r, x), inner.gradient(m, x)
    np.testing.assert_array_equal(outer.gradient(da, x).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(outer.gradient(dr, x).numpy(), [0.0, 0.0])
    assert outer.gradient(dm, x) is None  # TensorFlow's maximum routes through a constant mask


def test_targets_must_be_tensors():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        z = x * 3.0
    with pytest.raises(TypeError, match="jacobian takes one target tensor"):
        t.jacobian([y, z], x)
    with pytest.raises(TypeError, match="must be a tf.Tensor or tf.Variable"):
        t.gradient(np.ones(2), x)
    with pytest.raises(TypeError, match="must be a tf.Tensor or tf.Variable"):
        t.gradient(1.0, x)
