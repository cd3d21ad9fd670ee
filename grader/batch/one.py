"""Grading one submission of a batch: its task, its reports, its gradebook row.

Whatever happens to the submission, ``graded`` ends in both reports and a row: a
grader bug costs that row, not the batch. The JSON report is written last and
atomically, with the resume key under ``"batch"``: it is what marks a submission
finished.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from grader.delivery import gradebook
from grader.errors import GraderError


@dataclass(frozen=True)
class Task:
    """One submission as a worker receives it (plain data: it is pickled to workers)."""

    seq: int
    path: str
    id: str
    student: str
    html: str
    json: str
    report_rel: str
    key: dict[str, Any]
    refused: str = ""  # discovery refused it: its reports say why, nothing is read


@dataclass(frozen=True)
class Options:
    exercise: str | None
    exercises_dir: str | None
    seed: int | None
    cell_timeout: float
    total_timeout: float
    sandbox: str = "auto"


def row(task: Task, report: Mapping[str, Any]) -> gradebook.Row:
    """The gradebook row of ``task`` from its JSON report."""
    errors = report.get("errors") or []
    integrity = report.get("integrity")
    return gradebook.Row(
        student=task.student, submission=task.id, exercise=str(report.get("exercise") or ""),
        score=float(report.get("score") or 0.0), max_score=float(report.get("max_score") or 0.0),
        status=str(report.get("status") or "graded"), passed=bool(report.get("passed")),
        duration_s=float(report.get("duration_s") or 0.0), report=task.report_rel,
        error=str(errors[0]).splitlines()[0][:300] if errors and str(errors[0]) else "",
        integrity=str(integrity)[:300] if integrity else None)


def write_reports(task: Task, result: Any) -> dict[str, Any]:
    """HTML first, then the JSON report with the grading key: the JSON marks it finished."""
    from grader.delivery import report
    from grader.delivery.report.files import atomic_write
    from grader.delivery.report.machine import json_report

    report.write_reports(result, html=task.html)
    data = dict(json_report(result), batch=task.key)
    atomic_write(Path(task.json), json.dumps(data, indent=2, ensure_ascii=False,
                                             allow_nan=False) + "\n")
    return data


def not_graded(task: Task, message: str, status: str = "failed-to-grade",
               duration_s: float = 0.0) -> dict[str, Any]:
    """The reports of a submission that could not be graded, saying why."""
    from grader.grading.grade import failed_to_grade

    result = failed_to_grade(task.id, message, exercise=task.key.get("exercise") or "",
                             duration_s=duration_s, status=status)
    return write_reports(task, result)


def grade_task(task: Task, options: Options, grade: Callable[..., Any]) -> dict[str, Any]:
    """Grade one submission with ``grade`` (``grade_notebook``'s signature) and write its
    reports; never raises for the submission."""
    return graded(task, lambda: grade(
        Path(task.path), exercise=options.exercise,
        exercises_dir=Path(options.exercises_dir) if options.exercises_dir else None,
        seed=options.seed, cell_timeout=options.cell_timeout,
        total_timeout=options.total_timeout, sandbox=options.sandbox))


def graded(task: Task, produce: Callable[[], Any]) -> dict[str, Any]:
    """Write the reports of the ``GradeResult`` that ``produce`` returns; a row whatever
    happens (only an unusable out folder stops the batch)."""
    started = time.perf_counter()
    try:
        result = produce()
    except GraderError as err:  # the instructor's side (a broken spec): say so in the row
        return not_graded(task, str(err), duration_s=time.perf_counter() - started)
    except Exception as err:  # a grader bug must cost one row, not the batch
        return not_graded(task, f"the grader failed on this submission: "
                                f"{type(err).__name__}: {err}",
                          duration_s=time.perf_counter() - started)
    result.submission = task.id
    try:
        return write_reports(task, result)
    except OSError:
        raise  # the out folder itself is unusable: the batch must stop and say so
    except Exception as err:  # a report that cannot be rendered still leaves a row
        return not_graded(task, f"the report could not be written: {type(err).__name__}: "
                                f"{err}", duration_s=time.perf_counter() - started)
