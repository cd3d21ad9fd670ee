"""``exercises/course.toml``: the order of a course, in sections with titles.

    [[sections]]
    title = "First derivatives"
    exercises = ["square_at_three", "quadratic_derivative"]

``grader build`` writes the student notebooks in this order with an index notebook
and an answer key, and ``grader list`` prints the sections. A folder without the file
is a course of one untitled section, sorted by id. With it, every exercise of the
folder must be listed exactly once and every id listed must exist: an exercise left
out of the course, or a typo, would otherwise vanish silently from what students get.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.spec import COURSE_FILE, _did_you_mean, exercise_ids
from grader.errors import SpecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Section:
    title: str
    exercises: tuple[str, ...]


def load_sections(exercises_dir: str | Path) -> list[Section]:
    """The course's sections in order (see the module docstring)."""
    folder = Path(exercises_dir)
    path = folder / COURSE_FILE
    ids = exercise_ids(folder)
    if not path.is_file():
        return [Section("Exercises", tuple(ids))]
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SpecError(f"cannot read the course file: {err}", path=str(path),
                        fix="write [[sections]] tables with `title` and `exercises`") from None
    unknown = set(document) - {"title", "sections"}
    if unknown:
        raise SpecError(f"unknown key `{sorted(unknown)[0]}` (allowed: title, sections)",
                        path=str(path), where=f"key `{sorted(unknown)[0]}`", fix="remove it")
    raw = document.get("sections")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise SpecError("expected at least one `[[sections]]` table", path=str(path),
                        where="key `sections`",
                        fix='add [[sections]] with title = "..." and exercises = ["id", ...]')
    sections, seen = [], {}
    for index, table in enumerate(raw):
        where = f"key `sections[{index}]`"
        title, listed = table.get("title"), table.get("exercises")
        if set(table) - {"title", "exercises"}:
            extra = sorted(set(table) - {"title", "exercises"})[0]
            raise SpecError(f"unknown key `{extra}` in a section (allowed: title, exercises)",
                            path=str(path), where=where, fix="remove it")
        if not isinstance(title, str) or not title.strip():
            raise SpecError("a section needs a `title` (a string)", path=str(path),
                            where=where, fix='add title = "..."')
        if not (isinstance(listed, list) and listed and all(isinstance(i, str) for i in listed)):
            raise SpecError(f"section {title!r} needs `exercises`, a list of exercise ids",
                            path=str(path), where=where, fix='add exercises = ["id", ...]')
        for exercise in listed:
            if exercise not in ids:
                raise SpecError(f"section {title!r} lists {exercise!r}, which is not an "
                                "exercise of this folder", path=str(path), where=where,
                                fix=_did_you_mean(exercise, ids)
                                or f"add {exercise}.toml or remove the id")
            if exercise in seen:
                raise SpecError(f"{exercise!r} is listed twice (in {seen[exercise]!r} and "
                                f"{title!r})", path=str(path), where=where,
                                fix="list each exercise once")
            seen[exercise] = title
        sections.append(Section(title.strip(), tuple(listed)))
    missing = [i for i in ids if i not in seen]
    if missing:
        raise SpecError(f"{len(missing)} exercise(s) of the folder are in no section: "
                        f"{', '.join(missing)}", path=str(path), where="key `sections`",
                        fix="add them to a section's `exercises`")
    return sections


def ordered_ids(exercises_dir: str | Path) -> list[str]:
    """Every exercise id in course order."""
    return [i for section in load_sections(exercises_dir) for i in section.exercises]
