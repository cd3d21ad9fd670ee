"""Call the functions a student defines, at the point the parameters cell has set.

An answer may be a function (``def df(x0)``, a ``tf.custom_gradient`` function): the
grader does not read it, it calls it, in the student's kernel, after the student's
cells and before the extraction reads the answers, so every run (visible and hidden)
calls it at that run's point. A call is ``(answer, function, params, mode, dtype)``:
the answer name the result is reported under, the function's name in the notebook,
the parameter names whose values are passed, and how:

- ``plain``: ``function(*values)`` with the parameters' values as they are (what a
  ``def df(x0)`` expects);
- ``value``: ``function(*tensors)`` with each value as a ``tf.constant`` of ``dtype``;
- ``gradient``: the same call under a tape watching the first tensor, and the answer
  is ``tape.gradient(result, first)``: the gradient the function gives (its custom
  gradient, if it has one).

The student's function is hostile like every value of the notebook: it runs under a
SIGALRM budget, only ``Exception`` is caught (an interrupt still stops the cell), and
what it returns is read later by ``describe`` with its own discipline. A failed call
becomes a message the extraction reports as that answer's error.
"""

from __future__ import annotations

import signal as _signal

from grader.kernel.describe import _describe_exception

MODES = ("plain", "value", "gradient")
_dict_get = dict.get
_MISSING = object()


class _OutOfTime(BaseException):
    pass


def _call(namespace, function: str, params, mode: str, dtype: str):
    fn = _dict_get(namespace, function, _MISSING)
    if fn is _MISSING:
        raise LookupError("`%s` is not defined: define the function `%s` in the answer cell"
                          % (function, function))
    if not callable(fn):
        raise TypeError("`%s` is not a function" % function)
    values = []
    for param in params:
        value = _dict_get(namespace, param, _MISSING)
        if value is _MISSING:
            raise LookupError("the parameter `%s` is not defined: run the parameters cell"
                              % param)
        values.append(value)
    if mode == "plain":
        return fn(*values)
    import grader.tape as tf

    tensors = [tf.constant(v, dtype=getattr(tf, dtype)) for v in values]
    if mode == "value":
        return fn(*tensors)
    with tf.GradientTape() as tape:
        tape.watch(tensors[0])
        result = fn(*tensors)
    return tape.gradient(result, tensors[0])


def run(calls, namespace, *, budget_s: float):
    """(results, failed): answer name -> returned value, answer name -> message."""
    results, failed = {}, {}
    armed = [False]

    def alarm(signum, frame):
        if armed[0]:
            raise _OutOfTime()

    try:
        previous = _signal.signal(_signal.SIGALRM, alarm)
    except BaseException:  # not the main thread: call without a budget
        previous = None
    try:
        for answer, function, params, mode, dtype in calls:
            try:
                try:
                    if previous is not None:
                        armed[0] = True
                        _signal.setitimer(_signal.ITIMER_REAL, budget_s, 0.1)
                    results[answer] = _call(namespace, function, params, mode, dtype)
                finally:
                    armed[0] = False
                    _signal.setitimer(_signal.ITIMER_REAL, 0)
            except _OutOfTime:
                failed[answer] = "calling `%s` took longer than %g s" % (function, budget_s)
            except Exception as e:  # noqa: BLE001 - the student's error, reported
                failed[answer] = "calling `%s` raised %s" % (function, _describe_exception(e))
    finally:
        armed[0] = False
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        if previous is not None:
            _signal.signal(_signal.SIGALRM, previous)
    return results, failed
