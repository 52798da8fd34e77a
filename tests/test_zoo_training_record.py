"""The zoo records which epoch's weights it keeps and after how many updates (issue 22, item 5).

The recipes keep the parameters of the best validation epoch, so "trained for N updates" must read
the updates behind the kept weights, not epochs x updates per epoch.  The Solver knows them
(``best_epoch``, ``best_updates``, ``check_updates``), ``recipes.training_record`` writes them into
a zoo file's metadata, ``pretrained.available()`` shows them.  The files shipped before the record
existed got it afterwards (tools/zoo_training_record.py: retrained with the library they were made
with, same weights to the byte); their weights must not have moved.
"""
import hashlib
import zipfile

import numpy as np
import pytest

from cs231n_lib import pretrained, recipes
from cs231n_lib.solver import Solver

# sha256 of each shipped file's arrays (every zip member but meta.npy, in name order, name and bytes),
# computed from the files as they were on main before their metadata got the training record (at
# 6acfbeffda5a1faa1501deda78478cf89aa4d5a1; the last three at 3df551697d501a23f3f0a95ffab7aa58b62394de):
# rewriting the metadata must leave these unchanged.
WEIGHTS_BEFORE_THE_RECORD = {
    "shapes_alexnet_like": "92c3d88996da646d31e483c3e38f0168571c5f62b8e9203ff45c558b29913545",
    "shapes_convnet_evolution": "0cce5230db1dcb1f089455fbe0bac5f4fcfd4b4b400b23adc28f9a93650adcc3",
    "shapes_zf_like": "21c6515810f9c8ca8902ba18809fbef217ec330b8f0eda28f0b49b8419e296ee",
    "mnist_convnet": "3c1adf192eb69b7d8f082e6ee6a39db51eb31915e04b9f23700982c8ecb28cc6",
    "mnist_convnet_adv": "285cb5697945e4c5c02965916a345be5166e3dce54afb93ce5a72164a60fa800",
    "mnist_convnet_noreg": "3e95d8e8982f1b4af4254dc48a288a2e29a0334febc2bdfa171fb325ab978243",
    "mnist_rbf": "bcdd01d1421ef7f2a5ffbbc949a77209e16046dfa2912f0ed6aa7698de754157",
    "mnist_softmax": "c8574e51a0c1e4c55919c95ec9ab298560831366022320a68448fd8dc53268a6",
    "shapes_allconv": "38efe81fc85b0433f0999122081a4d6f4d8b9f99337c625b19f8d2a58e088ba9",
    "shapes_convnet": "b2636a84d5a9f41e32c0baaaa9c23923774f4e963bb476757940b360d608684a",
    "shapes_cue_convnet": "a0f6c05cb520eac24bc26eb6df26cd1505792fc0a8fde9254207eba4dea65e56",
    "shapes_half_a": "61c4c6201ce2c5420570c08d5b087ea89310ff2fb212823ca542754910fce033",
    "shapes_half_b": "19af271d5fd0d9fa1b480b08a48f78f9864f3e13eecda7816da29fcb0fd6bf5d",
    # notebook 08's two nets of issue 27, as merged at 1d82f91 (retrained with i27's f6b559d: same weights)
    "mnist_convnet_pgd": "f881e1f7418a4a055313c44d1be8137d40e0919bd28f7c16076497583a8638a4",
    "mnist_convnet_distilled": "ffeb040bad353d01aca9722ec76fc89265762de861b6bd8d83ccf4840d7fad79",
}
SHIPPED = [n for n in pretrained._recipe_names() if (pretrained.ZOO_DIR / f"{n}.npz").exists()]


def arrays_digest(path):
    """Hash of a saved net's arrays read straight from the zip (no cs231n_lib code involved)."""
    h = hashlib.sha256()
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.filename != "meta.npy":
                h.update(info.filename.encode())
                h.update(zf.read(info))
    return h.hexdigest()


def check_record(record, best_val_accuracy=None):
    """A training record agrees with itself: the kept check is the first best one, the counts add up."""
    ipe, epochs = record["updates_per_epoch"], record["num_epochs"]
    assert record["updates"] == epochs * ipe
    assert record["checks_after_updates"] == [1] + [ipe * e for e in range(1, epochs + 1)]
    val = record["val_accuracy"]
    assert len(val) == len(record["train_accuracy"]) == epochs + 1
    k = record["kept_epoch"]
    assert val[k] == max(val) and all(v < val[k] for v in val[:k]), "not the first of the best checks"
    assert record["kept_updates"] == record["checks_after_updates"][k]
    if best_val_accuracy is not None:
        assert val[k] == best_val_accuracy


