"""Notebook 07's analysis (cs231n_lib.gradients): every function against an independent route.

Saliency and the ReLU rules against numerical gradients, explicit loops and a hand-worked
net; the occlusion map against a brute-force loop; the scores against hand-counted masks;
Spearman's correlation against scipy; the blur against scipy.ndimage; the regularizers'
gradients against centred differences; inversion lowers its objective; the class models are
classified as their class.
"""
import numpy as np
import pytest

from cs231n_lib import gradients, layers, pretrained
from cs231n_lib.nets import SequentialNet, affine, conv, pool, relu


def tiny_net(seed=3, dtype=np.float64, input_dim=(3, 8, 8), num_classes=4):
    return SequentialNet([("conv1", conv(4, 3)), ("relu1", relu()), ("pool1", pool(2)),
                          ("conv2", conv(5, 3)), ("relu2", relu()), ("fc1", affine(6)), ("relu3", relu()),
                          ("fc2", affine(num_classes))],
                         input_dim=input_dim, dtype=dtype, seed=seed, input_mean=0.5, input_convention="unit")


def numerical_gradient(f, x, h=1e-6):
    """Centred differences of the scalar function f at x (float64), written out here."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(x)
        x[idx] = old - h
        minus = f(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((3, 3, 8, 8))


# ------------------------------------------------------------------ saliency
def test_saliency_map_is_the_channel_max_of_the_numerical_gradient(images):
    net = tiny_net()
    y = np.array([0, 3, 1])
    sal = gradients.saliency_map(net, images, y)
    assert sal.shape == (3, 8, 8) and (sal >= 0).all()
    for n in range(3):
        numeric = numerical_gradient(lambda v: float(net.loss(v[None])[0, y[n]]), images[n])
        assert np.allclose(sal[n], np.abs(numeric).max(axis=0), rtol=1e-5, atol=1e-8)


def test_class_score_gradient_of_a_batch_equals_one_image_at_a_time(images):
    net = tiny_net()
    y = np.array([2, 2, 0])
    batch = gradients.class_score_gradient(net, images, y, relu_rule="guided")
    for n in range(3):
        one = gradients.class_score_gradient(net, images[n:n + 1], y[n:n + 1], relu_rule="guided")[0]
        assert np.allclose(batch[n], one, rtol=1e-12, atol=1e-14)


def hand_net():
    """input (1, 1, 2) -> affine 2 -> relu -> affine 2 -> relu -> affine 1, weights chosen by hand."""
    net = SequentialNet([("a1", affine(2)), ("r1", relu()), ("a2", affine(2)), ("r2", relu()), ("out", affine(1))],
                        input_dim=(1, 1, 2), dtype=np.float64)
    net.params["a1.W"] = np.array([[1.0, -1.0], [2.0, 1.0]])   # h1 = (x1 + 2 x2, -x1 + x2)
    net.params["a1.b"] = np.zeros(2)
    net.params["a2.W"] = np.array([[1.0, 1.0], [1.0, -1.0]])   # h2 = (r1a + r1b, r1a - r1b)
    net.params["a2.b"] = np.zeros(2)
    net.params["out.W"] = np.array([[-1.0], [2.0]])             # s = -r2a + 2 r2b
    net.params["out.b"] = np.zeros(1)
    return net


@pytest.mark.parametrize("rule, expected", [
    # x = (1, 2): h1 = (5, 1) both on; h2 = (6, 4) both on; ds/dr2 = (-1, 2).
    # backprop: dr1 = (-1 + 2, -1 - 2) = (1, -3); dx = (1*1 + (-3)*(-1), 1*2 + (-3)*1) = (4, -1)
    ("backprop", [4.0, -1.0]),
    # guided: at r2, keep positive gradients where on: (0, 2); dr1 = (2, -2); at r1 keep (2, 0);
    # dx = (2*1, 2*2) = (2, 4)
    ("guided", [2.0, 4.0]),
    # deconvnet: at r2 keep positive gradients: (0, 2); dr1 = (2, -2); at r1 keep (2, 0); dx = (2, 4)
    ("deconvnet", [2.0, 4.0]),
])
def test_the_relu_rules_on_a_hand_worked_net(rule, expected):
    net = hand_net()
    x = np.array([[[[1.0, 2.0]]]])
    grad = gradients.class_score_gradient(net, x, [0], relu_rule=rule)
    assert grad.ravel().tolist() == expected


def test_guided_and_deconvnet_part_ways_where_a_unit_is_off():
    net = hand_net()
    # x = (1, -2): h1 = (-3, -3) both off; backprop and guided send nothing, the deconvnet does.
    # h2 = (0, 0): at r2 the input is 0 (off) too; ds/dr2 = (-1, 2): deconvnet keeps (0, 2),
    # dr1 = (2, -2), keeps (2, 0), dx = (2, 4).
    x = np.array([[[[1.0, -2.0]]]])
    assert gradients.class_score_gradient(net, x, [0], "backprop").ravel().tolist() == [0.0, 0.0]
    assert gradients.class_score_gradient(net, x, [0], "guided").ravel().tolist() == [0.0, 0.0]
    assert gradients.class_score_gradient(net, x, [0], "deconvnet").ravel().tolist() == [2.0, 4.0]


def test_the_relu_rules_in_a_conv_net_match_an_explicit_backward_pass(images):
    """The rule applied at every ReLU of a conv net, by hand, with the layers' own backward functions."""
    from cs231n_lib import fast_layers

    net = tiny_net()
    X, y = images[:2], np.array([1, 2])
    p = net.params
    caches = {}
    h = X - 0.5
    h, caches["conv1"] = fast_layers.conv_forward_fast(h, p["conv1.W"], p["conv1.b"], {"stride": 1, "pad": 1})
    caches["relu1"] = h
    h = np.maximum(h, 0)
    h, caches["pool1"] = fast_layers.max_pool_forward_fast(h, {"pool_height": 2, "pool_width": 2, "stride": 2})
    h, caches["conv2"] = fast_layers.conv_forward_fast(h, p["conv2.W"], p["conv2.b"], {"stride": 1, "pad": 1})
    caches["relu2"] = h
    h = np.maximum(h, 0)
    h, caches["fc1"] = layers.affine_forward(h, p["fc1.W"], p["fc1.b"])
    caches["relu3"] = h
    h = np.maximum(h, 0)
    for rule, backward in (("guided", layers.relu_backward_guided), ("deconvnet", layers.relu_backward_deconvnet),
                           ("backprop", layers.relu_backward)):
        d = np.zeros((2, 4))
        d[np.arange(2), y] = 1
        d = d @ p["fc2.W"].T
        d = backward(d, caches["relu3"])
        d = layers.affine_backward(d, caches["fc1"])[0]
        d = backward(d, caches["relu2"])
        d = fast_layers.conv_backward_fast(d, caches["conv2"])[0]
        d = fast_layers.max_pool_backward_fast(d, caches["pool1"])
        d = backward(d, caches["relu1"])
        d = fast_layers.conv_backward_fast(d, caches["conv1"])[0]
        assert np.allclose(gradients.class_score_gradient(net, X, y, relu_rule=rule), d, rtol=1e-12, atol=1e-14), rule


