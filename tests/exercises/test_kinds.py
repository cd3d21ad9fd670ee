"""The registry of exercise kinds: every stage asks it, and a new kind is one module.

The tiny kind below lives only in this test: registering it must make it appear in
spec validation, in `grader new` (a spec and solution that validate) and in the
command line's choices, with no other file touched.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pytest

from grader import kinds
from grader.authoring.spec import load_spec
from grader.cli import build_parser, main
from grader.errors import SpecError
from grader.kinds.base import Kind, Scaffold
from grader.resources import exercises_dir
from grader.authoring.spec import find_spec


class FunctionValue(Kind):
    """The answer is the function's value: no derivative, no tape check."""

    name = "function-value"
    rank = 99
    tape = False
    steps = ("Compute the function from the parameters.",)
    scaffold = Scaffold(
        title="A value", function="x**2", statement="Compute the function at the point.",
        steps=("Compute `y` from `x0`.",), starter="y = ...",
        variables=(("x", "2.0", "variable", ""),), answers=(("y", "x", 0, "f(x0)"),),
        expected={"y": "4.0"}, range="range = [-3.0, 3.0]",
        solution="y = tf.constant(x0) ** 2\n")

    def engine_answers(self, tf: Any, spec: Any,
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        held = {k: tf.constant(v) for k, v in point.items()}
        return {a.name: np.asarray(a.expression.to_tape(tf, held).numpy()) for a in spec.answers}

    def fd_answers(self, spec: Any, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {a.name: np.asarray(a.expression.evaluate(point)) for a in spec.answers}

    def answer_text(self, spec: Any, answer: Any) -> str:
        return "the function's value"


@pytest.fixture
def extra_kind():
    kind = kinds.register(FunctionValue())
    yield kind
    kinds.unregister(kind.name)


def test_the_built_in_kinds_in_course_order():
    assert kinds.names() == ("gradient", "higher-order", "hessian", "jacobian",
                             "batch-jacobian", "custom-gradient", "training", "model-training")
    assert all(kinds.get(n).name == n for n in kinds.names())
    assert [n for n in kinds.names() if kinds.get(n).tape] == [
        "gradient", "higher-order", "hessian", "jacobian", "batch-jacobian"]


def test_an_unregistered_kind_is_refused_with_the_registered_ones(write_spec):
    with pytest.raises(SpecError) as err:
        load_spec(write_spec(replace=[('kind = "gradient"', 'kind = "function-value"')]))
    assert "expected one of gradient, higher-order" in str(err.value)


def test_a_registered_kind_is_seen_by_spec_validation(extra_kind, write_spec):
    spec = load_spec(write_spec(replace=[('kind = "gradient"', 'kind = "function-value"'),
                                         ("grad = 6.0", "grad = 4.0")]))
    assert spec.kind == "function-value"
    from grader.grading.reference import reference_answers

    assert float(reference_answers(spec, spec.visible_values())["grad"]) == 7.0  # 4 + 4 - 1


def test_a_registered_kind_is_a_cli_choice_and_scaffolds(extra_kind, tmp_path, capsys):
    new = next(a for a in build_parser()._subparsers._group_actions[0].choices["new"]._actions
               if a.dest == "kind")
    assert "function-value" in new.choices
    exercises, solutions = tmp_path / "ex", tmp_path / "sol"
    assert main(["new", "val", "--kind", "function-value", "--exercises", str(exercises),
                 "--solutions", str(solutions)]) == 0
    spec = load_spec(exercises / "val.toml")
    assert spec.kind == "function-value" and spec.expected["y"] == 4.0
    assert (solutions / "val.py").read_text() == FunctionValue.scaffold.solution
    capsys.readouterr()
    assert main(["validate", "--quick", "--exercises", str(exercises),
                 "--solutions", str(solutions)]) == 0
    assert "ok    val" in capsys.readouterr().out


def test_an_unknown_kind_is_a_usage_error_for_new(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["new", "val", "--kind", "function-value", "--exercises", str(tmp_path)])
    assert "invalid choice: 'function-value'" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# tape_target: what the tape's target must be for each kind


def _point(spec, **values):
    point = dict(spec.visible_values())
    point.update({k: np.asarray(v, dtype=np.float64) for k, v in values.items()})
    return point


def test_tape_target_of_a_gradient_is_the_function_value():
    spec = find_spec("quadratic_derivative", exercises_dir())
    target = kinds.tape_target(spec, spec.answers[0], _point(spec, x=3.0))
    assert float(target) == pytest.approx(float(spec.expression.evaluate({"x": 3.0})))


def test_tape_target_of_a_second_derivative_is_the_first_derivative():
    spec = find_spec("cubic_second_derivative", exercises_dir())  # 2x^3 + 5x^2 + 3x
    first, second = spec.answers
    assert float(kinds.tape_target(spec, first, _point(spec, x=2.0))) == pytest.approx(
        2 * 8 + 5 * 4 + 3 * 2)
    assert float(kinds.tape_target(spec, second, _point(spec, x=2.0))) == pytest.approx(
        6 * 4 + 10 * 2 + 3)  # dy/dx at 2 = 47


def test_tape_target_of_a_jacobian_is_the_vector_function():
    spec = find_spec("jacobian", exercises_dir())
    point = spec.visible_values()
    target = kinds.tape_target(spec, spec.answers[0], point)
    np.testing.assert_allclose(target, spec.answers[0].expression.evaluate(point))
    assert target.ndim >= 1


def test_tape_target_of_training_is_none():
    spec = find_spec("linear_regression", exercises_dir())
    assert kinds.tape_target(spec, spec.answers[0], spec.visible_values()) is None
