"""The claims register keeps itself honest (see tests/claims_lib.py).

- every notebook has a register (tests/test_claims_NN.py);
- every claim can fail: altering any one number it reads, in some way, makes it fail;
- every candidate sentence (a number or a comparative word) is covered by a claim or exempted
  with a reason, and every exemption still matches a sentence;
- the files the sentences rest on are the ones the register was last read against.
"""
import json

import numpy as np
import pytest

import claims_lib as cl

REGISTERS = cl.all_registers()
CLAIMS = [(reg, c) for reg in REGISTERS for c in reg.claims]
NOTEBOOKS = sorted((cl.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# The ways a number is altered; a claim must fail under at least one alteration of at least one read.
ALTERATIONS = (
    lambda x: x * 1.37 + 1,
    lambda x: x * 0.6 - 1,
    lambda x: -x - 1,
    lambda x: x * 10 + 10,
)


def _run(reg, claim, index=None, alter=None):
    cl._Mutation.index, cl._Mutation.alter, cl._Mutation.count = index, alter, 0
    try:
        reg.check(claim)
        return None, cl._Mutation.count
    except Exception as err:  # noqa: BLE001 - any failure of the claim counts
        return err, cl._Mutation.count
    finally:
        cl._Mutation.index, cl._Mutation.alter = None, None


def can_fail(reg, claim):
    """None if some alteration of some read makes the claim fail; else why not."""
    err, reads = _run(reg, claim)
    if err is not None:
        return None            # it fails as it is: its own test reports that
    if reads == 0:
        return "reads no number (read them with nb.numbers(...) or Results(...).get(...))"
    for i in range(reads):
        for alter in ALTERATIONS:
            if _run(reg, claim, i, alter)[0] is not None:
                return None
    return f"passes whatever any of its {reads} numbers is: its assertion does not test what it reads"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_notebook_has_a_register(path):
    assert any(reg.nb.path == path for reg in REGISTERS), \
        f"tests/test_claims_{path.stem[:2]}.py with a Register of {path.name} is missing"


@pytest.mark.parametrize("reg,claim", CLAIMS, ids=[f"{r.nb.number}-{c.name}" for r, c in CLAIMS])
def test_every_claim_can_fail(reg, claim):
    why = can_fail(reg, claim)
    assert why is None, f"{reg.nb.name}: the claim {claim.name} ({claim.says!r}) {why}"


@pytest.mark.parametrize("reg", REGISTERS, ids=[r.nb.number for r in REGISTERS])
def test_every_candidate_sentence_is_covered_or_exempted(reg):
    missing = cl.uncovered(reg)
    assert not missing, (f"{reg.nb.name}: {len(missing)} sentences state a number or a comparison but have no "
                         "claim in the register and no exemption (python tools/claims.py --uncovered "
                         f"{reg.nb.number}):\n- " + "\n- ".join(missing))


@pytest.mark.parametrize("reg", REGISTERS, ids=[r.nb.number for r in REGISTERS])
def test_every_exemption_still_matches_a_sentence(reg):
    text = [cl.squash(s) for c in reg.nb.cells if c["cell_type"] == "markdown"
            for s in cl.sentences(cl._source(c))]
    stale = [f for f, _ in reg.exempt if not any(cl.squash(f) in s for s in text)]
    assert not stale, f"{reg.nb.name}: exemptions that match no sentence any more: {stale}"


def test_the_files_the_sentences_rest_on_are_unchanged():
    changed = cl.changed_sources(REGISTERS)
    lines = [f"{path} changed (or is new to the register); reread:\n" +
             "\n".join(f"    {nb}: {says!r}" for nb, says in sentences) for path, sentences in changed.items()]
    assert not changed, ("files the notebooks' sentences rest on differ from tests/claims_sources/NN.json:\n"
                         + "\n".join(lines) + "\nreread those sentences against the new numbers, fix what no "
                         "longer holds, then run `python tools/claims.py --lock NN`")


# ---- the machinery itself, on a made-up notebook --------------------------------------------------

@pytest.fixture
def toy(tmp_path, monkeypatch):
    nb = {"cells": [
        {"cell_type": "markdown", "id": "m1", "source": "The net beats chance by far: 91.2% against 10%.\n\n"
                                                        "Run the next cell to see it."},
        {"cell_type": "code", "id": "c1", "source": "print(acc)", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "test accuracy 91.2%, chance 10.0%\n"}]},
    ]}
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "99_toy.ipynb").write_text(json.dumps(nb))
    monkeypatch.setattr(cl, "ROOT", tmp_path)
    return cl.Notebook("99")