def test_saliency_map_refuses_bad_input(images):
    net = tiny_net()
    with pytest.raises(ValueError, match="one image"):
        gradients.saliency_map(net, images[0], [0])
    with pytest.raises(ValueError, match="classes of this net"):
        gradients.saliency_map(net, images, [0, 1, 4])
    with pytest.raises(ValueError, match="class indices are integers 0..3"):
        gradients.saliency_map(net, images, [0.5, 1, 2])
    with pytest.raises(ValueError, match="method must be one of"):
        gradients.attribution_maps(net, images, [0, 1, 2], "smoothgrad")


# ------------------------------------------------------------------ backward_from_layers (nets.py)
def test_backward_from_layers_is_the_sum_of_backward_from_each_layer(images):
    net = tiny_net()
    rng = np.random.default_rng(5)
    names = ["relu1", "conv2", "fc2"]
    douts = {n: rng.standard_normal((3,) + net.shapes[n]) for n in names}
    acts, dX = net.backward_from_layers(images, names, douts)
    expected = sum(net.backward_from(images, n, douts[n]) for n in names)
    assert np.allclose(dX, expected, rtol=1e-12, atol=1e-13)
    for n in names:
        assert np.array_equal(acts[n], net.activations(images, n))
    # a callable receives the activations
    seen = {}

    def make(a):
        seen.update(a)
        return {"conv2": 2 * a["conv2"]}
    _, dX2 = net.backward_from_layers(images, names, make)
    assert set(seen) == set(names)
    assert np.allclose(dX2, net.backward_from(images, "conv2", 2 * acts["conv2"]), rtol=1e-12, atol=1e-13)
    with pytest.raises(ValueError, match="not among layers"):
        net.backward_from_layers(images, ["conv2"], {"fc2": douts["fc2"]})
    with pytest.raises(ValueError, match="must equal the shape"):
        net.backward_from_layers(images, ["conv2"], {"conv2": douts["fc2"]})


