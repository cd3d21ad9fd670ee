"""The engine against real TensorFlow, program by program (see oracle_programs.py).

Each program is executed twice, once with ``tf`` bound to TensorFlow and once to the
engine; the two runs must agree on everything a student can see: printed output,
values (float32 precision), dtypes, shapes, ``repr`` of every result, and the type
(and key message parts) of any exception.  Skips when TensorFlow is not installed.

``TAPE_UNDER_TEST=tensorflow`` runs TensorFlow against itself, which validates the
corpus and the comparison before the engine exists.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import logging
import os
import re
import types
import warnings
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # TF's float32 rounding, not oneDNN's

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

real_tf = pytest.importorskip("tensorflow")
engine = importlib.import_module(os.environ.get("TAPE_UNDER_TEST", "grader.tape"))

from oracle_programs import PROGRAMS, Program, random_expression  # noqa: E402
import oracle_programs_keras  # noqa: E402,F401 - registers the second wave of programs

pytestmark = pytest.mark.oracle

# Numbers inside printed text: 1, -2.5, 1e-08, 7.389056, nan, inf.
NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|nan|inf)")
# TensorFlow's float32 exp/log/tanh/... (Eigen) and numpy's differ in the last bit for
# some inputs; printed text is compared exactly unless ORACLE_STRICT_PRINT is unset and
# the only differences are such last-digit ones (numbers equal within the tolerance
# that values are compared with, FLOAT_RTOL/FLOAT_ATOL).
STRICT_PRINT = os.environ.get("ORACLE_STRICT_PRINT") == "1"
FLOAT_RTOL, FLOAT_ATOL = 2e-6, 1e-6  # float32 precision, after a few rounded operations
WATCH_INT_WARNING = ("The dtype of the watched tensor must be floating (e.g. tf.float32), "
                     "got tf.int32")


@dataclass
class Outcome:
    stdout: str
    names: dict[str, Any]
    error: BaseException | None
    logs: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(module: Any, source: str) -> Outcome:
    """Execute ``source`` with ``tf`` bound to ``module``; capture output, names, error."""
    namespace: dict[str, Any] = {"tf": module, "np": np, "__name__": "oracle_program"}
    out = io.StringIO()
    records = _Records()
    logging.getLogger().addHandler(records)
    error = None
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compile(source, "<oracle program>", "exec"), namespace)
            except Exception as exc:  # noqa: BLE001 - the exception is what we compare
                error = exc
    finally:
        logging.getLogger().removeHandler(records)
    warned = [w.category.__name__ for w in caught
              if issubclass(w.category, (UserWarning, RuntimeWarning))]
    names = {k: v for k, v in namespace.items()
             if not k.startswith("_") and k not in ("tf", "np")
             and not isinstance(v, (types.ModuleType, types.FunctionType, type))
             and not callable(v)}  # decorated functions, layers and models: compared by what they return
    return Outcome(out.getvalue(), names, error, records.messages, warned)


def describe(value: Any, module: Any) -> Any:
    """A plain, comparable picture of a result: what a student could observe."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return ("py", type(value).__name__, value)
    if hasattr(value, "path") and hasattr(value, "numpy") and hasattr(value, "shape"):
        # A Keras weight: its dtype is a string, and it is no tf.Variable under TensorFlow.
        # Its repr's ", value=..." part is left out: Keras 3 drops it when its numpy
        # conversion fails, which it does for assigned weights once the program has ended.
        return ("keras_variable", value.path, value.name, str(value.dtype), tuple(value.shape),
                value.trainable, np.asarray(value.numpy()), repr(value).split(", value=")[0].rstrip(">"))
    if hasattr(value, "numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):
        kind = "Variable" if isinstance(value, module.Variable) else "Tensor"
        return ("tensor", kind, value.dtype.name, tuple(value.shape.as_list()),
                np.asarray(value.numpy()), repr(value))
    if hasattr(value, "as_numpy_dtype") and hasattr(value, "is_floating"):
        return ("dtype", value.name, repr(value))
    if hasattr(value, "as_list"):
        return ("shape", tuple(value.as_list()), str(value))
    if isinstance(value, (np.ndarray, np.generic)):
        return ("ndarray", str(value.dtype), value.shape, np.asarray(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [describe(v, module) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: describe(v, module) for k, v in value.items()})
    return ("opaque",)


def _same_numbers(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, equal_nan=True))
    return bool(np.array_equal(a, b))


def differences(expected: Any, got: Any, path: str) -> list[str]:
    """Where the engine's picture differs from TensorFlow's, one line each."""
    if expected[0] != got[0]:
        return [f"{path}: TensorFlow gives {expected[0]} {expected[1:]!r}, "
                f"engine {got[0]} {got[1:]!r}"]
    kind = expected[0]
    if kind in ("list", "tuple"):
        if len(expected[1]) != len(got[1]):
            return [f"{path}: length {len(expected[1])} vs {len(got[1])}"]
        return [d for i, (e, g) in enumerate(zip(expected[1], got[1]))
                for d in differences(e, g, f"{path}[{i}]")]
    if kind == "dict":
        if set(expected[1]) != set(got[1]):
            return [f"{path}: keys {sorted(expected[1])} vs {sorted(got[1])}"]
        return [d for k in expected[1] for d in differences(expected[1][k], got[1][k],
                                                            f"{path}[{k!r}]")]
    if kind == "tensor":
        out = []
        for label, i in (("kind", 1), ("dtype", 2), ("shape", 3)):
            if expected[i] != got[i]:
                out.append(f"{path}: {label} {expected[i]!r} (TensorFlow) vs {got[i]!r} (engine)")
        if not out and not _same_numbers(expected[4], got[4]):
            out.append(f"{path}: values {expected[4]!r} (TensorFlow) vs {got[4]!r} (engine)")
        if not same_text(expected[5], got[5]):
            out.append(f"{path}: repr\n    TensorFlow: {expected[5]}\n    engine:     {got[5]}")
        return out
    if kind == "keras_variable":
        out = [f"{path}: {label} {expected[i]!r} (TensorFlow) vs {got[i]!r} (engine)"
               for label, i in (("path", 1), ("name", 2), ("dtype", 3), ("shape", 4), ("trainable", 5))
               if expected[i] != got[i]]
        if not out and not _same_numbers(expected[6], got[6]):
            out.append(f"{path}: values {expected[6]!r} (TensorFlow) vs {got[6]!r} (engine)")
        if not same_text(expected[7], got[7]):
            out.append(f"{path}: repr\n    TensorFlow: {expected[7]}\n    engine:     {got[7]}")
        return out
    if kind == "ndarray":
        if expected[1] != got[1] or not _same_numbers(expected[3], got[3]):
            return [f"{path}: numpy {expected[1]} {expected[3]!r} vs {got[1]} {got[3]!r}"]
        return []
    if kind == "py" and expected[1] == "float" and got[1] == "float":
        if not np.isclose(expected[2], got[2], rtol=FLOAT_RTOL, atol=FLOAT_ATOL):
            return [f"{path}: {expected[2]!r} (TensorFlow) vs {got[2]!r} (engine)"]
        return []
    if expected != got:
        return [f"{path}: {expected!r} (TensorFlow) vs {got!r} (engine)"]
    return []


def same_text(expected: str, got: str) -> bool:
    """Equal printed text, allowing last-bit float32 differences (see STRICT_PRINT)."""
    if expected == got:
        return True
    if STRICT_PRINT:
        return False
    skeleton = lambda text: NUMBER.sub("#", text).replace(" ", "")  # noqa: E731
    if skeleton(expected) != skeleton(got):
        return False
    a = np.array([float(n) for n in NUMBER.findall(expected)])
    b = np.array([float(n) for n in NUMBER.findall(got)])
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=FLOAT_RTOL, atol=FLOAT_ATOL,
                                                   equal_nan=True))


