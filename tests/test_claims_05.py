"""The claims register of notebook 05 (training a ConvNet): one assertion per sentence that states a
measured relation, read from the executed notebook's outputs (see tests/claims_lib.py)."""
import math
import re

from claims_lib import Notebook, Register, read, to_number

NB = Notebook("05")
REGISTER = Register(NB, reads=[
    "data/zoo/shapes_convnet.npz",               # sections 6 and 7 measure the zoo's net
    "cs231n_lib/recipes/shapes_convnet.py",
    "data/normalization_results.json",           # section 7: the three nets and the sweep
    "data/normalization_controls.json",          # section 7: batch norm at weight scale 1 taken apart
    "cs231n_lib/normalization.py",
])

# Cells by id
DATA, INIT_LOSS, REG_LOSS, GRAD_CHECK = "ba33da87", "9ad323d8", "6264f0ff", "8a950eb1"
BN_FORWARD, OVERFIT, TRAIN_NUMBERS, POOL_VS_STRIDE = "207f5db7", "2bdc9385", "d4696e28", "98b58f62"
ZOO_LINE, TEST_ACC = "0540b779", "168663b2"
LRN_ONE, LRN_ALL, BN_X10, RESULTS, COMPARISON = "b014c513", "cf9e077f", "09266a3d", "96f704bf", "02645b2f"
PAIRED, LRN_TRAINED, HE_SCALES, SWEEP_TABLE = "5e1d7a3c", "56fc2e46", "a9c3e0d4", "ad4352d2"
CONTROLS, FIXES = "d2b4c6e8", "e4f6a8b0"

# nb.number(...) is shadowed by the dataclass field Notebook.number ("05"): read single numbers with nb.numbers(...)[0].
_N = r"([+-]?[\d.]+)"


def _row_numbers(nb, line):
    """The numbers of one line of the sweep's table: floats, or (wins, n) pairs for '3/3'."""
    values = re.findall(r"[+-]?\d+\.\d+|\d+/\d+", line.split(":", 1)[1].split("(")[0])
    out = []
    for v in values:
        if "/" in v:
            a, b = v.split("/")
            out.append((read(int(a)), read(int(b))))
        else:
            out.append(read(to_number(v)))
    return out


def _line(nb, axis, name):
    """One line of the sweep's table: the row ``name`` of the block of ``axis``."""
    block = nb.output(SWEEP_TABLE).split(f"{axis}:", 1)[1]
    return next(line for line in block.splitlines() if line.strip().startswith(f"{name}:"))


def seeds_of(nb, axis, label, variant):
    """Per-seed test accuracies of one sweep setting: ``axis`` 'learning rate' or 'weight scale'."""
    pattern = (rf"{axis}\s+{re.escape(label)}: none {_N} {_N} {_N} \| batch norm {_N} {_N} {_N}")
    values = nb.numbers(SWEEP_TABLE, pattern)
    return list(values[:3] if variant == "none" else values[3:])


def control(nb, label):
    """Per-seed test accuracies and mean of one control setting."""
    *values, mean = nb.numbers(CONTROLS, rf"{re.escape(label)}\s+{_N} {_N} {_N}\s+mean {_N}")
    return values, mean


def fix(nb, what):
    """(mean, per-seed differences, seeds ahead) of one of the fixes' paired comparisons."""
    mean, *diffs = nb.numbers(FIXES, rf"{re.escape(what)}: {_N} on average; seed by seed {_N}, {_N}, {_N}\n")
    wins, n = nb.numbers(FIXES, rf"{re.escape(what)}: [^\n]*\n\s+[^\n]* beats [^\n]* on (\d) of (\d) seeds")
    return mean, diffs, (wins, n)


# ---- 1-2. Data and sanity checks -----------------------------------------------------------------

@REGISTER.claim("The net fits its 800 training images much better than the 200 it has not seen: with 80 "
                "images per class it already overfits")
def eighty_per_class(nb):
    n_train, n_val = nb.numbers(DATA, r"X_train: \((\d+),.*\n.*X_val: \((\d+),")
    counts = nb.numbers(DATA, r"per class: \[" + ", ".join([r"(\d+)"] * 10) + r"\]")
    assert (n_train, n_val) == (800, 200) and set(counts) == {80} and sum(counts) == n_train
    train, val = nb.numbers(TRAIN_NUMBERS, r"training ([\d.]+), validation ([\d.]+) \(best")
    assert train - val >= 0.2                                       # "much better"


