"""What the tape differentiated: the evidence behind "computed with GradientTape".

Every ``GradientTape.gradient``, ``jacobian`` and ``batch_jacobian`` call ends in
``notify(op, targets, sources, results)``. Whoever listens keeps a ``Ledger`` of
``TapeCall``s: the op, a copy of each target's value (what was differentiated), each
source's value (with respect to what) and each result. The grader then asks more than
"did this number come out of a tape": the answer must be a result whose source held
the exercise's point and whose target held the exercise's function value there.

Who listens: at import a default ledger does (a student's own Jupyter, the grader's
in-process tools). A graded kernel's bootstrap (``grader.kernel``) replaces it, once,
before any student code runs, with a listener of its own that also checks that the
call really comes from the tape's methods; ``listen`` refuses every later listener,
so code in a notebook cannot swap one in. Targets and sources are kept as copies (a
variable's value changes as it trains); results as read-only views of the arrays the
tape returned, which nothing public writes into (``Tensor.numpy()`` hands out copies),
so the evidence costs no copy of a large gradient. A result whose value was replaced
afterwards no longer matches. The ledger is bounded by count and bytes, oldest calls
dropped first.
"""

from __future__ import annotations

import contextlib
import weakref
from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["TapeCall", "Ledger", "listen", "notify", "paused", "default_ledger", "MAX_CALLS", "MAX_BYTES"]

MAX_CALLS = 4096
MAX_BYTES = 64 * 2**20
# Targets and sources bigger than this are kept as their shape only (no exercise's
# point or function value is anywhere near this size; a training batch may be).
MAX_KEPT_ELEMENTS = 1 << 16


@dataclass(frozen=True)
class TapeCall:
    """One gradient/jacobian call: ``results[i]`` is d targets / d ``sources[i]``.

    ``targets`` and ``sources`` hold numpy copies (None where the tensor was too large
    to keep); ``results`` holds (weak reference to the returned tensor, numpy copy of
    its value), or None for an unconnected source. How the answer was made, for an
    exercise's requirements: ``tape`` numbers the tape object (1, 2, ... in the order
    the ledger first heard of each), ``persistent`` is its flag, ``depth`` the number of
    other tapes still recording around the call (1 for an inner tape of a nested pair),
    ``watched[i]`` whether source i was passed to ``tape.watch`` and ``variables[i]``
    whether it is a ``tf.Variable``; ``nested`` says a target is itself the result of
    an earlier call taken while another tape recorded (the outer call of nested tapes:
    a Hessian's ``outer.jacobian(grad, x)``).
    """

    op: str
    targets: tuple
    sources: tuple
    results: tuple
    nbytes: int
    tape: int = 0
    persistent: bool = False
    depth: int = 0
    watched: tuple = ()
    variables: tuple = ()
    nested: bool = False


def _view(tensor) -> np.ndarray:
    """A read-only view of a returned tensor's value (no copy: results can be large)."""
    view = np.asarray(tensor._value).view()
    view.setflags(write=False)
    return view


def _copy(tensor, limit: int = MAX_KEPT_ELEMENTS):
    value = np.asarray(tensor._value)
    if value.size > limit:
        return None
    kept = value.copy()
    kept.setflags(write=False)
    return kept


