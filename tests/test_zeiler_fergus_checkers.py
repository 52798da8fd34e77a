"""The right and wrong answers to the exercises of notebook 10 (Zeiler and Fergus measured), written by
hand the way students write them, and the test only these exercises need (the exercise text states
every convention its checker enforces).  tests/test_checkers.py adds EXERCISES to its own table and
runs the tests every checker must pass on it: the untouched stub is "not implemented yet", right
answers written differently pass, each typical mistake gets its own diagnosis once, a crash names the
line of the student's code, and every checker of the package is in the table.
"""
import itertools
import json
import pathlib

import numpy as np
import pytest

from cs231n_lib import exercises as E
from giveaways_lib import shifted

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = "10_zeiler_fergus.ipynb"


# ------------------------------------------------------------------ normalized_distances
def distances_loops(F0, F1):
    N = len(F0)
    pairs = [np.sqrt(np.sum((F0[i] - F0[j]) ** 2)) for i in range(N) for j in range(i + 1, N)]
    scale = sum(pairs) / len(pairs)
    return [float(np.sqrt(np.sum((a - b) ** 2))) / scale for a, b in zip(F1, F0)]


def distances_scipy(F0, F1):
    from scipy.spatial.distance import pdist

    return np.linalg.norm(F1 - F0, axis=1) / pdist(F0).mean()


def distances_gram(F0, F1):
    F0 = F0.astype(np.float32)
    sq = (F0 ** 2).sum(axis=1)
    d2 = np.clip(sq[:, None] + sq[None, :] - 2 * F0 @ F0.T, 0, None)
    iu = np.triu_indices(len(F0), 1)
    return (np.linalg.norm(F1 - F0, axis=1) / np.sqrt(d2[iu]).mean()).astype(np.float32)


def distances_combinations(F0, F1):
    scale = np.mean([np.linalg.norm(a - b) for a, b in itertools.combinations(F0, 2)])
    return tuple(np.linalg.norm(F1 - F0, axis=1) / scale)


def distances_with(raw=False, squared=False, diagonal=False, by_norm=False, own=False, from_f1=False, mean=False):
    def normalized_distances(F0, F1):
        diff = F1 - F0
        d = (diff ** 2).sum(axis=1) if squared else np.linalg.norm(diff, axis=1)
        ref = F1 if from_f1 else F0
        allpairs = np.linalg.norm(ref[:, None] - ref[None], axis=2)
        if squared:
            allpairs = allpairs ** 2
        if raw:
            out = d
        elif by_norm:
            out = d / np.linalg.norm(ref, axis=1).mean()
        elif own:
            out = d / np.linalg.norm(F0, axis=1)
        elif diagonal:
            out = d / allpairs.mean()
        else:
            out = d / allpairs[np.triu_indices(len(ref), 1)].mean()
        return out.mean() if mean else out
    return normalized_distances


# ------------------------------------------------------------------ top_k_overlap
def overlap_sets(Ra, Rb, k):
    out = []
    for c in range(Ra.shape[1]):
        a = set(np.argsort(-Ra[:, c])[:k])
        b = set(np.argsort(-Rb[:, c])[:k])
        out.append(len(a & b) / k)
    return out


def overlap_partition(Ra, Rb, k):
    A = np.argpartition(-Ra, k - 1, axis=0)[:k]
    B = np.argpartition(-Rb, k - 1, axis=0)[:k]
    return np.array([np.intersect1d(A[:, c], B[:, c]).size for c in range(Ra.shape[1])]) / k


def overlap_last_k(Ra, Rb, k):
    A, B = np.argsort(Ra, axis=0)[-k:], np.argsort(Rb, axis=0)[-k:]
    return np.float32([np.isin(A[:, c], B[:, c]).mean() for c in range(Ra.shape[1])])


def overlap_masks(Ra, Rb, k):
    """Membership masks: the images at or above each column's k-th largest value."""
    ta = np.sort(Ra, axis=0)[-k]
    tb = np.sort(Rb, axis=0)[-k]
    return ((Ra >= ta) & (Rb >= tb)).sum(axis=0) / k


def overlap_with(bottom=False, ranks=False, jaccard=False, count=False, transposed=False, by_n=False):
    def top_k_overlap(Ra, Rb, k):
        if transposed:
            Ra, Rb = Ra.T, Rb.T
        A = np.argsort(Ra if bottom else -Ra, axis=0)[:k]
        B = np.argsort(Rb if bottom else -Rb, axis=0)[:k]
        out = []
        for c in range(Ra.shape[1]):
            if ranks:
                common = np.sum(A[:, c] == B[:, c])
            else:
                common = len(set(A[:, c]) & set(B[:, c]))
            if jaccard:
                out.append(common / len(set(A[:, c]) | set(B[:, c])))
            elif count:
                out.append(common)
            elif by_n:
                out.append(common / Ra.shape[0])
            else:
                out.append(common / k)
        return np.array(out)
    return top_k_overlap


# ------------------------------------------------------------------ aliased_share
def share_fft(w, stride, size=32):
    P = (np.abs(np.fft.fft2(w, s=(size, size))) ** 2).sum(axis=0)
    f = np.abs(np.fft.fftfreq(size))
    return P[np.maximum.outer(f, f) > 1 / (2 * stride)].sum() / P.sum()


