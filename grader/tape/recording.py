"""The stack of recording tapes and the one function every op calls to be recorded.

Ops call ``record`` only when ``active`` (the recording tapes, innermost last) is
non-empty, so code outside any tape pays one truth test per op. A tape keeps an
entry ``(op, inputs, output, attrs)`` only when it watches one of the inputs, and
only for floating outputs: integer and bool tensors carry no gradient.

A Variable is recorded through a snapshot of its value, one per read as in
TensorFlow (ReadVariableOp): the entry's input is the snapshot, and a
``ReadVariableOp`` entry links it to the variable. Gradients therefore use the
values the forward pass saw even if the variable is assigned later inside the
tape, and contributions reach the variable in TensorFlow's order (its last bit).
"""

from __future__ import annotations

from .tensor import Variable, _UnreadVariable, wrap

__all__ = ["active", "record", "VariableWatcher"]

# Recording GradientTapes (and VariableWatchers), innermost last. Mutated in place
# only: ops import the list.
active: list = []


class _Nothing(frozenset):
    """An always-empty id set and entry list: what a VariableWatcher records into."""

    def add(self, item) -> None:
        pass

    def update(self, items) -> None:
        pass

    def append(self, item) -> None:
        pass


_NOTHING = _Nothing()


class VariableWatcher:
    """Collects the trainable variables read while it is on ``active``, like TensorFlow's
    VariableWatcher: ``tf.custom_gradient`` learns from it which variables its function
    used. It sits on the tape stack so ops report to it through ``record``; it keeps
    no entries, and ``stop_recording`` leaves it in place (TensorFlow's does too).
    """

    __slots__ = ("_ids", "_entries", "_auto", "variables")

    def __init__(self) -> None:
        self._ids = self._entries = _NOTHING
        self._auto = True
        self.variables = []

    def _watch_variable(self, v) -> None:
        if all(v is not w for w in self.variables):
            self.variables.append(v)

    def __enter__(self) -> VariableWatcher:
        active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        active.remove(self)


def _snapshot(v):
    """The variable's current value as a Tensor (the array is shared, never written)."""
    return wrap(v._value, v._dtype)


def record(op: str, inputs: tuple, out, attrs=None) -> None:
    """Append ``(op, inputs, out, attrs)`` to every active tape that watches an input.

    Reading a trainable Variable inside a tape with ``watch_accessed_variables``
    watches it, as TensorFlow does on every variable read. ``out`` is one tensor, or a
    tuple of them for an op with several outputs (``tf.custom_gradient``).
    """
    several = out.__class__ is tuple
    floating = any(o._dtype.is_floating for o in out) if several else out._dtype.is_floating
    recorded = inputs
    for t in inputs:
        if isinstance(t, Variable):
            inputs = tuple([v._parent if v.__class__ is _UnreadVariable else v for v in inputs])
            recorded = tuple([_snapshot(v) if isinstance(v, Variable) else v for v in inputs])
            break
    for tape in active:
        ids = tape._ids
        hit = False
        for t in inputs:
            if id(t) in ids:
                hit = True
            elif isinstance(t, Variable) and tape._auto and t._trainable and t._dtype.is_floating:
                tape._watch_variable(t)
                hit = True
        if hit and floating:
            entries = tape._entries
            if recorded is not inputs:
                i = 0
                for v in inputs:
                    s = recorded[i]
                    i += 1
                    if v is not s and id(s) not in ids and id(v) in ids:
                        entries.append(("ReadVariableOp", (v,), s, None))
                        ids.add(id(s))
            entries.append((op, recorded, out, attrs))
            if several:
                ids.update([id(o) for o in out])
            else:
                ids.add(id(out))
