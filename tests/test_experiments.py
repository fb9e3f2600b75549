"""Each experiment of the book, run at a tiny size, shows the *direction* of the effect the book
claims -- so the book cannot silently claim what the code no longer shows."""

import numpy as np
import pytest

from course_lib import experiments as ex
from course_lib import plotting


def check_figure(show, result):
    """The book's figure for ``result`` renders (without warnings) and has alt text."""
    fig = show(result, caption="test")
    assert fig.png.startswith(b"\x89PNG") and len(fig.alt) > 80
    assert 'alt="' in fig._repr_html_()


def test_linear_collapse_without_activation_cannot_fit_moons():
    r = ex.linear_collapse(n=300, epochs=40, grid=8)
    assert r.collapse_error < 1e-10  # the deep linear network *is* x @ W_eff + b_eff
    assert r.effective_W.shape == (2, 1) and r.proba["relu"].shape == (8, 8)
    assert r.train_acc["identity"] < 0.9
    assert r.train_acc["tanh"] > 0.93 and r.train_acc["relu"] > 0.93
    check_figure(plotting.show_linear_collapse, r)


def test_vanishing_gradients_sigmoid_vs_relu_he():
    r = ex.vanishing_gradients(activations=("sigmoid", "relu"), depth=30, width=32, batch=64, seeds=(0,))
    sig, relu = r.geometric_mean("sigmoid"), r.geometric_mean("relu")
    assert sig.shape == (31,)
    assert sig[0] < 1e-6 * relu[0]  # orders of magnitude at the first layer
    assert r.first_to_last("sigmoid") < 1e-6  # and it vanishes along the network
    assert 1e-2 < r.first_to_last("relu") < 1e2  # He init keeps ReLU's gradient flowing
    assert r.geometric_mean("relu", "mismatched")[0] < 1e-3 * relu[0]  # LeCun init: too small for ReLU
    check_figure(plotting.show_vanishing_gradients, r)


def test_dead_relus_grow_with_learning_rate_and_leaky_never_dies():
    r = ex.dying_relu(activations=("relu", "leaky_relu", "elu"), learning_rates=(0.001, 0.1), biases=(0.0,),
                      hidden=(32, 32), epochs=3, seeds=(0,))
    low, high = r.final_dead("relu", 0.0)
    assert high > low + 0.1
    assert np.all(r.final_dead("leaky_relu", 0.0) == 0.0)
    assert r.final_dead("elu", 0.0)[1] < high  # ELU resists dying better than ReLU ...
    assert r.dead["relu", 0.0].shape == (2, 1, 4)
    check_figure(plotting.show_dying_relu, r)


def test_positive_inputs_give_one_signed_updates_but_derivative_size_sets_the_speed():
    """The zig-zag constraint follows the centring of the inputs; the speed follows the derivative."""
    r = ex.zero_centring(batch_sizes=(1, 16), probe_steps=40, epochs=6, seeds=(0,))
    for positive in ("sigmoid", "tanh_shifted", "sigmoid_fast"):
        assert r.same_sign[positive][0] == 1.0  # per example: every incoming weight moves the same way
        u = r.updates[positive]
        assert np.all(u[:, 0] * u[:, 1] >= 0)  # first and third quadrants only
    for centred in ("tanh", "sigmoid_centred"):
        assert r.same_sign[centred][0] < 0.05
    assert r.same_sign["sigmoid"][1] > r.same_sign["tanh"][1]
    # sigmoid is slower than tanh ...
    assert r.final_loss("sigmoid") > 2 * r.final_loss("tanh")
    # ... but not because of centring: switching it changes the loss far less than the gap ...
    assert abs(r.gap_closed("sigmoid_centred")) < 0.25 and abs(r.gap_closed("tanh_shifted") - 1) < 0.25
    # ... while a learning rate scaled to the derivative closes most of it
    assert r.gap_closed("sigmoid_fast") > 0.5
    assert r.label("sigmoid_centred") == "sigmoid − ½"
    check_figure(plotting.show_zero_centring, r)


def test_shifted_activation_moves_outputs_not_gradients():
    """A shifted activation adds the constant to the outputs and leaves the backward pass alone."""
    layer = ex.ShiftedActivation("tanh", 1.0)
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layer(x), np.tanh(x) + 1.0)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), 1.0 - np.tanh(x) ** 2, rtol=1e-14)
    assert layer.last_output is not None and np.all(layer.last_output >= 0)


def test_selu_lecun_self_normalises_and_he_drifts():
    r = ex.selu_self_normalisation(depth=50, width=64, n=200, seeds=(0,))
    mean, var = r.mean["lecun_normal"][0], r.var["lecun_normal"][0]
    assert np.all(np.abs(mean) < 0.15) and np.all((var > 0.75) & (var < 1.3))
    assert r.var["he_normal"][0, -1] > 10  # explodes
    assert r.var["torch_kaiming_selu"][0, -1] < 0.2  # PyTorch's selu gain: shrinks
    check_figure(plotting.show_selu, r)


