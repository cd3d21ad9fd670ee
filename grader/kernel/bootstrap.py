"""Start a graded kernel: the evidence and the extraction are bound before any cell.

``launch`` does what ``python -m ipykernel_launcher`` does, with these steps first:
no debugger (ipykernel imports debugpy at start, 60 ms, a sixth of the boot, only to
offer a debugger nobody attaches here); the engine imported while the kernel boots
(every exercise imports it, so the cost overlaps the grader's own work); the tape's
listener installed, which records a call only when it comes from the tape's own
``gradient``/``jacobian``/``batch_jacobian`` (a notebook calling ``notify`` itself is
not heard); and, once IPython's shell exists, a ``Watch`` of what the extraction
relies on and ``answers.bind``. A broken engine still lets the kernel start: its
answers then simply carry no tape evidence.
"""

from __future__ import annotations

import os
import sys

_TAPE_METHODS = ("gradient", "jacobian", "batch_jacobian", "__enter__", "__exit__", "watch")


def _guarded(note, trusted: frozenset, notify_code):
    getframe = sys._getframe

    def listener(op, targets, sources, results):
        caller = getframe(1)
        if caller.f_code is notify_code:
            caller = caller.f_back
        if caller is not None and caller.f_code in trusted:
            note(op, targets, sources, results)

    return listener


def install_evidence():
    """(ledger, tape methods, listener, provenance module); the engine's part of the start."""
    from grader.tape.provenance import Ledger

    ledger = Ledger()
    try:
        import grader.tape  # noqa: F401
        from grader.tape import provenance
        from grader.tape.tape import GradientTape
    except BaseException:  # a broken engine: the kernel still starts
        return ledger, {}, None, None
    methods = {(GradientTape, name): vars(GradientTape)[name] for name in _TAPE_METHODS
               if name in vars(GradientTape)}
    trusted = frozenset(vars(GradientTape)[name].__code__
                        for name in ("gradient", "jacobian", "batch_jacobian"))
    listener = _guarded(ledger.note, trusted, provenance.notify.__code__)
    provenance.listen(listener)
    return ledger, methods, listener, provenance


def launch(argv: list[str]) -> None:
    # As ipykernel_launcher does: the working folder (the student's) is not an import
    # folder while the kernel loads.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    ledger, methods, listener, provenance = install_evidence()

    from grader.kernel import answers
    from grader.kernel.watch import Watch
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    answers.bind(ledger=ledger, watch=Watch(app.shell, methods, listener, provenance))
    app.start()
