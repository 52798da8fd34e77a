"""Every committed notebook is executed, clean and starts with the standard cells."""
import json
import pathlib
import re
import runpy

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
cells = runpy.run_path(str(ROOT / "tools" / "notebook_cells.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_BYTES = 2_000_000
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def problems(nb, name, size=0):
    """Return a list of human-readable problems with notebook ``nb`` (a dict)."""
    found = []
    if not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name):
        found.append(f"file name {name!r} is not NN_topic.ipynb")
    if size > MAX_BYTES:
        found.append(f"{size / 1e6:.1f} MB is over the 2 MB limit")
    nbcells = nb.get("cells", [])
    if len(nbcells) < 3:
        return found + ["fewer than three cells"]
    first, setup = nbcells[0], nbcells[1]
    number = name[:2]
    if first["cell_type"] != "markdown" or not _source(first).startswith(f"# {number} · "):
        found.append(f"first cell must be markdown starting '# {number} · Title'")
    elif cells["badges_markdown"](name) not in _source(first):
        found.append("first cell lacks the Colab/Binder badges (run tools/notebook_cells.py)")
    if setup["cell_type"] != "code" or _source(setup) != cells["colab_setup_source"]():
        found.append("second cell is not the standard Colab setup cell")
    elif setup.get("outputs"):
        found.append("the Colab setup cell has output")
    if "%matplotlib inline" not in _source(nbcells[2]):
        found.append("third cell must start the inline matplotlib backend")
    code = [c for c in nbcells if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"execution counts {counts} are not 1..{len(code)}: run tools/run_notebooks.py")
    ignored = 0
    for i, c in enumerate(code, 1):
        tags = set(c.get("metadata", {}).get("tags", []))
        if tags & IGNORE_TAGS:
            ignored += 1
            if "nbval-skip" in tags:
                found.append(f"code cell {i} is skipped by nbval")
        for out in c.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"code cell {i} stored an error ({out.get('ename')})")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"code cell {i} stored stderr output (a warning?)")
    for i, c in enumerate(code, 1):  # an interactive cell needs a static twin next to it
        if set(c.get("metadata", {}).get("tags", [])) & IGNORE_TAGS:
            twins = [code[j] for j in (i - 2, i) if 0 <= j < len(code)]
            if not any(t.get("outputs") and not set(t.get("metadata", {}).get("tags", [])) & IGNORE_TAGS
                       for t in twins):
                found.append(f"code cell {i} is exempt from nbval but has no compared twin cell with output next to it")
    if code[3:] and not any(c.get("outputs") for c in code[3:]):
        found.append("no stored outputs: run tools/run_notebooks.py before committing")
    if code and ignored / len(code) > 0.2:
        found.append(f"{ignored} of {len(code)} code cells are exempt from nbval")
    widgets = nb.get("metadata", {}).get("widgets")
    if widgets is not None:
        found.append("metadata.widgets is stored (GitHub refuses it without state)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert problems(nb, path.name, path.stat().st_size) == []


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


def _first_code_after_setup(nb):
    return next(c for c in nb["cells"][3:] if c["cell_type"] == "code")


def _drop_twins(nb):
    """Empty the code cells next to every widget cell: the widget has no static twin left."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    widget = [k for k, c in enumerate(code) if "nbval-ignore-output" in c["metadata"].get("tags", [])]
    assert widget, "the fixture notebook needs a widget cell"
    for k in widget:
        for j in (k - 1, k + 1):
            if 0 <= j < len(code) and j not in widget:
                code[j]["outputs"] = []


@pytest.mark.parametrize("corrupt, expected", [
    (lambda nb: nb["cells"].__delitem__(1), "second cell"),
    (lambda nb: _first_code_after_setup(nb).__setitem__("execution_count", 99), "execution counts"),
    (lambda nb: _first_code_after_setup(nb)["outputs"].append(
        {"output_type": "stream", "name": "stderr", "text": "Warning"}), "stderr"),
    (lambda nb: nb["metadata"].__setitem__("widgets", {"x": {}}), "metadata.widgets"),
    (lambda nb: nb["cells"][0].__setitem__("source", "# Untitled"), "first cell"),
    (lambda nb: [c.__setitem__("outputs", []) for c in nb["cells"] if c["cell_type"] == "code"],
     "no stored outputs"),
    (lambda nb: _drop_twins(nb), "no compared twin"),
    (lambda nb: nb["cells"][2].__setitem__("source", "import numpy as np"), "third cell"),
])
def test_hygiene_check_catches_a_corrupted_notebook(corrupt, expected):
    broken = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    corrupt(broken)
    assert any(expected in p for p in problems(broken, NOTEBOOKS[0].name))
