x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = x**2 + 2 * x - 1

grad = tape.gradient(y, x)
