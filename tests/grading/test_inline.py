"""The notebook's feedback cell: same checks as ``grader check``, on the live namespace."""

from __future__ import annotations

import grader.tape as tf
from grader import inline
from grader.delivery import report


def _namespace(expression):
    x0 = 2.0
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = expression(x)
    return {"x0": x0, "x": x, "grad": tape.gradient(y, x)}


def test_correct_answer_passes_inline():
    result = inline.feedback("quadratic_derivative", _namespace(lambda x: x**2 + 2 * x - 1))
    assert result.passed and result.checks
    assert not any(c.hidden for c in result.checks)  # the hidden points stay hidden


def test_sign_error_gets_the_same_hint_as_the_grader():
    result = inline.feedback("quadratic_derivative", _namespace(lambda x: -(x**2 + 2 * x - 1)))
    failed = [c for c in result.checks if not c.passed]
    # One point cannot show a pattern: the cell says plainly what is wrong there.
    assert failed and "got -6.0, expected 6.0" in failed[0].hint
    assert "factor" not in failed[0].hint


def test_feedback_does_not_clear_the_tape_record():
    ns = _namespace(lambda x: x**2 + 2 * x - 1)
    inline.feedback("quadratic_derivative", ns)
    again = inline.feedback("quadratic_derivative", ns)  # the student re-runs the cell
    assert all(c.passed for c in again.checks)


def test_panel_escapes_what_the_notebook_controls():
    result = inline.feedback("quadratic_derivative", {"grad": "<script>alert(1)</script>"})
    html = report.render_inline(result)
    assert "<script>alert" not in html and "✗" in html


def test_unknown_exercise_prints_a_message_instead_of_raising(capsys):
    inline.show_feedback("no_such_exercise", {})
    assert "could not check" in capsys.readouterr().out
