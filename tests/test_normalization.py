"""Batch, layer, spatial batch and group normalization, and inverted dropout (CS231n assignment 2's layers).

Every backward pass is checked against centred differences in float64, and every layer
against an independent route: batch norm's graph backward against its closed form, spatial
batch norm against batch norm on the transposed input, layer norm against batch norm on the
transposed input, group norm with G = 1 against layer norm per image and with G = C against
instance norm written as loops.  The assignment's own cells are in
test_assignment2_known_answers.py.
"""
import math

import numpy as np
import pytest

from cs231n_lib.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n_lib.layers import (
    NormCache,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)


def _data(shape, seed, scale=3.0, shift=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal(shape) + shift


# Step of the centred differences.  The checked function is sum(out * dout) over up to a few
# hundred terms, so with h = 1e-5 its rounding error (~1e-16 * |f| / h, about 1e-9) swamps the
# smallest gradient entries and CS231n's element-wise relative error reaches 3e-7 on correct
# layers; with h = 1e-4 the truncation error (~h**2) stays below 1e-8 and a backward pass that
# forgets eps (an error of eps / var, about 1e-6 here) is caught (see the last test of this group).
H = 1e-4


def _numeric_grads(forward, x, gamma, beta, dout, h=H):
    """Centred-difference gradients of sum(forward(x, gamma, beta) * dout) for x, gamma and beta."""
    dx = eval_numerical_gradient_array(lambda v: forward(v, gamma, beta), x, dout, h=h)
    dg = eval_numerical_gradient_array(lambda v: forward(x, v, beta), gamma, dout, h=h)
    db = eval_numerical_gradient_array(lambda v: forward(x, gamma, v), beta, dout, h=h)
    return dx, dg, db


# ---------------------------------------------------------------- batch norm
@pytest.mark.parametrize("shape, seed", [((4, 5), 0), ((10, 3), 1), ((7, 12), 2)])
@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_matches_numerical_gradient(shape, seed, backward):
    x = _data(shape, seed)
    gamma, beta, dout = _data(shape[1:], seed + 10), _data(shape[1:], seed + 20), _data(shape, seed + 30)
    fwd = lambda x_, g, b: batchnorm_forward(x_, g, b, {"mode": "train"})[0]  # noqa: E731
    num = _numeric_grads(fwd, x, gamma, beta, dout)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for name, n, a in zip(("dx", "dgamma", "dbeta"), num, backward(dout, cache)):
        assert rel_error(n, a) < 1e-7, name


def test_the_gradient_check_catches_a_backward_pass_that_forgets_eps():
    x, dout = _data((8, 5), 90), _data((8, 5), 91)
    gamma, beta = _data(5, 92), _data(5, 93)
    fwd = lambda x_, g, b: batchnorm_forward(x_, g, b, {"mode": "train"})[0]  # noqa: E731
    dx_num = _numeric_grads(fwd, x, gamma, beta, dout)[0]
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    wrong = cache._replace(eps=0.0)  # the closed form with sqrt(var) instead of sqrt(var + eps)
    assert rel_error(batchnorm_backward_alt(dout, wrong)[0], dx_num) > 1e-7
    assert rel_error(batchnorm_backward_alt(dout, cache)[0], dx_num) < 1e-8


@pytest.mark.parametrize("shape, seed", [((4, 5), 3), ((100, 50), 4), ((2, 7), 5)])
def test_batchnorm_graph_backward_equals_closed_form(shape, seed):
    x, dout = _data(shape, seed, scale=5, shift=12), _data(shape, seed + 1)
    gamma, beta = _data(shape[1:], seed + 2), _data(shape[1:], seed + 3)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for a, b in zip(batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)):
        # two examples: dx ~ eps / var comes out of cancelling terms of size 1, so 1e-8 and not 1e-12
        assert rel_error(a, b) < 1e-8


