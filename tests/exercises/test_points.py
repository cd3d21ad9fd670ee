"""Grading points: the visible one first, then reproducible hidden ones."""

from __future__ import annotations

import json

import numpy as np

from grader.grading.points import grading_points, point_to_json
from grader.resources import exercises_dir
from grader.authoring.spec import find_spec, load_spec


def test_visible_first_then_hidden_labels():
    spec = find_spec("quadratic_derivative", exercises_dir())
    points = grading_points(spec, seed=7)
    assert [p.label for p in points] == ["visible point", "hidden point 1", "hidden point 2",
                                         "hidden point 3"]
    assert [p.hidden for p in points] == [False, True, True, True]
    assert float(points[0].values["x"]) == 2.0


def test_same_seed_same_points_other_seed_other_points():
    spec = find_spec("two_sources", exercises_dir())
    first, again, other = (grading_points(spec, s) for s in (3, 3, 4))
    for a, b in zip(first, again):
        for name in a.values:
            np.testing.assert_array_equal(a.values[name], b.values[name])
    assert any(not np.array_equal(a.values["x"], b.values["x"]) for a, b in zip(first[1:], other[1:]))


def test_hidden_points_respect_range_shape_and_differ_from_visible():
    spec = find_spec("two_sources", exercises_dir())  # spread = 0.5 around x = 3, z = 5
    for point in grading_points(spec, 11)[1:]:
        assert point.values["x"].shape == (2, 3)
        assert np.all((point.values["x"] >= 1.5) & (point.values["x"] <= 4.5))
        assert 2.5 <= float(point.values["z"]) <= 7.5
        assert not np.array_equal(point.values["x"], np.full((2, 3), 3.0))
    spec = find_spec("jacobian", exercises_dir())  # range = [-3, 3]
    for point in grading_points(spec, 1)[1:]:
        assert np.all(np.abs(point.values["x"]) <= 3.0)
        assert np.all(np.round(point.values["x"], 2) == point.values["x"])


def test_only_the_varied_variables_change():
    spec = find_spec("linear_regression", exercises_dir())
    visible, *hidden = grading_points(spec, 5)
    for point in hidden:
        np.testing.assert_array_equal(point.values["x"], visible.values["x"])
        np.testing.assert_array_equal(point.values["y"], visible.values["y"])
    assert len({float(p.values["w"]) for p in hidden}) == 3


def test_integer_variables_get_integer_hidden_points():
    spec = find_spec("integer_variable", exercises_dir())
    for point in grading_points(spec, 2)[1:]:
        assert point.values["x"].dtype.kind == "i"
        assert int(point.values["x"]) != 3


def test_hidden_points_avoid_where_the_function_is_undefined(write_spec):
    spec = load_spec(write_spec(function="log(x)", point="2.0", expected="0.5"))
    for point in grading_points(spec, 0)[1:]:  # range [-5, 5]: half of it undefined
        assert float(point.values["x"]) > 0


def test_point_to_json_is_plain_data():
    spec = find_spec("two_sources", exercises_dir())
    data = point_to_json(grading_points(spec, 0)[0])
    assert data == {"x": [[3.0] * 3, [3.0] * 3], "z": 5.0}
    json.dumps(data)
