w = tf.Variable(w0)
x = tf.constant(x_data)
y = tf.constant(y_data)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(w * x - y))

dloss_dw = tape.gradient(loss, w)
