"""Every sentence of the book (and of the library's docstrings) that says what PyTorch or Keras
does, tested against PyTorch 2.13 and Keras 3 (torch backend).

``CLAIMS`` lists each claim: the page, a phrase that must still be on it, and the test here (or
elsewhere in this folder) that checks it; ``test_every_claim_is_still_on_its_page`` keeps that
list from drifting when the book is edited.
"""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import course_lib.nn as cnn
from course_lib.activations import (
    REGISTRY,
    gelu,
    hard_sigmoid,
    leaky_relu,
    maxout,
    maxout_vjp,
    relu6,
    softplus,
)
from course_lib.nn.layers import Parameter

ROOT = Path(__file__).resolve().parents[2]

# (page, phrase on that page, test covering it)
CLAIMS = [
    ("book/practice/frameworks.md", "`keras.ops.gelu` defaults to the tanh approximation", "test_gelu_default_per_entry_point"),
    ("book/practice/frameworks.md", "PyTorch, Keras 3 and MobileNetV3 use $\\operatorname{relu6}(x + 3)/6$", "test_hard_sigmoid_is_the_relu6_form"),
    ("book/practice/frameworks.md", "Default negative slope $0.01$ in PyTorch, $0.2$ in Keras 3's `leaky_relu` function",
     "test_leaky_relu_default_slopes"),
    ("book/practice/frameworks.md", "Keras' `swish` and `silu` are both $x\\sigma(x)$; PyTorch calls it `nn.SiLU`",
     "test_swish_and_silu_names"),
    ("book/practice/frameworks.md", "returns $x$ when $\\beta x > 20$", "test_softplus_threshold"),
    ("book/practice/frameworks.md", "Initial slope $0.25$ (one shared) in PyTorch, $0$ (one per unit) in Keras",
     "test_prelu_initial_slopes"),
    ("book/practice/frameworks.md", "`calculate_gain('selu')` is $3/4$, not 1", "test_selu_gain_and_kaiming"),
    ("book/practice/frameworks.md", "PyTorch's default `Linear`\ninitialisation is not He initialisation",
     "test_linear_default_initialisation"),
    ("book/practice/frameworks.md", "Frameworks agree on the derivative *at* the kinks for the common functions",
     "test_common_kinks_agree_across_frameworks"),
    ("book/practice/frameworks.md", "is exactly 0 beyond\n$|x| \\approx 19$", "test_extremes_paragraph"),
    ("book/practice/frameworks.md", "its exact-form GELU is 0 below\n$x \\approx -8.3$", "test_extremes_paragraph"),
    ("book/practice/frameworks.md", "its SiLU, GELU and Mish return NaN at $x = -\\infty$", "test_extremes_paragraph"),
    ("book/practice/frameworks.md", "and check that it is the framework, not the library,\nthat is off",
     "test_framework_values.py::test_looser_tolerance_is_the_frameworks_error"),
    ("book/practice/frameworks.md", "except at Hard-Swish's corners", "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/practice/initialisation.md", "PyTorch `nn.Linear` initialises with `kaiming_uniform_(a=sqrt(5))`",
     "test_linear_default_initialisation"),
    ("book/practice/initialisation.md", "`nn.init.kaiming_normal_(w, nonlinearity='relu')` for ReLU networks",
     "test_selu_gain_and_kaiming"),
    ("book/practice/initialisation.md", "Keras `Dense` defaults to `glorot_uniform`", "test_keras_initialisers"),
    ("book/practice/initialisation.md", "`nn.init.calculate_gain('selu')` is $3/4$", "test_selu_gain_and_kaiming"),
    ("book/practice/initialisation.md", "$5/3$ (tanh),\n$\\sqrt2$ (ReLU)", "test_course_gain_table_is_torchs"),
    ("book/sigmoidal/tanh.md", "`nn.init.calculate_gain('tanh')` is $5/3$", "test_course_gain_table_is_torchs"),
    ("book/sigmoidal/tanh.md", "Keras' default `glorot_uniform` initialiser", "test_keras_initialisers"),
    ("book/sigmoidal/sigmoid.md", "`BCEWithLogitsLoss` takes logits and is the stable one", "test_binary_cross_entropy_inputs"),
    ("book/sigmoidal/hard_tanh.md", "Keras 3's `hard_tanh` has fixed bounds $\\pm1$", "test_hard_tanh_bounds_and_relu6"),
    ("book/sigmoidal/hard_tanh.md", "the library, like PyTorch,\nreturns **0 at the corners**",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/sigmoidal/hard_sigmoid.md", "The library follows\nPyTorch autograd, which returns $0$ at $x = \\pm3$",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/rectifiers/relu6.md", "`hardtanh(x, 0, 6)`", "test_hard_tanh_bounds_and_relu6"),
    ("book/rectifiers/prelu.md", "`nn.PReLU(num_parameters=1, init=0.25)` shares one slope by default",
     "test_prelu_initial_slopes"),
    ("book/rectifiers/leaky_relu.md", "The library follows\nPyTorch: **$\\operatorname{leaky\\_relu}'(0) = s$**",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/rectifiers/relu.md", "Keras' `relu` accepts `negative_slope`, `max_value` and `threshold`",
     "test_keras_relu_covers_three_functions"),
    ("book/rectifiers/relu.md", "The library, like PyTorch and TensorFlow, uses", "test_common_kinks_agree_across_frameworks"),
    ("book/rectifiers/elu.md", "Same definition and default $\\alpha = 1$ in both",
     "test_framework_names.py::test_name_exists_with_the_registry_defaults"),
    ("book/rectifiers/elu.md", "The library follows\nPyTorch and returns $\\alpha$ at 0",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/rectifiers/selu.md", "The PyTorch documentation itself notes", "test_selu_gain_and_kaiming"),
    ("book/rectifiers/selu.md", "`keras.layers.AlphaDropout`", "test_alpha_dropout_exists"),
    ("book/rectifiers/selu.md", "the library returns the left value (PyTorch's convention)",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/smooth/gelu.md", "`Dense(..., activation=\"gelu\")` uses", "test_gelu_default_per_entry_point"),
    ("book/smooth/softplus.md", "off by up to $e^{-20}/\\beta", "test_softplus_threshold"),
    ("book/smooth/swish.md", "PyTorch has `nn.SiLU` (no $\\beta$)", "test_swish_and_silu_names"),
    ("book/smooth/mish.md", "Same definition in both (`nn.Mish`, `keras.activations.mish`)",
     "test_framework_values.py::test_agrees_with_the_framework"),
    ("book/smooth/hard_swish.md", "Keras 3 calls it `hard_silu` (with `hard_swish` as an alias)", "test_hard_swish_names"),
    ("book/smooth/hard_swish.md", "PyTorch 2.13 uses the outer pieces",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("book/outputs/softmax.md", "PyTorch `dim`, which you should always pass", "test_softmax_axis"),
    ("book/outputs/softmax.md", "Putting a softmax layer in front of `CrossEntropyLoss` applies it twice",
     "test_cross_entropy_takes_logits"),
    ("book/outputs/binary.md", "(PyTorch `LogSigmoid`)", "test_framework_names.py::test_name_exists_with_the_registry_defaults"),
    ("book/outputs/binary.md", "`pos_weight` in PyTorch", "test_positive_class_weight"),
    ("book/outputs/regression.md", "`keras.activations.linear` and\n`nn.Identity` exist",
     "test_framework_names.py::test_name_exists_with_the_registry_defaults"),
    ("book/outputs/choosing_output.md", "`PoissonNLLLoss(log_input=True)` (takes $z$)", "test_output_losses_table"),
    ("book/experiments/selu_self_normalisation.md", "(gain $3/4$, variance $0.5625/n_\\text{in}$)",
     "test_selu_gain_and_kaiming"),
    ("book/experiments/selu_self_normalisation.md", "`course_lib.nn.init` reproduces the gain table",
     "test_course_gain_table_is_torchs"),
    ("book/smooth/gated.md", "the library follows PyTorch's `nn.GLU` and gates with the\n*second* half",
     "test_glu_gates_the_second_half"),
    ("book/practice/misconceptions.md", "0.01 (PyTorch's default)", "test_leaky_relu_default_slopes"),
    ("book/practice/misconceptions.md", "(relu′(0) = 0, as PyTorch)", "test_common_kinks_agree_across_frameworks"),
    ("book/experiments/index.md", "He and PyTorch's `nonlinearity='selu'` gain do not", "test_selu_gain_and_kaiming"),
    # the registry's framework notes, printed in every activation's "In PyTorch and Keras" table
    ("course_lib/activations/registry.py", "PyTorch and Keras 3: relu6(x + 3)/6, corners at ±3",
     "test_hard_sigmoid_is_the_relu6_form"),
    ("course_lib/activations/registry.py", "Default slope 0.01 in PyTorch, 0.2 in keras.activations.leaky_relu, 0.3 in",
     "test_leaky_relu_default_slopes"),
    ("course_lib/activations/registry.py", "Keras has a PReLU layer (keras.layers.PReLU) with alpha initialised to 0",
     "test_prelu_initial_slopes"),
    ("course_lib/activations/registry.py", "PyTorch's Softplus switches to the identity when beta*x > threshold (20)",
     "test_softplus_threshold"),
    ("course_lib/activations/registry.py", "Keras' swish is SiLU (beta = 1); PyTorch has only nn.SiLU",
     "test_swish_and_silu_names"),
    ("course_lib/activations/registry.py", "keras.ops.gelu defaults to approximate=True", "test_gelu_default_per_entry_point"),
    ("course_lib/activations/registry.py", "0 and 1 in PyTorch 2.13",
     "test_framework_names.py::test_kink_convention_is_torch_autograds"),
    ("course_lib/activations/registry.py", "No defaults in either framework",
     "test_framework_names.py::test_name_exists_with_the_registry_defaults"),
    ("course_lib/activations/registry.py", "(dim=None) picks the axis itself (deprecated, with a warning)", "test_softmax_axis"),
    ("book/practice/custom.md", "`once_differentiable` makes a second derivative fail loudly",
     "test_custom_activations.py::test_torch_backward_is_first_order_only"),
    ("book/practice/custom.md", "lets `keras.saving` write the layer into a `.keras` file and rebuild it",
     "test_custom_activations.py::test_keras_layer_saves_reloads_and_differentiates"),
    ("book/practice/custom.md", "`torch.autograd.gradcheck` compares the backward pass with central differences",
     "test_custom_activations.py::test_torch_function_passes_gradcheck"),
    ("book/practice/frameworks.md", "(PyTorch returns exactly 0 here)", "test_softplus_threshold"),
    ("book/smooth/softplus.md", "small differences from PyTorch near the threshold are\nexpected and are PyTorch's",
     "test_framework_values.py::test_looser_tolerance_is_the_frameworks_error"),
    ("book/smooth/gelu.md", "Use `nn.GELU(approximate='tanh')` to match", "test_gelu_default_per_entry_point"),
    ("book/rectifiers/leaky_relu.md", "Default slope: 0.01 in PyTorch, 0.2 in Keras 3", "test_leaky_relu_default_slopes"),
    ("book/rectifiers/prelu.md", "(initial 0.25 in PyTorch, 0 in Keras)", "test_prelu_initial_slopes"),
    ("book/sigmoidal/hard_sigmoid.md", "$\\operatorname{relu6}(x+3)/6$ (PyTorch, Keras 3)", "test_hard_sigmoid_is_the_relu6_form"),
    ("book/outputs/choosing_output.md", "Keras' `poisson` and `kl_divergence` take\nthe activation's output, not logits",
     "test_output_losses_table"),
    ("book/outputs/choosing_output.md", "a sigmoid followed by `BCEWithLogitsLoss` applies the sigmoid twice",
     "test_binary_cross_entropy_inputs"),
    ("book/practice/initialisation.md", "the derived leaky ReLU gain is PyTorch's sqrt(2 / (1 + s^2))",
     "test_course_gain_table_is_torchs"),
    ("course_lib/nn/losses.py", "as in\nPyTorch's default ``reduction='mean'``", "test_course_losses_are_torchs"),
    ("course_lib/nn/optim.py", "momentum (PyTorch's convention)", "test_course_optimisers_are_torchs"),
    ("course_lib/activations/vector.py", "and PyTorch's ``max``", "test_maxout_ties_as_torch_max"),
]


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("page,phrase,test", CLAIMS, ids=[f"{p.split('/')[-1]}:{t.split('::')[-1]}" for p, _, t in CLAIMS])
def test_every_claim_is_still_on_its_page(page, phrase, test):
    text = _normalised((ROOT / page).read_text(encoding="utf-8"))
    assert _normalised(phrase) in text, f"{page} no longer says {phrase!r}: update CLAIMS and the test {test}"
    module, _, name = test.rpartition("::")
    source = (Path(__file__).parent / module).read_text() if module else Path(__file__).read_text()
    assert f"def {name}(" in source, f"no test {test}"


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy()


def test_gelu_default_per_entry_point():
    import keras

    x = np.linspace(-4, 4, 81)
    t = torch.tensor(x)
    assert inspect.signature(torch.nn.GELU).parameters["approximate"].default == "none"
    assert inspect.signature(keras.activations.gelu).parameters["approximate"].default is False
    assert inspect.signature(keras.ops.gelu).parameters["approximate"].default is True
    exact, tanh_form = gelu(x), gelu(x, approximate="tanh")
    atol = 4 * 2.0**-52 * 4  # PyTorch's 1 + erf cancels for x < 0 (framework_tolerances.cancellation)
    np.testing.assert_allclose(_np(torch.nn.GELU()(t)), exact, rtol=1e-15, atol=atol)
    np.testing.assert_allclose(_np(keras.activations.gelu(t)), exact, rtol=1e-15, atol=atol)
    np.testing.assert_allclose(_np(keras.ops.gelu(t)), tanh_form, rtol=1e-15, atol=atol)
    dense = keras.layers.Dense(2, activation="gelu")
    assert dense.activation is keras.activations.gelu
    torch.testing.assert_close(torch.nn.GELU(approximate="tanh")(t), keras.ops.gelu(t), rtol=1e-15, atol=atol)
    wide = np.linspace(-10, 10, 200001)
    assert 1e-4 < np.abs(gelu(wide) - gelu(wide, approximate="tanh")).max() < 5e-4  # "up to about 5e-4"


def test_hard_sigmoid_is_the_relu6_form():
    import keras

    x = torch.tensor([-3.5, -3.0, -2.5, 0.0, 2.5, 3.0], dtype=torch.float64)
    expected = hard_sigmoid(x.numpy())  # relu6(x + 3)/6: 0, 0, 1/12, 1/2, 11/12, 1
    np.testing.assert_allclose(expected, [0, 0, 1 / 12, 0.5, 11 / 12, 1], rtol=1e-15)
    np.testing.assert_allclose(_np(torch.nn.Hardsigmoid()(x)), expected, rtol=1e-15)
    np.testing.assert_allclose(_np(keras.activations.hard_sigmoid(x)), expected, rtol=1e-15)
    assert "0.2" not in REGISTRY["hard_sigmoid"].framework_notes.split(";")[1]  # Keras 3 is not the 0.2x form


def test_leaky_relu_default_slopes():
    import keras

    x = torch.tensor([-1.0], dtype=torch.float64)
    assert _np(torch.nn.LeakyReLU()(x))[0] == -0.01
    assert _np(keras.activations.leaky_relu(x))[0] == pytest.approx(-0.2, rel=1e-15)
    assert _np(keras.layers.LeakyReLU()(x))[0] == pytest.approx(-0.3, rel=1e-7)  # float32 layer
    assert float(leaky_relu(-1.0)) == -0.01


def test_swish_and_silu_names():
    import keras

    t = torch.linspace(-5, 5, 41, dtype=torch.float64)
    torch.testing.assert_close(keras.activations.swish(t), keras.activations.silu(t), rtol=0, atol=0)
    torch.testing.assert_close(keras.activations.swish(t), torch.nn.SiLU()(t), rtol=0, atol=0)
    assert list(inspect.signature(keras.activations.swish).parameters) == ["x"]  # no beta
    assert list(inspect.signature(keras.activations.silu).parameters) == ["x"]
    assert "beta" not in inspect.signature(torch.nn.SiLU).parameters
    assert not hasattr(torch.nn, "Swish")


def test_softplus_threshold():
    for beta, x in ((1.0, [20.5, 25.0]), (2.0, [10.5, 12.0])):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = torch.nn.Softplus(beta=beta)(t)
        y.sum().backward()
        assert _np(y).tolist() == x and _np(t.grad).tolist() == [1.0, 1.0]  # x itself, slope exactly 1
        gap = softplus(np.array(x), beta=beta) - np.array(x)
        assert np.all(gap > 0) and np.all(gap < math.exp(-20) / beta)
    assert inspect.signature(torch.nn.Softplus).parameters["threshold"].default == 20.0
    assert softplus(np.array([20.5]))[0] - 20.5 == pytest.approx(math.log1p(math.exp(-20.5)), rel=1e-12)


def test_prelu_initial_slopes():
    import keras

    m = torch.nn.PReLU()
    assert tuple(m.weight.shape) == (1,) and m.weight.item() == 0.25
    assert tuple(torch.nn.PReLU(num_parameters=3).weight.shape) == (3,)
    layer = keras.layers.PReLU()
    layer.build((None, 5))
    alpha = layer.alpha.value.detach().cpu().numpy()
    assert alpha.shape == (5,) and np.all(alpha == 0)
    shared = keras.layers.PReLU(shared_axes=[1])
    shared.build((None, 4, 5))
    assert tuple(shared.alpha.shape) == (1, 5)


def _std(initialise, n_in=1000, n_out=1000, seed=0):
    torch.manual_seed(seed)
    w = torch.empty(n_out, n_in, dtype=torch.float64)
    initialise(w)
    return float(w.std()), float(w.abs().max())


def test_selu_gain_and_kaiming():
    n = 1000
    assert torch.nn.init.calculate_gain("selu") == 0.75
    std_selu, _ = _std(lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="selu"))
    std_linear, _ = _std(lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="linear"))
    std_relu, _ = _std(lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu"))
    assert std_selu**2 * n == pytest.approx(0.5625, rel=0.01)  # not LeCun's 1/n
    assert std_linear**2 * n == pytest.approx(1.0, rel=0.01)  # LeCun normal
    assert std_relu**2 * n == pytest.approx(2.0, rel=0.01)  # He normal
    assert "nonlinearity='linear'" in torch.nn.init.calculate_gain.__doc__


def test_linear_default_initialisation():
    assert "kaiming_uniform_(self.weight, a=math.sqrt(5))" in inspect.getsource(torch.nn.Linear.reset_parameters)
    torch.manual_seed(0)
    n_in = 500
    w = torch.nn.Linear(n_in, 400).weight.detach().double()
    assert float(w.abs().max()) <= 1 / math.sqrt(n_in)
    assert float(w.var()) * n_in == pytest.approx(1 / 3, rel=0.02)  # U(-1/sqrt(n), 1/sqrt(n)), not 2/n


def test_keras_initialisers():
    import keras

    assert inspect.signature(keras.layers.Dense).parameters["kernel_initializer"].default == "glorot_uniform"
    n_in, n_out = 800, 600
    for name, var in (("he_normal", 2 / n_in), ("lecun_normal", 1 / n_in), ("glorot_uniform", 2 / (n_in + n_out))):
        w = keras.initializers.get({"class_name": name, "config": {"seed": 0}})(shape=(n_in, n_out))
        assert float(w.var()) == pytest.approx(var, rel=0.02), name


def test_course_gain_table_is_torchs():
    for name in ("linear", "sigmoid", "conv1d", "conv2d", "conv3d", "tanh", "relu", "selu", "leaky_relu"):
        assert cnn.calculate_gain(name) == torch.nn.init.calculate_gain(name), name
    assert cnn.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    assert torch.nn.init.calculate_gain("tanh") == 5 / 3 and torch.nn.init.calculate_gain("relu") == math.sqrt(2)
    for s in (0.01, 0.2):
        assert torch.nn.init.calculate_gain("leaky_relu", s) == pytest.approx(math.sqrt(2 / (1 + s * s)), rel=1e-15)
    w = cnn.torch_kaiming_normal(1000, 1000, np.random.default_rng(0), nonlinearity="selu")
    std_torch, _ = _std(lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="selu"))
    assert float(w.std()) == pytest.approx(std_torch, rel=0.01)


def test_binary_cross_entropy_inputs():
    import keras

    z = torch.tensor([-800.0, -3.0, 0.5, 4.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    p = torch.sigmoid(z)
    mid = slice(1, 4)
    torch.testing.assert_close(torch.nn.BCEWithLogitsLoss()(z[mid], y[mid]), torch.nn.BCELoss()(p[mid], y[mid]))
    # logits: exact at z = -800 (loss 800); probabilities: sigmoid(-800) rounds to 0 and BCELoss clamps log at -100
    assert torch.nn.BCEWithLogitsLoss()(z[:1], y[:1]).item() == 800.0
    assert torch.nn.BCELoss()(p[:1], y[:1]).item() == 100.0
    sig = inspect.signature(keras.losses.binary_crossentropy).parameters
    assert sig["from_logits"].default is False
    # a sigmoid in front of BCEWithLogitsLoss is applied twice
    torch.testing.assert_close(torch.nn.BCEWithLogitsLoss()(p[mid], y[mid]), torch.nn.BCELoss()(torch.sigmoid(p[mid]), y[mid]))
    from_p = keras.losses.binary_crossentropy(y[mid], p[mid])
    from_z = keras.losses.binary_crossentropy(y[mid], z[mid], from_logits=True)
    torch.testing.assert_close(from_p, from_z, rtol=1e-6, atol=1e-7)


def test_hard_tanh_bounds_and_relu6():
    import keras

    sig = inspect.signature(torch.nn.Hardtanh).parameters
    assert sig["min_val"].default == -1.0 and sig["max_val"].default == 1.0
    assert list(inspect.signature(keras.activations.hard_tanh).parameters) == ["x"]
    x = torch.tensor([-2.0, -0.5, 0.5, 2.0], dtype=torch.float64)
    assert _np(keras.activations.hard_tanh(x)).tolist() == [-1.0, -0.5, 0.5, 1.0]
    assert issubclass(torch.nn.ReLU6, torch.nn.Hardtanh)
    m = torch.nn.ReLU6()
    assert (m.min_val, m.max_val) == (0.0, 6.0)
    t = torch.tensor([-1.0, 3.0, 7.0], dtype=torch.float64)
    torch.testing.assert_close(m(t), torch.nn.Hardtanh(0.0, 6.0)(t))


def test_keras_relu_covers_three_functions():
    import keras

    x = np.linspace(-8, 9, 69)
    t = torch.tensor(x)
    assert set(inspect.signature(keras.activations.relu).parameters) == {"x", "negative_slope", "max_value", "threshold"}
    np.testing.assert_allclose(_np(keras.activations.relu(t, negative_slope=0.01)), leaky_relu(x), rtol=1e-15)
    np.testing.assert_array_equal(_np(keras.activations.relu(t, max_value=6.0)), relu6(x))


def _grad_at(f, x):
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    f(t).sum().backward()
    return t.grad.item()


def test_common_kinks_agree_across_frameworks():
    import keras

    cases = [  # (torch, keras, x, derivative)
        (torch.nn.ReLU(), keras.activations.relu, 0.0, 0.0),
        (torch.nn.LeakyReLU(0.2), lambda t: keras.activations.leaky_relu(t, negative_slope=0.2), 0.0, 0.2),
        (torch.nn.ReLU6(), keras.activations.relu6, 0.0, 0.0),
        (torch.nn.ReLU6(), keras.activations.relu6, 6.0, 0.0),
        (torch.nn.Hardtanh(), keras.activations.hard_tanh, -1.0, 0.0),
        (torch.nn.Hardtanh(), keras.activations.hard_tanh, 1.0, 0.0),
    ]
    for tf, kf, x, d in cases:
        assert _grad_at(tf, x) == d and _grad_at(kf, x) == d, (tf, x)


def test_alpha_dropout_exists():
    import keras

    assert issubclass(torch.nn.AlphaDropout, torch.nn.Module)
    assert issubclass(keras.layers.AlphaDropout, keras.layers.Layer)


def test_hard_swish_names():
    import keras

    t = torch.linspace(-5, 5, 41, dtype=torch.float64)
    torch.testing.assert_close(keras.activations.hard_swish(t), keras.activations.hard_silu(t), rtol=0, atol=0)
    torch.testing.assert_close(keras.activations.hard_silu(t), torch.nn.Hardswish()(t), rtol=1e-15, atol=1e-16)


def test_softmax_axis():
    import keras

    assert inspect.signature(torch.nn.Softmax).parameters["dim"].default is None
    assert inspect.signature(keras.activations.softmax).parameters["axis"].default == -1
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        implicit = torch.nn.Softmax()(x)
    assert torch.allclose(implicit.sum(dim=0), torch.ones(3, 4, dtype=torch.float64))  # 3-D: dim 0, not -1


def test_cross_entropy_takes_logits():
    import keras

    z = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], dtype=torch.float64)
    y = torch.tensor([0, 2])
    ce = torch.nn.CrossEntropyLoss()
    expected = -torch.log_softmax(z, dim=1)[[0, 1], y].mean()
    torch.testing.assert_close(ce(z, y), expected)
    twice = ce(torch.softmax(z, dim=1), y)
    torch.testing.assert_close(twice, -torch.log_softmax(torch.softmax(z, dim=1), dim=1)[[0, 1], y].mean())
    assert abs(twice.item() - expected.item()) > 0.1
    assert inspect.signature(keras.losses.categorical_crossentropy).parameters["from_logits"].default is False
    onehot = torch.nn.functional.one_hot(y, 3).double()
    torch.testing.assert_close(keras.losses.categorical_crossentropy(onehot, torch.softmax(z, dim=1)).mean(),
                               expected, rtol=1e-6, atol=1e-7)


def test_positive_class_weight():
    import keras

    assert "pos_weight" in inspect.signature(torch.nn.BCEWithLogitsLoss).parameters
    z, y = torch.tensor([-1.0], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
    weighted = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0], dtype=torch.float64))(z, y)
    torch.testing.assert_close(weighted, 3 * torch.nn.BCEWithLogitsLoss()(z, y))
    assert "class_weight" in inspect.signature(keras.Model.fit).parameters


