"""The private folder's size cap: a watchdog that stops a kernel that writes too much.

Under bwrap the kernel writes to sized tmpfs mounts (``work/``, ``tmp/``, ``/tmp``), so
a write past the cap fails with ENOSPC by itself; in basic mode nothing stops it. Either
way this watchdog measures what the sandbox holds a few times a second and, past
``Limits.disk_bytes`` or ``Limits.disk_files``, calls back once (the kernel is then
killed and the report says what happened). Measuring:

- bwrap: ``statvfs`` of each tmpfs through ``/proc/PID/root`` of a process inside the
  sandbox (one system call each, whatever the kernel wrote), plus a walk of the host's
  ``runtime/`` folder (the only writable place that is not a tmpfs);
- basic: an iterative walk of ``work/``, ``tmp/`` and ``runtime/`` (``lstat`` only, no
  link followed, stopping as soon as a limit is passed, so a million files or a
  3000-level chain cost one bounded pass).
"""

from __future__ import annotations

import os
import stat
import threading
from typing import Callable

from grader.grading.folders import PrivateFolders
from grader.grading.limits import Limits
from grader.grading.teardown import descendants

POLL_S = 0.25


def format_size(n: int) -> str:
    return f"{n // (1 << 20)} MB" if n >= 1 << 20 else f"{n // 1024} KB"


def walk_usage(folders: list[str], max_bytes: int, max_files: int) -> tuple[int, int]:
    """(bytes allocated, entries) under ``folders``; stops once past either limit."""
    used = files = 0
    todo = list(folders)
    while todo:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    files += 1
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        todo.append(entry.path)
                    if used > max_bytes or files > max_files:
                        return used, files
        except OSError:
            continue
    return used, files


def tmpfs_usage(root: str, mounts: list[str]) -> tuple[int, int] | None:
    """(bytes, inodes) used by the tmpfs ``mounts`` seen from ``root`` (/proc/PID/root)."""
    used = files = 0
    for mount in mounts:
        try:
            st = os.statvfs(root + mount)
        except OSError:
            return None
        used += (st.f_blocks - st.f_bfree) * st.f_frsize
        files += max(0, st.f_files - st.f_ffree - 1)  # the mount's own root directory
    return used, files


class DiskWatch:
    """Polls a sandbox's disk use in a thread; ``on_exceed(message)`` runs at most once."""

    def __init__(self, folders: PrivateFolders, limits: Limits, *, namespaced: bool,
                 launcher_pid: int | None, on_exceed: Callable[[str], None]):
        self.folders, self.limits = folders, limits
        self.namespaced, self.launcher_pid = namespaced, launcher_pid
        self.on_exceed = on_exceed
        self.exceeded: str | None = None
        self._inside: int | None = None  # a pid inside the sandbox (bwrap's pid 1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tapegrader-disk-watch",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def usage(self) -> tuple[int, int]:
        """(bytes, files) the sandbox holds now, as far as it can be measured."""
        cap, max_files = self.limits.disk_bytes, self.limits.disk_files
        used, files = walk_usage([str(self.folders.runtime)], cap, max_files)
        if not self.namespaced:
            more = walk_usage([str(self.folders.work), str(self.folders.tmp)],
                              cap - used, max_files - files)
            return used + more[0], files + more[1]
        mounts = [str(self.folders.work), str(self.folders.tmp), "/tmp"]
        if self._inside is not None:  # the process found last time, while it lives
            inside = tmpfs_usage(f"/proc/{self._inside}/root", mounts)
            if inside is not None:
                return used + inside[0], files + inside[1]
        for pid in descendants(self.launcher_pid) if self.launcher_pid else []:
            inside = tmpfs_usage(f"/proc/{pid}/root", mounts)
            if inside is not None:
                self._inside = pid
                return used + inside[0], files + inside[1]
        return used, files

    def check(self) -> str | None:
        """The message when a limit is passed now, else None."""
        used, files = self.usage()
        if used >= self.limits.disk_bytes:
            return (f"the submission wrote more than {format_size(self.limits.disk_bytes)} "
                    "to disk and was stopped")
        if files > self.limits.disk_files:
            return (f"the submission made more than {self.limits.disk_files} files and "
                    "folders and was stopped")
        return None

    def _loop(self) -> None:
        while not self._stop.wait(POLL_S):
            try:
                message = self.check()
            except Exception:  # measuring must never take the grader down
                continue
            if message is not None and not self._stop.is_set():
                self.exceeded = message
                self.on_exceed(message)
                return
