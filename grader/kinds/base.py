"""What every exercise kind declares, in one class the registry hands out.

A kind is the one place that knows what an exercise of its sort means: which spec
keys it accepts and how they are validated, how the grader computes its reference
answers (two independent routes that must agree), what its notebooks say, what
``grader new`` writes for it, how its answers are judged and explained, and what the
tape's target must have been. Everything else (spec loading, rendering, reference
answers, checking, the command line) asks ``grader.kinds.get(name)`` instead of
comparing the kind's name, so adding a kind is adding one module.

The defaults here are the derivative kinds' behaviour; a kind overrides what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np

from grader.kinds.diagnosis import Pair

if TYPE_CHECKING:  # the spec module imports the registry; only types flow back
    from grader.authoring.spec import AnswerSpec, Spec, VariableSpec, _Reader


def _shown(value: np.ndarray) -> str:
    from grader.authoring.spec import format_value

    return format_value(value)


@dataclass(frozen=True)
class Table:
    """A top-level table of the spec that a kind adds (training's ``[training]``):
    ``parse`` turns its reader into the value the spec keeps under the table's name."""

    parse: Callable[["_Reader"], Any]
    required: bool = True
    fix: str = ""


@dataclass(frozen=True)
class Scaffold:
    """What ``grader new ID --kind KIND`` writes: a spec that validates as it is.

    ``variables`` are (name, point, role, param or "") and ``answers`` (name, of, order
    or 0 for "do not write the key", description); ``extra_toml`` is appended after the
    answers (a kind's own table); ``solution`` is the answer cell's code.
    """

    title: str
    function: str
    statement: str
    steps: tuple[str, ...]
    starter: str
    variables: tuple[tuple[str, str, str, str], ...]
    answers: tuple[tuple, ...]  # (name, of, order, description, extra TOML lines...)
    expected: Mapping[str, str]
    range: str
    solution: str
    extra_toml: str = ""
    rtol: str = "1e-5"
    # The spec's ``requires`` (grader/kinds/requirements.py).
    requires: tuple[str, ...] = ()


class Kind:
    """One kind of exercise. Subclasses set the class attributes and override methods."""

    name: str = ""
    # Where the kind stands in listings and `--kind` choices (lower first).
    rank: int = 100
    summary: str = ""
    # The answers are results of the tape (gradient / jacobian / batch_jacobian), and
    # ``passed`` requires the check that they are.
    tape: bool = True
    # An answer may list several sources (a list of gradients).
    multi_source: bool = True
    # An answer may have ``order`` above 1.
    higher_order: bool = False
    # Tables of the spec's top level this kind adds, by key.
    tables: Mapping[str, Table] = {}
    # The letter the notebook shows the function under.
    letter: str = "f"
    steps: tuple[str, ...] = ()
    scaffold: Scaffold | None = None
    # The kind computes ``value = true`` answers itself (training: the final loss);
    # otherwise the references take them as the function's value at the point.
    own_values: bool = False
    # Draw the function and its tangents in the report (one-variable exercises only).
    plots_tangents: bool = False
    # What a right answer is, in hints: "`grad` is not {what} of the exercise's function".
    what: str = "the derivative"
    # This kind's wording of check hints, by key (grader/grading/check.py DEFAULT_HINTS);
    # a spec's [hints] still come first.
    hints: Mapping[str, str] = {}

    # -- spec ---------------------------------------------------------------------
    def call_mode(self, answer: "AnswerSpec") -> str:
        """How the grader calls a function answer (``grader.kernel.calls``): ``plain``
        passes the parameters as they are (``def df(x0)`` returns the derivative)."""
        return "plain"

    def check_answer(self, reader: "_Reader", answer: "AnswerSpec") -> None:
        """Kind-specific rules for one ``[[answers]]`` table; raise ``reader.error``."""
        if answer.history:
            raise reader.error("history", f"`history` (the loss of every step) needs "
                               f"kind = \"model-training\", this exercise is {self.name!r}")
        if answer.is_list and not self.multi_source:
            raise reader.error("of", f"a {self.name} answer has one variable, found "
                               f"{list(answer.of)}", "use one answer per variable")
        if answer.order > 1 and not self.higher_order:
            raise reader.error("order", f"order {answer.order} needs kind = "
                               f"\"higher-order\", this exercise is {self.name!r}")

    def check_spec(self, reader: "_Reader", spec: "Spec", document: Mapping[str, Any]) -> None:
        """Rules that need the whole spec (e.g. training's trained parameters)."""

    # -- references -------------------------------------------------------------
    def engine_answers(self, tf: Any, spec: "Spec",
                       point: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every answer at ``point`` by the bundled engine in float64."""
        raise NotImplementedError

    def fd_answers(self, spec: "Spec", point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every answer at ``point`` by the independent finite-difference route."""
        raise NotImplementedError

    def cross_check_rtol(self, answer: "AnswerSpec") -> tuple[float, str]:
        """How far the two routes may differ, and how a disagreement names the second."""
        return {1: 1e-6, 2: 1e-4, 3: 1e-3}.get(answer.order, 1e-3), "central finite differences"

    def tape_target(self, spec: "Spec", answer: "AnswerSpec",
                    point: Mapping[str, Any]) -> np.ndarray | None:
        """What the tape's target (the value differentiated) must be at ``point`` for
        ``answer``: the answer's function value for first derivatives; None when the
        kind has no tape check."""
        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        return np.asarray(answer.expression.evaluate(values), dtype=np.float64)

    # -- checking -------------------------------------------------------------------
    def clues(self, spec: "Spec", answer: "AnswerSpec",
              point: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """Quantities at ``point`` a mistaken answer is known to equal, by name, for
        ``diagnose``: the function's value, the derivative one order up or down."""
        from grader.kinds import calculus

        values = {v.name: np.asarray(point[v.name], dtype=np.float64) for v in spec.variables}
        out: dict[str, Any] = {}
        with np.errstate(all="ignore"):
            out["function_value"] = np.asarray(answer.expression.evaluate(values),
                                               dtype=np.float64)
        if answer.is_list:
            return out
        try:
            import grader.tape as tf

            out["next_derivative"] = calculus.engine_derivative(tf, answer, values,
                                                                answer.order + 1)
            if answer.order > 1:
                out["previous_derivative"] = calculus.engine_derivative(
                    tf, answer, values, answer.order - 1)
        except Exception:  # a clue the engine cannot give is simply not offered
            pass
        return out

    def diagnose(self, pairs: Sequence[Pair], *, numpy: bool = False
                 ) -> tuple[str, dict[str, Any]] | None:
        """(hint key, fields) for what a wrong answer's ``pairs`` (every point it was
        graded at, visible first) show, or None when no known mistake fits all of them.
        ``numpy`` says the code calls numpy: a factor or offset is then not claimed,
        since the missing part of the derivative need not be proportional."""
        from grader.kinds import diagnosis as d

        for clue in ("function_value", "next_derivative", "previous_derivative"):
            if d.matches_clue(pairs, clue):
                return clue, {}
        if d.transposed(pairs):
            return "transpose", {}
        if d.negated(pairs):
            return "sign", {}
        if numpy:
            return None
        factor = d.common_factor(pairs)
        if factor is not None:
            return "factor", {"factor": factor}
        offset = d.common_offset(pairs)
        if offset is not None:
            return "offset", {"offset": _shown(offset)}
        var = d.linear_difference(pairs)
        if var is not None:
            return "linear_difference", {"var": var}
        return None

    # -- notebooks ----------------------------------------------------------------
    def held_as(self, var: "VariableSpec") -> str:
        return "`tf.Variable`" if var.role == "variable" else "`tf.constant` (watch it)"

    def answer_text(self, spec: "Spec", answer: "AnswerSpec") -> str:
        """What the instructions say an answer is (without the description)."""
        sources = ", ".join(f"`{s}`" for s in answer.of)
        if answer.is_list:
            return f"the list of gradients with respect to {sources}"
        return f"the gradient with respect to {sources}"

    def function_note(self, spec: "Spec") -> str:
        """A line under the function in the instructions ("" for none)."""
        return ""

    def extra_parameters(self, spec: "Spec") -> list[tuple[str, str]]:
        """(name, literal) the parameters cell sets besides the variables."""
        return []
