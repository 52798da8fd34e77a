"""save_net / load_net for any net: custom layer objects, ThreeLayerConvNet, TwoLayerNet, a net with a new head;
identical scores after a round trip, deterministic bytes, corrupted files refused, files of the first format still load."""
import json
import zipfile

import numpy as np
import pytest

from cs231n_lib import pretrained
from cs231n_lib.nets import (
    SequentialNet,
    ThreeLayerConvNet,
    TwoLayerNet,
    affine,
    conv,
    load_net,
    pool,
    relu,
    save_net,
    sha256_of,
)

RNG = np.random.default_rng(0)


def _custom(dtype=np.float32):
    """Built from layer objects (not dicts): the case that used to raise "conv is not JSON serializable"."""
    net = SequentialNet([
        ("c1", conv(4, 5, stride=1, pad=2)), ("r1", relu()), ("p1", pool(2)),
        ("c2", conv(6, 4, stride=2, pad=1)), ("r2", relu()), ("p2", pool(2, stride=1)),
        ("fc", affine(7)), ("r3", relu()), ("out", affine(3)),
    ], input_dim=(3, 16, 16), dtype=dtype, seed=3, input_mean=np.full((3, 1, 1), 0.25),
        input_convention="unit")
    net.freeze("c1")
    return net


def _round_trip(net, tmp_path, name="net.npz"):
    path = tmp_path / name
    digest = save_net(net, path, extra={"note": "test"})
    assert (tmp_path / name.replace(".npz", ".sha256")).read_text().split() == [digest, name]
    return load_net(path)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_custom_net_of_layer_objects_round_trips_with_identical_scores(tmp_path, dtype):
    net = _custom(dtype)
    for k in net.params:  # not the initial weights: something a fresh build would not give
        net.params[k] = net.params[k] + RNG.standard_normal(net.params[k].shape).astype(dtype) * 0.1
    back = _round_trip(net, tmp_path)
    assert type(back) is SequentialNet and back.names == net.names and back.shapes == net.shapes
    assert back.dtype is net.dtype and back.frozen == {"c1"} and back.input_convention == "unit"
    assert np.array_equal(back.input_mean, net.input_mean)
    assert back.meta == {"note": "test"}
    for k, v in net.params.items():
        assert back.params[k].dtype == v.dtype and np.array_equal(back.params[k], v), k
    X = RNG.random((5, 3, 16, 16)).astype(dtype)
    assert np.array_equal(back.loss(X), net.loss(X))
    assert back.summary() == net.summary()


def test_three_layer_convnet_and_two_layer_net_round_trip_as_themselves(tmp_path):
    net = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=5, hidden_dim=6, num_classes=4,
                            weight_scale=0.1, reg=0.25, seed=2)
    back = _round_trip(net, tmp_path, "three.npz")
    assert type(back) is ThreeLayerConvNet and list(back.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert (back.filter_size, back.reg, back.conv_param) == (5, 0.25, {"stride": 1, "pad": 2})
    X = RNG.standard_normal((3, 3, 8, 8)).astype(np.float32)
    assert np.array_equal(back.loss(X), net.loss(X))
    y = np.array([0, 1, 3])
    assert back.loss(X, y)[0] == net.loss(X, y)[0]

    two = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, weight_scale=0.3, seed=4)
    back2 = _round_trip(two, tmp_path, "two.npz")
    assert type(back2) is TwoLayerNet and back2.dtype is np.float64
    X2 = RNG.standard_normal((4, 6))
    assert np.array_equal(back2.loss(X2), two.loss(X2))


def test_a_net_with_a_new_head_round_trips_with_its_mixed_keys(tmp_path):
    net = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=5, seed=0)
    new = net.with_new_head(2, from_layer="pool1", freeze=True)
    back = _round_trip(new, tmp_path)
    assert set(back.params) == {"W1", "b1", "head.W", "head.b"} and back.frozen == {"conv1", "relu1", "pool1"}
    X = RNG.random((2, 3, 8, 8)).astype(np.float32)
    assert np.array_equal(back.loss(X), new.loss(X))


def test_the_bytes_depend_only_on_the_net(tmp_path):
    a = save_net(_custom(), tmp_path / "a.npz")
    b = save_net(_custom(), tmp_path / "b.npz")
    assert a == b
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert all(n.endswith(".npy") for n in zf.namelist())
    other = _custom()
    other.params["fc.b"][0] += 1
    assert save_net(other, tmp_path / "c.npz") != a


