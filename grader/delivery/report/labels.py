"""Where the text beside a marked point goes, so no two labels (or a label and a dot)
ever overlap, in the tangent picture and the loss curve alike.

Points a report marks can be close or even coincide (hidden points drawn near the
visible one, a student's final loss on the reference curve). Each label tries spots
around its point, nearest first, and takes the first that stays inside the plot
area and clear of every dot and every label placed before it; a label placed away
from its point gets a leader line back to it. Sizes are estimates for the report's
font (16 px bold digits), erring large.
"""

from __future__ import annotations

from typing import Sequence

LABEL_H = 16.0
CHAR_W = 10.0
DOT_R = 6.0  # the dot's radius plus its outline
# Distances from the point tried, nearest first, and directions around it.
_RINGS = (8.0, 18.0, 30.0, 46.0, 66.0, 90.0)
_DIRECTIONS = ((1, -1), (-1, -1), (1, 1), (-1, 1), (1, 0), (-1, 0), (0, -1), (0, 1))

Box = tuple[float, float, float, float]  # left, top, right, bottom


def label_width(text: str) -> float:
    return CHAR_W * len(text) + 2.0


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _box_at(x: float, y: float, ux: int, uy: int, r: float, w: float) -> Box:
    left = x + ux * r - (w if ux < 0 else w / 2 if ux == 0 else 0.0)
    top = y + uy * r - (LABEL_H if uy < 0 else LABEL_H / 2 if uy == 0 else 0.0)
    return left, top, left + w, top + LABEL_H


def place_labels(points: Sequence[tuple[float, float, str]],
                 area: Box) -> list[dict[str, float | bool] | None]:
    """For each (x, y, text) in pixels: ``{"x", "y"}`` (the text's start on its
    baseline), ``box`` and ``leader`` (draw a line from the point), or None when no
    clear spot exists (the table under the picture still names the point)."""
    dots = [(x - DOT_R, y - DOT_R, x + DOT_R, y + DOT_R) for x, y, _ in points]
    placed: list[Box] = []
    out: list[dict | None] = []
    for x, y, text in points:
        w = label_width(text)
        spot = None
        for r in _RINGS:
            for ux, uy in _DIRECTIONS:
                box = _box_at(x, y, ux, uy, r, w)
                inside = (area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1]
                          and box[3] <= area[3])
                if inside and not any(_overlap(box, b) for b in placed + dots):
                    spot = box
                    break
            if spot is not None:
                break
        if spot is None:
            out.append(None)
            continue
        placed.append(spot)
        # The leader ends at the label's edge nearest the point, not across the text.
        near_x, near_y = min(max(x, spot[0]), spot[2]), min(max(y, spot[1]), spot[3])
        out.append({"x": round(spot[0] + 1.0, 1), "y": round(spot[3] - 3.0, 1),
                    "box": tuple(round(v, 1) for v in spot),
                    "leader": r > _RINGS[0],
                    "lx": round(near_x, 1), "ly": round(near_y, 1)})
    return out
