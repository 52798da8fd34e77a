"""The tables notebook 07 prints are what the library's functions give: recomputed here from the same
data and settings (written out in this file, not read from the notebook) and compared with the
notebook's stored output, line by line.  The mass inside the masks is also recounted pixel by pixel."""
import json
import pathlib

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cs231n_lib import data, gradients, pretrained

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "07_looking_through_the_gradient.ipynb"


def printed(first_line):
    """The text a code cell of the notebook printed; the cell is found by the start of its source."""
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith(first_line):
            return "".join("".join(o["text"]) for o in cell["outputs"] if o.get("output_type") == "stream")
    raise AssertionError(f"no code cell of {NOTEBOOK.name} starts with {first_line!r}")


def score_line(row):
    return (f"{row.method:<24}{row.mass_inside:>10.2f} ± {row.mass_inside_se:.2f}"
            f"{row.pointing:>12.2f} ± {row.pointing_se:.2f}")


@pytest.fixture(scope="module")
def setting():
    with threadpool_limits(limits=1, user_api="blas"):
        shapes = data.load_shapes(num_train=0, num_val=0, num_test=300, seed=0)
        yield {"net": pretrained.load_pretrained("shapes_convnet"), "allconv": pretrained.load_pretrained("shapes_allconv"),
               "X": shapes["X_test"], "y": shapes["y_test"], "masks": shapes["masks_test"]}


@pytest.fixture(scope="module")
def scored(setting):
    X, y = setting["X"][:200], setting["y"][:200]
    with threadpool_limits(limits=1, user_api="blas"):
        return {m: gradients.attribution_maps(setting["net"], X, y, m)
                for m in ("gradient", "guided", "deconvnet", "occlusion")}


def test_the_scoring_table(setting, scored):
    masks, X = setting["masks"][:200], setting["X"][:200]
    rows = gradients.score_maps(scored, masks, images=X)
    shown = printed("N = 200").splitlines()
    assert [score_line(r) for r in rows] == shown[1:7]
    assert [r.method for r in rows[-2:]] == ["edge map (no net)", "random map (mask area)"]
    # the mass inside, counted pixel by pixel for the guided maps, is the row's mean
    counted = []
    for m, k in zip(scored["guided"], masks):
        inside = sum(float(m[i, j]) for i in range(32) for j in range(32) if k[i, j])
        counted.append(inside / float(m.sum()))
    assert f"{np.mean(counted):.2f}" == f"{rows[1].mass_inside:.2f}"
    # the edge map's row, from np.gradient's central differences (its one-sided border rows replaced by 0)
    # and a plain argmax count (the edge maps of these images have no tied maxima)
    mass, hits = [], []
    for x, k in zip(X.astype(np.float64), masks):
        gy, gx = np.gradient(x, axis=(1, 2))
        gy[:, [0, -1], :] = 0
        gx[:, :, [0, -1]] = 0
        edges = np.sqrt(gx ** 2 + gy ** 2).max(axis=0)
        assert np.sum(edges == edges.max()) == 1
        mass.append(edges[k].sum() / edges.sum())
        hits.append(float(k.flat[np.argmax(edges)]))
    assert f"{np.mean(mass):>10.2f}" in shown[5] and f"{np.mean(hits):>12.2f}" in shown[5]
    # and the random map's row is the mean area of the objects, counted the same way
    assert f"{np.mean([k.sum() / 1024 for k in masks]):>10.2f}" in shown[6]


def test_the_table_with_a_tolerance_of_one_pixel(setting, scored):
    rows = gradients.score_maps(scored, gradients.grow_masks(setting["masks"][:200], 1), images=setting["X"][:200])
    shown = printed("grown = ").splitlines()
    assert [score_line(r) for r in rows] == shown[:6]
    # the occlusion maps are constant on the 4x4 blocks of its 8x8 patch moved 4 pixels at a time
    constant = sum(all(np.ptp(m[i:i + 4, j:j + 4]) == 0 for i in range(0, 32, 4) for j in range(0, 32, 4))
                   for m in scored["occlusion"])
    assert shown[6] == f"occlusion maps that are constant on every 4x4 block: {constant} of 200"


