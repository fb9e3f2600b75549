"""Gradient checking by central differences, shared by the tests, the book and the exercises.

Two questions come up again and again in this course:

* is ``grad`` really the derivative of ``fn``?  -> :func:`check_derivative` (elementwise);
* is a backward pass right?  -> :func:`numerical_gradient` of a scalar loss, compared with
  :func:`rel_error`, as in CS231n.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["rel_error", "numerical_derivative", "numerical_gradient", "check_derivative", "GradcheckResult"]


def rel_error(a, b, floor: float = 1e-8) -> float:
    r"""Largest elementwise relative error :math:`|a - b| / \max(\text{floor}, |a| + |b|)`.

    The floor keeps the measure meaningful where both values are (near) zero.

    >>> rel_error([1.0, 2.0], [1.0, 2.5])
    0.1111111111111111
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))))


def numerical_derivative(fn: Callable, x, h: float = 1e-6, **params) -> np.ndarray:
    r"""Central difference :math:`(f(x + h_x) - f(x - h_x)) / (2h_x)`, elementwise, with
    :math:`h_x = h \max(1, |x|)` (a relative step for large inputs). Error :math:`O(h^2)`.

    >>> float(numerical_derivative(np.sin, 0.0))
    0.9999999999998334
    """
    x = np.asarray(x, dtype=np.float64)
    step = h * np.maximum(1.0, np.abs(x))
    xp, xm = x + step, x - step
    return (np.asarray(fn(xp, **params), dtype=np.float64) - np.asarray(fn(xm, **params), dtype=np.float64)) / (xp - xm)


def numerical_gradient(loss: Callable[[], float], param: np.ndarray, h: float = 1e-5) -> np.ndarray:
    r"""Gradient of a scalar ``loss()`` with respect to the array ``param``, by central differences.

    ``param`` is perturbed *in place*, one entry at a time, and restored; ``loss`` must read
    it (e.g. a closure over a layer's weights). Cost: two loss evaluations per entry.

    >>> w = np.array([1.0, -2.0])
    >>> np.round(numerical_gradient(lambda: float(np.sum(w ** 2)), w), 6)
    array([ 2., -4.])
    """
    if not isinstance(param, np.ndarray) or param.dtype != np.float64:
        raise TypeError("numerical_gradient: param must be a float64 ndarray (it is perturbed in place)")
    grad = np.zeros_like(param)
    it = np.nditer(param, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = param[i]
        param[i] = old + h
        up = loss()
        param[i] = old - h
        down = loss()
        param[i] = old
        grad[i] = (up - down) / (2.0 * h)
    return grad


@dataclass(frozen=True)
class GradcheckResult:
    """Outcome of :func:`check_derivative`."""

    max_rel_error: float
    worst_x: float
    passed: bool

    def __str__(self) -> str:
        verdict = "OK" if self.passed else "MISMATCH"
        return f"{verdict}: max relative error {self.max_rel_error:.2e} at x = {self.worst_x:.6g}"


def check_derivative(fn: Callable, grad: Callable, x, tol: float = 1e-6, h: float = 1e-6,
                     floor: float = 1e-6, **params) -> GradcheckResult:
    """Compare ``grad(x)`` with the central difference of ``fn`` at every point of ``x``.

    The error is :func:`rel_error` with ``floor``: derivatives below about ``floor`` are
    compared in absolute terms, since the central difference itself is only accurate to
    about ``h**2`` there.

    Choose ``x`` away from kinks (a finite difference straddling a kink measures the average
    of the two one-sided slopes, not the convention).

    >>> from course_lib.activations import tanh, tanh_grad
    >>> check_derivative(tanh, tanh_grad, np.linspace(-3, 3, 7)).passed
    True
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    analytic = np.asarray(grad(x, **params), dtype=np.float64)
    numeric = numerical_derivative(fn, x, h=h, **params)
    errs = np.abs(analytic - numeric) / np.maximum(floor, np.abs(analytic) + np.abs(numeric))
    i = int(np.argmax(errs)) if errs.size else 0
    worst = float(errs[i]) if errs.size else 0.0
    return GradcheckResult(worst, float(x[i]) if x.size else float("nan"), worst <= tol)
