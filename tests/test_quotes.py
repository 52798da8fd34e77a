"""Every passage a notebook quotes from the CS231n notes stands in them word for word.

The pages quoted are shipped in tests/fixtures/cs231n_notes/ (MIT licence, with the commit
they came from). The rules, in tests/quotes_lib.py:

- a quotation attributed to the notes (the nearest source named before it is "the notes")
  stands in one of those pages, case, markdown and punctuation aside, "..." for omissions;
- a quotation of four words or more that does not stand in the notes is declared below, in
  ``OTHER_SOURCES``, with where it comes from (a paper's words, a title, a question of our
  own in quotation marks), so that no passage passes for the notes' words unnoticed.

Paraphrase without quotation marks.
"""
import pytest

import quotes_lib as q

# Quotations of four words or more that are not the notes' words, by notebook, with their source.
OTHER_SOURCES = {
    "01_conv_arithmetic.ipynb": {
        "an eye belongs *here*": "ours: what a locally connected layer can encode",
    },
    "03_pooling.ipynb": {
        "did the filter fire in this region?": "ours: the question max pooling answers",
        "Striving for Simplicity: The All Convolutional Net": "title of Springenberg et al. (2015)",
    },
    "04_architectures.ipynb": {
        "two conv-pool stages": "ours: the name of a net in the cell above",
    },
    "05_training_a_convnet.ipynb": {
        "much higher learning rates": "Ioffe and Szegedy (2015), abstract",
        "less careful about initialization": "Ioffe and Szegedy (2015), abstract",
    },
    "06_visualizing_convnets.ipynb": {
        "where filter 3 of the first layer saw its edge, weigh it like this": "ours: what a second-layer filter says",
        "the evidence is here": "ours: what a low point of an occlusion map seems to say",
    },
    "07_looking_through_the_gradient.ipynb": {
        "a round edge here": "ours: what the inversion seems to keep",
        "without loss in accuracy on several image recognition benchmarks": "Springenberg et al. (2015), abstract",
    },
    "08_adversarial_examples.ipynb": {
        "Explaining and Harnessing Adversarial Examples": "title of Goodfellow, Shlens and Szegedy (2015)",
        "more localized and interpretable": "Goodfellow et al. (2015), section 6",
        "naturally immune to adversarial examples, in the sense that they have low confidence when they are fooled":
            "Goodfellow et al. (2015), section 7",
        "some digit, with probability above 0.5": "ours: the paper's criterion for rubbish examples, in words",
        "optimization procedures that are able to train models whose behavior is more locally stable":
            "Goodfellow et al. (2015), section 11 (the conclusion), its last sentence",
    },
    "09_transfer_learning.ipynb": {},
    "10_zeiler_fergus.ipynb": {
        "Visualizing and Understanding Convolutional Networks": "title of Zeiler and Fergus (2014)",
    },
}

ALL = [x for path in q.NOTEBOOKS for x in q.notebook_quotations(path)]


def _declared(quotation):
    return q.normalize(quotation.text) in {q.normalize(k) for k in OTHER_SOURCES.get(quotation.notebook, {})}


@pytest.mark.parametrize("path", q.NOTEBOOKS, ids=[p.stem[:2] for p in q.NOTEBOOKS])
def test_quotations_of_the_notes_are_word_for_word(path):
    bad = [str(x) for x in q.notebook_quotations(path)
           if x.source == "notes" and x.words >= 2 and not _declared(x) and not q.where_in_notes(x.text)]
    assert not bad, ("quoted as the notes' words but not in the shipped pages (tests/fixtures/cs231n_notes); "
                     "quote them word for word or paraphrase without quotation marks:\n" + "\n".join(bad))


