"""Nets: gradient checks in float64 against centred differences, initial losses against ln(C), the sequential net's extras."""
import math

import numpy as np
import pytest

from cs231n_lib.gradient_check import eval_numerical_gradient, rel_error
from cs231n_lib.nets import SequentialNet, ThreeLayerConvNet, TwoLayerNet, affine, conv, pool, relu

RNG = np.random.default_rng(0)


def _grad_errors(model, X, y):
    _, grads = model.loss(X, y)
    errors = {}
    for name in sorted(model.params):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        errors[name] = rel_error(num, grads[name])
    return errors


def test_three_layer_convnet_shapes_follow_the_cs231n_constructor():
    model = ThreeLayerConvNet()
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (32, 3, 7, 7), "b1": (32,), "W2": (32 * 16 * 16, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert all(v.dtype == np.float32 for v in model.params.values())
    scores = model.loss(np.zeros((2, 3, 32, 32), dtype=np.float32))
    assert scores.shape == (2, 10)


def test_three_layer_convnet_initial_loss_is_ln_c_and_reg_raises_it():
    X = RNG.standard_normal((50, 3, 32, 32)).astype(np.float32)
    y = RNG.integers(10, size=50)
    loss, _ = ThreeLayerConvNet().loss(X, y)
    assert abs(loss - math.log(10)) < 0.05
    loss_reg, _ = ThreeLayerConvNet(reg=0.5).loss(X, y)
    assert loss_reg > loss


def test_three_layer_convnet_gradient_check_float64():
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7,
                              num_classes=4, weight_scale=1e-1, reg=0.1, dtype=np.float64, seed=1)
    X = RNG.standard_normal((2, 3, 8, 8))
    y = np.array([1, 3])
    errors = _grad_errors(model, X, y)
    # CS231n asks for relative errors below 1e-2 here; float64 gives far better
    assert max(errors.values()) < 1e-4, errors


def test_three_layer_convnet_passes_the_assignments_own_checks():
    """ConvolutionalNetworks.ipynb of CS231n assignment 2 (cs231n.github.io, assignments/2019/
    spring1819_assignment2.zip): the sanity check sets ``model.reg = 0.5`` on a built model and expects
    the loss to rise from about ln(10) (here on the small model); the gradient check uses input_dim (3, 16, 16), 3 filters of 3x3,
    hidden_dim 7, float64, the default weight_scale 1e-3, h = 1e-6, and accepts relative errors "up to
    the order of e-2"."""
    rng = np.random.default_rng(231)
    X = rng.standard_normal((2, 3, 16, 16))
    y = rng.integers(10, size=2)
    model = ThreeLayerConvNet(num_filters=3, filter_size=3, input_dim=(3, 16, 16), hidden_dim=7, dtype=np.float64)
    loss, grads = model.loss(X, y)
    assert abs(loss - math.log(10)) < 1e-3
    model.reg = 0.5  # set on the built model, as the assignment does
    penalty = 0.5 * 0.5 * sum(float(np.sum(model.params[k] ** 2)) for k in ("W1", "W2", "W3"))
    assert model.loss(X, y)[0] == pytest.approx(loss + penalty, rel=1e-12) and penalty > 0
    model.reg = 0.0
    for name in sorted(grads):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        # "order of e-2" means below 1e-1: with weights of 1e-3 some gradients are ~1e-9, where the round-off
        # of a centred difference with h = 1e-6 (~1e-10) is already a few percent (measured up to 2e-2 for W2).
        # A wrong backward pass gives errors near 1.
        assert rel_error(num, grads[name]) < 1e-1, name


def test_three_layer_convnet_refuses_even_filters_and_wrong_inputs():
    with pytest.raises(ValueError, match="odd"):
        ThreeLayerConvNet(filter_size=4)
    with pytest.raises(ValueError, match=r"\(N, 3, 32, 32\).*\(2, 32, 32, 3\)"):
        ThreeLayerConvNet().loss(np.zeros((2, 32, 32, 3)))


def test_two_layer_net_gradient_check():
    model = TwoLayerNet(input_dim=5, hidden_dim=6, num_classes=3, weight_scale=0.5, reg=0.2,
                        dtype=np.float64)
    X = RNG.standard_normal((4, 5))
    errors = _grad_errors(model, X, np.array([0, 1, 2, 1]))
    assert max(errors.values()) < 1e-6, errors


