"""Progress of a batch: a bar on a terminal, a plain line now and then in a CI log.

It shows counts only, never a submission's name: nothing a notebook controls reaches
the terminal this way.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

from grader.delivery import gradebook


class Progress:
    """A bar redrawn in place on a terminal; a plain line every ``interval`` s otherwise."""

    def __init__(self, total: int, *, stream: TextIO, tty: bool | None = None,
                 interval: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.total, self.stream, self.interval, self.clock = total, stream, interval, clock
        self.tty = stream.isatty() if tty is None else tty
        self.counts = {"passed": 0, "failed": 0, "failed-to-grade": 0, "timed-out": 0}
        self.done = 0
        self.resumed = 0
        self.started = clock()
        self.last_line = self.started

    def add(self, row: gradebook.Row, *, resumed: bool = False) -> None:
        self.done += 1
        self.resumed += resumed
        if row.status == "graded":
            self.counts["passed" if row.passed else "failed"] += 1
        else:
            self.counts[row.status] = self.counts.get(row.status, 0) + 1
        self.tick(force=self.tty)

    def text(self) -> str:
        elapsed = self.clock() - self.started
        fresh = self.done - self.resumed
        rate = fresh / elapsed if elapsed > 0 and fresh else 0.0
        left = self.total - self.done
        eta = f", about {_clock(left / rate)} left" if rate and left else ""
        c = self.counts
        parts = [f"{self.done}/{self.total} done", f"{c['passed']} passed", f"{c['failed']} failed"]
        if c["failed-to-grade"]:
            parts.append(f"{c['failed-to-grade']} not graded")
        if c["timed-out"]:
            parts.append(f"{c['timed-out']} timed out")
        if self.resumed:
            parts.append(f"{self.resumed} kept from an earlier run")
        return f"{', '.join(parts)} ({rate:.1f}/s{eta})"

    def tick(self, force: bool = False) -> None:
        now = self.clock()
        if self.tty:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.text()}\x1b[K")
            self.stream.flush()
        elif force or now - self.last_line >= self.interval:
            self.last_line = now
            self.stream.write(f"grading: {self.text()}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.tick()
            self.stream.write("\n")
        else:
            self.stream.write(f"grading: {self.text()}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"
