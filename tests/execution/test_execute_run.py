"""run_submission end to end, in real kernels.

Kernels are the expensive part, so each module-scoped fixture runs one notebook that
exercises several behaviours at once, and the tests read its ``Execution``. Six
kernels in all; the timeouts are short on purpose.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from sigint import python_sigint

from grader.grading import extract
from grader.grading.execute import Rerun, run_submission, start_kernel
from grader.grading.sandbox import Limits, live_group_members
from grader.results import RunEnd

pytestmark = pytest.mark.slow


def tape_ready() -> bool:
    try:
        import grader.tape as tf
    except ImportError:
        return False
    return hasattr(tf, "GradientTape")


def cell(source: str, *tags: str):
    c = new_code_cell(source)
    c.metadata["tags"] = list(tags)
    return c


def notebook(*cells):
    return new_notebook(cells=list(cells))


if tape_ready():
    SETUP = "import grader.tape as tf\nimport numpy as np"
    GRADIENT = ("x = tf.Variable(x0)\n"
                "with tf.GradientTape() as tape:\n"
                "    y = x**2 + 2*x\n"
                "grad = tape.gradient(y, x)")
else:
    SETUP = "import numpy as np"
    GRADIENT = "grad = np.float32(2*x0 + 2)"

SECRET = "sekrit-value-123"
HIDDEN = [Rerun("hidden point 1", {"x0": 0.5}, "x0 = 0.5"),
          Rerun("hidden point 2", {"x0": -2.0}, "x0 = -2.0")]


def forged_cell() -> str:
    """A student printing and displaying things that look like the extraction output."""
    fake = '{"nonce": "0000", "answers": {"grad": {"status": "ok", "value": 99.0}}}'
    return (
        f"print({fake!r})\n"
        "from IPython.display import display\n"
        f"display({{{extract.MIME!r}: {fake!r}}}, raw=True)\n"
        # The extraction does not use the json module a notebook can reach.
        "import sys, types\n"
        "sys.modules['json'] = types.SimpleNamespace(dumps=lambda *a, **k: 'forged')\n"
    )


PROBE = """
import os, resource, json
from ipykernel.connect import get_connection_file
files = os.listdir('.')
only_submission = float(files == ['submission.ipynb'])
home_is_cwd = float(os.environ.get('HOME') == os.getcwd())
tmp_private = float(os.environ.get('TMPDIR', '').startswith(os.path.dirname(os.getcwd())))
leaked = float(any('sekrit' in v for v in os.environ.values()) or 'GITHUB_TOKEN' in os.environ
               or 'AWS_SECRET_ACCESS_KEY' in os.environ)
ipc = float(json.load(open(get_connection_file()))['transport'] == 'ipc')
as_limit = float(resource.getrlimit(resource.RLIMIT_AS)[0])
pgid_is_pid = float(os.getpgid(0) == os.getpid())
"""


class Secrets:
    """Set secrets in the grader's own environment for the duration of a fixture."""

    def __init__(self, **values: str):
        self.values = values
        self.saved = {k: os.environ.get(k) for k in values}

    def __enter__(self):
        os.environ.update(self.values)

    def __exit__(self, *exc):
        for key, old in self.saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@pytest.fixture(scope="module")
def main_run():
    """A correct gradient plus many side cells, with two hidden points."""
    nb = notebook(
        new_markdown_cell("# exercise"),
        cell(SETUP, "setup"),
        cell("x0 = 3.0", "parameters"),
        cell("1/0"),  # raises; later cells still run
        cell(GRADIENT + "\nhard = 8.0", "answer"),
        cell("checked = 1.0\nraise RuntimeError('check cells are not run')", "check"),
        cell(PROBE),
        cell(forged_cell()),
        cell("b = bytearray(3 * 1024**3)"),  # over the address-space limit
        cell("print('x' * 3_000_000)"),  # over the output cap
        cell("class Hang:\n    def __float__(self):\n        while True: pass\n"
             "    def __array__(self, *a, **k):\n        while True: pass\n"
             "class Bad:\n    def __repr__(self): raise ValueError('bad repr')\n"
             "    def __array__(self, *a, **k): raise ValueError('bad array')\n"
             "hang, bad = Hang(), Bad()\n"),
    )
    answers = ["grad", "hard", "checked", "only_submission", "home_is_cwd", "tmp_private",
               "leaked", "ipc", "as_limit", "pgid_is_pid", "hang", "bad"]
    with Secrets(GITHUB_TOKEN=SECRET, AWS_SECRET_ACCESS_KEY=SECRET):
        handle = start_kernel(nb, total_timeout=60)
    root, pgid = handle.folders.root, handle.pgid
    assert root.exists() and pgid
    execution = handle.run(answers=answers, visible_point={"x0": 3.0}, reruns=HIDDEN,
                           cell_timeout=10)
    return {"execution": execution, "root": root, "pgid": pgid, "nb": nb}


