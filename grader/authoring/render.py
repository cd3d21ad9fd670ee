"""Spec + ``templates/notebook/`` -> the student and solution notebooks.

Both notebooks have the same cells, in a fixed order and with the tags the grader
relies on:
instructions (Markdown), ``setup`` (the engine import), ``parameters`` (the point as
plain literals), ``answer`` (starter code, or ``solutions/ID.py`` in the solution
notebook) and ``check`` (the in-notebook feedback call). What a kind's notebook says
(how each variable is held, what each answer is, the default steps) comes from the
kind's module in ``grader/kinds/``. The notebook metadata names
the exercise and the hash of the spec it came from, so the grader can tell when a
submission was rendered from an older spec.

Cell ids are fixed names (``instructions``, ``setup`` ...) rather than random, so a
rebuild is byte-for-byte stable and golden files stay meaningful.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from grader import kinds, resources
from grader.errors import SpecError
from grader.authoring.expr import latex_name
from grader.authoring.spec import Spec, VariableSpec, find_spec, load_course

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
TAGS = ("setup", "parameters", "answer", "check")

# ---------------------------------------------------------------------------
# Python literals for the parameters cell
# ---------------------------------------------------------------------------

def python_literal(value: Any) -> str:
    """A number or nested list as Python source: ``2.0``, ``3``, ``[[1.0, 2.0]]``."""
    array = np.asarray(value)
    if array.ndim == 0:
        item = array.item()
        if isinstance(item, float):
            return repr(float(item))
        return repr(int(item))
    return "[" + ", ".join(python_literal(v) for v in array) + "]"


def _as_variable_dtype(var: VariableSpec, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if var.dtype.startswith("int"):
        return array.astype(np.int64)
    return array.astype(np.float64)


def parameter_assignments(spec: Spec, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, literal) pairs of the parameters cell, in the spec's order."""
    pairs = [(var.param, python_literal(_as_variable_dtype(var, values[var.name])))
             for var in spec.variables]
    return pairs + kinds.get(spec.kind).extra_parameters(spec)


def parameters_source(spec: Spec, values: Mapping[str, Any]) -> str:
    """The code of the ``parameters`` cell for a point (plain Python literals only)."""
    return _template("parameters.py.j2").render(
        assignments=parameter_assignments(spec, values)).strip()


# ---------------------------------------------------------------------------
# The instructions
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    folder = resources.templates_dir() / "notebook"
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)


def _template(name: str) -> Any:
    return _environment().get_template(name)


def _function_letters(spec: Spec) -> dict[str, str]:
    """The letter each answer's function is shown under: f (or L) for the spec's, then
    g, h ... for answers with a function of their own."""
    main = kinds.get(spec.kind).letter
    extra = itertools.chain("ghpq", (f"g_{{{i}}}" for i in itertools.count(1)))
    return {a.name: next(extra) if a.function else main for a in spec.answers}


def _answer_text(spec: Spec, answer: Any, letters: Mapping[str, str]) -> str:
    what = kinds.get(spec.kind).answer_text(spec, answer)
    if len(set(letters.values())) > 1:
        what += f" of {letters[answer.name]}"
    return f"{answer.description} ({what})" if answer.description else what


def _functions(spec: Spec) -> list[dict[str, str]]:
    args = ", ".join(latex_name(v.name) for v in spec.variables)
    letters = _function_letters(spec)
    items = [{"lhs": f"{kinds.get(spec.kind).letter}({args})",
              "latex": spec.expression.latex()}]
    for answer in spec.answers:
        if answer.function:
            items.append({"lhs": f"{letters[answer.name]}({args})",
                          "latex": answer.expression.latex()})
    return items


def instructions_source(spec: Spec) -> str:
    kind = kinds.get(spec.kind)
    variables = [{"param": v.param, "dtype": v.dtype, "held": kind.held_as(v),
                  "shown": v.point if isinstance(v.point, str) else python_literal(v.value)}
                 for v in spec.variables]
    letters = _function_letters(spec)
    answers = [{"name": a.name, "text": _answer_text(spec, a, letters)} for a in spec.answers]
    return _template("instructions.md.j2").render(
        spec=spec, functions=_functions(spec), variables=variables, answers=answers,
        steps=list(spec.steps) or list(kind.steps), function_note=kind.function_note(spec),
        extra_parameters=kind.extra_parameters(spec)).strip()


# ---------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------

def _notebook(spec: Spec, answer_source: str) -> Any:
    import nbformat
    from nbformat import v4

    locked = {"editable": False, "deletable": False}
    cells = [
        v4.new_markdown_cell(instructions_source(spec), id="instructions",
                             metadata={"deletable": False}),
        v4.new_code_cell(_template("setup.py.j2").render().strip(), id="setup",
                         metadata={"tags": ["setup"], **locked}),
        v4.new_code_cell(parameters_source(spec, spec.visible_values()), id="parameters",
                         metadata={"tags": ["parameters"], "deletable": False}),
        v4.new_code_cell(answer_source.strip(), id="answer",
                         metadata={"tags": ["answer"], "deletable": False}),
        v4.new_code_cell(_template("check.py.j2").render(spec=spec).strip(), id="check",
                         metadata={"tags": ["check"], **locked}),
    ]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "grader": {"exercise": spec.id, "spec_sha256": spec.sha256},
    })
    nbformat.validate(nb)
    return nb


