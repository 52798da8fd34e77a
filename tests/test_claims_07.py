"""The claims register of notebook 07 (looking through the gradient): one assertion per sentence
that states a measured relation, read from the executed notebook's printed output.

Scores printed as ``mean ± standard error`` over the same images are compared the way the prose
compares them: "beats", "higher", "wins" mean a gap of more than two standard errors of the
difference, sqrt(se1² + se2²) (the unpaired bound; the scores are on the same images, so the
paired one is tighter); "level with" and "a gap within two standard errors" mean a gap of at most
that.  Comparisons over seeds follow the verdict of ``cs231n_lib.stats.paired`` the notebook
prints.  Deletion and insertion areas compared image by image are printed as the mean difference
± its paired standard error: "beats", "better", "ahead" mean a difference of more than two of
those; "level with" and "cannot tell" at most two.  See tests/claims_lib.py.
"""
import math
import re
import statistics

from claims_lib import Notebook, Register

NB = Notebook("07")
NB05 = Notebook("05")   # one sentence reports notebook 05's run
REGISTER = Register(NB, reads=[
    "data/zoo/shapes_convnet.npz", "data/zoo/shapes_allconv.npz", "data/zoo/mnist_convnet.npz",
    "cs231n_lib/recipes/shapes_convnet.py", "cs231n_lib/recipes/shapes_allconv.py",
    "cs231n_lib/recipes/mnist_convnet.py", "data/allconv_comparison.json", "data/faithfulness_shapes.json",
])

SCORES = "127cbd5b"          # the scoring table, exact masks
NEAR = "5e5f24b8"            # the same with masks grown by one pixel
ALLCONV = "a898be10"         # the all-conv twin's table
CASCADE = "f83442bd"         # the cascade of randomizations
DRAWS = "5c0d7a31"           # five draws of the random weights, paired
EDGES = "f8fe2948"           # rank correlation with the edge map
RANDOM_NET = "b3e8f0c2"      # the net with every weight random, scored against the masks
METHODS = ("gradient", "guided", "deconvnet", "occlusion")
RULES = ("gradient", "guided", "deconvnet")
EDGE, RANDOM = "edge map (no net)", "random map (mask area)"
PM = r"\s+([-\d.]+) ± ([\d.]+)"


def one(nb, cell, pattern):
    """The single number ``pattern`` captures in a cell's output (as ``Notebook.value``)."""
    return nb.value(cell, pattern)


def score(nb, cell, method):
    """(mass, mass_se, pointing, pointing_se) of one row of a printed scoring table."""
    return nb.numbers(cell, rf"(?m)^{re.escape(method)}{PM}{PM}$")


def random_net_row(nb, name):
    """(mass, se, pointing, se) on the exact masks, then the same on the grown masks."""
    return nb.numbers(RANDOM_NET, rf"(?m)^{re.escape(name)}{PM}{PM}{PM}{PM}\s*$")


def above(a, se_a, b, se_b):
    """a beats b by more than two standard errors of the difference."""
    return a - b > 2 * math.hypot(se_a, se_b)


def level(a, se_a, b, se_b):
    return abs(a - b) <= 2 * math.hypot(se_a, se_b)


def cascade(nb, label):
    """The four correlations (gradient, guided, deconvnet, occlusion) of one stage of the cascade."""
    return nb.numbers(CASCADE, rf"(?m)^{re.escape(label)}\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)$")


def eps_rows(nb):
    """{eps: (change, predicted, ratio, kinks)} of the linearity check."""
    rows = nb.all_numbers("442c6f45", r"eps = ([\de.-]+): S\(I0 \+ eps\*delta\) - S\(I0\) = ([-\de.+]+), "
                                      r"w \. \(eps\*delta\) = ([-\de.+]+), ratio ([-\d.]+); kinks crossed: ([\d,]+)")
    return {r[0]: r[1:] for r in rows}


def inversion(nb):
    """{layer: (code error, image error)} of the inversion table."""
    rows = re.findall(r"(?m)^\s*(\w+)\s+[\d.]+\s+[\d.]+$", NB.output("1736f0f4"))
    values = nb.all_numbers("1736f0f4", r"(?m)^\s*\w+\s+([\d.]+)\s+([\d.]+)$")
    assert len(rows) == len(values) == 12
    return dict(zip(rows, values))


# ---------------------------------------------------------------- 1. saliency maps
@REGISTER.claim("Near a given image I0, the score S_c of class c is almost a linear function of the pixels")
def almost_linear(nb):
    rows = eps_rows(nb)
    assert abs(rows[1e-4][2] - 1) < 0.01 and abs(rows[1e-6][2] - 1) < 1e-4


@REGISTER.claim("At eps = 0.01 the step crosses 1,475 kinks and the prediction is off, even in its sign; at 1e-4 it "
                "crosses 16 and the prediction is within 1%; at 1e-6 it crosses none and agrees in every digit "
                "printed (ratio 1.0000).")
def kinks_and_ratios(nb):
    rows = eps_rows(nb)
    change, predicted, ratio, kinks = rows[0.01]
    assert kinks == 1475 and ratio < 0 and (change < 0) != (predicted < 0)
    assert rows[1e-4][3] == 16 and abs(rows[1e-4][2] - 1) < 0.01
    change, predicted, ratio, kinks = rows[1e-6]
    assert kinks == 0 and ratio == 1.0 and change == predicted


@REGISTER.claim("Between its kinks a net of ReLUs and max pools is one linear function, and from an image that lies "
                "between kinks a small enough step crosses none.")
def no_kink_no_error(nb):
    change, predicted, ratio, kinks = eps_rows(nb)[1e-6]
    assert kinks == 0 and change == predicted
    assert one(nb, TIES, r"tied largest value: \d+ in test image 4, (\d+) in test image 0") == 0   # image 0 has no tie


TIES = "r07b0001"            # the ring on max-pooling ties


def ring_steps(nb):
    """{eps: (ratio, kinks, pool1 kinks)} of the steps from test image 4."""
    rows = nb.all_numbers(TIES, r"test image 4 \(ring\), eps = ([\de.-]+): ratio ([-\d.]+); kinks crossed: ([\d,]+), "
                                r"of them windows of pool1 whose switch moved: ([\d,]+)")
    return {r[0]: r[1:] for r in rows}


@REGISTER.claim("Not every image does.")
def not_every_image(nb):
    steps = ring_steps(nb)
    assert sorted(steps) == [1e-9, 1e-6] and all(kinks > 0 for _, kinks, _ in steps.values())


@REGISTER.claim("However small the step, it crosses 385 kinks, all of them pooling windows of pool1, and the score "
                "changes 1.37 times as much as w predicts.")
def ring_on_kinks(nb):
    steps = ring_steps(nb)
    for ratio, kinks, pool1 in steps.values():
        assert kinks == pool1 == 385 and round(ratio, 2) == 1.37
    assert steps[1e-6] == steps[1e-9]            # a thousand times smaller, the same


@REGISTER.claim("There the score has no gradient, only slopes that depend on the direction of the step.")
def no_gradient_on_a_tie(nb):
    steps = ring_steps(nb)
    assert abs(steps[1e-9][0] - 1) > 0.1 and steps[1e-9][0] == steps[1e-6][0]
    assert one(nb, TIES, r"tied largest value: (\d+) in test image 4") > 0


@REGISTER.claim("54 of the first 200 test shapes have at least one such window; test image 0 has none.")
def tied_shapes(nb):
    ring, first, shapes, total = nb.numbers(TIES, r"tied largest value: (\d+) in test image 4, (\d+) in test image 0; "
                                                  r"test shapes with at least one: (\d+) of (\d+)")
    assert (first, shapes, total) == (0, 54, 200) and ring > 0


# ---------------------------------------------------------------- 2. the ReLU rules
def rule_row(nb, rule):
    text = nb.output("9944dfeb")
    line = next(l for l in text.splitlines() if l.strip().startswith(f"{rule} sends:"))
    return [nb_read(v) for v in re.findall(r"-?\d+\.\d+", line)]


def nb_read(value):
    from claims_lib import read, to_number
    return read(to_number(value))


