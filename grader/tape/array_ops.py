"""Creating tensors and rearranging them: fills, ranges, reshape, transpose, concat,
stack, slicing, broadcast, cast, identity, stop_gradient, shape queries.

Rearrangements are recorded (their gradients are rearrangements back); creators
and shape queries make constants, which no tape records.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import dtypes
from .errors import _op_error
from .recording import active, record
from .tensor import Tensor, Variable, as_tensor, constant, operand, wrap

__all__ = [
    "zeros", "ones", "fill", "zeros_like", "ones_like", "eye", "range", "linspace", "reshape", "transpose",
    "concat", "stack", "unstack", "expand_dims", "squeeze", "identity", "cast", "stop_gradient", "shape",
    "size", "rank", "broadcast_to", "getitem", "slice_grad", "newaxis", "tile",
    "gather", "gather_grad", "one_hot", "pad", "meshgrid",
]

newaxis = None
_brange = builtins.range


def _shape_tuple(shape) -> tuple:
    if shape.__class__ is tuple:
        return shape
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _dims(shape) -> str:
    return "[%s]" % ",".join(str(d) for d in shape)


# -- creators ------------------------------------------------------------------------
def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """``tf.zeros``: a tensor of zeros (float32 unless told)."""
    dt = dtypes.as_dtype(dtype)
    return wrap(np.zeros(_shape_tuple(shape), dt._np)[()], dt)


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """``tf.ones``: a tensor of ones (float32 unless told)."""
    dt = dtypes.as_dtype(dtype)
    return wrap(np.ones(_shape_tuple(shape), dt._np)[()], dt)


def fill(dims, value, name=None) -> Tensor:
    """``tf.fill``: ``dims`` filled with ``value``; the dtype is the value's."""
    v = as_tensor(value)
    if v._value.ndim:
        raise _op_error("Fill", "value must be a scalar, got shape %s" % _dims(v._value.shape))
    return wrap(np.full(_shape_tuple(dims), v._value, v._dtype._np)[()], v._dtype)


def zeros_like(input, dtype=None, name=None) -> Tensor:
    """``tf.zeros_like``: zeros of the input's shape and (unless told) dtype."""
    x = as_tensor(input)
    dt = x._dtype if dtype is None else dtypes.as_dtype(dtype)
    return wrap(np.zeros(x._value.shape, dt._np)[()], dt)


