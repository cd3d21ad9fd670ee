"""Tensor and Variable, and the conversion of Python values into them.

A Tensor is an immutable numpy value plus its DType: ``_value`` is an ``ndarray`` or,
for shape ``()``, usually a numpy scalar (numpy returns scalars from 0-d arithmetic,
and they are cheaper). Nothing mutates a ``_value`` in place, which is what lets the
tape keep references instead of copies. Operators are attached by ``operators.py``,
which keeps this module free of op imports.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import dtypes
from .dtypes import DType
from .shape import TensorShape

__all__ = ["Tensor", "Variable", "convert_to_tensor", "constant", "wrap", "is_tensor"]

_new = object.__new__
_variable_ids = itertools.count()
_ndarray = np.ndarray
_generic = np.generic
_BY_NP = dtypes.BY_NP
_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def _numpy_text(value, is_repr: bool) -> str:
    """TensorFlow's numpy_text: repr of ``.item()`` for scalars, numpy's text otherwise."""
    if is_repr:
        text = repr(value.item()) if np.ndim(value) == 0 else repr(value)
    else:
        text = str(value)
    return "\n" + text if "\n" in text else text


class Tensor:
    """An immutable n-dimensional value with a dtype; the unit the tape records."""

    __slots__ = ("_value", "_dtype", "__weakref__")
    # Makes ``ndarray + tensor`` call Tensor.__radd__ instead of numpy's loop.
    __array_priority__ = 100

    def __init__(self, value, dtype: DType) -> None:
        self._value = value
        self._dtype = dtype

    # -- what a tensor is ---------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return _DEVICE

    def numpy(self):
        """The value as numpy: a numpy scalar for shape (), else a private copy."""
        v = self._value
        if v.__class__ is _ndarray:
            return v[()] if v.ndim == 0 else v.copy()
        return v

    def __array__(self, dtype=None, copy=None):
        v = self._value
        if v.__class__ is not _ndarray or copy:
            v = np.array(v)
        return v if dtype is None else v.astype(dtype, copy=False)

    def ref(self):
        """A hashable reference (tensors themselves are unhashable, as in TensorFlow)."""
        return _Ref(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    # -- Python protocol ------------------------------------------------------------
    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if not self._dtype.is_integer or self._value.ndim:
            raise TypeError("Only integer scalar tensors can be used as an index, got %r." % self)
        return int(self._value)

    def __complex__(self) -> complex:
        return complex(self._value)

    def __format__(self, spec: str) -> str:
        # TensorFlow formats the numpy value: f"{t}" gives "9.0", not "tf.Tensor(...)".
        return format(self.numpy(), spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (constant, (self.numpy(), self._dtype))

    def __str__(self) -> str:
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (
            _numpy_text(self.numpy(), False), TensorShape(self._value.shape), self._dtype.name)

    def __repr__(self) -> str:
        return "<tf.Tensor: shape=%s, dtype=%s, numpy=%s>" % (
            TensorShape(self._value.shape), self._dtype.name, _numpy_text(self.numpy(), True))


class _Ref:
    """What ``Tensor.ref()`` returns: hashed and compared by identity."""

    __slots__ = ("_t",)

    def __init__(self, t) -> None:
        self._t = t

    def deref(self):
        return self._t

    def __hash__(self) -> int:
        return id(self._t)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Ref) and other._t is self._t


def wrap(value, dtype: DType) -> Tensor:
    """Make a Tensor from a numpy value already of ``dtype`` (the ops' fast path)."""
    t = _new(Tensor)
    t._value = value
    t._dtype = dtype
    return t


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


# -- conversion ----------------------------------------------------------------------
_RAGGED = "Can't convert non-rectangular Python sequence to Tensor."


def _asarray(value):
    """np.asarray, with TensorFlow's message for a ragged (non-rectangular) list."""
    try:
        return np.asarray(value)
    except ValueError:
        if isinstance(value, (list, tuple)):
            raise ValueError(_RAGGED) from None
        raise


def _python_array(value):
    """numpy array for a Python value, with TensorFlow's defaults (float32, int32)."""
    arr = _asarray(value)
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype != np.float32 and not _holds_numpy(value, arr.dtype):
        arr = arr.astype(np.float32)
    elif kind in "iu" and arr.dtype != np.int32 and not _holds_numpy(value, arr.dtype):
        if arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31):
            arr = arr.astype(np.int32)
        else:
            arr = arr.astype(np.int64)
    if kind == "O":
        raise ValueError(_RAGGED if isinstance(value, (list, tuple)) else
                         "Can't convert %r of type %r to a tensor." % (value, type(value).__name__))
    elif kind in "US":
        raise TypeError("The engine has no string tensors; got %r." % (value,))
    return arr


def _holds_numpy(value, dt) -> bool:
    """Whether a list's numpy dtype came from numpy values (kept) or Python ones (narrowed)."""
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (_ndarray, _generic, Tensor)) and value.dtype == dt


