"""Who is asking: signed cookies, the roster's personal codes, the instructor token,
CSRF tokens and per-student rate limits.

Cookies carry ``payload.signature`` where the signature is HMAC-SHA256 under a secret
kept in the database (so sessions survive a restart). Identity cookies are HttpOnly
and SameSite=Lax: scripts cannot read them and other sites cannot ride them on a POST.

CSRF follows the double-submit convention of DESIGN.md, signed: the ``csrf_token``
cookie is a random value with its HMAC, readable by the page's script, and every POST
must send it back (``X-CSRF-Token`` header, or a ``csrf_token`` form field). Another
site can make the browser send the cookie but can neither read it nor forge a valid
one, so it cannot produce the header.

In roster mode each student has a personal code derived from the secret and their id
(stable across restarts, so links handed out once keep working). The instructor token
is new at every start and printed, as Jupyter prints its token; an instructor session
is bound to it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

IDENTITY_COOKIE = "tapegrader_id"
INSTRUCTOR_COOKIE = "tapegrader_instructor"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CODE_LETTERS = 10  # base32 letters of a personal code: 50 bits


class Signer:
    def __init__(self, secret: str):
        self._key = secret.encode("utf-8")

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode("ascii")

    def sign(self, payload: str) -> str:
        return f"{payload}.{self._mac(payload)}"

    def unsign(self, value: str | None) -> str | None:
        """The payload if ``value`` carries our signature, else None."""
        if not value or "." not in value or len(value) > 512:
            return None
        payload, _, mac = value.rpartition(".")
        return payload if hmac.compare_digest(mac, self._mac(payload)) else None

    def code_for(self, student: str) -> str:
        """A roster student's personal sign-in code."""
        digest = hmac.new(self._key, b"code:" + student.encode("utf-8"), hashlib.sha256).digest()
        return base64.b32encode(digest).decode("ascii")[:_CODE_LETTERS].lower()

    # CSRF ------------------------------------------------------------------

    def new_csrf(self) -> str:
        return self.sign("csrf-" + secrets.token_urlsafe(18))

    def csrf_ok(self, cookie: str | None, sent: str | None) -> bool:
        return bool(cookie and sent and hmac.compare_digest(cookie, sent)
                    and (self.unsign(cookie) or "").startswith("csrf-"))


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def read_roster(path: str | Path) -> list[Student]:
    """A CSV with a ``student`` column (or ``submission``, as ``grader export``'s roster
    names each student's folder) and optionally ``name``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise UsageError(f"cannot read the roster: {err.strerror}", path=str(path)) from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    key = next((k for k in ("student", "submission", "id") if k in fields), None)
    if key is None:
        raise UsageError("the roster has no `student` column", path=str(path),
                         fix="make the first line `student,name` and one student per line")
    students, seen = [], set()
    for line, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        sid = row.get(key, "")
        if not sid:
            continue
        if len(sid) > 200 or any(c in sid for c in "/\\\n\r\t"):
            raise UsageError(f"line {line}: the student id {sid[:40]!r} has a slash or a "
                             "control character, or is over 200 characters", path=str(path))
        if sid in seen:
            raise UsageError(f"line {line}: student {sid!r} is listed twice", path=str(path))
        seen.add(sid)
        students.append(Student(sid, row.get("name", "")[:200]))
    if not students:
        raise UsageError("the roster lists no student", path=str(path))
    return students


class RateLimiter:
    """A token bucket per key: ``burst`` actions at once, then one per ``per_s`` seconds."""

    def __init__(self, burst: int, per_s: float, clock=time.monotonic):
        self.burst, self.per_s, self.clock = burst, per_s, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 when allowed (one token spent), else the seconds until the next token."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) / self.per_s)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) * self.per_s
