"""The gradebook a batch keeps on disk while it runs.

``gradebook.csv`` and ``gradebook.json`` are rewritten atomically as rows arrive, so
Ctrl-C, SIGTERM or a lost machine leave a consistent gradebook of what finished;
``complete`` in the JSON says whether the run ended.
"""

from __future__ import annotations

import time
from pathlib import Path

from grader.delivery import gradebook


class Book:
    """The gradebook being built: rows by id, rewritten as rows arrive.

    Rewrites are at most one per ``min_interval`` seconds (a 500-row gradebook costs
    about 14 ms to write, and the batch process shares the cores with the kernels);
    the last one is written when the batch ends or is interrupted. A gradebook on disk
    is always a consistent subset of the finished reports.
    """

    def __init__(self, out: Path, class_ids: list[str], shard: tuple[int, int] | None,
                 min_interval: float = 0.5):
        self.out, self.class_ids = out, class_ids
        self.shard = f"{shard[0]}/{shard[1]}" if shard else None
        self.rows: dict[str, gradebook.Row] = {}
        self.min_interval = min_interval
        self.written_at = float("-inf")

    def add(self, row: gradebook.Row, write: bool = True) -> None:
        self.rows[row.submission] = row
        if write and time.monotonic() - self.written_at >= self.min_interval:
            self.write(complete=False)

    def write(self, complete: bool) -> None:
        self.written_at = time.monotonic()
        gradebook.write(self.out, gradebook.Gradebook(
            rows=tuple(self.rows.values()), class_ids=tuple(self.class_ids), shard=self.shard,
            complete=complete))

