"""Notebook 01: the drawing of the step-through convolution explorer (the course notes' demo).

The layout is the demo's: each volume is a column, its depth slices stacked in rows (the
padded input in blue with its padding grey, the filters in red with their biases below, the
output in green); between the filters and the output, the element-wise products of the
current window with each depth slice's sum; below, the sum written out with the numbers.

:class:`ConvStepDrawing` builds the figure once per geometry, laid out on whole pixels.
:meth:`ConvStepDrawing.update` changes only what a new output position changes (the window,
the products, the sums, the output numbers computed so far, the written-out sum), and
:meth:`ConvStepDrawing.png` renders it without redrawing the rest: onto a stored picture of
the unchanging part it pastes each changed text as a tile (a cell with its number, a line of
the sum), rendered by matplotlib once per distinct text and kept, and draws the outlines.  A
step costs a few milliseconds instead of a full redraw's hundreds.  ``figure.savefig`` draws
the same picture the ordinary way (a test holds the two together).

:func:`animation_html` turns a list of positions into a self-contained HTML animation
(matplotlib's ``FuncAnimation.to_jshtml``) for pages where no kernel runs.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from ._base import PAD_COLOUR

__all__ = ["ConvStepDrawing", "animation_html", "tiles_work"]

# The demo's colours: input blue, weights red, output green; the outlines darker.
INPUT_FACE, WEIGHT_FACE, OUTPUT_FACE, PRODUCT_FACE = "#ddddff", "#ffdddd", "#ddffdd", "#eeeeee"
WINDOW_EDGE, WEIGHT_EDGE, OUTPUT_EDGE = "#0000aa", "#aa0000", "#00aa00"
DPI = 64          # a power of two: a whole number of pixels is a whole number of 1/64 inch, exactly
PITCH = 26        # pixels from one cell to the next in the notes' example
MIN_PITCH = 14    # large settings shrink their cells down to this
MAX_PIXELS = 1000  # the longer side of the picture, when the cells can shrink to fit it


def _n(v):
    """A whole number as written in a sum: 2, (-1)."""
    v = int(v)
    return f"({v})" if v < 0 else f"{v}"


def _points(pixels):
    return pixels * 72.0 / DPI


# ------------------------------------------------------------------ tiles: texts rendered once
_TILES_WORK = [None]   # whether pasted tiles give matplotlib's own pixels: checked on the first picture


def tiles_work():
    """True, False, or None before the first picture: whether this process draws the explorer's
    pictures the fast way (see :meth:`ConvStepDrawing.render`)."""
    return _TILES_WORK[0]


_TILES: "OrderedDict[tuple, object]" = OrderedDict()
_TILE_BYTES = 64 * 2 ** 20     # the tiles kept: the least recently used go first
_SCRATCH: "OrderedDict[tuple, tuple]" = OrderedDict()
_SCRATCH_LIMIT = 64            # one small canvas per kind of box
_LOCK = threading.Lock()       # explorers may draw in two threads at once (ipykernel 7)
_kept = [0]


def _tile(w, h, face, inset, tx, ty, style, text):
    """The pixels (h, w, 4) of a w x h box: white, a ``face`` rectangle inset by ``inset``
    pixels, and ``text`` at (tx, ty) in ``style``; rendered by matplotlib once and kept."""
    key = (w, h, face, inset, tx, ty, style, text)
    with _LOCK:
        tile = _TILES.get(key)
        if tile is not None:
            _TILES.move_to_end(key)
            return tile
        tile = _render_tile(key)
        _TILES[key] = tile
        _kept[0] += tile.nbytes
        while _kept[0] > _TILE_BYTES and len(_TILES) > 1:
            _kept[0] -= _TILES.popitem(last=False)[1].nbytes
        return tile


def _render_tile(key):
    import numpy as np

    w, h, face, inset, tx, ty, style, text = key
    scratch = _SCRATCH.get(key[:-1])
    if scratch is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.set_axis_off()
        if face is not None:
            ax.add_patch(Rectangle((inset, inset), w - 2 * inset, h - 2 * inset, facecolor=face,
                                   edgecolor="none"))
        canvas.draw()
        empty = np.array(canvas.buffer_rgba())
        artist = ax.text(tx, ty, "", zorder=3, **dict(style))
        scratch = _SCRATCH[key[:-1]] = (canvas, artist, empty)
        if len(_SCRATCH) > _SCRATCH_LIMIT:
            _SCRATCH.popitem(last=False)
    else:
        _SCRATCH.move_to_end(key[:-1])
    canvas, artist, empty = scratch
    if text:   # the box without text, then the text drawn on it
        pixels = np.asarray(canvas.buffer_rgba())
        pixels[...] = empty
        artist.set_text(text)
        artist.draw(canvas.get_renderer())
        tile = np.array(pixels)
    else:
        tile = empty
    return tile


class _Box:
    """A text in a box of whole pixels.  The fast route pastes the box rendered as a tile; the
    ordinary route (``figure.savefig``) draws a Text artist, made when the figure is asked for."""

    __slots__ = ("x", "y", "w", "h", "face", "inset", "tx", "ty", "style", "text", "artist")

    def __init__(self, x, y, w, h, face, inset, tx, ty, text="", **style):
        self.x, self.y, self.w, self.h = int(x), int(y), int(w), int(h)
        self.face, self.inset, self.tx, self.ty = face, inset, tx, ty
        self.style = tuple(sorted(style.items()))
        self.text = text
        self.artist = None

    def set(self, text, **style):
        self.text = text
        if style:
            self.style = tuple(sorted({**dict(self.style), **style}.items()))
        if self.artist is not None:
            self.artist.set_text(text)
            self.artist.update(dict(self.style))

    def make_artist(self, ax):
        if self.artist is None:
            self.artist = ax.text(self.x + self.tx, self.y + self.ty, self.text, zorder=3, **dict(self.style))
        return self.artist

    def paste(self, pixels):
        pixels[self.y:self.y + self.h, self.x:self.x + self.w] = _tile(
            self.w, self.h, self.face, self.inset, self.tx, self.ty, self.style, self.text)


class ConvStepDrawing:
    """The figure of one geometry, redrawn in place for each output position.

    Parameters
    ----------
    x_pad : array (D_in, Wp, Wp), the padded input (whole numbers);
    pad : int, the padding P (its rows and columns are drawn grey);
    w : array (K, D_in, F, F);  b : array (K,);
    out : array (K, Ho, Wo), the whole output volume, of which :meth:`update` shows the part
        computed so far;
    stride, dilation : ints (the title says where the window starts).

    :meth:`update` shows one position; :meth:`render` and :meth:`png` draw it fast; ``figure``
    is the same picture as a :class:`matplotlib.figure.Figure` (one Axes spanning it, in pixel
    units, y downwards) for ``savefig`` or a notebook cell.
    """

    def __init__(self, x_pad, pad, w, b, out, stride, dilation):
        import numpy as np
        from matplotlib.collections import PatchCollection, PolyCollection
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        self.x_pad, self.w, self.b, self.out = (np.asarray(a) for a in (x_pad, w, b, out))
        D, Wp = self.x_pad.shape[0], self.x_pad.shape[1]
        K, F = self.w.shape[0], self.w.shape[2]
        Ho, Wo = self.out.shape[1:]
        self.D, self.K, self.F, self.Ho, self.Wo = D, K, F, Ho, Wo
        self.stride, self.dilation = stride, dilation
        self.full_terms = F * F <= 9   # write every product of a slice on its line

        def layout(p):
            """Every position in pixels for a cell pitch of p pixels."""
            L = {"p": p, "label": p, "top": 2 * p}
            L["row"] = (max(Wp, F) + 1) * p + L["label"]
            L["x_in"] = int(1.6 * p)
            L["x_w"] = [L["x_in"] + (Wp + 1) * p + k * (F * p + p // 2) for k in range(K)]
            L["x_prod"] = L["x_w"][-1] + (F + 1) * p
            L["x_sum"] = L["x_prod"] + F * p + 4
            L["x_out"] = L["x_sum"] + int(2.4 * p)
            L["out_row"] = (Ho + 1) * p + L["label"]
            L["y_bias"] = L["top"] + D * L["row"] + L["label"]
            body = max(L["y_bias"] + int(1.5 * p), L["top"] + K * L["out_row"])
            L["line_h"] = int(0.9 * p)
            L["y_lines"] = body
            L["font"] = _points(0.42 * p)
            L["small"] = _points(0.36 * p)
            chars = 12 + (9 * 9 + 3 * 8 if self.full_terms else 40)   # nine terms like (-1)·(-1)
            chars = max(chars, 30 + 12 * D)
            line_w = int(chars * 0.602 * 0.36 * p) + p       # DejaVu Sans Mono: 0.602 em a character
            L["width"] = max(L["x_out"] + Wo * p + p, L["x_in"] - p + line_w)
            L["height"] = body + (D + 1) * L["line_h"] + p // 2
            return L

        L = layout(PITCH)
        if max(L["width"], L["height"]) > MAX_PIXELS:
            L = layout(max(MIN_PITCH, int(PITCH * MAX_PIXELS / max(L["width"], L["height"]))))
        self.layout = L
        p = L["p"]
        fig = self._figure = Figure(figsize=(L["width"] / DPI, L["height"] / DPI), dpi=DPI, facecolor="white")
        ax = self.ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, L["width"])
        ax.set_ylim(L["height"], 0)
        ax.set_axis_off()
        ax.set_title("a conv layer computed one output number at a time")   # names the axes (not drawn)
        font, small = L["font"], L["small"]
        corners, faces = [], []
        self._static = []

        def grid(x0, y0, shape, face, values=None, pad_mask=None):
            boxes = np.empty(shape, dtype=object)
            for r, c in np.ndindex(*shape):
                x, y = x0 + c * p, y0 + r * p
                colour = PAD_COLOUR if pad_mask is not None and pad_mask[r, c] else face
                corners.append((x + 1, y + 1))
                faces.append(colour)
                boxes[r, c] = _Box(x, y, p, p, colour, 1, p // 2, p // 2,
                                   "" if values is None else f"{int(values[r, c])}",
                                   ha="center", va="center_baseline", fontsize=font, fontweight="normal")
            if values is not None:
                self._static += list(boxes.ravel())
            return boxes

        def label(x, y, s, **kw):
            ax.text(x, y - 3, s, ha="left", va="bottom", fontsize=small, **kw)

        pad_mask = np.ones((Wp, Wp), bool)
        pad_mask[pad:Wp - pad, pad:Wp - pad] = False
        heads = L["top"] - 2
        label(L["x_in"], heads, f"input volume{f' (+pad {pad})' if pad else ''} ({Wp}x{Wp}x{D})", weight="bold")
        label(L["x_w"][0], heads, f"filter{'s' if K > 1 else ''} ({F}x{F}x{D}), bias{'es' if K > 1 else ''}",
              weight="bold")
        label(L["x_prod"], heads, "products", weight="bold")
        label(L["x_out"], heads, f"output ({Ho}x{Wo}x{K})", weight="bold")
        self.products, self.sums = [], []
        for d in range(D):
            y = L["top"] + d * L["row"] + L["label"]
            label(L["x_in"], y, f"x[:,:,{d}]", family="monospace")
            grid(L["x_in"], y, (Wp, Wp), INPUT_FACE, self.x_pad[d], pad_mask)
            for k in range(K):
                label(L["x_w"][k], y, f"w{k}[:,:,{d}]", family="monospace")
                grid(L["x_w"][k], y, (F, F), WEIGHT_FACE, self.w[k, d])
            self.products.append(grid(L["x_prod"], y, (F, F), PRODUCT_FACE))
            self.sums.append(_Box(L["x_sum"], y + (F * p) // 2 - p // 2, int(2.2 * p), p, None, 0, 2, p // 2,
                                  ha="left", va="center_baseline", fontsize=font))
        y0 = L["top"] + L["label"]
        ax.text(L["x_in"] - 4, y0 + Wp * p // 2, "y (row)", rotation=90, ha="right", va="center", fontsize=small)
        ax.text(L["x_in"] + Wp * p // 2, y0 + Wp * p + 2, "x (column)", ha="center", va="top", fontsize=small)
        for k in range(K):
            label(L["x_w"][k], L["y_bias"], f"b{k}", family="monospace")
            grid(L["x_w"][k], L["y_bias"], (1, 1), WEIGHT_FACE, self.b[k:k + 1, None])
        self.outputs = []
        for k in range(K):
            y = L["top"] + k * L["out_row"] + L["label"]
            label(L["x_out"], y, f"o[:,:,{k}]", family="monospace")
            self.outputs.append(grid(L["x_out"], y, (Ho, Wo), OUTPUT_FACE))
        square = np.array([(0, 0), (p - 2, 0), (p - 2, p - 2), (0, p - 2)], dtype=float)
        ax.add_collection(PolyCollection(np.array(corners, dtype=float)[:, None, :] + square, facecolors=faces,
                                         edgecolors="none", zorder=1))
        self.lines = [_Box(0, L["y_lines"] + i * L["line_h"], L["width"], L["line_h"], None, 0, L["x_in"] - p,
                           L["line_h"] // 2, ha="left", va="center_baseline", fontsize=small, family="monospace")
                      for i in range(D + 1)]
        self.title = _Box(0, 0, L["width"], p, None, 0, p // 2, int(0.6 * p), ha="left", va="center_baseline",
                          fontsize=small * 1.1)

        # outlines: the window (each tap; dashed around its span when dilated), the filter, the output
        self.window = PatchCollection([], facecolors="none", edgecolors=WINDOW_EDGE, linewidths=_points(2), zorder=4)
        self.span = PatchCollection([], facecolors="none", edgecolors=WINDOW_EDGE, linewidths=_points(1),
                                    linestyles="dashed", zorder=4)
        height = (D - 1) * L["row"] + F * p
        self.filter_box = [Rectangle((x - 2, L["top"] + L["label"] - 2), F * p + 4, height + 4, fill=False,
                                     edgecolor=WEIGHT_EDGE, linewidth=_points(2), zorder=4) for x in L["x_w"]]
        self.bias_box = [Rectangle((x, L["y_bias"]), p, p, fill=False, edgecolor=WEIGHT_EDGE,
                                   linewidth=_points(2), zorder=4) for x in L["x_w"]]
        self.out_box = Rectangle((0, 0), p, p, fill=False, edgecolor=OUTPUT_EDGE, linewidth=_points(2.5), zorder=4)
        self._outlines = [self.window, self.span, *self.filter_box, *self.bias_box, self.out_box]
        for artist in self._outlines:
            ax.add_artist(artist)
        self._dynamic = ([self.title, *self.sums, *self.lines] + [b for g in self.products for b in g.ravel()]
                         + [b for g in self.outputs for b in g.ravel()])
        self._background = None
        self._palette = None

    @property
    def figure(self):
        """The picture as a matplotlib Figure (its texts are made the first time it is asked for)."""
        for box in self._static + self._dynamic:
            box.make_artist(self.ax)
        return self._figure

    # ------------------------------------------------------------------ one position
    def update(self, k, row, col, rows, cols, products, slice_sums, total, filled):
        """Show output number ``out[k, row, col]``: the taps at the padded input's ``rows`` x
        ``cols``, the ``products`` (D_in, F, F), ``slice_sums`` (D_in,), ``total`` (their sum
        plus the bias) and the output numbers where ``filled`` (K, Ho, Wo) is true."""
        from matplotlib.patches import Rectangle

        L, p = self.layout, self.layout["p"]
        taps, spans = [], []
        for d in range(self.D):
            y0 = L["top"] + d * L["row"] + L["label"]
            taps += [Rectangle((L["x_in"] + c * p, y0 + r * p), p, p) for r in rows for c in cols]
            if self.dilation > 1:
                spans.append(Rectangle((L["x_in"] + cols[0] * p - 3, y0 + rows[0] * p - 3),
                                       (cols[-1] - cols[0] + 1) * p + 6, (rows[-1] - rows[0] + 1) * p + 6))
        self.window.set_paths(taps)
        self.span.set_paths(spans)
        for j, (box, bias) in enumerate(zip(self.filter_box, self.bias_box)):
            box.set_visible(j == k)
            bias.set_visible(j == k)
        y_out = L["top"] + k * L["out_row"] + L["label"]
        self.out_box.set_xy((L["x_out"] + col * p, y_out + row * p))
        for d in range(self.D):
            for r in range(self.F):
                for c in range(self.F):
                    self.products[d][r, c].set(f"{int(products[d, r, c])}")
            self.sums[d].set(f"= {int(slice_sums[d])}")
        for kk in range(self.K):
            for r in range(self.Ho):
                for c in range(self.Wo):
                    current = (kk, r, c) == (k, row, col)
                    self.outputs[kk][r, c].set(f"{self.out[kk, r, c]:g}" if filled[kk, r, c] else "",
                                               fontweight="bold" if current else "normal")
        name = f"o[{col},{row},{k}]"
        for d in range(self.D):
            window = self.x_pad[d][rows[:, None], cols[None, :]].ravel()
            if self.full_terms:
                terms = " + ".join(f"{_n(a)}\u00b7{_n(c)}" for a, c in zip(window, self.w[k, d].ravel()))
            else:
                terms = f"the {self.F * self.F} products add up to"
            self.lines[d].set(f"slice {d}: {terms} = {int(slice_sums[d])}")
        sums = " + ".join(_n(s) for s in slice_sums)
        self.lines[self.D].set(f"{name} = {sums} + b{k} = {sums} + {_n(self.b[k])} = {total:g}")
        self.title.set(f"{name}: window at row {self.stride}*{row}, column {self.stride}*{col}; filter w{k}, bias b{k}")

    # ------------------------------------------------------------------ pictures
    def _canvas(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not isinstance(self._figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self._figure)
        return self._figure.canvas

    def _draw_background(self):
        """Everything that no position changes: drawn once, the numbers pasted as tiles."""
        background = self._draw_bare()
        for box in self._static:
            box.paste(background)
        self._background = background

    def _draw_bare(self):
        """The figure without its texts and outlines, as an RGBA array."""
        import numpy as np

        canvas = self._canvas()
        hidden = [b.artist for b in self._static + self._dynamic if b.artist is not None] + self._outlines
        visible = [a.get_visible() for a in hidden]
        for a in hidden:
            a.set_visible(False)
        canvas.draw()
        for a, v in zip(hidden, visible):
            a.set_visible(v)
        return np.array(canvas.buffer_rgba())

    def render(self, copy=True):
        """The current picture as an RGBA array (height, width, 4), drawn the fast way: the
        stored unchanging part, each changed text's tile pasted, the outlines drawn over them.
        ``copy=False`` returns the canvas's own buffer (valid until the next drawing).

        The first picture of the process is also drawn the ordinary way and compared pixel for
        pixel (:func:`tiles_work`): where pasted tiles are not exactly matplotlib's drawing (a
        matplotlib that renders a text differently at different places, as Colab's 3.10 does),
        every picture is drawn the ordinary way."""
        import numpy as np

        if _TILES_WORK[0] is None:
            fast = self._render_fast(copy=True)
            _TILES_WORK[0] = bool(np.array_equal(fast, self._render_ordinary(copy=True)))
        if not _TILES_WORK[0]:
            return self._render_ordinary(copy)
        return self._render_fast(copy)

    def _render_ordinary(self, copy):
        import numpy as np

        self.figure                   # makes the figure's texts (the fast route pastes them)
        canvas = self._canvas()
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        return np.array(pixels) if copy else pixels

    def _render_fast(self, copy):
        import numpy as np

        if self._background is None:
            self._draw_background()
        canvas = self._canvas()
        pixels = np.asarray(canvas.buffer_rgba())
        pixels[...] = self._background
        for box in self._dynamic:
            box.paste(pixels)
        renderer = canvas.get_renderer()
        for artist in self._outlines:
            if artist.get_visible():
                artist.draw(renderer)
        return np.array(pixels) if copy else pixels

    @property
    def palette(self):
        """The 64 colours of this geometry's pictures (a PIL palette image): fixed per geometry,
        so that a position gives the same PNG bytes whatever was drawn before."""
        if self._palette is None:
            if _TILES_WORK[0] is None:
                self.render()             # the first picture decides how pictures are drawn
            if _TILES_WORK[0] is False:   # drawn the ordinary way: no tiles in the colours' sample
                self._palette = _palette(self._draw_bare())
            else:
                if self._background is None:
                    self._draw_background()
                self._palette = _palette(self._background)
        return self._palette

    def png(self) -> bytes:
        """The current picture as PNG bytes, in the geometry's :attr:`palette`."""
        palette = self.palette   # first: making it may draw on the canvas whose buffer render returns
        return _png_bytes(self.render(copy=False), palette)