@REGISTER.claim("the fourth unit, on but pushed down, sends -1")
def fourth_unit(nb):
    x = [nb_read(v) for v in re.findall(r"-?\d+\.\d+", nb.output("9944dfeb").splitlines()[0])]
    sent = rule_row(nb, "backprop")
    assert x[3] > 0 and sent[3] == -1


@REGISTER.claim("the first unit (x = -2) sends its 1")
def first_unit(nb):
    x = [nb_read(v) for v in re.findall(r"-?\d+\.\d+", nb.output("9944dfeb").splitlines()[0])]
    assert x[0] == -2 and rule_row(nb, "deconvnet")[0] == 1 and rule_row(nb, "backprop")[0] == 0


@REGISTER.claim("The all-conv net has no switches, so its deconvnet map does not depend on the image at all, only "
                "on the class.")
def deconvnet_without_switches(nb):
    allconv = one(nb, "2a652fd0", r"all-conv net: .* differ by at most ([\d.e-]+)")
    pooling = one(nb, "2a652fd0", r"max-pooling net: .* differ by at most ([\d.e-]+)")
    assert allconv == 0 and pooling > 0


@REGISTER.claim("Guided backpropagation keeps the forward pass's ReLU pattern, the one thing that ties the signal "
                "to the image in a net without pooling.")
def guided_tied_to_the_image(nb):
    # without pooling, the rule that ignores the ReLU pattern (deconvnet) gives the same map for two images
    assert one(nb, "2a652fd0", r"all-conv net: .* differ by at most ([\d.e-]+)") == 0


# ---------------------------------------------------------------- 3. scored against the masks
@REGISTER.claim("Now 200 test images, each explained for its true class")
def two_hundred(nb):
    assert one(nb, SCORES, r"\((\d+) test shapes") == 200


@REGISTER.claim("The edge map, which knows no net, wins the pointing game outright (0.80, against 0.66 for the best "
                "method) and puts more of its mass on the object than any gradient rule (0.48, against at most "
                "0.44); only occlusion's mass inside (0.50) is level with it.")
def edge_map_wins(nb):
    edge = score(nb, SCORES, EDGE)
    rows = {m: score(nb, SCORES, m) for m in METHODS}
    best = max(METHODS, key=lambda m: rows[m][2])
    assert (edge[2], rows[best][2]) == (0.80, 0.66)
    assert all(above(edge[2], edge[3], rows[m][2], rows[m][3]) for m in METHODS)
    assert edge[0] == 0.48 and max(rows[m][0] for m in RULES) == 0.44
    assert all(above(edge[0], edge[1], rows[m][0], rows[m][1]) for m in RULES)
    assert rows["occlusion"][0] == 0.50 and level(edge[0], edge[1], rows["occlusion"][0], rows["occlusion"][1])


@REGISTER.claim("None of the six puts more than about half of its mass on the object (0.50 at most).")
def about_half(nb):
    masses = [score(nb, SCORES, m)[0] for m in METHODS + (EDGE, RANDOM)]
    assert max(masses) == 0.50


@REGISTER.claim("Every method beats the random map.")
def every_method_beats_random(nb):
    base = score(nb, SCORES, RANDOM)
    for m in METHODS:
        row = score(nb, SCORES, m)
        assert above(row[0], row[1], base[0], base[1]) and above(row[2], row[3], base[2], base[3]), m


@REGISTER.claim("The gradient puts 37% of its mass on objects that cover 25% of the image on average, guided "
                "backpropagation 44%, the deconvnet 36% and occlusion 50%; their maxima land on the object in 50%, "
                "66%, 59% and 57% of the images.")
def the_numbers_of_the_table(nb):
    rows = {m: score(nb, SCORES, m) for m in METHODS}
    assert [rows[m][0] for m in METHODS] == [0.37, 0.44, 0.36, 0.50]
    assert [rows[m][2] for m in METHODS] == [0.50, 0.66, 0.59, 0.57]
    assert score(nb, SCORES, RANDOM)[0] == 0.25


@REGISTER.claim("The edge map beats them all on the pointing game (80%).")
def edge_beats_all_pointing(nb):
    edge = score(nb, SCORES, EDGE)
    assert edge[2] == 0.80
    assert all(above(edge[2], edge[3], *score(nb, SCORES, m)[2:]) for m in METHODS)


@REGISTER.claim("One pixel of tolerance tells where the misses go: guided backpropagation's maximum then lies on or "
                "next to the object in 98% of the images, the deconvnet's in 93%, the gradient's in 80%, the edge "
                "map's in 100%, while the random map's chance rises only to 32%.")
def one_pixel_of_tolerance(nb):
    near = {m: score(nb, NEAR, m)[2] for m in ("guided", "deconvnet", "gradient", EDGE, RANDOM)}
    assert list(near.values()) == [0.98, 0.93, 0.80, 1.00, 0.32]
    assert score(nb, SCORES, RANDOM)[2] < near[RANDOM]


@REGISTER.claim("Most of the misses of the gradient rules sit on the outline, as an edge detector's maxima do")
def misses_on_the_outline(nb):
    for m in RULES + (EDGE,):
        exact, near = score(nb, SCORES, m)[2], score(nb, NEAR, m)[2]
        assert near - exact > (1 - exact) / 2, m            # most of the misses are within one pixel
    assert score(nb, NEAR, EDGE)[2] == 1.0                   # every one of the edge map's


@REGISTER.claim("Occlusion behaves the other way round: its maps are made of 4x4 blocks (the patch moves 4 pixels "
                "at a time), its maximum is a whole block, and one pixel of tolerance barely helps it (57% to 63%).")
def occlusion_blocks(nb):
    constant, total = nb.numbers(NEAR, r"constant on every 4x4 block: (\d+) of (\d+)")
    assert constant == total == 200
    exact, near = score(nb, SCORES, "occlusion")[2], score(nb, NEAR, "occlusion")[2]
    assert (exact, near) == (0.57, 0.63)
    gains = [score(nb, NEAR, m)[2] - score(nb, SCORES, m)[2] for m in RULES]
    assert near - exact < 0.1 and near - exact < min(gains) / 3


@REGISTER.claim("on our shapes the raw gradient does locate the object well above chance, but less well than the "
                "edge map.")
def gradient_above_chance_below_edges(nb):
    grad, edge, base = score(nb, SCORES, "gradient"), score(nb, SCORES, EDGE), score(nb, SCORES, RANDOM)
    assert above(grad[0], grad[1], base[0], base[1]) and above(grad[2], grad[3], base[2], base[3])
    assert above(edge[0], edge[1], grad[0], grad[1]) and above(edge[2], edge[3], grad[2], grad[3])


@REGISTER.claim("On the all-conv twin, guided backpropagation puts 47% of its mass on the object (44% on the "
                "max-pooling net) and points at it in 60% of the images (66%); the plain gradient keeps its 37% of "
                "mass and points at the object in 56% of the images (50% on the max-pooling net, a gap within two "
                "standard errors).")
def allconv_numbers(nb):
    guided, guided_pool = score(nb, ALLCONV, "guided"), score(nb, SCORES, "guided")
    assert (guided[0], guided_pool[0], guided[2], guided_pool[2]) == (0.47, 0.44, 0.60, 0.66)
    grad, grad_pool = score(nb, ALLCONV, "gradient"), score(nb, SCORES, "gradient")
    assert grad[0] == grad_pool[0] == 0.37 and (grad[2], grad_pool[2]) == (0.56, 0.50)
    assert level(grad[2], grad[3], grad_pool[2], grad_pool[3])


@REGISTER.claim("Neither comes near the edge map's 80% on the pointing game.")
def allconv_below_edges(nb):
    edge = score(nb, ALLCONV, EDGE)
    assert edge[2] == 0.80
    for m in ("gradient", "guided"):
        assert above(edge[2], edge[3], *score(nb, ALLCONV, m)[2:]), m


