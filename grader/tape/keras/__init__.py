"""``tf.keras``: the optimizers and losses a custom training loop needs."""

from . import losses, optimizers

__all__ = ["losses", "optimizers"]
