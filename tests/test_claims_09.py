"""The claims register of notebook 09 (transfer learning): one assertion per sentence that states a
measured relation, read from the executed notebook's outputs or from the shipped result files
(see tests/claims_lib.py). A sentence whose assertion would not hold is rewritten, not the test."""
import re

from claims_lib import ROOT, Notebook, Register, Results, read

NB = Notebook("09")
REGISTER = Register(NB, reads=[
    "data/transfer_grid.json", "data/transfer_layers.json", "data/transfer_lr_sweep.json",
    "data/transfer_split_lr.json", "data/zoo/shapes_half_a.npz", "data/zoo/shapes_half_b.npz",
    "cs231n_lib/recipes/shapes_half_a.py", "cs231n_lib/recipes/shapes_half_b.py",
])
CHANCE_5 = 0.2

# the cells, by a fragment of their source
ZOO = "pretrained.load_pretrained(\"shapes_half_a\")"
SIZES = "training images per class:"
CODES = "codes_train = transfer.cnn_codes(source, similar[\"X_train\"])"
ONE_DRAW = "acc_codes = on_codes.score("
BASELINES = "transfer.codes_baselines(source, seeds)"
HEAD = "he_head = source.with_new_head"
FROZEN = "frozen_before = {key"
RATES = "tuned, rates = transfer.strategy_net"
RECIPE = "grid = transfer.load_results(\"grid\")"
TABLE = "print(transfer.grid_table(grid))"
VERDICTS = "for row in transfer.verdicts(grid):"
C_LARGE = "if r[\"strategy\"] == \"c\":"
LIVE = "live = transfer.run_cell("
LAYERS = "layers = transfer.load_results(\"layers\")"
BOOST = "def boost(variant, first):"
LAYER_PAIRS = "def by_seed(variant, n):"
SWEEP = "sweep = transfer.load_results(\"lr_sweep\")"
SWEEP_PAIRS = "(\"fine-tuned\", \"from scratch\"))"
SPLIT = "split = transfer.load_results(\"split_lr\")"
SPLIT_GRID = "grid_d = {(c[\"size\"]"
SPLIT_VERDICTS = "for row in transfer.split_lr_comparisons(split):"
ONE_RATE_VS_E = "(\"fine-tuned at one rate\", \"(e) from scratch\")"
SCORE_MAP = "scores = transfer.score_map(source, mosaic)[0]"


# ------------------------------------------------------------------------------------ helpers
def single(nb, where, pattern, flags=0):
    """The single number ``pattern`` captures in a cell's output. (claims_lib's ``Notebook.number`` cannot be
    called: the dataclass field ``number``, the notebook's "09", shadows the method.)"""
    values = nb.numbers(where, pattern, flags)
    assert len(values) == 1, f"{pattern!r} captures {len(values)} numbers"
    return values[0]


def beats_line(nb, where, prefix, first, second):
    """As :func:`beats`, for a verdict printed on the line that starts with ``prefix``."""
    line = next((line for line in nb.output(where).splitlines() if line.startswith(prefix)), "")
    m = re.search(re.escape(first) + " beats " + re.escape(second) +
                  r" on (\d+) of (\d+) seeds by ([\d.]+) on average \(exact sign-flip p = ([\d.]+)(, one-sided)?", line)
    if not m:
        raise AssertionError(f"{NB.name}: no verdict '{first} beats {second}' on a line starting {prefix!r}")
    return tuple(read(float(g)) for g in m.groups()[:4]) + (m.group(5) is not None,)


def block(nb, where, header):
    """The indented lines printed under the header line that starts with ``header``."""
    lines = nb.output(where).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith(" "):
            break
        out.append(line)
    return "\n".join(out)


def beats(nb, where, header, first, second):
    """(wins, n, mean difference, p) of the verdict 'FIRST beats SECOND on W of N seeds by D on average
    (exact sign-flip p = P' printed under ``header`` (or anywhere in the output when header is None)."""
    text = nb.output(where) if header is None else block(nb, where, header)
    m = re.search(re.escape(first) + " beats " + re.escape(second) +
                  r" on (\d+) of (\d+) seeds by ([\d.]+) on average \(exact sign-flip p = ([\d.]+)(, one-sided)?", text)
    if not m:
        raise AssertionError(f"{NB.name}: no verdict '{first} beats {second}' under {header!r}:\n{text[:1500]}")
    return tuple(read(float(g)) for g in m.groups()[:4]) + (m.group(5) is not None,)


def table_row(nb, cell, strategy):
    """(mean, std, seeds, train) of the grid table's row for a cell ('small, similar') and strategy."""
    return nb.numbers(TABLE, "^" + re.escape(cell) + r"\s+\(" + strategy +
                      r"\)[^\n]*?(\d\.\d{3}) \+- (\d\.\d{3})\s+(\d+)\s+(\d\.\d\d)$", flags=re.M)


def layer_means(nb, n):
    """(AnB, AnB+, BnB, BnB+) means at n from the printed layer table."""
    return nb.numbers(LAYERS, rf"^{n}  \w+ +(\d\.\d{{3}}) \+-\d\.\d{{3}} +(\d\.\d{{3}}) \+-\d\.\d{{3}} +"
                              rf"(\d\.\d{{3}}) \+-\d\.\d{{3}} +(\d\.\d{{3}}) \+-\d\.\d{{3}}$", flags=re.M)


def layer_pairs(nb, n):
    """((diff, up, down, p) x 3) of the printed paired layer table at n: AnB - baseB, BnB - baseB, AnB+ - BnB+."""
    one = r"\s*([+-]\d+\.\d): (\d) up, (\d) down, p ([\d.]+)"
    values = nb.numbers(LAYER_PAIRS, rf"^{n}" + one * 3 + "$", flags=re.M)
    return values[0:4], values[4:8], values[8:12]


def split_row(nb, cell, variant):
    """(mean, std, train, conv1 %, fc1 %) of the printed split-rate table."""
    return nb.numbers(SPLIT, "^" + re.escape(cell) + r"\s+" + re.escape(variant) +
                      r"\s+(\d\.\d{3}) \+- (\d\.\d{3})\s+(\d\.\d\d)\s+([\d.]+) %\s+([\d.]+) %$", flags=re.M)


def split_seeds(size, sim, variant):
    """The test accuracies of one variant in one cell of the split-rate file, by seed (each through read())."""
    results = Results("data/transfer_split_lr.json")
    found = sorted((run["seed"], i) for i, run in enumerate(results.raw["runs"])
                   if (run["size"], run["similarity"], run["variant"]) == (size, sim, variant))
    return [results.get("runs", i, "test_accuracy") for _, i in found]