def ones_like(input, dtype=None, name=None) -> Tensor:
    """``tf.ones_like``: ones of the input's shape and (unless told) dtype."""
    x = as_tensor(input)
    dt = x._dtype if dtype is None else dtypes.as_dtype(dtype)
    return wrap(np.ones(x._value.shape, dt._np)[()], dt)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None) -> Tensor:
    """``tf.eye``: the identity matrix, optionally repeated over ``batch_shape``."""
    dt = dtypes.as_dtype(dtype)
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=dt._np)
    if batch_shape is not None:
        m = np.broadcast_to(m, _shape_tuple(batch_shape) + m.shape).copy()
    return wrap(m, dt)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 - TensorFlow's name
    """``tf.range``: int32 for integer arguments, float32 if any is a float (unless told)."""
    if limit is None:
        start, limit = 0, start
    vals = [x.numpy() if isinstance(x, Tensor) else x for x in (start, limit, delta)]
    if dtype is None:
        given = [x for x in (start, limit, delta) if isinstance(x, Tensor)]
        if given:
            dt = given[0]._dtype
        else:
            dt = dtypes.float32 if any(isinstance(x, (float, np.floating)) for x in vals) else dtypes.int32
    else:
        dt = dtypes.as_dtype(dtype)
    start_v, limit_v, delta_v = vals
    if delta_v == 0:
        raise _op_error("Range", "Requires delta != 0: 0")
    if delta_v > 0 and start_v > limit_v:
        raise _op_error("Range", "Requires start <= limit when delta > 0: %s/%s" % (start_v, limit_v))
    if delta_v < 0 and start_v < limit_v:
        raise _op_error("Range", "Requires start >= limit when delta < 0: %s/%s" % (start_v, limit_v))
    if dt.is_integer:
        return wrap(np.arange(start_v, limit_v, delta_v).astype(dt._np), dt)
    # TensorFlow computes the size and the values in the dtype, adding delta step by step.
    start_f, limit_f, delta_f = (dt._np.type(v) for v in (start_v, limit_v, delta_v))
    n = int(np.ceil(np.abs((limit_f - start_f) / delta_f)))
    return wrap(start_f + np.arange(n, dtype=dt._np) * delta_f, dt)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``tf.linspace``: ``num`` evenly spaced values from start to stop inclusive."""
    s = as_tensor(start)
    dt = s._dtype if s._dtype.is_floating else dtypes.float64
    stop_v = stop.numpy() if isinstance(stop, Tensor) else stop
    return wrap(np.linspace(s._value, stop_v, int(num), axis=axis).astype(dt._np), dt)


# -- rearrangements (recorded) ---------------------------------------------------------
def _tensor(x) -> Tensor:
    return x if x.__class__ is Tensor or x.__class__ is Variable else as_tensor(x)


def reshape(tensor, shape, name=None) -> Tensor:
    """``tf.reshape``: same values, new shape (one dimension may be -1)."""
    x = _tensor(tensor)
    shape = _shape_tuple(shape)
    try:
        v = x._value.reshape(shape)
    except ValueError:
        n = int(np.prod([d for d in shape if d != -1]))
        raise _op_error("Reshape", "Input to reshape is a tensor with %d values, but the requested shape %s %d"
                        % (np.size(x._value), "requires a multiple of" if -1 in shape else "has", n),
                        kernel=True, named=False) from None
    out = wrap(v, x._dtype)
    if active:
        record("Reshape", (x,), out)
    return out


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """``tf.transpose``: permute axes (reverse them by default)."""
    x = _tensor(a)
    nd = x._value.ndim
    perm = tuple(_brange(nd - 1, -1, -1)) if perm is None else _shape_tuple(perm)
    if len(perm) != nd:
        raise _op_error("Transpose", "transpose expects a vector of size %d. But input(1) is a vector of size %d"
                        % (nd, len(perm)), kernel=True, named=False)
    missing = [i for i in _brange(nd) if i not in {p % nd for p in perm}]
    if missing:
        raise _op_error("Transpose", "%d is missing from {%s}. (perm %s is not a permutation of %s)"
                       % (missing[0], ",".join(str(p) for p in perm), list(perm), list(_brange(nd))))
    out = wrap(np.transpose(x._value, perm), x._dtype)
    if active:
        record("Transpose", (x,), out, perm)
    return out


def _same_dtype(values, op: str) -> list:
    tensors = [v for v in values if isinstance(v, Tensor)]
    first = tensors[0]._dtype if tensors else as_tensor(values[0])._dtype
    out = []
    for i, v in enumerate(values):
        t = operand(v, first) if not isinstance(v, Tensor) else v
        if t._dtype is not first:
            raise _op_error(op, "cannot compute %s as input #%d(zero-based) was expected to be a %s tensor but is a "
                           "%s tensor" % (op, i, first.name, t._dtype.name))
        out.append(t)
    return out


def concat(values, axis, name="concat") -> Tensor:
    """``tf.concat``: join tensors along an existing axis."""
    ts = _same_dtype(list(values), "ConcatV2")
    axis = int(axis)
    try:
        v = np.concatenate([t._value for t in ts], axis=axis)
    except ValueError as exc:  # numpy's AxisError is a ValueError
        raise _op_error("ConcatV2", "ConcatOp : %s (shapes %s)"
                       % (exc, ", ".join(_dims(np.shape(t._value)) for t in ts))) from None
    out = wrap(v, ts[0]._dtype)
    if active:
        nd = v.ndim
        record("ConcatV2", tuple(ts), out, (axis % nd, tuple(np.shape(t._value)[axis % nd] for t in ts)))
    return out


def stack(values, axis=0, name="stack") -> Tensor:
    """``tf.stack``: join same-shaped tensors along a new axis."""
    ts = _same_dtype(list(values), "Pack")
    try:
        v = np.stack([t._value for t in ts], axis=int(axis))
    except ValueError as exc:  # numpy's AxisError is a ValueError
        raise _op_error("Pack", "Shapes of all inputs must match: %s (%s)"
                       % (", ".join(_dims(np.shape(t._value)) for t in ts), exc)) from None
    out = wrap(v, ts[0]._dtype)
    if active:
        record("Pack", tuple(ts), out, int(axis) % v.ndim)
    return out


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """``tf.unstack``: the slices along ``axis`` as a list."""
    x = _tensor(value)
    axis = int(axis) % max(x._value.ndim, 1)
    lead = (slice(None),) * axis
    return [getitem(x, lead + (i,)) for i in _brange(x._value.shape[axis])]


def expand_dims(input, axis, name=None) -> Tensor:
    """``tf.expand_dims``: insert a length-1 axis."""
    x = _tensor(input)
    return reshape(x, np.expand_dims(np.empty(x._value.shape, np.bool_), int(axis)).shape)


def squeeze(input, axis=None, name=None) -> Tensor:
    """``tf.squeeze``: drop length-1 axes (all of them, or those in ``axis``)."""
    x = _tensor(input)
    shp = x._value.shape
    if axis is None:
        new = tuple(d for d in shp if d != 1)
    else:
        axes = {a % len(shp) for a in ((axis,) if isinstance(axis, int) else axis)}
        bad = [a for a in axes if shp[a] != 1]
        if bad:
            raise _op_error("Squeeze", "Can not squeeze dim[%d], expected a dimension of 1, got %d"
                            % (bad[0], shp[bad[0]]), kernel=True)
        new = tuple(d for i, d in enumerate(shp) if i not in axes)
    return reshape(x, new)


def identity(input, name=None) -> Tensor:
    """``tf.identity``: a tensor with the same value (a snapshot, for a Variable)."""
    x = _tensor(input)
    out = wrap(x._value, x._dtype)
    if active:
        record("Identity", (x,), out)
    return out


def cast(x, dtype, name=None) -> Tensor:
    """``tf.cast``: convert to ``dtype``; float -> int truncates toward zero, as in TensorFlow."""
    t = _tensor(x)
    dt = dtypes.as_dtype(dtype)
    if dt is t._dtype:
        return t
    out = wrap(np.asarray(t._value).astype(dt._np)[()], dt)
    if active and t._dtype.is_floating:
        record("Cast", (t,), out)
    return out


def stop_gradient(input, name=None) -> Tensor:
    """``tf.stop_gradient``: the same value, invisible to every tape."""
    x = _tensor(input)
    return wrap(x._value, x._dtype)


def broadcast_to(input, shape, name=None) -> Tensor:
    """``tf.broadcast_to``: repeat length-1 (or missing leading) axes to ``shape``."""
    x = _tensor(input)
    shape = _shape_tuple(shape)
    try:
        # Materialised rather than a broadcast view: as cheap for small tensors
        # (np.broadcast_to costs microseconds), and the next op reads it anyway.
        if x._value.ndim > len(shape):
            raise ValueError
        v = np.empty(shape, x._dtype._np)
        v[...] = x._value
    except ValueError:
        raise _op_error("BroadcastTo", "Unable to broadcast tensor of shape %s to tensor of shape %s"
                       % (_dims(x._value.shape), _dims(shape))) from None
    out = wrap(v, x._dtype)
    if active:
        record("BroadcastTo", (x,), out)
    return out


def tile(input, multiples, name=None) -> Tensor:
    """``tf.tile``: repeat the whole tensor ``multiples[i]`` times along axis i."""
    x = _tensor(input)
    reps = _shape_tuple(multiples)
    if len(reps) != x._value.ndim:
        raise _op_error("Tile", "Expected multiples argument to be a vector of length %d but got length %d"
                       % (x._value.ndim, len(reps)))
    out = wrap(np.tile(x._value, reps), x._dtype)
    if active:
        record("Tile", (x,), out, reps)
    return out


_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """``tf.pad``: ``paddings[i] = [before, after]`` values added along axis i.

    CONSTANT is one recorded op (its gradient is a slice); REFLECT and SYMMETRIC are
    gathers along each axis (their gradients add the mirrored entries back).
    """
    x = _tensor(tensor)
    pads = np.asarray(paddings._value if isinstance(paddings, Tensor) else paddings)
    if pads.shape != (x._value.ndim, 2):
        raise _op_error("Pad", "The first dimension of paddings must be the rank of inputs[%d,2] %s"
                        % (pads.shape[0] if pads.ndim else 0, _dims(x._value.shape)), kernel=True)
    pads = tuple((int(b), int(a)) for b, a in pads)
    mode_name = _PAD_MODES.get(str(mode).upper())
    if mode_name is None:
        raise ValueError("Value of argument `mode` expected to be one of \"CONSTANT\", \"REFLECT\", or "
                         "\"SYMMETRIC\". Received `mode` = %s" % mode)
    if mode_name == "constant":
        fill = operand(constant_values, x._dtype)._value
        out = wrap(np.pad(x._value, pads, constant_values=fill), x._dtype)
        if active:
            record("Pad", (x,), out, pads)
        return out
    for axis, (before, after) in enumerate(pads):
        n = x._value.shape[axis]
        limit = n - 1 if mode_name == "reflect" else n
        if before > limit or after > limit:
            raise _op_error("MirrorPad", "paddings must be less than%s the dimension size: %d, %d not less than %d"
                            % ("" if mode_name == "reflect" else " or equal to", before, after, n), kernel=True)
        if before or after:
            x = gather(x, np.pad(np.arange(n), (before, after), mode=mode_name), axis=axis)
    return x


def meshgrid(*args, **kwargs) -> list:
    """``tf.meshgrid``: coordinate grids (``indexing='xy'`` swaps the first two axes),
    built as TensorFlow builds them: each vector reshaped, times ones of the full shape."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError("'{}' is an invalid keyword argument for this function".format(next(iter(kwargs))))
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got '%s'" % indexing)
    ndim = len(args)
    if not ndim:
        return []
    s0 = (1,) * ndim
    output = [reshape(stack(x) if isinstance(x, (list, tuple)) else x, s0[:i] + (-1,) + s0[i + 1:])
              for i, x in enumerate(args)]
    shapes = [int(np.size(t._value)) for t in output]
    if indexing == "xy" and ndim > 1:
        output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
        output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
        shapes[0], shapes[1] = shapes[1], shapes[0]
    from .math_ops import multiply
    ones_full = ones(shapes, output[0]._dtype)
    return [multiply(x, ones_full) for x in output]


