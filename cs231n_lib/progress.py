"""A progress bar whose saved output shows where it ended, not 0%.

``tqdm.auto`` draws a widget in Jupyter and text elsewhere.  A saved notebook keeps the
widget's *first* display data, so GitHub and nbviewer (which cannot show widgets without
their state) print ``training:   0%| | 0/96``.  :func:`progress_bar` displays the same
widget under a display id and, when the bar closes, updates that display with the bar's
final text (``training: 100%|##########| 96/96 [00:09, loss=0.512]``); notebook runners
(nbclient, so ``tools/run_notebooks.py``) store the update.  Outside Jupyter it is plain
``tqdm``.

Imports nothing of ours, so the training loop may use it.
"""
from __future__ import annotations

import functools

__all__ = ["progress_bar"]


def progress_bar(total, desc="training", unit="it", **kwargs):
    """A tqdm bar for ``total`` steps; in Jupyter its saved output is its final state."""
    from tqdm.auto import tqdm

    try:
        from tqdm.notebook import tqdm as notebook_tqdm
    except ImportError:  # pragma: no cover - tqdm without its notebook module
        notebook_tqdm = None
    if notebook_tqdm is None or not issubclass(tqdm, notebook_tqdm):  # not in Jupyter
        return tqdm(total=total, desc=desc, unit=unit, **kwargs)
    return _bar_class(tqdm)(total=total, desc=desc, unit=unit, **kwargs)


@functools.lru_cache(maxsize=None)
def _bar_class(base):
    from IPython.display import display

    class SavedBar(base):
        """tqdm.notebook, displayed with a display id and updated to its final text on close."""

        def __init__(self, *args, **kwargs):
            kwargs["display"] = False
            super().__init__(*args, **kwargs)
            self._handle = None
            if not self.disable:
                self._handle = display(self._bundle(), raw=True, display_id=True)
                self.displayed = True

        def _bundle(self):
            return {
                "text/plain": self.format_meter(**self.format_dict),
                "application/vnd.jupyter.widget-view+json": {
                    "version_major": 2, "version_minor": 0, "model_id": self.container.model_id},
            }

        def close(self):
            closed = self.disable
            super().close()
            if not closed and self._handle is not None:
                self._handle.update(self._bundle(), raw=True)
                self._handle = None

    return SavedBar
