"""The claims register of notebook 03 (pooling); see tests/claims_lib.py.

Every number is read from the executed notebook's saved outputs and checked against the
sentence that states it and, where the sentence rests on arithmetic, against a closed form
written here. One sentence points to notebook 07's all-convolutional comparison: its seeds are
read from that shipped result file.
"""
import re

import numpy as np

from claims_lib import Notebook, Register, Results, read

NB = Notebook("03")
ALLCONV = "data/allconv_comparison.json"
REGISTER = Register(NB)


def _rows(nb, where, pattern, flags=re.M):
    """{first group (a name): the other groups as numbers} for every match in a cell's output."""
    return {m.group(1).strip(): tuple(read(float(g.replace(",", ""))) for g in m.groups()[1:])
            for m in re.finditer(pattern, nb.output(where), flags)}


@REGISTER.claim("Fewer numbers mean less computation in the\nlayers that follow and fewer parameters once we reach "
                "the fully connected layers")
def fewer_numbers(nb):
    w_before, w_after = nb.numbers("2da6e021", r"reading the volume: ([\d,]+) weights before pooling, ([\d,]+) after")
    m_before, m_after = nb.numbers("2da6e021", r"\(padding 1\): ([\d,]+) multiplications before pooling, ([\d,]+) after")
    assert w_before == 224 * 224 * 64 and w_after == w_before / 4
    assert m_before == 224 * 224 * 64 * 9 * 64 and m_after == m_before / 4


@REGISTER.claim("Each output number summarises 4 input numbers, so 1 number in 4\nsurvives: 75% of the activations "
                "are discarded.")
def three_quarters(nb):
    kept, discarded = nb.numbers("2da6e021", r"= (\d+)%, discarded (\d+)%")
    before, after = nb.numbers("2da6e021", r"kept ([\d,]+)/([\d,]+)")[::-1]
    assert kept == 25 and discarded == 75 and before == 4 * after


@REGISTER.claim("Width and height are halved, the depth stays 64, and the number of activations drops to a\nquarter; "
                "so do the weights of a fully connected neuron and the work of a conv layer that read the\npooled volume.")
def halved(nb):
    w_in, h_in, d_in, n_in = nb.numbers("2da6e021", r"input  (\d+)x(\d+)x(\d+) = ([\d,]+) numbers")
    w_out, h_out, d_out, n_out = nb.numbers("2da6e021", r"output (\d+)x(\d+)x(\d+) = ([\d,]+) numbers")
    assert (w_out, h_out) == (w_in / 2, h_in / 2) and d_out == d_in == 64 and n_out == n_in / 4
    w_before, w_after = nb.numbers("2da6e021", r"reading the volume: ([\d,]+) weights before pooling, ([\d,]+) after")
    m_before, m_after = nb.numbers("2da6e021", r"\(padding 1\): ([\d,]+) multiplications before pooling, ([\d,]+) after")
    assert w_after == w_before / 4 and m_after == m_before / 4


@REGISTER.claim("AlexNet used it (55 -> 27\nand 13 -> 6).")
def alexnet_overlapping(nb):
    rows = {(W, F, S): out for W, F, S, out in nb.all_numbers("65c5fae6", r"W= *(\d+), F=(\d), S=(\d): .* = (\d+)")}
    assert rows[(55, 3, 2)] == 27 and rows[(13, 3, 2)] == 6


@REGISTER.claim("A 3x3 window at stride 2 on a 224-wide input\nleaves one column uncovered.")
def one_column(nb):
    size, left, floor = nb.numbers("51071643", r"\(224 - 3\)/2 \+ 1 = ([\d.]+) is not an integer.*?(\d+) pixel\(s\) at "
                                               r"the far edge are left over.*?round down to (\d+)")
    assert size == 111.5 == (224 - 3) / 2 + 1 and left == 1 and floor == 111


