"""Notebook 08's adversarial explorer: the pure view (texts worked out by hand, invalid settings
explained, never raising) and the widget (built under ipywidgets 7 and 8, non-clamping controls,
static fallback)."""
import numpy as np
import pytest

from cs231n_lib import adversarial as adv
from cs231n_lib import vis, widgets
from cs231n_lib.nets import SequentialNet


def tiny_nets():
    conv = SequentialNet([("conv1", {"kind": "conv", "num_filters": 3, "filter_size": 3}), ("relu1", {"kind": "relu"}),
                          ("fc", {"kind": "affine", "out_dim": 10})], input_dim=(1, 8, 8), seed=0,
                         input_convention="unit")
    linear = SequentialNet([("fc", {"kind": "affine", "out_dim": 10})], input_dim=(1, 8, 8), seed=1,
                           input_convention="unit")
    return {"conv": conv, "linear": linear}


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.3, 0.7, size=(5, 1, 8, 8)).astype(np.float32)
    y = np.array([3, 1, 4, 1, 5])
    return tiny_nets(), X, y


def test_the_view_states_eps_by_hand(setup):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=2, model="conv", eps=25)
    assert view.valid
    # 25/100 = 0.25 of the range; 0.25 * 255 = 63.75 grey levels; 8 x 8 = 64 pixels
    assert "eps = 25/100 = 0.25: each of the 8 x 8 = 64 pixels moves by at most 0.25 (63.75 of 255 grey levels)" \
        in view.text
    assert "digit #2 of 5: a 4" in view.text and "untargeted FGSM" in view.text
    assert view.label == 4 and view.eps == 0.25
    # the picture is FGSM itself, and the probabilities those of the net
    np.testing.assert_array_equal(view.x_adv, adv.fgsm(nets["conv"], X[2:3], [4], 0.25)[0])
    np.testing.assert_allclose(view.probs_adv, adv.probabilities(nets["conv"], view.x_adv[None])[0], rtol=1e-5)
    assert np.abs(view.x_adv - view.x).max() <= 0.25 + 1e-6


def test_eps_zero_changes_nothing(setup):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=0, model="linear", eps=0)
    assert view.valid and "pixels changed: 0 of 64" in view.text
    np.testing.assert_array_equal(view.x_adv, view.x)


def test_a_targeted_step(setup):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=0, model="linear", eps=10, target=7)
    assert view.valid and view.target == 7
    assert "targeted step towards 7: x - eps * sign(grad_x J(x, 7))" in view.text
    np.testing.assert_array_equal(view.x_adv, adv.fgsm_targeted(nets["linear"], X[:1], 7, 0.1)[0])
    assert view.probs_adv[7] > view.probs_clean[7]


@pytest.mark.parametrize("settings, reason", [
    (dict(digit=0, model="conv", eps=10, target=3), "the target 3 is the digit's own class"),
    (dict(digit=5, model="conv", eps=10), "digit must be a whole number from 0 to 4"),
    (dict(digit=-1, model="conv", eps=10), "digit must be a whole number from 0 to 4"),
    (dict(digit=0, model="conv", eps=-5), "eps is a whole number of percent"),
    (dict(digit=0, model="conv", eps=2.5), "eps is a whole number of percent"),
    (dict(digit=0, model="maxout", eps=10), "model must be one of conv, linear"),
    (dict(digit=0, model="conv", eps=10, target=12), "target must be None or a class 0..9"),
    (dict(digit="0", model="conv", eps=10), "digit must be a whole number"),
])
def test_invalid_settings_are_explained_never_raised(setup, settings, reason):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, **settings)
    assert not view.valid and reason in view.text
    assert "Invalid setting." in view.html


def test_render_draws_only_valid_settings(setup):
    nets, X, y = setup
    fig, axes = vis.attack_explorer_axes()
    view = widgets.render_attack_explorer(axes, nets, X, y, digit=1, model="conv", eps=20, target=None)
    assert view.valid
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    title = axes[0].get_title()
    bad = widgets.render_attack_explorer(axes, nets, X, y, digit=1, model="conv", eps=20, target=1)
    assert not bad.valid and axes[0].get_title() == title  # nothing redrawn