@REGISTER.claim("The deconvnet is level with the random map (27% of the mass and 27% of the points, against 25%)")
def allconv_deconvnet_at_chance(nb):
    d, base = score(nb, ALLCONV, "deconvnet"), score(nb, ALLCONV, RANDOM)
    assert (d[0], d[2], base[0], base[2]) == (0.27, 0.27, 0.25, 0.25)
    assert level(d[0], d[1], base[0], base[1]) and level(d[2], d[3], base[2], base[3])


@REGISTER.claim("without pooling switches, nothing in the deconvnet's backward pass ties its picture to the input image.")
def nothing_ties_the_deconvnet(nb):
    assert one(nb, "2a652fd0", r"all-conv net: .* differ by at most ([\d.e-]+)") == 0


# ---------------------------------------------------------------- the sanity check
@REGISTER.claim("Now every method, 30 test images, and the whole cascade:")
def thirty_images(nb):
    assert one(nb, CASCADE, r"mean over (\d+) images") == 30


@REGISTER.claim("Our small net agrees.")
def our_net_agrees(nb):
    stages = ["fc2 and above", "fc1 and above", "conv3 and above", "conv2 and above", "conv1 and above"]
    for stage in stages:
        gradient, guided, _, _ = cascade(nb, stage)
        assert guided > gradient + 0.1, stage                 # guided's maps change less at every stage
    assert cascade(nb, "fc2 and above")[0] < 0.6             # the gradient's change with the top layer alone


@REGISTER.claim("With the output layer alone re-drawn, the gradient maps keep a rank correlation of 0.58 with the "
                "trained ones, guided backpropagation's 0.88; with three layers re-drawn (fc2, fc1, conv3), 0.43 "
                "against 0.78.")
def cascade_numbers(nb):
    assert cascade(nb, "fc2 and above")[:2] == (0.58, 0.88)
    assert cascade(nb, "conv3 and above")[:2] == (0.43, 0.78)


@REGISTER.claim("The deconvnet follows the gradient here (0.58 and 0.55 at the same two stages).")
def deconvnet_follows_gradient(nb):
    for stage, value in (("fc2 and above", 0.58), ("conv3 and above", 0.55)):
        gradient, guided, deconvnet, _ = cascade(nb, stage)
        assert deconvnet == value and abs(deconvnet - gradient) < abs(deconvnet - guided), stage


@REGISTER.claim("Occlusion is the most sensitive of all: it only reads the net's output probability, and a net with "
                "a random output layer gives maps unrelated to the trained ones (0.02).")
def occlusion_most_sensitive(nb):
    for stage in ("fc2 and above", "fc1 and above", "conv3 and above", "conv2 and above", "conv1 and above"):
        values = cascade(nb, stage)
        assert values[3] < min(values[:3]) - 0.1, stage
    assert cascade(nb, "fc2 and above")[3] == 0.02


@REGISTER.claim("With every layer random, guided maps still keep 0.32 and gradient maps 0.21: part of what the "
                "gradient rules draw comes from the image, not from anything the net learned.")
def what_survives(nb):
    gradient, guided, deconvnet, occlusion = cascade(nb, "conv1 and above")
    assert (guided, gradient) == (0.32, 0.21)
    assert min(gradient, guided, deconvnet) > 0.15 > occlusion


@REGISTER.claim("Four more draws (seeds 1 to 4; occlusion left out, as it is slow)")
def five_draws(nb):
    for wins, n in nb.all_numbers(DRAWS, r"on (\d+) of (\d+) seeds"):
        assert n == 5


@REGISTER.claim("On every one of the five draws, and at every stage, guided backpropagation's maps stay closer to "
                "the trained net's than the gradient's do, and the one-sided exact test calls it significant at the "
                "5% level at every stage (p = 0.031, the smallest five draws allow).")
def draws_paired(nb):
    gaps = nb.all_numbers(DRAWS, r"(?m)^\w+ and above\s+([-+][\d.]+) ([-+][\d.]+) ([-+][\d.]+) ([-+][\d.]+) ([-+][\d.]+)")
    assert len(gaps) == 5 and all(g > 0 for row in gaps for g in row)
    verdicts = nb.all_numbers(DRAWS, r"guided beats gradient on (\d+) of (\d+) seeds .*?p = ([\d.]+), one-sided")
    assert len(verdicts) == 5 and all(w == n == 5 and p == 0.031 and p <= 0.05 for w, n, p in verdicts)
    assert nb.output(DRAWS).count("significant at the 5% level") == 5


@REGISTER.claim("Guided backpropagation's maps look the most like an edge map (0.47 on average, and closer to the "
                "edges than the gradient's maps on 23 of the 30 images, than the deconvnet's and occlusion's on 28), "
                "and with every weight random they keep a rank correlation of 0.28 with it")
def most_like_edges(nb):
    trained = nb.numbers(EDGES, r"trained net\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)")
    random = nb.numbers(EDGES, r"all layers random\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)")
    assert trained[1] == 0.47 and trained[1] == max(trained) and random[1] == 0.28
    closer = {m: nb.numbers(EDGES, rf"closer to the edges than its {m} maps on (\d+) of (\d+) images")
              for m in ("gradient", "deconvnet", "occlusion")}
    assert closer == {"gradient": (23, 30), "deconvnet": (28, 30), "occlusion": (28, 30)}
    assert all(2 * k > n for k, n in closer.values())          # on most images, against every other method


@REGISTER.claim("Occlusion, which changes the image and reads the net's answer, is the least like an edge map and "
                "the first to notice a broken net.")
def occlusion_least_like_edges(nb):
    trained = nb.numbers(EDGES, r"trained net\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)")
    assert trained[3] == min(trained) and trained[3] < min(trained[:3]) - 0.1
    first = cascade(nb, "fc2 and above")
    assert first[3] < min(first[:3]) - 0.3


@REGISTER.claim("A net with every weight random classifies the shapes at chance (0.075, against 0.100), yet its "
                "maps still beat the random map in every column.")
def random_net_at_chance(nb):
    accuracy, n, chance = nb.numbers(RANDOM_NET, r"random: ([\d.]+) accuracy on the (\d+) test shapes \(chance: ([\d.]+)\)")
    assert (accuracy, chance) == (0.075, 0.100)
    assert abs(accuracy - chance) <= 2 * math.sqrt(chance * (1 - chance) / n)
    base = random_net_row(nb, RANDOM)
    for m in RULES:
        row = random_net_row(nb, f"{m}, random net")
        for k in (0, 2, 4, 6):
            assert above(row[k], row[k + 1], base[k], base[k + 1]), (m, k)


@REGISTER.claim("Its plain gradient points at the object in 46% of the images, level with the trained net's 50%; "
                "guided backpropagation on it puts its maximum on or next to the object in 85% of the images (the "
                "trained net: 98%).")
def random_net_numbers(nb):
    rand, trained = random_net_row(nb, "gradient, random net"), random_net_row(nb, "gradient, trained")
    assert (rand[2], trained[2]) == (0.46, 0.50) and level(rand[2], rand[3], trained[2], trained[3])
    assert (random_net_row(nb, "guided, random net")[6], random_net_row(nb, "guided, trained")[6]) == (0.85, 0.98)
    assert trained == score(nb, SCORES, "gradient") + score(nb, NEAR, "gradient")   # the same maps as the table


@REGISTER.claim("Training does show in the scores: in 10 of the 12 columns the trained net scores higher than the "
                "random one by more than two standard errors.")
def training_shows(nb):
    higher = 0
    for m in RULES:
        trained, rand = random_net_row(nb, f"{m}, trained"), random_net_row(nb, f"{m}, random net")
        higher += sum(above(trained[k], trained[k + 1], rand[k], rand[k + 1]) for k in (0, 2, 4, 6))
    assert higher == 10


@REGISTER.claim("But the edge map, with no net at all, scores at least as high as any of them in every column.")
def edge_at_least_as_high(nb):
    edge = random_net_row(nb, EDGE)
    for m in RULES:
        for who in ("trained", "random net"):
            row = random_net_row(nb, f"{m}, {who}")
            assert all(edge[k] >= row[k] for k in (0, 2, 4, 6)), (m, who)