def test_training_comparison_sigmoid_trains_slowest():
    r = ex.training_comparison(activations=("sigmoid", "relu", "tanh"), hidden=(32,), epochs=3, seeds=(0, 1))
    final = {a: r.train_loss[a][:, -1].mean() for a in r.activations}
    assert final["sigmoid"] > 1.3 * max(final["relu"], final["tanh"])
    assert {row["activation"] for row in r.table()} == {"sigmoid", "relu", "tanh"}
    check_figure(plotting.show_training_comparison, r)
    assert r.test_acc["relu"].shape == (2, 4) and r.epoch_time["relu"].shape == (2, 3)


def test_softmax_for_exclusive_classes_sigmoids_for_multilabel():
    r = ex.output_layers(hidden=(32,), epochs=8)
    np.testing.assert_allclose(r.prob_sums["softmax"], 1.0)
    assert r.prob_sums["sigmoid"].std() > 0.05  # one-vs-rest "probabilities" do not sum to 1
    assert r.multiclass_acc["softmax"] > 0.85 and r.multiclass_acc["sigmoid"] > 0.85  # both work for one label
    assert r.max_labels_predicted["softmax"] == 1  # cannot say yes twice at threshold 0.5
    assert r.multilabel_exact["sigmoid"] > r.multilabel_exact["softmax"] + 0.3
    # the failure is the threshold, not the outputs: a lower threshold reads several labels off softmax
    t, best = r.best_threshold("softmax")
    assert t < 0.5 and best > r.exact_at("softmax", 0.5) + 0.2
    assert r.best_threshold("sigmoid")[1] >= best  # still the better head at its best threshold
    assert r.exact_at("sigmoid", 0.5) == r.multilabel_exact["sigmoid"]
    check_figure(plotting.show_output_layers, r)


def test_batchnorm_rescues_a_deep_sigmoid_network():
    r = ex.batchnorm_placement(activations=("sigmoid",), hidden=(32, 32, 32, 32), epochs=4, seeds=(0,))
    assert r.final_acc("sigmoid", "before") > r.final_acc("sigmoid", None) + 0.3
    assert r.final_acc("sigmoid", "after") > r.final_acc("sigmoid", None) + 0.3
    check_figure(plotting.show_batchnorm, r)


def test_cost_ranks_relu_below_mish():
    r = ex.activation_cost(names=("relu", "mish"), n=2**14, repeats=3)
    assert r.total_ns[0] < r.total_ns[1]
    assert r.relative_to("relu")[0] == 1.0 and r.ranking()[0][0] == "relu"
    check_figure(plotting.show_cost, r)


def test_cost_orderings_the_pages_assert():
    """The orderings the activation pages claim: ReLU < sigmoid < SiLU < exact GELU and Mish."""
    r = ex.activation_cost(names=("relu", "sigmoid", "silu", "gelu", "mish"), n=2**15, repeats=5)
    t = dict(zip(r.names, r.total_ns))
    assert t["relu"] < t["sigmoid"] < t["silu"] < min(t["gelu"], t["mish"])
    assert {name for name, _ in r.ranking()[-2:]} == {"gelu", "mish"}


def test_vanishing_gradients_mismatched_inits_go_the_way_the_page_says():
    """SELU with He: larger gradients than with LeCun; tanh with He: growing towards the input."""
    r = ex.vanishing_gradients(activations=("tanh", "selu"), depth=20, width=32, batch=64, seeds=(0,))
    assert np.all(r.geometric_mean("selu", "mismatched") > r.geometric_mean("selu"))
    g = r.geometric_mean("tanh", "mismatched")
    assert g[0] > g[-2]


def test_experiment_data_is_bundled_and_standardised():
    d = ex.digits()
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert ex.moons(n=100).X_train.shape == (75, 2) and ex.circles(n=100).n_classes == 2


@pytest.mark.parametrize("fn,kwargs", [
    (ex.linear_collapse, {"activations": ("relu",), "n": 100, "epochs": 2, "grid": 4}),
    (ex.selu_self_normalisation, {"depth": 3, "width": 8, "n": 20, "seeds": (3,)}),
])
def test_experiments_are_deterministic(fn, kwargs):
    a, b = fn(**kwargs), fn(**kwargs)
    for key in ("proba", "mean"):
        if hasattr(a, key):
            for k in getattr(a, key):
                np.testing.assert_array_equal(getattr(a, key)[k], getattr(b, key)[k])
