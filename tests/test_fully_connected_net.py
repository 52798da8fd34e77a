"""Sandwich layers with normalization and CS231n's FullyConnectedNet: gradients, modes, the Solver."""
import math

import numpy as np
import pytest

from cs231n_lib.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_lib.layer_utils import (
    affine_bn_relu_backward,
    affine_bn_relu_forward,
    affine_ln_relu_backward,
    affine_ln_relu_forward,
    conv_bn_relu_backward,
    conv_bn_relu_forward,
)
from cs231n_lib.layers import (
    affine_forward,
    batchnorm_forward,
    layernorm_forward,
    relu_forward,
    spatial_batchnorm_forward,
)
from cs231n_lib.fast_layers import conv_forward_fast
from cs231n_lib.nets import FullyConnectedNet
from cs231n_lib.solver import Solver


def _rand(shape, seed, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------- sandwiches
def _check_sandwich(forward, backward, args, param_factory, seed, zero=()):
    """Every gradient matches centred differences (h = 1e-4, see test_normalization).

    ``zero``: arguments whose true gradient is exactly 0 (a bias in front of batch norm is
    cancelled by the mean it shifts), checked in absolute terms: a relative error of two
    roundoff-sized numbers means nothing.
    """
    out, cache = forward(*args, param_factory())
    dout = _rand(out.shape, seed)
    grads = backward(dout, cache)
    assert len(grads) == len(args)
    for i, (arg, grad) in enumerate(zip(args, grads)):
        def f(v, i=i):
            new = list(args)
            new[i] = v
            return forward(*new, param_factory())[0]
        num = eval_numerical_gradient_array(f, arg, dout, h=1e-4)
        if i in zero:
            assert np.max(np.abs(grad)) < 1e-12 and np.max(np.abs(num)) < 1e-9, f"argument {i}"
        else:
            assert rel_error(num, grad) < 1e-7, f"argument {i}"
    return out


def test_affine_bn_relu_is_its_parts_and_its_gradients_check():
    x, w, b = _rand((6, 2, 3), 1, 2), _rand((6, 5), 2), _rand(5, 3)
    gamma, beta = 1 + _rand(5, 4, 0.1), _rand(5, 5, 0.5)
    out = _check_sandwich(affine_bn_relu_forward, affine_bn_relu_backward, (x, w, b, gamma, beta),
                          lambda: {"mode": "train"}, 6, zero=(2,))
    a = affine_forward(x, w, b)[0]
    parts = relu_forward(batchnorm_forward(a, gamma, beta, {"mode": "train"})[0])[0]
    assert np.array_equal(out, parts)


def test_affine_ln_relu_is_its_parts_and_its_gradients_check():
    x, w, b = _rand((5, 4), 7, 2), _rand((4, 6), 8), _rand(6, 9)
    gamma, beta = 1 + _rand(6, 10, 0.1), _rand(6, 11, 0.5)
    out = _check_sandwich(affine_ln_relu_forward, affine_ln_relu_backward, (x, w, b, gamma, beta), dict, 12)
    parts = relu_forward(layernorm_forward(affine_forward(x, w, b)[0], gamma, beta, {})[0])[0]
    assert np.array_equal(out, parts)


def test_conv_bn_relu_is_its_parts_and_its_gradients_check():
    x, w, b = _rand((2, 3, 5, 5), 13), _rand((4, 3, 3, 3), 14), _rand(4, 15)
    gamma, beta = 1 + _rand(4, 16, 0.1), _rand(4, 17, 0.5)
    conv_param = {"stride": 1, "pad": 1}

    def forward(x_, w_, b_, g_, be_, bn_param):
        return conv_bn_relu_forward(x_, w_, b_, g_, be_, conv_param, bn_param)

    out = _check_sandwich(forward, conv_bn_relu_backward, (x, w, b, gamma, beta), lambda: {"mode": "train"}, 18,
                          zero=(2,))
    a = conv_forward_fast(x, w, b, conv_param)[0]
    assert np.array_equal(out, relu_forward(spatial_batchnorm_forward(a, gamma, beta, {"mode": "train"})[0])[0])


def test_affine_bn_relu_updates_the_running_averages():
    bn_param = {"mode": "train", "momentum": 0.5}
    x, w, b = _rand((8, 3), 19), _rand((3, 2), 20), np.zeros(2)
    affine_bn_relu_forward(x, w, b, np.ones(2), np.zeros(2), bn_param)
    a = x @ w
    assert np.allclose(bn_param["running_mean"], 0.5 * a.mean(axis=0), rtol=1e-12, atol=0)
    assert np.allclose(bn_param["running_var"], 0.5 * a.var(axis=0), rtol=1e-12, atol=0)


# ---------------------------------------------------------------- the net
def test_parameters_are_named_and_shaped_as_in_cs231n():
    net = FullyConnectedNet([7, 5], input_dim=(2, 3, 2), num_classes=4, normalization="batchnorm", seed=0)
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (12, 7), "b1": (7,), "gamma1": (7,), "beta1": (7,),
                      "W2": (7, 5), "b2": (5,), "gamma2": (5,), "beta2": (5,),
                      "W3": (5, 4), "b3": (4,)}
    assert net.num_layers == 3 and all(v.dtype == np.float32 for v in net.params.values())
    assert np.all(net.params["gamma1"] == 1) and np.all(net.params["beta2"] == 0) and np.all(net.params["b1"] == 0)
    assert net.bn_params == [{"mode": "train"}, {"mode": "train"}] and net.dropout_param == {}
    plain = FullyConnectedNet([7], input_dim=12, num_classes=4, seed=0)
    assert sorted(plain.params) == ["W1", "W2", "b1", "b2"] and plain.bn_params == []
    ln = FullyConnectedNet([7], input_dim=12, normalization="layernorm", seed=0)
    assert ln.bn_params == [{}] and "gamma1" in ln.params and "gamma2" not in ln.params