# ---- the Solver ---------------------------------------------------------------------------------

class Scripted:
    """A one-parameter model that labels the first ``round(w * N)`` images of a batch right (class 0)
    and the others wrong: its validation accuracy is w, and the update rule below sets w."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}

    def loss(self, X, y=None):
        if y is None:
            scores = np.zeros((len(X), 2))
            right = np.arange(len(X)) < round(float(self.params["w"][0]) * len(X))
            scores[right, 0] = scores[~right, 1] = 1.0
            return scores
        return 0.5, {"w": np.zeros(1)}


def scripted_solver(accuracies, iterations_per_epoch=3, checkpoint_name=None):
    """A Solver whose model has validation accuracy accuracies[e] after epoch e (and 0 after update 1)."""
    n = 20
    data = {"X_train": np.zeros((iterations_per_epoch * 2, 1)), "y_train": np.zeros(iterations_per_epoch * 2, int),
            "X_val": np.zeros((n, 1)), "y_val": np.zeros(n, int)}
    updates = []

    def rule(w, dw, config):
        updates.append(1)
        epoch = (len(updates) - 1) // iterations_per_epoch   # 0-based epoch of this update
        last_of_epoch = len(updates) % iterations_per_epoch == 0
        return np.array([accuracies[epoch] if last_of_epoch else 0.0]), config

    model = Scripted()
    return Solver(model, data, update_rule=rule, batch_size=2, num_epochs=len(accuracies), verbose=False,
                  progress=False, num_train_samples=None, checkpoint_name=checkpoint_name)


@pytest.mark.parametrize("accuracies, kept_epoch", [
    ([0.5, 0.9, 0.7, 0.8], 2),      # the best epoch is not the last
    ([0.5, 0.9, 0.9, 0.8], 2),      # equal accuracies: the first is kept
    ([0.5, 0.6, 0.7, 0.8], 4),      # the last
])
def test_the_solver_says_after_how_many_updates_its_kept_parameters_were_seen(accuracies, kept_epoch, tmp_path):
    solver = scripted_solver(accuracies, iterations_per_epoch=3, checkpoint_name=str(tmp_path / "run")).train()
    assert solver.val_acc_history == [0.0] + accuracies
    assert solver.check_updates == [1, 3, 6, 9, 12]
    assert solver.updates == 12
    assert solver.best_epoch == kept_epoch
    assert solver.best_updates == 3 * kept_epoch
    assert solver.best_val_acc == accuracies[kept_epoch - 1]
    assert float(solver.model.params["w"][0]) == accuracies[kept_epoch - 1]   # the kept parameters are those
    with np.load(tmp_path / f"run_epoch_{kept_epoch}.npz") as checkpoint:    # the checkpoint of that epoch
        assert float(checkpoint["param_w"][0]) == float(solver.model.params["w"][0])
    record = recipes.training_record(solver)
    assert (record["kept_epoch"], record["kept_updates"], record["updates"]) == (kept_epoch, 3 * kept_epoch, 12)
    assert record["updates_per_epoch"] == 3 and record["num_epochs"] == 4
    check_record(record, solver.best_val_acc)


def test_a_training_record_needs_a_trained_solver():
    with pytest.raises(ValueError, match="call solver.train"):
        recipes.training_record(scripted_solver([0.5, 0.9]))


# ---- recipes write it, the zoo shows it ---------------------------------------------------------

@pytest.mark.parametrize("name", ["mnist_softmax", "shapes_half_a"])
def test_a_retrained_net_records_its_kept_epoch(name, tmp_path):
    module = pretrained.recipe(name)
    path, _, meta = pretrained.retrain(name, out=tmp_path, overrides=module.QUICK, progress=False)
    record = meta["training"]
    check_record(record, meta["best_val_accuracy"])
    assert record["num_epochs"] == dict(module.RECIPE, **module.QUICK)["num_epochs"]
    assert pretrained.load_net(path).meta["training"] == record


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_net_records_its_kept_epoch(name):
    net = pretrained.load_pretrained(name)
    record = pretrained.training_record(net)
    assert record == pretrained.training_record(name)
    check_record(record, net.meta["best_val_accuracy"])
    assert record["num_epochs"] == net.meta["recipe"]["num_epochs"]
    assert "the same weights, byte for byte" in record["established"]


@pytest.mark.parametrize("name", SHIPPED)
def test_adding_the_record_left_the_weights_byte_for_byte(name):
    assert arrays_digest(pretrained.ZOO_DIR / f"{name}.npz") == WEIGHTS_BEFORE_THE_RECORD[name]


def test_the_kept_epochs_of_the_nets_notebook_06_describes():
    """Established by retraining with the library the files were made with (same bytes): notebook
    06 states these updates."""
    kept = {n: pretrained.training_record(n) for n in ("shapes_convnet", "mnist_convnet", "mnist_convnet_noreg")}
    assert {n: (r["kept_epoch"], r["kept_updates"], r["updates"]) for n, r in kept.items()} == {
        "shapes_convnet": (7, 2240, 2560), "mnist_convnet": (5, 1600, 1920), "mnist_convnet_noreg": (6, 1920, 1920)}


def test_available_shows_the_kept_epoch_and_updates():
    for entry in pretrained.available():
        record = pretrained.training_record(entry.name)
        assert (entry.kept_epoch, entry.num_epochs, entry.kept_updates, entry.updates) == (
            record["kept_epoch"], record["num_epochs"], record["kept_updates"], record["updates"])
        assert (f"kept epoch {record['kept_epoch']} of {record['num_epochs']} "
                f"({record['kept_updates']:,} of {record['updates']:,} updates)") in str(entry)


def test_a_net_without_a_record_is_told_how_to_get_one(tmp_path):
    net = pretrained.load_pretrained("mnist_softmax")
    net.meta = {k: v for k, v in net.meta.items() if k != "training"}
    with pytest.raises(ValueError, match="no training record.*--retrain mnist_softmax"):
        pretrained.training_record(net)


def test_rewrite_meta_keeps_the_arrays_and_repins_the_file(tmp_path):
    import shutil

    for suffix in (".npz", ".sha256"):
        shutil.copy(pretrained.ZOO_DIR / f"mnist_softmax{suffix}", tmp_path)
    before = arrays_digest(tmp_path / "mnist_softmax.npz")
    extra = dict(pretrained.load_net(tmp_path / "mnist_softmax.npz").meta, note="added")
    digest = pretrained.rewrite_meta("mnist_softmax", extra, out=tmp_path)
    assert (tmp_path / "mnist_softmax.sha256").read_text().split() == [digest, "mnist_softmax.npz"]
    assert arrays_digest(tmp_path / "mnist_softmax.npz") == before
    assert pretrained.load_net(tmp_path / "mnist_softmax.npz").meta["note"] == "added"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_softmax.npz", "mnist_softmax.sha256"]


def test_rewrite_meta_refuses_to_change_the_arrays(tmp_path, monkeypatch):
    import shutil

    for suffix in (".npz", ".sha256"):
        shutil.copy(pretrained.ZOO_DIR / f"mnist_softmax{suffix}", tmp_path)
    raw = (tmp_path / "mnist_softmax.npz").read_bytes()
    real_load = pretrained.load_net

    def nudged(path, verify=True):
        net = real_load(path, verify)
        key = sorted(net.params)[0]
        net.params[key] = np.nextafter(net.params[key], np.inf)   # one ulp
        return net

    monkeypatch.setattr(pretrained, "load_net", nudged)
    with pytest.raises(ValueError, match="would change its arrays"):
        pretrained.rewrite_meta("mnist_softmax", {"note": "x"}, out=tmp_path)
    assert (tmp_path / "mnist_softmax.npz").read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_softmax.npz", "mnist_softmax.sha256"]


@pytest.mark.parametrize("run", ["pgd", "pixels", "defences"])
def test_notebook_08s_heavy_runs_name_the_zoo_files_as_shipped(run):
    """data/adversarial_*.json record the sha256 of the zoo files they attacked; when a file's metadata
    changes (its weights pinned above), the record follows, so a changed net cannot pass unnoticed."""
    import json

    record = json.loads((pretrained.DATA_DIR / f"adversarial_{run}.json").read_text(encoding="utf-8"))
    for name, digest in record["zoo_sha256"].items():
        assert digest == pretrained.sha256_of(pretrained.ZOO_DIR / f"{name}.npz"), name
