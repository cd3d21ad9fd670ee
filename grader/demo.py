"""``grader demo``: the course's first examples, run on the bundled engine.

A quick way to see, without Jupyter, that ``import grader.tape as tf`` behaves as the
tutorials say TensorFlow does.
"""

from __future__ import annotations

from typing import TextIO


def run(out: TextIO) -> None:
    import grader.tape as tf

    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    print(f"y = x*x at x=3: y = {y}, dy/dx = {tape.gradient(y, x)}", file=out)

    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = 2 * x**3 + 5 * x**2 + 3 * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    print(f"2x^3+5x^2+3x at x=2: {y}", file=out)
    print(f"  first derivative {dy.numpy()}, second derivative {d2y.numpy()}", file=out)

    n = tf.Variable(2)
    with tf.GradientTape() as tape:
        y = n * n
    print(f"an integer variable gets no gradient: {tape.gradient(y, n)}", file=out)
