x = tf.constant(x0)
y = tf.constant(y0)

with tf.GradientTape() as tape:
    tape.watch(x)
    tape.watch(y)
    z = x + y

grads = tape.gradient(z, [x, y])
