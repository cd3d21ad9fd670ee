"""The benchmark script runs, on the engine alone, and its answers are right.

Timing is not asserted (CI machines vary); the script itself checks every workload's
result against the hand-written numpy gradient and exits 1 on a wrong answer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_engine.py"


def test_benchmark_quick_run_on_engine_only():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--frameworks", "engine"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    for workload in ("W1", "W2", "W3", "W4", "W5", "W6", "W5M", "W7"):
        assert workload in rows, f"no row for {workload}:\n{proc.stdout}"
        assert "WRONG" not in rows[workload] and "ERROR" not in rows[workload], rows[workload]
        assert rows[workload].split()[2] in ("us", "ms", "s"), rows[workload]  # a time
    assert rows["work"].split()[1:3] == ["engine", "target"], rows["work"]  # no rivals
    assert "grader.tape" in rows["import:"], proc.stdout
    assert "x engine W4" in rows["W7"] and "x engine W5" in rows["W5M"], proc.stdout  # same-run ratios


def test_benchmark_rejects_an_unknown_workload():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--only", "W9"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown workload 'W9'" in proc.stderr


def test_benchmark_flags_a_wrong_answer():
    """A fast wrong answer must show as WRONG, never as a time."""
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("bench_engine", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = bench.make_data(np)
    reference = bench.numpy_workloads(np, data)
    assert bench.verify(np, reference["W6"], reference["W6"]()) == "ok"
    assert bench.verify(np, lambda: 6.001 * 1.01, reference["W1"]()) == "WRONG"
    wrong_w6 = [g * 1.01 for g in reference["W6"]()]
    assert bench.verify(np, lambda: wrong_w6, reference["W6"]()) == "WRONG"
    assert bench.verify(np, lambda: [1.0], reference["W3"]()) == "WRONG"
    assert bench.verify(np, lambda: 1 / 0, 1.0).startswith("ERROR(ZeroDivisionError")
