"""A submission's file: finding notebooks under a folder, and reading one safely.

Everything here reads files that a student controls (their name, their kind, their
bytes), so each step is bounded before it is taken:

- a folder is walked with a stack of our own, never by recursion on the Python stack
  (a 3000-level folder must not raise RecursionError), and never through a symbolic
  link to a folder (which could lead out of the class folder, or round in a loop);
- a file is opened without blocking and must be a regular file (a FIFO named
  ``hw.ipynb`` would hang a plain ``read``), of at most ``MAX_NOTEBOOK_BYTES``;
- its JSON nesting is measured by a cheap scan before it is parsed, because Python's
  parser recurses once per level and a few hundred thousand ``[`` end in
  RecursionError, in the grader, not in the kernel.

Every refusal is a ``NotebookError`` naming the file, what is wrong and the fix.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from grader.errors import NotebookError

# A notebook larger than this is refused before parsing: no exercise needs it, and
# reading a huge JSON file is itself a way to stall the grader.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

# A notebook Jupyter saves nests 5-8 levels (cells, outputs, data, widget state a few
# more); this leaves room for rich metadata and stays far below the depth at which
# json and nbformat's validation run out of Python stack.
MAX_JSON_DEPTH = 64

# An exercise id longer than this is not one (ids are short snake_case names); it
# would otherwise be copied into every report and gradebook row.
MAX_EXERCISE_ID = 200

# An escaped character inside a JSON string (``\"`` above all): removed before the
# depth scan splits the text at its quotes.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
# A \uD800-\uDFFF escape: half of a surrogate pair, or a lone one (not text).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = b"[{"


def json_depth(data: bytes) -> int:
    """How deeply the JSON in ``data`` nests (0 for a bare number), without parsing it.

    Strings are cut out first (escapes removed, then every other piece between two
    quotes dropped); what remains of the brackets has the depth as its running count.
    Linear in C: about a second for the worst 20 MB file. On text that is not valid
    JSON the count may be off; the parser then refuses the text anyway.
    """
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)
    brackets = b"".join(data.split(b'"')[0::2]).translate(None, _NOT_BRACKETS)
    if len(brackets) <= 1:
        return len(brackets)
    import numpy as np

    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == _OPENERS[0]) | (codes == _OPENERS[1]), 1, -1)
    return int(np.cumsum(steps, dtype=np.int64).max())


def read_bytes(path: Path, *, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), at most ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NotebookError("no such file", path=str(path),
                            fix="check the path to the notebook") from None
    except OSError as err:
        raise NotebookError(f"cannot read the file: {err.strerror}", path=str(path)) from None
    with open(fd, "rb", closefd=True) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError("not a regular file (a device, a pipe or a socket)",
                                path=str(path), fix="submit the .ipynb file itself")
        if info.st_size > limit:
            raise _too_big(path, info.st_size, limit)
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise NotebookError(f"cannot read the file: {err.strerror}",
                                path=str(path)) from None
    if len(data) > limit:  # it grew while we read it
        raise _too_big(path, len(data), limit)
    return data


def _too_big(path: Path, size: int, limit: int) -> NotebookError:
    return NotebookError(
        f"the notebook is {size / 2**20:.0f} MB, over the {limit // 2**20} MB limit",
        path=str(path),
        fix="clear the outputs (Kernel > Restart & Clear Output) and save again")


def parse_json(data: bytes, path: Path) -> tuple[Any, str]:
    """(the parsed JSON, its text): UTF-8 and nesting checked before ``json.loads``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise NotebookError(f"not UTF-8 text (byte {err.start})", path=str(path),
                            fix="save the notebook from Jupyter again") from None
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise NotebookError(
            f"the JSON nests {depth} levels deep, over the limit of {MAX_JSON_DEPTH} "
            "(a notebook Jupyter saves nests fewer than 10)", path=str(path),
            fix="clear the outputs and any metadata you added, save from Jupyter, and "
                "submit again")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(f"not valid JSON: {err.msg}", path=str(path),
                            where=f"line {err.lineno}, column {err.colno}",
                            fix="the file is damaged: download the notebook again from "
                                "Jupyter (File > Download > .ipynb)") from None
    except RecursionError:  # cannot happen below MAX_JSON_DEPTH; never a traceback
        raise NotebookError("the JSON nests too deeply to read", path=str(path)) from None
    if _SURROGATE_ESCAPE.search(data) and not _is_text(raw):
        raise NotebookError(
            "the notebook holds a lone surrogate escape (such as \\udc80): not text any "
            "program can write out", path=str(path),
            fix="remove the broken characters, save from Jupyter and submit again")
    return raw, text


