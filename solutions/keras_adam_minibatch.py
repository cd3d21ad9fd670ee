layer = tf.keras.layers.Dense(1, kernel_initializer=tf.keras.initializers.Constant(w0),
                              bias_initializer=tf.keras.initializers.Constant(b0))
model = tf.keras.Sequential([layer])
optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)


def train_step(model, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(y - model(x)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


losses = []
for epoch in range(epochs):
    for start in range(0, len(x_train), batch_size):
        x = tf.constant(x_train[start:start + batch_size])
        y = tf.constant(y_train[start:start + batch_size])
        losses.append(train_step(model, x, y))

final_loss = tf.reduce_mean(tf.square(tf.constant(y_train) - model(tf.constant(x_train))))
