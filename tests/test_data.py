"""Data sets: the procedural shapes, the bundled scikit-learn / scikit-image sets, and the CIFAR-10 loader's safety."""
import os
import pathlib
import pickle
import sys
import types

import numpy as np
import pytest

from cs231n_lib import data

LAYOUT = {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "class_names"}


def _check_layout(d, n_classes):
    assert LAYOUT <= set(d)
    for split in ("train", "val", "test"):
        X, y = d[f"X_{split}"], d[f"y_{split}"]
        assert X.dtype == np.float32 and X.ndim == 4 and X.shape[1:] == (3, 32, 32)
        assert y.shape == (len(X),) and np.issubdtype(y.dtype, np.integer)
        assert y.min() >= 0 and y.max() < n_classes
    assert len(d["class_names"]) == n_classes


# ------------------------------------------------------------------- shapes
def test_shapes_are_deterministic_and_extendable():
    a = data.make_shapes(6, seed=3)
    b = data.make_shapes(12, seed=3)
    for key in ("X", "y", "masks", "boxes"):
        assert np.array_equal(a[key], b[key][:6])
    c = data.make_shapes(6, seed=4)
    assert not np.array_equal(a["X"], c["X"])
    assert not np.array_equal(a["X"], data.make_shapes(6, seed=3, split=1)["X"])


def test_shapes_have_at_least_eight_classes_all_drawn():
    d = data.make_shapes(300, seed=0)
    assert len(data.SHAPE_CLASSES) >= 8
    assert set(np.unique(d["y"]).tolist()) == set(range(len(data.SHAPE_CLASSES)))
    assert d["X"].dtype == np.float32 and d["X"].shape == (300, 3, 32, 32)
    assert d["X"].min() >= 0 and d["X"].max() <= 1


def test_shape_boxes_bound_their_masks_and_masks_mark_the_object():
    d = data.make_shapes(60, seed=1)
    for X, mask, box in zip(d["X"], d["masks"], d["boxes"]):
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        assert tuple(box) == (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1)
        # objects cover between 2% and 60% of the image and lie inside it
        assert 0.02 < mask.mean() < 0.6
        # the object's paint stands out: its colour is drawn at least 0.45 (RGB distance) from the
        # background's mean, so at least a quarter of the object's pixels lie 0.3 or more from the
        # mean colour outside it (a quarter, not all: "stripes" are half paint, half dark stripes,
        # whose mean colour can come close to the background's)
        outside = X[:, ~mask].mean(axis=1)
        distance = np.linalg.norm(X[:, mask] - outside[:, None], axis=0)
        assert np.percentile(distance, 75) > 0.3


def test_shape_areas_follow_their_geometry():
    # The same random stream apart from the class gives the same centre, radius r and angle, so
    # area ratios are closed forms: ring (0.55r..r) / disc (r) = 1 - 0.55^2;
    # frame (half-sides 0.55r..0.9r) / square (half-side 0.8r) = (0.9^2 - 0.55^2) / 0.8^2.
    areas = {}
    for name in ("disc", "ring", "square", "frame"):
        k = data.SHAPE_CLASSES.index(name)
        areas[name] = data.make_shapes(20, seed=2, classes=[k])["masks"].reshape(20, -1).sum(axis=1)
    assert np.allclose(areas["ring"] / areas["disc"], 1 - 0.55 ** 2, atol=0.05)
    assert np.allclose(areas["frame"] / areas["square"], (0.9 ** 2 - 0.55 ** 2) / 0.8 ** 2, atol=0.09)


def _counts_differ_by_at_most_one(y, classes):
    counts = np.array([np.sum(y == c) for c in classes])
    assert counts.sum() == len(y) and counts.max() - counts.min() <= 1, counts.tolist()


def test_shape_labels_are_balanced_for_any_n_and_do_not_depend_on_n():
    full = data.make_shapes(47, seed=5, size=8)
    K = len(data.SHAPE_CLASSES)
    for n in range(48):
        labels = data.make_shapes(n, seed=5, size=8)["y"]
        assert np.array_equal(labels, full["y"][:n])
        _counts_differ_by_at_most_one(labels, range(K))
    # each block of K images holds every class once, in a random order that changes from block to block
    blocks = full["y"][:40].reshape(4, K)
    assert all(sorted(b) == list(range(K)) for b in blocks)
    assert len({tuple(b) for b in blocks}) == 4
    # other seeds and splits draw other orders
    assert not np.array_equal(full["y"], data.make_shapes(47, seed=6, size=8)["y"])
    assert not np.array_equal(full["y"], data.make_shapes(47, seed=5, size=8, split=1)["y"])


