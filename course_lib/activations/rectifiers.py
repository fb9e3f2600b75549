"""Rectifiers: the ReLU family and its exponential relatives (ELU, SELU, CELU).

Kink conventions follow PyTorch autograd and are stated in each docstring; the tests pin
every one of them in a single table.
"""

from __future__ import annotations

import numpy as np

from ._numeric import elementwise, propagate_nan, two_prod

__all__ = [
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "prelu", "prelu_grad",
    "prelu_grad_alpha", "rrelu", "rrelu_grad", "relu6", "relu6_grad", "leaky_relu6",
    "leaky_relu6_grad", "elu", "elu_grad", "selu", "selu_grad", "celu", "celu_grad",
    "SELU_ALPHA", "SELU_SCALE",
]

#: SELU's alpha, Klambauer et al. (2017), eq. (14): 1.6732632423543772848170429916717...
SELU_ALPHA = 1.6732632423543772848170429916717
#: SELU's lambda (scale), Klambauer et al. (2017): 1.0507009873554804934193349852946...
SELU_SCALE = 1.0507009873554804934193349852946
#: lambda * alpha rounded once from the exact product 1.7580993408473768599402175208123...
_SELU_SCALE_ALPHA = 1.7580993408473768599402175208123


def _check_alpha(name: str, alpha: float) -> None:
    if not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"{name}: alpha must be a finite positive number, got {alpha!r}")


