"""The Gradescope bundle, run as Gradescope runs it, in a folder laid out like /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import classgen
import pytest

from grader import cli

from grader.delivery import gradescope

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _layout(tmp: Path, bundle: Path) -> Path:
    """/autograder as Gradescope prepares it: source/ (the zip), submission/, results/."""
    root = tmp / "autograder"
    shutil.copytree(bundle, root / "source")
    shutil.copy(root / "source/run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def _assert_valid_results(data: dict) -> None:
    assert isinstance(data["score"], float) and isinstance(data["execution_time"], float)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert test["visibility"] in VISIBILITY
    assert data["visibility"] in VISIBILITY


def test_bundle_files(tmp_path, capsys):
    assert cli.main(["gradescope", "--out", str(tmp_path / "b"), "square_at_three",
                     "--timeout", "20"]) == 0
    b = tmp_path / "b"
    assert sorted(p.name for p in (b / "exercises").iterdir()) == ["square_at_three.toml"]
    for script in ("setup.sh", "run_autograder"):
        assert os.access(b / script, os.X_OK)
        subprocess.run(["bash", "-n", str(b / script)], check=True)  # valid bash
    assert json.loads((b / "tapegrader.json").read_text())["timeout"] == 20.0
    assert "wrote" in capsys.readouterr().out
    assert cli.main(["gradescope", "--out", str(tmp_path / "c"), "no_such"]) == 2


def test_no_notebook_still_writes_results(tmp_path):
    gradescope.write_bundle(tmp_path / "bundle", ids=["square_at_three"])
    root = _layout(tmp_path, tmp_path / "bundle")
    (root / "submission/answers.py").write_text("grad = 6.0\n")
    data = json.loads(gradescope.run_autograder(root).read_text())
    _assert_valid_results(data)
    assert data["score"] == 0.0 and "No notebook (.ipynb)" in data["output"]


@pytest.mark.slow
def test_run_autograder_grades_the_submission(tmp_path):
    gradescope.write_bundle(tmp_path / "bundle", ids=["square_at_three"], timeout=20)
    root = _layout(tmp_path, tmp_path / "bundle")
    exercise = next(s for s in classgen.gradable_exercises() if s.id == "square_at_three")
    (root / "submission/my_work.ipynb").write_text(classgen.notebook_text(exercise, "correct"))
    env = {**os.environ, gradescope.ROOT_ENV: str(root), gradescope.PYTHON_ENV: sys.executable}
    run = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads((root / "results/results.json").read_text())
    _assert_valid_results(data)
    assert data["score"] == data["max_score"] > 0
    assert data["tests"] and all(t["status"] == "passed" for t in data["tests"])
    assert any(t["visibility"] == "after_published" for t in data["tests"])  # hidden points
