"""The claims register of notebook 08 (adversarial examples): one assertion per sentence that
states a measured relation, read from the executed notebook's saved outputs (tests/claims_lib.py).

The paper's numbers are printed by the notebook from ``adversarial.PAPER`` (typed twice from
arXiv 1412.6572v3, tests/test_adversarial.py); "ours" is FGSM unclipped (the paper's setting)
unless a sentence says clipped.
"""
import math
import re

from claims_lib import Notebook, Register

NB = Notebook("08")
REGISTER = Register(NB, reads=[
    "data/mnist_5000.npz",
    "data/zoo/mnist_softmax.npz", "data/zoo/mnist_convnet.npz", "data/zoo/mnist_convnet_adv.npz",
    "data/zoo/mnist_rbf.npz",
    "cs231n_lib/recipes/mnist_softmax.py", "cs231n_lib/recipes/mnist_convnet.py",
    "cs231n_lib/recipes/mnist_convnet_adv.py", "cs231n_lib/recipes/mnist_rbf.py",
    # sections 9 to 11 (issue 27)
    "data/zoo/mnist_convnet_pgd.npz", "data/zoo/mnist_convnet_distilled.npz", "data/zoo/mnist_convnet_noreg.npz",
    "cs231n_lib/recipes/mnist_convnet_pgd.py", "cs231n_lib/recipes/mnist_convnet_distilled.py",
    "data/adversarial_pgd.json", "data/adversarial_pixels.json", "data/adversarial_defences.json",
])

N = r"(-?[\d.]+(?:e-?\d+)?)"          # a printed number


def row(nb, quantity):
    """(paper, ours, ours - paper, clipped or None) of one row of the comparison table (section 8)."""
    head = re.escape(quantity) + r"\s+([\d.]+) (?:sec\. \d|app\. A)\s+([\d.]+)\s+([-+][\d.]+)\s+"
    if re.search(head + r"-\s", nb.output("c063")):
        (paper, ours, diff), clipped = nb.numbers("c063", head + r"-\s"), None
    else:
        paper, ours, diff, clipped = nb.numbers("c063", head + r"([\d.]+)\s")
    assert abs(ours - paper - diff) <= 0.1 + 1e-9, (quantity, ours, paper, diff)
    return paper, ours, diff, clipped


def accuracies(nb, label):
    """The seven accuracies (%) of one row of section 3's sweep table (eps 0 to 0.3)."""
    return nb.numbers("c021", re.escape(label) + r": accuracy \(%\)" + r"\s+([\d.]+)" * 7)


def confidences(nb, label):
    return nb.numbers("c021", re.escape(label) + r": accuracy \(%\)[^\n]*\n\s*confidence if wrong \(%\)"
                      + r"\s+([\d.]+)" * 7)


def at_025(nb, name):
    """(error unclipped, error clipped, confidence unclipped, confidence clipped) of section 3, eps 0.25."""
    return nb.numbers("c025", re.escape(name) + r": error ([\d.]+)% unclipped, ([\d.]+)% clipped; confidence on its "
                      r"mistakes ([\d.]+)% unclipped, ([\d.]+)% clipped")


def paper_at_025(nb, theirs):
    return nb.numbers("c025", r"paper, " + re.escape(theirs) + r": error ([\d.]+)%, confidence ([\d.]+)%")


def adv_table(nb, name):
    """(clean error, FGSM error unclipped, clipped, confidence unclipped, clipped) of section 5."""
    return nb.numbers("c042", r"\n\s*" + re.escape(name) + r"\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%")


def transfer(nb):
    """(plain -> adv. unclipped, clipped, paper), (adv. -> plain unclipped, clipped, paper)."""
    a = nb.numbers("c045", r"shown to the adversarially trained one: error ([\d.]+)% unclipped, ([\d.]+)% clipped "
                   r"\(paper: ([\d.]+)%\)")
    b = nb.numbers("c045", r"shown to the plain one: error ([\d.]+)% unclipped, ([\d.]+)% clipped \(paper: ([\d.]+)%\)")
    return a, b


def lesson(nb):
    """Section 3's float32 lesson: a dict of its printed numbers."""
    below, above = nb.numbers("c026b", r"float32 next to 1: " + N + " below it, " + N + " above it")
    n, total, lo, hi = nb.numbers("c026b", r"exactly 1 in float32 for (\d+) of (\d+) digits; in float64 their "
                                  r"1 - p_y lies between " + N + " and " + N)
    t_sat, l_sat, px_sat = nb.numbers("c026b", r"on those \d+ digits: textbook ([\d.]+)%, library ([\d,]+) of ([\d,]+) pixels")
    rest, t_rest, l_rest, px_rest = nb.numbers("c026b", r"on the other (\d+): textbook ([\d.]+)%, library ([\d,]+) of "
                                               r"([\d,]+) pixels")
    t_err, t_free, t_fooled = nb.numbers("c026b", r"textbook gradient: FGSM error at eps = 0.25 ([\d.]+)% \(unclipped "
                                         r"([\d.]+)%\); the \d+ saturated digits: (\d+) fooled")
    l_err, l_free, l_fooled = nb.numbers("c026b", r"library: FGSM error at eps = 0.25 ([\d.]+)% \(unclipped "
                                         r"([\d.]+)%\); the \d+ saturated digits: (\d+) fooled")
    return dict(below=below, above=above, n=n, total=total, lo=lo, hi=hi, t_sat=t_sat, l_sat=l_sat, px_sat=px_sat,
                rest=rest, t_rest=t_rest, l_rest=l_rest, px_rest=px_rest, t_err=t_err, t_free=t_free,
                t_fooled=t_fooled, l_err=l_err, l_free=l_free, l_fooled=l_fooled)


# ---------------------------------------------------------------------------------------------
# Introduction and section 1

@REGISTER.claim("a network that reads digits almost perfectly calls it something else, and is sure of it")
def intro(nb):
    clean, *_, at25, _ = accuracies(nb, "ConvNet, clipped")
    conf25 = confidences(nb, "ConvNet, clipped")[5]
    assert clean >= 98.0 and 100 - at25 >= 95.0 and conf25 >= 85.0


@REGISTER.claim("The paper's MNIST digits have pixel values in [0, 1], and so do ours: the 500 test digits of "
                "`data.load_mnist`, padded from 28x28 to 32x32 and kept in one grey channel.")
def digits(nb):
    n, c, h, w, lo, hi = nb.numbers("c004", r"X: \((\d+), (\d+), (\d+), (\d+)\) float32, pixels from (\d+) to (\d+)")
    assert (n, c, h, w, lo, hi) == (500, 1, 32, 32, 0, 1)


@REGISTER.claim("A rate `p` measured on our 500 is known to within one standard error, `sqrt(p * (1 - p) / 500)`, "
                "which is largest at `p` = 50% and smaller near 0% and 100%:")
def standard_error(nb):
    n, se = nb.numbers("c004", r"measured on (\d+) digits: at most sqrt\(0.5 \* 0.5 / \d+\) = ([\d.]+) points")
    assert n == 500 and se == round(100 * math.sqrt(0.25 / n), 1)
    assert all(math.sqrt(p * (1 - p)) < math.sqrt(0.25) for p in (0.01, 0.2, 0.45, 0.55, 0.99))


@REGISTER.claim("each trained once (one seed) by its recipe on other digits of the same 5,000")
def the_same_5000(nb):
    sizes = nb.all_numbers("c006", r"^mnist\w*: MNIST \(cs231n_lib\.data\.load_mnist(?:\(channels=1\))?: ([\d,]+) "
                           r"real digits", re.M)
    assert len(sizes) == 7 and all(size == (5000,) for size in sizes)
    train, seed = nb.numbers("c041", r"'num_train': (\d+), 'num_val': \d+, 'reg': [\d.]+, 'seed': (\d+)")
    assert (train, seed) == (4000, 0)    # 4,000 of the 5,000 digits to train on; one seed


@REGISTER.claim("The difference is float32 rounding.")
def grey_route(nb):
    top, diff = nb.numbers("c009", r"scores up to ([\d.]+), largest difference between the two routes < (1e-\d+)")
    assert top == 25.0 and diff <= 1e-5 and diff / top <= 1e-6   # a few float32 roundings (1.2e-7) of scores up to 25


# ---------------------------------------------------------------------------------------------
# Section 2: the linear view

@REGISTER.claim("the change that raises the score most is `eta = eps * sign(w)`: every pixel moves by `eps` in the "
                "direction its weight rewards, and the score grows by `eps * sum |w_i| = eps * ||w||_1`.")
def l1_growth(nb):
    l1, bound = nb.numbers("c011", r"eps \* \|\|w\|\|_1 = 0.1 \* ([\d.]+) = ([\d.]+)")
    measured = nb.value("c011", r"measured: w.\(x \+ eta\) - w.x = ([\d.]+)")
    assert measured == bound and abs(0.1 * l1 - bound) < 1e-3


@REGISTER.claim("For `n` inputs whose weights have mean size `m`, that is about `eps * m * n`")
def about_m_n(nb):
    bound = nb.value("c011", r"eps \* \|\|w\|\|_1 = 0.1 \* [\d.]+ = ([\d.]+)")
    m, n, approx = nb.numbers("c011", r"eps \* m \* n = 0.1 \* ([\d.]+) \* (\d+) = ([\d.]+)")
    assert abs(0.1 * m * n - approx) < 1e-2 and abs(approx / bound - 1) < 0.02


@REGISTER.claim("With the signs of `w` the score moves by `eps * m * n`; with random signs of the same size the "
                "changes mostly cancel and the score moves by only about `eps * m * sqrt(n)`.")
def random_signs(nb):
    rows = nb.all_numbers("c014", r"\n\s*([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)")
    assert len(rows) == 6
    for n, aligned_formula, aligned, random_formula, random in rows:
        if n >= 100:
            assert abs(aligned / aligned_formula - 1) < 0.06
            assert 1 / 1.5 < random / random_formula < 1.5 and aligned > 9 * random


@REGISTER.claim("For a 28x28 digit, one grey level per pixel moves a score by a third of a unit (0.331), a tenth of "
                "the median gap (3.66) between the best and the second-best class score of our softmax classifier.")
def a_third(nb):
    aligned = nb.value("c014", r"\n\s*784\s+[\d.]+\s+([\d.]+)")
    gap = nb.value("c014", r"median gap .*?: ([\d.]+)")
    assert (aligned, gap) == (0.331, 3.66) and abs(aligned - 1 / 3) < 0.01 and 0.08 < aligned / gap < 0.12


@REGISTER.claim("it moves a score by about sixty units (60.598), over sixteen times that median gap")
def sixty(nb):
    aligned = nb.value("c014", r"150,528\s+[\d.]+\s+([\d.]+)")
    gap = nb.value("c014", r"median gap .*?: ([\d.]+)")
    assert aligned == 60.598 and 16 < aligned / gap < 17


@REGISTER.claim("Random signs of the same size move the score by only 0.113 even there.")
def random_even_there(nb):
    aligned, random = nb.numbers("c014", r"150,528\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+([\d.]+)")
    assert random == 0.113 and aligned > 100 * random


# ---------------------------------------------------------------------------------------------
# Section 3: FGSM, in the paper's setting and clipped

@REGISTER.claim("we read its numbers as unclipped, some perturbed pixels below 0 or above 1")
def unclipped_pixels(nb):
    lo, hi = nb.numbers("c025", r"FGSM digits have pixels from " + N + " to " + N)
    assert (lo, hi) == (-0.25, 1.25)


