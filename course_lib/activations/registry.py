"""The registry: one frozen :class:`Activation` record per activation.

Everything that loops over "all activations" -- the tests, the plots, the book's property
cards and comparison table, the experiments and the exercises -- loops over
:data:`REGISTRY`, so adding an activation here adds it everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import gated as gt
from . import rectifiers as r
from . import shrinkage as sh
from . import sigmoidal as sg
from . import smooth as sm
from . import vector as sx

INF = math.inf

FAMILIES = {
    "linear": "Linear",
    "sigmoidal": "Sigmoidal",
    "rectifier": "Rectifiers",
    "smooth": "Smooth and gated",
    "shrinkage": "Shrinkage and threshold",
    "output": "Vector-valued (outputs and gates)",
}
SMOOTHNESS = ("discontinuous", "C0", "C1", "C∞")


@dataclass(frozen=True)
class Activation:
    """One activation function and what the course claims about it.

    Elementwise records (``elementwise=True``) have ``fn(x, **params)`` and
    ``grad(x, **params)``, the elementwise derivative. Vector-valued records
    (softmax, GLU, maxout) have ``grad(x, g, **params)``: the vector-Jacobian product.

    Every property below is checked by the test suite (``tests/test_properties.py``).
    """

    name: str
    title: str
    fn: Callable
    grad: Callable
    family: str
    formula: str  #: LaTeX of f(x)
    derivative: str  #: LaTeX of f'(x) (or the Jacobian)
    year: int
    paper: str  #: short citation
    bibkey: str  #: key in book/references.bib
    pytorch: str | None  #: PyTorch module name, None if PyTorch has none
    keras: str | None  #: Keras 3 name, None if Keras has none
    params: Mapping[str, object] = field(default_factory=dict)  #: default parameters
    elementwise: bool = True
    output_range: tuple[float, float] = (-INF, INF)  #: closure of the range of f
    monotonic: bool | None = None  #: non-decreasing on the whole line
    zero_centred: bool | None = None  #: odd: f(-x) = -f(x), so symmetric inputs give zero-mean outputs
    smoothness: str | None = None  #: one of SMOOTHNESS
    saturates_left: bool | None = None  #: f'(x) -> 0 as x -> -inf
    saturates_right: bool | None = None  #: f'(x) -> 0 as x -> +inf
    self_normalising: bool = False
    kinks: tuple[float, ...] = ()  #: points where f is not differentiable
    variants: tuple[Mapping[str, object], ...] = ()  #: notable non-default parameters
    framework_notes: str = ""  #: where frameworks disagree about this name

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"{self.name}: unknown family {self.family!r}")
        if self.smoothness is not None and self.smoothness not in SMOOTHNESS:
            raise ValueError(f"{self.name}: smoothness must be one of {SMOOTHNESS}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def bounded_below(self) -> bool:
        return self.output_range[0] > -INF

    @property
    def bounded_above(self) -> bool:
        return self.output_range[1] < INF

    @property
    def saturating(self) -> str:
        """'both', 'left', 'right' or 'none'."""
        left, right = bool(self.saturates_left), bool(self.saturates_right)
        return {(True, True): "both", (True, False): "left", (False, True): "right"}.get((left, right), "none")

    def __call__(self, x, **params):
        return self.fn(x, **{**self.params, **params})

    def derivative_at(self, x, **params):
        """The elementwise derivative with the record's default parameters."""
        if not self.elementwise:
            raise TypeError(f"{self.name} is vector-valued; use .grad(x, g) (a vector-Jacobian product)")
        return self.grad(x, **{**self.params, **params})


def _range_min(value: float) -> tuple[float, float]:
    return (value, INF)


