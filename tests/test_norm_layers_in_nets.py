"""Batch norm, spatial batch norm, dropout and AlexNet's local response normalization as layers of
SequentialNet, and LRN as a CS231n-style layer.

Independent routes: LRN against plain loops over (n, c, h, w) and a hand-worked example,
every backward pass against centred differences (float64), a net's train mode against the
layer functions called by hand, its test mode against the running averages, the running
averages against their formula, the Solver's restored state against a re-measured
validation accuracy, and saved/loaded nets against the original's scores.
"""
import math

import numpy as np
import pytest

from cs231n_lib import arithmetic
from cs231n_lib.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_lib.layers import (
    LRN_ALEXNET,
    affine_forward,
    batchnorm_forward,
    conv_forward_naive,
    lrn_backward,
    lrn_forward,
    relu_forward,
    spatial_batchnorm_forward,
)
from cs231n_lib.nets import (
    SequentialNet,
    affine,
    batchnorm,
    conv,
    dropout,
    load_net,
    lrn,
    pool,
    relu,
    save_net,
    spatial_batchnorm,
)
from cs231n_lib.solver import Solver


# ---------------------------------------------------------------- LRN, the layer functions
def _lrn_loops(x, k, n, alpha, beta):
    """AlexNet's formula (section 3.3) written as loops, one activation at a time."""
    N, C, H, W = x.shape
    out = np.empty_like(x)
    for i in range(N):
        for c in range(C):
            for h in range(H):
                for w in range(W):
                    lo, hi = max(0, c - n // 2), min(C - 1, c + n // 2)
                    s = sum(x[i, j, h, w] ** 2 for j in range(lo, hi + 1))
                    out[i, c, h, w] = x[i, c, h, w] / (k + alpha * s) ** beta
    return out


def test_lrn_by_hand():
    # three channels at one position: 1, 2, 3; n = 3, k = 1, alpha = 1, beta = 1
    x = np.array([1.0, 2.0, 3.0]).reshape(1, 3, 1, 1)
    out, _ = lrn_forward(x, {"k": 1, "n": 3, "alpha": 1, "beta": 1})
    # channel 0 sees channels 0..1: 1 + 1 + 4 = 6; channel 1 sees 0..2: 1 + 1 + 4 + 9 = 15; channel 2: 1 + 4 + 9 = 14
    assert out.ravel().tolist() == [1 / 6, 2 / 15, 3 / 14]


@pytest.mark.parametrize("param", [{}, {"k": 1.0, "n": 3, "alpha": 0.5, "beta": 0.5},
                                   {"k": 2.0, "n": 1, "alpha": 0.1, "beta": 1.0},
                                   {"k": 0.5, "n": 9, "alpha": 0.2, "beta": 0.75}],
                         ids=["alexnet", "n3", "n1", "window wider than the channels"])
def test_lrn_forward_matches_the_papers_formula_as_loops(param):
    x = np.random.default_rng(0).standard_normal((2, 6, 3, 4)) * 3
    settings = dict(LRN_ALEXNET, **param)
    out, _ = lrn_forward(x, param)
    assert rel_error(out, _lrn_loops(x, **settings)) < 1e-14


def test_alexnets_settings_are_the_defaults():
    assert LRN_ALEXNET == {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}
    x = np.random.default_rng(1).standard_normal((1, 8, 2, 2))
    assert np.array_equal(lrn_forward(x, {})[0], lrn_forward(x, dict(LRN_ALEXNET))[0])


@pytest.mark.parametrize("param", [{}, {"k": 1.0, "n": 3, "alpha": 0.5, "beta": 0.5},
                                   {"k": 2.0, "n": 5, "alpha": 0.3, "beta": 0.75},
                                   {"k": 0.5, "n": 9, "alpha": 0.2, "beta": 0.75}])
def test_lrn_backward_matches_numerical_gradient(param):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 3, 4))
    out, cache = lrn_forward(x, param)
    dout = rng.standard_normal(out.shape)
    num = eval_numerical_gradient_array(lambda v: lrn_forward(v, param)[0], x.copy(), dout)
    assert rel_error(lrn_backward(dout, cache), num) < 1e-7


@pytest.mark.parametrize("param, match", [({"n": 4}, "odd"), ({"n": 0}, "odd"), ({"k": 0}, "k > 0"),
                                          ({"alpha": -1}, "alpha"), ({"size": 5}, "unknown key")])
def test_lrn_refuses_bad_settings(param, match):
    with pytest.raises(ValueError, match=match):
        lrn_forward(np.ones((1, 3, 2, 2)), param)
    with pytest.raises(ValueError, match="(N, C, H, W)"):
        lrn_forward(np.ones((3, 2)), {})


