x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = x * tf.stop_gradient(tf.exp(x))

grad = tape.gradient(y, x)
