r"""Experiment 5 -- SELU self-normalisation, and the PyTorch initialisation pitfall.

Claim (Klambauer et al., 2017): with weights of variance :math:`1/n_\text{in}` (LeCun normal),
SELU maps activations of mean 0 and variance 1 to mean 0 and variance 1, an attracting fixed
point, so a deep SELU network keeps its activations normalised without BatchNorm. With He
initialisation (variance :math:`2/n_\text{in}`) the variance drifts upwards; with PyTorch's
``kaiming_normal_(nonlinearity='selu')`` (gain 3/4, variance :math:`0.5625/n_\text{in}`) it
drifts downwards.

Measured: a batch of standard-normal inputs pushed through ``depth`` Dense+SELU layers (zero
biases), the mean and variance of every layer's output over all units and examples.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..activations import selu
from ..nn import get_init
from .data import single_threaded

__all__ = ["SeluResult", "selu_self_normalisation", "SELU_INITS"]

#: initialiser name -> label used in the book.
SELU_INITS = {
    "lecun_normal": "LeCun normal (Var = 1/n)",
    "he_normal": "He normal (Var = 2/n)",
    "torch_kaiming_selu": "kaiming_normal_(nonlinearity='selu') (Var = 0.5625/n)",
}


@dataclass
class SeluResult:
    inits: tuple[str, ...]
    labels: dict  #: init -> label
    mean: dict  #: init -> array (n_seeds, depth): mean of each layer's output
    var: dict  #: init -> array (n_seeds, depth): variance of each layer's output
    depth: int
    seconds: float


@single_threaded
def selu_self_normalisation(depth: int = 50, width: int = 256, n: int = 1000,
                            inits=tuple(SELU_INITS), seeds=(0, 1, 2)) -> SeluResult:
    """Mean and variance of SELU activations layer by layer, for each initialiser."""
    start = time.perf_counter()
    means, variances = {}, {}
    for init in inits:
        m_rows, v_rows = [], []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            h = rng.standard_normal((n, width))
            m, v = [], []
            for _ in range(depth):
                h = selu(h @ get_init(init)(width, width, rng))
                m.append(h.mean())
                v.append(h.var())
            m_rows.append(m)
            v_rows.append(v)
        means[init], variances[init] = np.array(m_rows), np.array(v_rows)
    labels = {i: SELU_INITS.get(i, i) for i in inits}
    return SeluResult(tuple(inits), labels, means, variances, depth, time.perf_counter() - start)
