r"""Experiment 1 -- linear collapse.

Claim: without activation functions a deep network is one linear map,
:math:`x W_1 W_2 \cdots W_L + b_\text{eff}`, however deep, so it cannot separate the two moons;
the same network with tanh or ReLU between its layers can.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, Adam, accuracy, train
from .data import moons, single_threaded

__all__ = ["LinearCollapseResult", "linear_collapse", "effective_linear_map"]


@dataclass
class LinearCollapseResult:
    activations: tuple[str, ...]
    X_train: np.ndarray
    y_train: np.ndarray
    grid_x: np.ndarray  #: 1-D grid of the first input feature
    grid_y: np.ndarray  #: 1-D grid of the second input feature
    proba: dict  #: activation -> P(class 1) on the grid, shape (len(grid_y), len(grid_x))
    train_acc: dict  #: activation -> training accuracy
    test_acc: dict  #: activation -> test accuracy
    loss: dict  #: activation -> training loss per epoch
    effective_W: np.ndarray  #: the product W_1 W_2 ... W_L of the linear network
    effective_b: np.ndarray
    collapse_error: float  #: max |network(x) - (x W_eff + b_eff)| over the training set
    seconds: float


def effective_linear_map(net) -> tuple[np.ndarray, np.ndarray]:
    """Collapse a network of Dense layers (activations all ``identity``) into one ``(W, b)``."""
    W = np.eye(net.sizes[0])
    b = np.zeros(net.sizes[0])
    for layer in net.dense_layers:
        W = W @ layer.W.value
        b = b @ layer.W.value + layer.b.value
    return W, b


@single_threaded
def linear_collapse(activations=("identity", "tanh", "relu"), depth: int = 4, width: int = 16,
                    epochs: int = 100, n: int = 1000, noise: float = 0.2, grid: int = 120,
                    seed: int = 0) -> LinearCollapseResult:
    """Train the same ``depth``-hidden-layer MLP on moons with each activation (Adam, binary
    cross-entropy) and evaluate its decision function on a grid."""
    start = time.perf_counter()
    data = moons(n=n, noise=noise, seed=seed)
    lo = data.X_train.min(axis=0) - 0.5
    hi = data.X_train.max(axis=0) + 0.5
    gx, gy = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    proba, train_acc, test_acc, losses = {}, {}, {}, {}
    linear_net = None
    for act in activations:
        net = MLP((2,) + (width,) * depth + (1,), act, np.random.default_rng(seed))
        hist = train(net, data.X_train, data.y_train.astype(float), Adam(net.parameters(), 0.01),
                     np.random.default_rng(seed + 1), loss="bce", epochs=epochs, batch_size=32,
                     progress=False)
        logits = net.predict(mesh)[:, 0]
        proba[act] = (1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))).reshape(grid, grid)
        train_acc[act] = accuracy(net.predict(data.X_train), data.y_train)
        test_acc[act] = accuracy(net.predict(data.X_test), data.y_test)
        losses[act] = np.asarray(hist.loss)
        if act == "identity":
            linear_net = net
    if linear_net is None:
        linear_net = MLP((2,) + (width,) * depth + (1,), "identity", np.random.default_rng(seed))
    W, b = effective_linear_map(linear_net)
    err = float(np.max(np.abs(linear_net.predict(data.X_train) - (data.X_train @ W + b))))
    return LinearCollapseResult(tuple(activations), data.X_train, data.y_train, gx, gy, proba,
                                train_acc, test_acc, losses, W, b, err, time.perf_counter() - start)
