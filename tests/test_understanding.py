"""understanding: the occlusion map against a one-position-at-a-time loop."""
import numpy as np
import pytest

from cs231n_lib import understanding
from cs231n_lib.recipes import shapes_convnet


def _loop_occlusion(net, x, label, size, stride, fill):
    """One forward pass per position, written without the library's batching."""
    C, H, W = x.shape
    rows, cols = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            img = x.copy()
            img[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            scores = net.loss(img[None]).astype(np.float64)[0]
            p = np.exp(scores - scores.max())
            out[i, j] = p[label] / p.sum()
    return out


@pytest.mark.parametrize("size, stride, fill, batch_size", [(8, 4, 0.5, 256), (5, 3, 0.0, 7), (32, 1, 1.0, 3)])
def test_occlusion_map_equals_the_loop(size, stride, fill, batch_size):
    net = shapes_convnet.build(seed=1)
    x = np.random.default_rng(0).random((3, 32, 32)).astype(np.float32)
    got = understanding.occlusion_map(net, x, 3, size=size, stride=stride, fill=fill, batch_size=batch_size)
    want = _loop_occlusion(net, x, 3, size, stride, fill)
    assert got.shape == want.shape == ((32 - size) // stride + 1,) * 2
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_per_channel_fill_and_errors():
    net = shapes_convnet.build(seed=1)
    x = np.zeros((3, 32, 32), dtype=np.float32)
    got = understanding.occlusion_map(net, x, 0, size=16, stride=16, fill=[1.0, 0.0, 0.0])
    assert got.shape == (2, 2)
    with pytest.raises(ValueError, match="2 values but the image has 3 channels"):
        understanding.occlusion_map(net, x, 0, fill=[1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        understanding.occlusion_map(net, x[None], 0)
    with pytest.raises(ValueError, match="not a class"):
        understanding.occlusion_map(net, x, 10)
    with pytest.raises(ValueError, match="not an integer"):
        understanding.occlusion_map(net, x, 0, size=8, stride=5)