# ---------------------------------------------------------------- nets with the new layers
def _net(dtype=np.float64, seed=0, p_seed=3, with_dropout=True):
    layers = [("conv1", conv(3, 3)), ("bn1", spatial_batchnorm()), ("relu1", relu()), ("lrn1", lrn(alpha=0.3)),
              ("pool1", pool(2)), ("fc1", affine(6)), ("bn2", batchnorm()), ("relu2", relu())]
    if with_dropout:
        layers.append(("drop", dropout(0.6, seed=p_seed)))
    layers.append(("fc2", affine(4)))
    return SequentialNet(layers, input_dim=(2, 6, 6), dtype=dtype, seed=seed)


def _batch(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2, 6, 6)), rng.integers(4, size=n)


def test_new_layers_gradient_check_in_train_mode():
    net = _net()
    X, y = _batch()
    _, grads = net.loss(X, y)
    assert sorted(grads) == sorted(net.params)
    for key, value in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], value, verbose=False)
        if key in ("conv1.b", "fc1.b"):
            # a bias right before batch norm is subtracted again with the batch mean: no gradient at all
            assert np.abs(grads[key]).max() < 1e-12 and np.abs(num).max() < 1e-9, key
        else:
            assert rel_error(num, grads[key]) < 1e-6, key


def test_train_mode_is_the_layers_called_by_hand_with_batch_statistics():
    net = _net()
    X, y = _batch()
    p = net.params
    h, _ = conv_forward_naive(X, p["conv1.W"], p["conv1.b"], {"stride": 1, "pad": 1})
    h, _ = spatial_batchnorm_forward(h, p["bn1.gamma"], p["bn1.beta"], {"mode": "train"})
    h, _ = relu_forward(h)
    h, _ = lrn_forward(h, {"alpha": 0.3})
    h = h.reshape(5, 3, 3, 2, 3, 2).max(axis=(3, 5))
    h, _ = affine_forward(h, p["fc1.W"], p["fc1.b"])
    h, _ = batchnorm_forward(h, p["bn2.gamma"], p["bn2.beta"], {"mode": "train"})
    h = np.maximum(h, 0)
    mask = (np.random.default_rng(3).random(h.shape) < 0.6) / 0.6     # dropout(0.6, seed=3)
    scores, _ = affine_forward(h * mask, p["fc2.W"], p["fc2.b"])
    shifted = scores - scores.max(axis=1, keepdims=True)
    want = float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(5), y]))
    loss, _ = net.loss(X, y)
    assert abs(loss - want) < 1e-12


def test_running_averages_follow_the_formula_and_test_mode_uses_them():
    net = _net(with_dropout=False)
    X, y = _batch(8)
    pre1 = net.activations(X, "conv1")          # before bn1: the same in both modes
    m1, v1 = pre1.mean(axis=(0, 2, 3)), pre1.var(axis=(0, 2, 3))
    assert np.array_equal(net.state["bn1.running_mean"], np.zeros(3))
    assert np.array_equal(net.state["bn1.running_var"], np.ones(3))
    net.loss(X, y)
    assert rel_error(net.state["bn1.running_mean"], 0.9 * 0 + 0.1 * m1) < 1e-12
    assert rel_error(net.state["bn1.running_var"], 0.9 * 1 + 0.1 * v1) < 1e-12
    net.loss(X, y)  # the same batch again
    assert rel_error(net.state["bn1.running_mean"], 0.9 * 0.1 * m1 + 0.1 * m1) < 1e-12
    # test mode: conv1's output normalized with the running averages, scaled by gamma, shifted by beta
    rm, rv = net.state["bn1.running_mean"], net.state["bn1.running_var"]
    g, b = net.params["bn1.gamma"], net.params["bn1.beta"]
    want = g[None, :, None, None] * (pre1 - rm[None, :, None, None]) / np.sqrt(rv[None, :, None, None] + 1e-5) \
        + b[None, :, None, None]
    assert rel_error(net.activations(X, "bn1"), want) < 1e-12
    # ... which is not what train mode gives (the batch's own statistics)
    batch_normed = (pre1 - m1[None, :, None, None]) / np.sqrt(v1[None, :, None, None] + 1e-5)
    assert rel_error(net.activations(X, "bn1"), batch_normed) > 0.1


def test_test_mode_methods_leave_the_state_alone_and_are_deterministic():
    net = _net(seed=1, p_seed=None)
    X, y = _batch(6, seed=1)
    net.loss(X, y)
    before = {k: v.copy() for k, v in net.state.items()}
    s1 = net.loss(X)
    net.activations(X)
    net.input_gradient(X, "fc2", (1,))
    net.backward_from(X, "relu2", np.ones((6, 6)))
    net.predict(X)
    assert all(np.array_equal(before[k], net.state[k]) for k in before)
    assert np.array_equal(s1, net.loss(X))   # dropout is off in test mode
    # train mode draws a new dropout mask from the net's generator on every call
    assert net.loss(X, y)[0] != net.loss(X, y)[0]


