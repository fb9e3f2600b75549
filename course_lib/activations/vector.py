r"""Vector-valued activations: softmax, log-softmax, softmin, GLU and maxout.

These act on a whole axis, so their "derivative" is a Jacobian; each comes with a
vector-Jacobian product (``*_vjp(x, g)``: the backward pass given the upstream gradient
``g``), which is what backpropagation needs.
"""

from __future__ import annotations

import numpy as np

from ._numeric import _restore, _to_float_array, ignore_fp, two_sum
from .sigmoidal import _sigmoid, _sigmoid_grad

__all__ = [
    "softmax", "log_softmax", "softmin", "softmax_jacobian", "softmax_vjp",
    "log_softmax_vjp", "softmin_vjp", "glu", "glu_vjp", "maxout", "maxout_vjp",
]


def _prepare(x, name, axis):
    arr, dtype = _to_float_array(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name}: needs at least one axis, got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for an array with {arr.ndim} dimensions")
    if arr.shape[axis] == 0:
        raise ValueError(f"{name}: axis {axis} is empty")
    return arr, dtype


def _shifted_exp(arr, axis):
    """``exp(x - max)`` with the subtraction's rounding error fed back (``exp(h)(1 + l)``)."""
    m = np.max(arr, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    h, l = two_sum(arr, -m)
    l = np.where(np.isfinite(l), l, 0.0)
    return np.exp(h) * (1.0 + l), h, l


def softmax(x, axis: int = -1):
    r"""Softmax along ``axis``: :math:`p_i = e^{x_i} / \sum_j e^{x_j}`.

    Stability: :math:`x - \max x` before ``exp`` (softmax is shift invariant), so nothing
    overflows; the rounding of that subtraction is fed back to first order, so tiny
    probabilities keep full relative precision. The outputs are positive and sum to 1.

    Paper: Bridle (1990).

    >>> softmax([1.0, 2.0, 3.0])
    array([0.09003057, 0.24472847, 0.66524096])
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    arr, dtype = _prepare(x, "softmax", axis)
    with ignore_fp():
        e, _, _ = _shifted_exp(arr, axis)
        out = e / np.sum(e, axis=axis, keepdims=True)
    return _restore(out, dtype, False)


def log_softmax(x, axis: int = -1):
    r"""Log-softmax: :math:`\log p_i = x_i - \operatorname{logsumexp}(x)`.

    Computed as :math:`(x_i - m) - \operatorname{log1p}(\sum_{j \ne j^*} e^{x_j - m})` with
    :math:`m = x_{j^*} = \max x`, so neither ``exp`` overflows nor the log of a sum near 1
    loses precision. Use it (not ``log(softmax(x))``) for cross-entropy.

    >>> log_softmax([0.0, 0.0])
    array([-0.69314718, -0.69314718])
    >>> log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    """
    arr, dtype = _prepare(x, "log_softmax", axis)
    with ignore_fp():
        e, h, l = _shifted_exp(arr, axis)
        top = np.argmax(arr, axis=axis)
        np.put_along_axis(e, np.expand_dims(top, axis), 0.0, axis=axis)
        out = (h + l) - np.log1p(np.sum(e, axis=axis, keepdims=True))
    return _restore(out, dtype, False)


def softmin(x, axis: int = -1):
    r"""Softmin: :math:`\operatorname{softmax}(-x)`; the smallest input gets the largest weight.

    >>> softmin([1.0, 2.0, 3.0])
    array([0.66524096, 0.24472847, 0.09003057])
    """
    arr, dtype = _prepare(x, "softmin", axis)
    return _restore(softmax(-arr, axis=axis), dtype, False)


def softmax_jacobian(x):
    r"""Jacobian of softmax over the last axis, shape ``(..., n, n)``.

    .. math:: J_{ij} = \frac{\partial p_i}{\partial x_j} = p_i(\delta_{ij} - p_j)

    Symmetric; every row sums to 0 (softmax is shift invariant). The diagonal
    :math:`p_i(1 - p_i)` is formed as :math:`p_i \sum_{k \ne i} p_k`, so it keeps its
    precision when :math:`p_i \approx 1`.

    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    arr, dtype = _prepare(x, "softmax_jacobian", -1)
    p = np.asarray(softmax(arr, axis=-1), dtype=np.float64)
    with ignore_fp():
        jac = -p[..., :, None] * p[..., None, :]
        n = p.shape[-1]
        e, _, _ = _shifted_exp(arr, -1)
        total = np.sum(e, axis=-1, keepdims=True)
        idx = np.arange(n)
        mask = idx[:, None] != idx[None, :]
        others = np.einsum("...k,ik->...i", e, mask.astype(np.float64)) / total
        jac[..., idx, idx] = p * others
    return _restore(jac, dtype, False)


def softmax_vjp(x, g, axis: int = -1):
    r"""Backward pass of softmax: :math:`\bar x = J^\top g = p \odot (g - \langle g, p\rangle)`.

    ``g`` is the upstream gradient :math:`\partial L/\partial p`, same shape as ``x``.

    >>> softmax_vjp([0.0, 0.0], [1.0, 0.0])
    array([ 0.25, -0.25])
    """
    arr, dtype = _prepare(x, "softmax_vjp", axis)
    g = _check_like(g, arr, "softmax_vjp")
    p = np.asarray(softmax(arr, axis=axis), dtype=np.float64)
    out = p * (g - np.sum(g * p, axis=axis, keepdims=True))
    return _restore(out, dtype, False)


def log_softmax_vjp(x, g, axis: int = -1):
    r"""Backward pass of log-softmax: :math:`\bar x = g - p \sum_i g_i`.

    With one-hot ``g = -y`` this is the famous :math:`p - y` of softmax cross-entropy.

    >>> log_softmax_vjp([0.0, 0.0], [-1.0, 0.0])
    array([-0.5,  0.5])
    """
    arr, dtype = _prepare(x, "log_softmax_vjp", axis)
    g = _check_like(g, arr, "log_softmax_vjp")
    p = np.asarray(softmax(arr, axis=axis), dtype=np.float64)
    out = g - p * np.sum(g, axis=axis, keepdims=True)
    return _restore(out, dtype, False)


def softmin_vjp(x, g, axis: int = -1):
    r"""Backward pass of softmin: :math:`-\,\mathrm{softmax\_vjp}(-x, g)`.

    >>> softmin_vjp([0.0, 0.0], [1.0, 0.0])
    array([-0.25,  0.25])
    """
    arr, dtype = _prepare(x, "softmin_vjp", axis)
    return _restore(-softmax_vjp(-arr, g, axis=axis), dtype, False)


def _check_like(g, arr, name):
    g = np.asarray(g, dtype=np.float64)
    if g.shape != arr.shape:
        raise ValueError(f"{name}: upstream gradient has shape {g.shape}, expected {arr.shape}")
    return g


def _halves(x, name, axis):
    arr, dtype = _prepare(x, name, axis)
    n = arr.shape[axis]
    if n % 2:
        raise ValueError(f"{name}: the size of axis {axis} must be even to split it in two halves, got {n}")
    a, b = np.split(arr, 2, axis=axis)
    return arr, dtype, a, b


def glu(x, axis: int = -1):
    r"""Gated linear unit: split ``x`` into halves :math:`a, b` along ``axis``; return :math:`a \odot \sigma(b)`.

    The output has half the size along ``axis``. Paper: Dauphin et al. (2017).

    >>> glu([1.0, 2.0, 0.0, 100.0])
    array([0.5, 2. ])
    """
    _, dtype, a, b = _halves(x, "glu", axis)
    with ignore_fp():
        out = a * _sigmoid(b)
    return _restore(out, dtype, False)


def glu_vjp(x, g, axis: int = -1):
    r"""Backward pass of GLU: :math:`(\bar a, \bar b) = (g\,\sigma(b),\; g\,a\,\sigma'(b))`, concatenated.

    >>> glu_vjp([1.0, 0.0], [1.0])
    array([0.5 , 0.25])
    """
    arr, dtype, a, b = _halves(x, "glu_vjp", axis)
    g = np.asarray(g, dtype=np.float64)
    if g.shape != a.shape:
        raise ValueError(f"glu_vjp: upstream gradient has shape {g.shape}, expected {a.shape}")
    with ignore_fp():
        out = np.concatenate([g * _sigmoid(b), g * a * _sigmoid_grad(b)], axis=axis)
    return _restore(out, dtype, False)


def _groups(x, name, k, axis):
    arr, dtype = _prepare(x, name, axis)
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise ValueError(f"{name}: k must be a positive integer, got {k!r}")
    axis = axis % arr.ndim
    n = arr.shape[axis]
    if n % k:
        raise ValueError(f"{name}: the size of axis {axis} ({n}) is not a multiple of k={k}")
    shape = arr.shape[:axis] + (n // k, k) + arr.shape[axis + 1:]
    return arr.reshape(shape), dtype, axis


def maxout(x, k: int = 2, axis: int = -1):
    r"""Maxout: the maximum over consecutive groups of ``k`` units along ``axis``.

    :math:`\operatorname{maxout}(x)_i = \max_{0 \le j < k} x_{ik + j}`; the output is ``k`` times
    smaller along ``axis``. Paper: Goodfellow et al. (2013).

    >>> maxout([1.0, 3.0, -2.0, -5.0], k=2)
    array([ 3., -2.])
    """
    grouped, dtype, axis = _groups(x, "maxout", k, axis)
    return _restore(np.max(grouped, axis=axis + 1), dtype, False)


def maxout_vjp(x, g, k: int = 2, axis: int = -1):
    r"""Backward pass of maxout: the upstream gradient goes to the (first) maximum of each group.

    Ties send the whole gradient to the first maximal unit (as ``argmax``, and PyTorch's ``max``).

    >>> maxout_vjp([1.0, 3.0, -2.0, -5.0], [10.0, 20.0], k=2)
    array([ 0., 10., 20.,  0.])
    """
    grouped, dtype, axis = _groups(x, "maxout_vjp", k, axis)
    g = np.asarray(g, dtype=np.float64)
    expected = grouped.shape[: axis + 1] + grouped.shape[axis + 2:]
    if g.shape != expected:
        raise ValueError(f"maxout_vjp: upstream gradient has shape {g.shape}, expected {expected}")
    winner = np.argmax(grouped, axis=axis + 1)
    out = np.zeros(grouped.shape)
    np.put_along_axis(out, np.expand_dims(winner, axis + 1), np.expand_dims(g, axis + 1), axis=axis + 1)
    shape = grouped.shape[:axis] + (grouped.shape[axis] * grouped.shape[axis + 1],) + grouped.shape[axis + 2:]
    return _restore(out.reshape(shape), dtype, False)
