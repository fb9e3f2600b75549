"""Every claim the registry makes about an activation is checked here (issue 2).

Range, monotonicity, zero-centring (oddness), saturation, smoothness, boundedness and
self-normalisation: property tests (hypothesis) over the whole float64 line, plus exact
checks of the claimed minima against mpmath.
"""

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import ORACLE

from course_lib.activations import ELEMENTWISE, REGISTRY, SMOOTHNESS

NAMES = list(ELEMENTWISE)
finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-50, max_value=50, allow_nan=False)
GRID = np.union1d(np.linspace(-8, 8, 16001), [-3, -2.5, -1, -0.5, 0, 0.5, 1, 2.5, 3, 6])


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=300, deadline=None)
@given(x=finite)
def test_output_stays_in_the_claimed_range(name, x):
    act = ELEMENTWISE[name]
    lo, hi = act.output_range
    y = float(act(x))
    assert lo <= y <= hi, f"{name}({x!r}) = {y!r} outside [{lo}, {hi}]"


@pytest.mark.parametrize("name", [n for n in NAMES if ELEMENTWISE[n].monotonic])
@settings(max_examples=300, deadline=None)
@given(a=finite, b=finite)
def test_monotonic_claims_hold(name, a, b):
    act = ELEMENTWISE[name]
    lo, hi = min(a, b), max(a, b)
    assert act(lo) <= act(hi), f"{name} decreases between {lo!r} and {hi!r}"


#: Monotone in exact arithmetic, and in floating point only up to this many ULP: tanhshrink
#: is not correctly rounded inside its Chebyshev window (|x| < 1.5), and softplus with
#: beta != 1 corrects the rounding of beta*x by a term that is itself rounded.
MONOTONE_UP_TO_ROUNDING = {("tanhshrink", ()): 4, ("softplus", (("beta", 2.5),)): 2}


@pytest.mark.parametrize("name", [n for n in NAMES if ELEMENTWISE[n].monotonic])
def test_monotonic_claims_hold_between_neighbouring_floats(name):
    """The sharpest test: f(x) <= f(next float after x), where rounding errors would show."""
    act = ELEMENTWISE[name]
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(0, 3, 100_000), rng.uniform(-800, 800, 50_000),
                        10 ** rng.uniform(-300, 300, 50_000) * rng.choice([-1, 1], 50_000)])
    for params in ({}, *act.variants):
        f0 = act.fn(x, **{**act.params, **params})
        f1 = act.fn(np.nextafter(x, np.inf), **{**act.params, **params})
        slack = MONOTONE_UP_TO_ROUNDING.get((name, tuple(params.items())), 0) * np.spacing(np.abs(f1))
        bad = np.flatnonzero(f1 < f0 - slack)
        assert bad.size == 0, f"{name}{params} decreases after x = {x[bad[:3]]}"


@pytest.mark.parametrize("name", [n for n in NAMES if ELEMENTWISE[n].monotonic is False])
def test_non_monotonic_claims_have_a_witness(name):
    assert np.any(np.diff(ELEMENTWISE[name](GRID)) < 0), f"{name} is claimed non-monotonic but never decreases"


@pytest.mark.parametrize("name", [n for n in NAMES if ELEMENTWISE[n].zero_centred])
@settings(max_examples=300, deadline=None)
@given(x=finite)
def test_zero_centred_means_odd(name, x):
    act = ELEMENTWISE[name]
    assert act(0.0) == 0.0
    assert act(-x) == -act(x), f"{name} is not odd at {x!r}"


@pytest.mark.parametrize("name", [n for n in NAMES if ELEMENTWISE[n].zero_centred is False])
def test_not_zero_centred_claims_have_a_witness(name):
    f = ELEMENTWISE[name]
    assert np.any(f(-GRID) != -f(GRID)), f"{name} is odd, so it is zero-centred"


@pytest.mark.parametrize("name", NAMES)
def test_saturation_claims(name):
    act = ELEMENTWISE[name]
    for side, claim in ((-1e8, act.saturates_left), (1e8, act.saturates_right)):
        slope = abs(float(act.derivative_at(side)))
        if claim:
            assert slope < 1e-10, f"{name} claims to saturate towards {side:g} but f' = {slope}"
        else:
            assert slope > 1e-3, f"{name} claims not to saturate towards {side:g} but f' = {slope}"


