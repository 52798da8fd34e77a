"""Checkers for the notebooks' exercises.

A checker takes the student's function, calls it on a set of cases, and
returns a :class:`Feedback` whose text the notebook displays.  It never
raises: an untouched stub (one that raises ``NotImplementedError`` or returns
``None``) gets a friendly "not implemented yet", and a wrong answer gets an
explanation of the likely mistake (off by one, padding on one side only, ...).

Every checker follows the same shape, so a new notebook adds a section with
its own checkers built from :func:`attempt` and :class:`Feedback`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List

__all__ = [
    "Feedback",
    "attempt",
    "check_output_size",
    "check_valid_strides",
    "check_param_count",
]

NOT_IMPLEMENTED = "not implemented"


@dataclass
class Feedback:
    """The outcome of a checker: ``status`` is 'passed', 'failed' or 'not implemented'.

    Displaying it (its ``repr``) shows the message, so a checker can be the
    last line of a notebook cell.
    """

    exercise: str
    status: str
    details: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def message(self) -> str:
        head = {
            "passed": f"[passed] {self.exercise}: well done, every case is right.",
            "failed": f"[not yet] {self.exercise}:",
            NOT_IMPLEMENTED: (
                f"[to do] {self.exercise}: not implemented yet. Replace the "
                "`raise NotImplementedError` with your code and run this cell again."
            ),
        }[self.status]
        return "\n".join([head] + [f"  - {d}" for d in self.details])

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


class _NotImplemented(Exception):
    pass


def attempt(func: Callable, *args, **kwargs):
    """Call a student's function; return ``(value, error_text)``.

    Raises ``_NotImplemented`` (caught by the checkers) for an untouched stub:
    one that raises NotImplementedError, or returns None.  Any other
    exception is returned as text so the checker can explain it.
    """
    try:
        value = func(*args, **kwargs)
    except NotImplementedError:
        raise _NotImplemented from None
    except Exception as err:  # the student's code may raise anything
        return None, f"{type(err).__name__}: {err}"
    if value is None:
        raise _NotImplemented
    return value, None


def _run(exercise: str, body: Callable[[], List[str]]) -> Feedback:
    try:
        problems = body()
    except _NotImplemented:
        return Feedback(exercise, NOT_IMPLEMENTED)
    return Feedback(exercise, "failed" if problems else "passed", problems)


# ----------------------------------------------------- notebook 01: arithmetic
def _true_output(W, F, S, P):
    span = W - F + 2 * P
    return span / S + 1


_SIZE_CASES = [
    # (W, F, S, P)
    (7, 3, 1, 0), (7, 3, 2, 0), (5, 3, 1, 1), (227, 11, 4, 0),
    (32, 5, 1, 2), (224, 3, 1, 1), (11, 5, 2, 0), (10, 4, 2, 1), (9, 3, 3, 0),
]
_INVALID_CASES = [(10, 3, 2, 0), (8, 3, 2, 0), (6, 4, 3, 1)]


def _diagnose_size(W, F, S, P, got):
    """Name the likely mistake behind a wrong output size."""
    want = _true_output(W, F, S, P)
    guesses = [
        ((W - F + 2 * P) / S, "you forgot the + 1: the first filter position also counts"),
        ((W - F + P) / S + 1, "padding goes on both sides: use 2*P, not P"),
        ((W - F) / S + 1, "you forgot the zero-padding P"),
        ((W - F + 2 * P) + 1, "you forgot to divide by the stride S"),
        ((W + F + 2 * P) / S + 1, "subtract the filter size F, do not add it"),
        ((W - F + 2 * P) // S + 1 + 1, "off by one: count the filter positions 0, S, 2S, ..."),
    ]
    for guess, why in guesses:
        if guess != want and _close(got, guess):
            return why
    return f"expected {want:g}"


def _close(a, b):
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


def check_output_size(output_size: Callable) -> Feedback:
    """Check ``output_size(W, F, S, P)``: the output width of a conv layer.

    It must return the integer ``(W - F + 2P)/S + 1`` for valid settings and
    raise ``ValueError`` when that is not an integer.
    """
    def body():
        problems = []
        for W, F, S, P in _SIZE_CASES:
            got, err = attempt(output_size, W, F, S, P)
            want = int(_true_output(W, F, S, P))
            if err:
                problems.append(f"output_size({W}, {F}, {S}, {P}) raised {err}; expected {want}")
            elif not _close(got, want):
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) returned {got!r}: "
                    f"{_diagnose_size(W, F, S, P, got)} (expected {want})"
                )
            elif not isinstance(got, int):
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) returned {got!r} of type "
                    f"{type(got).__name__}; return an int such as {want} (use // once you know it divides)"
                )
        for W, F, S, P in _INVALID_CASES:
            try:
                got = output_size(W, F, S, P)
            except ValueError:
                continue
            except NotImplementedError:
                raise _NotImplemented from None
            except Exception as err:
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) raised {type(err).__name__}; raise ValueError instead"
                )
                continue
            problems.append(
                f"output_size({W}, {F}, {S}, {P}) returned {got!r}, but "
                f"({W} - {F} + 2*{P})/{S} + 1 = {_true_output(W, F, S, P):g} is not an integer: "
                "raise ValueError instead of rounding"
            )
        return problems

    return _run("output_size(W, F, S, P)", body)


def check_valid_strides(valid_strides: Callable) -> Feedback:
    """Check ``valid_strides(W, F, P)``: every stride S >= 1 that gives an integer output."""
    cases = [(10, 3, 0), (7, 3, 0), (32, 5, 2), (227, 11, 0), (5, 5, 0), (13, 3, 1)]

    def body():
        problems = []
        for W, F, P in cases:
            span = W - F + 2 * P
            want = [s for s in range(1, span + 1) if span % s == 0] if span else [1]
            got, err = attempt(valid_strides, W, F, P)
            if err:
                problems.append(f"valid_strides({W}, {F}, {P}) raised {err}; expected {want}")
                continue
            try:
                got_list = sorted(int(s) for s in got)
            except (TypeError, ValueError):
                problems.append(f"valid_strides({W}, {F}, {P}) returned {got!r}; return a list of ints")
                continue
            if got_list == want:
                continue
            missing = sorted(set(want) - set(got_list))
            extra = sorted(set(got_list) - set(want))
            why = []
            if missing:
                why.append(f"missing {missing}")
                if span in missing:
                    why.append(
                        f"a stride as large as W - F + 2P = {span} is valid too (it gives output 2)"
                    )
            if extra:
                why.append(f"{extra} do not divide W - F + 2P = {span}")
                if 0 in extra:
                    why.append("stride 0 never moves the filter")
            if P and sorted(
                s for s in range(1, W - F + 1) if (W - F) % s == 0
            ) == got_list:
                why.append("you forgot the padding 2P")
            problems.append(
                f"valid_strides({W}, {F}, {P}) returned {got_list}, expected {want}: " + "; ".join(why)
            )
        return problems

    return _run("valid_strides(W, F, P)", body)


def check_param_count(param_count: Callable) -> Feedback:
    """Check ``param_count(F, D_in, K)``: weights plus biases of a conv layer with sharing."""
    cases = [(11, 3, 96), (5, 3, 10), (3, 20, 1), (3, 64, 64), (1, 512, 128), (7, 3, 64)]

    def body():
        problems = []
        for F, D, K in cases:
            want = F * F * D * K + K
            got, err = attempt(param_count, F, D, K)
            if err:
                problems.append(f"param_count({F}, {D}, {K}) raised {err}; expected {want}")
            elif _close(got, want):
                continue
            elif _close(got, F * F * D * K):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: add the {K} biases, one per filter")
            elif _close(got, F * F * K + K):
                problems.append(
                    f"param_count({F}, {D}, {K}) = {got}: each filter extends through the full "
                    f"input depth D_in = {D}"
                )
            elif _close(got, F * F * D * K + F * F * D):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: there is one bias per filter (K), not per weight")
            elif _close(got, F * D * K + K):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: a filter is F x F spatially, so F*F")
            else:
                problems.append(f"param_count({F}, {D}, {K}) = {got!r}, expected {want}")
        return problems

    return _run("param_count(F, D_in, K)", body)


# ------------------------------------------------- notebook 04: architectures
__all__ += ["check_receptive_field_size", "check_fc_as_conv", "check_score_grid"]


def _rf_truth(layers):
    """Receptive field of a stack of (F, S) layers, by following index ranges."""
    lo, hi = 0, 0  # the input pixels one top unit reaches, walking down the stack
    for F, S in reversed(layers):
        lo, hi = lo * S, hi * S + F - 1
    return hi - lo + 1


def check_receptive_field_size(receptive_field_size: Callable) -> Feedback:
    """Check ``receptive_field_size(layers)``: the receptive field (in input pixels)
    of one unit on top of a stack of layers given as ``[(F, S), ...]``, input first."""
    cases = [
        [(3, 1)], [(3, 1)] * 2, [(3, 1)] * 3, [(7, 1)], [(2, 2)], [(3, 1), (2, 2)],
        [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)], [(11, 4), (3, 2), (5, 1)],
        [(3, 2), (3, 2), (3, 2)], [(1, 1)],
    ]

    def body():
        problems = []
        for layers in cases:
            want = _rf_truth(layers)
            got, err = attempt(receptive_field_size, list(layers))
            if err:
                problems.append(f"receptive_field_size({layers}) raised {err}; expected {want}")
                continue
            if _close(got, want):
                continue
            no_stride = 1 + sum(F - 1 for F, _ in layers)
            with_own_stride, jump = 1, 1
            for F, S in layers:
                jump *= S
                with_own_stride += (F - 1) * jump
            why = f"expected {want}"
            if _close(got, no_stride) and no_stride != want:
                why = ("each layer adds (F - 1) times the product of the strides of the layers "
                       f"*below* it, not just F - 1 (you get {no_stride})")
            elif _close(got, with_own_stride) and with_own_stride != want:
                why = ("a layer's own stride does not widen its own field: multiply by the "
                       "strides of the layers below it only")
            elif _close(got, want - 1):
                why = "off by one: a single pixel has a field of 1, so start from r = 1"
            elif _close(got, sum(F for F, _ in layers)):
                why = "fields overlap: the layers add F - 1 each, not F"
            problems.append(f"receptive_field_size({layers}) = {got!r}: {why}")
        return problems

    return _run("receptive_field_size(layers)", body)


def check_fc_as_conv(fc_as_conv: Callable) -> Feedback:
    """Check ``fc_as_conv(w, C, H, W)``: affine weights ``w`` of shape (C*H*W, M) rearranged
    into conv filters of shape (M, C, H, W), so that the conv on the volume equals the FC layer."""
    import numpy as np

    rng = np.random.default_rng(4)
    cases = [(2, 3, 4, 5), (1, 2, 2, 3), (3, 1, 1, 2), (4, 2, 3, 1)]

    def body():
        problems = []
        for C, H, W, M in cases:
            w = rng.standard_normal((C * H * W, M))
            want = np.stack([w[:, m].reshape(C, H, W) for m in range(M)])
            got, err = attempt(fc_as_conv, w.copy(), C, H, W)
            if err:
                problems.append(f"fc_as_conv(w {w.shape}, C={C}, H={H}, W={W}) raised {err}")
                continue
            got = np.asarray(got)
            if got.shape != want.shape:
                problems.append(
                    f"for C={C}, H={H}, W={W}, M={M} the filters have shape {got.shape}; "
                    f"conv filters are (M, C, H, W) = {want.shape}")
                continue
            if np.array_equal(got, want):
                continue
            why = "some weights are in the wrong place"
            if got.size == w.size and np.array_equal(got.ravel(), w.ravel()):
                why = ("w is (D, M): reshaping it directly mixes filters; transpose it first "
                       "(w.T) so that each row is one filter")
            elif np.array_equal(got, w.T.reshape(M, H, W, C).transpose(0, 3, 1, 2)) \
                    and (H, W) != (1, 1):
                why = ("x.reshape(N, -1) of an NCHW volume puts the channel first: read each "
                       "column as (C, H, W), not (H, W, C)")
            problems.append(f"for C={C}, H={H}, W={W}, M={M}: {why}")
        return problems

    return _run("fc_as_conv(w, C, H, W)", body)


def check_score_grid(score_grid: Callable) -> Feedback:
    """Check ``score_grid(image_size, net_input, total_stride)``: how many class-score vectors
    per axis a converted net gives on a larger image."""
    cases = [(384, 224, 32, 6), (224, 224, 32, 1), (256, 224, 32, 2), (22, 10, 4, 4),
             (18, 10, 4, 3), (416, 224, 16, 13)]

    def body():
        problems = []
        for image, net, stride, want in cases:
            got, err = attempt(score_grid, image, net, stride)
            if err:
                problems.append(f"score_grid({image}, {net}, {stride}) raised {err}; expected {want}")
            elif _close(got, want):
                continue
            elif _close(got, want - 1):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: you forgot the + 1 "
                                "(the crop at offset 0 counts too)")
            elif _close(got, image / stride):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: {image}/{stride} is the "
                                "size of the last conv volume, not the number of crops; the "
                                "converted FC filter is itself several positions wide")
            elif _close(got, (image - net) / stride):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: add 1 for the first crop")
            else:
                problems.append(f"score_grid({image}, {net}, {stride}) = {got!r}, expected {want}")
        return problems

    return _run("score_grid(image_size, net_input, total_stride)", body)


# ---- notebook 03: pooling ----
__all__ += ["check_max_pool_2x2", "check_max_pool_window_backward", "check_avg_pool_weights"]


def _as_float_array(value):
    import numpy as np

    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _blocks_2x2(x):
    """(H/2, W/2, 4): the four numbers of every 2x2 block, row by row."""
    H, W = x.shape
    return x.reshape(H // 2, 2, W // 2, 2).transpose(0, 2, 1, 3).reshape(H // 2, W // 2, 4)


def check_max_pool_2x2(max_pool_2x2: Callable) -> Feedback:
    """Check ``max_pool_2x2(x)``: 2x2 max pooling at stride 2 of one (H, W) depth slice."""
    import numpy as np

    rng = np.random.default_rng(30)
    cases = [np.array([[1., 1., 2., 4.], [5., 6., 7., 8.], [3., 2., 1., 0.], [1., 2., 3., 4.]]),
             rng.standard_normal((6, 8)), rng.standard_normal((2, 2)), -rng.random((4, 10))]

    def body():
        problems = []
        for x in cases:
            blocks = _blocks_2x2(x)
            want = blocks.max(axis=-1)
            got, err = attempt(max_pool_2x2, x.copy())
            shape = f"a {x.shape[0]}x{x.shape[1]} input"
            if err:
                problems.append(f"on {shape} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None:
                problems.append(f"on {shape} it returned something that is not an array of numbers")
                continue
            if got.shape != want.shape:
                why = f"expected shape {want.shape}: (W - 2)/2 + 1 = W/2 along each axis"
                if got.shape == (x.shape[0] - 1, x.shape[1] - 1):
                    why += "; you slid the window one pixel at a time (stride 1), use stride 2"
                elif got.shape == want.shape[::-1]:
                    why += "; rows and columns are swapped"
                problems.append(f"on {shape} it returned shape {got.shape}: {why}")
                continue
            if np.allclose(got, want):
                continue
            guesses = [
                (blocks.mean(axis=-1), "that is the average of each window; take the maximum"),
                (blocks[..., 0], "that is the top-left number of each window (plain subsampling); take the maximum of all four"),
                (blocks.min(axis=-1), "that is the minimum of each window"),
                (np.abs(blocks).max(axis=-1), "that is the largest absolute value; negative numbers stay negative"),
                (np.sqrt((blocks ** 2).sum(axis=-1)), "that is L2-norm pooling; take the maximum"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       f"expected {np.round(want, 3).tolist()}" if want.size <= 8 else "the values differ")
            problems.append(f"on {shape} the values are wrong: {why}")
        return problems

    return _run("max_pool_2x2(x)", body)


def check_max_pool_window_backward(window_backward: Callable) -> Feedback:
    """Check ``window_backward(window, dout)``: the gradient of ``max(window)`` times ``dout``.

    The whole of ``dout`` goes to the maximum; with ties, to the first
    maximum in row-by-row order (as in the library); every other entry gets 0.
    """
    import numpy as np

    cases = [
        (np.array([[1., 3.], [2., 0.]]), 5.0),
        (np.array([[0.5, -1.0, 2.0], [4.0, 0.0, 1.0], [3.0, 3.5, -2.0]]), -2.0),
        (np.array([[-3., -1.], [-2., -4.]]), 1.5),
        (np.array([[7., 1.], [2., 7.]]), 2.0),  # a tie
    ]

    def body():
        problems = []
        for window, dout in cases:
            k = int(np.argmax(window))
            want = np.zeros_like(window)
            want.flat[k] = dout
            got, err = attempt(window_backward, window.copy(), dout)
            label = f"window {window.tolist()}, dout={dout:g}"
            if err:
                problems.append(f"{label}: raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != window.shape:
                problems.append(f"{label}: return an array shaped like the window {window.shape}")
                continue
            if np.allclose(got, want):
                continue
            ties = window == window.max()
            guesses = [
                (np.full_like(window, dout / window.size),
                 "you spread dout evenly: that is average pooling's gradient; max passes it only to the maximum"),
                (np.full_like(window, dout), "every entry got dout; only the maximum should"),
                (np.where(ties, dout, 0.0),
                 "with a tie you gave dout to every maximum, so the gradient counts twice; give it to the first one only"),
                (np.where(ties, dout / ties.sum(), 0.0),
                 "you split dout among the tied maxima; the library gives all of it to the first one, row by row"),
                (np.where(window == window.min(), dout, 0.0), "you routed dout to the minimum"),
                (np.where(ties, 1.0, 0.0), "the switch is right, but multiply by dout (the chain rule)"),
                (want * window.max(), "multiply dout by 1, not by the maximum value"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       f"expected {want.tolist()}")
            problems.append(f"{label}: got {got.tolist()}: {why}")
        return problems

    return _run("window_backward(window, dout)", body)


def check_avg_pool_weights(avg_pool_weights: Callable) -> Feedback:
    """Check ``avg_pool_weights(C, F)``: conv weights of shape (C, C, F, F) that, used with
    stride F, no padding and zero bias, compute F x F average pooling of every channel."""
    import numpy as np

    cases = [(1, 2), (3, 2), (2, 3), (4, 1)]
    rng = np.random.default_rng(31)

    def body():
        problems = []
        for C, F in cases:
            want = np.zeros((C, C, F, F))
            for c in range(C):
                want[c, c] = 1.0 / (F * F)
            got, err = attempt(avg_pool_weights, C, F)
            label = f"avg_pool_weights(C={C}, F={F})"
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != (C, C, F, F):
                shape = None if got is None else got.shape
                problems.append(
                    f"{label} returned shape {shape}; a conv layer's weights are (F_out, C_in, HH, WW) "
                    f"= ({C}, {C}, {F}, {F}): one filter per output channel, each {C} deep")
                continue
            # Behaviour: a stride-F convolution with these weights vs average pooling.
            x = rng.standard_normal((2, C, 2 * F, 3 * F))
            blocks = x.reshape(2, C, 2, F, 3, F)
            pooled = blocks.mean(axis=(3, 5))
            conv = np.einsum("nciajb,dcab->ndij", blocks, got)
            if np.allclose(conv, pooled):
                continue
            guesses = [
                (np.full((C, C, F, F), 1.0 / (F * F)),
                 "every filter reads every channel, so each output adds up the averages of all channels; "
                 "filter c must be 1/F^2 on channel c and 0 on the others"),
                (want * F * F, "the weights sum to F*F: that is sum pooling; divide by F*F"),
                (want * F, "dividing by F averages along one axis only; a window has F*F numbers"),
                (want / C, "divide by F*F only; the channels are kept apart, not averaged"),
                (np.full((C, C, F, F), 1.0 / (C * F * F)), "that averages over the channels too; keep them apart"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       "the convolution does not match average pooling")
            problems.append(f"{label}: {why}")
        return problems

    return _run("avg_pool_weights(C, F)", body)


# ====================================================================
# ---- notebook 02: the conv layer and im2col ----
# ====================================================================
__all__ += ["check_conv2d_single", "check_im2col_size", "check_conv1d_backward"]


def _reference_conv2d(x, w, b, stride, pad):
    """One image, one filter, cross-correlation: written independently of cs231n_lib.layers."""
    import numpy as np

    xp = np.pad(x, pad)
    HH, WW = w.shape
    H_out = (xp.shape[0] - HH) // stride + 1
    W_out = (xp.shape[1] - WW) // stride + 1
    out = np.empty((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[i, j] = np.sum(xp[i * stride:i * stride + HH, j * stride:j * stride + WW] * w) + b
    return out


def check_conv2d_single(conv2d: Callable) -> Feedback:
    """Check ``conv2d(x, w, b, stride, pad)``: one (H, W) image, one (HH, WW) filter, a scalar bias.

    It must return the (H_out, W_out) cross-correlation of the zero-padded
    image with the filter, plus the bias.
    """
    import numpy as np

    rng = np.random.default_rng(231)
    cases = [
        (rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), 0.5, 1, 0),
        (rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), -1.0, 1, 1),
        (rng.standard_normal((7, 7)), rng.standard_normal((3, 3)), 0.25, 2, 0),
        (rng.standard_normal((6, 8)), rng.standard_normal((2, 4)), 2.0, 2, 1),
    ]

    def body():
        problems = []
        for x, w, b, s, p in cases:
            want = _reference_conv2d(x, w, b, s, p)
            label = f"conv2d(x {x.shape}, w {w.shape}, b={b}, stride={s}, pad={p})"
            got, err = attempt(conv2d, x.copy(), w.copy(), b, s, p)
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                shape = None if got is None else got.shape
                why = f"expected shape {want.shape}, got {shape}"
                if got is not None and p and got.shape == _reference_conv2d(x, w, b, s, 0).shape:
                    why += ": did you forget the zero padding?"
                elif got is not None and s > 1 and got.shape == _reference_conv2d(x, w, b, 1, p).shape:
                    why += ": did you forget to step by the stride?"
                elif got is not None and got.shape == want.shape[::-1]:
                    why += ": rows and columns are swapped"
                problems.append(f"{label}: {why}")
                continue
            if np.allclose(got, want):
                continue
            if np.allclose(got, _reference_conv2d(x, w[::-1, ::-1], b, s, p)):
                why = ("you flipped the filter (that is the textbook 'convolution'); conv layers "
                       "compute cross-correlation: multiply x[i*S + a, j*S + c] by w[a, c]")
            elif np.allclose(got, want - b):
                why = "you forgot to add the bias b"
            elif np.allclose(got + b, want - b) or np.allclose(got, want + b * (w.size - 1)):
                why = "add the bias once per output, not once per filter tap"
            else:
                why = f"expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}"
            problems.append(f"{label}: {why}")
        return problems

    return _run("conv2d(x, w, b, stride, pad)", body)


def check_im2col_size(im2col_size: Callable) -> Feedback:
    """Check ``im2col_size(C, H, W, F, S, P)``: the (rows, columns) of X_col for one image."""
    cases = [(3, 227, 227, 11, 4, 0), (3, 32, 32, 5, 1, 2), (64, 56, 56, 3, 1, 1),
             (1, 5, 5, 3, 1, 0), (16, 28, 20, 5, 1, 0)]

    def body():
        problems = []
        for C, H, W, F, S, P in cases:
            Ho, Wo = (H - F + 2 * P) // S + 1, (W - F + 2 * P) // S + 1
            want = (F * F * C, Ho * Wo)
            label = f"im2col_size(C={C}, H={H}, W={W}, F={F}, S={S}, P={P})"
            got, err = attempt(im2col_size, C, H, W, F, S, P)
            if err:
                problems.append(f"{label} raised {err}; expected {want}")
                continue
            try:
                got = tuple(int(v) for v in got)
            except (TypeError, ValueError):
                problems.append(f"{label} returned {got!r}; return a pair (rows, columns)")
                continue
            if got == want:
                continue
            if got == want[::-1]:
                why = "rows and columns are swapped: a column holds one window (F*F*C values)"
            elif len(got) == 2 and got[0] == F * F and want[0] != F * F:
                why = f"a window goes through all C = {C} channels: F*F*C rows"
            elif len(got) == 2 and got[1] == H * W and want[1] != H * W:
                why = "there is one column per output position, (H_out * W_out), not per input pixel"
            elif len(got) == 2 and got[1] == Ho:
                why = "the windows form an H_out x W_out grid: multiply the two"
            else:
                why = f"expected {want}"
            problems.append(f"{label} returned {got}: {why}")
        return problems

    return _run("im2col_size(C, H, W, F, S, P)", body)


def check_conv1d_backward(conv1d_backward: Callable) -> Feedback:
    """Check ``conv1d_backward(dout, w)``: dx of ``y[i] = sum_k w[k] * x[i + k]`` (no padding, stride 1)."""
    import numpy as np

    rng = np.random.default_rng(7)
    cases = [(rng.standard_normal(6), rng.standard_normal(3)),
             (np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])),
             (rng.standard_normal(4), rng.standard_normal(5))]

    def body():
        problems = []
        for dout, w in cases:
            want = np.zeros(len(dout) + len(w) - 1)
            for i in range(len(dout)):          # y[i] used x[i + k] with weight w[k]
                for k in range(len(w)):
                    want[i + k] += dout[i] * w[k]
            label = f"conv1d_backward(dout of length {len(dout)}, w of length {len(w)})"
            got, err = attempt(conv1d_backward, dout.copy(), w.copy())
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                shape = None if got is None else got.shape
                problems.append(
                    f"{label}: expected a gradient of length {len(want)} (the length of x = "
                    f"len(dout) + len(w) - 1), got shape {shape}: use a 'full' convolution"
                )
                continue
            if np.allclose(got, want):
                continue
            if np.allclose(got, np.correlate(dout, w, "full") if len(dout) >= len(w)
                           else np.correlate(w, dout, "full")[::-1]):
                why = "the filter must be flipped: dx is a convolution of dout with w, not a correlation"
            else:
                why = f"expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}"
            problems.append(f"{label}: {why}")
        return problems

    return _run("conv1d_backward(dout, w)", body)


# ------------------------------------------------ notebook 05: training a ConvNet
def check_initial_loss(initial_loss: Callable) -> Feedback:
    """Check ``initial_loss(C)``: the softmax loss of an untrained net on C classes, ln(C)."""
    import math

    cases = [2, 3, 10, 100, 1000]

    def body():
        problems = []
        for C in cases:
            want = math.log(C)
            got, err = attempt(initial_loss, C)
            if err:
                problems.append(f"initial_loss({C}) raised {err}; expected {want:.4f}")
                continue
            try:
                value = float(got)
            except (TypeError, ValueError):
                problems.append(f"initial_loss({C}) returned {got!r}; return a number")
                continue
            if abs(value - want) < 1e-6:
                continue
            guesses = [
                (1 / C, "that is the probability of each class, 1/C; the loss is -ln(1/C)"),
                (-math.log(C), "mind the sign: the loss is -ln(1/C) = +ln(C), a positive number"),
                (math.log10(C), "numpy's and the loss's log is the natural log (np.log), not log10"),
                (math.log2(C), "the loss uses the natural log (np.log), not log2"),
                (1 - 1 / C, "that is the error rate of guessing; the loss is -ln(1/C)"),
            ]
            why = next((w for g, w in guesses if abs(value - g) < 1e-6), f"expected ln({C}) = {want:.4f}")
            problems.append(f"initial_loss({C}) returned {value:.4f}: {why}")
        return problems

    return _run("initial_loss(C)", body)


def check_momentum_step(momentum_step: Callable) -> Feedback:
    """Check ``momentum_step(w, dw, v, learning_rate, momentum) -> (next_w, next_v)``.

    The rule: ``v = momentum * v - learning_rate * dw``, then ``w + v``.
    """
    import numpy as np

    rng = np.random.default_rng(5)
    cases = [(rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4), 0.1, 0.9),
             (np.ones(3), np.full(3, 2.0), np.zeros(3), 0.5, 0.5),
             (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), 1e-2, 0.99)]

    def body():
        problems = []
        for w, dw, v, lr, mu in cases:
            want_v = mu * v - lr * dw
            want_w = w + want_v
            got, err = attempt(momentum_step, w.copy(), dw.copy(), v.copy(), lr, mu)
            if err:
                problems.append(f"momentum_step raised {err}")
                continue
            try:
                next_w, next_v = (np.asarray(a, dtype=float) for a in got)
            except (TypeError, ValueError):
                problems.append(f"momentum_step returned {type(got).__name__}; return the pair (next_w, next_v)")
                continue
            if next_w.shape != w.shape or next_v.shape != v.shape:
                problems.append(f"shapes: got next_w {next_w.shape}, next_v {next_v.shape}; expected {w.shape} for both")
                continue
            if np.allclose(next_w, want_w) and np.allclose(next_v, want_v):
                continue
            if np.allclose(next_w, w - lr * dw):
                why = "next_w is a plain SGD step: add the new velocity to w instead"
            elif np.allclose(next_w, w + v):
                why = "you moved w with the old velocity: update v first, then w + v"
            elif np.allclose(next_v, mu * v + lr * dw):
                why = "the gradient points uphill: subtract learning_rate * dw"
            elif np.allclose(next_v, v - lr * dw):
                why = "the old velocity must decay: multiply it by momentum"
            else:
                why = f"expected next_v = {mu}*v - {lr}*dw and next_w = w + next_v"
            problems.append(f"with learning_rate={lr}, momentum={mu}: {why}")
            break
        return problems

    return _run("momentum_step(w, dw, v, learning_rate, momentum)", body)


def check_accuracy(accuracy: Callable) -> Feedback:
    """Check ``accuracy(scores, y)``: the fraction of rows whose highest score is the label."""
    import numpy as np

    rng = np.random.default_rng(7)
    scores = rng.standard_normal((8, 4))
    y = np.argmax(scores, axis=1)
    y[[1, 4, 6]] = (y[[1, 4, 6]] + 1) % 4
    square = rng.standard_normal((4, 4))
    y_square = np.array([0, 1, 2, 3])

    def body():
        problems = []
        for s, labels in ((scores, y), (square, y_square)):
            want = float(np.mean(np.argmax(s, axis=1) == labels))
            got, err = attempt(accuracy, s.copy(), labels.copy())
            if err:
                problems.append(f"accuracy raised {err}")
                continue
            try:
                value = float(got)
            except (TypeError, ValueError):
                problems.append(f"accuracy returned {got!r}; return one number between 0 and 1")
                continue
            if abs(value - want) < 1e-9:
                continue
            if abs(value - want * len(labels)) < 1e-9:
                why = "that is the number of correct rows; divide by the number of rows"
            elif s.shape[0] == s.shape[1] and abs(value - float(np.mean(np.argmax(s, axis=0) == labels))) < 1e-9:
                why = "take the argmax along each row (axis=1): one prediction per example"
            elif abs(value - (1 - want)) < 1e-9:
                why = "that is the error rate; accuracy counts the correct rows"
            else:
                why = f"expected {want:.3f}"
            problems.append(f"accuracy on {s.shape[0]} examples returned {value:.3f}: {why}")
        return problems

    return _run("accuracy(scores, y)", body)