# -- indexing --------------------------------------------------------------------------
def _index_key(key) -> tuple:
    key = key if isinstance(key, tuple) else (key,)
    out = []
    for k in key:
        if isinstance(k, (Tensor, np.ndarray)) and np.asarray(k).dtype == np.bool_ and np.ndim(k) >= 1:
            out.append(np.asarray(k))  # a boolean mask (TensorFlow's boolean_mask)
            continue
        if isinstance(k, Tensor):
            if not k._dtype.is_integer or k._value.ndim:
                raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                                "tf.int32/tf.int64 tensors are valid indices, got %r" % (k,))
            k = int(k._value)
        elif isinstance(k, slice):
            k = slice(*(int(s) if isinstance(s, Tensor) else s for s in (k.start, k.stop, k.step)))
        elif not (k is None or k is Ellipsis or isinstance(k, (int, np.integer))) or isinstance(k, bool):
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            "tf.int32/tf.int64 tensors are valid indices, got %r" % (k,))
        out.append(k)
    return tuple(out)


def getitem(tensor, key) -> Tensor:
    """``tensor[key]`` (TensorFlow's StridedSlice): ints, slices, ``...`` and ``tf.newaxis``."""
    x = _tensor(tensor)
    key = _index_key(key)
    v = x._value
    if v.ndim == 0 and any(k is not None and k is not Ellipsis for k in key if not isinstance(k, np.ndarray)):
        raise _op_error("StridedSlice", "Attempting to slice scalar input.", )
    try:
        r = v[key]
    except IndexError as exc:
        if any(isinstance(k, np.ndarray) for k in key):
            raise _op_error("BooleanMask", "mask and tensor shapes do not match: %s" % exc) from None
        dim = next((i for i, k in enumerate(k for k in key if k is not None) if isinstance(k, (int, np.integer))), 0)
        raise _op_error("StridedSlice", "slice index %s of dimension %d out of bounds." % (key[dim], dim)) from None
    out = wrap(r, x._dtype)
    if active:
        record("StridedSlice", (x,), out, key)
    return out


