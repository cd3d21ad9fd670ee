"""What a batch hands on: gradebook rows (integrity, spreadsheet-safe cells), merged
gradebooks, results read back from JSON, and what the command line prints about
notebooks whose names or contents are hostile."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from grader import batch, cli
from grader.delivery import gradebook, merge
from grader.delivery.report.terminal import printable, printable_lines, terminal_summary
from grader.results import CellError, CheckResult, GradeResult

FLAG = "needs review: imports grader.tape.provenance"


def _task(sub_id: str) -> batch.Task:
    return batch.Task(seq=0, path=f"/class/{sub_id}", id=sub_id, student=sub_id.split("/")[0],
                      html="", json="", report_rel=f"reports/{sub_id}.html", key={})


def _report(**extra) -> dict:
    return dict({"exercise": "ex", "score": 1.0, "max_score": 2.0, "passed": False,
                 "status": "graded", "duration_s": 0.5, "errors": []}, **extra)


def test_rows_carry_integrity_from_the_report_and_none_without_it():
    flagged = batch.one.row(_task("ann/hw.ipynb"), _report(integrity=FLAG))
    assert flagged.integrity == FLAG
    assert batch.one.row(_task("bob/hw.ipynb"), _report()).integrity is None
    assert batch.one.row(_task("cy/hw.ipynb"), _report(integrity=None)).integrity is None
    # A report with an empty first error still gives a row (no IndexError).
    assert batch.one.row(_task("dee/hw.ipynb"), _report(errors=[""])).error == ""


def _row(sub: str, **extra) -> gradebook.Row:
    return gradebook.Row(**dict(dict(student=sub.split("/")[0], submission=sub, exercise="ex",
                                     score=1.0, max_score=2.0, status="graded", passed=False,
                                     duration_s=0.5, report=f"reports/{sub}.html"), **extra))


def test_gradebook_has_an_integrity_column_and_json_field(tmp_path):
    rows = (_row("ann/hw.ipynb", integrity=FLAG), _row("bob/hw.ipynb"))
    gradebook.write(tmp_path, gradebook.Gradebook(rows=rows, class_ids=("ann/hw.ipynb",
                                                                         "bob/hw.ipynb")))
    table = list(csv.DictReader(io.StringIO((tmp_path / "gradebook.csv").read_text())))
    assert [r["integrity"] for r in table] == [FLAG, ""]
    data = json.loads((tmp_path / "gradebook.json").read_text())
    assert [r["integrity"] for r in data["rows"]] == [FLAG, None]
    assert [r.integrity for r in gradebook.read(tmp_path).rows] == [FLAG, None]


def test_an_old_gradebook_without_integrity_still_reads(tmp_path):
    row = {k: v for k, v in _row("ann/hw.ipynb").__dict__.items() if k != "integrity"}
    (tmp_path / "gradebook.json").write_text(json.dumps(
        {"tool": "tapegrader", "version": 1, "rows": [row], "class": ["ann/hw.ipynb"],
         "complete": True}))
    assert gradebook.read(tmp_path).rows[0].integrity is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_off(tmp_path, start):
    name = f"{start}HYPERLINK(\"http://x\")/hw.ipynb"
    rows = (_row(name, error=f"{start}cmd|' /C calc'!A0", integrity=f"{start}1+1"),)
    gradebook.write(tmp_path, gradebook.Gradebook(rows=rows, class_ids=(name,)))
    text = (tmp_path / "gradebook.csv").read_bytes().decode("utf-8")  # CR kept as written
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(table) == 1  # a CR inside a cell did not end the row
    for column in ("student", "submission", "error", "integrity"):
        assert table[0][column].startswith("'" + start.replace("\r", "\n")), column
    # The JSON gradebook keeps the true values: it is read by programs, not run.
    assert json.loads((tmp_path / "gradebook.json").read_text())["rows"][0]["submission"] == name


def test_merge_keeps_integrity_and_says_who_needs_review(tmp_path, capsys):
    for part, rows in (("s1", (_row("ann/hw.ipynb", integrity=FLAG),)),
                       ("s2", (_row("bob/hw.ipynb"),))):
        gradebook.write(tmp_path / part, gradebook.Gradebook(
            rows=rows, class_ids=("ann/hw.ipynb", "bob/hw.ipynb")))
    outcome = merge.merge_gradebooks([tmp_path / "s1", tmp_path / "s2"], out=tmp_path / "m")
    assert outcome.ok and outcome.needs_review == ["ann/hw.ipynb"]
    assert {r.submission: r.integrity for r in gradebook.read(tmp_path / "m").rows} == {
        "ann/hw.ipynb": FLAG, "bob/hw.ipynb": None}
    assert cli.main(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"),
                     "--out", str(tmp_path / "m2")]) == 0
    assert "1 submissions need review" in capsys.readouterr().out


def _result() -> GradeResult:
    return GradeResult(
        exercise="ex", submission="ann/hw.ipynb", score=1.5, max_score=3.0, passed=False,
        checks=[CheckResult(name="grad at the visible point", passed=True, score=1.5,
                            max_score=1.5, expected=6.0, got=6.0, message="Correct."),
                CheckResult(name="grad at hidden point 1", passed=False, score=0.0,
                            max_score=1.5, expected=[1.0, 2.0], got=["nan", "inf"],
                            message="Wrong value.", hint="look at the sign")],
        errors=["one\nline two"], duration_s=1.25,
        cell_errors=[CellError(cell_index=3, tag="answer", ename="ValueError", evalue="bad",
                               traceback="Traceback ...", source="grad = 1")],
        sandbox="bwrap", status="graded", integrity=FLAG)


def test_grade_result_round_trips_through_json():
    result = _result()
    data = json.loads(json.dumps(result.to_json()))
    back = GradeResult.from_json(data)
    assert back.to_json() == result.to_json()
    assert back.checks[1].got == ["nan", "inf"] and back.cell_errors[0].tag == "answer"
    assert back.integrity == FLAG
    assert GradeResult.from_json(dict(data, integrity=None)).integrity is None


def test_integrity_flows_from_the_result_to_the_gradebook(tmp_path):
    import fakes

    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass", integrity=FLAG)
    fakes.write_fake(tmp_path / "class/bob/hw.ipynb", "pass")
    outcome = batch.run_batch([tmp_path / "class"], out=tmp_path / "out", jobs=1,
                              grade=fakes.fake_grade, progress=io.StringIO())
    assert {r.submission: r.integrity for r in outcome.rows} == {
        "ann/hw.ipynb": FLAG, "bob/hw.ipynb": None}
    table = list(csv.DictReader(io.StringIO((tmp_path / "out/gradebook.csv").read_text())))
    assert [r["integrity"] for r in table] == [FLAG, ""]
    report = json.loads((tmp_path / "out/reports/ann/hw.json").read_text())
    assert report["integrity"] == FLAG
    assert [r.integrity for r in batch.load_results(outcome)] == [FLAG, None]


@pytest.mark.parametrize("damage", [
    {"checks": "not a list"}, {"checks": [["a list, not an object"]]},
    {"checks": [{"name": "no score"}]}, {"score": "many"}, {"errors": {"a": 1}},
])
def test_a_damaged_report_is_an_error_not_a_half_result(damage):
    with pytest.raises((ValueError, TypeError)):
        GradeResult.from_json(dict(_result().to_json(), **damage))


def test_load_results_reads_each_rows_report_and_skips_damaged_ones(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ann.json").write_text(json.dumps(_result().to_json()))
    (reports / "bob.json").write_text("[" * 100_000)  # deep: never parsed
    (reports / "cy.json").write_text(json.dumps(dict(_result().to_json(), checks=7)))
    rows = [_row(s, report=f"reports/{s}.html") for s in ("ann", "bob", "cy", "dee")]
    outcome = batch.BatchOutcome(rows=rows, out=tmp_path)
    assert [r.submission for r in batch.load_results(outcome)] == ["ann/hw.ipynb"]


# ----------------------------------------------------------- printed, and escaped

HOSTILE_NAMES = ["x\n::error file=a.py::forged.ipynb", "x\x1b[2J\x1b]0;pwned\x07.ipynb",
                 "::error::forged.ipynb", "x ##[error]forged.ipynb", "=cmd|' /C calc'!A0.ipynb",
                 "x\r::warning::y\u2028z.ipynb"]


def _is_command(line: str) -> bool:
    return line.lstrip().startswith("::") or "##[" in line


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_printable_shows_escapes_and_starts_no_command(name):
    shown = printable(name)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert "\u2028" not in shown and not _is_command(shown)
    assert not any(_is_command(line) for line in printable_lines(f"a\n{name}\nb").split("\n"))


def test_terminal_summary_breaks_version_one_workflow_commands():
    result = GradeResult(exercise="ex", submission="##[error]forged.ipynb", score=0.0,
                         max_score=0.0, passed=False, errors=["##[warning]also forged"],
                         status="failed-to-grade")
    text = terminal_summary(result, color=False)
    assert not any(_is_command(line) for line in text.splitlines())
    assert "##\\[error]forged.ipynb" in text


@pytest.mark.parametrize("in_actions", [False, True])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_check_prints_a_hostile_file_name_escaped(tmp_path, capsys, monkeypatch, name,
                                                  in_actions):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    if in_actions:  # the grader's own annotations are commands; nothing else may be
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    else:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = tmp_path / name.replace("/", "_")
    path.write_text("this is not a notebook {")
    assert cli.main(["check", str(path), "--json", str(tmp_path / "r.json")]) == 2
    out = capsys.readouterr()
    commands = 0
    for line in (out.out + out.err).splitlines():
        if in_actions and line.startswith("::error file=") and "\n" not in line:
            commands += 1
            assert "::forged" not in line.split("::", 2)[1]  # the property part: escaped
            continue
        assert not _is_command(line), line
        assert "\x1b" not in line and "\r" not in line
    assert commands == (1 if in_actions else 0)
    assert any(line.startswith("report: ") and line.endswith(".report.html")
               for line in out.out.splitlines())


def test_a_huge_int_and_nan_decode_to_floats_for_the_check():
    from grader.grading import check

    assert check.decode_value(10**400) == math.inf
    assert check.decode_value([-10**400, 2, "nan"])[0] == -math.inf
    assert check.decode_value(True) is True


def test_a_batch_prints_skipped_folders_escaped(tmp_path):
    import os

    import fakes

    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    os.symlink("ann", tmp_path / "class" / "::error::x\nb")
    stream = io.StringIO()
    batch.run_batch([tmp_path / "class"], out=tmp_path / "out", jobs=1, grade=fakes.fake_grade,
                    progress=stream)
    lines = stream.getvalue().splitlines()
    assert any("not followed" in line for line in lines)
    assert not any(_is_command(line) for line in lines)


def test_a_deeply_nested_notebook_fails_its_row_and_the_class_is_graded(tmp_path):
    import fakes

    fakes.write_fake(tmp_path / "class/ann/hw.ipynb", "pass")
    deep = tmp_path / "class/bob/hw.ipynb"
    deep.parent.mkdir(parents=True)
    deep.write_text('{"metadata": {"grader": {"exercise": "x"}}, "cells": ' + "[" * 200_000)
    outcome = batch.run_batch([tmp_path / "class"], out=tmp_path / "out", jobs=1,
                              progress=io.StringIO())
    rows = {r.submission: r for r in outcome.rows}
    assert rows["bob/hw.ipynb"].status == "failed-to-grade"
    assert "nests 200001 levels deep" in rows["bob/hw.ipynb"].error
    assert Path(tmp_path / "out" / rows["bob/hw.ipynb"].report).is_file()
    assert rows["ann/hw.ipynb"].status == "failed-to-grade"  # fake_ex: no such exercise
    assert "fake_ex" in rows["ann/hw.ipynb"].error
