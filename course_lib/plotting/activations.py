"""Figures of the activations themselves: f solid, f' dashed, alt text from the registry."""

from __future__ import annotations

import numpy as np

from ..activations import get
from .base import PALETTE, AccessibleFigure, _fmt, figure_html, plt


def describe_range(name: str) -> str:
    """The closure of the output range as text, e.g. ``[0, 1]`` or ``[−0.2785, ∞)``.

    Infinite ends get a parenthesis, finite ends a bracket (the registry stores closures).
    """
    a = get(name)
    lo, hi = a.output_range
    return f"{'(' if np.isinf(lo) else '['}{_fmt(lo)}, {_fmt(hi)}{')' if np.isinf(hi) else ']'}"


def alt_text(name: str, **params) -> str:
    """Alt text for the figure of ``name``, generated from its registry record."""
    a = get(name)
    bits = [f"Plot of the {a.title} activation (solid line) and its derivative (dashed line)"]
    if params:
        bits.append("with " + ", ".join(f"{k}={v}" for k, v in params.items()))
    desc = [f"output range {describe_range(name)}"]
    if a.monotonic is not None:
        desc.append("monotonic" if a.monotonic else "not monotonic")
    if a.smoothness:
        desc.append({"C∞": "smooth", "C1": "continuously differentiable", "C0": "continuous with corners",
                     "discontinuous": "discontinuous"}[a.smoothness])
    sat = a.saturating
    desc.append({"both": "saturates on both sides", "left": "saturates for negative inputs",
                 "right": "saturates for positive inputs", "none": "does not saturate"}[sat])
    if a.kinks:
        desc.append("corners at x = " + ", ".join(_fmt(k) for k in a.kinks))
    return f"{' '.join(bits)}: {', '.join(desc)}."


def plot_activation(name: str, ax=None, xlim=(-5.0, 5.0), n: int = 1001, show_grad: bool = True,
                    color: str | None = None, label: str | None = None, **params):
    """Plot one activation (solid) and its derivative (dashed) on ``ax``; return the figure.

    Kinks are drawn honestly: the curves are evaluated on a grid that contains the kinks,
    and the derivative's value *at* a kink (the library's convention) is marked with a dot.
    """
    a = get(name)
    if not a.elementwise:
        raise ValueError(f"plot_activation: {name} is vector-valued; plot it with a dedicated figure")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.0, 3.4), layout="constrained")
    else:
        fig = ax.figure
    x = np.union1d(np.linspace(*xlim, n), [k for k in a.kinks if xlim[0] < k < xlim[1]])
    merged = {**a.params, **params}
    c = color or PALETTE[0]
    lab = label or a.title
    ax.plot(x, a.fn(x, **merged), color=c, lw=2.2, label=f"{lab}")
    if show_grad:
        g = a.grad(x, **merged)
        if a.kinks:  # break the dashed line at jumps so no vertical segment is drawn
            jump = np.abs(np.diff(g)) > 0.05
            g = g.copy()
            g[1:][jump] = np.nan
        ax.plot(x, g, color=c, lw=1.8, ls="--", label=f"{lab}′ (derivative)")
        for k in a.kinks:
            if xlim[0] < k < xlim[1]:
                ax.plot([k], [a.grad(np.array([k]), **merged)[0]], "o", color=c, ms=4)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    return fig


def plot_activations(names, xlim=(-5.0, 5.0), show_grad: bool = False, ax=None, title: str | None = None):
    """Overlay several activations (one colour each) for comparison; return the figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.8), layout="constrained")
    else:
        fig = ax.figure
    for i, name in enumerate(names):
        plot_activation(name, ax=ax, xlim=xlim, show_grad=show_grad, color=PALETTE[i % len(PALETTE)])
    if title:
        ax.set_title(title)
    return fig



def show_activation(name: str, xlim=(-5.0, 5.0), caption: str | None = None, **params) -> AccessibleFigure:
    """The standard figure of an activation page: f (solid) and f′ (dashed), with alt text."""
    fig = plot_activation(name, xlim=xlim, **params)
    a = get(name)
    title = a.title + (" (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else "")
    fig.axes[0].set_title(title, fontsize=10)
    return figure_html(fig, alt_text(name, **params), caption)


def plot_variants(name: str, variants, xlim=(-5.0, 5.0), show_grad: bool = True, ax=None, title=None):
    """Overlay one activation under several parameter settings (one colour per setting).

    ``variants`` is a sequence of parameter dicts; ``{}`` means the registry's defaults.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.8), layout="constrained")
    else:
        fig = ax.figure
    a = get(name)
    for i, params in enumerate(variants):
        label = ", ".join(f"{k}={v}" for k, v in params.items()) or ", ".join(
            f"{k}={v}" for k, v in a.params.items()) or "default"
        plot_activation(name, ax=ax, xlim=xlim, show_grad=show_grad, color=PALETTE[i % len(PALETTE)],
                        label=f"{a.title} ({label})", **params)
    ax.set_title(title or f"{a.title}: parameter settings compared", fontsize=10)
    return fig