_ALL = [
    Activation(
        "identity", "Identity (linear)", sh.identity, sh.identity_grad, "linear",
        r"x", r"1", 1960, "Widrow & Hoff (1960), the linear unit of ADALINE", "widrow1960adaptive",
        "torch.nn.Identity", "keras.activations.linear",
        monotonic=True, zero_centred=True, smoothness="C∞", saturates_left=False, saturates_right=False,
    ),
    Activation(
        "sigmoid", "Sigmoid (logistic)", sg.sigmoid, sg.sigmoid_grad, "sigmoidal",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}", r"\sigma(x)\,(1 - \sigma(x))", 1986,
        "Rumelhart, Hinton & Williams (1986)", "rumelhart1986learning",
        "torch.nn.Sigmoid", "keras.activations.sigmoid",
        output_range=(0.0, 1.0), monotonic=True, zero_centred=False, smoothness="C∞",
        saturates_left=True, saturates_right=True,
    ),
    Activation(
        "tanh", "Hyperbolic tangent", sg.tanh, sg.tanh_grad, "sigmoidal",
        r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", r"1 - \tanh^2 x", 1998,
        "recommended for hidden layers by LeCun et al., Efficient BackProp (1998)", "lecun1998efficient",
        "torch.nn.Tanh", "keras.activations.tanh",
        output_range=(-1.0, 1.0), monotonic=True, zero_centred=True, smoothness="C∞",
        saturates_left=True, saturates_right=True,
    ),
    Activation(
        "softsign", "Softsign", sg.softsign, sg.softsign_grad, "sigmoidal",
        r"\frac{x}{1 + |x|}", r"\frac{1}{(1 + |x|)^2}", 2009,
        "Bergstra et al. (2009); studied by Glorot & Bengio (2010)", "bergstra2009quadratic",
        "torch.nn.Softsign", "keras.activations.softsign",
        output_range=(-1.0, 1.0), monotonic=True, zero_centred=True, smoothness="C1",
        saturates_left=True, saturates_right=True,
    ),
    Activation(
        "hard_sigmoid", "Hard sigmoid", sg.hard_sigmoid, sg.hard_sigmoid_grad, "sigmoidal",
        r"\frac{\operatorname{relu6}(x + 3)}{6}", r"\tfrac16 \text{ on } (-3, 3),\ 0 \text{ elsewhere}", 2015,
        "Courbariaux, Bengio & David, BinaryConnect (2015), as clip((x + 1)/2, 0, 1); the relu6(x + 3)/6 "
        "form is MobileNetV3's (2019)", "courbariaux2015binaryconnect",
        "torch.nn.Hardsigmoid", "keras.activations.hard_sigmoid",
        params={"variant": "pytorch"}, output_range=(0.0, 1.0), monotonic=True, zero_centred=False,
        smoothness="C0", saturates_left=True, saturates_right=True, kinks=(-3.0, 3.0),
        variants=({"variant": "keras2"},),
        framework_notes="Keras 2 / Theano: clip(0.2x + 0.5, 0, 1), corners at ±2.5; PyTorch and Keras 3: relu6(x + 3)/6, corners at ±3.",
    ),
    Activation(
        "hard_tanh", "Hard tanh", sg.hard_tanh, sg.hard_tanh_grad, "sigmoidal",
        r"\operatorname{clip}(x, -1, 1)", r"1 \text{ on } (-1, 1),\ 0 \text{ elsewhere}", 2004,
        "Collobert (2004)", "collobert2004large", "torch.nn.Hardtanh", "keras.activations.hard_tanh",
        params={"min_val": -1.0, "max_val": 1.0}, output_range=(-1.0, 1.0), monotonic=True,
        zero_centred=True, smoothness="C0", saturates_left=True, saturates_right=True, kinks=(-1.0, 1.0),
    ),
    Activation(
        "relu", "ReLU", r.relu, r.relu_grad, "rectifier",
        r"\max(x, 0)", r"\mathbb{1}[x > 0]", 2010, "Nair & Hinton (2010); Glorot, Bordes & Bengio (2011)",
        "nair2010rectified", "torch.nn.ReLU", "keras.activations.relu",
        output_range=(0.0, INF), monotonic=True, zero_centred=False, smoothness="C0",
        saturates_left=True, saturates_right=False, kinks=(0.0,),
    ),
    Activation(
        "leaky_relu", "Leaky ReLU", r.leaky_relu, r.leaky_relu_grad, "rectifier",
        r"\max(x, 0) + s\,\min(x, 0)", r"1 \text{ if } x > 0, \text{ else } s", 2013,
        "Maas, Hannun & Ng (2013)", "maas2013rectifier", "torch.nn.LeakyReLU", "keras.activations.leaky_relu",
        params={"negative_slope": 0.01}, monotonic=True, zero_centred=False, smoothness="C0",
        saturates_left=False, saturates_right=False, kinks=(0.0,), variants=({"negative_slope": 0.2},),
        framework_notes="Default slope 0.01 in PyTorch, 0.2 in keras.activations.leaky_relu, 0.3 in the keras.layers.LeakyReLU layer.",
    ),
    Activation(
        "prelu", "PReLU", r.prelu, r.prelu_grad, "rectifier",
        r"\max(x, 0) + \alpha\,\min(x, 0)", r"1 \text{ if } x > 0, \text{ else } \alpha", 2015,
        "He et al., Delving deep into rectifiers (2015)", "he2015delving", "torch.nn.PReLU", None,
        params={"alpha": 0.25}, monotonic=True, zero_centred=False, smoothness="C0",
        saturates_left=False, saturates_right=False, kinks=(0.0,),
        framework_notes="Keras has a PReLU layer (keras.layers.PReLU) with alpha initialised to 0, not 0.25.",
    ),
    Activation(
        "rrelu", "RReLU (evaluation mode)", r.rrelu, r.rrelu_grad, "rectifier",
        r"\max(x, 0) + \tfrac{l + u}{2}\min(x, 0)", r"1 \text{ if } x > 0, \text{ else } \tfrac{l+u}{2}", 2015,
        "Xu et al. (2015)", "xu2015empirical", "torch.nn.RReLU", None,
        params={"lower": 1.0 / 8.0, "upper": 1.0 / 3.0}, monotonic=True, zero_centred=False,
        smoothness="C0", saturates_left=False, saturates_right=False, kinks=(0.0,),
    ),
    Activation(
        "relu6", "ReLU6", r.relu6, r.relu6_grad, "rectifier",
        r"\min(\max(x, 0), 6)", r"1 \text{ on } (0, 6),\ 0 \text{ elsewhere}", 2010,
        "Krizhevsky (2010); Howard et al., MobileNets (2017)", "krizhevsky2010convolutional",
        "torch.nn.ReLU6", "keras.activations.relu6",
        output_range=(0.0, 6.0), monotonic=True, zero_centred=False, smoothness="C0",
        saturates_left=True, saturates_right=True, kinks=(0.0, 6.0),
    ),
    Activation(
        "leaky_relu6", "Leaky ReLU6", r.leaky_relu6, r.leaky_relu6_grad, "rectifier",
        r"\min(\max(x, 0), 6) + s\,\min(x, 0)", r"s \text{ if } x \le 0,\ 1 \text{ on } (0, 6),\ 0 \text{ if } x \ge 6", 2026,
        "This course's design exercise", "course2026", None, None,
        params={"negative_slope": 0.01}, output_range=(-INF, 6.0), monotonic=True, zero_centred=False,
        smoothness="C0", saturates_left=False, saturates_right=True, kinks=(0.0, 6.0),
    ),
    Activation(
        "elu", "ELU", r.elu, r.elu_grad, "rectifier",
        r"x \text{ if } x > 0, \text{ else } \alpha(e^{x} - 1)", r"1 \text{ if } x > 0, \text{ else } \alpha e^{x}", 2016,
        "Clevert, Unterthiner & Hochreiter (2016)", "clevert2016fast", "torch.nn.ELU", "keras.activations.elu",
        params={"alpha": 1.0}, output_range=(-1.0, INF), monotonic=True, zero_centred=False,
        smoothness="C1", saturates_left=True, saturates_right=False, variants=({"alpha": 0.5},),
    ),
    Activation(
        "selu", "SELU", r.selu, r.selu_grad, "rectifier",
        r"\lambda\,\bigl(x \text{ if } x > 0, \text{ else } \alpha(e^{x} - 1)\bigr)",
        r"\lambda \text{ if } x > 0, \text{ else } \lambda\alpha e^{x}", 2017,
        "Klambauer et al., Self-normalizing neural networks (2017)", "klambauer2017self",
        "torch.nn.SELU", "keras.activations.selu",
        output_range=(-r._SELU_SCALE_ALPHA, INF), monotonic=True, zero_centred=False,
        smoothness="C0", saturates_left=True, saturates_right=False, self_normalising=True, kinks=(0.0,),
    ),
    Activation(
        "celu", "CELU", r.celu, r.celu_grad, "rectifier",
        r"\max(0, x) + \min\bigl(0, \alpha(e^{x/\alpha} - 1)\bigr)", r"1 \text{ if } x > 0, \text{ else } e^{x/\alpha}", 2017,
        "Barron, Continuously differentiable exponential linear units (2017)", "barron2017continuously",
        "torch.nn.CELU", "keras.activations.celu",
        params={"alpha": 1.0}, output_range=(-1.0, INF), monotonic=True, zero_centred=False,
        smoothness="C1", saturates_left=True, saturates_right=False, variants=({"alpha": 2.5},),
    ),
    Activation(
        "softplus", "Softplus", sm.softplus, sm.softplus_grad, "smooth",
        r"\tfrac{1}{\beta}\log(1 + e^{\beta x})", r"\sigma(\beta x)", 2001,
        "Dugas et al. (2001)", "dugas2001incorporating", "torch.nn.Softplus", "keras.activations.softplus",
        params={"beta": 1.0}, output_range=(0.0, INF), monotonic=True, zero_centred=False,
        smoothness="C∞", saturates_left=True, saturates_right=False, variants=({"beta": 2.5},),
        framework_notes="PyTorch's Softplus switches to the identity when beta*x > threshold (20); this library is exact everywhere.",
    ),
    Activation(
        "log_sigmoid", "Log-sigmoid", sm.log_sigmoid, sm.log_sigmoid_grad, "smooth",
        r"\log \sigma(x) = -\operatorname{softplus}(-x)", r"\sigma(-x)", 1986,
        "Rumelhart, Hinton & Williams (1986)", "rumelhart1986learning",
        "torch.nn.LogSigmoid", "keras.activations.log_sigmoid",
        output_range=(-INF, 0.0), monotonic=True, zero_centred=False, smoothness="C∞",
        saturates_left=False, saturates_right=True,
    ),
    Activation(
        "silu", "SiLU", sm.silu, sm.silu_grad, "smooth",
        r"x\,\sigma(x)", r"\sigma(x)\bigl(1 + x\,\sigma(-x)\bigr)", 2016,
        "Hendrycks & Gimpel, who named it SiLU in the GELU paper (2016); then Elfwing, Uchibe & Doya "
        "(2017, published 2018) and, as Swish, Ramachandran, Zoph & Le (2017)",
        "hendrycks2016gaussian", "torch.nn.SiLU", "keras.activations.silu",
        output_range=_range_min(-0.27846454276107380), monotonic=False, zero_centred=False,
        smoothness="C∞", saturates_left=True, saturates_right=False,
    ),
    Activation(
        "swish", "Swish", sm.swish, sm.swish_grad, "smooth",
        r"x\,\sigma(\beta x)", r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)", 2017,
        "Ramachandran, Zoph & Le, Searching for activation functions (2017)", "ramachandran2017searching",
        None, "keras.activations.swish",
        params={"beta": 1.0}, output_range=_range_min(-0.27846454276107380), monotonic=False,
        zero_centred=False, smoothness="C∞", saturates_left=True, saturates_right=False,
        variants=({"beta": 1.7},),
        framework_notes="Keras' swish is SiLU (beta = 1); PyTorch has only nn.SiLU.",
    ),
    Activation(
        "hard_swish", "Hard-Swish", sm.hard_swish, sm.hard_swish_grad, "smooth",
        r"x\,\frac{\operatorname{relu6}(x + 3)}{6}", r"0,\ \tfrac{2x + 3}{6},\ 1", 2019,
        "Howard et al., Searching for MobileNetV3 (2019)", "howard2019searching",
        "torch.nn.Hardswish", "keras.activations.hard_silu",
        output_range=(-0.375, INF), monotonic=False, zero_centred=False, smoothness="C0",
        saturates_left=True, saturates_right=False, kinks=(-3.0, 3.0),
        framework_notes="Derivative at the corners: -1/2 at -3 and 3/2 at 3 in this library and PyTorch up to 2.6; "
                        "0 and 1 in PyTorch 2.13.",
    ),
    Activation(
        "gelu", "GELU", sm.gelu, sm.gelu_grad, "smooth",
        r"x\,\Phi(x)", r"\Phi(x) + x\,\varphi(x)", 2016,
        "Hendrycks & Gimpel, Gaussian error linear units (2016)", "hendrycks2016gaussian",
        "torch.nn.GELU", "keras.activations.gelu",
        params={"approximate": "none"}, output_range=_range_min(sm.GELU_MIN), monotonic=False,
        zero_centred=False, smoothness="C∞", saturates_left=True, saturates_right=False,
        variants=({"approximate": "tanh"},),
        framework_notes="keras.activations.gelu and PyTorch's GELU default to the exact erf form; keras.ops.gelu defaults to approximate=True (the tanh form).",
    ),
    Activation(
        "mish", "Mish", sm.mish, sm.mish_grad, "smooth",
        r"x\,\tanh(\operatorname{softplus}(x))",
        r"\tanh(\operatorname{sp}(x)) + x\,\sigma(x)\operatorname{sech}^2(\operatorname{sp}(x))", 2019,
        "Misra, Mish (2019)", "misra2019mish", "torch.nn.Mish", "keras.activations.mish",
        output_range=_range_min(-0.30884341301725043), monotonic=False, zero_centred=False,
        smoothness="C∞", saturates_left=True, saturates_right=False,
    ),
    Activation(
        "squareplus", "Squareplus", sm.squareplus, sm.squareplus_grad, "smooth",
        r"\tfrac12\bigl(x + \sqrt{x^2 + b}\bigr)", r"\tfrac12\bigl(1 + x/\sqrt{x^2 + b}\bigr)", 2021,
        "Barron, Squareplus (2021)", "barron2021squareplus", None, "keras.activations.squareplus",
        params={"b": 4.0}, output_range=(0.0, INF), monotonic=True, zero_centred=False,
        smoothness="C∞", saturates_left=True, saturates_right=False,
    ),
    Activation(
        "sparse_plus", "Sparse-plus", sm.sparse_plus, sm.sparse_plus_grad, "smooth",
        r"0,\ \tfrac14(x + 1)^2,\ x", r"0,\ \tfrac12(x + 1),\ 1", 2020,
        "Blondel, Martins & Niculae, Learning with Fenchel-Young losses (2020)", "blondel2020learning", None,
        "keras.activations.sparse_plus",
        output_range=(0.0, INF), monotonic=True, zero_centred=False, smoothness="C1",
        saturates_left=True, saturates_right=False,
    ),
    Activation(
        "exponential", "Exponential", sm.exponential, sm.exponential_grad, "smooth",
        r"e^{x}", r"e^{x}", 1950, "(classical)", "course2026", None, "keras.activations.exponential",
        output_range=(0.0, INF), monotonic=True, zero_centred=False, smoothness="C∞",
        saturates_left=True, saturates_right=False,
    ),
    Activation(
        "tanhshrink", "Tanhshrink", sh.tanhshrink, sh.tanhshrink_grad, "shrinkage",
        r"x - \tanh x", r"\tanh^2 x", 2015, "(PyTorch)", "course2026", "torch.nn.Tanhshrink",
        "keras.activations.tanh_shrink", monotonic=True, zero_centred=True, smoothness="C∞",
        saturates_left=False, saturates_right=False,
    ),
    Activation(
        "softshrink", "Softshrink", sh.softshrink, sh.softshrink_grad, "shrinkage",
        r"x - \lambda\,\operatorname{sign}(x) \text{ if } |x| > \lambda, \text{ else } 0",
        r"\mathbb{1}[|x| > \lambda]", 1995, "Donoho, De-noising by soft-thresholding (1995)", "donoho1995noising",
        "torch.nn.Softshrink", "keras.activations.soft_shrink",
        params={"lambd": 0.5}, monotonic=True, zero_centred=True, smoothness="C0",
        saturates_left=False, saturates_right=False, kinks=(-0.5, 0.5),
    ),
    Activation(
        "hardshrink", "Hardshrink", sh.hardshrink, sh.hardshrink_grad, "shrinkage",
        r"x \text{ if } |x| > \lambda, \text{ else } 0", r"\mathbb{1}[|x| > \lambda]", 1994,
        "Donoho & Johnstone (1994)", "donoho1994ideal", "torch.nn.Hardshrink", "keras.activations.hard_shrink",
        params={"lambd": 0.5}, monotonic=True, zero_centred=True, smoothness="discontinuous",
        saturates_left=False, saturates_right=False, kinks=(-0.5, 0.5),
    ),
    Activation(
        "threshold", "Threshold", sh.threshold, sh.threshold_grad, "shrinkage",
        r"x \text{ if } x > t, \text{ else } v", r"\mathbb{1}[x > t]", 1943,
        "McCulloch & Pitts (1943), the threshold unit", "mcculloch1943logical",
        "torch.nn.Threshold", "keras.activations.threshold",
        params={"threshold": 1.0, "value": 0.0}, output_range=(0.0, INF), monotonic=True,
        zero_centred=False, smoothness="discontinuous", saturates_left=True, saturates_right=False,
        kinks=(1.0,),
        framework_notes="No defaults in either framework: nn.Threshold(threshold, value) and keras.activations."
                        "threshold(x, threshold, default_value) need both; (1, 0) are the library's.",
    ),
    Activation(
        "softmax", "Softmax", sx.softmax, sx.softmax_vjp, "output",
        r"\frac{e^{x_i}}{\sum_j e^{x_j}}", r"J_{ij} = p_i(\delta_{ij} - p_j)", 1990,
        "Bridle (1990)", "bridle1990probabilistic", "torch.nn.Softmax", "keras.activations.softmax",
        params={"axis": -1}, elementwise=False, output_range=(0.0, 1.0),
        framework_notes="PyTorch's nn.Softmax(dim=None) picks the axis itself (deprecated, with a warning): pass dim=-1; Keras' softmax defaults to axis=-1.",
    ),
    Activation(
        "log_softmax", "Log-softmax", sx.log_softmax, sx.log_softmax_vjp, "output",
        r"x_i - \log\sum_j e^{x_j}", r"\delta_{ij} - p_j", 1990,
        "Bridle (1990)", "bridle1990probabilistic", "torch.nn.LogSoftmax", "keras.activations.log_softmax",
        params={"axis": -1}, elementwise=False, output_range=(-INF, 0.0),
        framework_notes="PyTorch's nn.LogSoftmax(dim=None) picks the axis itself (deprecated, with a warning): pass dim=-1; Keras' log_softmax defaults to axis=-1.",
    ),
    Activation(
        "softmin", "Softmin", sx.softmin, sx.softmin_vjp, "output",
        r"\frac{e^{-x_i}}{\sum_j e^{-x_j}}", r"-p_i(\delta_{ij} - p_j)", 1990,
        "Bridle (1990)", "bridle1990probabilistic", "torch.nn.Softmin", None,
        params={"axis": -1}, elementwise=False, output_range=(0.0, 1.0),
        framework_notes="PyTorch's nn.Softmin(dim=None) picks the axis itself (deprecated, with a warning): pass dim=-1.",
    ),
    Activation(
        "glu", "GLU", sx.glu, sx.glu_vjp, "output",
        r"a \odot \sigma(b),\ [a, b] = x", r"(\sigma(b),\ a\,\sigma'(b))", 2017,
        "Dauphin et al., Language modeling with gated convolutional networks (2017)", "dauphin2017language",
        "torch.nn.GLU", "keras.activations.glu", params={"axis": -1}, elementwise=False,
    ),
    Activation(
        "reglu", "ReGLU", gt.reglu, gt.reglu_vjp, "output",
        r"a \odot \operatorname{relu}(b),\ [a, b] = x", r"(\operatorname{relu}(b),\ a\,\mathbb{1}[b > 0])", 2020,
        "Shazeer, GLU variants improve Transformer (2020)", "shazeer2020glu", None, None,
        params={"axis": -1}, elementwise=False,
        framework_notes="No built-in layer in PyTorch or Keras: split the projection in two and multiply.",
    ),
    Activation(
        "geglu", "GeGLU", gt.geglu, gt.geglu_vjp, "output",
        r"a \odot \operatorname{gelu}(b),\ [a, b] = x", r"(\operatorname{gelu}(b),\ a\,\operatorname{gelu}'(b))", 2020,
        "Shazeer, GLU variants improve Transformer (2020)", "shazeer2020glu", None, None,
        params={"axis": -1, "approximate": "none"}, elementwise=False, variants=({"approximate": "tanh"},),
        framework_notes="No built-in layer in PyTorch or Keras: split the projection in two and multiply.",
    ),
    Activation(
        "swiglu", "SwiGLU", gt.swiglu, gt.swiglu_vjp, "output",
        r"a \odot b\,\sigma(\beta b),\ [a, b] = x", r"(\operatorname{swish}_\beta(b),\ a\,\operatorname{swish}_\beta'(b))", 2020,
        "Shazeer, GLU variants improve Transformer (2020)", "shazeer2020glu", None, None,
        params={"axis": -1, "beta": 1.0}, elementwise=False,
        framework_notes="No built-in layer in PyTorch or Keras: split the projection in two and multiply.",
    ),
    Activation(
        "maxout", "Maxout", sx.maxout, sx.maxout_vjp, "output",
        r"\max_{j < k} x_{ik + j}", r"\mathbb{1}[\text{unit is the group's maximum}]", 2013,
        "Goodfellow et al., Maxout networks (2013)", "goodfellow2013maxout", None, None,
        params={"k": 2, "axis": -1}, elementwise=False,
    ),
]

#: name -> Activation, in the book's order.
REGISTRY: Mapping[str, Activation] = MappingProxyType({a.name: a for a in _ALL})

#: The elementwise activations only (those with an elementwise derivative).
ELEMENTWISE: Mapping[str, Activation] = MappingProxyType({k: a for k, a in REGISTRY.items() if a.elementwise})


def get(name: str) -> Activation:
    """Look an activation up by name, with a helpful error for typos."""
    try:
        return REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, REGISTRY, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no activation named {name!r}.{hint} Known: {', '.join(REGISTRY)}") from None
