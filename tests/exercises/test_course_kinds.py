"""The new kinds and requirements, judged as ``grader check`` judges (in process).

Each case runs answer code at the visible and the hidden points on the engine,
reads the answers with the extraction's own code (function answers called as the
kernel calls them, tape evidence from this process's ledger) and judges them with
``grade.judge``: the verdicts and the hints a student would see.
"""

from __future__ import annotations

import pytest

from grader.authoring.validate import run_answer_code
from grader.grading import extract, grade
from grader.grading.points import grading_points, point_to_json
from grader.resources import exercises_dir, solutions_dir
from grader.authoring.spec import find_spec
from grader.results import Run
from grader.tape.provenance import default_ledger


def judged(exercise: str, code: str):
    spec = find_spec(exercise, exercises_dir())
    runs, expectations = [], []
    answers, variables = grade.judged_names(spec)
    for point in grading_points(spec, 7):
        default_ledger().clear()
        namespace = run_answer_code(spec, code, point.values)
        observed = extract.observe_namespace(answers + variables, namespace,
                                             calls=grade.calls_for(spec))
        runs.append(Run(label=point.label, hidden=point.hidden, point=point_to_json(point),
                        answers=observed))
        expectations.append(grade.expectations_at(spec, point))
    checks, score, max_score, passed = grade.judge(spec, runs, expectations, [code])
    return {c.name: c for c in checks}, passed


def solution(exercise: str) -> str:
    return (solutions_dir() / f"{exercise}.py").read_text()


@pytest.mark.parametrize("exercise", ["hessian_two_variables", "clipped_gradient",
                                      "keras_sgd_minibatch", "persistent_tape",
                                      "derivative_function", "unconnected_zero"])
def test_the_solution_passes_every_check(exercise):
    checks, passed = judged(exercise, solution(exercise))
    assert passed, [f"{c.name}: {c.message}" for c in checks.values() if not c.passed]


# ---------------------------------------------------------------- hessian

def test_hessian_from_a_second_pair_of_nested_tapes_passes():
    code = ("x = tf.Variable(x0)\nwith tf.GradientTape() as t1:\n"
            "    y = x[0]**2 * x[1] + 3 * x[0] * x[1]**2\ngrad = t1.gradient(y, x)\n"
            "with tf.GradientTape() as t2:\n    with tf.GradientTape() as t3:\n"
            "        y = x[0]**2 * x[1] + 3 * x[0] * x[1]**2\n    g = t3.gradient(y, x)\n"
            "hess = t2.jacobian(g, x)\n")
    checks, passed = judged("hessian_two_variables", code)
    assert passed, [c.message for c in checks.values() if not c.passed]


def test_hessian_by_gradient_of_the_gradient_gets_the_shape_hint():
    code = solution("hessian_two_variables").replace("outer.jacobian(grad, x)",
                                                     "outer.gradient(grad, x)")
    checks, passed = judged("hessian_two_variables", code)
    visible = checks["hess at the visible point"]
    assert not visible.passed and "sums the rows" in visible.hint
    jac = checks["requirement: computed with tape.jacobian"]
    assert not jac.passed and "came from tape.gradient, not from tape.jacobian" in jac.message
    assert "tape.jacobian(target, source)" in jac.hint


def test_hessian_hard_coded_fails_the_hidden_points_and_the_tape():
    checks, passed = judged("hessian_two_variables", "hess = [[4.0, 14.0], [14.0, 6.0]]\n")
    assert checks["hess at the visible point"].passed and not passed
    hidden = [c for c in checks.values() if c.hidden]
    assert hidden and all("hard-coded" in c.hint for c in hidden)
    assert not checks["requirement: nested tapes"].passed


# ---------------------------------------------------------------- persistent tape

def test_two_ordinary_tapes_fail_the_persistent_tape_requirement():
    code = ("x = tf.Variable(x0)\nwith tf.GradientTape() as t1:\n    y = x * x\n"
            "dy_dx = t1.gradient(y, x)\nwith tf.GradientTape() as t2:\n    y = x * x\n"
            "    z = y * y\ndz_dx = t2.gradient(z, x)\n")
    checks, passed = judged("persistent_tape", code)
    row = checks["requirement: one persistent tape"]
    assert not passed and not row.passed
    assert "one persistent tape was expected; your answers came from 2 tapes" in row.message
    assert "tf.GradientTape(persistent=True)" in row.hint
    others = [c for name, c in checks.items() if name != row.name]
    assert all(c.passed for c in others)  # every value right: only the requirement fails


# ---------------------------------------------------------------- custom gradient