HEADS = "every layer at the head's rate"
SMALL = "every layer at the small rate"


# ------------------------------------------------------------------------------------ 0-1: the setting
@REGISTER.claim("with 10 or 400 images per class")
def intro_sizes(nb):
    small, large = nb.numbers(SIZES, r"training images per class: (\d+) \(small\), (\d+) \(large\)")
    assert (small, large) == (10, 400)


@REGISTER.claim("The model zoo holds a net trained on 4,000 of them, the reference net of notebook 05 with a "
                "five-class classifier")
def zoo_net(nb):
    assert single(nb, ZOO, r"trained on ([\d,]+) images") == 4000
    assert single(nb, ZOO, r"fc2: affine -> (\d+)") == 5


@REGISTER.claim("Ten images per class is our *small* data set; the *large* one has 400 per class, as many as the "
                "5,000 shipped MNIST digits allow once 100 per class are set aside for testing.")
def sizes(nb):
    small, large = nb.numbers(SIZES, r"training images per class: (\d+) \(small\), (\d+) \(large\)")
    shipped, tested = nb.numbers(SIZES, r"MNIST ships (\d+) per class, (\d+) of them tested")
    assert small == 10 and large == 400 == shipped - tested and tested == 100 and 10 * shipped == 5000


# ------------------------------------------------------------------------------------ 2: CNN codes
@REGISTER.claim("For AlexNet that vector has 4,096 numbers (the notes); for ours, 64")
def codes_length(nb):
    notes = (ROOT / "tests/fixtures/cs231n_notes/transfer-learning.md").read_text(encoding="utf-8")
    assert read(float(re.search(r"compute a (\d+)-D vector", notes).group(1))) == 4096
    n, d = nb.numbers(CODES, r"codes: \((\d+), (\d+)\) for the training images")
    assert d == 64 and n == 50


@REGISTER.claim("A linear classifier on these 64 numbers is a small problem")
def codes_64(nb):
    assert nb.numbers(CODES, r"codes: \((\d+), (\d+)\) for the training images")[1] == 64


@REGISTER.claim("since they range from 0 to a few dozen")
def codes_range(nb):
    low, high = nb.numbers(CODES, r"values from ([\d.]+) to ([\d.]+)")
    assert low == 0 and 24 <= high <= 72


@REGISTER.claim("the codes are large (up to a few dozen), so a head drawn at the usual scale for its 64 inputs "
                "starts with huge scores and a huge loss")
def large_codes_huge_loss(nb):
    high = single(nb, CODES, r"values from [\d.]+ to ([\d.]+)")
    he, ln5 = single(nb, HEAD, r"\(He\): first loss ([\d.]+)"), single(nb, HEAD, r"ln\(5\) = ([\d.]+)")
    assert 24 <= high <= 72 and he > 5 * ln5


@REGISTER.claim("A head drawn at the scale 1e-3 does:")
def small_head_starts_at_ln5(nb):
    small = single(nb, HEAD, r"scale 1e-3\s*: first loss ([\d.]+)")
    ln5 = single(nb, HEAD, r"ln\(5\) = ([\d.]+)")
    assert abs(small - ln5) <= 0.02 and round(ln5, 2) == 1.61


@REGISTER.claim("On this draw of fifty training images, the codes of a net that never saw a star or a crescent "
                "separate those classes far better than the pixels, which sit near chance.")
def one_draw(nb):
    codes = single(nb, ONE_DRAW, r"on the CNN codes: test accuracy ([\d.]+)")
    pixels = single(nb, ONE_DRAW, r"on the pixels:\s+test accuracy ([\d.]+)")
    chance = single(nb, ONE_DRAW, r"chance \(5 classes\):\s+([\d.]+)")
    n = nb.numbers(CODES, r"codes: \((\d+), (\d+)\) for the training images")[0]
    assert n == 50 and codes - pixels >= 0.3 and abs(pixels - chance) <= 0.05


@REGISTER.claim("The grid below draws the small training set five times (seeds 0 to 4)")
def five_draws(nb):
    seeds = nb.numbers(RECIPE, r"small: .*seeds \[(\d+), (\d+), (\d+), (\d+), (\d+)\]")
    assert list(seeds) == [0, 1, 2, 3, 4]


@REGISTER.claim("The codes are ahead of both baselines on all five seeds, by 36 and 38 points.")
def codes_beat_both_baselines(nb):
    for other, points in (("the random-net classifier", 36), ("the pixel classifier", 38)):
        wins, n, mean, _, _ = beats(nb, BASELINES, None, "the CNN-code classifier", other)
        assert wins == n == 5 and round(100 * mean) == points


@REGISTER.claim("five seeds out of five in that direction give p = 1/32 = 0.031, the smallest five seeds allow")
def one_sided_floor_of_five(nb):
    for other in ("the random-net classifier", "the pixel classifier"):
        wins, n, _, p, one_sided = beats(nb, BASELINES, None, "the CNN-code classifier", other)
        assert one_sided and wins == n == 5 and p == round(1 / 2 ** n, 3) == 0.031


@REGISTER.claim("The random net's codes are ahead of the pixels on all five seeds too, but by 2.2 points, both near "
                "chance")
def random_codes_and_pixels(nb):
    wins, n, mean, _, _ = beats(nb, BASELINES, None, "the random-net classifier", "the pixel classifier")
    random_net = single(nb, BASELINES, r"random net's codes\s+([\d.]+) \+-")
    pixels = single(nb, BASELINES, r"pixels\s+([\d.]+) \+-")
    assert wins == n == 5 and round(100 * mean, 1) == 2.2
    assert abs(random_net - CHANCE_5) <= 0.05 and abs(pixels - CHANCE_5) <= 0.05


@REGISTER.claim("whose floor with five seeds is 2/32, printed 0.062")
def two_sided_floor_of_five(nb):
    _, n, _, p, one_sided = beats(nb, BASELINES, None, "the random-net classifier", "the pixel classifier")
    assert not one_sided and n == 5 and p == 0.062 and abs(p - 2 / 2 ** n) < 0.001


@REGISTER.claim("What carries over to the new shapes is what the net learned on half A: the architecture alone, with "
                "random weights, gives 2.2 of the codes' 38 points over the pixels.")
def learned_not_architecture(nb):
    codes = single(nb, BASELINES, r"CNN codes\s+([\d.]+) \+-")
    random_net = single(nb, BASELINES, r"random net's codes\s+([\d.]+) \+-")
    pixels = single(nb, BASELINES, r"pixels\s+([\d.]+) \+-")
    assert codes - random_net >= 0.3
    architecture = beats(nb, BASELINES, None, "the random-net classifier", "the pixel classifier")[2]
    codes_over_pixels = beats(nb, BASELINES, None, "the CNN-code classifier", "the pixel classifier")[2]
    assert round(100 * architecture, 1) == 2.2 and round(100 * codes_over_pixels) == 38
    assert abs(architecture - (random_net - pixels)) <= 0.001 and abs(codes_over_pixels - (codes - pixels)) <= 0.001