def _palette(background):
    """A 64-colour palette for pictures drawn on ``background``: its colours, and the blends of
    every face colour with the inks drawn over it (text, outlines)."""
    import numpy as np
    from matplotlib.colors import to_rgb
    from PIL import Image

    faces = ["white", INPUT_FACE, WEIGHT_FACE, OUTPUT_FACE, PRODUCT_FACE, PAD_COLOUR]
    inks = ["black", WINDOW_EDGE, WEIGHT_EDGE, OUTPUT_EDGE]
    ramp = np.linspace(0, 1, 16)[:, None]
    blends = [(1 - ramp) * np.array(to_rgb(f)) + ramp * np.array(to_rgb(i)) for f in faces for i in inks]
    swatch = (np.concatenate(blends) * 255).round().astype(np.uint8)
    sample = background[::3, ::3, :3].reshape(-1, 3)   # every ninth pixel has every colour of the cells
    pixels = np.concatenate([sample, np.repeat(swatch, 50, axis=0)])
    return Image.fromarray(pixels[None]).quantize(colors=64, method=Image.Quantize.FASTOCTREE)


def _png_bytes(rgba, palette=None):
    """PNG bytes of an RGBA picture in 64 colours (``palette`` a PIL palette image, or the
    picture's own)."""
    import io

    import numpy as np
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(rgba)).convert("RGB")   # (h, w, 4) uint8: RGBA
    if palette is None:
        image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE)
    else:
        image = image.quantize(palette=palette, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=6)
    return buffer.getvalue()


