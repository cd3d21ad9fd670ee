"""Hostile submissions, graded in each sandbox mode: the grader holds and tells the truth.

One ``batch`` per mode grades every case of ``adversarial_cases.CASES`` whose
``where`` the run promises (``promises``: the mode, and whether the grader is root and
its kernel could drop to nobody) mixed with ordinary students (2 workers; the class size is ``TAPEGRADER_ADVERSARIAL_NORMALS``,
default 20: set it to 200 for the issue's full-class run), with CI-style secrets in
the grader's environment. Then every case is checked against its verdict, and the
whole run against the promises of README's security section. A few direct
``grader check`` runs check the exit codes.

Run it as root and as an unprivileged user (``.ci/run`` does both): the promises
differ, and each run checks its own.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import adversarial_cases as corpus
from grader.results import RunEnd

pytestmark = pytest.mark.slow

MODES = ["basic", "bwrap"]
NORMALS = int(os.environ.get("TAPEGRADER_ADVERSARIAL_NORMALS", "20"))
CELL_TIMEOUT = 4.0
TOTAL_TIMEOUT = 20.0  # 100 MB of output takes a few seconds to stream and drop
# A bound on the whole batch: the slow cases wait for their time limits, in 2 workers.
BATCH_BOUND_S = 150.0 + 1.0 * NORMALS

_RUNNER = """
import sys
import grader
from grader import batch
print(f"grader {grader.__file__}")
outcome = batch.run_batch(["class"], out="out", jobs=2, sandbox=sys.argv[1],
                          cell_timeout=float(sys.argv[2]), total_timeout=float(sys.argv[3]))
