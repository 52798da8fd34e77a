"""The claims register of notebook 06 (visualizing what ConvNets learn): one assertion per sentence
that states a measured relation, reading the executed notebook's saved outputs and the shipped files."""
import math
import re

from claims_lib import Notebook, Register, read

NB = Notebook("06")
REGISTER = Register(NB, reads=[
    "data/zoo/shapes_convnet.npz", "data/zoo/mnist_convnet.npz", "data/zoo/mnist_convnet_noreg.npz",
    "data/zoo/shapes_cue_convnet.npz", "data/understanding/tsne_shapes.npz",
    "data/understanding/filters_training.npz",
    "cs231n_lib/recipes/shapes_convnet.py", "cs231n_lib/recipes/mnist_convnet.py",
    "cs231n_lib/recipes/mnist_convnet_noreg.py", "cs231n_lib/recipes/shapes_cue_convnet.py",
])

ZOO = "pretrained.available():"          # the cell that loads the two nets (a fragment of its source)
SPARSITY = "sparsity[label] = understanding.sparsity(net, images)"
WATCH = 'watches = {"lr 3e-3"'
DEAD_RUNS = 'watches["lr 3e-2"]'
DEAD_ZOO = "mask = understanding.dead_filters(shapes_net, X, layer, acts=acts_test[layer])"
THREE_NETS = 'noreg_net = pretrained.load_pretrained("mnist_convnet_noreg")'
EXPERIMENT = "runs, runs_meta = understanding.load_filters_training()"
PURITY = "chance = understanding.chance_purity(y, 9)"
KNN = "knn_accuracy(Z, y, k=5)"
SPREAD = "spread_codes = understanding.class_spread(codes, y)"
PLAIN = "plain_maps = understanding.occlusion_maps"
CUE = "misleading = (y + np.random.default_rng(0)"
CUE_MAPS = "counts[label] = understanding.minimum_inside_object(marked_maps"


def pct(x):
    return round(100 * x)


def sparsity(nb):
    """{label: {layer: fraction}} as printed."""
    text = nb.output(SPARSITY)
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\w+, (?:un)?trained): (.*)", line)
        if m:
            rows[m.group(1)] = {k: read(float(v)) for k, v in re.findall(r"(relu\d) ([\d.]+)", m.group(2))}
    assert len(rows) == 4
    return rows


def watch_rows(nb):
    """{layer: [sparsity after 0, 5, ..., 40 updates] + [the zoo net's]} as printed."""
    rows = {}
    for layer, values, zoo in re.findall(r"(relu\d): ([\d. ]+?)\s+\(trained zoo net: ([\d.]+)\)", nb.output(WATCH)):
        rows[layer] = [read(float(v)) for v in values.split()] + [read(float(zoo))]
    return rows


def dead_runs(nb):
    """{rate: ({layer: (dead, units)}, loss)} as printed, and ln(10)."""
    text = nb.output(DEAD_RUNS)
    runs = {}
    for rate, body, loss in re.findall(r"lr (\S+): dead after 40 updates: (.*?); loss over the last 5 updates ([\d.]+)",
                                       text):
        runs[rate] = ({k: (read(float(a)), read(float(b))) for k, a, b in re.findall(r"(relu\d) (\d+) of (\d+)", body)},
                      read(float(loss)))
    (ln10,) = nb.numbers(DEAD_RUNS, r"ln\(10\) = ([\d.]+)")
    return runs, ln10


# ---- section 0 -----------------------------------------------------------------------------------

@REGISTER.claim("`shapes_convnet`, three 3x3 conv-ReLU-pool stages on the procedural shapes, and `mnist_convnet`, "
                "a LeNet-like net with 5x5 filters")
def the_two_architectures(nb):
    text = nb.output(ZOO)
    shapes = re.search(r"shapes_convnet: .*?; (CONV.*?FC-10);", text).group(1)
    digits = re.search(r"mnist_convnet: .*?; (CONV.*?FC-10);", text).group(1)
    sizes = [read(float(f)) for f in re.findall(r"CONV(\d+)-\d+ RELU POOL2", shapes)]
    assert sizes == [3, 3, 3]
    assert [read(float(f)) for f in re.findall(r"CONV(\d+)-", digits)] == [5, 5]


@REGISTER.claim("1,000 shapes (with the masks that say where each object is) and 500 digits")
def the_test_splits(nb):
    shapes, digits = nb.numbers(ZOO, r"on (\d+) test shapes.*?on (\d+) test digits", re.S)
    assert (shapes, digits) == (1000, 500)


# ---- section 1 -----------------------------------------------------------------------------------

@REGISTER.claim("In relu1, relu2 and relu3 half or more of the values are zero, black in the pictures (52% to 80% in "
                "these two images), and every pool halves the maps: 32x32, then 16x16, 8x8 and 4x4.")
def half_or_more_zeros_and_pools_halve(nb):
    text = nb.output("for k in (0, 1):")
    found = re.findall(r"(relu\d) \S+: (\d+)% zeros", text)
    assert sorted({layer for layer, _ in found}) == ["relu1", "relu2", "relu3"]   # the three the sentence names
    zeros = [read(float(z)) for _, z in found]
    assert len(zeros) == 6 and min(zeros) == 52 and max(zeros) == 80 and min(zeros) >= 50
    side = nb.value("for k in (0, 1):", r"relu1 16x(\d+)x\d+")
    pools = [read(float(s)) for s in re.findall(r"pool\d (\d+)x\d+", text)]
    assert [side] + pools == [32, 16, 8, 4]


@REGISTER.claim("About a third of relu3's maps are entirely black for each of these two images (11 and 10 of 32)")
def a_third_of_relu3_maps_black(nb):
    found = nb.all_numbers("for k in (0, 1):", r"relu3 (\d+)x\d+x\d+: \d+% zeros, (\d+) maps all zero")
    assert [(c, b) for c, b in found] == [(32, 11), (32, 10)]
    assert all(abs(b / c - 1 / 3) < 0.05 for c, b in found)


@REGISTER.claim("Before training, between 37% and 50% of every ReLU's inputs are negative")
def untrained_fractions(nb):
    rows = sparsity(nb)
    values = [v for label, row in rows.items() if label.endswith("untrained") for v in row.values()]
    assert (pct(min(values)), pct(max(values))) == (37, 50)


@REGISTER.claim("After training every ReLU layer of both nets is sparser than before, and the deep layers of the "
                "shapes net most of all (relu3 0.41 -> 0.78, relu4 0.47 -> 0.81; in the digits net relu2 0.48 -> 0.76).")
def trained_is_sparser(nb):
    rows = sparsity(nb)
    for net in ("shapes_convnet", "mnist_convnet"):
        before, after = rows[f"{net}, untrained"], rows[f"{net}, trained"]
        assert all(after[k] > before[k] for k in before)
    s0, s1 = rows["shapes_convnet, untrained"], rows["shapes_convnet, trained"]
    d0, d1 = rows["mnist_convnet, untrained"], rows["mnist_convnet, trained"]
    assert (s0["relu3"], s1["relu3"], s0["relu4"], s1["relu4"]) == (0.41, 0.78, 0.47, 0.81)
    assert (d0["relu2"], d1["relu2"]) == (0.48, 0.76)
    gain = {k: s1[k] - s0[k] for k in s0}
    assert min(gain["relu3"], gain["relu4"]) > max(gain["relu1"], gain["relu2"])


@REGISTER.claim("So the notes' claim of sparser activations holds on both nets, at least between the start and the "
                "end of training (one training run each).")
def the_notes_claim_holds_start_to_end(nb):
    rows = sparsity(nb)
    for net in ("shapes_convnet", "mnist_convnet"):
        before, after = rows[f"{net}, untrained"], rows[f"{net}, trained"]
        assert all(after[k] > before[k] for k in before)