def _holds_tensor(value) -> bool:
    return any(isinstance(v, Tensor) or isinstance(v, (list, tuple)) and _holds_tensor(v) for v in value)


def _cast_checked(arr, dtype: DType, value):
    """Cast for an explicit dtype the way TensorFlow allows it: never float -> int."""
    if arr.dtype == dtype._np:
        return arr
    if dtype.is_integer and arr.dtype.kind == "f" or dtype.is_bool and arr.dtype.kind != "b":
        raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (value, dtype.name))
    return arr.astype(dtype._np)


def _scalar_value(arr):
    return arr[()] if arr.ndim == 0 else arr


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """``tf.convert_to_tensor``: a Tensor as-is (dtype must match), else a new constant."""
    if isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype) is not value._dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtypes.as_dtype(dtype).name, value._dtype.name, value))
        if isinstance(value, Variable):
            from .array_ops import identity
            return identity(value)  # a snapshot, as TensorFlow's read of a variable
        return value
    if dtype is None and dtype_hint is not None:
        try:
            return convert_to_tensor(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    return _constant(value, dtype)


def _constant(value, dtype) -> Tensor:
    if dtype is None:
        c = value.__class__
        if c is float:
            return wrap(np.float32(value + 0.0), dtypes.float32)  # a lone -0.0 reads as 0.0 in TensorFlow
        if c is int and -2**31 <= value < 2**31:
            return wrap(np.int32(value), dtypes.int32)
        if isinstance(value, (_ndarray, _generic)):
            arr = np.asarray(value)
            if arr.dtype not in _BY_NP:
                raise TypeError("Unsupported numpy dtype %s for a tensor." % arr.dtype)
            arr = arr.copy() if isinstance(value, _ndarray) else arr
        else:
            arr = _python_array(value)
        return wrap(_scalar_value(arr), _BY_NP[arr.dtype])
    dtype = dtypes.as_dtype(dtype)
    src = _asarray(value)
    if value.__class__ is float:
        src = src + 0.0  # TensorFlow reads a lone Python -0.0 as 0.0 (inside a list it keeps the sign)
    if src.dtype.kind in "OUS":
        _python_array(value)  # raises the right error for ragged or string values
    arr = _cast_checked(src, dtype, value)
    if arr is value:
        arr = arr.copy()
    return wrap(_scalar_value(arr), dtype)


def constant(value, dtype=None, shape=None, name="Const") -> Tensor:
    """``tf.constant``: a new Tensor from a Python or numpy value (or a Tensor)."""
    if isinstance(value, Variable):
        t = wrap(value._value, value._dtype) if dtype is None else _cast_tensor(value, dtypes.as_dtype(dtype))
    elif isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype) is not value._dtype:
            raise TypeError("Expected tensor %s with dtype %r, but got dtype %r."
                            % (value.numpy(), dtypes.as_dtype(dtype), value._dtype))
        t = wrap(value._value, value._dtype)
    else:
        if isinstance(value, (list, tuple)) and _holds_tensor(value):
            raise ValueError("tf.constant does not take a list holding tensors (%r); use tf.stack or "
                             "tf.convert_to_tensor to combine tensors." % (value,))
        t = _constant(value, dtype)
    if shape is None:
        return t
    shape = tuple(int(d) for d in shape)
    v = np.asarray(t._value)
    if v.size == 1:
        v = np.full(shape, v.reshape(()), dtype=v.dtype)
    elif v.size == int(np.prod(shape)):
        v = v.reshape(shape)
    else:
        raise TypeError("Eager execution of tf.constant with unsupported shape. Tensor %s (converted from %r) "
                        "has %d elements, but got `shape` %s with %d elements)."
                        % (t, value, v.size, shape, int(np.prod(shape))))
    return wrap(_scalar_value(v), t._dtype)


def as_tensor(x) -> Tensor:
    """Tensor or Variable as-is; anything else converted with the default rules."""
    c = x.__class__
    if c is Tensor or c is Variable or isinstance(x, Tensor):
        return x
    return _constant(x, None)


def operand(x, dtype: DType) -> Tensor:
    """The other operand of a binary op: Python and numpy values take ``dtype``."""
    c = x.__class__
    if c is float:
        if dtype.is_floating or dtype.is_complex:
            return wrap(dtype._scalar(x), dtype)
        raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (x, dtype.name))
    if c is int and not dtype.is_bool:
        return wrap(dtype._scalar(x), dtype)
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (_ndarray, _generic)):
        return wrap(_scalar_value(_cast_checked(np.asarray(x), dtype, x)), dtype)
    return _constant(x, dtype)


