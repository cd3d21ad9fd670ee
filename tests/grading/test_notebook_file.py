"""Reading a submission's file: bounded before anything is parsed (grading/notebook.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader import cli
from grader.errors import NotebookError
from grader.grading import notebook


@pytest.mark.parametrize("text, depth", [
    (b"1", 0), (b"[]", 1), (b'{"a": [1, {"b": []}]}', 4),
    (b'{"a": "[[[[{{{{", "b": "]]]]"}', 1),  # brackets inside strings do not count
    (b'{"a\\"[[": ["\\\\", "\\"]]"]}', 2),  # nor do escaped quotes end a string
    (b"[" * 1000, 1000),  # unclosed: the parser would still recurse that deep
    (b'"\\u00e9 [ \xc3\xa9"', 0),
])
def test_json_depth(text, depth):
    assert notebook.json_depth(text) == depth


def _parsed_depth(value) -> int:
    """The depth by definition, from the parsed value (fine for small test values)."""
    if isinstance(value, dict):
        return 1 + max(map(_parsed_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_parsed_depth, value), default=0)
    return 0


def test_depth_agrees_with_the_parser_on_a_real_notebook():
    nb = {"cells": [{"cell_type": "code", "source": "x = [[1], {'a': ']'}]", "metadata": {},
                     "outputs": [{"data": {"text/plain": ["[[["]}}]}],
          "metadata": {"k": [[[[[[[]]]]]]], "q": "\\\"{{"}}
    assert notebook.json_depth(json.dumps(nb).encode()) == _parsed_depth(nb) == 9


def test_too_deep_is_refused_before_parsing_with_the_depth_and_the_fix(tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": [], "metadata": ' + "[" * 300_000 + "]" * 300_000 + "}")
    with pytest.raises(NotebookError) as err:
        notebook.read_notebook(path)
    assert "nests 300001 levels deep, over the limit of 64" in str(err.value)
    assert str(path) in str(err.value) and "fix:" in str(err.value)
    assert notebook.sniff_exercise(path.read_bytes()) == ""  # no RecursionError either


def test_a_notebook_at_the_depth_limit_still_reads(tmp_path):
    nb = json.loads(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    deep: list = []
    inner = deep
    for _ in range(notebook.MAX_JSON_DEPTH - 3):
        inner.append([])
        inner = inner[0]
    nb["metadata"]["deep"] = deep
    path = tmp_path / "ok.ipynb"
    path.write_text(json.dumps(nb))
    assert notebook.json_depth(path.read_bytes()) == notebook.MAX_JSON_DEPTH
    parsed, _ = notebook.read_notebook(path)
    assert parsed.cells == []


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "sparse.ipynb"
    with open(path, "wb") as handle:
        handle.truncate(64 * 2**20)  # sparse: the size is known without any reading
    with pytest.raises(NotebookError, match="64 MB, over the 20 MB limit"):
        notebook.read_bytes(path)


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(NotebookError, match="not a regular file"):
        notebook.read_bytes(fifo)  # without O_NONBLOCK this would wait for a writer
    with pytest.raises(NotebookError, match="not a regular file"):
        notebook.read_bytes(Path("/dev/zero"))
    with pytest.raises(NotebookError, match="no such file"):
        notebook.read_bytes(tmp_path / "missing.ipynb")


def test_a_lone_surrogate_is_refused_and_a_pair_is_text(tmp_path):
    base = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    pair = tmp_path / "pair.ipynb"
    pair.write_text(json.dumps(dict(base, metadata={"t": "\U0001F600"})))  # ASCII escapes
    assert b"\\ud83d" in pair.read_bytes()
    notebook.read_notebook(pair)
    lone = tmp_path / "lone.ipynb"
    lone.write_text(json.dumps(dict(base, metadata={"t": "\udc80"})))
    with pytest.raises(NotebookError, match="lone surrogate"):
        notebook.read_notebook(lone)
    literal = tmp_path / "literal.ipynb"  # the six characters \udc80 as text: fine
    literal.write_text(json.dumps(dict(base, metadata={"t": "\\udc80"})))
    notebook.read_notebook(literal)


@pytest.mark.parametrize("value, words", [
    (["a list"], "does not say which exercise"),
    ("x" * 5000, "5,000 characters long"),
])
def test_exercise_ids_that_are_not_ids(value, words):
    nb = {"metadata": {"grader": {"exercise": value}}}
    with pytest.raises(NotebookError, match=words):
        notebook.exercise_of(nb, Path("hw.ipynb"), None)
    assert notebook.sniff_exercise(json.dumps(nb).encode()) == ""


def test_check_reports_a_deep_notebook_and_exits_2(tmp_path, capsys):
    path = tmp_path / "deep.ipynb"
    path.write_text("[" * 500_000)
    assert cli.main(["check", str(path), "--json", str(tmp_path / "r.json")]) == 2
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["status"] == "failed-to-grade" and "levels deep" in report["errors"][0]
    assert (tmp_path / "deep.report.html").is_file()
    assert "Traceback" not in capsys.readouterr().err
