"""cs231n_lib.arithmetic: the numbers of the course notes, the error messages, and a brute-force route."""
import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib import arithmetic as A


# ----------------------------------------------------------- the notes' numbers
@pytest.mark.parametrize("W, F, S, P, expected", [
    (7, 3, 1, 0, 5),      # 7x7 input, 3x3 filter, stride 1
    (7, 3, 2, 0, 3),      # ... stride 2
    (5, 3, 1, 1, 5),      # the 1-D figure, stride 1, pad 1
    (5, 3, 2, 1, 3),      # ... stride 2
    (227, 11, 4, 0, 55),  # AlexNet's first layer
    (11, 5, 2, 0, 4),     # the numpy example
    (32, 5, 1, 2, 32),    # F=5, P=2 keeps the size
    (224, 3, 1, 1, 224),
])
def test_output_sizes_from_the_notes(W, F, S, P, expected):
    assert A.conv_output_size(W, F, S, P) == expected


def test_dilated_case():
    assert A.effective_filter_size(3, 2) == 5
    assert A.conv_output_size(7, 3, S=1, P=0, dilation=2) == 3
    geo = A.conv_geometry(7, 3, 1, 0, 2)
    assert (geo.F_eff, geo.output, geo.formula) == (5, 3, "(7 - 5 + 2*0)/1 + 1 = 3")


def test_alexnet_parameter_counts():
    assert 55 * 55 * 96 == 290_400
    shared = A.conv_param_count(11, 3, 96)
    assert shared == (34_848, 96) and shared.total == 34_944
    unshared = A.conv_param_count(11, 3, 96, out_size=55, sharing=False)
    assert unshared.total == 105_705_600 == 290_400 * 364
    assert A.conv_param_count(11, 3, 96, out_size=(55, 55), sharing=False) == unshared


def test_local_connectivity_counts():
    # 5x5 filter on 32x32x3: 75 weights per neuron; 3x3 on 16x16x20: 180.
    assert A.conv_param_count(5, 3, 1).weights == 75
    assert A.conv_param_count(3, 20, 1).weights == 180


def test_same_padding():
    assert [A.same_padding(f) for f in (1, 3, 5, 7)] == [0, 1, 2, 3]
    assert A.same_padding(3, dilation=2) == 2
    for f in (1, 3, 5, 7):
        assert A.conv_output_size(32, f, 1, A.same_padding(f)) == 32
    with pytest.raises(ValueError, match=r"even .*F_eff = 4.*\(4 - 1\)/2 = 1\.5"):
        A.same_padding(4)
    with pytest.raises(ValueError, match="even"):
        A.same_padding(2, dilation=3)  # F_eff = 4


def test_pool_output_size():
    assert A.pool_output_size(224, 2, 2) == 112
    assert A.pool_output_size(13, 3, 2) == 6
    with pytest.raises(ValueError, match=r"\(10 - 3\)/2 \+ 1 = 4\.5"):
        A.pool_output_size(10, 3, 2)


def test_non_square_pairs():
    assert A.conv_output_size((7, 9), 3, 2) == (3, 4)
    assert A.conv_output_size((32, 16), (5, 3), 1, (2, 1)) == (32, 16)
    assert A.pool_output_size((4, 6), 2, 2) == (2, 3)
    assert A.same_padding((3, 5)) == (1, 2)
    with pytest.raises(ValueError, match=r"^Along the width: .*\(10 - 3 \+ 2\*0\)/2 \+ 1 = 4\.5"):
        A.conv_output_size((9, 10), 3, 2)


# --------------------------------------------------------------- the errors
def test_the_notes_invalid_case_explains_itself():
    with pytest.raises(ValueError) as info:
        A.conv_output_size(10, 3, S=2, P=0)
    msg = str(info.value)
    assert "(10 - 3 + 2*0)/2 + 1 = 4.5" in msg
    assert "not an integer" in msg and "do not tile the input evenly" in msg
    # input 9 or 11 fits; of the strides only 1 is sensible (7 would skip 4 pixels per step)
    assert "Nearest valid settings: input size W = 9 (output 4) or W = 11 (output 5); " \
           "stride S = 1 (output 8)." in msg
    assert "S = 7" not in msg
    assert "No padding makes stride 2 fit" in msg  # 7 is odd, 2P is even
    assert "round down to 4" in msg  # what a framework would silently do


