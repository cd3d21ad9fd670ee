"""The gradebook: one row per submission, as CSV for spreadsheets and JSON for tools.

``grader batch`` writes it (rewritten after every finished submission, atomically, so
an interrupted batch leaves a consistent gradebook of what finished) and ``grader
merge`` reads shard gradebooks back. The JSON form also lists the whole class the
batch discovered (``class``) and the shard it graded, which is what lets ``merge``
say which submissions are missing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Sequence

from grader.errors import GraderError

FORMAT_VERSION = 1
CSV_NAME = "gradebook.csv"
JSON_NAME = "gradebook.json"
STATUSES = ("graded", "failed-to-grade", "timed-out")


@dataclass(frozen=True)
class Row:
    """One submission's line. ``submission`` is its id: the path under the folder given."""

    student: str
    submission: str
    exercise: str
    score: float
    max_score: float
    status: str
    passed: bool
    duration_s: float
    report: str = ""  # the HTML report, relative to the gradebook's folder
    error: str = ""  # why it could not be graded (first line), if it could not
    # None, or what the grader-side scan of the notebook's code asks the instructor to
    # look at ("needs review: imports grader.tape.provenance"): from the report.
    integrity: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> "Row":
        names = {f.name for f in fields(cls)}
        missing = [n for n in ("student", "submission", "score", "max_score", "status")
                   if n not in data]
        if missing:
            raise GraderError(f"a gradebook row lacks {', '.join(missing)}", path=where,
                              fix="regenerate this gradebook with `grader batch`")
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Gradebook:
    rows: tuple[Row, ...]
    class_ids: tuple[str, ...]  # every submission the batch discovered, all shards
    shard: str | None = None  # "K/N", or None for the whole class
    complete: bool = True  # False while running or after an interruption

    def to_json(self) -> dict[str, Any]:
        return {"tool": "tapegrader", "version": FORMAT_VERSION, "shard": self.shard,
                "complete": self.complete, "class_size": len(self.class_ids),
                "rows": [asdict(r) for r in self.rows], "class": list(self.class_ids)}


def csv_text(rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(Row)])
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, f.name)) for f in fields(Row)])
    return out.getvalue()


# What a spreadsheet may read as the start of a formula (OWASP's list for CSV
# injection): the four operators, and TAB and CR, which some programs skip before them.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """Numbers as written; text that a spreadsheet would run as a formula is quoted off."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        if value.startswith(_FORMULA_STARTS):
            value = "'" + value
        # csv quotes a cell holding the line terminator (LF) but not a bare CR, which
        # most readers take as the end of the row: written as a line break instead.
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write(folder: Path, book: Gradebook) -> tuple[Path, Path]:
    """Write ``gradebook.csv`` and ``gradebook.json`` into ``folder`` (each atomically)."""
    from grader.delivery.report.files import atomic_write

    rows = sorted(book.rows, key=lambda r: r.submission)
    book = Gradebook(rows=tuple(rows), class_ids=tuple(sorted(book.class_ids)),
                     shard=book.shard, complete=book.complete)
    json_path = atomic_write(folder / JSON_NAME,
                             json.dumps(book.to_json(), indent=2, ensure_ascii=False) + "\n")
    csv_path = atomic_write(folder / CSV_NAME, csv_text(rows))
    return csv_path, json_path


def read(folder: Path) -> Gradebook:
    """The gradebook a batch wrote into ``folder`` (its JSON form)."""
    path = Path(folder) / JSON_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraderError("no gradebook here", path=str(path),
                          fix="pass the --out folder of a `grader batch` run") from None
    except (OSError, ValueError) as err:
        raise GraderError(f"cannot read the gradebook: {err}", path=str(path),
                          fix="rerun the batch that wrote it (it resumes)") from None
    if not isinstance(data, dict) or data.get("tool") != "tapegrader" or not isinstance(
            data.get("rows"), list):
        raise GraderError("not a tapegrader gradebook", path=str(path),
                          fix="pass the --out folder of a `grader batch` run")
    rows = tuple(Row.from_json(r, str(path)) for r in data["rows"])
    return Gradebook(rows=rows, class_ids=tuple(data.get("class") or ()),
                     shard=data.get("shard"), complete=bool(data.get("complete")))
