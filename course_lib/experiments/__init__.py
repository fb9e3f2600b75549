"""The book's experiments: each a function that runs in seconds and returns plain data
(a dataclass of numpy arrays) for :mod:`course_lib.plotting` to draw.

====  ==========================================  ===========================================
 #    function                                    claim
====  ==========================================  ===========================================
 1    :func:`linear_collapse`                     no activation = one linear map; cannot fit moons
 2    :func:`vanishing_gradients`                 gradient norm vs depth, matched/mismatched init
 3    :func:`dying_relu`                          dead units grow with the learning rate
 4    :func:`zero_centring`                       same-sign updates follow centring; speed, the derivative
 5    :func:`selu_self_normalisation`             SELU + LeCun keeps mean 0, variance 1
 6    :func:`training_comparison`                 every main activation on digits
 7    :func:`output_layers`                       softmax vs independent sigmoids
 8    :func:`batchnorm_placement`                 BatchNorm before vs after the activation
 9    :func:`activation_cost`                     time per element, forward and backward
10    :func:`~.cnn.cnn_comparison`                the MLP comparison in a LeNet-style CNN
====  ==========================================  ===========================================

Data come only from scikit-learn (digits, moons, circles); nothing is downloaded. Every
function takes its seeds explicitly and is deterministic apart from the measured times.
"""

from .batchnorm import BatchNormResult, batchnorm_placement
from .cnn import CNN_ACTIVATIONS, CNNResult, cnn_comparison
from .cost import CostResult, activation_cost
from .data import Dataset, circles, digits, moons
from .dying_relu import DyingReluResult, dying_relu
from .linear_collapse import LinearCollapseResult, effective_linear_map, linear_collapse
from .output_layers import ATTRIBUTES, THRESHOLDS, OutputLayersResult, attribute_targets, output_layers
from .selu import SELU_INITS, SeluResult, selu_self_normalisation
from .training_comparison import MAIN_ACTIVATIONS, ComparisonResult, training_comparison
from .vanishing_gradients import (
    MISMATCHED_INIT,
    VanishingResult,
    layer_gradient_norms,
    vanishing_gradients,
)
from .zero_centring import ARMS, ShiftedActivation, ZeroCentringResult, same_sign_fraction, zero_centring

__all__ = [
    "BatchNormResult", "batchnorm_placement", "CNN_ACTIVATIONS", "CNNResult", "cnn_comparison", "CostResult", "activation_cost", "Dataset", "circles",
    "digits", "moons", "DyingReluResult", "dying_relu", "LinearCollapseResult", "effective_linear_map",
    "linear_collapse", "ATTRIBUTES", "THRESHOLDS", "OutputLayersResult", "attribute_targets", "output_layers",
    "SELU_INITS", "SeluResult", "selu_self_normalisation", "MAIN_ACTIVATIONS", "ComparisonResult",
    "training_comparison", "MISMATCHED_INIT", "VanishingResult", "layer_gradient_norms",
    "vanishing_gradients", "ARMS", "ShiftedActivation", "ZeroCentringResult", "same_sign_fraction", "zero_centring",
]
