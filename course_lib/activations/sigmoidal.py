"""Sigmoidal activations: S-shaped, bounded on both sides.

sigmoid, tanh, softsign, hard_sigmoid and hard_tanh, each with its
derivative. Every formula is chosen so that no intermediate overflows and the saturated
tails keep full *relative* precision (the textbook ``s * (1 - s)`` does not).
"""

from __future__ import annotations

import numpy as np

from ._numeric import DEEP_TAIL, EXP_M64, elementwise, propagate_nan

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softsign", "softsign_grad",
    "hard_sigmoid", "hard_sigmoid_grad", "hard_tanh", "hard_tanh_grad",
]

def _exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """A new array ``exp(-|x|)`` (in place: at 10**6 elements allocation costs more than exp)."""
    e = np.abs(x)
    np.negative(e, out=e)
    return np.exp(e, out=e)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), with the deep left tail recomputed.

    For x >= 0 this is 1/(1 + tiny); for x < 0, exp(-x) is large and correctly rounded,
    so three roundings in all. Below x = -700, exp(-x) overflows or the result is
    subnormal: there sigma(x) = exp(x) / (1 + exp(x)) is evaluated directly.
    """
    out = np.negative(x)
    np.exp(out, out=out)
    out += 1.0
    np.divide(1.0, out, out=out)
    deep = x < DEEP_TAIL
    if deep.any():
        out[deep] = np.exp(x[deep])
    return out


def _square_one_plus(e: np.ndarray) -> np.ndarray:
    """A new array ``(1 + e)**2`` for ``0 <= e <= 1``, with a single rounding error.

    ``1 + e`` is split exactly into ``t + c`` (Fast2Sum), so the square
    ``t*t + 2*t*c`` carries only the roundings of the last two operations, and that of
    ``t*t`` is far below the final ulp once added.
    """
    t = e + 1.0
    c = t - 1.0
    np.subtract(e, c, out=c)
    c *= t
    c *= 2.0
    t *= t
    t += c
    return t


def _sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = e / (1 + e)^2 with e = exp(-|x|): symmetric, no cancellation."""
    e = _exp_neg_abs(x)
    return np.divide(e, _square_one_plus(e), out=e)


@elementwise
def sigmoid(x):
    r"""Logistic sigmoid.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\sigma(-x)

    Range :math:`(0, 1)`; :math:`\sigma(0) = 1/2`; smooth everywhere.

    Stability: :math:`1/(1+e^{-x})` is accurate (three roundings) wherever :math:`e^{-x}` is
    finite; for :math:`x < -700`, where it overflows or the result is subnormal, the left
    tail is recomputed as :math:`e^{x}`, so it keeps full relative precision down to the
    subnormals and no warning is raised.

    Paper: Verhulst (1845); in neural networks, Rumelhart, Hinton & Williams (1986).

    Args:
        x: real scalar or array.

    Returns:
        :math:`\sigma(x)`, same shape; float32 for float32 input, else float64.

    >>> sigmoid([-1000.0, 0.0, 2.0])
    array([0.        , 0.5       , 0.88079708])
    >>> float(sigmoid(-700.0))
    9.85967654375977e-305
    """
    return _sigmoid(x)


@elementwise
def sigmoid_grad(x):
    r"""Derivative of the logistic sigmoid.

    .. math:: \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \frac{e^{-|x|}}{(1 + e^{-|x|})^2}

    Smooth, so there is no kink convention. Maximum :math:`1/4` at :math:`x = 0`.

    Stability: the textbook ``s * (1 - s)`` returns 0 once ``s`` rounds to 1 (``x > 37``)
    although the true value is about :math:`e^{-x}`; the symmetric form above keeps full
    relative precision in both tails.

    >>> sigmoid_grad([0.0, 40.0])
    array([2.50000000e-01, 4.24835426e-18])
    """
    return _sigmoid_grad(x)


@elementwise
def tanh(x):
    r"""Hyperbolic tangent.

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Range :math:`(-1, 1)`, zero-centred, odd. Uses ``numpy.tanh`` (within 1 ULP).

    Paper: LeCun et al., "Efficient BackProp" (1998) for its use in networks.

    >>> tanh([0.0, 1.0, -30.0])
    array([ 0.        ,  0.76159416, -1.        ])
    """
    return np.tanh(x)


@elementwise
def tanh_grad(x):
    r"""Derivative of tanh.

    .. math:: \tanh'(x) = 1 - \tanh^2(x) = \operatorname{sech}^2 x
              = \frac{4 e^{-2|x|}}{(1 + e^{-2|x|})^2}

    Smooth; maximum 1 at 0. Stability: ``1 - tanh(x)**2`` is exactly 0 for
    :math:`|x| > 19.0` although the true value is :math:`\approx 4e^{-2|x|}`; the last
    form keeps full relative precision in the tails (and, deep in the tail, computes
    the factor 4 on a normal number so it is not applied to an already-subnormal
    number, but scaled: :math:`4 e^{64 - 2|x|} \cdot e^{-64}`).

    >>> tanh_grad([0.0, 20.0])
    array([1.00000000e+00, 1.69934170e-17])
    """
    e = np.abs(x)
    e *= -2.0
    np.exp(e, out=e)
    out = np.divide(e, _square_one_plus(e), out=e)
    out *= 4.0
    deep = np.abs(x) > 350.0
    if deep.any():
        out[deep] = (4.0 * np.exp(64.0 - 2.0 * np.abs(x[deep]))) * EXP_M64
    return out