def _error_class(module: Any, name: str) -> type:
    return getattr(module.errors, name, None) or getattr(builtins, name)


def check_program(prog: Program) -> None:
    want = run(real_tf, prog.source)
    got = run(engine, prog.source)
    problems: list[str] = []
    if prog.error:
        assert want.error is not None and type(want.error).__name__ == prog.error, (
            f"the corpus is wrong: TensorFlow raised {want.error!r}, not {prog.error}")
        if not isinstance(got.error, _error_class(engine, prog.error)):
            problems.append(f"exception: TensorFlow raises {prog.error}({want.error}), "
                            f"engine {got.error!r}")
        else:
            for part in prog.both:
                assert part in str(want.error), f"the corpus is wrong: {part!r} not in TF's"
                if part not in str(got.error):
                    problems.append(f"message lacks {part!r}: {got.error}")
            for part in prog.engine if engine is not real_tf else ():
                if part not in str(got.error):
                    problems.append(f"engine message lacks {part!r}: {got.error}")
    else:
        assert want.error is None, f"the corpus is wrong: TensorFlow raised {want.error!r}"
        if got.error is not None:
            problems.append(f"engine raised {got.error!r}")
    if want.warned != got.warned:
        problems.append(f"warnings: TensorFlow {want.warned}, engine {got.warned}")
    if not same_text(want.stdout, got.stdout):
        problems.append(f"printed output differs\n--- TensorFlow\n{want.stdout}"
                        f"--- engine\n{got.stdout}")
    for name in want.names:
        if name not in got.names:
            problems.append(f"{name}: missing in the engine run")
            continue
        problems += differences(describe(want.names[name], real_tf),
                                describe(got.names[name], engine), name)
    assert not problems, f"program {prog.name}:\n{prog.source}\n" + "\n".join(problems)