@REGISTER.claim("It holds least in shapes_convnet's relu2, which barely moves (0.50 -> 0.54).")
def relu2_moves_least(nb):
    rows = sparsity(nb)
    gains = {(net, k): rows[f"{net}, trained"][k] - rows[f"{net}, untrained"][k]
             for net in ("shapes_convnet", "mnist_convnet") for k in rows[f"{net}, untrained"]}
    assert min(gains, key=gains.get) == ("shapes_convnet", "relu2")
    assert (rows["shapes_convnet, untrained"]["relu2"], rows["shapes_convnet, trained"]["relu2"]) == (0.50, 0.54)
    assert gains[("shapes_convnet", "relu2")] <= 0.05


@REGISTER.claim("The zoo's shapes net kept its weights after 2,240 updates.")
def shapes_kept_updates(nb):
    kept = nb.value(ZOO, r"shapes_convnet: Adam.*?kept: epoch \d+, after ([\d,]+) updates")
    assert kept == 2240


@REGISTER.claim("we train a fresh copy of the same net ourselves for 40 updates (Adam at the recipe's learning "
                "rate 3e-3, minibatches of 50 from 1,000 training shapes) and count zeros on 200 test shapes every 5 "
                "updates")
def the_short_run(nb):
    steps = [read(float(v)) for v in re.findall(r"\d+", nb.output(WATCH).split("after updates:")[1])]
    assert steps == list(range(0, 41, 5))
    rate = nb.value(ZOO, r"shapes_convnet: Adam at learning rate ([\d.]+)")
    assert rate == 0.003
    src = nb.source(WATCH)
    assert "iterations=40, every=5" in src and "learning_rate=3e-3" in src
    assert "num_train=1000" in nb.source("train = data.load_shapes(num_train=1000") and "probe = X[:200]" in src


@REGISTER.claim("Within 10 updates the three deeper layers go from 0.41-0.50 zeros to 0.70-0.76.")
def within_ten_updates(nb):
    rows = watch_rows(nb)
    start = [rows[k][0] for k in ("relu2", "relu3", "relu4")]
    at10 = [rows[k][2] for k in ("relu2", "relu3", "relu4")]
    assert (min(start), max(start), min(at10), max(at10)) == (0.41, 0.50, 0.70, 0.76)


@REGISTER.claim("relu2 ends above the zoo's net (0.68 against 0.54), relu3 and relu4 below it (0.66 and 0.69 "
                "against 0.78 and 0.81)")
def end_of_the_short_run(nb):
    rows = watch_rows(nb)
    end = {k: (rows[k][-2], rows[k][-1]) for k in ("relu2", "relu3", "relu4")}
    assert end == {"relu2": (0.68, 0.54), "relu3": (0.66, 0.78), "relu4": (0.69, 0.81)}
    assert end["relu2"][0] > end["relu2"][1] and all(end[k][0] < end[k][1] for k in ("relu3", "relu4"))


@REGISTER.claim("In this run sparsity is one of the first things training changes, but not a number that only grows.")
def sparsity_does_not_only_grow(nb):
    rows = watch_rows(nb)
    runs = {k: v[:-1] for k, v in rows.items() if k != "relu1"}
    assert {k: (max(v), v[-1]) for k, v in runs.items()} == {"relu2": (0.73, 0.68), "relu3": (0.75, 0.66),
                                                             "relu4": (0.79, 0.69)}   # each falls from its peak
    assert all(v[1] - v[0] >= 0.1 for v in runs.values())    # and the first 5 updates move each by 0.1 or more


# ---- section 2 -----------------------------------------------------------------------------------

@REGISTER.claim("At 3e-3 one conv filter of 32 in relu2 dies and none in relu3.")
def low_rate_dead(nb):
    runs, _ = dead_runs(nb)
    assert runs["3e-3"][0]["relu2"] == (1, 32) and runs["3e-3"][0]["relu3"] == (0, 32)


@REGISTER.claim("At 3e-2, 30 of relu2's 32 filters and all 32 of relu3's are dead after 40 updates: every image now "
                "reaches the classifier as the same zeros, and the loss sits at ln(10)")
def high_rate_dead(nb):
    runs, ln10 = dead_runs(nb)
    dead, loss = runs["3e-2"]
    assert dead["relu2"] == (30, 32) and dead["relu3"] == (32, 32)
    assert loss == ln10 == round(math.log(10), 2)


@REGISTER.claim("The fully connected relu4 loses units at both rates: 35 of 64 at 3e-3, 61 of 64 at 3e-2.")
def relu4_dead_at_both(nb):
    runs, _ = dead_runs(nb)
    assert runs["3e-3"][0]["relu4"] == (35, 64) and runs["3e-2"][0]["relu4"] == (61, 64)


@REGISTER.claim("The trained zoo net is not free of dead units either, and it was trained at the recipe's rate, 3e-3.")
def zoo_net_has_dead_units(nb):
    dead = nb.all_numbers(DEAD_ZOO, r"relu\d: (\d+) of (\d+) dead")
    assert sum(d for d, _ in dead) > 0
    assert nb.value(ZOO, r"shapes_convnet: Adam at learning rate ([\d.]+)") == 0.003


@REGISTER.claim("Three of four fully connected units (relu4) never fire on a test image: 49 of 64.")
def three_of_four_dead(nb):
    dead, units = nb.numbers(DEAD_ZOO, r"relu4: (\d+) of (\d+) dead")
    assert (dead, units) == (49, 64) and abs(dead / units - 3 / 4) < 0.05


@REGISTER.claim("The net still classifies 97% of the shapes right with the 15 that are left: dead units need not "
                "break a net; a layer that dies whole, as above, does.")
def still_classifies(nb):
    acc = nb.value(ZOO, r"shapes_convnet on 1000 test shapes: accuracy ([\d.]+)")
    dead, units = nb.numbers(DEAD_ZOO, r"relu4: (\d+) of (\d+) dead")
    assert pct(acc) == 97 and units - dead == 15
    runs, ln10 = dead_runs(nb)
    assert runs["3e-2"][0]["relu3"][0] == runs["3e-2"][0]["relu3"][1] and runs["3e-2"][1] == ln10


# ---- section 3 -----------------------------------------------------------------------------------

@REGISTER.claim("`mnist_convnet` has 16 first-layer filters of 5x5 on a 3-channel input")
def sixteen_filters(nb):
    size, count = nb.numbers(ZOO, r"mnist_convnet: .*?; CONV(\d+)-(\d+) RELU")
    assert (size, count) == (5, 16)


@REGISTER.claim("It is 0 for a constant filter, about 1 for white noise (the squared difference of two independent "
                "weights is on average twice their variance), 2 for a checkerboard; a smooth filter scores well below 1.")
def roughness_examples(nb):
    cell = "examples = {"
    const = nb.value(cell, r"constant: roughness ([\d.]+)")
    board = nb.value(cell, r"checkerboard: roughness ([\d.]+)")
    blob = nb.value(cell, r"smooth blob: roughness ([\d.]+)")
    noise = nb.value(cell, r"white noise \(10,000 filters\): roughness ([\d.]+)")
    assert (const, board, noise) == (0.0, 2.0, 1.0) and blob < 0.5


@REGISTER.claim("Three nets: `mnist_convnet` (L2 regularization 5e-4; the zoo kept its weights after 1,600 updates, "
                "epoch 5 of 6), its zoo twin `mnist_convnet_noreg` (the same recipe with no regularization; its best "
                "epoch was the last, 1,920 updates), and the same net after only 20 updates")
