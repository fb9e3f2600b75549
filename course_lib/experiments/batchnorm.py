r"""Experiment 8 -- BatchNorm before or after the activation.

Ioffe & Szegedy (2015) put batch normalisation between the Dense layer and the activation
("before"), so the activation's *input* has a controlled mean and variance; many later
networks put it after the activation. Claim: before a saturating activation (sigmoid) the
placement matters -- BatchNorm before the sigmoid keeps its inputs in the non-saturated range,
and either placement rescues a deep sigmoid network that does not train at all without it;
for ReLU the two placements are close.

Measured: a 4-hidden-layer MLP on digits (SGD with momentum), with no BatchNorm, BatchNorm
before and BatchNorm after the activation, several seeds: training loss and test accuracy per
epoch, and the standard deviation of each activation layer's output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, Momentum, train
from .data import digits, single_threaded

__all__ = ["BatchNormResult", "batchnorm_placement", "PLACEMENTS"]

PLACEMENTS = (None, "before", "after")


@dataclass
class BatchNormResult:
    activations: tuple[str, ...]
    placements: tuple  #: None, "before", "after"
    train_loss: dict  #: (activation, placement) -> array (n_seeds, epochs + 1)
    test_acc: dict  #: (activation, placement) -> array (n_seeds, epochs + 1)
    act_std: dict  #: (activation, placement) -> array (n_seeds, n_hidden): output std of each activation layer, at the end
    epoch_time: dict  #: (activation, placement) -> mean seconds per epoch
    seconds: float

    def final_acc(self, activation: str, placement) -> float:
        return float(self.test_acc[activation, placement][:, -1].mean())


@single_threaded
def batchnorm_placement(activations=("relu", "sigmoid"), placements=PLACEMENTS, hidden=(64, 64, 64, 64),
                        epochs: int = 12, lr: float = 0.02, batch_size: int = 64, seeds=(0, 1)) -> BatchNormResult:
    """Train each (activation, placement, seed) and record the curves."""
    start = time.perf_counter()
    data = digits()
    loss, acc, std, times = {}, {}, {}, {}
    for act in activations:
        for place in placements:
            hists = []
            for seed in seeds:
                net = MLP((data.n_features, *hidden, data.n_classes), act, np.random.default_rng(seed), batchnorm=place)
                hists.append(train(net, data.X_train, data.y_train, Momentum(net.parameters(), lr),
                                   np.random.default_rng(seed + 100), epochs=epochs, batch_size=batch_size,
                                   X_val=data.X_test, y_val=data.y_test, progress=False))
            loss[act, place] = np.array([h.loss for h in hists])
            acc[act, place] = np.array([h.val_acc for h in hists])
            std[act, place] = np.array([h.act_std[-1] for h in hists])
            times[act, place] = float(np.mean([h.epoch_time for h in hists]))
    return BatchNormResult(tuple(activations), tuple(placements), loss, acc, std, times, time.perf_counter() - start)