# ------------------------------------------------------------------ occlusion
def test_occlusion_attribution_against_a_brute_force_loop(images):
    from cs231n_lib.understanding import softmax

    net = tiny_net()
    x, label, size, stride = images[1], 2, 4, 2
    base = softmax(net.loss(x[None]))[0, label]
    total, count = np.zeros((8, 8)), np.zeros((8, 8))
    for top in range(0, 8 - size + 1, stride):
        for left in range(0, 8 - size + 1, stride):
            covered = x.copy()
            covered[:, top:top + size, left:left + size] = 0.5
            drop = max(base - softmax(net.loss(covered[None]))[0, label], 0.0)
            for i in range(top, top + size):
                for j in range(left, left + size):
                    total[i, j] += drop
                    count[i, j] += 1
    expected = total / count
    got = gradients.occlusion_attribution(net, x, label, size=size, stride=stride)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)
    batch = gradients.attribution_maps(net, images[:2], [0, label], "occlusion", size=size, stride=stride)
    assert np.allclose(batch[1], expected, rtol=1e-12, atol=1e-15)


def test_uncovered_pixels_get_zero():
    net = tiny_net()
    x = np.random.default_rng(2).random((3, 8, 8))
    got = gradients.occlusion_attribution(net, x, 0, size=2, stride=3)  # windows at 0, 3; rows 2, 5.. uncovered
    assert (got[2, :] == 0).all() and (got[:, 5] == 0).all()


# ------------------------------------------------------------------ scores
def test_mass_inside_and_pointing_on_hand_counted_maps():
    maps = np.array([
        [[0.0, 1.0, 0.0], [2.0, 3.0, 0.0], [0.0, 4.0, 0.0]],   # total 10, column 1 holds 8
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],   # constant: every pixel ties
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],   # no mass at all
        [[5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 5.0]],   # two maxima, one inside
    ])
    column = np.zeros((3, 3), dtype=bool)
    column[:, 1] = True
    corner = np.zeros((3, 3), dtype=bool)
    corner[0, 0] = True
    masks = np.array([column, column, column, corner])
    assert gradients.mass_inside(maps, masks).tolist() == pytest.approx([0.8, 1 / 3, 1 / 3, 0.5])
    assert gradients.pointing_hits(maps, masks).tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 0.5])


def test_grow_masks_by_city_block_distance():
    m = np.zeros((1, 5, 5), dtype=bool)
    m[0, 2, 2] = True
    grown = gradients.grow_masks(m, 2)[0]
    rows, cols = np.indices((5, 5))
    assert np.array_equal(grown, np.abs(rows - 2) + np.abs(cols - 2) <= 2)
    assert np.array_equal(gradients.grow_masks(m, 0), m)
    with pytest.raises(ValueError, match="whole number"):
        gradients.grow_masks(m, 1.5)


def test_score_maps_rows_and_the_random_baseline():
    rng = np.random.default_rng(4)
    maps = rng.random((20, 6, 6))
    masks = rng.random((20, 6, 6)) < 0.3
    rows = gradients.score_maps({"a": maps, "b": maps ** 4}, masks)
    assert [r.method for r in rows] == ["a", "b", "random map (mask area)"]
    # independent route: loops over pixels
    fractions = []
    for m, k in zip(maps, masks):
        inside = sum(m[i, j] for i in range(6) for j in range(6) if k[i, j])
        fractions.append(inside / m.sum())
    assert rows[0].mass_inside == pytest.approx(np.mean(fractions))
    assert rows[0].mass_inside_se == pytest.approx(np.std(fractions, ddof=1) / np.sqrt(20))
    assert rows[-1].mass_inside == pytest.approx(masks.mean()) and rows[-1].pointing == rows[-1].mass_inside
    assert all(r.images == 20 for r in rows)


