"""The worker processes of a batch, and how the batch process feeds them.

``jobs`` processes are started once from a fork server that has imported the grader,
nbclient and numpy, so the grader's own start is paid once per batch, not once per
student. Each worker grades one submission at a time, each in its own new kernel,
with ``ahead`` more lined up behind it (``grader.batch.ahead``). The batch process
sends every task and so knows what each worker holds: a worker that dies or overruns
is replaced, and the tasks it had not begun go to its replacement. Workers send back
plain data only (a row as a dict; a kernel's pgid and folder).
"""

from __future__ import annotations

import signal
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from grader.batch import one
from grader.batch.ahead import Lined, grade_lined, line_up, sweep_kernels
from grader.batch.one import Options, Task

# Modules the fork server imports once, so every worker starts with them loaded.
PRELOAD = ["grader.batch", "grader.grading.grade", "grader.grading.execute",
           "grader.grading.check", "grader.grading.reference", "grader.authoring.render",
           "grader.delivery.report", "grader.authoring.spec", "nbclient", "nbformat",
           "jupyter_client.manager", "numpy"]


# What the batch process sends a worker that asks for one more task when none is left.
_DRAINED = "drained"


def raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def worker_main(tasks: Any, results: Any, options: Options, grade: Callable[..., Any] | None,
                ahead: int) -> None:
    """One worker: grade the tasks sent to it in order, until told to stop.

    With the built-in grader (``grade`` None) the worker keeps ``ahead`` submissions
    lined up behind the one it grades, their kernels booting meanwhile. The batch
    process answers every finished task with one message (a task or ``_DRAINED``), so
    the worker's line is refilled before it grades the next one.

    Ctrl-C reaches the batch process, which stops the workers with SIGTERM; that
    unwinds the grading in progress and closes every kernel in the line.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, raise_interrupt)
    line: deque[Lined] = deque()
    drained = False
    try:
        while True:
            while not line or (not drained and len(line) <= ahead):
                # EOFError here when the batch process is gone (its end of the pipe closed).
                message = tasks.recv()
                if message is None:
                    return
                if isinstance(message, str):  # _DRAINED
                    drained = True
                    continue
                line.append(line_up(message, options, results) if grade is None
                            else Lined(message))
            lined = line[0]
            if grade is None:
                report = grade_lined(lined, options)
            else:
                report = one.grade_task(lined.task, options, grade)
            line.popleft().close()
            results.put(("done", lined.task.seq, asdict(one.row(lined.task, report))))
    except (KeyboardInterrupt, EOFError, OSError):
        return
    finally:
        for lined in line:
            lined.close()


@dataclass
class Worker:
    process: Any
    conn: Any
    tasks: list[Task] = field(default_factory=list)  # sent to it, in the order it grades
    since: float = 0.0  # when it began grading tasks[0]
    drained: bool = False  # told that no task is left
    kernels: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # seq -> kernel

    @property
    def task(self) -> Task | None:
        """The task it is grading now."""
        return self.tasks[0] if self.tasks else None


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class Pool:
    """``jobs`` worker processes; each is sent ``1 + ahead`` tasks, then one more per task
    it finishes, by the batch process (which so knows what every worker holds)."""

    def __init__(self, jobs: int, options: Options, grade: Callable[..., Any] | None,
                 ahead: int):
        self.ctx = _context()
        self.options = options
        self.grade = grade
        self.ahead = ahead if grade is None else 0
        self.results = self.ctx.Queue()
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self) -> Worker:
        receive, send = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(target=worker_main, name="tapegrader-worker", daemon=True,
                                   args=(receive, self.results, self.options, self.grade,
                                         self.ahead))
        process.start()
        receive.close()
        return Worker(process=process, conn=send)

    def fill(self, worker: Worker, pending: list[Task], slots: int = 1) -> None:
        """Send ``worker`` up to ``slots`` tasks from ``pending`` (popped from its end), or
        ``_DRAINED`` once none is left. A dead worker's send fails: its task goes back,
        and ``_watch`` replaces the worker."""
        for _ in range(slots):
            if worker.drained:
                return
            if not pending:
                worker.drained = True
                try:
                    worker.conn.send(_DRAINED)
                except OSError:
                    pass
                return
            task = pending.pop()
            try:
                worker.conn.send(task)
            except OSError:
                pending.append(task)
                return
            if not worker.tasks:
                worker.since = time.monotonic()
            worker.tasks.append(task)

    def start_all(self, pending: list[Task]) -> None:
        for worker in self.workers:
            self.fill(worker, pending, slots=1 + self.ahead)

    def finished(self, seq: int, pending: list[Task]) -> None:
        """A worker finished task ``seq``: its next task starts, and it gets one more."""
        for worker in self.workers:
            if worker.tasks and worker.tasks[0].seq == seq:
                worker.tasks.pop(0)
                worker.kernels.pop(seq, None)
                worker.since = time.monotonic()
                self.fill(worker, pending)
                return

    def kernel_started(self, pid: int, seq: int, pgid: int | None, root: str) -> None:
        for worker in self.workers:
            if worker.process.pid == pid:
                worker.kernels[seq] = (pgid, root)
                return
        sweep_kernels({seq: (pgid, root)})  # from a worker replaced since: it is gone

    def replace(self, worker: Worker, pending: list[Task]) -> None:
        """Stop ``worker`` and start another; the tasks it had not begun go back."""
        self._stop(worker, graceful=False)
        pending.extend(reversed(worker.tasks[1:]))
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        self.fill(fresh, pending, slots=1 + self.ahead)

    def _stop(self, worker: Worker, graceful: bool) -> None:
        process = worker.process
        if process.is_alive():
            if graceful:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
            else:
                process.terminate()  # SIGTERM: the worker unwinds, closing its kernels
            process.join(5.0)
            if process.is_alive():
                process.kill()
                process.join(2.0)
        worker.conn.close()
        sweep_kernels(worker.kernels)

    def close(self, graceful: bool = True) -> None:
        for worker in self.workers:
            if not graceful and worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            self._stop(worker, graceful)
        self.results.close()
        self.results.join_thread()

