"""Memory and parameter budgets (cs231n_lib.arithmetic.budget) against figures from the literature.

The VGG-16 numbers are typed in from the CS231n notes' per-layer table and from
Simonyan & Zisserman (2014, Table 2: 138M parameters); nothing here is computed
by the code under test.
"""
import pytest

from cs231n_lib import specs
from cs231n_lib.arithmetic import Budget, LayerDims, budget, layer_output_shape

# The notes' VGG-16 table: (output volume, activations, weights) per listed layer.
VGG_TABLE = [
    ((224, 224, 3), 150_528, 0),            # INPUT
    ((224, 224, 64), 3_211_264, 1_728),     # CONV3-64
    ((224, 224, 64), 3_211_264, 36_864),    # CONV3-64
    ((112, 112, 64), 802_816, 0),           # POOL2
    ((112, 112, 128), 1_605_632, 73_728),   # CONV3-128
    ((112, 112, 128), 1_605_632, 147_456),  # CONV3-128
    ((56, 56, 128), 401_408, 0),            # POOL2
    ((56, 56, 256), 802_816, 294_912),      # CONV3-256
    ((56, 56, 256), 802_816, 589_824),
    ((56, 56, 256), 802_816, 589_824),
    ((28, 28, 256), 200_704, 0),            # POOL2
    ((28, 28, 512), 401_408, 1_179_648),    # CONV3-512
    ((28, 28, 512), 401_408, 2_359_296),
    ((28, 28, 512), 401_408, 2_359_296),
    ((14, 14, 512), 100_352, 0),            # POOL2
    ((14, 14, 512), 100_352, 2_359_296),    # CONV3-512
    ((14, 14, 512), 100_352, 2_359_296),
    ((14, 14, 512), 100_352, 2_359_296),
    ((7, 7, 512), 25_088, 0),               # POOL2
    ((1, 1, 4096), 4_096, 102_760_448),     # FC-4096
    ((1, 1, 4096), 4_096, 16_777_216),      # FC-4096
    ((1, 1, 1000), 1_000, 4_096_000),       # FC-1000
]


@pytest.fixture(scope="module")
def vgg():
    return specs.parse(specs.VGG16).budget()


def test_vgg16_totals_match_the_literature(vgg):
    assert vgg.weights == 138_344_128
    assert vgg.biases == 13_416
    assert vgg.params == 138_357_544
    assert vgg.activations == 15_237_608


def test_vgg16_rows_match_the_notes_table(vgg):
    listed = [r for r in vgg.rows if r.kind != "relu"]
    assert [(r.shape, r.activations, r.weights) for r in listed] == VGG_TABLE
    assert sum(act for _, act, _ in VGG_TABLE) == vgg.activations
    first_fc = next(r for r in vgg.rows if r.kind == "fc")
    assert first_fc.weights == 102_760_448 and first_fc.weight_formula.startswith("(7*7*512)*4096")


def test_vgg16_memory_in_bytes(vgg):
    assert vgg.bytes_per_value == 4
    assert vgg.forward_bytes == 15_237_608 * 4
    assert vgg.training_activation_bytes == 15_237_608 * 4 * 2
    assert vgg.param_bytes == 138_357_544 * 4
    assert vgg.training_param_bytes == 138_357_544 * 4 * 3
    assert vgg.training_bytes(batch_size=8) == 8 * 15_237_608 * 8 + 138_357_544 * 12
    # about 58 MiB of activations per image: the notes' "~93MB" does not follow from the rows
    assert 58 < vgg.forward_bytes / 2**20 < 58.2
    f64 = specs.parse(specs.VGG16).budget(bytes_per_value=8)
    assert f64.forward_bytes == 2 * vgg.forward_bytes
    # per row: the first conv output, 224*224*64 float32 values; the first FC's parameters
    assert vgg.rows[1].activation_bytes == 3_211_264 * 4
    first_fc = next(r for r in vgg.rows if r.kind == "fc")
    assert first_fc.param_bytes == (102_760_448 + 4_096) * 4
    assert sum(r.activation_bytes for r in f64.rows) == 15_237_608 * 8
    assert sum(r.param_bytes for r in f64.rows) == 138_357_544 * 8


def test_relu_counted_in_place_or_not(vgg):
    separate = specs.parse(specs.VGG16).budget(relu_in_place=False)
    relu_values = sum(r.activations for r in vgg.rows if r.kind == "relu")
    # 13 conv outputs + 2 hidden FC outputs, summed from the table above
    assert relu_values == 13_547_520 + 2 * 4_096
    assert separate.activations == vgg.activations + relu_values
    no_input = specs.parse(specs.VGG16).budget(include_input=False)
    assert no_input.activations == 15_237_608 - 224 * 224 * 3


def test_notes_memory_example_three_conv_layers():
    # "three 3x3 CONV layers with 64 filters, padding 1, on 224x224x3: about 10 million activations"
    b = budget((224, 224, 3), [LayerDims("conv", 3, 64, 1, 1)] * 3, include_input=False)
    assert b.activations == 3 * 224 * 224 * 64 == 9_633_792
    assert b.training_activation_bytes == 9_633_792 * 8  # float32, values + gradients
    assert round(b.training_activation_bytes / 2**20, 1) == 73.5


