"""The claims register of notebook 10 (Zeiler and Fergus measured): one assertion per sentence that states
a measured relation, read from the executed notebook's printed output (see tests/claims_lib.py).

Numbers in the prose equal the printed ones at the prose's rounding.  "A lot" and "much less" (the
paper's words for the first and the top layer) mean at least twice; "about one half" within 0.05 of
0.5; "much closer to a straight line" at most half as far from it.  Comparisons over seeds follow
the verdict of ``cs231n_lib.stats.paired`` the notebook prints.
"""
import re

from claims_lib import Notebook, Register, read

NB = Notebook("10")
REGISTER = Register(NB, reads=[
    "data/zoo/shapes_convnet.npz", "cs231n_lib/recipes/shapes_convnet.py",
    "data/zoo/shapes_convnet_evolution.npz", "cs231n_lib/recipes/shapes_convnet_evolution.py",
    "data/zeiler_fergus/checkpoints.npz",
    "data/zoo/shapes_alexnet_like.npz", "data/zoo/shapes_zf_like.npz", "cs231n_lib/recipes/_first_layer.py",
    "data/zeiler_fergus/first_layer.json", "data/zeiler_fergus/first_layer_filters.npz",
])

LAYERS = ("pixels", "relu1", "relu2", "relu3", "relu4")
NUM = r"([-\d.]+)"


def fig5(nb, pattern):
    return nb.numbers("zf-paper-fig5", pattern)


def share(nb, layer):
    """(translation, scale) first-step shares of a layer."""
    return nb.numbers("zf-paper-fig5", rf"{layer}: translation {NUM}, scale {NUM}")


# ---------------------------------------------------------------- 1. transforms
@REGISTER.claim("With no transform, the renderer draws the data set itself, to the last bit")
def identity(nb):
    largest = nb.value("zf-identity-check", r"moved by 0 pixels: largest difference from the 100 test images "
                                            r"([\d.e-]+)")
    differ, total = nb.numbers("zf-identity-check", r"turned by 360 degrees: (\d+) of ([\d,]+) values differ")
    assert largest == 0 and differ == 0 and total == 100 * 3 * 32 * 32


# ---------------------------------------------------------------- 2. invariance
@REGISTER.claim("Raw distances do not compare across layers: `relu1` holds 16,384 numbers per image, `relu4` 64.")
def sizes(nb):
    relu1, relu4 = nb.numbers("zf-one-distance", r"relu1 ([\d,]+), relu2 [\d,]+, relu3 [\d,]+, relu4 ([\d,]+)")
    assert (relu1, relu4) == (16384, 64)


@REGISTER.claim("`zf.invariance_curves` does this for 100 test images (ten of each shape)")
def hundred_images(nb):
    n, lo, hi, k = nb.numbers("zf-run-curves", r"(\d+) test images, (\d+) to (\d+) of each of the (\d+) shapes")
    assert (n, lo, hi, k) == (100, 10, 10, 10)


@REGISTER.claim("The paper's first finding holds on our net.")
def first_finding_1(nb):
    first_finding(nb)


@REGISTER.claim("Moved by a single pixel, the first layer's code changes by 0.45 of the distance between two images, "
                "the top hidden layer's (`relu4`, the counterpart of their layer 7) by 0.13.")
def first_finding(nb):
    r1, r4, _ = fig5(nb, rf"moved 1 pixel:\s+relu1 {NUM}, relu4 {NUM} \(pixels {NUM}\)")
    s1, s4, _ = fig5(nb, rf"scaled by 1.1:\s+relu1 {NUM}, relu4 {NUM} \(pixels {NUM}\)")
    assert (r1, r4) == (0.45, 0.13)
    assert r1 >= 2 * r4 and s1 >= 2 * s4


@REGISTER.claim("The first layer is even more sensitive than the pixels (0.21)")
def more_than_pixels(nb):
    r1, _, px = fig5(nb, rf"moved 1 pixel:\s+relu1 {NUM}, relu4 {NUM} \(pixels {NUM}\)")
    assert px == 0.21 and r1 > px


@REGISTER.claim("From there the change shrinks layer by layer, 0.45, 0.36, 0.27, 0.13 (the table's row for 1 pixel)")
def shrinks(nb):
    row = nb.numbers("zf-run-curves", r"translation \(.*?\n(?:.*\n)*?\s+1\s+" + r"\s+".join([NUM] * 7))
    d = [round(v, 2) for v in row[1:5]]
    assert d == [0.45, 0.36, 0.27, 0.13]
    assert row[1] > row[2] > row[3] > row[4]


