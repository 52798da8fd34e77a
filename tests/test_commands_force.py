"""Every command that writes results or weights writes a new file next to one that exists, unless
--force (issue 23, item 3).  The heavy computation of gradients', normalization's and understanding's
commands is replaced by a stub that returns a small record of the same form (what is tested here is
where the files go; their numbers are tested in tests/test_allconv.py, test_normalization_experiment.py,
test_understanding.py, test_filters_training.py); pretrained --retrain runs a recipe's QUICK settings.
The commands of transfer, adversarial and zeiler_fergus are tested in their own test files
(test_a_command_never_replaces_a_results_file_without_force, test_the_heavy_run_command_never_overwrites_without_force,
test_the_checkpoint_file_rebuilds_from_its_recipe_with_quick_settings and
test_the_first_layer_command_runs_on_quick_settings_and_never_overwrites)."""
import hashlib
import json

import pytest

from cs231n_lib import gradients
from cs231n_lib import normalization as N
from cs231n_lib.outputs import output_path


def _pinned(path):
    """The file's bytes and whether its .sha256 names them."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return path.read_bytes(), path.with_suffix(".sha256").read_text().split()[0] == digest


def test_output_path_counts_up_and_force_takes_the_path_itself(tmp_path):
    target = tmp_path / "r.json"
    assert output_path(target) == target                       # nothing there yet
    target.write_text("{}")
    assert output_path(target) == tmp_path / "r.new.json"
    assert output_path(target, force=True) == target
    (tmp_path / "r.new.json").write_text("{}")
    assert output_path(target) == tmp_path / "r.new2.json"
    assert output_path(tmp_path / "zoo.npz") == tmp_path / "zoo.npz"
    (tmp_path / "zoo.npz").write_text("")
    assert output_path(tmp_path / "zoo.npz") == tmp_path / "zoo.new.npz"


# ------------------------------------------------------------------ gradients --compare-allconv
def _allconv_record(seeds=(0, 1, 2), overrides=None, progress=False):
    runs = [{"net": net, "seed": s, "test_accuracy": 0.5 + 0.1 * s, "best_val_accuracy": 0.5, "num_test": 10,
             "parameters": 7, "wall_seconds_per_epoch": 1.0, "cpu_seconds_per_epoch": 1.0, "params_sha256": "x"}
            for s in seeds for net in gradients.NETS]
    return {"seeds": list(seeds), "runs": runs, "summary": gradients.summarize_runs(runs)}


def test_gradients_compare_allconv_never_replaces_a_record_without_force(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(gradients, "compare_allconv", _allconv_record)
    out = tmp_path / "allconv_comparison.json"
    args = ["--compare-allconv", "--seeds", "3", "4", "--out", str(out)]
    assert gradients.main(args) == 0
    shipped, ok = _pinned(out)
    assert ok and json.loads(shipped)["seeds"] == [3, 4]
    assert gradients.main(["--compare-allconv", "--seeds", "5", "--out", str(out)]) == 0
    assert _pinned(out) == (shipped, True)                                   # left as it was
    new = tmp_path / "allconv_comparison.new.json"
    assert json.loads(new.read_text())["seeds"] == [5] and _pinned(new)[1]
    assert "exists and was left as it is" in capsys.readouterr().out
    assert gradients.main(["--compare-allconv", "--seeds", "6", "--out", str(out), "--force"]) == 0
    assert json.loads(out.read_text())["seeds"] == [6] and _pinned(out)[1]
    assert not (tmp_path / "allconv_comparison.new2.json").exists()


# ------------------------------------------------------------------ normalization
def _fake_run(run):
    return {"key": run.key, "test_accuracy": 0.5, "seed": run.seed}


@pytest.fixture
def tiny_plans(monkeypatch):
    """Two runs in the experiment's plan, two in the controls', each 'trained' by a stub."""
    monkeypatch.setattr(N, "plan", lambda: [N.Run("sweep", "none", 0, 0.001), N.Run("sweep", "none", 1, 0.001)])
    monkeypatch.setattr(N, "control_plan", lambda: [N.Run("control", "batchnorm", 0, 0.001, 1.0),
                                                    N.Run("control", "batchnorm", 1, 0.001, 1.0)])
    monkeypatch.setattr(N, "_one", _fake_run)
    monkeypatch.setattr(N, "comparison", lambda results: {})     # the summaries read real runs' numbers
    monkeypatch.setattr(N, "controls", lambda results: [])


def test_normalization_experiment_copies_a_finished_file_elsewhere_and_force_resumes_in_place(tmp_path, tiny_plans,
                                                                                              capsys):
    out = tmp_path / "normalization_results.json"
    assert N.main(["--experiment", "--quiet", "--out", str(out)]) == 0          # a new file: written
    shipped, ok = _pinned(out)
    assert ok and len(json.loads(shipped)["runs"]) == 2
    assert N.main(["--experiment", "--quiet", "--out", str(out)]) == 0          # complete: nothing to run
    assert _pinned(out) == (shipped, True) and not (tmp_path / "normalization_results.new.json").exists()
    # a file from another machine (the shipped one, read elsewhere) would be rerun: to a new file
    other = dict(json.loads(shipped), machine=dict(N.machine(), cpu="another CPU"))
    out.write_text(json.dumps(other))
    before = out.read_text()
    assert N.main(["--experiment", "--quiet", "--out", str(out)]) == 0
    assert out.read_text() == before
    new = tmp_path / "normalization_results.new.json"
    assert [r["key"] for r in json.loads(new.read_text())["runs"]] == [r.key for r in N.plan()] and _pinned(new)[1]
    assert "exists and was left as it is" in capsys.readouterr().out
    # half a run in a file of one's own: --force resumes it there
    half = dict(json.loads(new.read_text()), runs=json.loads(new.read_text())["runs"][:1], complete=False)
    new.write_text(json.dumps(half))
    assert N.main(["--experiment", "--quiet", "--out", str(new), "--force"]) == 0
    assert len(json.loads(new.read_text())["runs"]) == 2 and _pinned(new)[1]
    assert not (tmp_path / "normalization_results.new.new.json").exists()


def test_normalization_controls_and_merges_never_replace_a_file_without_force(tmp_path, tiny_plans):
    out = tmp_path / "controls.json"
    assert N.main(["--controls", "--quiet", "--out", str(out), "--only", "0/2"]) == 0
    first, ok = _pinned(out)
    assert ok and len(json.loads(first)["runs"]) == 1
    assert N.main(["--controls", "--quiet", "--out", str(out)]) == 0           # the other run: a new file
    assert _pinned(out) == (first, True)
    assert len(json.loads((tmp_path / "controls.new.json").read_text())["runs"]) == 2
    other = tmp_path / "part.json"
    other.write_text((tmp_path / "controls.new.json").read_text())
    assert N.main(["--merge-controls", str(other), "--out", str(out)]) == 0
    assert _pinned(out) == (first, True) and len(json.loads((tmp_path / "controls.new2.json").read_text())["runs"]) == 2
    assert N.main(["--merge-controls", str(other), "--out", str(out), "--force"]) == 0
    assert len(json.loads(out.read_text())["runs"]) == 2 and _pinned(out)[1]
    # the results file's --merge
    results = tmp_path / "results.json"
    assert N.main(["--experiment", "--quiet", "--out", str(results)]) == 0
    done, _ = _pinned(results)
    part = tmp_path / "results_part.json"
    part.write_bytes(done)
    assert N.main(["--merge", str(part), "--out", str(results)]) == 0
    assert _pinned(results) == (done, True) and _pinned(tmp_path / "results.new.json")[1]
    assert N.main(["--merge", str(part), "--out", str(results), "--force"]) == 0
    assert _pinned(results)[1] and not (tmp_path / "results.new2.json").exists()


# ------------------------------------------------------------------ pretrained --retrain
def test_pretrained_retrain_never_replaces_a_zoo_file_without_force(tmp_path, capsys):
    from cs231n_lib import pretrained

    args = ["--retrain", "mnist_softmax", "--quick", "--quiet", "--out", str(tmp_path)]
    assert pretrained.main(args) == 0
    shipped = tmp_path / "mnist_softmax.npz"
    first, ok = shipped.read_bytes(), _pinned(shipped)[1]
    assert ok
    assert pretrained.main(args) == 0                                          # the same recipe again ...
    assert shipped.read_bytes() == first                                       # ... leaves the file as it is
    new = tmp_path / "mnist_softmax.new.npz"
    assert pretrained.load_net(new).spec() == pretrained.load_net(shipped).spec()   # checked by its own sha256
    assert "exists and was left as it is" in capsys.readouterr().out
    assert pretrained.main(args + ["--force"]) == 0
    assert _pinned(shipped)[1] and not (tmp_path / "mnist_softmax.new2.npz").exists()


# ------------------------------------------------------------------ understanding --tsne / --filters
def test_understanding_commands_never_replace_a_result_file_without_force(tmp_path, monkeypatch, capsys):
    import numpy as np

    from cs231n_lib import understanding

    calls = {"n": 0}

    def fake(*args, **kwargs):
        calls["n"] += 1
        return {"labels": np.arange(3) + calls["n"]}, {"run": calls["n"]}

    monkeypatch.setattr(understanding, "compute_tsne", fake)
    monkeypatch.setattr(understanding, "compute_filters_training", fake)
    for option, name, load in (("--tsne", "tsne_shapes", understanding.load_tsne),
                               ("--filters", "filters_training", understanding.load_filters_training)):
        args = [option, "--quiet", "--out", str(tmp_path)]
        assert understanding.main(args) == 0
        shipped = tmp_path / f"{name}.npz"
        first = shipped.read_bytes()
        run = load(shipped)[1]["run"]
        assert understanding.main(args) == 0
        assert shipped.read_bytes() == first
        assert load(tmp_path / f"{name}.new.npz")[1]["run"] == run + 1           # pinned by its own sha256
        assert "exists and was left as it is" in capsys.readouterr().out
        assert understanding.main(args + ["--force"]) == 0
        assert load(shipped)[1]["run"] == run + 2 and not (tmp_path / f"{name}.new2.npz").exists()
