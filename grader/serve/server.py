"""Running the app: uvicorn on one host and port, the instructor link printed at start
(as Jupyter prints its token), roster links with ``--print-links``, and a graceful
stop: on Ctrl-C or SIGTERM uvicorn stops taking connections and lets open checks
finish for ``shutdown_grace_s``; then the pool answers what is left with a "not
graded" report, so every accepted attempt ends recorded.
"""

from __future__ import annotations

import sys
from typing import TextIO

from grader.serve.app import ServeOptions, create_app


def default_jobs() -> int:
    """One grader per core this process may use."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def links(app, base: str) -> list[tuple[str, str, str]]:
    """(student, name, personal link) for each roster student."""
    server = app.server
    return [(s.id, s.name, f"{base}/signin/{server.signer.code_for(s.id)}")
            for s in (server.roster or {}).values()]


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int = 8000,
          print_links: bool = False, out: TextIO = sys.stdout) -> int:
    import uvicorn

    from grader.grading.sandbox import hide_secrets_from_proc

    hide_secrets_from_proc()  # basic-mode kernels share our PID space
    app = create_app(options)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    mode = "practice (anonymous)" if app.server.practice else \
        f"roster ({len(app.server.roster)} students)"
    print(f"tapegrader serve: {len(app.server.course.by_id)} exercises, {mode} mode, "
          f"{options.jobs} graders, attempts kept in {options.db}", file=out)
    print(f"  students:   {base}/", file=out)
    print(f"  instructor: {base}/instructor?token={options.instructor_token}", file=out)
    if print_links:
        for student, name, link in links(app, base):
            print(f"  {student}\t{name}\t{link}", file=out)
    out.flush()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=int(options.shutdown_grace_s),
                            lifespan="on")
    uvicorn.Server(config).run()
    return 0