def slice_grad(g: Tensor, shape: tuple, key: tuple) -> Tensor:
    """The gradient of ``x[key]``: zeros of x's shape with ``g`` placed at ``key`` (linear in g)."""
    z = np.zeros(shape, g._dtype._np)
    z[key] = g._value
    out = wrap(z, g._dtype)
    if active:
        record("StridedSliceGrad", (g,), out, key)
    return out


def gather(params, indices, axis=None, batch_dims=0, name=None) -> Tensor:
    """``tf.gather``: the slices of ``params`` at ``indices`` along ``axis`` (0 by default)."""
    if batch_dims:
        raise NotImplementedError("The engine's tf.gather supports batch_dims=0 only.")
    x = _tensor(params)
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("tf.gather needs integer indices, got dtype %s." % idx.dtype)
    axis = 0 if axis is None else int(axis) % max(x._value.ndim, 1)
    size = x._value.shape[axis]
    bad = idx[(idx < 0) | (idx >= size)] if idx.size else idx
    if bad.size:
        raise _op_error("GatherV2", "indices = %d is not in [0, %d)" % (bad.flat[0], size))
    out = wrap(np.take(x._value, idx, axis=axis), x._dtype)
    if active:
        record("GatherV2", (x,), out, (idx, axis))
    return out


