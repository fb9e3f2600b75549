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



# ---- figures for the book: the same curves, wrapped with generated alt text -------------------------

class AccessibleFigure:
    """A rendered figure with alt text and an optional caption.

    Jupyter (and the book, through MyST-NB) displays it as an HTML ``<figure>`` whose ``<img>``
    carries the alt text, so a screen reader hears the registry's description of the curve.
    """

    def __init__(self, png: bytes, alt: str, caption: str | None = None):
        self.png, self.alt, self.caption = png, alt, caption

    def _repr_html_(self) -> str:
        import base64
        import html

        src = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        cap = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        return (f'<figure class="course-figure"><img src="{src}" alt="{html.escape(self.alt)}" '
                f'style="max-width:100%;height:auto"/>{cap}</figure>')

    def _repr_png_(self) -> bytes:
        return self.png


def figure_html(fig, alt: str, caption: str | None = None, dpi: int = 110) -> AccessibleFigure:
    """Render ``fig`` to PNG, close it, and return it with its alt text for display."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return AccessibleFigure(buf.getvalue(), alt, caption)


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
    from .activations import softmax, softmax_jacobian

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
    from .activations import softmax

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
    from .activations import glu

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
    for axis in (ax, bx):
        axis.axhline(0, color="0.6", lw=0.8)
        axis.grid(True, alpha=0.3)
        axis.legend(frameon=False, fontsize=8)
    return fig


def show_glu(caption: str | None = None) -> AccessibleFigure:
    alt = ("Left: GLU output against the value half a for gates b = −2, 0 and 2: straight lines through "
           "the origin with slopes σ(b) ≈ 0.12, 0.5 and 0.88. Right: output against the gate b for values "
           "a = 1 and 3: sigmoid curves rising from 0 to a.")
    return figure_html(plot_glu(), alt, caption)


def plot_maxout(xlim=(-5.0, 5.0), n: int = 401):
    """Maxout with k = 3 over three affine pieces of one input, w·x + c: a convex piecewise-linear function."""
    from .activations import maxout

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


__all__ += ["AccessibleFigure", "figure_html", "show_activation", "plot_variants", "show_variants",
            "show_activations", "plot_softmax", "show_softmax", "plot_glu", "show_glu", "plot_maxout",
            "show_maxout"]


# ---- figures of the experiments (course_lib.experiments) ------------------------------------------
# Each plot_* takes the dataclass an experiment returns and draws it; each show_* adds alt text
# generated from the measured numbers (so the description always matches the figure).

from matplotlib.ticker import MaxNLocator  # noqa: E402

_LINESTYLES = ("-", "--", "-.", ":")


def _style(i: int) -> dict:
    """Colour from PALETTE, and a new line style each time the palette wraps around."""
    return {"color": PALETTE[i % len(PALETTE)], "ls": _LINESTYLES[(i // len(PALETTE)) % len(_LINESTYLES)]}


def _title(name: str) -> str:
    return get(name).title if name in REGISTRY else str(name)


def _finite_log(values) -> np.ndarray:
    """Values for a log axis: non-positive or non-finite entries become NaN (a gap in the line)."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def plot_linear_collapse(result):
    """Decision regions on the moons, one panel per activation (identity = no activation)."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("okabe_ito_diverging", [PALETTE[0], "#FFFFFF", PALETTE[1]])
    acts = result.activations
    fig, axes = plt.subplots(1, len(acts), figsize=(3.3 * len(acts), 3.2), layout="constrained", squeeze=False)
    X, y = result.X_train, result.y_train
    for ax, act in zip(axes[0], acts):
        ax.contourf(result.grid_x, result.grid_y, result.proba[act], levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.55)
        ax.contour(result.grid_x, result.grid_y, result.proba[act], levels=[0.5], colors="k", linewidths=1.2)
        ax.scatter(X[y == 0, 0], X[y == 0, 1], s=7, color=PALETTE[0], marker="o", label="class 0")
        ax.scatter(X[y == 1, 0], X[y == 1, 1], s=7, color=PALETTE[1], marker="^", label="class 1")
        label = "no activation (identity)" if act == "identity" else _title(act)
        ax.set_title(f"{label}\ntrain acc {result.train_acc[act]:.2f}, test acc {result.test_acc[act]:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0][0].legend(frameon=False, fontsize=8, loc="lower left")
    return fig


def linear_collapse_alt(result) -> str:
    parts = [f"{'no activation' if a == 'identity' else _title(a)}: test accuracy {result.test_acc[a]:.2f}"
             for a in result.activations]
    return ("Decision regions of the same deep network trained on the two-moons data, one panel per activation. "
            "Without an activation the boundary (black line) is a single straight line that cuts through both moons; "
            "with a nonlinearity it bends around them. " + "; ".join(parts) + ".")


def show_linear_collapse(result, caption: str | None = None):
    return figure_html(plot_linear_collapse(result), linear_collapse_alt(result), caption)


def plot_vanishing_gradients(result):
    """Gradient norm of each Dense layer's weights at initialisation, matched vs mismatched init."""
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained", sharey=True)
    layers = np.arange(1, result.depth + 2)
    for ax, kind in zip(axes, ("matched", "mismatched")):
        for i, act in enumerate(result.activations):
            ax.semilogy(layers, _finite_log(result.geometric_mean(act, kind)), lw=1.8, **_style(i),
                        label=f"{_title(act)} + {result.inits[act, kind].replace('_', ' ')}")
        ax.set_title(f"{kind} initialisation", fontsize=10)
        ax.set_xlabel("layer (1 = next to the input)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(frameon=False, fontsize=7.5)
    axes[0].set_ylabel("‖∂L/∂W‖ at initialisation")
    return fig


def vanishing_gradients_alt(result) -> str:
    bits = []
    for act in result.activations:
        g = result.geometric_mean(act, "matched")
        m = result.geometric_mean(act, "mismatched")
        bits.append(f"{_title(act)}: first-layer gradient norm {g[0]:.1e} with {result.inits[act, 'matched']}, "
                    f"{m[0]:.1e} with {result.inits[act, 'mismatched']}")
    return (f"Two log-scale line plots of the weight-gradient norm against layer index in a {result.depth}-layer network, "
            "left with each activation's matched initialisation, right with a mismatched one. " + "; ".join(bits) + ".")


def show_vanishing_gradients(result, caption: str | None = None):
    return figure_html(plot_vanishing_gradients(result), vanishing_gradients_alt(result), caption)


def plot_dying_relu(result):
    """Dead fraction (top) and test accuracy (bottom) against learning rate, one column per bias."""
    nb = len(result.biases)
    fig, axes = plt.subplots(2, nb, figsize=(4.6 * nb, 5.6), layout="constrained", squeeze=False, sharex=True)
    lrs = np.asarray(result.learning_rates)
    for j, bias in enumerate(result.biases):
        for i, act in enumerate(result.activations):
            st = _style(i)
            axes[0][j].plot(lrs, result.final_dead(act, bias), marker="o", lw=1.8, **st, label=_title(act))
            axes[1][j].plot(lrs, result.test_acc[act, bias].mean(axis=1), marker="o", lw=1.8, **st, label=_title(act))
        axes[0][j].set_title(f"initial bias {bias:g}", fontsize=10)
        axes[1][j].set_xlabel("learning rate (Adam)")
        for ax in axes[:, j]:
            ax.set_xscale("log")
            ax.grid(True, alpha=0.3)
        axes[0][j].set_ylim(-0.03, 1.0)
        axes[1][j].set_ylim(0.0, 1.02)
    axes[0][0].set_ylabel("fraction of dead hidden units")
    axes[1][0].set_ylabel("test accuracy")
    axes[0][0].legend(frameon=False, fontsize=8)
    return fig


def dying_relu_alt(result) -> str:
    bits = []
    for act in result.activations:
        for bias in result.biases:
            d = result.final_dead(act, bias)
            bits.append(f"{_title(act)}, bias {bias:g}: dead fraction from {d[0]:.2f} to {d[-1]:.2f}")
    return (f"Line plots against the learning rate ({result.learning_rates[0]:g} to {result.learning_rates[-1]:g}, log scale) "
            "of the fraction of dead hidden units after training (top) and the test accuracy (bottom). "
            + "; ".join(bits) + ".")


def show_dying_relu(result, caption: str | None = None):
    return figure_html(plot_dying_relu(result), dying_relu_alt(result), caption)


def plot_zero_centring(result):
    """Per-example updates of two weights into one unit; same-sign fraction; training loss."""
    fig, axes = plt.subplots(1, 3, figsize=(12.0, 3.6), layout="constrained")
    ax = axes[0]
    for i, act in enumerate(result.activations):
        u = result.updates[act]
        ax.scatter(u[:, 0], u[:, 1], s=9, color=PALETTE[i % len(PALETTE)], marker="o^sD"[i % 4], alpha=0.7, label=_title(act))
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel("update of weight 1")
    ax.set_ylabel("update of weight 2")
    ax.set_title("one SGD step per example, two weights of one unit", fontsize=9)
    ax.ticklabel_format(style="sci", scilimits=(-2, 2))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax = axes[1]
    width = 0.8 / len(result.activations)
    pos = np.arange(len(result.batch_sizes))
    for i, act in enumerate(result.activations):
        ax.bar(pos + i * width, result.same_sign[act], width, color=PALETTE[i % len(PALETTE)], label=_title(act))
    ax.set_xticks(pos + width * (len(result.activations) - 1) / 2, [str(b) for b in result.batch_sizes])
    ax.set_xlabel("batch size")
    ax.set_ylabel("updates with a single sign")
    ax.set_ylim(0, 1.05)
    ax.set_title("fraction of units whose incoming update has one sign", fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)
    ax = axes[2]
    epochs = np.arange(result.epochs + 1)
    for i, act in enumerate(result.activations):
        m, s = result.loss[act].mean(axis=0), result.loss[act].std(axis=0)
        ax.plot(epochs, m, lw=1.8, **_style(i), label=_title(act))
        ax.fill_between(epochs, m - s, m + s, color=PALETTE[i % len(PALETTE)], alpha=0.2, lw=0)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("training loss")
    ax.set_title("plain SGD, mean ± std over seeds", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    return fig


def zero_centring_alt(result) -> str:
    bits = [f"{_title(a)}: {np.mean(result.updates[a][:, 0] * result.updates[a][:, 1] >= 0):.0%} of the per-example updates "
            f"in the first or third quadrant, same-sign fraction {result.same_sign[a][0]:.2f} at batch size "
            f"{result.batch_sizes[0]}, final training loss {result.loss[a][:, -1].mean():.3f}" for a in result.activations]
    return ("Three panels: a scatter of per-example updates of two weights into one unit, a bar chart of the fraction of "
            "units whose incoming weight update has a single sign against batch size, and training-loss curves. "
            + "; ".join(bits) + ".")


def show_zero_centring(result, caption: str | None = None):
    return figure_html(plot_zero_centring(result), zero_centring_alt(result), caption)


def plot_selu(result):
    """Mean (left) and variance (right, log scale) of SELU activations, layer by layer, per initialiser."""
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6), layout="constrained")
    layers = np.arange(1, result.depth + 1)
    for i, init in enumerate(result.inits):
        st = _style(i)
        axes[0].plot(layers, result.mean[init].mean(axis=0), lw=1.8, **st, label=result.labels[init])
        axes[1].semilogy(layers, _finite_log(result.var[init].mean(axis=0)), lw=1.8, **st, label=result.labels[init])
    axes[0].axhline(0.0, color="0.4", lw=0.8, ls=":")
    axes[1].axhline(1.0, color="0.4", lw=0.8, ls=":")
    axes[0].set_ylabel("mean of the layer's output")
    axes[1].set_ylabel("variance of the layer's output")
    for ax in axes:
        ax.set_xlabel("layer")
        ax.grid(True, alpha=0.3)
    axes[1].legend(frameon=False, fontsize=7.5)
    return fig


