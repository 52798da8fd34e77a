"""The input contract (issue 23, items 2 and 4): every public function that takes images or labels,
given the inputs students really have -- 0..255 pixels, uint8, mean-subtracted images, NaN,
channels-last, a label out of range, one-hot labels, the wrong number of channels, one image for a
batch, an empty batch -- refuses with a message that names the convention and the fix, and works
on a batch of one exactly as on that image inside a batch.

One table-driven test per public function (``test_<function>_table``), over the rows of
:data:`BATCH_ROWS` (batch functions) or :data:`ONE_ROWS` (functions of one image).  Then the
contract's own pieces, the explicit conversion, a student's CS231n-convention net checked against a
twin in the [0, 1] convention (an independent route: the same function of the image, written for
the other scale), and float32 against float64 signs of the gradient routes.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib import adversarial, contract, gradients, normalization, transfer, understanding, zeiler_fergus
from cs231n_lib.nets import SequentialNet, ThreeLayerConvNet, affine, conv, pool, relu

RNG = np.random.default_rng(0)
X4 = RNG.random((4, 3, 8, 8))                    # four images in [0, 1], NCHW
Y4 = np.array([0, 1, 2, 3])
MEAN = X4.mean(axis=0)                           # their "training" mean image


def unit_net(seed=3, dtype=np.float64, convention="unit"):
    return SequentialNet([("conv1", conv(4, 3)), ("relu1", relu()), ("pool1", pool(2)),
                          ("fc1", affine(6)), ("relu2", relu()), ("fc2", affine(4))],
                         input_dim=(3, 8, 8), dtype=dtype, seed=seed, input_mean=0.5, input_convention=convention)


NET = unit_net()
OTHER = unit_net(seed=4)


def _with_nan(X):
    X = np.array(X, copy=True)
    X.flat[5] = np.nan
    return X


def _one_hot(y):
    return np.eye(4)[y]


# ------------------------------------------------------------------ the rows
# (id, make (X, y) -> (X, y), what the message must say; None: it works), for a batch (N, C, H, W)
VALUES = {   # the rows of the values, shared by batch and one-image functions
    "0..255": (lambda X: X * 255, [r"'unit' convention", r"0\.\.255 pixels", r"Divide 0\.\.255 pixels by 255"]),
    "uint8": (lambda X: np.round(X * 255).astype(np.uint8),
              [r"uint8", r"'unit' convention", r"\.astype\(np\.float32\) / 255", r"contract\.as_images"]),
    "mean-subtracted": (lambda X: X - MEAN, [r"'unit' convention", r"mean image subtracted",
                                              r"\+ data\['mean_image'\]"]),
    "NaN": (_with_nan, [r"1 NaN or infinite", r"np\.argwhere"]),
}
BATCH_ROWS = [(name, (lambda f: lambda X, y: (f(X), y))(f), want) for name, (f, want) in VALUES.items()] + [
    ("NHWC", lambda X, y: (X.transpose(0, 2, 3, 1), y), [r"channels-last", r"transpose\(0, 3, 1, 2\)"]),
    ("one image", lambda X, y: (X[0], y[:1]), [r"one image", r"\[None\] is a batch of one"]),
    ("label out of range", lambda X, y: (X, np.array([0, 1, 4, 3])), [r"indices 0\.\.3", r"(y|target|labels)\[2\] = 4"]),
    ("one-hot labels", lambda X, y: (X, _one_hot(y)), [r"one-hot", r"argmax\(axis=1\)"]),
    ("float labels", lambda X, y: (X, y.astype(float)), [r"integers 0\.\.3", r"astype\(np\.int64\)"]),
    ("wrong channels", lambda X, y: (X[:, :1], y), [r"reads 3 channel", r"np\.repeat\(X, 3, axis=1\)"]),
    ("empty batch", lambda X, y: (X[:0], y[:0]), [r"holds no image"]),
    ("batch of one", lambda X, y: (X[2:3], y[2:3]), None),
]
LABEL_ROWS = {"label out of range", "one-hot labels", "float labels"}
# for one image (C, H, W)
ONE_ROWS = [(name, (lambda f: lambda x, y: (f(x), y))(f), [w.replace("X", "x") if "astype" in w else w for w in want])
            for name, (f, want) in VALUES.items()] + [
    ("HWC", lambda x, y: (x.transpose(1, 2, 0), y), [r"channels-last", r"x0?\.transpose\(2, 0, 1\)"]),
    ("a batch", lambda x, y: (X4[:2], y), [r"batch of 2 image", r"x0?\[n\]"]),
    ("a batch of one", lambda x, y: (X4[:1], y), [r"batch of 1 image", r"x0?\[n\]"]),
    ("label out of range", lambda x, y: (x, 4), [r"indices 0\.\.3"]),
    ("wrong channels", lambda x, y: (x[:1], y), [r"reads 3 channel", r"np\.repeat\(x0?, 3, axis=0\)"]),
    ("one image", lambda x, y: (x, y), None),
]


# ------------------------------------------------------------------ the functions
def _fit(X, y):
    net = unit_net()
    losses = transfer.fit(net, X, y, epochs=1, batch_size=2, learning_rate=1e-3)
    return np.array(losses)


# name -> (call(X, y), takes labels, row(result, i) or None: the result of image i)
BATCH_FUNCTIONS = {
    "saliency_map": (lambda X, y: gradients.saliency_map(NET, X, y), True, lambda r, i: r[i]),
    "class_score_gradient": (lambda X, y: gradients.class_score_gradient(NET, X, y), True, lambda r, i: r[i]),
    "guided_map": (lambda X, y: gradients.attribution_maps(NET, X, y, "guided"), True, lambda r, i: r[i]),
    "deconvnet_map": (lambda X, y: gradients.attribution_maps(NET, X, y, "deconvnet"), True, lambda r, i: r[i]),
    "occlusion_maps_attribution": (lambda X, y: gradients.attribution_maps(NET, X, y, "occlusion", size=4, stride=4),
                                   True, lambda r, i: r[i]),
    "cascading_randomization": (lambda X, y: gradients.cascading_randomization(NET, X, y, methods=("gradient",)),
                                True, None),
    "scores": (lambda X, y: adversarial.scores(NET, X), False, lambda r, i: r[i]),
    "probabilities": (lambda X, y: adversarial.probabilities(NET, X), False, lambda r, i: r[i]),
    "evaluate": (lambda X, y: adversarial.evaluate(NET, X, y), True, lambda r, i: r.confidences[i]),
    "loss_gradient": (lambda X, y: adversarial.loss_gradient(NET, X, y), True, lambda r, i: r[1][i] * len(r[1])),
    "fgsm_direction": (lambda X, y: adversarial.fgsm_direction(NET, X, y), True, lambda r, i: r[i]),
    "fgsm": (lambda X, y: adversarial.fgsm(NET, X, y, 0.1), True, lambda r, i: r[i]),
    "fgsm_targeted": (lambda X, y: adversarial.fgsm_targeted(NET, X, y, 0.1), True, lambda r, i: r[i]),
    "fgsm_sweep": (lambda X, y: adversarial.fgsm_sweep(NET, X, y, [0.0, 0.1]), True,
                   lambda r, i: r.evaluations[1].confidences[i]),
    "transfer_matrix": (lambda X, y: adversarial.transfer_matrix({"a": NET, "b": OTHER}, X, y, 0.1), True, None),
    "rubbish_check": (lambda X, y: adversarial.rubbish_check(NET, X), False, None),
    "attack_gradient": (lambda X, y: adversarial.attack_gradient(NET, X, y), True, lambda r, i: r[i] * len(r)),
    "pgd": (lambda X, y: adversarial.pgd(NET, X, y, 0.1, steps=2, random_start=False), True, lambda r, i: r[i]),
    "pgd_by_steps": (lambda X, y: adversarial.pgd_by_steps(NET, X, y, 0.1, 0.05, [0, 2], random_start=False), True,
                     lambda r, i: r[2].confidences[i]),
    "pgd_sweep": (lambda X, y: adversarial.pgd_sweep(NET, X, y, [0.0, 0.1], steps=2, random_start=False), True,
                  lambda r, i: r.evaluations[1].confidences[i]),
    "feature_vectors": (lambda X, y: zeiler_fergus.feature_vectors(NET, X, ["relu1", "pixels"]), False,
                        lambda r, i: r["relu1"][i]),
    "layer_activations_all": (lambda X, y: zeiler_fergus.layer_activations_all(NET, X, ["relu2"]), False,
                              lambda r, i: r["relu2"][i]),
    "occlusion_maps": (lambda X, y: understanding.occlusion_maps(NET, X, y, size=4, stride=4), True,
                       lambda r, i: r[i]),
    "layer_activations": (lambda X, y: understanding.layer_activations(NET, X, "relu1"), False, lambda r, i: r[i]),
    "sparsity": (lambda X, y: understanding.sparsity(NET, X), False, None),
    "dead_filters": (lambda X, y: understanding.dead_filters(NET, X, "relu1"), False, None),
    "watch_training": (lambda X, y: understanding.watch_training(unit_net(), X, y, X, iterations=2, every=1,
                                                                 batch_size=2), True, None),
    "max_activating": (lambda X, y: understanding.max_activating(NET, X, "relu1", 0, k=1), False, None),
    "codes": (lambda X, y: understanding.codes(NET, X), False, lambda r, i: r[i]),
    "cnn_codes": (lambda X, y: transfer.cnn_codes(NET, X), False, lambda r, i: r[i]),
    "fit": (_fit, True, None),
    "accuracy": (lambda X, y: transfer.accuracy(NET, X, y), True, None),
    "score_map": (lambda X, y: transfer.score_map(NET, X), False, lambda r, i: r[i]),
    "lrn_terms": (lambda X, y: normalization.lrn_terms(NET, X), False, None),
}
ONE_FUNCTIONS = {
    "occlusion_attribution": (lambda x, y: gradients.occlusion_attribution(NET, x, y, size=4, stride=4), True),
    "kinks_crossed": (lambda x, y: gradients.kinks_crossed(NET, x, X4[1]), False),
    "invert": (lambda x, y: gradients.invert(NET, x, "relu1", steps=2), False),
    "scores_along": (lambda x, y: adversarial.scores_along(NET, x, np.ones((3, 8, 8)), [-0.1, 0.0, 0.1]), False),
    "occlusion_map": (lambda x, y: understanding.occlusion_map(NET, x, y, size=4, stride=4), True),
    "fooling_image": (lambda x, y: adversarial.fooling_image(NET, x, y, max_steps=2), True),
    "pixel_attack": (lambda x, y: adversarial.pixel_attack(NET, x, y, popsize=5, maxiter=1), True),
}


def _expect(call, want):
    with pytest.raises(ValueError) as err:
        call()
    text = str(err.value)
    for pattern in want:
        assert re.search(pattern, text), f"{pattern!r} not in: {text}"
    return text


def _same(a, b):
    for u, v in zip(np.atleast_1d(a).ravel(), np.atleast_1d(b).ravel()):
        assert u == pytest.approx(v, rel=1e-9, abs=1e-12)


def _batch_table(name):
    call, labels, row = BATCH_FUNCTIONS[name]
    rows = [r for r in BATCH_ROWS if labels or r[0] not in LABEL_ROWS]

    @pytest.mark.parametrize("case, make, want", rows, ids=[r[0] for r in rows])
    def test(case, make, want):
        X, y = make(X4, Y4)
        if want is not None:
            _expect(lambda: call(X, y), want)
            return
        one = call(X, y)                      # a batch of one works ...
        if row is not None:                   # ... and gives what image 2 gets inside the batch
            _same(row(one, 0), row(call(X4, Y4), 2))

    test.__name__ = f"test_{name}_table"
    return test


def _one_table(name):
    call, labels = ONE_FUNCTIONS[name]
    rows = [r for r in ONE_ROWS if labels or r[0] not in LABEL_ROWS]

    @pytest.mark.parametrize("case, make, want", rows, ids=[r[0] for r in rows])
    def test(case, make, want):
        x, y = make(X4[2], 2)
        if want is None:
            call(x, y)
        else:
            _expect(lambda: call(x, y), want)

    test.__name__ = f"test_{name}_table"
    return test


for _name in BATCH_FUNCTIONS:
    globals()[f"test_{_name}_table"] = _batch_table(_name)
for _name in ONE_FUNCTIONS:
    globals()[f"test_{_name}_table"] = _one_table(_name)


# ------------------------------------------------------------------ labels and amounts alone
@pytest.mark.parametrize("classes, want", [
    ([4], [r"indices 0\.\.3", r"classes\[0\] = 4"]),
    ([1.0], [r"list of class indices"]),
    ([], [r"list of class indices"]),
])
def test_class_model_table(classes, want):
    _expect(lambda: gradients.class_model(NET, classes, steps=1), want)


@pytest.mark.parametrize("function", [understanding.knn_accuracy, understanding.class_spread,
                                      understanding.centroid_distances, understanding.top_k_purity])
@pytest.mark.parametrize("y, want", [
    ([0, 1, 1.5], [r"float64 values", r"integers"]), ([0, -1, 1], [r">= 0"]), ([0, 1], [r"one class index per"]),
    ([True, False, True], [r"booleans"]),
])
def test_labels_of_points_table(function, y, want):
    """Labels of codes or points (no net, no number of classes): integers >= 0, one per point."""
    Z = np.arange(6.0).reshape(3, 2)
    _expect(lambda: function(Z if function is not understanding.top_k_purity else Z[:, 0], y), want)


def test_points_must_be_finite_rows():
    _expect(lambda: understanding.knn_accuracy(np.array([[0.0], [np.nan], [1.0]]), [0, 1, 0], k=1),
            [r"1 NaN or infinite"])
    _expect(lambda: understanding.class_spread(np.zeros(3), [0, 1, 0]), [r"one row per image"])


@pytest.mark.parametrize("y, want", [
    ([0, 4], [r"indices 0\.\.3"]), ([0], [r"one class index per image", r"\(2,\)"]),
    (_one_hot(np.array([0, 1])), [r"one-hot"]), ([True, False], [r"booleans"]),
])
def test_evaluate_probabilities_table(y, want):
    probs = np.full((2, 4), 0.25)
    _expect(lambda: adversarial.evaluate_probabilities(probs, y), want)


@pytest.mark.parametrize("eps, want", [
    (25, [r"eps=25 is the largest change of one pixel", r"'unit' convention", r"percent", r"eps=0\.25",
          r"eps=0\.098"]),
    (1.5, [r"1\.5 times it"]),
    (-0.1, [r">= 0"]),
    (float("nan"), [r"finite"]),
    ("0.1", [r"one number"]),
    (True, [r"one number"]),
])
def test_eps_table(eps, want):
    for call in (lambda: adversarial.fgsm(NET, X4, Y4, eps), lambda: adversarial.fgsm_targeted(NET, X4, 1, eps),
                 lambda: adversarial.fgsm_sweep(NET, X4, Y4, [0.0, eps]),
                 lambda: adversarial.transfer_matrix({"a": NET}, X4, Y4, eps),
                 lambda: adversarial.AdversarialObjective(NET, eps=eps),
                 lambda: adversarial.pgd(NET, X4, Y4, eps, steps=1), lambda: adversarial.PGDObjective(NET, eps=eps)):
        _expect(call, want)


def test_a_whole_range_eps_is_the_largest_accepted():
    out = adversarial.fgsm(NET, X4, Y4, 1.0)
    assert set(np.unique(out)) <= {0.0, 1.0}     # every pixel pushed to an end of [0, 1]


@pytest.mark.parametrize("num_classes", [2.5, True, 0, "5"])
def test_with_new_head_table(num_classes):
    _expect(lambda: NET.with_new_head(num_classes), [r"num_classes must be a whole number >= 1"])


def test_the_scoring_functions_score_perturbations_and_noise_only_when_told():
    unclipped = X4 + 0.25 * adversarial.fgsm_direction(NET, X4, Y4)
    noise = adversarial.gaussian_noise(4, (3, 8, 8), seed=0, dtype=np.float64)
    for X in (unclipped, noise):
        _expect(lambda: adversarial.scores(NET, X), [r"'unit' convention"])
        got = adversarial.scores(NET, X, values="scale")
        np.testing.assert_array_equal(got, NET.activations(X, "fc2"))      # scored as they are
    assert adversarial.rubbish_check(NET, noise, values="scale").n == 4
    assert adversarial.evaluate(NET, unclipped, Y4, values="scale").n == 4
    # a batch of another scale is refused even then
    _expect(lambda: adversarial.scores(NET, X4 * 255, values="scale"), [r"0\.\.255 pixels"])
    _expect(lambda: adversarial.scores(NET, X4, values="anything"), [r"values must be 'pixels'"])


def test_a_net_without_a_convention_is_checked_but_asks_for_one_before_a_default_that_needs_it():
    net = unit_net(convention=None)
    np.testing.assert_array_equal(gradients.saliency_map(net, X4 * 255, Y4),     # as CS231n's: no values checked
                                  gradients.saliency_map(net, X4 * 255, Y4))
    _expect(lambda: gradients.saliency_map(net, np.round(X4 * 255).astype(np.uint8), Y4), [r"uint8"])
    need = [r"does not say which input convention", r"net\.input_convention = 'unit'"]
    _expect(lambda: adversarial.fgsm(net, X4, Y4, 0.1), need + [r"clip=\(low, high\)"])
    _expect(lambda: gradients.class_model(net, steps=1), need + [r"step_size="])
    _expect(lambda: gradients.occlusion_attribution(net, X4[0], 0, size=4, stride=4), need + [r"fill="])
    _expect(lambda: gradients.invert(net, X4[0], "relu1", steps=1), need + [r"learning_rate="])
    _expect(lambda: adversarial.fooling_image(net, X4[0], 1, max_steps=1), need)
    # given explicitly, they work
    np.testing.assert_array_equal(adversarial.fgsm(net, X4, Y4, 0.1, clip=(0, 1)), adversarial.fgsm(NET, X4, Y4, 0.1))
    net.input_convention = "unit"
    assert gradients.class_model(net, steps=2, init="noise").images.shape == (4, 3, 8, 8)


def test_nets_themselves_refuse_integer_pixels_when_they_know_their_convention():
    pixels = np.round(X4 * 255).astype(np.uint8)
    _expect(lambda: NET.activations(pixels, "fc2"), [r"uint8", r"/ 255"])
    _expect(lambda: NET.predict(pixels), [r"uint8"])
    net = unit_net(convention=None)                  # CS231n's nets take any numbers
    assert net.activations(pixels, "fc2").shape == (4, 4)
    _expect(lambda: NET.activations(X4 > 0.5, "fc2"), [r"booleans"])
    _expect(lambda: NET.activations(X4[0], "fc2"), [r"X\[None\] is a batch of one"])


# ------------------------------------------------------------------ the explicit conversion
def test_as_images_is_the_conversion_the_messages_name():
    pixels = np.round(X4 * 255).astype(np.uint8)
    images = contract.as_images(pixels, NET)
    assert images.dtype == np.float64                     # the net's dtype
    np.testing.assert_array_equal(images, pixels.astype(np.float64) / 255)
    np.testing.assert_array_equal(gradients.saliency_map(NET, images, Y4),
                                  gradients.saliency_map(NET, pixels / 255.0, Y4))
    nhwc = pixels.transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(contract.as_images(nhwc, NET, channels_last=True), images)
    cs = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=3, num_classes=4,
                           input_convention="cs231n")
    m = pixels.astype(np.float32).mean(axis=0)
    np.testing.assert_array_equal(contract.as_images(pixels, cs, mean_image=m), pixels.astype(np.float32) - m)
    _expect(lambda: contract.as_images(pixels, cs), [r"mean_image=data\['mean_image'\]"])
    _expect(lambda: contract.as_images(pixels.astype(float) * 2, NET), [r"0\.\.255 pixels"])


def test_the_convention_record():
    assert set(contract.CONVENTIONS) == set(contract.INPUT_CONVENTIONS) == {"unit", "unit-centred", "cs231n"}
    assert contract.pixel_range(NET) == (0.0, 1.0) and contract.grey(NET) == 0.5 and contract.scale(NET) == 1.0
    cs = contract.CONVENTIONS["cs231n"]
    assert (cs.low, cs.high, cs.grey, cs.scale) == (-255.0, 255.0, 0.0, 255.0)
    assert contract.clip_range("pixels", NET) == (0.0, 1.0) and contract.clip_range(None, NET) is None
    _expect(lambda: contract.clip_range((1, 0), NET), [r"low < high"])
    _expect(lambda: contract.clip_range("pixel", NET), [r"'pixels'"])


# ------------------------------------------------------------------ conventions told apart
def test_each_convention_names_the_others_data():
    cs = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=3, num_classes=4,
                           input_convention="cs231n", dtype=np.float64)
    centred = unit_net(convention="unit-centred")
    raw = np.round(X4 * 255)
    _expect(lambda: gradients.saliency_map(cs, X4, Y4), [r"'cs231n' convention", r"look like images in \[0, 1\]",
                                                          r"255 \* \(X - m\)"])
    _expect(lambda: gradients.saliency_map(cs, raw, Y4), [r"'cs231n' convention", r"not one value below 0",
                                                           r"mean image has not been subtracted"])
    assert gradients.saliency_map(cs, raw - raw.mean(axis=0), Y4).shape == (4, 8, 8)
    _expect(lambda: gradients.saliency_map(centred, X4, Y4), [r"'unit-centred' convention", r"not one value below 0"])
    _expect(lambda: gradients.saliency_map(centred, raw - raw.mean(axis=0), Y4), [r"'unit-centred'",
                                                                                     r"0\.\.255 pixels"])
    assert gradients.saliency_map(centred, X4 - MEAN, Y4).shape == (4, 8, 8)
    _expect(lambda: adversarial.fgsm(cs, raw - raw.mean(axis=0), Y4, 0.25),
            [r"less than one grey level", r"eps=63\.75"])


# ------------------------------------------------------------------ a student's CS231n-convention net
@pytest.fixture(scope="module")
def cs231n_pair():
    """A ThreeLayerConvNet in the 'cs231n' convention trained briefly on shapes loaded with
    scale='cs231n', and its twin in the 'unit' convention: the same weights but the first layer's
    times 255, subtracting the data's mean image itself.  twin(x) = net(255 * (x - m)) for an image
    x in [0, 1] whose cs231n form is 255 * (x - m)."""
    from cs231n_lib.data import load_shapes
    from cs231n_lib.solver import Solver

    data = load_shapes(num_train=60, num_val=20, num_test=8, seed=0, scale="cs231n")
    assert data["input_convention"] == "cs231n"
    net = ThreeLayerConvNet(num_filters=4, filter_size=3, hidden_dim=16, num_classes=len(data["class_names"]),
                            weight_scale=1e-2, dtype=np.float64, seed=0, input_convention="cs231n")
    Solver(net, data, update_rule="adam", optim_config={"learning_rate": 1e-3}, num_epochs=3, batch_size=20,
           verbose=False, progress=False, seed=0).train()
    m = data["mean_image"].astype(np.float64) / 255
    twin = ThreeLayerConvNet(**dict(net.spec(), input_mean=m, input_convention="unit"))
    for key, value in net.params.items():
        twin.params[key] = value.copy()
    twin.params["W1"] = 255 * net.params["W1"]
    X_c = data["X_test"].astype(np.float64)
    X_u = (X_c + data["mean_image"].astype(np.float64)) / 255
    return net, twin, X_c, X_u, data["y_test"], m


def test_the_twin_is_the_same_function(cs231n_pair):
    net, twin, X_c, X_u, y, m = cs231n_pair
    np.testing.assert_allclose(twin.loss(X_u), net.loss(X_c), rtol=1e-9, atol=1e-9)
    assert np.ptp(adversarial.probabilities(net, X_c), axis=1).min() > 1e-3      # trained: not uniform


def test_gradients_of_a_cs231n_net_are_the_twins_over_255(cs231n_pair):
    net, twin, X_c, X_u, y, m = cs231n_pair
    np.testing.assert_allclose(255 * gradients.class_score_gradient(net, X_c, y),
                               gradients.class_score_gradient(twin, X_u, y), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(255 * gradients.saliency_map(net, X_c, y), gradients.saliency_map(twin, X_u, y),
                               rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(transfer.cnn_codes(net, X_c), transfer.cnn_codes(twin, X_u), rtol=1e-9, atol=1e-9)


def test_fgsm_and_fooling_images_of_a_cs231n_net_follow_the_twins(cs231n_pair):
    net, twin, X_c, X_u, y, m = cs231n_pair
    free_c = adversarial.fgsm(net, X_c, y, 0.1 * 255, clip=None)
    np.testing.assert_allclose(free_c, 255 * (adversarial.fgsm(twin, X_u, y, 0.1, clip=None) - m), atol=1e-9)
    np.testing.assert_array_equal(adversarial.fgsm(net, X_c, y, 0.1 * 255), np.clip(free_c, -255, 255))
    target = (int(y[0]) + 1) % net.num_classes
    a = adversarial.fooling_image(net, X_c[0], target, clip=None, max_steps=30)     # default step 0.1 * 255
    b = adversarial.fooling_image(twin, X_u[0], target, step=0.1, clip=None, max_steps=30)
    assert (a.steps, a.success, a.prediction) == (b.steps, b.success, b.prediction)
    np.testing.assert_allclose(a.image, 255 * (b.image - m), atol=1e-7)


def test_class_models_of_a_cs231n_net_follow_the_twins(cs231n_pair):
    """Default step 0.02 * 255 and penalty 1e-3 / 255**2 from the blank image 0 (the mean image) against
    the twin's 0.02 and 1e-3 from its mean image m: the same path, 255 * (x - m), where the twin's
    pixels stay inside (0, 1) (its clip then does nothing).  Jitter and blur are off: they move the
    image but not the mean image the twin subtracts, so the twin would no longer be the same function."""
    net, twin, X_c, X_u, y, m = cs231n_pair
    a = gradients.class_model(net, steps=4, blur_every=0, jitter=0)
    b = gradients.class_model(twin, steps=4, blur_every=0, jitter=0)
    assert 0 < b.images.min() and b.images.max() < 1
    np.testing.assert_allclose(a.images, 255 * (b.images - m), atol=1e-9)
    np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-12)
    assert a.settings["step_size"] == 0.02 * 255 and a.settings["reg"] == 1e-3 / 255 ** 2


def test_inversions_of_a_cs231n_net_follow_the_twins(cs231n_pair):
    """Bound, start noise, Adam's step and its epsilon scale with 255 (the gradient is 255 times
    smaller): the same path, 255 * (x - m).  Without the TV term: it measures the edges of the image
    as given, which for the twin include those of the mean image m."""
    net, twin, X_c, X_u, y, m = cs231n_pair
    a = gradients.invert(net, X_c[0], "relu1", steps=10, lambda_tv=0.0)
    b = gradients.invert(twin, X_u[0], "relu1", steps=10, lambda_tv=0.0)
    assert a.settings["bound"] == 127.5 and b.settings["bound"] == 0.5
    np.testing.assert_allclose(a.objective, b.objective, rtol=1e-9)
    np.testing.assert_allclose(a.image, 255 * (b.image - m), atol=1e-8)
    # with the TV term, against a twin whose mean is one grey 0.5: the same image edges on both scales
    grey = ThreeLayerConvNet(**dict(net.spec(), input_mean=0.5, input_convention="unit"))
    grey.params.update({key: value.copy() for key, value in twin.params.items()})
    x_u = np.clip(X_u[0], 0, 1)
    a = gradients.invert(net, 255 * (x_u - 0.5), "relu1", steps=10)
    b = gradients.invert(grey, x_u, "relu1", steps=10)
    np.testing.assert_allclose(a.objective, b.objective, rtol=1e-9)
    np.testing.assert_allclose(a.image, 255 * (b.image - 0.5), atol=1e-8)


def test_occlusion_of_a_cs231n_net_fills_with_its_mean_image(cs231n_pair):
    net, twin, X_c, X_u, y, m = cs231n_pair
    np.testing.assert_array_equal(gradients.occlusion_attribution(net, X_c[0], y[0], size=8, stride=8),
                                  gradients.occlusion_attribution(net, X_c[0], y[0], size=8, stride=8, fill=0.0))
    np.testing.assert_array_equal(gradients.occlusion_attribution(twin, X_u[0], y[0], size=8, stride=8),
                                  gradients.occlusion_attribution(twin, X_u[0], y[0], size=8, stride=8, fill=0.5))


def test_a_cs231n_net_trains_and_keeps_its_convention(cs231n_pair):
    net, twin, X_c, X_u, y, m = cs231n_pair
    head = net.with_new_head(3, seed=1, freeze=True)
    assert head.input_convention == "cs231n"
    losses = transfer.fit(head, X_c, y % 3, epochs=2, batch_size=4, learning_rate=1e-3)
    assert np.all(np.isfinite(losses)) and len(losses) == 4
    _expect(lambda: transfer.fit(head, X_u, y % 3, epochs=1, batch_size=4, learning_rate=1e-3),
            [r"'cs231n' convention", r"look like images in \[0, 1\]"])


def test_class_model_says_why_a_fresh_net_gives_blank_images():
    fresh = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=3, hidden_dim=8, num_classes=4,
                              input_convention="cs231n")
    _expect(lambda: gradients.class_model(fresh, steps=3),
            [r"never moved from the blank start", r"exactly 0", r"\(uniform\)", r"init='noise'"])
    _expect(lambda: gradients.class_model(fresh, steps=3, init="noise"),
            [r"the same probability", r"train it first"])


# ------------------------------------------------------------------ float32 against float64
def _float64_twin(net):
    twin = SequentialNet(**dict(net.spec(), dtype="float64"))
    for key, value in net.params.items():
        twin.params[key] = value.astype(np.float64)
    return twin


def _to_margin(net, X, margin):
    """Scale the last layer so that the largest gap between an image's best and second-best score is ``margin``."""
    s = np.sort(net.activations(X, "fc2").astype(np.float64), axis=1)
    for k in ("fc2.W", "fc2.b"):
        net.params[k] = (net.params[k] * (margin / (s[:, -1] - s[:, -2]).max())).astype(net.dtype)
    return net


