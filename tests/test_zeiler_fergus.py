"""Notebook 10's analysis (cs231n_lib.zeiler_fergus), each number against a route that does not use it:
the invariance curves recomputed by hand on a few images, the top-k overlaps by set arithmetic, the
spectra against filters whose spectrum is known, and the shipped files against their recipes."""
import json

import numpy as np
import pytest

from cs231n_lib import data, pretrained, zeiler_fergus as zf
from cs231n_lib.recipes._checkpoints import Checkpointing, params_sha256


@pytest.fixture(scope="module")
def net():
    return pretrained.load_pretrained("shapes_convnet")


# ---- 1. invariance --------------------------------------------------------------------------------

def direct_distances(net, kind, amount, n, layer, seed=0, split=2):
    """The normalized distance and true-class probability of n images, computed without the module:
    images rendered one by one, features from net.activations, distances with np.linalg.norm, the scale
    from a double loop over the pairs, the probability by the softmax written out."""
    kwargs = {"translation": {"shift": (amount, 0)}, "scale": {"scale": amount},
              "rotation": {"rotation": amount}}[kind]
    base = data.make_shapes(n, seed=seed, split=split)
    moved = data.make_shapes(n, seed=seed, split=split, **kwargs)
    f0 = [net.activations(base["X"][i:i + 1], [layer])[layer].ravel().astype(np.float64) for i in range(n)]
    f1 = [net.activations(moved["X"][i:i + 1], [layer])[layer].ravel().astype(np.float64) for i in range(n)]
    pairs = [np.linalg.norm(f0[i] - f0[j]) for i in range(n) for j in range(i + 1, n)]
    scale = sum(pairs) / len(pairs)
    dist = np.array([np.linalg.norm(a - b) for a, b in zip(f1, f0)]) / scale
    probs = []
    for i in range(n):
        s = net.loss(moved["X"][i:i + 1])[0].astype(np.float64)
        e = np.exp(s - s.max())
        probs.append(e[base["y"][i]] / e.sum())
    return dist, np.array(probs), scale


@pytest.mark.parametrize("kind, amounts", [("translation", [-3, 0, 2]), ("scale", [0.8, 1.0, 1.25]),
                                           ("rotation", [0, 45, 90])])
def test_invariance_curves_agree_with_a_direct_computation(net, kind, amounts):
    n = 5
    result = zf.invariance_curves(net, kind, amounts=amounts, n=n, layers=["relu1", "relu4"])
    assert result.amounts.tolist() == [float(a) for a in amounts]
    for layer in ("relu1", "relu4"):
        for a, amount in enumerate(amounts):
            dist, probs, scale = direct_distances(net, kind, amount, n, layer)
            # float32 features: a batch and single images may round differently in the last bit
            assert np.isclose(result.scale[layer], scale, rtol=1e-5)
            assert np.allclose(result.distance[layer][a], dist, rtol=1e-4, atol=1e-6)
            assert np.allclose(result.raw[layer][a], dist * scale, rtol=1e-4, atol=1e-4)
            assert np.allclose(result.probability[a], probs, rtol=1e-4, atol=1e-7)
            if amount == {"translation": 0, "scale": 1, "rotation": 0}[kind]:
                assert np.all(result.distance[layer][a] == 0) and np.all(dist == 0)


def test_no_transformation_is_exactly_zero_at_every_layer(net):
    for kind, identity in (("translation", 0), ("scale", 1), ("rotation", 0)):
        result = zf.invariance_curves(net, kind, amounts=[identity], n=6)
        assert result.layers == ["relu1", "relu2", "relu3", "relu4"]
        for layer in result.layers:
            assert np.all(result.distance[layer][0] == 0.0) and np.all(result.raw[layer][0] == 0.0)


def test_a_moved_object_changes_every_layer_and_a_symmetric_one_does_not(net):
    moved = zf.invariance_curves(net, "translation", amounts=[1], n=6)
    for layer in moved.layers:
        assert np.all(moved.distance[layer][0] > 0)
    discs = zf.invariance_curves(net, "rotation", amounts=[37, 90], n=4, classes=[0])   # a disc turned
    squares = zf.invariance_curves(net, "rotation", amounts=[45, 90], n=4, classes=[1])
    assert np.max(discs.distance["relu1"]) < 1e-9 and np.max(squares.distance["relu1"][1]) < 1e-9
    assert np.min(squares.distance["relu1"][0]) > 0.1


