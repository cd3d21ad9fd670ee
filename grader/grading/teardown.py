"""Ending a kernel's sandbox: every process of it found through ``/proc`` and killed.

The kernel's own session and process group (jupyter_client starts kernels with
``start_new_session``), every descendant (a child that called ``setsid()`` left the
group, not the tree) and any process still working in the private folder.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def proc_files(name: str):
    """(pid, contents of /proc/PID/name) for every process still there to read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/{name}", "rb") as fh:
                yield int(entry.name), fh.read()
        except OSError:
            continue


def live_group_members(pgid: int) -> list[int]:
    """PIDs in process group ``pgid`` that are not zombies (Linux ``/proc``)."""
    members = []
    for pid, stat in proc_files("stat"):
        # Fields after the parenthesised command: state ppid pgrp ...
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(pid)
    return members


def kill_process_group(pgid: int | None, wait_s: float = 2.0) -> bool:
    """SIGKILL the whole group, then wait until no live member is left.

    Returns True when the group is gone. Safe to call twice and on a dead group.
    """
    if not pgid or pgid <= 1 or pgid == os.getpgrp():
        return True
    deadline = time.monotonic() + wait_s
    while True:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        if not os.path.isdir("/proc") or not live_group_members(pgid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _process_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, pgrp, session) of every live (non-zombie) process."""
    table = {}
    for pid, stat in proc_files("stat"):
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 3 and fields[0] != b"Z":
            table[pid] = (int(fields[1]), int(fields[2]), int(fields[3]))
    return table


def _uses_folder(pid: int, folder: bytes) -> bool:
    """True if ``pid`` works in ``folder`` (its cwd) or names it in its environment."""
    try:
        if os.readlink(f"/proc/{pid}/cwd").encode().startswith(folder):
            return True
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return folder in fh.read()
    except OSError:
        return False


def sandbox_processes(pgid: int | None, pid: int | None = None, folder: Path | None = None,
                      roots: set[int] = frozenset()) -> set[int]:
    """Every live process of one kernel's sandbox, as far as ``/proc`` can tell.

    The kernel's process group, its session, every descendant of ``pid`` and of
    ``roots`` (a child that called ``setsid()`` left the group but is still a
    descendant), and any process working in or naming the private ``folder`` (an
    orphan whose parent already died), with their descendants in turn.
    """
    me = os.getpid()
    table = _process_table()
    marker = str(folder).encode() + b"/" if folder is not None else None
    found = {p for p, (_pp, grp, sid) in table.items()
             if pgid and (grp == pgid or sid == pgid)}
    found |= {p for p in (pid, *roots) if p and p in table}
    if marker is not None:
        found |= {p for p in table if p != me and _uses_folder(p, marker)}
    children: dict[int, list[int]] = {}
    for p, (ppid, _grp, _sid) in table.items():
        children.setdefault(ppid, []).append(p)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    found.discard(me)
    found.discard(1)
    return found


def _signal_all(pids: set[int], signum: int) -> None:
    for target in pids:
        try:
            os.kill(target, signum)
        except (ProcessLookupError, PermissionError):
            pass


def kill_sandbox(pgid: int | None, pid: int | None = None, folder: Path | None = None,
                 wait_s: float = 3.0) -> bool:
    """SIGKILL every process of a kernel's sandbox (``sandbox_processes``).

    First the tree is frozen: every process found gets SIGSTOP and the scan repeats
    until it finds nothing new (a stopped process cannot fork, and a stopped parent
    keeps its children linked to the tree instead of handing them to init). Then all
    get SIGKILL, repeated until none is left. Returns True when nothing is left; safe
    to call twice and on a dead sandbox.
    """
    if pgid == os.getpgrp():
        pgid = None
    if not os.path.isdir("/proc"):
        return kill_process_group(pgid, wait_s) if pgid else True
    deadline = time.monotonic() + wait_s
    known: set[int] = set()
    while time.monotonic() < deadline:
        found = sandbox_processes(pgid, pid, folder, known)
        new = found - known
        if not new:
            break
        _signal_all(new, signal.SIGSTOP)
        known |= found
    while True:
        if pgid and pgid > 1:
            kill_process_group(pgid, wait_s=0)
        _signal_all(known, signal.SIGKILL)
        known = sandbox_processes(pgid, None, folder, known)
        if not known:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def descendants(pid: int) -> list[int]:
    """Live descendants of ``pid``, nearest first (the processes inside a bwrap sandbox)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for p, (ppid, _grp, _sid) in table.items():
        children.setdefault(ppid, []).append(p)
    out, todo = [], [pid]
    while todo:
        for child in sorted(children.get(todo.pop(0), [])):
            out.append(child)
            todo.append(child)
    return out
