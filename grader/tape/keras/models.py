"""``tf.keras.Model`` (subclassed: define ``call``) and ``tf.keras.Sequential``.

A Sequential model is built from an ``Input`` shape at once, or else on its first
call from that call's input shape; its layers' weights then live under the model's
name scope (``sequential/dense/kernel``). ``summary()`` prints the table Keras 3
prints through rich when the output is not a terminal (see ``summary.py``).
"""

from __future__ import annotations

from . import backend as _backend
from .layers import InputLayer as _InputLayer, Layer as _Layer, _KerasTensor

__all__ = ["Model", "Sequential"]


class Model(_Layer):
    """A layer that owns layers: subclass it and define ``call`` (or use ``Sequential``)."""

    def __init__(self, *args, **kwargs) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError("The engine's tf.keras.Model supports subclassing (define `call`) and "
                                      "tf.keras.Sequential; the functional Model(inputs, outputs) is not offered.")
        super().__init__(**kwargs)
        self.built = False

    def build(self, input_shape=None) -> None:
        pass

    @property
    def layers(self) -> list:
        return [layer for layer in self._layers if not isinstance(layer, _InputLayer)]

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None) -> None:
        from .summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def _layer_shapes(self) -> list:
        """The output shape each listed layer was first built or called with (None: unknown)."""
        return [layer.__dict__.get("_first_output_shape") if layer._build_shape is not None else None
                for layer in self.layers]


class Sequential(Model):
    """A stack of layers, each feeding the next."""

    def __init__(self, layers=None, trainable=True, name=None) -> None:
        super().__init__(trainable=trainable, name=name)
        self._stack: list = []
        self._input_shape = None
        for layer in layers or ():
            self.add(layer)

    def add(self, layer, rebuild=True) -> None:
        if isinstance(layer, _KerasTensor):
            self._input_shape = tuple(layer.shape)
            return
        if isinstance(layer, _InputLayer):
            self._input_shape = tuple(layer.output.shape)
            return
        if not isinstance(layer, _Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential model. Received: %r"
                             % (layer,))
        if any(layer.name == other.name for other in self._stack):
            raise ValueError("All layers added to a Sequential model should have unique names. Name '%s' is "
                             "already the name of a layer in this model. Update the `name` argument to pass "
                             "a unique name." % layer.name)
        if self._input_shape is None and layer._declared_input_shape is not None and not self._stack:
            self._input_shape = layer._declared_input_shape
        self._stack.append(layer)
        self._tracked.append(layer)
        if self._input_shape is not None and rebuild:
            self.build(self._input_shape)

    def pop(self, rebuild=True):
        layer = self._stack.pop()
        self._tracked.remove(layer)
        return layer

    @property
    def layers(self) -> list:
        return list(self._stack)

    def build(self, input_shape=None) -> None:
        """Build every layer from the shape flowing down the stack (batch axis kept as given)."""
        if input_shape is None:
            return
        self._input_shape = tuple(input_shape)
        shape = self._input_shape
        with _backend._Scope(self.name, self):
            for layer in self._stack:
                layer._maybe_build(shape)
                shape = tuple(layer.compute_output_shape(shape))
                layer._sequential_shape = shape
        self._build_shape = self._input_shape
        self.built = True

    def _maybe_build(self, input_shape) -> None:
        if not self.built or any(not layer.built for layer in self._stack):
            self.build(input_shape)

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training) if training is not None else layer(x)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._stack:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def _layer_shapes(self) -> list:
        return [layer.__dict__.get("_sequential_shape") if self.built else None for layer in self._stack]
