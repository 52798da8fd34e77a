"""What each slider explorer draws for a setting, by content: the reference pictures of issue 25.

The explorers of notebooks 01-04 and 06-08 were rewritten to redraw in place in a fixed
layout (issue 25), and their picture for a given setting must stay what it was. A picture is
compared by its *content*, not its bytes: :func:`describe` turns a drawn Figure into plain
data -- per axes the title, labels, limits, the ticks drawn and their labels, and every visible
mark in drawing order (image data, patch and path geometry, points, line data, texts, the
legend), with its colours -- which does not depend on where the layout put the axes, on the
figure's size or on the fonts of the machine.

``tests/fixtures/widgets_pictures.json.gz`` holds the description of every setting of
:data:`SETTINGS`, drawn by the explorers' code *before* the rewrite (commit f6ac570, the
``OLD_PICTURES`` adapters below call it as the widgets of that commit did)::

    python tests/widgets_pictures.py --write --code f6ac570

exports that commit's ``cs231n_lib`` into a scratch folder and draws there, so the
references never come from the code under test. ``tests/test_widgets_pictures.py`` draws
the same settings with today's explorers and compares (:func:`differences`).
"""
from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "tests" / "fixtures" / "widgets_pictures.json.gz"

# Each explorer's settings, in the order an explorer shows them (one figure, redrawn in turn):
# the browser test's steps, the notebooks' own examples, and edges (the smallest and the
# largest drawable inputs, dilation, overlapping and gapped windows, both nets, ...).
SETTINGS = {
    "conv": [dict(W=7, F=3, S=2, P=0, dilation=1), dict(W=9, F=3, S=2, P=1, dilation=1),
             dict(W=9, F=3, S=2, P=1, dilation=2), dict(W=7, F=3, S=2, P=1, dilation=2),
             dict(W=16, F=7, S=1, P=3, dilation=1), dict(W=5, F=1, S=4, P=0, dilation=1),
             dict(W=16, F=3, S=1, P=3, dilation=3), dict(W=1, F=1, S=1, P=0, dilation=1),
             dict(W=227, F=11, S=4, P=0, dilation=1), dict(W=7, F=3, S=2, P=0, dilation=1)],
    "photo": [dict(photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=1, dilation=1),
              dict(photo="camera", filter_name="vertical edges (Sobel x)", stride=2, pad=1, dilation=1),
              dict(photo="camera", filter_name="blur (5x5 box)", stride=2, pad=1, dilation=1),
              dict(photo="coins", filter_name="all edges (Laplacian)", stride=1, pad=0, dilation=2),
              dict(photo="astronaut", filter_name="sharpen", stride=4, pad=1, dilation=1),
              dict(photo="chelsea", filter_name="identity", stride=1, pad=3, dilation=3),
              dict(photo="camera", filter_name="blur (3x3 box)", stride=3, pad=1, dilation=1),
              dict(photo="coins", filter_name="horizontal edges (Sobel y)", stride=1, pad=0, dilation=1)],
    "pool": [dict(W=8, F=2, S=2, kind="max"), dict(W=9, F=3, S=2, kind="max"), dict(W=9, F=3, S=2, kind="avg"),
             dict(W=12, F=4, S=4, kind="l2"), dict(W=2, F=2, S=1, kind="max"), dict(W=7, F=1, S=3, kind="avg"),
             dict(W=24, F=2, S=2, kind="max"), dict(W=5, F=3, S=1, kind="max"), dict(W=8, F=2, S=2, kind="max")],
    "rf": [dict(layers=3, F=3, S=1, dilation=1, schedule="same for every layer"),
           dict(layers=3, F=3, S=2, dilation=1, schedule="same for every layer"),
           dict(layers=3, F=3, S=1, dilation=1, schedule="doubles each layer"),
           dict(layers=1, F=1, S=1, dilation=1, schedule="same for every layer"),
           dict(layers=6, F=3, S=1, dilation=1, schedule="doubles each layer"),
           dict(layers=4, F=3, S=2, dilation=2, schedule="same for every layer"),
           dict(layers=2, F=7, S=3, dilation=1, schedule="same for every layer"),
           dict(layers=5, F=2, S=2, dilation=1, schedule="same for every layer"),
           dict(layers=3, F=3, S=1, dilation=1, schedule="same for every layer")],
    "occlusion": [dict(index=0, size=8, stride=4, fill=0.5, case="clean"),
                  dict(index=0, size=8, stride=2, fill=0.5, case="clean"),
                  dict(index=1, size=16, stride=2, fill=0.5, case="clean"),
                  dict(index=1, size=16, stride=2, fill=0.5, case="cue"),
                  dict(index=5, size=4, stride=4, fill=0.0, case="clean"),
                  dict(index=19, size=2, stride=6, fill=1.0, case="cue"),
                  dict(index=0, size=8, stride=4, fill=0.5, case="clean")],
    "class_model": [dict(target="shapes: ring", reg=1e-3, steps=100), dict(target="shapes: ring", reg=1e-3, steps=40),
                    dict(target="MNIST: 7", reg=1e-3, steps=40), dict(target="MNIST: 7", reg=0.1, steps=40),
                    dict(target="shapes: disc", reg=0.0, steps=0), dict(target="MNIST: 0", reg=1.0, steps=150),
                    dict(target="shapes: ring", reg=1e-3, steps=100)],
    "attack": [dict(digit=0, model="ConvNet", eps=25, target=None), dict(digit=0, model="ConvNet", eps=10, target=None),
               dict(digit=0, model="softmax", eps=10, target=None), dict(digit=0, model="softmax", eps=10, target=9),
               dict(digit=3, model="RBF", eps=30, target=None), dict(digit=7, model="adv. trained", eps=5, target=2),
               dict(digit=12, model="ConvNet", eps=0, target=None), dict(digit=0, model="ConvNet", eps=25, target=None)],
}


