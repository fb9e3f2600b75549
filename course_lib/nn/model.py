"""The multilayer perceptron: ``Dense -> [BatchNorm] -> activation -> [BatchNorm] -> ... -> Dense``.

The last layer is a plain ``Dense`` whose outputs are logits (or regression outputs): the
losses in :mod:`course_lib.nn.losses` apply the output sigmoid/softmax themselves, stably.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from ..activations import get as get_activation
from .init import matching_init
from .layers import ActivationLayer, BatchNorm, Dense, Sequential

__all__ = ["MLP"]


class MLP(Sequential):
    """A fully connected network with the same activation after every hidden layer.

    Args:
        sizes: layer widths, input first and output last, e.g. ``(64, 32, 32, 10)``.
        activation: a registry name (elementwise), e.g. ``"relu"``.
        rng: ``np.random.default_rng(seed)``; the only source of randomness.
        init: initialiser name for every Dense layer; default: the one matching the activation
            (:func:`~course_lib.nn.init.matching_init`).
        batchnorm: ``None``, ``"before"`` (Dense -> BN -> activation, as in Ioffe & Szegedy)
            or ``"after"`` (Dense -> activation -> BN).
        bias: initial value of the hidden layers' biases (the output bias starts at 0).
        **activation_params: passed to the activation, e.g. ``negative_slope=0.1``.

    >>> net = MLP((2, 8, 8, 1), "tanh", np.random.default_rng(0))
    >>> net(np.zeros((5, 2))).shape, len(net.parameters())
    ((5, 1), 6)
    """

    def __init__(self, sizes: Sequence[int], activation: str, rng, init=None,
                 batchnorm: str | None = None, bias: float = 0.0, **activation_params):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"MLP: sizes must list at least an input and an output width, all positive; got {sizes}")
        if not get_activation(activation).elementwise:
            raise ValueError(f"MLP: {activation} is vector-valued; use an elementwise activation for hidden layers")
        if batchnorm not in (None, "before", "after"):
            raise ValueError(f"MLP: batchnorm must be None, 'before' or 'after', got {batchnorm!r}")
        self.sizes, self.activation, self.batchnorm = tuple(sizes), activation, batchnorm
        self.init = init if init is not None else matching_init(activation)
        layers = []
        for fan_in, fan_out in pairwise(sizes[:-1]):
            layers.append(Dense(fan_in, fan_out, rng, init=self.init, bias=bias))
            if batchnorm == "before":
                layers.append(BatchNorm(fan_out))
            layers.append(ActivationLayer(activation, **activation_params))
            if batchnorm == "after":
                layers.append(BatchNorm(fan_out))
        layers.append(Dense(sizes[-2], sizes[-1], rng, init=self.init))
        super().__init__(*layers)

    @property
    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def activation_layers(self) -> list[ActivationLayer]:
        return [layer for layer in self.layers if isinstance(layer, ActivationLayer)]

    def predict(self, x) -> np.ndarray:
        """Outputs in evaluation mode (BatchNorm uses running statistics); the mode is restored."""
        was = self.training
        self.eval()
        try:
            return self.forward(x)
        finally:
            self.train(was)