def test_corpus_is_large_enough():
    assert len(PROGRAMS) >= 40
    assert len({p.name for p in PROGRAMS}) == len(PROGRAMS)


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.name)
def test_program_matches_tensorflow(prog):
    check_program(prog)


def _course_programs() -> list[Any]:
    """Every reference solution of the course, at its visible and hidden points."""
    from grader.grading.points import grading_points
    from grader.authoring.render import parameters_source, solution_source
    from grader.resources import exercises_dir, solutions_dir
    from grader.authoring.spec import load_course

    cases = []
    for spec in load_course(exercises_dir()):
        solution = solution_source(spec, solutions_dir())
        for point in grading_points(spec, seed=0):
            source = parameters_source(spec, point.values) + "\n" + solution
            cases.append(pytest.param(Program(f"{spec.id}@{point.label}", source),
                                      id=f"{spec.id}-{point.label.replace(' ', '-')}"))
    return cases


@pytest.mark.parametrize("prog", _course_programs())
def test_course_solution_matches_tensorflow(prog):
    """The course's own solutions, as a student would run them, at every grading point."""
    check_program(prog)


def test_watching_an_integer_logs_tensorflows_warning():
    source = "n = tf.constant(3)\nwith tf.GradientTape() as t:\n    t.watch(n)\n"
    want = run(real_tf, source)
    got = run(engine, source)
    assert got.error is None and want.error is None
    assert any(WATCH_INT_WARNING in m for m in got.logs), got.logs
    # TensorFlow logs it only the first 5 times per process (log_first_n).
    assert not want.logs or any(WATCH_INT_WARNING in m for m in want.logs), want.logs


def test_comparison_notices_a_difference():
    """The comparison itself must be able to fail."""
    a = describe(real_tf.constant([1.0, 2.0]), real_tf)
    assert differences(a, describe(real_tf.constant([1.0, 2.5]), real_tf), "x")
    assert differences(a, describe(real_tf.constant([1.0, 2.0], real_tf.float64), real_tf), "x")
    assert differences(a, describe(real_tf.Variable([1.0, 2.0]), real_tf), "x")
    assert not differences(a, describe(real_tf.constant([1.0, 2.0]), real_tf), "x")


def test_printed_text_tolerates_only_last_bit_differences():
    assert same_text("[2.7182817 7.389056 ]", "[2.718282  7.3890557]") != STRICT_PRINT
    assert not same_text("[2.7182817 7.389056 ]", "[2.7182 7.389056]")
    assert not same_text("tf.Tensor(47.0, shape=(), dtype=float32)",
                         "tf.Tensor(47.0, shape=(), dtype=float64)")
    assert not same_text("shape=(2, 3)", "shape=(3, 2)")
    assert not same_text("array([1., 2.])", "array([1, 2])")


