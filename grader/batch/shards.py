"""Shards: the stable slice of a class one machine grades (``--shard K/N``).

A submission belongs to shard ``sha256(id) mod N + 1``. The slice of one submission
never depends on the others, so every machine of a matrix computes the same slices,
and a student added later does not move anyone else.
"""

from __future__ import annotations

import hashlib
import os
from typing import Mapping, Sequence

from grader.batch.discovery import Submission
from grader.errors import UsageError

# The shard number a CI matrix passes in for ``--shard auto/N`` (1-based, like K in
# ``--shard K/N``). Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX (0-based) instead.
SHARD_ENV = "TAPEGRADER_SHARD"
K8S_INDEX_ENV = "JOB_COMPLETION_INDEX"


def shard_of(submission_id: str, count: int) -> int:
    """The shard (1..count) that grades ``submission_id``: stable across machines."""
    digest = hashlib.sha256(submission_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``"K/N"`` or ``"auto/N"`` -> (K, N) with 1 <= K <= N.

    ``auto`` takes K from ``$TAPEGRADER_SHARD`` (1-based: pass a matrix value in) or
    else ``$JOB_COMPLETION_INDEX`` (0-based, Kubernetes Indexed Jobs).
    """
    environ = os.environ if environ is None else environ
    fix = "write --shard K/N with 1 <= K <= N, e.g. --shard 2/4, or --shard auto/4"
    head, sep, tail = text.partition("/")
    if not sep or not tail.strip().isdigit() or int(tail) < 1:
        raise UsageError(f"--shard {text!r} is not K/N", fix=fix)
    count = int(tail)
    if head.strip() == "auto":
        if environ.get(SHARD_ENV, "").strip():
            raw, base, name = environ[SHARD_ENV].strip(), 1, SHARD_ENV
        elif environ.get(K8S_INDEX_ENV, "").strip():
            raw, base, name = environ[K8S_INDEX_ENV].strip(), 0, K8S_INDEX_ENV
        else:
            raise UsageError(
                f"--shard auto/{count} needs ${SHARD_ENV} (1..{count}) or "
                f"${K8S_INDEX_ENV} (0..{count - 1}) in the environment",
                fix=f"in a GitHub matrix: env: {SHARD_ENV}: ${{{{ matrix.shard }}}}")
        if not raw.isdigit():
            raise UsageError(f"${name} is {raw!r}, not a whole number", fix=fix)
        index = int(raw) + 1 - base
        if not 1 <= index <= count:
            raise UsageError(f"${name}={raw} is outside shards 1..{count}", fix=fix)
        return index, count
    if not head.strip().isdigit() or not 1 <= int(head) <= count:
        raise UsageError(f"--shard {text!r}: K must be a number from 1 to {count}", fix=fix)
    return int(head), count


def select_shard(submissions: Sequence[Submission], shard: tuple[int, int] | None) -> list[Submission]:
    if shard is None:
        return list(submissions)
    index, count = shard
    return [s for s in submissions if shard_of(s.id, count) == index]
