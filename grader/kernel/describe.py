"""Describe answer variables as JSON text: what the grader reads out of a kernel.

For each name: status, type, dtype, shape, value as nested lists (NaN and infinities
as the strings "nan", "inf", "-inf"), the items of a list/tuple answer, and the tape
evidence for it (each recorded tape call that returned this very value: the op, the
targets' values and the value of the source it is the derivative for). The grader
decides what that evidence proves; this module only reports it.

Student values are hostile. The builtins this module needs are bound when it is
imported (the bootstrap imports it before any student code runs), classes are tested
exactly (``type(v) is float``, never ``isinstance``, which a ``__class__`` property can
fool), each answer is read under a SIGALRM budget (a ``__float__`` or ``__array__``
that hangs becomes an error), arrays beyond ``max_elements`` are refused before
conversion, and the JSON is written by hand from exact built-in types, so no student
``__repr__`` or ``default=`` hook runs. Nothing is pickled.
"""

from __future__ import annotations

import builtins as _builtins
import signal as _signal
import sys as _sys

import numpy as _np

# Bound now, before a student can rebind a builtin.
_type, _object, _BaseException = type, object, BaseException
_str, _bytes, _bool, _int, _float = str, bytes, bool, int, float
_list, _tuple, _dict = list, tuple, dict
_len, _range, _enumerate, _min = len, range, enumerate, min
_getattr = object.__getattribute__
_frepr, _irepr, _lrepr = float.__repr__, int.__repr__, list.__repr__
_typename = type.__dict__["__name__"].__get__
_ndarray, _generic, _asarray, _isfinite = _np.ndarray, _np.generic, _np.asarray, _np.isfinite
_setitimer, _ITIMER_REAL, _SIGALRM, _set_handler = (
    _signal.setitimer, _signal.ITIMER_REAL, _signal.SIGALRM, _signal.signal)

MAX_TEXT = 2000
MAX_EVIDENCE = 4  # tape calls reported per answer
MAX_EVIDENCE_ELEMENTS = 4096  # a target or source larger than this is reported as null

_ESCAPES = {i: "\\u%04x" % i for i in _range(32)}
_ESCAPES[34], _ESCAPES[92] = '\\"', "\\\\"
_MISSING = _object()


class _OutOfTime(_BaseException):
    pass


def _exact(cls, value) -> bool:
    return _type.__subclasscheck__(cls, _type(value))


def _text(s, limit: int = MAX_TEXT):
    """Any str (subclass included) -> plain str, UTF-8-safe, at most ``limit`` chars."""
    s = _str.__str__(s)
    s = _bytes.decode(_str.encode(s, "utf-8", "replace"), "utf-8", "replace")
    return s if _str.__len__(s) <= limit else s[:limit] + "..."


def quote(s) -> str:
    return '"' + _str.translate(s, _ESCAPES) + '"'


def _number(x) -> str:
    t = _type(x)
    if t is _bool:
        return "true" if x else "false"
    if t is _int:
        return _irepr(x)
    if t is _float:
        r = _frepr(x)
        return '"' + r + '"' if r in ("nan", "inf", "-inf") else r
    raise TypeError("not a number: " + _typename(t))


def encode(o) -> str:
    """JSON for None, str, bool, int, float, and lists/tuples/dicts of them (exact types)."""
    t = _type(o)
    if o is None:
        return "null"
    if t is _str:
        return quote(o)
    if t is _dict:
        return "{" + ",".join([quote(k) + ":" + encode(v) for k, v in _dict.items(o)]) + "}"
    if t is _list or t is _tuple:
        return "[" + ",".join([encode(v) for v in o]) + "]"
    return _number(o)


def _error(name, message, type_name=""):
    return {"name": name, "status": "error", "type_name": type_name, "error": _text(message)}


def _describe_exception(e) -> str:
    try:
        return _typename(_type(e)) + ": " + _text(_str(e), 500)
    except _OutOfTime:
        raise
    except _BaseException:
        return _typename(_type(e)) + ": <message could not be read>"