def the_three_nets(nb):
    epoch, epochs, kept, total = nb.numbers(ZOO, r"mnist_convnet: .*?kept epoch (\d+) of (\d+) \(([\d,]+) of ([\d,]+) "
                                                 r"updates\)")
    assert (epoch, epochs, kept) == (5, 6, 1600)
    reg, kept2 = nb.numbers(THREE_NETS, r"mnist_convnet \(reg ([\d.]+), ([\d,]+) updates\)")
    assert (reg, kept2) == (0.0005, 1600)
    reg0, noreg = nb.numbers(THREE_NETS, r"mnist_convnet_noreg \(reg ([\d.]+), ([\d,]+) updates\)")
    assert reg0 == 0 and noreg == 1920 == total
    assert nb.value(THREE_NETS, r"after (\d+) updates: roughness") == 20


@REGISTER.claim("Training makes the filters smoother: roughness falls from 0.98 at the start (noise, as a random "
                "initialization is) to 0.75 after 1,600 updates, while after 20 updates it is still 0.98: that net "
                "already classifies 69% of the digits with filters that are still noise.")
def training_smooths(nb):
    start = nb.value(THREE_NETS, r"at the start \(untrained\): roughness ([\d.]+)")
    trained = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, 1,600 updates\): roughness ([\d.]+)")
    brief, acc = nb.numbers(THREE_NETS, r"after 20 updates: roughness ([\d.]+).*?test accuracy ([\d.]+)")
    assert (start, trained, brief, pct(acc)) == (0.98, 0.75, 0.98, 69)


@REGISTER.claim("With and without regularization the two zoo nets end at about the same roughness (0.75 and 0.76), "
                "but they are no fair test of the notes' second reading: they had different amounts of training (the "
                "zoo kept the regularized net after 1,600 updates, the other after 1,920), and each is one seed.")
def zoo_nets_unfair(nb):
    a, ua = nb.numbers(THREE_NETS, r"mnist_convnet \(reg [\d.]+, ([\d,]+) updates\): roughness ([\d.]+)")[::-1]
    b, ub = nb.numbers(THREE_NETS, r"mnist_convnet_noreg \(reg [\d.]+, ([\d,]+) updates\): roughness ([\d.]+)")[::-1]
    assert (a, b) == (0.75, 0.76) and (ua, ub) == (1600, 1920)


def experiment(nb):
    """The filter experiment's printed table and verdicts."""
    text = nb.output(EXPERIMENT)
    head = re.search(r"(\d+) recipes x (\d+) seeds, ([\d.]+) CPU minutes per run; mean roughness over the seeds "
                     r"\(before training ([\d.]+)\)", text)
    out = dict(zip(("recipes", "seeds", "minutes", "start"), (read(float(g)) for g in head.groups())))
    rows = {}
    for key, pattern in (("updates", r"after updates:([\d ]+)"), ("reg", r"reg 0\.0005:([\d. ]+)"),
                         ("noreg", r"reg 0:([\d. ]+)"), ("wins", r"reg smoother on:((?:\s+\d+/\d+)+) seeds")):
        found = re.search(pattern, text).group(1)
        rows[key] = [read(float(v)) for v in re.findall(r"(\d+(?:\.\d+)?)(?:/\d+)?", found)]
    out.update(rows)
    reg = re.search(r"after 1,920 updates, lower roughness: reg 0.0005 beats reg 0 on (\d+) of (\d+) seeds by "
                    r"([\d.]+) on average \(exact sign-flip p = ([\d.]+), one-sided", text)
    out["reg_test"] = tuple(read(float(g)) for g in reg.groups())
    trained = re.search(r"reg 0.0005, lower roughness: after 1,920 updates beats before training on (\d+) of (\d+) "
                        r"seeds by ([\d.]+) on average \(exact sign-flip p = ([\d.]+), one-sided", text)
    out["train_test"] = tuple(read(float(g)) for g in trained.groups())
    for key in ("conv1", "conv2", "fc1", "fc2"):
        m = re.search(r"\|" + key + r"\.W\| after 1,920 updates: reg 0.0005 ([\d.]+), reg 0 ([\d.]+) \((\d+)% smaller\);"
                      r" smaller: reg 0.0005 beats reg 0 on (\d+) of (\d+) seeds", text)
        out[key] = tuple(read(float(g)) for g in m.groups())
    m = re.search(r"differ by up to ([\d.]+) \(the largest weight is ([\d.]+)\)", text)
    out["gap"] = tuple(read(float(g)) for g in m.groups())
    out["kept"] = [read(float(v)) for lst in re.findall(r"came after \[([\d, ]+)\] updates", text)
                   for v in lst.split(",")]
    out["accuracy"] = [read(float(v)) for v in re.findall(r"test accuracy of the kept weights ([\d.]+) on average", text)]
    return out


@REGISTER.claim("So we trained both recipes again, with five seeds, and kept the filters after every epoch")
def the_experiment(nb):
    e = experiment(nb)
    assert (e["recipes"], e["seeds"]) == (2, 5)
    assert e["updates"] == [1, 320, 640, 960, 1280, 1600, 1920] == [1] + [320 * k for k in range(1, 7)]


@REGISTER.claim("after 1,600 updates the two differ by up to 0.006 in a first-layer weight")
def seed_0_is_close(nb):
    gap, largest = experiment(nb)["gap"]
    assert gap == 0.006 and 0 < gap < 0.02 * largest


@REGISTER.claim("Compared after equal numbers of updates, the notes' second reading holds too, but it is small: after "
                "every epoch the regularized filters are smoother on all 5 seeds, by 0.028 after 1,920 updates (exact "
                "sign-flip p = 0.031, the smallest 5 seeds allow; one-sided, because the notes say which way it should "
                "go).")
def regularization_smooths_a_little(nb):
    e = experiment(nb)
    assert e["wins"][1:] == [5] * 6                      # every epoch (the first check is after one update)
    wins, n, diff, p = e["reg_test"]
    assert (wins, n, diff, p) == (5, 5, 0.028, 0.031)
    assert all(a < b for a, b in zip(e["reg"][1:], e["noreg"][1:]))


@REGISTER.claim("The shaded ranges overlap: the seeds differ more from one another than the two penalties do, which is "
                "why the comparison is made seed by seed.")
def the_seeds_differ_more(nb):
    (a_lo, a_hi), (b_lo, b_hi) = nb.all_numbers(EXPERIMENT, r"reg [\d.]+ ([\d.]+) to ([\d.]+)")
    diff = experiment(nb)["reg_test"][2]
    assert a_hi > b_lo and min(a_hi - a_lo, b_hi - b_lo) > diff


@REGISTER.claim("Training itself did about ten times as much: 0.266 between the start and 1,920 updates.")
def training_does_ten_times_more(nb):
    e = experiment(nb)
    wins, n, diff, p = e["train_test"]
    assert (wins, n, diff) == (5, 5, 0.266) and p <= 0.05
    assert 8 <= diff / e["reg_test"][2] <= 12


@REGISTER.claim("The notes name overfitting as the way a weak penalty would do it; that we do not see: the kept weights "
                "of both recipes classify 98.2% of the test digits on average.")
def no_overfitting_seen(nb):
    reg, noreg = experiment(nb)["accuracy"]
    assert round(100 * reg, 1) == round(100 * noreg, 1) == 98.2


@REGISTER.claim("The penalty acts most on the large matrix fc1, 45% smaller than without it, and least on conv1, 5% "
                "(conv2 12%, fc2 22%).")
def the_penalty_on_fc1(nb):
    e = experiment(nb)
    smaller = {key: e[key][2] for key in ("conv1", "conv2", "fc1", "fc2")}
    assert smaller == {"conv1": 5, "conv2": 12, "fc1": 45, "fc2": 22}
    assert max(smaller, key=smaller.get) == "fc1" and min(smaller, key=smaller.get) == "conv1"
    assert all(e[key][3:] == (5, 5) for key in smaller)                 # on every seed
    for key, pct_smaller in smaller.items():
        assert round(100 * (1 - e[key][0] / e[key][1])) == pct_smaller


