r"""Weight initialisers: Glorot/Xavier, He/Kaiming and LeCun, each normal and uniform.

Every initialiser has the signature ``init(fan_in, fan_out, rng, gain=1.0)`` and returns a
``(fan_in, fan_out)`` float64 array (our :class:`~course_lib.nn.layers.Dense` computes
``x @ W + b``). The variance each one aims for:

=============  ===============================  ===========================
initialiser    :math:`\operatorname{Var}(W)`     designed for
=============  ===============================  ===========================
Glorot/Xavier  :math:`2 / (n_\text{in} + n_\text{out})`   tanh, sigmoid (Glorot & Bengio, 2010)
He/Kaiming     :math:`2 / n_\text{in}`           ReLU and relatives (He et al., 2015)
LeCun          :math:`1 / n_\text{in}`           SELU (LeCun et al., 1998; Klambauer et al., 2017)
=============  ===============================  ===========================

A uniform distribution on :math:`[-a, a]` has variance :math:`a^2/3`, so the uniform
variants use :math:`a = \sqrt{3 \operatorname{Var}}`. The normal variants are plain
(untruncated) normals. Randomness comes only from the ``rng`` argument
(``np.random.default_rng(seed)``), never from global state.

:func:`torch_kaiming_normal` reproduces PyTorch's ``kaiming_normal_`` including its gain
table, so the book can show the SELU pitfall: ``nonlinearity='selu'`` gives gain 3/4, i.e.
:math:`\operatorname{Var}(W) = 0.5625 / n_\text{in}`, not LeCun's :math:`1 / n_\text{in}`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
    "calculate_gain", "torch_kaiming_normal", "INITIALISERS", "get_init", "matching_init",
    "activation_moments", "variance_gain", "backward_gain", "selu_moment_map",
]


def _check(fan_in: int, fan_out: int, rng) -> None:
    if not (isinstance(fan_in, (int, np.integer)) and isinstance(fan_out, (int, np.integer))):
        raise TypeError(f"fan_in and fan_out must be integers, got {fan_in!r} and {fan_out!r}")
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be positive, got {fan_in} and {fan_out}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator, e.g. np.random.default_rng(0)")


def _normal(std: float, fan_in: int, fan_out: int, rng) -> np.ndarray:
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def _uniform(std: float, fan_in: int, fan_out: int, rng) -> np.ndarray:
    limit = math.sqrt(3.0) * std
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_normal(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""Glorot/Xavier normal: :math:`\sigma = g\sqrt{2 / (n_\text{in} + n_\text{out})}`."""
    _check(fan_in, fan_out, rng)
    return _normal(gain * math.sqrt(2.0 / (fan_in + fan_out)), fan_in, fan_out, rng)


