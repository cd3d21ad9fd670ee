def df(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = tf.sin(x) * x**2
    return tape.gradient(y, x)
