"""The convolutional layers (im2col, col2im, pooling) and the LeNet-style experiment: every
backward pass by central differences (course_lib.gradcheck), shapes and errors, and the direction
of the effect the CNN page claims, at a tiny size."""

import numpy as np
import pytest
from test_nn import check_layer

from course_lib.experiments.cnn import cnn_comparison
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.nn import Adam, LeNet, train
from course_lib.nn.conv import (
    Conv2D, MaxPool2D, Reshape, col2im, conv_backward, conv_forward, im2col, maxpool_forward,
)


def rng(seed=0):
    return np.random.default_rng(seed)


def _direct_conv(x, W, b, stride, pad):
    """The definition, with explicit loops: out[n,f,i,j] = b[f] + sum W[f,c,u,v] x[n,c,i*s+u,j*s+v]."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, _, h, w = xp.shape
    f, c, kh, kw = W.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("ncuv,fcuv->nf", patch, W) + b
    return out


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 0), (2, 1)])
def test_conv_forward_is_the_cross_correlation(stride, pad):
    x, W, b = rng(1).normal(size=(2, 3, 5, 5)), rng(2).normal(size=(4, 3, 3, 3)), rng(3).normal(size=4)
    out, _ = conv_forward(x, W, b, stride, pad)
    np.testing.assert_allclose(out, _direct_conv(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 1)])
def test_col2im_is_the_adjoint_of_im2col(stride, pad):
    """<im2col(x), y> = <x, col2im(y)> for all x, y: the backward pass of a linear map is its adjoint."""
    x = rng(4).normal(size=(2, 2, 5, 5))
    cols = im2col(x, 3, 3, stride, pad)
    y = rng(5).normal(size=cols.shape)
    assert np.isclose(np.sum(cols * y), np.sum(x * col2im(y, x.shape, 3, 3, stride, pad)), rtol=1e-12)


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 1)])
def test_conv_layer_backward(stride, pad):
    layer = Conv2D(2, 3, 3, rng(6), stride=stride, pad=pad)
    layer.b.value[:] = rng(7).normal(size=3)
    check_layer(layer, rng(8).normal(size=(2, 2, 5, 5)))


def test_conv_functions_match_layer_and_gradients():
    x, W, b = rng(9).normal(size=(2, 1, 4, 4)), rng(10).normal(size=(2, 1, 3, 3)), rng(11).normal(size=2)
    out, cache = conv_forward(x, W, b, 1, 1)
    g = rng(12).normal(size=out.shape)
    dx, dW, db = conv_backward(g, cache)
    assert rel_error(dW, numerical_gradient(lambda: float(np.sum(conv_forward(x, W, b, 1, 1)[0] * g)), W)) < 1e-7
    assert rel_error(db, numerical_gradient(lambda: float(np.sum(conv_forward(x, W, b, 1, 1)[0] * g)), b)) < 1e-7
    assert dx.shape == x.shape


def test_maxpool_backward_and_ties():
    x = rng(13).normal(size=(2, 3, 4, 6))
    check_layer(MaxPool2D(2), x)
    out, _ = maxpool_forward(np.ones((1, 1, 2, 2)))
    layer = MaxPool2D(2)
    layer(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.backward(np.array([[[[5.0]]]])), [[[[5.0, 0.0], [0.0, 0.0]]]])
    assert out[0, 0, 0, 0] == 1.0


def test_reshape_backward():
    check_layer(Reshape((2, 3)), rng(14).normal(size=(4, 6)))


def test_whole_lenet_backward():
    """Check every parameter of the assembled network (conv, pooling, activations, dense)."""
    net = LeNet((4, 4), 3, "tanh", rng(15), channels=(2, 2), hidden=4)
    x = rng(16).normal(size=(2, 16))
    G = rng(99).normal(size=(2, 3))

    def loss():
        return float(np.sum(net(x) * G))

    net(x)
    dx = net.backward(G)
    analytic = [p.grad.copy() for p in net.parameters()]
    assert len(analytic) == 8  # two convolutions and two dense layers, each W and b
    assert rel_error(dx, numerical_gradient(loss, x)) < 1e-6
    for p, grad in zip(net.parameters(), analytic):
        assert rel_error(grad, numerical_gradient(loss, p.value)) < 1e-6, p


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="does not tile"):
        im2col(np.zeros((1, 1, 4, 4)), 3, 3, stride=2)
    with pytest.raises(ValueError, match="channels"):
        conv_forward(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 3, 3)), np.zeros(1))
    with pytest.raises(ValueError, match="4-D"):
        Conv2D(1, 1, 3, rng())(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2x2 windows"):
        MaxPool2D(2)(np.zeros((1, 1, 3, 4)))
    with pytest.raises(ValueError, match="divisible by 4"):
        LeNet((6, 6), 10, "relu", rng())
    with pytest.raises(ValueError, match="vector-valued"):
        LeNet((8, 8), 10, "softmax", rng())
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2D(1, 1, 3, rng()).backward(np.zeros((1, 1, 1, 1)))


def test_lenet_trains_on_digits_shaped_data():
    """A few Adam steps lower the loss of the network on a separable toy problem of 8x8 images."""
    x = rng(17).normal(size=(64, 64))
    y = (x[:, :32].sum(axis=1) > 0).astype(int)
    net = LeNet((8, 8), 2, "relu", rng(18))
    hist = train(net, x, y, Adam(net.parameters(), 3e-3), rng(19), epochs=5, progress=False, stats=False)
    assert hist.loss[-1] < 0.7 * hist.loss[0]


def test_cnn_experiment_sigmoid_trails_the_rectifiers():
    """The direction the CNN page asserts: sigmoid's accuracy stays far below ReLU's and tanh's."""
    r = cnn_comparison(activations=("sigmoid", "relu", ("leaky_relu(0.02)", "leaky_relu", {"negative_slope": 0.02})),
                       seeds=(0,), epochs=3, lr=3e-3)
    assert r.labels == ("sigmoid", "relu", "leaky_relu(0.02)")
    assert r.test_acc["relu"].shape == (1, 4)
    assert r.mean_acc("relu") > r.mean_acc("sigmoid") + 0.3
    assert r.mean_acc("leaky_relu(0.02)") > r.mean_acc("sigmoid") + 0.3
    assert "| relu |" in r.table_markdown() and r.seconds > 0 and 0 < r.cpu_seconds < 60