print(f"rows {len(outcome.rows)}")
sys.exit(outcome.exit_code)
"""


def _skip_reason(mode: str) -> str | None:
    if mode != "bwrap":
        return None
    from grader.grading.sandbox import bwrap_problem

    problem = bwrap_problem()
    return f"bwrap cannot run here: {problem}" if problem else None


def _mode(mode: str):
    reason = _skip_reason(mode)
    return pytest.param(mode, marks=pytest.mark.skipif(bool(reason), reason=reason or ""))


def kernel_keeps_root(mode: str) -> bool:
    """basic under a root grader whose Python the nobody uid cannot run (README)."""
    if mode != "basic" or os.geteuid() != 0:
        return False
    from grader.grading.identity import basic_identity

    return basic_identity().note is not None


def promises(mode: str) -> frozenset[str]:
    """The ``Case.where`` values this run promises (README's security section)."""
    if mode == "bwrap":
        return frozenset({"all", "unprivileged", "isolated", "bwrap"})
    if os.geteuid() == 0:
        return frozenset({"all"} if kernel_keeps_root(mode)
                         else {"all", "unprivileged", "isolated"})
    return frozenset({"all", "unprivileged"})  # same uid: signals reach the grader


def _reachable_scratch(prefix: str) -> Path:
    """A folder the nobody uid can pass through (the course copy and the private trees
    must be, for a kernel dropped to nobody to import the engine)."""
    from grader.grading.folders import base_folder

    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base_folder(65534, 65534)))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def checkout() -> Path:
    """A private copy of the package and the course the grader runs from here.

    The snapshot must see only what the kernels might do: the working checkout may
    be edited while the tests run; this copy is not. The package is laid out as a wheel
    installs it (the course under ``grader/_data/``), and the course's files are the
    grader user's own (mode 0700), as an instructor keeps solutions.
    """
    from grader import resources

    top = _reachable_scratch("tg-checkout-")
    source = Path(resources.__file__).resolve().parent
    shutil.copytree(source, top / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    for name, path in [("templates", resources.templates_dir()),
                       ("exercises", resources.exercises_dir()),
                       ("solutions", resources.solutions_dir())]:
        for where in (top / name, top / "grader" / "_data" / name):
            shutil.copytree(path, where, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [top, *top.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for private in (top / "exercises", top / "solutions", top / "grader" / "_data"):
        private.chmod(0o700)
    yield top
    shutil.rmtree(top)


def _snapshot(*roots: Path) -> dict[str, str]:
    """sha256 and mode of every file and folder under ``roots`` (bytecode caches aside)."""
    out = {}
    for root in roots:
        paths = [root] if root.is_file() else [root, *sorted(root.rglob("*"))]
        for path in paths:
            if "__pycache__" in path.parts:
                continue
            mode = oct(stat.S_IMODE(path.lstat().st_mode))
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            out[str(path)] = f"{mode} {digest}"
    return out


def _marked_processes(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry))
    return found


@pytest.fixture(scope="session")
def solution_notebook(tmp_path_factory) -> bytes:
    from grader.authoring import render
    from grader import resources

    out = tmp_path_factory.mktemp("built")
    render.build_course(out, exercises_dir=resources.exercises_dir(),
                        solutions_dir=resources.solutions_dir(), ids=[corpus.EXERCISE])
    return (out / "solution" / f"{corpus.EXERCISE}.ipynb").read_bytes()


def _places(base: Path, checkout: Path, marker: str) -> dict[str, str]:
    return {
        "SOLUTION": str(checkout / "solutions" / f"{corpus.EXERCISE}.py"),
        "SPEC": str(checkout / "exercises" / f"{corpus.EXERCISE}.toml"),
        "CLASS": str(base / "class"), "OUT": str(base / "out"),
        "CANARY": str(base / "canary.txt"), "PACKAGE": str(checkout / "grader"),
        "MARKER": marker, "EXERCISE": corpus.EXERCISE,
    }


def _grader_env(checkout: Path, scratch: Path | None = None) -> dict[str, str]:
    """CI-style secrets, ``import grader`` finding the private copy first, and the
    private trees made in ``scratch`` (so the test can see that none is left)."""
    env = dict(os.environ, **corpus.SECRETS)
    if scratch is not None:
        env["TMPDIR"] = str(scratch)
    env.pop("GITHUB_ACTIONS", None)
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    return env


class Graded:
    """One mode's batch run and what changed around it."""

    def __init__(self, mode: str, base: Path, checkout: Path, verdicts: dict[str, str], proc,
                 elapsed: float, changed: set[str], strays: list[int], left: list[str]):
        self.mode, self.base, self.checkout, self.verdicts = mode, base, checkout, verdicts
        self.proc, self.elapsed, self.changed, self.strays = proc, elapsed, changed, strays
        self.left = left  # private trees still there after the batch

    def report(self, name: str) -> dict:
        return json.loads((self.base / "out" / "reports" / f"{name}.json").read_text())

    def page(self, name: str) -> str:
        return (self.base / "out" / "reports" / f"{name}.html").read_text(encoding="utf-8")

    def gradebook(self) -> dict[str, dict]:
        book = json.loads((self.base / "out" / "gradebook.json").read_text())
        return {Path(row["submission"]).stem: row for row in book["rows"]}


@pytest.fixture(scope="module", params=[_mode(m) for m in MODES])
def graded(request, tmp_path_factory, solution_notebook, checkout) -> Graded:
    mode = request.param
    base = tmp_path_factory.mktemp(f"adversarial-{mode}")
    marker = f"tapegrader-adversarial-{os.getpid()}-{mode}-{time.time_ns()}"
    (base / "canary.txt").write_text("untouched\n")
    verdicts = corpus.build_corpus(base / "class", solution_notebook,
                                   _places(base, checkout, marker), NORMALS,
                                   where=promises(mode))
    watched = (base / "class", base / "canary.txt", checkout)
    before = _snapshot(*watched)
    scratch = _reachable_scratch("tg-adv-")
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", _RUNNER, mode, str(CELL_TIMEOUT),
                               str(TOTAL_TIMEOUT)], cwd=base, env=_grader_env(checkout, scratch),
                              capture_output=True, text=True, timeout=BATCH_BOUND_S + 60)
        elapsed = time.monotonic() - started
        left = sorted(n for n in os.listdir(scratch) if n.startswith("tapegrader-"))
    finally:
        from grader.grading.folders import remove_tree

        remove_tree(scratch)
    time.sleep(0.3)
    strays = _marked_processes(marker)
    for pid in strays:  # never leave them running, whatever the assertions say
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    after = _snapshot(*watched)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return Graded(mode, base, checkout, verdicts, proc, elapsed, changed, strays, left)


