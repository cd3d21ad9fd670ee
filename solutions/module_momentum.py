class Line(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(w0)
        self.b = tf.Variable(b0)

    def __call__(self, x):
        return self.w * x + self.b


model = Line()
x = tf.constant(x_train)
y = tf.constant(y_train)
optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)

for epoch in range(epochs):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(y - model(x)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

w = model.w
b = model.b