def test_shape_labels_are_balanced_over_a_subset_of_classes():
    classes = [7, 2, 9]
    d = data.make_shapes(20, seed=0, size=8, classes=classes)
    assert set(d["y"].tolist()) == set(classes)
    _counts_differ_by_at_most_one(d["y"], classes)
    with pytest.raises(ValueError, match="distinct"):
        data.make_shapes(4, classes=[1, 1, 2])
    with pytest.raises(ValueError, match="at least one"):
        data.make_shapes(4, classes=[])


def test_load_shapes_splits_are_balanced():
    # the old labels were drawn independently: the 500-image test split held 22 to 45 of a class
    d = data.load_shapes(num_train=23, num_val=17, num_test=500, seed=0, size=8)
    assert np.bincount(d["y_test"]).tolist() == [50] * 10
    for split in ("train", "val"):
        _counts_differ_by_at_most_one(d[f"y_{split}"], range(10))


def test_load_shapes_layout_masks_and_mean():
    d = data.load_shapes(num_train=40, num_val=10, num_test=12, seed=0)
    _check_layout(d, len(data.SHAPE_CLASSES))
    assert d["masks_test"].shape == (12, 32, 32) and d["boxes_val"].shape == (10, 4)
    assert not np.array_equal(d["X_train"][:10], d["X_val"])
    m = data.load_shapes(num_train=40, num_val=10, num_test=12, seed=0, subtract_mean=True)
    assert np.allclose(m["X_train"].mean(axis=0), 0, atol=1e-5)
    assert np.allclose(m["X_test"] + m["mean_image"], d["X_test"], atol=1e-6)


def test_make_shapes_refuses_bad_arguments():
    with pytest.raises(ValueError, match="class index 12"):
        data.make_shapes(3, classes=[12])
    with pytest.raises(ValueError, match="size"):
        data.make_shapes(3, size=4)


# -------------------------------------------------------- bundled data sets
def test_digits_are_resized_sklearn_digits():
    from sklearn.datasets import load_digits

    d = data.load_digits(num_val=100, num_test=100)
    _check_layout(d, 10)
    assert len(d["X_train"]) + 200 == 1797
    assert np.array_equal(d["X_train"][:, 0], d["X_train"][:, 2])  # grey: three equal channels
    # independent route: shrinking a 32x32 digit back to 8x8 (4x4 block means) recovers the original
    originals = load_digits().images / 16.0
    img = d["X_test"][0, 0].reshape(8, 4, 8, 4).mean(axis=(1, 3))
    errors = np.abs(originals - img).reshape(len(originals), -1).mean(axis=1)
    assert errors.min() < 0.08
    assert load_digits().target[int(np.argmin(errors))] == d["y_test"][0]


def test_faces_and_photos():
    faces = data.load_faces()
    _check_layout(faces, 2)
    total = sum(len(faces[f"y_{s}"]) for s in ("train", "val", "test"))
    assert total == 200 and sum(int(faces[f"y_{s}"].sum()) for s in ("train", "val", "test")) == 100
    photos = data.load_photos(per_class=10, num_val=8, num_test=16)
    _check_layout(photos, len(data.PHOTOS))
    assert photos["class_names"] == data.PHOTOS


# ------------------------------------------------------------------ CIFAR-10
def _write_batch(path, images, labels):
    batch = {b"batch_label": b"test batch", b"labels": list(map(int, labels)),
             b"data": images.reshape(len(images), 3072), b"filenames": [b"x.png"] * len(images)}
    path.write_bytes(pickle.dumps(batch, protocol=2))


