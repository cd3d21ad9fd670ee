"""``tf.custom_gradient`` and ``tf.recompute_grad``, as TensorFlow defines them in eager mode.

The decorated function runs with recording on (so an outer tape sees the values its
gradient function closes over: that is what gives second derivatives), and its
outputs are recorded as one ``CustomGradient`` op whose gradient rule calls the
user's gradient function. The op then takes the place of the function's inner ops
for every tape that recorded it; a tape that watches none of its inputs sees the
outputs as identities of the inner results instead, as TensorFlow's does.

Gradients still leave through ``GradientTape.gradient``/``jacobian``: this module only
adds an op to the table the tape walks.
"""

from __future__ import annotations

import functools
import inspect

from .recording import VariableWatcher, active, record
from .tensor import Tensor, as_tensor, convert_to_tensor, operand, wrap

__all__ = ["custom_gradient", "recompute_grad"]


def custom_gradient(f=None):
    """``tf.custom_gradient``: ``f(*args)`` returns ``(outputs, grad_fn)``.

    ``grad_fn(*upstream)`` returns one gradient per argument; when ``f`` reads
    variables, ``grad_fn(*upstream, variables=...)`` returns ``(argument gradients,
    variable gradients)``.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call(f, args, kwargs)

    return decorated


def _accepts_variables(grad_fn) -> bool:
    try:
        spec = inspect.getfullargspec(grad_fn)
    except TypeError:
        return True
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw is not None


def _call(f, args: tuple, kwargs: dict):
    from .tape import _flatten, _pack

    with VariableWatcher() as watcher:
        result, grad_fn = f(*args, **kwargs)
    flat_args = _flatten(list(args))
    inputs_given = flat_args + _flatten(kwargs)
    # The variables grad_fn must return gradients for: those read, not passed in.
    variables = [v for v in watcher.variables if all(v is not i for i in inputs_given)]
    if variables and not _accepts_variables(grad_fn):
        raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since function "
                        "uses variables: %s" % variables)
    results = [convert_to_tensor(r) for r in _flatten(result)]
    outs = tuple(wrap(r._value, r._dtype) for r in results)
    if active:
        inputs = tuple(a if isinstance(a, Tensor) else as_tensor(a) for a in flat_args) + tuple(variables)
        record("CustomGradient", inputs, outs, _GradientCall(grad_fn, len(flat_args), variables))
        for tape in active:
            ids = tape._ids
            if id(outs[0]) in ids or tape.__class__ is VariableWatcher:
                continue
            for r, o in zip(results, outs):
                if id(r) in ids and r._dtype.is_floating:
                    tape._entries.append(("Identity", (r,), o, None))
                    ids.add(id(o))
    return _pack(result, list(outs))[0]


class _GradientCall:
    """The recorded op's gradient: the user's ``grad_fn``, checked as TensorFlow checks it."""

    __slots__ = ("grad_fn", "arg_count", "variables")

    def __init__(self, grad_fn, arg_count: int, variables: list) -> None:
        self.grad_fn = grad_fn
        self.arg_count = arg_count
        self.variables = variables

    def __call__(self, upstreams: list, inputs: tuple, needs: tuple) -> list:
        from .tape import _flatten

        if self.variables:
            input_grads, variable_grads = self.grad_fn(*upstreams, variables=self.variables)
            variable_grads = list(variable_grads)
            if len(variable_grads) != len(self.variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            input_grads = self.grad_fn(*upstreams)
            variable_grads = []
        flat = _flatten(input_grads)
        if len(flat) != self.arg_count:
            raise ValueError("custom_gradient function expected to return %d gradients, but returned %d instead."
                             % (self.arg_count, len(flat)))
        grads = []
        for g, x, need in zip(flat + variable_grads, inputs, needs):
            if g is None or not need or not x._dtype.is_floating:
                grads.append(None)
            else:
                grads.append(g if isinstance(g, Tensor) else operand(g, x._dtype))
        return grads


def _custom_gradient_rule(g, ins, out, attrs, needs):
    """The gradient table's entry: ``g`` holds one upstream gradient per output."""
    return attrs(g, ins, needs)


def recompute_grad(f):
    """``tf.recompute_grad``: keep no intermediate values of ``f``; recompute them in the
    backward pass (TensorFlow's eager definition, a custom gradient that re-runs ``f``
    under a fresh tape)."""
    from .array_ops import identity
    from .tape import GradientTape, UnconnectedGradients, _Paused

    @custom_gradient
    def inner(*args, **kwargs):
        with _Paused():
            result = f(*args, **kwargs)

        def grad_wrapper(*wrapper_args, variables=None):
            @custom_gradient
            def inner_recompute_grad(*dresult):
                with GradientTape() as t:
                    id_args = [identity(a) for a in args]
                    t.watch(id_args)
                    if variables is not None:
                        t.watch(variables)
                    recomputed = f(*id_args, **kwargs)
                kw_vars = list(variables) if variables is not None else []
                grads = t.gradient(recomputed, sources=list(id_args) + kw_vars, output_gradients=dresult,
                                   unconnected_gradients=UnconnectedGradients.ZERO)

                def transpose(*t_args, **t_kwargs):
                    raise NotImplementedError("recompute_grad tried to transpose grad of {}. Consider not using "
                                              "recompute_grad in forward modeautodiff".format(f.__name__))

                return (grads[:len(id_args)], grads[len(id_args):]), transpose

            return inner_recompute_grad(*wrapper_args)

        return result, grad_wrapper

    return functools.wraps(f)(inner)