# ---------------------------------------------------------------- 4. class models
@REGISTER.claim("On the blank image every score lies between -2.8 and 3.0; after 100 steps each class scores above "
                "100 and the net is sure of every image (p = 1.000, printed to three decimals).")
def class_model_scores(nb):
    rows = nb.all_numbers("0f7542ca", r"S_c\s+([-\d.]+) on the blank image,\s+([\d.]+) after 100 steps; "
                                      r"penalty ([\d.]+); p\(\w+\) = ([\d.]+)")
    assert len(rows) == 10
    blank = [r[0] for r in rows]
    assert round(min(blank), 1) == -2.8 and round(max(blank), 1) == 3.0
    assert min(r[1] for r in rows) > 100 and all(r[3] == 1.0 for r in rows)


@REGISTER.claim("At λ = 0.001 the L2 penalty (0.055 to 0.182) is tiny next to the scores, and so is its gradient "
                "next to the score's (0.03% to 0.18% of its length), so at this strength it barely holds the ascent "
                "back.")
def penalty_tiny(nb):
    rows = nb.all_numbers("0f7542ca", r"([\d.]+) after 100 steps; penalty ([\d.]+)")
    penalties = [r[1] for r in rows]
    assert (min(penalties), max(penalties)) == (0.055, 0.182)
    assert max(penalties) / min(r[0] for r in rows) < 0.01
    low, high = nb.numbers("0f7542ca", r"the score's, at the final images: ([\d.]+)% to ([\d.]+)%")
    assert (low, high) == (0.03, 0.18) and high < 1


@REGISTER.claim("The clipping to [0, 1] is what bounds the pixels (after step 99, 10% of the pixel values sit at 0 or "
                "1)")
def clipping_bounds(nb):
    step, percent = nb.numbers("0f7542ca", r"after step (\d+): (\d+)% of the pixel values held at 0 or 1")
    assert (step, percent) == (99, 10)


@REGISTER.claim("every model is again classified with p = 1.000")
def digit_models_sure(nb):
    ps = nb.all_numbers("ff42ba6d", r"(\d\.\d{3})")
    assert len(ps) == 10 and all(p == 1.0 for (p,) in ps)


# ---------------------------------------------------------------- 5. inversion
@REGISTER.claim("The code error is the square root of the first term at the end")
def code_error_is_the_root(nb):
    code_term = one(nb, "b181da1a", r"pool2: ([\d.]+) \(code\)")     # printed to 4 decimals
    code_error = inversion(nb)["pool2"][0]                                 # printed to 3 decimals
    low, high = math.sqrt(code_term - 5e-5), math.sqrt(code_term + 5e-5)
    assert low < code_error + 5e-4 and code_error - 5e-4 < high


@REGISTER.claim("The original image itself would cost more, four times the reconstruction's objective: its red "
                "disc and dark green background lie far from grey and pay a large α-norm")
def original_costs_more(nb):
    code, alpha, tv, total, last = nb.numbers(
        "b181da1a", r"pool2: ([\d.]+) \(code\) \+ ([\d.]+) \(alpha-norm\) \+ ([\d.]+) \(TV\) = ([\d.]+); "
                    r"the optimiser's last objective: ([\d.]+)")
    o_alpha, o_tv, o_total = nb.numbers(
        "b181da1a", r"original image: 0 \(code\) \+ ([\d.]+) \(alpha-norm\) \+ ([\d.]+) \(TV\) = ([\d.]+)")
    assert abs(code + alpha + tv - total) < 2e-4 and total == last
    assert round(o_total / total) == 4 and o_alpha > 10 * alpha and o_alpha > 0.5 * o_total


@REGISTER.claim("Many images have almost the same code; the two regularizers pick natural-looking ones among them.")
def same_code_other_image(nb):
    # from relu4 the reconstruction matches the code to 1% and is no closer to the image than blank grey
    code, image = inversion(nb)["relu4"]
    assert code <= 0.01 and image >= 1.0


@REGISTER.claim("The codes are matched to within 18% of their length at every layer (code errors from 0.18 at "
                "conv1 down to 0.01 at relu4).")
def codes_matched(nb):
    inv = inversion(nb)
    codes = [v[0] for v in inv.values()]
    assert round(max(codes), 2) == 0.18 and round(min(codes), 2) == 0.01 and max(codes) <= 0.18
    assert max(inv, key=lambda layer: inv[layer][0]) == "conv1" and min(inv, key=lambda layer: inv[layer][0]) == "relu4"


@REGISTER.claim("From conv1 and relu1 the image comes back nearly whole (image error 0.23 and 0.24)")
def first_layers_whole(nb):
    inv = inversion(nb)
    assert (inv["conv1"][1], inv["relu1"][1]) == (0.23, 0.24)


@REGISTER.claim("after pool1 the error doubles to 0.50")
def pool1_doubles(nb):
    inv = inversion(nb)
    assert inv["pool1"][1] == 0.50 and 1.8 < inv["pool1"][1] / inv["relu1"][1] < 2.2


@REGISTER.claim("By conv3 and relu3 (0.89, 0.96) the colours have faded")
def conv3_relu3(nb):
    inv = inversion(nb)
    assert (inv["conv3"][1], inv["relu3"][1]) == (0.89, 0.96)


@REGISTER.claim("From pool3 on the error is about 1")
def pool3_on(nb):
    inv = inversion(nb)
    assert all(0.95 <= inv[layer][1] <= 1.05 for layer in ("pool3", "fc1", "relu4", "fc2"))


@REGISTER.claim("On our small net the image comes back close (image error under 0.25) from the first conv layer and "
                "its ReLU only; from pool1 on the error is 0.50 or more.")
def close_only_first(nb):
    inv = inversion(nb)
    layers = list(inv)
    assert all(inv[layer][1] < 0.25 for layer in layers[:2])
    assert all(inv[layer][1] >= 0.50 for layer in layers[2:]) and layers[2] == "pool1"


# ---------------------------------------------------------------- 6. the all-conv net
@REGISTER.claim("Our twin replaces each 2x2 max pool of the shapes net by a 2x2 convolution of stride 2 with as many "
                "filters as channels, followed by a ReLU")
def the_twin(nb):
    pooling, allconv = nb.output("2a26b4ff").splitlines()[:2]
    pools = nb.all_numbers("2a26b4ff", r"CONV3-(\d+) RELU POOL(\d)")
    strided = nb.all_numbers("2a26b4ff", r"CONV3-(\d+) RELU CONV(\d)-(\d+)/S(\d) RELU")
    assert len(pools) == len(strided) == 3 == pooling.count("POOL2") and "POOL" not in allconv
    for (c, size), (c2, f, filters, stride) in zip(pools, strided):
        assert size == f == stride == 2 and filters == c == c2


@REGISTER.claim("Over three seeds the all-convolutional twin reaches 98.63% ± 0.58 test accuracy, the max-pooling "
                "net 97.90% ± 1.22 (mean ± standard deviation over the seeds).")
def allconv_accuracy(nb):
    pool = nb.numbers("c97de5b1", r"shapes_convnet\s+([\d.]+)% ± ([\d.]+)")
    allconv = nb.numbers("c97de5b1", r"shapes_allconv\s+([\d.]+)% ± ([\d.]+)")
    assert allconv == (98.63, 0.58) and pool == (97.90, 1.22)
    seeds = nb.all_numbers("c97de5b1", r"seed \d+: ([\d.]+)% with max pooling, ([\d.]+)% all-conv")
    assert len(seeds) == 3
    # the ± is the standard deviation of the seeds' accuracies (ddof=1), not a standard error
    for k, (mean, spread) in enumerate((pool, allconv)):
        values = [row[k] for row in seeds]
        assert abs(sum(values) / 3 - mean) < 0.06
        assert abs(statistics.stdev(values) - spread) < 0.06


@REGISTER.claim("Seed by seed the difference is +2.0, -1.0 and +1.2 points: the all-conv twin is ahead on 2 of the 3 "
                "seeds, by 0.7 points on average, with an exact p of 0.5.")