@REGISTER.claim("Scaling tells the same story (0.48 against 0.19 at 1.1 times the size).")
def scaling_story(nb):
    s1, s4, _ = fig5(nb, rf"scaled by 1.1:\s+relu1 {NUM}, relu4 {NUM} \(pixels {NUM}\)")
    assert (s1, s4) == (0.48, 0.19) and s1 >= 2 * s4


@REGISTER.claim("One pixel already makes 0.59 of the change eight pixels make in the first layer")
def quasi_linear_1(nb):
    quasi_linear(nb)


@REGISTER.claim("In `relu4` one pixel makes 0.24 of it, much closer to the 0.125 of a straight line: the shape the "
                "paper calls quasi-linear in its layer 7.")
def quasi_linear_2(nb):
    quasi_linear(nb)


def quasi_linear(nb):
    (t1, s1), (t4, s4) = share(nb, "relu1"), share(nb, "relu4")
    line = nb.value("zf-paper-fig5", r"a straight line: 1/8 = ([\d.]+) for 1 of 8 pixels")
    assert (t1, t4, line) == (0.59, 0.24, 0.125)
    assert abs(t4 - line) <= abs(t1 - line) / 2


@REGISTER.claim("Within two pixels, or 0.9 to 1.1 times the size, the mean probability of the true class stays "
                "above 0.9: stable, as the paper found its net's output")
def stable(nb):
    t, s = fig5(nb, rf"at worst {NUM} within 2 pixels and {NUM} within 0.9-1.1 times the size")
    assert t > 0.9 and s > 0.9


@REGISTER.claim("Eight pixels away it falls to about one half, and at 0.6 times the size to 0.36.")
def falls(nb):
    up, down, small, _ = fig5(nb, rf"{NUM} and {NUM} at 8 pixels up and down, {NUM} and {NUM} at 0.6")
    assert abs(up - 0.5) <= 0.05 and abs(down - 0.5) <= 0.05 and round(small, 2) == 0.36


@REGISTER.claim("Moved eight pixels down, the objects keep 88% of their pixels in the frame, but 67 of the 100 now "
                "have their centre below the band that holds 98% of the training objects' centres.")
def centres_1(nb):
    centres(nb)


@REGISTER.claim("The net gives those 0.29 on average, and the 33 others 0.83.")
def centres(nb):
    kept, outside, them, others = nb.numbers(
        "zf-centres", rf"moved 8 pixels down: (\d+)% of the objects' pixels still in the frame; (\d+) of 100 centred "
                      rf"below row [\d.]+: probability of the true class {NUM} for them, {NUM} for the others")
    band = nb.value("zf-centres", r"500 training images: (\d+)% of the objects' centres lie between")
    assert (kept, outside, them, others, band) == (88, 67, 0.29, 0.83, 98) and 100 - outside == 33


@REGISTER.claim("Its invariance to translation reaches about as far as the positions it was trained on.")
def within_training_band(nb):
    them, others = nb.numbers("zf-centres", rf"moved 8 pixels down: .*probability of the true class {NUM} for them, "
                                            rf"{NUM} for the others")
    inside_2 = nb.value("zf-centres", rf"moved 2 pixels down: .*for them, {NUM} for the others")
    assert them < 0.5 < 0.8 < others and inside_2 > 0.9


@REGISTER.claim("Turned by any of the 11 angles, our net gives the true class a probability of 0.958 on average at "
                "worst, as much as it gives the untransformed images (0.958) to three decimals: it is invariant to "
                "rotation, which the paper's net was not.")
def rotation_invariant(nb):
    untransformed = nb.value("zf-paper-fig5", r"mean probability of the true class: ([\d.]+) untransformed")
    worst, n = nb.numbers("zf-paper-fig5", r"ours: at worst ([\d.]+) over the (\d+) angles")
    assert worst == 0.958 and untransformed == 0.958 and worst >= untransformed and n == 11


@REGISTER.claim("Here is each shape's lowest probability over the eleven angles")
def eleven(nb):
    assert nb.value("zf-paper-fig5", r"over the (\d+) angles from 30 to 330") == 11


@REGISTER.claim("Every shape keeps its probability within 0.09 of its untransformed value at every angle; the star "
                "loses the most (0.952 to 0.863).")
def per_shape(nb):
    rows = nb.all_numbers("zf-rotation-classes", r"untransformed ([\d.]+), lowest over the angles ([\d.]+)")
    drops = [a - b for a, b in rows]
    star = rows[5]       # SHAPE_CLASSES order: disc, square, triangle, cross, ring, star, ...
    assert len(rows) == 10 and max(drops) <= 0.09 and star == (0.952, 0.863) and star[0] - star[1] == max(drops)