@REGISTER.claim("the library matches its first depth slice, `out[0, 0]`:")
def assignment_corner(nb):
    printed = np.array([read(float(v)) for v in re.findall(r"-?\d+\.\d+", nb.output("b53612af").splitlines()[0])])
    published = np.array([-0.26315789, -0.24842105, -0.20421053, -0.18947368])
    (error,) = nb.numbers("b53612af", r"relative error: ([\d.e+-]+)")
    assert np.array_equal(printed, published) and error < 1e-7


@REGISTER.claim("the cat of scikit-image's sample data, cut to its top-left 288x448 so that\nthree halvings come out even")
def cat_cut(nb):
    h, w, _, ch, cw, _, ph, pw, _ = nb.numbers(
        "d0fd5dba", r"cat: \((\d+), (\d+), (\d+)\) +cut to: \((\d+), (\d+), (\d+)\) +pooled shape: \((\d+), (\d+), (\d+)\)")
    assert (ch, cw) == (288, 448) and ch <= h and cw <= w
    assert ch % 8 == 0 and cw % 8 == 0 and (h % 8, w % 8) != (0, 0)      # the full photo does not halve three times
    assert (ph, pw) == (ch / 8, cw / 8)


@REGISTER.claim("We pool it three\ntimes with 2x2 windows at stride 2, so each side shrinks by 2*2*2 = 8.")
def shrinks_by_eight(nb):
    ch, cw, ph, pw = nb.numbers("d0fd5dba", r"cut to: \((\d+), (\d+), 3\) +pooled shape: \((\d+), (\d+), 3\)")
    assert ch / ph == cw / pw == 2 * 2 * 2


@REGISTER.claim("All three keep the cat recognisable with 1/64 of the pixels.")
def one_in_sixty_four(nb):
    ch, cw, ph, pw = nb.numbers("d0fd5dba", r"cut to: \((\d+), (\d+), 3\) +pooled shape: \((\d+), (\d+), 3\)")
    assert ph * pw * 64 == ch * cw


@REGISTER.claim("L2 pooling makes the numbers larger: on pixels that are never negative its output is at least the\n"
                "window's largest pixel")
def l2_at_least_the_max(nb):
    top, l2 = nb.numbers("c151524e", r"max += max\(1, 1, 5, 6\) = ([\d.]+)\n.*\n.*= sqrt\(63\) = ([\d.]+)")
    assert top == 6 and l2 == round(63 ** 0.5, 4) and l2 > top


@REGISTER.claim("Max pooling lets the bright details win: every window reports its brightest value,\nso the pale fur "
                "spreads into light blocks and the picture gets lighter overall.")
def max_is_lighter(nb):
    b = _rows(nb, "9dc84019", r"^(.+?) +mean brightness ([\d.]+)$")
    assert b["max pooling"][0] > b["original"][0] + 0.05


@REGISTER.claim("L2 pooling (here\ndivided back to the pixel scale) comes out only a little brighter than average "
                "pooling:")
def l2_a_little_brighter(nb):
    b = {k: v[0] for k, v in _rows(nb, "9dc84019", r"^(.+?) +mean brightness ([\d.]+)$").items()}
    gap = b["L2 pooling / 2"] - b["average pooling"]
    assert 0 < gap <= 0.1 * (b["max pooling"] - b["average pooling"])


@REGISTER.claim("About half of the numbers are zero (a ReLU zeroes every negative response) and a few\nare large, "
                "where the filter found its pattern.")
def half_zero_few_large(nb):
    (zeros,) = nb.numbers("b2fc578e", r"zeros: (\d+)% of the map")
    (large,) = nb.numbers("b2fc578e", r"above a quarter of the largest value: ([\d.]+)% of the map")
    assert 40 <= zeros <= 60 and 0 < large <= 5