@pytest.mark.parametrize("layer, unit", [("fc2", (2,)), ("bn2", (3,)), ("lrn1", (1, 1, 2)), ("bn1", (0,))])
def test_input_gradient_in_test_mode_matches_numerical(layer, unit):
    net = _net(seed=2)
    X, y = _batch(4, seed=2)
    net.loss(X, y)  # running averages that are not 0 and 1
    _, dX = net.input_gradient(X, layer, unit)
    f = lambda v: float(np.sum(net.activations(v, layer)[(slice(None),) + unit]))  # noqa: E731
    num = eval_numerical_gradient(f, X.copy(), verbose=False)
    assert rel_error(num, dX) < 1e-6


def test_dropout_keeps_p_and_preserves_the_expected_value():
    net = SequentialNet([("fc", affine(400)), ("drop", dropout(0.3)), ("out", affine(2))], input_dim=(3,),
                        dtype=np.float64, seed=0)
    X = np.ones((50, 3))
    acts, _ = net._forward(X, upto="drop", mode="train")
    kept = acts["drop"] != 0
    assert abs(kept.mean() - 0.3) < 0.01                      # 20,000 units: std 0.003
    assert rel_error(acts["drop"][kept], (acts["fc"] / 0.3)[kept]) < 1e-12
    assert abs(acts["drop"].mean() / acts["fc"].mean() - 1) < 0.05
    test, _ = net._forward(X, upto="drop", mode="test")
    assert np.array_equal(test["drop"], test["fc"])
    with pytest.raises(ValueError, match="KEEPING"):
        dropout(1.5)


def test_the_mode_follows_cs231n_loss_x_is_test_mode():
    net = _net(seed=4)
    X, y = _batch(6, seed=4)
    first = net.loss(X)
    net.loss(X, y)                       # train mode moves the running averages
    assert not np.array_equal(first, net.loss(X))


def test_batchnorm_layers_refuse_the_wrong_kind_of_input():
    with pytest.raises(ValueError, match="spatial_batchnorm"):
        SequentialNet([("c", conv(2, 3)), ("bn", batchnorm()), ("fc", affine(2))], input_dim=(1, 4, 4))
    with pytest.raises(ValueError, match="use batchnorm"):
        SequentialNet([("fc", affine(3)), ("bn", spatial_batchnorm()), ("out", affine(2))], input_dim=(1, 4, 4))
    with pytest.raises(ValueError, match="momentum"):
        batchnorm(momentum=1.5)
    net = SequentialNet([("fc", affine(3)), ("bn", batchnorm()), ("out", affine(2))], input_dim=(4,))
    with pytest.raises(ValueError, match="at least 2"):
        net.loss(np.ones((1, 4)), np.array([0]))


def test_save_and_load_round_trip_the_running_averages(tmp_path):
    net = _net(dtype=np.float32, seed=5)
    X, y = _batch(6, seed=5)
    for _ in range(3):
        net.loss(X.astype(np.float32), y)
    save_net(net, tmp_path / "n.npz")
    back = load_net(tmp_path / "n.npz")
    assert sorted(back.state) == sorted(net.state) == ["bn1.running_mean", "bn1.running_var",
                                                       "bn2.running_mean", "bn2.running_var"]
    for k in net.state:
        assert back.state[k].dtype == np.float32 and np.array_equal(back.state[k], net.state[k])
    assert np.array_equal(back.loss(X), net.loss(X))
    assert back.spec() == net.spec()
    back.loss(X, y)  # a loaded net trains on (its state arrays are writeable)
    assert not np.array_equal(back.state["bn1.running_mean"], net.state["bn1.running_mean"])


def test_a_file_whose_state_does_not_fit_is_refused(tmp_path):
    import zipfile

    net = _net(seed=6)
    save_net(net, tmp_path / "n.npz")
    with zipfile.ZipFile(tmp_path / "n.npz") as zf:
        names = zf.namelist()
    assert "state/bn1.running_mean.npy" in names
    other = SequentialNet([("fc", affine(3)), ("out", affine(2))], input_dim=(4,))
    save_net(other, tmp_path / "o.npz")
    with zipfile.ZipFile(tmp_path / "o.npz") as zf:
        assert not any(n.startswith("state/") for n in zf.namelist())   # nets without state: no entries
    # a file claiming batch norm layers but holding no running averages
    with zipfile.ZipFile(tmp_path / "n.npz") as zf, zipfile.ZipFile(tmp_path / "bad.npz", "w") as out:
        for name in zf.namelist():
            if not name.startswith("state/"):
                out.writestr(name, zf.read(name))
    with pytest.raises(ValueError, match="running averages"):
        load_net(tmp_path / "bad.npz", verify=False)