@REGISTER.claim("A square turned by 90 degrees is the same square: the image is the same, so every layer is too.")
def square_same(nb):
    assert 90 in symmetric_angles(nb)["square"]


def back_at(nb):
    """{angle: (images of the 100 back pixel for pixel, shapes)} from the symmetry cell."""
    text = nb.output("zf-symmetry-run").split("the ones every pixel of which is back:")[1]
    return {int(read(int(a))): (read(int(n)), names.split(", ")) for a, n, names in
            re.findall(r"(\d+) degrees:\s+(\d+) \(([^)]*)\)", text)}


@REGISTER.claim("Of the 100 test images, 20 (the discs and rings) come back at every angle, 50 at 90 and 270 degrees "
                "and 60 at 180: that is why the curves of section 2 dip at 90, 180 and 270 degrees.")
def dips(nb):
    back = back_at(nb)
    assert len(back) == 11 and min(n for n, _ in back.values()) == 20
    assert all(set(names) >= {"disc", "ring"} for _, names in back.values())
    assert [n for a, (n, _) in sorted(back.items()) if n == 20] == [20] * 6       # 30, 60, 150, 210, 300, 330
    assert (back[90][0], back[270][0], back[180][0]) == (50, 50, 60)

    def d(angle):
        return nb.numbers("zf-run-curves", r"rotation \(.*?\n(?:.*\n)*?\s+" + str(angle) + r"\s+" +
                          r"\s+".join([NUM] * 7))[1]           # relu1
    assert d(90) < min(d(60), d(120)) and d(180) < min(d(150), d(210)) and d(270) < min(d(240), d(300))


def symmetric_angles(nb):
    """{shape: [angles]} of the list 'angles at which every pixel ... is back', each number through read()."""
    text = nb.output("zf-symmetry-run").split("is back, and relu1 with it:")[1].split("\nof the ")[0]
    return {name: [read(int(a)) for a in line.split(", ")] if line != "none" else []
            for name, line in re.findall(r"(\w+): ([^\n]+)", text)}


@REGISTER.claim("The disc never changes, the square comes back every 90 degrees, the triangle every 120, the bar every "
                "180, and the crescent only after a full turn.")
def symmetry_angles(nb):
    angles = symmetric_angles(nb)
    assert angles["disc"] == list(range(15, 360, 15))
    assert angles["square"] == [90, 180, 270] and angles["triangle"] == [120, 240] and angles["bar"] == [180]
    assert angles["crescent"] == []
    d = [read(float(v)) for v in re.search(r"crescent: ([\d. ]+)\n", nb.output("zf-symmetry-run")).group(1).split()]
    assert min(d[1:-1]) > 0


@REGISTER.claim("The rest ours learned, most likely from training shapes drawn at every angle.")
def learned_rest(nb):
    never_back = symmetric_angles(nb)["crescent"]
    rows = nb.all_numbers("zf-rotation-classes", r"untransformed ([\d.]+), lowest over the angles ([\d.]+)")
    crescent = rows[7]   # SHAPE_CLASSES order: disc, square, triangle, cross, ring, star, bar, crescent, ...
    assert never_back == [] and crescent[0] > 0.8 and crescent[0] - crescent[1] <= 0.09


# ---------------------------------------------------------------- 3. features through training
@REGISTER.claim("at epochs 1, 2, 5, 10, 20, 30, 40 and 64 they showed what drove each unit hardest")
def paper_epochs(nb):
    epochs = nb.numbers("zf-checkpoints", r"the paper's checkpoints: epochs " + ", ".join([r"(\d+)"] * 8))
    late = nb.numbers("zf-settled-at", r"the upper layers develop only after (\d+)-(\d+) epochs")
    assert epochs == (1, 2, 5, 10, 20, 30, 40, 64) and late == (40, 50)


@REGISTER.claim("with the parameters copied after 0, 10, 20, 40, ..., 2,560 updates: at every doubling of the "
                "training, from the untrained net to the end of its eighth epoch.")
def schedule(nb):
    from cs231n_lib.recipes import shapes_convnet, shapes_convnet_evolution

    rows = nb.all_numbers("zf-checkpoints", r"after\s+([\d,]+) updates \(\s*([\d.]+) epochs\)")
    updates = [u for u, _ in rows]
    assert updates[:4] == [0, 10, 20, 40] and updates[-1] == 2560 and rows[-1][1] == 8
    assert all(b == 2 * a for a, b in zip(updates[1:], updates[2:]))
    recipe = dict(shapes_convnet_evolution.RECIPE)
    recipe.pop("checkpoint_updates")
    assert recipe == shapes_convnet.RECIPE