def selu_alt(result) -> str:
    bits = [f"{result.labels[i]}: after {result.depth} layers mean {result.mean[i].mean(axis=0)[-1]:.3f}, "
            f"variance {result.var[i].mean(axis=0)[-1]:.3g}" for i in result.inits]
    return ("Two line plots of the mean and the variance (log scale) of SELU activations against depth for several "
            "weight initialisations; only LeCun normal stays at mean 0 and variance 1. " + "; ".join(bits) + ".")


def show_selu(result, caption: str | None = None):
    return figure_html(plot_selu(result), selu_alt(result), caption)


def plot_training_comparison(result):
    """Test accuracy and training loss per epoch (mean over seeds), one line per activation."""
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.0), layout="constrained")
    for i, act in enumerate(result.activations):
        epochs = np.arange(result.test_acc[act].shape[1])
        st = _style(i)
        axes[0].plot(epochs, result.test_acc[act].mean(axis=0), lw=1.6, **st, label=_title(act))
        axes[1].semilogy(epochs, result.train_loss[act].mean(axis=0), lw=1.6, **st, label=_title(act))
    axes[0].set_ylabel("test accuracy")
    axes[0].set_ylim(0.5, 1.0)
    axes[1].set_ylabel("training loss")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    axes[1].legend(frameon=False, fontsize=7.5, ncol=2)
    return fig