# ------------------------------------------------------------------------------------ 3: fine-tuning
@REGISTER.claim("and check afterwards that no frozen weight moved")
def frozen_weights_do_not_move(nb):
    assert single(nb, FROZEN, r"codes identical to the source net's: ([\d.]+)") == 0
    assert single(nb, FROZEN, r"largest change of a frozen weight: ([\d.]+)") == 0


@REGISTER.claim("Our strategy (d) gives every pretrained layer a tenth of the head's rate")
def a_tenth_of_the_heads_rate(nb):
    found = nb.all_numbers(RATES, r"'(?:conv1|conv2|conv3|fc1)': ([\d.e-]+)")
    head = single(nb, RATES, r"'head': ([\d.e-]+)")
    assert len(found) == 4 and all(abs(rate / head - 0.1) < 1e-9 for (rate,) in found)


# ------------------------------------------------------------------------------------ 4: the grid
@REGISTER.claim("With the 5 seeds of the small cells the one-sided p cannot go below 1/32 = 0.031, the two-sided "
                "below 2/32 (printed 0.062); with the 3 seeds of the large cells not below 1/8 (printed 0.12) and "
                "2/8 = 0.25")
def floors_of_the_grid(nb):
    *_, p, one = beats(nb, VERDICTS, "small, similar", "(a)", "(b)")
    assert one and p == round(1 / 32, 3)
    *_, p, one = beats(nb, VERDICTS, "small, similar", "(c)", "(a)")
    assert not one and p == 0.062 and abs(p - 2 / 32) < 0.001
    *_, p, one = beats(nb, VERDICTS, "large, similar", "(d)", "(a)")
    assert one and p == 0.12 and abs(p - 1 / 8) < 0.01
    *_, p, one = beats(nb, VERDICTS, "large, different", "(e)", "(d)")
    assert not one and p == 2 / 8


@REGISTER.claim("The notes' choice, logistic regression on the top codes (a), reaches 0.607.")
def rule_1_reaches(nb):
    mean = single(nb, VERDICTS, r"small, similar: the notes advise \(a\), ([\d.]+) \+-")
    assert mean == table_row(nb, "small, similar", "a")[0] == 0.607


@REGISTER.claim("It beats the earlier layer's codes (b, 0.413) and training from scratch (e, 0.321) on all five "
                "seeds, significant one-sided.")
def rule_1_beats_b_and_e(nb):
    for other, mean in (("b", 0.413), ("e", 0.321)):
        wins, n, _, p, one = beats(nb, VERDICTS, "small, similar", "(a)", f"({other})")
        assert wins == n == 5 and one and p <= 0.05
        assert table_row(nb, "small, similar", other)[0] == mean


@REGISTER.claim("But a new head over frozen convolutions (c, 0.633) and fine-tuning everything (d, 0.635) are ahead "
                "of it on all five seeds, by 2.6 and 2.7 points.")
def rule_1_behind_c_and_d(nb):
    for other, mean, points in (("c", 0.633, 2.6), ("d", 0.635, 2.7)):
        wins, n, diff, _, _ = beats(nb, VERDICTS, "small, similar", f"({other})", "(a)")
        assert wins == n == 5 and round(100 * diff, 1) == points
        assert table_row(nb, "small, similar", other)[0] == mean


@REGISTER.claim("That direction gets the two-sided test, and five seeds cannot take it below p = 0.062")
def rule_1_two_sided(nb):
    for other in ("c", "d"):
        wins, n, _, p, one = beats(nb, VERDICTS, "small, similar", f"({other})", "(a)")
        assert not one and wins == n == 5 and p == 0.062 > 0.05


@REGISTER.claim("the notes' choice is behind two others on every seed, by less than 3 points.")
def rule_1_heading(nb):
    for other in ("c", "d"):
        wins, n, diff, _, _ = beats(nb, VERDICTS, "small, similar", f"({other})", "(a)")
        assert wins == n == 5 and 0 < diff < 0.03
    for other in ("b", "e"):
        wins, n, _, _, _ = beats(nb, VERDICTS, "small, similar", "(a)", f"({other})")
        assert wins == n == 5


@REGISTER.claim("(d) fits its fifty training images exactly (training accuracy 1.00 in the table) and tests above "
                "(a) on every seed")
def rule_1_no_overfitting_cost(nb):
    assert table_row(nb, "small, similar", "d")[3] == 1.00
    grid = Results("data/transfer_grid.json")
    cell = next(i for i, c in enumerate(grid.raw["cells"]) if (c["size"], c["similarity"]) == ("small", "similar"))
    runs = [j for j, r in enumerate(grid.raw["cells"][cell]["runs"]) if r["strategy"] == "d"]
    assert len(runs) == 5 and all(grid.get("cells", cell, "runs", j, "train_accuracy") == 1 for j in runs)   # every seed
    wins, n, _, _, _ = beats(nb, VERDICTS, "small, similar", "(d)", "(a)")
    assert wins == n == 5


@REGISTER.claim("On digits the earlier layer's codes (b, 0.749) beat the top codes (a, 0.650) on all five seeds, "
                "significant one-sided")
def rule_3_earlier_beats_top(nb):
    wins, n, _, p, one = beats(nb, VERDICTS, "small, different", "(b)", "(a)")
    assert wins == n == 5 and one and p <= 0.05
    assert table_row(nb, "small, different", "b")[0] == 0.749 and table_row(nb, "small, different", "a")[0] == 0.650


@REGISTER.claim("The frozen convolutions (c, 0.764) and fine-tuning (d, 0.769) are ahead of (b) on average, but on "
                "only three and four of the five seeds: no difference shown.")
def rule_3_c_and_d(nb):
    for other, mean, ahead in (("c", 0.764, 3), ("d", 0.769, 4)):
        wins, n, diff, p, _ = beats(nb, VERDICTS, "small, different", f"({other})", "(b)")
        assert (wins, n) == (ahead, 5) and diff > 0 and p > 0.05
        assert table_row(nb, "small, different", other)[0] == mean


@REGISTER.claim("Training from scratch (e, 0.817) is ahead of (b) on all five seeds, by 6.8 points, again at the "
                "two-sided floor of five seeds (p = 0.062).")
