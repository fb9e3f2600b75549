"""Softmax, log-softmax, softmin, GLU and maxout: values, accuracy, Jacobians and backward passes."""

import mpmath as mp
import numpy as np
import pytest
from ulp import ulp_error

import course_lib.activations as A
from course_lib.gradcheck import numerical_gradient, rel_error

RNG = np.random.default_rng(3)


def _mp_softmax(row):
    """Exact softmax and log-softmax; log(sum) as m + log1p(rest) so tiny terms survive."""
    with mp.workprec(200):
        xs = [mp.mpf(float(v)) for v in row]
        m = max(xs)
        e = [mp.exp(v - m) for v in xs]
        s = mp.fsum(e)
        rest = mp.fsum(ei for i, ei in enumerate(e) if i != xs.index(m))
        return [v / s for v in e], [(v - m) - mp.log1p(rest) for v in xs]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_and_log_softmax_within_4_ulp(dtype):
    rows = [RNG.normal(0, s, n) for s in (1, 10, 300) for n in (2, 5, 16) for _ in range(6)]
    rows += [np.array([0.0, -1e-20, 1e-20]), np.array([1000.0, 1000.0, -1000.0]), np.array([40.0, 0.0])]
    worst = 0.0
    for row in rows:
        row = row.astype(dtype)
        p_exact, lp_exact = _mp_softmax(row)
        p, lp = A.softmax(row), A.log_softmax(row)
        assert p.dtype == dtype and lp.dtype == dtype
        for got, exact in zip(list(p) + list(lp), p_exact + lp_exact):
            worst = max(worst, ulp_error(got, exact, dtype))
    assert worst <= 4.0, f"worst error {worst:.2f} ULP"


def test_softmax_is_a_distribution_and_shift_invariant():
    x = RNG.normal(0, 5, (7, 11))
    p = A.softmax(x)
    assert np.all(p > 0) and np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=4e-16)
    np.testing.assert_allclose(A.softmax(x + 123.25), p, rtol=2e-14)
    np.testing.assert_allclose(A.softmax(x, axis=0).sum(axis=0), 1.0, atol=4e-16)


def test_softmax_handles_extremes_without_warnings():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(A.softmax([1000.0, 1000.0]), [0.5, 0.5])
        np.testing.assert_array_equal(A.softmax([0.0, -np.inf]), [1.0, 0.0])
        assert A.log_softmax([0.0, -1000.0])[1] == -1000.0
        assert A.softmax(np.array([1e308, -1e308]))[0] == 1.0


def test_softmin_is_softmax_of_minus_x():
    x = RNG.normal(size=(3, 4))
    np.testing.assert_array_equal(A.softmin(x), A.softmax(-x))


def test_jacobian_is_symmetric_rows_sum_to_zero_and_matches_differences():
    x = RNG.normal(0, 2, (4, 6))
    jac = A.softmax_jacobian(x)
    assert jac.shape == (4, 6, 6)
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), atol=1e-17)
    np.testing.assert_allclose(jac.sum(axis=-1), 0.0, atol=1e-16)
    xi = x[0].copy()
    for j in range(6):
        col = numerical_gradient(lambda: float(A.softmax(xi)[j]), xi)
        assert rel_error(col, jac[0, j]) < 1e-7


def test_jacobian_diagonal_keeps_precision_when_one_class_dominates():
    jac = A.softmax_jacobian([40.0, 0.0])
    with mp.workprec(200):
        p1 = 1 / (1 + mp.exp(40))
        exact = (1 - p1) * p1
    assert ulp_error(jac[0, 0], exact, np.float64) <= 4  # 1 - p0 would lose every digit here


@pytest.mark.parametrize("fn,vjp", [(A.softmax, A.softmax_vjp), (A.log_softmax, A.log_softmax_vjp), (A.softmin, A.softmin_vjp)])
def test_vjp_matches_numerical_gradient(fn, vjp):
    x = RNG.normal(size=(3, 5))
    g = RNG.normal(size=(3, 5))
    loss = lambda: float(np.sum(fn(x) * g))  # noqa: E731
    assert rel_error(vjp(x, g), numerical_gradient(loss, x)) < 1e-7


def test_softmax_vjp_is_jacobian_transpose_times_g():
    x, g = RNG.normal(size=5), RNG.normal(size=5)
    np.testing.assert_allclose(A.softmax_vjp(x, g), A.softmax_jacobian(x).T @ g, atol=1e-15)


def test_log_softmax_vjp_gives_p_minus_y_for_cross_entropy():
    x = RNG.normal(size=(4, 3))
    y = np.eye(3)[[0, 2, 1, 1]]
    np.testing.assert_allclose(A.log_softmax_vjp(x, -y), A.softmax(x) - y, atol=1e-15)


def test_glu_values_shapes_and_backward():
    x = RNG.normal(size=(2, 6))
    out = A.glu(x)
    np.testing.assert_allclose(out, x[:, :3] * A.sigmoid(x[:, 3:]), rtol=1e-15)
    assert A.glu(x, axis=0).shape == (1, 6)
    g = RNG.normal(size=(2, 3))
    loss = lambda: float(np.sum(A.glu(x) * g))  # noqa: E731
    assert rel_error(A.glu_vjp(x, g), numerical_gradient(loss, x)) < 1e-7
    with pytest.raises(ValueError, match="even"):
        A.glu(np.ones(5))


def test_maxout_values_ties_and_backward():
    x = np.array([[1.0, 3.0, -2.0, -5.0, 4.0, 4.0]])
    np.testing.assert_array_equal(A.maxout(x, k=2), [[3.0, -2.0, 4.0]])
    np.testing.assert_array_equal(A.maxout(x, k=3), [[3.0, 4.0]])
    back = A.maxout_vjp(x, np.array([[10.0, 20.0, 30.0]]), k=2)
    np.testing.assert_array_equal(back, [[0.0, 10.0, 20.0, 0.0, 30.0, 0.0]])  # a tie: the first maximum
    xr = RNG.normal(size=(3, 8))
    g = RNG.normal(size=(3, 4))
    loss = lambda: float(np.sum(A.maxout(xr, k=2) * g))  # noqa: E731
    assert rel_error(A.maxout_vjp(xr, g, k=2), numerical_gradient(loss, xr)) < 1e-7
    with pytest.raises(ValueError, match="multiple of k=4"):
        A.maxout(np.ones(6), k=4)
    with pytest.raises(ValueError, match="positive integer"):
        A.maxout(np.ones(6), k=0)


@pytest.mark.parametrize("fn", [A.softmax, A.log_softmax, A.softmin, A.glu, A.maxout, A.softmax_jacobian])
def test_vector_functions_reject_bad_input_clearly(fn):
    with pytest.raises(ValueError, match="at least one axis"):
        fn(3.0)
    with pytest.raises(TypeError, match="complex"):
        fn(np.array([1j, 2j]))
    with pytest.raises(ValueError, match="empty"):
        fn(np.empty((2, 0)))


def test_vjps_reject_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match="upstream gradient has shape"):
        A.softmax_vjp(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        A.softmax(np.ones(3), axis=5)


def test_vector_functions_do_not_modify_their_input():
    x = RNG.normal(size=(2, 4))
    before = x.copy()
    for fn in (A.softmax, A.log_softmax, A.softmin, A.glu, A.maxout, A.softmax_jacobian):
        fn(x)
    A.softmax_vjp(x, x)
    A.maxout_vjp(x, np.ones((2, 2)))
    np.testing.assert_array_equal(x, before)
