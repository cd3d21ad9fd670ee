"""The GitHub Actions side of ``grader check`` and ``grader batch``.

Inside a workflow (``GITHUB_ACTIONS=true``) the grader appends its Markdown job summary
to the file named by ``$GITHUB_STEP_SUMMARY`` and prints ``::error`` workflow commands,
which GitHub turns into annotations on the notebook. What they say is built in
``grader/report/github.py``; this module only delivers it, with the paths made
relative to the checkout so that GitHub can attach each annotation to its file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence, TextIO

# GitHub shows at most 10 error annotations per step and drops the rest silently, so
# a class-sized run says how many it left out instead.
MAX_ANNOTATIONS = 10


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


def workspace_path(path: str | Path, environ: Mapping[str, str] | None = None) -> str:
    """``path`` relative to ``$GITHUB_WORKSPACE`` (the checkout) when it is inside it."""
    environ = os.environ if environ is None else environ
    absolute = Path(path).resolve()
    root = environ.get("GITHUB_WORKSPACE") or os.getcwd()
    try:
        return absolute.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def annotation_lines(results: Sequence[Any], notebook_paths: Sequence[str | Path],
                     environ: Mapping[str, str] | None = None,
                     limit: int = MAX_ANNOTATIONS) -> list[str]:
    """The ``::error`` lines for ``results``, at most ``limit`` plus one notice."""
    from grader.delivery.report import github_annotations

    lines: list[str] = []
    left_out = 0
    for result, path in zip(results, notebook_paths):
        for line in github_annotations(result, workspace_path(path, environ)):
            if len(lines) < limit:
                lines.append(line)
            else:
                left_out += 1
    if left_out:
        lines.append(f"::notice title=More problems::{left_out} more annotations were left "
                     f"out (GitHub shows {limit} per step): see the job summary and the reports.")
    return lines


def emit_github(results: Sequence[Any], notebook_paths: Sequence[str | Path], *,
                environ: Mapping[str, str] | None = None, out: TextIO | None = None) -> None:
    """Append the job summary to ``$GITHUB_STEP_SUMMARY`` and print the annotations.

    Called only inside GitHub Actions. A summary file that cannot be written is
    reported as a warning command: grading has happened and must still be seen.
    """
    from grader.delivery.report import step_summary_markdown

    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    summary_file = environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(step_summary_markdown(list(results)).rstrip("\n") + "\n\n")
        except OSError as err:
            out.write(f"::warning title=Job summary not written::cannot append to "
                      f"$GITHUB_STEP_SUMMARY: {err.strerror}\n")
    for line in annotation_lines(results, notebook_paths, environ):
        out.write(line + "\n")
    out.flush()