@pytest.mark.parametrize("path", q.NOTEBOOKS, ids=[p.stem[:2] for p in q.NOTEBOOKS])
def test_every_other_quotation_is_declared(path):
    bad = [str(x) for x in q.notebook_quotations(path)
           if x.words >= 4 and not q.where_in_notes(x.text) and not _declared(x)]
    assert not bad, ("quotations that are not the notes' words: declare their source in OTHER_SOURCES "
                     "(tests/test_quotes.py) or take the quotation marks away:\n" + "\n".join(bad))


def test_declared_quotations_are_still_there_and_not_attributed_to_the_notes():
    found = {(x.notebook, q.normalize(x.text)): x for x in ALL}
    for notebook, declared in OTHER_SOURCES.items():
        for text in declared:
            x = found.get((notebook, q.normalize(text)))
            assert x is not None, f"{notebook}: the declared quotation {text!r} is gone; remove it from OTHER_SOURCES"
            assert x.source != "notes", f"{x} is declared as not the notes' words but reads as if the notes said it"


# ---- the rules themselves ----------------------------------------------------------------

SENTENCE = "well-trained networks usually display nice and smooth filters without any noisy patterns"


def test_the_pages_are_the_ones_the_readme_names():
    """Unchanged copies: each file's sha256 is the one the fixture's README gives."""
    import hashlib
    import re
    text = (q.NOTES_DIR / "README.md").read_text(encoding="utf-8")
    assert "3d84654b14608fbccdff2393485631aaacfc9dab" in text
    assert "MIT License" in (q.NOTES_DIR / "LICENSE").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^\| `([\w.-]+)` \|.*\| `([0-9a-f]{64})` \|$", text, re.M))
    assert sorted(pinned) == sorted(q.PAGES + ("LICENSE",))
    for name, digest in pinned.items():
        assert hashlib.sha256((q.NOTES_DIR / name).read_bytes()).hexdigest() == digest, name


def test_a_word_for_word_quotation_passes_and_an_altered_one_fails():
    assert q.where_in_notes(SENTENCE) == "understanding-cnn.md"
    assert q.where_in_notes("Well-trained *networks* usually display nice and smooth [filters](#x)") \
        == "understanding-cnn.md"
    for altered in (SENTENCE.replace("usually ", ""),            # a dropped word
                    SENTENCE.replace("nice", "very nice"),        # an added word
                    SENTENCE.replace("smooth", "clean")):         # a changed word
        assert q.where_in_notes(altered) is None, altered


def test_omissions_must_keep_the_order_of_the_page():
    assert q.where_in_notes("these layers have since fallen out of favor ... minimal, if any") \
        == "convolutional-networks.md"
    assert q.where_in_notes("these layers have since fallen out of favor [...] minimal, if any") \
        == "convolutional-networks.md"
    assert q.where_in_notes("minimal, if any ... these layers have since fallen out of favor") is None
    assert q.where_in_notes("have fallen out of favor") is None    # the notes say "have since fallen"


def test_quotations_are_found_and_attributed():
    md = ('The notes say that these layers "have fallen out of favor". Goodfellow et al. call RBF '
          'networks "naturally immune to adversarial examples".\n\n> For ReLU nets, activations start out\n'
          '> looking relatively blobby and dense\n\nThe `print("a b c d")` is code.')
    found = q.quotations_in(md, "x.ipynb", 3)
    assert [x.text for x in found] == ["have fallen out of favor", "naturally immune to adversarial examples",
                                       "For ReLU nets, activations start out looking relatively blobby and dense"]
    assert [x.source for x in found] == ["notes", "et al", "et al"]
    assert [x.blockquote for x in found] == [False, False, True]


def test_the_check_fails_on_a_misquotation_in_a_notebook(tmp_path):
    import json
    nb = {"cells": [{"cell_type": "markdown", "source": 'The notes: "well-trained nets display nice and smooth '
                     'filters without any noisy patterns".'}]}
    path = tmp_path / "99_x.ipynb"
    path.write_text(json.dumps(nb))
    (x,) = q.notebook_quotations(path)
    assert x.source == "notes" and q.where_in_notes(x.text) is None
