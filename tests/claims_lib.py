"""The claims register: one assertion per comparative or quantitative sentence of a notebook.

Each notebook has a file ``tests/test_claims_NN.py`` that builds a :class:`Register` and adds
one claim per sentence that states a measured relation ("holds", "beats", "a tie", "often",
"about 6.8 million", "takes minutes", ...)::

    from claims_lib import Notebook, Register

    NB = Notebook("06")
    REGISTER = Register(NB, reads=["data/zoo/shapes_convnet.npz", "cs231n_lib/recipes/shapes_convnet.py"])

    @REGISTER.claim("19 of the 74 misses are flat maps")
    def misses(nb):
        flat, misses = nb.numbers("minimum_inside_object(", r"flat maps: (\\d+) of (\\d+)")
        assert (flat, misses) == (19, 74)

    NOT_CLAIMS = REGISTER.not_claims([
        ("Run the next cell", "an instruction"),
    ])

    test_claims = REGISTER.tests()

A claim's test first checks that its sentence (``says``) still stands in the notebook's
markdown, word for word (whitespace aside): rewrite the sentence and the register must follow.
Then it runs the assertion on the numbers the notebook printed (:meth:`Notebook.numbers`,
reading the saved outputs of the executed notebook) or on shipped result files
(:class:`Results`). A sentence whose assertion would not hold is rewritten, never the test.

``tests/test_claims_register.py`` keeps the register honest:

- *every claim can fail*: each number a claim reads is altered in turn (scaled, negated,
  shifted); a claim that still passes under every alteration reads nothing it checks;
- *every candidate sentence is accounted for*: a markdown sentence with a number or a
  comparative word is either covered by a claim or listed in ``NOT_CLAIMS`` with the reason;
- *files that change send you back to the sentences*: ``reads`` lists the result files,
  weights and recipes a notebook's sentences rest on; ``tests/claims_sources/NN.json`` pins
  their sha256, and when one changes the test lists the sentences to reread
  (then ``python tools/claims.py --lock``).
"""
import functools
import hashlib
import json
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCKS = "tests/claims_sources"   # one NN.json per notebook: {path: sha256} of the files its sentences rest on


# ---------------------------------------------------------------------------------------------
# Every number a claim reads goes through read(): the register's mutation test alters them here.

class _Mutation:
    index = None      # which read to alter (None: alter nothing)
    alter = None      # how
    count = 0         # reads so far


def read(value):
    """Pass a number (or an array of numbers) read for a claim; the mutation test alters it here."""
    i = _Mutation.count
    _Mutation.count += 1
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise TypeError("a claim reads numbers, not booleans or None: read the number the boolean was made of")
    value = np.asarray(value, dtype=np.float64) if not np.isscalar(value) else float(value)
    if _Mutation.index == i:
        value = _Mutation.alter(value)
    return value


# ---------------------------------------------------------------------------------------------

def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def squash(text):
    """Whitespace collapsed to single spaces (how sentences are compared)."""
    return " ".join(text.split())


def _output_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append("".join(out.get("text", "")))
        elif out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            if "text/plain" in data and not any(k.startswith("image/") for k in data):
                parts.append("".join(data["text/plain"]))
    return "".join(parts)


_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"


def to_number(text):
    """'1,234.5' -> 1234.5; '98.2%' -> 98.2 (the percent sign is the caller's business)."""
    return float(text.replace(",", "").rstrip("%"))


