"""show.source: a function's teaching lines, without docstring and input checks."""
import pytest

from cs231n_lib import contract, layers, show


def _example(x, k):
    """A docstring that should not be shown."""
    if k < 1:
        raise ValueError("k must be positive")
    # the comment that explains the step stays
    y = x * k
    if y > 10:
        y = 10
    return y


def test_docstring_and_checks_are_dropped_and_the_rest_kept_in_order():
    text = show.source(_example)
    assert text.splitlines() == [
        "def _example(x, k):",
        "    # the comment that explains the step stays",
        "    y = x * k",
        "    if y > 10:",
        "        y = 10",
        "    return y",
    ]


def _checked(net, X, y):
    """Checks through the input contract are dropped too."""
    X = contract.check_images(net, X, who="_checked")
    contract.check_labels(y, len(X), 10)
    lo, hi = contract.pixel_range(net)
    return X.clip(lo, hi), y


def test_calls_of_the_input_contract_are_dropped_but_not_what_it_computes():
    text = show.source(_checked)
    assert text.splitlines() == [
        "def _checked(net, X, y):",
        "    lo, hi = contract.pixel_range(net)",
        "    return X.clip(lo, hi), y",
    ]
    assert "contract.check_images" in show.source(_checked, checks=True)


def test_flags_keep_them():
    text = show.source(_example, docstring=True, checks=True)
    assert '"""A docstring that should not be shown."""' in text
    assert 'raise ValueError("k must be positive")' in text


def test_a_library_layer_shows_its_loops_not_its_docstring():
    text = show.source(layers.max_pool_forward_naive)
    assert text.startswith("def max_pool_forward_naive(x, pool_param):")
    assert "for n in range(N):" in text
    assert "Parameters" not in text and '"""' not in text


def test_display_is_the_source_itself_and_markdown_in_jupyter():
    text = show.source(_example)
    assert repr(text) == str(text)
    assert text._repr_markdown_().startswith("```python\ndef _example")


def test_builtins_have_no_source_and_say_so():
    with pytest.raises(ValueError, match="cannot show the source"):
        show.source(len)


def test_magnitude_is_the_power_of_ten_just_above():
    from cs231n_lib.show import magnitude

    assert [magnitude(v) for v in (0, 3.06e-12, 9.9e-12, 1e-13, 1.42e-14, 2.2e-16, 0.5, 12)] == \
        ["0", "< 1e-11", "< 1e-11", "< 1e-12", "< 1e-13", "< 1e-15", "< 1e0", "< 1e2"]
    with pytest.raises(ValueError, match="finite number >= 0"):
        magnitude(-1e-3)
