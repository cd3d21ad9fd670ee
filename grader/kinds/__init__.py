"""Kinds of exercise: the registry every stage asks what a kind means.

An exercise's ``kind`` (gradient, higher-order, jacobian, batch-jacobian, training)
decides its spec keys, its references, its checks and hints, its notebooks and its
scaffold. Each kind is one module of this package defining ``KIND``, an instance of
``grader.kinds.base.Kind``; this registry finds them, so adding a kind is adding a
module (and its tests). Spec loading, rendering, references, checking and the
command line call ``get(name)`` or ``names()`` and never compare a kind's name.

``register`` adds a kind defined elsewhere (a test's tiny kind, a course's own
plug-in); ``unregister`` takes it away again.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.kinds.base import Kind

_KINDS: dict[str, Kind] = {}
_DISCOVERED = False


def _discover() -> None:
    """Import each module of this package once and register the ``KIND`` it defines."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, Kind):
            _KINDS.setdefault(kind.name, kind)


def register(kind: Kind) -> Kind:
    """Add ``kind`` (replacing one of the same name); returns it."""
    if not kind.name:
        raise ValueError(f"{type(kind).__name__} has no name")
    _discover()
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _discover()
    _KINDS.pop(name, None)


def names() -> tuple[str, ...]:
    """Every kind's name, in the order the course introduces them."""
    _discover()
    return tuple(k.name for k in sorted(_KINDS.values(), key=lambda k: (k.rank, k.name)))


def get(name: str) -> Kind:
    """The kind called ``name``; KeyError for an unknown name (spec loading has
    already refused it with a "did you mean")."""
    _discover()
    return _KINDS[name]


def tape_target(spec: object, answer: object, point: object):
    """``get(spec.kind).tape_target(spec, answer, point)``: what the tape's target must
    be at ``point`` for ``answer`` (None when the kind has no tape check)."""
    return get(spec.kind).tape_target(spec, answer, point)  # type: ignore[attr-defined]


__all__ = ["Kind", "get", "names", "register", "unregister", "tape_target"]
