"""The shapes renderer's transform parameters (notebook 10): the data set itself unchanged, byte for byte,
and every transform doing what it says, checked against routes that do not use it."""
import hashlib

import numpy as np
import pytest

import frozen_shapes
from cs231n_lib import data
from cs231n_lib.recipes import _halves


def digest(d, keys=("X", "y", "masks", "boxes")):
    h = hashlib.sha256()
    for key in keys:
        a = np.ascontiguousarray(d[key])
        h.update(f"{key}:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ---- today's outputs, byte for byte ------------------------------------------------------------

CASES = [dict(n=30, seed=0, split=0), dict(n=30, seed=0, split=1), dict(n=30, seed=0, split=2),
         dict(n=25, seed=7, split=3), dict(n=12, seed=1, size=8), dict(n=9, seed=2, size=17),
         dict(n=20, seed=0, split=2, classes=[5, 6, 7, 8, 9]), dict(n=14, seed=3, classes=[9, 0, 4]),
         dict(n=0, seed=0)]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_make_shapes_renders_what_the_frozen_renderer_renders(case):
    now, before = data.make_shapes(**case), frozen_shapes.make_shapes(**case)
    for key in ("X", "y", "masks", "boxes"):
        assert now[key].dtype == before[key].dtype and now[key].shape == before[key].shape
        assert now[key].tobytes() == before[key].tobytes(), key


@pytest.mark.parametrize("identity", [dict(shift=(0, 0), scale=1, rotation=0),
                                      dict(shift=(0.0, -0.0), scale=1.0, rotation=0.0),
                                      dict(shift=np.zeros(2), scale=np.float32(1), rotation=np.int64(0))])
def test_the_identity_transform_written_any_way_is_the_data_set(identity):
    assert digest(data.make_shapes(20, seed=4, split=2, **identity)) == digest(frozen_shapes.make_shapes(20, seed=4,
                                                                                                          split=2))


def test_the_loaders_give_what_the_frozen_renderer_gives():
    """load_shapes (every input convention) and the half-shapes loader of notebook 09."""
    for kwargs in (dict(), dict(subtract_mean=True), dict(scale="cs231n")):
        now = data.load_shapes(num_train=20, num_val=10, num_test=10, seed=2, **kwargs)
        parts = [frozen_shapes.make_shapes(n, seed=2, split=k) for k, n in enumerate((20, 10, 10))]
        reference = {"X_train": parts[0]["X"], "X_val": parts[1]["X"], "X_test": parts[2]["X"]}
        reference = data._finish({**reference, **{f"y_{s}": p["y"] for s, p in zip(data.SPLITS, parts)}},
                                 data.SHAPE_CLASSES, **kwargs)
        for key in ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test"):
            assert now[key].tobytes() == reference[key].tobytes(), (kwargs, key)
        for k, split in enumerate(data.SPLITS):
            assert now[f"masks_{split}"].tobytes() == parts[k]["masks"].tobytes()
            assert now[f"boxes_{split}"].tobytes() == parts[k]["boxes"].tobytes()
    half = _halves.load_half([0, 1, 2, 3, 4], num_train=10, num_test=10, seed=0)
    ref = frozen_shapes.make_shapes(10, seed=0, split=2, classes=[0, 1, 2, 3, 4])
    assert half["X_test"].tobytes() == ref["X"].tobytes()


# ---- the transforms ----------------------------------------------------------------------------

def test_a_whole_pixel_shift_moves_the_object_and_nothing_else():
    """Shifting by whole pixels moves the object's mask by exactly that many pixels (the supersampled grid
    is the same everywhere), and leaves every pixel away from the object as it was."""
    base = data.make_shapes(40, seed=0, split=2)
    for dy, dx in ((2, 0), (0, -3), (-1, 1)):
        moved = data.make_shapes(40, seed=0, split=2, shift=(dy, dx))
        checked = 0
        for i in range(40):
            top, left, bottom, right = base["boxes"][i]
            if top + dy < 1 or left + dx < 1 or bottom + dy > 31 or right + dx > 31 or min(top, left) < 1 \
                    or max(bottom, right) > 31:
                continue   # the object touches the border before or after the move: part of it is cut off
            checked += 1
            assert np.array_equal(moved["masks"][i], np.roll(base["masks"][i], (dy, dx), axis=(0, 1)))
            assert tuple(moved["boxes"][i]) == (top + dy, left + dx, bottom + dy, right + dx)
            # away from both the old and the new object (two pixels of margin for the soft edge), nothing changed
            near = np.zeros((32, 32), bool)
            for t, l, b, r in (base["boxes"][i], moved["boxes"][i]):
                near[max(t - 2, 0):b + 2, max(l - 2, 0):r + 2] = True
            assert np.array_equal(moved["X"][i][:, ~near], base["X"][i][:, ~near])
        assert checked >= 10


def test_scale_grows_the_area_as_its_square():
    base = data.make_shapes(30, seed=1, split=2, classes=[0])     # discs: area pi r^2
    for s in (0.6, 0.8, 1.1):
        grown = data.make_shapes(30, seed=1, split=2, classes=[0], scale=s)
        inside = [i for i in range(30) if grown["boxes"][i].min() > 0 and grown["boxes"][i].max() < 32]
        ratio = grown["masks"][inside].sum(axis=(1, 2)) / base["masks"][inside].sum(axis=(1, 2))
        assert len(inside) >= 10 and np.all(np.abs(ratio - s ** 2) < 0.12 * s ** 2), ratio


def test_rotation_turns_clockwise_as_shown_about_the_centre():
    """A crescent's centroid, seen from the object's centre (the midpoint of its centroids at 0 and 180
    degrees), turns from (x, y) to (-y, x) (x right, y down) when it is rotated by +90 degrees."""
    views = {r: data.make_shapes(10, seed=5, split=2, classes=[7], rotation=r)["masks"] for r in (0, 90, 180)}
    for i in range(10):
        c = {r: np.argwhere(views[r][i]).mean(axis=0)[::-1] for r in views}   # (x, y)
        centre = (c[0] + c[180]) / 2
        v0, v90 = c[0] - centre, c[90] - centre
        assert np.hypot(*v0) > 1.5
        assert np.allclose(v90, (-v0[1], v0[0]), atol=0.35), (v0, v90)


def test_symmetric_shapes_look_the_same_at_their_symmetry_angle():
    """A disc at any angle, a square at 90 degrees, a triangle at 120: the same masks (boundary pixels of the
    supersampled grid aside), while a crescent changes."""
    def masks(cls, r):
        return data.make_shapes(10, seed=6, split=2, classes=[cls], rotation=r)["masks"]

    for cls, angle in ((0, 37.0), (1, 90.0), (2, 120.0)):
        differ = np.mean(masks(cls, 0) != masks(cls, angle))
        assert differ < 0.002, (data.SHAPE_CLASSES[cls], differ)
    assert np.mean(masks(7, 0) != masks(7, 90)) > 0.05


def test_a_full_turn_and_zero_amounts_change_nothing_that_matters():
    base = data.make_shapes(10, seed=8, split=2)
    turned = data.make_shapes(10, seed=8, split=2, rotation=360)
    assert np.max(np.abs(turned["X"] - base["X"])) < 1e-6


@pytest.mark.parametrize("bad, words", [
    (dict(scale=0), "must be > 0"), (dict(scale=-1), "must be > 0"), (dict(shift=3), "two numbers"),
    (dict(shift=(1, 2, 3)), "two numbers"), (dict(rotation="90"), "must be numbers"),
    (dict(rotation=float("nan")), "finite"),
    (dict(shift=(np.inf, 0)), "finite"), (dict(scale="big"), "must be numbers"),
])
def test_bad_transforms_are_refused_with_a_reason(bad, words):
    with pytest.raises(ValueError, match=words):
        data.make_shapes(2, **bad)