def references():
    """The stored descriptions: ``{"settings": SETTINGS as drawn, "pictures": {name: [description, ...]}, ...}``."""
    with gzip.open(REFERENCES, "rt") as f:
        return json.load(f)


def attack_setup():
    """The nets, digits and labels of notebook 08's explorer cell (``nets, X[:50], y[:50]``)."""
    from cs231n_lib import adversarial, data, pretrained

    mnist = data.load_mnist(channels=1)
    nets = {
        "softmax": pretrained.load_pretrained("mnist_softmax"),
        "ConvNet": adversarial.grey_input(pretrained.load_pretrained("mnist_convnet")),
        "adv. trained": adversarial.grey_input(pretrained.load_pretrained("mnist_convnet_adv")),
        "RBF": pretrained.load_pretrained("mnist_rbf"),
    }
    return nets, mnist["X_test"][:50], mnist["y_test"][:50]


# ------------------------------------------------------------------ the pictures before issue 25
def _old_pictures(name):
    """Figures of the explorer ``name`` for each of its SETTINGS, drawn as the widgets of commit
    f6ac570 drew them (one figure per explorer where they redrew, a new one where they built one)."""
    from cs231n_lib import vis, widgets

    settings = SETTINGS[name]
    if name == "conv":
        fig, axes = vis.conv_explorer_axes()
        for s in settings:
            widgets.render_conv_explorer(axes, **s)
            yield fig
    elif name == "photo":
        for s in settings:
            yield widgets.photo_filter_figure(widgets.photo_filter_view(**s), s["filter_name"])
    elif name == "pool":
        fig, axes = vis.pool_explorer_axes()
        for s in settings:
            widgets.render_pool_explorer(axes, **s)
            yield fig
    elif name == "rf":
        for s in settings:
            yield vis.receptive_field_figure(widgets.rf_view(**s).layers)
    elif name == "occlusion":
        fig, axes = vis.occlusion_explorer_axes()
        for s in settings:
            widgets.render_occlusion_explorer(axes, **s)
            yield fig
    elif name == "class_model":
        fig, axes = vis.class_model_explorer_axes()
        for s in settings:
            view = widgets.class_model_view(**s)
            vis.draw_class_model_explorer(axes, view.image, view.probabilities, view.class_names, view.target,
                                          f"{s['target']}, {s['steps']} steps")
            yield fig
    elif name == "attack":
        nets, X, y = attack_setup()
        fig, axes = vis.attack_explorer_axes()
        for s in settings:
            widgets.render_attack_explorer(axes, nets, X, y, **s)
            yield fig


