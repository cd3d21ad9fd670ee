x = tf.Variable(x0)
z = tf.Variable(z0)

with tf.GradientTape() as tape:
    y = tf.reduce_sum(x * x + 2 * z)

dx, dz = tape.gradient(y, [x, z])
