"""The GitHub Classroom result: the reporter's format, the report's points, $GITHUB_OUTPUT.

The schema below is what ``classroom-resources/autograding-grading-reporter`` reads
(``src/main.js``, ``src/notify-classroom.js``): for each runner it base64-decodes
``<ID>_RESULTS``, reads ``status`` ("fail"/"error" fail the job), adds up
``tests[].score`` as the points and ``max_score`` as the maximum, and prints each
test's ``name``, ``status`` and ``message``. The other test keys are the ones
Classroom's own graders write.
"""

from __future__ import annotations

import base64
import json
import math
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from grader.delivery import classroom
from report_cases import CASES, failing_with_hints, not_graded, passing

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "exercises" / "examples"

REPORTER_SCHEMA = {
    "type": "object",
    "required": ["version", "status", "max_score", "tests"],
    "properties": {
        "version": {"const": 1},
        "status": {"enum": ["pass", "fail", "error"]},
        "max_score": {"type": "number", "minimum": 0},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status", "score", "message"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "score": {"type": "number", "minimum": 0},
                    "message": {"type": ["string", "null"]},
                    "test_code": {"type": "string"},
                    "filename": {"type": "string"},
                    "line_no": {"type": "integer"},
                    "execution_time": {"type": "string", "pattern": r"^\d+\.\d\ds$"},
                },
            },
        },
    },
}


def _decoded(lines: list[str]) -> dict:
    (result,) = [line for line in lines if line.startswith("result=")]
    value = result.split("=", 1)[1]
    assert "\n" not in value and value.isascii()
    return json.loads(base64.b64decode(value, validate=True))


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_matches_the_reporter_schema_and_the_report_score(name):
    result = CASES[name]()
    payload = _decoded(classroom.output_lines([result]))
    jsonschema.validate(payload, REPORTER_SCHEMA)
    points = sum(t["score"] for t in payload["tests"])  # what the reporter adds up
    if math.isfinite(result.score) and math.isfinite(result.max_score):
        assert math.isclose(points, result.score, abs_tol=1e-6)
        assert payload["max_score"] == result.max_score
    else:  # a score that is no number is no grade: an error, in numbers JSON can hold
        assert payload["status"] == "error" and points == 0


def test_one_test_per_check_with_the_check_verdicts():
    result = failing_with_hints()
    payload = classroom.classroom_result([result])
    assert [t["name"] for t in payload["tests"]] == [c.name for c in result.checks]
    assert [t["status"] for t in payload["tests"]] == [
        "pass" if c.passed else "fail" for c in result.checks]
    assert payload["status"] == "fail"
    failed = next(t for t in payload["tests"] if t["status"] == "fail")
    assert "Expected:" in failed["message"]  # the student sees what to fix in the log


def test_a_passing_notebook_is_status_pass_with_full_points():
    payload = classroom.classroom_result([passing()])
    assert payload["status"] == "pass"
    assert sum(t["score"] for t in payload["tests"]) == passing().max_score


def test_a_notebook_that_could_not_be_graded_is_one_error_test():
    result = not_graded()
    payload = classroom.classroom_result([result])
    jsonschema.validate(payload, REPORTER_SCHEMA)
    assert payload["status"] == "error"
    (test,) = payload["tests"]
    assert test["status"] == "error" and test["score"] == 0
    assert result.errors[0].split(":")[0] in test["message"]


def test_several_notebooks_add_up_and_name_their_exercise():
    results = [passing(), failing_with_hints()]
    payload = _decoded(classroom.output_lines(results))
    jsonschema.validate(payload, REPORTER_SCHEMA)
    assert math.isclose(sum(t["score"] for t in payload["tests"]),
                        sum(r.score for r in results), abs_tol=1e-6)
    assert payload["max_score"] == sum(r.max_score for r in results)
    assert all(t["name"].startswith(f"{results[0].exercise}: ") for t in payload["tests"][:2])
    assert payload["status"] == "fail"


