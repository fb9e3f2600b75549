"""Interactive figures of the book: a control redraws curves that ``course_lib`` computed at build.

Nothing is computed in the browser. Each figure evaluates the library over a grid of parameter
values when the page is built (one set of curves per setting, rounded to four significant digits)
and embeds them; the page's control -- a native range slider or drop-down list, so it works from
the keyboard and is announced by screen readers -- picks the set to draw with plotly.js. plotly.js
is the copy inside the ``plotly`` wheel: :func:`setup` (a Sphinx extension, listed in
``_config.yml``) copies it into the built book and loads it only on pages that hold an interactive
figure; nothing comes from a CDN. The behaviour lives in ``_static/course.js``.

Every figure keeps a static version (a matplotlib PNG with alt text) that is shown without
JavaScript, in a notebook, and in print (the PDF); the live version is revealed by the script.

- :func:`interactive_activation` -- f and f' of a parametrised activation, a slider for the
  parameter (Leaky ReLU's slope, ELU/CELU's alpha, Swish's and softplus's beta);
- :func:`interactive_gelu` -- exact GELU against its tanh approximation (and their difference);
- :func:`interactive_softmax` -- softmax probabilities and Jacobian diagonal against temperature;
- :func:`interactive_vanishing_gradients` -- gradient norm per layer, by depth, activation and
  initialisation, from :func:`course_lib.experiments.vanishing_gradients` results.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..activations import get
from .activations import show_variants
from .base import PALETTE, AccessibleFigure

__all__ = ["Control", "InteractiveFigure", "interactive_activation", "interactive_gelu",
           "interactive_softmax", "interactive_vanishing_gradients", "plotly_js", "setup"]

#: Colours and styles shared with the static figures: f solid, f' dashed.
_F = {"color": PALETTE[0], "width": 2.5}
_DF = {"color": PALETTE[1], "width": 2.5, "dash": "dash"}
#: White plot area and dark text in both colour modes, like the PNG figures (legible in dark mode).
_LAYOUT = {"paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "font": {"color": "#222222", "size": 14},
           "margin": {"l": 60, "r": 20, "t": 40, "b": 50}, "height": 380,
           "legend": {"orientation": "h", "y": -0.18}, "hovermode": "x unified"}
_AXIS = {"gridcolor": "#dddddd", "zerolinecolor": "#888888", "linecolor": "#444444", "showline": True}


def _num(v) -> float | None:
    """A float rounded to 4 significant digits for JSON; NaN and infinities become null (a gap)."""
    v = float(v)
    if not math.isfinite(v):
        return None
    return float(f"{v:.4g}")


def _series(values) -> list[float | None]:
    return [_num(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _fmt(v) -> str:
    return f"{v:g}".replace("-", "−") if isinstance(v, (int, float)) else str(v)


@dataclass(frozen=True)
class Control:
    """One control of an interactive figure.

    ``values`` are what the figure is computed for, ``labels`` how they are shown (default: the
    values); ``default`` is the index selected at first. Numeric values get a range slider,
    anything else a drop-down list.
    """

    label: str
    values: tuple
    labels: tuple[str, ...] | None = None
    default: int = 0

    @property
    def texts(self) -> tuple[str, ...]:
        return self.labels or tuple(_fmt(v) for v in self.values)

    @property
    def slider(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)


class InteractiveFigure:
    """A plotly figure whose curves are chosen by controls, with a static fallback.

    ``frames`` maps each combination of control indices, joined by ``"-"`` (``"0-2"``), to
    ``{"data": [trace, ...], "layout": {...}, "describe": "text"}``; ``describe`` is read to screen
    readers (the plot's label) and shown under the controls.
    """

    def __init__(self, ident: str, controls: list[Control], frames: dict, static: AccessibleFigure | None,
                 caption: str, note: str = ""):
        missing = [k for k in self.keys(controls) if k not in frames]
        if missing:
            raise ValueError(f"{ident}: no curves computed for the settings {missing[:3]}")
        self.ident, self.controls, self.frames = ident, controls, frames
        self.static, self.caption, self.note = static, caption, note

    @staticmethod
    def keys(controls) -> list[str]:
        return ["-".join(map(str, idx)) for idx in itertools.product(*(range(len(c.values)) for c in controls))]

    @property
    def default_key(self) -> str:
        return "-".join(str(c.default) for c in self.controls)

    def _control_html(self, i: int, c: Control) -> str:
        cid = f"{self.ident}-c{i}"
        texts = c.texts
        if c.slider:
            field = (f'<input type="range" id="{cid}" min="0" max="{len(c.values) - 1}" step="1" '
                     f'value="{c.default}" aria-valuetext="{html.escape(texts[c.default])}" '
                     f'data-labels="{html.escape(json.dumps(texts))}">'
                     f'<output for="{cid}" aria-hidden="true">{html.escape(texts[c.default])}</output>')
        else:
            options = "".join(f'<option value="{j}"{" selected" if j == c.default else ""}>{html.escape(t)}</option>'
                              for j, t in enumerate(texts))
            field = f'<select id="{cid}">{options}</select>'
        return f'<div class="course-control"><label for="{cid}">{html.escape(c.label)}</label>{field}</div>'

    def _repr_html_(self) -> str:
        first = self.frames[self.default_key]
        static = (self.static._repr_html_().replace('<figure class="course-figure">', "<div>", 1)
                  .replace("</figure>", "</div>") if self.static else
                  f"<p>{html.escape(self.note or 'This figure is interactive; it needs JavaScript.')}</p>")
        controls = "".join(self._control_html(i, c) for i, c in enumerate(self.controls))
        data = json.dumps({"frames": self.frames, "layout": _LAYOUT, "axis": _AXIS},
                          separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<figure class="course-figure course-interactive{"" if self.static else " course-nostatic"}" '
            f'id="{self.ident}">'
            f'<div class="course-static">{static}</div>'
            f'<div class="course-live" hidden>'
            f'<div class="course-controls" role="group" aria-label="{html.escape(self.caption)}: settings">{controls}</div>'
            f'<p class="course-describe" aria-live="polite">{html.escape(first["describe"])}</p>'
            f'<div class="course-plot" role="img" aria-label="{html.escape(first["describe"])}"></div>'
            f'</div>'
            f'<figcaption>{html.escape(self.caption)}</figcaption>'
            f'<script type="application/json" class="course-data">{data}</script>'
            f'</figure>')


# ---- activations ----------------------------------------------------------------------------

def _curves(name: str, x, **params) -> list[dict]:
    a = get(name)
    return [{"x": _series(x), "y": _series(a.fn(x, **params)), "name": "f(x)", "line": _F},
            {"x": _series(x), "y": _series(a.grad(x, **params)), "name": "f′(x)", "line": _DF}]


def _axes(xlim, ylim=None, ytitle="") -> dict:
    out = {"xaxis": {"title": {"text": "x"}, "range": list(xlim), **_AXIS},
           "yaxis": {"title": {"text": ytitle}, **_AXIS}}
    if ylim is not None:
        out["yaxis"]["range"] = list(ylim)
    return out


def interactive_activation(name: str, param: str, values, default=None, xlim=(-4.0, 4.0), ylim=None,
                           n: int = 241, static_values=None) -> InteractiveFigure:
    """f and f′ of ``name`` with a slider over ``values`` of its parameter ``param``.

    The static version is a matplotlib figure of ``static_values`` (three settings); with
    ``static_values=()`` there is none, for a page that already shows its settings compared above.

    >>> fig = interactive_activation("leaky_relu", "negative_slope", [0.01, 0.1, 0.3])
    >>> [c.values for c in fig.controls]
    [(0.01, 0.1, 0.3)]
    >>> fig.frames["2"]["data"][0]["y"][0]     # f(-4) = 0.3 * -4
    -1.2
    """
    a = get(name)
    values = tuple(float(v) for v in values)
    if param not in a.params:
        raise ValueError(f"{name} has no parameter {param!r} (it has {sorted(a.params)})")
    default = a.params[param] if default is None else default
    x = np.linspace(*xlim, n)
    frames = {}
    for i, v in enumerate(values):
        f, df = a.fn(x, **{param: v}), a.grad(x, **{param: v})
        describe = (f"{a.title} with {param} = {_fmt(v)}: f(x) solid from {_fmt(_num(f[0]))} at x = {_fmt(xlim[0])} "
                    f"to {_fmt(_num(f[-1]))} at x = {_fmt(xlim[1])}; f′(x) dashed, between "
                    f"{_fmt(_num(np.min(df)))} and {_fmt(_num(np.max(df)))}.")
        frames[str(i)] = {"data": _curves(name, x, **{param: v}),
                          "layout": {"title": {"text": f"{a.title}, {param} = {_fmt(v)}"}, **_axes(xlim, ylim)},
                          "describe": describe}
    pick = (values[0], default, values[-1]) if static_values is None else static_values
    static = show_variants(name, [{param: v} for v in dict.fromkeys(pick)], xlim=xlim) if pick else None
    control = Control(f"{param} of {a.title}", values, default=int(np.argmin(np.abs(np.array(values) - default))))
    return InteractiveFigure(f"ifig-{name}-{param}", [control], frames, static,
                             caption=f"{a.title}: move the slider to change {param}; f solid, f′ dashed.",
                             note=f"The figure above compares settings of {param}; with JavaScript, a slider "
                                  f"here redraws f and f′ for {len(values)} values of it.")


def interactive_gelu(xlim=(-4.0, 4.0), n: int = 241, static: bool = True) -> InteractiveFigure:
    """Exact GELU or its tanh approximation (f and f′), or the difference between the two.

    >>> fig = interactive_gelu()
    >>> fig.controls[0].labels
    ('exact: x Φ(x)', 'tanh approximation', 'difference, tanh − exact')
    """
    a = get("gelu")
    x = np.linspace(*xlim, n)
    exact, approx = a.fn(x), a.fn(x, approximate="tanh")
    d_exact, d_approx = a.grad(x), a.grad(x, approximate="tanh")
    diff, ddiff = approx - exact, d_approx - d_exact
    frames = {}
    for i, (label, curves) in enumerate((("exact", (exact, d_exact)), ("tanh", (approx, d_approx)))):
        frames[str(i)] = {
            "data": [{"x": _series(x), "y": _series(curves[0]), "name": "f(x)", "line": _F},
                     {"x": _series(x), "y": _series(curves[1]), "name": "f′(x)", "line": _DF}],
            "layout": {"title": {"text": f"GELU, {label}"}, **_axes(xlim, (-0.5, 4.0))},
            "describe": f"GELU ({label}): f(x) solid, f′(x) dashed, on [{_fmt(xlim[0])}, {_fmt(xlim[1])}]."}
    worst, dworst = float(np.max(np.abs(diff))), float(np.max(np.abs(ddiff)))
    frames["2"] = {
        "data": [{"x": _series(x), "y": _series(diff), "name": "f_tanh − f_exact", "line": _F},
                 {"x": _series(x), "y": _series(ddiff), "name": "f′_tanh − f′_exact", "line": _DF}],
        "layout": {"title": {"text": "tanh approximation minus exact GELU"}, **_axes(xlim)},
        "describe": (f"Difference between the tanh approximation and exact GELU: at most {_fmt(_num(worst))} "
                     f"in value and {_fmt(_num(dworst))} in slope on this range.")}
    static = show_variants("gelu", [{"approximate": "none"}, {"approximate": "tanh"}], xlim=xlim) if static else None
    control = Control("GELU form", ("none", "tanh", "difference"),
                      labels=("exact: x Φ(x)", "tanh approximation", "difference, tanh − exact"))
    return InteractiveFigure("ifig-gelu-approximate", [control], frames, static,
                             caption="GELU: choose the exact form, the tanh approximation or their difference.",
                             note="The figure above overlays both forms; with JavaScript, a list here shows each "
                                  "form and their difference.")


def interactive_softmax(logits=(2.0, 1.0, 0.1, -1.0), temperatures=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
                        default: float = 1.0, static: bool = True) -> InteractiveFigure:
    """Softmax of fixed logits divided by a temperature T (a slider): the probabilities, and the
    diagonal of the Jacobian ∂p_i/∂z_i = p_i(1 − p_i) (from ``softmax_jacobian``).

    >>> fig = interactive_softmax(temperatures=(1.0, 100.0))
    >>> [round(p, 2) for p in fig.frames["1"]["data"][0]["y"]]   # a high temperature: nearly uniform
    [0.25, 0.25, 0.25, 0.25]
    """
    from ..activations import softmax, softmax_jacobian
    from .activations import show_softmax

    z = np.asarray(logits, dtype=np.float64)
    names = [f"z{i + 1} = {_fmt(v)}" for i, v in enumerate(z)]
    frames = {}
    for i, t in enumerate(temperatures):
        p = softmax(z / t)
        jac = np.diagonal(softmax_jacobian(z / t))
        frames[str(i)] = {
            "data": [{"type": "bar", "x": names, "y": _series(p), "name": "probability p_i",
                      "marker": {"color": PALETTE[0]}},
                     {"type": "bar", "x": names, "y": _series(jac), "name": "∂p_i/∂z_i (per unit of z/T)",
                      "marker": {"color": PALETTE[1], "pattern": {"shape": "/"}}}],
            "layout": {"title": {"text": f"softmax(z / T), T = {_fmt(t)}"}, "barmode": "group",
                       "xaxis": {"title": {"text": "logit"}, **_AXIS},
                       "yaxis": {"title": {"text": ""}, "range": [0, 1], **_AXIS}},
            "describe": (f"Temperature {_fmt(t)}: probabilities " + ", ".join(f"{_fmt(_num(v))}" for v in p)
                         + f" for logits {', '.join(_fmt(v) for v in z)}; the largest is {_fmt(_num(p.max()))}.")}
    default_i = int(np.argmin(np.abs(np.array(temperatures) - default)))
    return InteractiveFigure("ifig-softmax-temperature", [Control("Temperature T", tuple(temperatures), default=default_i)],
                             frames, show_softmax(temperatures=temperatures[1:4]) if static else None,
                             caption="Softmax: move the temperature slider; low T sharpens, high T flattens.",
                             note="The figure above shows softmax at three temperatures; with JavaScript, a slider "
                                  "here redraws the probabilities for each temperature.")


# ---- experiments ----------------------------------------------------------------------------

def interactive_vanishing_gradients(results) -> InteractiveFigure:
    """Gradient norm per layer at initialisation, chosen by depth, activation and initialisation.

    ``results`` are :class:`course_lib.experiments.vanishing_gradients.VanishingResult` objects of
    different depths over the same activations (the page passes the one it already measured).
    There is no static fallback here: the page's own figure is the static version.
    """
    results = sorted(results, key=lambda r: r.depth)
    acts = results[0].activations
    if any(r.activations != acts for r in results):
        raise ValueError("the vanishing-gradient results must cover the same activations")
    kinds = ("matched", "mismatched")
    frames = {}
    for (i, r), (j, act), (k, kind) in itertools.product(enumerate(results), enumerate(acts), enumerate(kinds)):
        g = r.geometric_mean(act, kind)
        layers = np.arange(1, len(g) + 1)
        init = r.inits[act, kind]
        ratio = r.first_to_last(act, kind)
        frames[f"{i}-{j}-{k}"] = {
            "data": [{"x": layers.tolist(), "y": _series(np.where(g > 0, g, np.nan)), "name": f"{act}, {init}",
                      "mode": "lines+markers", "line": _F, "marker": {"size": 5}}],
            "layout": {"title": {"text": f"{r.depth} hidden layers, {get(act).title}, {init}"},
                       "xaxis": {"title": {"text": "layer (1 = next to the input)"}, **_AXIS},
                       "yaxis": {"title": {"text": "‖∂L/∂W‖"}, "type": "log", "exponentformat": "power", **_AXIS},
                       "showlegend": False},
            "describe": (f"{get(act).title}, {init} initialisation, {r.depth} hidden layers: the first hidden "
                         f"layer's gradient norm is {_fmt(_num(ratio))} times the last hidden layer's.")}
    controls = [Control("Depth (hidden layers)", tuple(r.depth for r in results), default=len(results) - 1),
                Control("Activation", tuple(acts), labels=tuple(get(a).title for a in acts)),
                Control("Initialisation", kinds, labels=("matched to the activation", "mismatched"))]
    return InteractiveFigure("ifig-vanishing-gradients", controls, frames, None,
                             caption="Gradient norm per layer at initialisation: choose depth, activation and initialisation.",
                             note="An interactive version of the figure above (depth, activation, initialisation) "
                                  "is shown here when JavaScript runs.")


# ---- the book's build: ship plotly.js -------------------------------------------------------

def plotly_js() -> Path:
    """The plotly.js bundled in the installed ``plotly`` wheel."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise FileNotFoundError(f"plotly.js is not in the plotly package ({path}); reinstall plotly")
    return path


def setup(app):
    """Sphinx extension: copy plotly.js into ``_static`` and load it on pages with interactive figures."""

    def page(app, pagename, templatename, context, doctree):
        if "course-interactive" in context.get("body", ""):
            app.add_js_file("plotly.min.js")

    def copy(app, exception):
        if exception is None and app.builder.format == "html":
            shutil.copyfile(plotly_js(), Path(app.outdir) / "_static" / "plotly.min.js")

    app.connect("html-page-context", page)
    app.connect("build-finished", copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