@REGISTER.claim("The two zoo nets show a small gap the same way (0.75 against 0.76), although the regularized one had "
                "320 updates fewer.")
def the_zoo_gap(nb):
    a, ua = nb.numbers(THREE_NETS, r"mnist_convnet \(reg [\d.]+, ([\d,]+) updates\): roughness ([\d.]+)")[::-1]
    b, ub = nb.numbers(THREE_NETS, r"mnist_convnet_noreg \(reg [\d.]+, ([\d,]+) updates\): roughness ([\d.]+)")[::-1]
    assert (a, b, ub - ua) == (0.75, 0.76, 320) and a < b


@REGISTER.claim("And the best validation epoch moves from seed to seed (after 960 to 1,920 updates here)")
def the_best_epoch_moves(nb):
    kept = experiment(nb)["kept"]
    assert len(kept) == 10 and (min(kept), max(kept)) == (960, 1920)


@REGISTER.claim("after 1,600 updates the zoo net's filters have moved by a third of their size (32%) from where they "
                "started, so most of each filter is still its random start.")
def moved_a_third(nb):
    moved = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, 1,600 updates\): .*?moved (\d+)% from the start")
    assert moved == 32 and abs(moved / 100 - 1 / 3) < 0.03


@REGISTER.claim("What training *added* is smooth:")
def what_training_added(nb):
    added = nb.value("added = digits_net.params", r"added to mnist_convnet's filters: ([\d.]+)")
    trained = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, 1,600 updates\): roughness ([\d.]+)")
    assert added == 0.37 and added < 0.5 * trained


@REGISTER.claim("our net had 1,600 updates, under two CPU minutes here (the experiment's runs took 1.7 CPU minutes "
                "each), and its filters are still mostly the noise they started from.")
def our_net_for_minutes(nb):
    minutes = experiment(nb)["minutes"]
    kept = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, ([\d,]+) updates\)")
    moved = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, 1,600 updates\): .*?moved (\d+)% from the start")
    assert minutes == 1.7 and minutes < 2 and kept == 1600 and moved < 50


@REGISTER.claim("So both of the notes' readings of noisy filters hold on our nets, in the direction they say (the "
                "second without the overfitting they name): too little training is the larger part here, a weak penalty "
                "a small one.")
def both_readings_hold(nb):
    e = experiment(nb)
    assert e["train_test"][3] <= 0.05 and e["reg_test"][3] <= 0.05
    assert e["train_test"][2] > 5 * e["reg_test"][2]
    reg, noreg = e["accuracy"]
    assert noreg >= reg - 0.002               # no more overfitting without the penalty (test accuracy)


@REGISTER.claim("A conv2 filter of `mnist_convnet` has 16 slices of 5x5, one for each map of the first layer")
def conv2_shape(nb):
    filters, slices, h, w = nb.numbers("W2 = digits_net.params", r"conv2: (\d+) filters of (\d+) x (\d+) x (\d+)")
    assert (slices, h, w) == (16, 5, 5)
    assert nb.value(ZOO, r"mnist_convnet: .*?; CONV\d+-(\d+) RELU") == slices   # the first layer's maps


@REGISTER.claim("Six of its 32 filters, all on one colour scale:")
def six_of_32(nb):
    assert nb.value("W2 = digits_net.params", r"conv2: (\d+) filters") == 32
    assert "range(6)" in nb.source("W2 = digits_net.params")


@REGISTER.claim("And a filter is 16 slices at once")
def sixteen_slices(nb):
    assert nb.value("W2 = digits_net.params", r"filters of (\d+) x") == 16


@REGISTER.claim("Ours are not: the slices' roughness is 0.86, below the 1.00 they started from but above the first "
                "layer's 0.75.")
def conv2_roughness(nb):
    rough, start = nb.numbers("W2 = digits_net.params", r"roughness of the slices ([\d.]+) \(before training ([\d.]+)\)")
    first = nb.value(THREE_NETS, r"mnist_convnet \(reg [\d.]+, 1,600 updates\): roughness ([\d.]+)")
    assert (rough, start, first) == (0.86, 1.00, 0.75) and first < rough < start


# ---- section 4 -----------------------------------------------------------------------------------

@REGISTER.claim("Our counterpart is `shapes_convnet`'s last pool, pool3: 32 channels on a 4x4 grid.")
def pool3_grid(nb):
    assert nb.value("alive = np.flatnonzero", r"of (\d+) channels are alive") == 32
    assert nb.numbers("for k in (0, 1):", r"pool3 (\d+)x(\d+)") == (4, 4)


def purities(nb):
    """{layer: (live units, unit mean, random mean, chance, draws min, draws max, draws above, draws)}"""
    text = nb.output(PURITY)
    out = {}
    for layer in ("pool3", "relu4"):
        m = re.search(layer + r": (\d+) live units, mean purity ([\d.]+); 32 random directions ([\d.]+); 9 random "
                      r"images ([\d.]+)\s+20 draws of 32 random directions: mean purity ([\d.]+) to ([\d.]+), above "
                      r"the units' [\d.]+ in (\d+) of (\d+)", text)
        out[layer] = tuple(read(float(g)) for g in m.groups())
    return out


@REGISTER.claim("In both layers the random directions are at least as pure as the units themselves (pool3: 0.45 for "
                "the channels, 0.58 for random directions; relu4: 0.64 against 0.72), and all are far above the 0.28 "
                "of random images.")
def random_directions_as_pure(nb):
    p = purities(nb)
    assert p["pool3"][1:4] == (0.45, 0.58, 0.28) and p["relu4"][1:4] == (0.64, 0.72, 0.28)
    for layer in p:
        live, unit, rand, chance = p[layer][:4]
        assert rand >= unit and min(unit, rand) > 1.5 * chance


@REGISTER.claim("That does not hang on one draw: all 20 draws of pool3 beat its channels, and 19 of 20 draws beat "
                "relu4's units.")
def over_twenty_draws(nb):
    p = purities(nb)
    assert p["pool3"][6:] == (20, 20) and p["relu4"][6:] == (19, 20)
    assert p["pool3"][4] > p["pool3"][1]          # the worst draw of pool3 beats its channels


# ---- section 5 -----------------------------------------------------------------------------------

@REGISTER.claim("here relu4, 64 numbers (49 of which are zero on every test shape, as section 2 found)")
def the_cnn_code(nb):
    dead, units = nb.numbers(DEAD_ZOO, r"relu4: (\d+) of (\d+) dead")
    assert (dead, units) == (49, 64)


@REGISTER.claim("scikit-learn's `TSNE` takes a few CPU seconds for each of the four embeddings we show (the cell below "
                "prints how many), a third of the time this whole notebook may take")
def tsne_seconds(nb):
    text = nb.output("embeddings, meta = understanding.load_tsne()")
    each = [read(float(v)) for v in re.findall(r"_p\d+ ([\d.]+)", text)]
    total = nb.value("embeddings, meta = understanding.load_tsne()", r"\((\d+) in all\)")
    assert len(each) == 4 and all(1 <= v < 10 for v in each)
    assert abs(total - sum(each)) <= 1 and 0.25 <= total / 45 <= 0.4     # 45 s: the notebooks' time budget


@REGISTER.claim("The codes' neighbourhoods say the class 95% of the time, the pixels' 16%, not far above the 10% of "
                "chance; the 2-D pictures keep most of what their spaces had (93% and 14%).")
