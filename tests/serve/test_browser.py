"""``grader serve`` in real headless Chromium, driven by Playwright: what a student and
an instructor do with the pages (issue 15). Playwright's own browser download is not
reachable here, so Debian's ``chromium`` is launched through ``executable_path``.

The server is the real command (``python -m grader serve``) on a free loopback port,
stopped at the end of the module.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from serve_helpers import EXERCISE

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium "
                             "(apt-get install chromium; .ci/run does it when it can)")]
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "serve", "--port", str(port), "--jobs", "1",
         "--db", str(folder / "db.sqlite3"), "--timeout", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=folder,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    token, lines = None, []
    deadline = time.monotonic() + 60
    while token is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        found = re.search(r"instructor\?token=(\S+)", line)
        token = found.group(1) if found else None
        if not line and proc.poll() is not None:
            break
    assert token, "".join(lines)
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    yield {"base": base, "token": token}
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def _type_solution(page) -> None:
    """Typed key by key: the editor's auto-indent and Shift-Tab do the indentation."""
    editor = page.locator("#code")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("x = tf.Variable(x0)")
    page.keyboard.press("Enter")
    page.keyboard.type("with tf.GradientTape() as tape:")
    page.keyboard.press("Enter")
    page.keyboard.type("y = x**2 + 2 * x - 1")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("grad = tape.gradient(y, x)")


def _report_text(page) -> str:
    frame = page.frame_locator("#report")
    frame.locator("body").wait_for(timeout=60_000)
    return frame.locator("body").inner_text()


def test_type_answer_ctrl_enter_passing_report(server, browser):
    page = browser.new_page()
    page.goto(server["base"] + "/")
    page.get_by_role("link", name=re.compile("quadratic", re.I)).click()
    assert page.locator(".statement math").count() >= 1  # the formula, as MathML
    _type_solution(page)
    assert page.locator("#code").input_value() == (
        "x = tf.Variable(x0)\nwith tf.GradientTape() as tape:\n    y = x**2 + 2 * x - 1\n"
        "grad = tape.gradient(y, x)")
    assert page.locator("#code-highlight .t-k").first.inner_text() == "with"
    page.keyboard.press("Control+Enter")
    summary = page.locator("#summary")
    summary.wait_for(state="visible", timeout=90_000)
    assert summary.inner_text().startswith("✓ Passed")
    assert "points" in _report_text(page)
    assert page.locator("#history li").count() == 1
    page.close()


def test_wrong_answer_shows_hint(server, browser):
    page = browser.new_page()
    page.goto(f"{server['base']}/exercises/{EXERCISE}")
    page.locator("#code").fill("grad = 6.0\n")
    page.get_by_role("button", name="Check").click()
    page.locator("#summary").wait_for(state="visible", timeout=90_000)
    text = page.locator("#summary").inner_text()
    assert text.startswith("✗") and "Hint:" in text
    assert "Hint" in _report_text(page)
    page.close()


def test_instructor_gradebook_updates(server, browser):
    teacher = browser.new_context()
    board = teacher.new_page()
    board.goto(f"{server['base']}/instructor?token={server['token']}")
    assert board.get_by_role("heading", name="Gradebook").is_visible()
    rows = board.locator("#gradebook tbody tr[data-student]")
    before = rows.count()

    student = browser.new_context().new_page()
    student.goto(f"{server['base']}/exercises/{EXERCISE}")
    student.locator("#code").fill("grad = 5.0\n")
    student.get_by_role("button", name="Check").click()
    student.locator("#summary").wait_for(state="visible", timeout=90_000)
    # The board was not reloaded: its script swaps the table in.
    # (wait_for_function would evaluate a string: the page's CSP forbids that, rightly)
    sync_api.expect(rows).to_have_count(before + 1, timeout=15_000)
    assert "1×" in rows.last.locator(f"td[data-exercise='{EXERCISE}']").inner_text()
    assert board.url.endswith("/instructor")
    teacher.close()


def test_phone_width(server, browser):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    page = phone.new_page()
    page.goto(f"{server['base']}/exercises/{EXERCISE}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    for selector in ("#code", "#check", ".statement h1"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, selector
    # One column: the editor comes below the statement.
    assert page.locator("#code").bounding_box()["y"] > page.locator(".statement").bounding_box()["y"]
    phone.close()


def test_keyboard_only(server, browser):
    page = browser.new_page()
    page.goto(f"{server['base']}/exercises/{EXERCISE}")
    for _ in range(40):  # Tab through the page until the editor has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "code":
            break
    assert page.evaluate("document.activeElement.id") == "code"
    page.keyboard.press("Control+A")
    page.keyboard.type("grad = 2.0")
    page.keyboard.press("Tab")  # Tab indents inside the editor ...
    assert page.evaluate("document.activeElement.id") == "code"
    assert page.locator("#code").input_value() == "grad = 2.0    "
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # ... and Esc, Tab leaves it
    assert page.evaluate("document.activeElement.id") == "check"
    page.keyboard.press("Enter")
    page.locator("#summary").wait_for(state="visible", timeout=90_000)
    assert page.evaluate("document.activeElement.id") == "result-heading"
    assert page.locator("#summary").inner_text().startswith("✗")
    page.close()
