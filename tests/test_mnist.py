"""Real MNIST offline: the shipped file, its pin, and load_mnist's balanced, disjoint, seeded splits."""
import hashlib
import importlib.util
import pathlib
import shutil
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib import data

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "mnist_5000.npz"


def _shipped():
    with np.load(SHIPPED, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


def _build_tool():
    spec = importlib.util.spec_from_file_location("build_mnist", ROOT / "tools" / "build_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digit_of(X):
    """The 28x28 digit inside a (C, size, size) image, as uint8 bytes (a key to find it in the shipped file)."""
    pad = (X.shape[-1] - 28) // 2
    return np.round(X[0, pad:pad + 28, pad:pad + 28] * 255).astype(np.uint8).tobytes()


# -------------------------------------------------------------- the file
def test_shipped_file_matches_its_pin_and_holds_500_digits_per_class():
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == data.MNIST_SHA256
    with zipfile.ZipFile(SHIPPED) as zf:
        assert sorted(zf.namelist()) == ["images.npy", "labels.npy"]
    images, labels = _shipped()  # allow_pickle=False: nothing in it runs code
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and np.bincount(labels, minlength=10).tolist() == [500] * 10
    assert len({img.tobytes() for img in images}) == 5000  # no digit twice, so "no image in two splits" is checkable
    # MNIST digits are white on black, centred by their centre of mass in the 28x28 frame:
    # the outer 2-pixel frame is nearly all black (under 1% of its pixels lit)
    frame = np.ones((28, 28), dtype=bool)
    frame[2:26, 2:26] = False
    assert np.mean(images[:, frame] > 0) < 0.01 and images.max() == 255
    rows = np.arange(28)
    mass = images.astype(np.float64).sum(axis=2)
    centre = (mass * rows).sum(axis=1) / mass.sum(axis=1)
    assert abs(float(centre.mean()) - 13.5) < 1.5


def test_the_writer_is_reproducible(tmp_path):
    tool = _build_tool()
    images, labels = _shipped()
    arrays = {"images": images, "labels": labels}
    a = tool.write_npz(tmp_path / "a.npz", arrays)
    b = tool.write_npz(tmp_path / "b.npz", arrays)
    assert a == b and (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    # the same members, dates and uncompressed bytes as the shipped file (the deflated bytes
    # depend on the zlib build as well; on the machine that wrote it, the whole file is identical)
    with zipfile.ZipFile(SHIPPED) as shipped, zipfile.ZipFile(tmp_path / "a.npz") as rebuilt:
        for x, y in zip(shipped.infolist(), rebuilt.infolist()):
            assert (x.filename, x.date_time, x.CRC, x.file_size) == (y.filename, y.date_time, y.CRC, y.file_size)
            assert shipped.read(x) == rebuilt.read(y)
    assert tool.pinned_sha256() == data.MNIST_SHA256


def test_a_tampered_or_missing_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "mnist_5000.npz"
    shutil.copy(SHIPPED, copy)
    monkeypatch.setattr(data, "MNIST_FILE", copy)
    data.load_mnist(num_train=10, num_val=0, num_test=0)  # the intact copy loads
    raw = bytearray(copy.read_bytes())
    raw[1000] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"sha256 is .*expected 63818dc8.*git checkout -- data/mnist_5000\.npz"):
        data.load_mnist(num_train=10, num_val=0, num_test=0)
    copy.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n")
    with pytest.raises(ValueError, match="git lfs pull"):
        data.load_mnist(num_train=10, num_val=0, num_test=0)
    copy.unlink()
    with pytest.raises(FileNotFoundError, match="tools/build_mnist.py"):
        data.load_mnist(num_train=10, num_val=0, num_test=0)


# ----------------------------------------------------------------- splits
def test_default_layout_and_values():
    d = data.load_mnist()
    assert d["class_names"] == [str(i) for i in range(10)] and d["input_convention"] == "unit"
    for split, n in (("train", 4000), ("val", 500), ("test", 500)):
        X, y = d[f"X_{split}"], d[f"y_{split}"]
        assert X.shape == (n, 3, 32, 32) and X.dtype == np.float32 and y.dtype == np.int64
        assert X.min() == 0 and X.max() == 1
        assert np.bincount(y).tolist() == [n // 10] * 10


@pytest.mark.parametrize("sizes", [(4000, 500, 500), (5000, 0, 0), (4995, 2, 2), (1, 1, 1), (0, 0, 0),
                                   (3333, 777, 889), (123, 45, 67), (0, 4999, 1)])
def test_splits_are_balanced_disjoint_and_true_to_the_file(sizes):
    num_train, num_val, num_test = sizes
    d = data.load_mnist(num_train=num_train, num_val=num_val, num_test=num_test, seed=1)
    images, labels = _shipped()
    label_of = {img.tobytes(): int(lab) for img, lab in zip(images, labels)}
    seen = set()
    for split, n in zip(("train", "val", "test"), sizes):
        X, y = d[f"X_{split}"], d[f"y_{split}"]
        assert len(X) == len(y) == n
        counts = np.bincount(y, minlength=10)
        assert counts.max() - counts.min() <= 1, (split, counts.tolist())
        keys = [_digit_of(x) for x in X]
        assert all(label_of[k] == int(lab) for k, lab in zip(keys, y))  # a shipped digit with its own label
        assert len(set(keys)) == n and not seen & set(keys)  # no image twice, in one split or two
        seen |= set(keys)


def test_splits_are_deterministic_by_seed_and_test_does_not_move_with_num_train():
    a = data.load_mnist(num_train=300, num_val=50, num_test=70, seed=2)
    b = data.load_mnist(num_train=300, num_val=50, num_test=70, seed=2)
    assert all(np.array_equal(a[k], b[k]) for k in ("X_train", "y_train", "X_val", "X_test", "y_test"))
    c = data.load_mnist(num_train=300, num_val=50, num_test=70, seed=3)
    assert not np.array_equal(a["X_test"], c["X_test"])
    more = data.load_mnist(num_train=1000, num_val=50, num_test=70, seed=2)
    assert np.array_equal(a["X_test"], more["X_test"]) and np.array_equal(a["X_val"], more["X_val"])
    # the classes are mixed within a split, not one block after another
    assert len(set(a["y_train"][:20].tolist())) >= 6


def test_padding_and_channels():
    d32 = data.load_mnist(num_train=30, num_val=0, num_test=0)
    d28 = data.load_mnist(num_train=30, num_val=0, num_test=0, size=28, channels=1)
    d36 = data.load_mnist(num_train=30, num_val=0, num_test=0, size=36)
    assert d28["X_train"].shape == (30, 1, 28, 28) and d36["X_train"].shape == (30, 3, 36, 36)
    X = d32["X_train"]
    # LeNet-5's input: the 28x28 digit with 2 zero pixels on each side
    assert np.array_equal(X[:, :, 2:30, 2:30], np.repeat(d28["X_train"], 3, axis=1))
    border = np.ones((32, 32), dtype=bool)
    border[2:30, 2:30] = False
    assert np.all(X[:, :, border] == 0)
    assert np.array_equal(X[:, 0], X[:, 1]) and np.array_equal(X[:, 0], X[:, 2])
    assert np.array_equal(d36["X_train"][:, :, 2:34, 2:34], X)


def test_bad_requests_get_clear_errors():
    with pytest.raises(ValueError, match=r"4000 \+ 600 \+ 500 = 5100.*only 5000 MNIST digits"):
        data.load_mnist(num_train=4000, num_val=600, num_test=500)
    with pytest.raises(ValueError, match="num_val must be a whole number >= 0, got -1"):
        data.load_mnist(num_val=-1)
    with pytest.raises(ValueError, match=r"num_train must be a whole number >= 0, got 10\.5"):
        data.load_mnist(num_train=10.5)
    for size in (24, 29):
        with pytest.raises(ValueError, match=f"size={size}: the digits are 28x28"):
            data.load_mnist(size=size)
    with pytest.raises(ValueError, match="channels must be 1 .* or 3"):
        data.load_mnist(channels=2)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 600), st.integers(0, 600), st.integers(0, 3))
def test_any_sizes_up_to_5000_are_balanced(a, b, c, seed):
    if a + b + c > 5000:
        with pytest.raises(ValueError, match="only 5000 MNIST digits"):
            data.load_mnist(num_train=a, num_val=b, num_test=c, seed=seed, size=28, channels=1)
        return
    d = data.load_mnist(num_train=a, num_val=b, num_test=c, seed=seed, size=28, channels=1)
    total = np.zeros(10, dtype=np.int64)
    for split, n in zip(("train", "val", "test"), (a, b, c)):
        counts = np.bincount(d[f"y_{split}"], minlength=10)
        assert counts.sum() == n and counts.max() - counts.min() <= 1
        total += counts
    assert total.max() <= 500