def test_mean_pair_distance_is_the_mean_over_pairs():
    rng = np.random.default_rng(0)
    F = rng.standard_normal((7, 5))
    pairs = [np.linalg.norm(F[i] - F[j]) for i in range(7) for j in range(i + 1, 7)]
    assert np.isclose(zf.mean_pair_distance(F), np.mean(pairs), rtol=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        zf.mean_pair_distance(F[:1])


def test_first_step_share_of_a_line_and_of_a_step():
    from cs231n_lib.zeiler_fergus import Invariance

    amounts = np.array([-8, -2, 0, 2, 8], dtype=float)

    def result(curve):
        d = np.repeat(np.asarray(curve, float)[:, None], 3, axis=1)
        return Invariance("translation", amounts, ["l"], {"l": d}, {"l": d}, {"l": 1.0}, d, np.zeros(3), d)

    assert zf.first_step_share(result(np.abs(amounts)), "l") == pytest.approx(0.25)
    assert zf.first_step_share(result([1, 1, 0, 1, 1]), "l") == pytest.approx(1.0)
    rot = Invariance("rotation", np.array([0, 30, 180, 360.0]), ["l"], {"l": np.array([[0.], [0.2], [0.8], [0.]])},
                     {}, {}, None, None, None)
    assert zf.first_step_share(rot, "l") == pytest.approx(0.25)


def test_bad_transform_names_are_refused(net):
    with pytest.raises(ValueError, match="kind must be one of"):
        zf.invariance_curves(net, "shear", n=2)
    with pytest.raises(ValueError, match="no layer named"):
        zf.invariance_curves(net, "scale", amounts=[1], n=2, layers=["conv9"])


# ---- 2. features through training -----------------------------------------------------------------

def test_top_k_sets_and_overlaps_by_set_arithmetic():
    rng = np.random.default_rng(1)
    R = rng.random((40, 6))
    R[:, 5] = 0.0                                    # a silent unit
    sets, alive = zf.top_k_sets(R, k=5)
    for c in range(5):
        assert set(sets[c]) == set(np.argsort(-R[:, c])[:5]) and sets[c][0] == np.argmax(R[:, c])
    assert alive.tolist() == [True] * 5 + [False]
    other, _ = zf.top_k_sets(R[::-1].copy(), k=5)     # the same responses, images in reverse order
    other = 39 - other
    assert np.all(zf.top_k_overlap(sets[:5], other[:5]) == 1.0)
    shifted = (sets + 1) % 40
    expected = [len(set(a) & set(b)) / 5 for a, b in zip(sets, shifted)]
    assert np.allclose(zf.top_k_overlap(sets, shifted), expected)


def test_unit_maxima_takes_the_largest_response_of_each_map():
    acts = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    assert zf.unit_maxima(acts).tolist() == [[3, 7, 11], [15, 19, 23]]
    assert zf.unit_maxima(acts[:, :, 0, 0]).shape == (2, 3)


def test_layer_overlaps_and_settling():
    sets = [np.array([[0, 1], [2, 3]]), np.array([[0, 5], [2, 3]]), np.array([[0, 5], [2, 3]])]
    alive = [np.array([True, True]), np.array([True, True]), np.array([True, False])]
    consecutive, with_last, counted = zf.layer_overlaps(sets, alive)
    assert consecutive.tolist() == [0.75, 1.0] and counted.tolist() == [2, 1]
    assert with_last.tolist() == [0.5, 1.0, 1.0]
    assert zf.settled_at([0.2, 0.6, 0.4, 0.7, 0.9], [0, 1, 2, 4, 8, 16]) == 4
    assert zf.settled_at([0.6, 0.6], [0, 1, 2]) == 0
    assert zf.settled_at([0.6, 0.4], [0, 1, 2]) is None


def test_a_step_that_keeps_exactly_half_is_half_and_counts_as_settled():
    """14 units of top nine sharing 4, 2, 3, 7, 8, 6, 2, 5, 1, 4, 3, 4, 7, 7 images (63 of 126, the step of
    relu4 from 160 to 320 updates in notebook 10): the mean of the 14 fractions is 0.49999999999999994 in
    floating point, the share is one half, and a threshold of one half must count it."""
    shared = [4, 2, 3, 7, 8, 6, 2, 5, 1, 4, 3, 4, 7, 7]
    assert np.mean(np.array(shared) / 9) < 0.5          # the rounding the layer's mean must not make
    before = np.array([np.arange(9) + 100 * u for u in range(14)])
    after = np.array([np.concatenate([row[:s], 50 + row[s:]]) for row, s in zip(before, shared)])
    assert [len(set(a) & set(b)) for a, b in zip(before, after)] == shared
    alive = [np.ones(14, dtype=bool)] * 2
    consecutive, with_last, counted = zf.layer_overlaps([before, after], alive)
    assert consecutive.tolist() == [0.5] and counted.tolist() == [14] and with_last.tolist() == [0.5, 1.0]
    assert zf.settled_at(consecutive, [160, 320], threshold=0.5) == 160


def test_checkpointing_keeps_the_parameters_after_the_listed_updates(tmp_path):
    """Watched training is the same training: the same final bytes as the unwatched one, and each kept
    checkpoint is what an unwatched run holds after that many updates (rerun up to there)."""
    from cs231n_lib.recipes import adam_solver, shapes_convnet

    settings = dict(shapes_convnet.RECIPE, **dict(shapes_convnet.QUICK, num_epochs=2))   # 2 updates per epoch
    d = data.load_shapes(num_train=100, num_val=20, num_test=0, seed=0)
    plain = shapes_convnet.build(seed=0)
    adam_solver(plain, d, settings, progress=False).train()
    watched_net = shapes_convnet.build(seed=0)
    watched = Checkpointing(watched_net, [0, 1, 3])
    adam_solver(watched, d, settings, progress=False).train()
    assert params_sha256(watched_net.params) == params_sha256(plain.params)
    assert sorted(watched.saved) == [0, 1, 3] and watched.missing() == []
    assert params_sha256(watched.saved[0]) == params_sha256(shapes_convnet.build(seed=0).params)
    # an unwatched run stopped after u updates: the Solver's steps by hand, with its learning-rate decay
    # at the end of each epoch (its accuracy checks draw nothing here: 100 training images are fewer
    # than the 1,000 it samples, and it checks every validation image)
    for u in (1, 3):
        short = shapes_convnet.build(seed=0)
        solver = adam_solver(short, d, settings, progress=False)
        assert solver.num_train_samples >= 100 and solver.num_val_samples is None
        for t in range(u):
            solver._step(t, 4)
            if (t + 1) % 2 == 0:
                for config in solver.optim_configs.values():
                    config["learning_rate"] *= solver.lr_decay
        assert params_sha256(short.params) == params_sha256(watched.saved[u]), u
    with pytest.raises(ValueError, match="increasing"):
        Checkpointing(plain, [3, 1])


def test_the_checkpoint_file_rebuilds_from_its_recipe_with_quick_settings(tmp_path):
    """The command twice on the QUICK settings: the same bytes; its digests are the ones the zoo's QUICK
    retrain of the recipe records."""
    module = pretrained.recipe(zf.EVOLUTION_NET)
    digests = []
    for run in ("a", "b"):
        assert zf.main(["--checkpoints", "--quick", "--quiet", "--out", str(tmp_path / run)]) == 0
        digests.append(pretrained.sha256_of(tmp_path / run / "checkpoints.npz"))
    assert digests[0] == digests[1]
    checkpoints = zf.load_checkpoints(tmp_path / "a" / "checkpoints.npz")
    _, _, meta = pretrained.retrain(zf.EVOLUTION_NET, tmp_path / "zoo", overrides=module.QUICK, progress=False)
    assert checkpoints.meta["params_sha256"] == meta["checkpoints"]["params_sha256"]
    assert checkpoints.after_updates == module.QUICK["checkpoint_updates"]
    shipped = (tmp_path / "a" / "checkpoints.npz").read_bytes()   # never over a file that exists without --force:
    assert zf.main(["--checkpoints", "--quick", "--quiet", "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "checkpoints.npz").read_bytes() == shipped
    assert pretrained.sha256_of(tmp_path / "a" / "checkpoints.new.npz") == digests[0]   # the new file beside it
    assert zf.load_checkpoints(tmp_path / "a" / "checkpoints.new.npz").after_updates == checkpoints.after_updates


def test_shipped_checkpoints_are_the_ones_the_zoo_file_records():
    checkpoints = zf.load_checkpoints()
    net = pretrained.load_pretrained(zf.EVOLUTION_NET)
    record = net.meta["checkpoints"]
    assert checkpoints.meta["params_sha256"] == record["params_sha256"]
    assert checkpoints.after_updates == record["after_updates"] == net.meta["recipe"]["checkpoint_updates"]
    assert checkpoints.meta["settings"] == net.meta["recipe"]
    assert params_sha256(checkpoints.params[0]) == params_sha256(pretrained.recipe(zf.EVOLUTION_NET).build().params)
    kept = [k for k, u in enumerate(checkpoints.after_updates) if params_sha256(checkpoints.params[k]) ==
            params_sha256(net.params)]
    val = record["val_accuracy_at_epochs"]
    best_epoch = int(np.argmax(val))       # the first best check: 0 is after the first update
    best_updates = best_epoch * record["updates_per_epoch"] if best_epoch else 1
    if best_updates in checkpoints.after_updates:
        assert kept == [checkpoints.after_updates.index(best_updates)]


def test_a_damaged_checkpoint_file_is_refused(tmp_path):
    import shutil

    for suffix in (".npz", ".sha256"):
        shutil.copy(zf.CHECKPOINTS_FILE.with_suffix(suffix), tmp_path)
    copy = tmp_path / "checkpoints.npz"
    raw = bytearray(copy.read_bytes())
    raw[-300] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="does not match its checksum"):
        zf.load_checkpoints(copy)


# ---- 3. the first layer ---------------------------------------------------------------------------

def naive_power(w, size=32):
    """|DFT|^2 of one (C, h, w) filter zero-padded to size x size, channels summed, by the defining sum."""
    C, h, wd = w.shape
    k = np.arange(size)
    out = np.zeros((size, size))
    for c in range(C):
        Em = np.exp(-2j * np.pi * np.outer(k, np.arange(h)) / size)      # (size, h)
        En = np.exp(-2j * np.pi * np.outer(np.arange(wd), k) / size)     # (w, size)
        out += np.abs(Em @ w[c] @ En) ** 2
    return out


def test_spectra_against_the_defining_sum_and_an_impulse():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((3, 3, 6, 6))
    power = zf.filter_power(W)
    f = np.abs(np.fft.fftfreq(32))
    band = np.maximum(f[:, None], f[None, :])
    for i in range(3):
        naive = naive_power(W[i])
        assert np.allclose(power[i], naive, rtol=1e-9, atol=1e-9)
        assert np.isclose(naive.sum(), 32 * 32 * np.sum(W[i] ** 2))                      # Parseval
        for stride in (1, 2, 4):
            assert np.isclose(zf.aliased_fraction(W, stride)[i], naive[band > 1 / (2 * stride)].sum() / naive.sum())
    # one non-zero weight: a flat spectrum, so the share above a cutoff is the share of the frequency grid
    # beyond it: max(|k|, |l|) > 4 of the 32 x 32 frequencies for stride 4, > 8 for stride 2
    impulse = np.zeros((1, 3, 8, 8))
    impulse[0, 1, 3, 5] = 2.0
    assert np.isclose(zf.aliased_fraction(impulse, 4)[0], 1 - (9 / 32) ** 2)
    assert np.isclose(zf.aliased_fraction(impulse, 2)[0], 1 - (17 / 32) ** 2)
    assert np.isclose(zf.aliased_fraction(impulse, 1)[0], 0.0)      # a stride of 1 samples everything
    # a checkerboard is almost all fine detail, a constant filter little of it (the sidelobes of its box)
    x = np.arange(8)
    checker = ((-1.0) ** (x[:, None] + x[None, :]))[None, None].repeat(3, axis=1)
    const = np.ones((1, 3, 8, 8))
    assert zf.energy_above(checker, 0.25)[0] > 0.9 and zf.energy_above(const, 0.25)[0] < 0.1
    assert zf.high_frequency_share(np.concatenate([checker, const, const])) == pytest.approx(1 / 3)
    assert zf.energy_above(np.zeros((1, 3, 4, 4)), 0.1)[0] == 0.0
    with pytest.raises(ValueError, match="stride"):
        zf.aliased_fraction(W, 0)


def test_band_profile_adds_up_to_the_shares_above_each_cutoff():
    W = np.random.default_rng(4).standard_normal((5, 3, 8, 8)).cumsum(axis=3)
    freqs, shares = zf.band_profile(W)
    assert freqs.tolist() == [k / 32 for k in range(17)] and np.isclose(shares.sum(), 1.0)
    power = zf.filter_power(W)
    for k in (0, 3, 8, 15):
        above = power.sum(axis=0)[np.maximum.outer(np.abs(np.fft.fftfreq(32)), np.abs(np.fft.fftfreq(32)))
                                  > k / 32 + 1e-12].sum() / power.sum()
        assert np.isclose(shares[k + 1:].sum(), above)


def test_white_noise_filters_spread_their_energy_over_the_frequencies():
    W = np.random.default_rng(2).standard_normal((400, 3, 8, 8))
    share = zf.aliased_fraction(W, 2).mean()      # flat on average: the share of the grid above 1/4
    assert abs(share - (1 - (17 / 32) ** 2)) < 0.02


def test_first_stage_and_dead_filters_against_the_zoo_nets():
    X = data.make_shapes(20, seed=0, split=2)["X"]
    for name in zf.FIRST_LAYER_NETS:
        net = pretrained.load_pretrained(name)
        W, b = net.params["conv1.W"], net.params["conv1.b"]
        last = "pool1" if "pool1" in net.layers else "relu1"
        assert np.array_equal(zf.first_stage(name, W, b, X), net.activations(X, [last])[last])
        dead = zf.dead_filters(name, W, b - 1e6 * (np.arange(len(b)) % 2), X)   # every other filter killed
        assert dead[1::2].all()
    with pytest.raises(ValueError, match="first layer has"):
        zf.first_stage("shapes_zf_like", np.zeros((4, 3, 6, 6)), np.zeros(4), X)


def test_shift_consistency_by_hand(net):
    result = zf.shift_consistency(net, seed=0, num_images=6, shifts=[[0, 0], [2, 0], [0, 1]])
    labels, probs = [], []
    for dy, dx in ((0, 0), (2, 0), (0, 1)):
        d = data.make_shapes(6, seed=0, split=2, shift=(dy, dx))
        s = net.loss(d["X"]).astype(np.float64)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        labels.append(s.argmax(axis=1))
        probs.append((e / e.sum(axis=1, keepdims=True))[np.arange(6), d["y"]])
    labels, probs = np.array(labels), np.array(probs)
    assert result["consistency"] == np.mean((labels == labels[0]).all(axis=0))
    assert np.isclose(result["probability_range"], np.mean(probs.max(axis=0) - probs.min(axis=0)))
    with pytest.raises(ValueError, match="first shift"):
        zf.shift_consistency(net, seed=0, num_images=2, shifts=[[1, 0]])


def test_the_first_layer_command_runs_on_quick_settings_and_never_overwrites(tmp_path):
    args = ["--first-layer", "--quick", "--quiet", "--seeds", "0", "1", "--out", str(tmp_path),
            "--work", str(tmp_path / "work")]
    assert zf.main(args) == 0
    record, arrays = zf.load_first_layer(tmp_path / "first_layer.json", tmp_path / "first_layer_filters.npz")
    assert [(r["net"], r["seed"]) for r in record["runs"]] == [(n, s) for s in (0, 1) for n in zf.FIRST_LAYER_NETS]
    assert arrays["shapes_alexnet_like/seed0/W"].shape == (32, 3, 8, 8)
    assert arrays["shapes_zf_like/seed1/W"].shape == (32, 3, 6, 6)
    before = [(tmp_path / name).read_bytes() for name in ("first_layer.json", "first_layer_filters.npz")]
    assert zf.main(args) == 0                # never over files that exist without --force: both go beside them
    assert [(tmp_path / name).read_bytes() for name in ("first_layer.json", "first_layer_filters.npz")] == before
    again, _ = zf.load_first_layer(tmp_path / "first_layer.new.json", tmp_path / "first_layer_filters.new.npz")
    assert [r["seed"] for r in again["runs"]] == [r["seed"] for r in record["runs"]]
    assert zf.main(args + ["--force"]) == 0
    assert not (tmp_path / "first_layer.new2.json").exists()


def test_the_shipped_comparison_holds_its_plan_and_its_seed_0_runs_are_the_zoo_nets():
    record, arrays = zf.load_first_layer()
    assert record["seeds"] == list(zf.FIRST_LAYER_SEEDS) and record["nets"] == list(zf.FIRST_LAYER_NETS)
    for name in zf.FIRST_LAYER_NETS:
        module = pretrained.recipe(name)
        assert record["recipe"] == module.RECIPE
        runs = [r for r in record["runs"] if r["net"] == name]
        assert [r["seed"] for r in runs] == list(zf.FIRST_LAYER_SEEDS)
        zoo = pretrained.load_pretrained(name)
        assert runs[0]["params_sha256"] == params_sha256(zoo.params)
        assert np.array_equal(arrays[f"{name}/seed0/W"], zoo.params["conv1.W"])
        assert runs[0]["test_accuracy"] == zoo.meta["test_accuracy"]
        for r in runs:
            assert 0 <= r["shift"]["consistency"] <= 1 and r["shift"]["num_images"] == zf.SHIFT_TEST["num_images"]


def test_the_paper_numbers_are_typed_as_the_paper_has_them():
    assert zf.PAPER["alexnet_first_layer"].value == (11, 4) and zf.PAPER["zf_first_layer"].value == (7, 2)
    assert zf.PAPER["figure4_epochs"].value == (1, 2, 5, 10, 20, 30, 40, 64)
    assert zf.PAPER["upper_layers_epochs"].value == (40, 50)
    assert json.dumps([p.where for p in zf.PAPER.values()])
