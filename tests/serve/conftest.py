"""The ``options`` fixture of the serve tests: a fresh SQLite file per test, one grading
worker (the machine has 2 shared cores), short time limits."""

from __future__ import annotations

import pytest

from grader import resources


@pytest.fixture
def options(tmp_path):
    from grader.serve.app import ServeOptions

    def make(**overrides):
        values = dict(exercises_dir=resources.exercises_dir(), db=tmp_path / "serve.sqlite3",
                      jobs=1, cell_timeout=4.0, total_timeout=15.0, shutdown_grace_s=5.0)
        values.update(overrides)
        return ServeOptions(**values)

    return make
