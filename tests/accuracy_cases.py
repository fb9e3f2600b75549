"""The accuracy cases: every elementwise activation and derivative, with default and
notable parameters, and the points where each is hardest to get right."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from oracle import ORACLE, evaluate
from ulp import accuracy_points, ulp_error

from course_lib.activations import ELEMENTWISE, _tables

# Points of interest beyond the generic sets: kinks, roots of derivatives, table edges.
_ROOTS = {
    "silu": [_tables.SILU_GRAD_ROOT[0], -1.6, -1.0],
    "swish": [_tables.SILU_GRAD_ROOT[0], _tables.SILU_GRAD_ROOT[0] / 1.7, -1.6, -1.0],
    "gelu": [_tables.GELU_GRAD_ROOT[0], _tables.GELU_TANH_GRAD_ROOT[0], -1.6, -0.25, 40.0, -40.0, -37.7, -38.6],
    "mish": [_tables.MISH_GRAD_ROOT[0], -3.0, -0.2],
    "tanhshrink": [1.5, -1.5, 1e-8, 1e-100, 1e-200],
    "tanh": [354.0, -354.0, 19.1],
    "exponential": [709.78, 88.7],
}


@dataclass(frozen=True)
class Case:
    name: str
    derivative: bool
    params: tuple = ()

    @property
    def label(self) -> str:
        p = ", ".join(f"{k}={v!r}" for k, v in self.params)
        return f"{self.name}{'_grad' if self.derivative else ''}({p})"

    def library(self):
        act = ELEMENTWISE[self.name]
        fn = act.grad if self.derivative else act.fn
        return functools.partial(fn, **dict(self.params))

    def oracle(self):
        f, fp = ORACLE[self.name]
        return functools.partial(fp if self.derivative else f, **dict(self.params))

    def points(self, dtype) -> np.ndarray:
        act = ELEMENTWISE[self.name]
        extra = list(act.kinks) + _ROOTS.get(self.name, [])
        return accuracy_points(dtype, extra=extra)


def _cases():
    out = []
    for name, act in ELEMENTWISE.items():
        for params in ({}, *act.variants):
            for derivative in (False, True):
                out.append(Case(name, derivative, tuple(sorted(params.items()))))
    return out


CASES = _cases()


@functools.lru_cache(maxsize=None)
def _exact(case: Case, dtype):
    xs = case.points(dtype)
    f = case.oracle()
    return xs, [evaluate(f, float(x)) for x in xs]


def ulp_errors(case: Case, dtype):
    """(inputs, library outputs, ULP errors) for one case and dtype."""
    dtype = np.dtype(dtype)
    xs, exact = _exact(case, dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = case.library()(xs)
    assert got.dtype == dtype, f"{case.label}: {dtype} input gave {got.dtype} output"
    errs = np.array([ulp_error(g, e, dtype) for g, e in zip(got.tolist(), exact)])
    return xs, got, errs


def worst_ulp(case: Case, dtype) -> tuple[float, float]:
    xs, _, errs = ulp_errors(case, dtype)
    i = int(np.argmax(errs))
    return float(errs[i]), float(xs[i])
