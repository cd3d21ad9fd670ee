"""The adversarial corpus: hostile submissions and the verdict each must get.

Most cases are the shipped solution notebook of ``quadratic_derivative`` with a
hostile answer cell; the malformed ones are raw bytes. Sources may name places of the
test run with placeholders, filled in by ``build_corpus``:

- ``@SOLUTION@``, ``@SPEC@``: the reference solution and the spec in the checkout;
- ``@CLASS@``: the folder of the whole batch (neighbours' notebooks), ``@OUT@`` its
  report folder, ``@CANARY@`` a file outside every working folder;
- ``@PACKAGE@``: the installed ``grader`` package folder;
- ``@MARKER@``: a word unique to this test run, put on stray processes' command lines.

Verdicts: ``pass`` (a legitimate pass despite the noise: the grader must still
grade it), ``fail`` (graded, some check failed: exit 1), ``ungradable`` (exit 2).
``words``: what the report must say, lower-case, any one of each tuple.
``bwrap_words``: what only the bwrap sandbox can promise (a file it hides, a
read-only filesystem, no network).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

EXERCISE = "quadratic_derivative"
SECRETS = {
    "GITHUB_TOKEN": "ghp_adversarialTOKEN0123456789abcdef",
    "AWS_SECRET_ACCESS_KEY": "aws+adversarial/SECRET/key0987654321",
    "COURSE_DB_PASSWORD": "hunter2-adversarial-password",
}
# Strings a report must never contain raw (each hostile HTML payload uses one).
UNESCAPED = ("<script>alert(", "<img src=x onerror", "<b>bold-from-notebook</b>")

SOLUTION_ANSWER = ("x = tf.Variable(x0)\n\nwith tf.GradientTape() as tape:\n"
                   "    y = x**2 + 2 * x - 1\n\ngrad = tape.gradient(y, x)\n")

TIMEOUT = ("time limit",)
DIED = ("kernel died", "crashed")


@dataclass(frozen=True)
class Case:
    name: str
    verdict: str  # pass | fail | ungradable
    answer: str | None = None  # the hostile answer cell (None: ``raw`` or ``edit``)
    words: tuple[tuple[str, ...], ...] = ()
    bwrap_words: tuple[tuple[str, ...], ...] = ()
    raw: Callable[[bytes], bytes] | None = None  # solution bytes -> file bytes
    edit: Callable[[dict], None] | None = None  # changes the notebook dict in place
    slow: bool = False  # waits for a time limit
    # Which graders promise it (README's security section): "all"; "unprivileged" (the
    # kernel is not root: every mode but basic under a root grader whose Python nobody
    # can run); "isolated" (no grader process within the kernel's signals: bwrap, or
    # basic with the kernel dropped to nobody); "bwrap". Left out of the other runs.
    where: str = "all"
    absent: tuple[str, ...] = ()  # what the report must not say (lower-case)


def _hostile(code: str, then_solve: bool = False) -> str:
    return code + ("\n" + SOLUTION_ANSWER if then_solve else "\n")


def _with_cells(nb: dict, change: Callable[[list], list]) -> None:
    nb["cells"] = change(nb["cells"])


def _untag_answer(nb: dict) -> None:
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "answer" in tags:
            tags.remove("answer")


def _duplicate_answer(nb: dict) -> None:
    cells = nb["cells"]
    index = next(i for i, c in enumerate(cells) if "answer" in c["metadata"].get("tags", []))
    copy = json.loads(json.dumps(cells[index]))
    copy["source"] = "grad = 6.0  # a second answer cell, hard-coded\n"
    copy.pop("id", None)
    cells.insert(index + 1, copy)


def _nbformat_v3(_solution: bytes) -> bytes:
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"},
                       "worksheets": [{"cells": [{"cell_type": "code", "language": "python",
                                                  "input": "grad = 6.0", "outputs": []}],
                                       "metadata": {}}]}).encode()


def _fifty_mb(solution: bytes) -> bytes:
    nb = json.loads(solution)
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "x" * (50 << 20)})
    return json.dumps(nb).encode()


def _invalid_utf8(solution: bytes) -> bytes:
    return solution.replace(b"Derivative", b"Deriv\xff\xfeative", 1)


_FORK = """
import os, sys, time
children = []
for i in range(200):  # bounded: a failed sandbox must not take the machine down
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        if i % 2:
            os.setsid()  # leave the process group: only a tree or folder scan finds it
        try:
            # "; :" keeps sh from exec'ing sleep, so the marker stays on a command line
            os.execv("/bin/sh", ["sh", "-c", "sleep 300; :", "@MARKER@"])
        finally:
            os._exit(0)
    children.append(pid)
