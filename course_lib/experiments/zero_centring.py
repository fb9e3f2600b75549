r"""Experiment 4 -- zero-centring: does it explain why sigmoid hidden layers train slowly?

Claim tested (LeCun et al., 1998): the gradient of the weights into unit :math:`j` of the next
layer is :math:`\partial W_{kj} = a_k\,\delta_j` for one example. Sigmoid outputs :math:`a_k`
are all positive, so every incoming weight of unit :math:`j` moves in the same direction (the
sign of :math:`\delta_j`): the update is confined to two orthants and the weights zig-zag.

Sigmoid and tanh differ in two ways at once: centring (outputs in :math:`(0, 1)` against
:math:`(-1, 1)`) *and* derivative size (:math:`\sigma' \le 1/4`, :math:`\tanh' \le 1`). Comparing
the two alone cannot say which one slows sigmoid down, so the experiment has controls that
change one factor at a time (:data:`ARMS`):

* ``sigmoid_centred``: :math:`\sigma(x) - \tfrac12` (:math:`= \tfrac12\tanh(x/2)`): centred
  outputs, the sigmoid's derivative;
* ``tanh_shifted``: :math:`\tanh(x) + 1`: positive outputs, tanh's derivative;
* ``sigmoid_fast``: the plain sigmoid with a learning rate four times larger (its derivative is
  at most a quarter of tanh's).

Measured, on digits, for the weights into the second hidden layer:

* the *same-sign fraction*: the fraction of (step, unit) pairs whose incoming-weight update has
  a single sign, for several batch sizes (batches average the constraint away only partly);
* the updates of two incoming weights of one unit at batch size 1 (for a scatter plot: updates
  from positive inputs lie in the first and third quadrants only);
* training-loss curves with plain SGD, several seeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, SGD, train
from ..nn.layers import ActivationLayer
from .data import digits, single_threaded

__all__ = ["ARMS", "Arm", "ShiftedActivation", "ZeroCentringResult", "zero_centring", "same_sign_fraction"]


@dataclass(frozen=True)
class Arm:
    """One variant of the hidden activation: ``activation(x) + shift``, trained at ``lr_scale`` × the base rate."""

    label: str
    activation: str
    shift: float = 0.0
    lr_scale: float = 1.0


#: The variants compared: the two activations, each with its centring switched, and the sigmoid
#: with a learning rate compensating its smaller derivative.
ARMS: dict[str, Arm] = {
    "sigmoid": Arm("sigmoid", "sigmoid"),
    "sigmoid_centred": Arm("sigmoid − ½", "sigmoid", shift=-0.5),
    "tanh": Arm("tanh", "tanh"),
    "tanh_shifted": Arm("tanh + 1", "tanh", shift=1.0),
    "sigmoid_fast": Arm("sigmoid, 4× learning rate", "sigmoid", lr_scale=4.0),
}


class ShiftedActivation(ActivationLayer):
    """``f(x) + shift``: the same derivative as ``f``, outputs moved by a constant.

    >>> ShiftedActivation("sigmoid", -0.5)(np.array([[0.0]]))
    array([[0.]])
    """

    def __init__(self, name: str, shift: float, **params):
        super().__init__(name, **params)
        self.shift = float(shift)

    def forward(self, x):
        out = super().forward(x) + self.shift
        self.last_output = out
        return out


def _network(arm: Arm, sizes, seed: int) -> MLP:
    """The MLP of ``arm``: the base activation's initialiser, its activation layers shifted."""
    net = MLP(sizes, arm.activation, np.random.default_rng(seed))
    if arm.shift:
        net.layers = [ShiftedActivation(layer.name, arm.shift) if isinstance(layer, ActivationLayer) else layer
                      for layer in net.layers]
    return net


