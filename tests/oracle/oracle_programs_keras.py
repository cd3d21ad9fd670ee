"""The second wave of the oracle corpus: custom gradients, clipping, the ops and Keras a
custom training loop uses, and the corners the guide notebooks showed (``y = v``,
``UnreadVariable``, TensorFlow 2.21's messages, complex values).

Keras names come from process-wide counters, so every Keras program starts with
``tf.keras.backend.clear_session()``; weights start from fixed values (initializers
``ones``/``Constant`` or ``set_weights``), since random draws differ by design.
"""

from __future__ import annotations

from oracle_programs import program

# --- the tape corners from the guide notebooks ------------------------------------------

program("gradient_of_a_variable_itself", """
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = v
    g = t.gradient(y, v)
    with tf.GradientTape() as t2:
        pass
    g2 = t2.gradient(v, v)
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t3:
        z = x * 3.0
    g3 = t3.gradient(x, x)
    w = tf.Variable([2.0, 3.0])
    with tf.GradientTape(persistent=True) as t4:
        u = w * 2.0
    g4 = t4.gradient([u, w], w)
    j4 = t4.jacobian(w, w)
    n = tf.Variable(2)
    with tf.GradientTape() as t5:
        m = n
    g5 = t5.gradient(m, n)
""")

program("assign_returns_an_unread_variable", """
    v = tf.Variable([1.0, 2.0, 3.0])
    a = v.assign([1, 2, 3])
    b = v.assign_add([1.0, 1.0, 1.0])
    c = v.assign_sub([0.5, 0.5, 0.5])
    print(repr(a))
    print(a.name, a.shape, a.dtype)
    total = a + 1.0
    w = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = w.assign(2.0) * w
    g = t.gradient(y, w)
""")

program("reshape_message_of_tensorflow_2_21", """
    tf.reshape(tf.range(6), (4,))
""", error="InvalidArgumentError",
    both=("{{function_node __wrapped__Reshape_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
          "Input to reshape is a tensor with 6 values, but the requested shape has 4 [Op:Reshape]",))

program("reshape_message_with_unknown_dimension", """
    tf.reshape(tf.range(6), (4, -1))
""", error="InvalidArgumentError", both=("but the requested shape requires a multiple of 4 [Op:Reshape]",))

program("non_rectangular_list", """
    tf.constant([[1, 2], [3]])
""", error="ValueError", both=("Can't convert non-rectangular Python sequence to Tensor.",))

program("non_rectangular_variable", """
    tf.Variable([[1.0, 2.0], [3.0]])
""", error="ValueError", both=("Can't convert non-rectangular Python sequence to Tensor.",))

program("complex_values", """
    c = tf.Variable(1 + 2j)
    d = tf.constant([1 + 2j, 3j])
    e = d * 2
    f = d + d
    g = tf.constant(1j, dtype=tf.complex64)
    kinds = (c.dtype, d.dtype, g.dtype, tf.complex128.is_complex, tf.float32.is_complex)
    print(c, d)
""")

# --- custom gradients ------------------------------------------------------------------

program("custom_gradient_log1pexp_first_and_second", """
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant([0.0, 100.0, -3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = log1pexp(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    name = log1pexp.__name__
""")

program("custom_gradient_clip_gradient_norm", """
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

    v = tf.Variable([3.0, 4.0])
    with tf.GradientTape() as t:
        output = tf.reduce_sum(clip_gradients(v * v))
    g = t.gradient(output, v)
""")

program("custom_gradient_with_variables", """
    weights = tf.Variable(tf.ones([2]))

    @tf.custom_gradient
    def linear_poly(x):
        poly = weights[1] * x + weights[0]
        def grad_fn(dpoly, variables):
            grad_xs = dpoly * weights[1]
            dy_dw = dpoly * tf.stack([x ** 1, x ** 0])
            return grad_xs, [tf.reduce_sum(tf.reshape(dy_dw, [2, -1]), axis=1)]
        return poly, grad_fn

    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        poly = linear_poly(x)
    gx, gw = t.gradient(poly, [x, weights])
""")

