"""The network in course_lib.nn: every backward pass gradient-checked, optimisers, determinism,
shapes and error messages."""

import numpy as np
import pytest

from course_lib.activations import ELEMENTWISE
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.nn import (
    INITIALISERS,
    MLP,
    SGD,
    ActivationLayer,
    Adam,
    BatchNorm,
    Dense,
    Momentum,
    Parameter,
    accuracy,
    binary_cross_entropy,
    calculate_gain,
    get_init,
    make_optimizer,
    matching_init,
    mse,
    softmax_cross_entropy,
    torch_kaiming_normal,
    train,
)
from course_lib.nn.layers import (
    batchnorm_backward,
    batchnorm_forward,
    dense_backward,
    dense_forward,
)

TOL = 1e-6


def assert_grad_close(analytic, numeric, tol=TOL):
    """rel_error below tol; a gradient that is zero in exact arithmetic (e.g. the bias of a Dense
    layer followed by BatchNorm) is only compared in absolute terms, as both sides are rounding noise."""
    if max(np.abs(analytic).max(), np.abs(numeric).max()) < 1e-9:
        return
    assert rel_error(analytic, numeric) < tol


def rng(seed=0):
    return np.random.default_rng(seed)


def check_layer(layer, x, tol=TOL):
    """Gradient-check a layer's backward pass w.r.t. its input and each of its parameters, using
    the scalar loss sum(out * G) for a fixed random G."""
    G = rng(99).normal(size=layer(x).shape)

    def loss():
        return float(np.sum(layer(x) * G))

    layer(x)
    dx = layer.backward(G)
    analytic = {p.name: p.grad.copy() for p in layer.parameters()}
    assert rel_error(dx, numerical_gradient(loss, x)) < tol
    for p in layer.parameters():
        assert rel_error(analytic[p.name], numerical_gradient(loss, p.value)) < tol, p.name


# ---- backward passes ----------------------------------------------------------------------

def test_dense_backward():
    check_layer(Dense(5, 3, rng(), init="he_normal", bias=0.3), rng(1).normal(size=(4, 5)))


def test_dense_functions_match_layer():
    x, W, b = rng(1).normal(size=(4, 3)), rng(2).normal(size=(3, 2)), rng(3).normal(size=2)
    out, cache = dense_forward(x, W, b)
    np.testing.assert_allclose(out, x @ W + b)
    dx, dW, db = dense_backward(np.ones_like(out), cache)
    np.testing.assert_allclose(db, [4.0, 4.0])
    assert dx.shape == x.shape and dW.shape == W.shape


def _away_from_kinks(name, x):
    kinks = ELEMENTWISE[name].kinks
    for k in kinks:
        x = np.where(np.abs(x - k) < 1e-3, x + 0.01, x)
    return x


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_activation_layer_backward(name):
    x = _away_from_kinks(name, rng(2).normal(scale=2.0, size=(4, 6)))
    check_layer(ActivationLayer(name), x, tol=1e-5)


@pytest.mark.parametrize("name,params", [("softmax", {}), ("log_softmax", {}), ("glu", {}), ("maxout", {"k": 2})])
def test_activation_layer_backward_vector_valued(name, params):
    check_layer(ActivationLayer(name, **params), rng(3).normal(size=(3, 6)), tol=1e-5)


def test_activation_layer_uses_params():
    layer = ActivationLayer("leaky_relu", negative_slope=0.2)
    np.testing.assert_allclose(layer(np.array([[-1.0, 1.0]])), [[-0.2, 1.0]])
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), [[0.2, 1.0]])


def test_batchnorm_backward():
    bn = BatchNorm(4)
    bn.gamma.value[:] = rng(4).normal(size=4)
    bn.beta.value[:] = rng(5).normal(size=4)
    check_layer(bn, rng(6).normal(loc=3.0, scale=2.0, size=(8, 4)))


def test_batchnorm_normalises_and_tracks_running_stats():
    bn = BatchNorm(3, momentum=0.0)
    x = rng(7).normal(loc=5.0, scale=3.0, size=(500, 3))
    out = bn(x)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-4)
    np.testing.assert_allclose(bn.running_mean, x.mean(axis=0))
    np.testing.assert_allclose(bn.eval()(x), out, atol=1e-12)  # eval with the same statistics


def test_batchnorm_functions():
    x = rng(8).normal(size=(6, 2))
    out, cache = batchnorm_forward(x, np.ones(2), np.zeros(2))
    dx, _, db = batchnorm_backward(np.ones_like(out), cache)
    np.testing.assert_allclose(dx, 0.0, atol=1e-12)  # a shift of all outputs cannot change the loss via x
    np.testing.assert_allclose(db, [6.0, 6.0])


@pytest.mark.parametrize("batchnorm", [None, "before", "after"])
@pytest.mark.parametrize("activation", ["tanh", "selu", "gelu"])
def test_mlp_backward(activation, batchnorm):
    net = MLP((3, 5, 4, 2), activation, rng(10), batchnorm=batchnorm)
    x, y = rng(11).normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0])

    def loss():
        return softmax_cross_entropy(net(x), y)[0]

    out = net(x)
    dx = net.backward(softmax_cross_entropy(out, y)[1])
    assert rel_error(dx, numerical_gradient(loss, x)) < TOL
    for p in net.parameters():
        assert_grad_close(p.grad.copy(), numerical_gradient(loss, p.value))