def loop_edge_map(image):
    """The edge map of one (C, H, W) image, pixel by pixel: central differences (a difference across
    the image's border counts as 0), the largest magnitude over the channels."""
    C, H, W = image.shape
    out = np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            for c in range(C):
                dy = (image[c, i + 1, j] - image[c, i - 1, j]) / 2 if 0 < i < H - 1 else 0.0
                dx = (image[c, i, j + 1] - image[c, i, j - 1]) / 2 if 0 < j < W - 1 else 0.0
                out[i, j] = max(out[i, j], (dx * dx + dy * dy) ** 0.5)
    return out


def test_score_maps_with_the_images_adds_the_edge_map_row():
    rng = np.random.default_rng(5)
    X = rng.random((6, 3, 7, 7))
    masks = rng.random((6, 7, 7)) < 0.4
    rows = gradients.score_maps({"a": rng.random((6, 7, 7))}, masks, images=X)
    assert [r.method for r in rows] == ["a", gradients.EDGE_ROW, gradients.RANDOM_ROW]
    assert [r.baseline for r in rows] == [False, True, True]
    edges = [loop_edge_map(x) for x in X]
    mass = [sum(e[i, j] for i in range(7) for j in range(7) if k[i, j]) / e.sum() for e, k in zip(edges, masks)]
    hits = []
    for e, k in zip(edges, masks):
        top = [(i, j) for i in range(7) for j in range(7) if e[i, j] == e.max()]
        hits.append(sum(bool(k[i, j]) for i, j in top) / len(top))
    assert rows[1].mass_inside == pytest.approx(np.mean(mass)) and rows[1].pointing == pytest.approx(np.mean(hits))
    assert rows[1].pointing_se == pytest.approx(np.std(hits, ddof=1) / np.sqrt(6))
    without = gradients.score_maps({"a": rng.random((6, 7, 7))}, masks)
    assert [r.method for r in without] == ["a", gradients.RANDOM_ROW]
    with pytest.raises(ValueError, match="images must have shape"):
        gradients.score_maps({"a": rng.random((6, 7, 7))}, masks, images=X[:, :, :6])


def test_edge_map_equals_the_loops():
    X = np.random.default_rng(8).random((2, 3, 6, 5))
    assert np.allclose(gradients.edge_map(X), [loop_edge_map(x) for x in X], rtol=1e-12, atol=0)


def test_kinks_crossed_counts_switching_relus_and_moving_switches():
    net = SequentialNet([("conv1", conv(2, 1, pad=0)), ("relu1", relu()), ("pool1", pool(2)), ("fc", affine(2))],
                        input_dim=(1, 4, 4), dtype=np.float64, seed=0)
    net.params["conv1.W"] = np.array([1.0, -1.0]).reshape(2, 1, 1, 1)   # channel 0 = x, channel 1 = -x
    net.params["conv1.b"] = np.zeros(2)
    x0 = np.array([[1.0, 2.0, -1.0, -2.0],
                   [3.0, 4.0, -3.0, -4.0],
                   [5.0, 6.0, 7.0, 8.0],
                   [-5.0, -6.0, -7.0, -8.0]])[None]
    x1 = x0.copy()
    x1[0, 0, 0] = -1.0            # turns negative: a unit of each channel switches
    x1[0, 2, 1] = 4.0             # the largest entry of one window of channel 0 moves
    x1[0, 3, 3] = 9.0             # turns positive, and becomes the largest of its window
    counts = gradients.kinks_crossed(net, x0, x1)
    # the ReLU's input is (x, -x); written out: a unit switches where x changes sign
    sign_changes = int(np.sum((x0 > 0) != (x1 > 0)))
    assert counts["relu1"] == 2 * sign_changes == 4
    # the switches, by hand: for each channel and 2x2 window, the position of the largest entry
    moved = 0
    for a0, a1 in ((np.maximum(x0[0], 0), np.maximum(x1[0], 0)), (np.maximum(-x0[0], 0), np.maximum(-x1[0], 0))):
        for i in (0, 2):
            for j in (0, 2):
                w0, w1 = a0[i:i + 2, j:j + 2].ravel(), a1[i:i + 2, j:j + 2].ravel()
                moved += int(np.argmax(w0) != np.argmax(w1))
    assert counts["pool1"] == moved >= 2
    assert gradients.kinks_crossed(net, x0, x0) == {"relu1": 0, "pool1": 0}


