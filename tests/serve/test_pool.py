"""The grading pool's promises: a hanging answer ends in a report, and a shutdown
answers the attempt it interrupts with a report instead of leaving it unanswered."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from serve_helpers import EXERCISE

from grader import resources
from grader.serve.course import Course
from grader.serve.pool import STOPPED, Pool
from grader.serve.worker import Job, Settings

pytestmark = pytest.mark.slow


def _pool(total_timeout: float, done: list) -> Pool:
    settings = Settings(exercises_dir=str(resources.exercises_dir()), sandbox="auto",
                        cell_timeout=total_timeout, total_timeout=total_timeout)
    pool = Pool(settings, jobs=1, max_queue=4,
                on_done=lambda attempt, report, html: done.append((attempt, report, html)))
    pool.start()
    return pool


def _job(attempt: int, code: str) -> Job:
    data = Course(resources.exercises_dir()).notebook_bytes(EXERCISE, code)
    return Job(attempt_id=attempt, notebook=data, exercise=EXERCISE, submission=f"a{attempt}")


def test_a_hanging_answer_ends_in_a_report():
    done: list = []
    pool = _pool(3.0, done)
    try:
        started = time.monotonic()
        report, html = asyncio.run(pool.submit(_job(1, "import time\ntime.sleep(10**6)\n")))
        assert time.monotonic() - started < 30
        assert report["passed"] is False
        assert "time limit" in (" ".join(report["errors"]) + html).lower()
        assert done[0][0] == 1
    finally:
        pool.close(grace=1.0)


def test_shutdown_answers_the_running_attempt():
    done: list = []
    pool = _pool(60.0, done)
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(
        pool.submit(_job(7, "import time\ntime.sleep(10**6)\n")))))
    thread.start()
    deadline = time.monotonic() + 30
    while pool.position(7) != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.position(7) == 0
    pool.close(grace=0.5)
    thread.join(30)
    assert [d[0] for d in done] == [7]
    assert done[0][1]["errors"] == [STOPPED] and done[0][1]["status"] == "failed-to-grade"
    assert outcome and outcome[0][0]["errors"] == [STOPPED]
