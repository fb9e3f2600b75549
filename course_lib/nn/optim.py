r"""Optimisers: plain SGD, SGD with momentum, and Adam.

Each takes the list of :class:`~course_lib.nn.layers.Parameter` objects (``model.parameters()``)
and, on ``step()``, updates every ``p.value`` in place from ``p.grad``:

* SGD: :math:`\theta \leftarrow \theta - \eta g`;
* momentum (PyTorch's convention): :math:`v \leftarrow \beta v + g`, :math:`\theta \leftarrow \theta - \eta v`;
* Adam (Kingma & Ba, 2015): :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`,
  :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
  :math:`\theta \leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)` with the
  bias-corrected :math:`\hat m = m / (1-\beta_1^t)`, :math:`\hat v = v / (1-\beta_2^t)`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "make_optimizer"]


class Optimizer:
    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: no parameters to optimise")
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: learning rate must be positive, got {lr}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0.0

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent.

    >>> from course_lib.nn.layers import Parameter
    >>> p = Parameter([1.0, 2.0]); p.grad[:] = [0.5, -1.0]
    >>> SGD([p], lr=0.1).step(); p.value
    array([0.95, 2.1 ])
    """

    def step(self):
        for p in self.params:
            p.value -= self.lr * p.grad


class Momentum(Optimizer):
    """SGD with (heavy-ball) momentum, PyTorch's form ``v = beta * v + g``; ``theta -= lr * v``."""

    def __init__(self, params, lr: float, beta: float = 0.9):
        super().__init__(params, lr)
        self.beta = beta
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def step(self):
        for p, v in zip(self.params, self.velocity):
            v *= self.beta
            v += p.grad
            p.value -= self.lr * v


class Adam(Optimizer):
    """Adam with bias correction; the first step moves each parameter by about ``lr * sign(g)``."""

    def __init__(self, params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for p, m, v in zip(self.params, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * p.grad
            v *= self.beta2
            v += (1.0 - self.beta2) * p.grad**2
            p.value -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


_OPTIMISERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, params, lr: float, **kwargs) -> Optimizer:
    """``make_optimizer("adam", model.parameters(), lr=1e-3)``."""
    try:
        cls = _OPTIMISERS[name]
    except KeyError:
        raise KeyError(f"no optimiser named {name!r}; known: {', '.join(_OPTIMISERS)}") from None
    return cls(params, lr, **kwargs)