# ----------------------------------------------------------------------- the batch


def test_batch_finishes_in_bounded_time_with_a_row_each(graded):
    assert graded.proc.returncode == 2, graded.proc.stderr[-3000:]  # some are ungradable
    assert f"rows {len(graded.verdicts)}" in graded.proc.stdout
    # ... graded by the private copy of the package (the one snapshotted).
    assert f"grader {graded.checkout / 'grader' / '__init__.py'}" in graded.proc.stdout
    assert graded.elapsed < BATCH_BOUND_S
    assert set(graded.gradebook()) == set(graded.verdicts)
    at = graded.proc.stderr.find("Traceback")
    assert at < 0, graded.proc.stderr[max(0, at - 1500):at + 3000]


@pytest.mark.parametrize("name", [c.name for c in corpus.CASES])
def test_case_gets_its_verdict_in_words(graded, name):
    case = corpus.CASES_BY_NAME[name]
    if name not in graded.verdicts:
        pytest.skip(f"{graded.mode} as uid {os.geteuid()} does not promise {case.where!r}")
    report = graded.report(name)
    status = report["status"]
    got = ("ungradable" if status == "failed-to-grade"
           else "pass" if report["passed"] else "fail")
    assert got == case.verdict, (report.get("errors"), report.get("checks"))
    if case.verdict == "pass":
        assert report["score"] == report["max_score"] > 0
    else:
        assert report["score"] < report["max_score"] or report["max_score"] == 0
    assert report["sandbox"] == ("" if case.verdict == "ungradable" else graded.mode)
    text = html.unescape(graded.page(name)).lower()
    wanted = case.words + (case.bwrap_words if graded.mode == "bwrap" else ())
    for options in wanted:
        assert any(word in text for word in options), (options, text[-3000:])
    for word in case.absent:
        assert word not in text, (word, text[-3000:])
    assert report["end"] in {e.value for e in RunEnd}
    if case.slow:
        assert report["duration_s"] < TOTAL_TIMEOUT + 5


def test_sandbox_named_in_the_html_footer(graded):
    page = graded.page("normal_000_right")
    assert f"sandbox: {graded.mode}" in page
    # A root grader whose kernel could not drop to nobody says so on every report.
    assert ("kernel ran as root" in page) is kernel_keeps_root(graded.mode)
    assert graded.report("normal_000_right")["sandbox_note"] is None or \
        kernel_keeps_root(graded.mode)


def test_ordinary_students_graded_correctly(graded):
    book = graded.gradebook()
    normals = {n: v for n, v in graded.verdicts.items() if n.startswith("normal_")}
    assert len(normals) == NORMALS
    for name, verdict in normals.items():
        row = book[name]
        assert row["status"] == "graded", row
        assert row["passed"] is (verdict == "pass"), row
        if verdict == "pass":
            assert row["score"] == row["max_score"] > 0
        else:  # hard-coded 6.0: right at the visible point only
            assert 0 < row["score"] < row["max_score"], row
    if graded.mode == "bwrap":  # no kernel could reach a neighbour's report file
        for name, verdict in normals.items():
            assert graded.report(name)["passed"] is (verdict == "pass")


