"""Grade a whole class: find the submissions, slice them into shards, grade them in
parallel worker processes, and keep a gradebook that survives interruptions.

How data flows through the package (each stage one module, imports pointing down):

``discovery``  PATHs -> ``Submission`` (a path, its id ``alice/hw1.ipynb``, and
               ``refused`` when it must not be graded: a link to another student's
               file or out of the class folder, a pipe named ``.ipynb``)
``shards``     ``--shard K/N`` -> the stable slice of the class this machine grades
``resume``     each submission's grading key (hashes of the notebook, the spec, the
               seed); a finished report whose key still matches is kept
``one``        a ``Task`` (plain data sent to a worker) -> reports -> a gradebook row
``ahead``      the next submission's kernel booting while the current one is graded
``pool``       the worker processes, fed and watched by the batch process
``progress``   counts on the terminal or in the CI log
``book``       rows -> ``gradebook.csv`` / ``gradebook.json``, rewritten atomically
``run``        ``run_batch``: all of the above, in that order
``reload``     JSON reports -> ``GradeResult`` again (``GradeResult.from_json``), for
               summaries of the whole class

A submission cannot stop the batch: each discovered notebook ends in exactly one row,
whatever it holds.
"""

from grader.batch.ahead import Lined, grade_lined, line_up, sweep_kernels
from grader.batch.book import Book
from grader.batch.discovery import Discovery, Submission, discover, discover_all, glob_match
from grader.batch.one import Options, Task, grade_task
from grader.batch.progress import Progress
from grader.batch.reload import load_results, result_from_report
from grader.batch.resume import SpecHashes, finished_report, grading_key
from grader.batch.run import (KERNELS_AHEAD, REPORTS_DIR, BatchOutcome, default_jobs, run_batch,
                              tasks_for)
from grader.batch.shards import K8S_INDEX_ENV, SHARD_ENV, parse_shard, select_shard, shard_of

__all__ = [
    "BatchOutcome", "Book", "Discovery", "K8S_INDEX_ENV", "KERNELS_AHEAD", "Lined", "Options",
    "Progress", "REPORTS_DIR", "SHARD_ENV", "SpecHashes", "Submission", "Task", "default_jobs",
    "discover", "discover_all", "finished_report", "glob_match", "grade_lined", "grade_task",
    "grading_key", "line_up", "load_results", "parse_shard", "result_from_report", "run_batch",
    "select_shard", "shard_of", "sweep_kernels", "tasks_for",
]
