"""Notebook 10 (Zeiler and Fergus measured): a layer's normalized feature distance, the overlap of two
checkpoints' top-k images, the share of a filter's energy a stride cannot sample.

Each checker compares the student's answers with models of the typical mistakes and names the one
that explains them; right answers written differently (loops, other formulas, lists, float32) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import _allclose, _as_float_array, _explain_wrong, _Findings, _number, _run, _shown, attempt

__all__ = ["check_normalized_distances", "check_top_k_overlap", "check_aliased_share"]


# ------------------------------------------------------------------ normalized feature distances
def _distances(F0, F1, squared=False, normalize="pairs", self_pairs=False, scale_from=None, per_image=False,
               mean_only=False):
    """The right answer and, with the switches, the typical mistakes."""
    import numpy as np

    F0, F1 = np.asarray(F0, dtype=np.float64), np.asarray(F1, dtype=np.float64)
    diff = np.sum((F1 - F0) ** 2, axis=1)
    d = diff if squared else np.sqrt(diff)
    ref = F0 if scale_from is None else np.asarray(scale_from, dtype=np.float64)
    N = len(ref)
    pair = np.sum((ref[:, None, :] - ref[None, :, :]) ** 2, axis=2)
    pair = pair if squared else np.sqrt(pair)
    if normalize == "pairs":
        scale = pair.sum() / (N * N) if self_pairs else pair[np.triu_indices(N, 1)].mean()
    elif normalize == "norm":
        scale = np.linalg.norm(ref, axis=1).mean()
    else:
        scale = 1.0
    out = d / (np.linalg.norm(F0, axis=1) if per_image else scale)
    return float(out.mean()) if mean_only else out


def check_normalized_distances(normalized_distances: Callable):
    """Check ``normalized_distances(F0, F1)``: for feature vectors ``F0`` (N, D) of N images and ``F1``
    (N, D) of the same images transformed, the Euclidean distance ``||F1[i] - F0[i]||`` of each image,
    divided by the mean distance ``||F0[i] - F0[j]||`` over the N (N - 1) / 2 pairs of two different
    untransformed images.  Returns (N,) numbers (any float type, a list will do).
    """
    import numpy as np

    rng = np.random.default_rng(10)
    cases = []
    for N, D in ((4, 3), (6, 5), (5, 8), (7, 2)):
        F0 = rng.random((N, D)) * rng.uniform(1, 5)
        cases.append((F0, F0 + rng.normal(0, 0.4, (N, D))))
    mistakes = [
        ("Divide each distance by the mean distance between two different untransformed images: without it "
         "the layers do not compare.", dict(normalize="none")),
        ("The Euclidean distance is the square root of the sum of squared differences (np.linalg.norm), for the "
         "images' distances and for the pairs' mean alike.", dict(squared=True)),
        ("Leave out the pairs of an image with itself (their distance is 0): average over the N (N - 1) / 2 "
         "pairs i < j.", dict(self_pairs=True)),
        ("Divide by the mean distance between two images, not by the length of a feature vector.",
         dict(normalize="norm")),
        ("One scale for every image (the mean distance of two images), not each image's own length.",
         dict(per_image=True)),
        ("The scale comes from the untransformed images F0, not from the transformed ones.",
         "from_F1"),
        ("Return one distance per image, (N,), not their mean.", dict(mean_only=True)),
    ]

    def model(i, how):
        F0, F1 = cases[i]
        if how == "from_F1":
            return _distances(F0, F1, scale_from=F1)
        return _distances(F0, F1, **how)

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (F0, F1) in enumerate(cases):
            want = _distances(F0, F1)
            truths.append(want)
            call = f"normalized_distances(F0, F1) with F0, F1 of shape {F0.shape}"
            got, err = attempt(normalized_distances, F0.copy(), F1.copy())
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            arr = _as_float_array(got)
            if arr is None:
                found.add("Return the distances as numbers: an array of shape (N,).", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = arr.reshape(-1) if arr.size == len(F0) else arr
            if not (arr.size == want.size and _allclose(arr.reshape(-1), want)):
                wrong.append((i, f"{call} returned {_shown(np.round(arr, 3).tolist())}"))
        models = [(why, lambda i, how=how: model(i, how)) for why, how in mistakes]

        def same(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return a.size == b.size and _allclose(a.reshape(-1), b.reshape(-1))

        _explain_wrong(found, wrong, answers, truths, models, same,
                       "These distances match none of the usual mistakes: work out N = 3 images in D = 1 by "
                       "hand (F0 = [[0], [1], [3]], F1 = F0 + 1) and compare with your function on them.")
        return found

    return _run("normalized_distances(F0, F1)", body)


# ------------------------------------------------------------------ the overlap of two top-k sets
def _overlap(Ra, Rb, k, bottom=False, ranks=False, jaccard=False, count=False, per_image=False, by_n=False):
    import numpy as np

    Ra, Rb = np.asarray(Ra, dtype=float), np.asarray(Rb, dtype=float)
    if per_image:
        Ra, Rb = Ra.T, Rb.T
    sign = 1.0 if bottom else -1.0
    A = np.argsort(sign * Ra, axis=0, kind="stable")[:k].T
    B = np.argsort(sign * Rb, axis=0, kind="stable")[:k].T
    out = []
    for a, b in zip(A, B):
        if ranks:
            common = float(np.sum(a == b))
        else:
            common = float(len(set(a.tolist()) & set(b.tolist())))
        if jaccard:
            out.append(common / len(set(a.tolist()) | set(b.tolist())))
        elif count:
            out.append(common)
        elif by_n:
            out.append(common / Ra.shape[0])
        else:
            out.append(common / k)
    return np.array(out)


def check_top_k_overlap(top_k_overlap: Callable):
    """Check ``top_k_overlap(responses_a, responses_b, k)``: the responses (N, C) of C units to N images at
    two checkpoints; for each unit, the share of its k strongest images (the k largest responses in
    its column) that both checkpoints have in common, in any order.  Returns (C,) numbers in [0, 1].
    """
    import numpy as np

    rng = np.random.default_rng(11)
    cases = []
    for N, C, k in ((12, 3, 4), (20, 5, 6), (15, 4, 3), (30, 2, 10)):
        Ra = rng.random((N, C))
        Rb = np.where(rng.random((N, C)) < 0.5, Ra + rng.normal(0, 0.05, (N, C)), rng.random((N, C)))
        cases.append((Ra, Rb, k))
    mistakes = [
        ("np.argsort sorts from the smallest up: its first k are the k *weakest* images.", dict(bottom=True)),
        ("Compare the two sets, not the two rankings position by position: an image that moved from first to "
         "second is still in both top-k sets.", dict(ranks=True)),
        ("Divide the images in common by k, not by the size of the union (that is the Jaccard index).",
         dict(jaccard=True)),
        ("Return the share of the k images in common (a number in [0, 1]), not their count.", dict(count=True)),
        ("One value per unit: the top-k images of a unit are the largest entries of its *column* (axis 0).",
         dict(per_image=True)),
        ("The share of the k images, not of all N: divide by k.", dict(by_n=True)),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (Ra, Rb, k) in enumerate(cases):
            want = _overlap(Ra, Rb, k)
            truths.append(want)
            call = f"top_k_overlap(responses_a, responses_b, k={k}) with responses of shape {Ra.shape}"
            got, err = attempt(top_k_overlap, Ra.copy(), Rb.copy(), k)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            arr = _as_float_array(got)
            if arr is None:
                found.add("Return the shares as numbers: an array of shape (C,).", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = arr
            if not (arr.shape == want.shape and _allclose(arr, want)):
                wrong.append((i, f"{call} returned {_shown(np.round(arr, 3).tolist())}"))
        models = [(why, lambda i, how=how: _overlap(*cases[i], **how)) for why, how in mistakes]

        def same(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return a.shape == b.shape and _allclose(a, b)

        _explain_wrong(found, wrong, answers, truths, models, same,
                       "These shares match none of the usual mistakes: work out one unit with 4 images and k = 2 "
                       "by hand (responses [0.9, 0.1, 0.5, 0.3] and [0.2, 0.8, 0.6, 0.1]) and compare with your "
                       "function on them.")
        return found

    return _run("top_k_overlap(responses_a, responses_b, k)", body)


# ------------------------------------------------------------------ what a stride cannot sample
def _share(w, stride, size=32, cutoff=None, radial=False, amplitude=False, no_pad=False, first_channel=False,
           below=False, inclusive=False):
    import numpy as np

    w = np.asarray(w, dtype=np.float64)
    if first_channel:
        w = w[:1]
    n = w.shape[-1] if no_pad else size
    F = np.fft.fft2(w, s=(n, n), axes=(1, 2))
    power = np.abs(F) if amplitude else np.abs(F) ** 2
    power = power.sum(axis=0)
    f = np.abs(np.fft.fftfreq(n))
    band = np.hypot(f[:, None], f[None, :]) if radial else np.maximum(f[:, None], f[None, :])
    c = 1.0 / (2 * stride) if cutoff is None else cutoff
    above = band >= c - 1e-12 if inclusive else band > c + 1e-12
    share = power[above].sum() / power.sum()
    return float(1 - share if below else share)


def check_aliased_share(aliased_share: Callable):
    """Check ``aliased_share(w, stride, size=32)``: the share of the energy of one filter ``w`` (C, h, w)
    above the Nyquist frequency of ``stride``, 1 / (2 * stride) cycles per pixel: the filter zero-padded
    to ``size`` x ``size``, its 2-D Fourier transform's squared magnitude summed over the channels, and
    the part where max(|fx|, |fy|) is strictly above the cutoff, over the total.  Returns one number.
    """
    import numpy as np

    rng = np.random.default_rng(12)
    cases = [(rng.standard_normal((3, 8, 8)), 4), (rng.standard_normal((3, 6, 6)), 2),
             (np.cumsum(rng.standard_normal((3, 7, 7)), axis=2), 2), (rng.standard_normal((1, 5, 5)), 4),
             (rng.standard_normal((3, 4, 4)) + 1.0, 3)]
    mistakes = [
        ("The Nyquist frequency of a grid of spacing S is 1 / (2 S) cycles per pixel, not 1 / S.",
         dict(cutoff="one_over_s")),
        ("A stride samples rows and columns each on its own grid: the band it keeps is a square, "
         "max(|fx|, |fy|) <= 1 / (2 S), not a disc.", dict(radial=True)),
        ("Energy is the squared magnitude of the Fourier transform (np.abs(F) ** 2), not the magnitude.",
         dict(amplitude=True)),
        ("Zero-pad the filter to size x size before the transform (np.fft.fft2(w, s=(size, size))): the filter's "
         "own few frequencies are too coarse a grid.", dict(no_pad=True)),
        ("Sum the power over all the channels of the filter, not only the first.", dict(first_channel=True)),
        ("That is the share below the cutoff, the part the stride keeps: return the share above it.",
         dict(below=True)),
        ("Strictly above the cutoff: a frequency exactly at 1 / (2 S) is still sampled.", dict(inclusive=True)),
    ]

    def model(i, how):
        w, stride = cases[i]
        if how.get("cutoff") == "one_over_s":
            return _share(w, stride, cutoff=1.0 / stride)
        return _share(w, stride, **how)

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (w, stride) in enumerate(cases):
            want = _share(w, stride)
            truths.append(want)
            call = f"aliased_share(w of shape {w.shape}, stride={stride})"
            got, err = attempt(aliased_share, w.copy(), stride)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            x = _number(got)
            if x is None:
                found.add("Return one number: the share of the energy above the cutoff.",
                          f"{call} returned {_shown(got)}")
                continue
            answers[-1] = x
            if abs(x - want) > 1e-5:        # a float32 transform is right too
                wrong.append((i, f"{call} = {x:.4f}"))
        models = [(why, lambda i, how=how: model(i, how)) for why, how in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: abs(float(a) - float(b)) <= 1e-5,
                       "This share matches none of the usual mistakes: try a 1x1 filter, whose energy is spread "
                       "evenly over the frequencies, with stride 2 and size 4 by hand (which of the 16 frequency "
                       "pairs lie above the cutoff?), and compare with your function on it.")
        return found

    return _run("aliased_share(w, stride, size=32)", body)