def test_weights_are_weight_scale_times_standard_normal_from_the_seed():
    net = FullyConnectedNet([30], input_dim=20, num_classes=3, weight_scale=0.1, dtype=np.float64, seed=4)
    rng = np.random.default_rng(4)
    assert np.array_equal(net.params["W1"], 0.1 * rng.standard_normal((20, 30)))
    assert np.array_equal(net.params["W2"], 0.1 * rng.standard_normal((30, 3)))


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("keep", [1, 0.6])
def test_gradient_check_float64(normalization, keep):
    """Every parameter against centred differences, with batch statistics and a fixed dropout mask."""
    rng = np.random.default_rng(21)
    X, y = rng.standard_normal((6, 8)), rng.integers(4, size=6)
    net = FullyConnectedNet([7, 5], input_dim=8, num_classes=4, dropout_keep_ratio=keep, normalization=normalization,
                            reg=0.3, weight_scale=0.3, dtype=np.float64, seed=22)
    loss, grads = net.loss(X, y)
    assert sorted(grads) == sorted(net.params)
    for name in sorted(grads):
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name], verbose=False, h=1e-5)
        if normalization == "batchnorm" and name in ("b1", "b2"):
            # a bias in front of batch norm is cancelled by the mean it shifts: its gradient is exactly 0
            assert np.max(np.abs(grads[name])) < 1e-12 and np.max(np.abs(num)) < 1e-9, name
        else:
            assert rel_error(num, grads[name]) < 1e-6, name


def test_initial_loss_is_ln_c_and_reg_adds_half_reg_times_squared_weights():
    rng = np.random.default_rng(23)
    X, y = rng.standard_normal((50, 20)), rng.integers(10, size=50)
    for normalization in (None, "batchnorm", "layernorm"):
        net = FullyConnectedNet([30, 30], input_dim=20, normalization=normalization, weight_scale=1e-3,
                                dtype=np.float64, seed=24)
        loss, _ = net.loss(X, y)
        assert abs(loss - math.log(10)) < 0.01, normalization
        net.reg = 2.5
        loss_reg, grads = net.loss(X, y)
        penalty = 0.5 * 2.5 * sum(float(np.sum(net.params[f"W{i}"] ** 2)) for i in (1, 2, 3))
        assert loss_reg - loss == pytest.approx(penalty, rel=1e-9)


def test_train_and_test_modes():
    rng = np.random.default_rng(25)
    X, y = rng.standard_normal((40, 10)), rng.integers(3, size=40)
    net = FullyConnectedNet([16], input_dim=10, num_classes=3, dropout_keep_ratio=0.5, normalization="batchnorm",
                            dtype=np.float64, weight_scale=0.5, seed=np.random.default_rng(26))
    with pytest.raises(ValueError, match="no running averages.*call loss\\(X, y\\)"):
        net.loss(X)
    losses = [net.loss(X, y)[0] for _ in range(3)]  # train mode: a new dropout mask every call
    assert len(set(losses)) == 3
    assert net.bn_params[0]["mode"] == "train" and net.dropout_param["mode"] == "train"
    running_mean = net.bn_params[0]["running_mean"].copy()
    scores = net.loss(X)  # test mode: no dropout, running averages, nothing updated
    assert net.bn_params[0]["mode"] == "test" and net.dropout_param["mode"] == "test"
    assert np.array_equal(scores, net.loss(X))
    assert np.array_equal(net.bn_params[0]["running_mean"], running_mean)
    # test mode by hand: affine - batch norm with the running averages - relu - affine
    p, bn = net.params, net.bn_params[0]
    a = X @ p["W1"] + p["b1"]
    h = np.maximum(0, p["gamma1"] * (a - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-5) + p["beta1"])
    assert rel_error(scores, h @ p["W2"] + p["b2"]) < 1e-12
    # each example's test-time scores do not depend on the rest of the batch
    assert rel_error(net.loss(X[:1])[0], scores[0]) < 1e-12


def test_an_integer_seed_fixes_the_dropout_mask_as_cs231n_does():
    rng = np.random.default_rng(27)
    X, y = rng.standard_normal((5, 6)), rng.integers(3, size=5)
    net = FullyConnectedNet([8], input_dim=6, num_classes=3, dropout_keep_ratio=0.5, dtype=np.float64, seed=123)
    assert net.dropout_param == {"mode": "train", "p": 0.5, "seed": 123}
    assert net.loss(X, y)[0] == net.loss(X, y)[0]