def rule_3_scratch_ahead(nb):
    wins, n, diff, p, one = beats(nb, VERDICTS, "small, different", "(e)", "(b)")
    assert wins == n == 5 and round(100 * diff, 1) == 6.8 and not one and p == 0.062
    assert table_row(nb, "small, different", "e")[0] == 0.817


@REGISTER.claim("Our small data set is 100 MNIST digits, one of the easiest image data sets there is, and our net is "
                "tiny: from scratch it reaches 0.817 with ten digits of each class.")
def rule_3_hundred_digits(nb):
    small = nb.numbers(SIZES, r"training images per class: (\d+) \(small\)")[0]
    classes = single(nb, SIZES, r"different: classes (?:\d, )*(\d);") + 1   # 0, 1, ..., 9
    assert small == 10 and small * classes == 100
    assert table_row(nb, "small, different", "e")[0] == 0.817


@REGISTER.claim("Fine-tuning everything (d), 0.853, is ahead of the frozen convolutions (c, 0.826), of training from "
                "scratch (e, 0.785) for the same ten epochs, and of both linear classifiers, on all three seeds.")
def rule_2_ahead(nb):
    assert table_row(nb, "large, similar", "d")[0] == 0.853
    for other, mean in (("a", None), ("b", None), ("c", 0.826), ("e", 0.785)):
        wins, n, diff, _, one = beats(nb, VERDICTS, "large, similar", "(d)", f"({other})")
        assert wins == n == 3 and one and diff > 0
        if mean is not None:
            assert table_row(nb, "large, similar", other)[0] == mean
    assert single(nb, RECIPE, r"large: \d+ per class, (\d+) epochs") == 10


@REGISTER.claim("Three seeds cannot make any of it significant (one-sided p = 0.12 at best).")
def rule_2_floor(nb):
    for other in "abce":
        *_, p, one = beats(nb, VERDICTS, "large, similar", "(d)", f"({other})")
        assert one and p == 0.12 > 0.05


@REGISTER.claim("The notes grant that a large data set can afford training from scratch, then add that in practice "
                "it \"is very often still beneficial to initialize with weights from a pretrained model\", and "
                "fine-tune through the entire network: (d).")
def rule_4_is_d(nb):
    mean = single(nb, VERDICTS, r"large, different: the notes advise \(d\), ([\d.]+) \+-")
    assert mean == table_row(nb, "large, different", "d")[0]


@REGISTER.claim("Here (d), 0.926, is behind training from scratch (e, 0.966) and behind the earlier-layer SVM (b, "
                "0.958) on all three seeds, and ahead of the top-code classifier (a, 0.793) and the frozen "
                "convolutions (c, 0.883) on all three.")
def rule_4_verdicts(nb):
    assert table_row(nb, "large, different", "d")[0] == 0.926
    for other, mean in (("e", 0.966), ("b", 0.958)):
        wins, n, _, _, _ = beats(nb, VERDICTS, "large, different", f"({other})", "(d)")
        assert wins == n == 3 and table_row(nb, "large, different", other)[0] == mean
    for other, mean in (("a", 0.793), ("c", 0.883)):
        wins, n, _, _, _ = beats(nb, VERDICTS, "large, different", "(d)", f"({other})")
        assert wins == n == 3 and table_row(nb, "large, different", other)[0] == mean


@REGISTER.claim("Three seeds cannot make either direction significant (p = 0.25 at best two-sided, 0.12 one-sided).")
def rule_4_floor(nb):
    *_, p, one = beats(nb, VERDICTS, "large, different", "(e)", "(d)")
    assert not one and p == 0.25
    *_, p, one = beats(nb, VERDICTS, "large, different", "(d)", "(a)")
    assert one and p == 0.12


@REGISTER.claim("Section 6 traces that gap to (d)'s split learning rate.")
def rule_4_lost_on_the_split(nb):
    wins, n, diff, _, _ = beats(nb, SPLIT_VERDICTS, "large, different", HEADS, "the split")
    assert wins == n == 3 and diff > 0.02
    _, _, level, _, _ = beats_line(nb, ONE_RATE_VS_E, "large, different", "fine-tuned at one rate", "(e) from scratch")
    gap = beats(nb, VERDICTS, "large, different", "(e)", "(d)")[2]
    assert level <= 0.005 and abs(diff - gap) <= 0.005


@REGISTER.claim("Our net has 47,493 parameters, against AlexNet's 60 million, and our images are 32x32: the notes' "
                "small and large are meant for nets of AlexNet's size, and ours learns digits from scratch with ten "
                "images per class.")
def our_scale(nb):
    ours, alexnet = nb.numbers(ZOO, r"([\d,]+) parameters \(AlexNet, Krizhevsky et al\. 2012: about (\d+) million\)")
    assert ours == 47493 and alexnet == 60
    assert nb.numbers(ZOO, r"input \((\d+), (\d+), (\d+)\)")[1:] == (32, 32)
    mean, _, _, _ = table_row(nb, "small, different", "e")
    assert mean >= 0.8 and nb.numbers(SIZES, r"training images per class: (\d+) \(small\)")[0] == 10


@REGISTER.claim("The large cells ran a fixed budget of ten epochs, and the trained nets (c), (d) and (e) were still "
                "short of fitting their training sets there (training accuracy 0.82 to 0.99 in the table)")
def large_cells_short_of_fitting(nb):
    assert single(nb, RECIPE, r"large: \d+ per class, (\d+) epochs") == 10
    train = [table_row(nb, f"large, {sim}", s)[3] for sim in ("similar", "different") for s in "cde"]
    assert min(train) == 0.82 and max(train) == 0.99


@REGISTER.claim("And (a) and (b) have no spread in the large cells")
def no_spread_for_the_linear_classifiers(nb):
    for sim in ("similar", "different"):
        for s in "ab":
            mean, std, seeds, _ = table_row(nb, f"large, {sim}", s)
            assert std == 0 and seeds == 3


@REGISTER.claim("(c) on the large digits shows no spread either, for another reason: its three runs are different "
                "nets (their training accuracies differ), which happen to get the same number of the 1,000 test "
                "digits right:")
def c_large_digits(nb):
    runs = nb.all_numbers(C_LARGE, r"training accuracy ([\d.]+), test accuracy [\d.]+ = (\d+) of ([\d,]+)")
    assert len(runs) == 3 and len({t for t, _, _ in runs}) == 3
    assert len({right for _, right, _ in runs}) == 1 and all(total == 1000 for _, _, total in runs)


@REGISTER.claim("With one BLAS thread the machine that made the grid gives the same numbers again.")
def run_again(nb):
    pairs = nb.all_numbers(LIVE, r"\([a-e]\) live ([\d.]+)\s+stored ([\d.]+)")
    assert len(pairs) == 5 and all(abs(live - stored) <= 0.01 for live, stored in pairs)


