"""Reference answers: known values for every seed exercise, and authoring errors caught."""

from __future__ import annotations

import numpy as np
import pytest

from grader.errors import SpecError
from grader.grading.points import grading_points
from grader.grading.reference import check_expected, finite_difference_answers, reference_answers
from grader.resources import exercises_dir
from grader.authoring.spec import find_spec, load_course, load_spec

KNOWN = {
    "quadratic_derivative": {"grad": 6.0},
    "square_at_three": {"grad": 6.0},
    "two_sources": {"dx": np.full((2, 3), 6.0), "dz": 12.0},
    "watch_constant": {"dz_dx": np.full((2, 3), 12.0)},
    "cubic_first_derivative": {"dy_dx": 47.0},
    "cubic_second_derivative": {"dy_dx": 47.0, "d2y_dx2": 34.0},
    "cube_at_constant": {"dy_dx": 75.0, "d2y_dx2": 30.0},
    "persistent_tape": {"dy_dx": 6.0, "dz_dx": 108.0},
    "sum_of_constants": {"grads": [1.0, 1.0]},
    "jacobian": {"jac": [[7.0, 1.0, 1.0], [2.0, 8.0, 2.0], [3.0, 3.0, 9.0]]},
    "batch_jacobian": {"batch_jac": [[[4.0, 1.0], [2.0, 5.0]], [[10.0, 3.0], [4.0, 11.0]],
                                     [[16.0, 5.0], [6.0, 17.0]]]},
    "integer_variable": {"grad": 9.0},
    # TensorFlow 2.21 in float32 gives w = 2.0348089, b = 0.92082775 for this loop.
    "linear_regression": {"w": 2.0348091708, "b": 0.9208271577},
}


def test_every_seed_exercise_has_a_known_value():
    # The thirteen exercises built from the tutorials' own examples; the later ones
    # state their expected values in the spec (`[expected]`) or are checked by validate.
    assert set(KNOWN) <= {s.id for s in load_course(exercises_dir())}
    assert len(KNOWN) == 13


