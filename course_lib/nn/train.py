"""The training loop: mini-batches, a tqdm progress bar, and a :class:`History` of what happened.

What the history records, and when:

* ``loss``, ``acc`` (training set) and ``val_loss``, ``val_acc`` (if validation data is given):
  ``epochs + 1`` entries, entry 0 *before* training, each measured on the whole set in
  evaluation mode;
* ``act_mean``, ``act_std``, ``dead_fraction`` (one column per activation layer, measured on the
  training set in the same pass): ``epochs + 1`` rows. A unit is *dead* when the derivative of its
  activation is zero (below ``1e-8`` in absolute value) on every training example, so no
  gradient can reach its incoming weights;
* ``grad_norms`` (one column per Dense layer, the Frobenius norm of ``dW`` averaged over the
  epoch's steps), ``epoch_time`` (seconds of training, evaluation excluded): ``epochs`` rows;
* ``step_loss``: the mini-batch loss of every step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from .layers import Dense
from .losses import accuracy as default_accuracy
from .losses import get_loss

__all__ = ["History", "train", "activation_stats", "DEAD_TOL"]

#: |f'(z)| at or below this on every example counts as a dead unit.
DEAD_TOL = 1e-8


@dataclass
class History:
    loss: list = field(default_factory=list)
    acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    act_mean: list = field(default_factory=list)
    act_std: list = field(default_factory=list)
    dead_fraction: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """Every field as a numpy array (2-D for the per-layer ones)."""
        return {k: np.asarray(v, dtype=np.float64) for k, v in self.__dict__.items()}


def activation_stats(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation and dead fraction of each activation layer's output, from the
    last forward pass (call the model on the data first)."""
    means, stds, dead = [], [], []
    for layer in model.activation_layers:
        out = layer.last_output
        means.append(float(out.mean()))
        stds.append(float(out.std()))
        if layer.act.elementwise:
            d = np.abs(layer.act.grad(layer.last_input, **layer.params))
            dead.append(float(np.mean(np.all(d <= DEAD_TOL, axis=0))))
        else:
            dead.append(np.nan)
    return np.array(means), np.array(stds), np.array(dead)


def _evaluate(model, loss_fn, metric, X, y):
    out = model.predict(X)
    return loss_fn(out, y)[0], (metric(out, y) if metric is not None else np.nan)


def train(model, X, y, optimizer, rng, loss="softmax_ce", epochs: int = 10, batch_size: int = 32,
          X_val=None, y_val=None, metric=default_accuracy, progress: bool = True,
          desc: str | None = None, on_step=None, stats: bool = True) -> History:
    """Train ``model`` in place with mini-batch ``optimizer`` steps; return its :class:`History`.

    ``rng`` (``np.random.default_rng(seed)``) shuffles the examples each epoch; with the same
    seeds for the model and the loop, training is bit-for-bit reproducible. ``metric`` is
    ``accuracy`` by default (``None`` to skip, e.g. for regression). ``progress=False`` hides
    the progress bar. ``on_step(model)``, if given, is called after every optimiser step (the
    parameters' ``grad`` still hold that step's gradients). ``stats=False`` skips the activation
    statistics (they cost an extra derivative evaluation per activation layer and epoch).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"train: X must be 2-D with one row per target; got X {X.shape}, y {y.shape}")
    if batch_size < 1 or epochs < 0:
        raise ValueError("train: batch_size must be >= 1 and epochs >= 0")
    if (X_val is None) != (y_val is None):
        raise ValueError("train: give both X_val and y_val, or neither")
    loss_fn = get_loss(loss)
    hist = History()
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]

    def record():
        l, a = _evaluate(model, loss_fn, metric, X, y)  # this forward pass also feeds the statistics
        hist.loss.append(l)
        hist.acc.append(a)
        if stats:
            m, s, d = activation_stats(model)
            hist.act_mean.append(m)
            hist.act_std.append(s)
            hist.dead_fraction.append(d)
        if X_val is not None:
            vl, va = _evaluate(model, loss_fn, metric, X_val, y_val)
            hist.val_loss.append(vl)
            hist.val_acc.append(va)

    record()
    n = len(X)
    bar = tqdm(range(epochs), desc=desc or "training", disable=not progress, leave=False)
    for _ in bar:
        model.train()
        start = time.perf_counter()
        order = rng.permutation(n)
        norms = np.zeros(len(dense))
        steps = 0
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            out = model.forward(X[idx])
            value, dout = loss_fn(out, y[idx])
            model.backward(dout)
            optimizer.step()
            if on_step is not None:
                on_step(model)
            hist.step_loss.append(value)
            norms += [np.linalg.norm(layer.W.grad) for layer in dense]
            steps += 1
        hist.epoch_time.append(time.perf_counter() - start)
        hist.grad_norms.append(norms / steps)
        record()
        bar.set_postfix(loss=f"{hist.loss[-1]:.4f}")
    return hist
