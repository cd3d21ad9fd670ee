"""The machine formats keep their contracts: the JSON report, JUnit, Gradescope, files."""

from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from report_cases import CASES, failing_with_hints, hostile, not_graded, passing, raising_cell

from grader.delivery import report
from grader.delivery.report.files import atomic_write
from grader.delivery.report.machine import json_safe

CONTRACT_KEYS = ["exercise", "submission", "score", "max_score", "passed", "checks", "errors",
                 "duration_s"]
CHECK_KEYS = ["name", "passed", "score", "max_score", "expected", "got", "message", "hint"]


def _strict_json(text: str):
    def refuse(name):
        raise AssertionError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_follows_the_design_schema_key_by_key(case, tmp_path):
    result = CASES[case]()
    [path] = report.write_reports(result, json=tmp_path / "r.json")
    data = _strict_json(path.read_text(encoding="utf-8"))
    assert list(data)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert isinstance(data["exercise"], str) and isinstance(data["submission"], str)
    assert isinstance(data["passed"], bool) and data["passed"] is result.passed
    assert isinstance(data["errors"], list) and all(isinstance(e, str) for e in data["errors"])
    assert len(data["checks"]) == len(result.checks)
    for check, row in zip(result.checks, data["checks"]):
        assert list(row) == CHECK_KEYS
        assert row["name"] == check.name and row["passed"] is check.passed
        # Kept as the grader wrote them (only a lone surrogate becomes U+FFFD).
        assert row["message"] == json_safe(check.message) and row["hint"] == json_safe(check.hint)


def test_json_names_non_finite_numbers_as_strings(tmp_path):
    [path] = report.write_reports(hostile(), json=tmp_path / "r.json")
    data = _strict_json(path.read_text(encoding="utf-8"))
    assert data["score"] == "nan" and data["max_score"] == "inf" and data["duration_s"] == "nan"
    assert data["checks"][0]["got"] == ["nan", "inf", "-inf", None]


def test_junit_counts_tests_failures_and_errors():
    results = [passing(), failing_with_hints(), raising_cell(), not_graded()]
    root = ET.fromstring(report.junit_xml(results))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "derivative_quadratic: alice.ipynb", "derivative_quadratic: bob.ipynb",
        "derivative_quadratic: carol.ipynb", ": dave.ipynb"]
    for suite, result in zip(suites, results):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) == sum(
            not c.passed for c in result.checks)
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
    assert [int(s.get("tests")) for s in suites] == [5, 5, 3, 1]
    assert [int(s.get("failures")) for s in suites] == [0, 4, 3, 0]
    assert [int(s.get("errors")) for s in suites] == [0, 0, 0, 1]
    assert root.get("tests") == "14" and root.get("failures") == "7" and root.get("errors") == "1"


def test_junit_failure_carries_message_and_hint():
    root = ET.fromstring(report.junit_xml([failing_with_hints()]))
    failure = root.find("testsuite/testcase[@name='grad at the visible point']/failure")
    assert failure is not None
    assert failure.get("message").startswith("Wrong value. Hint: The value has the right size")
    assert "Expected: 6.0\nGot: -6.0\n" in failure.text
    assert failure.text.endswith("check the signs in your function.")


def test_junit_keeps_the_traceback_without_escape_codes():
    root = ET.fromstring(report.junit_xml([raising_cell()]))
    err = root.find("testsuite/system-err").text
    assert "RuntimeError" in err and "tape.gradient(y, x)" in err and "\x1b" not in err


def test_gradescope_shape_and_visibility():
    data = report.gradescope_json(failing_with_hints())
    assert set(data) >= {"score", "max_score", "execution_time", "output", "tests"}
    assert data["score"] == 1.0 and data["max_score"] == 5.5 and data["execution_time"] == 1.5
    assert "1 / 5.5 points" in data["output"]
    assert [t["visibility"] for t in data["tests"]] == [
        "visible", "visible", "visible", "after_published", "after_published"]
    for test, check in zip(data["tests"], failing_with_hints().checks):
        assert set(test) >= {"name", "score", "max_score", "output", "visibility",
                             "output_format"}
        assert test["name"] == check.name and test["score"] == check.score
        assert test["output_format"] in {"text", "html", "simple_format", "md", "ansi"}
    assert "Hint: The value has the right size" in data["tests"][0]["output"]
    assert sum(t["score"] for t in data["tests"]) == data["score"]