@REGISTER.claim("We take a\nphotograph 2 pixels larger and no padding, so the feature map is again 288x448")
def feature_map_size(nb):
    shape = nb.numbers("b2fc578e", r"feature map shape: \((\d+), (\d+), (\d+), (\d+)\)")
    assert shape == (1, 1, 290 - 3 + 1, 450 - 3 + 1) == (1, 1, 288, 448)


@REGISTER.claim("Max pooling keeps every edge that was found somewhere in\nits window, at full strength")
def max_keeps_full_strength(nb):
    top = {k: v[0] for k, v in _rows(nb, "f76fd045", r"^(.+?) +largest value ([\d.]+)$").items()}
    assert top["max pooling"] == top["feature map (ReLU of edges)"]


@REGISTER.claim("Average\npooling dilutes a thin edge with the zeros around it, and the map fades.")
def average_fades(nb):
    top = {k: v[0] for k, v in _rows(nb, "f76fd045", r"^(.+?) +largest value ([\d.]+)$").items()}
    assert top["average pooling"] < 0.25 * top["feature map (ReLU of edges)"]
    assert top["average pooling"] < top["L2 pooling / 2"] < top["max pooling"]


@REGISTER.claim("so `dx[1, 1] = dout[0, 0] = 1`. Every input that was not a maximum gets exactly 0.")
def routed_to_the_winner(nb):
    (dx,) = [np.array([[read(float(v)) for v in row.split(",")] for row in re.findall(r"\[([\d., ]+)\]", m.group(1))])
             for m in re.finditer(r"dx = \[(.*)\]$", nb.output("7c5d4901"), re.M)]
    switches = nb.all_numbers("7c5d4901", r"\[\[(\d), (\d)\], \[(\d), (\d)\]\]")[0]
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    dout = np.array([[1, 2], [3, 4]])
    assert switches[0] == 3 and dx[1, 1] == dout[0, 0] == 1
    winners = np.zeros((4, 4))
    for i in range(2):
        for j in range(2):
            k = int(np.argmax(x[2 * i:2 * i + 2, 2 * j:2 * j + 2]))
            winners[2 * i + k // 2, 2 * j + k % 2] = dout[i, j]
    assert np.array_equal(dx, winners) and np.count_nonzero(dx) == 4


@REGISTER.claim("On random inputs without ties it must agree with the switches.")
def gradient_check(nb):
    errors = nb.all_numbers("8eaeffff", r"relative error < ([\d.e-]+)")
    assert len(errors) == 2 and all(e <= 1e-7 for (e,) in errors)


@REGISTER.claim("With 2x2 windows exactly one input in four gets a gradient: 2*3*16 = 96 of 384.")
def one_in_four(nb):
    rows = {(F, S): (nz, n) for F, S, nz, n in
            nb.all_numbers("8eaeffff", r"F=(\d), S=(\d): .*non-zero gradients: (\d+) of (\d+) inputs")}
    nz, n = rows[(2, 2)]
    assert nz == 2 * 3 * 16 == 96 and n == 2 * 3 * 8 * 8 == 384 and nz * 4 == n


@REGISTER.claim("A single bright pixel in the middle of a 5x5 input wins all four 3x3 windows:")
def overlapping_sum(nb):
    centre, elsewhere = nb.numbers("40107fa3", r"1 \+ 2 \+ 3 \+ 4 = ([\d.]+); everywhere else: ([\d.]+)")
    assert centre == 1 + 2 + 3 + 4 and elsewhere == 0


@REGISTER.claim("It never splits or copies the gradient, so the total gradient that\nflows back always equals the "
                "total that came in:")
def ties(nb):
    dout, *dx = nb.numbers("43e55087", r"dout = (\d+) +-> +dx = \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]")
    assert dx[0] == dout and sum(dx) == dout and dx[1:] == [0, 0, 0]     # the first maximum, row by row, takes all


@REGISTER.claim("Average pooling gives every input of a window\n`dout / 4`; L2 pooling gives input `x_k` the share "
                "`dout * x_k / out`, so larger inputs get more:")
def spread_gradients(nb):
    out = nb.output("2b2526d8")
    avg, l2, by_hand = ([read(float(v)) for v in m.split(",")] for m in re.findall(r"\[([\d., ]+)\]\n", out + "\n")[:3])
    assert avg == [0.25] * 4
    assert l2 == by_hand and l2 == sorted(l2) and l2[3] > l2[2] > l2[0]
    assert np.allclose(l2, np.array([1, 1, 5, 6]) / np.sqrt(63), atol=5e-5)


@REGISTER.claim("**The reshape route** works when the windows tile the input exactly")
def reshape_route(nb):
    routes = {m.group(3): (read(float(m.group(1))), read(float(m.group(2)))) for m in
              re.finditer(r"(\d)x\d at stride (\d): route '(\w+)'", nb.output("a1164965"))}
    F, S = routes["reshape"]
    assert F == S == 2


@REGISTER.claim("costs nothing (numpy only changes how it reads the same memory), and then every window is a\n"
                "little 2x2 block:")
def reshape_is_free(nb):
    (offset,) = nb.numbers("332e9770", r"memory address plus (-?\d+) bytes")
    window = nb.all_numbers("332e9770", r"window \(0, 1\) = .* = \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]")[0]
    maxima = nb.all_numbers("332e9770", r"max of every window: \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]")[0]
    x = np.arange(16.0).reshape(4, 4)
    assert offset == 0
    assert list(window) == x[0:2, 2:4].ravel().tolist()
    assert list(maxima) == [x[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for i in range(2) for j in range(2)]


@REGISTER.claim("**The windows route** handles any window and stride, including overlapping 3x3 windows at\nstride 2.")
def windows_route(nb):
    routes = {m.group(3): (read(float(m.group(1))), read(float(m.group(2)))) for m in
              re.finditer(r"(\d)x\d at stride (\d): route '(\w+)'", nb.output("a1164965"))}
    F, S = routes["windows"]
    assert F == 3 and S == 2


@REGISTER.claim("The fast and naive versions must agree exactly: on the forward pass, on the switches (ties\nincluded) "
                "and on the backward pass.")
def fast_equals_naive(nb):
    rows = nb.all_numbers("c14ca0b8", r"(\d+) of (\d+) windows hold a tied maximum; largest difference forward ([\d.]+), "
                                      r"backward ([\d.]+); switches that differ: (\d+)")
    assert len(rows) == 2 and all(f == b == differ == 0 and 0 < tied < n for tied, n, f, b, differ in rows)
    assert [n for _, n, _, _, _ in rows] == [10 * 3 * 8 * 8, 10 * 3 * 7 * 7]      # every window of the batch


@REGISTER.claim("The inputs below are whole numbers from 0 to 3, so many\nwindows hold their maximum twice or more, and "
                "both versions must pick the first.")
def many_ties(nb):
    rows = nb.all_numbers("c14ca0b8", r"(\d+) of (\d+) windows hold a tied maximum")
    assert len(rows) == 2 and all(tied / n > 0.25 for tied, n in rows)


@REGISTER.claim("How much faster?")
def faster(nb):
    naive, fast, ratio = nb.numbers("4c2e3d54", r"naive ([\d.]+) ms, fast ([\d.]+) ms: (\d+) times faster")
    assert fast < naive and ratio > 10        # the saved run; nbval does not compare this cell's output


@REGISTER.claim("notebook 07 repeats that comparison on our shapes over three seeds.", reads=[ALLCONV])
def allconv_seeds(nb):
    results = Results(ALLCONV)
    seeds = results.get("seeds")
    per_net = [results.get("summary", net, "seeds") for net in ("shapes_convnet", "shapes_allconv")]
    assert len(set(seeds.tolist())) == len(seeds) == 3 and all(s == int(s) >= 0 for s in seeds)
    assert all(np.array_equal(seeds, s) for s in per_net)          # both nets, the same three seeds


@REGISTER.claim("**2x2 average pooling is a stride-2 convolution** whose weights\nare fixed.")
def average_pooling_is_a_convolution(nb):
    conv = nb.numbers("9feba175", r"conv output \((\d+), (\d+), (\d+), (\d+)\)")
    pool = nb.numbers("9feba175", r"pool output \((\d+), (\d+), (\d+), (\d+)\)")
    (diff,) = nb.numbers("9feba175", r"largest difference: ([\d.e-]+)")
    assert conv == pool == (1, 3, 288 / 2, 448 / 2) and diff == 0


@REGISTER.claim("On the photograph's pixel values (whole numbers from 0 to 255), every\nquarter and every sum is exact, "
                "so the two routes can be compared to the last bit:")
def compared_to_the_last_bit(nb):
    (diff,) = nb.numbers("9feba175", r"largest difference: ([\d.e-]+)")
    assert diff == 0


@REGISTER.claim("Filter `c` puts `1/4` on each of the 4 positions of channel `c` and 0 on the other\nchannels, "
                "and the bias is 0.")
def average_pooling_weights(nb):
    own = nb.numbers("9feba175", r"filter 0, channel 0: \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]")
    other = nb.numbers("9feba175", r"filter 0, channel 1: \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]")
    assert own == (1 / 4,) * 4 and other == (0,) * 4


@REGISTER.claim("A **learned** stride-2 convolution keeps the same output size")
def same_output_size(nb):
    sizes = nb.all_numbers("e7160886", r"output (\d+)x(\d+)x(\d+)")
    assert len(sizes) == 3 and all(s == (112, 112, 64) for s in sizes)


@REGISTER.claim("Two\ntempting settings do not tile an even input, 3x3 filters with padding 1 and 5x5 filters with\n"
                "padding 2, both at stride 2:")
def tempting_settings(nb):
    rows = nb.all_numbers("b7878673", r"\(224 - (\d) \+ 2\*(\d)\)/2 \+ 1 = ([\d.]+) is not an integer")
    assert [(F, P) for F, P, _ in rows] == [(3, 1), (5, 2)]
    assert all(size == (224 - F + 2 * P) / 2 + 1 and size % 1 == 0.5 for F, P, size in rows)


@REGISTER.claim("Max pooling fails\nthat test: its output on 0 is 0, so `b` would have to be 0, yet its outputs on `x` and on `-x`\n"
                "add up to each window's maximum minus its minimum, a different number in every window:")
def max_pooling_is_not_linear(nb):
    sums = nb.numbers("c3054da2", r"maxpool\(x\) \+ maxpool\(-x\) = \[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]")
    zero = nb.numbers("c3054da2", r"maxpool\(x \+ \(-x\)\) += \[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]")
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    ranges = [np.ptp(x[2 * i:2 * i + 2, 2 * j:2 * j + 2]) for i in range(2) for j in range(2)]
    assert zero == (0,) * 4 and list(sums) == ranges
    assert len(set(sums)) == len(sums) and 0 not in sums       # not 2b = 0 anywhere, and no single number either


@REGISTER.claim("that is the trade, 16,448\nparameters (65,600 with DCGAN's 4x4 filters)")
def the_trade(nb):
    counts = {F: total for F, total in nb.all_numbers("e7160886", r"(\d)\*\d\*64\*64 \+ 64 = ([\d,]+) parameters")}
    assert counts[2] == 16_448 == 2 * 2 * 64 * 64 + 64 and counts[4] == 65_600 == 4 * 4 * 64 * 64 + 64


NOT_CLAIMS = REGISTER.not_claims([
    ("A convolutional layer looks for patterns; a **pooling layer** makes the picture smaller.", "a definition"),
    ("This\nnotebook shows what pooling keeps and what it throws away", "the notebook's outline"),
    ("A typical ConvNet stacks `CONV -> RELU` layers and, every so often, a `POOL` layer.",
     "the notes' layer pattern, a definition"),
    ("The most common pooling layer, the notes say, takes the maximum of each 2x2 window",
     "the notes' statement of practice, attributed"),
    ("Take the 224x224x64 volume of the course notes' pooling figure", "the setting of the example"),
    ("Larger windows are rare: the notes call them too destructive.", "the notes' judgement, attributed"),
    ("Max, average and L2 pooling on a small example", "a heading"),
    ("* **L2-norm pooling** keeps", "a definition"),
    ("Here are all three on a 4x4 depth slice with 2x2 windows at stride 2.", "the setting of the example"),
    ("The CS231n assignment checks max pooling on", "the setting of the check (its result is assignment_corner)"),
    ("So we divide its output\nby 2 after each round, which makes it the root-mean-square of the window",
     "arithmetic: sqrt(sum x^2) / 2 = sqrt(sum x^2 / 4) for a 2x2 window; the reason for the division"),
    ("Here is one: a 3x3 vertical-edge filter (the Sobel filter)", "the setting of the example"),
    ("Keeping the peaks may be one reason for what the notes report",
     "the notes' claim, attributed; the next sentence says this notebook does not measure it (SequentialNet has "
     "no average-pooling layer to train a twin net with)"),
    ("This notebook measures what each kind keeps, not which one trains the better\nnet.",
     "says what is not measured"),
    ("Recall the derivative of `max(a, b)`", "a definition"),
    ("A max-pooling window is a max of 4 numbers, so the upstream gradient",
     "the rule, derived; the example below is the claim routed_to_the_winner"),
    ("Take the 4x4 example again", "an instruction"),
    ("Window 0 reads `[1, 1, 5, 6]`; its maximum, 6, is at position 3",
     "the hand reading of the example; its numbers are checked by routed_to_the_winner"),
    ("We check 2x2 windows at stride 2 and overlapping 3x3 windows at stride 2", "describes the check below"),
    ("With overlapping windows an input can win in several windows at once",
     "the rule; the example below is the claim overlapping_sum"),
    ("**Ties.** When a window holds two equal maxima", "a definition"),
    ("Instead of looping over the data, it loops over the 9 positions *inside* a window", "describes the code"),
    ("Two passes over the nine positions, each position one vectorised\nstep over the whole batch",
     "describes the code (fast_layers._max_and_switches: np.maximum over the 9 positions, then np.equal)"),
    ("The timing depends on your machine", "a pointer to the benchmark"),
    ("Some architectures drop pooling altogether and shrink the volume with convolutions of larger\nstride instead.",
     "describes an alternative, in the notes' words"),
    ("(\"Striving for Simplicity: The All Convolutional Net\", 2015)\nreport that replacing each max-pooling layer",
     "Springenberg et al.'s result, attributed; its repetition on our nets is notebook 07's (seeds: allconv_seeds)"),
    ("On the 224x224x64\nvolume of section 1, with 64 output channels:", "the setting of the count below"),
    ("(`F = 4, S = 2, P = 1` is the downsampling convolution of the widely used Torch and PyTorch",
     "where the setting comes from (pytorch/examples and soumith/dcgan.torch use 4x4, stride 2, padding 1; "
     "Newmu/dcgan_code 5x5 with padding 2); its fit is the claim tempting_settings"),
    ("convolution is linear apart from its bias `b`:",
     "a property of every convolution (linear in x, plus b), a definition; max pooling's failure is the claim "
     "max_pooling_is_not_linear"),
    ("**Exercise 1.** `max_pool_2x2(x)`", "an exercise statement"),
    ("**Exercise 2.** `window_backward(window, dout)`", "an exercise statement"),
    ("Follow the\nlibrary's rule for ties", "an exercise statement"),
    ("Sections 3, 6 and 9 hold the ideas", "a pointer"),
])

test_claims = REGISTER.tests()
