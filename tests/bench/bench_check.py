"""Benchmark: ``grader check`` end to end against bare nbclient execution, same run.

Usage: ``python tests/bench/bench_check.py [--repeats N] [--exercise ID]``

Both sides are timed as a user meets them, from process start to exit, each in a
fresh process with a fresh kernel:

- bare: a script that reads the notebook and executes it once with nbclient;
- grader: ``grader check SUBMISSION --html REPORT`` (visible point, the hidden-point
  re-runs, reference answers, every check, the HTML report).

The two are interleaved so that machine load hits both alike; medians are printed
with the ratio and the target (at most 1.3x).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.3

BARE = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=60).execute()
"""


def _solution_notebook(folder: Path, exercise: str) -> Path:
    import nbformat

    from grader.authoring import render, spec

    from grader import resources

    item = spec.find_spec(exercise, resources.exercises_dir())
    nb = render.render_solution(item, resources.solutions_dir())
    path = folder / f"{exercise}.ipynb"
    nbformat.write(nb, path)
    return path


def _time(cmd: list[str], ok_codes: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--exercise", default="quadratic_derivative")
    parser.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "basic"])
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _solution_notebook(folder, args.exercise)
        bare_script = folder / "bare.py"
        bare_script.write_text(BARE)
        bare_cmd = [sys.executable, str(bare_script), str(path)]
        grader_cmd = [sys.executable, "-m", "grader", "check", str(path),
                      "--html", str(folder / "report.html"), "--sandbox", args.sandbox]
        # One unmeasured round of each warms the OS file cache.
        _time(bare_cmd)
        _time(grader_cmd)
        bare, graded = [], []
        for _ in range(args.repeats):
            bare.append(_time(bare_cmd))
            graded.append(_time(grader_cmd))

    b, g = statistics.median(bare), statistics.median(graded)
    ratio = g / b
    print(f"exercise {args.exercise}, sandbox {args.sandbox}, {args.repeats} runs each, "
          "interleaved, median wall time")
    print(f"{'bare nbclient (one execution)':<42} {b * 1000:8.0f} ms")
    print(f"{'grader check (hidden points + report)':<42} {g * 1000:8.0f} ms")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"{'ratio grader / bare':<42} {ratio:8.2f}x   (target <= {TARGET}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
