"""Which submissions a batch grades, and the id each one is known by.

Each PATH is a notebook, a folder (walked without recursion, hidden folders such as
``.ipynb_checkpoints`` skipped, symbolic links to folders not entered) or a glob.
A submission's id is its path under the folder or glob root it was found in
(``alice/hw1.ipynb``): the id names its reports and its gradebook row, and decides its
shard.

Every notebook entry found gets exactly one submission, and one row in the end: the
entry is identified by where it lies, never by where a link leads, so two entries are
never merged into one (``aaron/hw1.ipynb -> ../alice/hw1.ipynb`` once gave aaron
alice's marks and took alice out of the gradebook). A symbolic link is graded only
when it stays with its own student, inside the class folder; otherwise its row is
refused and says why (another student's file, a file outside the class folder, a
link to nothing or round in a loop). A FIFO or device named ``*.ipynb`` is refused
too: reading it would block the batch.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from grader.errors import UsageError
from grader.grading.notebook import Found, hidden, walk_notebooks


@dataclass(frozen=True)
class Submission:
    path: Path
    id: str  # POSIX path under its root, e.g. "alice/hw1.ipynb"
    refused: str = ""  # why it is not graded at all (its row says so), else ""

    @property
    def student(self) -> str:
        """The first folder of the id (one folder per student), else the file's stem."""
        return student_of(self.id.split("/"))

    @property
    def stem(self) -> str:
        return self.id[: -len(".ipynb")] if self.id.endswith(".ipynb") else self.id


@dataclass
class Discovery:
    """What ``discover_all`` found: the submissions, and what it skipped and why."""

    submissions: list[Submission]
    notes: list[str] = field(default_factory=list)


def student_of(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) > 1 else Path(parts[0]).stem


def text_id(parts: Sequence[str]) -> str:
    """The id of a path: its parts joined by "/", a name that is not UTF-8 shown with
    backslash escapes (``\\xff``). The id is written into JSON, CSV and HTML, which
    hold only text; the file itself is still read by its true path."""
    return "/".join(os.fsencode(p).decode("utf-8", "backslashreplace") for p in parts)


def _glob_root(pattern: str) -> tuple[Path, list[str]]:
    """(the folder before the first wildcard, the pattern's parts after it)."""
    parts = Path(pattern).parts
    first = next(i for i, p in enumerate(parts) if glob.has_magic(p))
    return (Path(*parts[:first]) if first else Path(".")), list(parts[first:])


def glob_match(parts: Sequence[str], pattern: Sequence[str]) -> bool:
    """Whether a path (its parts) matches glob ``pattern`` (its parts; ``**`` spans any
    number of folders, as in ``glob(recursive=True)``). A table, not recursion."""
    # can[i][j]: parts[i:] matches pattern[j:]; filled from the ends.
    n, m = len(parts), len(pattern)
    can = [[False] * (m + 1) for _ in range(n + 1)]
    can[n][m] = True
    for j in range(m - 1, -1, -1):
        can[n][j] = pattern[j] == "**" and can[n][j + 1]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if pattern[j] == "**":
                can[i][j] = can[i][j + 1] or can[i + 1][j]
            else:
                can[i][j] = fnmatch.fnmatchcase(parts[i], pattern[j]) and can[i + 1][j + 1]
    return can[0][0]


def _found_in(text: str, exclude: Sequence[Path]) -> tuple[Path, list[Found], list[str]]:
    """(root, entries, notes) for one PATH argument."""
    path = Path(text)
    if glob.has_magic(text):
        root, pattern = _glob_root(text)
        depth = None if "**" in pattern else len(pattern)
        found, notes = walk_notebooks(root, exclude=exclude, max_depth=depth) \
            if root.is_dir() else ([], [])
        found = [f for f in found if glob_match(f.parts, pattern)]
        if not found:
            raise UsageError("the pattern matches no notebook", path=text,
                             fix="quote the pattern and check it, e.g. 'class/**/*.ipynb'")
        return root, found, notes
    if path.is_dir():
        found, notes = walk_notebooks(path, exclude=exclude)
        return path, found, notes
    if os.path.lexists(path):
        kind = "link" if path.is_symlink() else "file" if path.is_file() else "other"
        return path.parent, [Found(parts=(path.name,), path=path, kind=kind)], []
    raise UsageError("no such file or folder", path=text,
                     fix="give notebooks, folders of notebooks or a quoted glob")


def refusal(entry: Found, root_real: Path, exclude: Sequence[Path]) -> str:
    """Why ``entry`` must not be graded, or "" when it may be."""
    if entry.kind == "other":
        return "not a regular file (a pipe, socket or device named .ipynb): not graded"
    if entry.kind != "link":
        return ""
    try:
        said = os.readlink(entry.path)
    except OSError:
        said = "?"
    try:
        real = Path(os.path.realpath(entry.path, strict=True))
    except FileNotFoundError:
        return f"a symbolic link to {said}, which does not exist: not graded"
    except (OSError, RuntimeError) as err:
        reason = getattr(err, "strerror", None) or "it cannot be followed"
        return f"a symbolic link to {said} that cannot be followed ({reason}): not graded"
    if not real.is_relative_to(root_real):
        return (f"a symbolic link out of the class folder (to {real}): not graded; "
                "copy the notebook into the student's folder to grade it")
    target = real.relative_to(root_real).parts
    if not real.is_file():
        return f"a symbolic link to {'/'.join(target)}, which is not a file: not graded"
    if hidden(target) or any(real.is_relative_to(x) for x in exclude):
        return f"a symbolic link to {'/'.join(target)}, which is not a submission: not graded"
    owner, linker = student_of(target), student_of(entry.parts)
    if owner != linker:
        return (f"a symbolic link to {'/'.join(target)}, which belongs to {owner}: not "
                f"graded, so that {linker} cannot be given {owner}'s marks")
    return ""


def discover_all(paths: Sequence[str | Path], *, exclude: Sequence[Path] = ()) -> Discovery:
    """Every submission under ``paths``, sorted by id, and notes on what was skipped.

    The same entry reached through two PATHs counts once (under the first one's id).
    """
    exclude = [Path(os.path.realpath(x)) for x in exclude]
    by_id: dict[str, Submission] = {}
    seen: set[Path] = set()
    notes: list[str] = []
    for text in paths:
        root, entries, skipped = _found_in(str(text), exclude)
        notes += skipped
        root_real = Path(os.path.realpath(root))
        for entry in entries:
            where = root_real.joinpath(*entry.parts)  # the entry itself, links unfollowed
            if where in seen:
                continue
            seen.add(where)
            sub_id = text_id(entry.parts)
            if sub_id in by_id:
                raise UsageError(
                    f"two submissions would both be called {sub_id!r}: "
                    f"{by_id[sub_id].path} and {entry.path}",
                    fix="grade one parent folder that holds both (ids are paths under it)")
            by_id[sub_id] = Submission(path=entry.path, id=sub_id,
                                       refused=refusal(entry, root_real, exclude))
    return Discovery(submissions=[by_id[k] for k in sorted(by_id)], notes=notes)


def discover(paths: Sequence[str | Path], *, exclude: Sequence[Path] = ()) -> list[Submission]:
    """Every submission under ``paths``, sorted by id (see ``discover_all``)."""
    return discover_all(paths, exclude=exclude).submissions
