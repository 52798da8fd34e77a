"""The claims register of notebook 01 (convolution arithmetic); see tests/claims_lib.py.

Every number is read from the executed notebook's saved outputs and checked against the
sentence that states it and, where the sentence rests on arithmetic, against a closed form
written here (not the library's).
"""
import re

import numpy as np

from claims_lib import Notebook, Register, read

NB = Notebook("01")
REGISTER = Register(NB)     # pure arithmetic on small arrays: no data file, weights or recipe


@REGISTER.claim("A modest 200x200 colour photograph already needs 120,000 weights per neuron")
def photograph_weights(nb):
    (per_neuron,) = nb.numbers("74cb26c6", r"200x200x3 image: +([\d,]+) weights per neuron")
    assert per_neuron == 120_000 == 200 * 200 * 3


@REGISTER.claim("On a 32x32x3 input with a 5x5 filter, each neuron has 5*5*3 weights. On a 16x16x20 volume with a\n"
                "3x3 filter, 3*3*20:")
def local_connectivity(nb):
    rows = nb.all_numbers("570d9029", r"F=(\d+) on depth (\d+): .* = (\d+) weights \+ (\d+) bias")
    assert [tuple(r) for r in rows] == [(5, 3, 5 * 5 * 3, 1), (3, 20, 3 * 3 * 20, 1)]


@REGISTER.claim("Here is the notes' example, a 7x7 input and a 3x3 filter")
def notes_seven_by_seven(nb):
    # the notes: "a 7x7 input and a 3x3 filter with stride 1 and pad 0 we would get a 5x5 output.
    # With stride 2 we would get a 3x3 output."
    rows = nb.all_numbers("61061cd4", r"S=(\d), P=0: .*= (\d+)")
    assert [tuple(r) for r in rows] == [(1, 5), (2, 3)]


@REGISTER.claim("so here the flip only changes the sign of every output. For a filter without that\nsymmetry, "
                "such as `[1, 2, 0]` in the last line, the textbook convolution gives other numbers\naltogether.")
def flip_changes_sign_only_for_antisymmetric(nb):
    out = nb.output("36864cae")
    corr, conv, corr_reversed, lop_corr, lop_conv = (
        np.array([read(float(v)) for v in row.split(",")]) for row in re.findall(r"\[([-\d, ]+)\]", out)[:5])
    assert np.array_equal(conv, -corr) and np.array_equal(corr_reversed, conv)
    assert not np.array_equal(lop_conv, lop_corr) and not np.array_equal(lop_conv, -lop_corr)


