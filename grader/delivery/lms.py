"""Grade files an LMS imports: Canvas, Moodle, or a plain CSV, from a gradebook and a roster.

``grader batch`` knows submissions by folder (``alice/hw1.ipynb`` is student
``alice``); an LMS knows people by its own ids. The roster, a CSV the instructor
keeps, joins the two: a ``submission`` column with the folder name, and whichever ids
the LMS matches on. Column names are matched loosely (case, spaces, ``-``/``_``), so a
Canvas or Moodle export with a ``submission`` column added is a roster as it is:

    submission, name (or Student), id (Canvas user id; or canvas_id), sis_user_id,
    sis_login_id, section, email (or Email address), id_number (or ID number)

What each LMS reads (their importers' own rules):

- Canvas (Grades > Import): the header ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column per assignment, ``Title (assignment id)`` to match an
  existing assignment, else a new assignment of that title; a row whose first cell is
  ``Points Possible`` gives the points; a student is found by ID, else SIS User ID,
  else SIS Login ID, else name. A blank cell is no grade.
- Moodle (Grades > Import > CSV file): any columns; the teacher maps one identity
  column to ``useremail`` or ``useridnumber`` and the grade column to a grade item. A
  row whose identity is blank or unknown to Moodle aborts the whole import, so every
  row written has one; ``-`` is no grade.

Nobody is dropped silently: a roster student without a submission (``missing``) is
written with no grade; a submission nobody on the roster owns (``unknown``) and a
roster student without the id this LMS needs (``unidentified``) cannot be written and
are listed. ``Export.problems()`` says all of it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from grader.delivery.gradebook import Gradebook, Row
from grader.errors import GraderError

FORMATS = ("canvas", "moodle", "csv")
ROSTER_FIELDS = ("submission", "name", "canvas_id", "sis_user_id", "sis_login_id", "section",
                 "email", "id_number")
# Roster header (normalised: lower case, runs of space/-/_ as one _) -> field.
_ALIASES = {
    "submission": "submission", "folder": "submission",
    "name": "name", "student": "name", "full_name": "name",
    "id": "canvas_id", "canvas_id": "canvas_id",
    "sis_user_id": "sis_user_id", "sis_login_id": "sis_login_id", "section": "section",
    "email": "email", "email_address": "email",
    "id_number": "id_number", "idnumber": "id_number",
}
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_NO_GRADE = "-"


@dataclass(frozen=True)
class Person:
    """One roster row; ``submission`` is the student's folder in the batch."""

    submission: str
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Grade:
    """A roster student's total over the gradebook's exercises (None: nothing submitted)."""

    person: Person
    score: float | None
    rows: tuple[Row, ...]


@dataclass
class Export:
    text: str
    format: str
    written: int
    missing: list[str] = field(default_factory=list)  # on the roster, no submission
    unknown: list[str] = field(default_factory=list)  # submitted, not on the roster
    unidentified: list[str] = field(default_factory=list)  # on the roster, no LMS id
    not_graded: list[str] = field(default_factory=list)  # submitted, could not be graded

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unknown or self.unidentified or self.not_graded)

    def problems(self) -> list[str]:
        lines = [f"missing: {s} is on the roster but has no submission (written with no grade)"
                 for s in self.missing]
        lines += [f"unknown: {s} is in the gradebook but not on the roster (not written)"
                  for s in self.unknown]
        lines += [f"unidentified: {s} (not written)" for s in self.unidentified]
        lines += [f"not graded: {s} (written as its score, 0)" for s in self.not_graded]
        return lines


def _field(header: str) -> str | None:
    return _ALIASES.get(re.sub(r"[\s_\-]+", "_", header.strip().lower()).strip("_"))


def read_roster(path: Path) -> list[Person]:
    """The roster CSV at ``path``; errors name the file, the line and the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is no header
    except (OSError, UnicodeDecodeError) as err:
        raise GraderError(f"cannot read the roster: {err}", path=str(path)) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None) or []
    columns = {i: _field(h) for i, h in enumerate(header)}
    if "submission" not in columns.values():
        raise GraderError("the roster has no submission column", path=str(path), where="line 1",
                          fix="add a `submission` column holding each student's folder name "
                              "(the gradebook's `student` column)")
    people: dict[str, Person] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {f: cells[i].strip() for i, f in columns.items() if f and i < len(cells)}
        person = Person(**values)
        if not person.submission:
            raise GraderError("this roster row has no submission", path=str(path),
                              where=f"line {line_no}",
                              fix="fill in the student's folder name, or delete the row")
        if person.submission in people:
            raise GraderError(f"{person.submission!r} is on the roster twice", path=str(path),
                              where=f"line {line_no}", fix="keep one row per student")
        people[person.submission] = person
    return list(people.values())


def grades(book: Gradebook, roster: Sequence[Person]) -> tuple[list[Grade], list[str]]:
    """Each roster student's total, and the gradebook's students nobody on it owns."""
    by_student: dict[str, list[Row]] = {}
    for row in book.rows:
        by_student.setdefault(row.student, []).append(row)
    out = []
    for person in roster:
        rows = tuple(by_student.get(person.submission, ()))
        score = round(sum(r.score for r in rows), 6) if rows else None
        out.append(Grade(person=person, score=score, rows=rows))
    on_roster = {p.submission for p in roster}
    unknown = sorted(r.submission for r in book.rows if r.student not in on_roster)
    return out, unknown


def points_possible(book: Gradebook) -> float:
    """The points of the whole assignment: each exercise's max score, added up."""
    per_exercise: dict[str, float] = {}
    for row in book.rows:
        per_exercise[row.exercise] = max(per_exercise.get(row.exercise, 0.0), row.max_score)
    return round(sum(per_exercise.values()), 6)


