"""The process tree under a batch, read from Linux ``/proc``, for tests that check that
no kernel and no kernel folder outlives the worker or the batch that started it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

_FOLDER = re.compile(rb"/tapegrader-[A-Za-z0-9_]+")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def parent(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else 0


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, kernels in their own sessions too."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def kernels_under(pid: int) -> set[int]:
    """The kernel processes below ``pid`` (a sandbox wrapper counts with its kernel)."""
    return {p for p in descendants(pid)
            if b"ipykernel" in _cmdline(p) or b"grader.kernel" in _cmdline(p)}


def kernel_folders(pids: set[int]) -> set[Path]:
    """The private folders (``/tmp/tapegrader-*``) named on these kernels' command lines."""
    found = set()
    for pid in pids:
        for match in _FOLDER.finditer(_cmdline(pid)):
            found.add(Path(match.group().decode()))
    return found


def worker_of(kernel: int) -> int:
    """The batch worker that started ``kernel``: its nearest forkserver-born ancestor."""
    pid = parent(kernel)
    while pid > 1:
        if b"forkserver" in _cmdline(pid):
            return pid
        pid = parent(pid)
    raise LookupError(f"no batch worker above process {kernel}")


def wait_for_kernel_folders(pid: int, count: int,
                            timeout: float = 30.0) -> tuple[set[int], set[Path]]:
    """Poll the kernels below ``pid`` until ``count`` kernel folders are named (or the time
    is up); returns every kernel process seen and their folders."""
    deadline = time.monotonic() + timeout
    kernels: set[int] = set()
    while time.monotonic() < deadline and len(kernel_folders(kernels)) < count:
        kernels |= kernels_under(pid)
        time.sleep(0.1)
    return kernels, kernel_folders(kernels)
