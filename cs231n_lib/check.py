"""Check your own CS231n layers against the library's, and learn *which part* differs.

A relative error of 1.0 says that a layer is wrong, not where.  These checks run
your function and the library's on random float64 inputs (multiples of 1/4, so that
every sum is exact) of several shapes and settings, each setting chosen to switch on one part of the layer (bias, padding,
stride, several channels, several filters, non-square images and filters), and
compare them against the typical mistakes (a filter flipped, padding on one side
only, the stride forgotten in the window position, the bias added twice, a
gradient summed over the wrong axis...).  Your exceptions are reported with the
line where they happened, never raised::

    from cs231n_lib import check
    check.conv_forward(conv_forward_naive)                 # your forward pass
    check.conv_backward(conv_backward_naive, conv_forward_naive)
    check.run(my_layers_module)        # every check whose function the module (or dict, or .py path) defines

Each returns a :class:`Report`; displaying it (the last line of a notebook cell, or
``print``) shows one line per finding.  ``report.passed`` is True when every check
passed.

The API is CS231n's: ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)`` with
x of shape (N, C, H, W), w (F, C, HH, WW), b (F,), ``conv_param = {'stride': S,
'pad': P}``, cross-correlation (the filter is not flipped);
``conv_backward_naive(dout, cache) -> (dx, dw, db)``.

The checks form a registry, :data:`CHECKS`, keyed by the name of the function they
check.  A new check is one function decorated with :func:`register`, e.g.::

    @register("batchnorm_forward", title="batch normalization, forward pass")
    def _batchnorm_forward(functions):
        ...                      # return a CheckResult
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.util
import pathlib
import types
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from .exercises._base import _where
from .gradient_check import rel_error

__all__ = ["CHECKS", "Check", "CheckResult", "Report", "register", "run", "conv_forward",
           "conv_backward"]

TOLERANCE = 1e-7
"""Largest relative error (CS231n's ``rel_error``) that counts as the same numbers in float64."""


# ------------------------------------------------------------------ results and report
@dataclasses.dataclass
class CheckResult:
    """The outcome of one check.

    name : the checked function, e.g. 'conv_forward_naive'
    status : 'passed', 'failed', or 'missing' (the function was not given)
    findings : one line per distinct problem (which part differs and how to fix it)
    measured : one line per compared quantity with its largest relative error
    """

    name: str
    title: str
    status: str
    findings: List[str] = dataclasses.field(default_factory=list)
    measured: List[str] = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def lines(self) -> List[str]:
        head = {"passed": "[same as cs231n_lib]", "failed": "[differs]",
                "missing": "[not given]"}[self.status]
        out = [f"{head} {self.name} ({self.title})"]
        out += [f"  - {line}" for line in self.findings]
        out += [f"    {line}" for line in self.measured]
        return out


@dataclasses.dataclass
class Report:
    """What :func:`run` found: one :class:`CheckResult` per check.  Displays as text."""

    results: List[CheckResult]

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results if r.status != "missing") \
            and any(r.passed for r in self.results)

    def __getitem__(self, name: str) -> CheckResult:
        return next(r for r in self.results if r.name == name)

    def __str__(self) -> str:
        if not self.results:
            return ("No function to check. Give one of: " + ", ".join(CHECKS) + ".")
        return "\n".join(line for r in self.results for line in r.lines())

    __repr__ = __str__


# ------------------------------------------------------------------ the registry
@dataclasses.dataclass(frozen=True)
class Check:
    """One registered check: the function ``name`` it checks, a ``title``, the other
    functions it can use (``uses``, e.g. the forward pass whose cache a backward pass
    reads), and ``run(functions) -> CheckResult`` where ``functions`` maps names to
    the student's callables."""

    name: str
    title: str
    run: Callable[[Dict[str, Callable]], CheckResult]
    uses: Tuple[str, ...] = ()


CHECKS: Dict[str, Check] = {}
"""Every registered check, by the name of the function it checks, in registration order."""


def register(name: str, title: str, uses: Tuple[str, ...] = ()):
    """Decorator: register ``run(functions) -> CheckResult`` as the check of ``name``."""
    def decorate(func):
        CHECKS[name] = Check(name, title, func, tuple(uses))
        return func
    return decorate


