"""A student notebook runs under papermill, and papermill's parameters reach the answer.

DESIGN.md tags the point cell ``parameters``, papermill's convention: ``papermill
student.ipynb out.ipynb -p x0 3.0`` injects ``x0 = 3.0`` in a cell after it. Here the
rendered student notebook, with its answer cell filled in as a student would, is run by
the real papermill command, and the answer it computed must be the derivative at 3.0,
not at the notebook's own 2.0; the feedback cell must judge it there too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import resources
from grader.authoring import render, spec as spec_mod

pytest.importorskip("papermill")

EXERCISE = "quadratic_derivative"  # f(x) = x**2 + 2x - 1, f'(x) = 2x + 2


def _tagged(nb, tag):
    return [i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])]


@pytest.mark.slow
def test_papermill_runs_a_student_notebook_with_injected_parameters(tmp_path):
    spec = spec_mod.find_spec(EXERCISE, resources.exercises_dir())
    nb = render.render_student(spec)
    (answer,) = _tagged(nb, "answer")
    nb.cells[answer].source = render.solution_source(spec, resources.solutions_dir())
    # Print the answer so the output notebook shows the value it computed.
    nb.cells[answer].source += "\nprint('grad =', float(grad))"
    source, out = tmp_path / "student.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    papermill = shutil.which("papermill", path=str(Path(sys.executable).parent))
    command = [papermill] if papermill else [sys.executable, "-m", "papermill"]
    run = subprocess.run([*command, str(source), str(out), "-p", "x0", "3.0", "-k", "python3",
                          "--cwd", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]

    done = nbformat.read(out, as_version=4)
    (params,) = _tagged(done, "parameters")
    (injected,) = _tagged(done, "injected-parameters")
    assert injected == params + 1 and "x0 = 3.0" in done.cells[injected].source
    (answer,) = _tagged(done, "answer")
    printed = "".join(o.get("text", "") for o in done.cells[answer].outputs)
    assert "grad = 8.0" in printed  # 2 * 3.0 + 2; at the notebook's own 2.0 it would be 6.0
    (check,) = _tagged(done, "check")
    panel = "".join(str(o.get("data", {}).get("text/html", "")) for o in done.cells[check].outputs)
    assert "point in the parameters cell" in panel and "bad" not in panel.split("<ul>")[1]
