x = tf.Variable(x0)

with tf.GradientTape() as tape:
    y = x * tf.reduce_sum(x)

jac = tape.jacobian(y, x)