@dataclass
class ZeroCentringResult:
    activations: tuple[str, ...]  #: keys of :data:`ARMS`
    batch_sizes: tuple[int, ...]
    same_sign: dict  #: arm -> array (len(batch_sizes),): same-sign fraction of the updates
    updates: dict  #: arm -> array (steps, 2): updates of two weights into one unit, batch size 1
    loss: dict  #: arm -> array (n_seeds, epochs + 1): training loss
    test_acc: dict  #: arm -> array (n_seeds,)
    epochs: int
    lr: float
    seconds: float

    def label(self, arm: str) -> str:
        return ARMS[arm].label

    def final_loss(self, arm: str) -> float:
        """Training loss after the last epoch, mean over seeds."""
        return float(self.loss[arm][:, -1].mean())

    def epochs_to(self, arm: str, threshold: float) -> float:
        """First epoch at which the seed-averaged training loss falls below ``threshold`` (inf if never)."""
        below = np.nonzero(self.loss[arm].mean(axis=0) < threshold)[0]
        return float(below[0]) if below.size else float("inf")

    def gap_closed(self, arm: str, slow: str = "sigmoid", fast: str = "tanh") -> float:
        """Share of the gap in log final loss between ``slow`` and ``fast`` that ``arm`` closes.

        0 means ``arm`` ends where ``slow`` does, 1 where ``fast`` does (negative: worse than
        ``slow``; above 1: better than ``fast``).
        """
        s, f, a = (np.log(self.final_loss(k)) for k in (slow, fast, arm))
        return float((s - a) / (s - f))


def same_sign_fraction(grad: np.ndarray) -> float:
    """Fraction of columns (units) of a weight gradient whose non-zero entries all share one sign.

    >>> same_sign_fraction(np.array([[1.0, 2.0], [3.0, -1.0]]))
    0.5
    """
    s = np.sign(grad)
    return float(np.mean(np.abs(s.sum(axis=0)) == (s != 0).sum(axis=0)))


@single_threaded
def zero_centring(activations=tuple(ARMS), hidden=(32, 32), batch_sizes=(1, 4, 16, 64),
                  probe_steps: int = 200, lr: float = 0.1, epochs: int = 20, seeds=(0, 1, 2)) -> ZeroCentringResult:
    """Sign statistics of the updates into the second hidden layer, and SGD convergence, for each arm."""
    start = time.perf_counter()
    data = digits()
    sizes = (data.n_features, *hidden, data.n_classes)
    X, y = data.X_train, data.y_train
    same, updates, losses, accs = {}, {}, {}, {}
    for key in activations:
        arm = ARMS[key]
        fractions = []
        for bs in batch_sizes:
            rec = []
            net = _network(arm, sizes, 0)
            n = min(len(X), probe_steps * bs)
            # a small step at batch size 1, so the probe stays in the early phase of training
            train(net, X[:n], y[:n], SGD(net.parameters(), lr * min(1.0, bs / 32)), np.random.default_rng(1),
                  epochs=1, batch_size=bs, progress=False, metric=None,
                  on_step=lambda m, rec=rec: rec.append((same_sign_fraction(m.dense_layers[1].W.grad),
                                                         *m.dense_layers[1].W.grad[:2, 0])))
            rec = np.array(rec)
            fractions.append(rec[:, 0].mean())
            if bs == 1:
                updates[key] = -lr / 32 * rec[:, 1:]
        same[key] = np.array(fractions)
        l_rows, a_rows = [], []
        for seed in seeds:
            net = _network(arm, sizes, seed)
            hist = train(net, X, y, SGD(net.parameters(), lr * arm.lr_scale), np.random.default_rng(seed + 100),
                         epochs=epochs, X_val=data.X_test, y_val=data.y_test, progress=False)
            l_rows.append(hist.loss)
            a_rows.append(hist.val_acc[-1])
        losses[key], accs[key] = np.array(l_rows), np.array(a_rows)
    return ZeroCentringResult(tuple(activations), tuple(batch_sizes), same, updates, losses, accs, epochs, lr,
                              time.perf_counter() - start)
