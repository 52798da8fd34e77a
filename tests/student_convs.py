"""Conv layers written the way CS231n students write them: right ones, and broken ones
with one deliberate mistake each (fixtures for tests/test_check.py).

``forward(mistake)`` and ``backward(mistake)`` return a CS231n-API function with that
mistake; ``mistake=None`` is the right answer.  The loops follow the assignment's
usual shape (n, f, i, j), independent of cs231n_lib.
"""
import numpy as np


def forward(mistake=None):
    def conv_forward_naive(x, w, b, conv_param):
        stride, pad = conv_param["stride"], conv_param["pad"]
        N, C, H, W = x.shape
        F, _, HH, WW = w.shape
        if mistake == "padding missing":
            xp = x
        elif mistake == "padding after":
            xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad)))
        elif mistake == "padding once":
            xp = np.pad(x, ((0, 0), (0, 0), (0, pad), (0, pad)))
        else:
            xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        if mistake in ("padding missing", "padding once"):
            H_out = (xp.shape[2] - HH) // stride + 1
            W_out = (xp.shape[3] - WW) // stride + 1
        elif mistake == "stride ignored in the size":
            H_out, W_out = H - HH + 2 * pad + 1, W - WW + 2 * pad + 1
        elif mistake == "filter height for both axes":
            H_out, W_out = (H - HH + 2 * pad) // stride + 1, (W - HH + 2 * pad) // stride + 1
        else:
            H_out, W_out = (H - HH + 2 * pad) // stride + 1, (W - WW + 2 * pad) // stride + 1
        out = np.zeros((N, F, H_out, W_out), dtype=int if mistake == "integer output" else float)
        kernel = w[:, :, ::-1, ::-1] if mistake == "kernel flipped" else w
        if mistake == "filter transposed":
            kernel = w.transpose(0, 1, 3, 2)
        for n in range(N):
            for f in range(F):
                for i in range(H_out):
                    for j in range(W_out):
                        top, left = (i, j) if mistake == "stride ignored in the window" else (i * stride, j * stride)
                        if mistake == "filter height for both axes":
                            window = xp[n, :, top:top + HH, left:left + HH]
                            out[n, f, i, j] = np.sum(window * kernel[f, :, :, :HH])
                        elif mistake == "first channel only":
                            out[n, f, i, j] = np.sum(xp[n, 0, top:top + HH, left:left + WW] * kernel[f, 0])
                        elif mistake == "bias per channel":
                            for c in range(C):
                                out[n, f, i, j] += np.sum(xp[n, c, top:top + HH, left:left + WW] * kernel[f, c]) + b[f]
                            continue
                        else:
                            out[n, f, i, j] = np.sum(xp[n, :, top:top + HH, left:left + WW] * kernel[f])
                        if mistake != "bias missing":
                            out[n, f, i, j] += b[f]
                        if mistake == "bias twice":
                            out[n, f, i, j] += b[f]
        if mistake == "filters first":
            out = out.transpose(1, 0, 2, 3)
        if mistake == "changes x":
            x.fill(0.0)   # e.g. a scratch computation that reuses x
        cache = (x, w, b, conv_param)
        if mistake == "returns out only":
            return out
        if mistake == "crashes with several filters" and F > 1:
            return out, cache[F]   # an IndexError, as a real bug would give
        return out, cache

    return conv_forward_naive


def forward_vectorised(x, w, b, conv_param):
    """A right answer written differently: windows by sliding_window_view, one einsum."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    HH, WW = w.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("ncijab,fcab->nfij", windows, w) + b[None, :, None, None]
    return out, {"x": x, "w": w, "b": b, "conv_param": conv_param}   # a cache of its own making


def backward(mistake=None):
    def conv_backward_naive(dout, cache):
        x, w, b, conv_param = cache
        stride, pad = conv_param["stride"], conv_param["pad"]
        N, C, H, W = x.shape
        F, _, HH, WW = w.shape
        _, _, H_out, W_out = dout.shape
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        dx_pad = np.zeros_like(xp)
        dw = np.zeros_like(w)
        kernel = w[:, :, ::-1, ::-1] if mistake == "dx with flipped filter" else w
        for n in range(N):
            for f in range(F):
                for i in range(H_out):
                    for j in range(W_out):
                        top, left = (i, j) if mistake == "dx stride ignored" else (i * stride, j * stride)
                        g = dout[n, f, i, j]
                        if mistake == "dx overwritten":
                            dx_pad[n, :, top:top + HH, left:left + WW] = g * kernel[f]
                        else:
                            dx_pad[n, :, top:top + HH, left:left + WW] += g * kernel[f]
                        if mistake == "dw first image only" and n > 0:
                            continue
                        dw[f] += g * xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
        if mistake == "dw averaged":
            dw /= N
        if mistake == "dw flipped":
            dw = dw[:, :, ::-1, ::-1]
        db = dout.sum(axis=(0, 2, 3))
        if mistake == "db over the wrong axes":
            db = dout.sum(axis=(1, 2, 3))
        if mistake == "db averaged":
            db = dout.mean(axis=(0, 2, 3))
        if mistake == "db one number":
            db = dout.sum()
        if mistake == "dx not cropped":
            dx = dx_pad
        elif mistake == "dx cropped from the corner":
            dx = dx_pad[:, :, :H, :W]
        else:
            dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
        if mistake == "two gradients":
            return dx, dw
        return dx, dw, db

    return conv_backward_naive


def backward_for_vectorised(dout, cache):
    """The backward pass that reads forward_vectorised's own cache (a dict)."""
    return backward()(dout, (cache["x"], cache["w"], cache["b"], cache["conv_param"]))


FORWARD_MISTAKES = {
    # mistake: words of the one finding it must get
    "kernel flipped": "kernel flipped",
    "bias missing": "bias missing",
    "bias twice": "bias added twice",
    "bias per channel": "bias added once per channel",
    "padding missing": "padding missing",
    "padding after": "all 2*pad zeros after the image",
    "padding once": "the padded image is H + 2*pad high",
    "stride ignored in the window": "stride ignored in the window position",
    # the windows run off the padded image: the crash is reported at the first strided setting
    "stride ignored in the size": "(first in the setting 'stride'",
    "first channel only": "reads channel 0 only",
    "filter height for both axes": "filter height used for the width too",
    "filter transposed": "filter rows and columns swapped",
    "filters first": "axes 0 and 1 swapped",
    "returns out only": "return the pair (out, cache)",
    "changes x": "changed its input x in place",
    "crashes with several filters": "IndexError",
    "integer output": "out holds whole numbers only",
}

BACKWARD_MISTAKES = {
    "dx not cropped": "dx still has the padding",
    "dx cropped from the corner": "dx cut from the wrong corner",
    "dx with flipped filter": "dx computed with the filter flipped",
    "dx stride ignored": "stride ignored in dx",
    "dx overwritten": "add (+=) into dx_pad instead of assigning (=)",
    "dw averaged": "dw averaged over the batch",
    "dw first image only": "dw from the first image only",
    "dw flipped": "dw flipped in space",
    "db over the wrong axes": "db summed over the wrong axes",
    "db averaged": "db averaged",
    "db one number": "db is one number",
    "two gradients": "return the three gradients",
}