@pytest.fixture
def tiny_cifar(tmp_path):
    """A CIFAR-format folder: two training batches of 6 images and a test batch of 4; sha256 pins."""
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    content = {}
    for name, n in (("data_batch_1", 6), ("data_batch_2", 6), ("test_batch", 4)):
        images = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n)
        _write_batch(folder / name, images, labels)
        content[name] = (images, labels)
    hashes = {name: "sha256:" + data.file_hash(folder / name) for name in content}
    return tmp_path, hashes, content


def test_cifar_loader_reads_a_tiny_archive(tiny_cifar):
    root, hashes, content = tiny_cifar
    d = data.load_cifar10(root, num_train=8, num_val=4, num_test=3, subtract_mean=False, hashes=hashes)
    _check_layout(d, 10)
    train = np.concatenate([content["data_batch_1"][0], content["data_batch_2"][0]])
    labels = np.concatenate([content["data_batch_1"][1], content["data_batch_2"][1]])
    # row layout: 1024 red, 1024 green, 1024 blue values, each row-major
    assert np.allclose(d["X_train"] * 255, train[:8], atol=1e-3)
    assert np.allclose(d["X_val"] * 255, train[8:12], atol=1e-3)
    assert np.array_equal(d["y_train"], labels[:8]) and np.array_equal(d["y_test"], content["test_batch"][1][:3])
    assert d["class_names"][0] == "airplane"


def test_cifar_loader_uses_the_environment_variable(tiny_cifar, monkeypatch):
    root, hashes, _ = tiny_cifar
    monkeypatch.setenv("CIFAR10_DIR", str(root / "cifar-10-batches-py"))
    d = data.load_cifar10(num_train=10, num_val=2, num_test=4, hashes=hashes)
    # the default is the same as every loader's: [0, 1], nothing subtracted (the assignment's
    # get_CIFAR10_data subtracts the mean by default; subtract_mean=True or scale="cs231n" do that here)
    assert d["input_convention"] == "unit" and "mean_image" not in d
    assert d["X_train"].min() >= 0 and d["X_train"].max() <= 1
    monkeypatch.delenv("CIFAR10_DIR")
    with pytest.raises(FileNotFoundError, match="download_cifar10"):
        data.load_cifar10()


def test_cifar_loader_refuses_a_wrong_hash(tiny_cifar):
    root, hashes, _ = tiny_cifar
    # the published hashes of the real batches do not match our tiny files
    with pytest.raises(ValueError, match="NOT unpickled"):
        data.load_cifar10(root, num_train=8, num_val=4, num_test=3)
    # a tampered file is refused even with the right pins
    with open(root / "cifar-10-batches-py" / "test_batch", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ValueError, match="test_batch: sha256 is"):
        data.load_cifar10(root, num_train=8, num_val=4, num_test=3, hashes=hashes)


class _Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_cifar_loader_refuses_a_pickle_asking_for_other_types(tiny_cifar):
    root, hashes, _ = tiny_cifar
    victim = root / "pwned.txt"
    evil = root / "cifar-10-batches-py" / "data_batch_2"
    evil.write_bytes(pickle.dumps({b"data": _Evil(str(victim)), b"labels": []}, protocol=2))
    hashes = dict(hashes, data_batch_2="sha256:" + data.file_hash(evil))  # the hash is right...
    with pytest.raises(ValueError, match=r"refusing to unpickle (builtins|io)\.open"):
        data.load_cifar10(root, num_train=8, num_val=4, num_test=3, hashes=hashes)
    assert not victim.exists()  # ...and nothing ran
    with pytest.raises(ValueError, match="refusing to unpickle posix.getcwd|refusing to unpickle nt.getcwd"):
        data.restricted_unpickle(pickle.dumps(os.getcwd))


def test_download_cifar10_pins_the_archive_hash(monkeypatch, tmp_path):
    calls = {}

    def retrieve(url, known_hash, path, processor):
        calls.update(url=url, known_hash=known_hash, path=path, processor=processor)
        base = pathlib.Path(path) / "cifar-10-python.tar.gz.untar" / "cifar-10-batches-py"
        return [str(base / "data_batch_1"), str(base / "test_batch")]

    fake = types.SimpleNamespace(retrieve=retrieve, Untar=lambda: "untar", os_cache=lambda name: str(tmp_path))
    monkeypatch.setitem(sys.modules, "pooch", fake)
    folder = data.download_cifar10()
    assert calls["known_hash"] == "sha256:" + data.CIFAR10_ARCHIVE_SHA256
    assert len(data.CIFAR10_ARCHIVE_SHA256) == 64 and calls["processor"] == "untar"
    assert folder.endswith("cifar-10-batches-py")


