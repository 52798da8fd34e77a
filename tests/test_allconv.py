"""The all-convolutional net of notebook 07: its recipe is shapes_convnet's, the shipped comparison
(data/allconv_comparison.json) is what the script writes and what the zoo holds, and the script's
cheapest run is repeated here."""
import statistics

import numpy as np
import pytest

from cs231n_lib import __version__, gradients, pretrained
from cs231n_lib.recipes import shapes_allconv, shapes_convnet


def check_record(record, recipe, min_seeds):
    """What every comparison record must hold; the summary is recomputed here with ``statistics``."""
    assert record["recipe"] == recipe
    seeds = record["seeds"]
    assert len(seeds) >= min_seeds and len(set(seeds)) == len(seeds)
    runs = record["runs"]
    assert sorted((r["net"], r["seed"]) for r in runs) == sorted((n, s) for n in gradients.NETS for s in seeds)
    for name in gradients.NETS:
        mine = [r for r in runs if r["net"] == name]
        acc = [r["test_accuracy"] for r in mine]
        row = record["summary"][name]
        assert row["test_accuracy_mean"] == pytest.approx(statistics.fmean(acc), abs=1e-12)
        assert row["test_accuracy_std"] == pytest.approx(statistics.stdev(acc) if len(acc) > 1 else 0.0, abs=1e-12)
        assert (row["test_accuracy_min"], row["test_accuracy_max"]) == (min(acc), max(acc))
        assert row["cpu_seconds_per_epoch"] == pytest.approx(statistics.fmean(r["cpu_seconds_per_epoch"] for r in mine))
        for r in mine:  # an accuracy is a whole number of test images
            assert r["test_accuracy"] * r["num_test"] == pytest.approx(round(r["test_accuracy"] * r["num_test"]))
            assert r["cpu_seconds_per_epoch"] > 0 and r["wall_seconds_per_epoch"] > 0
    for key in ("machine", "load_average_before", "load_average_after"):
        assert key in record
    assert {"cpu_count", "python", "numpy"} <= set(record["machine"])


def test_the_twin_replaces_each_pool_by_a_strided_convolution():
    twin, reference = shapes_allconv.build(), shapes_convnet.build()
    assert ([n for n in twin.names if not n.startswith(("down", "relu_down"))]
            == [n for n in reference.names if not n.startswith("pool")])
    assert [n for n in twin.names if n.startswith("down")] == ["down1", "down2", "down3"]
    for k, channels in ((1, 16), (2, 32), (3, 32)):
        layer = twin.layers[f"down{k}"]
        assert (layer.filter_size, layer.stride, layer.pad, layer.num_filters) == (2, 2, 0, channels)
        assert twin.shapes[f"relu_down{k}"] == reference.shapes[f"pool{k}"]
    # parameters by hand: the reference's 47,818 plus 16*16*4 + 16 + 2 * (32*32*4 + 32) = 9,296
    assert gradients.parameter_count(reference) == 448 + 4640 + 9248 + 32832 + 650 == 47818
    assert gradients.parameter_count(twin) == 47818 + 1040 + 2 * 4128 == 57114
    assert shapes_allconv.RECIPE == shapes_convnet.RECIPE


def test_the_twins_recipe_trains_the_reference_net_to_the_same_bytes():
    """shapes_allconv.train with shapes_convnet.build is shapes_convnet.train: the same recipe."""
    from threadpoolctl import threadpool_limits

    settings = dict(shapes_convnet.RECIPE, **shapes_convnet.QUICK)
    with threadpool_limits(limits=1, user_api="blas"):
        ours, info_ours = shapes_allconv.train(settings, progress=False, build_fn=shapes_convnet.build, timer={})
        theirs, info_theirs = shapes_convnet.train(settings, progress=False)
    assert gradients.params_digest(ours) == gradients.params_digest(theirs)
    assert info_ours == info_theirs


def test_the_shipped_comparison():
    record = gradients.load_allconv_comparison()
    check_record(record, shapes_allconv.RECIPE, min_seeds=3)
    assert record["library_version"] == __version__
    for name in gradients.NETS:
        assert record["summary"][name]["parameters"] == gradients.parameter_count(pretrained.recipe(name).build())


def test_the_shipped_all_conv_net_is_the_comparisons_seed_0_run():
    """The zoo's shapes_allconv was trained by the same code with seed 0: same weights, same accuracy,
    re-measured here on its test split."""
    record = gradients.load_allconv_comparison()
    run = next(r for r in record["runs"] if r["net"] == "shapes_allconv" and r["seed"] == 0)
    net = pretrained.load_pretrained("shapes_allconv")
    assert gradients.params_digest(net) == run["params_sha256"]
    X_test, y_test = shapes_allconv.test_split(net.meta["recipe"])
    accuracy = float(np.mean(net.predict(X_test) == y_test))
    assert abs(accuracy - run["test_accuracy"]) <= 1 / len(y_test) + 1e-12


def test_the_comparisons_max_pooling_seed_0_is_the_shipped_shapes_convnet():
    """shapes_convnet's own recipe made the zoo's net; the comparison's seed-0 run of the same recipe,
    through shapes_allconv.train, reproduced it to the byte on the machine that ran both."""
    record = gradients.load_allconv_comparison()
    run = next(r for r in record["runs"] if r["net"] == "shapes_convnet" and r["seed"] == 0)
    net = pretrained.load_pretrained("shapes_convnet")
    assert gradients.params_digest(net) == run["params_sha256"], (
        "data/zoo/shapes_convnet.npz is not the net the comparison trained with seed 0: after retraining "
        "shapes_convnet, run `python -m cs231n_lib.gradients --compare-allconv` again on the same machine")
    assert run["test_accuracy"] == net.meta["test_accuracy"]


def test_the_cheapest_comparison_runs_again_the_same():
    """The script itself, with the recipe's QUICK settings and two seeds, twice: the same record
    (but for the timings), and a record of the shipped kind."""
    quick = dict(shapes_allconv.RECIPE, **shapes_allconv.QUICK)
    first = gradients.compare_allconv((0, 1), overrides=shapes_allconv.QUICK)
    second = gradients.compare_allconv((0, 1), overrides=shapes_allconv.QUICK)
    check_record(first, quick, min_seeds=2)
    strip = [{k: v for k, v in r.items() if "seconds" not in k} for r in first["runs"]]
    assert strip == [{k: v for k, v in r.items() if "seconds" not in k} for r in second["runs"]]
    with pytest.raises(ValueError, match="seeds must differ"):
        gradients.compare_allconv((1, 1), overrides=shapes_allconv.QUICK)


def test_the_command_line_writes_the_record_and_its_checksum(tmp_path, capsys):
    out = tmp_path / "record.json"
    assert gradients.main(["--compare-allconv", "--quick", "--seeds", "3", "4", "--out", str(out)]) == 0
    record = gradients.load_allconv_comparison(out)  # verified against the .sha256 written next to it
    check_record(record, dict(shapes_allconv.RECIPE, **shapes_allconv.QUICK), min_seeds=2)
    assert "shapes_allconv: test accuracy" in capsys.readouterr().out
    out.write_text(out.read_text().replace('"seeds"', '"seeds" ', 1))
    with pytest.raises(ValueError, match="does not match its checksum"):
        gradients.load_allconv_comparison(out)
    out.with_suffix(".sha256").unlink()
    with pytest.raises(FileNotFoundError, match="rebuild it with"):
        gradients.load_allconv_comparison(out)
