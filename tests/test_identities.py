"""Identities between activations, the SELU constants, and every derivative against
central differences (issue 2)."""

import mpmath as mp
import numpy as np
import pytest

import course_lib.activations as A
from course_lib.gradcheck import check_derivative

X = np.concatenate([np.linspace(-30, 30, 2001), np.geomspace(1e-12, 1e3, 200), -np.geomspace(1e-12, 1e3, 200)])
TIGHT = dict(rtol=8e-16, atol=0)


def close(a, b, rtol=8e-16, atol=1e-300):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def test_tanh_is_a_scaled_sigmoid():
    x = X[np.abs(X) > 0.5]  # 2 sigma(2x) - 1 cancels near 0; elsewhere both sides agree to a few ulp
    close(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=4e-15)


def test_softplus_derivative_is_the_sigmoid():
    close(A.softplus_grad(X), A.sigmoid(X))
    assert check_derivative(A.softplus, A.sigmoid, np.linspace(-20, 20, 81)).passed


def test_log_sigmoid_is_minus_softplus_of_minus_x():
    close(A.log_sigmoid(X), -A.softplus(-X))
    neg = X[(X < 0) & (X > -700)]  # log(sigmoid) is fine where sigmoid is not close to 1
    close(A.log_sigmoid(neg), np.log(A.sigmoid(neg)), rtol=1e-13)


def test_selu_is_lambda_times_elu_alpha():
    close(A.selu(X), A.SELU_SCALE * A.elu(X, alpha=A.SELU_ALPHA), rtol=4e-16)
    close(A.selu_grad(X), A.SELU_SCALE * A.elu_grad(X, alpha=A.SELU_ALPHA), rtol=4e-16)


def test_selu_constants_are_the_closed_forms_to_full_precision():
    with mp.workdps(50):
        e, ec = mp.e, mp.erfc(1 / mp.sqrt(2))
        alpha = -mp.sqrt(2 / mp.pi) / (ec * mp.exp(mp.mpf(1) / 2) - 1)
        lam = (1 - ec * mp.sqrt(e)) * mp.sqrt(2 * mp.pi) * (
            2 * mp.erfc(mp.sqrt(2)) * e**2 + mp.pi * ec**2 * e - 2 * (2 + mp.pi) * ec * mp.sqrt(e) + mp.pi + 2
        ) ** (-mp.mpf(1) / 2)
        assert A.SELU_ALPHA == float(alpha)
        assert A.SELU_SCALE == float(lam)
        assert A.selu_grad(-0.0) == float(alpha * lam)  # the product is rounded once


def test_silu_is_x_sigmoid_x_and_swish_with_beta_one():
    close(A.silu(X), X * A.sigmoid(X), rtol=4e-16)
    np.testing.assert_array_equal(A.swish(X), A.silu(X))
    np.testing.assert_array_equal(A.swish_grad(X), A.silu_grad(X))
    close(A.swish(X, beta=2.0), A.silu(2 * X) / 2, rtol=4e-16)


def test_hard_swish_is_x_hard_sigmoid():
    close(A.hard_swish(X), X * A.hard_sigmoid(X), rtol=4e-16)


def test_celu_with_alpha_one_is_elu():
    np.testing.assert_array_equal(A.celu(X), A.elu(X))


def test_squareplus_tends_to_relu_as_b_shrinks():
    assert np.max(np.abs(A.squareplus(X, b=1e-12) - A.relu(X))) < 1e-6


def test_gelu_tanh_form_approximates_the_exact_form():
    err = np.max(np.abs(A.gelu(X, approximate="tanh") - A.gelu(X)))
    assert 1e-4 < err < 5e-4  # the documented size of the approximation error (~4.7e-4 at its worst)


@pytest.mark.parametrize("name", list(A.ELEMENTWISE))
def test_derivative_matches_central_differences(name):
    act = A.ELEMENTWISE[name]
    for params in ({}, *act.variants):
        # a grid that avoids every kink (a difference quotient straddling one measures neither side)
        x = np.linspace(-6, 6, 240) + 0.0123
        result = check_derivative(act.fn, act.grad, x, tol=1e-6, **{**act.params, **params})
        assert result.passed, f"{name}{params}: {result}"


def test_gradcheck_catches_a_wrong_derivative():
    result = check_derivative(A.sigmoid, A.tanh_grad, np.linspace(-3, 3, 13))
    assert not result.passed and result.max_rel_error > 0.1
    assert "MISMATCH" in str(result)
