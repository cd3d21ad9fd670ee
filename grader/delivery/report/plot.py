"""The tangent-line picture of a one-variable exercise, computed as SVG geometry.

The grader gives samples of f around the checked points and, at each point, the
correct slope and the student's. This module turns them into pixel coordinates for
``templates/report/plot.html.j2``: no JavaScript, nothing fetched, and nothing a
student's numbers can do (None, NaN, inf, 1e300, a flat function) breaks the picture.
"""

from __future__ import annotations

import math
from typing import Any

from grader.delivery.report.labels import place_labels
from grader.delivery.report.text import format_value, one_line

WIDTH, HEIGHT = 480, 300
# The plotting area inside the SVG: room on the left and below for tick labels.
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 14, 38
_AREA_W, _AREA_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Values beyond this are not plottable in any useful sense; clamping them keeps every
# span below finite.
_HUGE = 1e100
# Each tangent is drawn over this fraction of the x range on either side of its point.
_TANGENT_HALF_WIDTH = 0.13


def finite(v: Any) -> float | None:
    """``v`` as a float we can plot, or None (None, strings, NaN, inf, absurd sizes)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    v = float(v)
    return v if math.isfinite(v) and abs(v) <= _HUGE else None


def _quantile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))]


def padded(lo: float, hi: float, frac: float) -> tuple[float, float]:
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        half = max(1.0, abs(lo) * 0.1)
        return lo - half, hi + half
    return lo - frac * span, hi + frac * span


def _y_range(curve: list[float], marks: list[float]) -> tuple[float, float]:
    """The y range to show: the curve, unless a pole's outliers would flatten the rest."""
    values = sorted(curve)
    lo, hi = (values[0], values[-1]) if values else (math.inf, -math.inf)
    if len(values) >= 10:
        q_lo, q_hi = _quantile(values, 0.05), _quantile(values, 0.95)
        if hi - lo > 20 * max(q_hi - q_lo, 1e-12):
            lo, hi = q_lo, q_hi
    for y in marks:
        lo, hi = min(lo, y), max(hi, y)
    return padded(lo, hi, 0.08)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo]
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9 and len(ticks) <= count * 3:
        ticks.append(k * step)
        k += 1
    return ticks


def tick_label(t: float, step: float) -> str:
    if t == 0:
        return "0"
    if abs(t) >= 1e5 or abs(t) < 1e-3:
        return f"{t:.2g}"
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return f"{t:.{decimals}f}"


class _Frame:
    """Data coordinates to SVG pixels."""

    def __init__(self, x0: float, x1: float, y0: float, y1: float):
        self.x0, self.x1, self.y0, self.y1 = x0, x1, y0, y1

    def px(self, x: float) -> float:
        return round(LEFT + (x - self.x0) / (self.x1 - self.x0) * _AREA_W, 1)

    def py(self, y: float) -> float:
        p = TOP + (self.y1 - y) / (self.y1 - self.y0) * _AREA_H
        # Far outside the area a polyline vertex may be pulled in: the clip path hides
        # it, and the segment's direction inside the area barely changes.
        return round(min(max(p, TOP - 10 * _AREA_H), TOP + 11 * _AREA_H), 1)


def _curve_paths(frame: _Frame, xs: list[Any], ys: list[Any]) -> list[str]:
    """SVG path data for f, broken wherever a sample is missing or not finite."""
    paths, current = [], []
    for x, y in zip(xs, ys):
        fx, fy = finite(x), finite(y)
        if fx is None or fy is None:
            if len(current) > 1:
                paths.append(" ".join(current))
            current = []
            continue
        current.append(f"{'M' if not current else 'L'}{frame.px(fx)},{frame.py(fy)}")
    if len(current) > 1:
        paths.append(" ".join(current))
    return paths