@REGISTER.claim("In the paper's setting, unclipped, the softmax classifier agrees with the paper's: it gets every "
                "digit wrong, where the paper's gets 99.9%.")
def softmax_agrees(nb):
    free, clipped, *_ = at_025(nb, "softmax")
    paper, _ = paper_at_025(nb, "shallow softmax")
    assert free == 100.0 and paper == 99.9 and abs(free - paper) < 0.5 and clipped == 100.0


@REGISTER.claim("The ConvNet does not agree with the maxout network: it gets 99.6% of the digits wrong against the "
                "paper's 89.4%, ten points apart, where 500 digits leave our rate uncertain by 0.3 points; clipped, "
                "its 95.6% is still six points away.")
def convnet_disagrees(nb):
    free, clipped, *_ = at_025(nb, "ConvNet")
    paper, _ = paper_at_025(nb, "maxout network")
    se_free = nb.value("c025", r"rate, unclipped: ([\d.]+) points")
    assert (free, paper, clipped, se_free) == (99.6, 89.4, 95.6, 0.3)
    assert round(free - paper) == 10 and round(clipped - paper) == 6 and free - paper > 20 * se_free


@REGISTER.claim("trained on 4,000 digits, against a maxout network trained with dropout on MNIST's 60,000) and we "
                "have not isolated which difference makes ours the more fragile.")
def nets_differ(nb):
    paper_train, ours_train = nb.numbers("c063", r"paper: MNIST's ([\d,]+) training .*?ours: ([\d,]+) training digits")
    free, *_ = at_025(nb, "ConvNet")
    paper, _ = paper_at_025(nb, "maxout network")
    assert (paper_train, ours_train) == (60000, 4000) and free > paper


@REGISTER.claim("The confidences do not agree either. Unclipped, our softmax classifier is surer of its wrong "
                "answers than the paper's (95.4% against 79.3%), our ConvNet less sure than the maxout network "
                "(91.2% against 97.6%).")
def confidences_disagree(nb):
    s = at_025(nb, "softmax")[2], paper_at_025(nb, "shallow softmax")[1]
    c = at_025(nb, "ConvNet")[2], paper_at_025(nb, "maxout network")[1]
    assert s == (95.4, 79.3) and c == (91.2, 97.6) and s[0] - s[1] > 5 and c[1] - c[0] > 5


@REGISTER.claim("Clipping makes the attack weaker: both of our nets are less sure of their wrong answers (89.7% "
                "and 86.0%) and the ConvNet is wrong less often (95.6%)")
def clipping_weaker(nb):
    s_free, s_clip, s_cf, s_cc = at_025(nb, "softmax")
    c_free, c_clip, c_cf, c_cc = at_025(nb, "ConvNet")
    assert (s_cc, c_cc, c_clip) == (89.7, 86.0, 95.6)
    assert s_cc < s_cf and c_cc < c_cf and c_clip < c_free and s_clip <= s_free


# ---- the float32 lesson

@REGISTER.claim("Every FGSM number above rests on a gradient computed in float32, and computed the textbook way it "
                "would be wrong.")
def textbook_wrong(nb):
    x = lesson(nb)
    assert x["t_err"] != x["l_err"] and x["t_sat"] > 0


@REGISTER.claim("its wrong classes' probabilities are too small to move 1 in float32 (the float32 numbers next to 1 "
                "are 6e-8 below it and 1.2e-7 above), so `p_y` is stored as exactly 1")
def saturation(nb):
    x = lesson(nb)
    assert round(x["below"], 9) == 6.0e-8 and round(x["above"], 8) == 1.2e-7
    assert abs(x["below"] / 2 ** -24 - 1) < 0.01 and abs(x["above"] / 2 ** -23 - 1) < 0.01
    assert x["n"] > 0 and 0 < x["lo"] <= x["hi"] <= 2 * x["above"]


@REGISTER.claim("The gradient loses the term that lowers the right class's score and keeps only the terms that "
                "raise the others: its direction, and the signs FGSM takes from it, are no longer those of the true "
                "gradient.")
def direction_lost(nb):
    x = lesson(nb)
    assert x["t_sat"] > 10 and x["l_sat"] == 0


@REGISTER.claim("On the digits the ConvNet is surest of, the textbook gradient has the wrong sign on a third of the "
                "pixels (32.9%), and the attack all but fails there: it fools 1 of the 43, where the exact gradient "
                "fools 29.")
def saturated_digits(nb):
    x = lesson(nb)
    assert (x["t_sat"], x["t_fooled"], x["n"], x["l_fooled"]) == (32.9, 1, 43, 29)
    assert abs(x["t_sat"] / 100 - 1 / 3) < 0.01 and x["t_fooled"] / x["n"] < 0.05 < x["l_fooled"] / x["n"]


@REGISTER.claim("Even on the other 457 digits, where `p_y - 1` keeps only a few significant digits, 0.5% of its "
                "signs are wrong.")
def unsaturated_digits(nb):
    x = lesson(nb)
    assert (x["rest"], x["t_rest"]) == (457, 0.5) and x["rest"] + x["n"] == x["total"] and x["l_rest"] == 0


@REGISTER.claim("Over all 500 digits the error reads 89.8% instead of 95.6% (94.0% instead of 99.6% unclipped).")
def over_all(nb):
    x = lesson(nb)
    assert (x["total"], x["t_err"], x["l_err"], x["t_free"], x["l_free"]) == (500, 89.8, 95.6, 94.0, 99.6)
    free, clipped, *_ = at_025(nb, "ConvNet")
    assert (x["l_err"], x["l_free"]) == (clipped, free)     # the library's route is the one of the tables


@REGISTER.claim("The masked gradient makes the net look robust on exactly the digits it is most confident about, "
                "and clipped, its 89.8% lands 0.4 points from the paper's 89.4% (in the paper's setting, unclipped, "
                "it reads 94.0%)")
def next_to_the_paper(nb):
    x = lesson(nb)
    paper, _ = paper_at_025(nb, "maxout network")
    assert x["t_err"] == 89.8 and round(x["t_err"] - paper, 1) == 0.4 and x["t_free"] == 94.0
    assert abs(x["t_free"] - paper) > 4 * abs(x["t_err"] - paper)      # the agreement is the clipped number's only
    assert x["t_fooled"] / x["n"] < (100 - x["t_err"]) / 100   # fooled less often on them than on all digits


@REGISTER.claim("Its float32 signs agree with the float64 twin's on every pixel of the 500 digits")
def every_pixel(nb):
    x = lesson(nb)
    assert x["l_sat"] == 0 and x["l_rest"] == 0 and x["px_sat"] + x["px_rest"] == x["total"] * 1024
    assert x["px_sat"] == x["n"] * 1024


# ---- along the FGSM direction

@REGISTER.claim("Going against the gradient (negative `eps`) the ConvNet calls the digit a 4 all the way to -1.")
def against(nb):
    digit, first = nb.numbers("c029", r"called a (\d) for eps from " + N)
    assert digit == 4 and first == -1.0


@REGISTER.claim("Going with it, the 4 loses at `eps = 0.15` and never comes back")
def loses_at(nb):
    last_4, first_other = nb.numbers("c029", r"to " + N + r"; for every eps from " + N + " to 1 something else")
    assert (last_4, first_other) == (0.125, 0.15)


@REGISTER.claim("On the attack side a straight line explains a median 97.0% of the variation of a score, though not "
                "of every score (the least straight: 18.5%).")
def straight(nb):
    median, lo, hi = nb.numbers("c029", r"explains a median ([\d.]+)% .*?\(from ([\d.]+)% to ([\d.]+)%\)")
    assert (median, lo) == (97.0, 18.5) and lo < 50 < median <= hi


@REGISTER.claim("along this digit's attack direction it is close to it, as the paper's view expects")
def this_digit(nb):
    median, lo = nb.numbers("c029", r"explains a median ([\d.]+)% .*?\(from ([\d.]+)%")
    assert median >= 95 and "digit #0" in nb.output("c029")         # one digit's line, said as one digit's


@REGISTER.claim("a single step does fool the ConvNet on 95.6% of the test digits (clipped; table above).")
def single_step(nb):
    assert round(100 - accuracies(nb, "ConvNet, clipped")[5], 1) == 95.6


# ---------------------------------------------------------------------------------------------
# Section 4: fooling images

@REGISTER.claim("Twenty-four steps make the ConvNet call this 4 a 9, just: the ascent stops as soon as the 9 has the "
                "highest score, here with 52.2%.")
def fooled(nb):
    digit, target, steps, says = nb.numbers("c032", r"a (\d), made into a (\d): after (\d+) steps the ConvNet says (\d)")
    before, after = nb.numbers("c032", r"p\(9\): ([\d.]+)% before, ([\d.]+)% after")
    assert (digit, target, steps, says, after) == (4, 9, 24, 9, 52.2) and before < 1 and 50 < after < 60


@REGISTER.claim("The perturbation's length is a third of the digit's own (3.16 against 9.75), and it is concentrated "
                "in and around the digit: 89% of its squared length lies within 2 pixels of the strokes, which cover "
                "33% of the image, and some pixels there change by 0.65.")
def perturbation(nb):
    l2, own, linf = nb.numbers("c032", r"\|\|eta\|\|_2 = ([\d.]+) \(the digit's own \|\|x\|\|_2 = ([\d.]+)\), largest "
                                      r"pixel change ([\d.]+)")
    share, area = nb.numbers("c032", r"(\d+)% of \|\|eta\|\|_2\^2 lies within 2 pixels .*?cover (\d+)% of the image")
    assert (l2, own, linf, share, area) == (3.16, 9.75, 0.65, 89, 33)
    assert abs(l2 / own - 1 / 3) < 0.02 and share > 2 * area


@REGISTER.claim("Every other class can be reached too, in 17 to 33 steps:")
def every_class(nb):
    found = nb.numbers("c034", r"steps: \{" + r"\d: (\d+), " * 8 + r"\d: (\d+)\}")
    assert len(found) == 9 and (min(found), max(found)) == (17, 33)


# ---------------------------------------------------------------------------------------------
# Section 5: adversarial training

@REGISTER.claim("Against the attack it was trained on, adversarial training works here as in the paper. At "
                "`eps = 0.25`, unclipped as in the paper, the FGSM error falls from 99.6% to 20.4% (the paper's "
                "maxout networks: from 89.4% to 17.9%); clipped, from 95.6% to 13.2%.")
def adversarial_training(nb):
    eps = nb.value("c041", r"added: \{'alpha': [\d.]+, 'eps': ([\d.]+)\}")
    _, p_free, p_clip, *_ = adv_table(nb, "ConvNet")
    _, a_free, a_clip, *_ = adv_table(nb, "adv. trained")
    before, after = nb.numbers("c042", r"FGSM error ([\d.]+)% -> ([\d.]+)%")
    assert eps == 0.25 and (p_free, a_free, before, after, p_clip, a_clip) == (99.6, 20.4, 89.4, 17.9, 95.6, 13.2)


@REGISTER.claim("The textbook gradient of section 3 gives the adversarially trained net nearly the same error (20.6% "
                "and 13.2%).")
def adv_textbook(nb):
    t_free, t_clip = nb.numbers("c042", r"textbook gradient of section 3: ([\d.]+)% unclipped, ([\d.]+)% clipped")
    _, a_free, a_clip, *_ = adv_table(nb, "adv. trained")
    assert (t_free, t_clip) == (20.6, 13.2) and abs(t_free - a_free) <= 0.4 and abs(t_clip - a_clip) <= 0.4


