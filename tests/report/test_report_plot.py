"""The tangent picture: right geometry for good data, no crash and no NaN for bad data."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from report_cases import failing_with_hints, hostile, passing, quadratic_plot, raising_cell

from grader.delivery import report
from grader.delivery.report.plot import nice_ticks, plot_model


def _numbers(model):
    """Every number anywhere in the model."""
    if isinstance(model, dict):
        for v in model.values():
            yield from _numbers(v)
    elif isinstance(model, list):
        for v in model:
            yield from _numbers(v)
    elif isinstance(model, (int, float)) and not isinstance(model, bool):
        yield model


def _pixel_slope(seg):
    """The data-space slope a drawn segment shows (pixel y grows downwards)."""
    return -(seg["y2"] - seg["y1"]) / (seg["x2"] - seg["x1"])


def test_tangents_have_the_slopes_they_claim():
    model = plot_model(quadratic_plot([6.0, -6.0, None]))
    area = model["area"]
    ticks_x = [float(t["text"]) for t in model["x_ticks"]]
    ticks_y = [float(t["text"]) for t in model["y_ticks"]]
    # Pixels per data unit, from two tick marks on each axis.
    sx = (model["x_ticks"][1]["p"] - model["x_ticks"][0]["p"]) / (ticks_x[1] - ticks_x[0])
    sy = (model["y_ticks"][0]["p"] - model["y_ticks"][1]["p"]) / (ticks_y[1] - ticks_y[0])
    visible, hidden1, hidden2 = model["marks"]
    assert abs(_pixel_slope(visible["expected"]) * sx / sy - 6.0) < 0.05
    assert abs(_pixel_slope(visible["got"]) * sx / sy - 6.0) < 0.05
    assert abs(_pixel_slope(hidden1["got"]) * sx / sy + 6.0) < 0.05
    assert hidden2["got"] is None and hidden2["got_missing"] and hidden2["expected"]
    for mark in model["marks"]:
        assert area["x"] <= mark["cx"] <= area["x"] + area["w"]
        assert area["y"] <= mark["cy"] <= area["y"] + area["h"]
    assert len(model["curves"]) == 1 and model["curves"][0].count("L") == 40
    assert model["x_axis"] is not None and model["y_axis"] is not None


def test_hostile_plot_data_draws_only_finite_numbers():
    model = plot_model(hostile().plot)
    assert model is not None
    assert all(math.isfinite(v) for v in _numbers(model))
    first, flat, missing = model["marks"]
    assert first["expected"] is None and first["got"] is None  # inf and nan slopes
    assert flat["expected"] is not None and missing["cx"] is None
    assert model["curves"] == []  # no two neighbouring samples are plottable
    broken = plot_model({"xs": [0.0, 1.0, 2.0, 3.0, 4.0], "ys": [0.0, 1.0, math.nan, 3.0, 4.0],
                         "points": []})
    assert len(broken["curves"]) == 2  # the curve breaks at the NaN sample


def test_flat_and_pole_ranges_still_show_the_points():
    flat = plot_model({"xs": [0.0, 1.0, 2.0], "ys": [3.0, 3.0, 3.0],
                       "points": [{"label": "p", "x": 1.0, "y": 3.0, "expected_slope": 0.0,
                                   "got_slope": 0.0, "passed": True}]})
    assert len(flat["y_ticks"]) >= 2 and flat["marks"][0]["expected"] is not None
    xs = [i / 10 - 2 for i in range(41)]
    pole = plot_model({"xs": xs, "ys": [1 / x if x else None for x in xs],
                       "points": [{"label": "p", "x": 1.0, "y": 1.0, "expected_slope": -1.0,
                                   "got_slope": -1.0, "passed": True}]})
    # The y range follows the body of the curve, not the 1/x spike near 0.
    labels = [float(t["text"]) for t in pole["y_ticks"]]
    assert max(labels) <= 20 and min(labels) >= -20
    assert plot_model(None) is None and plot_model({"xs": [], "ys": [], "points": []}) is None


def test_nice_ticks_are_round():
    assert nice_ticks(0.0, 10.0) == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert nice_ticks(-1.3, 4.4) == [0.0, 2.0, 4.0]
    assert nice_ticks(-3.3, 4.4) == [-2.0, 0.0, 2.0, 4.0]
    assert len(nice_ticks(1e-9, 3e-9)) >= 2


def test_report_shows_the_plot_with_a_legend_and_a_table():
    page = report.render_html(failing_with_hints())
    assert page.count('class="tangent-expected"') == 4  # 3 points + the legend swatch
    assert page.count('class="tangent-got"') == 4
    assert "correct tangent (solid)" in page and "your tangent (dashed)" in page
    assert "<td class=\"no nowrap\">✗ wrong</td>" in page
    assert "(not drawn)" in report.render_html(raising_cell())
    assert "Your tangent lines" not in report.render_html(
        type(passing())(exercise="e", submission="s", score=0, max_score=0, passed=False))


_maybe = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(-1e6, 1e6))


@settings(max_examples=60, deadline=None)
@given(xs=st.lists(_maybe, max_size=30), ys=st.lists(_maybe, max_size=30),
       points=st.lists(st.fixed_dictionaries({
           "label": st.text(max_size=5), "x": _maybe, "y": _maybe,
           "expected_slope": _maybe, "got_slope": _maybe, "passed": st.booleans()}),
           max_size=3))
def test_any_plot_data_gives_a_finite_picture_or_none(xs, ys, points):
    model = plot_model({"variable": "x", "function": "f", "xs": xs, "ys": ys,
                        "points": points})
    if model is not None:
        assert all(math.isfinite(v) for v in _numbers(model))


def _assert_labels_clear(model):
    """Every drawn point has its label, inside the area, touching no other label and
    no dot (its own included)."""
    from grader.delivery.report.labels import DOT_R

    area = model["area"]
    drawn = [m for m in model["marks"] if m["cx"] is not None]
    boxes = [m["label_at"]["box"] for m in drawn]
    assert all(m["label_at"] is not None for m in drawn)
    dots = [(m["cx"] - DOT_R, m["cy"] - DOT_R, m["cx"] + DOT_R, m["cy"] + DOT_R) for m in drawn]
    for i, a in enumerate(boxes):
        assert area["x"] <= a[0] and a[2] <= area["x"] + area["w"], a
        assert area["y"] <= a[1] and a[3] <= area["y"] + area["h"], a
        for b in boxes[i + 1:] + dots:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    return drawn


def _close_points(xs):
    curve = [i / 20 - 1 for i in range(61)]
    return {"variable": "x", "function": "x**2", "xs": curve, "ys": [x * x for x in curve],
            "points": [{"label": f"p{i}", "x": x, "y": x * x, "expected_slope": 2 * x,
                        "got_slope": 2 * x, "passed": True} for i, x in enumerate(xs)]}


def test_labels_of_close_and_coinciding_points_never_overlap():
    for xs in ([1.0, 1.0005, 1.001, 1.0], [1.0, 1.0, 1.0, 1.0], [-1.0, -0.999, 2.0, 1.999],
               [0.0, 0.02, 0.04, 0.06]):
        drawn = _assert_labels_clear(plot_model(_close_points(xs)))
        assert len(drawn) == 4
        # A label pushed away from its point is tied back to it.
        far = [m for m in drawn if abs(m["label_at"]["x"] - m["cx"]) > 30
               or abs(m["label_at"]["y"] - m["cy"]) > 30]
        assert all(m["label_at"]["leader"] for m in far)
    # Twelve points on one pixel: the outer ring of labels is tied back with leaders.
    crowd = _assert_labels_clear(plot_model(_close_points([1.0] * 12)))
    assert len(crowd) == 12 and sum(m["label_at"]["leader"] for m in crowd) >= 1


def test_labels_of_the_report_cases_never_overlap():
    for make in (passing, failing_with_hints, raising_cell, hostile):
        _assert_labels_clear(plot_model(make().plot))
    page = report.render_html(type(passing())(**{**passing().__dict__,
                                                  "plot": _close_points([1.0] * 4)}))
    assert page.count('class="dot-label"') == 4
