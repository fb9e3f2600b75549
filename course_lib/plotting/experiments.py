"""Figures of the experiments (``course_lib.experiments``).

Each ``plot_*`` takes the dataclass an experiment returns and draws it; each ``show_*`` adds
alt text generated from the measured numbers, so the description always matches the figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .base import PALETTE, _finite_log, _style, _title, figure_html, plt


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
    """Per-example updates of two weights into one unit; same-sign fraction; training loss, per arm."""
    fig, axes = plt.subplots(1, 3, figsize=(12.0, 3.6), layout="constrained")
    arms = result.activations
    ax = axes[0]
    scatter = [a for a in arms if a in ("sigmoid", "tanh")] or list(arms)
    for a in scatter:
        i = arms.index(a)
        u = result.updates[a]
        ax.scatter(u[:, 0], u[:, 1], s=9, color=PALETTE[i % len(PALETTE)], marker="o^sDv"[i % 5], alpha=0.7,
                   label=result.label(a))
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel("update of weight 1")
    ax.set_ylabel("update of weight 2")
    ax.set_title("one SGD step per example, two weights of one unit", fontsize=9)
    ax.ticklabel_format(style="sci", scilimits=(-2, 2))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax = axes[1]
    width = 0.8 / len(arms)
    pos = np.arange(len(result.batch_sizes))
    for i, a in enumerate(arms):
        ax.bar(pos + i * width, result.same_sign[a], width, color=PALETTE[i % len(PALETTE)], label=result.label(a))
    ax.set_xticks(pos + width * (len(arms) - 1) / 2, [str(b) for b in result.batch_sizes])
    ax.set_xlabel("batch size")
    ax.set_ylabel("updates with a single sign")
    ax.set_ylim(0, 1.05)
    ax.set_title("fraction of units whose incoming update has one sign", fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(frameon=False, fontsize=7)
    ax = axes[2]
    epochs = np.arange(result.epochs + 1)
    for i, a in enumerate(arms):
        m, s = result.loss[a].mean(axis=0), result.loss[a].std(axis=0)
        ax.plot(epochs, m, lw=1.8, **_style(i), label=result.label(a))
        ax.fill_between(epochs, m - s, m + s, color=PALETTE[i % len(PALETTE)], alpha=0.2, lw=0)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("training loss")
    ax.set_title("plain SGD, mean ± std over seeds", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=7)
    return fig


def zero_centring_alt(result) -> str:
    bits = [f"{result.label(a)}: same-sign fraction {result.same_sign[a][0]:.2f} at batch size "
            f"{result.batch_sizes[0]}, final training loss {result.final_loss(a):.3f}" for a in result.activations]
    return ("Three panels: a scatter of per-example updates of two weights into one unit for sigmoid and tanh, a bar "
            "chart of the fraction of units whose incoming weight update has a single sign against batch size, and "
            "training-loss curves, for each variant of the hidden activation. " + "; ".join(bits) + ".")


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
