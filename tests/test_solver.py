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


# ---------------------------------------------------------------- failing loudly
def _quiet(model, data, **kw):
    return Solver(model, data, verbose=False, progress=False, **kw)


def test_one_nan_pixel_stops_training_naming_the_iteration_and_the_data():
    from cs231n_lib.nets import ThreeLayerConvNet

    rng = np.random.default_rng(0)
    X = rng.random((60, 3, 8, 8)).astype(np.float32)
    y = rng.integers(4, size=60)
    X[17, 1, 5, 5] = np.nan
    data = {"X_train": X[:50], "y_train": y[:50], "X_val": X[50:], "y_val": y[50:]}
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=5, num_classes=4)
    solver = _quiet(model, data, num_epochs=2, batch_size=10, seed=0)
    with pytest.raises(FloatingPointError) as err:
        solver.train()
    text = str(err.value)
    # which minibatch holds image 17 depends on the seed: find it independently
    replay = np.random.default_rng(0)
    first = next(t for t in range(10) if 17 in replay.choice(50, 10, replace=False)) + 1
    assert text.startswith(f"Iteration {first} / 10:")
    assert "X_train[17] has non-finite values" in text and "1 image(s) of X_train in all: [17]" in text
    assert "not the learning rate" in text and "np.isfinite(X_train)" in text
    # NaN parameters are never kept: the model ends finite (the best parameters seen before, if any)
    assert all(np.all(np.isfinite(v)) for v in model.params.values())
    assert all(np.all(np.isfinite(v)) for v in solver.best_params.values())


def test_a_learning_rate_of_1e3_stops_training_as_diverged():
    solver = _quiet(_model(), _data(), update_rule="sgd", optim_config={"learning_rate": 1e3},
                    num_epochs=5, batch_size=20)
    with pytest.raises(FloatingPointError) as err:
        solver.train()
    text = str(err.value)
    assert text.startswith("Iteration 2 / 50: the loss is ")
    assert "the training diverged" in text and "learning rate (1000) is too high" in text
    assert "Lower it by a factor of 10" in text
    assert all(np.all(np.isfinite(v)) for v in solver.model.params.values())


def test_a_non_finite_loss_with_a_finite_batch_is_blamed_on_the_learning_rate():
    from cs231n_lib.nets import SequentialNet, affine, relu

    net = SequentialNet([("fc1", affine(20)), ("r", relu()), ("fc2", affine(3))], input_dim=(6,), seed=0)
    solver = _quiet(net, _data(), update_rule="sgd", optim_config={"learning_rate": 1e3},
                    num_epochs=20, batch_size=20, max_loss_growth=None)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as err:
        solver.train()
    text = str(err.value)
    assert "the loss is nan" in text or "the loss is inf" in text or "non-finite" in text
    assert "the minibatch holds only finite numbers, so the training diverged" in text
    assert "learning rate (1000) is too high" in text
    assert all(np.all(np.isfinite(v)) for v in solver.best_params.values())
    assert all(np.all(np.isfinite(v)) for v in net.params.values())


def test_a_nan_model_is_not_blamed_on_the_data_or_the_learning_rate():
    model = _model()
    model.params["W2"][0, 0] = np.nan
    with pytest.raises(FloatingPointError, match=r"Iteration 1 / .*parameters \['W2'\] already hold NaN"):
        _quiet(model, _data(), num_epochs=1).train()


@pytest.mark.parametrize("rule, config, hint", [
    ("sgd", {"lr": 10}, "For 'lr', did you mean 'learning_rate'?"),
    ("adam", {"learning_rate": 1e-3, "beta_1": 0.9}, "For 'beta_1', did you mean 'beta1'?"),
    ("sgd_momentum", {"learning_rate": 1e-3, "velocity": 0}, "'velocity' is sgd_momentum's state"),
    ("rmsprop", {"step": 1}, "accepts learning_rate (default 0.01), decay_rate (default 0.99), epsilon"),
])
def test_unknown_optim_config_keys_are_refused_with_the_accepted_ones(rule, config, hint):
    with pytest.raises(ValueError) as err:
        Solver(_model(), _data(), update_rule=rule, optim_config=config)
    text = str(err.value)
    assert "optim_config has unknown key(s)" in text and f"for update rule {rule!r}, which accepts" in text
    assert hint in text


def test_optim_config_values_are_checked():
    with pytest.raises(ValueError, match=r"optim_config\['learning_rate'\] must be a finite number, got '1e-3'"):
        Solver(_model(), _data(), optim_config={"learning_rate": "1e-3"})
    with pytest.raises(ValueError, match=r"learning_rate'\] must be > 0"):
        Solver(_model(), _data(), optim_config={"learning_rate": -0.1})