@REGISTER.claim("Each checkpoint is run on 500 test images:")
def probe_size(nb):
    counts = [n for (n,) in nb.all_numbers("zf-checkpoints", r"% of the (\d+) test images right")]
    assert len(counts) == 10 and set(counts) == {500}


@REGISTER.claim("the 3x3 pixels a `relu1` unit sees, 8x8 for `relu2`, 18x18 for `relu3`, the whole image for `relu4`.")
def fields(nb):
    sizes = nb.numbers("zf-last-change", r"relu1 (\d+)x\d+, relu2 (\d+)x\d+, relu3 (\d+)x\d+, relu4 (\d+)x\d+")
    assert sizes[:3] == (3, 8, 18) and sizes[3] >= 32


def last_changes(nb):
    return {(layer, int(unit)): updates for layer, unit, updates in
            [(m[0], m[1], m[2]) for m in re.findall(r"(relu\d) unit\s+(\d+): after\s+([\d,]+) updates",
                                                     nb.output("zf-last-change"))]}


@REGISTER.claim("The two `relu1` units find the image they keep, a yellow shape on blue, within ten updates (unit 12 "
                "keeps the untrained net's choice); the place in it where they respond most still moves later, after "
                "80 and 160 updates.")
def relu1_units(nb):
    rows = nb.all_numbers("zf-last-change", r"relu1 unit\s+(\d+): after\s+([\d,]+) updates \(image (\d+)\); its patch "
                                            r"after\s+([\d,]+)")
    assert [r[0] for r in rows] == [10, 12]
    (_, image_a, same_a, patch_a), (_, image_b, same_b, patch_b) = rows
    assert image_a <= 10 and image_b == 0 and same_a == same_b
    assert sorted([patch_a, patch_b]) == [80, 160] and min(patch_a, patch_b) > max(image_a, image_b)


@REGISTER.claim("The `relu3` and `relu4` units find theirs only at 640 updates, two epochs in, or later.")
def late_units(nb):
    found = nb.all_numbers("zf-last-change", r"relu[34] unit\s+\d+: after\s+([\d,]+) updates")
    per_epoch = nb.value("zf-checkpoints", r"(\d+) updates per epoch")
    assert len(found) == 4 and min(u for (u,) in found) == 640 and 640 / per_epoch == 2


@REGISTER.claim("Of the `relu2` units, one settles after the first epoch (320 updates) and the other changes at the "
                "very end.")
def relu2_units(nb):
    found = sorted(u for (u,) in nb.all_numbers("zf-last-change", r"relu2 unit\s+\d+: after\s+([\d,]+) updates"))
    assert found == [320, 2560]


@REGISTER.claim("Two random sets of nine would share 9/500 = 0.018 of their images.")
def chance(nb):
    assert nb.value("zf-settling", r"two random sets: ([\d.]+)\)") == 0.018


def settled(nb):
    """(updates, epochs, of epochs, lowest share kept from there on) per layer, line at 0.5."""
    rows = nb.all_numbers("zf-settled-at", r"relu\d: settled after ([\d,]+) updates \(([\d.]+) of (\d+) epochs; "
                                           r"lowest share kept from there on ([\d.]+)\)")
    return rows


def lines(nb):
    """{layer: (updates at the line 0.5, 0.6, 0.7)} and the lines."""
    at = nb.numbers("zf-settled-at", r"with the line at ([\d.]+), ([\d.]+), ([\d.]+):")
    rows = {f"relu{k}": nb.numbers("zf-settled-at", rf"\n  relu{k}: ([\d,]+), ([\d,]+), ([\d,]+)") for k in range(1, 5)}
    return rows, at


def settling_steps(nb, layer):
    """The shares kept from one checkpoint to the next, of one layer (the table of zf-settling)."""
    return nb.numbers("zf-settling", r"\n\s+" + layer + r"\s+" + r"\s+".join([r"([\d.]+) \(\s*\d+\)"] * 9))


@REGISTER.claim("By this measure the first layer keeps more than half of its units' top nine from the untrained net "
                "on, the second and the fourth from half an epoch in, the third from the end of the first epoch.")
def order(nb):
    rows = settled(nb)
    assert [r[0] for r in rows] == [0, 160, 320, 160] and [r[1] for r in rows] == [0, 0.5, 1, 0.5]
    assert rows[0][3] > 0.5 and min(settling_steps(nb, "relu1")) > 0.5


@REGISTER.claim("The upper three clear the line only just: the lowest shares they keep from there on are 0.517, 0.505 "
                "and 0.500, so their order moves with the line.")
