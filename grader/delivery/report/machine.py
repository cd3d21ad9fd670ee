"""The reports machines read: the JSON report, JUnit XML, Gradescope's results.json.

JSON is ``GradeResult.to_json()`` made strictly valid (NaN and infinities become the
strings "nan", "inf", "-inf", the convention of ``results.Observed``). JUnit is built
with ElementTree, which escapes; the text first loses what XML 1.0 cannot hold at all.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

from grader.delivery.report.text import clean, failed_checks, format_pair, format_points, one_line
from grader.results import GradeResult

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its string name.

    Lone surrogates (which a kernel's JSON can carry, but no UTF-8 file can) become
    U+FFFD; everything else is kept as the grader produced it.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_report(result: GradeResult) -> dict[str, Any]:
    """The JSON report (``GradeResult.to_json``'s keys), ready for
    ``json.dumps(..., allow_nan=False)``."""
    return json_safe(result.to_json())


def check_text(check: Any) -> str:
    """A failed check in plain text: message, expected and got, hint."""
    lines = [clean(check.message)] if check.message else []
    if check.expected is not None or check.got is not None:
        expected, got = format_pair(check.expected, check.got)
        lines.append(f"Expected: {expected}")
        lines.append(f"Got: {got}")
    if check.hint:
        lines.append(f"Hint: {clean(check.hint)}")
    return "\n".join(lines)


def _seconds(value: Any) -> str:
    ok = isinstance(value, (int, float)) and math.isfinite(value)
    return f"{float(value):.3f}" if ok else "0.000"


def _testsuite(parent: Any, result: GradeResult) -> tuple[int, int, int]:
    """One <testsuite> for ``result``; returns (tests, failures, errors)."""
    import xml.etree.ElementTree as ET

    failures = len(failed_checks(result))
    errors = 1 if result.errors or not result.checks else 0
    tests = len(result.checks) + errors
    suite = ET.SubElement(parent, "testsuite", {
        "name": one_line(f"{result.exercise}: {result.submission}"),
        "tests": str(tests), "failures": str(failures), "errors": str(errors),
        "skipped": "0", "time": _seconds(result.duration_s)})
    props = ET.SubElement(suite, "properties")
    for name, value in (("exercise", result.exercise), ("submission", result.submission),
                        ("score", format_points(result.score)),
                        ("max_score", format_points(result.max_score)),
                        ("status", getattr(result, "status", "graded"))):
        ET.SubElement(props, "property", {"name": name, "value": one_line(value)})
    classname = one_line(f"tapegrader.{result.exercise or 'unknown'}")
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", {"classname": classname,
                                                 "name": one_line(check.name), "time": "0"})
        if not check.passed:
            message = one_line(check.message) or "check failed"
            if check.hint:
                message += f" Hint: {one_line(check.hint)}"
            failure = ET.SubElement(case, "failure", {"message": message, "type": "CheckFailed"})
            failure.text = check_text(check)
    if errors:
        case = ET.SubElement(suite, "testcase", {"classname": classname, "name": "grading",
                                                 "time": _seconds(result.duration_s)})
        text = "\n".join(clean(e) for e in result.errors) or "no checks could be run"
        error = ET.SubElement(case, "error", {"message": one_line(text, 500),
                                              "type": "NotGraded"})
        error.text = text
    if result.cell_errors:
        err_out = ET.SubElement(suite, "system-err")
        err_out.text = "\n\n".join(
            f"cell {e.cell_index} ({e.tag or 'untagged'}) raised {clean(e.ename)}: "
            f"{clean(e.evalue)}\n{clean(e.traceback)}" for e in result.cell_errors)
    return tests, failures, errors


def junit_xml(results: Sequence[Any]) -> str:
    """JUnit XML: one <testsuite> per submission, one <testcase> per check.

    A submission that could not be graded gets a ``grading`` testcase with an <error>,
    so CI dashboards count it instead of showing an empty, green suite.
    """
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", {"name": "tapegrader"})
    totals = [0, 0, 0]
    time = 0.0
    for result in results:
        for i, n in enumerate(_testsuite(root, result)):
            totals[i] += n
        if isinstance(result.duration_s, (int, float)) and math.isfinite(result.duration_s):
            time += result.duration_s
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(totals[2]))
    root.set("time", _seconds(time))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _number(value: Any) -> float:
    ok = isinstance(value, (int, float)) and math.isfinite(value)
    return float(value) if ok else 0.0


def gradescope_json(result: GradeResult) -> dict[str, Any]:
    """Gradescope's ``results.json`` for one submission.

    Checks at hidden points are ``after_published``: students see them once grades are
    released, not while they could still tune a hard-coded number against them.
    """
    tests = []
    for check in result.checks:
        output = check_text(check) if not check.passed else clean(check.message)
        tests.append({
            "name": one_line(check.name),
            "score": _number(check.score),
            "max_score": _number(check.max_score),
            "status": "passed" if check.passed else "failed",
            "output": output,
            "output_format": "text",
            "visibility": "after_published" if check.hidden else "visible",
        })
    if result.errors or not result.checks:
        tests.append({
            "name": "Grading",
            "score": 0.0, "max_score": 0.0, "status": "failed",
            "output": "\n".join(clean(e) for e in result.errors) or "No checks could be run.",
            "output_format": "text", "visibility": "visible",
        })
    return {
        "score": _number(result.score),
        "max_score": _number(result.max_score),
        "execution_time": round(_number(result.duration_s), 3),
        "output": gradescope_output(result),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradescope_output(result: GradeResult) -> str:
    """The summary Gradescope shows above the tests."""
    failed = len(failed_checks(result))
    head = (f"Score: {format_points(result.score)} / {format_points(result.max_score)} "
            f"points.")
    if result.passed:
        return f"{head} Every check passed. Well done!"
    if not result.checks:
        return f"{head} Your notebook could not be graded: see the Grading test below."
    text = f"{head} {failed} of {len(result.checks)} checks failed: each says why, with a hint."
    hidden = sum(1 for c in failed_checks(result) if c.hidden)
    if hidden:
        text += (f" {hidden} of them are at hidden points, shown once grades are "
                 f"published.")
    for e in result.cell_errors:
        text += f"\nA cell raised {one_line(e.ename)}: {one_line(e.evalue, 300)}"
    return text
