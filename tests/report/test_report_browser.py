"""The HTML report as a reader sees it, in headless Chromium (Debian's ``chromium``).

``--dump-dom`` gives the page after the browser parsed and laid it out; a small probe
page (test-only, the report itself has no scripts) measures it inside an iframe of a
phone's width. Screenshots are written for a person to look at:
``pytest tests/report -k screenshot --basetemp=/tmp/shots``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest
from report_cases import failing_with_hints, hostile, matrix_answer, raising_cell, training

from grader.delivery import report

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: install Debian's chromium "
                             "(apt-get install chromium; .ci/run does it when it can)")

PNG = b"\x89PNG\r\n\x1a\n"


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Chromium headless, offline and without a profile of its own."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    done = subprocess.run(command, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


def _page(tmp_path, result, name="report.html"):
    [path] = report.write_reports(result, html=tmp_path / name)
    return path


def _visible_text(dom: str) -> str:
    body = re.sub(r"<(style|title|desc)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_reader_sees_score_verdict_hint_and_plot(tmp_path):
    path = _page(tmp_path, failing_with_hints())
    dom = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode()
    text = _visible_text(dom)
    assert "1 / 5.5 points" in text
    assert "✗ Not passed yet: 4 of 5 checks failed." in text
    assert "Hint: The value has the right size but the wrong sign" in text
    assert "hidden point" in text and "Your answer -6.0" in text
    assert re.search(r"<svg[^>]*role=\"img\"", dom) and dom.count('class="tangent-got"') >= 3


def test_reader_sees_the_traceback_without_escape_codes(tmp_path):
    path = _page(tmp_path, raising_cell())
    text = _visible_text(_chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode())
    assert "Cell 4 (your answer cell) raised RuntimeError" in text
    assert "----> 4 dy = tape.gradient(y, x)" in text and "[0;31m" not in text


def test_browser_builds_no_element_from_hostile_text(tmp_path):
    path = _page(tmp_path, hostile())
    dom = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode()
    assert "<script" not in dom and "<textarea" not in dom and "<b>" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "{{ 7*7 }}" in _visible_text(dom)


def _probe(tmp_path, result, width: int, *flags: str) -> dict[str, str]:
    """Lay the report out in an iframe ``width`` px wide; return what the probe measured."""
    page = report.render_html(result)
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(
        f'<!DOCTYPE html><iframe id="f" style="width:{width}px;height:800px;border:0" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe><pre id="out"></pre><script>'
        "document.getElementById('f').onload = function () {"
        " var d = this.contentDocument, w = this.contentWindow;"
        " document.getElementById('out').textContent = JSON.stringify({"
        "  scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth,"
        "  background: w.getComputedStyle(d.body).backgroundColor,"
        "  dark: w.matchMedia('(prefers-color-scheme: dark)').matches}); };"
        "</script>", encoding="utf-8")
    dom = _chromium(tmp_path, "--virtual-time-budget=5000", *flags, "--dump-dom",
                    probe.as_uri()).stdout.decode()
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "the probe did not run"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("make", [failing_with_hints, hostile, matrix_answer, training],
                         ids=["failing", "hostile", "matrix", "training"])
def test_no_horizontal_scroll_on_a_phone(tmp_path, make):
    seen = _probe(tmp_path, make(), 360)
    assert seen["client"] == 360 and seen["scroll"] <= seen["client"], seen


def test_reader_sees_both_grids_and_the_loss_curve(tmp_path):
    dom = _chromium(tmp_path, "--dump-dom", _page(tmp_path, matrix_answer()).as_uri()
                    ).stdout.decode()
    text = _visible_text(dom)
    assert "Expected (3 × 3)" in text and "6 entries differ from the expected matrix" in text
    assert dom.count('<td class="off">') == 6
    dom = _chromium(tmp_path, "--dump-dom", _page(tmp_path, training(), "t.html").as_uri()
                    ).stdout.decode()
    text = _visible_text(dom)
    assert "Your training run" in text and "was not recorded" in text


def test_dark_mode_darkens_the_page(tmp_path):
    light = _probe(tmp_path, failing_with_hints(), 800)
    dark = _probe(tmp_path, failing_with_hints(), 800, "--force-dark-mode")
    assert light["background"] == "rgb(255, 255, 255)" and not light["dark"]
    assert dark["dark"] and dark["background"] == "rgb(20, 23, 28)", dark


def test_screenshots_at_phone_and_desktop_width(tmp_path):
    path = _page(tmp_path, failing_with_hints())
    phone, desktop = tmp_path / "phone.png", tmp_path / "desktop-dark.png"
    _chromium(tmp_path, "--window-size=390,844", f"--screenshot={phone}", path.as_uri())
    _chromium(tmp_path, "--window-size=1280,900", "--force-dark-mode",
              f"--screenshot={desktop}", path.as_uri())
    for shot, width in ((phone, 390), (desktop, 1280)):
        data = shot.read_bytes()
        assert data.startswith(PNG) and int.from_bytes(data[16:20], "big") == width
        assert len(data) > 20_000, f"{shot} looks blank"
