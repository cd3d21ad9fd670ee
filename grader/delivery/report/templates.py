"""The jinja2 environments the reports are rendered with: HTML and Markdown.

HTML autoescapes every value. Markdown has no autoescape of its own, so its
environment escapes every ``{{ ... }}`` through ``finalize``: a template cannot forget
to escape, and a value from a notebook can never become markup.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

from grader.delivery.report.text import clean, format_points, format_value, one_line

_BACKTICKS = re.compile(r"`([^`\n]{1,200})`")
# Characters with meaning in GitHub-flavoured Markdown inside a line (table pipes,
# emphasis, links, code spans, strikethrough, headings, HTML); escaped with a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~!])")


def markdown_escape(value: Any) -> str:
    """Text shown literally by GitHub's Markdown, on one line, with HTML neutralised."""
    if value is None:
        return ""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))
    # '&' first, then the brackets: no entity survives as markup, none is made twice.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # '@name' would notify a GitHub user; ':' after http would autolink.
    return text.replace("@", "&#64;").replace("://", "&#58;//")


def code_spans(text: Any) -> Any:
    """Escaped text in which `backticked` words become <code> (as the hints write them)."""
    from markupsafe import Markup

    escaped = html.escape(clean(text), quote=True)
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", escaped))


@functools.lru_cache(maxsize=None)
def environment(kind: str) -> Any:
    """The shared environment for ``kind`` "html" or "markdown" (templates/report/)."""
    import jinja2

    from grader.resources import templates_dir

    options: dict[str, Any] = dict(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "report")),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    if kind == "html":
        env = jinja2.Environment(autoescape=True, **options)
    elif kind == "markdown":
        env = jinja2.Environment(autoescape=False, finalize=markdown_escape, **options)
    else:
        raise ValueError(f"unknown report template kind {kind!r}: use 'html' or 'markdown'")
    env.filters.update(value=format_value, points=format_points, code_spans=code_spans,
                       one_line=one_line)
    return env
