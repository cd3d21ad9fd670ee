"""The private folder tree of one kernel: made, measured and removed without trusting it.

Layout (the kernel may write only in ``work/``, ``tmp/`` and ``runtime/``)::

    ROOT/            mode 0711, owned by the grader: the kernel may pass, not list or write
    ROOT/work/       the kernel's cwd and HOME: a copy of the submission, nothing else
    ROOT/tmp/        TMPDIR
    ROOT/runtime/    the connection file and IPC sockets, IPython's and Jupyter's dirs
    ROOT/kernel.log  the kernel process's own stderr (a crash dump lands here)
    ROOT/grader.owner  the grader process that made it (a later run removes the tree
                     if that process was killed before it could)

When the kernel runs as another uid (a root grader drops it to ``nobody``), the three
writable folders are that uid's and the rest stays the grader's, so the kernel cannot
replace ``kernel.log`` with a symlink the grader would then read.

Everything in the tree may have been made by hostile code: symlinks planted for the
cleanup to follow, read-only folders, a 3000-level chain of directories, a million
files. So the walk here is iterative (no recursion on the Python stack), every
operation works on directory file descriptors with ``follow_symlinks=False`` /
``O_NOFOLLOW``, and nothing is ever ``chmod``ed by path.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

_FOLDER_PREFIX = "tapegrader-"
_RUN_TOKEN = secrets.token_hex(4)  # names the cleanup's own renames apart from the kernel's
_OWNER_FILE = "grader.owner"  # "PID START_TIME" of the grader process that made the tree
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_PATH_FLAGS = getattr(os, "O_PATH", 0) | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def process_identity(pid: int) -> str | None:
    """"PID START_TIME": unlike a bare pid, never the same for two processes."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()
    return f"{pid} {int(fields[19])}" if len(fields) > 19 else None


def can_traverse(path: str, uid: int, gid: int) -> bool:
    """Whether ``uid``/``gid`` (no supplementary groups) may reach ``path``."""
    parts = os.path.realpath(path).split(os.sep)
    for i in range(1, len(parts) + 1):
        here = os.sep + os.path.join(*parts[1:i]) if i > 1 else os.sep
        try:
            st = os.stat(here)
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            continue
        if uid == 0:
            continue
        bit = (stat.S_IXUSR if st.st_uid == uid else
               stat.S_IXGRP if st.st_gid == gid else stat.S_IXOTH)
        if not st.st_mode & bit:
            return False
    return True


