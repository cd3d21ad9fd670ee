"""The built wheel carries the course and templates and works without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from grader.resources import exercises_dir

ROOT = Path(__file__).resolve().parents[2]
COURSE_IDS = sorted(p.stem for p in exercises_dir().glob("*.toml") if p.name != "course.toml")

pytestmark = pytest.mark.slow


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                            timeout=300, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT])
    (found,) = dist.glob("tapegrader-*.whl")
    return found


def test_the_wheel_carries_course_templates_and_engine(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("grader/_data/templates/notebook/instructions.md.j2",
                     "grader/_data/templates/notebook/check.py.j2",
                     "grader/_data/templates/serve/exercise.html.j2",
                     "grader/_data/templates/serve/static/editor.js",
                     "grader/_data/templates/serve/static/app.css",
                     "grader/tape/__init__.py", "grader/authoring/spec.py"):
        assert required in names
    for exercise_id in COURSE_IDS:
        assert f"grader/_data/exercises/{exercise_id}.toml" in names
        assert f"grader/_data/solutions/{exercise_id}.py" in names


def test_installed_wheel_lists_and_builds_outside_the_source_tree(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())
    # The dependencies (numpy, nbformat, jinja2 ...) come from this environment's
    # site-packages as a plain path: its .pth files (the editable grader) are not read.
    (site / "deps_from_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", wheel])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([python, "-c", "import grader.resources as r, grader.tape;"
                  "print(r.exercises_dir()); print(grader.tape.__file__)"], cwd=elsewhere)
    course_dir, tape_file = where.stdout.split()
    assert course_dir.startswith(str(venv)) and tape_file.startswith(str(venv))

    grader = venv / "bin" / "grader"
    listing = _run([grader, "list"], cwd=elsewhere).stdout.splitlines()
    # `grader list` prints the course's sections ("1. Title"), each exercise indented.
    listed = [line.split()[0] for line in listing if line.startswith(" ")]
    assert sorted(listed) == sorted(COURSE_IDS)
    assert listing[0].startswith("1. ")
    _run([grader, "build", "--out", "out"], cwd=elsewhere)
    for exercise_id in COURSE_IDS:
        assert (elsewhere / "out" / "student" / f"{exercise_id}.ipynb").is_file()
        assert (elsewhere / "out" / "solution" / f"{exercise_id}.ipynb").is_file()
    validated = _run([grader, "validate", "quadratic_derivative", "linear_regression"],
                     cwd=elsewhere).stdout
    assert validated.count("ok    ") == 2
