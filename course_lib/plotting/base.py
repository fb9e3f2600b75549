"""Shared figure machinery: the palette, line styles, and figures that carry alt text."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..activations import REGISTRY, get  # noqa: E402

#: Okabe & Ito (2008) colour-blind-safe palette (black first for the main curve).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_LINESTYLES = ("-", "--", "-.", ":")


def _fmt(v: float) -> str:
    if np.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.4g}".replace("-", "−")



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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return AccessibleFigure(buf.getvalue(), alt, caption)



def _style(i: int) -> dict:
    """Colour from PALETTE, and a new line style each time the palette wraps around."""
    return {"color": PALETTE[i % len(PALETTE)], "ls": _LINESTYLES[(i // len(PALETTE)) % len(_LINESTYLES)]}


def _title(name: str) -> str:
    return get(name).title if name in REGISTRY else str(name)


def _finite_log(values) -> np.ndarray:
    """Values for a log axis: non-positive or non-finite entries become NaN (a gap in the line)."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


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
