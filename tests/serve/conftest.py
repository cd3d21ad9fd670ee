"""Apps for the serve tests: a fresh SQLite file per test, one grading worker (the
machine has 2 shared cores), short time limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grader import resources

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adversarial"))

EXERCISE = "quadratic_derivative"


def solution() -> str:
    return (resources.solutions_dir() / f"{EXERCISE}.py").read_text(encoding="utf-8")


@pytest.fixture
def options(tmp_path):
    from grader.serve.app import ServeOptions

    def make(**overrides):
        values = dict(exercises_dir=resources.exercises_dir(), db=tmp_path / "serve.sqlite3",
                      jobs=1, cell_timeout=4.0, total_timeout=15.0, shutdown_grace_s=5.0)
        values.update(overrides)
        return ServeOptions(**values)

    return make


def client(options):
    """A test client whose lifespan (the pool) runs inside ``with``."""
    from starlette.testclient import TestClient

    from grader.serve.app import create_app

    return TestClient(create_app(options), base_url="http://127.0.0.1")


def csrf(c) -> dict[str, str]:
    if "csrf_token" not in c.cookies:
        c.get("/healthz")
    return {"X-CSRF-Token": c.cookies["csrf_token"]}
