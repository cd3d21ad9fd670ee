"""``run_batch``: a class from PATHs to a gradebook, one stage of the package at a time.

discover (``discovery``) -> shard (``shards``) -> keep what a finished report still
covers (``resume``) -> grade the rest in worker processes (``pool``, ``ahead``, ``one``)
-> rows into the gradebook as they arrive (``book``), counts to the terminal
(``progress``).

A submission cannot stop the batch: one that cannot be graded gets a row and a report
saying why; a worker that dies or overruns its time is replaced, its submission
recorded as failed-to-grade or timed-out, the kernels it had started killed and their
folders deleted, and the submissions lined up behind it given to its replacement.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from grader.batch import one
from grader.batch.book import Book
from grader.batch.discovery import Submission, discover_all
from grader.batch.one import Options, Task
from grader.batch.pool import Pool, raise_interrupt
from grader.batch.progress import Progress
from grader.batch.resume import SpecHashes, finished_report, grading_key
from grader.batch.shards import select_shard
from grader.delivery import gradebook
from grader.errors import EXIT_FAILED, EXIT_PASSED, EXIT_UNGRADABLE, UsageError

REPORTS_DIR = "reports"
# Kernels each worker keeps booting for its next submissions while it grades one.
# Measured on 2 cores (tests/bench/bench_batch.py, README "Grading a class").
KERNELS_AHEAD = 1
# A worker gets this long beyond the submission's own time limit before it is killed.
_WORKER_GRACE_S = 30.0


@dataclass
class BatchOutcome:
    rows: list[gradebook.Row]
    graded: list[str] = field(default_factory=list)  # ids graded by this run
    resumed: list[str] = field(default_factory=list)  # ids kept from finished reports
    interrupted: bool = False
    out: Path = Path(".")
    class_size: int = 0

    @property
    def exit_code(self) -> int:
        """DESIGN.md's codes for the class: 2 if any could not be graded, else 1 if any
        check failed, else 0 (130 after an interruption)."""
        if self.interrupted:
            return 130
        if any(r.status == "failed-to-grade" for r in self.rows):
            return EXIT_UNGRADABLE
        return EXIT_PASSED if all(r.passed for r in self.rows) else EXIT_FAILED


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)



def tasks_for(selected: Sequence[Submission], out: Path, options: Options) -> list[Task]:
    """One task per submission; a refused one is keyed without reading its file."""
    spec_hash = SpecHashes(Path(options.exercises_dir) if options.exercises_dir else None)
    tasks = []
    for seq, sub in enumerate(selected):
        rel = f"{REPORTS_DIR}/{sub.stem}"
        key = {"refused": sub.refused} if sub.refused else grading_key(
            sub.path, exercise=options.exercise, spec_hash=spec_hash, seed=options.seed)
        tasks.append(Task(
            seq=seq, path=str(sub.path), id=sub.id, student=sub.student,
            html=str(out / f"{rel}.html"), json=str(out / f"{rel}.json"),
            report_rel=f"{rel}.html", key=key, refused=sub.refused))
    return tasks


def run_batch(paths: Sequence[str | Path], *, out: str | Path, jobs: int | None = None,
              shard: tuple[int, int] | None = None, force: bool = False,
              exercise: str | None = None, exercises_dir: str | Path | None = None,
              seed: int | None = None, total_timeout: float = 60.0,
              cell_timeout: float | None = None, sandbox: str = "auto",
              grade: Callable[..., Any] | None = None,
              progress: TextIO | None = None, progress_interval: float = 10.0,
              tty: bool | None = None, ahead: int | None = None) -> BatchOutcome:
    """Grade every submission under ``paths`` (of shard ``(K, N)``) into ``out``.

    Each of the ``jobs`` workers keeps ``ahead`` (default ``KERNELS_AHEAD``) kernels
    booting for its next submissions while it grades one. ``grade`` replaces the
    built-in grader with a function of ``grade.grade_notebook``'s signature (for tests;
    importable by name, as it is sent to worker processes); it starts nothing ahead.
    """
    from grader.grading.sandbox import hide_secrets_from_proc

    hide_secrets_from_proc()  # a kernel in basic mode may read /proc/<this pid>/environ
    out = Path(out)
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: at least one job is needed", fix="use --jobs 1 or more")
    discovery = discover_all(paths, exclude=[out])
    found = discovery.submissions
    if not found:
        raise UsageError("no notebook (.ipynb) found", path=", ".join(map(str, paths)),
                         fix="give notebooks, folders of notebooks or a quoted glob")
    selected = select_shard(found, shard)
    if cell_timeout is None:
        from grader.grading.grade import DEFAULT_CELL_TIMEOUT

        cell_timeout = min(DEFAULT_CELL_TIMEOUT, total_timeout)
    options = Options(exercise=exercise, exercises_dir=str(exercises_dir) if exercises_dir else None,
                       seed=seed, cell_timeout=cell_timeout, total_timeout=total_timeout,
                       sandbox=sandbox)
    book = Book(out, [s.id for s in found], shard)
    meter = Progress(len(selected), stream=progress or sys.stderr, tty=tty,
                     interval=progress_interval)
    outcome = BatchOutcome(rows=[], out=out, class_size=len(found))
    stream = progress or sys.stderr
    for note in discovery.notes:
        stream.write(f"grader: {_printable(note)}\n")
    todo = []
    for task in tasks_for(selected, out, options):
        if task.refused:  # nothing to read or run: its reports say why, now
            book.add(one.row(task, one.not_graded(task, task.refused)), write=False)
            meter.add(book.rows[task.id])
            outcome.graded.append(task.id)
            continue
        report = None if force else finished_report(Path(task.json), task.key)
        if report is None:
            todo.append(task)
        else:
            book.add(one.row(task, report), write=False)
            meter.add(book.rows[task.id], resumed=True)
            outcome.resumed.append(task.id)
    book.write(complete=not todo)
    if todo:
        ahead = KERNELS_AHEAD if ahead is None else ahead
        outcome.interrupted = not _grade_all(todo, options, grade, min(jobs, len(todo)), ahead,
                                             book, meter, outcome)
    meter.close()
    book.write(complete=not outcome.interrupted)
    outcome.rows = sorted(book.rows.values(), key=lambda r: r.submission)
    return outcome



def _grade_all(todo: list[Task], options: Options, grade: Callable[..., Any] | None,
               jobs: int, ahead: int, book: Book, meter: Progress,
               outcome: BatchOutcome) -> bool:
    """Grade ``todo`` in ``jobs`` workers; False when interrupted (Ctrl-C or SIGTERM)."""
    previous = None
    if _in_main_thread():
        previous = signal.signal(signal.SIGTERM, raise_interrupt)
    pending = list(reversed(todo))
    pool = None
    try:
        pool = Pool(jobs, options, grade, ahead)
        pool.start_all(pending)
        remaining = {t.seq for t in todo}
        while remaining:
            try:
                message = pool.results.get(timeout=0.2)
            except queue.Empty:
                message = None
            if message is not None and message[0] == "kernel":
                pool.kernel_started(*message[1:])
            elif message is not None:
                _, seq, row_data = message
                pool.finished(seq, pending)
                if seq in remaining:
                    remaining.discard(seq)
                    row = gradebook.Row(**row_data)
                    book.add(row)
                    outcome.graded.append(row.submission)
                    meter.add(row)
            _watch(pool, pending, options, book, meter, outcome, remaining)
            meter.tick()
        pool.close(graceful=True)
        return True
    except KeyboardInterrupt:
        if pool is not None:
            pool.close(graceful=False)
        return False
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _watch(pool: Pool, pending: list[Task], options: Options, book: Book, meter: Progress,
           outcome: BatchOutcome, remaining: set[int]) -> None:
    """Replace a worker that died or overran; its submission gets a row saying so, the
    ones lined up behind it go to other workers."""
    limit = options.total_timeout + _WORKER_GRACE_S
    for worker in list(pool.workers):
        task = worker.task
        dead = not worker.process.is_alive()
        overdue = task is not None and time.monotonic() - worker.since > limit
        if not (dead or overdue):
            continue
        code = worker.process.exitcode
        pool.replace(worker, pending)
        if task is None or task.seq not in remaining:
            continue
        if overdue:
            report = one.not_graded(task, f"grading took longer than {limit:g} s and was stopped",
                                 status="timed-out", duration_s=limit)
        else:
            report = one.not_graded(task, f"the grading process died (exit code {code}) while "
                                       "grading this submission; grade it alone with "
                                       "`grader check` to see why")
        remaining.discard(task.seq)
        row = one.row(task, report)
        book.add(row)
        outcome.graded.append(row.submission)
        meter.add(row)


def _printable(text: str) -> str:
    from grader.delivery.report.terminal import printable

    return printable(text)