def test_download_cifar10_without_pooch_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(ImportError, match=r"cs231n-notebooks\[cifar\]"):
        data.download_cifar10()


# ------------------------------------------------------- input conventions
LOADERS = {
    "shapes": lambda **kw: data.load_shapes(num_train=30, num_val=10, num_test=10, **kw),
    "mnist": lambda **kw: data.load_mnist(num_train=40, num_val=10, num_test=10, **kw),
    "digits": lambda **kw: data.load_digits(**kw),
    "faces": lambda **kw: data.load_faces(**kw),
    "photos": lambda **kw: data.load_photos(per_class=6, num_val=8, num_test=8, **kw),
}


@pytest.fixture(params=sorted(LOADERS) + ["cifar10"])
def loader(request, tiny_cifar):
    if request.param == "cifar10":
        root, hashes, _ = tiny_cifar
        return lambda **kw: data.load_cifar10(root, num_train=8, num_val=2, num_test=3, hashes=hashes, **kw)
    return LOADERS[request.param]


def test_every_loader_records_its_input_convention(loader):
    unit = loader()
    assert unit["input_convention"] == "unit" and "mean_image" not in unit
    for split in ("train", "val", "test"):
        X = unit[f"X_{split}"]
        assert X.dtype == np.float32 and X.min() >= 0 and X.max() <= 1
    # the mean image, by an independent route: float64 mean of the [0, 1] training images
    mean = unit["X_train"].astype(np.float64).mean(axis=0)

    centred = loader(subtract_mean=True)
    assert centred["input_convention"] == "unit-centred"
    assert np.allclose(centred["mean_image"], mean, atol=1e-6)
    assert np.allclose(centred["X_train"].mean(axis=0), 0, atol=1e-5)

    cs = loader(scale="cs231n")
    assert cs["input_convention"] == "cs231n"
    assert np.allclose(cs["mean_image"], 255 * mean, atol=1e-3)
    for split in ("train", "val", "test"):
        assert centred[f"X_{split}"].dtype == cs[f"X_{split}"].dtype == np.float32
        assert np.allclose(centred[f"X_{split}"], unit[f"X_{split}"] - mean, atol=1e-6)
        assert np.allclose(cs[f"X_{split}"], 255 * unit[f"X_{split}"] - 255 * mean, atol=1e-3)
        assert np.array_equal(cs[f"y_{split}"], unit[f"y_{split}"])
    # subtract_mean=True adds nothing to the cs231n scale, which always subtracts the mean
    assert np.array_equal(loader(scale="cs231n", subtract_mean=True)["X_val"], cs["X_val"])


def test_every_loader_has_the_same_defaults():
    import inspect

    for f in (data.load_shapes, data.load_mnist, data.load_digits, data.load_faces, data.load_photos,
              data.load_cifar10):
        params = inspect.signature(f).parameters
        assert params["subtract_mean"].default is False, f.__name__
        assert params["scale"].default == "unit", f.__name__
        if f is not data.load_cifar10:  # CIFAR-10's splits are fixed: the first images of the batches
            assert params["seed"].default == 0, f.__name__
    assert set(data.INPUT_CONVENTIONS) == {"unit", "unit-centred", "cs231n"}


def test_cifar_cs231n_scale_is_the_assignments(tiny_cifar):
    # get_CIFAR10_data: float64 pixels 0..255, the mean of the training images subtracted from every split
    root, hashes, content = tiny_cifar
    d = data.load_cifar10(root, num_train=8, num_val=4, num_test=3, hashes=hashes, scale="cs231n")
    train = np.concatenate([content["data_batch_1"][0], content["data_batch_2"][0]]).astype(np.float64)
    mean = train[:8].mean(axis=0)
    assert np.allclose(d["X_train"], train[:8] - mean, atol=1e-4)
    assert np.allclose(d["X_val"], train[8:12] - mean, atol=1e-4)
    assert np.allclose(d["X_test"], content["test_batch"][0][:3].astype(np.float64) - mean, atol=1e-4)