@REGISTER.claim("With small random weights every class gets about the same score, so the softmax gives "
                "each of the C classes probability 1/C and the loss is -ln(1/C) = ln(C).")
def initial_loss(nb):
    expected, measured, diff = nb.numbers(INIT_LOSS, r"ln\(10\) = ([\d.]+)\nmeasured\s+= ([\d.]+)\s+\(difference ([\d.]+)\)")
    assert round(math.log(10), 4) == expected and abs(measured - expected) < 5e-5 and diff < 5e-5


@REGISTER.claim("so the same net with `reg > 0` must report a higher loss, higher by exactly that penalty")
def reg_raises_loss(nb):
    loss, loss_reg, loss_again, penalty = nb.numbers(REG_LOSS, rf"without reg {_N}; with reg = 1.0: {_N} = {_N} \+ {_N}")
    assert loss_reg > loss == loss_again and penalty > 0 and abs(loss + penalty - loss_reg) <= 1e-4


@REGISTER.claim("every one of ours is below 1e-5")
def gradient_check(nb):
    bounds = nb.all_numbers(GRAD_CHECK, r"relative error < (1e-\d+)")
    assert len(bounds) == 6 and max(b for b, in bounds) <= 1e-5


@REGISTER.claim("Means 0 and standard deviations 1, as the assignment's notebook expects in training.")
def bn_means_and_stds(nb):
    means = nb.numbers(BN_FORWARD, r"mean of each feature: \[" + ", ".join([_N] * 4) + r"\]")
    stds = nb.numbers(BN_FORWARD, r"std of each feature:\s+\[" + ", ".join([_N] * 4) + r"\]")
    assert max(abs(m) for m in means) <= 1e-6 and max(abs(s - 1) for s in stds) <= 1e-5


# ---- 3-4. Overfitting, training ------------------------------------------------------------------

@REGISTER.claim("Training accuracy 0.99 after 60 updates, validation accuracy 0.11, where guessing one class "
                "in ten scores 0.10: the net memorised its 100 images, and little of what it learned carries over "
                "to new ones.")
def overfit(nb):
    updates, train, val = nb.numbers(OVERFIT, r"after (\d+) iterations: training accuracy ([\d.]+), validation accuracy ([\d.]+)")
    assert (updates, train, val) == (60, 0.99, 0.11)
    # the last check: within two standard deviations of a guesser's accuracy on 200 validation images
    assert abs(val - 0.10) <= 2 * math.sqrt(0.1 * 0.9 / 200)
    # "little": no check reached twice chance
    low, high = nb.numbers(OVERFIT, r"at the (?:\d+) checks [^:]*: ([\d.]+) to ([\d.]+)")
    assert high < 0.2


@REGISTER.claim("Its validation accuracy stayed between 0.070 and 0.165 at every check (the orange curve), on 200 "
                "images where a guesser's accuracy has a standard deviation of sqrt(0.1 * 0.9 / 200) = 0.02.")
def overfit_val_range(nb):
    checks, low, high = nb.numbers(OVERFIT, r"at the (\d+) checks [^:]*: ([\d.]+) to ([\d.]+)")
    assert (checks, low, high) == (16, 0.07, 0.165)                  # 15 epochs: a check after update 1 and each epoch
    n_val = nb.numbers(DATA, r"X_val: \((\d+),")[0]
    assert n_val == 200 and round(math.sqrt(0.1 * 0.9 / n_val), 2) == 0.02


@REGISTER.claim("so an epoch of 800 images is 16 updates")
def sixteen_per_epoch(nb):
    updates, checks = nb.numbers(TRAIN_NUMBERS, r"(\d+) updates, (\d+) accuracy checks")
    assert updates / (checks - 1) == 800 / 50 == 16                # 6 epochs: a check after update 1 and each epoch


@REGISTER.claim("training accuracy ends at 0.57, validation accuracy at 0.31, and the gap between them grew "
                "over the run, from 0.02 after the first update to 0.26 at the end")
def train_val_gap(nb):
    train, val = nb.numbers(TRAIN_NUMBERS, r"training ([\d.]+), validation ([\d.]+) \(best")
    gaps = nb.numbers(TRAIN_NUMBERS, r"each check: \[" + ", ".join([_N] * 7) + r"\]")
    assert (train, val) == (0.57, 0.31) and (gaps[0], gaps[-1]) == (0.02, 0.26) and gaps[-1] > gaps[0]
    assert abs(round(train - val, 2) - gaps[-1]) <= 0.011


