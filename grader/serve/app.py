"""The ``grader serve`` web application: pages, the JSON API, and their wiring.

Routes only translate HTTP to the modules beside this one: ``course`` (what is
offered), ``storage`` (every attempt), ``pool`` (grading), ``auth`` and ``guard`` (who
may do what), ``dashboard`` (the instructor's view), ``pages`` (templates). The API is
DESIGN.md's "grader serve" contract:

- ``GET /healthz``; ``GET /api/exercises``; ``GET /api/attempts`` (the caller's own);
- ``POST /api/exercises/{id}/check`` with ``{"code": ...}``: the JSON report plus
  ``attempt_id``; ``POST /api/check``: a notebook (the .ipynb bytes as the body);
- every POST sends the ``csrf_token`` cookie back as ``X-CSRF-Token`` (``guard``).
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from grader.serve import auth, dashboard, pages
from grader.serve.course import Course
from grader.serve.guard import Guard, cookie_header
from grader.serve.pool import Closed, Pool, QueueFull
from grader.serve.storage import Storage
from grader.serve.worker import Job, Settings, not_graded

RECOVERED = ("the server stopped (or was killed) before this attempt was graded: "
             "check it again")
# The HTML report is the report package's page: no scripts; styles inline.
_REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "frame-ancestors 'self'; sandbox allow-same-origin")


@dataclass
class ServeOptions:
    exercises_dir: Path
    db: Path
    roster: Path | None = None
    jobs: int = 2
    sandbox: str = "auto"
    cell_timeout: float = 10.0
    total_timeout: float = 30.0
    max_queue: int = 100  # attempts waiting at once before 429
    max_code_bytes: int = 64 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024
    checks_burst: int = 6  # checks a student may send at once ...
    checks_every_s: float = 3.0  # ... then one per this many seconds
    signin_burst: int = 10
    signin_every_s: float = 6.0
    instructor_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    kernels_ahead: bool = True
    shutdown_grace_s: float = 30.0


class Server:
    """The state the routes share (one per process)."""

    def __init__(self, options: ServeOptions):
        self.options = options
        self.course = Course(options.exercises_dir)
        self.storage = Storage(options.db)
        self.signer = auth.Signer(self.storage.secret("cookie-secret"))
        self.roster = ({s.id: s for s in auth.read_roster(options.roster)}
                       if options.roster else None)
        self.codes = ({self.signer.code_for(s): s for s in self.roster}
                      if self.roster is not None else {})
        self.check_limit = auth.RateLimiter(options.checks_burst, options.checks_every_s)
        self.signin_limit = auth.RateLimiter(options.signin_burst, options.signin_every_s)
        self.pool = Pool(Settings(exercises_dir=str(options.exercises_dir),
                                  sandbox=options.sandbox, cell_timeout=options.cell_timeout,
                                  total_timeout=options.total_timeout,
                                  ahead=options.kernels_ahead),
                         jobs=options.jobs, max_queue=options.max_queue,
                         on_start=self.storage.mark_running, on_done=self.storage.finish)

    @property
    def practice(self) -> bool:
        return self.roster is None

    def startup(self) -> int:
        """Give attempts a kill left without a report theirs; start the workers.
        Returns how many were recovered."""
        if self.roster is not None:
            for student in self.roster.values():
                self.storage.ensure_student(student.id, kind="roster", name=student.name)
        pending = self.storage.pending()
        for attempt_id in pending:
            attempt = self.storage.attempt(attempt_id)
            self.storage.finish(attempt_id, *not_graded(
                RECOVERED, exercise=attempt.exercise, submission=f"attempt {attempt_id}"))
        self.pool.start()
        return len(pending)

    def shutdown(self) -> None:
        self.pool.close(grace=self.options.shutdown_grace_s)
        for attempt_id in self.storage.pending():  # answered by close; belt and braces
            attempt = self.storage.attempt(attempt_id)
            self.storage.finish(attempt_id, *not_graded(
                RECOVERED, exercise=attempt.exercise, submission=f"attempt {attempt_id}"))
        self.storage.close()

    # --------------------------------------------------------------- identities

    def student(self, request: Request) -> str | None:
        """The student this request is from (practice: the anonymous cookie's), or None."""
        identity = request.state.identity
        if identity is None:
            return None
        if self.roster is not None:
            return identity if identity in self.roster else None
        return identity if identity.startswith("anon-") else None

    def instructor(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        token = self.options.instructor_token
        if bearer.startswith("Bearer ") and secrets.compare_digest(bearer[7:], token):
            return True
        return self.signer.unsign(request.state.cookies.get(auth.INSTRUCTOR_COOKIE)) == \
            self._instructor_payload()

    def _instructor_payload(self) -> str:
        import hashlib

        return "instructor-" + hashlib.sha256(self.options.instructor_token.encode()).hexdigest()[:24]

    def display_name(self, student: str | None) -> str:
        if student is None:
            return ""
        if self.roster is not None and student in self.roster:
            return self.roster[student].name or student
        return f"anonymous {student.removeprefix('anon-')[:6]}"

    # ------------------------------------------------------------------ grading

    async def check(self, student: str, exercise: str, source: str, code: str,
                    notebook: bytes) -> Response:
        """Record the attempt, grade it, answer with its report (or 429/503)."""
        wait = self.check_limit.take(student)
        if wait > 0:
            return _error(429, f"too many checks: wait {math.ceil(wait)} s and check again",
                          headers={"Retry-After": str(math.ceil(wait))}, reason="rate-limit")
        self.storage.ensure_student(student, kind="anonymous" if self.practice else "roster")
        attempt_id = self.storage.add_attempt(student=student, exercise=exercise, source=source,
                                              code=code)
        job = Job(attempt_id=attempt_id, notebook=notebook, exercise=exercise,
                  submission=f"attempt {attempt_id}")
        try:
            report, _html = await self.pool.submit(job)
        except QueueFull as full:
            self.storage.discard(attempt_id)
            return _error(429, f"{len(full.args) and full.args[0]}: check again in "
                               f"{full.retry_after} s", headers={"Retry-After": str(full.retry_after)},
                          reason="queue-full", queued=full.queued)
        except Closed:
            self.storage.discard(attempt_id)
            return _error(503, "the server is shutting down: check again in a minute",
                          headers={"Retry-After": "60"}, reason="shutting-down")
        return JSONResponse({**report, "attempt_id": attempt_id,
                             "report_url": f"/attempts/{attempt_id}/report"})


def _error(status: int, message: str, headers: dict | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _page(request: Request, server: Server, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    student = server.student(request)
    body = pages.render(name, csrf=request.state.csrf, student=student,
                        who=server.display_name(student), practice=server.practice,
                        instructor=server.instructor(request), **context)
    return HTMLResponse(body, status_code=status)


def _not_found(request: Request, server: Server, what: str) -> Response:
    if request.url.path.startswith("/api/"):
        return _error(404, what)
    return _page(request, server, "message.html.j2", status=404, title="Not found", message=what)


def _statuses(server: Server, student: str | None) -> dict[str, dict]:
    """Per exercise: attempts, best score, passed, for the catalog."""
    if student is None:
        return {}
    book = dashboard.build(server.storage.attempts_finished_of(student), exercises=[],
                           students=[{"id": student}])
    out = {}
    for (_, exercise), cell in book.cells.items():
        out[exercise] = {"attempts": cell.attempts, "passed": cell.best.passed,
                         "best": cell.best.score, "max": cell.best.max_score}
    return out


def _signin_redirect() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


# ----------------------------------------------------------------------- routes


def build_routes(server: Server) -> list[Route]:
    course, storage = server.course, server.storage

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "mode": "practice" if server.practice else "roster",
                             "exercises": len(course.by_id), **server.pool.stats()})

    async def catalog(request: Request) -> Response:
        student = server.student(request)
        if student is None and not server.practice:
            return _signin_redirect()
        return _page(request, server, "catalog.html.j2", sections=course.sections,
                     statuses=_statuses(server, student))

    async def exercise_page(request: Request) -> Response:
        student = server.student(request)
        if student is None and not server.practice:
            return _signin_redirect()
        spec = course.get(request.path_params["exercise"])
        if spec is None:
            return _not_found(request, server, "no such exercise")
        history = storage.attempts(student=student, exercise=spec.id, limit=50) if student else []
        code = history[0].code if history and history[0].source == "code" else spec.starter
        ids = [s.id for s in course.ordered()]
        index = ids.index(spec.id)
        return _page(request, server, "exercise.html.j2", spec=spec, code=code,
                     statement=course.statement_html(spec.id), history=history,
                     previous=ids[index - 1] if index else None,
                     next=ids[index + 1] if index + 1 < len(ids) else None,
                     max_code=server.options.max_code_bytes)

    async def download(request: Request) -> Response:
        """The student notebook with the code posted from the editor (a form POST, so the
        download is what the editor holds, unsaved or not)."""
        from urllib.parse import parse_qs

        spec = course.get(request.path_params["exercise"])
        if spec is None:
            return _not_found(request, server, "no such exercise")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        code = (form.get("code") or [spec.starter])[0]
        if len(code.encode("utf-8")) > server.options.max_code_bytes:
            return _error(413, "the code is over the size limit")
        return Response(course.notebook_bytes(spec.id, code), media_type="application/x-ipynb+json",
                        headers={"Content-Disposition": f'attachment; filename="{spec.id}.ipynb"'})

    async def attempt_page(request: Request) -> Response:
        attempt = _own_attempt(request)
        if attempt is None:
            return _not_found(request, server, "no such attempt of yours")
        return _page(request, server, "attempt.html.j2", attempt=attempt,
                     spec=course.get(attempt.exercise),
                     student_name=server.display_name(attempt.student))

    def _own_attempt(request: Request) -> Any:
        try:
            attempt = storage.attempt(int(request.path_params["attempt"]))
        except ValueError:
            return None
        if attempt is None:
            return None
        if server.instructor(request) or attempt.student == server.student(request):
            return attempt
        return None

    async def attempt_report(request: Request) -> Response:
        attempt = _own_attempt(request)
        if attempt is None:
            return _not_found(request, server, "no such attempt of yours")
        html = storage.report_html(attempt.id)
        if html is None:
            html = pages.render("pending_report.html.j2", attempt=attempt)
        return HTMLResponse(html, headers={"Content-Security-Policy": _REPORT_CSP,
                                           "X-Frame-Options": "SAMEORIGIN"})

    # ---------------------------------------------------------------- sign-in

    async def signin_page(request: Request) -> Response:
        if server.practice:
            return RedirectResponse("/", status_code=303)
        code = request.path_params.get("code", "")
        found = server.codes.get(code.lower()) if code else None
        return _page(request, server, "signin.html.j2", code=code if found else "",
                     found=server.display_name(found) if found else "",
                     wrong=bool(code) and not found)

    async def signin(request: Request) -> Response:
        from urllib.parse import parse_qs

        if server.practice:
            return RedirectResponse("/", status_code=303)
        where = request.client.host if request.client else "?"
        wait = server.signin_limit.take(where)
        if wait > 0:
            return _error(429, "too many sign-in attempts: wait and try again",
                          headers={"Retry-After": str(math.ceil(wait))})
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        code = (form.get("code") or [""])[0].strip().lower()
        student = server.codes.get(code)
        if student is None:
            return _page(request, server, "signin.html.j2", status=403, code="", found="",
                         wrong=True)
        response = RedirectResponse("/", status_code=303)
        response.raw_headers.append((b"set-cookie", cookie_header(
            auth.IDENTITY_COOKIE, server.signer.sign(student), http_only=True,
            secure=request.state.secure)))
        return response

    async def signout(request: Request) -> Response:
        response = RedirectResponse("/signin" if not server.practice else "/", status_code=303)
        for name in (auth.IDENTITY_COOKIE, auth.INSTRUCTOR_COOKIE):
            response.raw_headers.append((b"set-cookie", cookie_header(
                name, "", http_only=True, secure=request.state.secure, max_age=0)))
        return response

    # ------------------------------------------------------------- instructor

    def _book() -> dashboard.Book:
        return dashboard.build(storage.iter_finished(), students=storage.students(),
                               exercises=[s.id for s in course.ordered()])

    async def instructor_page(request: Request) -> Response:
        token = request.query_params.get("token")
        if token is not None:
            if not secrets.compare_digest(token, server.options.instructor_token):
                return _page(request, server, "message.html.j2", status=403,
                             title="Wrong token",
                             message="That instructor token is not this server's: use the "
                                     "link `grader serve` printed when it started.")
            response = RedirectResponse("/instructor", status_code=303)
            response.raw_headers.append((b"set-cookie", cookie_header(
                auth.INSTRUCTOR_COOKIE, server.signer.sign(server._instructor_payload()),
                http_only=True, secure=request.state.secure, same_site="Strict",
                max_age=12 * 3600)))
            return response
        if not server.instructor(request):
            return _page(request, server, "message.html.j2", status=403,
                         title="Instructor sign-in",
                         message="Open the instructor link `grader serve` printed when it "
                                 "started (it carries the token).")
        book = _book()
        return _page(request, server, "dashboard.html.j2", book=book,
                     course=course, failures=dashboard.common_failures(storage.iter_finished()),
                     recent=storage.attempts(limit=30), stats=server.pool.stats(),
                     links=_links(request) if server.roster is not None else [])

    async def gradebook_fragment(request: Request) -> Response:
        if not server.instructor(request):
            return _error(403, "instructor only")
        return HTMLResponse(pages.render("gradebook.html.j2", book=_book(), course=course))

    async def export(request: Request) -> Response:
        if not server.instructor(request):
            return _error(403, "instructor only: open the instructor link, or send "
                               "Authorization: Bearer TOKEN")
        which = request.query_params.get("which", "best")
        if which not in ("best", "latest"):
            return _error(400, "which must be best or latest")
        text, data = dashboard.export(_book(), which)
        if request.path_params["format"] == "csv":
            return Response(text, media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="gradebook-{which}.csv"'})
        return JSONResponse(data, headers={
            "Content-Disposition": f'attachment; filename="gradebook-{which}.json"'})

    def _links(request: Request) -> list[dict[str, str]]:
        base = str(request.base_url).rstrip("/")
        return [{"student": s, "name": server.roster[s].name, "code": server.signer.code_for(s),
                 "link": f"{base}/signin/{server.signer.code_for(s)}"} for s in server.roster]

    # -------------------------------------------------------------------- API

    def _api_student(request: Request) -> str | None:
        return server.student(request)

    async def api_exercises(request: Request) -> Response:
        statuses = _statuses(server, _api_student(request))
        return JSONResponse({"exercises": [
            {"id": s.id, "title": s.title, "kind": s.kind, "section": section.title,
             "url": f"/exercises/{s.id}", **({"status": statuses[s.id]} if s.id in statuses else {})}
            for section in course.sections for s in section.exercises]})

    async def api_check_code(request: Request) -> Response:
        student = _api_student(request)
        if student is None:
            return _error(401, "sign in first, with your personal link or code")
        spec = course.get(request.path_params["exercise"])
        if spec is None:
            return _error(404, "no such exercise")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, 'send JSON: {"code": "..."}')
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str):
            return _error(400, 'send JSON: {"code": "..."}')
        if len(code.encode("utf-8", "surrogatepass")) > server.options.max_code_bytes:
            return _error(413, f"the code is over {server.options.max_code_bytes // 1024} KB")
        try:
            notebook = course.notebook_bytes(spec.id, code)
        except UnicodeEncodeError:
            return _error(400, "the code holds characters that are not valid text (a lone "
                               "surrogate): retype them")
        return await server.check(student, spec.id, "code", code, notebook)

    async def api_check_notebook(request: Request) -> Response:
        student = _api_student(request)
        if student is None:
            return _error(401, "sign in first, with your personal link or code")
        data = await request.body()
        if len(data) > server.options.max_upload_bytes:
            return _error(413, f"the notebook is over {server.options.max_upload_bytes // 2**20} "
                               "MB: clear its outputs and upload it again")
        exercise = request.query_params.get("exercise") or _exercise_in(data)
        if not exercise or course.get(exercise) is None:
            return _error(400, "which exercise is this notebook? It has no known "
                               "metadata.grader.exercise: upload the course's notebook, or add "
                               "?exercise=ID", known=sorted(course.by_id))
        return await server.check(student, exercise, "upload",
                                  data.decode("utf-8", "replace"), data)

    async def api_attempts(request: Request) -> Response:
        student = _api_student(request)
        if student is None:
            return _error(401, "sign in first, with your personal link or code")
        found = storage.attempts(student=student, exercise=request.query_params.get("exercise"),
                                 limit=500)
        return JSONResponse({"attempts": [a.summary() for a in found]})

    async def api_attempt(request: Request) -> Response:
        attempt = _own_attempt(request)
        if attempt is None:
            return _error(404, "no such attempt of yours")
        return JSONResponse({**attempt.summary(), "code": attempt.code, "report": attempt.report})

    async def api_queue(request: Request) -> Response:
        student = _api_student(request)
        mine = storage.pending_of(student) if student else []
        positions = [p for p in (server.pool.position(a) for a in mine) if p is not None]
        return JSONResponse({**server.pool.stats(),
                             "position": min(positions) if positions else None})

    async def api_gradebook(request: Request) -> Response:
        if not server.instructor(request):
            return _error(403, "instructor only")
        return JSONResponse(dashboard.export(_book(), request.query_params.get("which", "best"))[1])

    async def static(request: Request) -> Response:
        found = pages.static_file(request.path_params["name"])
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body, kind = found
        return Response(body, media_type=kind, headers={"Cache-Control": "max-age=3600"})

    return [
        Route("/", catalog),
        Route("/healthz", healthz),
        Route("/exercises/{exercise}", exercise_page),
        Route("/exercises/{exercise}/notebook", download, methods=["POST"]),
        Route("/attempts/{attempt}", attempt_page),
        Route("/attempts/{attempt}/report", attempt_report),
        Route("/signin", signin_page),
        Route("/signin", signin, methods=["POST"]),
        Route("/signin/{code}", signin_page),
        Route("/signout", signout, methods=["POST"]),
        Route("/instructor", instructor_page),
        Route("/instructor/gradebook", gradebook_fragment),
        Route("/instructor/export.{format:str}", export),
        Route("/api/exercises", api_exercises),
        Route("/api/exercises/{exercise}/check", api_check_code, methods=["POST"]),
        Route("/api/check", api_check_notebook, methods=["POST"]),
        Route("/api/attempts", api_attempts),
        Route("/api/attempts/{attempt}", api_attempt),
        Route("/api/queue", api_queue),
        Route("/api/gradebook", api_gradebook),
        Route("/static/{name}", static),
    ]


def _exercise_in(data: bytes) -> str:
    """metadata.grader.exercise of an uploaded notebook, or ""."""
    try:
        meta = json.loads(data.decode("utf-8-sig")).get("metadata", {}).get("grader", {})
        exercise = meta.get("exercise") if isinstance(meta, dict) else None
    except (ValueError, AttributeError, UnicodeDecodeError, RecursionError):
        return ""
    return exercise if isinstance(exercise, str) else ""


def create_app(options: ServeOptions) -> Any:
    """The ASGI app; the pool starts and stops with the app's lifespan."""
    server = Server(options)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        import anyio

        await anyio.to_thread.run_sync(server.startup)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(server.shutdown)

    app = Starlette(routes=build_routes(server), lifespan=lifespan)
    app.state.server = server
    body_limit = max(options.max_upload_bytes, options.max_code_bytes * 6 + 4096)
    guarded = Guard(app, signer=server.signer, practice=server.practice, body_limit=body_limit)
    guarded.server = server  # for tests and the command
    return guarded
