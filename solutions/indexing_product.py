x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = x[0] * x[1] + x[2]**2

grad = tape.gradient(y, x)
