"""cs231n_lib.stats: paired comparisons over seeds, checked against scipy's permutation test."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from cs231n_lib import stats


def scipy_p(a, b, alternative):
    res = sps.permutation_test((np.asarray(a, float), np.asarray(b, float)),
                               lambda x, y, axis: np.mean(x - y, axis=axis), vectorized=True,
                               permutation_type="samples", alternative=alternative, n_resamples=np.inf)
    return float(res.pvalue)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=2, max_size=9),
       st.sampled_from(["two-sided", "greater"]))
def test_the_exact_p_value_is_scipys_exact_permutation_test(pairs, alternative):
    # eighths, not tenths: their sums are exact in floating point, so a resampled mean that
    # equals the observed one is equal to the bit and scipy counts it as "as extreme" too
    # (with tenths, 0.9 + 1.0 - 1.9 is not 0 to the bit and scipy misses the tie; see below)
    a = [x / 8 for x, _ in pairs]
    b = [y / 8 for _, y in pairs]
    if np.allclose(a, b):
        return
    ours = stats.paired(a, b, alternative=alternative).p
    assert ours == pytest.approx(scipy_p(a, b, alternative), abs=1e-12)


def test_patterns_tied_with_the_observed_mean_count_as_extreme_in_decimal_numbers():
    # differences 0.9, 1.0, -1.9 (and five zeros): the eight sign patterns of the three non-zero
    # ones have sums 0, 0, +-1.8, +-2.0, +-3.8; the observed sum is 0, so five of eight patterns
    # are at least as large and five at least as small: p = 2 * 5/8, capped at 1
    a = [0, 0, 0, 0, 0, 0, 0, 0.4]
    b = [0, 0, 0, 0, 0, -0.9, -1.0, 2.3]
    assert stats.paired(a, b).p == 1.0
    assert stats.paired(a, b, alternative="greater").p == pytest.approx(5 / 8)


def test_the_smallest_p_of_n_seeds():
    for n in (1, 3, 5, 9):
        d = np.arange(1, n + 1, dtype=float)       # every seed the same way
        assert stats.sign_flip_p(d) == pytest.approx(2 / 2 ** n if n > 1 else 1.0)
        assert stats.smallest_p(n) == pytest.approx(min(1.0, 2 / 2 ** n))
        assert stats.sign_flip_p(d, "greater") == pytest.approx(1 / 2 ** n)
    assert stats.smallest_p(3) == 0.25 and stats.smallest_p(5) == 0.0625


def test_counts_mean_and_spread():
    r = stats.paired([0.9, 0.8, 0.7, 0.6], [0.8, 0.9, 0.7, 0.5], ("a", "b"))
    assert r.differences == pytest.approx((0.1, -0.1, 0.0, 0.1))
    assert (r.wins, r.losses, r.ties, r.n) == (2, 1, 1, 4)
    assert r.mean == pytest.approx(0.025)
    assert r.std == pytest.approx(np.std([0.1, -0.1, 0.0, 0.1], ddof=1))
    low = stats.paired([0.1, 0.2, 0.3], [0.2, 0.3, 0.4], ("a", "b"), higher_is_better=False)
    assert (low.wins, low.losses) == (3, 0)          # lower errors win
    tied = stats.paired([1.0, 2.0], [1.004, 1.995], tie=0.01)
    assert (tied.wins, tied.losses, tied.ties) == (0, 0, 2)


def test_the_verdicts():
    three = stats.paired([1, 2, 3], [0, 0, 0], ("x", "y")).verdict()
    assert three.startswith("x beats y on 3 of 3 seeds by 2.0000 on average")
    assert "3 seeds cannot show a difference at the 5% level (the smallest p is 0.25)" in three
    seven = stats.paired(range(1, 8), [0] * 7, ("x", "y"))
    assert seven.significant and seven.better == "x"
    assert seven.verdict().endswith("significant at the 5% level")
    mixed = stats.paired([1, -1, 2, -2, 1, -1, 0.5, -0.5], [0] * 8, ("x", "y"))
    assert not mixed.significant and mixed.better is None
    assert mixed.verdict().endswith("not significant at the 5% level")
    assert "one-sided" in stats.paired([1, 2, 3, 4, 5], [0] * 5, alternative="greater").verdict()
    assert stats.paired([1, 2], [1, 2], ("x", "y")).verdict().startswith("x and y are equal on all 2 seeds")
    worse = stats.paired([0, 0, 0, 0, 0, 0, 0], range(1, 8), ("x", "y"))
    assert worse.better == "y" and worse.verdict().startswith("y beats x on 7 of 7 seeds")


def test_the_verdict_follows_the_mean_when_the_seeds_disagree_with_it():
    """Differences -0.020, +0.005, +0.011: a ahead on 2 of 3 seeds, b ahead by 0.0013 on average."""
    r = stats.paired([0.980, 1.005, 1.011], [1.0, 1.0, 1.0], ("a", "b"))
    assert r.mean == pytest.approx(-0.004 / 3)
    assert r.verdict().startswith("b is ahead of a by 0.0013 on average but on only 1 of 3 seeds")
    low = stats.paired([1.020, 0.995, 0.989], [1.0, 1.0, 1.0], ("a", "b"), higher_is_better=False)
    assert low.verdict().startswith("b is ahead of a by 0.0013 on average but on only 1 of 3 seeds")
    half = stats.paired([1, -1, 2, -1], [0, 0, 0, 0], ("a", "b"))
    assert half.verdict().startswith("a is ahead of b by 0.2500 on average but on only 2 of 4 seeds")


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="same seeds on both sides: got 3 and 2"):
        stats.paired([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="not a finite number"):
        stats.paired([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match="at least one"):
        stats.paired([], [])
    with pytest.raises(ValueError, match="alternative must be"):
        stats.paired([1, 2], [0, 0], alternative="less")


def test_the_module_imports_nothing_of_ours():
    """stats sits below everything (DESIGN.md): numpy and the standard library only."""
    import ast
    import pathlib
    tree = ast.parse(pathlib.Path(stats.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree))
    assert imported <= {"itertools", "dataclasses", "numpy"}, imported