def just_clear(nb):
    rows = settled(nb)
    assert [r[3] for r in rows[1:]] == [0.517, 0.505, 0.500] and all(0.5 <= r[3] < 0.55 for r in rows[1:])
    by_line, _ = lines(nb)
    assert by_line["relu4"][0] < by_line["relu3"][0] and by_line["relu4"][1] > by_line["relu2"][1]


@REGISTER.claim("At 0.6 and at 0.7 the third and fourth layers settle together, last, after the second.")
def stricter_lines(nb):
    by_line, at = lines(nb)
    assert at == (0.5, 0.6, 0.7)
    for k in (1, 2):
        assert by_line["relu3"][k] == by_line["relu4"][k] > by_line["relu2"][k] > by_line["relu1"][k]


@REGISTER.claim("The first layer's lead does not depend on the line: it settles from the untrained net on at all three")
def first_lead(nb):
    by_line, _ = lines(nb)
    assert by_line["relu1"] == (0, 0, 0) and all(min(v) > 0 for k, v in by_line.items() if k != "relu1")


@REGISTER.claim("and at every checkpoint before the last, more of its final top nine is in place than of any other "
                "layer's")
def first_ahead_1(nb):
    first_ahead(nb)


@REGISTER.claim("share a third of it (0.34), against 0.04 for `relu4`.")
def first_ahead(nb):
    rows = {}
    for layer in ("relu1", "relu2", "relu3", "relu4"):
        rows[layer] = nb.numbers("zf-settling", r"in common with the last checkpoint[\s\S]*?" + layer +
                                 r"\s+" + r"\s+".join([NUM] * 10))
    for k in range(9):
        assert all(rows["relu1"][k] > rows[other][k] for other in ("relu2", "relu3", "relu4"))
    assert rows["relu1"][0] == 0.34 and rows["relu4"][0] == 0.04 and abs(rows["relu1"][0] - 1 / 3) < 0.01


@REGISTER.claim("So the paper's picture holds in part: the lowest layer settles first, and, by a strict enough line, "
                "the top layers last.")
def in_part(nb):
    by_line, _ = lines(nb)
    for k in range(3):
        assert by_line["relu1"][k] < min(by_line[f"relu{j}"][k] for j in (2, 3, 4))
    assert by_line["relu4"][0] < max(v[0] for v in by_line.values())          # not at 0.5
    assert by_line["relu4"][2] == max(v[2] for v in by_line.values())          # at 0.7


@REGISTER.claim("The time scale is not the paper's: with the line at 0.5 every layer of our small net, on its easy "
                "data, has settled within the first of its eight epochs, and at 0.7 within four, where the paper's "
                "upper layers needed 40 to 50.")
def time_scale(nb):
    rows = settled(nb)
    late = nb.numbers("zf-settled-at", r"the upper layers develop only after (\d+)-(\d+) epochs")
    per_epoch = nb.value("zf-checkpoints", r"(\d+) updates per epoch")
    by_line, _ = lines(nb)
    assert all(r[1] <= 1 for r in rows) and all(r[2] == 8 for r in rows) and late == (40, 50)
    assert max(v[2] for v in by_line.values()) / per_epoch <= 4


# ---------------------------------------------------------------- 4. the first layer
PAIRED = "zf-paired"


def verdict(nb, what):
    """(ZF-like mean, AlexNet-like mean, lowest difference, highest difference, seeds ahead, seeds, p) of one block."""
    return nb.numbers(PAIRED, re.escape(what) + rf": ZF-like {NUM}, AlexNet-like {NUM}; differences seed by seed from "
                              rf"{NUM} to \+?{NUM}\n  ZF-like beats AlexNet-like on (\d+) of (\d+) seeds by [\d.]+ on "
                              rf"average \(exact sign-flip p = {NUM}\): significant at the 5% level")


def first_table(nb, label):
    """(dead mean, dead max, high, high lo, high hi, high untrained, aliased, lo, hi, aliased untrained)."""
    return nb.numbers("zf-first-layer-table", rf"{label}: dead filters {NUM} \(max (\d+)\); high-frequency filters "
                                              rf"{NUM} \({NUM}-{NUM}\), untrained {NUM}; aliased energy {NUM} "
                                              rf"\({NUM}-{NUM}\), untrained {NUM}")


@REGISTER.claim("They shrank the first layer's filters from 11x11 to 7x7 and its stride from 4 to 2")
def paper_layers(nb):
    fa, _, sa, fz, _, sz = nb.numbers("zf-two-nets", r"paper: AlexNet's first layer (\d+)x(\d+) at stride (\d+), "
                                                     r"ZF Net's (\d+)x(\d+) at stride (\d+)")
    assert (fa, sa, fz, sz) == (11, 4, 7, 2)


