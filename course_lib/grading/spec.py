"""The six graded assignments as data.

One :class:`Assignment` per notebook: its parts (text, signature, reference solution body),
and one :class:`Test` per graded test cell with its input :class:`Case` s. Three consumers
read this module and nothing else, so they cannot drift apart:

* :mod:`course_lib.grading.notebook_template` writes the nbgrader source notebooks;
* :mod:`course_lib.grading.checks` runs a test cell's cases in the student's kernel;
* :mod:`course_lib.grading.recheck` re-runs every case (plus inputs drawn at grading time)
  in an isolated process and compares in the trusted process.

Expected values always come from :mod:`course_lib.activations` (the ``reference`` of a test),
never from the solution bodies below, which are only what the reference notebook contains.

**Visible and hidden inputs.** Every kind of input a hidden case checks (float32, ±inf, NaN, a
scalar, a 2-D array, the kinks, the tails, a gradient check, ...) also has a *visible* case with
different values, so passing the visible tests and the re-check on random inputs (what
``course check`` runs) predicts the grade. The hidden values themselves are in
:mod:`course_lib.grading.hidden_cases`, which the student package leaves out; without it this
module has no hidden cases (``HIDDEN_AVAILABLE`` is False).

>>> [a.id for a in ASSIGNMENTS]
['a1_sigmoid_tanh', 'a2_relu_family', 'a3_smooth', 'a4_softmax', 'a5_backprop', 'a6_design']
>>> get_test("a1_sigmoid_tanh", "test_sigmoid_values").function
'sigmoid'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from textwrap import dedent

import numpy as np

from .. import activations as A

try:  # the instructor's held-out values; not in the student package
    from . import hidden_cases as _H
except ImportError:  # pragma: no cover -- the student package
    _H = None

HIDDEN_AVAILABLE = _H is not None

__all__ = [
    "ASSIGNMENTS",
    "FORBIDDEN_MODULES",
    "HIDDEN_AVAILABLE",
    "Assignment",
    "Case",
    "Part",
    "Test",
    "get_assignment",
    "get_test",
]

#: Modules a solution may not use: the reference library and the frameworks that ship the answers.
FORBIDDEN_MODULES = ("course_lib", "torch", "scipy", "tensorflow", "jax", "keras")

F64 = {"rtol": 1e-9, "atol": 1e-300}
F32 = {"rtol": 1e-5, "atol": 1e-37}


@dataclass(frozen=True)
class Case:
    """One kind of input: ``make(rng) -> (args, kwargs)``.

    ``kind`` names it in messages ("large negative inputs"); ``hidden`` cases never print
    their inputs; ``random`` cases are drawn at grading time and run only in the re-check;
    ``no_warnings`` cases (the stability tests) fail if any warning is raised.
    """

    kind: str
    make: Callable[[np.random.Generator], tuple[tuple, dict]]
    hidden: bool = False
    random: bool = False
    no_warnings: bool = False
    rtol: float = 1e-9
    atol: float = 1e-300
    reference: Callable | None = None  #: expected values from this instead of the test's reference


@dataclass(frozen=True)
class Test:
    """One graded test cell: ``function`` is called on every case and compared with ``reference``."""

    grade_id: str
    function: str
    doc: str  #: the test cell's docstring, "Check that ..."
    reference: Callable
    cases: tuple[Case, ...]
    points: int = 1
    outputs: tuple[str, ...] | None = None  #: names of the returned tuple's items; None: one array
    compare: tuple[int, ...] | None = None  #: which outputs this test grades (default: all)
    gradcheck: bool = False  #: in the kernel, also compare the gradients with central differences of the loss


@dataclass(frozen=True)
class Part:
    title: str
    text: str  #: the specification (markdown)
    code: str  #: the signature, docstring and ``### BEGIN SOLUTION`` body
    tests: tuple[Test, ...]
    try_it: str = ""  #: an ungraded "try it" cell (a plot)

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tests)


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    intro: str
    parts: tuple[Part, ...]
    written: Mapping[str, object] | None = None  #: a manually graded answer: grade_id, points, question, answer
    epilogue: str = ""  #: an ungraded exploration after the parts (code)

    @property
    def tests(self) -> tuple[Test, ...]:
        return tuple(t for p in self.parts for t in p.tests)

    @property
    def functions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.function for t in self.tests))

    @property
    def points(self) -> int:
        return sum(p.points for p in self.parts) + int((self.written or {}).get("points", 0))


# ---- input cases ------------------------------------------------------------------------

def _arr(values, dtype=np.float64, kw=None):
    kw = dict(kw or {})
    return lambda rng: ((np.array(values, dtype=dtype),), dict(kw))


def _scalar(value, kw=None):
    kw = dict(kw or {})
    return lambda rng: ((float(value),), dict(kw))


def _rand(draw, dtype=np.float64, kw=None):
    kw = dict(kw or {})
    return lambda rng: ((np.asarray(draw(rng), dtype=dtype),), dict(kw))


def _hidden(build) -> tuple[Case, ...]:
    """``build(hidden_cases)``: the hidden case(s) it returns, or none in the student package."""
    if _H is None:
        return ()
    made = build(_H)
    made = (made,) if isinstance(made, Case) else tuple(made)
    assert all(c.hidden for c in made)
    return made


def _f32(atol):
    return {**F32, "atol": max(atol * 1e6, 1e-37)}


ORDINARY = [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
ORDINARY32 = [-4.25, -2.75, -1.25, -0.25, 0.25, 1.25, 2.75, 4.25]
EXTREME = [-1000.0, -750.0, -100.0, 100.0, 750.0, 1000.0]
EXTREME32 = [-95.0, -60.0, 60.0, 95.0]


def _recheck_order(cases: list[Case]) -> tuple[Case, ...]:
    """The first visible case, then the inputs a notebook never sees (random, hidden), then the
    other visible cases. The kernel runs only the visible ones, in their order; the re-check, which
    reports a few failures per test, thus names the random and hidden kinds early."""
    visible = [c for c in cases if not c.hidden and not c.random]
    return (*visible[:1], *[c for c in cases if c.random], *[c for c in cases if c.hidden], *visible[1:])


def elementwise_values(kinks=(0.0,), kw=None, atol=1e-300, extra=()) -> tuple[Case, ...]:
    """Each kind of input with visible values and (instructors only) hidden ones: ordinary inputs,
    each kink with its neighbours, a scalar, a 2-D array, float32, NaN and ``extra``; random inputs
    (re-check only)."""
    cases = [Case("ordinary inputs", _arr(ORDINARY, kw=kw), atol=atol)]
    for k in kinks:
        kind = f"x = {k:g} exactly"
        cases += [Case(kind, _arr([k - 0.25, k, k + 0.25], kw=kw), atol=atol),
                  *_hidden(lambda H, k=k, kind=kind: Case(kind, _arr([k], kw=kw), hidden=True, atol=atol))]
    cases += [
        Case("a scalar (Python float) input", _scalar(-1.25, kw), atol=atol),
        *_hidden(lambda H: Case("a scalar (Python float) input", _scalar(H.SCALAR, kw), hidden=True, atol=atol)),
        Case("a 2-D array", _arr(np.linspace(-2.5, 2.5, 6).reshape(2, 3), kw=kw), atol=atol),
        *_hidden(lambda H: Case("a 2-D array", _arr(H.GRID_2D, kw=kw), hidden=True, atol=atol)),
        Case("float32 input", _arr(ORDINARY32, np.float32, kw), **_f32(atol)),
        *_hidden(lambda H: Case("float32 input", _arr(H.ORDINARY32, np.float32, kw), hidden=True, **_f32(atol))),
        Case("NaN input", _arr([2.0, np.nan, -3.0], kw=kw), atol=atol),
        *_hidden(lambda H: Case("NaN input", _arr(H.NAN, kw=kw), hidden=True, atol=atol)),
        *extra,
        Case("random inputs", _rand(lambda r: r.normal(0.0, 4.0, 64), kw=kw), random=True, atol=atol),
        Case("random float32 inputs", _rand(lambda r: r.normal(0.0, 4.0, 64), np.float32, kw),
             random=True, **_f32(atol)),
    ]
    return _recheck_order(cases)


def elementwise_stability(tails=(), kw=None, atol=1e-300, name=None) -> tuple[Case, ...]:
    """Extremes without any warning, float32 extremes and (with ``tails``) the tails, each visible
    and hidden (the hidden tails of function ``name``); random extremes (re-check only)."""
    tails_kind = "the tails and tiny inputs (relative accuracy)"
    cases = [
        Case("large negative and positive inputs (|x| up to 1000)", _arr(EXTREME, kw=kw), no_warnings=True,
             atol=atol),
        Case("large float32 inputs", _arr(EXTREME32, np.float32, kw), no_warnings=True, **_f32(atol)),
        *_hidden(lambda H: Case("large float32 inputs", _arr(H.EXTREME32, np.float32, kw), hidden=True,
                                no_warnings=True, **_f32(atol))),
    ]
    if tails:
        cases += [Case(tails_kind, _arr(tails, kw=kw), no_warnings=True, atol=atol),
                  *_hidden(lambda H: Case(tails_kind, _arr(H.TAILS[name], kw=kw), hidden=True, no_warnings=True,
                                          atol=atol))]
    cases.append(Case("random large inputs", _rand(lambda r: r.uniform(-1000.0, 1000.0, 64), kw=kw),
                      random=True, no_warnings=True, atol=atol))
    return _recheck_order(cases)


_PRIMAL: dict[str, Callable] = {}  #: the function a ``*_grad`` differentiates, where the name does not say
GRADCHECK_POINTS = [-2.9, -1.3, -0.7, 0.35, 1.6, 2.8]  # away from every kink of the course
_GRADCHECK_KIND = "a gradient check (central differences of the function)"


def _gradient_check_cases(primal: Callable, kw=None) -> tuple[Case, ...]:
    """A visible and a hidden case comparing a derivative with central differences of the function itself."""
    from ..gradcheck import numerical_derivative

    def numeric(x, **params):
        return numerical_derivative(primal, x, **params)

    opts = {"rtol": 1e-6, "atol": 1e-9, "reference": numeric}
    return (Case(_GRADCHECK_KIND, _arr(GRADCHECK_POINTS, kw=kw), **opts),
            *_hidden(lambda H: Case(_GRADCHECK_KIND, _arr(H.GRADCHECK_POINTS, kw=kw), hidden=True, **opts)))


_INF_KIND = "x = -inf and +inf"


def _fn_tests(name: str, what: str, reference: Callable, *, kinks=(0.0,), tails=(), kw=None,
              atol=1e-300, extra=(), inf=False) -> tuple[Test, Test]:
    extra = tuple(extra)
    if inf:
        extra += (Case(_INF_KIND, _arr([-np.inf, 0.5, np.inf], kw=kw), atol=atol),
                  *_hidden(lambda H: Case(_INF_KIND, _arr(H.INF, kw=kw), hidden=True, atol=atol)))
    if name.endswith("_grad"):
        primal = _PRIMAL.get(name) or getattr(A, name[: -len("_grad")])
        extra += _gradient_check_cases(primal, kw)
    return (
        Test(f"test_{name}_values", name, f"Check that {name} {what}.", reference,
             elementwise_values(kinks, kw, atol, extra)),
        Test(f"test_{name}_stability", name,
             f"Check that {name} raises no warning and stays accurate at extreme inputs.",
             reference, elementwise_stability(tails, kw, atol, name)),
    )


# ---- Assignment 1: sigmoid and tanh -----------------------------------------------------

_SHAPES = """\
**Shapes and dtypes** (every function in this notebook): `x` is a Python float or a NumPy
array of any shape; return a NumPy array (or NumPy scalar) of the **same shape**; float32 in,
float32 out, float64 otherwise; NaN in, NaN out; never modify `x` in place.
"""

A1 = Assignment(
    "a1_sigmoid_tanh",
    "Assignment 1 — Sigmoid and tanh",
    dedent("""\
    The two classic squashing functions and their derivatives, computed so that they never
    overflow and stay accurate far out in the tails. See the book's chapter *Sigmoidal activations*.
    """) + "\n" + _SHAPES,
    (
        Part(
            "sigmoid",
            dedent(r"""
            Implement the logistic sigmoid $\sigma(x) = \dfrac{1}{1 + e^{-x}}$.

            * It must not overflow: `sigmoid(-1000.0)` is `0.0` and `sigmoid(1000.0)` is `1.0`,
              **without any RuntimeWarning** (a warning is a failed stability test).
            * Hint: $e^{-|x|}$ never overflows; write both branches in terms of it.
            """),
            dedent('''\
            def sigmoid(x):
                """The logistic sigmoid 1 / (1 + exp(-x)), elementwise and overflow-free."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
                return np.where(x >= 0, 1 / (1 + z), z / (1 + z))
                ### END SOLUTION
            '''),
            _fn_tests("sigmoid", "matches 1 / (1 + exp(-x)) and keeps shape and dtype", A.sigmoid,
                      kinks=(0.0,), tails=(-650.0, -120.0, -35.0, 36.0), inf=True),
            "xs = np.linspace(-8, 8, 401)\nplt.plot(xs, sigmoid(xs))\nplt.title('sigmoid'); plt.grid(True)",
        ),
        Part(
            "the derivative of sigmoid",
            dedent(r"""
            Implement $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$.

            * **Accurate in the tails**: at $x = 40$ the true value is about $4.2 \cdot 10^{-18}$,
              but $1 - \sigma(40)$ rounds to 0. Your result must have a small *relative* error
              for $|x|$ up to 700 (hint: $\sigma'(x) = e^{-|x|} / (1 + e^{-|x|})^2$).
            * No warnings at $|x| = 1000$.
            """),
            dedent('''\
            def sigmoid_grad(x):
                """The derivative of the sigmoid, accurate in both tails."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = np.exp(-np.abs(x))
                return z / (1 + z) ** 2
                ### END SOLUTION
            '''),
            _fn_tests("sigmoid_grad", "matches sigma(x) (1 - sigma(x)) and keeps shape and dtype",
                      A.sigmoid_grad, kinks=(0.0,), tails=(-600.0, -45.0, 45.0, 250.0, 650.0), inf=True),
            "plt.plot(xs, sigmoid_grad(xs))\nplt.title(\"sigmoid'\"); plt.grid(True)",
        ),
        Part(
            "tanh",
            dedent(r"""
            Implement $\tanh x = \dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$ (you may call `np.tanh`,
            or build it from `np.exp`/`np.expm1` — then make sure it neither overflows nor loses
            precision near 0).
            """),
            dedent('''\
            def tanh(x):
                """The hyperbolic tangent, elementwise."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = np.expm1(-2 * np.abs(x))  # e^{-2|x|} - 1, exact near 0
                return np.sign(x) * (-z / (2 + z))
                ### END SOLUTION
            '''),
            _fn_tests("tanh", "matches tanh(x) and keeps shape and dtype", A.tanh,
                      kinks=(0.0,), tails=(-650.0, -25.0, -3e-12, 2e-10, 25.0), inf=True),
            "plt.plot(xs, tanh(xs))\nplt.title('tanh'); plt.grid(True)",
        ),
        Part(
            "the derivative of tanh",
            dedent(r"""
            Implement $\tanh'(x) = 1 - \tanh^2 x$.

            * **Accurate in the tails**: $1 - \tanh^2(20)$ rounds to 0 although the true value is
              about $1.7 \cdot 10^{-17}$ (hint: $\tanh'(x) = 4 e^{-2|x|} / (1 + e^{-2|x|})^2$).
            * No warnings at $|x| = 1000$.
            """),
            dedent('''\
            def tanh_grad(x):
                """The derivative of tanh, accurate in both tails."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = np.exp(-2 * np.abs(x))
                return 4 * z / (1 + z) ** 2
                ### END SOLUTION
            '''),
            _fn_tests("tanh_grad", "matches 1 - tanh(x)**2 and keeps shape and dtype", A.tanh_grad,
                      kinks=(0.0,), tails=(-250.0, -22.0, 18.0, 350.0), inf=True),
            "plt.plot(xs, tanh_grad(xs))\nplt.title(\"tanh'\"); plt.grid(True)",
        ),
    ),
)

# ---- Assignment 2: the ReLU family ------------------------------------------------------

_NAN_KEEP = "return np.where(np.isnan(x), x, g)"
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _rect_part(title, text, code, name, what, ref, grad_name, grad_what, grad_ref, *, kinks=(0.0,),
               kw=None, tails=()):
    return Part(
        title, text, code,
        _fn_tests(name, what, ref, kinks=kinks, kw=kw, tails=tails, inf=True)
        + _fn_tests(grad_name, grad_what, grad_ref, kinks=kinks, kw=kw, tails=tails, inf=True),
        f"xs = np.linspace(-8, 8, 801)\nplt.plot(xs, {name}(xs), label='{name}')\n"
        f"plt.plot(xs, {grad_name}(xs), label='{grad_name}')\nplt.legend(); plt.grid(True)",
    )


A2 = Assignment(
    "a2_relu_family",
    "Assignment 2 — The ReLU family",
    dedent("""\
    ReLU and its relatives, each with its derivative. At a kink the derivative is not defined;
    frameworks pick a value, and so do we: **the PyTorch conventions**, stated in each part and
    tested at the kink itself.
    """) + "\n" + _SHAPES,
    (
        _rect_part(
            "ReLU",
            r"Implement $\operatorname{relu}(x) = \max(x, 0)$ and its derivative, with **relu'(0) = 0**.",
            dedent(f'''\
            def relu(x):
                """max(x, 0), elementwise."""
                ### BEGIN SOLUTION
                return np.maximum(x, 0)
                ### END SOLUTION


            def relu_grad(x):
                """1 for x > 0, 0 for x <= 0 (relu'(0) = 0); NaN stays NaN."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                g = (x > 0).astype(x.dtype)
                {_NAN_KEEP}
                ### END SOLUTION
            '''),
            "relu", "is max(x, 0)", A.relu, "relu_grad", "is 1 for x > 0 and 0 for x <= 0", A.relu_grad),
        _rect_part(
            "Leaky ReLU",
            r"Implement $x$ for $x > 0$, $s\,x$ otherwise (default slope $s = 0.01$), and its "
            r"derivative with **leaky_relu'(0) = s**.",
            dedent(f'''\
            def leaky_relu(x, negative_slope=0.01):
                """x for x > 0, negative_slope * x otherwise."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return np.where(x > 0, x, negative_slope * x)
                ### END SOLUTION


            def leaky_relu_grad(x, negative_slope=0.01):
                """1 for x > 0, negative_slope for x <= 0."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                g = np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
                {_NAN_KEEP}
                ### END SOLUTION
            '''),
            "leaky_relu", "is x or 0.01 x", A.leaky_relu, "leaky_relu_grad", "is 1 or the slope (slope at 0)",
            A.leaky_relu_grad),
        _rect_part(
            "ReLU6",
            r"Implement $\min(\max(x, 0), 6)$ and its derivative: 1 on the open interval $(0, 6)$, "
            r"**0 at both corners** $x = 0$ and $x = 6$.",
            dedent(f'''\
            def relu6(x):
                """min(max(x, 0), 6), elementwise."""
                ### BEGIN SOLUTION
                return np.clip(x, 0, 6)
                ### END SOLUTION


            def relu6_grad(x):
                """1 on (0, 6), 0 elsewhere (including x = 0 and x = 6)."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                g = ((x > 0) & (x < 6)).astype(x.dtype)
                {_NAN_KEEP}
                ### END SOLUTION
            '''),
            "relu6", "is min(max(x, 0), 6)", A.relu6, "relu6_grad", "is 1 on (0, 6) and 0 at the corners",
            A.relu6_grad, kinks=(0.0, 6.0)),
        _rect_part(
            "ELU",
            r"Implement $x$ for $x > 0$, $\alpha(e^{x} - 1)$ otherwise (default $\alpha = 1$) and its "
            r"derivative $\alpha e^{x}$ for $x \le 0$ (**elu'(0) = α**). Neither may overflow at "
            r"$x = 1000$ (`np.where` evaluates *both* branches!) and $e^{x} - 1$ must stay accurate "
            r"near 0 (`np.expm1`).",
            dedent('''\
            def elu(x, alpha=1.0):
                """x for x > 0, alpha * (exp(x) - 1) otherwise."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
                ### END SOLUTION


            def elu_grad(x, alpha=1.0):
                """1 for x > 0, alpha * exp(x) for x <= 0."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return np.where(x > 0, np.ones_like(x), alpha * np.exp(np.minimum(x, 0)))
                ### END SOLUTION
            '''),
            "elu", "is x or alpha (exp(x) - 1)", A.elu, "elu_grad", "is 1 or alpha exp(x) (alpha at 0)",
            A.elu_grad, tails=(-3e-11, -700.0, 5e-11)),
        _rect_part(
            "SELU",
            r"Implement $\operatorname{selu}(x) = \lambda\,\operatorname{elu}_\alpha(x)$ with "
            r"$\alpha = 1.6732632423543772848$, $\lambda = 1.0507009873554804934$, and its derivative "
            r"(**selu'(0) = λα**). Reuse your ELU.",
            dedent(f'''\
            SELU_ALPHA = {SELU_ALPHA!r}
            SELU_SCALE = {SELU_SCALE!r}


            def selu(x):
                """SELU_SCALE * elu(x, SELU_ALPHA)."""
                ### BEGIN SOLUTION
                return SELU_SCALE * elu(x, SELU_ALPHA)
                ### END SOLUTION


            def selu_grad(x):
                """SELU_SCALE for x > 0, SELU_SCALE * SELU_ALPHA * exp(x) for x <= 0."""
                ### BEGIN SOLUTION
                return SELU_SCALE * elu_grad(x, SELU_ALPHA)
                ### END SOLUTION
            '''),
            "selu", "is scale * elu(x, alpha)", A.selu, "selu_grad", "is the derivative of SELU (scale*alpha at 0)",
            A.selu_grad),
        Part(
            "PReLU's gradient with respect to its slope",
            r"PReLU is leaky ReLU with a *learned* slope $\alpha$: $f(x) = x$ for $x > 0$, $\alpha x$ "
            r"otherwise. Implement $\partial f / \partial \alpha$ elementwise (a scalar `alpha`).",
            dedent('''\
            def prelu_grad_alpha(x, alpha=0.25):
                """d prelu(x, alpha) / d alpha, elementwise: 0 for x > 0, x otherwise."""
                ### BEGIN SOLUTION
                return np.minimum(x, 0)
                ### END SOLUTION
            '''),
            (Test("test_prelu_grad_alpha", "prelu_grad_alpha",
                  "Check that prelu_grad_alpha is min(x, 0) and keeps shape and dtype.", A.prelu_grad_alpha,
                  elementwise_values((0.0,), {"alpha": 0.25})),),
        ),
    ),
)

# ---- Assignment 3: smooth activations ---------------------------------------------------

_gelu_tanh = partial(A.gelu, approximate="tanh")
_gelu_tanh_grad = partial(A.gelu_grad, approximate="tanh")
_gelu_tanh.__name__ = "gelu_tanh"  # type: ignore[attr-defined]
_PRIMAL["gelu_tanh_grad"] = _gelu_tanh
_gelu_tanh_grad.__name__ = "gelu_tanh_grad"  # type: ignore[attr-defined]
_ROOT_ATOL = 1e-12  # derivatives with a root: relative error is meaningless right at the root


def _smooth_tests(name, what, ref, *, kw=None, atol=1e-300, tails=()):
    return _fn_tests(name, what, ref, kinks=(0.0,), kw=kw, atol=atol, tails=tails)


A3 = Assignment(
    "a3_smooth",
    "Assignment 3 — Smooth activations",
    dedent("""\
    Softplus, Swish, GELU (tanh form) and Mish: smooth relatives of ReLU. Each is built from
    the sigmoid, the softplus or tanh, so start with a stable helper and reuse it.
    """) + "\n" + _SHAPES,
    (
        Part(
            "softplus",
            dedent(r"""
            Implement $\operatorname{softplus}_\beta(x) = \frac{1}{\beta}\log(1 + e^{\beta x})$ and its
            derivative $\sigma(\beta x)$, for $\beta > 0$ (default 1). No overflow at $x = \pm 1000$
            (hint: $\log(1 + e^{z}) = \max(z, 0) + \operatorname{log1p}(e^{-|z|})$), and accurate in the
            left tail, where softplus $\approx e^{\beta x}$.
            """),
            dedent('''\
            def stable_sigmoid(z):
                """1 / (1 + exp(-z)) without overflow (a helper you may reuse)."""
                ### BEGIN SOLUTION
                z = np.asarray(z)
                e = np.exp(-np.abs(z))
                return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
                ### END SOLUTION


            def softplus(x, beta=1.0):
                """log(1 + exp(beta * x)) / beta, without overflow."""
                ### BEGIN SOLUTION
                z = beta * np.asarray(x)
                return (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
                ### END SOLUTION


            def softplus_grad(x, beta=1.0):
                """sigmoid(beta * x)."""
                ### BEGIN SOLUTION
                return stable_sigmoid(beta * np.asarray(x))
                ### END SOLUTION
            '''),
            _smooth_tests("softplus", "is log(1 + exp(x))", A.softplus, tails=(-650.0, -45.0, 35.0))
            + _smooth_tests("softplus_grad", "is sigmoid(x)", A.softplus_grad, tails=(-600.0, -35.0))
            + (Test("test_softplus_beta", "softplus", "Check that softplus honours beta = 2.",
                    A.softplus, elementwise_values((0.0,), {"beta": 2.0})),),
            "xs = np.linspace(-6, 6, 601)\nfor b in (0.5, 1, 4):\n    plt.plot(xs, softplus(xs, b), label=f'beta={b}')\n"
            "plt.legend(); plt.grid(True)",
        ),
        Part(
            "Swish",
            dedent(r"""
            Implement $\operatorname{swish}_\beta(x) = x\,\sigma(\beta x)$ and its derivative
            $\sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)$ (default $\beta = 1$, i.e. SiLU).
            """),
            dedent('''\
            def swish(x, beta=1.0):
                """x * sigmoid(beta * x)."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return x * stable_sigmoid(beta * x)
                ### END SOLUTION


            def swish_grad(x, beta=1.0):
                """The derivative of swish with respect to x."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                s, t = stable_sigmoid(beta * x), stable_sigmoid(-beta * x)
                return s + beta * x * s * t
                ### END SOLUTION
            '''),
            _smooth_tests("swish", "is x sigmoid(x)", A.swish, tails=(-680.0, -38.0, 42.0))
            + _smooth_tests("swish_grad", "is the derivative of swish", A.swish_grad, atol=_ROOT_ATOL)
            + (Test("test_swish_beta", "swish", "Check that swish honours beta = 2.",
                    A.swish, elementwise_values((0.0,), {"beta": 2.0})),),
            "plt.plot(xs, swish(xs), label='swish'); plt.plot(xs, swish_grad(xs), label=\"swish'\")\n"
            "plt.legend(); plt.grid(True)",
        ),
        Part(
            "GELU (tanh form)",
            dedent(r"""
            Implement the tanh approximation of GELU used by GPT-2 and BERT,
            $\frac{x}{2}\bigl(1 + \tanh u\bigr)$ with $u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)$, and its derivative.
            Hint: $\frac12(1 + \tanh u) = \sigma(2u)$. Keep constants Python floats (`(2 / np.pi) ** 0.5`,
            not `np.sqrt(2 / np.pi)`, a float64 scalar) so float32 input stays float32.
            """),
            dedent('''\
            def gelu_tanh(x):
                """x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x**3)))."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                u = (2 / np.pi) ** 0.5 * (x + 0.044715 * x**3)
                return x * stable_sigmoid(2 * u)
                ### END SOLUTION


            def gelu_tanh_grad(x):
                """The derivative of gelu_tanh."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                c = (2 / np.pi) ** 0.5  # a Python float: keeps float32 float32
                u = c * (x + 0.044715 * x**3)
                du = c * (1 + 3 * 0.044715 * x**2)
                s, t = stable_sigmoid(2 * u), stable_sigmoid(-2 * u)
                return s + x * 2 * du * s * t
                ### END SOLUTION
            '''),
            _smooth_tests("gelu_tanh", "is the tanh form of GELU", _gelu_tanh, atol=1e-14)
            + _smooth_tests("gelu_tanh_grad", "is the derivative of the tanh form of GELU", _gelu_tanh_grad,
                            atol=_ROOT_ATOL),
            "plt.plot(xs, gelu_tanh(xs), label='gelu'); plt.plot(xs, gelu_tanh_grad(xs), label=\"gelu'\")\n"
            "plt.legend(); plt.grid(True)",
        ),
        Part(
            "Mish",
            dedent(r"""
            Implement $\operatorname{mish}(x) = x \tanh(\operatorname{softplus}(x))$ and its derivative
            $\tanh(\operatorname{sp}) + x\,\operatorname{sech}^2(\operatorname{sp})\,\sigma(x)$ with
            $\operatorname{sp} = \operatorname{softplus}(x)$.
            """),
            dedent('''\
            def mish(x):
                """x * tanh(softplus(x))."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return x * np.tanh(softplus(x))
                ### END SOLUTION


            def mish_grad(x):
                """The derivative of mish."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                sp = softplus(x)
                e = np.exp(-2 * sp)
                sech2 = 4 * e / (1 + e) ** 2
                return np.tanh(sp) + x * sech2 * stable_sigmoid(x)
                ### END SOLUTION
            '''),
            _smooth_tests("mish", "is x tanh(softplus(x))", A.mish, tails=(-690.0, -42.0, 38.0))
            + _smooth_tests("mish_grad", "is the derivative of mish", A.mish_grad, atol=_ROOT_ATOL),
            "plt.plot(xs, mish(xs), label='mish'); plt.plot(xs, mish_grad(xs), label=\"mish'\")\n"
            "plt.legend(); plt.grid(True)",
        ),
    ),
)

# ---- Assignment 4: softmax --------------------------------------------------------------

def _vec(*arrays, dtype=np.float64, kw=None):
    kw = dict(kw or {})
    return lambda rng: (tuple(np.array(a, dtype=dtype) for a in arrays), dict(kw))


_LOGITS = [[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]]
_BIG = [[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1002.0]]


_LOGITS_B = [[0.0, 1.5, -1.0, 0.25], [2.0, 0.5, 1.0, -3.0], [-0.5, 0.0, 0.75, 1.0]]
_G_B = [[1.0, -1.0, 0.0, 2.0], [0.5, 0.0, 1.0, -2.0], [0.0, 3.0, -1.0, 1.0]]
_BIG_B = [[-900.0, 950.0, 0.0], [1000.0, 1000.0, -5.0]]


def _softmax_cases(atol=1e-300) -> tuple[Case, ...]:
    return (
        Case("a batch of logits (softmax over the last axis)", _vec(_LOGITS), atol=atol),
        Case("a single 1-D vector", _vec([0.5, -2.0, 1.5]), atol=atol),
        Case("axis=0", _vec(_LOGITS_B, kw={"axis": 0}), atol=atol),
        Case("float32 input", _vec(_LOGITS_B, dtype=np.float32), **_f32(atol)),
        *_hidden(lambda H: (
            Case("a single 1-D vector", _vec(H.VECTOR_1D), hidden=True, atol=atol),
            Case("axis=0", _vec(H.LOGITS, kw={"axis": 0}), hidden=True, atol=atol),
            Case("float32 input", _vec(H.LOGITS, dtype=np.float32), hidden=True, **_f32(atol)))),
        Case("random logits", lambda r: ((r.normal(0, 5, (8, 5)),), {}), random=True, atol=atol),
    )


def _softmax_stability(atol=1e-300) -> tuple[Case, ...]:
    kind32 = "float32 logits of size ±100"
    return (
        Case("logits of size ±1000", _vec(_BIG), no_warnings=True, atol=atol),
        Case(kind32, _vec([[-95.0, 90.0, 80.0], [60.0, -60.0, 0.0]], dtype=np.float32), no_warnings=True,
             **_f32(atol)),
        *_hidden(lambda H: Case(kind32, _vec(H.LOGITS32_LARGE, dtype=np.float32), hidden=True, no_warnings=True,
                                **_f32(atol))),
        Case("random large logits", lambda r: ((r.uniform(-1000, 1000, (8, 5)),), {}), random=True,
             no_warnings=True, atol=atol),
    )


def _softmax_ce_grad(logits, y):
    return np.asarray(A.softmax(logits, axis=-1)) - np.asarray(y)


def _onehot(labels, n):
    return np.eye(n)[np.asarray(labels)]


A4 = Assignment(
    "a4_softmax",
    "Assignment 4 — Softmax",
    dedent("""\
    Softmax turns a vector of scores (logits) into probabilities. It is vector-valued, so its
    derivative is a Jacobian matrix; backpropagation needs only the vector-Jacobian product.

    **Shapes and dtypes**: `x` is an array whose softmax is taken along `axis` (default: the
    last); return an array of the same shape; float32 in, float32 out; never modify `x`.
    """),
    (
        Part(
            "softmax and log-softmax",
            dedent(r"""
            Implement $p_i = e^{x_i} / \sum_j e^{x_j}$ and $\log p_i$ along `axis`.
            Softmax is shift invariant: subtract the maximum first, so logits of size 1000
            neither overflow nor warn. Compute log-softmax directly as
            $x_i - m - \log \sum_j e^{x_j - m}$ (not `np.log(softmax(x))`, which gives `-inf`).
            """),
            dedent('''\
            def softmax(x, axis=-1):
                """exp(x) / sum(exp(x)) along axis, without overflow."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = x - np.max(x, axis=axis, keepdims=True)
                e = np.exp(z)
                return e / np.sum(e, axis=axis, keepdims=True)
                ### END SOLUTION


            def log_softmax(x, axis=-1):
                """log(softmax(x)) along axis, computed without taking the log of a probability."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                z = x - np.max(x, axis=axis, keepdims=True)
                return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
                ### END SOLUTION
            '''),
            (
                Test("test_softmax_values", "softmax", "Check that softmax gives probabilities along the axis.",
                     A.softmax, _softmax_cases()),
                Test("test_softmax_stability", "softmax", "Check that softmax raises no warning for huge logits.",
                     A.softmax, _softmax_stability()),
                Test("test_log_softmax_values", "log_softmax", "Check that log_softmax is log(softmax(x)).",
                     A.log_softmax, _softmax_cases(atol=1e-12)),
                Test("test_log_softmax_stability", "log_softmax",
                     "Check that log_softmax is finite and warning-free for huge logits.",
                     A.log_softmax, _softmax_stability(atol=1e-12)),
            ),
            "x = np.array([2.0, 1.0, 0.1])\nfor T in (0.5, 1, 5):\n    plt.bar(np.arange(3) + 0.25 * T, "
            "softmax(x / T), width=0.2, label=f'T={T}')\nplt.legend()",
        ),
        Part(
            "the Jacobian and the vector-Jacobian product",
            dedent(r"""
            * `softmax_jacobian(x)`: for a 1-D `x` of length $n$, the $n \times n$ matrix
              $J_{ij} = \partial p_i / \partial x_j = p_i(\delta_{ij} - p_j)$.
            * `softmax_vjp(x, g, axis=-1)`: the backward pass $J^\top g = p \odot (g - \langle g, p\rangle)$
              along `axis`, for `g` of the same shape as `x`, **without** forming $J$.
            """),
            dedent('''\
            def softmax_jacobian(x):
                """The n x n Jacobian of softmax at a 1-D x."""
                ### BEGIN SOLUTION
                p = softmax(x)
                return np.diag(p) - np.outer(p, p)
                ### END SOLUTION


            def softmax_vjp(x, g, axis=-1):
                """J(x)^T g along axis, without forming J."""
                ### BEGIN SOLUTION
                p = softmax(x, axis=axis)
                return p * (g - np.sum(g * p, axis=axis, keepdims=True))
                ### END SOLUTION
            '''),
            (
                Test("test_softmax_jacobian", "softmax_jacobian",
                     "Check that softmax_jacobian is diag(p) - p p^T.", A.softmax_jacobian, (
                         Case("a 1-D vector", _vec([1.0, 2.0, 3.0]), atol=1e-15),
                         Case("huge logits", _vec([-800.0, 5.0, 900.0, 0.0]), no_warnings=True, atol=1e-15),
                         Case("a single entry", _vec([-2.0]), atol=1e-15),
                         *_hidden(lambda H: (
                             Case("huge logits", _vec(H.JACOBIAN_HUGE), hidden=True, no_warnings=True, atol=1e-15),
                             Case("a single entry", _vec(H.SINGLE), hidden=True, atol=1e-15))),
                         Case("random vectors", lambda r: ((r.normal(0, 3, 6),), {}), random=True, atol=1e-15),
                     )),
                Test("test_softmax_vjp", "softmax_vjp", "Check that softmax_vjp is J^T g.", A.softmax_vjp, (
                    Case("a batch", _vec(_LOGITS, [[1.0, 0.0, 0.0], [0.0, 2.0, -1.0]]), atol=1e-15),
                    Case("axis=0", _vec(_LOGITS_B, _G_B, kw={"axis": 0}), atol=1e-15),
                    Case("huge logits", _vec(_BIG_B, [[0.5, -1.0, 2.0], [0.0, 1.0, 1.0]]), no_warnings=True,
                         atol=1e-15),
                    *_hidden(lambda H: (
                        Case("axis=0", _vec(H.LOGITS, H.VJP_G, kw={"axis": 0}), hidden=True, atol=1e-15),
                        Case("huge logits", _vec(H.BIG, H.VJP_G_BIG), hidden=True, no_warnings=True,
                             atol=1e-15))),
                    Case("random batches", lambda r: ((r.normal(0, 3, (4, 5)), r.normal(0, 1, (4, 5))), {}),
                         random=True, atol=1e-15),
                )),
            ),
        ),
        Part(
            "the gradient of softmax cross-entropy",
            dedent(r"""
            For logits $z$ (shape `(N, C)`) and one-hot targets $y$, the cross-entropy summed over
            the batch is $L = -\sum_n \sum_c y_{nc} \log p_{nc}$. Show yourself that
            $\partial L / \partial z = p - y$, and implement it.
            """),
            dedent('''\
            def cross_entropy_grad(logits, y):
                """d/d logits of -sum(y * log_softmax(logits)): softmax(logits) - y."""
                ### BEGIN SOLUTION
                return softmax(logits, axis=-1) - y
                ### END SOLUTION
            '''),
            (Test("test_cross_entropy_grad", "cross_entropy_grad",
                  "Check that cross_entropy_grad is softmax(logits) - y.", _softmax_ce_grad, (
                      Case("a batch", _vec(_LOGITS, _onehot([2, 0], 3)), atol=1e-15),
                      Case("huge logits", _vec(_BIG_B, _onehot([1, 0], 3)), no_warnings=True, atol=1e-15),
                      *_hidden(lambda H: Case("huge logits", _vec(H.BIG, _onehot(H.CE_LABELS_BIG, 3)), hidden=True,
                                              no_warnings=True, atol=1e-15)),
                      Case("random batches",
                           lambda r: ((r.normal(0, 4, (6, 4)), _onehot(r.integers(0, 4, 6), 4)), {}),
                           random=True, atol=1e-15),
                  )),),
        ),
    ),
)

# ---- Assignment 5: backpropagation ------------------------------------------------------

def _act(name):
    rec = A.get(name)
    return rec.fn, rec.grad


def ref_affine_forward(x, W, b):
    """Reference: ``x @ W + b``."""
    return np.asarray(x) @ np.asarray(W) + np.asarray(b)


def ref_affine_backward(dout, x, W):
    """Reference: ``(dout @ W.T, x.T @ dout, dout.sum(0))``."""
    dout, x, W = (np.asarray(a, dtype=np.float64) for a in (dout, x, W))
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def ref_two_layer_loss(X, y, W1, b1, W2, b2, activation="tanh"):
    """Reference: mean softmax cross-entropy of a two-layer net and its gradients, from course_lib."""
    f, df = _act(activation)
    X, W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (X, W1, b1, W2, b2))
    y = np.asarray(y)
    n = X.shape[0]
    a = X @ W1 + b1
    h = np.asarray(f(a))
    scores = h @ W2 + b2
    logp = np.asarray(A.log_softmax(scores, axis=-1))
    loss = -float(np.mean(logp[np.arange(n), y]))
    dscores = (np.asarray(A.softmax(scores, axis=-1)) - _onehot(y, scores.shape[1])) / n
    dW2, db2 = h.T @ dscores, dscores.sum(axis=0)
    da = (dscores @ W2.T) * np.asarray(df(a))
    return np.float64(loss), X.T @ da, da.sum(axis=0), dW2, db2


def _net_inputs(rng, n=5, d=4, h=6, c=3, scale=0.5):
    X = rng.normal(0, 1, (n, d))
    y = rng.integers(0, c, n)
    W1, b1 = rng.normal(0, scale, (d, h)), rng.normal(0, 0.1, h)
    W2, b2 = rng.normal(0, scale, (h, c)), rng.normal(0, 0.1, c)
    return X, y, W1, b1, W2, b2


def _net_case(kind, activation, seed=None, hidden=False, random=False):
    def make(rng):
        r = rng if random else np.random.default_rng(seed)
        return _net_inputs(r), {"activation": activation}
    return Case(kind, make, hidden=hidden, random=random, rtol=1e-7, atol=1e-12)


_LOSS_OUT = ("loss", "dW1", "db1", "dW2", "db2")

A5 = Assignment(
    "a5_backprop",
    "Assignment 5 — Backpropagation through a two-layer network",
    dedent("""\
    A two-layer network `X -> affine -> activation -> affine -> softmax cross-entropy`,
    forward and backward, checked against a numerical gradient. Everything here is plain NumPy
    (float64); write the activations you need yourself (you did in assignments 1–2).
    """),
    (
        Part(
            "the affine layer",
            dedent(r"""
            `affine_forward(x, W, b)` returns $x W + b$ for `x` of shape `(N, D)`, `W` `(D, M)`, `b` `(M,)`.
            `affine_backward(dout, x, W)` returns the tuple `(dx, dW, db)` of gradients of a loss
            whose gradient with respect to the output is `dout` (shape `(N, M)`).
            """),
            dedent('''\
            def affine_forward(x, W, b):
                """x @ W + b."""
                ### BEGIN SOLUTION
                return x @ W + b
                ### END SOLUTION


            def affine_backward(dout, x, W):
                """Return (dx, dW, db) for out = x @ W + b given dout = dL/dout."""
                ### BEGIN SOLUTION
                return dout @ W.T, x.T @ dout, dout.sum(axis=0)
                ### END SOLUTION
            '''),
            (
                Test("test_affine_forward", "affine_forward", "Check that affine_forward is x @ W + b.",
                     ref_affine_forward, (
                         Case("a small batch", _vec([[1.0, 2.0], [3.0, -1.0]], [[1.0, 0.0, 2.0], [0.5, -1.0, 1.0]],
                                                    [0.1, 0.2, 0.3]), atol=1e-14),
                         Case("random layers", lambda r: ((r.normal(size=(4, 3)), r.normal(size=(3, 5)),
                                                           r.normal(size=5)), {}), random=True, atol=1e-12),
                     )),
                Test("test_affine_backward", "affine_backward",
                     "Check that affine_backward returns (dx, dW, db).", ref_affine_backward, (
                         Case("a small batch", _vec([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]], [[1.0, 2.0], [3.0, -1.0]],
                                                    [[1.0, 0.0, 2.0], [0.5, -1.0, 1.0]]), atol=1e-14),
                         Case("random layers", lambda r: ((r.normal(size=(4, 5)), r.normal(size=(4, 3)),
                                                           r.normal(size=(3, 5))), {}), random=True, atol=1e-12),
                     ), points=2, outputs=("dx", "dW", "db")),
            ),
        ),
        Part(
            "the two-layer network",
            dedent(r"""
            `two_layer_loss(X, y, W1, b1, W2, b2, activation="tanh")` computes
            $a = X W_1 + b_1$, $h = f(a)$, scores $s = h W_2 + b_2$ and the **mean** softmax
            cross-entropy $L = -\frac1N \sum_n \log p_{n, y_n}$ (labels `y` are integers), and returns
            the tuple `(loss, dW1, db1, dW2, db2)`. `activation` is `"tanh"`, `"relu"` or `"sigmoid"`
            (use relu'(0) = 0). Use a stable log-softmax.
            """),
            dedent('''\
            def two_layer_loss(X, y, W1, b1, W2, b2, activation="tanh"):
                """Return (loss, dW1, db1, dW2, db2) of a two-layer net with mean softmax cross-entropy."""
                ### BEGIN SOLUTION
                acts = {
                    "tanh": (np.tanh, lambda a: 1 - np.tanh(a) ** 2),
                    "relu": (lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(float)),
                    "sigmoid": (lambda a: 0.5 * (1 + np.tanh(a / 2)),
                                lambda a: 0.25 * (1 - np.tanh(a / 2) ** 2)),
                }
                f, df = acts[activation]
                n = X.shape[0]
                a = affine_forward(X, W1, b1)
                h = f(a)
                s = affine_forward(h, W2, b2)
                z = s - s.max(axis=1, keepdims=True)
                logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
                loss = -logp[np.arange(n), y].mean()
                ds = np.exp(logp)
                ds[np.arange(n), y] -= 1
                ds /= n
                dh, dW2, db2 = affine_backward(ds, h, W2)
                _, dW1, db1 = affine_backward(dh * df(a), X, W1)
                return loss, dW1, db1, dW2, db2
                ### END SOLUTION
            '''),
            (
                Test("test_loss_value", "two_layer_loss", "Check that the loss of the two-layer net is right.",
                     ref_two_layer_loss, (
                         _net_case("a tanh network", "tanh", seed=1),
                         _net_case("a relu network", "relu", seed=6),
                         *_hidden(lambda H: _net_case("a relu network", "relu", seed=H.SEED_RELU_NET, hidden=True)),
                         _net_case("random networks", "tanh", random=True),
                     ), outputs=_LOSS_OUT, compare=(0,)),
                Test("test_loss_gradients", "two_layer_loss",
                     "Check that the gradients of the tanh network are right.", ref_two_layer_loss, (
                         _net_case("a tanh network", "tanh", seed=1),
                         *_hidden(lambda H: _net_case("a tanh network", "tanh", seed=H.SEED_TANH_NET, hidden=True)),
                         _net_case("random tanh networks", "tanh", random=True),
                     ), points=2, outputs=_LOSS_OUT, compare=(1, 2, 3, 4)),
                Test("test_gradient_check", "two_layer_loss",
                     "Check that the relu and sigmoid networks' gradients pass a gradient check.", ref_two_layer_loss, (
                         _net_case("a relu network", "relu", seed=4),
                         _net_case("a sigmoid network", "sigmoid", seed=5),
                         _net_case("random sigmoid networks", "sigmoid", random=True),
                         _net_case("random relu networks", "relu", random=True),
                     ), outputs=_LOSS_OUT, compare=(1, 2, 3, 4), gradcheck=True),
            ),
            dedent("""\
            # A gradient check of your own code with course_lib's numerical gradient.
            from course_lib.gradcheck import numerical_gradient, rel_error

            rng = np.random.default_rng(0)
            X, y = rng.normal(size=(5, 4)), rng.integers(0, 3, 5)
            W1, b1, W2, b2 = rng.normal(0, 0.5, (4, 6)), np.zeros(6), rng.normal(0, 0.5, (6, 3)), np.zeros(3)
            loss, dW1, db1, dW2, db2 = two_layer_loss(X, y, W1, b1, W2, b2)
            for name, p, g in [("W1", W1, dW1), ("b1", b1, db1), ("W2", W2, dW2), ("b2", b2, db2)]:
                num = numerical_gradient(lambda: two_layer_loss(X, y, W1, b1, W2, b2)[0], p)
                print(f"{name}: relative error {rel_error(num, g):.1e}")"""),
        ),
    ),
    epilogue=dedent("""\
    # Ungraded: how does the gradient norm of the first layer change with depth?
    # Stack L tanh (or sigmoid) layers with N(0, 1/d) weights and watch |dL/dW1| shrink.
    def first_layer_grad_norm(depth, activation="tanh", width=32, seed=0):
        rng = np.random.default_rng(seed)
        f = {"tanh": np.tanh, "sigmoid": lambda a: 0.5 * (1 + np.tanh(a / 2))}[activation]
        df = {"tanh": lambda a: 1 - np.tanh(a) ** 2, "sigmoid": lambda a: 0.25 * (1 - np.tanh(a / 2) ** 2)}[activation]
        h, cache = rng.normal(size=(16, width)), []
        for _ in range(depth):
            W = rng.normal(0, 1 / np.sqrt(width), (width, width))
            a = h @ W
            cache.append((h, W, a))
            h = f(a)
        g = np.ones_like(h) / h.size
        for h_in, W, a in reversed(cache):
            g = g * df(a)
            dW = h_in.T @ g
            g = g @ W.T
        return np.linalg.norm(dW)

    depths = [1, 2, 4, 8, 16]
    for act in ("tanh", "sigmoid"):
        plt.semilogy(depths, [first_layer_grad_norm(d, act) for d in depths], "o-", label=act)
    plt.xlabel("depth"); plt.ylabel("|dL/dW1|"); plt.legend(); plt.grid(True)"""),
)

# ---- Assignment 6: design your own ------------------------------------------------------

A6 = Assignment(
    "a6_design",
    "Assignment 6 — Design your own: leaky ReLU6",
    dedent("""\
    ReLU6 bounds the output (good for low-precision inference) but, like ReLU, has zero gradient
    for every negative input ("dead" units). Leaky ReLU fixes the dead side but is unbounded.
    Combine them: **leaky ReLU6** is leaky below 0, the identity on $[0, 6]$ and capped at 6.
    """) + "\n" + _SHAPES,
    (
        Part(
            "leaky ReLU6 and its derivative",
            dedent(r"""
            $$f(x) = \begin{cases} s\,x & x < 0 \\ x & 0 \le x \le 6 \\ 6 & x > 6 \end{cases}$$
            with default slope $s = 0.01$. Derivative conventions follow the parents:
            **$f'(0) = s$** (as leaky ReLU) and **$f'(6) = 0$** (as ReLU6); $f' = 1$ on $(0, 6)$.
            """),
            dedent(f'''\
            def leaky_relu6(x, negative_slope=0.01):
                """negative_slope * x below 0, x on [0, 6], 6 above."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                return np.where(x > 0, np.minimum(x, 6), negative_slope * x)
                ### END SOLUTION


            def leaky_relu6_grad(x, negative_slope=0.01):
                """negative_slope for x <= 0, 1 on (0, 6), 0 for x >= 6."""
                ### BEGIN SOLUTION
                x = np.asarray(x)
                g = np.where(x > 0, np.where(x < 6, 1.0, 0.0), negative_slope).astype(x.dtype)
                {_NAN_KEEP}
                ### END SOLUTION
            '''),
            _fn_tests("leaky_relu6", "is s x, x or 6", A.leaky_relu6, kinks=(0.0, 6.0))
            + _fn_tests("leaky_relu6_grad", "is s, 1 or 0 (s at 0, 0 at 6)", A.leaky_relu6_grad,
                        kinks=(0.0, 6.0))
            + (Test("test_leaky_relu6_slope", "leaky_relu6", "Check that leaky_relu6 honours negative_slope = 0.2.",
                    A.leaky_relu6,
                    elementwise_values((0.0, 6.0), {"negative_slope": 0.2})),),
            "xs = np.linspace(-4, 10, 701)\nplt.plot(xs, leaky_relu6(xs), label='f')\n"
            "plt.plot(xs, leaky_relu6_grad(xs), label=\"f'\")\nplt.legend(); plt.grid(True)",
        ),
    ),
    written={
        "grade_id": "trade_offs",
        "points": 3,
        "question": dedent("""\
        **Part B (3 points, graded by hand).** Analyse leaky ReLU6: its output range, where its
        gradient vanishes, whether it is zero-centred, and one situation where you would prefer it
        to ReLU, ReLU6 and leaky ReLU — and one where you would not. Use your plot and at most
        200 words."""),
        "answer": _H.TRADE_OFFS_ANSWER if _H is not None else "",  # the model answer: instructors only
    },
)

ASSIGNMENTS: tuple[Assignment, ...] = (A1, A2, A3, A4, A5, A6)
_BY_ID = {a.id: a for a in ASSIGNMENTS}


def get_assignment(assignment_id: str) -> Assignment:
    try:
        return _BY_ID[assignment_id]
    except KeyError:
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {', '.join(_BY_ID)}") from None


def get_test(assignment_id: str, grade_id: str) -> Test:
    for test in get_assignment(assignment_id).tests:
        if test.grade_id == grade_id:
            return test
    raise KeyError(f"{assignment_id} has no test cell {grade_id!r}")
