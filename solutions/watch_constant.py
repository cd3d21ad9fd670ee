x = tf.constant(x0)

with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.reduce_sum(x)
    z = tf.square(y)

dz_dx = tape.gradient(z, x)