def test_the_all_conv_table(setting):
    X, y = setting["X"][:200], setting["y"][:200]
    with threadpool_limits(limits=1, user_api="blas"):
        maps = {m: gradients.attribution_maps(setting["allconv"], X, y, m) for m in ("gradient", "guided", "deconvnet")}
    rows = gradients.score_maps(maps, setting["masks"][:200], images=X)
    assert [score_line(r) for r in rows] == printed("table_allconv = ").splitlines()


def test_the_random_net_table(setting, scored):
    """The net with every weight random, re-drawn here layer by layer from the top as the cascade does."""
    net, X, y, masks = setting["net"], setting["X"][:200], setting["y"][:200], setting["masks"][:200]
    weighted = [name for name in net.names if net.param_keys[name]]
    random_net = gradients.randomized_copy(net, weighted[::-1], seed=0)
    shown = printed("random_net = ").splitlines()
    accuracy = float(np.mean(np.argmax(random_net.loss(X), axis=1) == y))
    assert shown[0] == f"the net with every weight random: {accuracy:.3f} accuracy on the 200 test shapes (chance: 0.100)"
    grown = gradients.grow_masks(masks, 1)
    with threadpool_limits(limits=1, user_api="blas"):
        for k, m in enumerate(("gradient", "guided", "deconvnet")):
            for r, maps in enumerate((scored[m], gradients.attribution_maps(random_net, X, y, m))):
                numbers = [float(v) for v in shown[3 + 2 * k + r].replace("±", " ").split()[-8:]]
                (exact,), (near,) = (gradients.score_maps({m: maps}, k_)[:1] for k_ in (masks, grown))
                expected = [exact.mass_inside, exact.mass_inside_se, exact.pointing, exact.pointing_se,
                            near.mass_inside, near.mass_inside_se, near.pointing, near.pointing_se]
                assert numbers == [round(v, 2) for v in expected], (m, r)


def test_the_five_draws_of_the_cascade(setting):
    from cs231n_lib import stats

    net, X, y = setting["net"], setting["X"][:30], setting["y"][:30]
    with threadpool_limits(limits=1, user_api="blas"):
        draws = [gradients.cascading_randomization(net, X, y, methods=("gradient", "guided"), seed=s) for s in range(5)]
    shown = printed("draws = ").splitlines()[1:]
    for k, stage in enumerate(draws[0].stages[1:], start=1):
        guided = [d.correlation["guided"][k] for d in draws]
        plain = [d.correlation["gradient"][k] for d in draws]
        gaps = [float(v) for v in shown[k - 1].split()[3:8]]
        assert gaps == [round(g - p, 2) for g, p in zip(guided, plain)], stage
        assert shown[k - 1].endswith(stats.paired(guided, plain, ("guided", "gradient"), alternative="greater").verdict(2))


