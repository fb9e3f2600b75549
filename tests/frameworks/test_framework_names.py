"""The registry's PyTorch and Keras names exist, with the defaults it states; the kink
conventions the library shares with PyTorch are autograd's; vector-valued activations and
PReLU's slope gradient agree with autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from framework_args import (
    DIFFERENT_DEFAULT,
    EXTRA_ARG,
    FIXED,
    framework_kwargs,
    framework_name,
    resolve,
    signature_defaults,
)
from test_kinks import KINKS

from course_lib.activations import ELEMENTWISE, REGISTRY, prelu_grad_alpha

NAMED = [(fw, name) for name, a in REGISTRY.items() for fw in ("torch", "keras") if framework_name(fw, a)]


@pytest.mark.parametrize("framework,name", NAMED, ids=[f"{fw}-{n}" for fw, n in NAMED])
def test_name_exists_with_the_registry_defaults(framework, name):
    """Every library parameter is the framework's argument (renamed where listed) with the same
    default, or fixed in the framework at the library's default, or a listed difference that the
    registry's framework_notes state; every other framework argument is listed."""
    act = REGISTRY[name]
    fw_defaults = signature_defaults(framework, act)  # fails here if the name does not exist
    expected_args = set()
    for key, default in act.params.items():
        if (framework, name, key) in FIXED:
            assert FIXED[framework, name, key] == default, f"{name}: {framework} fixes {key} at a value other than the default"
            continue
        arg = framework_kwargs(framework, name, {key: default})
        (fw_arg, fw_value), = arg.items()
        expected_args.add(fw_arg)
        assert fw_arg in fw_defaults, f"{framework_name(framework, act)} has no argument {fw_arg!r} (library {key!r})"
        if (framework, name, key) in DIFFERENT_DEFAULT:
            stated, where = DIFFERENT_DEFAULT[framework, name, key]
            assert fw_defaults[fw_arg] == stated, f"{framework_name(framework, act)}: {fw_arg} defaults to {fw_defaults[fw_arg]!r}, not {stated!r}"
            assert where in act.framework_notes, f"registry {name}.framework_notes should say {where!r}"
        else:
            assert fw_defaults[fw_arg] == fw_value, (
                f"{framework_name(framework, act)}: {fw_arg} defaults to {fw_defaults[fw_arg]!r}; the registry says {default!r}")
    extra = {a: d for a, d in fw_defaults.items() if a not in expected_args}
    listed = {a: d for (fw, n, a), d in EXTRA_ARG.items() if (fw, n) == (framework, name)}
    assert extra == listed, f"{framework_name(framework, act)}: arguments the library lacks {extra}, listed {listed}"


def test_softplus_threshold_is_in_the_framework_notes():
    assert "threshold" in REGISTRY["softplus"].framework_notes and "20" in REGISTRY["softplus"].framework_notes


# The kinks whose parameters PyTorch can express; the library departs from PyTorch 2.13 at these
# (x -> what torch 2.13 returns), documented in the book and the library's docstring.
DEPARTURES = {("hard_swish", -3.0): 0.0, ("hard_swish", 3.0): 1.0}
TORCH_KINKS = [k for k in KINKS if ELEMENTWISE[k[0]].pytorch
               and framework_kwargs("torch", k[0], {**ELEMENTWISE[k[0]].params, **k[1]}) is not None]


def torch_derivative(name, params, x, dtype):
    act = ELEMENTWISE[name]
    module = resolve(act.pytorch)(**framework_kwargs("torch", name, {**act.params, **params})).eval()
    t = torch.tensor([x], dtype=dtype, requires_grad=True)
    module.to(dtype)(t).sum().backward()
    return t.grad.item()


