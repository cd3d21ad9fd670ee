x = tf.Variable(x0)

with tf.GradientTape(persistent=True) as tape:
    y = x * x
    z = y * y

dy_dx = tape.gradient(y, x)
dz_dx = tape.gradient(z, x)
del tape