def show_variants(name: str, variants, xlim=(-5.0, 5.0), show_grad: bool = True,
                  caption: str | None = None) -> AccessibleFigure:
    """:func:`plot_variants` with generated alt text."""
    fig = plot_variants(name, variants, xlim=xlim, show_grad=show_grad)
    settings = "; ".join(", ".join(f"{k}={v}" for k, v in p.items()) or "defaults" for p in variants)
    alt = (f"{get(name).title} drawn for several parameter settings ({settings}); "
           f"{'solid lines are the function, dashed lines its derivative' if show_grad else 'function only'}. "
           + alt_text(name))
    return figure_html(fig, alt, caption)


def show_activations(names, xlim=(-5.0, 5.0), show_grad: bool = False, title: str | None = None,
                     caption: str | None = None) -> AccessibleFigure:
    """:func:`plot_activations` (several activations overlaid) with generated alt text."""
    fig = plot_activations(names, xlim=xlim, show_grad=show_grad, title=title)
    alt = (f"Comparison of {', '.join(get(n).title for n in names)} on [{_fmt(xlim[0])}, {_fmt(xlim[1])}]"
           f"{' with derivatives dashed' if show_grad else ''}. "
           + " ".join(alt_text(n) for n in names))
    return figure_html(fig, alt, caption)


def plot_softmax(temperatures=(0.5, 1.0, 2.0), xlim=(-5.0, 5.0), n: int = 401):
    """Softmax of three logits ``[x, 0, -1]`` as ``x`` varies, for several temperatures.

    Left: the probability of the first class (solid) and its derivative with respect to ``x``
    (dashed, the Jacobian's diagonal entry p(1 - p)/T). Right: the probabilities at ``x = 1``
    for each temperature, as bars.
    """
    from ..activations import softmax, softmax_jacobian

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.0, 3.4), layout="constrained")
    x = np.linspace(*xlim, n)
    for i, t in enumerate(temperatures):
        logits = np.stack([x, np.zeros_like(x), -np.ones_like(x)], axis=-1) / t
        p = softmax(logits)
        jac = softmax_jacobian(logits)[:, 0, 0] / t
        c = PALETTE[i % len(PALETTE)]
        ax.plot(x, p[:, 0], color=c, lw=2.2, label=f"p₁, T={t}")
        ax.plot(x, jac, color=c, lw=1.8, ls="--", label=f"∂p₁/∂x, T={t}")
    ax.set_xlabel("x (first logit; the others are 0 and −1)")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Softmax probability of class 1", fontsize=10)
    width = 0.8 / len(temperatures)
    for i, t in enumerate(temperatures):
        p = softmax(np.array([1.0, 0.0, -1.0]) / t)
        bx.bar(np.arange(3) + (i - (len(temperatures) - 1) / 2) * width, p, width,
               color=PALETTE[i % len(PALETTE)], label=f"T={t}")
    bx.set_xticks(range(3), ["class 1\n(logit 1)", "class 2\n(logit 0)", "class 3\n(logit −1)"])
    bx.set_ylabel("probability")
    bx.set_title("Temperature sharpens or flattens", fontsize=10)
    bx.legend(frameon=False, fontsize=8)
    return fig


def show_softmax(temperatures=(0.5, 1.0, 2.0), caption: str | None = None) -> AccessibleFigure:
    """:func:`plot_softmax` with generated alt text."""
    from ..activations import softmax

    bars = "; ".join(
        f"T={t}: " + ", ".join(f"{v:.2f}" for v in softmax(np.array([1.0, 0.0, -1.0]) / t))
        for t in temperatures)
    alt = ("Left: softmax probability of the first of three classes as its logit x varies (solid, an "
           "S-shaped curve from 0 to 1) and its derivative (dashed, a bump), for temperatures "
           f"{', '.join(map(str, temperatures))}; lower temperature gives a steeper curve. Right: bar chart "
           f"of the probabilities for logits (1, 0, −1): {bars}. " + describe_range("softmax").join(
               ["Each probability lies in ", "."]))
    return figure_html(plot_softmax(temperatures), alt, caption)