def test_no_kink_crossed_means_the_score_changes_by_the_gradient_times_the_step(images):
    net = tiny_net()
    net.input_convention = None  # x0 + 0.1 * delta leaves [0, 1], which a "unit" net's loss refuses
    x0 = images[0]
    delta = np.random.default_rng(1).standard_normal(x0.shape)
    w = gradients.class_score_gradient(net, x0[None], [2])[0]
    for eps in (1e-7, 1e-1):
        x1 = x0 + eps * delta
        kinks = sum(gradients.kinks_crossed(net, x0, x1).values())
        change = float(net.loss(x1[None])[0, 2] - net.loss(x0[None])[0, 2])
        if kinks == 0:
            assert change == pytest.approx(eps * float(np.sum(w * delta)), rel=1e-6)
    assert sum(gradients.kinks_crossed(net, x0, x0 + 1e-7 * delta).values()) == 0
    assert sum(gradients.kinks_crossed(net, x0, x0 + 1e-1 * delta).values()) > 0


def test_scores_refuse_signed_maps_and_mismatched_shapes():
    with pytest.raises(ValueError, match=">= 0"):
        gradients.mass_inside(-np.ones((2, 3, 3)), np.ones((2, 3, 3), dtype=bool))
    with pytest.raises(ValueError, match="same|both have shape"):
        gradients.pointing_hits(np.ones((2, 3, 3)), np.ones((2, 4, 3), dtype=bool))


# ------------------------------------------------------------------ the sanity check
def test_rank_correlation_matches_scipy_with_ties():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(6)
    for _ in range(5):
        a = rng.integers(0, 4, size=(7, 5)).astype(float)   # many ties
        b = a + rng.integers(0, 3, size=(7, 5))
        assert gradients.rank_correlation(a, b) == pytest.approx(spearmanr(a.ravel(), b.ravel())[0], abs=1e-12)
    batch = gradients.rank_correlation(np.stack([a, b]), np.stack([b, a]))
    assert batch.shape == (2,) and batch[0] == pytest.approx(batch[1])
    assert np.isnan(gradients.rank_correlation(np.ones((3, 3)), a[:3, :3]))


def test_randomized_copy_changes_only_the_named_layers():
    net = tiny_net(dtype=np.float32)
    for key in net.params:  # trained-looking biases, so that resetting them shows
        if key.endswith(".b"):
            net.params[key] = np.ones_like(net.params[key])
    copy = gradients.randomized_copy(net, ["fc2", "conv2"], seed=1)
    for key, value in net.params.items():
        same = np.array_equal(copy.params[key], value)
        assert same == (key.split(".")[0] not in ("fc2", "conv2")), key
    assert not np.any(copy.params["conv2.b"]) and copy.params["conv2.W"].dtype == np.float32
    assert np.all(net.params["conv2.b"] == 1)  # the original is untouched
    # He initialisation: std sqrt(2 / fan_in), fan_in = 4 * 3 * 3 for conv2
    big = SequentialNet([("conv1", conv(64, 3)), ("fc", affine(2))], input_dim=(16, 8, 8), seed=0)
    w = gradients.randomized_copy(big, ["conv1"], seed=2).params["conv1.W"]
    assert w.std() == pytest.approx(np.sqrt(2 / (16 * 9)), rel=0.05)
    with pytest.raises(ValueError, match="no weights"):
        gradients.randomized_copy(net, ["relu1"])
    with pytest.raises(ValueError, match="no layer named"):
        gradients.randomized_copy(net, ["fc9"])


