"""GitHub Classroom points: the ``result`` output its autograding reporter reads.

GitHub Classroom's autograding workflow ends with
``classroom-resources/autograding-grading-reporter``. For every id in its ``runners``
input it reads the environment variable ``<ID>_RESULTS`` (the id upper-cased), decodes
it from base64 and parses JSON of this shape (the one its own graders write)::

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": 7.5,
     "tests": [{"name": ..., "status": "pass" | "fail" | "error", "score": 2.0,
                "message": ..., "test_code": "", "filename": ..., "line_no": 0,
                "execution_time": "0.84s"}]}

The points it reports to Classroom are the sum of ``tests[].score`` out of the sum of
``max_score`` (a runner whose ``max_score`` is 0 is left out), and it fails the job when
``status`` is "fail" or "error". So here: one test per check of the report, scored
exactly as the report scores it (the scores add up to the report's score), and a
notebook that could not be graded is one test with status "error" and 0 points.

A grading step hands this over by appending ``result=<base64 JSON>`` to the file named
by ``$GITHUB_OUTPUT``; ``grader check`` does it for its notebook inside GitHub Actions,
and ``python -m grader.delivery.classroom --graded NB REPORT.json ...`` does it for several
at once from their JSON reports (the grading action uses that, so that one step id
carries the points of every notebook).
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from grader.errors import GraderError

FORMAT_VERSION = 1
# The reporter prints each message in the job log; the report has the full story.
MESSAGE_LIMIT = 1000


def enabled(flag: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """``--classroom`` / ``--no-classroom`` when given; else on inside GitHub Actions
    (``GITHUB_ACTIONS=true``) when there is a ``$GITHUB_OUTPUT`` file to append to."""
    environ = os.environ if environ is None else environ
    if flag is not None:
        return flag
    return environ.get("GITHUB_ACTIONS") == "true" and bool(environ.get("GITHUB_OUTPUT"))


def _finite(value: Any) -> float:
    """A number the reporter can add up (JSON has no NaN or infinity; neither do points)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _gradable(result: Any) -> bool:
    """Checks that ran and a score that is a number: else the notebook is an "error"."""
    return (bool(result.checks) and result.status != "failed-to-grade"
            and all(math.isfinite(float(v)) for v in (result.score, result.max_score)))


def _max_score(result: Any) -> float:
    if math.isfinite(float(result.max_score)):
        return float(result.max_score)
    return sum(_finite(c.max_score) for c in result.checks)


def _check_message(check: Any) -> str:
    from grader.delivery.report.machine import check_text
    from grader.delivery.report.text import shorten

    return shorten(check_text(check) if not check.passed else check.message or "Correct.",
                   MESSAGE_LIMIT)


def _tests_of(result: Any, *, prefix: str, filename: str) -> list[dict[str, Any]]:
    from grader.delivery.report.text import one_line, shorten

    seconds = f"{_finite(result.duration_s):.2f}s"
    if not _gradable(result):
        why = "; ".join(one_line(e) for e in result.errors) or "no check could be run"
        if result.checks:
            why = f"the score is not a number. {why}"
        return [{"name": f"{prefix}could not be graded", "status": "error", "score": 0,
                 "message": shorten(why, MESSAGE_LIMIT), "test_code": "",
                 "filename": filename, "line_no": 0, "execution_time": seconds}]
    # The checks of one notebook share one run: its time goes on the first of them, so
    # that the times still add up to the notebook's.
    return [{"name": prefix + one_line(check.name, 200),
             "status": "pass" if check.passed else "fail",
             "score": _finite(check.score), "message": _check_message(check), "test_code": "",
             "filename": filename, "line_no": 0,
             "execution_time": seconds if index == 0 else "0.00s"}
            for index, check in enumerate(result.checks)]