def test_output_losses_table():
    import keras

    z = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    y = torch.tensor([0.0, 2.0, 5.0], dtype=torch.float64)
    torch.testing.assert_close(torch.nn.PoissonNLLLoss(log_input=True)(z, y), (torch.exp(z) - y * z).mean())
    rate = torch.exp(z)
    torch.testing.assert_close(keras.losses.poisson(y, rate), (rate - y * torch.log(rate + 1e-7)).mean(),
                               rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(torch.nn.MSELoss()(z, y), ((z - y) ** 2).mean())
    torch.testing.assert_close(keras.losses.mean_squared_error(y, z), ((z - y) ** 2).mean())
    for loss in (keras.losses.binary_crossentropy, keras.losses.sparse_categorical_crossentropy):
        assert "from_logits" in inspect.signature(loss).parameters
    for loss in (keras.losses.poisson, keras.losses.kl_divergence):  # outputs of the activation only
        assert "from_logits" not in inspect.signature(loss).parameters


def test_course_losses_are_torchs():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 3)) * 3
    y_bin = (rng.random((6, 3)) > 0.5).astype(float)
    labels = rng.integers(0, 3, 6)
    onehot = np.eye(3)[labels]
    cases = [
        (cnn.losses.mse, torch.nn.MSELoss(), y_bin, torch.tensor(y_bin)),
        (cnn.losses.binary_cross_entropy, torch.nn.BCEWithLogitsLoss(), y_bin, torch.tensor(y_bin)),
        (cnn.losses.softmax_cross_entropy, torch.nn.CrossEntropyLoss(), onehot, torch.tensor(labels)),
    ]
    for ours, theirs, y, y_t in cases:
        value, d_out = ours(z, y)
        t = torch.tensor(z, requires_grad=True)
        loss = theirs(t, y_t)
        loss.backward()
        assert value == pytest.approx(loss.item(), rel=1e-13), ours.__name__
        np.testing.assert_allclose(d_out, _np(t.grad), rtol=1e-12, atol=1e-15, err_msg=ours.__name__)