@REGISTER.claim("Another CPU can sum in another order, and training can turn that into a slightly different run: of "
                "the 16 runs of (d) that section 6 made again on another CPU, 15 came out equal to the grid's and one "
                "0.001 off.")
def another_cpu(nb):
    equal, total, largest = nb.numbers(SPLIT_GRID, r"(\d+) of (\d+) equal, the largest difference ([\d.]+)")
    assert (equal, total, largest) == (15, 16, 0.001)
    assert "AMD" in nb.output(SPLIT) and "Intel" in nb.output(RECIPE)


# ------------------------------------------------------------------------------------ 5: layers
@REGISTER.claim("half B's 4,000 training images, and three seeds per point")
def layer_setting(nb):
    train = single(nb, LAYERS, r"^(\d+) training and \d+ test images of half B", flags=re.M)
    seeds = nb.numbers(LAYERS, r"seeds \[(\d+), (\d+), (\d+)\]")
    rows = nb.all_numbers(LAYERS, r"^(\d)  (?:conv1|conv2|conv3|fc1) ", flags=re.M)
    assert train == 4000 and len(seeds) == 3 and [n for (n,) in rows] == [1, 2, 3, 4]


@REGISTER.claim("Every variant ran the same three seeds, and a seed draws the new layers' weights and the order of "
                "the minibatches")
def layer_seeds(nb):
    for n in (1, 2, 3, 4):
        for diff, up, down, p in layer_pairs(nb, n):
            assert up + down <= 3
    assert len(nb.numbers(LAYERS, r"seeds \[(\d+), (\d+), (\d+)\]")) == 3


@REGISTER.claim("Three seeds cannot give p below 0.25 two-sided or 0.125 one-sided")
def layer_floors(nb):
    ps = [layer_pairs(nb, n) for n in (1, 2, 3, 4)]
    assert min(p for row in ps for (_, _, _, p) in row[:2]) == 0.25 == 2 / 2 ** 3
    assert min(row[2][3] for row in ps) == 0.125 == 1 / 2 ** 3


@REGISTER.claim("the net for B is ahead of baseB on all three seeds at each n, by 1.5 to 3.3 points (0.924 to 0.942 "
                "against 0.909)")
def anb_ahead_of_base(nb):
    diffs = []
    for n in (1, 2, 3):
        diff, up, down, _ = layer_pairs(nb, n)[0]
        assert (up, down) == (3, 0)
        diffs.append(diff)
    assert (min(diffs), max(diffs)) == (1.5, 3.3)
    means = [layer_means(nb, n)[0] for n in (1, 2, 3)]
    assert (min(means), max(means)) == (0.924, 0.942)
    assert single(nb, LAYERS, r"baseB \(trained on B from scratch\): ([\d.]+)") == 0.909


@REGISTER.claim("Copying the hidden FC layer fc1 as well (n = 4) costs 20 points against n = 3 (0.941 to 0.742), on "
                "all three seeds")
def fc1_costs_20_points(nb):
    diff, up, down, _ = nb.numbers(LAYER_PAIRS, r"AnB, n = 4 minus n = 3:\s+([+-][\d.]+): (\d) up, (\d) down, p ([\d.]+)")
    assert round(diff) == -20 and (up, down) == (0, 3)
    assert (layer_means(nb, 3)[0], layer_means(nb, 4)[0]) == (0.941, 0.742)


@REGISTER.claim("BnB is ahead of baseB on average at every n, by 0.7 to 1.4 points, on two of the three seeds each "
                "time (0.916 to 0.922 against 0.909)")
def bnb_no_dip(nb):
    rows = [layer_pairs(nb, n)[1] for n in (1, 2, 3, 4)]
    assert all((up, down) == (2, 1) for _, up, down, _ in rows)
    diffs = [d for d, _, _, _ in rows]
    assert (min(diffs), max(diffs)) == (0.7, 1.4)
    means = [layer_means(nb, n)[2] for n in (1, 2, 3, 4)]
    assert (min(means), max(means)) == (0.916, 0.922)


@REGISTER.claim("A net of four layers below its classifier, retrained on 4,000 images, finds its way back at every "
                "cut.")
def bnb_recovers(nb):
    base = single(nb, LAYERS, r"baseB \(trained on B from scratch\): ([\d.]+)")
    assert all(layer_means(nb, n)[2] >= base for n in (1, 2, 3, 4))
    assert single(nb, LAYERS, r"^(\d+) training", flags=re.M) == 4000


@REGISTER.claim("Averaged over n = 1-4, AnB+ leads baseB by 4.5 points, against their 1.6 over n = 1-7.")
def anb_plus_boost(nb):
    theirs, ours = nb.numbers(BOOST, r"theirs n = 1-7: \+([\d.]+) points\s+ours n = 1-4: \+([\d.]+) points")
    assert (theirs, ours) == (1.6, 4.5)


@REGISTER.claim("But our BnB+ leads baseB as well (by 3.0 points over n = 1-4), where theirs matched it.")
def bnb_plus_boost(nb):
    assert single(nb, BOOST, r"ours n = 1-4: .*our BnB\+ over baseB: \+([\d.]+)\)") == 3.0


@REGISTER.claim("Our baseB, six epochs from scratch, is not the best this net can do on B: a fine-tuned net has been "
                "trained twice (its copied layers for six epochs before, the whole net for six more)")
def trained_twice(nb):
    assert single(nb, LAYERS, r"test images of half B; (\d+) epochs") == 6
    assert Results("data/transfer_layers.json").get("recipe", "num_epochs") == 6
    assert single(nb, ZOO, r"for (\d+) epochs;") == 6   # the A net; the B net shares its recipe's epochs
    base = single(nb, LAYERS, r"baseB \(trained on B from scratch\): ([\d.]+)")
    assert all(layer_means(nb, n)[3] > base for n in (1, 2, 3, 4))   # BnB+ above baseB


@REGISTER.claim("AnB+ is ahead on average at every n, by 0.5 to 2.3 points, on all three seeds at n = 2, 3 and 4 and "
                "on two of the three at n = 1.")
def anb_plus_over_bnb_plus(nb):
    rows = [layer_pairs(nb, n)[2] for n in (1, 2, 3, 4)]
    diffs = [d for d, _, _, _ in rows]
    assert all(d > 0 for d in diffs) and (min(diffs), max(diffs)) == (0.5, 2.3)
    assert [up for _, up, _, _ in rows] == [2, 3, 3, 3]


