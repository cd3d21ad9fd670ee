"""Hand-made GradeResults covering what the reports must show (and must not break on).

Built by hand, not by running the grader, so the report tests pin the report alone.
"""

from __future__ import annotations

import math

from grader.results import CellError, CheckResult, GradeResult

FUNCTION = "x**2 + 2*x - 1"


def _samples(f, lo: float, hi: float, n: int = 41) -> tuple[list[float], list[float | None]]:
    xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    ys = []
    for x in xs:
        try:
            y = f(x)
        except (ZeroDivisionError, OverflowError, ValueError):
            y = None
        ys.append(y if y is None or math.isfinite(y) else None)
    return xs, ys


def quadratic_plot(got_slopes: list[float | None]) -> dict:
    xs, ys = _samples(lambda x: x * x + 2 * x - 1, -1.5, 4.5)
    points = []
    for (label, x), got in zip([("visible point", 2.0), ("hidden point 1", -0.5),
                                ("hidden point 2", 3.25)], got_slopes):
        want = 2 * x + 2
        points.append({"label": label, "x": x, "y": x * x + 2 * x - 1, "expected_slope": want,
                       "got_slope": got,
                       "passed": got is not None and abs(got - want) < 1e-5})
    return {"variable": "x", "function": FUNCTION, "latex": "x^{2} + 2 x - 1",
            "xs": xs, "ys": ys, "points": points}


def _value_check(label: str, hidden: bool, expected: float, got, *, passed: bool,
                 message: str = "", hint: str = "", score: float | None = None) -> CheckResult:
    max_score = 1.0 if hidden else 2.0
    return CheckResult(name=f"grad at the {label}", passed=passed,
                       score=max_score if passed else 0.0 if score is None else score,
                       max_score=max_score, expected=expected, got=got,
                       message=message or ("Correct." if passed else "Wrong value."),
                       hint=hint, hidden=hidden, point_label=label)


def passing() -> GradeResult:
    checks = [
        _value_check("visible point", False, 6.0, 6.0, passed=True),
        CheckResult(name="grad is float32", passed=True, score=0.5, max_score=0.5,
                    expected="float32", got="float32", message="Correct."),
        CheckResult(name="grad computed with GradientTape", passed=True, score=1.0,
                    max_score=1.0, got="returned by the tape", message="Computed with the tape."),
        _value_check("hidden point 1", True, 1.0, 1.0, passed=True),
        _value_check("hidden point 2", True, 8.5, 8.5, passed=True),
    ]
    return GradeResult(exercise="derivative_quadratic", submission="alice.ipynb", score=5.5,
                       max_score=5.5, passed=True, checks=checks, duration_s=1.234,
                       sandbox="nbclient kernel, ipc transport, 512 MB, 10 s per cell",
                       title="The derivative of a quadratic",
                       plot=quadratic_plot([6.0, 1.0, 8.5]))


def failing_with_hints() -> GradeResult:
    """A sign error at the visible point and a hard-coded number at the hidden points."""
    checks = [
        _value_check("visible point", False, 6.0, -6.0, passed=False,
                     hint="The value has the right size but the wrong sign: check the "
                          "signs in your function."),
        CheckResult(name="grad is float32", passed=False, score=0.0, max_score=0.5,
                    expected="float32", got="float64", message="dtype float64.",
                    hint="`grad` has dtype float64, but this exercise asks for float32. "
                         "numpy arrays and np.float64 values become float64 tensors: pass "
                         "dtype=tf.float32, or use Python floats."),
        CheckResult(name="grad computed with GradientTape", passed=True, score=1.0,
                    max_score=1.0, got="returned by the tape", message="Computed with the tape."),
        _value_check("hidden point 1", True, 1.0, -6.0, passed=False,
                     message="The answer did not change with the point.",
                     hint="`grad` is the same at every point, so it looks hard-coded. "
                          "Compute it from the parameters (the names set in the parameters "
                          "cell) with the tape, so it follows the point."),
        _value_check("hidden point 2", True, 8.5, -6.0, passed=False,
                     message="The answer did not change with the point.",
                     hint="`grad` is the same at every point, so it looks hard-coded."),
    ]
    return GradeResult(exercise="derivative_quadratic", submission="bob.ipynb", score=1.0,
                       max_score=5.5, passed=False, checks=checks, duration_s=1.5,
                       sandbox="nbclient kernel, ipc transport",
                       title="The derivative of a quadratic",
                       plot=quadratic_plot([-6.0, -6.0, -6.0]))


