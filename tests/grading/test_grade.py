"""``grader check`` end to end: real notebooks, real kernels, real verdicts and hints.

Each test grades a notebook in a fresh sandboxed kernel (about a second each), so the
cases are chosen to cover one intended verdict each.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.grading import grade

from grader.authoring import render, spec as spec_mod

from grader import resources
from grader.cli import main

pytestmark = pytest.mark.slow

COURSE = [s.id for s in spec_mod.load_course(resources.exercises_dir())]


def notebook(tmp_path: Path, exercise: str, *, solution: bool, answer: str | None = None,
             name: str = "submission.ipynb") -> Path:
    spec = spec_mod.find_spec(exercise, resources.exercises_dir())
    nb = (render.render_solution(spec, resources.solutions_dir()) if solution
          else render.render_student(spec))
    if answer is not None:
        cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
        assert len(cells) == 1
        cells[0].source = answer
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("exercise", COURSE)
def test_solution_passes_and_starter_fails(tmp_path, exercise):
    good = grade.grade_notebook(notebook(tmp_path, exercise, solution=True), seed=7)
    assert good.passed, [(c.name, c.message, c.hint) for c in good.checks if not c.passed]
    assert good.score == good.max_score > 0
    assert any(c.hidden for c in good.checks), "hidden points were not checked"
    starter = grade.grade_notebook(notebook(tmp_path, exercise, solution=False,
                                            name="starter.ipynb"), seed=7)
    assert not starter.passed and starter.score < starter.max_score


QUADRATIC = "quadratic_derivative"  # f(x) = x**2 + 2x - 1, grad at x0
WRONG = {
    "wrong formula": (
        "x = tf.Variable(float(x0))\nwith tf.GradientTape() as tape:\n"
        "    y = x**2 + 3*x - 1\ngrad = tape.gradient(y, x)\n",
        "grad at the visible point", "function"),
    "sign error": (
        "x = tf.Variable(float(x0))\nwith tf.GradientTape() as tape:\n"
        "    y = -(x**2 + 2*x - 1)\ngrad = tape.gradient(y, x)\n",
        # a sign is a pattern over points: the hidden rows carry it
        "grad at the hidden point 1", "sign"),
    "integer variable": (
        "x = tf.Variable(int(x0))\nwith tf.GradientTape() as tape:\n"
        "    y = x**2 + 2*x - 1\ngrad = tape.gradient(y, x)\n",
        "grad at the visible point", "int32"),
    "gradient outside the tape": (
        "x = tf.Variable(float(x0))\nwith tf.GradientTape() as tape:\n    pass\n"
        "y = x**2 + 2*x - 1\ngrad = tape.gradient(y, x)\n",
        "grad at the visible point", "outside"),
    "unwatched constant": (
        "x = tf.constant(float(x0))\nwith tf.GradientTape() as tape:\n"
        "    y = x**2 + 2*x - 1\ngrad = tape.gradient(y, x)\n",
        "grad at the visible point", "tape.watch(x)"),
    "non-persistent tape reused": (
        "x = tf.Variable(float(x0))\nwith tf.GradientTape() as tape:\n"
        "    y = x**2 + 2*x - 1\nfirst = tape.gradient(y, x)\ngrad = tape.gradient(y, x)\n",
        "grad at the visible point", "persistent=True"),
    "hard-coded number": ("grad = 6.0\n", "grad at the hidden point 1", "hard-coded"),
    "derivative by hand": ("grad = 2 * x0 + 2\n", "grad computed with GradientTape",
                           "by hand"),
    "wrong dtype": (
        "x = tf.Variable(float(x0), dtype=tf.float64)\nwith tf.GradientTape() as tape:\n"
        "    y = x**2 + 2*x - 1\ngrad = tape.gradient(y, x)\n",
        "grad is float32", "float64"),
    "a cell raising": ("raise ValueError('not finished')\n", "grad at the visible point",
                       "ValueError"),
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_wrong_submission_fails_with_the_intended_hint(tmp_path, case):
    answer, check_name, words = WRONG[case]
    result = grade.grade_notebook(notebook(tmp_path, QUADRATIC, solution=True, answer=answer),
                                  seed=3)
    assert not result.passed
    checks = {c.name: c for c in result.checks}
    failed = checks[check_name]
    assert not failed.passed
    assert words in failed.hint, (case, failed.message, failed.hint)


def test_raising_cell_is_kept_for_the_report(tmp_path):
    result = grade.grade_notebook(notebook(tmp_path, QUADRATIC, solution=True,
                                           answer="raise ValueError('not finished')\n"),
                                  seed=3)
    assert [e.ename for e in result.cell_errors] == ["ValueError"]
    assert "not finished" in result.cell_errors[0].evalue


def test_cli_check_writes_reports_and_exits_by_verdict(tmp_path, capsys):
    good = notebook(tmp_path, QUADRATIC, solution=True, name="good.ipynb")
    assert main(["check", str(good), "--json", str(tmp_path / "good.json"),
                 "--junit", str(tmp_path / "good.xml"),
                 "--gradescope", str(tmp_path / "results.json")]) == 0
    assert (tmp_path / "good.report.html").exists()
    data = json.loads((tmp_path / "good.json").read_text())
    assert data["passed"] is True and data["score"] == data["max_score"]
    assert json.loads((tmp_path / "results.json").read_text())["score"] == data["score"]
    out = capsys.readouterr().out
    assert "PASSED" in out

    bad = notebook(tmp_path, QUADRATIC, solution=True, answer="grad = 6.0\n", name="bad.ipynb")
    assert main(["check", str(bad), "--html", str(tmp_path / "r" / "bad.html")]) == 1
    assert "hard-coded" in (tmp_path / "r" / "bad.html").read_text()


def test_same_seed_same_hidden_points(tmp_path):
    path = notebook(tmp_path, QUADRATIC, solution=True, answer="grad = 6.0\n")
    first = grade.grade_notebook(path)
    second = grade.grade_notebook(path)
    hidden = lambda r: [c.expected for c in r.checks if c.hidden]  # noqa: E731
    assert hidden(first) == hidden(second)
    assert hidden(grade.grade_notebook(path, seed=12345)) != hidden(first)


@pytest.mark.parametrize("content, words", [
    (b"this is not json", "not a notebook: not JSON"),
    (b'{"cells": [', "not valid JSON"),
    (b'{"a": 1}', "not a Jupyter notebook"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_unreadable_notebook_exits_2_with_a_report(tmp_path, capsys, content, words):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    report = (tmp_path / "broken.report.html").read_text()
    assert words in report
    assert words in capsys.readouterr().out


def test_notebook_without_exercise_metadata_asks_for_exercise(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("grad = 6.0")])
    path = tmp_path / "bare.ipynb"
    nbformat.write(nb, path)
    result = grade.grade_notebook(path)
    assert result.status == "failed-to-grade"
    assert "--exercise" in result.errors[0]


def test_byte_order_mark_is_accepted(tmp_path):
    path = notebook(tmp_path, QUADRATIC, solution=True)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert grade.grade_notebook(path, seed=1).passed


def test_unknown_exercise_is_ungradable_with_a_suggestion(tmp_path, capsys):
    path = notebook(tmp_path, QUADRATIC, solution=True)
    assert main(["check", str(path), "--exercise", "quadratic_derivativ"]) == 2
    printed = capsys.readouterr()
    assert "quadratic_derivative" in printed.out + printed.err
    # ... and a report that names the id and the nearest known ones (README's promise).
    page = path.with_name(path.stem + ".report.html").read_text(encoding="utf-8")
    assert "quadratic_derivativ&#39;" in page and "quadratic_derivative, " in page


def test_visible_run_uses_the_graders_point_not_an_edited_parameters_cell(tmp_path):
    path = notebook(tmp_path, QUADRATIC, solution=True)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = "x0 = 100.0\n"
    nbformat.write(nb, path)
    result = grade.grade_notebook(path, seed=5)
    visible = next(c for c in result.checks if c.name == "grad at the visible point")
    assert visible.expected == 6.0 and visible.passed
