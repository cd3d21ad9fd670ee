"""A generated class graded end to end with real kernels, as GitHub Actions runs it.

One batch (module-scoped, two workers) over correct, wrong, raising, hanging and
malformed notebooks; the tests read its gradebook, reports, job summary and
annotations. Kernel-spawning tests are kept to this batch, one `grader check` and
the Gradescope runner.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import classgen
import procs
import pytest

from grader import batch

pytestmark = pytest.mark.slow

KINDS = ["correct", "wrong", "raising", "hanging", "malformed", "correct"]


def _github_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(tmp / "summary.md"),
               GITHUB_WORKSPACE=str(tmp), NO_COLOR="1")
    (tmp / "summary.md").write_text("")
    return env


def _grader(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classroom")
    exercise = next(s for s in classgen.gradable_exercises() if s.id == "square_at_three")
    kinds = classgen.write_class(tmp / "class", KINDS, exercises=[exercise])
    env = _github_env(tmp)
    run = _grader("batch", "class", "--out", "out", "--jobs", "2", "--timeout", "6",
                  env=env, cwd=tmp)
    return tmp, kinds, run, env


def test_gradebook_rows_match_each_kind_of_student(graded):
    tmp, kinds, run, _ = graded
    assert run.returncode == 2, run.stderr  # the malformed notebook could not be graded
    rows = json.loads((tmp / "out/gradebook.json").read_text())["rows"]
    by_kind = {kinds[r["submission"]]: r for r in rows}
    assert len(rows) == len(KINDS)
    assert by_kind["correct"]["passed"] and by_kind["correct"]["status"] == "graded"
    assert by_kind["correct"]["score"] == by_kind["correct"]["max_score"] > 0
    assert by_kind["wrong"]["status"] == "graded" and not by_kind["wrong"]["passed"]
    assert by_kind["raising"]["status"] == "graded" and by_kind["raising"]["score"] == 0
    assert by_kind["hanging"]["status"] == "timed-out" and by_kind["hanging"]["score"] == 0
    assert by_kind["malformed"]["status"] == "failed-to-grade"
    assert "not valid JSON" in by_kind["malformed"]["error"]
    assert {r["exercise"] for r in rows} == {"square_at_three", ""}
    for row in rows:  # every submission, even the broken ones, has both reports
        html = tmp / "out" / row["report"]
        assert html.is_file() and html.with_suffix(".json").is_file()
        assert row["student"] == row["submission"].split("/")[0]
    assert "6 submissions in out/gradebook.csv: 2 passed" in run.stdout


def test_job_summary_and_annotations_as_github_renders_them(graded):
    tmp, kinds, run, _ = graded
    summary = (tmp / "summary.md").read_text()
    assert summary.startswith("## Grading: 2 of 6 submissions passed")
    assert "| Result | Submission | Exercise | Score | Failed checks |" in summary
    wrong = next(k for k, v in kinds.items() if v == "wrong")
    # Markdown-escaped, as GitHub renders it: square\_at\_three shows as square_at_three.
    assert re.search(rf"\| ❌ failed \| {re.escape(wrong)} \| square\\_at\\_three \| ", summary)
    assert "ValueError" in summary  # the raising student's cell error
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert errors and len(errors) <= 10
    # Annotations name the notebook relative to the checkout, as GitHub needs.
    files = {re.match(r"::error file=([^,]+),", line).group(1) for line in errors}
    assert files <= {f"class/{k}" for k in kinds}
    assert all("\n" not in line and "::" in line[8:] for line in errors)


def test_rerun_after_the_batch_grades_nothing_again(graded):
    tmp, _, _, env = graded
    run = _grader("batch", "class", "--out", "out", "--jobs", "2", "--timeout", "6",
                  env={**env, "GITHUB_ACTIONS": "false"}, cwd=tmp)
    assert "(0 graded now, 6 kept from an earlier run)" in run.stdout
    assert run.returncode == 2


def test_check_in_github_actions_writes_summary_and_annotations(graded):
    tmp, kinds, _, env = graded
    wrong = next(k for k, v in kinds.items() if v == "wrong")
    (tmp / "summary.md").write_text("")
    run = _grader("check", f"class/{wrong}", "--html", "wrong.html", env=env, cwd=tmp)
    assert run.returncode == 1, run.stderr
    summary = (tmp / "summary.md").read_text()
    assert summary.startswith("## ❌ square\\_at\\_three:")
    assert "### What to fix" in summary
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all(line.startswith(f"::error file=class/{wrong},title=") for line in errors)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_mid_batch_leaves_no_kernel_behind(tmp_path):
    exercise = next(s for s in classgen.gradable_exercises() if s.id == "square_at_three")
    classgen.write_class(tmp_path / "class", ["hanging"] * 4, exercises=[exercise])
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", "class", "--out", "out",
                             "--jobs", "2", "--timeout", "30"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Both workers in a hanging cell, each with the next kernel booting behind it.
        expected = 2 * (1 + batch.KERNELS_AHEAD)
        kernels, folders = procs.wait_for_kernel_folders(proc.pid, expected)
        assert len(folders) == expected
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    time.sleep(0.5)
    assert not [p for p in kernels if procs.alive(p)]
    assert not [f for f in folders if f.exists()]
    book = json.loads((tmp_path / "out/gradebook.json").read_text())
    assert book["complete"] is False and book["rows"] == []
