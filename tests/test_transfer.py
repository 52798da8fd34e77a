"""transfer (notebook 09): nets with copied layers, training with frozen layers, codes, score maps,
and the shipped experiments (grid, layer transfer, learning rates) re-run and re-read."""
import json
import pathlib
import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cs231n_lib import pretrained, transfer
from cs231n_lib.nets import SequentialNet, affine, conv, pool, relu
from cs231n_lib.solver import Solver

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "09_transfer_learning.ipynb"
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def source():
    return pretrained.load_pretrained("shapes_half_a")


@pytest.fixture(scope="module")
def shapes_b():
    from cs231n_lib.recipes._halves import load_half

    return load_half([5, 6, 7, 8, 9], num_train=60, num_test=40, seed=9)


# ------------------------------------------------------------------ copying and freezing
def test_with_new_head_keeps_the_copied_layers_weights(source):
    new = source.with_new_head(5, seed=3, weight_scale=1e-3)
    kept = source.names[:-1]
    assert new.names == kept + ["head"]
    for name in kept:
        for key in source.param_keys[name].values():
            assert np.array_equal(new.params[key], source.params[key]), key
            assert new.params[key] is not source.params[key]
    # the head is new: drawn at the scale asked for, not the source's classifier
    assert new.params["head.W"].shape == source.params["fc2.W"].shape
    assert 5e-4 < float(np.std(new.params["head.W"])) < 2e-3
    # and the codes below it are the source's, bit for bit
    X = RNG.random((4, 3, 32, 32)).astype(np.float32)
    assert np.array_equal(new.activations(X, "relu4"), source.activations(X, "relu4"))


