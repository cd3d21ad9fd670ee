"""Every error the grader itself reports to a person, with the exit code it ends in.

Errors say what failed, where (file, key, cell), and the fix. The command line turns
any ``GraderError`` into its message on stderr and its ``exit_code``; nothing else in
the grader prints tracebacks at a user.
"""

from __future__ import annotations

# Exit codes of the command line (a contract scripts rely on): 0 every check passed, 1 graded and some
# check failed, 2 could not be graded.
EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_UNGRADABLE = 2


class GraderError(Exception):
    """A problem the user can fix; ``str(err)`` is the whole message."""

    exit_code = EXIT_UNGRADABLE

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None,
                 fix: str | None = None):
        self.path = path
        self.where = where
        self.fix = fix
        self.bare_message = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        head = ""
        if self.path:
            head = f"{self.path}"
            if self.where:
                head += f", {self.where}"
            head += ": "
        elif self.where:
            head = f"{self.where}: "
        text = head + self.bare_message
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class SpecError(GraderError):
    """An exercise spec is malformed or its expected answers are wrong (an authoring error)."""


class UnknownExerciseError(SpecError):
    """No spec has this exercise id; ``known`` are the nearest ids, closest first."""

    def __init__(self, message: str, *, exercise: str, known: list[str], **where: str | None):
        self.exercise = exercise
        self.known = known
        super().__init__(message, **where)


class ExpressionError(SpecError):
    """The spec's ``function`` uses something outside the whitelisted language."""


class NotebookError(GraderError):
    """A submission cannot be read as a gradable notebook."""


class UsageError(GraderError):
    """The command line was called with arguments that do not fit."""
