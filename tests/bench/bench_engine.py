"""Benchmark the bundled tape engine against TensorFlow eager, PyTorch, HIPS autograd
and the same math with gradients written by hand in numpy.

Usage (from the repository root)::

    python tests/bench/bench_engine.py                 # everything, full repeats
    python tests/bench/bench_engine.py --quick         # few repeats (a smoke run)
    python tests/bench/bench_engine.py --only W1,W3    # some workloads
    python tests/bench/bench_engine.py --frameworks engine,torch --threads 2
    python tests/bench/bench_engine.py --no-import     # skip the import-time probe

Workloads (float32 everywhere):
  W1  derivative of x^2+2x-1 at x=2 with a fresh tape (expect 6)
  W2  nested second derivative of 2x^3+5x^2+3x at x=2 (expect 34)
  W3  linear regression, x=[1,2,3], y=[3,5,7], MSE, SGD lr=0.01, 100 epochs from w=b=0
  W4  784-128-10 relu MLP, batch 64, softmax cross-entropy, 20 SGD steps (lr 0.1)
  W5  jacobian of tanh(W x) with respect to x, W 64x64
  W6  gradient of reduce_sum(matmul(A, B)**2) with respect to A and B, 512x512
  W5M W5 written with tf.linalg.matvec (einsum-style ops in the batched jacobian pass)
  W7  W4 built from tf.keras layers: Sequential(Input, Dense(128, relu), Dense(10)),
      the same weights, loss and 20 SGD steps (tf.keras.optimizers.SGD)

Every framework's answer is checked against the hand-written numpy gradient before
its time is reported, so a fast wrong answer shows as WRONG (and the exit code is 1).
Medians of per-call wall time (the frameworks take turns, call by call) are printed with the ratio engine / other and the
targets: W1-W3 at least 10x faster than TensorFlow eager and faster than PyTorch;
W4-W6 within 1.25x of the fastest of TensorFlow, PyTorch and autograd; W5M within 1.25x
of the engine's own W5 and W7 within 1.25x of the engine's own W4 (both measured in the
same run), and W7 within 1.25x of PyTorch's nn.Linear version; and
``import grader.tape`` at most 50 ms slower than ``import numpy`` (fresh processes).
Every framework runs with the same thread count (``--threads``, default 1): BLAS
through OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads, TensorFlow's intra- and
inter-op pools.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W5M", "W7")
# A workload judged against another of the engine's own, measured in the same run.
SAME_RUN_REFERENCE = {"W5M": "W5", "W7": "W4"}
FRAMEWORKS = ("engine", "tensorflow", "torch", "autograd", "numpy")
# Per-call repeats (full, quick): cheap workloads need many calls for a stable median.
REPEATS = {"W1": (300, 5), "W2": (300, 5), "W3": (15, 1), "W4": (7, 1), "W5": (30, 2),
           "W6": (10, 1), "W5M": (30, 2), "W7": (7, 1)}
TARGETS = {"W1": "<=0.1x TF, <1x torch", "W2": "<=0.1x TF, <1x torch",
           "W3": "<=0.1x TF, <1x torch", "W4": "<=1.25x best", "W5": "<=1.25x best",
           "W6": "<=1.25x best", "W5M": "<=1.25x engine W5", "W7": "<=1.25x engine W4, torch"}
IMPORT_BUDGET_S = 0.050


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats")
    parser.add_argument("--only", default=",".join(WORKLOADS),
                        help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                        help="comma-separated subset of " + ",".join(FRAMEWORKS))
    parser.add_argument("--threads", type=int, default=1, help="threads for every framework")
    parser.add_argument("--no-import", action="store_true", help="skip the import-time probe")
    args = parser.parse_args(argv)
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    args.frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    for w in args.only:
        if w not in WORKLOADS:
            parser.error(f"--only: unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    for f in args.frameworks:
        if f not in FRAMEWORKS:
            parser.error(f"--frameworks: unknown {f!r}; choose from {', '.join(FRAMEWORKS)}")
    return args


def pin_threads(n: int) -> None:
    """Must run before numpy (or any BLAS) is imported."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


# --- shared data and the hand-written numpy reference ------------------------------------