def test_custom_gradient_without_the_decorator_gets_the_true_derivative_hint():
    code = "def f(x):\n    return x**3\n"
    checks, passed = judged("clipped_gradient", code)
    assert not passed
    assert checks["y at the visible point"].passed
    grad = checks["dy_dx at the visible point"]
    assert not grad.passed
    requirement = checks["requirement: a tf.custom_gradient function"]
    assert not requirement.passed and "@tf.custom_gradient" in requirement.hint
    hidden = [c for c in checks.values() if c.hidden and c.name.startswith("dy_dx")
              and not c.passed]
    assert hidden and any("true derivative" in c.hint for c in hidden)


def test_custom_gradient_hard_coded_fails_at_the_hidden_points():
    code = ("@tf.custom_gradient\ndef f(x):\n    def grad(upstream):\n"
            "        return upstream * 2.0\n    return x * 0 + 1.728, grad\n")
    checks, passed = judged("clipped_gradient", code)
    assert checks["y at the visible point"].passed and checks["dy_dx at the visible point"].passed
    assert not passed
    hidden = [c for c in checks.values() if c.hidden and not c.passed]
    assert hidden and all("hard-coded" in c.hint for c in hidden)
    assert all(not c.passed for c in checks.values() if c.hidden and c.name.startswith("y "))


def test_a_function_answer_that_raises_is_reported_with_the_error():
    checks, passed = judged("clipped_gradient", "def f(x):\n    raise ValueError('nope')\n")
    row = checks["y at the visible point"]
    assert not row.passed and "calling `f` raised ValueError: nope" in row.message
    assert "The grader called your function" in row.hint


# ---------------------------------------------------------------- model training

def test_model_training_with_numpy_in_the_tape_fails_the_requirement():
    code = solution("keras_sgd_minibatch").replace(
        "loss = tf.reduce_mean(tf.square(y - model(x)))",
        "loss = tf.reduce_mean(tf.square(y - model(x)))\n        np_loss = np.mean(0.0)")
    code = "import numpy as np\n" + code
    checks, passed = judged("keras_sgd_minibatch", code)
    row = checks["requirement: no numpy inside the tape"]
    assert not passed and not row.passed and "`np.mean` runs inside the tape" in row.message
    assert all(c.passed for name, c in checks.items() if name != row.name)


def test_model_training_full_batch_instead_of_minibatches_is_wrong():
    code = solution("keras_sgd_minibatch").replace("range(0, len(x_train), batch_size)",
                                                   "range(0, 1)").replace(
        "x_train[start:start + batch_size]", "x_train").replace(
        "y_train[start:start + batch_size]", "y_train")
    checks, passed = judged("keras_sgd_minibatch", code)
    assert not passed
    assert not checks["w at the visible point"].passed
    losses = checks["losses at the visible point"]
    assert not losses.passed and "one loss per optimizer step" in losses.hint


def test_model_training_hard_coded_weights_fail_the_hidden_points():
    code = "w = [[2.250708924], [-1.620229114]]\nb = [-0.00946239008]\nlosses = []\n"
    checks, passed = judged("keras_sgd_minibatch", code)
    assert checks["w at the visible point"].passed and not passed
    hidden_w = [c for c in checks.values() if c.hidden and c.name.startswith("w ")]
    assert hidden_w and all("looks typed" in c.hint for c in hidden_w)


# ---------------------------------------------------------------- more requirements

def test_jacobian_row_by_row_fails_the_jacobian_requirement():
    code = ("x = tf.Variable(x0)\nwith tf.GradientTape(persistent=True) as tape:\n"
            "    y = x * tf.reduce_sum(x)\n    rows = [y[i] for i in range(3)]\n"
            "jac = tf.stack([tape.gradient(r, x) for r in rows])\n")
    checks, passed = judged("jacobian", code)
    assert checks["jac at the visible point"].passed and not passed
    assert not checks["requirement: computed with tape.jacobian"].passed


def test_unconnected_none_gets_the_zero_hint():
    code = solution("unconnected_zero").replace(
        ", unconnected_gradients=tf.UnconnectedGradients.ZERO", "")
    checks, passed = judged("unconnected_zero", code)
    row = checks["dz at the visible point"]
    assert not row.passed and "UnconnectedGradients.ZERO" in row.hint


def test_output_gradients_missing_is_explained():
    code = solution("output_gradients").replace(", output_gradients=u", "")
    checks, passed = judged("output_gradients", code)
    assert not passed and "output_gradients=u" in checks["grad at the visible point"].hint


def test_function_answer_hard_coded_fails_hidden_points():
    checks, passed = judged("derivative_function", "def df(x0):\n    return 2.2232443\n")
    assert checks["df at the visible point"].passed and not passed
    assert not checks["df computed with GradientTape"].passed
