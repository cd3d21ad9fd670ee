"""Writing report files so that a reader never sees half of one.

Each file is written beside its destination under a temporary name and renamed over
it: a crash, a kill or a full disk leaves the previous report or none, never a torn
file that a gradebook or a browser would take for the real thing.
"""

from __future__ import annotations

import json as jsonlib
import os
import secrets
from pathlib import Path
from typing import Any

from grader.results import GradeResult


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` by temp file and rename; creates parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # os.open's mode goes through the umask, as an ordinary file's would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_reports(result: GradeResult, *, html: str | Path | None = None, json: str | Path | None = None,
                  junit: str | Path | None = None,
                  gradescope: str | Path | None = None) -> list[Path]:
    """Write each report whose path is given; returns the paths written, in that order."""
    from grader.delivery.report.machine import gradescope_json, json_report, junit_xml
    from grader.delivery.report.page import render_html

    def dump(data: Any) -> str:
        return jsonlib.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    makers: list[tuple[Any, Any]] = [
        (html, lambda: render_html(result)),
        (json, lambda: dump(json_report(result))),
        (junit, lambda: junit_xml([result])),
        (gradescope, lambda: dump(gradescope_json(result))),
    ]
    return [atomic_write(Path(path), make()) for path, make in makers if path is not None]