def allconv_paired(nb):
    diffs = [d for (d,) in nb.all_numbers("c97de5b1", r"difference ([-+][\d.]+) points")]
    assert diffs == [2.0, -1.0, 1.2]
    wins, n, mean, p = nb.numbers("d2c6e8a4", r"all-conv beats max pooling on (\d+) of (\d+) seeds by ([\d.]+) on "
                                              r"average \(exact sign-flip p = ([\d.]+)\)")
    assert (wins, n, p) == (2, 3, 0.5) and round(100 * mean, 1) == 0.7


@REGISTER.claim("Three seeds cannot show a difference at the 5% level in either direction (the smallest p they allow "
                "is 0.25).")
def three_seeds_cannot(nb):
    lines = nb.all_numbers("d2c6e8a4", r"(\d+) seeds cannot show a difference at the (\d+)% level \(the smallest p "
                                       r"is ([\d.]+)\)")
    assert len(lines) == 2 and all(n == 3 and level_ == 5 and p == 0.25 > 0.05 for n, level_, p in lines)


@REGISTER.claim("the twin was not worse on average (+0.7 points; behind on one seed, by 1.0 point), but three seeds "
                "can show neither a loss nor a gain.")
def not_worse_on_average(nb):
    mean = one(nb, "2f56139a", r"all-conv minus max pooling: ([-+][\d.]+) points on average")
    diffs = [d for (d,) in nb.all_numbers("c97de5b1", r"difference ([-+][\d.]+) points")]
    assert mean == 0.7 and [d for d in diffs if d < 0] == [-1.0]
    p = one(nb, "d2c6e8a4", r"all-conv beats max pooling .*?p = ([\d.]+)")
    assert p > 0.05


@REGISTER.claim("The twin has 9,296 more parameters (+19%).")
def more_parameters(nb):
    more, percent = nb.numbers("2f56139a", r"([\d,]+) more parameters \(\+(\d+)%\)")
    pool, allconv = (p for (p,) in nb.all_numbers("c97de5b1", r"\.\.[\d.]+\s+([\d,]+)"))
    assert more == allconv - pool == 9296 and percent == round(100 * (allconv / pool - 1)) == 19


@REGISTER.claim("Its CPU time per epoch was 6% higher on average but lower on one of the three seeds, measured on a "
                "shared machine whose load average stood at 6 to 7")
def cpu_time(nb):
    assert one(nb, "2f56139a", r"CPU time per epoch \+(\d+)%") == 6
    wins, n = nb.numbers("d2c6e8a4", r"max pooling beats all-conv on (\d+) of (\d+) seeds")
    assert (n - wins, n) == (1, 3)
    before, after = nb.numbers("c97de5b1", r"load average ([\d.]+) before, ([\d.]+) after")
    assert 6 <= before <= after < 7


@REGISTER.claim("and the paired test cannot tell the timings apart either.")
def timings_not_apart(nb):
    p, n = nb.numbers("d2c6e8a4", r"max pooling beats all-conv .*?p = ([\d.]+)\): (\d+) seeds cannot show")
    assert p > 0.05 and n == 3


@REGISTER.claim("Notebook 05 tried a similar swap (4x4 convolutions of stride 2 in a smaller net) for 48 updates on "
                "one seed, too short to tell the two apart")
def notebook05_swap(nb):
    # notebook 05's own run (its cell 98b58f62): both nets, 48 updates each, and the max-pooling net there is
    # smaller than ours; its own text says one seed and 48 updates cannot tell design from seed
    runs = NB05.all_numbers("98b58f62", r"([\d,]+) parameters, (\d+) updates")
    assert len(runs) == 2 and all(updates == 48 for _, updates in runs)
    ours = nb.numbers("c97de5b1", r"shapes_convnet\s+[\d.]+% ± [\d.]+\s+[\d.]+\.\.[\d.]+\s+([\d,]+)")[0]
    assert runs[0][0] < ours


# ---------------------------------------------------------------- 3b. deletion and insertion
DEMO = "b26d0002"            # one image, two orders
RECORD = "b26d0007"          # the shipped record, recomputed on three images
FTABLE = "b26d0008"          # areas beside the mask scores
PAIRS = "b26d0010"           # image by image
EDGE_ROW, RANDOM_ORDER = "edge map (no net)", "random map (random order)"
ROWS9 = ("gradient", "guided", "deconvnet", "occlusion", EDGE_ROW, RANDOM_ORDER,
         "gradient, random net", "guided, random net", "deconvnet, random net")


def game(nb, name):
    """(deletion after 64, 128, 256, 512 pixels, deletion area, insertion ..., insertion area) of the demo."""
    return nb.numbers(DEMO, rf"{re.escape(name)}: deletion ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+), area ([\d.]+);  "
                            rf"insertion ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+), area ([\d.]+)")


def areas(nb, row):
    """(mass, pointing, del mean, se, q25, q75, ins mean, se, q25, q75) of a row of the table."""
    q = r"([\d.]+) ± ([\d.]+) \[([\d.]+), ([\d.]+)\]"
    return nb.numbers(FTABLE, rf"(?m)^{re.escape(row)}\s+([\d.]+)\s+([\d.]+)\s+{q}\s+{q}$")


def against_random(nb, row):
    """(del lower, n, del diff, se, ins higher, n, ins diff, se) of a row against the random order."""
    return nb.numbers(PAIRS, rf"(?m)^{re.escape(row)}\s+deletion: lower on\s+(\d+) of (\d+), ([-+\d.]+) ± ([\d.]+);"
                             rf"\s+insertion: higher on\s+(\d+) of (\d+), ([-+\d.]+) ± ([\d.]+)$")


def pair(nb, a, b):
    """(del diff, se, lower, n, ins diff, se, higher, n) of a - b."""
    return nb.numbers(PAIRS, rf"{re.escape(a)} - {re.escape(b)}: deletion ([-+\d.]+) ± ([\d.]+) \(lower on (\d+) of "
                             rf"(\d+)\); insertion ([-+\d.]+) ± ([\d.]+) \(higher on (\d+) of (\d+)\)")


def beyond(diff, se):
    return abs(diff) > 2 * se


@REGISTER.claim("Ours takes the value the net reads as nothing, the mean it subtracts from every input "
                "(`input_mean`), so that the pixel enters the net as 0: the grey of the occlusion patch.")
def fill_is_the_mean(nb):
    fill, mean = nb.numbers(DEMO, r"takes the value ([\d.]+): net.input_mean = ([\d.]+)")
    assert fill == mean == 0.5
    assert "patch of grey 0.5" in nb.markdown("95c6f5f4") or "grey 0.5" in squash_md(nb, "95c6f5f4")


def squash_md(nb, cell):
    return " ".join(nb.markdown(cell).split())


@REGISTER.claim("We change 8 pixels per step, the three colour values of a pixel at once.")
def eight_per_step(nb):
    readings, pixels, step = nb.numbers(DEMO, r"(\d+) readings per game \((\d+) pixels, (\d+) per step\)")
    assert step == 8 and readings == pixels / step + 1


@REGISTER.claim("Put back in the order of the gradient map, 256 of the image's 1,024 pixels on the grey image are "
                "enough for the net to say ring (p = 0.985), and the insertion area is 0.85; in a random order, the "
                "net does not say ring with half of them back (p = 0.000), and the area is 0.28.")
def ring_insertion(nb):
    g, r = game(nb, "gradient"), game(nb, "random order")
    assert g[7] == 0.985 and round(g[9], 2) == 0.85
    assert r[8] == 0.0 and round(r[9], 2) == 0.28
    assert "p(ring) after 64, 128, 256, 512 pixels" in nb.output(DEMO)


@REGISTER.claim("Deletion barely tells the two orders apart (areas 0.22 and 0.25): with 512 pixels gone, the ring is "
                "lost in either order.")
def ring_deletion(nb):
    g, r = game(nb, "gradient"), game(nb, "random order")
    assert (round(g[4], 2), round(r[4], 2)) == (0.22, 0.25)
    assert abs(g[4] - r[4]) < (g[9] - r[9]) / 10 and abs(g[4] - r[4]) < 0.05    # next to insertion's 0.57
    assert g[3] == r[3] == 0.0


