"""One grading worker process: grade the notebooks sent to it, one at a time, each in
its own fresh sandboxed kernel, with the next kernel already booting.

This is the batch worker's idea applied to a server (``grader/batch``): kernel start
is most of a check's cost, so the kernel for the *next* attempt is started as soon as
one is handed out. Unlike a batch, the next notebook is not known yet, so the kernel
is started for an empty notebook; when the attempt arrives, ``grade_parsed`` runs the
attempt's notebook in it (the handle runs the notebook object it holds, and the copy
in the kernel's working folder is rewritten first). A kernel still serves exactly one
attempt and is killed after it, like every kernel of the grader.

Messages (``multiprocessing`` pipe): the parent sends ``Job``; the worker answers
``(attempt_id, report_json, report_html)``; ``None`` asks it to stop.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBMISSION_NAME = "submission.ipynb"


@dataclass(frozen=True)
class Settings:
    exercises_dir: str
    sandbox: str
    cell_timeout: float
    total_timeout: float
    ahead: bool = True


@dataclass(frozen=True)
class Job:
    attempt_id: int
    notebook: bytes  # the .ipynb file to grade
    exercise: str  # the exercise it is graded as
    submission: str  # how the report names it


def rendered(result: Any) -> tuple[dict, str]:
    """(JSON report, HTML report) of a ``GradeResult``: the report package's own."""
    from grader.delivery.report import json_report, render_html

    return json_report(result), render_html(result)


def not_graded(message: str, *, exercise: str, submission: str,
               status: str = "failed-to-grade") -> tuple[dict, str]:
    from grader.grading.grade import failed_to_grade

    return rendered(failed_to_grade(submission, message, exercise=exercise, status=status))


@dataclass
class Ahead:
    """A kernel booting for an attempt that has not arrived yet, and the notebook object
    it will run: filled in place with the attempt's notebook when it comes."""

    kernel: Any
    nb: Any

    @classmethod
    def start(cls, settings: Settings) -> "Ahead | None":
        import nbformat

        from grader.grading.execute import start_kernel

        nb = nbformat.v4.new_notebook()
        try:
            return cls(start_kernel(nb, total_timeout=settings.total_timeout,
                                    submission_name=SUBMISSION_NAME, sandbox=settings.sandbox),
                       nb)
        except Exception:  # no folder for it: grade_parsed starts one and reports why
            return None

    def close(self) -> None:
        self.kernel.close()


def grade(job: Job, settings: Settings, ahead: Ahead | None) -> tuple[dict, str]:
    """Grade ``job`` in the kernel of ``ahead`` (or one of its own when None); never
    raises for anything the attempt does."""
    import tempfile

    from grader.errors import GraderError
    from grader.grading.grade import grade_parsed, open_submission

    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="tapegrader-serve-") as folder:
            path = Path(folder) / SUBMISSION_NAME
            path.write_bytes(job.notebook)
            nb, data, _ = open_submission(path, job.exercise)
        kernel = None
        if ahead is not None:
            ahead.nb.clear()
            ahead.nb.update(nb)
            nb, kernel = ahead.nb, ahead.kernel
            # The student's code may read its own notebook: give it this attempt's.
            (kernel.folders.work / SUBMISSION_NAME).write_bytes(job.notebook)
        result = grade_parsed(nb, data, job.exercise, submission=job.submission,
                              exercises_dir=Path(settings.exercises_dir), seed=None,
                              cell_timeout=settings.cell_timeout,
                              total_timeout=settings.total_timeout, started=started,
                              kernel=kernel, sandbox=settings.sandbox)
        ahead = None  # grade_parsed closed its kernel
        result.submission = job.submission
        return rendered(result)
    except GraderError as err:  # an unreadable upload, or the instructor's broken spec
        return not_graded(str(err), exercise=job.exercise, submission=job.submission)
    except Exception as err:  # a grader bug costs this attempt, never the worker
        return not_graded(f"the grader failed on this attempt: {type(err).__name__}: {err}",
                          exercise=job.exercise, submission=job.submission)
    finally:
        if ahead is not None:
            ahead.close()


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(conn: Any, settings: Settings) -> None:
    """The worker loop (the target of the pool's process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, _stop)
    from grader.grading.sandbox import hide_secrets_from_proc

    hide_secrets_from_proc()
    ahead = None
    try:
        ahead = _next(conn, settings)
        while True:
            job = conn.recv()
            if job is None:
                return
            current, ahead = ahead, None
            report, page = grade(job, settings, current)
            conn.send(("done", job.attempt_id, report, page))
            ahead = _next(conn, settings)
    except (KeyboardInterrupt, EOFError, OSError):
        return
    finally:
        if ahead is not None:
            ahead.close()


def _next(conn: Any, settings: Settings) -> Ahead | None:
    """Start the next kernel ahead and tell the parent its process group and folder, so
    the parent can kill it if this worker dies or is stopped for overrunning."""
    if not settings.ahead:
        return None
    ahead = Ahead.start(settings)
    if ahead is not None:
        conn.send(("kernel", ahead.kernel.pgid, str(ahead.kernel.folders.root)))
    return ahead
