"""Rendering: notebook structure, the parameters cell, and golden notebooks."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from grader.grading.points import grading_points
from grader.authoring.render import build_course, parameters_source, render_solution, render_student
from grader.resources import exercises_dir, solutions_dir
from grader.authoring.spec import find_spec, load_course

GOLDENS = Path(__file__).parent / "goldens"
GOLDEN_IDS = ("quadratic_derivative", "two_sources", "linear_regression", "integer_variable",
              "cubic_second_derivative", "hessian_two_variables", "jacobian", "batch_jacobian",
              "clipped_gradient", "keras_sgd_minibatch")  # one per kind at least
COURSE = load_course(exercises_dir())


def _tags(nb) -> list:
    return [cell.metadata.get("tags", [None])[0] for cell in nb.cells]


@pytest.mark.parametrize("spec", COURSE, ids=lambda s: s.id)
def test_both_notebooks_follow_the_contract(spec):
    student, solution = render_student(spec), render_solution(spec, solutions_dir())
    for nb in (student, solution):
        nbformat.validate(nb)
        assert nb.metadata.grader == {"exercise": spec.id, "spec_sha256": spec.sha256}
        assert nb.metadata.kernelspec.name == "python3"
        assert _tags(nb) == [None, "setup", "parameters", "answer", "check"]
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {spec.title}")
        assert nb.cells[1].source == "import grader.tape as tf"
        assert nb.cells[4].source == (f'from grader.inline import show_feedback\n'
                                      f'show_feedback("{spec.id}", globals())')
    assert student.cells[3].source == spec.starter.strip()
    assert solution.cells[3].source == (solutions_dir() / f"{spec.id}.py").read_text().strip()
    instructions = student.cells[0].source
    for heading in ("## The function", "## The point", "## What to compute", "## Steps",
                    "## Floating point"):
        assert heading in instructions
    assert spec.expression.latex() in instructions
    for answer in spec.answers:
        assert f"`{answer.name}`" in instructions


@pytest.mark.parametrize("spec", COURSE, ids=lambda s: s.id)
def test_parameters_cell_is_plain_literals_for_every_point(spec):
    for point in grading_points(spec, 0):
        source = parameters_source(spec, point.values)
        tree = ast.parse(source)
        names = set()
        for statement in tree.body:
            assert isinstance(statement, ast.Assign)
            ast.literal_eval(statement.value)  # raises unless a plain literal
            names.add(statement.targets[0].id)
        assert {v.param for v in spec.variables} <= names


def test_parameters_source_formats_ints_floats_and_lists():
    spec = find_spec("integer_variable", exercises_dir())
    assert parameters_source(spec, {"x": 3}).splitlines()[-1] == "x0 = 3"
    spec = find_spec("two_sources", exercises_dir())
    lines = parameters_source(spec, {"x": [[1.5, 2, 3], [4, 5, 6]], "z": 0.25}).splitlines()
    assert lines[-2:] == ["x0 = [[1.5, 2.0, 3.0], [4.0, 5.0, 6.0]]", "z0 = 0.25"]
    spec = find_spec("linear_regression", exercises_dir())
    assert parameters_source(spec, spec.visible_values()).splitlines()[-2:] == [
        "learning_rate = 0.01", "epochs = 100"]


@pytest.mark.parametrize("exercise_id", GOLDEN_IDS)
@pytest.mark.parametrize("variant", ["student", "solution"])
def test_golden_notebooks(exercise_id, variant, update_goldens):
    spec = find_spec(exercise_id, exercises_dir())
    nb = render_student(spec) if variant == "student" else render_solution(spec, solutions_dir())
    text = nbformat.writes(nb)
    golden = GOLDENS / f"{exercise_id}.{variant}.ipynb"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden {golden.name}: run pytest --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs from the rendering; if the change is intended, run "
        "pytest tests/exercises --update-goldens and review the diff")


def test_build_course_writes_both_variants(tmp_path):
    written = build_course(tmp_path, exercises_dir=exercises_dir(), solutions_dir=solutions_dir(),
                           ids=["jacobian", "watch_constant"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "solution/jacobian.ipynb", "solution/watch_constant.ipynb",
        "student/jacobian.ipynb", "student/watch_constant.ipynb"]
    nb = nbformat.read(tmp_path / "student" / "jacobian.ipynb", as_version=4)
    assert nb.metadata.grader.exercise == "jacobian"
    again = build_course(tmp_path, exercises_dir=exercises_dir(), solutions_dir=solutions_dir(),
                         ids=["jacobian"])
    assert again[0].read_bytes() == written[0].read_bytes()  # stable, byte for byte
