"""``tf.GradientTape``: recording, the tape stack, and the backward pass.

Entries are appended in execution order by ``recording.record``; the backward pass
walks them in reverse, once, iteratively, accumulating gradients by tensor identity.
Behaviour and messages follow TensorFlow's ``backprop.py``: a non-persistent tape
pops itself off the stack before computing gradients (so an outer tape records the
computation, which gives higher derivatives) and forgets its entries afterwards (so
a training loop runs in flat memory).
"""

from __future__ import annotations

import enum
import sys

import numpy as np

from . import provenance
from .array_ops import reshape, stack, transpose, zeros
from .gradients import NOT_BATCHABLE, RULES, batch
from .math_ops import add
from .recording import active
from .shape import TensorShape
from .tensor import Tensor, Variable, convert_to_tensor, wrap

__all__ = ["GradientTape", "UnconnectedGradients"]

_ONE_SET = "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)"
_IN_CONTEXT = ("Calling GradientTape.gradient on a persistent tape inside its context is significantly less "
               "efficient than calling it outside the context (it causes the gradient ops to be recorded on the "
               "tape, leading to increased CPU and memory usage). Only call GradientTape.gradient inside the "
               "context if you actually want to trace the gradient in order to compute higher order derivatives.")


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


# -- warnings, logged as TensorFlow does (absl WARNING lines on stderr) ---------------------
_warned: dict = {}
_logger = None


def _warn(message: str, limit: int = 5) -> None:
    """Log ``message`` at most ``limit`` times, formatted like TensorFlow's Python logger."""
    global _logger
    key = message[:60]
    count = _warned.get(key, 0)
    if count >= limit:
        return
    _warned[key] = count + 1
    if _logger is None:
        import logging

        class _Stderr(logging.StreamHandler):
            """Writes to whatever sys.stderr is now (notebooks and pytest replace it)."""

            def emit(self, record):
                self.stream = sys.stderr
                super().emit(record)

        _logger = logging.getLogger("grader.tape")
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)s:tensorflow:%(message)s"))
        _logger.addHandler(handler)
        _logger.setLevel(logging.WARNING)
    _logger.warning(message)


# -- nested structures (one tensor, list, tuple or dict) ------------------------------------
def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure, flat: list, start: int = 0):
    """Rebuild ``structure`` with the leaves of ``flat``; returns (result, next index)."""
    if isinstance(structure, dict):
        out = {}
        for key in sorted(structure):
            out[key], start = _pack(structure[key], flat, start)
        return {key: out[key] for key in structure}, start
    if isinstance(structure, (list, tuple)):
        items = []
        for item in structure:
            value, start = _pack(item, flat, start)
            items.append(value)
        return (items if isinstance(structure, list) else type(structure)(items)
                if not hasattr(structure, "_fields") else type(structure)(*items)), start
    return flat[start], start + 1


def _as_target(t):
    """A target must be a tensor or variable (a variable is its own target), as in TensorFlow."""
    if not isinstance(t, Tensor):
        raise TypeError("The target to differentiate must be a tf.Tensor or tf.Variable computed inside the tape, "
                        "got %r of type %r." % (t, type(t).__name__))
    return t


def _not_a_tensor(obj):
    return ValueError("Passed in object %r of type %r, not tf.Tensor or tf.Variable or ExtensionType."
                      % (obj, type(obj).__name__))


# -- the backward pass ---------------------------------------------------------------
def _reach(entries, source_ids: set) -> set:
    """Ids of the sources and of every recorded tensor computed from one of them."""
    reach = set(source_ids)
    for _, inputs, out, _ in entries:
        for t in inputs:
            if id(t) in reach:
                reach.add(id(out))
                break
    return reach


_NEED_ONE = (True,)


def _accumulate(grads: dict, key: int, g) -> None:
    prev = grads.get(key)
    grads[key] = g if prev is None else prev + [g] if prev.__class__ is list else [prev, g]


def _total(contributions: list):
    """Sum a tensor's gradient contributions in the order of its uses in the forward pass
    (the reverse of their arrival), left to right, as TensorFlow's add_n does: float
    addition is not associative, and this order reproduces TensorFlow's last bit."""
    total = contributions[-1]
    for g in reversed(contributions[:-1]):
        total = add(total, g)
    return total