@REGISTER.claim("The best validation check was the last one, so the net holds the weights of all 96 updates.")
def kept_last(nb):
    kept, total = nb.numbers(TRAIN_NUMBERS, r"after (\d+) of (\d+) updates")
    assert kept == total == 96


# ---- 5. Pooling or strided convolution -------------------------------------------------------------

def _pool_vs_stride(nb):
    return [nb.numbers(POOL_VS_STRIDE, rf"{name}: ([\d,]+) parameters, (\d+) updates, loss over the last 10 "
                                       rf"minibatches ([\d.]+), best validation accuracy ([\d.]+)")
            for name in ("max pooling", "stride-2 convolution")]


@REGISTER.claim("The strided convolutions add 80% more parameters (46,106 against 25,578), and in these 48 "
                "updates they do not pay off: the max-pooling net ends ahead in both numbers, with a lower loss "
                "(1.85 against 2.09) and a higher best validation accuracy (0.23 against 0.18).")
def pool_vs_stride(nb):
    (p_pool, u_pool, loss_pool, acc_pool), (p_stride, u_stride, loss_stride, acc_stride) = _pool_vs_stride(nb)
    assert (p_stride, p_pool) == (46106, 25578) and round(100 * (p_stride / p_pool - 1)) == 80
    assert u_pool == u_stride == 48
    assert (loss_pool, loss_stride, acc_pool, acc_stride) == (1.85, 2.09, 0.23, 0.18)
    assert loss_pool < loss_stride and acc_pool > acc_stride


@REGISTER.claim("We train both nets with the same data, the same number of updates and the same seed")
def same_updates(nb):
    (_, u_pool, _, _), (_, u_stride, _, _) = _pool_vs_stride(nb)
    assert u_pool == u_stride > 0


# ---- 6. The zoo's net --------------------------------------------------------------------------------

@REGISTER.claim("Its recipe runs 8 epochs of 320 updates on 16,000 shapes, 2,560 updates in all")
def recipe_updates(nb):
    batch, epochs, num_train = nb.numbers(RESULTS, r"'batch_size': (\d+).*'num_epochs': (\d+).*'num_train': (\d+)")
    assert (epochs, num_train, num_train / batch, epochs * num_train / batch) == (8, 16000, 320, 2560)


@REGISTER.claim("the zoo line above says that was epoch 7, so the shipped weights are those after 2,240 updates.")
def kept_updates(nb):
    epoch, epochs, kept, total = nb.numbers(ZOO_LINE, r"kept epoch (\d+) of (\d+) \(([\d,]+) of ([\d,]+) updates\)")
    assert (epoch, epochs, kept, total) == (7, 8, 2240, 2560) and kept == epoch * total / epochs


@REGISTER.claim("On this notebook's 300 test shapes it is right 0.980 of the time; the 97.3% of its zoo line "
                "was measured on the recipe's 1,000 test shapes.")
def two_test_accuracies(nb):
    n, acc = nb.numbers(TEST_ACC, r"test accuracy on (\d+) unseen shapes: ([\d.]+)")
    zoo = nb.numbers(ZOO_LINE, r"test accuracy ([\d.]+)%")[0]
    num_test = nb.numbers(RESULTS, r"'num_test': (\d+)")[0]
    assert (n, acc, zoo, num_test) == (300, 0.98, 97.3, 1000)


# ---- 7. Normalization layers -------------------------------------------------------------------------

@REGISTER.claim("with k = 2, n = 5, alpha = 1e-4, beta = 0.75")
def alexnet_constants(nb):
    k, n, alpha, beta = nb.numbers(LRN_ONE, r"'k': ([\d.]+), 'n': (\d+), 'alpha': ([\d.e-]+), 'beta': ([\d.]+)")
    assert (k, n, alpha, beta) == (2, 5, 1e-4, 0.75)


@REGISTER.claim("The neighbours' term, `alpha * sum(a_j**2)` = 0.000259, is tiny next to k = 2 here.")
def neighbours_term_one(nb):
    k, alpha, sum_sq, base = nb.numbers(LRN_ONE, r"= (\d+) \+ ([\d.e-]+) \* ([\d.]+) = ([\d.]+)")
    assert round(base - k, 6) == 0.000259 and abs(alpha * sum_sq - 0.000259) < 5e-7
    assert (base - k) / k < 1e-3                                    # "tiny"


@REGISTER.claim("On our scale, then, AlexNet's LRN is a constant factor to within 0.04%")
def lrn_constant_factor(nb):
    factor, within = nb.numbers(LRN_ALL, r"2 \*\* -0.75 = ([\d.]+), give or take ([\d.]+)%")
    assert abs(factor - 2 ** -0.75) < 5e-5 and within <= 0.04


