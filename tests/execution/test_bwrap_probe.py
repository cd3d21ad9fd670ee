"""Where bubblewrap itself works, our wrapping of the kernel must work too.

The adversarial suite skips its bwrap cases when ``bwrap_problem()`` reports one;
without this test a mistake in our own bwrap command line (a bind hidden by the
private /tmp, say) would quietly turn every bwrap case into a skip.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from grader.grading import sandbox


def _bwrap_works_at_all() -> str | None:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return "bwrap is not installed"
    proc = subprocess.run([bwrap, "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev",
                           "--proc", "/proc", "true"], capture_output=True, timeout=20)
    if proc.returncode != 0:
        return f"bwrap cannot create namespaces here: {proc.stderr.decode()[-200:]}"
    return None


def test_our_bwrap_wrapping_runs_wherever_bwrap_does():
    reason = _bwrap_works_at_all()
    if reason:
        pytest.skip(reason)
    sandbox._PROBE.clear()
    assert sandbox.bwrap_problem() is None

