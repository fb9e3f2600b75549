"""Helpers used only by the book: property cards, framework tables, the comparison table, and
the plumbing that keeps the prose honest.

Everything here is generated from :data:`course_lib.activations.REGISTRY`, so a chapter can
never state a property the registry (and therefore the test suite) does not back. Functions
ending in ``_markdown`` return MyST Markdown text (tested); :func:`md` wraps text for display
in a notebook, where the book renders it as Markdown.

Numbers in the prose are never typed: a page measures them and calls :func:`glue` (in a cell
tagged ``remove-cell``, so readers see the text, not the plumbing), and the prose shows them with
``{glue:text}`name:.2f```. A sentence that states a *direction* ("ELU leaves fewer dead units
than ReLU") is checked by :func:`claim` right after the measurement, so the build fails with the
sentence quoted when the code stops showing it.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .activations import FAMILIES, REGISTRY, get

__all__ = [
    "ClaimError",
    "EXERCISES",
    "PAGES",
    "claim",
    "comparison",
    "comparison_markdown",
    "cost_ratio",
    "frameworks",
    "frameworks_markdown",
    "glue",
    "glue_defaults",
    "md",
    "measure_cost",
    "page_of",
    "property_card",
    "property_card_markdown",
    "range_math",
]

#: Where each activation is taught: registry name -> docname (without ``.md``). Activations that
#: share a page (SiLU and Swish, softmax and its relatives) point to the same document; the
#: gallery holds the rest. Every name in the registry appears here (a test checks it), and the
#: browser test checks that every one of these pages shows a figure that loaded.
PAGES: dict[str, str] = {
    "identity": "book/outputs/regression",
    "sigmoid": "book/sigmoidal/sigmoid",
    "tanh": "book/sigmoidal/tanh",
    "softsign": "book/sigmoidal/softsign",
    "hard_sigmoid": "book/sigmoidal/hard_sigmoid",
    "hard_tanh": "book/sigmoidal/hard_tanh",
    "relu": "book/rectifiers/relu",
    "leaky_relu": "book/rectifiers/leaky_relu",
    "prelu": "book/rectifiers/prelu",
    "rrelu": "book/practice/gallery",
    "relu6": "book/rectifiers/relu6",
    "leaky_relu6": "book/practice/custom",
    "elu": "book/rectifiers/elu",
    "selu": "book/rectifiers/selu",
    "celu": "book/rectifiers/celu",
    "softplus": "book/smooth/softplus",
    "log_sigmoid": "book/outputs/binary",
    "silu": "book/smooth/swish",
    "swish": "book/smooth/swish",
    "hard_swish": "book/smooth/hard_swish",
    "gelu": "book/smooth/gelu",
    "mish": "book/smooth/mish",
    "squareplus": "book/practice/gallery",
    "sparse_plus": "book/practice/gallery",
    "exponential": "book/practice/gallery",
    "tanhshrink": "book/practice/gallery",
    "softshrink": "book/practice/gallery",
    "hardshrink": "book/practice/gallery",
    "threshold": "book/practice/gallery",
    "softmax": "book/outputs/softmax",
    "log_softmax": "book/outputs/softmax",
    "softmin": "book/outputs/softmax",
    "glu": "book/smooth/gated",
    "reglu": "book/smooth/gated",
    "geglu": "book/smooth/gated",
    "swiglu": "book/smooth/gated",
    "maxout": "book/practice/gallery",
}

#: The graded assignments: id -> title (the student notebook is exercises/<id>/<id>.ipynb).
EXERCISES: dict[str, str] = {
    "a1_sigmoid_tanh": "Sigmoid and tanh",
    "a2_relu_family": "The ReLU family",
    "a3_smooth": "Smooth activations",
    "a4_softmax": "Softmax",
    "a5_backprop": "Backpropagation",
    "a6_design": "Design your own activation",
}


def page_of(name: str) -> str:
    """The document that teaches ``name``.

    >>> page_of("relu")
    'book/rectifiers/relu'
    """
    get(name)  # a helpful KeyError for typos
    return PAGES[name]


def _num(v: float) -> str:
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.4g}"


def _attained(a, bound: float) -> bool:
    """Whether the activation record ``a`` takes the value ``bound`` at some finite input.

    Decided from the library's own values on a grid of ``[-10, 10]`` (step 0.01, with the
    default parameters): a bound is attained when some input gives it exactly (a flat piece,
    as ReLU's 0 or ReLU6's 6), or when the closest output lies inside the grid, not at its ends
    (an interior minimum, as GELU's). A bound approached only towards the ends of the grid is a
    limit at infinity (sigmoid's 0 and 1, ELU's -1), which no finite input reaches.
    """
    x = np.linspace(-10.0, 10.0, 2001)
    if a.elementwise:
        y = np.asarray(a.fn(x, **a.params))
    else:  # rows (x, 0): the other entries fixed, so the grid's ends are the rows' extremes
        y = np.asarray(a.fn(np.stack([x, np.zeros_like(x)], axis=1), **a.params))[:, 0]
    if np.any(y == bound):
        return True
    i = int(np.argmin(np.abs(y - bound)))
    return 20 <= i <= len(x) - 21 and abs(y[i] - bound) <= 1e-6 * (1.0 + abs(bound))


def range_math(name: str) -> str:
    """The exact output range of ``name`` as TeX: a bracket where a finite input reaches the
    end, a parenthesis where the end is only a limit (or infinite).

    >>> print(range_math("sigmoid"), range_math("relu6"), range_math("elu"))
    $(0, 1)$ $[0, 6]$ $(-1, \\infty)$
    """
    a = get(name)
    lo, hi = a.output_range
    if a.elementwise is False and (lo, hi) == (-math.inf, math.inf):
        return "$\\mathbb{R}$"
    left = "[" if math.isfinite(lo) and _attained(a, lo) else "("
    right = "]" if math.isfinite(hi) and _attained(a, hi) else ")"
    return f"${left}{_num(lo)}, {_num(hi)}{right}$"


def _yes(v: bool | None) -> str:
    return "—" if v is None else ("yes" if v else "no")


def _params(params) -> str:
    return ", ".join(f"`{k}={v!r}`" for k, v in params.items()) or "none"


_SMOOTH = {
    "C∞": "smooth ($C^\\infty$)",
    "C1": "continuously differentiable ($C^1$)",
    "C0": "continuous, with corners ($C^0$)",
    "discontinuous": "discontinuous (jumps)",
    None: "—",
}
_SAT = {
    "both": "both tails ($f' \\to 0$ as $x \\to \\pm\\infty$)",
    "left": "left tail only ($f' \\to 0$ as $x \\to -\\infty$)",
    "right": "right tail only ($f' \\to 0$ as $x \\to +\\infty$)",
    "none": "neither tail",
}


def _cell_math(tex: str) -> str:
    """TeX made safe for a Markdown table cell: ``|`` would end the cell, so use ``\\vert``."""
    return tex.replace("|", r"\vert ")


def property_card_markdown(name: str) -> str:
    """A two-column Markdown table of everything the registry records about ``name``.

    The derivative at each kink is *computed* by the library, so the card shows the convention
    the tests pin, not a number typed into a chapter.

    >>> "| Output range | $(0, 1)$ |" in property_card_markdown("sigmoid")
    True
    >>> "| Output range | $[0, \\\\infty)$ |" in property_card_markdown("relu")
    True
    """
    a = get(name)
    rows = [
        ("Definition", f"$f(x) = {_cell_math(a.formula)}$" if a.elementwise else f"${_cell_math(a.formula)}$"),
        ("Derivative", f"$f'(x) = {_cell_math(a.derivative)}$" if a.elementwise
         else f"${_cell_math(a.derivative)}$"),
        ("Output range", range_math(name)),
    ]
    if a.elementwise:
        bounds = {(True, True): "above and below", (True, False): "below only",
                  (False, True): "above only", (False, False): "neither side"}
        rows += [
            ("Bounded", bounds[(a.bounded_below, a.bounded_above)]),
            ("Monotonic", _yes(a.monotonic)),
            ("Zero-centred (odd)", _yes(a.zero_centred)),
            ("Smoothness", _SMOOTH[a.smoothness]),
            ("Saturates", _SAT[a.saturating]),
            ("Self-normalising", _yes(a.self_normalising)),
        ]
        if a.kinks:
            conv = ", ".join(f"$f'({_num(k)}) = {_num(float(a.derivative_at(k)))}$" for k in a.kinks)
            rows.append(("Kinks (library's $f'$ there)", conv))
        else:
            rows.append(("Kinks", "none"))
    else:
        rows.append(("Acts on", "a whole vector (along `axis`); the backward pass is a vector–Jacobian product"))
    rows += [
        ("Default parameters", _params(a.params)),
        ("Notable variants", "; ".join(_params(v) for v in a.variants) or "—"),
        ("Family", FAMILIES[a.family]),
        ("Introduced", f"{a.year}: {a.paper} {{cite:p}}`{a.bibkey}`"),
        ("PyTorch", f"`{a.pytorch}`" if a.pytorch else "none built in"),
        ("Keras", f"`{a.keras}`" if a.keras else "none built in"),
    ]
    if a.framework_notes:
        rows.append(("Framework notes", a.framework_notes))
    body = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return f"| {a.title} | |\n|:--|:--|\n{body}\n"


def frameworks_markdown(names) -> str:
    """A table of the PyTorch and Keras names (and disagreements) for ``names``.

    >>> print(frameworks_markdown(["relu"]).splitlines()[2])
    | ReLU | `torch.nn.ReLU` | `keras.activations.relu` | none | — |
    """
    lines = ["| Activation | PyTorch | Keras | Library defaults | Where frameworks differ |",
             "|:--|:--|:--|:--|:--|"]
    for name in names:
        a = get(name)
        lines.append(
            f"| {a.title} | {f'`{a.pytorch}`' if a.pytorch else 'none'} | "
            f"{f'`{a.keras}`' if a.keras else 'none'} | {_params(a.params)} | {a.framework_notes or '—'} |")
    return "\n".join(lines) + "\n"


def measure_cost(name: str, n: int = 100_000, repeats: int = 5, seed: int = 0, params=None) -> float:
    """Median time of one forward plus backward pass, in nanoseconds per element.

    The input is ``n`` standard-normal float64 values; the backward pass is the elementwise
    derivative, or the vector-Jacobian product with an all-ones upstream gradient for the
    vector-valued activations (on rows of 8 values). ``params`` override the record's defaults
    (e.g. ``{"approximate": "tanh"}`` for GELU).
    """
    a = get(name)
    kw = {**a.params, **(params or {})}
    x = np.random.default_rng(seed).standard_normal(n)
    if a.elementwise:
        def run():
            a.fn(x, **kw)
            a.grad(x, **kw)
    else:
        xv = x.reshape(-1, 8)
        g = np.ones_like(a.fn(xv, **kw))

        def run():
            a.fn(xv, **kw)
            a.grad(xv, g, **kw)
    run()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) / n * 1e9


def comparison_markdown(names=None, costs: dict[str, float] | None = None) -> str:
    """One row per activation: exact range, properties and the measured cost.

    ``costs`` maps names to nanoseconds per element (forward + backward); with ``None`` the
    cost is measured now with :func:`measure_cost`, and shown relative to ReLU as well.
    """
    names = list(REGISTRY) if names is None else list(names)
    if costs is None:
        costs = {n: measure_cost(n) for n in set(names) | {"relu"}}
    ref = costs.get("relu")
    lines = ["| Activation | Range | Monotonic | Odd | Smoothness | Saturates | ns/element (f + f′) | × ReLU |",
             "|:--|:--|:-:|:-:|:--|:--|--:|--:|"]
    for name in names:
        a = get(name)
        rel = f"{costs[name] / ref:.1f}" if ref else "—"
        lines.append(
            f"| {{doc}}`{a.title} </{PAGES[name]}>` | {range_math(name)} | "
            f"{_yes(a.monotonic)} | {_yes(a.zero_centred)} | {a.smoothness or 'vector'} | "
            f"{a.saturating if a.elementwise else '—'} | {costs[name]:.1f} | {rel} |")
    return "\n".join(lines) + "\n"


def md(text: str):
    """Wrap Markdown text for display in a notebook (rendered as MyST by the book)."""
    from IPython.display import Markdown

    return Markdown(text)


def property_card(name: str):
    """Display the property card of ``name`` (see :func:`property_card_markdown`)."""
    return md(property_card_markdown(name))


def frameworks(names):
    """Display the framework table for ``names`` (see :func:`frameworks_markdown`)."""
    return md(frameworks_markdown(names))


def comparison(names=None):
    """Measure and display the comparison table (see :func:`comparison_markdown`)."""
    return md(comparison_markdown(names))


def cost_ratio(name: str, ref: str = "relu", repeats: int = 5, params=None) -> float:
    """Measured cost of ``name`` (forward + backward, :func:`measure_cost`, with ``params``)
    divided by that of ``ref`` (with its defaults).

    The activation pages glue this number instead of typing "about twice ReLU": it is measured
    on the machine that builds the book, as the comparison table is.
    """
    return measure_cost(name, repeats=repeats, params=params) / measure_cost(ref, repeats=repeats)


def glue(name: str, value, display: bool = False):
    """Glue ``value`` under ``name`` for the page's prose (``{glue:text}`name:.2f```); returns ``value``.

    A thin wrapper of :func:`myst_nb.glue` that does not display the value by default and turns
    NumPy scalars into Python numbers (whose text myst-nb can format), so a page's hidden cell
    can measure, glue and :func:`claim` in a few lines.
    """
    from myst_nb import glue as _glue

    if isinstance(value, np.generic):  # np.float64(0.5) would be glued as its repr, not as 0.5
        value = value.item()
    _glue(name, value, display=display)
    return value


def glue_defaults(prefix: str, fn) -> dict:
    """Glue every default argument of the experiment ``fn`` as ``{prefix}_{argument}``; return them.

    A page that describes its set-up ("two hidden layers of 64 units, 8 epochs") cites these
    instead of typing them, so the text follows the code when a default changes. A tuple is
    glued as its comma-separated text, with its length as ``{prefix}_{argument}_n`` and its first
    and last entries as ``_0`` and ``_last``.
    """
    import inspect

    out = {}
    for name, p in inspect.signature(fn).parameters.items():
        if p.default is inspect.Parameter.empty:
            continue
        value = p.default
        if isinstance(value, tuple):
            glue(f"{prefix}_{name}", ", ".join(str(v) for v in value))
            glue(f"{prefix}_{name}_n", len(value))
            if value:
                glue(f"{prefix}_{name}_0", value[0])
                glue(f"{prefix}_{name}_last", value[-1])
        elif isinstance(value, (int, float, str)):
            glue(f"{prefix}_{name}", value)
        out[name] = value
    return out


class ClaimError(AssertionError):
    """A sentence of the book that the measurement on the page contradicts."""


def claim(condition, text: str, **measured) -> str:
    """Check a claim the prose makes; return its text, or raise :class:`ClaimError` quoting it.

    ``condition`` is the comparison the sentence states, computed from the page's measurement;
    ``measured`` are the numbers it compares, shown in the error so the author sees by how much
    the claim failed. A page calls this right after measuring, so the book cannot build while
    its text says the opposite of its own results.

    >>> claim(2.0 > 1.0, "ELU costs more than ReLU")
    'ELU costs more than ReLU'
    >>> claim(0.2 < 0.1, "ELU leaves fewer dead units than ReLU", elu=0.2, relu=0.1)
    Traceback (most recent call last):
    ...
    course_lib.book.ClaimError: the book claims "ELU leaves fewer dead units than ReLU", but the measurement disagrees (elu=0.2, relu=0.1)
    """
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"claim {text!r}: the condition must be a bool (a comparison), got {type(condition).__name__}")
    if not condition:
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in measured.items())
        raise ClaimError(f'the book claims "{text}", but the measurement disagrees' + (f" ({shown})" if shown else ""))
    return text
