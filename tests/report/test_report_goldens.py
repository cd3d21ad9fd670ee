"""Every report format of every hand-made case, against its golden file.

A change to a template or a formatter shows up here as a diff to review; refresh with
``pytest --update-goldens`` when the change is intended.
"""

from __future__ import annotations

import json
import re

import pytest
from report_cases import CASES

from grader.delivery import report

FORMATS = {
    "html": lambda r: report.render_html(r),
    "junit.xml": lambda r: report.junit_xml([r]),
    "gradescope.json": lambda r: json.dumps(report.gradescope_json(r), indent=2,
                                            ensure_ascii=False, allow_nan=False) + "\n",
    "json": lambda r: json.dumps(report.json_report(r), indent=2, ensure_ascii=False,
                                 allow_nan=False) + "\n",
    "summary.md": lambda r: report.step_summary_markdown([r]),
    "terminal.txt": lambda r: report.terminal_summary(r, color=False) + "\n",
    "annotations.txt": lambda r: "".join(
        line + "\n" for line in report.github_annotations(r, "submissions/nb.ipynb")),
}


_STYLE = re.compile(r"(<style>\n)(.*?)(</style>)", re.S)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_golden(case, fmt, golden):
    text = FORMATS[fmt](CASES[case]())
    if fmt == "html":
        # The stylesheet is the same on every page: one golden file holds it.
        css = _STYLE.search(text)
        assert css, "the report has no inline <style>"
        golden("report.css", css.group(2))
        text = _STYLE.sub(r"\1/* goldens/report.css */\n\3", text)
    golden(f"{case}.{fmt}", text)


def test_class_summary_matches_golden(golden):
    results = [make() for make in CASES.values()]
    golden("class.summary.md", report.step_summary_markdown(results))
    golden("class.junit.xml", report.junit_xml(results))
