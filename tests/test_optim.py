"""Update rules against the expected values published with CS231n's assignment 2, and closed forms."""
import numpy as np
import pytest

from cs231n_lib.gradient_check import rel_error
from cs231n_lib.optim import adam, rmsprop, sgd, sgd_momentum

N, D = 4, 5


def _close(got, published):
    """The published values have 8 decimals: they agree to within 1e-8 (relative error ~1e-7 near 0.02)."""
    return np.abs(got - published).max() < 1e-8 and rel_error(got, published) < 1e-6

W = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
DW = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)


def test_sgd_closed_form():
    next_w, config = sgd(W, DW, {"learning_rate": 0.1})
    assert np.allclose(next_w, W - 0.1 * DW)
    assert sgd(W, DW)[1]["learning_rate"] == 1e-2


def test_sgd_momentum_published_values():
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    config = {"learning_rate": 1e-3, "velocity": v}
    next_w, config = sgd_momentum(W, DW, config=config)
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    assert _close(next_w, expected_next_w)
    assert _close(config["velocity"], expected_velocity)


def test_rmsprop_published_values():
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = rmsprop(W, DW, config={"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.asarray([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    assert _close(next_w, expected_next_w)
    assert _close(config["cache"], expected_cache)


def test_adam_published_values():
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = adam(W, DW, config={"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    assert _close(next_w, expected_next_w)
    assert _close(config["v"], expected_v)
    assert _close(config["m"], expected_m)
    assert config["t"] == 6


def test_adam_first_step_moves_every_weight_by_the_learning_rate():
    # closed form: at t = 1 the bias-corrected step is lr * g / (|g| + eps) = lr * sign(g)
    next_w, _ = adam(W, DW, {"learning_rate": 0.01})
    assert np.allclose(next_w, W - 0.01 * np.sign(DW), atol=1e-9)


@pytest.mark.parametrize("rule", [sgd, sgd_momentum, rmsprop, adam])
def test_rules_minimise_a_quadratic_and_keep_w(rule):
    # f(w) = |w|^2 has gradient 2w and its minimum at 0
    w = np.array([3.0, -2.0])
    config = {"learning_rate": 0.05}
    for _ in range(500):
        w, config = rule(w, 2 * w, config)
    assert np.abs(w).max() < 0.05
    # the first call did not modify its input
    w0 = np.array([1.0, 1.0])
    rule(w0, np.ones(2), {})
    assert np.array_equal(w0, [1.0, 1.0])


def test_rules_refuse_mismatched_gradient():
    with pytest.raises(ValueError, match=r"w.shape=\(4, 5\), dw.shape=\(5, 4\)"):
        adam(W, DW.T)


@pytest.mark.parametrize("rule", [sgd, sgd_momentum, rmsprop, adam])
def test_rules_refuse_unknown_config_keys_and_list_the_accepted_ones(rule):
    with pytest.raises(ValueError) as err:
        rule(W, DW, {"lr": 10})
    text = str(err.value)
    assert f"config has unknown key(s) ['lr'] for update rule '{rule.__name__}'" in text
    assert "learning_rate (default" in text and "For 'lr', did you mean 'learning_rate'?" in text


def test_hyperparameter_table_is_what_the_rules_use():
    from cs231n_lib.optim import HYPERPARAMETERS, STATE

    for rule in (sgd, sgd_momentum, rmsprop, adam):
        _, config = rule(W, DW, {})
        name = rule.__name__
        assert set(config) == set(HYPERPARAMETERS[name]) | set(STATE[name]), name
        for key, default in HYPERPARAMETERS[name].items():
            assert config[key] == default
    # CS231n's defaults
    assert HYPERPARAMETERS["adam"] == {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    assert HYPERPARAMETERS["sgd_momentum"]["momentum"] == 0.9 and HYPERPARAMETERS["rmsprop"]["decay_rate"] == 0.99