def test_float32_throughout():
    net = FullyConnectedNet([6], input_dim=4, num_classes=3, normalization="layernorm", dropout_keep_ratio=0.8,
                            seed=0)
    X = np.random.default_rng(28).standard_normal((5, 4))  # float64 in, computed in float32
    loss, grads = net.loss(X, np.array([0, 1, 2, 0, 1]))
    assert all(g.dtype == np.float32 for g in grads.values())
    assert net.loss(X).dtype == np.float32


def _blobs(n, seed, D=20, C=4):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((C, D))
    y = rng.integers(C, size=n)
    return (centres[y] + rng.standard_normal((n, D))).astype(np.float32), y


@pytest.mark.parametrize("normalization, keep", [(None, 1), ("batchnorm", 1), ("layernorm", 1), ("batchnorm", 0.75)])
def test_solver_trains_it(normalization, keep):
    X, y = _blobs(600, 29)
    data = {"X_train": X[:500], "y_train": y[:500], "X_val": X[500:], "y_val": y[500:]}
    net = FullyConnectedNet([32, 32], input_dim=20, num_classes=4, dropout_keep_ratio=keep,
                            normalization=normalization, weight_scale=0.05, seed=np.random.default_rng(30))
    solver = Solver(net, data, update_rule="adam", optim_config={"learning_rate": 1e-2}, num_epochs=4,
                    batch_size=50, verbose=False, progress=False, seed=0)
    solver.train()
    assert solver.loss_history[-1] < 0.5 * solver.loss_history[0]
    assert solver.best_val_acc > 0.9
    if normalization == "batchnorm":
        assert all("running_mean" in p for p in net.bn_params)


def test_solver_overfits_fifty_examples_as_the_assignment_asks():
    X, y = _blobs(50, 31, D=30, C=10)
    X += np.random.default_rng(32).standard_normal(X.shape).astype(np.float32) * 3  # hard to separate
    data = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    net = FullyConnectedNet([100, 100, 100, 100], input_dim=30, normalization="batchnorm", weight_scale=0.05, seed=33)
    solver = Solver(net, data, update_rule="adam", optim_config={"learning_rate": 5e-3}, num_epochs=20,
                    batch_size=25, verbose=False, progress=False, seed=0)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0


def test_training_is_reproducible_with_a_seed():
    X, y = _blobs(200, 34)
    data = {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:], "y_val": y[150:]}
    finals = []
    for _ in range(2):
        net = FullyConnectedNet([16], input_dim=20, num_classes=4, dropout_keep_ratio=0.5, normalization="batchnorm",
                                seed=np.random.default_rng(35))
        Solver(net, data, update_rule="adam", num_epochs=2, batch_size=30, verbose=False, progress=False,
               seed=1).train()
        finals.append(net.params["W1"].copy())
    assert np.array_equal(finals[0], finals[1])


@pytest.mark.parametrize("kwargs, words", [
    ({"hidden_dims": 100}, r"for one hidden layer write \[100\]"),
    ({"hidden_dims": [100, 0]}, r"hidden_dims\[1\] must be a positive integer"),
    ({"hidden_dims": [10], "normalization": "batch"}, "None, 'batchnorm' or 'layernorm'"),
    ({"hidden_dims": [10], "dropout_keep_ratio": 0}, r"KEEPING.*\(0, 1\]"),
    ({"hidden_dims": [10], "dropout_keep_ratio": 1.25}, r"\(0, 1\]"),
    ({"hidden_dims": [10], "weight_scale": 0}, "weight_scale > 0"),
    ({"hidden_dims": [10], "reg": -1}, "reg must be >= 0"),
    ({"hidden_dims": [10], "dtype": np.int32}, "floating-point"),
    ({"hidden_dims": [10], "seed": -3}, "seed must be"),
    ({"hidden_dims": [10], "input_dim": 0}, "input_dim must be a positive integer"),
])
def test_constructor_refuses_bad_settings(kwargs, words):
    with pytest.raises(ValueError, match=words):
        FullyConnectedNet(**kwargs)


def test_loss_refuses_inputs_of_the_wrong_shape():
    net = FullyConnectedNet([5], input_dim=(3, 4, 4), seed=0)
    with pytest.raises(ValueError, match=r"\(N, 3, 4, 4\).*\(2, 48\)"):
        net.loss(np.zeros((2, 48)))
    assert net.loss(np.zeros((2, 3, 4, 4))).shape == (2, 10)
    # an integer input_dim flattens any example of that many numbers, as CS231n's net does with CIFAR-10
    net = FullyConnectedNet([5], seed=0)
    assert net.loss(np.zeros((2, 3, 32, 32))).shape == (2, 10)
    assert net.loss(np.zeros((2, 3072))).shape == (2, 10)
    with pytest.raises(ValueError, match=r"input_dim = 3072, got X.shape=\(2, 3, 32, 31\)"):
        net.loss(np.zeros((2, 3, 32, 31)))
