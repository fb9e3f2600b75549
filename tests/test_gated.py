"""ReGLU, GeGLU and SwiGLU (Shazeer, 2020): values against mpmath, backward passes by central
differences, shapes, dtypes, bad input, and their place in the registry, the network and the book."""

import mpmath as mp
import numpy as np
import pytest
from oracle import ORACLE, evaluate
from ulp import ulp_error

import course_lib.activations as A
from course_lib import book, plotting
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.nn import ActivationLayer

# name -> (function, backward pass, registry name of the elementwise gate, the gate's parameters)
GATED = {
    "reglu": (A.reglu, A.reglu_vjp, "relu", {}),
    "geglu": (A.geglu, A.geglu_vjp, "gelu", {}),
    "geglu_tanh": (A.geglu, A.geglu_vjp, "gelu", {"approximate": "tanh"}),
    "swiglu": (A.swiglu, A.swiglu_vjp, "swish", {"beta": 1.0}),
    "swiglu_beta": (A.swiglu, A.swiglu_vjp, "swish", {"beta": 1.7}),
}
RNG = np.random.default_rng(2020)


def _pairs(dtype, n=300):
    """Value halves over many decades, gate halves where the gate is a normal number."""
    top = 30 if dtype == np.float32 else 200
    a = 10.0 ** RNG.uniform(-top, top, n) * RNG.choice([-1.0, 1.0], n)
    b = np.concatenate([RNG.uniform(-4, 4, n // 3), RNG.uniform(-25, 25, n // 3),
                        10.0 ** RNG.uniform(-20, 6, n - 2 * (n // 3)) * RNG.choice([-1.0, 1.0], n - 2 * (n // 3))])
    b[:4] = [0.0, -0.0, 1.0, -1.0]
    return a.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", sorted(GATED))
def test_values_within_4_ulp_of_mpmath(case, dtype):
    """Check a * f(b) against a * f(b) computed in mpmath, f from the independent oracle."""
    fn, _, gate, params = GATED[case]
    a, b = _pairs(dtype)
    got = fn(np.stack([a, b], axis=-1), **params)[:, 0]
    assert got.dtype == dtype
    oracle = ORACLE[gate][0]
    worst = 0.0
    for ai, bi, gi in zip(a, b, got):
        fb = evaluate(oracle, float(bi), **params)
        if fb != 0 and abs(fb) < mp.mpf(2) ** -1022:
            continue  # a subnormal gate value carries fewer bits than a product can show
        with mp.workprec(300):
            exact = mp.mpf(float(ai)) * fb
        worst = max(worst, ulp_error(gi, exact, dtype))
    assert worst <= 4.0, f"{case}: worst error {worst:.2f} ULP"


@pytest.mark.parametrize("case", sorted(GATED))
@pytest.mark.parametrize("axis", [0, -1])
def test_backward_pass_matches_central_differences(case, axis):
    """Check the VJP of each unit on 2-D input, split along either axis."""
    fn, vjp, gate, params = GATED[case]
    x = RNG.normal(scale=1.5, size=(4, 6))
    x[np.abs(x) < 1e-3] += 0.01  # ReLU's kink: a central difference there is not a derivative
    g = RNG.normal(size=fn(x, axis=axis, **params).shape)

    def loss():
        return float(np.sum(fn(x, axis=axis, **params) * g))

    assert rel_error(vjp(x, g, axis=axis, **params), numerical_gradient(loss, x)) < 1e-7


@pytest.mark.parametrize("case", sorted(GATED))
def test_gate_is_the_elementwise_activation_of_the_second_half(case):
    """Check that the output is the first half times the registry's gate of the second half,
    and that its derivative in b is the first half times the gate's derivative."""
    fn, vjp, gate, params = GATED[case]
    x = RNG.normal(size=(3, 8))
    a, b = x[:, :4], x[:, 4:]
    f = A.REGISTRY[gate]
    np.testing.assert_array_equal(fn(x, **params), a * f.fn(b, **params))
    back = vjp(x, np.ones((3, 4)), **params)
    np.testing.assert_array_equal(back[:, :4], f.fn(b, **params))
    np.testing.assert_array_equal(back[:, 4:], a * f.grad(b, **params))


def test_glu_family_identities():
    """SwiGLU([a, b]) = GLU([a b, b]); ReGLU is SwiGLU as beta grows; ReGLU's gate has relu'(0) = 0."""
    x = RNG.normal(size=(5, 6))
    a, b = x[:, :3], x[:, 3:]
    np.testing.assert_allclose(A.swiglu(x), A.glu(np.concatenate([a * b, b], axis=1)), rtol=1e-15)
    np.testing.assert_allclose(A.swiglu(x, beta=1e4), A.reglu(x), atol=1e-4)
    np.testing.assert_array_equal(A.reglu_vjp([3.0, 0.0], [1.0]), [0.0, 0.0])
    assert abs(A.geglu([1.0, 1.0])[0] - A.geglu([1.0, 1.0], approximate="tanh")[0]) < 1e-3


@pytest.mark.parametrize("fn", [A.reglu, A.geglu, A.swiglu])
def test_bad_input_is_named(fn):
    with pytest.raises(ValueError, match="must be even"):
        fn(np.ones(5))
    with pytest.raises(ValueError, match="at least one axis"):
        fn(2.0)
    with pytest.raises(TypeError, match="complex"):
        fn(np.array([1j, 2j]))
    with pytest.raises(ValueError, match="out of range"):
        fn(np.ones(4), axis=3)


@pytest.mark.parametrize("vjp", [A.reglu_vjp, A.geglu_vjp, A.swiglu_vjp])
def test_backward_rejects_a_gradient_of_the_wrong_shape(vjp):
    with pytest.raises(ValueError, match="upstream gradient has shape"):
        vjp(np.ones(4), np.ones(4))


def test_nan_propagates_extremes_are_quiet_and_input_is_kept():
    x = np.array([[np.nan, 1.0, 2.0, np.nan], [1e300, -1e300, 1e300, 1e300]])
    before = x.copy()
    with np.errstate(all="raise"):
        for fn, vjp in [(A.reglu, A.reglu_vjp), (A.geglu, A.geglu_vjp), (A.swiglu, A.swiglu_vjp)]:
            out = fn(x)
            assert np.isnan(out[0, 0]) and np.isnan(out[0, 1])
            assert out[1, 0] == np.inf  # 1e300 * 1e300 overflows to inf, quietly
            vjp(x, np.ones((2, 2)))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", ["reglu", "geglu", "swiglu"])
def test_registry_records_the_gated_units(name):
    act = A.REGISTRY[name]
    assert not act.elementwise and act.family == "output" and act.year == 2020
    assert act.bibkey == "shazeer2020glu" and book.page_of(name) == "book/smooth/gated"
    x = RNG.normal(size=(2, 6))
    np.testing.assert_array_equal(act(x), act.fn(x, **act.params))


@pytest.mark.parametrize("name", ["reglu", "geglu", "swiglu"])
def test_activation_layer_backward_through_a_gated_unit(name):
    """Check the network's ActivationLayer runs the gated units, forward and backward."""
    layer = ActivationLayer(name)
    x = RNG.normal(size=(3, 8))
    x[np.abs(x) < 1e-3] += 0.01
    g = RNG.normal(size=(3, 4))
    out = layer(x)
    assert out.shape == (3, 4)

    def loss():
        return float(np.sum(layer(x) * g))

    assert rel_error(layer.backward(g), numerical_gradient(loss, x)) < 1e-7


def test_gated_figure_renders_with_alt_text():
    fig = plotting.show_gated(caption="c")
    assert fig.png.startswith(b"\x89PNG") and "SwiGLU" in fig.alt