# ------------------------------------------------------------------ where no kernel runs
# matplotlib's animation buttons use Font Awesome from a web server: we write their names
# instead, so that the page fetches nothing (and the buttons say what they do).
_BUTTON_WORDS = {"fa-minus": "slower", "fa-fast-backward": "first", "fa-step-backward": "back",
                 "fa-play fa-flip-horizontal": "reverse", "fa-pause": "pause", "fa-play": "play",
                 "fa-step-forward": "next", "fa-fast-forward": "last", "fa-plus": "faster"}


def _offline(markup):
    """matplotlib's jshtml without the stylesheet it fetches, its icons replaced by words."""
    import re

    markup = re.sub(r"<link[^>]*font-awesome[^>]*>", "", markup)

    def word(match):
        names = match.group(1)[len("fa "):]
        return _BUTTON_WORDS.get(names, names.replace("fa-", ""))

    return re.sub(r'<i class="(fa [^"]*)"></i>', word, markup)


def _data_uri(png):
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _requantized(markup, palette=None):
    """The jshtml with every embedded frame re-encoded as a 64-colour PNG (a third of the bytes)."""
    import base64
    import io
    import re

    import numpy as np
    from PIL import Image

    def shrink(match):
        data = match.group(1).replace("\\\n", "").replace("\n", "")   # base64 lines joined by backslashes
        rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))
        return _data_uri(_png_bytes(rgba, palette))

    return re.sub(r"data:image/png;base64,([A-Za-z0-9+/=\n\\]+)", shrink, markup)


