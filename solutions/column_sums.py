x = tf.Variable(x0)

with tf.GradientTape() as tape:
    s = tf.reduce_sum(x, axis=0)
    y = tf.reduce_sum(tf.square(s))

grad = tape.gradient(y, x)
