"""The loss curve of a training exercise, computed as SVG geometry.

The grader gives the reference loop's loss after each step, the loss at the
student's trained values, and, from the kernel's tape evidence, the loss the
student's tape differentiated at each of their steps: their own curve, drawn dashed
beside the reference's. Where no such curve was recorded (a loop that never called
``tape.gradient`` on a scalar), the student's run is one marked point at the
exercise's last step, with a level line across: where that line meets the reference
curve is where the reference loop was as good as the student's run. The words under
the picture say which; they never claim a curve the grader has not seen.

Like the tangent picture (``plot.py``): inline SVG for ``templates/report/
loss_plot.html.j2``, colours from the page's CSS (so dark mode follows), and nothing
a student's numbers can do (NaN, inf, 1e300, zero, a negative loss) breaks it. Losses
spanning more than a factor of ten are drawn on a log scale, where the slow end of
training is visible.
"""

from __future__ import annotations

import math
from typing import Any

from grader.delivery.report.labels import place_labels
from grader.delivery.report.plot import finite, padded, nice_ticks, tick_label
from grader.delivery.report.text import format_value

WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 62, 14, 30, 40
_AREA_W, _AREA_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# The smallest loss a log axis shows: a run that reached 0 is drawn at its bottom.
_FLOOR = 1e-12


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten in [lo, hi] (log10 values), thinned to at most six."""
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    ticks = list(range(first, last + 1))
    step = max(1, math.ceil(len(ticks) / 6))
    return [float(t) for t in ticks[::step]]


def _log_label(power: float) -> str:
    value = 10.0 ** power
    return f"{value:g}" if 1e-3 <= value < 1e5 else f"1e{int(power)}"


def _first_step_at_or_below(reference: list[float | None], loss: float) -> int | None:
    """The first step at which the reference loss is as low as ``loss`` (within the
    float32 rounding of a student's run, so 50 steps read as 50, not 51)."""
    bound = loss + 1e-3 * abs(loss) + 1e-12
    return next((k for k, v in enumerate(reference) if v is not None and v <= bound), None)


def loss_model(curve: dict[str, Any] | None) -> dict[str, Any] | None:
    """Everything ``loss_plot.html.j2`` draws, or None when there is no curve."""
    if not isinstance(curve, dict):
        return None
    reference = [finite(v) for v in curve.get("reference") or []]
    steps = list(range(len(reference)))
    known = [v for v in reference if v is not None]
    if len(known) < 2:
        return None
    epochs = curve.get("epochs")
    epochs = epochs if isinstance(epochs, int) and not isinstance(epochs, bool) \
        and 0 < epochs <= 10**7 else steps[-1]
    raw_final = curve.get("student_final")
    final = finite(raw_final)
    theirs = [finite(v) for v in (curve.get("student") or [])][:10_000]
    seen = [v for v in theirs if v is not None]
    log = min(known) > 0 and max(known) / min(known) >= 10 and (final is None or final >= 0) \
        and all(v > 0 for v in seen)

    def y_of(v: float) -> float:
        return math.log10(max(v, _FLOOR)) if log else v

    marks = [y_of(v) for v in known] + ([y_of(final)] if final is not None else []) \
        + [y_of(v) for v in seen]
    y0, y1 = padded(min(marks), max(marks), 0.06)
    # A little room right of the last step, so its points show whole.
    x0, x1 = 0.0, float(max(steps[-1], epochs, len(theirs) - 1, 1)) * 1.05

    def px(x: float) -> float:
        return round(LEFT + (x - x0) / (x1 - x0) * _AREA_W, 1)

    def py(v: float) -> float:
        return round(TOP + (y1 - y_of(v)) / (y1 - y0) * _AREA_H, 1)

    def paths_of(values: list[float | None]) -> list[str]:
        path, paths = [], []
        for k, v in enumerate(values):
            if v is None:
                if len(path) > 1:
                    paths.append(" ".join(path))
                path = []
                continue
            path.append(f"{'M' if not path else 'L'}{px(k)},{py(v)}")
        if len(path) > 1:
            paths.append(" ".join(path))
        return paths

    paths = paths_of(reference)
    student_paths = paths_of(theirs) if len(seen) > 1 else []

    if log:
        y_ticks = [{"p": py(10.0 ** t), "text": _log_label(t)} for t in _log_ticks(y0, y1)]
    else:
        ticks = nice_ticks(y0, y1)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 0.0
        y_ticks = [{"p": py(t), "text": tick_label(t, step)} for t in ticks if y0 <= t <= y1]
    x_ticks = [t for t in nice_ticks(x0, x1 / 1.05) if x0 <= t <= x1]
    x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1.0

    ref_final = reference[min(epochs, len(reference) - 1)]
    student = None
    if final is not None:
        cx, cy = px(epochs), py(final)
        reached = _first_step_at_or_below(reference, final)
        student = {"cx": cx, "cy": cy, "text": format_value(final, limit=30),
                   "reached": reached if reached is not None and reached < epochs else None,
                   # float32 rounding of a run like the reference's is not "below" it
                   "below": ref_final is not None and final < ref_final * (1 - 1e-3) - 1e-12}
    labels = [(px(epochs), py(ref_final), "reference")] if ref_final is not None else []
    if student:
        labels.append((student["cx"], student["cy"], "yours"))
    spots = place_labels(labels, (LEFT, TOP, LEFT + _AREA_W, TOP + _AREA_H))
    return {
        "width": WIDTH, "height": HEIGHT,
        "area": {"x": LEFT, "y": TOP, "w": _AREA_W, "h": _AREA_H},
        "log": log, "curves": paths, "student_curves": student_paths,
        "student_steps": len(theirs),
        "x_ticks": [{"p": px(t), "text": tick_label(t, x_step)} for t in x_ticks],
        "y_ticks": y_ticks,
        "reference_end": {"cx": px(epochs), "cy": py(ref_final),
                          "text": format_value(ref_final, limit=30),
                          "label": spots[0]} if ref_final is not None else None,
        "student": {**student, "label": spots[-1]} if student else None,
        "student_missing": final is None,
        "student_unplottable": final is None and raw_final is not None,
        "student_raw": format_value(raw_final, limit=30) if raw_final is not None else "",
        "epochs": epochs,
        "start_text": format_value(known[0], limit=30),
    }