# --- random programs: values, first and second derivatives in float64 ----------------------

_RNG = np.random.default_rng(7)
FUZZ_INPUTS = {"x": _RNG.uniform(-2, 2, (3, 4)), "y": _RNG.uniform(-2, 2, (4,)),
               "s": np.array(0.7), "c": np.array(0.5)}
FUZZ_PROJECTIONS = [_RNG.standard_normal(FUZZ_INPUTS[k].shape) for k in ("x", "y", "s")]


def _jacobian(tf: Any, tape: Any, target: Any, source: Any, unconnected: Any = None) -> Any:
    """The engine's ``tape.jacobian``; for TensorFlow the same matrix row by row.

    TensorFlow's own jacobian traces a tf.function per call (~0.15 s each), too slow
    for a fuzz test; one ``gradient`` per output element with a one-hot
    ``output_gradients`` gives the same rows (None when no row is connected).
    """
    kwargs = {} if unconnected is None else {"unconnected_gradients": unconnected}
    if tf is not real_tf:
        return tape.jacobian(target, source, **kwargs)
    shape = target.shape.as_list() + source.shape.as_list()
    if not target.dtype.is_floating:  # what TF's jacobian gives for an int/bool target
        return None if unconnected is None else tf.zeros(shape, dtype=source.dtype)
    size = int(np.prod(target.shape.as_list()))
    rows = []
    for i in range(size):
        seed = np.zeros(size, dtype=target.dtype.as_numpy_dtype)
        seed[i] = 1
        rows.append(tape.gradient(target, source, output_gradients=tf.constant(
            seed.reshape(target.shape.as_list())), **kwargs))
    if all(r is None for r in rows):
        return None
    rows = [tf.zeros_like(source) if r is None else tf.convert_to_tensor(r) for r in rows]
    return tf.reshape(tf.stack(rows), shape)  # convert: tf.gather's gradient is IndexedSlices


def derivatives(module: Any, code: str, dtype: str) -> Any:
    """Value, gradients, Hessian-vector products and jacobians of ``code`` w.r.t. x, y, s.

    The jacobians (of the output, and of the gradient: the Hessian) go through the
    engine's batched backward pass, the gradients through the plain one.
    """
    tf = module
    env = {k: tf.constant(v.astype(dtype)) for k, v in FUZZ_INPUTS.items()}
    sources = [env["x"], env["y"], env["s"]]
    zero = tf.UnconnectedGradients.ZERO
    try:
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(sources)
            with tf.GradientTape(persistent=True) as inner:
                inner.watch(sources)
                out = eval(code, {"tf": tf}, env)  # noqa: S307 - generated from a grammar
            grads = [None if g is None else tf.convert_to_tensor(g)  # IndexedSlices (gather)
                     for g in inner.gradient(out, sources)]
            total = tf.constant(0.0, dtype=dtype)
            for g, u in zip(grads, FUZZ_PROJECTIONS):
                if g is not None:
                    total = total + tf.reduce_sum(g * tf.constant(u.astype(dtype)))
        second = outer.gradient(total, sources, unconnected_gradients=zero)
        jacobian = _jacobian(tf, inner, out, env["x"], zero)
        hessian = _jacobian(tf, outer, grads[0], env["x"]) if grads[0] is not None else None
    except Exception as exc:  # noqa: BLE001 - compared with TensorFlow's
        return type(exc).__name__
    plain = lambda t: None if t is None else (t.dtype.name, np.asarray(t.numpy()))  # noqa: E731
    return [plain(out), [plain(g) for g in grads], [plain(g) for g in second],
            [plain(jacobian), plain(hessian)]]


# (rtol, atol relative to the largest magnitude, at least 1). float64: tight. float32: the
# same programs at float32 precision, loose enough for cancellation (1 - tanh^2 near
# saturation) yet catching any silent promotion to float64 (dtypes compare exactly).
FUZZ_TOLERANCE = {"float64": (1e-7, 1e-9), "float32": (2e-3, 2e-3)}


