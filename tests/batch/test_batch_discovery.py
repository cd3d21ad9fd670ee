"""Discovery against a class folder a student shaped: symbolic links, pipes, deep folders.

Each test builds a real folder (real links, a real FIFO) and grades it with the fake
grader, so the rule under test is the batch's: every notebook entry found ends in
exactly one row, no row is another student's work, and nothing outside the class
folder is read.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import fakes
import pytest

from grader import batch
from grader.grading import notebook


def _grade(tmp_path: Path, **kwargs):
    stream = io.StringIO()
    outcome = batch.run_batch([tmp_path / "class"], out=tmp_path / "out", jobs=1,
                              grade=fakes.fake_grade, progress=stream, **kwargs)
    return {r.submission: r for r in outcome.rows}, outcome, stream.getvalue()


def _link(path: Path, target: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    return path


def test_a_link_to_another_students_notebook_is_refused_and_both_keep_a_row(tmp_path):
    alice = tmp_path / "class/alice/hw1.ipynb"
    fakes.write_fake(alice, "pass")
    _link(tmp_path / "class/aaron/hw1.ipynb", "../alice/hw1.ipynb")
    rows, outcome, _ = _grade(tmp_path)
    assert sorted(rows) == ["aaron/hw1.ipynb", "alice/hw1.ipynb"]
    assert rows["alice/hw1.ipynb"].passed and rows["alice/hw1.ipynb"].student == "alice"
    aaron = rows["aaron/hw1.ipynb"]
    assert (aaron.status, aaron.passed, aaron.score) == ("failed-to-grade", False, 0.0)
    assert "belongs to alice" in aaron.error and "aaron cannot be given" in aaron.error
    assert fakes.calls(alice) == 1  # graded once, for alice only
    assert (tmp_path / "out" / aaron.report).is_file()  # a report that says why
    assert outcome.exit_code == 2


def test_a_link_within_the_same_students_folder_is_graded_as_its_own_id(tmp_path):
    fakes.write_fake(tmp_path / "class/alice/hw1.ipynb", "pass")
    _link(tmp_path / "class/alice/latest.ipynb", "hw1.ipynb")
    rows, outcome, _ = _grade(tmp_path)
    assert sorted(rows) == ["alice/hw1.ipynb", "alice/latest.ipynb"]
    assert all(r.status == "graded" and r.passed for r in rows.values())
    assert outcome.exit_code == 0


def test_a_link_out_of_the_class_folder_is_refused_unread(tmp_path):
    outside = tmp_path / "elsewhere/secret.ipynb"
    fakes.write_fake(outside, "pass")
    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    _link(tmp_path / "class/bob/hw.ipynb", str(outside))
    _link(tmp_path / "class/cy/hw.ipynb", "/dev/zero")
    rows, _, _ = _grade(tmp_path)
    assert sorted(rows) == ["ann/hw.ipynb", "bob/hw.ipynb", "cy/hw.ipynb"]
    for sub in ("bob/hw.ipynb", "cy/hw.ipynb"):
        assert rows[sub].status == "failed-to-grade"
        assert "out of the class folder" in rows[sub].error
    assert fakes.calls(outside) == 0
    assert rows["ann/hw.ipynb"].passed


def test_dangling_and_looping_links_are_refused(tmp_path):
    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    _link(tmp_path / "class/dan/hw.ipynb", "gone.ipynb")
    _link(tmp_path / "class/lou/hw.ipynb", "hw.ipynb")  # itself
    _link(tmp_path / "class/max/a.ipynb", "b.ipynb")
    _link(tmp_path / "class/max/b.ipynb", "a.ipynb")
    rows, _, _ = _grade(tmp_path)
    assert sorted(rows) == ["ann/hw.ipynb", "dan/hw.ipynb", "lou/hw.ipynb", "max/a.ipynb",
                            "max/b.ipynb"]
    assert "which does not exist" in rows["dan/hw.ipynb"].error
    for sub in ("lou/hw.ipynb", "max/a.ipynb", "max/b.ipynb"):
        assert rows[sub].status == "failed-to-grade"
        assert "cannot be followed" in rows[sub].error, rows[sub].error


def test_links_to_folders_are_not_entered_and_say_so(tmp_path):
    fakes.write_fake(tmp_path / "class/alice/hw1.ipynb", "pass")
    _link(tmp_path / "class/erin", "alice")  # a whole folder: alice's work again
    _link(tmp_path / "class/alice/loop", "..")  # round and round
    _link(tmp_path / "class/outside", str(tmp_path))
    rows, _, log = _grade(tmp_path)
    assert sorted(rows) == ["alice/hw1.ipynb"]
    assert log.count("a symbolic link to a folder: not followed") == 3


def test_a_pipe_named_like_a_notebook_is_refused_without_blocking(tmp_path):
    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    (tmp_path / "class/pip").mkdir()
    os.mkfifo(tmp_path / "class/pip/hw.ipynb")
    _link(tmp_path / "class/pat/hw.ipynb", "../pip/hw.ipynb")
    rows, _, _ = _grade(tmp_path)
    assert "not a regular file" in rows["pip/hw.ipynb"].error
    assert rows["pat/hw.ipynb"].status == "failed-to-grade"
    assert rows["ann/hw.ipynb"].passed


def test_a_named_link_argument_follows_the_same_rules(tmp_path):
    fakes.write_fake(tmp_path / "elsewhere/x.ipynb", "pass")
    link = _link(tmp_path / "class/bob/hw.ipynb", "../../elsewhere/x.ipynb")
    found = batch.discover([link])
    assert [s.id for s in found] == ["hw.ipynb"]
    assert "out of the class folder" in found[0].refused


def _deep(root: Path, depth: int) -> Path:
    """``root/d/d/.../d`` (``depth`` levels), made one level at a time."""
    root.mkdir(parents=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return root.joinpath(*["d"] * depth)


def _remove_deep(root: Path, depth: int) -> None:
    """rmtree recurses once per level: remove from the bottom up instead."""
    for level in range(depth, 0, -1):
        folder = root.joinpath(*["d"] * level)
        for entry in os.listdir(folder):
            if entry != "d":
                os.remove(folder / entry)
        os.rmdir(folder)


def test_a_folder_deeper_than_the_recursion_limit_is_walked(tmp_path):
    import sys

    depth = sys.getrecursionlimit() + 200
    (tmp_path / "class/ann").mkdir(parents=True)
    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    bottom = _deep(tmp_path / "class/zed", depth)
    fakes.write_fake(bottom / "hw.ipynb", "pass")
    try:
        found, problems = notebook.walk_notebooks(tmp_path / "class")
        assert [len(f.parts) for f in found] == [2, depth + 2] and problems == []
    finally:
        _remove_deep(tmp_path / "class/zed", depth)


def test_a_glob_is_matched_by_the_same_walk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for sub in ("class/a/hw.ipynb", "class/b/hw.ipynb", "class/b/deeper/hw.ipynb",
                "class/c/other.ipynb"):
        fakes.write_fake(tmp_path / sub, "pass")
    _link(tmp_path / "class/d", "a")
    assert [s.id for s in batch.discover(["class/*/hw.ipynb"])] == ["a/hw.ipynb", "b/hw.ipynb"]
    assert [s.id for s in batch.discover(["class/**/hw.ipynb"])] == [
        "a/hw.ipynb", "b/deeper/hw.ipynb", "b/hw.ipynb"]
    assert [s.id for s in batch.discover(["class/[bc]/*.ipynb"])] == [
        "b/hw.ipynb", "c/other.ipynb"]


@pytest.mark.parametrize("parts, pattern, matched", [
    (("a", "hw.ipynb"), ("*", "hw.ipynb"), True),
    (("a", "b", "hw.ipynb"), ("*", "hw.ipynb"), False),
    (("hw.ipynb",), ("**", "hw.ipynb"), True),
    (("a", "b", "c", "hw.ipynb"), ("**", "hw.ipynb"), True),
    (("a", "b", "x.ipynb"), ("a", "**"), True),
    (("a", "b", "x.ipynb"), ("b", "**"), False),
    (("a", "hw1.ipynb"), ("a", "hw?.ipynb"), True),
])
def test_glob_match(parts, pattern, matched):
    assert batch.glob_match(parts, pattern) is matched


def test_a_file_name_that_is_not_utf8_gets_a_text_id_and_a_row(tmp_path):
    folder = tmp_path / "class" / "ann"
    folder.mkdir(parents=True)
    raw = os.fsencode(folder) + b"/hw\xff.ipynb"
    fakes.write_fake(Path(os.fsdecode(raw)), "pass")
    broken = os.fsencode(folder) + b"/broken\xfe.ipynb"
    with open(broken, "wb") as handle:
        handle.write(b"not json {")
    outcome = batch.run_batch([tmp_path / "class"], out=tmp_path / "out", jobs=1,
                              progress=io.StringIO())
    rows = {r.submission: r for r in outcome.rows}
    assert sorted(rows) == ["ann/broken\\xfe.ipynb", "ann/hw\\xff.ipynb"]
    assert "not a notebook: not JSON" in rows["ann/broken\\xfe.ipynb"].error
    assert (tmp_path / "out" / rows["ann/hw\\xff.ipynb"].report).is_file()
    (tmp_path / "out/gradebook.csv").read_text(encoding="utf-8")  # text, all of it


def test_a_rerun_keeps_one_row_per_entry_and_rewrites_the_refusal(tmp_path):
    fakes.write_fake(tmp_path / "class/alice/hw1.ipynb", "pass")
    _link(tmp_path / "class/aaron/hw1.ipynb", "../alice/hw1.ipynb")
    first, _, _ = _grade(tmp_path)
    again, outcome, _ = _grade(tmp_path)
    assert sorted(again) == sorted(first) == ["aaron/hw1.ipynb", "alice/hw1.ipynb"]
    assert outcome.resumed == ["alice/hw1.ipynb"]  # graded once, kept
    assert again["aaron/hw1.ipynb"].status == "failed-to-grade"
    assert fakes.calls(tmp_path / "class/alice/hw1.ipynb") == 1
