"""What the instructor sees: the gradebook (student x exercise, best and latest
attempt), the most common failed checks and their hints, and the export.

The export is the batch gradebook's format (``grader/delivery/gradebook.py``): one
``Row`` per student and exercise, its ``submission`` id ``STUDENT/EXERCISE`` (so
``Row.student`` is the first folder, as in a batch) and ``report`` the attempt's
report page. The CSV and JSON come from the same writer ``grader batch`` uses, so
``grader export`` (Canvas, Moodle) and ``grader merge`` read it like any gradebook.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from grader.serve.storage import Attempt


@dataclass
class Cell:
    best: Attempt | None = None
    latest: Attempt | None = None
    attempts: int = 0


@dataclass
class Book:
    students: list[str]
    exercises: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def cell(self, student: str, exercise: str) -> Cell:
        return self.cells.get((student, exercise)) or Cell()


def _better(a: Attempt, b: Attempt | None) -> bool:
    """Is ``a`` a better attempt than ``b``: higher score, then passed, then earlier."""
    if b is None:
        return True
    return ((a.score or 0.0), a.passed) > ((b.score or 0.0), b.passed)


def build(attempts: Iterable[Attempt], *, students: list[dict[str, str]],
          exercises: list[str]) -> Book:
    """The gradebook from finished attempts (oldest first, as storage yields them)."""
    book = Book(students=[s["id"] for s in students], exercises=list(exercises),
                names={s["id"]: s.get("name") or "" for s in students})
    for attempt in attempts:
        cell = book.cells.setdefault((attempt.student, attempt.exercise), Cell())
        cell.attempts += 1
        cell.latest = attempt
        if _better(attempt, cell.best):
            cell.best = attempt
        if attempt.student not in book.names:
            book.names[attempt.student] = ""
            book.students.append(attempt.student)
    return book


def common_failures(attempts: Iterable[Attempt], top: int = 5) -> dict[str, list[dict]]:
    """Per exercise, the failed checks seen most often, with the hint each one gave."""
    counts: dict[str, Counter] = {}
    hints: dict[tuple[str, str], Counter] = {}
    students: dict[tuple[str, str], set] = {}
    for attempt in attempts:
        for check in (attempt.report or {}).get("checks") or []:
            if check.get("passed"):
                continue
            name = str(check.get("name") or "")
            counts.setdefault(attempt.exercise, Counter())[name] += 1
            students.setdefault((attempt.exercise, name), set()).add(attempt.student)
            if check.get("hint"):
                hints.setdefault((attempt.exercise, name), Counter())[str(check["hint"])] += 1
    out: dict[str, list[dict]] = {}
    for exercise, counter in counts.items():
        out[exercise] = [{"check": name, "failures": n,
                          "students": len(students[(exercise, name)]),
                          "hint": (hints.get((exercise, name)) or Counter()).most_common(1)[0][0]
                          if hints.get((exercise, name)) else ""}
                         for name, n in counter.most_common(top)]
    return out


def rows(book: Book, which: str = "best") -> list[Any]:
    """Gradebook rows (``gradebook.Row``) of the chosen attempt per student and exercise."""
    from grader.delivery import gradebook

    names = {f.name for f in dataclasses.fields(gradebook.Row)}
    out = []
    for student in book.students:
        for exercise in book.exercises:
            attempt = getattr(book.cell(student, exercise), which)
            if attempt is None:
                continue
            report = attempt.report or {}
            errors = report.get("errors") or []
            values: dict[str, Any] = dict(
                student=student, submission=f"{student}/{exercise}", exercise=exercise,
                score=float(attempt.score or 0.0), max_score=float(attempt.max_score or 0.0),
                status=attempt.status, passed=attempt.passed,
                duration_s=float(report.get("duration_s") or 0.0),
                report=f"/attempts/{attempt.id}/report",
                error=str(errors[0]).splitlines()[0][:300] if errors else "",
                integrity=report.get("integrity"))
            out.append(gradebook.Row(**{k: v for k, v in values.items() if k in names}))
    return out


def export(book: Book, which: str = "best") -> tuple[str, dict]:
    """(CSV text, JSON data) in the batch gradebook's format."""
    from grader.delivery import gradebook

    found = rows(book, which)
    class_ids = tuple(f"{s}/{e}" for s in book.students for e in book.exercises)
    data = gradebook.Gradebook(rows=tuple(found), class_ids=class_ids, complete=True).to_json()
    return gradebook.csv_text(found), data
