x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = 2 * x**3 + 5 * x**2 + 3 * x

dy_dx = tape.gradient(y, x)
