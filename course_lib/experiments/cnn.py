r"""Experiment 10 -- a LeNet-style convolutional network on the digits images, per activation.

Claim: the conclusions of the fully connected comparison carry over to a small convolutional
network: the sigmoid, whose derivative is at most 1/4 and which is not zero-centred, trains
far slower than tanh and the rectifiers at the same learning rate; the rectifiers and the
smooth units (ELU, SiLU) end close to each other, within the spread over seeds.

Measured: the same :class:`~course_lib.nn.conv.LeNet` (two 3x3 convolutions with max pooling,
a hidden Dense layer; initialisation matched to the activation), trained with Adam on
scikit-learn's 8x8 digits images for each activation and several seeds: test accuracy and
loss after every epoch, and the wall time of each run.

An activation is given by its registry name, or as ``(label, name, params)`` for a
non-default parameter, e.g. ``("leaky_relu(0.02)", "leaky_relu", {"negative_slope": 0.02})``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import Adam, train
from ..nn.conv import LeNet
from .data import digits, single_threaded

__all__ = ["CNNResult", "cnn_comparison", "CNN_ACTIVATIONS"]

#: GELU is left out by default to keep the book build short: in this library it costs several
#: times as much as SiLU per element (see the cost experiment); pass it in to include it.
CNN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu")


def _spec(spec):
    if isinstance(spec, str):
        return spec, spec, {}
    label, name, params = spec
    return label, name, dict(params)


@dataclass
class CNNResult:
    labels: tuple[str, ...]
    seeds: tuple[int, ...]
    epochs: int
    test_acc: dict  #: label -> array (n_seeds, epochs + 1); entry 0 before training
    test_loss: dict  #: label -> array (n_seeds, epochs + 1)
    run_time: dict  #: label -> array (n_seeds,), seconds of training per run
    seconds: float  #: the whole experiment, wall time
    cpu_seconds: float  #: the whole experiment, CPU time of this process (what a busy machine does not inflate)

    def final_acc(self, label: str) -> np.ndarray:
        """Test accuracy after the last epoch, one value per seed."""
        return self.test_acc[label][:, -1]

    def mean_acc(self, label: str) -> float:
        return float(self.final_acc(label).mean())

    def spread(self, label: str) -> float:
        """Range (max - min) of the final test accuracy over seeds."""
        acc = self.final_acc(label)
        return float(acc.max() - acc.min())

    def table(self) -> list[dict]:
        """One row per activation, best mean final test accuracy first."""
        rows = [{"activation": a, "test_acc_mean": self.mean_acc(a), "test_acc_min": float(self.final_acc(a).min()),
                 "test_acc_max": float(self.final_acc(a).max()),
                 "test_loss_mean": float(self.test_loss[a][:, -1].mean()),
                 "seconds_per_run": float(np.median(self.run_time[a]))} for a in self.labels]
        return sorted(rows, key=lambda r: -r["test_acc_mean"])

    def table_markdown(self) -> str:
        """The table as Markdown, the numbers formatted from the measurement."""
        lines = ["| Activation | mean test accuracy | min–max over seeds | mean test loss | s per run |",
                 "|:--|--:|--:|--:|--:|"]
        for r in self.table():
            lines.append(f"| {r['activation']} | {r['test_acc_mean']:.3f} | {r['test_acc_min']:.3f}–{r['test_acc_max']:.3f} "
                         f"| {r['test_loss_mean']:.3f} | {r['seconds_per_run']:.2f} |")
        return "\n".join(lines) + "\n"


@single_threaded
def cnn_comparison(activations=CNN_ACTIVATIONS, seeds=(0, 1, 2), epochs: int = 6, lr: float = 3e-3,
                   batch_size: int = 64, channels=(8, 16), hidden: int = 32) -> CNNResult:
    """Train one :class:`~course_lib.nn.conv.LeNet` per (activation, seed) on digits; record the curves.

    The seed sets both the weights and the order of the mini-batches, so every activation sees
    the same data order for the same seed.
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    data = digits()
    specs = [_spec(s) for s in activations]
    acc, loss, run_time = {}, {}, {}
    for label, name, params in specs:
        histories, times = [], []
        for seed in seeds:
            net = LeNet((8, 8), data.n_classes, name, np.random.default_rng(seed), channels=channels,
                        hidden=hidden, **params)
            t0 = time.perf_counter()
            histories.append(train(net, data.X_train, data.y_train, Adam(net.parameters(), lr),
                                   np.random.default_rng(seed + 100), epochs=epochs, batch_size=batch_size,
                                   X_val=data.X_test, y_val=data.y_test, progress=False, stats=False))
            times.append(time.perf_counter() - t0)
        acc[label] = np.array([h.val_acc for h in histories])
        loss[label] = np.array([h.val_loss for h in histories])
        run_time[label] = np.array(times)
    return CNNResult(tuple(s[0] for s in specs), tuple(seeds), epochs, acc, loss, run_time,
                     time.perf_counter() - start, time.process_time() - cpu_start)
