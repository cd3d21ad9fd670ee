"""The plain data that flows between execution, checking and reporting.

Everything here is built from JSON-safe values (str, int, float, bool, None, lists,
dicts), so a result can be written to disk, read back and reported without ever
trusting an object that came out of a student's kernel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any, Mapping


class Status(str, Enum):
    """Why a result's score is what it is, as every report and gradebook writes it.

    A ``str`` enum: the JSON value is the string itself (``"graded"`` ...), and a
    comparison with that string holds, so files written before the enum read the same.
    """

    GRADED = "graded"  # the answers were judged (passed or not)
    FAILED_TO_GRADE = "failed-to-grade"  # nothing could be judged: unreadable, unknown
    TIMED_OUT = "timed-out"  # the submission ran past its time limit

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class TapeEvidence:
    """One tape call that returned an answer, as the kernel's ledger recorded it.

    ``op`` is ``gradient``, ``jacobian`` or ``batch_jacobian``; ``targets`` the values
    of what was differentiated; ``source`` the value of the source the answer is the
    derivative for (JSON values; None where the kernel kept no copy).
    """

    op: str
    targets: tuple = ()
    source: Any = None
    # How it was made (for an exercise's requirements): which tape (numbered in the
    # order the kernel first heard of each), its persistence, how many other tapes were
    # recording around the call, and whether the source was watched / a tf.Variable.
    tape: int = 0
    persistent: bool = False
    depth: int = 0
    watched: bool = False
    variable: bool = False
    # A target was itself a gradient taken while another tape recorded (nested tapes).
    nested: bool = False


class RunEnd(str, Enum):
    """Why a run (or the whole execution) ended, decided where it happened.

    Set by ``grader/grading/execute.py`` from what it observed (a timer, the kernel
    process's exit, the disk watchdog) and carried as data to checking and the report,
    so nothing downstream has to guess from the words of a message.
    """

    COMPLETED = "completed"
    TIMED_OUT = "timed_out"  # a cell or the whole submission ran past its time limit
    KERNEL_DIED = "kernel_died"  # the kernel process exited or was killed by a signal
    CELL_ERROR = "cell_error"  # after a cell the grader could not follow the kernel
    REFUSED = "refused"  # the kernel never started (the sandbox could not launch it)
    OUTPUT_LIMIT = "output_limit"  # the answers' messages went past their cap
    DISK_LIMIT = "disk_limit"  # the private folder went past its size or file cap

    @property
    def explanation(self) -> str:
        """How a report finishes "The notebook ... before `grad` was computed"."""
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    RunEnd.COMPLETED: "stopped",
    RunEnd.TIMED_OUT: "ran out of time",
    RunEnd.KERNEL_DIED: "crashed the Python kernel",
    RunEnd.CELL_ERROR: "broke the kernel's messaging",
    RunEnd.REFUSED: "could not be started",
    RunEnd.OUTPUT_LIMIT: "produced more output than the grader reads",
    RunEnd.DISK_LIMIT: "wrote more to disk than its limit allows",
}


@dataclass(frozen=True)
class Observed:
    """One answer variable as the extraction cell found it in the kernel.

    ``status`` is ``"ok"`` (a value was read), ``"missing"`` (the name was never
    assigned), ``"none"`` (it is ``None``: the classic unconnected gradient),
    ``"error"`` (reading it raised; ``error`` says what) or ``"unserializable"``
    (not a number, tensor or nested list of them). ``value`` holds nested lists of
    floats, with NaN and infinities kept as the strings "nan", "inf", "-inf".
    ``from_tape`` is True when the value is one that ``tape.gradient``, ``jacobian``
    or ``batch_jacobian`` returned during the run, or its numpy/float conversion;
    ``evidence`` says which calls (what they differentiated, with respect to what), and
    ``tampered`` what the kernel saw replaced in its interpreter before this reading.
    """

    name: str
    status: str
    type_name: str = ""
    dtype: str | None = None
    shape: tuple[int, ...] | None = None
    value: Any = None
    from_tape: bool = False
    error: str | None = None
    # For structured answers (a list/tuple of tensors, e.g. gradients of two sources).
    items: tuple["Observed", ...] | None = None
    evidence: tuple[TapeEvidence, ...] = ()
    tampered: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellError:
    """A cell that raised, timed out or killed the kernel, kept for the report."""

    cell_index: int
    tag: str | None
    ename: str
    evalue: str
    traceback: str
    source: str

    @property
    def where(self) -> str:
        """The cell as the student finds it: its number in the notebook and its tag
        ("cell 4 (answer)"), never the kernel's name for it (``In[1]``, ``NNNN.py``)."""
        if self.cell_index < 0:
            return "the grader's parameters cell" if self.tag == "parameters" else "a grader cell"
        return f"cell {self.cell_index + 1}" + (f" ({self.tag})" if self.tag else "")


@dataclass(frozen=True)
class Run:
    """One pass over the answer cells: the visible point first, then hidden points.

    ``point`` maps each variable name to the (JSON) value it was set to; ``label`` is
    how the report names it ("visible point", "hidden point 1").
    """

    label: str
    hidden: bool
    point: dict[str, Any]
    answers: dict[str, Observed]
    errors: tuple[CellError, ...] = ()
    timed_out: bool = False
    kernel_died: bool = False
    # Why this run ended; ``timed_out``/``kernel_died`` agree with it (kept for callers).
    end: RunEnd = RunEnd.COMPLETED
    # The value of every scalar the tape differentiated in this run, in order: in a
    # training loop, the loss of each step (the report draws it beside the reference's).
    losses: tuple = ()

    def __post_init__(self) -> None:
        # A caller that only sets the old flags still gets the matching ``end``.
        if self.end is RunEnd.COMPLETED and (self.timed_out or self.kernel_died):
            object.__setattr__(self, "end", RunEnd.TIMED_OUT if self.timed_out
                               else RunEnd.KERNEL_DIED)


@dataclass(frozen=True)
class Execution:
    """What running a submission produced, before any judging."""

    runs: tuple[Run, ...]
    duration_s: float
    sandbox: str
    fatal: str | None = None  # why nothing more could run, in words for the report
    output_truncated: bool = False
    # Why the execution ended (the last run's end, or REFUSED when none could start).
    end: RunEnd = RunEnd.COMPLETED
    # Set when the sandbox could not give everything it promises (shown in the footer).
    sandbox_note: str | None = None

    @property
    def timed_out(self) -> bool:
        """The submission's time limit ended the run (a cell's or the whole one's)."""
        return self.end is RunEnd.TIMED_OUT


@dataclass(frozen=True)
class CheckResult:
    """One row of the report."""

    name: str
    passed: bool
    score: float
    max_score: float
    expected: Any = None
    got: Any = None
    message: str = ""
    hint: str = ""
    hidden: bool = False
    point_label: str = ""
    # Why the run ended, when it ended before the answer could be judged (a time limit,
    # a dead kernel): such a row says so and no diagnosis is drawn from it.
    stopped: "RunEnd | None" = None


@dataclass
class GradeResult:
    """The verdict on one submission: what every report format is rendered from."""

    exercise: str
    submission: str
    score: float
    max_score: float
    passed: bool
    checks: list[CheckResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    cell_errors: list[CellError] = field(default_factory=list)
    sandbox: str = ""
    title: str = ""
    status: Status = Status.GRADED
    # Inline plot data for one-variable exercises: drawn by grader/delivery/report/plot.py.
    plot: dict[str, Any] | None = None
    # Training exercises: the reference loop's loss per step and the loss at the
    # student's trained values (drawn by grader/delivery/report/loss_plot.py).
    loss_curve: dict[str, Any] | None = None
    # None, or "needs review: ..." from the integrity scan and the kernel's watch.
    integrity: str | None = None

    # Why the run ended (a ``RunEnd`` value) and what the sandbox could not give.
    end: str = RunEnd.COMPLETED.value
    sandbox_note: str | None = None

    def __post_init__(self) -> None:
        # Callers that still pass the JSON string get the enum member.
        self.status = Status(self.status)

    def to_json(self) -> dict[str, Any]:
        """The JSON report: the keys other tools rely on (exercise, submission, score,
        max_score, passed, checks, errors, duration_s), then a few extra ones."""
        return {
            "exercise": self.exercise,
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "score": c.score,
                    "max_score": c.max_score,
                    "expected": c.expected,
                    "got": c.got,
                    "message": c.message,
                    "hint": c.hint,
                }
                for c in self.checks
            ],
            "errors": list(self.errors),
            "duration_s": self.duration_s,
            "status": self.status.value,
            "sandbox": self.sandbox,
            "integrity": self.integrity,
            "sandbox_note": self.sandbox_note,
            "end": self.end,
            "cell_errors": [asdict(e) for e in self.cell_errors],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "GradeResult":
        """The result ``to_json`` wrote, read back (``grader batch`` summarises a class
        from its JSON reports). Keys it does not know are ignored; a value of the wrong
        type raises ``ValueError`` or ``TypeError``, never yields a half-built result."""
        if not isinstance(data, Mapping):
            raise TypeError(f"a JSON report is an object, not {type(data).__name__}")
        check_names = {f.name for f in fields(CheckResult)}
        checks = [CheckResult(**{k: v for k, v in _mapping(c, "check").items()
                                 if k in check_names})
                  for c in _listed(data, "checks")]
        cell_names = {f.name for f in fields(CellError)}
        cell_errors = [CellError(**{k: v for k, v in _mapping(e, "cell error").items()
                                    if k in cell_names})
                       for e in _listed(data, "cell_errors")
                       if cell_names <= set(_mapping(e, "cell error"))]
        known = {f.name for f in fields(cls)}
        extra = {k: data[k] for k in known - _READ_BY_HAND if k in data}
        return cls(
            exercise=str(data.get("exercise") or ""), submission=str(data.get("submission") or ""),
            score=float(data.get("score") or 0.0), max_score=float(data.get("max_score") or 0.0),
            passed=bool(data.get("passed")), checks=checks,
            errors=[str(e) for e in _listed(data, "errors")],
            duration_s=float(data.get("duration_s") or 0.0), cell_errors=cell_errors,
            sandbox=str(data.get("sandbox") or ""), status=str(data.get("status") or "graded"),
            integrity=str(data["integrity"]) if data.get("integrity") else None, **extra)


# The fields ``from_json`` converts itself; any other field of GradeResult that the
# JSON holds (``title``, and whatever later waves add) is taken as written.
_READ_BY_HAND = {"exercise", "submission", "score", "max_score", "passed", "checks", "errors",
                 "duration_s", "cell_errors", "sandbox", "status", "integrity"}


def _listed(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key!r} in a JSON report is not a list")
    return value


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"a {what} in a JSON report is not an object")
    return value
