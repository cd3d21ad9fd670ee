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


# ---------------------------------------------------- one notebook per submission


def _upload(tmp_path: Path, files: dict[str, str], *, exercise: str | None = None,
            links: dict[str, str] | None = None) -> Path:
    """An /autograder root whose upload holds ``files`` (name -> fake behaviour)."""
    import fakes

    gradescope.write_bundle(tmp_path / "bundle", ids=["square_at_three", "quadratic_derivative"],
                            exercise=exercise)
    root = _layout(tmp_path, tmp_path / "bundle")
    for name, behaviour in files.items():
        fakes.write_fake(root / "submission" / name, behaviour)
    for name, target in (links or {}).items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / "submission" / name)
    return root


def _results(root: Path) -> dict:
    import fakes

    data = json.loads(gradescope.run_autograder(root, grade=fakes.fake_grade).read_text())
    _assert_valid_results(data)
    return data


def _graded_count(root: Path) -> int:
    import fakes

    return sum(fakes.calls(p) for p in (root / "submission").rglob("*.ipynb"))


@pytest.mark.parametrize("exercise", [None, "square_at_three"])
def test_three_copies_of_a_correct_notebook_are_not_summed(tmp_path, exercise):
    root = _upload(tmp_path, {"a.ipynb": "pass", "b.ipynb": "pass", "c/d.ipynb": "pass"},
                   exercise=exercise)
    data = _results(root)
    assert data["score"] == 0.0 and data["tests"] == []
    assert "holds 3 notebooks (a.ipynb, b.ipynb, c/d.ipynb)" in data["output"]
    assert "Only one notebook is graded per submission" in data["output"]
    assert _graded_count(root) == 0


def test_the_notebook_with_the_expected_name_is_the_one_graded(tmp_path):
    root = _upload(tmp_path, {"square_at_three.ipynb": "pass", "copy1.ipynb": "pass",
                              "copy2.ipynb": "pass"}, exercise="square_at_three")
    data = _results(root)
    assert data["score"] == data["max_score"] == 2.0  # one notebook's points, not three
    assert data["output"].startswith("Graded square_at_three.ipynb; not graded: copy1.ipynb, "
                                     "copy2.ipynb")
    assert _graded_count(root) == 1


def test_any_shipped_exercise_name_counts_without_an_override(tmp_path):
    root = _upload(tmp_path, {"work/quadratic_derivative.ipynb": "fail", "scratch.ipynb": "pass"})
    data = _results(root)
    assert data["max_score"] == 2.0 and data["score"] == 0.0  # the named one, which fails
    assert _graded_count(root) == 1


def test_two_notebooks_with_the_expected_name_are_refused(tmp_path):
    root = _upload(tmp_path, {"square_at_three.ipynb": "pass",
                              "old/square_at_three.ipynb": "pass"}, exercise="square_at_three")
    data = _results(root)
    assert data["score"] == 0.0 and "2 notebooks named `square_at_three.ipynb`" in data["output"]
    assert _graded_count(root) == 0


def test_the_only_notebook_is_graded_whatever_its_name_and_links_never(tmp_path):
    outside = tmp_path / "secret.ipynb"
    outside.write_text("{}")
    root = _upload(tmp_path, {"my work.ipynb": "pass"}, links={"link.ipynb": str(outside)})
    data = _results(root)
    assert data["score"] == 2.0 and "not graded: link.ipynb" in data["output"]
    only_link = _upload(tmp_path / "again", {}, links={"hw.ipynb": str(outside)})
    data = _results(only_link)
    assert data["score"] == 0.0 and "no notebook file that can be graded" in data["output"]
