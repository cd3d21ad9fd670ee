"""Every differentiable op of the tape engine against central finite differences.

First and second order (nested tapes), float64, binary ops over every pair of the
broadcast shapes (), (4,), (3,4), (1,4), (3,1).  Inputs are drawn away from kinks
and outside the domain edges so the finite differences are meaningful.

Run against real TensorFlow to validate the tests themselves:
``TAPE_UNDER_TEST=tensorflow pytest tests/tape/test_gradcheck.py``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradcheck_util import check_grads, module_under_test

tf = module_under_test()

SHAPES = [(), (4,), (3, 4), (1, 4), (3, 1)]
SHAPE_PAIRS = list(itertools.product(SHAPES, SHAPES))
HYPOTHESIS = settings(max_examples=15, derandomize=True, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


def draw(shape, low=-2.0, high=2.0, seed=0, away_from_zero=0.0):
    """Uniform values in [low, high], at least ``away_from_zero`` from 0 (signs kept)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=shape)
    if away_from_zero:
        sign = np.where(x < 0, -1.0, 1.0)
        x = sign * np.maximum(np.abs(x), away_from_zero)
    return np.asarray(x, dtype=np.float64)


def draw_apart(shape_x, shape_y, seed=0, gap=0.2):
    """Two arrays whose broadcast elements differ by at least ``gap`` (no ties)."""
    x = draw(shape_x, seed=seed)
    y = draw(shape_y, seed=seed + 1)
    close = np.abs(np.broadcast_to(x, np.broadcast_shapes(x.shape, y.shape)) - y) < gap
    for attempt in range(100):
        if not close.any():
            return x, y
        y = draw(shape_y, seed=seed + 2 + attempt)
        close = np.abs(x - y) < gap
    raise AssertionError("could not draw tie-free inputs")