# ---- losses -------------------------------------------------------------------------------

def _check_loss(fn, z, y, tol=TOL):
    value, grad = fn(z, y)
    assert np.isfinite(value)
    assert rel_error(grad, numerical_gradient(lambda: fn(z, y)[0], z)) < tol


def test_mse_gradient():
    _check_loss(mse, rng(12).normal(size=(5, 2)), rng(13).normal(size=(5, 2)))


@pytest.mark.parametrize("shape", [(7,), (5, 3)])
def test_bce_gradient(shape):
    z = rng(14).normal(scale=3.0, size=shape)
    _check_loss(binary_cross_entropy, z, (rng(15).random(shape) > 0.5).astype(float))


def test_softmax_ce_gradient_labels_and_soft_targets():
    z = rng(16).normal(scale=3.0, size=(5, 4))
    _check_loss(softmax_cross_entropy, z, np.array([0, 3, 1, 2, 3]))
    soft = rng(17).random((5, 4))
    _check_loss(softmax_cross_entropy, z, soft / soft.sum(axis=1, keepdims=True))


def test_losses_are_stable_at_huge_logits():
    value, grad = binary_cross_entropy(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    assert value == pytest.approx(800.0) and np.all(np.isfinite(grad))
    value, grad = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert value == pytest.approx(2000.0) and np.all(np.isfinite(grad))


def test_bce_matches_the_naive_formula_where_it_is_safe():
    z, y = np.array([-2.0, 0.5, 3.0]), np.array([1.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-z))
    assert binary_cross_entropy(z, y)[0] == pytest.approx(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))


def test_accuracy_modes():
    assert accuracy(np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([1, 0])) == 1.0
    assert accuracy(np.array([[0.5], [-0.5]]), np.array([1, 1])) == 0.5
    assert accuracy(np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([[1, 0], [1, 0]])) == 0.5


def test_loss_errors_are_clear():
    with pytest.raises(ValueError, match="shape"):
        mse(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="0..2"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="integer class labels"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="probability distribution"):
        softmax_cross_entropy(np.zeros((1, 2)), np.array([[1.0, 1.0]]))


# ---- optimisers ---------------------------------------------------------------------------

def _param(value, grad):
    p = Parameter(value)
    p.grad[...] = grad
    return p


def test_sgd_step():
    p = _param([1.0, -1.0], [2.0, 4.0])
    SGD([p], lr=0.5).step()
    np.testing.assert_allclose(p.value, [0.0, -3.0])


def test_momentum_accumulates_velocity():
    p = _param([0.0], [1.0])
    opt = Momentum([p], lr=0.1, beta=0.9)
    opt.step()
    opt.step()  # v = 1, then 1.9
    np.testing.assert_allclose(p.value, [-0.1 - 0.19])


def test_adam_first_step_is_lr_times_sign():
    p = _param([1.0, 1.0, 1.0], [1e-3, -50.0, 2.0])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, [0.99, 1.01, 0.99], rtol=1e-6)


def test_adam_matches_reference_after_two_steps():
    p = _param([0.0], [1.0])
    opt = Adam([p], lr=0.1, beta1=0.9, beta2=0.999, eps=0.0)
    opt.step()
    p.grad[...] = 3.0
    opt.step()
    m = 0.9 * 0.1 + 0.1 * 3.0
    v = 0.999 * 0.001 + 0.001 * 9.0
    expected = -0.1 - 0.1 * (m / (1 - 0.81)) / np.sqrt(v / (1 - 0.999**2))
    np.testing.assert_allclose(p.value, [expected])


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_optimisers_decrease_a_quadratic(name):
    p = Parameter([3.0, -2.0])
    opt = make_optimizer(name, [p], lr=0.05)
    for _ in range(200):
        p.grad[...] = 2 * p.value
        opt.step()
    assert np.linalg.norm(p.value) < 0.1


def test_optimiser_errors():
    with pytest.raises(ValueError, match="learning rate"):
        SGD([Parameter([1.0])], lr=0.0)
    with pytest.raises(ValueError, match="no parameters"):
        Adam([], lr=0.1)
    with pytest.raises(KeyError, match="known"):
        make_optimizer("rmsprop", [Parameter([1.0])], lr=0.1)


# ---- initialisers -------------------------------------------------------------------------

@pytest.mark.parametrize("name,var", [
    ("glorot_normal", 2 / 600), ("glorot_uniform", 2 / 600), ("he_normal", 2 / 200), ("he_uniform", 2 / 200),
    ("lecun_normal", 1 / 200), ("lecun_uniform", 1 / 200), ("torch_kaiming_selu", 0.5625 / 200),
])
def test_initialiser_variances(name, var):
    w = get_init(name)(200, 400, rng(20))
    assert w.shape == (200, 400)
    assert w.var() == pytest.approx(var, rel=0.03)
    assert abs(w.mean()) < 0.01 * np.sqrt(var) * 10


