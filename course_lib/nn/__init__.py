"""A small, readable, vectorised numpy network for the course's experiments.

- :mod:`~course_lib.nn.layers` -- ``Dense``, ``ActivationLayer`` (any registry activation), ``BatchNorm``;
- :mod:`~course_lib.nn.losses` -- MSE and the cross-entropies, computed stably from logits;
- :mod:`~course_lib.nn.optim` -- SGD, momentum, Adam;
- :mod:`~course_lib.nn.init` -- Glorot/Xavier, He/Kaiming, LeCun (normal and uniform), PyTorch's gains;
- :mod:`~course_lib.nn.model` -- the ``MLP``;
- :mod:`~course_lib.nn.conv` -- ``Conv2D`` (im2col), ``MaxPool2D``, ``Reshape`` and the small ``LeNet``;
- :mod:`~course_lib.nn.train` -- the training loop and its ``History``.

Every random choice takes an explicit ``np.random.default_rng(seed)``; there is no global state.
"""

from .conv import Conv2D, LeNet, MaxPool2D, Reshape
from .init import INITIALISERS, calculate_gain, get_init, matching_init, torch_kaiming_normal
from .layers import ActivationLayer, BatchNorm, Dense, Module, Parameter, Sequential
from .losses import LOSSES, accuracy, binary_cross_entropy, get_loss, mse, softmax_cross_entropy
from .model import MLP
from .optim import SGD, Adam, Momentum, make_optimizer
from .train import History, activation_stats, train

__all__ = [
    "INITIALISERS", "calculate_gain", "get_init", "matching_init", "torch_kaiming_normal",
    "ActivationLayer", "BatchNorm", "Dense", "Module", "Parameter", "Sequential",
    "LOSSES", "accuracy", "binary_cross_entropy", "get_loss", "mse", "softmax_cross_entropy",
    "MLP", "Conv2D", "MaxPool2D", "Reshape", "LeNet", "SGD", "Adam", "Momentum", "make_optimizer", "History", "activation_stats", "train",
]