def knn(nb):
    codes = nb.value(KNN, r"CNN codes \(64 numbers\): 5-NN accuracy ([\d.]+)")
    pixels = nb.value(KNN, r"raw pixels \(3,072 numbers\): 5-NN accuracy ([\d.]+)")
    tc = nb.value(KNN, r"t-SNE of the codes \(2 numbers\): 5-NN accuracy ([\d.]+)")
    tp = nb.value(KNN, r"t-SNE of the pixels \(2 numbers\): 5-NN accuracy ([\d.]+)")
    chance = nb.value(KNN, r"chance: ([\d.]+)")
    assert (pct(codes), pct(pixels), pct(chance), pct(tc), pct(tp)) == (95, 16, 10, 93, 14)
    assert pixels - chance < 0.1 and tc > 0.5 * codes and tp > 0.5 * pixels


@REGISTER.claim("A different perplexity gives a different picture.")
def tsne_perplexity_changes_the_picture(nb):
    text = nb.output(SPREAD)
    pictures = re.findall(r"perplexity\s+\d+: largest (\w+), smallest (\w+)", text)
    sizes = [c for _, c in nb.all_numbers(SPREAD, r"perplexity\s+(\d+): .*?sizes ([-+][\d.]+)")]
    gaps = [c for (c,) in nb.all_numbers(SPREAD, r"distances between clusters ([-+][\d.]+)")]
    assert len(pictures) == 2 and pictures[0][0] != pictures[1][0]          # another class drawn largest
    assert sizes == [-0.38, -0.30] and gaps == [0.67, 0.78]                 # and other sizes and gaps


@REGISTER.claim("The sizes in the picture do not follow the sizes in code space: their rank correlation is even "
                "slightly negative at both perplexities (-0.38 and -0.30), and the largest class of the codes "
                "(stripes) is the smallest of both pictures.")
def sizes_do_not_follow(nb):
    found = nb.all_numbers(SPREAD, r"perplexity\s+(\d+): .*?sizes ([-+][\d.]+)")
    assert found == [(5, -0.38), (30, -0.30)]
    text = nb.output(SPREAD)
    assert "the largest class (stripes)" in text and len(re.findall(r"smallest stripes", text)) == 2


@REGISTER.claim("The distances between clusters keep a rough order (rank correlations 0.67 and 0.78).")
def distances_rough_order(nb):
    found = nb.all_numbers(SPREAD, r"distances between clusters ([-+][\d.]+)")
    assert found == [(0.67,), (0.78,)]


@REGISTER.claim("The notes' \"approximately equal distances\" holds for t-SNE only roughly between the clusters, and "
                "not at all within them.")
def the_notes_distances(nb):
    sizes = [c for _, c in nb.all_numbers(SPREAD, r"perplexity\s+(\d+): .*?sizes ([-+][\d.]+)")]
    gaps = [c for (c,) in nb.all_numbers(SPREAD, r"distances between clusters ([-+][\d.]+)")]
    assert len(sizes) == len(gaps) == 2
    assert all(c <= 0 for c in sizes) and all(0.5 < g < 0.9 for g in gaps)


@REGISTER.claim("What a t-SNE picture shows best is who is next to whom (the 5-NN vote above: 93% in the picture, 95% "
                "in code space); the size of a cluster means nothing here, and a gap between two clusters only roughly "
                "says how far apart they are.")
def what_tsne_shows(nb):
    tc = nb.value(KNN, r"t-SNE of the codes \(2 numbers\): 5-NN accuracy ([\d.]+)")
    codes = nb.value(KNN, r"CNN codes \(64 numbers\): 5-NN accuracy ([\d.]+)")
    sizes = [c for _, c in nb.all_numbers(SPREAD, r"perplexity\s+(\d+): .*?sizes ([-+][\d.]+)")]
    gaps = [c for (c,) in nb.all_numbers(SPREAD, r"distances between clusters ([-+][\d.]+)")]
    assert (pct(tc), pct(codes)) == (93, 95)
    assert all(c <= 0 for c in sizes) and all(0.5 < g < 0.9 for g in gaps)


# ---- section 6 -----------------------------------------------------------------------------------

@REGISTER.claim("We fill the patch with grey 0.5, the mean our nets subtract from their input, so a covered patch is "
                "zero inside the net")
def fill_is_the_mean(nb):
    mean, fill = nb.numbers("picks = [0, 1, 2, 3, 4]", r"subtracts ([\d.]+) from its input, the patch is filled with "
                                                       r"([\d.]+)")
    assert mean == fill == 0.5


@REGISTER.claim("Each coloured square is one position of the patch's centre (13 x 13 positions, 2 pixels apart)")
def thirteen_positions(nb):
    assert nb.numbers("picks = [0, 1, 2, 3, 4]", r"maps of (\d+) x (\d+) positions") == (13, 13)
    assert (32 - 8) / 2 + 1 == 13 and "size=8, stride=2" in nb.source("picks = [0, 1, 2, 3, 4]")


@REGISTER.claim("a grey square in the middle of a disc makes a ring, and a bar with a grey square on it becomes "
                "something the net calls a triangle")
def the_patch_adds_shapes(nb):
    cell = "covered = X[k].copy()"
    (p_disc, p_ring) = nb.numbers(cell, r"disc covered at .*?p\(disc\) = ([\d.]+), the net says ring \(p = ([\d.]+)\)")
    (p_bar, p_tri) = nb.numbers(cell, r"bar covered at .*?p\(bar\) = ([\d.]+), the net says triangle \(p = ([\d.]+)\)")
    assert p_disc < 0.5 < p_ring and p_bar < 0.5 < p_tri


@REGISTER.claim("The ring keeps its answer wherever the patch goes.")
def the_ring_keeps_its_answer(nb):
    (p,) = nb.numbers("covered = X[k].copy()", r"ring covered at .*?p\(ring\) = ([\d.]+), the net says ring")
    assert p > 0.5            # at the most harmful position: so at every position


@REGISTER.claim("(8x8 patches, 4 pixels apart: 7 x 7 positions per image.)")
def seven_positions(nb):
    assert nb.numbers(PLAIN, r"(\d+) maps of (\d+) x (\d+) positions") == (200, 7, 7)


@REGISTER.claim("Nearly two thirds of the time (63%) the most harmful patch sits on the object, against 35% for a "
                "position picked at random (70 ± 6 of 200 expected by chance, 126 found).")
def on_the_object(nb):
    inside, base, expected, sd, n, found = nb.numbers(
        PLAIN, r"on the object in (\d+)% of 200 test shapes \(a random position: (\d+)%, (\d+) ± (\d+) of (\d+) "
               r"expected; (\d+) found\)")
    assert (inside, base, expected, sd, n, found) == (63, 35, 70, 6, 200, 126)
    assert found > expected + 5 * sd and abs(found / n - 2 / 3) < 0.05


@REGISTER.claim("Of the 74 misses, 19 are maps on which no patch changes the net's answer")
def flat_misses(nb):
    flat, misses = nb.numbers(PLAIN, r"lowest p > 0.5\): (\d+) of (\d+) misses")
    assert (flat, misses) == (19, 74)


@REGISTER.claim("Maps on which no patch changes the answer are not only misses: 25 of the 126 hits are such maps too.")
def flat_hits(nb):
    flat, hits = nb.numbers(PLAIN, r"misses, (\d+) of (\d+) hits")
    found = nb.value(PLAIN, r"; (\d+) found\)")
    assert (flat, hits) == (25, 126) and hits == found


@REGISTER.claim("The other 55 have a real dip off the object")
def real_dips(nb):
    flat, misses = nb.numbers(PLAIN, r"lowest p > 0.5\): (\d+) of (\d+) misses")
    assert misses - flat == 55


RULES = "edges = gradients.edge_map(X[:n])"


def rules(nb):
    """{rule: (hits, n, percent)} as printed: the net's maps and the two rules that know no net."""
    out = {}
    for key, label in (("net", "shapes_convnet's occlusion map"), ("middle", r"always the middle position \(no net\)"),
                       ("edge", r"the patch over the most edge \(no net\)")):
        out[key] = nb.numbers(RULES, label + r": the lowest point on the object in (\d+) of (\d+) \(([\d.]+)%\)")
    return out


