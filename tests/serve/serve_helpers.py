"""Helpers the serve tests share (a module of its own: ``conftest`` is a name every
test folder has)."""

from __future__ import annotations

import sys
from pathlib import Path

from grader import resources

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adversarial"))

EXERCISE = "quadratic_derivative"


def solution() -> str:
    return (resources.solutions_dir() / f"{EXERCISE}.py").read_text(encoding="utf-8")


def client(options):
    """A test client whose lifespan (the pool) runs inside ``with``."""
    from starlette.testclient import TestClient

    from grader.serve.app import create_app

    return TestClient(create_app(options), base_url="http://127.0.0.1")


def csrf(c) -> dict[str, str]:
    if "csrf_token" not in c.cookies:
        c.get("/healthz")
    return {"X-CSRF-Token": c.cookies["csrf_token"]}
