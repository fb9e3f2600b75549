r"""Experiment 2 -- vanishing and exploding gradients.

Claim: backpropagation multiplies the gradient by :math:`W_l^\top \operatorname{diag}(f'(z_l))`
once per layer, so its norm changes geometrically with depth. Sigmoid (:math:`f' \le 1/4`)
makes it vanish whatever the initialisation; tanh, ReLU, SELU and GELU keep it roughly
constant only with the initialisation matched to them (Glorot, He, LeCun, He), and vanish or
explode with a mismatched one.

Measured at initialisation, on one batch of digits: the norm of each Dense layer's weight
gradient (layer 1 is next to the input), for every activation and both initialisations,
over several seeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, matching_init, softmax_cross_entropy
from .data import digits, single_threaded

__all__ = ["VanishingResult", "vanishing_gradients", "MISMATCHED_INIT", "layer_gradient_norms"]

#: A common wrong choice for each activation: He for the saturating ones and for SELU,
#: LeCun (variance 1/n, half of what ReLU-like units need) for ReLU and GELU.
MISMATCHED_INIT = {"sigmoid": "he_normal", "tanh": "he_normal", "relu": "lecun_normal",
                   "selu": "he_normal", "gelu": "lecun_normal"}


@dataclass
class VanishingResult:
    activations: tuple[str, ...]
    depth: int
    inits: dict  #: (activation, "matched" | "mismatched") -> initialiser name
    grad_norms: dict  #: (activation, kind) -> array (n_seeds, depth + 1): ||dW|| per Dense layer
    act_std: dict  #: (activation, kind) -> array (n_seeds, depth): std of each hidden layer's output
    seconds: float

    def geometric_mean(self, activation: str, kind: str = "matched") -> np.ndarray:
        """Gradient norm per layer, geometric mean over seeds (zeros count as 1e-300)."""
        return 10 ** np.mean(np.log10(np.maximum(self.grad_norms[activation, kind], 1e-300)), axis=0)

    def first_to_last(self, activation: str, kind: str = "matched") -> float:
        """Ratio of the first hidden layer's gradient norm to the last hidden layer's."""
        g = self.geometric_mean(activation, kind)
        return float(g[0] / g[-2])


def layer_gradient_norms(net, X, y) -> np.ndarray:
    """One forward and backward pass of softmax cross-entropy; ``||dW||`` of every Dense layer."""
    out = net.forward(X)
    net.backward(softmax_cross_entropy(out, y)[1])
    return np.array([np.linalg.norm(layer.W.grad) for layer in net.dense_layers])


@single_threaded
def vanishing_gradients(activations=("sigmoid", "tanh", "relu", "selu", "gelu"), depth: int = 50,
                        width: int = 64, batch: int = 256, seeds=(0, 1, 2)) -> VanishingResult:
    """Per-layer gradient norms at initialisation for a ``depth``-hidden-layer MLP on digits."""
    start = time.perf_counter()
    data = digits()
    X, y = data.X_train[:batch], data.y_train[:batch]
    inits, norms, stds = {}, {}, {}
    for act in activations:
        for kind, init in (("matched", matching_init(act)), ("mismatched", MISMATCHED_INIT.get(act, "he_normal"))):
            inits[act, kind] = init
            g_rows, s_rows = [], []
            for seed in seeds:
                net = MLP((data.n_features,) + (width,) * depth + (data.n_classes,), act,
                          np.random.default_rng(seed), init=init)
                with np.errstate(over="ignore", invalid="ignore"):
                    g_rows.append(layer_gradient_norms(net, X, y))
                s_rows.append([layer.last_output.std() for layer in net.activation_layers])
            norms[act, kind] = np.array(g_rows)
            stds[act, kind] = np.array(s_rows)
    return VanishingResult(tuple(activations), depth, inits, norms, stds, time.perf_counter() - start)