def _numbers_differ(want: Any, got: Any, tolerance: tuple[float, float]) -> bool:
    if want is None or got is None:
        return (want is None) != (got is None)
    (want_dtype, want), (got_dtype, got) = want, got
    if want_dtype != got_dtype or want.shape != got.shape:
        return True
    rtol, atol = tolerance
    scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1.0)
    return not np.allclose(got, want, rtol=rtol, atol=atol * scale, equal_nan=True)


# Ops the engine offers beyond TAPE_API.md: checked the same way, one expression each.
# (Not tf.math.is_finite: TensorFlow raises LookupError for its gradient, the engine None.)
EXTRA_EXPRESSIONS = [
    "tf.gather(x, [2, 0], axis=0)", "tf.gather(x, [3, 1, 1], axis=1) * x[:, :3]",
    "tf.one_hot([0, 2], 4, dtype=x.dtype) * y", "tf.norm(x)", "tf.norm(x, axis=1)",
    "tf.norm(x, ord=1)", "tf.clip_by_value(x, -0.5, 0.5)", "tf.add_n([x, x * y, tf.sin(x)])",
    "tf.tile(y, [2])", "tf.tile(x, [2, 1])", "tf.unstack(x)[1] * 2.0",
    "tf.reduce_logsumexp(x, axis=1)", "tf.reduce_logsumexp(x)", "tf.nn.log_softmax(x)",
    "tf.nn.leaky_relu(x)", "tf.nn.leaky_relu(x, alpha=0.3)",
    # (labels computed from x would expose TF's wrong second derivative through labels)
    "tf.nn.softmax_cross_entropy_with_logits(labels=tf.nn.softmax(c * tf.ones_like(x)), logits=x)",
    "tf.nn.softmax_cross_entropy_with_logits(labels=tf.nn.softmax(y), logits=x)",
    "tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.sigmoid(x), logits=x * 2.0)",
    "tf.nn.l2_loss(x)", "tf.math.squared_difference(x, y)", "tf.math.reduce_std(x, axis=0)",
    "tf.math.reduce_variance(x)", "tf.math.rsqrt(x * x + 1.0)", "tf.math.expm1(x)",
    "tf.math.divide_no_nan(x, y)", "tf.math.divide_no_nan(x, y * 0.0)", "tf.sign(x) * x",
    "tf.round(x * 3.0) + x", "tf.floor(x) * x", "tf.math.ceil(x) + x",
    "tf.broadcast_to(y, (3, 4)) * x", "tf.linalg.trace(tf.matmul(x, tf.transpose(x)))",
    "tf.linalg.matvec(x, y)", "tf.linalg.matrix_transpose(x) * 2.0", "tf.linalg.norm(x)",
    "tf.math.truediv(x, y)", "tf.where(tf.math.logical_and(x > 0, x < 1), x, -x)",
    "tf.cast(tf.argmax(x, axis=1), x.dtype) * s", "tf.math.floormod(x, 0.7)",
    "tf.math.floordiv(x, 0.7)", "tf.math.pow(x * x + 1, y)",
    # the second wave
    "tf.nn.elu(x)", "tf.nn.elu(x * y) * x", "tf.pad(x, [[1, 0], [0, 2]]) * 2.0",
    "tf.pad(x * x, [[1, 1], [2, 1]], 'REFLECT')", "tf.pad(tf.sin(x), [[2, 1], [1, 3]], mode='SYMMETRIC')",
    "tf.pad(x, [[0, 1], [1, 0]], constant_values=2.0) * x[0, 0]",
    "tf.meshgrid(y, x[0])[0] * tf.meshgrid(y, x[0])[1]", "tf.meshgrid(x[1], y, indexing='ij')[1] * s",
    "tf.linalg.solve(x[:, :3] + 3.0 * tf.eye(3, dtype=x.dtype), x)",
    "tf.linalg.solve(x[:, :3] + 3.0 * tf.eye(3, dtype=x.dtype), x, adjoint=True)",
    "tf.clip_by_norm(x, 1.0)", "tf.clip_by_norm(x, 1.5, axes=[1])", "tf.clip_by_norm(x * s, 100.0)",
    "tf.clip_by_global_norm([x, y], 2.0)[0][0]", "tf.clip_by_global_norm([x, y * s], 2.0)[0][1]",
    "tf.linalg.global_norm([x, y * s])", "tf.clip_by_value(x, y[:1], s)",
    "tf.einsum('ij,j->i', x, y)", "tf.einsum('ij,kj->ik', x, x)", "tf.einsum('ij,ij->j', x, tf.sin(x))",
    "tf.linalg.matvec(x, y) * tf.linalg.matvec(x, tf.cos(y))", "tf.linalg.matvec(x, x[0], transpose_a=True)",
    "tf.stop_gradient(x * y) * x",
]


