"""Notice when a notebook rewired the interpreter the extraction runs in.

The grader's extraction cell passes through IPython (input transformers, the cell
compiler, AST transformers, event callbacks) and publishes through its display
publisher; the tape reports to its listener. Code in a notebook can replace any of
those to rewrite what the grader reads. ``Watch.capture`` records them when the kernel
starts, before any student code; ``Watch.changes`` names each one that differs at
extraction time. A change is not proof of cheating (it is rare in honest work), so the
grader reports it for review and withholds the tape check, rather than failing values.

What a watch cannot see: a change that also replaced the watch's own code path (the
grader's integrity scan of the notebook's source catches the means to that: reaching
into ``sys.modules``, frames, ``gc``, ``builtins``), or memory written directly.
"""

from __future__ import annotations

import builtins
import sys

_SHELL_METHODS = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell",
                  "transform_ast", "should_run_async", "_run_cell", "ex", "ev")
_LISTS = ("input_transformers_post", "ast_transformers")
_MANAGER_LISTS = ("cleanup_transforms", "line_transforms", "token_transformers")
_MAX_CHANGES = 20
# The builtins the extraction and IPython's cell machinery call (IPython itself swaps
# ``exit``, ``quit``, ``display`` and ``get_ipython`` in and out around every cell).
_BUILTINS = ("compile", "exec", "eval", "__import__", "__build_class__", "getattr", "setattr",
             "hasattr", "isinstance", "issubclass", "type", "object", "len", "str", "repr",
             "dict", "list", "tuple", "float", "int", "bool", "iter", "next", "globals",
             "vars", "id", "hash", "super", "BaseException", "Exception")
# Event callbacks these packages register on their own (matplotlib's inline backend).
_TRUSTED_CALLBACK_MODULES = ("IPython", "ipykernel", "matplotlib_inline", "matplotlib")


def _ids(values) -> tuple:
    return tuple(id(v) for v in values)


def _kept_prefix(now, then: tuple) -> bool:
    """The original entries still come first (a finder appended after them is harmless)."""
    return _ids(now)[:len(then)] == then


def _foreign(callbacks, then: tuple) -> bool:
    for cb in callbacks:
        if id(cb) not in then and not str(getattr(cb, "__module__", "") or "").startswith(
                _TRUSTED_CALLBACK_MODULES):
            return True
    return False


class Watch:
    """What the extraction relies on, as it was when the kernel started."""

    def __init__(self, shell, tape_methods: dict, listener, provenance) -> None:
        self._shell = shell
        self._builtins = {name: vars(builtins)[name] for name in _BUILTINS
                          if name in vars(builtins)}
        self._modules = {name: mod for name, mod in sys.modules.items()
                         if name == "grader" or name.startswith(("grader.", "numpy", "IPython",
                                                                 "ipykernel"))}
        self._meta_path = _ids(sys.meta_path)
        self._path_hooks = _ids(sys.path_hooks)
        self._tape_methods = dict(tape_methods)
        self._listener = listener
        self._provenance = provenance
        self._notify = getattr(provenance, "notify", None)
        if shell is None:
            return
        cls = type(shell)
        self._methods = {name: getattr(cls, name, None) for name in _SHELL_METHODS}
        self._compile = shell.compile
        self._compile_class = type(shell.compile)
        self._lists = {name: _ids(getattr(shell, name, ())) for name in _LISTS}
        manager = getattr(shell, "input_transformer_manager", None)
        self._manager = manager
        self._manager_lists = {name: _ids(getattr(manager, name, ())) for name in _MANAGER_LISTS}
        self._display_pub = shell.display_pub
        self._publish = getattr(type(shell.display_pub), "publish", None)
        self._session = getattr(shell.display_pub, "session", None)
        self._events = {name: _ids(cbs) for name, cbs in shell.events.callbacks.items()}
        self._user_ns = shell.user_ns

    @property
    def user_ns(self):
        return self._user_ns

    @property
    def display_pub(self):
        return self._display_pub

    def publish_function(self):
        """The display publisher's ``publish`` as the kernel started with it."""
        return self._publish

    def changes(self) -> list[str]:
        """What differs from the start, in words ("builtins.compile was replaced")."""
        found: list[str] = []

        def note(what: str) -> None:
            if len(found) < _MAX_CHANGES:
                found.append(what)

        now = vars(builtins)
        for name, value in self._builtins.items():
            if now.get(name) is not value:
                note(f"builtins.{name} was replaced")
        for name, module in self._modules.items():
            if sys.modules.get(name) is not module:
                note(f"sys.modules[{name!r}] was replaced")
        if not (_kept_prefix(sys.meta_path, self._meta_path)
                and _kept_prefix(sys.path_hooks, self._path_hooks)):
            note("the import system (sys.meta_path or sys.path_hooks) was changed")
        if sys.gettrace() is not None or sys.getprofile() is not None:
            note("a trace or profile function was set")
        for (cls, name), method in self._tape_methods.items():
            if vars(cls).get(name) is not method:
                note(f"tf.{cls.__name__}.{name} was replaced")
        if self._provenance is not None and (
                self._provenance._listener is not self._listener
                or self._provenance.notify is not self._notify):
            note("the tape's listener was replaced")
        if self._shell is not None:
            self._shell_changes(note)
        return found

    def _shell_changes(self, note) -> None:
        shell = self._shell
        cls = type(shell)
        for name, method in self._methods.items():
            if getattr(cls, name, None) is not method or name in vars(shell):
                note(f"IPython's {name} was replaced")
        if shell.compile is not self._compile or type(shell.compile) is not self._compile_class:
            note("IPython's cell compiler was replaced")
        for name, ids in self._lists.items():
            if _ids(getattr(shell, name, ())) != ids:
                note(f"IPython's {name} were changed")
        manager = getattr(shell, "input_transformer_manager", None)
        if manager is not self._manager:
            note("IPython's input transformer manager was replaced")
        else:
            for name, ids in self._manager_lists.items():
                if _ids(getattr(manager, name, ())) != ids:
                    note(f"IPython's input transformers ({name}) were changed")
        pub = shell.display_pub
        if pub is not self._display_pub or "publish" in vars(pub) or \
                getattr(type(pub), "publish", None) is not self._publish or \
                getattr(pub, "session", None) is not self._session:
            note("IPython's display publisher was replaced")
        for name, callbacks in shell.events.callbacks.items():
            if _foreign(callbacks, self._events.get(name, ())):
                note(f"an IPython {name} event callback was registered")
                break
        if shell.user_ns is not self._user_ns:
            note("the notebook's namespace was replaced")
