"""Saved notebooks read well without a kernel: widget cells and progress bars.

GitHub and nbviewer render a saved notebook with nbconvert's HTML exporter and skip a
widget view whose state is not saved (tools/run_notebooks.py never saves it). They then
show the next output format: our explorers carry a PNG of their state, and the training
progress bar's text is updated to its final state when it closes.

The first test runs a small notebook in a real kernel with nbclient (as run_notebooks
does), strips the widget state, and renders it as GitHub does (with and without HTML
sanitizing); the others check the committed notebooks and the Solver's bar.
"""
import base64
import json
import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def _execute(nb, timeout=120):
    """Run ``nb`` in a fresh kernel, retrying once on a missed last message (PITFALLS.md)."""
    from nbclient import NotebookClient

    for attempt in (1, 2):
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True)
        try:
            client.execute()
            return nb
        except TimeoutError:
            if attempt == 2:
                raise


@pytest.fixture(scope="module")
def rendered():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom cs231n_lib import widgets\n"
                                  "widgets.pool_explorer(W=8, F=2, S=2)"),
        nbformat.v4.new_code_cell("widgets.budget_calculator()"),
        nbformat.v4.new_code_cell("from cs231n_lib.progress import progress_bar\n"
                                  "bar = progress_bar(total=7, desc='training')\n"
                                  "for _ in range(7):\n    bar.update(1)\nbar.close()"),
    ]
    _execute(nb)
    nb.metadata.pop("widgets", None)  # as tools/run_notebooks.py saves it
    return nb


def test_the_saved_outputs_hold_the_fallbacks(rendered):
    explorer, calculator, bar = (cell.outputs[0] for cell in rendered.cells)
    assert WIDGET in explorer.data and explorer.data["image/png"]
    assert base64.b64decode(explorer.data["image/png"]).startswith(b"\x89PNG")
    assert "(8 - 2)/2 + 1 = 4" in explorer.data["text/plain"]
    assert "image/png" not in calculator.data and "parameters:" in calculator.data["text/plain"]
    # the bar's display was updated when it closed: its final state, not 0%
    assert WIDGET in bar.data
    assert re.match(r"training: 100%\|.*\| 7/7 ", bar.data["text/plain"]), bar.data["text/plain"]


@pytest.mark.parametrize("sanitize", [False, True], ids=["nbviewer", "sanitized"])
def test_github_and_nbviewer_show_the_fallbacks(rendered, sanitize):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    exporter.sanitize_html = sanitize
    body, _ = exporter.from_notebook_node(rendered)
    assert "VBox(children" not in body and "0/7" not in body
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', body)) == 1  # the pooling explorer
    assert "Budget calculator: a static copy" in body      # the calculator's text
    assert "7/7" in body                                    # the bar's final state


def _widget_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if WIDGET in out.get("data", {}):
                yield k, "".join(cell["source"]), out["data"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_widget_output_of_the_notebooks_reads_well_without_a_kernel(path):
    for k, source, data in _widget_outputs(path):
        plain = "".join(data.get("text/plain", ""))
        assert not plain.startswith(("VBox(", "HBox(")), f"cell {k} ({source[:40]}) shows {plain[:40]}"
        assert " 0%|" not in plain, f"cell {k}: a progress bar saved at 0%"
        if "explorer(" in source:   # a picture, or HTML with pictures in it (an animation)
            html = "".join(data.get("text/html", ""))
            assert "image/png" in data or "data:image/png;base64," in html, f"cell {k}: an explorer without its picture"


def test_the_solver_uses_the_saved_progress_bar(monkeypatch):
    import numpy as np

    from cs231n_lib import progress
    from cs231n_lib.nets import TwoLayerNet
    from cs231n_lib.solver import Solver

    made, original = [], progress.progress_bar

    def recording_bar(**kwargs):
        bar = original(**kwargs)
        made.append(bar)
        return bar

    monkeypatch.setattr(progress, "progress_bar", recording_bar)
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((20, 4)).astype(np.float32), "y_train": rng.integers(2, size=20),
            "X_val": rng.standard_normal((10, 4)).astype(np.float32), "y_val": rng.integers(2, size=10)}
    model = TwoLayerNet(input_dim=4, hidden_dim=5, num_classes=2, seed=0)
    Solver(model, data, num_epochs=1, batch_size=10, progress=True, verbose=False, seed=0).train()
    assert len(made) == 1 and made[0].n == made[0].total == 2


def test_the_conv_step_explorer_is_saved_animated_for_nbviewer_and_as_a_strip_for_github():
    """Notebook 01's step-through explorer (issue 28) stores the notes' example as an animation
    that plays where scripts run (nbviewer, the book) and a strip of the first positions that
    shows where they do not (GitHub); tests/test_book.py opens both in a browser."""
    from nbconvert import HTMLExporter

    (path,) = [p for p in NOTEBOOKS if p.name.startswith("01_")]
    nb = nbformat.read(str(path), as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "widgets.conv_step_explorer(" in c.source]
    (out,) = cell.outputs
    html = out.data["text/html"]
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', html)) == 18
    strip = html[html.index('class="conv-steps-strip"'):html.index('class="conv-steps-animation"')]
    assert len(re.findall(r'<img src="data:image/png;base64,', strip)) == 3
    assert "play_animation()" in html and "http://" not in html and "https://" not in html
    assert "output position = 0" in out.data["text/plain"]
    nb.cells = [cell]
    body, _ = HTMLExporter().from_notebook_node(nb)   # nbviewer: the output's HTML as it is
    assert body.count("new Animation(frames") == 1 and "play_animation()" in body
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', body)) == 18
    shown = body[body.index('class="conv-steps-strip"'):body.index('class="conv-steps-animation"')]
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', shown)) == 3