def render_student(spec: Spec) -> Any:
    """The notebook a student receives: the starter code in the answer cell."""
    return _notebook(spec, spec.starter)


def solution_path(spec: Spec, solutions_dir: str | Path) -> Path:
    return Path(solutions_dir) / f"{spec.id}.py"


def solution_source(spec: Spec, solutions_dir: str | Path) -> str:
    path = solution_path(spec, solutions_dir)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise SpecError(f"no solution for exercise {spec.id!r}", path=str(path),
                        fix=f"write the answer cell's code to {path}") from None


def render_solution(spec: Spec, solutions_dir: str | Path) -> Any:
    """The instructor's notebook: ``solutions/ID.py`` in the answer cell."""
    return _notebook(spec, solution_source(spec, solutions_dir))


def _specs(exercises_dir: str | Path, ids: Iterable[str] | None) -> list[Spec]:
    if ids:
        return [find_spec(i, exercises_dir) for i in ids]
    return load_course(exercises_dir)


INDEX = "index.ipynb"
ANSWER_KEY = "answer_key.md"


def build_course(out_dir: str | Path, *, exercises_dir: str | Path,
                 solutions_dir: str | Path, ids: Iterable[str] | None = None) -> list[Path]:
    """Write ``OUT/student/ID.ipynb`` and ``OUT/solution/ID.ipynb`` for each exercise.

    Without ``ids`` the whole course is built in the order of ``course.toml``
    (``grader/authoring/course.py``), with ``OUT/student/index.ipynb`` (the sections
    and titles, linking each notebook) and ``OUT/answer_key.md`` for the instructor
    (each exercise's reference answers at the visible point, requirements, hidden
    points and solution). Everything is rendered before anything is written, so a
    bad spec leaves no half-built folder."""
    import nbformat

    from grader.authoring import course

    out = Path(out_dir)
    sections = None
    if ids:
        specs = _specs(exercises_dir, ids)
    else:
        load_course(exercises_dir)  # every spec valid, all problems listed at once
        sections = course.load_sections(exercises_dir)
        specs = [find_spec(i, exercises_dir) for s in sections for i in s.exercises]
    rendered = [(s, render_student(s), render_solution(s, solutions_dir)) for s in specs]
    extra = []
    if sections is not None:
        by_id = {s.id: s for s in specs}
        extra = [(out / "student" / INDEX, nbformat.writes(index_notebook(sections, by_id))),
                 (out / ANSWER_KEY, answer_key(sections, by_id, solutions_dir))]
    written = []
    for spec, student, solution in rendered:
        for variant, nb in (("student", student), ("solution", solution)):
            path = out / variant / f"{spec.id}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(path))
            written.append(path)
    for path, text in extra:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def index_notebook(sections: Iterable[Any], specs: Mapping[str, Spec]) -> Any:
    """The course's table of contents: one Markdown cell per section, numbered links."""
    import nbformat
    from nbformat import v4

    cells = [v4.new_markdown_cell("# The course\n\nWork through the notebooks in this "
                                  "order; each one checks itself in its last cell.",
                                  id="index")]
    number = itertools.count(1)
    for position, section in enumerate(sections, 1):
        lines = [f"## {position}. {section.title}", ""]
        for exercise in section.exercises:
            spec = specs[exercise]
            lines.append(f"{next(number)}. [{spec.title}]({spec.id}.ipynb) "
                         f"({kinds.get(spec.kind).summary})")
        cells.append(v4.new_markdown_cell("\n".join(lines), id=f"section-{position}"))
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def answer_key(sections: Iterable[Any], specs: Mapping[str, Spec],
               solutions_dir: str | Path) -> str:
    """The instructor's answer key (Markdown): per exercise, in course order, the
    reference answers at the visible point, how the answers must be made, the hidden
    points and the solution code."""
    from grader.authoring.spec import format_value
    from grader.grading.reference import reference_answers

    lines = ["# Answer key", "", "For the instructor only: do not hand this file out.", ""]
    number = itertools.count(1)
    for section in sections:
        lines += [f"## {section.title}", ""]
        for exercise in section.exercises:
            spec = specs[exercise]
            reference = reference_answers(spec, spec.visible_values())
            hidden = spec.hidden
            where = (f"uniform in {list(hidden.range)}" if hidden.range
                     else f"within ±{hidden.spread} × max(|value|, 1)")
            lines += [f"### {next(number)}. {spec.title} (`{spec.id}`, {spec.kind})", ""]
            lines += [f"- `{name}` = `{format_value(value)}`" for name, value in reference.items()]
            if spec.requires:
                lines.append("- made as required: " + ", ".join(f"`{r}`" for r in spec.requires))
            lines.append(f"- hidden points: {hidden.count}, varying "
                         f"{', '.join(hidden.vary) or 'nothing'} {where}")
            lines += ["", "```python", solution_source(spec, solutions_dir).strip(), "```", ""]
    return "\n".join(lines)
