"""A small language for ConvNet architectures, in the notation of the notes.

The notes write architectures as layer patterns::

    INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC

A *spec* is the same thing with the sizes filled in, close to the notes and to
VGG's "conv3-64"::

    INPUT(32x32x3) -> [[CONV3-32 -> RELU]*2 -> POOL2]*3 -> [FC-512 -> RELU]*2 -> FC-10

Layers (case does not matter)::

    INPUT(HxWxD)    the input volume, height x width x depth, as the notes write it
    CONVF-K         K filters of F x F; stride 1 and 'same' padding (F-1)/2 unless told
    CONVF-K(S=2, P=0, D=2)   stride, zero padding on each side, dilation (1 = ordinary)
    RELU            elementwise max(0, x)
    POOLF           max pooling with an F x F window and stride F; POOL alone is POOL2
    POOLF(S=2)      window F, stride 2 (e.g. AlexNet's overlapping POOL3(S=2))
    POOLF(S=2, P=1) a padded pool (rare; ResNet's first pool is one)
    AVGPOOLF        average pooling (same options; e.g. GoogLeNet's AVGPOOL7)
    FC-K            fully connected layer with K neurons

Sizes must come out whole, as the notes require: ``(W - F + 2P)/S + 1`` that is
not an integer is an error.  Real networks often rely on their framework rounding
such a size.  A spec says so explicitly, layer by layer, with a flag among the
options: ``floor`` rounds down, as PyTorch and TensorFlow do (the pixels left over
at the far edge are never read), and ``ceil`` rounds up, as Caffe's pooling and
PyTorch's ``ceil_mode=True`` do::

    CONV7-96(S=2, P=1, floor)     ZF Net's first layer: floor(109.5) + 1 = 110
    POOL3(S=2, ceil)              Caffe's overlapping pool: ceil(53.5) + 1 = 55

``->`` (or ``→``) joins layers, ``[ ... ]`` groups them and ``*N`` repeats a
layer or a group N times (N may be 0).  :func:`parse` checks the syntax and the
geometry of every layer; a mistake raises :class:`SpecError`, which shows the
spec with a caret under the offending token.  Sizes come from
:mod:`cs231n_lib.arithmetic`, which also computes budgets and receptive fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from . import arithmetic

__all__ = [
    "SpecError",
    "Layer",
    "Spec",
    "parse",
    "general_pattern",
    "format_budget",
    "format_receptive_field",
    "format_bytes",
    "VGG16",
    "EXAMPLES",
]

VGG16 = (
    "INPUT(224x224x3) -> [CONV3-64 -> RELU]*2 -> POOL2"
    " -> [CONV3-128 -> RELU]*2 -> POOL2"
    " -> [CONV3-256 -> RELU]*3 -> POOL2"
    " -> [CONV3-512 -> RELU]*3 -> POOL2"
    " -> [CONV3-512 -> RELU]*3 -> POOL2"
    " -> [FC-4096 -> RELU]*2 -> FC-1000"
)
"""VGG-16 (configuration D of Simonyan and Zisserman, 2014) as a spec."""

EXAMPLES = {
    "linear classifier (N = M = K = 0)": "INPUT(32x32x3) -> FC-10",
    "one conv layer": "INPUT(32x32x3) -> CONV5-16 -> RELU -> FC-10",
    "two conv-pool stages": (
        "INPUT(32x32x3) -> [CONV5-16 -> RELU -> POOL2]*2 -> FC-64 -> RELU -> FC-10"
    ),
    "two convs per pool (N = 2, M = 3, K = 2)": (
        "INPUT(32x32x3) -> [CONV3-32 -> RELU -> CONV3-32 -> RELU -> POOL2]*3"
        " -> [FC-512 -> RELU]*2 -> FC-10"
    ),
}
"""The four example patterns of the notes, with sizes filled in for 32x32x3 images."""

LAYER_HELP = ("INPUT(HxWxD), CONVF-K, CONVF-K(S=.., P=.., D=.., floor), RELU, POOLF, "
              "POOLF(S=.., P=.., floor or ceil), AVGPOOLF, FC-K")


class SpecError(ValueError):
    """A mistake in a spec.  ``position`` and ``length`` locate the offending text.

    The message shows the spec with a caret under that text::

        Unknown layer 'CONVV3'.
          INPUT(32x32x3) -> CONVV3 -> FC-10
                            ^^^^^^
    """

    def __init__(self, reason: str, text: str, position: int, length: int = 1):
        self.reason = reason
        self.text = text
        self.position = position
        self.length = max(1, length)
        super().__init__(self._render())

    def _render(self) -> str:
        # Show one line of the spec around the error (specs may be long).
        line_start = self.text.rfind("\n", 0, self.position) + 1
        line_end = self.text.find("\n", self.position)
        line = self.text[line_start: line_end if line_end >= 0 else len(self.text)]
        col = self.position - line_start
        width = 100
        start = max(0, min(col - width // 2, len(line) - width))
        shown = line[start:start + width]
        prefix = "..." if start > 0 else ""
        suffix = "..." if start + width < len(line) else ""
        caret_col = len(prefix) + col - start
        carets = "^" * max(1, min(self.length, len(shown) - (col - start) + 1))
        return (
            f"{self.reason}\n"
            f"  {prefix}{shown}{suffix}\n"
            f"  {' ' * caret_col}{carets}"
        )


@dataclass(frozen=True)
class Layer:
    """One layer of a parsed spec: its geometry (a LayerDims) and where it was written.

    dims : the :class:`cs231n_lib.arithmetic.LayerDims` (kind, F, K, S, P,
        dilation, name); its fields are also readable here (``layer.F``, ...)
    shape : for 'input', the volume (H, W, D); otherwise None
    position, length : where the layer's token is in the spec text
    """

    dims: arithmetic.LayerDims
    shape: Optional[Tuple[int, int, int]] = None
    position: int = 0
    length: int = 1


# kind, F, K, S, P, dilation and name are those of the LayerDims, read through.
for _field in arithmetic.LayerDims._fields:
    setattr(Layer, _field, property(lambda self, _f=_field: getattr(self.dims, _f)))
del _field


@dataclass(frozen=True)
class Spec:
    """A parsed, size-checked architecture.

    text : the spec as written
    input_shape : (H, W, D)
    layers : the layers after INPUT, with repetitions expanded
    shapes : the output volume (H, W, D) of every layer in ``layers``
    """

    text: str
    input_shape: Tuple[int, int, int]
    layers: Tuple[Layer, ...]
    shapes: Tuple[Tuple[int, int, int], ...]

    def __str__(self) -> str:
        h, w, d = self.input_shape
        return " -> ".join([f"INPUT({h}x{w}x{d})"] + [lay.name for lay in self.layers])

    def budget(self, **options) -> arithmetic.Budget:
        """:func:`cs231n_lib.arithmetic.budget` of this network (same options)."""
        return arithmetic.budget(self.input_shape, [lay.dims for lay in self.layers],
                                 **options)

    def receptive_field(self, axis: str = "height"):
        """:func:`cs231n_lib.arithmetic.receptive_field` along one axis of the input."""
        if axis not in ("height", "width"):
            raise ValueError(f"axis must be 'height' or 'width', got {axis!r}.")
        size = self.input_shape[0 if axis == "height" else 1]
        return arithmetic.receptive_field([lay.dims for lay in self.layers], input_size=size)


# ------------------------------------------------------------------ tokenizer
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<arrow>->|→)"
    r"|(?P<open>\[)"
    r"|(?P<close>\])"
    r"|(?P<star>\*\s*(?P<count>[^\s\]\[>*-]*))"
    r"|(?P<layer>[A-Za-z](?:[A-Za-z0-9_]|-(?!>))*(?:\?)?(?:\s*\([^()]*\)?)?)"
)


def _tokens(text):
    """Yield (kind, value, position, length) for every token of ``text``."""
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos]
            hint = " (write -> between layers)" if bad in "-=>" else ""
            raise SpecError(f"Unexpected character {bad!r}{hint}.", text, pos)
        kind = m.lastgroup if m.lastgroup != "count" else "star"
        if m.group("star") is not None:
            kind = "star"
        if kind != "space":
            yield kind, m.group(0), pos, len(m.group(0))
        pos = m.end()


# ------------------------------------------------------------- layer tokens
_CONV = re.compile(r"CONV(?P<F>\d+)-(?P<K>\d+)$", re.I)
_POOL = re.compile(r"(?P<avg>AVG)?POOL(?P<F>\d*)$", re.I)
_FC = re.compile(r"FC-(?P<K>\d+)$", re.I)
_OPTION = re.compile(r"\s*(?P<key>[A-Za-z]+)\s*(?:=\s*(?P<value>[^,]*?))?\s*(,|$)")
_OPTION_NAMES = {"s": "S", "stride": "S", "p": "P", "pad": "P", "padding": "P",
                 "d": "dilation", "dilation": "dilation", "floor": "floor", "ceil": "ceil"}
_FLAGS = ("floor", "ceil")


def _option_label(key):
    return {"dilation": "D"}.get(key, key)


def _parse_options(text, body, start, allowed):
    """Parse 'S=2, P=0, floor' (``body``, starting at ``start`` in ``text``) into a dict.

    Numbers are KEY=NUMBER; the rounding flags ``floor`` and ``ceil`` stand alone
    and give ``options['rounding']``."""
    options, pos = {}, 0
    while pos < len(body) and body[pos:].strip():
        m = _OPTION.match(body, pos)
        if not m or m.end() == pos:
            raise SpecError(
                f"Cannot read the option {body[pos:].strip()!r}: write options as KEY=NUMBER "
                f"separated by commas, e.g. (S=2, P=0), or the word floor or ceil.",
                text, start + pos, len(body) - pos)
        key = _OPTION_NAMES.get(m.group("key").lower())
        at = start + m.start("key")
        if key is None or key not in allowed:
            raise SpecError(
                f"Unknown option {m.group('key')!r} here; allowed: "
                f"{', '.join(sorted(_option_label(a) for a in allowed))}.",
                text, at, len(m.group("key")))
        value = m.group("value")
        if key in _FLAGS:
            if value is not None:
                raise SpecError(f"{key} stands alone, without '=': write (S=2, {key}).",
                                text, at, len(m.group(0).strip().rstrip(",")))
            if "rounding" in options:
                raise SpecError("A layer rounds one way: give floor or ceil, not both.",
                                text, at, len(m.group("key")))
            options["rounding"] = key
            pos = m.end()
            continue
        if key in options:
            raise SpecError(f"Option {key} is given twice.", text, at, len(m.group("key")))
        if value is None:
            raise SpecError(f"Option {_option_label(key)} needs a value, e.g. {_option_label(key)}=1.",
                            text, at, len(m.group("key")))
        if not value.isdigit():
            raise SpecError(f"{key} must be a whole number, got {value!r}.",
                            text, start + m.start("value"), len(value) or 1)
        options[key] = int(value)
        pos = m.end()
    return options


def _parse_layer(text, token, pos):
    """Turn one layer token (e.g. 'CONV3-64(S=2)') into a :class:`Layer`."""
    head, _, rest = token.partition("(")
    head = head.rstrip()
    if "(" in token and not token.endswith(")"):
        raise SpecError("Missing ')' to close the options.", text, pos + len(token) - 1)
    body_start = pos + token.index("(") + 1 if "(" in token else pos + len(token)
    body = rest[:-1] if rest.endswith(")") else rest
    where = dict(text=text, position=pos, length=len(head))

    if head.endswith("?"):
        raise SpecError(
            f"{head!r}: the '?' of the notes' pattern means 'optional'. A spec lists the "
            f"layers that are there: write {head[:-1]} or leave it out.",
            text, pos + len(head) - 1)
    upper = head.upper()
    if upper == "INPUT":
        m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*[xX×]\s*(\d+)\s*", body)
        if "(" not in token or not m:
            raise SpecError("INPUT needs its volume as height x width x depth, "
                            "e.g. INPUT(32x32x3).", text, pos, len(token))
        shape = tuple(int(g) for g in m.groups())
        if 0 in shape:
            raise SpecError(f"Every size of the input volume must be positive, got {shape}.",
                            text, pos, len(token))
        return Layer(arithmetic.LayerDims("input", name="INPUT({}x{}x{})".format(*shape)), shape=shape,
                     position=pos, length=len(token))
    if upper == "RELU":
        if "(" in token:
            raise SpecError("RELU takes no options.", text, body_start - 1, len(body) + 2)
        return Layer(arithmetic.LayerDims("relu", name="RELU"), position=pos, length=len(token))
    m = _CONV.match(head)
    if m:
        F, K = int(m.group("F")), int(m.group("K"))
        if F == 0 or K == 0:
            raise SpecError(f"{head}: the filter size and the number of filters must be "
                            "positive.", **where)
        opts = _parse_options(text, body, body_start, {"S", "P", "dilation", "floor", "ceil"})
        d = opts.get("dilation", 1)
        if d < 1:
            raise SpecError("The dilation D must be at least 1 (1 is an ordinary filter).",
                            **where)
        if "P" in opts:
            P = opts["P"]
        else:
            try:
                P = arithmetic.same_padding(F, d)
            except ValueError as err:
                raise SpecError(f"{head}: by default a CONV keeps the size with padding "
                                f"P = (F_eff - 1)/2, and here that fails. {err} Give the "
                                f"padding explicitly, e.g. {head}(P=0).", **where) from None
        S = opts.get("S", 1)
        if S < 1:
            raise SpecError("The stride S must be at least 1.", **where)
        rounding = opts.get("rounding", "exact")
        extras = [f"{k}={v}" for k, v, default in (("S", S, 1), ("P", P, (F + (F - 1) * (d - 1) - 1) // 2),
                                                   ("D", d, 1)) if v != default]
        name = _layer_name(f"CONV{F}-{K}", extras, rounding)
        return Layer(arithmetic.LayerDims("conv", F, K, S, P, d, name, rounding), position=pos,
                     length=len(token))
    m = _POOL.match(head)
    if m:
        F = int(m.group("F") or 2)
        if F == 0:
            raise SpecError("The pooling window must be at least 1.", **where)
        opts = _parse_options(text, body, body_start, {"S", "P", "floor", "ceil"})
        S, P = opts.get("S", F), opts.get("P", 0)
        if S < 1:
            raise SpecError("The stride S must be at least 1.", **where)
        rounding = opts.get("rounding", "exact")
        extras = [f"S={S}"] if S != F else []
        extras += [f"P={P}"] if P else []
        kind = "AVGPOOL" if m.group("avg") else "POOL"
        name = _layer_name(f"{kind}{F}", extras, rounding)
        return Layer(arithmetic.LayerDims("pool", F, 0, S, P, 1, name, rounding), position=pos,
                     length=len(token))
    m = _FC.match(head)
    if m:
        K = int(m.group("K"))
        if K == 0:
            raise SpecError("An FC layer needs at least one neuron.", **where)
        if "(" in token:
            raise SpecError("FC takes no options.", text, body_start - 1, len(body) + 2)
        return Layer(arithmetic.LayerDims("fc", K=K, name=f"FC-{K}"), position=pos, length=len(token))
    hint = ""
    if upper in ("CONV", "FC"):
        hint = f" {upper} needs its sizes: " + (
            "CONVF-K, e.g. CONV3-64." if upper == "CONV" else "FC-K, e.g. FC-10.")
    elif upper.startswith("CONV") or upper.startswith("FC"):
        hint = " Write CONVF-K (e.g. CONV3-64) or FC-K (e.g. FC-10)."
    raise SpecError(f"Unknown layer {head!r}.{hint} Known layers: {LAYER_HELP}.", **where)


def _layer_name(head, extras, rounding):
    """'CONV7-96(S=2, P=1, floor)': the layer as a spec writes it, options that differ
    from the defaults included (so a table shows every rounding)."""
    extras = list(extras) + ([rounding] if rounding != "exact" else [])
    return head + (f"({', '.join(extras)})" if extras else "")


def _with_floor(lay):
    """The spec text of ``lay`` with the ``floor`` flag added (for an error's hint)."""
    name = lay.name
    if name.endswith(")"):
        return name[:-1] + ", floor)"
    return name + "(floor)"


# -------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text):
        self.text = text
        self.tokens = list(_tokens(text))
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def error(self, reason, token=None):
        if token is None:
            raise SpecError(reason, self.text, len(self.text.rstrip()), 1)
        raise SpecError(reason, self.text, token[2], token[3])

    def sequence(self, depth):
        """sequence := item ('->' item)*; returns a list of Layers."""
        layers = self.item(depth)
        while True:
            tok = self.peek()
            if tok is None or (tok[0] == "close" and depth > 0):
                return layers
            if tok[0] == "close":
                self.error("This ']' closes no '['.", tok)
            if tok[0] != "arrow":
                what = {"layer": f"before {tok[1].strip()!r}", "open": "before '['",
                        "star": "here: '*N' repeats the layer or [group] just before it"}
                self.error(f"Expected '->' {what.get(tok[0], 'here')}.", tok)
            self.i += 1
            layers += self.item(depth)

    def item(self, depth):
        """item := (layer | '[' sequence ']') ('*' N)?"""
        tok = self.peek()
        if tok is None:
            prev = self.tokens[self.i - 1] if self.i else None
            if prev is None:
                self.error(f"The spec is empty. Start with INPUT(HxWxD); layers: {LAYER_HELP}.")
            self.error("Expected a layer after '->'." if prev[0] == "arrow"
                       else "Expected a layer here.")
        if tok[0] == "layer":
            self.i += 1
            layers = [_parse_layer(self.text, tok[1], tok[2])]
        elif tok[0] == "open":
            self.i += 1
            layers = self.sequence(depth + 1)
            close = self.peek()
            if close is None:
                self.error("This '[' is never closed: add a ']'.", tok)
            self.i += 1
        elif tok[0] == "arrow":
            self.error("Expected a layer before '->'.", tok)
        elif tok[0] == "close":
            self.error("Expected a layer before ']' (empty group?).", tok)
        else:
            self.error("'*N' must follow a layer or a [group].", tok)
        star = self.peek()
        if star is not None and star[0] == "star":
            self.i += 1
            count = star[1][1:].strip()
            if not count.isdigit():
                self.error(f"'*' must be followed by a whole number of repetitions, got "
                           f"{count!r}." if count else
                           "'*' must be followed by a whole number of repetitions, e.g. *2.",
                           star)
            layers = layers * int(count)
        return layers


def parse(text: str) -> Spec:
    """Parse and size-check a spec such as ``'INPUT(32x32x3) -> CONV3-16 -> RELU -> FC-10'``.

    Returns a :class:`Spec` whose ``layers`` are expanded (``[A -> B]*2`` gives
    four layers) and whose ``shapes`` hold every layer's output volume.

    Raises
    ------
    SpecError (a ValueError)
        For a syntax mistake, an unknown layer, a missing or misplaced INPUT, or
        a layer whose geometry does not fit (with the formula from
        :mod:`cs231n_lib.arithmetic`); the message puts a caret under the token.
    """
    if not isinstance(text, str):
        raise ValueError(f"A spec is a string such as {EXAMPLES['one conv layer']!r}, "
                         f"got {type(text).__name__}.")
    parser = _Parser(text)
    layers = parser.sequence(0)
    if not layers:
        parser.error("The spec has no layers (a repetition *0 removed them all).",
                     parser.tokens[0] if parser.tokens else None)
    first = layers[0]
    if first.kind != "input":
        raise SpecError("A spec starts with the input volume, e.g. INPUT(32x32x3).",
                        text, first.position, first.length)
    for lay in layers[1:]:
        if lay.kind == "input":
            raise SpecError("INPUT may appear only once, at the start.",
                            text, lay.position, lay.length)
    shape, shapes = first.shape, []
    for lay in layers[1:]:
        try:
            shape = arithmetic.layer_output_shape(shape, lay.dims)
        except ValueError as err:
            h, w, d = shape
            hint = ""
            if "is not an integer" in str(err) and lay.rounding == "exact":
                hint = (f" To round down on purpose, as frameworks do, write {_with_floor(lay)}.")
            raise SpecError(f"{lay.name} does not fit its {h}x{w}x{d} input: {err}{hint}",
                            text, lay.position, lay.length) from None
        shapes.append(shape)
    return Spec(text, first.shape, tuple(layers[1:]), tuple(shapes))


def general_pattern(N: int, M: int, K: int, input_size: int = 32, depth: int = 3,
                    filters: int = 32, hidden: int = 512, classes: int = 10,
                    filter_size: int = 3) -> str:
    """The notes' pattern ``INPUT -> [[CONV -> RELU]*N -> POOL]*M -> [FC -> RELU]*K -> FC``
    written as a spec with sizes (a string; pass it to :func:`parse`).

    >>> general_pattern(2, 3, 1)
    'INPUT(32x32x3) -> [[CONV3-32 -> RELU]*2 -> POOL2]*3 -> [FC-512 -> RELU]*1 -> FC-10'
    """
    parts = [f"INPUT({input_size}x{input_size}x{depth})"]
    if M:
        conv = f"[CONV{filter_size}-{filters} -> RELU]*{N} -> " if N else ""
        parts.append(f"[{conv}POOL2]*{M}")
    elif N:
        parts.append(f"[CONV{filter_size}-{filters} -> RELU]*{N}")
    if K:
        parts.append(f"[FC-{hidden} -> RELU]*{K}")
    parts.append(f"FC-{classes}")
    return " -> ".join(parts)


# ----------------------------------------------------------------- rendering
def format_bytes(n: int) -> str:
    """``'60.9 MB (58.1 MiB)'``: decimal megabytes and binary mebibytes (kB and KiB, or
    plain bytes, for small amounts)."""
    if n < 10_000:
        return f"{n:,} bytes"
    if n < 1_000_000:
        return f"{n / 1e3:,.1f} kB ({n / 2**10:,.1f} KiB)"
    return f"{n / 1e6:,.1f} MB ({n / 2**20:,.1f} MiB)"


def format_budget(b: arithmetic.Budget, formulas: bool = True) -> str:
    """A budget as a plain-text table with totals (for printing in a notebook)."""
    dtype = {4: "float32", 8: "float64", 2: "float16"}.get(b.bytes_per_value,
                                                            f"{b.bytes_per_value}-byte values")
    header = ("layer", "output volume", "activations", "bytes", "weights", "biases")
    lines = []
    for r in b.rows:
        act = r.activation_formula if formulas else f"{r.activations:,}"
        if r.stored == 0 and r.activations:
            act = "(in place)"
        lines.append((r.name, "x".join(map(str, r.shape)), act, f"{r.activation_bytes:,}",
                      r.weight_formula if (formulas and r.weights) else f"{r.weights:,}",
                      f"{r.biases:,}"))
    widths = [max(len(row[i]) for row in lines + [header]) for i in range(6)]
    fmt = "  ".join(["{:<%d}" % widths[0], "{:<%d}" % widths[1]]
                    + ["{:>%d}" % w for w in widths[2:]])
    out = [fmt.format(*header), "-" * (sum(widths) + 10)]
    out += [fmt.format(*row) for row in lines]
    out += [
        "-" * (sum(widths) + 10),
        f"activations: {b.activations:,} values -> forward {format_bytes(b.forward_bytes)}"
        f" in {dtype}; x{b.backward_factor} with the backward pass: "
        f"{format_bytes(b.training_activation_bytes)}",
        f"parameters: {b.weights:,} weights + {b.biases:,} biases = {b.params:,}"
        f" -> {format_bytes(b.param_bytes)}; x{b.param_copies} for gradients and step cache: "
        f"{format_bytes(b.training_param_bytes)}",
    ]
    return "\n".join(out)


def format_receptive_field(rows) -> str:
    """Receptive-field rows (from :func:`cs231n_lib.arithmetic.receptive_field`) as a table."""
    header = ("layer", "k", "s", "p", "field r", "stride S", "padding P")
    lines = [(r.name, str(r.k), str(r.s), str(r.p), str(r.size), str(r.stride), str(r.padding))
             for r in rows]
    widths = [max(len(row[i]) for row in lines + [header]) for i in range(7)]
    fmt = "  ".join(["{:<%d}" % widths[0]] + ["{:>%d}" % w for w in widths[1:]])
    return "\n".join([fmt.format(*header)] + [fmt.format(*row) for row in lines])
