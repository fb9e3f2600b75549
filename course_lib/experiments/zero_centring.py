r"""Experiment 4 -- zero-centring: sigmoid against tanh hidden layers.

Claim (LeCun et al., 1998): the gradient of the weights into unit :math:`j` of the next layer
is :math:`\partial W_{kj} = a_k\,\delta_j`, summed over the batch. Sigmoid outputs :math:`a_k`
are all positive, so for one example every incoming weight of unit :math:`j` moves in the
same direction (the sign of :math:`\delta_j`): the update is confined to two orthants and the
weights zig-zag towards their target. Tanh outputs have both signs, so no such constraint.
Sigmoid networks also converge more slowly.

Measured, on digits, for the weights into the second hidden layer:

* the *same-sign fraction*: the fraction of (step, unit) pairs whose incoming-weight update has
  a single sign, for several batch sizes (batches average the constraint away only partly);
* the updates of two incoming weights of one unit at batch size 1 (for a scatter plot: sigmoid
  updates lie in the first and third quadrants only);
* training-loss curves with plain SGD, several seeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, SGD, train
from .data import digits, single_threaded

__all__ = ["ZeroCentringResult", "zero_centring", "same_sign_fraction"]


@dataclass
class ZeroCentringResult:
    activations: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    same_sign: dict  #: activation -> array (len(batch_sizes),): same-sign fraction of the updates
    updates: dict  #: activation -> array (steps, 2): updates of two weights into one unit, batch size 1
    loss: dict  #: activation -> array (n_seeds, epochs + 1): training loss
    test_acc: dict  #: activation -> array (n_seeds,)
    epochs: int
    seconds: float

    def epochs_to(self, activation: str, threshold: float) -> float:
        """First epoch at which the seed-averaged training loss falls below ``threshold`` (inf if never)."""
        below = np.nonzero(self.loss[activation].mean(axis=0) < threshold)[0]
        return float(below[0]) if below.size else float("inf")


def same_sign_fraction(grad: np.ndarray) -> float:
    """Fraction of columns (units) of a weight gradient whose non-zero entries all share one sign.

    >>> same_sign_fraction(np.array([[1.0, 2.0], [3.0, -1.0]]))
    0.5
    """
    s = np.sign(grad)
    return float(np.mean(np.abs(s.sum(axis=0)) == (s != 0).sum(axis=0)))


@single_threaded
def zero_centring(activations=("sigmoid", "tanh"), hidden=(32, 32), batch_sizes=(1, 4, 16, 64),
                  probe_steps: int = 200, lr: float = 0.1, epochs: int = 20, seeds=(0, 1, 2)) -> ZeroCentringResult:
    """Sign statistics of the updates into the second hidden layer, and SGD convergence."""
    start = time.perf_counter()
    data = digits()
    sizes = (data.n_features, *hidden, data.n_classes)
    X, y = data.X_train, data.y_train
    same, updates, losses, accs = {}, {}, {}, {}
    for act in activations:
        fractions = []
        for bs in batch_sizes:
            rec = []
            net = MLP(sizes, act, np.random.default_rng(0))
            n = min(len(X), probe_steps * bs)
            # a small step at batch size 1, so the probe stays in the early phase of training
            train(net, X[:n], y[:n], SGD(net.parameters(), lr * min(1.0, bs / 32)), np.random.default_rng(1),
                  epochs=1, batch_size=bs, progress=False, metric=None,
                  on_step=lambda m, rec=rec: rec.append((same_sign_fraction(m.dense_layers[1].W.grad),
                                                         *m.dense_layers[1].W.grad[:2, 0])))
            rec = np.array(rec)
            fractions.append(rec[:, 0].mean())
            if bs == 1:
                updates[act] = -lr / 32 * rec[:, 1:]
        same[act] = np.array(fractions)
        l_rows, a_rows = [], []
        for seed in seeds:
            net = MLP(sizes, act, np.random.default_rng(seed))
            hist = train(net, X, y, SGD(net.parameters(), lr), np.random.default_rng(seed + 100), epochs=epochs,
                         X_val=data.X_test, y_val=data.y_test, progress=False)
            l_rows.append(hist.loss)
            a_rows.append(hist.val_acc[-1])
        losses[act], accs[act] = np.array(l_rows), np.array(a_rows)
    return ZeroCentringResult(tuple(activations), tuple(batch_sizes), same, updates, losses, accs, epochs,
                              time.perf_counter() - start)