@REGISTER.claim("Clipped, its accuracy falls slowly with `eps`, to 86.8% at 0.25 and 79.8% at 0.3, beyond the size "
                "it was trained with, where the plain net's is 0.6%.")
def falls_slowly(nb):
    adv = nb.numbers("c042", r"adv. trained: \[" + r"([\d.]+), " * 6 + r"([\d.]+)\]")
    plain = nb.numbers("c042", r"ConvNet: \[" + r"([\d.]+), " * 6 + r"([\d.]+)\]")
    assert (adv[5], adv[6], plain[6]) == (86.8, 79.8, 0.6)
    assert all(a >= b for a, b in zip(adv, adv[1:])) and all(a > p for a, p in zip(adv[1:], plain[1:]))


@REGISTER.claim("Both recipes run 6 epochs and the zoo keeps each net's best validation epoch: the plain net's weights "
                "are those after epoch 5 (1,600 updates), this one's after epoch 6 (1,920), as the list in section 1 "
                "shows.")
def kept_epochs(nb):
    plain = nb.numbers("c006", r"^mnist_convnet: .*?kept epoch (\d+) of (\d+) \(([\d,]+) of ([\d,]+) updates\)", re.M)
    adv = nb.numbers("c006", r"^mnist_convnet_adv: .*?kept epoch (\d+) of (\d+) \(([\d,]+) of ([\d,]+) updates\)", re.M)
    assert plain == (5, 6, 1600, 1920) and adv == (6, 6, 1920, 1920)
    assert nb.value("c041", r"'num_epochs': (\d+)") == 6


@REGISTER.claim("The measurement shows that the net resists the one-step attack it was trained on, and nothing more")
def one_step(nb):
    eps = nb.value("c041", r"added: \{'alpha': [\d.]+, 'eps': ([\d.]+)\}")
    _, p_free, *_ = adv_table(nb, "ConvNet")
    _, a_free, *_ = adv_table(nb, "adv. trained")
    assert eps == 0.25 and a_free < p_free / 4      # FGSM at the training eps: the one attack measured


@REGISTER.claim("The clean error does not suffer: 1.8% for both nets.")
def clean_error(nb):
    assert adv_table(nb, "ConvNet")[0] == adv_table(nb, "adv. trained")[0] == 1.8


@REGISTER.claim("The paper reports a small gain there (0.94% to 0.84%, a regularizing effect), a tenth of a point, "
                "half of the 0.2 points one of our 500 test digits is worth: we cannot see an effect of that size.")
def small_gain(nb):
    before, after = nb.numbers("c042", r"clean error ([\d.]+)% -> ([\d.]+)%")
    digit = nb.value("c042", r"one test digit is ([\d.]+) points")
    assert (before, after, digit) == (0.94, 0.84, 0.2) and round(before - after, 2) == 0.1 == digit / 2


@REGISTER.claim("When the adversarially trained net is wrong it is less sure than the plain one (67.6% against 91.2% "
                "unclipped, 61.8% against 86.0% clipped); the paper's fell less, from 97.6% to 81.4%.")
def less_sure(nb):
    *_, p_cf, p_cc = adv_table(nb, "ConvNet")
    *_, a_cf, a_cc = adv_table(nb, "adv. trained")
    before, after = nb.numbers("c042", r"confidence ([\d.]+)% -> ([\d.]+)%")
    assert (a_cf, p_cf, a_cc, p_cc, before, after) == (67.6, 91.2, 61.8, 86.0, 97.6, 81.4)
    assert before - after < p_cf - a_cf and before - after < p_cc - a_cc


@REGISTER.claim("the paper's 17.9% comes from a larger maxout network (1600 units per layer instead of 240)")
def larger_maxout(nb):
    small, after, big = nb.numbers("c042", r"\(maxout, (\d+) units\); FGSM error [\d.]+% -> ([\d.]+)%.*?\((\d+) units\)")
    assert (small, after, big) == (240, 17.9, 1600)


@REGISTER.claim("Each of our two nets is one training run (one seed): the spread between runs is not measured, but "
                "the gaps above are tens of points, where one standard error of a rate on 500 digits is at most 2.2.")
def tens_of_points(nb):
    _, p_free, p_clip, p_cf, p_cc = adv_table(nb, "ConvNet")
    _, a_free, a_clip, a_cf, a_cc = adv_table(nb, "adv. trained")
    se = nb.value("c004", r"= ([\d.]+) points")
    assert se == 2.2 and min(p_free - a_free, p_clip - a_clip, p_cf - a_cf, p_cc - a_cc) >= max(20, 5 * se)


@REGISTER.claim("The paper's asymmetry shows up too: the adversarially trained net resists the plain net's examples "
                "(15.6% error unclipped, 8.6% clipped; the paper: 19.6%), while its own examples fool the plain net "
                "59.2% of the time unclipped, 42.6% clipped (the paper: 40.9%).")
def asymmetry(nb):
    a, b = transfer(nb)
    assert a == (15.6, 8.6, 19.6) and b == (59.2, 42.6, 40.9)
    assert a[0] < b[0] and a[1] < b[1] and a[2] < b[2]


@REGISTER.claim("In the paper's setting our asymmetry is the larger: 43.6 points between the two directions against "
                "the paper's 21.3.")
def larger_asymmetry(nb):
    a, b = transfer(nb)
    assert round(b[0] - a[0], 1) == 43.6 and round(b[2] - a[2], 1) == 21.3


@REGISTER.claim("with random Gaussian 5x5 filters as the baseline (they concentrate their weight by chance alone)")
def random_filters(nb):
    random = nb.value("c047", r"random: ([\d.]+)% \(median over 10,000")
    assert random > 2 * 100 * 5 / 25          # equal weights would put 20% in the five largest


@REGISTER.claim("The plain ConvNet's filters are no more concentrated than random Gaussian ones (41.8% against 42.9% "
                "in the five largest of 25 weights).")
def plain_filters(nb):
    plain = nb.value("c047", r"ConvNet: .*? carry ([\d.]+)%")
    random = nb.value("c047", r"random: ([\d.]+)%")
    assert (plain, random) == (41.8, 42.9) and plain <= random


@REGISTER.claim("The adversarially trained ones are a little more (46.6%), in the direction the paper describes, "
                "though the middle halves of the two sets of 16 filters overlap (40.2% to 43.4% against 41.8% to "
                "51.3%).")
def adv_filters(nb):
    p_med, p_q1, p_q3 = nb.numbers("c047", r"ConvNet: .*? carry ([\d.]+)% .*?middle half ([\d.]+)% to ([\d.]+)%")
    a_med, a_q1, a_q3 = nb.numbers("c047", r"adv. trained: .*? carry ([\d.]+)% .*?middle half ([\d.]+)% to ([\d.]+)%")
    random = nb.value("c047", r"random: ([\d.]+)%")
    assert (a_med, p_q1, p_q3, a_q1, a_q3) == (46.6, 40.2, 43.4, 41.8, 51.3)
    assert random < a_med < random + 10 and a_med > p_med and a_q1 < p_q3      # a little more; overlapping


# ---------------------------------------------------------------------------------------------
# Section 6: RBF networks and noise

@REGISTER.claim("Our RBF net has 200 Gaussian units around k-means centres of the training digits (20 per class")
def rbf_units(nb):
    units = nb.value("c050", r"rbf: rbf (\d+) Gaussian units")
    per_class = nb.value("c050", r"prototypes: (\d+) per class")
    assert (units, per_class) == (200, 20) and units == 10 * per_class


def rbf_numbers(nb):
    clean_conf, paper_clean = nb.numbers("c051", r"mean confidence ([\d.]+)% \(paper: ([\d.]+)%\)")
    clip, free, conf_clip, conf_free = nb.numbers("c051", r"error ([\d.]+)% \(unclipped ([\d.]+)%\), confidence on its "
                                                  r"mistakes ([\d.]+)% \(unclipped ([\d.]+)%\)")
    paper_err, paper_conf = nb.numbers("c051", r"paper \(sec. 7\): error ([\d.]+)%, confidence on its mistakes ([\d.]+)%")
    return dict(clean_conf=clean_conf, paper_clean=paper_clean, clip=clip, free=free, conf_clip=conf_clip,
                conf_free=conf_free, paper_err=paper_err, paper_conf=paper_conf)


@REGISTER.claim("In the paper's setting, unclipped, our RBF net is fooled more often than the paper's (88.0% against "
                "55.4%; clipped, 84.2%) and is much surer when it is (53.1% against 1.2%; clipped, 67.4%); it is "
                "also surer on clean digits (86.4% against 60.6%).")
def rbf_vs_paper(nb):
    r = rbf_numbers(nb)
    assert (r["free"], r["paper_err"], r["clip"], r["conf_free"], r["paper_conf"], r["conf_clip"],
            r["clean_conf"], r["paper_clean"]) == (88.0, 55.4, 84.2, 53.1, 1.2, 67.4, 86.4, 60.6)
    assert r["free"] > r["paper_err"] and r["conf_free"] > 10 * r["paper_conf"] and r["clean_conf"] > r["paper_clean"]


@REGISTER.claim("so the best class always gets at least 1/10, and on the FGSM digits it gets wrong far more (53.1% "
                "on average, unclipped)")
def softmax_floor(nb):
    r = rbf_numbers(nb)
    assert r["conf_free"] == 53.1 and r["conf_free"] > 4 * 10


@REGISTER.claim("which is how its confidence on mistakes can fall as low as 1.2%.")
def below_the_floor(nb):
    r = rbf_numbers(nb)
    assert r["paper_conf"] == 1.2 and r["paper_conf"] < 100 / 10     # below any 10-class softmax's answer


def strongest(nb):
    return (nb.value("c053", r"clean: strongest unit, median over the digits ([\d.]+)"),
            nb.value("c053", r" FGSM: strongest unit, median over the digits ([\d.]+)"),
            nb.value("c053", r"FGSM, unclipped: strongest unit, median over the digits ([\d.]+)"))


@REGISTER.claim("On clean digits the nearest prototype answers with 0.568 (the median over the digits); on FGSM "
                "digits with 0.399, and unclipped with 0.198")
def units_notice(nb):
    clean, fgsm, free = strongest(nb)
    assert (clean, fgsm, free) == (0.568, 0.399, 0.198) and clean > fgsm > free


@REGISTER.claim("A unit falls to 1/e only at a distance of 6.8 from its prototype, against a digit's own length of "
                "about 9.2, so even unclipped the FGSM digits keep a unit answering 0.198, a fifth of its peak, and "
                "the softmax on top still gives its wrong answers 53.1% on average.")
def wide_units(nb):
    width, norm = nb.numbers("c050", r"1/sqrt\(gamma\) = ([\d.]+) \(a digit's own norm is about ([\d.]+)\)")
    _, _, free = strongest(nb)
    r = rbf_numbers(nb)
    assert (width, norm, free, r["conf_free"]) == (6.8, 9.2, 0.198, 53.1) and width < norm
    assert round(5 * free, 1) == 1.0


def rubbish(nb, name):
    """(fraction called a digit, their mean confidence, per class counts) of a net with some digit called."""
    fraction, conf, *per_class = nb.numbers(
        "c057", re.escape(name) + r":\s+([\d.]+)% called a digit with p > 0.5 \(mean confidence ([\d.]+)%\); "
        r"per class \[" + r"(\d+), " * 9 + r"(\d+)\]")
    return fraction, conf, per_class


@REGISTER.claim("The paper drew 10,000 noise images; we draw 1,000.")
def thousand(nb):
    _, _, per_class = rubbish(nb, "ConvNet")
    assert sum(per_class) == 1000               # every one of them called a digit: 1,000 images