@REGISTER.claim("Batch norm undoes the scale of the weights before it: multiply the weights and the bias of a conv "
                "layer by 10 and its outputs grow tenfold, but so do their mean and standard deviation over the "
                "batch, and the normalized values stay where they were (up to batch norm's small epsilon).")
def bn_scale_invariance(nb):
    plain0, plain10 = nb.numbers(BN_X10, rf"none: loss {_N} at the initial weights, {_N} with")
    bn0, bn10 = nb.numbers(BN_X10, rf"batchnorm: loss {_N} at the initial weights, {_N} with")
    assert bn0 == bn10 and plain10 > 100 * plain0                   # the plain net's loss explodes, batch norm's stays


@REGISTER.claim("Training these nets takes minutes each")
def minutes_each(nb):
    minutes = nb.all_numbers(COMPARISON, r"; (\d+) min per run")
    assert len(minutes) == 3 and min(m for m, in minutes) >= 2


@REGISTER.claim("its run of no normalization with seed 0 has the zoo net's parameters, to the last bit (the two sha256 below)")
def zoo_run_is_the_zoo_net(nb):
    m = re.search(r"the zoo's net ([0-9a-f]{16})\.\.\., the run of none with seed 0 ([0-9a-f]{16})\.\.\.",
                  nb.output(RESULTS))
    zoo, run = (read(int(h, 16)) for h in m.groups())
    assert zoo == run


def _summary(nb):
    return {v: nb.numbers(COMPARISON, rf"{v}: test accuracy {_N} \+- {_N} .*seeds: {_N}, {_N}, {_N}\)")
            for v in ("lrn", "none", "batchnorm")}


def _paired(nb, first, second):
    diffs = nb.numbers(PAIRED, rf"{first} minus {second}, seed by seed: {_N}, {_N}, {_N} points")
    wins, n = nb.numbers(PAIRED, rf"{first} minus {second},[^\n]*\n\s+[^\n]* beats [^\n]* on (\d) of (\d) seeds")
    return diffs, wins, n


@REGISTER.claim("The means of the three nets lie within 0.8 points of each other (0.979 to 0.987)")
def means_within(nb):
    means = [s[0] for s in _summary(nb).values()]
    assert (min(means), max(means)) == (0.979, 0.987) and round(100 * (max(means) - min(means)), 1) <= 0.8


@REGISTER.claim("Batch norm is ahead of no normalization on 2 of 3 seeds, by 0.6 points on average, but behind "
                "it on seed 1; it is ahead of LRN on all 3 seeds, by 0.8 points.")
def bn_paired(nb):
    diffs, wins, n = _paired(nb, "batch norm", "no normalization")
    assert (wins, n) == (2, 3) and sum(d > 0 for d in diffs) == 2 and diffs[1] < 0
    assert round(sum(diffs) / 3, 1) == 0.6
    diffs, wins, n = _paired(nb, "batch norm", "LRN")
    assert (wins, n) == (3, 3) and min(diffs) > 0 and round(sum(diffs) / 3, 1) == 0.8


@REGISTER.claim("LRN is behind no normalization on 2 of 3 seeds, by 0.2 points.")
def lrn_paired(nb):
    diffs, wins, n = _paired(nb, "LRN", "no normalization")
    assert (wins, n) == (2, 3) and sum(d < 0 for d in diffs) == 2 and round(sum(diffs) / 3, 1) == -0.2


@REGISTER.claim("With three seeds the smallest p the exact (two-sided) sign-flip test can give is 0.25, so none of "
                "these differences can reach the 5% level, however they fell; and they are of the size of the "
                "seeds' own spread (no normalization alone ranges from 0.973 to 0.986).")
def three_seeds_cannot(nb):
    floors = nb.all_numbers(PAIRED, r"the smallest p is ([\d.]+)\)")
    ps = nb.all_numbers(PAIRED, r"exact sign-flip p = ([\d.]+)")
    assert len(floors) == 3 and {f for f, in floors} == {0.25} and min(p for p, in ps) >= 0.25
    none = _summary(nb)["none"][2:]
    assert (min(none), max(none)) == (0.973, 0.986)
    spread = 100 * (max(none) - min(none))
    largest = max(abs(d) for a, b in (("batch norm", "no normalization"), ("LRN", "no normalization"),
                                      ("batch norm", "LRN")) for d in _paired(nb, a, b)[0])
    assert 0.5 * spread <= largest <= 1.5 * spread