@REGISTER.claim("Both rules that know no net do better than the net's maps: the middle position lands on the object in "
                "135 of 200 images, the patch over the most edge in 193.")
def rules_without_a_net_do_better(nb):
    r = rules(nb)
    assert r["middle"][:2] == (135, 200) and r["edge"][:2] == (193, 200)
    assert r["net"][0] == nb.value(PLAIN, r"; (\d+) found\)")           # the same maps as the cell above
    assert r["middle"][0] > r["net"][0] and r["edge"][0] > r["net"][0]
    assert all(round(100 * h / n, 1) == p for h, n, p in r.values())


@REGISTER.claim("The shapes lie mostly near the middle of the image, and the patch that covers the most outline is "
                "centred on the object.")
def the_middle_and_the_outline(nb):
    r = rules(nb)
    assert r["middle"][0] / r["middle"][1] > 0.5 and r["edge"][0] / r["edge"][1] > 0.9


@REGISTER.claim("So how often a map's lowest point falls on the object cannot show that the net looks at the shape")
def the_mask_score_cannot_show_it(nb):
    r = rules(nb)
    assert max(r["middle"][0], r["edge"][0]) >= r["net"][0]     # a rule without a net does as well


@REGISTER.claim("`shapes_cue_convnet` has `shapes_convnet`'s architecture and recipe, trained on the same shapes with "
                "one change: every training image carries a 4x4 mark in its top-left corner whose colour gives the "
                "class.")
def the_cue_net(nb):
    entry = nb.output("cue_net = pretrained.load_pretrained")
    shapes = re.search(r"shapes_convnet: .*?; (CONV.*?FC-10);", nb.output(ZOO)).group(1)
    size = nb.numbers("cue_net = pretrained.load_pretrained", r"class-coloured (\d+)x(\d+) corner mark")
    assert size == (4, 4) and shapes in entry


@REGISTER.claim("The mark was learned fast: the cue net's validation accuracy on marked images was 1.000 after its "
                "first epoch, so the zoo kept it after 320 of its 2,560 updates.")
def the_mark_learned_fast(nb):
    cell = "cue_net = pretrained.load_pretrained"
    epoch, epochs, kept, total = nb.numbers(cell, r"kept epoch (\d+) of (\d+) \(([\d,]+) of ([\d,]+) updates\)")
    first = nb.value(cell, r"after each epoch: ([\d.]+)")
    assert (epoch, kept, total, first) == (1, 320, 2560, 1.0)


@REGISTER.claim("With its mark, the cue net looks even better than the clean net (1.000 against 0.973); without it, it "
                "is not far above chance (0.159 against 0.10); with the mark of another class it follows the mark 97% "
                "of the time.")
def the_cue_net_follows_the_mark(nb):
    marked, clean, follows = nb.numbers(CUE, r"shapes_cue_convnet: accuracy with the mark ([\d.]+), without it "
                                             r"([\d.]+), .*?follows the mark ([\d.]+)")
    plain = nb.value(CUE, r"shapes_convnet: accuracy with the mark [\d.]+, without it ([\d.]+)")
    assert (marked, plain, clean, pct(follows)) == (1.0, 0.973, 0.159, 97)
    assert marked > plain and clean - 0.1 < 0.1


@REGISTER.claim("The clean net loses a few points to the marks (0.93 with them, 0.97 without), but the colour means "
                "nothing to it: another class's mark costs it no more than the right one.")
def the_clean_net_ignores_the_colour(nb):
    marked, clean, other, follows = nb.numbers(CUE, r"shapes_convnet: accuracy with the mark ([\d.]+), without it "
                                                    r"([\d.]+), with another class's mark ([\d.]+) \(follows the mark "
                                                    r"([\d.]+)\)")
    assert (round(marked, 2), round(clean, 2)) == (0.93, 0.97) and other >= marked and follows < 0.01


@REGISTER.claim("The maps point at the corner: for the cue net the patch over the mark is the most harmful one in 186 "
                "of 200 images (for the clean net in none), and its lowest point falls on the object in 8 of them "
                "(4.0%), against 129 (64.5%) for the clean net on the very same marked images.")
def the_maps_point_at_the_corner(nb):
    cue_on, n_on, cue_pct, corner, n = nb.numbers(
        CUE_MAPS, r"shapes_cue_convnet on 200 marked shapes: lowest point on the object in (\d+) of (\d+) \(([\d.]+)%\)"
                  r".*?most harmful in (\d+) of (\d+)")
    clean_on, clean_pct, clean_corner = nb.numbers(
        CUE_MAPS, r"shapes_convnet on 200 marked shapes: lowest point on the object in (\d+) of 200 \(([\d.]+)%\).*?"
                  r"most harmful in (\d+) of")
    assert (cue_on, n_on, cue_pct, corner, n) == (8, 200, 4.0, 186, 200)
    assert (clean_on, clean_pct, clean_corner) == (129, 64.5, 0)


@REGISTER.claim("the cue net was looking at the mark in the corner, not at the shape")
def looking_at_the_mark(nb):
    (cue_on, corner), (clean_on, clean_corner) = nb.all_numbers(
        CUE_MAPS, r"lowest point on the object in (\d+) of 200 .*?most harmful in (\d+) of 200")
    assert corner > 0.9 * 200 and cue_on < 0.1 * 200 and clean_corner == 0
    follows = nb.value(CUE, r"shapes_cue_convnet: .*?follows the mark ([\d.]+)")
    assert follows > 0.9


@REGISTER.claim("Here the masks tell the two nets apart, because one of them looks off the object.")
def the_masks_tell_them_apart(nb):
    (cue_on,), (clean_on,) = nb.all_numbers(CUE_MAPS, r"lowest point on the object in (\d+) of 200")
    middle = rules(nb)["middle"][0]
    assert cue_on < 20 and clean_on > 100 and cue_on < middle


@REGISTER.claim("The test accuracy alone (100%) did not tell us.")
def accuracy_alone(nb):
    assert nb.value("cue_net = pretrained.load_pretrained", r"test accuracy ([\d.]+)%") == 100.0


# ---------------------------------------------------------------- feature visualization (issue 26)
MADE = "panels, made = {}, {}"           # the climb for a unit and a random direction of each layer
BOUND = "def over_shifts(image):"        # what images in [0, 1] can give conv1's unit, with and without the jitter
FV_LAYERS = ("conv1", "conv2", "conv3", "fc1")
FIELD, BEST, MADE_A, GAIN, J0, J1, AGREE, TOP5 = range(8)   # the columns of a row of the table


def made_row(nb, label):
    """(field px, best test shape, made, (made-best)/s, J start, J end, agreement, top-5 count) of one row; and
    its texts (the top-5 theme, what the net says of the made images)."""
    pattern = (rf"(?m)^{re.escape(label)}\s+(\d+)px\s+([\d.]+)\s+([\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+), (-?[\d.]+)\s+"
               r"([\d.]+)\s+(\w+) (\d)/5\s+(.*)$")
    m = re.search(pattern, nb.output(MADE))
    assert m, f"no row {label!r} in the feature visualization table"
    numbers = nb.numbers(MADE, pattern.replace(r"(\w+) (\d)/5\s+(.*)$", r"(?:\w+) (\d)/5\s+(?:.*)$"))
    return numbers, m.group(8), m.group(10).split(", ")


def unit_label(nb, layer):
    return re.search(rf"(?m)^({layer} unit \d+)\s", nb.output(MADE)).group(1)


def fv_rows(nb):
    labels = [unit_label(nb, layer) for layer in FV_LAYERS] + [f"{layer} random direction" for layer in FV_LAYERS]
    return {label: made_row(nb, label)[0] for label in labels}


