"""The one call the grader's extraction cell makes: ``publish(names=..., nonce=...)``.

The bootstrap binds it, once, to the kernel's tape ledger and interpreter watch before
any student code runs; the cell the grader injects is then an import and this call,
with nothing to fill into a source template. The payload is one ``display_data`` of
the private MIME type ``MIME``: ``{"nonce", "answers": {name: description},
"tampered": [what changed]}``, published through the display publisher's original
``publish`` (a replaced one is also reported in ``tampered``), and ``"losses"``: the
value of every scalar the tape differentiated, in order (a training loop's loss curve). The ledger is cleared
after each extraction, so the evidence of each run is about that run's tape calls.
"""

from __future__ import annotations

from grader.kernel import calls as _calls
from grader.kernel.describe import describe, encode, quote

MIME = "application/vnd.tapegrader.answers.v1"

_bound: list = []  # [ledger, watch] once bound


def bind(*, ledger, watch) -> None:
    """Called by the bootstrap; a second call (from a notebook) is refused."""
    if _bound:
        raise RuntimeError("the answers are already bound")
    _bound.extend((ledger, watch))


def payload(*, names, nonce: str, namespace, ledger, budget_s: float, max_elements: int,
            tampered=(), calls=()) -> str:
    """The JSON text the grader's ``extract.parse_outputs`` reads. ``calls`` are the
    function answers (``grader.kernel.calls``): called first, their results are read
    under their answer names instead of the namespace's."""
    failed = None
    if calls:
        results, failed = _calls.run(calls, namespace, budget_s=budget_s)
        namespace = {**namespace, **results}
    body = describe(names, namespace, ledger=ledger, budget_s=budget_s,
                    max_elements=max_elements, failed=failed)
    losses = ledger.losses() if ledger is not None else []
    return ('{"nonce":' + quote(nonce) + ',"answers":' + body + ',"tampered":'
            + encode(list(tampered)) + ',"losses":' + encode(losses) + "}")


def publish(*, names, nonce: str, budget_s: float, max_elements: int, calls=()) -> None:
    """Describe ``names`` from the notebook's namespace (after making ``calls``) and
    send them to the grader."""
    if not _bound:
        raise RuntimeError("not a graded kernel: grader.kernel did not start this kernel")
    ledger, watch = _bound
    text = payload(names=names, nonce=nonce, namespace=watch.user_ns, ledger=ledger,
                   budget_s=budget_s, max_elements=max_elements, tampered=watch.changes(),
                   calls=calls)
    ledger.clear()
    watch.publish_function()(watch.display_pub, data={MIME: text}, metadata={})