@REGISTER.claim("That is the paper's sign, a boost from having seen A, of about their size; three seeds cannot make "
                "it significant (one-sided p = 0.125 at best)")
def about_their_size(nb):
    theirs = [v for (v,) in nb.all_numbers(BOOST, r"theirs n = \d-7: \+([\d.]+) points")]
    ours = [d for d, _, _, _ in (layer_pairs(nb, n)[2] for n in (1, 2, 3, 4))]
    assert min(ours) > 0 and max(ours) >= min(theirs) and min(ours) <= max(theirs)
    assert max(ours) <= 2 * max(theirs)
    assert min(layer_pairs(nb, n)[2][3] for n in (1, 2, 3, 4)) == 0.125 > 0.05


# ------------------------------------------------------------------------------------ 6: learning rates
@REGISTER.claim("for one epoch on the 2,000 images of the large similar cell (400 per class of half B), at rates "
                "from 1e-5 to 1e-1")
def sweep_setting(nb):
    images = single(nb, SWEEP, r"^(\d+) training images, 1 epoch", flags=re.M)
    rates = [r for (r,) in nb.all_numbers(SWEEP, r"^\s*([\d.e-]+)\s+\d\.\d{3} \+-", flags=re.M)]
    assert images == 2000 == 5 * 400 and (min(rates), max(rates)) == (1e-5, 1e-1)


@REGISTER.claim("One epoch is 40 minibatches")
def forty_minibatches(nb):
    images, batch = nb.numbers(SWEEP, r"^(\d+) training images, 1 epoch of minibatches of (\d+)", flags=re.M)
    assert images / batch == 40


def sweep_rows(nb):
    """{rate: (fine-tuned mean, std, scratch mean, std, conv1 %, fc1 %)} of the printed sweep table."""
    rows = nb.all_numbers(SWEEP, r"^\s*([\d.e-]+)\s+(\d\.\d{3}) \+-(\d\.\d{3})\s+(\d\.\d{3}) \+-(\d\.\d{3})\s+"
                                 r"([\d.]+) %\s+([\d.]+) %$", flags=re.M)
    return {row[0]: row[1:] for row in rows}


@REGISTER.claim("From 1e-5 to 1e-2, the larger the rate, the further fine-tuning gets in one epoch (0.207, 0.355, "
                "0.713, 0.813).")
def sweep_monotone(nb):
    rows = sweep_rows(nb)
    tuned = [rows[r][0] for r in (1e-5, 1e-4, 1e-3, 1e-2)]
    assert tuned == [0.207, 0.355, 0.713, 0.813] and tuned == sorted(tuned)


@REGISTER.claim("From 1e-4 to 1e-2 the pretrained start is ahead of the random one on all three seeds (0.813 against "
                "0.424 at 1e-2); three seeds cannot make that significant (p = 0.25, their floor), and at 1e-5 both "
                "are still at chance (0.207 and 0.202 against 0.200).")
def sweep_pretrained_ahead(nb):
    for rate in ("0.0001", "0.001", "0.01"):
        wins, n, diff, p, _ = beats_line(nb, SWEEP_PAIRS, f"{rate:>7}:", "fine-tuned", "from scratch")
        assert wins == n == 3 and p == 0.25 and diff > 0.1
    rows = sweep_rows(nb)
    assert (rows[1e-2][0], rows[1e-2][2]) == (0.813, 0.424)
    chance = single(nb, SWEEP_PAIRS, r"^\s*(0\.1): fine-tuned and from scratch are equal", flags=re.M) * 2
    assert (rows[1e-5][0], rows[1e-5][2]) == (0.207, 0.202)
    assert abs(rows[1e-5][0] - CHANCE_5) <= rows[1e-5][1] and abs(rows[1e-5][2] - CHANCE_5) <= 0.005
    assert chance == 0.2 == CHANCE_5


@REGISTER.claim("At 1e-1 both sit at chance, 0.200, and the pretrained weights have moved by more than their own size "
                "(conv1 by 154 % of its norm, fc1 by 493 %)")
def sweep_too_large(nb):
    tuned, tuned_sd, scratch, scratch_sd, conv1, fc1 = sweep_rows(nb)[0.1]
    assert tuned == scratch == CHANCE_5 and tuned_sd == scratch_sd == 0
    assert (conv1, fc1) == (154, 493) and min(conv1, fc1) > 100


@REGISTER.claim("The net trained from scratch fails at that rate too")
def scratch_fails_too(nb):
    rows = sweep_rows(nb)
    assert rows[0.1][2] == CHANCE_5 and rows[1e-2][2] > CHANCE_5 + 0.1


@REGISTER.claim("At the small end, 1e-5 keeps the pretrained weights almost untouched (conv1 moves by 0.04 % of its "
                "norm) but leaves the new head, which learns at the same rate here, where it started: 0.207 after one "
                "epoch is chance.")
def sweep_too_small(nb):
    tuned, sd, _, _, conv1, _ = sweep_rows(nb)[1e-5]
    assert round(conv1, 2) == 0.04 and tuned == 0.207 and abs(tuned - CHANCE_5) <= sd


@REGISTER.claim("The notes' remedy is two rates: the new head a normal one, the pretrained layers a smaller one, as "
                "strategy (d) does (1e-3 and 1e-4).")
def d_rates(nb):
    head, pretrained = nb.numbers(RECIPE, r"Adam at ([\d.]+) for new layers and from scratch, ([\d.]+) for pretrained")
    assert (head, pretrained) == (1e-3, 1e-4)


@REGISTER.claim("ran strategy (d) of the grid again, in every cell and for every seed")
def split_setting(nb):
    nets = single(nb, SPLIT, r"^(\d+) nets in", flags=re.M)
    small = nb.numbers(SPLIT, r"seeds \[(\d+), (\d+), (\d+), (\d+), (\d+)\] \(small\)")
    large = nb.numbers(SPLIT, r"\(small\), \[(\d+), (\d+), (\d+)\] \(large\)")
    grid_small = nb.numbers(RECIPE, r"small: .*seeds \[(\d+), (\d+), (\d+), (\d+), (\d+)\]")
    grid_large = nb.numbers(RECIPE, r"large: .*seeds \[(\d+), (\d+), (\d+)\]")
    assert small == grid_small and large == grid_large
    assert nets == 3 * 2 * (len(small) + len(large))   # three variants, two similarities
    head, small_rate = nb.numbers(SPLIT, r"the head's rate ([\d.]+), the pretrained layers' ([\d.]+)")
    assert (head, small_rate) == nb.numbers(RECIPE, r"Adam at ([\d.]+) for new layers .*?, ([\d.]+) for pretrained")