@pytest.mark.parametrize("call, absurd", [
    # the example: POOL2 on 225 once suggested "S = 223 (output 2)"
    (lambda: A.pool_output_size(225, 2, 2), "S = 223"),
    (lambda: A.pool_output_size(224, 3, 2), "S = 13"),
    (lambda: A.conv_output_size(121, 5, 3, 1), "S = 59"),
])
def test_no_nonsense_stride_is_suggested(call, absurd):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert absurd not in msg and "Nearest valid settings" in msg
    for s in re.findall(r"S = (\d+) \(output", msg):
        assert int(s) <= 5  # never more than the window (here at most 5) or the stride asked for


def test_a_skipped_padding_pixel_is_called_harmless():
    # ResNet's 3x3 stride-2 pad-1 convolution on 56: the pixel left over is padding
    with pytest.raises(ValueError, match="padding zeros, so nothing is lost"):
        A.conv_output_size(56, 3, 2, 1)
    with pytest.raises(ValueError, match="silently skip those pixel"):
        A.conv_output_size(10, 3, 2, 0)


# ------------------------------------------------------- rounding as frameworks do
def framework_size(W, F, S, P, rounding):
    """Count window starts 0, S, 2S, ... the way PyTorch does (floor; ceil_mode keeps a
    window that hangs over the right edge if it starts inside the input or left padding)."""
    padded = W + 2 * P
    starts = [s for s in range(0, padded) if s % S == 0 and s + F <= padded]
    if rounding == "ceil":
        extra = starts[-1] + S
        if extra < padded - F + S and extra < W + P:
            starts.append(extra)
    return len(starts)


@settings(max_examples=300, deadline=None)
@given(W=st.integers(1, 60), F=st.integers(1, 9), S=st.integers(1, 6), P=st.integers(0, 4),
       rounding=st.sampled_from(["floor", "ceil"]))
def test_floor_and_ceil_match_counting_windows(W, F, S, P, rounding):
    if F > W + 2 * P:
        with pytest.raises(ValueError, match="does not fit"):
            A.conv_output_size(W, F, S, P, rounding=rounding)
        return
    got = A.conv_output_size(W, F, S, P, rounding=rounding)
    assert got == framework_size(W, F, S, P, rounding)
    try:
        exact = A.conv_output_size(W, F, S, P)
    except ValueError:
        exact = None
    if exact is not None:  # rounding changes nothing when the size is an integer
        assert got == exact


def test_the_case_study_sizes():
    # ZF Net's first layer: 7x7 at stride 2 on 224 gives 110 (with P = 1, floored)
    assert A.conv_output_size(224, 7, 2, 1, rounding="floor") == 110
    # Caffe's pooling rounds up: 110 -> 55 and 26 -> 13 with 3x3 windows at stride 2
    assert A.pool_output_size(110, 3, 2, rounding="ceil") == 55
    assert A.pool_output_size(26, 3, 2, rounding="ceil") == 13
    # ResNet: 7x7 stride 2 pad 3 on 224 -> 112, 3x3 stride 2 pad 1 max pool -> 56, then 56 -> 28
    assert A.conv_output_size(224, 7, 2, 3, rounding="floor") == 112
    assert A.pool_output_size(112, 3, 2, 1, rounding="floor") == 56
    assert A.conv_output_size(56, 3, 2, 1, rounding="floor") == 28
    assert A.conv_output_size(56, 1, 2, 0, rounding="floor") == 28
    geo = A.conv_geometry(224, 7, 2, 1, rounding="floor")
    assert geo.formula == "floor((224 - 7 + 2*1)/2) + 1 = floor(109.5) + 1 = 110"
    assert geo.leftover == 1 and geo.rounding == "floor"
    assert A.conv_geometry(7, 3, 2).leftover == 0


def test_rounding_is_checked():
    with pytest.raises(ValueError, match="rounding must be one of"):
        A.conv_output_size(10, 3, 2, rounding="round")
    with pytest.raises(ValueError, match="rounding must be one of"):
        A.as_layer_dims(A.LayerDims("conv", 3, 8, rounding="down"))


