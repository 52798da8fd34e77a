"""Find the passages a notebook quotes, and check them against the CS231n pages we ship.

Used by ``tests/test_quotes.py``; kept apart so that the rules can be tested on their own.

A *quotation* is a passage in double quotes ("..." or curly quotes, within one paragraph)
or a blockquote (consecutive markdown lines starting with ``>``). It is *attributed to the
notes* when the nearest source named in the 200 characters before it is the notes (as
opposed to a paper, an abstract, the authors, ...). It *stands in the notes* when, case,
markdown and punctuation aside, it appears in one of the pages word for word; ``...`` (or
``…`` or ``[...]``) marks an omission, and the parts must then appear in order on one page.
"""
import json
import pathlib
import re
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTES_DIR = ROOT / "tests" / "fixtures" / "cs231n_notes"
PAGES = ("convolutional-networks.md", "understanding-cnn.md", "transfer-learning.md", "adversary-attacks.md")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# The words that name where a quotation comes from; the nearest one before a quotation wins.
SOURCES = ("notes", "abstract", "paper", "et al", "authors", "they write", "title", "caption")
WINDOW = 200

_OMISSION = re.compile(r"\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026")
_QUOTE = re.compile(r'"((?:[^"\n]|\n(?!\s*\n)){1,600})"|\u201c((?:[^\u201d\n]|\n(?!\s*\n)){1,600})\u201d')


def normalize(text):
    """Lower case, markdown and punctuation removed, words separated by one space (and padded by one)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)       # links and images keep their text
    text = re.sub(r"<[^>]+>", " ", text)                            # html tags
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(\w)'(\w)", r"\1\2", text)                      # don't -> dont, on both sides
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return " " + text.strip() + " "


def _pages():
    return {name: normalize((NOTES_DIR / name).read_text(encoding="utf-8")) for name in PAGES}


_PAGE_CACHE = {}


def notes_pages():
    """{page name: normalized text} of the shipped course pages (read once)."""
    if not _PAGE_CACHE:
        _PAGE_CACHE.update(_pages())
    return _PAGE_CACHE


def where_in_notes(passage, pages=None):
    """The page a passage stands in word for word ('...' for omissions), or None."""
    parts = [normalize(p) for p in _OMISSION.split(passage)]
    parts = [p for p in parts if p.strip()]
    if not parts:
        return None
    for name, text in (pages or notes_pages()).items():
        at = 0
        for part in parts:
            k = text.find(part, at)
            if k < 0:
                break
            at = k + len(part) - 1
        else:
            return name
    return None


@dataclass
class Quotation:
    notebook: str     # file name
    cell: int         # index of the markdown cell
    text: str         # the quoted passage
    before: str       # up to WINDOW characters of the cell before it
    blockquote: bool

    @property
    def source(self):
        """The nearest source word before the quotation ('notes', 'paper', ...) or None."""
        before = self.before.lower()
        found = max((before.rfind(word), word) for word in SOURCES)
        return found[1] if found[0] >= 0 else None

    @property
    def words(self):
        return len(normalize(self.text).split())

    def __str__(self):
        return f"{self.notebook} cell {self.cell}: \"{' '.join(self.text.split())[:90]}\""


def _blank_code(text):
    """Fenced code blocks and inline code spans replaced by spaces (quotes inside code are code)."""
    text = re.sub(r"```.*?```", lambda m: " " * len(m.group(0)), text, flags=re.S)
    return re.sub(r"`[^`\n]*`", lambda m: m.group(0) if '"' not in m.group(0) else " " * len(m.group(0)), text)


def quotations_in(markdown, notebook="", cell=0):
    """Every quotation of one markdown text, in order."""
    text = _blank_code(markdown)
    found = []
    for m in _QUOTE.finditer(text):
        quoted = m.group(1) if m.group(1) is not None else m.group(2)
        found.append(Quotation(notebook, cell, quoted, text[max(0, m.start() - WINDOW):m.start()], False))
    lines = text.split("\n")
    block, start = [], 0
    for i, line in enumerate(lines + [""]):
        if line.lstrip().startswith(">"):
            if not block:
                start = sum(len(x) + 1 for x in lines[:i])
            block.append(line.lstrip()[1:].strip())
        elif block:
            found.append(Quotation(notebook, cell, " ".join(block), text[max(0, start - WINDOW):start], True))
            block = []
    return found


def notebook_quotations(path):
    """Every quotation in the markdown cells of one notebook file."""
    nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    found = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "markdown":
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            found += quotations_in(src, pathlib.Path(path).name, i)
    return found