@REGISTER.claim("Noise fools the ConvNets as it fooled the paper's maxout network: the plain one calls all 1,000 "
                "noise images a digit, 935 of them an 8, with a mean confidence of 96.4% (the paper: 98.35% and "
                "92.8%), and adversarial training does not help (98.7%, mostly 2s).")
def noise_convnets(nb):
    fraction, conf, per_class = rubbish(nb, "ConvNet")
    a_fraction, _, a_per_class = rubbish(nb, "adv. trained")
    paper, paper_conf = nb.numbers("c057", r"maxout ([\d.]+)% \(([\d.]+)%\)")
    assert (fraction, per_class[8], conf, paper, paper_conf, a_fraction) == (100.0, 935, 96.4, 98.35, 92.8, 98.7)
    assert sum(per_class) == 1000 and max(a_per_class) == a_per_class[2] > sum(a_per_class) / 2


@REGISTER.claim("Our softmax classifier does it more often than the paper's (88.1% against 59.8%, at 82.8% against "
                "70.8%).")
def noise_softmax(nb):
    fraction, conf, _ = rubbish(nb, "softmax")
    paper, paper_conf = nb.numbers("c057", r"softmax ([\d.]+)% \(([\d.]+)%\)")
    assert (fraction, paper, conf, paper_conf) == (88.1, 59.8, 82.8, 70.8) and fraction > paper


@REGISTER.claim("The RBF net calls none of them a digit, as in the paper: noise is far from every prototype, its "
                "strongest unit answers 4.1e-09, and only the biases of the softmax layer are left to speak, 15.4% "
                "for a 3 whatever the noise.")
def noise_rbf(nb):
    fraction = nb.value("c057", r"RBF:\s+([\d.]+)% called a digit")
    paper = nb.value("c057", r"RBF ([\d.]+)%\n")
    unit, lo, hi, cls = nb.numbers("c057", r"answers " + N + r" at most; its best class gets ([\d.]+)% to ([\d.]+)%, "
                                   r"always class \[(\d)\]")
    assert (fraction, paper, unit, lo, hi, cls) == (0.0, 0.0, 4.1e-09, 15.4, 15.4, 3)


# ---------------------------------------------------------------------------------------------
# Section 7: transfer

def transfer_matrix(nb):
    rows = {name: nb.numbers("c060", r"\n\s*" + re.escape(name) + r"\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%")
            for name in ("softmax", "ConvNet", "adv. trained", "RBF", "clean error", "random signs")}
    return rows


@REGISTER.claim("The two shallow nets share their weak directions: the softmax classifier's examples fool the RBF "
                "net 82.6% of the time, the RBF net's fool the softmax classifier 97.2%.")
def shallow_share(nb):
    m = transfer_matrix(nb)
    assert (m["softmax"][3], m["RBF"][0]) == (82.6, 97.2)
    assert m["softmax"][3] > 10 * m["clean error"][3] and m["RBF"][0] > 10 * m["clean error"][0]


@REGISTER.claim("The ConvNet is hurt much less by them (21.2% and 21.8%, against 1.8% on clean digits and 2.4% "
                "under random signs) and the adversarially trained net less still (7.6% and 10.4%, against its own "
                "1.8% and 4.0%): it is the hardest target in every row.")
def hardest_target(nb):
    m = transfer_matrix(nb)
    assert (m["softmax"][1], m["RBF"][1], m["clean error"][1], m["random signs"][1]) == (21.2, 21.8, 1.8, 2.4)
    assert (m["softmax"][2], m["RBF"][2], m["clean error"][2], m["random signs"][2]) == (7.6, 10.4, 1.8, 4.0)
    assert min(m["softmax"][1], m["RBF"][1]) > 5 * m["random signs"][1] and m["RBF"][2] > 2 * m["random signs"][2]
    assert max(m["softmax"][1], m["RBF"][1]) < min(m["softmax"][3], m["RBF"][0]) / 3
    for name in ("softmax", "ConvNet", "adv. trained", "RBF"):
        assert min(m[name]) == m[name][2]


@REGISTER.claim("Examples made on the ConvNets fool the shallow nets about twice as often as random signs of the "
                "same size do (the softmax classifier 53.6% and 48.8%, the RBF net 39.6% and 35.6%, against 25.2% and "
                "18.2% under random signs, 8.0% and 7.2% clean).")
def convnet_examples(nb):
    m = transfer_matrix(nb)
    assert (m["ConvNet"][0], m["adv. trained"][0], m["ConvNet"][3], m["adv. trained"][3]) == (53.6, 48.8, 39.6, 35.6)
    assert (m["clean error"][0], m["clean error"][3], m["random signs"][0], m["random signs"][3]) == (8.0, 7.2, 25.2, 18.2)
    for col in (0, 3):
        for made_on in ("ConvNet", "adv. trained"):
            assert 1.8 <= m[made_on][col] / m["random signs"][col] <= 2.2       # about twice


@REGISTER.claim("Random signs alone hurt the shallow nets too: the size of the perturbation accounts for part of "
                "every number in their columns, the direction for the rest.")
def random_signs_hurt(nb):
    m = transfer_matrix(nb)
    for col in (0, 3):
        assert m["random signs"][col] > 2 * m["clean error"][col]
        assert all(m[name][col] > m["random signs"][col] for name in ("softmax", "ConvNet", "adv. trained", "RBF"))


# ---------------------------------------------------------------------------------------------
# Section 8: the comparison table

CLOSE = 2.5     # "what comes close": within 2.5 points


@REGISTER.claim("**What comes close**, in the paper's setting, within 2.5 points (one standard error of a rate on our "
                "500 digits is at most 2.2 points, section 1): FGSM's error on the softmax classifier (100.0% against "
                "99.9%) and on the adversarially trained net (20.4% against 17.9%), and how often noise is called a "
                "digit, by the ConvNet (100.0% against 98.35%) and by the RBF net (0% in both).")
def comes_close(nb):
    assert nb.value("c004", r"= ([\d.]+) points") == 2.2
    rows = [row(nb, "shallow softmax, FGSM eps 0.25: error"),
            row(nb, "adversarially trained maxout (1600 units): FGSM error"),
            row(nb, "Gaussian noise called a digit (p > 0.5): maxout"),
            row(nb, "Gaussian noise called a digit (p > 0.5): RBF")]
    assert [(p, o) for p, o, _, _ in rows] == [(99.9, 100.0), (17.9, 20.4), (98.35, 100.0), (0, 0.0)]
    assert all(abs(d) <= CLOSE for _, _, d, _ in rows)


@REGISTER.claim("Next come the ConvNet's confidence on that noise (96.4% against 92.8%) and the plain net's examples "
                "shown to the adversarially trained one (15.6% against 19.6%), 3.6 and 4.0 points off.")
def next_come(nb):
    p1, o1, d1, _ = row(nb, "... its mean confidence on those: maxout")
    p2, o2, d2, _ = row(nb, "examples made on the plain net: adv. trained net's error")
    assert (o1, p1, o2, p2, d1, d2) == (96.4, 92.8, 15.6, 19.6, 3.6, -4.0) and CLOSE < abs(d1) < abs(d2)


@REGISTER.claim("* *FGSM on the ConvNet* (99.6% against the maxout network's 89.4%) and *the adversarially trained "
                "net's examples shown to the plain one* (59.2% against 40.9%): our ConvNet is more fragile than the "
                "paper's maxout network.")
def more_fragile(nb):
    p1, o1, d1, _ = row(nb, "maxout network, FGSM eps 0.25: error")
    p2, o2, d2, _ = row(nb, "examples made on the adv. trained net: plain net's error")
    assert (o1, p1, o2, p2) == (99.6, 89.4, 59.2, 40.9) and d1 > 4 * CLOSE and d2 > 4 * CLOSE


@REGISTER.claim("The nets differ in architecture, regularization (dropout for the paper's) and data (4,000 training "
                "digits against 60,000)")
def data_differs(nb):
    paper_train, ours_train = nb.numbers("c063", r"paper: MNIST's ([\d,]+) training .*?ours: ([\d,]+) training digits")
    assert (paper_train, ours_train) == (60000, 4000)


@REGISTER.claim("With the textbook float32 gradient of section 3 and clipping, the first of these read 89.8%, next "
                "to the paper's 89.4%: an artifact.")
def artifact(nb):
    x = lesson(nb)
    p, o, _, clipped = row(nb, "maxout network, FGSM eps 0.25: error")
    assert x["t_err"] == 89.8 and p == 89.4 and abs(x["t_err"] - p) < 1 and clipped == x["l_err"] != x["t_err"]


@REGISTER.claim("* *The confidences* (79.3% against our 95.4% for the softmax classifier, 97.6% against 91.2% for "
                "the ConvNet, 81.4% against 67.6% after adversarial training).")
def the_confidences(nb):
    rows = [row(nb, "shallow softmax, FGSM eps 0.25: mean confidence"),
            row(nb, "maxout network, FGSM eps 0.25: mean confidence"),
            row(nb, "adversarially trained maxout: confidence on its mistakes")]
    assert [(p, o) for p, o, _, _ in rows] == [(79.3, 95.4), (97.6, 91.2), (81.4, 67.6)]
    assert all(abs(d) > 2 * CLOSE for _, _, d, _ in rows)


@REGISTER.claim("* *The RBF network* (55.4% against our 88.0% error, 1.2% against 53.1% confidence on mistakes, 60.6% "
                "against 86.4% on clean digits).")
def the_rbf_rows(nb):
    rows = [row(nb, "shallow RBF network, FGSM eps 0.25: error"), row(nb, "shallow RBF network: confidence on its mistakes"),
            row(nb, "shallow RBF network: mean confidence on clean digits")]
    assert [(p, o) for p, o, _, _ in rows] == [(55.4, 88.0), (1.2, 53.1), (60.6, 86.4)]
    assert all(d > 4 * CLOSE for _, _, d, _ in rows)


@REGISTER.claim("ours ends in a softmax, which never says less than 1/10 for its best class and turns weak unit "
                "responses into confident answers")
def weak_units_confident(nb):
    clean, _, free = strongest(nb)
    _, o, _, _ = row(nb, "shallow RBF network: confidence on its mistakes")
    assert free < clean / 2 and o > 4 * 10 and free == 0.198 and o == 53.1


@REGISTER.claim("* *The clean errors* (0.94% and 0.84% against our 1.8% for both ConvNets): other nets (maxout "
                "networks with dropout), other training (MNIST's 60,000 digits against our 4,000), and a test set of "
                "500 digits, on which one digit is 0.2 points.")
def clean_errors(nb):
    a = row(nb, "maxout (240 units) with dropout: clean test error")
    b = row(nb, "the same, adversarially trained: clean test error")
    digit = nb.value("c042", r"one test digit is ([\d.]+) points")
    assert (a[0], a[1], b[0], b[1], digit) == (0.94, 1.8, 0.84, 1.8, 0.2) and a[3] is None and b[3] is None


@REGISTER.claim("* *Noise and the softmax classifier* (59.8% against our 88.1%)")
def noise_and_softmax(nb):
    p, o, d, _ = row(nb, "Gaussian noise called a digit (p > 0.5): softmax")
    assert (p, o) == (59.8, 88.1) and d > 4 * CLOSE


@REGISTER.claim("Clipping, the last column, weakens the attack on our ConvNets and our RBF net. It brings some rows "
                "closer to the paper's, among them the ConvNet's FGSM error (95.6%) and the examples of the "
                "adversarially trained net shown to the plain one (42.6%, 1.7 points from the paper's 40.9%).")