def training_comparison_alt(result) -> str:
    rows = result.table()
    bits = [f"{_title(r['activation'])} {r['test_acc_mean']:.3f} ± {r['test_acc_std']:.3f}" for r in rows]
    return (f"Test-accuracy and training-loss curves on digits for {len(rows)} activations, mean over "
            f"{len(result.seeds)} seeds. Final test accuracy, best first: " + "; ".join(bits) + ".")


def show_training_comparison(result, caption: str | None = None):
    return figure_html(plot_training_comparison(result), training_comparison_alt(result), caption)


def plot_output_layers(result):
    """Sum of the outputs on a multi-class task (left); multi-label accuracies (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6), layout="constrained")
    bins = np.linspace(0.0, max(2.0, max(float(s.max()) for s in result.prob_sums.values())), 41)
    for i, head in enumerate(result.heads):
        axes[0].hist(result.prob_sums[head], bins=bins, color=PALETTE[i], alpha=0.65, label=f"{head} outputs")
    axes[0].set_xlabel("sum of the ten outputs for one test digit")
    axes[0].set_ylabel("number of test digits")
    axes[0].set_title("multi-class (which digit?)", fontsize=10)
    axes[0].legend(frameon=False, fontsize=8)
    labels = list(result.attributes) + ["all four right"]
    pos = np.arange(len(labels))
    width = 0.8 / len(result.heads)
    for i, head in enumerate(result.heads):
        vals = list(result.multilabel_per_label[head]) + [result.multilabel_exact[head]]
        axes[1].bar(pos + i * width, vals, width, color=PALETTE[i], label=f"{head} head")
    axes[1].set_xticks(pos + width * (len(result.heads) - 1) / 2, labels, fontsize=8, rotation=15)
    axes[1].set_ylabel("test accuracy (threshold 0.5)")
    axes[1].set_ylim(0, 1.05)
    axes[1].set_title("multi-label (attributes of the digit)", fontsize=10)
    axes[1].grid(True, axis="y", alpha=0.3)
    axes[1].legend(frameon=False, fontsize=8)
    return fig


def output_layers_alt(result) -> str:
    s = result.prob_sums
    return ("Left: histogram of the sum of the ten outputs per test digit; softmax sums are exactly 1, one-vs-rest "
            f"sigmoid sums spread from {s['sigmoid'].min():.2f} to {s['sigmoid'].max():.2f}. Right: bar chart of multi-label "
            f"accuracies; all four labels right for {result.multilabel_exact['softmax']:.2f} of digits with a softmax head "
            f"and {result.multilabel_exact['sigmoid']:.2f} with independent sigmoids.")


def show_output_layers(result, caption: str | None = None):
    return figure_html(plot_output_layers(result), output_layers_alt(result), caption)


def plot_batchnorm(result):
    """Test accuracy per epoch for each BatchNorm placement, one panel per activation."""
    n = len(result.activations)
    fig, axes = plt.subplots(1, n, figsize=(4.8 * n, 3.6), layout="constrained", squeeze=False, sharey=True)
    for ax, act in zip(axes[0], result.activations):
        for i, place in enumerate(result.placements):
            acc = result.test_acc[act, place]
            ax.plot(np.arange(acc.shape[1]), acc.mean(axis=0), lw=1.8, **_style(i),
                    label="no BatchNorm" if place is None else f"BatchNorm {place} the activation")
        ax.set_title(_title(act), fontsize=10)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("test accuracy")
    axes[0][0].set_ylim(0.0, 1.02)
    axes[0][0].legend(frameon=False, fontsize=8)
    return fig


def batchnorm_alt(result) -> str:
    bits = [f"{_title(a)} {'without BatchNorm' if p is None else 'with BatchNorm ' + p}: {result.final_acc(a, p):.3f}"
            for a in result.activations for p in result.placements]
    return "Test-accuracy curves on digits for each placement of BatchNorm. Final test accuracy: " + "; ".join(bits) + "."


def show_batchnorm(result, caption: str | None = None):
    return figure_html(plot_batchnorm(result), batchnorm_alt(result), caption)


def plot_cost(result):
    """Horizontal bars: forward and backward nanoseconds per element, cheapest at the top (log scale,
    so the two passes are drawn side by side rather than stacked)."""
    order = np.argsort(result.total_ns)[::-1]
    names = [result.names[i] for i in order]
    fig, ax = plt.subplots(figsize=(6.4, 0.26 * len(names) + 1.4), layout="constrained")
    pos = np.arange(len(names))
    ax.barh(pos + 0.2, result.forward_ns[order], height=0.4, color=PALETTE[0], label="forward f(x)")
    ax.barh(pos - 0.2, result.backward_ns[order], height=0.4, color=PALETTE[1], label="backward g·f′(x)")
    ax.set_yticks(pos, names, fontsize=8)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.set_xscale("log")
    ax.set_xlabel("nanoseconds per element (log scale)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return fig


def cost_alt(result) -> str:
    rank = result.ranking()
    return (f"Horizontal bar chart of the forward plus backward time per element of {len(rank)} activations on "
            f"{result.n} float64 inputs, log scale. Cheapest: " + ", ".join(f"{n} {t:.1f} ns" for n, t in rank[:3])
            + ". Most expensive: " + ", ".join(f"{n} {t:.1f} ns" for n, t in rank[-3:]) + ".")


def show_cost(result, caption: str | None = None):
    return figure_html(plot_cost(result), cost_alt(result), caption)


__all__ += ["plot_linear_collapse", "show_linear_collapse", "plot_vanishing_gradients", "show_vanishing_gradients",
            "plot_dying_relu", "show_dying_relu", "plot_zero_centring", "show_zero_centring", "plot_selu",
            "show_selu", "plot_training_comparison", "show_training_comparison", "plot_output_layers",
            "show_output_layers", "plot_batchnorm", "show_batchnorm", "plot_cost", "show_cost"]


def plot_series(x, series, xlabel: str, ylabel: str, title: str | None = None, logy: bool = False, ax=None):
    """Line plot of several named series against ``x`` (one colour and marker each).

    For the book's small numerical demonstrations (e.g. variance against depth); the
    experiments' own figures live with the experiments.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.6), layout="constrained")
    else:
        fig = ax.figure
    markers = "osD^v<>p"
    for i, (label, y) in enumerate(series.items()):
        ax.plot(x, y, color=PALETTE[i % len(PALETTE)], marker=markers[i % len(markers)], ms=3.5,
                lw=1.8, ls="-" if i < 4 else "--", label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def show_series(x, series, xlabel: str, ylabel: str, title: str | None = None, logy: bool = False,
                caption: str | None = None) -> AccessibleFigure:
    """:func:`plot_series` with alt text listing each series' first and last values."""
    fig = plot_series(x, series, xlabel, ylabel, title=title, logy=logy)
    desc = "; ".join(f"{label}: from {_fmt(float(np.asarray(y)[0]))} to {_fmt(float(np.asarray(y)[-1]))}"
                     for label, y in series.items())
    alt = (f"Line plot{' (logarithmic vertical axis)' if logy else ''} of {ylabel} against {xlabel}"
           f"{' — ' + title if title else ''}. {desc}.")
    return figure_html(fig, alt, caption)


__all__ += ["plot_series", "show_series"]