def plot_glu(xlim=(-5.0, 5.0), n: int = 401, gates=(-2.0, 0.0, 2.0)):
    """GLU ``a * sigmoid(b)`` as a function of ``a`` for fixed gates ``b``, and as a function of ``b``."""
    from ..activations import glu

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.0, 3.4), layout="constrained")
    x = np.linspace(*xlim, n)
    for i, b in enumerate(gates):
        out = glu(np.stack([x, np.full_like(x, b)], axis=-1))[:, 0]
        ax.plot(x, out, color=PALETTE[i], lw=2.2, label=f"gate b = {b:g}")
    ax.set_xlabel("a (the value half)")
    ax.set_title("GLU output a·σ(b) against a", fontsize=10)
    for i, a in enumerate((1.0, 3.0)):
        out = glu(np.stack([np.full_like(x, a), x], axis=-1))[:, 0]
        bx.plot(x, out, color=PALETTE[i + 3], lw=2.2, label=f"value a = {a:g}")
    bx.set_xlabel("b (the gate half)")
    bx.set_title("GLU output against the gate b", fontsize=10)
    _finish(ax, bx)
    return fig


def _finish(*axes, vertical: bool = False) -> None:
    """The gated figures' panels: the zero line(s), a light grid and a legend."""
    for axis in axes:
        axis.axhline(0, color="0.6", lw=0.8)
        if vertical:
            axis.axvline(0, color="0.6", lw=0.8)
        axis.grid(True, alpha=0.3)
        axis.legend(frameon=False, fontsize=8)


def show_glu(caption: str | None = None) -> AccessibleFigure:
    alt = ("Left: GLU output against the value half a for gates b = −2, 0 and 2: straight lines through "
           "the origin with slopes σ(b) ≈ 0.12, 0.5 and 0.88. Right: output against the gate b for values "
           "a = 1 and 3: sigmoid curves rising from 0 to a.")
    return figure_html(plot_glu(), alt, caption)


#: The gated units of the gated chapter: registry name -> the elementwise gate it applies to b.
GATES = {"glu": "sigmoid", "reglu": "relu", "geglu": "gelu", "swiglu": "silu"}


def plot_gated(xlim=(-4.0, 4.0), n: int = 801, value: float = 1.0):
    """The gated units with the value half fixed at ``a = value``: output ``a·f(b)`` and its
    derivative with respect to the gate half ``b``, from each unit's own function and VJP."""
    from ..activations import REGISTRY

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.0, 3.4), layout="constrained")
    b = np.union1d(np.linspace(*xlim, n), [0.0])
    x = np.stack([np.full_like(b, value), b], axis=-1)
    for i, name in enumerate(GATES):
        act = REGISTRY[name]
        out = act.fn(x, **act.params)[:, 0]
        back = act.grad(x, np.ones((len(b), 1)), **act.params)[:, 1]
        ax.plot(b, out, color=PALETTE[i], lw=2.2, label=act.title)
        bx.plot(b, back, color=PALETTE[i], lw=2.0, ls="--", label=act.title)
    ax.set_title(f"output a·f(b) with a = {value:g}", fontsize=10)
    bx.set_title("derivative with respect to the gate b", fontsize=10)
    for axis in (ax, bx):
        axis.set_xlabel("b (the gate half)")
    _finish(ax, bx, vertical=True)
    return fig


def show_gated(caption: str | None = None) -> AccessibleFigure:
    alt = ("Left: the output of GLU, ReGLU, GeGLU and SwiGLU against the gate half b with the value half "
           "a = 1, which is the gate function itself: the sigmoid rises from 0 to 1; ReLU is 0 then the "
           "line b; GELU and SiLU follow ReLU far from 0, dip slightly below 0 for negative b and are "
           "smooth at 0. Right: the derivatives with respect to b (dashed): a bump for GLU, a step from 0 "
           "to 1 for ReGLU, smooth S-shaped curves that overshoot 1 for GeGLU and SwiGLU.")
    return figure_html(plot_gated(), alt, caption)


def plot_maxout(xlim=(-5.0, 5.0), n: int = 401):
    """Maxout with k = 3 over three affine pieces of one input, w·x + c: a convex piecewise-linear function."""
    from ..activations import maxout

    fig, ax = plt.subplots(figsize=(5.0, 3.4), layout="constrained")
    x = np.linspace(*xlim, n)
    pieces = [(-0.5, -1.0), (0.3, 0.0), (1.5, -2.0)]
    z = np.stack([w * x + c for w, c in pieces], axis=-1)
    for i, (w, c) in enumerate(pieces):
        ax.plot(x, w * x + c, color="0.55", lw=1.0, ls=":", label="pieces w·x + c" if i == 0 else None)
    ax.plot(x, maxout(z, k=3)[:, 0], color=PALETTE[0], lw=2.2, label="maxout (k = 3)")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Maxout of three affine pieces", fontsize=10)
    return fig


def show_maxout(caption: str | None = None) -> AccessibleFigure:
    alt = ("Maxout of three straight lines of one input (dotted grey: slopes −0.5, 0.3 and 1.5): the solid "
           "curve follows whichever line is highest, giving a convex piecewise-linear function with two corners.")
    return figure_html(plot_maxout(), alt, caption)
