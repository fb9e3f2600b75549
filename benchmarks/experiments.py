"""Run every experiment of the book at the size the book uses; print its run time and headline numbers.

    .venv/bin/python benchmarks/experiments.py            # all nine
    .venv/bin/python benchmarks/experiments.py selu cost  # some of them

Each must finish in under 30 s on a 2-core machine (the book executes them at build time).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from course_lib import experiments as ex


def linear_collapse():
    r = ex.linear_collapse()
    acc = ", ".join(f"{a} {r.test_acc[a]:.3f}" for a in r.activations)
    return r.seconds, f"test accuracy on moons: {acc}; deep linear net = one affine map up to {r.collapse_error:.1e}"


def vanishing_gradients():
    r = ex.vanishing_gradients()
    bits = [f"{a} {r.geometric_mean(a)[0]:.1e} (mismatched {r.geometric_mean(a, 'mismatched')[0]:.1e})"
            for a in r.activations]
    return r.seconds, f"first-layer ||dW|| at depth {r.depth}, matched init: " + ", ".join(bits)


def dying_relu():
    r = ex.dying_relu()
    bits = [f"{a} " + "/".join(f"{d:.2f}" for d in r.final_dead(a, 0.0)) for a in r.activations]
    return r.seconds, (f"dead fraction at lr {'/'.join(format(lr, 'g') for lr in r.learning_rates)} (bias 0): "
                       + ", ".join(bits) + f"; test acc at lr {r.learning_rates[-1]:g}: "
                       + ", ".join(f"{a} {r.test_acc[a, 0.0][-1].mean():.3f}" for a in r.activations))


def zero_centring():
    r = ex.zero_centring()
    bits = [f"{a}: same-sign at batch {r.batch_sizes[0]} {r.same_sign[a][0]:.2f}, final loss {r.loss[a][:, -1].mean():.3f}, "
            f"epochs to loss<0.5 {r.epochs_to(a, 0.5):g}" for a in r.activations]
    return r.seconds, "; ".join(bits)


def selu():
    r = ex.selu_self_normalisation()
    bits = [f"{i}: mean {r.mean[i].mean(0)[-1]:+.3f} var {r.var[i].mean(0)[-1]:.3g}" for i in r.inits]
    return r.seconds, f"after {r.depth} SELU layers: " + "; ".join(bits)


def training_comparison():
    r = ex.training_comparison()
    bits = [f"{row['activation']} {row['test_acc_mean']:.3f}±{row['test_acc_std']:.3f} ({row['ms_per_epoch']:.0f} ms/epoch)"
            for row in r.table()]
    return r.seconds, "test accuracy on digits: " + ", ".join(bits)


def output_layers():
    r = ex.output_layers()
    s = r.prob_sums["sigmoid"]
    return r.seconds, (f"multi-class acc softmax {r.multiclass_acc['softmax']:.3f} / sigmoid {r.multiclass_acc['sigmoid']:.3f}, "
                       f"sigmoid sums in [{s.min():.2f}, {s.max():.2f}]; multi-label exact match softmax "
                       f"{r.multilabel_exact['softmax']:.3f} / sigmoid {r.multilabel_exact['sigmoid']:.3f}")


def batchnorm():
    r = ex.batchnorm_placement()
    bits = [f"{a} {'none' if p is None else p} {r.final_acc(a, p):.3f}" for a in r.activations for p in r.placements]
    return r.seconds, "test accuracy: " + ", ".join(bits)


def cost():
    r = ex.activation_cost()
    rank = r.ranking()
    rel = dict(zip(r.names, r.relative_to("relu")))
    return r.seconds, ("ns/element fwd+bwd: " + ", ".join(f"{n} {t:.1f}" for n, t in rank[:3]) + " ... "
                       + ", ".join(f"{n} {t:.1f}" for n, t in rank[-3:])
                       + f"; x relu: sigmoid {rel['sigmoid']:.1f}, elu {rel['elu']:.1f}, gelu {rel['gelu']:.1f}")


ALL = {"linear_collapse": linear_collapse, "vanishing_gradients": vanishing_gradients, "dying_relu": dying_relu,
       "zero_centring": zero_centring, "selu": selu, "training_comparison": training_comparison,
       "output_layers": output_layers, "batchnorm": batchnorm, "cost": cost}


def main(names) -> int:
    slow = []
    for name in names or ALL:
        start = time.perf_counter()
        seconds, headline = ALL[name]()
        wall = time.perf_counter() - start
        print(f"{name:>20}: {wall:5.1f} s  {headline}", flush=True)
        if wall > 30:
            slow.append(name)
    if slow:
        print("over the 30 s budget:", ", ".join(slow))
    return 1 if slow else 0


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main(sys.argv[1:]))