def _small_seq(dtype=np.float64, **kw):
    return SequentialNet([
        ("conv1", conv(4, 3)),
        ("relu1", relu()),
        ("pool1", pool(2)),
        ("conv2", {"kind": "conv", "num_filters": 3, "filter_size": 3, "stride": 1, "pad": 0}),
        ("relu2", relu()),
        ("fc", affine(5)),
    ], input_dim=(2, 8, 8), dtype=dtype, seed=2, **kw)


def test_sequential_net_shapes_activations_and_summary():
    net = _small_seq()
    assert net.shapes == {"conv1": (4, 8, 8), "relu1": (4, 8, 8), "pool1": (4, 4, 4),
                          "conv2": (3, 2, 2), "relu2": (3, 2, 2), "fc": (5,)}
    assert set(net.params) == {"conv1.W", "conv1.b", "conv2.W", "conv2.b", "fc.W", "fc.b"}
    X = RNG.standard_normal((3, 2, 8, 8))
    acts = net.activations(X)
    assert {k: v.shape[1:] for k, v in acts.items()} == net.shapes
    assert np.array_equal(acts["relu1"], np.maximum(acts["conv1"], 0))
    assert np.array_equal(net.activations(X, "fc"), net.loss(X))
    assert "pool1: max pool 2x2" in net.summary()


def test_sequential_net_gradient_check_float64():
    net = _small_seq(reg=0.05)
    X = RNG.standard_normal((2, 2, 8, 8))
    errors = _grad_errors(net, X, np.array([0, 4]))
    assert max(errors.values()) < 1e-5, errors


@pytest.mark.parametrize("layer, unit", [("fc", (2,)), ("conv2", (1,)), ("relu1", (0, 3, 4)), ("pool1", ())])
def test_input_gradient_matches_numerical(layer, unit):
    net = _small_seq()
    X = RNG.standard_normal((2, 2, 8, 8))

    def value(x):
        act = net.activations(x, layer)
        return float(np.sum(act[(slice(None),) + unit]))

    v, dX = net.input_gradient(X, layer, unit)
    assert v == pytest.approx(value(X))
    num = eval_numerical_gradient(value, X.copy(), verbose=False, h=1e-6)
    assert rel_error(dX, num) < 1e-5


def test_backward_from_is_the_general_form():
    net = _small_seq()
    X = RNG.standard_normal((1, 2, 8, 8))
    dout = np.zeros((1, 5))
    dout[0, 3] = 1
    assert np.allclose(net.backward_from(X, "fc", dout), net.input_gradient(X, "fc", (3,))[1])
    with pytest.raises(ValueError, match=r"\(1, 4\).*\(1, 5\)"):
        net.backward_from(X, "fc", np.zeros((1, 4)))


def test_frozen_layers_get_no_gradients_but_pass_them_on():
    net = _small_seq()
    X = RNG.standard_normal((2, 2, 8, 8))
    y = np.array([1, 2])
    net.freeze("conv1", "conv2")
    _, grads = net.loss(X, y)
    assert set(grads) == {"fc.W", "fc.b"}
    # the input gradient still flows through the frozen layers
    _, dX = net.input_gradient(X, "fc", (1,))
    assert np.abs(dX).max() > 0
    assert "(frozen)" in net.summary()
    net.unfreeze()
    assert set(net.loss(X, y)[1]) == set(net.params)
    with pytest.raises(ValueError, match="no layer named 'conv9'"):
        net.freeze("conv9")


def test_sequential_net_refuses_bad_specs_with_the_formula():
    with pytest.raises(ValueError, match="twice"):
        SequentialNet([("a", relu()), ("a", affine(2))], input_dim=(1, 4, 4))
    with pytest.raises(ValueError, match="end with an affine"):
        SequentialNet([("c", conv(2, 3))], input_dim=(1, 4, 4))
    with pytest.raises(ValueError, match="layer 'c'.*conv") as err:
        SequentialNet([("c", conv(2, 4, stride=3, pad=0)), ("fc", affine(2))], input_dim=(1, 8, 8))
    assert "8" in str(err.value) and "4" in str(err.value)
    with pytest.raises(ValueError, match="kind"):
        SequentialNet([("x", {"kind": "softmax"})], input_dim=(1, 4, 4))
    with pytest.raises(ValueError, match=r"\(N, 2, 8, 8\)"):
        _small_seq().loss(np.zeros((1, 8, 8, 2)))


