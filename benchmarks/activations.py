"""Speed of every activation (value + derivative) against the naive textbook numpy formula.

For each activation: the time of ``fn(x)`` + ``grad(x)`` from ``course_lib`` on 10**6
float64 inputs drawn from N(0, 3^2), divided by the time of the textbook formula for the
same function and derivative (no stability tricks). Median of interleaved repeats, so a
noisy neighbour slows both sides alike.

Usage: python benchmarks/activations.py [--n N] [--repeats R] [NAME ...]
Target (issue 2): ratio <= 3 for sigmoid, tanh, relu, leaky_relu, elu, softplus, silu, softsign.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from scipy.special import erf

from course_lib.activations import ELEMENTWISE

TARGET = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "silu", "softsign"}
SQ2PI = np.sqrt(2 / np.pi)


def _s(x):
    return 1 / (1 + np.exp(-x))


#: name -> (f, f'), the formulas as printed in textbooks
NAIVE = {
    "identity": (lambda x: x.copy(), lambda x: np.ones_like(x)),
    "sigmoid": (_s, lambda x: _s(x) * (1 - _s(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
    "hard_sigmoid": (lambda x: np.clip(x / 6 + 0.5, 0, 1), lambda x: ((x > -3) & (x < 3)) / 6.0),
    "hard_tanh": (lambda x: np.clip(x, -1, 1), lambda x: ((x > -1) & (x < 1)).astype(float)),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "prelu": (lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1.0, 0.25)),
    "rrelu": (lambda x: np.where(x > 0, x, 11 / 48 * x), lambda x: np.where(x > 0, 1.0, 11 / 48)),
    "relu6": (lambda x: np.minimum(np.maximum(x, 0), 6), lambda x: ((x > 0) & (x < 6)).astype(float)),
    "leaky_relu6": (lambda x: np.where(x > 0, np.minimum(x, 6), 0.01 * x),
                    lambda x: np.where(x > 0, (x < 6).astype(float), 0.01)),
    "elu": (lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "selu": (lambda x: 1.0507 * np.where(x > 0, x, 1.6733 * (np.exp(x) - 1)),
             lambda x: 1.0507 * np.where(x > 0, 1.0, 1.6733 * np.exp(x))),
    "celu": (lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "softplus": (lambda x: np.log(1 + np.exp(x)), _s),
    "log_sigmoid": (lambda x: np.log(_s(x)), lambda x: 1 - _s(x)),
    "silu": (lambda x: x * _s(x), lambda x: _s(x) * (1 + x * (1 - _s(x)))),
    "swish": (lambda x: x * _s(x), lambda x: _s(x) * (1 + x * (1 - _s(x)))),
    "hard_swish": (lambda x: x * np.clip(x + 3, 0, 6) / 6,
                   lambda x: np.where(x < -3, 0.0, np.where(x > 3, 1.0, x / 3 + 0.5))),
    "gelu": (lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
             lambda x: 0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)),
    "mish": (lambda x: x * np.tanh(np.log(1 + np.exp(x))),
             lambda x: np.tanh(np.log(1 + np.exp(x))) + x * _s(x) / np.cosh(np.log(1 + np.exp(x))) ** 2),
    "squareplus": (lambda x: (x + np.sqrt(x * x + 4)) / 2, lambda x: (1 + x / np.sqrt(x * x + 4)) / 2),
    "sparse_plus": (lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
                    lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))),
    "exponential": (np.exp, np.exp),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
    "softshrink": (lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
                   lambda x: (np.abs(x) > 0.5).astype(float)),
    "hardshrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), lambda x: (np.abs(x) > 0.5).astype(float)),
    "threshold": (lambda x: np.where(x > 1, x, 0.0), lambda x: (x > 1).astype(float)),
}


def _time(f, g, x) -> float:
    t0 = time.perf_counter()
    f(x)
    g(x)
    return time.perf_counter() - t0


def measure(name: str, x: np.ndarray, repeats: int) -> tuple[float, float]:
    """(median library seconds, median naive seconds) for value + derivative."""
    act = ELEMENTWISE[name]
    nf, ng = NAIVE[name]
    lib, naive = [], []
    with np.errstate(all="ignore"):
        for _ in range(repeats):  # interleaved: each round times both
            lib.append(_time(act.fn, act.grad, x))
            naive.append(_time(nf, ng, x))
    return statistics.median(lib), statistics.median(naive)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="activations to time (default: all)")
    p.add_argument("--n", type=int, default=10**6, help="number of float64 inputs")
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args(argv)
    unknown = [n for n in args.names if n not in NAIVE]
    if unknown:
        p.error(f"unknown activation(s): {', '.join(unknown)}; known: {', '.join(NAIVE)}")
    x = np.random.default_rng(0).normal(0.0, 3.0, args.n)
    print(f"value + derivative on {args.n:,} float64 inputs ~ N(0, 9); median of {args.repeats} interleaved runs")
    print(f"{'activation':<14}{'course_lib ms':>14}{'naive ms':>10}{'ratio':>8}  target")
    worst = 0.0
    for name in args.names or NAIVE:
        lib, naive = measure(name, x, args.repeats)
        ratio = lib / naive
        mark = ""
        if name in TARGET:
            mark = "<= 3  " + ("ok" if ratio <= 3 else "MISSED")
            worst = max(worst, ratio)
        print(f"{name:<14}{lib * 1e3:>14.2f}{naive * 1e3:>10.2f}{ratio:>8.2f}  {mark}", flush=True)
    print(f"worst ratio among the targeted eight: {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
