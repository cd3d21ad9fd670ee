"""``tf.keras.utils``: seeding everything a training loop draws from."""

from __future__ import annotations

__all__ = ["set_random_seed"]


def set_random_seed(seed) -> None:
    """Seed Python's ``random``, numpy's global generator and the engine's (``tf.random``),
    as Keras seeds Python, numpy and TensorFlow."""
    import random

    import numpy as np

    from .. import random as tf_random

    if not isinstance(seed, int):
        raise ValueError("Expected `seed` argument to be an integer. Received: seed=%s (of type %s)"
                         % (seed, type(seed)))
    random.seed(seed)
    np.random.seed(seed)
    tf_random.set_seed(seed)