@elementwise
def relu(x):
    r"""Rectified linear unit: :math:`\max(x, 0)`.

    .. math:: \operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    Paper: Nair & Hinton (2010); Glorot, Bordes & Bengio (2011).

    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return np.maximum(x, 0.0)


@elementwise
def relu_grad(x):
    r"""Derivative of ReLU: 1 for :math:`x > 0`, 0 for :math:`x < 0`.

    Convention (PyTorch): :math:`\operatorname{relu}'(0) = 0`.

    >>> relu_grad([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """
    return propagate_nan((x > 0).astype(np.float64), x)


@elementwise
def leaky_relu(x, negative_slope: float = 0.01):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, :math:`\text{negative\_slope}\cdot x` otherwise.

    Default ``negative_slope=0.01`` (PyTorch; Keras 3 uses 0.2). Paper: Maas, Hannun & Ng (2013).

    >>> leaky_relu([-100.0, 0.0, 2.0])
    array([-1.,  0.,  2.])
    """
    return np.where(x > 0, x, negative_slope * x)


@elementwise
def leaky_relu_grad(x, negative_slope: float = 0.01):
    r"""Derivative of Leaky ReLU: 1 for :math:`x > 0`, ``negative_slope`` for :math:`x \le 0`.

    Convention (PyTorch): :math:`\operatorname{leaky\_relu}'(0) = \text{negative\_slope}`.

    >>> leaky_relu_grad([-1.0, 0.0, 2.0])
    array([0.01, 0.01, 1.  ])
    """
    return propagate_nan(np.where(x > 0, 1.0, negative_slope), x)


@elementwise
def prelu(x, alpha=0.25):
    r"""Parametric ReLU: :math:`x` for :math:`x > 0`, :math:`\alpha x` otherwise.

    :math:`\alpha` is learned (default initial value 0.25, PyTorch). ``alpha`` may be an
    array broadcastable against ``x`` (one slope per channel).

    Paper: He et al., "Delving deep into rectifiers" (2015).

    >>> prelu([-2.0, 3.0])
    array([-0.5,  3. ])
    """
    return np.where(x > 0, x, np.asarray(alpha, dtype=np.float64) * x)


@elementwise
def prelu_grad(x, alpha=0.25):
    r"""Derivative of PReLU with respect to :math:`x`: 1 for :math:`x > 0`, :math:`\alpha` for
    :math:`x \le 0` (convention: :math:`\alpha` at 0, as PyTorch).

    >>> prelu_grad([-2.0, 0.0, 3.0])
    array([0.25, 0.25, 1.  ])
    """
    out = np.where(x > 0, 1.0, np.asarray(alpha, dtype=np.float64))
    return propagate_nan(out, np.broadcast_to(x, out.shape))


@elementwise
def prelu_grad_alpha(x, alpha=0.25):
    r"""Derivative of PReLU with respect to its slope: :math:`\partial f/\partial\alpha = \min(x, 0)`.

    Elementwise; to get the gradient of a shared or per-channel ``alpha``, multiply by the
    upstream gradient and sum over the broadcast axes.

    >>> prelu_grad_alpha([-2.0, 0.0, 3.0])
    array([-2.,  0.,  0.])
    """
    return np.broadcast_to(np.minimum(x, 0.0), np.broadcast_shapes(x.shape, np.shape(alpha))).copy()


#: RReLU's evaluation slope for the default bounds: (1/8 + 1/3) / 2 = 11/48.
def _rrelu_slope(lower: float, upper: float) -> float:
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
    return (lower + upper) / 2.0


@elementwise
def rrelu(x, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0):
    r"""Randomized leaky ReLU in evaluation mode: a leaky ReLU with slope :math:`(l + u)/2`.

    During training the slope of each element is drawn from :math:`U(l, u)`; at evaluation
    time PyTorch uses the mean slope, which is what this function computes. Defaults
    :math:`l = 1/8`, :math:`u = 1/3` (PyTorch). Paper: Xu et al. (2015).

    >>> rrelu([-48.0, 1.0])
    array([-11.,   1.])
    """
    return np.where(x > 0, x, _rrelu_slope(lower, upper) * x)


@elementwise
def rrelu_grad(x, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0):
    r"""Derivative of evaluation-mode RReLU: 1 for :math:`x > 0`, :math:`(l+u)/2` for :math:`x \le 0`.

    Convention (PyTorch, as leaky ReLU): the leaky slope :math:`(l+u)/2` at 0.

    >>> rrelu_grad([-1.0, 0.0, 1.0])
    array([0.22916667, 0.22916667, 1.        ])
    """
    return propagate_nan(np.where(x > 0, 1.0, _rrelu_slope(lower, upper)), x)


@elementwise
def relu6(x):
    r"""ReLU capped at 6: :math:`\min(\max(x, 0), 6)`.

    Paper: Krizhevsky (2010); MobileNets (Howard et al., 2017) for low-precision inference.

    >>> relu6([-1.0, 3.0, 8.0])
    array([0., 3., 6.])
    """
    return np.clip(x, 0.0, 6.0)


@elementwise
def relu6_grad(x):
    r"""Derivative of ReLU6: 1 on the open interval :math:`(0, 6)`, else 0.

    Convention (PyTorch, via ``hardtanh``): **0 at both corners** :math:`x = 0` and :math:`x = 6`.

    >>> relu6_grad([0.0, 3.0, 6.0])
    array([0., 1., 0.])
    """
    return propagate_nan(np.where((x > 0) & (x < 6.0), 1.0, 0.0), x)


@elementwise
def leaky_relu6(x, negative_slope: float = 0.01):
    r"""Leaky ReLU6: leaky below 0, identity on :math:`[0, 6]`, capped at 6.

    .. math:: f(x) = \begin{cases} s\,x & x < 0 \\ x & 0 \le x \le 6 \\ 6 & x > 6 \end{cases}

    The course's own design exercise: ReLU6's bounded output for low-precision inference
    without ReLU's dead units on the negative side. Default ``negative_slope=0.01``.

    >>> leaky_relu6([-100.0, 2.0, 9.0])
    array([-1.,  2.,  6.])
    """
    return np.where(x > 0, np.minimum(x, 6.0), negative_slope * x)


@elementwise
def leaky_relu6_grad(x, negative_slope: float = 0.01):
    r"""Derivative of leaky ReLU6: ``negative_slope`` for :math:`x \le 0`, 1 on :math:`(0, 6)`,
    0 for :math:`x \ge 6`.

    Conventions follow its parents: at 0 the leaky slope (as ``leaky_relu``), at 6 zero (as ``relu6``).

    >>> leaky_relu6_grad([-1.0, 0.0, 3.0, 6.0])
    array([0.01, 0.01, 1.  , 0.  ])
    """
    return propagate_nan(np.where(x > 0, np.where(x < 6.0, 1.0, 0.0), negative_slope), x)


@elementwise
def elu(x, alpha: float = 1.0):
    r"""Exponential linear unit.

    .. math:: \operatorname{elu}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    Default :math:`\alpha = 1`. Stability: the negative branch is
    ``alpha * expm1(min(x, 0))``: ``expm1`` keeps full precision near 0 (where
    ``exp(x) - 1`` cancels) and the clamp stops the unused branch from overflowing.

    Paper: Clevert, Unterthiner & Hochreiter (2016).

    >>> elu([-1000.0, -1.0, 2.0])
    array([-1.        , -0.63212056,  2.        ])
    """
    _check_alpha("elu", alpha)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


@elementwise
def elu_grad(x, alpha: float = 1.0):
    r"""Derivative of ELU: 1 for :math:`x > 0`, :math:`\alpha e^{x}` for :math:`x \le 0`.

    Convention (PyTorch): :math:`\operatorname{elu}'(0) = \alpha` (the left derivative;
    with :math:`\alpha = 1` both sides agree and ELU is :math:`C^1`).

    >>> elu_grad([-1.0, 0.0, 2.0])
    array([0.36787944, 1.        , 1.        ])
    """
    _check_alpha("elu_grad", alpha)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


@elementwise
def selu(x):
    r"""Scaled exponential linear unit: :math:`\lambda\,\operatorname{elu}_\alpha(x)`.

    .. math:: \operatorname{selu}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}

    with the exact constants of Klambauer et al. (2017)
    :math:`\alpha = 1.6732632423543772848170429916717` and
    :math:`\lambda = 1.0507009873554804934193349852946`, which make zero mean and unit
    variance a stable fixed point of a dense layer with LeCun-normal weights.
    The product :math:`\lambda\alpha` is rounded once from its exact value.

    >>> selu([-1000.0, 0.0, 1.0])
    array([-1.75809934,  0.        ,  1.05070099])
    """
    return np.where(x > 0, SELU_SCALE * x, _SELU_SCALE_ALPHA * np.expm1(np.minimum(x, 0.0)))


@elementwise
def selu_grad(x):
    r"""Derivative of SELU: :math:`\lambda` for :math:`x > 0`, :math:`\lambda\alpha e^{x}` for :math:`x \le 0`.

    Convention (PyTorch): at 0 the left derivative :math:`\lambda\alpha \approx 1.7581`.

    >>> selu_grad([-1.0, 0.0, 1.0])
    array([0.6467686 , 1.75809934, 1.05070099])
    """
    return np.where(x > 0, SELU_SCALE, _SELU_SCALE_ALPHA * np.exp(np.minimum(x, 0.0)))


@elementwise
def celu(x, alpha: float = 1.0):
    r"""Continuously differentiable ELU.

    .. math:: \operatorname{celu}(x) = \max(0, x) + \min\bigl(0, \alpha(e^{x/\alpha} - 1)\bigr)

    Unlike ELU it is :math:`C^1` for every :math:`\alpha`. Default :math:`\alpha = 1`
    (where it equals ELU). Paper: Barron (2017).

    >>> celu([-1.0, 2.0], alpha=2.0)
    array([-0.78693868,  2.        ])
    """
    _check_alpha("celu", alpha)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


@elementwise
def celu_grad(x, alpha: float = 1.0):
    r"""Derivative of CELU: 1 for :math:`x > 0`, :math:`e^{x/\alpha}` for :math:`x \le 0`.

    Convention: 1 at 0, where both sides agree (CELU is :math:`C^1` for every :math:`\alpha`).

    For :math:`\alpha \ne 1` the quotient :math:`x/\alpha` is carried with its rounding
    error, which ``exp`` would otherwise amplify in the left tail.

    >>> celu_grad([-2.0, 0.0, 2.0], alpha=2.0)
    array([0.36787944, 1.        , 1.        ])
    """
    _check_alpha("celu_grad", alpha)
    y = np.minimum(x, 0.0)
    if alpha == 1.0:
        return np.where(x > 0, 1.0, np.exp(y))
    q, q_lo = _divide_dd(y, alpha)
    return np.where(x > 0, 1.0, np.exp(q) * (1.0 + q_lo))


def _divide_dd(y: np.ndarray, alpha: float):
    """``y / alpha`` as ``q + q_lo`` (the rounding error of the quotient, to first order).

    ``exp`` amplifies an absolute error in its argument into a relative error of the same
    size, so at ``y/alpha = -700`` a rounded quotient alone costs hundreds of ULP.
    """
    q = y / alpha
    p, p_lo = two_prod(q, alpha)
    q_lo = np.where(np.isfinite(p_lo), ((y - p) - p_lo) / alpha, 0.0)
    return q, q_lo
