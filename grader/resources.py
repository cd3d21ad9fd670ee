"""Where the shipped course and templates are, in a source checkout and in a wheel.

The repository keeps ``exercises/``, ``solutions/`` and ``templates/`` at its top for
instructors; the wheel carries copies under ``grader/_data/``. Every module asks here
instead of guessing paths, so both layouts work the same.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    """The jinja2 templates: notebook cells, the HTML report, the CI summary."""
    return _data_dir("templates")


def exercises_dir() -> Path:
    """The shipped exercise specs, one TOML file per exercise."""
    return _data_dir("exercises")


def solutions_dir() -> Path:
    """The reference solutions, one ``ID.py`` per exercise."""
    return _data_dir("solutions")


def is_installed(path: Path) -> bool:
    """True for a folder inside the installed package (a wheel's ``_data``): the
    shipped course, which ``grader new`` must never write into."""
    path = Path(path).resolve()
    return path == _PACKAGE or _PACKAGE in path.parents