@pytest.mark.parametrize("name,params,x,expected,why", TORCH_KINKS, ids=[f"{k[0]}{k[1] or ''}@{k[2]}" for k in TORCH_KINKS])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_kink_convention_is_torch_autograds(name, params, x, expected, why, dtype):
    act = ELEMENTWISE[name]
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    lib = float(act.grad(np.array([x], dtype=np_dtype), **{**act.params, **params})[0])
    got = torch_derivative(name, params, x, dtype)
    if (name, x) in DEPARTURES and not params:
        assert got == DEPARTURES[name, x] and lib == expected and lib != got, (
            f"{name}'({x}): torch {got}, library {lib}; the documented departure is torch "
            f"{DEPARTURES[name, x]} vs library {expected}: if torch changed, update DEPARTURES and the book")
        return
    # 1 ULP: PyTorch multiplies SELU's two rounded constants (tests/test_kinks.py)
    assert abs(lib - got) <= np.spacing(np_dtype(abs(lib))), f"{name}'({x}) = {lib} in the library, {got} in torch ({why})"


def test_every_torch_kink_departure_is_in_the_kink_table():
    assert {(n, x) for n, p, x, _, _ in TORCH_KINKS if not p} >= set(DEPARTURES)


def test_prelu_slope_gradient_is_autograds():
    x = np.concatenate([np.linspace(-5, 5, 101), [0.0, -1e300, 1e300]])
    g = np.random.default_rng(0).standard_normal(x.size)
    m = torch.nn.PReLU().double()
    y = m(torch.tensor(x))
    y.backward(torch.tensor(g))
    lib = np.sum(g * prelu_grad_alpha(x, alpha=0.25))
    assert m.weight.grad.item() == pytest.approx(lib, rel=1e-14)


VECTOR = [n for n, a in REGISTRY.items() if not a.elementwise and a.pytorch]


def _vector_inputs(name):
    rng = np.random.default_rng(1)
    masked = np.inf if name == "softmin" else -np.inf  # a masked entry: weight 0
    out = {"normal": rng.standard_normal((5, 8)), "wide": 30 * rng.standard_normal((5, 8)),
           "extreme": np.array([[1000.0, -1000.0, 0.0, 1.0, 2.0, 700.0, -700.0, 3.0]])}
    if name != "glu":
        out["masked"] = np.array([[masked, 0.0, 1.0, 2.0, masked, 3.0, 4.0, 5.0]])
    return out


VECTOR_CASES = [(n, k) for n in VECTOR for k in _vector_inputs(n)]


@pytest.mark.parametrize("name,which", VECTOR_CASES, ids=[f"{n}-{k}" for n, k in VECTOR_CASES])
def test_vector_valued_agree_with_autograd(name, which):
    """Value and vector-Jacobian product against PyTorch's module and autograd, in float64.

    Tolerance: PyTorch rounds x - max(x) before exp, an error exp amplifies by S = the largest
    finite |x| (relative eps·S), and x - logsumexp(x) in log_softmax cancels (absolute eps·S);
    the backward passes combine such terms with g (absolute eps·S·max|g|)."""
    act = REGISTRY[name]
    x = _vector_inputs(name)[which]
    g = np.random.default_rng(2).standard_normal(x.shape if name != "glu" else (x.shape[0], x.shape[1] // 2))
    module = resolve(act.pytorch)(**framework_kwargs("torch", name, dict(act.params)))
    t = torch.tensor(x, requires_grad=True)
    y = module(t)
    y.backward(torch.tensor(g))
    lib_y, lib_vjp = act.fn(x, **act.params), act.grad(x, g, **act.params)
    eps, spread = 2.0**-52, max(1.0, float(np.max(np.abs(x[np.isfinite(x)]))))
    got_y, got_vjp = y.detach().numpy(), t.grad.numpy()
    assert np.array_equal(np.isnan(lib_y), np.isnan(got_y)) and np.array_equal(np.isinf(lib_y), np.isinf(got_y))
    fin = np.isfinite(lib_y)
    tol = 8 * np.spacing(np.abs(lib_y[fin])) + eps * spread * (np.abs(lib_y[fin]) + 1.0)
    assert np.all(np.abs(lib_y[fin] - got_y[fin]) <= tol), f"{name} {which}: values differ: {lib_y} vs {got_y}"
    np.testing.assert_allclose(lib_vjp, got_vjp, rtol=8 * eps, atol=4 * eps * spread * np.max(np.abs(g)))
