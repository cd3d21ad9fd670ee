"""Which values came out of a tape: the grader's evidence that an answer was computed.

``GradientTape.gradient``, ``jacobian`` and ``batch_jacobian`` pass every tensor they
return to ``record``. ``came_from_tape`` then accepts the tensor itself or a plain
value (numpy array or scalar, Python float or int, or a list/tuple of them) exactly
equal to a recorded one. Tensor values are never mutated in place, so the registry
keeps references, not copies; it is bounded by count and by bytes.
"""

from __future__ import annotations

import weakref
from collections import deque

import numpy as np

__all__ = ["record", "came_from_tape", "clear", "MAX_ENTRIES", "MAX_BYTES"]

MAX_ENTRIES = 4096
MAX_BYTES = 64 * 2**20

# (weak reference to the tensor, its numpy value, nbytes), oldest first.
_recent: deque = deque()
_bytes = 0


def record(tensor) -> None:
    """Remember ``tensor`` (called by the tape on every gradient result)."""
    global _bytes
    value = tensor._value
    size = value.nbytes
    _recent.append((weakref.ref(tensor), value, size))
    _bytes += size
    while len(_recent) > MAX_ENTRIES or (_bytes > MAX_BYTES and len(_recent) > 1):
        _bytes -= _recent.popleft()[2]


def clear() -> None:
    """Forget everything (between submissions, or in tests)."""
    global _bytes
    _recent.clear()
    _bytes = 0


def _same_value(candidate: np.ndarray, recorded) -> bool:
    recorded = np.asarray(recorded)
    if candidate.shape != recorded.shape:
        return False
    if candidate.dtype.kind == "f" or recorded.dtype.kind == "f":
        return bool(np.array_equal(candidate.astype(np.float64), recorded.astype(np.float64), equal_nan=True))
    return bool(np.array_equal(candidate, recorded))


def came_from_tape(value) -> bool:
    """True if ``value`` is a recorded gradient tensor, or exactly equals one's value."""
    from .tensor import Tensor
    if isinstance(value, Tensor):
        return any(ref() is value for ref, _, _ in _recent)
    if isinstance(value, (list, tuple)):
        return bool(value) and all(came_from_tape(v) for v in value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, int, np.ndarray, np.generic)):
        return False
    candidate = np.asarray(value)
    if candidate.dtype.kind not in "fiu":
        return False
    return any(_same_value(candidate, recorded) for _, recorded, _ in reversed(_recent))
