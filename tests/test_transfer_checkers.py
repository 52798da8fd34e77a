"""The right and wrong answers to the exercises of notebook 09 (transfer learning), written by hand the way
students write them, and the tests only these exercises need (the exercise text states every
convention its checker enforces).  tests/test_checkers.py adds EXERCISES to its own table and runs
the tests every checker must pass on it: the untouched stub is "not implemented yet", right answers
written differently pass, each typical mistake gets its own diagnosis once, a crash names the line
of the student's code, and every checker of the package is in the table.
"""
import json
import pathlib

import numpy as np
import pytest

from cs231n_lib import exercises as E
from giveaways_lib import shifted

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = "09_transfer_learning.ipynb"



# ------------------------------------------------------------------ notes_strategy
def rules_by_ifs(size, similarity):
    if size == "small":
        return "a" if similarity == "similar" else "b"
    return "d"


RULES = {("small", "similar"): "a", ("large", "similar"): "d", ("small", "different"): "b",
         ("large", "different"): "d"}


def rules_with(**changes):
    table = dict(RULES)
    for key, letter in changes.items():
        size, sim = key.split("_")
        table[(size, sim)] = letter
    return lambda size, similarity: table[(size, similarity)]


# ------------------------------------------------------------------ cnn_codes
def codes_right(net, X):
    return net.activations(X, net.names[-2])


def codes_right_loop(net, X):
    return [net.activations(x[None], net.names[-2])[0].tolist() for x in X]


def codes_right_float64(net, X):
    return np.maximum(net.activations(X, net.names[-3]), 0).astype(np.float64).reshape(len(X), -1)


# ------------------------------------------------------------------ probe_accuracy
def probe_logistic(codes_train, y_train, codes_test, y_test):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(codes_train)
    clf = LogisticRegression(max_iter=2000).fit(scaler.transform(codes_train), y_train)
    return clf.score(scaler.transform(codes_test), y_test)


def probe_unscaled_predict(codes_train, y_train, codes_test, y_test):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=5000).fit(codes_train, y_train)
    return np.float32(np.mean(clf.predict(codes_test) == y_test))


def probe_svm(codes_train, y_train, codes_test, y_test):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    return make_pipeline(StandardScaler(), LinearSVC(dual=True, max_iter=20000)).fit(codes_train, y_train).score(
        codes_test, y_test)


def probe_with(transform):
    def probe(codes_train, y_train, codes_test, y_test):
        return transform(probe_logistic, codes_train, y_train, codes_test, y_test)
    return probe


EXERCISES = {
    "notes_strategy": dict(
        checker=E.check_notes_strategy,
        solution=dict(text=["the notes advise ("],
                      unmatched=rules_with(small_similar="c", small_different="c", large_similar="b",
                                           large_different="c")),
        right=[rules_by_ifs, lambda s, m: f"({RULES[(s, m)].upper()})", rules_with(large_different="e"),
               lambda s, m: " " + RULES[(s, m)] + ")"],
        wrong=[
            (lambda s, m: "a", "same answer for all four"),
            (rules_with(small_different="a"), "specific to the original classes"),
            (rules_with(small_similar="d"), "would overfit a fine-tuned net"),
            (rules_with(small_similar="b"), "top codes fit the new classes"),
            (rules_with(large_similar="e"), "head start"),
            (rules_with(large_similar="a"), "do not keep the network frozen"),
            (rules_with(small_different="e"), "ten images per class cannot train a whole net"),
            (rules_with(large_different="c"), "none of the notes' four rules"),
            (rules_with(large_different="b"), "can afford to train the whole net"),
            (lambda s, m: 1, "one letter"),
        ]),
    "cnn_codes": dict(
        checker=E.check_cnn_codes,
        solution=dict(text=["net.activations(X, net.names[-2])", "net.names[-2]"],
                      unmatched=shifted(codes_right, 0.5)),
        right=[codes_right, codes_right_loop, codes_right_float64],
        wrong=[
            (lambda net, X: net.activations(X, net.names[-1]), "class scores"),
            (lambda net, X: net.activations(X, net.names[-3]), "taken before the ReLU"),
            (lambda net, X: net.activations(X, [n for n in net.names if "p" in n][-1]).reshape(len(X), -1),
             "last conv volume"),
            (lambda net, X: codes_right(net, X).T, "not (D, N)"),
            (lambda net, X: np.squeeze(codes_right(net, X)), "even for a single image"),
            (lambda net, X: net.activations(X, "relu4"), "Find the layer without its name"),
            (lambda net, X: codes_right(net, X) * 2, "not the activations of the layer just below"),
            (lambda net, X: "codes", "an array of codes"),
        ]),
    "probe_accuracy": dict(
        checker=E.check_probe_accuracy,
        solution=dict(text=["clf.score(codes_test, y_test)", "make_pipeline(StandardScaler(), LogisticRegression",
                            "LogisticRegression().fit(codes_train"],
                      unmatched=shifted(probe_logistic, 0.25)),
        right=[probe_logistic, probe_unscaled_predict, probe_svm],
        wrong=[
            (probe_with(lambda f, a, b, c, d: f(a, b, a, b)), "fit to (training or test)"),
            (probe_with(lambda f, a, b, c, d: 100 * f(a, b, c, d)), "percentage"),
            (probe_with(lambda f, a, b, c, d: 1 - f(a, b, c, d)), "error rate"),
            (probe_with(lambda f, a, b, c, d: f(a, np.roll(b, 1), c, d)), "about chance"),
            (lambda a, b, c, d: np.zeros(len(d)), "Return one number"),
        ]),
}

def exercise_text(function):
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(f"def {function}("):
            text = next("".join(cells[j]["source"]) for j in range(k - 1, -1, -1)
                        if cells[j]["cell_type"] == "markdown")
            return " ".join(text.split())
    raise AssertionError(f"no exercise defines {function} in {NOTEBOOK}")


CONVENTIONS = [
    ("notes_strategy", ["'small' or 'large'", "'similar' or 'different'", "one letter", "'a' to 'e'"]),
    ("cnn_codes", ["net.names[-2]", "(N, D)", "ReLU"]),
    ("probe_accuracy", ["between 0 and 1", "codes_test", "StandardScaler"]),
]


@pytest.mark.parametrize("function, phrases", CONVENTIONS, ids=[c[0] for c in CONVENTIONS])
def test_the_exercise_text_states_the_checkers_conventions(function, phrases):
    text = exercise_text(function)
    missing = [p for p in phrases if p not in text]
    assert not missing, f"the text of {function} does not say {missing}:\n{text}"
