"""``tf.keras.backend``: the session-wide state Keras keeps for a custom training loop.

Names: every layer, model, optimizer and unnamed weight gets ``prefix``, ``prefix_1``,
... from one counter per prefix (``clear_session`` restarts them), and a variable's
``path`` joins the names of the layers being called or built around its creation
(``sequential/dense/kernel``), as Keras 3's name scopes do. ``training`` given to an
outer call reaches the layers it calls, as Keras' call context does.
"""

from __future__ import annotations

import re

__all__ = ["clear_session", "epsilon", "floatx", "set_floatx"]

_uids: dict = {}
_scopes: list = []      # (name, owner) of the layers being called or built, outermost first
_training: list = []    # the ``training`` value of each call in progress
_floatx = ["float32"]


def clear_session(free_memory=True) -> None:
    """Restart every name counter (layers, models, optimizers, weights)."""
    _uids.clear()


def epsilon() -> float:
    """The fuzz factor Keras clips probabilities with (1e-7)."""
    return 1e-7


def floatx() -> str:
    return _floatx[0]


def set_floatx(value) -> None:
    if value not in ("float16", "float32", "float64", "bfloat16"):
        raise ValueError("Unknown `floatx` value: %s. Expected one of {'float16', 'float32', 'float64', "
                         "'bfloat16'}" % value)
    _floatx[0] = str(value)


def _snake(name: str) -> str:
    """Keras' to_snake_case: ``RMSprop`` -> ``rm_sprop``, ``MyModel`` -> ``my_model``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" else "private" + name


def _auto_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``... (Keras' auto_name)."""
    n = _uids.get(prefix, 0)
    _uids[prefix] = n + 1
    return prefix if n == 0 else "%s_%d" % (prefix, n)


class _Scope:
    """Enter the name scope of ``owner`` (not again when it is already the innermost)."""

    __slots__ = ("_entry", "_pushed")

    def __init__(self, name: str, owner) -> None:
        self._entry = (name, owner)
        self._pushed = False

    def __enter__(self) -> None:
        if not (_scopes and _scopes[-1][1] is self._entry[1]):
            _scopes.append(self._entry)
            self._pushed = True

    def __exit__(self, *exc) -> None:
        if self._pushed:
            _scopes.pop()


def _path(name: str) -> str:
    return "/".join([n for n, _ in _scopes] + [name])
