"""Who the kernel runs as, and what the grader's own processes show to it.

Two cases, decided once per grader process:

- The grader runs as root (most CI containers). The kernel must not: as root it could
  read and write every file, signal and trace every process, read the grader's
  ``/proc/PID/fd`` and memory, write ``/proc/sys``. So it runs as an unprivileged
  uid/gid (``nobody``, 65534): basic mode switches in the child before ``exec``
  (``setgroups([])``, ``setgid``, ``setuid``); bwrap mode drops to it inside the
  sandbox with ``setpriv`` after the mounts are made (see ``grader/grading/bwrap.py``).
  A uid can only run an interpreter it can reach: a Python under ``/root`` (mode 0700,
  pyenv's default) is out of ``nobody``'s reach, so ``unprivileged_problem`` probes
  it (like ``bwrap_problem``) and basic mode keeps root, saying so in every report's
  footer, when the probe fails.
- The grader runs as an ordinary user. The kernel has the same uid, which Linux lets
  open ``/proc/PID/fd/*`` and ``/proc/PID/mem`` of the grader's processes and signal
  them. ``make_undumpable`` closes the first two (a non-dumpable process's ``/proc``
  entries belong to root and ptrace-style access is refused); signals stay possible
  (README's security section says what that allows).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Callable

NOBODY = 65534
PR_SET_DUMPABLE = 4


@dataclass(frozen=True)
class KernelIdentity:
    """The uid/gid the kernel runs as, and why it is not the unprivileged one if not."""

    uid: int
    gid: int
    note: str | None = None  # set when the grader is root and the kernel is too

    @property
    def switches(self) -> bool:
        """True when the kernel runs as another uid than the grader's."""
        return self.uid != os.geteuid()

    @property
    def owner(self) -> tuple[int, int] | None:
        """(uid, gid) for ``PrivateFolders.create``: None when it is the grader's own."""
        return (self.uid, self.gid) if self.switches else None


def drop_privileges_preexec(uid: int, gid: int) -> Callable[[], None]:
    """The calls that make the child ``uid``/``gid`` with no supplementary groups.

    Order matters: groups and gid first (they need root), the uid last. After
    ``setuid`` from root every capability is gone, so nothing can switch back.
    """
    setgroups, setgid, setuid = os.setgroups, os.setgid, os.setuid

    def apply() -> None:
        setgroups([])
        setgid(gid)
        setuid(uid)

    return apply


_UNPRIVILEGED: dict[str, str | None] = {}
# What a probe runs: finds (without importing, which would cost half a second of numpy
# and IPython) the modules a kernel imports, so every folder on their paths is read.
FIND_KERNEL_MODULES = (
    "import importlib.util as u, sys\n"
    "missing = [m for m in ('grader.tape', 'grader.kernel', 'numpy', 'ipykernel') "
    "if u.find_spec(m) is None]\n"
    "sys.exit(f'cannot import {missing}' if missing else 0)\n")


def unprivileged_problem(uid: int = NOBODY, gid: int = NOBODY) -> str | None:
    """Why ``uid`` cannot run this interpreter and import the engine (None: it can).

    Runs ``sys.executable`` as ``uid`` from a folder it can reach, with the kernel's
    import path, finding the modules a kernel imports (``FIND_KERNEL_MODULES``).
    Cached per process.
    """
    key = f"{uid}:{gid}:{sys.executable}"
    if key in _UNPRIVILEGED:
        return _UNPRIVILEGED[key]
    import subprocess

    from grader.grading.environment import grader_import_path

    env = {"PATH": os.environ.get("PATH") or os.defpath, "HOME": "/",
           "PYTHONDONTWRITEBYTECODE": "1"}
    extra = grader_import_path()
    if extra:
        env["PYTHONPATH"] = extra
    try:
        proc = subprocess.run([sys.executable, "-c", FIND_KERNEL_MODULES],
                              cwd="/", env=env, capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL,
                              preexec_fn=drop_privileges_preexec(uid, gid))
    except (OSError, subprocess.SubprocessError) as err:
        problem: str | None = f"uid {uid} cannot run {sys.executable}: {err}"
    else:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        problem = None if proc.returncode == 0 else (
            f"uid {uid} cannot run {sys.executable} with the engine ({tail[0][-200:]})")
    _UNPRIVILEGED[key] = problem
    return problem


def basic_identity() -> KernelIdentity:
    """Who a basic-mode kernel runs as (see the module docstring)."""
    if os.geteuid() != 0:
        return KernelIdentity(os.getuid(), os.getgid())
    problem = unprivileged_problem()
    if problem is None:
        return KernelIdentity(NOBODY, NOBODY)
    return KernelIdentity(0, 0, note=f"the kernel ran as root: {problem}; install the "
                                     "grader in a Python every user can read (see README)")


def make_undumpable() -> bool:
    """``prctl(PR_SET_DUMPABLE, 0)`` for this process; True when it holds.

    A non-dumpable process's ``/proc/PID/{fd,mem,environ,...}`` are owned by root and
    closed to other processes of its uid (ptrace access mode checks), and it leaves no
    core dump. Inherited by ``fork`` (the batch's workers), reset by ``exec`` (so the
    kernel itself stays ordinary). Called where a kernel is launched, so every grading
    process has it before any student code runs.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            return False
        return libc.prctl(3, 0, 0, 0, 0) == 0  # PR_GET_DUMPABLE
    except (OSError, AttributeError):
        return False


# ------------------------------------------------------------------- grader secrets

_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|"
                          r"^AWS_|^AZURE_|^GOOGLE_|^GCP_|^ACTIONS_|^NPM_|^PYPI_|^TWINE_|"
                          r"^DOCKER_|^CI_JOB_|^VAULT_", re.IGNORECASE)


def looks_secret(name: str) -> bool:
    """Whether an environment variable's name suggests a credential."""
    return bool(_SECRET_NAME.search(name))


def hide_secrets_from_proc() -> int:
    """Blank secret-looking values in this process's *initial* environment block.

    ``/proc/PID/environ`` shows that block to any process of the same user (and to
    root) that may ptrace-read it: in ``basic`` mode, where the kernel shares the
    grader's PID space, a kernel could read the grader's CI tokens there (a
    non-dumpable grader closes that too; this is the second lock). Python copied the
    environment into ``os.environ`` at start-up, so the grader itself is unaffected;
    only C-level ``getenv`` and children started without an explicit environment see
    the blanks. Returns how many values were blanked (0 where ``/proc`` or ctypes is
    missing). The process is made non-dumpable first (``make_undumpable``): the batch
    process calls this before it starts any worker.
    """
    make_undumpable()
    try:
        import ctypes

        with open("/proc/self/stat", "rb") as fh:
            data = fh.read()
        fields = data[data.rfind(b")") + 2:].split()
        start, end = int(fields[47]), int(fields[48])  # env_start, env_end (stat 50, 51)
        if not 0 < start < end or end - start > 1 << 24:
            return 0
        block = ctypes.string_at(start, end - start)
    except (OSError, ValueError, IndexError, ImportError):
        return 0
    blanked = 0
    offset = 0
    for entry in block.split(b"\0"):
        name, eq, value = entry.partition(b"=")
        if eq and value.strip(b"*") and looks_secret(name.decode("latin-1")):
            ctypes.memset(start + offset + len(name) + 1, ord("*"), len(value))
            blanked += 1
        offset += len(entry) + 1
    return blanked
