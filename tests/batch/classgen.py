"""Generate a class of submissions from the shipped exercise notebooks.

Used by the batch tests and by ``tests/bench/bench_batch.py``. Each kind of student
is the solution notebook with its ``answer`` cell changed:

- ``correct``: the reference solution, unchanged;
- ``wrong``: the solution, then every answer doubled (right tape, wrong value);
- ``raising``: the answer cell raises before computing anything;
- ``hanging``: the answer cell never returns (the per-cell timeout must stop it);
- ``malformed``: not a notebook at all (truncated JSON).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

KINDS = ("correct", "wrong", "raising", "hanging", "malformed")

_HANG = "import time\nwhile True:\n    time.sleep(0.05)\n"
_RAISE = "raise ValueError('student bug: forgot to define x')\n"


def gradable_exercises() -> list:
    """Shipped exercises with one single-tensor gradient answer (doubling it is wrong)."""
    from grader import resources
    from grader.authoring import spec

    return [s for s in spec.load_course(resources.exercises_dir())
            if s.kind == "gradient" and len(s.answers) == 1 and len(s.answers[0].of) == 1]


def notebook_text(exercise, kind: str) -> str:
    """The submission of a student of ``kind`` for ``exercise`` (a Spec)."""
    import nbformat

    from grader.authoring import render

    from grader import resources

    if kind == "malformed":
        return '{"cells": [{"cell_type": "code", "source": "grad = '
    nb = render.render_solution(exercise, resources.solutions_dir())
    answer = next(c for c in nb.cells if "answer" in c.metadata.get("tags", []))
    name = exercise.answers[0].name
    if kind == "wrong":
        answer.source += f"\n{name} = {name} * 2.0\n"
    elif kind == "raising":
        answer.source = _RAISE + answer.source
    elif kind == "hanging":
        answer.source = _HANG + answer.source
    elif kind != "correct":
        raise ValueError(f"unknown kind {kind!r}; use one of {KINDS}")
    return nbformat.writes(nb)


def mix(n: int, shares: dict[str, float]) -> list[str]:
    """``n`` kinds in the given shares (rounded), interleaved so shards get a mix."""
    counts = {k: int(round(n * v)) for k, v in shares.items()}
    first = next(iter(shares))
    counts[first] += n - sum(counts.values())
    kinds = [k for k, c in counts.items() for _ in range(c)]
    # Spread each kind across the class: sort by position within its kind.
    order = sorted(range(n), key=lambda i: (kinds[:i].count(kinds[i]) / counts[kinds[i]], i))
    return [kinds[i] for i in order]


def write_class(folder: Path, kinds: Iterable[str], *, exercises=None,
                nested: bool = True) -> dict[str, str]:
    """Write one notebook per kind; returns {submission id: kind}.

    Students are ``student001/hw.ipynb`` (nested) or ``student001.ipynb``; exercises
    rotate through ``exercises`` (default: every gradable shipped exercise).
    """
    exercises = list(exercises or gradable_exercises())
    made = {}
    cache: dict[tuple[str, str], str] = {}
    for i, kind in enumerate(kinds):
        exercise = exercises[i % len(exercises)]
        text = cache.setdefault((exercise.id, kind), notebook_text(exercise, kind))
        # A per-student marker cell keeps every submission's content (and hash) distinct.
        if kind != "malformed":
            nb = json.loads(text)
            nb["cells"].insert(0, {"cell_type": "markdown", "id": f"who{i}", "metadata": {},
                                   "source": f"Submitted by student {i + 1:03d}"})
            text_i = json.dumps(nb, indent=1)
        else:
            text_i = text
        sub_id = f"student{i + 1:03d}/hw.ipynb" if nested else f"student{i + 1:03d}.ipynb"
        path = folder / sub_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text_i, encoding="utf-8")
        made[sub_id] = kind
    return made