@pytest.mark.parametrize("name", NAMES)
def test_boundedness_claims(name):
    act = ELEMENTWISE[name]
    top, bottom = float(act(1e8)), float(act(-1e8))
    assert act.bounded_above == (top < 1e6), f"{name}: bounded_above={act.bounded_above} but f(1e8) = {top}"
    assert act.bounded_below == (bottom > -1e6), f"{name}: bounded_below={act.bounded_below} but f(-1e8) = {bottom}"


def _jumps(values, tol):
    """Steps between neighbours (spacing 1e-3) larger than ``tol`` relative to the values."""
    return np.abs(np.diff(values)) > tol * np.maximum(1.0, np.abs(values[1:]))


@pytest.mark.parametrize("name", NAMES)
def test_smoothness_claims(name):
    act = ELEMENTWISE[name]
    assert act.smoothness in SMOOTHNESS
    x = GRID  # spacing 1e-3
    f, g = act(x), act.derivative_at(x)
    level = SMOOTHNESS.index(act.smoothness)
    f_jumps = _jumps(f, 0.05).any()
    g_jumps = _jumps(g, 0.05).any()
    second = np.diff(g) / np.diff(x)
    g2_jumps = _jumps(second, 0.05).any()
    assert f_jumps == (level == 0), f"{name} is claimed {act.smoothness}, but f jumps: {f_jumps}"
    if level >= 1:
        assert g_jumps == (level == 1), f"{name} is claimed {act.smoothness}, but f' jumps: {g_jumps}"
    if level >= 2:
        assert g2_jumps == (level == 2), f"{name} is claimed {act.smoothness}, but f'' jumps: {g2_jumps}"


def _minimum(name):
    f, fp = ORACLE[name]
    with mp.workdps(40):
        x0 = mp.findroot(fp, -1.0)
        return f(x0)


@pytest.mark.parametrize("name", ["silu", "swish", "gelu", "mish", "hard_swish"])
def test_claimed_minima_are_the_true_minima(name):
    lo = ELEMENTWISE[name].output_range[0]
    assert lo == pytest.approx(float(_minimum(name)), rel=1e-15)


def _moments(act, var):
    """(E f(z), E f(z)^2) for z ~ N(0, var): what a LeCun-initialised dense layer feeds on."""
    from scipy import integrate

    sd = np.sqrt(var)
    gauss = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    points = [0.0, *(k / sd for k in act.kinks)]
    mean = integrate.quad(lambda z: float(act(sd * z)) * gauss(z), -40, 40, points=points, limit=200)[0]
    second = integrate.quad(lambda z: float(act(sd * z)) ** 2 * gauss(z), -40, 40, points=points, limit=200)[0]
    return mean, second


def test_self_normalising_means_an_attracting_fixed_point_at_zero_mean_unit_variance():
    """Klambauer et al.: mean 0 and variance 1 map to themselves, and nearby variances are
    pulled back (|d var_out / d var_in| < 1). The identity keeps the moments too, but does not
    pull them back, so it is not self-normalising."""
    for act in ELEMENTWISE.values():
        mean, second = _moments(act, 1.0)
        fixed = abs(mean) < 1e-7 and abs(second - 1) < 1e-7
        h = 1e-3
        slope = (_moments(act, 1 + h)[1] - _moments(act, 1 - h)[1]) / (2 * h)
        attracting = abs(slope) < 0.99
        assert (fixed and attracting) == act.self_normalising, (
            f"{act.name}: mean {mean:.3g}, second moment {second:.6g}, variance map slope {slope:.3f}")


def test_registry_is_complete_and_consistent():
    assert set(ORACLE) == set(ELEMENTWISE)
    for act in REGISTRY.values():
        assert act.bibkey and act.paper and act.year > 1900
        assert act.formula and act.derivative
        assert act.pytorch is None or act.pytorch.startswith("torch.nn.")
        assert act.keras is None or act.keras.startswith(("keras.activations.", "keras.layers."))
        for params in act.variants:
            assert set(params) <= set(act.params), f"{act.name}: variant {params} has unknown parameters"
    with pytest.raises(Exception):
        REGISTRY["relu"].params["x"] = 1  # frozen
