"""The spec language (cs231n_lib.specs): parsing, expansion, sizes and caret errors."""
import pytest

from cs231n_lib import specs
from cs231n_lib.specs import SpecError, parse


def caret_under(err):
    """The text the error's carets point at, read back from the rendered message."""
    lines = str(err).splitlines()
    shown, carets = lines[-2], lines[-1]
    start = carets.index("^")
    return shown[start:start + carets.count("^")]


def test_vgg16_has_13_conv_and_3_fc_layers():
    spec = parse(specs.VGG16)
    kinds = [lay.kind for lay in spec.layers]
    assert kinds.count("conv") == 13 and kinds.count("fc") == 3
    assert kinds.count("pool") == 5 and kinds.count("relu") == 15
    assert spec.input_shape == (224, 224, 3)
    pools = [shape for lay, shape in zip(spec.layers, spec.shapes) if lay.kind == "pool"]
    assert pools == [(112, 112, 64), (56, 56, 128), (28, 28, 256), (14, 14, 512), (7, 7, 512)]
    assert spec.shapes[-1] == (1, 1, 1000)
    conv = spec.layers[0]
    assert (conv.F, conv.K, conv.S, conv.P, conv.dilation) == (3, 64, 1, 1, 1)


def test_nested_repetition_expands():
    spec = parse("INPUT(32x32x3) -> [[CONV3-32 -> RELU]*2 -> POOL2]*3 -> [FC-512 -> RELU]*2 -> FC-10")
    names = [lay.name for lay in spec.layers]
    assert names == (["CONV3-32", "RELU"] * 2 + ["POOL2"]) * 3 + ["FC-512", "RELU"] * 2 + ["FC-10"]
    assert spec.shapes[-2] == (1, 1, 512)
    assert [s for s in spec.shapes if s[2] == 32][-1] == (4, 4, 32)


def test_notation_is_forgiving_about_case_spaces_and_arrows():
    a = parse("input(32x32x3)→conv3-8→relu→pool→fc-10")
    b = parse("INPUT( 32 x 32 x 3 ) -> CONV3-8 -> RELU -> POOL2 -> FC-10")
    assert [lay.dims for lay in a.layers] == [lay.dims for lay in b.layers]
    assert a.shapes == b.shapes
    assert str(a) == "INPUT(32x32x3) -> CONV3-8 -> RELU -> POOL2 -> FC-10"


def test_options_stride_padding_dilation_and_zero_repeats():
    spec = parse("INPUT(227x227x3) -> CONV11-96(S=4, P=0) -> RELU -> POOL3(S=2) -> [FC-5]*0 -> FC-10")
    conv, _, pool, fc = spec.layers
    assert (conv.F, conv.K, conv.S, conv.P) == (11, 96, 4, 0)
    assert spec.shapes[0] == (55, 55, 96) and spec.shapes[2] == (27, 27, 96)
    assert (pool.F, pool.S) == (3, 2) and fc.K == 10
    dil = parse("INPUT(16x16x1) -> CONV3-4(D=2)").layers[0]
    assert (dil.dilation, dil.P) == (2, 2)  # 'same' padding of the 5-wide effective filter
    assert str(parse("INPUT(17x17x1) -> conv3-4(stride=2, pad=1)")) == \
        "INPUT(17x17x1) -> CONV3-4(S=2)"


def test_non_square_input():
    spec = parse("INPUT(24x32x3) -> CONV3-8 -> POOL2 -> FC-2")
    assert spec.shapes[1] == (12, 16, 8)
    assert spec.budget().rows[-1].weights == 12 * 16 * 8 * 2