# ------------------------------------------------------------------ a picture as data
def _num(value, digits=6):
    value = float(value)
    return round(value, digits) if value == value else "nan"


def _colour(rgba):
    return [round(float(c), 4) for c in rgba]


def _paint(rgba):
    """A fill or edge colour; every invisible one (alpha 0: no fill, 'none') the same."""
    rgba = _colour(rgba)
    return [0.0, 0.0, 0.0, 0.0] if rgba[3] == 0 else rgba


def _colours(array):
    import numpy as np

    array = np.asarray(array, dtype=float).reshape(-1, 4) if len(array) else np.zeros((0, 4))
    return [_colour(c) for c in array]


def _image_data(rgba):
    """An image's colours (uint8 (H, W, 4)): every value when small, block means when large."""
    import numpy as np

    rgba = np.asarray(rgba)
    H, W = rgba.shape[:2]
    out = {"shape": [int(H), int(W)], "mean": [_num(v, 3) for v in rgba.reshape(-1, 4).mean(axis=0)]}
    if H * W <= 40 * 40:
        out["values"] = base64.b64encode(np.ascontiguousarray(rgba, dtype=np.uint8).tobytes()).decode("ascii")
    else:  # 8 x 8 blocks (the last row and column of blocks take what is left)
        rows = np.array_split(np.arange(H), 8)
        cols = np.array_split(np.arange(W), 8)
        out["blocks"] = [[[round(float(v), 1) for v in rgba[r][:, c].reshape(-1, 4).mean(axis=0)] for c in cols]
                         for r in rows]
    return out


def _path_vertices(path, transform=None):
    """A path's vertices (data coordinates), or for a long path (a circle, an outline) their number,
    extent and mean."""
    import numpy as np

    if transform is not None:
        path = transform.transform_path(path)
    vertices = np.asarray(path.vertices, dtype=float)
    if len(vertices) <= 5:
        return [[_num(x, 4), _num(y, 4)] for x, y in vertices]
    finite = vertices[np.isfinite(vertices).all(axis=1)]
    return {"n": len(vertices), "min": [_num(v, 4) for v in finite.min(axis=0)],
            "max": [_num(v, 4) for v in finite.max(axis=0)], "mean": [_num(v, 4) for v in finite.mean(axis=0)]}


def _text(t):
    return {"text": t.get_text(), "xy": [_num(v, 4) for v in t.get_position()], "size": _num(t.get_fontsize(), 2),
            "colour": _colour(__import__("matplotlib.colors").colors.to_rgba(t.get_color(), t.get_alpha())),
            "ha": t.get_horizontalalignment(), "va": t.get_verticalalignment(), "rotation": _num(t.get_rotation(), 2),
            "weight": str(t.get_fontweight())}