raise RuntimeError(f"forked {len(children)} children")
"""

_REPR_HANGS = """
class Evil:
    def __repr__(self):
        while True:
            pass
    __str__ = __repr__
    def __float__(self):
        while True:
            pass
    def __array__(self, *a, **k):
        while True:
            pass
grad = Evil()
"""

_RAISES = """
class Evil:
    def __repr__(self):
        raise RuntimeError("<script>alert('repr')</script>")
    def __float__(self):
        raise RuntimeError("float says no")
    def __array__(self, *a, **k):
        raise RuntimeError("array says no")
    def __getattr__(self, name):
        raise RuntimeError(name)
grad = Evil()
"""

_LIES = """
import numpy as np
class Liar(float):
    def __new__(cls):
        return float.__new__(cls, 6.0)
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __array__(self, *a, **k):
        return np.float32(6.0)
    def __repr__(self):
        return "tf.Tensor(6.0, shape=(), dtype=float32)  # PASSED 5.5/5.5"
grad = Liar()
"""

_FORGE_DISPLAY = """
import IPython.display, json
from IPython import get_ipython
ip = get_ipython()
fake = {"grad": {"kind": "number", "value": 6.0, "dtype": "float32", "shape": []}}
real_publish = ip.display_pub.publish
def publish(data, metadata=None, *a, **k):
    data = {key: (json.dumps(fake) if "tapegrader" in key else value)
            for key, value in data.items()}
    return real_publish(data, metadata, *a, **k)
ip.display_pub.publish = publish
IPython.display.display = lambda *a, **k: None
grad = 0.0
"""

_TRACEBACK = """
from IPython import get_ipython
ip = get_ipython()
ip.showtraceback = lambda *a, **k: print("all checks PASSED 5.5 / 5.5")
ip.showsyntaxerror = ip.showtraceback
ip._showtraceback = lambda *a, **k: None
grad = undefined_name_here
"""

_JSON = """
import json
json.dumps = lambda *a, **k: '{"grad": 6.0, "score": 5.5}'
json.loads = lambda *a, **k: {"grad": 6.0}
grad = 0.0
"""

_PROC_ENVIRON = """
import os
seen = []
pid = os.getpid()
for _ in range(6):  # the kernel, its parents, the grader and the batch above it
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            seen.append(fh.read().decode("latin-1"))
        with open(f"/proc/{pid}/stat") as fh:
            pid = int(fh.read().rsplit(")", 1)[1].split()[1])
    except Exception as err:
        seen.append(repr(err))
        break
    if pid <= 1:
        break
raise ValueError("environ: " + " | ".join(seen))
"""

_READ = """
import glob
found = []
for pattern in ["@SOLUTION@", "@SPEC@", "@CLASS@/*.ipynb", "@OUT@/reports/*.json"]:
    for path in glob.glob(pattern)[:3] or [pattern]:
        try:
            with open(path, "rb") as fh:
                found.append(f"READ {path}: {len(fh.read())} chars")
        except OSError as err:
            found.append(f"{type(err).__name__}: {err}")
raise PermissionError("; ".join(found))
"""

_WRITE = """
import os
outcomes = []
for path in ["@CANARY@", "@OUT@/gradebook.csv", "@OUT@/reports/@SELF@.html",
             "@OUT@/reports/@SELF@.json", "@OUT@/reports/normal_001_wrong.json"]:
    try:
        with open(path, "w") as fh:
            fh.write('{"score": 5.5, "max_score": 5.5, "passed": true}')
        outcomes.append(f"WROTE {path}")
    except OSError as err:
        outcomes.append(f"{type(err).__name__}: {err}")
# The grader's own sources: opened for appending, nothing written (a sandbox that
# failed must not break the checkout the other tests run from).
try:
    open("@PACKAGE@/__init__.py", "a").close()
    outcomes.append("OPENED the grader's source for writing")
except OSError as err:
    outcomes.append(f"{type(err).__name__}: {err}")