@pytest.mark.parametrize("exercise_id", sorted(KNOWN))
def test_reference_at_the_visible_point(exercise_id):
    spec = find_spec(exercise_id, exercises_dir())
    got = reference_answers(spec, spec.visible_values())
    assert sorted(got) == sorted(KNOWN[exercise_id])
    for name, want in KNOWN[exercise_id].items():
        assert got[name].dtype == np.float64
        np.testing.assert_allclose(got[name], want, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("exercise_id", ["quadratic_derivative", "cube_at_constant", "jacobian",
                                         "two_sources", "batch_jacobian"])
def test_reference_follows_the_point(exercise_id):
    spec = find_spec(exercise_id, exercises_dir())
    hidden = grading_points(spec, 3)[1]
    got = reference_answers(spec, hidden.values)
    x = np.asarray(hidden.values["x"], dtype=np.float64)
    if exercise_id == "quadratic_derivative":
        np.testing.assert_allclose(got["grad"], 2 * x + 2)
    elif exercise_id == "cube_at_constant":
        np.testing.assert_allclose([got["dy_dx"], got["d2y_dx2"]], [3 * x**2, 6 * x])
    elif exercise_id == "jacobian":
        np.testing.assert_allclose(got["jac"], np.eye(3) * x.sum() + x[:, None])
    elif exercise_id == "two_sources":
        np.testing.assert_allclose(got["dx"], 2 * x)
        assert float(got["dz"]) == 12.0
    else:
        sums = x.sum(axis=1)
        want = np.stack([np.eye(2) * s + row[:, None] for s, row in zip(sums, x)])
        np.testing.assert_allclose(got["batch_jac"], want)


def test_finite_differences_agree_on_their_own():
    spec = find_spec("cubic_second_derivative", exercises_dir())
    fd = finite_difference_answers(spec, spec.visible_values())
    assert fd["dy_dx"] == pytest.approx(47.0, rel=1e-7)
    assert fd["d2y_dx2"] == pytest.approx(34.0, rel=1e-4)


def test_wrong_expected_names_file_key_and_both_numbers(write_spec):
    spec = load_spec(write_spec(expected="7.0"))
    reference = reference_answers(spec, spec.visible_values())
    with pytest.raises(SpecError) as info:
        check_expected(spec, reference)
    message = str(info.value)
    assert "sample.toml" in message and "key `expected.grad`" in message
    assert "expected grad = 7.0" in message and "gives grad = 6.0" in message


def test_expected_with_the_wrong_shape(write_spec):
    spec = load_spec(write_spec(expected="[6.0, 6.0]"))
    with pytest.raises(SpecError, match=r"has shape \(2,\), but the reference has shape \(\)"):
        check_expected(spec, reference_answers(spec, spec.visible_values()))


def test_a_kink_makes_engine_and_finite_differences_disagree(write_spec):
    """relu at 0: the engine's subgradient is 0, the central difference 0.5."""
    spec = load_spec(write_spec(function="relu(x)", point="0.0", expected="0.0"))
    with pytest.raises(SpecError) as info:
        reference_answers(spec, spec.visible_values())
    message = str(info.value)
    assert "answers[0]" in message and "the engine gives 0.0" in message
    assert "central finite differences give 0.5" in message


def test_an_infinite_derivative_is_an_authoring_error(write_spec):
    spec = load_spec(write_spec(function="sqrt(x)", point="0.0", expected="0.0"))
    with pytest.raises(SpecError, match="is not finite"):
        reference_answers(spec, spec.visible_values())


@pytest.mark.parametrize("optimizer", ['optimizer = "adam"', 'optimizer = "sgd"\nmomentum = 0.9'])
def test_training_optimizers_agree_with_their_update_rules(optimizer, write_spec):
    """The engine's Adam and SGD-with-momentum against Keras' rules written in numpy."""
    from grader.authoring.scaffold import spec_text

    text = spec_text("sample", "training").replace('optimizer = "sgd"', optimizer)
    spec = load_spec(write_spec(text))
    for point in grading_points(spec, 0):
        trained = reference_answers(spec, point.values)["w"]
        assert abs(float(trained) - float(point.values["w"])) > 0.1  # it did train


# ---------------------------------------------------------------------------
# Engine gradients against finite differences on random smooth functions
# ---------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader.authoring.spec import parse_spec  # noqa: E402

_SMOOTH = ["sin", "cos", "tanh", "sigmoid", "square", "exp", "softplus"]


def _smooth(depth: int):
    leaves = st.sampled_from(["x", "z", "1.5", "x", "z"])
    if depth == 0:
        return leaves
    sub = _smooth(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(st.sampled_from(_SMOOTH), sub).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(sub, st.sampled_from(["+", "-", "*"]), sub).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.tuples(sub, st.sampled_from(["2", "3"])).map(lambda p: f"({p[0]})**{p[1]}"),
    )


def _random_spec(function: str, kind: str, x: list, z: float):
    answers = {
        "gradient": '[[answers]]\nname = "d"\nof = "x"\n\n[[answers]]\nname = "dz"\nof = "z"\n',
        "higher-order": '[[answers]]\nname = "d2"\nof = "z"\norder = 2\n',
        "jacobian": '[[answers]]\nname = "jac"\nof = "x"\n',
    }[kind]
    text = (f'id = "random"\ntitle = "t"\nkind = "{kind}"\nstatement = "s"\nstarter = "d = ..."\n'
            f'function = "{function}"\n\n[[variables]]\nname = "x"\npoint = {x!r}\n\n'
            f'[[variables]]\nname = "z"\npoint = {z!r}\n\n{answers}')
    return parse_spec(text.encode(), Path("random.toml"))


@settings(max_examples=40, deadline=None)
@given(function=_smooth(3), kind=st.sampled_from(["gradient", "higher-order", "jacobian"]),
       x=st.lists(st.floats(-1.0, 1.0, allow_subnormal=False), min_size=2, max_size=2),
       z=st.floats(-1.0, 1.0, allow_subnormal=False))
def test_engine_and_finite_differences_agree_on_random_functions(function, kind, x, z):
    try:
        spec = _random_spec(function, kind, x, z)
    except SpecError:
        return  # e.g. exp(exp(exp(x))) overflowing at the point: not a smooth case
    reference_answers(spec, spec.visible_values())  # raises if the two routes disagree
