"""The contract every elementwise activation and derivative keeps (issue 2).

dtype and shape policy, NaN and infinity, no floating-point warning for any input,
the input is never modified, and bad input gets an error that names the problem.
"""

import warnings

import mpmath as mp
import numpy as np
import pytest
from oracle import ORACLE, evaluate

from course_lib.activations import ELEMENTWISE

FUNCS = [(name, deriv) for name in ELEMENTWISE for deriv in (False, True)]
IDS = [f"{n}{'_grad' if d else ''}" for n, d in FUNCS]

SPECIALS = np.array([
    0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0,
    3.0, -3.0, 6.0, 20.0, -20.0, 88.7, -88.7, 89.0, -104.0, 354.0, -354.0, 709.7, 709.8, -708.0,
    -745.1, -746.0, 1e10, -1e10, 1e154, -1e154, 1e300, -1e300, 1.7976931348623157e308,
    -1.7976931348623157e308, np.inf, -np.inf, np.nan,
])


def _fn(name, deriv):
    act = ELEMENTWISE[name]
    return act.grad if deriv else act.fn


def _strict():
    """numpy raises on overflow/invalid/divide and any warning is an error."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_no_floating_point_warning_for_any_input(name, deriv, dtype):
    f = _fn(name, deriv)
    with np.errstate(over="ignore", under="ignore"):
        x = SPECIALS.astype(dtype)
    x = np.concatenate([x, np.random.default_rng(0).normal(0, 50, 2000).astype(dtype)])
    with _strict(), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(x)
    assert out.dtype == dtype and out.shape == x.shape


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
def test_dtype_shape_and_scalar_policy(name, deriv):
    f = _fn(name, deriv)
    x64 = np.linspace(-4, 4, 12).reshape(3, 4)
    assert f(x64).dtype == np.float64 and f(x64).shape == (3, 4)
    assert f(x64.astype(np.float32)).dtype == np.float32
    ints = np.arange(-3, 4)
    out = f(ints)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, f(ints.astype(np.float64)))
    scalar = f(0.75)
    assert isinstance(scalar, np.float64) and np.ndim(scalar) == 0
    assert isinstance(f(np.float32(0.75)), np.float32)
    assert f(np.array(0.75)).shape == ()
    assert f([0.75, -2.0]).shape == (2,)
    assert f(np.empty((0, 3))).shape == (0, 3)
    np.testing.assert_array_equal(f(x64)[1], f(x64[1]))  # elementwise: independent of neighbours


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
def test_float32_is_the_float64_result_rounded_once(name, deriv):
    f = _fn(name, deriv)
    x32 = np.random.default_rng(1).normal(0, 5, 500).astype(np.float32)
    with np.errstate(over="ignore"):
        expected = f(x32.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(f(x32), expected)


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
def test_nan_propagates(name, deriv):
    f = _fn(name, deriv)
    out = f(np.array([np.nan, 1.0, np.nan]))
    assert np.isnan(out[0]) and np.isnan(out[2]) and not np.isnan(out[1])
    assert np.isnan(f(np.float32(np.nan)))


def _limit(name, deriv, sign):
    """f(±inf) from the oracle at ±1e300: huge values mean ±inf, the rest are limits."""
    f, fp = ORACLE[name]
    v = evaluate(fp if deriv else f, sign * 1e300)
    if abs(v) > mp.mpf("1e200"):
        return np.inf if v > 0 else -np.inf
    if abs(v) < mp.mpf("1e-200"):
        return 0.0  # tends to zero (either sign)
    return float(v)


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
def test_infinities_give_the_limits(name, deriv):
    f = _fn(name, deriv)
    for sign in (1, -1):
        expected = _limit(name, deriv, sign)
        got = f(sign * np.inf)
        assert got == expected, f"{name}{'_grad' if deriv else ''}({sign * np.inf}) = {got}, the limit is {expected}"


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
def test_input_is_never_modified(name, deriv):
    f = _fn(name, deriv)
    x = np.linspace(-800, 800, 1601)
    x[::7] = np.nan
    before = x.copy()
    f(x)
    np.testing.assert_array_equal(x, before)
    x.setflags(write=False)  # read-only input works too
    f(x)
    x32 = before.astype(np.float32)
    f(x32)
    np.testing.assert_array_equal(x32, before.astype(np.float32))


@pytest.mark.parametrize("name,deriv", FUNCS, ids=IDS)
@pytest.mark.parametrize("bad,problem", [
    (np.array([1 + 2j]), "complex"),
    (np.array(["a", "b"]), "real numbers"),
    ("relu", "real numbers"),
    (None, "real numbers"),
    ([[1.0, 2.0], [3.0]], "expected"),
])
def test_bad_input_names_the_problem(name, deriv, bad, problem):
    f = _fn(name, deriv)
    with pytest.raises(TypeError, match=problem) as info:
        f(bad)
    assert f.__name__ in str(info.value)


@pytest.mark.parametrize("func,kwargs,match", [
    ("elu", {"alpha": -1.0}, "alpha"),
    ("celu", {"alpha": 0.0}, "alpha"),
    ("softplus", {"beta": 0.0}, "beta"),
    ("swish", {"beta": np.nan}, "beta"),
    ("hard_sigmoid", {"variant": "keras"}, "variant"),
    ("hard_tanh", {"min_val": 1.0, "max_val": -1.0}, "min_val"),
    ("gelu", {"approximate": "yes"}, "approximate"),
    ("squareplus", {"b": -4.0}, "b must"),
    ("softshrink", {"lambd": -0.5}, "lambd"),
    ("rrelu", {"lower": 0.5, "upper": 0.1}, "lower"),
])
def test_bad_parameters_name_the_problem(func, kwargs, match):
    import course_lib.activations as A

    for f in (getattr(A, func), getattr(A, func + "_grad")):
        with pytest.raises(ValueError, match=match):
            f(np.array([1.0]), **kwargs)


def test_unknown_activation_suggests_the_right_name():
    from course_lib.activations import get

    with pytest.raises(KeyError, match="Did you mean.*leaky_relu"):
        get("leaky_rleu")