def _functions_of(source) -> Dict[str, Callable]:
    """The callables named like a registered check in a module, a dict, or a .py file."""
    if source is None:
        return {}
    if isinstance(source, (str, pathlib.Path)):
        path = pathlib.Path(source)
        if not path.is_file():
            raise ValueError(f"{path} is not a file: give the path of a .py file with your layers.")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        source = module
    if isinstance(source, types.ModuleType):
        source = vars(source)
    if not isinstance(source, dict):
        raise ValueError(f"give a module, a dict of functions or the path of a .py file, "
                         f"got {type(source).__name__}.")
    names = set(CHECKS) | {u for c in CHECKS.values() for u in c.uses}
    return {k: v for k, v in source.items() if k in names and callable(v)}


def run(source=None, **functions) -> Report:
    """Run every registered check whose function is given.

    ``source`` is a module, a dict (e.g. ``globals()``) or the path of a .py file;
    ``functions`` name functions directly (``conv_forward_naive=my_forward``) and
    win over ``source``.  Checks whose function is missing are left out of the
    report.  Never raises because of the student's code.
    """
    given = _functions_of(source)
    given.update({k: v for k, v in functions.items() if v is not None})
    unknown = sorted(set(functions) - set(CHECKS) - {u for c in CHECKS.values() for u in c.uses})
    if unknown:
        raise ValueError(f"no check for {unknown}; the checks are: {', '.join(CHECKS)}.")
    results = [check.run(given) for name, check in CHECKS.items() if name in given]
    return Report(results)


def conv_forward(conv_forward_naive: Callable) -> Report:
    """Check a 4-D ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)``."""
    return run(conv_forward_naive=conv_forward_naive)


def conv_backward(conv_backward_naive: Callable, conv_forward_naive: Optional[Callable] = None) -> Report:
    """Check ``conv_backward_naive(dout, cache) -> (dx, dw, db)``; with your forward pass
    its cache is used, otherwise CS231n's cache ``(x, w, b, conv_param)``."""
    functions = {"conv_backward_naive": conv_backward_naive}
    if conv_forward_naive is not None:
        functions["conv_forward_naive"] = conv_forward_naive
    given = dict(functions)
    return Report([CHECKS["conv_backward_naive"].run(given)])


# ------------------------------------------------------------------ shared helpers
def _call(func, *args):
    """``(value, None)`` or ``(None, exception)``; never raises."""
    try:
        return func(*args), None
    except Exception as err:  # the student's code may raise anything
        return None, err


def _array(value):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception:
        return None
    return arr


def _magnitude(error: float) -> str:
    """A relative error as the power of ten just above it (``show.magnitude``): '< 1e-11', '0',
    or for an error of order one its value ('0.8')."""
    from .show import magnitude

    return magnitude(error) if error < 0.3 else f"{error:.1f}"


def _same(a, b) -> bool:
    return (a is not None and b is not None and np.shape(a) == np.shape(b)
            and rel_error(a, b) < TOLERANCE)


def _maybe(model):
    """A mistake model's output, or None where the mistake is undefined (it would crash)."""
    try:
        return model()
    except Exception:
        return None


def _first_difference(mine, yours, name):
    """'out[0, 1, 0, 2]: cs231n_lib 0.123, yours 0.987' at the largest difference."""
    diff = np.abs(mine - yours)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = ", ".join(str(int(i)) for i in idx)
    return f"{name}[{where}]: cs231n_lib {float(mine[idx]):.4g}, yours {float(yours[idx]):.4g}"


