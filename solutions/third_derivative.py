x = tf.Variable(x0)

with tf.GradientTape() as t3:
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x**4 - 2 * x**3
        dy = t1.gradient(y, x)
    d2y = t2.gradient(dy, x)

d3y_dx3 = t3.gradient(d2y, x)
