x = tf.Variable(x0)
u = tf.constant(u0)

with tf.GradientTape() as tape:
    y = x**2

grad = tape.gradient(y, x, output_gradients=u)
