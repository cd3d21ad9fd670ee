class Linear(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 1),
                                 initializer=tf.keras.initializers.Constant(w0))
        self.b = self.add_weight(shape=(1,), initializer=tf.keras.initializers.Constant(b0))

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


layer = Linear()
layer.build((None, 2))
optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)
x = tf.constant(x_train)
y = tf.constant(y_train)

for epoch in range(epochs):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(y - layer(x)))
    grads = tape.gradient(loss, layer.trainable_variables)
    optimizer.apply_gradients(zip(grads, layer.trainable_variables))

w = layer.w
b = layer.b
