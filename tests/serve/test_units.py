"""The serve modules that need no kernel: signing, CSRF, roster, rate limits, the
statement's Markdown and math, the shipped assets, the gradebook's best attempt."""

from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.serve import auth, course, dashboard, pages
from grader.serve.storage import Attempt, Storage


def test_signatures_csrf_and_codes():
    signer = auth.Signer("k1")
    assert signer.unsign(signer.sign("anon-1")) == "anon-1"
    assert signer.unsign(signer.sign("anon-1")[:-2] + "xx") is None
    assert auth.Signer("k2").unsign(signer.sign("anon-1")) is None
    token = signer.new_csrf()
    assert signer.csrf_ok(token, token)
    assert not signer.csrf_ok(token, signer.new_csrf())
    assert not signer.csrf_ok("csrf-abc.def", "csrf-abc.def")  # not signed by us
    assert signer.code_for("alice") == signer.code_for("alice") != signer.code_for("bob")
    assert len(signer.code_for("alice")) == 10


def test_roster_errors_name_the_fix(tmp_path):
    good = tmp_path / "r.csv"
    good.write_text("Student,Name\nalice,Alice\n\nbob,\n")
    assert [s.id for s in auth.read_roster(good)] == ["alice", "bob"]
    bad = tmp_path / "bad.csv"
    bad.write_text("email\nx@y\n")
    with pytest.raises(UsageError, match="student"):
        auth.read_roster(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("student\nalice\nalice\n")
    with pytest.raises(UsageError, match="twice"):
        auth.read_roster(twice)
    slash = tmp_path / "slash.csv"
    slash.write_text("student\n../etc\n")
    with pytest.raises(UsageError, match="slash"):
        auth.read_roster(slash)


def test_rate_limiter_refills():
    now = [0.0]
    limit = auth.RateLimiter(burst=2, per_s=3.0, clock=lambda: now[0])
    assert limit.take("a") == 0 and limit.take("a") == 0
    assert limit.take("a") == pytest.approx(3.0)
    assert limit.take("b") == 0  # per student
    now[0] = 3.0
    assert limit.take("a") == 0


def test_markdown_escapes_html_and_renders_math():
    html = course.markdown_html("Hi <script>alert(1)</script> $x^2$\n\n$$\\frac{a}{b}$$")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<math") == 2 and "<mfrac>" in html


def test_static_assets_ship_and_stay_in_their_folder():
    body, kind = pages.static_file("editor.js")
    assert b"editor-run" in body and kind.startswith("text/javascript")
    assert pages.static_file("../serve/base.html.j2") is None
    assert pages.static_file("exercise.html.j2") is None


def _attempt(i, score, passed=False):
    return Attempt(id=i, student="s", exercise="e", source="code", code="", status="graded",
                   score=score, max_score=2.0, passed=passed, created=i, finished=i, report={})


def test_gradebook_keeps_best_and_latest():
    book = dashboard.build([_attempt(1, 1.0), _attempt(2, 2.0, True), _attempt(3, 0.0)],
                           students=[{"id": "s"}], exercises=["e"])
    cell = book.cell("s", "e")
    assert (cell.best.id, cell.latest.id, cell.attempts) == (2, 3, 3)
    [best] = dashboard.rows(book, "best")
    assert best.submission == "s/e" and best.passed


def test_storage_migrates_once_and_keeps_the_secret(tmp_path):
    store = Storage(tmp_path / "db.sqlite3")
    secret = store.secret("cookie-secret")
    store.close()
    again = Storage(tmp_path / "db.sqlite3")
    assert again.secret("cookie-secret") == secret
    assert again.migrate() == 1
    assert again._all("PRAGMA journal_mode")[0][0] == "wal"
