"""The worker pool, resume, interruption, shards and merge, with a fake grader (no kernel)."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import fakes
import pytest
from sigint import default_sigint

from grader import batch, cli

from grader.delivery import gradebook, merge

HERE = Path(__file__).resolve().parent


def _class(root: Path, behaviours: dict[str, str], sleep: float = 0.0) -> dict[str, Path]:
    paths = {}
    for name, behaviour in behaviours.items():
        paths[name] = root / name
        fakes.write_fake(paths[name], behaviour, sleep=sleep)
    return paths


def test_every_submission_gets_a_row_and_reports_whatever_happens(tmp_path):
    paths = _class(tmp_path / "class", {
        "ann/hw.ipynb": "pass", "ben/hw.ipynb": "fail", "cat/hw.ipynb": "timeout",
        "dan/hw.ipynb": "ungradable", "eve/hw.ipynb": "raise", "fay/hw.ipynb": "die",
        "gus/hw.ipynb": "pass"})
    out = tmp_path / "out"
    outcome = batch.run_batch([tmp_path / "class"], out=out, jobs=2, grade=fakes.fake_grade,
                              progress=io.StringIO())
    rows = {r.submission: r for r in outcome.rows}
    assert sorted(rows) == sorted(paths)
    expect = {"ann": ("graded", True, 2.0), "ben": ("graded", False, 0.0),
              "cat": ("timed-out", False, 0.0), "dan": ("failed-to-grade", False, 0.0),
              "eve": ("failed-to-grade", False, 0.0), "fay": ("failed-to-grade", False, 0.0),
              "gus": ("graded", True, 2.0)}
    for sub_id, row in rows.items():
        assert (row.status, row.passed, row.score) == expect[row.student], sub_id
        assert (out / row.report).is_file()
        assert (out / row.report).with_suffix(".json").is_file()
    assert "the grader failed on this submission: RuntimeError" in rows["eve/hw.ipynb"].error
    assert "grading process died (exit code 7)" in rows["fay/hw.ipynb"].error
    assert outcome.exit_code == 2 and not outcome.interrupted
    book = gradebook.read(out)
    assert book.complete and len(book.rows) == 7
    # The report JSON is the documented schema plus the key a resume compares.
    data = json.loads((out / "reports/ann/hw.json").read_text())
    assert data["score"] == 2.0 and data["submission"] == "ann/hw.ipynb"
    assert set(data["batch"]) == {"content_sha256", "exercise", "spec_sha256", "seed"}


def test_resume_skips_finished_and_regrades_what_changed(tmp_path):
    paths = _class(tmp_path / "class", {"a.ipynb": "pass", "b.ipynb": "fail"})
    out = tmp_path / "out"
    quiet = io.StringIO()
    batch.run_batch([tmp_path / "class"], out=out, jobs=1, grade=fakes.fake_grade, progress=quiet)
    again = batch.run_batch([tmp_path / "class"], out=out, jobs=1, grade=fakes.fake_grade,
                            progress=quiet)
    assert again.graded == [] and sorted(again.resumed) == ["a.ipynb", "b.ipynb"]
    assert [r.passed for r in again.rows] == [True, False]
    fakes.write_fake(paths["b.ipynb"], "pass")  # the student resubmits
    third = batch.run_batch([tmp_path / "class"], out=out, jobs=1, grade=fakes.fake_grade,
                            progress=quiet)
    assert third.graded == ["b.ipynb"] and third.exit_code == 0
    forced = batch.run_batch([tmp_path / "class"], out=out, jobs=1, grade=fakes.fake_grade,
                             progress=quiet, force=True)
    assert sorted(forced.graded) == ["a.ipynb", "b.ipynb"]
    assert fakes.calls(paths["a.ipynb"]) == 2 and fakes.calls(paths["b.ipynb"]) == 3


_RUNNER = """
import sys
sys.path.insert(0, {here!r})
import fakes
from grader import batch
outcome = batch.run_batch([{cls!r}], out={out!r}, jobs=2, grade=fakes.fake_grade,
                          progress_interval=0.1)
sys.exit(outcome.exit_code)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_batch_keeps_a_consistent_gradebook_and_resumes(tmp_path, signum):
    names = [f"s{i:02d}.ipynb" for i in range(24)]
    paths = _class(tmp_path / "class", {n: "pass" for n in names}, sleep=0.4)
    out = tmp_path / "out"
    code = _RUNNER.format(here=str(HERE), cls=str(tmp_path / "class"), out=str(out))
    # SIGINT at its default in the child even when the suite runs with it ignored.
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if len(gradebook.read(out).rows) >= 3:
                break
        except Exception:
            pass
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    first = gradebook.read(out)
    assert not first.complete
    done = {r.submission for r in first.rows}
    assert 3 <= len(done) < len(names)
    for row in first.rows:  # every row has its finished reports
        assert (out / row.report).with_suffix(".json").is_file()
    again = batch.run_batch([tmp_path / "class"], out=out, jobs=2, grade=fakes.fake_grade,
                            progress=io.StringIO())
    # Every row of the interrupted gradebook is resumed; so may be a submission whose
    # report was finished as the signal landed, before its row was written.
    resumed = set(again.resumed)
    assert done <= resumed and len(resumed - done) <= 2
    assert set(again.graded) == set(names) - resumed
    assert gradebook.read(out).complete and len(again.rows) == len(names)
    for name in resumed:  # nothing that had finished was graded again
        assert fakes.calls(paths[name]) == 1


def test_shards_merge_back_to_the_full_gradebook(tmp_path, capsys):
    behaviours = {f"st{i:02d}/hw.ipynb": ("pass", "fail", "ungradable")[i % 3] for i in range(15)}
    _class(tmp_path / "class", behaviours)
    quiet = io.StringIO()
    full = batch.run_batch([tmp_path / "class"], out=tmp_path / "full", jobs=2,
                           grade=fakes.fake_grade, progress=quiet)
    shard_dirs = []
    for k in (1, 2, 3):
        shard_dirs.append(tmp_path / f"shard{k}")
        batch.run_batch([tmp_path / "class"], out=shard_dirs[-1], jobs=1, shard=(k, 3),
                        grade=fakes.fake_grade, progress=quiet)
    per_shard = [{r.submission for r in gradebook.read(d).rows} for d in shard_dirs]
    assert sum(map(len, per_shard)) == 15 and set().union(*per_shard) == set(behaviours)

    merged = merge.merge_gradebooks(shard_dirs, out=tmp_path / "merged")
    assert merged.ok and merged.problems() == []

    def essentials(rows):
        return [(r.submission, r.student, r.status, r.score, r.passed) for r in rows]

    assert essentials(merged.rows) == essentials(full.rows)
    for row in gradebook.read(tmp_path / "merged").rows:  # reports still reachable
        assert (tmp_path / "merged" / row.report).is_file()

    # One shard missing, one given twice: the CLI says so and exits 1.
    code = cli.main(["merge", str(shard_dirs[0]), str(shard_dirs[0]), str(shard_dirs[2]),
                     "--out", str(tmp_path / "bad")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{len(per_shard[1])} submissions have no row" in err
    some = sorted(per_shard[0])[0]
    assert f"{some} was graded 2 times" in err
    assert not gradebook.read(tmp_path / "bad").complete
