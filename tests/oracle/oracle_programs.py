"""The oracle corpus: small student-style programs run under TensorFlow and the engine.

Each program refers to ``tf`` (and ``np``) only; the test binds ``tf`` to each module in
turn.  Every top-level name a program leaves behind (except ``_private`` ones, modules,
functions and classes) is compared: value, dtype, shape and ``repr``; so is everything
it prints.  A program that must fail declares the exception type and the message parts
both libraries (``both``) or the engine alone (``engine``) must show.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    name: str
    source: str
    error: str | None = None       # exception class name both must raise
    both: tuple[str, ...] = ()     # message parts in both messages
    engine: tuple[str, ...] = ()   # message parts in the engine's message only


PROGRAMS: list[Program] = []


def program(name: str, source: str, **expect: object) -> None:
    PROGRAMS.append(Program(name, textwrap.dedent(source).strip() + "\n", **expect))


# --- the tutorials, paraphrased ------------------------------------------------------

program("derivative_at_a_point", """
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        f = x ** 2 + 2 * x - 1
    grad = tape.gradient(f, x)
    print(grad)
    print("f =", f.numpy(), "df/dx =", grad.numpy())
""")

program("square_of_variable_fstrings", """
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v
    dy = tape.gradient(y, v)
    print(f"y: {y}")
    print(f"dy/dv: {dy.numpy()}")
""")

program("two_sources_list", """
    a = tf.Variable(tf.fill((2, 3), 3.0))
    c = tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(a * a + 2 * c)
    grads = tape.gradient(y, [a, c])
    print(f"y = {y}")
    print(grads[0].numpy())
    print(grads[1].numpy())
""")

program("sum_then_square_of_ones", """
    x = tf.ones((2, 3))
    with tf.GradientTape() as t:
        t.watch(x)
        s = tf.reduce_sum(x)
        z = tf.square(s)
    dz_dx = t.gradient(z, x)
    print(dz_dx)
    print(repr(x))
""")

program("cubic_on_watched_constant", """
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
    dy_dx = t.gradient(y, x)
    print(dy_dx)
""")

program("nested_second_derivative", """
    x = tf.Variable(2.0)
    with tf.GradientTape() as t1:
        with tf.GradientTape() as t2:
            y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t1.gradient(dy_dx, x)
    print(dy_dx)
    print(d2y_dx2)
