"""ULP distance to the correctly rounded result, and the input sets the accuracy tests use."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

_FMT = {  # dtype -> (mantissa bits incl. hidden, min normal exponent, min subnormal exponent)
    np.dtype(np.float64): (53, -1022, -1074),
    np.dtype(np.float32): (24, -126, -149),
}


def ulp_error(got: float, exact, dtype) -> float:
    """|got - exact| in units of the last place of the format at ``exact``.

    Overflow: where ``exact`` rounds to infinity, only ``inf`` of the right sign is exact (0 ULP).
    """
    dtype = np.dtype(dtype)
    bits, emin, esub = _FMT[dtype]
    got = float(got)
    if math.isnan(got):
        return math.inf
    big = float(np.finfo(dtype).max)
    # half an ULP above the largest finite number rounds to infinity
    limit = mp.mpf(big) + mp.ldexp(1, int(math.frexp(big)[1]) - bits - 1)
    if abs(exact) >= limit:
        return 0.0 if (math.isinf(got) and (got > 0) == (exact > 0)) else math.inf
    if math.isinf(got):
        return math.inf
    if exact == 0:
        return 0.0 if got == 0 else abs(got) / math.ldexp(1.0, esub)
    e = int(mp.floor(mp.log(abs(exact), 2)))
    e = max(e, emin)
    ulp = mp.ldexp(1, e - bits + 1)
    return float(abs(mp.mpf(got) - exact) / ulp)


def accuracy_points(dtype, extra=(), seed: int = 20261122, n: int = 400) -> np.ndarray:
    """Inputs covering the whole real line: every decade, the middle, the tails, zero, inf.

    ``extra`` adds points of interest (kinks, roots, window edges) and their neighbours.
    """
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    top = 300 if dtype == np.float64 else 38
    bottom = -300 if dtype == np.float64 else -38
    mags = 10.0 ** rng.uniform(bottom, top, n)
    parts = [
        mags * rng.choice([-1.0, 1.0], n),
        rng.uniform(-40, 40, n),
        rng.uniform(-4, 4, n),
        rng.uniform(-1.7, -0.1, n // 2),  # where the derivatives of SiLU/GELU/Mish vanish
        rng.uniform(-800, -680, n // 4),  # the deep left tail, where results become subnormal
        rng.uniform(-110, -80, n // 8) if dtype == np.float32 else rng.uniform(-760, -700, n // 8),
        rng.uniform(-40, -25, n // 8),  # the normal tail of GELU
        np.array([0.0, -0.0, 1e-310, -1e-310, 5e-324, -5e-324, 1.0, -1.0, 2.0, -2.0, 20.0, -20.0,
                  1e300, -1e300, 1.7e308, -1.7e308, 3.4e38, -3.4e38]),
    ]
    for p in extra:
        p = float(p)
        parts.append(np.array([p, np.nextafter(p, np.inf), np.nextafter(p, -np.inf)]))
        parts.append(p + np.array([1e-9, -1e-9, 1e-5, -1e-5, 1e-3, -1e-3]) * max(1.0, abs(p)))
    with np.errstate(over="ignore", under="ignore"):
        x = np.concatenate(parts).astype(dtype)
    x = x[np.isfinite(x)]
    return np.unique(x)