def clipping_closer(nb):
    for quantity in ("maxout network, FGSM eps 0.25: error", "adversarially trained maxout (1600 units): FGSM error",
                     "shallow RBF network, FGSM eps 0.25: error"):
        _, ours, _, clipped = row(nb, quantity)
        assert clipped < ours
    p1, o1, _, c1 = row(nb, "maxout network, FGSM eps 0.25: error")
    p2, o2, _, c2 = row(nb, "examples made on the adv. trained net: plain net's error")
    assert (c1, c2, p2) == (95.6, 42.6, 40.9) and round(c2 - p2, 1) == 1.7
    assert abs(c1 - p1) < abs(o1 - p1) and abs(c2 - p2) < abs(o2 - p2)


@REGISTER.claim("It takes others further away, among them the adversarially trained net's error (13.2%), the plain "
                "net's examples shown to it (8.6%) and the RBF net's confidence on its mistakes (67.4%).")
def clipping_further(nb):
    found = [row(nb, q) for q in ("adversarially trained maxout (1600 units): FGSM error",
                                  "examples made on the plain net: adv. trained net's error",
                                  "shallow RBF network: confidence on its mistakes")]
    assert [c for _, _, _, c in found] == [13.2, 8.6, 67.4]
    assert all(abs(c - p) > abs(o - p) for p, o, _, c in found)



# ---------------------------------------------------------------------------------------------
# Sections 9 to 11 (issue 27): iterative attacks, PGD training, the notes' page.  The heavy runs'
# numbers are printed by the notebook from data/adversarial_*.json.

NETS6 = ("ConvNet", "FGSM-trained", "PGD-trained", "RBF", "distilled", "softmax")


def sweep(nb, name, attack):
    """The seven errors (%) of one row of section 9's table (eps 0 to 0.3)."""
    return nb.numbers("c105", r"\n\s*" + re.escape(f"{name}, {attack}") + r"\s+([\d.]+)" * 7)


def steps_row(nb, name):
    """Errors (%) after 0, 1, 2, 3, 5, 10, 20, 40 steps and FGSM's, in Madry et al.'s setting."""
    return nb.numbers("c108", r"\n\s*" + re.escape(name) + r"\s+([\d.]+)" * 9)


def loss_row(nb, name):
    """(loss at 0, loss at 0.25, highest, where, loss at the PGD examples) along the FGSM direction."""
    return nb.numbers("c110", re.escape(name) + r": mean loss along the FGSM direction ([\d.]+) at eps 0, ([\d.]+) at "
                      r"0.25 \(highest ([\d.]+) at ([\d.]+)\); at its PGD examples \(eps 0.25\) ([\d.]+)")


def madry_rows(nb):
    """{name: (clean, FGSM, PGD-10) errors at eps 0.25} and {name: (clean, FGSM, PGD-40) accuracies at 0.3}."""
    row = r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"
    at25 = {n: nb.numbers("c118", r"PGD-10[\s\S]*?\n\s*" + re.escape(n) + row) for n in
            ("ConvNet", "FGSM-trained", "PGD-trained")}
    acc = {n: nb.numbers("c118", r"PGD-40[\s\S]*?\n\s*" + re.escape(n) + row) for n in
           ("paper (table 1)", "ConvNet", "FGSM-trained", "PGD-trained")}
    return at25, acc


def targeted(nb, name, goal, attack):
    """(net wrong %, says the target % or None) of one row of the targeted table."""
    m = re.search(r"\n\s*" + re.escape(name) + r"\s+" + re.escape(goal) + r"\s+" + attack + r"\s+([\d.]+)%\s+(\S+)",
                  nb.output("c121"))
    assert m, (name, goal, attack)
    wrong = nb.value("c121", r"\n\s*" + re.escape(name) + r"\s+" + re.escape(goal) + r"\s+" + attack + r"\s+([\d.]+)%")
    if m.group(2) == "-":
        return wrong, None
    return wrong, nb.value("c121", r"\n\s*" + re.escape(name) + r"\s+" + re.escape(goal) + r"\s+" + attack
                           + r"\s+[\d.]+%\s+([\d.]+)%")


def black_box(nb, name):
    """(clean, black-box FGSM, black-box PGD, white-box FGSM, white-box PGD) errors (%) of one target."""
    found = black_box_row(nb, name)
    return (found[0],) + found[2:]


def black_box_row(nb, name):
    """(clean, random signs, black-box FGSM, black-box PGD, white-box FGSM, white-box PGD) errors (%)."""
    return nb.numbers("c124", r"\n\s*" + re.escape(name) + r"\s+([\d.]+)%" + r"\s+([\d.]+)%" * 5)


def random_signs(nb, name):
    return black_box_row(nb, name)[1]


def pixel(nb, name, k):
    """(successes, digits, mean confidence) of one line of the pixel attack's results."""
    return nb.numbers("c127", re.escape(name) + r", " + str(k) + r" pixels?\s*:\s+(\d+) of (\d+) digits moved to "
                      r"another class, mean confidence ([\d.]+)%")


def distillation(nb):
    T, epochs, err, teacher = nb.numbers("c131", r"T = (\d+), (\d+) epochs; clean test error ([\d.]+)% \(the first net "
                                         r"at T: ([\d.]+)%\)")
    fooled_moving, moving, fooled_flat, flat = nb.numbers(
        "c131", r"fools (\d+) of the (\d+) digits whose gradient is not 0, (\d+) of the other (\d+)")
    twin_flat, twin_err = nb.numbers("c131", r"float64 twin: gradient exactly 0 on (\d+) digits; FGSM from the twin's "
                                     r"signs: error ([\d.]+)%")
    gap, plain_gap = nb.numbers("c131", r"distilled ([\d.]+), ConvNet ([\d.]+)")
    zero, total = nb.numbers("c131", r"exactly 0: (\d+) of (\d+)")
    fgsm, xent, one, margin, plain = nb.numbers("c131", r"FGSM ([\d.]+), PGD on the cross-entropy ([\d.]+), one step on "
                                                r"the logits' margin ([\d.]+), PGD on the logits' margin ([\d.]+) \(the "
                                                r"ConvNet: ([\d.]+)\)")
    before = nb.value("c131", r"undistilled: ([\d.]+)%")
    after = nb.value("c131", r"T = 100\): 'less than 0.5%': ([\d.]+)%")
    cw = nb.value("c131", r"distilled and undistilled nets: success: ([\d.]+)%")
    return dict(epochs=epochs, fooled_moving=fooled_moving, moving=moving, fooled_flat=fooled_flat, flat=flat, twin_flat=twin_flat,
                twin_err=twin_err,
                T=T, err=err, teacher=teacher, gap=gap, plain_gap=plain_gap, zero=zero, total=total, fgsm=fgsm,
                xent=xent, one=one, margin=margin, plain=plain, before=before, after=after, cw=cw)


def denoise(nb, kind, eps):
    """(unaware FGSM, unaware PGD, bare FGSM, bare PGD, aware PGD) errors (%) of one filter at one eps."""
    block = re.escape(kind) + r" 3x3[\s\S]*?eps " + re.escape(str(eps)) + r": "
    return nb.numbers("c134", block + r"attacker unaware: FGSM ([\d.]+)%, PGD ([\d.]+)% \(on the bare ConvNet ([\d.]+)% "
                      r"and ([\d.]+)%\); attacker aware, PGD: ([\d.]+)%")


def denoise_clean(nb, kind):
    return nb.numbers("c134", re.escape(kind) + r" 3x3 \+ ConvNet: clean error ([\d.]+)% \(the bare ConvNet: ([\d.]+)%\)")


@REGISTER.claim("Sections 9 to 11 go beyond the paper: attacks of many small steps, a net trained against them, and "
                "the attacks and defences of the CS231n notes' page on adversarial attacks, measured on two more nets "
                "of the zoo.")
def two_more_nets(nb):
    found = nb.all_numbers("c006", r"^mnist_convnet_(?:pgd|distilled): MNIST .*?test accuracy ([\d.]+)%", re.M)
    assert len(found) == 2 and all(acc >= 95.0 for (acc,) in found)     # two trained nets of the zoo


@REGISTER.claim("On these 50 digits PGD fools the adversarially trained net 46 times, FGSM 8 times, and no pixel of "
                "PGD's images has moved by more than 0.25 or left [0, 1].")
def live_pgd(nb):
    k, one, many = nb.numbers("c103", r"first (\d+) digits: FGSM fools (\d+), PGD fools (\d+)")
    move, lo, hi = nb.numbers("c103", r"largest change of a pixel ([\d.]+); its pixels from (\S+) to (\S+)\n")
    assert (k, many, one) == (50, 46, 8) and move <= 0.25 and lo >= 0 and hi <= 1


@REGISTER.claim("PGD is never weaker than FGSM here: over the 42 pairs of net and `eps`, its error is from 0.0 to "
                "84.0 points above FGSM's.")
def never_weaker(nb):
    pairs, lo, hi = nb.numbers("c105", r"over the (\d+) pairs of nets and eps: from ([-+][\d.]+) to ([-+][\d.]+) points")
    gaps = [p - f for n in NETS6 for f, p in zip(sweep(nb, n, "FGSM"), sweep(nb, n, "PGD"))]
    assert (pairs, lo, hi) == (42, 0.0, 84.0) and len(gaps) == 42
    assert round(min(gaps), 1) == lo >= 0 and round(max(gaps), 1) == hi


@REGISTER.claim("On the plain ConvNet the extra steps matter most at middle sizes: at `eps = 0.15` PGD gets 83.6% "
                "of the digits wrong, FGSM 58.4%.")
def middle_sizes(nb):
    f, p = sweep(nb, "ConvNet", "FGSM"), sweep(nb, "ConvNet", "PGD")
    assert (p[3], f[3]) == (83.6, 58.4)
    gaps = [b - a for a, b in zip(f, p)]
    assert max(gaps) == gaps[3] and gaps[0] == 0 and gaps[-1] < max(gaps) / 3 and gaps[1] < max(gaps) / 3


@REGISTER.claim("The FGSM-trained net shows the false sense of robustness: at `eps = 0.25`, the size it was trained "
                "with, FGSM gets 13.2% of its digits wrong and PGD 97.2%, about as many as FGSM gets of the plain "
                "ConvNet's (95.6%).")
def false_sense(nb):
    f, p = sweep(nb, "FGSM-trained", "FGSM"), sweep(nb, "FGSM-trained", "PGD")
    plain = sweep(nb, "ConvNet", "FGSM")
    eps = nb.value("c041", r"added: \{'alpha': [\d.]+, 'eps': ([\d.]+)\}")
    assert eps == 0.25 and (f[5], p[5], plain[5]) == (13.2, 97.2, 95.6) and abs(p[5] - plain[5]) < 2.2


@REGISTER.claim("Apart from the distilled net, the net trained against PGD (section 10) holds best under PGD, 23.8% at "
                "`eps = 0.25`.")
def holds_best(nb):
    at = {n: sweep(nb, n, "PGD")[5] for n in NETS6}
    assert at["PGD-trained"] == 23.8
    assert all(at["PGD-trained"] < at[n] for n in NETS6 if n not in ("PGD-trained", "distilled"))
    assert at["distilled"] < at["PGD-trained"]


@REGISTER.claim("The distilled net's errors barely move with `eps` (9.6% under FGSM at every size from 0.05 to 0.3, "
                "14.2% under PGD at 0.3)")