def test_gradescope_explains_an_ungradable_submission():
    data = report.gradescope_json(not_graded())
    assert data["score"] == 0.0
    [test] = data["tests"]
    assert test["status"] == "failed" and "not valid JSON" in test["output"]
    json.dumps(report.gradescope_json(hostile()), allow_nan=False)  # strict JSON even here


def test_write_reports_writes_each_requested_file_atomically(tmp_path):
    target = tmp_path / "deep" / "er"
    written = report.write_reports(raising_cell(), html=target / "r.html",
                                   json=str(target / "r.json"), junit=target / "r.xml",
                                   gradescope=target / "results.json")
    assert written == [target / "r.html", target / "r.json", target / "r.xml",
                       target / "results.json"]
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in written)
    assert "RuntimeError" in (target / "r.html").read_text(encoding="utf-8")
    assert report.write_reports(passing()) == []


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    path = atomic_write(tmp_path / "report.html", "old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(path, "new \udc80")  # a lone surrogate cannot be encoded
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["report.html"]


def test_terminal_summary_is_short_and_colours_only_on_request():
    plain = report.terminal_summary(failing_with_hints(), color=False)
    lines = plain.splitlines()
    assert lines[0] == "✗ FAILED bob.ipynb (derivative_quadratic): 1 / 5.5 points, " \
                       "1 of 5 checks passed"
    assert len(lines) == 1 + 4 and "\x1b" not in plain
    assert lines[1].startswith("  ✗ grad at the visible point: Wrong value. (expected 6.0, got "
                               "-6.0) hint: The value has the right size")
    coloured = report.terminal_summary(failing_with_hints(), color=True)
    assert "\x1b[31m" in coloured and len(coloured.splitlines()) == 5
    assert report.terminal_summary(passing(), color=False).startswith("✓ PASSED alice.ipynb")


def test_terminal_summary_keeps_each_line_the_grader_s():
    text = report.terminal_summary(hostile(), color=False)
    for line in text.splitlines():
        assert line.startswith(("✗ FAILED", "  ! ", "  ✗ ")), line
    assert "\x1b" not in text and "\r" not in text


def test_values_are_shown_with_enough_digits_to_differ():
    from grader.delivery.report.text import format_pair, format_value

    assert format_value(6.0) == "6.0" and format_value(None) == "None"
    assert format_value([1.5, math.nan, -math.inf]) == "[1.5, nan, -inf]"
    assert format_pair(1.0, 1.0000001) == ("1.0", "1.0000001")
    assert format_pair(0.1, 0.1 + 1e-12)[0] != format_pair(0.1, 0.1 + 1e-12)[1]
    big = format_value(list(range(1000)))
    assert len(big) <= 300 and big.endswith(", … (1,000 items in all)]")
    assert format_value("x" * 1000).endswith("… (1,000 characters in all)")
    assert format_value({"shape": [30, 2], "first": [1.0], "min": 0.0, "max": 2.0}) == \
        "array of shape 30 × 2: 1.0, … (min 0.0, max 2.0)"


def test_report_package_imports_without_jinja2():
    import subprocess
    import sys

    code = "import sys, grader.delivery.report; assert 'jinja2' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


def test_step_summary_of_a_huge_class_stays_under_github_s_limit():
    results = [hostile() for _ in range(1500)] + [passing()]
    md = report.step_summary_markdown(results)
    assert len(md.encode("utf-8")) < 1024 * 1024
    assert md.startswith("## Grading: 1 of 1501 submissions passed")
    assert "…and 501 more submissions: see the gradebook." in md
    assert "…and 1475 more submissions with failed checks" in md

