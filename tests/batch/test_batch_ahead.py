"""Kernels started ahead: each worker boots its next submission's kernel while grading
one; nothing it started may outlive a worker that is killed (real kernels)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import classgen
import procs
import pytest

from grader import batch

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")]


def _square_at_three():
    return next(s for s in classgen.gradable_exercises() if s.id == "square_at_three")


def _options() -> batch.Options:
    return batch.Options(exercise=None, exercises_dir=None, seed=None, cell_timeout=10.0,
                          total_timeout=30.0)


def test_killed_worker_leaves_no_kernel_or_folder_and_the_batch_goes_on(tmp_path):
    classgen.write_class(tmp_path / "class", ["hanging", "hanging", "correct"],
                         exercises=[_square_at_three()])
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", "class", "--out", "out",
                             "--jobs", "1", "--timeout", "30"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # One worker: the first student's kernel in a hanging cell, the second's booting.
        kernels, folders = procs.wait_for_kernel_folders(proc.pid, 2)
        assert len(folders) == 2
        workers = {procs.worker_of(k) for k in kernels}
        assert len(workers) == 1
        os.kill(workers.pop(), signal.SIGKILL)
        # The batch kills both kernels and deletes both folders...
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (
                [k for k in kernels if procs.alive(k)] or [f for f in folders if f.exists()]):
            time.sleep(0.1)
        assert not [k for k in kernels if procs.alive(k)]
        assert not [f for f in folders if f.exists()]
        # ...and its replacement grades the two lined up behind the dead one (the second
        # student hangs until the 10 s cell limit).
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    rows = {r["submission"]: r for r in
            json.loads((tmp_path / "out/gradebook.json").read_text())["rows"]}
    assert sorted(rows) == ["student001/hw.ipynb", "student002/hw.ipynb", "student003/hw.ipynb"]
    first, second, third = (rows[k] for k in sorted(rows))
    assert first["status"] == "failed-to-grade" and "exit code -9" in first["error"], err
    assert second["status"] == "timed-out"
    assert third["status"] == "graded" and third["passed"]
    assert proc.returncode == 2


def test_ungradable_notebook_never_gets_a_kernel(tmp_path):
    """Lining up opens the notebook first; only a gradable one starts a kernel."""
    made = classgen.write_class(tmp_path / "class", ["malformed", "correct"],
                                exercises=[_square_at_three()])
    tasks = {t.id: t for t in batch.tasks_for(batch.discover([tmp_path / "class"]),
                                           tmp_path / "out", _options())}
    started = []

    class Recorder:
        def put(self, message):
            started.append(message)

    malformed = next(k for k, v in made.items() if v == "malformed")
    correct = next(k for k, v in made.items() if v == "correct")
    broken = batch.line_up(tasks[malformed], _options(), Recorder())
    assert broken.kernel is None and "not valid JSON" in broken.error and not started
    good = batch.line_up(tasks[correct], _options(), Recorder())
    try:
        assert good.kernel is not None
        assert started == [("kernel", os.getpid(), tasks[correct].seq, good.kernel.pgid,
                            str(good.kernel.folders.root))]
        assert good.kernel.folders.root.is_dir()
        report = batch.grade_lined(good, _options())
        assert report["passed"] and report["score"] == report["max_score"] > 0
    finally:
        good.close()
    assert not good.kernel.folders.root.exists()
    assert batch.grade_lined(broken, _options())["status"] == "failed-to-grade"
