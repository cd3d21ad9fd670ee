"""The kernel's watch, in a real graded kernel, without the grader's source scan.

Each notebook rewires one thing the extraction relies on and then computes its answer
honestly; the extraction must still read the answer and say what was replaced (the
scan would also have flagged these notebooks: here the kernel's own report is tested).
One kernel per sandbox-independent case list, run in basic mode.
"""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.grading.execute import run_submission

pytestmark = pytest.mark.slow

ANSWER = ("x = tf.Variable(x0)\nwith tf.GradientTape() as tape:\n    y = x * x\n"
          "grad = tape.gradient(y, x)\n")

REWIRINGS = {
    "compile": ("import builtins\n_real = builtins.compile\n"
                "builtins.compile = lambda *a, **k: _real(*a, **k)\n", "builtins.compile"),
    "transformer": ("get_ipython().input_transformers_post.append(lambda lines: lines)\n",
                    "input_transformers_post"),
    "ast": ("import ast\nclass T(ast.NodeTransformer):\n    pass\n"
            "get_ipython().ast_transformers.append(T())\n", "ast_transformers"),
    "publisher": ("pub = get_ipython().display_pub\n_p = pub.publish\n"
                  "pub.publish = lambda *a, **k: _p(*a, **k)\n", "display publisher"),
    "modules": ("import sys\nsys.modules['grader.kernel.describe'] = sys.modules['json']\n",
                "sys.modules"),
    "tape": ("tf.GradientTape.watch = tf.GradientTape.watch\n"
             "class P(tf.GradientTape):\n    pass\n"
             "import grader.tape.tape as m\nm.GradientTape.gradient = "
             "m.GradientTape.gradient\n", None),
    "listener": ("from grader.tape import provenance\nprovenance._listener = print\n",
                 "listener"),
    "trace": ("import sys\nsys.settrace(lambda *a: None)\n", "trace"),
    "events": ("get_ipython().events.register('pre_run_cell', lambda *a: None)\n",
               "pre_run_cell"),
}


def _run(setup_extra: str):
    cells = [new_code_cell("import grader.tape as tf"), new_code_cell("x0 = 3.0"),
             new_code_cell(setup_extra), new_code_cell(ANSWER)]
    cells[1].metadata["tags"] = ["parameters"]
    cells[3].metadata["tags"] = ["answer"]
    return run_submission(new_notebook(cells=cells), answers=["grad"],
                          visible_point={"x0": 3.0}, cell_timeout=20, total_timeout=40,
                          sandbox="basic")


@pytest.mark.parametrize("name", sorted(REWIRINGS))
def test_a_rewired_interpreter_is_reported_with_the_answer(name):
    code, words = REWIRINGS[name]
    execution = _run(code)
    [run] = execution.runs
    grad = run.answers["grad"]
    assert grad.status == "ok" and grad.value == 6.0, (grad, run.errors)
    if words is None:  # re-assigning the same method is not a replacement
        assert grad.tampered == ()
    else:
        assert any(words in t for t in grad.tampered), grad.tampered


def test_an_untouched_kernel_reports_evidence_and_nothing_replaced():
    execution = _run("import matplotlib\nimport numpy as np\n")
    grad = execution.runs[0].answers["grad"]
    assert grad.tampered == () and grad.from_tape
    [evidence] = grad.evidence
    assert evidence.op == "gradient" and evidence.targets == (9.0,) and evidence.source == 3.0