@REGISTER.claim("This file was made on another machine than the grid's, though, and sums done in another order can "
                "make a slightly different training run.")
def split_against_grid(nb):
    equal, total, largest = nb.numbers(SPLIT_GRID, r"(\d+) of (\d+) equal, the largest difference ([\d.]+)")
    assert total == 16 and 0 < equal < total and largest <= 0.01
    assert "AMD" in nb.output(SPLIT) and "Intel" in nb.output(RECIPE)


@REGISTER.claim("With fifty training images, the split beats every layer at the head's rate on all five seeds, by 6.5 "
                "points on average, and every layer at the small rate by 3.4: both significant one-sided (p = 0.031).")
def split_wins_small_similar(nb):
    for other, points in ((HEADS, 6.5), (SMALL, 3.4)):
        wins, n, diff, p, one = beats(nb, SPLIT_VERDICTS, "small, similar", "the split", other)
        assert wins == n == 5 and round(100 * diff, 1) == points and one and p == 0.031


@REGISTER.claim("At the head's rate the pretrained layers move about three times as far (conv1 by 13.5 % of its norm "
                "instead of 4.43 %), and on so few images of similar data that costs test accuracy")
def head_rate_moves_further(nb):
    split_mean, _, _, split_conv1, split_fc1 = split_row(nb, "small, similar", "split")
    head_mean, _, _, head_conv1, head_fc1 = split_row(nb, "small, similar", "one rate, the head's")
    assert (head_conv1, split_conv1) == (13.5, 4.43)
    assert 2.5 <= head_conv1 / split_conv1 <= 3.5 and 2.5 <= head_fc1 / split_fc1 <= 3.5
    assert head_mean < split_mean


@REGISTER.claim("On the small digits and in both large cells, every layer at the head's rate beats the split on every "
                "seed, by 5.0, 6.9 and 4.1 points on average.")
def head_rate_wins_elsewhere(nb):
    for cell, points in (("small, different", 5.0), ("large, similar", 6.9), ("large, different", 4.1)):
        wins, n, diff, _, _ = beats(nb, SPLIT_VERDICTS, cell, HEADS, "the split")
        assert wins == n and round(100 * diff, 1) == points


@REGISTER.claim("No one predicted that direction, so it gets the two-sided test, and the seeds cannot make it "
                "significant (p = 0.062 with five seeds, 0.25 with three).")
def head_rate_not_significant(nb):
    for cell, floor in (("small, different", 0.062), ("large, similar", 0.25), ("large, different", 0.25)):
        *_, p, one = beats(nb, SPLIT_VERDICTS, cell, HEADS, "the split")
        assert not one and p == floor > 0.05


@REGISTER.claim("Every layer at the small rate is behind the split on every seed in three cells and level with it in "
                "the fourth (ahead of it on two of the five seeds on the small digits).")
def small_rate_behind(nb):
    for cell in ("small, similar", "large, similar", "large, different"):
        wins, n, _, _, _ = beats(nb, SPLIT_VERDICTS, cell, "the split", SMALL)
        assert wins == n
    wins, n, diff, p, _ = beats(nb, SPLIT_VERDICTS, "small, different", "the split", SMALL)
    split = split_seeds("small", "different", "split")
    small = split_seeds("small", "different", "one rate, the pretrained layers'")
    assert (wins, n) == (3, 5) and sum(s < x for s, x in zip(split, small)) == 2 and abs(diff) < 0.01 and p > 0.05


@REGISTER.claim("one large rate is ahead on every seed.")
def head_rate_heading(nb):
    for cell in ("small, different", "large, similar", "large, different"):
        wins, n, _, _, _ = beats(nb, SPLIT_VERDICTS, cell, HEADS, "the split")
        assert wins == n


@REGISTER.claim("So the new head's larger rate paid in three cells of four, significantly only with the fifty similar "
                "images; whether the pretrained layers should get a smaller one depends on the data.")
def head_needs_its_rate(nb):
    # the head's rate is all that differs between the split and every layer at the small rate
    paid, significant = [], []
    for cell in ("small, similar", "small, different", "large, similar", "large, different"):
        wins, n, diff, p, one = beats(nb, SPLIT_VERDICTS, cell, "the split", SMALL)
        assert diff > 0 and one
        if wins == n:
            paid.append(cell)
        if p <= 0.05:
            significant.append(cell)
    assert len(paid) == 3 and significant == ["small, similar"]
    assert nb.numbers(SIZES, r"training images per class: (\d+) \(small\)")[0] * 5 == 50   # fifty similar images
    assert beats(nb, SPLIT_VERDICTS, "small, similar", "the split", HEADS)[2] > 0
    assert beats(nb, SPLIT_VERDICTS, "large, similar", HEADS, "the split")[2] > 0


@REGISTER.claim("With digits, which the shapes' features fit badly, or with 400 images per class, moving them further "
                "paid on every seed here, though not significantly.")
def moving_further_paid(nb):
    for cell, variant_cell in (("small, different", "small, different"), ("large, similar", "large, similar"),
                               ("large, different", "large, different")):
        wins, n, _, p, _ = beats(nb, SPLIT_VERDICTS, cell, HEADS, "the split")
        assert wins == n and p > 0.05
        assert split_row(nb, variant_cell, "one rate, the head's")[3] > split_row(nb, variant_cell, "split")[3]


@REGISTER.claim("Section 4 found the notes' advice for large, different data, fine-tuning from the pretrained weights, "
                "behind training from scratch; but (d) fine-tunes with the split.")
def rule_4_behind_scratch(nb):
    wins, n, _, _, _ = beats(nb, VERDICTS, "large, different", "(e)", "(d)")
    assert wins == n == 3


@REGISTER.claim("Level: fine-tuned at one rate, the pretrained start is ahead of training from scratch on three of "
                "five seeds and on two of three, by 0.2 and 0.1 points on average.")
def one_rate_level_with_scratch(nb):
    for prefix, ahead, points in (("small, different", (3, 5), 0.2), ("large, different", (2, 3), 0.1)):
        wins, n, diff, p, _ = beats_line(nb, ONE_RATE_VS_E, prefix, "fine-tuned at one rate", "(e) from scratch")
        assert (wins, n) == ahead and round(100 * diff, 1) == points and p > 0.5


@REGISTER.claim("On these digits the pretrained start neither helped nor hurt.")
def pretrained_start_level(nb):
    for prefix in ("small, different", "large, different"):
        _, _, diff, p, _ = beats_line(nb, ONE_RATE_VS_E, prefix, "fine-tuned at one rate", "(e) from scratch")
        assert diff <= 0.005 and p > 0.5


