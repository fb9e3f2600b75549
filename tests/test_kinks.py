"""One table pins the derivative at every kink (PyTorch autograd's conventions).

The expected values are read off PyTorch's backward formulas, not off this library.
"""

import numpy as np
import pytest

from course_lib.activations import ELEMENTWISE

# (activation, params, x at the kink, derivative there, why)
KINKS = [
    ("relu", {}, 0.0, 0.0, "threshold_backward: grad where x > 0"),
    ("leaky_relu", {}, 0.0, 0.01, "leaky_relu_backward: x > 0 ? grad : grad * slope"),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2, "same, Keras 3's slope"),
    ("prelu", {}, 0.0, 0.25, "prelu backward: x > 0 ? grad : weight * grad"),
    ("rrelu", {}, 0.0, (1 / 8 + 1 / 3) / 2, "eval mode is leaky_relu with the mean slope"),
    ("relu6", {}, 0.0, 0.0, "hardtanh_backward(0, 6): 0 at both corners"),
    ("relu6", {}, 6.0, 0.0, "hardtanh_backward(0, 6): 0 at both corners"),
    ("leaky_relu6", {}, 0.0, 0.01, "leaky side, as leaky_relu"),
    ("leaky_relu6", {}, 6.0, 0.0, "capped side, as relu6"),
    ("hard_tanh", {}, -1.0, 0.0, "hardtanh_backward: x <= min or x >= max -> 0"),
    ("hard_tanh", {}, 1.0, 0.0, "hardtanh_backward: x <= min or x >= max -> 0"),
    ("hard_sigmoid", {}, -3.0, 0.0, "hardsigmoid_backward: -3 < x < 3 -> 1/6"),
    ("hard_sigmoid", {}, 3.0, 0.0, "hardsigmoid_backward: -3 < x < 3 -> 1/6"),
    ("hard_sigmoid", {"variant": "keras2"}, -2.5, 0.2, "tf.clip_by_value passes the gradient at its bounds"),
    ("hard_sigmoid", {"variant": "keras2"}, 2.5, 0.2, "tf.clip_by_value passes the gradient at its bounds"),
    # PyTorch up to 2.6 (2.13 takes the outer slopes, 0 and 1: see tests/frameworks)
    ("hard_swish", {}, -3.0, -0.5, "hardswish_backward (torch <= 2.6): x < -3 -> 0, x <= 3 -> x/3 + 1/2"),
    ("hard_swish", {}, 3.0, 1.5, "hardswish_backward (torch <= 2.6): x <= 3 -> x/3 + 1/2"),
    ("elu", {}, 0.0, 1.0, "elu_backward: x <= 0 -> alpha * exp(x)"),
    ("elu", {"alpha": 0.5}, 0.0, 0.5, "elu_backward: x <= 0 -> alpha * exp(x)"),
    # PyTorch multiplies its two rounded constants; the exact product lambda*alpha is
    # 1.7580993408473768599402175208123..., which is what the convention means.
    ("selu", {}, 0.0, 1.7580993408473768599402175208123, "elu_backward with scale: x <= 0 -> scale * alpha * exp(x)"),
    ("celu", {}, 0.0, 1.0, "celu: x <= 0 -> exp(x / alpha)"),
    ("softshrink", {}, 0.5, 0.0, "softshrink_backward: -lambd <= x <= lambd -> 0"),
    ("softshrink", {}, -0.5, 0.0, "softshrink_backward: -lambd <= x <= lambd -> 0"),
    ("hardshrink", {}, 0.5, 0.0, "hardshrink_backward: -lambd <= x <= lambd -> 0"),
    ("hardshrink", {}, -0.5, 0.0, "hardshrink_backward: -lambd <= x <= lambd -> 0"),
    ("threshold", {}, 1.0, 0.0, "threshold_backward: x <= threshold -> 0"),
]


@pytest.mark.parametrize("name,params,x,expected,why", KINKS, ids=[f"{k[0]}{k[1] or ''}@{k[2]}" for k in KINKS])
def test_derivative_at_kink(name, params, x, expected, why):
    act = ELEMENTWISE[name]
    for dtype in (np.float64, np.float32):
        got = act.grad(np.array([x], dtype=dtype), **{**act.params, **params})[0]
        assert got == np.asarray(expected, dtype=dtype), f"{name}'({x}) = {got}, PyTorch gives {expected} ({why})"


def test_every_registered_kink_is_pinned():
    pinned = {(n, x) for n, p, x, _, _ in KINKS if not p}
    missing = [(a.name, k) for a in ELEMENTWISE.values() for k in a.kinks if (a.name, k) not in pinned]
    assert not missing, f"kinks without a pinned convention: {missing}"


@pytest.mark.parametrize("name", [a.name for a in ELEMENTWISE.values() if a.kinks])
def test_kinks_are_real_corners_or_jumps(name):
    """At each listed kink the one-sided slopes differ, or the function jumps."""
    act = ELEMENTWISE[name]
    for k in act.kinks:
        h = 1e-6
        f = act.fn
        left = (f(k) - f(k - h)) / h
        right = (f(k + h) - f(k)) / h
        jump = abs(f(k + h) - f(k - h)) > 1e-3
        assert jump or abs(left - right) > 1e-3, f"{name} is differentiable at {k}: not a kink"


def test_docstrings_state_the_convention():
    for name in {k[0] for k in KINKS}:
        doc = ELEMENTWISE[name].grad.__doc__ or ""
        assert "onvention" in doc or "0 at" in doc or "closed" in doc, f"{name}_grad's docstring states no kink convention"
