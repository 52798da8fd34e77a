"""understanding (notebook 06): every measurement against an independent route.

Occlusion maps against a one-position-at-a-time loop; the lowest point and "inside the
object" on hand-made maps; dead filters on a net with a filter zeroed by hand; sparsity
of the shipped nets against their untrained twins; the roughness of filters in closed
form; the top-k images against a brute-force search and their boxes against the
receptive field worked out by hand; k-NN accuracy against scikit-learn; the shipped
t-SNE embeddings against their inputs; the cue net against the clean net.
"""
import numpy as np
import pytest

from cs231n_lib import arithmetic, data, pretrained, understanding
from cs231n_lib.recipes import mnist_convnet, shapes_convnet, shapes_cue_convnet


def _loop_occlusion(net, x, label, size, stride, fill):
    """One forward pass per position, written without the library's batching."""
    C, H, W = x.shape
    rows, cols = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            img = x.copy()
            img[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            scores = net.loss(img[None]).astype(np.float64)[0]
            p = np.exp(scores - scores.max())
            out[i, j] = p[label] / p.sum()
    return out


@pytest.fixture(scope="module")
def shapes_test():
    return data.load_shapes(num_train=0, num_val=0, num_test=300, seed=0)


class _Zoo(dict):
    """The zoo's nets, each loaded (and checked against its sha256) when first asked for."""

    def __missing__(self, name):
        self[name] = pretrained.load_pretrained(name)
        return self[name]


@pytest.fixture(scope="module")
def zoo():
    return _Zoo()


# ------------------------------------------------------------------ occlusion
@pytest.mark.parametrize("size, stride, fill, batch_size", [(8, 4, 0.5, 256), (5, 3, 0.0, 7), (32, 1, 1.0, 3)])
def test_occlusion_map_equals_the_loop(size, stride, fill, batch_size):
    net = shapes_convnet.build(seed=1)
    x = np.random.default_rng(0).random((3, 32, 32)).astype(np.float32)
    got = understanding.occlusion_map(net, x, 3, size=size, stride=stride, fill=fill, batch_size=batch_size)
    want = _loop_occlusion(net, x, 3, size, stride, fill)
    assert got.shape == want.shape == ((32 - size) // stride + 1,) * 2
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("batch_size", [1, 13, 49, 256])
def test_occlusion_maps_of_many_images_equal_the_loop_of_each(batch_size):
    net = shapes_convnet.build(seed=2)
    X = np.random.default_rng(1).random((4, 3, 32, 32)).astype(np.float32)
    labels = [0, 7, 3, 9]
    got = understanding.occlusion_maps(net, X, labels, size=8, stride=4, fill=0.25, batch_size=batch_size)
    assert got.shape == (4, 7, 7)
    for n in range(4):
        np.testing.assert_allclose(got[n], _loop_occlusion(net, X[n], labels[n], 8, 4, 0.25), rtol=1e-5, atol=1e-7)


def test_per_channel_fill_and_errors():
    net = shapes_convnet.build(seed=1)
    x = np.zeros((3, 32, 32), dtype=np.float32)
    got = understanding.occlusion_map(net, x, 0, size=16, stride=16, fill=[1.0, 0.0, 0.0])
    assert got.shape == (2, 2)
    np.testing.assert_allclose(got, _loop_occlusion(net, x, 0, 16, 16, np.array([1.0, 0, 0])[:, None, None]),
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="2 values but the image has 3 channels"):
        understanding.occlusion_map(net, x, 0, fill=[1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        understanding.occlusion_map(net, x[None], 0)
    with pytest.raises(ValueError, match="classes of this net, indices 0..9"):
        understanding.occlusion_map(net, x, 10)
    with pytest.raises(ValueError, match="not an integer"):
        understanding.occlusion_map(net, x, 0, size=8, stride=5)
    with pytest.raises(ValueError, match=r"one class index per image: shape \(2,\) for 2 image"):
        understanding.occlusion_maps(net, np.stack([x, x]), [0])


def test_the_lowest_point_and_whether_it_is_on_the_object_by_hand():
    maps = np.ones((3, 4, 4))
    maps[0, 2, 1] = 0.1          # patch corner (2*3, 1*3) = (6, 3), size 4: centre (7.5, 4.5)
    maps[1, 0, 0] = maps[1, 3, 3] = 0.2   # a tie: the first position, row by row
    maps[2, 1, 3] = 0.0          # centre (4.5, 10.5)
    centres = understanding.minimum_centres(maps, size=4, stride=3)
    np.testing.assert_array_equal(centres, [[7.5, 4.5], [1.5, 1.5], [4.5, 10.5]])
    masks = np.zeros((3, 16, 16), dtype=bool)
    masks[0, 7:9, 4:5] = True    # 2 of the 4 middle pixels (7..8, 4..5): half counts as inside
    masks[1, 2, 2] = True        # 1 of 4: outside
    masks[2, 0:4, :] = True      # rows 0..3 only: the middle pixels are rows 4 and 5: outside
    assert understanding.minimum_inside_object(maps, masks, 4, 3).tolist() == [True, False, False]
    odd = np.ones((1, 3, 3))
    odd[0, 1, 2] = 0             # size 5, stride 2: centre (2 + 2, 4 + 2) = (4, 6), one pixel
    mask = np.zeros((1, 9, 9), dtype=bool)
    mask[0, 4, 6] = True
    assert understanding.minimum_centres(odd, 5, 2).tolist() == [[4.0, 6.0]]
    assert understanding.minimum_inside_object(odd, mask, 5, 2).tolist() == [True]
    # the baseline: 9 positions of size 5, stride 2 on 9x9; only the centre (4, 6) is on the object
    assert understanding.position_inside_fraction(mask, 5, 2).tolist() == [1 / 9]
    square = np.zeros((1, 8, 8), dtype=bool)
    square[0, 2:6, 2:6] = True   # size 2, stride 2: 16 positions, centres (0.5 + 2i, 0.5 + 2j)
    # blocks (rows 2i..2i+1, columns 2j..2j+1): i, j in {1, 2} lie on the square: 4 of 16
    assert understanding.position_inside_fraction(square, 2, 2).tolist() == [4 / 16]


# ------------------------------------------------------------------ activations
def test_dead_filters_finds_exactly_a_filter_zeroed_by_hand():
    net = shapes_convnet.build(seed=0)
    X = np.random.default_rng(3).random((40, 3, 32, 32)).astype(np.float32)
    assert not understanding.dead_filters(net, X, "relu2").any()   # no conv filter is dead at first
    before = understanding.dead_filters(net, X, "relu4")  # an untrained FC layer has some already
    assert not before[11]
    net.params["conv2.W"][5] = 0
    net.params["conv2.b"][5] = 0
    for layer in ("relu2", "pool2"):
        mask = understanding.dead_filters(net, X, layer, batch_size=7)
        assert mask.dtype == bool and np.flatnonzero(mask).tolist() == [5], layer
    acts = net.activations(X, "relu2")  # the loop: a channel is dead if every value of every map is 0
    assert [c for c in range(32) if all((acts[n, c] == 0).all() for n in range(40))] == [5]
    fc = shapes_convnet.build(seed=0)   # a fresh net: only FC unit 11 zeroed (and pushed below 0)
    fc.params["fc1.W"][:, 11] = 0
    fc.params["fc1.b"][11] = -1.0
    after = understanding.dead_filters(fc, X, "relu4", batch_size=7)
    assert np.flatnonzero(after & ~before).tolist() == [11] and not (before & ~after).any()
    acts = fc.activations(X, "relu4")
    assert [u for u in range(64) if all(acts[n, u] == 0 for n in range(40))] == np.flatnonzero(after).tolist()
    with pytest.raises(ValueError, match="'relu2'"):
        understanding.dead_filters(net, X, "conv2")


def test_sparsity_is_the_fraction_of_zeros():
    net = shapes_convnet.build(seed=0)
    X = np.random.default_rng(4).random((30, 3, 32, 32)).astype(np.float32)
    got = understanding.sparsity(net, X, batch_size=8)
    assert list(got) == ["relu1", "relu2", "relu3", "relu4"]
    acts = net.activations(X)
    for name, value in got.items():
        a = acts[name]
        assert value == pytest.approx(np.count_nonzero(a == 0) / a.size)


@pytest.mark.parametrize("name, recipe, layers", [("shapes_convnet", shapes_convnet, ["relu3", "relu4"]),
                                                  ("mnist_convnet", mnist_convnet, ["relu2", "relu3"])])
def test_a_trained_nets_deep_layers_are_sparser_than_the_untrained_nets(name, recipe, layers, zoo):
    """The notes: activations start dense and become sparse as training progresses."""
    if name == "shapes_convnet":
        X = data.load_shapes(num_train=0, num_val=0, num_test=300)["X_test"]
    else:
        X = data.load_mnist()["X_test"][:300]
    trained = understanding.sparsity(zoo[name], X, layers)
    untrained = understanding.sparsity(recipe.build(seed=0), X, layers)
    for layer in layers:
        assert trained[layer] > untrained[layer] + 0.1, (layer, trained, untrained)


def test_watch_training_measures_what_sparsity_and_dead_filters_measure():
    d = data.load_shapes(num_train=200, num_val=0, num_test=40, seed=1)
    net = shapes_convnet.build(seed=0)
    untrained = understanding.sparsity(net, d["X_test"])
    watch = understanding.watch_training(net, d["X_train"], d["y_train"], d["X_test"], iterations=6, every=3,
                                         learning_rate=1e-3, batch_size=20)
    assert watch.iterations == [0, 3, 6] and len(watch.loss_history) == 6
    for layer in ("relu1", "relu2", "relu3", "relu4"):
        assert watch.sparsity[layer][0] == pytest.approx(untrained[layer])
        assert watch.sparsity[layer][-1] == pytest.approx(understanding.sparsity(net, d["X_test"], [layer])[layer])
        assert watch.dead[layer][-1] == int(understanding.dead_filters(net, d["X_test"], layer).sum())


def test_a_too_high_learning_rate_kills_conv_filters_a_sensible_one_does_not():
    """The notebook's short runs (section 2): the same net, the same minibatches, two learning rates."""
    d = data.load_shapes(num_train=1000, num_val=0, num_test=200, seed=0)
    dead = {}
    for lr in (3e-3, 3e-2):
        watch = understanding.watch_training(shapes_convnet.build(seed=0), d["X_train"], d["y_train"], d["X_test"],
                                             iterations=40, every=20, learning_rate=lr, layers=["relu2", "relu3"])
        dead[lr] = watch.dead["relu2"][-1] + watch.dead["relu3"][-1]
    assert dead[3e-3] <= 4 and dead[3e-2] >= 32, dead


# ------------------------------------------------------------------ filters
def test_filter_roughness_in_closed_form():
    F = np.ones((1, 1, 5, 5))
    checker = np.indices((5, 5)).sum(axis=0) % 2 * 2.0 - 1      # +-1 checkerboard
    ramp = np.tile(np.arange(5.0), (5, 1))                     # 0 1 2 3 4 in every row
    W = np.stack([F[0], checker[None], ramp[None]])
    # constant: no differences; checkerboard: every difference is 2, squared 4, against 2 * 1;
    # ramp: 20 horizontal pairs differ by 1, 20 vertical by 0 (mean 1/2), mean square 30/5 = 6
    np.testing.assert_allclose(understanding.filter_roughness(W), [0.0, 2.0, (1 / 2) / (2 * 6)])
    noise = np.random.default_rng(0).standard_normal((4, 3, 64, 64))
    np.testing.assert_allclose(understanding.filter_roughness(noise), 1.0, atol=0.03)
    assert understanding.filter_roughness(np.zeros((2, 1, 3, 3))).tolist() == [0.0, 0.0]
    np.testing.assert_allclose(understanding.filter_roughness(checker[None]), [2.0])  # (F, HH, WW)


# ------------------------------------------------------------------ maximally activating images
def test_max_activating_finds_the_largest_and_its_receptive_field(zoo, shapes_test):
    net, X = zoo["shapes_convnet"], shapes_test["X_test"][:200]
    result = understanding.max_activating(net, X, "pool3", 5, k=9)
    acts = net.activations(X, "pool3")
    best = [float(acts[n, 5].max()) for n in range(len(X))]      # brute force, image by image
    order = sorted(range(len(X)), key=lambda n: -best[n])
    assert result.indices.tolist() == order[:9]
    np.testing.assert_allclose(result.values, [best[n] for n in order[:9]], rtol=1e-6)
    assert all(result.values[:-1] >= result.values[1:])
    # pool3: 3x3 convs with padding 1 and 2x2 pools, three times. By hand, from the input:
    # r = 1 + 2 + 1 + 2*2 + 1*2 + 2*4 + 1*4 = 22, S = 8, P = 1 + 1*2 + 1*4 = 7.
    for n, (i, j), box in zip(result.indices, result.positions, result.boxes):
        assert acts[n, 5, i, j] == acts[n, 5].max()
        assert tuple(box) == (8 * i - 7, 8 * j - 7, 8 * i - 7 + 22, 8 * j - 7 + 22)
    # the box is the field the arithmetic module computes for that position
    row = next(r for r in arithmetic.receptive_field(net) if r.name == "pool3")
    assert (row.size, row.stride, row.padding) == (22, 8, 7)


def test_max_activating_with_directions_flat_layers_and_ties():
    net = shapes_convnet.build(seed=0)
    X = np.random.default_rng(5).random((30, 3, 32, 32)).astype(np.float32)
    acts = understanding.layer_activations(net, X, "pool2")
    e3 = np.zeros(32)
    e3[3] = 1
    by_channel = understanding.max_activating(net, X, "pool2", 3, k=5, acts=acts)
    by_direction = understanding.max_activating(net, X, "pool2", e3, k=5, acts=acts)
    assert by_channel.indices.tolist() == by_direction.indices.tolist()
    d = np.random.default_rng(6).standard_normal(32)
    values, positions = understanding.unit_responses(acts, d)
    for n in range(30):  # the response to a direction: the largest of the rotated map
        rotated = np.tensordot(d, acts[n].astype(np.float64), axes=1)
        assert values[n] == pytest.approx(rotated.max())
        assert rotated[tuple(positions[n])] == pytest.approx(rotated.max())
    flat = understanding.max_activating(net, X, "relu4", 2, k=3)
    assert flat.positions is None and flat.boxes.shape == (3, 4)
    assert tuple(flat.boxes[0]) == (-7, -7, 39, 39)  # fc1 sees all 4x4 pool3 units: 22 + 3*8 = 46 pixels
    tied = np.zeros((6, 2, 2, 2))
    tied[[1, 4], 0, 1, 1] = 2.0
    values, positions = understanding.unit_responses(tied, 0)
    assert np.argsort(-values, kind="stable")[:3].tolist() == [1, 4, 0]
    assert positions[0].tolist() == [0, 0]
    with pytest.raises(ValueError, match="between 1 and"):
        understanding.max_activating(net, X, "pool2", 3, k=31)


def test_crop_fills_what_lies_past_the_image():
    image = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
    out = understanding.crop(image, (-1, 3, 2, 7), fill=-9)
    assert out.shape == (2, 3, 4)
    assert (out[:, 0] == -9).all() and (out[:, :, 2:] == -9).all()
    np.testing.assert_array_equal(out[:, 1:, :2], image[:, 0:2, 3:5])


def test_purity_and_random_directions_by_hand():
    values = np.array([5.0, 1.0, 4.0, 3.0, 0.0, 2.0])
    labels = np.array([2, 0, 2, 1, 2, 1])
    assert understanding.top_k_purity(values, labels, k=3) == pytest.approx(2 / 3)  # 2, 2, 1
    assert understanding.top_k_purity(values, labels, k=1) == 1.0
    d = understanding.random_directions(8, 5, seed=1)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0)
    acts = np.zeros((6, 2))
    acts[:, 0] = values
    acts[:, 1] = -values
    np.testing.assert_allclose(understanding.direction_purities(acts, labels, [0, np.array([1.0, 0.0])], k=3),
                               [2 / 3, 2 / 3])



def test_chance_purity_is_the_mean_over_every_draw():
    """The exact expectation against an enumeration of every k-subset (an independent route)."""
    import itertools

    for labels, k in (([0, 0, 0, 1, 1, 2, 2, 2, 2], 3), ([0, 1, 1, 2, 3, 3, 3], 4), ([0, 0, 1, 1], 1),
                      ([4, 4, 4, 4, 1], 5)):
        labels = np.array(labels)
        every = [np.bincount(labels[list(c)]).max() / k for c in itertools.combinations(range(len(labels)), k)]
        assert understanding.chance_purity(labels, k) == pytest.approx(np.mean(every), abs=1e-15)
    assert understanding.chance_purity(np.repeat(np.arange(10), 100), 1) == 1.0
    assert understanding.chance_purity(np.arange(20), 9) == pytest.approx(1 / 9)   # every image its own class


def test_chance_purity_refuses_a_k_it_cannot_draw():
    with pytest.raises(ValueError, match="k must be between 1 and the number of images"):
        understanding.chance_purity(np.array([0, 1, 1]), 4)
    with pytest.raises(ValueError, match="k must be between 1"):
        understanding.chance_purity(np.array([0, 1, 1]), 0)
    with pytest.raises(ValueError, match="labels"):
        understanding.chance_purity(np.array([0.5, 1.0]), 1)

# ------------------------------------------------------------------ codes, k-NN, t-SNE
def test_knn_accuracy_equals_scikit_learns_leave_one_out():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(7)
    y = rng.integers(0, 4, 120)
    Z = rng.standard_normal((120, 6)) + y[:, None] * 0.8
    for k in (1, 5, 7):
        hits = 0
        for n in range(len(Z)):
            keep = np.arange(len(Z)) != n
            clf = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(Z[keep], y[keep])
            hits += int(clf.predict(Z[n:n + 1])[0] == y[n])
        assert understanding.knn_accuracy(Z, y, k) == pytest.approx(hits / len(Z))


def test_codes_are_the_last_relu_and_class_geometry_by_hand(zoo, shapes_test):
    net, X = zoo["shapes_convnet"], shapes_test["X_test"][:20]
    np.testing.assert_array_equal(understanding.codes(net, X), net.activations(X, "relu4"))
    Z = np.array([[0.0, 0], [2, 0], [10, 0], [10, 4]])
    y = np.array([0, 0, 1, 1])
    np.testing.assert_allclose(understanding.class_spread(Z, y), [1.0, 2.0])
    np.testing.assert_allclose(understanding.centroid_distances(Z, y), [[0, np.hypot(9, 2)], [np.hypot(9, 2), 0]])


def test_thumbnail_grid_keeps_the_point_nearest_each_cell_centre():
    E = np.array([[0.0, 0.0], [1.0, 1.0], [0.24, 0.76], [0.3, 0.6], [0.9, 0.1]])
    grid = understanding.thumbnail_grid(E, cells=2)
    # cell (row 0 = top, col 0): points 2 (0.24, 0.76) and 3 (0.3, 0.6); centre (0.25, 0.75): point 2
    assert grid.tolist() == [[2, 1], [0, 4]]


def test_the_shipped_tsne_embeddings_match_their_inputs_and_are_embeddings_of_them(zoo):
    from sklearn.manifold import trustworthiness

    arrays, meta = understanding.load_tsne()
    settings = meta["settings"]
    assert settings == understanding.TSNE_SETTINGS
    assert meta["net_sha256"] == pretrained.sha256_of(pretrained.ZOO_DIR / "shapes_convnet.npz")
    d = data.load_shapes(num_train=0, num_val=0, num_test=settings["num_test"], seed=settings["seed"])
    np.testing.assert_array_equal(arrays["labels"], d["y_test"])
    inputs = {"codes": understanding.codes(zoo["shapes_convnet"], d["X_test"], settings["layer"]),
              "pixels": d["X_test"].reshape(len(d["X_test"]), -1)}
    for space, Z in inputs.items():
        sums = [float(np.sum(Z, dtype=np.float64)), float(np.sum(np.asarray(Z, np.float64) ** 2))]
        np.testing.assert_allclose(arrays[f"{space}_sum"], sums, rtol=1e-6)
        for p in settings["perplexities"]:
            E = arrays[f"{space}_p{p}"]
            assert E.shape == (len(Z), 2) and np.isfinite(E).all()
            # an embedding of these points: their 5 nearest neighbours stay near
            assert trustworthiness(Z, E, n_neighbors=5) > 0.85, (space, p)


def test_tsne_reruns_on_a_subset():
    """The script's own function, on 150 codes with fewer iterations: what the shipped file was made with."""
    from sklearn.manifold import trustworthiness

    net = pretrained.load_pretrained("shapes_convnet")
    d = data.load_shapes(num_train=0, num_val=0, num_test=150, seed=0)
    Z = understanding.codes(net, d["X_test"])
    E = understanding.tsne_embedding(Z, perplexity=10, seed=0, max_iter=300)
    assert E.shape == (150, 2) and trustworthiness(Z, E, n_neighbors=5) > 0.85
    assert understanding.knn_accuracy(E, d["y_test"], 5) > 0.6  # the classes stay apart in 2-D


# ------------------------------------------------------------------ the spurious cue
def test_add_cue_paints_the_corner_in_the_class_colour():
    X = np.full((2, 3, 8, 8), 0.2, dtype=np.float32)
    out = shapes_cue_convnet.add_cue(X, [3, 7], size=2)
    np.testing.assert_array_equal(out[1, :, :2, :2], np.broadcast_to(shapes_cue_convnet.CUE_COLOURS[7][:, None, None],
                                                                     (3, 2, 2)))
    assert (out[:, :, 2:, :] == 0.2).all() and (out[:, :, :, 2:] == 0.2).all() and (X == 0.2).all()
    colours = shapes_cue_convnet.CUE_COLOURS
    assert len({tuple(c) for c in colours}) == 10
    assert np.abs(colours - 0.5).max(axis=1).min() >= 0.3  # none is near the grey fill of an occluder
    with pytest.raises(ValueError, match="labels must be classes"):
        shapes_cue_convnet.add_cue(X, [3, 10])


def test_the_cue_net_needs_its_cue_and_looks_at_the_corner(zoo):
    """Accuracy drops without the mark, and occlusion minima fall off the object far more often."""
    d = data.load_shapes(num_train=0, num_val=0, num_test=200, seed=0)
    X, y, masks = d["X_test"], d["y_test"], d["masks_test"]
    marked = shapes_cue_convnet.add_cue(X, y)
    cue, clean = zoo["shapes_cue_convnet"], zoo["shapes_convnet"]
    with_cue = float(np.mean(cue.predict(marked) == y))
    without = float(np.mean(cue.predict(X) == y))
    assert with_cue >= 0.95 and without <= with_cue - 0.3, (with_cue, without)
    outside = {}
    for name, net in (("cue", cue), ("clean", clean)):
        maps = understanding.occlusion_maps(net, marked, y, size=8, stride=4)
        outside[name] = 1 - float(understanding.minimum_inside_object(maps, masks, 8, 4).mean())
    assert outside["cue"] >= outside["clean"] + 0.3, outside


def test_the_regularized_and_unregularized_mnist_nets_differ_only_in_reg(zoo):
    a, b = zoo["mnist_convnet"].meta["recipe"], zoo["mnist_convnet_noreg"].meta["recipe"]
    assert a["reg"] > 0 and b["reg"] == 0
    assert {k: v for k, v in a.items() if k != "reg"} == {k: v for k, v in b.items() if k != "reg"}
