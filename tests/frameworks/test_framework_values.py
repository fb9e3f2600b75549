"""Every elementwise activation that PyTorch or Keras has: the library's value and derivative
against the framework's float64 result and ``torch.autograd``'s derivative, over the whole line.

The inputs are those of the accuracy tests (every decade to ±1.7e308, the tails, subnormal
results, zero) plus each activation's kinks and their neighbours, ±inf and NaN. Agreement is
4 ULP of the library's result except where ``framework_tolerances`` documents why a framework's
formula is less exact; at each such point mpmath decides that the library is the exact one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from framework_args import framework_kwargs, framework_name, resolve
from framework_tolerances import KERAS, TORCH, ULPS, Looser, looser, within
from oracle import ORACLE, evaluate
from ulp import accuracy_points, ulp_error

from course_lib.activations import ELEMENTWISE

TABLES = {"torch": TORCH, "keras": KERAS}


@dataclass(frozen=True)
class Case:
    framework: str
    name: str
    params: tuple  #: the library's parameters, defaults included

    @property
    def variant(self) -> str:
        """The non-default parameters, "alpha=2.5"; empty for the defaults."""
        return ",".join(f"{k}={v}" for k, v in self.params if ELEMENTWISE[self.name].params.get(k) != v)

    @property
    def label(self) -> str:
        return f"{self.framework}-{self.name}" + (f"({self.variant})" if self.variant else "")

    def looser(self, which: str) -> Looser:
        return looser(TABLES[self.framework], self.name, which, self.variant)


def _cases():
    out = []
    for name, act in ELEMENTWISE.items():
        for framework in ("torch", "keras"):
            if framework_name(framework, act) is None:
                continue
            for variant in ({}, *act.variants):
                params = {**act.params, **variant}
                if framework_kwargs(framework, name, params) is not None:
                    out.append(Case(framework, name, tuple(params.items())))
    return out


CASES = _cases()


def framework_eval(case: Case, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The framework's value and autograd derivative at ``x``, in float64."""
    act = ELEMENTWISE[case.name]
    kwargs = framework_kwargs(case.framework, case.name, dict(case.params))
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    if case.framework == "torch":
        module = resolve(act.pytorch)(**kwargs).double().eval()  # eval(): RReLU's mean slope
        y = module(t)
    else:
        y = resolve(act.keras)(t, **kwargs)
    assert y.dtype == torch.float64, f"{case.label} returned {y.dtype} for float64 input"
    y.backward(torch.ones_like(y))
    return y.detach().numpy().copy(), t.grad.numpy().copy()


def library_eval(case: Case, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    act, params = ELEMENTWISE[case.name], dict(case.params)
    return act.fn(x, **params), act.grad(x, **params)


def points(case: Case) -> np.ndarray:
    act = ELEMENTWISE[case.name]
    return np.concatenate([accuracy_points(np.float64, extra=act.kinks), [np.inf, -np.inf, np.nan]])


def _compare(case: Case, which: str):
    """(x, library, framework, looser, mask of the points compared) for the value or the derivative."""
    x = points(case)
    lib = dict(zip(("value", "grad"), library_eval(case, x)))[which]
    got = dict(zip(("value", "grad"), framework_eval(case, x)))[which]
    loose = case.looser(which)
    compared = np.isfinite(x)
    if which == "grad":
        compared &= ~np.isin(x, ELEMENTWISE[case.name].kinks)
    if loose.overflow is not None:
        with np.errstate(invalid="ignore"):
            compared &= ~loose.overflow(x)
    return x, lib, got, loose, compared


def _show(x, lib, got, bad, n=4):
    return "; ".join(f"x={x[i]!r}: library {lib[i]!r}, framework {got[i]!r}" for i in np.flatnonzero(bad)[:n])


@pytest.mark.parametrize("which", ["value", "grad"])
@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_agrees_with_the_framework(case, which):
    x, lib, got, loose, compared = _compare(case, which)
    bad = compared & ~within(lib, got, x, loose)
    assert not bad.any(), (
        f"{case.label} {which}: {bad.sum()} of {compared.sum()} points differ by more than {ULPS} ULP"
        f"{' + the documented ' + repr(loose.why) if loose.why else ''}: {_show(x, lib, got, bad)}")


LIBRARY_BUGS = {}  # (name, variant, "value" or "grad") -> reason: a library bug the tier found, not yet fixed


def _known_library_bug(case, which):
    reason = LIBRARY_BUGS.get((case.name, case.variant, which))
    return pytest.param(case, which, marks=pytest.mark.xfail(reason=reason, strict=True)) if reason else (case, which)


@pytest.mark.parametrize("case,which", [_known_library_bug(c, w) for c in CASES for w in ("value", "grad")],
                         ids=[f"{c.label}-{w}" for c in CASES for w in ("value", "grad")])
def test_infinities_nan_and_overflow(case, which):
    """At ±inf the two agree, or the framework returns NaN where documented (the library: the limit);
    NaN gives NaN; beyond a documented overflow the framework's result is not finite."""
    x, lib, got, loose, _ = _compare(case, which)
    for xi, li, gi in zip(x, lib, got):
        if math.isinf(xi):
            if xi in loose.nan_at:
                assert math.isnan(gi) and not math.isnan(li), (
                    f"{case.label} {which} at {xi}: documented as NaN in the framework ({loose.why}), "
                    f"got {gi} (library {li}); if the framework changed, update framework_tolerances and the book")
            else:
                assert within(li, gi, xi, loose), f"{case.label} {which} at {xi}: library {li}, framework {gi}"
        elif math.isnan(xi) and which == "value":
            assert math.isnan(gi) and math.isnan(li), f"{case.label}: NaN in, library {li}, framework {gi}"
        elif loose.overflow is not None and math.isfinite(xi) and loose.overflow(np.float64(xi)):
            assert not within(li, gi, xi, _STRICT), (
                f"{case.label} {which} at {xi}: documented to overflow in the framework ({loose.why}), "
                f"but it returns {gi} (library {li}); if the framework changed, update framework_tolerances")


LOOSENED = [c for c in CASES if any(c.looser(w).why for w in ("value", "grad"))]


@pytest.mark.parametrize("case", LOOSENED, ids=[c.label for c in LOOSENED])
def test_looser_tolerance_is_the_frameworks_error(case):
    """Wherever the framework differs from the library by more than 4 ULP, the library is within
    4 ULP of the exact result (mpmath) and the framework is farther from it: the looser tolerance
    measures the framework's formula, not the library. Each documented looseness is still needed."""
    params = dict(case.params)
    for which in ("value", "grad"):
        x, lib, got, loose, compared = _compare(case, which)
        if not loose.why:
            continue
        strict = compared & ~within(lib, got, x, _STRICT)
        needed = bool(strict.any()) or loose.atol is None and loose.rtol is None
        assert needed, (f"{case.label} {which}: the framework now agrees to {ULPS} ULP everywhere; "
                        f"remove the looser tolerance ({loose.why!r}) and what the book says about it")
        f = ORACLE[case.name][which == "grad"]
        for i in np.flatnonzero(strict):
            exact = evaluate(f, float(x[i]), **params)
            lib_err, fw_err = ulp_error(lib[i], exact, np.float64), ulp_error(got[i], exact, np.float64)
            assert lib_err <= ULPS and fw_err > lib_err, (
                f"{case.label} {which} at x={x[i]!r}: library {lib[i]!r} ({lib_err:.3g} ULP from exact), "
                f"framework {got[i]!r} ({fw_err:.3g} ULP)")


_STRICT = Looser("")
