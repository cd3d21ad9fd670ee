"""Join the gradebooks of a sharded class into one, and say what does not add up.

Each shard's ``gradebook.json`` lists the whole class its batch discovered (``class``)
next to the rows it graded. The merge is the union of the rows; a submission of the
class with no row is *missing* (a shard that never ran, or was interrupted), one with
rows from two gradebooks is *graded twice* (shards given different class folders or
different N). The first row found is kept for a duplicate, in the order the folders
were given, and both places are reported. Each row keeps its ``integrity`` note.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from grader.delivery import gradebook


@dataclass
class MergeOutcome:
    rows: list[gradebook.Row]
    class_ids: list[str]
    missing: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # id -> folders
    incomplete: list[str] = field(default_factory=list)  # folders whose batch did not end
    class_mismatch: list[str] = field(default_factory=list)  # folders with another class

    @property
    def needs_review(self) -> list[str]:
        """Rows the integrity scan flagged (``integrity`` set): not a merge problem, but
        worth a line, since a merged gradebook is where an instructor reads a class."""
        return [r.submission for r in self.rows if r.integrity]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicates or self.incomplete or self.class_mismatch)

    def problems(self) -> list[str]:
        lines = []
        if self.missing:
            lines.append(f"{len(self.missing)} submissions have no row: "
                         + ", ".join(self.missing[:20]) + (" ..." if len(self.missing) > 20 else ""))
        for sub_id, where in sorted(self.duplicates.items()):
            lines.append(f"{sub_id} was graded {len(where)} times: in {', '.join(where)} "
                         f"(kept the row from {where[0]})")
        for folder in self.incomplete:
            lines.append(f"{folder}: its batch did not finish (rerun that shard: it resumes)")
        for folder in self.class_mismatch:
            lines.append(f"{folder}: graded a different list of submissions than the first "
                         "gradebook (give every shard the same PATHs)")
        return lines


def _report_path(row: gradebook.Row, source: Path, out: Path) -> str:
    """The row's report, relative to the merged gradebook's folder."""
    if not row.report:
        return ""
    return Path(os.path.relpath((source / row.report).resolve(), out.resolve())).as_posix()


def merge_gradebooks(folders: Sequence[str | Path], *, out: str | Path) -> MergeOutcome:
    """Read each folder's gradebook, write the merged one into ``out``, report problems."""
    out = Path(out)
    books = [(Path(f), gradebook.read(Path(f))) for f in folders]
    class_ids: list[str] = []
    seen_class: set[str] = set()
    first_class = set(books[0][1].class_ids) if books else set()
    kept: dict[str, gradebook.Row] = {}
    where: dict[str, list[str]] = {}
    outcome = MergeOutcome(rows=[], class_ids=[])
    for folder, book in books:
        if not book.complete:
            outcome.incomplete.append(str(folder))
        if set(book.class_ids) != first_class:
            outcome.class_mismatch.append(str(folder))
        for sub_id in book.class_ids:
            if sub_id not in seen_class:
                seen_class.add(sub_id)
                class_ids.append(sub_id)
        for row in book.rows:
            where.setdefault(row.submission, []).append(str(folder))
            if row.submission not in kept:
                kept[row.submission] = replace(row, report=_report_path(row, folder, out))
    outcome.duplicates = {k: v for k, v in where.items() if len(v) > 1}
    outcome.missing = sorted(set(class_ids) - set(kept))
    outcome.rows = sorted(kept.values(), key=lambda r: r.submission)
    outcome.class_ids = sorted(set(class_ids) | set(kept))
    gradebook.write(out, gradebook.Gradebook(rows=tuple(outcome.rows),
                                             class_ids=tuple(outcome.class_ids),
                                             shard=None, complete=outcome.ok))
    return outcome