def _numbers(v, depth, budget):
    """A nested list of plain numbers (exact list/tuple/int/float types only, so no
    student code runs), or None: a hard-coded matrix typed as nested lists."""
    t = _type(v)
    if t is _int or t is _float:
        budget[0] -= 1
        return v if budget[0] >= 0 else None
    if (t is not _list and t is not _tuple) or depth > 4:
        return None
    out = []
    for x in (v if t is _list else _list(_tuple.__iter__(v))):
        y = _numbers(x, depth + 1, budget)
        if y is None:
            return None
        out.append(y)
    return out


def _as_array(v, max_elements):
    """An exact ndarray for ``v``, or None when ``v`` is not array-like."""
    if _exact(_ndarray, v) or _exact(_generic, v):
        return _asarray(v)
    if _type(v) is _list or _type(v) is _tuple:
        plain = _numbers(v, 0, [max_elements])
        if plain is None:
            return None
        try:
            return _asarray(plain, dtype=_float)
        except _BaseException:
            return None
    convert = None
    try:
        convert = _getattr(v, "numpy")
    except _BaseException:
        pass
    if convert is not None:
        r = convert()
        if _type(r) in (_bool, _int, _float) or _exact(_ndarray, r) or _exact(_generic, r):
            return _asarray(r)
        return None
    try:
        _getattr(v, "__array__")
    except _BaseException:
        return None
    return _asarray(v)


def _plain(array) -> object:
    """A numeric ndarray as nested lists (nan/inf as strings), or None past the size cap."""
    if array is None or array.size > MAX_EVIDENCE_ELEMENTS:
        return None
    if array.dtype.kind == "f" and not _isfinite(array).all():
        return array.astype(_np.float64).tolist()  # encode() writes nan/inf as strings
    return array.tolist()


def _evidence(ledger, v) -> list:
    if ledger is None:
        return []
    out = []
    for call, index in ledger.matches(v)[:MAX_EVIDENCE]:
        mine = index < _len(call.sources)
        out.append({"op": call.op, "targets": [_plain(t) for t in call.targets],
                    "source": _plain(call.sources[index]) if mine else None,
                    "tape": call.tape, "persistent": call.persistent, "depth": call.depth,
                    "nested": call.nested,
                    "watched": mine and index < _len(call.watched) and call.watched[index],
                    "variable": mine and index < _len(call.variables)
                    and call.variables[index]})
    return out


def _scalar_or_array(name, v, type_name, max_elements):
    t = _type(v)
    if t is _bool or t is _int or t is _float:
        if t is _int and not (-(1 << 1023) < v < (1 << 1023)):
            return _error(name, "the number is too large to compare (%d digits)"
                          % _len(_irepr(v)), type_name)
        return {"name": name, "status": "ok", "type_name": type_name, "dtype": None,
                "shape": [], "value": v}
    a = _as_array(v, max_elements)
    if a is None or _type(a) is not _ndarray:
        return {"name": name, "status": "unserializable", "type_name": type_name,
                "error": "not a number, tensor or array"}
    if a.size > max_elements:
        return _error(name, "too large: %d elements (the grader reads at most %d)"
                      % (a.size, max_elements), type_name)
    kind = a.dtype.kind
    if kind not in "biuf":
        dtype = _text(a.dtype.name)
        return {"name": name, "status": "unserializable", "type_name": type_name,
                "dtype": dtype, "error": "dtype %s is not numeric" % dtype}
    if kind == "f" and a.dtype.itemsize > 8:
        a = a.astype(_np.float64)
    plain = _type(v) is _list or _type(v) is _tuple  # Python numbers carry no dtype
    return {"name": name, "status": "ok", "type_name": type_name,
            "dtype": None if plain else a.dtype.name,
            "shape": [_int(n) for n in a.shape], "value": a.tolist(),
            "_fast": kind in "iu" or (kind == "f" and _isfinite(a).all())}


def _all_equal(xs) -> bool:
    for x in xs:
        if x != xs[0]:
            return False
    return True


