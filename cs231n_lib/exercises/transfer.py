"""Notebook 09 (transfer learning): the notes' rule for a data set, CNN codes, a linear probe.

Each checker compares the student's answers with models of the typical mistakes and
names the one that explains them; right answers written differently pass ('A', '(a)',
' a ' for a strategy; a list or float64 array of codes; any linear classifier's accuracy
within a few points of logistic regression's).
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _Findings, _number, _run, _shown, attempt

__all__ = ["check_notes_strategy", "check_cnn_codes", "check_probe_accuracy"]

# The notes' rule for each (size, similarity), and what each wrong letter means there.
_RULES = {("small", "similar"): "a", ("large", "similar"): "d", ("small", "different"): "b",
          ("large", "different"): "d"}
# Rule 4 grants that a large data set can afford training from scratch, (e), before advising (d):
# "However, in practice it is very often still beneficial to initialize with weights from a pretrained model".
_ALSO_RIGHT = {("large", "different"): {"e"}}
_WHY_NOT = {   # what is wrong with a letter, without naming the letter the notes advise (that is the answer)
    ("small", "similar", "b"): "For similar data the top codes fit the new classes: going down to an earlier layer "
                               "gives up the features that transfer best (section 4).",
    ("small", "similar", "d"): "About ten images per class would overfit a fine-tuned net: with little data the "
                               "notes train far fewer weights (section 4).",
    ("small", "similar", "e"): "Training from scratch on a small data set overfits and throws the pretrained "
                               "features away (section 4).",
    ("small", "different", "a"): "With different data the top codes are specific to the original classes: they "
                                 "describe what the pretrained net learned to tell apart (section 4).",
    ("small", "different", "d"): "Fine-tuning on a small data set overfits, however different the data: with ten "
                                 "images per class the notes train far fewer weights (section 4).",
    ("small", "different", "e"): "Training from scratch on a small data set overfits, however different the data: "
                                 "ten images per class cannot train a whole net (section 4).",
    ("large", "similar", "a"): "With plenty of similar data there is little risk of overfitting, so the notes do "
                               "not keep the network frozen (section 4).",
    ("large", "similar", "b"): "With plenty of similar data, a classifier on an earlier layer's frozen codes leaves "
                               "the network frozen and its best features unused (section 4).",
    ("large", "similar", "e"): "Similar data and plenty of it: the pretrained weights are a head start, and training "
                               "from scratch throws them away (section 4).",
    ("large", "different", "a"): "A large data set can afford to train the whole net: a linear classifier on frozen "
                                 "codes, from whichever layer, leaves most of what the data could teach unused "
                                 "(section 4).",
    ("large", "different", "b"): "A large data set can afford to train the whole net: a linear classifier on frozen "
                                 "codes, from whichever layer, leaves most of what the data could teach unused "
                                 "(section 4).",
}
_NOT_A_RULE = ("(c), a new head over frozen convolutions, is one of the ways to reuse a net, but none of the "
               "notes' four rules picks it.")


def _letter(value):
    """'a'..'e' from 'a', 'A', '(a)', 'a)', ' (b) '; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().strip("()").strip()
    return text if text in ("a", "b", "c", "d", "e") else None


