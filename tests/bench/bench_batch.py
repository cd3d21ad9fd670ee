"""Benchmark: `grader batch --jobs 2` against one `grader check` process per student.

Generates a class (70% correct, 20% wrong, 10% raising) from the shipped exercise
notebooks, grades it both ways in the same run and prints wall time, throughput and
the ratio. Not collected by pytest (the file name does not start with ``test_``).

    python tests/bench/bench_batch.py            # 200 submissions
    python tests/bench/bench_batch.py --n 40     # a quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
import classgen  # noqa: E402

SHARES = {"correct": 0.7, "wrong": 0.2, "raising": 0.1}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_batch(folder: Path, out: Path, jobs: int) -> tuple[float, float, dict]:
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                    "--jobs", str(jobs)], check=False, stdout=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    rows = json.loads((out / "gradebook.json").read_text())["rows"]
    counts: dict = {}
    for r in rows:
        key = "passed" if r["passed"] else r["status"] if r["status"] != "graded" else "failed"
        counts[key] = counts.get(key, 0) + 1
    return wall, cpu, counts


_RUN_BATCH = """
import sys
from grader import batch
outcome = batch.run_batch([sys.argv[1]], out=sys.argv[2], jobs=int(sys.argv[3]),
                          ahead=int(sys.argv[4]), progress=open("/dev/null", "w"))
"""


def time_config(folder: Path, out: Path, jobs: int, ahead: int) -> float:
    """Wall time of ``run_batch`` with ``jobs`` workers, ``ahead`` kernels booting each."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _RUN_BATCH, str(folder), str(out), str(jobs),
                    str(ahead)], check=True)
    return time.perf_counter() - t0


def time_checks(paths: list[Path], out: Path) -> tuple[float, float]:
    out.mkdir(parents=True, exist_ok=True)
    cpu0, t0 = _children_cpu(), time.perf_counter()
    for i, path in enumerate(paths):
        subprocess.run([sys.executable, "-m", "grader", "check", str(path),
                        "--html", str(out / f"{i}.html")], check=False,
                       stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions in the class")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--checks", type=int, default=None,
                        help="time one-by-one checks on this many (default: all n)")
    parser.add_argument("--configs", default="",
                        help="also time these JOBS:AHEAD pairs (workers, kernels booting "
                             "ahead per worker), e.g. 2:0,2:1,3:0")
    parser.add_argument("--no-checks", action="store_true",
                        help="skip the one-by-one `grader check` run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp_path = Path(tmp)
        made = classgen.write_class(tmp_path / "class", classgen.mix(args.n, SHARES))
        paths = [tmp_path / "class" / sub_id for sub_id in sorted(made)]
        n_checks = min(args.checks or args.n, args.n)
        print(f"class: {args.n} submissions "
              f"({', '.join(f'{k} {list(made.values()).count(k)}' for k in SHARES)}), "
              f"{len(classgen.gradable_exercises())} exercises, {os.cpu_count()} cores")
        b_wall, _, counts = time_batch(tmp_path / "class", tmp_path / "out", args.jobs)
        # (the workers are children of the fork server, so their CPU is not counted here)
        print(f"grader batch --jobs {args.jobs}: {b_wall:.1f} s wall, "
              f"{args.n / b_wall:.2f} submissions/s  {counts}")
        for pair in filter(None, args.configs.split(",")):
            jobs, ahead = (int(x) for x in pair.split(":"))
            wall = time_config(tmp_path / "class", tmp_path / f"out-{jobs}-{ahead}", jobs, ahead)
            print(f"run_batch jobs={jobs} ahead={ahead}: {wall:.1f} s wall, "
                  f"{args.n / wall:.2f} submissions/s")
        if args.no_checks:
            return 0
        c_wall, c_cpu = time_checks(paths[:n_checks], tmp_path / "checks")
        print(f"grader check one by one ({n_checks}): {c_wall:.1f} s wall, {c_cpu:.1f} s CPU, "
              f"{n_checks / c_wall:.2f} submissions/s")
        ratio = (args.n / b_wall) / (n_checks / c_wall)
        print(f"throughput ratio batch/check: {ratio:.2f}x (target 2.5x); "
              f"check CPU per submission {c_cpu / n_checks:.2f} s; "
              f"200 submissions would take {200 / (args.n / b_wall):.0f} s in batch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