TRACEBACK = (
    "\x1b[0;31m---------------------------------------------------------------------------"
    "\x1b[0m\n\x1b[0;31mRuntimeError\x1b[0m                              Traceback (most recent "
    "call last)\nCell \x1b[0;32mIn[3], line 4\x1b[0m\n\x1b[1;32m      2\x1b[0m     y \x1b[38;5;241m="
    "\x1b[39m x\x1b[38;5;241m*\x1b[39m\x1b[38;5;241m*\x1b[39m\x1b[38;5;241m2\x1b[39m\n\x1b[0;32m----> "
    "4\x1b[0m dy \x1b[38;5;241m=\x1b[39m tape\x1b[38;5;241m.\x1b[39mgradient(y, x)\n\n\x1b[0;31m"
    "RuntimeError\x1b[0m: A non-persistent GradientTape can only be used to compute one set "
    "of gradients (or jacobians)")


def raising_cell() -> GradeResult:
    err = CellError(cell_index=3, tag="answer", ename="RuntimeError",
                    evalue="A non-persistent GradientTape can only be used to compute one set "
                           "of gradients (or jacobians)",
                    traceback=TRACEBACK,
                    source="with tf.GradientTape() as tape:\n    y = x**2 + 2*x - 1\n"
                           "grad = tape.gradient(y, x)\ngrad2 = tape.gradient(y, x)")
    hint = ("A non-persistent GradientTape computes one set of gradients only. Create it "
            "with `tf.GradientTape(persistent=True)` to call `gradient` more than once "
            "(and `del tape` when done).")
    checks = [
        _value_check("visible point", False, 6.0, None, passed=False,
                     message="`grad` was not assigned.", hint=hint),
        CheckResult(name="grad is float32", passed=False, score=0.0, max_score=0.5,
                    expected="float32", message="No value of `grad` to check."),
        CheckResult(name="grad computed with GradientTape", passed=False, score=0.0,
                    max_score=1.0, message="No value of `grad` to check."),
    ]
    return GradeResult(exercise="derivative_quadratic", submission="carol.ipynb", score=0.0,
                       max_score=3.5, passed=False, checks=checks, duration_s=0.9,
                       cell_errors=[err], sandbox="nbclient kernel",
                       title="The derivative of a quadratic",
                       plot=quadratic_plot([None]))


def not_graded() -> GradeResult:
    return GradeResult(
        exercise="", submission="dave.ipynb", score=0.0, max_score=0.0, passed=False,
        errors=["dave.ipynb, line 12, column 5: not valid JSON: Expecting ',' delimiter\n"
                "  fix: the file is damaged: download the notebook again from Jupyter "
                "(File > Download > .ipynb)"],
        duration_s=0.01, status="failed-to-grade")


SCRIPT = "<script>alert(1)</script>"
HOSTILE = (f"{SCRIPT} </textarea> {{{{ 7*7 }}}} \x1b[31mred\x1b[0m \r\n::error::forged "
           "%0A|pipe| [link](javascript:alert(1)) @octocat ]]> \x00nul \ud800 & <b>bold</b>")


def hostile() -> GradeResult:
    """Every field a notebook can reach, filled with markup, escapes and absurd values."""
    long_value = [float(i) for i in range(2000)]
    checks = [
        CheckResult(name=f"grad {SCRIPT}", passed=False, score=0.0, max_score=2.0,
                    expected=long_value, got=[math.nan, math.inf, -math.inf, None],
                    message=HOSTILE, hint=HOSTILE, point_label="visible point"),
        CheckResult(name="hidden </textarea>", passed=False, score=0.0, max_score=1.0,
                    expected=1e300, got=SCRIPT * 200, message="x" * 5000, hint=HOSTILE,
                    hidden=True, point_label=f"hidden {SCRIPT}"),
        CheckResult(name="grad is float32", passed=True, score=0.5, max_score=0.5,
                    expected={"shape": [50, 50], "first": [1.0, math.nan], "min": 0.0,
                              "max": math.inf}, got=None, message=HOSTILE),
    ]
    err = CellError(cell_index=0, tag=None, ename=SCRIPT, evalue=HOSTILE,
                    traceback=HOSTILE + "\n" + TRACEBACK, source=HOSTILE)
    plot = {"variable": SCRIPT, "function": HOSTILE, "latex": SCRIPT,
            "xs": [0.0, 1.0, math.nan, 2.0, 3.0, None, 4.0],
            "ys": [1.0, 1e300, 2.0, math.inf, 1.0, 1.0, None],
            "points": [
                {"label": SCRIPT, "x": 1.0, "y": 1.0, "expected_slope": math.inf,
                 "got_slope": math.nan, "passed": False},
                {"label": "flat", "x": 3.0, "y": 1.0, "expected_slope": 0.0,
                 "got_slope": 1e300, "passed": False},
                {"label": "none", "x": None, "y": None, "expected_slope": None,
                 "got_slope": None, "passed": False},
            ]}
    return GradeResult(exercise=f"ex {SCRIPT}", submission=f"{SCRIPT}.ipynb",
                       score=math.nan, max_score=math.inf, passed=False, checks=checks,
                       errors=[HOSTILE], duration_s=math.nan, cell_errors=[err],
                       sandbox=HOSTILE, title=HOSTILE, plot=plot,
                       loss_curve={"reference": [math.nan, 1e300, -5.0, math.inf, None, 0.0,
                                                 SCRIPT, 2.0],
                                   "student_final": math.nan, "epochs": SCRIPT},
                       integrity=f"needs review: imports {HOSTILE} (cell 2, line 1)")