def check_notes_strategy(notes_strategy: Callable) -> Feedback:
    """Check ``notes_strategy(size, similarity)``: the strategy letter the notes advise.

    size is 'small' or 'large', similarity 'similar' or 'different'; the answer is one of
    'a'..'e' (any case, with or without parentheses).  Conventions stated in notebook 09.
    """
    cases = [("small", "similar"), ("large", "similar"), ("small", "different"), ("large", "different")]

    def body():
        found = _Findings()
        answers = {}
        for size, sim in cases:
            got, err = attempt(notes_strategy, size, sim)
            if err:
                found.add("Your code raised an exception.", f"notes_strategy({size!r}, {sim!r}) raised {err}")
                continue
            letter = _letter(got)
            if letter is None:
                found.add("Return one letter, 'a' to 'e', as a string.",
                          f"notes_strategy({size!r}, {sim!r}) returned {_shown(got)}")
                continue
            answers[(size, sim)] = letter
        if len(answers) == len(cases) and len(set(answers.values())) == 1:
            found.add("The notes' advice depends on both the size and the similarity of the new data set: "
                      "you gave the same answer for all four.", f"always ({answers[cases[0]]})")
            return found
        for (size, sim), letter in answers.items():
            right = {_RULES[(size, sim)]} | _ALSO_RIGHT.get((size, sim), set())
            if letter in right:
                continue
            example = f"notes_strategy({size!r}, {sim!r}) returned {letter!r}"
            why = _NOT_A_RULE if letter == "c" else _WHY_NOT.get((size, sim, letter))
            found.add(why or f"Reread the notes' rule for a {size} data set {sim} to the original (section 4).",
                      example)
        return found

    return _run("notes_strategy(size, similarity)", body)


def _codes_cases():
    """Two nets and image batches: the zoo's source net on shapes, and a tiny net with other layer names."""
    import numpy as np

    from ..data import make_shapes
    from ..nets import SequentialNet, affine, conv, pool, relu
    from ..pretrained import load_pretrained

    source = load_pretrained("shapes_half_a")
    shapes = make_shapes(6, seed=3, split=7, classes=[5, 6, 7, 8, 9])["X"]
    tiny = SequentialNet([("c", conv(3, 3)), ("r", relu()), ("p", pool(2)), ("hidden", affine(7)),
                          ("act", relu()), ("scores", affine(4))], input_dim=(3, 8, 8), seed=4)
    X_tiny = np.random.default_rng(5).standard_normal((5, 3, 8, 8)).astype(np.float32)
    return [("the zoo's shapes_half_a on 6 shapes", source, shapes),
            ("a tiny net (layers c, r, p, hidden, act, scores) on 5 images", tiny, X_tiny),
            ("the tiny net on one image", tiny, X_tiny[:1])]


def check_cnn_codes(cnn_codes: Callable) -> Feedback:
    """Check ``cnn_codes(net, X)``: the ReLU'd activations of the layer just below the classifier,
    one row per image, shape (N, D).  Conventions stated in notebook 09."""
    import numpy as np

    def body():
        found = _Findings()
        for label, net, X in _codes_cases():
            N = len(X)
            acts = net.activations(X)
            names = net.names
            want = acts[names[-2]].reshape(N, -1)
            got, err = attempt(cnn_codes, net, X.copy())
            if err:
                hint = ""
                if "no layer named" in err:
                    hint = (" Find the layer without its name: net.names lists the layers bottom to top (the "
                            "exercise says how to use it).")
                found.add("Your code raised an exception." + hint, f"{label}: raised {err}")
                continue
            try:
                arr = np.asarray(got, dtype=np.float64)
            except (TypeError, ValueError):
                found.add("Return an array of codes, one row per image.", f"{label}: returned {_shown(got)}")
                continue
            if arr.shape == want.shape and np.allclose(arr, want, rtol=1e-4, atol=1e-5):
                continue
            models = [
                ("Those are the class scores (the last layer's output); the CNN codes are the activations of "
                 "the layer just below the classifier.", acts[names[-1]].reshape(N, -1)),
                ("Those codes are taken before the ReLU: the notes' CNN codes are ReLU'd, so no value is "
                 "negative.", acts[names[-3]].reshape(N, -1)),
                ("That is the last conv volume (flattened); the codes of the notes are the hidden FC layer's "
                 "output after its ReLU, the layer just below the classifier.",
                 acts[[n for n in names if n in net.layers and type(net.layers[n]).__name__ == "pool"][-1]]
                 .reshape(N, -1)),
            ]
            example = f"{label}: got shape {arr.shape}; the codes have shape {want.shape}"
            if arr.ndim == 2 and arr.shape == want.shape[::-1] and np.allclose(arr.T, want, rtol=1e-4, atol=1e-5):
                found.add("One row per image: return shape (N, D), not (D, N).", example)
                continue
            if arr.size == want.size and arr.shape != want.shape and np.allclose(arr.reshape(want.shape), want,
                                                                                   rtol=1e-4, atol=1e-5):
                found.add("Keep one row per image, even for a single image: shape (N, D).", example)
                continue
            for why, model in models:
                if arr.size == model.size and np.allclose(arr.reshape(model.shape), model, rtol=1e-4, atol=1e-5):
                    found.add(why, example)
                    break
            else:
                found.add("These are not the activations of the layer just below the classifier, and none of the "
                          "usual mistakes explains them.", example)
        return found

    return _run("cnn_codes(net, X)", body)


