x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = x * x

grad = tape.gradient(y, x)