def test_no_secret_in_any_report_log_or_gradebook(graded):
    texts = [graded.proc.stdout, graded.proc.stderr]
    texts += [p.read_text(encoding="utf-8", errors="replace")
              for p in (graded.base / "out").rglob("*") if p.is_file()]
    for secret in corpus.SECRETS.values():
        assert not [t for t in texts if secret in t]


def test_nothing_from_a_notebook_reaches_the_html_unescaped(graded):
    for page in (graded.base / "out" / "reports").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for raw in corpus.UNESCAPED:
            assert raw not in text, page.name
    # ... and the escaped text is there, so the check above is not vacuous.
    assert "&lt;script&gt;alert(" in graded.page("html_in_output")


def test_no_file_outside_the_working_folders_changed(graded):
    # The package, the specs and the solutions the grader ran from.
    assert not [p for p in graded.changed if p.startswith(str(graded.checkout))]
    assert not [p for p in graded.changed if "/class/" in p]
    if kernel_keeps_root(graded.mode):
        # README: basic mode under a root grader whose Python nobody cannot run keeps
        # the kernel root, which may write wherever root may. The canary shows the hole
        # is real (and still bounded to it).
        assert graded.changed <= {str(graded.base / "canary.txt")}
    elif graded.mode == "bwrap" or os.geteuid() == 0:
        # bwrap, or basic with the kernel dropped to nobody: nothing at all.
        assert graded.changed == set()
    else:
        # basic as an ordinary user: the kernel is that user; the canary is its file.
        assert graded.changed <= {str(graded.base / "canary.txt")}


def test_every_private_tree_is_removed(graded):
    # Deep directories, planted links and locked folders included.
    assert graded.left == []


def test_nothing_the_kernel_wrote_reached_the_grader_output(graded):
    for text in (graded.proc.stdout, graded.proc.stderr):
        assert "FORGED-BY-KERNEL" not in text


def test_a_kernel_log_swapped_for_a_link_is_not_followed(graded):
    solution = (graded.checkout / "solutions" / f"{corpus.EXERCISE}.py").read_text()
    body = [line for line in solution.splitlines() if len(line.strip()) > 12]
    page = html.unescape(graded.page("kernel_log_link"))
    assert body and not [line for line in body if line in page]


def test_no_process_of_a_fork_bomb_survives(graded):
    assert graded.strays == []
    assert "forked" in html.unescape(graded.page("fork_bomb")).lower() or \
        "time limit" in graded.page("fork_bomb")


def test_reports_the_kernel_wrote_over_are_rewritten(graded):
    # write_outside wrote a fake passing report over its own: the grader's report wins.
    report = graded.report("write_outside")
    assert report["passed"] is False and report["exercise"] == corpus.EXERCISE
    assert graded.gradebook()["write_outside"]["passed"] is False


# ------------------------------------------------------------------- grader check


@pytest.mark.parametrize("mode", [_mode(m) for m in MODES])
@pytest.mark.parametrize("name,code", [("byte_order_mark", 0), ("os_exit", 1),
                                       ("proc_environ", 1), ("not_json", 2)])
def test_check_exit_code(tmp_path, solution_notebook, checkout, mode, name, code):
    case = corpus.CASES_BY_NAME[name]
    path = tmp_path / f"{name}.ipynb"
    path.write_bytes(corpus.case_bytes(case, solution_notebook,
                                       _places(tmp_path, checkout, "unused")))
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader", "check", str(path), "--sandbox", mode,
                           "--timeout", "20", "--json", str(tmp_path / "r.json")],
                          cwd=tmp_path, env=_grader_env(checkout), capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert time.monotonic() - started < 30
    assert "Traceback" not in proc.stderr
    page = tmp_path / f"{name}.report.html"
    assert page.exists() and (tmp_path / "r.json").exists()
    everything = proc.stdout + proc.stderr + page.read_text(encoding="utf-8")
    for secret in corpus.SECRETS.values():
        assert secret not in everything