class Ledger:
    """The last ``MAX_CALLS`` tape calls of this process, newest last."""

    def __init__(self, max_calls: int = MAX_CALLS, max_bytes: int = MAX_BYTES):
        self._calls: deque = deque()
        self._tapes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        # Results of calls made while another tape recorded (id -> weak reference), so
        # ``nested`` is one look-up, not a search of the whole ledger per call.
        self._inner: dict[int, weakref.ref] = {}
        self._bytes = 0
        self._max_calls, self._max_bytes = max_calls, max_bytes

    def note(self, op: str, targets, sources, results, tape=None) -> None:
        kept = []
        for r in results:
            kept.append(None if r is None else (weakref.ref(r), _view(r)))
        how = {}
        if tape is not None:
            from .recording import active
            from .tensor import Variable

            serial = self._tapes.setdefault(tape, len(self._tapes) + 1)
            watched_ids = {id(k) for k in (tape._keep or ())}
            how = dict(tape=serial, persistent=bool(tape._persistent),
                       depth=sum(1 for other in active if other is not tape),
                       watched=tuple(id(s) in watched_ids for s in sources),
                       variables=tuple(isinstance(s, Variable) for s in sources),
                       nested=any(self._is_inner(t) for t in targets))
        call = TapeCall(op=op, targets=tuple(_copy(t) for t in targets),
                        sources=tuple(_copy(s) for s in sources), results=tuple(kept),
                        nbytes=sum(k[1].nbytes for k in kept if k is not None), **how)
        self._calls.append(call)
        self._bytes += call.nbytes
        if call.depth >= 1:
            if len(self._inner) > 2 * self._max_calls:  # forget the dead
                self._inner = {k: r for k, r in self._inner.items() if r() is not None}
            for r in results:
                if r is not None:
                    self._inner[id(r)] = weakref.ref(r)
        while len(self._calls) > self._max_calls or (
                self._bytes > self._max_bytes and len(self._calls) > 1):
            self._bytes -= self._calls.popleft().nbytes

    def _is_inner(self, tensor) -> bool:
        ref = self._inner.get(id(tensor))
        return ref is not None and ref() is tensor

    def clear(self) -> None:
        self._calls.clear()
        self._inner.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._calls)

    def matches(self, value) -> list[tuple[TapeCall, int]]:
        """(call, result index) of every recorded result ``value`` is, newest first.

        A tensor matches only itself (and only while its value is still the one the
        tape returned); a plain number or numpy array matches a result of exactly
        equal value and shape.
        """
        from .tensor import Tensor

        found = []
        if isinstance(value, Tensor):
            current = np.asarray(value._value)
            for call in reversed(self._calls):
                for i, kept in enumerate(call.results):
                    if kept is not None and kept[0]() is value and _same(current, kept[1]):
                        found.append((call, i))
            return found
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (float, int, np.ndarray, np.generic)):
            return found
        try:
            candidate = np.asarray(value)
        except (OverflowError, ValueError):
            return found
        if candidate.dtype.kind not in "fiu":
            return found
        for call in reversed(self._calls):
            for i, kept in enumerate(call.results):
                if kept is not None and _same(candidate, kept[1]):
                    found.append((call, i))
        return found

    def losses(self, limit: int = 10_000) -> list[float]:
        """The value of each scalar target differentiated by ``gradient``, in order (the
        last ``limit``): in a training loop, the loss of every step."""
        out = []
        for call in self._calls:
            if call.op == "gradient" and len(call.targets) == 1 and \
                    call.targets[0] is not None and call.targets[0].size == 1:
                out.append(float(call.targets[0].reshape(())))
        return out[-limit:]

    def came_from_tape(self, value) -> bool:
        """True if ``value`` (or each item of a list/tuple of them) is a recorded result."""
        if isinstance(value, (list, tuple)):
            return bool(value) and all(self.came_from_tape(v) for v in value)
        return bool(self.matches(value))


def _same(candidate: np.ndarray, recorded: np.ndarray) -> bool:
    if candidate.shape != recorded.shape:
        return False
    if candidate.dtype.kind == "f" or recorded.dtype.kind == "f":
        with np.errstate(all="ignore"):
            return bool(np.array_equal(candidate.astype(np.float64),
                                       recorded.astype(np.float64), equal_nan=True))
    return bool(np.array_equal(candidate, recorded))


_default = Ledger()
_listener = _default.note
_replaceable = True
_paused = 0


def listen(listener) -> None:
    """Make ``listener(op, targets, sources, results, tape)`` the one that hears every call.

    Allowed once: it replaces the default ledger, and after that every call raises.
    """
    global _listener, _replaceable
    if not _replaceable:
        raise RuntimeError("the tape already has its listener")
    _listener, _replaceable = listener, False


def notify(op: str, targets, sources, results, tape=None) -> None:
    """Called by the tape's gradient methods with what they just computed."""
    if not _paused:
        _listener(op, targets, sources, results, tape)


@contextlib.contextmanager
def paused():
    """Tape calls made inside are not heard: the grader's own computations in a
    notebook (the feedback cell's references) leave no evidence. Pausing can only
    hide evidence, never add any, so it needs no guard."""
    global _paused
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1


def default_ledger() -> Ledger:
    """The ledger that listens until a graded kernel's bootstrap installs its own."""
    return _default