@REGISTER.claim("Its answers there need not be steady, and they are not: the gradient's insertion curve passes 0.9 "
                "after 144 pixels, falls back to 0.49 after 320 and climbs again.")
def ring_dip(nb):
    up, low, at = nb.numbers(DEMO, r"passes 0.9 after (\d+) pixels, then falls back to ([\d.]+) \(after (\d+)\)")
    assert (up, low, at) == (144, 0.49, 320)
    assert game(nb, "gradient")[8] == 1.0           # and it climbs again: 1.000 after 512


@REGISTER.claim("the blank grey image is not neutral to the net, which calls it a bar with p = 0.703, so a bar's "
                "insertion curve starts high, whatever the map.")
def blank_is_a_bar(nb):
    p = nb.value(DEMO, r"the blank image itself is a bar to the net: p\(bar\) = ([\d.]+)")
    assert p == 0.703 and p > 0.5


@REGISTER.claim("that is 9 rows times 200 images times 2 games times 129 readings: 464,400 forward passes.")
def forward_passes(nb):
    readings = nb.value(RECORD, r"the record: (\d+) readings per game")
    images = nb.value(FTABLE, r"\((\d+) test shapes;")
    assert len(re.findall(r"(?m)^\S.*\]$", nb.output(FTABLE))) == 9
    assert 9 * images * 2 * readings == 464400


@REGISTER.claim("ran them once and wrote a record; this notebook reads it, after recomputing three images of every "
                "row from the maps made above")
def record_recomputed(nb):
    a, b, c, worst = nb.numbers(RECORD, r"test images \[(\d+), (\d+), (\d+)\], recomputed here for all 9 rows and "
                                        r"both games: largest difference ([\d.]+)")
    assert len({a, b, c}) == 3 and worst == 0.0


@REGISTER.claim("Occlusion comes first in both games (deletion 0.17, insertion 0.63)")
def occlusion_first(nb):
    occ = areas(nb, "occlusion")
    assert (occ[2], occ[6]) == (0.17, 0.63)
    # the nearest rivals, image by image: the gradient on deletion, the edge map on insertion
    d = pair(nb, "occlusion", "gradient")
    assert d[0] < 0 and -d[0] > 2 * d[1] and d[4] > 2 * d[5]
    e = pair(nb, "occlusion", EDGE_ROW)
    assert -e[0] > 2 * e[1] and e[4] > 2 * e[5]
    for row in ROWS9:
        if row != "occlusion":
            other = areas(nb, row)
            assert other[2] - occ[2] > 2 * math.hypot(other[3], occ[3])
            assert occ[6] - other[6] > 2 * math.hypot(other[7], occ[7])


@REGISTER.claim("After it, the insertion areas come in the order of the mass inside the masks: the edge map (0.46), "
                "guided backpropagation (0.39), the gradient (0.35) and the deconvnet (0.34), the last two close in both.")
def insertion_follows_mass(nb):
    maps = ("occlusion", EDGE_ROW, "guided", "gradient", "deconvnet")
    mass = {m: areas(nb, m)[0] for m in maps}
    ins = {m: areas(nb, m)[6] for m in maps}
    assert sorted(maps, key=mass.get, reverse=True) == sorted(maps, key=ins.get, reverse=True) == list(maps)
    assert [ins[m] for m in maps[1:]] == [0.46, 0.39, 0.35, 0.34]
    g, d = areas(nb, "gradient"), areas(nb, "deconvnet")
    assert level(g[0], 0.01, d[0], 0.01) and level(g[6], g[7], d[6], d[7])   # mass inside printed to 0.01


@REGISTER.claim("Every map beats the random order (0.21) on insertion, the gradient on 172 of the 200 images by 0.138 ± 0.010, "
                "and each backward rule on the trained net beats the same rule on the random net, by 0.08 to 0.10 (on "
                "140 to 151 of the 200 images): insertion sees what training added.")
def insertion_beats_controls(nb):
    assert areas(nb, RANDOM_ORDER)[6] == 0.21
    for row in ROWS9:
        if row != RANDOM_ORDER:
            r = against_random(nb, row)
            assert r[6] > 2 * r[7], row
    g = against_random(nb, "gradient")
    assert (g[4], g[5], g[6], g[7]) == (172, 200, 0.138, 0.010)
    gaps, wins = [], []
    for rule in RULES:
        d = pair(nb, rule, f"{rule}, random net")
        assert d[4] > 2 * d[5]
        gaps.append(d[4])
        wins.append(d[6])
    assert round(min(gaps), 2) == 0.08 and round(max(gaps), 2) == 0.10 and (min(wins), max(wins)) == (140, 151)


@REGISTER.claim("But the edge map, which knows no net, comes second (0.46), ahead of guided backpropagation by "
                "0.067 ± 0.014 and so of every backward rule.")
def edge_second_on_insertion(nb):
    ins = {row: areas(nb, row)[6] for row in ROWS9}
    assert ins[EDGE_ROW] == 0.46 and sorted(ins, key=ins.get, reverse=True)[:2] == ["occlusion", EDGE_ROW]
    d = pair(nb, EDGE_ROW, "guided")
    assert (d[4], d[5]) == (0.067, 0.014) and d[4] > 2 * d[5]
    assert pair(nb, "guided", "gradient")[4] > 0 and pair(nb, "guided", "deconvnet")[4] > 0


@REGISTER.claim("The random order (0.22) is level with the gradient (-0.015 ± 0.014) and better than guided "
                "backpropagation (+0.080 ± 0.018), the deconvnet (+0.043 ± 0.014) and the edge map (+0.089 ± 0.015); "
                "only occlusion beats it (-0.057 ± 0.022, on 115 of the 200 images).")
def deletion_random_order(nb):
    assert areas(nb, RANDOM_ORDER)[2] == 0.22
    g = against_random(nb, "gradient")
    assert (g[2], g[3]) == (-0.015, 0.014) and not beyond(g[2], g[3])
    for row, shown in (("guided", (0.080, 0.018)), ("deconvnet", (0.043, 0.014)), (EDGE_ROW, (0.089, 0.015))):
        r = against_random(nb, row)
        assert (r[2], r[3]) == shown and r[2] > 2 * r[3]
    beaten = [row for row in ROWS9 if row != RANDOM_ORDER and -against_random(nb, row)[2] > 2 * against_random(nb, row)[3]]
    assert beaten == ["occlusion"]
    o = against_random(nb, "occlusion")
    assert (o[2], o[3], o[0], o[1]) == (-0.057, 0.022, 115, 200)


@REGISTER.claim("Deletion orders the maps otherwise, and finds almost none better than a random order.")
def deletion_separates_little(nb):
    maps = ("occlusion", EDGE_ROW, "guided", "gradient", "deconvnet")
    by_deletion = sorted(maps, key=lambda m: areas(nb, m)[2])
    by_insertion = sorted(maps, key=lambda m: -areas(nb, m)[6])
    assert by_deletion != by_insertion and by_deletion[1:] != by_insertion[1:]
    # of the eight maps against the random order, only one (occlusion) is better by more than two standard errors
    better = sum(-against_random(nb, row)[2] > 2 * against_random(nb, row)[3] for row in ROWS9 if row != RANDOM_ORDER)
    assert better == 1


@REGISTER.claim("The two maps that win the pointing game, the edge map and guided backpropagation, have the two largest "
                "deletion areas (0.31 and 0.30).")
def pointing_winners_last_on_deletion(nb):
    pointing = {row: areas(nb, row)[1] for row in ROWS9}
    deletion = {row: areas(nb, row)[2] for row in ROWS9}
    assert sorted(pointing, key=pointing.get, reverse=True)[:2] == [EDGE_ROW, "guided"]
    assert sorted(deletion, key=deletion.get, reverse=True)[:2] == [EDGE_ROW, "guided"]
    assert (deletion[EDGE_ROW], deletion["guided"]) == (0.31, 0.30)


@REGISTER.claim("Deletion cannot tell the trained net's gradient maps from the random net's (-0.006 ± 0.011), and it "
                "puts the trained net's guided and deconvnet maps behind the random net's (+0.045 ± 0.013 and "
                "+0.032 ± 0.012).")