def default_assignment(book: Gradebook) -> str:
    exercises = sorted({r.exercise for r in book.rows if r.exercise})
    return exercises[0] if len(exercises) == 1 else "tapegrader"


def _points(value: float | None, none: str = "") -> str:
    from grader.delivery.report.text import format_points

    return none if value is None else format_points(value)


def _canvas(grades_: list[Grade], total: float, assignment: str, export: Export) -> list[list[str]]:
    rows = [[*CANVAS_HEADER, assignment], ["Points Possible", "", "", "", "", _points(total)]]
    for g in grades_:
        p = g.person
        if not (p.canvas_id or p.sis_user_id or p.sis_login_id or p.name):
            export.unidentified.append(f"{p.submission} has no Canvas id, SIS User ID, SIS "
                                       "Login ID or name on the roster")
            continue
        rows.append([p.name, p.canvas_id, p.sis_user_id, p.sis_login_id, p.section,
                     _points(g.score)])
    return rows


def _moodle(grades_: list[Grade], assignment: str, export: Export) -> list[list[str]]:
    # One identity column for every row: Moodle maps a single column to its users.
    by_email = any(g.person.email for g in grades_) or not any(g.person.id_number
                                                               for g in grades_)
    label, attr = ("Email address", "email") if by_email else ("ID number", "id_number")
    rows = [[label, "Full name", assignment]]
    for g in grades_:
        identity = getattr(g.person, attr)
        if not identity:
            export.unidentified.append(f"{g.person.submission} has no {label.lower()} on the "
                                       "roster (Moodle would stop the whole import at it)")
            continue
        rows.append([identity, g.person.name, _points(g.score, none=MOODLE_NO_GRADE)])
    return rows


def _plain(grades_: list[Grade], total: float) -> list[list[str]]:
    rows = [[*ROSTER_FIELDS, "score", "max_score", "status"]]
    for g in grades_:
        status = "missing" if g.score is None else ",".join(sorted({r.status for r in g.rows}))
        rows.append([getattr(g.person, f) for f in ROSTER_FIELDS]
                    + [_points(g.score), _points(total), status])
    return rows


def export(book: Gradebook, roster: Sequence[Person], *, format: str,
           assignment: str | None = None) -> Export:
    """The ``format`` file's text for ``book``, and who could not be written and why."""
    if format not in FORMATS:
        raise GraderError(f"unknown export format {format!r}",
                          fix=f"use one of: {', '.join(FORMATS)}")
    assignment = assignment or default_assignment(book)
    grades_, unknown = grades(book, roster)
    total = points_possible(book)
    result = Export(text="", format=format, written=0, unknown=unknown,
                    missing=[g.person.submission for g in grades_ if g.score is None],
                    not_graded=sorted(r.submission for g in grades_ for r in g.rows
                                      if r.status != "graded"))
    if format == "canvas":
        rows = _canvas(grades_, total, assignment, result)
        result.written = len(rows) - 2
    elif format == "moodle":
        rows = _moodle(grades_, assignment, result)
        result.written = len(rows) - 1
    else:
        rows = _plain(grades_, total)
        result.written = len(rows) - 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    result.text = out.getvalue()
    return result


def read_gradebook(path: Path) -> Gradebook:
    """The gradebook at ``path``: a ``grader batch --out`` folder or its gradebook.json."""
    from grader.delivery import gradebook

    path = Path(path)
    return gradebook.read(path.parent if path.name == gradebook.JSON_NAME else path)


def write_export(gradebook_path: Path, roster_path: Path, *, format: str, out: Path | None,
                 assignment: str | None = None) -> tuple[Path, Export]:
    """Read both, write the export (``OUT``, default ``<gradebook folder>/<format>.csv``)."""
    from grader.delivery.report.files import atomic_write

    book = read_gradebook(gradebook_path)
    result = export(book, read_roster(roster_path), format=format, assignment=assignment)
    folder = Path(gradebook_path)
    folder = folder.parent if folder.suffix == ".json" else folder
    target = Path(out) if out else folder / f"{format}.csv"
    return atomic_write(target, result.text), result


__all__ = ["FORMATS", "Export", "Person", "export", "read_roster", "write_export"]
