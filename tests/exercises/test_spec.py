"""Loading specs: the shipped course, and every kind of bad input with a helpful error."""

from __future__ import annotations

import numpy as np
import pytest

from grader.errors import ExpressionError, SpecError
from grader.authoring.spec import find_spec, load_course, load_spec
from grader.kinds import names as kind_names

from grader.resources import exercises_dir

EXERCISES = exercises_dir()


def test_the_course_loads_sorted_with_every_kind():
    specs = load_course(EXERCISES)
    ids = [s.id for s in specs]
    assert ids == sorted(ids)
    assert len(ids) >= 13
    assert {s.kind for s in specs} == set(kind_names())
    for spec in specs:
        assert len(spec.sha256) == 64
        assert spec.path.name == f"{spec.id}.toml"
        assert spec.dtype == "float32"


def test_a_spec_has_its_fields(write_spec):
    spec = load_spec(write_spec())
    assert (spec.id, spec.kind, spec.function) == ("sample", "gradient", "x**2 + 2*x - 1")
    assert spec.variables[0].name == "x" and spec.variables[0].param == "x0"
    assert spec.variables[0].dtype == "float32" and spec.variables[0].role == "variable"
    assert spec.answers[0].of == ("x",) and spec.answers[0].order == 1
    assert float(spec.expected["grad"]) == 6.0
    assert spec.tolerance.rtol == 1e-5 and spec.tolerance.atol == 1e-6
    assert spec.hidden.count == 2 and spec.hidden.range == (-5.0, 5.0)


def test_creation_points_and_int_points(write_spec):
    spec = load_spec(write_spec(point='"fill((2, 3), 3.0)"', expected="[[6.0, 6.0, 6.0], [6.0, 6.0, 6.0]]"))
    np.testing.assert_array_equal(spec.variables[0].value, np.full((2, 3), 3.0))
    spec = load_spec(write_spec(point="3", expected="8.0"))
    assert spec.variables[0].dtype == "int32"
    assert spec.variables[0].value.dtype == np.int64


def _error(path) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return str(info.value)


def test_missing_key(write_spec):
    message = _error(write_spec(replace=[('title = "Derivative of a quadratic"\n', "")]))
    assert "sample.toml" in message and "key `title`" in message
    assert "missing required key `title`" in message


def test_unknown_key_suggests_the_nearest(write_spec):
    message = _error(write_spec(replace=[("statement =", "statment =")]))
    assert "sample.toml" in message and "unknown key `statment`" in message
    assert "did you mean `statement`?" in message


def test_unknown_key_in_a_nested_table(write_spec):
    message = _error(write_spec(replace=[("count = 2", "cout = 2")]))
    assert "key `hidden.cout`" in message and "did you mean `count`?" in message


def test_wrong_type_says_expected_and_found(write_spec):
    message = _error(write_spec(replace=[('title = "Derivative of a quadratic"', "title = 3")]))
    assert "key `title`" in message
    assert "expected a string, found the number 3" in message


def test_wrong_type_in_an_array_of_tables(write_spec):
    message = _error(write_spec(point='true'))
    assert "key `variables[0].point`" in message
    assert "expected a number or a nested list of numbers, found a boolean" in message


def test_unknown_kind_suggests(write_spec):
    message = _error(write_spec(replace=[('kind = "gradient"', 'kind = "gradiant"')]))
    assert "expected one of gradient, higher-order" in message and "did you mean `gradient`?" in message


@pytest.mark.parametrize("function, fragment", [
    ("__import__('os')", "`__import__` is not an allowed function"),
    ("x.__class__", "`x.__class__` is not allowed"),
    ("(lambda: x)()", "calling `lambda: x` is not allowed"),
    ("[x for x in range(3)]", "a comprehension is not allowed"),
    ("'rm -rf'.join(x)", "calling `'rm -rf'.join` is not allowed"),
])
def test_forbidden_expression(write_spec, function, fragment):
    path = write_spec(replace=[('function = "{}"'.format("x**2 + 2*x - 1"),
                                f"function = \"{function}\"")])
    with pytest.raises(ExpressionError) as info:
        load_spec(path)
    message = str(info.value)
    assert "sample.toml" in message and "key `function`" in message and fragment in message