class _Trial:
    """One quantity (out, dx, dw or db) over all settings: the student's value in each, the
    right value, and the typical mistakes as models (finding, value) per setting."""

    def __init__(self, name):
        self.name = name
        self.got, self.want, self.models, self.cases = [], [], [], []
        self.chosen = None  # index of the mistake that explains every setting, once explained

    def undefined_for_chosen(self, case) -> bool:
        """True when the chosen mistake cannot be computed in ``case`` (the code would crash there)."""
        if self.chosen is None:
            return False
        i = self.cases.index(case)
        return _maybe(self.models[i][self.chosen][1]) is None

    def add(self, case, got, want, models):
        self.cases.append(case)
        self.got.append(got)
        self.want.append(want)
        self.models.append(models)

    def explain(self):
        """Findings for the settings where the student's value differs: the one mistake
        that reproduces the student's value in *every* setting where it is defined, else
        a description of where the values start to differ.  Returns (findings, worst)."""
        self.chosen = None
        wrong = [i for i, (g, w) in enumerate(zip(self.got, self.want)) if g is not None and not _same(g, w)]
        compared = [rel_error(g, w) for g, w in zip(self.got, self.want)
                    if g is not None and np.shape(g) == np.shape(w)]
        worst = max(compared) if compared else None
        if not wrong:
            return [], worst
        first = self.cases[wrong[0]]
        example = f"first in the setting {first.part!r}: {first.describe()}"
        if self.got[wrong[0]].shape == self.want[wrong[0]].shape:
            example += f"; relative error {rel_error(self.got[wrong[0]], self.want[wrong[0]]):.0e}"
        for k in range(len(self.models[0])):
            informative, consistent = False, True
            for i, got in enumerate(self.got):
                if got is None:
                    continue
                predicted = _maybe(self.models[i][k][1])
                if predicted is None:
                    continue
                if not _same(got, predicted):
                    consistent = False
                    break
                informative |= not _same(predicted, self.want[i])
            if consistent and informative:
                self.chosen = k
                return [(self.models[0][k][0], example)], worst
        g, w = self.got[wrong[0]], self.want[wrong[0]]
        if g.shape != w.shape:
            return [(first.shape_mistake(self.name, g.shape), example)], worst
        return [(f"{self.name} differs in {len(wrong)} of {len(self.got)} settings (largest difference "
                 f"at {_first_difference(w, g, self.name)})", example)], worst


def _absorb(explained, crashes, trials):
    """Crashes in the settings where the chosen mistake cannot work are part of that mistake
    (a transposed filter cannot multiply a non-square window): say so in its line and drop
    them from ``crashes`` (in place)."""
    if not explained or not crashes:
        return explained
    trial = next((t for t in trials if t.chosen is not None), None)
    if trial is None:
        return explained
    absorbed = [(case, err) for case, err in crashes if trial.undefined_for_chosen(case)]
    if not absorbed:
        return explained
    for item in absorbed:
        crashes.remove(item)
    case, err = absorbed[0]
    text, example = explained[0]
    return [(f"{text}; this is also why your code raises {type(err).__name__} in the setting "
             f"{case.part!r}", example)] + explained[1:]


def _crash_findings(crashes):
    """One line per distinct crash (exception type and line of the student's code): where it
    happened first, and how many settings it broke."""
    seen = {}
    for case, err in crashes:
        key = (type(err).__name__, _where(err))
        seen.setdefault(key, []).append((case, err))
    lines = []
    for (name, where), hits in seen.items():
        case, err = hits[0]
        more = f"; {len(hits) - 1} more setting{'s' if len(hits) > 2 else ''} alike" if len(hits) > 1 else ""
        lines.append(f"your code raised {name}: {err}{where} (first in the setting {case.part!r}: "
                     f"{case.describe()}{more})")
    return lines


