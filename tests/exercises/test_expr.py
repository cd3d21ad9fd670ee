"""The function language: what it accepts, what it refuses, and its three evaluations."""

from __future__ import annotations

import numpy as np
import pytest

from grader.errors import ExpressionError
from grader.authoring.expr import creation_value, parse


@pytest.mark.parametrize("text, values, want", [
    ("x**2 + 2*x - 1", {"x": 2.0}, 7.0),
    ("2*x**3 + 5*x**2 + 3*x", {"x": 2.0}, 42.0),
    ("reduce_sum(x*x + 2*z)", {"x": np.full((2, 3), 3.0), "z": 5.0}, 114.0),
    ("tf.square(tf.reduce_sum(x))", {"x": np.ones((2, 3))}, 36.0),
    ("tf.math.log(x) + tf.nn.relu(-x) + sqrt(x)", {"x": 4.0}, np.log(4.0) + 2.0),
    ("-x**2", {"x": 3.0}, -9.0),
    ("x / (1 + x)", {"x": 1.0}, 0.5),
    ("sigmoid(x)", {"x": 0.0}, 0.5),
    ("reduce_mean(square(y - (w * x + b)))",
     {"w": 2.0, "b": 1.0, "x": np.array([1.0, 2.0]), "y": np.array([3.0, 6.0])}, 0.5),
    ("maximum(x, 1.5) + pi", {"x": 1.0}, 1.5 + np.pi),
])
def test_evaluate_known_values(text, values, want):
    expression = parse(text, values)
    assert expression.evaluate(values) == pytest.approx(want)


def test_evaluate_is_vectorised_over_a_grid():
    grid = np.linspace(-2.0, 2.0, 5)
    got = parse("x**2 + 2*x - 1", ["x"]).evaluate({"x": grid})
    np.testing.assert_allclose(got, grid**2 + 2 * grid - 1)
    assert got.dtype == np.float64


def test_reductions_take_axis_and_keepdims():
    x = np.arange(6.0).reshape(3, 2)
    got = parse("x * reduce_sum(x, axis=1, keepdims=True)", ["x"]).evaluate({"x": x})
    np.testing.assert_allclose(got, x * x.sum(axis=1, keepdims=True))
    got = parse("reduce_max(x, axis=[0, 1])", ["x"]).evaluate({"x": x})
    assert got == 5.0


def test_undefined_points_give_nan_without_warnings():
    expression = parse("log(x) + sqrt(x)", ["x"])
    assert np.isnan(expression.evaluate({"x": -1.0}))
    assert not np.isfinite(parse("log(x)", ["x"]).evaluate({"x": 0.0}))


@pytest.mark.parametrize("text, latex", [
    ("x**2 + 2*x - 1", "x^{2} + 2 x - 1"),
    ("2*x**3 + 5*x**2 + 3*x", "2 x^{3} + 5 x^{2} + 3 x"),
    ("x * x", r"x \cdot x"),
    ("(x + z)**2", r"\left(x + z\right)^{2}"),
    ("x / (z + 1)", r"\frac{x}{z + 1}"),
    ("x - (z - 1)", r"x - \left(z - 1\right)"),
    ("x + -z", "x - z"),
    ("sqrt(x) * exp(-x)", r"\sqrt{x} \cdot \exp\left(-x\right)"),
    ("square(reduce_sum(x))", r"\left(\sum\left(x\right)\right)^{2}"),
    ("reduce_sum(x, axis=1)", r"\sum_{\mathrm{axis}\,1}\left(x\right)"),
    ("abs(x_data) + 0.5", r"\left|x_{\mathrm{data}}\right| + 0.5"),
    ("sigmoid(alpha)", r"\sigma\left(\alpha\right)"),
])
def test_latex(text, latex):
    variables = ["x", "z", "x_data", "alpha"]
    assert parse(text, variables).latex() == latex


def test_to_tape_builds_with_the_given_module():
    """to_tape only calls the operators and the named functions of the module it gets."""
    calls = []

    class FakeModule:
        def reduce_sum(self, value, axis=None, keepdims=False):
            calls.append(("reduce_sum", axis, keepdims))
            return value

        class math:  # noqa: N801 - mirrors tf.math
            @staticmethod
            def log(value):
                calls.append(("log",))
                return value

    got = parse("reduce_sum(log(x) * 2, axis=[0])", ["x"]).to_tape(FakeModule(), {"x": 3.0})
    assert got == 6.0
    assert calls == [("log",), ("reduce_sum", [0], False)]


