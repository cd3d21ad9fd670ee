"""Bring the answer values out of a student's kernel as plain JSON, and read them back.

The kernel half is real code in ``grader.kernel`` (``answers.publish``, bound by the
kernel's bootstrap before any student code runs). This module is the grader half:

- ``build_cell(answers, nonce)`` writes the cell the grader injects after the student's
  code (and again after each hidden-point re-run): an import and one call with keyword
  arguments, nothing filled into a source template.
- ``parse_outputs(outputs, answers, nonce)`` finds that payload among the cell's
  outputs and turns it into ``Observed`` objects, each with its tape evidence and what
  the kernel's watch saw replaced. Anything malformed, missing, duplicated or with the
  wrong nonce becomes ``Observed(status="error")``: a failed check, never an exception.

Why a nonce: it is drawn in the grader for each extraction and only enters the kernel
with the cell that uses it, so text a student printed or displayed earlier cannot pass
as answers. What it cannot stop: code that rewires the interpreter to see the cell
before it runs. The kernel's ``Watch`` reports such rewiring, and the grader's
integrity scan (``grader.grading.integrity``) flags the means to it in the notebook's
source; either withholds the tape check. Values are judged against references computed
here, so such code can at most misreport its own answers. Nothing is pickled.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Iterable, Mapping, Sequence

from grader.kernel.answers import MIME
from grader.results import Observed, TapeEvidence

STATUSES = ("ok", "missing", "none", "error", "unserializable")
MAX_ELEMENTS = 10**6
ANSWER_BUDGET_S = 2.0
_MAX_TEXT = 2000
_MAX_TAMPERED = 20
MAX_LOSSES = 10_000


def new_nonce() -> str:
    """A fresh unguessable token for one extraction (drawn in the grader)."""
    return secrets.token_hex(16)


def _check_names(answers: Sequence[str]) -> tuple[str, ...]:
    names = tuple(answers)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"answer name {name!r} is not a Python identifier")
    return names


def check_calls(calls: Sequence[Sequence[str]]) -> tuple[tuple, ...]:
    """Function answers as ``grader.kernel.calls`` takes them, every part checked
    (names are identifiers, the mode known), so the cell's repr is plain data."""
    from grader.kernel.calls import MODES

    out = []
    for answer, function, params, mode, dtype in calls:
        _check_names([answer, function, *params])
        if mode not in MODES or dtype not in ("float16", "float32", "float64"):
            raise ValueError(f"bad call mode {mode!r} or dtype {dtype!r}")
        out.append((str(answer), str(function), tuple(str(p) for p in params), mode, dtype))
    return tuple(out)


def build_cell(answers: Sequence[str], nonce: str, *, budget_s: float = ANSWER_BUDGET_S,
               max_elements: int = MAX_ELEMENTS, calls: Sequence[Sequence[str]] = ()) -> str:
    """The source of the extraction cell for ``answers`` (variable names), calling the
    function answers ``calls`` first (see ``grader.kernel.calls``)."""
    names = _check_names(answers)
    calls = check_calls(calls)
    if not (isinstance(nonce, str) and nonce.isalnum()):
        raise ValueError("nonce must be alphanumeric")
    module = f"_tapegrader_{nonce}"
    return (f"import grader.kernel.answers as {module}\n"
            f"try:\n"
            f"    {module}.publish(names={names!r}, nonce={nonce!r}, "
            f"budget_s={float(budget_s)!r}, max_elements={int(max_elements)!r}"
            + (f", calls={calls!r}" if calls else "") + ")\n"
            f"finally:\n"
            f"    del {module}\n")


