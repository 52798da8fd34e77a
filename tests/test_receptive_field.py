"""Receptive fields (cs231n_lib.arithmetic.receptive_field): literature figures, and an
independent brute-force route that follows every input index one output unit can reach."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cs231n_lib import specs
from cs231n_lib.arithmetic import LayerDims, receptive_field


def reached_indices(chain, x):
    """Input indices (padding included, as negative or too-large indices) that output
    unit ``x`` of a 1-D chain of (k, s, p, d) layers depends on, by following indices."""
    reached = {x}
    for k, s, p, d in reversed(chain):
        reached = {j * s - p + i * d for j in reached for i in range(k)}
    return reached


def impulse_response(chain, width, x):
    """Push a one-hot gradient at output unit ``x`` back to a ``width``-wide input through
    box filters (all-ones weights), with real zero padding: nonzero = inputs that matter."""
    sizes = [width]
    for k, s, p, d in chain:
        sizes.append((sizes[-1] + 2 * p - (k - 1) * d - 1) // s + 1)
    grad = np.zeros(sizes[-1])
    grad[x] = 1.0
    for (k, s, p, d), n_in in zip(reversed(chain), reversed(sizes[:-1])):
        back = np.zeros(n_in + 2 * p)
        for j, g in enumerate(grad):
            back[j * s + np.arange(k) * d] += g
        grad = back[p:p + n_in]
    return np.flatnonzero(grad)


VGG_POOL5 = [(212, 32, 90)]


def test_vgg16_pool5_matches_the_literature():
    rows = specs.parse(specs.VGG16).receptive_field()
    pool5 = [r for r in rows if r.name == "POOL2"][-1]
    assert (pool5.size, pool5.stride, pool5.padding) == (212, 32, 90)


def test_vgg16_pool5_by_brute_force():
    spec = specs.parse(specs.VGG16)
    chain = []
    for lay in spec.layers:
        if lay.kind == "fc":
            break
        if lay.kind == "conv":
            chain.append((lay.F, lay.S, lay.P, lay.dilation))
        elif lay.kind == "pool":
            chain.append((lay.F, lay.S, 0, 1))
    for x in (0, 3, 6):
        reached = reached_indices(chain, x)
        assert (min(reached), max(reached)) == (32 * x - 90, 32 * x - 90 + 211)
    # with the real 224-pixel input, the corner unit sees pixels 0..121 and the centre unit 6..217
    assert impulse_response(chain, 224, 0).tolist() == list(range(0, 122))
    assert impulse_response(chain, 224, 3).tolist() == list(range(6, 218))


def test_three_3x3_convolutions_see_7():
    rows = receptive_field([("conv", 3, 1, 1, 1)] * 3)
    assert [r.size for r in rows] == [3, 5, 7]
    one = receptive_field([("conv", 7, 1, 1, 3)])
    assert one[0].size == 7
    assert len(reached_indices([(3, 1, 0, 1)] * 3, 0)) == 7


def test_dilation_goes_through_the_effective_kernel():
    # 3x3 filters with dilation 1, 2, 4: the field grows 3, 7, 15 (2^(l+1) - 1)
    rows = receptive_field([LayerDims("conv", 3, 1, dilation=d) for d in (1, 2, 4)])
    assert [r.size for r in rows] == [3, 7, 15]
    assert [r.k for r in rows] == [3, 5, 9]


def test_centre_and_span():
    row = receptive_field([("conv", 3, 1, 1, 1), ("pool", 2, 0, 2)])[-1]
    assert (row.size, row.stride, row.padding) == (4, 2, 1)
    assert row.span(0) == (-1, 2) and row.center(0) == 0.5
    assert row.span(5) == (9, 12) and row.center(5) == 10.5


def test_fc_layer_sees_the_whole_input_and_needs_its_size():
    rows = receptive_field([("conv", 3, 1, 1, 1), ("fc", 1, 10)], input_size=8)
    assert rows[-1].size == 3 + (8 - 1)  # an 8-wide kernel on top of 3: 10 pixels incl. padding
    with pytest.raises(ValueError, match="input_size"):
        receptive_field([("fc", 1, 10)])


def test_input_size_checks_the_geometry():
    with pytest.raises(ValueError, match=r"\(10 - 3 \+ 2\*0\)/2 \+ 1 = 4.5"):
        receptive_field([("conv", 3, 1, 2, 0)], input_size=10)


layer = st.tuples(
    st.integers(1, 5),  # k
    st.integers(1, 3),  # s
    st.integers(0, 2),  # p
    st.integers(1, 3),  # d
)


@settings(max_examples=60, deadline=None)
@given(chain=st.lists(layer, min_size=1, max_size=4), x=st.integers(0, 4))
def test_recurrences_agree_with_brute_force(chain, x):
    dims = [LayerDims("conv", k, 1, s, p, d) for k, s, p, d in chain]
    rows = receptive_field(dims)
    for depth, row in enumerate(rows, 1):
        reached = reached_indices(chain[:depth], x)
        lo, hi = min(reached), max(reached)
        assert row.span(x) == (lo, hi)
        assert row.size == hi - lo + 1
        assert row.center(x) == (lo + hi) / 2
        # neighbouring units are `stride` apart
        nxt = reached_indices(chain[:depth], x + 1)
        assert min(nxt) - lo == row.stride


@settings(max_examples=40, deadline=None)
@given(chain=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(0, 1)),
                      min_size=1, max_size=3),
       width=st.integers(12, 30))
def test_clipped_field_matches_the_impulse_response(chain, width):
    chain = [(k, s, p, 1) for k, s, p in chain]
    sizes = [width]
    for k, s, p, d in chain:
        span = sizes[-1] + 2 * p - k
        if span < 0 or span % s:
            return  # not a valid geometry for this width; other examples cover the rest
        sizes.append(span // s + 1)
    row = receptive_field([LayerDims("conv", k, 1, s, p) for k, s, p, _ in chain],
                          input_size=width)[-1]
    for x in {0, sizes[-1] - 1}:
        nonzero = impulse_response(chain, width, x)
        u, v = row.span(x)
        clipped = set(range(max(u, 0), min(v, width - 1) + 1))
        # the field, cut at the image border, holds every input the unit depends on ...
        assert set(nonzero.tolist()) <= clipped
        if all(p == 0 for _, _, p, _ in chain) and clipped:
            # ... and without padding its ends are reached (with padding a unit may read
            # only zeros, e.g. a 1x1 filter at stride 2 on a padded border)
            assert nonzero.min() == min(clipped) and nonzero.max() == max(clipped)


# ------------------------------------------------------------ a whole net
def test_receptive_field_of_the_shapes_net_matches_the_recurrence_by_hand():
    """pool3 of the shipped shapes net sees 22 pixels: r grows by (k - 1) * (product of
    the strides below), walked here over the recipe's layer dicts, not the library's dims."""
    from cs231n_lib.recipes import shapes_convnet

    net = shapes_convnet.build()
    r, jump, expected = 1, 1, {}
    for name, spec in shapes_convnet.LAYERS:
        if spec["kind"] == "conv":
            k, s = spec["filter_size"], spec.get("stride", 1)
        elif spec["kind"] == "pool":
            k = spec["size"]
            s = spec.get("stride") or k
        elif spec["kind"] == "relu":
            k, s = 1, 1
        else:
            break  # the classifier sees the whole image
        r += (k - 1) * jump
        jump *= s
        expected[name] = (r, jump)
    rows = {row.name: row for row in receptive_field(net)}
    assert expected["pool3"] == (22, 8)
    for name, (size, stride) in expected.items():
        assert (rows[name].size, rows[name].stride) == (size, stride), name
    # the net's own layers, passed one by one, are read the same way (not as 1x1 defaults)
    convs = [net.layers[n] for n in net.names if net.layers[n].kind in ("conv", "pool", "relu")]
    assert receptive_field(convs)[-1].size == 22


def test_objects_without_geometry_are_refused_not_read_as_1x1():
    class Conv:
        kind = "conv"
        filter_size = 5

    with pytest.raises(ValueError, match="A layer must be a LayerDims"):
        receptive_field([Conv()])
    with pytest.raises(ValueError, match="sequence of layers or a net"):
        receptive_field(42)


def test_spec_layers_read_their_fields_through_layer_dims():
    spec = specs.parse("INPUT(32x32x3) -> CONV5-16(S=1, P=2) -> POOL2 -> FC-10")
    conv = spec.layers[0]
    assert isinstance(conv.dims, LayerDims)
    assert (conv.kind, conv.F, conv.K, conv.S, conv.P, conv.dilation) == ("conv", 5, 16, 1, 2, 1)
    assert [r.size for r in spec.receptive_field()][:2] == [5, 6]
