"""The few lines ``grader check`` prints: the score, then each failed check and its hint.

Every field is put on one line and stripped of escape codes: a student's exception
message must not recolour the terminal, nor start a line that a CI runner reads as a
workflow command. ``printable`` does the same for what the command line prints beside
the summary (paths, ids), showing each control character as an escape instead.
"""

from __future__ import annotations

import re
from typing import Any

from grader.delivery.report.matrix import terminal_lines
from grader.delivery.report.text import failed_checks, format_pair, format_points, one_line, verdict
from grader.results import GradeResult

# Characters a terminal or a CI log reads as more than text: C0 and C1 controls
# (newline, ESC, CR, BEL), DEL, and the Unicode line and paragraph separators.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# GitHub's runner reads ``##[command]`` anywhere in a line (its first command syntax)
# and ``::command::`` at a line's start, leading spaces skipped.
_V1_COMMAND = "##["
_V2_COMMAND = re.compile(r"^(\s*):(?=:)", re.MULTILINE)

_GREEN, _RED, _YELLOW, _BOLD, _DIM, _RESET = (
    "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m")


def _clean_evalue(evalue: str) -> str:
    from grader.grading.check import clean_evalue

    return clean_evalue(evalue)


def terminal_summary(result: GradeResult, *, color: bool) -> str:
    """A short plain-text summary; ANSI colours only when ``color`` is true."""
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    word = verdict(result)
    mark = {"passed": paint(_GREEN, "✓ PASSED"), "failed": paint(_RED, "✗ FAILED")}.get(
        word, paint(_RED, "✗ NOT GRADED"))
    failed = failed_checks(result)
    name = one_line(result.submission, 100)
    if result.exercise:
        name += f" ({one_line(result.exercise, 60)})"
    score = paint(_BOLD, f"{format_points(result.score)} / {format_points(result.max_score)}")
    line = f"{mark} {name}: {score} points"
    if result.checks:
        line += f", {len(result.checks) - len(failed)} of {len(result.checks)} checks passed"
    lines = [line]
    for error in result.errors:
        lines.append(f"  {paint(_RED, '!')} {one_line(error, 400)}")
    for err in result.cell_errors:
        lines.append(f"  {paint(_RED, '!')} {err.where} raised {one_line(err.ename, 80)}: "
                     f"{one_line(_clean_evalue(err.evalue), 200)}")
    for check in failed:
        text = f"  {paint(_RED, '✗')} {one_line(check.name, 100)}: {one_line(check.message, 200)}"
        # A matrix is shown as two aligned grids under the line (a transpose shows).
        grid = terminal_lines(check.expected, check.got, passed=False,
                              mark=lambda t: paint(_RED, t) if color else t)
        if grid is None and (check.expected is not None or check.got is not None):
            expected, got = format_pair(check.expected, check.got, limit=60)
            text += f" (expected {expected}, got {got})"
        if check.hint:
            text += f" {paint(_YELLOW, 'hint:')} {one_line(check.hint, 300)}"
        lines.append(text)
        # Only numbers: nothing in them to clean, and spaces that must stay as they are.
        lines.extend(f"      {g}" for g in grid or ())
    return "\n".join(defuse_commands(line) for line in lines)


def inline_text(result: GradeResult) -> str:
    """The notebook check cell's panel as plain text, for front ends that show no HTML."""
    return (terminal_summary(result, color=False)
            + "\n  (checked at the visible point only; the grader also checks hidden points)")


def printable(text: Any) -> str:
    """``text`` on one line, every control character shown as an escape (``\\n``,
    ``\\x1b``) rather than acted on, and no workflow command in it.

    For what the grader prints that a notebook or its file name controls (a path, an
    exercise id): the reader sees exactly which name it was, and neither a terminal
    nor GitHub's runner sees anything but text.
    """
    shown = _UNPRINTABLE.sub(_escape, str(text))
    return defuse_commands(shown)


def defuse_commands(line: str) -> str:
    """``line`` with anything GitHub's runner would read as a workflow command broken."""
    line = line.replace(_V1_COMMAND, "##\\[")
    return _V2_COMMAND.sub(lambda m: m.group(1) + ":\\", line)


def printable_lines(text: Any) -> str:
    """``text`` with its line breaks kept, each line made ``printable`` (for messages
    of several lines, like an error and its fix)."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def _escape(match: re.Match) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
