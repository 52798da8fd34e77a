"""Feature visualization (cs231n_lib.feature_visualization) on small float64 nets of its own:
gradients against centred differences, the climb's objective rising at every step, the jitter's
average written out by hand, the receptive field respected, and the agreement of starts."""
import numpy as np
import pytest

from cs231n_lib import feature_visualization as FV
from cs231n_lib import understanding
from cs231n_lib.gradient_check import eval_numerical_gradient
from cs231n_lib.nets import SequentialNet


@pytest.fixture(scope="module")
def net():
    """conv-relu-pool-conv, then two affine layers: 3x8x8 inputs, subtracting 0.5 as the zoo nets do."""
    n = SequentialNet([("conv1", {"kind": "conv", "num_filters": 4, "filter_size": 3}), ("relu1", {"kind": "relu"}),
                       ("pool1", {"kind": "pool", "size": 2}), ("conv2", {"kind": "conv", "num_filters": 5,
                                                                          "filter_size": 3}),
                       ("relu2", {"kind": "relu"}), ("fc1", {"kind": "affine", "out_dim": 6}),
                       ("relu3", {"kind": "relu"}), ("fc2", {"kind": "affine", "out_dim": 3})],
                      input_dim=(3, 8, 8), dtype=np.float64, seed=5, input_mean=0.5)
    rng = np.random.default_rng(6)
    for key in n.params:
        if key.endswith(".b"):
            n.params[key] = 0.1 * rng.standard_normal(n.params[key].shape)
    return n


@pytest.mark.parametrize("layer, unit, position", [
    ("conv1", 2, (3, 4)), ("conv2", 1, None), ("conv2", np.array([0.5, -1.0, 0.2, 0.0, 2.0]), (2, 1)),
    ("fc1", 4, None), ("fc1", np.linspace(-1, 1, 6), None), ("pool1", 3, (0, 3))])
def test_the_objective_and_its_gradient(net, layer, unit, position):
    x = np.random.default_rng(1).random((2, 3, 8, 8))
    values, grads = FV.layer_objective(net, x, layer, unit, position)
    acts = net.activations(x, layer)
    d = np.zeros(acts.shape[1])
    if np.ndim(unit) == 0:
        d[unit] = 1
    else:
        d = np.asarray(unit, dtype=float)
    for n in range(2):   # the value, written out for each image
        if acts.ndim == 2:
            want = float(d @ acts[n])
        elif position is None:
            want = float(np.mean(np.tensordot(d, acts[n], axes=1)))
        else:
            want = float(d @ acts[n][:, position[0], position[1]])
        assert values[n] == pytest.approx(want, rel=1e-12, abs=1e-12)
        numeric = eval_numerical_gradient(lambda z: FV.layer_objective(net, z[None], layer, unit, position)[0][0],
                                          x[n].copy(), verbose=False, h=1e-6)
        np.testing.assert_allclose(grads[n], numeric, rtol=1e-5, atol=1e-7)


def test_without_jitter_the_objective_rises_at_every_step(net):
    """Acceptance of issue 26: on this test net, small steps of gradient ascent on J, recorded after
    every step, raise J every time, for every start, unit and direction."""
    direction = understanding.random_directions(5, 1, seed=0)[0]
    for layer, unit, position in (("conv2", 1, (1, 1)), ("conv2", direction, None), ("fc1", 4, None)):
        fv = FV.visualize(net, layer, unit, position=position, starts=3, steps=60, step_size=0.003, tv=2.0, jitter=0,
                          init_std=0.05, seed=2, record_every=1)
        steps = np.diff(fv.objective, axis=0)
        assert fv.objective.shape == (61, 3) and np.all(steps > 0), (layer, steps.min())
        assert np.all(fv.images >= 0) and np.all(fv.images <= 1)


def test_the_recorded_objective_is_the_activation_over_every_shift_minus_the_tv_term(net):
    from cs231n_lib.gradients import total_variation

    fv = FV.visualize(net, "conv2", 3, position=(2, 2), starts=2, steps=25, jitter=1, tv=5.0, scale=2.0, seed=4,
                      record_every=10)
    assert fv.steps.tolist() == [0, 10, 20, 25]
    for s, image in enumerate(fv.images):
        shifted = [net.activations(np.roll(image, (a, b), axis=(1, 2))[None], "conv2")[0, 3, 2, 2]
                   for a in (-1, 0, 1) for b in (-1, 0, 1)]
        assert fv.activation[s] == pytest.approx(np.mean(shifted), rel=1e-12)
        J = np.mean(shifted) / 2.0 - 5.0 * total_variation(image, 2)[0] / image.size
        assert fv.objective[-1, s] == pytest.approx(J, rel=1e-12)
    assert np.all(fv.objective[-1] > fv.objective[0])