def test_examples_and_general_pattern_parse():
    for text in specs.EXAMPLES.values():
        assert parse(text).shapes[-1] == (1, 1, 10)
    assert parse(specs.EXAMPLES["linear classifier (N = M = K = 0)"]).budget().weights == 32 * 32 * 3 * 10
    text = specs.general_pattern(2, 3, 2)
    assert text == ("INPUT(32x32x3) -> [[CONV3-32 -> RELU]*2 -> POOL2]*3 -> "
                    "[FC-512 -> RELU]*2 -> FC-10")
    assert len(parse(text).layers) == 3 * 5 + 4 + 1
    for N in range(4):
        for M in range(4):
            for K in range(3):
                spec = parse(specs.general_pattern(N, M, K))
                kinds = [lay.kind for lay in spec.layers]
                assert (kinds.count("conv"), kinds.count("pool"), kinds.count("fc")) == (N * M if M else N, M, K + 1)


@pytest.mark.parametrize("text, pointed_at, reason", [
    ("INPUT(32x32x3) -> CONVV3-64 -> FC-10", "CONVV3-64", "Unknown layer"),
    ("INPUT(32x32x3) -> CONV3-64 RELU", "RELU", "Expected '->'"),
    ("INPUT(32x32x3) -> [CONV3-64 -> RELU*2", "[", "never closed"),
    ("INPUT(32x32x3) -> CONV3-64] -> RELU", "]", "closes no"),
    ("INPUT(32x32x3) -> POOL?", "?", "optional"),
    ("INPUT(32x32x3) -> CONV4-8", "CONV4-8", "padding"),
    ("CONV3-8 -> FC-2", "CONV3-8", "starts with the input"),
    ("INPUT(8x8x1) -> INPUT(8x8x1)", "INPUT(8x8x1)", "only once"),
    ("INPUT(32x32x3) -> ", "", "after '->'"),
    ("INPUT(32x32x3) -> CONV3-8(S=2, Q=1)", "Q", "Unknown option"),
    ("INPUT(32x32x3) -> CONV3-8(S=two)", "two", "whole number"),
    ("INPUT(32x32x3) -> [FC-3]*x", "*x", "whole number"),
    ("INPUT(32x32x3) -> CONV -> FC-10", "CONV", "CONVF-K"),
    ("INPUT(32x32) -> FC-1", "INPUT(32x32)", "height x width x depth"),
    ("INPUT(32x32x3) -> CONV3-8 => FC-2", "=", "Unexpected character"),
    ("INPUT(32x32x3) -> -> FC-2", "->", "before '->'"),
    ("INPUT(32x32x3) -> [] -> FC-2", "]", "empty group"),
    ("INPUT(32x32x3) -> RELU(2)", "(2)", "no options"),
])
def test_errors_point_at_the_offending_token(text, pointed_at, reason):
    with pytest.raises(SpecError) as info:
        parse(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert reason in err.reason
    if pointed_at:
        assert caret_under(err) == pointed_at
        assert text[err.position:err.position + err.length] == pointed_at
    else:
        assert err.position == len(text.rstrip())


def test_geometry_errors_carry_the_formula_and_point_at_the_layer():
    text = "INPUT(30x30x3) -> [CONV3-8 -> POOL2]*2 -> FC-10"
    with pytest.raises(SpecError) as info:
        parse(text)
    err = info.value
    assert caret_under(err) == "POOL2"
    assert "15x15x8 input" in str(err) and "(15 - 2)/2 + 1 = 7.5" in str(err)
    with pytest.raises(SpecError, match=r"\(32 - 11 \+ 2\*0\)/4 \+ 1 = 6.25"):
        parse("INPUT(32x32x3) -> CONV11-96(S=4, P=0)")


def test_long_spec_error_shows_the_neighbourhood():
    text = specs.VGG16.replace("FC-1000", "FC-1k")
    with pytest.raises(SpecError) as info:
        parse(text)
    assert caret_under(info.value) == "FC-1k"


def test_not_a_string():
    with pytest.raises(ValueError, match="A spec is a string"):
        parse(None)


def test_format_budget_and_receptive_field_tables():
    spec = parse("INPUT(8x8x1) -> CONV3-2 -> RELU -> POOL2 -> FC-3")
    table = specs.format_budget(spec.budget())
    assert "(3*3*1)*2 = 18" in table and "(4*4*2)*3 = 96" in table
    assert "(in place)" in table
    assert "18 weights" not in table and "114 weights + 5 biases = 119" in table
    rf = specs.format_receptive_field(spec.receptive_field())
    assert rf.splitlines()[0].split() == ["layer", "k", "s", "p", "field", "r", "stride", "S",
                                          "padding", "P"]
    assert specs.format_bytes(2**20) == "1.0 MB (1.0 MiB)"
    assert specs.format_bytes(908) == "908 bytes"
    assert specs.format_bytes(401_408) == "401.4 kB (392.0 KiB)"
    pool_row = table.splitlines()[5].split()  # POOL2: 4*4*2 = 32 float32 values = 128 bytes
    assert pool_row[:6] == ["POOL2", "4x4x2", "4*4*2", "=", "32", "128"]
    assert "forward 908 bytes in float32" in table  # (64 + 128 + 32 + 3) * 4


def test_importing_specs_and_convert_is_light():
    import subprocess
    import sys

    code = ("import sys, cs231n_lib.specs, cs231n_lib.convert; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------ rounding "as frameworks do", said explicitly
def test_floor_and_ceil_are_flags_and_show_in_the_name():
    spec = parse("INPUT(224x224x3) -> CONV7-96(S=2, P=1, floor) -> POOL3(S=2, ceil) -> "
                 "CONV5-256(S=2, P=0) -> POOL3(S=2, ceil) -> AVGPOOL13 -> FC-10")
    # by hand: floor((224 - 7 + 2)/2) + 1 = floor(109.5) + 1 = 110; ceil((110 - 3)/2) + 1 = 55;
    # (55 - 5)/2 + 1 = 26; ceil((26 - 3)/2) + 1 = 13; a 13x13 average pool gives 1x1
    assert [s[0] for s in spec.shapes] == [110, 55, 26, 13, 1, 1]
    assert [lay.name for lay in spec.layers][:2] == ["CONV7-96(S=2, P=1, floor)", "POOL3(S=2, ceil)"]
    assert [lay.rounding for lay in spec.layers][:3] == ["floor", "ceil", "exact"]
    assert spec.layers[4].name == "AVGPOOL13" and spec.layers[4].kind == "pool"
    assert "CONV7-96(S=2, P=1, floor)" in specs.format_budget(spec.budget())


def test_without_the_flag_the_error_teaches_the_flag():
    with pytest.raises(SpecError) as info:
        parse("INPUT(56x56x64) -> CONV3-128(S=2)")
    msg = str(info.value)
    assert "(56 - 3 + 2*1)/2 + 1 = 28.5" in msg and "round down to 28" in msg
    assert "write CONV3-128(S=2, floor)" in msg
    with pytest.raises(SpecError, match=r"write POOL2\(floor\)"):
        parse("INPUT(225x225x3) -> POOL2")


def test_padded_pool_and_resnet_stem():
    spec = parse("INPUT(224x224x3) -> CONV7-64(S=2, P=3, floor) -> POOL3(S=2, P=1, floor)")
    # floor((224 - 7 + 6)/2) + 1 = 112; floor((112 - 3 + 2)/2) + 1 = 56
    assert [s[0] for s in spec.shapes] == [112, 56]
    # the receptive field does not depend on the rounding: 7, then 7 + (3-1)*2 = 11
    assert [r.size for r in spec.receptive_field()] == [7, 11]


@pytest.mark.parametrize("text, pointed_at, reason", [
    ("INPUT(8x8x1) -> CONV3-2(floor=1)", "floor=1", "stands alone"),
    ("INPUT(8x8x1) -> CONV3-2(floor, ceil)", "ceil", "not both"),
    ("INPUT(8x8x1) -> CONV3-2(S)", "S", "needs a value"),
    ("INPUT(8x8x1) -> POOL2(D=2)", "D", "Unknown option"),
    ("INPUT(8x8x1) -> CONV3-2(round)", "round", "Unknown option"),
])
def test_option_mistakes_point_at_the_option(text, pointed_at, reason):
    with pytest.raises(SpecError) as info:
        parse(text)
    assert reason in info.value.reason
    assert text[info.value.position:info.value.position + info.value.length] == pointed_at