@REGISTER.claim("The AlexNet-like one filters with 8x8 filters at stride 4; the ZF-like one with 6x6 filters at "
                "stride 2, followed by a 2x2 max pool.")
def two_first_stages(nb):
    a = nb.numbers("zf-two-nets", r"AlexNet-like \(shapes_alexnet_like\): CONV(\d+)-32/S(\d+) RELU CONV3")
    z = nb.numbers("zf-two-nets", r"ZF-like \(shapes_zf_like\): CONV(\d+)-32/S(\d+) RELU POOL(\d+) CONV3")
    assert a == (8, 4) and z == (6, 2, 2)


@REGISTER.claim("Both stages end on an 8x8 grid whose units see 8x8 pixels (ZF Net's 7x7 filters at stride 2 and its "
                "3x3 pool also see 11 pixels, AlexNet's filter size), and everything after them is the same:")
def same_grid(nb):
    rows = nb.all_numbers("zf-two-nets", r"after \w+: \(32, (\d+), (\d+)\), each unit sees (\d+)x\d+ pixels, (\d+) "
                                         r"pixels apart")
    seen = nb.value("zf-two-nets", r"a ZF Net unit sees (\d+)x\d+ pixels")
    fa = nb.value("zf-two-nets", r"paper: AlexNet's first layer (\d+)x")
    assert rows == [(8, 8, 8, 4), (8, 8, 8, 4)] and seen == fa == 11
    tails = [t[t.index("CONV3"):] for t in re.findall(r"\): (CONV[^\n]+)", nb.output("zf-two-nets"))]
    assert len(tails) == 2 and tails[0] == tails[1]      # the layers after the first stage


@REGISTER.claim("Both were trained by one recipe (`shapes_convnet`'s Adam, learning rate and decay, on 8,000 "
                "images for 5 epochs) once per seed")
def first_recipe(nb):
    from cs231n_lib.recipes import shapes_convnet

    n, epochs = nb.numbers("zf-first-layer-load", r"'num_epochs': (\d+), 'num_test': \d+, 'num_train': (\d+)")[::-1]
    lr, decay = nb.numbers("zf-first-layer-load", r"'learning_rate': ([\d.]+), 'lr_decay': ([\d.]+)")
    assert (n, epochs) == (8000, 5)
    assert (lr, decay) == (shapes_convnet.RECIPE["learning_rate"], shapes_convnet.RECIPE["lr_decay"])


@REGISTER.claim("The runs take minutes, so they ship as results")
def minutes(nb):
    assert nb.value("zf-first-layer-load", r"(\d+) minutes of CPU in all") >= 1


@REGISTER.claim("**Dead filters.** None, in either net, on any seed")
def no_dead(nb):
    for label in ("AlexNet-like", "ZF-like"):
        row = first_table(nb, label)
        assert row[0] == 0 and row[1] == 0


@REGISTER.claim("800 updates leave much of the white noise they started from (the grey lines).")
def noise_left(nb):
    updates = nb.value("zf-first-layer-load", r"(\d+) updates per run")
    for label in ("AlexNet-like", "ZF-like"):
        row = first_table(nb, label)
        assert row[6] >= 0.7 * row[9]
    assert updates == 800


@REGISTER.claim("But training moved both nets' energy down, toward what their strides can sample.")
def aliased_down_1(nb):
    aliased_down(nb)


@REGISTER.claim("The AlexNet-like net still keeps 0.71 of its energy above its limit of 1/8 cycles per pixel, down "
                "from 0.92 untrained; the ZF-like net keeps 0.54 above its limit of 1/4, down from 0.72.")
def aliased_down(nb):
    a, z = first_table(nb, "AlexNet-like"), first_table(nb, "ZF-like")
    assert (a[6], a[9], z[6], z[9]) == (0.71, 0.92, 0.54, 0.72) and a[8] < a[9] and z[8] < z[9]


@REGISTER.claim("The AlexNet-like filters' spectrum peaks at the very limit of their stride (0.125 cycles per pixel), "
                "the ZF-like ones' a little higher (0.156), well inside theirs.")
def peaks(nb):
    a = nb.numbers("zf-spectra", rf"AlexNet-like \(8x8, stride 4\): the energy peaks at {NUM} cycles per pixel; its "
                                 rf"stride samples up to {NUM}")
    z = nb.numbers("zf-spectra", rf"ZF-like \(6x6, stride 2\): the energy peaks at {NUM} cycles per pixel; its stride "
                                 rf"samples up to {NUM}")
    assert a == (0.125, 0.125) and z[0] == 0.156 and z[0] > a[0] and z[0] <= z[1] * 0.75