def test_the_explorer_builds_and_shows_every_value(setup):
    nets, X, y = setup
    box = widgets.adversarial_explorer(nets, X, y, digit=4, model="linear", eps=80, target=2)
    sliders = {c.description: c for c in box.children[0].children[0].children}
    menus = {c.description: c for c in box.children[0].children[1].children}
    assert sliders["eps (% of range)"].value == 80 and sliders["eps (% of range)"].max == 80  # widened
    assert sliders["digit"].value == 4 and sliders["digit"].max == 4
    assert menus["net"].value == "linear" and menus["target"].value == 2
    assert "eps = 80/100 = 0.8" in box.children[1].value
    sliders["eps (% of range)"].value = 5
    assert "eps = 5/100 = 0.05" in box.children[1].value
    menus["target"].value = 5  # digit 4 is a 5: invalid, explained in the panel
    assert "Invalid setting." in box.children[1].value and "own class" in box.children[1].value


def test_the_target_menu_shows_no_target_as_an_option(setup):
    """A Dropdown reads the value None as "nothing selected": "no target" has a value of its own."""
    nets, X, y = setup
    box = widgets.adversarial_explorer(nets, X, y)
    menu = {c.description: c for c in box.children[0].children[1].children}["target"]
    assert menu.value == widgets.NO_TARGET and menu.label == "none (untargeted)" and menu.index == 0
    assert "untargeted FGSM" in box.children[1].value
    untargeted = widgets.attack_view(nets, X, y, 0, "conv", 10, None)
    assert widgets.attack_view(nets, X, y, 0, "conv", 10, "none").text == untargeted.text


def test_the_explorer_refuses_what_no_control_can_hold(setup):
    nets, X, y = setup
    with pytest.raises(ValueError, match="model must be one of"):
        widgets.adversarial_explorer(nets, X, y, model="maxout")
    with pytest.raises(ValueError, match="target must be one of"):
        widgets.adversarial_explorer(nets, X, y, target="seven")
    with pytest.raises(ValueError, match="whole number"):
        widgets.adversarial_explorer(nets, X, y, eps=2.5)
    with pytest.raises(ValueError, match="attack must be one of"):
        widgets.adversarial_explorer(nets, X, y, attack="cw")
    with pytest.raises(ValueError, match="loss must be one of"):
        widgets.adversarial_explorer(nets, X, y, loss="hinge")


@pytest.mark.parametrize("bad, message", [
    (lambda X, y: (X[:, :, :, :7], y), "The net reads 8x8 images"),  # images the nets cannot read
    (lambda X, y: (X * 255, y), "[0, 1]"),                        # pixels on the 0..255 scale
    (lambda X, y: (X, y[:3]), "one class index per image"),        # fewer labels than images
    (lambda X, y: (X, y + 20), "indices 0..9"),                    # labels outside the ten classes
])
def test_the_explorer_checks_the_images_and_labels_once_with_a_clear_error(setup, bad, message):
    nets, X, y = setup
    Xb, yb = bad(X, y)
    with pytest.raises(ValueError) as err:
        widgets.adversarial_explorer(nets, Xb, yb)
    assert message in str(err.value)


@pytest.mark.parametrize("attack, start", [("bim", False), ("pgd", True)])
@pytest.mark.parametrize("target", [None, 7])
def test_the_iterative_attacks_are_pgd_itself(setup, attack, start, target):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=1, model="conv", eps=20, target=target, attack=attack, steps=3)
    assert view.valid, view.text
    # steps of eps / 4 = 0.05, from the digit (BIM) or from a random start (PGD), seed 0
    expected = adv.pgd(nets["conv"], X[1:2], [1], 0.2, alpha=0.05, steps=3, random_start=start, target=target)
    np.testing.assert_array_equal(view.x_adv, expected[0])
    assert np.abs(view.x_adv - view.x).max() <= 0.2 + 1e-6
    sign, c = ("+", 1) if target is None else ("-", target)
    assert f"x_t+1 = project(x_t {sign} eps/4 * sign(grad_x J(x_t, {c}))), eps/4 = 0.05" in view.text
    assert "then 3 steps, " + ("untargeted" if target is None else f"towards {target}") in view.text
    assert ("x_0 = x + uniform noise in [-eps, eps]" in view.text) == start
    assert ("BIM (the basic iterative method): x_0 = x;" in view.text) == (not start)