def test_times_add_up_to_the_notebooks_time():
    result = passing()
    tests = classroom.classroom_result([result])["tests"]
    total = sum(float(t["execution_time"].rstrip("s")) for t in tests)
    assert total == pytest.approx(round(result.duration_s, 2))


def test_on_by_default_only_inside_github_actions_with_an_output_file():
    assert classroom.enabled(None, {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/tmp/o"})
    assert not classroom.enabled(None, {"GITHUB_ACTIONS": "true"})
    assert not classroom.enabled(None, {"GITHUB_OUTPUT": "/tmp/o"})
    assert not classroom.enabled(False, {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/tmp/o"})
    assert classroom.enabled(True, {})


def test_append_output_keeps_what_the_file_had(tmp_path):
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    classroom.append_output([passing()], environ={"GITHUB_OUTPUT": str(out)})
    lines = out.read_text().splitlines()
    assert lines[0] == "earlier=1"
    assert _decoded(lines)["status"] == "pass"
    assert f"max-score={passing().max_score:g}" in lines


def test_module_entry_combines_reports_and_marks_a_missing_one(tmp_path):
    from grader.delivery.report import json_report

    report = tmp_path / "a.json"
    report.write_text(json.dumps(json_report(failing_with_hints())))
    out = tmp_path / "github_output"
    run = subprocess.run([sys.executable, "-m", "grader.delivery.classroom",
                          "--graded", "a.ipynb", str(report), "--ungraded", "b.ipynb"],
                         env={"GITHUB_OUTPUT": str(out), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    payload = _decoded(out.read_text().splitlines())
    jsonschema.validate(payload, REPORTER_SCHEMA)
    assert payload["status"] == "error"
    assert [t["filename"] for t in payload["tests"]][-1] == "b.ipynb"
    assert payload["tests"][-1]["status"] == "error"
    assert math.isclose(sum(t["score"] for t in payload["tests"]), failing_with_hints().score,
                        abs_tol=1e-6)


def _check(args, env_extra, tmp_path):
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path),
           **env_extra}
    return subprocess.run([sys.executable, "-m", "grader", "check", *args], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.mark.slow
def test_grader_check_in_actions_writes_the_result_of_its_report(tmp_path):
    out, report = tmp_path / "github_output", tmp_path / "r.json"
    run = _check([str(EXAMPLES / "quadratic_derivative_hardcoded.ipynb"), "--json", str(report),
                  "--html", str(tmp_path / "r.html"), "--sandbox", "basic"],
                 {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out),
                  "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}, tmp_path)
    assert run.returncode == 1, run.stderr
    payload = _decoded(out.read_text().splitlines())
    jsonschema.validate(payload, REPORTER_SCHEMA)
    data = json.loads(report.read_text())
    assert math.isclose(sum(t["score"] for t in payload["tests"]), data["score"], abs_tol=1e-6)
    assert payload["max_score"] == data["max_score"]
    assert len(payload["tests"]) == len(data["checks"])


def test_grader_check_of_an_unknown_exercise_still_gives_classroom_an_error(tmp_path):
    out = tmp_path / "github_output"
    run = _check([str(EXAMPLES / "quadratic_derivative_submission.ipynb"),
                  "--exercise", "no_such_exercise", "--html", str(tmp_path / "r.html")],
                 {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)}, tmp_path)
    assert run.returncode == 2
    payload = _decoded(out.read_text().splitlines())
    assert payload["status"] == "error" and payload["tests"][0]["status"] == "error"
    assert "no_such_exercise" in payload["tests"][0]["message"]


def test_no_classroom_output_outside_actions_or_when_switched_off(tmp_path):
    out = tmp_path / "github_output"
    run = _check([str(EXAMPLES / "quadratic_derivative_submission.ipynb"), "--exercise",
                  "no_such_exercise", "--no-classroom"],
                 {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)}, tmp_path)
    assert run.returncode == 2
    assert not out.exists()
