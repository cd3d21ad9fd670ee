"""Adversarial cases: hostile inputs to the grader itself: huge numbers, deep JSON, odd paths and names.

Each ``Case`` (see ``adversarial_cases``) is one hostile submission and the verdict it
must get; they join the one corpus graded in a batch per sandbox mode. A case's name is
its file name, so the odd-name cases carry their newline, escape codes or workflow
command in the name itself (never a "/", which would make a folder). Symbolic links,
FIFOs, file names that are not UTF-8 and Gradescope uploads need folders of their own:
``tests/batch/``.
"""

from __future__ import annotations

import json

from adversarial_cases import Case, SOLUTION_ANSWER, TIMEOUT, DIED, _hostile  # noqa: F401

# What a report of a deep notebook says.
DEEP = (("levels deep",),)
UNKNOWN = (("does not have", "unknown exercise"),)
FORGED_LINES = "\n::error file=README.md::forged\n##[error]forged too\x1b[31mred\x1b]0;title\x07"


def _deep_metadata(levels: int, closed: bool = True):
    def raw(solution: bytes) -> bytes:
        nb = json.loads(solution)
        nb["metadata"]["deep"] = "@DEEP@"
        text = json.dumps(nb)
        inner = "[" * levels + ("]" * levels if closed else "")
        return text.replace('"@DEEP@"', inner).encode()
    return raw


def _deep_before_metadata(solution: bytes) -> bytes:
    """The nesting comes first, so sniffing the exercise id meets it before the id."""
    nb = json.loads(solution)
    head = '{"aaa": ' + "{\"k\": " * 50_000 + "1" + "}" * 50_000 + ", "
    return (head + json.dumps(nb)[1:]).encode()


def _deep_output(solution: bytes) -> bytes:
    nb = json.loads(solution)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = ["@DEEP@"]
            break
    return json.dumps(nb).replace('"@DEEP@"', '{"a": [' * 3000 + "1" + "]}" * 3000).encode()


def _exercise(value):
    def edit(nb: dict) -> None:
        nb["metadata"]["grader"]["exercise"] = value
    return edit


def _markdown(text: str):
    def edit(nb: dict) -> None:
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "hostile-markdown",
                               "metadata": {}, "source": text})
    return edit


_NESTED_ANSWER = """
grad = 6.0
for _ in range(100_000):
    grad = [grad]
"""

_NAN_FROM_TAPE = """
x = tf.Variable(x0)
with tf.GradientTape() as tape:
    y = tf.sqrt(-(x * x) - 1.0)
grad = tape.gradient(y, x)
"""

CASES: list[Case] = [
    # Numbers no float holds.
    # The kernel refuses to describe them; the grader would read one as an infinity.
    Case("huge_int_answer", "fail", "grad = 10**400\n", words=(("too large", "overflow"),)),
    Case("huge_negative_int_answer", "fail", "grad = -10**400\n",
         words=(("too large", "-inf"),)),
    Case("int_past_the_str_limit", "fail", "grad = 10**5000\n", words=(("grad",),)),
    Case("huge_ints_in_a_list", "fail", "grad = [10**400, -10**400]\n",
         words=(("grad",),)),
    Case("nan_answer", "fail", "grad = float('nan')\n", words=(("nan",),)),
    Case("inf_answer", "fail", "grad = float('inf')\n", words=(("inf",),)),
    Case("nan_tensor_answer", "fail", "grad = tf.constant(float('nan'))\n",
         words=(("nan",),)),
    Case("nan_from_the_tape", "fail", _NAN_FROM_TAPE, words=(("nan",),)),
    Case("bool_answer", "fail", "grad = True\n", words=(("grad",),)),
    Case("complex_answer", "fail", "grad = 6 + 0j\n", words=(("grad",),)),
    Case("answer_nested_100000_deep", "fail", _NESTED_ANSWER, words=(("grad",),)),
    # JSON nested past any notebook: refused before parsing, in the batch's sniff too.
    Case("deep_json_metadata", "ungradable", raw=_deep_metadata(200_000), words=DEEP),
    Case("deep_json_unclosed", "ungradable", raw=_deep_metadata(200_000, closed=False),
         words=DEEP),
    Case("deep_json_before_the_exercise_id", "ungradable", raw=_deep_before_metadata,
         words=DEEP),
    Case("deep_json_in_an_output", "ungradable", raw=_deep_output, words=DEEP),
    Case("nesting_inside_strings_is_not_depth", "pass",
         edit=_markdown("[" * 100_000 + "{" * 100_000)),
    # Which exercise: ids no course has, or that are not ids at all.
    Case("unknown_exercise_id", "ungradable", edit=_exercise("quadratic_derivativ"),
         words=UNKNOWN + (("quadratic_derivative",),)),
    Case("exercise_id_path_traversal", "ungradable",
         edit=_exercise("../../solutions/quadratic_derivative"), words=UNKNOWN),
    Case("exercise_id_forges_commands", "ungradable", edit=_exercise(FORGED_LINES),
         words=UNKNOWN),
    Case("exercise_id_not_a_string", "ungradable", edit=_exercise({"$ref": "x"}),
         words=(("which exercise",),)),
    Case("exercise_id_100k_characters", "ungradable", edit=_exercise("a" * 100_000),
         words=(("characters long",),)),
    # Odd file names: graded like any other, printed and filed escaped.
    Case("name_with_newline\n::error file=README.md::forged", "pass", edit=lambda nb: None),
    Case("name_with_escapes_\x1b[2J\x1b]0;pwned\x07", "pass", edit=lambda nb: None),
    Case("::error::name_is_a_command", "pass", edit=lambda nb: None),
    Case("##[error]name_is_a_v1_command", "pass", edit=lambda nb: None),
    Case("=cmd|' -C calc'!A0", "pass", edit=lambda nb: None),
    Case("\tname_starts_with_a_tab", "pass", edit=lambda nb: None),
    # Odd values: shown escaped, never acted on.
    Case("value_forges_commands", "fail", f"grad = {FORGED_LINES!r}\n", words=(("grad",),)),
    Case("value_is_a_formula", "fail", "grad = \"=cmd|' /C calc'!A0\"\n", words=(("grad",),)),
    Case("exception_forges_commands", "fail", f"raise ValueError({FORGED_LINES!r})\n",
         words=(("valueerror",),)),
    Case("markdown_with_lone_surrogates", "ungradable",
         edit=_markdown("broken \udc80 text \ud800"), words=(("surrogate",),)),
    Case("markdown_with_surrogate_pairs", "pass", edit=_markdown("an emoji \U0001F600, "
                                                                  "escaped as a pair")),
    Case("print_lone_surrogates", "pass",
         _hostile("print('broken \\udc80 text')\nraise_nothing = 1", then_solve=True)),
    Case("markdown_with_nul_and_escapes", "pass",
         edit=_markdown("a NUL \x00, a BEL \x07, a clear-screen \x1b[2J" + FORGED_LINES)),
    Case("source_with_control_characters", "pass",
         _hostile("# a BEL \x07 and an escape \x1b[31m in a comment", then_solve=True)),
]
