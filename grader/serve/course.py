"""The exercises the server offers: their order, statements and notebooks.

Everything a page shows about an exercise comes from the same places as the
notebooks ``grader build`` writes: the statement is ``render.instructions_source``
(the notebook's Markdown cell), the starter code is the spec's, and "download as
notebook" is ``render.render_student`` with the student's code in the ``answer``
cell. A code attempt is graded as exactly that notebook, so the browser and Jupyter
are graded alike.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Markdown math: display $$...$$ first, then inline $...$ (not across lines).
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
# The notebook's closing line tells the student to run the check cell; the page has a button.
_NOTEBOOK_ONLY = "Run the last cell to check your answer."


@dataclass(frozen=True)
class Section:
    title: str
    exercises: tuple[Any, ...]  # Spec


class Course:
    """The specs of one exercises folder, loaded once at start (a broken spec stops the
    server with the spec's own error, before any student sees a page)."""

    def __init__(self, exercises_dir: Path):
        from grader.authoring import spec as spec_mod

        self.dir = Path(exercises_dir)
        specs = spec_mod.load_course(self.dir)
        self.by_id = {s.id: s for s in specs}
        self.sections = _sections(self.dir, specs)

    def ordered(self) -> list[Any]:
        return [s for section in self.sections for s in section.exercises]

    def get(self, exercise_id: str) -> Any | None:
        return self.by_id.get(exercise_id)

    @functools.lru_cache(maxsize=None)
    def statement_html(self, exercise_id: str) -> str:
        from grader.authoring import render

        text = render.instructions_source(self.by_id[exercise_id]).replace(_NOTEBOOK_ONLY, "")
        return markdown_html(text)

    @functools.lru_cache(maxsize=None)
    def _student(self, exercise_id: str) -> Any:
        from grader.authoring import render

        return render.render_student(self.by_id[exercise_id])

    def notebook(self, exercise_id: str, code: str) -> Any:
        """The student notebook of ``exercise_id`` with ``code`` in its answer cell."""
        nb = copy.deepcopy(self._student(exercise_id))
        for cell in nb.cells:
            if "answer" in cell.get("metadata", {}).get("tags", []):
                cell["source"] = code
        return nb

    def notebook_bytes(self, exercise_id: str, code: str) -> bytes:
        return (json.dumps(self.notebook(exercise_id, code), indent=1, ensure_ascii=False)
                + "\n").encode("utf-8")


def _sections(folder: Path, specs: list[Any]) -> list[Section]:
    """``course.toml``'s ``[[sections]]`` (DESIGN.md) when the folder has one; the
    exercises it leaves out follow in one more section, so none is unreachable."""
    by_id = {s.id: s for s in specs}
    sections: list[Section] = []
    placed: set[str] = set()
    path = folder / "course.toml"
    if path.is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("sections") or []:
            ids = [i for i in raw.get("exercises") or [] if i in by_id and i not in placed]
            placed.update(ids)
            if ids:
                sections.append(Section(str(raw.get("title") or ""), tuple(by_id[i] for i in ids)))
    rest = tuple(s for s in specs if s.id not in placed)
    if rest:
        sections.append(Section("More exercises" if sections else "Exercises", rest))
    return sections


def markdown_html(text: str) -> str:
    """Markdown to HTML with math as MathML, both on the server: the page needs no
    script or font to show a formula. Raw HTML in the Markdown is escaped."""
    import secrets

    from markdown_it import MarkdownIt

    formulas: list[str] = []
    # Letters only, so Markdown leaves the placeholder alone; random, so no statement
    # can contain one.
    mark = "tgmath" + secrets.token_hex(6)

    def stash(match: re.Match) -> str:
        display = match.group(1) is not None
        formulas.append(_mathml(match.group(1) if display else match.group(2), display))
        return f"{mark}n{len(formulas) - 1}e"

    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(
        _MATH.sub(stash, text))
    return re.sub(mark + r"n(\d+)e", lambda m: formulas[int(m.group(1))], rendered)


def _mathml(latex: str, display: bool) -> str:
    import html

    import latex2mathml.converter

    try:
        return latex2mathml.converter.convert(latex, display="block" if display else "inline")
    except Exception:  # a formula it cannot parse is shown as its source, escaped
        return f'<code class="tex">{html.escape(latex)}</code>'
