"""Run a student's notebook headlessly in a fresh, sandboxed kernel and read its answers.

One submission, one kernel, one pass over the notebook and then the hidden points in
the same kernel (no restart: the student's imports and definitions stay, only the
``parameters`` and ``answer`` cells run again):

1. the visible point: every code cell in order except the one tagged ``check`` (the
   student's own feedback cell), then the extraction cell (``grader/extract.py``);
2. for each ``Rerun``: its ``parameters_source``, the cell(s) tagged ``answer``, and
   the extraction cell again, each with a fresh nonce.

A cell that raises is kept as a ``CellError`` and the run goes on. A cell that runs out
of time is interrupted; if the kernel answers again the run goes on, else the kernel is
stopped and the remaining runs are skipped. A dead kernel ends everything (the runs so
far are kept). The whole submission has a wall-clock limit on top. Nothing the notebook
does makes ``run_submission`` raise: the worst case is an ``Execution`` with ``fatal``.

Where the time goes (2 cores; see ``tests/bench/bench_execute.py``): starting the
kernel process and importing IPython is most of it; a cell costs a few milliseconds.
So the kernel can be started before the rest of the grader's work
(``start_kernel(...)`` returns a handle at once; ``handle.run(...)`` later), the
hidden points reuse the kernel, extraction is one cell per run, nbclient is imported
only here, and the kernel is killed rather than shut down politely at the end.

Why a run ended is decided here, where it is seen, and carried as ``RunEnd`` data:
the submission's timer (``timed_out``), the kernel process's exit (``kernel_died``),
the disk watchdog (``disk_limit``), the extraction's output cap (``output_limit``).
Interrupts go to the kernel as a control message (ipykernel then signals its own
process group), never as SIGINT to the launcher's group: under bwrap that group holds
bwrap itself, which a SIGINT kills (and the kernel with it).

A cell that ran past its limit is not run again at the hidden points (it would only
time out again): the run ends there, so a submission ends close to its time limit.

The sandbox (folders, environment, limits, identity, process group) is
``grader/grading/sandbox.py`` and the modules it names.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Sequence

from grader.grading import extract
from grader.grading.disk import DiskWatch
from grader.grading.notebook import cell_source, cell_tags
from grader.results import CellError, Execution, Observed, Run, RunEnd
from grader.grading.sandbox import (Limits, PrivateFolders, get_sandbox, hide_secrets_from_proc,
                                    kill_sandbox, make_undumpable)

# Any process that imports the kernel launcher is a grader process (``grader check``,
# a batch worker, the batch's fork server that preloads this module): a kernel of the
# same uid must not open its /proc/PID/fd or mem (see grader/grading/identity.py).
make_undumpable()

# Cell indices of the cells the grader injects (they are not in the notebook).
EXTRACTION_INDEX = -1
INJECTED_PARAMETERS_INDEX = -2

_STARTUP_LIMIT_S = 30.0  # a kernel that is not ready by then will not be
_INTERRUPT_GRACE_S = 2.0
# One kernel message larger than this drops the grader's connection instead of landing
# in its memory (the answers are then reported unreadable). Far above the extraction
# payload (10^6 numbers, ~20 MB) and the output cap.
_MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # time for an interrupted cell to give the kernel back
_KERNEL_ARGS = (
    "--HistoryManager.enabled=False",  # no sqlite history file, faster start
    "--IPKernelApp.quiet=True",
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_TRACEBACK_KEEP = 8000  # characters kept from each end of a long traceback


@dataclass(frozen=True)
class Rerun:
    """One hidden point: how the report names it, the point, and the code that sets it."""

    label: str
    point: dict
    parameters_source: str


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _clip(text: str, keep: int = _TRACEBACK_KEEP) -> str:
    if len(text) <= 2 * keep:
        return text
    return f"{text[:keep]}\n... [{len(text) - 2 * keep} characters cut] ...\n{text[-keep:]}"






@dataclass
class _Step:
    """One cell to execute: where it came from and what it runs."""

    index: int
    tag: str | None
    source: str


@dataclass
class _Outcome:
    error: CellError | None = None
    timed_out: bool = False
    died: bool = False
    stop: str | None = None  # why nothing more can run in this kernel
    end: RunEnd | None = None  # set with ``stop``: why, as data


def _plan(nb: Any) -> tuple[list[_Step], list[_Step], int]:
    """(visible-run steps, hidden-run steps, index of the parameters cell or -2).

    The visible run executes every code cell except the check cell. A hidden run
    re-runs every code cell after the parameters cell, in order, up to the check cell:
    students write their answer where they like (a new cell below the answer cell is
    common), and all of it must follow the point. Without a parameters cell, every
    cell from the answer cell on is re-run (the parameters are injected before it).
    """
    visible, rerun = [], []
    parameters_index = INJECTED_PARAMETERS_INDEX
    first_answer = None
    reached_check = False
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        tags = cell_tags(cell)
        tag = next((t for t in ("answer", "parameters", "setup", "check") if t in tags), None)
        if "check" in tags:
            reached_check = True
            continue
        step = _Step(index, tag, cell_source(cell))
        visible.append(step)
        if "answer" in tags and first_answer is None:
            first_answer = len(visible) - 1
        if "parameters" in tags and parameters_index == INJECTED_PARAMETERS_INDEX:
            parameters_index = index
            rerun = []  # only what comes after the parameters cell
            continue
        if not reached_check and tag not in ("setup", "parameters"):
            rerun.append(step)
    if parameters_index == INJECTED_PARAMETERS_INDEX:
        start = first_answer if first_answer is not None else len(visible)
        rerun = [s for s in visible[start:] if s.tag not in ("setup", "parameters")]
        rerun = [s for s in rerun if not _after_check(nb, s.index)]
    return visible, rerun, parameters_index


def _after_check(nb: Any, index: int) -> bool:
    cells = nb.get("cells", [])
    return any(cell.get("cell_type") == "code" and "check" in cell_tags(cell)
               for cell in cells[:index])


def _make_client_class():
    """nbclient's NotebookClient with an output cap and no display-id bookkeeping.

    Built on first use so that importing this module does not import nbclient.
    """
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        def __init__(self, nb, km, *, output_bytes: int, answer_bytes: int, **kw):
            super().__init__(nb, km=km, **kw)
            self.budget = self.budget_total = output_bytes
            self.truncated = False
            self.payloads: list = []
            # The extraction's own messages have their own cap (``Limits.answer_bytes``).
            self.answer_budget = self.answer_total = answer_bytes
            self.answers_overflowed = False

        def process_message(self, msg, cell, cell_index):
            # Display ids let a later message rewrite earlier outputs (an uncounted
            # way around the cap); the grader does not need them.
            content = msg.get("content")
            if isinstance(content, dict):
                content.pop("transient", None)
            if msg.get("msg_type") == "update_display_data":
                return None
            return super().process_message(msg, cell, cell_index)

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content") or {}
            data = content.get("data")
            if (cell_index == EXTRACTION_INDEX and isinstance(data, dict)
                    and extract.MIME in data and msg.get("msg_type") == "display_data"):
                size = _message_size(msg)
                if size > self.answer_budget:
                    self.answers_overflowed = True
                    self.answer_budget = 0
                    return None
                self.answer_budget -= size
                self.payloads.append({"output_type": "display_data", "data": dict(data)})
                return None
            size = _message_size(msg)
            if size <= self.budget:
                self.budget -= size
                return super().output(outs, msg, None, cell_index)
            if not self.truncated:
                self.truncated = True
                if msg.get("msg_type") == "stream" and self.budget > 0:
                    content["text"] = str(content.get("text", ""))[: self.budget]
                    super().output(outs, msg, None, cell_index)
                from nbformat.v4 import new_output

                outs.append(new_output(
                    "stream", name="stderr",
                    text="\n[output truncated: the grader keeps the first "
                         f"{_format_bytes(self.budget_total)} of a notebook's output]\n"))
            self.budget = 0
            return None

    return CappedClient


def _message_size(msg: dict) -> int:
    content = msg.get("content") or {}
    if msg.get("msg_type") == "stream":
        return len(str(content.get("text", "")))
    if msg.get("msg_type") == "error":
        traceback = content.get("traceback") or []
        return sum(len(str(x)) for x in traceback) + len(str(content.get("evalue", "")))
    data = content.get("data") or {}
    try:
        return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())
    except (TypeError, ValueError):
        return 1 << 40


def _format_bytes(n: int) -> str:
    return f"{n // 1024} KiB" if n < 1 << 20 else f"{n / (1 << 20):g} MiB"


class KernelHandle:
    """A sandboxed kernel started for one submission; ``run`` grades it and tears it down.

    Created by ``start_kernel``, which launches the kernel process and returns at once
    so the caller can do other work while the kernel boots. Always call ``run`` or
    ``close`` (it is also a context manager); both kill the kernel's process group and
    delete its folders.
    """

    def __init__(self, nb: Any, *, submission_name: str, limits: Limits, total_timeout: float,
                 sandbox: str):
        self._started = time.monotonic()
        self._deadline = self._started + total_timeout
        self.total_timeout = total_timeout
        self.limits = limits
        self.sandbox = get_sandbox(sandbox)
        self._nb = nb
        self._km = None
        self._kc = None
        self._client = None
        self._pgid: int | None = None
        self._pid: int | None = None
        self._closed = False
        self._start_error: str | None = None
        self._fatal: str | None = None
        self._closing = False
        self._last_reply: dict | None = None
        self._end: RunEnd | None = None  # why the submission's run was ended from outside
        self._timed_out_steps: set[int] = set()
        self._watch: DiskWatch | None = None
        self._note: str | None = None
        self._loop = asyncio.new_event_loop()
        # nbclient leaves tasks behind when a kernel dies under a cell (killed by the
        # disk watchdog, say); their exceptions would reach stderr as "Task exception
        # was never retrieved" tracebacks. The run's outcome already says what happened.
        self._loop.set_exception_handler(_quiet_loop_error)
        # Before any kernel exists: a grader process (``grader check``, a batch worker)
        # whose /proc/PID/fd and mem a same-uid kernel cannot open.
        make_undumpable()
        self.identity = self.sandbox.identity()
        self.folders = PrivateFolders.create(submission_name, _notebook_text(nb),
                                             owner=self.identity.owner)
        try:
            self._loop.run_until_complete(self._launch())
        except Exception as exc:  # the kernel could not even be launched
            self._start_error = f"the kernel could not be started: {type(exc).__name__}: {exc}"

    # ------------------------------------------------------------------ lifecycle

    @property
    def pgid(self) -> int | None:
        """The kernel's process group (for tests that check nothing survives)."""
        return self._pgid

    async def _launch(self) -> None:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager

        # ``grader.kernel`` binds the tape evidence and the extraction before any cell.
        argv = [sys.executable, "-m", "grader.kernel", "-f", "{connection_file}", *_KERNEL_ARGS]
        plan = self.sandbox.plan(argv, self.folders, self.limits, self.total_timeout,
                                 identity=self.identity)
        self._note = plan.note
        if self.sandbox.name == "basic":
            # The kernel shares our PID space: keep CI tokens out of /proc/<pid>/environ.
            hide_secrets_from_proc()
        km = AsyncKernelManager(
            transport="ipc",
            connection_file=str(self.folders.connection_file),
            kernel_name="",
            log=_quiet_logger(),
        )
        # Interrupts as control messages: see the module docstring.
        km._kernel_spec = KernelSpec(argv=plan.argv, display_name="tapegrader", language="python",
                                     env={}, metadata={}, interrupt_mode="message")
        km.autorestart = False
        self._km = km
        if self.identity.switches:
            # jupyter_client writes it 0600 as the grader: the kernel's uid must read it.
            km.write_connection_file()
            os.chown(self.folders.connection_file, self.identity.uid, self.identity.gid)
        self._log = open(self.folders.kernel_log, "wb")
        try:
            await km.start_kernel(env=plan.env, cwd=plan.cwd, stdout=self._log,
                                  stderr=self._log, **plan.popen_options())
        finally:
            plan.release()
        provisioner = km.provisioner
        self._pid = getattr(provisioner, "pid", None)
        self._pgid = getattr(provisioner, "pgid", None) or self._pid
        self._watch = DiskWatch(self.folders, self.limits, namespaced=self.sandbox.name == "bwrap",
                                launcher_pid=self._pid, on_exceed=self._disk_exceeded)

    def _disk_exceeded(self, message: str) -> None:
        """The watchdog's call (its own thread): end the submission, say why."""
        if self._end is None:
            self._end = RunEnd.DISK_LIMIT
            self._fatal = message
        self._kill()

    def _kill(self) -> None:
        """The kernel's process group, its descendants (``setsid`` does not hide them)
        and stray processes working in its private folder: see ``sandbox.kill_sandbox``."""
        kill_sandbox(self._pgid, self._pid, self.folders.root)

    def close(self) -> None:
        """Kill the kernel's process group and remove its folders (idempotent)."""
        if self._closed:
            return
        self._closed = self._closing = True
        if self._watch is not None:
            self._watch.stop()
        loop = self._loop
        if self._kc is not None:
            _quietly(self._kc.stop_channels)
            if getattr(self._kc, "_created_context", False):
                _quietly(self._kc.context.destroy, linger=0)
        self._kill()
        km = self._km
        if km is not None:
            process = getattr(km.provisioner, "process", None) if km.provisioner else None
            if process is not None:
                _quietly(process.wait, timeout=2)
        if not loop.is_closed():
            try:
                loop.run_until_complete(self._release())
            except (Exception, asyncio.CancelledError):
                pass
            _quietly(loop.close)
        if getattr(self, "_log", None) is not None:
            self._log.close()
        self.folders.remove()

    async def _release(self) -> None:
        """Cancel leftover tasks; remove the connection file and sockets; close zmq."""
        await _cancel_tasks(asyncio.all_tasks())
        km = self._km
        if km is None:
            return
        await _aquietly(km.cleanup_resources())
        _quietly(km._close_control_socket)
        if getattr(km, "_created_context", False):
            _quietly(km.context.destroy, linger=0)

    def __enter__(self) -> "KernelHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # last resort: never leave a kernel behind
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ running

    def run(self, *, answers: Sequence[str], visible_point: dict, reruns: Sequence[Rerun] = (),
            cell_timeout: float = 10.0, calls: Sequence[Sequence[str]] = ()) -> Execution:
        """Execute the notebook (visible point, then each rerun) and tear down.
        ``calls`` are the function answers the extraction cell calls first
        (``grader.kernel.calls``).

        The submission's wall-clock budget starts now, not at launch: a kernel started
        ahead (a batch overlapping kernel boots) must not lose time while it waits.
        """
        self._deadline = time.monotonic() + self.total_timeout
        self._calls = extract.check_calls(calls)
        runs: list[Run] = []
        fatal = self._start_error
        end = RunEnd.REFUSED if fatal is not None else RunEnd.COMPLETED
        try:
            if fatal is None:
                if self._watch is not None:
                    self._watch.start()
                fatal = self._loop.run_until_complete(
                    self._run_all(list(answers), visible_point, list(reruns), cell_timeout, runs))
                if self._end is not None:
                    end = self._end
                elif runs:
                    end = runs[-1].end
                elif fatal is not None:
                    end = RunEnd.REFUSED  # the kernel never answered
        except Exception as exc:  # a grader-side failure: report it, never crash
            fatal = f"the grader failed while running the notebook: {type(exc).__name__}: {exc}"
            end = self._end or RunEnd.CELL_ERROR
        finally:
            truncated = bool(self._client is not None and self._client.truncated)
            self.close()
        return Execution(
            runs=tuple(runs),
            duration_s=round(time.monotonic() - self._started, 3),
            sandbox=self.sandbox.name,
            fatal=fatal,
            output_truncated=truncated,
            end=end,
            sandbox_note=self._note,
        )

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _total_timeout_message(self) -> str:
        return (f"the submission ran longer than its {self.total_timeout:g} s time limit "
                "and was stopped")

    async def _run_all(self, answers: list[str], visible_point: dict, reruns: list[Rerun],
                       cell_timeout: float, runs: list[Run]) -> str | None:
        """Fill ``runs``; return the ``fatal`` message, if any."""
        ready = await self._connect()
        if ready is not None:
            return ready
        visible, answer_steps, parameters_index = _plan(self._nb)
        passes: list[tuple[str, bool, dict, list[_Step]]] = [
            ("visible point", False, dict(visible_point), visible)]
        for rerun in reruns:
            steps = [_Step(parameters_index, "parameters", rerun.parameters_source), *answer_steps]
            passes.append((rerun.label, True, dict(rerun.point), steps))
        for label, hidden, point, steps in passes:
            run, stop = await self._one_pass(label, hidden, point, steps, answers, cell_timeout)
            runs.append(run)
            if stop is not None:
                break
        return self._fatal

    async def _connect(self) -> str | None:
        """Open the channels and wait until the kernel answers; a message if it never does."""
        import zmq

        km = self._km
        kc = km.client()
        kc.context.setsockopt(zmq.MAXMSGSIZE, _MAX_MESSAGE_BYTES)
        self._kc = kc
        kc.start_channels()
        deadline = time.monotonic() + min(_STARTUP_LIMIT_S, max(0.0, self._remaining()))
        if not await _wait_for_ready(kc, km, deadline):
            alive = await km.is_alive()
            tail = self.folders.log_tail()
            why = "did not answer" if alive else "exited"
            return (f"the kernel {why} during start-up"
                    + (f": {tail.strip()[-500:]}" if tail.strip() else ""))
        kc.allow_stdin = False
        Client = _make_client_class()
        # nbclient writes each executed cell back into ``client.nb.cells[index]``; give
        # it a scratch notebook (room for the injected cells' negative indices) so the
        # caller's notebook is never modified.
        from nbformat import NotebookNode

        n_cells = len(self._nb.get("cells", []))
        scratch = NotebookNode({"cells": [NotebookNode() for _ in range(n_cells + 2)],
                                "metadata": NotebookNode(), "nbformat": 4, "nbformat_minor": 5})
        client = Client(scratch, km, output_bytes=self.limits.output_bytes,
                        answer_bytes=self.limits.answer_bytes,
                        allow_errors=True, interrupt_on_timeout=False, record_timing=False,
                        iopub_timeout=4, raise_on_iopub_timeout=False, kernel_name="",
                        log=_quiet_logger(), on_cell_executed=self._on_executed)
        client.kc = kc
        self._client = client
        return None

    async def _on_executed(self, cell: Any, cell_index: int, execute_reply: dict) -> None:
        self._last_reply = execute_reply

    async def _one_pass(self, label: str, hidden: bool, point: dict, steps: list[_Step],
                        answers: list[str], cell_timeout: float) -> tuple[Run, str | None]:
        errors: list[CellError] = []
        timed_out = died = False
        stop = None
        end = RunEnd.COMPLETED
        for step in steps:
            if hidden and step.index in self._timed_out_steps:
                # It ran past its limit at an earlier point; it would again.
                stop = (f"the cell ran longer than its {cell_timeout:g} s time limit at an "
                        "earlier point, so it was not run again")
                outcome = _Outcome(error=self._cell_error(step, "Timeout", stop, []),
                                   timed_out=True, stop=stop, end=RunEnd.TIMED_OUT)
            else:
                outcome = await self._execute(step, cell_timeout)
            if outcome.error is not None:
                errors.append(outcome.error)
            timed_out |= outcome.timed_out
            died |= outcome.died
            if outcome.timed_out:
                end = RunEnd.TIMED_OUT
            if outcome.stop is not None:
                stop = outcome.stop
                end = outcome.end or end
                break
        if stop is None:
            values, outcome = await self._extract(answers, cell_timeout)
            if outcome.error is not None:
                errors.append(outcome.error)
            timed_out |= outcome.timed_out
            died |= outcome.died
            stop = outcome.stop
            if outcome.end is not None:
                end = outcome.end
            elif outcome.timed_out:
                end = RunEnd.TIMED_OUT
        else:
            values = extract.failed(answers, f"the answers could not be read: {stop}")
        if self._end is not None:  # the watchdog ended it, whatever the cell saw
            end, stop = self._end, self._fatal
            died = False
        run = Run(label=label, hidden=hidden, point=point, answers=values, errors=tuple(errors),
                  timed_out=end is RunEnd.TIMED_OUT, kernel_died=died and end is RunEnd.KERNEL_DIED,
                  end=end, losses=getattr(values, "losses", ()))
        return run, stop

    async def _extract(self, answers: list[str],
                       cell_timeout: float) -> tuple[dict[str, Observed], _Outcome]:
        nonce = extract.new_nonce()
        source = extract.build_cell(answers, nonce, calls=getattr(self, "_calls", ()))
        # Each answer has its own budget inside the cell; the cell limit covers them all.
        limit = max(cell_timeout, extract.ANSWER_BUDGET_S * len(answers) + 5.0)
        client = self._client
        client.payloads = []
        client.answer_budget, client.answers_overflowed = client.answer_total, False
        outcome = await self._execute(_Step(EXTRACTION_INDEX, "extraction", source), limit)
        if outcome.stop is not None or outcome.timed_out:
            reason = outcome.stop or "reading the answers took too long"
            return extract.failed(answers, f"the answers could not be read: {reason}"), outcome
        if client.answers_overflowed:
            reason = (f"the answers' messages went past the grader's "
                      f"{_format_bytes(client.answer_total)} limit")
            outcome.stop, outcome.end = reason, RunEnd.OUTPUT_LIMIT
            return extract.failed(answers, f"the answers could not be read: {reason}"), outcome
        return extract.parse_outputs(client.payloads, answers, nonce), outcome

    async def _execute(self, step: _Step, cell_timeout: float) -> _Outcome:
        """Run one cell under the per-cell and per-submission limits."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from nbformat import NotebookNode

        if self._end is not None:
            return _Outcome(stop=self._fatal, end=self._end)
        remaining = self._remaining()
        if remaining <= 0:
            self._fatal = self._total_timeout_message()
            return _Outcome(stop=self._fatal, timed_out=True, end=RunEnd.TIMED_OUT)
        limit = min(cell_timeout, remaining)
        client = self._client
        client.timeout_func = lambda _cell: limit
        # A fresh cell without the student's metadata: tags such as ``skip-execution`` or
        # ``raises-exception`` mean nothing here.
        cell = NotebookNode({"cell_type": "code", "metadata": NotebookNode(),
                             "source": step.source, "outputs": [], "execution_count": None})
        self._last_reply = None
        before = asyncio.all_tasks()
        try:
            await client.async_execute_cell(cell, step.index, store_history=False)
        except Exception as exc:
            if self._closing:  # close() cancelled us (Ctrl-C); nbclient reports a dead kernel
                return _Outcome(stop="the grader was interrupted", end=RunEnd.REFUSED)
            # nbclient leaves its IOPub reader running after a timeout; it would swallow
            # the next cell's messages.
            await _cancel_tasks(asyncio.all_tasks() - before)
            if self._end is not None:  # the watchdog killed the kernel under this cell
                return _Outcome(error=self._cell_error(step, "DiskLimit", self._fatal, []),
                                stop=self._fatal, end=self._end)
            if isinstance(exc, CellTimeoutError):
                self._timed_out_steps.add(step.index)
                return await self._after_timeout(step, limit)
            if isinstance(exc, DeadKernelError) or not await self._km.is_alive():
                return self._kernel_died(step)
            # e.g. messages the notebook garbled (json.dumps patched in the kernel)
            message = ("the grader could not follow the kernel after this cell "
                       f"({type(exc).__name__}: {_clip(str(exc), 200)}); did the notebook "
                       "replace the json module or the kernel's messaging?")
            return _Outcome(error=self._cell_error(step, "KernelProtocolError", message, []),
                            stop=message, end=RunEnd.CELL_ERROR)
        outcome = _Outcome()
        reply = self._last_reply
        content = (reply or {}).get("content") or {}
        if content.get("status") == "error":
            outcome.error = self._cell_error(step, content.get("ename"), content.get("evalue"),
                                             content.get("traceback"))
        elif content.get("status") == "aborted":
            outcome.error = self._cell_error(step, "Aborted", "the kernel did not run this cell",
                                             [])
        return outcome

    async def _after_timeout(self, step: _Step, limit: float) -> _Outcome:
        # A cell cut short by the submission's limit ends with (almost) no time left.
        total_hit = self._remaining() <= 0.25
        if total_hit:
            self._fatal = self._total_timeout_message()
            error = self._cell_error(step, "Timeout", self._fatal, [])
            return _Outcome(error=error, timed_out=True, stop=self._fatal, end=RunEnd.TIMED_OUT)
        error = self._cell_error(step, "Timeout", f"the cell ran longer than its {limit:g} s "
                                 "time limit and was interrupted", [])
        await self._km.interrupt_kernel()
        grace = min(_INTERRUPT_GRACE_S, max(0.0, self._remaining()))
        if await _probe(self._kc, grace):
            return _Outcome(error=error, timed_out=True)
        # The kernel is gone or wedged: either way the time limit ended it (a kernel that
        # dies of its interrupt, SIGINT made fatal by the student, is still a timeout).
        self._kill()
        message = ("the cell ran longer than its "
                   f"{limit:g} s time limit and ignored the interrupt, so the kernel was stopped")
        return _Outcome(error=self._cell_error(step, "Timeout", message, []), timed_out=True,
                        stop=message, end=RunEnd.TIMED_OUT)

    def _kernel_died(self, step: _Step) -> _Outcome:
        process = getattr(self._km.provisioner, "process", None) if self._km.provisioner else None
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=1)
            except Exception:
                code = process.poll()
        if code is not None and code > 128 and self.sandbox.name == "bwrap":
            code = 128 - code  # bwrap reports a kernel killed by signal N as 128 + N
        if code is not None and code < 0:
            import signal

            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
            if -code in (signal.SIGXCPU, signal.SIGKILL):
                how += " (the CPU-time or memory limit, or a crash)"
        elif code is not None:
            how = f"exited with status {code} (os._exit or sys.exit in the kernel?)"
        else:
            how = "stopped responding"
        message = f"the kernel died while running this cell: it {how}"
        tail = self.folders.log_tail()
        error = self._cell_error(step, "KernelDied", message, [tail] if tail.strip() else [])
        return _Outcome(error=error, died=True, stop=message, end=RunEnd.KERNEL_DIED)

    def _cell_error(self, step: _Step, ename: Any, evalue: Any, traceback: Any) -> CellError:
        lines = traceback if isinstance(traceback, list) else [str(traceback or "")]
        text = strip_ansi("\n".join(str(x) for x in lines))
        return CellError(
            cell_index=step.index,
            tag=step.tag,
            ename=_clip(strip_ansi(str(ename or "Error")), 200),
            evalue=_clip(strip_ansi(str(evalue or "")), 1000),
            traceback=_clip(text),
            source=_clip(step.source),
        )


def _quietly(func: Any, *args: Any, **kw: Any) -> None:
    """Teardown steps must all run: one failing must not skip the kill or the cleanup."""
    try:
        func(*args, **kw)
    except Exception:
        pass


async def _aquietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:
        pass


async def _cancel_tasks(tasks: Any) -> None:
    """Cancel ``tasks`` (never the calling one) and give them a moment to finish."""
    current = asyncio.current_task()
    others = [t for t in tasks if t is not current and not t.done()]
    for task in others:
        task.cancel()
    if others:
        # ``wait``, not ``gather``: cancelling a gather cancels its children in turn.
        await asyncio.wait(others, timeout=2.0)


async def _wait_for_ready(kc: Any, km: Any, deadline: float) -> bool:
    """Like ``KernelClient.wait_for_ready`` without its fixed 0.2 s IOPub flush.

    Ready means: a ``kernel_info_reply`` came back on shell and a message caused by one
    of our requests arrived on IOPub (so IOPub is subscribed and no output of the first
    cell is lost).
    """
    from queue import Empty

    sent: set[str] = set()
    shell_ok = False
    while time.monotonic() < deadline:
        if not shell_ok:
            sent.add(kc.kernel_info())
            try:
                wait = min(1.0, max(0.01, deadline - time.monotonic()))
                msg = await kc.shell_channel.get_msg(timeout=wait)
            except Empty:
                if not await km.is_alive():
                    return False
                continue
            parent = msg["parent_header"].get("msg_id")
            if msg.get("msg_type") == "kernel_info_reply" and parent in sent:
                shell_ok = True
            continue
        try:
            msg = await kc.iopub_channel.get_msg(timeout=0.25)
        except Empty:
            shell_ok = False  # IOPub not subscribed yet: ask again
            continue
        if msg["parent_header"].get("msg_id") in sent:
            return True
    return False


async def _probe(kc: Any, grace: float) -> bool:
    """True if the kernel runs an empty request within ``grace`` seconds."""
    from queue import Empty

    msg_id = kc.execute("", silent=True, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + grace
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            msg = await kc.shell_channel.get_msg(timeout=left)
        except Empty:
            return False
        if msg["parent_header"].get("msg_id") == msg_id:
            return True


def _quiet_loop_error(_loop: Any, context: dict) -> None:
    _quiet_logger().debug("event loop: %s", context.get("message"))


def _quiet_logger() -> logging.Logger:
    """nbclient and jupyter_client log timeouts as errors; the grader reports them itself."""
    log = logging.getLogger("grader.grading.execute.kernel")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def _notebook_text(nb: Any) -> str:
    """The submission copy for the working folder: plain JSON, no validation.

    ``nbformat.writes`` would validate (jsonschema, and warnings about cell ids) for a
    file only the student's own code reads.
    """
    return json.dumps(nb, indent=1, ensure_ascii=False, default=str) + "\n"


def start_kernel(nb: Any, *, limits: Limits | None = None, total_timeout: float = 60.0,
                 submission_name: str = "submission.ipynb", sandbox: str = "basic") -> KernelHandle:
    """Launch the sandboxed kernel for ``nb`` now; grade it later with ``handle.run``.

    The wall-clock limit counts from here.
    """
    return KernelHandle(nb, submission_name=submission_name, limits=limits or Limits(),
                        total_timeout=total_timeout, sandbox=sandbox)


def run_submission(nb: Any, *, answers: Sequence[str], visible_point: dict,
                   reruns: Sequence[Rerun] = (), cell_timeout: float = 10.0,
                   total_timeout: float = 60.0, limits: Limits | None = None,
                   submission_name: str = "submission.ipynb", sandbox: str = "basic") -> Execution:
    """Run ``nb`` at the visible point and at each hidden point; never raises for the notebook."""
    handle = start_kernel(nb, limits=limits, total_timeout=total_timeout,
                          submission_name=submission_name, sandbox=sandbox)
    return handle.run(answers=answers, visible_point=visible_point, reruns=reruns,
                      cell_timeout=cell_timeout)