""")

program("nested_watch_on_constant", """
    x = tf.constant(5.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        first = inner.gradient(y, x)
    second = outer.gradient(first, x)
    print("first:", first)
    print("second:", second)
""")

program("third_derivative_three_tapes", """
    x = tf.Variable(1.5)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = tf.sin(x) * x
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
""")

program("non_persistent_reuse", """
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    first = t.gradient(y, x)
    second = t.gradient(y, x)
""", error="RuntimeError",
    both=("A non-persistent GradientTape can only be used to compute one set of "
          "gradients (or jacobians)",))

program("non_persistent_jacobian_reuse", """
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    j = t.jacobian(y, x)
    again = t.gradient(y, x)
""", error="RuntimeError", both=("non-persistent GradientTape",))

program("persistent_tape_two_gradients", """
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = 2 * (x ** 3) + 5 * (x ** 2) + 3 * x
        z = y * y * y * y
    dy_dx = t.gradient(y, x)
    dz_dy = t.gradient(z, y)
    dz_dx = t.gradient(z, x)
    del t
    print(dy_dx, dz_dy, dz_dx)
""")

program("linear_regression_sgd_module", """
    class Line(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(0.0)
            self.b = tf.Variable(0.0)

        def __call__(self, x):
            return self.w * x + self.b

    model = Line()
    xs = tf.constant([1.0, 2.0, 3.0])
    ys = tf.constant([3.0, 5.0, 7.0])
    opt = tf.keras.optimizers.SGD(learning_rate=0.01)
    for epoch in range(100):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(ys - model(xs)))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        if epoch % 20 == 0:
            print(f"epoch {epoch}: loss {loss.numpy():.4f}")
    print(f"w={model.w.numpy():.4f} b={model.b.numpy():.4f}")
    w, b = model.w, model.b
    steps = int(opt.iterations.numpy())
""")

# --- dtype rules -----------------------------------------------------------------------

program("dtype_of_python_and_numpy_values", """
    f = tf.constant(1.5)
    i = tf.constant(2)
    b = tf.constant(True)
    fl = tf.constant([1, 2.5])
    il = tf.constant([[1, 2], [3, 4]])
    f64 = tf.constant(np.array([1.0, 2.0]))
    f32 = tf.constant(np.array([1.0, 2.0], dtype=np.float32))
    i64 = tf.constant(np.array([1, 2], dtype=np.int64))
    forced = tf.constant(3, dtype=tf.float32)
    shaped = tf.constant(0.5, shape=(2, 2))
    conv = tf.convert_to_tensor([1.0, 2.0], dtype=tf.float64)
    for t in (f, i, b, fl, il, f64, f32, i64, forced, shaped, conv):
        print(t.dtype, t.dtype.name, t.shape)
""")

program("dtype_objects", """
    names = [d.name for d in (tf.float16, tf.float32, tf.float64, tf.int32, tf.int64, tf.bool)]
    floating = [d.is_floating for d in (tf.float16, tf.float32, tf.float64, tf.int32, tf.bool)]
    integer = [d.is_integer for d in (tf.float32, tf.int32, tf.int64, tf.bool)]
    same = tf.as_dtype("float32") == tf.float32
    from_numpy = tf.as_dtype(np.float64)
    np_type = tf.float32.as_numpy_dtype == np.float32
    print(tf.float32, repr(tf.int64), tf.as_dtype("bool"))
""")

program("python_scalar_takes_tensor_dtype", """
    d = tf.constant(1.0, dtype=tf.float64)
    r1 = d + 2.5
    r2 = 2.5 * d
    n = tf.constant([1, 2])
    r3 = n * 3
    r4 = 10 - n
    r5 = tf.constant([1.0, 2.0]) + 1
""")

program("mixed_float32_float64", """
    a = tf.constant(1.0)
    b = tf.constant(1.0, dtype=tf.float64)
    c = a + b
""", error="InvalidArgumentError", engine=("float32", "float64"))

program("mixed_float32_int32", """
    a = tf.constant([1.0, 2.0])
    b = tf.constant([1, 2])
    c = tf.multiply(a, b)
""", error="InvalidArgumentError", engine=("float32", "int32"))

program("int_tensor_plus_python_float", """
    n = tf.constant([1, 2])
    r = n + 0.5
""", error="InvalidArgumentError")

program("float_into_int_constant", """
    t = tf.constant(1.5, dtype=tf.int32)
""", error="TypeError")

program("ragged_list", """
    t = tf.constant([[1, 2], [3]])
""", error="ValueError")

# --- printing --------------------------------------------------------------------------

program("print_scalars", """
    s = tf.constant(47.0)
    print(s)
    print(repr(s))
    print(tf.constant(3))
    print(repr(tf.constant(False)))
    print(tf.constant(0.1, dtype=tf.float64))
    print(repr(tf.constant(-2.5)))
""")

program("print_vectors_and_matrices", """
    v = tf.constant([0.5, 1.25, -3.0])
    m = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    k = tf.constant([[1, 2], [3, 4]])
    e = tf.zeros((0,))
    print(v)
    print(m)
    print(k)
    print(repr(v))
    print(repr(m))
    print(repr(k))
    print(e, repr(e))
""")

program("print_bool_and_3d", """
    bools = tf.constant([True, False, True])
    cube = tf.reshape(tf.range(8), (2, 2, 2))
    print(bools)
    print(repr(bools))
    print(cube)
    print(repr(tf.cast(cube, tf.float64)))
""")

program("print_variables", """
    v = tf.Variable(3.0)
    m = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    n = tf.Variable([1, 2, 3])
    named = tf.Variable(1.0, name="weight")
    frozen = tf.Variable(2.0, trainable=False)
    print(v)
    print(repr(m))
    print(n)
    print(named.name, named)
    print(frozen.trainable, v.trainable, v.dtype, m.shape)
""")

program("variable_updates", """
    v = tf.Variable(1.0)
    v.assign(4.0)
    a = v.read_value()
    v.assign_add(2.0)
    b = v.read_value()
    v.assign_sub(0.5)
    w = tf.Variable([1.0, 2.0])
    w.assign([3.0, 4.0])
    plus = v + 1.0
    times = w * v
    print(v, plus)
""")

program("variable_from_float64_and_int", """
    d = tf.Variable(np.array([1.0, 2.0]))
    i = tf.Variable(3)
    forced = tf.Variable(1, dtype=tf.float64)
    print(d)
    print(i)
    print(forced)
""")

# --- tensor API ------------------------------------------------------------------------

program("shape_object", """
    t = tf.zeros((2, 3))
    s = t.shape
    print(s, len(s), s[0], s.as_list(), t.ndim)
    eq_tuple = t.shape == (2, 3)
    eq_list = t.shape == [2, 3]
    print(tf.constant(1.0).shape, len(t), tf.rank(t), tf.size(t), tf.shape(t))
""")

program("indexing_and_slicing", """
    m = tf.reshape(tf.range(12.0), (3, 4))
    row = m[1]
    col = m[:, 2]
    block = m[1:3, ::2]
    last = m[-1]
    rev = m[::-1, 0]
    elt = m[2, 3]
    ell = m[..., 1]
    new = m[tf.newaxis, 0]
    rows = [r for r in m]
""")

program("scalar_conversions_and_operators", """
    x = tf.constant(7.0)
    n = tf.constant(7)
    asfloat = float(x)
    asint = int(n)
    truthy = bool(tf.constant(True))
    arr = np.asarray(tf.constant([1.0, 2.0]))
    fdiv = tf.constant([7.0, -7.0]) // 2.0
    fmod = tf.constant([7.0, -7.0]) % 3.0
    idiv = tf.constant([7, -7]) // 2
    imod = tf.constant([7, -7]) % 3
    neg = -tf.constant([1.0, -2.0])
    ab = abs(tf.constant([-1.5, 2.0]))
    lt = tf.constant([1.0, 2.0]) < 1.5
    ge = tf.constant([1, 2]) >= tf.constant([2, 2])
    powi = tf.constant([2, 3]) ** 2
    truediv_int = tf.constant([1, 2]) / tf.constant([2, 4])
""")

program("creation_functions", """
    z = tf.zeros((2, 2))
    o = tf.ones([3], dtype=tf.int32)
    f = tf.fill((2, 2), 7)
    zl = tf.zeros_like(tf.constant([1, 2]))
    ol = tf.ones_like(tf.constant([[1.5]]))
    e = tf.eye(3)
    r = tf.range(5)
    rf = tf.range(1.0, 2.0, 0.25)
    rs = tf.range(2, 11, 3)
    ls = tf.linspace(0.0, 1.0, 5)
    print(e)
    print(r, rf)
""")

program("shape_functions", """
    x = tf.reshape(tf.range(6.0), (2, 3))
    t = tf.transpose(x)
    tp = tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), perm=[2, 0, 1])
    c0 = tf.concat([x, x], 0)
    c1 = tf.concat([x, x], axis=1)
    s0 = tf.stack([x, x])
    s1 = tf.stack([x, x], axis=-1)
    e0 = tf.expand_dims(x, 0)
    e2 = tf.expand_dims(x, -1)
    sq = tf.squeeze(tf.zeros((1, 3, 1)))
    sq2 = tf.squeeze(tf.zeros((1, 3, 1)), axis=[0])
    r = tf.reshape(x, [-1])
    ident = tf.identity(x)
    ci = tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    cb = tf.cast(tf.constant([True, False]), tf.float32)
    cf = tf.cast(tf.constant([1, 2]), tf.float64)
""")

program("math_values", """
    x = tf.constant([0.5, 1.0, 2.0])
    vals = [tf.sqrt(x), tf.exp(x), tf.sin(x), tf.cos(x), tf.tanh(x), tf.math.log(x),
            tf.math.sigmoid(x), tf.math.tan(x), tf.math.log1p(x), tf.math.reciprocal(x),
            tf.math.softplus(x), tf.nn.relu(x - 1.0), tf.nn.sigmoid(x), tf.nn.tanh(x),
            tf.nn.softmax(x), tf.square(x), tf.negative(x), tf.abs(x - 1.0),
            tf.maximum(x, 1.0), tf.minimum(x, 1.0), tf.pow(x, 2.0), tf.divide(x, 4.0),
            tf.math.add(x, x), tf.math.multiply(x, x), tf.math.subtract(x, 1.0)]
    sm2 = tf.nn.softmax(tf.constant([[1.0, 2.0], [3.0, 5.0]]))