def test_the_linearity_check_and_its_kinks(setting):
    """The kinks between the first image and its moved copies, counted here from the activations."""
    exact = gradients.copy_net(setting["net"], np.float64)
    x0 = setting["X"][0].astype(np.float64)
    delta = np.random.default_rng(0).standard_normal(x0.shape)
    shown = printed("exact = ").splitlines()[1:]
    for line, eps in zip(shown, (1e-2, 1e-4, 1e-6)):
        a0 = exact.activations(x0[None])
        a1 = exact.activations((x0 + eps * delta)[None])
        kinks = 0
        for k, name in enumerate(exact.names):
            before = exact.names[k - 1]
            if name.startswith("relu"):
                kinks += int(np.sum((a0[before] > 0) != (a1[before] > 0)))
            elif name.startswith("pool"):
                C, H, W = a0[before].shape[1:]
                w0 = a0[before][0].reshape(C, H // 2, 2, W // 2, 2).transpose(0, 1, 3, 2, 4).reshape(C, H // 2, W // 2, 4)
                w1 = a1[before][0].reshape(C, H // 2, 2, W // 2, 2).transpose(0, 1, 3, 2, 4).reshape(C, H // 2, W // 2, 4)
                kinks += int(np.sum(w0.argmax(axis=-1) != w1.argmax(axis=-1)))
        assert line.endswith(f"kinks crossed: {kinks:,}"), eps


def test_the_cascade_table(setting):
    with threadpool_limits(limits=1, user_api="blas"):
        cascade = gradients.cascading_randomization(setting["net"], setting["X"][:30], setting["y"][:30],
                                                    methods=("gradient", "guided", "deconvnet", "occlusion"), seed=0)
    shown = printed("cascade = ").splitlines()
    for k, stage in enumerate(cascade.stages):
        numbers = [float(v) for v in shown[2 + k].split()[-4:]]
        assert numbers == [round(float(cascade.correlation[m][k]), 2) for m in cascade.correlation], stage


def test_the_per_layer_errors_of_the_inversions(setting):
    with threadpool_limits(limits=1, user_api="blas"):
        inversions = gradients.invert_layers(setting["net"], setting["X"][0])
    shown = printed("inversions = ").splitlines()
    assert [f"{inv.layer:>6}  {inv.feature_error:>10.3f}  {inv.image_error:>11.2f}" for inv in inversions] == shown[1:]
    for inv in inversions:  # every reconstruction lowered its objective
        assert inv.objective[-1] < 0.2 * inv.objective[0], inv.layer


def test_the_edge_correlations_image_by_image(setting, scored):
    """How often the guided maps are closer to the image's edges than another method's: Spearman's rho from
    scipy, the edge maps from np.gradient (border rows and columns set to 0, as edge_map does)."""
    from scipy.stats import spearmanr

    X = setting["X"][:30].astype(np.float64)
    edges = []
    for x in X:
        gy, gx = np.gradient(x, axis=(1, 2))
        gy[:, [0, -1], :] = 0
        gx[:, :, [0, -1]] = 0
        edges.append(np.sqrt(gx ** 2 + gy ** 2).max(axis=0))
    rho = {m: np.array([spearmanr(e.ravel(), maps.ravel())[0] for e, maps in zip(edges, scored[m][:30])])
           for m in ("gradient", "guided", "deconvnet", "occlusion")}
    shown = printed('print("rank correlation with the image').splitlines()
    trained = [float(v) for v in shown[2].split()[-4:]]
    assert trained == [round(float(rho[m].mean()), 2) for m in ("gradient", "guided", "deconvnet", "occlusion")]
    for line, m in zip(shown[4:], ("gradient", "deconvnet", "occlusion")):
        assert line == (f"the trained net's guided maps are closer to the edges than its {m} maps on "
                        f"{int(np.sum(rho['guided'] > rho[m]))} of 30 images")


def test_the_class_models_at_the_clipping_bounds(setting):
    """The pixels the clipping holds after step 99, from a run of 99 steps (no snapshots), and the penalty's
    pull against the score's, with the score's gradient recounted by central differences along its own direction."""
    net = setting["net"]
    with threadpool_limits(limits=1, user_api="blas"):
        at_99 = gradients.class_model(net, steps=99, reg=1e-3).images
        final = gradients.class_model(net, steps=100, reg=1e-3)
    shown = printed("shape_models = ").splitlines()
    assert shown[10] == (f"after step 99: {100 * float(np.mean((at_99 == 0) | (at_99 == 1))):.0f}% of the pixel values "
                         "held at 0 or 1 by the clipping")
    exact = gradients.copy_net(net, np.float64)
    ratios = []
    for c in range(10):
        image = final.images[c].astype(np.float64)
        g = gradients.class_score_gradient(exact, image[None], [c])[0]
        u = g / np.linalg.norm(g)          # the length of g is the slope of S_c along u
        h = 1e-5
        slope = (exact.loss((image + h * u)[None])[0, c] - exact.loss((image - h * u)[None])[0, c]) / (2 * h)
        assert abs(slope - np.linalg.norm(g)) < 1e-3 * np.linalg.norm(g)
        ratios.append(np.linalg.norm(2e-3 * (image - 0.5)) / slope)
    assert shown[11] == (f"length of the penalty's gradient / length of the score's, at the final images: "
                         f"{100 * min(ratios):.2f}% to {100 * max(ratios):.2f}%")


def test_the_deletion_and_insertion_of_the_ring(setting):
    """The demo's printed probabilities and areas, recomputed by a direct loop: the gradient map's pixels
    ranked by a Python sort, changed 8 at a time on a working copy, each image read on its own."""
    net, x, label = setting["net"], setting["X"][4], int(setting["y"][4])
    with threadpool_limits(limits=1, user_api="blas"):
        m = gradients.saliency_map(net, x[None], [label])[0]
    orders = {"gradient": m, "random order": np.random.default_rng(0).random((32, 32))}
    lines = printed('print(f"a removed pixel takes the value').splitlines()
    for name, values in orders.items():
        flat = values.ravel()
        tie = np.empty(1024, dtype=int)
        tie[np.random.default_rng(0).permutation(1024)] = np.arange(1024)
        order = sorted(range(1024), key=lambda p: (-flat[p], tie[p]))
        curves = []
        for start, finish in ((x.astype(np.float64), np.full(x.shape, 0.5)), (np.full(x.shape, 0.5), x.astype(np.float64))):
            work, curve = start.copy(), []
            for i in range(129):
                scores = net.loss(work[None].astype(np.float32))[0].astype(np.float64)
                curve.append(float(np.exp(scores[label] - scores.max()) / np.exp(scores - scores.max()).sum()))
                for p in order[8 * i:8 * (i + 1)]:
                    work[:, p // 32, p % 32] = finish[:, p // 32, p % 32]
            curves.append(np.array(curve))
        area = [float(np.sum((c[1:] + c[:-1]) / 2) / 128) for c in curves]
        at = [8, 16, 32, 64]                          # after 64, 128, 256 and 512 pixels
        expected = (f"{name:>13}: deletion {' '.join(f'{curves[0][j]:.3f}' for j in at)}, area {area[0]:.3f};  "
                    f"insertion {' '.join(f'{curves[1][j]:.3f}' for j in at)}, area {area[1]:.3f}")
        assert expected in lines, (expected, lines)


def test_the_ring_on_max_pooling_ties(setting):
    """The printed ties, counted window by window in plain loops (a window is tied when its largest value, > 0,
    occurs twice or more), and the ring's ratio, the same at a step between the two printed ones."""
    net = setting["net"]
    X = setting["X"][:200]
    acts = net.activations(X)
    per_image = np.zeros(len(X), dtype=int)
    for name in ("relu1", "relu2", "relu3"):
        a = acts[name]
        for n in range(len(X)):
            for c in range(a.shape[1]):
                for i in range(0, a.shape[2], 2):
                    for j in range(0, a.shape[3], 2):
                        window = a[n, c, i:i + 2, j:j + 2].ravel().tolist()
                        top = max(window)
                        per_image[n] += top > 0 and window.count(top) > 1
    shown = printed("x4, c4 = ").splitlines()
    assert shown[2] == (f"pooling windows with a tied largest value: {per_image[4]} in test image 4, {per_image[0]} in "
                        f"test image 0; test shapes with at least one: {int(np.sum(per_image > 0))} of 200")
    exact = gradients.copy_net(net, np.float64)
    x4, c4 = setting["X"][4].astype(np.float64), int(setting["y"][4])
    delta = np.random.default_rng(0).standard_normal(x4.shape)
    w4 = gradients.class_score_gradient(exact, x4[None], [c4])[0]
    eps = 1e-7
    ratio = (exact.loss((x4 + eps * delta)[None])[0, c4] - exact.loss(x4[None])[0, c4]) / (eps * np.sum(w4 * delta))
    for line in shown[:2]:
        assert f"ratio {ratio:.4f};" in line


def test_the_classes_followed(setting):
    shown = printed("record = faithfulness.load_results()").splitlines()
    wrong = int(np.sum(np.argmax(setting["net"].loss(setting["X"][:200]), axis=1) != setting["y"][:200]))
    assert shown[-1] == f"the class followed is the true one; the net predicts another on {wrong} of the 200 test shapes"