@REGISTER.claim("At stride 1, the choice `P = (F - 1)/2` makes the output exactly as large as the input")
def same_padding_keeps_size(nb):
    rows = nb.all_numbers("c3e8127b", r"F=(\d): P=\(\d-1\)/2=(\d);  \(32 - \d \+ 2\*\d\)/1 \+ 1 = (\d+)")
    assert [(F, P, out) for F, P, out in rows] == [(F, (F - 1) // 2, 32) for F in (1, 3, 5, 7)]


@REGISTER.claim("That is why 3x3 filters come with `P = 1` and 5x5 filters with `P = 2`.")
def three_and_five(nb):
    rows = {F: P for F, P in nb.all_numbers("c3e8127b", r"F=(\d): P=\(\d-1\)/2=(\d)")}
    assert rows[3] == 1 and rows[5] == 2


@REGISTER.claim("With `W = 10`, `F = 3`, `P = 0` and `S = 2` the formula gives 4.5\nneurons. The filters do not "
                "tile the input evenly: one column would never be looked at.")
def ten_three_two(nb):
    size, left = nb.numbers("24955c9c", r"\(10 - 3 \+ 2\*0\)/2 \+ 1 = ([\d.]+) is not an integer.*?(\d+) pixel\(s\) "
                                        r"at the far edge are left over")
    assert size == 4.5 == (10 - 3) / 2 + 1
    assert left == 1 == (10 - 3) % 2


@REGISTER.claim("The valid strides are the divisors of `W - F + 2P`: here 7, and 9 with `P = 1` (the second line\n"
                "below). Stride 7 fits, but with 3-wide\n"
                "windows it skips 4 pixels between neighbours, so the message above does not suggest it:")
def valid_strides(nb):
    strides = nb.numbers("ebf914e3", r"P=0: \[(\d+), (\d+)\]")
    assert list(strides) == [s for s in range(1, 8) if 7 % s == 0] == [1, 7]
    padded = nb.numbers("ebf914e3", r"P=1: \[(\d+), (\d+), (\d+)\]")
    assert list(padded) == [s for s in range(1, 10) if (10 - 3 + 2 * 1) % s == 0] == [1, 3, 9]
    assert strides[1] - 3 == 4                        # a window reads 3 pixels of every 7
    (suggested,) = nb.numbers("24955c9c", r"stride S = (\d+) \(output")
    assert suggested == 1 and suggested != strides[1]


@REGISTER.claim("If every one of those neurons had its own weights, the first layer alone would learn over a\n"
                "hundred million numbers:")
def unshared_parameters(nb):
    (neurons,) = nb.numbers("ae5951cc", r"= ([\d,]+) neurons")
    (total,) = nb.numbers("47ed0852", r"= ([\d,]+) parameters")
    assert neurons == 55 * 55 * 96 and total == neurons * (11 * 11 * 3 + 1)
    assert 1e8 < total < 2e8


@REGISTER.claim("So all 55*55 neurons of one depth slice share one filter and one bias. The layer\nthen has only "
                "96 filters to learn.")
def shared_parameters(nb):
    weights, biases, total = nb.numbers("97bbc6c2", r"= ([\d,]+) weights \+ (\d+) biases = ([\d,]+) parameters")
    assert biases == 96 and weights == 96 * 11 * 11 * 3 and total == weights + biases


@REGISTER.claim("the output is 6x6, so the layer has 36 filters where a conv layer has one.")
def locally_connected_filters(nb):
    side, side2 = nb.numbers("2a5af748", r"locally connected: (\d+)\*(\d+) positions")
    (per_filter,) = nb.numbers("2a5af748", r"conv layer: 3\*3\*1 \+ 1 = (\d+)")
    (total,) = nb.numbers("2a5af748", r"locally connected: .* = (\d+)")
    assert side == side2 == 8 - 3 + 1 == 6
    assert total == side * side2 * per_filter and side * side2 == 36


@REGISTER.claim("The shared filter fires at both eyes and along the whole mouth")
def eyes_and_mouth(nb):
    conv = {tuple(p) for p in nb.all_numbers("2a5af748", r"\((\d), (\d)\)")[:6]}
    local = {tuple(p) for p in nb.all_numbers("2a5af748", r"\((\d), (\d)\)")[6:]}
    # output (i, j) is centred on input (i + 1, j + 1): eyes at (2, 2) and (2, 5), mouth at row 5, columns 2..5
    eyes = {(1, 1), (1, 4)}
    mouth = {(4, j - 1) for j in range(2, 6)}
    assert conv == eyes | mouth
    assert local == eyes


@REGISTER.claim("It pays with 36 times the parameters")
def thirty_six_times(nb):
    (conv,) = nb.numbers("2a5af748", r"conv layer: 3\*3\*1 \+ 1 = (\d+)")
    (local,) = nb.numbers("2a5af748", r"locally connected: .* = (\d+)")
    assert local == 36 * conv


@REGISTER.claim("The output is `(11 - 5)/2 + 1 = 4` wide.")
def numpy_example_size(nb):
    (size,) = nb.numbers("3042901d", r"output size: (\d+)")   # nb.number is shadowed by the field Notebook.number
    assert size == (11 - 5) // 2 + 1 == 4


@REGISTER.claim("With whole numbers (and\nbiases of 0.5 and -0.5) every sum is exact, so all three agree to the last bit:")
def three_routes_agree(nb):
    hand, windows = nb.numbers("518bf215", r"hand-written entries, largest difference: ([\d.e-]+)\n"
                                            r".*sliding_window_view, largest difference: ([\d.e-]+)")
    assert hand == 0 and windows == 0


@REGISTER.claim("pixels: two stacked 3x3 layers see 5x5 of the input, three see 7x7.")
def stacked_plain(nb):
    fields = dict(_stacks(nb))
    assert fields["[(3, 1), (3, 1)]"][0] == 5 and fields["[(3, 1), (3, 1), (3, 1)]"][0] == 7


@REGISTER.claim("two 2x2 layers see only 3x3, the first line below.)")
def two_by_two(nb):
    first_name, (field, weights) = _stacks(nb)[0]
    assert first_name == "[(2, 1), (2, 1)]" and field == 3 and weights == 8


@REGISTER.claim("With dilation the field grows much\nfaster for the same number of weights:")
def dilation_grows_faster(nb):
    f = dict(_stacks(nb))
    plain2, dil2 = f["[(3, 1), (3, 1)]"], f["[(3, 1), (3, 2)]"]
    plain3, dil3 = f["[(3, 1), (3, 1), (3, 1)]"], f["[(3, 1), (3, 2), (3, 4)]"]
    assert plain2[1] == dil2[1] and plain3[1] == dil3[1]          # the same number of weights
    assert dil2[0] > plain2[0] and dil3[0] >= 2 * plain3[0]       # 7 vs 5; 15 vs 7


def _stacks(nb):
    """[(stack as printed, (field, weights)), ...] from the stacked-field cell."""
    rows = []
    for m in re.finditer(r"^(\[.*?\]): sees (\d+)x(\d+) input pixels with (\d+) weights", nb.output("35360455"), re.M):
        assert m.group(2) == m.group(3)
        rows.append((m.group(1), (read(float(m.group(2))), read(float(m.group(4))))))
    return rows



# ---- the notes' convolution demo, step by step (issue 28)
NOTES_PAGE = NB.path.parent.parent / "tests" / "fixtures" / "cs231n_notes" / "convolutional-networks.md"


@REGISTER.claim("The course notes follow their summary with a running demo of a conv layer: an input volume of\n"
                "5x5x3 padded by `P = 1` (so 7x7x3, its border zero), `K = 2` filters of 3x3x3 with their biases,\n"
                "and stride `S = 2`, for an output of `(5 - 3 + 2*1)/2 + 1 = 3` positions per side: 3x3x2.")
def demo_sizes(nb):
    W, P, Wp, Wp2, D, K, F, F2, D2, S = nb.numbers(
        "c28a0002", r"input (\d+)x\d+x\d+, padded by (\d+) to (\d+)x(\d+)x(\d+); (\d+) filters of (\d+)x(\d+)x(\d+), "
        r"stride (\d+)")
    out, out2, K2 = nb.numbers("c28a0002", r"= (\d+); output volume (\d+)x\d+x(\d+)")
    assert (W, P, D, K, F, S) == (5, 1, 3, 2, 3, 2) and Wp == Wp2 == W + 2 * P == 7 and F2 == F and D2 == D
    assert out == out2 == (W - F + 2 * P) / S + 1 == 3 and K2 == K
    # the notes' own numbers for their demo
    notes = NOTES_PAGE.read_text(encoding="utf-8")
    demo = notes[notes.index("**Convolution Demo**"):notes.index("**Implementation as Matrix Multiplication**")]
    assert "W_1 = 5, H_1 = 5, D_1 = 3" in demo and "K = 2, F = 3, S = 2, P = 1" in demo
    assert "(5 - 3 + 2)/2 + 1 = 3" in demo


@REGISTER.claim("Ours come from a fixed seed with the same ranges and biases")
def demo_ranges(nb):
    text = nb.output("c28a0004")
    inputs, weights, biases = (
        [read(float(v)) for v in re.search(rf"{name}: \[([-\d, ]+)\]", text).group(1).split(",")]
        for name in ("inputs", "weights", "biases"))
    # the demo (cs231n.github.io assets/conv-demo/index.html): floor(3 * random) for the input,
    # floor(3 * random) - 1 for the weights, bias 1 - k for filter k
    assert inputs == [0, 1, 2] and weights == [-1, 0, 1] and biases == [1 - k for k in range(2)]


@REGISTER.claim("Each output number reads a 3x3 window in every depth slice, one filter's weights, and one\n"
                "bias: 27 products, three sums and a bias.")
def demo_products(nb):
    text = nb.output("c28a0002")
    for block in text.split("\n\n")[1:]:
        slices = re.findall(r"^slice \d+: (.*) = (-?\d+)$", block, re.M)
        terms = [re.findall(r"\(?(-?\d+)\)?\*\(?(-?\d+)\)?", products) for products, _ in slices]
        assert [read(len(t)) for t in terms] == [3 * 3] * 3 and read(sum(len(t) for t in terms)) == 27
        for t, (_, total) in zip(terms, slices):   # each slice's sum is the sum of its products
            assert sum(read(int(a)) * int(b) for a, b in t) == int(total)
        (bias_sum,) = re.findall(r"^o\[.*\+ b0 = .* \+ (-?\d+) = (-?\d+)$", block, re.M)
        assert sum(int(total) for _, total in slices) + read(int(bias_sum[0])) == int(bias_sum[1])


@REGISTER.claim("Along a row the window moves by the stride, 2 columns\nat a time.")
def demo_stride(nb):
    starts = [c for (c,) in nb.all_numbers("c28a0002", r"columns (\d+) to \d+")]
    ends = [c for (c,) in nb.all_numbers("c28a0002", r"columns \d+ to (\d+)")]
    assert starts == [0, 2, 4] and [e - s for s, e in zip(starts, ends)] == [2, 2, 2]   # 3 columns wide, 2 apart


@REGISTER.claim("the\nlibrary's layer computes the same 18 numbers from them")
def demo_matches_layer(nb):
    n = nb.value("c28a0004", r"numbers the explorer writes: (\d+)")
    shape = nb.numbers("c28a0004", r"output: \((\d+), (\d+), (\d+), (\d+)\)")
    assert n == 18 == np.prod(shape) == 2 * 3 * 3
    assert nb.value("c28a0004", r"largest difference: (\S+)") == 0


@REGISTER.claim("Where no kernel runs (GitHub, nbviewer, the book) the cell shows the notes' example as an\n"
                "animation of its 18 positions, and a page that runs no scripts shows the first three.")
def demo_animation_saved(nb):
    (out,) = nb.cell("c28a0006")["outputs"]
    markup = "".join(out["data"]["text/html"])
    frames = read(len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', markup)))
    strip = markup[markup.index('class="conv-steps-strip"'):markup.index('class="conv-steps-animation"')]
    shown = read(len(re.findall(r'<img src="data:image/png;base64,', strip)))
    assert frames == 18 and shown == 3
    assert "settings: input size W = 5, filter size F = 3, stride S = 2, padding P = 1" in "".join(
        out["data"]["text/plain"])


NOT_CLAIMS = REGISTER.not_claims([
    ("A CIFAR-10 image is 32 pixels wide", "the data set's format, the input of the next cell"),
    ("The input image is a 32x32x3 volume; for CIFAR-10 the last layer is a 1x1x10 volume",
     "the notes' example of a volume's shape, a definition"),
    ("stores a batch of volumes as an array of shape `(N, C, H, W)`", "a convention, shown by the next cell"),
    ("depth slice `d` holds the responses of filter `d` and is also called an **activation map**", "a definition"),
    ("a 3x3 filter on\n  a 3-deep input has 3*3*3 = 27 taps", "a definition with the arithmetic it states"),
    ("The picture below shows the same arithmetic in one dimension", "describes the figure's input, typed in the cell"),
    ("Convolutional layers, in CS231n, in this library, in PyTorch and in TensorFlow, compute the\ncross-correlation",
     "a convention of the frameworks named (Theano's default flip: its conv2d documentation, filter_flip=True); "
     "the next cell shows which numpy routine this library matches"),
    ("and only three neurons fit:\n`(5 - 3 + 2*1)/2 + 1 = 3`.", "arithmetic the sentence shows; the figure below draws it"),
    ("AlexNet takes 227x227x3 images and applies", "the setting of the notes' example, computed with in the next cell"),
    ("Here is one at work on a tiny \"face\" of 8x8 pixels", "the setting of the example (its 36 filters are claimed below)"),
    ("Take an input volume `X` of shape 11x11x4", "the setting of the notes' numpy example"),
    ("The pattern is always the same: output position `(i, j)` reads the window that starts at",
     "the indexing rule (a definition); that the loop built on it agrees is the claim three_routes_agree"),
    ("With dilation `d`, a 3-tap filter\ncomputes", "a definition"),
    ("Of an ordinary filter they say\n\"This is dilation of 0\"",
     "a quotation of the notes, checked word for word by tests/test_quotes.py"),
    ("The course notes make the\nsame point: with two 3x3 layers",
     "a quotation of the notes, checked word for word by tests/test_quotes.py"),
    ("In 2-D each output position reads an `F x F` window", "a definition, drawn by the figure below"),
    ("The text shows the formula with your numbers and the parameter counts", "describes the explorer"),
    ("You can also start the explorer anywhere", "an instruction; the slider behaviour is the widgets' (CONTRIBUTING)"),
    ("Their demo draws new numbers at every page load: inputs 0, 1 or 2, weights -1, 0 or 1, biases\n1 and 0.",
     "describes the notes' demo page (assets/conv-demo/index.html, not shipped); that ours has its ranges and "
     "biases is the claim demo_ranges"),
    ("Press **play** (or drag the position slider) and watch the window step",
     "an instruction; the explorer's order of positions is tested in tests/test_conv_steps.py"),
])

test_claims = REGISTER.tests()