def deletion_blind_to_training(nb):
    d = pair(nb, "gradient", "gradient, random net")
    assert (d[0], d[1]) == (-0.006, 0.011) and not beyond(d[0], d[1])
    for rule, shown in (("guided", (0.045, 0.013)), ("deconvnet", (0.032, 0.012))):
        d = pair(nb, rule, f"{rule}, random net")
        assert (d[0], d[1]) == shown and d[0] > 2 * d[1], rule          # a larger deletion area: worse


@REGISTER.claim("The single images spread widely around these means: between its quartiles, the random order's "
                "deletion area runs from 0.06 to 0.24 and the gradient's insertion area from 0.13 to 0.48.")
def spread_of_images(nb):
    r, g = areas(nb, RANDOM_ORDER), areas(nb, "gradient")
    assert (r[4], r[5]) == (0.06, 0.24) and (g[8], g[9]) == (0.13, 0.48)
    assert r[5] - r[4] > 5 * r[3] and g[9] - g[8] > 5 * g[7]      # far wider than the means' standard errors


@REGISTER.claim("The mean insertion curves of the edge map and the backward rules do not rise steadily either: they "
                "reach a first peak after 12% to 18% of the pixels, fall back to between 0.20 and 0.32 at half, and "
                "end at 0.96 with every pixel back")
def insertion_humps(nb):
    found = [nb.numbers(PAIRS, rf"{re.escape(row)}: the mean insertion curve reaches ([\d.]+) after (\d+)% of the "
                               rf"pixels \(its highest point in the first half\), is down to ([\d.]+) at 50%, ends at "
                               rf"([\d.]+)") for row in ("gradient", "guided", "deconvnet", EDGE_ROW)]
    assert min(f[1] for f in found) == 12 and max(f[1] for f in found) == 18
    assert min(f[2] for f in found) == 0.20 and max(f[2] for f in found) == 0.32
    assert all(peak > half and end == 0.96 and end > peak for peak, _, half, end in found)


@REGISTER.claim("They never consult the net, and the edge map, which knows none, wins the pointing game and is level "
                "with the best map on mass inside.")
def edge_on_the_masks(nb):
    edge = score(nb, SCORES, EDGE)
    others = [score(nb, SCORES, m) for m in METHODS]
    assert all(above(edge[2], edge[3], o[2], o[3]) for o in others)
    best = max(others, key=lambda o: o[0])
    assert level(edge[0], edge[1], best[0], best[1]) and edge[0] >= max(o[0] for o in others if o is not best)


@REGISTER.claim("On our net, grey pixels scattered in a random order break the answer as fast as the gradient's order "
                "does, and faster than the orders of the edge map, guided backpropagation and the deconvnet, so "
                "deletion calls no map but occlusion better than chance here.")
def deletion_says_little(nb):
    g = against_random(nb, "gradient")
    assert not beyond(g[2], g[3])
    for row in (EDGE_ROW, "guided", "deconvnet"):
        r = against_random(nb, row)
        assert r[2] > 2 * r[3], row                                  # the random order's area is smaller
    better = [row for row in ROWS9 if row != RANDOM_ORDER and -against_random(nb, row)[2] > 2 * against_random(nb, row)[3]]
    assert better == ["occlusion"]


@REGISTER.claim("and on our shapes the outline does that well: the edge map comes second without knowing the net, and "
                "the other maps come in the order of their mass inside the masks.")
def edge_second_again(nb):
    ins = {row: areas(nb, row)[6] for row in ROWS9}
    assert sorted(ins, key=ins.get, reverse=True)[1] == EDGE_ROW
    maps = ("occlusion", EDGE_ROW, "guided", "gradient", "deconvnet")
    assert sorted(maps, key=lambda m: -areas(nb, m)[0]) == sorted(maps, key=lambda m: -areas(nb, m)[6])


@REGISTER.claim("So insertion can rank a map above its controls (the random order, the same rule on the random net), "
                "and it cannot tell whether a map that ranks well came from the net.")
def insertion_tells_useful(nb):
    for rule in RULES:
        assert against_random(nb, rule)[6] > 2 * against_random(nb, rule)[7]
        d = pair(nb, rule, f"{rule}, random net")
        assert d[4] > 2 * d[5]
    d = pair(nb, EDGE_ROW, "guided")           # the map that knows no net does better than the best rule
    assert d[4] > 2 * d[5]


@REGISTER.claim("Of the three backward rules its maps look the sharpest, put the most mass on the object (0.44), and do "
                "best on insertion (0.39, ahead of the gradient by 0.042 ± 0.012 and of the deconvnet by 0.052 ± 0.009), "
                "though worst on deletion (0.30, behind the gradient by 0.095 ± 0.011).")
def guided_best_rule(nb):
    assert areas(nb, "guided")[2] == 0.30 and areas(nb, "guided")[2] == max(areas(nb, r)[2] for r in RULES)
    d = pair(nb, "guided", "gradient")
    assert (d[0], d[1]) == (0.095, 0.011) and d[0] > 2 * d[1]
    assert pair(nb, "guided", "deconvnet")[0] > 2 * pair(nb, "guided", "deconvnet")[1]
    guided = score(nb, SCORES, "guided")
    assert guided[0] == 0.44
    for m in ("gradient", "deconvnet"):
        o = score(nb, SCORES, m)
        assert above(guided[0], guided[1], o[0], o[1])
    assert areas(nb, "guided")[6] == 0.39
    for other, shown in (("gradient", (0.042, 0.012)), ("deconvnet", (0.052, 0.009))):
        d = pair(nb, "guided", other)
        assert (d[4], d[5]) == shown and d[4] > 2 * d[5]


@REGISTER.claim("Yet with every weight random its maps keep a rank correlation of 0.32 with the trained net's, and the "
                "random net's guided maps still point at the object in 58% of the images and beat the random order on "
                "insertion (+0.082 ± 0.009).")
def guided_random_net(nb):
    assert cascade(nb, "conv1 and above")[1] == 0.32
    assert areas(nb, "guided, random net")[1] == 0.58
    assert random_net_row(nb, "guided, random net")[2] == 0.58
    r = against_random(nb, "guided, random net")
    assert (r[6], r[7]) == (0.082, 0.009) and r[6] > 2 * r[7]


@REGISTER.claim("with every weight random, guided maps keep a rank correlation of 0.28 with the image's edge map "
                "(above).")
def guided_random_edges(nb):
    rows = nb.numbers(EDGES, r"(?m)^all layers random\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)$")
    assert rows[1] == 0.28 and rows[1] == max(rows)


@REGISTER.claim("So part of what makes the picture sharp is the image's own outline, which a net with random weights "
                "draws too.")
def outline_drawn_by_a_random_net(nb):
    trained = nb.numbers(EDGES, r"(?m)^trained net\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)$")
    rand = nb.numbers(EDGES, r"(?m)^all layers random\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)$")
    assert rand[1] > 0.2 and rand[1] > trained[1] / 2          # more than half of the trained maps' likeness to edges
    assert random_net_row(nb, "guided, random net")[6] > 2 * random_net_row(nb, RANDOM)[6]   # on or next to the object


@REGISTER.claim("Every backward rule beats the first two here, and none beats the edge map.")
def rules_against_controls(nb):
    edge = areas(nb, EDGE_ROW)
    for rule in RULES:
        r = against_random(nb, rule)
        assert r[6] > 2 * r[7], rule
        d = pair(nb, rule, f"{rule}, random net")
        assert d[4] > 2 * d[5], rule
        own = areas(nb, rule)
        assert edge[6] - own[6] > 2 * math.hypot(edge[7], own[7]), rule    # the edge map is ahead of each


@REGISTER.claim("Occlusion beats the random order and the edge map (+0.418 ± 0.016 and +0.171 ± 0.017), and its maps "
                "were the first to change in the randomization test (0.02 with the output layer re-drawn), though these "
                "games reward it almost by construction.")
