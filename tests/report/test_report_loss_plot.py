"""The training exercise's loss curve: the reference loop per step, the student's final
loss marked on it, honest words about what the grader saw, and no NaN for bad data."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_cases import hostile, training

from grader.delivery import report
from grader.delivery.report.loss_plot import loss_model


def _numbers(model):
    if isinstance(model, dict):
        for v in model.values():
            yield from _numbers(v)
    elif isinstance(model, (list, tuple)):
        for v in model:
            yield from _numbers(v)
    elif isinstance(model, (int, float)) and not isinstance(model, bool):
        yield model


def test_a_decaying_loss_is_on_a_log_scale_with_the_student_marked_at_the_last_step():
    model = loss_model(training().loss_curve)
    assert model["log"] and len(model["curves"]) == 1
    assert model["curves"][0].count("L") == 100  # 101 steps, one path
    student, end = model["student"], model["reference_end"]
    # Drawn at step 100 (the same x as the reference's end), higher up: a larger loss.
    assert student["cx"] == end["cx"] and student["cy"] < end["cy"]
    assert student["reached"] == 50 and not student["below"]
    labels = [tick["text"] for tick in model["y_ticks"]]
    assert "1" in labels and "10" in labels


def test_the_report_says_what_the_grader_saw_and_did_not():
    page = report.render_html(training())
    assert "Your training run" in page
    assert "was not recorded" in page and "shows as one point" in page
    assert "already as low after 50 of its 100 steps" in page
    assert page.count('class="dot-got"') == 1 and "loss (log scale)" in page


def test_labels_of_the_reference_end_and_the_student_do_not_overlap():
    curve = dict(training().loss_curve)
    curve["student_final"] = curve["reference"][-1] * 1.0001  # practically the same spot
    model = loss_model(curve)
    a, b = model["reference_end"]["label"]["box"], model["student"]["label"]["box"]
    assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    assert model["student"]["reached"] is None and not model["student"]["below"]


def test_a_run_below_the_reference_and_a_missing_or_diverged_one():
    curve = dict(training().loss_curve)
    below = loss_model({**curve, "student_final": curve["reference"][-1] / 100})
    assert below["student"]["below"] and below["student"]["reached"] is None
    assert "below the reference" in report.render_html(
        type(training())(**{**training().__dict__, "loss_curve": {**curve, "student_final":
                                                                   curve["reference"][-1] / 100}}))
    missing = loss_model({**curve, "student_final": None})
    assert missing["student"] is None and missing["student_missing"]
    assert not missing["student_unplottable"]
    diverged = loss_model({**curve, "student_final": math.inf})
    assert diverged["student"] is None and diverged["student_unplottable"]
    assert diverged["student_raw"] == "inf"


def test_hostile_and_degenerate_curves_draw_only_finite_numbers():
    model = loss_model(hostile().loss_curve)
    assert model is not None and all(math.isfinite(v) for v in _numbers(model))
    assert not model["log"]  # a negative loss: no log axis
    assert loss_model(None) is None and loss_model({"reference": [1.0]}) is None
    flat = loss_model({"reference": [2.0] * 5, "student_final": 2.0, "epochs": 4})
    assert len(flat["y_ticks"]) >= 2 and not flat["log"]


_loss = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                  st.floats(0, 1e6), st.text(max_size=3))


@settings(max_examples=60, deadline=None)
@given(reference=st.lists(_loss, max_size=40), final=_loss,
       epochs=st.one_of(st.none(), st.integers(-5, 10**9), st.text(max_size=3)))
def test_any_curve_gives_a_finite_picture_or_none(reference, final, epochs):
    model = loss_model({"reference": reference, "student_final": final, "epochs": epochs})
    if model is not None:
        assert all(math.isfinite(v) for v in _numbers(model))


@pytest.mark.slow
def test_grading_a_half_length_loop_gives_the_curve_and_its_words(tmp_path):
    import nbformat

    from grader import resources
    from grader.authoring import render, spec as spec_mod
    from grader.grading import grade

    spec = spec_mod.find_spec("linear_regression", resources.exercises_dir())
    nb = render.render_solution(spec, resources.solutions_dir())
    for cell in nb.cells:
        if "answer" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace("range(epochs)", "range(epochs // 2)")
    path = tmp_path / "half.ipynb"
    nbformat.write(nb, str(path))
    result = grade.grade_notebook(path)
    curve = result.loss_curve
    assert len(curve["reference"]) == spec.training.epochs + 1
    # The loss at the student's trained values is the reference's after 50 steps.
    assert math.isclose(curve["student_final"], curve["reference"][50], rel_tol=1e-3)
    # The student's own curve, from the tape evidence: the loss before each of its 50
    # steps, which is the reference's curve over the same steps.
    assert len(curve["student"]) == 50
    for mine, theirs in zip(curve["student"], curve["reference"]):
        assert math.isclose(mine, theirs, rel_tol=1e-4)
    page = report.render_html(result)
    assert "already as low after 50 of its 100 steps" in page
    assert page.count('class="curve-got"') >= 2  # the curve and its legend
    assert "at each step of your loop (50 steps; the exercise asks for 100)" in page
