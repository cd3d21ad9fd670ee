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


@pytest.fixture(scope="session")
def notebook_runner():
    """Run notebooks top to bottom in ONE shared kernel (starting kernels is the slow part).

    Returns ``run(nb) -> nb`` with outputs filled in; errors are kept as outputs
    (``allow_errors``) so a test can say which cell failed. The namespace is reset
    before each notebook, so notebooks do not see each other's names.
    """
    from nbclient import NotebookClient
    from nbformat import v4

    holder = v4.new_notebook(cells=[v4.new_code_cell("pass")])
    client = NotebookClient(holder, timeout=120, kernel_name="python3", allow_errors=True)
    with client.setup_kernel():

        def run(nb):
            client.nb = nb
            reset = v4.new_code_cell("get_ipython().run_line_magic('reset', '-f')")
            client.execute_cell(reset, 0)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            return nb

        yield run
