"""An explorer's picture as PNG, fast: the same pixels as matplotlib's Agg, with less work per update.

An explorer redraws one figure in place on every slider move (issue 25), so most of what it
draws is the same from one picture to the next: the same titles, labels and tick labels at the
same places.  Most of the time matplotlib spends on a picture goes into its texts (shaping each
string with FreeType and rendering its glyphs, again on every draw).  :func:`fast_canvas` gives
a figure matplotlib's Agg canvas with two caches in its renderer:

* **the glyphs of a text drawn before at the same place**: the first time a string is drawn at
  a position (with a font, size, angle and resolution), the glyph bitmaps Agg composites are
  kept; the next time they are composited again, in the text's colour, without FreeType.  A
  text that moves is drawn afresh (its glyphs depend on its position within a pixel), so the
  pixels are always those matplotlib draws;
* **the font metrics** a text's layout reads (``_get_font_height_metrics``, matplotlib's hook for
  them), the same numbers matplotlib computes from the font's tables, read once per font and size.

Both rest on matplotlib internals, so :func:`text_cache_works` checks them once per process by
drawing texts both ways and comparing the pixels bit for bit; where they differ (another
matplotlib), the canvas draws as plain Agg.  :func:`figure_png` draws a figure with its own
size and resolution (no tight bounding box, no layout engine: the explorers' figures have fixed
layouts) and encodes it as PNG (:func:`png_bytes`, about twice as fast as Pillow's encoder).
"""
from __future__ import annotations

import collections
import functools
import threading

__all__ = ["fast_canvas", "figure_png", "png_bytes", "text_cache_works", "glyph_cache_works", "TEXT_CACHE_SIZE", "PNG_COMPRESSION"]

TEXT_CACHE_SIZE = 6000   # texts kept (each a few glyph bitmaps of a few hundred bytes)
PNG_COMPRESSION = 1      # zlib level: 1 encodes about twice as fast as 6, the files at most 15% larger

_glyphs = collections.OrderedDict()   # text key -> [(bitmap, x, y, angle)] composited by draw_text_image
_metrics = {}                         # (font properties, size, dpi) -> (ascent, descent, line gap)
_layouts = {}                         # (string, font, size, dpi, ...) -> [(font, glyph, x, y)] (matplotlib 3.11)
_glyph_bitmaps = {}                   # (font, size, dpi, glyph, angle, offset within a pixel) -> bitmap
GLYPH_CACHE_SIZE = 20000
_lock = threading.Lock()


def _base():
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    return FigureCanvasAgg, RendererAgg


class _Recorder:
    """Stands in for the C++ renderer during one ``draw_text``: forwards every call, and keeps the
    glyph bitmaps composited (copies), or notes that something else was drawn (then nothing is kept)."""

    def __init__(self, target):
        self.target, self.calls, self.ok = target, [], True

    def draw_text_image(self, image, *args):
        import numpy as np

        if isinstance(image, np.ndarray) and len(args) == 4:
            self.calls.append((image.copy(), args[:3]))
        else:
            self.ok = False
        return self.target.draw_text_image(image, *args)

    def __getattr__(self, name):
        self.ok = False
        return getattr(self.target, name)