def test_input_mean_is_subtracted_before_the_first_layer():
    net = _small_seq()
    shifted = SequentialNet([(n, net.layers[n]) for n in net.names], input_dim=(2, 8, 8), dtype=np.float64,
                            seed=2, input_mean=0.25)
    X = RNG.standard_normal((2, 2, 8, 8))
    assert np.allclose(shifted.loss(X), net.loss(X - 0.25))
    # the input gradient of a fixed shift is the same as without it
    assert np.allclose(shifted.input_gradient(X, "fc", (1,))[1], net.input_gradient(X - 0.25, "fc", (1,))[1])
    with pytest.raises(ValueError, match="does not broadcast"):
        SequentialNet([("fc", affine(2))], input_dim=(2, 8, 8), input_mean=np.zeros(3))


# ---------------------------------------------------------------- CS231n's known answers
def test_two_layer_net_known_answers_of_the_assignment_in_float64_by_default():
    """The check of CS231n assignment 2 (FullyConnectedNets.ipynb, "Two-layer network", in
    cs231n.github.io's assignments/2019/spring1819_assignment2.zip and 2020/assignment2_jupyter.zip):
    the model is built without a dtype, its parameters are replaced by linspace arrays, and the
    scores must agree to 1e-6 (sum of absolute differences), the losses to 1e-10."""
    N, D, H, C = 3, 5, 50, 7
    std = 1e-3
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=std)
    assert all(v.dtype == np.float64 for v in model.params.values())
    # the assignment's initialisation check
    assert abs(model.params["W1"].std() - std) < std / 10 and abs(model.params["W2"].std() - std) < std / 10
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b2"] == 0)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    correct_scores = np.asarray(
        [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
         [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
         [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    assert np.abs(model.loss(X) - correct_scores).sum() < 1e-6
    y = np.asarray([0, 5, 1])
    loss, _ = model.loss(X, y)
    assert abs(loss - 3.4702243556) < 1e-10
    model.reg = 1.0
    loss, _ = model.loss(X, y)
    assert abs(loss - 26.5948426952) < 1e-10
    # the assignment expects gradient errors "around e-7 or less", with reg 0 and 0.7
    for reg in (0.0, 0.7):
        model.reg = reg
        _, grads = model.loss(X, y)
        for name in sorted(grads):
            num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False)
            assert rel_error(num, grads[name]) < 1e-6, (reg, name)


def test_two_layer_net_in_float32_misses_those_tolerances():
    # why float64 is the default: the same check in float32 is off by far more than 1e-10
    model = TwoLayerNet(input_dim=5, hidden_dim=50, num_classes=7, dtype=np.float32)
    model.params = {"W1": np.linspace(-0.7, 0.3, num=250).reshape(5, 50).astype(np.float32),
                    "b1": np.linspace(-0.1, 0.9, num=50).astype(np.float32),
                    "W2": np.linspace(-0.3, 0.4, num=350).reshape(50, 7).astype(np.float32),
                    "b2": np.linspace(-0.9, 0.1, num=7).astype(np.float32)}
    X = np.linspace(-5.5, 4.5, num=15).reshape(5, 3).T
    loss, _ = model.loss(X, np.asarray([0, 5, 1]))
    assert abs(loss - 3.4702243556) > 1e-10


def test_two_layer_net_flattens_images_like_cs231n():
    # CS231n's TwoLayerNet() (input_dim=3*32*32) trains on CIFAR-10 batches of shape (N, 3, 32, 32)
    model = TwoLayerNet()
    X = RNG.standard_normal((2, 3, 32, 32))
    assert model.loss(X).shape == (2, 10)
    assert np.allclose(model.loss(X), model.loss(X.reshape(2, -1)))
    with pytest.raises(ValueError, match=r"\(N, 3072\).*\(2, 3, 32, 31\)"):
        model.loss(X[..., :31])


@pytest.mark.parametrize("build", [
    lambda: TwoLayerNet(input_dim=(32, 32, 3)),
    lambda: ThreeLayerConvNet(input_dim=(32, 32, 3)),
    lambda: SequentialNet([("fc", affine(2))], input_dim=(28, 28, 1)),
])
def test_channels_last_input_dim_is_refused_with_the_nchw_shape(build):
    with pytest.raises(ValueError, match=r"channels last.*input_dim=\((3|1), (32|28), (32|28)\).*transpose\(0, 3, 1, 2\)"):
        build()


def test_a_channels_last_batch_gets_the_transpose_hint():
    with pytest.raises(ValueError, match=r"channels-last.*transpose\(0, 3, 1, 2\)"):
        ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=4).loss(np.zeros((2, 8, 8, 3)))


# ---------------------------------------------------------------- ThreeLayerConvNet is a SequentialNet
def _tiny_three(**kw):
    return ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7, num_classes=4,
                             weight_scale=1e-1, dtype=np.float64, seed=1, **kw)


