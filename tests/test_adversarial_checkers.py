"""The checkers of notebook 08's exercises: every typical wrong answer gets its own diagnosis (once),
right answers written differently pass, an untouched stub is "not implemented", an exception is
reported with its line."""
import numpy as np
import pytest

from cs231n_lib import exercises


def stub(*args):
    raise NotImplementedError


# ------------------------------------------------------------------ fgsm_step
def fgsm_right(x, grad, eps):
    return np.clip(x + eps * np.sign(grad), 0, 1)


def fgsm_minmax(x, grad, eps):
    return np.minimum(1.0, np.maximum(0.0, x + eps * np.sign(grad)))


def fgsm_loop(x, grad, eps):
    out = np.array(x, dtype=np.float32, copy=True)
    flat, g = out.reshape(-1), np.asarray(grad).reshape(-1)
    for i in range(flat.size):
        step = eps if g[i] > 0 else (-eps if g[i] < 0 else 0.0)
        flat[i] = min(1.0, max(0.0, flat[i] + step))
    return out


def fgsm_in_place(x, grad, eps):
    x += eps * np.sign(grad)
    np.clip(x, 0, 1, out=x)
    return x


@pytest.mark.parametrize("answer", [fgsm_right, fgsm_minmax, fgsm_loop, fgsm_in_place])
def test_right_fgsm_steps_pass(answer):
    feedback = exercises.check_fgsm_step(answer)
    assert feedback.passed, feedback.message


FGSM_WRONG = [
    (lambda x, g, e: np.clip(x - e * np.sign(g), 0, 1), "steps down the loss"),
    (lambda x, g, e: np.clip(x + e * g, 0, 1), "in proportion to its gradient"),
    (lambda x, g, e: np.clip(x + e * g / np.abs(g).max(), 0, 1), "rescales the gradient"),
    (lambda x, g, e: np.clip(x + e * g / np.linalg.norm(g), 0, 1), "normalizes the gradient to length 1"),
    (lambda x, g, e: np.clip(x + e * (g > 0), 0, 1), "(grad > 0) is 0 or 1"),
    (lambda x, g, e: np.clip(x + e * ((g >= 0) * 2 - 1), 0, 1), "np.sign(0) is 0"),
    (lambda x, g, e: x + e * np.sign(g), "Clip the result to the pixel range"),
    (lambda x, g, e: np.clip(x + e * np.sign(g), -1, 1), "not [-1, 1]"),
    (lambda x, g, e: x + np.clip(e * np.sign(g), 0, 1), "clipped the perturbation"),
    (lambda x, g, e: e * np.sign(g), "You returned the perturbation eta = eps * sign(grad);"),
]


@pytest.mark.parametrize("answer, diagnosis", FGSM_WRONG, ids=[d for _, d in FGSM_WRONG])
def test_each_wrong_fgsm_step_gets_its_diagnosis(answer, diagnosis):
    feedback = exercises.check_fgsm_step(answer)
    assert feedback.status == "failed"
    assert len(feedback.details) == 1, feedback.message
    assert diagnosis in feedback.details[0], feedback.message


def test_fgsm_step_shape_exception_and_stub():
    assert exercises.check_fgsm_step(stub).status == "not implemented"
    feedback = exercises.check_fgsm_step(lambda x, g, e: (x + e * np.sign(g)).ravel())
    assert "x's shape" in feedback.message and len(feedback.details) == 1

    def broken(x, grad, eps):
        return np.clip(x + eps * np.sign(grad), 0, 1) / 0 if False else undefined_name  # noqa: F821

    feedback = exercises.check_fgsm_step(broken)
    assert "raised NameError" in feedback.message and "undefined_name" in feedback.message
    assert len(feedback.details) == 1


