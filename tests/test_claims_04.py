"""The claims register of notebook 04 (architectures); see tests/claims_lib.py.

Every number is read from the executed notebook's saved outputs and checked against the sentence
that states it and, where the sentence rests on arithmetic, against a closed form written here
(not the library's). The papers' figures a sentence sets beside ours (LeNet's per-layer counts,
AlexNet's list of layer sizes, GoogLeNet's parameter column) are read from what the notebook
prints, and checked here against the totals the papers give.
"""
import math
import re

from claims_lib import Notebook, Register, read

NB = Notebook("04")
REGISTER = Register(NB)     # integer arithmetic on specs: no data file, weights or recipe

N = r"([-+]?[\d,]+(?:\.\d+)?)"      # one printed number, with thousands separators


def _vgg_table(nb):
    """[(H, W, D, activations, bytes, weights)] of the VGG-16 budget table's rows (its ReLU rows left out)."""
    return nb.all_numbers("98d013ee", r"(?m)^(?:CONV3-\d+|POOL2|FC-\d+|INPUT)\s+(\d+)x(\d+)x(\d+)\s+\S+ = " + N
                          + r"\s+" + N + r"\s+(?:\S+ = )?" + N)


# ---- 1. Layer patterns ------------------------------------------------------------------------

@REGISTER.claim("the same arithmetic sizes VGG-16, a real network with 138 million parameters (section 5)")
def vgg_138_million(nb):
    (params,) = nb.numbers("833b9d4a", r"parameters:\s+" + N)
    assert round(params / 1e6) == 138


@REGISTER.claim("Each pool halves the width: 32, 16, 8, 4.")
def each_pool_halves(nb):
    convs = nb.all_numbers("1321a459", r"CONV3-32\s+-> (\d+)x")
    pools = [w for (w,) in nb.all_numbers("1321a459", r"POOL2\s+-> (\d+)x")]
    widths = [convs[0][0]] + pools
    assert widths == [32, 16, 8, 4]
    assert all(b == a / 2 for a, b in zip(widths, widths[1:]))


@REGISTER.claim("The first FC layer then sees a 4x4x32 volume and turns it into 512 numbers.")
def first_fc_input(nb):
    last_pool = nb.all_numbers("1321a459", r"POOL2\s+-> (\d+)x(\d+)x(\d+)")[-1]
    (fc,) = nb.all_numbers("1321a459", r"FC-512\s+-> 1x1x(\d+)")[0]
    assert last_pool == (4, 4, 32) and fc == 512


@REGISTER.claim("The linear classifier (`N = M = K = 0`) has 30,730 parameters: 32*32*3 = 3,072 weights for each "
                "of 10 classes, plus 10 biases.")
def linear_classifier(nb):
    (params,) = nb.numbers("b835bcae", r"conv layers: 0, " + N + " parameters")
    assert params == 30_730 == 32 * 32 * 3 * 10 + 10


def _examples(nb):
    rows = nb.all_numbers("b835bcae", r"conv layers: (\d+), " + N + r" parameters, " + N + " activations")
    return {int(convs): (params, acts) for convs, params, acts in rows}


@REGISTER.claim('the "two conv-pool stages" net has fewer parameters than the "one conv layer" net (73,882 against '
                "165,066), because pooling shrinks the volume its first FC layer looks at from 32x32x16 to 8x8x16")
def pooling_saves_parameters(nb):
    ex = _examples(nb)
    one, two = ex[1][0], ex[2][0]
    assert (one, two) == (165_066, 73_882) and two < one
    conv1 = 5 * 5 * 3 * 16 + 16
    assert one == conv1 + 32 * 32 * 16 * 10 + 10                         # FC-10 on 32x32x16
    assert two == conv1 + 5 * 5 * 16 * 16 + 16 + 8 * 8 * 16 * 64 + 64 + 64 * 10 + 10   # FC-64 on 8x8x16


@REGISTER.claim("across the four nets they grow with the number of conv layers, from 3,082 (no conv layer) to "
                "19,466 (one), 28,746 (two) and 100,874 (six)")
def activations_grow(nb):
    ex = _examples(nb)
    acts = [ex[k][1] for k in sorted(ex)]
    assert sorted(ex) == [0, 1, 2, 6]
    assert acts == [3_082, 19_466, 28_746, 100_874]
    assert all(a < b for a, b in zip(acts, acts[1:]))


@REGISTER.claim("Its conv layer has 1,216 parameters and stores 16,384 activations; its FC layer has 163,850 "
                "parameters and stores 10.")
def conv_cheap_in_weights(nb):
    conv = nb.numbers("one-conv-rows", r"CONV5-16\s+" + N + r" parameters\s+" + N)
    fc = nb.numbers("one-conv-rows", r"FC-10\s+" + N + r" parameters\s+" + N)
    assert conv == (1_216, 16_384) and fc == (163_850, 10)
    assert conv[0] < conv[1] and fc[0] > fc[1]          # cheap in weights, expensive in memory; the reverse


# ---- 2. Three 3x3 layers instead of one 7x7 ---------------------------------------------------

@REGISTER.claim("A neuron of the first 3x3 layer sees 3x3 pixels; one of the second layer sees 3x3 neurons of the "
                "first, which together cover 5x5 pixels; the third layer sees 7x7.")
def stack_fields(nb):
    fields = nb.numbers("274b4fea", r"field after each: \[(\d+), (\d+), (\d+)\]")
    assert fields == (3, 5, 7)


@REGISTER.claim("Each stride-1 layer adds `F - 1 = 2` pixels.")
def adds_f_minus_one(nb):
    fields = nb.numbers("274b4fea", r"field after each: \[(\d+), (\d+), (\d+)\]")
    assert [b - a for a, b in zip((1,) + fields, fields)] == [3 - 1] * 3


@REGISTER.claim("Both see 7x7 pixels.")
def both_seven(nb):
    stack = nb.numbers("274b4fea", r"field after each: \[\d+, \d+, (\d+)\]")
    one = nb.numbers("274b4fea", r"one 7x7 layer, field: (\d+)")
    assert stack == one == (7,)


@REGISTER.claim("The stack applies three ReLUs, the single layer one")
def three_relus(nb):
    assert nb.numbers("16e891d2", r"ReLUs: (\d+) vs (\d+)") == (3, 1)


@REGISTER.claim("one 7x7 layer has `C*(7*7*C) = 49C^2` weights and the stack `3*C*(3*3*C) = 27C^2`")
def fewer_parameters(nb):
    (stack,) = nb.numbers("16e891d2", r"three 3x3: .* = " + N + " weights")
    (single,) = nb.numbers("16e891d2", r"one 7x7: .* = " + N + " weights")
    C = 64
    assert stack == 27 * C * C and single == 49 * C * C and stack < single


@REGISTER.claim("the stack holds three 56x56x64 volumes for the backward pass, the single layer one")
def backward_price(nb):
    stack, single = nb.numbers("16e891d2", r"backprop: " + N + " vs " + N)
    assert stack == 3 * 56 * 56 * 64 and single == 56 * 56 * 64


# ---- 3. Layer sizing rules --------------------------------------------------------------------

@REGISTER.claim("Small filters at stride 1 with padding `P = (F - 1)/2`: `F = 3, P = 1` and `F = 5, P = 2`.")
def same_padding(nb):
    rows = nb.all_numbers("e9b58b61", r"F=(\d), P=(\d): .* = (\d+)\n")
    assert [tuple(r) for r in rows] == [(3, 1, 224), (5, 2, 224)]
    assert all(P == (F - 1) / 2 for F, P, _ in rows)


@REGISTER.claim("2x2 max pooling at stride 2 discards 75% of the activations.")
def pool_discards(nb):
    side, kept, discarded = nb.numbers("e9b58b61", r"kept: (\d+)\*\d+ of 224\*224 activations = (\d+)%; "
                                                   r"discarded: (\d+)%")
    assert side == (224 - 2) / 2 + 1
    assert kept == 100 * side ** 2 / 224 ** 2 == 25 and discarded == 100 - kept == 75


@REGISTER.claim("224 = 7 * 2^5 survives five pools, which is exactly what VGG uses.")
def five_pools(nb):
    text = nb.output("e9b58b61")
    sizes = [read(int(s)) for s in re.search(r"halving 224: ([\d >-]+)", text).group(1).split(" -> ")]
    assert sizes[0] == 224 == 7 * 2 ** 5 and sizes[-1] == 7 and len(sizes) - 1 == 5
    vgg_pools = nb.all_numbers("98d013ee", r"(?m)^POOL2\s+(\d+)x")
    assert len(vgg_pools) == len(sizes) - 1 and [p for (p,) in vgg_pools] == sizes[1:]


