"""Shipped weights: accuracy on shapes, checksum verification, deterministic retraining, no pickles."""
import shutil
import zipfile

import numpy as np
import pytest

from cs231n_lib import pretrained
from cs231n_lib.data import SHAPE_CLASSES, load_shapes

SHIPPED = pretrained.DATA_DIR / f"{pretrained.NAME}.npz"


def test_shipped_weights_reach_90_percent_on_shapes():
    net = pretrained.load_pretrained()
    assert net.num_classes == len(SHAPE_CLASSES)
    # the recipe's test split (seed 0, split 2): images the net never trained on
    d = load_shapes(num_train=0, num_val=0, num_test=400, seed=pretrained.RECIPE["seed"])
    acc = float(np.mean(net.predict(d["X_test"]) == d["y_test"]))
    assert acc >= 0.9, acc


def test_shipped_file_is_pinned_and_holds_no_pickles():
    digest = pretrained.sha256_of(SHIPPED)
    assert SHIPPED.with_suffix(".sha256").read_text().split() == [digest, SHIPPED.name]
    with zipfile.ZipFile(SHIPPED) as zf:
        names = zf.namelist()
    assert all(n.endswith(".npy") for n in names)
    with np.load(SHIPPED, allow_pickle=False) as archive:  # raises if anything needs unpickling
        for key in archive.files:
            assert archive[key].dtype != object


def test_a_tampered_file_is_refused_with_an_explanation(tmp_path):
    copy = tmp_path / SHIPPED.name
    shutil.copy(SHIPPED, copy)
    shutil.copy(SHIPPED.with_suffix(".sha256"), tmp_path)
    pretrained.load_net(copy)  # the intact copy loads
    raw = bytearray(copy.read_bytes())
    raw[-200] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="does not match its checksum.*--retrain"):
        pretrained.load_net(copy)
    copy.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n")
    with pytest.raises(ValueError, match="git lfs pull"):
        pretrained.load_net(copy)
    copy.with_suffix(".sha256").unlink()
    with pytest.raises(ValueError, match="missing"):
        pretrained.load_net(copy)


def test_short_retrain_is_deterministic_and_round_trips(tmp_path):
    args = ["--retrain", "--num-train", "100", "--epochs", "1", "--num-val", "20", "--num-test", "20", "--quiet"]
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert pretrained.main(args + ["--out", str(out)]) == 0
        digests.append(pretrained.sha256_of(out / SHIPPED.name))
    assert digests[0] == digests[1]
    net = pretrained.load_net(tmp_path / "a" / SHIPPED.name)
    fresh = pretrained.reference_net()
    assert set(net.params) == set(fresh.params)
    assert not np.array_equal(net.params["conv1.W"], fresh.params["conv1.W"])  # it trained
    assert net.meta["num_train"] == 100
