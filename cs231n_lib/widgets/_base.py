"""What every explorer shares: its text panel as HTML, controls that hold exactly the value
asked for, the wiring of the controls to a render function, and a static picture of the
explorer for readers without a kernel.

**Controls never clamp.**  :func:`_int_slider` widens a slider's range to include the value
it is given (``conv_explorer(W=227)`` shows W = 227, not the slider's old maximum), and
:func:`_choice` adds a number that is not among a menu's options.  A value a control cannot
hold (a float for an integer slider, an unknown name for a menu) raises ``ValueError`` with
the explanation of the explorer's pure function, never a TraitError from inside ipywidgets.

**Redrawn in place, fast (issue 25).**  An explorer builds one figure with a fixed layout and
its render function returns a :class:`Drawing`: a key naming the picture (the settings it
depends on) and a function that updates the figure's artists in place.  :func:`_wire` draws a
key it has not drawn before (as PNG, through :mod:`cs231n_lib.widgets._render`: no tight bounding
box, no layout pass), keeps the last ``PICTURES_KEPT`` pictures (going back to a setting costs
nothing), and sends nothing new when a control changes only the text.  Sliders update while
dragged where the explorer says an update is cheap (``continuous_update``); a change that
arrives while a picture is being drawn supersedes it (:func:`_latest_only`), and the browser
side of ipywidgets already merges the changes made while the kernel is busy into one message,
so no queue of stale pictures builds up.

**Static fallback.**  An explorer is an :func:`_explorer_box`: besides the widget view, its
display data carries ``text/plain`` (its settings and text panel) and ``image/png`` (the
panel and the drawing as one picture) of the state it is displayed in.  JupyterLab, Notebook,
Colab and VS Code show the live widget; GitHub and nbviewer, which render saved notebooks
with nbconvert and skip a widget view whose state is not saved
(``tools/run_notebooks.py`` never saves it), show the picture instead of
``VBox(children=...``.  ipympl's canvas does the same.
"""
from __future__ import annotations

import base64
import collections
import functools
import html
import re
import threading
from typing import Callable, Hashable, NamedTuple

from ..arithmetic import as_int

PICTURES_KEPT = 48  # PNGs an explorer keeps (tens of kilobytes each)


@functools.lru_cache(maxsize=None)
def _blas():
    """The process's BLAS libraries (threadpoolctl), found once: limiting them then costs
    microseconds, where ``threadpool_limits`` searches the loaded libraries every time."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread():
    """A context in which numpy's BLAS uses one thread.  An explorer's update multiplies small
    matrices (one image through a small net), where a second thread costs more in waking and
    waiting than it saves: measured on 2 cores, a (1, 2048) by (2048, 128) product took 3 times
    as long with two threads, and notebook 07's class-model step 1.7 times."""
    return _blas().limit(limits=1, user_api="blas")


class Drawing(NamedTuple):
    """An explorer's picture for one setting: ``key`` names it (equal keys, equal pictures) and
    ``draw()`` updates the explorer's figure in place and returns it."""

    key: Hashable
    draw: Callable


def _view_html(valid, text):
    """An explorer's text panel as HTML: the lines of ``text``, or a red box
    headed "Invalid setting." when the setting cannot be drawn."""
    if not valid:
        return (
            "<div style='font-family:monospace;color:#a00;border:1px solid #a00;padding:4px'>"
            f"<b>Invalid setting.</b> {html.escape(text)}</div>"
        )
    body = "<br>".join(html.escape(line) for line in text.splitlines())
    return f"<div style='font-family:monospace'>{body}</div>"


def _panel(valid, text):
    body = html.escape(text)
    if not valid:
        return ("<pre style='color:#a00;border:1px solid #a00;padding:4px;white-space:pre-wrap'>"
                f"{body}</pre>")
    return f"<pre style='white-space:pre-wrap'>{body}</pre>"