def test_three_layer_convnet_has_the_sequential_api_and_keeps_cs231n_names():
    net = _tiny_three()
    assert isinstance(net, SequentialNet)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.names == ["conv1", "relu1", "pool1", "fc2", "relu2", "fc3"]
    assert net.shapes["pool1"] == (3, 4, 4) and net.num_classes == 4
    X = RNG.standard_normal((2, 3, 8, 8))
    acts = net.activations(X)
    # the conv layer by hand: stride 1, pad 1, through the reference loops
    from cs231n_lib.layers import conv_forward_naive

    conv_out, _ = conv_forward_naive(X, net.params["W1"], net.params["b1"], {"stride": 1, "pad": 1})
    assert np.allclose(acts["conv1"], conv_out)
    assert np.array_equal(acts["fc3"], net.loss(X))
    assert np.array_equal(net.predict(X), np.argmax(net.loss(X), axis=1))
    summary = net.summary()
    assert "conv1: conv 3 x 3x3, stride 1, pad 1 -> (3, 8, 8), 84 parameters" in summary
    assert [d.kind for d in net.layer_dims()] == ["conv", "relu", "pool", "fc", "relu", "fc"]
    net.freeze("conv1")
    _, grads = net.loss(X, np.array([0, 3]))
    assert set(grads) == {"W2", "b2", "W3", "b3"}
    with pytest.raises(ValueError, match="'W2' is a parameter of layer 'fc2': name the layer"):
        net.freeze("W2")


@pytest.mark.parametrize("layer, unit", [("fc3", (2,)), ("conv1", (1,)), ("relu1", (0, 3, 4)), ("fc2", ())])
def test_three_layer_convnet_input_gradient_matches_numerical(layer, unit):
    net = _tiny_three(input_mean=0.25)
    X = RNG.standard_normal((2, 3, 8, 8))

    def value(x):
        return float(np.sum(net.activations(x, layer)[(slice(None),) + unit]))

    v, dX = net.input_gradient(X, layer, unit)
    assert v == pytest.approx(value(X))
    num = eval_numerical_gradient(value, X.copy(), verbose=False, h=1e-5)
    assert rel_error(dX, num) < 1e-5


def test_three_layer_convnet_gradient_of_the_loss_wrt_the_input():
    # the loss's gradient w.r.t. X is backward_from the scores with the softmax gradient as dout
    net = _tiny_three(reg=0.1)
    X = RNG.standard_normal((2, 3, 8, 8))
    y = np.array([1, 3])
    from cs231n_lib.layers import softmax_loss

    _, dscores = softmax_loss(net.loss(X), y)
    dX = net.backward_from(X, "fc3", dscores)
    num = eval_numerical_gradient(lambda x: net.loss(x, y)[0], X.copy(), verbose=False, h=1e-5)
    assert rel_error(dX, num) < 1e-5


# ---------------------------------------------------------------- ReLU rules through a net
def _hand_net():
    """x (2 numbers) -> fc1 (2 units) -> relu -> fc2 (1 score), with weights chosen by hand."""
    net = SequentialNet([("fc1", affine(2)), ("relu", relu()), ("fc2", affine(1))], input_dim=(2,),
                        dtype=np.float64)
    net.params["fc1.W"] = np.array([[1.0, -1.0], [1.0, 1.0]])
    net.params["fc1.b"] = np.array([0.0, -2.0])
    net.params["fc2.W"] = np.array([[-1.0], [2.0]])
    net.params["fc2.b"] = np.array([0.0])
    return net


