"""``model.summary()``: the table Keras 3 prints, character for character.

Keras renders it with rich into ``min(88, terminal columns - 4)`` characters; its
three columns are asked for 45%, 35% and 20% of that, and rich then takes the excess
off evenly (``_ratio_reduce`` is rich's ``ratio_reduce``). Without a terminal (a
notebook kernel, a pipe) the text carries no colour codes, which is what is printed
here.
"""

from __future__ import annotations

import math
import shutil

__all__ = ["print_summary"]

_POSITIONS = (0.45, 0.80, 1.0)
_HEADER = ("Layer (type)", "Output Shape", "Param #")


def _ratio_reduce(total: int, ratios: list, maximums: list, values: list) -> list:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _widths(line_length: int, positions) -> list:
    """The content width of each column (rich's widths less one space of padding each side)."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width + 2)
        current += width
    limit = line_length - (len(positions) + 1)
    if sum(widths) > limit:
        widths = _ratio_reduce(sum(widths) - limit, [1] * len(widths), widths, widths)
    return [w - 2 for w in widths]


def _readable(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return "{:.2f} {}".format(size, unit)
        size /= 1024
    return "{:.2f} {}".format(size, "PB")


def _count(weights) -> int:
    return int(sum(math.prod(v._value.shape) for v in weights))


def _memory(weights) -> float:
    unique = {id(w): w for w in weights}.values()
    return float(sum(math.prod(w._value.shape) * w._dtype.size for w in unique))


def _shape_text(shape) -> str:
    return "?" if shape is None else "(%s)" % ", ".join(str(d) for d in shape)


def _row(cells, widths, aligns, edge: str) -> str:
    parts = [(c.ljust(w) if a == "left" else c.rjust(w))[:w] for c, w, a in zip(cells, widths, aligns)]
    return edge + " " + (" " + edge + " ").join(parts) + " " + edge


def _rule(widths, left: str, mid: str, right: str, fill: str) -> str:
    return left + mid.join(fill * (w + 2) for w in widths) + right


def print_summary(model, line_length=None, positions=None, print_fn=None) -> None:
    columns = shutil.get_terminal_size().columns
    line_length = line_length or min(88, columns - 4)
    widths = _widths(line_length, positions or _POSITIONS)
    aligns = ("left", "left", "right")
    lines = ['Model: "%s"' % model.name,
             _rule(widths, "┏", "┳", "┓", "━"),
             _row(_HEADER, widths, aligns, "┃"),
             _rule(widths, "┡", "╇", "┩", "━")]
    rows = []
    for layer, shape in zip(model.layers, model._layer_shapes()):
        params = "%s" % "{:,}".format(layer.count_params()) if layer.built else "0 (unbuilt)"
        rows.append(_row(("%s (%s)" % (layer.name, type(layer).__name__), _shape_text(shape), params),
                         widths, aligns, "│"))
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule(widths, "├", "┼", "┤", "─"))
        lines.append(row)
    lines.append(_rule(widths, "└", "┴", "┘", "─"))
    trainable, fixed = model.trainable_weights, model.non_trainable_weights
    t_mem, f_mem = _memory(trainable), _memory(fixed)
    lines.append(" Total params: {:,} ({})".format(_count(trainable) + _count(fixed), _readable(t_mem + f_mem)))
    lines.append(" Trainable params: {:,} ({})".format(_count(trainable), _readable(t_mem)))
    lines.append(" Non-trainable params: {:,} ({})".format(_count(fixed), _readable(f_mem)))
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        for line in text.split("\n"):
            print_fn(line)
