"""Where and how a student's kernel runs: private folders, environment, limits, teardown.

``grader/execute.py`` talks to the kernel; this module decides what the kernel
process may see and use. It is the single place a stronger sandbox slots in: a
``Sandbox`` turns the kernel's command line and launch options into sandboxed ones.
The ``basic`` sandbox (always available) gives the kernel:

- a private temporary folder tree (mode 0700), removed afterwards::

      ROOT/work/      the kernel's cwd and HOME: a copy of the submission, nothing else
      ROOT/tmp/       TMPDIR
      ROOT/runtime/   the connection file and IPC sockets, IPython's and Jupyter's dirs
      ROOT/kernel.log the kernel process's own stderr (a crash dump lands here)
      ROOT/grader.owner  the grader process that made it (a later run removes the
                      tree if that process was killed before it could)

- an environment rebuilt from an allow-list, never copied from the grader's (CI
  tokens, cloud keys and the like are simply not there);
- resource limits set in the child before ``exec`` (address space, CPU seconds, new
  processes, file size, open files, no core dumps);
- its own session and process group (jupyter_client starts kernels with
  ``start_new_session``); at the end ``kill_sandbox`` kills the group, every
  descendant (a child that called ``setsid()`` left the group, not the tree) and any
  process still working in the private folder;
- secret-looking variables blanked in the grader's own ``/proc/PID/environ``
  (``hide_secrets_from_proc``), since the kernel shares the grader's PID space.

What ``basic`` does not do: hide the rest of the filesystem, block the network, or
bind root with the process limit. ``bwrap`` (``BwrapSandbox``, bubblewrap) adds
namespaces for those: see ``bwrap_argv``. README's security section says what each
mode guarantees.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's kernel.

    The defaults leave room for an IPython kernel with the tape engine loaded (about
    0.28 GB of address space with this module's environment, 8 threads, 62 open files
    at rest; without ``MALLOC_ARENA_MAX`` and one BLAS thread it was 0.85 GB) and stop
    runaway code within seconds: a memory bomb meets ``memory_bytes`` (a MemoryError
    in the cell, the kernel lives on), a fork bomb ``processes``, a disk filler
    ``file_size_bytes``. Several graders share a CI machine in a batch, so memory is
    kept to 1 GiB rather than "whatever the machine has". ``cpu_seconds=None`` follows the
    submission's wall-clock limit (plus a margin), so the CPU limit never fires
    before the timeout that explains itself better.
    """

    memory_bytes: int = 1024 * MIB
    cpu_seconds: int | None = None
    processes: int = 64
    file_size_bytes: int = 64 * MIB
    open_files: int = 256
    # Captured notebook output kept by the grader (streams, rich outputs, tracebacks).
    output_bytes: int = 1 * MIB

    def cpu_limit(self, total_timeout: float) -> int:
        if self.cpu_seconds is not None:
            return int(self.cpu_seconds)
        return int(total_timeout) + 10


# --------------------------------------------------------------------------- folders


_FOLDER_PREFIX = "tapegrader-"
_OWNER_FILE = "grader.owner"  # "PID START_TIME" of the grader process that made the tree


