"""A Gradescope autograder bundle, and the runner inside it.

``grader gradescope --out DIR`` writes what an instructor zips and uploads as a
"programming assignment" autograder::

    DIR/setup.sh         installs tapegrader (a wheel in DIR/wheels/, else from PyPI)
    DIR/run_autograder   grades the submission's notebook (calls this module)
    DIR/tapegrader.json  the bundle's settings: exercise override, time limit
    DIR/exercises/       the exercise specs the notebooks are graded against

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it
builds the image, then for each student copies the upload into
``/autograder/submission`` and runs ``run_autograder``, which must leave
``/autograder/results/results.json``. The root is ``$TAPEGRADER_AUTOGRADER_ROOT``
when set (tests run the real script against a folder laid out the same way).
Whatever happens, a results.json is written: a student never sees a bare crash.
"""

from __future__ import annotations

import argparse
import json
import shutil
import stat
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT_ENV = "TAPEGRADER_AUTOGRADER_ROOT"
PYTHON_ENV = "TAPEGRADER_PYTHON"
CONFIG_NAME = "tapegrader.json"
VENV = "/opt/tapegrader"

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image (Ubuntu, as root).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -q
  apt-get install -y -q python3 python3-venv python3-pip
fi
python3 -m venv {venv}
shopt -s nullglob
wheels=("$SOURCE"/wheels/*.whl)
if [ ${{#wheels[@]}} -gt 0 ]; then
  {venv}/bin/pip install -q "${{wheels[@]}}"
else
  {venv}/bin/pip install -q "tapegrader=={version}"
fi
{venv}/bin/python -c "import grader.grading.grade"
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades the one notebook of
# $ROOT/submission and writes $ROOT/results/results.json.
# ${root_env} moves the root (default /autograder), ${python_env} the Python.
set -uo pipefail
ROOT="${{{root_env}:-/autograder}}"
PYTHON="${{{python_env}:-{venv}/bin/python}}"
exec "$PYTHON" -m grader.delivery.gradescope --root "$ROOT"
"""


def _executable(path: Path) -> None:
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def write_bundle(out: str | Path, *, exercises_dir: str | Path | None = None,
                 ids: Sequence[str] = (), exercise: str | None = None,
                 timeout: float = 60.0, wheel: str | Path | None = None) -> list[Path]:
    """Write the bundle into ``out``; returns the files written."""
    from grader import resources
    from grader.authoring import spec
    from grader.errors import UsageError
    from grader.delivery.report.files import atomic_write

    out = Path(out)
    source = Path(exercises_dir) if exercises_dir else resources.exercises_dir()
    specs = spec.load_course(source)  # validates every spec before it ships
    if ids:
        known = {s.id for s in specs}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UsageError(f"unknown exercise {', '.join(unknown)}", path=str(source),
                             fix=f"use one of: {', '.join(sorted(known))}")
        specs = [s for s in specs if s.id in ids]
    if exercise and exercise not in {s.id for s in specs}:
        raise UsageError(f"--exercise {exercise} is not in the bundle", path=str(source),
                         fix="list it among the exercise ids, or leave --exercise out")
    written = []
    for item in specs:
        target = out / "exercises" / Path(item.path).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.path, target)
        written.append(target)
    if wheel:
        target = out / "wheels" / Path(wheel).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, target)
        written.append(target)
    from importlib.metadata import PackageNotFoundError, version

    try:
        grader_version = version("tapegrader")
    except PackageNotFoundError:
        grader_version = "0.1.0"
    written.append(atomic_write(out / "setup.sh", _SETUP.format(venv=VENV,
                                                                  version=grader_version)))
    written.append(atomic_write(out / "run_autograder", _RUN.format(
        root_env=ROOT_ENV, python_env=PYTHON_ENV, venv=VENV)))
    for script in written[-2:]:
        _executable(script)
    config = {"exercise": exercise, "timeout": timeout, "tapegrader": grader_version}
    written.append(atomic_write(out / CONFIG_NAME, json.dumps(config, indent=2) + "\n"))
    return written


def _failure(message: str) -> dict[str, Any]:
    return {"score": 0.0, "max_score": 0.0, "execution_time": 0.0, "output": message,
            "output_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
            "tests": []}


def _config(source: Path) -> dict[str, Any]:
    try:
        data = json.loads((source / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def expected_names(source: Path, config: dict[str, Any]) -> list[str]:
    """The file names a submission's notebook may have: ``ID.ipynb`` of the bundle's
    ``--exercise``, else of each exercise the bundle ships (what ``grader build``
    names the student notebooks)."""
    if config.get("exercise"):
        return [f"{config['exercise']}.ipynb"]
    folder = source / "exercises"
    from grader.authoring.spec import spec_paths

    return [f"{p.stem}.ipynb" for p in spec_paths(folder)] if folder.is_dir() else []


def choose_notebook(folder: Path, expected: Sequence[str]) -> tuple[Path | None, str]:
    """(the one notebook of the upload to grade, a note for the student), or (None, why
    none can be chosen).

    Exactly one notebook is graded per submission: the one with an expected name, else
    the only notebook there is. Several candidates are refused rather than graded
    together: summing them once gave three copies of one notebook three times the
    points. Links are never graded (an upload cannot mean one).
    """
    from grader.delivery.report.text import one_line
    from grader.grading.notebook import walk_notebooks

    found, _ = walk_notebooks(folder)
    files = [f for f in found if f.kind == "file"]
    names = [one_line("/".join(f.parts), 200) for f in files]
    named = [f for f in files if f.parts[-1] in expected]
    want = " or ".join(f"`{n}`" for n in expected) or "the exercise's name"
    if not found:
        return None, ("No notebook (.ipynb) was found in your submission. Upload the "
                      ".ipynb file of the exercise (File > Download > .ipynb in Jupyter).")
    if len(named) == 1:
        chosen = named[0]
    elif len(named) > 1:
        return None, (f"Your submission holds {len(named)} notebooks named {want}: "
                      f"{', '.join(one_line('/'.join(f.parts), 200) for f in named)}. "
                      "Only one notebook is graded per submission: upload exactly one.")
    elif len(files) == 1:
        chosen = files[0]
    elif not files:
        return None, ("Your submission holds no notebook file that can be graded (links "
                      "and special files are not graded). Upload the .ipynb file itself.")
    else:
        return None, (f"Your submission holds {len(files)} notebooks ({', '.join(names)}) "
                      f"and none is named {want}. Only one notebook is graded per "
                      f"submission: upload only the exercise's notebook, named {want}.")
    others = [one_line("/".join(f.parts), 200) for f in found if f is not chosen]
    note = (f"Graded {one_line('/'.join(chosen.parts), 200)}; not graded: "
            f"{', '.join(others)} (one notebook is graded per submission)." if others else "")
    return chosen.path, note


def grade_submission_folder(root: Path, *, grade: Callable[..., Any] | None = None) -> dict[str, Any]:
    """The results.json content for the one notebook graded from ``root/submission``."""
    from grader.delivery.report import gradescope_json

    if grade is None:
        from grader.grading.grade import grade_notebook as grade
    source = root / "source"
    config = _config(source)
    path, note = choose_notebook(root / "submission", expected_names(source, config))
    if path is None:
        return _failure(note)
    timeout = float(config.get("timeout") or 60.0)
    exercises = source / "exercises"
    result = grade(path, exercise=config.get("exercise") or None,
                   exercises_dir=exercises if exercises.is_dir() else None,
                   cell_timeout=min(10.0, timeout), total_timeout=timeout)
    result.submission = path.relative_to(root / "submission").as_posix()
    data = gradescope_json(result)
    if note:
        data["output"] = f"{note}\n\n{data.get('output') or ''}".rstrip("\n")
    return data


def run_autograder(root: str | Path, *, grade: Callable[..., Any] | None = None) -> Path:
    """Grade ``root/submission`` and write ``root/results/results.json``; returns its path."""
    from grader.delivery.report.files import atomic_write
    from grader.delivery.report.machine import json_safe

    root = Path(root)
    started = time.perf_counter()
    try:
        data = grade_submission_folder(root, grade=grade)
    except Exception as err:  # an autograder set-up problem: show it rather than crash
        data = _failure(f"The autograder could not grade this submission: "
                        f"{type(err).__name__}: {err}\nPlease tell your instructor.")
        data["execution_time"] = round(time.perf_counter() - started, 3)
    return atomic_write(root / "results" / "results.json",
                        json.dumps(json_safe(data), indent=2, ensure_ascii=False,
                                   allow_nan=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m grader.delivery.gradescope --root /autograder``: what run_autograder calls."""
    parser = argparse.ArgumentParser(prog="python -m grader.delivery.gradescope")
    parser.add_argument("--root", default="/autograder")
    args = parser.parse_args(argv)
    path = run_autograder(args.root)
    data = json.loads(path.read_text(encoding="utf-8"))
    print(f"tapegrader: {data['score']:g} / {data['max_score']:g} points -> {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
