"""What GitHub Actions shows of a grading run: the job summary and the annotations.

The summary is Markdown from ``templates/report/summary.md.j2`` (every value escaped
by the Markdown environment). Annotations are workflow commands, one per line, escaped
by GitHub's rules so that a student's exception message can neither break the line
nor start a command of its own.
"""

from __future__ import annotations

from typing import Any, Sequence

from grader.delivery.report.text import failed_checks, format_pair, format_points, one_line, verdict
from grader.results import GradeResult

# The summary lists the failed checks of this many submissions, and a table row for
# this many; the rest are counted. GitHub refuses a step summary over 1 MiB.
MAX_DETAILED = 25
MAX_ROWS = 1000


def values_sentence(check: Any, limit: int) -> str:
    """"Expected: 6.0; got: -6.0." (or nothing when the check compares no values)."""
    if check.expected is None and check.got is None:
        return ""
    expected, got = format_pair(check.expected, check.got, limit=limit)
    return f"Expected: {expected}; got: {got}."


def _failed_rows(result: GradeResult) -> list[dict[str, Any]]:
    rows = []
    for check in failed_checks(result):
        text = f"{one_line(check.message, 500)} {values_sentence(check, 120)}"
        rows.append({"name": one_line(check.name, 120), "hidden": check.hidden,
                     "text": text.strip(), "hint": one_line(check.hint, 1000)})
    return rows


def step_summary_markdown(results: Sequence[Any], *, max_detailed: int = MAX_DETAILED,
                          max_rows: int = MAX_ROWS) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``: a score table, then what to fix."""
    from grader.delivery.report.templates import environment

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


def github_annotations(result: GradeResult, notebook_path: str) -> list[str]:
    """``::error`` lines: grading errors first, then cell errors, then failed checks.

    All of them, in that order of importance; GitHub's limit of 10 shown per step is
    applied by the deliverer (``grader/github.py``), which sees every submission.
    """
    label = one_line(result.exercise or result.submission, 80)
    items: list[tuple[str, str]] = []
    for error in result.errors:
        items.append((f"{label}: not graded", one_line(error, 1000)))
    for err in result.cell_errors:
        items.append((f"{label}: a cell raised {one_line(err.ename, 80)}",
                      one_line(err.evalue, 1000) or one_line(err.ename)))
    for check in failed_checks(result):
        parts = [one_line(check.message, 500), values_sentence(check, 200)]
        if check.hint:
            parts.append(f"Hint: {one_line(check.hint, 1000)}")
        where = " (hidden point)" if check.hidden and "hidden" not in check.name else ""
        items.append((f"{label}: {one_line(check.name, 120)}{where}",
                      " ".join(p for p in parts if p)))
    return [_command(notebook_path, title, message) for title, message in items]

