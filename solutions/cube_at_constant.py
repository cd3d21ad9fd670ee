x = tf.constant(x0)

with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = x**3
    dy_dx = inner.gradient(y, x)

d2y_dx2 = outer.gradient(dy_dx, x)