def _records(artist, ax):
    """The marks ``artist`` draws, as a list of records (a collection gives one per element)."""
    import matplotlib.collections as mcoll
    import matplotlib.image as mimage
    import matplotlib.legend as mlegend
    import matplotlib.lines as mlines
    import matplotlib.patches as mpatches
    import matplotlib.text as mtext
    import numpy as np

    alpha = artist.get_alpha()
    if isinstance(artist, mimage.AxesImage):
        data = artist.get_array()
        if data is None:
            return []
        rgba = artist.to_rgba(data, bytes=True, norm=True) if data.ndim == 2 or data.shape[-1] not in (3, 4) \
            else artist.to_rgba(data, bytes=True)
        return [{"kind": "image", "extent": [_num(v, 4) for v in artist.get_extent()], "alpha": alpha,
                 "interpolation": artist.get_interpolation(), "origin": artist.origin, **_image_data(rgba)}]
    if isinstance(artist, mtext.Text):
        return [{"kind": "text", **_text(artist)}] if artist.get_text() else []
    if isinstance(artist, mlines.Line2D):
        xy = np.asarray(artist.get_xydata(), dtype=float)
        if not len(xy):
            return []
        return [{"kind": "line", "xy": [[_num(x, 4), _num(y, 4)] for x, y in xy],
                 "colour": _colour(__import__("matplotlib.colors").colors.to_rgba(artist.get_color(), alpha)),
                 "linestyle": artist.get_linestyle(), "linewidth": _num(artist.get_linewidth(), 2),
                 "marker": str(artist.get_marker()), "markersize": _num(artist.get_markersize(), 2),
                 "markeredgewidth": _num(artist.get_markeredgewidth(), 2),
                 "markerfacecolor": _colour(__import__("matplotlib.colors").colors.to_rgba(
                     artist.get_markerfacecolor(), alpha)),
                 "markeredgecolor": _colour(__import__("matplotlib.colors").colors.to_rgba(
                     artist.get_markeredgecolor(), alpha))}]
    if isinstance(artist, mpatches.Patch):  # the same record as a path of a collection
        return [{"kind": "path", "path": _path_vertices(artist.get_path(), artist.get_patch_transform()),
                 "face": _paint(artist.get_facecolor() if artist.get_fill() else (0, 0, 0, 0)),
                 "edge": _paint(artist.get_edgecolor()), "linewidth": _num(artist.get_linewidth(), 2)}]
    if isinstance(artist, mcoll.QuadMesh):  # a colour bar's gradient: its cells' colours as an image
        coords = np.asarray(artist.get_coordinates(), dtype=float)
        faces = np.asarray(artist.get_facecolor(), dtype=float).reshape(coords.shape[0] - 1, coords.shape[1] - 1, 4)
        return [{"kind": "mesh", "min": [_num(v, 4) for v in coords.reshape(-1, 2).min(axis=0)],
                 "max": [_num(v, 4) for v in coords.reshape(-1, 2).max(axis=0)],
                 **_image_data(np.round(faces * 255).astype(np.uint8))}]
    if isinstance(artist, mcoll.Collection):
        paths = artist.get_paths()
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        faces, edges = artist.get_facecolor(), artist.get_edgecolor()
        widths = np.atleast_1d(artist.get_linewidth())
        if isinstance(artist, mcoll.PathCollection) and len(offsets) and artist.get_offset_transform() is ax.transData:
            # points (a scatter): one record per point, the marker path and size shared
            sizes = np.atleast_1d(artist.get_sizes())
            return [{"kind": "point", "xy": [_num(offsets[i, 0], 4), _num(offsets[i, 1], 4)],
                     "size": _num(sizes[i % len(sizes)], 2), "marker": _path_vertices(paths[i % len(paths)]),
                     "face": _paint(faces[i % len(faces)]) if len(faces) else _paint((0, 0, 0, 0)),
                     "edge": _paint(edges[i % len(edges)]) if len(edges) else _paint((0, 0, 0, 0)),
                     "linewidth": _num(widths[i % len(widths)], 2)} for i in range(len(offsets))]
        n = len(paths)
        return [{"kind": "path", "path": _path_vertices(paths[i]),
                 "face": _paint(faces[i % len(faces)]) if len(faces) else _paint((0, 0, 0, 0)),
                 "edge": _paint(edges[i % len(edges)]) if len(edges) else _paint((0, 0, 0, 0)),
                 "linewidth": _num(widths[i % len(widths)], 2)} for i in range(n)]
    if isinstance(artist, mlegend.Legend):
        handles = []
        for h in artist.legend_handles:
            if isinstance(h, mcoll.Collection):
                handles.append(_colour(h.get_facecolor()[0]))
            elif isinstance(h, mpatches.Patch):
                handles.append(_colour(h.get_facecolor()))
            elif isinstance(h, mlines.Line2D):
                handles.append(_colour(__import__("matplotlib.colors").colors.to_rgba(h.get_color())))
            else:
                handles.append(type(h).__name__)
        return [{"kind": "legend", "texts": [t.get_text() for t in artist.get_texts()], "handles": handles,
                 "loc": artist._loc if isinstance(artist._loc, int) else list(artist._loc),
                 "fontsize": _num(artist.get_texts()[0].get_fontsize(), 2) if artist.get_texts() else None}]
    return [{"kind": type(artist).__name__}]


