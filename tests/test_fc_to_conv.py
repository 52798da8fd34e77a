"""FC-to-CONV conversion (cs231n_lib.convert): the converted convolutions reproduce the affine
layers, and on a larger image give the crop-by-crop scores."""
import numpy as np
import pytest

from cs231n_lib.convert import fc_stack_to_conv, fc_to_conv, score_map_size


def affine(x, w, b):
    """CS231n's affine_forward, written out: flatten each example, then x @ w + b."""
    return x.reshape(x.shape[0], -1) @ w + b


def correlate(x, w, b, stride=1):
    """Cross-correlation with no padding by sliding windows (an independent route)."""
    HH, WW = w.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (HH, WW), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, H', W', HH, WW)
    return np.einsum("ncijab,mcab->nmij", windows, w) + b[None, :, None, None]


def test_one_fc_layer_becomes_a_full_size_filter():
    rng = np.random.default_rng(0)
    C, H, W, M = 3, 4, 5, 6
    x = rng.standard_normal((2, C, H, W))
    w, b = rng.standard_normal((C * H * W, M)), rng.standard_normal(M)
    w_conv, b_conv, param = fc_to_conv(w, b, (C, H, W))
    assert w_conv.shape == (M, C, H, W) and param == {"stride": 1, "pad": 0}
    out = correlate(x, w_conv, b_conv)
    assert out.shape == (2, M, 1, 1)
    assert np.max(np.abs(out[:, :, 0, 0] - affine(x, w, b))) < 1e-12
    # entry by entry: weight row c*H*W + h*W + w belongs to filter tap (c, h, w)
    assert w_conv[4, 2, 3, 1] == w[2 * H * W + 3 * W + 1, 4]


def small_net(rng, C=3, size=10, hidden=5, classes=4):
    """conv3 (stride 1) -> relu -> conv2 (stride 2) -> relu -> conv2 (stride 2) -> relu
    -> FC -> relu -> FC on size x size inputs, no zero padding anywhere; total stride 4."""
    params = {
        "conv": [(rng.standard_normal((4, C, 3, 3)), rng.standard_normal(4), 1),
                 (rng.standard_normal((5, 4, 2, 2)), rng.standard_normal(5), 2),
                 (rng.standard_normal((6, 5, 2, 2)), rng.standard_normal(6), 2)],
    }
    feat = ((size - 2) // 2) // 2
    params["fc"] = [(rng.standard_normal((6 * feat * feat, hidden)), rng.standard_normal(hidden)),
                    (rng.standard_normal((hidden, classes)), rng.standard_normal(classes))]
    return params, feat


def features(params, x):
    for w, b, stride in params["conv"]:
        x = np.maximum(correlate(x, w, b, stride), 0)
    return x


def original(params, x):
    h = features(params, x)
    (w1, b1), (w2, b2) = params["fc"]
    return affine(np.maximum(affine(h, w1, b1), 0), w2, b2)


def converted(params, x, feat):
    h = features(params, x)
    for i, (w, b, p) in enumerate(fc_stack_to_conv(params["fc"], (6, feat, feat))):
        h = correlate(h, w, b, p["stride"])
        if i == 0:
            h = np.maximum(h, 0)
    return h


def test_score_map_equals_the_crop_by_crop_scores():
    rng = np.random.default_rng(1)
    params, feat = small_net(rng)
    assert feat == 2
    big = rng.standard_normal((1, 3, 22, 18))
    scores = converted(params, big, feat)
    rows, cols = score_map_size(22, 10, 4), score_map_size(18, 10, 4)
    assert scores.shape == (1, 4, rows, cols) == (1, 4, 4, 3)
    worst = 0.0
    for i in range(rows):
        for j in range(cols):
            crop = big[:, :, 4 * i:4 * i + 10, 4 * j:4 * j + 10]
            worst = max(worst, float(np.max(np.abs(original(params, crop) - scores[:, :, i, j]))))
    assert worst < 1e-10


def test_vgg_scale_arithmetic():
    assert score_map_size(224, 224, 32) == 1
    assert score_map_size(384, 224, 32) == 6
    with pytest.raises(ValueError, match=r"\(400 - 224\)/32 \+ 1 = 6.5"):
        score_map_size(400, 224, 32)


@pytest.mark.parametrize("w_shape, b_shape, input_shape, fragment", [
    ((60, 4), (4,), (3, 4, 4), "C*H*W = 3*4*4 = 48"),
    ((48, 4), (5,), (3, 4, 4), "expected (4,)"),
    ((48,), (4,), (3, 4, 4), "(D, M)"),
    ((48, 4), (4,), (3, 16), "(C, H, W)"),
])
def test_mismatched_shapes_name_both(w_shape, b_shape, input_shape, fragment):
    with pytest.raises(ValueError) as info:
        fc_to_conv(np.zeros(w_shape), np.zeros(b_shape), input_shape)
    assert fragment in str(info.value)


def test_stack_error_names_the_layer():
    layers = [(np.zeros((48, 5)), np.zeros(5)), (np.zeros((4, 2)), np.zeros(2))]
    with pytest.raises(ValueError, match="FC layer 2: .* D = 4 rows.*C\\*H\\*W = 5\\*1\\*1 = 5"):
        fc_stack_to_conv(layers, (3, 4, 4))


@pytest.mark.parametrize("conv_name", ["conv_forward_naive", "conv_forward_fast"])
def test_score_map_with_the_library_convolutions(conv_name):
    from cs231n_lib import fast_layers, layers

    conv = getattr(layers, conv_name, None) or getattr(fast_layers, conv_name)
    rng = np.random.default_rng(2)
    params, feat = small_net(rng)

    def lib_features(x):
        for w, b, stride in params["conv"]:
            x = np.maximum(conv(x, w, b, {"stride": stride, "pad": 0})[0], 0)
        return x

    def lib_original(x):
        (w1, b1), (w2, b2) = params["fc"]
        return affine(np.maximum(affine(lib_features(x), w1, b1), 0), w2, b2)

    big = rng.standard_normal((2, 3, 18, 22))
    h = lib_features(big)
    for i, (w, b, p) in enumerate(fc_stack_to_conv(params["fc"], (6, feat, feat))):
        h = conv(h, w, b, p)[0]
        if i == 0:
            h = np.maximum(h, 0)
    assert h.shape == (2, 4, 3, 4)
    crops = np.stack([np.stack([lib_original(big[:, :, 4 * i:4 * i + 10, 4 * j:4 * j + 10])
                                for j in range(4)], axis=-1) for i in range(3)], axis=-2)
    assert crops.shape == h.shape
    assert float(np.max(np.abs(h - crops))) < 1e-10
    # and the library agrees with the sliding-window route of this file
    assert float(np.max(np.abs(h - converted(params, big, feat)))) < 1e-10
