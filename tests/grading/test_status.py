"""A result's status is an enum whose JSON values are the strings reports always wrote."""

from __future__ import annotations

import json

from grader.results import GradeResult, Status


def test_status_values_are_the_json_strings():
    assert [s.value for s in Status] == ["graded", "failed-to-grade", "timed-out"]


def test_a_string_status_becomes_the_enum_and_writes_the_same_json():
    result = GradeResult(exercise="e", submission="s", score=0.0, max_score=1.0,
                         passed=False, status="timed-out")
    assert result.status is Status.TIMED_OUT
    assert result.status == "timed-out" and f"{result.status}" == "timed-out"
    assert json.loads(json.dumps(result.to_json()))["status"] == "timed-out"
