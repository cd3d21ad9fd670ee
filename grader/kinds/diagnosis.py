"""What a wrong answer's numbers say, stated only where it holds at every point.

A hint is what a student acts on, so a claim such as "off by a factor of 3" must be
true of the mistake, not of one coincidence: each finder here takes the (got, want)
pairs of one answer at every point it was graded at (visible first) and answers
only when the relation holds at all of them, with at least ``MIN_POINTS`` points
for relations that one point cannot establish (a factor, an offset, a difference
linear in the input). Facts about a single point ("this is the function's value
here", "this is the transpose") are checked against the kind's clues at that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

MIN_POINTS = 2  # a factor or an offset needs two points; a line needs three
_RTOL = 1e-4


@dataclass(frozen=True)
class Pair:
    """One graded point of one answer: what came back, what was right, and the kind's
    clues there (other quantities a mistaken answer may equal, by name)."""

    got: np.ndarray
    want: np.ndarray
    clues: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, np.ndarray] = field(default_factory=dict)


def close(a: Any, b: Any, rtol: float = _RTOL, atol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(b),
                                                                                  initial=0)))))


def matches_clue(pairs: Sequence[Pair], clue: str) -> bool:
    """The answer equals the clue ``clue`` at every point (and differs from the right
    one), and the clue itself changes between points: a constant (the second
    derivative of a quadratic) matches many mistakes, so it explains none."""
    usable = [p for p in pairs if p.clues.get(clue) is not None]
    if len(usable) < MIN_POINTS or len(usable) != len(pairs):
        return False
    values = [np.asarray(p.clues[clue], dtype=np.float64) for p in usable]
    if all(close(v, values[0]) for v in values[1:]):
        return False
    return all(close(p.got, v) and not close(p.want, v) for p, v in zip(usable, values))


def transposed(pairs: Sequence[Pair]) -> bool:
    """Every answer is the transpose of the right (non-symmetric) matrix."""
    def one(p: Pair) -> bool:
        want = p.want
        if want.ndim != 2 or close(want, want.T):
            return False
        return p.got.shape == want.T.shape and close(p.got, want.T)
    return bool(pairs) and all(one(p) for p in pairs)


def negated(pairs: Sequence[Pair]) -> bool:
    """The answer is exactly minus the right one at every point (and not zero)."""
    return len(pairs) >= MIN_POINTS and all(np.any(np.abs(p.want) > 1e-6)
                                            and close(-p.got, p.want) for p in pairs)


def common_factor(pairs: Sequence[Pair]) -> float | None:
    """c with got = c * want at every point (c not 1 or -1), from at least two points
    where the right answer is not zero."""
    useful = [p for p in pairs if np.any(np.abs(p.want) > 1e-6)]
    if len(useful) < MIN_POINTS or len(useful) != len(pairs):
        return None
    want = np.concatenate([p.want.ravel() for p in useful])
    got = np.concatenate([p.got.ravel() for p in useful])
    c = float(np.dot(got, want) / np.dot(want, want))
    if abs(c) < 1e-9 or close(c, 1.0) or close(c, -1.0):
        return None
    if all(close(p.got, c * p.want) for p in useful):
        return c
    return None


def common_offset(pairs: Sequence[Pair]) -> np.ndarray | None:
    """d with got = want + d at every point (d the same everywhere, not zero)."""
    if len(pairs) < MIN_POINTS:
        return None
    d = pairs[0].got - pairs[0].want
    if close(d, np.zeros_like(d)):
        return None
    if all(close(p.got - p.want, d) for p in pairs[1:]):
        return d
    return None


def linear_difference(pairs: Sequence[Pair]) -> str | None:
    """The name of the one scalar input the difference got - want is proportional to
    (plus a constant) at every point, from at least three points where that input
    takes distinct values; None otherwise."""
    if len(pairs) < 3 or any(p.got.size != 1 for p in pairs):
        return None
    diffs = np.array([float((p.got - p.want).ravel()[0]) for p in pairs])
    for name in pairs[0].inputs:
        xs = [np.asarray(p.inputs.get(name), dtype=np.float64) for p in pairs]
        if any(x.size != 1 for x in xs):
            continue
        x = np.array([float(v.ravel()[0]) for v in xs])
        if len(set(np.round(x, 9))) < 3:
            continue
        slope, intercept = np.polyfit(x, diffs, 1)
        if abs(slope) > 1e-6 and close(slope * x + intercept, diffs):
            return name
    return None
