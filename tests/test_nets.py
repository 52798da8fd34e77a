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
        SequentialNet([("x", {"kind": "dropout"})], input_dim=(1, 4, 4))
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