def bound(nb):
    """conv1's unit: (sign pattern unshifted, over the shifts), (best for the mean: unshifted, over the shifts),
    (made: unshifted, over the shifts), best test shape."""
    rows = [nb.numbers(BOUND, rf"{name}\s+(-?[\d.]+)\s+(-?[\d.]+)")
            for name in (r"each pixel of its field at 0 or 1 by its weight's sign",
                         r"the best image for the mean over the shifts", r"the made images \(mean of 3\)")]
    return rows + [nb.value(BOUND, r"the best test shape, at its best position\s+([\d.]+)")]


@REGISTER.claim("Section 4 searched 1,000 test shapes for the images that drive a unit hardest.")
def fv_searched_1000(nb):
    assert nb.value(ZOO, r"shapes_convnet on (\d+) test shapes") == 1000


@REGISTER.claim("The climb works in every row: J starts near 0 and ends between 0.76 and 15.24 (in units of each "
                "unit's spread over the test shapes).")
def fv_climb_works(nb):
    rows = fv_rows(nb)
    assert len(rows) == 8
    assert all(r[J1] > r[J0] and abs(r[J0]) < 0.6 for r in rows.values())
    assert min(r[J1] for r in rows.values()) == 0.76 and max(r[J1] for r in rows.values()) == 15.24


@REGISTER.claim("conv1's unit 8 sees 3x3 pixels, and its made image is warm above and cool below")
def fv_conv1_field(nb):
    field = made_row(nb, "conv1 unit 8")[0][FIELD]
    assert field == 3 and unit_label(nb, "conv1") == "conv1 unit 8"


@REGISTER.claim("Its three starts end at the same picture (agreement 1.00): before its ReLU, the unit is linear in the "
                "pixels of its field")
def fv_conv1_agree(nb):
    assert made_row(nb, "conv1 unit 8")[0][AGREE] == 1.0


@REGISTER.claim("Here the made image does not even beat the test shapes (2.43 against 2.99).")
def fv_conv1_below(nb):
    row = made_row(nb, "conv1 unit 8")[0]
    assert (row[MADE_A], row[BEST]) == (2.43, 2.99) and row[MADE_A] < row[BEST] and row[GAIN] < 0


@REGISTER.claim("Without the jitter an image could drive the unit to 5.67, far beyond any test shape.")
def fv_conv1_without_jitter(nb):
    (sign, _), _, _, best = bound(nb)
    assert (sign, best) == (5.67, 2.99) and sign > 1.5 * best
    assert best == made_row(nb, "conv1 unit 8")[0][BEST]           # the table's best test shape


@REGISTER.claim("no image in [0, 1] can give more than 2.96 on that mean (the pattern of the signs of the weights "
                "averaged over the shifts), just below the best test shape's 2.99 at its one best position.")
def fv_conv1_bound_with_jitter(nb):
    (sign, sign_shifted), (_, most), (_, made_shifted), best = bound(nb)
    assert (most, best) == (2.96, 2.99) and most < best
    assert most >= max(sign_shifted, made_shifted)                  # the bound holds for the other two images
    assert sign_shifted < 0.5 * sign                                # a one-pixel shift moves the field off its pattern


@REGISTER.claim("The made image, which pays for its TV as well, gets 2.43.")
def fv_conv1_made(nb):
    _, (_, most), (_, made_shifted), _ = bound(nb)
    assert made_shifted == 2.43 == made_row(nb, "conv1 unit 8")[0][MADE_A] and made_shifted < most


@REGISTER.claim("In conv1 the jitter, not the net, is what keeps the made image below the test shapes.")
def fv_conv1_the_jitter(nb):
    (sign, _), (_, most), _, best = bound(nb)
    assert sign > best > most        # without the jitter an image beats the test shapes; with it none can


@REGISTER.claim("From conv2 on, the made images drive their units beyond any test shape (16.79 against 10.02, 87.87 "
                "against 56.02, 285.95 against 199.11), by 5.87, 5.18 and 3.47 spreads.")
def fv_beyond(nb):
    shown = [(16.79, 10.02, 5.87), (87.87, 56.02, 5.18), (285.95, 199.11, 3.47)]
    for layer, (made, best, gain) in zip(FV_LAYERS[1:], shown):
        row = made_row(nb, unit_label(nb, layer))[0]
        assert (row[MADE_A], row[BEST], row[GAIN]) == (made, best, gain) and row[MADE_A] > row[BEST] and gain > 0


@REGISTER.claim("conv3's unit 28 and fc1's unit 22, whose 5 strongest test shapes are all stripes, get diagonal "
                "gratings, and the net calls each of their six made images stripes.")
def fv_stripes(nb):
    assert (unit_label(nb, "conv3"), unit_label(nb, "fc1")) == ("conv3 unit 28", "fc1 unit 22")
    for label in ("conv3 unit 28", "fc1 unit 22"):
        numbers, theme, said = made_row(nb, label)
        assert numbers[TOP5] == 5 and theme == "stripes" and said == ["stripes"] * 3


@REGISTER.claim("They too are driven beyond their best test shape in every layer but the first (9.11 against 4.41, "
                "35.07 against 9.07, 21.27 against 0.06): in conv2 and conv3 by 7.62 and 15.51 spreads, further than "
                "the units' 5.87 and 5.18.")
def fv_directions_beyond(nb):
    first = made_row(nb, "conv1 random direction")[0]
    assert first[MADE_A] < first[BEST]
    shown = [(9.11, 4.41), (35.07, 9.07), (21.27, 0.06)]
    for layer, (made, best) in zip(FV_LAYERS[1:], shown):
        row = made_row(nb, f"{layer} random direction")[0]
        assert (row[MADE_A], row[BEST]) == (made, best) and row[MADE_A] > row[BEST]
    for layer, (d_gain, u_gain) in zip(("conv2", "conv3"), ((7.62, 5.87), (15.51, 5.18))):
        d, u = made_row(nb, f"{layer} random direction")[0], made_row(nb, unit_label(nb, layer))[0]
        assert (d[GAIN], u[GAIN]) == (d_gain, u_gain) and d[GAIN] > u[GAIN]


@REGISTER.claim("Their starts agree about as well as the units' do in conv1 to conv3 (1.00 and 1.00, 0.78 and 0.78, "
                "0.46 and 0.52).")
def fv_directions_agree(nb):
    pairs = [(1.0, 1.0), (0.78, 0.78), (0.46, 0.52)]
    for layer, pair in zip(FV_LAYERS[:3], pairs):
        u, d = made_row(nb, unit_label(nb, layer))[0][AGREE], made_row(nb, f"{layer} random direction")[0][AGREE]
        assert (u, d) == pair and abs(u - d) <= 0.1


@REGISTER.claim("In those layers nothing here marks a unit's axis as special, the point the notes make about the basis.")
def fv_axis_not_special(nb):
    # in conv2 and conv3 the direction goes at least as far past its best test shape, in spreads, and its J climbs as
    # high; in conv1 to conv3 its starts agree as well (within 0.1)
    for layer in FV_LAYERS[1:3]:
        u, d = made_row(nb, unit_label(nb, layer))[0], made_row(nb, f"{layer} random direction")[0]
        assert d[GAIN] >= u[GAIN] and d[J1] >= u[J1]
    for layer in FV_LAYERS[:3]:
        u, d = made_row(nb, unit_label(nb, layer))[0], made_row(nb, f"{layer} random direction")[0]
        assert abs(u[AGREE] - d[AGREE]) <= 0.1


@REGISTER.claim("fc1 is the exception: its random direction gets a fainter picture and a lower J (0.76, against the "
                "unit's 5.47) and goes less far past its best test shape (2.37 spreads, against 3.47), though its starts "
                "agree better (0.35 against 0.05).")