@elementwise
def softsign(x):
    r"""Softsign.

    .. math:: \operatorname{softsign}(x) = \frac{x}{1 + |x|}, \qquad
              \operatorname{softsign}'(x) = \frac{1}{(1 + |x|)^2}

    Range :math:`(-1, 1)`; like tanh but with polynomial (not exponential) tails, so it
    saturates more slowly. :math:`\pm\infty \mapsto \pm 1`. Evaluated as
    :math:`\operatorname{sign}(x) / (1 + 1/|x|)`: every step is monotone, so the result is
    monotone in floating point too (``x / (1 + |x|)`` is not), and odd by construction.

    Paper: Bergstra et al. (2009); Glorot & Bengio (2010).

    >>> softsign([-3.0, 0.0, 1.0])
    array([-0.75,  0.  ,  0.5 ])
    """
    a = np.abs(x)
    out = np.divide(1.0, a)
    out += 1.0
    np.divide(1.0, out, out=out)  # 1 / (1 + 1/|x|): each step monotone, so the whole is
    tiny = a < 2.0**-60  # where 1/|x| may overflow; x / (1 + |x|) rounds to x there
    if tiny.any():
        out[tiny] = a[tiny]
    return np.copysign(out, x, out=out)


@elementwise
def softsign_grad(x):
    r"""Derivative of softsign: :math:`1 / (1 + |x|)^2`.

    Smooth (:math:`C^1`; the second derivative jumps at 0). Computed as
    :math:`r \cdot r` with :math:`r = 1/(1+|x|)`, which never overflows.

    >>> softsign_grad([0.0, 1.0, -3.0])
    array([1.    , 0.25  , 0.0625])
    """
    r = np.abs(x)
    r += 1.0
    np.divide(1.0, r, out=r)
    return np.multiply(r, r, out=r)


@elementwise
def hard_sigmoid(x, variant: str = "pytorch"):
    r"""Hard sigmoid: a piecewise-linear sigmoid.

    ``variant="pytorch"`` (default; also Keras 3 and TensorFlow >= 2.16):

    .. math:: \operatorname{hard\_sigmoid}(x) = \frac{\operatorname{relu6}(x + 3)}{6}
              = \begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}

    ``variant="keras2"`` (Keras 2 and Theano): :math:`\operatorname{clip}(0.2x + 0.5, 0, 1)`,
    which saturates at :math:`\pm 2.5` instead of :math:`\pm 3`.

    Evaluated as :math:`(x + 3)/6` (resp. :math:`(x + 2.5)/5`): near the lower corner
    :math:`x + 3` is exact, so no cancellation.

    Derivative convention: see :func:`hard_sigmoid_grad`.

    Paper: Courbariaux et al., BinaryConnect (2015); Howard et al., MobileNetV3 (2019).

    >>> hard_sigmoid([-4.0, 0.0, 1.5])
    array([0.  , 0.5 , 0.75])
    >>> hard_sigmoid([-4.0, 0.0, 1.5], variant="keras2")
    array([0. , 0.5, 0.8])
    """
    lo, width = _hard_sigmoid_corner(variant)
    return np.clip((x - lo) / width, 0.0, 1.0)


def _hard_sigmoid_corner(variant: str) -> tuple[float, float]:
    if variant == "pytorch":
        return -3.0, 6.0
    if variant == "keras2":
        return -2.5, 5.0
    raise ValueError(f"hard_sigmoid: variant must be 'pytorch' or 'keras2', got {variant!r}")


@elementwise
def hard_sigmoid_grad(x, variant: str = "pytorch"):
    r"""Derivative of :func:`hard_sigmoid`.

    ``variant="pytorch"``: :math:`1/6` on the open interval :math:`(-3, 3)` and 0 elsewhere,
    **0 at the corners** :math:`x = \pm 3` (PyTorch autograd's convention).

    ``variant="keras2"``: :math:`0.2` on the closed interval :math:`[-2.5, 2.5]` and 0
    elsewhere (TensorFlow's ``clip_by_value`` passes the gradient at its bounds).

    >>> hard_sigmoid_grad([-3.0, 0.0, 3.0])
    array([0.        , 0.16666667, 0.        ])
    """
    lo, width = _hard_sigmoid_corner(variant)
    hi = lo + width
    inside = (x > lo) & (x < hi) if variant == "pytorch" else (x >= lo) & (x <= hi)
    return propagate_nan(np.where(inside, 1.0 / width, 0.0), x)


@elementwise
def hard_tanh(x, min_val: float = -1.0, max_val: float = 1.0):
    r"""Hard tanh: :math:`\operatorname{clip}(x, \text{min\_val}, \text{max\_val})`.

    Defaults ``min_val=-1``, ``max_val=1`` (PyTorch). Derivative: see :func:`hard_tanh_grad`.

    Paper: Collobert (2004).

    >>> hard_tanh([-2.0, 0.5, 3.0])
    array([-1. ,  0.5,  1. ])
    """
    if not min_val < max_val:
        raise ValueError(f"hard_tanh: min_val ({min_val}) must be less than max_val ({max_val})")
    return np.clip(x, min_val, max_val)


@elementwise
def hard_tanh_grad(x, min_val: float = -1.0, max_val: float = 1.0):
    r"""Derivative of :func:`hard_tanh`: 1 on the open interval (min_val, max_val), else 0.

    Convention (PyTorch): the derivative is **0 at the corners** ``x = min_val`` and
    ``x = max_val``.

    >>> hard_tanh_grad([-1.0, 0.0, 1.0])
    array([0., 1., 0.])
    """
    if not min_val < max_val:
        raise ValueError(f"hard_tanh_grad: min_val ({min_val}) must be less than max_val ({max_val})")
    return propagate_nan(np.where((x > min_val) & (x < max_val), 1.0, 0.0), x)
