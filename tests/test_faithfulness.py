"""Deletion and insertion (cs231n_lib.faithfulness) against direct loops, and the shipped measurement
of notebook 07 against its recipe.

The direct loop below is written as Petsiuk et al.'s evaluation code runs one image: a working copy
of the image, the next `step` pixels of the ranking changed in place after every reading, the
probability read one image at a time, the AUC summed trapezoid by trapezoid over the fraction of the
pixels changed (with equal steps, their formula (sum - first/2 - last/2) / steps, checked below).
The ranking is a Python sort on (-value, position in the tie permutation)."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cs231n_lib import data, faithfulness as F, gradients, pretrained
from cs231n_lib.nets import SequentialNet

ROOT = pathlib.Path(__file__).resolve().parent.parent


def softmax_probability(net, image, label):
    scores = np.asarray(net.loss(image[None]), dtype=np.float64)[0]
    e = np.exp(scores - scores.max())
    return float(e[label] / e.sum())


def ranking_by_sort(m, seed):
    flat = np.asarray(m, dtype=np.float64).ravel()
    tie = np.random.default_rng(seed).permutation(flat.size)
    place = np.empty(flat.size, dtype=int)
    place[tie] = np.arange(flat.size)          # where each pixel comes in the tie order
    return sorted(range(flat.size), key=lambda p: (-flat[p], place[p]))


def direct_curves(net, x, label, m, step, fill, seed=0):
    """One image, both games, pixel by pixel as the RISE code does it; returns (del, ins, del_auc, ins_auc)."""
    C, H, W = x.shape
    order = ranking_by_sort(m, seed)
    fill = np.broadcast_to(fill, x.shape)
    results = []
    for start, finish in ((x.astype(np.float64), fill), (np.array(fill, dtype=np.float64), x.astype(np.float64))):
        work = start.copy()
        curve = []
        n_steps = (H * W + step - 1) // step
        for i in range(n_steps + 1):
            curve.append(softmax_probability(net, work.astype(net.dtype), label))
            for p in order[step * i:step * (i + 1)]:
                r, c = divmod(p, W)
                work[:, r, c] = finish[:, r, c]
        curve = np.array(curve)
        results.append(curve)
    done = [min(step * i, H * W) / (H * W) for i in range(len(results[0]))]   # fraction changed at each reading
    aucs = []
    for curve in results:
        area = 0.0
        for i in range(1, len(curve)):
            area += (done[i] - done[i - 1]) * (curve[i] + curve[i - 1]) / 2
        aucs.append(area)
    return results[0], results[1], aucs[0], aucs[1]


@pytest.fixture(scope="module")
def tiny_net():
    net = SequentialNet([("conv", {"kind": "conv", "num_filters": 4, "filter_size": 3}), ("relu", {"kind": "relu"}),
                         ("pool", {"kind": "pool", "size": 2}), ("fc", {"kind": "affine", "out_dim": 3})],
                        input_dim=(2, 6, 6), dtype=np.float64, seed=3, input_mean=0.5, input_convention="unit")
    return net


def test_the_order_is_a_sort_with_ties_in_the_fixed_random_order():
    rng = np.random.default_rng(0)
    maps = np.round(rng.random((3, 5, 7)), 1)           # many ties
    maps[1] = 0.0                                       # all tied: the permutation itself
    for seed in (0, 4):
        order = F.pixel_order(maps, seed)
        for n in range(3):
            assert order[n].tolist() == ranking_by_sort(maps[n], seed)
    assert F.pixel_order(maps, 0)[1].tolist() == np.random.default_rng(0).permutation(35).tolist()


def test_the_area_is_petsiuks_formula_on_equal_steps_and_the_trapezoid_rule_otherwise():
    v = np.random.default_rng(1).random((4, 9))
    f = np.linspace(0, 1, 9)
    rise = (v.sum(axis=1) - v[:, 0] / 2 - v[:, -1] / 2) / 8
    np.testing.assert_allclose(F.area_under_curve(f, v), rise, rtol=1e-12)
    g = np.array([0, 0.1, 0.5, 0.55, 1.0])
    w = np.array([1.0, 0.5, 0.25, 0.2, 0.0])
    by_hand = 0.1 * 0.75 + 0.4 * 0.375 + 0.05 * 0.225 + 0.45 * 0.1
    assert F.area_under_curve(g, w) == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("step", [1, 5, 36, 50])
def test_curves_and_aucs_equal_a_direct_loop(tiny_net, step):
    rng = np.random.default_rng(2)
    X = rng.random((3, 2, 6, 6))
    y = np.array([0, 2, 1])
    maps = np.round(rng.random((3, 6, 6)), 1)
    c = F.deletion_insertion(tiny_net, X, y, maps, step=step, seed=1)
    for n in range(3):
        dele, ins, d_auc, i_auc = direct_curves(tiny_net, X[n], y[n], maps[n], step, 0.5, seed=1)
        np.testing.assert_allclose(c.deletion[n], dele, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c.insertion[n], ins, rtol=1e-12, atol=1e-15)
        assert c.deletion_auc[n] == pytest.approx(d_auc, rel=1e-12)
        assert c.insertion_auc[n] == pytest.approx(i_auc, rel=1e-12)
    # both games meet at the ends: the intact image and the blank one
    np.testing.assert_allclose(c.deletion[:, 0], c.insertion[:, -1], rtol=1e-12)
    np.testing.assert_allclose(c.deletion[:, -1], c.insertion[:, 0], rtol=1e-12)
    assert c.fractions[0] == 0 and c.fractions[-1] == 1


def test_the_fill_is_the_grey_of_the_nets_convention(tiny_net):
    """0.5 for images in [0, 1]; 0 (the mean image) for CS231n's scale; a net that names no convention
    is refused with the fix, and an explicit fill is used as given."""
    assert np.all(F.neutral_fill(tiny_net) == 0.5) and F.neutral_fill(tiny_net).shape == (2, 6, 6)
    cs231n = SequentialNet([("fc", {"kind": "affine", "out_dim": 2})], input_dim=(1, 3, 3), dtype=np.float64,
                           input_convention="cs231n")
    assert np.all(F.neutral_fill(cs231n) == 0)
    plain = SequentialNet([("fc", {"kind": "affine", "out_dim": 2})], input_dim=(1, 3, 3), dtype=np.float64)
    with pytest.raises(ValueError, match=r"input_convention is None.*net\.input_convention = 'unit'.*fill="):
        F.neutral_fill(plain)
    x = np.full((1, 1, 3, 3), 0.7)
    c = F.deletion_insertion(plain, x, [1], np.ones((1, 3, 3)), step=9, fill=0.0)
    assert c.deletion[0, -1] == pytest.approx(softmax_probability(plain, np.zeros((1, 3, 3)), 1), rel=1e-12)


def test_a_map_that_puts_the_evidence_first_deletes_faster_than_its_reverse():
    """A linear 'net' whose score for class 1 is the sum of the pixels above 0: ranking by the pixels
    themselves deletes the evidence first (lower deletion AUC, higher insertion AUC) than the reverse."""
    net = SequentialNet([("fc", {"kind": "affine", "out_dim": 2})], input_dim=(1, 4, 4), dtype=np.float64)
    net.params["fc.W"] = np.stack([np.zeros(16), np.ones(16)], axis=1)
    net.params["fc.b"] = np.zeros(2)
    x = np.linspace(0, 1, 16).reshape(1, 1, 4, 4)
    good = F.deletion_insertion(net, x, [1], x[:, 0], step=1, fill=0.0)
    bad = F.deletion_insertion(net, x, [1], -x[:, 0], step=1, fill=0.0)
    assert good.deletion_auc[0] < bad.deletion_auc[0] and good.insertion_auc[0] > bad.insertion_auc[0]


def test_bad_input_is_refused_with_a_clear_message(tiny_net):
    X, y, maps = np.zeros((2, 2, 6, 6)), np.array([0, 1]), np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match="maps must have shape"):
        F.deletion_insertion(tiny_net, X, y, maps[:1])
    with pytest.raises(ValueError, match="class labels"):
        F.deletion_insertion(tiny_net, X, np.array([0, 3]), maps)
    with pytest.raises(ValueError, match="whole number of pixels"):
        F.deletion_insertion(tiny_net, X, y, maps, step=0)
    with pytest.raises(ValueError, match="X must have shape"):
        F.deletion_insertion(tiny_net, X[0], y, maps)
    with pytest.raises(ValueError, match="finite"):
        F.pixel_order(np.full((1, 2, 2), np.nan))


def test_paired_images_counts_and_the_standard_error():
    r = F.paired_images([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 1.0, 0.0])
    d = np.array([-1.0, 0.0, 2.0, 4.0])
    assert r.mean_difference == pytest.approx(d.mean())
    assert r.se == pytest.approx(d.std(ddof=1) / 2)
    assert (r.a_lower, r.b_lower, r.images) == (1, 2, 4)


# ------------------------------------------------------------------ the shipped measurement
@pytest.fixture(scope="module")
def record():
    return F.load_results()


@pytest.fixture(scope="module")
def setting(record):
    s = record["settings"]
    net = pretrained.load_pretrained(s["net"])
    shapes = data.load_shapes(num_train=0, num_val=0, num_test=s["num_test"], seed=s["data_seed"])
    return net, shapes["X_test"][:s["images"]], shapes["y_test"][:s["images"]]


def test_the_shipped_file_is_made_from_this_net_these_images_and_these_settings(record, setting):
    net, X, y = setting
    assert record["settings"] == F.SETTINGS
    assert record["params_sha256"] == gradients.params_digest(net)
    assert record["images_sha256"] == F.images_digest(X, y)
    assert record["fill"] == 0.5 and sorted(record["rows"]) == sorted(F.ROWS)
    assert len(record["fractions"]) == 1024 // F.SETTINGS["step"] + 1
    for row in F.ROWS:
        for kind in ("deletion", "insertion"):
            assert len(record["rows"][row][f"{kind}_auc"]) == 200
            assert len(record["rows"][row][f"{kind}_mean"]) == len(record["fractions"])


def test_the_shipped_aucs_equal_a_direct_loop_on_a_few_images(record, setting):
    """Acceptance of issue 26: every row's AUCs of images 0, 57 and 199, recomputed from scratch
    (the maps by the library, the games by the direct loop) equal the shipped ones."""
    net, X, y = setting
    picks = [0, 57, 199]
    with threadpool_limits(limits=1, user_api="blas"):     # as the command made them, batch for batch
        maps = F.sweep_maps(net, X, y, record["settings"], rows=[r for r in F.ROWS if r != "occlusion"])
        maps = {row: m[picks] for row, m in maps.items()}
        maps.update(F.sweep_maps(net, X[picks], y[picks], record["settings"], rows=["occlusion"]))
    step = record["settings"]["step"]
    for row in F.ROWS:
        for k, n in enumerate(picks):
            _, _, d_auc, i_auc = direct_curves(net, X[n], int(y[n]), maps[row][k], step, 0.5,
                                               seed=record["settings"]["order_seed"])
            assert record["rows"][row]["deletion_auc"][n] == pytest.approx(d_auc, rel=1e-5, abs=1e-6), (row, n)
            assert record["rows"][row]["insertion_auc"][n] == pytest.approx(i_auc, rel=1e-5, abs=1e-6), (row, n)


def test_the_shipped_means_and_quartiles_follow_from_the_shipped_aucs_curves(record):
    f = np.asarray(record["fractions"])
    for row in F.ROWS:
        r = record["rows"][row]
        for kind in ("deletion", "insertion"):
            # the AUC is linear in the curve: the mean curve's area is the mean area
            assert F.area_under_curve(f, np.asarray(r[f"{kind}_mean"])) == pytest.approx(np.mean(r[f"{kind}_auc"]),
                                                                                         rel=1e-9)
            q = np.asarray(r[f"{kind}_quartiles"])
            assert q.shape == (3, len(f)) and np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])


def test_the_command_never_overwrites_a_file_without_force(tmp_path):
    out = tmp_path / "f.json"
    out.write_text("{}")
    code = ("import sys; from cs231n_lib import faithfulness as F; "
            f"sys.exit(F.main(['--sweep', '--images', '2', '--out', {str(out)!r}]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1 and "--force" in run.stderr and out.read_text() == "{}"
    with pytest.raises(FileExistsError, match="--force"):
        F.write_results({"a": 1}, out)
    F.write_results({"a": 1}, out, force=True)
    assert json.loads(out.read_text()) == {"a": 1}
    assert out.with_suffix(".sha256").read_text().split()[1] == "f.json"


def test_a_damaged_file_is_refused(tmp_path):
    out = tmp_path / "f.json"
    F.write_results({"a": 1}, out)
    out.write_text('{"a": 2}\n')
    with pytest.raises(ValueError, match="checksum"):
        F.load_results(out)


def test_the_game_images_are_what_the_curves_read(tiny_net):
    rng = np.random.default_rng(5)
    x, m = rng.random((2, 6, 6)), rng.random((6, 6))
    c = F.deletion_insertion(tiny_net, x[None], [2], m[None], step=4)
    picks = [0, 3, 9]
    deleted, inserted = F.game_images(tiny_net, x, m, c.fractions[picks])
    for k, j in enumerate(picks):
        assert softmax_probability(tiny_net, deleted[k], 2) == pytest.approx(c.deletion[0, j], rel=1e-12)
        assert softmax_probability(tiny_net, inserted[k], 2) == pytest.approx(c.insertion[0, j], rel=1e-12)
    top = F.pixel_order(m[None])[0][:12]                # step 4, reading 3: 12 of the 36 pixels
    r, col = np.divmod(top, 6)
    assert np.all(deleted[1][:, r, col] == 0.5) and np.all(inserted[1][:, r, col] == x[:, r, col])
    assert np.sum(np.any(deleted[1] != x, axis=0)) == 12 and np.sum(np.any(inserted[1] != 0.5, axis=0)) == 12