def _backprop(entries, reach: set, targets, seeds, sources, zero: bool) -> list:
    """Gradients of sum(targets * seeds) for each source: reverse walk, accumulate."""
    grads: dict = {}
    keep = {id(s) for s in sources}
    for t, seed in zip(targets, seeds):
        if id(t) not in reach or not t._dtype.is_floating:
            continue
        if seed is not None:
            g = seed
        elif t._value.ndim == 0:
            g = wrap(t._dtype._scalar(1), t._dtype)
        else:
            g = wrap(np.ones(t._value.shape, t._dtype._np), t._dtype)
        _accumulate(grads, id(t), g)
    # reversed() walks from the current end down, so entries a persistent tape
    # appends while recording its own backward pass are not visited.
    for op, inputs, out, attrs in reversed(entries):
        key = id(out)
        g = grads.get(key) if key in keep else grads.pop(key, None)
        if g is None:
            continue
        if g.__class__ is list:
            g = _total(g)
        # A recorded output is in ``reach`` only through an input, so one input is always needed.
        if len(inputs) == 1:
            needs = _NEED_ONE
        elif len(inputs) == 2:
            needs = (id(inputs[0]) in reach, id(inputs[1]) in reach)
        else:
            needs = tuple([id(t) in reach for t in inputs])
        i = 0
        for gi in RULES[op](g, inputs, out, attrs, needs):
            if gi is not None:  # rules return None for every input ``needs`` excludes
                tid = id(inputs[i])
                prev = grads.get(tid)
                if prev is None:
                    grads[tid] = gi
                elif prev.__class__ is list:
                    prev.append(gi)
                else:
                    grads[tid] = [prev, gi]
            i += 1
    result = []
    for s in sources:
        g = grads.get(id(s)) if s._dtype.is_floating else None
        if g.__class__ is list:
            g = _total(g)
        if g is None and zero:
            g = wrap(np.zeros(s._value.shape, s._dtype._np)[()], s._dtype)
        result.append(g)
    return result


def _connect_mode(unconnected_gradients) -> bool:
    """True for ZERO; accepts the enum or its string value, as TensorFlow does."""
    if unconnected_gradients is UnconnectedGradients.NONE:
        return False
    try:
        return UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
    except ValueError:
        raise ValueError("Unknown value for unconnected_gradients: %r" % (unconnected_gradients,)) from None