def test_the_margin_loss_is_said_and_used(setup):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=2, model="conv", eps=30, attack="pgd", steps=2, loss="margin")
    assert view.valid and "M(x, c) = max_{j != c} z_j - z_c" in view.text and "grad_x M(x_t, 4)" in view.text
    expected = adv.pgd(nets["conv"], X[2:3], [4], 0.3, alpha=0.075, steps=2, loss="margin")
    np.testing.assert_array_equal(view.x_adv, expected[0])


def test_one_step_of_bim_from_the_digit_is_fgsm_with_a_quarter_of_eps(setup):
    nets, X, y = setup
    one = widgets.attack_view(nets, X, y, digit=3, model="linear", eps=40, attack="bim", steps=1)
    np.testing.assert_array_equal(one.x_adv, adv.fgsm(nets["linear"], X[3:4], [1], 0.1)[0])


@pytest.mark.parametrize("steps, valid", [(0, False), (-3, False), (1, True), (200, True), (201, False),
                                          (2**62, False), (2.5, False)])
def test_the_number_of_steps_is_bounded_and_explained(setup, steps, valid):
    nets, X, y = setup
    view = widgets.attack_view(nets, X, y, digit=0, model="linear", eps=5, attack="bim", steps=steps)
    assert view.valid == valid, view.text
    if not valid:
        assert "steps must be a whole number from 1 to 200" in view.text
    # FGSM takes one step whatever the slider says
    assert widgets.attack_view(nets, X, y, digit=0, model="linear", eps=5, steps=steps).valid


def test_the_explorer_switches_attack_and_loss(setup):
    nets, X, y = setup
    box = widgets.adversarial_explorer(nets, X, y, digit=1, model="conv", eps=20)
    controls = box._controls
    assert "untargeted FGSM" in box.children[1].value
    controls["attack"].value = "pgd"
    assert "PGD: x_0 = x + uniform noise" in box.children[1].value and "10 steps" in box.children[1].value
    controls["steps"].value = 4
    assert "then 4 steps" in box.children[1].value
    controls["loss"].value = "margin"
    assert "the margin of Carlini and Wagner" in box.children[1].value
    far = widgets.adversarial_explorer(nets, X, y, attack="pgd", steps=500)  # the slider widens, the view refuses
    assert far._controls["steps"].value == 500
    assert "Invalid setting." in far.children[1].value and "steps must be a whole number from 1 to 200" in \
        far.children[1].value


def test_the_static_fallback_holds_the_panel(setup):
    from cs231n_lib.widgets._base import fallback_bundle

    nets, X, y = setup
    box = widgets.adversarial_explorer(nets, X, y, digit=0, model="conv", eps=25)
    bundle = fallback_bundle(box._title, box._controls, box._state)
    assert "eps = 25/100 = 0.25" in bundle["text/plain"] and bundle["image/png"]


@pytest.mark.parametrize("arg", ["digit", "eps"])
@pytest.mark.parametrize("value", [-10**6, -1, 0, 3, 10**6, 2**62])
def test_the_view_never_raises_for_any_integer(setup, arg, value):
    nets, X, y = setup
    settings = dict(digit=1, model="conv", eps=10, target=None)
    settings[arg] = value
    view = widgets.attack_view(nets, X, y, **settings)
    # eps is in percent of the pixel range: more than 100% is refused by the input contract
    valid = value >= 0 and (value <= 100 if arg == "eps" else value < len(X))
    assert view.valid == valid, view.text
    if arg == "eps" and value > 100:
        assert f"eps={value / 100:g} is the largest change of one pixel" in view.text
    if valid and arg == "eps":
        assert np.all((view.x_adv >= 0) & (view.x_adv <= 1))


@pytest.mark.parametrize("value", [10**6, 2**62])
def test_the_explorer_keeps_a_huge_eps_and_says_why_it_is_refused(setup, value):
    nets, X, y = setup
    box = widgets.adversarial_explorer(nets, X, y, eps=value)
    slider = {c.description: c for c in box.children[0].children[0].children}["eps (% of range)"]
    assert slider.value == value and f"eps={value / 100:g} is the largest change of one pixel" in box.children[1].value
