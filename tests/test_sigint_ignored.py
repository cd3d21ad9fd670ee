"""The Ctrl-C tests pass when the suite runs with SIGINT ignored.

That is how a shell without job control starts a background job (``pytest &`` in a
script, some CI runners): ``signal.getsignal(SIGINT) == SIG_IGN`` from the start. The
tests here run the interrupt tests' own scenarios in a pytest started exactly so.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sigint import ignored_sigint

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
INTERRUPT_TESTS = [
    "execution/test_execute_run.py::test_ctrl_c_in_the_grader_still_kills_the_kernel",
    "batch/test_batch_pool.py::test_interrupted_batch_keeps_a_consistent_gradebook_and_resumes",
]


def test_the_setup_really_ignores_sigint():
    shown = subprocess.run(
        [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT) is "
                               "signal.SIG_IGN)"],
        capture_output=True, text=True, preexec_fn=ignored_sigint, timeout=60)
    assert shown.stdout.strip() == "True", shown.stderr


def test_interrupt_tests_pass_with_sigint_ignored(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(TESTS.parent), f"--basetemp={tmp_path / 'inner'}",
         *(str(TESTS / t) for t in INTERRUPT_TESTS)],
        capture_output=True, text=True, preexec_fn=ignored_sigint, timeout=240,
        cwd=TESTS.parent)
    tail = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0, tail
    # One kernel test and the batch test for SIGINT and for SIGTERM.
    assert "3 passed" in done.stdout, tail