@REGISTER.claim("An input of 225 pixels does not survive even one:")
def two_twenty_five(nb):
    (size,) = nb.numbers("a51474ac", r"\(225 - 2\)/2 \+ 1 = ([\d.]+) is not an integer")
    assert size == (225 - 2) / 2 + 1 and size != int(size)


@REGISTER.claim("after ten layers a 32-pixel input has shrunk to 12")
def no_padding_shrinks(nb):
    text = nb.output("d35353d8")
    sizes = [read(int(s)) for s in text.split(":")[1].split("->")]
    assert len(sizes) == 10 and sizes[-1] == 12
    assert [a - b for a, b in zip([32] + sizes, sizes)] == [2] * 10     # a pixel off each border


# ---- 4. Memory: the notes' example ------------------------------------------------------------

@REGISTER.claim('"about 10 million activations, or 72MB of memory (per image, for both activations and gradients)"')
def about_ten_million(nb):
    (acts,) = nb.numbers("f6162dec", r"activations: 3 \* 224\*224\*64 = " + N)
    assert acts == 3 * 224 * 224 * 64 and round(acts / 1e7) == 1


@REGISTER.claim("9.6 million activations, and with their gradients 77.1 MB, which is 73.5 MiB (1 MiB = 2^20 bytes).")
def memory_count(nb):
    (acts,) = nb.numbers("f6162dec", r"activations: 3 \* 224\*224\*64 = " + N)
    mb, mib = nb.numbers("f6162dec", r"with their gradients \(x2\): ([\d.]+) MB \(([\d.]+) MiB\)")
    assert round(acts / 1e6, 1) == 9.6
    assert mb == round(acts * 4 * 2 / 1e6, 1) == 77.1 and mib == round(acts * 4 * 2 / 2 ** 20, 1) == 73.5


@REGISTER.claim('their "72MB" is 98.0% of the count\'s 73.5 MiB, close but not what the count gives')
def notes_72mb(nb):
    share, mib = nb.numbers("f6162dec", r"72MB, read as MiB: ([\d.]+)% of the count's ([\d.]+) MiB")
    exact = 3 * 224 * 224 * 64 * 8 / 2 ** 20
    assert mib == round(exact, 1) and share == round(100 * 72 / exact, 1) == 98.0
    assert 95 < share < 100


@REGISTER.claim("a batch of 64 images needs 64 times as much, 4,932.5 MB")
def batch_of_64(nb):
    one, batch = nb.numbers("f6162dec", r"64 images: 64 \* ([\d.]+) MB \(.*\) = " + N + " MB")
    assert batch == round(64 * 3 * 224 * 224 * 64 * 8 / 1e6, 1) == 4_932.5 and abs(batch / one - 64) < 0.1


# ---- 5. VGG-16 --------------------------------------------------------------------------------

@REGISTER.claim("is the pattern at full scale: 3x3 convolutions with stride 1 and padding 1, 2x2 max pools with "
                "stride 2, three FC layers")
def vgg_pattern(nb):
    fcs = nb.all_numbers("98d013ee", r"(?m)^FC-\d+\s+1x1x(\d+)")
    convs = nb.all_numbers("98d013ee", r"(?m)^CONV(\d+)-\d+\s+(\d+)x")
    assert len(fcs) == 3 and [f for (f,) in fcs] == [4096, 4096, 1000]
    assert len(convs) == 13 and all(F == 3 for F, _ in convs)


@REGISTER.claim("the VGG paper's and the notes' figures")
def vgg_totals_beside_the_papers(nb):
    (params,) = nb.numbers("833b9d4a", r"parameters:\s+" + N)
    paper, notes_table, notes_text = nb.numbers("833b9d4a", r"configuration D\): (\d+) million; the notes: (\d+)M "
                                                              r"in their table, (\d+)M in their text")
    assert round(params / 1e6) == paper == notes_table == 138 and round(params / 1e7) * 10 == notes_text


@REGISTER.claim("the four of the first two blocks store 63.2% of the activations and hold 0.2% of the parameters")
def early_layers_memory(nb):
    count, acts, params = nb.numbers("833b9d4a", r"the (\d+) conv layers of the first two blocks: ([\d.]+)% of the "
                                                 r"activations, ([\d.]+)% of the parameters")
    stored = 2 * 224 * 224 * 64 + 2 * 112 * 112 * 128
    weights = 3 * 3 * 3 * 64 + 64 + 3 * 3 * 64 * 64 + 64 + 3 * 3 * 64 * 128 + 128 + 3 * 3 * 128 * 128 + 128
    assert count == 4 and acts == round(100 * stored / 15_237_608, 1) == 63.2 and acts > 50
    assert params == round(100 * weights / 138_357_544, 1) == 0.2


@REGISTER.claim("Most of the **parameters** are in the first FC layer, 74.3% of them")
def first_fc_share(nb):
    weights, share = nb.numbers("833b9d4a", r"first FC:\s+\(7\*7\*512\)\*4096 = " + N + r" weights, ([\d.]+)%")
    assert weights == 7 * 7 * 512 * 4096 and share == round(100 * weights / 138_357_544, 1) == 74.3 and share > 50


@REGISTER.claim("### An erratum: 24M activations (93MB) in the notes, 15.2M (58.1 MiB) in their rows")
def erratum_heading(nb):
    (rows_sum,) = nb.numbers("7ce30349", r"sum of the listed rows: " + N)
    (mib,) = nb.numbers("7ce30349", r"\* 4 bytes = [\d.]+ MB \(([\d.]+) MiB\)")
    assert round(rows_sum / 1e6, 1) == 15.2 and mib == round(rows_sum * 4 / 2 ** 20, 1) == 58.1


@REGISTER.claim("The products written in their own rows (224\\*224\\*64 and so on) do not add up to 24M:")
def rows_are_not_24m(nb):
    table = _vgg_table(nb)
    products = [h * w * d for h, w, d, _, _, _ in table]
    assert [acts for _, _, _, acts, _, _ in table] == products and len(table) == 22
    (rows_sum,) = nb.numbers("7ce30349", r"sum of the listed rows: " + N)
    assert sum(products) == rows_sum and abs(rows_sum - 24e6) > 5e6


@REGISTER.claim("The rows sum to 15,237,608 activations: 61.0 MB, or 58.1 MiB, in float32 for one forward pass.")
def rows_sum_in_bytes(nb):
    (rows_sum,) = nb.numbers("7ce30349", r"sum of the listed rows: " + N)
    mb, mib = nb.numbers("7ce30349", r"\* 4 bytes = ([\d.]+) MB \(([\d.]+) MiB\)")
    assert rows_sum == 15_237_608 and mb == round(rows_sum * 4 / 1e6, 1) == 61.0 and mib == 58.1


@REGISTER.claim("The notes' 24M is 1.58 times that sum, and their 93MB is not 24M * 4 bytes in either unit: that is "
                "96.0 MB, or 91.6 MiB (93 MiB would be 24.4M activations, 93 MB 23.25M).")
def notes_24m(nb):
    (rows_sum,) = nb.numbers("7ce30349", r"sum of the listed rows: " + N)
    mb, mib, ratio = nb.numbers("7ce30349", r"24,000,000 \* 4 bytes = ([\d.]+) MB \(([\d.]+) MiB\); 24M / the rows' "
                                            r"sum = ([\d.]+)")
    as_mib, as_mb = nb.numbers("7ce30349", r"93 MiB would be " + N + " activations, 93 MB " + N)
    assert ratio == round(24e6 / rows_sum, 2) == 1.58
    assert mb == 96.0 and mib == round(96e6 / 2 ** 20, 1) == 91.6 and 93 not in (mb, mib, round(mb), round(mib))
    assert as_mib == 93 * 2 ** 20 / 4 and round(as_mib / 1e6, 1) == 24.4 and as_mb == 23_250_000


@REGISTER.claim("Counting every ReLU output as a volume of its own gives 28.8M, not 24M either")
def relu_separately(nb):
    (separate,) = nb.numbers("7ce30349", r"stored separately: " + N)
    relu_outputs = 2 * 224 * 224 * 64 + 2 * 112 * 112 * 128 + 3 * 56 * 56 * 256 + 3 * 28 * 28 * 512 \
        + 3 * 14 * 14 * 512 + 2 * 4096
    assert separate == 15_237_608 + relu_outputs and round(separate / 1e6, 1) == 28.8


