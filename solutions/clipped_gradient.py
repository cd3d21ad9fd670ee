@tf.custom_gradient
def f(x):
    y = x**3

    def grad(upstream):
        return upstream * tf.clip_by_value(3 * x**2, -2.0, 2.0)

    return y, grad
