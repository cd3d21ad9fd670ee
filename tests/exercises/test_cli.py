"""`grader list`, `validate`, `new` and `build`, run through grader.cli.main."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.cli import main
from grader.authoring.render import python_literal
from grader.grading.reference import reference_answers
from grader.resources import exercises_dir, solutions_dir
from grader.authoring.spec import format_value, load_course
from grader.kinds import names as kind_names

COURSE = load_course(exercises_dir())


@pytest.fixture
def course_copy(tmp_path: Path) -> tuple[Path, Path]:
    exercises = shutil.copytree(exercises_dir(), tmp_path / "exercises")
    solutions = shutil.copytree(solutions_dir(), tmp_path / "solutions")
    return exercises, solutions


def _dirs(exercises: Path, solutions: Path) -> list[str]:
    return ["--exercises", str(exercises), "--solutions", str(solutions)]


def test_list_shows_the_sections_of_course_toml_in_order(capsys):
    from grader.authoring.course import load_sections
    from grader.resources import exercises_dir

    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sections = load_sections(exercises_dir())
    headers = [line for line in lines if not line.startswith(" ")]
    assert headers == [f"{i}. {s.title}" for i, s in enumerate(sections, 1)]
    listed = [line.split()[0] for line in lines if line.startswith(" ")]
    assert listed == [i for s in sections for i in s.exercises]
    assert sorted(listed) == sorted(spec.id for spec in COURSE)
    assert lines[1].split()[:2] == ["square_at_three", "gradient"]
    assert any(line.split()[:2] == ["linear_regression", "training"] for line in lines)


def test_validate_passes_on_every_shipped_exercise(capsys):
    assert main(["validate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(COURSE)
    for spec, line in zip(COURSE, lines):
        assert re.match(rf"ok +{spec.id} ", line), line
        assert "solution right at" in line
    assert any("d2y_dx2 = 34.0" in line for line in lines)


def test_validate_named_exercises_and_unknown_id(capsys):
    assert main(["validate", "jacobian", "persistent_tape"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nok") + out.startswith("ok") == 2
    assert main(["validate", "jacobain"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL  jacobain") and "did you mean `jacobian`?" in out


@pytest.mark.parametrize("spec", [s for s in COURSE if s.expected], ids=lambda s: s.id)
def test_a_wrong_expected_in_a_copy_is_caught(spec, course_copy, capsys):
    exercises, solutions = course_copy
    name, value = next(iter(spec.expected.items()))
    wrong = np.asarray(value) + 1.5
    path = exercises / f"{spec.id}.toml"
    text = path.read_text()
    head, sep, tail = text.partition("[expected]")
    tail = re.sub(rf"(?m)^{name} = .*$", f"{name} = {python_literal(wrong)}", tail, count=1)
    path.write_text(head + sep + tail)
    assert main(["validate", spec.id, *_dirs(exercises, solutions)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"FAIL  {spec.id}") and len(out.splitlines()) == 1
    assert str(path) in out and f"key `expected.{name}`" in out
    reference = reference_answers(spec, spec.visible_values())[name]
    assert f"expected {name} = {format_value(wrong)}" in out
    assert f"gives {name} = {format_value(reference)}" in out


def test_a_wrong_solution_is_caught(course_copy, capsys):
    exercises, solutions = course_copy
    (solutions / "square_at_three.py").write_text("x = tf.Variable(x0)\ngrad = 2 * x + 1\n")
    assert main(["validate", "square_at_three", *_dirs(exercises, solutions)]) == 1
    out = capsys.readouterr().out
    assert "the solution is wrong at the visible point" in out
    assert "Wrong value. (got 7.0, expected 6.0)" in out


def test_a_hard_coded_solution_fails_at_a_hidden_point(course_copy, capsys):
    exercises, solutions = course_copy
    (solutions / "square_at_three.py").write_text("grad = tf.constant(6.0)\n")
    assert main(["validate", "square_at_three", *_dirs(exercises, solutions)]) == 1
    assert "the solution is wrong at the hidden point 1" in capsys.readouterr().out


def test_a_missing_solution_is_caught(course_copy, capsys):
    exercises, solutions = course_copy
    (solutions / "jacobian.py").unlink()
    assert main(["validate", "jacobian", *_dirs(exercises, solutions)]) == 1
    out = capsys.readouterr().out
    assert "no solution for exercise 'jacobian'" in out and "jacobian.py" in out


def test_a_starter_that_already_solves_is_caught(course_copy, capsys):
    exercises, solutions = course_copy
    path = exercises / "square_at_three.toml"
    solution = (solutions / "square_at_three.py").read_text()
    text = path.read_text()
    start = text.index("starter = ")
    end = text.index('"""', text.index('"""', start) + 3) + 3
    path.write_text(text[:start] + f'starter = """\n{solution}"""' + text[end:])
    assert main(["validate", "square_at_three", *_dirs(exercises, solutions)]) == 1
    assert "the starter code already gives the right answers" in capsys.readouterr().out


@pytest.mark.parametrize("kind", kind_names())
def test_new_then_validate(kind, tmp_path, capsys):
    exercises, solutions = tmp_path / "ex", tmp_path / "sol"
    exercise_id = "my_" + kind.replace("-", "_")
    assert main(["new", exercise_id, "--kind", kind, *_dirs(exercises, solutions)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {exercises / (exercise_id + '.toml')}" in out
    assert f"wrote {solutions / (exercise_id + '.py')}" in out
    assert main(["validate", *_dirs(exercises, solutions)]) == 0
    assert capsys.readouterr().out.startswith(f"ok    {exercise_id}")
    assert main(["new", exercise_id, "--kind", kind, *_dirs(exercises, solutions)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_new_puts_the_solution_beside_a_new_exercises_folder(tmp_path, capsys):
    assert main(["new", "fresh", "--exercises", str(tmp_path / "course" / "exercises")]) == 0
    assert (tmp_path / "course" / "solutions" / "fresh.py").is_file()
    assert not (solutions_dir() / "fresh.py").exists()
    assert main(["validate", "--exercises", str(tmp_path / "course" / "exercises")]) == 0
    assert "ok    fresh" in capsys.readouterr().out


def test_new_refuses_a_bad_id(tmp_path, capsys):
    assert main(["new", "Bad-Id", "--exercises", str(tmp_path)]) == 2
    assert "invalid exercise id 'Bad-Id'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_build_writes_the_course_in_order_with_an_index_and_an_answer_key(tmp_path, capsys):
    from grader.authoring.course import ordered_ids
    from grader.resources import exercises_dir

    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * len(COURSE) + 2
    order = ordered_ids(exercises_dir())
    students = [Path(line.split()[1]).stem for line in lines if "/student/" in line][:-1]
    assert students == order  # written in course order, the index last
    for spec in COURSE:
        for variant in ("student", "solution"):
            nb = nbformat.read(out / variant / f"{spec.id}.ipynb", as_version=4)
            nbformat.validate(nb)
            assert nb.metadata.grader.spec_sha256 == spec.sha256
    index = nbformat.read(out / "student" / "index.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in index.cells)
    links = re.findall(r"\]\(([a-z0-9_]+)\.ipynb\)", text)
    assert links == order
    assert "## 1. Derivatives at a point" in text and "## 8. Training loops" in text
    key = (out / "answer_key.md").read_text(encoding="utf-8")
    positions = [key.index(f"(`{i}`,") for i in order]
    assert positions == sorted(positions)
    assert "- `d2y_dx2` = `34.0`" in key  # cubic_second_derivative's reference
    assert "made as required: `persistent-tape`" in key
    assert (Path(__file__).parents[2] / "solutions" / "clipped_gradient.py").read_text().strip() in key
    assert not (out / "student" / "answer_key.md").exists()  # never in the students' folder


def test_a_course_file_that_leaves_out_an_exercise_is_refused(course_copy, tmp_path, capsys):
    exercises, solutions = course_copy
    course = exercises / "course.toml"
    course.write_text(course.read_text().replace('"square_at_three", ', ""))
    assert main(["build", "--out", str(tmp_path / "out"), *_dirs(exercises, solutions)]) == 2
    err = capsys.readouterr().err
    assert "course.toml" in err and "square_at_three" in err and "in no section" in err
    assert not (tmp_path / "out").exists()
    course.write_text(course.read_text().replace('"quadratic_derivative"', '"quadratic_derivatve"'))
    assert main(["list", *_dirs(exercises, solutions)[:2]]) == 2
    assert "did you mean `quadratic_derivative`?" in capsys.readouterr().err


def test_build_refuses_a_spec_that_does_not_validate(course_copy, tmp_path, capsys):
    exercises, solutions = course_copy
    spec = exercises / "square_at_three.toml"
    spec.write_text(spec.read_text().replace("grad = 6.0", "grad = 7.0"))
    assert main(["build", "--out", str(tmp_path / "out"), *_dirs(exercises, solutions)]) == 2
    err = capsys.readouterr().err
    assert "do not validate" in err and "FAIL  square_at_three" in err and "grad = 6" in err
    assert "ok " not in err  # only the failures are repeated
    assert not (tmp_path / "out").exists()


def test_new_writes_into_the_course_folder_it_runs_in(tmp_path, capsys, monkeypatch):
    course = tmp_path / "course"
    (course / "exercises").mkdir(parents=True)
    monkeypatch.chdir(course)
    assert main(["new", "here", "--kind", "gradient"]) == 0
    assert (course / "exercises" / "here.toml").is_file()
    assert (course / "solutions" / "here.py").is_file()
    monkeypatch.chdir(course / "exercises")  # from inside exercises/ too
    assert main(["new", "there"]) == 0
    assert (course / "solutions" / "there.py").is_file()


def test_new_refuses_to_write_into_an_installed_package(tmp_path, capsys, monkeypatch):
    from grader import resources

    monkeypatch.chdir(tmp_path)  # no exercises/ here
    monkeypatch.setattr(resources, "is_installed", lambda path: True)
    assert main(["new", "lost"]) == 2
    err = capsys.readouterr().err
    assert "installed package" in err and "cd into your course folder" in err
    assert not list(tmp_path.iterdir())


def test_build_with_a_bad_spec_fails_cleanly(course_copy, tmp_path, capsys):
    exercises, solutions = course_copy
    (exercises / "jacobian.toml").write_text('id = "jacobian"\ntitel = "x"\n')
    assert main(["build", "--out", str(tmp_path / "out"), *_dirs(exercises, solutions)]) == 2
    err = capsys.readouterr().err
    assert "jacobian.toml" in err and "did you mean `title`?" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_solution_that_bypasses_the_tape_fails_the_notebook_grading(course_copy, capsys):
    """Right values computed by hand pass the in-process check but not grader check."""
    exercises, solutions = course_copy
    (solutions / "square_at_three.py").write_text("x = tf.Variable(float(x0))\ngrad = 2 * x\n")
    assert main(["validate", "square_at_three", *_dirs(exercises, solutions)]) == 1
    out = capsys.readouterr().out
    assert "does not score full marks" in out and "computed with GradientTape" in out
    assert main(["validate", "--quick", "square_at_three", *_dirs(exercises, solutions)]) == 0
