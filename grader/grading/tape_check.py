"""Did the tape differentiate the exercise's function at this point?

"Computed with GradientTape" means more than "this number came out of a tape": a
hand-written derivative ``c`` laundered as ``tape.gradient(s * c, s)`` came out of a
tape too. The kernel's ledger reports, for each tape call that returned the answer,
the value of what was differentiated (the target) and of the source the answer is the
derivative for. The answer counts as the tape's when one such call had

- its source equal to the point's value of the answer's variable (the exercise's own
  variable, not a fresh one), and
- its one target equal to what the exercise differentiates there: the function's
  value for a first derivative or Jacobian, the previous derivative for a higher
  order (``tape_target``), computed here in float64, never in the kernel.

``judge`` runs at the visible point and at every hidden point. It returns why the
evidence falls short, in words a student can act on, or None.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

import numpy as np

from grader.authoring.spec import AnswerSpec, Spec, format_value
from grader.results import Observed, TapeEvidence

TAPE_KINDS = ("gradient", "higher-order", "jacobian", "batch-jacobian")
# The kernel computes in float32: its target values carry float32 rounding.
_TARGET_RTOL = 1e-4
_TARGET_ATOL = 1e-5
_SOURCE_RTOL = 1e-6


def tape_target(spec: Spec, answer: AnswerSpec, point: Mapping[str, np.ndarray]
                ) -> np.ndarray | None:
    """The value the differentiated target must hold at ``point`` (None: no tape check)."""
    if spec.kind not in TAPE_KINDS:
        return None
    values = {name: np.asarray(v, dtype=np.float64) for name, v in point.items()}
    if answer.order <= 1:
        return np.asarray(answer.expression.evaluate(values), dtype=np.float64)
    from grader.grading.reference import _engine_answer
    import grader.tape as tf

    lower = replace(answer, order=answer.order - 1)
    return np.asarray(_engine_answer(tf, spec, lower, values), dtype=np.float64)


def _array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    from grader.grading.check import decode_value

    try:
        array = np.asarray(decode_value(value), dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    return array


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    if got.size != want.size:
        return False
    got, want = got.reshape(-1), want.reshape(-1)
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(got - want) <= atol * scale + rtol * np.abs(want)))


def _why_not(evidence: TapeEvidence, source: np.ndarray, target: np.ndarray, variable: str
             ) -> str | None:
    got_source = _array(evidence.source)
    if got_source is None or not _close(got_source, source, _SOURCE_RTOL, _SOURCE_RTOL):
        shown = "an unrecorded value" if got_source is None else format_value(got_source)
        return (f"the tape's source held {shown}, not the point's `{variable}` = "
                f"{format_value(source)}: differentiate with respect to the exercise's "
                f"variable itself")
    if len(evidence.targets) != 1:
        return (f"the tape differentiated {len(evidence.targets)} targets at once; "
                "differentiate the one function of the exercise")
    got_target = _array(evidence.targets[0])
    if got_target is None:
        return "the tape's target was too large to check"
    if _close(got_target, target, _TARGET_RTOL, _TARGET_ATOL):
        return None
    if evidence.op == "gradient" and target.size == 1 and _close(
            np.asarray(np.sum(got_target)), target, _TARGET_RTOL, _TARGET_ATOL):
        return None  # gradient sums a non-scalar target, as TensorFlow does
    return (f"the tape differentiated something worth {format_value(got_target)} here, "
            f"but the exercise's function is {format_value(target)} at this point: "
            "compute the exercise's function inside the `with` block and differentiate it")


def judge(obs: Observed | None, answer: AnswerSpec, target: np.ndarray,
          point: Mapping[str, np.ndarray]) -> str | None:
    """None when the evidence shows the tape computed ``obs`` at ``point``; else why not."""
    if obs is None or obs.status != "ok":
        return f"there is no value of `{answer.name}` to check"
    items: Sequence[Observed] = obs.items if answer.is_list and obs.items else (obs,)
    if len(items) != len(answer.of):
        return f"`{answer.name}` should hold {len(answer.of)} gradients, one per source"
    for item, variable in zip(items, answer.of):
        if not item.evidence:
            return "it is not a result of tape.gradient or tape.jacobian"
        source = np.asarray(point[variable], dtype=np.float64)
        reasons = [_why_not(e, source, target, variable) for e in item.evidence]
        if None not in reasons:
            return reasons[0]
    return None