@functools.lru_cache(maxsize=None)
def _renderer_class():
    _, RendererAgg = _base()

    class FastRenderer(RendererAgg):
        """RendererAgg whose texts and font metrics are cached (module docstring)."""

        cache_texts = True

        cache_glyphs = False

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or not self.cache_texts:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            features = language = None
            if mtext is not None:
                features = mtext.get_fontfeatures() if hasattr(mtext, "get_fontfeatures") else None
                language = mtext.get_language() if hasattr(mtext, "get_language") else None
                features = tuple(features) if features else None
            key = (s, hash(prop), prop.get_size_in_points(), float(angle), self.dpi, self.height, float(x), float(y),
                   bool(gc.get_antialiased()), features, language)
            with _lock:
                calls = _glyphs.get(key)
                if calls is not None:
                    _glyphs.move_to_end(key)
            if calls is None and self.cache_glyphs:
                calls = self._glyph_calls(gc, x, y, s, prop, angle, mtext, features, language)
                for image, args in calls:
                    self._renderer.draw_text_image(image, *args, gc)
                self._keep(key, calls)
                return None
            if calls is not None:
                for image, args in calls:
                    self._renderer.draw_text_image(image, *args, gc)
                return None
            real = self._renderer
            recorder = self._renderer = _Recorder(real)
            try:
                super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            finally:
                self._renderer = real
            if recorder.ok:
                self._keep(key, recorder.calls)
            return None

        @staticmethod
        def _keep(key, calls):
            with _lock:
                _glyphs[key] = calls
                while len(_glyphs) > TEXT_CACHE_SIZE:
                    _glyphs.popitem(last=False)

        def _glyph_calls(self, gc, x, y, s, prop, angle, mtext, features, language):
            """The draw_text_image calls of matplotlib 3.11's RendererAgg.draw_text for a text it has
            not drawn at this place, from glyphs it has drawn at the same offset within a pixel.

            FreeType renders a glyph at a position given in 1/64 pixels; moved by whole pixels, the
            same glyph is the same bitmap moved by as many pixels.  So a glyph's bitmap is kept
            under its position modulo one pixel, and the string's layout under its font and size."""
            import math

            import numpy as np
            from matplotlib.backends.backend_agg import get_hinting_flag
            from matplotlib.ft2font import RenderMode

            flags = get_hinting_flag()
            size = prop.get_size_in_points()
            layout_key = (s, hash(prop), size, self.dpi, flags, features, language)
            items = _layouts.get(layout_key)
            if items is None:
                font = self._prepare_font(prop)
                items = _layouts[layout_key] = [
                    (item.ft_object, item.glyph_index, item.x, item.y)
                    for item in font._layout(s, flags=flags, features=features, language=language)]
                while len(_layouts) > TEXT_CACHE_SIZE:
                    _layouts.pop(next(iter(_layouts)))
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            antialiased = bool(gc.get_antialiased())
            matrix = None
            calls = []
            for ft_object, glyph_index, dx, dy in items:
                tx = round(0x40 * (x + dx * cos - dy * sin))
                ty = round(0x40 * (self.height - y + dx * sin + dy * cos))
                glyph_key = (getattr(ft_object, "fname", None), id(ft_object), size, self.dpi, glyph_index, float(angle),
                             antialiased, flags, tx & 63, ty & 63)
                found = _glyph_bitmaps.get(glyph_key)
                if found is None:
                    if matrix is None:
                        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                                  @ [[1, 0], [0, 1]]).round().astype(int)
                    ft_object.set_size(size, self.dpi)
                    ft_object._set_transform(matrix, [tx, ty])
                    bitmap = ft_object._render_glyph(glyph_index, flags,
                                                     RenderMode.NORMAL if antialiased else RenderMode.MONO)
                    buffer = np.array(bitmap.buffer, copy=True)
                    if not antialiased:
                        buffer *= 0xff
                    found = _glyph_bitmaps[glyph_key] = (buffer, bitmap.left - (tx >> 6), bitmap.top - (ty >> 6),
                                                         ft_object)
                    while len(_glyph_bitmaps) > GLYPH_CACHE_SIZE:
                        _glyph_bitmaps.pop(next(iter(_glyph_bitmaps)))
                buffer, left, top, _ = found
                calls.append((buffer, (left + (tx >> 6), int(self.height) - (top + (ty >> 6)) + buffer.shape[0], 0)))
            return calls

        def _get_font_height_metrics(self, prop):
            # The numbers Text._get_layout computes from the font's tables when a renderer has
            # no such method (matplotlib 3.11), read once per font, size and resolution.
            key = (hash(prop), prop.get_size_in_points(), self.dpi)
            found = _metrics.get(key)
            if found is None:
                found = _metrics[key] = _font_height_metrics(prop, self.dpi)
            return found

    return FastRenderer


def _font_height_metrics(prop, dpi):
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


@functools.lru_cache(maxsize=None)
def _canvas_class():
    FigureCanvasAgg, _ = _base()
    renderer_class = _renderer_class()

    class FastCanvas(FigureCanvasAgg):
        """FigureCanvasAgg drawing with the cached renderer (texts, font metrics)."""

        def get_renderer(self):
            w, h = self.get_width_height(physical=True) if _has_physical() else self.figure.bbox.size
            key = w, h, self.figure.dpi
            if getattr(self, "_lastKey", None) != key or not isinstance(getattr(self, "renderer", None),
                                                                         renderer_class):
                self.renderer = renderer_class(w, h, self.figure.dpi)
                self.renderer.cache_texts = text_cache_works()
                self.renderer.cache_glyphs = self.renderer.cache_texts and glyph_cache_works()
                self._lastKey = key
            return self.renderer

    return FastCanvas


@functools.lru_cache(maxsize=None)
def _has_physical():
    import inspect

    FigureCanvasAgg, _ = _base()
    return "physical" in inspect.signature(FigureCanvasAgg.get_width_height).parameters


