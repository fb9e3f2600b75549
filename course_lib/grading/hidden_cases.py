"""What only instructors have: the values of the hidden test cases, and the model written answer.

:mod:`course_lib.grading.spec` says which *kinds* of input each test checks, with visible
inputs of every kind (what a student's notebook and ``course check`` run) and the random inputs
the trusted re-check draws. The fixed values of the hidden cases live here alone, so that the
student package built by ``course release`` (:mod:`course_lib.grading.release`) can leave this
module out: without it, :mod:`~course_lib.grading.spec` simply has no hidden cases.
"""

import numpy as np

ORDINARY32 = [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]  #: float32 input
SCALAR = 0.75  #: a Python float
GRID_2D = np.linspace(-3, 3, 12).reshape(3, 4)
NAN = [np.nan, -1.0, 1.0]
INF = [-np.inf, np.inf]
EXTREME32 = [-100.0, -90.0, -50.0, 50.0, 90.0, 100.0]
GRADCHECK_POINTS = [-3.3, -1.7, -0.4, 0.6, 2.2, 3.9]  # away from every kink of the course

#: the tails and tiny inputs of each function whose relative accuracy is graded
TAILS = {
    "sigmoid": (-700.0, -300.0, -40.0, 40.0),
    "sigmoid_grad": (-700.0, -40.0, 40.0, 300.0, 700.0),
    "tanh": (-700.0, -20.0, 1e-12, 20.0),
    "tanh_grad": (-300.0, -20.0, 20.0, 300.0),
    "elu": (-1e-10, -745.0, 1e-10),
    "elu_grad": (-1e-10, -745.0, 1e-10),
    "softplus": (-700.0, -40.0, 40.0),
    "softplus_grad": (-700.0, -40.0),
    "swish": (-700.0, -40.0, 40.0),
    "mish": (-700.0, -40.0, 40.0),
}

# softmax (assignment 4)
VECTOR_1D = [0.0, 1.0, -1.0, 2.0]
LOGITS = [[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]]
LOGITS32_LARGE = [[100.0, 99.0, -100.0]]
BIG = [[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1002.0]]
JACOBIAN_HUGE = [1000.0, 0.0, -1000.0]
SINGLE = [3.0]
VJP_G = [[1.0, 0.0, 0.0], [0.0, 2.0, -1.0]]
VJP_G_BIG = [[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]]
CE_LABELS_BIG = [0, 2]

# the two-layer network (assignment 5): seeds of the hidden networks
SEED_RELU_NET = 2
SEED_TANH_NET = 3

# the model answer of assignment 6's written part (the source notebook holds it; students never see it)
TRADE_OFFS_ANSWER = """\
Range $(-\\infty, 6]$: bounded above like ReLU6, so activations fit a fixed-point format, but
unbounded below (slowly, slope 0.01). The gradient is never zero for $x \\le 0$ (no dead
units there) but is zero for $x \\ge 6$: saturated units stop learning, as with ReLU6. It is
not zero-centred (negative outputs are tiny). Prefer it for quantised mobile networks where
ReLU6 leaves many units dead; avoid it for deep regression heads that need large outputs
or where saturation at 6 slows training."""