# ------------------------------------------------------------------ convolution: the settings
@dataclasses.dataclass(frozen=True)
class _ConvCase:
    """One setting of the conv checks; ``part`` names what it switches on."""

    part: str
    x_shape: Tuple[int, int, int, int]
    w_shape: Tuple[int, int, int, int]
    stride: int
    pad: int
    bias: bool = True

    def arrays(self, seed):
        """x, w, b and conv_param of this setting: multiples of 1/4 between -2 and 2, so that
        every product and sum is exact in float64 whatever its order (a right layer then
        matches to the last bit on every machine), yet not whole numbers (an output stored in
        an integer array shows)."""
        rng = np.random.default_rng(seed)
        x, w = _quarters(rng, self.x_shape), _quarters(rng, self.w_shape)
        b = _quarters(rng, (self.w_shape[0],)) if self.bias else np.zeros(self.w_shape[0])
        return x, w, b, {"stride": self.stride, "pad": self.pad}

    @property
    def out_shape(self):
        N, _, H, W = self.x_shape
        F, _, HH, WW = self.w_shape
        return (N, F, (H - HH + 2 * self.pad) // self.stride + 1, (W - WW + 2 * self.pad) // self.stride + 1)

    def describe(self):
        return f"x {self.x_shape}, w {self.w_shape}, stride {self.stride}, pad {self.pad}"

    def shape_mistake(self, name, got):
        """Name the mistake behind a wrong shape of ``name`` ('out', 'dx', 'dw', 'db')."""
        got = tuple(got)
        N, C, H, W = self.x_shape
        F, _, HH, WW = self.w_shape
        S, P = self.stride, self.pad
        size = lambda h, f, s, p2: (h - f + p2) // s + 1  # noqa: E731
        want = self.out_shape
        named = {
            "out": [
                ((N, F, size(H, HH, 1, 2 * P), size(W, WW, 1, 2 * P)),
                 "stride ignored in the output size: H_out = (H - HH + 2*pad)//stride + 1"),
                ((N, F, size(H, HH, S, 2 * P), size(W, HH, S, 2 * P)),
                 "filter height used for the width too: W_out comes from WW = w.shape[3]"),
                ((N, C) + want[2:], "one output channel per input channel: out has F channels, one per filter"),
            ],
            "dx": [((N, C, H + 2 * P, W + 2 * P),
                    "dx still has the padding: return dx_pad[:, :, pad:pad + H, pad:pad + W], the "
                    "gradient of the unpadded x")],
            "dw": [((C, F, HH, WW), "dw has filters and channels swapped: it has the shape of w, (F, C, HH, WW)")],
            "db": [((N,), "db summed over the wrong axes: one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)"),
                   ((), "db is one number: there is one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)")],
        }[name]
        for shape, finding in named:
            if got == shape:
                return finding
        expected = {"out": want, "dx": self.x_shape, "dw": self.w_shape, "db": (F,)}[name]
        return f"{name} has shape {got}, expected {tuple(expected)}"


def _quarters(rng, shape):
    """Random multiples of 1/4 from -2 to 2 (float64), none of them zero."""
    values = rng.integers(1, 9, size=shape) * rng.choice([-1, 1], size=shape)
    return values / 4.0


# Each setting switches on one more part of the layer, so the first setting that
# fails names the part (bias, padding, stride, channels, ...).
_CONV_CASES = [
    _ConvCase("one image, one channel, one filter, no bias", (1, 1, 5, 5), (1, 1, 3, 3), 1, 0, bias=False),
    _ConvCase("bias", (1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
    _ConvCase("padding", (1, 1, 5, 5), (1, 1, 3, 3), 1, 1),
    _ConvCase("stride", (1, 1, 7, 7), (1, 1, 3, 3), 2, 0),
    _ConvCase("several channels", (1, 3, 5, 5), (1, 3, 3, 3), 1, 1),
    _ConvCase("several filters and images", (2, 3, 5, 5), (3, 3, 3, 3), 1, 1),
    _ConvCase("non-square images", (2, 2, 6, 8), (2, 2, 3, 3), 1, 1),
    _ConvCase("non-square filters", (2, 3, 7, 9), (4, 3, 3, 5), 2, 1),
    _ConvCase("windows that do not overlap", (1, 2, 6, 6), (1, 2, 3, 3), 3, 0),
]


# ------------------------------------------------------------------ convolution: forward
def _conv_reference(x, w, b, stride, pad, *, flip=False, pads=None, step=None, bias_times=1,
                     channels="all", out_hw=None, window=None):
    """Cross-correlation with one part changed, written independently of cs231n_lib.layers.

    pads : ((top, bottom), (left, right)) zeros, default (pad, pad) on each axis
    step : pixels between neighbouring windows, default ``stride``
    channels : 'all', or 'first' (only channel 0 is read)
    out_hw : the output size, default the one the padding and stride give
    window : (HH, WW) of the window read, default the filter's (a smaller one crops the filter)
    """
    if flip:
        w = w[:, :, ::-1, ::-1]
    if channels == "first":
        x, w = x[:, :1], w[:, :1]
    HH, WW = window or w.shape[2:]
    w = w[:, :, :HH, :WW]
    pads = pads or ((pad, pad), (pad, pad))
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    step = step or stride
    H_out, W_out = out_hw or ((xp.shape[2] - HH) // stride + 1, (xp.shape[3] - WW) // stride + 1)
    out = np.empty((x.shape[0], w.shape[0], H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = xp[:, :, i * step:i * step + HH, j * step:j * step + WW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w)
    return out + bias_times * b[None, :, None, None]


def _forward_mistakes(x, w, b, stride, pad):
    """The typical wrong forward passes on one setting: [(finding, thunk of their output)].

    A thunk returns None where the mistake is undefined (the student's code would crash)."""
    F, C, HH, WW = w.shape
    H_out = (x.shape[2] - HH + 2 * pad) // stride + 1
    W_out = (x.shape[3] - WW + 2 * pad) // stride + 1
    P2 = 2 * pad
    ref = functools.partial(_conv_reference, x, w, b, stride, pad)
    return [
        ("kernel flipped: conv layers compute a cross-correlation, out[n, f, i, j] = sum of "
         "x_pad[n, c, i*S + a, j*S + b] * w[f, c, a, b]; you flipped w in space (the textbook "
         "convolution)", lambda: ref(flip=True)),
        ("bias missing: add b[f] to every output of filter f", lambda: ref(bias_times=0)),
        ("bias added twice: add b[f] once per output", lambda: ref(bias_times=2)),
        ("bias added once per filter tap: add b[f] once per output, after the sum",
         lambda: ref(bias_times=C * HH * WW)),
        ("bias added once per channel: add b[f] once per output, after summing over the channels",
         lambda: ref(bias_times=C)),
        ("padding missing: pad x with pad zeros on each side (np.pad) before sliding the filter; "
         "H_out = (H - HH + 2*pad)//stride + 1 counts the padded image", lambda: ref(pads=((0, 0), (0, 0)))),
        ("padding on one side only: you put all 2*pad zeros after the image (bottom and right); "
         "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) pads both sides",
         lambda: ref(pads=((0, P2), (0, P2)))),
        ("padding on one side only: you put all 2*pad zeros before the image (top and left)",
         lambda: ref(pads=((P2, 0), (P2, 0)))),
        ("padding on one side only: the padded image is H + 2*pad high, with pad zeros on each side",
         lambda: ref(pads=((0, pad), (0, pad)))),
        ("stride ignored in the window position: window (i, j) starts at row i*stride and column "
         "j*stride, yours at (i, j)", lambda: ref(step=1, out_hw=(H_out, W_out))),
        ("channels mixed up: each filter reads all C channels of its window (x[n, :, ...] * w[f]) "
         "and sums them; yours reads channel 0 only", lambda: ref(channels="first")),
        ("channels mixed up: w is (F, C, HH, WW); you used w[c, f], filters and channels swapped",
         lambda: _conv_reference(x, w.transpose(1, 0, 2, 3), b, stride, pad) if F == C else None),
        ("filter rows and columns swapped: multiply x_pad[n, c, i*S + a, j*S + b] by w[f, c, a, b], "
         "not w[f, c, b, a]",
         lambda: _conv_reference(x, w.transpose(0, 1, 3, 2), b, stride, pad) if HH == WW else None),
        ("filter height used for the width too: the window is HH x WW, WW = w.shape[3]",
         lambda: ref(window=(HH, HH)) if HH <= WW else None),
        ("output rows and columns swapped: out[n, f, i, j] has i along the height",
         lambda: ref().transpose(0, 1, 3, 2)),
        ("axes 0 and 1 swapped: out is (N, F, H_out, W_out), images first",
         lambda: ref().transpose(1, 0, 2, 3)),
        ("filters last: out is (N, F, H_out, W_out), NCHW like x", lambda: ref().transpose(0, 2, 3, 1)),
    ]


@register("conv_forward_naive", "forward pass of a convolutional layer")
def _check_conv_forward(functions) -> CheckResult:
    from .layers import conv_forward_naive as ours

    forward = functions["conv_forward_naive"]
    notes, crashes, trial = [], [], _Trial("out")
    for k, case in enumerate(_CONV_CASES):
        x, w, b, param = case.arrays(seed=231 + k)
        copies = (x.copy(), w.copy(), b.copy())
        result, err = _call(forward, x, w, b, dict(param))
        if err is not None:
            crashes.append((case, err))
            x, w, b = copies
            trial.add(case, None, ours(x, w, b, param)[0], _forward_mistakes(x, w, b, param["stride"], param["pad"]))
            continue
        if not all(np.array_equal(a, c) for a, c in zip((x, w, b), copies)):
            notes.append(("your forward pass changed its inputs in place; work on copies (np.pad "
                          "returns one)", case))
            x, w, b = copies
        if isinstance(result, tuple) and len(result) == 2:
            out = _array(result[0])
        else:
            notes.append(("return the pair (out, cache), as CS231n's API does", case))
            out = _array(result)
        want, _ = ours(x, w, b, param)
        trial.add(case, out, want, _forward_mistakes(x, w, b, param["stride"], param["pad"]))
    explained, worst = trial.explain()
    shaped = [(g, w) for g, w in zip(trial.got, trial.want) if g is not None and g.shape == w.shape]
    if shaped and all(np.array_equal(g, np.round(g)) for g, _ in shaped) \
            and not all(np.array_equal(w, np.round(w)) for _, w in shaped):
        first = next(c for c, g, w in zip(trial.cases, trial.got, trial.want)
                     if g is not None and g.shape == w.shape and not _same(g, w))
        explained = [("out holds whole numbers only: an array made with an integer dtype (np.zeros_like of "
                      "an integer array, or dtype=int) cuts every value; create out with a float dtype",
                      f"first in the setting {first.part!r}: {first.describe()}")]
    explained = _absorb(explained, crashes, [trial])
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})"
                for text, case in _first_of(notes)]
    findings += _crash_findings(crashes) + [f"{text} ({example})" for text, example in explained]
    measured = []
    if worst is not None:
        shaped = sum(g is not None and g.shape == w.shape for g, w in zip(trial.got, trial.want))
        measured.append(f"{len(_CONV_CASES)} settings (float64); largest relative error of out over the "
                        f"{shaped} with the right shape: "
                        + ("0 (the same numbers)" if worst == 0 else _magnitude(worst)))
    return CheckResult("conv_forward_naive", CHECKS["conv_forward_naive"].title,
                       "failed" if findings else "passed", findings, measured)


def _first_of(notes):
    """Each note once, with the first setting that showed it."""
    seen = {}
    for text, case in notes:
        seen.setdefault(text, case)
    return list(seen.items())


# ------------------------------------------------------------------ convolution: backward
def _backward_reference(dout, x, w, stride, pad, *, step=None, flip=False):
    """(dx_pad, dw, db) of the cross-correlation, by scattering each output's gradient,
    written independently of cs231n_lib.layers; ``step`` and ``flip`` as in the forward."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    step = step or stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(xp)
    dw = np.zeros_like(w)
    F, _, HH, WW = w.shape
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * step, i * step + HH), slice(j * step, j * step + WW)
            g = dout[:, :, i, j]                                    # (N, F)
            dx_pad[:, :, rows, cols] += np.einsum("nf,fchw->nchw", g, w)
            dw += np.einsum("nf,nchw->fchw", g, xp[:, :, rows, cols])
    return dx_pad, dw, dout.sum(axis=(0, 2, 3))


def _backward_mistakes(dout, x, w, stride, pad):
    """The right (dx, dw, db) and the typical wrong ones: models per gradient, as
    [(finding, thunk)] (a thunk gives None where the mistake is undefined)."""
    N = x.shape[0]
    H, W = x.shape[2:]
    P2 = 2 * pad
    ref = functools.partial(_backward_reference, dout, x, w, stride, pad)
    dx_pad, dw, db = ref()
    crop = (slice(None), slice(None), slice(pad, pad + H), slice(pad, pad + W))
    dx_models = [
        ("dx still has the padding: return dx_pad[:, :, pad:pad + H, pad:pad + W], the gradient of "
         "the unpadded x", lambda: dx_pad),
        ("dx cut from the wrong corner of dx_pad: drop pad rows and columns on *each* side, "
         "dx_pad[:, :, pad:pad + H, pad:pad + W]", lambda: dx_pad[:, :, :H, :W]),
        ("dx cut from the wrong corner of dx_pad: drop pad rows and columns on *each* side, "
         "dx_pad[:, :, pad:pad + H, pad:pad + W]", lambda: dx_pad[:, :, P2:P2 + H, P2:P2 + W]),
        ("dx computed with the filter flipped: in the loops, dx_pad[window] += dout[n, f, i, j] * w[f] "
         "with w as it is (the flip appears only when the whole sum is written as a textbook convolution)",
         lambda: ref(flip=True)[0][crop]),
        ("stride ignored in dx: the gradient of output (i, j) goes back to the window at "
         "(i*stride, j*stride)", lambda: ref(step=1)[0][crop]),
    ]
    dw_models = [
        ("dw averaged over the batch: the loss adds the images' contributions, so sum them "
         "(no division by N)", lambda: dw / N),
        ("dw from the first image only: sum dw over all N images",
         lambda: _backward_reference(dout[:1], x[:1], w, stride, pad)[1]),
        ("dw flipped in space: dw[f] += dout[n, f, i, j] * window, with the window as it is",
         lambda: dw[:, :, ::-1, ::-1]),
        ("stride ignored in dw: the window of output (i, j) starts at (i*stride, j*stride)",
         lambda: ref(step=1)[1]),
        ("dw has filters and channels swapped: it has the shape of w, (F, C, HH, WW)",
         lambda: dw.transpose(1, 0, 2, 3)),
    ]
    db_models = [
        ("db summed over the wrong axes: one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)",
         lambda: dout.sum(axis=(1, 2, 3))),
        ("db is one number: there is one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)",
         lambda: dout.sum()),
        ("db averaged: sum dout over the images and positions, dout.sum(axis=(0, 2, 3))",
         lambda: dout.mean(axis=(0, 2, 3))),
        ("db from the first image only: sum over the batch too, dout.sum(axis=(0, 2, 3))",
         lambda: dout[0].sum(axis=(1, 2))),
    ]
    return (dx_pad[crop], dw, db), dx_models, dw_models, db_models


_OVERLAP = ("dx is right where windows do not overlap and wrong where they do: an input pixel read "
            "by several windows collects the gradient of each, so add (+=) into dx_pad instead of "
            "assigning (=)")


@register("conv_backward_naive", "backward pass of a convolutional layer",
          uses=("conv_forward_naive",))
def _check_conv_backward(functions) -> CheckResult:
    backward = functions["conv_backward_naive"]
    forward = functions.get("conv_forward_naive")
    notes, crashes = [], []
    trials = {name: _Trial(name) for name in ("dx", "dw", "db")}
    for k, case in enumerate(_CONV_CASES):
        x, w, b, param = case.arrays(seed=731 + k)
        dout = _quarters(np.random.default_rng(k), case.out_shape)
        wants, *models = _backward_mistakes(dout, x, w, param["stride"], param["pad"])
        cache = (x, w, b, dict(param))
        if forward is not None:
            result, err = _call(forward, x.copy(), w.copy(), b.copy(), dict(param))
            if err is None and isinstance(result, tuple) and len(result) == 2:
                cache = result[1]
            else:
                notes.append(("your conv_forward_naive failed here, so CS231n's cache (x, w, b, "
                              "conv_param) was used instead of yours", case))
        result, err = _call(backward, dout.copy(), cache)
        if err is not None:
            crashes.append((case, err))
        elif not (isinstance(result, (tuple, list)) and len(result) == 3):
            notes.append(("return the three gradients (dx, dw, db)", case))
            result = None
        for (name, trial), want, model in zip(trials.items(), wants, models):
            got = None if result is None or err is not None else _array(result[list(trials).index(name)])
            trial.add(case, got, want, model)
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})"
                for text, case in _first_of(notes)]
    findings += _crash_findings(crashes)
    measured = []
    errors = []
    for name, trial in trials.items():
        explained, worst = trial.explain()
        if explained and name == "dx" and explained[0][0].startswith("dx differs"):
            alone = [i for i, c in enumerate(trial.cases) if c.part == "windows that do not overlap"]
            if alone and trial.got[alone[0]] is not None and _same(trial.got[alone[0]], trial.want[alone[0]]):
                explained = [(_OVERLAP, explained[0][1])]
        findings += [f"{text} ({example})" for text, example in explained]
        if worst is not None:
            errors.append(f"{name} {_magnitude(worst)}")
    if errors:
        measured.append(f"{len(_CONV_CASES)} settings (float64); largest relative errors where the shapes "
                        f"agree: {', '.join(errors)}")
    return CheckResult("conv_backward_naive", CHECKS["conv_backward_naive"].title,
                       "failed" if findings else "passed", findings, measured)