def _process_identity(pid: int) -> str | None:
    """"PID START_TIME": unlike a bare pid, never the same for two processes."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    return f"{pid} {int(fields[19])}" if len(fields) > 19 else None


def remove_stale_folders(base: str) -> list[Path]:
    """Delete private trees whose grader process is gone (it was SIGKILLed).

    Only trees with an owner file are touched (so never another tool's folder, nor a
    tree being created right now), and only when that exact process no longer exists.
    """
    removed = []
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(_FOLDER_PREFIX)
                   and e.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for entry in entries:
        try:
            owner = Path(entry.path, _OWNER_FILE).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        pid = owner.split()[0] if owner else ""
        if not pid.isdigit() or _process_identity(int(pid)) == owner:
            continue
        root = Path(entry.path)
        PrivateFolders(root=root, work=root / "work", tmp=root / "tmp",
                       runtime=root / "runtime").remove()
        removed.append(root)
    return removed


@dataclass(frozen=True)
class PrivateFolders:
    """The temporary folder tree of one kernel (see the module docstring)."""

    root: Path
    work: Path
    tmp: Path
    runtime: Path

    @property
    def connection_file(self) -> Path:
        return self.runtime / "kernel.json"

    @property
    def kernel_log(self) -> Path:
        return self.root / "kernel.log"

    @classmethod
    def create(cls, submission_name: str, notebook_text: str) -> "PrivateFolders":
        """Make the tree and write the submission copy into ``work/``."""
        # IPC socket paths must stay under ~100 bytes: prefer a short base folder.
        base = None
        if len(tempfile.gettempdir()) > 40 and os.path.isdir("/tmp"):
            base = "/tmp"
        remove_stale_folders(base or tempfile.gettempdir())
        root = Path(tempfile.mkdtemp(prefix=_FOLDER_PREFIX, dir=base))
        (root / _OWNER_FILE).write_text(_process_identity(os.getpid()) or "", encoding="ascii")
        folders = cls(root=root, work=root / "work", tmp=root / "tmp", runtime=root / "runtime")
        for path in (folders.work, folders.tmp, folders.runtime):
            path.mkdir(mode=0o700)
        name = Path(submission_name).name or "submission.ipynb"
        (folders.work / name).write_text(notebook_text, encoding="utf-8")
        return folders

    def remove(self) -> None:
        """Delete the tree, even where the student made files read-only."""

        def _retry(func, path, _exc):  # noqa: ANN001 - shutil's onerror signature
            try:
                os.chmod(os.path.dirname(path), 0o700)
                os.chmod(path, 0o700)
                func(path)
            except OSError:
                pass

        if sys.version_info >= (3, 12):
            shutil.rmtree(self.root, onexc=_retry)
        else:
            shutil.rmtree(self.root, onerror=_retry)

    def log_tail(self, limit: int = 2000) -> str:
        """The end of the kernel's own stderr (a Python crash dump on a segfault)."""
        try:
            with open(self.kernel_log, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - limit))
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------- environment


def _grader_import_path() -> str | None:
    """The folder to put on the kernel's PYTHONPATH so ``import grader`` works, if any.

    A fresh interpreter of ``sys.executable`` already finds the package when it is
    installed (site-packages or an editable ``.pth``). Only when the grader runs from a
    source tree that the interpreter would not find (found through PYTHONPATH or the
    script's own folder) is the path passed on.
    """
    import grader

    parent = os.path.realpath(os.path.dirname(os.path.dirname(grader.__file__)))
    pythonpath = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    inherited = {os.path.realpath(p) for p in pythonpath if p}
    fresh = {os.path.realpath(p) for p in sys.path[1:] if p} - inherited
    return None if parent in fresh else parent


