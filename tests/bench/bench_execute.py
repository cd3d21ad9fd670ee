"""Benchmark: grader.grading.execute against bare nbclient on the same small notebook.

Not collected by pytest (the file name does not start with ``test_``). Run:

    /work/venv/bin/python tests/bench/bench_execute.py [--runs N]

Prints the median wall time of N fresh-kernel executions of a three-cell notebook
(setup, parameters, answer) with bare nbclient (``NotebookClient(nb).execute()``, the
way a minimal script would), then ``run_submission`` with 0 and 3 hidden-point reruns,
then ``start_kernel`` with simulated grader work (loading the spec, computing the
references) overlapping the kernel's start, and each ratio to bare nbclient. Runs
alternate between the variants so machine load drifts affect all of them alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402


def _tape_available() -> bool:
    try:
        import grader.tape as tf

        return hasattr(tf, "GradientTape")
    except ImportError:
        return False


def notebook():
    if _tape_available():
        setup, answer = "import grader.tape as tf", (
            "x = tf.Variable(x0)\n"
            "with tf.GradientTape() as tape:\n"
            "    y = x**2 + 2*x\n"
            "grad = tape.gradient(y, x)")
    else:  # before the engine lands: the same shape of notebook with numpy
        setup, answer = "import numpy as np", "grad = np.float32(2*x0 + 2)"
    cells = [new_code_cell(setup), new_code_cell("x0 = 3.0"), new_code_cell(answer)]
    for cell, tag in zip(cells, ("setup", "parameters", "answer")):
        cell.metadata["tags"] = [tag]
    return new_notebook(cells=cells)


def bare(nb) -> float:
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    return time.perf_counter() - start


def graded(nb, n_reruns: int) -> float:
    from grader.grading.execute import Rerun, run_submission

    reruns = [Rerun(f"hidden point {i + 1}", {"x0": 0.5 + i}, f"x0 = {0.5 + i}")
              for i in range(n_reruns)]
    start = time.perf_counter()
    ex = run_submission(nb, answers=["grad"], visible_point={"x0": 3.0}, reruns=reruns)
    elapsed = time.perf_counter() - start
    assert ex.fatal is None and len(ex.runs) == 1 + n_reruns, ex
    assert all(r.answers["grad"].status == "ok" for r in ex.runs), ex
    return elapsed


def early_start(nb, n_reruns: int, work_s: float) -> float:
    """start_kernel first, then ``work_s`` of grader work, then run."""
    from grader.grading.execute import Rerun, start_kernel

    reruns = [Rerun(f"hidden point {i + 1}", {"x0": 0.5 + i}, f"x0 = {0.5 + i}")
              for i in range(n_reruns)]
    start = time.perf_counter()
    handle = start_kernel(nb)
    busy_until = time.perf_counter() + work_s
    while time.perf_counter() < busy_until:  # CPU-bound, like the reference computation
        sum(i * i for i in range(1000))
    ex = handle.run(answers=["grad"], visible_point={"x0": 3.0}, reruns=reruns)
    assert ex.fatal is None, ex
    return time.perf_counter() - start


def sequential(nb, n_reruns: int, work_s: float) -> float:
    start = time.perf_counter()
    busy_until = time.perf_counter() + work_s
    while time.perf_counter() < busy_until:
        sum(i * i for i in range(1000))
    graded(nb, n_reruns)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=float, default=0.15,
                        help="seconds of simulated grader work for the early-start rows")
    args = parser.parse_args()
    nb = notebook()
    import nbclient  # noqa: F401  (import cost is not what is compared here)
    import grader.grading.execute  # noqa: F401

    variants = {
        "bare nbclient (3 cells, fresh kernel)": lambda: bare(nb),
        "run_submission, 0 reruns": lambda: graded(nb, 0),
        "run_submission, 3 reruns": lambda: graded(nb, 3),
        f"work {args.work:g} s then run_submission, 3 reruns": lambda: sequential(nb, 3, args.work),
        f"start_kernel, work {args.work:g} s, run, 3 reruns": lambda: early_start(nb, 3, args.work),
    }
    for fn in variants.values():  # warm the page cache and bytecode caches
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, fn in variants.items():
            times[name].append(fn())
    base = statistics.median(times["bare nbclient (3 cells, fresh kernel)"])
    print(f"engine: {'grader.tape' if _tape_available() else 'numpy stand-in'}; "
          f"median of {args.runs} runs each")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:<52} {med * 1000:7.0f} ms   x{med / base:.2f}   "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")


if __name__ == "__main__":
    main()
