"""The Solver: keyword arguments, determinism, histories, best parameters, frozen parameters."""
import numpy as np
import pytest

from cs231n_lib.nets import TwoLayerNet
from cs231n_lib.solver import Solver


def _blobs(n=200, d=6, classes=3, seed=0):
    """Linearly separable Gaussian blobs: an easy problem any working loop learns."""
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((classes, d))
    y = rng.integers(classes, size=n)
    X = (centres[y] + 0.5 * rng.standard_normal((n, d))).astype(np.float32)
    return X, y


def _data():
    X, y = _blobs(300)
    return {"X_train": X[:200], "y_train": y[:200], "X_val": X[200:], "y_val": y[200:]}


def _model(seed=0):
    return TwoLayerNet(input_dim=6, hidden_dim=20, num_classes=3, weight_scale=0.1, seed=seed)


def test_unknown_keyword_is_refused_with_the_accepted_list():
    with pytest.raises(ValueError) as err:
        Solver(_model(), _data(), learning_rate=1e-3)
    assert "learning_rate" in str(err.value) and "optim_config" in str(err.value)


def test_unknown_update_rule_and_bad_data_are_refused():
    with pytest.raises(ValueError, match="nesterov"):
        Solver(_model(), _data(), update_rule="nesterov")
    data = _data()
    data["y_val"] = data["y_val"][:5]
    with pytest.raises(ValueError, match="y_val"):
        Solver(_model(), data)
    with pytest.raises(ValueError, match="X_val"):
        Solver(_model(), {"X_train": data["X_train"], "y_train": data["y_train"]})


@pytest.mark.parametrize("rule, lr", [("sgd", 0.1), ("sgd_momentum", 0.05), ("rmsprop", 1e-2), ("adam", 1e-2)])
def test_training_learns_separable_blobs(rule, lr):
    solver = Solver(_model(), _data(), update_rule=rule, optim_config={"learning_rate": lr},
                    num_epochs=5, batch_size=20, verbose=False, progress=False)
    solver.train()
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert solver.best_val_acc >= 0.9
    # histories: one accuracy at the first iteration and one per epoch
    assert len(solver.loss_history) == 5 * (200 // 20)
    assert len(solver.val_acc_history) == 1 + 5
    # the model ends with the best parameters
    assert solver.check_accuracy(solver.X_val, solver.y_val) == pytest.approx(solver.best_val_acc)


def test_same_seed_same_run_other_seed_other_batches():
    def run(seed):
        solver = Solver(_model(), _data(), update_rule="adam", optim_config={"learning_rate": 1e-2},
                        num_epochs=2, batch_size=25, seed=seed, verbose=False, progress=False)
        solver.train()
        return solver.loss_history, solver.model.params["W1"]

    loss_a, w_a = run(3)
    loss_b, w_b = run(3)
    loss_c, _ = run(4)
    assert loss_a == loss_b and np.array_equal(w_a, w_b)
    assert loss_a != loss_c


def test_lr_decay_and_per_parameter_configs():
    solver = Solver(_model(), _data(), update_rule="sgd", optim_config={"learning_rate": 0.1},
                    lr_decay=0.5, num_epochs=3, batch_size=50, verbose=False, progress=False)
    solver.train()
    assert set(solver.optim_configs) == {"W1", "b1", "W2", "b2"}
    for config in solver.optim_configs.values():
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5 ** 3)
    assert solver.optim_config["learning_rate"] == 0.1  # the caller's dict is not changed


def test_verbose_prints_cs231n_lines(capsys):
    Solver(_model(), _data(), num_epochs=1, batch_size=50, print_every=2, progress=False).train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 4) loss:" in out and "(Iteration 3 / 4)" in out
    assert "(Epoch 1 / 1) train acc:" in out


def test_progress_bar_goes_to_stderr_outside_jupyter(capsys):
    Solver(_model(), _data(), num_epochs=1, batch_size=50, verbose=False, progress=True).train()
    err = capsys.readouterr().err
    assert "4/4" in err


def test_frozen_parameters_missing_from_grads_stay_put():
    class Frozen(TwoLayerNet):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is None:
                return out
            loss, grads = out
            del grads["W1"], grads["b1"]
            return loss, grads

    model = Frozen(input_dim=6, hidden_dim=20, num_classes=3, weight_scale=0.1)
    before = {k: v.copy() for k, v in model.params.items()}
    Solver(model, _data(), update_rule="adam", num_epochs=1, batch_size=50, verbose=False, progress=False).train()
    assert np.array_equal(model.params["W1"], before["W1"])
    assert not np.array_equal(model.params["W2"], before["W2"])


def test_checkpoints_are_npz_without_pickles(tmp_path):
    name = str(tmp_path / "ck")
    Solver(_model(), _data(), num_epochs=2, batch_size=100, checkpoint_name=name,
           verbose=False, progress=False).train()
    with np.load(f"{name}_epoch_2.npz", allow_pickle=False) as ck:
        assert int(ck["epoch"]) == 2
        assert ck["param_W1"].shape == (6, 20)


def test_num_train_samples_subsamples_accuracy():
    solver = Solver(_model(), _data(), num_train_samples=10, num_epochs=1, batch_size=100,
                    verbose=False, progress=False)
    solver.train()
    # with 10 samples every accuracy is a multiple of 0.1
    for acc in solver.train_acc_history:
        assert abs(acc * 10 - round(acc * 10)) < 1e-9