def test_pixels_outside_the_receptive_field_never_move(net):
    """conv1's unit (i, j) sees rows i-1..i+1 and columns j-1..j+1 (a 3x3 filter, padding 1): with no
    smoothness prior and no jitter only those pixels get a gradient."""
    fv = FV.visualize(net, "conv1", 0, position=(3, 4), starts=2, steps=20, tv=0.0, jitter=0, seed=1)
    start = FV.visualize(net, "conv1", 0, position=(3, 4), starts=2, steps=0, tv=0.0, jitter=0, seed=1).images
    moved = np.any(fv.images != start, axis=(0, 1))
    field = np.zeros((8, 8), dtype=bool)
    field[2:5, 3:6] = True
    assert np.all(moved <= field) and moved[field].sum() >= 5


def test_starts_differ_and_the_same_seed_repeats(net):
    a = FV.visualize(net, "fc1", 1, starts=3, steps=10, seed=7)
    b = FV.visualize(net, "fc1", 1, starts=3, steps=10, seed=7)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.allclose(a.images[0], a.images[1])
    assert a.settings["seed"] == 7 and a.layer == "fc1" and a.direction.tolist() == [0, 1, 0, 0, 0, 0]


def test_start_agreement_is_the_mean_pairwise_correlation():
    rng = np.random.default_rng(0)
    base = rng.random((3, 4, 4))
    assert FV.start_agreement(np.stack([base, base, 0.5 + 2 * (base - 0.5)])) == pytest.approx(1.0)
    assert FV.start_agreement(np.stack([base, 1.0 - base])) == pytest.approx(-1.0)
    images = rng.random((3, 3, 4, 4))
    v = (images - 0.5).reshape(3, -1)
    v -= v.mean(axis=1, keepdims=True)
    r = [np.corrcoef(v[a], v[b])[0, 1] for a, b in ((0, 1), (0, 2), (1, 2))]
    assert FV.start_agreement(images) == pytest.approx(np.mean(r), rel=1e-12)


def test_bad_input_is_refused_with_a_clear_message(net):
    with pytest.raises(ValueError, match="no layer named"):
        FV.visualize(net, "conv9", 0)
    with pytest.raises(ValueError, match="channel index 0..3"):
        FV.visualize(net, "conv1", 4, position=(0, 0))
    with pytest.raises(ValueError, match="direction in 'conv2' has 5"):
        FV.visualize(net, "conv2", np.ones(4))
    with pytest.raises(ValueError, match="no positions"):
        FV.visualize(net, "fc1", 0, position=(0, 0))
    with pytest.raises(ValueError, match="outside"):
        FV.visualize(net, "conv2", 0, position=(4, 0))
    with pytest.raises(ValueError, match="step_size must be a number > 0"):
        FV.visualize(net, "fc1", 0, step_size=0)
    with pytest.raises(ValueError, match="starts must be a whole number >= 1"):
        FV.visualize(net, "fc1", 0, starts=0)
    with pytest.raises(ValueError, match="at least two images"):
        FV.start_agreement(np.zeros((1, 3, 4, 4)))


def test_the_figure_draws_each_strip_as_given():
    from cs231n_lib import vis

    rng = np.random.default_rng(3)
    rows = {"conv1 unit 0": (rng.random((3, 3, 3, 3)), rng.random((5, 3, 3, 3))),
            "fc1 random direction": (rng.random((3, 3, 8, 8)), rng.random((5, 3, 8, 8)))}
    fig = vis.feature_visualization_figure(rows, "made and found")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == list(rows) and all(ax.get_ylabel() for ax in axes)
    assert fig.get_suptitle() == "made and found" and "5 strongest test patches" in fig.get_supxlabel()
    strip = axes[1].images[0].get_array()
    # 3 made images with 1-pixel gaps, a wider gap (3 + 8 // 4 = 5 pixels), then 5 patches with 1-pixel gaps
    assert strip.shape == (8, 3 * 8 + 2 + 5 + 5 * 8 + 4, 3)
    np.testing.assert_allclose(strip[:, :8], rows["fc1 random direction"][0][0].transpose(1, 2, 0))
    np.testing.assert_allclose(strip[:, 9:17], rows["fc1 random direction"][0][1].transpose(1, 2, 0))
    np.testing.assert_allclose(strip[:, 31:39], rows["fc1 random direction"][1][0].transpose(1, 2, 0))
    assert np.all(strip[:, 26:31] == 1.0)