def gather_grad(g: Tensor, shape: tuple, indices, axis: int) -> Tensor:
    """The gradient of ``gather``: ``g`` added back at ``indices`` (linear in g)."""
    z = np.zeros(shape, g._dtype._np)
    np.add.at(z, (slice(None),) * axis + (indices,), g._value)
    out = wrap(z, g._dtype)
    if active:
        record("GatherGrad", (g,), out, (indices, axis))
    return out


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """``tf.one_hot``: float32 rows with ``on_value`` at each index (all off for an out-of-range one)."""
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    dt = dtypes.float32 if dtype is None else dtypes.as_dtype(dtype)
    depth = int(depth)
    hot = (idx[..., None] == np.arange(depth)) if axis in (None, -1) else \
        np.moveaxis(idx[..., None] == np.arange(depth), -1, int(axis))
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    return wrap(np.where(hot, on, off).astype(dt._np), dt)


# -- shape queries (constants) -----------------------------------------------------------
def shape(input, out_type=dtypes.int32, name=None) -> Tensor:
    """``tf.shape``: the shape as an int32 tensor."""
    dt = dtypes.as_dtype(out_type)
    return wrap(np.array(np.shape(as_tensor(input)._value), dt._np), dt)


def size(input, out_type=dtypes.int32, name=None) -> Tensor:
    """``tf.size``: the number of elements as an int32 scalar."""
    dt = dtypes.as_dtype(out_type)
    return wrap(dt._scalar(np.size(as_tensor(input)._value)), dt)


def rank(input, name=None) -> Tensor:
    """``tf.rank``: the number of axes as an int32 scalar."""
    return wrap(np.int32(np.ndim(as_tensor(input)._value)), dtypes.int32)


def convert_like(value, like: Tensor) -> Tensor:
    """A constant with ``like``'s dtype (for gradient rules building masks)."""
    return constant(value, like._dtype)
