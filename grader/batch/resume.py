"""Resume keys: what a finished report must have been graded from to be kept.

Each finished submission has ``reports/ID.json`` holding the hashes it was graded with
(the notebook's bytes, the exercise spec, the seed) under ``"batch"``. Where they still
match, a rerun does not grade the submission again (``force=True`` regrades). The
report files sit in the out folder, which a basic-mode kernel of the same user could
write, so reading one back is bounded like reading a notebook and never trusted
further than its key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from grader.errors import GraderError, NotebookError
from grader.grading.notebook import MAX_JSON_DEPTH, json_depth, read_bytes, sniff_exercise

# A finished report larger than this is not one of ours: regrade rather than parse it.
_MAX_REPORT_BYTES = 32 * 1024 * 1024


class SpecHashes:
    """sha256 of each exercise's spec file, looked up once per exercise."""

    def __init__(self, exercises_dir: Path | None):
        self.dir = exercises_dir
        self.cache: dict[str, str] = {}

    def __call__(self, exercise: str) -> str:
        if exercise not in self.cache:
            from grader import resources
            from grader.authoring import spec

            try:
                found = spec.find_spec(exercise, self.dir or resources.exercises_dir())
                self.cache[exercise] = found.sha256
            except GraderError:
                self.cache[exercise] = ""  # grading reports the unknown exercise
        return self.cache[exercise]


def grading_key(path: Path, *, exercise: str | None, spec_hash: Callable[[str], str],
                seed: int | None) -> dict[str, Any]:
    """What a finished report must have been graded from for a resume to keep it.

    A notebook that cannot be read (too big, not a file) is keyed by the reason, so
    its report is kept until the reason changes.
    """
    try:
        data = read_bytes(path)
        content = hashlib.sha256(data).hexdigest()
    except NotebookError as err:
        data = b""
        content = hashlib.sha256(f"unreadable: {err.bare_message}".encode()).hexdigest()
    exercise_id = exercise or sniff_exercise(data)
    return {"content_sha256": content, "exercise": exercise_id,
            "spec_sha256": spec_hash(exercise_id) if exercise_id else "", "seed": seed}


def load_report(path: Path) -> dict[str, Any] | None:
    """A JSON report from disk, or None when it is missing, damaged or not one of ours."""
    try:
        data = read_bytes(path, limit=_MAX_REPORT_BYTES)
        if json_depth(data) > MAX_JSON_DEPTH:
            return None
        report = json.loads(data.decode("utf-8"))
    except (NotebookError, ValueError, RecursionError):
        return None
    return report if isinstance(report, dict) else None


def finished_report(path: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    """The report at ``path`` if it was graded from ``key``, else None (grade again)."""
    report = load_report(path)
    return report if report is not None and report.get("batch") == key else None
