"""``grader new ID --kind KIND``: a commented spec and a solution that validate as they are.

The scaffold is the spec format's documentation by example: every key is written
out with a comment saying what it does, and the numbers are right, so an instructor
starts from a passing ``grader validate`` and changes one thing at a time. The
exercise each kind starts from is its ``Kind.scaffold`` (``grader/kinds/``).
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from grader import kinds
from grader.errors import UsageError
from grader.kinds import requirements

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_HEADER = Template('''\
# Exercise spec for tapegrader. Check it with `grader validate $id`,
# render it with `grader build --out DIR $id`.

id = "$id"                       # must equal the file name (without .toml)
title = "$title"
kind = "$kind"                 # $kinds
dtype = "float32"                 # the float dtype every answer must have
# How the answers must be made, each its own check: $requirements
requires = [$requires]

# The function, in a safe subset of Python: numbers, the variables below,
# + - * / **, unary minus and the engine's math names (sin, exp, log, sqrt, square,
# reduce_sum, reduce_mean, matmul, ... bare or as tf.NAME / tf.math.NAME).
function = "$function"

# Markdown shown to the student above the function, the point and the steps.
statement = \'\'\'
$statement
\'\'\'

# Optional: the numbered steps (a default list per kind is used otherwise).
steps = [
$steps]

# The answer cell as the student receives it. It reads the point from the names the
# parameters cell sets (NAME0 by default, see `param` below), never from numbers:
# the grader re-runs the cell at hidden points.
starter = \'\'\'
$starter
\'\'\'
''')

_FOOTER = '''
[tolerance]                       # |got - want| <= atol + rtol * |want|
rtol = $rtol
atol = 1e-6

[hidden]                          # points the student does not see
count = 3                         # how many
# uniform in [low, high], or `spread = 0.5` (value ± 0.5 * max(|value|, 1));
# `vary` lists the variables that change (default: all)
$range

# Optional hints, shown when a check fails for that reason; keys: none, value, dtype,
# shape, hardcoded, not_tape, runtime_error, sign, factor.
[hints]
none = "Did the computation run inside the `with tf.GradientTape() as tape:` block?"
'''

_VARIABLE = '''
[[variables]]                     # one table per input, in order
name = "{name}"
point = {point}
# point: a number, a nested list, or a creation such as "fill((2, 3), 3.0)"
# dtype = "float32"               # default: float32 for floats, int32 for ints
role = "{role}"
# role: "variable" (a tf.Variable; in training, trained) or "constant" (a tf.constant:
# the student must watch it; in training, data)
{param}
'''

_ANSWER = '''
[[answers]]                       # one table per name the answer cell assigns
name = "{name}"
{of}{order}description = "{description}"
{extra}# Optional: rtol/atol (this answer's tolerance), value = true (the function's value,
# not a derivative), output_gradients = "EXPR", unconnected = "zero", call = "FUNC" with
# args = ["x"] (a function the student defines, called at every point)
'''

def spec_text(exercise_id: str, kind: str) -> str:
    """The commented TOML of a new exercise of ``kind``, from the kind's ``Scaffold``."""
    parts = _scaffold(kind)
    steps = "".join(f'    "{s}",\n' for s in parts.steps)
    text = _HEADER.substitute(id=exercise_id, kind=kind, kinds=" | ".join(kinds.names()),
                              title=parts.title, function=parts.function,
                              statement=parts.statement, steps=steps, starter=parts.starter,
                              requirements=", ".join(requirements.names()),
                              requires=", ".join(f'"{r}"' for r in parts.requires))
    for name, point, role, param in parts.variables:
        param_line = (f'param = "{param}"          # the name the parameters cell assigns'
                      if param else
                      f'# param = "{name}0"              # the name the parameters cell assigns')
        text += _VARIABLE.format(name=name, point=point, role=role, param=param_line)
    for name, of, order, description, *extra in parts.answers:
        order_line = f"order = {order}                         # 2: the second derivative\n" \
            if order else ""
        of_line = (f'of = "{of}"                        # the source variable (a list of '
                   'names gives a list of gradients)\n') if of else ""
        extra_lines = "".join(f"{line}\n" for line in extra)
        text += _ANSWER.format(name=name, of=of_line, order=order_line, description=description,
                               extra=extra_lines)
    text += parts.extra_toml
    if parts.expected:
        text += "\n[expected]                        # optional: checked against the reference\n"
        text += "".join(f"{k} = {v}\n" for k, v in parts.expected.items())
    else:
        text += "\n# [expected] is optional: `grader validate` prints the reference values.\n"
    return text + Template(_FOOTER).substitute(range=parts.range, rtol=parts.rtol)


def _scaffold(kind: str) -> kinds.base.Scaffold:
    if kind not in kinds.names() or kinds.get(kind).scaffold is None:
        offered = [n for n in kinds.names() if kinds.get(n).scaffold is not None]
        raise UsageError(f"unknown kind {kind!r}", fix=f"use one of {', '.join(offered)}")
    return kinds.get(kind).scaffold


def new_exercise(exercise_id: str, *, kind: str, exercises_dir: str | Path,
                 solutions_dir: str | Path) -> list[Path]:
    """Write ``exercises_dir/ID.toml`` and ``solutions_dir/ID.py``; never overwrites."""
    if not _ID.match(exercise_id):
        raise UsageError(f"invalid exercise id {exercise_id!r}",
                         fix="use lower-case letters, digits and _, starting with a letter")
    parts = _scaffold(kind)
    spec_path = Path(exercises_dir) / f"{exercise_id}.toml"
    solution_path = Path(solutions_dir) / f"{exercise_id}.py"
    for path in (spec_path, solution_path):
        if path.exists():
            raise UsageError("already exists; refusing to overwrite", path=str(path),
                             fix="pick another id, or delete the file first")
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    solution_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(spec_text(exercise_id, kind), encoding="utf-8")
    solution_path.write_text(parts.solution, encoding="utf-8")
    return [spec_path, solution_path]