def _is_text(raw: Any) -> bool:
    """Whether every string in ``raw`` encodes as UTF-8 (pairs of escapes do; a lone
    half of a pair does not, and would fail whatever writes the notebook later)."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def not_a_notebook(data: bytes, path: Path) -> NotebookError | None:
    """Why ``data`` is no notebook at all (empty, a Python file, not JSON), or None.

    Said before the JSON parser runs, whose "not valid JSON ... the file is damaged"
    fits a notebook cut short, not a script or an upload that never happened: those
    need a different fix.
    """
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        return NotebookError(
            "the file is empty, not a notebook", path=str(path),
            fix="open the notebook in Jupyter, save it (File > Save Notebook) and submit "
                "the .ipynb file again (an empty file is a notebook never saved, or an "
                "upload that failed)")
    python = Path(path).suffix.lower() == ".py"
    if not python and not _utf8(data[:4096]):
        return None  # parse_json says "not UTF-8", the more useful word for that
    if python or start not in b"{[":
        what = ("a Python file" if python
                else "not JSON (a notebook Jupyter saves starts with '{')")
        return NotebookError(
            f"not a notebook: {what}", path=str(path),
            fix="open the exercise's student notebook in Jupyter, put your code in its "
                "answer cell, save it as .ipynb (File > Save Notebook) and submit that "
                "file")
    return None


def _utf8(head: bytes) -> bool:
    """Whether ``head`` (the start of a file) is UTF-8, allowing a character cut at its end."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3 and err.reason == "unexpected end of data"
    return True


def read_notebook(path: Path) -> tuple[Any, bytes]:
    """Parse a submission, with errors a student can act on."""
    import nbformat

    data = read_bytes(path)
    refusal = not_a_notebook(data, path)
    if refusal is not None:
        raise refusal
    raw, text = parse_json(data, path)
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise NotebookError("JSON, but not a Jupyter notebook (no cells)", path=str(path),
                            fix="submit the .ipynb file of the exercise")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many kinds for broken structure
        raise NotebookError(f"not a readable notebook: {err}", path=str(path),
                            fix="open it in Jupyter, save it, and submit again") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError("the notebook has no list of cells", path=str(path))
    return nb, data


def exercise_of(nb: Any, path: Path, override: str | None) -> str:
    """The exercise id: ``override`` (``--exercise``), else the notebook's metadata."""
    if override:
        return override
    meta = nb.get("metadata", {}).get("grader", {})
    exercise = meta.get("exercise") if isinstance(meta, dict) else None
    if not isinstance(exercise, str) or not exercise:
        raise NotebookError(
            "the notebook does not say which exercise it is (no metadata.grader.exercise)",
            path=str(path),
            fix="start from the student notebook the course gave you, or pass "
                "--exercise ID")
    if len(exercise) > MAX_EXERCISE_ID:
        raise NotebookError(
            f"metadata.grader.exercise is {len(exercise):,} characters long, not an "
            "exercise id", path=str(path),
            fix="start from the student notebook the course gave you, or pass "
                "--exercise ID")
    return exercise


