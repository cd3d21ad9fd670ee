"""Grade a whole class: find the submissions, slice them into shards, grade them in
parallel worker processes, and keep a gradebook that survives interruptions.

The flow of ``run_batch``:

1. ``discover``: each PATH is a notebook, a folder (searched recursively, hidden folders
   such as ``.ipynb_checkpoints`` skipped) or a glob. A submission's id is its path under
   the folder or glob root it was found in (``alice/hw1.ipynb``); the id names its
   reports and its gradebook row, and decides its shard.
2. ``--shard K/N``: a submission belongs to shard ``sha256(id) mod N + 1``. The slice of
   one submission never depends on the others, so every machine of a matrix computes
   the same slices, and a student added later does not move anyone else.
3. Resume: each finished submission has ``reports/ID.json`` holding the hashes it was
   graded with (the notebook's bytes, the exercise spec, the seed). Where they still
   match, the submission is not graded again (``force=True`` regrades).
4. Workers: ``jobs`` processes, started once from a fork server that has imported the
   grader, nbclient and numpy, so the grader's own start is paid once per batch, not
   once per student. Each worker grades one submission at a time, each in its own new
   kernel, and writes the HTML report and then the JSON report (the JSON is the
   "finished" mark, written last and atomically). Kernel start is most of the cost of
   a submission, so while a worker grades one submission, the kernel of its next one
   is already booting (``KERNELS_AHEAD``): opened with ``grade.open_submission``,
   started with ``execute.start_kernel``, graded by ``grade.grade_parsed``. A kernel
   still serves exactly one submission; a notebook that cannot be opened gets none.
5. The gradebook (``gradebook.csv``, ``gradebook.json``) is rewritten atomically after
   every finished submission, so Ctrl-C, SIGTERM or a lost machine leave a consistent
   gradebook of what finished; ``complete`` in the JSON says whether the run ended.

A submission cannot stop the batch: one that cannot be graded gets a row and a report
saying why; a worker that dies or overruns its time is replaced, its submission
recorded as failed-to-grade or timed-out, the kernels it had started killed and their
folders deleted, and the submissions lined up behind it given to its replacement.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import queue
import signal
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TextIO

from grader.delivery import gradebook
from grader.errors import EXIT_FAILED, EXIT_PASSED, EXIT_UNGRADABLE, GraderError, UsageError

# The shard number a CI matrix passes in for ``--shard auto/N`` (1-based, like K in
# ``--shard K/N``). Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX (0-based) instead.
SHARD_ENV = "TAPEGRADER_SHARD"
K8S_INDEX_ENV = "JOB_COMPLETION_INDEX"

REPORTS_DIR = "reports"
# Kernels each worker keeps booting for its next submissions while it grades one.
# Measured on 2 cores (tests/bench/bench_batch.py, README "Grading a class").
KERNELS_AHEAD = 1
# A worker gets this long beyond the submission's own time limit before it is killed.
_WORKER_GRACE_S = 30.0
# Modules the fork server imports once, so every worker starts with them loaded.
_PRELOAD = ["grader.batch", "grader.grading.grade", "grader.grading.execute", "grader.grading.check",
            "grader.grading.reference", "grader.authoring.render", "grader.delivery.report", "grader.authoring.spec",
            "nbclient", "nbformat", "jupyter_client.manager", "numpy"]


# ------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Submission:
    path: Path
    id: str  # POSIX path under its root, e.g. "alice/hw1.ipynb"

    @property
    def student(self) -> str:
        """The first folder of the id (one folder per student), else the file's stem."""
        parts = self.id.split("/")
        return parts[0] if len(parts) > 1 else Path(parts[0]).stem

    @property
    def stem(self) -> str:
        return self.id[: -len(".ipynb")] if self.id.endswith(".ipynb") else self.id


def _hidden(parts: Sequence[str]) -> bool:
    return any(p.startswith(".") and p not in (".", "..") for p in parts)


def _inside(path: Path, folders: Sequence[Path]) -> bool:
    return any(path.resolve().is_relative_to(folder) for folder in folders)