@REGISTER.claim("tens of megabytes per image for the forward pass (58.1 MiB by the rows, 91.6 MiB by the notes' "
                "24M), twice that with the backward pass")
def tens_of_megabytes(nb):
    (rows_mib,) = nb.numbers("7ce30349", r"\* 4 bytes = [\d.]+ MB \(([\d.]+) MiB\)")
    (notes_mib,) = nb.numbers("7ce30349", r"24,000,000 \* 4 bytes = [\d.]+ MB \(([\d.]+) MiB\)")
    (backward,) = nb.numbers("7ce30349", r"x2 for backward: [\d.]+ MB \(([\d.]+) MiB\)")
    assert (rows_mib, notes_mib) == (58.1, 91.6) and all(10 <= m < 100 for m in (rows_mib, notes_mib))
    assert abs(backward - 2 * rows_mib) <= 0.1


@REGISTER.claim('during training the notes multiply it by "a factor of at least 3 or so", for the values, their '
                "gradients and a step cache")
def parameters_times_three(nb):
    once, thrice = nb.numbers("0fac29a2", r"parameters: [\d,]+ \* 4 bytes = ([\d,.]+) MB.*\nx3 \(values, gradients, "
                                          r"one step cache\): ([\d,.]+) MB")
    assert once == round(138_357_544 * 4 / 1e6, 1) and thrice == round(3 * 138_357_544 * 4 / 1e6, 1)


@REGISTER.claim("so with Adam the factor is 4:")
def adam_times_four(nb):
    once, four = nb.numbers("0fac29a2", r"= ([\d,.]+) MB.*\n(?:.*\n)x4 with Adam \(two running averages\):\s+([\d,.]+) MB")
    assert once == round(138_357_544 * 4 / 1e6, 1) and four == round(4 * 138_357_544 * 4 / 1e6, 1)


@REGISTER.claim("although the text calls it AlexNet, with 5 pooling layers.")
def notes_example_is_vgg(nb):
    vgg_pools = nb.all_numbers("98d013ee", r"(?m)^POOL2\s+(\d+)x(\d+)x(\d+)")
    fcs = [k for (k,) in nb.all_numbers("98d013ee", r"(?m)^FC-\d+\s+1x1x(\d+)")]
    assert len(vgg_pools) == 5 and vgg_pools[-1] == (7, 7, 512) and fcs == [4096, 4096, 1000]


@REGISTER.claim("AlexNet (section 8) has 3 pooling layers, and its last pooling volume is 6x6x256.")
def alexnet_pools(nb):
    (pools,) = nb.numbers("e6382a35", r"pooling layers: (\d+)")
    last = nb.numbers("e6382a35", r"(\d+)x(\d+)x(\d+) -> 1x1x4096")
    assert pools == 3 and last == (6, 6, 256)


# ---- 6. Receptive fields ----------------------------------------------------------------------

def _rf_rows(nb, cell):
    """(name, k, s, p, r, S, P) rows of a printed receptive-field table."""
    text = nb.output(cell)
    rows = []
    for m in re.finditer(r"(?m)^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", text):
        rows.append((m.group(1),) + tuple(read(int(g)) for g in m.groups()[1:]))
    return rows


def _walk(kernels):
    """The recurrence of the notebook, from one unit of the top layer down: [(r, S, P) after each layer]."""
    r, S, P, out = 1, 1, 0, []
    for k, s, p in reversed(kernels):
        r, S, P = s * r + (k - s), s * S, s * P + p
        out.append((r, S, P))
    return out


@REGISTER.claim("That is the POOL2 row: field 6, stride 2, padding 2.")
def pool_row_by_hand(nb):
    rows = _rf_rows(nb, "c899630c")
    assert [r[0] for r in rows] == ["CONV3-8", "RELU", "CONV3-8", "POOL2"]
    steps = _walk([r[1:4] for r in rows])
    assert [r for r, _, _ in steps] == [2, 4, 4, 6]                 # the pool, the conv, the ReLU, the first conv
    assert steps[-1] == tuple(rows[-1][4:]) == (6, 2, 2)


@REGISTER.claim("The values on the way (a field of 2, then 4) count units of the layer below, not input pixels, so "
                "they are no row of the table.")
def values_on_the_way(nb):
    rows = _rf_rows(nb, "c899630c")
    fields = [r[4] for r in rows]
    assert 2 not in fields and 4 not in fields
    # the second conv's own walk: r = 3, P = 1 at its layer, then 5 and 2 through the first conv
    assert _walk([r[1:4] for r in rows[:3]])[0][0] == 3
    assert _walk([r[1:4] for r in rows[:3]])[-1] == (rows[2][4], rows[2][5], rows[2][6]) == (5, 1, 2)


@REGISTER.claim("A pool5 neuron's field is 212 pixels wide, close to the image's 224, and neighbouring pool5 neurons "
                "are 32 pixels apart (2^5, one factor 2 per pool).")
def pool5_field(nb):
    field, stride, padding = nb.numbers("4c32ad9b", r"pool5: field (\d+), effective stride (\d+), effective padding (\d+)")
    pools = [r for r in _rf_rows(nb, "4c32ad9b") if r[0] == "POOL2"]
    assert (field, stride) == (212, 32) and 0.9 < field / 224 < 1 and stride == 2 ** len(pools) == 2 ** 5


@REGISTER.claim("The FC layers' fields, 404 pixels, cover the whole image.")
def fc_fields(nb):
    fcs = [r for r in _rf_rows(nb, "4c32ad9b") if r[0].startswith("FC")]
    assert len(fcs) == 3 and all(r[4] == 404 for r in fcs)
    assert all(r[6] >= 0 and r[4] - r[6] - 1 >= 223 for r in fcs)   # first pixel <= 0, last >= 223


@REGISTER.claim("The corner unit's field starts 90 pixels outside the image: 122 of its 212 pixels per axis lie in the "
                "image, and zero padding fills 67% of its 212x212 field.")
def corner_unit(nb):
    start, end = nb.numbers("beca6a99", r"unit 0: pixels\s+(-?\d+) \.\.\s+(\d+)")
    inside, size, padding = nb.numbers("beca6a99", r"unit 0: (\d+) of its (\d+) pixels per axis lie in the image; "
                                                   r"zero padding: (\d+)%")
    assert start == -90 and size == end - start + 1 == 212 and inside == end + 1 == 122
    assert padding == round(100 * (1 - (inside / size) ** 2)) == 67


@REGISTER.claim("Only unit 3, the middle one, has a field that lies inside the image (pixels 6 to 217 of 0 to 223)")
def only_the_middle_unit(nb):
    spans = nb.all_numbers("beca6a99", r"unit (\d): pixels\s+(-?\d+) \.\.\s+(\d+), centre")
    inside = [x for x, u, v in spans if u >= 0 and v <= 223]
    assert len(spans) == 7 and inside == [3] and tuple(spans[3][1:]) == (6, 217)


@REGISTER.claim("3x3 filters with dilation 1, 2 and 4 see 15 pixels after three layers, where three ordinary 3x3 "
                "layers see 7 (section 2)")
def dilation_fields(nb):
    dilated = nb.numbers("1259586d", r"fields: \[(\d+), (\d+), (\d+)\]")
    plain = nb.numbers("274b4fea", r"field after each: \[(\d+), (\d+), (\d+)\]")
    assert dilated == (3, 7, 15) and plain[-1] == 7
    assert [b - a for a, b in zip((1,) + dilated, dilated)] == [2 * d for d in (1, 2, 4)]   # (F-1) times d


@REGISTER.claim("Fields wider than 200 pixels are described but not drawn.")
def explorer_draws_up_to_200(nb):
    from cs231n_lib import widgets
    wide = widgets.rf_view(layers=6, F=7, S=1, schedule="doubles each layer")
    narrow = widgets.rf_view(layers=3, F=3, S=2)
    assert read(wide.size) > 200 and not wide.valid and "too wide to draw" in wide.text
    assert read(narrow.size) <= 200 and narrow.valid
    assert read(widgets.architectures.RF_MAX_DRAWN) == 200


# ---- 7. FC layers as CONV layers --------------------------------------------------------------

@REGISTER.claim("A converted network accepts larger images.")
def accepts_larger_images(nb):
    small = nb.numbers("2db2165c", r"converted net output shape: \((\d+), (\d+), (\d+), (\d+)\)")
    big = nb.numbers("79319a72", r"score map shape: \((\d+), (\d+), (\d+), (\d+)\)")
    assert small == (1, 4, 1, 1) and big == (1, 4, 4, 3)