@pytest.mark.parametrize("where, replacement, key", [
    ("point", "nan", "variables[0].point"),
    ("point", "[1.0, inf]", "variables[0].point"),
    ("expected", "-inf", "expected.grad"),
])
def test_non_finite_numbers(write_spec, where, replacement, key):
    message = _error(write_spec(**{where: replacement}))
    assert f"key `{key}`" in message and "finite" in message


def test_non_finite_tolerance(write_spec):
    path = write_spec(replace=[("[hidden]", "[tolerance]\nrtol = nan\n\n[hidden]")])
    assert "expected a finite number" in _error(path)


@pytest.mark.parametrize("function, point", [("sqrt(x)", "-1.0"), ("log(x)", "0.0"),
                                             ("1 / x", "0.0")])
def test_a_point_where_the_function_is_not_defined(write_spec, function, point):
    message = _error(write_spec(function=function, point=point))
    assert "sample.toml" in message and "key `function`" in message
    assert "is not defined at the visible point" in message and f"x = {point}" in message


def test_shapes_that_do_not_fit(write_spec):
    path = write_spec(function="reduce_sum(x, axis=3)", point="[1.0, 2.0, 3.0]",
                      expected="1.0")
    message = _error(path)
    assert "key `function`" in message and "is not defined at the visible point" in message
    assert "axis 3 is out of bounds" in message


def test_answer_of_an_unknown_variable_suggests(write_spec):
    path = write_spec(replace=[('of = "x"', 'of = "xx"')])
    message = _error(path)
    assert "key `answers[0].of`" in message and "did you mean `x`?" in message


def test_expected_for_an_unknown_answer(write_spec):
    message = _error(write_spec(replace=[("grad = 6.0", "gard = 6.0")]))
    assert "key `expected.gard`" in message and "did you mean `grad`?" in message


def test_second_order_needs_the_higher_order_kind(write_spec):
    message = _error(write_spec(replace=[('of = "x"', 'of = "x"\norder = 2')]))
    assert "needs kind = \"higher-order\"" in message


def test_training_needs_its_table(write_spec):
    message = _error(write_spec(replace=[('kind = "gradient"', 'kind = "training"')]))
    assert "missing required key `training`" in message


def test_id_must_match_the_file_name(write_spec):
    message = _error(write_spec(replace=[('id = "sample"', 'id = "other"')]))
    assert "differs from the file name" in message and "rename the file" in message


def test_invalid_toml(write_spec):
    message = _error(write_spec("id = \n"))
    assert "sample.toml" in message and "not valid TOML" in message


def test_hidden_range_must_be_ordered(write_spec):
    message = _error(write_spec(replace=[("range = [-5.0, 5.0]", "range = [5.0, -5.0]")]))
    assert "key `hidden.range`" in message and "low < high" in message


def test_load_course_lists_every_bad_file(write_spec):
    write_spec(exercise_id="good")
    bad = write_spec(exercise_id="bad_one", replace=[("statement =", "statment =")])
    worse = write_spec(exercise_id="bad_two", point="nan")
    with pytest.raises(SpecError) as info:
        load_course(bad.parent)
    message = str(info.value)
    assert "2 exercise spec(s) are invalid" in message
    assert "bad_one.toml" in message and "bad_two.toml" in message and worse.exists()


def test_find_spec_suggests_an_id():
    assert find_spec("jacobian", EXERCISES).kind == "jacobian"
    with pytest.raises(SpecError) as info:
        find_spec("jacobain", EXERCISES)
    assert "unknown exercise 'jacobain'" in str(info.value)
    assert "did you mean `jacobian`?" in str(info.value)


def test_a_list_answer_needs_sources_of_one_shape(write_spec):
    path = write_spec(replace=[('of = "x"', 'of = ["x", "z"]'),
                               ("[[answers]]", '[[variables]]\nname = "z"\npoint = [1.0, 2.0]\n\n[[answers]]'),
                               ("x**2 + 2*x - 1", "x**2 + reduce_sum(z)")])
    message = _error(path)
    assert "key `answers[0].of`" in message and "different shapes" in message


def test_specs_compare_and_hash_by_file_and_content(write_spec):
    path = write_spec()
    first, again = load_spec(path), load_spec(path)
    assert first == again and len({first, again}) == 1
    write_spec(expected="6.00")
    assert load_spec(path) != first


def test_hidden_points_need_something_to_vary(write_spec):
    message = _error(write_spec(replace=[("count = 2", "count = 2\nvary = []")]))
    assert "key `hidden.vary`" in message and "at least one variable" in message