def test_batchnorm_train_output_has_the_batch_statistics_beta_and_gamma():
    x = _data((50, 4), 6, scale=7, shift=-3)
    gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([-1.0, 0.0, 4.0, 11.0])
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1e-5})
    assert np.allclose(out.mean(axis=0), beta, atol=1e-12, rtol=0)
    # std of gamma * (x - mu) / sqrt(var + eps) is gamma * sqrt(var / (var + eps))
    var = x.var(axis=0)
    assert np.allclose(out.std(axis=0), gamma * np.sqrt(var / (var + 1e-5)), rtol=1e-12, atol=0)


def test_batchnorm_running_averages_follow_the_formula_and_are_updated_in_place():
    D, momentum = 3, 0.8
    running_mean, running_var = np.array([1.0, -2.0, 0.5]), np.array([4.0, 1.0, 2.0])
    bn_param = {"mode": "train", "momentum": momentum, "running_mean": running_mean, "running_var": running_var}
    expected_mean, expected_var = running_mean.copy(), running_var.copy()
    for step in range(5):
        x = _data((20, D), 100 + step, scale=2 + step, shift=step)
        batchnorm_forward(x, np.ones(D), np.zeros(D), bn_param)
        for d in range(D):  # the formula, one feature at a time
            column = [x[n, d] for n in range(20)]
            mu = sum(column) / 20
            var = sum((v - mu) ** 2 for v in column) / 20  # biased, as CS231n
            expected_mean[d] = momentum * expected_mean[d] + (1 - momentum) * mu
            expected_var[d] = momentum * expected_var[d] + (1 - momentum) * var
    assert bn_param["running_mean"] is running_mean and bn_param["running_var"] is running_var
    assert np.allclose(running_mean, expected_mean, rtol=1e-12, atol=0)
    assert np.allclose(running_var, expected_var, rtol=1e-12, atol=0)


def test_batchnorm_missing_running_averages_start_at_zero_as_in_cs231n():
    x = _data((6, 2), 7)
    bn_param = {"mode": "train"}  # momentum 0.9 by default
    batchnorm_forward(x, np.ones(2), np.zeros(2), bn_param)
    assert np.allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0), rtol=1e-12, atol=0)
    assert np.allclose(bn_param["running_var"], 0.1 * x.var(axis=0), rtol=1e-12, atol=0)


def test_batchnorm_test_mode_uses_running_averages_and_leaves_them_alone():
    x = _data((5, 3), 8)
    gamma, beta = np.array([2.0, 1.0, 0.5]), np.array([0.0, 1.0, -1.0])
    rm, rv = np.array([0.5, -1.0, 2.0]), np.array([4.0, 9.0, 0.25])
    bn_param = {"mode": "test", "running_mean": rm.copy(), "running_var": rv.copy(), "eps": 1e-3}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    assert np.allclose(out, gamma * (x - rm) / np.sqrt(rv + 1e-3) + beta, rtol=1e-13, atol=0)
    assert np.array_equal(bn_param["running_mean"], rm) and np.array_equal(bn_param["running_var"], rv)


def test_batchnorm_train_and_test_modes_differ_as_they_should():
    """Train mode: an example's output depends on the rest of the batch; test mode: it does not."""
    x = _data((8, 3), 9)
    gamma, beta = np.ones(3), np.zeros(3)
    stats = {"running_mean": np.array([0.3, 0.2, 0.1]), "running_var": np.array([2.0, 3.0, 4.0])}
    x_other = x.copy()
    x_other[1:] += 5.0  # change every example but the first
    train = [batchnorm_forward(v, gamma, beta, {"mode": "train", **{k: s.copy() for k, s in stats.items()}})[0]
             for v in (x, x_other)]
    test = [batchnorm_forward(v, gamma, beta, {"mode": "test", **stats})[0] for v in (x, x_other)]
    assert np.max(np.abs(train[0][0] - train[1][0])) > 0.1
    assert np.array_equal(test[0][0], test[1][0])
    assert np.max(np.abs(train[0] - test[0])) > 0.1


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_test_mode_backward_treats_running_statistics_as_constants(backward):
    x, dout = _data((6, 4), 10), _data((6, 4), 11)
    gamma, beta = _data(4, 12), _data(4, 13)
    params = {"mode": "test", "running_mean": _data(4, 14), "running_var": np.array([1.0, 2.0, 0.5, 3.0])}
    fwd = lambda x_, g, b: batchnorm_forward(x_, g, b, dict(params))[0]  # noqa: E731
    num = _numeric_grads(fwd, x, gamma, beta, dout)
    _, cache = batchnorm_forward(x, gamma, beta, dict(params))
    for n, a in zip(num, backward(dout, cache)):
        assert rel_error(n, a) < 1e-7