def distinct(shape, seed=0):
    """Values spaced at least 0.1 apart, in random order (no ties for max/min)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.3 - 1.0 + rng.uniform(0, 0.1, n)).reshape(shape)


# --- binary ops, every broadcast pair ---------------------------------------------

BINARY = {
    "add": (lambda x, y: tf.add(x, y), "any"),
    "subtract": (lambda x, y: tf.subtract(x, y), "any"),
    "multiply": (lambda x, y: tf.multiply(x, y), "any"),
    "divide": (lambda x, y: tf.divide(x, y), "denominator"),
    "pow": (lambda x, y: tf.pow(x, y), "positive_base"),
    "maximum": (lambda x, y: tf.maximum(x, y), "apart"),
    "minimum": (lambda x, y: tf.minimum(x, y), "apart"),
    "math.add": (lambda x, y: tf.math.add(x, y), "any"),
    "math.subtract": (lambda x, y: tf.math.subtract(x, y), "any"),
    "math.multiply": (lambda x, y: tf.math.multiply(x, y), "any"),
    "math.divide": (lambda x, y: tf.math.divide(x, y), "denominator"),
    "math.pow": (lambda x, y: tf.math.pow(x, y), "positive_base"),
    "math.maximum": (lambda x, y: tf.math.maximum(x, y), "apart"),
    "math.minimum": (lambda x, y: tf.math.minimum(x, y), "apart"),
    "operator +": (lambda x, y: x + y, "any"),
    "operator -": (lambda x, y: x - y, "any"),
    "operator *": (lambda x, y: x * y, "any"),
    "operator /": (lambda x, y: x / y, "denominator"),
    "operator **": (lambda x, y: x ** y, "positive_base"),
}


def binary_inputs(domain, shape_x, shape_y, seed):
    if domain == "any":
        return draw(shape_x, seed=seed), draw(shape_y, seed=seed + 1)
    if domain == "denominator":
        return draw(shape_x, seed=seed), draw(shape_y, seed=seed + 1, away_from_zero=0.5)
    if domain == "positive_base":
        return draw(shape_x, 0.5, 2.0, seed=seed), draw(shape_y, seed=seed + 1)
    return draw_apart(shape_x, shape_y, seed=seed)


@pytest.mark.parametrize("shape_x,shape_y", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_op_broadcast(op, shape_x, shape_y):
    fun, domain = BINARY[op]
    x, y = binary_inputs(domain, shape_x, shape_y, seed=len(shape_x) * 7 + len(shape_y))
    check_grads(tf, fun, x, y)


# --- Python scalars mixed with tensors (reflected operators) ---------------------

SCALAR_MIXED = {
    "2.5 + x": lambda x: 2.5 + x,
    "x + 2.5": lambda x: x + 2.5,
    "2.5 - x": lambda x: 2.5 - x,
    "x - 2.5": lambda x: x - 2.5,
    "2.5 * x": lambda x: 2.5 * x,
    "x * 2.5": lambda x: x * 2.5,
    "2.5 / x": lambda x: 2.5 / x,
    "x / 2.5": lambda x: x / 2.5,
    "x ** 3": lambda x: x ** 3,
    "x ** 2.5": lambda x: x ** 2.5,
    "x ** -1.5": lambda x: x ** -1.5,
    "2.0 ** x": lambda x: 2.0 ** x,
    "-x": lambda x: -x,
    "abs(x)": lambda x: abs(x),
    "x*x + 3*x - 1": lambda x: x * x + 3 * x - 1,
    "2x^3+5x^2+3x": lambda x: 2 * x ** 3 + 5 * x ** 2 + 3 * x,
}


@pytest.mark.parametrize("shape", [(), (3, 4)], ids=str)
@pytest.mark.parametrize("expr", sorted(SCALAR_MIXED))
def test_python_scalar_operators(expr, shape):
    x = draw(shape, 0.5, 2.0, seed=3)  # positive: x ** 2.5 and 2.5 / x are smooth there
    check_grads(tf, SCALAR_MIXED[expr], x)


# --- unary element-wise ops --------------------------------------------------------

UNARY = {
    "square": (lambda x: tf.square(x), {}),
    "sqrt": (lambda x: tf.sqrt(x), {"low": 0.3, "high": 3.0}),
    "exp": (lambda x: tf.exp(x), {}),
    "sin": (lambda x: tf.sin(x), {}),
    "cos": (lambda x: tf.cos(x), {}),
    "tanh": (lambda x: tf.tanh(x), {}),
    "abs": (lambda x: tf.abs(x), {"away_from_zero": 0.2}),
    "negative": (lambda x: tf.negative(x), {}),
    "sigmoid": (lambda x: tf.sigmoid(x), {}),
    "identity": (lambda x: tf.identity(x), {}),
    "math.square": (lambda x: tf.math.square(x), {}),
    "math.sqrt": (lambda x: tf.math.sqrt(x), {"low": 0.3, "high": 3.0}),
    "math.exp": (lambda x: tf.math.exp(x), {}),
    "math.sin": (lambda x: tf.math.sin(x), {}),
    "math.cos": (lambda x: tf.math.cos(x), {}),
    "math.tanh": (lambda x: tf.math.tanh(x), {}),
    "math.abs": (lambda x: tf.math.abs(x), {"away_from_zero": 0.2}),
    "math.negative": (lambda x: tf.math.negative(x), {}),
    "math.log": (lambda x: tf.math.log(x), {"low": 0.3, "high": 3.0}),
    "math.sigmoid": (lambda x: tf.math.sigmoid(x), {}),
    "math.tan": (lambda x: tf.math.tan(x), {"low": -1.2, "high": 1.2}),
    "math.log1p": (lambda x: tf.math.log1p(x), {"low": -0.6, "high": 2.0}),
    "math.reciprocal": (lambda x: tf.math.reciprocal(x), {"away_from_zero": 0.4}),
    "math.softplus": (lambda x: tf.math.softplus(x), {}),
    "nn.relu": (lambda x: tf.nn.relu(x), {"away_from_zero": 0.2}),
    "nn.sigmoid": (lambda x: tf.nn.sigmoid(x), {}),
    "nn.tanh": (lambda x: tf.nn.tanh(x), {}),
    "nn.softmax": (lambda x: tf.nn.softmax(x), {}),
    "nn.softmax axis=0": (lambda x: tf.nn.softmax(x, axis=0), {}),
}


UNARY_CASES = [(op, shape) for op in sorted(UNARY) for shape in [(), (4,), (3, 4)]
               if not (op.startswith("nn.softmax") and shape == ())]  # softmax needs an axis


@pytest.mark.parametrize("op,shape", UNARY_CASES, ids=str)
def test_unary_op(op, shape):
    fun, domain = UNARY[op]
    check_grads(tf, fun, draw(shape, seed=11, **domain))


def test_relu_second_derivative_is_zero_not_missing():
    """relu is piecewise linear: its Hessian is zero wherever it is defined."""
    check_grads(tf, lambda x: tf.nn.relu(x) * tf.nn.relu(x), draw((3, 4), seed=5,
                                                                 away_from_zero=0.2))


# --- reductions --------------------------------------------------------------------

REDUCTIONS = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"]
AXES_2D = [None, 0, 1, -1, [0], [1], [0, 1], [-1, 0]]


def reduction_input(name, shape, seed=0):
    if name in ("reduce_max", "reduce_min"):
        return distinct(shape, seed=seed)
    if name == "reduce_prod":
        return draw(shape, 0.5, 1.5, seed=seed) * np.where(draw(shape, seed=seed + 9) < 0, -1, 1)
    return draw(shape, seed=seed)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES_2D, ids=str)
@pytest.mark.parametrize("namespace", ["tf", "tf.math"])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_2d(name, namespace, axis, keepdims):
    op = getattr(tf if namespace == "tf" else tf.math, name)
    x = reduction_input(name, (3, 4), seed=2)
    check_grads(tf, lambda x: op(x, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_default_axis_and_scalar_input(name):
    op = getattr(tf, name)
    check_grads(tf, lambda x: op(x), reduction_input(name, (2, 3), seed=4))
    check_grads(tf, lambda x: op(x), reduction_input(name, (), seed=4))


@given(data=st.data())
@HYPOTHESIS
def test_reduction_random_rank_axes(data):
    """Random shapes up to rank 3, random axis subsets (as int or list), keepdims."""
    name = data.draw(st.sampled_from(REDUCTIONS), label="op")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
                      label="shape")
    rank = len(shape)
    axes = data.draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank,
                              unique_by=lambda a: a % rank), label="axes")
    axis = axes[0] if len(axes) == 1 and data.draw(st.booleans(), label="as int") else axes
    keepdims = data.draw(st.booleans(), label="keepdims")
    x = reduction_input(name, shape, seed=len(shape))
    check_grads(tf, lambda x: getattr(tf, name)(x, axis=axis, keepdims=keepdims), x)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "subtract", "multiply", "divide"]))
@HYPOTHESIS
def test_binary_random_broadcast_shapes(shapes, op):
    shape_x, shape_y = shapes.input_shapes
    x = draw(shape_x, seed=1)
    y = draw(shape_y, seed=2, away_from_zero=0.5)
    check_grads(tf, lambda a, b: getattr(tf, op)(a, b), x, y)


# --- matmul and einsum -------------------------------------------------------------

MATMUL_SHAPES = [((3, 4), (4, 2)), ((1, 1), (1, 1)), ((2, 3, 4), (2, 4, 5)),
                 ((2, 3, 4), (4, 5))]


@pytest.mark.parametrize("shape_a,shape_b", MATMUL_SHAPES, ids=str)
def test_matmul(shape_a, shape_b):
    a, b = draw(shape_a, seed=1), draw(shape_b, seed=2)
    check_grads(tf, lambda a, b: tf.matmul(a, b), a, b)
    check_grads(tf, lambda a, b: a @ b, a, b)


def test_matmul_chain_with_shared_operand():
    """A used twice: gradients from both uses must accumulate."""
    a = draw((3, 3), seed=1)
    check_grads(tf, lambda a: tf.matmul(tf.matmul(a, a), tf.tanh(a)), a)


EINSUM = [("ij,jk->ik", (3, 4), (4, 2)), ("ij,ij->", (3, 4), (3, 4)), ("i,i->", (4,), (4,)),
          ("ij,kj->ik", (3, 4), (2, 4)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
          ("i,j->ij", (3,), (4,)), ("ij,j->i", (3, 4), (4,)), ("ij,ij->ij", (3, 4), (3, 4)),
          ("ij,jk->ki", (3, 4), (4, 2)), ("ij,ik->jk", (3, 4), (3, 2))]


@pytest.mark.parametrize("equation,shape_a,shape_b", EINSUM, ids=str)
def test_einsum_two_operands(equation, shape_a, shape_b):
    a, b = draw(shape_a, seed=1), draw(shape_b, seed=2)
    check_grads(tf, lambda a, b: tf.einsum(equation, a, b), a, b)


# --- where -------------------------------------------------------------------------

WHERE_SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 1), (4,)), ((4,), (3, 4), ()),
                ((), (3, 4), (3, 4))]


@pytest.mark.parametrize("shape_c,shape_x,shape_y", WHERE_SHAPES, ids=str)
def test_where(shape_c, shape_x, shape_y):
    cond = tf.constant(draw(shape_c, seed=8) > 0)
    x, y = draw(shape_x, seed=1), draw(shape_y, seed=2)
    check_grads(tf, lambda x, y: tf.where(cond, x * x, tf.sin(y)), x, y)


# --- shape manipulation ------------------------------------------------------------

SHAPE_OPS = {
    "reshape (12,)": ((3, 4), lambda x: tf.reshape(x, (12,))),
    "reshape [2,-1]": ((3, 4), lambda x: tf.reshape(x, [2, -1]) ** 2),
    "reshape scalar": ((1, 1), lambda x: tf.reshape(x, [])),
    "transpose": ((3, 4), lambda x: tf.transpose(x) ** 2),
    "transpose perm": ((2, 3, 4), lambda x: tf.transpose(x, perm=[1, 2, 0]) * x[0, 0, 0]),
    "expand_dims 0": ((3, 4), lambda x: tf.expand_dims(x, 0) ** 2),
    "expand_dims -1": ((4,), lambda x: tf.expand_dims(x, -1) * x),
    "squeeze": ((1, 4, 1), lambda x: tf.squeeze(x) ** 2),
    "squeeze axis": ((1, 4, 1), lambda x: tf.squeeze(x, axis=[2]) ** 2),
    "squeeze axis int": ((1, 4, 1), lambda x: tf.squeeze(x, 0) ** 2),
    "identity": ((3, 4), lambda x: tf.identity(x) * x),
    "index int": ((3, 4), lambda x: x[1] ** 2),
    "index negative": ((3, 4), lambda x: x[-1] * x[0]),
    "index column": ((3, 4), lambda x: x[:, 2] ** 2),
    "slice step": ((3, 4), lambda x: x[1:3, ::2] ** 2),
    "slice reversed": ((4,), lambda x: x[::-1] * x),
    "ellipsis": ((2, 3, 4), lambda x: x[..., 1] ** 2),
    "newaxis": ((3, 4), lambda x: x[tf.newaxis, 0] ** 2),
    "scalar element": ((3, 4), lambda x: x[2, 3] * x),
    "iteration": ((3, 4), lambda x: tf.stack([row * i for i, row in enumerate(x)])),
}


@pytest.mark.parametrize("op", sorted(SHAPE_OPS))
def test_shape_op(op):
    shape, fun = SHAPE_OPS[op]
    check_grads(tf, fun, draw(shape, seed=6))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis):
    a, b, c = draw((2, 3), seed=1), draw((2, 3), seed=2), draw((2, 3), seed=3)
    check_grads(tf, lambda a, b, c: tf.concat([a * b, b, tf.sin(c)], axis=axis), a, b, c)


def test_concat_unequal_lengths():
    a, b = draw((2, 3), seed=1), draw((1, 3), seed=2)
    check_grads(tf, lambda a, b: tf.concat([a, b * b], 0), a, b)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis):
    a, b = draw((2, 3), seed=1), draw((2, 3), seed=2)
    check_grads(tf, lambda a, b: tf.stack([a * b, a, tf.exp(b)], axis=axis), a, b)


# --- casts -------------------------------------------------------------------------

def test_cast_float64_to_float32_and_back():
    """The gradient crosses the float32 cast; float32 rounding needs a wider step."""
    x = draw((3, 4), 0.5, 1.5, seed=1)
    check_grads(tf, lambda x: tf.cast(tf.square(tf.cast(x, tf.float32)), tf.float64), x,
                eps=1e-2, rtol=1e-3, atol=1e-3)


def test_cast_float64_to_float64_and_float16():
    x = draw((4,), 0.5, 1.5, seed=2)
    check_grads(tf, lambda x: tf.cast(x, tf.float64) * x, x)
    check_grads(tf, lambda x: tf.cast(tf.cast(x, tf.float16), tf.float64) * 2.0, x,
                eps=0.25, rtol=2e-2, atol=2e-2)


# --- compositions that stress accumulation -----------------------------------------

def test_fan_out_and_reuse():
    check_grads(tf, lambda x, y: x * y + tf.sin(x) * tf.exp(y) - x / (1.0 + y * y),
                draw((3, 4), seed=1), draw((4,), seed=2))


def test_small_mlp():
    x = draw((5, 3), seed=1)
    w1, b1, w2 = draw((3, 4), seed=2), draw((4,), seed=3), draw((4, 2), seed=4)

    def mlp(w1, b1, w2):
        hidden = tf.tanh(tf.matmul(tf.constant(x), w1) + b1)
        return tf.reduce_mean(tf.nn.softmax(tf.matmul(hidden, w2)) ** 2)

    check_grads(tf, mlp, w1, b1, w2)


def test_third_use_of_same_intermediate():
    check_grads(tf, lambda x: (lambda h: h * h * h)(tf.tanh(x)), draw((4,), seed=1))


# --- the checker itself must be able to fail ----------------------------------------

class _DetachedSecondOrder:
    """The module under test, except that every gradient is cut from the outer tapes."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def GradientTape(self, *args, **kwargs):  # noqa: N802 - mirrors tf.GradientTape
        tape = self._module.GradientTape(*args, **kwargs)
        module = self._module

        class Detached:
            def __enter__(self):
                tape.__enter__()
                return self

            def __exit__(self, *exc):
                return tape.__exit__(*exc)

            def watch(self, t):
                tape.watch(t)

            def gradient(self, *a, **k):
                return [module.stop_gradient(g) for g in tape.gradient(*a, **k)]

        return Detached()


