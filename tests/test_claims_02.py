"""The claims register of notebook 02 (the conv layer and im2col); see tests/claims_lib.py.

Every number is read from the executed notebook's saved outputs and checked against the
sentence that states it and, where the sentence rests on arithmetic, against a closed form
written here.
"""
import re

import numpy as np

from claims_lib import ROOT, Notebook, Register, read

NB = Notebook("02")
REGISTER = Register(NB)     # small arrays and scikit-image's bundled photographs: no data file of ours


def _lists(nb, where, pattern):
    """Every bracketed list of numbers captured by ``pattern``'s one group, each number through read()."""
    return [np.array([read(float(v)) for v in m.group(1).split(",")])
            for m in re.finditer(pattern, nb.output(where))]


@REGISTER.claim("so each activation map is 4 x 4.")
def map_size(nb):
    (size,) = nb.numbers("e53deb04", r"\(11 - 5 \+ 2\*0\)/2 \+ 1 = (\d+)")
    assert size == 4 == (11 - 5) // 2 + 1


@REGISTER.claim("Every one of the 4 x 4 positions of one map, by hand, against the layer:")
def all_sixteen_by_hand(nb):
    (largest,) = nb.numbers("001e3d8c", r"largest difference over all (?:\d+) values: ([-\d.e]+)")
    (count,) = nb.numbers("001e3d8c", r"over all (\d+) values")
    assert count == 4 * 4 and largest == 0.0


@REGISTER.claim("filled with small whole numbers (the same as in notebook 01)")
def same_numbers_as_notebook_01(nb):
    here = [v for (v,) in nb.all_numbers("822b5160", r"V\[\d, 0, 0\] = ([-+\d.]+)")]
    there = [float(v) for v in re.search(r"V\[:, 0, 0\] = \[([-\d., ]+)\]", Notebook("01").output("65493bd3"))
             .group(1).split(",")]
    assert here == there


@REGISTER.claim("Now the same with the library's layer.")
def layer_equals_hand(nb):
    rows = nb.all_numbers("d1e23e7b", r"out\[0, 0, 0, (\d)\] = ([-+\d.]+) +by hand V\[(\d),0,0\] = ([-+\d.]+)")
    assert len(rows) == 4 and all(i == k and a == h for i, a, k, h in rows)


