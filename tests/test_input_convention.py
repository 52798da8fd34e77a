"""Input conventions: a "unit" net refuses batches clearly outside [0, 1] in predict/loss (not in the analysis
calls), the Solver refuses data in another convention, and nets without a convention behave as CS231n's."""
import numpy as np
import pytest

from cs231n_lib import pretrained
from cs231n_lib.data import load_shapes
from cs231n_lib.nets import INPUT_CONVENTIONS, SequentialNet, ThreeLayerConvNet, TwoLayerNet, affine, conv, relu
from cs231n_lib.solver import Solver


@pytest.fixture(scope="module")
def shipped():
    return pretrained.load_pretrained()


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(num_train=200, num_val=0, num_test=200, seed=0)


def test_the_shipped_net_reads_unit_images(shipped, shapes):
    assert shipped.input_convention == "unit"
    acc = float(np.mean(shipped.predict(shapes["X_test"]) == shapes["y_test"]))
    assert acc >= 0.9


def test_the_shipped_net_refuses_mean_subtracted_shapes_and_names_the_fix(shipped, shapes):
    X = shapes["X_test"] - shapes["X_train"].mean(axis=0)
    with pytest.raises(ValueError) as err:
        shipped.predict(X)
    text = str(err.value)
    assert "'unit' convention" in text and "input_mean 0.5" in text
    assert "mean image subtracted" in text and "X + data['mean_image']" in text
    assert "with scale='unit' and subtract_mean=False" in text
    with pytest.raises(ValueError, match=r"0\.\.255 pixels.*Divide 0\.\.255 pixels by 255"):
        shipped.loss(shapes["X_test"][:4] * 255)
    with pytest.raises(ValueError, match=r"from 0\.5 to 1\.5: it looks like images pushed above 1.*np\.clip\(X, 0, 1\)"):
        shipped.predict(shapes["X_test"][:4] * 0 + np.linspace(0.5, 1.5, 32, dtype=np.float32))
    with pytest.raises(ValueError, match="NaN or infinite"):
        X = shapes["X_test"][:2].copy()
        X[0, 0, 0, 0] = np.nan
        shipped.predict(X)


def test_slightly_out_of_range_images_still_pass(shipped, shapes):
    X = shapes["X_test"][:8]
    noisy = X + 0.05 * np.sign(np.random.default_rng(0).standard_normal(X.shape)).astype(np.float32)
    assert shipped.predict(noisy).shape == (8,)  # an unclipped perturbation of 0.05 is still an image in [0, 1]


def test_analysis_calls_on_synthesized_images_are_not_blocked(shipped):
    X = np.random.default_rng(1).standard_normal((1, 3, 32, 32)).astype(np.float32) * 3
    assert shipped.activations(X, "conv1").shape == (1, 16, 32, 32)
    value, dX = shipped.input_gradient(X, "fc2", (3,), relu_rule="guided")
    assert np.isfinite(value) and dX.shape == X.shape
    assert shipped.backward_from(X, "fc2", np.ones((1, 10))).shape == X.shape


def test_nets_without_a_convention_check_nothing_as_cs231n():
    X = np.random.default_rng(2).standard_normal((2, 3, 8, 8)) * 100
    assert ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=3).loss(X).shape == (2, 10)
    assert TwoLayerNet(input_dim=(3, 8, 8)).loss(X).shape == (2, 10)
    assert ThreeLayerConvNet().input_convention is None and TwoLayerNet().input_convention is None
    with pytest.raises(ValueError, match=r"input_convention must be None \(no check\) or one of"):
        TwoLayerNet(input_convention="0..1")
    assert set(INPUT_CONVENTIONS) == {"unit", "unit-centred", "cs231n"}


def _blob_data(convention):
    rng = np.random.default_rng(0)
    X = rng.random((40, 1, 4, 4)).astype(np.float32)
    y = rng.integers(3, size=40)
    data = {"X_train": X[:30], "y_train": y[:30], "X_val": X[30:], "y_val": y[30:]}
    if convention:
        data["input_convention"] = convention
    return data


def _unit_net(convention="unit"):
    return SequentialNet([("c", conv(2, 3)), ("r", relu()), ("fc", affine(3))], input_dim=(1, 4, 4),
                         input_convention=convention)


@pytest.mark.parametrize("data_convention, conversion", [
    ("unit-centred", "X + data['mean_image']"),
    ("cs231n", "(X + data['mean_image']) / 255"),
])
def test_the_solver_refuses_data_in_another_convention(data_convention, conversion):
    with pytest.raises(ValueError) as err:
        Solver(_unit_net(), _blob_data(data_convention))
    text = str(err.value)
    assert "reads images in the 'unit' convention" in text
    assert f"data['input_convention'] is '{data_convention}'" in text
    assert "Load the data again in the 'unit' convention (the loaders of cs231n_lib.data with scale='unit' and " \
        "subtract_mean=False, their defaults)" in text and conversion in text


def test_the_solver_accepts_matching_or_unknown_conventions():
    Solver(_unit_net(), _blob_data("unit"))
    Solver(_unit_net(), _blob_data(None))  # a hand-made dict without the key: the net's own range check remains
    Solver(_unit_net(None), _blob_data("cs231n"))  # a net without a convention: as CS231n, no check
    net = ThreeLayerConvNet(input_dim=(1, 4, 4), num_filters=2, filter_size=3, hidden_dim=3, num_classes=3,
                            input_convention="cs231n")
    with pytest.raises(ValueError, match="ThreeLayerConvNet reads images in the 'cs231n' convention.*X -> 255 \\* X"):
        Solver(net, _blob_data("unit-centred"))


def test_the_convention_is_saved_with_the_net(tmp_path):
    from cs231n_lib.nets import load_net, save_net

    save_net(_unit_net("unit-centred"), tmp_path / "n.npz")
    assert load_net(tmp_path / "n.npz").input_convention == "unit-centred"
