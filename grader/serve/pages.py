"""The server's HTML pages: jinja2 templates in ``templates/serve/``, autoescaped.

Only two kinds of markup reach a page unescaped, both made here on the server from
trusted sources: the exercise statement (the course's Markdown, raw HTML in it
escaped, see ``course.markdown_html``) and the instructor gradebook fragment the
dashboard's script swaps in (this same environment's output). The graded report is
the report package's own page, shown in a sandboxed frame from ``/attempts/ID/report``.
"""

from __future__ import annotations

import functools
import time
from typing import Any

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}


@functools.lru_cache(maxsize=None)
def environment() -> Any:
    import jinja2

    from grader.delivery.report.text import format_points
    from grader.resources import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir() / "serve")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(points=format_points, when=_when)
    return env


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) if seconds else ""


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def static_file(name: str) -> tuple[bytes, str] | None:
    """A shipped asset (CSS, the editor script) by name; None for anything else."""
    from grader.resources import templates_dir

    folder = (templates_dir() / "serve" / "static").resolve()
    path = (folder / name).resolve()
    if path.parent != folder or path.suffix not in STATIC_TYPES or not path.is_file():
        return None
    return path.read_bytes(), STATIC_TYPES[path.suffix]
