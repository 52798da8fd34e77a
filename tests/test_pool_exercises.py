"""Notebook 03's exercise checkers: right answers pass, typical mistakes are named, stubs never raise."""
import numpy as np
import pytest

from cs231n_lib import exercises, fast_layers

CHECKERS = [exercises.check_max_pool_2x2, exercises.check_max_pool_window_backward,
            exercises.check_avg_pool_weights]


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("checker", CHECKERS)
def test_untouched_stub_is_not_implemented_yet(checker):
    feedback = checker(stub)
    assert feedback.status == "not implemented" and "not implemented yet" in repr(feedback)
    assert checker(lambda *a: None).status == "not implemented"


@pytest.mark.parametrize("checker", CHECKERS)
def test_a_crashing_answer_is_reported_not_raised(checker):
    feedback = checker(lambda *a: 1 / 0)
    assert feedback.status == "failed" and "ZeroDivisionError" in repr(feedback)


def library_max_pool_2x2(x):
    out, _ = fast_layers.max_pool_forward_fast(x[None, None], {"pool_height": 2, "pool_width": 2, "stride": 2})
    return out[0, 0]


def first_argmax_backward(window, dout):
    g = np.zeros_like(window)
    g.flat[np.argmax(window)] = dout
    return g


def diagonal_weights(C, F):
    w = np.zeros((C, C, F, F))
    for c in range(C):
        w[c, c] = 1.0 / (F * F)
    return w


def test_correct_answers_pass():
    assert exercises.check_max_pool_2x2(library_max_pool_2x2).passed
    assert exercises.check_max_pool_window_backward(first_argmax_backward).passed
    assert exercises.check_avg_pool_weights(diagonal_weights).passed


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).mean(axis=(1, 3)), "average"),
    (lambda x: x[::2, ::2], "top-left"),
    (lambda x: np.maximum(np.maximum(x[:-1, :-1], x[1:, :-1]), np.maximum(x[:-1, 1:], x[1:, 1:])), "stride 1"),
    (lambda x: np.abs(x).reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)), "absolute"),
    (lambda x: library_max_pool_2x2(x).T, "swapped"),
])
def test_max_pool_2x2_mistakes_are_named(answer, diagnosis):
    feedback = exercises.check_max_pool_2x2(answer)
    assert feedback.status == "failed" and diagnosis in repr(feedback)


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda w, d: np.full_like(w, d / w.size), "average pooling's gradient"),
    (lambda w, d: np.where(w == w.max(), d, 0.0), "counts twice"),
    (lambda w, d: np.where(w == w.max(), d / (w == w.max()).sum(), 0.0), "split dout"),
    (lambda w, d: np.where(w == w.min(), d, 0.0), "minimum"),
    (lambda w, d: first_argmax_backward(w, 1.0), "chain rule"),
    (lambda w, d: np.full_like(w, d), "every entry got dout"),
])
def test_window_backward_mistakes_are_named(answer, diagnosis):
    feedback = exercises.check_max_pool_window_backward(answer)
    assert feedback.status == "failed" and diagnosis in repr(feedback)


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda C, F: np.full((C, C, F, F), 1.0 / (F * F)), "every filter reads every channel"),
    (lambda C, F: diagonal_weights(C, F) * F * F, "sum pooling"),
    (lambda C, F: diagonal_weights(C, F) * F, "one axis only"),
    (lambda C, F: np.ones((F, F)) / F ** 2, "(F_out, C_in, HH, WW)"),
    (lambda C, F: diagonal_weights(C, F) / C, "channels are kept apart"),
])
def test_avg_pool_weights_mistakes_are_named(answer, diagnosis):
    feedback = exercises.check_avg_pool_weights(answer)
    assert feedback.status == "failed" and diagnosis in repr(feedback)
