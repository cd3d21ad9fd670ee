"""The kernel's environment: rebuilt from an allow-list, never copied from the grader's.

CI tokens, cloud keys and the like are simply not there; IPython and Jupyter are kept
away from the grader user's profiles and config (a startup file there would run inside
every student's kernel).
"""

from __future__ import annotations

import os
import sys
from typing import Mapping

from grader.grading.folders import PrivateFolders


def grader_import_path() -> str | None:
    """The folder to put on the kernel's PYTHONPATH so ``import grader`` works, if any.

    A fresh interpreter of ``sys.executable`` already finds the package when it is
    installed (site-packages or an editable ``.pth``). Only when the grader runs from a
    source tree that the interpreter would not find (found through PYTHONPATH or the
    script's own folder) is the path passed on.
    """
    import grader

    parent = os.path.realpath(os.path.dirname(os.path.dirname(grader.__file__)))
    pythonpath = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    inherited = {os.path.realpath(p) for p in pythonpath if p}
    fresh = {os.path.realpath(p) for p in sys.path[1:] if p} - inherited
    return None if parent in fresh else parent


def kernel_environment(folders: PrivateFolders,
                       source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's whole environment, built from an allow-list (nothing else passes)."""
    source = os.environ if source is None else source
    env = {
        "PATH": source.get("PATH") or os.defpath,
        "HOME": str(folders.work),
        "TMPDIR": str(folders.tmp),
        "TEMP": str(folders.tmp),
        "TMP": str(folders.tmp),
        "LANG": source.get("LANG") or "C.UTF-8",
        # Hash randomisation off: set iteration order, and so printed output, repeats.
        "PYTHONHASHSEED": "0",
        "PYTHONFAULTHANDLER": "1",  # a segfault leaves a Python traceback in kernel.log
        "PYTHONDONTWRITEBYTECODE": "1",
        "IPYTHONDIR": str(folders.runtime / "ipython"),
        "JUPYTER_CONFIG_DIR": str(folders.runtime / "jupyter"),
        "JUPYTER_DATA_DIR": str(folders.runtime / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(folders.runtime),
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLCONFIGDIR": str(folders.tmp),
        # One BLAS thread: fewer threads against the process limit, less address space,
        # and no thread start-up cost for 2x2 matrices.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    if source.get("LC_ALL"):
        env["LC_ALL"] = source["LC_ALL"]
    extra = grader_import_path()
    if extra:
        env["PYTHONPATH"] = extra
    return env
