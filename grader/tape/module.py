"""``tf.Module``: finds the variables a model holds, however deeply they are nested.

Discovery follows TensorFlow: the module's attributes in sorted name order (lists and
tuples in order, dicts by sorted key), then the submodules found there, each
variable once.
"""

from __future__ import annotations

import re

from .tensor import Variable

__all__ = ["Module"]

_IGNORED = ("_self_unconditional_checkpoint_dependencies", "_self_unconditional_dependency_names")


def _snake(name: str) -> str:
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def _leaves(value):
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from _leaves(value[key])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


class Module:
    """A named container of variables and submodules (subclass it for a model)."""

    def __init__(self, name=None) -> None:
        if name is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", str(name)):
            raise ValueError("'%s' is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name)." % name)
        self._name = _snake(type(self).__name__) if name is None else str(name)

    @property
    def name(self) -> str:
        # Subclasses that skip super().__init__() still get TensorFlow's default name.
        return self.__dict__.get("_name") or _snake(type(self).__name__)

    @property
    def name_scope(self):
        return self.name

    def _flatten(self, predicate, recursive: bool = True) -> tuple:
        found, seen, queue, visited = [], set(), [self], {id(self)}
        while queue:
            module = queue.pop(0)
            submodules = []
            for key in sorted(vars(module)):
                if key in _IGNORED:
                    continue
                for leaf in _leaves(vars(module)[key]):
                    if predicate(leaf) and id(leaf) not in seen:
                        seen.add(id(leaf))
                        found.append(leaf)
                    if recursive and isinstance(leaf, Module) and id(leaf) not in visited:
                        visited.add(id(leaf))
                        submodules.append(leaf)
            queue.extend(submodules)
        return tuple(found)

    @property
    def variables(self) -> tuple:
        """Every Variable held by this module and its submodules."""
        return self._flatten(lambda v: isinstance(v, Variable))

    @property
    def trainable_variables(self) -> tuple:
        """The trainable Variables held by this module and its submodules."""
        return self._flatten(lambda v: isinstance(v, Variable) and v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return self._flatten(lambda v: isinstance(v, Variable) and not v.trainable)

    @property
    def submodules(self) -> tuple:
        """Every Module reachable from this one (not itself), breadth first."""
        return self._flatten(lambda m: isinstance(m, Module) and m is not self)

    @classmethod
    def with_name_scope(cls, method):
        """Kept for compatibility: name scopes have no effect in the engine."""
        return method
