"""Fixtures for the exercise tests: the shipped course folders and a spec-file writer."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"

# A small valid spec that the bad-input tests break one key at a time.
BASE_SPEC = '''\
id = "{id}"
title = "Derivative of a quadratic"
kind = "gradient"
dtype = "float32"
function = "{function}"
statement = "Compute the derivative."
starter = "grad = ..."

[[variables]]
name = "x"
point = {point}

[[answers]]
name = "grad"
of = "x"

[expected]
grad = {expected}

[hidden]
count = 2
range = [-5.0, 5.0]
'''


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a spec (BASE_SPEC with replacements, or full text) into tmp_path/exercises."""
    folder = tmp_path / "exercises"
    folder.mkdir(exist_ok=True)

    def write(text: str | None = None, *, exercise_id: str = "sample", replace=(),
              **fields: str) -> Path:
        if text is None:
            values = {"id": exercise_id, "function": "x**2 + 2*x - 1", "point": "2.0",
                      "expected": "6.0", **fields}
            text = BASE_SPEC.format(**values)
        for old, new in replace:
            assert old in text, f"test setup: {old!r} not in the spec"
            text = text.replace(old, new)
        path = folder / f"{exercise_id}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