def _html_to_text(markup: str) -> str:
    """The text of a panel's HTML (line breaks kept, tags dropped, entities decoded)."""
    text = re.sub(r"<br\s*/?>", "\n", markup)
    text = re.sub(r"</(pre|div|p)>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


# ------------------------------------------------------------------ controls that never clamp
def _int_slider(value, default_range, description, name=None, continuous=False):
    """An IntSlider showing ``value`` exactly: its range is ``default_range`` widened to include
    ``value``.  A value that is not an integer raises ValueError (the slider could not show it).
    ``continuous``: update while the slider is dragged (for an explorer whose update is cheap)."""
    import ipywidgets as w

    name = name or description
    number = _as_integer(value, name)
    low, high = min(default_range[0], number), max(default_range[-1], number)
    return w.IntSlider(value=number, min=low, max=high, description=description,
                       continuous_update=bool(continuous), style={"description_width": "initial"})


def _as_integer(value, name):
    """``value`` as an int for a slider (any integer, even one the view will call invalid), or a
    ValueError saying why not, in the words of :func:`cs231n_lib.arithmetic.as_int`."""
    try:
        return as_int(value, name, -(2 ** 62))
    except ValueError as err:
        raise ValueError(f"{err} (an explorer's slider holds whole numbers)") from None


def _choice(value, options, description, name=None, numeric=True):
    """A Dropdown showing ``value``: a number not among ``options`` is added to them (in order);
    for a menu of names (``numeric=False``) an unknown name raises ValueError listing the names.

    ``options`` may be values or (label, value) pairs."""
    import ipywidgets as w

    name = name or description
    pairs = [o if isinstance(o, tuple) else (str(o), o) for o in options]
    values = [v for _, v in pairs]
    if value not in values or (numeric and isinstance(value, bool)):
        if not numeric:
            raise ValueError(f"{name} must be one of {tuple(values)}, got {value!r}.")
        number = _as_integer(value, name)
        pairs = sorted(pairs + [(str(number), number)], key=lambda p: p[1])
        value = number
    return w.Dropdown(options=pairs, value=value, description=description,
                      style={"description_width": "initial"})


# ------------------------------------------------------------------ wiring
def _wire(controls, render, title="explorer"):
    """Connect an explorer's controls to ``render(**settings) -> (html, drawing)``.

    ``drawing`` is a :class:`Drawing`, or None when the setting has no picture (an invalid one:
    the old picture is removed).  Returns ``(text, picture, wiring, state)``: the HTML panel,
    the Output that shows the PNG, the (invisible) output of ``interactive_output``, and a dict
    holding the last ``html``, the ``png`` shown (bytes, or None), its ``drawing`` and ``key`` (for
    the static fallback and the tests) and how many pictures were ``drawn``.  A key drawn before
    is shown from the last ``PICTURES_KEPT`` pictures; the key shown already sends nothing (the
    text alone changed).  An unexpected error is shown in the panel instead of escaping the
    callback.
    """
    import ipywidgets as w
    from IPython.display import display

    from ._render import figure_png

    text, picture = w.HTML(), w.Output()
    state = {"html": "", "png": None, "key": None, "drawing": None, "drawn": 0}
    kept = collections.OrderedDict()  # key -> PNG bytes, most recent last

    def show(drawing, png):
        state["png"], state["drawing"] = png, drawing
        state["key"] = None if drawing is None else drawing.key
        picture.clear_output(wait=png is not None)  # no new picture: clear the old one now
        if png is not None:
            with picture:
                display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"<{title} picture>"},
                        raw=True)

    def update(superseded=lambda: False, **settings):
        try:
            panel, drawing = render(**settings)
        except Exception as err:  # never let a slider move raise out of the callback
            panel, drawing = _view_html(False, f"unexpected error: {err!r}"), None
        text.value = state["html"] = panel
        if drawing is None:
            if state["key"] is not None or state["png"] is not None:
                show(None, None)
            return
        if drawing.key == state["key"] and state["png"] is not None:
            return  # the same picture: only the text changed
        png = kept.get(drawing.key)
        if png is None:
            try:
                fig = drawing.draw()
                if superseded():
                    return  # a newer change has arrived: its picture is the one to show
                png = figure_png(fig)
            except Exception as err:
                text.value = state["html"] = panel + _view_html(False, f"unexpected error while drawing: {err!r}")
                show(None, None)
                return
            state["drawn"] += 1
            kept[drawing.key] = png
            while len(kept) > PICTURES_KEPT:
                kept.popitem(last=False)
        kept.move_to_end(drawing.key)
        show(drawing, png)

    wiring = w.interactive_output(_latest_only(update, controls), controls)
    return text, picture, wiring, state


def _latest_only(update, controls):
    """Wrap an explorer's ``update(superseded, **settings)`` for ``interactive_output``.

    ipykernel 7 can run two slider callbacks at once, in different threads (widget messages may
    arrive on a subshell): one callback would redraw the shared figure while the other renders
    it to PNG, and the last callback to finish could carry older values than the sliders show.
    The wrapper runs one callback at a time, with the controls' current values (so the last
    callback shows the last setting), skips a callback when a newer one has arrived while it
    waited, and gives ``update`` a ``superseded()`` that turns true as soon as a newer one
    arrives, so that it can stop drawing a picture nobody will see.  Found by tests/test_browser.py.
    Every callback runs with one BLAS thread (:func:`_one_blas_thread`).
    """
    # Re-entrant: a control set inside a callback (the same thread) runs its callback at once, and
    # that newer callback supersedes the one that set it.
    lock, tickets = threading.RLock(), threading.Lock()
    latest = [0]

    @functools.wraps(update)
    def callback(**_):
        with tickets:
            latest[0] += 1
            ticket = latest[0]
        with lock:
            if latest[0] != ticket:
                return  # a newer change waits for the lock: it will show the controls' values
            with _one_blas_thread():
                update(superseded=lambda: latest[0] != ticket,
                       **{key: control.value for key, control in controls.items()})

    return callback


