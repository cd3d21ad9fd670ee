"""Where and how a student's kernel runs: the sandbox modes and what each launch gets.

``grader/grading/execute.py`` talks to the kernel; the modules here decide what the
kernel process may see and use, one concern each:

- ``folders``: the private folder tree (removed without following links);
- ``environment``: the allow-listed environment;
- ``limits``: the ``Limits`` and the rlimits applied in the child before ``exec``;
- ``identity``: the uid the kernel runs as (``nobody`` under a root grader), the
  grader's own non-dumpable state and blanked secrets;
- ``bwrap``: bubblewrap's namespaces and mounts, and its probe;
- ``disk``: the watchdog of the private folder's size;
- ``teardown``: finding and killing every process of a sandbox.

A ``Sandbox`` turns the kernel's command line into a ``LaunchPlan``. ``basic`` (always
available) gives the kernel its private folders, the environment, the limits, its own
session and process group, and, under a root grader, the ``nobody`` uid when that uid
can run the interpreter (else root, and the report's footer says so). ``bwrap`` adds
namespaces and mounts: see ``grader/grading/bwrap.py``. README's security section says
what each mode guarantees.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Callable

# The names callers used when all of this was one module (execute, batch, the tests)
# stay importable from here; each lives in the module that owns its concern.
from grader.grading.bwrap import (_PROBE, bwrap_argv, bwrap_identity, bwrap_problem,  # noqa: F401
                                  python_roots)
from grader.grading.environment import grader_import_path, kernel_environment  # noqa: F401
from grader.grading.folders import PrivateFolders, remove_stale_folders  # noqa: F401
from grader.grading.identity import (KernelIdentity, basic_identity,  # noqa: F401
                                     drop_privileges_preexec, hide_secrets_from_proc,
                                     looks_secret, make_undumpable)
from grader.grading.limits import MIB, Limits, limits_preexec, rlimits  # noqa: F401
from grader.grading.teardown import (kill_process_group, kill_sandbox,  # noqa: F401
                                     live_group_members, sandbox_processes)


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one kernel process."""

    argv: list[str]  # may contain ``{connection_file}``
    env: dict[str, str]
    cwd: str
    preexec_fn: Callable[[], None] | None
    identity: KernelIdentity = field(default_factory=lambda: KernelIdentity(os.getuid(),
                                                                            os.getgid()))
    # Descriptors the launcher passes to the child, and closes once it has started.
    pass_fds: tuple[int, ...] = ()

    @property
    def note(self) -> str | None:
        """What this launch could not give that the mode promises (for the footer)."""
        return self.identity.note

    def popen_options(self) -> dict:
        return {"preexec_fn": self.preexec_fn, "pass_fds": self.pass_fds}

    def release(self) -> None:
        for fd in self.pass_fds:
            try:
                os.close(fd)
            except OSError:
                pass


class BasicSandbox:
    """Rlimits, an allow-listed environment, private folders, timeouts, group kill,
    and ``nobody`` instead of root where that uid can run the interpreter."""

    name = "basic"

    def available(self) -> bool:
        return os.name == "posix"

    def identity(self) -> KernelIdentity:
        """Who the kernel runs as; decided before the folders are made (they are its)."""
        return basic_identity()

    def plan(self, kernel_argv: list[str], folders: PrivateFolders, limits: Limits,
             total_timeout: float, identity: KernelIdentity | None = None) -> LaunchPlan:
        identity = identity or self.identity()
        drop = (drop_privileges_preexec(identity.uid, identity.gid)
                if identity.switches else None)
        return LaunchPlan(
            argv=list(kernel_argv),
            env=kernel_environment(folders),
            cwd=str(folders.work),
            preexec_fn=limits_preexec(rlimits(limits, total_timeout, identity.uid), drop),
            identity=identity,
        )


def _require_bwrap(bwrap: str | None) -> None:
    problem = bwrap_problem(bwrap)
    if problem is not None:
        from grader.errors import UsageError

        raise UsageError(f"--sandbox bwrap is not available: {problem}",
                         fix="install bubblewrap (apt-get install bubblewrap) or use "
                             "--sandbox basic (or auto)")


class BwrapSandbox(BasicSandbox):
    """``basic`` plus bubblewrap namespaces: see ``bwrap_argv``.

    The rlimits and the allow-listed environment of ``basic`` still apply (they are
    set on bwrap and inherited by the kernel).
    """

    name = "bwrap"

    def __init__(self) -> None:
        self.bwrap = shutil.which("bwrap")

    def available(self) -> bool:
        return bwrap_problem(self.bwrap) is None

    def identity(self) -> KernelIdentity:
        return bwrap_identity()

    def plan(self, kernel_argv: list[str], folders: PrivateFolders, limits: Limits,
             total_timeout: float, identity: KernelIdentity | None = None) -> LaunchPlan:
        _require_bwrap(self.bwrap)
        identity = identity or self.identity()
        copy = folders.submission_copy
        fd = os.open(copy, os.O_RDONLY | os.O_NOFOLLOW) if copy is not None else None
        # bwrap starts as the grader's uid (it needs root, or a user namespace, for its
        # mounts); the kernel's uid comes from setpriv inside (see bwrap_argv). The
        # process limit counts the kernel's uid.
        preexec = limits_preexec(rlimits(limits, total_timeout, identity.uid))
        argv = bwrap_argv(self.bwrap, folders, identity=identity, limits=limits,
                          submission_fd=fd)
        return LaunchPlan(argv=argv + list(kernel_argv), env=kernel_environment(folders),
                          cwd=str(folders.work),
                          preexec_fn=preexec, identity=identity,
                          pass_fds=(fd,) if fd is not None else ())


SANDBOXES: dict[str, type] = {"basic": BasicSandbox, "bwrap": BwrapSandbox}
SANDBOX_CHOICES = ("auto", *SANDBOXES)


def get_sandbox(name: str = "auto"):
    """The sandbox called ``name``; ``auto`` is bwrap when it works here, else basic.

    An unknown name, or ``bwrap`` where it cannot run, is a ``UsageError`` (exit 2)
    that says why.
    """
    if name == "auto":
        return BwrapSandbox() if bwrap_problem() is None else BasicSandbox()
    try:
        sandbox = SANDBOXES[name]()
    except KeyError:
        from grader.errors import UsageError

        raise UsageError(
            f"unknown sandbox {name!r}",
            fix=f"use one of: {', '.join(SANDBOX_CHOICES)}",
        ) from None
    if name == "bwrap":
        _require_bwrap(sandbox.bwrap)
    return sandbox


__all__ = ["BasicSandbox", "BwrapSandbox", "KernelIdentity", "LaunchPlan", "Limits", "MIB",
           "PrivateFolders", "SANDBOXES", "SANDBOX_CHOICES", "basic_identity", "bwrap_argv",
           "bwrap_identity", "bwrap_problem", "drop_privileges_preexec", "get_sandbox",
           "grader_import_path", "hide_secrets_from_proc", "kernel_environment",
           "kill_process_group", "kill_sandbox", "limits_preexec", "live_group_members",
           "looks_secret", "make_undumpable", "python_roots", "remove_stale_folders",
           "rlimits", "sandbox_processes"]
