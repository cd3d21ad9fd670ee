"""Every attempt, kept: SQLite in WAL mode, created and migrated when the server starts.

Why SQLite: one file beside the course, no server to run, and with WAL a reader (the
instructor's gradebook) never waits for a writer (an attempt being recorded). An
attempt is written *before* it is graded (status ``queued``) and updated when its
report exists, each in its own transaction: a server killed at any moment leaves
every accepted attempt on disk, and the next start (``recover``) gives the ones that
were still queued or running a report saying they were not graded, instead of losing
them. ``synchronous=NORMAL`` in WAL mode keeps every committed transaction through a
crash of the process (only a power loss may drop the last ones).

Migrations are a list of SQL scripts; ``PRAGMA user_version`` records how many ran.
A new column is a new entry at the end, never an edit of an old one.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE students (
        id TEXT PRIMARY KEY,            -- roster id, or "anon-..." in practice mode
        name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,             -- "roster" | "anonymous"
        created REAL NOT NULL
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        student TEXT NOT NULL REFERENCES students(id),
        exercise TEXT NOT NULL,
        source TEXT NOT NULL,           -- "code" | "upload"
        code TEXT NOT NULL,             -- the answer cell (the whole notebook for uploads)
        status TEXT NOT NULL,           -- queued | running | graded | failed-to-grade | timed-out
        score REAL, max_score REAL, passed INTEGER,
        report_json TEXT,               -- the JSON report of the check contract
        report_html BLOB,               -- the HTML report, zlib-compressed
        created REAL NOT NULL,
        finished REAL
    );
    CREATE INDEX attempts_by_student ON attempts(student, exercise, id);
    CREATE INDEX attempts_by_exercise ON attempts(exercise, id);
    """,
)

# Attempt states before a report exists.
PENDING = ("queued", "running")


@dataclass(frozen=True)
class Attempt:
    id: int
    student: str
    exercise: str
    source: str
    code: str
    status: str
    score: float | None
    max_score: float | None
    passed: bool
    created: float
    finished: float | None
    report: dict[str, Any] | None

    def summary(self) -> dict[str, Any]:
        """What ``GET /api/attempts`` lists (the report itself is one more request)."""
        return {"attempt_id": self.id, "exercise": self.exercise, "source": self.source,
                "status": self.status, "score": self.score, "max_score": self.max_score,
                "passed": self.passed, "created": self.created, "finished": self.finished}


def _attempt(row: sqlite3.Row) -> Attempt:
    report = json.loads(row["report_json"]) if row["report_json"] else None
    return Attempt(id=row["id"], student=row["student"], exercise=row["exercise"],
                   source=row["source"], code=row["code"], status=row["status"],
                   score=row["score"], max_score=row["max_score"], passed=bool(row["passed"]),
                   created=row["created"], finished=row["finished"], report=report)


_COLUMNS = ("id, student, exercise, source, code, status, score, max_score, passed, "
            "report_json, created, finished")