def glorot_uniform(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""Glorot/Xavier uniform on :math:`[-a, a]`, :math:`a = g\sqrt{6 / (n_\text{in} + n_\text{out})}`.

    >>> w = glorot_uniform(300, 300, np.random.default_rng(0))
    >>> w.shape, bool(np.abs(w).max() <= 0.1)
    ((300, 300), True)
    """
    _check(fan_in, fan_out, rng)
    return _uniform(gain * math.sqrt(2.0 / (fan_in + fan_out)), fan_in, fan_out, rng)


def he_normal(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""He/Kaiming normal: :math:`\sigma = g\sqrt{2 / n_\text{in}}`.

    >>> w = he_normal(1000, 1000, np.random.default_rng(0))
    >>> round(float(w.var() * 1000), 2)
    2.0
    """
    _check(fan_in, fan_out, rng)
    return _normal(gain * math.sqrt(2.0 / fan_in), fan_in, fan_out, rng)


def he_uniform(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""He/Kaiming uniform on :math:`[-a, a]`, :math:`a = g\sqrt{6 / n_\text{in}}`."""
    _check(fan_in, fan_out, rng)
    return _uniform(gain * math.sqrt(2.0 / fan_in), fan_in, fan_out, rng)


def lecun_normal(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""LeCun normal: :math:`\sigma = g\sqrt{1 / n_\text{in}}` (the initialisation SELU needs)."""
    _check(fan_in, fan_out, rng)
    return _normal(gain * math.sqrt(1.0 / fan_in), fan_in, fan_out, rng)


def lecun_uniform(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    r"""LeCun uniform on :math:`[-a, a]`, :math:`a = g\sqrt{3 / n_\text{in}}`."""
    _check(fan_in, fan_out, rng)
    return _uniform(gain * math.sqrt(1.0 / fan_in), fan_in, fan_out, rng)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's ``torch.nn.init.calculate_gain`` table, reproduced.

    >>> calculate_gain("relu"), calculate_gain("tanh"), calculate_gain("selu")
    (1.4142135623730951, 1.6666666666666667, 0.75)
    """
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def torch_kaiming_normal(fan_in: int, fan_out: int, rng, nonlinearity: str = "leaky_relu",
                         a: float = 0.0) -> np.ndarray:
    r"""PyTorch's ``kaiming_normal_(w, a, mode='fan_in', nonlinearity)``: :math:`\sigma = \text{gain} / \sqrt{n_\text{in}}`.

    With ``nonlinearity='selu'`` the gain is 3/4, so :math:`\operatorname{Var}(W) = 0.5625/n_\text{in}`;
    self-normalisation needs :math:`1/n_\text{in}` (PyTorch's own docs say to pass
    ``nonlinearity='linear'`` for SELU).

    >>> w = torch_kaiming_normal(1000, 1000, np.random.default_rng(0), nonlinearity="selu")
    >>> round(float(w.var() * 1000), 2)
    0.56
    """
    _check(fan_in, fan_out, rng)
    return _normal(calculate_gain(nonlinearity, a) / math.sqrt(fan_in), fan_in, fan_out, rng)


def _torch_selu(fan_in: int, fan_out: int, rng, gain: float = 1.0) -> np.ndarray:
    return gain * torch_kaiming_normal(fan_in, fan_out, rng, nonlinearity="selu")


#: name -> initialiser; ``"torch_kaiming_selu"`` is PyTorch's ``kaiming_normal_(nonlinearity='selu')``.
INITIALISERS = {
    "glorot_normal": glorot_normal, "glorot_uniform": glorot_uniform,
    "he_normal": he_normal, "he_uniform": he_uniform,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
    "torch_kaiming_selu": _torch_selu,
}


def get_init(name):
    """Look an initialiser up by name (a callable is returned unchanged)."""
    if callable(name):
        return name
    try:
        return INITIALISERS[name]
    except KeyError:
        raise KeyError(f"no initialiser named {name!r}; known: {', '.join(INITIALISERS)}") from None


def matching_init(activation: str) -> str:
    """The initialiser an activation was designed with: Glorot for the sigmoidal family and the
    identity, LeCun for SELU, He for everything else (rectifiers, smooth and gated units).

    >>> matching_init("tanh"), matching_init("relu"), matching_init("selu"), matching_init("gelu")
    ('glorot_normal', 'he_normal', 'lecun_normal', 'he_normal')
    """
    from ..activations import get

    act = get(activation)
    if act.name == "selu":
        return "lecun_normal"
    if act.family in ("sigmoidal", "linear"):
        return "glorot_normal"
    return "he_normal"


# ---- gains derived from the activation ------------------------------------------------------

def _expectations(name: str, mean: float, var: float, params, funcs) -> list[float]:
    r"""``E[g(z)]`` for each ``g(f, f', z)`` in ``funcs``, :math:`z \sim N(\text{mean}, \text{var})`."""
    from scipy import integrate

    from ..activations import get

    act = get(name)
    if not act.elementwise:
        raise ValueError(f"activation_moments: {name} is vector-valued; moments are defined for elementwise activations")
    if not var > 0:
        raise ValueError(f"activation_moments: var must be positive, got {var}")
    merged = {**act.params, **params}
    sd = math.sqrt(var)
    kinks = [(k - mean) / sd for k in act.kinks if abs(k - mean) / sd < 40] or None
    f = lambda z: float(act.fn(z, **merged))  # noqa: E731
    df = lambda z: float(act.grad(z, **merged))  # noqa: E731

    def expect(g):
        integrand = lambda u: g(f, df, mean + sd * u) * math.exp(-0.5 * u * u)  # noqa: E731
        return float(integrate.quad(integrand, -40.0, 40.0, points=kinks, limit=400)[0]) / math.sqrt(2.0 * math.pi)

    return [expect(g) for g in funcs]


def activation_moments(name: str, mean: float = 0.0, var: float = 1.0, **params) -> tuple[float, float, float]:
    r""":math:`E[f(z)]`, :math:`E[f(z)^2]` and :math:`E[f'(z)^2]` for :math:`z \sim N(\text{mean}, \text{var})`.

    Computed by adaptive quadrature (``scipy.integrate.quad``) against the normal density, with the
    activation's kinks as break points, from the registry's own ``f`` and ``f'``.

    >>> [round(m, 6) for m in activation_moments("relu")]
    [0.398942, 0.5, 0.5]
    """
    m1, m2, d2 = _expectations(name, mean, var, params, (lambda f, df, z: f(z), lambda f, df, z: f(z) ** 2,
                                                         lambda f, df, z: df(z) ** 2))
    return m1, m2, d2


def variance_gain(name: str, **params) -> float:
    r"""The forward gain that keeps the second moment of the pre-activations at 1.

    With weights of variance :math:`v = g^2 / n_\text{in}` and pre-activations
    :math:`z \sim N(0, 1)`, the next layer's pre-activations have variance
    :math:`n_\text{in} v\, E[f(z)^2] = g^2 E[f(z)^2]`, which is 1 for
    :math:`g = 1 / \sqrt{E[f(z)^2]}`. For positively homogeneous activations (ReLU, leaky ReLU)
    this holds at every scale, and gives PyTorch's gains; for the others it is the gain at unit
    variance.

    >>> round(variance_gain("relu"), 6), round(variance_gain("leaky_relu", negative_slope=0.2), 6)
    (1.414214, 1.386750)
    """
    return 1.0 / math.sqrt(activation_moments(name, **params)[1])


def backward_gain(name: str, **params) -> float:
    r"""The backward gain that keeps the gradients' second moment: :math:`1 / \sqrt{E[f'(z)^2]}`,
    :math:`z \sim N(0, 1)`, with weight variance :math:`g^2 / n_\text{out}`.

    >>> round(backward_gain("relu"), 6), round(backward_gain("identity"), 6)
    (1.414214, 1.0)
    """
    return 1.0 / math.sqrt(activation_moments(name, **params)[2])


def selu_moment_map(mu: float, nu: float, omega: float = 0.0, tau: float = 1.0) -> tuple[float, float]:
    r"""Klambauer et al.'s mapping :math:`g: (\mu, \nu) \mapsto (\tilde\mu, \tilde\nu)` for SELU.

    The inputs :math:`x_i` of a unit have mean :math:`\mu` and variance :math:`\nu`; its weights
    have :math:`\omega = \sum_i w_i` and :math:`\tau = \sum_i w_i^2`, so (for many independent
    inputs, by the central limit theorem) :math:`z = w^\top x \sim N(\mu\omega, \nu\tau)`. The
    unit's output :math:`\operatorname{selu}(z)` then has mean :math:`\tilde\mu = E[\operatorname{selu}(z)]`
    and variance :math:`\tilde\nu = E[\operatorname{selu}(z)^2] - \tilde\mu^2`.

    >>> [round(v, 9) for v in selu_moment_map(0.0, 1.0)]
    [0.0, 1.0]
    """
    if not (nu > 0 and tau > 0):
        raise ValueError(f"selu_moment_map: nu and tau must be positive, got nu={nu}, tau={tau}")
    m1, m2 = _expectations("selu", mu * omega, nu * tau, {}, (lambda f, df, z: f(z), lambda f, df, z: f(z) ** 2))
    return m1, m2 - m1 * m1
