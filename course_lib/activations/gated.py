r"""The gated linear units of modern transformers: ReGLU, GeGLU and SwiGLU (Shazeer, 2020).

Each splits its input into two halves :math:`a, b` along ``axis`` and returns
:math:`a \odot f(b)`: the *value* half :math:`a` passes linearly, scaled elementwise by the
*gate* :math:`f(b)`. GLU itself (Dauphin et al., 2017; :func:`~course_lib.activations.glu`)
is the case :math:`f = \sigma`; Shazeer's variants swap the sigmoid for another activation:

=========  =======================  ==========================================
name       gate :math:`f`           used in (see the book's gated chapter)
=========  =======================  ==========================================
``glu``    :math:`\sigma`           Dauphin et al.'s gated convolutional LM
``reglu``  ReLU                     --
``geglu``  GELU                     T5 v1.1
``swiglu`` Swish / SiLU             PaLM, LLaMA
=========  =======================  ==========================================

In a transformer's feed-forward block the two halves come from two projections of the same
input, :math:`\operatorname{FFN}(x) = (f(xW) \odot xV)\,W_2` in Shazeer's notation; computing
``x @ [V, W]`` and applying these functions to the result is the same thing. As with
PyTorch's ``GLU``, the *second* half is the gated one.

The backward pass (``*_vjp(x, g)``) returns the gradient for both halves, concatenated:

.. math:: \bar a = g \odot f(b), \qquad \bar b = g \odot a \odot f'(b).

Accuracy: :math:`f(b)` comes from the library's elementwise activation (a few ULP) and the
product adds one rounding, so each output is within ``f``'s error plus half an ULP wherever
:math:`f(b)` is a normal float64 number (deep in GELU's left tail, where :math:`f(b)` is
subnormal, the product keeps only the bits :math:`f(b)` has). Float32 input is computed in
float64 and rounded once.
"""

from __future__ import annotations

import numpy as np

from ._numeric import _restore, ignore_fp
from .rectifiers import relu, relu_grad
from .smooth import gelu, gelu_grad, swish, swish_grad
from .vector import _halves

__all__ = ["reglu", "reglu_vjp", "geglu", "geglu_vjp", "swiglu", "swiglu_vjp"]


def _gated(x, name, axis, gate, params):
    """``a * gate(b, **params)`` for the halves ``a, b`` of ``x`` along ``axis``."""
    _, dtype, a, b = _halves(x, name, axis)
    with ignore_fp():
        out = a * np.asarray(gate(b, **params), dtype=np.float64)
    return _restore(out, dtype, False)


def _gated_vjp(x, g, name, axis, gate, gate_grad, params):
    """The backward pass of :func:`_gated`: ``(g * gate(b), g * a * gate'(b))`` concatenated."""
    _, dtype, a, b = _halves(x, name, axis)
    g = np.asarray(g, dtype=np.float64)
    if g.shape != a.shape:
        raise ValueError(f"{name}: upstream gradient has shape {g.shape}, expected {a.shape}")
    with ignore_fp():
        fb = np.asarray(gate(b, **params), dtype=np.float64)
        dfb = np.asarray(gate_grad(b, **params), dtype=np.float64)
        out = np.concatenate([g * fb, g * a * dfb], axis=axis)
    return _restore(out, dtype, False)


def reglu(x, axis: int = -1):
    r"""ReGLU: :math:`a \odot \operatorname{relu}(b)` for the halves :math:`[a, b] = x` along ``axis``.

    The output has half the size along ``axis``. Paper: Shazeer (2020).

    >>> reglu([1.0, 2.0, -3.0, 0.5])
    array([0., 1.])
    """
    return _gated(x, "reglu", axis, relu, {})


def reglu_vjp(x, g, axis: int = -1):
    r"""Backward pass of ReGLU: :math:`(g\,\operatorname{relu}(b),\; g\,a\,\mathbb 1[b > 0])`.

    At :math:`b = 0` the gate's derivative is 0 (the library's ``relu_grad`` convention).

    >>> reglu_vjp([1.0, 2.0, -3.0, 0.5], [1.0, 1.0])
    array([0. , 0.5, 0. , 2. ])
    """
    return _gated_vjp(x, g, "reglu_vjp", axis, relu, relu_grad, {})


def geglu(x, axis: int = -1, approximate: str = "none"):
    r"""GeGLU: :math:`a \odot \operatorname{gelu}(b)` for the halves :math:`[a, b] = x` along ``axis``.

    ``approximate="tanh"`` gates with the tanh form of GELU instead of the exact
    :math:`b\,\Phi(b)`. Paper: Shazeer (2020).

    >>> geglu([2.0, 1.0])
    array([1.68268949])
    """
    return _gated(x, "geglu", axis, gelu, {"approximate": approximate})


def geglu_vjp(x, g, axis: int = -1, approximate: str = "none"):
    r"""Backward pass of GeGLU: :math:`(g\,\operatorname{gelu}(b),\; g\,a\,(\Phi(b) + b\,\varphi(b)))`.

    >>> geglu_vjp([2.0, 0.0], [1.0])
    array([0., 1.])
    """
    return _gated_vjp(x, g, "geglu_vjp", axis, gelu, gelu_grad, {"approximate": approximate})


def swiglu(x, axis: int = -1, beta: float = 1.0):
    r"""SwiGLU: :math:`a \odot \operatorname{swish}_\beta(b) = a \odot b\,\sigma(\beta b)` for the halves :math:`[a, b] = x`.

    With the default :math:`\beta = 1` the gate is SiLU, as in PaLM and LLaMA. Paper: Shazeer (2020).

    >>> swiglu([2.0, 1.0])
    array([1.46211716])
    """
    return _gated(x, "swiglu", axis, swish, {"beta": beta})


def swiglu_vjp(x, g, axis: int = -1, beta: float = 1.0):
    r"""Backward pass of SwiGLU: :math:`(g\,\operatorname{swish}_\beta(b),\; g\,a\,\operatorname{swish}_\beta'(b))`.

    >>> swiglu_vjp([2.0, 0.0], [1.0])
    array([0., 1.])
    """
    return _gated_vjp(x, g, "swiglu_vjp", axis, swish, swish_grad, {"beta": beta})
