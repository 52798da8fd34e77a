"""What every explorer shares: its text panel as HTML, controls that hold exactly the value
asked for, the wiring of the controls to a render function (one callback at a time), and a
static picture of the explorer for readers without a kernel.

**Controls never clamp.**  :func:`_int_slider` widens a slider's range to include the value
it is given (``conv_explorer(W=227)`` shows W = 227, not the slider's old maximum), and
:func:`_choice` adds a number that is not among a menu's options.  A value a control cannot
hold (a float for an integer slider, an unknown name for a menu) raises ``ValueError`` with
the explanation of the explorer's pure function, never a TraitError from inside ipywidgets.

**Static fallback.**  An explorer is an :func:`_explorer_box`: besides the widget view, its
display data carries ``text/plain`` (its settings and text panel) and ``image/png`` (the
panel and the drawing as one picture) of the state it is displayed in.  JupyterLab, Notebook,
Colab and VS Code show the live widget; GitHub and nbviewer, which render saved notebooks
with nbconvert and skip a widget view whose state is not saved
(``tools/run_notebooks.py`` never saves it), show the picture instead of
``VBox(children=...``.  ipympl's canvas does the same.
"""
from __future__ import annotations

import functools
import html
import re

from ..arithmetic import as_int


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
def _int_slider(value, default_range, description, name=None):
    """An IntSlider showing ``value`` exactly: its range is ``default_range`` widened to include
    ``value``.  A value that is not an integer raises ValueError (the slider could not show it)."""
    import ipywidgets as w

    name = name or description
    number = _as_integer(value, name)
    low, high = min(default_range[0], number), max(default_range[-1], number)
    return w.IntSlider(value=number, min=low, max=high, description=description,
                       continuous_update=False, style={"description_width": "initial"})


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
def _wire(controls, render):
    """Connect an explorer's controls to ``render(**settings) -> (html, figure or None)``.

    Returns ``(text, picture, wiring, state)``: the HTML panel, the Output that
    shows the figure, the (invisible) output of ``interactive_output``, and a
    dict holding the last ``html`` and ``figure`` (for the static fallback).  A
    setting without a figure (an invalid one) removes the old drawing, and an
    unexpected error is shown in the panel instead of escaping the callback.
    """
    import ipywidgets as w
    from IPython.display import display

    text, picture = w.HTML(), w.Output()
    state = {"html": "", "figure": None}

    def update(**settings):
        try:
            panel, fig = render(**settings)
        except Exception as err:  # never let a slider move raise out of the callback
            panel, fig = _view_html(False, f"unexpected error: {err!r}"), None
        text.value = panel
        state["html"], state["figure"] = panel, fig
        picture.clear_output(wait=fig is not None)  # no new output: clear the old drawing now
        if fig is not None:
            with picture:
                display(fig)

    wiring = w.interactive_output(_one_at_a_time(update, controls), controls)
    return text, picture, wiring, state


def _one_at_a_time(update, controls):
    """Wrap an explorer's ``update(**settings)`` for ``interactive_output``.

    ipykernel 7 can run two slider callbacks at once, in different threads
    (widget messages may arrive on a subshell): one callback then redraws a
    shared figure while the other renders it to PNG, and the last callback to
    finish may carry older values than the sliders show.  The wrapper runs one
    callback at a time and passes the controls' current values, so the last
    callback always shows the last setting.  Found by tests/test_browser.py.
    """
    import threading

    lock = threading.Lock()

    @functools.wraps(update)
    def serialised(**settings):
        with lock:
            update(**{key: control.value for key, control in controls.items()})

    return serialised


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
    figure = state.get("figure")
    if figure is not None:
        bundle["image/png"] = _snapshot_png(caption, settings, panel, figure)
    return bundle


def _snapshot_png(caption, settings, panel, figure):
    """One PNG: caption, settings and text panel (monospace) above the explorer's drawing."""
    import base64
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