# -- Variable ------------------------------------------------------------------------
class Variable(Tensor):
    """``tf.Variable``: a named, mutable holder of a value that takes part in ops as a tensor.

    ``assign`` replaces ``_value`` (never writes into it), so values the tape saved
    before an assignment stay what they were.
    """

    __slots__ = ("_trainable", "_name", "_uid")

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None, shape=None, **_ignored) -> None:
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor) and dtype is not None and \
                dtypes.as_dtype(dtype) is not initial_value._dtype:
            want, have = dtypes.as_dtype(dtype).name, initial_value._dtype.name
            if isinstance(initial_value, Variable):
                raise ValueError("Incompatible type conversion requested to type %s for `tf.Variable of type %s. "
                                 "(Variable: %r)" % (want, have, initial_value))
            raise ValueError("initial_value: Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (want, have, initial_value))
        t = convert_to_tensor(initial_value, dtype)
        v = t._value
        self._value = v.copy() if v.__class__ is _ndarray and isinstance(initial_value, _ndarray) else v
        self._dtype = t._dtype
        self._trainable = bool(trainable) if trainable is not None else True
        self._name = "Variable:0" if name is None else str(name) + ":0"
        self._uid = next(_variable_ids)

    def _store(self, value) -> None:
        """Replace the value (never in place); recorded snapshots keep the old one."""
        self._value = value

    @property
    def name(self) -> str:
        return self._name

    @property
    def trainable(self) -> bool:
        return self._trainable

    def value(self) -> Tensor:
        return self.read_value()

    def read_value(self) -> Tensor:
        from .array_ops import identity
        return identity(self)

    def _new_value(self, value, op: str):
        if isinstance(value, Tensor):
            if value._dtype is not self._dtype:
                raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                                 % (self._dtype.name, value._dtype.name, value))
            v = value._value
        else:
            v = operand(value, self._dtype)._value
        if np.shape(v) != self._value.shape:
            raise ValueError("Cannot %s variable '%s': Shape mismatch.The variable shape %s, and the "
                             "assigned value shape %s are incompatible."
                             % (op, self._name, TensorShape(self._value.shape), TensorShape(np.shape(v))))
        return v

    def assign(self, value, use_locking=None, name=None, read_value=True):
        self._store(self._new_value(value, "assign value to"))
        return _UnreadVariable(self) if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        self._store(self._value + self._new_value(delta, "add value to"))
        return _UnreadVariable(self) if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        self._store(self._value - self._new_value(delta, "subtract value from"))
        return _UnreadVariable(self) if read_value else None

    def __len__(self):
        raise TypeError("object of type 'ResourceVariable' has no len()")

    def __format__(self, spec: str) -> str:
        if spec:
            raise TypeError("unsupported format string passed to ResourceVariable.__format__")
        return str(self)

    # ``v -= x`` would silently rebind v to a Tensor; TensorFlow refuses, and says what to do.
    def __iadd__(self, other):
        raise RuntimeError("`variable += value` with `tf.Variable`s is not supported. Use "
                           "`variable.assign_add(value)` to modify the variable, or `out = variable + value` if "
                           "you need to get a new output Tensor.")

    def __isub__(self, other):
        raise RuntimeError("`variable -= value` with `tf.Variable`s is not supported. Use "
                           "`variable.assign_sub(value)` to modify the variable, or `out = variable - value` if "
                           "you need to get a new output Tensor.")

    def __imul__(self, other):
        raise RuntimeError("`var *= value` with `tf.Variable`s is not supported. Use `var.assign(var * value)` "
                           "to modify the variable, or `out = var * value` if you need to get a new output Tensor.")

    def __itruediv__(self, other):
        raise RuntimeError("`var /= value` with `tf.Variable`s is not supported. Use `var.assign(var / value)` "
                           "to modify the variable, or `out = var / value` if you need to get a new output Tensor.")

    def __ipow__(self, other):
        raise RuntimeError("`var **= value` with `tf.Variable`s is not supported. Use `var.assign(var ** value)` "
                           "to modify the variable, or `out = var ** value` if you need to get a new output "
                           "Tensor.")

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key. (Variable: %r)" % self)

    def __repr__(self) -> str:
        return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self._name, TensorShape(self._value.shape), self._dtype.name, _numpy_text(self.numpy(), True))

    __str__ = __repr__


class _UnreadVariable(Variable):
    """What ``assign`` returns, as in TensorFlow: the same variable, not yet read, printed
    as ``<tf.Variable 'UnreadVariable' ...>``. It reads and writes its variable's value
    (at the time of use), and the tape records a use of it as a read of that variable.
    """

    __slots__ = ("_parent",)

    def __init__(self, parent: Variable) -> None:
        self._parent = parent
        self._dtype = parent._dtype
        self._trainable = parent._trainable
        self._name = "UnreadVariable"
        self._uid = parent._uid

    @property
    def _value(self):
        return self._parent._value

    def _store(self, value) -> None:
        self._parent._store(value)


def _cast_tensor(t: Tensor, dtype: DType) -> Tensor:
    return t if t._dtype is dtype else wrap(np.asarray(t._value).astype(dtype._np)[()], dtype)