def make_data(np: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    labels = rng.integers(0, 10, size=64)
    return {
        "lr_x": np.array([1.0, 2.0, 3.0], f32), "lr_y": np.array([3.0, 5.0, 7.0], f32),
        "mlp_x": rng.standard_normal((64, 784)).astype(f32),
        "mlp_y": np.eye(10, dtype=f32)[labels],
        "mlp_params": [(rng.standard_normal((784, 128)) * 0.05).astype(f32),
                       np.zeros(128, f32),
                       (rng.standard_normal((128, 10)) * 0.1).astype(f32),
                       np.zeros(10, f32)],
        "jac_w": (rng.standard_normal((64, 64)) * 0.2).astype(f32),
        "jac_x": rng.standard_normal(64).astype(f32),
        "mm_a": rng.standard_normal((512, 512)).astype(f32),
        "mm_b": rng.standard_normal((512, 512)).astype(f32),
    }


def numpy_workloads(np: Any, d: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """The same math with gradients derived by hand: the reference and a baseline."""
    def w1():
        x = np.float32(2.0)
        return 2 * x + 2

    def w2():
        x = np.float32(2.0)
        return 12 * x + 10

    def w3():
        x, y = d["lr_x"], d["lr_y"]
        w = b = np.float32(0.0)
        for _ in range(100):
            err = w * x + b - y
            gw, gb = np.mean(2 * err * x), np.mean(2 * err)
            w, b = w - np.float32(0.01) * gw, b - np.float32(0.01) * gb
        return np.array([w, b])

    def w4():
        x, y = d["mlp_x"], d["mlp_y"]
        w1_, b1, w2_, b2 = (p.copy() for p in d["mlp_params"])
        for _ in range(20):
            pre = x @ w1_ + b1
            h = np.maximum(pre, 0)
            logits = h @ w2_ + b2
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            dlogits = (p - y) / x.shape[0]
            dw2, db2 = h.T @ dlogits, dlogits.sum(0)
            dh = (dlogits @ w2_.T) * (pre > 0)
            dw1, db1 = x.T @ dh, dh.sum(0)
            w1_, b1, w2_, b2 = (w1_ - 0.1 * dw1, b1 - 0.1 * db1, w2_ - 0.1 * dw2,
                                b2 - 0.1 * db2)
        return [w1_, b1, w2_, b2]

    def w5():
        y = np.tanh(d["jac_w"] @ d["jac_x"])
        return (1 - y * y)[:, None] * d["jac_w"]

    def w6():
        a, b = d["mm_a"], d["mm_b"]
        g = 2 * (a @ b)
        return [g @ b.T, a.T @ g]

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W5M": w5, "W7": w4}


# --- the engine and TensorFlow share one implementation (same API) -----------------------

def tape_workloads(tf: Any, d: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    lr_x, lr_y = tf.constant(d["lr_x"]), tf.constant(d["lr_y"])
    mlp_x, mlp_y = tf.constant(d["mlp_x"]), tf.constant(d["mlp_y"])
    jac_w, jac_x = tf.constant(d["jac_w"]), tf.constant(d["jac_x"])
    mm_a, mm_b = tf.constant(d["mm_a"]), tf.constant(d["mm_b"])

    def w1():
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x ** 2 + 2 * x - 1
        return tape.gradient(y, x).numpy()

    def w2():
        x = tf.constant(2.0)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = 2 * x ** 3 + 5 * x ** 2 + 3 * x
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x).numpy()

    def w3():
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        opt = tf.keras.optimizers.SGD(learning_rate=0.01)
        for _ in range(100):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(w * lr_x + b - lr_y))
            grads = tape.gradient(loss, [w, b])
            opt.apply_gradients(zip(grads, [w, b]))
        return [w.numpy(), b.numpy()]

    def w4():
        params = [tf.Variable(p) for p in d["mlp_params"]]
        w1_, b1, w2_, b2 = params
        opt = tf.keras.optimizers.SGD(learning_rate=0.1)
        for _ in range(20):
            with tf.GradientTape() as tape:
                h = tf.nn.relu(tf.matmul(mlp_x, w1_) + b1)
                p = tf.nn.softmax(tf.matmul(h, w2_) + b2)
                loss = -tf.reduce_mean(tf.reduce_sum(mlp_y * tf.math.log(p), axis=1))
            grads = tape.gradient(loss, params)
            opt.apply_gradients(zip(grads, params))
        return [v.numpy() for v in params]

    def w5():
        with tf.GradientTape() as tape:
            tape.watch(jac_x)
            y = tf.reshape(tf.tanh(tf.matmul(jac_w, tf.reshape(jac_x, (64, 1)))), (64,))
        return tape.jacobian(y, jac_x).numpy()

    def w6():
        with tf.GradientTape() as tape:
            tape.watch([mm_a, mm_b])
            loss = tf.reduce_sum(tf.matmul(mm_a, mm_b) ** 2)
        return [g.numpy() for g in tape.gradient(loss, [mm_a, mm_b])]

    def w5m():
        with tf.GradientTape() as tape:
            tape.watch(jac_x)
            y = tf.tanh(tf.linalg.matvec(jac_w, jac_x))
        return tape.jacobian(y, jac_x).numpy()

    def w7():
        model = tf.keras.Sequential([
            tf.keras.Input(shape=(784,)),
            tf.keras.layers.Dense(128, activation="relu", kernel_initializer="zeros"),
            tf.keras.layers.Dense(10, kernel_initializer="zeros"),
        ])
        model.set_weights(d["mlp_params"])
        opt = tf.keras.optimizers.SGD(learning_rate=0.1)
        for _ in range(20):
            with tf.GradientTape() as tape:
                p = tf.nn.softmax(model(mlp_x))
                loss = -tf.reduce_mean(tf.reduce_sum(mlp_y * tf.math.log(p), axis=1))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        return [v.numpy() for v in model.trainable_variables]

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W5M": w5m, "W7": w7}


def torch_workloads(torch: Any, d: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    t = torch.from_numpy
    lr_x, lr_y, mlp_x, mlp_y = t(d["lr_x"]), t(d["lr_y"]), t(d["mlp_x"]), t(d["mlp_y"])
    jac_w, jac_x, mm_a, mm_b = t(d["jac_w"]), t(d["jac_x"]), t(d["mm_a"]), t(d["mm_b"])

    def w1():
        x = torch.tensor(2.0, requires_grad=True)
        y = x ** 2 + 2 * x - 1
        y.backward()
        return x.grad.item()

    def w2():
        x = torch.tensor(2.0, requires_grad=True)
        y = 2 * x ** 3 + 5 * x ** 2 + 3 * x
        (dy,) = torch.autograd.grad(y, x, create_graph=True)
        (d2,) = torch.autograd.grad(dy, x)
        return d2.item()

    def w3():
        w = torch.zeros((), requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=0.01)
        for _ in range(100):
            opt.zero_grad()
            loss = torch.mean((w * lr_x + b - lr_y) ** 2)
            loss.backward()
            opt.step()
        return [w.item(), b.item()]

    def w4():
        params = [t(p.copy()).requires_grad_() for p in d["mlp_params"]]
        w1_, b1, w2_, b2 = params
        opt = torch.optim.SGD(params, lr=0.1)
        for _ in range(20):
            opt.zero_grad()
            h = torch.relu(mlp_x @ w1_ + b1)
            p = torch.softmax(h @ w2_ + b2, dim=1)
            loss = -torch.mean(torch.sum(mlp_y * torch.log(p), dim=1))
            loss.backward()
            opt.step()
        return [p.detach().numpy() for p in params]

    def w5():
        jac = torch.autograd.functional.jacobian(lambda x: torch.tanh(jac_w @ x), jac_x,
                                                 vectorize=True)
        return jac.numpy()

    def w6():
        a = mm_a.clone().requires_grad_()
        b = mm_b.clone().requires_grad_()
        torch.sum((a @ b) ** 2).backward()
        return [a.grad.numpy(), b.grad.numpy()]

    def w7():
        net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        with torch.no_grad():  # nn.Linear keeps (out, in) weights: the same numbers, transposed
            net[0].weight.copy_(t(d["mlp_params"][0]).T)
            net[0].bias.copy_(t(d["mlp_params"][1]))
            net[2].weight.copy_(t(d["mlp_params"][2]).T)
            net[2].bias.copy_(t(d["mlp_params"][3]))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        for _ in range(20):
            opt.zero_grad()
            p = torch.softmax(net(mlp_x), dim=1)
            loss = -torch.mean(torch.sum(mlp_y * torch.log(p), dim=1))
            loss.backward()
            opt.step()
        return [net[0].weight.detach().numpy().T, net[0].bias.detach().numpy(),
                net[2].weight.detach().numpy().T, net[2].bias.detach().numpy()]

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W5M": w5, "W7": w7}


def autograd_workloads(d: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    import autograd
    import autograd.numpy as anp

    f32 = anp.float32
    d1 = autograd.grad(lambda x: x ** 2 + 2 * x - 1)
    d2 = autograd.grad(autograd.grad(lambda x: 2 * x ** 3 + 5 * x ** 2 + 3 * x))

    def lr_loss(params):
        w, b = params
        return anp.mean((w * d["lr_x"] + b - d["lr_y"]) ** 2)

    def mlp_loss(params):
        w1_, b1, w2_, b2 = params
        h = anp.maximum(anp.dot(d["mlp_x"], w1_) + b1, 0.0)
        logits = anp.dot(h, w2_) + b2
        e = anp.exp(logits)
        p = e / anp.sum(e, axis=1, keepdims=True)
        return -anp.mean(anp.sum(d["mlp_y"] * anp.log(p), axis=1))

    lr_grad, mlp_grad = autograd.grad(lr_loss), autograd.grad(mlp_loss)
    jac = autograd.jacobian(lambda x: anp.tanh(anp.dot(d["jac_w"], x)))
    mm_grad = autograd.grad(lambda a, b: anp.sum(anp.dot(a, b) ** 2), argnum=(0, 1))

    def w3():
        params = [f32(0.0), f32(0.0)]
        for _ in range(100):
            params = [p - f32(0.01) * g for p, g in zip(params, lr_grad(params))]
        return params

    def w4():
        params = [p.copy() for p in d["mlp_params"]]
        for _ in range(20):
            params = [p - f32(0.1) * g for p, g in zip(params, mlp_grad(params))]
        return params

    return {"W1": lambda: d1(f32(2.0)), "W2": lambda: d2(f32(2.0)), "W3": w3, "W4": w4,
            "W5": lambda: jac(d["jac_x"]), "W6": lambda: list(mm_grad(d["mm_a"], d["mm_b"])),
            "W5M": lambda: jac(d["jac_x"])}


# --- loading, timing, checking ----------------------------------------------------------

def load_frameworks(names: list[str], threads: int, np: Any,
                    d: dict[str, Any]) -> dict[str, Any]:
    """name -> workload table, or the reason it is unavailable (a string)."""
    loaded: dict[str, Any] = {}
    for name in names:
        try:
            if name == "engine":
                import grader.tape as engine
                loaded[name] = tape_workloads(engine, d)
            elif name == "tensorflow":
                import tensorflow as tf
                tf.get_logger().setLevel("ERROR")  # tape.jacobian's pfor retracing notes
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
                loaded[name] = tape_workloads(tf, d)
            elif name == "torch":
                import torch
                torch.set_num_threads(threads)
                loaded[name] = torch_workloads(torch, d)
            elif name == "autograd":
                loaded[name] = autograd_workloads(d)
            else:
                loaded[name] = numpy_workloads(np, d)
        except ImportError as exc:
            loaded[name] = f"not importable ({exc})"
    return loaded


def close_to(np: Any, got: Any, want: Any) -> bool:
    """Float32 agreement, scaled by the reference's magnitude."""
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(close_to(np, g, w) for g, w in zip(got, want)))
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1.0)
    return bool(np.max(np.abs(got - want)) <= 2e-3 * scale) if want.size else True


def verify(np: Any, fn: Callable[[], Any], reference: Any) -> str:
    """'ok', 'WRONG' or 'ERROR(...)': one call, which doubles as the warm-up."""
    try:
        return "ok" if close_to(np, fn(), reference) else "WRONG"
    except Exception as exc:  # noqa: BLE001 - a crash is reported in the table
        return f"ERROR({type(exc).__name__}: {exc})"[:60]


def interleaved_medians(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds per call of each function, the functions taking turns each round.

    Taking turns spreads a shared machine's changing load over every framework alike,
    so the ratios stay fair even when the absolute times drift.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def fmt_time(seconds: float | None, status: str) -> str:
    if seconds is None:
        return status
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(workload: str, times: dict[str, float | None],
            engine_times: dict[str, float] | None = None) -> str:
    engine = times.get("engine")
    if engine is None:
        return "engine n/a"
    if workload in SAME_RUN_REFERENCE:
        reference = SAME_RUN_REFERENCE[workload]
        parts = []
        if engine_times and engine_times.get(reference):
            ratio = engine / engine_times[reference]
            parts.append(f"{ratio:.2f}x engine {reference} {'ok' if ratio <= 1.25 else 'MISS'}")
        if workload == "W7" and times.get("torch"):
            ratio = engine / times["torch"]
            parts.append(f"{ratio:.2f}x torch {'ok' if ratio <= 1.25 else 'MISS'}")
        return "; ".join(parts) or "no reference"
    if workload in ("W1", "W2", "W3"):
        parts = []
        for other, label, limit in (("tensorflow", "TF", 0.1), ("torch", "torch", 1.0)):
            if times.get(other):
                ratio = engine / times[other]
                parts.append(f"{ratio:.3f}x {label} {'ok' if ratio <= limit else 'MISS'}")
        return "; ".join(parts) or "no rivals"
    rivals = [times[f] for f in ("tensorflow", "torch", "autograd") if times.get(f)]
    if not rivals:
        return "no rivals"
    ratio = engine / min(rivals)
    return f"{ratio:.2f}x best {'ok' if ratio <= 1.25 else 'MISS'}"


def import_seconds(statements: list[str], repeats: int) -> list[tuple[float, float]]:
    """(median, min) wall time of ``python -c STATEMENT`` per statement, fresh processes.

    The statements take turns so that machine load drifts over all of them alike; the
    minimum is the least disturbed run, printed because shared machines are noisy.
    """
    times: list[list[float]] = [[] for _ in statements]
    for _ in range(repeats):
        for i, statement in enumerate(statements):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True)
            times[i].append(time.perf_counter() - start)
    return [(statistics.median(t), min(t)) for t in times]


def importtime_delta_seconds(repeats: int) -> float:
    """Median of (cumulative grader.tape - cumulative numpy) from ``python -X importtime``.

    The same quantity as the wall-time difference, measured inside the interpreter, so
    interpreter start-up and machine noise drop out.
    """
    deltas = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import grader.tape"],
                              check=True, capture_output=True, text=True)
        cumulative = {}
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                cumulative[parts[2].strip()] = int(parts[1]) / 1e6
        deltas.append(cumulative["grader.tape"] - cumulative.get("numpy", 0.0))
    return statistics.median(deltas)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pin_threads(args.threads)
    import numpy as np

    data = make_data(np)
    reference = numpy_workloads(np, data)
    expected = {w: reference[w]() for w in args.only}
    tables = load_frameworks(args.frameworks, args.threads, np, data)
    print(f"threads: {args.threads} for every framework; python {sys.version.split()[0]}, "
          f"numpy {np.__version__}; {'quick' if args.quick else 'full'} repeats; "
          "median wall time per call")
    for name, table in tables.items():
        if isinstance(table, str):
            print(f"  {name}: {table}")
    # Rivals may be absent; the engine, when asked for, must be there.
    failed = isinstance(tables.get("engine"), str)
    columns = list(tables)
    print(f"{'work':<5}" + "".join(f"{c:>14}" for c in columns) + "   target / engine ratio")
    engine_times: dict[str, float] = {}
    for workload in args.only:
        repeats = REPEATS[workload][1 if args.quick else 0]
        status = {name: verify(np, table[workload], expected[workload])
                  for name, table in tables.items() if not isinstance(table, str) and workload in table}
        failed |= any(s != "ok" for s in status.values())
        times: dict[str, float | None] = interleaved_medians(
            {name: tables[name][workload] for name, s in status.items() if s == "ok"}, repeats)
        reference = SAME_RUN_REFERENCE.get(workload)
        if reference and reference not in engine_times and "engine" in times and "engine" in tables:
            # the reference was not asked for: measure it beside this workload, interleaved
            both = interleaved_medians({"ref": tables["engine"][reference],
                                        "now": tables["engine"][workload]}, repeats)
            engine_times[reference], times["engine"] = both["ref"], both["now"]
        if times.get("engine") is not None:
            engine_times.setdefault(workload, times["engine"])
        cells = [fmt_time(times.get(name), status.get(name, "n/a")) for name in columns]
        print(f"{workload:<5}" + "".join(f"{c:>14}" for c in cells)
              + f"   {TARGETS[workload]}: {verdict(workload, times, engine_times)}")
    if not args.no_import:
        repeats = 3 if args.quick else 15
        (base, base_min), (tape, tape_min) = import_seconds(
            ["import numpy", "import grader.tape"], repeats)
        delta = tape - base
        inside = importtime_delta_seconds(repeats)
        print(f"import: numpy {base * 1e3:.1f} ms, grader.tape {tape * 1e3:.1f} ms "
              f"(fresh processes, median of {repeats}; minima {base_min * 1e3:.1f} and "
              f"{tape_min * 1e3:.1f} ms); +{delta * 1e3:.1f} ms over numpy, "
              f"target <= +{IMPORT_BUDGET_S * 1e3:.0f} ms: "
              f"{'ok' if delta <= IMPORT_BUDGET_S else 'MISS'}; -X importtime: "
              f"+{inside * 1e3:.1f} ms over numpy "
              f"{'ok' if inside <= IMPORT_BUDGET_S else 'MISS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
