"""The judging functions on hand-made observations: each likely mistake gets its hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.grading import check
from grader.grading.check import Expectation, Tolerance
from grader.results import CellError, Observed, Run

TOL = Tolerance(rtol=1e-5, atol=1e-6)


def ok(name, value, dtype="float32", from_tape=True, type_name="EagerTensor"):
    arr = np.asarray(value)
    return Observed(name=name, status="ok", type_name=type_name, dtype=dtype,
                    shape=tuple(arr.shape), value=arr.tolist(), from_tape=from_tape)


def run(answers, label="visible point", hidden=False, errors=(), **kw):
    return Run(label=label, hidden=hidden, point={}, answers=answers, errors=tuple(errors), **kw)


def expect(value, name="grad", dtype="float32"):
    return {name: Expectation(name=name, value=np.asarray(value, dtype=np.float64),
                              dtype=dtype, tolerance=TOL)}


def judge(runs, expectations, kind="gradient", answers=("grad",), variables=("x",), hints=None):
    return check.check_runs(runs, expectations, kind=kind, answers=answers,
                            variables=variables, hints=hints)


def by_name(checks):
    return {c.name: c for c in checks}


def test_correct_answer_gets_full_marks_at_every_point():
    runs = [run({"grad": ok("grad", 6.0)}),
            run({"grad": ok("grad", 8.0)}, label="hidden point 1", hidden=True),
            run({"grad": ok("grad", 2.0)}, label="hidden point 2", hidden=True)]
    checks = judge(runs, [expect(6.0), expect(8.0), expect(2.0)])
    score, max_score = check.total(checks)
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    assert score == max_score == check.VISIBLE + check.HIDDEN + check.TAPE + check.DTYPE
    hidden = [c for c in checks if c.hidden]
    assert [c.point_label for c in hidden] == ["hidden point 1", "hidden point 2"]


def test_hard_coded_number_fails_hidden_points_and_says_so():
    runs = [run({"grad": ok("grad", 6.0, from_tape=False, type_name="float", dtype=None)}),
            run({"grad": ok("grad", 6.0, from_tape=False, type_name="float", dtype=None)},
                label="hidden point 1", hidden=True)]
    checks = by_name(judge(runs, [expect(6.0), expect(10.0)]))
    assert checks["grad at the visible point"].passed
    hidden = checks["grad at the hidden point 1"]
    assert not hidden.passed and hidden.score == 0
    assert "hard-coded" in hidden.hint
    assert not checks["grad computed with GradientTape"].passed
    score, max_score = check.total(list(checks.values()))
    assert 0 < score < max_score  # partial credit for the visible point


def test_answer_that_moves_but_wrongly_is_not_called_hard_coded():
    runs = [run({"grad": ok("grad", 6.0)}),
            run({"grad": ok("grad", 7.0)}, label="hidden point 1", hidden=True)]
    hidden = by_name(judge(runs, [expect(6.0), expect(10.0)]))["grad at the hidden point 1"]
    assert "right at the visible point but not at the hidden ones" in hidden.hint
    assert "hard-coded" not in hidden.hint


def test_none_gradient_from_integer_variable_says_use_a_float():
    x = ok("x", 2, dtype="int32", type_name="ResourceVariable")
    runs = [run({"grad": Observed(name="grad", status="none", type_name="NoneType"), "x": x})]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert not c.passed and c.got == "None"
    assert "int32" in c.hint and "float" in c.hint


def test_none_gradient_from_unwatched_constant_says_watch():
    x = ok("x", 5.0, type_name="EagerTensor")
    runs = [run({"grad": Observed(name="grad", status="none"), "x": x})]
    c = by_name(judge(runs, [expect(75.0)]))["grad at the visible point"]
    assert "tape.watch(x)" in c.hint


def test_none_gradient_without_clue_lists_the_usual_causes():
    runs = [run({"grad": Observed(name="grad", status="none")})]
    c = by_name(judge(runs, [expect(6.0)], variables=()))["grad at the visible point"]
    assert "outside" in c.hint and "watch" in c.hint


def test_reused_non_persistent_tape_hints_persistent_true():
    err = CellError(cell_index=3, tag="answer", ename="RuntimeError",
                    evalue="A non-persistent GradientTape can only be used to compute one "
                           "set of gradients (or jacobians)", traceback="...", source="...")
    runs = [run({"grad": Observed(name="grad", status="missing")}, errors=[err])]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert "persistent=True" in c.hint


def test_other_cell_error_is_named_in_the_hint():
    err = CellError(cell_index=3, tag="answer", ename="NameError",
                    evalue="name 'tape' is not defined", traceback="", source="")
    runs = [run({"grad": Observed(name="grad", status="missing")}, errors=[err])]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert "NameError" in c.hint and "tape" in c.hint


def test_timeout_is_reported_as_such():
    runs = [run({}, timed_out=True)]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert not c.passed and "ran longer than its time limit" in c.message
    assert "crash" not in (c.message + c.hint).lower()


def test_wrong_shape_names_both_shapes():
    runs = [run({"grad": ok("grad", 36.0)})]
    c = by_name(judge(runs, [expect(np.full((2, 3), 6.0))]))["grad at the visible point"]
    assert not c.passed and "(2, 3)" in c.message and "()" in c.message
    assert "shape" in c.hint


def test_one_element_answer_for_a_scalar_is_accepted():
    runs = [run({"grad": ok("grad", [6.0])})]
    assert by_name(judge(runs, [expect(6.0)]))["grad at the visible point"].passed


def test_sign_error_is_named_when_it_holds_at_every_point():
    runs = [run({"grad": ok("grad", -6.0)}),
            run({"grad": ok("grad", -8.0)}, label="hidden point 1", hidden=True)]
    c = by_name(judge(runs, [expect(6.0), expect(8.0)]))["grad at the hidden point 1"]
    assert "sign" in c.hint


@pytest.mark.parametrize("factor", [2.0, 0.5, 3.0])
def test_a_factor_is_named_when_it_holds_at_every_point(factor):
    runs = [run({"grad": ok("grad", 6.0 * factor)}),
            run({"grad": ok("grad", 10.0 * factor)}, label="hidden point 1", hidden=True)]
    checks = by_name(judge(runs, [expect(6.0), expect(10.0)]))
    assert f"{factor:g} times the right value at every point" in \
        checks["grad at the hidden point 1"].hint


def test_no_factor_is_claimed_from_one_point():
    runs = [run({"grad": ok("grad", 12.0)})]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert "factor" not in c.hint and "times" not in c.hint
    assert "got 12.0, expected 6.0" in c.hint


def test_no_factor_is_claimed_when_the_ratio_changes_between_points():
    # x**2 - 2*x - 1 written for x**2 + 2*x - 1: 2x - 2 against 2x + 2.
    runs = [run({"grad": ok("grad", 2.0)}),
            run({"grad": ok("grad", 4.0)}, label="hidden point 1", hidden=True)]
    hidden = by_name(judge(runs, [expect(6.0), expect(8.0)]))["grad at the hidden point 1"]
    assert "times" not in hidden.hint and "same amount (-4.0)" in hidden.hint


def test_plain_wrong_value_gets_the_generic_hint():
    runs = [run({"grad": ok("grad", 6.7)})]
    c = by_name(judge(runs, [expect(6.0)]))["grad at the visible point"]
    assert not c.passed and c.got == pytest.approx(6.7) and c.expected == 6.0
    assert "function" in c.hint


def test_nan_and_inf_never_pass():
    for bad in ("nan", "inf"):
        obs = Observed(name="grad", status="ok", type_name="EagerTensor", dtype="float32",
                       shape=(), value=bad, from_tape=True)
        c = by_name(judge([run({"grad": obs})], [expect(6.0)]))["grad at the visible point"]
        assert not c.passed and "NaN or infinity" in c.hint


def test_matching_infinity_passes():
    obs = Observed(name="grad", status="ok", type_name="EagerTensor", dtype="float32",
                   shape=(2,), value=[1.0, "inf"], from_tape=True)
    c = by_name(judge([run({"grad": obs})], [expect([1.0, math.inf])]))
    assert c["grad at the visible point"].passed


def test_float64_where_float32_required_fails_dtype_with_a_fix():
    runs = [run({"grad": ok("grad", 6.0, dtype="float64")})]
    checks = by_name(judge(runs, [expect(6.0)]))
    assert checks["grad at the visible point"].passed
    d = checks["grad is float32"]
    assert not d.passed and d.got == "float64" and "dtype=tf.float32" in d.hint


def test_python_float_answer_passes_dtype():
    runs = [run({"grad": ok("grad", 6.0, dtype=None, type_name="float")})]
    assert by_name(judge(runs, [expect(6.0)]))["grad is float32"].passed


def test_right_value_by_hand_fails_the_tape_check_with_a_hint():
    runs = [run({"grad": ok("grad", 6.0, from_tape=False)})]
    c = by_name(judge(runs, [expect(6.0)]))["grad computed with GradientTape"]
    assert not c.passed and "by hand" in c.hint


def test_training_kind_has_no_tape_check():
    runs = [run({"w": ok("w", 2.0, from_tape=False), "b": ok("b", 1.0, from_tape=False)})]
    exps = [{**expect(2.0, "w"), **expect(1.0, "b")}]
    checks = judge(runs, exps, kind="training", answers=("w", "b"), variables=())
    assert all(c.passed for c in checks)
    assert not any("GradientTape" in c.name for c in checks)


def test_list_answer_items_are_stacked():
    items = (ok("grads[0]", 1.0), ok("grads[1]", 1.0))
    obs = Observed(name="grads", status="ok", type_name="list", items=items, from_tape=True)
    checks = by_name(judge([run({"grads": obs})], [expect([1.0, 1.0], name="grads")],
                           answers=("grads",)))
    assert checks["grads at the visible point"].passed
    assert checks["grads is float32"].passed


def test_unreadable_answer_fails_without_raising():
    obs = Observed(name="grad", status="error", type_name="Evil", error="__float__ raised")
    c = by_name(judge([run({"grad": obs})], [expect(6.0)]))["grad at the visible point"]
    assert not c.passed and "__float__ raised" in c.message


def test_spec_hints_replace_the_defaults():
    runs = [run({"grad": ok("grad", -6.0)}),
            run({"grad": ok("grad", -8.0)}, label="hidden point 1", hidden=True)]
    c = by_name(judge(runs, [expect(6.0), expect(8.0)],
                      hints={"sign": "Mind the minus in -x."}))
    assert c["grad at the hidden point 1"].hint == "Mind the minus in -x."


def test_large_values_are_summarised_for_reports():
    big = np.arange(1000.0).reshape(10, 100)
    shown = check.shown(big)
    assert shown["shape"] == [10, 100] and shown["min"] == 0.0 and shown["max"] == 999.0


def test_untouched_starter_says_not_answered_yet():
    obs = Observed(name="grad", status="unserializable", type_name="ellipsis")
    c = by_name(judge([run({"grad": obs})], [expect(6.0)]))["grad at the visible point"]
    assert not c.passed and "not answered yet" in c.message and "..." in c.hint


def test_values_reach_reports_unrounded():
    """A float64 reference of -0.04 must not show up as float32's -0.03999999910593033."""
    assert check.shown(np.float64(-0.04)) == -0.04
    assert check.shown(np.array([0.1, math.nan])) == [0.1, "nan"]


