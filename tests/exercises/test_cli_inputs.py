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
