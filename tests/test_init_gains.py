"""Initialisation gains derived from each activation's moments, and Klambauer et al.'s SELU
moment map: checked against closed forms, PyTorch's gain table, Monte Carlo and the theorems."""

import itertools
import math

import numpy as np
import pytest

from course_lib.nn.init import (
    activation_moments, backward_gain, calculate_gain, lecun_normal, selu_moment_map, variance_gain,
)


def test_relu_moments_have_closed_forms():
    """E[relu(z)] = 1/sqrt(2 pi), E[relu(z)^2] = 1/2, E[relu'(z)^2] = 1/2 for z ~ N(0, 1)."""
    m1, m2, d2 = activation_moments("relu")
    assert abs(m1 - 1 / math.sqrt(2 * math.pi)) < 1e-10 and abs(m2 - 0.5) < 1e-10 and abs(d2 - 0.5) < 1e-10
    assert abs(activation_moments("identity", var=2.5)[1] - 2.5) < 1e-10


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.5])
def test_homogeneous_gains_are_pytorchs(slope):
    """For leaky ReLU the derived gain is PyTorch's sqrt(2 / (1 + s^2)), forward and backward."""
    assert abs(variance_gain("leaky_relu", negative_slope=slope) - calculate_gain("leaky_relu", slope)) < 1e-9
    assert abs(backward_gain("leaky_relu", negative_slope=slope) - calculate_gain("leaky_relu", slope)) < 1e-9
    assert abs(variance_gain("relu") - calculate_gain("relu")) < 1e-12


@pytest.mark.parametrize("name", ["tanh", "gelu", "elu", "silu"])
def test_variance_gain_keeps_unit_variance_by_monte_carlo(name):
    """One wide layer with Var(W) = gain^2 / n maps unit-variance pre-activations to unit variance."""
    rng = np.random.default_rng(0)
    from course_lib.activations import REGISTRY

    n = 512
    z = rng.standard_normal((2000, n))
    w = rng.standard_normal((n, n)) * variance_gain(name) / math.sqrt(n)
    out = REGISTRY[name](z) @ w
    assert abs(out.var() - 1.0) < 0.05, out.var()


def test_moment_errors_are_named():
    with pytest.raises(ValueError, match="vector-valued"):
        activation_moments("softmax")
    with pytest.raises(ValueError, match="var must be positive"):
        activation_moments("relu", var=0.0)
    with pytest.raises(ValueError, match="nu and tau must be positive"):
        selu_moment_map(0.0, -1.0)


def test_selu_fixed_point_and_contraction():
    """(0, 1) is a fixed point at omega = 0, tau = 1, and nearby points move towards it."""
    m, v = selu_moment_map(0.0, 1.0)
    assert abs(m) < 1e-9 and abs(v - 1) < 1e-9
    for start in [(0.1, 1.4), (-0.1, 0.8)]:
        m1, v1 = selu_moment_map(*start)
        assert math.hypot(m1, v1 - 1) < math.hypot(start[0], start[1] - 1)


def test_selu_theorems_hold_at_the_corners_of_their_domains():
    """Klambauer et al.'s Theorem 2 (variance decreases) and 3 (increases), at the domain corners."""
    for m, w, v, t in itertools.product((-1, 1), (-0.1, 0.1), (3, 16), (0.8, 1.25)):
        assert selu_moment_map(m, v, w, t)[1] < v
    for m, w, v, t in itertools.product((-0.1, 0.1), (-0.1, 0.1), (0.02, 0.16), (0.8, 1.25)):
        assert selu_moment_map(m, v, w, t)[1] > v


def test_moment_map_is_the_one_layer_statistics():
    """Monte Carlo: a SELU unit with weight sum omega and square sum tau on inputs of mean mu and
    variance nu has the output mean and variance the map predicts."""
    rng = np.random.default_rng(1)
    n, mu, nu = 400, 0.3, 1.6
    w = lecun_normal(n, 1, rng)[:, 0]
    omega, tau = float(w.sum()), float((w**2).sum())
    x = mu + math.sqrt(nu) * rng.standard_normal((20_000, n))
    from course_lib.activations import selu

    y = selu(x @ w)
    m_pred, v_pred = selu_moment_map(mu, nu, omega, tau)
    assert abs(y.mean() - m_pred) < 0.02 and abs(y.var() / v_pred - 1) < 0.05