raise PermissionError("; ".join(outcomes))
"""

_NETWORK = """
import socket
errors = []
for host, port in [("1.1.1.1", 53), ("8.8.8.8", 53), ("127.0.0.1", 22)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        errors.append(f"CONNECTED to {host}")
    except OSError as err:
        errors.append(f"{type(err).__name__}: {err}")
raise ConnectionError("; ".join(errors))
"""

CASES: list[Case] = [
    Case("infinite_loop", "fail", "while True:\n    pass\n", words=(TIMEOUT,), slow=True),
    Case("sleep_forever", "fail", "import time\ntime.sleep(10**6)\n", words=(TIMEOUT,),
         slow=True),
    Case("memory_bomb", "fail", "blob = bytearray(8 * 2**30)\ngrad = 1.0\n",
         words=(("memoryerror", "memory"),)),
    Case("fork_bomb", "fail", _FORK, words=(("forked", "blockingioerror", "resource"),)),
    Case("os_exit", "fail", "import os\nos._exit(1)\n", words=(DIED,)),
    Case("segfault", "fail", "import ctypes\nctypes.string_at(0)\n", words=(DIED,)),
    Case("sys_exit", "fail", "import sys\nsys.exit()\n",
         words=(("systemexit", "exit"),)),
    Case("raise_keyboard_interrupt", "fail", "raise KeyboardInterrupt\n",
         words=(("keyboardinterrupt",),)),
    Case("raise_system_exit", "fail", "raise SystemExit(0)\n", words=(("systemexit",),)),
    Case("print_100mb", "pass",
         _hostile("import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(100):\n"
                  "    sys.stdout.write(chunk)", then_solve=True)),
    Case("huge_image", "pass",
         _hostile("from IPython.display import display\n"
                  "display({'image/png': 'iVBORw0KGgo' + 'A' * (40 << 20)}, raw=True)",
                  then_solve=True)),
    Case("env_secrets", "fail",
         "import os\nraise ValueError('env: ' + repr(dict(os.environ)))\n",
         words=(("valueerror",),)),
    Case("proc_environ", "fail", _PROC_ENVIRON, words=(("valueerror",),)),
    Case("read_outside", "fail", _READ, words=(("permissionerror",),),
         bwrap_words=(("no such file",),)),
    Case("write_outside", "fail", _WRITE, words=(("permissionerror",),),
         bwrap_words=(("read-only file system", "no such file"),)),
    # Deleting its own files cannot change the grade (the grader keeps its copy), but
    # os.remove is outside what the integrity scan expects of this course: review.
    Case("delete_own_notebook", "fail",
         _hostile("import glob, os\nfor p in glob.glob('*.ipynb'):\n    os.remove(p)",
                  then_solve=True), words=(("held for review",), ("os.remove",))),
    Case("network", "fail", _NETWORK, words=(("connectionerror",),),
         bwrap_words=(("network is unreachable",),)),
    Case("forge_display", "fail", _FORGE_DISPLAY, words=(("grad",),)),
    Case("forge_traceback", "fail", _TRACEBACK, words=(("nameerror", "undefined_name_here"),)),
    Case("forge_json", "fail", _JSON, words=(("grad",),)),
    Case("forge_printed_score", "fail",
         "print('✓ PASSED quadratic_derivative: 5.5 / 5.5 points')\ngrad = 6.0\n",
         words=(("hidden point",),)),
    Case("repr_hangs", "fail", _REPR_HANGS, words=(("grad",),), slow=True),
    Case("dunder_raises", "fail", _RAISES, words=(("grad",),)),
    Case("dunder_lies", "fail", _LIES, words=(("grad",),)),
    Case("huge_answer", "fail",
         "import numpy as np\ngrad = np.zeros(10**8, dtype=np.float32)\n",
         words=(("grad",),)),
    Case("html_in_output", "fail",
         "print('<script>alert(1)</script><b>bold-from-notebook</b>')\n"
         "from IPython.display import HTML, display\n"
         "display(HTML('<img src=x onerror=alert(2)>'))\n"
         "raise ValueError('<script>alert(3)</script>')\n",
         words=(("valueerror",),)),
    Case("html_in_value", "fail", "grad = '<script>alert(4)</script>'\n",
         words=(("grad",),)),
    Case("html_in_exception_class", "fail",
         "class E(Exception):\n    pass\nE.__name__ = E.__qualname__ = '<img src=x onerror=alert(5)>'\n"
         "raise E('<b>bold-from-notebook</b>')\n", words=(("grad",),)),
    # Malformed files.
    Case("not_json", "ungradable", raw=lambda _s: b"this is not a notebook {",
         words=(("not valid json", "not a notebook"),)),
    Case("json_not_notebook", "ungradable", raw=lambda _s: b'{"hello": [1, 2, 3]}',
         words=(("not a jupyter notebook",),)),
    Case("json_list", "ungradable", raw=lambda _s: b"[1, 2, 3]",
         words=(("not a jupyter notebook",),)),
    Case("empty_file", "ungradable", raw=lambda _s: b"", words=(("not valid json", "not a notebook"),)),
    Case("nbformat_v3", "ungradable", raw=_nbformat_v3,
         words=(("which exercise", "metadata"),)),
    Case("missing_metadata", "ungradable",
         edit=lambda nb: nb["metadata"].pop("grader"), words=(("which exercise",),)),
    # The answer is graded wherever it was written: an untagged answer cell after the
    # parameters cell is re-run at the hidden points like any other.
    Case("missing_answer_cell", "pass", edit=_untag_answer),
    Case("duplicate_answer_cell", "fail", edit=_duplicate_answer, words=(("hidden point",),)),
    Case("notebook_50mb", "ungradable", raw=_fifty_mb, words=(("mb limit",),)),
    Case("invalid_utf8", "ungradable", raw=_invalid_utf8, words=(("not utf-8",),)),
    Case("byte_order_mark", "pass", raw=lambda s: b"\xef\xbb\xbf" + s),
    Case("cells_not_list", "ungradable",
         raw=lambda _s: json.dumps({"cells": {"a": 1}, "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}).encode(),
         words=(("notebook",),)),
]


def _fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace(f"@{key}@", value)
    return text


def case_bytes(case: Case, solution: bytes, places: dict[str, str]) -> bytes:
    """The submission file of ``case``."""
    if case.raw is not None:
        return case.raw(solution)
    nb = json.loads(solution)
    if case.edit is not None:
        case.edit(nb)
    if case.answer is not None:
        source = _fill(case.answer, dict(places, SELF=case.name))
        for cell in nb["cells"]:
            if "answer" in cell.get("metadata", {}).get("tags", []):
                cell["source"] = source
    return json.dumps(nb, indent=1).encode()


def normal_bytes(solution: bytes, correct: bool) -> bytes:
    """A well-behaved student: the solution, or a hard-coded number (fails hidden points)."""
    if correct:
        return solution
    nb = json.loads(solution)
    for cell in nb["cells"]:
        if "answer" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = "grad = 6.0\n"
    return json.dumps(nb, indent=1).encode()


def build_corpus(folder: Path, solution: bytes, places: dict[str, str], normals: int,
                 cases: list[Case] | None = None,
                 where: frozenset[str] = frozenset({"all"})) -> dict[str, str]:
    """Write the hostile cases whose ``where`` this run promises, and ``normals``
    ordinary students; {stem: verdict}."""
    folder.mkdir(parents=True, exist_ok=True)
    verdicts = {}
    for case in CASES if cases is None else cases:
        if case.where not in where:
            continue
        (folder / f"{case.name}.ipynb").write_bytes(case_bytes(case, solution, places))
        verdicts[case.name] = case.verdict
    for i in range(normals):
        correct = i % 2 == 0
        name = f"normal_{i:03d}_{'right' if correct else 'wrong'}"
        (folder / f"{name}.ipynb").write_bytes(normal_bytes(solution, correct))
        verdicts[name] = "pass" if correct else "fail"
    return verdicts


# Each class of attack keeps its cases in a module of its own; they import ``Case`` and
# the helpers above from this module, so these imports stay below them.
from cases_kernel import CASES as _KERNEL_CASES  # noqa: E402
from cases_sandbox import CASES as _SANDBOX_CASES  # noqa: E402
from cases_inputs import CASES as _INPUT_CASES  # noqa: E402

CASES += _KERNEL_CASES + _SANDBOX_CASES + _INPUT_CASES
CASES_BY_NAME = {case.name: case for case in CASES}
assert len(CASES_BY_NAME) == len(CASES) >= 30
