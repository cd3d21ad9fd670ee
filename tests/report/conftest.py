"""Golden-file comparison for the report tests (refresh with ``pytest --update-goldens``)."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture
def golden(update_goldens):
    """``golden(name, text)``: assert ``text`` equals goldens/NAME, or rewrite it."""
    def compare(name: str, text: str) -> None:
        path = GOLDENS / name
        if update_goldens:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"{path} is missing: run pytest --update-goldens and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (
            f"{name} differs from its golden file {path}; if the change is intended, run "
            f"pytest --update-goldens and review the diff")

    return compare
