"""Any course activation as a PyTorch module or a Keras 3 layer, with the library's exact
value and derivative.

:func:`torch_activation` wraps ``REGISTRY[name]`` in an ``nn.Module`` whose forward pass calls
the library's ``fn`` and whose backward pass calls its ``grad`` (elementwise: :math:`g\\,f'(x)`;
vector-valued: the vector-Jacobian product ``grad(x, g)``), through a ``torch.autograd.Function``.
:func:`keras_activation` does the same as a serialisable Keras 3 layer (``get_config``, saved and
reloaded with ``keras.saving``), through ``keras.ops.custom_gradient``.

Both compute in NumPy on the CPU, so they are for teaching, checking and porting, not for speed,
and they are first-order only (the backward pass is not itself differentiable). torch and keras
are imported inside the functions: ``course_lib`` never needs them. ``tests/frameworks/`` runs
this module (gradcheck in float64, a Keras save and reload).
"""

from __future__ import annotations

import functools

from .activations import get


@functools.cache
def _torch_classes():
    """``CourseFunction`` (the autograd Function) and ``CourseActivation`` (its nn.Module)."""
    import torch
    from torch.autograd.function import once_differentiable

    class CourseFunction(torch.autograd.Function):
        """y = f(x) with the library's f; backward: the library's derivative."""

        @staticmethod
        def forward(ctx, x, name, params):
            act = get(name)
            ctx.save_for_backward(x)
            ctx.act, ctx.params = act, params
            y = act.fn(x.detach().cpu().numpy(), **params)
            return torch.as_tensor(y, dtype=x.dtype, device=x.device)

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            x_np, g_np = x.detach().cpu().numpy(), g.detach().cpu().numpy()
            if ctx.act.elementwise:
                dx = g_np * ctx.act.grad(x_np, **ctx.params)
            else:
                dx = ctx.act.grad(x_np, g_np, **ctx.params)
            return torch.as_tensor(dx, dtype=x.dtype, device=x.device), None, None

    class CourseActivation(torch.nn.Module):
        """``nn.Module`` computing the course activation ``name`` (parameters: the registry's defaults
        updated by ``params``)."""

        def __init__(self, name: str, **params):
            super().__init__()
            act = get(name)
            self.name, self.params = name, {**act.params, **params}

        def forward(self, x):
            return CourseFunction.apply(x, self.name, self.params)

        def extra_repr(self) -> str:
            return ", ".join([repr(self.name)] + [f"{k}={v!r}" for k, v in self.params.items()])

    return CourseFunction, CourseActivation


def torch_activation(name: str, **params):
    """An ``nn.Module`` computing the course activation ``name`` with the library's derivative."""
    return _torch_classes()[1](name, **params)


@functools.cache
def _keras_class():
    """``CourseActivation``, a Keras 3 layer registered for serialisation as ``course_lib>CourseActivation``."""
    import keras
    import numpy as np
    from keras import ops

    @keras.saving.register_keras_serializable(package="course_lib")
    class CourseActivation(keras.layers.Layer):
        """Keras layer computing the course activation ``activation`` with the library's derivative."""

        def __init__(self, activation: str, params: dict | None = None, **kwargs):
            super().__init__(**kwargs)
            act = get(activation)
            self.activation, self.params = activation, {**act.params, **(params or {})}

        def call(self, x):
            act, params = get(self.activation), self.params

            @ops.custom_gradient
            def f(x):
                x_np = _to_numpy(x)

                def grad(*args, upstream=None):
                    g = _to_numpy(args[0] if upstream is None else upstream)
                    dx = g * act.grad(x_np, **params) if act.elementwise else act.grad(x_np, g, **params)
                    return ops.convert_to_tensor(np.asarray(dx, dtype=x_np.dtype))

                return ops.convert_to_tensor(act.fn(x_np, **params)), grad

            return f(x)

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "activation": self.activation, "params": dict(self.params)}

    def _to_numpy(x):
        # torch tensors through .numpy(): keras.ops.convert_to_numpy calls np.array(tensor), which
        # NumPy 2 warns about for torch's __array__ (it takes no copy argument)
        if hasattr(x, "detach"):
            return x.detach().cpu().numpy()
        return ops.convert_to_numpy(x)

    return CourseActivation


def keras_activation(name: str, **params):
    """A Keras 3 layer computing the course activation ``name`` with the library's derivative."""
    return _keras_class()(name, params)
