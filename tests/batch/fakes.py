"""Stand-ins for ``grade.grade_notebook`` that need no kernel, for tests of the pool.

They are module-level functions because the batch sends its grading function to
worker processes by name. What a fake does is read from the notebook's own
``metadata.fake`` (worker processes do not see a test's environment changes):
``pass``, ``fail``, ``timeout``, ``ungradable``, ``raise`` (the grader itself fails),
``die`` (the worker process dies), with an optional ``sleep`` in seconds and an
``integrity`` note for the result. Each call
appends a line to ``NOTEBOOK.calls`` so tests can count what was graded.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from grader.results import CheckResult, GradeResult


def write_fake(path: Path, behaviour: str, sleep: float = 0.0, exercise: str = "fake_ex",
               integrity: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": {
        "fake": behaviour, "sleep": sleep, "grader": {"exercise": exercise},
        "integrity": integrity},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def calls(path: Path) -> int:
    marker = path.with_suffix(".calls")
    return len(marker.read_text().splitlines()) if marker.exists() else 0


def fake_grade(path: Path, *, exercise=None, exercises_dir=None, seed=None,
               cell_timeout=10.0, total_timeout=60.0, sandbox="auto") -> GradeResult:
    meta = json.loads(Path(path).read_text(encoding="utf-8"))["metadata"]
    behaviour = meta["fake"]
    time.sleep(float(meta.get("sleep", 0)))
    if behaviour == "die":
        os._exit(7)
    if behaviour == "raise":
        raise RuntimeError("a bug in the grader")
    with open(Path(path).with_suffix(".calls"), "a") as fh:
        fh.write("graded\n")
    ex = exercise or meta["grader"]["exercise"]
    if behaviour == "ungradable":
        return GradeResult(exercise=ex, submission=Path(path).name, score=0.0, max_score=0.0,
                           passed=False, errors=["not valid JSON"], status="failed-to-grade")
    ok = behaviour == "pass"
    check = CheckResult(name="grad at the visible point", passed=ok, score=2.0 if ok else 0.0,
                        max_score=2.0, expected=6.0, got=6.0 if ok else 12.0,
                        message="" if ok else "grad is off by a factor of 2",
                        hint="" if ok else "y = x * x, not 2 * x * x")
    return GradeResult(exercise=ex, submission=Path(path).name, score=check.score,
                       max_score=2.0, passed=ok, checks=[check], duration_s=0.01,
                       status="timed-out" if behaviour == "timeout" else "graded",
                       integrity=meta.get("integrity"))