ROUTES = {
    "class_score_gradient": lambda net, X, y: gradients.class_score_gradient(net, X, y),
    "guided": lambda net, X, y: gradients.class_score_gradient(net, X, y, relu_rule="guided"),
    "saliency (its argmax channel's sign)": lambda net, X, y: np.take_along_axis(
        gradients.class_score_gradient(net, X, y),
        np.abs(gradients.class_score_gradient(net, X, y)).argmax(axis=1)[:, None], axis=1),
    "fgsm": lambda net, X, y: adversarial.loss_gradient(net, X, y)[1],
}


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 60.0), st.sampled_from(sorted(ROUTES)))
def test_float32_gradient_signs_agree_with_float64_on_saturated_and_unsaturated_nets(seed, margin, route):
    """A float32 net whose largest score margin is 0.5 (unsure) to 60 (p_y is 1 in float32 beyond ~17):
    every gradient route gives the float64 twin's sign wherever that sign is not in doubt (entries
    above 1e-3 of the image's largest); the saliency map is the magnitude of the channel it shows."""
    X = np.random.default_rng(seed).random((6, 3, 8, 8)).astype(np.float32)
    net = _to_margin(unit_net(seed=seed % 5, dtype=np.float32), X, margin)
    y = net.activations(X, "fc2").argmax(axis=1)
    g64 = ROUTES[route](_float64_twin(net), X.astype(np.float64), y)
    g32 = ROUTES[route](net, X, y)
    clear = np.abs(g64) > 1e-3 * np.abs(g64).reshape(len(X), -1).max(axis=1)[:, None, None, None]
    np.testing.assert_array_equal(np.sign(g32)[clear], np.sign(g64)[clear])
    if route.startswith("saliency"):
        np.testing.assert_allclose(gradients.saliency_map(net, X, y), gradients.saliency_map(
            _float64_twin(net), X.astype(np.float64), y), rtol=1e-3, atol=1e-3 * float(np.abs(g64).max()))


def test_rbf_prototypes_are_images_of_the_nets_convention():
    X = np.random.default_rng(1).random((12, 1, 4, 4))
    y = np.repeat([0, 1, 2], 4)
    centres, labels = adversarial.kmeans_prototypes(X, y, 2)
    net = adversarial.rbf_net(centres, 1.0, input_dim=(1, 4, 4), num_classes=3)
    assert net.params["rbf.centres"].shape == (6, 16)
    _expect(lambda: adversarial.rbf_net(centres * 255, 1.0, input_dim=(1, 4, 4), num_classes=3),
            [r"rbf_net", r"centres holds values", r"0\.\.255 pixels"])
    _expect(lambda: adversarial.kmeans_prototypes(np.round(X * 255).astype(np.uint8), y, 2), [r"/ 255"])
    _expect(lambda: adversarial.kmeans_prototypes(X, y.astype(float) + 0.5, 2), [r"integers"])