def _glob_root(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = parts[: next(i for i, p in enumerate(parts) if glob.has_magic(p))]
    return Path(*fixed) if fixed else Path(".")


def _found_in(text: str, exclude: Sequence[Path]) -> tuple[Path, list[Path]]:
    """(root, files) for one PATH argument."""
    path = Path(text)
    if glob.has_magic(text):
        root = _glob_root(text)
        files = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
        files = [p for p in files if p.is_file() and p.suffix == ".ipynb"
                 and not _hidden(p.relative_to(root).parts) and not _inside(p, exclude)]
        if not files:
            raise UsageError("the pattern matches no notebook", path=text,
                             fix="quote the pattern and check it, e.g. 'class/**/*.ipynb'")
        return root, files
    if path.is_dir():
        files = []
        for p in sorted(path.rglob("*.ipynb")):
            rel = p.relative_to(path).parts
            if p.is_file() and not _hidden(rel) and not _inside(p, exclude):
                files.append(p)
        return path, files
    if path.is_file():
        return path.parent, [path]
    raise UsageError("no such file or folder", path=text,
                     fix="give notebooks, folders of notebooks or a quoted glob")


def discover(paths: Sequence[str | Path], *, exclude: Sequence[Path] = ()) -> list[Submission]:
    """Every submission under ``paths``, sorted by id; the same file twice counts once."""
    exclude = [Path(x).resolve() for x in exclude]
    by_id: dict[str, Submission] = {}
    seen: set[Path] = set()
    for text in paths:
        root, files = _found_in(str(text), exclude)
        for file in files:
            real = file.resolve()
            if real in seen:
                continue
            seen.add(real)
            sub_id = file.relative_to(root).as_posix()
            if sub_id in by_id:
                raise UsageError(
                    f"two submissions would both be called {sub_id!r}: "
                    f"{by_id[sub_id].path} and {file}",
                    fix="grade one parent folder that holds both (ids are paths under it)")
            by_id[sub_id] = Submission(path=file, id=sub_id)
    return [by_id[k] for k in sorted(by_id)]


# --------------------------------------------------------------------------- shards


def shard_of(submission_id: str, count: int) -> int:
    """The shard (1..count) that grades ``submission_id``: stable across machines."""
    digest = hashlib.sha256(submission_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``"K/N"`` or ``"auto/N"`` -> (K, N) with 1 <= K <= N.

    ``auto`` takes K from ``$TAPEGRADER_SHARD`` (1-based: pass a matrix value in) or
    else ``$JOB_COMPLETION_INDEX`` (0-based, Kubernetes Indexed Jobs).
    """
    environ = os.environ if environ is None else environ
    fix = "write --shard K/N with 1 <= K <= N, e.g. --shard 2/4, or --shard auto/4"
    head, sep, tail = text.partition("/")
    if not sep or not tail.strip().isdigit() or int(tail) < 1:
        raise UsageError(f"--shard {text!r} is not K/N", fix=fix)
    count = int(tail)
    if head.strip() == "auto":
        if environ.get(SHARD_ENV, "").strip():
            raw, base, name = environ[SHARD_ENV].strip(), 1, SHARD_ENV
        elif environ.get(K8S_INDEX_ENV, "").strip():
            raw, base, name = environ[K8S_INDEX_ENV].strip(), 0, K8S_INDEX_ENV
        else:
            raise UsageError(
                f"--shard auto/{count} needs ${SHARD_ENV} (1..{count}) or "
                f"${K8S_INDEX_ENV} (0..{count - 1}) in the environment",
                fix=f"in a GitHub matrix: env: {SHARD_ENV}: ${{{{ matrix.shard }}}}")
        if not raw.isdigit():
            raise UsageError(f"${name} is {raw!r}, not a whole number", fix=fix)
        index = int(raw) + 1 - base
        if not 1 <= index <= count:
            raise UsageError(f"${name}={raw} is outside shards 1..{count}", fix=fix)
        return index, count
    if not head.strip().isdigit() or not 1 <= int(head) <= count:
        raise UsageError(f"--shard {text!r}: K must be a number from 1 to {count}", fix=fix)
    return int(head), count


def select_shard(submissions: Sequence[Submission], shard: tuple[int, int] | None) -> list[Submission]:
    if shard is None:
        return list(submissions)
    index, count = shard
    return [s for s in submissions if shard_of(s.id, count) == index]


# ---------------------------------------------------------------------------- resume


def _exercise_in(data: bytes) -> str:
    """metadata.grader.exercise of a notebook, or "" (the grader reports why later)."""
    try:
        meta = json.loads(data.decode("utf-8-sig")).get("metadata", {}).get("grader", {})
        exercise = meta.get("exercise") if isinstance(meta, dict) else None
    except (ValueError, AttributeError):
        return ""
    return exercise if isinstance(exercise, str) else ""


class _SpecHashes:
    """sha256 of each exercise's spec file, looked up once per exercise."""

    def __init__(self, exercises_dir: Path | None):
        self.dir = exercises_dir
        self.cache: dict[str, str] = {}

    def __call__(self, exercise: str) -> str:
        if exercise not in self.cache:
            from grader import resources
            from grader.authoring import spec

            try:
                found = spec.find_spec(exercise, self.dir or resources.exercises_dir())
                self.cache[exercise] = found.sha256
            except GraderError:
                self.cache[exercise] = ""  # grading reports the unknown exercise
        return self.cache[exercise]


def grading_key(path: Path, *, exercise: str | None, spec_hash: Callable[[str], str],
                seed: int | None) -> dict[str, Any]:
    """What a finished report must have been graded from for a resume to keep it."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    exercise_id = exercise or _exercise_in(data)
    return {"content_sha256": hashlib.sha256(data).hexdigest(), "exercise": exercise_id,
            "spec_sha256": spec_hash(exercise_id) if exercise_id else "", "seed": seed}


def _finished_report(path: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("batch") == key else None


# ------------------------------------------------------------------- grading one


@dataclass(frozen=True)
class _Task:
    seq: int
    path: str
    id: str
    student: str
    html: str
    json: str
    report_rel: str
    key: dict[str, Any]


@dataclass(frozen=True)
class _Options:
    exercise: str | None
    exercises_dir: str | None
    seed: int | None
    cell_timeout: float
    total_timeout: float
    sandbox: str = "auto"


def _row(task: _Task, report: Mapping[str, Any]) -> gradebook.Row:
    errors = report.get("errors") or []
    return gradebook.Row(
        student=task.student, submission=task.id, exercise=str(report.get("exercise") or ""),
        score=float(report.get("score") or 0.0), max_score=float(report.get("max_score") or 0.0),
        status=str(report.get("status") or "graded"), passed=bool(report.get("passed")),
        duration_s=float(report.get("duration_s") or 0.0), report=task.report_rel,
        error=str(errors[0]).splitlines()[0][:300] if errors else "")


def _write_reports(task: _Task, result: Any) -> dict[str, Any]:
    """HTML first, then the JSON report with the grading key: the JSON marks it finished."""
    from grader.delivery import report
    from grader.delivery.report.files import atomic_write
    from grader.delivery.report.machine import json_report

    report.write_reports(result, html=task.html)
    data = dict(json_report(result), batch=task.key)
    atomic_write(Path(task.json), json.dumps(data, indent=2, ensure_ascii=False,
                                             allow_nan=False) + "\n")
    return data


def _not_graded(task: _Task, message: str, status: str = "failed-to-grade",
                duration_s: float = 0.0) -> dict[str, Any]:
    from grader.grading.grade import failed_to_grade

    result = failed_to_grade(task.id, message, exercise=task.key.get("exercise") or "",
                             duration_s=duration_s, status=status)
    return _write_reports(task, result)


def grade_task(task: _Task, options: _Options, grade: Callable[..., Any]) -> dict[str, Any]:
    """Grade one submission with ``grade`` (``grade_notebook``'s signature) and write its
    reports; never raises for the submission."""
    return _graded(task, lambda: grade(
        Path(task.path), exercise=options.exercise,
        exercises_dir=Path(options.exercises_dir) if options.exercises_dir else None,
        seed=options.seed, cell_timeout=options.cell_timeout,
        total_timeout=options.total_timeout, sandbox=options.sandbox))


def _graded(task: _Task, produce: Callable[[], Any]) -> dict[str, Any]:
    """Write the reports of the ``GradeResult`` that ``produce`` returns; a row whatever
    happens (only an unusable out folder stops the batch)."""
    started = time.perf_counter()
    try:
        result = produce()
    except GraderError as err:  # the instructor's side (a broken spec): say so in the row
        return _not_graded(task, str(err), duration_s=time.perf_counter() - started)
    except Exception as err:  # a grader bug must cost one row, not the batch
        return _not_graded(task, f"the grader failed on this submission: "
                                 f"{type(err).__name__}: {err}",
                           duration_s=time.perf_counter() - started)
    result.submission = task.id
    try:
        return _write_reports(task, result)
    except OSError:
        raise  # the out folder itself is unusable: the batch must stop and say so
    except Exception as err:  # a report that cannot be rendered still leaves a row
        return _not_graded(task, f"the report could not be written: {type(err).__name__}: "
                                 f"{err}", duration_s=time.perf_counter() - started)


# ----------------------------------------------------------------- kernels ahead


@dataclass
class _Lined:
    """A submission in a worker's line: opened, and its own kernel already booting.

    Kernel start is most of a submission's cost (measured: README), so a worker starts the
    kernel of its next submission before grading the current one. The kernel still
    serves this one submission only; a notebook that cannot be opened gets none.
    """

    task: _Task
    opened: tuple[Any, bytes, str] | None = None  # open_submission's (nb, data, exercise)
    error: str = ""  # why it could not be opened
    kernel: Any = None  # execute.KernelHandle

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()  # idempotent: a no-op once grading has torn it down


def _line_up(task: _Task, options: _Options, results: Any) -> _Lined:
    """Open ``task``'s notebook and start its kernel; tell the batch process the kernel's
    process group and folder, so it can clean up if this worker dies."""
    from grader.grading.execute import start_kernel
    from grader.grading.grade import open_submission

    lined = _Lined(task)
    try:
        lined.opened = open_submission(Path(task.path), options.exercise)
    except GraderError as err:
        lined.error = str(err)
        return lined
    except Exception as err:  # a grader bug: reported when its turn comes
        lined.error = f"the grader failed on this submission: {type(err).__name__}: {err}"
        return lined
    if not task.key.get("spec_sha256"):
        return lined  # unknown exercise or broken spec: grade_parsed says so, no kernel
    try:
        lined.kernel = start_kernel(lined.opened[0], total_timeout=options.total_timeout,
                                    submission_name=Path(task.path).name,
                                    sandbox=options.sandbox)
    except Exception:  # no folder for it, say: grade_parsed tries again and reports why
        return lined
    results.put(("kernel", os.getpid(), task.seq, lined.kernel.pgid,
                 str(lined.kernel.folders.root)))
    return lined


def _grade_lined(lined: _Lined, options: _Options) -> dict[str, Any]:
    """Grade a lined-up submission in the kernel started for it."""
    from grader.grading.grade import failed_to_grade, grade_parsed

    name = Path(lined.task.path).name

    def produce() -> Any:
        if lined.opened is None:
            return failed_to_grade(name, lined.error, exercise=options.exercise or "")
        nb, data, exercise_id = lined.opened
        return grade_parsed(
            nb, data, exercise_id, submission=name,
            exercises_dir=Path(options.exercises_dir) if options.exercises_dir else None,
            seed=options.seed, cell_timeout=options.cell_timeout,
            total_timeout=options.total_timeout, kernel=lined.kernel, sandbox=options.sandbox)

    return _graded(lined.task, produce)


def _sweep_kernels(kernels: Mapping[int, tuple[int | None, str]]) -> None:
    """Kill the kernels a dead worker left (their folder still exists) and delete them."""
    from grader.grading.sandbox import PrivateFolders, kill_sandbox

    for pgid, root in kernels.values():
        folder = Path(root)
        if not folder.exists():
            continue  # closed by the worker
        kill_sandbox(pgid, folder=folder)
        PrivateFolders(root=folder, work=folder / "work", tmp=folder / "tmp",
                       runtime=folder / "runtime").remove()


# --------------------------------------------------------------------------- workers

# What the batch process sends a worker that asks for one more task when none is left.
_DRAINED = "drained"


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _worker_main(tasks: Any, results: Any, options: _Options, grade: Callable[..., Any] | None,
                 ahead: int) -> None:
    """One worker: grade the tasks sent to it in order, until told to stop.

    With the built-in grader (``grade`` None) the worker keeps ``ahead`` submissions
    lined up behind the one it grades, their kernels booting meanwhile. The batch
    process answers every finished task with one message (a task or ``_DRAINED``), so
    the worker's line is refilled before it grades the next one.

    Ctrl-C reaches the batch process, which stops the workers with SIGTERM; that
    unwinds the grading in progress and closes every kernel in the line.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    line: deque[_Lined] = deque()
    drained = False
    try:
        while True:
            while not line or (not drained and len(line) <= ahead):
                # EOFError here when the batch process is gone (its end of the pipe closed).
                message = tasks.recv()
                if message is None:
                    return
                if isinstance(message, str):  # _DRAINED
                    drained = True
                    continue
                line.append(_line_up(message, options, results) if grade is None
                            else _Lined(message))
            lined = line[0]
            if grade is None:
                report = _grade_lined(lined, options)
            else:
                report = grade_task(lined.task, options, grade)
            line.popleft().close()
            results.put(("done", lined.task.seq, asdict(_row(lined.task, report))))
    except (KeyboardInterrupt, EOFError, OSError):
        return
    finally:
        for lined in line:
            lined.close()


@dataclass
class _Worker:
    process: Any
    conn: Any
    tasks: list[_Task] = field(default_factory=list)  # sent to it, in the order it grades
    since: float = 0.0  # when it began grading tasks[0]
    drained: bool = False  # told that no task is left
    kernels: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # seq -> kernel

    @property
    def task(self) -> _Task | None:
        """The task it is grading now."""
        return self.tasks[0] if self.tasks else None


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class _Pool:
    """``jobs`` worker processes; each is sent ``1 + ahead`` tasks, then one more per task
    it finishes, by the batch process (which so knows what every worker holds)."""

    def __init__(self, jobs: int, options: _Options, grade: Callable[..., Any] | None,
                 ahead: int):
        self.ctx = _context()
        self.options = options
        self.grade = grade
        self.ahead = ahead if grade is None else 0
        self.results = self.ctx.Queue()
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self) -> _Worker:
        receive, send = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(target=_worker_main, name="tapegrader-worker", daemon=True,
                                   args=(receive, self.results, self.options, self.grade,
                                         self.ahead))
        process.start()
        receive.close()
        return _Worker(process=process, conn=send)

    def fill(self, worker: _Worker, pending: list[_Task], slots: int = 1) -> None:
        """Send ``worker`` up to ``slots`` tasks from ``pending`` (popped from its end), or
        ``_DRAINED`` once none is left. A dead worker's send fails: its task goes back,
        and ``_watch`` replaces the worker."""
        for _ in range(slots):
            if worker.drained:
                return
            if not pending:
                worker.drained = True
                try:
                    worker.conn.send(_DRAINED)
                except OSError:
                    pass
                return
            task = pending.pop()
            try:
                worker.conn.send(task)
            except OSError:
                pending.append(task)
                return
            if not worker.tasks:
                worker.since = time.monotonic()
            worker.tasks.append(task)

    def start_all(self, pending: list[_Task]) -> None:
        for worker in self.workers:
            self.fill(worker, pending, slots=1 + self.ahead)

    def finished(self, seq: int, pending: list[_Task]) -> None:
        """A worker finished task ``seq``: its next task starts, and it gets one more."""
        for worker in self.workers:
            if worker.tasks and worker.tasks[0].seq == seq:
                worker.tasks.pop(0)
                worker.kernels.pop(seq, None)
                worker.since = time.monotonic()
                self.fill(worker, pending)
                return

    def kernel_started(self, pid: int, seq: int, pgid: int | None, root: str) -> None:
        for worker in self.workers:
            if worker.process.pid == pid:
                worker.kernels[seq] = (pgid, root)
                return
        _sweep_kernels({seq: (pgid, root)})  # from a worker replaced since: it is gone

    def replace(self, worker: _Worker, pending: list[_Task]) -> None:
        """Stop ``worker`` and start another; the tasks it had not begun go back."""
        self._stop(worker, graceful=False)
        pending.extend(reversed(worker.tasks[1:]))
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        self.fill(fresh, pending, slots=1 + self.ahead)

    def _stop(self, worker: _Worker, graceful: bool) -> None:
        process = worker.process
        if process.is_alive():
            if graceful:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
            else:
                process.terminate()  # SIGTERM: the worker unwinds, closing its kernels
            process.join(5.0)
            if process.is_alive():
                process.kill()
                process.join(2.0)
        worker.conn.close()
        _sweep_kernels(worker.kernels)

    def close(self, graceful: bool = True) -> None:
        for worker in self.workers:
            if not graceful and worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            self._stop(worker, graceful)
        self.results.close()
        self.results.join_thread()


# -------------------------------------------------------------------------- progress


class Progress:
    """A bar redrawn in place on a terminal; a plain line every ``interval`` s otherwise."""

    def __init__(self, total: int, *, stream: TextIO, tty: bool | None = None,
                 interval: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.total, self.stream, self.interval, self.clock = total, stream, interval, clock
        self.tty = stream.isatty() if tty is None else tty
        self.counts = {"passed": 0, "failed": 0, "failed-to-grade": 0, "timed-out": 0}
        self.done = 0
        self.resumed = 0
        self.started = clock()
        self.last_line = self.started

    def add(self, row: gradebook.Row, *, resumed: bool = False) -> None:
        self.done += 1
        self.resumed += resumed
        if row.status == "graded":
            self.counts["passed" if row.passed else "failed"] += 1
        else:
            self.counts[row.status] = self.counts.get(row.status, 0) + 1
        self.tick(force=self.tty)

    def text(self) -> str:
        elapsed = self.clock() - self.started
        fresh = self.done - self.resumed
        rate = fresh / elapsed if elapsed > 0 and fresh else 0.0
        left = self.total - self.done
        eta = f", about {_clock(left / rate)} left" if rate and left else ""
        c = self.counts
        parts = [f"{self.done}/{self.total} done", f"{c['passed']} passed", f"{c['failed']} failed"]
        if c["failed-to-grade"]:
            parts.append(f"{c['failed-to-grade']} not graded")
        if c["timed-out"]:
            parts.append(f"{c['timed-out']} timed out")
        if self.resumed:
            parts.append(f"{self.resumed} kept from an earlier run")
        return f"{', '.join(parts)} ({rate:.1f}/s{eta})"

    def tick(self, force: bool = False) -> None:
        now = self.clock()
        if self.tty:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.text()}\x1b[K")
            self.stream.flush()
        elif force or now - self.last_line >= self.interval:
            self.last_line = now
            self.stream.write(f"grading: {self.text()}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.tick()
            self.stream.write("\n")
        else:
            self.stream.write(f"grading: {self.text()}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


# ----------------------------------------------------------------------------- batch


@dataclass
class BatchOutcome:
    rows: list[gradebook.Row]
    graded: list[str] = field(default_factory=list)  # ids graded by this run
    resumed: list[str] = field(default_factory=list)  # ids kept from finished reports
    interrupted: bool = False
    out: Path = Path(".")
    class_size: int = 0

    @property
    def exit_code(self) -> int:
        """The command line's exit codes for the class: 2 if any could not be graded, else 1 if any
        check failed, else 0 (130 after an interruption)."""
        if self.interrupted:
            return 130
        if any(r.status == "failed-to-grade" for r in self.rows):
            return EXIT_UNGRADABLE
        return EXIT_PASSED if all(r.passed for r in self.rows) else EXIT_FAILED


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _tasks(selected: Sequence[Submission], out: Path, options: _Options) -> list[_Task]:
    spec_hash = _SpecHashes(Path(options.exercises_dir) if options.exercises_dir else None)
    tasks = []
    for seq, sub in enumerate(selected):
        rel = f"{REPORTS_DIR}/{sub.stem}"
        tasks.append(_Task(
            seq=seq, path=str(sub.path), id=sub.id, student=sub.student,
            html=str(out / f"{rel}.html"), json=str(out / f"{rel}.json"),
            report_rel=f"{rel}.html",
            key=grading_key(sub.path, exercise=options.exercise, spec_hash=spec_hash,
                            seed=options.seed)))
    return tasks


def run_batch(paths: Sequence[str | Path], *, out: str | Path, jobs: int | None = None,
              shard: tuple[int, int] | None = None, force: bool = False,
              exercise: str | None = None, exercises_dir: str | Path | None = None,
              seed: int | None = None, total_timeout: float = 60.0,
              cell_timeout: float | None = None, sandbox: str = "auto",
              grade: Callable[..., Any] | None = None,
              progress: TextIO | None = None, progress_interval: float = 10.0,
              tty: bool | None = None, ahead: int | None = None) -> BatchOutcome:
    """Grade every submission under ``paths`` (of shard ``(K, N)``) into ``out``.

    Each of the ``jobs`` workers keeps ``ahead`` (default ``KERNELS_AHEAD``) kernels
    booting for its next submissions while it grades one. ``grade`` replaces the
    built-in grader with a function of ``grade.grade_notebook``'s signature (for tests;
    importable by name, as it is sent to worker processes); it starts nothing ahead.
    """
    from grader.grading.sandbox import hide_secrets_from_proc

    hide_secrets_from_proc()  # a kernel in basic mode may read /proc/<this pid>/environ
    out = Path(out)
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: at least one job is needed", fix="use --jobs 1 or more")
    found = discover(paths, exclude=[out])
    if not found:
        raise UsageError("no notebook (.ipynb) found", path=", ".join(map(str, paths)),
                         fix="give notebooks, folders of notebooks or a quoted glob")
    selected = select_shard(found, shard)
    if cell_timeout is None:
        from grader.grading.grade import DEFAULT_CELL_TIMEOUT

        cell_timeout = min(DEFAULT_CELL_TIMEOUT, total_timeout)
    options = _Options(exercise=exercise, exercises_dir=str(exercises_dir) if exercises_dir else None,
                       seed=seed, cell_timeout=cell_timeout, total_timeout=total_timeout,
                       sandbox=sandbox)
    book = _Book(out, [s.id for s in found], shard)
    meter = Progress(len(selected), stream=progress or sys.stderr, tty=tty,
                     interval=progress_interval)
    outcome = BatchOutcome(rows=[], out=out, class_size=len(found))
    todo = []
    for task in _tasks(selected, out, options):
        report = None if force else _finished_report(Path(task.json), task.key)
        if report is None:
            todo.append(task)
        else:
            book.add(_row(task, report), write=False)
            meter.add(book.rows[task.id], resumed=True)
            outcome.resumed.append(task.id)
    book.write(complete=not todo)
    if todo:
        ahead = KERNELS_AHEAD if ahead is None else ahead
        outcome.interrupted = not _grade_all(todo, options, grade, min(jobs, len(todo)), ahead,
                                             book, meter, outcome)
    meter.close()
    book.write(complete=not outcome.interrupted)
    outcome.rows = sorted(book.rows.values(), key=lambda r: r.submission)
    return outcome


class _Book:
    """The gradebook being built: rows by id, rewritten as rows arrive.

    Rewrites are at most one per ``min_interval`` seconds (a 500-row gradebook costs
    about 14 ms to write, and the batch process shares the cores with the kernels);
    the last one is written when the batch ends or is interrupted. A gradebook on disk
    is always a consistent subset of the finished reports.
    """

    def __init__(self, out: Path, class_ids: list[str], shard: tuple[int, int] | None,
                 min_interval: float = 0.5):
        self.out, self.class_ids = out, class_ids
        self.shard = f"{shard[0]}/{shard[1]}" if shard else None
        self.rows: dict[str, gradebook.Row] = {}
        self.min_interval = min_interval
        self.written_at = float("-inf")

    def add(self, row: gradebook.Row, write: bool = True) -> None:
        self.rows[row.submission] = row
        if write and time.monotonic() - self.written_at >= self.min_interval:
            self.write(complete=False)

    def write(self, complete: bool) -> None:
        self.written_at = time.monotonic()
        gradebook.write(self.out, gradebook.Gradebook(
            rows=tuple(self.rows.values()), class_ids=tuple(self.class_ids), shard=self.shard,
            complete=complete))


def _grade_all(todo: list[_Task], options: _Options, grade: Callable[..., Any] | None,
               jobs: int, ahead: int, book: _Book, meter: Progress,
               outcome: BatchOutcome) -> bool:
    """Grade ``todo`` in ``jobs`` workers; False when interrupted (Ctrl-C or SIGTERM)."""
    previous = None
    if _in_main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    pending = list(reversed(todo))
    pool = None
    try:
        pool = _Pool(jobs, options, grade, ahead)
        pool.start_all(pending)
        remaining = {t.seq for t in todo}
        while remaining:
            try:
                message = pool.results.get(timeout=0.2)
            except queue.Empty:
                message = None
            if message is not None and message[0] == "kernel":
                pool.kernel_started(*message[1:])
            elif message is not None:
                _, seq, row_data = message
                pool.finished(seq, pending)
                if seq in remaining:
                    remaining.discard(seq)
                    row = gradebook.Row(**row_data)
                    book.add(row)
                    outcome.graded.append(row.submission)
                    meter.add(row)
            _watch(pool, pending, options, book, meter, outcome, remaining)
            meter.tick()
        pool.close(graceful=True)
        return True
    except KeyboardInterrupt:
        if pool is not None:
            pool.close(graceful=False)
        return False
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _watch(pool: _Pool, pending: list[_Task], options: _Options, book: _Book, meter: Progress,
           outcome: BatchOutcome, remaining: set[int]) -> None:
    """Replace a worker that died or overran; its submission gets a row saying so, the
    ones lined up behind it go to other workers."""
    limit = options.total_timeout + _WORKER_GRACE_S
    for worker in list(pool.workers):
        task = worker.task
        dead = not worker.process.is_alive()
        overdue = task is not None and time.monotonic() - worker.since > limit
        if not (dead or overdue):
            continue
        code = worker.process.exitcode
        pool.replace(worker, pending)
        if task is None or task.seq not in remaining:
            continue
        if overdue:
            report = _not_graded(task, f"grading took longer than {limit:g} s and was stopped",
                                 status="timed-out", duration_s=limit)
        else:
            report = _not_graded(task, f"the grading process died (exit code {code}) while "
                                       "grading this submission; grade it alone with "
                                       "`grader check` to see why")
        remaining.discard(task.seq)
        row = _row(task, report)
        book.add(row)
        outcome.graded.append(row.submission)
        meter.add(row)


# --------------------------------------------------------------------- results back


def result_from_report(data: Mapping[str, Any]) -> Any:
    """A ``GradeResult`` rebuilt from its JSON report (for summaries of a whole batch)."""
    from grader.results import CellError, CheckResult, GradeResult

    names = {f for f in CheckResult.__dataclass_fields__}
    checks = [CheckResult(**{k: v for k, v in c.items() if k in names})
              for c in data.get("checks") or []]
    cell_names = set(CellError.__dataclass_fields__)
    cell_errors = [CellError(**{k: v for k, v in e.items() if k in cell_names})
                   for e in data.get("cell_errors") or [] if cell_names <= set(e)]
    return GradeResult(
        exercise=str(data.get("exercise") or ""), submission=str(data.get("submission") or ""),
        score=float(data.get("score") or 0.0), max_score=float(data.get("max_score") or 0.0),
        passed=bool(data.get("passed")), checks=checks, errors=list(data.get("errors") or []),
        duration_s=float(data.get("duration_s") or 0.0), cell_errors=cell_errors,
        sandbox=str(data.get("sandbox") or ""), status=str(data.get("status") or "graded"))


def load_results(outcome: BatchOutcome) -> list[Any]:
    """The GradeResults of every row of ``outcome``, read from their JSON reports."""
    results = []
    for row in outcome.rows:
        path = outcome.out / (row.report[: -len(".html")] + ".json")
        try:
            results.append(result_from_report(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            continue
    return results