def fast_canvas(figure):
    """Attach the fast canvas to ``figure`` (it stays its canvas: a notebook showing the figure
    also draws through it) and return it."""
    return _canvas_class()(figure)


def _test_picture(renderer=None):
    """Texts of several sizes, angles, colours and alphas at whole and fractional positions, drawn
    by plain Agg (``renderer`` None) or twice by ``renderer`` (filling its caches, then from them)."""
    import numpy as np
    from matplotlib.figure import Figure

    FigureCanvasAgg, _ = _base()
    fig = Figure(figsize=(2.6, 1.3), dpi=100)
    for k, (x, y) in enumerate([(0.03, 0.62), (0.0437, 0.4), (0.10, 0.4), (0.1331, 0.2)]):
        fig.text(x, y, "Ag 0.25 |eta| <= 1,024", fontsize=9 if k % 2 else 7.5, color="#d62728",
                 alpha=0.6 if k == 3 else None)
    for x_px in (20.25, 57.25, 96.0):  # the same offset within a pixel: the glyphs are shared
        fig.text(x_px / 260, 80.5 / 130, "S=2 row", fontsize=8, transform=fig.transFigure)
    fig.text(0.5, 0.3, "row 12", rotation=90, fontsize=10)
    fig.text(0.713, 0.18, "output 3x3", fontsize=7.5)
    fig.text(0.7, 0.5, "tilted", rotation=30, fontsize=8)
    fig.suptitle("explorer", fontsize=10, weight="bold")
    if renderer is None:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()
    FigureCanvasAgg(fig)
    fig.draw(renderer)  # through the caches, filling them ...
    renderer.clear()
    fig.draw(renderer)  # ... and from them
    return np.asarray(renderer.buffer_rgba()).copy()


@functools.lru_cache(maxsize=None)
def text_cache_works():
    """True when a text drawn again at the same place composites to exactly the pixels matplotlib
    draws (checked once per process, bit for bit, on :func:`_test_picture`)."""
    import numpy as np

    try:
        renderer = _renderer_class()(260, 130, 100)
        renderer.cache_texts, renderer.cache_glyphs = True, False
        return bool(np.array_equal(_test_picture(), _test_picture(renderer)))
    except Exception:  # another matplotlib's internals: draw as plain Agg
        return False


@functools.lru_cache(maxsize=None)
def glyph_cache_works():
    """True when texts drawn from kept glyphs (matplotlib 3.11's text rendering, rebuilt from its
    glyphs) give exactly the pixels matplotlib draws: the same strings at other whole and
    fractional positions than those the glyphs were kept at, compared bit for bit."""
    import numpy as np

    try:
        plain = _test_picture()
        renderer = _renderer_class()(260, 130, 100)
        renderer.cache_texts = renderer.cache_glyphs = True
        _glyphs.clear()
        return bool(np.array_equal(plain, _test_picture(renderer)))
    except Exception:  # another matplotlib's internals: draw as plain Agg
        return False
    finally:
        _glyphs.clear()


def figure_png(fig, compress_level=None):
    """Draw ``fig`` (at its own size and dpi, no tight bounding box) and return the PNG's bytes.

    The figure's canvas becomes a :func:`fast_canvas`.  Opaque pictures (every explorer's: a white
    figure) are written as RGB, pixels unchanged (:func:`png_bytes`)."""
    import numpy as np

    canvas = fig.canvas if isinstance(fig.canvas, _canvas_class()) else fast_canvas(fig)
    canvas.draw()
    return png_bytes(np.asarray(canvas.buffer_rgba()), compress_level)


def png_bytes(rgba, compress_level=None):
    """A PNG of the (H, W, 4) uint8 array ``rgba``: RGB when every pixel is opaque, RGBA otherwise.

    Written here rather than by Pillow, which spends twice as long trying five filters on every
    scanline: here every scanline is stored as its difference from the one above (PNG's "Up"
    filter: as small as no filter on the explorers' flat colours, 10% smaller on photographs) and
    packed at a fast zlib level (:data:`PNG_COMPRESSION`)."""
    import struct
    import zlib

    import numpy as np

    rgba = np.asarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    channels = 3 if bool((rgba[..., 3] == 255).all()) else 4
    pixels = rgba[..., :channels].reshape(height, width * channels)
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = 2  # filter type 2 (Up) on every scanline: each byte minus the one above it, modulo 256
    rows[0, 1:] = pixels[0]
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:, 1:])
    level = PNG_COMPRESSION if compress_level is None else compress_level

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
            + chunk(b"IEND", b""))
