"""Ctrl-C for the tests that send it, whatever shell started the suite.

A shell without job control (a script, ``pytest ... &``, a CI step run in the
background) starts its children with SIGINT ignored, and Python keeps an inherited
``SIG_IGN``: no ``KeyboardInterrupt`` ever comes. The grader honours that on purpose
(a job the shell detached from the terminal is not the terminal's to stop), so the
tests that interrupt something set SIGINT up themselves: ``default_sigint`` for a
child process, ``python_sigint`` for the test process.
"""

from __future__ import annotations

import contextlib
import signal
from typing import Iterator


def default_sigint() -> None:
    """A ``preexec_fn``: the child starts with SIGINT at its default, so a Python child
    turns it into ``KeyboardInterrupt`` as it does when run from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ignored_sigint() -> None:
    """A ``preexec_fn``: the child starts as a background job of a script does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def python_sigint() -> Iterator[None]:
    """Inside the block, SIGINT raises ``KeyboardInterrupt`` in this process."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
