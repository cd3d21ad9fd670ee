"""`grader --version`, and `grader check` on something that is not a notebook file."""

from __future__ import annotations

import os

import pytest

from grader import __version__
from grader.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"grader {__version__}"


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_nothing_to_grade_writes_no_report_anywhere(make, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "sub"
    if make == "folder":
        target.mkdir()
    assert main(["check", str(target)]) == 2
    err = capsys.readouterr().err
    assert ("is a folder" if make == "folder" else "no such file") in err
    assert sorted(os.listdir(tmp_path)) == (["sub"] if make == "folder" else [])


@pytest.mark.parametrize("name, data, words", [
    ("empty.ipynb", b"", "the file is empty, not a notebook"),
    ("blank.ipynb", b"\n  \n", "the file is empty, not a notebook"),
    ("answer.py", b"import tensorflow as tf\nx = tf.Variable(3.0)\n",
     "not a notebook: a Python file"),
    # A .py file that happens to hold JSON is still the wrong kind of file.
    ("answer.py", b'{"cells": []}', "not a notebook: a Python file"),
    ("hw.ipynb", b"x = 3.0\n", "not a notebook: not JSON"),
])
def test_a_file_that_is_no_notebook_is_not_called_damaged(name, data, words, tmp_path,
                                                           capsys):
    target = tmp_path / name
    target.write_bytes(data)
    assert main(["check", str(target), "--json", str(tmp_path / "r.json")]) == 2
    out = capsys.readouterr().out
    assert words in out and "damaged" not in out and "not valid JSON" not in out
    assert "save it as .ipynb" in out or "File > Save Notebook" in out


def test_a_notebook_cut_short_is_still_damaged(tmp_path, capsys):
    target = tmp_path / "hw.ipynb"
    target.write_text('{"cells": [', encoding="utf-8")
    assert main(["check", str(target)]) == 2
    out = capsys.readouterr().out
    assert "not valid JSON" in out and "damaged" in out and "not a notebook" not in out


@pytest.mark.slow
def test_exercise_option_against_the_metadata_warns_and_grades_as_asked(tmp_path, capsys):
    import json

    from grader.resources import exercises_dir

    source = exercises_dir() / "examples" / "quadratic_derivative_submission.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["metadata"]["grader"]["exercise"] = "square_at_three"
    target = tmp_path / "hw.ipynb"
    target.write_text(json.dumps(nb), encoding="utf-8")
    report = tmp_path / "r.json"
    html = ["--html", str(tmp_path / "r.html")]
    code = main(["check", str(target), "--exercise", "quadratic_derivative",
                 "--json", str(report), *html])
    captured = capsys.readouterr()
    assert "grader: warning: grading as exercise 'quadratic_derivative' (--exercise), but " \
           "the notebook says it is 'square_at_three'" in captured.err
    assert json.loads(report.read_text(encoding="utf-8"))["exercise"] == "quadratic_derivative"
    assert code == 0, captured.out
    # Without the option, or with the same id, there is nothing to warn about.
    assert main(["check", str(source), "--exercise", "quadratic_derivative",
                 "--json", str(report), *html]) == 0
    assert "warning" not in capsys.readouterr().err
