"""The one plotting helper every figure of the book comes from.

Conventions: the function is a solid line, its derivative a dashed line; colours come from
the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies; every figure has alt text generated from the registry's properties.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .activations import REGISTRY, get  # noqa: E402

__all__ = ["PALETTE", "plot_activation", "plot_activations", "alt_text", "describe_range"]

#: Okabe & Ito (2008) colour-blind-safe palette (black first for the main curve).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def _fmt(v: float) -> str:
    if np.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.4g}".replace("-", "−")


def describe_range(name: str) -> str:
    """The output range as text, e.g. ``(0, 1)`` or ``[−0.2785, ∞)``."""
    a = get(name)
    lo, hi = a.output_range
    return f"[{_fmt(lo)}, {_fmt(hi)}]"


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

