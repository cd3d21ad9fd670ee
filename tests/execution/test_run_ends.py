"""Why a run ended, as data (``RunEnd``), in every sandbox mode, from real kernels."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.grading import sandbox
from grader.grading.execute import Rerun, run_submission
from grader.grading.sandbox import Limits
from grader.results import RunEnd

pytestmark = pytest.mark.slow

_BWRAP = sandbox.bwrap_problem()
MODES = ["basic", pytest.param("bwrap", marks=pytest.mark.skipif(
    _BWRAP is not None, reason=f"bwrap cannot run here: {_BWRAP}"))]
HIDDEN = [Rerun("hidden point 1", {"x0": 2.0}, "x0 = 2.0"),
          Rerun("hidden point 2", {"x0": 3.0}, "x0 = 3.0")]


def _run(mode: str, answer: str, limits: Limits | None = None, cell_timeout: float = 3.0):
    cells = []
    for source, tag in (("x0 = 1.0", "parameters"), (answer, "answer")):
        cell = new_code_cell(source)
        cell.metadata["tags"] = [tag]
        cells.append(cell)
    return run_submission(new_notebook(cells=cells), answers=["grad"], visible_point={"x0": 1.0},
                          reruns=HIDDEN, cell_timeout=cell_timeout, total_timeout=30,
                          limits=limits, sandbox=mode)


@pytest.mark.parametrize("mode", MODES)
def test_a_sleeping_answer_is_a_timeout_not_a_crash_and_is_not_rerun(mode):
    ex = _run(mode, "import time\ntime.sleep(30)\ngrad = 2 * x0 + 2")
    assert ex.end is RunEnd.TIMED_OUT and ex.timed_out and ex.fatal is None
    first = ex.runs[0]
    assert first.end is RunEnd.TIMED_OUT and first.timed_out and not first.kernel_died
    assert [e.ename for e in first.errors] == ["Timeout"]
    assert "3 s time limit" in first.errors[0].evalue
    # The hidden points do not sleep through the limit again: the run ends there.
    assert len(ex.runs) == 2 and "not run again" in ex.runs[1].errors[0].evalue
    assert not any(e.ename == "KernelDied" for r in ex.runs for e in r.errors)


@pytest.mark.parametrize("mode", MODES)
def test_writing_past_the_disk_cap_stops_the_kernel_and_says_so(mode):
    ex = _run(mode, "for i in range(64):\n"
                    "    try:\n"
                    "        open(f'f{i}', 'wb').write(b'x' * (4 << 20))\n"
                    "    except OSError:\n"
                    "        pass\n"
                    "import time\ntime.sleep(20)\ngrad = 1.0",
              limits=Limits(disk_bytes=32 << 20), cell_timeout=25)
    assert ex.end is RunEnd.DISK_LIMIT and not ex.timed_out
    assert ex.fatal == "the submission wrote more than 32 MB to disk and was stopped"
    assert ex.runs[0].end is RunEnd.DISK_LIMIT and not ex.runs[0].kernel_died
    assert len(ex.runs) == 1


@pytest.mark.parametrize("mode", MODES)
def test_too_many_files_stop_the_kernel(mode):
    ex = _run(mode, "import tempfile\ntmp = tempfile.gettempdir()\nfor i in range(3000):\n"
                    "    open(f'{tmp}/n{i}' if i % 2 else f'n{i}', 'w').close()\n"
                    "import time\ntime.sleep(20)\ngrad = 1.0",
              limits=Limits(disk_files=500), cell_timeout=25)
    assert ex.end is RunEnd.DISK_LIMIT
    assert "more than 500 files" in ex.fatal


@pytest.mark.parametrize("mode", MODES)
def test_the_extraction_messages_are_capped(mode):
    # Output made while the answer is read (its ``numpy`` displays 6 MB) lands among
    # the extraction's messages; a replaced ``publish`` would not: the kernel sends
    # through the publisher it started with.
    flood = ("from IPython.display import display\nimport numpy as np\n"
             "class Loud:\n    def numpy(self):\n        for _ in range(64):\n"
             "            display({'application/vnd.tapegrader.answers.v1': 'x' * 100000},"
             " raw=True)\n        return np.zeros(3, dtype=np.float32)\n"
             "grad = Loud()\n")
    ex = _run(mode, flood, limits=Limits(answer_bytes=2 << 20))
    assert ex.end is RunEnd.OUTPUT_LIMIT
    grad = ex.runs[0].answers["grad"]
    assert grad.status == "error" and "2 MiB limit" in grad.error