def fv_fc1_exception(nb):
    u, d = made_row(nb, unit_label(nb, "fc1"))[0], made_row(nb, "fc1 random direction")[0]
    assert (d[J1], u[J1], d[GAIN], u[GAIN], d[AGREE], u[AGREE]) == (0.76, 5.47, 2.37, 3.47, 0.35, 0.05)
    assert d[J1] < u[J1] and d[GAIN] < u[GAIN] and d[AGREE] > u[AGREE]


@REGISTER.claim("They are not images the net meets: from conv2 on they drive their unit beyond every test shape")
def fv_not_met(nb):
    for layer in FV_LAYERS[1:]:
        row = made_row(nb, unit_label(nb, layer))[0]
        assert row[MADE_A] > row[BEST]


@REGISTER.claim("the deeper the layer, the less the three starts agree (1.00 for conv1's unit, 0.78 for conv2's, 0.46 "
                "for conv3's, 0.05 for fc1's)")
def fv_agreement_falls(nb):
    agree = [made_row(nb, unit_label(nb, layer))[0][AGREE] for layer in FV_LAYERS]
    assert agree == [1.0, 0.78, 0.46, 0.05] and all(a > b for a, b in zip(agree, agree[1:]))


@REGISTER.claim("On a net this small the pictures are a few pixels across (fields of 3 to 32 pixels)")
def fv_small(nb):
    fields = [r[FIELD] for r in fv_rows(nb).values()]
    assert (min(fields), max(fields)) == (3, 32)


NOT_CLAIMS = REGISTER.not_claims([
    ("The CS231n notes' page \"Visualizing what ConvNets learn\" lists ways to look inside",
     "what the notes' page holds (its title is checked word for word by test_quotes)"),
    ("The most direct look is the output of every layer for one image.",
     "introduces the technique (the notes call it the most straight-forward); no measurement"),
    ("The notes: \"For ReLU networks, the activations usually start out looking relatively blobby",
     "the notes' words, checked word for word by test_quotes"),
    ("Sparse can be counted: the fraction of a layer's activations that are exactly zero.",
     "the notes' words (test_quotes checks them) and the definition of what we count"),
    ("We count it on the 1,000 test shapes for the trained net and for the same net before training",
     "describes the measurement below (1,000 is the test split of section 0, claimed there)"),
    ("Whether the maps also become more *localized* we leave to the pictures.", "says what is not measured"),
    ("We repeat the 40-update run with the learning rate ten times higher, 3e-2",
     "the settings of the run in the code below; ten times 3e-3 is 3e-2"),
    ("This is one run from one seed: it shows that a high learning rate can kill filters, not how often it does.",
     "says what the run cannot show; no measured relation"),
    ("Here is the broken net's view of test image 0, dead units framed in cyan:", "names the figure below"),
    ("On the 1,000 test shapes:", "introduces the cell below (the test split of section 0)"),
    ("The notes: the weights are \"most interpretable on the first CONV layer",
     "the notes' words, checked word for word by test_quotes"),
    ("roughness = mean((w_p - w_q)^2 over neighbours p, q) / (2 * mean(w^2))", "the definition of roughness"),
    ("On 5x5 examples:", "introduces the cell below"),
    ("A slice does not look at pixels but at one map of the first layer",
     "how to read a slice (filter 3 stands for any filter); no measurement"),
    ("The notes' figure does this for AlexNet's POOL5", "describes the notes' figure"),
    ("Here are the top images of two random directions of pool3:", "names the figure below"),
    ("A channel's activation on an image is its largest value over the 4x4 positions",
     "the definition of a channel's activation"),
    ("Here is channel 1 on the 1,000 test shapes, first as whole images with the box:", "names the figure below"),
    ("If the axes were special, the top images along a random direction of the same space",
     "the prediction the next cell tests (claimed there)"),
    ("We measure coherence by class purity", "the definition of purity (1/9 to 1 follows from it)"),
    ("We compare the live channels with 32 random unit directions", "the design of the comparison, in the code below"),
    ("A picture can mislead, so here is a number that says the same", "describes the measurement below (k = 5)"),
    ("The notes' caption says the same of AlexNet's codes",
     "the notes' words (test_quotes); what ours show is claimed in the sentence before"),
    ("The same codes at perplexity 5 and 30:", "names the figure below"),
    ("The *size* of a class is the mean distance of its points to their centroid",
     "the definition of a class's size and of what agreement would look like"),
    ("The *distances between clusters*: the 45 distances between class centroids",
     "a definition (10 classes make 45 pairs)"),
    ("The object's outline is white, the most harmful position a red cross.", "how to read the figure"),
    ("Where the cross falls is a number we can count: on 200 test shapes",
     "a question; the answer is claimed below"),
    ("A patch placed at random would be on the object as often as the objects cover the patch positions",
     "the definition of the baseline"),
    ("Things to try:", "suggestions for the explorer"),
    ("The box may start before 0 or end past the image: that part is padding.", "the exercise's specification"),
    ("For `[(3, 1, 1)]` and unit (0, 0) it is `(-1, -1, 2, 2)`.",
     "a worked example of the exercise (the checker's tests hold it)"),
    ("The patch stays inside the image (its corner goes from 0 to `H - size`)", "the exercise's specification"),
    ("**Exercise 3.** `dead_units(acts)` takes the activations of a ReLU layer", "the exercise's specification"),
    ("Before you run it on a net: which layer of `shapes_convnet` would you expect",
     "a question to the reader; section 2's counts (claimed there) answer it"),
    ("### The other half: an input made for the unit", "a section title"),
    ("And *jitter*: before each step the image is shifted by up to one pixel",
     "the method's definition (visualize's source is shown below): one pixel each way is 3 x 3 = 9 shifts"),
    ("For an image x of n = 3,072 values,", "arithmetic: 3 x 32 x 32 values"),
    ("J(x) = (mean over the 9 shifts of a(shift(x))) / s - 150 TV(x) / n,", "the objective, a formula"),
    ("where a is the activation of one unit, or of a direction", "the objective's terms, defined"),
    ("One unit per layer of `shapes_convnet`: at the centre of the maps of conv1, conv2 and conv3",
     "the settings of the next cell"),
    ("In each layer we take the unit whose strongest response varies most", "the settings of the next cell"),
    ("Each is climbed from three random starts (the blank grey image plus a little noise), 150 steps",
     "the settings of the next cell (visualize's defaults, shown above)"),
    ("Beside them, the 5 test patches that drive the same unit or direction hardest", "introduces the figure"),
    ("What the pictures show depends on the layer.", "introduces the sentences that follow, each claimed"),
    ("The pictures also depend on our regularizers, the TV weight of 150 and the jitter of one pixel, chosen by eye.",
     "our settings, stated"),
    ("What can an image in [0, 1] give this unit, with and without the jitter?", "a question; the next cell answers it"),
    ("The random directions give pictures too (conv2's a checkerboard like its unit's, conv3's a curved edge).",
     "describes the figure above; no measured relation"),
    ("Bear in mind that in every layer the unit is the one picked for its most varied responses",
     "how the unit and the direction were chosen (the code above) and what one draw can show"),
    ("The notes describe an embedding in which the distances between the two-dimensional points are",
     "what the notes and van der Maaten and Hinton (2008) say, attributed; the next cells measure it (claimed there)"),
    ("Does 63% show that the net looks at the shape?", "a question; the next cell answers it (claimed below)"),
    ("Two rules that know no net at all: always the middle position",
     "the definitions of the two baselines (the code below; 12..19 is the patch at position 3 of 0..6, 4 apart)"),
    ("And they say nothing of how often a unit fires or on which shapes",
     "what the method cannot tell: the optimization never reads a test shape"),
])

test_claims = REGISTER.tests()