def classroom_result(results: Sequence[Any], filenames: Sequence[str] | None = None
                     ) -> dict[str, Any]:
    """The reporter's JSON for one or more ``GradeResult``s (one per notebook).

    With several notebooks each test name starts with its exercise (or file), so the
    reporter's list says which notebook a check belongs to.
    """
    filenames = list(filenames or [r.submission for r in results])
    tests: list[dict[str, Any]] = []
    for result, filename in zip(results, filenames):
        prefix = f"{result.exercise or result.submission}: " if len(results) > 1 else ""
        tests.extend(_tests_of(result, prefix=prefix, filename=str(filename)))
    if any(not _gradable(r) for r in results) or not results:
        status = "error"
    elif all(t["status"] == "pass" for t in tests):
        status = "pass"
    else:
        status = "fail"
    return {"version": FORMAT_VERSION, "status": status,
            "max_score": sum(_max_score(r) for r in results), "tests": tests}


def encode(payload: Mapping[str, Any]) -> str:
    """Base64 of the compact JSON: one line, as a ``$GITHUB_OUTPUT`` value must be."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(value: str) -> dict[str, Any]:
    """What the reporter does with ``<ID>_RESULTS``: base64, then JSON."""
    return json.loads(base64.b64decode(value).decode("utf-8"))


def _points(value: float) -> str:
    from grader.delivery.report.text import format_points

    return format_points(value)


def output_lines(results: Sequence[Any], filenames: Sequence[str] | None = None) -> list[str]:
    """The ``$GITHUB_OUTPUT`` lines: ``result`` (for the reporter), ``score``, ``max-score``."""
    from grader.delivery.report.machine import json_safe

    payload = json_safe(classroom_result(results, filenames))
    score = sum(float(t["score"]) for t in payload["tests"])
    return [f"result={encode(payload)}", f"score={_points(score)}",
            f"max-score={_points(payload['max_score'])}"]


def append_output(results: Sequence[Any], filenames: Sequence[str] | None = None, *,
                  environ: Mapping[str, str] | None = None) -> Path:
    """Append ``output_lines`` to ``$GITHUB_OUTPUT``; ``GraderError`` when there is none."""
    environ = os.environ if environ is None else environ
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        raise GraderError("--classroom writes the GitHub Classroom result to $GITHUB_OUTPUT, "
                          "which is not set", fix="run it as a step of a GitHub Actions job, "
                          "or set GITHUB_OUTPUT to a file to append to")
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in output_lines(results, filenames)))
    except OSError as err:
        raise GraderError(f"cannot append to $GITHUB_OUTPUT: {err.strerror}",
                          path=target) from None
    return Path(target)


def _load_report(path: Path) -> Any:
    from grader.batch import result_from_report

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GraderError(f"cannot read the JSON report: {err}", path=str(path),
                          fix="pass the --json reports that `grader check` wrote") from None
    if not isinstance(data, dict) or "checks" not in data:
        raise GraderError("not a tapegrader JSON report", path=str(path),
                          fix="pass the --json reports that `grader check` wrote")
    return result_from_report(data)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m grader.delivery.classroom --graded NB REPORT.json --ungraded NB ...``.

    One Classroom result for several notebooks, in the order given: ``--graded`` with
    the JSON report ``grader check --json`` wrote, ``--ungraded`` for a notebook whose
    check ended without a report (its test says so, with status "error").
    """
    parser = argparse.ArgumentParser(
        prog="python -m grader.delivery.classroom",
        description="Append one GitHub Classroom result for these notebooks to $GITHUB_OUTPUT.")
    parser.add_argument("--graded", dest="items", action="append", nargs=2, default=[],
                        metavar=("NOTEBOOK", "REPORT.json"),
                        help="a notebook and the JSON report `grader check` wrote for it")
    parser.add_argument("--ungraded", dest="items", action="append", nargs=1,
                        metavar="NOTEBOOK", help="a notebook `grader check` left no report for")
    args = parser.parse_args(argv)
    try:
        results = [_load_report(Path(item[1])) if len(item) == 2 else _ungraded(item[0])
                    for item in args.items]
        append_output(results, [item[0] for item in args.items])
    except GraderError as err:
        print(f"grader: error: {err}", file=sys.stderr)
        return err.exit_code
    return 0


def _ungraded(notebook: str) -> Any:
    from grader.grading.grade import failed_to_grade

    return failed_to_grade(Path(notebook).name, "grader check ended without a report: its "
                           "error is in the job log above")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
