"""Kernels started ahead: while a worker grades one submission, the kernel of its
next one is already booting.

Kernel start is most of the cost of a submission, so a worker opens its next
notebook (``grade.open_submission``) and starts its kernel (``execute.start_kernel``)
before grading the current one (``grade.grade_parsed``). A kernel still serves exactly
one submission; a notebook that cannot be opened gets none. The worker tells the batch
process each kernel's process group and folder, so that if the worker dies the batch
can kill what it left and delete its folders (``sweep_kernels``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from grader.batch.one import Options, Task, graded
from grader.errors import GraderError


@dataclass
class Lined:
    """A submission in a worker's line: opened, and its own kernel already booting.

    Kernel start is most of a submission's cost (DESIGN.md), so a worker starts the
    kernel of its next submission before grading the current one. The kernel still
    serves this one submission only; a notebook that cannot be opened gets none.
    """

    task: Task
    opened: tuple[Any, bytes, str] | None = None  # open_submission's (nb, data, exercise)
    error: str = ""  # why it could not be opened
    kernel: Any = None  # execute.KernelHandle

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()  # idempotent: a no-op once grading has torn it down


def line_up(task: Task, options: Options, results: Any) -> Lined:
    """Open ``task``'s notebook and start its kernel; tell the batch process the kernel's
    process group and folder, so it can clean up if this worker dies."""
    from grader.grading.execute import start_kernel
    from grader.grading.grade import open_submission

    lined = Lined(task)
    try:
        lined.opened = open_submission(Path(task.path), options.exercise)
    except GraderError as err:
        lined.error = str(err)
        return lined
    except Exception as err:  # a grader bug: reported when its turn comes
        lined.error = f"the grader failed on this submission: {type(err).__name__}: {err}"
        return lined
    if not task.key.get("spec_sha256"):
        return lined  # unknown exercise or broken spec: grade_parsed says so, no kernel
    try:
        lined.kernel = start_kernel(lined.opened[0], total_timeout=options.total_timeout,
                                    submission_name=Path(task.path).name,
                                    sandbox=options.sandbox)
    except Exception:  # no folder for it, say: grade_parsed tries again and reports why
        return lined
    results.put(("kernel", os.getpid(), task.seq, lined.kernel.pgid,
                 str(lined.kernel.folders.root)))
    return lined


def grade_lined(lined: Lined, options: Options) -> dict[str, Any]:
    """Grade a lined-up submission in the kernel started for it."""
    from grader.grading.grade import failed_to_grade, grade_parsed

    name = Path(lined.task.path).name

    def produce() -> Any:
        if lined.opened is None:
            return failed_to_grade(name, lined.error, exercise=options.exercise or "")
        nb, data, exercise_id = lined.opened
        return grade_parsed(
            nb, data, exercise_id, submission=name,
            exercises_dir=Path(options.exercises_dir) if options.exercises_dir else None,
            seed=options.seed, cell_timeout=options.cell_timeout,
            total_timeout=options.total_timeout, kernel=lined.kernel, sandbox=options.sandbox)

    return graded(lined.task, produce)


def sweep_kernels(kernels: Mapping[int, tuple[int | None, str]]) -> None:
    """Kill the kernels a dead worker left (their folder still exists) and delete them."""
    from grader.grading.sandbox import PrivateFolders, kill_sandbox

    for pgid, root in kernels.values():
        folder = Path(root)
        if not folder.exists():
            continue  # closed by the worker
        kill_sandbox(pgid, folder=folder)
        PrivateFolders(root=folder, work=folder / "work", tmp=folder / "tmp",
                       runtime=folder / "runtime").remove()

