"""A bounded pool of grading workers for the server, with a queue that says "full".

``jobs`` worker processes (``grader/serve/worker.py``), each grading one attempt at a
time in a fresh sandboxed kernel started ahead. One thread per worker in the server
process hands it the next job and waits for the report, so the event loop only ever
awaits a future. The queue holds at most ``max_queue`` waiting attempts: past that
``submit`` raises ``QueueFull`` with a Retry-After estimate (the API answers 429),
because a queue that grows without bound only turns a slow server into a dead one.

Nothing an attempt does can leave a page waiting forever: the kernel's own limits end
a hang inside ``grade_parsed`` with a report, and a worker that dies or overruns its
attempt's time limit by ``GRACE_S`` is killed (its kernels with it) and replaced, the
attempt answered with a report saying so. ``close`` stops taking attempts, lets the
queue drain for a grace period, then answers what is left with a report that says it
was not graded, so every accepted attempt ends with a report.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.serve.worker import Job, Settings, not_graded

# A worker may take this long past the attempt's own time limit before it is killed.
GRACE_S = 15.0
_PRELOAD = ["grader.serve.worker", "grader.grading.grade", "grader.grading.execute",
            "grader.grading.check", "grader.grading.reference", "grader.authoring.render",
            "grader.delivery.report", "nbclient", "nbformat", "jupyter_client.manager", "numpy"]
STOPPED = "the server stopped before this attempt was graded: check it again"


class QueueFull(Exception):
    def __init__(self, retry_after: int, queued: int):
        super().__init__(f"the grading queue is full ({queued} waiting)")
        self.retry_after = retry_after
        self.queued = queued


class Closed(Exception):
    """The server is shutting down and takes no new attempt."""


@dataclass
class _Entry:
    job: Job
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    queued_at: float = field(default_factory=time.monotonic)


def _context() -> Any:
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _sweep(kernels: list[tuple[int | None, str]]) -> None:
    """Kill the kernels a stopped worker left behind and delete their folders."""
    from grader.grading.sandbox import PrivateFolders, kill_sandbox

    for pgid, root in kernels:
        folder = Path(root)
        if folder.exists():
            kill_sandbox(pgid, folder=folder)
            PrivateFolders(root=folder, work=folder / "work", tmp=folder / "tmp",
                           runtime=folder / "runtime").remove()


class _Slot:
    """One worker process and what it has told us about its kernels."""

    def __init__(self, ctx: Any, settings: Settings):
        self.ctx, self.settings = ctx, settings
        self.process: Any = None
        self.conn: Any = None
        self.kernels: list[tuple[int | None, str]] = []
        self.busy = False

    def start(self) -> None:
        from grader.serve import worker

        parent, child = self.ctx.Pipe(duplex=True)
        self.process = self.ctx.Process(target=worker.main, args=(child, self.settings),
                                        name="tapegrader-serve-worker", daemon=True)
        self.process.start()
        child.close()
        self.conn = parent

    def stop(self, graceful: bool) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            if graceful:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
                self.process.join(5.0)
            if self.process.is_alive():
                self.process.terminate()  # SIGTERM: it unwinds, closing its kernels
                self.process.join(5.0)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2.0)
        self.conn.close()
        _sweep(self.kernels)
        self.kernels.clear()
        self.process = None

    def grade(self, job: Job, stopping: threading.Event) -> tuple[dict, str]:
        """Send ``job`` and wait for its report; a dead or overrunning worker is replaced
        and the attempt gets a report saying what happened."""
        if self.process is None or not self.process.is_alive():
            if self.process is not None:
                self.stop(graceful=False)
            self.start()
        limit = self.settings.total_timeout + GRACE_S
        deadline = time.monotonic() + limit
        try:
            self.conn.send(job)
            while time.monotonic() < deadline:
                if not self.conn.poll(0.25):
                    if not self.process.is_alive() and not self.conn.poll(0):
                        raise EOFError
                    continue
                message = self.conn.recv()
                if message[0] == "kernel":
                    self.kernels = [k for k in self.kernels if Path(k[1]).exists()]
                    self.kernels.append((message[1], message[2]))
                elif message[0] == "done" and message[1] == job.attempt_id:
                    return message[2], message[3]
        except (EOFError, OSError, BrokenPipeError):
            code = self.process.exitcode if self.process else None
            self.stop(graceful=False)
            if stopping.is_set():
                return not_graded(STOPPED, exercise=job.exercise, submission=job.submission)
            return not_graded(f"the grading process died (exit code {code}) while grading "
                              "this attempt; check it again, and if it happens again run it "
                              "alone with `grader check`", exercise=job.exercise,
                              submission=job.submission)
        self.stop(graceful=False)
        return not_graded(f"grading took longer than {limit:g} s and was stopped",
                          exercise=job.exercise, submission=job.submission, status="timed-out")


class Pool:
    """See the module docstring. ``on_start(attempt_id)`` and ``on_done(attempt_id,
    report, html)`` run in the worker's thread (the server records the attempt there,
    so a report is stored even when the browser that asked has gone)."""

    def __init__(self, settings: Settings, *, jobs: int, max_queue: int,
                 on_start: Callable[[int], None] = lambda _id: None,
                 on_done: Callable[[int, dict, str], None] = lambda *_a: None):
        self.settings, self.jobs, self.max_queue = settings, jobs, max_queue
        self.on_start, self.on_done = on_start, on_done
        self._queue: deque[_Entry] = deque()
        self._running: dict[int, float] = {}  # attempt id -> started (monotonic)
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self._slots: list[_Slot] = []
        self._mean_s = 2.0  # running mean of a check's time, for Retry-After
        self.done = 0

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        ctx = _context()
        for index in range(self.jobs):
            slot = _Slot(ctx, self.settings)
            slot.start()
            self._slots.append(slot)
            thread = threading.Thread(target=self._serve, args=(slot,), daemon=True,
                                      name=f"tapegrader-serve-slot-{index}")
            thread.start()
            self._threads.append(thread)

    def close(self, grace: float = 30.0) -> None:
        """Take no more attempts; let the queue drain for ``grace`` seconds; answer the
        rest with a "not graded" report; stop the workers and their kernels."""
        self._closing.set()
        deadline = time.monotonic() + grace
        with self._cond:
            self._cond.notify_all()
            while (self._queue or self._running) and time.monotonic() < deadline:
                self._cond.wait(min(0.25, max(0.0, deadline - time.monotonic())))
            left = list(self._queue)
            self._queue.clear()
        for entry in left:
            self._deliver(entry, not_graded(STOPPED, exercise=entry.job.exercise,
                                            submission=entry.job.submission))
        for slot in self._slots:  # a busy slot's thread answers its attempt (STOPPED)
            if slot.busy and slot.process is not None and slot.process.is_alive():
                slot.process.terminate()
        for thread in self._threads:
            thread.join(15.0)
        for slot in self._slots:
            slot.stop(graceful=True)

    # ------------------------------------------------------------------ queueing

    async def submit(self, job: Job) -> tuple[dict, str]:
        """Queue ``job`` and wait for its (JSON, HTML) report."""
        loop = asyncio.get_running_loop()
        entry = _Entry(job, loop.create_future(), loop)
        with self._cond:
            if self._closing.is_set():
                raise Closed()
            if len(self._queue) >= self.max_queue:
                raise QueueFull(self.retry_after(len(self._queue)), len(self._queue))
            self._queue.append(entry)
            self._cond.notify()
        return await asyncio.shield(entry.future)

    def retry_after(self, queued: int) -> int:
        """Seconds until a place is likely free: the queue ahead at the measured pace."""
        return max(1, min(120, math.ceil(self._mean_s * (queued + 1) / max(1, self.jobs))))

    def position(self, attempt_id: int) -> int | None:
        """0 while it is being graded, n when n-1 attempts wait before it, None if gone."""
        with self._cond:
            if attempt_id in self._running:
                return 0
            for index, entry in enumerate(self._queue):
                if entry.job.attempt_id == attempt_id:
                    return index + 1
        return None

    def stats(self) -> dict[str, Any]:
        with self._cond:
            return {"queued": len(self._queue), "running": len(self._running),
                    "workers": self.jobs, "max_queue": self.max_queue, "done": self.done,
                    "mean_check_s": round(self._mean_s, 3)}

    # -------------------------------------------------------------------- worker

    def _take(self) -> _Entry | None:
        with self._cond:
            while not self._queue:
                if self._closing.is_set():
                    return None
                self._cond.wait(0.5)
            entry = self._queue.popleft()
            self._running[entry.job.attempt_id] = time.monotonic()
            return entry

    def _serve(self, slot: _Slot) -> None:
        while True:
            entry = self._take()
            if entry is None:
                return
            started = time.monotonic()
            slot.busy = True
            try:
                self.on_start(entry.job.attempt_id)
                outcome = slot.grade(entry.job, self._closing)
            except Exception as err:  # the pool's own failure still ends in a report
                outcome = not_graded(f"the server failed to grade this attempt: "
                                     f"{type(err).__name__}: {err}", exercise=entry.job.exercise,
                                     submission=entry.job.submission)
            finally:
                slot.busy = False
            self._mean_s = 0.8 * self._mean_s + 0.2 * (time.monotonic() - started)
            self._deliver(entry, outcome)

    def _deliver(self, entry: _Entry, outcome: tuple[dict, str]) -> None:
        try:
            self.on_done(entry.job.attempt_id, *outcome)
        finally:
            with self._cond:
                self._running.pop(entry.job.attempt_id, None)
                self.done += 1
                self._cond.notify_all()
            try:
                entry.loop.call_soon_threadsafe(_resolve, entry.future, outcome)
            except RuntimeError:  # the loop has closed: the report is stored all the same
                pass


def _resolve(future: asyncio.Future, outcome: tuple[dict, str]) -> None:
    if not future.done():
        future.set_result(outcome)