@REGISTER.claim("On a 10x10 image both give the same four scores.")
def same_four_scores(nb):
    original = nb.numbers("2db2165c", r"original net:\s+\[([-\d.]+), ([-\d.]+), ([-\d.]+), ([-\d.]+)\]")
    converted = nb.numbers("2db2165c", r"converted net:\s+\[([-\d.]+), ([-\d.]+), ([-\d.]+), ([-\d.]+)\]")
    assert original == converted


@REGISTER.claim('The features become 5x4x6 instead of 2x2x6 (height x width x depth), the 2x2 "FC" filter fits '
                "`(5 - 2)/1 + 1 = 4` times down and 3 times across, and the net returns a 4x3 grid of scores.")
def features_on_22x18(nb):
    small = nb.numbers("2db2165c", r"feature volume on 10x10: \((\d+), (\d+), (\d+)\)")
    h, w, c = nb.numbers("79319a72", r"feature volume on 22x18: (\d+)x(\d+)x(\d+)")
    grid = nb.numbers("79319a72", r"score map shape: \(1, \d+, (\d+), (\d+)\)")
    assert small == (6, 2, 2) and (h, w, c) == (5, 4, 6)
    assert grid == ((h - 2) / 1 + 1, (w - 2) / 1 + 1) == (4, 3)


@REGISTER.claim("Crops of 10x10 taken every 4 pixels (the total stride) give the same number of positions: "
                "`(22 - 10)/4 + 1 = 4` and `(18 - 10)/4 + 1 = 3`.")
def crop_positions(nb):
    crops = nb.numbers("79319a72", r"crops: (\d+) x (\d+)")
    assert crops == ((22 - 10) / 4 + 1, (18 - 10) / 4 + 1) == (4, 3)


@REGISTER.claim("Exactly equal, in one pass instead of twelve.")
def exactly_equal(nb):
    crops, difference = nb.numbers("79319a72", r"one pass vs (\d+) crops: largest difference ([\d.]+)")
    assert crops == 12 and difference == 0


@REGISTER.claim("and the two routes disagree:")
def padded_routes_disagree(nb):
    (difference,) = nb.numbers("f78a94f2", r"largest difference to the crops: " + N)
    assert difference >= 1


@REGISTER.claim("The largest difference, 2,275, is about half the largest score of a crop, 4,274")
def half_the_largest_score(nb):
    (difference,) = nb.numbers("f78a94f2", r"largest difference to the crops: " + N)
    (score,) = nb.numbers("f78a94f2", r"largest score of a crop, in absolute value: " + N)
    assert (difference, score) == (2_275, 4_274) and 0.4 < difference / score < 0.6


@REGISTER.claim("the identity holds for a net without zero padding.")
def identity_without_padding(nb):
    (unpadded,) = nb.numbers("79319a72", r"largest difference ([\d.]+)")
    (padded,) = nb.numbers("f78a94f2", r"largest difference to the crops: " + N)
    assert unpadded == 0 and padded > 0


@REGISTER.claim("VGG reduces 224x224 to 7x7x512 (a factor of 32).")
def vgg_reduces_by_32(nb):
    h, w, d = nb.numbers("ceb5ce14", r"224x224: conv part gives (\d+)x(\d+)x(\d+)")
    assert (h, w, d) == (7, 7, 512) and 224 / h == 32


@REGISTER.claim("On a 384x384 image the conv part gives 12x12x512; the first FC layer becomes a 7x7 conv and fits "
                "`(12 - 7)/1 + 1 = 6` times in each direction.")
def vgg_on_384(nb):
    h, w, d, grid = nb.numbers("ceb5ce14", r"384x384: conv part gives (\d+)x(\d+)x(\d+); 7x7 'FC' conv: "
                                           r"\(\d+ - 7\)/1 \+ 1 = (\d+)")
    assert (h, w, d) == (384 / 32, 384 / 32, 512) and grid == (h - 7) / 1 + 1 == 6


@REGISTER.claim("So one pass over a 384x384 image gives 36 score vectors, one for each 224x224 crop taken every 32 "
                "pixels, with 8.9% of the multiply-adds of 36 separate passes.")
