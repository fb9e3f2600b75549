"""Identity and the shrinkage/threshold functions: tanhshrink, softshrink, hardshrink, threshold.

Shrinkage functions pull small inputs to zero; they come from sparse coding and denoising
rather than deep nets, and appear in the book's gallery.
"""

from __future__ import annotations

import numpy as np

from . import _tables
from ._numeric import cheb_eval, elementwise, propagate_nan

__all__ = [
    "identity", "identity_grad", "tanhshrink", "tanhshrink_grad", "softshrink",
    "softshrink_grad", "hardshrink", "hardshrink_grad", "threshold", "threshold_grad",
]


@elementwise
def identity(x):
    r"""The identity (linear activation) :math:`f(x) = x`, used for regression outputs.

    >>> identity([-1.0, 2.0])
    array([-1.,  2.])
    """
    return x.copy()


@elementwise
def identity_grad(x):
    r"""Derivative of the identity: 1 everywhere (NaN for NaN input).

    >>> identity_grad([-1.0, 2.0])
    array([1., 1.])
    """
    return propagate_nan(np.ones_like(x), x)


def _check_lambd(name: str, lambd: float) -> None:
    if not (np.isfinite(lambd) and lambd >= 0):
        raise ValueError(f"{name}: lambd must be a finite non-negative number, got {lambd!r}")


@elementwise
def tanhshrink(x):
    r"""Tanhshrink: :math:`x - \tanh x`.

    Stability: for :math:`|x| < 1.5` the subtraction cancels (:math:`x - \tanh x \approx x^3/3`);
    there it is :math:`x^3 g(x^2)` with :math:`g` from a Chebyshev table.

    >>> tanhshrink([0.0, 1e-3, 2.0])
    array([0.00000000e+00, 3.33333200e-10, 1.03597242e+00])
    """
    out = x - np.tanh(x)
    small = np.abs(x) < 1.5
    if small.any():
        xs = x[small]
        s = xs * xs
        a, b, coeffs = _tables.TANHSHRINK_SMALL
        out[small] = xs * (s * cheb_eval(s, a, b, coeffs))
    return out


@elementwise
def tanhshrink_grad(x):
    r"""Derivative of tanhshrink: :math:`1 - \operatorname{sech}^2 x = \tanh^2 x`.

    >>> tanhshrink_grad([0.0, 1.0])
    array([0.        , 0.58002566])
    """
    t = np.tanh(x)
    return t * t


@elementwise
def softshrink(x, lambd: float = 0.5):
    r"""Soft shrinkage: :math:`x - \lambda` for :math:`x > \lambda`, :math:`x + \lambda` for
    :math:`x < -\lambda`, 0 otherwise. Default :math:`\lambda = 0.5` (PyTorch).

    >>> softshrink([-2.0, 0.3, 2.0])
    array([-1.5,  0. ,  1.5])
    """
    _check_lambd("softshrink", lambd)
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0 * x))


@elementwise
def softshrink_grad(x, lambd: float = 0.5):
    r"""Derivative of soft shrinkage: 1 for :math:`|x| > \lambda`, else 0 (0 at :math:`\pm\lambda`, PyTorch).

    >>> softshrink_grad([-0.5, 0.0, 0.5, 0.6])
    array([0., 0., 0., 1.])
    """
    _check_lambd("softshrink_grad", lambd)
    return propagate_nan(np.where(np.abs(x) > lambd, 1.0, 0.0), x)


@elementwise
def hardshrink(x, lambd: float = 0.5):
    r"""Hard shrinkage: :math:`x` for :math:`|x| > \lambda`, else 0. Default :math:`\lambda = 0.5`.

    Discontinuous at :math:`\pm\lambda`.

    >>> hardshrink([-2.0, 0.5, 0.6])
    array([-2. ,  0. ,  0.6])
    """
    _check_lambd("hardshrink", lambd)
    return np.where(np.abs(x) > lambd, x, 0.0 * x)


@elementwise
def hardshrink_grad(x, lambd: float = 0.5):
    r"""Derivative of hard shrinkage: 1 for :math:`|x| > \lambda`, else 0 (0 at :math:`\pm\lambda`).

    >>> hardshrink_grad([-2.0, 0.5])
    array([1., 0.])
    """
    _check_lambd("hardshrink_grad", lambd)
    return propagate_nan(np.where(np.abs(x) > lambd, 1.0, 0.0), x)


@elementwise
def threshold(x, threshold: float = 1.0, value: float = 0.0):
    r"""Threshold: :math:`x` if :math:`x > \text{threshold}`, else ``value``.

    PyTorch's ``nn.Threshold(threshold, value)`` has no defaults; the course uses 1 and 0.
    Discontinuous at the threshold unless ``value == threshold``.

    >>> threshold([0.5, 1.0, 2.0])
    array([0., 0., 2.])
    """
    return propagate_nan(np.where(x > threshold, x, value), x)


@elementwise
def threshold_grad(x, threshold: float = 1.0, value: float = 0.0):
    r"""Derivative of threshold: 1 for :math:`x > \text{threshold}`, 0 otherwise (0 at the threshold).

    >>> threshold_grad([1.0, 2.0])
    array([0., 1.])
    """
    return propagate_nan(np.where(x > threshold, 1.0, 0.0), x)