def test_course_optimisers_are_torchs():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(4) for _ in range(5)]
    for ours, theirs in (
        (lambda p: cnn.optim.Momentum(p, lr=0.1, beta=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (lambda p: cnn.optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    ):
        p = Parameter(np.ones(4))
        w = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
        opt_ours, opt_theirs = ours([p]), theirs([w])
        for g in grads:
            p.grad[...] = g
            w.grad = torch.tensor(g)
            opt_ours.step()
            opt_theirs.step()
        np.testing.assert_allclose(p.value, _np(w), rtol=1e-14, err_msg=type(opt_ours).__name__)


def test_maxout_ties_as_torch_max():
    x = np.array([[1.0, 1.0, 2.0, 0.5, 3.0, 3.0]])
    g = np.array([[10.0, 20.0, 30.0]])
    t = torch.tensor(x, requires_grad=True)
    values = t.view(1, 3, 2).max(dim=-1).values
    values.backward(torch.tensor(g))
    np.testing.assert_array_equal(maxout(x, k=2), _np(values))
    np.testing.assert_array_equal(maxout_vjp(x, g, k=2), _np(t.grad))
    assert _np(t.grad).tolist() == [[10.0, 0.0, 20.0, 0.0, 30.0, 0.0]]  # the first of tied units


GATED_WITHOUT_LAYER = [n for n, a in REGISTRY.items() if a.framework_notes.startswith("No built-in layer in PyTorch or Keras")]


@pytest.mark.parametrize("name", GATED_WITHOUT_LAYER)
def test_no_built_in_layer(name):
    import keras

    for namespace in (torch.nn, torch.nn.functional, keras.layers, keras.activations, keras.ops):
        found = [a for a in dir(namespace) if a.lower() == name.lower()]
        assert not found, f"{namespace.__name__} has {found}: the registry says there is no built-in {name}"


def test_glu_gates_the_second_half():
    x = np.array([[1.0, 2.0, -3.0, 0.5]])
    got = _np(torch.nn.GLU()(torch.tensor(x)))
    np.testing.assert_allclose(got, x[:, :2] / (1 + np.exp(-x[:, 2:])), rtol=1e-15)
    np.testing.assert_allclose(REGISTRY["glu"](x), got, rtol=1e-15)


def test_extremes_paragraph():
    from course_lib.activations import ELEMENTWISE

    t = torch.tensor([19.5, -19.5], dtype=torch.float64, requires_grad=True)
    torch.tanh(t).sum().backward()
    assert _np(t.grad).tolist() == [0.0, 0.0]
    assert np.all(ELEMENTWISE["tanh"].grad(np.array([19.5, -19.5])) == pytest.approx(4 * math.exp(-39), rel=1e-6))
    t18 = torch.tensor([18.0], dtype=torch.float64, requires_grad=True)
    torch.tanh(t18).sum().backward()
    assert t18.grad.item() > 0  # "beyond about 19"
    assert torch.nn.GELU()(torch.tensor([-8.5], dtype=torch.float64)).item() == 0.0
    assert torch.nn.GELU()(torch.tensor([-8.0], dtype=torch.float64)).item() < 0  # "below about -8.3"
    assert gelu(np.array([-8.5]))[0] < 0
    for module, name in ((torch.nn.SiLU(), "silu"), (torch.nn.GELU(), "gelu"), (torch.nn.Mish(), "mish")):
        x = torch.tensor([-math.inf, math.inf], dtype=torch.float64, requires_grad=True)
        y = module(x)
        y.sum().backward()
        assert math.isnan(y[0].item()) and all(math.isnan(v) for v in _np(x.grad)), name
        assert not np.isnan(REGISTRY[name](np.array([-math.inf])))[0], name