def distilled_flat(nb):
    f, p = sweep(nb, "distilled", "FGSM"), sweep(nb, "distilled", "PGD")
    assert set(f[1:]) == {9.6} and p[6] == 14.2 and max(p) - min(p[1:]) < 5


@REGISTER.claim("10 steps cannot yet spend the budget of 0.3, 30 can.")
def budget_arithmetic(nb):
    eps, alpha = nb.numbers("c108", r"eps = ([\d.]+), steps of alpha = ([\d.]+) from a random start")
    assert 10 * alpha < eps <= 30 * alpha + 1e-12


@REGISTER.claim("The number of steps decides: the plain ConvNet is wrong on 2.6% of the digits after one step, "
                "74.0% after 10 and 100.0% after 20; the FGSM-trained net on 4.4%, 50.4% and 93.2%, and on all of "
                "them after 40, where one FGSM step of 0.3 leaves it at 20.2%.")
def steps_decide(nb):
    c, a = steps_row(nb, "ConvNet"), steps_row(nb, "FGSM-trained")
    assert (c[1], c[5], c[6]) == (2.6, 74.0, 100.0) and (a[1], a[5], a[6], a[7], a[8]) == (4.4, 50.4, 93.2, 100.0, 20.2)
    assert all(x <= y for x, y in zip(c[:8], c[1:8])) and all(x <= y for x, y in zip(a[:8], a[1:8]))


@REGISTER.claim("Apart from the distilled net, the PGD-trained net holds longest, 43.0% after 40 steps.")
def holds_longest(nb):
    rows = {n: steps_row(nb, n) for n in NETS6}
    assert rows["PGD-trained"][7] == 43.0
    assert all(rows["PGD-trained"][7] < rows[n][7] for n in NETS6 if n not in ("PGD-trained", "distilled"))
    assert rows["distilled"][7] < rows["PGD-trained"][7]


@REGISTER.claim("The distilled net stops at 14.2% after 3 steps.")
def distilled_stops(nb):
    r = steps_row(nb, "distilled")
    assert r[3] == r[4] == r[5] == r[6] == r[7] == 14.2 and r[2] < 14.2


@REGISTER.claim("Along the FGSM direction the FGSM-trained net's mean loss grows little, from 0.062 at `eps = 0` to "
                "0.445 at 0.25, where the plain ConvNet's grows from 0.075 to 6.393.")
def flat_loss(nb):
    a, c = loss_row(nb, "FGSM-trained"), loss_row(nb, "ConvNet")
    assert (a[0], a[1], c[0], c[1]) == (0.062, 0.445, 0.075, 6.393) and c[1] / c[0] > 10 * a[1] / a[0]


@REGISTER.claim("Yet PGD examples of the same size have a mean loss of 4.958 on the FGSM-trained net, eleven times "
                "what FGSM finds.")
def eleven_times(nb):
    a = loss_row(nb, "FGSM-trained")
    assert a[4] == 4.958 and round(a[4] / a[1]) == 11


@REGISTER.claim("The PGD-trained net is flat both ways: 0.490 along the FGSM direction, 0.704 at its PGD examples.")
def flat_both(nb):
    p, a = loss_row(nb, "PGD-trained"), loss_row(nb, "FGSM-trained")
    assert (p[1], p[4]) == (0.490, 0.704) and p[4] / p[1] < 2 < a[4] / a[1]


@REGISTER.claim("Ours shows no leak: with its own answers FGSM gets 12.4% of the FGSM-trained net's digits wrong, with "
                "the true labels 13.2%, 0.8 points (4 digits) more, and both lie far above its clean error of 1.8%.")
def no_leak(nb):
    true, own = nb.numbers("c112", r"FGSM-trained, FGSM at eps 0.25: error ([\d.]+)% with the true label, ([\d.]+)% with")
    clean = sweep(nb, "FGSM-trained", "FGSM")[0]
    digit = nb.value("c042", r"one test digit is ([\d.]+) points")
    assert (own, true, clean) == (12.4, 13.2, 1.8) and round(true - own, 1) == 0.8 and round((true - own) / digit) == 4
    assert own <= true and min(own, true) > 5 * clean


@REGISTER.claim("and changes what the first line shows: PGD examples at `eps = 0.25` from 3 steps of 0.1, the budget "
                "ramped up over the first epoch's 320 minibatches, and 3 epochs instead of 6.")
def recipe_changes(nb):
    alpha, eps, epochs, ramp, steps = nb.numbers("c116", r"\{'alpha': ([\d.]+), 'eps': ([\d.]+), 'num_epochs': (\d+), "
                                                 r"'ramp': (\d+), 'steps': (\d+)\}")
    plain_epochs = nb.value("c041", r"'num_epochs': (\d+)")
    train, copies, batch = nb.numbers("c041", r"'num_train': (\d+)[\s\S]*'shifted_copies': (\d+)") + \
        (nb.value("c041", r"'batch_size': (\d+)"),)
    assert (alpha, eps, steps, epochs, plain_epochs) == (0.1, 0.25, 3, 3, 6)
    assert ramp == train * (1 + copies) / batch == 320        # one epoch of minibatches


@REGISTER.claim("A minibatch costs 4 forward and backward passes instead of 1, so the training costs twice the plain "
                "recipe's (3 epochs of 4 passes against 6 of 1); on our busy machine it took 35 minutes, 4 of them on "
                "the CPU.")
def twice_the_cost(nb):
    passes, madry = nb.numbers("c116", r"passes per minibatch: (\d+) \(Madry et al. on MNIST: (\d+)\)")
    minutes, cpu = nb.numbers("c116", r"training took (\d+) minutes \((\d+) of CPU\)")
    assert cpu == 4 and cpu < minutes
    epochs = nb.value("c116", r"'num_epochs': (\d+)")
    plain_epochs = nb.value("c041", r"'num_epochs': (\d+)")
    assert (passes, minutes) == (4, 35) and epochs * passes == 2 * plain_epochs * 1 and madry == 41


@REGISTER.claim("The price in clean accuracy is too small to see on 500 digits: 2.0% test error against 1.8%, one "
                "digit.")
def clean_price(nb):
    plain, fgsm_t, pgd_t = nb.numbers("c116", r"clean test error: ConvNet ([\d.]+)%, FGSM-trained ([\d.]+)%, PGD-trained "
                                      r"([\d.]+)%")
    digit = nb.value("c042", r"one test digit is ([\d.]+) points")
    se = nb.value("c004", r"= ([\d.]+) points")
    assert (pgd_t, plain) == (2.0, 1.8) and round((pgd_t - plain) / digit) == 1 and pgd_t - plain < se


@REGISTER.claim("Of the three ConvNets, the PGD-trained one alone resists PGD: at `eps = 0.25`, 10 steps get "
                "23.8% of its digits wrong, against 100.0% of the plain ConvNet's and 97.2% of the FGSM-trained "
                "one's, and FGSM gets 15.8%, a little more than the FGSM-trained net's 13.2%.")
def only_one_holds(nb):
    at25, _ = madry_rows(nb)
    assert at25["PGD-trained"][1:] == (15.8, 23.8) and at25["ConvNet"][2] == 100.0 and at25["FGSM-trained"][1:] == (13.2, 97.2)
    assert at25["PGD-trained"][1] - at25["FGSM-trained"][1] < 5 and at25["PGD-trained"][2] < at25["FGSM-trained"][2] / 3


@REGISTER.claim("In Madry et al.'s setting (`eps = 0.3`) it keeps 57.0% of the digits under 40 steps, where theirs "
                "kept 93.2%, and 76.8% under FGSM against their 95.6%; its clean accuracy, 98.0%, is 0.8 points below "
                "theirs (98.8%).")
def madry_setting(nb):
    _, acc = madry_rows(nb)
    paper, ours = acc["paper (table 1)"], acc["PGD-trained"]
    assert paper == (98.8, 95.6, 93.2) and ours == (98.0, 76.8, 57.0) and round(paper[0] - ours[0], 1) == 0.8
    assert ours[2] > max(acc["ConvNet"][2], acc["FGSM-trained"][2])


@REGISTER.claim("ours was trained at 0.25 with 3 steps for 3 epochs of 4,000 digits and their shifted copies, and is "
                "one training run (one seed).")
def ours_trained(nb):
    eps, epochs, steps = nb.numbers("c116", r"'eps': ([\d.]+), 'num_epochs': (\d+), 'ramp': \d+, 'steps': (\d+)")
    train = nb.value("c041", r"'num_train': (\d+)")
    assert (eps, epochs, steps, train) == (0.25, 3, 3, 4000)


@REGISTER.claim("With FGSM the ConvNet says the next digit on 43.8% of the digits and the least likely class on 9.6%, "
                "while untargeted FGSM makes it wrong on 95.6%; the softmax classifier says them on 88.0% and 66.8%, "
                "against 100.0%.")
def targeted_one_step(nb):
    assert targeted(nb, "ConvNet", "next", "FGSM")[1] == 43.8 and targeted(nb, "ConvNet", "least likely", "FGSM")[1] == 9.6
    assert targeted(nb, "ConvNet", "untargeted", "FGSM")[0] == 95.6
    assert targeted(nb, "softmax", "next", "FGSM")[1] == 88.0 and targeted(nb, "softmax", "least likely", "FGSM")[1] == 66.8
    assert targeted(nb, "softmax", "untargeted", "FGSM")[0] == 100.0


@REGISTER.claim("A targeted attack is the harder goal, as the notes say, but mostly for one step.")
def harder_goal(nb):
    for name in ("ConvNet", "softmax"):
        for attack in ("FGSM", "PGD"):
            untargeted = targeted(nb, name, "untargeted", attack)[0]
            for goal in ("next", "least likely"):
                assert targeted(nb, name, goal, attack)[1] < untargeted
        one = targeted(nb, name, "untargeted", "FGSM")[0] - targeted(nb, name, "least likely", "FGSM")[1]
        many = targeted(nb, name, "untargeted", "PGD")[0] - targeted(nb, name, "least likely", "PGD")[1]
        assert many < one


@REGISTER.claim("Ten steps close most of the gap: targeted PGD makes the ConvNet say the next digit on 95.0% of the "
                "digits and the least likely class on 83.0% (the softmax classifier: 96.0% and 92.6%).")
def ten_steps_close(nb):
    assert targeted(nb, "ConvNet", "next", "PGD")[1] == 95.0 and targeted(nb, "ConvNet", "least likely", "PGD")[1] == 83.0
    assert targeted(nb, "softmax", "next", "PGD")[1] == 96.0 and targeted(nb, "softmax", "least likely", "PGD")[1] == 92.6
    for name in ("ConvNet", "softmax"):
        for goal in ("next", "least likely"):
            gap_one = targeted(nb, name, "untargeted", "FGSM")[0] - targeted(nb, name, goal, "FGSM")[1]
            gap_many = targeted(nb, name, "untargeted", "PGD")[0] - targeted(nb, name, goal, "PGD")[1]
            assert gap_many < gap_one / 2 or gap_one <= 12


@REGISTER.claim("The least likely class is the harder target in all four rows.")
def least_likely_harder(nb):
    for name in ("ConvNet", "softmax"):
        for attack in ("FGSM", "PGD"):
            assert targeted(nb, name, "least likely", attack)[1] < targeted(nb, name, "next", attack)[1]


@REGISTER.claim("Here the substitute is `mnist_convnet_noreg`: the ConvNet's recipe without its weight decay, so the "
                "same architecture, digits, optimizer and even seed, which gives it the ConvNet's initial weights and "
                "minibatches (the FGSM-trained, PGD-trained and distilled nets start from those weights too).")
