w = tf.Variable(w0)
b = tf.Variable(b0)
x = tf.constant(x_data)

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.square(w * x + b))

grads = tape.gradient(loss, {"w": w, "b": b})
dw = grads["w"]
db = grads["b"]