def exercise_mismatch(nb: Any, override: str | None) -> str | None:
    """The warning for ``--exercise X`` on a notebook whose metadata names Y (graded as
    X all the same: the instructor asked for it), or None when they agree."""
    meta = nb.get("metadata", {}).get("grader", {})
    named = meta.get("exercise") if isinstance(meta, dict) else None
    if not override or not isinstance(named, str) or not named or named == override:
        return None
    return (f"grading as exercise {override!r} (--exercise), but the notebook says it is "
            f"{named[:MAX_EXERCISE_ID]!r} (metadata.grader.exercise)")


def sniff_exercise(data: bytes) -> str:
    """metadata.grader.exercise of a notebook's bytes, or "" (grading says why later).

    Bounded like ``read_notebook``: a batch sniffs every notebook of the class in its
    own process, so one hostile file must not stop the class.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        return ""
    try:
        raw, _ = parse_json(data, Path("?"))
        meta = raw.get("metadata", {}).get("grader", {})
        exercise = meta.get("exercise") if isinstance(meta, dict) else None
    except (NotebookError, AttributeError):
        return ""
    if not isinstance(exercise, str) or len(exercise) > MAX_EXERCISE_ID:
        return ""
    return exercise


# ------------------------------------------------------------------- finding them


@dataclass(frozen=True)
class Found:
    """One ``*.ipynb`` entry under a folder, as the folder lists it (links not followed).

    ``kind`` is ``"file"`` (a regular file), ``"link"`` (a symbolic link, to anything)
    or ``"other"`` (a FIFO, socket or device carrying the name).
    """

    parts: tuple[str, ...]  # the path under the root, one name per level
    path: Path  # root / parts, as given (not resolved)
    kind: str


def hidden(parts: Sequence[str]) -> bool:
    """A name starting with "." on the way (``.ipynb_checkpoints``, ``.git``)."""
    return any(p.startswith(".") and p not in (".", "..") for p in parts)


def walk_notebooks(root: Path, *, exclude: Sequence[Path] = (),
                   max_depth: int | None = None) -> tuple[list[Found], list[str]]:
    """Every ``*.ipynb`` under ``root`` and the problems met on the way.

    Hidden folders, folders whose real path is in ``exclude`` (resolved paths) and
    symbolic links to folders are not entered; ``max_depth`` bounds how many folders
    deep a notebook may be (a glob without ``**``). The walk keeps its own stack, so a
    folder of any depth costs memory, not Python stack. A folder that cannot be listed
    is skipped and named in the problems.
    """
    root = Path(root)
    root_real = Path(os.path.realpath(root))
    excluded = {Path(x) for x in exclude}
    found: list[Found] = []
    problems: list[str] = []
    stack: list[tuple[str, ...]] = [()]
    while stack:
        parts = stack.pop()
        folder = root.joinpath(*parts)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            problems.append(f"{folder}: cannot list this folder ({err.strerror}): skipped")
            continue
        for entry in entries:
            here = parts + (entry.name,)
            if entry.name.startswith("."):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
                is_file = not is_link and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_link and not entry.name.endswith(".ipynb") and _points_at_folder(entry):
                problems.append(f"{root.joinpath(*here)}: a symbolic link to a folder: not "
                                "followed (each submission is graded from where it lies)")
                continue
            if is_dir:
                if root_real.joinpath(*here) in excluded:
                    continue
                if max_depth is None or len(here) < max_depth:
                    stack.append(here)
                continue
            if not entry.name.endswith(".ipynb"):
                continue
            if is_link:
                kind = "link"
            else:
                kind = "file" if is_file else "other"
            found.append(Found(parts=here, path=root.joinpath(*here), kind=kind))
    found.sort(key=lambda f: f.parts)
    return found, problems


def _points_at_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:  # a loop, or a link too long to follow
        return False


def cell_tags(cell: Any) -> list[str]:
    """A cell's tags (``metadata.tags``), only the strings among them: a notebook is
    student data, and its metadata may hold anything."""
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def cell_source(cell: Any) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)
