"""``tf.errors``: the exceptions the engine raises where TensorFlow raises an OpError.

Messages follow TensorFlow's op-level form, ``<what failed> [Op:<OpName>] name: ``,
so a notebook prints what a TensorFlow user expects to see.
"""

from __future__ import annotations

__all__ = [
    "OpError", "InvalidArgumentError", "NotFoundError", "UnimplementedError",
    "FailedPreconditionError", "OutOfRangeError", "ResourceExhaustedError",
    "InternalError", "UnknownError",
]

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
NOT_FOUND = 5
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13


class OpError(Exception):
    """An operation failed; ``.message``, ``.op`` and ``.error_code`` as in TensorFlow."""

    error_code = UNKNOWN

    def __init__(self, node_def, op, message, *args) -> None:
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(OpError):
    error_code = INVALID_ARGUMENT


class NotFoundError(OpError):
    error_code = NOT_FOUND


class UnimplementedError(OpError):
    error_code = UNIMPLEMENTED


class FailedPreconditionError(OpError):
    error_code = FAILED_PRECONDITION


class OutOfRangeError(OpError):
    error_code = OUT_OF_RANGE


class ResourceExhaustedError(OpError):
    error_code = RESOURCE_EXHAUSTED


class InternalError(OpError):
    error_code = INTERNAL


class UnknownError(OpError):
    error_code = UNKNOWN


_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def _op_error(op: str, what: str, cls=InvalidArgumentError, kernel: bool = False, named: bool = True) -> OpError:
    """Build the error for ``op`` with TensorFlow's ``[Op:Name] name: `` suffix.

    ``kernel`` adds the ``{{function_node __wrapped__Op_device_...}}`` prefix TensorFlow
    2.21 gives errors raised inside an op's kernel (shape checks), as opposed to
    the checks made before the kernel runs (dtypes); some of those (``named=False``:
    Reshape, Transpose) end at ``[Op:Name]``.
    """
    prefix = "{{function_node __wrapped__%s_device_%s}} " % (op, _DEVICE) if kernel else ""
    return cls(None, op, "%s%s [Op:%s]%s" % (prefix, what, op, " name: " if named else ""))
