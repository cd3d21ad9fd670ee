"""The stack of recording tapes and the one function every op calls to be recorded.

Ops call ``record`` only when ``active`` (the recording tapes, innermost last) is
non-empty, so code outside any tape pays one truth test per op. A tape keeps an
entry ``(op, inputs, output, attrs)`` only when it watches one of the inputs, and
only for floating outputs: integer and bool tensors carry no gradient.
"""

from __future__ import annotations

from .tensor import Variable

__all__ = ["active", "record"]

# Recording GradientTapes, innermost last. Mutated in place only: ops import the list.
active: list = []


def record(op: str, inputs: tuple, out, attrs=None) -> None:
    """Append ``(op, inputs, out, attrs)`` to every active tape that watches an input.

    Reading a trainable Variable inside a tape with ``watch_accessed_variables``
    watches it, as TensorFlow does on every variable read.
    """
    floating = out._dtype.is_floating
    for tape in active:
        ids = tape._ids
        hit = False
        for t in inputs:
            if id(t) in ids:
                hit = True
            elif t.__class__ is Variable and tape._auto and t._trainable and t._dtype.is_floating:
                tape._watch_variable(t)
                hit = True
        if hit and floating:
            tape._entries.append((op, inputs, out, attrs))
            ids.add(id(out))