@REGISTER.claim("no gain on average (0.2 points behind no normalization, ahead on 1 of 3 seeds)")
def lrn_no_gain(nb):
    diffs, wins, n = _paired(nb, "LRN", "no normalization")
    diff = nb.numbers(LRN_TRAINED, r"LRN minus none = ([+-][\d.]+) points")[0]
    assert diff == -0.2 and round(sum(diffs) / 3, 1) == -0.2 and sum(d > 0 for d in diffs) == 1 and n == 3


@REGISTER.claim("With AlexNet's constants on our activations the neighbours' term is at most a few thousandths of "
                "k, and the largest divisor of a trained net is within 0.3% of its smallest")
def lrn_trained_terms(nb):
    terms = nb.all_numbers(LRN_TRAINED, r"denominator up to ([\d.e-]+); largest divisor / smallest = ([\d.]+)")
    assert len(terms) == 2
    assert max(t for t, _ in terms) < 0.01 and max(s for _, s in terms) <= 1.003


@REGISTER.claim("It would act as a normalization only where the neighbours' share nears 1, with activations near "
                "63; in our trained nets it is at most 0.004.")
def lrn_would_need(nb):
    k_over_alpha, each, largest = nb.numbers(LRN_ALL, r"k / alpha = ([\d,]+): five activations of (\d+) each; "
                                                      r"the largest here is ([\d.]+)")
    assert k_over_alpha == 20000 and each == round(math.sqrt(20000 / 5)) == 63 and largest < each / 10
    terms = nb.all_numbers(LRN_TRAINED, r"denominator up to ([\d.e-]+);")
    assert max(t for t, in terms) <= 0.004


@REGISTER.claim("its gain of 1.2 to 2 points")
def alexnet_gain(nb):
    top1, top5, before, after = nb.numbers(LRN_TRAINED, r"by ([\d.]+) / ([\d.]+) points,\n.*from (\d+)% to (\d+)%")
    gains = (top1, top5, before - after)
    assert (min(gains), max(gains)) == (1.2, 2)


@REGISTER.claim("which is 0.06 to 0.27 in this net")
def he_range(nb):
    scales = nb.numbers(HE_SCALES, r"conv1 ([\d.]+), conv2 ([\d.]+), conv3 ([\d.]+), fc1 ([\d.]+), fc2 ([\d.]+)")
    assert (round(min(scales), 2), round(max(scales), 2)) == (0.06, 0.27)


@REGISTER.claim("A cross would mark a run the Solver stopped because its loss blew up (none was)")
def no_run_stopped(nb):
    stopped, runs = nb.numbers(HE_SCALES, r"blew up: (\d+) of (\d+)")
    assert stopped == 0 and runs == 54


# the sweep

TRAINS = 0.5   # "trains": above 0.5 test accuracy on every seed (chance is 0.10)


def _settings(nb):
    lr = ["0.0003", "0.001", "0.003", "0.01", "0.03"]
    ws = ["0.001", "0.01", "0.1", "He", "1"]
    return [("learning rate", v) for v in lr] + [("weight scale", v) for v in ws]


@REGISTER.claim("Batch norm widens the range of settings that train (say, that score above 0.5 test accuracy, five "
                "times chance, on all three seeds)")
def widens(nb):
    trains = {v: {s for s in _settings(nb) if min(seeds_of(nb, *s, v)) > TRAINS} for v in ("none", "batchnorm")}
    assert trains["none"] < trains["batchnorm"]                     # a strict superset
    assert len(trains["batchnorm"]) - len(trains["none"]) >= 4


@REGISTER.claim("The plain net does best at the recipe's 0.003 (0.76 on average).")
def plain_best_lr(nb):
    means = _row_numbers(nb, _line(nb, "learning rate", "none"))
    assert means[2] == 0.76 and means[2] == max(means)


@REGISTER.claim("At 0.01 it trains on two seeds (0.810 and 0.769) and stays at chance on the third (0.113); at 0.03 "
                "it stays at or near chance on all three (0.100 to 0.134).")
def plain_high_lr(nb):
    a, b, c = seeds_of(nb, "learning rate", "0.01", "none")
    assert (a, b, c) == (0.81, 0.113, 0.769) and min(a, c) > TRAINS and abs(b - 0.1) <= 2 * math.sqrt(0.09 / 1000)
    high = seeds_of(nb, "learning rate", "0.03", "none")
    assert (min(high), max(high)) == (0.1, 0.134)


@REGISTER.claim("The batch norm net improves from 0.003 to 0.01 on every seed (0.79 to 0.89 on average) and still "
                "reaches 0.85 at 0.03.")