def one_pass_cost(nb):
    (crops,) = nb.numbers("ceb5ce14", r"384x384: .*: (\d+) crops")
    (one,) = nb.numbers("ceb5ce14", r"one pass over 384x384:\s+" + N)
    per_crop, many = nb.numbers("ceb5ce14", r"36 passes over 224x224: 36 \* " + N + " = " + N)
    (share,) = nb.numbers("ceb5ce14", r"does ([\d.]+)% of the work")
    convs = [(224, 3, 3, 64), (224, 3, 64, 64), (112, 3, 64, 128), (112, 3, 128, 128), (56, 3, 128, 256),
             (56, 3, 256, 256), (56, 3, 256, 256), (28, 3, 256, 512), (28, 3, 512, 512), (28, 3, 512, 512),
             (14, 3, 512, 512), (14, 3, 512, 512), (14, 3, 512, 512)]
    conv_macs = sum(n * n * F * F * D * K for n, F, D, K in convs)
    fc_macs = 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000
    assert crops == 36 and per_crop == conv_macs + fc_macs and many == 36 * per_crop
    on_384 = sum((n * 12 // 7) ** 2 * F * F * D * K for n, F, D, K in convs)   # every side grows by 12/7
    assert one == on_384 + 36 * fc_macs
    assert share == round(100 * one / many, 1) == 8.9


@REGISTER.claim("Because VGG pads every conv layer, they are not exactly the scores of the 36 crops")
def vgg_pads_every_conv(nb):
    paddings = [r[3] for r in _rf_rows(nb, "4c32ad9b") if r[0].startswith("CONV")]
    (padded_difference,) = nb.numbers("f78a94f2", r"largest difference to the crops: " + N)
    assert len(paddings) == 13 and min(paddings) >= 1 and padded_difference > 0


@REGISTER.claim("on the small padded net above the largest difference was 2,275.")
def small_net_difference_recalled(nb):
    (difference,) = nb.numbers("f78a94f2", r"largest difference to the crops: " + N)
    assert difference == 2_275


@REGISTER.claim("The converted net can only step by its total stride, 32.")
def total_stride_32(nb):
    (stride,) = nb.numbers("4c32ad9b", r"pool5: field \d+, effective stride (\d+)")
    assert stride == 32


@REGISTER.claim("Shift the image by 16 pixels and run it again: the second pass gives the crops at offsets 16, 48, 80")
def second_pass_offsets(nb):
    last, positions = nb.numbers("4cb4977d", r"offsets 16, 48, \.\.\., (\d+): (\d+) positions")
    assert positions == (last - 16) / 32 + 1 == 5 and last + 224 <= 384 - 16


@REGISTER.claim("Along one axis that is two passes; over a 2-D grid the shifts (0, 0), (0, 16), (16, 0) and (16, 16) "
                "give every position.")
def two_then_four_passes(nb):
    first, second = nb.numbers("4cb4977d", r"together (\d+) = .* = (\d+) positions per axis")
    a, b = nb.numbers("4cb4977d", r"160: (\d+) positions\npass 2, .*: (\d+) positions")
    assert a + b == first == second == (384 - 224) / 16 + 1
    assert (a + b) ** 2 == a * a + a * b + b * a + b * b                # the four shifts cover the grid


@REGISTER.claim("(Shifting by 16 pixels along width and height at once, as the notes describe it, adds only the "
                "crops shifted by 16 in both directions, (16, 16), (16, 48), (48, 16) and so on; the crops shifted in "
                "one direction only, such as (0, 16) and (16, 0), need the other two shifts.) The shifted image must "
                "still tile: we cut it to 352 = 224 + 4*32 pixels.")
def diagonal_shift_only(nb):
    a, b = nb.numbers("4cb4977d", r"160: (\d+) positions\npass 2, .*: (\d+) positions")
    start, stop = nb.numbers("4cb4977d", r"image\[(\d+):(\d+)\]")
    assert a * a + b * b < (a + b) ** 2                                  # two passes miss the mixed offsets
    assert stop - start == 352 == 224 + 4 * 32 and (stop - start - 224) % 32 == 0


@REGISTER.claim("its total stride is 4, and crops every 2 pixels come from four shifted passes.")
def small_net_four_passes(nb):
    grid, stride, passes, difference = nb.numbers("d5fc8c57", r"(\d+)x\d+ crops at stride (\d+) from (\d+) passes; "
                                                              r"largest difference ([\d.]+)")
    assert grid == (20 - 10) / 2 + 1 and stride == 2 and passes == (4 // stride) ** 2 == 4 and difference == 0


# ---- 8. Case studies --------------------------------------------------------------------------

@REGISTER.claim("read 32x32 images of digits: two conv layers of 5x5 filters without padding, each followed by a 2x2 "
                "subsampling (an average), then three fully connected layers.")
def lenet_layout(nb):
    text = nb.output("91330457")
    convs = nb.all_numbers("91330457", r"(?m)^CONV(\d)-\d+\(P=0\)\s+(\d+)x")
    pools = nb.all_numbers("91330457", r"(?m)^AVGPOOL(\d)\s+(\d+)x")
    fcs = nb.all_numbers("91330457", r"(?m)^FC-(\d+)\s")
    (side,) = nb.numbers("91330457", r"INPUT\s+(\d+)x\d+x1")
    assert side == 32 and [F for F, _ in convs] == [5, 5] and [F for F, _ in pools] == [2, 2] and len(fcs) == 3
    assert [n for _, n in convs] == [side - 4, (side - 4) / 2 - 4] and "AVGPOOL2" in text


@REGISTER.claim("the first of our FC layers is its C5, 120 filters of\n5x5 on a 5x5x16 volume, which fit exactly once")
def lenet_c5(nb):
    pool = nb.numbers("91330457", r"(?m)^AVGPOOL2\s+(\d+)x(\d+)x(\d+)\s[^\n]*\n(?=FC-120)")
    weights, biases = nb.numbers("91330457", r"(?m)^FC-120\s+1x1x120\s+[\d,]+\s+[\d,]+\s+([\d,]+)\s+(\d+)$")
    assert pool == (5, 5, 16) and weights == 5 * 5 * 16 * 120 and biases == 120
    assert (pool[0] - 5) / 1 + 1 == 1                                   # a 5x5 filter fits once


@REGISTER.claim("61,706 parameters; the paper gives a round 60,000.")
def lenet_total(nb):
    paper_sum, ours = nb.numbers("b630aacf", r"= " + N + r"  \(our spec: " + N + r"\)")
    assert ours == 61_706 and round(ours, -4) == round(paper_sum, -4) == 60_000


@REGISTER.claim("The difference sits in three places the spec language does not model")
def lenet_difference(nb):
    parts = nb.numbers("b630aacf", r"(\d[\d,]*) \+ (\d[\d,]*) \+ (\d[\d,]*) \+ (\d[\d,]*) \+ (\d[\d,]*) \+ (\d[\d,]*) \+ "
                                   r"(\d[\d,]*) = " + N + r"  \(our spec: " + N)
    c1, s2, c3, s4, c5, f6, output, paper_sum, ours = parts
    assert sum(parts[:7]) == paper_sum
    # the paper's layers that the spec writes alike: C1, C5, F6 (weights and biases)
    assert (c1, c5, f6) == (5 * 5 * 6 + 6, 400 * 120 + 120, 120 * 84 + 84)
    diff, ours_c3, paper_c3, paper_s2, paper_s4, ours_out, paper_out = nb.numbers(
        "b630aacf", r"= (\d+) = \(" + N + " - " + N + r"\) for C3 - \((\d+) \+ (\d+)\) for S2 and S4 \+ \((\d+) - (\d+)\)")
    assert ours_c3 == 5 * 5 * 6 * 16 + 16 and (paper_c3, paper_s2, paper_s4, paper_out) == (c3, s2, s4, output)
    assert (s2, s4) == (2 * 6, 2 * 16) and ours_out == 84 * 10 + 10 and paper_out == 84 * 10
    assert diff == ours - paper_sum == (ours_c3 - c3) - (s2 + s4) + (ours_out - output) == 866


@REGISTER.claim("like LeNet but deeper (5 conv layers instead of LeNet's 2 as written above) and wider (96 filters in "
                "its first layer instead of 6)")
def alexnet_deeper_wider(nb):
    depth = {name: n for name, n in re.findall(r"(?m)^(LeNet-5|AlexNet)\s+\S+\s+(\d+)", nb.output("77345227"))}
    (alex_first,) = nb.numbers("e6382a35", r"^55x55x(\d+)")
    (lenet_first,) = nb.numbers("91330457", r"CONV5-6\(P=0\)\s+28x28x(\d+)")
    assert read(int(depth["AlexNet"])) == 5 and read(int(depth["LeNet-5"])) == 2
    assert (alex_first, lenet_first) == (96, 6)


@REGISTER.claim("`(224 - 11)/4 + 1 = 54.25` is not a whole number; 227 is what makes the first layer fit")
def alexnet_input(nb):
    (size,) = nb.numbers("e6382a35", r"\(224 - 11\)/4 \+ 1 = ([\d.]+)")
    (first,) = nb.numbers("e6382a35", r"^(\d+)x\d+x96")
    assert size == (224 - 11) / 4 + 1 == 54.25 and first == (227 - 11) / 4 + 1 == 55


@REGISTER.claim("with the groups our count is 61.0 million (62.4 million without), against the paper's round 60 "
                "million.")
def alexnet_parameters(nb):
    full, grouped, paper = nb.numbers("e6382a35", r"parameters: " + N + "; with the paper's two groups: " + N
                                      + r"; the paper: (\d+) million")
    halved = (5 * 5 * 96 * 256 + 3 * 3 * 384 * 384 + 3 * 3 * 384 * 256) // 2
    assert grouped == full - halved and round(grouped / 1e6, 1) == 61.0 and round(full / 1e6, 1) == 62.4
    assert paper == 60 and round(grouped / 1e7) * 10 == paper


@REGISTER.claim("Our 659,272 neurons are 1.4% more than the paper's round 650,000.")
def alexnet_neurons(nb):
    neurons, paper, more = nb.numbers("e6382a35", r"neurons .*: " + N + "; the paper: " + N + r" \(([+-][\d.]+)%\)")
    assert neurons == 55 * 55 * 96 + 27 * 27 * 256 + 2 * 13 * 13 * 384 + 13 * 13 * 256 + 2 * 4096 + 1000
    assert more == round(100 * (neurons / paper - 1), 1) == 1.4


@REGISTER.claim("The paper's own list of its layers' sizes adds up to 622,312, because its first entry, 253,440, is "
                "not the 55\\*55\\*96 = 290,400 outputs of the first layer.")
def alexnet_paper_list(nb):
    text = nb.output("e6382a35")
    listed = [read(int(v.replace(",", ""))) for v in re.search(r"the paper's list: ([\d, +]+) =", text).group(1)
              .split(" + ")]
    (total,) = nb.numbers("e6382a35", r"the paper's list: .* = " + N + ";")
    (ours_first,) = nb.numbers("e6382a35", r"our first layer: 55\*55\*96 = " + N)
    (neurons,) = nb.numbers("e6382a35", r"neurons .*: " + N + ";")
    assert sum(listed) == total == 622_312 and listed[0] == 253_440 and ours_first == 55 * 55 * 96
    assert total - listed[0] + ours_first == neurons                     # the first entry is the only difference


@REGISTER.claim("padding 1 is the one that leads to 110\n(padding 0 leads to 109, padding 2 to 111)")
def zf_padding(nb):
    sizes = nb.numbers("1241792c", r"P=0: (\d+), P=1: (\d+), P=2: (\d+)")
    assert sizes == tuple(math.floor((224 - 7 + 2 * P) / 2) + 1 for P in (0, 1, 2)) == (109, 110, 111)
    (paper_first,) = nb.numbers("1241792c", r"paper's figure: \[(\d+),")
    assert sizes.count(paper_first) == 1 and sizes[1] == paper_first


@REGISTER.claim("Its paper draws a 224x224 input and a first layer of 110x110, and gives no padding.")
def zf_first_layer(nb):
    (spec_first,) = nb.numbers("1241792c", r"outputs of the spec:\s+\[(\d+),")
    (paper_first,) = nb.numbers("1241792c", r"paper's figure: \[(\d+),")
    assert spec_first == paper_first == 110


@REGISTER.claim("Frameworks round such a size\ndown and never read the pixels left over.")
def frameworks_round_down(nb):
    left, down = nb.numbers("b7383bfc", r"(\d+) pixel\(s\) at the far edge are left over.*?round down to (\d+)")
    (floor,) = nb.numbers("1241792c", r"floor\(109\.5\) \+ 1 = (\d+)")
    assert left == (224 - 7 + 2) % 2 == 1 and down == floor == math.floor((224 - 7 + 2) / 2) + 1 == 110


@REGISTER.claim("The other keeps\nthe paper's lack of padding and rounds up, as Krizhevsky's cuda-convnet library sizes the "
                "output\nof a convolution: `ceil((224 - 7)/2) + 1 = 110` too (printed below).")
def zf_ceil_reading(nb):
    (up,) = nb.numbers("1241792c", r"no padding, rounded up as cuda-convnet does: ceil\(\(224 - 7 \+ 2\*0\)/2\) \+ 1 = "
                                   r"ceil\(108\.5\) \+ 1 = (\d+)")
    (paper_first,) = nb.numbers("1241792c", r"paper's figure: \[(\d+),")
    (down_p0,) = nb.numbers("1241792c", r"P=0: (\d+)")
    # cuda-convnet's layer.py: modulesX = 1 + ceil((2 * padding + imgSize - filterSize) / stride)
    assert up == 1 + math.ceil((2 * 0 + 224 - 7) / 2) == paper_first == 110 and down_p0 == 109


@REGISTER.claim("we write the first, as we write GoogLeNet and ResNet below.")
def floor_in_three_specs(nb):
    for cell in ("1241792c", "71ea37e9", "bab45abc"):
        assert read(nb.source(cell).count("floor)")) + read(nb.source(cell).count("floor,")) >= 1


@REGISTER.claim("The paper's 55 and 13 after the first two pools are what rounding up gives; rounding down would give "
                "54 and 12.")
def zf_pools(nb):
    spec = nb.numbers("1241792c", r"outputs of the spec:\s+\[(\d+), (\d+), (\d+), (\d+),")
    paper = nb.numbers("1241792c", r"paper's figure: \[(\d+), (\d+), (\d+), (\d+),")
    down = nb.numbers("1241792c", r"rounded down instead:\s+(\d+) and (\d+)")
    assert spec == paper and (paper[1], paper[3]) == (math.ceil((110 - 3) / 2) + 1, math.ceil((26 - 3) / 2) + 1)
    assert down == ((110 - 3) // 2 + 1, (26 - 3) // 2 + 1) == (54, 12)


@REGISTER.claim("the module's output depth is the sum of the branches', and so is its parameter count")
def inception_3a(nb):
    branches = nb.all_numbers("58024ed6", r"-> 28x28x(\d+), " + N + " parameters")
    depth, params = nb.numbers("58024ed6", r"inception \(3a\): 28x28x(\d+), " + N)
    assert len(branches) == 4 and depth == sum(d for d, _ in branches) and params == sum(p for _, p in branches)
    assert [p for _, p in branches] == [192 * 64 + 64, 192 * 96 + 96 + 9 * 96 * 128 + 128,
                                        192 * 16 + 16 + 25 * 16 * 32 + 32, 192 * 32 + 32]


@REGISTER.claim("The 1x1 reductions cut inception (3a) from 393,472 parameters to 163,696, 2.4 times fewer.")
def reductions_keep_it_cheap(nb):
    (unreduced,) = nb.numbers("58024ed6", r"without the 1x1 reductions .*: " + N)
    (reduced,) = nb.numbers("58024ed6", r"inception \(3a\): 28x28x\d+, " + N)
    assert unreduced == 192 * 64 + 64 + 9 * 192 * 128 + 128 + 25 * 192 * 32 + 32 + 192 * 32 + 32
    assert round(unreduced / reduced, 1) == 2.4


@REGISTER.claim("a 7x7 convolution at stride 2 rounded down (`floor((224 - 7 + 2*3)/2) + 1 = 112`), 3x3 pools at "
                "stride 2 rounded up (112 -> 56 and 56 -> 28)")
def googlenet_stem(nb):
    side, depth = nb.numbers("71ea37e9", r"stem output: (\d+)x\d+x(\d+)")
    conv = math.floor((224 - 7 + 2 * 3) / 2) + 1
    pool1 = math.ceil((conv - 3) / 2) + 1
    assert (conv, pool1) == (112, 56) and side == math.ceil((pool1 - 3) / 2) + 1 == 28 and depth == 192


def _googlenet_rows(nb):
    rows = re.findall(r"(?m)^(conv 7x7/2|conv 3x3/1|\d[ab-e]|linear)\s+([\d,]+)\s+[\d,.]+K\s+[\d,.]+K\s+([\d,.]+)K",
                      nb.output("googlenet-paper"))
    return [(name, read(int(w.replace(",", ""))), read(float(p.replace(",", "")))) for name, w, p in rows]


@REGISTER.claim("That is 6,998,552 parameters, counted as the spec counts, weights and biases.")
def googlenet_with_biases(nb):
    (total,) = nb.numbers("71ea37e9", r"= " + N + " parameters")
    biases, again = nb.numbers("googlenet-paper", r"biases: " + N + "; weights and biases: " + N)
    rows = _googlenet_rows(nb)
    assert total == again == 6_998_552 and sum(w for _, w, _ in rows) + biases == total


@REGISTER.claim("and that column adds up to 6,797.7K.")
def paper_column(nb):
    rows = _googlenet_rows(nb)
    (paper_total,) = nb.numbers("googlenet-paper", r"(?m)^total\s+[\d,]+\s+[\d,.]+K\s+[\d,.]+K\s+([\d,.]+)K")
    assert len(rows) == 12 and round(sum(p for _, _, p in rows), 1) == paper_total == 6_797.7


@REGISTER.claim("Read as weights without biases, in K of 1,024, the table agrees with ours to within 1K in five\n"
                "rows (the 3x3 stem convolution, 3a, 3b, 4b and the linear layer); read in K of 1,000, it agrees\n"
                "in none of the twelve.")
def units_of_1024(nb):
    rows = _googlenet_rows(nb)
    agree = [name for name, w, p in rows if abs(w / 1024 - p) <= 1]
    assert agree == ["conv 3x3/1", "3a", "3b", "4b", "linear"]
    assert not [name for name, w, p in rows if abs(w / 1000 - p) <= 1]


@REGISTER.claim("Its total is then 6,826.4K against the paper's 6,797.7K, 0.4% apart.")
def googlenet_totals(nb):
    rows = _googlenet_rows(nb)
    ours, paper = nb.numbers("googlenet-paper", r"(?m)^total\s+[\d,]+\s+([\d,.]+)K\s+[\d,.]+K\s+([\d,.]+)K")
    assert ours == round(sum(w for _, w, _ in rows) / 1024, 1) == 6_826.4 and paper == 6_797.7
    assert round(100 * (ours / paper - 1), 1) == 0.4


@REGISTER.claim("the first convolution (9.2K against 2.7K) and modules 4a, 4c, 4d, 4e, 5a and 5b, off by 2.8K to "
                "54.0K in both directions; the totals differ by +28.7K.")
def googlenet_rows_that_differ(nb):
    rows = _googlenet_rows(nb)
    off = {name: w / 1024 - p for name, w, p in rows if abs(w / 1024 - p) > 1}
    assert list(off) == ["conv 7x7/2", "4a", "4c", "4d", "4e", "5a", "5b"]
    first = next((w, p) for name, w, p in rows if name == "conv 7x7/2")
    assert (round(first[0] / 1024, 1), first[1]) == (9.2, 2.7) and first[0] == 7 * 7 * 3 * 64
    modules = [abs(v) for k, v in off.items() if k != "conv 7x7/2"]
    assert round(min(modules), 1) == 2.8 and round(max(modules), 1) == 54.0
    assert min(off.values()) < 0 < max(off.values())
    (diff,) = nb.numbers("googlenet-paper", r"(?m)^total\s.*K\s+([+-][\d.]+)K$")
    assert diff == round(sum(w / 1024 - p for _, w, p in rows), 1) == 28.7


@REGISTER.claim("The notes' 4M is neither count")
def notes_four_million(nb):
    (total,) = nb.numbers("71ea37e9", r"= " + N + " parameters")
    (ours_k,) = nb.numbers("googlenet-paper", r"(?m)^total\s+[\d,]+\s+([\d,.]+)K")
    assert all(abs(4e6 / x - 1) > 0.3 for x in (total, ours_k * 1024))


@REGISTER.claim("by ours (AlexNet with its groups, GoogLeNet with biases) it has 8.7 times fewer parameters; the "
                "GoogLeNet paper says 12 times.")
def alexnet_over_googlenet(nb):
    alexnet, googlenet, ratio = nb.numbers("googlenet-paper", r"AlexNet with its groups / GoogLeNet: " + N + " / " + N
                                           + r" = ([\d.]+)")
    (grouped,) = nb.numbers("e6382a35", r"with the paper's two groups: " + N)
    assert alexnet == grouped and ratio == round(alexnet / googlenet, 1) == 8.7 and ratio < 12


@REGISTER.claim("the last module gives a 7x7x1024 volume, and instead of feeding it to a fully connected layer as "
                "AlexNet and VGG do, GoogLeNet averages each 7x7 map to one number")
def googlenet_head(nb):
    head, whole = nb.numbers("7b0bd245", r"AVGPOOL7 -> FC-1000: " + N + " parameters;  FC-1000 on the whole "
                                         r"7x7x1024 volume: " + N)
    assert head == 1024 * 1000 + 1000 and whole == 7 * 7 * 1024 * 1000 + 1000
    assert 384 + 384 + 128 + 128 == 1024      # inception (5b)'s four branches, from the table in the code


@REGISTER.claim("so the path with the largest field is one chain: the stem, then the 5x5 branch of every module, whose "
                "5x5 filters widen the field most")
def largest_field_path(nb):
    (five,) = nb.numbers("e541d83c", r"5x5 branch: field (\d+) pixels")
    others = [f for (f,) in nb.all_numbers("e541d83c", r"branch instead: field (\d+) pixels")]
    stem_field, widening = 27, 4 * (2 * 8 + 5 * 16 + 2 * 32) + 2 * 8 + 2 * 16  # stem, then modules and two pools
    assert five == stem_field + widening == 715 and len(others) == 3 and all(f < five for f in others)


@REGISTER.claim("Sections 5 and 6 sized VGG-16 in full: 138 million parameters, 74.3% of them in the first FC layer, "
                "15 million activations per image, and a field of 212 pixels at pool5.")
def vgg_recap(nb):
    (params,) = nb.numbers("833b9d4a", r"parameters:\s+" + N)
    (share,) = nb.numbers("833b9d4a", r"weights, ([\d.]+)% of all parameters")
    (acts,) = nb.numbers("833b9d4a", r"activations: " + N + " per image")
    (field,) = nb.numbers("4c32ad9b", r"pool5: field (\d+)")
    assert (round(params / 1e6), share, round(acts / 1e6), field) == (138, 74.3, 15, 212)


@REGISTER.claim("its conv layers are nothing but 3x3 convolutions at stride 1 with padding 1, its pools 2x2 max pools "
                "at stride 2")
def vgg_homogeneous(nb):
    rows = _rf_rows(nb, "4c32ad9b")
    convs = [r[1:4] for r in rows if r[0].startswith("CONV")]
    pools = [r[1:4] for r in rows if r[0].startswith("POOL")]
    assert len(convs) == 13 and set(convs) == {(3, 1, 1)} and len(pools) == 5 and set(pools) == {(2, 2, 0)}


@REGISTER.claim("ResNet-34 halves the size at the start of a stage with a 3x3 convolution at stride 2 and padding 1, "
                "and the spec language refuses it:")
def resnet_refused(nb):
    (size,) = nb.numbers("7af8dcc1", r"\(56 - 3 \+ 2\*1\)/2 \+ 1 = ([\d.]+) is not an integer")
    assert size == (56 - 3 + 2) / 2 + 1 == 28.5


@REGISTER.claim("PyTorch rounds down, and the one pixel it never reads is a padding zero, so nothing is lost.")
def resnet_rounds_down(nb):
    left, down = nb.numbers("7af8dcc1", r"(\d+) pixel\(s\) at the far edge are left over.*?round down to (\d+)")
    assert left == (56 - 3 + 2) % 2 == 1 and down == math.floor((56 - 3 + 2) / 2) + 1 == 28
    assert "here they are padding zeros" in nb.output("7af8dcc1")


@REGISTER.claim("`(56 - 1)/2 + 1 = 28.5`, so the last row and column of its input are never read.")
def shortcut_skips_a_row(nb):
    (out,) = nb.numbers("4b07265f", r"floor\(27\.5\) \+ 1 = (\d+)")
    assert out == 28 and 2 * (out - 1) == 54 < 56 - 1          # the last window reads pixel 54 of 0..55


@REGISTER.claim("PyTorch's ResNet-34\ntakes the projection, and so do we.")
def projection_shortcuts(nb):
    conv, fc, channels, total = nb.numbers("4b07265f", r"conv weights " + N + r" .* \+ FC " + N + r" \+ batch norm 2\*"
                                           + N + " = " + N)
    (quoted,) = nb.numbers("4b07265f", r"torchvision\): " + N)
    projections = 64 * 128 + 128 * 256 + 256 * 512 + 2 * (128 + 256 + 512)     # 1x1 weights and their batch norms
    assert total == quoted and total - projections != quoted                  # without them the count falls short


@REGISTER.claim("Counting like PyTorch's ResNet-34, without conv biases")
def resnet_count(nb):
    conv, fc, channels, total = nb.numbers("4b07265f", r"conv weights " + N + r" .* \+ FC " + N + r" \+ batch norm 2\*"
                                           + N + " = " + N)
    (quoted,) = nb.numbers("4b07265f", r"torchvision\): " + N)
    stages = [(64, 3), (128, 4), (256, 6), (512, 3)]
    main = 7 * 7 * 3 * 64 + sum(2 * n * 9 * c * c for c, n in stages) - sum(9 * c * c // 2 for c, _ in stages[1:])
    shortcuts = 64 * 128 + 128 * 256 + 256 * 512
    assert conv == main + shortcuts and fc == 512 * 1000 + 1000
    assert channels == 64 + sum(2 * n * c for c, n in stages) + 128 + 256 + 512
    assert total == conv + fc + 2 * channels == quoted == 21_797_672


@REGISTER.claim("Parameters rose from 61,706 (LeNet-5) to 62 million (AlexNet, ZF Net) and 138 million (VGG-16), and "
                "fell to 7.0 million with GoogLeNet (above) and 21.8 million with ResNet-34")
def parameters_rose_and_fell(nb):
    table = {name: params for name, params in
             re.findall(r"(?m)^(LeNet-5|AlexNet|ZF Net|VGG-16)\s+\S+\s+\d+\s+([\d,]+)", nb.output("77345227"))}
    lenet, alexnet, zf, vgg = (read(int(table[k].replace(",", ""))) for k in ("LeNet-5", "AlexNet", "ZF Net", "VGG-16"))
    (googlenet,) = nb.numbers("71ea37e9", r"= " + N + " parameters")
    (resnet,) = nb.numbers("4b07265f", r"torchvision\): " + N)
    assert lenet == 61_706 and round(alexnet / 1e6) == round(zf / 1e6) == 62 and round(vgg / 1e6) == 138
    assert round(googlenet / 1e6, 1) == 7.0 and round(resnet / 1e6, 1) == 21.8
    assert lenet < zf < vgg and googlenet < resnet < vgg
    (main_path,) = nb.numbers("77345227", r"ResNet-34, main path\s+\S+\s+\d+\s+([\d,]+)")
    stages = [(64, 3), (128, 4), (256, 6), (512, 3)]
    conv_weights = 7 * 7 * 3 * 64 + sum(2 * n * 9 * c * c for c, n in stages) - sum(9 * c * c // 2 for c, _ in stages[1:])
    conv_biases = 64 + sum(2 * n * c for c, n in stages)
    assert main_path == conv_weights + conv_biases + 512 * 1000 + 1000 == 21_616_232 and main_path < resnet


@REGISTER.claim("The fields grew with the number of conv layers: 14 pixels after LeNet's 2, 163 and 139 after "
                "AlexNet's and ZF Net's 5, 196 after VGG-16's 13 (of its 224 pixels) and 899 after ResNet-34's 33, "
                "along its longest path: more than the whole image")
def fields_grow_with_depth(nb):
    rows = nb.all_numbers("77345227", r"(?m)^(?:LeNet-5|AlexNet|ZF Net|VGG-16|ResNet-34, main path)\s+\S+\s+(\d+)\s+"
                                      r"[\d,]+\s+[\d,]+\s+(\d+) pixels")
    assert [tuple(r) for r in rows] == [(2, 14), (5, 163), (5, 139), (13, 196), (33, 899)]
    by_depth = {}
    for depth, field in rows:
        by_depth.setdefault(depth, []).append(field)
    depths = sorted(by_depth)
    assert all(max(by_depth[a]) < min(by_depth[b]) for a, b in zip(depths, depths[1:]))
    assert rows[-1][1] > 224


@REGISTER.claim("down to 11 pixels through the stem and the three projection shortcuts alone.")
def shortcut_fields(nb):
    field, stride = nb.numbers("77345227", r"projection shortcuts alone: field (\d+) pixels, stride (\d+)")
    (longest,) = nb.numbers("77345227", r"ResNet-34, main path .*\s(\d+) pixels")
    assert field == 7 + (3 - 1) * 2 == 11 and stride == 2 * 2 * 2 ** 3 and field < longest


# ---- 9. Computational considerations ----------------------------------------------------------

@REGISTER.claim("(the budget counts each image once, as its INPUT row, with its gradient)")
def input_in_the_budget(nb):
    table = _vgg_table(nb)
    assert table[0][:3] == (224, 224, 3) and table[0][3] == 224 * 224 * 3
    (per_image_mb,) = nb.numbers("62dcade3", r"from a batch of \d+ \(\d+ \* ([\d.]+) MB")
    assert per_image_mb == round(sum(t[3] for t in table) * 4 * 2 / 1e6, 1)   # INPUT row included, x2


@REGISTER.claim("on GPUs of the notes' 3, 4 and 6GB and their best GPUs' 12GB, read as GiB since the notes divide by "
                "1024:")
def largest_batches(nb):
    rows = nb.all_numbers("62dcade3", r"(\d+) GiB\s+(\d+) images\s+(\d+) images")
    per_image = 15_237_608 * 4 * 2
    params = 138_357_544 * 4
    fits = [(g, (g * 2 ** 30 - 3 * params) // per_image, (g * 2 ** 30 - 4 * params) // per_image) for g in (3, 4, 6, 12)]
    assert [tuple(r) for r in rows] == fits


@REGISTER.claim("every image in the batch costs its activations again, while the parameters are paid once.")
def batch_is_linear(nb):
    rows = nb.all_numbers("0fac29a2", r"batch of\s+(\d+): ([\d,.]+) MB \([\d,.]+ MiB\) with momentum")
    (params,) = nb.numbers("0fac29a2", r"x3 \(values, gradients, one step cache\): ([\d,.]+) MB")
    per_image = [(mb - params) / n for n, mb in rows]
    assert [n for n, _ in rows] == [1, 32, 64] and max(per_image) - min(per_image) < 0.01
    assert abs(per_image[0] - 15_237_608 * 8 / 1e6) < 0.1


@REGISTER.claim("For VGG-16 that holds from a batch of 14 images on (19 with Adam); below that the parameters take "
                "more, and at a batch of 1 they are 93.2% of the budget (94.8% with Adam)")
def activations_outweigh_parameters(nb):
    rows = nb.all_numbers("62dcade3", r"from a batch of (\d+) \(\d+ \* ([\d.]+) MB = ([\d,.]+) MB against ([\d,.]+) MB\); "
                                      r"at a batch of 1 the parameters are ([\d.]+)%")
    per_image = 15_237_608 * 8
    for (n, one, _, params, share), copies in zip(rows, (3, 4)):
        param_bytes = 138_357_544 * 4 * copies
        assert n * per_image > param_bytes >= (n - 1) * per_image
        assert share == round(100 * param_bytes / (param_bytes + per_image), 1)
    assert [(r[0], r[4]) for r in rows] == [(14, 93.2), (19, 94.8)]


# ---- Exercises --------------------------------------------------------------------------------

@REGISTER.claim("For `[(3, 1), (3, 1), (3, 1)]` it is 7.")
def exercise_one_example(nb):
    assert nb.numbers("274b4fea", r"field after each: \[\d+, \d+, (\d+)\]") == (1 + 2 + 2 + 2,)


@REGISTER.claim("VGG on 384 pixels gives 6.")
def exercise_three_example(nb):
    assert nb.numbers("ceb5ce14", r"\(384 - 224\)/32 \+ 1 = (\d+)") == ((384 - 224) / 32 + 1,)


NOT_CLAIMS = REGISTER.not_claims([
    ("Notebooks 01 to 03 built the pieces", "a pointer to earlier notebooks"),
    ("The notes give the most common form of a ConvNet as one pattern:", "what the notes say; the pattern follows"),
    ("`N`, `M` and `K` may each be 0; the notes add that", "the notes' ranges for the pattern's letters, a definition"),
    ("`cs231n_lib.specs` reads the same notation", "describes the spec language"),
    ("* `CONV3-32`: 32 filters of 3x3", "defines the notation"),
    ("* `RELU`, `POOL2` (2x2 max pooling, stride 2)", "defines the notation"),
    ("Here they are with sizes of our choosing", "introduces the cell below"),
    ("Three 3x3 layers instead of one 7x7", "a section heading"),
    ("* **More non-linearity.**", "the count of ReLUs is the claim three_relus; the rest quotes the notes"),
    ("* **The input is divisible by 2 many times**", "the notes' rule, stated; its example (224) is a claim"),
    ("VGG-16, layer by layer", "a section heading"),
    ("The notes' summary of VGG-16 says", "a quotation of the notes (tests/test_quotes.py); the claims follow"),
    ("A note on the notes: their FC-to-CONV example", "what the notes' example is; the numbers are claims on the "
                                                      "next sentences"),
    ("For a conv, ReLU, conv, 2x2-pool stack the library gives one row per layer",
     "says what the table below shows"),
    ("Now VGG-16, ReLU rows left out:", "introduces the cell below"),
    ("Where in the image is the field of pool5 unit `x`?", "a question the next cell answers"),
    ("(The notes number dilation from 0", "the notes' numbering, quoted (tests/test_quotes.py), against the "
                                          "library's"),
    ("So an FC layer that looks at a whole `C x H x W` volume is a convolution",
     "the definition of the conversion; the cells below check it to the last bit"),
    ("Every later FC layer becomes a 1x1 convolution.", "the definition of the conversion"),
    ("Let us check that with a small random network", "describes the net the next cell builds, as its code does"),
    ("The convolutions are `fast_layers.conv_forward_fast`", "names the functions the next cell uses"),
    ("Now a 22x18 image.", "introduces the cell below"),
    ("What if we want crops every 16 pixels?", "a question the next sentences answer"),
    ("### LeNet-5 (LeCun et al., 1998)", "a heading"),
    ("ZF Net won in 2013 by tuning AlexNet", "the two papers' first layers, as the specs ZFNET and ALEXNET write them"),
    ("(A variant in the paper also widened conv3 to conv5", "the ZF paper's layer sizes, not measured here"),
    ("The first is the **Inception module**", "defines the module"),
    ("The 1x1 convolutions in front of the 3x3 and 5x5 ones first shrink the depth",
     "points to the cell below; the count is the claim reductions_keep_it_cheap"),
    ("Here is the first module, inception (3a)", "introduces the cell below"),
    ("The paper's table (its Table 1) also lists a parameter count", "what the paper's table holds; its sum is the "
                                                                      "claim paper_column"),
    ("To compare like with like", "introduces the table below"),
    ("and we found no reading of the table that gives it.", "the sentence's measured part is the claim "
                                                            "notes_four_million"),
    ("The runner-up of 2014 showed, in the notes' summary", "the notes' summary, paraphrased; the layers are the "
                                                            "claim vgg_homogeneous"),
    ("ResNet won in 2015 with networks of up to 152 layers.", "the paper's depth, not measured here"),
    ("With the flag, ResNet-34's main path:", "introduces the cell below"),
    ("Where a block changes the size and the depth, its shortcut cannot be a plain identity.",
     "x and F(x) have different shapes there (56x56x64 against 28x28x128), a definition"),
    ("The paper\ntries two ways: the identity on every second pixel",
     "He et al.'s options A and B (their section 3.3), described, not measured; B is counted in projection_shortcuts"),
    ("Padding 1 rounded down is one reading of ZF Net's 110.", "introduces the two readings; each is a claim (zf_padding, zf_ceil_reading)"),
    ("Three things take space:", "defines the three kinds of memory; the counted part is the claim "
                                 "input_in_the_budget"),
    ("Then the parameters themselves must shrink", "advice; float16's two bytes and float32's four are definitions"),
    ("The notes: filtering a 224x224x3 image", "the notes' example, quoted (tests/test_quotes.py); the count is the "
                                               "claim about_ten_million"),
])

test_claims = REGISTER.tests()