@pytest.mark.parametrize("cache_frozen", [True, False])
def test_frozen_layers_are_bit_identical_after_fine_tuning(source, shapes_b, cache_frozen):
    net, rates = transfer.strategy_net(source, "c", 5, seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    losses = transfer.fit(net, shapes_b["X_train"], shapes_b["y_train"], epochs=2, batch_size=10,
                          learning_rate=1e-3, layer_rates=rates, seed=0, cache_frozen=cache_frozen)
    assert len(losses) == 2 * 6
    frozen = [k for name in ("conv1", "conv2", "conv3") for k in net.param_keys[name].values()]
    trained = [k for name in ("fc1", "head") for k in net.param_keys[name].values()]
    for key in frozen:
        assert np.array_equal(net.params[key], before[key]), key
    for key in trained:  # the test could fail: the other layers did move
        assert not np.array_equal(net.params[key], before[key]), key


def test_frozen_layers_are_bit_identical_after_fine_tuning_with_the_solver(source, shapes_b):
    net = source.with_new_head(5, seed=0, weight_scale=1e-3).freeze("conv1", "conv2")
    before = {k: v.copy() for k, v in net.params.items()}
    data = dict(shapes_b, X_val=shapes_b["X_test"], y_val=shapes_b["y_test"])
    Solver(net, data, update_rule="adam", optim_config={"learning_rate": 1e-3}, num_epochs=1, batch_size=20,
           seed=0, verbose=False, progress=False).train()
    for name in net.names:
        for key in net.param_keys[name].values():
            assert np.array_equal(net.params[key], before[key]) == (name in ("conv1", "conv2")), key


def test_training_above_the_cached_frozen_bottom_equals_training_the_whole_net(source, shapes_b):
    """Two routes: the frozen bottom run once over the data, or in every minibatch."""
    results = []
    for cache in (True, False):
        net, rates = transfer.strategy_net(source, "c", 5, seed=1)
        losses = transfer.fit(net, shapes_b["X_train"], shapes_b["y_train"], epochs=2, batch_size=12,
                              learning_rate=1e-3, layer_rates=rates, seed=4, cache_frozen=cache)
        results.append((losses, net.params))
    (l1, p1), (l2, p2) = results
    np.testing.assert_allclose(l1, l2, rtol=1e-5)
    for key in p1:
        np.testing.assert_allclose(p1[key], p2[key], rtol=1e-4, atol=1e-6)


def test_fit_uses_each_layers_learning_rate():
    """Adam's first step moves every weight by its learning rate times |g| / (|g| + 1e-8): at most the rate,
    and the rate itself wherever the gradient is not tiny."""
    net = SequentialNet([("a", affine(6)), ("r", relu()), ("b", affine(3))], input_dim=(4,), seed=0,
                        dtype=np.float64)
    X, y = RNG.standard_normal((8, 4)), np.arange(8) % 3
    before = {k: v.copy() for k, v in net.params.items()}
    transfer.fit(net, X, y, epochs=1, batch_size=8, learning_rate=1e-2, layer_rates={"a": 1e-4}, seed=0)
    step_a = np.abs(net.params["a.W"] - before["a.W"])
    step_b = np.abs(net.params["b.W"] - before["b.W"])
    for step, rate in ((step_a, 1e-4), (step_b, 1e-2)):
        assert np.all(step <= rate * (1 + 1e-9))
        assert np.median(step[step > 0]) > 0.99 * rate
    with pytest.raises(ValueError, match="no layer named 'c'"):
        transfer.fit(net, X, y, epochs=1, batch_size=8, learning_rate=1e-2, layer_rates={"c": 1.0})


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_fit_refuses_a_diverging_loss():
    net = SequentialNet([("a", affine(3))], input_dim=(4,), seed=0)
    X = RNG.random((4, 4)).astype(np.float32)
    with pytest.raises(FloatingPointError, match="learning rate"), np.errstate(over="ignore", invalid="ignore"):
        transfer.fit(net, X, np.arange(4) % 3, epochs=5, batch_size=4, learning_rate=1e38)
    with pytest.raises(ValueError, match="16 NaN or infinite value"):   # inputs that are not finite never train
        transfer.fit(net, np.full((4, 4), np.inf, dtype=np.float32), np.arange(4) % 3, epochs=1, batch_size=4,
                     learning_rate=1.0)


def test_transfer_net_copies_the_first_n_weight_layers(source):
    other = pretrained.load_pretrained("shapes_half_b")
    for n in range(0, 5):
        net = transfer.transfer_net(other, n, 5, seed=2, freeze=True, head_weight_scale=1e-3)
        fresh = transfer.fresh_net(other, 5, seed=2, head_weight_scale=1e-3)
        layers = transfer.weight_layers(other)
        for i, name in enumerate(layers):
            for key in other.param_keys[name].values():
                want = other.params[key] if i < n else fresh.params[key]
                assert np.array_equal(net.params[key], want), (n, key)
        assert net.frozen == set(layers[:n])
    with pytest.raises(ValueError, match="never copied"):
        transfer.transfer_net(other, 5, 5)


def test_fresh_net_is_the_architecture_with_new_weights(source):
    net = transfer.fresh_net(source, 7, seed=0, head_name="head", head_weight_scale=1e-3)
    assert net.names == source.names[:-1] + ["head"] and net.num_classes == 7
    assert not np.array_equal(net.params["conv1.W"], source.params["conv1.W"])
    # He initialisation below the head, sqrt(2 / fan_in): conv1 has fan_in 3*3*3
    assert abs(float(np.std(net.params["conv1.W"])) - np.sqrt(2 / 27)) < 0.05
    assert float(np.std(net.params["head.W"])) < 2e-3


# ------------------------------------------------------------------ codes and classifiers
def test_cnn_codes_are_the_flattened_activations_in_any_batch_size(source):
    X = RNG.random((7, 3, 32, 32)).astype(np.float32)
    want = source.activations(X, "pool2").reshape(7, -1)
    assert np.array_equal(transfer.cnn_codes(source, X, "pool2", batch_size=3), want)
    top = transfer.cnn_codes(source, X)
    assert top.shape == (7, 64) and np.array_equal(top, source.activations(X, "relu4"))
    with pytest.raises(ValueError, match="holds no image"):   # an empty selection is a mistake, not a result
        transfer.cnn_codes(source, X[:0])
    with pytest.raises(ValueError, match="no layer named 'relu9'"):
        transfer.cnn_codes(source, X, "relu9")


def test_strategy_a_is_a_standardised_logistic_regression_on_the_codes(source, shapes_b):
    """Our own standardisation (numpy) before scikit-learn's logistic regression gives the same predictions."""
    from sklearn.linear_model import LogisticRegression

    acc, train_acc = transfer.run_strategy("a", source, shapes_b, 0, "small")
    codes = [source.activations(shapes_b[f"X_{s}"], "relu4").astype(np.float64) for s in ("train", "test")]
    mean, std = codes[0].mean(axis=0), codes[0].std(axis=0)
    std[std == 0] = 1
    clf = LogisticRegression(max_iter=5000).fit((codes[0] - mean) / std, shapes_b["y_train"])
    assert acc == float(np.mean(clf.predict((codes[1] - mean) / std) == shapes_b["y_test"]))
    assert train_acc == float(np.mean(clf.predict((codes[0] - mean) / std) == shapes_b["y_train"]))


def test_strategy_nets_and_their_learning_rates(source):
    c, rates_c = transfer.strategy_net(source, "c", 5, 0)
    assert c.frozen == {"conv1", "conv2", "conv3"} and rates_c == {"fc1": 1e-4, "head": 1e-3}
    d, rates_d = transfer.strategy_net(source, "d", 5, 0)
    assert not d.frozen and rates_d == {"conv1": 1e-4, "conv2": 1e-4, "conv3": 1e-4, "fc1": 1e-4, "head": 1e-3}
    e, rates_e = transfer.strategy_net(source, "e", 5, 0)
    assert rates_e == {} and not np.array_equal(e.params["conv1.W"], source.params["conv1.W"])
    # a small first head gives the first loss of an untrained net: ln(C)
    X = RNG.random((20, 3, 32, 32)).astype(np.float32)
    loss, _ = d.loss(X, np.arange(20) % 5)
    assert abs(loss - np.log(5)) < 0.05
    with pytest.raises(ValueError, match="builds the nets"):
        transfer.strategy_net(source, "a", 5, 0)


def test_cell_data_sizes_balance_and_disjoint_seeds():
    recipe = transfer._merge(transfer.GRID_RECIPE, transfer.QUICK["grid"])
    for sim, K in (("similar", 5), ("different", 10)):
        small0 = transfer.cell_data(sim, "small", 0, recipe)
        small1 = transfer.cell_data(sim, "small", 1, recipe)
        large = transfer.cell_data(sim, "large", 0, recipe)
        assert np.bincount(small0["y_train"]).tolist() == [2] * K
        assert np.bincount(large["y_train"]).tolist() == [4] * K
        assert np.bincount(large["y_test"]).tolist() == [4] * K
        assert not np.array_equal(small0["X_train"], small1["X_train"])  # a new draw per seed
        flat = lambda X: {x.tobytes() for x in X}  # noqa: E731
        assert not flat(large["X_train"]) & flat(large["X_test"])
        assert not flat(small0["X_train"]) & flat(small0["X_test"])
    with pytest.raises(ValueError, match="grid cell"):
        transfer.cell_data("alike", "small", 0)


def test_verdicts_compare_the_notes_strategy_with_each_other_one_seed_by_seed():
    """A hand-made grid whose p-values are counted by hand: with n seeds there are 2**n sign patterns."""
    def cell(size, sim, per_strategy):
        runs = [{"strategy": s, "seed": seed, "test_accuracy": acc}
                for s, accs in zip("abcde", per_strategy) for seed, acc in zip((4, 0, 2, 1, 3), accs)]
        return {"size": size, "similarity": sim, "runs": runs}
    base = [0.60, 0.62, 0.58, 0.61, 0.59]
    up = [x + 0.02 for x in base]
    mixed = [base[0] + 0.05, base[1] - 0.01, base[2] + 0.01, base[3] + 0.01, base[4] + 0.01]
    results = {"strategies": dict.fromkeys("abcde", ""), "cells": [
        cell("small", "similar", [base, [x - 0.1 for x in base], up, up, mixed]),
        cell("small", "different", [base] * 5),
        cell("large", "similar", [base[:3]] * 5),
        cell("large", "different", [base[:3]] * 5)]}
    rows = {(r["size"], r["similarity"]): r for r in transfer.verdicts(results)}
    row = rows[("small", "similar")]
    assert row["rule"] == "a" and row["n"] == 5 and abs(row["mean"] - 0.6) < 1e-12
    b, c, e = row["comparisons"]["b"], row["comparisons"]["c"], row["comparisons"]["e"]
    # (a) ahead of (b) on all 5 seeds: the notes' direction, one-sided, 1 pattern of 32 as extreme
    assert b.names == ("(a)", "(b)") and b.alternative == "greater" and b.p == 1 / 32 and b.significant
    assert (b.wins, b.losses) == (5, 0) and abs(b.mean - 0.1) < 1e-12
    # (c) ahead of (a) on all 5: nobody predicted that direction, two-sided, 2 patterns of 32
    assert c.names == ("(c)", "(a)") and c.alternative == "two-sided" and c.p == 2 / 32 and not c.significant
    # (e) ahead on average by 0.014, behind on one seed: differences (0.05, -0.01, 0.01, 0.01, 0.01), two-sided.
    # |sum of +-0.05 +-0.01 x 4| >= 0.07 needs the 0.05 and at least 3 of the four 0.01 on its side:
    # 4 + 1 = 5 patterns, and their 5 mirror images: p = 10 / 32
    assert e.names == ("(e)", "(a)") and e.p == 10 / 32 and (e.wins, e.losses) == (4, 1)
    assert list(row["comparisons"]) == ["b", "c", "d", "e"]
    # every strategy equal: the notes' direction, one-sided, every pattern as extreme
    same = rows[("small", "different")]["comparisons"]["a"]
    assert same.names == ("(b)", "(a)") and same.p == 1.0 and same.wins == same.losses == 0
    assert rows[("large", "different")]["rule"] == "d"
    assert rows[("large", "similar")]["n"] == 3
    # other rules, and a grid whose strategies ran different seeds
    other = transfer.verdicts(results, rules={key: "e" for key in transfer.NOTES_RULES})
    assert all(r["rule"] == "e" and "e" not in r["comparisons"] for r in other)
    results["cells"][0]["runs"][0]["seed"] = 9
    with pytest.raises(ValueError, match="same seeds"):
        transfer.verdicts(results)


def test_rule_4_is_the_notes_advice_to_fine_tune_from_the_pretrained_weights():
    letter, why = transfer.NOTES_RULES[("large", "different")]
    assert letter == "d" and "entire network" in why


def test_seed_values_orders_by_seed_and_refuses_ambiguous_matches():
    runs = [{"v": "x", "seed": 2, "test_accuracy": 0.2}, {"v": "x", "seed": 0, "test_accuracy": 0.0},
            {"v": "y", "seed": 0, "test_accuracy": 0.5}]
    assert transfer.seed_values(runs, v="x") == ([0.0, 0.2], [0, 2])
    with pytest.raises(ValueError, match="no run"):
        transfer.seed_values(runs, v="z")
    with pytest.raises(ValueError, match="share a seed"):
        transfer.seed_values(runs)


# ------------------------------------------------------------------ score maps
def _whole_number_net():
    """A net without padding (crops and the one pass then agree exactly), whole-number weights, float64."""
    net = SequentialNet([("conv1", conv(4, 3, pad=0)), ("relu1", relu()), ("pool1", pool(2)),
                         ("fc1", affine(5)), ("relu2", relu()), ("fc2", affine(3))],
                        input_dim=(3, 10, 10), dtype=np.float64, seed=0, input_mean=1.0)
    rng = np.random.default_rng(1)
    for key in net.params:
        net.params[key] = rng.integers(-2, 3, size=net.params[key].shape).astype(np.float64)
    return net


def test_score_map_equals_the_scores_of_every_crop():
    net = _whole_number_net()
    image = np.random.default_rng(2).integers(0, 3, size=(1, 3, 14, 18)).astype(np.float64)
    got = transfer.score_map(net, image)
    assert got.shape == (1, 3, 3, 5)  # (14 - 10)/2 + 1 by (18 - 10)/2 + 1, total stride 2
    for i in range(3):
        for j in range(5):
            crop = image[:, :, 2 * i:2 * i + 10, 2 * j:2 * j + 10]
            assert np.array_equal(got[0, :, i, j], net.loss(crop)[0])


def test_score_map_of_a_32x32_image_is_the_nets_scores(source):
    X = RNG.random((3, 3, 32, 32)).astype(np.float32)
    got = transfer.score_map(source, X)
    assert got.shape == (3, 5, 1, 1)
    np.testing.assert_allclose(got[:, :, 0, 0], source.loss(X), rtol=1e-4, atol=1e-4)
    assert transfer.score_map(source, np.zeros((1, 3, 64, 48), np.float32)).shape == (1, 5, 5, 3)
    with pytest.raises(ValueError, match="at least 32x32"):
        transfer.score_map(source, X[:, :, :16])


# ------------------------------------------------------------------ the pipeline and its files
def test_quick_experiments_write_pinned_json_that_loads(tmp_path):
    assert transfer.main(["--grid", "--layers", "--lr-sweep", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    grid = transfer.load_results("grid", tmp_path)
    assert grid["recipe"] == transfer._merge(transfer.GRID_RECIPE, transfer.QUICK["grid"])
    assert len(grid["cells"]) == 4 and grid["machine"] == transfer.machine()
    for cell in grid["cells"]:
        assert len(cell["runs"]) == 5 * len(grid["recipe"]["seeds"][cell["size"]])
    layers = transfer.load_results("layers", tmp_path)
    assert {r["variant"] for r in layers["runs"]} == {"baseB", *transfer.VARIANTS}
    sweep = transfer.load_results("lr_sweep", tmp_path)
    assert len(sweep["runs"]) == 2 * 2
    assert transfer.main(["--split-lr", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    split = transfer.load_results("split_lr", tmp_path)
    assert split["recipe"] == transfer._merge(transfer.SPLIT_LR_RECIPE, transfer.QUICK["split_lr"])
    seeds = split["recipe"]["seeds"]
    assert len(split["runs"]) == 3 * sum(len(seeds[size]) for size, _ in split["recipe"]["cells"])
    path = tmp_path / "transfer_grid.json"
    path.write_text(path.read_text().replace('"cells"', '"cells" ', 1))
    with pytest.raises(ValueError, match="does not match"):
        transfer.load_results("grid", tmp_path)
    with pytest.raises(FileNotFoundError, match="--grid"):
        transfer.load_results("grid", tmp_path / "nowhere")


def test_a_command_never_replaces_a_results_file_without_force(tmp_path):
    args = ["--split-lr", "--quick", "--quiet", "--out", str(tmp_path)]
    assert transfer.main(args) == 0
    shipped = tmp_path / "transfer_split_lr.json"
    pinned = (tmp_path / "transfer_split_lr.sha256").read_text()
    shipped.write_text(shipped.read_text().replace('"runs"', '"runs" ', 1))   # tell the files apart
    before = shipped.read_text()
    assert transfer.main(args) == 0 and transfer.main(args) == 0
    assert shipped.read_text() == before and (tmp_path / "transfer_split_lr.sha256").read_text() == pinned
    for name in ("transfer_split_lr.new", "transfer_split_lr.new2"):   # the two runs went next to it
        digest = (tmp_path / f"{name}.sha256").read_text().split()[0]
        assert digest == pretrained.sha256_of(tmp_path / f"{name}.json")
    assert transfer.main(args + ["--force"]) == 0
    assert shipped.read_text() != before
    assert transfer.load_results("split_lr", tmp_path)["experiment"] == "split_lr"
    assert not (tmp_path / "transfer_split_lr.new3.json").exists()


def test_same_machine_compares_cpu_blas_and_versions():
    now = transfer.machine()
    assert transfer.same_machine(now, now)
    assert not transfer.same_machine(dict(now, blas=[["openblas", "0.0", "Haswell"]]), now)
    assert transfer.same_machine(dict(now, python="2.7"), now)  # the Python version does not change a sum


# ------------------------------------------------------------------ the shipped results
@pytest.fixture(scope="module")
def grid():
    return transfer.load_results("grid")


def _tolerance(cell, strategy):
    """Elsewhere (another CPU or BLAS): three standard deviations of the seed-to-seed spread of this
    strategy in this cell, and at least two test images."""
    return max(3 * cell["summary"][strategy]["std"], 2 / cell["num_test"])


def test_the_cheapest_grid_cell_reproduces_its_stored_numbers(grid):
    """Re-run the smallest cell (small and similar: 50 training images) for its first seed, every strategy."""
    recipe = grid["recipe"]
    assert grid["source_net"]["sha256"] == pretrained.sha256_of(pretrained.ZOO_DIR / "shapes_half_a.npz")
    cell = min(grid["cells"], key=lambda c: c["num_train"])
    assert (cell["size"], cell["similarity"]) == ("small", "similar")
    seed = recipe["seeds"]["small"][0]
    stored = {r["strategy"]: r["test_accuracy"] for r in cell["runs"] if r["seed"] == seed}
    with threadpool_limits(limits=1, user_api="blas"):
        got = transfer.run_cell(cell["similarity"], cell["size"], seed, recipe=recipe)
    if transfer.same_machine(grid["machine"]):
        assert got == stored
    else:
        for s in stored:
            assert abs(got[s] - stored[s]) <= _tolerance(cell, s), (s, got[s], stored[s])


def test_the_grid_file_is_complete_and_its_summaries_are_its_runs(grid):
    assert grid["recipe"] == transfer.GRID_RECIPE, "the shipped grid was made with other settings: re-run --grid"
    assert grid["strategies"] == transfer.STRATEGIES
    assert {(c["size"], c["similarity"]) for c in grid["cells"]} == set(transfer.NOTES_RULES)
    for cell in grid["cells"]:
        seeds = grid["recipe"]["seeds"][cell["size"]]
        assert sorted((r["strategy"], r["seed"]) for r in cell["runs"]) == sorted(
            (s, seed) for s in "abcde" for seed in seeds)
        assert cell["num_train"] == cell["num_classes"] * cell["train_per_class"]
        for s in "abcde":
            values = np.array([r["test_accuracy"] for r in cell["runs"] if r["strategy"] == s])
            assert abs(cell["summary"][s]["mean"] - values.sum() / len(values)) < 1e-12
            sd = np.sqrt(((values - values.mean()) ** 2).sum() / (len(values) - 1))
            assert abs(cell["summary"][s]["std"] - sd) < 1e-12
            # every accuracy is a whole number of test images
            assert np.allclose(values * cell["num_test"], np.round(values * cell["num_test"]))


def test_every_trained_strategy_fits_a_small_training_set(grid):
    for cell in grid["cells"]:
        if cell["size"] == "small":
            for run in cell["runs"]:
                if run["strategy"] in "cde":
                    assert run["train_accuracy"] >= 0.95, run


def _notebook_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
            yield "".join(cell["source"]), text


def test_the_notebooks_printed_grid_table_is_the_json(grid):
    """Parse the table the notebook printed and compare every number with the shipped file."""
    table = next(out for src, out in _notebook_outputs() if "grid_table(" in src)
    pattern = re.compile(r"^(small|large), (similar|different)\s+\(([a-e])\).*?\s(\d\.\d{3}) \+- (\d\.\d{3})\s+(\d+)\s+"
                         r"(\d\.\d\d)$")
    rows = [pattern.match(line) for line in table.splitlines()[1:]]
    assert all(rows) and len(rows) == 20, table
    cells = {(c["size"], c["similarity"]): c for c in grid["cells"]}
    for m in rows:
        cell = cells[(m.group(1), m.group(2))]
        summary = cell["summary"][m.group(3)]
        assert float(m.group(4)) == round(summary["mean"], 3)
        assert float(m.group(5)) == round(summary["std"], 3)
        assert int(m.group(6)) == summary["n"]


@pytest.fixture(scope="module")
def layers():
    return transfer.load_results("layers")


def test_the_layer_file_is_complete_and_reproduces_its_cheapest_job(layers):
    recipe = layers["recipe"]
    assert recipe == transfer.LAYERS_RECIPE
    for key in ("A", "B"):
        name = layers["source_nets"][key]["name"]
        assert layers["source_nets"][key]["sha256"] == pretrained.sha256_of(pretrained.ZOO_DIR / f"{name}.npz")
    jobs = sorted((r["variant"], r["n"], r["seed"]) for r in layers["runs"])
    want = [("baseB", 0, s) for s in recipe["seeds"]] + [(v, n, s) for v in transfer.VARIANTS for n in range(1, 5)
                                                          for s in recipe["seeds"]]
    assert jobs == sorted(want)
    # the cheapest job: everything but the classifier copied from A and frozen
    seed = recipe["seeds"][0]
    stored = next(r["test_accuracy"] for r in layers["runs"] if (r["variant"], r["n"], r["seed"]) == ("AnB", 4, seed))
    with threadpool_limits(limits=1, user_api="blas"):
        got = transfer.layer_job("AnB", 4, seed, recipe)
    spread = transfer.layer_summary(layers)["AnB"][4]["std"]
    if transfer.same_machine(layers["machine"]):
        assert got == stored
    else:
        assert abs(got - stored) <= max(3 * spread, 2 / recipe["num_test"])


def test_the_notebooks_printed_layer_table_is_the_json(layers):
    """Parse the layer table and the boosts the notebook printed; recompute them from the runs by hand."""
    out = next(out for src, out in _notebook_outputs() if "layer_summary(" in src)
    runs = layers["runs"]

    def stats(variant, n):
        values = [r["test_accuracy"] for r in runs if (r["variant"], r["n"]) == (variant, n)]
        mean = sum(values) / len(values)
        return mean, (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5

    m = re.search(r"baseB \(trained on B from scratch\): (\d\.\d{3}) \+- (\d\.\d{3})", out)
    assert m, out
    base_mean, base_std = stats("baseB", 0)
    assert (float(m.group(1)), float(m.group(2))) == (round(base_mean, 3), round(base_std, 3))
    rows = re.findall(r"^(\d)  (\w+) +((?:\s*\d\.\d{3} \+-\d\.\d{3}){4})$", out, flags=re.M)
    assert [(int(n), name) for n, name, _ in rows] == list(enumerate(layers["layers"], start=1)), out
    for n, _, numbers in rows:
        printed = [float(v) for v in re.findall(r"\d\.\d{3}", numbers)]
        want = [round(x, 3) for v in transfer.VARIANTS for x in stats(v, int(n))]
        assert printed == want, (n, printed, want)
    boosts = next(out for src, out in _notebook_outputs() if "def boost(" in src)
    ours = [float(v) for v in re.findall(r"ours n = \d-4: ([+-]\d+\.\d) points", boosts)]
    want = [round(100 * (sum(stats("AnB+", n)[0] for n in range(first, 5)) / (5 - first) - base_mean), 1)
            for first in (1, 2, 3)]
    assert ours == want, (ours, want)
    control = [float(v) for v in re.findall(r"our BnB\+ over baseB: ([+-]\d+\.\d)\)", boosts)]
    want = [round(100 * (sum(stats("BnB+", n)[0] for n in range(first, 5)) / (5 - first) - base_mean), 1)
            for first in (1, 2, 3)]
    assert control == want, (control, want)
    m = re.search(r"AnB\+ minus BnB\+ at n = 1, 2, 3, 4: (.*) points", boosts)
    assert m, boosts
    assert [float(v) for v in m.group(1).split(", ")] == [
        round(100 * (stats("AnB+", n)[0] - stats("BnB+", n)[0]), 1) for n in range(1, 5)]


@pytest.fixture(scope="module")
def sweep():
    return transfer.load_results("lr_sweep")


def test_the_learning_rate_file_is_complete_and_reproduces_one_run(sweep):
    recipe = sweep["recipe"]
    assert recipe == transfer.LR_SWEEP_RECIPE
    assert len(sweep["runs"]) == len(recipe["rates"]) * len(recipe["seeds"]) * 2
    for run in sweep["runs"]:
        assert ("relative_change" in run) == (run["start"] == "pretrained")
    rate, seed = recipe["rates"][0], recipe["seeds"][0]
    stored = next(r for r in sweep["runs"] if (r["learning_rate"], r["seed"], r["start"]) == (rate, seed, "pretrained"))
    with threadpool_limits(limits=1, user_api="blas"):
        got = transfer.lr_job(rate, seed, "pretrained", recipe)
    if transfer.same_machine(sweep["machine"]):
        assert got == stored
    else:
        spread = np.std([r["test_accuracy"] for r in sweep["runs"]
                         if (r["learning_rate"], r["start"]) == (rate, "pretrained")], ddof=1)
        assert abs(got["test_accuracy"] - stored["test_accuracy"]) <= max(3 * spread, 2 / (5 * recipe["test_per_class"]))


# ------------------------------------------------------------------ the control of the split learning rates
def test_split_lr_rates_of_each_variant(source):
    net, rates = transfer.strategy_net(source, "d", 5, seed=0)
    assert transfer.split_lr_rates(rates, "split") == rates
    assert transfer.split_lr_rates(rates, "one rate, the head's") == {
        "conv1": 1e-3, "conv2": 1e-3, "conv3": 1e-3, "fc1": 1e-3, "head": 1e-3}
    small = transfer.split_lr_rates(rates, "one rate, the pretrained layers'")
    assert set(small) == set(rates) and all(abs(r - 1e-4) < 1e-18 for r in small.values())
    assert small["conv1"] == rates["conv1"]   # the very float (d) gives its pretrained layers
    with pytest.raises(ValueError, match="variant must be one of"):
        transfer.split_lr_rates(rates, "two rates")


@pytest.fixture(scope="module")
def split():
    return transfer.load_results("split_lr")


def test_the_split_lr_file_is_complete(split):
    recipe = split["recipe"]
    assert recipe == transfer.SPLIT_LR_RECIPE
    assert split["variants"] == transfer.SPLIT_LR_VARIANTS
    assert split["source_net"]["sha256"] == pretrained.sha256_of(pretrained.ZOO_DIR / "shapes_half_a.npz")
    want = sorted((size, sim, seed, v) for size, sim in recipe["cells"] for seed in recipe["seeds"][size]
                  for v in recipe["variants"])
    assert sorted((r["size"], r["similarity"], r["seed"], r["variant"]) for r in split["runs"]) == want
    tests = {"similar": 5 * recipe["similar"]["test_per_class"], "different": 10 * recipe["different"]["test_per_class"]}
    for run in split["runs"]:
        assert set(run["relative_change"]) == {"conv1", "conv2", "conv3", "fc1"}
        assert all(0 < v < 10 for v in run["relative_change"].values())
        n = tests[run["similarity"]]
        assert abs(run["test_accuracy"] * n - round(run["test_accuracy"] * n)) < 1e-9


def test_split_rates_are_the_grids_strategy_d(split, grid):
    """The split variant is (d): on the grid's machine the same numbers, elsewhere within the seeds' spread."""
    cells = {(c["size"], c["similarity"]): c for c in grid["cells"]}
    same = transfer.same_machine(grid["machine"], split["machine"])
    for run in split["runs"]:
        if run["variant"] != "split":
            continue
        cell = cells[(run["size"], run["similarity"])]
        stored = next(r["test_accuracy"] for r in cell["runs"] if (r["strategy"], r["seed"]) == ("d", run["seed"]))
        if same:
            assert run["test_accuracy"] == stored, run
        else:
            assert abs(run["test_accuracy"] - stored) <= _tolerance(cell, "d"), (run, stored)


def test_the_split_lr_file_reproduces_its_cheapest_job(split):
    recipe = split["recipe"]
    seed = recipe["seeds"]["small"][0]
    variant = "one rate, the head's"
    stored = next(r for r in split["runs"] if (r["size"], r["similarity"], r["seed"], r["variant"])
                  == ("small", "similar", seed, variant))
    with threadpool_limits(limits=1, user_api="blas"):
        got = transfer.split_lr_job("similar", "small", seed, variant, recipe)
    if transfer.same_machine(split["machine"]):
        assert got == {k: v for k, v in stored.items() if k != "cpu_seconds"}
    else:
        spread = np.std([r["test_accuracy"] for r in split["runs"] if (r["size"], r["similarity"], r["variant"])
                         == ("small", "similar", variant)], ddof=1)
        assert abs(got["test_accuracy"] - stored["test_accuracy"]) <= max(3 * spread, 2 / 1000)


def test_the_notebooks_printed_split_lr_table_is_the_json(split):
    """Parse the table the notebook printed; recompute every number from the runs by hand."""
    out = next(out for src, out in _notebook_outputs() if "split_lr_table(" in src)
    rows = re.findall(r"^(small|large), (similar|different)\s+(split|one rate, the head's|one rate, the pretrained "
                      r"layers')\s+(\d\.\d{3}) \+- (\d\.\d{3})\s+(\d\.\d\d)\s+([\d.e+-]+) %\s+([\d.e+-]+) %$",
                      out, flags=re.M)
    assert len(rows) == 12, out
    for size, sim, variant, mean, std, train, conv1, fc1 in rows:
        runs = [r for r in split["runs"] if (r["size"], r["similarity"], r["variant"]) == (size, sim, variant)]
        acc = [r["test_accuracy"] for r in runs]
        m = sum(acc) / len(acc)
        sd = (sum((a - m) ** 2 for a in acc) / (len(acc) - 1)) ** 0.5
        assert (float(mean), float(std)) == (round(m, 3), round(sd, 3))
        assert float(train) == round(sum(r["train_accuracy"] for r in runs) / len(runs), 2)
        for printed, name in ((conv1, "conv1"), (fc1, "fc1")):
            want = 100 * sum(r["relative_change"][name] for r in runs) / len(runs)
            assert float(printed) == float(f"{want:.3g}")


def test_codes_baselines_strategy_a_is_the_grids_and_the_pixels_a_plain_logistic_regression(source, grid):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    seeds = grid["recipe"]["seeds"]["small"][:2]
    with threadpool_limits(limits=1, user_api="blas"):
        got = transfer.codes_baselines(source, seeds)
    assert set(got) == {"CNN codes", "random net's codes", "pixels"} and all(len(v) == 2 for v in got.values())
    cell = next(c for c in grid["cells"] if (c["size"], c["similarity"]) == ("small", "similar"))
    for seed, acc in zip(seeds, got["CNN codes"]):
        stored = next(r["test_accuracy"] for r in cell["runs"] if (r["strategy"], r["seed"]) == ("a", seed))
        if transfer.same_machine(grid["machine"]):
            assert acc == stored
        else:
            assert abs(acc - stored) <= _tolerance(cell, "a"), (seed, acc, stored)
    data = transfer.cell_data("similar", "small", seeds[1])
    X, Xt = data["X_train"].reshape(50, -1), data["X_test"].reshape(1000, -1)
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(max_iter=5000).fit(scaler.transform(X), data["y_train"])
    assert got["pixels"][1] == np.mean(clf.predict(scaler.transform(Xt)) == data["y_test"])