def test_with_new_head_copies_the_running_averages():
    net = _net(seed=7)
    X, y = _batch(6, seed=7)
    net.loss(X, y)
    new = net.with_new_head(3, from_layer="relu2")
    assert sorted(new.state) == sorted(net.state)
    for k in net.state:
        assert np.array_equal(new.state[k], net.state[k]) and new.state[k] is not net.state[k]
    assert np.array_equal(new.activations(X, "relu2"), net.activations(X, "relu2"))
    new.loss(X, np.array([0, 1, 2, 0, 1, 2]))
    assert not np.array_equal(new.state["bn2.running_mean"], net.state["bn2.running_mean"])
    shorter = net.with_new_head(3, from_layer="pool1")
    assert sorted(shorter.state) == ["bn1.running_mean", "bn1.running_var"]


def test_a_frozen_batchnorm_layer_runs_in_test_mode_and_does_not_change():
    net = _net(seed=8, with_dropout=False)
    X, y = _batch(6, seed=8)
    net.loss(X, y)
    net.freeze("conv1", "bn1")
    before = {k: v.copy() for k, v in net.state.items()}
    _, grads = net.loss(X, y)
    assert "bn1.gamma" not in grads and "bn1.beta" not in grads and "bn2.gamma" in grads
    assert np.array_equal(net.state["bn1.running_mean"], before["bn1.running_mean"])
    assert not np.array_equal(net.state["bn2.running_mean"], before["bn2.running_mean"])
    # the frozen layer's output in training is its test-mode output
    acts, _ = net._forward(X, upto="bn1", mode="train")
    assert np.array_equal(acts["bn1"], net.activations(X, "bn1"))
    # a head trained on a frozen base: the base's features do not depend on the batch
    head = net.with_new_head(2, from_layer="relu2", freeze=True)
    a, _ = head._forward(X, upto="relu2", mode="train")
    b, _ = head._forward(X[:3], upto="relu2", mode="train")
    assert rel_error(a["relu2"][:3], b["relu2"]) < 1e-12


def test_the_solver_keeps_the_running_averages_of_the_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2, 6, 6)).astype(np.float32)
    y = (X[:, 0].mean(axis=(1, 2)) > 0).astype(int)
    data = {"X_train": X[:40], "y_train": y[:40], "X_val": X[40:], "y_val": y[40:]}
    net = SequentialNet([("conv1", conv(3, 3)), ("bn1", spatial_batchnorm()), ("relu1", relu()), ("pool1", pool(2)),
                         ("fc", affine(2))], input_dim=(2, 6, 6), seed=0)
    solver = Solver(net, data, update_rule="adam", optim_config={"learning_rate": 3e-2}, num_epochs=6,
                    batch_size=10, seed=0, verbose=False, progress=False).train()
    assert sorted(solver.best_state) == ["bn1.running_mean", "bn1.running_var"]
    for k in net.state:
        assert np.array_equal(net.state[k], solver.best_state[k])
    # the restored parameters and running averages give the best validation accuracy again
    assert float(np.mean(net.predict(data["X_val"]) == data["y_val"])) == solver.best_val_acc


def test_pointwise_layers_in_receptive_fields_and_budgets():
    plain = SequentialNet([("c1", conv(4, 3)), ("r1", relu()), ("p1", pool(2)), ("fc", affine(3))], input_dim=(2, 8, 8))
    normed = SequentialNet([("c1", conv(4, 3)), ("bn1", spatial_batchnorm()), ("r1", relu()), ("n1", lrn()),
                            ("d1", dropout(0.5)), ("p1", pool(2)), ("fc", affine(3))], input_dim=(2, 8, 8))
    rf_plain = [r.size for r in arithmetic.receptive_field(plain, input_size=8)]
    rf_normed = [r.size for r, n in zip(arithmetic.receptive_field(normed, input_size=8), normed.names)
                 if n not in ("bn1", "n1", "d1")]
    assert rf_plain == rf_normed
    rows = arithmetic.budget((8, 8, 2), normed.layer_dims()).rows
    named = {r.name: r.params for r in rows}
    assert [named[n] for n in ("bn1", "r1", "n1", "d1")] == [2 * 4, 0, 0, 0]
    assert sum(r.params for r in rows) == sum(v.size for v in normed.params.values())
    assert [d.name for d in (batchnorm().dims, lrn().dims, dropout().dims)] == ["BATCHNORM", "LRN5", "DROPOUT"]


def test_specs_rebuild_the_same_net():
    net = _net(seed=9)
    again = SequentialNet(**net.spec())
    assert again.spec() == net.spec()
    assert [again.layers[n].describe() for n in again.names] == [net.layers[n].describe() for n in net.names]
    assert "local response norm (k 2, n 5, alpha 0.3, beta 0.75)" in net.summary()
    assert math.isclose(net.layers["lrn1"].alpha, 0.3)