def test_checker_rejects_a_wrong_first_derivative():
    with pytest.raises(AssertionError, match="first order"):
        check_grads(tf, lambda x: tf.stop_gradient(x) * x, draw((3,), seed=1))


def test_checker_rejects_a_wrong_second_derivative():
    with pytest.raises(AssertionError, match="second order"):
        check_grads(_DetachedSecondOrder(tf), lambda x: x * x * x, draw((3,), seed=1))


VARIABLE_FUNS = {
    "x * y": lambda x, y: x * y,
    "x / y + exp(x)": lambda x, y: x / y + tf.exp(x),
    "matmul(x, y * y)": lambda x, y: tf.matmul(x, y * y),
    "reduce_sum(x ** 3) * y": lambda x, y: tf.reduce_sum(x ** 3) * y,
}


@pytest.mark.parametrize("expr", sorted(VARIABLE_FUNS))
def test_variables_as_sources(expr):
    """Trainable Variables are watched without ``watch``, by the inner and outer tapes."""
    check_grads(tf, VARIABLE_FUNS[expr], draw((3, 3), seed=1),
                draw((3, 3), seed=2, away_from_zero=0.5), variables=True)


# --- the second wave: custom gradients, clipping, elu, pad, meshgrid, solve, matvec ---------

def _log1pexp_custom():
    """The guide's custom gradient, written with tf ops so its second derivative exists."""
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad
    return log1pexp