def visible(run_fixture):
    return run_fixture["execution"].runs[0]


def test_visible_and_hidden_runs(main_run):
    ex = main_run["execution"]
    assert ex.fatal is None and ex.sandbox == "basic"
    assert [r.label for r in ex.runs] == ["visible point", "hidden point 1", "hidden point 2"]
    assert [r.hidden for r in ex.runs] == [False, True, True]
    assert [r.point for r in ex.runs] == [{"x0": 3.0}, {"x0": 0.5}, {"x0": -2.0}]
    # The gradient follows the point; the hard-coded answer does not.
    assert [r.answers["grad"].value for r in ex.runs] == [8.0, 3.0, -2.0]
    assert [r.answers["hard"].value for r in ex.runs] == [8.0, 8.0, 8.0]
    grad = ex.runs[0].answers["grad"]
    assert grad.status == "ok" and grad.dtype == "float32" and grad.shape == ()


def test_from_tape_seen_through_the_kernel(main_run):
    if not tape_ready():
        pytest.skip("grader.tape has no GradientTape yet: the notebook uses numpy values")
    runs = main_run["execution"].runs
    assert [r.answers["grad"].from_tape for r in runs] == [True, True, True]
    # 8.0 equals the tape's value at the visible point (a conversion of it, as far as
    # the engine can tell), but at the hidden points it is just a number.
    assert [r.answers["hard"].from_tape for r in runs[1:]] == [False, False]


def test_a_raising_cell_is_kept_and_later_cells_run(main_run):
    run = visible(main_run)
    names = [e.ename for e in run.errors]
    assert names == ["ZeroDivisionError", "MemoryError"]
    err = run.errors[0]
    assert err.cell_index == 3 and err.tag is None and err.source == "1/0"
    assert "division by zero" in err.evalue and "\x1b[" not in err.traceback
    assert "ZeroDivisionError" in err.traceback
    assert run.answers["grad"].status == "ok"  # the answer cell after it ran
    # Hidden runs re-run every cell from the parameters cell to the check cell: the
    # raising cell raises again there, and nothing after the check cell runs.
    assert all([e.ename for e in r.errors] == ["ZeroDivisionError"]
               for r in main_run["execution"].runs[1:])


def test_check_cell_is_not_run(main_run):
    assert visible(main_run).answers["checked"].status == "missing"


def test_sandbox_as_seen_from_inside(main_run):
    answers = visible(main_run).answers
    for name in ("only_submission", "home_is_cwd", "tmp_private", "ipc", "pgid_is_pid"):
        assert answers[name].value == 1.0, name
    assert answers["leaked"].value == 0.0
    assert answers["as_limit"].value == Limits().memory_bytes


def test_forged_payloads_are_ignored(main_run):
    # The forged outputs claimed grad == 99.0 under a guessed nonce; the real values
    # were read (and the replaced json module had no effect on the extraction).
    runs = main_run["execution"].runs
    assert [r.answers["grad"].value for r in runs] == [8.0, 3.0, -2.0]
    assert all(a.status != "error" or n in ("hang", "bad")
               for r in runs for n, a in r.answers.items())


def test_hostile_answers_become_errors(main_run):
    answers = visible(main_run).answers
    assert answers["hang"].status == "error" and "longer than" in answers["hang"].error
    assert answers["bad"].status == "error" and "bad array" in answers["bad"].error


def test_output_is_capped(main_run):
    assert main_run["execution"].output_truncated is True


def test_folder_removed_and_no_process_left(main_run):
    assert not main_run["root"].exists()
    assert live_group_members(main_run["pgid"]) == []


def test_callers_notebook_is_not_modified(main_run):
    nb = main_run["nb"]
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert nb.cells[4].source.startswith(SETUP.split("\n")[0]) is False
    assert "hard = 8.0" in nb.cells[4].source


# ------------------------------------------------------------------- timeouts


@pytest.fixture(scope="module")
def timeout_run():
    nb = notebook(
        cell("x0 = 1.0", "parameters"),
        cell("while True:\n    pass"),  # interrupted at the cell limit
        cell("after = 2.0 * x0", "answer"),
        cell("import time\nwhile True:\n    try:\n        time.sleep(10)\n"
             "    except KeyboardInterrupt:\n        pass"),  # ignores the interrupt
        cell("never = 1.0"),
    )
    start = time.monotonic()
    ex = run_submission(nb, answers=["after", "never"], visible_point={"x0": 1.0},
                        reruns=HIDDEN, cell_timeout=1.0, total_timeout=30)
    return ex, time.monotonic() - start


