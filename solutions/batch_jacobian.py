x = tf.constant(x0)

with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * tf.reduce_sum(x, axis=1, keepdims=True)

batch_jac = tape.batch_jacobian(y, x)