@dataclass
class Notebook:
    """The saved cells of one executed notebook, found by its number ("06")."""

    number: str

    @functools.cached_property
    def path(self):
        (path,) = sorted((ROOT / "notebooks").glob(f"{self.number}_*.ipynb"))
        return path

    @functools.cached_property
    def cells(self):
        return json.loads(self.path.read_text(encoding="utf-8"))["cells"]

    @property
    def name(self):
        return self.path.name

    def cell(self, where, kind=None):
        """The one cell whose id is ``where``, or whose source contains ``where`` (a unique fragment)."""
        matches = [c for c in self.cells if c.get("id") == where and (kind is None or c["cell_type"] == kind)]
        if not matches:
            matches = [c for c in self.cells if (kind is None or c["cell_type"] == kind)
                       and squash(where) in squash(_source(c))]
        if len(matches) != 1:
            raise AssertionError(f"{self.name}: {len(matches)} {kind or ''} cells match {where!r}; "
                                 "give a fragment of the source that only one cell has")
        return matches[0]

    def markdown(self, where):
        return _source(self.cell(where, "markdown"))

    def source(self, where):
        return _source(self.cell(where, "code"))

    def output(self, where):
        """The text a code cell printed (stdout and plain-text results; not figures)."""
        return _output_text(self.cell(where, "code"))

    def numbers(self, where, pattern, flags=0):
        """The numbers captured by ``pattern``'s groups in a code cell's output (each through read()).

        Groups capture number text ('1,234', '98.2', '-3e-05'); a pattern that does not match fails.
        """
        text = self.output(where)
        m = re.search(pattern, text, flags)
        if not m:
            raise AssertionError(f"{self.name}: the output of the cell with {where!r} has no match for "
                                 f"{pattern!r}; it reads:\n{text[:800]}")
        groups = m.groups() or (m.group(0),)
        return tuple(read(to_number(g)) for g in groups)

    def value(self, where, pattern, flags=0):
        """The single number captured by ``pattern`` (see :meth:`numbers`)."""
        values = self.numbers(where, pattern, flags)
        if len(values) != 1:
            raise AssertionError(f"{pattern!r} captures {len(values)} numbers; use numbers()")
        return values[0]

    def all_numbers(self, where, pattern, flags=0):
        """Every match of ``pattern`` in a cell's output: a list of tuples of numbers (each through read())."""
        text = self.output(where)
        found = [tuple(read(to_number(g)) for g in (m.groups() or (m.group(0),)))
                 for m in re.finditer(pattern, text, flags)]
        if not found:
            raise AssertionError(f"{self.name}: no match for {pattern!r} in the output of {where!r}:\n{text[:800]}")
        return found

    def says(self, sentence):
        """Assert that ``sentence`` stands in exactly one markdown cell (whitespace aside); return that cell's text."""
        hits = [_source(c) for c in self.cells if c["cell_type"] == "markdown" and squash(sentence) in squash(_source(c))]
        if not hits:
            raise AssertionError(f"{self.name} no longer says {sentence!r}: reread the new sentence against its "
                                 "output and update its claim in the register")
        return hits[0]


class Results:
    """A shipped result file (JSON) whose numbers a claim reads: ``Results("data/x.json").get("a", 0, "b")``."""

    def __init__(self, path):
        self.path = ROOT / path
        self.raw = json.loads(self.path.read_text(encoding="utf-8"))

    def get(self, *keys):
        """The number (or list of numbers, as an array) at ``raw[k0][k1]...``, through read()."""
        value = self.raw
        for k in keys:
            value = value[k]
        return read(value)


# ---------------------------------------------------------------------------------------------

@dataclass
class Claim:
    says: str
    func: object
    reads: tuple = ()

    @property
    def name(self):
        return self.func.__name__


@dataclass
class Register:
    """The claims of one notebook and the files its sentences rest on."""

    nb: Notebook
    reads: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    exempt: list = field(default_factory=list)

    def claim(self, says, reads=()):
        """Decorator: the function asserts what the sentence ``says`` (a fragment of one sentence or more)."""
        def add(func):
            if any(c.name == func.__name__ for c in self.claims):
                raise ValueError(f"two claims named {func.__name__}")
            self.claims.append(Claim(says, func, tuple(reads)))
            return func
        return add

    def not_claims(self, entries):
        """Sentences that look like claims but state no measured relation: [(fragment, why), ...]."""
        for entry in entries:
            if len(entry) != 2 or not entry[1].strip():
                raise ValueError(f"{entry!r}: give (fragment, the reason it is not a claim)")
        self.exempt.extend(entries)
        return entries

    def check(self, claim):
        """Run one claim: its sentence is still there, and its assertion holds."""
        self.nb.says(claim.says)
        claim.func(self.nb)

    def tests(self):
        """A pytest test over every claim of the register, one item per claim."""
        @pytest.mark.parametrize("claim", self.claims, ids=[c.name for c in self.claims])
        def test_claim(claim):
            _Mutation.index, _Mutation.count = None, 0
            self.check(claim)
        return test_claim

    def sources(self, claim):
        return tuple(dict.fromkeys(list(self.reads) + list(claim.reads)))


# ---------------------------------------------------------------------------------------------
# Candidate sentences: what the coverage test asks to be covered or exempted.