def occlusion_passes_both(nb):
    r, e = against_random(nb, "occlusion"), pair(nb, "occlusion", EDGE_ROW)
    assert (r[6], r[7]) == (0.418, 0.016) and r[6] > 2 * r[7]
    assert (e[4], e[5]) == (0.171, 0.017) and e[4] > 2 * e[5]
    first = cascade(nb, "fc2 and above")
    assert first[3] == 0.02 and first[3] < min(first[:3]) - 0.3


@REGISTER.claim("Petsiuk et al.'s code follows the class the net predicts, another one on 5 of our 200 test shapes")
def predicted_class(nb):
    wrong, n = nb.numbers(RECORD, r"the net predicts another on (\d+) of the (\d+) test shapes")
    assert (wrong, n) == (5, 200)


NOT_CLAIMS = REGISTER.not_claims([
    ("The gradient of a class score with respect to the pixels says which pixels would change the score most",
     "what a gradient is (a definition)"),
    ("S_c(I) ≈ S_c(I0) + w · (I - I0)", "the first-order expansion itself (a formula); its accuracy is claimed above"),
    ("so the size of w at a pixel says how much a small change there moves the score",
     "what the gradient means, and how class_score_gradient computes it (its source is shown below)"),
    ("Here is the approximation at work on the first test image",
     "describes the next cell (eps, the direction, the kinks it counts)"),
    ("The saliency map keeps, at every pixel, the largest absolute value of w",
     "the definition of the map (saliency_map's source is shown in the next cell)"),
    ("Zeiler and Fergus's *deconvnet* (2013, section 2.1)", "the deconvnet rule's definition, with its source"),
    ("Springenberg et al. block the negative ones because they come from units",
     "the paper's reason for its rule (its section 3.4), reported; the rule itself is shown on six numbers above"),
    ("Their networks and photographs were far larger than ours, and our regularizers have one weighting",
     "the paper's setting against ours (invert_layers' defaults), which says what the comparison can show"),
    ("Springenberg et al. introduced guided backpropagation on a net with no max pooling at all",
     "a fact about the paper (its nets), not a measurement of ours"),
    ("(1 or 0; when several pixels tie for the largest value, they share the point)",
     "the definition of the pointing game's score"),
    ("Two maps that know no net set the bars to beat.",
     "introduces the two baselines; their scores are claimed where the text compares them"),
    ("It gives one probability per position of an 8x8 patch of grey 0.5",
     "the occlusion setting (occlusion_attribution's defaults), its definition and what grey is inside our nets"),
    ("Zhang et al.'s pointing game (2016) forgives a miss by a few pixels (15 on their photographs)",
     "the paper's setting, and the tolerance the next cell uses"),
    ("Adebayo et al. proposed a test", "the test's definition"),
    ("One of their measures of the change is Spearman's rank correlation",
     "the measure's definition (rank_correlation is checked against scipy in tests/test_gradients.py)"),
    ("Adebayo et al. found on Inception v3 (their Figure 2)",
     "the paper's finding, reported; ours is the next sentence's claim (our_net_agrees)"),
    ("An edge detector knows no net at all; here is how much each method's maps agree",
     "introduces the next cell"),
    ("by gradient ascent, starting from the zero image; the L2 penalty keeps the pixels from growing",
     "Simonyan et al.'s method, described"),
    ("Our nets subtract the mean 0.5 themselves", "a property of the nets (input_mean) and the penalty it implies"),
    ("Two more regularizers, used in CS231n's assignment, smooth the images",
     "the settings of class_model (its source is shown below) and where they come from"),
    ("Each step is scaled so that the pixels move by 0.02 on average (root mean square)",
     "the step rule of class_model (its source is shown below)"),
    ("The explorer runs the same ascent for any class of either net", "describes the explorer"),
    ("Try λ = 1, where the penalty competes with the score", "an instruction"),
    ("Given the code φ0 = φ(x0) of an image x0 at some layer", "Mahendran and Vedaldi's objective, defined"),
    ("x* = argmin_x", "a formula"),
    ("it is 1 for an image whose code is all zeros", "arithmetic: ||0 - φ0||² / ||φ0||² = 1"),
    ("The α-norm R_α(x) = Σ |x - 0.5|^α with α = 6 (their choice)",
     "the regularizer's definition, with its arithmetic in the same sentence (0.5⁶, 1, 2⁶)"),
    ("The total variation TV^β(x)", "the regularizer's definition and the paper's choice of β"),
    ("We divide both by the number of pixel values", "our settings (invert_layers' docstring and defaults)"),
    ("Each reconstruction starts from the blank grey image plus a little noise",
     "invert_layers' settings (its defaults)"),
    ("The image error compares the reconstruction with the original", "the measure's definition"),
    ("The objective of the pool2 reconstruction, term by term:", "introduces the next cell"),
    ("Mahendran and Vedaldi's abstract reports", "what the paper's abstract says; ours is the next sentence's claim"),
    ("Springenberg et al. appear in the notes' page on ConvNets",
     "what the notes and the paper's abstract say (the quotations are checked by tests/test_quotes.py)"),
    ("What that costs in accuracy the notes do not say; the paper's abstract says",
     "what the notes and the paper's abstract say, and the paper's setting; our measurement has its own claims"),
    ("**Exercise 1.**", "an exercise's specification"),
    ("The arguments come in the order of CS231n's", "an exercise's specification"),
    ("**Exercise 2.**", "an exercise's specification"),
    ("**Exercise 3.**", "an exercise's specification"),
    ("The exercises at the end are the three loops of CS231n's assignment 3, written by you.",
     "describes the exercises"),
    ("*Deletion* removes the pixels in the map's order", "the deletion game's definition (Petsiuk et al. 2018)"),
    ("If the map ranks first what the net needs, the probability falls at once",
     "what the deletion area means, by its definition"),
    ("The mask scores ask where a map puts its mass; they never ask the net.",
     "what the mask scores are: mass_inside and pointing_hits read a map and a mask, no net"),
    ("Test image 4, the ring of section 1 whose gradient is one choice among several",
     "introduces the next cell (its output names the class); the ring's ties are claimed in section 1"),
    ("The same direction δ from test image 4, a ring, and the 2x2 pooling windows", "introduces the next cell"),
    ("Our max pooling sends the gradient to the first of the equal entries (row by row)",
     "the library's rule for ties (fast_layers.max_pool_forward_fast; tests/test_pooling.py "
     "test_ties_send_the_whole_gradient_to_the_first_maximum)"),
    ("The ring's background is flat: equal pixels give equal outputs of the first layer",
     "why a flat background makes ties (arithmetic of a convolution); the ties are counted in the claims around it"),
    ("In the listing, `contract` is the library's input contract", "describes the listing below"),
    ("In the assignment the step has five arguments", "what the assignment's code does, beside the exercise's setting"),
    ("Here the rolls and the clipping are part of the step", "an exercise's specification"),
    ("The pictures show what the net is asked about on the way",
     "describes the figure above (the test shapes are solid shapes on their backgrounds, with no grey holes)"),
    ("Deletion and insertion consult the net, but through images it never saw",
     "describes the images of the two games (the figure above); the shapes data set has no grey holes"),
    ("**Exercise 4.** The last three exercises are the loops of CS231n's assignment 3",
     "an exercise's specification (the assignment's names and arguments)"),
    ("`compute_saliency_maps(X, y, model)`: X holds N images", "an exercise's specification"),
    ("Return an array of shape (N, H, W): for each image", "an exercise's specification"),
    ("**Exercise 5.**", "an exercise's specification"),
    ("Before each step, stop if the model's highest score is target_y", "an exercise's specification"),
    ("Take at most 100 steps, and do not clip the pixels", "an exercise's specification"),
    ("**Exercise 6.**", "an exercise's specification"),
    ("1. jitter: `I = np.roll(img, (oy, ox), axis=(2, 3))`", "an exercise's specification"),
    ("2. take g, the gradient at I of s(I) - l2_reg", "an exercise's specification"),
    ("3. step up: I + learning_rate * g / sqrt(mean(g²))", "an exercise's specification"),
    ("4. undo the jitter: roll back by (-oy, -ox);", "an exercise's specification"),
    ("5. clip to [0, 1].", "an exercise's specification"),
])

test_claims = REGISTER.tests()