def test_a_claim_reads_the_printed_numbers_and_fails_when_they_change(toy):
    reg = cl.Register(toy)

    @reg.claim("The net beats chance by far: 91.2% against 10%.")
    def beats(nb):
        acc, chance = nb.numbers("print(acc)", r"accuracy ([\d.]+)%, chance ([\d.]+)%")
        assert round(acc, 1) == 91.2 and acc > 5 * chance

    (claim,) = reg.claims
    assert _run(reg, claim) == (None, 2)
    assert can_fail(reg, claim) is None
    err, _ = _run(reg, claim, 0, ALTERATIONS[0])
    assert isinstance(err, AssertionError)


def test_a_claim_that_cannot_fail_is_found(toy):
    reg = cl.Register(toy)

    @reg.claim("The net beats chance by far")
    def vacuous(nb):
        acc, chance = nb.numbers("print(acc)", r"accuracy ([\d.]+)%, chance ([\d.]+)%")
        assert acc == acc

    @reg.claim("The net beats chance by far")
    def reads_nothing(nb):
        assert "91.2" in nb.output("print(acc)")

    assert "passes whatever" in can_fail(reg, reg.claims[0])
    assert "reads no number" in can_fail(reg, reg.claims[1])


def test_a_rewritten_sentence_fails_its_claim(toy):
    reg = cl.Register(toy)

    @reg.claim("The net beats chance by far: 95% against 10%.")
    def stale(nb):
        assert nb.value("print(acc)", r"accuracy ([\d.]+)%") > 90

    with pytest.raises(AssertionError, match="no longer says"):
        reg.check(reg.claims[0])


def test_candidate_sentences_and_coverage(toy):
    reg = cl.Register(toy)
    assert cl.uncovered(reg) == ["The net beats chance by far: 91.2% against 10%."]
    reg.not_claims([("The net beats chance", "a made-up exemption for the test")])
    assert cl.uncovered(reg) == []
    assert cl.is_candidate("In 2015 section 3 of notebook 04 showed it") is False
    assert cl.is_candidate("It takes minutes") and cl.is_candidate("about 6.8 million")
    assert cl.sentences("A first one. A second one!\n\n- a list item\n- 2 items") == \
        ["A first one.", "A second one!", "- a list item", "- 2 items"]
    assert cl.sentences("It is 5 (see below.) Then 6. **Ties.** Two are equal. **Done.**") == \
        ["It is 5 (see below.)", "Then 6.", "**Ties.** Two are equal.", "**Done.**"]
    with pytest.raises(ValueError, match="the reason"):
        reg.not_claims([("fragment", "")])


def test_reading_a_boolean_is_refused():
    with pytest.raises(TypeError, match="numbers, not booleans"):
        cl.read(True)
    assert np.allclose(cl.read([1, 2]), [1.0, 2.0])


def test_a_changed_file_names_the_sentences_to_reread(toy, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "r.json").write_text('{"acc": 0.912}')
    reg = cl.Register(toy, reads=["data/r.json"])

    @reg.claim("The net beats chance by far")
    def beats(nb):
        assert cl.Results("data/r.json").get("acc") > 0.5

    assert cl.changed_sources([reg]) == {"data/r.json": [("99_toy.ipynb", "The net beats chance by far")]}
    cl.write_lock([reg])
    assert json.loads((tmp_path / "tests" / "claims_sources" / "99.json").read_text()) == \
        {"data/r.json": cl.sha256("data/r.json")}
    assert cl.changed_sources([reg]) == {}
    (tmp_path / "data" / "r.json").write_text('{"acc": 0.913}')
    assert list(cl.changed_sources([reg])) == ["data/r.json"]
