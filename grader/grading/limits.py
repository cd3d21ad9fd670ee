"""Resource limits of one kernel: the numbers (``Limits``) and the rlimits that apply them."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's kernel.

    The defaults leave room for an IPython kernel with the tape engine loaded (about
    0.28 GB of address space with this module's environment, 8 threads, 62 open files
    at rest; without ``MALLOC_ARENA_MAX`` and one BLAS thread it was 0.85 GB) and stop
    runaway code within seconds: a memory bomb meets ``memory_bytes`` (a MemoryError
    in the cell, the kernel lives on), a fork bomb ``processes``, one huge file
    ``file_size_bytes``, many files ``disk_bytes``/``disk_files``. Several graders
    share a CI machine in a batch, so memory is kept to 1 GiB rather than "whatever
    the machine has". ``cpu_seconds=None`` follows the submission's wall-clock limit
    (plus a margin), so the CPU limit never fires before the timeout that explains
    itself better.

    ``disk_bytes``: what the kernel may keep in its private folder (and, under bwrap,
    in its private ``/tmp``). 256 MiB is two orders of magnitude above any exercise's
    needs and small enough that two workers' worth of full tmpfs (RAM) stays harmless.
    ``disk_files``: how many files and folders it may make there (tmpfs inodes are
    kernel memory no size limit counts; a walk of the folder stays cheap).
    ``answer_bytes``: what the extraction cell may send back (the answers' JSON: 10^6
    numbers are about 20 MB).
    """

    memory_bytes: int = 1024 * MIB
    cpu_seconds: int | None = None
    processes: int = 64
    file_size_bytes: int = 64 * MIB
    open_files: int = 256
    # Captured notebook output kept by the grader (streams, rich outputs, tracebacks).
    output_bytes: int = 1 * MIB
    disk_bytes: int = 256 * MIB
    disk_files: int = 10_000
    answer_bytes: int = 32 * MIB

    def cpu_limit(self, total_timeout: float) -> int:
        if self.cpu_seconds is not None:
            return int(self.cpu_seconds)
        return int(total_timeout) + 10


def _count_user_tasks(uid: int) -> int:
    """Threads and processes of ``uid`` now (RLIMIT_NPROC counts all of them)."""
    from grader.grading.teardown import proc_files

    total = 0
    for _pid, text in proc_files("status"):
        uid_field = threads = None
        for line in text.splitlines():
            if line.startswith(b"Uid:"):
                uid_field = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if uid_field == uid and threads:
            total += threads
    return total


def rlimits(limits: Limits, total_timeout: float,
            uid: int | None = None) -> list[tuple[int, int, int]]:
    """(resource, soft, hard) triples for the kernel process, computed in the parent.

    RLIMIT_NPROC counts every task of the kernel's user (``uid``, default the
    grader's), not of the kernel, so the limit is "what that user runs now plus
    ``limits.processes``". It does not bind root (CAP_SYS_RESOURCE), which is one
    reason a root grader runs the kernel as ``nobody``.
    """
    import resource

    cpu = limits.cpu_limit(total_timeout)
    out = [
        (resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
        (resource.RLIMIT_CPU, cpu, cpu + 5),  # SIGXCPU at soft, SIGKILL at hard
        (resource.RLIMIT_FSIZE, limits.file_size_bytes, limits.file_size_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if sys.platform.startswith("linux") and os.path.isdir("/proc"):
        nproc = _count_user_tasks(os.getuid() if uid is None else uid) + limits.processes
        out.append((resource.RLIMIT_NPROC, nproc, nproc))
    # Never raise a limit above the grader's own hard limit (that would fail).
    capped = []
    for res, soft, hard in out:
        _cur_soft, cur_hard = resource.getrlimit(res)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        capped.append((res, soft, hard))
    return capped


def limits_preexec(triples: list[tuple[int, int, int]],
                   then: Callable[[], None] | None = None) -> Callable[[], None]:
    """A ``preexec_fn`` that applies precomputed limits in the child before ``exec``.

    It only calls ``setrlimit`` (no allocation-heavy work between fork and exec), then
    ``then`` (the uid switch of ``identity.drop_privileges_preexec``), so the limits are
    set while the child may still raise its hard limits and bind it afterwards.
    """
    import resource

    setrlimit = resource.setrlimit

    def apply() -> None:
        for res, soft, hard in triples:
            setrlimit(res, (soft, hard))
        if then is not None:
            then()

    return apply
