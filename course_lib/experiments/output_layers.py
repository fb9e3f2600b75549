r"""Experiment 7 -- output layers: softmax against independent sigmoids.

Claim: softmax is the output for *mutually exclusive* classes (its outputs are a probability
distribution: they sum to 1); independent sigmoids are the output for *multi-label* targets
(each output is its own yes/no probability). Swapping them works badly: one-vs-rest sigmoids
on a multi-class problem give "probabilities" that do not sum to 1, and softmax on a
multi-label problem cannot say "yes" to two labels at once.

Measured on digits:

* multi-class (which digit?): test accuracy, test log-loss of the true class (sigmoid outputs
  renormalised to sum to 1 for this), and the distribution of the per-example sum of outputs;
* multi-label (four attributes of the digit, see :data:`ATTRIBUTES`; each digit has 1 to 3):
  exact-match accuracy and per-label accuracy at threshold 0.5, and the exact-match accuracy
  at every threshold of :data:`THRESHOLDS`. Softmax is trained on the normalised label vector
  :math:`y / \sum y`, whose entries are 1, 1/2 or 1/3: at 0.5 it can say yes to one label at
  most, but a lower threshold reads several labels off the same outputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..activations import sigmoid, softmax
from ..nn import MLP, Adam, binary_cross_entropy, softmax_cross_entropy, train
from .data import digits, single_threaded

__all__ = ["OutputLayersResult", "output_layers", "ATTRIBUTES", "THRESHOLDS", "attribute_targets"]

#: Thresholds at which the multi-label predictions are scored (a label is predicted when its output exceeds it).
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.05, 0.951, 0.05))

#: Multi-label attributes of a digit: name -> the digits that have it.
ATTRIBUTES = {
    "even": (0, 2, 4, 6, 8),
    "prime": (2, 3, 5, 7),
    "closed loop": (0, 4, 6, 8, 9),
    "less than 5": (0, 1, 2, 3, 4),
}


def attribute_targets(labels) -> np.ndarray:
    """0/1 matrix (n, 4) of :data:`ATTRIBUTES` for digit labels.

    >>> attribute_targets([0, 1, 7])
    array([[1., 0., 1., 1.],
           [0., 0., 0., 1.],
           [0., 1., 0., 0.]])
    """
    labels = np.asarray(labels)
    return np.stack([np.isin(labels, d) for d in ATTRIBUTES.values()], axis=1).astype(np.float64)


@dataclass
class OutputLayersResult:
    heads: tuple[str, ...]  #: ("softmax", "sigmoid")
    multiclass_acc: dict  #: head -> test accuracy (argmax)
    multiclass_logloss: dict  #: head -> mean -log p(true class), sigmoid outputs renormalised
    prob_sums: dict  #: head -> array (n_test,): sum of the outputs per test example
    multilabel_exact: dict  #: head -> exact-match accuracy (all four labels right)
    multilabel_per_label: dict  #: head -> array (4,): accuracy of each label
    max_labels_predicted: dict  #: head -> largest number of labels predicted for one example
    attributes: tuple[str, ...]
    seconds: float
    thresholds: tuple[float, ...] = THRESHOLDS
    multilabel_exact_at: dict = None  #: head -> array (len(thresholds),): exact-match accuracy at each threshold

    def best_threshold(self, head: str) -> tuple[float, float]:
        """(threshold, exact-match accuracy) of the best threshold of :attr:`thresholds` for ``head``."""
        i = int(np.argmax(self.multilabel_exact_at[head]))
        return float(self.thresholds[i]), float(self.multilabel_exact_at[head][i])

    def exact_at(self, head: str, threshold: float) -> float:
        """Exact-match accuracy of ``head`` at one of :attr:`thresholds`."""
        return float(self.multilabel_exact_at[head][int(np.argmin(np.abs(np.array(self.thresholds) - threshold)))])


def _fit(data_X, targets, loss, seed, epochs, hidden, k):
    net = MLP((data_X.shape[1], *hidden, k), "relu", np.random.default_rng(seed))
    train(net, data_X, targets, Adam(net.parameters(), 1e-3), np.random.default_rng(seed + 100),
          loss=loss, epochs=epochs, metric=None, progress=False)
    return net


@single_threaded
def output_layers(hidden=(64,), epochs: int = 15, seed: int = 0) -> OutputLayersResult:
    """Train a softmax head and a sigmoid head on each task; compare on the test set."""
    start = time.perf_counter()
    data = digits()
    heads = ("softmax", "sigmoid")
    mc_acc, mc_ll, sums, ml_exact, ml_per, ml_max, ml_at = {}, {}, {}, {}, {}, {}, {}
    onehot = np.eye(10)[data.y_train]
    Y_tr, Y_te = attribute_targets(data.y_train), attribute_targets(data.y_test)
    for head in heads:
        # multi-class
        if head == "softmax":
            net = _fit(data.X_train, data.y_train, softmax_cross_entropy, seed, epochs, hidden, 10)
            p = softmax(net.predict(data.X_test), axis=1)
        else:
            net = _fit(data.X_train, onehot, binary_cross_entropy, seed, epochs, hidden, 10)
            p = sigmoid(net.predict(data.X_test))
        sums[head] = p.sum(axis=1)
        mc_acc[head] = float(np.mean(p.argmax(axis=1) == data.y_test))
        p_norm = p / p.sum(axis=1, keepdims=True)
        mc_ll[head] = float(-np.mean(np.log(p_norm[np.arange(len(p)), data.y_test])))
        # multi-label
        if head == "softmax":
            net = _fit(data.X_train, Y_tr / Y_tr.sum(axis=1, keepdims=True), softmax_cross_entropy, seed, epochs, hidden, 4)
            q = softmax(net.predict(data.X_test), axis=1)
        else:
            net = _fit(data.X_train, Y_tr, binary_cross_entropy, seed, epochs, hidden, 4)
            q = sigmoid(net.predict(data.X_test))
        pred = q > 0.5
        ml_exact[head] = float(np.mean(np.all(pred == (Y_te > 0.5), axis=1)))
        ml_per[head] = np.mean(pred == (Y_te > 0.5), axis=0)
        ml_max[head] = int(pred.sum(axis=1).max())
        ml_at[head] = np.array([np.mean(np.all((q > t) == (Y_te > 0.5), axis=1)) for t in THRESHOLDS])
    return OutputLayersResult(heads, mc_acc, mc_ll, sums, ml_exact, ml_per, ml_max, tuple(ATTRIBUTES),
                              time.perf_counter() - start, THRESHOLDS, ml_at)
