"""Every shipped solution is real TensorFlow code that agrees with the reference.

Students copy TensorFlow tutorials; the solutions must run unchanged under
``import tensorflow as tf`` and give the grader's reference answers (float32, within
the spec's tolerance) at the visible point and at a hidden point. Skips without
TensorFlow.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import pytest  # noqa: E402

from grader.grading.points import grading_points  # noqa: E402
from grader.grading.reference import reference_answers  # noqa: E402
from grader.authoring.render import solution_source  # noqa: E402
from grader.resources import exercises_dir, solutions_dir  # noqa: E402
from grader.authoring.spec import load_course  # noqa: E402
from grader.authoring.validate import judge_answers, run_answer_code  # noqa: E402

tensorflow = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.oracle
COURSE = load_course(exercises_dir())


@pytest.mark.parametrize("spec", COURSE, ids=lambda s: s.id)
def test_solution_under_tensorflow_matches_the_reference(spec):
    code = solution_source(spec, solutions_dir())
    for point in grading_points(spec, 0)[:2]:
        namespace = run_answer_code(spec, code, point.values, tf=tensorflow)
        problems = judge_answers(spec, namespace, reference_answers(spec, point.values))
        assert not problems, f"{point.label}: {problems}"
