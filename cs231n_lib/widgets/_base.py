"""What every explorer shares: its text panel as HTML, and the wiring of its controls to a
render function, one callback at a time."""
from __future__ import annotations

import html

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


def _wire(controls, render):
    """Connect an explorer's controls to ``render(**settings) -> (html, figure or None)``.

    Returns ``(text, picture, wiring)``: the HTML panel, the Output that
    shows the figure, and the (invisible) output of ``interactive_output``.
    A setting without a figure (an invalid one) removes the old drawing, and
    an unexpected error is shown in the panel instead of escaping the callback.
    """
    import ipywidgets as w
    from IPython.display import display

    text, picture = w.HTML(), w.Output()

    def update(**settings):
        try:
            panel, fig = render(**settings)
        except Exception as err:  # never let a slider move raise out of the callback
            panel, fig = _view_html(False, f"unexpected error: {err!r}"), None
        text.value = panel
        picture.clear_output(wait=fig is not None)  # no new output: clear the old drawing now
        if fig is not None:
            with picture:
                display(fig)

    wiring = w.interactive_output(_one_at_a_time(update, controls), controls)
    return text, picture, wiring


def _one_at_a_time(update, controls):
    """Wrap an explorer's ``update(**settings)`` for ``interactive_output``.

    ipykernel 7 can run two slider callbacks at once, in different threads
    (widget messages may arrive on a subshell): one callback then redraws a
    shared figure while the other renders it to PNG, and the last callback to
    finish may carry older values than the sliders show.  The wrapper runs one
    callback at a time and passes the controls' current values, so the last
    callback always shows the last setting.  Found by tests/test_browser.py.
    """
    import functools
    import threading

    lock = threading.Lock()

    @functools.wraps(update)
    def serialised(**settings):
        with lock:
            update(**{key: control.value for key, control in controls.items()})

    return serialised
