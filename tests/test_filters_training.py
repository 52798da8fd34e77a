"""Notebook 06's filter experiment (data/understanding/filters_training.npz): mnist_convnet's recipe
with and without L2 regularization over seeds, the first-layer filters after every epoch, so that the
two are compared after equal numbers of updates."""
import numpy as np
import pytest

from cs231n_lib import understanding
from cs231n_lib.recipes import mnist_convnet, mnist_convnet_noreg


@pytest.fixture(scope="module")
def shipped():
    return understanding.load_filters_training()


def test_the_shipped_experiment_is_the_one_its_settings_describe(shipped):
    arrays, meta = shipped
    settings = meta["settings"]
    assert settings == understanding.FILTERS_SETTINGS
    R, S = len(settings["recipes"]), len(settings["seeds"])
    checks = arrays["checks_after_updates"].tolist()
    for name, module in zip(settings["recipes"], (mnist_convnet, mnist_convnet_noreg)):
        expected = {k: v for k, v in dict(module.RECIPE, **settings["overrides"]).items() if k != "seed"}
        assert meta["recipes"][name] == expected
    run = mnist_convnet.RECIPE
    per_epoch = run["num_train"] * (1 + run["shifted_copies"]) // run["batch_size"]
    assert checks == [1] + [per_epoch * e for e in range(1, run["num_epochs"] + 1)]
    K = len(checks)
    assert arrays["filters"].shape == (R, S, K, 16, 3, 5, 5)
    assert arrays["norms"].shape == (R, S, K, len(meta["weights"]))
    assert arrays["val_accuracy"].shape == (R, S, K)
    for key in ("test_accuracy", "kept_epoch", "kept_updates", "cpu_seconds"):
        assert arrays[key].shape == (R, S)


def test_each_seed_starts_both_recipes_from_the_recipes_own_initial_weights(shipped):
    arrays, meta = shipped
    for i, seed in enumerate(meta["settings"]["seeds"]):
        assert np.array_equal(arrays["start"][i], mnist_convnet.build(seed=seed).params["conv1.W"])
        assert np.array_equal(arrays["start"][i], mnist_convnet_noreg.build(seed=seed).params["conv1.W"])
        # after one update the filters have moved, but only a little (Adam's first step is about lr per weight)
        for r in range(2):
            step = np.abs(arrays["filters"][r, i, 0] - arrays["start"][i])
            assert 0 < step.max() <= 1.5 * mnist_convnet.RECIPE["learning_rate"]


def test_the_recorded_norms_are_the_norms_of_the_recorded_filters(shipped):
    arrays, meta = shipped
    k = meta["weights"].index("conv1.W")
    filters = arrays["filters"].astype(np.float64)
    by_hand = np.sqrt(np.einsum("rskfchw,rskfchw->rsk", filters, filters))
    np.testing.assert_allclose(arrays["norms"][..., k], by_hand, rtol=1e-6)


def test_the_kept_epoch_is_the_first_best_validation_check(shipped):
    arrays, _ = shipped
    checks = arrays["checks_after_updates"]
    for r, s in np.ndindex(arrays["kept_epoch"].shape):
        val = arrays["val_accuracy"][r, s]
        k = int(arrays["kept_epoch"][r, s])
        assert val[k] == val.max() and np.all(val[:k] < val[k])
        assert arrays["kept_updates"][r, s] == checks[k]


def test_the_experiment_runs_again_the_same_and_its_checkpoints_change_nothing():
    """Twice on the recipes' QUICK settings: the same arrays (but for the timings); and the filters of
    the kept epoch are those of the recipe trained without checkpoints."""
    settings = dict(understanding.FILTERS_SETTINGS, seeds=[0, 1], overrides=mnist_convnet.QUICK)
    first, meta = understanding.compute_filters_training(settings)
    second, _ = understanding.compute_filters_training(settings)
    for key in first:
        if key != "cpu_seconds":
            assert np.array_equal(first[key], second[key]), key
    for r, module in enumerate((mnist_convnet, mnist_convnet_noreg)):
        for i, seed in enumerate(settings["seeds"]):
            net, info = module.train(dict(module.RECIPE, **mnist_convnet.QUICK, seed=seed), progress=False)
            kept = first["filters"][r, i, info["training"]["kept_epoch"]]
            assert np.array_equal(kept, net.params["conv1.W"])
            assert first["test_accuracy"][r, i] == info["test_accuracy"]
    assert meta["weights"] == ["conv1.W", "conv2.W", "fc1.W", "fc2.W"]


def test_a_missing_or_altered_file_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="--filters"):
        understanding.load_filters_training(tmp_path / "none.npz")
    arrays, meta = understanding.load_filters_training()
    path = tmp_path / "f.npz"
    understanding.save_filters_training(arrays, meta, path)
    assert understanding.load_filters_training(path)[1] == meta
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="does not match its checksum.*--filters"):
        understanding.load_filters_training(path)


def test_roughness_curves_figure_has_a_title_labelled_axes_the_means_and_the_ranges():
    from cs231n_lib import vis

    curves = {"a": np.array([[0.9, 0.8, 0.7], [1.0, 0.8, 0.6]]), "b": np.array([[0.9, 0.9, 0.8], [1.0, 0.9, 0.9]])}
    fig = vis.roughness_curves_figure([1, 10, 100], curves, "title", start=[1.0, 1.0])
    (ax,) = fig.axes
    assert ax.get_title() == "title" and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.lines) == 2 + 1 and len(ax.collections) == 2     # a mean line per setting, the start; 2 bands
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.95, 0.8, 0.65])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.6 and band.max() == 1.0                   # the range of the seeds
