"""Every activation and derivative is within 4 ULP of the correctly rounded result.

Measured against mpmath (tests/oracle.py) on inputs covering the whole real line (every
decade up to 1e300, the middle, the deep tails, zero, subnormals, kinks and the roots of the
derivatives), in float64 and in float32. `python benchmarks/accuracy.py` prints the table.
"""

import numpy as np
import pytest
from accuracy_cases import CASES, ulp_errors

MAX_ULP = 4.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_within_4_ulp(case, dtype):
    xs, got, errs = ulp_errors(case, dtype)  # the library runs under errstate(raise)
    bad = np.flatnonzero(errs > MAX_ULP)
    detail = ", ".join(f"x={xs[i]!r}: got {got[i]!r}, {errs[i]:.1f} ULP" for i in bad[:5])
    assert bad.size == 0, f"{case.label} in {np.dtype(dtype)}: {bad.size} inputs beyond {MAX_ULP} ULP ({detail})"


def test_the_inputs_cover_the_whole_line():
    xs = CASES[0].points(np.float64)
    assert xs.min() < -1e298 and xs.max() > 1e298
    assert np.any((xs != 0) & (np.abs(xs) < 1e-299))
    assert np.sum((xs > -4) & (xs < 4)) > 300
    assert np.sum(xs < -700) > 50  # where sigmoid-like results turn subnormal


def test_the_ulp_measure_is_not_blind():
    """A result one ULP off is measured as about one ULP; a wrong sign is infinitely off."""
    import mpmath as mp
    from ulp import ulp_error

    assert ulp_error(np.nextafter(1.0, 2.0), mp.mpf(1), np.float64) == pytest.approx(1.0)
    assert ulp_error(0.0, mp.mpf("1e-320"), np.float64) > 1.0
    assert ulp_error(np.inf, mp.mpf("1e400"), np.float64) == 0.0
    assert ulp_error(np.finfo(np.float64).max, mp.mpf("1e400"), np.float64) == np.inf
    assert ulp_error(float(np.float32(1.0) + np.finfo(np.float32).eps), mp.mpf(1), np.float32) == pytest.approx(1.0)
