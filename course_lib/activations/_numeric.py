"""Numerical plumbing shared by every activation module.

Three things live here, so that the activation modules hold only mathematics:

* :func:`elementwise` -- the dtype/shape policy every elementwise activation follows
  (float32 in -> float32 out, integers -> float64, scalars stay scalars, NaN propagates,
  the input is never modified, bad input raises a ``TypeError`` that names the problem).
  Narrow floats are evaluated in float64 and rounded once, which makes their results
  correctly rounded in all but the rarest double-rounding cases.
* double-double helpers (:func:`two_prod`, :func:`two_sum`) used where a formula would
  otherwise lose the last bits (products that feed ``exp`` in a tail, roots of derivatives).
* Chebyshev evaluation (:func:`cheb_eval`, :func:`piecewise_cheb`) of the tables in
  ``_tables.py``, and :func:`root_window`, which evaluates a derivative near its simple root
  as ``(x - x0) g(x)``, where the textbook formula cancels.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import numpy as np

__all__ = [
    "elementwise",
    "two_prod",
    "two_sum",
    "propagate_nan",
    "ignore_fp",
    "cheb_eval",
    "piecewise_cheb",
    "root_window",
]

_SPLITTER = 134217729.0  # 2**27 + 1, Dekker's split constant for float64


def ignore_fp():
    """Context manager that silences every floating-point warning.

    The activations choose formulas whose *results* are right at every input; where an
    intermediate branch that is discarded by ``np.where`` would overflow, the warning says
    nothing about the result, so it is silenced locally and never reaches the caller.
    """
    return np.errstate(all="ignore")


def _to_float_array(x, name: str) -> tuple[np.ndarray, np.dtype]:
    """Return ``(array in float64 or float32->float64, dtype of the result)``."""
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged lists and the like
            raise TypeError(f"{name}: expected a number or an array of real numbers, got {x!r}") from exc
    kind = arr.dtype.kind
    if kind == "f":
        out_dtype = arr.dtype
        if arr.dtype != np.float64:
            if arr.dtype.itemsize > 8:
                raise TypeError(f"{name}: {arr.dtype} input is not supported; use float64 or float32")
            arr = arr.astype(np.float64)
        return arr, out_dtype
    if kind in "biu":
        return arr.astype(np.float64), np.dtype(np.float64)
    if kind == "c":
        raise TypeError(f"{name}: complex input is not supported; activations are real functions")
    raise TypeError(
        f"{name}: expected real numbers, got an array of dtype {arr.dtype} "
        f"(first value {arr.flat[0]!r})" if arr.size else f"{name}: expected real numbers, got dtype {arr.dtype}"
    )


def _restore(out: np.ndarray, dtype: np.dtype, scalar: bool):
    if out.dtype != dtype:
        with ignore_fp():  # float64 -> float32 rounding may overflow to inf, which is the right answer
            out = out.astype(dtype)
    if scalar:
        return out[()]
    return out


def elementwise(func: Callable) -> Callable:
    """Decorator applying the course's dtype and shape policy to an elementwise activation.

    The wrapped function receives a float64 ``ndarray`` (a fresh copy is never needed
    because activations never write into their argument) and keyword parameters, and
    returns a float64 ``ndarray`` of the same shape. The wrapper

    - accepts Python scalars, lists, and arrays of any real dtype;
    - raises ``TypeError`` for complex, string or object input, naming the function;
    - returns float32 (float16) for float32 (float16) input, float64 otherwise;
    - returns a NumPy scalar for scalar input and an array of the same shape otherwise;
    - silences floating-point warnings raised by discarded branches.
    """
    name = func.__name__
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(x, *args, **kwargs):
        arr, dtype = _to_float_array(x, name)
        scalar = arr.ndim == 0
        with ignore_fp():
            out = func(np.atleast_1d(arr) if scalar else arr, *args, **kwargs)
        if scalar:
            out = out.reshape(())
        return _restore(out, dtype, scalar)

    wrapper.__signature__ = sig
    wrapper.__wrapped__ = func
    return wrapper


def propagate_nan(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Write NaN into ``out`` wherever ``x`` is NaN (for piecewise-constant derivatives)."""
    if np.isnan(np.sum(x)):  # one fast reduction; the mask only when there is a NaN (or inf)
        nan = np.isnan(x)
        out[nan] = np.nan
    return out


def two_sum(a, b):
    """Error-free sum: ``a + b == s + e`` exactly (Knuth's TwoSum)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _split(a):
    t = _SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a, b):
    """Error-free product: ``a * b == p + e`` exactly (Dekker), for |a*b| < 2**996."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e



#: exp(-64) rounded once. Deep in a left tail, ``exp(z)`` is subnormal and has lost relative
#: precision; computing ``(factor * exp(z + 64)) * EXP_M64`` keeps every intermediate
#: normal, so the only rounding at subnormal precision is the last one.
EXP_M64 = 1.6038108905486378e-28
#: Below this argument ``exp`` (times a modest factor) is, or is near, subnormal.
DEEP_TAIL = -700.0


def cheb_eval(x: np.ndarray, a: float, b: float, coeffs) -> np.ndarray:
    """Evaluate a Chebyshev series on ``[a, b]`` at ``x`` (Clenshaw's recurrence, in place)."""
    t2 = 2.0 * x
    t2 -= a + b
    t2 /= b - a
    t2 *= 2.0  # 2t, with t = (2x - a - b) / (b - a)
    b1 = np.full_like(t2, coeffs[-1])
    b2 = np.zeros_like(t2)
    tmp = np.empty_like(t2)
    for c in coeffs[-2:0:-1]:
        np.multiply(t2, b1, out=tmp)
        tmp -= b2
        tmp += c
        b1, b2, tmp = tmp, b1, b2
    np.multiply(t2, b1, out=tmp)  # last step: (c0 + t b1) - b2
    tmp *= 0.5
    tmp += coeffs[0]
    tmp -= b2
    return tmp


def piecewise_cheb(x: np.ndarray, pieces) -> np.ndarray:
    """Evaluate a piecewise Chebyshev table ``[(a, b, coeffs), ...]`` at ``x`` within its span."""
    out = np.full_like(x, np.nan)  # a gap in the table shows up as NaN, never as garbage
    for a, b, coeffs in pieces:
        m = (x >= a) & (x <= b)
        if m.any():
            out[m] = cheb_eval(x[m], a, b, coeffs)
    return out


def root_window(x: np.ndarray, out: np.ndarray, table) -> np.ndarray:
    """Overwrite ``out`` inside a derivative's root window with ``(x - x0) * g(x)``.

    ``table = (x0_hi, x0_lo, a, b, coeffs)``, where ``g(x) = f'(x) / (x - x0)`` is tabulated
    on ``[a, b]`` (see ``tools/gen_tables.py``). Inside the window ``x - x0_hi`` is exact
    (Sterbenz), so the result keeps full relative precision right up to the root.
    """
    x0_hi, x0_lo, a, b, coeffs = table
    m = (x > a) & (x < b)
    if m.any():
        xm = x[m]
        out[m] = ((xm - x0_hi) - x0_lo) * cheb_eval(xm, a, b, coeffs)
    return out
