"""What GitHub Actions shows of a grading run: the job summary and the annotations.

The summary is Markdown from ``templates/report/summary.md.j2`` (every value escaped
by the Markdown environment). Annotations are workflow commands, one per line, escaped
by GitHub's rules so that a student's exception message can neither break the line
nor start a command of its own.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Mapping, Sequence, TextIO

from grader.report.text import failed_checks, format_pair, format_points, one_line, verdict

# The summary lists the failed checks of this many submissions, and a table row for
# this many; the rest are counted. GitHub refuses a step summary over 1 MiB.
MAX_DETAILED = 25
MAX_ROWS = 1000
# GitHub shows at most 10 error annotations per step; more are dropped silently.
MAX_ANNOTATIONS = 10


def _failed_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for check in failed_checks(result):
        text = one_line(check.message, 500)
        if check.expected is not None or check.got is not None:
            expected, got = format_pair(check.expected, check.got, limit=120)
            text += f" Expected {expected}, got {got}."
        rows.append({"name": one_line(check.name, 120), "hidden": check.hidden,
                     "text": text.strip(), "hint": one_line(check.hint, 1000)})
    return rows


def step_summary_markdown(results: Sequence[Any], *, max_detailed: int = MAX_DETAILED,
                          max_rows: int = MAX_ROWS) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``: a score table, then what to fix."""
    from grader.report.templates import environment

    rows = []
    for result in results:
        rows.append({
            "exercise": result.exercise, "submission": result.submission,
            "verdict": verdict(result), "passed": bool(result.passed),
            "score": format_points(result.score), "max_score": format_points(result.max_score),
            "n_failed": len(failed_checks(result)), "n_checks": len(result.checks),
            "errors": [one_line(e, 300) for e in result.errors],
            "cell_errors": [f"{one_line(e.ename)}: {one_line(e.evalue, 200)}"
                            for e in result.cell_errors],
            "failed": _failed_rows(result),
        })
    needing_work = [r for r in rows if not r["passed"]]
    return environment("markdown").get_template("summary.md.j2").render(
        rows=rows[:max_rows], more_rows=len(rows) - min(len(rows), max_rows),
        n_results=len(rows), detailed=needing_work[:max_detailed],
        not_detailed=len(needing_work) - min(len(needing_work), max_detailed),
        n_passed=sum(1 for r in rows if r["passed"]))


def escape_data(text: str) -> str:
    """A workflow command's message: '%', CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(file: str, title: str, message: str) -> str:
    return (f"::error file={escape_property(file)},title={escape_property(title)}"
            f"::{escape_data(message)}")


def github_annotations(result: Any, notebook_path: str) -> list[str]:
    """``::error`` lines for the failed checks, cell errors and grading errors.

    At most ``MAX_ANNOTATIONS`` (GitHub's display limit): grading errors first, then
    the checks; the last line says how many more the summary lists.
    """
    label = one_line(result.exercise or result.submission, 80)
    items: list[tuple[str, str]] = []
    for error in result.errors:
        items.append((f"{label}: not graded", one_line(error, 1000)))
    for err in result.cell_errors:
        items.append((f"{label}: a cell raised {one_line(err.ename, 80)}",
                      one_line(err.evalue, 1000) or one_line(err.ename)))
    for check in failed_checks(result):
        parts = [one_line(check.message, 500)]
        if check.expected is not None or check.got is not None:
            expected, got = format_pair(check.expected, check.got, limit=200)
            parts.append(f"Expected {expected}, got {got}.")
        if check.hint:
            parts.append(f"Hint: {one_line(check.hint, 1000)}")
        where = " (hidden point)" if check.hidden and "hidden" not in check.name else ""
        items.append((f"{label}: {one_line(check.name, 120)}{where}",
                      " ".join(p for p in parts if p)))
    if len(items) > MAX_ANNOTATIONS:
        extra = len(items) - (MAX_ANNOTATIONS - 1)
        items = items[:MAX_ANNOTATIONS - 1] + [
            (f"{label}: {extra} more problems",
             f"{extra} more failed checks or errors: see the job summary or the HTML report. "
             f"Score {format_points(result.score)} / {format_points(result.max_score)}.")]
    return [_command(notebook_path, title, message) for title, message in items]


def emit_github(results: Sequence[Any], notebook_paths: Sequence[str], *,
                environ: Mapping[str, str] | None = None, out: TextIO | None = None) -> None:
    """Inside a GitHub Actions step: the job summary and the annotations, delivered.

    The summary is appended to the file ``$GITHUB_STEP_SUMMARY`` names (steps share
    it); the annotations go to ``out`` (stdout), where the runner reads workflow
    commands. ``notebook_paths[i]`` is the file the annotations of ``results[i]`` point at.
    """
    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(step_summary_markdown(results))
    for result, path in zip(results, notebook_paths):
        for line in github_annotations(result, path):
            print(line, file=out)
    out.flush()
