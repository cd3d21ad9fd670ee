x = tf.Variable(x0)

with tf.GradientTape() as tape:
    g = tf.matmul(tf.transpose(x), x)
    y = tf.reduce_sum(g)

grad = tape.gradient(y, x)
