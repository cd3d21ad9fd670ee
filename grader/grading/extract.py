"""Bring the answer values out of a student's kernel as plain JSON, and read them back.

Two halves that must agree, kept in one file:

- ``build_cell(answers, nonce)`` writes the source of the one cell the grader injects
  after the student's code (and again after each hidden-point re-run). In the kernel
  it describes each answer variable: status, type, dtype, shape, value as nested lists
  (NaN and infinities as the strings "nan", "inf", "-inf"), whether the tape produced
  it, and the items of a list/tuple answer. It publishes one ``display_data`` with a
  private MIME type whose JSON carries ``nonce``, then clears the engine's record of
  tape results, so the next run's ``from_tape`` is about that run's tape calls only.
- ``parse_outputs(outputs, answers, nonce)`` finds that payload among the cell's
  outputs and turns it into ``Observed`` objects. Anything malformed, missing,
  duplicated or with the wrong nonce becomes ``Observed(status="error")``: a failed
  check, never an exception.

Why a nonce: the nonce is drawn in the grader for each extraction and only enters the
kernel with the cell that uses it, so text a student printed or displayed earlier
cannot pass as answers. What it cannot stop: code that deliberately rewires the
interpreter (a patched ``display_pub.publish`` sees the payload as it is sent). The
grader judges values against references it computes itself, so such code can at most
misreport its own answers; a namespaced sandbox does not change that.

Hostile values: the cell takes its type objects from literals (``(0.0).__class__``),
its other helpers from local imports, so a student's ``list = ...`` or ``float = ...``
does not break it; each answer is read under a SIGALRM time budget (a ``__float__`` or
``__array__`` that hangs becomes an error), arrays beyond ``max_elements`` are refused
before conversion, and only exact ndarray data of bool/int/uint/float kinds is
serialised. Nothing is pickled, in either direction.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Iterable, Mapping, Sequence

from grader.results import Observed

MIME = "application/vnd.tapegrader.answers.v1"
STATUSES = ("ok", "missing", "none", "error", "unserializable")
MAX_ELEMENTS = 10**6
ANSWER_BUDGET_S = 2.0
_MAX_TEXT = 2000

# --------------------------------------------------------------------- kernel side
# Placeholders (@NAMES@ ...) are replaced with Python literals by ``build_cell``.
# Every name the function uses is a parameter, a local, or comes from a local import:
# nothing is looked up in the student's namespace.
_KERNEL_SOURCE = r'''
def @FUNC@():
    import builtins as _b, sys as _sys, signal as _signal
    _type = (0).__class__.__class__
    _object = _type.__base__
    _str, _bytes, _bool = ''.__class__, b''.__class__, True.__class__
    _int, _float = (0).__class__, (0.0).__class__
    _list, _tuple, _dict = [].__class__, ().__class__, {}.__class__
    _getattr = _object.__getattribute__

    def _isinst(cls, v):
        # The real class only: ``__class__`` properties cannot lie their way in.
        return _type.__subclasscheck__(cls, _type(v))

    _typename = _type.__dict__['__name__'].__get__
    _frepr, _irepr, _lrepr = _float.__repr__, _int.__repr__, _list.__repr__
    _BaseException = _b.BaseException
    _names, _nonce, _budget, _max = @NAMES@, @NONCE@, @BUDGET@, @MAX@
    _esc_table = {i: '\\u%04x' % i for i in _b.range(32)}
    _esc_table[34], _esc_table[92] = '\\"', '\\\\'
    _g = (lambda: 0).__globals__
    _missing = _object()

    def _text(s, limit=@MAXTEXT@):
        # Any str (subclass included) -> plain str, UTF-8-safe, at most ``limit`` chars.
        s = _str.__str__(s)
        s = _bytes.decode(_str.encode(s, 'utf-8', 'replace'), 'utf-8', 'replace')
        return s if _str.__len__(s) <= limit else s[:limit] + '...'

    def _q(s):
        return '"' + _str.translate(s, _esc_table) + '"'

    def _num(x):
        t = _type(x)
        if t is _bool:
            return 'true' if x else 'false'
        if t is _int:
            return _irepr(x)
        if t is _float:
            r = _frepr(x)
            return '"' + r + '"' if r in ('nan', 'inf', '-inf') else r
        raise _b.TypeError('not a number: ' + _typename(t))

    def _enc(o):
        t = _type(o)
        if o is None:
            return 'null'
        if t is _str:
            return _q(o)
        if t is _dict:
            return '{' + ','.join([_q(k) + ':' + _enc(v) for k, v in _dict.items(o)]) + '}'
        if t is _list or t is _tuple:
            return '[' + ','.join([_enc(v) for v in o]) + ']'
        return _num(o)

    _prov = [None, None]
    try:
        from grader.tape.provenance import came_from_tape as _cft, clear as _clear
        _prov[0], _prov[1] = _cft, _clear
    except _BaseException:
        pass

    def _from_tape(v):
        if _prov[0] is None:
            return False
        try:
            return _prov[0](v) is True
        except _BaseException:
            return False

    class _OutOfTime(_BaseException):
        pass

    _armed = [False]

    def _alarm(signum, frame):
        if _armed[0]:
            raise _OutOfTime()

    def _arm():
        _armed[0] = True
        _signal.setitimer(_signal.ITIMER_REAL, _budget, 0.1)

    def _disarm():
        _armed[0] = False
        _signal.setitimer(_signal.ITIMER_REAL, 0)

    def _err(name, msg, tname=''):
        return {'name': name, 'status': 'error', 'type_name': tname, 'error': _text(msg)}

    def _describe_exc(e):
        try:
            return _typename(_type(e)) + ': ' + _text(_str(e), 500)
        except _OutOfTime:
            raise
        except _BaseException:
            return _typename(_type(e)) + ': <message could not be read>'

    def _numbers(v, depth, budget):
        # A nested list of plain numbers (exact list/tuple/int/float types only, so no
        # student code runs), or None: a hard-coded matrix typed as nested lists.
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

    def _array(v, np):
        # An exact ndarray for v, or None when v is not array-like.
        if _isinst(np.ndarray, v) or _isinst(np.generic, v):
            return np.asarray(v)
        if _type(v) is _list or _type(v) is _tuple:
            plain = _numbers(v, 0, [_max])
            if plain is None:
                return None
            try:
                a = np.asarray(plain, dtype=float)
            except _BaseException:
                return None
            return a
        conv = None
        try:
            conv = _getattr(v, 'numpy')
        except _BaseException:
            pass
        if conv is not None:
            r = conv()
            if _type(r) in (_bool, _int, _float):
                return np.asarray(r)
            if _isinst(np.ndarray, r) or _isinst(np.generic, r):
                return np.asarray(r)
            return None
        try:
            _getattr(v, '__array__')
        except _BaseException:
            return None
        return np.asarray(v)

    def _scalar_or_array(name, v, tname):
        t = _type(v)
        if t is _bool or t is _int or t is _float:
            return {'name': name, 'status': 'ok', 'type_name': tname, 'dtype': None,
                    'shape': [], 'value': v}
        np = _sys.modules.get('numpy')
        if np is None:
            import numpy as np
        a = _array(v, np)
        if a is None or _type(a) is not np.ndarray:
            return {'name': name, 'status': 'unserializable', 'type_name': tname,
                    'error': 'not a number, tensor or array'}
        if a.size > _max:
            return _err(name, 'too large: %d elements (the grader reads at most %d)'
                        % (a.size, _max), tname)
        kind = a.dtype.kind
        if kind not in 'biuf':
            dtype = _text(a.dtype.name)
            return {'name': name, 'status': 'unserializable', 'type_name': tname,
                    'dtype': dtype, 'error': 'dtype %s is not numeric' % dtype}
        plain = _type(v) is _list or _type(v) is _tuple  # Python numbers carry no dtype
        return {'name': name, 'status': 'ok', 'type_name': tname,
                'dtype': None if plain else a.dtype.name,
                'shape': [_int(n) for n in a.shape], 'value': a.tolist(),
                '_fast': kind in 'iu' or (kind == 'f' and np.isfinite(a).all())}

    def _describe(name, v, depth):
        tname = _text(_typename(_type(v)), 200)
        if v is None:
            return {'name': name, 'status': 'none', 'type_name': 'NoneType'}
        if depth == 0 and (_isinst(_list, v) or _isinst(_tuple, v)):
            seq = _list.copy(v) if _isinst(_list, v) else _list(_tuple.__iter__(v))
            if _list.__len__(seq) > _max:
                return _err(name, 'too large: %d items' % _list.__len__(seq), tname)
            items = [_describe(name + '[%d]' % i, x, 1) for i, x in _b.enumerate(seq)]
            out = {'name': name, 'status': 'ok', 'type_name': tname, 'items': items,
                   'from_tape': _from_tape(v)}
            shapes = [it.get('shape') for it in items if it['status'] == 'ok']
            dtypes = [it.get('dtype') for it in items]
            if items and _list.__len__(shapes) == _list.__len__(items) and all_equal(shapes):
                out['shape'] = [_list.__len__(items)] + shapes[0]
                out['value'] = [it['value'] for it in items]
                out['dtype'] = dtypes[0] if all_equal(dtypes) else None
                out['_fast'] = all_true([it.get('_fast') for it in items])
            return out
        out = _scalar_or_array(name, v, tname)
        out['from_tape'] = _from_tape(v)
        return out

    def all_equal(xs):
        for x in xs:
            if x != xs[0]:
                return False
        return True

    def all_true(xs):
        for x in xs:
            if not x:
                return False
        return True

    def _finish(d):
        # Serialise one answer; numeric values of a finite array use list repr (fast, valid JSON).
        fast = _dict.pop(d, '_fast', False)
        value = _dict.pop(d, 'value', _missing)
        items = _dict.pop(d, 'items', None)
        parts = [_q(k) + ':' + _enc(x) for k, x in _dict.items(d)]
        if value is not _missing:
            if fast and _type(value) is _list:
                parts.append('"value":' + _lrepr(value))
            else:
                parts.append('"value":' + _enc(value))
        if items is not None:
            parts.append('"items":[' + ','.join([_finish(it) for it in items]) + ']')
        return '{' + ','.join(parts) + '}'

    def _one(name):
        v = _dict.get(_g, name, _missing)
        if v is _missing:
            return '{"name":' + _q(name) + ',"status":"missing"}'
        try:
            return _finish(_describe(name, v, 0))
        except _OutOfTime:
            raise
        except _BaseException as e:
            # Still inside the time budget: a hostile __str__ cannot hang us here.
            return _finish(_err(name, 'reading the value raised ' + _describe_exc(e)))

    try:
        _old = _signal.signal(_signal.SIGALRM, _alarm)
    except _BaseException:
        _old = None
    entries = []
    try:
        for name in _names:
            try:
                try:
                    if _old is not None:
                        _arm()
                    entry = _one(name)
                finally:
                    _disarm()
            except _OutOfTime:
                entry = _finish(_err(name, 'reading the value took longer than %g s' % _budget))
            except _BaseException as e:
                entry = _finish(_err(name, 'reading the value raised ' + _typename(_type(e))))
            entries.append(_q(name) + ':' + entry)
    finally:
        _disarm()
        if _old is not None:
            _signal.signal(_signal.SIGALRM, _old)
    payload = '{"nonce":' + _q(_nonce) + ',"answers":{' + ','.join(entries) + '}}'
    if not @PUBLISH@:
        # In-process use (the notebook's feedback cell): hand the payload back and
        # leave the student's tape record alone.
        return payload
    if _prov[1] is not None:
        # Each run's ``from_tape`` is about the tape results of that run only.
        try:
            _prov[1]()
        except _BaseException:
            pass
    from IPython.core.getipython import get_ipython as _gi
    _gi().display_pub.publish(data={@MIME@: payload}, metadata={})

try:
    @FUNC@()
finally:
    del @FUNC@
'''

# The cell itself is two lines: the code above travels as one string literal, which
# IPython's input transformers pass over as a single token (transforming the expanded
# code cost 10-15 ms per extraction) and which cannot be mistaken for magics.
_CELL = (
    "import builtins as _tapegrader_builtins_@NONCE_ID@\n"
    "_tapegrader_builtins_@NONCE_ID@.exec(_tapegrader_builtins_@NONCE_ID@.compile("
    "@SOURCE@, '<tapegrader extraction>', 'exec')); del _tapegrader_builtins_@NONCE_ID@\n"
)


def new_nonce() -> str:
    """A fresh unguessable token for one extraction (drawn in the grader)."""
    return secrets.token_hex(16)


def build_cell(answers: Sequence[str], nonce: str, *, budget_s: float = ANSWER_BUDGET_S,
               max_elements: int = MAX_ELEMENTS) -> str:
    """The source of the extraction cell for ``answers`` (variable names)."""
    source = _function_source(answers, nonce, budget_s=budget_s, max_elements=max_elements,
                              publish=True)
    return _CELL.replace("@NONCE_ID@", nonce).replace("@SOURCE@", repr(source.strip() + "\n"))


def observe_namespace(answers: Sequence[str], namespace: Mapping[str, Any], *,
                      budget_s: float = ANSWER_BUDGET_S,
                      max_elements: int = MAX_ELEMENTS) -> dict[str, Observed]:
    """Describe ``answers`` in a namespace of this process, as the kernel cell would.

    The same code as the injected cell, so the notebook's feedback cell and
    ``grader check`` see answers alike; the payload is returned instead of displayed.
    """
    nonce = new_nonce()
    source = _function_source(answers, nonce, budget_s=budget_s, max_elements=max_elements,
                              publish=False)
    definition = source.split("\ntry:\n", 1)[0]
    scope = dict(namespace)
    exec(compile(definition, "<tapegrader extraction>", "exec"), scope)
    payload = scope[f"_tapegrader_extract_{nonce}"]()
    return parse_outputs([{"output_type": "display_data", "data": {MIME: payload}}],
                         answers, nonce)


def _function_source(answers: Sequence[str], nonce: str, *, budget_s: float,
                     max_elements: int, publish: bool) -> str:
    names = list(answers)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"answer name {name!r} is not a Python identifier")
    if not (isinstance(nonce, str) and nonce.isalnum()):
        raise ValueError("nonce must be alphanumeric")
    replacements = {
        "@FUNC@": f"_tapegrader_extract_{nonce}",
        "@NAMES@": repr(tuple(names)),
        "@NONCE@": repr(nonce),
        "@BUDGET@": repr(float(budget_s)),
        "@MAX@": repr(int(max_elements)),
        "@MAXTEXT@": repr(_MAX_TEXT),
        "@MIME@": repr(MIME),
        "@PUBLISH@": repr(bool(publish)),
    }
    source = _KERNEL_SOURCE
    for key, value in replacements.items():
        source = source.replace(key, value)
    return source


# ---------------------------------------------------------------------- grader side


class _Malformed(ValueError):
    """A payload entry that does not have the shape ``build_cell`` writes."""


def _reject_constant(name: str) -> Any:
    raise _Malformed(f"non-standard JSON constant {name}")


def _payloads(outputs: Iterable[Mapping[str, Any]]) -> list[Any]:
    found = []
    for out in outputs:
        if not isinstance(out, Mapping):
            continue
        if out.get("output_type") not in ("display_data", "execute_result"):
            continue
        data = out.get("data")
        if isinstance(data, Mapping) and MIME in data:
            found.append(data[MIME])
    return found


def _decode(raw: Any) -> Any:
    if isinstance(raw, list):  # nbformat may split long text into lines
        raw = "".join(x for x in raw if isinstance(x, str))
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str):
        raise _Malformed("payload is not text")
    return json.loads(raw, parse_constant=_reject_constant)


def _text(value: Any, what: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Malformed(f"{what} is not a string")
    return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "..."


def _shape(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value
    ):
        raise _Malformed("shape is not a list of non-negative integers")
    return tuple(value)


_NONFINITE = ("nan", "inf", "-inf")


def _check_value(value: Any, depth: int = 0) -> None:
    """Numbers, bools, the three non-finite strings, nested lists of them; None."""
    if depth > 64:
        raise _Malformed("value is nested too deeply")
    if value is None or isinstance(value, (bool, int, float)):
        return
    if isinstance(value, str):
        if value not in _NONFINITE:
            raise _Malformed(f"value holds the string {value[:40]!r}")
        return
    if isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)
        return
    raise _Malformed(f"value holds a {type(value).__name__}")


def _observed(name: str, entry: Any, *, depth: int = 0) -> Observed:
    if not isinstance(entry, dict):
        raise _Malformed(f"the entry for {name!r} is not an object")
    status = entry.get("status")
    if status not in STATUSES:
        raise _Malformed(f"status {status!r} is not one of {', '.join(STATUSES)}")
    from_tape = entry.get("from_tape", False)
    if not isinstance(from_tape, bool):
        raise _Malformed("from_tape is not a boolean")
    value = entry.get("value")
    _check_value(value)
    items = entry.get("items")
    if items is not None:
        if depth > 0 or not isinstance(items, list):
            raise _Malformed("items is not a list of answers")
        items = tuple(
            _observed(f"{name}[{i}]", item, depth=depth + 1) for i, item in enumerate(items)
        )
    return Observed(
        name=name,
        status=status,
        type_name=_text(entry.get("type_name", ""), "type_name") or "",
        dtype=_text(entry.get("dtype"), "dtype"),
        shape=_shape(entry.get("shape")),
        value=value,
        from_tape=from_tape,
        error=_text(entry.get("error"), "error"),
        items=items,
    )


def failed(answers: Sequence[str], reason: str) -> dict[str, Observed]:
    """Every answer as an error with ``reason`` (used when no payload can be read)."""
    return {name: Observed(name=name, status="error", error=reason) for name in answers}


def parse_outputs(outputs: Iterable[Mapping[str, Any]], answers: Sequence[str],
                  nonce: str) -> dict[str, Observed]:
    """Read the extraction cell's outputs back into one ``Observed`` per answer name."""
    genuine = []
    for raw in _payloads(outputs):
        try:
            payload = _decode(raw)
        except (ValueError, RecursionError):
            continue
        if isinstance(payload, dict) and payload.get("nonce") == nonce:
            genuine.append(payload)
    if not genuine:
        return failed(answers, "the grader could not read the answers: the extraction "
                               "cell produced no output (was IPython's display replaced, or "
                               "did a single output of hundreds of MB cut the connection?)")
    if len(genuine) > 1:
        return failed(answers, "the grader could not read the answers: the answer output "
                               "appeared more than once (a forged copy?)")
    table = genuine[0].get("answers")
    if not isinstance(table, dict):
        return failed(answers, "the grader could not read the answers: malformed output")
    result = {}
    for name in answers:
        if name not in table:
            result[name] = Observed(name=name, status="error",
                                    error="the answer output does not mention this name")
            continue
        try:
            result[name] = _observed(name, table[name])
        except (_Malformed, RecursionError) as exc:
            result[name] = Observed(name=name, status="error",
                                    error=f"malformed answer output: {exc}")
    return result