def kernel_environment(folders: PrivateFolders,
                       source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's whole environment, built from an allow-list (nothing else passes)."""
    source = os.environ if source is None else source
    env = {
        "PATH": source.get("PATH") or os.defpath,
        "HOME": str(folders.work),
        "TMPDIR": str(folders.tmp),
        "TEMP": str(folders.tmp),
        "TMP": str(folders.tmp),
        "LANG": source.get("LANG") or "C.UTF-8",
        # Hash randomisation off: set iteration order, and so printed output, repeats.
        "PYTHONHASHSEED": "0",
        "PYTHONFAULTHANDLER": "1",  # a segfault leaves a Python traceback in kernel.log
        "PYTHONDONTWRITEBYTECODE": "1",
        # Keep IPython and Jupyter away from the grader user's profiles and config
        # (a startup file there would run inside every student's kernel).
        "IPYTHONDIR": str(folders.runtime / "ipython"),
        "JUPYTER_CONFIG_DIR": str(folders.runtime / "jupyter"),
        "JUPYTER_DATA_DIR": str(folders.runtime / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(folders.runtime),
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLCONFIGDIR": str(folders.tmp),
        # One BLAS thread: fewer threads against the process limit, less address space,
        # and no thread start-up cost for 2x2 matrices.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    if source.get("LC_ALL"):
        env["LC_ALL"] = source["LC_ALL"]
    extra = _grader_import_path()
    if extra:
        env["PYTHONPATH"] = extra
    return env


# --------------------------------------------------------------------------- limits


def _proc_files(name: str):
    """(pid, contents of /proc/PID/name) for every process still there to read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/{name}", "rb") as fh:
                yield int(entry.name), fh.read()
        except OSError:
            continue


def _count_user_tasks(uid: int) -> int:
    """Threads and processes of ``uid`` now (RLIMIT_NPROC counts all of them)."""
    total = 0
    for _pid, text in _proc_files("status"):
        uid_field = threads = None
        for line in text.splitlines():
            if line.startswith(b"Uid:"):
                uid_field = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if uid_field == uid and threads:
            total += threads
    return total


def rlimits(limits: Limits, total_timeout: float) -> list[tuple[int, int, int]]:
    """(resource, soft, hard) triples for the kernel process, computed in the parent.

    RLIMIT_NPROC counts every task of the user, not of the kernel, so the limit is
    "what the user runs now plus ``limits.processes``". (It does not bind root with
    CAP_SYS_RESOURCE; a namespaced sandbox is the real answer there.)
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
        nproc = _count_user_tasks(os.getuid()) + limits.processes
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


def limits_preexec(triples: list[tuple[int, int, int]]) -> Callable[[], None]:
    """A ``preexec_fn`` that applies precomputed limits in the child before ``exec``.

    It only calls ``setrlimit`` (no allocation-heavy work between fork and exec).
    """
    import resource

    setrlimit = resource.setrlimit

    def apply() -> None:
        for res, soft, hard in triples:
            setrlimit(res, (soft, hard))

    return apply


# ----------------------------------------------------------------- process groups


def live_group_members(pgid: int) -> list[int]:
    """PIDs in process group ``pgid`` that are not zombies (Linux ``/proc``)."""
    members = []
    for pid, stat in _proc_files("stat"):
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
    for pid, stat in _proc_files("stat"):
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
    root): in ``basic`` mode, where the kernel shares the grader's PID space, a kernel
    could read the grader's CI tokens there. Python copied the environment into
    ``os.environ`` at start-up, so the grader itself is unaffected; only C-level
    ``getenv`` and children started without an explicit environment see the blanks.
    Returns how many values were blanked (0 where ``/proc`` or ctypes is missing).
    This does not stop a process that may read the grader's memory (root, or
    ptrace), which is why ``bwrap`` mode exists.
    """
    try:
        import ctypes

        with open("/proc/self/stat", "rb") as fh:
            stat = fh.read()
        fields = stat[stat.rfind(b")") + 2:].split()
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


# ---------------------------------------------------------------------- sandboxes


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one kernel process."""

    argv: list[str]  # may contain ``{connection_file}``
    env: dict[str, str]
    cwd: str
    preexec_fn: Callable[[], None] | None


class BasicSandbox:
    """Rlimits, an allow-listed environment, private folders, timeouts, group kill."""

    name = "basic"

    def available(self) -> bool:
        return os.name == "posix"

    def plan(self, kernel_argv: list[str], folders: PrivateFolders, limits: Limits,
             total_timeout: float) -> LaunchPlan:
        return LaunchPlan(
            argv=list(kernel_argv),
            env=kernel_environment(folders),
            cwd=str(folders.work),
            preexec_fn=limits_preexec(rlimits(limits, total_timeout)),
        )


# Read-only system folders a Python kernel needs; absent ones are skipped
# (``--ro-bind-try``). Symlinks such as ``/bin -> usr/bin`` are recreated as symlinks.
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# From /etc only what the dynamic loader, locale and user look-ups read (no shadow,
# no ssh keys, no CI configuration).
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd",
              "/etc/group", "/etc/nsswitch.conf", "/etc/localtime", "/etc/hosts",
              "/etc/alternatives", "/etc/ssl/certs")


