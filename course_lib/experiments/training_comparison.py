r"""Experiment 6 -- training comparison on digits.

Claim: on a small problem most modern activations reach similar accuracy; the saturating
sigmoid trains visibly slower, and the smooth units (GELU, SiLU, Mish) cost more time per
epoch than ReLU without a clear accuracy gain at this scale.

Measured: the same MLP (matched initialisation, Adam, softmax cross-entropy) trained on digits
with each activation and several seeds: test accuracy and loss per epoch, the final test
accuracy's mean and standard deviation over seeds, and the wall time per training epoch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, Adam, train
from .data import digits, single_threaded

__all__ = ["ComparisonResult", "training_comparison", "MAIN_ACTIVATIONS"]

MAIN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus")


@dataclass
class ComparisonResult:
    activations: tuple[str, ...]
    seeds: tuple[int, ...]
    train_loss: dict  #: activation -> array (n_seeds, epochs + 1)
    test_loss: dict  #: activation -> array (n_seeds, epochs + 1)
    test_acc: dict  #: activation -> array (n_seeds, epochs + 1)
    epoch_time: dict  #: activation -> array (n_seeds, epochs), seconds
    seconds: float

    def table(self) -> list[dict]:
        """One row per activation, best final test accuracy first."""
        rows = [{"activation": a,
                 "test_acc_mean": float(self.test_acc[a][:, -1].mean()),
                 "test_acc_std": float(self.test_acc[a][:, -1].std()),
                 "test_loss_mean": float(self.test_loss[a][:, -1].mean()),
                 "ms_per_epoch": float(1e3 * np.median(self.epoch_time[a]))} for a in self.activations]
        return sorted(rows, key=lambda r: -r["test_acc_mean"])


@single_threaded
def training_comparison(activations=MAIN_ACTIVATIONS, hidden=(64, 64), epochs: int = 10,
                        seeds=(0, 1, 2), lr: float = 1e-3, batch_size: int = 32) -> ComparisonResult:
    """Train one MLP per (activation, seed) on digits and record the curves."""
    start = time.perf_counter()
    data = digits()
    tr_loss, te_loss, te_acc, times = {}, {}, {}, {}
    for act in activations:
        rows = []
        for seed in seeds:
            net = MLP((data.n_features, *hidden, data.n_classes), act, np.random.default_rng(seed))
            rows.append(train(net, data.X_train, data.y_train, Adam(net.parameters(), lr),
                              np.random.default_rng(seed + 100), epochs=epochs, batch_size=batch_size,
                              X_val=data.X_test, y_val=data.y_test, progress=False, stats=False))
        tr_loss[act] = np.array([h.loss for h in rows])
        te_loss[act] = np.array([h.val_loss for h in rows])
        te_acc[act] = np.array([h.val_acc for h in rows])
        times[act] = np.array([h.epoch_time for h in rows])
    return ComparisonResult(tuple(activations), tuple(seeds), tr_loss, te_loss, te_acc, times,
                            time.perf_counter() - start)
