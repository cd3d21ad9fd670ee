x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = tf.reduce_sum(tf.where(x > 0, x**2, 0.5 * x**2))

grad = tape.gradient(y, x)