def test_relu_rules_through_a_net_by_hand():
    # x = (1, 2): fc1 gives (1 + 2, -1 + 2 - 2) = (3, -1); relu (3, 0); score -3.
    # Going back from the score, relu receives W2 = (-1, 2).
    #   backprop : (-1, 2) * (a > 0) = (-1, 0)          -> dx = (-1, 0) @ W1.T = (-1, -1)
    #   guided   : also needs dout > 0: (0, 0)           -> dx = (0, 0)
    #   deconvnet: dout > 0 only: (0, 2)                 -> dx = (0, 2) @ W1.T = (-2, 2)
    net = _hand_net()
    X = np.array([[1.0, 2.0]])
    value, dX = net.input_gradient(X, "fc2", (0,))
    assert value == -3.0 and np.array_equal(dX, [[-1.0, -1.0]])
    assert np.array_equal(net.input_gradient(X, "fc2", (0,), relu_rule="guided")[1], [[0.0, 0.0]])
    assert np.array_equal(net.input_gradient(X, "fc2", (0,), relu_rule="deconvnet")[1], [[-2.0, 2.0]])
    assert np.array_equal(net.backward_from(X, "fc2", np.ones((1, 1)), relu_rule="deconvnet"), [[-2.0, 2.0]])
    with pytest.raises(ValueError, match=r"relu_rule must be one of \['backprop', 'deconvnet', 'guided'\]"):
        net.backward_from(X, "fc2", np.ones((1, 1)), relu_rule="guided_backprop")


def test_guided_gradient_is_the_backprop_gradient_with_negatives_cut_at_every_relu():
    # a one-relu conv net: guided = backprop where relu's input > 0 and the gradient reaching it > 0
    net = SequentialNet([("conv", conv(3, 3)), ("relu", relu()), ("fc", affine(4))], input_dim=(2, 6, 6),
                        dtype=np.float64, seed=4)
    X = RNG.standard_normal((1, 2, 6, 6))
    dout = np.zeros((1, 4))
    dout[0, 1] = 1
    a = net.activations(X, "conv")
    g = (dout @ net.params["fc.W"].T).reshape(a.shape)  # the gradient reaching relu
    from cs231n_lib.layers import conv_backward_naive, conv_forward_naive

    _, cache = conv_forward_naive(X, net.params["conv.W"], net.params["conv.b"], {"stride": 1, "pad": 1})
    for rule, mask in (("backprop", a > 0), ("guided", (a > 0) & (g > 0)), ("deconvnet", g > 0)):
        expected, _, _ = conv_backward_naive(g * mask, cache)
        assert np.allclose(net.backward_from(X, "fc", dout, relu_rule=rule), expected), rule
    # the rule is chosen per call: the next plain call is the true gradient again
    num = eval_numerical_gradient(lambda x: float(np.sum(net.activations(x, "fc") * dout)), X.copy(),
                                  verbose=False, h=1e-6)
    assert rel_error(net.backward_from(X, "fc", dout), num) < 1e-6


# ---------------------------------------------------------------- a new head for transfer learning
def test_with_new_head_copies_the_kept_layers_exactly_and_leaves_the_original_alone():
    net = _small_seq()
    before = {k: v.copy() for k, v in net.params.items()}
    new = net.with_new_head(3, from_layer="relu2", seed=7)
    assert new.names == ["conv1", "relu1", "pool1", "conv2", "relu2", "head"]
    assert new.num_classes == 3 and new.params["head.W"].shape == (3 * 2 * 2, 3)
    for key in ("conv1.W", "conv1.b", "conv2.W", "conv2.b"):
        assert np.array_equal(new.params[key], net.params[key])
        assert new.params[key] is not net.params[key]
    assert "fc.W" not in new.params
    X = RNG.standard_normal((2, 2, 8, 8))
    assert np.array_equal(new.activations(X, "relu2"), net.activations(X, "relu2"))
    # changing or training the copy does not touch the original
    new.params["conv1.W"] += 1.0
    new.layers["conv1"].stride = 99
    assert all(np.array_equal(net.params[k], before[k]) for k in before)
    assert net.layers["conv1"].stride == 1 and net.names[-1] == "fc"


def test_with_new_head_defaults_freeze_and_three_layer_convnet_names():
    net = _tiny_three()
    new = net.with_new_head(2, freeze=True)  # default: keep everything but the last layer
    assert new.names == ["conv1", "relu1", "pool1", "fc2", "relu2", "head"]
    assert set(new.params) == {"W1", "b1", "W2", "b2", "head.W", "head.b"}
    assert np.array_equal(new.params["W2"], net.params["W2"])
    assert new.frozen == {"conv1", "relu1", "pool1", "fc2", "relu2"}
    _, grads = new.loss(RNG.standard_normal((2, 3, 8, 8)), np.array([0, 1]))
    assert set(grads) == {"head.W", "head.b"}
    assert not net.frozen
    with pytest.raises(ValueError, match="no layer named 'pool2'.*Did you mean 'pool1'"):
        net.with_new_head(2, from_layer="pool2")
    with pytest.raises(ValueError, match="num_classes"):
        net.with_new_head(0)
