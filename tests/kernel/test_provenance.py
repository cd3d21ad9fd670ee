"""The tape's evidence: what each gradient call differentiated, and who may listen.

A ledger keeps copies of each call's targets, sources and results; the bootstrap's
listener hears only calls made from the tape's own methods, and once a graded kernel's
listener is in place no other can take its place.
"""

from __future__ import annotations

import numpy as np
import pytest

import grader.tape as tf
from grader.kernel import bootstrap
from grader.tape import provenance
from grader.tape.provenance import Ledger


@pytest.fixture
def ledger(monkeypatch):
    """A fresh ledger listening for this test only (the module's state is restored)."""
    fresh = Ledger()
    monkeypatch.setattr(provenance, "_listener", fresh.note)
    monkeypatch.setattr(provenance, "_replaceable", True)
    return fresh


def test_a_call_records_targets_sources_and_results(ledger):
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
    g = t.gradient(y, x)
    [(call, index)] = ledger.matches(g)
    assert call.op == "gradient" and index == 0
    assert call.targets[0] == 9.0 and call.sources[0] == 3.0 and call.results[0][1] == 6.0
    assert ledger.came_from_tape(g.numpy()) and ledger.came_from_tape(float(g))
    assert ledger.came_from_tape([g])
    assert not ledger.came_from_tape(tf.constant(6.0))  # same value, not the tape's tensor
    assert not ledger.came_from_tape(6.5) and not ledger.came_from_tape("6.0")
    assert not ledger.came_from_tape(np.array([6.0]))  # shape differs


def test_jacobians_and_structured_results_name_their_own_source(ledger):
    x = tf.Variable([1.0, 2.0])
    z = tf.Variable(0.25)
    with tf.GradientTape(persistent=True) as t:
        y = x * x * z
    grads = t.gradient(y, {"x": x, "z": z})
    j = t.jacobian(y, x)
    [(call, index)] = ledger.matches(grads["z"])
    assert index == 1 and call.sources[1] == 0.25
    np.testing.assert_array_equal(call.targets[0], [0.25, 1.0])
    [(jcall, _)] = ledger.matches(j)
    assert jcall.op == "jacobian"
    assert ledger.came_from_tape(j.numpy().astype(np.float64))
    assert not ledger.came_from_tape(j.numpy() + 1)


def test_evidence_is_read_only_and_a_replaced_result_no_longer_matches(ledger):
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = x * x
    g = t.gradient(y, x)
    kept = ledger.matches(g)[0][0].results[0][1]
    assert not kept.flags.writeable
    g._value = np.float32(1.0)  # what a student reaching inside a tensor would do
    assert ledger.matches(g) == []


def test_the_ledger_is_bounded(ledger):
    small = Ledger(max_calls=5)
    x = tf.Variable(1.0)
    results = []
    for i in range(8):
        with tf.GradientTape() as t:
            y = x * float(i)
        results.append(t.gradient(y, x))
        small.note("gradient", [y], [x], [results[-1]])
    assert len(small) == 5
    assert not small.matches(results[0]) and small.matches(results[-1])


def test_only_one_listener_after_the_default():
    saved = provenance._listener, provenance._replaceable
    try:
        provenance._replaceable = True
        provenance.listen(lambda *a: None)
        with pytest.raises(RuntimeError, match="already has its listener"):
            provenance.listen(lambda *a: None)
    finally:
        provenance._listener, provenance._replaceable = saved


def test_the_bootstrap_listener_ignores_calls_not_made_by_the_tape(monkeypatch):
    monkeypatch.setattr(provenance, "_replaceable", True)
    monkeypatch.setattr(provenance, "_listener", provenance._listener)
    ledger, methods, listener, module = bootstrap.install_evidence()
    assert module is provenance and provenance._listener is listener
    x = tf.Variable(2.0)
    forged = tf.constant(6.0)
    provenance.notify("gradient", [tf.constant(7.0)], [x], [forged])  # as a notebook would
    assert len(ledger) == 0
    with tf.GradientTape() as t:
        y = x * x
    g = t.gradient(y, x)
    assert ledger.came_from_tape(g) and not ledger.came_from_tape(forged)
    with pytest.raises(RuntimeError):
        provenance.listen(lambda *a: None)


def test_a_call_records_how_the_answer_was_made(ledger):
    x = tf.Variable(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            inner.watch(c)
            y = x * x * c
        dy = inner.gradient(y, [x, c])
    d2 = outer.gradient(dy[0], x)
    [(first, _)] = ledger.matches(dy[0])
    [(second, _)] = ledger.matches(d2)
    assert (first.tape, first.persistent, first.depth) == (1, False, 1)  # inside `outer`
    assert (second.tape, second.persistent, second.depth) == (2, True, 0)
    assert first.watched == (False, True) and first.variables == (True, False)
    assert second.watched == (False,) and second.variables == (True,)


def test_paused_calls_leave_no_evidence(ledger):
    x = tf.Variable(3.0)
    with provenance.paused():
        with tf.GradientTape() as t:
            y = x * x
        hidden = t.gradient(y, x)
    with tf.GradientTape() as t:
        y = x * x
    heard = t.gradient(y, x)
    assert ledger.matches(hidden) == [] and len(ledger.matches(heard)) == 1