def _one_at_a_time(update, controls):
    """The wrapper of explorers that redraw without :class:`Drawing`: ``update(**settings)`` one at
    a time, with the controls' current values, a callback skipped when a newer one waits
    (:func:`_latest_only` without ``superseded``)."""
    return _latest_only(lambda superseded, **settings: update(**settings), controls)


# ------------------------------------------------------------------ the static fallback
def _settings_line(controls):
    parts = []
    for control in controls.values():
        label = control.description or "?"
        value = control.value
        if hasattr(control, "options"):  # show a menu's label, not its internal value
            value = next((lab for lab, v in _labelled(control.options) if v == value), value)
        parts.append(f"{label} = {value}")
    return ", ".join(parts)


def _labelled(options):
    return [o if isinstance(o, tuple) else (str(o), o) for o in options]


def fallback_bundle(title, controls, state):
    """The static display data of an explorer in its current state: ``text/plain`` (its
    settings and text panel) and, when there is a drawing, ``image/png`` (the panel and the
    drawing as one picture, base64).  Library code: never prints."""
    settings = _settings_line(controls)
    panel = _html_to_text(state.get("html") or "")
    caption = (f"{title}: a static copy of its first state. Run the notebook (e.g. with the Colab or "
               f"Binder badge at the top) to move the controls.")
    plain = "\n".join([caption, f"settings: {settings}", panel]).strip()
    bundle = {"text/plain": plain}
    if state.get("png") is not None and state.get("drawing") is not None:
        bundle["image/png"] = _snapshot_png(caption, settings, panel, state["drawing"].draw())
    return bundle


def _snapshot_png(caption, settings, panel, figure):
    """One PNG: caption, settings and text panel (monospace) above the explorer's drawing (at 80
    dpi: a saved notebook holds it)."""
    import io
    import textwrap

    import matplotlib.image
    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    drawing = matplotlib.image.imread(io.BytesIO(buffer.getvalue()))
    height_px, width_px = drawing.shape[:2]
    lines = textwrap.wrap(caption, 110) + textwrap.wrap(f"settings: {settings}", 110)
    lines += [piece for line in panel.splitlines() for piece in (textwrap.wrap(line, 110) or [""])]
    line_px = 15
    text_px = line_px * (len(lines) + 1)
    width_px = max(width_px, 880)
    snapshot = Figure(figsize=(width_px / 80, (height_px + text_px) / 80), dpi=80)
    for k, line in enumerate(lines):
        snapshot.text(8 / width_px, 1 - (line_px * (k + 1)) / (height_px + text_px), line,
                      family="monospace", fontsize=9, va="bottom",
                      weight="bold" if k == 0 else "normal")
    ax = snapshot.add_axes([0, 0, drawing.shape[1] / width_px, height_px / (height_px + text_px)])
    ax.imshow(drawing)
    ax.set_axis_off()
    out = io.BytesIO()
    snapshot.savefig(out, format="png", dpi=80)
    return base64.b64encode(out.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=None)
def _box_class():
    """A VBox whose display data adds the static fallback (ipywidgets 7 and 8)."""
    import ipywidgets as w
    from IPython.display import display

    class ExplorerBox(w.VBox):
        """An explorer: the live widget, plus a static picture of its state for saved notebooks."""

        def _fallback(self):
            try:
                return fallback_bundle(self._title, self._controls, self._state)
            except Exception as err:  # a fallback must never break the live widget
                return {"text/plain": f"{self._title} (no static picture: {err!r})"}

        if hasattr(w.VBox, "_ipython_display_"):  # ipywidgets 7 displays itself
            def _ipython_display_(self, **kwargs):
                data = self._fallback()
                data["application/vnd.jupyter.widget-view+json"] = {
                    "version_major": 2, "version_minor": 0, "model_id": self._model_id}
                display(data, raw=True)
                self._handle_displayed(**kwargs)
        else:  # ipywidgets 8: a mime bundle
            def _repr_mimebundle_(self, **kwargs):
                data = super()._repr_mimebundle_(**kwargs)
                if data:
                    data.update(self._fallback())
                return data

    return ExplorerBox


def _explorer_box(title, children, controls, state):
    """The explorer's VBox with a static fallback of the state it is displayed in."""
    box = _box_class()(children=children)
    box._title, box._controls, box._state = title, controls, state
    return box
