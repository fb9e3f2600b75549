r"""Experiment 3 -- dying ReLU.

Claim: a ReLU unit whose pre-activation is negative on every input has zero gradient on every
input, so nothing can revive it: it is dead. Large learning rates (big updates that push a
unit's bias and weights far negative) and negative bias initialisations kill units. Leaky ReLU
never has a zero gradient, so its "off" units keep learning; ELU's gradient
:math:`e^{z}` only vanishes when the unit is pushed very far negative.

Measured: an MLP on digits trained with Adam at several learning rates and two bias
initialisations; after each epoch, the fraction of hidden units that are *dead* (derivative
:math:`\le 10^{-8}` on every training example) and, at the end, the fraction that are *off*
(pre-activation :math:`\le 0` on every example, dead or not) and the test accuracy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, Adam, train
from .data import digits, single_threaded

__all__ = ["DyingReluResult", "dying_relu"]


@dataclass
class DyingReluResult:
    activations: tuple[str, ...]
    learning_rates: tuple[float, ...]
    biases: tuple[float, ...]
    dead: dict  #: (activation, bias) -> array (n_lr, n_seeds, epochs + 1): dead fraction over training
    off: dict  #: (activation, bias) -> array (n_lr, n_seeds): fraction off on every example, at the end
    test_acc: dict  #: (activation, bias) -> array (n_lr, n_seeds)
    seconds: float

    def final_dead(self, activation: str, bias: float) -> np.ndarray:
        """Dead fraction after training, mean over seeds, one value per learning rate."""
        return self.dead[activation, bias][:, :, -1].mean(axis=1)


@single_threaded
def dying_relu(activations=("relu", "leaky_relu", "elu"), learning_rates=(0.001, 0.01, 0.03, 0.1),
               biases=(0.0, -2.0), hidden=(64, 64), epochs: int = 8, seeds=(0, 1)) -> DyingReluResult:
    """Train each (activation, bias, learning rate, seed) and measure dead and off units."""
    start = time.perf_counter()
    data = digits()
    dead, off, acc = {}, {}, {}
    for act in activations:
        for bias in biases:
            d_rows, o_rows, a_rows = [], [], []
            for lr in learning_rates:
                d_seed, o_seed, a_seed = [], [], []
                for seed in seeds:
                    net = MLP((data.n_features, *hidden, data.n_classes), act, np.random.default_rng(seed), bias=bias)
                    with np.errstate(over="ignore", invalid="ignore"):
                        hist = train(net, data.X_train, data.y_train, Adam(net.parameters(), lr),
                                     np.random.default_rng(seed + 100), epochs=epochs,
                                     X_val=data.X_test, y_val=data.y_test, progress=False)
                        net.predict(data.X_train)
                    d_seed.append(np.mean(hist.dead_fraction, axis=1))
                    o_seed.append(np.mean([np.mean(np.all(layer.last_input <= 0, axis=0))
                                           for layer in net.activation_layers]))
                    a_seed.append(hist.val_acc[-1])
                d_rows.append(d_seed)
                o_rows.append(o_seed)
                a_rows.append(a_seed)
            dead[act, bias], off[act, bias], acc[act, bias] = np.array(d_rows), np.array(o_rows), np.array(a_rows)
    return DyingReluResult(tuple(activations), tuple(learning_rates), tuple(biases), dead, off, acc,
                           time.perf_counter() - start)