COMPARATIVE = re.compile(
    r"\b(holds?|held|beats?|tie[sd]?|often|most|mostly|fails?|failed|about|roughly|nearly|almost|"
    r"more|less|fewer|higher|lower|better|worse|faster|slower|larger|smaller|bigger|twice|half|"
    r"agrees?|disagrees?|always|never|percent|minutes|seconds|than|outperforms?|wins?|loses)\b", re.I)


# A sentence ends at . ! or ? (perhaps followed by a closing bracket, quote or emphasis) before
# a space and a capital, a digit or an opening mark.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][)\"'*_])|(?<=[.!?][)\"'*_]{2}))\s+(?=[\"'(*_`\[A-Z0-9])")


_LABEL = re.compile(r"(?:[-*+]\s+)?\*\*[^*]+\*\*")


def sentences(markdown):
    """The sentences of a markdown text (code blocks, display maths and image links removed)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)|\n(?=#)|\n(?=\|)", text):
        block = squash(block)
        if not block or re.fullmatch(r"\|?[\s:|-]+\|?", block):
            continue
        parts = [s for s in _SENTENCE_END.split(block) if s.strip()]
        for i, s in enumerate(parts):
            if i + 1 < len(parts) and _LABEL.fullmatch(s):
                parts[i + 1] = s + " " + parts[i + 1]   # a bold label ("**1.**", "* **Ties.**") opens its sentence
            else:
                out.append(s)
    return out


def is_candidate(sentence):
    """Does the sentence state a number or a comparison (outside code spans, maths and links)?"""
    prose = re.sub(r"`[^`]*`", " ", sentence)
    prose = re.sub(r"\$[^$]*\$", " ", prose)
    prose = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", prose)
    prose = re.sub(r"^#+\s*\d+\.?\s*", "", prose)          # "## 3. Filters": a section number
    prose = re.sub(r"\b(?:notebook|section|cell|figure|fig\.|table|step|exercise|part)s?\s+\d+", " ", prose, flags=re.I)
    prose = re.sub(r"\b(?:19|20)\d\d\b", " ", prose)          # years
    prose = re.sub(r"\b[A-Za-z]+\d+[A-Za-z]\w*", " ", prose)  # names with digits inside: CS231n, conv3x3a
    return bool(re.search(r"\d", prose) or COMPARATIVE.search(prose))


def covered(sentence, fragments):
    s = squash(sentence)
    return any(f in s or (len(s) > 20 and s in f) for f in fragments)


def uncovered(register):
    """Candidate sentences of the register's notebook that no claim and no exemption accounts for."""
    fragments = [squash(c.says) for c in register.claims] + [squash(f) for f, _ in register.exempt]
    missing = []
    for cell in register.nb.cells:
        if cell["cell_type"] != "markdown":
            continue
        for s in sentences(_source(cell)):
            if is_candidate(s) and not covered(s, fragments):
                missing.append(s)
    return missing


# ---------------------------------------------------------------------------------------------
# Which sentences to reread when a file they rest on changes.

def sha256(path):
    return hashlib.sha256((ROOT / path).read_bytes()).hexdigest()


def lock_path(register):
    return ROOT / LOCKS / f"{register.nb.number}.json"


def locked(register):
    path = lock_path(register)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def changed_sources(registers):
    """{path: [(notebook, sentence), ...]} for every file whose sha256 differs from the lock."""
    found = {}
    for reg in registers:
        pins = locked(reg)
        for claim in reg.claims:
            for path in reg.sources(claim):
                if not (ROOT / path).exists() or pins.get(path) != sha256(path):
                    found.setdefault(path, []).append((reg.nb.name, claim.says))
    return found


def all_registers():
    """The Register of every tests/test_claims_NN.py module."""
    import importlib
    import sys
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    regs = []
    for path in sorted((ROOT / "tests").glob("test_claims_[0-9][0-9]*.py")):
        module = importlib.import_module(path.stem)
        regs += [v for v in vars(module).values() if isinstance(v, Register)]
    return regs


def write_lock(registers):
    """Pin the sha256 of every file each register reads, one file per notebook; return the paths."""
    written = []
    for reg in registers:
        paths = sorted({p for c in reg.claims for p in reg.sources(c)})
        missing = [p for p in paths if not (ROOT / p).exists()]
        if missing:
            raise SystemExit(f"{reg.nb.name}: the register reads files that do not exist: {missing}")
        lock_path(reg).parent.mkdir(parents=True, exist_ok=True)
        lock_path(reg).write_text(json.dumps({p: sha256(p) for p in paths}, indent=1) + "\n", encoding="utf-8")
        written.append(lock_path(reg))
    return written