def test_weights_come_from_the_spec_and_the_tape_check_is_required_at_any_weight():
    runs = [run({"grad": ok("grad", 6.0, from_tape=False)}),
            run({"grad": ok("grad", 8.0, from_tape=False)}, label="hidden point 1", hidden=True)]
    context = check.Context(kind="gradient", weights={"tape": 0.0, "visible": 3.0})
    checks = check.check_runs(runs, [expect(6.0), expect(8.0)], kind="gradient",
                              answers=("grad",), variables=("x",), context=context)
    score, max_score = check.total(checks)
    assert score == max_score == 3.0 + check.HIDDEN + check.DTYPE
    assert not check.passed(checks)  # the tape check failed, though it is worth 0


def test_a_none_hint_names_the_parameter_never_the_value():
    x = ok("x", [1, 2], dtype="int32", type_name="ResourceVariable")
    runs = [run({"grad": Observed(name="grad", status="none"), "x": x})]
    context = check.Context(params={"x": "x0"}, scalar={"x": False})
    c = check.check_runs(runs, [expect([2.0, 2.0])], kind="gradient", answers=("grad",),
                         variables=("x",), context=context)[0]
    assert "tf.Variable(x0, dtype=tf.float32)" in c.hint and "float(x0)" not in c.hint
    spec_hint = check.Context(hints={"none": "Use float(x0)."}, params={"x": "x0"})
    c = check.check_runs(runs, [expect([2.0, 2.0])], kind="gradient", answers=("grad",),
                         variables=("x",), context=spec_hint)[0]
    assert c.hint == "Use float(x0)."