program("custom_gradient_without_variables_argument", """
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def scaled(x):
        return x * w, lambda up: up * w

    y = scaled(tf.constant(1.0))
""", error="TypeError", both=("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                              "function uses variables",))

program("custom_gradient_wrong_number_of_gradients", """
    @tf.custom_gradient
    def twice(x):
        return x, lambda up: (up, up)

    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = twice(x)
    g = t.gradient(y, x)
""", error="ValueError", both=("custom_gradient function expected to return 1 gradients, but returned 2 "
                               "instead.",))

program("custom_gradient_two_outputs_and_two_inputs", """
    @tf.custom_gradient
    def pair(a, b):
        def grad(da, db):
            return da * b + db, da * a - db * 2.0
        return (a * b, a - b), grad

    a = tf.constant([1.0, 2.0])
    b = tf.constant([3.0, -1.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([a, b])
        p, q = pair(a, b)
        s = tf.reduce_sum(p * q)
    gp = t.gradient(p, [a, b])
    gs = t.gradient(s, [a, b])
    gq = t.gradient(q, a)
    jp = t.jacobian(p, a)
""")

program("custom_gradient_closure_seen_by_unwatched_input", """
    c = tf.constant(2.0)

    @tf.custom_gradient
    def times_c(x):
        return x * c, lambda up: up * 10.0

    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(c)
        y = times_c(x)
    gc = t.gradient(y, c)
    gx = t.gradient(y, x)
""")

program("custom_gradient_second_order_written_with_custom_gradient", """
    @tf.custom_gradient
    def cube(x):
        def first(dy):
            @tf.custom_gradient
            def three_x2(x_):
                def second(ddy):
                    return ddy * 6.0 * x_
                return 3.0 * x_ * x_, second
            return dy * three_x2(x)
        return x * x * x, first

    x = tf.Variable(2.0)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = cube(x)
        g1 = t1.gradient(y, x)
    g2 = t2.gradient(g1, x)
""")

program("recompute_grad_values_and_variables", """
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

    def block(x):
        return tf.tanh(tf.matmul(x, w))

    remat = tf.recompute_grad(block)
    x = tf.constant([[0.5, -0.5]])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(remat(x) ** 2)
    gx, gw = t.gradient(y, [x, w])
    with tf.GradientTape() as t2:
        t2.watch(x)
        y2 = tf.reduce_sum(block(x) ** 2)
    px, pw = t2.gradient(y2, [x, w])
""")

program("stop_gradient_and_clipping", """
    x = tf.Variable([3.0, -4.0, 0.5])
    with tf.GradientTape(persistent=True) as t:
        a = tf.stop_gradient(x) * x
        b = tf.clip_by_value(x, -1.0, 1.0)
        c = tf.clip_by_norm(x, 2.0)
        d = tf.clip_by_norm(tf.reshape(x, (1, 3)), 1.0, axes=[1])
        (e, f), norm = tf.clip_by_global_norm([x, x * 2.0], 5.0)
        zero = tf.clip_by_norm(x * 0.0, 1.0)
    ga, gb, gc, gd, ge, gz = (t.gradient(r, x) for r in (a, b, c, d, e, zero))
    gnorm = tf.linalg.global_norm([x, None, x * 2.0])
    same, n2 = tf.clip_by_global_norm([tf.constant([1.0, 1.0]), None], 10.0)
""")

program("clip_by_value_that_would_broadcast", """
    tf.clip_by_value(tf.constant([1.0, 2.0]), tf.zeros((3, 2)), 1.0)
""", error="ValueError", both=("are incompatible",))

program("clip_by_global_norm_needs_a_list", """
    tf.clip_by_global_norm(tf.constant([1.0, 2.0]), 1.0)
""", error="TypeError", both=("`t_list` should be a sequence of tensors",))

# --- the new ops ---------------------------------------------------------------------------

program("elu_pad_meshgrid_solve", """
    x = tf.constant([[-1.0, 0.0, 2.0], [0.5, -3.0, 1.0]])
    elu = tf.nn.elu(x)
    padded = tf.pad(x, [[1, 0], [2, 1]])
    filled = tf.pad(x, [[0, 1], [1, 1]], constant_values=7.0)
    reflect = tf.pad(x, [[1, 1], [2, 2]], "REFLECT")
    symmetric = tf.pad(x, [[1, 1], [2, 3]], mode="SYMMETRIC")
    gx, gy = tf.meshgrid(tf.constant([1.0, 2.0, 3.0]), tf.constant([4.0, 5.0]))
    ix, iy = tf.meshgrid(tf.constant([1, 2, 3]), tf.constant([4, 5]), indexing="ij")
    a = tf.constant([[3.0, 1.0], [1.0, 2.0]])
    b = tf.constant([[9.0], [8.0]])
    sol = tf.linalg.solve(a, b)
    sol_t = tf.linalg.solve(a, b, adjoint=True)
    batch = tf.linalg.solve(tf.stack([a, a * 2.0]), tf.stack([b, b]))
    mv = tf.linalg.matvec(a, tf.constant([1.0, -1.0]))
    mvt = tf.linalg.matvec(a, tf.constant([1.0, -1.0]), transpose_a=True)
""")

program("singular_solve", """
    tf.linalg.solve(tf.constant([[1.0, 2.0], [2.0, 4.0]]), tf.constant([[1.0], [1.0]]))
""", error="InvalidArgumentError", both=("Input matrix is not invertible.",))

program("meshgrid_bad_indexing", """
    tf.meshgrid(tf.constant([1.0]), indexing="xz")
""", error="ValueError", both=("Argument `indexing` parameter must be either 'xy' or 'ij', got 'xz'",))

program("jacobian_through_matvec_and_einsum", """
    w = tf.constant([[0.2, -0.1, 0.4], [0.3, 0.5, -0.2]])
    x = tf.constant([1.0, 2.0, -1.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tf.tanh(tf.linalg.matvec(w, x))
        z = tf.einsum("ij,j->i", w, x) ** 2
        u = tf.einsum("ij,kj->ik", w * x, w)
    jy = t.jacobian(y, x)
    jz = t.jacobian(z, x)
    ju = t.jacobian(u, x)
""")

# --- Keras: layers, models, names, printed forms --------------------------------------------

program("keras_dense_names_and_weights", """
    tf.keras.backend.clear_session()
    d = tf.keras.layers.Dense(4, activation="relu", kernel_initializer="ones", bias_initializer="zeros")
    before = (d.name, d.built, len(d.weights))
    y = d(tf.constant([[1.0, -2.0, 3.0]]))
    k = d.kernel
    info = (k.name, k.path, k.dtype, k.shape, k.trainable, d.built, d.units, d.use_bias)
    print(repr(k))
    print(d.bias)
    print(repr(d))
    paths = [v.path for v in d.trainable_variables]
    names = [v.name for v in d.variables]
    d2 = tf.keras.layers.Dense(2, use_bias=False, trainable=False, name="frozen")
    d2.build((None, 3))
    frozen = ([v.path for v in d2.non_trainable_weights], len(d2.trainable_weights), d2.built, d2.count_params())
    second = tf.keras.layers.Dense(1).name
    got = d.get_weights()
    d.set_weights([np.full((3, 4), 0.5, np.float32), np.arange(4, dtype=np.float32)])
    z = d(tf.constant([[1.0, 1.0, 1.0]]))
""")

program("keras_dense_inputs_are_cast_to_float32", """
    tf.keras.backend.clear_session()
    d = tf.keras.layers.Dense(2, kernel_initializer=tf.keras.initializers.Constant(0.5))
    a = d(np.array([[1.0, 2.0]]))
    b = d(tf.constant([[1.0, 2.0]], dtype=tf.float64))
    e = d(tf.ones((2, 3, 2)))
""")

program("keras_sequential_built_on_first_call", """
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(3, activation="tanh", kernel_initializer="ones"),
        tf.keras.layers.Activation("softmax"),
    ])
    state = (model.name, model.built, [l.name for l in model.layers], len(model.variables))
    model.summary()
    out = model(tf.constant([[0.1, 0.2], [0.3, -0.4]]))
    paths = [v.path for v in model.variables]
    model.add(tf.keras.layers.Dense(1, kernel_initializer="ones"))
    out2 = model(tf.constant([[0.1, 0.2]]))
    paths2 = [v.path for v in model.trainable_variables]
    model.summary()
    print(repr(model), model.built)
""")

program("keras_sequential_from_input_summary", """
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(784,)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10),
    ], name="mlp")
    model.summary()
    paths = [v.path for v in model.trainable_variables]
    n_weights = (len(model.weights), len(model.variables), len(model.trainable_weights))
    built = [l.built for l in model.layers]
    shapes = [tuple(v.shape) for v in model.trainable_variables]
""")

program("keras_subclassed_model_tracks_layers", """
    tf.keras.backend.clear_session()

    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.keras.layers.Dense(3, kernel_initializer="ones")
            self.out = tf.keras.layers.Dense(1, kernel_initializer="ones")
            self.blocks = [tf.keras.layers.Dense(2, kernel_initializer="ones")]

        def call(self, x, training=False):
            return self.out(self.blocks[0](self.hidden(x)))

    net = Net()
    empty = (net.name, len(net.trainable_variables), net.built)
    y = net(tf.ones((5, 4)))
    paths = [v.path for v in net.trainable_variables]
    names = [l.name for l in net.layers]
    net.summary()
    other = Net()
    _ = other(tf.ones((1, 4)))
    other_paths = [v.path for v in other.variables]
    print(repr(net))
""")

program("keras_custom_layer_with_add_weight", """
    tf.keras.backend.clear_session()

    class Scale(tf.keras.layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones", name="w")
            self.c = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            return tf.matmul(x, self.w) + self.c

    layer = Scale()
    before = (layer.name, layer.built)
    y = layer(tf.ones((1, 3)))
    info = ([v.path for v in layer.weights], [v.name for v in layer.weights], layer.c.trainable,
            [v.path for v in layer.trainable_weights], [v.path for v in layer.non_trainable_weights])
    print(repr(layer.c))
    base = tf.keras.layers.Layer()
    print(repr(base))
    layer.trainable = False
    after = (len(layer.trainable_weights), len(layer.non_trainable_weights), layer.w.trainable)
""")

program("keras_layers_flatten_dropout_activation", """
    tf.keras.backend.clear_session()
    x = tf.reshape(tf.range(24.0), (2, 3, 4))
    flat = tf.keras.layers.Flatten()(x)
    drop = tf.keras.layers.Dropout(0.5)
    kept = drop(x)
    kept_eval = drop(x, training=False)
    act = tf.keras.layers.Activation("relu")(x - 10.0)
    tanh = tf.keras.layers.Activation(tf.nn.tanh)(x / 10.0)
    info = (repr(tf.keras.layers.Flatten()), drop.rate, drop.built, len(drop.trainable_variables))
    _dropped = drop(tf.ones((200, 50)), training=True).numpy()
    fraction_zero = bool(0.4 < float(np.mean(_dropped == 0.0)) < 0.6)
    scaled = sorted(set(np.unique(_dropped).tolist()))
""")

program("keras_regularizer_losses", """
    tf.keras.backend.clear_session()
    layer = tf.keras.layers.Dense(2, kernel_initializer=tf.keras.initializers.Constant(0.5),
                                  bias_initializer="ones",
                                  kernel_regularizer=tf.keras.regularizers.L2(0.1), bias_regularizer="l1")
    _ = layer(tf.ones((1, 3)))
    penalties = layer.losses
    default_l2 = tf.keras.regularizers.L2().l2
    with tf.GradientTape() as t:
        loss = tf.reduce_sum(layer(tf.ones((1, 3)))) + tf.add_n(layer.losses)
    grads = t.gradient(loss, layer.trainable_variables)
""")

program("keras_initializers_and_activations", """
    tf.keras.utils.set_random_seed(0)
    z = tf.keras.initializers.Zeros()((2,), dtype="float64")
    o = tf.keras.initializers.Ones()((2, 2))
    c = tf.keras.initializers.Constant(3.0)((3,))
    g = tf.keras.initializers.GlorotUniform(seed=3)
    _a, _b = g((20, 30)), g((20, 30))
    same_seeded = bool(np.array_equal(_a.numpy(), _b.numpy()))
    limit = float(np.sqrt(6.0 / 50.0))
    within = bool(np.all(np.abs(_a.numpy()) <= limit)) and _a.dtype == tf.float32 and _a.shape == (20, 30)
    _n = tf.keras.initializers.RandomNormal(mean=1.0, stddev=0.01, seed=1)((1000,))
    moments = (round(float(np.mean(_n.numpy())), 1), _a.dtype)
    _u = tf.keras.initializers.RandomUniform(minval=2.0, maxval=3.0, seed=2)((500,)).numpy()
    u_ok = bool(_u.min() >= 2.0 and _u.max() < 3.0)
    x = tf.constant([-2.0, -0.5, 0.0, 1.5])
    acts = [tf.keras.activations.relu(x), tf.keras.activations.sigmoid(x), tf.keras.activations.tanh(x),
            tf.keras.activations.elu(x), tf.keras.activations.softplus(x),
            tf.keras.activations.softmax(tf.reshape(x, (1, 4))), tf.keras.activations.linear(x),
            tf.keras.activations.get("relu")(x)]
""")

# --- Keras: losses and metrics --------------------------------------------------------------

program("keras_losses_values_and_reductions", """
    y_true = tf.constant([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_pred = tf.constant([[0.2, 0.7], [0.6, 0.1], [0.9, 0.4]])
    out = {}
    for name, loss in [("mse", tf.keras.losses.MeanSquaredError()),
                       ("mae", tf.keras.losses.MeanAbsoluteError()),
                       ("huber", tf.keras.losses.Huber(delta=0.5)),
                       ("bce", tf.keras.losses.BinaryCrossentropy()),
                       ("bce_logits", tf.keras.losses.BinaryCrossentropy(from_logits=True)),
                       ("cce", tf.keras.losses.CategoricalCrossentropy()),
                       ("cce_logits", tf.keras.losses.CategoricalCrossentropy(from_logits=True)),
                       ("mse_sum", tf.keras.losses.MeanSquaredError(reduction="sum")),
                       ("mse_none", tf.keras.losses.MeanSquaredError(reduction=None)),
                       ("cce_none", tf.keras.losses.CategoricalCrossentropy(reduction="none"))]:
        out[name] = loss(y_true, y_pred)
        out[name + "_weighted"] = loss(y_true, y_pred, sample_weight=tf.constant([1.0, 0.5, 2.0]))
    labels = tf.constant([1, 0, 1])
    logits = tf.constant([[2.0, -1.0], [0.5, 0.3], [-1.0, 3.0]])
    scce = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    scce_probs = tf.keras.losses.SparseCategoricalCrossentropy()(labels, tf.nn.softmax(logits))
    scce_column = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(tf.reshape(labels, (3, 1)),
                                                                                  logits)
    functions = [tf.keras.losses.mse(y_true, y_pred), tf.keras.losses.MSE(y_true, y_pred),
                 tf.keras.losses.mae(y_true, y_pred), tf.keras.losses.huber(y_true, y_pred),
                 tf.keras.losses.binary_crossentropy(y_true, y_pred),
                 tf.keras.losses.categorical_crossentropy(y_true, y_pred),
                 tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)]
    names = [tf.keras.losses.MeanSquaredError().name, tf.keras.losses.Huber().name,
             tf.keras.losses.SparseCategoricalCrossentropy().name]
    flat = tf.keras.losses.MeanSquaredError()(tf.constant([1.0, 2.0]), tf.constant([1.5, 2.5]))
""")

program("keras_loss_gradients_through_activations", """
    x = tf.Variable([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]])
    onehot = tf.constant([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    with tf.GradientTape(persistent=True) as t:
        soft = tf.keras.activations.softmax(x)
        cce = tf.keras.losses.CategoricalCrossentropy()(onehot, soft)
        sig = tf.keras.activations.sigmoid(x)
        bce = tf.keras.losses.BinaryCrossentropy()(onehot, sig)
        scce = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(tf.constant([2, 0]), x)
        plain = tf.keras.losses.CategoricalCrossentropy()(onehot, tf.nn.softmax(x))
    grads = [t.gradient(l, x) for l in (cce, bce, scce, plain)]
""")

program("keras_bad_reduction", """
    tf.keras.losses.MeanSquaredError(reduction="average")
""", error="ValueError", both=("Invalid value for argument `reduction`",))

program("keras_metrics", """
    m = tf.keras.metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state(tf.constant([[4.0, 6.0]]))
    r1 = m.result()
    paths = [v.path for v in m.variables]
    m.reset_state()
    r2 = m.result()
    m.update_state([1.0, 3.0], sample_weight=[1.0, 3.0])
    r3 = m.result()
    acc = tf.keras.metrics.SparseCategoricalAccuracy()
    acc.update_state(tf.constant([1, 2, 0]), tf.constant([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3], [0.9, 0.0, 0.1]]))
    a1 = acc.result()
    acc.update_state([[1]], [[0.0, 1.0, 0.0]])
    a2 = acc.result()
    cat = tf.keras.metrics.CategoricalAccuracy()
    cat.update_state([[0, 1], [1, 0]], [[0.3, 0.7], [0.2, 0.8]])
    c1 = cat.result()
    names = (m.name, acc.name, cat.name)
    acc.reset_state()
    a3 = acc.result()
""")

# --- Keras: optimizers -----------------------------------------------------------------------

program("keras_optimizers_rmsprop_adagrad_and_clipping", """
    out = {}
    makers = {
        "rmsprop": lambda: tf.keras.optimizers.RMSprop(0.1),
        "rmsprop_momentum_centered": lambda: tf.keras.optimizers.RMSprop(0.05, rho=0.8, momentum=0.5,
                                                                         centered=True),
        "adagrad": lambda: tf.keras.optimizers.Adagrad(0.5),
        "sgd_clipnorm": lambda: tf.keras.optimizers.SGD(0.1, clipnorm=1.0),
        "sgd_clipvalue": lambda: tf.keras.optimizers.SGD(0.1, clipvalue=0.5),
        "adam_global": lambda: tf.keras.optimizers.Adam(0.1, global_clipnorm=1.0),
        "sgd_momentum_global": lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, global_clipnorm=0.5),
    }
    for name, make in makers.items():
        w = tf.Variable([[1.0, -2.0], [3.0, 0.5]])
        b = tf.Variable([0.1, -0.1])
        opt = make()
        for step in range(5):
            with tf.GradientTape() as t:
                loss = tf.reduce_sum((tf.matmul(tf.constant([[1.0, 2.0]]), w) + b) ** 2)
            grads = t.gradient(loss, [w, b])
            opt.apply_gradients(zip(grads, [w, b]))
        out[name] = [w, b, opt.iterations]
    config = (tf.keras.optimizers.RMSprop().rho, tf.keras.optimizers.Adagrad().initial_accumulator_value,
              tf.keras.optimizers.SGD(clipnorm=2.0).clipnorm)
""")

program("keras_optimizer_two_clippings", """
    tf.keras.optimizers.SGD(0.1, clipnorm=1.0, clipvalue=1.0)
""", error="ValueError", both=("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set.",))

# --- Keras: whole training loops from the same weights ------------------------------------------

program("keras_training_loop_sequential_sgd", """
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((32, 8)).astype(np.float32))
    labels = tf.constant(rng.integers(0, 3, 32))
    w1 = (rng.standard_normal((8, 16)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((16, 3)) * 0.3).astype(np.float32)
    model = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(16, activation="relu"),
                                 tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(3)])
    model.set_weights([w1, np.zeros(16, np.float32), w2, np.zeros(3, np.float32)])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    acc = tf.keras.metrics.SparseCategoricalAccuracy()
    mean_loss = tf.keras.metrics.Mean()
    for step in range(20):
        with tf.GradientTape() as tape:
            logits = model(x, training=False)
            loss = loss_fn(labels, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        acc.update_state(labels, logits)
        mean_loss.update_state(loss)
        if step % 5 == 0:
            print(f"step {step}: loss {float(loss):.4f}")
    final = [v.numpy() for v in model.trainable_variables]
    reported = (acc.result(), mean_loss.result(), opt.iterations)
""")

program("keras_training_loop_subclassed_adam_softmax", """
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((16, 4)).astype(np.float32))
    y = tf.constant(np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)])

    class Classifier(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.keras.layers.Dense(6, activation="tanh",
                                                kernel_initializer=tf.keras.initializers.Constant(0.1))
            self.head = tf.keras.layers.Dense(3, activation="softmax", kernel_initializer="ones")

        def call(self, inputs):
            return self.head(self.hidden(inputs))

    model = Classifier()
    _ = model(x)
    start = [rng.standard_normal(v.shape).astype(np.float32) * 0.5 for v in model.trainable_variables]
    for v, s in zip(model.trainable_variables, start):
        v.assign(s)
    loss_fn = tf.keras.losses.CategoricalCrossentropy()
    opt = tf.keras.optimizers.Adam(0.05, clipnorm=1.0)
    for step in range(15):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
    final = [v.numpy() for v in model.trainable_variables]
    last_loss = loss
""")

program("keras_training_loop_mse_rmsprop_regularized", """
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(2)
    x = tf.constant(rng.uniform(-1, 1, (20, 3)).astype(np.float32))
    y = tf.constant((x.numpy() @ np.array([[1.0], [-2.0], [0.5]], np.float32)) + 0.3)
    layer = tf.keras.layers.Dense(1, kernel_initializer="zeros", kernel_regularizer=tf.keras.regularizers.L2(0.01))
    opt = tf.keras.optimizers.RMSprop(0.05)
    mse = tf.keras.losses.MeanSquaredError()
    for step in range(8):  # RMSprop's normalised steps amplify float32 rounding over many more
        with tf.GradientTape() as tape:
            loss = mse(y, layer(x)) + tf.add_n(layer.losses)
        grads = tape.gradient(loss, layer.trainable_variables)
        opt.apply_gradients(zip(grads, layer.trainable_variables))
    kernel, bias = layer.kernel, layer.bias
    final_loss = loss
""")