def share_loops(w, stride, size=32):
    """The defining sum of the transform, frequency by frequency (slow, plain)."""
    C, h, wd = w.shape
    total = above = 0.0
    for ky in range(size):
        for kx in range(size):
            fy, fx = min(ky, size - ky) / size, min(kx, size - kx) / size
            e = 0.0
            for c in range(C):
                z = sum(w[c, m, n] * np.exp(-2j * np.pi * (ky * m + kx * n) / size)
                        for m in range(h) for n in range(wd))
                e += abs(z) ** 2
            total += e
            if max(fy, fx) > 1 / (2 * stride):
                above += e
    return above / total


def share_padded_float32(w, stride, size=32):
    padded = np.zeros((w.shape[0], size, size), dtype=np.float32)
    padded[:, :w.shape[1], :w.shape[2]] = w
    F = np.fft.fftshift(np.fft.fft2(padded), axes=(1, 2))
    P = (F.real ** 2 + F.imag ** 2).sum(axis=0)
    f = np.abs(np.fft.fftshift(np.fft.fftfreq(size)))
    keep = (f[:, None] <= 0.5 / stride) & (f[None, :] <= 0.5 / stride)
    return np.array([1 - P[keep].sum() / P.sum()])


def share_with(one_over_s=False, radial=False, amplitude=False, no_pad=False, first=False, below=False,
               inclusive=False):
    def aliased_share(w, stride, size=32):
        if first:
            w = w[:1]
        n = w.shape[-1] if no_pad else size
        F = np.fft.fft2(w, s=(n, n))
        P = (np.abs(F) if amplitude else np.abs(F) ** 2).sum(axis=0)
        f = np.abs(np.fft.fftfreq(n))
        band = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2) if radial else np.maximum(f[:, None], f[None, :])
        cut = 1 / stride if one_over_s else 1 / (2 * stride)
        mask = band >= cut if inclusive else band > cut
        share = P[mask].sum() / P.sum()
        return 1 - share if below else share
    return aliased_share


EXERCISES = {
    "normalized_distances": dict(
        checker=E.check_normalized_distances,
        solution=dict(text=["||F1[i] - F0[i]|| / (mean of ||F0[i] - F0[j]||", "np.linalg.norm(F1 - F0, axis=1) /",
                            "pdist(F0).mean()"],
                      unmatched=shifted(distances_scipy, 0.1)),
        right=[distances_loops, distances_scipy, distances_gram, distances_combinations],
        wrong=[
            (distances_with(raw=True), "without it the layers do not compare"),
            (distances_with(squared=True), "square root of the sum of squared differences"),
            (distances_with(diagonal=True), "pairs of an image with itself"),
            (distances_with(by_norm=True), "not by the length of a feature vector"),
            (distances_with(own=True), "not each image's own length"),
            (distances_with(from_f1=True), "not from the transformed ones"),
            (distances_with(mean=True), "Return one distance per image"),
        ]),
    "top_k_overlap": dict(
        checker=E.check_top_k_overlap,
        solution=dict(text=["len(A & B) / k", "argsort(-", "Sort by -responses"],
                      unmatched=shifted(overlap_sets, 0.01)),
        right=[overlap_sets, overlap_partition, overlap_last_k, overlap_masks],
        wrong=[
            (overlap_with(bottom=True), "*weakest* images"),
            (overlap_with(ranks=True), "not the two rankings position by position"),
            (overlap_with(jaccard=True), "Jaccard index"),
            (overlap_with(count=True), "not their count"),
            (overlap_with(transposed=True), "largest entries of its *column*"),
            (overlap_with(by_n=True), "not of all N"),
        ]),
    "aliased_share": dict(
        checker=E.check_aliased_share,
        solution=dict(text=["max(fy, fx) > 1 / (2 * stride)", "share of P where",
                            "P = |np.fft.fft2(w, s=(size, size))|**2 summed"],
                      unmatched=shifted(share_fft, 0.01)),
        right=[share_fft, share_loops, share_padded_float32],
        wrong=[
            (share_with(one_over_s=True), "not 1 / S"),
            (share_with(radial=True), "not a disc"),
            (share_with(amplitude=True), "not the magnitude"),
            (share_with(no_pad=True), "too coarse a grid"),
            (share_with(first=True), "not only the first"),
            (share_with(below=True), "the part the stride keeps"),
            (share_with(inclusive=True), "Strictly above the cutoff"),
        ]),
}


# ------------------------------------------------------------------ the exercise text states the conventions
def exercise_text(function):
    """The markdown cell just before the code cell whose stub defines ``function``."""
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(f"def {function}("):
            text = next("".join(cells[j]["source"]) for j in range(k - 1, -1, -1)
                        if cells[j]["cell_type"] == "markdown")
            return " ".join(text.split())
    raise AssertionError(f"no exercise defines {function} in {NOTEBOOK}")


CONVENTIONS = [
    ("normalized_distances", ["(N, D)", "i < j", "one number per image", "Euclidean"]),
    ("top_k_overlap", ["(N, C)", "column", "any order", "between 0 and 1", "divided by k"]),
    ("aliased_share", ["zero-padded", "squared magnitude", "summed over the channels", "max(|fx|, |fy|)",
                       "strictly above", "1 / (2 * stride)", "one number"]),
]


@pytest.mark.parametrize("function, phrases", CONVENTIONS, ids=[c[0] for c in CONVENTIONS])
def test_the_exercise_text_states_the_checkers_conventions(function, phrases):
    text = exercise_text(function)
    missing = [p for p in phrases if p not in text]
    assert not missing, f"the text of {function} does not say {missing}:\n{text}"
