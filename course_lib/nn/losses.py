r"""Losses, each a function ``loss(outputs, targets) -> (value, d_outputs)``.

The classification losses take *logits* (the last Dense layer's output, before any
sigmoid or softmax) and are computed in a stable form:

* binary cross-entropy: :math:`\ell(z, y) = \max(z, 0) - z y + \log(1 + e^{-|z|})`, which
  equals :math:`-y\log\sigma(z) - (1-y)\log(1-\sigma(z))` without ever forming
  :math:`\log 0`; its gradient is :math:`\sigma(z) - y`;
* softmax cross-entropy: :math:`-\sum_k y_k \operatorname{log\_softmax}(z)_k` (the library's
  stable ``log_softmax``); its gradient is :math:`\operatorname{softmax}(z) - y`.

All losses are means (over the batch, and for MSE and BCE over every output too), as in
PyTorch's default ``reduction='mean'``.
"""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, sigmoid, softmax

__all__ = ["mse", "binary_cross_entropy", "softmax_cross_entropy", "accuracy", "LOSSES", "get_loss"]


def _match(outputs, targets, who):
    z = np.asarray(outputs, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    if z.ndim == 2 and z.shape[1] == 1 and y.shape == z.shape[:1]:
        y = y[:, None]  # (N,) targets for an (N, 1) output
    if z.shape != y.shape:
        raise ValueError(f"{who}: outputs have shape {z.shape} but targets have shape {y.shape}")
    if z.size == 0:
        raise ValueError(f"{who}: empty batch")
    return z, y


def mse(pred, targets):
    """Mean squared error :math:`\\frac1n\\sum (p - y)^2` and its gradient :math:`2(p - y)/n`.

    >>> mse(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    (2.0, array([0., 2.]))
    """
    p, y = _match(pred, targets, "mse")
    diff = p - y
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


def binary_cross_entropy(logits, targets):
    """Binary cross-entropy from logits (one independent sigmoid per output).

    ``targets`` are in [0, 1] and have the logits' shape (or ``(N,)`` for ``(N, 1)`` logits).

    >>> loss, grad = binary_cross_entropy(np.array([1000.0, -1000.0]), np.array([1.0, 0.0]))
    >>> loss, grad
    (0.0, array([0., 0.]))
    """
    z, y = _match(logits, targets, "binary_cross_entropy")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("binary_cross_entropy: targets must lie in [0, 1]")
    loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(loss)), (sigmoid(z) - y) / z.size


def _as_distribution(targets, n, k, who):
    y = np.asarray(targets)
    if y.ndim == 1:
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"{who}: 1-D targets must be integer class labels, got dtype {y.dtype}")
        if y.shape[0] != n:
            raise ValueError(f"{who}: {n} rows of logits but {y.shape[0]} labels")
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"{who}: labels must lie in 0..{k - 1}, got {y.min()}..{y.max()}")
        return np.eye(k)[y]
    y = y.astype(np.float64)
    if y.shape != (n, k):
        raise ValueError(f"{who}: logits have shape {(n, k)} but targets have shape {y.shape}")
    if np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0):
        raise ValueError(f"{who}: each row of 2-D targets must be a probability distribution")
    return y


def softmax_cross_entropy(logits, targets):
    """Softmax cross-entropy from logits ``(N, K)``; ``targets`` are integer labels ``(N,)`` or
    rows of probabilities ``(N, K)`` (one-hot or soft).

    >>> loss, grad = softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([1]))
    >>> round(loss, 6), grad
    (0.693147, array([[ 0.5, -0.5]]))
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must be 2-D (batch, classes), got shape {z.shape}")
    n, k = z.shape
    if n == 0:
        raise ValueError("softmax_cross_entropy: empty batch")
    y = _as_distribution(targets, n, k, "softmax_cross_entropy")
    loss = -np.sum(y * log_softmax(z, axis=1)) / n
    return float(loss), (softmax(z, axis=1) - y) / n


def accuracy(logits, targets) -> float:
    """Fraction correct: argmax for integer labels, ``logit > 0`` for binary targets, and
    exact match (every label right) for multi-label 0/1 targets of the logits' shape.

    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0]))
    0.5
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets)
    if z.ndim == 2 and z.shape[1] > 1 and y.ndim == 1:
        return float(np.mean(np.argmax(z, axis=1) == y))
    if z.ndim == 2 and z.shape[1] == 1 and y.ndim == 1:
        z = z[:, 0]
    if z.shape != y.shape:
        raise ValueError(f"accuracy: outputs have shape {z.shape} but targets have shape {y.shape}")
    correct = (z > 0) == (y > 0.5)
    return float(np.mean(correct if correct.ndim == 1 else np.all(correct, axis=1)))


#: name -> loss function.
LOSSES = {"mse": mse, "bce": binary_cross_entropy, "softmax_ce": softmax_cross_entropy}


def get_loss(name):
    """Look a loss up by name (a callable is returned unchanged)."""
    if callable(name):
        return name
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"no loss named {name!r}; known: {', '.join(LOSSES)}") from None
