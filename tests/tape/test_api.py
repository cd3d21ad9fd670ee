"""The engine's public API outside the tape: dtypes, printing, shapes, indexing, errors,
Module, optimizers, losses. Expected values are what TensorFlow 2.21 gives."""

from __future__ import annotations

import numpy as np
import pytest

import grader.tape as tf


# -- dtypes -----------------------------------------------------------------------------
def test_python_values_take_tensorflows_default_dtypes():
    assert tf.constant(1.5).dtype is tf.float32
    assert tf.constant(3).dtype is tf.int32
    assert tf.constant(True).dtype is tf.bool
    assert tf.constant([1, 2.5]).dtype is tf.float32
    assert tf.constant(2 ** 40).dtype is tf.int64


def test_numpy_values_keep_their_dtype():
    assert tf.constant(np.array([1.0, 2.0])).dtype is tf.float64
    assert tf.constant(np.float64(2.5)).dtype is tf.float64
    assert tf.convert_to_tensor(np.arange(3, dtype=np.int64)).dtype is tf.int64


def test_dtype_objects():
    assert tf.float32.name == "float32" and tf.float32.is_floating and not tf.float32.is_integer
    assert tf.int64.is_integer and not tf.int64.is_floating
    assert tf.float16.as_numpy_dtype is np.float16
    assert tf.as_dtype("float64") is tf.float64
    assert tf.as_dtype(np.int32) is tf.int32
    assert tf.float32 == np.float32 and tf.float32 != tf.float64
    assert repr(tf.float32) == "tf.float32" and str(tf.int32) == "<dtype: 'int32'>"
    with pytest.raises(TypeError):
        tf.as_dtype("complex512")


def test_explicit_dtype_converts_python_values_exactly():
    assert tf.constant(0.1, dtype=tf.float64).numpy() == 0.1
    assert tf.constant([1, 2], dtype=tf.float32).numpy().dtype == np.float32
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.constant(2.5, dtype=tf.int32)


def test_mixed_tensor_dtypes_raise_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.constant(1.0) + tf.constant(1.0, dtype=tf.float64)
    message = str(info.value)
    assert message.startswith("cannot compute AddV2 as input #1(zero-based) was expected to be a float tensor "
                              "but is a double tensor")
    assert "float32" in message and "float64" in message and message.endswith("[Op:AddV2] name: ")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Mul"):
        tf.multiply(tf.constant([1.0, 2.0]), tf.constant([1, 2]))


def test_python_scalars_take_the_tensors_dtype():
    assert (tf.constant(2.0, tf.float64) * 3).dtype is tf.float64
    assert (2 * tf.constant(3)).dtype is tf.int32
    assert (tf.constant(1.0) + np.float64(2.0)).dtype is tf.float32
    with pytest.raises(TypeError, match="Cannot convert 0.5 to EagerTensor of dtype int32"):
        tf.constant([1, 2]) * 0.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a int32 tensor but is a float"):
        tf.constant([1, 2]) + 0.5


