"""The gradient-check helpers shared by tests, book and exercises."""

import numpy as np
import pytest

from course_lib.gradcheck import check_derivative, numerical_derivative, numerical_gradient, rel_error


def test_rel_error_is_zero_for_equal_arrays_and_scale_free():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1e6], [1e6 * (1 + 1e-9)]) == pytest.approx(5e-10, rel=1e-3)
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)  # the floor keeps tiny values meaningful


def test_rel_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(3), np.ones(4))


def test_numerical_derivative_is_second_order_accurate():
    x = np.linspace(-2, 2, 9)
    assert np.max(np.abs(numerical_derivative(np.sin, x) - np.cos(x))) < 1e-9


def test_numerical_gradient_restores_the_parameter():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = w.copy()
    g = numerical_gradient(lambda: float(np.sum(w**3)), w)
    np.testing.assert_allclose(g, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(w, before)
    with pytest.raises(TypeError, match="float64 ndarray"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


def test_check_derivative_reports_where_it_fails():
    bad = lambda x: np.cos(x) + (x > 1) * 0.1  # noqa: E731
    result = check_derivative(np.sin, bad, np.linspace(-2, 2, 41))
    assert not result.passed and result.worst_x > 1
    assert check_derivative(np.sin, np.cos, np.linspace(-2, 2, 41)).passed
