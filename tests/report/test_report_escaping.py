"""Nothing a notebook controls becomes markup, a command or a control code, in any format."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from report_cases import CASES, SCRIPT, hostile

from grader.delivery import report
from grader.delivery.report.github import escape_data, escape_property


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


# Every element the report template itself writes; anything else came from a notebook.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "p", "h1",
    "h2", "h3", "code", "small", "div", "span", "ul", "ol", "li", "a", "strong", "article",
    "pre", "dl", "dt", "dd", "figure", "svg", "desc", "defs", "clippath", "rect", "line",
    "text", "g", "path", "circle", "figcaption", "table", "caption", "thead", "tbody", "tr",
    "th", "td", "footer"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_html_contains_only_the_template_s_markup(case):
    page = report.render_html(CASES[case]())
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= TEMPLATE_TAGS, parser.tags - TEMPLATE_TAGS
    assert not {a for a in parser.attributes if a.startswith("on")}
    assert not re.search(r"<script|</textarea|href=\"javascript|\x1b|\x00", page, re.I)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "@import" not in page and "url(http" not in page


def test_html_shows_hostile_text_literally():
    page = report.render_html(hostile())
    parser = _Tags()
    parser.feed(page)
    text = "".join(parser.text)
    assert SCRIPT in text and "</textarea>" in text and "{{ 7*7 }}" in text
    assert "<b>bold</b>" in text and "[31m" not in text and "red ::error::forged" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_template_marks_nothing_safe():
    from grader.resources import templates_dir

    for path in (templates_dir() / "report").glob("*.j2"):
        source = path.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), path
        assert "autoescape false" not in source, path


def test_junit_xml_holds_hostile_text_as_text():
    text = report.junit_xml([hostile()])
    root = ET.fromstring(text)  # parses: no control characters, no broken markup
    assert root.find(".//script") is None and "<script>" not in text
    failure = root.find("testsuite/testcase/failure")
    assert SCRIPT in failure.text and "{{ 7*7 }}" in failure.text and "\x1b" not in failure.text
    assert root.find("testsuite").get("name") == f"ex {SCRIPT}: {SCRIPT}.ipynb"


def test_markdown_summary_escapes_markup_links_and_table_pipes():
    md = report.step_summary_markdown([hostile()])
    assert "<" not in md and "\x1b" not in md and "@octocat" not in md
    assert not re.search(r"(?<!\\)\]\(", md), "a Markdown link survived"
    assert "{{ 7*7 }}" not in md and r"\{\{ 7\*7 \}\}" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| ")]
    for line in table_rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == 6, line
    # One list item per failed check or error: a hostile newline started no new one.
    assert sum(line.startswith("- ") for line in md.splitlines()) == 2 + 2


def test_annotation_escaping_follows_github_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def _unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def test_annotations_are_one_command_each_and_round_trip():
    lines = report.github_annotations(hostile(), "class 1/a,b:c.ipynb")
    assert len(lines) == 4  # a grading error, a cell error, two failed checks
    pattern = re.compile(r"::error file=([^,:\r\n]*),title=([^,:\r\n]*)::([^\r\n]*)")
    for line in lines:
        match = pattern.fullmatch(line)
        assert match, line
        assert _unescape(match.group(1)) == "class 1/a,b:c.ipynb"
        assert "%" not in re.sub(r"%(25|0A|0D|3A|2C)", "", match.group(3))
    title, message = pattern.fullmatch(lines[2]).group(2, 3)
    assert _unescape(title) == f"ex {SCRIPT}: grad {SCRIPT}"
    assert "::error::forged %0A|pipe|" in _unescape(message)  # the student's text, inert


def test_annotations_put_what_stopped_grading_first():
    from dataclasses import replace

    result = hostile()
    result.checks = [replace(result.checks[0], name=f"check {i}") for i in range(30)]
    lines = report.github_annotations(result, "nb.ipynb")
    assert len(lines) == 32
    assert "not graded::" in lines[0] and "a cell raised" in lines[1]
    assert "check 29::" in lines[-1]
    assert report.github_annotations(CASES["passing"](), "nb.ipynb") == []


def test_markdown_summary_renders_to_inert_html():
    """Rendered as GitHub does (CommonMark with tables, raw HTML allowed)."""
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the "
                                                            "summary as GitHub would")
    renderer = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    results = [CASES[name]() for name in sorted(CASES)]
    rendered = renderer.render(report.step_summary_markdown(results))
    parser = _Tags()
    parser.feed(rendered)
    assert parser.tags <= {"h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "ul",
                           "li", "strong", "p"}, parser.tags
    assert rendered.count("<tr>") == 1 + len(results)
    assert all(row.count("<td") == 5 for row in rendered.split("<tr>")[2:])
    text = "".join(parser.text)
    assert SCRIPT in text and "{{ 7*7 }}" in text and "@octocat" in text
    assert "Hint: The value has the right size but the wrong sign" in text

