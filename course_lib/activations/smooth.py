"""Smooth activations: softplus, log-sigmoid, SiLU/Swish, Hard-Swish, GELU, Mish,
squareplus, sparse-plus and the exponential.

Every function here keeps a few-ULP accuracy over the whole real line. The tricks used,
each named in the docstring that needs it:

* tails in terms of ``e = exp(-|x|)`` so no ``exp`` overflows;
* derivatives re-associated so that the only cancelling subtraction is exact (Sterbenz);
* Chebyshev tables (``_tables.py``, generated with mpmath) near the root of a derivative
  and for the normal tail :math:`\\Phi(-a)`;
* double-double products where a rounded argument would be amplified by ``exp``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from . import _tables
from ._numeric import (
    DEEP_TAIL, EXP_M64, elementwise, piecewise_cheb, propagate_nan, root_window, two_prod,
    two_sum,
)
from .sigmoidal import _exp_neg_abs, _sigmoid, _square_one_plus

__all__ = [
    "softplus", "softplus_grad", "log_sigmoid", "log_sigmoid_grad", "silu", "silu_grad",
    "swish", "swish_grad", "hard_swish", "hard_swish_grad", "gelu", "gelu_grad", "mish",
    "mish_grad", "squareplus", "squareplus_grad", "sparse_plus", "sparse_plus_grad",
    "exponential", "exponential_grad",
]

_INV_SQRT_2PI = 0.3989422804014327  # 1/sqrt(2 pi)


def _scaled_argument(x: np.ndarray, beta: float):
    """``beta * x`` as an unevaluated sum ``hi + lo`` (``lo`` is 0 where it cannot matter)."""
    if beta == 1.0:
        return x, None
    hi, lo = two_prod(beta, x)
    return hi, np.where(np.abs(hi) < 800.0, lo, 0.0)


def _check_beta(name: str, beta: float) -> None:
    if not (np.isfinite(beta) and beta > 0):
        raise ValueError(f"{name}: beta must be a finite positive number, got {beta!r}")


# --- softplus and log-sigmoid ------------------------------------------------------------

def _softplus(z: np.ndarray) -> np.ndarray:
    """log1p(exp(z)) below z = 700 and z above (where log1p(exp(-z)) < 1e-304).

    A composition of correctly rounded monotone functions, so the result is monotone in
    floating point too (the common ``max(z, 0) + log1p(exp(-|z|))`` is not: near 0 the
    rounding of the second term can step down by an ulp while ``z`` grows by less).
    """
    out = np.minimum(z, 700.0)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    big = z > 700.0
    if big.any():
        out[big] = z[big]
    return out


@elementwise
def softplus(x, beta: float = 1.0):
    r"""Softplus: a smooth ReLU.

    .. math:: \operatorname{softplus}(x) = \frac{1}{\beta}\log\bigl(1 + e^{\beta x}\bigr),
              \qquad \operatorname{softplus}'(x) = \sigma(\beta x)

    Default :math:`\beta = 1`. Exact for every input: unlike PyTorch there is **no**
    ``threshold`` shortcut that switches to the identity for :math:`\beta x > 20`.

    Stability: :math:`\operatorname{log1p}(e^{z})` for :math:`z < 700` and :math:`z` above:
    no overflow, full precision in the left tail (where softplus :math:`\approx e^{z}`),
    and monotone in floating point, not only in exact arithmetic. For
    :math:`\beta \ne 1`, :math:`z = \beta x` is carried as a double-double and corrected to
    first order, so the tail does not amplify the rounding of the product (the price:
    with :math:`\beta \ne 1` the result is monotone only up to two ulp).

    Paper: Dugas et al. (2001); Glorot, Bordes & Bengio (2011).

    >>> softplus([-800.0, 0.0, 3.0])
    array([0.        , 0.69314718, 3.04858735])
    """
    _check_beta("softplus", beta)
    zh, zl = _scaled_argument(x, beta)
    out = _softplus(zh)
    if zl is None:
        return out
    # first-order correction for the rounding of beta*x; below |z| = 1 it is worth less than
    # an ulp, and leaving it out there keeps the result monotone in floating point
    out = (out + np.where(np.abs(zh) > 1.0, zl, 0.0) * _sigmoid(zh)) / beta
    huge = np.isinf(zh) & np.isfinite(x)  # beta * x overflowed: softplus is x (or 0) there
    out[huge] = np.maximum(x[huge], 0.0)
    return out


@elementwise
def softplus_grad(x, beta: float = 1.0):
    r"""Derivative of softplus: :math:`\sigma(\beta x)` (the logistic sigmoid). Smooth.

    >>> softplus_grad([0.0, 2.0])
    array([0.5       , 0.88079708])
    """
    _check_beta("softplus_grad", beta)
    zh, zl = _scaled_argument(x, beta)
    s = _sigmoid(zh)
    if zl is None:
        return s
    return s * (1.0 + zl * _sigmoid(-zh))


@elementwise
def log_sigmoid(x):
    r"""Log of the logistic sigmoid: :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`.

    Range :math:`(-\infty, 0)`. Stable where :math:`\log(\sigma(x))` would take the log of an
    underflowed 0 (:math:`x < -745`). Used for log-likelihoods of binary outputs.

    >>> log_sigmoid([-2.0, -1.0, 0.0])
    array([-2.12692801, -1.31326169, -0.69314718])
    >>> float(log_sigmoid(-800.0))
    -800.0
    """
    return -_softplus(-x)


@elementwise
def log_sigmoid_grad(x):
    r"""Derivative of log-sigmoid: :math:`\sigma(-x) = 1 - \sigma(x)`, computed without the subtraction.

    >>> log_sigmoid_grad([0.0, 40.0])
    array([5.00000000e-01, 4.24835426e-18])
    """
    return _sigmoid(-x)


# --- SiLU / Swish ------------------------------------------------------------------------

def _left_tail(x: np.ndarray, out: np.ndarray, scaled) -> np.ndarray:
    """Recompute ``out`` where ``x < -700`` as ``scaled(x) * exp(-64)``, and set f(-inf) = -0.

    ``scaled(x)`` is the function multiplied by :math:`e^{64}`, so it is a normal number;
    the one multiplication by ``EXP_M64`` is then the only rounding at subnormal precision.
    The functions using this tend to 0 from below as x -> -inf.
    """
    deep = x < DEEP_TAIL
    if deep.any():
        out[deep] = scaled(x[deep]) * EXP_M64
        out[x == -np.inf] = -0.0
    return out


def _sigmoid_dd(zh, zl):
    s = _sigmoid(zh)
    return s if zl is None else s * (1.0 + zl * _sigmoid(-zh))


def _silu_grad(z: np.ndarray) -> np.ndarray:
    """silu'(z) = sigma(z) (1 + z sigma(-z)); see :func:`silu_grad` for the re-association."""
    e = _exp_neg_abs(z)
    s = z + 1.0  # exact where it matters: -2 <= z <= -0.5 (Sterbenz)
    neg = s + e
    neg *= e  # e ((1 + z) + e)
    s *= e
    s += 1.0  # 1 + e (1 + z)
    num = np.where(z >= 0, s, neg)
    out = np.divide(num, _square_one_plus(e), out=num)
    deep = z < DEEP_TAIL
    if deep.any():
        zd = z[deep]
        out[deep] = ((1.0 + zd) * np.exp(zd + 64.0)) * EXP_M64
    inf = np.isinf(z)
    if inf.any():
        out[inf] = np.where(z[inf] > 0, 1.0, -0.0)
    return root_window(z, out, _tables.SILU_GRAD_ROOT)


@elementwise
def silu(x):
    r"""Sigmoid-weighted linear unit (SiLU), also Swish with :math:`\beta = 1`.

    .. math:: \operatorname{silu}(x) = x\,\sigma(x)

    Smooth, non-monotonic (minimum :math:`\approx -0.2785` at :math:`x \approx -1.2785`),
    unbounded above, bounded below. Evaluated as :math:`x/(1 + e^{-x})`; deep in the left
    tail (:math:`x < -700`), where :math:`e^{-x}` overflows, as :math:`x e^{x}`, formed before
    scaling down so the subnormal result is rounded once.

    Paper: Elfwing, Uchibe & Doya (2018); Ramachandran, Zoph & Le (2017) as Swish.

    >>> silu([-1.0, 0.0, 1.0])
    array([-0.26894142,  0.        ,  0.73105858])
    """
    out = np.negative(x)
    np.exp(out, out=out)
    out += 1.0
    np.divide(x, out, out=out)  # x / (1 + exp(-x)): three roundings wherever exp(-x) is finite
    return _left_tail(x, out, lambda xd: xd * np.exp(xd + 64.0))


@elementwise
def silu_grad(x):
    r"""Derivative of SiLU.

    .. math:: \operatorname{silu}'(x) = \sigma(x)\bigl(1 + x\,\sigma(-x)\bigr)

    With :math:`e = e^{-|x|}` this is :math:`(1 + e(1+x))/(1+e)^2` for :math:`x \ge 0` and
    :math:`e\,((1 + x) + e)/(1+e)^2` for :math:`x < 0`. The factor :math:`(1+x) + e` vanishes
    at :math:`x_0 \approx -1.27846`; :math:`1 + x` is exact there, and within
    :math:`(-1.6, -1.0)` the value is :math:`(x - x_0)\,g(x)` from a Chebyshev table, so the
    derivative keeps full relative precision through its zero.

    >>> silu_grad([-1.0, 0.0, 1.0])
    array([0.07232949, 0.5       , 0.92767051])
    """
    return _silu_grad(x)


@elementwise
def swish(x, beta: float = 1.0):
    r"""Swish: :math:`x\,\sigma(\beta x)`; :math:`\beta = 1` is SiLU, :math:`\beta \to \infty` ReLU.

    .. math:: \operatorname{swish}'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)

    :math:`\beta` is fixed here (learnable in the paper). :math:`\beta x` is carried as a
    double-double so the left tail is not spoiled by its rounding.

    Paper: Ramachandran, Zoph & Le, "Searching for activation functions" (2017).

    >>> swish([-1.0, 1.0], beta=2.0)
    array([-0.11920292,  0.88079708])
    """
    _check_beta("swish", beta)
    if beta == 1.0:
        return silu.__wrapped__(x)
    zh, zl = _scaled_argument(x, beta)
    out = x * _sigmoid_dd(zh, zl)
    deep = zh < DEEP_TAIL
    if deep.any():
        out[deep] = (x[deep] * np.exp(zh[deep] + 64.0) * (1.0 + zl[deep])) * EXP_M64
    out[x == -np.inf] = -0.0
    return out


@elementwise
def swish_grad(x, beta: float = 1.0):
    r"""Derivative of Swish: :math:`\operatorname{silu}'(\beta x)` (the factors of :math:`\beta` cancel).

    For :math:`\beta \ne 1` the rounding of :math:`\beta x` is corrected to first order with
    :math:`\operatorname{silu}''`.

    >>> swish_grad([0.0, 1.0], beta=2.0)
    array([0.5       , 1.09078425])
    """
    _check_beta("swish_grad", beta)
    zh, zl = _scaled_argument(x, beta)
    out = _silu_grad(zh)
    if zl is None:
        return out
    s, sm = _sigmoid(zh), _sigmoid(-zh)
    second = s * sm * (2.0 + np.clip(zh, -800.0, 800.0) * (sm - s))  # silu''(z); zl = 0 beyond 800
    return out + zl * second


# --- Hard-Swish ----------------------------------------------------------------------------

@elementwise
def hard_swish(x):
    r"""Hard-Swish: :math:`x\,\operatorname{relu6}(x + 3)/6`, a piecewise-quadratic Swish.

    .. math:: \operatorname{hard\_swish}(x) = \begin{cases} 0 & x \le -3 \\ x(x+3)/6 & -3 < x < 3 \\ x & x \ge 3\end{cases}

    Paper: Howard et al., "Searching for MobileNetV3" (2019).

    >>> hard_swish([-4.0, -1.5, 1.0, 4.0])
    array([ 0.        , -0.375     ,  0.66666667,  4.        ])
    """
    return np.where(x >= 3.0, x, np.where(x > -3.0, x * (x + 3.0) / 6.0, -0.0 * np.sign(x)))


@elementwise
def hard_swish_grad(x):
    r"""Derivative of Hard-Swish: 0 for :math:`x < -3`, :math:`(2x + 3)/6` on :math:`[-3, 3]`,
    1 for :math:`x > 3`.

    Convention (PyTorch up to 2.6): the middle formula is used on the **closed** interval, so
    :math:`\operatorname{hard\_swish}'(-3) = -1/2` and :math:`\operatorname{hard\_swish}'(3) = 3/2`
    (the function has corners there; this takes the inner one-sided slope). PyTorch 2.13 takes
    the outer ones, 0 and 1 (``tests/frameworks`` pins both).

    >>> hard_swish_grad([-4.0, -3.0, 0.0, 3.0, 4.0])
    array([ 0. , -0.5,  0.5,  1.5,  1. ])
    """
    mid = (2.0 * x + 3.0) / 6.0
    return propagate_nan(np.where(x > 3.0, 1.0, np.where(x >= -3.0, mid, 0.0)), x)


# --- GELU ----------------------------------------------------------------------------------

def _half_square_exp(a: np.ndarray):
    """``(E, deep)`` with :math:`E = e^{-a^2/2}` from the exact square ``a*a = h + l``.

    Where ``E`` would be subnormal (``deep``) it is returned multiplied by :math:`e^{64}`;
    the caller multiplies by ``EXP_M64`` last. ``a`` must be at most 40.
    """
    h, l = two_prod(a, a)
    arg = -0.5 * h
    deep = arg < DEEP_TAIL
    return np.exp(np.where(deep, arg + 64.0, arg)) * (1.0 - 0.5 * l), deep


@elementwise
def gelu(x, approximate: str = "none"):
    r"""Gaussian error linear unit.

    .. math:: \operatorname{gelu}(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \operatorname{erf}\frac{x}{\sqrt 2}\Bigr)

    ``approximate="tanh"`` gives the tanh form of Hendrycks & Gimpel (also BERT/GPT-2's):

    .. math:: \frac{x}{2}\Bigl(1 + \tanh\Bigl(\sqrt{2/\pi}\,(x + 0.044715x^3)\Bigr)\Bigr)

    Exact form: for :math:`x \ge 0`, :math:`x\,\Phi(x)` with ``scipy.special.ndtr`` (whose
    error is far below an ulp of :math:`\Phi(x) \ge 1/2`). For :math:`x < 0` ``erfc`` loses up
    to hundreds of ULP in the tail, so with :math:`a = -x`,
    :math:`\operatorname{gelu}(x) = -G(a)\,e^{-a^2/2}` where :math:`G(a) = a\,\Phi(-a)e^{a^2/2}`
    comes from a Chebyshev table and the square :math:`a^2` is formed exactly.
    Tanh form: :math:`1 + \tanh u = 2\sigma(2u)` and the polynomial :math:`2u` is carried in
    double-double arithmetic.

    Paper: Hendrycks & Gimpel, "Gaussian Error Linear Units" (2016).

    >>> gelu([-1.0, 0.0, 1.0])
    array([-0.15865525,  0.        ,  0.84134475])
    >>> gelu([-1.0, 1.0], approximate="tanh")
    array([-0.15880801,  0.84119199])
    """
    if approximate == "tanh":
        return _gelu_tanh(x)
    _check_approximate("gelu", approximate)
    out = x * ndtr(x)  # for x >= 0, Phi(x) >= 1/2 and scipy's error is far below an ulp of it
    out = _gaussian_left_tail(x, out, _gelu_neg_scaled)
    return np.maximum(out, GELU_MIN, out=out)  # rounding near the minimum must not undershoot it


#: min gelu = gelu(-0.7517915246935645) = -0.169971207479903661..., rounded to the nearest double
GELU_MIN = -0.16997120747990366


def _gelu_neg_scaled(a: np.ndarray) -> np.ndarray:
    """-G(a) = -a Phi(-a) e^{a^2/2}: from the G table, or a K(a) below a = 0.25."""
    g = piecewise_cheb(np.maximum(a, 0.25), _tables.GELU_NEG_SCALED)
    small = a < 0.25
    if small.any():
        g[small] = a[small] * piecewise_cheb(a[small], _tables.NORMAL_TAIL_SCALED)
    return np.negative(g, out=g)


def _gelu_grad_neg_scaled(a: np.ndarray) -> np.ndarray:
    """D(a) = Phi(-a) e^{a^2/2} - a/sqrt(2 pi) (the root window overrides 0.25 < a < 1.6)."""
    return piecewise_cheb(np.where((a > 0.25) & (a < 1.5), 0.0, a), _tables.GELU_GRAD_NEG_SCALED)


def _gaussian_left_tail(x: np.ndarray, out: np.ndarray, scaled) -> np.ndarray:
    """Overwrite ``out`` for ``x < 0`` with ``scaled(a) * exp(-a**2/2)``, ``a = -x``.

    ``a*a`` is formed exactly; where the exponential is subnormal it is scaled by e^64 and
    the product multiplied by ``EXP_M64`` last; beyond ``a = 40`` the result is -0.
    """
    neg = x < 0
    if neg.any():
        a = np.minimum(-x[neg], 40.0)
        e, deep = _half_square_exp(a)
        v = scaled(a)
        v *= e
        v[deep] *= EXP_M64
        v[a >= 40.0] = -0.0  # Phi(-40) < 1e-348
        out[neg] = v
    return out


@elementwise
def gelu_grad(x, approximate: str = "none"):
    r"""Derivative of GELU.

    .. math:: \operatorname{gelu}'(x) = \Phi(x) + x\,\varphi(x)

    For :math:`x < 0` this is :math:`D(a)\,e^{-a^2/2}` with :math:`a = -x` and
    :math:`D(a) = K(a) - a/\sqrt{2\pi}` tabulated. It vanishes at
    :math:`x_0 \approx -0.75179`, where the two terms cancel; near it
    (:math:`-1.6 < x < -0.25`) the value is :math:`(x - x_0)\,g(x)` from a Chebyshev table.
    For the tanh form, :math:`\sigma(z) + x\,\sigma(z)\sigma(-z)\,z'` with
    :math:`z = 2\sqrt{2/\pi}(x + 0.044715x^3)`, with the same treatment of its root.

    >>> gelu_grad([-1.0, 0.0, 1.0])
    array([-0.08331547,  0.5       ,  1.08331547])
    >>> gelu_grad([-1.0, 1.0], approximate="tanh")
    array([-0.08296408,  1.08296408])
    """
    if approximate == "tanh":
        return _gelu_tanh_grad(x)
    _check_approximate("gelu_grad", approximate)
    xc = np.minimum(x, 40.0)  # beyond 40, x phi(x) < 1e-340
    phi = xc * xc
    phi *= -0.5
    np.exp(phi, out=phi)
    phi *= xc
    phi *= _INV_SQRT_2PI
    out = ndtr(x)
    out += phi  # for x >= 0 both terms are positive: no cancellation, scipy's ndtr is ample
    out = _gaussian_left_tail(x, out, _gelu_grad_neg_scaled)
    return root_window(x, out, _tables.GELU_GRAD_ROOT)


def _check_approximate(name: str, approximate: str) -> None:
    if approximate != "none":
        raise ValueError(f"{name}: approximate must be 'none' or 'tanh', got {approximate!r}")


# 2*sqrt(2/pi) and 0.044715 as double-doubles (hi + lo)
_K2_HI, _K2_LO = 1.5957691216057308, -9.96930880911092e-17
_C_HI, _C_LO = 0.044715, 2.1960211427085595e-18


def _gelu_tanh_argument(x: np.ndarray):
    """z = 2 sqrt(2/pi) x (1 + 0.044715 x^2) as a double-double (hi, lo)."""
    xc = np.clip(x, -1e5, 1e5)
    x2h, x2l = two_prod(xc, xc)
    ph, pl = two_prod(_C_HI, x2h)
    pl = pl + _C_HI * x2l + _C_LO * x2h
    qh, ql = two_sum(1.0, ph)
    ql = ql + pl
    wh, wl = two_prod(xc, qh)
    wl = wl + xc * ql
    zh, zl = two_prod(_K2_HI, wh)
    zl = zl + _K2_HI * wl + _K2_LO * wh
    return zh, np.where(np.abs(zh) < 800.0, zl, 0.0), xc


def _gelu_tanh(x):
    zh, zl, xc = _gelu_tanh_argument(x)
    out = x * _sigmoid_dd(zh, zl)
    deep = zh < DEEP_TAIL
    if deep.any():  # the clipped x: at x = -inf, -inf * 0 would be NaN; the limit is -0
        out[deep] = (xc[deep] * (np.exp(zh[deep] + 64.0) * (1.0 + zl[deep]))) * EXP_M64
    return out


def _gelu_tanh_grad(x):
    """sigma(z) + x sigma(z) sigma(-z) z', with e = exp(-|z|) as a rational function of e.

    Since x z' = 3z - 2 K2 x (K2 = 2 sqrt(2/pi)), the left branch is e B / (1 + e)^2 with
    B = (1 + e) + 3z - 2 K2 x formed in double-double arithmetic; B cancels only at the
    root, which the Chebyshev window covers.
    """
    zh, zl, xc = _gelu_tanh_argument(x)
    neg = zh < 0
    e = np.exp(-np.abs(zh)) * (1.0 - np.sign(zh) * zl)
    uh, ul = two_prod(_K2_HI, xc)
    ul = ul + _K2_LO * xc
    ph, pl = two_prod(3.0, zh)
    sh, sl = two_sum(ph, -2.0 * uh)
    x_dz_lo = sl + pl + 3.0 * zl - 2.0 * ul  # x z' = sh + x_dz_lo
    bh, bl = two_sum(1.0, e)
    big_h, big_l = two_sum(bh, sh)
    big = big_h + (big_l + bl + x_dz_lo)
    x_dz = sh + x_dz_lo
    out = np.where(neg, e * big, (1.0 + e) + e * x_dz) / _square_one_plus(e)
    deep = zh < DEEP_TAIL
    if deep.any():
        out[deep] = ((1.0 + x_dz[deep]) * (np.exp(zh[deep] + 64.0) * (1.0 + zl[deep]))) * EXP_M64
    return root_window(x, out, _tables.GELU_TANH_GRAD_ROOT)


# --- Mish ----------------------------------------------------------------------------------

@elementwise
def mish(x):
    r"""Mish: :math:`x \tanh(\operatorname{softplus}(x))`.

    With :math:`e = e^{x}` and :math:`n = e(e + 2)`, :math:`\tanh(\log(1 + e)) = n/(n + 2)`;
    for :math:`x \ge 0` the same in :math:`e = e^{-x}`:
    :math:`(1 + 2e)/(1 + 2e + 2e^2)`. No ``tanh``, ``log`` or overflow on the way.

    Smooth, non-monotonic (minimum :math:`\approx -0.3088` at :math:`x \approx -1.1924`).
    Paper: Misra, "Mish: a self regularized non-monotonic activation function" (2019).

    >>> mish([-1.0, 0.0, 1.0])
    array([-0.30340146,  0.        ,  0.86509839])
    """
    e = np.exp(-np.abs(x))
    n = e * (e + 2.0)
    neg = x * (n / (n + 2.0))
    pos = x * ((1.0 + 2.0 * e) / (1.0 + 2.0 * e + 2.0 * e * e))
    out = np.where(x >= 0, pos, neg)
    return _left_tail(x, out, lambda xd: xd * np.exp(xd + 64.0))


@elementwise
def mish_grad(x):
    r"""Derivative of Mish.

    .. math:: \operatorname{mish}'(x) = \tanh(\operatorname{sp}(x)) + x\,\sigma(x)\,\operatorname{sech}^2(\operatorname{sp}(x))

    Rational in :math:`e = e^{\mp x}`: for :math:`x < 0`,
    :math:`e\,[(e+2)(n+2) + 4x(1+e)]/(n+2)^2`; for :math:`x \ge 0`,
    :math:`[ND + 4xe^2(1+e)]/D^2` with :math:`N = 1 + 2e`, :math:`D = N + 2e^2`. Its zero
    :math:`x_0 \approx -1.19243`: the bracket is formed in double-double arithmetic, and within
    :math:`(-1.5, -0.9)` the value comes from a Chebyshev table of :math:`\operatorname{mish}'(x)/(x - x_0)`.

    >>> mish_grad([-1.0, 0.0, 1.0])
    array([0.05921676, 0.6       , 1.04903622])
    """
    e = _exp_neg_abs(x)
    num = 1.0 + 2.0 * e
    den = num + 2.0 * e * e
    out = (num * den + 4.0 * np.minimum(x, 1e300) * e * e * (1.0 + e)) / (den * den)
    neg = x < 0
    if neg.any():
        out[neg] = _mish_grad_negative(x[neg], e[neg])
    out = _left_tail(x, out, lambda xd: (1.0 + xd) * np.exp(xd + 64.0))
    return root_window(x, out, _tables.MISH_GRAD_ROOT)


def _mish_grad_negative(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """mish'(x) for x < 0 as e B / w^2, with w = e(e + 2) + 2 and
    B = (e + 2) w + 4x(1 + e) formed in double-double arithmetic (B cancels near the root)."""
    ah, al = two_sum(2.0, e)  # e + 2
    nh, nl = two_prod(e, ah)
    nl = nl + e * al  # n = e (e + 2)
    wh, wl = two_sum(2.0, nh)
    wl = wl + nl  # w = n + 2
    ph, pl = two_prod(ah, wh)
    pl = pl + ah * wl + al * wh  # P = (e + 2) w
    bh, bl = two_sum(1.0, e)
    xc = np.maximum(x, -1e300)
    qh, ql = two_prod(xc, bh)
    ql = ql + xc * bl  # Q = x (1 + e); 4Q is exact
    sh, sl = two_sum(ph, 4.0 * qh)
    big = sh + (sl + pl + 4.0 * ql)
    sq, sq_lo = two_prod(wh, wh)
    w2 = sq + (sq_lo + 2.0 * wh * wl)  # w**2 with one rounding
    return (e * big) / w2


# --- squareplus, sparse-plus, exponential ---------------------------------------------------

def _check_b(name: str, b: float) -> None:
    if not (np.isfinite(b) and b > 0):
        raise ValueError(f"{name}: b must be a finite positive number, got {b!r}")


def _root_x2_plus(x: np.ndarray, b: float) -> np.ndarray:
    """sqrt(x**2 + b): directly where x**2 cannot overflow (three roundings, halved by the
    root), with ``hypot`` (slower, overflow-free) beyond |x| = 1e150."""
    s = x * x
    s += b
    np.sqrt(s, out=s)
    huge = np.abs(x) > 1e150
    if huge.any():
        s[huge] = np.hypot(x[huge], np.sqrt(b))
    return s


@elementwise
def squareplus(x, b: float = 4.0):
    r"""Squareplus: an algebraic softplus, :math:`\bigl(x + \sqrt{x^2 + b}\bigr)/2`.

    Default :math:`b = 4` (Keras 3). For :math:`x < 0` evaluated as
    :math:`(b/4) / \bigl(\tfrac{s}{2} - \tfrac{x}{2}\bigr)` with :math:`s = \operatorname{hypot}(x, \sqrt b)`,
    which neither cancels nor overflows. Paper: Barron (2021).

    >>> squareplus([-1e6, 0.0, 3.0])
    array([1.e-06, 1.e+00, 4.e+00])
    """
    _check_b("squareplus", b)
    s = _root_x2_plus(x, b)
    return np.where(x >= 0, 0.5 * x + 0.5 * s, (0.25 * b) / (0.5 * s - 0.5 * x))


@elementwise
def squareplus_grad(x, b: float = 4.0):
    r"""Derivative of squareplus: :math:`\bigl(1 + x/\sqrt{x^2 + b}\bigr)/2`.

    For :math:`x < 0`: :math:`\bigl((b/4)/s\bigr) / \bigl(\tfrac{s}{2} - \tfrac{x}{2}\bigr)`, no cancellation.

    >>> squareplus_grad([0.0, 1e6])
    array([0.5, 1. ])
    """
    _check_b("squareplus_grad", b)
    s = np.hypot(x, np.sqrt(b))  # hypot's single rounding: s enters the left branch twice
    ratio = np.where(np.isinf(x), 1.0, x / s)  # x / s -> 1 (inf / inf is NaN)
    return np.where(x >= 0, 0.5 + 0.5 * ratio, ((0.25 * b) / s) / (0.5 * s - 0.5 * x))


@elementwise
def sparse_plus(x):
    r"""Sparse-plus: 0 for :math:`x \le -1`, :math:`(x + 1)^2/4` on :math:`(-1, 1)`, :math:`x` for :math:`x \ge 1`.

    A :math:`C^1` piecewise-quadratic softplus with exact zeros (JAX, Keras 3).
    Paper: Martins et al., "Sparse continuous distributions and Fenchel-Young losses" (2022).

    >>> sparse_plus([-2.0, 0.0, 2.0])
    array([0.  , 0.25, 2.  ])
    """
    return propagate_nan(np.where(x >= 1.0, x, np.where(x > -1.0, 0.25 * (x + 1.0) * (x + 1.0), 0.0)), x)


@elementwise
def sparse_plus_grad(x):
    r"""Derivative of sparse-plus: 0, :math:`(x+1)/2`, 1 (continuous, so no kink convention).

    >>> sparse_plus_grad([-2.0, 0.0, 2.0])
    array([0. , 0.5, 1. ])
    """
    return propagate_nan(np.where(x >= 1.0, 1.0, np.where(x > -1.0, 0.5 * (x + 1.0), 0.0)), x)


@elementwise
def exponential(x):
    r"""The exponential :math:`e^x` (Keras ``exponential``); its own derivative.

    Overflows to ``inf`` for :math:`x > 709.78` (the correctly rounded result), silently.

    >>> exponential([0.0, 1.0])
    array([1.        , 2.71828183])
    """
    return np.exp(x)


@elementwise
def exponential_grad(x):
    r"""Derivative of the exponential: :math:`e^x`.

    >>> exponential_grad([0.0])
    array([1.])
    """
    return np.exp(x)
