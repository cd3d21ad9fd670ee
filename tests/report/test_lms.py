"""LMS grade files: golden Canvas and Moodle imports from a roster with a missing and an
unknown student, and the listing that keeps anyone from being dropped silently."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from grader.delivery import gradebook, lms
from grader.delivery.gradebook import Gradebook, Row
from grader.errors import GraderError

# alice and bob submitted; carol is on the roster without a submission (missing);
# mallory submitted without being on the roster (unknown); dave could not be graded.
ROSTER = """\ufeffsubmission,Student,ID,SIS User ID,SIS Login ID,Section,Email address,ID number
alice,"Liddell, Alice",1001,S1001,alice,Section A,alice@uni.example,A-1
bob,"Builder, Bob",1002,S1002,bob,Section B,bob@uni.example,B-2
carol,"Danvers, Carol",1003,S1003,carol,Section A,carol@uni.example,C-3
dave,"Bowman, Dave",1004,S1004,dave,Section B,dave@uni.example,D-4
"""


def _row(student: str, exercise: str, score: float, status: str = "graded") -> Row:
    return Row(student=student, submission=f"{student}/{exercise}.ipynb", exercise=exercise,
               score=score, max_score=5.5, status=status, passed=score == 5.5, duration_s=1.0)


BOOK = Gradebook(rows=(_row("alice", "quadratic_derivative", 5.5),
                       _row("bob", "quadratic_derivative", 2.5),
                       _row("dave", "quadratic_derivative", 0.0, "failed-to-grade"),
                       _row("mallory", "quadratic_derivative", 5.5)),
                 class_ids=("alice", "bob", "dave", "mallory"))


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return lms.read_roster(path)


def test_canvas_golden(roster, golden):
    out = lms.export(BOOK, roster, format="canvas", assignment="Homework 1 (4242)")
    golden("lms.canvas.csv", out.text)


def test_moodle_golden(roster, golden):
    out = lms.export(BOOK, roster, format="moodle", assignment="Homework 1")
    golden("lms.moodle.csv", out.text)


def test_plain_csv_golden(roster, golden):
    golden("lms.plain.csv", lms.export(BOOK, roster, format="csv").text)


def test_canvas_file_is_what_canvas_importer_reads(roster):
    rows = list(csv.reader(io.StringIO(lms.export(BOOK, roster, format="canvas").text)))
    # Canvas: row[0] =~ /Student/, row[1] =~ /ID/, SIS User ID, SIS Login ID, then Section
    # as the last student column; a "Points Possible" row; one row per student.
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5] == "quadratic_derivative"  # the default title
    assert rows[1][0] == "Points Possible" and rows[1][5] == "5.5"
    by_id = {r[1]: r[5] for r in rows[2:]}
    assert by_id == {"1001": "5.5", "1002": "2.5", "1003": "", "1004": "0"}


def test_missing_unknown_and_ungraded_are_listed(roster):
    out = lms.export(BOOK, roster, format="canvas")
    assert out.missing == ["carol"]
    assert out.unknown == ["mallory/quadratic_derivative.ipynb"]
    assert out.not_graded == ["dave/quadratic_derivative.ipynb"]
    assert not out.ok
    text = "\n".join(out.problems())
    assert "carol" in text and "mallory" in text and "dave" in text
    assert "mallory" not in out.text  # nobody on the roster to give the grade to


def test_moodle_needs_an_identity_for_every_row_it_writes(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("submission,email,name\nalice,alice@uni.example,Alice\nbob,,Bob\n")
    out = lms.export(BOOK, lms.read_roster(path), format="moodle")
    rows = list(csv.reader(io.StringIO(out.text)))
    assert rows[0] == ["Email address", "Full name", "quadratic_derivative"]
    assert [r[0] for r in rows[1:]] == ["alice@uni.example"]  # a blank one aborts Moodle
    assert out.unidentified and "bob" in out.unidentified[0]


def test_moodle_falls_back_to_id_number_and_marks_no_grade(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("submission,ID number\nalice,A-1\ncarol,C-3\n")
    rows = list(csv.reader(io.StringIO(
        lms.export(BOOK, lms.read_roster(path), format="moodle").text)))
    assert rows == [["ID number", "Full name", "quadratic_derivative"],
                    ["A-1", "", "5.5"], ["C-3", "", "-"]]


def test_several_exercises_add_up_to_one_total(tmp_path):
    book = Gradebook(rows=(_row("alice", "a", 5.5), _row("alice", "b", 2.0),
                           _row("bob", "a", 1.0)), class_ids=())
    path = tmp_path / "roster.csv"
    path.write_text("submission,ID\nalice,1\nbob,2\n")
    rows = list(csv.reader(io.StringIO(
        lms.export(book, lms.read_roster(path), format="canvas").text)))
    assert rows[0][5] == "tapegrader" and rows[1][5] == "11"
    assert [r[5] for r in rows[2:]] == ["7.5", "1"]


@pytest.mark.parametrize("text, needle", [
    ("name,email\nAlice,a@x\n", "no submission column"),
    ("submission,email\nalice,a\nalice,b\n", "on the roster twice"),
    ("submission,email\n,a@x\n", "no submission"),
])
def test_roster_errors_say_where_and_how_to_fix(tmp_path, text, needle):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(GraderError, match=needle) as err:
        lms.read_roster(path)
    assert str(path) in str(err.value) and "fix:" in str(err.value)


def test_grader_export_command_writes_the_file_and_lists_problems(tmp_path):
    folder = tmp_path / "graded"
    gradebook.write(folder, BOOK)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "grader", "export", str(folder), "--format",
                          "canvas", "--roster", str(tmp_path / "roster.csv")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1  # something needs the instructor's eye
    assert "missing: carol" in run.stderr and "unknown: mallory" in run.stderr
    written = (folder / "canvas.csv").read_text()
    assert written.startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
    assert "4 students in" in run.stdout