""")

program("reductions", """
    m = tf.constant([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    out = {}
    for name in ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"):
        op = getattr(tf, name)
        out[name] = [op(m), op(m, axis=0), op(m, axis=1), op(m, axis=[0, 1]),
                     op(m, axis=-1, keepdims=True), op(m, keepdims=True)]
    isum = tf.reduce_sum(tf.constant([[1, 2], [3, 4]]), axis=0)
    imean = tf.reduce_mean(tf.constant([1, 2]))
""")

program("matmul_einsum_where", """
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.constant([[0.5], [1.0]])
    mm = tf.matmul(a, b)
    at = a @ a
    ia = tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]]))
    batch = tf.matmul(tf.ones((2, 2, 3)), tf.ones((2, 3, 1)))
    es = tf.einsum("ij,jk->ik", a, b)
    dot = tf.einsum("i,i->", tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]))
    outer = tf.einsum("i,j->ij", tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0, 5.0]))
    w = tf.where(a > 2.0, a, -a)
    wb = tf.where(tf.constant([True, False]), tf.constant([[1.0, 2.0]]), 0.0)
""")

program("broadcast_error", """
    a = tf.ones((2, 3))
    b = tf.ones((4,))
    c = a + b
""", error="InvalidArgumentError", both=("Incompatible shapes",), engine=("[2,3]", "[4]"))

program("bad_matmul", """
    c = tf.matmul(tf.ones((2, 3)), tf.ones((2, 3)))
""", error="InvalidArgumentError", engine=("[2,3]",))

program("bad_reshape", """
    r = tf.reshape(tf.range(6), (4, 2))
""", error="InvalidArgumentError")

# --- the tape --------------------------------------------------------------------------

program("constant_not_watched_gives_none", """
    c = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = c * c
    g = t.gradient(y, c)
    print(g)
""")

program("integer_source_gives_none", """
    n = tf.constant(3)
    with tf.GradientTape() as t:
        t.watch(n)
        y = n * n
    g = t.gradient(y, n)
    print(g)
""")

program("unconnected_none_and_zero", """
    x = tf.Variable(2.0)
    z = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        y = x * x
    none = t.gradient(y, [x, z])
    zero = t.gradient(y, [x, z], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    zero_str = t.gradient(y, z, unconnected_gradients="zero")
    print(none[1], zero[1])
""")

program("dict_and_tuple_sources", """
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    b = tf.Variable([0.5, -0.5])
    x = tf.constant([[1.0, 1.0]])
    with tf.GradientTape(persistent=True) as t:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b))
    as_dict = t.gradient(loss, {"w": w, "b": b})
    as_tuple = t.gradient(loss, (w, b))
    as_list = t.gradient(loss, [w, b])
    nested = t.gradient(loss, {"layer": [w, b]})
    print(type(as_dict).__name__, type(as_tuple).__name__, sorted(as_dict))
""")

program("output_gradients", """
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    g = t.gradient(y, x, output_gradients=tf.constant([1.0, 0.5, -1.0]))
""")

program("non_scalar_target_sums", """
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        s = tf.reduce_sum(y)
    g_vec = t.gradient(y, x)
    g_sum = t.gradient(s, x)
""")

program("intermediate_source_and_reuse", """
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        h = x * x
        y = h * h + h + x
    dy_dh = t.gradient(y, h)
    dy_dx = t.gradient(y, x)
""")

program("jacobian", """
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        m = tf.reshape(tf.concat([x, 2 * x], 0), (2, 3))
        s = tf.reduce_sum(x ** 3)
    j = t.jacobian(y, x)
    jm = t.jacobian(m, x)
    js = t.jacobian(s, x)
    print(j.shape, jm.shape, js.shape)