def test_nearest_padding_is_named():
    # (9 - 3 + 2*0)/4 + 1 = 2.5; P = 1 gives (9 - 3 + 2)/4 + 1 = 3.
    with pytest.raises(ValueError, match=r"padding at stride 4: P = 1 \(output 3\)"):
        A.conv_output_size(9, 3, S=4, P=0)


def test_filter_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"7-wide filter does not fit .* 5 \+ 2\*0 = 5.*P = 1"):
        A.conv_output_size(5, 7)
    with pytest.raises(ValueError, match=r"dilation 4 \(it spans F_eff = 9"):
        A.conv_output_size(7, 3, dilation=4)
    with pytest.raises(ValueError, match="does not fit"):
        A.pool_output_size(2, 3, 1)


@pytest.mark.parametrize("args, pattern", [
    ((0, 3), r"W must be positive, got 0"),
    ((7, 0), r"F must be positive"),
    ((7, 3, 0), r"S must be positive"),
    ((7, 3, 1, -1), r"P must be zero or positive, got -1"),
    ((7, 3, 1, 0, 0), r"dilation must be positive"),
    ((7.0, 3), r"W must be an integer, got 7\.0 \(float\)\. Write 7 instead"),
    ((7, 2.5), r"F must be an integer, got 2\.5"),
    ((True, 3), r"boolean"),
    (("7", 3), r"W must be an integer, got '7' \(str\)"),
    (((7, 7, 7), 3), r"\(H, W\) pair"),
])
def test_bad_arguments_are_refused(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        A.conv_output_size(*args)


def test_numpy_integers_are_accepted_and_ints_returned():
    out = A.conv_output_size(np.int64(227), np.int32(11), np.int16(4))
    assert out == 55 and type(out) is int


def test_param_count_needs_out_size_without_sharing():
    with pytest.raises(ValueError, match="pass out_size"):
        A.conv_param_count(3, 3, 8, sharing=False)
    with pytest.raises(ValueError, match="D_in must be positive"):
        A.conv_param_count(3, 0, 8)


def test_valid_strides():
    assert A.valid_strides(10, 3) == [1, 7]
    assert A.valid_strides(7, 3) == [1, 2, 4]
    assert A.valid_strides(227, 11) == [d for d in range(1, 217) if 216 % d == 0]
    assert A.valid_strides((7, 9), 3) == [1, 2]


# ------------------------------------------------- an independent route: brute force
def brute_force_positions(W, F, S, P, d):
    """Place a dilated filter at 0, S, 2S, ... on the padded row; report (count, exact)."""
    padded = W + 2 * P
    span = d * (F - 1) + 1
    starts = [s for s in range(0, padded, S) if s + span <= padded]
    exact = bool(starts) and starts[-1] + span == padded
    return len(starts), exact


@settings(max_examples=400, deadline=None)
@given(W=st.integers(1, 60), F=st.integers(1, 9), S=st.integers(1, 6), P=st.integers(0, 5),
       d=st.integers(1, 4))
def test_output_size_matches_brute_force(W, F, S, P, d):
    count, exact = brute_force_positions(W, F, S, P, d)
    if count and exact:
        assert A.conv_output_size(W, F, S, P, d) == count
        if count > 1:  # one window fits whatever the stride; valid_strides then lists [1]
            assert S in A.valid_strides(W, F, P, d)
    else:
        with pytest.raises(ValueError):
            A.conv_output_size(W, F, S, P, d)
        if count:
            assert S not in A.valid_strides(W, F, P, d)


def test_every_suggested_setting_is_valid():
    """The nearest stride and padding named in an error message really work."""
    import re

    for W, F, S, P in itertools.product(range(1, 14), range(1, 6), range(2, 5), range(0, 3)):
        try:
            A.conv_output_size(W, F, S, P)
        except ValueError as err:
            msg = str(err)
            for s, out in re.findall(r"S = (\d+) \(output (\d+)\)", msg):
                assert A.conv_output_size(W, F, int(s), P) == int(out)
            for p, out in re.findall(r"P = (\d+) \(output (\d+)\)", msg):
                assert A.conv_output_size(W, F, S, int(p)) == int(out)
            for w, out in re.findall(r"W = (\d+) \(output (\d+)\)", msg):
                assert A.conv_output_size(int(w), F, S, P) == int(out)
