"""The bubblewrap command line around a kernel, and the probe that says whether it runs here.

What the kernel sees (``bwrap_argv``): its own network, PID, IPC and UTS namespaces
(no network, no other process's ``/proc`` entries), a fresh ``/proc`` with
``/proc/sys`` read-only, a minimal ``/dev``, the system and Python folders read-only,
of the ``grader`` package only ``__init__.py``, ``tape/`` and ``kernel/`` (never
``_data/``, the specs, the solutions or the grader's own code), and three writable
places: a sized tmpfs at ``work/`` (holding a copy of the submission), a sized tmpfs at
``tmp/`` and at ``/tmp``, and the host's ``runtime/`` (the IPC socket files the grader
connects to).

Who it runs as. bwrap run by real root with ``--unshare-user --uid 65534`` maps the
sandbox's 65534 to uid 0 *outside* (bwrap writes "65534 0 1" to the uid map): to the
host kernel the process is still root without capabilities, so it owns every
root-owned file it can reach and ``/proc/sys`` accepts its writes (a student wrote
``/proc/sys/kernel/core_pattern``). So a root grader makes no user namespace: bwrap
sets up the mounts as root, then ``setpriv`` (util-linux) drops the kernel to
``nobody`` for real (uid, gid, no groups, no capabilities, no new privileges) before
Python starts. An ordinary grader uses an unprivileged user namespace
(``--unshare-all``), where the kernel keeps the grader's uid and has no capabilities.
"""

from __future__ import annotations

import os
import shutil
import sys

from grader.grading.folders import PrivateFolders
from grader.grading.identity import FIND_KERNEL_MODULES, NOBODY, KernelIdentity
from grader.grading.limits import Limits

# Read-only system folders a Python kernel needs; absent ones are skipped
# (``--ro-bind-try``). Symlinks such as ``/bin -> usr/bin`` are recreated as symlinks.
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# From /etc only what the dynamic loader, locale and user look-ups read (no shadow,
# no ssh keys, no CI configuration).
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd",
              "/etc/group", "/etc/nsswitch.conf", "/etc/localtime", "/etc/hosts",
              "/etc/alternatives", "/etc/ssl/certs")
# The parts of the ``grader`` package the kernel imports (see grader/kernel/__init__.py).
KERNEL_PARTS = ("__init__.py", "tape", "kernel")


def _within(path: str, roots: set[str]) -> bool:
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def package_folder() -> str:
    import grader

    return os.path.realpath(os.path.dirname(grader.__file__))


def python_roots() -> list[str]:
    """The folders the kernel's imports come from, to bind read-only.

    The interpreter's prefixes (venv and base), and any other import folder on the
    grader's ``sys.path`` (a ``.pth`` file or PYTHONPATH may add another environment's
    site-packages), never a folder holding the ``grader`` package (a source checkout:
    ``solutions/``, ``tests/`` and the specs stay out of view). The package itself is
    bound part by part (``KERNEL_PARTS``) by ``bwrap_argv``.
    """
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           sys.base_exec_prefix)}
    # ``sys.executable`` may be a symlink chain through other folders (pyenv shims).
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    package = package_folder()
    for entry in sys.path[1:]:  # [0] is the script's folder, the kernel's is its cwd
        path = os.path.realpath(entry) if entry else ""
        if (not path or path == os.sep or not os.path.exists(path) or _within(path, roots)
                or package.startswith(path + os.sep)
                or os.path.isfile(os.path.join(path, "grader", "__init__.py"))):
            continue
        roots.add(path)
    return sorted(r for r in roots if not _within(r, roots - {r}))


def _bind_args(flag: str, path: str) -> list[str]:
    if os.path.islink(path) and path.count(os.sep) == 1:  # e.g. /lib -> usr/lib
        return ["--symlink", os.readlink(path), path]
    return [flag, path, path]


def _with_parents(argv: list[str]) -> list[str]:
    """``argv`` with each mount destination's missing parents made first, mode 0755.

    bwrap 0.8 creates the parents of a bind destination with mode 0700 (``/root`` and
    ``/work`` above a venv, say), which a kernel dropped to ``nobody`` could not pass.
    """
    takes = {"--ro-bind": 2, "--ro-bind-try": 2, "--bind": 2, "--tmpfs": 1, "--file": 2,
             "--symlink": 2, "--dir": 1, "--perms": 1, "--size": 1, "--remount-ro": 1,
             "--proc": 1, "--dev": 1}
    made = {"/"}
    out: list[str] = []
    i = 0
    while i < len(argv):
        flag = argv[i]
        n = takes.get(flag, 0)
        args = argv[i + 1:i + 1 + n]
        if flag in ("--ro-bind", "--ro-bind-try", "--bind", "--file", "--tmpfs") and args:
            dest = args[-1]
            parents = []
            parent = os.path.dirname(dest)
            while parent not in made and parent != os.sep:
                parents.append(parent)
                parent = os.path.dirname(parent)
            # A --perms just before --tmpfs/--file belongs to it: put the dirs before that.
            at = len(out) - 2 if out[-2:-1] == ["--perms"] else len(out)
            extra = []
            for path in reversed(parents):
                extra += ["--perms", "0755", "--dir", path]
                made.add(path)
            out[at:at] = extra
        if flag in ("--ro-bind", "--ro-bind-try", "--bind", "--tmpfs", "--dir") and args:
            made.add(args[-1])
        out += argv[i:i + 1 + n]
        i += 1 + n
    return out