def shared_seed(nb):
    reg = nb.numbers("c124", r"\(ConvNet, substitute\): \{'reg': \(([\d.]+), ([\d.]+)\)\}\n")
    seeds = nb.numbers("c124", r"\{'substitute': (\d+), 'ConvNet': (\d+), 'FGSM-trained': (\d+), 'PGD-trained': "
                       r"(\d+), 'distilled': (\d+)\}")
    assert reg == (0.0005, 0.0) and len(set(seeds)) == 1      # only the weight decay differs; one seed for all five


@REGISTER.claim("The substitute's first-layer filters are all but the ConvNet's (correlation 0.997), and with that much "
                "shared its attack works on the undefended nets: its PGD examples fool the ConvNet on 100.0% of the "
                "digits, as white-box PGD does, and the softmax classifier and the RBF net on 46.0% and 34.4%, above "
                "what random signs do to them (25.2% and 18.2%; clean: 8.0% and 7.2%).")
def black_box_works(nb):
    corr = nb.value("c124", r"\{'ConvNet': ([\d.]+),")
    c, s, r = black_box(nb, "ConvNet"), black_box(nb, "softmax"), black_box(nb, "RBF")
    assert corr == 0.997 and corr > 0.99
    assert c[2] == c[4] == 100.0 and (s[2], r[2], s[0], r[0]) == (46.0, 34.4, 8.0, 7.2)
    assert (random_signs(nb, "softmax"), random_signs(nb, "RBF")) == (25.2, 18.2)
    assert s[2] > 1.5 * random_signs(nb, "softmax") and r[2] > 1.5 * random_signs(nb, "RBF")


@REGISTER.claim("Both adversarially trained nets resist them (11.8% for the FGSM-trained, 7.2% for the PGD-trained).")
def trained_resist(nb):
    a, p, c = black_box(nb, "FGSM-trained"), black_box(nb, "PGD-trained"), black_box(nb, "ConvNet")
    assert (a[2], p[2]) == (11.8, 7.2) and max(a[1], a[2], p[1], p[2]) < c[2] / 5


@REGISTER.claim("The black box unmasks the distilled net: the substitute's examples fool it on 60.4% (FGSM) and 65.0% "
                "(PGD) of the digits, where white-box FGSM and PGD, made with its own gradient, manage 9.6% and 12.0%, "
                "less than random signs (14.2%).")
def unmasks(nb):
    d = black_box(nb, "distilled")
    noise = random_signs(nb, "distilled")
    assert d[1:] == (60.4, 65.0, 9.6, 12.0) and min(d[1], d[2]) > 4 * max(d[3], d[4])
    assert noise == 14.2 and max(d[3], d[4]) < noise


@REGISTER.claim("On our digits a few pixels rarely suffice: the search moves 9 of the softmax classifier's 100 digits "
                "with one pixel and 13 with five, and 2 of the ConvNet's with either.")
def few_pixels(nb):
    s1, s5, c1, c5 = pixel(nb, "softmax", 1), pixel(nb, "softmax", 5), pixel(nb, "ConvNet", 1), pixel(nb, "ConvNet", 5)
    assert (s1[:2], s5[:2], c1[:2], c5[:2]) == ((9, 100), (13, 100), (2, 100), (2, 100))
    assert max(s1[0], s5[0], c1[0], c5[0]) / 100 < 0.2


@REGISTER.claim("Su et al. move 67.97% of CIFAR-10's test images with one pixel (16.04% of ImageNet's), with a larger "
                "search (the notes' 400 candidates)")
def su_et_al(nb):
    cifar = nb.value("c127", r"([\d.]+)% of CIFAR-10 test images")
    imagenet = nb.value("c127", r"([\d.]+)% of ImageNet test images")
    ours = nb.value("c127", r"(\d+) candidates, at most")
    assert (cifar, imagenet) == (67.97, 16.04) and ours < 400


@REGISTER.claim("On the two digits each search moves, the ConvNet's new answers are not sure ones: 53.6% and 68.1% "
                "confidence on average.")
def pixel_confidence(nb):
    assert (pixel(nb, "ConvNet", 1)[2], pixel(nb, "ConvNet", 5)[2]) == (53.6, 68.1)
    assert pixel(nb, "ConvNet", 1)[0] == pixel(nb, "ConvNet", 5)[0] == 2
    plain = nb.numbers("c025", r"ConvNet: error [\d.]+% unclipped, [\d.]+% clipped; confidence on its mistakes "
                       r"[\d.]+% unclipped, ([\d.]+)% clipped")[0]
    assert max(pixel(nb, "ConvNet", 1)[2], pixel(nb, "ConvNet", 5)[2]) < plain


@REGISTER.claim("FGSM on the distilled net looks like a strong defence: 9.6% error at `eps = 0.25`, against 95.6% for "
                "the plain ConvNet, and PGD on the same loss gets 12.0%.")
def distilled_looks_strong(nb):
    x = distillation(nb)
    assert (x["fgsm"], x["xent"]) == (9.6, 12.0) and sweep(nb, "ConvNet", "FGSM")[5] == 95.6


@REGISTER.claim("Trained at `T = 100` and used at `T = 1`, its logits are huge: the median gap between its two largest "
                "is 434.8, against 10.4 for the ConvNet.")
def huge_logits(nb):
    x = distillation(nb)
    assert (x["T"], x["gap"], x["plain_gap"]) == (100, 434.8, 10.4) and x["gap"] > 30 * x["plain_gap"]


@REGISTER.claim("so the loss's gradient is exactly 0, on 452 of the 500 digits: FGSM's sign of 0 is 0, and those "
                "digits do not move.")
def zero_gradients(nb):
    x = distillation(nb)
    assert (x["zero"], x["total"]) == (452, 500)
    assert math.exp(-x["gap"]) == 0.0 or x["gap"] > 104          # exp(-104) is below float32's smallest number


@REGISTER.claim("FGSM fools every one of the 48 digits whose gradient is not 0, and none of the 452.")
def fools_the_moving(nb):
    x = distillation(nb)
    assert (x["fooled_moving"], x["moving"], x["fooled_flat"], x["flat"]) == (48, 48, 0, 452)
    assert x["flat"] == x["zero"] and x["moving"] + x["flat"] == x["total"]
    assert round(100 * x["fooled_moving"] / x["total"], 1) == x["fgsm"]        # FGSM's 9.6% is those digits


@REGISTER.claim("The masking is float32's: the float64 twin of section 3 has a gradient on all but 35 digits, and "
                "FGSM made from its signs fools the distilled net on 92.0% of the digits.")
def float64_unmasks(nb):
    x = distillation(nb)
    assert (x["twin_flat"], x["twin_err"]) == (35, 92.0) and x["twin_flat"] < x["zero"] / 10
    assert x["twin_err"] > 9 * x["fgsm"]


@REGISTER.claim("one signed step up the margin between the strongest wrong logit and the right one (`loss=\"margin\"`) "
                "fools the distilled net on 98.2% of the digits, 10 steps on 100.0%, as on the plain ConvNet (100.0%).")
def margin_attack(nb):
    x = distillation(nb)
    assert (x["one"], x["margin"], x["plain"]) == (98.2, 100.0, 100.0) and x["one"] > 8 * x["fgsm"]


@REGISTER.claim("Papernot et al. report that distillation cut the success of their attack on MNIST from 95% to less "
                "than 0.5%")
def papers_distillation(nb):
    x = distillation(nb)
    assert (x["before"], x["after"]) == (95, 0.5)
    assert "JSMA" in nb.output("c131")            # their attack, named where the number is printed


@REGISTER.claim("Carlini and Wagner's attacks succeeded on 100% of the images, distilled or not")
def carlini_wagner(nb):
    assert distillation(nb)["cw"] == 100


@REGISTER.claim("Our attacks, at a fixed `eps = 0.25`, point the same way as both papers: the defence holds against an "
                "attack that reads the softmax's float32 gradient and fails against one that reads the logits, or the "
                "gradient in float64.")
def agrees_with_both(nb):
    x = distillation(nb)
    eps = nb.value("c131", r"eps = ([\d.]+), error \(%\)")
    assert eps == 0.25
    assert x["fgsm"] < 100 - x["before"] + 10 and x["margin"] >= 99 and x["twin_err"] >= 90


@REGISTER.claim("It also costs clean accuracy here, 4.6% test error against the ConvNet's 1.8%, after a recipe of 3 "
                "epochs where the ConvNet's has 6.")
def distillation_cost(nb):
    x = distillation(nb)
    assert nb.value("c041", r"'num_epochs': (\d+)") == 6 and x["epochs"] == 3
    plain = nb.value("c116", r"clean test error: ConvNet ([\d.]+)%")
    se = nb.value("c004", r"= ([\d.]+) points")
    assert (x["err"], plain) == (4.6, 1.8) and x["err"] - plain > se


@REGISTER.claim("Against an attacker who does not know the filter, denoising helps at `eps = 0.25`: under FGSM the "
                "ConvNet's error falls from 95.6% to 83.8% with the median filter and to 74.0% with the blur; under PGD "
                "from 100.0% to 98.6% and 80.8%.")
def denoise_helps(nb):
    m, b = denoise(nb, "median", 0.25), denoise(nb, "blur", 0.25)
    assert (m[2], m[0], b[0], m[3], m[1], b[1]) == (95.6, 83.8, 74.0, 100.0, 98.6, 80.8)
    assert m[0] < m[2] and b[0] < b[2] and m[1] < m[3] and b[1] < b[3]


@REGISTER.claim("At `eps = 0.1` it does nothing against FGSM (24.2% becomes 23.6% and 23.8%) and helps against PGD "
                "(38.4% becomes 26.0% and 24.2%).")
def denoise_small(nb):
    m, b = denoise(nb, "median", 0.1), denoise(nb, "blur", 0.1)
    se = nb.value("c004", r"= ([\d.]+) points")
    assert (m[2], m[0], b[0], m[3], m[1], b[1]) == (24.2, 23.6, 23.8, 38.4, 26.0, 24.2)
    assert abs(m[0] - m[2]) < se and abs(b[0] - b[2]) < se and m[3] - m[1] > 4 * se and b[3] - b[1] > 4 * se


@REGISTER.claim("Against an attacker who knows it, it fails: PGD through the filter gets 99.6% (median) and 99.2% "
                "(blur) of the digits wrong at `eps = 0.25`, and knowing the blur makes PGD at 0.1 stronger than on the "
                "bare ConvNet (45.0% against 38.4%).")
def denoise_fails(nb):
    m, b, b1 = denoise(nb, "median", 0.25), denoise(nb, "blur", 0.25), denoise(nb, "blur", 0.1)
    assert (m[4], b[4], b1[4], b1[3]) == (99.6, 99.2, 45.0, 38.4) and b1[4] > b1[3]
    assert m[4] > m[1] and b[4] > b[1]


@REGISTER.claim("The filters also cost clean accuracy: 4.8% (median) and 5.8% (blur) test error against 1.8%.")
def denoise_cost(nb):
    (m, bare), (b, bare2) = denoise_clean(nb, "median"), denoise_clean(nb, "blur")
    assert (m, b, bare, bare2) == (4.8, 5.8, 1.8, 1.8)


@REGISTER.claim("Every net on all 500 test digits, for `eps` from 0 to 0.3, takes longer than this notebook should")
def heavy_run(nb):
    n, minutes, cpu = nb.numbers("c105", r"(\d+) digits; PGD: .*?the run took (\d+) minutes of wall clock, ([\d.]+) of "
                                 r"CPU")
    eps = nb.numbers("c105", r"error \(%\) at eps" + r"\s+([\d.]+)" * 7)
    assert n == 500 and (eps[0], eps[-1]) == (0.0, 0.3) and cpu * 60 > 45 and minutes >= cpu   # the budget: 45 s