def test_batchnorm_keeps_float32():
    x = _data((8, 3), 15).astype(np.float32)
    bn_param = {"mode": "train"}
    out, cache = batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), bn_param)
    assert out.dtype == np.float32 and bn_param["running_mean"].dtype == np.float32
    dx, dgamma, dbeta = batchnorm_backward_alt(np.ones_like(out), cache)
    assert dx.dtype == dgamma.dtype == dbeta.dtype == np.float32


# ---------------------------------------------------------------- layer norm
@pytest.mark.parametrize("shape, seed", [((4, 5), 20), ((3, 11), 21), ((6, 4), 22)])
def test_layernorm_backward_matches_numerical_gradient(shape, seed):
    x = _data(shape, seed)
    gamma, beta, dout = _data(shape[1:], seed + 1), _data(shape[1:], seed + 2), _data(shape, seed + 3)
    fwd = lambda x_, g, b: layernorm_forward(x_, g, b, {})[0]  # noqa: E731
    num = _numeric_grads(fwd, x, gamma, beta, dout)
    _, cache = layernorm_forward(x, gamma, beta, {})
    for n, a in zip(num, layernorm_backward(dout, cache)):
        assert rel_error(n, a) < 1e-7


@pytest.mark.parametrize("N, D", [(5, 9), (6, 2)])
def test_layernorm_equals_batchnorm_of_the_transposed_input(N, D):
    """Layer norm normalizes rows; batch norm of x.T normalizes the same numbers (gamma = 1, beta = 0).

    With two features dx is about eps / var, what is left after terms of size 1 cancel: too small
    for centred differences to check entry by entry, so this route is the check there.
    """
    x, dout = _data((N, D), 23), _data((N, D), 24)
    out_ln, cache_ln = layernorm_forward(x, np.ones(D), np.zeros(D), {"eps": 1e-4})
    out_bn, cache_bn = batchnorm_forward(x.T, np.ones(N), np.zeros(N), {"mode": "train", "eps": 1e-4})
    assert rel_error(out_ln, out_bn.T) < 1e-12
    dx_bn = batchnorm_backward(dout.T, cache_bn)[0]  # the graph version: another derivation
    assert rel_error(layernorm_backward(dout, cache_ln)[0], dx_bn.T) < 1e-9


def test_layernorm_is_the_same_in_train_and_test_mode_and_keeps_no_statistics():
    x = _data((4, 6), 25)
    gamma, beta = _data(6, 26), _data(6, 27)
    params = [{"mode": "train"}, {"mode": "test"}, {}]
    outs = [layernorm_forward(x, gamma, beta, p)[0] for p in params]
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2])
    assert params == [{"mode": "train"}, {"mode": "test"}, {}]
    # each example on its own: the same output alone as in a batch
    assert np.array_equal(layernorm_forward(x[2:3], gamma, beta, {})[0][0], outs[0][2])


