"""Which cells a hidden run re-runs: everything between the parameters and check cells."""

from __future__ import annotations

from nbformat import v4

from grader.grading.execute import INJECTED_PARAMETERS_INDEX, _plan


def _cell(source: str, *tags: str):
    return v4.new_code_cell(source, metadata={"tags": list(tags)})


def _notebook(*cells):
    return v4.new_notebook(cells=[v4.new_markdown_cell("# title"), *cells])


def test_a_cell_written_below_the_answer_cell_is_rerun():
    nb = _notebook(_cell("import grader.tape as tf", "setup"), _cell("x0 = 2.0", "parameters"),
                   _cell("x = tf.Variable(x0)", "answer"), _cell("grad = 2 * x"),
                   _cell("show()", "check"), _cell("print('after the check')"))
    visible, rerun, parameters = _plan(nb)
    assert parameters == 2
    assert [s.source for s in rerun] == ["x = tf.Variable(x0)", "grad = 2 * x"]
    assert [s.source for s in visible][-1] == "print('after the check')"
    assert "show()" not in [s.source for s in visible]


def test_cells_before_the_parameters_cell_are_not_rerun():
    nb = _notebook(_cell("import numpy as np"), _cell("x0 = 2.0", "parameters"),
                   _cell("grad = x0", "answer"))
    _, rerun, _ = _plan(nb)
    assert [s.source for s in rerun] == ["grad = x0"]


def test_without_a_parameters_cell_the_answer_cell_and_after_are_rerun():
    nb = _notebook(_cell("import grader.tape as tf", "setup"), _cell("a = 1"),
                   _cell("grad = x0", "answer"), _cell("grad = grad * 2"),
                   _cell("show()", "check"), _cell("late = 1"))
    _, rerun, parameters = _plan(nb)
    assert parameters == INJECTED_PARAMETERS_INDEX
    assert [s.source for s in rerun] == ["grad = x0", "grad = grad * 2"]