def _segment(frame: _Frame, x: float, y: float, slope: float | None) -> dict | None:
    """The part of the line through (x, y) with ``slope`` that shows near the point."""
    if slope is None:
        return None
    half = _TANGENT_HALF_WIDTH * (frame.x1 - frame.x0)
    lo, hi = max(frame.x0, x - half), min(frame.x1, x + half)
    if slope != 0:
        # x values where the line crosses the bottom and top of the area.
        a = x + (frame.y0 - y) / slope
        b = x + (frame.y1 - y) / slope
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    elif not frame.y0 <= y <= frame.y1:
        return None
    if not hi > lo:
        return None
    return {"x1": frame.px(lo), "y1": frame.py(y + slope * (lo - x)),
            "x2": frame.px(hi), "y2": frame.py(y + slope * (hi - x))}


def _slope_text(v: Any) -> str:
    return "no slope (None)" if v is None else format_value(v, limit=40)


def plot_model(plot: dict[str, Any] | None) -> dict[str, Any] | None:
    """Everything ``plot.svg.j2`` draws, or None when there is nothing to draw."""
    if not isinstance(plot, dict):
        return None
    xs, ys = list(plot.get("xs") or []), list(plot.get("ys") or [])
    points = [p for p in plot.get("points") or [] if isinstance(p, dict)]
    curve_x = [finite(x) for x, y in zip(xs, ys) if finite(x) is not None
               and finite(y) is not None]
    curve_y = [finite(y) for x, y in zip(xs, ys) if finite(x) is not None
               and finite(y) is not None]
    mark_x = [finite(p.get("x")) for p in points if finite(p.get("x")) is not None]
    mark_y = [finite(p.get("y")) for p in points
              if finite(p.get("x")) is not None and finite(p.get("y")) is not None]
    all_x = curve_x + mark_x
    if not all_x or (len(curve_x) < 2 and not mark_y):
        return None
    x0, x1 = padded(min(all_x), max(all_x), 0.0)
    y0, y1 = _y_range(curve_y, mark_y)
    frame = _Frame(x0, x1, y0, y1)

    marks = []
    for number, p in enumerate(points, start=1):
        x, y = finite(p.get("x")), finite(p.get("y"))
        expected, got = finite(p.get("expected_slope")), finite(p.get("got_slope"))
        on_plot = x is not None and y is not None
        marks.append({
            "number": number,
            "label": one_line(p.get("label"), 80) or f"point {number}",
            "passed": bool(p.get("passed")),
            "x_text": _slope_text(p.get("x")),
            "expected_text": _slope_text(p.get("expected_slope")),
            "got_text": _slope_text(p.get("got_slope")),
            "cx": frame.px(x) if on_plot else None,
            "cy": frame.py(y) if on_plot else None,
            "expected": _segment(frame, x, y, expected) if on_plot else None,
            "got": _segment(frame, x, y, got) if on_plot else None,
            # Said in words under the picture when the student's line cannot be drawn.
            "got_missing": on_plot and got is None,
        })

    on_plot = [m for m in marks if m["cx"] is not None]
    spots = place_labels([(m["cx"], m["cy"], str(m["number"])) for m in on_plot],
                         (LEFT, TOP, LEFT + _AREA_W, TOP + _AREA_H))
    for m, spot in zip(on_plot, spots):
        m["label_at"] = spot
    for m in marks:
        m.setdefault("label_at", None)

    x_ticks, y_ticks = nice_ticks(x0, x1), nice_ticks(y0, y1)
    x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 0.0
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 0.0
    variable = one_line(plot.get("variable"), 40) or "x"
    return {
        "width": WIDTH, "height": HEIGHT,
        "area": {"x": LEFT, "y": TOP, "w": _AREA_W, "h": _AREA_H},
        "curves": _curve_paths(frame, xs, ys),
        "x_ticks": [{"p": frame.px(t), "text": tick_label(t, x_step)} for t in x_ticks
                    if x0 <= t <= x1],
        "y_ticks": [{"p": frame.py(t), "text": tick_label(t, y_step)} for t in y_ticks
                    if y0 <= t <= y1],
        "x_axis": frame.py(0.0) if y0 < 0 < y1 else None,
        "y_axis": frame.px(0.0) if x0 < 0 < x1 else None,
        "marks": marks,
        "variable": variable,
        "function": one_line(plot.get("function"), 200),
    }