def test_integer_division_follows_tensorflow():
    assert tf.divide(tf.constant(1), tf.constant(2)).dtype is tf.float64
    assert float(tf.constant(1) / tf.constant(2)) == 0.5
    assert int(tf.constant(7) // 2) == 3
    assert int(tf.constant(-7) % 3) == 2


# -- printing ------------------------------------------------------------------------------
def test_printed_forms_match_tensorflow():
    assert str(tf.constant(47.0)) == "tf.Tensor(47.0, shape=(), dtype=float32)"
    assert repr(tf.constant(47.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=47.0>"
    assert str(tf.constant([1.0, 1.0])) == "tf.Tensor([1. 1.], shape=(2,), dtype=float32)"
    assert repr(tf.constant([1.0, 1.0])) == ("<tf.Tensor: shape=(2,), dtype=float32, "
                                             "numpy=array([1., 1.], dtype=float32)>")
    assert repr(tf.ones((2, 3))) == ("<tf.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
                                     "array([[1., 1., 1.],\n       [1., 1., 1.]], dtype=float32)>")
    assert repr(tf.constant(3)) == "<tf.Tensor: shape=(), dtype=int32, numpy=3>"
    assert repr(tf.constant(True)) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"
    assert repr(tf.constant(0.1)) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>"
    assert str(tf.constant(0.1, tf.float64)) == "tf.Tensor(0.1, shape=(), dtype=float64)"


def test_variable_printed_forms():
    assert repr(tf.Variable(3.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"
    assert str(tf.Variable([[1.0, 2.0]], name="w")) == (
        "<tf.Variable 'w:0' shape=(1, 2) dtype=float32, numpy=array([[1., 2.]], dtype=float32)>")
    assert tf.Variable(1.0, name="w").name == "w:0"


def test_f_strings_format_the_value():
    assert f"{tf.constant(9.0)}" == "9.0"
    assert f"{tf.constant(2.0):.3f}" == "2.000"


def test_tf_print_writes_plain_values_to_stderr(capsys):
    tf.print(tf.constant(47.0), tf.constant([1.0, 2.5]))
    assert capsys.readouterr().err == "47 [1 2.5]\n"


# -- shapes and indexing -----------------------------------------------------------------------
def test_shape_object():
    s = tf.ones((2, 3)).shape
    assert s == (2, 3) and s == [2, 3] and s != (3, 2)
    assert str(s) == "(2, 3)" and repr(s) == "TensorShape([2, 3])"
    assert s.as_list() == [2, 3] and len(s) == 2 and s[0] == 2 and s.rank == 2
    assert str(tf.constant([1.0]).shape) == "(1,)" and str(tf.constant(1.0).shape) == "()"
    assert tf.ones((2, 3)).ndim == 2


def test_shape_queries_return_int32_tensors():
    x = tf.ones((2, 3))
    np.testing.assert_array_equal(tf.shape(x).numpy(), [2, 3])
    assert tf.shape(x).dtype is tf.int32
    assert int(tf.size(x)) == 6 and int(tf.rank(x)) == 2


def test_indexing():
    x = tf.reshape(tf.range(12.0), (3, 4))
    np.testing.assert_array_equal(x[1].numpy(), [4.0, 5.0, 6.0, 7.0])
    np.testing.assert_array_equal(x[:, 1].numpy(), [1.0, 5.0, 9.0])
    np.testing.assert_array_equal(x[..., -1].numpy(), [3.0, 7.0, 11.0])
    assert x[:, tf.newaxis].shape == (3, 1, 4)
    assert float(x[2, 3]) == 11.0
    assert float(x[tf.constant(1), 0]) == 4.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        x[5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Attempting to slice scalar input"):
        tf.constant(2.0)[0]


def test_python_protocol():
    v = tf.constant([1.0, 2.0])
    assert len(v) == 2
    assert [float(t) for t in v] == [1.0, 2.0]
    assert np.asarray(v).dtype == np.float32
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(3)) == 3 and bool(tf.constant(True))
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(tf.constant(2.0))
    with pytest.raises(TypeError):
        float(tf.constant([2.0, 1.0]))
    with pytest.raises(TypeError, match="unhashable"):
        {tf.constant(1.0): 1}


def test_operators_and_comparisons():
    a = tf.constant([1.0, 2.0])
    b = tf.constant([3.0, 4.0])
    np.testing.assert_array_equal((a + b).numpy(), [4.0, 6.0])
    np.testing.assert_array_equal((a - b).numpy(), [-2.0, -2.0])
    np.testing.assert_array_equal((a * b).numpy(), [3.0, 8.0])
    np.testing.assert_array_equal((b / a).numpy(), [3.0, 2.0])
    np.testing.assert_array_equal((a ** 2).numpy(), [1.0, 4.0])
    np.testing.assert_array_equal((-a).numpy(), [-1.0, -2.0])
    np.testing.assert_array_equal(abs(-a).numpy(), [1.0, 2.0])
    assert (a < b).dtype is tf.bool
    np.testing.assert_array_equal((a == 1.0).numpy(), [True, False])
    assert (a == None) is False  # noqa: E711 - TensorFlow's behaviour is the point
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((m @ m).numpy(), [[7.0, 10.0], [15.0, 22.0]])
    np.testing.assert_array_equal((np.array([2.0, 2.0]) * a).numpy(), [2.0, 4.0])
    assert isinstance(np.array([2.0, 2.0]) * a, tf.Tensor)


def test_creation_ops():
    np.testing.assert_array_equal(tf.range(5).numpy(), np.arange(5, dtype=np.int32))
    assert tf.range(5).dtype is tf.int32 and tf.range(0.0, 1.0, 0.25).dtype is tf.float32
    np.testing.assert_allclose(tf.linspace(0.0, 1.0, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(tf.eye(2).numpy(), np.eye(2))
    assert tf.fill((2,), 3).dtype is tf.int32
    assert tf.zeros(3).dtype is tf.float32 and tf.zeros((2,), dtype=tf.int32).dtype is tf.int32
    assert tf.zeros_like(tf.constant([1, 2])).dtype is tf.int32
    np.testing.assert_array_equal(tf.ones_like(tf.zeros((2, 2))).numpy(), np.ones((2, 2)))
    np.testing.assert_array_equal(tf.concat([tf.ones((1, 2)), tf.zeros((1, 2))], 0).numpy(), [[1, 1], [0, 0]])
    np.testing.assert_array_equal(tf.stack([1.0, 2.0]).numpy(), [1.0, 2.0])
    assert tf.expand_dims(tf.ones(3), 0).shape == (1, 3)
    assert tf.squeeze(tf.ones((1, 3, 1))).shape == (3,)
    assert tf.transpose(tf.ones((2, 3))).shape == (3, 2)
    np.testing.assert_array_equal(tf.cast(tf.constant([1.7, -1.7]), tf.int32).numpy(), [1, -1])
    np.testing.assert_array_equal(tf.reshape(tf.range(6), (2, -1)).numpy(), [[0, 1, 2], [3, 4, 5]])


def test_reductions_values():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(tf.reduce_sum(x)) == 10.0
    np.testing.assert_array_equal(tf.reduce_sum(x, axis=0).numpy(), [4.0, 6.0])
    assert tf.reduce_sum(x, axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_array_equal(tf.reduce_mean(x, axis=[0, 1]).numpy(), 2.5)
    assert float(tf.reduce_max(x)) == 4.0 and float(tf.reduce_min(x)) == 1.0
    assert float(tf.reduce_prod(x)) == 24.0
    assert int(tf.reduce_mean(tf.constant([1, 2]))) == 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dimension"):
        tf.reduce_sum(x, axis=2)


def test_math_values():
    x = tf.constant([0.5, 1.0, 2.0])
    np.testing.assert_allclose(tf.sqrt(x).numpy(), np.sqrt([0.5, 1.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(tf.math.log(x).numpy(), np.log([0.5, 1.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(tf.math.sigmoid(x).numpy(), 1 / (1 + np.exp(-np.array([0.5, 1.0, 2.0]))), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softmax(x).numpy().sum(), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(tf.nn.relu(x - 1.0).numpy(), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(tf.where(tf.constant([True, False]), 1.0, 2.0).numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(tf.einsum("ij,jk->ik", tf.ones((2, 3)), tf.ones((3, 2))).numpy(),
                                  np.full((2, 2), 3.0))
    np.testing.assert_allclose(tf.math.softplus(tf.constant(0.0)).numpy(), np.log(2.0), rtol=1e-6)


def test_invalid_arguments_raise_tensorflows_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[2,3\]"):
        tf.matmul(tf.ones((2, 3)), tf.ones((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="ndims must be >= 2"):
        tf.constant([1.0, 2.0]) @ tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Sqrt\]"):
        tf.sqrt(tf.constant(4))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input to reshape is a tensor with 6 values"):
        tf.reshape(tf.ones((2, 3)), (4,))
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)


def test_variable_assignment():
    v = tf.Variable(2.0)
    unread = v.assign(3.0)  # TensorFlow's _UnreadVariable: the same variable, printed apart
    assert float(v) == 3.0 and repr(unread).startswith("<tf.Variable 'UnreadVariable' shape=()")
    unread.assign(4.0)
    assert float(v) == 4.0 and float(unread) == 4.0 and unread.name == "UnreadVariable"
    v.assign(3.0)
    v.assign_add(1.0)
    v.assign_sub(0.5)
    assert float(v) == 3.5
    assert v.trainable and not tf.Variable(1.0, trainable=False).trainable
    assert float(v.read_value()) == 3.5 and type(v.read_value()) is tf.Tensor
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype float64"):
        v.assign(tf.constant(3.0, tf.float64))
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([3.0])
    assert float(tf.Variable(2.0) + 1) == 3.0


def test_random_is_seeded_and_typed():
    tf.random.set_seed(7)
    a = tf.random.normal((3,))
    tf.random.set_seed(7)
    b = tf.random.normal((3,))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype is tf.float32
    u = tf.random.uniform((1000,), minval=2.0, maxval=3.0)
    assert 2.0 <= float(tf.reduce_min(u)) and float(tf.reduce_max(u)) < 3.0


# -- Module ---------------------------------------------------------------------------------
class Inner(tf.Module):
    def __init__(self):
        super().__init__()
        self.k = tf.Variable(5.0)


class Model(tf.Module):
    def __init__(self):
        super().__init__(name="model")
        self.w = tf.Variable(2.0)
        self.b = tf.Variable(1.0)
        self.frozen = tf.Variable(0.0, trainable=False)
        self.layers = [Inner(), {"z": tf.Variable(3.0), "a": tf.Variable(4.0)}]


def test_module_finds_variables_in_sorted_attribute_order():
    m = Model()
    # attributes sorted by name: b, frozen, layers (Inner first found, then dict by key a, z), w; then Inner's k
    assert [float(v) for v in m.variables] == [1.0, 0.0, 4.0, 3.0, 2.0, 5.0]
    assert [float(v) for v in m.trainable_variables] == [1.0, 4.0, 3.0, 2.0, 5.0]
    assert isinstance(m.trainable_variables, tuple)
    assert m.name == "model" and Inner().name == "inner"
    assert len(m.submodules) == 1 and isinstance(m.submodules[0], Inner)


def test_module_without_super_init_still_works():
    class LinearModel(tf.Module):
        def __init__(self):
            self.w = tf.Variable(2.0)

    m = LinearModel()
    assert m.name == "linear_model" and len(m.trainable_variables) == 1


# -- optimizers and losses ------------------------------------------------------------------------
def test_sgd_skips_none_gradients_with_keras_warning():
    v1, v2 = tf.Variable(1.0), tf.Variable(2.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.01)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients(zip([None, tf.constant(1.0)], [v1, v2]))
    assert float(v1) == 1.0 and v2.numpy() == np.float32(2.0) - np.float32(0.01)
    assert int(opt.iterations.numpy()) == 1 and opt.iterations.dtype == tf.int64  # a Keras variable: dtype "int64"
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        opt.apply_gradients(zip([None], [v1]))


def test_adam_defaults_and_first_step():
    opt = tf.keras.optimizers.Adam()
    assert (opt.beta_1, opt.beta_2, opt.epsilon) == (0.9, 0.999, 1e-7)
    assert float(opt.learning_rate) == 0.0010000000474974513  # a float32 variable, as in Keras 3
    v = tf.Variable(1.0)
    opt.apply_gradients([(tf.constant(0.5), v)])
    # the first Adam step moves by about lr, whatever the gradient's size
    assert float(v) == pytest.approx(1.0 - 0.001, abs=1e-6)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5


def test_sgd_momentum_two_steps():
    v = tf.Variable(1.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.apply_gradients([(tf.constant(1.0), v)])
    opt.apply_gradients([(tf.constant(1.0), v)])
    # m1 = -0.1, v = 0.9; m2 = 0.9 * -0.1 - 0.1 = -0.19, v = 0.71
    assert float(v) == pytest.approx(0.71, abs=1e-6)


def test_minimize_with_a_callable_loss():
    v = tf.Variable(3.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.25)
    opt.minimize(lambda: v * v, [v])
    assert float(v) == 1.5


def test_mean_squared_error():
    mse = tf.keras.losses.MeanSquaredError()
    assert float(mse(tf.constant([1.0, 2.0]), tf.constant([2.0, 4.0]))) == 2.5
    assert float(mse(tf.constant([[1.0, 2.0], [0.0, 0.0]]), tf.constant([[2.0, 4.0], [1.0, 1.0]]))) == 1.75
    assert float(mse([1, 2], tf.constant([2.0, 3.0]))) == 1.0
    assert mse(tf.constant([1.0]), tf.constant([2.0])).dtype is tf.float32


def test_integer_source_logs_tensorflows_warning_and_has_no_gradient(capfd):
    n = tf.constant(3)
    with tf.GradientTape() as t:
        t.watch(n)
        y = n * n
    assert t.gradient(y, n) is None
    err = capfd.readouterr().err
    assert "WARNING:tensorflow:The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32" in err


def test_watching_a_python_float_is_a_value_error():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError, match="Passed in object 3.0 of type 'float', not tf.Tensor or tf.Variable"):
            t.watch(3.0)


def test_function_decorator_is_eager():
    @tf.function
    def f(x):
        return x * 2

    assert float(f(tf.constant(2.0))) == 4.0


def test_integer_division_by_zero_is_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorDiv\]"):
        tf.constant(1) // tf.constant(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Integer division by zero \[Op:FloorMod\]"):
        tf.constant([7]) % tf.constant([0])
    assert float(tf.constant(1.0) // tf.constant(0.0)) == float("inf")


def test_mean_squared_error_computes_in_float32():
    mse = tf.keras.losses.MeanSquaredError()
    a = mse(tf.constant([1, 2]), tf.constant([1.5, 2.5]))
    d = mse(tf.constant([1.0], dtype=tf.float64), tf.constant([3.0], dtype=tf.float64))
    assert repr(a) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.25>"
    assert repr(d) == "<tf.Tensor: shape=(), dtype=float32, numpy=4.0>"


def test_range_direction_errors_and_len_of_variable():
    np.testing.assert_array_equal(tf.range(5, 0, -2).numpy(), [5, 3, 1])
    assert tf.range(0).shape == (0,)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 0/-3"):
        tf.range(-3)
    with pytest.raises(TypeError, match="has no len"):
        len(tf.Variable([1.0, 2.0]))


def test_bool_arithmetic_and_bad_perm_are_invalid_arguments():
    with pytest.raises(tf.errors.InvalidArgumentError, match="of bool is not in the list"):
        tf.constant(True) + tf.constant(True)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Neg\]"):
        -tf.constant(True)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"1 is missing from \{0,0\}"):
        tf.transpose(tf.ones((2, 3)), perm=[0, 0])


def test_reads_of_a_variable_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    converted, plus, ident = tf.convert_to_tensor(v), +v, tf.identity(v)
    v.assign([5.0, 6.0])
    for t in (converted, plus, ident):
        assert type(t) is tf.Tensor
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_float_range_is_computed_in_float32():
    assert tf.range(0, 1, 0.1).numpy()[-1].item() == 0.9000000357627869
    assert tf.range(-1.0, 1.0, 0.15).numpy()[3].item() == -0.5499999523162842


def test_empty_reductions_follow_tensorflow():
    e = tf.zeros((0,))
    assert float(tf.reduce_max(e)) == -np.inf and float(tf.reduce_min(e)) == np.inf
    assert np.isnan(float(tf.reduce_mean(e)))
    assert float(tf.reduce_sum(e)) == 0.0 and float(tf.reduce_prod(e)) == 1.0


def test_boolean_mask_indexing_and_its_gradient():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        picked = x[tf.constant([True, False, True])]
        y = tf.reduce_sum(picked * picked)
    np.testing.assert_array_equal(picked.numpy(), [1.0, 3.0])
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [2.0, 0.0, 6.0])


def test_gather_one_hot_norm_and_linalg():
    np.testing.assert_array_equal(tf.gather(tf.constant([10, 20, 30]), [2, 0]).numpy(), [30, 10])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices = 3 is not in \[0, 3\)"):
        tf.gather(tf.constant([10, 20, 30]), [3])
    np.testing.assert_array_equal(tf.one_hot([0, 2], 3).numpy(), [[1, 0, 0], [0, 0, 1]])
    assert float(tf.norm(tf.constant([3.0, 4.0]))) == 5.0
    assert float(tf.linalg.trace(tf.eye(3))) == 3.0
    np.testing.assert_array_equal(tf.linalg.matmul(tf.eye(2), tf.ones((2, 1))).numpy(), [[1.0], [1.0]])
    np.testing.assert_array_equal(tf.math.matmul(tf.eye(2), tf.ones((2, 1))).numpy(), [[1.0], [1.0]])


def test_in_place_operators_on_a_variable_are_refused():
    w = tf.Variable(1.0)
    with pytest.raises(RuntimeError, match=r"`variable -= value` with `tf.Variable`s is not supported. "
                                            r"Use `variable.assign_sub\(value\)`"):
        w -= 0.1 * tf.constant(0.5)
    for statement in ("w += 1.0", "w *= 2.0", "w /= 2.0", "w **= 2.0"):
        with pytest.raises(RuntimeError, match="with `tf.Variable`s is not supported"):
            exec(statement, {"w": w})
    assert float(w) == 1.0
    t = tf.constant(1.0)
    t += 1.0  # a Tensor rebinds, as in TensorFlow
    assert float(t) == 2.0


def test_conversion_corners_follow_tensorflow():
    with pytest.raises(ValueError):
        tf.constant([tf.constant(1.0), tf.constant(2.0)])
    assert tf.constant(tf.Variable(1.0), dtype=tf.float64).dtype is tf.float64
    assert int(tf.constant(tf.Variable(1.5), dtype=tf.int32)) == 1
    with pytest.raises(TypeError, match="Expected tensor"):
        tf.constant(tf.constant(1.0), dtype=tf.float64)
    with pytest.raises(ValueError, match="initial_value: Tensor conversion requested dtype float64"):
        tf.Variable(tf.constant(1.0), dtype=tf.float64)
    with pytest.raises(ValueError, match="Incompatible type conversion requested to type float64"):
        tf.Variable(tf.Variable(1.0), dtype=tf.float64)
    np.testing.assert_array_equal(tf.convert_to_tensor([[tf.constant(1.0)], [2.0]]).numpy(), [[1.0], [2.0]])
    assert f"{tf.constant(3.14159):.2f}" == "3.14"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{tf.Variable(3.14159):.2f}"


def test_float32_math_prints_tensorflows_digits():
    # TensorFlow's values, measured with tensorflow-cpu 2.21 (small tensors use the C
    # library, tanh Eigen's rational interpolant at every size).
    assert str(tf.exp(tf.constant(1.0))) == "tf.Tensor(2.7182817, shape=(), dtype=float32)"
    assert str(tf.math.sigmoid(tf.constant(2.0))) == "tf.Tensor(0.8807971, shape=(), dtype=float32)"
    assert repr(tf.tanh(tf.constant([0.5, 1.0, 2.0]))) == (
        "<tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.46211714, 0.7615942 , 0.9640276 ], dtype=float32)>")
    assert repr(tf.math.softplus(tf.constant([0.5, 1.0, 2.0]))) == (
        "<tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.974077 , 1.3132616, 2.126928 ], dtype=float32)>")
    assert float(tf.math.sigmoid(tf.constant(100.0))) == 1.0
    assert float(tf.tanh(tf.constant(20.0))) == 1.0


def test_negative_zero_conversion_follows_tensorflow():
    assert str(tf.constant(-0.0)) == "tf.Tensor(0.0, shape=(), dtype=float32)"
    assert repr(tf.constant(-0.0, dtype=tf.float64)) == "<tf.Tensor: shape=(), dtype=float64, numpy=0.0>"
    assert str(tf.constant([1.0, -0.0])) == "tf.Tensor([ 1. -0.], shape=(2,), dtype=float32)"


def test_optimizer_updates_never_change_other_tensors():
    source = tf.constant([1.0, 2.0])
    v = tf.Variable(source)
    held = v.numpy()
    view = np.asarray(v)
    snapshot = tf.identity(v)
    for opt in (tf.keras.optimizers.SGD(0.5), tf.keras.optimizers.SGD(0.5, momentum=0.9), tf.keras.optimizers.Adam(0.5)):
        opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
    np.testing.assert_array_equal(source.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(held, [1.0, 2.0])
    np.testing.assert_array_equal(view, [1.0, 2.0])
    np.testing.assert_array_equal(snapshot.numpy(), [1.0, 2.0])
    assert float(v[0]) < 0.0