def test_edge_map_on_a_step():
    X = np.zeros((1, 3, 5, 5))
    X[:, 1, :, 3:] = 1.0                     # a vertical step in the green channel between columns 2 and 3
    e = gradients.edge_map(X)[0]
    assert e[2].tolist() == [0.0, 0.0, 0.5, 0.5, 0.0]   # central differences (x[j+1] - x[j-1]) / 2; border 0


def test_cascading_randomization_starts_at_one_and_reaches_every_layer(images):
    net = tiny_net()
    result = gradients.cascading_randomization(net, images, [0, 1, 2], methods=("gradient", "guided"), seed=0)
    assert result.stages == ["trained", "fc2", "fc1", "conv2", "conv1"]
    for method in ("gradient", "guided"):
        assert result.correlation[method][0] == pytest.approx(1.0)
        assert result.correlation[method].shape == (5,) and result.maps[method].shape == (5, 8, 8)
    # stage 2 is the net with fc2 and fc1 random: recompute it by hand
    random2 = gradients.randomized_copy(net, ["fc2", "fc1"], seed=0)
    original = gradients.saliency_map(net, images, [0, 1, 2])
    again = gradients.saliency_map(random2, images, [0, 1, 2])
    expected = np.mean([gradients.rank_correlation(a, b) for a, b in zip(original, again)])
    assert result.correlation["gradient"][2] == pytest.approx(expected)


# ------------------------------------------------------------------ class models
def test_gaussian_blur_matches_scipy():
    from scipy.ndimage import gaussian_filter

    X = np.random.default_rng(8).random((2, 3, 9, 11))
    for sigma in (0.5, 1.0, 2.0):
        expected = gaussian_filter(X, sigma=(0, 0, sigma, sigma), mode="reflect", truncate=3.0)
        assert np.allclose(gradients.gaussian_blur(X, sigma), expected, atol=1e-12)
    assert np.array_equal(gradients.gaussian_blur(X, 0), X)


def test_class_model_raises_its_class_score_and_keeps_snapshots():
    net = tiny_net(dtype=np.float32)
    for key in net.params:  # an untrained net with zero biases is flat at the blank image: give it biases
        if key.endswith(".b"):
            net.params[key] = np.full_like(net.params[key], 0.1)
    blank = net.loss(np.full((1, 3, 8, 8), 0.5, dtype=np.float32))[0]
    result = gradients.class_model(net, [1, 3], steps=20, reg=1e-3, blur_every=5, keep_every=5, seed=0)
    assert result.images.shape == (2, 3, 8, 8) and 0 <= result.images.min() and result.images.max() <= 1
    assert result.scores[0] > blank[1] and result.scores[1] > blank[3]
    assert result.snapshot_steps.tolist() == [0, 5, 10, 15, 20]
    assert np.array_equal(result.snapshots[-1], result.images)
    assert np.allclose(result.probabilities.sum(axis=1), 1)
    # a run of n steps is the start of a longer run
    longer = gradients.class_model(net, [1, 3], steps=30, reg=1e-3, blur_every=5, keep_every=5, seed=0)
    noisy = gradients.class_model(net, [1], steps=0, init="noise", keep_every=1, seed=0)
    assert noisy.snapshots[0].std() > 0.05
    assert np.array_equal(longer.snapshots[:5], result.snapshots)
    with pytest.raises(ValueError, match="classes must hold classes of this net"):
        gradients.class_model(net, [4])
    with pytest.raises(ValueError, match="steps must be a whole number"):
        gradients.class_model(net, steps=2.5)


@pytest.fixture(scope="module")
def zoo():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield {name: pretrained.load_pretrained(name) for name in ("shapes_convnet", "mnist_convnet")}


@pytest.mark.parametrize("name, grey", [("shapes_convnet", False), ("mnist_convnet", True)])
def test_the_notebooks_class_models_are_classified_as_their_class_with_high_confidence(zoo, name, grey):
    """Notebook 07's settings: 100 steps, reg = 1e-3; every class, an independent forward pass."""
    from threadpoolctl import threadpool_limits

    net = zoo[name]
    with threadpool_limits(limits=1, user_api="blas"):
        result = gradients.class_model(net, steps=100, reg=1e-3, grey=grey)
        probs = np.exp(net.loss(np.clip(result.images, 0, 1)).astype(np.float64))
    probs /= probs.sum(axis=1, keepdims=True)
    assert (probs.argmax(axis=1) == np.arange(10)).all()
    assert probs[np.arange(10), np.arange(10)].min() > 0.99
    if grey:
        assert np.array_equal(result.images[:, 0], result.images[:, 2])