def test_every_layer_has_a_plain_description_it_is_rebuilt_from():
    net = _custom()
    spec = net.spec()
    json.dumps(spec)  # plain values only
    assert spec["layers"][3] == ["c2", {"kind": "conv", "num_filters": 6, "filter_size": 4, "stride": 2, "pad": 1}]
    assert spec["layers"][5] == ["p2", {"kind": "pool", "size": 2, "stride": 1}]
    assert spec["layers"][1] == ["r1", {"kind": "relu"}] and spec["layers"][-1] == ["out", {"kind": "affine", "out_dim": 3}]
    rebuilt = SequentialNet(**spec)
    assert rebuilt.shapes == net.shapes and rebuilt.summary().replace(" (frozen)", "") == net.summary().replace(" (frozen)", "")


def test_a_corrupted_or_unpinned_file_is_refused(tmp_path):
    path = tmp_path / "net.npz"
    save_net(_custom(), path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one bit, inside a weight
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="net.npz does not match its checksum.*not loaded"):
        load_net(path)
    path.with_suffix(".sha256").unlink()
    with pytest.raises(ValueError, match="net.sha256 is missing.*verify=False"):
        load_net(path)
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="is not a net written by save_net"):
        load_net(path, verify=False)
    with pytest.raises(FileNotFoundError):
        load_net(tmp_path / "nothing.npz")


def test_objects_save_net_cannot_rebuild_are_refused(tmp_path):
    class MyNet(TwoLayerNet):
        pass

    with pytest.raises(ValueError, match="save_net writes the nets of cs231n_lib.nets.*got a MyNet"):
        save_net(MyNet(input_dim=4), tmp_path / "x.npz")
    net = _custom()
    with pytest.raises(ValueError, match="extra must hold plain values"):
        save_net(net, tmp_path / "y.npz", extra={"array": np.zeros(2)})


def _write_first_format(path, layers, input_dim, input_mean, params):
    """A file as the first save_net wrote it (before conventions and a "format" entry):
    meta = layers, input_dim, input_mean, extra; float32 parameters under 'param/'."""
    meta = {"layers": layers, "input_dim": list(input_dim), "input_mean": input_mean, "extra": {"test_accuracy": 0.5}}
    arrays = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    arrays.update({f"param/{k}": np.asarray(v, dtype=np.float32) for k, v in sorted(params.items())})
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in arrays.items():
            with zf.open(f"{key}.npy", "w") as fh:
                np.lib.format.write_array(fh, value, allow_pickle=False)
    path.with_suffix(".sha256").write_text(f"{sha256_of(path)}  {path.name}\n")


def test_pretrained_keeps_its_names_and_first_format_files_still_load(tmp_path):
    assert pretrained.save_net is save_net and pretrained.load_net is load_net and pretrained.sha256_of is sha256_of
    layers = [["c", {"kind": "conv", "num_filters": 2, "filter_size": 3}], ["r", {"kind": "relu"}],
              ["fc", {"kind": "affine", "out_dim": 3}]]
    net = SequentialNet([tuple(item) for item in layers], input_dim=(1, 4, 4), seed=1, input_mean=0.5)
    path = tmp_path / "old.npz"
    _write_first_format(path, layers, net.input_dim, 0.5, net.params)
    loaded = load_net(path)
    assert type(loaded) is SequentialNet and loaded.dtype is np.float32 and float(loaded.input_mean) == 0.5
    X = RNG.random((2, 1, 4, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.loss(X), net.loss(X))
    assert loaded.meta["test_accuracy"] == 0.5


def test_a_layer_kind_from_another_module_loads_without_importing_it_first(tmp_path):
    """A net with adversarial.rbf saved, then loaded by a fresh interpreter that imports only nets."""
    import subprocess
    import sys

    from cs231n_lib import adversarial

    net = SequentialNet([("rbf", adversarial.rbf(4, gamma=1.0)), ("out", affine(3))], input_dim=(2, 2, 2), seed=0)
    assert net.layers["rbf"].spec()["module"] == "cs231n_lib.adversarial"
    path = tmp_path / "rbf_net.npz"
    save_net(net, path)
    X = RNG.random((3, 2, 2, 2)).astype(np.float32)
    np.save(tmp_path / "X.npy", X)
    code = ("import numpy as np; from cs231n_lib.nets import load_net; "
            f"net = load_net({str(path)!r}); "
            f"np.save({str(tmp_path / 'scores.npy')!r}, net.loss(np.load({str(tmp_path / 'X.npy')!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "scores.npy"), net.loss(X))
