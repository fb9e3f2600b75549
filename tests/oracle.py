"""High-precision oracles (mpmath) for every elementwise activation and its derivative.

Written from the mathematical definitions, independently of ``course_lib``: where a
definition cancels or overflows even in extended precision, a *mathematical identity*
is used instead (noted inline), never the library's floating-point re-arrangement.
Kink conventions are those documented by the library (PyTorch autograd's).
"""

from __future__ import annotations

import mpmath as mp

PREC = 192  # bits; raised automatically by `evaluate` where the result does not settle


def _sig(x):
    return 1 / (1 + mp.exp(-x))


def _sech2(x):
    return 1 / mp.cosh(x) ** 2


def _selu_constants():
    """SELU's alpha and lambda from their closed forms (Klambauer et al. 2017, eq. 14)."""
    e = mp.e
    ec = mp.erfc(1 / mp.sqrt(2))
    alpha = -mp.sqrt(2 / mp.pi) / (ec * mp.exp(mp.mpf(1) / 2) - 1)
    lam = (1 - ec * mp.sqrt(e)) * mp.sqrt(2 * mp.pi) * (
        2 * mp.erfc(mp.sqrt(2)) * e**2 + mp.pi * ec**2 * e - 2 * (2 + mp.pi) * ec * mp.sqrt(e) + mp.pi + 2
    ) ** (-mp.mpf(1) / 2)
    return alpha, lam


def _clip(x, lo, hi):
    return min(max(x, lo), hi)


def _hard_sigmoid(x, variant="pytorch"):
    if variant == "pytorch":
        return _clip(x / 6 + mp.mpf(1) / 2, 0, 1)
    return _clip(x / 5 + mp.mpf(1) / 2, 0, 1)


def _hard_sigmoid_grad(x, variant="pytorch"):
    if variant == "pytorch":
        return mp.mpf(1) / 6 if -3 < x < 3 else mp.mpf(0)
    return mp.mpf(1) / 5 if -2.5 <= x <= 2.5 else mp.mpf(0)


def _ncdf(x):
    """Phi(x); for |x| > 1e8 from the asymptotic Mills ratio (mpmath's erfc overflows there)."""
    if x > 1e8:
        return 1 - _ncdf(-x)
    if x < -1e8:
        a = -x
        return mp.npdf(a) / a * (1 - 1 / a**2 + 3 / a**4)
    return mp.ncdf(x)


def _gelu_grad(x):
    if x < -1e8:  # Phi(x) + x phi(x) = phi(a) (M(a) - a), a = -x, with M the Mills ratio
        a = -x
        return mp.npdf(a) * (1 / a - 1 / a**3 + 3 / a**5 - a)
    return _ncdf(x) + x * mp.npdf(x)


def _gelu_tanh(x):
    # 1 + tanh(u) = 2 sigma(2u): the left form is 0 to any working precision for u << 0.
    u = mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)
    return x * _sig(2 * u)


def _gelu_tanh_grad(x):
    c = mp.mpf("0.044715")
    k = mp.sqrt(2 / mp.pi)
    z = 2 * k * (x + c * x**3)
    dz = 2 * k * (1 + 3 * c * x * x)
    return _sig(z) + x * _sig(z) * _sig(-z) * dz


def _tanhshrink(x):
    if abs(x) < mp.mpf("1e-4"):  # series: x - tanh x = x^3/3 - 2x^5/15 + 17x^7/315 - ...
        return x**3 / 3 - 2 * x**5 / 15 + 17 * x**7 / 315 - 62 * x**9 / 2835
    return x - mp.tanh(x)


def _squareplus(x, b=4.0):
    b = mp.mpf(b)
    s = mp.sqrt(x * x + b)
    # for x < 0, (x + s)/2 = b / (2 (s - x)) avoids cancellation at any precision
    return (x + s) / 2 if x >= 0 else b / (2 * (s - x))


def _squareplus_grad(x, b=4.0):
    b = mp.mpf(b)
    s = mp.sqrt(x * x + b)
    return (1 + x / s) / 2 if x >= 0 else b / (2 * s * (s - x))


