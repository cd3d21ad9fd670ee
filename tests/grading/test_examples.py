"""The bundled example submissions: the README's main command grades the first one."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.grading import grade

from grader import resources

from grader.authoring import spec as spec_mod

pytestmark = pytest.mark.slow

EXAMPLES = resources.exercises_dir() / "examples"


def test_examples_match_the_current_specs():
    """An example rendered from an older spec would grade against the wrong exercise."""
    paths = sorted(EXAMPLES.glob("*.ipynb"))
    assert paths
    for path in paths:
        meta = nbformat.read(path, as_version=4).metadata.grader
        spec = spec_mod.find_spec(meta.exercise, resources.exercises_dir())
        assert meta.spec_sha256 == spec.sha256, f"{path.name}: re-render it from {spec.path}"


def test_correct_example_passes(tmp_path):
    result = grade.grade_notebook(EXAMPLES / "quadratic_derivative_submission.ipynb")
    assert result.passed and result.plot is not None


def test_hardcoded_example_fails_at_hidden_points():
    result = grade.grade_notebook(EXAMPLES / "quadratic_derivative_hardcoded.ipynb")
    assert not result.passed
    assert result.checks[0].passed  # right at the visible point ...
    assert all(not c.passed for c in result.checks if c.hidden)  # ... and nowhere else
