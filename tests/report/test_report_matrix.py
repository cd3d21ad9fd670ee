"""Matrix answers as aligned grids, and cell errors named as the notebook shows them."""

from __future__ import annotations

from report_cases import matrix_answer

from grader.delivery import report
from grader.delivery.report.matrix import as_matrix, grids, terminal_lines
from grader.grading.check import clean_traceback
from grader.results import CellError, GradeResult

WANT = [[7.0, 1.0, 1.0], [2.0, 8.0, 2.0], [3.0, 3.0, 9.0]]
TRANSPOSED = [list(c) for c in zip(*WANT)]


def test_a_transpose_marks_exactly_the_off_diagonal_entries_that_differ():
    model = grids(WANT, TRANSPOSED, passed=False)
    off = [(i, j) for i, row in enumerate(model["got"]) for j, c in enumerate(row) if c["off"]]
    assert off == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    assert model["n_off"] == 6 and model["shape"] == "3 × 3"
    # A passed check, float32 noise and NaN against NaN mark nothing.
    assert grids(WANT, TRANSPOSED, passed=True)["n_off"] == 0
    assert grids([[1.0, 2.0], [3.0, "nan"]], [[1.0000001, 2.0], [3.0, "nan"]],
                 passed=False)["n_off"] == 0


def test_what_is_not_a_matrix_stays_text():
    assert as_matrix([1.0, 2.0]) is None and as_matrix([[1.0, 2.0]]) is None
    assert as_matrix([[1.0], [2.0, 3.0]]) is None and as_matrix([["a", 1.0], [1.0, 1.0]]) is None
    assert as_matrix([[1.0] * 9] * 2) is None and as_matrix([[True, 1.0], [1.0, 1.0]]) is None
    assert grids(WANT, "computed another way", passed=False) is None


def test_terminal_grids_align_columns_and_stack_when_wide():
    lines = terminal_lines(WANT, TRANSPOSED, passed=False)
    assert lines[0].startswith("expected") and "your answer" in lines[0]
    assert lines[1] == "[ 7.0  1.0  1.0 ]   [ 7.0  2.0  3.0 ]"
    wide = [[-123456.7 + i + j for j in range(6)] for i in range(3)]
    stacked = terminal_lines(wide, wide, passed=False)
    assert stacked[0] == "expected:" and stacked[4] == "your answer:"
    # Columns line up: every row of one grid has the same length.
    assert len({len(line) for line in stacked[1:4]}) == 1
    marked = terminal_lines(WANT, TRANSPOSED, passed=False, mark=lambda t: f"<{t}>")
    assert marked[1] == "[ 7.0  1.0  1.0 ]   [ 7.0  <2.0>  <3.0> ]"


def test_html_and_terminal_show_the_grids():
    page = report.render_html(matrix_answer())
    assert page.count('<td class="off">') == 6 and "Expected (3 × 3)" in page
    text = report.terminal_summary(matrix_answer(), color=False)
    assert "      [ 3.0  3.0  9.0 ]   [ 1.0  2.0  9.0 ]" in text
    assert "(expected [[" not in text
    colored = report.terminal_summary(matrix_answer(), color=True)
    assert "\x1b[31m2.0\x1b[0m" in colored


SYNTAX = CellError(cell_index=3, tag="answer", ename="SyntaxError",
                   evalue="invalid syntax (768754691.py, line 2)",
                   traceback="  Cell In[1], line 2\n    y = x**2 +\n              ^\n"
                             "SyntaxError: invalid syntax\n",
                   source="with tf.GradientTape() as tape:\n    y = x**2 +\n")


def test_a_syntax_error_names_the_cell_by_number_and_tag():
    result = GradeResult(exercise="e", submission="s.ipynb", score=0.0, max_score=1.0,
                         passed=False, cell_errors=[SYNTAX])
    page = report.render_html(result)
    assert "Cell 4 (your answer cell) raised SyntaxError" in page
    assert "Cell 4 (answer), line 2" in page and "invalid syntax (line 2)" in page
    assert "768754691.py" not in page and "In[1]" not in page
    text = report.terminal_summary(result, color=False)
    assert "cell 4 (answer) raised SyntaxError: invalid syntax (line 2)" in text
    assert "768754691.py" not in text


def test_tracebacks_name_the_failing_cell_only():
    old_style = ('File "/tmp/ipykernel_4242/768754691.py", line 2\n    y = x**2 +\n'
                 'SyntaxError: invalid syntax')
    assert clean_traceback(old_style, "Cell 4 (answer)").startswith("Cell 4 (answer), line 2")
    two = "Cell In[5], line 3\n----> 3 f(1)\nCell In[2], line 2, in f\n"
    assert clean_traceback(two, "Cell 6 (answer)") == (
        "Cell 6 (answer), line 3\n----> 3 f(1)\nCell In[2], line 2, in f\n")
