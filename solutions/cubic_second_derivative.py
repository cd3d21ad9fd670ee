x = tf.Variable(x0)

with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = 2 * x**3 + 5 * x**2 + 3 * x
    dy_dx = inner.gradient(y, x)

d2y_dx2 = outer.gradient(dy_dx, x)