@REGISTER.claim("(The course notes end\nthese examples with `V[2,3,1] = np.sum(X[4:9,6:11,:] * W1) + b1`")
def whole_map_by_hand(nb):
    notes = (ROOT / "tests/fixtures/cs231n_notes/convolutional-networks.md").read_text(encoding="utf-8")
    assert "`V[2,3,1] = np.sum(X[4:9,6:11,:] * W1) + b1`" in notes and "6:1," not in notes
    (diff,) = nb.numbers("001e3d8c", r"largest difference over all 16 values: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("and its relative error to the published numbers, which have 8 decimals")
def assignment_numbers(nb):
    first_line = nb.output("7afabb6a").splitlines()[0]           # out[0, 0], rounded to 8 decimals
    printed = np.array([read(float(v)) for v in re.findall(r"-?\d+\.\d+", first_line)])
    published = np.array([-0.08759809, -0.10987781, -0.18387192, -0.2109216])
    (error,) = nb.numbers("7afabb6a", r"relative error: ([\d.e+-]+)")
    assert np.array_equal(printed, published) and error < 1e-7


@REGISTER.claim("An impossible setting is refused, with the formula and the numbers, rather than rounded:")
def refused(nb):
    size, floor = nb.numbers("8579a98b", r"= ([\d.]+) is not an integer.*round down to (\d+)")
    assert size == 4.5 == (10 - 3) / 2 + 1 and floor == 4


@REGISTER.claim("Column 6 holds pixel 6 and its eight neighbours.")
def column_six(nb):
    (column,) = _lists(nb, "360998af", r"column 6 \(window centred on pixel 6\): \[([\d, ]+)\]")
    neighbours = [r * 5 + c for r in (0, 1, 2) for c in (0, 1, 2)]       # pixel 6 is row 1, column 1
    assert column.tolist() == neighbours


@REGISTER.claim("the right panel counts the copies (9 in the interior, fewer at the\nborder")
def copies(nb):
    interior, edge, corner = nb.numbers("4ab2f450", r"interior (\d+), edge (\d+), corner (\d+)")
    assert interior == 9 and corner < edge < interior
    real, padding = nb.numbers("4ab2f450", r"real pixels: (\d+)  padding: (\d+)")
    assert real + padding == 9 * 25 and padding > 0


@REGISTER.claim("the output size comes from the formula and the\nshapes of X_col, W_row and their product from the arrays")
def alexnet_shapes(nb):
    rows, columns, notes_rows, notes_columns = nb.numbers(
        "2718b681", r"X_col: +\((\d+), (\d+)\) +\(the notes: 11\*11\*3 = (\d+) rows, 55\*55 = (\d+) columns\)")
    assert (rows, columns) == (notes_rows, notes_columns) == (363, 3025)
    maps, h, w = nb.numbers("2718b681", r"reshaped to \((\d+), (\d+), (\d+)\)")
    assert (maps, h, w) == (96, 55, 55)


@REGISTER.claim("Spot checks by hand-indexing")
def spot_checks(nb):
    rows = nb.all_numbers("0fa457c2", r"by hand ([-+\d.]+), by matrix multiply ([-+\d.]+)")
    assert len(rows) == 3 and all(a == b for a, b in rows)


@REGISTER.claim("Every pixel is copied into every window that covers it, so `X_col` is much bigger than the input.\n"
                "Measured in bytes (float32, 4 bytes per number):")
def memory(nb):
    x_bytes, col_bytes, ratio = nb.numbers("61213dc2", r"input x: +([\d,]+) bytes\nX_col: +([\d,]+) bytes  "
                                                        r"\(([\d.]+) times the input\)")
    assert x_bytes == 4 * 3 * 227 * 227 and col_bytes == 4 * 363 * 3025
    assert ratio == round(col_bytes / x_bytes, 2) and ratio > 5


@REGISTER.claim("(11/4)^2 = 7.56 here (a bit less in reality, since\npixels near the border are in fewer windows)")
def eleven_over_four(nb):
    (ratio,) = nb.numbers("61213dc2", r"\(([\d.]+) times the input\)")
    assert round((11 / 4) ** 2, 2) == 7.56
    assert 0.85 * 7.56 < ratio < 7.56


@REGISTER.claim("A 3 x 3 layer at stride 1 with padding 1 makes X_col\nexactly 9 times the input")
def vgg_nine(nb):
    (ratio,) = nb.numbers("4b28bc19", r"VGG conv 3x3 on 224x224x64 .*x *([\d.]+)$", re.M)
    assert ratio == 9.0
    interior, edge, corner = nb.numbers("4ab2f450", r"interior (\d+), edge (\d+), corner (\d+)")
    assert interior == 9 and edge < 9 and corner < 9                   # border pixels are copied fewer times


@REGISTER.claim("the im2col layer\nand the four loops give the same numbers to the last bit:")
def im2col_equals_loops(nb):
    (diff,) = nb.numbers("953bbd4e", r"largest difference: ([\d.e-]+)")
    shapes = nb.all_numbers("953bbd4e", r"\((\d+), (\d+), (\d+), (\d+)\)")
    assert diff == 0 and shapes[0] == shapes[1] == (2, 4, 8, 8)


@REGISTER.claim("With numbers: w = [1, 2, 3] and a gradient of 1 on the first output only gives\n"
                "dx = [1, 2, 3, 0, 0]; on the last output only, dx = [0, 0, 1, 2, 3].")
def one_dimensional_backward(nb):
    first, last, middle = _lists(nb, "05f65a55", r"dx = \[([\d., ]+)\]")
    assert first.tolist() == [1, 2, 3, 0, 0] and last.tolist() == [0, 0, 1, 2, 3]
    assert middle.tolist() == [0, 1, 2, 3, 0]                    # each output pushes the filter as it is


@REGISTER.claim("**dx is a full cross-correlation of dout with the\nfilters flipped in space")
def dx_is_a_convolution(nb):
    (diff,) = nb.numbers("2dd2a5ea", r"cross-correlation with flipped filters: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("\"Full\" means padding dout by HH - 1, so every overlap\ncounts.")
def full_padding(nb):
    (size,) = nb.numbers("2dd2a5ea", r"full cross-correlation shape: \(2, 3, (\d+), \d+\)")
    assert size == 4 + 2 * (3 - 1) == 6 + 2 * 1                 # dout is 6 x 6 here (pad 1), plus 2*(HH - 1)


@REGISTER.claim("We check it with our own forward layer, which computes the cross-correlation, fed the\n"
                "flipped filters (on whole numbers again, so the two routes must agree exactly):")
def dx_exact(nb):
    (diff,) = nb.numbers("2dd2a5ea", r"cross-correlation with flipped filters: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("The weight gradient is a cross-correlation too, without any flip")
def dw_and_db(nb):
    dw, db = nb.numbers("a3d37240", r"dw and that cross-correlation: ([\d.e-]+)\n.*axes 0, 2, 3: ([\d.e-]+)")
    assert dw == 0 and db == 0


@REGISTER.claim("The course notes put both gradients in one sentence: the backward pass, for the data and for the\n"
                "weights, is also a convolution, with spatially flipped filters. With the word read as the conv\n"
                "layer's operation (a cross-correlation), the flip belongs to dx; dw, as the next cell shows, needs\nnone.")
def notes_backward_sentence(nb):
    notes = (ROOT / "tests/fixtures/cs231n_notes/convolutional-networks.md").read_text(encoding="utf-8")
    assert ("The backward pass for a convolution operation (for both the data and the weights) is also a "
            "convolution (but with spatially-flipped filters).") in notes
    (dx,) = nb.numbers("2dd2a5ea", r"cross-correlation with flipped filters: ([\d.e-]+)")
    (dw,) = nb.numbers("a3d37240", r"dw and that cross-correlation: ([\d.e-]+)")
    assert dx == 0 and dw == 0       # dx: flipped filters; dw: dout slid over the input as it is


@REGISTER.claim("Every error is below 1e-8, at least ten times under CS231n's 1e-7.")
def gradient_checks(nb):
    bounds = [b for (b,) in nb.all_numbers("5687c608", r"d[xwb] < ([\d.e-]+)")]
    assert len(bounds) == 18 and max(bounds) <= 1e-8 and max(bounds) * 10 <= 1e-7


@REGISTER.claim("and the error is of order one:")
def wrong_backward(nb):
    (error,) = nb.numbers("d1dbd603", r"relative error of the wrong dx: ([\d.]+)")
    assert 0.1 <= error <= 1


@REGISTER.claim("On a 32 x 32 x 3 input each output is a\n3-dimensional dot product.")
def one_by_one_terms(nb):
    terms = nb.all_numbers("7b60fc78", r"\((-?\d+)\)\((-?\d+)\)")
    (total,) = nb.numbers("7b60fc78", r"= (-?\d+)$", re.M)
    assert len(terms) == 3 and sum(a * b for a, b in terms) == total


@REGISTER.claim("So a 1x1 conv layer with 8 filters is an (8 x 3) matrix applied to the\n3 channel values of every "
                "pixel. (Small whole numbers make every sum exact, so the two routes\nagree exactly.)")
def one_by_one_matrix(nb):
    (diff,) = nb.numbers("7b60fc78", r"per-pixel matrix multiply: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("A 3-tap filter with dilation 2 computes\nw[0]*x[0] + w[1]*x[2] + w[2]*x[4]: it spans "
                "F_eff = F + (F-1)(dilation-1) = 3 + 2*1 = 5 pixels.")
def dilation_two(nb):
    rows = {d: (f, out) for d, f, out in
            ((m.group(1), m.group(2), m.group(3)) for m in
             re.finditer(r"dilation (\d): F_eff = (\d+), outputs \[([\d., ]+)\]", nb.output("9a83f23e")))}
    f_eff, outputs = read(float(rows["2"][0])), [read(float(v)) for v in rows["2"][1].split(",")]
    x = np.arange(1, 8)
    assert f_eff == 5 and outputs[0] == 1 * x[0] + 10 * x[2] + 100 * x[4]
    assert len(outputs) == 7 - 5 + 1


@REGISTER.claim("Stacking layers grows the receptive field: two 3 x 3 layers see a 5 x 5 patch of the input, three\nsee 7 x 7. With dilations 1, 2, 4 three "
                "layers see 15 x 15, with the same 27 weights per channel pair.")
def dilated_fields(nb):
    f = _fields(nb)
    assert (f["two 3x3"], f["three 3x3"], f["3x3, dilations 1, 2, 4"]) == (5, 7, 15)


@REGISTER.claim("Two layers with dilations 1 and 2 already see 7 x 7, as much as three plain layers.")
def two_dilated_as_three_plain(nb):
    f = _fields(nb)
    assert f["3x3, dilations 1, 2"] == f["three 3x3"] == 7


@REGISTER.claim("The dilated\nstacks reach every pixel of their field, but unevenly: the centre pixel has a single "
                "path to the\noutput while some others have 4 (or 9)")
def dilated_paths(nb):
    p = _paths(nb)
    for name, most in (("3x3, dilations 1, 2", 4), ("3x3, dilations 1, 2, 4", 9)):
        reached, size, low, high, centre = p[name]
        assert reached == size and low >= 1 and centre == 1 and high == most


@REGISTER.claim("Plain stacks of two or three\nlayers reach the centre by the most paths.")
def plain_paths(nb):
    p = _paths(nb)
    for name in ("two 3x3", "three 3x3"):
        reached, size, low, high, centre = p[name]
        assert reached == size and centre == high > low


def _fields(nb):
    return {m.group(1).strip(): read(float(m.group(2))) for m in
            re.finditer(r"^(.+?) +receptive field (\d+) x \2 ", nb.output("f6fcbad4"), re.M)}


def _paths(nb):
    return {m.group(1).strip(): tuple(read(float(g)) for g in m.groups()[1:]) for m in
            re.finditer(r"^(.+?) +pixels reached (\d+) of (\d+), paths from (\d+) to (\d+), from the centre pixel (\d+)",
                        nb.output("7ff665e5"), re.M)}


@REGISTER.claim("It is 512 x 512 and grayscale; like\nthe explorer below, we shrink it by the whole factor "
                "512 // 121 = 4 (each output pixel the mean of\na 4 x 4 block, 128 x 128) and keep its centre 121 x 121.")
def camera_size(nb):
    h, w, h_used, w_used = nb.numbers("8942a0e8", r"camera: \((\d+), (\d+)\) +the photo used here: \((\d+), (\d+)\)")
    assert (h, w) == (512, 512) and (h_used, w_used) == (121, 121)
    assert h // h_used == 4 and h // 4 == 128 >= h_used


@REGISTER.claim("Padding 1 keeps the size of the 3 x 3\nfilters' outputs, (121 - 3 + 2*1)/1 + 1 = 121, and padding 2 "
                "that of the 5 x 5 blur,\n(121 - 5 + 2*2)/1 + 1 = 121.")
def camera_same_size(nb):
    rows = nb.all_numbers("8942a0e8", r"filter (\d+) x (\d+), padding (\d+): output (\d+) x (\d+)")
    assert sorted({(F, F2, P) for F, F2, P, _, _ in rows}) == [(3, 3, 1), (5, 5, 2)]
    assert len(rows) == 4 and all(F == F2 and out == out2 == 121 - F + 2 * P + 1 == 121
                                  for F, F2, P, out, out2 in rows)


def _borders(nb):
    """{name: (sides, ends, inside)} of the zero-padded outputs and of the control (edge pixels copied)."""
    zero, control = nb.output("1a975219").split("the control, the photo padded with copies of its edge pixels:")
    assert zero.startswith("zero padding")

    def table(text):
        return {m.group(1).strip(): tuple(read(float(g)) for g in m.groups()[1:]) for m in
                re.finditer(r"^(.+?) +left and right columns ([\d.]+), top and bottom rows ([\d.]+), inside ([\d.]+)",
                            text, re.M)}
    return table(zero), table(control)


@REGISTER.claim("With zero padding the vertical-edge filter is large on the left and right columns and small on the\n"
                "top and bottom rows, the horizontal-edge filter the other way round; the Laplacian is large on all\n"
                "four borders, and the blur is darker on all four than inside.")
def borders(nb):
    b, _ = _borders(nb)
    assert len(b) == 4
    sides, ends, inside = b["vertical edges (Sobel x)"]
    assert sides > 5 * inside and ends < inside
    sides, ends, inside = b["horizontal edges (Sobel y)"]
    assert ends > 5 * inside and sides < inside
    sides, ends, inside = b["all edges (Laplacian)"]
    assert min(sides, ends) > 5 * inside
    sides, ends, inside = b["blur (5x5 box)"]
    assert max(sides, ends) < inside


@REGISTER.claim("With copies of the edge pixels instead of zeros\nevery edge filter is smaller on the borders than "
                "inside, and the blur's borders are as bright as\nthe photo's own")
def borders_control(nb):
    zero, control = _borders(nb)
    photo = control.pop("the photo itself")
    assert len(control) == 4
    for name in ("vertical edges (Sobel x)", "horizontal edges (Sobel y)", "all edges (Laplacian)"):
        sides, ends, inside = control[name]
        assert max(sides, ends) < inside
    for name, strong in (("vertical edges (Sobel x)", 0), ("horizontal edges (Sobel y)", 1),
                         ("all edges (Laplacian)", 0), ("all edges (Laplacian)", 1)):
        assert zero[name][strong] > 5 * control[name][strong]         # the border line is the zeros'
    blur, photo_sides_ends = control["blur (5x5 box)"][:2], photo[:2]
    assert blur == photo_sides_ends                                    # equal at the printed two decimals
    assert min(blur) > max(zero["blur (5x5 box)"][:2])                  # brighter than with zeros


@REGISTER.claim("On a colour photograph a 3 x 3 x 3\nfilter reads red, green and blue together")
def colour_filter(nb):
    x = nb.numbers("7b986d8d", r"x: \((\d+), (\d+), (\d+), (\d+)\)")
    w = nb.numbers("7b986d8d", r"w: \((\d+), (\d+), (\d+), (\d+)\)")
    out = nb.numbers("7b986d8d", r"out: \((\d+), (\d+), (\d+), (\d+)\)")
    assert x[1] == w[1] == 3 and w[2:] == (3, 3) and out[1] == 1 and out[2:] == x[2:]


@REGISTER.claim("The explorer's starting point (Sobel x, stride 1, padding 1) at stride 2 instead")
def stride_two_photo(nb):
    size = nb.numbers("95113e3e", r"output size: \((\d+), (\d+)\)")
    assert size == ((121 - 3 + 2) // 2 + 1,) * 2 == (61, 61)


@REGISTER.claim("Same layer, same numbers, very different speed.")
def speed(nb):
    naive, fast, ratio = nb.numbers("5a50e28d", r"naive ([\d.]+) ms, fast ([\d.]+) ms: (\d+) times faster")
    assert ratio > 100 and naive > 100 * fast          # the saved run; the cell's output is not compared by nbval


@REGISTER.claim("in the input's own precision (float32 here), gives their outputs, bias included.")
def precision_kept(nb):
    (bits,) = nb.numbers("0857466c", r"dtype kept: float(\d+)")
    assert bits == 32


@REGISTER.claim("First the check that both agree (on small whole numbers, so that even float32 sums are exact)")
def naive_equals_fast(nb):
    (diff,) = nb.numbers("0857466c", r"largest difference: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("runs yours and the library's on nine float64\nsettings")
def nine_settings(nb):
    counts = nb.all_numbers("8688fba7", r"(\d+) settings \(float64\)")
    assert counts == [(9,), (9,)]


NOT_CLAIMS = REGISTER.not_claims([
    ("# 02 · The convolution layer and im2col", "the title"),
    ("We write the layer as plain loops, turn it into **one matrix multiply** (im2col)", "the notebook's outline"),
    ("Our arrays follow CS231n's assignments and PyTorch, **NCHW**", "a convention"),
    ("The notes take an input volume of 11 x 11 x 4", "the setting of the notes' example"),
    ("Let us build such an input and a filter `W0`", "the setting of the example"),
    ("The first four outputs of activation map 0 step along x by the stride", "describes the code below"),
    ("Each one is a dot product between the filter and the 5 x 5 x 4 window under it", "a definition"),
    ("To go from `X[x, y, d]` to NCHW we move depth to the front", "describes the code below"),
    ("## im2col: stretch every window into a column", "a heading"),
    ("1. copy each receptive field (C x HH x WW numbers) into one column", "a step of the algorithm"),
    ("2. stretch every filter into one row of a matrix", "a step of the algorithm"),
    ("3. multiply: `W_row @ X_col` is every filter's dot product", "a step of the algorithm"),
    ("4. reshape the result to the output volume.", "a step of the algorithm"),
    ("To see which pixel goes where, we number the pixels of a 5 x 5 one-channel input",
     "the setting of the example"),
    ("In the real X_col the padding positions hold zeros", "describes how the figure marks the padding"),
    ("The notes' numbers: a 227 x 227 x 3 input, 96 filters", "the setting of the notes' example"),
    ("The im2col layer itself is a few lines", "introduces the source shown below"),
    ("Take one dimension, stride 1, no padding", "the setting of the derivation"),
    ("An analytic gradient is only trusted once it matches a numerical one", "the definition of a gradient check"),
    ("We compare with $\\text{rel\\_error}", "the definition of rel_error and CS231n's threshold, cited"),
    ("We check all three layers against one numerical gradient", "describes the check below"),
    ("## 1x1 convolution: a matrix multiply over depth, at every pixel", "a heading"),
    ("A 1 x 1 filter looks at one pixel, through the full depth.", "a definition"),
    ("The course notes count the gaps: of an ordinary\nfilter they say",
     "a quotation of the notes, checked word for word by tests/test_quotes.py"),
    ("We count\nthe step between taps, as PyTorch does", "a convention"),
    ("We *measure* the receptive field: send a gradient of 1", "describes the method of the cell below"),
    ("A filter always extends through the full depth of its input.", "a definition (the notes')"),
    ("Settings that do not tile the 121-pixel photo exactly are explained", "arithmetic the sentence shows; "
     "the explorer displays the same message"),
    ("(Stride 2 with padding 0 fits: `(121 - 3)/2 + 1 = 60`.)", "arithmetic the sentence shows"),
    ("If you are doing CS231n's assignment 2", "an instruction"),
    ("A backward pass is checked\nthe same way", "an instruction"),
    ("**1.** Write `conv2d(x, w, b, stride, pad)`", "an exercise statement"),
    ("`x` may hold integers, as a photograph's pixels do.", "an exercise statement"),
    ("**2.** Without building it, return the shape", "an exercise statement"),
    ("**3.** For the 1-D layer", "an exercise statement"),
])

test_claims = REGISTER.tests()
