x = tf.Variable(x0)

with tf.GradientTape() as tape:
    with tape.stop_recording():
        c = 3 * x
    y = x**2 * c

grad = tape.gradient(y, x)