def test_cell_timeout_interrupts_and_goes_on(timeout_run):
    ex, elapsed = timeout_run
    run = ex.runs[0]
    first, second = run.errors
    assert first.ename == "Timeout" and first.cell_index == 1 and "1 s time limit" in first.evalue
    assert "interrupted" in first.evalue
    assert second.ename == "Timeout" and "ignored the interrupt" in second.evalue
    assert run.timed_out and not run.kernel_died
    # The wedged kernel was stopped: no answers read, no hidden runs.
    assert run.answers["after"].status == "error" and len(ex.runs) == 1
    # Cell limits, not the submission's: no fatal message, but the time limit ended it.
    assert ex.fatal is None and ex.end is RunEnd.TIMED_OUT and ex.timed_out
    assert elapsed < 15  # 1 s + 1 s limits, 2 s grace, kernel start; generous for loaded CI


@pytest.fixture(scope="module")
def total_timeout_run():
    nb = notebook(cell("import time\nx0 = 1.0", "parameters"),
                  *[cell("time.sleep(0.7)") for _ in range(10)],
                  cell("grad = x0", "answer"))
    start = time.monotonic()
    ex = run_submission(nb, answers=["grad"], visible_point={"x0": 1.0}, reruns=HIDDEN,
                        cell_timeout=5.0, total_timeout=4.0)
    return ex, time.monotonic() - start


def test_total_timeout_is_fatal_and_bounded(total_timeout_run):
    ex, elapsed = total_timeout_run
    assert ex.fatal and "4 s time limit" in ex.fatal and ex.timed_out
    assert len(ex.runs) == 1 and ex.runs[0].timed_out
    assert ex.runs[0].errors[-1].ename == "Timeout"
    assert ex.runs[0].answers["grad"].status == "error"
    assert elapsed < 9


# ------------------------------------------------------------ a kernel that dies


@pytest.fixture(scope="module")
def died_run():
    nb = notebook(cell("x0 = 1.0", "parameters"), cell("grad = x0", "answer"),
                  cell("import os\nos._exit(1)"), cell("later = 1.0"))
    handle = start_kernel(nb)
    pgid = handle.pgid
    ex = handle.run(answers=["grad", "later"], visible_point={"x0": 1.0}, reruns=HIDDEN)
    return ex, pgid


def test_dead_kernel_is_recorded_and_stops(died_run):
    ex, pgid = died_run
    assert len(ex.runs) == 1 and ex.fatal is None
    run = ex.runs[0]
    assert run.kernel_died
    (err,) = run.errors
    assert err.ename == "KernelDied" and "status 1" in err.evalue and err.cell_index == 2
    assert run.answers["grad"].status == "error"
    assert live_group_members(pgid) == []


# ------------------------------------- no answer cell; broken protocol; Ctrl-C


def test_without_an_answer_tag_the_cells_after_the_parameters_are_rerun():
    nb = notebook(cell("x0 = 2.0", "parameters"), cell("y = 2 * x0"))
    ex = run_submission(nb, answers=["x0", "y"], visible_point={"x0": 2.0},
                        reruns=[Rerun("hidden point 1", {"x0": 5.0}, "x0 = 5.0")])
    assert ex.fatal is None
    values = [(r.answers["x0"].value, r.answers["y"].value) for r in ex.runs]
    assert values == [(2.0, 4.0), (5.0, 10.0)]


def test_a_notebook_that_breaks_the_kernel_protocol_is_an_error_not_a_crash():
    nb = notebook(cell("x0 = 1.0", "parameters"), cell("grad = x0", "answer"),
                  cell("import json\njson.dumps = lambda *a, **k: 'garbage'"),
                  cell("later = 1.0"))
    handle = start_kernel(nb)
    pgid = handle.pgid
    ex = handle.run(answers=["grad"], visible_point={"x0": 1.0}, reruns=HIDDEN, cell_timeout=3)
    run = ex.runs[0]
    assert len(ex.runs) == 1 and run.answers["grad"].status == "error"
    assert run.errors and run.errors[-1].ename in ("KernelProtocolError", "Timeout")
    assert live_group_members(pgid) == []


def test_ctrl_c_in_the_grader_still_kills_the_kernel():
    nb = notebook(cell("import time\ntime.sleep(30)"))
    handle = start_kernel(nb)
    pgid, root = handle.pgid, handle.folders.root
    main = threading.main_thread().ident
    timer = threading.Timer(1.5, lambda: signal.pthread_kill(main, signal.SIGINT))
    timer.start()
    try:
        with python_sigint(), pytest.raises(KeyboardInterrupt):
            handle.run(answers=["x"], visible_point={})
    finally:
        timer.cancel()
    assert live_group_members(pgid) == []
    assert not root.exists()
