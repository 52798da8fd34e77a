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
    masks = setting["masks"][:200]
    rows = gradients.score_maps(scored, masks)
    shown = printed("N = 200").splitlines()
    assert [score_line(r) for r in rows] == shown[1:6]
    # the mass inside, counted pixel by pixel for the guided maps, is the row's mean
    counted = []
    for m, k in zip(scored["guided"], masks):
        inside = sum(float(m[i, j]) for i in range(32) for j in range(32) if k[i, j])
        counted.append(inside / float(m.sum()))
    assert f"{np.mean(counted):.2f}" == f"{rows[1].mass_inside:.2f}"
    # and the random map's row is the mean area of the objects, counted the same way
    assert f"{np.mean([k.sum() / 1024 for k in masks]):>10.2f}" in shown[5]


def test_the_table_with_a_tolerance_of_one_pixel(setting, scored):
    rows = gradients.score_maps(scored, gradients.grow_masks(setting["masks"][:200], 1))
    assert [score_line(r) for r in rows] == printed("table_near = ").splitlines()


def test_the_all_conv_table(setting):
    X, y = setting["X"][:200], setting["y"][:200]
    with threadpool_limits(limits=1, user_api="blas"):
        maps = {m: gradients.attribution_maps(setting["allconv"], X, y, m) for m in ("gradient", "guided", "deconvnet")}
    rows = gradients.score_maps(maps, setting["masks"][:200])
    assert [score_line(r) for r in rows] == printed("table_allconv = ").splitlines()


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
