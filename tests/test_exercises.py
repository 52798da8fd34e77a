"""The exercise checkers: right answers pass, typical mistakes are named, stubs never raise."""
import pytest

from cs231n_lib import arithmetic, exercises


def stub(*args):
    raise NotImplementedError


def good_output_size(W, F, S, P):
    return arithmetic.conv_output_size(W, F, S, P)


@pytest.mark.parametrize("checker", [
    exercises.check_output_size, exercises.check_valid_strides, exercises.check_param_count,
])
def test_untouched_stub_is_not_implemented_yet(checker):
    feedback = checker(stub)
    assert feedback.status == "not implemented" and not feedback.passed
    assert "not implemented yet" in repr(feedback)
    assert checker(lambda *a: None).status == "not implemented"


def test_correct_answers_pass():
    assert exercises.check_output_size(good_output_size).passed
    assert exercises.check_valid_strides(lambda W, F, P: arithmetic.valid_strides(W, F, P)).passed
    assert exercises.check_param_count(lambda F, D, K: arithmetic.conv_param_count(F, D, K).total).passed
    assert "well done" in repr(exercises.check_param_count(lambda F, D, K: F * F * D * K + K))


def _strict(formula):
    """A student's output_size that raises on invalid settings but uses ``formula``."""
    def output_size(W, F, S, P):
        if (W - F + 2 * P) % S:
            raise ValueError("does not fit")
        return int(formula(W, F, S, P))
    return output_size


@pytest.mark.parametrize("formula, hint", [
    (lambda W, F, S, P: (W - F + 2 * P) // S, "forgot the + 1"),
    (lambda W, F, S, P: (W - F + P) // S + 1, "padding goes on both sides"),
    (lambda W, F, S, P: (W - F) // S + 1, "padding"),
    (lambda W, F, S, P: (W - F + 2 * P) + 1, "divide by the stride"),
])
def test_output_size_mistakes_are_named(formula, hint):
    feedback = exercises.check_output_size(_strict(formula))
    assert feedback.status == "failed"
    assert hint in feedback.message


def test_rounding_instead_of_raising_is_explained():
    feedback = exercises.check_output_size(lambda W, F, S, P: (W - F + 2 * P) // S + 1)
    assert "raise ValueError instead of rounding" in feedback.message
    assert "4.5" in feedback.message


def test_float_result_is_explained():
    def floaty(W, F, S, P):
        if (W - F + 2 * P) % S:
            raise ValueError
        return (W - F + 2 * P) / S + 1
    assert "return an int" in exercises.check_output_size(floaty).message


def test_a_crash_in_student_code_is_reported_not_raised():
    feedback = exercises.check_output_size(lambda W, F, S, P: 1 / 0)
    assert feedback.status == "failed" and "ZeroDivisionError" in feedback.message


def test_valid_strides_mistakes():
    forgot_largest = exercises.check_valid_strides(
        lambda W, F, P: [s for s in range(1, W - F + 2 * P) if (W - F + 2 * P) % s == 0] or [1])
    assert "a stride as large as" in forgot_largest.message
    forgot_padding = exercises.check_valid_strides(
        lambda W, F, P: [s for s in range(1, W - F + 1) if (W - F) % s == 0] or [1])
    assert "forgot the padding" in forgot_padding.message
    assert "return a list" in exercises.check_valid_strides(lambda W, F, P: 3).message


@pytest.mark.parametrize("wrong, hint", [
    (lambda F, D, K: F * F * D * K, "add the"),
    (lambda F, D, K: F * F * K + K, "full input depth"),
    (lambda F, D, K: F * D * K + K, "F*F"),
    (lambda F, D, K: F * F * D * K + F * F * D, "one bias per filter"),
])
def test_param_count_mistakes(wrong, hint):
    feedback = exercises.check_param_count(wrong)
    assert feedback.status == "failed" and hint in feedback.message
