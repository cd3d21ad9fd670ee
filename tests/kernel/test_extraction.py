"""The extraction cell and its parser, without a kernel.

The cell the grader injects runs here in a plain namespace, with ``grader.kernel.answers``
bound as a graded kernel's bootstrap binds it (the default tape ledger, and a watch
that reports nothing replaced and records what is published); the kernel round trip
itself is covered in tests/execution/test_execute_run.py.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from grader.grading import extract
from grader.results import Observed


@pytest.fixture
def published(monkeypatch):
    """Run an extraction cell in a namespace; return what it published."""
    from grader.kernel import answers
    from grader.tape.provenance import default_ledger

    sent: list[dict] = []

    class Watch:
        display_pub = object()

        def __init__(self, namespace):
            self.user_ns = namespace

        def changes(self):
            return []

        def publish_function(self):
            def publish(pub, data, metadata=None):
                assert pub is self.display_pub
                sent.append({"output_type": "display_data", "data": dict(data)})
            return publish

    def run(namespace: dict, answers_, **kw):
        monkeypatch.setattr(answers, "_bound", [default_ledger(), Watch(namespace)])
        nonce = extract.new_nonce()
        source = extract.build_cell(answers_, nonce, **kw)
        exec(compile(source, "<cell>", "exec"), namespace)
        return sent, nonce

    return run


def read(published, namespace, answers, **kw) -> dict[str, Observed]:
    outputs, nonce = published(namespace, answers, **kw)
    return extract.parse_outputs(outputs, answers, nonce)


def test_plain_values_round_trip(published):
    ns = {
        "f": 2.5, "i": 3, "b": True, "none": None,
        "arr": np.array([[1.0, np.nan], [np.inf, -np.inf]], dtype=np.float32),
        "ints": np.arange(3, dtype=np.int64),
        "pair": [np.float32(1.5), np.array([1.0, 2.0])],
        "same": (np.float64(1.0), np.float64(2.0)),
        "text": "hello", "cplx": np.array([1j]),
    }
    names = list(ns) + ["absent"]
    got = read(published, ns, names)
    assert got["f"] == Observed("f", "ok", type_name="float", shape=(), value=2.5)
    assert (got["i"].value, got["b"].value) == (3, True)
    assert got["none"].status == "none"
    assert got["absent"].status == "missing"
    assert got["arr"].dtype == "float32" and got["arr"].shape == (2, 2)
    assert got["arr"].value == [[1.0, "nan"], ["inf", "-inf"]]
    assert got["ints"].value == [0, 1, 2] and got["ints"].dtype == "int64"
    pair = got["pair"]
    assert pair.type_name == "list" and [it.shape for it in pair.items] == [(), (2,)]
    assert pair.items[0].dtype == "float32" and pair.items[1].value == [1.0, 2.0]
    assert pair.value is None  # items of different shapes: no combined value
    assert got["same"].value == [1.0, 2.0] and got["same"].shape == (2,)
    assert got["text"].status == "unserializable"
    assert got["cplx"].status == "unserializable" and got["cplx"].dtype == "complex128"
    # The cell leaves nothing behind in the student's namespace.
    assert not [k for k in ns if k.startswith("_tapegrader")]


def test_shadowed_builtins_and_patched_json_do_not_matter(published, monkeypatch):
    monkeypatch.setattr(json, "dumps", lambda *a, **k: '{"forged": true}')
    ns = {"list": None, "float": int, "isinstance": None, "len": 3, "range": None,
          "type": "x", "str": None, "grad": np.float32(4.0)}
    got = read(published, ns, ["grad"])
    assert got["grad"].status == "ok" and got["grad"].value == 4.0


class HangingFloat:
    def __float__(self):
        while True:
            pass

    def __array__(self, *args, **kwargs):
        while True:
            pass


class RaisingRepr:
    def __repr__(self):
        raise RuntimeError("no repr for you")

    def __array__(self, *args, **kwargs):
        raise ValueError("cannot convert")


class LyingClass:
    """Claims to be a list through ``__class__``; the cell must not believe it."""

    @property
    def __class__(self):
        return list

    def numpy(self):
        return "not an array"


class HostileError(Exception):
    def __str__(self):
        while True:
            pass


class HangingMessage:
    def numpy(self):
        raise HostileError()


def test_hostile_values_become_errors_within_budget(published):
    ns = {"hang": HangingFloat(), "raises": RaisingRepr(), "lies": LyingClass(),
          "hostile_error": HangingMessage(), "grad": 1.0}
    start = time.monotonic()
    got = read(published, ns, ["hang", "raises", "lies", "hostile_error", "grad"], budget_s=0.3)
    assert time.monotonic() - start < 3.0
    assert got["hang"].status == "error" and "longer than 0.3 s" in got["hang"].error
    assert got["raises"].status == "error" and "ValueError: cannot convert" in got["raises"].error
    assert got["lies"].status == "unserializable" and got["lies"].type_name == "LyingClass"
    assert got["hostile_error"].status == "error"
    assert got["grad"].value == 1.0  # later answers are still read


def test_too_large_arrays_are_refused(published):
    ns = {"big": np.zeros(1001), "ok": np.zeros(1000)}
    got = read(published, ns, ["big", "ok"], max_elements=1000)
    assert got["big"].status == "error" and "too large: 1001 elements" in got["big"].error
    assert got["ok"].status == "ok" and got["ok"].shape == (1000,)


def test_from_tape_marks_only_tape_results(published):
    tf = pytest.importorskip("grader.tape")
    if not hasattr(tf, "GradientTape"):
        pytest.skip("grader.tape has no GradientTape yet (engine not landed)")
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    grad = tape.gradient(y, x)
    ns = {"grad": grad, "as_numpy": grad.numpy(), "as_float": float(grad), "by_hand": 6.5}
    got = read(published, ns, list(ns))
    assert [got[k].from_tape for k in ("grad", "as_numpy", "as_float")] == [True] * 3
    assert got["by_hand"].from_tape is False
    assert got["grad"].dtype == "float32" and got["grad"].value == 6.0


# ------------------------------------------------------------------ parser alone


def payload(nonce: str, answers: dict) -> dict:
    text = json.dumps({"nonce": nonce, "answers": answers})
    return {"output_type": "display_data", "data": {extract.MIME: text}}


def test_parser_ignores_wrong_nonce_and_other_outputs():
    good = payload("n1", {"g": {"status": "ok", "value": 1.0, "shape": []}})
    forged = payload("n0", {"g": {"status": "ok", "value": 99.0, "shape": []}})
    printed = {"output_type": "stream", "name": "stdout", "text": json.dumps({"nonce": "n1"})}
    got = extract.parse_outputs([forged, printed, good], ["g"], "n1")
    assert got["g"].value == 1.0


def test_parser_rejects_duplicates_and_absence():
    good = payload("n1", {"g": {"status": "ok", "value": 1.0}})
    twice = extract.parse_outputs([good, good], ["g"], "n1")
    assert twice["g"].status == "error" and "more than once" in twice["g"].error
    none = extract.parse_outputs([], ["g"], "n1")
    assert none["g"].status == "error" and "no output" in none["g"].error


@pytest.mark.parametrize("entry, fragment", [
    ("not a dict", "not an object"),
    ({"status": "great"}, "status"),
    ({"status": "ok", "value": ["hello"]}, "string"),
    ({"status": "ok", "value": {"a": 1}}, "dict"),
    ({"status": "ok", "shape": [-1]}, "shape"),
    ({"status": "ok", "evidence": "yes"}, "evidence"),
    ({"status": "ok", "evidence": [{"op": 1}]}, "evidence"),
    ({"status": "ok", "evidence": [{"op": "gradient", "targets": ["x"]}]}, "string"),
    ({"status": "ok", "items": [{"status": "ok", "items": []}]}, "items"),
])
def test_parser_turns_malformed_entries_into_errors(entry, fragment):
    got = extract.parse_outputs([payload("n", {"g": entry})], ["g"], "n")
    assert got["g"].status == "error" and fragment in got["g"].error


def test_parser_survives_broken_json_and_constants():
    broken = {"output_type": "display_data", "data": {extract.MIME: '{"nonce": "n", "answers": '}}
    nan = {"output_type": "display_data", "data": {extract.MIME: '{"nonce": "n", "answers": NaN}'}}
    got = extract.parse_outputs([broken, nan], ["g"], "n")
    assert got["g"].status == "error"
    missing = extract.parse_outputs([payload("n", {})], ["g"], "n")
    assert "does not mention" in missing["g"].error


def test_build_cell_rejects_non_identifiers():
    with pytest.raises(ValueError):
        extract.build_cell(["a; import os"], "abc")
    cell = extract.build_cell(["grad"], "abc")
    assert "import grader.kernel.answers as _tapegrader_abc" in cell
    assert ".publish(names=('grad',), nonce='abc'," in cell
    with pytest.raises(ValueError):
        extract.build_cell(["grad"], "not-alnum")


def test_an_unbound_kernel_refuses_to_publish():
    from grader.kernel import answers

    with pytest.raises(RuntimeError, match="not a graded kernel"):
        answers.publish(names=("grad",), nonce="abc", budget_s=1.0, max_elements=10)


def test_the_run_reports_each_scalar_the_tape_differentiated(published):
    import grader.tape as tf
    from grader.tape.provenance import default_ledger

    default_ledger().clear()
    w = tf.Variable(1.0)
    for step in range(3):
        with tf.GradientTape() as tape:
            loss = (w - 4.0) ** 2
        w.assign_sub(0.25 * tape.gradient(loss, w))
    outputs, nonce = published({"w": w}, ["w"])
    got = extract.parse_outputs(outputs, ["w"], nonce)
    assert got.losses == (9.0, 2.25, 0.5625)  # the loss before each step
    assert default_ledger().losses() == []  # cleared for the next run


@pytest.mark.parametrize("losses", ['"many"', '[1, "x"]', '[true]', '{"a": 1}'])
def test_malformed_losses_are_dropped_not_trusted(losses):
    text = '{"nonce": "n", "answers": {"g": {"status": "none"}}, "losses": %s}' % losses
    got = extract.parse_outputs([{"output_type": "display_data",
                                  "data": {extract.MIME: text}}], ["g"], "n")
    assert got.losses == () and got["g"].status == "none"