def _within(path: str, roots: set[str]) -> bool:
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def _python_roots() -> list[str]:
    """The folders the kernel's imports come from, to bind read-only.

    The interpreter's prefixes (venv and base), any other import folder on the
    grader's ``sys.path`` (a ``.pth`` file or PYTHONPATH may add another
    environment's site-packages), and the ``grader`` package folder itself, never
    the checkout around it: in a source checkout that keeps ``solutions/``,
    ``tests/`` and the exercise specs out of the kernel's view (a folder holding a
    ``grader`` package is skipped for that reason).
    """
    import grader

    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           sys.base_exec_prefix)}
    # ``sys.executable`` may be a symlink chain through other folders (pyenv shims).
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    package = os.path.realpath(os.path.dirname(grader.__file__))
    for entry in sys.path[1:]:  # [0] is the script's folder, the kernel's is its cwd
        path = os.path.realpath(entry) if entry else ""
        if (not path or path == os.sep or not os.path.exists(path) or _within(path, roots)
                or package.startswith(path + os.sep)
                or os.path.isfile(os.path.join(path, "grader", "__init__.py"))):
            continue
        roots.add(path)
    if not _within(package, roots):
        roots.add(package)
    return sorted(r for r in roots if not _within(r, roots - {r}))


def _bind_args(flag: str, path: str) -> list[str]:
    if os.path.islink(path) and path.count(os.sep) == 1:  # e.g. /lib -> usr/lib
        return ["--symlink", os.readlink(path), path]
    return [flag, path, path]


def bwrap_argv(bwrap: str, folders: PrivateFolders) -> list[str]:
    """The bubblewrap command line that wraps a kernel for ``folders``.

    Every namespace unshared (no network, own PID tree so no other process's
    ``/proc`` entries are visible, own IPC and hostname), a fresh ``/proc``, a minimal
    ``/dev``, an empty private ``/tmp``, the system and Python folders read-only, and
    the submission's private folder (its ``work``, ``tmp``, the IPC socket files in
    ``runtime``) the only writable place. ``--die-with-parent`` ends the sandbox when
    the grader dies, even by SIGKILL; ``--new-session`` keeps the kernel off the
    grader's terminal.
    """
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "sandbox",
            # The empty /tmp comes first: binds below may lie under /tmp (a project
            # cloned there, its venv, the private folder) and must stay visible.
            "--tmpfs", "/tmp"]
    for path in _SYSTEM_DIRS:
        argv += _bind_args("--ro-bind-try", path)
    for path in _ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    for path in _python_roots():
        argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--bind", str(folders.root), str(folders.root),
             # The grader writes kernel.log; the kernel only appends through its stderr.
             "--ro-bind", str(folders.kernel_log), str(folders.kernel_log),
             "--chdir", str(folders.work),
             # ipykernel polls its parent by pid; the grader's pid means nothing inside
             # the PID namespace (the kernel's parent is pid 1 there) and the kernel
             # would take that for a dead parent. --die-with-parent does that job here.
             "--unsetenv", "JPY_PARENT_PID", "--"]
    return argv


_PROBE: dict[str, str | None] = {}  # bwrap path -> None when it works, else why not


def bwrap_problem(bwrap: str | None = None) -> str | None:
    """Why bubblewrap cannot sandbox a kernel here, or None when it can (cached per process).

    The probe runs the real wrapping (same namespaces and binds) around the grader's
    own interpreter, so a kernel that passes it will start.
    """
    bwrap = bwrap or shutil.which("bwrap")
    if not bwrap:
        return "bwrap (Debian package bubblewrap) is not installed"
    if bwrap in _PROBE:
        return _PROBE[bwrap]
    import subprocess

    folders = PrivateFolders.create("probe.ipynb", "{}")
    try:
        folders.kernel_log.touch()
        argv = bwrap_argv(bwrap, folders) + [sys.executable, "-c", "import grader"]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=20,
                                  env=kernel_environment(folders), stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as err:
            problem: str | None = f"bwrap could not be run: {err}"
        else:
            tail = proc.stderr.decode("utf-8", "replace").strip()[-300:]
            problem = None if proc.returncode == 0 else (
                f"bwrap exits with status {proc.returncode}: {tail or 'no message'}")
    finally:
        folders.remove()
    _PROBE[bwrap] = problem
    return problem


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

    def plan(self, kernel_argv: list[str], folders: PrivateFolders, limits: Limits,
             total_timeout: float) -> LaunchPlan:
        _require_bwrap(self.bwrap)
        folders.kernel_log.touch()
        base = super().plan(kernel_argv, folders, limits, total_timeout)
        return LaunchPlan(argv=bwrap_argv(self.bwrap, folders) + base.argv, env=base.env,
                          cwd=base.cwd, preexec_fn=base.preexec_fn)


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
