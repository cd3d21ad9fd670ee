x = tf.Variable(x0)

with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = x[0]**2 * x[1] + 3 * x[0] * x[1]**2
    grad = inner.gradient(y, x)

hess = outer.jacobian(grad, x)