def bn_high_lr(nb):
    at3, at10 = seeds_of(nb, "learning rate", "0.003", "batchnorm"), seeds_of(nb, "learning rate", "0.01", "batchnorm")
    assert all(b > a for a, b in zip(at3, at10))
    means = _row_numbers(nb, _line(nb, "learning rate", "batchnorm"))
    assert (means[2], means[3], means[4]) == (0.79, 0.89, 0.85)


@REGISTER.claim("It is ahead of the plain net on average at every learning rate: on 2 of 3 seeds at the recipe's "
                "0.003, on all 3 elsewhere.")
def bn_ahead_lr(nb):
    diffs = _row_numbers(nb, _line(nb, "learning rate", "difference"))
    ahead = _row_numbers(nb, _line(nb, "learning rate", "bn ahead on"))
    assert min(diffs) > 0 and ahead == [(3, 3), (3, 3), (2, 3), (3, 3), (3, 3)]


@REGISTER.claim("The plain net learns nothing from weights drawn at 0.001 or 0.01 (0.096 to 0.100: chance) and little "
                "at 1 (0.13 to 0.15); it trains only at 0.1 and at He's scale.")
def plain_weight_scale(nb):
    tiny = seeds_of(nb, "weight scale", "0.001", "none") + seeds_of(nb, "weight scale", "0.01", "none")
    assert (min(tiny), max(tiny)) == (0.096, 0.1)
    big = seeds_of(nb, "weight scale", "1", "none")
    assert (round(min(big), 2), round(max(big), 2)) == (0.13, 0.15)
    trains = {v for a, v in _settings(nb) if a == "weight scale" and min(seeds_of(nb, a, v, "none")) > TRAINS}
    assert trains == {"0.1", "He"}


@REGISTER.claim("The batch norm net trains at every scale from 0.001 (0.56) to 0.1 (0.82), ahead of the plain net on "
                "all three seeds at 0.001, 0.01 and 1; at 0.1 and at He's scale the two are within 0.03 on average "
                "and split the seeds.")
def bn_weight_scale(nb):
    means = _row_numbers(nb, _line(nb, "weight scale", "batchnorm"))
    assert (means[0], means[2]) == (0.56, 0.82)
    assert all(min(seeds_of(nb, "weight scale", v, "batchnorm")) > TRAINS for v in ("0.001", "0.01", "0.1"))
    diffs = _row_numbers(nb, _line(nb, "weight scale", "difference"))
    ahead = _row_numbers(nb, _line(nb, "weight scale", "bn ahead on"))
    assert [ahead[i] for i in (0, 1, 4)] == [(3, 3)] * 3
    assert all(abs(diffs[i]) <= 0.03 and 0 < ahead[i][0] < 3 for i in (2, 3))


@REGISTER.claim("yet its accuracy still depends on the scale: 0.56 at 0.001, 0.85 at 0.01, and at 1 it fails too (0.27).")
def bn_depends_on_scale(nb):
    means = _row_numbers(nb, _line(nb, "weight scale", "batchnorm"))
    assert (means[0], means[1], means[4]) == (0.56, 0.85, 0.27) and means[4] < 0.3 < means[0] < means[1]


# the controls at weight scale 1

@REGISTER.claim("The last layer, FC-10, has no batch norm after it, so its scores come out 5.7 times larger than at "
                "He's scale.")
def last_layer_factor(nb):
    he, factor = nb.numbers(CONTROLS, r"fc2: He's scale ([\d.]+), weights at scale 1 are ([\d.]+) times larger \(last")
    assert factor == 5.7 and abs(1 / he - factor) < 0.1


@REGISTER.claim("are 3.7 to 16 times larger than He's")
def normalized_factors(nb):
    factors = nb.all_numbers(CONTROLS, r"(?:conv\d|fc1): He's scale [\d.]+, weights at scale 1 are ([\d.]+) times larger \(normalized")
    assert len(factors) == 4 and (min(f for f, in factors), max(f for f, in factors)) == (3.7, 16.0)


@REGISTER.claim("(0.79 and 0.27 there)")
def controls_rerun_the_sweep(nb):
    he_sweep = _row_numbers(nb, _line(nb, "learning rate", "batchnorm"))[2]
    one_sweep = _row_numbers(nb, _line(nb, "weight scale", "batchnorm"))[4]
    assert (he_sweep, one_sweep) == (0.79, 0.27)
    he_values, he_mean = control(nb, "weights He, last layer He")
    one_values, one_mean = control(nb, "weights 1, last layer 1")
    assert abs(he_mean - he_sweep) <= 0.01 and abs(one_mean - one_sweep) <= 0.01     # "slightly differently"
    assert he_values != seeds_of(nb, "learning rate", "0.003", "batchnorm")           # ... but differently