def _ticks(axis, limits):
    lo, hi = sorted(limits)
    ticks = axis._update_ticks()
    shown = []
    for tick in ticks:
        loc = tick.get_loc()
        if not (lo - 1e-9 <= loc <= hi + 1e-9) or not tick.get_visible():
            continue
        label = tick.label1.get_text() if tick.label1.get_visible() else ""
        shown.append([_num(loc, 4), label])
    size = ticks[0].label1.get_fontsize() if ticks else None
    return {"ticks": shown, "labelsize": None if size is None else _num(size, 2)}


GEOMETRY = {"point": "xy", "path": "path", "text": ("xy", "text")}


def _add(marks, record):
    """Append ``record``; consecutive points (or paths) of the same style become one record with a
    list of positions (paths), however many artists drew them."""
    key = GEOMETRY.get(record["kind"])
    if key is not None:
        keys = key if isinstance(key, tuple) else (key,)
        style = {k: v for k, v in record.items() if k not in keys}
        where = [record[k] for k in keys] if len(keys) > 1 else record[key]
        last = marks[-1] if marks else None
        if last is not None and last.get("style") == style:
            last["geometry"].append(where)
            return
        marks.append({"style": style, "geometry": [where]})
        return
    marks.append(record)


def describe(fig):
    """``fig`` (a drawn or undrawn Figure) as data: its suptitle, and per visible axes its texts,
    limits, ticks and marks in drawing order (see the module's docstring)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if hasattr(fig.canvas, "buffer_rgba") else FigureCanvasAgg(fig)
    canvas.draw()  # ticks, legends and the aspect are settled at drawing time
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None and fig._suptitle.get_visible() else ""
    out = {"suptitle": suptitle, "suptitle_size": _num(fig._suptitle.get_fontsize(), 2) if suptitle else None,
           "axes": []}
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        skip = {ax.patch, ax.title, ax._left_title, ax._right_title, ax.xaxis, ax.yaxis, *ax.spines.values()}
        children = [a for a in ax.get_children() if a not in skip and a.get_visible()]
        children.sort(key=lambda a: a.zorder)  # Axes.draw's order (a stable sort)
        marks = []
        for artist in children:
            for record in _records(artist, ax):
                record["zorder"] = _num(artist.zorder, 2)
                _add(marks, record)
        out["axes"].append({
            "label": ax.get_label(), "title": ax.get_title(), "title_size": _num(ax.title.get_fontsize(), 2),
            "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "axison": bool(ax.axison),
            "xlim": [_num(v, 4) for v in ax.get_xlim()], "ylim": [_num(v, 4) for v in ax.get_ylim()],
            "aspect": ax.get_aspect() if isinstance(ax.get_aspect(), str) else _num(ax.get_aspect(), 4),
            "xticks": _ticks(ax.xaxis, ax.get_xlim()), "yticks": _ticks(ax.yaxis, ax.get_ylim()),
            "marks": marks,
        })
    return out


# ------------------------------------------------------------------ comparing two descriptions
def differences(want, got, where="", limit=20):
    """Where ``got`` differs from ``want`` (descriptions), as short sentences (at most ``limit``).

    Numbers agree within 1e-6 + 1e-5 of their size (data coordinates, bar heights); image
    values within 2 of 255 (a probability computed with another BLAS may round differently);
    block means and channel means within 0.5 of 255."""
    import numpy as np

    found = []

    def walk(a, b, path):
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            if set(a) != set(b):
                found.append(f"{path}: keys {sorted(set(a) ^ set(b))} in one only")
                return
            if "values" in a and "shape" in a:  # a small image: every value
                va = np.frombuffer(base64.b64decode(a["values"]), np.uint8).astype(int)
                vb = np.frombuffer(base64.b64decode(b["values"]), np.uint8).astype(int)
                if a["shape"] != b["shape"] or va.shape != vb.shape:
                    found.append(f"{path}: image shape {a['shape']} != {b['shape']}")
                elif np.abs(va - vb).max() > 2:
                    found.append(f"{path}: image values differ by up to {np.abs(va - vb).max()} "
                                 f"at {int(np.sum(np.abs(va - vb) > 2))} entries")
                rest = {k: v for k, v in a.items() if k not in ("values", "mean")}
                walk(rest, {k: v for k, v in b.items() if k not in ("values", "mean")}, path)
                return
            if "blocks" in a and "shape" in a:
                ba, bb = np.asarray(a["blocks"]), np.asarray(b["blocks"])
                if ba.shape != bb.shape or np.abs(ba - bb).max() > 0.5:
                    found.append(f"{path}: image blocks differ (largest {np.abs(ba - bb).max():.2f} of 255)"
                                 if ba.shape == bb.shape else f"{path}: image blocks {ba.shape} != {bb.shape}")
                if np.abs(np.asarray(a["mean"]) - np.asarray(b["mean"])).max() > 0.5:
                    found.append(f"{path}: image mean {a['mean']} != {b['mean']}")
                rest = {k: v for k, v in a.items() if k not in ("blocks", "mean")}
                walk(rest, {k: v for k, v in b.items() if k not in ("blocks", "mean")}, path)
                return
            for key in a:
                walk(a[key], b[key], f"{path}.{key}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                found.append(f"{path}: {len(a)} entries != {len(b)}" + _first_extra(a, b))
                return
            for k, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{k}]")
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            if abs(a - b) > 1e-6 + 1e-5 * abs(a):
                found.append(f"{path}: {a} != {b}")
        elif a != b:
            found.append(f"{path}: {a!r} != {b!r}")

    walk(want, got, where)
    return found


def _first_extra(a, b):
    for x, y in zip(a, b):
        if x != y:
            return f" (first difference: {str(x)[:160]} != {str(y)[:160]})"
    longer = a if len(a) > len(b) else b
    return f" (extra: {str(longer[min(len(a), len(b))])[:160]})"


# ------------------------------------------------------------------ writing the references
def _emit(names, out):
    """Describe the pictures of ``names`` with the code on sys.path; write JSON to ``out``."""
    import matplotlib
    import numpy

    matplotlib.use("agg")
    result = {}
    for name in names:
        result[name] = [describe(fig) for fig in _old_pictures(name)]
        print(f"{name}: {len(result[name])} settings", file=sys.stderr, flush=True)
    pathlib.Path(out).write_text(json.dumps({"matplotlib": matplotlib.__version__, "numpy": numpy.__version__,
                                             "pictures": result}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {REFERENCES.relative_to(ROOT)}")
    parser.add_argument("--code", default="f6ac570", help="the commit whose explorers draw the references")
    parser.add_argument("--emit", help=argparse.SUPPRESS)  # internal: draw with the code on sys.path
    parser.add_argument("names", nargs="*", default=list(SETTINGS))
    args = parser.parse_args()
    if args.emit:
        return _emit(args.names, args.emit)
    if not args.write:
        parser.error("nothing to do: pass --write")
    with tempfile.TemporaryDirectory(prefix="widgets-pictures-") as scratch:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.code, "cs231n_lib", "data"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", scratch], input=archive, check=True)
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.code], check=True, capture_output=True,
                                text=True).stdout.strip()
        env = {**os.environ, "PYTHONPATH": scratch, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MPLBACKEND": "agg"}
        out = pathlib.Path(scratch) / "pictures.json"
        subprocess.run([sys.executable, __file__, "--emit", str(out), *args.names], check=True, env=env, cwd=scratch)
        data = json.loads(out.read_text())
    data = {"made_by": f"python tests/widgets_pictures.py --write --code {args.code}", "commit": commit,
            "settings": {name: SETTINGS[name] for name in args.names}, **data}
    with open(REFERENCES, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write((json.dumps(data, separators=(",", ":")) + "\n").encode())
    print(f"wrote {REFERENCES.relative_to(ROOT)} ({REFERENCES.stat().st_size // 1024} KB) from {commit[:10]}")


if __name__ == "__main__":
    sys.exit(main())