class Storage:
    """One connection shared by the event loop and the grading threads, behind a lock.

    Each call is one short transaction (milliseconds); the lock keeps sqlite3's
    connection from being used by two threads at once.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False,
                                   isolation_level=None, timeout=30.0)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    # ------------------------------------------------------------------ plumbing

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def migrate(self) -> int:
        """Run the migrations this file has not seen yet; returns the schema version."""
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
            return len(MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ settings

    def secret(self, name: str) -> str:
        """A random secret made once and kept, so signed cookies survive restarts."""
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key=?", (name,)).fetchone()
            if row:
                return row[0]
            value = secrets.token_urlsafe(32)
            self._db.execute("INSERT INTO settings(key, value) VALUES (?, ?)", (name, value))
            return value

    # ------------------------------------------------------------------ students

    def ensure_student(self, student: str, *, kind: str, name: str = "") -> None:
        self._run("INSERT INTO students(id, name, kind, created) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(id) DO UPDATE SET name=CASE WHEN excluded.name != '' "
                  "THEN excluded.name ELSE students.name END",
                  (student, name, kind, time.time()))

    def students(self) -> list[dict[str, str]]:
        return [dict(r) for r in self._all("SELECT id, name, kind FROM students ORDER BY id")]

    # ------------------------------------------------------------------ attempts

    def add_attempt(self, *, student: str, exercise: str, source: str, code: str) -> int:
        """Record an accepted attempt before grading starts (see the module docstring)."""
        cursor = self._run(
            "INSERT INTO attempts(student, exercise, source, code, status, created) "
            "VALUES (?, ?, ?, ?, 'queued', ?)", (student, exercise, source, code, time.time()))
        return int(cursor.lastrowid)

    def mark_running(self, attempt_id: int) -> None:
        self._run("UPDATE attempts SET status='running' WHERE id=? AND status='queued'",
                  (attempt_id,))

    def finish(self, attempt_id: int, report: dict[str, Any], html: str) -> None:
        """Store the report; an attempt that already has one keeps it (first write wins)."""
        self._run(
            "UPDATE attempts SET status=?, score=?, max_score=?, passed=?, report_json=?, "
            "report_html=?, finished=? WHERE id=? AND status IN ('queued', 'running')",
            (str(report.get("status") or "graded"), float(report.get("score") or 0.0),
             float(report.get("max_score") or 0.0), int(bool(report.get("passed"))),
             json.dumps(report, ensure_ascii=False, allow_nan=False),
             zlib.compress(html.encode("utf-8"), 6), time.time(), attempt_id))

    def discard(self, attempt_id: int) -> None:
        """Forget an attempt the queue refused (429): it was never accepted."""
        self._run("DELETE FROM attempts WHERE id=? AND status='queued'", (attempt_id,))

    def pending_of(self, student: str) -> list[int]:
        return [r[0] for r in self._all(
            "SELECT id FROM attempts WHERE student=? AND status IN ('queued', 'running') "
            "ORDER BY id", (student,))]

    def attempts_finished_of(self, student: str) -> list[Attempt]:
        """A student's attempts that have a report, oldest first."""
        return [_attempt(r) for r in self._all(
            f"SELECT {_COLUMNS} FROM attempts WHERE student=? AND status NOT IN "
            "('queued', 'running') ORDER BY id", (student,))]

    def pending(self) -> list[int]:
        return [r[0] for r in self._all(
            "SELECT id FROM attempts WHERE status IN ('queued', 'running') ORDER BY id")]

    def attempt(self, attempt_id: int) -> Attempt | None:
        rows = self._all(f"SELECT {_COLUMNS} FROM attempts WHERE id=?", (attempt_id,))
        return _attempt(rows[0]) if rows else None

    def report_html(self, attempt_id: int) -> str | None:
        rows = self._all("SELECT report_html FROM attempts WHERE id=?", (attempt_id,))
        if not rows or rows[0][0] is None:
            return None
        return zlib.decompress(rows[0][0]).decode("utf-8")

    def attempts(self, *, student: str | None = None, exercise: str | None = None,
                 limit: int = 1000) -> list[Attempt]:
        """Newest first."""
        where, args = [], []
        if student is not None:
            where.append("student=?")
            args.append(student)
        if exercise is not None:
            where.append("exercise=?")
            args.append(exercise)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return [_attempt(r) for r in self._all(
            f"SELECT {_COLUMNS} FROM attempts {clause} ORDER BY id DESC LIMIT ?",
            (*args, limit))]

    def iter_finished(self) -> Iterator[Attempt]:
        """Every attempt with a report, oldest first (the gradebook is built from them)."""
        for row in self._all(f"SELECT {_COLUMNS} FROM attempts WHERE status NOT IN "
                             "('queued', 'running') ORDER BY id"):
            yield _attempt(row)

    def count(self) -> int:
        return int(self._all("SELECT COUNT(*) FROM attempts")[0][0])
