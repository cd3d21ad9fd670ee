x = tf.Variable(x0)
z = tf.Variable(z0)

with tf.GradientTape() as tape:
    y = x**2

dx, dz = tape.gradient(y, [x, z], unconnected_gradients=tf.UnconnectedGradients.ZERO)