@pytest.mark.parametrize("C", [1, 3, 64, 512])
def test_three_3x3_versus_one_7x7_parameters(C):
    three = budget((56, 56, C), [LayerDims("conv", 3, C, 1, 1)] * 3)
    one = budget((56, 56, C), [LayerDims("conv", 7, C, 1, 3)])
    assert three.weights == 27 * C * C and one.weights == 49 * C * C


def test_plain_tuples_and_objects_give_the_same_budget():
    layers = [("conv", 5, 16, 1, 2), ("relu",), ("pool", 2, 0, 2), ("fc", 1, 10)]
    b = budget((32, 32, 3), layers)
    assert isinstance(b, Budget)
    # by hand: 5*5*3*16 conv weights; 16*16*16 pooled volume times 10 FC weights
    assert b.weights == 5 * 5 * 3 * 16 + 16 * 16 * 16 * 10
    assert b.biases == 16 + 10
    assert [r.shape for r in b.rows] == [(32, 32, 3), (32, 32, 16), (32, 32, 16), (16, 16, 16), (1, 1, 10)]
    from_spec = specs.parse("INPUT(32x32x3) -> CONV5-16 -> RELU -> POOL2 -> FC-10").budget()
    assert from_spec.rows == b.rows


def test_non_square_volumes():
    assert layer_output_shape((224, 320, 3), LayerDims("conv", 3, 8, 1, 1)) == (224, 320, 8)
    assert layer_output_shape((224, 320, 8), LayerDims("pool", 2, 0, 2)) == (112, 160, 8)
    with pytest.raises(ValueError, match="Along the height"):
        layer_output_shape((225, 320, 3), LayerDims("pool", 2, 0, 2))
    b = budget((6, 4, 2), [("fc", 1, 5)])
    assert b.weights == 6 * 4 * 2 * 5


@pytest.mark.parametrize("layers, fragment", [
    ([("conv", 3, 8, 2, 0)], "(10 - 3 + 2*0)/2 + 1 = 4.5"),
    ([("pool", 3, 0, 2)], "(10 - 3)/2 + 1 = 4.5"),
    ([("conv", 3, 0)], "K >= 1"),
    ([("fc", 1, 0)], "K >= 1"),
    ([("softmax",)], "Unknown layer kind"),
    ([("conv", 2.0, 8)], "Write 2 instead of 2.0"),
    ([object()], "A layer must be"),
])
def test_bad_layers_raise_with_the_reason(layers, fragment):
    with pytest.raises(ValueError) as info:
        budget((10, 10, 3), layers)
    assert fragment in str(info.value)


def test_bad_input_shape_and_options():
    with pytest.raises(ValueError, match=r"\(H, W, D\)"):
        budget((10, 10), [])
    with pytest.raises(ValueError, match="bytes_per_value"):
        budget((10, 10, 3), [], bytes_per_value=0)


# ---- multiply-adds -----------------------------------------------------------------------------

# VGG-16's conv layers as (output size, filter size, depth in, filters), typed in from the config;
# each costs (output size)^2 * F*F*D*K multiply-adds, each FC layer D_in*K.
VGG_CONVS = ([(224, 3, 3, 64), (224, 3, 64, 64), (112, 3, 64, 128), (112, 3, 128, 128)]
             + [(56, 3, 128, 256)] + [(56, 3, 256, 256)] * 2
             + [(28, 3, 256, 512)] + [(28, 3, 512, 512)] * 2 + [(14, 3, 512, 512)] * 3)
VGG_FCS = [(7 * 7 * 512, 4096), (4096, 4096), (4096, 1000)]


def test_vgg16_multiply_adds_by_the_closed_form(vgg):
    closed = sum(n * n * F * F * D * K for n, F, D, K in VGG_CONVS) + sum(D * K for D, K in VGG_FCS)
    assert vgg.multiply_adds == closed == 15_470_264_320   # the "15.5 G multiply-adds" usually quoted


@pytest.mark.parametrize("spec", [
    "INPUT(9x9x2) -> CONV3-4(P=0) -> RELU -> CONV3-3(S=2, P=0) -> POOL1 -> FC-5",
    "INPUT(8x6x3) -> CONV3-2 -> CONV3-2(D=2) -> POOL2 -> FC-4 -> FC-3",
])
def test_multiply_adds_counted_by_running_each_layer_on_ones(spec):
    """A layer run on an input of ones with weights of ones and no bias outputs, summed, exactly
    the number of multiply-adds it did (padding made of ones too, so padded terms count)."""
    import numpy as np

    from cs231n_lib.layers import conv_forward_naive

    s = specs.parse(spec)
    shape, counted = s.input_shape, 0
    for lay, out in zip(s.layers, s.shapes):
        h, w, d = shape
        if lay.kind == "conv":
            p = lay.P
            x = np.ones((1, d, h + 2 * p, w + 2 * p))
            y, _ = conv_forward_naive(x, np.ones((lay.K, d, lay.F, lay.F)), np.zeros(lay.K),
                                      {"stride": lay.S, "pad": 0, "dilation": lay.dilation})
            assert y.shape[1:] == (out[2], out[0], out[1])
            counted += int(y.sum())
        elif lay.kind == "fc":
            counted += int((np.ones((1, h * w * d)) @ np.ones((h * w * d, lay.K))).sum())
        shape = out
    assert s.budget().multiply_adds == counted > 0
