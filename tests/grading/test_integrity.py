"""The integrity scan: honest notebooks scan clean, each way behind the engine is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import resources
from grader.authoring import render
from grader.grading import integrity

EXAMPLES = Path(resources.exercises_dir()) / "examples"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("course")
    render.build_course(out, exercises_dir=resources.exercises_dir(),
                        solutions_dir=resources.solutions_dir())
    return out


def _notebooks(course: Path) -> list[Path]:
    return sorted([*(course / "solution").glob("*.ipynb"), *(course / "student").glob("*.ipynb"),
                   *EXAMPLES.glob("*.ipynb")])


def test_every_shipped_solution_starter_and_example_scans_clean(course):
    notebooks = _notebooks(course)
    assert len(notebooks) >= 2 * 13 + 2
    for path in notebooks:
        assert integrity.scan_notebook(json.loads(path.read_text())) == [], path.name


# Honest code a student of this course may write, each of which must scan clean.
HONEST = [
    "import grader.tape as tf\nimport numpy as np\nx = tf.Variable(np.float32(3.0))\n",
    "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'\nimport grader.tape as tf\n",
    "import tensorflow as tf\nx = tf.Variable(2.0)\n",
    "from grader.tape import keras\nopt = keras.optimizers.SGD(learning_rate=0.1)\n",
    "import matplotlib.pyplot as plt\n%matplotlib inline\nplt.plot([1, 2], [3, 4])\n",
    "class Model(tf.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self._w = tf.Variable(1.0)\n    def __call__(self, x):\n        return self._w * x\n",
    "layer = tf.keras.layers.Dense(3)\nlayer.trainable = False\n",
    "print(type(x).__name__, x.__class__.__name__)\n",
    "import sys\nprint(sys.version)\nfrom math import pi\nimport time\nt0 = time.perf_counter()\n",
    "with tf.GradientTape(persistent=True) as tape:\n    y = tf.shape(x)\n"
    "    tape.watch(x)\ndel tape\n",
]


@pytest.mark.parametrize("code", HONEST)
def test_honest_code_scans_clean(code):
    assert integrity.scan_cells([(1, "import grader.tape as tf"), (2, code)]) == []


ATTACKS = [
    ("from grader.tape import provenance", "provenance"),
    ("import grader.tape.provenance as p", "grader.tape.provenance"),
    ("import grader.kernel.answers", "grader.kernel"),
    ("from grader import kernel", "grader.kernel"),
    ("print(tf.provenance)", "provenance"),
    ("import grader\ngrader.kernel.answers.publish = print", "grader.kernel"),
    ("import builtins\nbuiltins.compile = None", "builtins"),
    ("__builtins__['compile'] = None", "__builtins__"),
    ("import sys\nsys.modules['grader.kernel.answers'] = None", "sys.modules"),
    ("import gc\ngc.get_objects()", "gc"),
    ("import ctypes", "ctypes"),
    ("import inspect", "inspect"),
    ("import importlib", "importlib"),
    ("f = getattr(tf, 'Grad' + 'ientTape')", "getattr"),
    ("eval('1')", "eval"),
    ("exec('x = 1')", "exec"),
    ("c = compile('1', 'a', 'eval')", "compile"),
    ("m = __import__('os')", "__import__"),
    ("g = globals()", "globals"),
    ("tf.GradientTape.gradient = lambda *a: 6.0", "attribute of grader.tape"),
    ("G = tf.GradientTape\nG.gradient = lambda *a: 6.0", "attribute of G"),
    ("type(x).numpy = lambda self: 6.0", "returned by a call"),
    ("x._value = 1", "_value"),
    ("f = (lambda: 0).__globals__", "__globals__"),
    ("().__class__.__base__.__subclasses__()", "__subclasses__"),
    ("get_ipython().input_transformers_post.append(str)", "get_ipython"),
    ("%timeit x", "%timeit"),
    ("%%capture\nx = 1", "%capture"),
    ("!cat /etc/passwd", "shell command"),
    ("import os\nos.system('id')", "os.system"),
    ("from os import system", "os.system"),
    ("import numpy as np\nnp.lib.stride_tricks.as_strided(x)", "as_strided"),
    ("import numpy as np\nnp.load('a.npy', allow_pickle=True)", "pickle"),
    ("class A:\n    def __del__(self):\n        pass", "__del__"),
    ("class A:\n    __array_interface__ = {}", "__array_interface__"),
    ("class A(metaclass=M):\n    pass", "metaclass"),
    ("T = type('T', (), {'__del__': print})", "type(name, bases, dict)"),
    ("import threading", "threading"),
    ("import pickle", "pickle"),
    ("from . import x", "relative import"),
    ("open('/proc/self/mem', 'wb')", "open"),
    ("import sys\nsys.settrace(print)", "settrace"),
]


@pytest.mark.parametrize("code,word", ATTACKS)
def test_each_way_behind_the_engine_is_named(code, word):
    found = integrity.scan_cells([(1, "import grader.tape as tf"), (3, code)])
    assert found, code
    assert any(word in f.what for f in found), [f.what for f in found]
    assert all(f.cell == 3 for f in found)
    text = integrity.summary(found)
    assert text.startswith("needs review: ") and "cell 3" in text


def test_the_feedback_cell_is_not_scanned_and_others_are():
    nb = {"cells": [
        {"cell_type": "code", "metadata": {"tags": ["check"]},
         "source": "from grader.inline import show_feedback\nshow_feedback('x', globals())"},
        {"cell_type": "markdown", "metadata": {}, "source": "import ctypes"},
        {"cell_type": "code", "metadata": {}, "source": ["import ", "gc\n"]},
    ]}
    [finding] = integrity.scan_notebook(nb)
    assert finding.cell == 3 and finding.what == "imports gc"


def test_summary_is_short_and_counts_the_rest():
    found = integrity.scan_cells([(1, "import gc\nimport ctypes\nimport inspect\nimport types")])
    text = integrity.summary(found)
    assert text.count("cell 1") == 3 and text.endswith("and 1 more")
    assert integrity.summary([]) is None
