"""Adversarial cases: escaping the sandbox: other processes, /proc, signals, quotas, privileges.

Each ``Case`` (see ``adversarial_cases``) is one hostile submission and the verdict it
must get; they join the one corpus graded in a batch per sandbox mode.
"""

from __future__ import annotations

from adversarial_cases import Case, SOLUTION_ANSWER, TIMEOUT, DIED, _hostile  # noqa: F401

CASES: list[Case] = []
