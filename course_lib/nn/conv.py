r"""Convolution and pooling for images, and the small LeNet-style network of the CNN experiment.

Same two layers of writing as :mod:`~course_lib.nn.layers`: plain functions
``*_forward(x, ...) -> (out, cache)`` and ``*_backward(dout, cache)``, and thin
:class:`~course_lib.nn.layers.Module` classes that own the parameters.

Shapes follow PyTorch: images are ``(batch, channels, height, width)``; a convolution's
weights are ``(out_channels, in_channels, kh, kw)``. As in every deep-learning library the
"convolution" is a cross-correlation (the kernel is not flipped):

.. math:: \text{out}_{n f i j} = b_f + \sum_{c, u, v} W_{f c u v}\, x_{n c,\, i s + u,\, j s + v}

with stride :math:`s` on the zero-padded input. It is computed as one matrix product by
*im2col*: every receptive field becomes a row of a matrix ``cols`` of shape
``(batch * out_h * out_w, channels * kh * kw)``, so the layer is ``cols @ W.reshape(F, -1).T``,
a :class:`~course_lib.nn.layers.Dense` layer shared over positions. The backward pass is the
Dense layer's, followed by *col2im*, which adds each row's gradient back onto the pixels it
came from (a pixel in several receptive fields collects several contributions).
"""

from __future__ import annotations

import numpy as np

from ..activations import get as get_activation
from .init import get_init, matching_init
from .layers import ActivationLayer, Dense, Module, Parameter, Sequential

__all__ = [
    "im2col", "col2im", "conv_forward", "conv_backward", "maxpool_forward", "maxpool_backward",
    "Conv2D", "MaxPool2D", "Reshape", "LeNet",
]


def _out_size(n: int, k: int, stride: int, pad: int, who: str) -> int:
    span = n + 2 * pad - k
    if span < 0 or span % stride:
        raise ValueError(f"{who}: a {k}-wide kernel with stride {stride} and padding {pad} does not tile "
                         f"an input of size {n}")
    return span // stride + 1