def base_folder(uid: int, gid: int) -> str | None:
    """Where to make private trees a kernel of ``uid`` can reach (None: nowhere found).

    IPC socket paths must stay under ~100 bytes, so a short base is preferred; a
    ``/tmp`` the kernel's uid cannot pass (mode 0700, as on some CI images) gives way to
    ``/var/tmp``.
    """
    candidates = [tempfile.gettempdir(), "/tmp", "/var/tmp"]
    if len(candidates[0]) > 40:
        candidates.pop(0)
    for base in candidates:
        if os.path.isdir(base) and os.access(base, os.W_OK | os.X_OK) \
                and can_traverse(base, uid, gid):
            return base
    return None


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
    def at(cls, root: Path) -> "PrivateFolders":
        return cls(root=root, work=root / "work", tmp=root / "tmp", runtime=root / "runtime")

    @classmethod
    def create(cls, submission_name: str, notebook_text: str, *,
               owner: tuple[int, int] | None = None) -> "PrivateFolders":
        """Make the tree and write the submission copy into ``work/``.

        ``owner`` (uid, gid): the kernel's identity when it differs from the grader's;
        the writable folders are given to it and the tree is made where it can reach.
        """
        uid, gid = owner or (os.getuid(), os.getgid())
        base = base_folder(uid, gid) or tempfile.gettempdir()
        remove_stale_folders(base)
        root = Path(tempfile.mkdtemp(prefix=_FOLDER_PREFIX, dir=base))
        (root / _OWNER_FILE).write_text(process_identity(os.getpid()) or "", encoding="ascii")
        (root / "kernel.log").touch(mode=0o600)
        folders = cls.at(root)
        for path in (folders.work, folders.tmp, folders.runtime):
            path.mkdir(mode=0o700)
        name = Path(submission_name).name or "submission.ipynb"
        (folders.work / name).write_text(notebook_text, encoding="utf-8")
        if owner is not None and owner != (os.getuid(), os.getgid()):
            os.chmod(root, 0o711)
            for path in (folders.work, folders.tmp, folders.runtime, folders.work / name):
                os.chown(path, uid, gid, follow_symlinks=False)
        return folders

    @property
    def submission_copy(self) -> Path | None:
        """The notebook copy in ``work/`` (the only file the grader puts there)."""
        try:
            names = [e.name for e in os.scandir(self.work) if e.name.endswith(".ipynb")]
        except OSError:
            return None
        return self.work / names[0] if names else None

    def remove(self) -> bool:
        """Delete the tree without following any link in it; True when it is gone."""
        return remove_tree(self.root)

    def log_tail(self, limit: int = 2000) -> str:
        """The end of the kernel's own stderr (a Python crash dump on a segfault)."""
        try:
            fd = os.open(self.kernel_log, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return ""
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace")


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
            fd = os.open(os.path.join(entry.path, _OWNER_FILE), os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                owner = fh.read(100).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        pid = owner.split()[0] if owner else ""
        if not pid.isdigit() or process_identity(int(pid)) == owner:
            continue
        remove_tree(Path(entry.path))
        removed.append(Path(entry.path))
    return removed


def _open_dir(name: str, dir_fd: int) -> int | None:
    """Open subdirectory ``name`` of ``dir_fd`` for listing, never through a symlink.

    A directory the kernel made unreadable (mode 000) is given back rwx first: through
    an ``O_PATH`` descriptor opened with ``O_NOFOLLOW | O_DIRECTORY`` (so it is that
    very directory, not what a link points to) and ``/proc/self/fd``, never by path.
    """
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError:
        pass
    try:
        handle = os.open(name, _PATH_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        os.chmod(f"/proc/self/fd/{handle}", 0o700)
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(handle)


def _empty_into(fd: int, top: int, queue: list[str], counter: list[int]) -> None:
    """Unlink the files and links of directory ``fd``; move its subdirectories up into
    ``top`` (under fresh names, queued), so no walk ever goes deeper than one level."""
    try:
        os.fchmod(fd, 0o700)  # a read-only folder of the kernel's: our own fd, no path
    except OSError:
        pass
    try:
        names = os.listdir(fd)
    except OSError:
        return
    for name in names:
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            if fd == top:
                queue.append(name)
                continue
            counter[0] += 1
            flat = f".tapegrader-rm-{_RUN_TOKEN}-{counter[0]}"
            child = _open_dir(name, fd)  # moving a folder rewrites its "..": writable
            if child is not None:
                try:
                    os.fchmod(child, 0o700)
                except OSError:
                    pass
                os.close(child)
            try:
                os.rename(name, flat, src_dir_fd=fd, dst_dir_fd=top)
                queue.append(flat)
            except OSError:
                pass
            continue
        try:
            os.unlink(name, dir_fd=fd)
        except OSError:
            pass


def remove_tree(root: Path) -> bool:
    """``rm -rf root`` that never follows a symlink and never recurses on the stack.

    Iterative and shallow: every directory met is first moved up to be a direct child
    of ``root`` (``renameat`` moves the entry itself, a link stays a link), so at most
    two directory descriptors are open at any time, whatever the depth (a 3000-level
    chain costs 3000 renames, not 3000 stack frames or open files). Files and links
    are unlinked, never opened. Folders the kernel made read-only or unsearchable get
    their permissions back through descriptors (``_open_dir``), never by path. Returns
    True when ``root`` is gone.
    """
    root = Path(root)
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        try:
            os.unlink(root)
        except OSError:
            return False
        return True
    try:
        parent = os.open(root.parent, _DIR_FLAGS)
    except OSError:
        return False
    try:
        top = _open_dir(root.name, parent)
        if top is None:
            return False
        try:
            queue: list[str] = []
            counter = [0]
            _empty_into(top, top, queue, counter)
            rounds = 0
            while queue and rounds < 1_000_000:
                rounds += 1
                name = queue.pop()
                fd = _open_dir(name, top)
                if fd is None:
                    continue
                try:
                    _empty_into(fd, top, queue, counter)
                finally:
                    os.close(fd)
                try:
                    os.rmdir(name, dir_fd=top)
                except OSError:
                    pass
            _empty_into(top, top, [], counter)  # files only; folders were handled above
        finally:
            os.close(top)
        try:
            os.rmdir(root.name, dir_fd=parent)
        except OSError:
            return False
        return True
    finally:
        os.close(parent)