@REGISTER.claim("Both matter, on every seed, and the learning rate more.")
def both_matter(nb):
    fixes = [fix(nb, what) for what in ("the last layer at He's scale", "the learning rate x 1/He",
                                        "the last layer at He's scale, on top of the learning rate",
                                        "the learning rate x 1/He, on top of the last layer")]
    assert all(min(diffs) > 0 and wins == (3, 3) for _, diffs, wins in fixes)
    last_alone, lr_alone, last_on_top, lr_on_top = (mean for mean, _, _ in fixes)
    assert lr_alone > last_alone and lr_on_top > last_on_top


@REGISTER.claim("With the last layer back at He's scale and nothing else changed, the net gains 0.144; giving the "
                "normalized layers He's relative steps instead gains 0.317.")
def alone(nb):
    assert fix(nb, "the last layer at He's scale")[0] == 0.144
    assert fix(nb, "the learning rate x 1/He")[0] == 0.317


@REGISTER.claim("On top of the other fix, each gains more (0.215 for the last layer, 0.389 for the learning rate), and "
                "the two together reach 0.797, as much as He's scale gives (0.788): no third cause is left over.")
def on_top(nb):
    last = fix(nb, "the last layer at He's scale, on top of the learning rate")[0]
    lr = fix(nb, "the learning rate x 1/He, on top of the last layer")[0]
    assert (last, lr) == (0.215, 0.389)
    assert last > fix(nb, "the last layer at He's scale")[0] and lr > fix(nb, "the learning rate x 1/He")[0]
    _, both = control(nb, "weights 1, last layer He, lr x scale/He")
    _, he = control(nb, "weights He, last layer He")
    assert (both, he) == (0.797, 0.788) and both >= he - 0.01


@REGISTER.claim("scale 1 with the multiplied learning rate ends within 0.02 of He's scale on every seed, with the last "
                "layer at either scale.")
def same_path(nb):
    largest = nb.all_numbers(FIXES, r"last layer at (?:He|1): seed by seed [^\n]*\(largest ([\d.]+)\)")
    assert len(largest) == 2 and max(v for v, in largest) <= 0.02
    for last in ("He", "1"):
        a, _ = control(nb, f"weights 1, last layer {last}, lr x scale/He")
        b, _ = control(nb, f"weights He, last layer {last}")
        assert max(abs(x - y) for x, y in zip(a, b)) <= 0.0205


@REGISTER.claim("So the last layer accounts for the smaller part of the failure; the larger part is Adam's step")
def smaller_part(nb):
    last = [fix(nb, w)[0] for w in ("the last layer at He's scale", "the last layer at He's scale, on top of the learning rate")]
    lr = [fix(nb, w)[0] for w in ("the learning rate x 1/He", "the learning rate x 1/He, on top of the last layer")]
    _, failed = control(nb, "weights 1, last layer 1")
    _, he = control(nb, "weights He, last layer He")
    assert max(last) < min(lr) and max(last) < (he - failed) / 2


@REGISTER.claim("Three seeds cannot give a p below 0.25, but each fix helps on all three.")
def three_seeds_controls(nb):
    ps = nb.all_numbers(FIXES, r"exact sign-flip p = ([\d.]+)")
    assert len(ps) == 4 and min(p for p, in ps) == 0.25
    assert all(fix(nb, w)[2] == (3, 3) for w in ("the last layer at He's scale", "the learning rate x 1/He",
                                                  "the last layer at He's scale, on top of the learning rate",
                                                  "the learning rate x 1/He, on top of the last layer"))