@REGISTER.claim("In the large different cell of section 4, (d) trailed training from scratch by 4.0 points, and its "
                "split rate cost it 4.1 points against one rate, on all three seeds; at one rate the gap is gone. "
                "Three seeds cannot make either difference significant.")
def the_split_put_d_behind(nb):
    wins, n, diff, p_split, _ = beats(nb, SPLIT_VERDICTS, "large, different", HEADS, "the split")
    e_wins, e_n, behind, p_gap, _ = beats(nb, VERDICTS, "large, different", "(e)", "(d)")
    assert round(100 * behind, 1) == 4.0 and round(100 * diff, 1) == 4.1
    assert wins == n == e_wins == e_n == 3 and p_split > 0.05 and p_gap > 0.05
    _, _, level, p, _ = beats_line(nb, ONE_RATE_VS_E, "large, different", "fine-tuned at one rate", "(e) from scratch")
    assert level <= 0.005 and p > 0.5   # at one rate, level with training from scratch


# ------------------------------------------------------------------------------------ a 32x32 net on larger images
@REGISTER.claim("Its first FC layer looks at a 4x4x32 volume, so it becomes a 4x4 convolution")
def fc_sees_4x4x32(nb):
    assert nb.numbers(ZOO, r"pool3: .* -> \((\d+), (\d+), (\d+)\)") == (32, 4, 4)


@REGISTER.claim("one pass returns a 5x5 grid of class scores: one for each 32x32 window, every 8 pixels")
def score_map_5x5(nb):
    classes, rows, cols = nb.numbers(SCORE_MAP, r"score map: \((\d+), (\d+), (\d+)\)")
    pools = len(nb.all_numbers(ZOO, r"max pool (2)x2, stride 2"))
    assert (rows, cols) == (5, 5) == ((64 // 2 ** pools - 32 // 2 ** pools) + 1,) * 2 and classes == 5
    assert 2 ** pools == 8


@REGISTER.claim("it calls more of them crosses than anything else (10 of the 21)")
def seams_called_crosses(nb):
    total = single(nb, SCORE_MAP, r"the (\d+) windows between the tiles")
    counts = nb.numbers(SCORE_MAP, r"between the tiles: \{'disc': (\d+), 'square': (\d+), 'triangle': (\d+), "
                                   r"'cross': (\d+), 'ring': (\d+)\}")
    assert total == 21 == sum(counts) and counts[3] == 10 == max(counts) and sorted(counts)[-2] < 10


@REGISTER.claim("answers \"what is here?\" only where a window holds one object")
def one_object_per_window(nb):
    # no tile is a cross, yet the windows that straddle tiles are called crosses most often;
    # every corner window (one tile) is named as its tile
    tiles = nb.output(SCORE_MAP).count("the corner window says")
    right = len(re.findall(r"tile \d \((\w+)\): the corner window says \1,", nb.output(SCORE_MAP)))
    assert read(tiles) == read(right) == 4
    crosses = single(nb, SCORE_MAP, r"windows won by each class: \{.*'cross': (\d+)")
    assert crosses > 0 and "(cross)" not in nb.output(SCORE_MAP)


NOT_CLAIMS = REGISTER.not_claims([
    ("Which one to pick depends, say the notes, on several factors", "paraphrase of the notes (which factors matter)"),
    ("Then we ask which layers carry over", "an outline of the sections"),
    ("Our \"ImageNet\" is half of the shapes data set", "a definition: which classes the source net learned"),
    ("The first new data set is the **other half** of the shapes", "a definition of the similar data set"),
    ("The second is 32x32 **MNIST digits**", "a description of the different data (load_mnist pads to 32x32 and "
     "repeats the grey channel, tested in tests/test_data.py)"),
    ("The test images are never trained on, and the shapes of half B come from another seed",
     "a property of the construction (cell_data's splits), tested by "
     "tests/test_transfer.py::test_cell_data_sizes_balance_and_disjoint_seeds"),
    ("the same classifier on the raw pixels (3,072 numbers per image)", "3,072 = 3 x 32 x 32, the size of an image"),
    ("Since the frozen part never changes, `fit` runs it once", "how fit works; that both routes agree is tested by "
     "tests/test_transfer.py::test_training_above_the_cached_frozen_bottom_equals_training_the_whole_net"),
    ("### Fine-tuning everything, with a smaller learning rate", "a heading naming the method"),
    ("The notes: earlier layers hold generic features", "paraphrase of the notes"),
    ("They also advise a smaller learning rate for the fine-tuned layers", "paraphrase of the notes' advice; "
     "section 6 measures it"),
    ("`load_pretrained(name)` checks each file's sha256", "what the API does, tested in tests/test_pretrained.py"),
    ("Rule 4 first grants that a large data set can afford training from scratch",
     "which reading of the notes the grid tests; the notes' words are quoted in the discussion below"),
    ("Each seed draws its own initial weights and minibatch order", "how the grid was run (cell_data, strategy_net)"),
    ("The notes name their strategy before any run", "why the test is one-sided: a method, not a measurement"),
    ("Then, for n from 1 to 7, they built nets for B", "the paper's design (Yosinski et al. 2014), not ours"),
    ("Their shape (their Figure 2)", "the paper's result, as its Figure 2 shows it; not measured here"),
    ("BnB, the control, tells the two causes of that fall apart", "the paper's result, as its Figure 2 shows it; "
     "not measured here"),
    ("in the paper that lost co-adaptation dominates AnB's fall in the middle layers",
     "the paper's reading of its Figure 2 (Yosinski et al. 2014, section 4.1); not measured here"),
    ("The notes advise a smaller learning rate for the fine-tuned weights than for the new classifier",
     "paraphrase of the notes' practical advice (quoted in the next section); the sweep and the split-rate "
     "control measure it"),
    ("Whether that split does better than one rate, the next experiment measures.", "an announcement"),
    ("The notes put it this way:", "the notes' words, quoted (tests/test_quotes.py checks them)"),
    ("Behind the practice is a claim about an effect", "why the control was run; its results have their own claims"),
    ("The notes predict the direction (the split does better)", "why the test is one-sided: a method"),
    ("Three things about our setting to keep in mind.", "an announcement of the three sentences that follow"),
    ("That bears on rule 4.", "an announcement; the next sentences carry the claims"),
    ("### A 32x32 net on larger images", "a heading"),
    ("Section 2 does exercises 2 and 3 with the library's", "a pointer to the worked solutions"),
    ("the checker names the mistake it recognises (each one once)", "an instruction"),
    ("**Exercise 2.**", "an exercise"),
    ("**Exercise 3.**", "an exercise"),
    ("one number between 0 and 1.", "an exercise's convention"),
])

test_claims = REGISTER.tests()
