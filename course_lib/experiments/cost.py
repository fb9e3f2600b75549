r"""Experiment 9 -- the cost of an activation, measured on the reader's machine.

Claim: activations differ several-fold in cost. ReLU is a comparison; the exponential family
(ELU, SELU, sigmoid, SiLU) needs an ``exp`` per element; GELU needs ``erf``; Mish needs
``exp``, ``log1p`` and ``tanh``. In this library the smooth units are also computed with extra
care for accuracy, which costs more time again.

Measured: for every elementwise activation in the registry, the best-of-``repeats`` wall time
of the forward pass ``f(x)`` and of the backward pass ``g * f'(x)`` on ``n`` float64 inputs
drawn from a standard normal, in nanoseconds per element. The numbers depend on the machine,
the numpy build and the array size; the ranking is what carries over.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..activations import ELEMENTWISE

__all__ = ["CostResult", "activation_cost"]


@dataclass
class CostResult:
    names: tuple[str, ...]
    forward_ns: np.ndarray  #: ns per element of f(x)
    backward_ns: np.ndarray  #: ns per element of g * f'(x)
    n: int
    seconds: float

    @property
    def total_ns(self) -> np.ndarray:
        return self.forward_ns + self.backward_ns

    def relative_to(self, name: str = "relu") -> np.ndarray:
        """Forward + backward time of each activation divided by that of ``name``."""
        return self.total_ns / self.total_ns[self.names.index(name)]

    def ranking(self) -> list[tuple[str, float]]:
        """(name, forward + backward ns per element), cheapest first."""
        order = np.argsort(self.total_ns)
        return [(self.names[i], float(self.total_ns[i])) for i in order]


def _best_time(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def activation_cost(names=None, n: int = 2**18, repeats: int = 5, seed: int = 0) -> CostResult:
    """Time forward and backward of each elementwise activation (all of them by default)."""
    start = time.perf_counter()
    names = tuple(ELEMENTWISE) if names is None else tuple(names)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    g = rng.standard_normal(n)
    fwd, bwd = [], []
    for name in names:
        act = ELEMENTWISE[name]
        params = dict(act.params)
        act.fn(x[:16], **params)  # warm-up (imports, table loading)
        fwd.append(_best_time(lambda act=act, params=params: act.fn(x, **params), repeats) / n * 1e9)
        bwd.append(_best_time(lambda act=act, params=params: g * act.grad(x, **params), repeats) / n * 1e9)
    return CostResult(names, np.array(fwd), np.array(bwd), n, time.perf_counter() - start)
