"""``tf.keras``: what a custom training loop uses from Keras 3, as it behaves on TensorFlow.

One module per concept: ``layers`` (Layer, Dense, Flatten, Dropout, Activation,
Input), ``models`` (Model, Sequential; ``summary`` prints its table), ``variables``
(the Keras weight), ``initializers``, ``activations``, ``regularizers``, ``losses``,
``metrics``, ``optimizers``, ``utils`` and ``backend`` (names, scopes, the session).
The engine imports this package on first use of ``tf.keras``.
"""

from . import activations, backend, initializers, layers, losses, metrics, models, optimizers, regularizers, utils
from .layers import Input
from .models import Model, Sequential
from .variables import Variable

__all__ = ["activations", "backend", "initializers", "layers", "losses", "metrics", "models", "optimizers",
           "regularizers", "utils", "Input", "Model", "Sequential", "Variable"]