NOT_CLAIMS = REGISTER.not_claims([
    ("The layout is CS231n's: a dictionary with", "a description of the data dictionary the cell above prints"),
    ("A shape is just an inequality in the object's own coordinates", "a definition, shown by the source below it"),
    ("Three more small data sets come with scikit-learn and scikit-image", "a description of where the data come from"),
    ("They use the same layout, resized to 32x32 colour images", "a description of the loaders (tests/test_data.py "
                                                                  "checks their layout)"),
    ("The L2 penalty adds 0.5 * reg * (sum of squared weights)", "a definition; the measured rise is the claim "
                                                                 "reg_raises_loss"),
    ("The backward pass claims a gradient for every weight; centred differences", "a definition of the method"),
    ("We compare them on a tiny net in float64", "a description of the method"),
    ("CS231n's assignment 2 accepts relative errors up to the order of 1e-2", "the assignment's threshold; our "
                                                                                "errors are the claim gradient_check"),
    ("If you write your own (CS231n's assignment 2)", "a description of the checker"),
    ("Here is a batch normalization layer with a bug", "a description of the code below it (the checker's "
                                                       "output shows what it finds)"),
    ("If a network cannot memorise 100 images", "advice: why the overfitting check comes first, not a measurement"),
    ("So before a long run we train on 100 images only and expect", "what to expect; the outcome is the claim overfit"),
    ("The `Solver` takes the model, the data and CS231n's keyword arguments", "a description of the API"),
    ("One *epoch* is one pass over it in minibatches of 50", "a definition (the arithmetic is the claim "
                                                             "sixteen_per_epoch)"),
    ("The numbers that matter, the loss at the start and at the end", "introduces the cell below"),
    ("The minibatch loss is noisy (each point is one batch of 50)", "describes the figure's running mean"),
    ("The usual remedies are more data and stronger regularization", "advice, said not to be measured here"),
    ("The *all-convolutional* idea (Springenberg et al., 2015)", "what the paper proposes, not a measurement"),
    ("A 4x4 filter with stride 2 and padding 1 fits", "arithmetic the sentence shows"),
    ("One seed and 48 updates cannot say whether that gap", "what a single run cannot show: no measured relation"),
    ("Both designs are in use: ResNet (notebook 04) has a single max pool",
     "a fact of ResNet's architecture (He et al. 2016, table 1), not a measurement of ours"),
    ("(To save time, the Solver measures training accuracy on 300 training images",
     "describes the Solver's setting num_train_samples=300 in the code above"),
    ("From a terminal, `python -m cs231n_lib.check path/to/assignment2` imports your",
     "what the checker imports (cs231n_lib/check/assignment.py; tests/test_check_starter.py runs it on the 2026 "
     "starter), not a measured relation"),
    ("Each file holds only arrays (no pickles)", "a description of the zoo's files (tests/test_pretrained.py)"),
    ("The CS231n notes say that many normalization layers have been proposed", "the notes' words, checked by tests/test_quotes.py"),
    ("AlexNet chose its constants for its own net, trained on raw pixel values",
     "what AlexNet's paper says of its inputs (section 2), not a measurement of ours"),
    ("Over all 300 test images and every position and channel of the first ReLU", "introduces the cell below"),
    ("Here is the loss of the two nets on one training batch", "introduces the cell below"),
    ("The file was made before the library's float32 softmax gradient was fixed (issue 23)",
     "provenance; the equal parameters are the claim zoo_run_is_the_zoo_net"),
    ("and the paired comparisons above say what three seeds can and cannot show", "points to the cell above"),
    ("The minutes per run were measured on a machine shared with other jobs", "a caveat about the timings"),
    ("The remark was not about batch norm, which the same page counts among ResNet's features",
     "what the notes' page says (the quotation above), not a measurement"),
    ("We did not measure AlexNet's own activations", "says what was not measured"),
    ("LRN as AlexNet defined it", "the paper's definition; its constants are the claim alexnet_constants"),
    ("The sweep trains the plain net and the batch norm net on a shorter recipe",
     "a description of the sweep's design (He's range is the claim he_range)"),
    ("Two things change when every weight is drawn at scale 1.", "introduces the two sentences after it"),
    ("Why batch norm fails at weight scale 1", "a heading"),
    ("`python -m cs231n_lib.normalization --controls` sets the two apart", "a description of the controls' design"),
    ("That is the same training path up to batch norm's and Adam's small epsilons and rounding",
     "held by the unit test test_weights_at_scale_1_with_follow_scale_take_hes_path (1e-12 in float64), not by "
     "a notebook output; the notebook's own check is the claim same_path"),
    ("Real CIFAR-10, when you have it", "a heading"),
    ("CIFAR-10 (60,000 photographs, a 163 MiB archive) is not bundled.",
     "the data set's published size (170,498,071 bytes), not a measurement of ours"),
    ("`data.download_cifar10()` fetches it once with `pooch`", "a description of the loader"),
    ("The loader returns the dictionary the shapes came in", "the loader's contract, checked by "
                                                             "tests/test_data.py on a tiny CIFAR-format archive"),
    ("`accuracy(scores, y)` returns the fraction of examples", "an exercise's instructions"),
])

test_claims = REGISTER.tests()
