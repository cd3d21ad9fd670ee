"""Adversarial cases: forged tape evidence, a rewired kernel, reaching into the engine.

Each fakes "computed with GradientTape" for a derivative written by hand (2*x0 + 2, right
at every point, so only the tape check can fail it). The verdict is always ``fail``;
the words say which defence caught it: the grader's source scan ("held for review"),
or the evidence itself (the tape's source or target was not the exercise's).
"""

from __future__ import annotations

from adversarial_cases import Case

REVIEW = ("held for review",)
NOT_TAPE = ("not a result of tape.gradient",)
SOURCE = ("the tape's source held",)
TARGET = ("the tape differentiated something worth",)

_BY_HAND = "grad = tf.constant(2 * x0 + 2)\n"
_VAR = "x = tf.Variable(x0)\n"


def _forge(code: str) -> str:
    return _VAR + _BY_HAND + code


CASES: list[Case] = [
    # The evidence itself: a tape was used, but not on the exercise's function.
    Case("launder_through_fresh_variable", "fail",
         "s = tf.Variable(1.0)\nc = 2 * x0 + 2\nwith tf.GradientTape() as tape:\n"
         "    y = s * c\ngrad = tape.gradient(y, s)\n", words=(SOURCE,)),
    Case("launder_through_the_point", "fail",
         _VAR + "c = 2 * x0 + 2\nwith tf.GradientTape() as tape:\n    y = x * c\n"
         "grad = tape.gradient(y, x)\n", words=(TARGET,)),
    Case("launder_through_a_constant", "fail",
         "c = tf.constant(x0)\nwith tf.GradientTape() as tape:\n    tape.watch(c)\n"
         "    y = c * (2 * x0 + 2) - c * 0\ngrad = tape.gradient(y, c)\n", words=(TARGET,)),
    Case("tape_at_the_visible_point_only", "fail",
         _VAR + "if x0 == 2.0:\n    with tf.GradientTape() as tape:\n"
         "        y = x**2 + 2*x - 1\n    grad = tape.gradient(y, x)\nelse:\n"
         "    grad = 2 * x0 + 2\n", words=(NOT_TAPE, ("hidden point",))),
    Case("value_copied_from_an_old_tape", "fail",
         "w = tf.Variable(2.0)\nwith tf.GradientTape() as tape:\n    y = w**2 + 2*w - 1\n"
         "g = tape.gradient(y, w)\ngrad = g if x0 == 2.0 else tf.constant(2 * x0 + 2)\n",
         words=(NOT_TAPE,)),
    Case("by_hand_numpy", "fail", "import numpy as np\ngrad = np.float32(2 * x0 + 2)\n",
         words=(NOT_TAPE,)),
    Case("finite_differences", "fail",
         "f = lambda v: v**2 + 2*v - 1\nh = 1e-3\ngrad = tf.constant((f(x0 + h) - f(x0 - h)) / (2*h))\n",
         words=(NOT_TAPE,)),
    # Forging the ledger, the listener or the extraction: caught by the source scan.
    Case("notify_by_hand", "fail",
         _forge("from grader.tape import provenance\n"
                "provenance.notify('gradient', [tf.constant(x0**2 + 2*x0 - 1)], [x], [grad])\n"),
         words=(REVIEW,)),
    Case("notify_by_dunder_import", "fail",
         _forge("p = __import__('grader.tape.provenance', fromlist=['notify'])\n"
                "p.notify('gradient', [tf.constant(x0**2 + 2*x0 - 1)], [x], [grad])\n"),
         words=(REVIEW,)),
    Case("replace_listener", "fail",
         _forge("import grader.tape.provenance as p\np._listener = print\n"), words=(REVIEW,)),
    Case("ledger_through_gc", "fail",
         _forge("import gc\nfor o in gc.get_objects():\n"
                "    if type(o).__name__ == 'Ledger':\n"
                "        o.note('gradient', [tf.constant(x0**2 + 2*x0 - 1)], [x], [grad])\n"),
         words=(REVIEW,)),
    Case("rebind_publish", "fail",
         _forge("import grader.kernel.answers as a\n_real = a.publish\n"
                "def fake(**k):\n    _real(**k)\na.publish = fake\n"), words=(REVIEW,)),
    Case("replace_compile", "fail",
         _forge("import builtins\n_c = builtins.compile\n"
                "builtins.compile = lambda s, *a, **k: _c(s.replace('grad', 'grad'), *a, **k)\n"),
         words=(REVIEW,)),
    Case("input_transformer", "fail",
         _forge("get_ipython().input_transformers_post.append(lambda lines: lines)\n"),
         words=(REVIEW,)),
    Case("display_pub_swap", "fail",
         _forge("ip = get_ipython()\n_p = ip.display_pub.publish\n"
                "ip.display_pub.publish = lambda *a, **k: _p(*a, **k)\n"), words=(REVIEW,)),
    Case("sys_modules_swap", "fail",
         _forge("import sys, types\nsys.modules['grader.kernel.answers'] = types.ModuleType('x')\n"),
         words=(REVIEW,)),
    Case("patch_gradient_method", "fail",
         _forge("tf.GradientTape.gradient = lambda self, y, x, **k: grad\n"), words=(REVIEW,)),
    Case("patch_through_alias", "fail",
         _forge("T = tf.GradientTape\nT.gradient = lambda self, y, x, **k: grad\n"),
         words=(REVIEW,)),
    Case("getattr_by_string", "fail",
         _forge("m = getattr(tf, 'prove' + 'nance', None)\n"), words=(REVIEW,)),
    Case("exec_hidden_code", "fail",
         _forge("exec('import grader.tape.provenance as p')\n"), words=(REVIEW,)),
    Case("frame_walk", "fail",
         _forge("import sys\nf = sys._getframe()\nwhile f.f_back:\n    f = f.f_back\n"),
         words=(REVIEW,)),
    Case("closure_walk", "fail",
         _forge("cells = tf.GradientTape.gradient.__globals__\n"), words=(REVIEW,)),
    Case("edit_tensor_inside", "fail",
         _VAR + "with tf.GradientTape() as tape:\n    y = x * x\n"
         "grad = tape.gradient(y, x)\ngrad._value = grad._value + 2\n", words=(REVIEW,)),
    Case("cell_magic_hides_code", "fail",
         _forge("get_ipython().run_cell('import grader.tape.provenance')\n"), words=(REVIEW,)),
    Case("line_magic_runs_code", "fail", _forge("%time import gc\n"), words=(REVIEW,)),
    Case("pickle_gadget", "fail",
         _forge("import numpy as np\nnp.load('x.npy', allow_pickle=True) if False else None\n"),
         words=(REVIEW,)),
    Case("del_hook_during_extraction", "fail",
         _forge("class Sneaky:\n    def __del__(self):\n        pass\nkeep = Sneaky()\n"),
         words=(REVIEW,)),
]
