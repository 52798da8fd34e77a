"""The model zoo: every shipped net verified, re-measured and rebuilt by its recipe; no pickles."""
import json
import shutil
import zipfile

import numpy as np
import pytest

from cs231n_lib import pretrained

RECIPES = pretrained._recipe_names()
SHIPPED = [name for name in RECIPES if (pretrained.ZOO_DIR / f"{name}.npz").exists()]


def test_every_recipe_is_shipped():
    assert SHIPPED == RECIPES, "a recipe without its file in data/zoo/: run --retrain NAME and commit the files"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_net_reaches_its_recorded_test_accuracy(name):
    """Recompute the test accuracy on the recipe's test split, independently of training."""
    module = pretrained.recipe(name)
    net = pretrained.load_pretrained(name)
    settings = net.meta["recipe"]
    X_test, y_test = module.test_split(settings)
    acc = float(np.mean(net.predict(X_test) == y_test))
    assert acc >= module.MIN_TEST_ACCURACY, (name, acc)
    # the number the file records is the one a reader gets (one image of slack for another CPU)
    assert abs(acc - net.meta["test_accuracy"]) <= 1 / len(y_test) + 1e-12, (acc, net.meta["test_accuracy"])


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_pinned_records_its_making_and_holds_no_pickles(name):
    path = pretrained.ZOO_DIR / f"{name}.npz"
    digest = pretrained.sha256_of(path)
    assert path.with_suffix(".sha256").read_text().split() == [digest, path.name]
    with zipfile.ZipFile(path) as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
    with np.load(path, allow_pickle=False) as archive:  # raises if anything needs unpickling
        for key in archive.files:
            assert archive[key].dtype != object
        meta = json.loads(str(archive["meta"]))["extra"]
    module = pretrained.recipe(name)
    assert meta["recipe"] == module.RECIPE, "the shipped file was made with other settings than the recipe's"
    assert meta["architecture"] == pretrained.architecture_text(module.build())
    for key in ("dataset", "description", "library_version", "test_accuracy"):
        assert key in meta


def test_available_lists_each_shipped_net_on_one_line():
    entries = pretrained.available()
    assert [e.name for e in entries] == SHIPPED
    lines = repr(entries).splitlines()
    assert len(lines) == len(SHIPPED)
    for entry, line in zip(entries, lines):
        assert line.startswith(f"{entry.name}: ")
        assert f"test accuracy {100 * entry.test_accuracy:.1f}%" in line
        assert entry.sha256[:16] in line
        assert entry.architecture in line and entry.dataset in line


def test_an_unknown_name_lists_the_zoo():
    with pytest.raises(ValueError) as info:
        pretrained.load_pretrained("resnet50")
    message = str(info.value)
    for name in RECIPES:
        assert name in message


def test_a_tampered_file_is_refused_with_an_explanation(tmp_path):
    shipped = pretrained.ZOO_DIR / f"{pretrained.DEFAULT}.npz"
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    shutil.copy(shipped.with_suffix(".sha256"), tmp_path)
    pretrained.load_net(copy)  # the intact copy loads
    raw = bytearray(copy.read_bytes())
    raw[-200] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="does not match its checksum"):
        pretrained.load_net(copy)
    copy.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n")
    with pytest.raises(ValueError, match="git lfs pull"):
        pretrained.load_net(copy)
    copy.with_suffix(".sha256").unlink()
    with pytest.raises(ValueError, match="missing"):
        pretrained.load_net(copy)


@pytest.mark.parametrize("name", RECIPES)
def test_a_quick_retrain_is_deterministic_and_round_trips(name, tmp_path):
    """Each recipe, with its tiny QUICK settings, twice: the same bytes; the file loads; it trained."""
    module = pretrained.recipe(name)
    digests = []
    for run in ("a", "b"):
        path, digest, meta = pretrained.retrain(name, tmp_path / run, overrides=module.QUICK, progress=False)
        assert pretrained.sha256_of(path) == digest
        digests.append(digest)
    assert digests[0] == digests[1]
    net = pretrained.load_net(tmp_path / "a" / f"{name}.npz")
    fresh = module.build(seed=net.meta["recipe"]["seed"])
    assert set(net.params) == set(fresh.params)
    assert any(not np.array_equal(net.params[k], fresh.params[k]) for k in net.params)  # it trained
    assert net.meta["recipe"] == dict(module.RECIPE, **module.QUICK)


def test_retrain_refuses_unknown_settings(tmp_path):
    with pytest.raises(ValueError, match="no setting"):
        pretrained.retrain(pretrained.DEFAULT, tmp_path, overrides={"epochs": 1})


def test_command_line_lists_the_zoo(capsys):
    assert pretrained.main([]) == 0
    out = capsys.readouterr().out
    for name in SHIPPED:
        assert name in out
