"""Forty-odd realistic submissions over eight exercises, graded two ways.

Each is graded by ``grader check`` (a sandboxed kernel, the visible and hidden
points) and by the notebook's own check cell (the student's kernel, the visible
point). Both must reach the row's verdict and say what the row says a student needs
(and nothing it must not: no factor where none holds, no point value in a fix, no
"crash" for a timeout); and for the visible point the two must agree check by check,
hint by hint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from grader.authoring.render import render_student
from grader.authoring.spec import find_spec
from grader.cli import main
from grader.inline import RESULT_MIME
from grader.resources import exercises_dir

sys.path.insert(0, str(Path(__file__).parent))
from submissions import SUBMISSIONS, Submission  # noqa: E402

pytestmark = pytest.mark.slow


def test_the_table_is_large_and_varied():
    assert len(SUBMISSIONS) >= 40
    assert len({s.exercise for s in SUBMISSIONS}) >= 6
    assert len({s.id for s in SUBMISSIONS}) == len(SUBMISSIONS)
    assert sum(s.inline for s in SUBMISSIONS) >= 20


def _notebook(sub: Submission):
    nb = render_student(find_spec(sub.exercise, exercises_dir()))
    index = next(i for i, c in enumerate(nb.cells) if c.id == "answer")
    nb.cells[index].source = sub.answer
    for offset, code in enumerate(sub.below, start=1):
        nb.cells.insert(index + offset, v4.new_code_cell(code, id=f"extra{offset}"))
    return nb


def _said(checks: list[dict]) -> str:
    return " ".join(f"{c['message']} {c['hint']}" for c in checks if not c["passed"]).lower()


def _assert_row(sub: Submission, passed: bool, checks: list[dict], where: str) -> None:
    said = _said(checks)
    if sub.verdict == "either" and passed:
        return
    if sub.verdict != "either":
        assert passed == (sub.verdict == "passed"), f"{where}: {sub.id}: {said}"
    for phrase in sub.must:
        assert phrase.lower() in said, f"{where}: {sub.id}: {phrase!r} not in {said!r}"
    for phrase in sub.must_not:
        assert phrase.lower() not in said, f"{where}: {sub.id}: {phrase!r} in {said!r}"


def _grade(sub: Submission, tmp_path: Path) -> dict:
    path = tmp_path / f"{sub.id}.ipynb"
    nbformat.write(_notebook(sub), str(path))
    out = tmp_path / f"{sub.id}.json"
    args = ["check", str(path), "--json", str(out), "--html", str(tmp_path / "r.html"),
            "--seed", "7"]
    if sub.timeout:
        args += ["--timeout", str(sub.timeout)]
    code = main(args)
    report = json.loads(out.read_text())
    assert code == (0 if report["passed"] else 1), report
    return report


@pytest.fixture(scope="module")
def inline_runner():
    """Run notebooks in ONE kernel, as a student would (setup, parameters, answer,
    any extra cells, the check cell), and return the check cell's result JSON."""
    from nbclient import NotebookClient

    holder = v4.new_notebook(cells=[v4.new_code_cell("pass")])
    client = NotebookClient(holder, timeout=60, kernel_name="python3", allow_errors=True)
    with client.setup_kernel():

        def run(nb) -> dict:
            client.nb = nb
            reset = v4.new_code_cell("get_ipython().run_line_magic('reset', '-f')\n"
                                     "import sys; sys.last_value = None\n"
                                     "import grader.tape.provenance; "
                                     "grader.tape.provenance.default_ledger().clear()")
            client.execute_cell(reset, 0)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            check = next(c for c in nb.cells if c.id == "check")
            bundles = [o["data"] for o in check.outputs if o.get("output_type") ==
                       "display_data"]
            assert bundles, f"the check cell displayed nothing: {check.outputs}"
            data = bundles[-1]
            assert "<IPython" not in data["text/plain"] and "points" in data["text/plain"]
            return data[RESULT_MIME]

        yield run


@pytest.mark.parametrize("sub", SUBMISSIONS, ids=lambda s: s.id)
def test_grader_check_and_the_check_cell_agree(sub: Submission, tmp_path, inline_runner):
    report = _grade(sub, tmp_path)
    _assert_row(sub, report["passed"], report["checks"], "grader check")
    if not sub.inline:
        return
    inline = inline_runner(_notebook(sub))
    visible = [c for c in report["checks"] if "hidden point" not in c["name"]]
    # The tape check judges every point; one that fails at a hidden point only (a tape
    # run at a typed-in point) is a verdict the cell, which sees one point, cannot share.
    hidden_only = {c["name"] for c in visible
                   if not c["passed"] and c["message"].startswith("At the hidden point")}
    inline_checks = [c for c in inline["checks"] if c["name"] not in hidden_only]
    visible = [c for c in visible if c["name"] not in hidden_only]
    assert [(c["name"], c["passed"]) for c in inline_checks] == \
        [(c["name"], c["passed"]) for c in visible]
    assert [c["hint"] for c in inline_checks] == [c["hint"] for c in visible]
    if all(c["passed"] for c in visible):
        return
    # The cell sees the visible point only, so it says what holds there.
    _assert_row(Submission(sub.id, sub.exercise, "", verdict="either",
                           must_not=sub.must_not), inline["passed"], inline["checks"],
                "check cell")
