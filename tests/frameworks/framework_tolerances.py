"""How close the frameworks' float64 results are to the library's, and why not closer.

The library is within 4 ULP of the exact result everywhere (``tests/test_accuracy.py``). The
frameworks evaluate textbook formulas, exact to a few ULP for most activations and inputs but
not all: ``1 - y*y`` for tanh' cancels, ``1/(1 + exp(-x))`` underflows to 0 where the exact
sigmoid is a subnormal number, and so on. The default agreement is 4 ULP of the library's
result; every looser case is a :class:`Looser` entry saying which formula loses what, and
``test_framework_values.py::test_looser_tolerance_is_the_frameworks_error`` checks with mpmath,
at every point where the two disagree by more than 4 ULP, that the library is the accurate one.

Not compared: the derivative at NaN (autograd's piecewise backward formulas return a branch's
slope there, the library returns NaN) and at the kinks (``test_framework_kinks.py`` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ULPS = 4
EPS = 2.0**-52  #: float64 machine epsilon
TINY = 2.0**-1022  #: smallest normal float64
MAX = float(np.finfo(np.float64).max)
SQRT_MAX = float(np.sqrt(MAX))


def cancellation(x):
    """Absolute error eps·|x| (at least eps, at most 64·eps): a difference that nearly cancels,
    scaled by x. The cap: the cancelling terms (1 - sigmoid, 1 - tanh², 1 + erf) are exactly 0
    beyond |x| ≈ 40, where the error is the exact term itself, below eps."""
    return EPS * np.clip(np.abs(x), 1.0, 64.0)


def tanh_form_cancellation(x):
    """Absolute error eps·(1 + |x|·(1 + 3·0.044715·x²)), at most 256·eps: 1 - tanh²(u) (error eps)
    times x·u'(x) in the derivative of GELU's tanh form; 1 - tanh² is exactly 0 beyond |x| ≈ 10."""
    ax = np.abs(x)
    return EPS * np.minimum(1.0 + ax * (1.0 + 3 * 0.044715 * ax * ax), 256.0)


def cancellation_unbounded(x):
    """Absolute error eps·max(1, |x|) at every x: x + sqrt(x² + b) for x < 0 cancels at any size."""
    return EPS * np.maximum(1.0, np.abs(x))


def underflow(x):
    """Absolute error up to max(1, |x|)·2^-1022: a factor that underflows to 0 (or to a subnormal)."""
    return TINY * np.maximum(1.0, np.abs(x))


def cancellation_or_underflow(x):
    return cancellation(x) + underflow(x)


def amplified(x):
    """Relative error |x|·eps: a rounding error in the argument of exp, amplified by |x|."""
    return EPS * np.maximum(1.0, np.abs(x))


def float32_slope(x):
    """Relative error 2^-24 of a slope of 1/6 stored as a float32 constant: 1/6·2^-24."""
    return np.full_like(np.asarray(x, dtype=float), 2.0**-24 / 6.0)


def softplus_threshold(x):
    """Above ``beta*x > threshold = 20`` PyTorch returns x: off by log1p(exp(-beta x))/beta < exp(-20)."""
    return np.full_like(np.asarray(x, dtype=float), np.exp(-20.0))


@dataclass(frozen=True)
class Looser:
    """Where a framework's float64 result may differ from the library's by more than 4 ULP."""

    why: str
    atol: object = None  #: extra absolute tolerance at x, a function of x
    rtol: object = None  #: extra tolerance relative to the library's result, a function of x
    nan_at: tuple = ()  #: infinite inputs where the framework returns NaN (the library: the limit)
    overflow: object = None  #: where the framework's formula overflows and its result is wrong (a mask of x)


_SIGMOID_GRAD = Looser(
    "y·(1 - y) with y = sigmoid(x) rounded: 1 - y cancels for large x (0 beyond x ≈ 37) and y "
    "underflows below x ≈ -709.78", cancellation_or_underflow)
_SILU = Looser("x·sigmoid(x): sigmoid underflows to 0 below x ≈ -709.78 (the exact value is a tiny "
               "normal or subnormal number); x·sigmoid(x) at -inf is -inf·0 = NaN", underflow, nan_at=(-np.inf,))
_SILU_GRAD = Looser("sigmoid(x)·(1 + x·(1 - sigmoid(x))): 1 - sigmoid(x) cancels (absolute error ~|x|·eps) "
                    "and sigmoid underflows; inf·0 at ±inf", cancellation_or_underflow, nan_at=(-np.inf, np.inf))
_GELU = Looser("x/2·(1 + erf(x/√2)): 1 + erf cancels for x < 0 (0 below x ≈ -8.3, absolute error ~|x|·eps); "
               "-inf·0 at -inf", cancellation, nan_at=(-np.inf,))
_GELU_GRAD = Looser("Φ(x) + x·φ(x) with Φ = (1 + erf(x/√2))/2: the same cancellation; inf·0 at ±inf",
                    cancellation, nan_at=(-np.inf, np.inf))
_MISH = Looser("x·tanh(softplus(x)): below x ≈ -708 the result is subnormal and loses its digits; "
               "-inf·0 at -inf", underflow, nan_at=(-np.inf,))
_MISH_GRAD = Looser("autograd through tanh(softplus(x)): 1 - tanh² cancels (absolute error ~|x|·eps), "
                    "subnormal results lose digits; inf·0 at ±inf", cancellation_or_underflow,
                    nan_at=(-np.inf, np.inf))
_CELU = Looser("elu(x, input_scale=1/alpha): exp(x·(1/alpha)) with 1/alpha rounded, an error that exp "
               "amplifies to |x/alpha|·eps relative (alpha = 2.5 here; exact for alpha = 1)", rtol=amplified)
_TANH_GRAD = Looser("1 - y² with y = tanh(x) rounded: cancels for |x| > 1 (0 instead of sech² x beyond |x| ≈ 19)",
                    cancellation)
_SOFTSIGN = Looser("x / (1 + |x|) at ±inf is inf/inf = NaN", nan_at=(-np.inf, np.inf))
_SOFTSIGN_GRAD = Looser("autograd of x / (1 + |x|): 1/(1 + |x|) - |x|/(1 + |x|)² cancels; NaN at ±inf",
                        cancellation, nan_at=(-np.inf, np.inf))
_HARD_SIGMOID_GRAD = Looser("hardsigmoid_backward multiplies by the float32 constant 1.0f/6 even in float64 "
                            "(1/6 rounded to 24 bits)", float32_slope)
_SOFTPLUS = Looser("nn.Softplus returns x (derivative 1) once beta·x > threshold = 20: off by "
                   "log1p(exp(-beta·x))/beta < exp(-20)", softplus_threshold)
_HARD_SWISH = Looser("x·relu6(x + 3)/6 computes x·6 first, which overflows for x > max/6 ≈ 3e307; "
                     "-inf·0 at -inf", overflow=lambda x: x > MAX / 6, nan_at=(-np.inf,))
_HARD_SWISH_GRAD = Looser("x/3 + 1/2 cancels near its root x = -3/2 (absolute error ~eps)", cancellation)
_TANHSHRINK = Looser("x - tanh(x) cancels for small |x| (0 below |x| ≈ 1e-8, absolute error ~eps)", cancellation)
_TANHSHRINK_GRAD = Looser("autograd of x - tanh(x): 1 - (1 - tanh² x) cancels (absolute error ~eps)", cancellation)

#: (activation, "value" or "grad") -> Looser, for PyTorch 2.13's float64 CPU kernels
TORCH = {
    ("sigmoid", "value"): Looser("1/(1 + exp(-x)): exp(-x) overflows below x ≈ -709.78 and the result "
                                 "is 0 where the exact sigmoid is subnormal", underflow),
    ("sigmoid", "grad"): _SIGMOID_GRAD,
    ("celu", "grad", "alpha=2.5"): _CELU,
    ("gelu", "value", "approximate=tanh"): Looser(
        "x/2·(1 + tanh(u)): 1 + tanh(u) cancels for x < 0 (0 below x ≈ -20, absolute error ~|x|·eps); "
        "-inf·0 at -inf", cancellation, nan_at=(-np.inf,)),
    ("gelu", "grad", "approximate=tanh"): Looser(
        "autograd of x/2·(1 + tanh(√(2/π)(x + 0.044715x³))): 1 + tanh cancels as in the value, the x² "
        "terms overflow for |x| > 1.4e154 (NaN for x < 0, 0 for x > 0), inf·0 at ±inf", tanh_form_cancellation,
        overflow=lambda x: np.abs(x) > 1.4e154, nan_at=(-np.inf, np.inf)),
    ("tanh", "grad"): _TANH_GRAD,
    ("softsign", "value"): _SOFTSIGN,
    ("softsign", "grad"): _SOFTSIGN_GRAD,
    ("hard_sigmoid", "grad"): _HARD_SIGMOID_GRAD,
    ("softplus", "value"): _SOFTPLUS,
    ("softplus", "grad"): _SOFTPLUS,
    ("silu", "value"): _SILU,
    ("silu", "grad"): _SILU_GRAD,
    ("hard_swish", "value"): _HARD_SWISH,
    ("hard_swish", "grad"): _HARD_SWISH_GRAD,
    ("gelu", "value"): _GELU,
    ("gelu", "grad"): _GELU_GRAD,
    ("mish", "value"): _MISH,
    ("mish", "grad"): _MISH_GRAD,
    ("tanhshrink", "value"): _TANHSHRINK,
    ("tanhshrink", "grad"): _TANHSHRINK_GRAD,
}

_SQUAREPLUS = Looser("(x + sqrt(x² + b))/2: cancels for x < 0 (absolute error ~|x|·eps), and x² overflows "
                     "for |x| > 1.3e154 (inf instead of x or of about -b/(4x))", cancellation_unbounded,
                     overflow=lambda x: np.abs(x) > SQRT_MAX, nan_at=(-np.inf,))
_SQUAREPLUS_GRAD = Looser("autograd of sqrt(x² + b): x² overflows for |x| > 1.3e154, where the derivative "
                          "comes out 1/2 (NaN at ±1.7e308 and ±inf)", cancellation_unbounded,
                          overflow=lambda x: np.abs(x) > SQRT_MAX, nan_at=(-np.inf, np.inf))

#: the same for Keras 3's ``keras.activations`` on the torch backend, which calls the same PyTorch
#: kernels for every activation PyTorch has (so the same entries), plus its own formulas
KERAS = {
    **TORCH,
    ("swish", "value"): _SILU,
    ("swish", "grad"): _SILU_GRAD,
    ("squareplus", "value"): _SQUAREPLUS,
    ("squareplus", "grad"): _SQUAREPLUS_GRAD,
    ("sparse_plus", "grad"): Looser("autograd through its where(): (x + 1)²'s gradient overflows at the "
                                    "largest |x| (NaN)", overflow=lambda x: np.abs(x) > MAX / 2, nan_at=(-np.inf, np.inf)),
}

_NONE = Looser("")


def looser(table: dict, name: str, which: str, variant: str = "") -> Looser:
    """The entry for a variant ("approximate=tanh") if there is one, else for the activation."""
    return table.get((name, which, variant)) or table.get((name, which), _NONE)


def within(lib, got, x, loose: Looser) -> np.ndarray:
    """Where ``got`` (the framework's) is within 4 ULP of ``lib`` plus the documented looseness."""
    lib, got, x = (np.asarray(v, dtype=np.float64) for v in (lib, got, x))
    with np.errstate(invalid="ignore", over="ignore"):
        tol = ULPS * np.spacing(np.abs(lib))
        if loose.atol is not None:
            tol = tol + loose.atol(x)
        if loose.rtol is not None:
            tol = tol + loose.rtol(x) * np.abs(lib)
        close = np.abs(lib - got) <= tol
    return close | (lib == got) | (np.isnan(lib) & np.isnan(got))
