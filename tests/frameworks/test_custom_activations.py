"""course_lib.frameworks, as book/practice/custom.md shows it: a torch.autograd.Function with the
library's value and derivative (gradcheck in float64), and a Keras 3 layer saved and reloaded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.activations import REGISTRY
from course_lib.frameworks import keras_activation, torch_activation

# Keras' saving calls np.array(tensor) on torch tensors, whose __array__ takes no copy argument:
# NumPy 2 warns (keras/src/backend/torch/core.py, convert_to_numpy). Keras' problem, not ours.
KERAS_NUMPY_COPY = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"


def _away_from_kinks(act, x):
    for k in act.kinks:
        x = np.where(np.abs(x - k) < 1e-3, x + 2e-3, x)
    return x


@pytest.mark.parametrize("name", list(REGISTRY))
def test_torch_function_passes_gradcheck(name):
    act = REGISTRY[name]
    rng = np.random.default_rng(0)
    if act.elementwise:
        x = _away_from_kinks(act, np.linspace(-7, 8, 61) + 0.0137)
    else:
        x = rng.standard_normal((3, 8))
        if name == "maxout":  # distinct group maxima: the max is differentiable there
            x = x + np.arange(8) * 0.5
    module = torch_activation(name)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(module, (t,), eps=1e-6, atol=1e-7, rtol=1e-6)
    np.testing.assert_array_equal(module(t).detach().numpy(), act.fn(x, **act.params))


def test_torch_module_matches_the_framework_and_keeps_dtype():
    x = torch.linspace(-4, 4, 17, dtype=torch.float32, requires_grad=True)
    y = torch_activation("leaky_relu", negative_slope=0.2)(x)
    assert y.dtype == torch.float32
    torch.testing.assert_close(y, torch.nn.LeakyReLU(0.2)(x))
    y.sum().backward()
    assert torch.equal(x.grad, torch.where(x > 0, 1.0, 0.2))


def test_torch_backward_is_first_order_only():
    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch_activation("gelu")(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|double backward|does not require grad"):
        g.sum().backward()


@pytest.mark.filterwarnings(KERAS_NUMPY_COPY)
def test_keras_layer_saves_reloads_and_differentiates(tmp_path):
    import keras

    layer = keras_activation("gelu", approximate="tanh")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), layer])
    x = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    before = model(x).detach().numpy()
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    config = reloaded.layers[-1].get_config()
    assert config["activation"] == "gelu" and config["params"] == {"approximate": "tanh"}
    np.testing.assert_array_equal(reloaded(x).detach().numpy(), before)

    t = torch.tensor(x[:, :3], requires_grad=True)  # float32: the layer's compute dtype
    layer(t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), REGISTRY["gelu"].grad(x[:, :3], approximate="tanh"))


def test_keras_layer_matches_keras_activation():
    import keras

    x = torch.linspace(-6, 6, 25, dtype=torch.float32)  # Keras layers compute in float32 by default
    got = keras_activation("mish")(x)
    torch.testing.assert_close(got, keras.activations.mish(x), rtol=4 * 2.0**-23, atol=1e-7)