""")

program("jacobian_of_matrix_wrt_variable_and_unconnected", """
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    u = tf.Variable([1.0, 1.0])
    x = tf.constant([[1.0], [-1.0]])
    with tf.GradientTape(persistent=True) as t:
        y = tf.tanh(tf.matmul(w, x))
    j = t.jacobian(y, w)
    none = t.jacobian(y, u)
    zero = t.jacobian(y, u, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    both = t.jacobian(y, [w, u])
""")

program("batch_jacobian", """
    x = tf.constant([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    w = tf.constant([[1.0, 0.0], [0.5, 1.0], [0.0, -1.0]])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x ** 2
        z = tf.matmul(x, w)
    bj = t.batch_jacobian(y, x)
    bz = t.batch_jacobian(z, x)
    print(bj.shape, bz.shape)
""")

program("stop_recording_and_stop_gradient", """
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        with t.stop_recording():
            z = x * x * x
        w = tf.stop_gradient(x * x) * x
    gy = t.gradient(y, x)
    gz = t.gradient(z, x)
    gw = t.gradient(w, x)
""")

program("reset", """
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x * x
        t.reset()
        z = x * x * x
    gz = t.gradient(z, x)
""")

program("watch_accessed_variables_false", """
    a = tf.Variable(2.0)
    b = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(a)
        y = a * b
    ga, gb = t.gradient(y, [a, b])
    watched = t.watched_variables()
""")

program("non_trainable_and_watched_variables", """
    a = tf.Variable(2.0)
    frozen = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as t:
        y = a * frozen
    watched = t.watched_variables()
    ga, gf = t.gradient(y, [a, frozen])
""")

program("watch_list_and_dict", """
    x = tf.constant(1.0)
    y = tf.constant([2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        a = x * y
        t.watch({"z": y})
    g = t.gradient(a, [x, y])
""")

program("gradient_inside_persistent_context", """
    x = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as t:
        y = tf.exp(x)
        g = t.gradient(y, x)
        gg = t.gradient(g, x)
""")

# --- models and training ---------------------------------------------------------------

program("module_variables", """
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.ones((n_in, n_out)))
            self.b = tf.Variable(tf.zeros((n_out,)))
            self.scale = tf.Variable(1.0, trainable=False)

    class Net(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(2, 3), Dense(3, 1)]
            self.extra = {"gain": tf.Variable(2.0)}

    net = Net()
    n_trainable = len(net.trainable_variables)
    n_all = len(net.variables)
    shapes = [v.shape.as_list() for v in net.trainable_variables]
    names = (net.name, Dense(1, 1).name, Dense(1, 1, name="head").name)
    print(n_trainable, n_all, shapes, names)
""")

program("sgd_momentum_steps", """
    w = tf.Variable([1.0, -2.0])
    opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    history = []
    for _ in range(3):
        with tf.GradientTape() as t:
            loss = tf.reduce_sum(w * w)
        opt.apply_gradients(zip([t.gradient(loss, w)], [w]))
        history.append(w.numpy().copy())
    its = opt.iterations.numpy()
""")

program("adam_steps", """
    w = tf.Variable([1.0, -2.0])
    b = tf.Variable(0.5)
    opt = tf.keras.optimizers.Adam(learning_rate=0.1)
    for _ in range(4):
        with tf.GradientTape() as t:
            loss = tf.reduce_sum((w - 3.0) ** 2) + b * b
        grads = t.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b]))
    its = int(opt.iterations)
""")

program("apply_gradients_skips_none", """
    used = tf.Variable(1.0)
    unused = tf.Variable(5.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape() as t:
        loss = used * used
    grads = t.gradient(loss, [used, unused])
    opt.apply_gradients(zip(grads, [used, unused]))
""")

program("mean_squared_error", """
    mse = tf.keras.losses.MeanSquaredError()
    a = mse(tf.constant([1.0, 2.0, 3.0]), tf.constant([1.5, 2.0, 2.0]))
    m = mse(tf.constant([[0.0, 1.0], [1.0, 1.0]]), tf.constant([[1.0, 1.0], [1.0, 0.0]]))
    p = tf.Variable([0.0, 0.0])
    with tf.GradientTape() as t:
        l = mse(tf.constant([1.0, -1.0]), p)
    g = t.gradient(l, p)
""")

program("random_shapes_and_dtypes", """
    tf.random.set_seed(1)
    _n = tf.random.normal((2, 3))
    _u = tf.random.uniform((4,), minval=-1.0, maxval=1.0)
    shapes = (_n.shape, _u.shape)
    dtypes = (_n.dtype, _u.dtype)
    in_range = bool(np.all((np.asarray(_u) >= -1.0) & (np.asarray(_u) < 1.0)))
    _d = tf.random.normal([2], dtype=tf.float64)
    ddtype = _d.dtype
""")

program("print_long_and_awkward_numbers", """
    long = tf.range(2000)
    tenths = tf.constant([0.1, 0.2, 0.3])
    tiny = tf.constant([1e-8, 12345.678, -0.0])
    wide = tf.reshape(tf.range(30.0) / 7.0, (3, 10))
    print(long)
    print(tenths, repr(tenths))
    print(tiny)
    print(wide)
    print(f"{tenths}")
""")

program("float64_gradients", """
    x = tf.Variable(np.array([0.5, 1.5]))
    c = tf.constant(np.array(2.0))
    with tf.GradientTape() as t:
        t.watch(c)
        y = tf.reduce_sum(tf.exp(x) * c + x ** 2.0)
    gx, gc = t.gradient(y, [x, c])
    print(gx)
""")

program("gradient_of_each_math_op", """
    x = tf.Variable([0.5, 1.0, 2.0])
    ops = [tf.square, tf.sqrt, tf.exp, tf.sin, tf.cos, tf.tanh, tf.abs, tf.negative,
           tf.math.log, tf.math.sigmoid, tf.math.tan, tf.math.log1p, tf.math.reciprocal,
           tf.math.softplus, tf.nn.relu, tf.nn.sigmoid, tf.nn.tanh, tf.nn.softmax]
    grads = []
    for op in ops:
        with tf.GradientTape() as t:
            y = tf.reduce_sum(op(x) * tf.constant([1.0, 2.0, 3.0]))
        grads.append(t.gradient(y, x))
""")

program("gradient_of_binary_broadcast_and_matmul", """
    a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = tf.Variable([0.5, -1.0, 2.0])
    s = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        outs = [a + b, a - b, a * b, a / b, a ** 2, tf.maximum(a, b), tf.minimum(a, b * s),
                tf.pow(a, s), tf.matmul(a, tf.transpose(a)), a @ tf.reshape(b, (3, 1)),
                tf.einsum("ij,j->i", a, b), tf.reduce_max(a, axis=1), tf.reduce_prod(b)]
    grads = [t.gradient(o, [a, b, s]) for o in outs]
""")

program("numpy_and_list_operands", """
    t = tf.constant([1.0, 2.0])
    a = t * np.array([1.0, 2.0])
    b = np.array([1.0, 2.0]) * t
    c = t + np.array([1, 2])
    d = np.float64(2.0) * t
    e = t * [1.0, 2.0]
    f = t == [1.0, 2.0]
    g = sum([t, t, t])
    h = np.sum(t)
""")

program("hessian_by_jacobian_of_gradient", """
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x[0] ** 2 * x[1] + tf.sin(x[1])
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
""")

program("list_target_and_repeated_source", """
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y1 = x * x
        y2 = 3.0 * x
    both = t.gradient([y1, y2], x)
    twice = t.gradient(y1, [x, x])
    axes = tf.reduce_sum(tf.ones((2, 3, 4)), axis=(0, 2))
""")

program("assign_inside_tape", """
    v = tf.Variable(1.0)
    with tf.GradientTape() as t:
        v.assign(3.0)
        y = v * v
    g = t.gradient(y, v)
""")

program("temporaries_do_not_alias_watched_tensors", """
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        for _ in range(50):
            t.watch(tf.constant(1.0))
        y = x * x
        for _ in range(50):
            z = tf.constant(3.0) * tf.constant(4.0)
    gy = t.gradient(y, x)
    gz = t.gradient(z, x)
""")

# --- edges a student meets: kinks, zeros, overflow, odd values --------------------------

program("gradients_at_kinks_and_ties", """
    x = tf.Variable([0.0, 1.0, -1.0])
    with tf.GradientTape(persistent=True) as t:
        a = tf.abs(x)
        r = tf.nn.relu(x)
        mx = tf.maximum(x, tf.constant([0.0, 1.0, 0.0]))
        mn = tf.minimum(x, tf.constant([0.0, 1.0, 0.0]))
        top = tf.reduce_max(tf.stack([x[1], x[1], x[0]]))
        bottom = tf.reduce_min(tf.constant([2.0, 2.0]) * x[1])
    grads = [t.gradient(v, x) for v in (a, r, mx, mn, top, bottom)]
    print(grads)
""")

program("reduce_prod_with_zero", """
    x = tf.Variable([0.0, 2.0, 3.0])
    y = tf.Variable([0.0, 0.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        p = tf.reduce_prod(x)
        q = tf.reduce_prod(y)
        rows = tf.reduce_prod(tf.reshape(tf.concat([x, y], 0), (2, 3)), axis=1)
    gp = t.gradient(p, x)
    gq = t.gradient(q, y)
    gr = t.gradient(rows, [x, y])
""")

program("pow_gradient_wrt_exponent_at_zero_and_negative_base", """
    base = tf.Variable([0.0, -3.0, 2.0])
    expo = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.pow(base, expo))
    gb, ge = t.gradient(y, [base, expo])
""")

program("sqrt_and_log_at_zero_and_where_nan", """
    x = tf.Variable([0.0, 4.0])
    with tf.GradientTape(persistent=True) as t:
        s = tf.sqrt(x)
        l = tf.math.log(x)
        w = tf.where(x > 0.0, tf.sqrt(x), tf.zeros_like(x))
    gs = t.gradient(s, x)
    gl = t.gradient(l, x)
    gw = t.gradient(w, x)
    print(s, l, gs, gl, gw)
""")

program("overflow_safe_softplus_sigmoid_softmax", """
    x = tf.Variable([-1000.0, -20.0, 0.0, 20.0, 1000.0])
    with tf.GradientTape(persistent=True) as t:
        sp = tf.math.softplus(x)
        sg = tf.math.sigmoid(x)
        sm = tf.nn.softmax(x)
        th = tf.tanh(x)
    grads = [t.gradient(v, x) for v in (sp, sg, sm, th)]
""")

program("nondifferentiable_paths_give_none", """
    x = tf.Variable([1.5, -2.5])
    with tf.GradientTape(persistent=True) as t:
        as_int = tf.cast(tf.cast(x, tf.int32), tf.float32)
        cmp = tf.cast(x > 0.0, tf.float32)
        fdiv = x // 2.0
        fmod = x % 2.0
    g_int = t.gradient(as_int, x)
    g_cmp = t.gradient(cmp, x)
    g_fdiv = t.gradient(fdiv, x)
    g_fmod = t.gradient(fmod, x)
""")

program("print_odd_scalars", """
    for v in (1e10, 1e-5, 0.1, 1.0 / 3.0, float("nan"), float("inf"), -0.0, 123456789.0):
        print(tf.constant(v))
        print(repr(tf.constant(v, dtype=tf.float64)))
    print(tf.constant(2 ** 31 - 1), tf.constant(-7))
    print(tf.constant(1.5, dtype=tf.float16), repr(tf.constant([0.1, 2.0], dtype=tf.float16)))
    print(tf.constant(np.array(3, dtype=np.int64)))
""")

program("big_python_int_and_numpy_scalars", """
    big = tf.constant(2 ** 40)
    mixed = tf.constant([1, 2 ** 40])
    f32s = tf.constant(np.float32(2.0))
    f64s = tf.constant(np.float64(2.0))
    i64s = tf.constant(np.int64(5))
    bools = tf.constant(np.array([True, False]))
""")

program("creation_dtype_details", """
    a = tf.zeros(3)
    b = tf.zeros([])
    c = tf.ones((2,), dtype=tf.float64)
    d = tf.eye(2, 3)
    e = tf.eye(2, dtype=tf.int32)
    f = tf.range(5.0)
    g = tf.range(0, 1, 0.25)
    h = tf.range(3, dtype=tf.float32)
    i = tf.fill([2], 2.5)
    j = tf.cast(tf.constant([1.0, 2.0]), "float64")
    k = tf.reshape(tf.range(6), tf.shape(tf.zeros((3, 2))))
    l = tf.zeros_like(tf.constant([1.0, 2.0], dtype=tf.float64))
    m = tf.ones_like(tf.constant([True]))
    n = tf.linspace(0.0, 2.0, 3)
""")

program("scalar_len_error", """
    n = len(tf.constant(1.0))
""", error="TypeError")

program("iterate_scalar_error", """
    items = [v for v in tf.constant(1.0)]
""", error="TypeError")

program("index_out_of_range", """
    v = tf.constant([1, 2])[5]
""", error="InvalidArgumentError")

program("integer_division_by_zero", """
    q = tf.constant(1) // tf.constant(0)
""", error="InvalidArgumentError")

program("float_division_by_zero", """
    q = tf.constant([1.0, -1.0, 0.0]) / 0.0
    print(q)
""")

program("watch_a_python_float", """
    with tf.GradientTape() as t:
        t.watch(3.0)
""", error="ValueError")

program("gradient_of_none_target", """
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        y = x * 2.0
    g = t.gradient(None, x)
""", error="TypeError")

program("unknown_unconnected_gradients", """
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        y = x * 2.0
    g = t.gradient(y, x, unconnected_gradients="sometimes")
""", error="ValueError")

program("assign_wrong_shape", """
    v = tf.Variable([1.0, 2.0])
    v.assign([1.0, 2.0, 3.0])
""", error="ValueError")

program("variable_mixed_dtype_op", """
    v = tf.Variable(1.0)
    w = v + tf.constant(1.0, dtype=tf.float64)
""", error="InvalidArgumentError")

program("mse_dtypes_and_lists", """
    mse = tf.keras.losses.MeanSquaredError()
    a = mse(tf.constant([1, 2]), tf.constant([1.5, 2.5]))
    b = mse([1.0, 2.0], [1.0, 3.0])
    c = mse(tf.ones((2, 2, 2)), tf.zeros((2, 2, 2)))
    d = mse(tf.constant([1.0], dtype=tf.float64), tf.constant([3.0], dtype=tf.float64))
""")

program("optimizers_on_float64_and_matrices", """
    v = tf.Variable(np.array([1.0, 2.0]))
    m = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    sgd = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.5)
    adam = tf.keras.optimizers.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3)
    for _ in range(3):
        with tf.GradientTape() as t:
            loss = tf.reduce_sum(v * v) + tf.cast(tf.reduce_sum(m ** 3), tf.float64)
        gv, gm = t.gradient(loss, [v, m])
        sgd.apply_gradients([(gv, v)])
        adam.apply_gradients([(gm, m)])
    its = (int(sgd.iterations), int(adam.iterations))
""")

program("module_naming_and_order", """
    class MyTinyModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.zeta = tf.Variable(1.0)
            self.alpha = tf.Variable(2.0)
            self.middle = (tf.Variable(3.0), {"b": tf.Variable(4.0), "a": tf.Variable(5.0)})

    model = MyTinyModel()
    order = [float(v.numpy()) for v in model.trainable_variables]
    name = model.name
    print(order, name)
""")

# --- tape misuse and API corners ---------------------------------------------------------

program("gradient_inside_non_persistent_context_stops_recording", """
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = x * x
        g = t.gradient(y, x)
        z = x * x * x
""")

program("stop_recording_when_not_recording", """
    t = tf.GradientTape()
    with t.stop_recording():
        pass
""", error="RuntimeError", both=("not recording",))

program("reset_when_not_recording", """
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
    t.reset()
""", error="ValueError")

program("reenter_an_active_tape", """
    x = tf.Variable(2.0)
    t = tf.GradientTape()
    with t:
        with t:
            y = x * x
""", error="ValueError", both=("re-enter",))

program("persistent_tape_entered_twice", """
    x = tf.Variable(2.0)
    t = tf.GradientTape(persistent=True)
    with t:
        y = x * x
    with t:
        z = x * x * x
    gy, gz = t.gradient(y, x), t.gradient(z, x)
""")

program("batch_jacobian_needs_rank_2", """
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    j = t.batch_jacobian(y, x)
""", error="ValueError", both=("rank at least 2",))

program("len_of_variable", """
    v = tf.Variable([1.0, 2.0])
    n = len(v)
""", error="TypeError")

program("variable_indexing_and_operators", """
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    parts = [v[0], v[:, 1], v.shape, float(v[0, 0]), -v, abs(v), v @ v, v ** 2, v > 2.0,
             tf.reduce_sum(v), v.numpy().sum()]
""")

program("gradient_corner_cases", """
    x = tf.Variable(2.0)
    frozen = tf.Variable(2.0, trainable=False)
    n = tf.Variable(2)
    with tf.GradientTape(persistent=True) as t:
        t.watch(frozen)
        y = x * 1.0 + frozen * frozen + tf.cast(n * n, tf.float32)
        as_int = tf.cast(tf.stack([x, x]), tf.int32)
    of_variable = t.gradient(x, x)
    of_frozen = t.gradient(y, frozen)
    of_int_var = t.gradient(y, n)
    jac_int = t.jacobian(as_int, x)
""")

program("range_with_negative_limit", """
    down = tf.range(5, 0, -2)
    empty = tf.range(0)
    bad = tf.range(-3)
""", error="InvalidArgumentError")

program("shape_errors_of_array_ops", """
    errors = []
    for make in (lambda: tf.reduce_sum(tf.ones((2, 3)), axis=2),
                 lambda: tf.concat([tf.ones((2, 3)), tf.ones((3, 2))], 0),
                 lambda: tf.stack([tf.ones((2,)), tf.ones((3,))]),
                 lambda: tf.einsum("ij,jk->ik", tf.ones((2, 3)), tf.ones((2, 3))),
                 lambda: tf.squeeze(tf.ones((2, 3)), axis=0),
                 lambda: tf.transpose(tf.ones((2, 3)), perm=[0, 0]),
                 lambda: tf.where(tf.constant([True, False]), tf.ones((3,)), tf.zeros((3,))),
                 lambda: tf.matmul(tf.ones((3,)), tf.ones((3, 2))),
                 lambda: tf.matmul(tf.ones((2, 2)), tf.ones((2, 2), dtype=tf.float64)),
                 lambda: tf.nn.softmax(tf.constant([1, 2])),
                 lambda: tf.sqrt(tf.constant(4)),
                 lambda: tf.constant([1.0], dtype="float33"),
                 lambda: tf.reshape(tf.ones((2, 3)), (5, -1))):
        try:
            make()
            errors.append(None)
        except Exception as exc:
            errors.append(type(exc).__name__)
    print(errors)
""")

program("float_range_rounding", """
    tenths = tf.range(0, 1, 0.1)
    odd = tf.range(-1.0, 1.0, 0.15)
    thirds = tf.range(0.0, 1.0, 1 / 3)
    lin = tf.linspace(-3.3, 2.9, 9)
    print(tenths)
""")

program("converted_variable_is_a_snapshot", """
    v = tf.Variable([1.0, 2.0])
    t = tf.convert_to_tensor(v)
    i = tf.identity(v)
    r = v.read_value()
    s = v[0:2]
    n = v.numpy()
    w = tf.Variable(v)
    v.assign([5.0, 6.0])
    src = np.array([1.0, 2.0], np.float32)
    c = tf.constant(src)
    cv = tf.Variable(src)
    src[0] = 9.0
""")

program("bool_arithmetic_is_an_error", """
    b = tf.constant(True) + tf.constant(True)
""", error="InvalidArgumentError")

program("empty_reductions", """
    e = tf.zeros((0,))
    s = tf.reduce_sum(e)
    p = tf.reduce_prod(e)
    mx = tf.reduce_max(e)
    mn = tf.reduce_min(e)
    mean = tf.reduce_mean(e)
    rows = tf.reduce_sum(tf.zeros((2, 0)), axis=1)
""")

program("boolean_mask_indexing", """
    t = tf.constant([1.0, 2.0, 3.0])
    picked = t[tf.constant([True, False, True])]
    picked_np = t[np.array([False, True, True])]
""")


# --- random differentiable programs (for the hypothesis test in test_oracle.py) ---------

# Unary forms keep every input inside the op's smooth domain: "{}" is the operand.
UNARY_FORMS = ("tf.sin({})", "tf.cos({})", "tf.tanh({})", "tf.exp(tf.tanh({}))",
               "tf.square({})", "tf.abs({})", "(-{})", "tf.sqrt(tf.square({}) + 1.0)",
               "tf.math.log(tf.square({}) + 1.0)", "tf.math.sigmoid({})",
               "tf.math.softplus({})", "tf.nn.relu({})", "tf.math.log1p(tf.square({}))",
               "tf.math.reciprocal(tf.square({}) + 1.0)", "({} ** 2)", "({} ** 3)",
               "tf.identity({})", "tf.nn.sigmoid({})", "tf.nn.tanh({})",
               "tf.math.tan(tf.tanh({}))", "(2.0 * {})", "({} / 3.0)", "(1.0 - {})",
               "((tf.square({}) + 0.5) ** 0.5)", "tf.negative({})", "abs({})",
               "tf.where({0} > 0.0, tf.sin({0}), {0} * {0})",
               "tf.stop_gradient({0}) * {0}")
BINARY_FORMS = ("({} + {})", "({} - {})", "({} * {})", "({} / (tf.square({}) + 1.0))",
                "tf.maximum({}, {})", "tf.minimum({}, {})",
                "tf.pow(tf.abs({}) + 1.0, tf.tanh({}))", "tf.add({}, {})",
                "tf.multiply({}, {})", "tf.subtract({}, {})",
                "tf.divide({}, tf.exp({}))", "tf.where({0} > {1}, {0}, {1} * 2.0)")
REDUCTION_NAMES = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod")
# Watched float64 inputs x, y, s; c is an unwatched float64 constant.
LEAVES = {"x": (3, 4), "y": (4,), "s": (), "c": ()}


def broadcast(a: tuple, b: tuple) -> tuple | None:
    """numpy's broadcast shape of a and b, or None."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and 1 not in (da, db):
            return None
        out.append(max(da, db))
    return tuple(reversed(out))


def random_expression(draw, st, depth: int) -> tuple[str, tuple]:
    """(source, shape) of a random differentiable expression in x (3,4), y (4,), s (), c ()."""
    kind = draw(st.sampled_from(["leaf"] if depth == 0 else
                                ["leaf", "unary", "binary", "binary", "reduce", "matmul",
                                 "shape"]))
    if kind == "leaf":
        name = draw(st.sampled_from(sorted(LEAVES)))
        return name, LEAVES[name]
    if kind == "unary":
        code, shape = random_expression(draw, st, depth - 1)
        return draw(st.sampled_from(UNARY_FORMS)).format(code), shape
    if kind == "binary":
        a, sa = random_expression(draw, st, depth - 1)
        b, sb = random_expression(draw, st, depth - 1)
        shape = broadcast(sa, sb)
        if shape is None:
            b, shape = f"tf.reduce_sum({b})", sa
        form = draw(st.sampled_from(BINARY_FORMS))
        return form.format(a, b), shape
    code, shape = random_expression(draw, st, depth - 1)
    if kind == "reduce" and shape:
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        keepdims = draw(st.booleans())
        name = draw(st.sampled_from(REDUCTION_NAMES))
        new = list(shape)
        if keepdims:
            new[axis] = 1
        else:
            del new[axis]
        return f"tf.{name}({code}, axis={axis}, keepdims={keepdims})", tuple(new)
    if kind == "matmul" and len(shape) == 2:
        return f"tf.matmul({code}, tf.transpose({code}))", (shape[0], shape[0])
    if kind == "shape" and shape == (3, 4):
        form = draw(st.sampled_from([("tf.reshape({}, (4, 3))", (4, 3)),
                                     ("tf.transpose({})", (4, 3)),
                                     ("{}[1:, ::2]", (2, 2)),
                                     ("tf.concat([{0}, {0}], 0)", (6, 4)),
                                     ("tf.stack([{0}, {0}], 1)[:, 0]", (3, 4)),
                                     ("tf.squeeze(tf.expand_dims({}, 0))", (3, 4)),
                                     ("tf.nn.softmax({})", (3, 4)),
                                     ("tf.nn.softmax({}, axis=0)", (3, 4)),
                                     ("tf.einsum('ij,kj->ik', {0}, {0})", (3, 3)),
                                     ("tf.einsum('ij,ij->j', {0}, tf.sin({0}))", (4,)),
                                     ("{}[..., 1:3]", (3, 2)),
                                     ("{}[::-1]", (3, 4)),
                                     ("tf.stack([r * 2.0 for r in {}])", (3, 4))]))
        return form[0].format(code), form[1]
    return f"tf.reduce_sum({code})", ()

program("inner_gradient_outside_outer_context_is_not_recorded", """
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            y = x ** 3
        with outer.stop_recording():
            g_hidden = inner.gradient(y, x)
        g_seen = inner.gradient(y, x)
    g_after = inner.gradient(y, x)
    second_hidden = outer.gradient(g_hidden, x)
    second_seen = outer.gradient(g_seen, x)
    second_after = outer.gradient(g_after, x)
""")

program("jacobian_of_jacobian_and_nested_batch_jacobian", """
    x = tf.constant([[1.0, 2.0], [0.5, -1.0]])
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(x)
            y = tf.sin(x) * x[:, :1]
        j = inner.batch_jacobian(y, x)
        g = inner.gradient(y, x)
    jj = outer.batch_jacobian(j, x)
    hg = outer.jacobian(g, x)
""")

program("variable_created_inside_tape_and_nested_sources", """
    a = tf.Variable(1.0)
    with tf.GradientTape() as t:
        b = tf.Variable(2.0)
        c = tf.constant(3.0)
        t.watch(c)
        y = a * b * b + c
    g = t.gradient(y, {"first": [a], "rest": (b, {"c": c})})
""")

program("zero_unconnected_for_int_and_float64_sources", """
    n = tf.constant([1, 2])
    f = tf.Variable(np.array([1.0, 2.0]))
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        t.watch(n)
        y = x * 2.0
    g = t.gradient(y, [n, f, x], unconnected_gradients=tf.UnconnectedGradients.ZERO)
""")

program("output_gradients_for_a_list_target", """
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        a = x * x
        b = tf.reduce_sum(x) * 3.0
    g = t.gradient([a, b], x, output_gradients=[tf.constant([1.0, -1.0]), tf.constant(2.0)])
""")

program("python_control_flow_on_tensors", """
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.constant(0.0)
        for i in range(4):
            if x > 2.0:
                y = y + x ** i
            else:
                y = y - x
        while y < 100.0:
            y = y * x
    g = t.gradient(y, x)
    print(y, g)
""")

program("gradients_use_values_from_forward_time", """
    v = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
        v.assign(3.0)
        z = tf.sin(v) * v
    gy, gz = t.gradient(y, v), t.gradient(z, v)
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t2:
        cube = tf.reduce_sum(w ** 3)
    w.assign_add([10.0, 10.0])
    gw = t2.gradient(cube, w)
    m = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t3:
        mm = tf.matmul(m, m)
        top = tf.reduce_max(m)
    m.assign(tf.zeros((2, 2)))
    gm = t3.gradient([mm, top], m)
""")

program("optimizer_step_inside_persistent_tape", """
    w = tf.Variable([1.0, -1.0])
    opt = tf.keras.optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape(persistent=True) as t:
        loss1 = tf.reduce_sum(w * w)
        opt.apply_gradients([(t.gradient(loss1, w), w)])
        loss2 = tf.reduce_sum(w * w * w)
    g1 = t.gradient(loss1, w)
    g2 = t.gradient(loss2, w)
""")

program("optimizer_edge_cases", """
    results = []
    for make in (lambda: tf.keras.optimizers.SGD(0.1),
                 lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9),
                 lambda: tf.keras.optimizers.Adam(0.1)):
        v = tf.Variable([1.0, 2.0])
        opt = make()
        g = tf.constant([0.5, -0.5])
        opt.apply_gradients([(g, v)])
        opt.apply_gradients([(g * 2.0, v)])
        own = tf.Variable([1.0, 2.0])
        opt2 = make()
        opt2.apply_gradients([(own, own)])
        opt2.apply_gradients([(own, own)])
        arr = tf.Variable([1.0, 2.0])
        make().apply_gradients([(np.array([1.0, 1.0], np.float32), arr)])
        dup = tf.Variable([1.0, 2.0])
        make().apply_gradients([(tf.constant([1.0, 1.0]), dup), (tf.constant([1.0, 1.0]), dup)])
        f64 = tf.Variable([1.0, 2.0])
        make().apply_gradients([(tf.constant([1.0, 1.0], tf.float64), f64)])
        results.append([g, v, own, arr, dup, f64])
""")

program("apply_gradients_with_only_none", """
    q = tf.Variable(1.0)
    tf.keras.optimizers.SGD(0.1).apply_gradients([(None, q)])
""", error="ValueError", both=("No gradients provided for any variable",))

program("variable_minus_equals_is_an_error", """
    w = tf.Variable(1.0)
    grad = tf.constant(0.5)
    w -= 0.1 * grad
""", error="RuntimeError", both=("`variable -= value` with `tf.Variable`s is not supported",
                                 "assign_sub"))

program("inplace_operators", """
    outcomes = {}
    for op in ("+", "-", "*", "/"):
        v = tf.Variable(2.0)
        t = tf.constant(2.0)
        try:
            exec(f"v {op}= 0.5")
            outcomes["variable " + op] = type(v).__name__
        except RuntimeError as exc:
            outcomes["variable " + op] = str(exc).split(" with ")[0]
        exec(f"t {op}= 0.5")
        outcomes["tensor " + op] = t
""")

program("conversion_corners", """
    outcomes = []
    for make in (lambda: tf.constant([tf.constant(1.0), tf.constant(2.0)]),
                 lambda: tf.constant([tf.Variable(1.0), 2.0]),
                 lambda: tf.constant(tf.Variable(1.0), dtype=tf.float64),
                 lambda: tf.constant(tf.Variable(1.5), dtype=tf.int32),
                 lambda: tf.constant(tf.constant(1.0), dtype=tf.float64),
                 lambda: tf.convert_to_tensor(tf.Variable(1.0), dtype=tf.float64),
                 lambda: tf.Variable(tf.constant(1.0), dtype=tf.float64),
                 lambda: tf.Variable(tf.Variable(1.0), dtype=tf.float64),
                 lambda: tf.convert_to_tensor([[tf.constant(1.0)], [2.0]]),
                 lambda: tf.stack([tf.Variable(1.0), tf.constant(2.0)]),
                 lambda: f"{tf.constant(3.14159):.2f}",
                 lambda: f"{tf.Variable(3.14159):.2f}"):
        try:
            outcomes.append(make())
        except Exception as exc:
            outcomes.append(type(exc).__name__)
""")

program("print_empty_big_and_mixed_shapes", """
    for t in (tf.zeros((2, 0)), tf.zeros((0, 3), dtype=tf.int32), tf.ones((1, 1, 1)),
              tf.reshape(tf.range(1200.0), (40, 30)) / 7.0, tf.constant([[True], [False]]),
              tf.constant([1, -2], dtype=tf.int64), tf.constant([-0.0, 0.0]),
              tf.constant([1e-3, 1e3]), tf.constant([1e-5, 1.0]), tf.constant([1e16, 1.0]),
              tf.Variable(tf.zeros((2, 0))), tf.Variable([[1.5, -2.25]], dtype=tf.float64)):
        print(t)
        print(repr(t))
""")

program("second_derivative_of_abs_and_relu_is_zero_not_none", """
    x = tf.Variable([-1.5, 2.0])
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            a = tf.abs(x)
            r = tf.nn.relu(x)
            m = tf.maximum(x, 0.0)
        da, dr, dm = inner.gradient(a, x), inner.gradient(r, x), inner.gradient(m, x)
    d2a, d2r, d2m = outer.gradient(da, x), outer.gradient(dr, x), outer.gradient(dm, x)
    print(d2a, d2r, d2m)
""")

program("overflow_and_invalid_values_are_silent", """
    big = tf.constant(2 ** 31 - 1) + 1
    prod = tf.constant([65536]) * tf.constant([65536])
    ex = tf.exp(tf.constant([1000.0, -1000.0]))
    inv = tf.constant([0.0, -1.0]) / tf.constant([0.0, 0.0])
    lg = tf.math.log(tf.constant([-1.0, 0.0]))
    sq = tf.sqrt(tf.constant(-4.0))
    pw = tf.pow(tf.constant(-8.0), 1.0 / 3.0)
    f16 = tf.constant(60000.0, dtype=tf.float16) * 2.0
    x = tf.Variable([0.0, -1.0])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.sqrt(x) + tf.math.log(x))
    g = t.gradient(y, x)
""")

program("random_seed_reproducibility", """
    tf.random.set_seed(42)
    _a1, _a2 = tf.random.normal((3,)), tf.random.uniform((2, 2))
    tf.random.set_seed(42)
    _b1, _b2 = tf.random.normal((3,)), tf.random.uniform((2, 2))
    same = bool(np.all(_a1.numpy() == _b1.numpy())) and bool(np.all(_a2.numpy() == _b2.numpy()))
    differ = bool(np.any(_a1.numpy() != tf.random.normal((3,)).numpy()))
    _ints = tf.random.uniform((5,), minval=0, maxval=3, dtype=tf.int32)
    int_ok = (_ints.dtype, bool(np.all((_ints.numpy() >= 0) & (_ints.numpy() < 3))))
    _stats = tf.random.normal((20000,), mean=2.0, stddev=0.5, dtype=tf.float64).numpy()
    moments = (_stats.dtype, round(float(_stats.mean()), 1), round(float(_stats.std()), 1))
""")

program("random_int_needs_maxval", """
    r = tf.random.uniform((2,), dtype=tf.int32)
""", error="ValueError")
