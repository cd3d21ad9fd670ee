"""``grader --version`` prints the installed version, the one pyproject.toml declares."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grader

ROOT = Path(__file__).resolve().parents[2]


def test_version_flag_prints_the_package_version():
    run = subprocess.run([sys.executable, "-m", "grader", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0
    assert run.stdout.strip() == f"grader {grader.__version__}"


def test_package_version_is_pyprojects():
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared and declared.group(1) == grader.__version__