# ------------------------------------------------------------------ linear_bound
@pytest.mark.parametrize("answer", [
    lambda w, eps: eps * np.abs(w).sum(),
    lambda w, eps: np.linalg.norm(np.ravel(w), 1) * eps,
    lambda w, eps: float(np.ravel(w) @ (eps * np.sign(np.ravel(w)))),
    lambda w, eps: sum(abs(float(v)) for v in np.ravel(w)) * eps,
    lambda w, eps: np.float32(eps) * np.abs(w.astype(np.float32)).sum(),
], ids=["abs-sum", "norm-1", "dot-sign", "loop", "float32"])
def test_right_linear_bounds_pass(answer):
    feedback = exercises.check_linear_bound(answer)
    assert feedback.passed, feedback.message


LINEAR_WRONG = [
    (lambda w, e: e * np.sum(w), "Negative weights count too"),
    (lambda w, e: e * np.linalg.norm(np.ravel(w)), "That is the L2 norm"),
    (lambda w, e: e * np.abs(w).mean() * np.sqrt(w.size), "typical change for random signs"),
    (lambda w, e: e * np.abs(w).mean(), "You averaged"),
    (lambda w, e: e * w.size * np.abs(w).max(), "counts the largest weight n times"),
    (lambda w, e: np.abs(w).sum(), "Multiply by eps"),
    (lambda w, e: e * e * np.abs(w).sum(), "not squared"),
    (lambda w, e: e * np.abs(w), "Return one number: add up"),
]


@pytest.mark.parametrize("answer, diagnosis", LINEAR_WRONG, ids=[d for _, d in LINEAR_WRONG])
def test_each_wrong_linear_bound_gets_its_diagnosis(answer, diagnosis):
    feedback = exercises.check_linear_bound(answer)
    assert feedback.status == "failed"
    assert len(feedback.details) == 1, feedback.message
    assert diagnosis in feedback.details[0], feedback.message


def test_linear_bound_stub():
    assert exercises.check_linear_bound(stub).status == "not implemented"


# ------------------------------------------------------------------ confidence_on_mistakes
def conf_mask(probs, y):
    pred = probs.argmax(axis=1)
    return probs.max(axis=1)[pred != y].mean()


def conf_loop(probs, y):
    values = [max(row) for row, label in zip(probs.tolist(), y.tolist()) if row.index(max(row)) != label]
    return sum(values) / len(values)


def conf_take(probs, y):
    pred = np.argmax(probs, axis=1)
    wrong = np.flatnonzero(pred != y)
    return float(np.mean(probs[wrong, pred[wrong]]))


@pytest.mark.parametrize("answer", [conf_mask, conf_loop, conf_take])
def test_right_confidences_pass(answer):
    feedback = exercises.check_confidence_on_mistakes(answer)
    assert feedback.passed, feedback.message


def _wrong(p, y):
    return p.argmax(axis=1) != y


CONF_WRONG = [
    (lambda p, y: p.max(axis=1).mean(), "averaged over every example"),
    (lambda p, y: p[np.arange(len(y)), y][_wrong(p, y)].mean(), "probability of the right class"),
    (lambda p, y: p.max(axis=1)[~_wrong(p, y)].mean(), "averaged over the right answers"),
    (lambda p, y: _wrong(p, y).mean(), "fraction of mistakes"),
    (lambda p, y: 100 * p.max(axis=1)[_wrong(p, y)].mean(), "not a percentage"),
    (lambda p, y: p.max(axis=1)[_wrong(p, y)].sum(), "the sum of their confidences"),
    (lambda p, y: p.max(axis=1)[_wrong(p, y)].sum() / len(y), "not by the number of examples"),
]


@pytest.mark.parametrize("answer, diagnosis", CONF_WRONG, ids=[d for _, d in CONF_WRONG])
def test_each_wrong_confidence_gets_its_diagnosis(answer, diagnosis):
    feedback = exercises.check_confidence_on_mistakes(answer)
    assert feedback.status == "failed"
    assert len(feedback.details) == 1, feedback.message
    assert diagnosis in feedback.details[0], feedback.message


def test_confidence_stub_and_non_number():
    assert exercises.check_confidence_on_mistakes(stub).status == "not implemented"
    feedback = exercises.check_confidence_on_mistakes(lambda p, y: "high")
    assert "Return one number" in feedback.message and len(feedback.details) == 1