def _pair_custom():
    """Two inputs, two outputs: grad_fn gets both upstream gradients."""
    @tf.custom_gradient
    def pair(a, b):
        def grad(da, db):
            return da * b + db, da * a - db
        return (a * b, a - b), grad
    return pair


def _recomputed_block(x):
    return tf.tanh(x * x) * tf.sin(x)


SECOND_WAVE = {
    "custom_gradient log1pexp": ((3, 4), lambda x: _log1pexp_custom()(x)),
    "custom_gradient two outputs": ((4,), lambda x: (lambda p: p[0] * p[1])(_pair_custom()(x, tf.sin(x)))),
    "recompute_grad first order": ((4,), lambda x: tf.recompute_grad(_recomputed_block)(x)),
    "elu": ((3, 4), lambda x: tf.nn.elu(x)),
    "elu of a product": ((3, 4), lambda x: tf.nn.elu(x * x - 1.0) * x),
    "pad constant": ((3, 4), lambda x: tf.pad(x * x, [[1, 2], [0, 1]])),
    "pad reflect": ((3, 4), lambda x: tf.pad(tf.sin(x), [[1, 1], [2, 3]], "REFLECT") ** 2),
    "pad symmetric": ((3, 4), lambda x: tf.pad(x, [[2, 1], [1, 4]], "SYMMETRIC") * tf.pad(x, [[2, 1], [1, 4]])),
    "meshgrid xy": ((4,), lambda x: tf.meshgrid(x, tf.exp(x[:3]))[0] * tf.meshgrid(x, tf.exp(x[:3]))[1]),
    "meshgrid ij": ((4,), lambda x: tf.meshgrid(x, x * x, indexing="ij")[1] * x),
    "solve": ((3, 3), lambda x: tf.linalg.solve(x + 4.0 * tf.eye(3, dtype=x.dtype), tf.sin(x))),
    "solve adjoint": ((3, 3), lambda x: tf.linalg.solve(x + 4.0 * tf.eye(3, dtype=x.dtype), x, adjoint=True)),
    "clip_by_norm clipped": ((3, 4), lambda x: tf.clip_by_norm(x, 1.0)),
    "clip_by_norm axes": ((3, 4), lambda x: tf.clip_by_norm(x * x, 0.5, axes=[1])),
    "clip_by_norm unclipped": ((3, 4), lambda x: tf.clip_by_norm(x, 100.0) * x),
    "clip_by_global_norm": ((3, 4), lambda x: tf.clip_by_global_norm([x, tf.sin(x)], 1.5)[0][1]),
    "global_norm": ((3, 4), lambda x: tf.linalg.global_norm([x, x * x])),
    "clip_by_value": ((3, 4), lambda x: tf.clip_by_value(x * 2.0, -1.0, 1.0) * x),
    "matvec": ((3, 4), lambda x: tf.linalg.matvec(x, tf.cos(x[0]))),
    "matvec transpose_a": ((3, 4), lambda x: tf.linalg.matvec(x, x[:, 0], transpose_a=True) ** 2),
    "einsum ij,j->i": ((3, 4), lambda x: tf.einsum("ij,j->i", x, x[0]) ** 2),
}