# ------------------------------------------------------------------ inversion
@pytest.mark.parametrize("alpha", [6, 3, 2.5])
def test_alpha_norm_gradient_is_the_numerical_one(alpha):
    z = np.random.default_rng(9).standard_normal((2, 4, 4))
    value, grad = gradients.alpha_norm(z, alpha, 0.25)
    assert value == pytest.approx(np.sum(np.abs(z - 0.25) ** alpha))
    numeric = numerical_gradient(lambda v: gradients.alpha_norm(v, alpha, 0.25)[0], z)
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("beta", [2, 1, 3])
def test_total_variation_gradient_is_the_numerical_one(beta):
    z = np.random.default_rng(10).standard_normal((2, 5, 6))
    value, grad = gradients.total_variation(z, beta)
    numeric = numerical_gradient(lambda v: gradients.total_variation(v, beta)[0], z)
    assert np.allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_total_variation_on_a_hand_worked_image():
    x = np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 0.0]])
    # horizontal: (1-0)^2 + (3-1)^2 + (2-2)^2 + (0-2)^2 = 9; vertical: (2-0)^2 + (2-1)^2 + (0-3)^2 = 14
    value, grad = gradients.total_variation(x, 2)
    assert value == 23.0
    # d/dx[0,0] = -2*(1-0) - 2*(2-0) = -6; d/dx[1,2] = +2*(0-2) + 2*(0-3) = -10
    assert grad[0, 0] == -6.0 and grad[1, 2] == -10.0
    # beta = 1: the root of each pixel's dx^2 + dy^2: (1 + 4), (4 + 1), (0 + 9), (0 + 0), (4 + 0), (0 + 0)
    assert gradients.total_variation(x, 1)[0] == pytest.approx(2 * np.sqrt(5) + 3 + 2)


def test_invert_lowers_its_objective_and_batches_layers_without_mixing_them(images):
    net = tiny_net(dtype=np.float32)
    x = images[0]
    together = gradients.invert_layers(net, x, ["conv1", "pool1", "fc1"], steps=60, learning_rate=0.05)
    for inv in together:
        assert inv.objective.shape == (61,)
        assert inv.objective[-1] < 0.5 * inv.objective[0], inv.layer
        assert inv.image.shape == x.shape
    alone = gradients.invert(net, x, "pool1", steps=60, learning_rate=0.05)
    assert np.allclose(alone.image, together[1].image, rtol=1e-7, atol=1e-9)
    assert alone.feature_error == pytest.approx(together[1].feature_error, rel=1e-6)
    # the reported errors are what they say, recomputed here
    exact = gradients.copy_net(net, np.float64)
    phi0 = exact.activations(x[None], "pool1")[0]
    phi = exact.activations(alone.image[None], "pool1")[0]
    assert alone.feature_error == pytest.approx(np.linalg.norm(phi - phi0) / np.linalg.norm(phi0), rel=1e-9)
    assert alone.image_error == pytest.approx(np.linalg.norm(alone.image - x) / np.linalg.norm(x - 0.5), rel=1e-9)
    # the objective's last entry is the objective of the returned image
    n = x.size
    objective = (np.sum((phi - phi0) ** 2) / np.sum(phi0 ** 2)
                 + 1.0 * np.sum(np.abs((alone.image - 0.5) / 0.5) ** 6) / n
                 + 2.0 * gradients.total_variation(alone.image, 2)[0] / n)
    assert alone.objective[-1] == pytest.approx(objective, rel=1e-9)


def test_invert_refuses_what_it_cannot_do(images):
    net = tiny_net()
    with pytest.raises(ValueError, match="one image of shape"):
        gradients.invert(net, images, "conv1")
    with pytest.raises(ValueError, match="no layer named"):
        gradients.invert(net, images[0], "conv9")
    with pytest.raises(ValueError, match="alpha must be > 1"):
        gradients.invert(net, images[0], "conv1", alpha=1)
