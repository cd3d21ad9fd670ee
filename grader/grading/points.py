"""The points an exercise is graded at: the visible one, then seeded hidden ones.

A student who types the number instead of computing it passes the visible point
only; the hidden points catch that. They are drawn from the spec's
hidden settings with a generator seeded by the grading seed *and* the exercise id,
so a regrade draws the same points and two exercises never share a sequence.

Hidden values are rounded (two decimals for floats, whole numbers for integer
variables) so that a report can show them and the parameters cell stays readable,
and each is redrawn until the function is defined there and the point differs from
the visible one.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import SpecError
from grader.authoring.spec import Spec, VariableSpec

VISIBLE_LABEL = "visible point"
_DECIMALS = 2
_ATTEMPTS = 200


@dataclass(frozen=True)
class Point:
    """One place to grade at: ``values`` maps each variable name to its array."""

    label: str
    hidden: bool
    values: dict[str, np.ndarray]


def visible_point(spec: Spec) -> Point:
    return Point(VISIBLE_LABEL, False, spec.visible_values())


def hidden_label(index: int) -> str:
    return f"hidden point {index}"


def grading_points(spec: Spec, seed: int) -> list[Point]:
    """The visible point, then ``spec.hidden.count`` hidden points drawn from ``seed``."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(spec.id.encode())])
    visible = visible_point(spec)
    points = [visible]
    for index in range(1, spec.hidden.count + 1):
        points.append(Point(hidden_label(index), True, _draw(spec, rng, visible, points)))
    return points


def _draw(spec: Spec, rng: np.random.Generator, visible: Point,
          taken: list[Point]) -> dict[str, np.ndarray]:
    for _ in range(_ATTEMPTS):
        values = dict(visible.values)
        for var in spec.variables:
            if var.name in spec.hidden.vary:
                values[var.name] = _sample(spec, var, rng)
        if _usable(spec, values, taken):
            return values
    raise SpecError(f"no usable hidden point found in {_ATTEMPTS} draws: the function is "
                    "undefined (or the point repeats) almost everywhere in the hidden range",
                    path=str(spec.path), where="table `hidden`",
                    fix="narrow `range`/`spread` to where the function is defined")


def _sample(spec: Spec, var: VariableSpec, rng: np.random.Generator) -> np.ndarray:
    base = var.value.astype(np.float64)
    if spec.hidden.range is not None:
        low, high = spec.hidden.range
        drawn = rng.uniform(low, high, size=base.shape)
    else:
        width = spec.hidden.spread * np.maximum(np.abs(base), 1.0)
        drawn = base + rng.uniform(-1.0, 1.0, size=base.shape) * width
    if var.value.dtype.kind == "i":
        return np.rint(drawn).astype(np.int64)
    return np.round(drawn, _DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _usable(spec: Spec, values: dict[str, np.ndarray], taken: list[Point]) -> bool:
    for point in taken:
        if all(np.array_equal(values[k], point.values[k]) for k in spec.hidden.vary):
            return False
    for answer in spec.answers:
        if not np.all(np.isfinite(answer.expression.evaluate(values))):
            return False
    return True


def point_to_json(point: Point) -> dict[str, Any]:
    """The point as plain JSON data: variable name -> number or nested list."""
    return {name: np.asarray(value).tolist() for name, value in point.values.items()}
