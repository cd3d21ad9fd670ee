x = tf.constant(x0)

with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = tf.math.log(1 + tf.exp(x[0] - x[1])) + x[2]**2 * x[0]
    grad = inner.gradient(y, x)

hess = outer.jacobian(grad, x)