def im2col(x, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Rows of receptive fields: ``(N * out_h * out_w, C * kh * kw)``, row order ``(n, i, j)``,
    column order ``(c, u, v)`` (that of ``W.reshape(F, -1)``).

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, 2, 2, stride=2)
    array([[ 0.,  1.,  4.,  5.],
           [ 2.,  3.,  6.,  7.],
           [ 8.,  9., 12., 13.],
           [10., 11., 14., 15.]])
    """
    n, c, h, w = x.shape
    oh, ow = _out_size(h, kh, stride, pad, "im2col"), _out_size(w, kw, stride, pad, "im2col")
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    # win: (N, C, oh, ow, kh, kw) -> (N, oh, ow, C, kh, kw)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)


def col2im(cols, x_shape, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every row's entries back onto the pixels they came from.

    >>> x = np.ones((1, 1, 3, 3))
    >>> col2im(im2col(x, 2, 2), x.shape, 2, 2)[0, 0]  # how many 2x2 windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    n, c, h, w = x_shape
    oh, ow = _out_size(h, kh, stride, pad, "col2im"), _out_size(w, kw, stride, pad, "col2im")
    blocks = cols.reshape(n, oh, ow, c, kh, kw)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for u in range(kh):
        for v in range(kw):
            xp[:, :, u:u + stride * oh:stride, v:v + stride * ow:stride] += blocks[:, :, :, :, u, v].transpose(0, 3, 1, 2)
    return xp[:, :, pad:pad + h, pad:pad + w] if pad else xp


def conv_forward(x, W, b, stride: int = 1, pad: int = 0):
    """2-D convolution (cross-correlation) by im2col; returns ``(out, cache)``, ``out`` of shape
    ``(N, F, out_h, out_w)``."""
    n, c, h, w = x.shape
    f, c2, kh, kw = W.shape
    if c != c2:
        raise ValueError(f"conv: the input has {c} channels, the kernel expects {c2}")
    cols = im2col(x, kh, kw, stride, pad)
    oh, ow = _out_size(h, kh, stride, pad, "conv"), _out_size(w, kw, stride, pad, "conv")
    out = (cols @ W.reshape(f, -1).T + b).reshape(n, oh, ow, f).transpose(0, 3, 1, 2)
    return out, (x.shape, cols, W, stride, pad)


def conv_backward(dout, cache):
    """``dW = dout_rows.T @ cols``, ``db = sum(dout)``, ``dx = col2im(dout_rows @ W)``; returns
    ``(dx, dW, db)``."""
    x_shape, cols, W, stride, pad = cache
    f, _, kh, kw = W.shape
    rows = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dW = (rows.T @ cols).reshape(W.shape)
    dx = col2im(rows @ W.reshape(f, -1), x_shape, kh, kw, stride, pad)
    return dx, dW, rows.sum(axis=0)


def maxpool_forward(x, size: int = 2):
    """Max pooling over non-overlapping ``size x size`` windows; returns ``(out, cache)``.

    >>> out, _ = maxpool_forward(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> out[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    n, c, h, w = x.shape
    if h % size or w % size:
        raise ValueError(f"maxpool: a {h}x{w} input does not split into {size}x{size} windows")
    win = x.reshape(n, c, h // size, size, w // size, size).transpose(0, 1, 2, 4, 3, 5).reshape(
        n, c, h // size, w // size, size * size)
    winner = np.argmax(win, axis=-1)
    return np.take_along_axis(win, winner[..., None], axis=-1)[..., 0], (x.shape, winner, size)


def maxpool_backward(dout, cache):
    """The gradient goes to the (first) maximum of each window, as in :func:`~course_lib.activations.maxout_vjp`."""
    (n, c, h, w), winner, size = cache
    win = np.zeros((n, c, h // size, w // size, size * size))
    np.put_along_axis(win, winner[..., None], dout[..., None], axis=-1)
    return win.reshape(n, c, h // size, w // size, size, size).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w)


class Conv2D(Module):
    """A convolution layer with ``out_ch`` square ``kernel x kernel`` filters.

    The weights are drawn by a named initialiser (:mod:`~course_lib.nn.init`) with the fans of
    a convolution, :math:`n_\\text{in} = C k^2` and :math:`n_\\text{out} = F k^2` (PyTorch's
    convention): one ``(n_in, n_out)`` draw, of which the first ``F`` columns become the filters.

    >>> Conv2D(1, 4, 3, np.random.default_rng(0), pad=1)(np.zeros((2, 1, 8, 8))).shape
    (2, 4, 8, 8)
    """

    def __init__(self, in_ch: int, out_ch: int, kernel: int, rng, init="he_normal",
                 stride: int = 1, pad: int = 0):
        self.in_ch, self.out_ch, self.kernel, self.stride, self.pad = in_ch, out_ch, kernel, stride, pad
        fan_in, fan_out = in_ch * kernel * kernel, out_ch * kernel * kernel
        w = get_init(init)(fan_in, fan_out, rng)[:, :out_ch]
        self.W = Parameter(w.T.reshape(out_ch, in_ch, kernel, kernel), "W")
        self.b = Parameter(np.zeros(out_ch), "b")
        self.cache = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 4:
            raise ValueError(f"Conv2D: expected a 4-D array (batch, channels, height, width), got shape {x.shape}")
        out, self.cache = conv_forward(x, self.W.value, self.b.value, self.stride, self.pad)
        return out

    def backward(self, dout):
        dx, self.W.grad, self.b.grad = conv_backward(dout, self._need_cache())
        return dx

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self) -> str:
        return f"Conv2D({self.in_ch}, {self.out_ch}, kernel={self.kernel}, stride={self.stride}, pad={self.pad})"


class MaxPool2D(Module):
    """Max pooling over non-overlapping ``size x size`` windows."""

    def __init__(self, size: int = 2):
        self.size = size
        self.cache = None

    def forward(self, x):
        out, self.cache = maxpool_forward(np.asarray(x, dtype=np.float64), self.size)
        return out

    def backward(self, dout):
        return maxpool_backward(dout, self._need_cache())

    def __repr__(self) -> str:
        return f"MaxPool2D({self.size})"


class Reshape(Module):
    """Reshape each example (the batch axis is kept): ``Reshape((1, 8, 8))`` turns rows of 64
    pixels into one-channel 8x8 images, ``Reshape((-1,))`` flattens."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.cache = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.cache = x.shape
        return x.reshape((x.shape[0], *self.shape))

    def backward(self, dout):
        return dout.reshape(self._need_cache())

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"


class LeNet(Sequential):
    """A LeNet-style network for small one-channel images given as flat rows of pixels.

    ``Reshape -> [Conv(3x3, same padding) -> activation -> MaxPool(2)] x 2 -> flatten ->
    Dense -> activation -> Dense`` (logits). LeCun et al. (1998) used 5x5 kernels on 32x32
    images and average-pooling "subsampling" layers; on 8x8 digits, 3x3 kernels with padding
    and max pooling keep two convolution stages possible.

    Args:
        image: ``(height, width)``; each must be divisible by 4 (two poolings).
        activation: a registry name (elementwise), used after every convolution and hidden Dense.
        rng: ``np.random.default_rng(seed)``.
        channels: the two convolutions' filter counts; ``hidden``: the hidden Dense width.
        init: initialiser name; default: the one matching the activation.
        **activation_params: passed to the activation, e.g. ``negative_slope=0.02``.

    >>> net = LeNet((8, 8), 10, "relu", np.random.default_rng(0))
    >>> net(np.zeros((3, 64))).shape
    (3, 10)
    """

    def __init__(self, image=(8, 8), n_classes: int = 10, activation: str = "relu", rng=None,
                 channels=(8, 16), hidden: int = 32, init=None, **activation_params):
        h, w = image
        if h % 4 or w % 4:
            raise ValueError(f"LeNet: image sides must be divisible by 4 (two 2x2 poolings), got {h}x{w}")
        if not get_activation(activation).elementwise:
            raise ValueError(f"LeNet: {activation} is vector-valued; use an elementwise activation")
        if rng is None:
            raise ValueError("LeNet: pass rng=np.random.default_rng(seed)")
        self.activation = activation
        self.init = init if init is not None else matching_init(activation)
        c1, c2 = channels
        flat = c2 * (h // 4) * (w // 4)
        super().__init__(
            Reshape((1, h, w)),
            Conv2D(1, c1, 3, rng, self.init, pad=1), ActivationLayer(activation, **activation_params), MaxPool2D(2),
            Conv2D(c1, c2, 3, rng, self.init, pad=1), ActivationLayer(activation, **activation_params), MaxPool2D(2),
            Reshape((flat,)),
            Dense(flat, hidden, rng, init=self.init), ActivationLayer(activation, **activation_params),
            Dense(hidden, n_classes, rng, init=self.init),
        )

    @property
    def activation_layers(self) -> list[ActivationLayer]:
        return [layer for layer in self.layers if isinstance(layer, ActivationLayer)]

    def predict(self, x) -> np.ndarray:
        """Outputs in evaluation mode (no layer here differs between the modes)."""
        return self.forward(x)
