x = tf.Variable(float(x0))  # a float32 variable, so the tape can follow it

with tf.GradientTape() as tape:
    y = x**2 + 3 * x

grad = tape.gradient(y, x)
print(grad)
