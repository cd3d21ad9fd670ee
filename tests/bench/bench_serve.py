"""Benchmark: `grader serve` under a class, against `grader check` in the same run.

1. `grader check` on the solution notebook, a few times (median): the baseline.
2. `grader serve --jobs 2` on a free loopback port; one check at a time from one
   browser-like client: click-to-report latency and its ratio to `grader check`.
3. STUDENTS simulated students (own cookies, own CSRF token), each checking, waiting
   for the report, thinking 2-5 s, and checking again, for a bounded SECONDS; a 429
   is waited out as its Retry-After says. Prints p50/p95 latency, checks per second
   and the 429s; then reads every attempt back from the instructor export and the
   database and counts lost attempts (accepted, but without a stored report).

Not collected by pytest (the name does not start with ``test_``).

    python tests/bench/bench_serve.py                      # 50 students, 60 s
    python tests/bench/bench_serve.py --students 10 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

EXERCISE = "quadratic_derivative"
ROOT = Path(__file__).resolve().parents[2]


def _solution() -> str:
    from grader import resources

    return (resources.solutions_dir() / f"{EXERCISE}.py").read_text(encoding="utf-8")


def _grader_check(folder: Path, runs: int) -> float:
    from grader.serve.course import Course
    from grader import resources

    path = folder / "solution.ipynb"
    path.write_bytes(Course(resources.exercises_dir()).notebook_bytes(EXERCISE, _solution()))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "check", str(path), "--html",
                        str(folder / "r.html")], capture_output=True, check=False, timeout=120)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Student:
    def __init__(self, base: str, index: int):
        import httpx

        self.client = httpx.AsyncClient(base_url=base, timeout=180.0)
        self.index = index
        self.accepted: list[int] = []
        self.latencies: list[float] = []
        self.refused = 0
        self.errors = 0

    async def check(self, code: str) -> float | None:
        if "csrf_token" not in self.client.cookies:
            await self.client.get("/healthz")
        started = time.perf_counter()
        response = await self.client.post(f"/api/exercises/{EXERCISE}/check",
                                          json={"code": code},
                                          headers={"X-CSRF-Token": self.client.cookies["csrf_token"]})
        elapsed = time.perf_counter() - started
        if response.status_code == 200:
            self.accepted.append(response.json()["attempt_id"])
            self.latencies.append(elapsed)
            return None
        if response.status_code == 429:
            self.refused += 1
            return float(response.headers.get("Retry-After", "1"))
        self.errors += 1
        return 1.0

    async def run(self, until: float, codes: list[str]) -> None:
        rng = random.Random(self.index)
        await asyncio.sleep(rng.uniform(0, 3))  # students do not all start at once
        while time.monotonic() < until:
            wait = await self.check(rng.choice(codes))
            await asyncio.sleep(wait if wait is not None else rng.uniform(2, 5))


async def _load(base: str, students: int, seconds: float) -> list[Student]:
    codes = [_solution(), "grad = 6.0\n", "x = tf.Variable(x0)\ngrad = 2 * x + 2\n"]
    crowd = [Student(base, i) for i in range(students)]
    until = time.monotonic() + seconds
    # Bounded: a check still open after SECONDS + 120 s is abandoned (and so reported).
    await asyncio.wait_for(asyncio.gather(*(s.run(until, codes) for s in crowd)),
                           timeout=seconds + 120)
    for s in crowd:
        await s.client.aclose()
    return crowd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--single", type=int, default=5, help="one-at-a-time checks")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        folder = Path(tmp)
        check_s = _grader_check(folder, runs=3)
        db = folder / "serve.sqlite3"
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port", str(port),
                                 "--jobs", str(args.jobs), "--db", str(db), "--queue", "200"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            token = None
            while token is None:
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit("grader serve did not start")
                found = re.search(r"instructor\?token=(\S+)", line)
                token = found.group(1) if found else None
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)

            async def singles() -> list[float]:
                one = Student(base, 0)
                await one.check(_solution())  # warm-up: the workers' first kernels
                await asyncio.sleep(2.0)
                times = []
                for _ in range(args.single):
                    await one.check(_solution())
                    times.append(one.latencies[-1])
                    await asyncio.sleep(1.5)  # the next kernel boots ahead meanwhile
                await one.client.aclose()
                return times

            single = asyncio.run(singles())
            started = time.monotonic()
            crowd = asyncio.run(_load(base, args.students, args.seconds))
            wall = time.monotonic() - started
            request = urllib.request.Request(base + "/api/gradebook",
                                             headers={"Authorization": f"Bearer {token}"})
            gradebook = json.loads(urllib.request.urlopen(request, timeout=30).read())
        finally:
            proc.terminate()
            proc.wait(60)
            proc.stdout.close()

        accepted = [a for s in crowd for a in s.accepted]
        with sqlite3.connect(db) as con:
            stored = {row[0] for row in con.execute(
                "SELECT id FROM attempts WHERE report_json IS NOT NULL")}
        lost = [a for a in accepted if a not in stored]
        latencies = [t for s in crowd for t in s.latencies]

    single_s = statistics.median(single)
    print(f"grader check (solution, median of 3):     {check_s:6.2f} s")
    print(f"serve, one check at a time (median of {args.single}): {single_s:6.2f} s   "
          f"ratio to grader check {single_s / check_s:4.2f}x (target <= 1.5x)")
    print(f"serve under load: {args.students} students, {args.seconds:g} s of checking, "
          f"{args.jobs} graders, {wall:.0f} s wall")
    print(f"  checks graded        {len(latencies):6d}   ({len(latencies) / wall:.2f}/s, "
          f"target >= 2/s)")
    print(f"  latency p50 / p95    {_pct(latencies, 0.5):6.2f} s / {_pct(latencies, 0.95):.2f} s")
    print(f"  answered 429         {sum(s.refused for s in crowd):6d}   (waited out, then checked again)")
    print(f"  other errors         {sum(s.errors for s in crowd):6d}")
    print(f"  gradebook rows       {len(gradebook['rows']):6d}   (one per student who checked)")
    print(f"  lost attempts        {len(lost):6d}   (accepted without a stored report)")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
