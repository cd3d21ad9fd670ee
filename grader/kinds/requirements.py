"""Requirements on how the answers were made: ``requires = [...]`` in a spec.

A right number can come the wrong way: two ordinary tapes where the exercise teaches
one persistent tape, ``tape.gradient`` row by row where it teaches ``jacobian``, a
``tf.Variable`` where it teaches ``tape.watch``. Each requirement here is its own
check with its own hint, judged from what the kernel's tape ledger recorded for the
answers (``TapeEvidence``: tape number, ``persistent``, ``depth``, ``op``,
``watched``) or from the answer code's ``ast``, in the grader, never in the kernel.

A judge returns None when the requirement is met, else what was found instead, in
words that name the mistake ("one persistent tape was expected; your answers came
from 2 tapes"); the hint says how to fix it (a spec's ``[hints]`` under the
requirement's name replaces it).

Spec loading asks ``names()`` and ``get(name).evidence`` (a requirement on tape
evidence needs a kind whose answers come from the tape); the checker calls
``get(name).judge``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from grader.results import TapeEvidence


@dataclass(frozen=True)
class Made:
    """What a requirement judges: each answer's tape evidence (newest call first) and
    the code that computes the answers."""

    evidence: Mapping[str, tuple[TapeEvidence, ...]]
    code: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    name: str
    title: str  # the report's check name: "requirement: {title}"
    hint: str
    judge: Callable[[Made], "str | None"]
    evidence: bool = True  # judged from the tape's evidence (else from the code)


def _first(made: Made) -> dict[str, TapeEvidence]:
    return {name: ev[0] for name, ev in made.evidence.items() if ev}


def _no_evidence(made: Made) -> str | None:
    missing = [name for name, ev in made.evidence.items() if not ev]
    if missing:
        return f"`{missing[0]}` was not returned by a tape call, so how it was made is unknown"
    return None


def _persistent(made: Made) -> str | None:
    why = _no_evidence(made)
    if why:
        return why
    first = _first(made)
    tapes = sorted({e.tape for e in first.values()})
    if len(tapes) > 1:
        return (f"one persistent tape was expected; your answers came from {len(tapes)} "
                "tapes")
    if not all(e.persistent for e in first.values()):
        return "one persistent tape was expected; your tape was not persistent"
    return None


def _jacobian(made: Made) -> str | None:
    why = _no_evidence(made)
    if why:
        return why
    for name, e in _first(made).items():
        if e.op != "jacobian":
            return f"`{name}` came from tape.{e.op}, not from tape.jacobian"
    return None


def _watch(made: Made) -> str | None:
    why = _no_evidence(made)
    if why:
        return why
    for name, e in _first(made).items():
        if not e.watched:
            held = ("a tf.Variable, which the tape watches by itself" if e.variable
                    else "never passed to tape.watch")
            return f"the source of `{name}` was {held}"
    return None


def _nested(made: Made) -> str | None:
    why = _no_evidence(made)
    if why:
        return why
    if not any(e.depth >= 1 or e.nested for ev in made.evidence.values() for e in ev):
        return "every gradient was taken while no other tape was recording: the tapes " \
               "were not nested"
    return None


def _trees(code: Sequence[str]) -> list[ast.AST]:
    trees = []
    for source in code:
        try:
            trees.append(ast.parse(source))
        except (SyntaxError, ValueError):
            continue
    return trees


def _ends_with(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr == name
    return isinstance(node, ast.Name) and node.id == name


def _custom_gradient(made: Made) -> str | None:
    for tree in _trees(made.code):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    _ends_with(d, "custom_gradient") for d in node.decorator_list):
                return None
            if isinstance(node, ast.Call) and _ends_with(node.func, "custom_gradient"):
                return None
    return "no function is decorated with @tf.custom_gradient"


def _numpy_in_tape(made: Made) -> str | None:
    for tree in _trees(made.code):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.With) and any(
                    _ends_with(item.context_expr, "GradientTape") for item in node.items)):
                continue
            for inner in (n for stmt in node.body for n in ast.walk(stmt)):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                    root = inner.func.value
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name) and root.id in ("np", "numpy"):
                        return (f"`{ast.unparse(inner.func)}` runs inside the tape's `with` "
                                f"block (line {inner.lineno})")
                    if inner.func.attr == "numpy" and not inner.args:
                        return (f"`.numpy()` runs inside the tape's `with` block (line "
                                f"{inner.lineno})")
    return None


_ALL = (
    Requirement("persistent-tape", "one persistent tape",
                "Compute every answer from one `tf.GradientTape(persistent=True)`: record "
                "the whole computation in one `with` block and call `tape.gradient` on "
                "that same tape for each answer.", _persistent),
    Requirement("jacobian", "computed with tape.jacobian",
                "Call `tape.jacobian(target, source)` once: it builds the whole matrix, "
                "row i the gradient of output i (no loop of `tape.gradient` calls).",
                _jacobian),
    Requirement("watch", "the source watched with tape.watch",
                "Hold the input as `tf.constant(...)` and call `tape.watch(x)` as the first "
                "line inside the `with` block.", _watch),
    Requirement("nested-tapes", "nested tapes",
                "Open the outer tape's `with` block, open the inner one inside it, and take "
                "the inner gradient still inside the outer block, so the outer tape records "
                "it and can differentiate it again.", _nested),
    Requirement("custom-gradient", "a tf.custom_gradient function",
                "Decorate the function with `@tf.custom_gradient`; it returns the value and "
                "a function `grad(upstream)` giving the gradient.", _custom_gradient,
                evidence=False),
    Requirement("no-numpy-in-tape", "no numpy inside the tape",
                "The tape does not see numpy: inside the `with tf.GradientTape()` block use "
                "`tf.*` functions and operators only, and call `.numpy()` after it.",
                _numpy_in_tape, evidence=False),
)
_BY_NAME = {r.name: r for r in _ALL}


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def get(name: str) -> Requirement:
    return _BY_NAME[name]
