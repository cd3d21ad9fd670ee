"""Reference answers: the engine in float64, confirmed by central finite differences.

A wrong reference would grade every student wrong, so each answer is computed twice
by independent routes, which each kind defines (``grader/kinds/``), and the two must
agree:

* the bundled engine (``grader.tape``) in float64, differentiating the spec's
  function exactly as a student's tape would (nested tapes for higher orders,
  ``jacobian``/``batch_jacobian``, the optimizer loop for training);
* central finite differences of the *numpy* evaluation of the function
  (``grader/expr.py``), nested for higher orders, and for training the same loop with
  finite-difference gradients and the optimizer's update rule written out in numpy.

A disagreement is an authoring error (a function not differentiable at the point, or
an engine bug) and raises SpecError naming both numbers. :func:`check_expected`
compares the spec's ``expected`` values with the reference the same way.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from grader import kinds
from grader.errors import SpecError
from grader.authoring.spec import AnswerSpec, Spec, format_value

# How far apart the two routes may be: |a - b| <= atol*scale + rtol*|b| with
# scale = max(1, max|b|), rtol from the kind (nested differences lose digits, so higher
# orders get more room).


def reference_answers(spec: Spec, values: Mapping[str, Any], *,
                      cross_check: bool = True) -> dict[str, np.ndarray]:
    """One float64 array per answer name at the point ``values`` (variable -> array).

    With ``cross_check`` (the default) every answer is confirmed by finite
    differences; SpecError if they disagree or the answer is not finite.
    """
    point = {v.name: np.asarray(values[v.name], dtype=np.float64) for v in spec.variables}
    engine = _engine_answers(spec, point)
    fd = finite_difference_answers(spec, point) if cross_check else {}
    for index, answer in enumerate(spec.answers):
        value = engine[answer.name]
        if not np.all(np.isfinite(value)):
            raise _error(spec, index, f"the reference for `{answer.name}` is not finite "
                         f"({format_value(value)}) at {_describe(point)}",
                         "move the point (or the hidden range) to where the function is "
                         "differentiable")
        if cross_check:
            _cross_check(spec, index, answer, point, value, fd[answer.name])
    return engine


def check_expected(spec: Spec, reference: Mapping[str, np.ndarray]) -> None:
    """SpecError if an ``expected`` value disagrees with the reference at the visible point."""
    for name, want in spec.expected.items():
        got = reference[name]
        if np.shape(want) != np.shape(got):
            raise SpecError(f"expected `{name}` has shape {np.shape(want)}, but the reference "
                            f"has shape {np.shape(got)}: {format_value(got)}",
                            path=str(spec.path), where=f"key `expected.{name}`",
                            fix=f"write `{name}` with the reference's shape")
        if not spec.tolerance.allclose(want, got):
            raise SpecError(f"expected {name} = {format_value(want)}, but the reference "
                            f"(engine in float64, confirmed by finite differences) gives "
                            f"{name} = {format_value(got)}",
                            path=str(spec.path), where=f"key `expected.{name}`",
                            fix=f"set `{name} = {format_value(got)}` if the function and "
                            "point are right, or fix the function or point")


def _error(spec: Spec, index: int, message: str, fix: str | None = None) -> SpecError:
    return SpecError(message, path=str(spec.path), where=f"answers[{index}]", fix=fix)


def _describe(point: Mapping[str, np.ndarray]) -> str:
    return ", ".join(f"{k} = {format_value(v)}" for k, v in point.items())


# ---------------------------------------------------------------------------
# The two routes, as each kind defines them (grader/kinds)
# ---------------------------------------------------------------------------

def _derived(spec: Spec) -> Spec | None:
    """The spec with its derivative answers only, for a kind that leaves value answers
    (``value = true``: the function itself) to this module; None when none are left."""
    import dataclasses

    kept = tuple(a for a in spec.answers if not a.value)
    return dataclasses.replace(spec, answers=kept) if kept else None


def _values_by_engine(tf: Any, spec: Spec, point: Mapping[str, np.ndarray]) -> dict:
    from grader.kinds import calculus

    held = calculus.tensors(tf, point)
    return {a.name: np.asarray(calculus.as_tensor(tf, a.expression.to_tape(tf, held)).numpy(),
                               dtype=np.float64)
            for a in spec.answers if a.value}


def _engine_answers(spec: Spec, point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    import grader.tape as tf

    kind = kinds.get(spec.kind)
    try:
        if kind.own_values:
            return kind.engine_answers(tf, spec, point)
        derived = _derived(spec)
        out = _values_by_engine(tf, spec, point)
        if derived is not None:
            out.update(kind.engine_answers(tf, derived, point))
        return out
    except SpecError:
        raise
    except Exception as err:  # an engine failure is reported, never a traceback
        raise SpecError(f"the engine could not compute the reference at {_describe(point)}: "
                        f"{type(err).__name__}: {err}", path=str(spec.path),
                        where="key `function`",
                        fix="check that the shapes in the function fit together; if they do, "
                        "this is an engine bug") from err


def finite_difference_answers(spec: Spec, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The second route on its own: every answer by finite differences of numpy."""
    point = {v.name: np.asarray(values[v.name], dtype=np.float64) for v in spec.variables}
    kind = kinds.get(spec.kind)
    if kind.own_values:
        return kind.fd_answers(spec, point)
    out = {a.name: a.expression.evaluate(point) for a in spec.answers if a.value}
    derived = _derived(spec)
    if derived is not None:
        out.update(kind.fd_answers(derived, point))
    return out


def _cross_check(spec: Spec, index: int, answer: AnswerSpec, point: dict[str, np.ndarray],
                 value: np.ndarray, fd: np.ndarray) -> None:
    rtol, route = kinds.get(spec.kind).cross_check_rtol(answer)
    if np.shape(fd) != np.shape(value):
        raise _error(spec, index, f"`{answer.name}`: the engine gives shape {np.shape(value)} "
                     f"but {route} give shape {np.shape(fd)}", "this is an engine bug")
    scale = max(1.0, float(np.max(np.abs(fd), initial=0.0)))
    if not np.allclose(value, fd, rtol=rtol, atol=rtol * scale):
        raise _error(spec, index,
                     f"`{answer.name}` at {_describe(point)}: the engine gives "
                     f"{format_value(value)} but {route} give {format_value(fd)}",
                     "the function may not be differentiable here (e.g. abs or relu at 0, "
                     "sqrt at 0): move the point; otherwise this is an engine bug")