@REGISTER.claim("PGD here takes 10 steps of `alpha = eps / 4` from a random start; FGSM is clipped, as PGD is.")
def sweep_setting(nb):
    steps, ratio = nb.numbers("c105", r"PGD: (\d+) steps of ([\d.]+) \* eps, random start")
    assert (steps, ratio) == (10, 0.25)


@REGISTER.claim("Two more nets of the zoo join the four: one trained against PGD (section 10) and one trained by "
                "defensive distillation (section 11).")
def six_nets(nb):
    zoo = {name: nb.value("c006", r"^mnist_convnet_" + name + r": MNIST .*?test accuracy ([\d.]+)%", re.M)
           for name in ("pgd", "distilled")}
    for name, key in (("PGD-trained", "pgd"), ("distilled", "distilled")):
        assert sweep(nb, name, "FGSM")[0] == sweep(nb, name, "PGD")[0] == round(100 - zoo[key], 1)
    assert all(len(sweep(nb, name, "PGD")) == 7 for name in NETS6)


@REGISTER.claim("Training on FGSM examples flattened the loss along the one direction FGSM looks in, the sign of the "
                "gradient at the digit, and not around it")
def flattened(nb):
    a, c = loss_row(nb, "FGSM-trained"), loss_row(nb, "ConvNet")
    assert a[1] < c[1] / 10 and a[4] > 5 * a[1]


@REGISTER.claim("Ours, scipy's `differential_evolution` with that rule, is smaller: 60 candidates, at most 20 "
                "generations, stopped at the first success; it tries 1 pixel and 5 pixels on the first 100 test digits "
                "each net gets right:")
def pixel_setting(nb):
    pop, gens, F = nb.numbers("c127", r"(\d+) candidates, at most (\d+) generations, F = ([\d.]+)")
    assert (pop, gens, F) == (60, 20, 0.5) and pop < 400
    assert pixel(nb, "softmax", 1)[1] == pixel(nb, "ConvNet", 5)[1] == 100

# ---------------------------------------------------------------------------------------------

@REGISTER.claim("On this digit, ten steps of PGD on the cross-entropy leave the distilled net's answer as it was; "
                "on the margin, the same ten steps change it.")
def _(nb):
    pattern = (r"model: distilled; digit #(\d+) of 50: a (\d)\n[^\n]*\nPGD: x_0 = x \+ uniform noise[^\n]*then "
               r"(\d+) steps, untargeted:\nx_t\+1 = project\(x_t \+ eps/4 \* sign\(grad_x {}\(x_t, \d\)\)\)[^\n]*\n"
               r"(?:M\(x, c\)[^\n]*\n)?before: says (\d) with probability [\d.]+%\nafter:  says (\d) with")
    digit_j, label_j, steps_j, before_j, after_j = nb.numbers("c132b", pattern.format("J"))
    digit_m, label_m, steps_m, before_m, after_m = nb.numbers("c132b", pattern.format("M"))
    assert digit_j == digit_m and label_j == label_m and steps_j == steps_m == 10
    assert before_j == before_m == label_j            # the net is right on the digit to begin with
    assert after_j == before_j and after_m != before_m


NOT_CLAIMS = REGISTER.not_claims([
    ("saying where they agree and where they do not", "the plan of the notebook; each agreement is claimed where it is "
     "stated"),
    ("The paper tests on MNIST's 10,000 test digits.", "the paper's setup as the paper states it, not a measurement"),
    ("From here on every image is one grey channel of 32x32 = 1,024 pixels", "arithmetic the sentence shows"),
    ("For the class 3 and `eps = 0.1`:", "names the setting of the cell below"),
    ("Take weights of the same mean size `m` as our classifier's and the smallest change an 8-bit image can even store",
     "the setting of the cell below"),
    ("That is the paper's point (its section 3)", "a paraphrase of the paper's argument; the measurements it rests on "
     "are claimed in the sentences before it"),
    ("`eps * sign(w_c)` raises the score of class `c` the most", "the maximum derived in section 2 (a definition), "
     "shown on the weights in the figure below"),
    ("A network is not linear, but if it behaves nearly linearly around a digit", "the paper's reasoning behind FGSM, "
     "introducing its definition"),
    ("`fgsm` clips the result to [0, 1], so that an adversarial digit is still an image.", "describes fgsm's default "
     "(its source is shown above)"),
    ("(Our nets' `predict` refuses a batch that is clearly not in [0, 1]", "describes the library's API (the input "
     "convention, tested in tests/test_input_convention.py)"),
    ("Here is the accuracy of the softmax classifier and of the ConvNet for `eps` from 0 to 0.3", "introduces the "
     "cell below"),
    ("PyTorch's float32 `cross_entropy` loses the same term", "a statement about PyTorch's source "
     "(aten/src/ATen/native/cpu/SoftMaxKernel.cpp, _vec_log_softmax_backward); its arithmetic in float32 is checked by "
     "tests/test_adversarial.py::test_pytorchs_log_softmax_backward_formula_loses_the_true_class_term_in_float32"),
    ("Here is the textbook route, in a few lines, beside a float64 twin", "introduces the cell below"),
    ("A float64 twin is the cheap check.", "a recommendation; the check is the cell above"),
    ("The digits are still easy to read, but a grey haze covers the background", "describes the figure above; the "
     "lighter background follows from clipping at 0"),
    ("We do the same for `eps` from -1 to 1, unclipped.", "the setting of the cell below"),
    ("normalized to the same length (here 0.2, measured over all pixels)", "the method's setting (step=0.2 below)"),
    ("We also clip to [0, 1] after every step.", "the method (clip=(0, 1) in its source above)"),
    ("**Try it.** The explorer attacks one of the first 50 test digits", "an instruction"),
    ("J~(x, y) = alpha * J(x, y) + (1 - alpha) * J(x + eps * sign(grad_x J(x, y)), y)", "the paper's objective, a "
     "definition"),
    ("The examples are made anew for every minibatch and held fixed while the weights move", "describes the objective "
     "(its source is shown below; tests/test_adversarial.py checks the gradient with the examples held fixed)"),
    ("The paper also found the adversarially trained net's first-layer weights", "the paper's finding, quoted "
     "(declared in OTHER_SOURCES); ours is measured in the claims below"),
    ("Whether they are more interpretable, judge for yourself.", "an invitation to look at the figure"),
    ("A unit of an RBF network responds to how close the image is to its prototype", "a definition"),
    ("Far from every prototype every unit is quiet, and the net has nothing to be sure about", "the paper's argument "
     "and words (declared in OTHER_SOURCES); ours is measured below"),
    ("Here is the strongest unit's response (1 on a prototype):", "introduces the cell below (1 by definition)"),
    ("**Rubbish.** The paper's appendix A shows the nets images that are no digit at all", "the paper's setup"),
    ("A net that answers \"some digit, with probability above 0.5\" is confident about rubbish.", "the paper's "
     "criterion, a definition"),
    ("What the paper's abstract calls the most intriguing fact about adversarial examples",
     "the paper's word for Szegedy et al.'s finding (its abstract: 'the most intriguing fact about them: their "
     "generalization across architectures and training sets'); ours is measured in the claims below"),
    ("Clean digits are one baseline; the other, the control that isolates the direction",
     "defines the baseline row of the cell below"),
    ("The paper's figure 3 shows the weights of its maxout network, each over the whole digit",
     "the paper's setting beside ours (its figure shows the weights of a maxout network with no convolution; ours "
     "are the 5x5 filters of the cell above)"),
    ("The paper's numbers for the experiments above, each with its section", "introduces the table below"),
    ("`fgsm_step(x, grad, eps)` returns the image `x` moved by `eps`", "an exercise's instructions"),
    ("Where the gradient is exactly 0 the pixel stays.", "an exercise's instructions"),
    ("returns the largest amount by which the score `w.x` can grow", "an exercise's instructions"),
    ("`w` may have any shape, for example 32x32 weights over the pixels of an image.", "an exercise's instructions"),
    ("takes the class probabilities `probs` (N, C) of N examples", "an exercise's instructions"),
    # sections 9 to 11
    ("More than one step: iterative attacks", "a heading"),
    ("take many small steps instead, computing the gradient anew at each", "describes the method (its source is shown "
     "below; tests/test_adversarial.py checks it against a loop of steps and projections)"),
    ("x_0 = x + uniform noise in [-eps, eps], projected", "the method's definition"),
    ("Their loop adds `epsilon * delta` at every step and never projects", "reads the notes' TensorFlow loop "
     "(epochs = 100, no projection): arithmetic on their code"),
    ("Ten steps of 0.025 on the first 50 test digits, against one step of 0.25:", "the setting of the cell below"),
    ("found another way an FGSM-trained net can look robust, *label leaking*", "Kurakin et al.'s finding, given as "
     "theirs, in their setting (ImageNet); ours is measured in the claims that follow"),
    ("The paper ends by calling for", "the paper's words (declared in OTHER_SOURCES)"),
    ("We have not isolated which difference costs the most.", "says what was not measured"),
    ("It sorts attacks by what the adversary knows", "the notes' definitions, quoted word for word (tests/test_quotes.py)"),
    ("It sorts them by goal: confidence reduction", "the notes' classification and claim, quoted; ours is measured in "
     "the targeted claims below"),
    ("It presents FGSM (sections 3 to 5 above) and the one-pixel attack", "the contents of the notes' page"),
    ("An untargeted attack wins when the net says anything but the right digit", "definitions"),
    ("Two choices of target for every digit", "the setting of the cell below"),
    ("At `eps = 0.25`, one step and 10 steps:", "the setting of the cell below"),
    ("An attack that does better without the model's gradient than with it is the sign of a masked gradient.",
     "the inference drawn from the measurement claimed in the sentence before (unmasks)"),
    ("In the notes' words, \"each candidate solution encodes a pixel modification\"", "the notes' encoding, quoted, "
     "and ours (pixel_attack's docstring; tests/test_adversarial.py checks the pixels it reports)"),
    ("The notes' search starts from 400 candidates", "the notes' settings, quoted word for word"),
    ("We try the simplest stand-in, an untrained filter in front of the plain ConvNet", "definitions "
     "(tests/test_adversarial.py checks both filters against loops) and what they cannot show"),
    ("One who knows it attacks the filter and the net together", "describes the attack (the blur's gradient is checked "
     "numerically, the median's straight-through backward pass by a test)"),
    ("It is none of the targets, but it is an attacker who knows everything except the final weights",
     "what the shared recipe and seed (claimed in the sentence before) make of the substitute; the notes' words "
     "quoted word for word"),
    ("theirs was another attack, the saliency-map attack", "the paper's setting beside ours (PAPERS names it JSMA)"),
    ("theirs look for the smallest perturbation that succeeds, with no fixed `eps`", "the paper's setting beside "
     "ours"),
    ("How much of the transfer the shared seed buys we have not measured", "says what was not measured"),
    ("Its attack, steps and loss controls belong to sections 9 and 11", "an instruction"),
    ("The explorer opens on the cross-entropy: switch its loss menu to the margin", "an instruction"),
    ("It opens on the distilled net and the first of the 50 digits whose float32 gradient is exactly 0",
     "the explorer's opening setting, chosen by the code of the cell below from the gradients computed above"),
])

test_claims = REGISTER.tests()