def animation_html(frames, caption, strip=3, interval=1000, palette=None):
    """A self-contained HTML animation of ``frames`` (RGBA arrays of one size, e.g. from
    :meth:`ConvStepDrawing.render`), one per ``interval`` ms, looping.

    The animation is matplotlib's ``FuncAnimation(...).to_jshtml()`` of a figure that shows
    each frame pixel for pixel (``figimage``), its buttons written as words (no web font is
    fetched) and its frames stored as 64-colour PNGs (in ``palette``, a PIL palette image, if
    given; else each frame's own).  Before it, a strip of the first ``strip``
    frames, which the animation's own script hides: a page that runs no scripts (GitHub) shows
    the strip instead.  Returns ``(markup, id)``, ``id`` the hexadecimal name that makes the
    markup's element ids unique (replace it to show the markup twice on one page).  The
    animation starts playing by itself, as the notes' demo does; its buttons pause it.
    """
    import html as html_
    import re

    from matplotlib.animation import FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height, width = frames[0].shape[:2]
    player = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(player)
    image = player.figimage(frames[0], origin="upper")

    def frame(i):
        image.set_data(frames[i])
        return [image]

    animation = FuncAnimation(player, frame, frames=len(frames), interval=interval, repeat=True)
    markup = _requantized(_offline(animation.to_jshtml(fps=1000 / interval, default_mode="loop")), palette)
    anim_id = re.search(r'id="_anim_img([0-9a-f]+)"', markup).group(1)
    first = _data_uri(_png_bytes(frames[0], palette))
    # the first frame from the start, not only once the script has run
    markup = markup.replace(f'<img id="_anim_img{anim_id}">', f'<img id="_anim_img{anim_id}" src="{first}" '
                            'alt="the animation of the output positions">')
    shown = "".join(f'<img src="{_data_uri(_png_bytes(f, palette))}" alt="output position {i}" style="max-width:100%">'
                    for i, f in enumerate(frames[:strip]))
    return (
        f'<div class="conv-steps" id="conv-steps{anim_id}">'
        # matplotlib's buttons are 36 pixels wide, for icons; ours hold words
        f"<style>#conv-steps{anim_id} .anim-buttons button {{width: auto; padding: 0 6px;}}</style>"
        f'<div class="conv-steps-strip" id="conv-steps-strip{anim_id}">'
        f"<p><b>The first {min(strip, len(frames))} output positions</b> (this page runs no scripts, so the "
        f"animation of all {len(frames)} cannot play here).</p>{shown}</div>"
        f'<div class="conv-steps-animation" id="conv-steps-animation{anim_id}" style="display:none">{markup}</div>'
        f"<script>document.getElementById('conv-steps-strip{anim_id}').style.display = 'none';"
        f"document.getElementById('conv-steps-animation{anim_id}').style.display = 'block';"
        # it plays at once, as the notes' demo does (matplotlib's player builds itself a moment later)
        f"(function start(tries) {{ if (window.anim{anim_id}) window.anim{anim_id}.play_animation();"
        f" else if (tries > 0) setTimeout(function() {{ start(tries - 1); }}, 50); }})(100);</script>"
        f"<p><i>{html_.escape(caption)}</i></p></div>"
    ), anim_id