def test_uniform_bounds():
    w = INITIALISERS["he_uniform"](50, 50, rng(21))
    assert np.abs(w).max() <= np.sqrt(6 / 50)


def test_torch_gain_table():
    assert calculate_gain("selu") == 0.75
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx(np.sqrt(2 / 1.04))
    assert torch_kaiming_normal(10, 10, rng(22), nonlinearity="linear").shape == (10, 10)
    with pytest.raises(ValueError, match="unsupported"):
        calculate_gain("swishy")


def test_matching_init_covers_the_registry():
    assert {matching_init(n) for n in ELEMENTWISE} <= set(INITIALISERS)


def test_initialiser_errors():
    with pytest.raises(TypeError, match="Generator"):
        get_init("he_normal")(3, 3, 0)
    with pytest.raises(ValueError, match="positive"):
        get_init("he_normal")(0, 3, rng())
    with pytest.raises(KeyError, match="known"):
        get_init("xavier")


# ---- the model and the training loop ------------------------------------------------------

def _toy(seed=0, n=120):
    r = rng(seed)
    X = r.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def test_mlp_shapes_and_structure():
    net = MLP((2, 7, 5, 3), "relu", rng(30), batchnorm="before")
    assert [type(layer).__name__ for layer in net.layers] == [
        "Dense", "BatchNorm", "ActivationLayer", "Dense", "BatchNorm", "ActivationLayer", "Dense"]
    assert net(np.zeros((4, 2))).shape == (4, 3)
    assert net.backward(np.ones((4, 3))).shape == (4, 2)
    assert net.init == "he_normal" and len(net.dense_layers) == 3


def test_mlp_errors_are_clear():
    with pytest.raises(ValueError, match="expected 2 input features"):
        MLP((2, 4, 1), "relu", rng())(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="2-D"):
        MLP((2, 4, 1), "relu", rng())(np.zeros(2))
    with pytest.raises(KeyError, match="Did you mean"):
        MLP((2, 4, 1), "reluu", rng())
    with pytest.raises(ValueError, match="vector-valued"):
        MLP((2, 4, 1), "softmax", rng())
    with pytest.raises(ValueError, match="batchnorm"):
        MLP((2, 4, 1), "relu", rng(), batchnorm="middle")
    with pytest.raises(TypeError, match="no parameter"):
        ActivationLayer("relu", negative_slope=0.1)
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(2, 2, rng()).backward(np.ones((1, 2)))


def _run(seed):
    X, y = _toy()
    net = MLP((2, 16, 16, 2), "tanh", rng(seed))
    return train(net, X, y, Adam(net.parameters(), 0.03), rng(seed + 1), epochs=5, batch_size=16,
                 X_val=X[:30], y_val=y[:30], progress=False)


def test_training_is_deterministic_given_seeds():
    a, b, c = _run(0), _run(0), _run(1)
    assert a.step_loss == b.step_loss and a.loss == b.loss
    np.testing.assert_array_equal(a.as_arrays()["grad_norms"], b.as_arrays()["grad_norms"])
    assert a.step_loss != c.step_loss


def test_training_learns_and_records_history():
    h = _run(0)
    arr = h.as_arrays()
    assert arr["loss"].shape == (6,) and arr["val_acc"].shape == (6,)
    assert arr["grad_norms"].shape == (5, 3) and arr["act_mean"].shape == (6, 2)
    assert arr["epoch_time"].shape == (5,) and len(h.step_loss) == 5 * 8
    assert h.loss[-1] < h.loss[0] and h.acc[-1] > 0.8


def test_dead_fraction_counts_units_that_never_pass_gradient():
    net = MLP((2, 4, 1), "relu", rng(40))
    net.dense_layers[0].b.value[:2] = -1e6  # two units off for every input
    X, y = _toy(n=40)
    h = train(net, X, y.astype(float), SGD(net.parameters(), 1e-3), rng(41), loss="bce", epochs=0, progress=False)
    assert h.dead_fraction[0][0] == 0.5


def test_train_errors():
    net = MLP((2, 4, 2), "relu", rng())
    opt = SGD(net.parameters(), 0.1)
    with pytest.raises(ValueError, match="one row per target"):
        train(net, np.zeros((3, 2)), np.zeros(4, dtype=int), opt, rng(), progress=False)
    with pytest.raises(ValueError, match="both"):
        train(net, np.zeros((3, 2)), np.zeros(3, dtype=int), opt, rng(), X_val=np.zeros((1, 2)), progress=False)


def test_progress_bar_and_optional_statistics(capsys):
    X, y = _toy(n=40)
    net = MLP((2, 4, 2), "relu", rng(50))
    h = train(net, X, y, SGD(net.parameters(), 0.1), rng(51), epochs=2, progress=True, stats=False, desc="toy")
    assert "toy" in capsys.readouterr().err  # tqdm writes to stderr
    assert h.act_mean == [] and len(h.loss) == 3