@pytest.mark.parametrize("text, message", [
    ("__import__('os')", "`__import__` is not an allowed function"),
    ("x.real", "`x.real` is not allowed"),
    ("os.system('ls')", "calling `os.system` is not allowed"),
    ("lambda: 1", "a lambda is not allowed"),
    ("[x for x in [1]]", "a comprehension is not allowed"),
    ("sum(x for x in [1])", "`sum` is not an allowed function"),
    ("'abc'.upper()", "calling `'abc'.upper` is not allowed"),
    ("x[y]", "an index must be a literal integer or slice"),
    ("x if x else 1", "a conditional expression is not allowed"),
    ("x @ x", "the operator `MatMult` is not allowed"),
    ("x == 1", "a comparison outside `where(...)` is not allowed"),
    ("'text'", "the literal 'text' is not a number"),
    ("True * x", "the literal True is not a number"),
    ("y + 1", "unknown name `y`"),
    ("sin", "`sin` is a function; call it"),
    ("sin(x, x)", "`sin` takes 1 argument(s), got 2"),
    ("sin(x, axis=0)", "`sin` does not take the keyword `axis`"),
    ("reduce_sum(x, axis='a')", "axis must be an int or a list of ints"),
    ("reduce_sum(x, keepdims=1)", "keepdims must be True or False"),
    ("x ** 1000", "the exponent 1000 is too large"),
    ("x +", "is not a Python expression"),
    ("", "the function is empty"),
])
def test_refused(text, message):
    with pytest.raises(ExpressionError) as info:
        parse(text, ["x"])
    assert message in str(info.value)


def test_typo_in_a_function_name_suggests_the_nearest():
    with pytest.raises(ExpressionError, match="did you mean `reduce_sum`"):
        parse("reduce_summ(x)", ["x"])


@pytest.mark.parametrize("text, want", [
    ("fill((2, 3), 3.0)", np.full((2, 3), 3.0)),
    ("tf.ones((2, 3))", np.ones((2, 3))),
    ("zeros(2)", np.zeros(2)),
    ("eye(2)", np.eye(2)),
    ("linspace(0.0, 1.0, 3)", np.array([0.0, 0.5, 1.0])),
])
def test_creation_values(text, want):
    got = creation_value(text)
    np.testing.assert_array_equal(got, want)
    assert got.dtype.kind == "f"


def test_creation_keeps_int_dtype():
    assert creation_value("fill((2,), 3)").dtype.kind == "i"


@pytest.mark.parametrize("text, message", [
    ("__import__('os').getcwd()", "is not an allowed creation call"),
    ("fill((2, 3), x)", "must be literal"),
    ("3.0", "is not a creation call"),
    ("filll((2, 3), 1.0)", "did you mean `fill`"),
    ("fill((2, 3), 'a')", "does not give numbers"),
])
def test_creation_refused(text, message):
    with pytest.raises(ExpressionError) as info:
        creation_value(text)
    assert message in str(info.value)


@pytest.mark.parametrize("text", ["fill((1000000, 1000000), 1.0)", "ones((100000, 100000))",
                                  "eye(1000000)", "range(1000000000000)",
                                  "linspace(0.0, 1.0, 1000000000)"])
def test_creation_refuses_huge_points_before_making_them(text):
    with pytest.raises(ExpressionError, match="more than 10000 elements"):
        creation_value(text)


# ---------------------------------------------------------------------------
# numpy and the engine agree on random expressions
# ---------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_UNARY = ["sin", "cos", "tanh", "sigmoid", "square", "tf.exp", "tf.math.softplus", "abs"]
_BINARY = ["+", "-", "*"]


def _expressions(depth: int):
    leaves = st.sampled_from(["x", "z", "2", "0.5", "3.0"])
    if depth == 0:
        return leaves
    sub = _expressions(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(st.sampled_from(_UNARY), sub).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(sub, st.sampled_from(_BINARY), sub).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.tuples(sub, st.sampled_from(["2", "3"])).map(lambda p: f"({p[0]})**{p[1]}"),
        sub.map(lambda s: f"-{s}"),
    )


@settings(max_examples=60, deadline=None)
@given(text=_expressions(3),
       x=st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3),
       z=st.floats(-1.5, 1.5))
def test_numpy_and_the_engine_evaluate_alike(text, x, z):
    import grader.tape as tf

    expression = parse(text, ["x", "z"])
    values = {"x": np.array(x), "z": np.array(z)}
    want = expression.evaluate(values)
    tensors = {name: tf.constant(value) for name, value in values.items()}
    got = np.asarray(tf.convert_to_tensor(expression.to_tape(tf, tensors),
                                          dtype=tf.float64).numpy())
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-12, atol=1e-12)
    assert expression.latex()
    assert parse(expression.text, ["x", "z"]).latex() == expression.latex()
