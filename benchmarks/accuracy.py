"""Worst ULP error of every activation and derivative against mpmath, in float64 and float32.

Usage: python benchmarks/accuracy.py [NAME ...]  (prints a table; takes a minute or two)
"""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

from accuracy_cases import CASES, worst_ulp  # noqa: E402


def main(argv: list[str]) -> int:
    names = set(argv)
    print(f"{'function':<34}{'float64 ULP':>12}{'at x':>26}{'float32 ULP':>12}{'at x':>16}")
    t0 = time.perf_counter()
    for case in CASES:
        if names and case.name not in names:
            continue
        row = [case.label]
        for dtype in (np.float64, np.float32):
            err, x = worst_ulp(case, dtype)
            row += [f"{err:.2f}", f"{x:.17g}" if dtype == np.float64 else f"{x:.9g}"]
        print(f"{row[0]:<34}{row[1]:>12}{row[2]:>26}{row[3]:>12}{row[4]:>16}", flush=True)
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