@pytest.mark.parametrize("op", sorted(SECOND_WAVE))
def test_second_wave_op(op):
    shape, fun = SECOND_WAVE[op]
    x = draw(shape, seed=21, away_from_zero=0.15)
    if op == "clip_by_value":
        x = np.where(np.abs(np.abs(x * 2.0) - 1.0) < 0.1, x + 0.15, x)  # away from the clip kinks
    check_grads(tf, fun, x, order=1 if op.startswith("recompute_grad") else 2)


def test_custom_gradient_with_variables_matches_differences():
    """``variables=``: the gradient function's variable gradients reach the variables."""
    w = tf.Variable(np.array([0.7, -1.3]))

    @tf.custom_gradient
    def affine(x):
        def grad(up, variables):
            return up * w[0], [tf.stack([tf.reduce_sum(up * x), tf.reduce_sum(up)])]
        return x * w[0] + w[1], grad

    x = tf.constant(np.array([0.5, 2.0, -1.0]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(affine(x) ** 2)
    gx, gw = tape.gradient(y, [x, w])
    base = np.array([0.5, 2.0, -1.0]) * 0.7 - 1.3
    np.testing.assert_allclose(gx.numpy(), 2 * base * 0.7)
    np.testing.assert_allclose(gw.numpy(), [np.sum(2 * base * np.array([0.5, 2.0, -1.0])), np.sum(2 * base)])


def test_batched_jacobian_through_einsum_equals_row_by_row():
    """Einsum and matvec stay in the one-pass batched jacobian; rows agree with gradients."""
    w = tf.constant(draw((5, 4), seed=3))
    x = tf.constant(draw((4,), seed=4))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.tanh(tf.einsum("ij,j->i", w, x)) + tf.linalg.matvec(w, x * x)
    jac = tape.jacobian(y, x).numpy()
    rows = [tape.gradient(y, x, output_gradients=tf.constant(np.eye(5)[i])).numpy() for i in range(5)]
    np.testing.assert_allclose(jac, np.stack(rows), rtol=1e-12)