class GradientTape:
    """Record operations on watched tensors to differentiate them later.

    Use as a context manager. Trainable variables read inside are watched
    automatically (unless ``watch_accessed_variables=False``); other tensors only
    after ``watch``. A non-persistent tape computes one set of gradients.
    """

    __slots__ = ("_persistent", "_auto", "_entries", "_ids", "_keep", "_vars", "_recording", "__weakref__")

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._auto = bool(watch_accessed_variables)
        self._recording = False
        # Like TensorFlow's ``_tape``, the entries exist from the first ``__enter__``
        # (or ``watch``) until a non-persistent tape computes its gradients.
        self._entries = self._ids = self._keep = None
        self._vars = []

    def _fresh(self) -> None:
        self._entries = []      # (op, inputs, output, attrs) in execution order
        self._ids = set()       # ids of watched tensors and of recorded outputs
        self._keep = []         # references to explicitly watched tensors (keeps their ids valid)
        self._vars = []         # watched variables, in the order first watched

    # -- context ----------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        self._push()
        return self

    def __exit__(self, typ, value, traceback) -> None:
        if self._recording:
            self._pop()

    def _push(self) -> None:
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        if self._entries is None:
            self._fresh()
        active.append(self)
        self._recording = True

    def _pop(self) -> None:
        if active and active[-1] is self:
            active.pop()
        else:
            active.remove(self)
        self._recording = False

    # -- watching -----------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Watch a tensor or variable (or a list, tuple or dict of them)."""
        if self._entries is None:
            self._fresh()
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise _not_a_tensor(t)
            if not t._dtype.is_floating:
                # TensorFlow logs this only the first 5 times per process; the engine logs
                # it every time, so each graded run shows it.
                _warn("The dtype of the watched tensor must be floating (e.g. tf.float32), got %r" % t._dtype,
                      limit=sys.maxsize)
                continue
            if t.__class__ is Variable:
                self._watch_variable(t)
            elif id(t) not in self._ids:
                self._ids.add(id(t))
                self._keep.append(t)

    def _watch_variable(self, v) -> None:
        if id(v) not in self._ids:
            self._ids.add(id(v))
            self._vars.append(v)

    def watched_variables(self) -> tuple:
        """The variables this tape watched, in creation order (as TensorFlow lists them)."""
        return tuple(sorted(self._vars, key=_creation_order))

    def stop_recording(self):
        """Context manager: run a block without recording it on any tape."""
        return _Paused(self)

    def reset(self) -> None:
        """Forget everything recorded, as if the tape were entered afresh (inside its context)."""
        if not self._recording:
            raise ValueError("Tape is not recording.")
        self._pop()
        self._fresh()
        self._push()

    # -- gradients --------------------------------------------------------------------------
    def _begin(self) -> list:
        """Checks shared by gradient and jacobian; returns the entries to walk."""
        if self._entries is None:
            raise RuntimeError(_ONE_SET)
        if self._recording:
            if not self._persistent:
                self._pop()
            else:
                _warn(_IN_CONTEXT, limit=1)
        return self._entries

    def _finish(self) -> None:
        if not self._persistent:
            self._entries = None
            self._ids = None
            self._keep = None

    def _sources(self, sources) -> list:
        flat = _flatten(sources)
        for s in flat:
            if not isinstance(s, Tensor):
                raise _not_a_tensor(s)
        return flat

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of target)/d(source) for each source, in the structure of ``sources``."""
        entries = self._begin()
        zero = _connect_mode(unconnected_gradients)
        flat_sources = self._sources(sources)
        if target is None:
            raise TypeError("Argument `target` should be a list or nested structure of Tensors, Variables or "
                            "CompositeTensors to be differentiated, but received None.")
        targets = [_as_target(t) for t in _flatten(target)]
        if output_gradients is None:
            seeds = [None] * len(targets)
        else:
            seeds = [None if g is None else convert_to_tensor(g, t._dtype)
                     for g, t in zip(_flatten(output_gradients), targets)]
        reach = _reach(entries, {id(s) for s in flat_sources if id(s) in self._ids})
        grads = _backprop(entries, reach, targets, seeds, flat_sources, zero)
        self._finish()
        provenance.notify("gradient", targets, flat_sources, grads)
        return _pack(sources, grads)[0]

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...], shaped ``target.shape + source.shape`` per source."""
        entries = self._begin()
        zero = _connect_mode(unconnected_gradients)
        flat_sources = self._sources(sources)
        if isinstance(target, (list, tuple, dict)):
            raise TypeError("jacobian takes one target tensor, got a %s; stack the targets with tf.stack or "
                            "call jacobian once per target." % type(target).__name__)
        target = _as_target(target)
        reach = _reach(entries, {id(s) for s in flat_sources if id(s) in self._ids})
        tshape = target._value.shape
        n = int(np.prod(tshape))
        seeds = np.eye(n, dtype=target._dtype._np).reshape((n,) + tshape)
        stacked = _rows(entries, reach, target, seeds, flat_sources)
        self._finish()
        results = []
        for rows, s in zip(stacked, flat_sources):
            if rows is None:
                rows = zeros((n,) + s._value.shape, s._dtype) if zero else None
            results.append(None if rows is None else reshape(rows, tshape + s._value.shape))
        provenance.notify("jacobian", [target], flat_sources, results)
        return _pack(sources, results)[0]

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per example b: d target[b, i...] / d source[b, j...], shaped ``(B,) + target_i + source_j``."""
        entries = self._begin()
        zero = _connect_mode(unconnected_gradients)
        [source] = self._sources([source])
        target = _as_target(target)
        tshape, sshape = target._value.shape, source._value.shape
        for shape in (tshape, sshape):
            if len(shape) < 2:
                raise ValueError("Shape %s must have rank at least 2" % (TensorShape(shape),))
        if tshape[0] != sshape[0]:
            raise ValueError("Need first dimension of target shape (%s) and source shape (%s) to match."
                             % (tshape, sshape))
        size, per = tshape[0], int(np.prod(tshape[1:]))
        reach = _reach(entries, {id(source)} if id(source) in self._ids else set())
        # Row j seeds output element j of every example at once: examples are independent.
        seeds = np.zeros((per, size, per), target._dtype._np)
        seeds[np.arange(per), :, np.arange(per)] = 1
        [rows] = _rows(entries, reach, target, seeds.reshape((per,) + tshape), [source])
        self._finish()
        if rows is None:
            if not zero:
                return None
            result = zeros(tshape + sshape[1:], source._dtype)
        else:
            per_example = transpose(rows, (1, 0) + tuple(range(2, rows._value.ndim)))
            result = reshape(per_example, tshape + sshape[1:])
        provenance.notify("batch_jacobian", [target], [source], [result])
        return result


# A batched jacobian pass holds (rows x largest recorded tensor) elements at once;
# above this many it goes row by row instead.
_BATCHED_ELEMENTS = 1 << 22


def _rows(entries, reach: set, target, seeds: np.ndarray, sources: list) -> list:
    """Per source, the gradients for each seed stacked on a new first axis (None if unconnected).

    When every recorded op on the way has a batch-aware rule, one backward pass
    carries all rows at once (``gradients.batch``); otherwise one pass per row.
    """
    n = seeds.shape[0]
    largest = 0
    batchable = True
    for op, _, out, _ in entries:
        if id(out) in reach:
            batchable = batchable and op not in NOT_BATCHABLE
            largest = max(largest, np.size(out._value))
    if batchable and n * max(largest, np.size(seeds[0])) <= _BATCHED_ELEMENTS:
        batch[0] = 1
        try:
            return _backprop(entries, reach, [target], [wrap(seeds, target._dtype)], sources, False)
        finally:
            batch[0] = 0
    per_row = [_backprop(entries, reach, [target], [wrap(seed[()], target._dtype)], sources, False)
               for seed in seeds]
    stacked = []
    for j, s in enumerate(sources):
        column = [row[j] for row in per_row]
        if all(g is None for g in column):
            stacked.append(None)
        else:
            stacked.append(stack([g if g is not None else zeros(s._value.shape, s._dtype) for g in column]))
    return stacked


def _creation_order(variable) -> int:
    return variable._uid


class _Paused:
    """The ``stop_recording`` context: no tape records inside it (TensorFlow pauses them all)."""

    __slots__ = ("_tape", "_saved")

    def __init__(self, tape: GradientTape) -> None:
        self._tape = tape

    def __enter__(self) -> None:
        if self._tape._entries is None:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        if not self._tape._recording:
            raise ValueError("Tape is not recording.")
        self._saved = active[:]
        active.clear()

    def __exit__(self, typ, value, traceback) -> None:
        active[:] = self._saved