def _package_args() -> list[str]:
    """Of ``grader`` only what the kernel imports; the rest (``_data/`` of a wheel
    install, ``grading/``, ``authoring/``...) hidden under an empty read-only tmpfs,
    even where the package lies inside a bound site-packages."""
    package = package_folder()
    argv = ["--perms", "0755", "--tmpfs", package]
    for part in KERNEL_PARTS:
        path = os.path.join(package, part)
        argv += ["--ro-bind-try", path, path]
    return argv + ["--remount-ro", package]


def setpriv_path() -> str | None:
    """util-linux's ``setpriv`` in a system folder the sandbox binds, if any."""
    for folder in ("/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        path = os.path.join(folder, "setpriv")
        if os.access(path, os.X_OK):
            return path
    return None


def bwrap_argv(bwrap: str, folders: PrivateFolders, *, identity: KernelIdentity,
               limits: Limits, submission_fd: int | None = None) -> list[str]:
    """The bubblewrap command line that wraps a kernel for ``folders``; the kernel's own
    argv follows it. ``submission_fd``: an open descriptor of the submission copy,
    copied into the sandbox's ``work/`` (``--file``); pass it in ``pass_fds``.

    ``--die-with-parent`` ends the sandbox when the grader dies, even by SIGKILL;
    ``--new-session`` keeps the kernel off the grader's terminal.
    """
    as_root = os.geteuid() == 0
    if as_root:
        # No user namespace (see the module docstring): the kernel is dropped by setpriv.
        argv = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try"]
    else:
        argv = [bwrap, "--unshare-all", "--cap-drop", "ALL"]
    size = str(limits.disk_bytes)
    argv += ["--die-with-parent", "--new-session", "--hostname", "sandbox",
             # The empty /tmp comes first: binds below may lie under /tmp (a project
             # cloned there, its venv, the private folder) and must stay visible.
             "--size", size, "--perms", "1777", "--tmpfs", "/tmp"]
    for path in _SYSTEM_DIRS:
        argv += _bind_args("--ro-bind-try", path)
    for path in _ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    for path in python_roots():
        argv += ["--ro-bind", path, path]
    argv += _package_args()
    argv += ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev",
             "--bind", str(folders.runtime), str(folders.runtime),
             "--size", size, "--perms", "0777", "--tmpfs", str(folders.work),
             "--size", size, "--perms", "0777", "--tmpfs", str(folders.tmp)]
    copy = folders.submission_copy
    if submission_fd is not None and copy is not None:
        argv += ["--perms", "0666", "--file", str(submission_fd), str(copy)]
    argv = _with_parents(argv)
    argv += ["--chdir", str(folders.work),
             # ipykernel polls its parent by pid; the grader's pid means nothing inside
             # the PID namespace (the kernel's parent is pid 1 there) and the kernel
             # would take that for a dead parent. --die-with-parent does that job here.
             "--unsetenv", "JPY_PARENT_PID", "--"]
    if as_root:
        setpriv = setpriv_path() or "setpriv"
        uid, gid = (identity.uid, identity.gid) if identity.switches else (NOBODY, NOBODY)
        argv += [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return argv


def bwrap_identity() -> KernelIdentity:
    """Who a bwrap kernel runs as: ``nobody`` under a root grader, else the grader."""
    if os.geteuid() == 0:
        return KernelIdentity(NOBODY, NOBODY)
    return KernelIdentity(os.getuid(), os.getgid())


_PROBE: dict[str, str | None] = {}  # bwrap path -> None when it works, else why not


def bwrap_problem(bwrap: str | None = None) -> str | None:
    """Why bubblewrap cannot sandbox a kernel here, or None when it can (cached per process).

    The probe runs the real wrapping (same namespaces, binds and identity) around the
    grader's own interpreter finding the engine, the kernel room and ipykernel, so a
    kernel that passes it will start.
    """
    bwrap = bwrap or shutil.which("bwrap")
    if not bwrap:
        return "bwrap (Debian package bubblewrap) is not installed"
    if bwrap in _PROBE:
        return _PROBE[bwrap]
    if os.geteuid() == 0 and setpriv_path() is None:
        _PROBE[bwrap] = ("setpriv (util-linux) is not installed: a root grader needs it "
                         "to run the kernel as nobody")
        return _PROBE[bwrap]
    import subprocess

    from grader.grading.environment import kernel_environment

    identity = bwrap_identity()
    folders = PrivateFolders.create("probe.ipynb", "{}", owner=identity.owner)
    try:
        fd = os.open(folders.work / "probe.ipynb", os.O_RDONLY)
        try:
            argv = bwrap_argv(bwrap, folders, identity=identity, limits=Limits(),
                              submission_fd=fd)
            argv += [sys.executable, "-c", FIND_KERNEL_MODULES]
            proc = subprocess.run(argv, capture_output=True, timeout=60, pass_fds=(fd,),
                                  env=kernel_environment(folders), stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as err:
            problem: str | None = f"bwrap could not be run: {err}"
        else:
            tail = proc.stderr.decode("utf-8", "replace").strip()[-300:]
            problem = None if proc.returncode == 0 else (
                f"bwrap exits with status {proc.returncode}: {tail or 'no message'}")
        finally:
            os.close(fd)
    finally:
        folders.remove()
    _PROBE[bwrap] = problem
    return problem
