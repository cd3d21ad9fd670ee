"""``grader serve``: the exercise platform in a browser (issue 15).

A scheduler around ``grade.py`` like ``batch``: one room, one owner per concern —
``app`` (routes), ``guard`` (cookies, CSRF, body cap, headers), ``auth`` (signing,
roster codes, rate limits), ``storage`` (SQLite, every attempt), ``pool`` and
``worker`` (sandboxed grading with kernels started ahead), ``course`` (statements and
notebooks), ``dashboard`` (gradebook, export), ``pages`` (templates), ``server``
(uvicorn). Templates and assets live in ``templates/serve/`` and ship in the wheel.
"""