# --------------------------------------------------------- spatial batch norm
@pytest.mark.parametrize("shape, seed", [((2, 3, 4, 5), 30), ((3, 2, 3, 3), 31), ((1, 4, 2, 3), 32)])
def test_spatial_batchnorm_backward_matches_numerical_gradient(shape, seed):
    C = shape[1]
    x, dout = _data(shape, seed), _data(shape, seed + 1)
    gamma, beta = _data(C, seed + 2), _data(C, seed + 3)
    for mode in ("train", "test"):
        params = {"mode": mode, "running_mean": _data(C, seed + 4), "running_var": np.full(C, 2.5)}
        fwd = lambda x_, g, b: spatial_batchnorm_forward(x_, g, b, dict(params))[0]  # noqa: E731
        num = _numeric_grads(fwd, x, gamma, beta, dout)
        _, cache = spatial_batchnorm_forward(x, gamma, beta, dict(params))
        for n, a in zip(num, spatial_batchnorm_backward(dout, cache)):
            assert rel_error(n, a) < 1e-7, mode


def _nhwc_rows(a):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel, one column per channel."""
    return a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])


def _from_rows(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_spatial_batchnorm_equals_batchnorm_on_transposed_reshaped_input(mode):
    shape = (3, 4, 5, 2)
    x, dout = _data(shape, 33, scale=4, shift=10), _data(shape, 34)
    gamma, beta = _data(4, 35), _data(4, 36)
    stats = {"running_mean": _data(4, 37), "running_var": np.array([1.0, 4.0, 0.5, 2.0])}
    p_sbn = {"mode": mode, "momentum": 0.7, **{k: v.copy() for k, v in stats.items()}}
    p_bn = {"mode": mode, "momentum": 0.7, **{k: v.copy() for k, v in stats.items()}}
    out, cache = spatial_batchnorm_forward(x, gamma, beta, p_sbn)
    out_rows, cache_rows = batchnorm_forward(_nhwc_rows(x), gamma, beta, p_bn)
    assert rel_error(out, _from_rows(out_rows, shape)) < 1e-12
    for key in stats:
        assert rel_error(p_sbn[key], p_bn[key]) < 1e-12
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    dx_rows, dgamma_rows, dbeta_rows = batchnorm_backward(_nhwc_rows(dout), cache_rows)
    assert rel_error(dx, _from_rows(dx_rows, shape)) < 1e-9
    assert rel_error(dgamma, dgamma_rows) < 1e-12 and rel_error(dbeta, dbeta_rows) < 1e-12


def test_spatial_batchnorm_running_averages_follow_the_formula():
    C, momentum = 2, 0.5
    bn_param = {"mode": "train", "momentum": momentum}
    exp_mean, exp_var = np.zeros(C), np.zeros(C)
    for step in range(3):
        x = _data((4, C, 3, 3), 40 + step, shift=step)
        spatial_batchnorm_forward(x, np.ones(C), np.zeros(C), bn_param)
        for c in range(C):
            values = x[:, c].ravel()
            exp_mean[c] = momentum * exp_mean[c] + (1 - momentum) * values.mean()
            exp_var[c] = momentum * exp_var[c] + (1 - momentum) * ((values - values.mean()) ** 2).mean()
    assert np.allclose(bn_param["running_mean"], exp_mean, rtol=1e-12, atol=0)
    assert np.allclose(bn_param["running_var"], exp_var, rtol=1e-12, atol=0)


# --------------------------------------------------------------- group norm
@pytest.mark.parametrize("shape, G, seed", [((2, 6, 4, 5), 2, 50), ((2, 4, 3, 3), 4, 51), ((3, 6, 2, 2), 3, 52),
                                            ((2, 3, 2, 3), 1, 53)])
def test_groupnorm_backward_matches_numerical_gradient(shape, G, seed):
    C = shape[1]
    x, dout = _data(shape, seed), _data(shape, seed + 1)
    gamma, beta = _data((1, C, 1, 1), seed + 2), _data((1, C, 1, 1), seed + 3)
    fwd = lambda x_, g, b: spatial_groupnorm_forward(x_, g, b, G, {})[0]  # noqa: E731
    num = _numeric_grads(fwd, x, gamma, beta, dout)
    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    grads = spatial_groupnorm_backward(dout, cache)
    assert grads[1].shape == grads[2].shape == (1, C, 1, 1)
    for n, a in zip(num, grads):
        assert rel_error(n, a) < 1e-7


def test_groupnorm_with_one_group_is_layer_norm_of_each_image():
    N, C, H, W = 3, 4, 2, 3
    x, dout = _data((N, C, H, W), 54), _data((N, C, H, W), 55)
    gamma, beta = _data((1, C, 1, 1), 56), _data((1, C, 1, 1), 57)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, 1, {})
    # layer norm over each flattened image; its per-feature gamma repeats each channel's gamma H*W times
    g_ln, b_ln = np.repeat(gamma.ravel(), H * W), np.repeat(beta.ravel(), H * W)
    out_ln, cache_ln = layernorm_forward(x.reshape(N, -1), g_ln, b_ln, {})
    assert rel_error(out, out_ln.reshape(x.shape)) < 1e-12
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    dx_ln, dgamma_ln, dbeta_ln = layernorm_backward(dout.reshape(N, -1), cache_ln)
    assert rel_error(dx, dx_ln.reshape(x.shape)) < 1e-12
    assert rel_error(dgamma.ravel(), dgamma_ln.reshape(C, H * W).sum(axis=1)) < 1e-12
    assert rel_error(dbeta.ravel(), dbeta_ln.reshape(C, H * W).sum(axis=1)) < 1e-12


def test_groupnorm_with_one_channel_per_group_is_instance_norm_by_hand():
    N, C, H, W, eps = 2, 3, 3, 2, 1e-5
    x, dout = _data((N, C, H, W), 58), _data((N, C, H, W), 59)
    gamma, beta = _data((1, C, 1, 1), 60), _data((1, C, 1, 1), 61)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, C, {"eps": eps})
    dx = spatial_groupnorm_backward(dout, cache)[0]
    for n in range(N):
        for c in range(C):
            pixels = [x[n, c, i, j] for i in range(H) for j in range(W)]
            mu = sum(pixels) / len(pixels)
            var = sum((p - mu) ** 2 for p in pixels) / len(pixels)
            for i in range(H):
                for j in range(W):
                    want = gamma[0, c, 0, 0] * (x[n, c, i, j] - mu) / math.sqrt(var + eps) + beta[0, c, 0, 0]
                    assert out[n, c, i, j] == pytest.approx(want, rel=1e-12, abs=1e-12)
            # each (image, channel) is batch norm of its H*W pixels as a batch of one feature
            _, c_bn = batchnorm_forward(x[n, c].reshape(-1, 1), gamma[0, c, 0], beta[0, c, 0], {"mode": "train"})
            dx_bn = batchnorm_backward(dout[n, c].reshape(-1, 1), c_bn)[0]
            assert rel_error(dx[n, c], dx_bn.reshape(H, W)) < 1e-9


def test_groupnorm_groups_are_contiguous_channels():
    """Group g holds channels g*C/G .. (g+1)*C/G - 1: its normalized numbers have mean 0 and std ~1."""
    N, C, H, W, G = 2, 6, 3, 3, 3
    x = _data((N, C, H, W), 62)
    x[:, ::2] *= 10  # channels 0, 2, 4 much larger: wrong groups would show
    out, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), G, {})
    groups = out.reshape(N, G, -1)
    var = x.reshape(N, G, -1).var(axis=2)
    assert np.allclose(groups.mean(axis=2), 0, atol=1e-12, rtol=0)
    assert np.allclose(groups.std(axis=2), np.sqrt(var / (var + 1e-5)), rtol=1e-12, atol=0)


# --------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.25, 0.5, 0.8])
def test_dropout_preserves_the_expected_value(p):
    """E[out] = x: the batch mean of out is within 5 standard errors of the mean of x (fixed seed)."""
    rng = np.random.default_rng(70)
    x = rng.standard_normal((400, 500)) + 3.0
    out, (_, mask) = dropout_forward(x, {"mode": "train", "p": p, "seed": 71})
    n = x.size
    # out_i = x_i * B_i / p with B_i ~ Bernoulli(p): Var(out_i) = x_i**2 * (1 - p) / p
    standard_error = math.sqrt(float(np.sum(x ** 2)) * (1 - p) / p) / n
    assert abs(float(out.mean()) - float(x.mean())) < 5 * standard_error
    kept = float((mask != 0).mean())
    assert abs(kept - p) < 5 * math.sqrt(p * (1 - p) / n)
    # (a layer keeping 1 - p instead fails this for p != 0.5: the fraction is off by |1 - 2p|, >= 60 SE here)
    assert np.allclose(out[mask != 0], x[mask != 0] / p, rtol=1e-15, atol=0) and np.all(out[mask == 0] == 0)


def test_dropout_half_keeps_half_and_scales_by_two():
    x = np.ones((1000, 100))
    out, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 3})
    assert set(np.unique(out)) == {0.0, 2.0}


def test_dropout_test_mode_is_the_identity_and_train_mode_is_not():
    x = _data((30, 40), 72)
    out_test, (param, mask) = dropout_forward(x, {"mode": "test", "p": 0.3})
    assert np.array_equal(out_test, x) and out_test is not x and mask is None
    out_train, _ = dropout_forward(x, {"mode": "train", "p": 0.3, "seed": 0})
    assert 0.6 < float((out_train == 0).mean()) < 0.8
    dout = _data((30, 40), 73)
    assert np.array_equal(dropout_backward(dout, (param, mask)), dout)


def test_dropout_seeds():
    """An int seed gives the same mask every call (gradient checks); a Generator a new, reproducible one."""
    x = np.ones((50, 50))
    a = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 5})[0]
    b = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 5})[0]
    assert np.array_equal(a, b)
    param = {"mode": "train", "p": 0.5, "seed": np.random.default_rng(5)}
    c, d = dropout_forward(x, param)[0], dropout_forward(x, param)[0]
    assert not np.array_equal(c, d)
    param2 = {"mode": "train", "p": 0.5, "seed": np.random.default_rng(5)}
    assert np.array_equal(c, dropout_forward(x, param2)[0]) and np.array_equal(d, dropout_forward(x, param2)[0])


@pytest.mark.parametrize("p", [0.2, 0.7, 1.0])
def test_dropout_backward_matches_numerical_gradient(p):
    x, dout = _data((6, 7), 74), _data((6, 7), 75)
    param = {"mode": "train", "p": p, "seed": 123}
    out, cache = dropout_forward(x, param)
    num = eval_numerical_gradient_array(lambda v: dropout_forward(v, param)[0], x, dout)
    assert rel_error(dropout_backward(dout, cache), num) < 1e-9  # linear in x: no truncation error
    if p == 1.0:
        assert np.array_equal(out, x)


def test_dropout_keeps_dtype_and_does_not_touch_the_callers_dict():
    x = _data((4, 4), 76).astype(np.float32)
    param = {"mode": "train", "p": 0.5, "seed": 1}
    out, (cached, mask) = dropout_forward(x, param)
    assert out.dtype == mask.dtype == np.float32
    param["mode"] = "test"  # the net switches modes; the cache keeps what the forward pass did
    assert cached["mode"] == "train"
    assert np.array_equal(dropout_backward(np.ones_like(x), (cached, mask)), mask)


# ------------------------------------------------------------ input checks
BN_GOOD = {"mode": "train"}


@pytest.mark.parametrize("x, gamma, beta, bn_param, words", [
    (np.zeros(5), np.ones(5), np.zeros(5), BN_GOOD, r"\(N, D\).*x.shape=\(5,\)"),
    (np.zeros((2, 3, 4)), np.ones(3), np.zeros(3), BN_GOOD, r"\(N, D\)"),
    (np.zeros((4, 3)), np.ones(4), np.zeros(3), BN_GOOD, r"gamma must have shape \(D,\) = \(3,\).*\(4,\)"),
    (np.zeros((4, 3)), np.ones(3), np.zeros((1, 3)), BN_GOOD, r"beta.*\(3,\).*beta.reshape\(3,\)"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), "train", "must be a dict"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {}, r"missing \['mode'\]"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "training"}, "'train' or 'test'.*'training'"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "epsilon": 1e-5}, r"unknown key\(s\) \['epsilon'\]"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "eps": 0}, "eps.*positive"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "momentum": 1.5}, r"momentum.*\[0, 1\]"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "momentum": "0.9"}, "momentum.*number"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "running_mean": np.zeros(4)},
     r"running_mean.*\(D,\) = \(3,\).*\(4,\)"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train", "running_var": -np.ones(3)}, "negative"),
    (np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "test"}, "no running_mean / running_var.*'train' mode first"),
    (np.zeros((1, 3)), np.ones(3), np.zeros(3), BN_GOOD, "at least 2 examples"),
    (np.zeros((0, 3)), np.ones(3), np.zeros(3), BN_GOOD, "empty"),
    (np.array([["a", "b"]]), np.ones(2), np.zeros(2), BN_GOOD, "real numbers"),
])
def test_batchnorm_refuses_bad_input_with_a_clear_message(x, gamma, beta, bn_param, words):
    with pytest.raises(ValueError, match=words):
        batchnorm_forward(x, gamma, beta, bn_param)


def test_layernorm_and_spatial_refuse_bad_input():
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['momentum'\]"):
        layernorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {"momentum": 0.9})
    with pytest.raises(ValueError, match=r"gamma must have shape \(D,\) = \(3,\)"):
        layernorm_forward(np.zeros((2, 3)), np.ones(2), np.zeros(3), {})
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(4, 3\)"):
        spatial_batchnorm_forward(np.zeros((4, 3)), np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match=r"\(C,\) = \(3,\).*\(1, 3, 1, 1\).*gamma.reshape\(3,\)"):
        spatial_batchnorm_forward(np.zeros((2, 3, 2, 2)), np.ones((1, 3, 1, 1)), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match=r"running_mean.*\(C,\) = \(3,\), one number per channel"):
        spatial_batchnorm_forward(np.zeros((2, 3, 2, 2)), np.ones(3), np.zeros(3),
                                  {"mode": "train", "running_mean": np.zeros(2)})
    with pytest.raises(ValueError, match="at least 2 numbers per channel \\(N\\*H\\*W\\)"):
        spatial_batchnorm_forward(np.zeros((1, 3, 1, 1)), np.ones(3), np.zeros(3), {"mode": "train"})


@pytest.mark.parametrize("G, gamma_shape, words", [
    (4, (1, 6, 1, 1), r"G=4 groups must divide the C=6 channels.*\[1, 2, 3, 6\]"),
    (0, (1, 6, 1, 1), "G=0"),
    (2.0, (1, 6, 1, 1), "must be an integer"),
    (True, (1, 6, 1, 1), "must be an integer"),
    (2, (6,), r"\(1, C, 1, 1\) = \(1, 6, 1, 1\).*gamma.reshape\(1, 6, 1, 1\)"),
])
def test_groupnorm_refuses_bad_groups_and_shapes(G, gamma_shape, words):
    with pytest.raises(ValueError, match=words):
        spatial_groupnorm_forward(np.zeros((2, 6, 2, 2)), np.ones(gamma_shape), np.zeros((1, 6, 1, 1)), G, {})


def test_groupnorm_accepts_the_mode_key_the_assignment_passes():
    """ConvolutionalNetworks.ipynb passes bn_param = {'mode': 'train'} as gn_param; that must work."""
    out, _ = spatial_groupnorm_forward(_data((2, 4, 2, 2), 63), np.ones((1, 4, 1, 1)), np.zeros((1, 4, 1, 1)), 2,
                                       {"mode": "train"})
    assert out.shape == (2, 4, 2, 2)
    with pytest.raises(ValueError, match="'train' or 'test'"):
        spatial_groupnorm_forward(np.zeros((2, 4, 2, 2)), np.ones((1, 4, 1, 1)), np.zeros((1, 4, 1, 1)), 2,
                                  {"mode": "eval"})


@pytest.mark.parametrize("param, words", [
    ({"mode": "train", "p": 0}, r"KEEPING.*\(0, 1\]"),
    ({"mode": "train", "p": 1.5}, r"\(0, 1\].*keep p = 0.75"),
    ({"mode": "train", "p": -0.2}, r"\(0, 1\]"),
    ({"mode": "train", "p": "0.5"}, "number"),
    ({"mode": "train", "p": float("nan")}, "finite"),
    ({"mode": "train"}, r"missing \['p'\]"),
    ({"p": 0.5}, r"missing \['mode'\]"),
    ({"mode": "eval", "p": 0.5}, "'train' or 'test'"),
    ({"mode": "train", "p": 0.5, "seed": -1}, "non-negative integer"),
    ({"mode": "train", "p": 0.5, "seed": 1.5}, "non-negative integer"),
    ({"mode": "train", "keep_prob": 0.5}, r"unknown key\(s\) \['keep_prob'\]"),
    ([("mode", "train")], "must be a dict"),
])
def test_dropout_refuses_bad_params(param, words):
    with pytest.raises(ValueError, match=words):
        dropout_forward(np.ones((2, 2)), param)


def test_a_refused_call_leaves_bn_param_as_it_was():
    bn_param = {"mode": "train"}
    with pytest.raises(ValueError, match="at least 2 examples"):
        batchnorm_forward(np.zeros((1, 3)), np.ones(3), np.zeros(3), bn_param)
    assert bn_param == {"mode": "train"}
    bad_var = {"mode": "train", "running_var": np.zeros(5)}
    with pytest.raises(ValueError, match="running_var"):
        batchnorm_forward(np.zeros((4, 3)), np.ones(3), np.zeros(3), bad_var)
    assert sorted(bad_var) == ["mode", "running_var"]  # no running_mean filled in


def test_backward_passes_refuse_wrong_caches_and_douts():
    x = _data((4, 3), 80)
    _, bn_cache = batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    _, ln_cache = layernorm_forward(x, np.ones(3), np.zeros(3), {})
    assert isinstance(bn_cache, NormCache) and isinstance(bn_cache, tuple)
    with pytest.raises(ValueError, match="made by layernorm_forward"):
        batchnorm_backward(np.ones((4, 3)), ln_cache)
    with pytest.raises(ValueError, match="made by batchnorm_forward"):
        layernorm_backward(np.ones((4, 3)), bn_cache)
    with pytest.raises(ValueError, match="needs the cache returned by batchnorm_forward, got a tuple"):
        batchnorm_backward_alt(np.ones((4, 3)), (x, x))
    with pytest.raises(ValueError, match=r"dout.shape=\(3, 4\).*\(4, 3\)"):
        batchnorm_backward(np.ones((3, 4)), bn_cache)
    with pytest.raises(ValueError, match=r"dout.shape=\(2, 2\)"):
        dropout_backward(np.ones((2, 2)), dropout_forward(np.ones((3, 3)), {"mode": "train", "p": 0.5})[1])
    with pytest.raises(ValueError, match=r"\(dropout_param, mask\)"):
        dropout_backward(np.ones((2, 2)), None)