@REGISTER.claim("More ZF-like filters count as high-frequency (0.60 of them against 0.29), which their stride of 2 "
                "allows")
def high_share(nb):
    a, z = first_table(nb, "AlexNet-like"), first_table(nb, "ZF-like")
    assert (z[2], a[2]) == (0.60, 0.29) and z[2] > a[2]


@REGISTER.claim("and pooled, the AlexNet-like energy peaks between the two, at 0.125 of the 0.5 cycles per pixel the "
                "pixels hold.")
def alexnet_peak_between(nb):
    peak = nb.value("zf-spectra", rf"AlexNet-like \(8x8, stride 4\): the energy peaks at {NUM} cycles per pixel")
    assert peak == 0.125 and 0 < peak < 0.5


@REGISTER.claim("For each run the experiment moved each of 500 test objects by 0 to 3 pixels down or right (7 "
                "positions, all within one step of the 4-pixel grid)")
def shift_plan(nb):
    import json

    from claims_lib import ROOT

    record = json.loads((ROOT / "data/zeiler_fergus/first_layer.json").read_text())
    shifts = {tuple(s) for r in record["runs"] for s in r["shift"]["shifts"]}
    images = {read(r["shift"]["num_images"]) for r in record["runs"]}
    assert images == {500} and shifts == {(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (0, 3)}
    assert nb.value("zf-two-nets", r"each unit sees 8x8 pixels, (\d+) pixels apart") == 4


@REGISTER.claim("The ZF-like net gives the same label at all seven positions to 0.061 more of the test images, ahead "
                "on 7 of 8 seeds (p = 0.016): its answer is steadier under moves smaller than the coarse grid")
def steadier(nb):
    z, a, _, _, ahead, n, p = verdict(nb, "same label at all 7 shifts")
    assert round(z - a, 3) == 0.061 and (ahead, n, p) == (7, 8, 0.016) and p < 0.05


@REGISTER.claim("And the ZF-like net is more accurate, 0.896 against 0.847, ahead on 7 of 8 seeds (p = 0.023).")
def more_accurate(nb):
    z, a, _, _, ahead, n, p = verdict(nb, "test accuracy")
    assert (z, a, ahead, n, p) == (0.896, 0.847, 7, 8, 0.023) and p < 0.05


@REGISTER.claim("The paper reports 2.1 points less top-1 error on ImageNet for ZF Net, one net of each, from more "
                "than the first layer (the second layer's stride and the dense connections of layers 3 to 5 changed "
                "too); ours agrees in direction.")
def agrees_in_direction(nb):
    alexnet, zfnet, gain = nb.numbers("zf-paper-41", r"top-1 error ([\d.]+)% for their replication of AlexNet, "
                                                     r"([\d.]+)% for their ZF Net, one net of each: ([\d.]+) points less")
    assert "strides 2 in its second layer" in nb.output("zf-paper-41") and "densely" in nb.output("zf-paper-41")
    z, a, *_ = verdict(nb, "test accuracy")
    assert (alexnet, zfnet) == (40.5, 38.4) and round(alexnet - zfnet, 1) == gain == 2.1 and z > a


@REGISTER.claim("The ZF-like net's aliased energy is lower on all 8 seeds, but that gap is there before any training (0.72 against "
                "0.92 untrained, 0.54 against 0.71 trained)")
def aliased_gap(nb):
    z, a, zi, ai = nb.numbers(PAIRED, rf"aliased energy: ZF-like {NUM}, AlexNet-like {NUM} \(untrained: {NUM} and "
                                      rf"{NUM}\)")
    ahead, n = nb.numbers(PAIRED, r"aliased energy[^\n]*\n  ZF-like beats AlexNet-like on (\d+) of (\d+) seeds")
    assert ahead == n == 8 and (round(zi, 2), round(ai, 2), round(z, 2), round(a, 2)) == (0.72, 0.92, 0.54, 0.71)
    assert ai - zi >= a - z


@REGISTER.claim("But that pool is a second difference: a 2x2 max pool by itself lets a feature move a little without "
                "changing its output, and the AlexNet-like first stage has none.")
def pool_confound(nb):
    a = nb.value("zf-two-nets", r"AlexNet-like \(shapes_alexnet_like\): CONV\d+-\d+/S(\d+) RELU CONV")
    z = nb.numbers("zf-two-nets", r"ZF-like \(shapes_zf_like\): CONV\d+-\d+/S(\d+) RELU POOL(\d+) CONV")
    assert a == 4 and z == (2, 2) and z[0] * z[1] == a


@REGISTER.claim("With 8 seeds the smallest two-sided p is 0.0078, so a difference in the same direction on 7 or 8 "
                "seeds can pass the 5% level, as the accuracy does here.")
def eight_seeds(nb):
    n, smallest = nb.numbers(PAIRED, r"(\d+) seeds: the smallest two-sided p a sign-flip test can give is ([\d.]+)")
    _, _, _, _, ahead, _, p = verdict(nb, "test accuracy")
    assert (n, smallest) == (8, 0.0078) and ahead >= 7 and p < 0.05


@REGISTER.claim("They cannot pin down its size: seed by seed the accuracy gap runs from -0.036 to +0.100.")
def gap_range(nb):
    _, _, lo, hi, *_ = verdict(nb, "test accuracy")
    assert (lo, hi) == (-0.036, 0.100)


@REGISTER.claim("both nets trained for 800 updates only and stay below `shapes_convnet`'s 97%")
def below_reference(nb):
    ref = nb.value("zf-first-layer-load", r"test accuracy ([\d.]+)%")
    accs = [v for row in nb.all_numbers("zf-first-layer-load", r"-like\s+" + r"\s+".join([NUM] * 8)) for v in row]
    assert round(ref) == 97 and max(accs) < ref / 100 and len(accs) == 16


NOT_CLAIMS = REGISTER.not_claims([
    ("What they learned with those tools also changed the net", "history and a quotation of the notes, checked word "
                                                                "for word by tests/test_quotes.py"),
    ("section 2: how much each layer's features change", "the outline of the notebook"),
    ("section 3: when each layer's features settle", "the outline of the notebook"),
    ("section 4: what a smaller first-layer filter and stride change", "the outline of the notebook"),
    ("For an image $x$ and its transformed version $T(x)$, the paper runs the net on both",
     "the paper's measure (its layers 1 and 7, printed from zf.PAPER in zf-paper-fig5) and our choice of features"),
    ("0 means the layer did not notice the transform", "the definition of the normalized distance"),
    ("Here are its findings next to what the 100 shapes say", "announces the printed comparison"),
    ("Per shape, five images each, the pixels and the first layer, and then how many", "announces the output "
                                                                                       "below"),
    ("Nothing is trained here: the checkpoints ship", "where the checkpoints come from; tests/test_zeiler_fergus.py "
                                                      "checks their digests against the zoo file and rebuilds them"),
    ("A strongest image is one image; to put a number on when a layer settles", "defines the measure"),
    ("One number per layer: the first checkpoint from which every doubling", "defines the summary number"),
    ("The first-layer fix (their section 4.1)", "a heading"),
    ("Looking at AlexNet's first layer, Zeiler and Fergus saw filters", "the paper's findings in words (printed "
                                                                        "from zf.PAPER in the cell zf-paper-41)"),
    ("The notes cite both settings when they discuss the first layer's memory",
     "a quotation of the notes, checked word for word by tests/test_quotes.py"),
    ("As another example, an AlexNet uses filter sizes of 11x11", "the rest of the notes' quotation"),
    ("Scaled to our 32x32 images, two zoo nets differ only in their first stage.", "announces the two nets "
                                                                                   "(their layers are printed below)"),
    ("Here are the first-layer filters of both nets (seed 0)", "announces a figure"),
    ("**dead filters**: a filter whose ReLU output is zero", "a definition"),
    ("**high-frequency filters**: the share of filters", "a definition (0.25 cycles per pixel is a period of 4 "
                                                           "pixels)"),
    ("**aliased energy**: the share of a filter's energy", "a definition"),
    ("A grid of units S pixels apart can only hold patterns", "the sampling theorem, the reason for the definition "
                                                             "(tests/test_zeiler_fergus.py checks the cutoffs)"),
    ("For stride 4 the limit is 1/8, for stride 2 it is 1/4", "arithmetic of the definition: 1 / (2 x stride)"),
    ("The aliasing argument predicts a consequence one can see in the answer", "a prediction, which the next "
                                                                               "measurement tests"),
    ("**Exercise 1.**", "an exercise's instructions"),
    ("Return one number per image (an array of N numbers, or a list)", "an exercise's instructions"),
    ("For each unit, take its k strongest images at each checkpoint", "an exercise's instructions"),
    ("Take its 2-D Fourier transform zero-padded", "an exercise's instructions"),
    ("Return one number: the share of that energy", "an exercise's instructions"),
])

test_claims = REGISTER.tests()