def observe_namespace(answers: Sequence[str], namespace: Mapping[str, Any], *,
                      budget_s: float = ANSWER_BUDGET_S,
                      max_elements: int = MAX_ELEMENTS,
                      calls: Sequence[Sequence[str]] = ()) -> dict[str, Observed]:
    """Describe ``answers`` in a namespace of this process, as a graded kernel would.

    The same code as the kernel's extraction, so the notebook's feedback cell and
    ``grader check`` see answers alike; the evidence comes from this process's default
    tape ledger.
    """
    from grader.kernel.answers import payload
    from grader.tape.provenance import default_ledger

    names = _check_names(answers)
    nonce = new_nonce()
    text = payload(names=names, nonce=nonce, namespace=dict(namespace),
                   ledger=default_ledger(), budget_s=budget_s, max_elements=max_elements,
                   calls=check_calls(calls))
    return parse_outputs([{"output_type": "display_data", "data": {MIME: text}}], names, nonce)


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


def _evidence(raw: Any) -> tuple[TapeEvidence, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 16:
        raise _Malformed("evidence is not a short list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("op"), str):
            raise _Malformed("an evidence entry is not an object with an op")
        targets = item.get("targets")
        if not isinstance(targets, list) or len(targets) > 64:
            raise _Malformed("evidence targets are not a list")
        for target in targets:
            _check_value(target)
        _check_value(item.get("source"))
        how = {}
        for key, kind in (("tape", int), ("depth", int), ("persistent", bool),
                          ("watched", bool), ("variable", bool), ("nested", bool)):
            value = item.get(key, kind())
            if type(value) is not kind or (kind is int and not 0 <= value < 2**31):
                raise _Malformed(f"evidence {key} is not a {kind.__name__}")
            how[key] = value
        out.append(TapeEvidence(op=_text(item["op"], "op") or "", targets=tuple(targets),
                                source=item.get("source"), **how))
    return tuple(out)


def _observed(name: str, entry: Any, *, tampered: tuple[str, ...] = (),
              depth: int = 0) -> Observed:
    if not isinstance(entry, dict):
        raise _Malformed(f"the entry for {name!r} is not an object")
    status = entry.get("status")
    if status not in STATUSES:
        raise _Malformed(f"status {status!r} is not one of {', '.join(STATUSES)}")
    evidence = _evidence(entry.get("evidence"))
    value = entry.get("value")
    _check_value(value)
    items = entry.get("items")
    if items is not None:
        if depth > 0 or not isinstance(items, list):
            raise _Malformed("items is not a list of answers")
        items = tuple(
            _observed(f"{name}[{i}]", item, tampered=tampered, depth=depth + 1)
            for i, item in enumerate(items)
        )
    from_tape = bool(evidence) or (items is not None and bool(items)
                                   and all(item.from_tape for item in items))
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
        evidence=evidence,
        tampered=tampered,
    )


def _tampered(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ("the kernel's report of its own state was missing or malformed",)
    return tuple((_text(x, "tampered") if isinstance(x, str) else "?")
                 for x in raw[:_MAX_TAMPERED])


def failed(answers: Sequence[str], reason: str) -> dict[str, Observed]:
    """Every answer as an error with ``reason`` (used when no payload can be read)."""
    return {name: Observed(name=name, status="error", error=reason) for name in answers}


class Answers(dict):
    """The answers of one extraction by name, and ``losses``: the value of every scalar
    the run's tape differentiated, in order (a training loop's loss of each step)."""

    def __init__(self, *args: Any, losses: tuple[float, ...] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.losses = losses


def _losses(raw: Any) -> tuple[float, ...]:
    """The run's losses as floats (NaN and infinities kept); () when absent or malformed."""
    if not isinstance(raw, list) or len(raw) > MAX_LOSSES:
        return ()
    out = []
    for value in raw:
        if isinstance(value, str) and value in _NONFINITE:
            out.append(float(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(float(value))
        else:
            return ()
    return tuple(out)


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
    tampered = _tampered(genuine[0].get("tampered"))
    result = Answers(losses=_losses(genuine[0].get("losses")))
    for name in answers:
        if name not in table:
            result[name] = Observed(name=name, status="error",
                                    error="the answer output does not mention this name")
            continue
        try:
            result[name] = _observed(name, table[name], tampered=tampered)
        except (_Malformed, RecursionError) as exc:
            result[name] = Observed(name=name, status="error",
                                    error=f"malformed answer output: {exc}")
    return result
