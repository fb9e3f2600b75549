r"""Layers: ``Dense``, ``ActivationLayer`` (any registry activation, by name) and ``BatchNorm``.

Each layer is written twice, CS231n style and micrograd style:

* a pair of plain functions, ``*_forward(x, ...) -> (out, cache)`` and
  ``*_backward(dout, cache) -> (dx, grads...)``, the maths within a few lines of each other;
* a thin :class:`Module` on top that owns its :class:`Parameter` objects, keeps the cache of
  the last forward pass and writes the parameter gradients into ``p.grad`` on ``backward``.

Shapes: inputs are ``(batch, features)``; ``Dense`` computes ``x @ W + b`` with ``W`` of shape
``(fan_in, fan_out)``. ``backward`` *overwrites* the gradients (it does not accumulate).
"""

from __future__ import annotations

import numpy as np

from ..activations import get as get_activation
from .init import get_init

__all__ = [
    "Parameter", "Module", "Dense", "ActivationLayer", "BatchNorm", "Sequential",
    "dense_forward", "dense_backward", "activation_forward", "activation_backward",
    "batchnorm_forward", "batchnorm_backward",
]


class Parameter:
    """A trainable array ``value`` and its gradient ``grad`` (same shape), updated in place."""

    __slots__ = ("value", "grad", "name")

    def __init__(self, value, name: str = ""):
        self.value = np.array(value, dtype=np.float64)
        self.grad = np.zeros_like(self.value)
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.value.shape})"


def _check_2d(x, n_features: int, who: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{who}: expected a 2-D array (batch, features), got shape {x.shape}")
    if x.shape[1] != n_features:
        raise ValueError(f"{who}: expected {n_features} input features, got {x.shape[1]} (shape {x.shape})")
    return x


# ---- the maths ----------------------------------------------------------------------------

def dense_forward(x, W, b):
    """``out = x @ W + b``; the cache keeps ``x`` and ``W`` for the backward pass."""
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    """``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = sum(dout, axis=0)``."""
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def activation_forward(x, act, params):
    """``out = f(x)`` for a registry :class:`~course_lib.activations.Activation` ``act``."""
    return act.fn(x, **params), x


def activation_backward(dout, cache, act, params):
    """Elementwise: ``dx = dout * f'(x)``; vector-valued (softmax, GLU, maxout): the VJP."""
    x = cache
    if act.elementwise:
        return dout * act.grad(x, **params)
    return act.grad(x, dout, **params)


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    r"""Training-mode batch normalisation: :math:`\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}`,
    ``out = gamma * xhat + beta``. Returns ``(out, cache)``; ``cache`` also carries the batch mean
    and (biased) variance for the running averages."""
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std, mu, var)


def batchnorm_backward(dout, cache):
    r"""Backward pass of :func:`batchnorm_forward` in its compact form

    .. math:: \partial x = \frac{1}{N\sigma}\Bigl(N\,\partial\hat x - \textstyle\sum \partial\hat x
              - \hat x \sum \partial\hat x\,\hat x\Bigr),\quad \partial\hat x = \gamma\,\partial\text{out}.
    """
    xhat, gamma, inv_std, _, _ = cache
    n = dout.shape[0]
    dxhat = dout * gamma
    dx = (inv_std / n) * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# ---- the modules --------------------------------------------------------------------------

class Module:
    """Base class: ``__call__`` runs ``forward``; ``parameters()`` lists the trainable arrays."""

    training = True

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad[...] = 0.0

    def train(self, mode: bool = True):
        """Training mode (BatchNorm uses batch statistics); returns ``self``."""
        self.training = mode
        return self

    def eval(self):
        """Evaluation mode (BatchNorm uses its running statistics); returns ``self``."""
        return self.train(False)

    def _need_cache(self):
        if getattr(self, "cache", None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self.cache


class Dense(Module):
    """Fully connected layer ``x @ W + b``.

    >>> layer = Dense(3, 2, np.random.default_rng(0), init="he_normal")
    >>> layer(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(self, fan_in: int, fan_out: int, rng, init="glorot_normal", bias: float = 0.0):
        self.fan_in, self.fan_out = fan_in, fan_out
        self.W = Parameter(get_init(init)(fan_in, fan_out, rng), "W")
        self.b = Parameter(np.full(fan_out, float(bias)), "b")
        self.cache = None

    def forward(self, x):
        x = _check_2d(x, self.fan_in, "Dense")
        out, self.cache = dense_forward(x, self.W.value, self.b.value)
        return out

    def backward(self, dout):
        dx, self.W.grad, self.b.grad = dense_backward(dout, self._need_cache())
        return dx

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self) -> str:
        return f"Dense({self.fan_in}, {self.fan_out})"


class ActivationLayer(Module):
    """Applies a registry activation by name, e.g. ``ActivationLayer("leaky_relu", negative_slope=0.1)``.

    The backward pass uses the registry's exact derivative (``NAME_grad``), or its
    vector-Jacobian product for vector-valued activations. The last forward pass's input
    (pre-activation) and output are kept as ``last_input`` / ``last_output`` for statistics.

    >>> ActivationLayer("relu")(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """

    def __init__(self, name: str, **params):
        self.act = get_activation(name)
        unknown = set(params) - set(self.act.params)
        if unknown:
            raise TypeError(f"{name} has no parameter(s) {sorted(unknown)}; it takes {sorted(self.act.params) or 'none'}")
        self.params = {**self.act.params, **params}
        self.cache = None
        self.last_output = None

    @property
    def name(self) -> str:
        return self.act.name

    @property
    def last_input(self):
        return self.cache

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        out, self.cache = activation_forward(x, self.act, self.params)
        self.last_output = out
        return out

    def backward(self, dout):
        return activation_backward(dout, self._need_cache(), self.act, self.params)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params.items() if self.act.params.get(k) != v)
        return f"ActivationLayer({self.act.name!r}{extra})"


class BatchNorm(Module):
    """Batch normalisation over the batch axis (Ioffe & Szegedy, 2015).

    Training mode normalises with the batch's mean and variance and updates running averages
    (``running = momentum * running + (1 - momentum) * batch``); evaluation mode uses the
    running averages. The running variance is the biased batch variance.
    """

    def __init__(self, n_features: int, momentum: float = 0.9, eps: float = 1e-5):
        self.n_features, self.momentum, self.eps = n_features, momentum, eps
        self.gamma = Parameter(np.ones(n_features), "gamma")
        self.beta = Parameter(np.zeros(n_features), "beta")
        self.running_mean = np.zeros(n_features)
        self.running_var = np.ones(n_features)
        self.cache = None

    def forward(self, x):
        x = _check_2d(x, self.n_features, "BatchNorm")
        if self.training:
            if x.shape[0] < 2:
                raise ValueError("BatchNorm: training mode needs a batch of at least 2 examples")
            out, self.cache = batchnorm_forward(x, self.gamma.value, self.beta.value, self.eps)
            mu, var = self.cache[3], self.cache[4]
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            return out
        self.cache = None  # the evaluation-mode pass is affine; no backward through it is needed
        xhat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma.value * xhat + self.beta.value

    def backward(self, dout):
        dx, self.gamma.grad, self.beta.grad = batchnorm_backward(dout, self._need_cache())
        return dx

    def parameters(self):
        return [self.gamma, self.beta]

    def __repr__(self) -> str:
        return f"BatchNorm({self.n_features})"


class Sequential(Module):
    """Layers applied in order; ``backward`` runs them in reverse."""

    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode: bool = True):
        self.training = mode
        for layer in self.layers:
            layer.train(mode)
        return self

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}(\n  {inner}\n)"
