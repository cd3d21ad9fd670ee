"""Reports back into results: the ``GradeResult`` of each row, read from its JSON report.

A batch grades in worker processes that hand back rows, not results; what needs the
whole results afterwards (the GitHub job summary and annotations of ``grader batch``)
reads them from the reports the workers wrote, through ``GradeResult.from_json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from grader.batch.resume import load_report
from grader.batch.run import BatchOutcome
from grader.results import GradeResult


def result_from_report(data: Mapping[str, Any]) -> GradeResult:
    """A ``GradeResult`` rebuilt from its JSON report (for summaries of a whole batch)."""
    return GradeResult.from_json(data)


def load_results(outcome: BatchOutcome) -> list[GradeResult]:
    """The GradeResults of every row of ``outcome``, read from their JSON reports; a
    report that is missing or damaged is left out."""
    results = []
    for row in outcome.rows:
        data = load_report(outcome.out / Path(row.report[: -len(".html")] + ".json"))
        if data is None:
            continue
        try:
            results.append(result_from_report(data))
        except (ValueError, TypeError):
            continue
    return results
