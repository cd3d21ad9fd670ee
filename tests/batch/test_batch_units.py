"""Discovery, shards, progress and the gradebook file format: no worker, no kernel."""

from __future__ import annotations

import csv
import io
import json

import pytest

from grader import batch

from grader.delivery import gradebook
from grader.errors import UsageError


def _touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discover_folder_recursive_skips_hidden_and_out(tmp_path):
    _touch(tmp_path / "class/alice/hw1.ipynb")
    _touch(tmp_path / "class/bob.ipynb")
    _touch(tmp_path / "class/alice/.ipynb_checkpoints/hw1-checkpoint.ipynb")
    _touch(tmp_path / "class/out/reports/x.ipynb")
    _touch(tmp_path / "class/notes.txt")
    found = batch.discover([tmp_path / "class"], exclude=[tmp_path / "class/out"])
    assert [s.id for s in found] == ["alice/hw1.ipynb", "bob.ipynb"]
    assert [s.student for s in found] == ["alice", "bob"]


def test_discover_glob_file_and_duplicates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _touch(tmp_path / "class/a/hw.ipynb")
    _touch(tmp_path / "class/b/hw.ipynb")
    _touch(tmp_path / "class/b/other.json")
    found = batch.discover(["class/*/hw.ipynb", "class/a/hw.ipynb", "class"])
    # The glob's root is "class", so ids match the folder's; the same file counts once.
    assert [s.id for s in found] == ["a/hw.ipynb", "b/hw.ipynb"]
    single = batch.discover([tmp_path / "class/b/hw.ipynb"])
    assert [s.id for s in single] == ["hw.ipynb"]


def test_discover_errors_name_the_path_and_fix(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder") as err:
        batch.discover([tmp_path / "nope"])
    assert str(tmp_path / "nope") in str(err.value)
    with pytest.raises(UsageError, match="matches no notebook"):
        batch.discover([str(tmp_path / "*.ipynb")])
    _touch(tmp_path / "x/hw.ipynb")
    _touch(tmp_path / "y/hw.ipynb")
    with pytest.raises(UsageError, match="both be called 'hw.ipynb'"):
        batch.discover([tmp_path / "x/hw.ipynb", tmp_path / "y/hw.ipynb"])


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_shards_cover_every_submission_exactly_once(count):
    ids = [f"student{i:03d}/hw.ipynb" for i in range(200)]
    subs = [batch.Submission(path=None, id=i) for i in ids]
    slices = [batch.select_shard(subs, (k, count)) for k in range(1, count + 1)]
    flat = [s.id for part in slices for s in part]
    assert sorted(flat) == ids  # every one, none twice
    if count > 1:  # roughly balanced: no shard empty or holding everything
        assert all(0 < len(part) < 200 for part in slices)
    # Stable: a submission's shard does not depend on the rest of the class.
    assert batch.select_shard(subs[:10], (1, count)) == [s for s in slices[0] if s in subs[:10]]


def test_parse_shard_explicit_and_auto():
    assert batch.parse_shard("2/4", {}) == (2, 4)
    assert batch.parse_shard("auto/4", {"TAPEGRADER_SHARD": "3"}) == (3, 4)
    assert batch.parse_shard("auto/4", {"JOB_COMPLETION_INDEX": "0"}) == (1, 4)
    # The explicit variable wins over the Kubernetes index.
    assert batch.parse_shard("auto/4", {"TAPEGRADER_SHARD": "4",
                                        "JOB_COMPLETION_INDEX": "0"}) == (4, 4)


@pytest.mark.parametrize("text, env, message", [
    ("0/4", {}, "K must be a number from 1 to 4"),
    ("5/4", {}, "K must be a number from 1 to 4"),
    ("2", {}, "is not K/N"),
    ("1/0", {}, "is not K/N"),
    ("auto/4", {}, "needs \\$TAPEGRADER_SHARD"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "4"}, "outside shards 1..4"),
    ("auto/4", {"TAPEGRADER_SHARD": "one"}, "not a whole number"),
])
def test_parse_shard_errors(text, env, message):
    with pytest.raises(UsageError, match=message) as err:
        batch.parse_shard(text, env)
    assert "fix:" in str(err.value)


def _row(sub, status="graded", passed=True, score=2.0):
    return gradebook.Row(student=sub.split("/")[0], submission=sub, exercise="ex",
                         score=score, max_score=2.0, status=status, passed=passed,
                         duration_s=1.5, report=f"reports/{sub}.html")


def test_progress_lines_in_ci_and_bar_on_a_terminal():
    now = [0.0]
    out = io.StringIO()
    meter = batch.Progress(4, stream=out, tty=False, interval=10.0, clock=lambda: now[0])
    meter.add(_row("a"))
    now[0] = 2.0
    meter.add(_row("b", passed=False, score=0.0))
    assert out.getvalue() == ""  # not yet 10 s since the start
    now[0] = 11.0
    meter.add(_row("c", status="timed-out", passed=False, score=0.0))
    meter.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert lines[0].startswith("grading: 3/4 done, 1 passed, 1 failed, 1 timed out")
    assert "left" in lines[0]  # an estimate of the time to go

    tty = io.StringIO()
    bar = batch.Progress(2, stream=tty, tty=True, clock=lambda: 1.0)
    bar.add(_row("a"))
    bar.close()
    assert tty.getvalue().startswith("\r[############------------] 1/2 done")
    assert tty.getvalue().endswith("\n")


def test_gradebook_round_trip_and_csv_is_spreadsheet_safe(tmp_path):
    rows = (_row("bob/hw"), _row("=HYPERLINK(1)/hw", status="failed-to-grade", passed=False))
    gradebook.write(tmp_path, gradebook.Gradebook(rows=rows, class_ids=("bob/hw", "x"),
                                                  shard="1/2", complete=False))
    back = gradebook.read(tmp_path)
    assert back.shard == "1/2" and not back.complete and set(back.class_ids) == {"bob/hw", "x"}
    assert {r.submission for r in back.rows} == {r.submission for r in rows}
    table = list(csv.DictReader(io.StringIO((tmp_path / "gradebook.csv").read_text())))
    assert [r["status"] for r in table] == ["failed-to-grade", "graded"]
    assert table[0]["student"].startswith("'=")  # never a live formula
    assert json.loads((tmp_path / "gradebook.json").read_text())["class_size"] == 2