def _mish(x):
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def _mish_grad(x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x * _sig(x) * _sech2(sp)


def _mpf(v):
    return mp.mpf(float(v)) if not isinstance(v, str) else v


SELU_ALPHA, SELU_SCALE = None, None


def _selu(x):
    a, l = _selu_constants()
    return l * (x if x > 0 else a * mp.expm1(x))


def _selu_grad(x):
    a, l = _selu_constants()
    return l if x > 0 else l * a * mp.exp(x)


# name -> (f, f'), each taking an mpf and the activation's parameters (floats as passed)
ORACLE = {
    "identity": (lambda x: x, lambda x: mp.mpf(1)),
    "sigmoid": (_sig, lambda x: _sig(x) * _sig(-x)),
    "tanh": (mp.tanh, _sech2),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_grad),
    "hard_tanh": (
        lambda x, min_val=-1.0, max_val=1.0: _clip(x, _mpf(min_val), _mpf(max_val)),
        lambda x, min_val=-1.0, max_val=1.0: mp.mpf(1) if min_val < x < max_val else mp.mpf(0),
    ),
    "relu": (lambda x: max(x, 0), lambda x: mp.mpf(1) if x > 0 else mp.mpf(0)),
    "leaky_relu": (
        lambda x, negative_slope=0.01: x if x > 0 else _mpf(negative_slope) * x,
        lambda x, negative_slope=0.01: mp.mpf(1) if x > 0 else _mpf(negative_slope),
    ),
    "prelu": (
        lambda x, alpha=0.25: x if x > 0 else _mpf(alpha) * x,
        lambda x, alpha=0.25: mp.mpf(1) if x > 0 else _mpf(alpha),
    ),
    "rrelu": (
        lambda x, lower=0.125, upper=1 / 3: x if x > 0 else (_mpf(lower) + _mpf(upper)) / 2 * x,
        lambda x, lower=0.125, upper=1 / 3: mp.mpf(1) if x > 0 else (_mpf(lower) + _mpf(upper)) / 2,
    ),
    "relu6": (lambda x: _clip(x, 0, 6), lambda x: mp.mpf(1) if 0 < x < 6 else mp.mpf(0)),
    "leaky_relu6": (
        lambda x, negative_slope=0.01: _mpf(negative_slope) * x if x < 0 else min(x, 6),
        lambda x, negative_slope=0.01: _mpf(negative_slope) if x <= 0 else (mp.mpf(1) if x < 6 else mp.mpf(0)),
    ),
    "elu": (
        lambda x, alpha=1.0: x if x > 0 else _mpf(alpha) * mp.expm1(x),
        lambda x, alpha=1.0: mp.mpf(1) if x > 0 else _mpf(alpha) * mp.exp(x),
    ),
    "selu": (_selu, _selu_grad),
    "celu": (
        lambda x, alpha=1.0: x if x > 0 else _mpf(alpha) * mp.expm1(x / _mpf(alpha)),
        lambda x, alpha=1.0: mp.mpf(1) if x > 0 else mp.exp(x / _mpf(alpha)),
    ),
    "softplus": (
        lambda x, beta=1.0: mp.log1p(mp.exp(_mpf(beta) * x)) / _mpf(beta),
        lambda x, beta=1.0: _sig(_mpf(beta) * x),
    ),
    "log_sigmoid": (lambda x: -mp.log1p(mp.exp(-x)), lambda x: _sig(-x)),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * _sig(-x))),
    "swish": (
        lambda x, beta=1.0: x * _sig(_mpf(beta) * x),
        lambda x, beta=1.0: _sig(_mpf(beta) * x) * (1 + _mpf(beta) * x * _sig(-_mpf(beta) * x)),
    ),
    "hard_swish": (
        lambda x: mp.mpf(0) if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
        lambda x: mp.mpf(0) if x < -3 else (mp.mpf(1) if x > 3 else (2 * x + 3) / 6),
    ),
    "gelu": (
        lambda x, approximate="none": x * _ncdf(x) if approximate == "none" else _gelu_tanh(x),
        lambda x, approximate="none": _gelu_grad(x) if approximate == "none" else _gelu_tanh_grad(x),
    ),
    "mish": (_mish, _mish_grad),
    "squareplus": (_squareplus, _squareplus_grad),
    "sparse_plus": (
        lambda x: mp.mpf(0) if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4),
        lambda x: mp.mpf(0) if x <= -1 else (mp.mpf(1) if x >= 1 else (x + 1) / 2),
    ),
    "exponential": (mp.exp, mp.exp),
    "tanhshrink": (_tanhshrink, lambda x: mp.tanh(x) ** 2),
    "softshrink": (
        lambda x, lambd=0.5: x - _mpf(lambd) if x > lambd else (x + _mpf(lambd) if x < -lambd else mp.mpf(0)),
        lambda x, lambd=0.5: mp.mpf(1) if abs(x) > lambd else mp.mpf(0),
    ),
    "hardshrink": (
        lambda x, lambd=0.5: x if abs(x) > lambd else mp.mpf(0),
        lambda x, lambd=0.5: mp.mpf(1) if abs(x) > lambd else mp.mpf(0),
    ),
    "threshold": (
        lambda x, threshold=1.0, value=0.0: x if x > threshold else _mpf(value),
        lambda x, threshold=1.0, value=0.0: mp.mpf(1) if x > threshold else mp.mpf(0),
    ),
}


def evaluate(f, x: float, **params):
    """f(x) in mpmath, raising the precision until two evaluations agree to 2**-80."""
    prev = None
    for prec in (PREC, 2 * PREC, 8 * PREC, 32 * PREC):
        with mp.workprec(prec):
            v = f(mp.mpf(x), **params)
            v = mp.mpf(v)
        if prev is not None and (v == prev or abs(v - prev) <= abs(v) * mp.mpf(2) ** -80):
            return v
        tiny, huge = mp.mpf(2) ** -1200, mp.mpf(2) ** 1100
        if prev is not None and ((abs(v) < tiny and abs(prev) < tiny) or (abs(v) > huge and abs(prev) > huge)):
            return v  # both round to 0 (or overflow) in every format we test
        prev = v
    raise RuntimeError(f"oracle did not settle at x = {x!r}")