def _probe_cases():
    """Two small training sets of codes (10 per class) and their test codes, from the zoo's source net."""
    from ..data import make_shapes
    from ..pretrained import load_pretrained

    import numpy as np

    net = load_pretrained("shapes_half_a")
    classes = [5, 6, 7, 8, 9]
    lookup = {c: i for i, c in enumerate(classes)}
    cases = []
    for seed in (11, 12):
        train = make_shapes(50, seed=seed, split=0, classes=classes)
        test = make_shapes(100, seed=seed, split=1, classes=classes)
        codes = [net.activations(part["X"], net.names[-2]).astype(np.float64) for part in (train, test)]
        labels = [np.array([lookup[int(v)] for v in part["y"]]) for part in (train, test)]
        cases.append((f"50 training and 100 test codes (seed {seed})", codes[0], labels[0], codes[1], labels[1]))
    return cases


def check_probe_accuracy(probe_accuracy: Callable) -> Feedback:
    """Check ``probe_accuracy(codes_train, y_train, codes_test, y_test)``: the test accuracy of a
    logistic regression fit on the training codes (one number in [0, 1]).

    Accepted: any linear classifier from scikit-learn, with or without standardising the
    codes, within 0.08 of what logistic regression and a linear SVM on standardised codes
    reach on the case.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    def right_values(Xtr, ytr, Xte, yte):
        logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(Xtr, ytr)
        svm = make_pipeline(StandardScaler(), LinearSVC(dual=True, max_iter=50000, random_state=0)).fit(Xtr, ytr)
        values = [float(logistic.score(Xte, yte)), float(svm.score(Xte, yte))]
        return min(values), max(values), float(logistic.score(Xtr, ytr))

    def body():
        found = _Findings()
        for label, Xtr, ytr, Xte, yte in _probe_cases():
            lo, hi, train_acc = right_values(Xtr, ytr, Xte, yte)
            got, err = attempt(probe_accuracy, Xtr.copy(), ytr.copy(), Xte.copy(), yte.copy())
            if err:
                found.add("Your code raised an exception.", f"{label}: raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return one number: the fraction of test codes classified correctly.",
                          f"{label}: returned {_shown(got)}")
                continue
            if lo - 0.08 <= value <= hi + 0.08:
                continue
            example = f"{label}: returned {value:.3f} (chance is {1 / len(np.unique(ytr)):.2f})"
            if 1 < value <= 100 and lo - 0.08 <= value / 100 <= hi + 0.08:
                found.add("That is a percentage: return a fraction between 0 and 1.", example)
            elif lo - 0.08 <= 1 - value <= hi + 0.08:
                found.add("That is the error rate; return the accuracy, the fraction classified correctly.",
                          example)
            elif abs(value - train_acc) < 0.02 and value > hi + 0.08:
                found.add("That is the accuracy on the codes the classifier was fit to (training or test): "
                          "fit on codes_train, then score on codes_test.", example)
            elif value <= 1.5 / len(np.unique(ytr)):
                found.add("That is about chance: check that the classifier was fit on codes_train with y_train "
                          "(the labels in the same order as the codes).", example)
            else:
                found.add("That accuracy is far from what a linear classifier reaches on these codes, and none of "
                          "the usual mistakes explains it: check what your classifier is fit on and what it is "
                          "scored on, and compare with section 2's transfer.linear_classifier.", example)
        return found

    return _run("probe_accuracy(codes_train, y_train, codes_test, y_test)", body)
