"""The integrity scan: what in a notebook's source reaches behind the engine's back.

It runs in the grader, on the notebook's text, so nothing in the kernel can tamper
with it. Honest work on this course needs the engine's public API, numpy and a few
standard modules; forging the tape's evidence needs something else: the engine's
internals (``grader.tape.provenance``, private attributes), the interpreter's
(``sys.modules``, frames, ``gc``, ``ctypes``, ``builtins``, ``compile``/``exec``,
IPython's hooks), writing attributes of modules or classes, or code hidden in strings
(``getattr(x, "na" + "me")``, cell magics, pickles). Each is a ``Finding``; a notebook
with findings is not failed for its values, but its tape check is withheld and the
report and gradebook say "needs review: ..." for an instructor.

Rules are an allow-list where one is short (imports, ``os``/``sys`` attributes) and a
deny-list where honest code varies (names, attributes). Every shipped solution and
starter, and the ordinary submissions of the tests, scan clean (a test holds that).
The scan is no sandbox: it raises the cost of a forged grade from "read the source" to
"find a way around an allow-list", and tells the instructor where to look.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Iterable

from grader.grading.notebook import cell_source, cell_tags


# Top-level modules a notebook may import (``grader`` and ``IPython`` are narrowed below).
ALLOWED_MODULES = frozenset({
    "numpy", "math", "cmath", "random", "statistics", "functools", "itertools", "collections",
    "typing", "dataclasses", "fractions", "decimal", "numbers", "time", "matplotlib",
    "pprint", "string", "textwrap", "json", "warnings", "enum", "abc", "copy", "contextlib",
    "os", "sys", "tensorflow", "grader", "IPython", "__future__", "datetime", "timeit",
})
# The engine's public submodules (``grader.tape.X`` / ``tf.X``); anything else of the
# engine is internal (``provenance``, ``tape``, ``gradients``, ...).
PUBLIC_ENGINE_MODULES = frozenset({"keras", "math", "linalg", "nn", "random", "errors",
                                   "dtypes", "optimizers", "losses", "layers", "activations",
                                   "initializers", "metrics", "utils", "config", "experimental",
                                   "autodiff", "debugging", "io", "signal", "image"})
ALLOWED_GRADER = frozenset({"grader.tape", "grader.inline"})
ALLOWED_IPYTHON = frozenset({"IPython.display"})
OS_ATTRIBUTES = frozenset({"environ", "path", "getcwd", "listdir", "sep", "getenv",
                           "cpu_count", "linesep", "name", "makedirs", "curdir"})
SYS_ATTRIBUTES = frozenset({"version", "version_info", "float_info", "maxsize", "platform",
                            "stdout", "stderr", "float_repr_style", "int_info"})
BANNED_NAMES = frozenset({"eval", "exec", "compile", "__import__", "globals", "locals", "vars",
                          "getattr", "setattr", "delattr", "open", "breakpoint", "get_ipython",
                          "__builtins__", "__builtin__", "__loader__", "__spec__"})
# Attribute names that reach frames, raw memory, native code or import machinery.
BANNED_ATTRIBUTES = frozenset({
    "f_globals", "f_locals", "f_back", "f_code", "f_builtins", "gi_frame", "cr_frame",
    "ag_frame", "tb_frame", "tb_next", "co_code", "as_strided", "stride_tricks", "ctypes",
    "ctypeslib", "f2py", "distutils", "modules", "settrace", "setprofile", "get_ipython",
    "system", "popen", "switch_backend", "user_ns", "user_global_ns",
})
ALLOWED_DUNDERS = frozenset({"__init__", "__call__", "__name__", "__doc__", "__repr__",
                             "__str__", "__len__", "__iter__", "__next__", "__getitem__",
                             "__setitem__", "__enter__", "__exit__", "__class__", "__qualname__"})
# Methods a notebook's own classes may not define: they run at moments the notebook does
# not choose (garbage collection, every attribute access, subclassing).
BANNED_METHODS = frozenset({"__del__", "__getattribute__", "__getattr__", "__setattr__",
                            "__delattr__", "__init_subclass__", "__set_name__",
                            "__class_getitem__", "__reduce__", "__reduce_ex__", "__setstate__",
                            "__array_interface__", "__array_struct__", "__buffer__"})
ALLOWED_CLASS_DUNDERS = frozenset({"__slots__", "__doc__"})
ALLOWED_MAGICS = frozenset({"matplotlib"})


@dataclass(frozen=True)
class Finding:
    """One thing the scan found: where (cell number as the report shows it, line) and what."""

    cell: int
    line: int
    what: str

    def describe(self) -> str:
        return f"{self.what} (cell {self.cell}, line {self.line})"






def _parse(source: str) -> ast.AST | None:
    """Plain Python first; IPython syntax (magics, ``!cmd``) through IPython's transformer."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # noqa: BLE001 - unparseable either way: the kernel raises too
        return None


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _chain(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None when the chain does not start at a name."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(names)]
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: int, modules: dict[str, str], findings: list[Finding]):
        self.cell = cell
        self.modules = modules  # local name -> the module it is bound to ("grader.tape")
        self.aliases: set[str] = set()  # names bound to an attribute of a module (no call)
        self.findings = findings
        self.allowed_names: set[int] = set()

    def flag(self, node: ast.AST, what: str) -> None:
        self.findings.append(Finding(self.cell, getattr(node, "lineno", 0), what))

    # -------------------------------------------------------------- imports
    def _module_allowed(self, module: str) -> str | None:
        root = module.split(".")[0]
        if root not in ALLOWED_MODULES:
            return f"imports {module}"
        if root == "grader":
            if module == "grader":
                return None  # ``from grader import X`` is judged by X
            if not any(module == m or module.startswith(m + ".") for m in ALLOWED_GRADER):
                return f"imports {module}"
            parts = module.split(".")
            if parts[:2] == ["grader", "tape"] and len(parts) > 2 and (
                    parts[2] not in PUBLIC_ENGINE_MODULES or any(p.startswith("_") for p in parts)):
                return f"imports the engine's internal module {module}"
        if root == "IPython" and module not in ALLOWED_IPYTHON:
            return f"imports {module}"
        return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            problem = self._module_allowed(alias.name)
            if problem:
                self.flag(node, problem)
            bound = alias.asname or alias.name.split(".")[0]
            self.modules[bound] = alias.name if alias.asname else alias.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.flag(node, "a relative import")
            return
        module = node.module or ""
        problem = self._module_allowed(module)
        if problem:
            self.flag(node, problem)
            return
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if alias.name == "*":
                continue
            if module == "grader":
                problem = self._module_allowed(full)
            elif module.startswith("grader.tape") and (
                    alias.name.startswith("_") or alias.name in _engine_internals()):
                problem = f"imports {alias.name} from the engine's internals ({module})"
            elif module in ("os", "sys") and alias.name not in (
                    OS_ATTRIBUTES if module == "os" else SYS_ATTRIBUTES):
                problem = f"imports {module}.{alias.name}"
            elif alias.name in BANNED_ATTRIBUTES or alias.name in BANNED_NAMES:
                problem = f"imports {full}"
            if problem:
                self.flag(node, problem)
                problem = None
            self.modules[alias.asname or alias.name] = full

    # ---------------------------------------------------------------- names
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in BANNED_NAMES and id(node) not in self.allowed_names:
            self.flag(node, f"uses {node.id}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # ``%matplotlib inline`` becomes get_ipython().run_line_magic('matplotlib', ...).
        if (isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "run_cell_magic",
                                                              "system", "getoutput")
                and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                and func.value.func.id == "get_ipython"):
            magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) \
                else None
            if func.attr == "run_line_magic" and magic in ALLOWED_MAGICS:
                self.allowed_names.add(id(func.value.func))
            else:
                kind = {"system": "a shell command (!)", "getoutput": "a shell command (!)"}.get(
                    func.attr, f"the IPython magic %{magic}")
                self.flag(node, f"runs {kind}")
                self.allowed_names.add(id(func.value.func))
        if isinstance(func, ast.Name) and func.id == "type" and len(node.args) == 3:
            self.flag(node, "builds a class with type(name, bases, dict)")
        for keyword in node.keywords:
            if keyword.arg == "allow_pickle" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                self.flag(node, "loads a pickle (allow_pickle)")
        self.generic_visit(node)

    # ----------------------------------------------------------- attributes
    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("__") and attr.endswith("__"):
            if attr not in ALLOWED_DUNDERS:
                self.flag(node, f"reaches {attr}")
        elif attr.startswith("_"):
            root = _root(node)
            if not (isinstance(root, ast.Name) and root.id in ("self", "cls")
                    and node.value is root):
                self.flag(node, f"reaches the private attribute {attr}")
        if attr in BANNED_ATTRIBUTES:
            self.flag(node, f"reaches .{attr}")
        chain = _chain(node)
        if chain and chain[0] in self.modules and len(chain) >= 2:
            module = self.modules[chain[0]]
            self._module_attribute(node, module, chain[1:])
        self.generic_visit(node)

    def _module_attribute(self, node: ast.AST, module: str, rest: list[str]) -> None:
        first = rest[0]
        if module == "os" and first not in OS_ATTRIBUTES:
            self.flag(node, f"uses os.{first}")
        elif module == "sys" and first not in SYS_ATTRIBUTES:
            self.flag(node, f"uses sys.{first}")
        elif module == "grader" and first not in ("tape", "inline"):
            self.flag(node, f"reaches grader.{first}")
        elif _is_engine(module) or (module == "grader" and first == "tape"):
            names = rest[1:] if module == "grader" else rest
            if names and names[0] in _engine_internals():
                self.flag(node, f"reaches the engine's internal module {names[0]}")

    # ----------------------------------------------------------- assignment
    def _assigned(self, target: ast.AST, node: ast.AST, value: ast.AST | None = None) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assigned(element, node)
            return
        if isinstance(target, ast.Starred):
            self._assigned(target.value, node)
            return
        if isinstance(target, ast.Name):
            chain = _chain(value) if value is not None else None
            if chain and chain[0] in (self.modules.keys() | self.aliases) and len(chain) > 1:
                self.aliases.add(target.id)
            else:
                self.aliases.discard(target.id)
                if target.id in self.modules and value is not None:
                    del self.modules[target.id]
            return
        if isinstance(target, ast.Subscript) and _chain(target.value) and \
                self.modules.get(_chain(target.value)[0]) == "os" and \
                _chain(target.value)[1:] == ["environ"]:
            return  # os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2", as tutorials write
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            root = _root(target)
            if isinstance(root, ast.Call):
                self.flag(node, "sets an attribute of an object returned by a call")
            elif isinstance(root, ast.Name) and (root.id in self.modules or root.id in self.aliases):
                what = self.modules.get(root.id, root.id)
                self.flag(node, f"changes an attribute of {what}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node, node.value)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._assigned(target, node)
        self.generic_visit(node)

    # -------------------------------------------------------------- classes
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for keyword in node.keywords:
            if keyword.arg == "metaclass":
                self.flag(node, "sets a metaclass")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    item.name in BANNED_METHODS:
                self.flag(item, f"defines {item.name}")
            targets = item.targets if isinstance(item, ast.Assign) else \
                [item.target] if isinstance(item, (ast.AnnAssign, ast.AugAssign)) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id.startswith("__") and \
                        target.id.endswith("__") and target.id not in ALLOWED_CLASS_DUNDERS:
                    self.flag(item, f"sets {target.id} in a class")
        self.generic_visit(node)


def _is_engine(module: str) -> bool:
    return module in ("grader.tape", "tensorflow") or module.startswith(("grader.tape.",
                                                                         "tensorflow."))


_INTERNALS: frozenset[str] | None = None


def _engine_internals() -> frozenset[str]:
    """The engine's submodules that are not TensorFlow API (``provenance``, ``tape``, ...)."""
    global _INTERNALS
    if _INTERNALS is None:
        import pkgutil

        import grader.tape

        # A submodule shadowed by a public function of the same name (``tf.shape``) is
        # API; one reachable as a module is not.
        names = {m.name for m in pkgutil.iter_modules(grader.tape.__path__)
                 if not callable(getattr(grader.tape, m.name, None))}
        _INTERNALS = frozenset(names - PUBLIC_ENGINE_MODULES)
    return _INTERNALS


def scan_cells(cells: Iterable[tuple[int, str]]) -> list[Finding]:
    """Findings in ``(cell number, source)`` pairs, which run in order in one namespace."""
    findings: list[Finding] = []
    modules: dict[str, str] = {}
    for number, source in cells:
        tree = _parse(source)
        if tree is None:
            continue
        _Scanner(number, modules, findings).visit(tree)
    return findings


def scan_notebook(nb: Any) -> list[Finding]:
    """Findings in the code cells the grader runs (all but the feedback cell, tagged
    ``check``, which grading skips)."""
    cells = []
    for index, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and \
                "check" not in cell_tags(cell):
            cells.append((index + 1, cell_source(cell)))
    return scan_cells(cells)


def summary(findings: list[Finding], limit: int = 3) -> str | None:
    """The gradebook's ``integrity`` text: None when clean, else "needs review: ..."."""
    if not findings:
        return None
    shown = "; ".join(f.describe() for f in findings[:limit])
    more = f"; and {len(findings) - limit} more" if len(findings) > limit else ""
    return f"needs review: {shown}{more}"
