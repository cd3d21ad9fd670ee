"""``grader serve`` through the ASGI test client: the contract of DESIGN.md ("Contracts
added in the second wave") and issue 15's rules on who may do what."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from serve_helpers import EXERCISE, client, csrf, solution

pytestmark = pytest.mark.slow  # each check runs a real sandboxed kernel


def _check(c, code, exercise=EXERCISE):
    return c.post(f"/api/exercises/{exercise}/check", json={"code": code}, headers=csrf(c))


def test_check_history_upload_and_csrf(options):
    with client(options()) as c:
        assert c.get("/healthz").json()["status"] == "ok"
        assert "csrf_token" in c.cookies
        listed = c.get("/api/exercises").json()["exercises"]
        assert EXERCISE in [e["id"] for e in listed]

        # A POST without the header, or with a forged token, is refused before grading.
        no_token = c.post(f"/api/exercises/{EXERCISE}/check", json={"code": solution()})
        assert no_token.status_code == 403 and "CSRF" in no_token.json()["error"]
        forged = c.post(f"/api/exercises/{EXERCISE}/check", json={"code": solution()},
                        headers={"X-CSRF-Token": "csrf-x.forged"})
        assert forged.status_code == 403
        assert c.get("/api/attempts").json()["attempts"] == []

        passed = _check(c, solution())
        assert passed.status_code == 200, passed.text
        report = passed.json()
        assert report["passed"] is True and report["score"] == report["max_score"] > 0
        for key in ("exercise", "submission", "score", "max_score", "passed", "checks",
                    "errors", "duration_s", "integrity", "attempt_id"):
            assert key in report
        assert set(report["checks"][0]) >= {"name", "passed", "score", "max_score", "expected",
                                            "got", "message", "hint"}

        wrong = _check(c, "grad = 6.0\n").json()
        assert wrong["passed"] is False
        assert any(ch["hint"] for ch in wrong["checks"] if not ch["passed"])

        page = c.get(f"/exercises/{EXERCISE}/notebook")  # GET is not the download
        assert page.status_code == 405
        download = c.post(f"/exercises/{EXERCISE}/notebook",
                          data={"code": solution(), "csrf_token": c.cookies["csrf_token"]})
        assert download.status_code == 200
        nb = json.loads(download.content)
        assert nb["metadata"]["grader"]["exercise"] == EXERCISE
        answer = [cell for cell in nb["cells"] if "answer" in cell["metadata"].get("tags", [])]
        assert answer[0]["source"] == solution()

        uploaded = c.post("/api/check", content=download.content, headers={
            **csrf(c), "Content-Type": "application/x-ipynb+json"})
        assert uploaded.status_code == 200 and uploaded.json()["passed"] is True

        history = c.get("/api/attempts").json()["attempts"]
        assert [a["attempt_id"] for a in history] == [uploaded.json()["attempt_id"],
                                                     wrong["attempt_id"], report["attempt_id"]]
        assert [a["source"] for a in history] == ["upload", "code", "code"]
        one = c.get(f"/api/attempts/{wrong['attempt_id']}").json()
        assert one["code"] == "grad = 6.0\n" and one["report"]["passed"] is False

        html = c.get(report["report_url"])
        assert html.status_code == 200 and "sandbox" in html.headers["content-security-policy"]
        assert "✓" in html.text
        catalog = c.get("/").text
        assert "✓ passed" in catalog


def test_another_browser_sees_none_of_it(options):
    with client(options()) as c:
        first = _check(c, "grad = 6.0\n").json()
        from starlette.testclient import TestClient

        stranger = TestClient(c.app, base_url="http://127.0.0.1")
        assert stranger.get("/api/attempts").json()["attempts"] == []
        assert stranger.get(f"/api/attempts/{first['attempt_id']}").status_code == 404
        assert stranger.get(first["report_url"]).status_code == 404
        # A tampered identity cookie is not anyone's.
        stranger.cookies.set("tapegrader_id", c.cookies["tapegrader_id"][:-3] + "AAA")
        assert stranger.get("/api/attempts").json()["attempts"] == []


def test_limits_rate_queue_and_size(options):
    with client(options(checks_burst=1, checks_every_s=60.0, max_code_bytes=1000)) as c:
        big = _check(c, "x = 1\n" * 400)
        assert big.status_code == 413
        assert _check(c, "grad = 6.0\n").status_code == 200
        limited = _check(c, "grad = 6.0\n")
        assert limited.status_code == 429 and limited.json()["reason"] == "rate-limit"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    with client(options(max_queue=0)) as c:
        full = _check(c, solution())
        assert full.status_code == 429 and full.json()["reason"] == "queue-full"
        assert int(full.headers["Retry-After"]) >= 1
        assert c.get("/api/attempts").json()["attempts"] == []  # refused, so not an attempt


def test_instructor_token_dashboard_and_export(options):
    opts = options()
    with client(opts) as c:
        assert _check(c, "grad = 6.0\n").status_code == 200
        assert _check(c, solution()).status_code == 200
        assert c.get("/instructor").status_code == 403
        assert c.get("/instructor/export.csv").status_code == 403
        assert c.get("/instructor?token=wrong").status_code == 403
        signed = c.get(f"/instructor?token={opts.instructor_token}", follow_redirects=False)
        assert signed.status_code == 303 and "token" not in signed.headers["location"]
        cookie = [v for k, v in signed.headers.multi_items() if k == "set-cookie"
                  and v.startswith("tapegrader_instructor=")][0]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        board = c.get("/instructor")
        assert board.status_code == 200 and "Most common failed checks" in board.text
        rows = list(csv.DictReader(io.StringIO(c.get("/instructor/export.csv").text)))
        assert len(rows) == 1 and rows[0]["exercise"] == EXERCISE
        assert rows[0]["passed"] == "true" and float(rows[0]["score"]) == float(rows[0]["max_score"])
        assert rows[0]["submission"] == f"{rows[0]['student']}/{EXERCISE}"
        latest = list(csv.DictReader(io.StringIO(
            c.get("/instructor/export.csv?which=latest").text)))
        assert latest[0]["passed"] == "true"
        data = c.get("/instructor/export.json").json()
        assert data["tool"] == "tapegrader" and data["rows"][0]["exercise"] == EXERCISE
        from grader.delivery import gradebook

        gradebook.Row.from_json(data["rows"][0], "export")  # the batch gradebook's rows
        # The Bearer form is for scripts.
        from starlette.testclient import TestClient

        script = TestClient(c.app, base_url="http://127.0.0.1")
        assert script.get("/api/gradebook").status_code == 403
        bearer = script.get("/api/gradebook",
                            headers={"Authorization": f"Bearer {opts.instructor_token}"})
        assert bearer.status_code == 200 and len(bearer.json()["rows"]) == 1


def test_roster_sign_in_by_link_and_code(options, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\nalice,Alice Liddell\nbob,Bob <b>bold-from-notebook</b>\n")
    opts = options(roster=roster)
    with client(opts) as c:
        from grader.serve.server import links

        assert c.get("/", follow_redirects=False).status_code == 303
        check = c.post(f"/api/exercises/{EXERCISE}/check", json={"code": "grad = 1.0"},
                       headers=csrf(c))
        assert check.status_code == 401
        found = {s: link for s, _name, link in links(c.app, "http://127.0.0.1")}
        code = found["alice"].rsplit("/", 1)[1]
        page = c.get(f"/signin/{code}")
        assert "Sign in as Alice Liddell" in page.text
        assert c.post("/signin", data={"code": "wrongcode", "csrf_token": c.cookies["csrf_token"]}
                      ).status_code == 403
        no_csrf = c.post("/signin", data={"code": code})
        assert no_csrf.status_code == 403
        ok = c.post("/signin", data={"code": code, "csrf_token": c.cookies["csrf_token"]},
                    follow_redirects=False)
        assert ok.status_code == 303
        attempt = _check(c, "grad = 6.0\n").json()
        assert c.get("/api/attempts").json()["attempts"][0]["attempt_id"] == attempt["attempt_id"]

        from starlette.testclient import TestClient

        bob = TestClient(c.app, base_url="http://127.0.0.1")
        bob.post("/signin", data={"code": found["bob"].rsplit("/", 1)[1],
                                  "csrf_token": csrf(bob)["X-CSRF-Token"]})
        assert bob.get("/api/attempts").json()["attempts"] == []
        assert bob.get(f"/api/attempts/{attempt['attempt_id']}").status_code == 404
        assert "Bob &lt;b&gt;bold-from-notebook&lt;/b&gt;" in bob.get("/").text
        c.get(f"/instructor?token={opts.instructor_token}")
        board = c.get("/instructor").text
        assert "alice" in board and "<b>bold-from-notebook</b>" not in board


def test_hostile_answers_are_held_through_the_web_path(options):
    import adversarial_cases as corpus

    cases = [corpus.CASES_BY_NAME[n] for n in ("html_in_value", "os_exit", "env_secrets")]
    with client(options()) as c:
        for case in cases:
            done = _check(c, case.answer)
            assert done.status_code == 200, (case.name, done.text)
            report = done.json()
            assert report["passed"] is False, case.name
            html = c.get(report["report_url"]).text
            page = c.get(f"/attempts/{report['attempt_id']}").text
            text = json.dumps(report).lower() + html.lower()
            for words in case.words:
                assert any(w in text for w in words), (case.name, words)
            for raw in corpus.UNESCAPED:
                assert raw not in html and raw not in page, (case.name, raw)
            for secret in corpus.SECRETS.values():
                assert secret not in html
        assert c.get("/healthz").json()["status"] == "ok"  # the server still stands
        c.get(f"/instructor?token={c.app.server.options.instructor_token}")
        board = c.get("/instructor").text
        assert "<script>alert(" not in board


def test_attempts_survive_restart_and_kill(options):
    opts = options()
    with client(opts) as c:
        first = _check(c, solution()).json()
        cookies = dict(c.cookies)
    # A kill between recording an attempt and grading it: the row is there, queued.
    from grader.serve.storage import Storage

    store = Storage(opts.db)
    student = store.attempt(first["attempt_id"]).student
    orphan = store.add_attempt(student=student, exercise=EXERCISE, source="code", code="grad=1")
    store.close()

    with client(opts) as again:
        for name, value in cookies.items():
            again.cookies.set(name, value)
        history = again.get("/api/attempts").json()["attempts"]
        assert [a["attempt_id"] for a in history] == [orphan, first["attempt_id"]]
        assert history[1]["passed"] is True
        recovered = again.get(f"/api/attempts/{orphan}").json()
        assert recovered["status"] == "failed-to-grade"
        assert re.search(r"server stopped", recovered["report"]["errors"][0])
        assert again.get(first["report_url"]).status_code == 200