def test_bad_convention_options_are_refused_before_any_work(tiny_cifar):
    root, hashes, _ = tiny_cifar
    for call in (lambda **kw: data.load_shapes(num_train=2, num_val=1, num_test=1, **kw),
                 lambda **kw: data.load_cifar10(root, num_train=8, num_val=2, num_test=3, hashes=hashes, **kw),
                 lambda **kw: data.load_mnist(num_train=10, num_val=0, num_test=0, **kw)):
        with pytest.raises(ValueError, match=r"scale must be 'unit'.*or 'cs231n'.*got '0\.\.255'"):
            call(scale="0..255")
        with pytest.raises(ValueError, match="subtract_mean must be True or False, got 'yes'"):
            call(subtract_mean="yes")
    with pytest.raises(ValueError, match="scale='cs231n' subtracts the training set's mean image, but the training set is empty"):
        data.load_shapes(num_train=0, num_val=2, num_test=2, scale="cs231n")
    with pytest.raises(ValueError, match="subtract_mean=True subtracts .* training set is empty"):
        data.load_shapes(num_train=0, num_val=2, num_test=2, subtract_mean=True)


# ------------------------------------------------------------------- photos
def _photograph(name):
    from skimage import data as skdata

    photo = np.asarray(getattr(skdata, name)(), dtype=np.float64) / 255.0
    return np.repeat(photo[..., None], 3, axis=2) if photo.ndim == 2 else photo


def test_no_photo_pixel_is_in_two_splits():
    from skimage.transform import rescale

    d = data.load_photos()
    for label, name in enumerate(data.PHOTOS):
        photo = _photograph(name)
        owner = np.full(photo.shape[:2], -1)  # which split each pixel of the photograph feeds
        rescaled = {}
        for split_id, split in enumerate(("train", "val", "test")):
            mine = np.flatnonzero(d[f"y_{split}"] == label)
            assert len(mine) > 0
            for i in mine:
                top, left, bottom, right = d[f"regions_{split}"][i]
                assert 0 <= top < bottom <= photo.shape[0] and 0 <= left < right <= photo.shape[1]
                region = owner[top:bottom, left:right]
                assert np.all((region == -1) | (region == split_id)), f"{name}: a pixel feeds two splits"
                region[...] = split_id
                # the crop is computed from this block of the photograph alone: scale the block on its
                # own (to a short side of 128 for the whole photograph) and cut the crop out of it
                key = (top, left, bottom, right)
                if key not in rescaled:
                    rescaled[key] = rescale(photo[top:bottom, left:right], 128 / min(photo.shape[:2]),
                                            order=1, anti_aliasing=True, channel_axis=2)
                r, c = d[f"offsets_{split}"][i]
                crop = rescaled[key][r:r + 32, c:c + 32].transpose(2, 0, 1)
                assert crop.shape == (3, 32, 32)
                assert np.allclose(d[f"X_{split}"][i], np.clip(crop, 0, 1), atol=1e-6)
        # every split owns a real part of the photograph: at least a sixth of it
        for split_id in range(3):
            assert np.mean(owner == split_id) >= 1 / 6 - 0.01, (name, split_id)


def test_photo_splits_are_balanced_and_deterministic():
    d = data.load_photos(per_class=30, num_val=13, num_test=19, seed=3)
    assert [len(d[f"y_{s}"]) for s in ("train", "val", "test")] == [240 - 32, 13, 19]
    for split in ("train", "val", "test"):
        _counts_differ_by_at_most_one(d[f"y_{split}"], range(len(data.PHOTOS)))
        # the photographs are mixed, not one after the other
        assert len(set(d[f"y_{split}"][:8].tolist())) > 2
    again = data.load_photos(per_class=30, num_val=13, num_test=19, seed=3)
    assert all(np.array_equal(d[k], again[k]) for k in d if k != "class_names" and k != "input_convention")
    other = data.load_photos(per_class=30, num_val=13, num_test=19, seed=4)
    assert not np.array_equal(d["regions_test"], other["regions_test"])
    with pytest.raises(ValueError, match="leave no training crop"):
        data.load_photos(per_class=3, num_val=8, num_test=16)
