"""Paired comparisons over seeds: the mean difference, how many seeds it holds on, an exact test.

When two settings were run with the same seeds (the same data split, the same initial
weights), compare them seed by seed: the differences ``d_i = a_i - b_i`` cancel what the seed
does to both. :func:`paired` returns the mean difference, on how many seeds ``a`` came out
ahead, and the p-value of an exact sign-flip permutation test (two-sided): under "no
difference" every ``d_i`` is as likely to be ``+|d_i|`` as ``-|d_i|``, so all ``2**n`` sign
patterns are enumerated and ``p`` is the fraction whose mean is at least as far from 0 as the
observed one. It needs nothing but numpy and assumes no distribution.

With ``n`` seeds the smallest possible p is ``2 / 2**n``: 0.25 with 3 seeds, 0.0625 with 5,
0.0039 with 9. Three seeds can therefore never show a difference at the 5% level, however
large it is: the verdict then says so instead of calling it a tie.

    >>> r = paired([0.98, 0.99, 0.97, 0.985, 0.99], [0.97, 0.975, 0.96, 0.98, 0.97], ("batch norm", "none"))
    >>> r.verdict()
    'batch norm beats none on 5 of 5 seeds by 0.0120 on average (exact sign-flip p = 0.062, the smallest p 5 seeds allow): 5 seeds cannot show a difference at the 5% level (the smallest p is 0.062)'
    >>> paired([0.98, 0.99, 0.97, 0.985, 0.99], [0.97, 0.975, 0.96, 0.98, 0.97], alternative="greater").p
    0.03125

This module imports nothing of ours (see the design notes).
"""
import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["Paired", "paired", "sign_flip_p", "smallest_p"]

_MAX_EXACT = 20  # 2**20 sign patterns; beyond that the seeds are sampled


def smallest_p(n, alternative="two-sided"):
    """The smallest p an exact sign-flip test can give with ``n`` seeds: ``2 / 2**n`` (``1 / 2**n`` one-sided)."""
    return min(1.0, (2.0 if alternative == "two-sided" else 1.0) / 2 ** int(n))


def sign_flip_p(differences, alternative="two-sided"):
    """Exact sign-flip permutation p-value of the mean of paired differences.

    differences : sequence of n numbers (``a_i - b_i``).
    alternative : "two-sided" (is the mean different from 0?) or "greater" (is it above 0?,
        a direction fixed before looking, e.g. the one a paper predicts).
    Returns a float in (0, 1]; 1.0 for two-sided when every difference is 0.
    """
    if alternative not in ("two-sided", "greater"):
        raise ValueError(f"alternative must be 'two-sided' or 'greater', got {alternative!r}")
    d = np.asarray(differences, dtype=np.float64).ravel()
    if d.size == 0:
        raise ValueError("sign_flip_p needs at least one paired difference, got none")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"sign_flip_p got a difference that is not a finite number: {d.tolist()}")
    if d.size > _MAX_EXACT:
        raise ValueError(f"sign_flip_p enumerates 2**n sign patterns; n = {d.size} is more than {_MAX_EXACT}")
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
    if alternative == "two-sided":
        observed, means = abs(d.mean()), np.abs(signs @ d) / d.size
    else:
        observed, means = d.mean(), signs @ d / d.size
    # a tolerance of a few ulps, so that patterns equal to the observed mean count as "as extreme"
    return float(np.mean(means >= observed - 1e-12 * max(1.0, observed)))


@dataclass(frozen=True)
class Paired:
    """The result of :func:`paired`; ``verdict()`` is the sentence a notebook prints."""

    names: tuple          # (name of a, name of b)
    differences: tuple    # a_i - b_i, seed by seed
    mean: float           # mean difference
    std: float            # standard deviation of the differences (ddof=1; 0.0 for one seed)
    wins: int             # seeds on which a is ahead (by more than `tie`)
    losses: int           # seeds on which b is ahead
    ties: int             # seeds within `tie` of each other
    p: float              # exact two-sided sign-flip p-value
    alpha: float
    higher_is_better: bool
    alternative: str      # "two-sided", or "greater": a is predicted to be better

    @property
    def n(self):
        return len(self.differences)

    @property
    def significant(self):
        return self.p <= self.alpha

    @property
    def better(self):
        """The name of the better setting when the difference is significant, else None."""
        if not self.significant or self.mean == 0:
            return None
        a_ahead = (self.mean > 0) == self.higher_is_better
        return self.names[0] if a_ahead else self.names[1]

    def verdict(self, digits=4):
        """One sentence: who is ahead on how many seeds, by how much, the p-value, and what it allows."""
        a, b = self.names
        size = abs(self.mean)
        if self.wins == self.losses == 0:
            head = f"{a} and {b} are equal on all {self.n} seeds"
        else:
            # the side that is better on average leads the sentence; the seed count follows it
            a_leads = (self.mean > 0) == self.higher_is_better if self.mean != 0 else self.wins >= self.losses
            first, second, ahead = (a, b, self.wins) if a_leads else (b, a, self.losses)
            if 2 * ahead > self.n:
                head = f"{first} beats {second} on {ahead} of {self.n} seeds by {size:.{digits}f} on average"
            else:
                head = (f"{first} is ahead of {second} by {size:.{digits}f} on average but on only {ahead} "
                        f"of {self.n} seeds")
        floor = smallest_p(self.n, self.alternative)
        p_text = f"exact sign-flip p = {self.p:.2g}" + (", one-sided" if self.alternative != "two-sided" else "")
        if abs(self.p - floor) < 1e-12 and self.n > 1:
            p_text += f", the smallest p {self.n} seeds allow"
        level = f"{self.alpha:.0%}"
        if self.significant:
            tail = f"significant at the {level} level"
        elif floor > self.alpha:
            tail = f"{self.n} seeds cannot show a difference at the {level} level (the smallest p is {floor:.2g})"
        else:
            tail = f"not significant at the {level} level"
        return f"{head} ({p_text}): {tail}"

    def __str__(self):
        return self.verdict()


def paired(a, b, names=("a", "b"), higher_is_better=True, alpha=0.05, tie=0.0, alternative="two-sided"):
    """Compare two settings run on the same seeds, seed by seed.

    a, b : sequences of n numbers, ``a[i]`` and ``b[i]`` from the same seed i.
    names : (name of a, name of b), used in the verdict.
    higher_is_better : True for accuracies, False for errors and losses; it decides the
        direction of "beats" (``wins`` counts seeds where a is better).
    alpha : the significance level the verdict reports against.
    tie : differences with ``|d_i| <= tie`` count as ties (the p-value uses them as they are).
    alternative : "two-sided" (default), or "greater" when the direction was fixed before the
        runs (a predicted to be better than b, e.g. the rule the notes state): one-sided p.

    Returns a :class:`Paired`.
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired comparison needs the same seeds on both sides: got {a.size} and {b.size} "
                         "values; pass a[i] and b[i] from the same seed i")
    d = a - b
    better = d if higher_is_better else -d
    p = sign_flip_p(better, alternative)
    return Paired(
        names=tuple(names),
        differences=tuple(float(x) for x in d),
        mean=float(d.mean()),
        std=float(d.std(ddof=1)) if d.size > 1 else 0.0,
        wins=int(np.sum(better > tie)),
        losses=int(np.sum(better < -tie)),
        ties=int(np.sum(np.abs(d) <= tie)),
        p=p,
        alpha=float(alpha),
        higher_is_better=bool(higher_is_better),
        alternative=alternative,
    )