def test_print_every_zero_says_what_to_do():
    with pytest.raises(ValueError, match=r"print_every .* must be >= 1, got 0. For no lines at all pass verbose=False"):
        Solver(_model(), _data(), print_every=0)
    with pytest.raises(ValueError, match="print_every must be a whole number"):
        Solver(_model(), _data(), print_every=2.5)


def test_string_labels_are_refused_with_the_recipe_to_number_them():
    data = _data()
    names = np.array(["cat", "dog", "emu"])
    data["y_train"] = names[data["y_train"]]
    with pytest.raises(ValueError) as err:
        Solver(_model(), data)
    text = str(err.value)
    assert "y_train holds strings such as 'cat'" in text or "y_train holds strings such as 'dog'" in text \
        or "y_train holds strings such as 'emu'" in text
    assert "class indices 0..C-1" in text and "index[c] for c in y_train" in text


def test_labels_out_of_range_or_fractional_are_refused_before_training():
    data = _data()
    data["y_val"] = data["y_val"] + 1  # 1..3 for a 3-class model
    with pytest.raises(ValueError, match=r"y_val holds labels from 1 to 3, but the model has 3 classes, 0..2"):
        Solver(_model(), data)
    data = _data()
    data["y_train"] = data["y_train"] + 0.5
    with pytest.raises(ValueError, match="y_train must hold whole class indices"):
        Solver(_model(), data)
    data = _data()
    data["y_train"] = data["y_train"].astype(np.float64)  # whole numbers as floats are fine
    Solver(_model(), data)


def _rule_returning(make):
    def rule(w, dw, config=None):
        return make(w, dw, config if config is not None else {})
    rule.__name__ = "my_rule"
    return rule


@pytest.mark.parametrize("make, message", [
    (lambda w, dw, c: w - 0.1 * dw, r"my_rule returned one array of shape \(6, 20\) for 'W1'.*return next_w, config"),
    (lambda w, dw, c: None, r"my_rule returned None for 'W1': end it with `return next_w, config`"),
    (lambda w, dw, c: (c, w - 0.1 * dw), r"returned \(config, next_w\) for 'W1': the order is \(next_w, config\)"),
    (lambda w, dw, c: (w.sum(), c), r"next_w of shape \(\) for 'W1' of shape \(6, 20\).*keep the shape of w"),
    (lambda w, dw, c: (w - 0.1 * dw, 0.1), r"returned float 0.1 as config for 'W1'"),
    (lambda w, dw, c: (w, c, 0), r"returned a tuple of 3 items for 'W1'"),
])
def test_an_update_rule_that_returns_the_wrong_thing_is_explained(make, message):
    solver = _quiet(_model(), _data(), update_rule=_rule_returning(make), num_epochs=1)
    before = {k: v.copy() for k, v in solver.model.params.items()}
    with pytest.raises(ValueError, match=message):
        solver.train()
    assert all(np.array_equal(solver.model.params[k], v) for k, v in before.items())  # nothing half-updated


def test_an_update_rule_that_makes_weights_infinite_stops_at_once():
    rule = _rule_returning(lambda w, dw, c: (w - np.inf * dw, c))
    with pytest.raises(FloatingPointError, match=r"Iteration 1 / 2: the update made W1 non-finite"):
        _quiet(_model(), _data(), update_rule=rule, num_epochs=1, batch_size=100).train()


def test_a_user_rule_may_take_any_config_but_ours_may_not():
    seen = {}

    def my_sgd(w, dw, config=None):
        seen.update(config)
        return w - config["step"] * dw, config

    _quiet(_model(), _data(), update_rule=my_sgd, optim_config={"step": 0.1}, num_epochs=1).train()
    assert seen["step"] == 0.1
    from cs231n_lib import optim

    with pytest.raises(ValueError, match="unknown key"):
        _quiet(_model(), _data(), update_rule=optim.adam, optim_config={"step": 0.1})


def test_a_wrong_gradient_shape_from_the_model_is_named():
    class Broken(TwoLayerNet):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is None:
                return out
            loss, grads = out
            grads["b1"] = grads["b1"][:-1]
            return loss, grads

    with pytest.raises(ValueError, match=r"grads\['b1'\] of shape \(19,\) for params\['b1'\] of shape \(20,\)"):
        _quiet(Broken(input_dim=6, hidden_dim=20, num_classes=3), _data(), num_epochs=1).train()
