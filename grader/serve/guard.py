"""The ASGI layer every request passes first: identity and CSRF cookies, the CSRF
check on every POST, a cap on request bodies, and security headers.

Being one middleware in front of every route, no route can forget any of them. A POST
is refused with 403 unless it carries the ``csrf_token`` cookie's value back, in the
``X-CSRF-Token`` header (the API, the page's script) or, for a plain HTML form, in a
``csrf_token`` field: the form body is read here (up to the cap) and replayed to the
route unchanged.
"""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from grader.serve.auth import CSRF_COOKIE, CSRF_HEADER, IDENTITY_COOKIE, Signer

_PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
             "form-action 'self'; base-uri 'none'; object-src 'none'")
_YEAR = 365 * 24 * 3600


def _cookies(scope: dict) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is ignored, not fatal
                continue
    return {k: m.value for k, m in jar.items()}


def _header(scope: dict, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def cookie_header(name: str, value: str, *, http_only: bool, secure: bool,
                  same_site: str = "Lax", max_age: int = _YEAR) -> bytes:
    parts = [f"{name}={value}", "Path=/", f"Max-Age={max_age}", f"SameSite={same_site}"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class Guard:
    def __init__(self, app: Any, *, signer: Signer, practice: bool, body_limit: int):
        self.app, self.signer, self.practice, self.body_limit = app, signer, practice, body_limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        secure = scope.get("scheme") == "https"
        set_cookies: list[bytes] = []
        csrf = cookies.get(CSRF_COOKIE)
        if not self.signer.csrf_ok(csrf, csrf):
            csrf = self.signer.new_csrf()
            set_cookies.append(cookie_header(CSRF_COOKIE, csrf, http_only=False, secure=secure,
                                             same_site="Strict"))
        identity = self.signer.unsign(cookies.get(IDENTITY_COOKIE))
        if identity is None and self.practice:
            identity = "anon-" + secrets.token_hex(6)
            set_cookies.append(cookie_header(IDENTITY_COOKIE, self.signer.sign(identity),
                                             http_only=True, secure=secure))
        state = scope.setdefault("state", {})
        state.update(identity=identity, csrf=csrf, cookies=cookies, secure=secure)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {n.lower() for n, _ in headers}
                headers += [(b"set-cookie", c) for c in set_cookies]
                defaults = [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"),
                            (b"cache-control", b"no-store"),
                            (b"content-security-policy", _PAGE_CSP.encode()),
                            (b"x-frame-options", b"DENY")]
                headers += [(n, v) for n, v in defaults if n not in names]
                message = dict(message, headers=headers)
            await send(message)

        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            body = await self._body(scope, receive)
            if body is None:
                await self._refuse(send_with_headers, 413, "the request is too large")
                return
            sent = _header(scope, CSRF_HEADER.encode())
            kind = (_header(scope, b"content-type") or "").split(";")[0].strip()
            if sent is None and kind == "application/x-www-form-urlencoded":
                sent = (parse_qs(body.decode("utf-8", "replace")).get("csrf_token") or [None])[0]
            if not self.signer.csrf_ok(cookies.get(CSRF_COOKIE), sent):
                await self._refuse(send_with_headers, 403,
                                   "missing or wrong CSRF token: send the csrf_token cookie's "
                                   "value back in an X-CSRF-Token header")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_headers)

    async def _body(self, scope: dict, receive: Any) -> bytes | None:
        """The whole body, or None past the cap (read no further than the cap)."""
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.body_limit:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.body_limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _refuse(self, send: Any, status: int, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, original: Any) -> Any:
    """A ``receive`` that gives the route the body read here, then the real stream
    (which only has the disconnect left)."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