TRANSPOSE_HINT = ("`jac` is the transpose of the right matrix: row i must be the gradient of "
                  "output i. Pass the function as the target and the input as the source "
                  "(`tape.jacobian(y, x)`), without transposing.")


def matrix_answer() -> GradeResult:
    """A transposed Jacobian: the grids must show rows and columns swapped."""
    want = [[7.0, 1.0, 1.0], [2.0, 8.0, 2.0], [3.0, 3.0, 9.0]]
    got = [list(col) for col in zip(*want)]
    checks = [
        CheckResult(name="jac at the visible point", passed=False, score=0.0, max_score=2.0,
                    expected=want, got=got, message="Wrong value.", hint=TRANSPOSE_HINT,
                    point_label="visible point"),
        CheckResult(name="jac is float32", passed=True, score=0.5, max_score=0.5,
                    expected="float32", got="float32", message="Correct."),
        CheckResult(name="jac at the hidden point 1", passed=True, score=1.0, max_score=1.0,
                    expected=[[3.36, 1.55], [-1.15, 0.66]],
                    got=[[3.359999895, 1.5499999523], [-1.149999976, 0.6599999666]],
                    message="Correct.", hidden=True, point_label="hidden point 1"),
    ]
    return GradeResult(exercise="jacobian", submission="erin.ipynb", score=1.5, max_score=3.5,
                       passed=False, checks=checks, duration_s=1.1, sandbox="bwrap",
                       title="A Jacobian matrix")


def _training_curve(steps: int, lr: float) -> list[float]:
    """Plain gradient descent on mean((w x + b - y)^2) for the points of y = 2x + 1."""
    xs, ys = [1.0, 2.0, 3.0], [3.0, 5.0, 7.0]
    w = b = 0.0
    losses = []
    for _ in range(steps + 1):
        errors = [w * x + b - y for x, y in zip(xs, ys)]
        losses.append(sum(e * e for e in errors) / 3)
        gw = sum(2 * e * x for e, x in zip(errors, xs)) / 3
        gb = sum(2 * e for e in errors) / 3
        w, b = w - lr * gw, b - lr * gb
    return losses


def training() -> GradeResult:
    """A loop of half the epochs: the curve marks the student's final loss on it."""
    curve = _training_curve(100, 0.01)
    checks = [
        CheckResult(name="w at the visible point", passed=False, score=0.0, max_score=2.0,
                    expected=2.034809, got=2.033559, message="Wrong value.",
                    hint="`w` is where the reference loop is after 50 steps, not 100: loop "
                         "`for epoch in range(epochs):`, one optimizer step per epoch.",
                    point_label="visible point"),
        CheckResult(name="b at the visible point", passed=False, score=0.0, max_score=2.0,
                    expected=0.9208272, got=0.9205, message="Wrong value.",
                    point_label="visible point"),
    ]
    return GradeResult(exercise="linear_regression", submission="frank.ipynb", score=0.0,
                       max_score=4.0, passed=False, checks=checks, duration_s=1.6,
                       sandbox="bwrap", title="Train a line with a custom training loop",
                       loss_curve={"steps": list(range(101)), "reference": curve,
                                   "student_final": curve[50], "epochs": 100,
                                   "learning_rate": 0.01, "optimizer": "sgd",
                                   "trained": ["w", "b"]})


CASES = {
    "passing": passing,
    "failing_with_hints": failing_with_hints,
    "raising_cell": raising_cell,
    "not_graded": not_graded,
    "hostile": hostile,
    "matrix_answer": matrix_answer,
    "training": training,
}
