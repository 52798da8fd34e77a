"""Figures: titles and labelled axes, and the drawings show the right geometry."""
import numpy as np
import pytest

from cs231n_lib import vis


def assert_labelled(fig):
    for ax in fig.axes:
        assert ax.get_title(), "every axes needs a title"
        assert ax.get_xlabel() or ax.get_ylabel() or ax.yaxis.get_major_locator() is not None


def test_1d_figure_computes_the_outputs_it_shows():
    x, w = [2, 1, -1, 3, 0], [1, 0, -1]
    fig = vis.conv_1d_figure(W=5, F=3, S=1, P=1, x=x, w=w, b=0.5)
    assert_labelled(fig)
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.texts]
    # 7 padded inputs, then 5 outputs; outputs by an independent route: numpy correlate
    expected = np.correlate(np.pad(x, 1), w, mode="valid") + 0.5
    assert shown[:7] == ["0", "2", "1", "-1", "3", "0", "0"]
    assert [float(t) for t in shown[7:]] == expected.tolist()
    assert ax.get_xlabel() and "output size 5" in ax.get_title()


def test_1d_figure_stride_and_dilation_connections():
    fig = vis.conv_1d_figure(W=7, F=3, S=2, P=0, dilation=2)
    lines = fig.axes[0].collections[0]  # one segment per (output, tap)
    segments = lines.get_segments()
    assert len(segments) == 2 * 3  # (7 - 5)/2 + 1 = 2 outputs, 3 taps each
    taps = sorted({round(float(s[0][0])) for s in segments})
    assert taps == [0, 2, 4, 6]


def test_receptive_field_figure_marks_the_right_pixels():
    fig = vis.receptive_fields_figure(W=7, F=3, S=2, P=1)
    assert_labelled(fig)
    ax_in, ax_out = fig.axes
    assert ax_out.get_title() == "output 4x4"
    # the first highlighted output (0, 0) reads rows/cols -1..1 of the input
    first = ax_in.collections[1].get_offsets()[:9] if len(ax_in.collections) > 1 else None
    points = np.concatenate([c.get_offsets() for c in ax_in.collections if hasattr(c, "get_offsets")
                             and len(c.get_offsets()) == 9])
    assert points.shape[1] == 2 and first is not None
    assert sorted({round(v) for v in points[:9, 0]}) == [-1, 0, 1]


def test_invalid_geometry_raises_the_arithmetic_error():
    with pytest.raises(ValueError, match="4.5"):
        vis.conv_1d_figure(W=10, F=3, S=2)
    with pytest.raises(ValueError, match="4.5"):
        vis.receptive_fields_figure(W=10, F=3, S=2)


def test_non_square_input():
    fig = vis.receptive_fields_figure(W=(5, 9), F=3, S=2, P=0)
    assert fig.axes[1].get_title() == "output 2x4"