def _describe(name, v, depth, ledger, max_elements):
    type_name = _text(_typename(_type(v)), 200)
    if v is None:
        return {"name": name, "status": "none", "type_name": "NoneType"}
    if depth == 0 and (_exact(_list, v) or _exact(_tuple, v)):
        seq = _list.copy(v) if _exact(_list, v) else _list(_tuple.__iter__(v))
        if _list.__len__(seq) > max_elements:
            return _error(name, "too large: %d items" % _list.__len__(seq), type_name)
        items = [_describe(name + "[%d]" % i, x, 1, ledger, max_elements)
                 for i, x in _enumerate(seq)]
        out = {"name": name, "status": "ok", "type_name": type_name, "items": items,
               "evidence": []}
        shapes = [it.get("shape") for it in items if it["status"] == "ok"]
        dtypes = [it.get("dtype") for it in items]
        if items and _len(shapes) == _len(items) and _all_equal(shapes):
            out["shape"] = [_len(items)] + shapes[0]
            out["value"] = [it["value"] for it in items]
            out["dtype"] = dtypes[0] if _all_equal(dtypes) else None
            out["_fast"] = not [it for it in items if not it.get("_fast")]
        return out
    out = _scalar_or_array(name, v, type_name, max_elements)
    if out["status"] == "ok":
        out["evidence"] = _evidence(ledger, v)
    return out


def _finish(d) -> str:
    """One answer's JSON; the values of a finite array use list repr (fast, valid JSON)."""
    fast = _dict.pop(d, "_fast", False)
    value = _dict.pop(d, "value", _MISSING)
    items = _dict.pop(d, "items", None)
    parts = [quote(k) + ":" + encode(x) for k, x in _dict.items(d)]
    if value is not _MISSING:
        if fast and _type(value) is _list:
            parts.append('"value":' + _lrepr(value))
        else:
            parts.append('"value":' + encode(value))
    if items is not None:
        parts.append('"items":[' + ",".join([_finish(it) for it in items]) + "]")
    return "{" + ",".join(parts) + "}"


def _one(name, namespace, ledger, max_elements) -> str:
    v = _dict.get(namespace, name, _MISSING)
    if v is _MISSING:
        return '{"name":' + quote(name) + ',"status":"missing"}'
    try:
        return _finish(_describe(name, v, 0, ledger, max_elements))
    except _OutOfTime:
        raise
    except _BaseException as e:
        # Still inside the time budget: a hostile __str__ cannot hang us here.
        return _finish(_error(name, "reading the value raised " + _describe_exception(e)))


def describe(names, namespace, *, ledger, budget_s: float, max_elements: int,
             failed=None) -> str:
    """The JSON object ``{name: description}`` for ``names`` as found in ``namespace``;
    a name in ``failed`` (name -> message: a function answer whose call raised) is
    reported as an error with that message."""
    armed = [False]

    def alarm(signum, frame):
        if armed[0]:
            raise _OutOfTime()

    try:
        previous = _set_handler(_SIGALRM, alarm)
    except _BaseException:  # not the main thread: read without a budget
        previous = None
    entries = []
    try:
        for name in names:
            try:
                try:
                    if previous is not None:
                        armed[0] = True
                        _setitimer(_ITIMER_REAL, budget_s, 0.1)
                    if failed is not None and _dict.__contains__(failed, name):
                        entry = _finish(_error(name, _dict.get(failed, name)))
                    else:
                        entry = _one(name, namespace, ledger, max_elements)
                finally:
                    armed[0] = False
                    _setitimer(_ITIMER_REAL, 0)
            except _OutOfTime:
                entry = _finish(_error(name, "reading the value took longer than %g s"
                                       % budget_s))
            except _BaseException as e:
                entry = _finish(_error(name, "reading the value raised " + _typename(_type(e))))
            entries.append(quote(name) + ":" + entry)
    finally:
        armed[0] = False
        _setitimer(_ITIMER_REAL, 0)
        if previous is not None:
            _set_handler(_SIGALRM, previous)
    return "{" + ",".join(entries) + "}"




del _builtins