@pytest.mark.parametrize("dtype", sorted(FUZZ_TOLERANCE))
@pytest.mark.parametrize("code", EXTRA_EXPRESSIONS)
def test_extra_op_derivatives_match_tensorflow(code, dtype):
    """Names the engine exports beyond TAPE_API.md behave as TensorFlow's do."""
    _compare_derivatives(code, dtype)


@st.composite
def expressions(draw):
    return random_expression(draw, st, depth=draw(st.integers(1, 4)))[0]


@pytest.mark.parametrize("dtype", sorted(FUZZ_TOLERANCE))
@given(code=expressions())
@settings(max_examples=int(os.environ.get("ORACLE_FUZZ_EXAMPLES", "100")), derandomize=True,
          deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_random_program_derivatives_match_tensorflow(dtype, code):
    """Random op compositions (ORACLE_FUZZ_EXAMPLES of them; more for a bug hunt)."""
    _compare_derivatives(code, dtype)


def _compare_derivatives(code: str, dtype: str) -> None:
    want = derivatives(real_tf, code, dtype)
    got = derivatives(engine, code, dtype)
    if isinstance(want, str) or isinstance(got, str):
        assert want == got, f"{code}: TensorFlow {want!r}, engine {got!r}"
        return
    labels = (["value"] + [f"d/d{k}" for k in "xys"] + [f"hvp d/d{k}" for k in "xys"]
              + ["jacobian wrt x", "hessian wrt x"])
    flat_want = [want[0], *want[1], *want[2], *want[3]]
    flat_got = [got[0], *got[1], *got[2], *got[3]]
    bad = [f"{label}: TensorFlow {w!r}\n  engine {g!r}"
           for label, w, g in zip(labels, flat_want, flat_got)
           if _numbers_differ(w, g, FUZZ_TOLERANCE[dtype])]
    assert not bad, f"[{dtype}] {code}\n" + "\n".join(bad)


_FutureFeature = type(__import__("__future__").annotations)  # `from __future__ import ...`
# Names TAPE_API.md asks for although TensorFlow itself lacks them ("the same under tf.math").
API_EXTRAS = {"math": {"einsum", "matmul", "where"}}
NAMESPACES = ["", "math", "nn", "linalg", "random", "keras", "keras.optimizers", "keras.losses",
              "errors", "keras.layers", "keras.initializers", "keras.activations", "keras.metrics",
              "keras.regularizers", "keras.utils", "keras.backend"]


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda n: "tf." + n if n else "tf")
def test_namespaces_expose_no_names_tensorflow_lacks(namespace):
    """Code that runs on the engine must run on TensorFlow: no helper function, class or
    constant leaks into ``tf``, ``tf.nn``, ... as a public name (``tf.nn.square`` would
    work here and fail there).  Submodules and imported modules are left out: nobody
    calls ``tf.tape``."""
    def resolve(module):
        for part in filter(None, namespace.split(".")):
            module = getattr(module, part)
        return module

    theirs, ours = resolve(real_tf), resolve(engine)
    extra = sorted(name for name in dir(ours) if not name.startswith("_")
                   and not hasattr(theirs, name) and name not in API_EXTRAS.get(namespace, ())
                   and not isinstance(getattr(ours, name), (types.ModuleType, _FutureFeature)))
    assert not extra, f"tf.{namespace or ''} exposes names TensorFlow lacks: {extra}"
