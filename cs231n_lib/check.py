"""Check your own CS231n layers against the library's, and learn *which part* differs.

A relative error of 1.0 says that a layer is wrong, not where.  These checks run
your function and the library's on random float64 inputs of several shapes and
settings, each setting chosen to switch on one part of the layer (bias, padding,
stride, several channels, 'train' and 'test' mode, running averages given, a larger
eps, ...), and compare them against the typical mistakes (a filter flipped, padding
on one side only, the stride forgotten, train and test mode swapped, the running
averages not updated, dropout keeping 1 - p, a gradient summed over the wrong
axis, ...).  Your exceptions are reported with the line where they happened, never
raised::

    from cs231n_lib import check
    check.conv_forward(conv_forward_naive)                 # your forward pass
    check.conv_backward(conv_backward_naive, conv_forward_naive)
    check.run(batchnorm_forward=batchnorm_forward, batchnorm_backward=batchnorm_backward)
    check.run(my_layers_module)        # every check whose function the module (or dict, or .py path) defines
    check.run("assignment2")           # your layers.py, fast_layers.py and classifiers/ (load_assignment)

or, in a terminal, one line per function::

    python -m cs231n_lib.check path/to/assignment2

Each returns a :class:`Report`; displaying it (the last line of a notebook cell, or
``print``) shows every finding and the measured errors, ``report.summary()`` one line
per function.  ``report.passed`` is True when every check passed.

What is checked (the registry :data:`CHECKS`, in this order): ``conv_forward_naive``,
``conv_backward_naive``, ``conv_forward_fast``, ``conv_backward_fast``,
``affine_forward/backward``, ``relu_forward/backward``, ``softmax_loss``, ``svm_loss``,
``max_pool_forward/backward_naive`` and ``_fast``, ``batchnorm_forward``,
``batchnorm_backward``, ``batchnorm_backward_alt``, ``layernorm_forward/backward``,
``spatial_batchnorm_forward/backward``, ``spatial_groupnorm_forward/backward``,
``dropout_forward/backward``, and the classifiers ``FullyConnectedNet`` (fc_net.py)
and ``ThreeLayerConvNet`` (cnn.py), built with small settings, given the library's
weights and compared on the loss, every gradient and the test-mode scores.  A backward
pass is run on the cache of *your* forward pass (CS231n's cache where the assignment
fixes it: conv, affine, relu, max pooling).  Dropout draws its masks from your own
generator, so it is checked by what every right mask shows (the kept fraction is p,
kept units are x / p, 'test' mode returns x, one seed gives one mask), and a net with
dropout against the numerical gradient of your own loss.

The API is CS231n's: ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)`` with
x of shape (N, C, H, W), w (F, C, HH, WW), b (F,), ``conv_param = {'stride': S,
'pad': P}``, cross-correlation (the filter is not flipped);
``conv_backward_naive(dout, cache) -> (dx, dw, db)``; and so on for every layer.

The checks form a registry, :data:`CHECKS`, keyed by the name of the function they
check.  A new check is one function decorated with :func:`register`, e.g.::

    @register("batchnorm_forward", title="batch normalization, forward pass")
    def _batchnorm_forward(functions):
        ...                      # return a CheckResult

Most checks are a list of settings and a function that runs one of them (the
student's value, the library's, and the mistakes as models of the student's value);
:func:`_compare` turns those into findings.  A recognised mistake hides the
unexplained differences of other outputs of the same function, which usually follow
from it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import importlib.util
import io
import pathlib
import sys
import types
import warnings
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from .exercises._base import _where
from .gradient_check import rel_error

__all__ = ["CHECKS", "Check", "CheckResult", "Report", "register", "run", "conv_forward",
           "conv_backward", "load_assignment", "Assignment", "main"]

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
        head = _HEADS[self.status]
        out = [f"{head} {self.name} ({self.title})"]
        out += [f"  - {line}" for line in self.findings]
        out += [f"    {line}" for line in self.measured]
        return out

    def line(self) -> str:
        """One line: the verdict and, for a difference, the first finding."""
        head = f"{_HEADS[self.status]} {self.name}"
        if not self.findings:
            return head
        more = len(self.findings) - 1
        return f"{head}: {self.findings[0]}" + (f" [+{more} more finding{'s' * (more > 1)}]" if more else "")


_HEADS = {"passed": "[same as cs231n_lib]", "failed": "[differs]", "missing": "[not given]",
          "error": "[not checked]"}


@dataclasses.dataclass
class Report:
    """What :func:`run` found: one :class:`CheckResult` per check.  Displays as text."""

    results: List[CheckResult]
    problems: List[str] = dataclasses.field(default_factory=list)
    """What went wrong before any check ran (a file that could not be imported), one line each."""

    @property
    def passed(self) -> bool:
        return bool(self.results) and not self.problems \
            and all(r.passed for r in self.results if r.status != "missing") \
            and any(r.passed for r in self.results)

    def __getitem__(self, name: str) -> CheckResult:
        return next(r for r in self.results if r.name == name)

    def summary(self) -> str:
        """One line per function (what ``python -m cs231n_lib.check`` prints), problems first."""
        lines = [f"[problem] {p}" for p in self.problems] + [r.line() for r in self.results]
        if not self.results:
            lines.append("No function to check. Give one of: " + ", ".join(CHECKS) + ".")
        return "\n".join(lines)

    def __str__(self) -> str:
        problems = [f"[problem] {p}" for p in self.problems]
        if not self.results:
            return "\n".join(problems + ["No function to check. Give one of: " + ", ".join(CHECKS) + "."])
        return "\n".join(problems + [line for r in self.results for line in r.lines()])

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


def _checked_names():
    return set(CHECKS) | {u for c in CHECKS.values() for u in c.uses}


def _functions_of(source):
    """``(functions, problems)``: the callables named like a registered check in a module, a
    dict, a .py file or an assignment folder, and what could not be imported."""
    if source is None:
        return {}, []
    if isinstance(source, (str, pathlib.Path)):
        found = load_assignment(source)
        return found.functions, found.problems
    if isinstance(source, types.ModuleType):
        source = vars(source)
    if not isinstance(source, dict):
        raise ValueError(f"give a module, a dict of functions, the path of a .py file or of your assignment "
                         f"folder, got {type(source).__name__}.")
    names = _checked_names()
    return {k: v for k, v in source.items() if k in names and callable(v)}, []


def run(source=None, **functions) -> Report:
    """Run every registered check whose function is given.

    ``source`` is a module, a dict (e.g. ``globals()``), the path of a .py file, or the path
    of your assignment folder (the one that holds ``cs231n/``; see :func:`load_assignment`);
    ``functions`` name functions directly (``conv_forward_naive=my_forward``) and win over
    ``source``.  Checks whose function is missing are left out of the report.  Never raises
    because of the student's code: an exception is reported in the function's line, a file
    that cannot be imported in ``report.problems``.
    """
    given, problems = _functions_of(source)
    given.update({k: v for k, v in functions.items() if v is not None})
    unknown = sorted(set(functions) - _checked_names())
    if unknown:
        raise ValueError(f"no check for {unknown}; the checks are: {', '.join(CHECKS)}.")
    results = [_run_one(check, given) for name, check in CHECKS.items() if name in given]
    return Report(results, problems)


def _run_one(check, given):
    """One check's result; a failure of the checker itself (whatever the student's code returned)
    becomes a line of the report instead of an exception."""
    try:
        return check.run(given)
    except Exception as err:  # pragma: no cover - a bug of the checker, reported rather than raised
        return CheckResult(check.name, check.title, "error",
                           [f"the checker could not finish ({type(err).__name__}: {err}); compare by hand "
                            "with cs231n_lib's function of the same name"])


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
def _call(func, *args, **kwargs):
    """``(value, None)`` or ``(None, exception)``; never raises.

    The student's prints are swallowed (one report line per function), numpy's warnings too
    (an overflow shows in the numbers), and numpy's global random state is put back as it
    was (a student's ``np.random.seed`` must not change the notebook's next numbers)."""
    state = np.random.get_state()
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return func(*args, **kwargs), None
    except (Exception, SystemExit) as err:  # the student's code may raise anything, even exit()
        return None, err
    finally:
        np.random.set_state(state)


def _array(value):
    """``value`` as a float64 array; None for None (an unwritten stub) or for what is not numbers."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception:
        return None
    return arr


def _stub_note(name):
    return (f"{name} is None (or not numbers): not written yet? The assignment's stubs leave it None until you "
            "fill them in")


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
        hint = _crash_hint(case, err)
        lines.append(f"your code raised {name}: {err}{where}{hint} (first in the setting {case.part!r}: "
                     f"{case.describe()}{more})")
    return lines


_CYTHON_FIX = "in the cs231n folder run `python setup.py build_ext --inplace` (and restart the kernel)"
_CYTHON = "; the fast layers need the assignment's Cython extension: " + _CYTHON_FIX


def _crash_hint(case, err):
    """What a crash usually means: the setting's own hint, or the missing Cython extension."""
    text = f"{type(err).__name__} {err}".lower()
    if "cython" in text or "im2col_cython" in text or "col2im" in text and "not defined" in text:
        return _CYTHON
    hint = getattr(case, "crash_hint", None)
    return f"; {hint}" if hint else ""


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
def _check_conv_forward(functions, name="conv_forward_naive") -> CheckResult:
    from .layers import conv_forward_naive as ours

    forward = functions[name]
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
        if out is None:
            notes.append((_stub_note("out"), case))
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
    return CheckResult(name, CHECKS[name].title, "failed" if findings else "passed", findings, measured)


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
def _check_conv_backward(functions, name="conv_backward_naive", forward_name="conv_forward_naive") -> CheckResult:
    backward = functions[name]
    forward = functions.get(forward_name)
    fixed_cache = name == "conv_backward_naive"  # CS231n fixes the naive cache (x, w, b, conv_param) only
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
            elif fixed_cache:
                notes.append((f"your {forward_name} failed here, so CS231n's cache (x, w, b, "
                              "conv_param) was used instead of yours", case))
            else:
                cache = None
        if cache is None or (forward is None and not fixed_cache):
            notes.append((f"not checked where your {forward_name} fails or is missing: {name} reads its cache", case))
            for (q, trial), want, model in zip(trials.items(), wants, models):
                trial.add(case, None, want, model)
            continue
        result, err = _call(backward, dout.copy(), cache)
        if err is not None:
            crashes.append((case, err))
        elif not (isinstance(result, (tuple, list)) and len(result) == 3):
            notes.append(("return the three gradients (dx, dw, db)", case))
            result = None
        for (q, trial), want, model in zip(trials.items(), wants, models):
            got = None if result is None or err is not None else _array(result[list(trials).index(q)])
            if got is None and result is not None and err is None:
                notes.append((_stub_note(q), case))
            trial.add(case, got, want, model)
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})"
                for text, case in _first_of(notes)]
    findings += _crash_findings(crashes)
    measured = []
    errors = []
    for q, trial in trials.items():
        explained, worst = trial.explain()
        if explained and q == "dx" and explained[0][0].startswith("dx differs"):
            alone = [i for i, c in enumerate(trial.cases) if c.part == "windows that do not overlap"]
            if alone and trial.got[alone[0]] is not None and _same(trial.got[alone[0]], trial.want[alone[0]]):
                explained = [(_OVERLAP, explained[0][1])]
        findings += [f"{text} ({example})" for text, example in explained]
        if worst is not None:
            errors.append(f"{q} {_magnitude(worst)}")
    if errors:
        measured.append(f"{len(_CONV_CASES)} settings (float64); largest relative errors where the shapes "
                        f"agree: {', '.join(errors)}")
    return CheckResult(name, CHECKS[name].title, "failed" if findings else "passed", findings, measured)


# ------------------------------------------------------------------ the fast layers
@register("conv_forward_fast", "fast forward pass of a convolutional layer (fast_layers.py)")
def _check_conv_forward_fast(functions) -> CheckResult:
    return _check_conv_forward(functions, name="conv_forward_fast")


@register("conv_backward_fast", "fast backward pass of a convolutional layer (fast_layers.py)",
          uses=("conv_forward_fast",))
def _check_conv_backward_fast(functions) -> CheckResult:
    return _check_conv_backward(functions, name="conv_backward_fast", forward_name="conv_forward_fast")


# ================================================================== every other layer: one engine
# The same idea as the conv checks, for the rest of assignment 2: settings that each switch on
# one part of the function, the library's answer, and the typical mistakes as models of what
# the student's code would return.  A check is a list of settings and a function that runs
# one setting; :func:`_compare` does the rest.
class _Setting:
    """One setting of a check: ``part`` names what it switches on, ``text`` shows its inputs,
    ``make()`` returns fresh inputs; ``hints`` maps (quantity, shape) to the mistake that gives
    a quantity that shape; ``crash_hint`` says what a crash here usually means."""

    def __init__(self, part, text, make, hints=None, crash_hint=None):
        self.part, self.text, self.make = part, text, make
        self.hints = dict(hints or {})
        self.crash_hint = crash_hint
        self.expected = {}

    def describe(self):
        return self.text

    def shape_mistake(self, name, got):
        got = tuple(got)
        if (name, got) in self.hints:
            return self.hints[(name, got)]
        return f"{name} has shape {got}, expected {tuple(self.expected.get(name, ()))}"


class _Outcome(NamedTuple):
    """What one setting gave: the student's values, the right ones, the mistake models (per
    quantity), notes (distinct remarks), the exception raised (or None)."""

    got: dict
    want: dict
    models: dict
    notes: list = []
    error: Optional[BaseException] = None


def _compare(name, settings, run_one, nonfinite=None) -> CheckResult:
    """Run ``run_one(setting) -> _Outcome`` on every setting and turn the outcomes into a result.

    ``nonfinite`` (a text) explains a NaN or inf where the right value is finite; by default it
    is reported with the setting where it happened."""
    trials, notes, crashes, odd = {}, [], [], {}
    for setting in settings:
        outcome = run_one(setting)
        notes += [(text, setting) for text in outcome.notes]
        if outcome.error is not None:
            crashes.append((setting, outcome.error))
        for q, want in outcome.want.items():
            want = np.asarray(want, dtype=np.float64)
            setting.expected[q] = want.shape
            got = None if outcome.error is not None else outcome.got.get(q)
            if outcome.error is None and q in outcome.got and got is None:
                notes.append((_stub_note(q), setting))
            if got is not None and got.shape == want.shape and not np.all(np.isfinite(got)) \
                    and np.all(np.isfinite(want)):
                odd.setdefault(q, setting)
                got = None
            trials.setdefault(q, _Trial(q)).add(setting, got, want, outcome.models.get(q, []))
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})" for text, case in _first_of(notes)]
    for q, setting in odd.items():
        line = f"{nonfinite or f'{q} holds NaN or inf'} (first in the setting {setting.part!r}: {setting.describe()})"
        if line not in findings:
            findings.append(line)
    explained, worst_of = [], {}
    for q, trial in trials.items():
        found, worst = trial.explain()
        explained += found
        if worst is not None:
            group = "grads" if q.startswith("grads[") else q      # one number for all of a net's gradients
            worst_of[group] = max(worst, worst_of.get(group, 0.0))
    errors = [f"{q} {_magnitude(w)}" for q, w in worst_of.items()]
    explained = _absorb(explained, crashes, list(trials.values()))
    if any(t.chosen is not None for t in trials.values()):   # the other differences usually follow from it
        explained = [(text, example) for text, example in explained if " differs in " not in text]
    findings += _crash_findings(crashes)
    shown = set()
    for text, example in explained:
        if text not in shown:
            shown.add(text)
            findings.append(f"{text} ({example})")
    measured = []
    if errors:
        measured.append(f"{len(settings)} settings (float64); largest relative errors where the shapes agree: "
                        + ", ".join(errors))
    return CheckResult(name, CHECKS[name].title, "failed" if findings else "passed", findings, measured)


def _unpack(result, n, what, notes):
    """The student's return value as a tuple of ``n`` items, or None with a note saying what to return."""
    if n == 1:
        return (result,)
    if isinstance(result, (tuple, list)) and len(result) == n:
        return tuple(result)
    notes.append(f"return {what}, as CS231n's API does")
    return None


def _normal(rng, shape, scale=1.0, shift=0.0):
    return scale * rng.standard_normal(shape) + shift


def _copy_param(param):
    """A copy of a CS231n parameter dict whose arrays are copies too (layers update them in place)."""
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in param.items()}


def _cache_from(forward, args, notes, forward_name):
    """The cache of the student's forward pass on ``args`` (copies), or None with a note."""
    if forward is None:
        return None
    result, err = _call(forward, *[a.copy() if isinstance(a, np.ndarray) else
                                   (_copy_param(a) if isinstance(a, dict) else a) for a in args])
    if err is None and isinstance(result, (tuple, list)) and len(result) == 2:
        return result[1]
    notes.append(f"your {forward_name} failed here (see its own line), so its cache could not be used")
    return None


# ------------------------------------------------------------------ affine
def _affine_setting(part, x_shape, M, seed, crash_hint=None):
    D = int(np.prod(x_shape[1:]))
    N = x_shape[0]

    def make():
        rng = np.random.default_rng(seed)
        return _quarters(rng, x_shape), _quarters(rng, (D, M)), _quarters(rng, (M,))
    hints = {("dx", (N, D)): "dx is flattened: it has the shape of x, (N, d_1, ..., d_k); reshape it, "
                             "(dout @ w.T).reshape(x.shape)",
             ("dw", (M, D)): "dw transposed: it has the shape of w, (D, M), x_flat.T @ dout",
             ("db", (N,)): "db summed over the wrong axis: one bias per output, dout.sum(axis=0) has shape (M,)",
             ("db", ()): "db is one number: there is one bias per output, dout.sum(axis=0)"}
    return _Setting(part, f"x {x_shape}, w ({D}, {M}), b ({M},)", make, hints, crash_hint)


_AFFINE_SETTINGS = [
    _affine_setting("rows (N, D)", (2, 4), 3, 11),
    _affine_setting("images, flattened to rows", (3, 2, 3, 2), 5, 12,
                    crash_hint="x has more than two axes here: flatten every example to a row first, "
                               "x.reshape(x.shape[0], -1)"),
    _affine_setting("as many outputs as inputs (D = M)", (4, 3), 3, 13),
    _affine_setting("one example", (1, 2, 2), 2, 14),
]


@register("affine_forward", "forward pass of an affine (fully connected) layer")
def _check_affine_forward(functions) -> CheckResult:
    from .layers import affine_forward as ours

    forward = functions["affine_forward"]

    def run_one(s):
        x, w, b = s.make()
        notes = []
        result, err = _call(forward, x.copy(), w.copy(), b.copy())
        N = x.shape[0]
        xf = x.reshape(N, -1)
        square = w.shape[0] == w.shape[1]
        models = {"out": [
            ("bias missing: out = x_flat @ w + b", lambda: xf @ w),
            ("bias added twice: add b once", lambda: xf @ w + 2 * b),
            ("w transposed: out = x_flat @ w, with w of shape (D, M)", lambda: xf @ w.T + b if square else None),
            ("x flattened across examples: x.reshape(N, -1) keeps each example in its own row; "
             "x.reshape(-1, N).T mixes examples", lambda: x.reshape(-1, N).T @ w + b),
        ]}
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
        return _Outcome(got, {"out": ours(x, w, b)[0]}, models, notes, err)

    return _compare("affine_forward", _AFFINE_SETTINGS, run_one)


@register("affine_backward", "backward pass of an affine layer", uses=("affine_forward",))
def _check_affine_backward(functions) -> CheckResult:
    from .layers import affine_backward as ours

    backward, forward = functions["affine_backward"], functions.get("affine_forward")

    def run_one(s):
        x, w, b = s.make()
        notes = []
        N = x.shape[0]
        dout = _quarters(np.random.default_rng(N * 7 + w.shape[1]), (N, w.shape[1]))
        cache = _cache_from(forward, (x, w, b), notes, "affine_forward") if forward else None
        if cache is None:
            cache = (x, w, b)   # CS231n's cache
        xf = x.reshape(N, -1)
        dx, dw, db = ours(dout, (x, w, b))
        square = w.shape[0] == w.shape[1]
        models = {
            "dx": [("dx = dout @ w: the gradient goes back through w transposed, dout @ w.T",
                    lambda: (dout @ w).reshape(x.shape) if square else None),
                   ("dx averaged over the batch: each example's dx is its own, no division by N",
                    lambda: dx / N)],
            "dw": [("dw averaged over the batch: the loss adds the examples' contributions, so sum them "
                    "(no division by N)", lambda: dw / N),
                   ("dw transposed: dw = x_flat.T @ dout has the shape of w, (D, M)",
                    lambda: (dout.T @ xf) if square else None),
                   ("dw from the first example only: x_flat.T @ dout sums over all N", lambda: np.outer(xf[0], dout[0]))],
            "db": [("db averaged: sum dout over the examples, dout.sum(axis=0)", lambda: dout.mean(axis=0)),
                   ("db summed over the wrong axis: one bias per output, dout.sum(axis=0)",
                    lambda: dout.sum(axis=1) if dout.shape[0] == dout.shape[1] else None)],
        }
        result, err = _call(backward, dout.copy(), cache)
        got = {}
        parts = None if err is not None else _unpack(result, 3, "the three gradients (dx, dw, db)", notes)
        if parts is not None:
            got = {"dx": _array(parts[0]), "dw": _array(parts[1]), "db": _array(parts[2])}
        return _Outcome(got, {"dx": dx, "dw": dw, "db": db}, models, notes, err)

    return _compare("affine_backward", _AFFINE_SETTINGS, run_one)


# ------------------------------------------------------------------ relu
def _relu_setting(part, shape, seed, zeros=False):
    def make():
        x = _quarters(np.random.default_rng(seed), shape)
        if zeros:
            x.flat[::3] = 0.0
        return (x,)
    return _Setting(part, f"x {shape}" + (", every third number 0" if zeros else ""), make)


_RELU_SETTINGS = [_relu_setting("rows", (3, 4), 21), _relu_setting("images", (2, 3, 4, 4), 22),
                  _relu_setting("zeros in x", (4, 6), 23, zeros=True)]


@register("relu_forward", "forward pass of a ReLU")
def _check_relu_forward(functions) -> CheckResult:
    forward = functions["relu_forward"]

    def run_one(s):
        (x,) = s.make()
        notes = []
        copy = x.copy()
        result, err = _call(forward, copy)
        if err is None and not np.array_equal(copy, x):
            notes.append("your relu_forward changed x in place (e.g. x[x < 0] = 0): the caller's x is gone and "
                         "the cache holds the output; compute out = np.maximum(0, x) as a new array")
        models = {"out": [
            ("leaky: negative inputs kept as 0.01 * x; the ReLU sets them to 0, np.maximum(0, x)",
             lambda: np.where(x > 0, x, 0.01 * x)),
            ("the mask returned: out = np.maximum(0, x) holds the values, not x > 0", lambda: (x > 0) * 1.0),
            ("np.minimum(0, x): the ReLU keeps the positive part, np.maximum(0, x)", lambda: np.minimum(0, x)),
            ("x returned unchanged: out = np.maximum(0, x)", lambda: x),
            ("np.abs(x): negative inputs become 0, not positive", lambda: np.abs(x)),
        ]}
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
        return _Outcome(got, {"out": np.maximum(0, x)}, models, notes, err)

    return _compare("relu_forward", _RELU_SETTINGS, run_one)


@register("relu_backward", "backward pass of a ReLU", uses=("relu_forward",))
def _check_relu_backward(functions) -> CheckResult:
    backward, forward = functions["relu_backward"], functions.get("relu_forward")

    def run_one(s):
        (x,) = s.make()
        x[x == 0] = 0.25  # at x == 0 either 0 or dout is a valid subgradient: not compared
        notes = []
        dout = _quarters(np.random.default_rng(x.size), x.shape)
        cache = _cache_from(forward, (x,), notes, "relu_forward") if forward else None
        if cache is None:
            cache = x
        models = {"dx": [
            ("dx = dout everywhere: the gradient flows only where x > 0, dx = dout * (x > 0)", lambda: dout),
            ("dx is the mask alone: multiply it by dout, dx = dout * (x > 0)", lambda: (x > 0) * 1.0),
            ("the mask taken from dout (dout > 0): it comes from the forward input x, dout * (x > 0)",
             lambda: dout * (dout > 0)),
            ("the mask's sign flipped: the gradient flows where x > 0", lambda: dout * (x < 0)),
            ("dout multiplied by the ReLU's output: multiply by the mask (x > 0), which is 0 or 1",
             lambda: dout * np.maximum(0, x)),
        ]}
        result, err = _call(backward, dout.copy(), cache)
        got = {} if err is not None else {"dx": _array(result)}
        return _Outcome(got, {"dx": dout * (x > 0)}, models, notes, err)

    return _compare("relu_backward", _RELU_SETTINGS, run_one)


# ------------------------------------------------------------------ losses
def _loss_setting(part, N, C, seed, scale=1.0, shift=0.0):
    def make():
        rng = np.random.default_rng(seed)
        return _normal(rng, (N, C), scale, shift), rng.integers(C, size=N)
    text = f"x ({N}, {C})" + (f", scores near {shift:g}" if shift else "") + f", y ({N},)"
    return _Setting(part, text, make,
                    hints={("dx", (C, N)): "dx transposed: it has the shape of the scores, (N, C)"})


_SOFTMAX_SETTINGS = [_loss_setting("one example", 1, 3, 31), _loss_setting("a batch", 5, 4, 32),
                     _loss_setting("ten classes", 8, 10, 33, 2.0),
                     _loss_setting("large scores", 4, 5, 34, 1.0, 1000.0)]
_SVM_SETTINGS = _SOFTMAX_SETTINGS[:3] + [_loss_setting("large scores", 4, 5, 35, 50.0)]


def _softmax_parts(x, y, axis=1):
    """Probabilities (each row shifted by its maximum, normalized along ``axis``) and the mean
    -log p of the correct classes."""
    with np.errstate(all="ignore"):
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=axis, keepdims=True)
        return p, float(-np.mean(np.log(p[np.arange(x.shape[0]), y])))


@register("softmax_loss", "softmax loss and its gradient")
def _check_softmax_loss(functions) -> CheckResult:
    from .layers import softmax_loss as ours

    loss_fn = functions["softmax_loss"]

    def run_one(s):
        x, y = s.make()
        notes = []
        N = x.shape[0]
        loss, dx = ours(x, y)
        p, _ = _softmax_parts(x, y)
        onehot = np.zeros_like(x)
        onehot[np.arange(N), y] = 1

        def wrong_axis():
            q, value = _softmax_parts(x, y, axis=0)
            return value, (q - onehot) / N
        models = {
            "loss": [("loss summed over the examples: it is their mean, divide by N", lambda: loss * N),
                     ("log base 10: the loss uses the natural logarithm, np.log", lambda: loss / np.log(10)),
                     ("loss without its minus sign: -log(p) is positive", lambda: -loss),
                     ("probabilities normalized over the examples (axis 0): each row's scores sum over "
                      "the classes, axis=1", lambda: wrong_axis()[0])],
            "dx": [("dx not divided by N: the loss is a mean over the examples", lambda: dx * N),
                   ("dx misses the -1 at the correct class: dx = (p - one_hot(y)) / N", lambda: p / N),
                   ("dx has the wrong sign: dx = (p - one_hot(y)) / N", lambda: -dx),
                   ("probabilities normalized over the examples (axis 0): each row's scores sum over "
                    "the classes, axis=1", lambda: wrong_axis()[1])],
        }
        result, err = _call(loss_fn, x.copy(), y.copy())
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (loss, dx)", notes)
        if parts is not None:
            got = {"loss": _array(parts[0]), "dx": _array(parts[1])}
        return _Outcome(got, {"loss": loss, "dx": dx}, models, notes, err)

    return _compare("softmax_loss", _SOFTMAX_SETTINGS, run_one,
                    nonfinite="NaN or inf for large scores: np.exp overflows; subtract each row's maximum "
                              "first, x - x.max(axis=1, keepdims=True) (the probabilities do not change)")


@register("svm_loss", "multiclass SVM loss and its gradient")
def _check_svm_loss(functions) -> CheckResult:
    from .layers import svm_loss as ours

    loss_fn = functions["svm_loss"]

    def run_one(s):
        x, y = s.make()
        notes = []
        N = x.shape[0]
        loss, dx = ours(x, y)
        margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)
        margins[np.arange(N), y] = 0
        positive = (margins > 0) * 1.0
        no_correct = positive / N
        minus_one = positive.copy()
        minus_one[np.arange(N), y] = -(positive.sum(axis=1) > 0).astype(float)
        models = {
            "loss": [("the correct class counted in the sum: skip j == y[i] (it adds max(0, 1) = 1 per example)",
                      lambda: loss + 1),
                     ("loss summed over the examples: it is their mean, divide by N", lambda: loss * N)],
            "dx": [("dx not divided by N: the loss is a mean over the examples", lambda: dx * N),
                   ("the correct class's gradient missing: dx[i, y[i]] = -(number of positive margins of example i)",
                    lambda: no_correct),
                   ("dx[i, y[i]] = -1: it is minus the number of classes with a positive margin",
                    lambda: minus_one / N)],
        }
        result, err = _call(loss_fn, x.copy(), y.copy())
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (loss, dx)", notes)
        if parts is not None:
            got = {"loss": _array(parts[0]), "dx": _array(parts[1])}
        return _Outcome(got, {"loss": loss, "dx": dx}, models, notes, err)

    return _compare("svm_loss", _SVM_SETTINGS, run_one)


# ------------------------------------------------------------------ max pooling
def _pool_setting(part, x_shape, ph, pw, stride, seed):
    N, C, H, W = x_shape

    def make():
        rng = np.random.default_rng(seed)
        x = (rng.permutation(N * C * H * W).reshape(x_shape) - N * C * H * W / 2) / 4  # distinct: no ties
        return x, {"pool_height": ph, "pool_width": pw, "stride": stride}
    H_out = (H - ph) // stride + 1
    hints = {("out", (N, C, H - ph + 1, W - pw + 1)): "stride ignored in the output size: "
                                                     "H_out = (H - pool_height) // stride + 1",
             ("out", (N, C, H_out, (W - ph) // stride + 1)): "pool_height used for the width too: "
                                                             "W_out = (W - pool_width) // stride + 1"}
    return _Setting(part, f"x {x_shape}, pool {ph}x{pw}, stride {stride}", make, hints)


_POOL_SETTINGS = [
    _pool_setting("one channel", (1, 1, 4, 4), 2, 2, 2, 41),
    _pool_setting("channels and images", (2, 3, 4, 4), 2, 2, 2, 42),
    _pool_setting("non-square images", (2, 1, 4, 8), 2, 2, 2, 43),
    _pool_setting("non-square windows", (1, 2, 4, 6), 2, 3, 1, 44),
    _pool_setting("windows that overlap", (1, 2, 5, 5), 3, 3, 2, 45),
]


def _pool_reference(x, ph, pw, stride, step=None, reduce=np.max):
    step = step or stride
    N, C, H, W = x.shape
    H_out, W_out = (H - ph) // stride + 1, (W - pw) // stride + 1
    out = np.empty((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = reduce(x[:, :, i * step:i * step + ph, j * step:j * step + pw], axis=(2, 3))
    return out


def _pool_backward_reference(dout, x, ph, pw, stride, rule="max", step=None, assign=False):
    step = step or stride
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * step, i * step + ph), slice(j * step, j * step + pw)
            window = x[:, :, rows, cols]
            g = dout[:, :, i, j][:, :, None, None]
            if rule == "max":
                part = (window == window.max(axis=(2, 3), keepdims=True)) * g
            elif rule == "all":
                part = np.ones_like(window) * g
            else:  # "mean"
                part = np.ones_like(window) * g / (ph * pw)
            if assign:
                dx[:, :, rows, cols] = np.where(part != 0, part, dx[:, :, rows, cols])
            else:
                dx[:, :, rows, cols] += part
    return dx


def _pool_check_forward(functions, name):
    from .layers import max_pool_forward_naive as ours

    forward = functions[name]

    def run_one(s):
        x, param = s.make()
        notes = []
        ph, pw, S = param["pool_height"], param["pool_width"], param["stride"]
        H_out, W_out = (x.shape[2] - ph) // S + 1, (x.shape[3] - pw) // S + 1
        ref = functools.partial(_pool_reference, x, ph, pw, S)

        def no_stride():
            return _pool_reference(x, ph, pw, S, step=1)[:, :, :H_out, :W_out]
        models = {"out": [
            ("stride ignored in the window position: window (i, j) starts at row i*stride and column j*stride",
             no_stride),
            ("pool_height used for the width too: the window is pool_height x pool_width",
             lambda: _pool_reference(x, ph, ph, S)[:, :, :, :W_out] if ph < pw else None),
            ("average pooling: take the maximum of each window", lambda: ref(reduce=np.mean)),
            ("the minimum of each window: max pooling takes the maximum", lambda: ref(reduce=np.min)),
            ("output rows and columns swapped", lambda: ref().transpose(0, 1, 3, 2) if H_out == W_out else None),
        ]}
        result, err = _call(forward, x.copy(), dict(param))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
        return _Outcome(got, {"out": ours(x, param)[0]}, models, notes, err)

    return _compare(name, _POOL_SETTINGS, run_one)


def _pool_check_backward(functions, name, forward_name, fixed_cache):
    from .layers import max_pool_backward_naive, max_pool_forward_naive

    backward, forward = functions[name], functions.get(forward_name)

    def run_one(s):
        x, param = s.make()
        notes = []
        ph, pw, S = param["pool_height"], param["pool_width"], param["stride"]
        out, our_cache = max_pool_forward_naive(x, param)
        dout = _quarters(np.random.default_rng(x.size), out.shape)
        want = max_pool_backward_naive(dout, our_cache)
        cache = _cache_from(forward, (x, param), notes, forward_name) if forward else None
        if cache is None and fixed_cache:
            cache = (x, dict(param))   # CS231n's cache of the naive layer
        ref = functools.partial(_pool_backward_reference, dout, x, ph, pw, S)
        models = {"dx": [
            ("the gradient goes to every position of the window: only the maximum gets dout[n, c, i, j]",
             lambda: ref(rule="all")),
            ("the gradient spread evenly over the window (average pooling's backward pass): only the maximum "
             "gets it", lambda: ref(rule="mean")),
            ("stride ignored in dx: the gradient of output (i, j) goes to the window at (i*stride, j*stride)",
             lambda: ref(step=1)),
            ("dx assigned (=) where windows overlap: a position that is the maximum of several windows "
             "collects the gradient of each, so add (+=)", lambda: ref(assign=True)),
        ]}
        if cache is None:
            notes.append(f"not checked where your {forward_name} fails or is missing: {name} reads its cache")
            return _Outcome({}, {"dx": want}, models, notes, None)
        result, err = _call(backward, dout.copy(), cache)
        got = {} if err is not None else {"dx": _array(result)}
        return _Outcome(got, {"dx": want}, models, notes, err)

    return _compare(name, _POOL_SETTINGS, run_one)


@register("max_pool_forward_naive", "forward pass of max pooling")
def _check_max_pool_forward(functions) -> CheckResult:
    return _pool_check_forward(functions, "max_pool_forward_naive")


@register("max_pool_backward_naive", "backward pass of max pooling", uses=("max_pool_forward_naive",))
def _check_max_pool_backward(functions) -> CheckResult:
    return _pool_check_backward(functions, "max_pool_backward_naive", "max_pool_forward_naive", fixed_cache=True)


@register("max_pool_forward_fast", "fast forward pass of max pooling (fast_layers.py)")
def _check_max_pool_forward_fast(functions) -> CheckResult:
    return _pool_check_forward(functions, "max_pool_forward_fast")


@register("max_pool_backward_fast", "fast backward pass of max pooling (fast_layers.py)",
          uses=("max_pool_forward_fast",))
def _check_max_pool_backward_fast(functions) -> CheckResult:
    return _pool_check_backward(functions, "max_pool_backward_fast", "max_pool_forward_fast", fixed_cache=False)


# ------------------------------------------------------------------ batch and layer normalization
_SWAPPED = ("train/test mode swapped: 'train' mode normalizes with the batch's mean and variance (and updates "
            "the running averages), 'test' mode with the running averages")
_NOT_UPDATED = ("running averages not updated: in 'train' mode, running_mean = momentum * running_mean + "
                "(1 - momentum) * sample_mean (likewise running_var), stored back into bn_param")
_MOMENTUM = ("momentum the wrong way round: running = momentum * running + (1 - momentum) * sample "
             "(momentum weighs the old average)")
_TEST_UPDATES = "running averages updated in 'test' mode too: 'test' mode only reads them"
_DDOF = ("variance with N - 1 (ddof=1): CS231n's normalization layers divide by the number of values, "
         "np.var(x, axis=0)")
_DDOF_RUNNING = ("running_var averages the variance with N - 1 (ddof=1): CS231n's averages the variance that "
                 "normalized the batch, np.var(x, axis=0) (PyTorch's uses N - 1 there)")


def _one_ddof_finding(result):
    """N - 1 in the normalization usually goes into running_var too: one finding for both."""
    if any(f.startswith(_DDOF) for f in result.findings):
        result.findings = [f for f in result.findings if not f.startswith(_DDOF_RUNNING)]
    return result
_CONSTANTS = ("mean and variance treated as constants: dout * gamma / sqrt(var + eps) is the gradient of "
              "'test' mode; in 'train' mode the batch's mean and variance depend on x too")


def _standardize_backward(dxh, xh, var, eps, axes):
    """Gradient through x_hat = (x - mean) / sqrt(var + eps), statistics over ``axes`` (closed form)."""
    mean = lambda a: a.mean(axis=axes, keepdims=True)  # noqa: E731
    return (dxh - mean(dxh) - xh * mean(dxh * xh)) / np.sqrt(var + eps)


def _bn_forward_models(x, gamma, beta, param, stats_axis=0):
    """The right (out, running_mean, running_var) of batch norm on x (N, D) (or layer norm, with
    ``stats_axis=1``, where there are no running averages) and the typical mistakes."""
    train = param.get("mode", "train") == "train"
    eps, mom = param.get("eps", 1e-5), param.get("momentum", 0.9)
    D = x.shape[1]
    rm0 = np.array(param.get("running_mean", np.zeros(D)), dtype=np.float64)   # copies: a layer updates in place
    rv0 = np.array(param.get("running_var", np.zeros(D)), dtype=np.float64)
    m, v = x.mean(axis=stats_axis, keepdims=True), x.var(axis=stats_axis, keepdims=True)
    mean, var = (m, v) if train or stats_axis == 1 else (rm0, rv0)
    scale = lambda xh: gamma * xh + beta  # noqa: E731
    out = scale((x - mean) / np.sqrt(var + eps))
    other = 1 - stats_axis
    batch = train or stats_axis == 1   # the statistics come from x (not from the running averages)
    models = [
        (_DDOF, lambda: scale((x - m) / np.sqrt(x.var(axis=stats_axis, ddof=1, keepdims=True) + eps)) if batch else None),
        ("eps outside the square root: divide by np.sqrt(var + eps)",
         lambda: scale((x - m) / (np.sqrt(v) + eps)) if batch else None),
        ("eps forgotten: divide by np.sqrt(var + eps)", lambda: scale((x - m) / np.sqrt(v)) if batch else None),
        ("divided by the variance: divide by the standard deviation, np.sqrt(var + eps)",
         lambda: scale((x - m) / (v + eps)) if batch else None),
        ("statistics over the wrong axis: batch norm takes each feature's mean and variance over the batch "
         "(axis 0), layer norm each example's over its features (axis 1)",
         lambda: scale((x - x.mean(axis=other, keepdims=True)) / np.sqrt(x.var(axis=other, keepdims=True) + eps))
         if batch else None),
        ("gamma and beta swapped: out = gamma * x_hat + beta", lambda: beta * (x - mean) / np.sqrt(var + eps) + gamma),
    ]
    if stats_axis == 1:
        return {"out": out}, {"out": models}
    upd = lambda r, sample: mom * r + (1 - mom) * sample  # noqa: E731
    m1, v1 = m[0], v[0]
    want = {"out": out, "running_mean": upd(rm0, m1) if train else rm0, "running_var": upd(rv0, v1) if train else rv0}
    models.insert(0, (_SWAPPED, lambda: scale((x - rm0) / np.sqrt(rv0 + eps)) if train
                      else scale((x - m) / np.sqrt(v + eps))))
    running = {}
    for key, r0, sample in (("running_mean", rm0, m1), ("running_var", rv0, v1)):
        right = want[key]
        running[key] = [
            (_NOT_UPDATED, lambda r0=r0: r0),
            (_SWAPPED, lambda r0=r0, sample=sample: r0 if train else upd(r0, sample)),
            (_MOMENTUM, lambda r0=r0, sample=sample: (1 - mom) * r0 + mom * sample if train else r0),
            (_TEST_UPDATES, lambda r0=r0, sample=sample, right=right: right if train else upd(r0, sample)),
        ]
    running["running_var"] += [
        ("running_var averages the standard deviation: average the variance",
         lambda: upd(rv0, np.sqrt(v1)) if train else rv0),
        (_DDOF_RUNNING, lambda: upd(rv0, x.var(axis=0, ddof=1)) if train else rv0),
    ]
    return want, {"out": models, **running}


def _bn_backward_models(dout, x, gamma, eps, stats_axis=0):
    """The right (dx, dgamma, dbeta) of batch norm (``stats_axis=0``) or layer norm (1) in
    'train' mode on x (N, D), and the typical mistakes."""
    N, D = x.shape
    m, v = x.mean(axis=stats_axis, keepdims=True), x.var(axis=stats_axis, keepdims=True)
    xh = (x - m) / np.sqrt(v + eps)
    dxh = dout * gamma
    dx = _standardize_backward(dxh, xh, v, eps, stats_axis)
    mean = lambda a: a.mean(axis=stats_axis, keepdims=True)  # noqa: E731
    std = np.sqrt(v + eps)
    other = 1 - stats_axis
    M = x.shape[stats_axis]
    want = {"dx": dx, "dgamma": (dout * xh).sum(axis=0), "dbeta": dout.sum(axis=0)}
    models = {
        "dx": [(_CONSTANTS, lambda: dxh / std),
               ("the path through the variance missing: var = mean((x - mu)**2) depends on x too",
                lambda: (dxh - mean(dxh)) / std),
               ("the path through the mean missing: mu = mean(x) depends on x too",
                lambda: (dxh - xh * mean(dxh * xh)) / std),
               ("gamma forgotten in dx: the gradient reaching x_hat is dout * gamma",
                lambda: _standardize_backward(dout, xh, v, eps, stats_axis)),
               ("the sums of dx over the wrong axis: they run over the axis the mean and variance were taken "
                "on (batch norm: the batch, axis 0; layer norm: the features, axis 1)",
                lambda: (M * dxh - dxh.sum(axis=other, keepdims=True)
                         - xh * (dxh * xh).sum(axis=other, keepdims=True)) / (M * std))],
        "dgamma": [("dgamma summed over the wrong axis: one gamma per feature, sum over the batch, axis=0",
                    lambda: (dout * xh).sum(axis=1) if N == D else None),
                   ("dgamma = sum(dout * x): multiply by x_hat, the normalized input", lambda: (dout * x).sum(axis=0)),
                   ("dgamma averaged: sum over the batch", lambda: (dout * xh).mean(axis=0)),
                   ("dgamma and dbeta swapped", lambda: dout.sum(axis=0))],
        "dbeta": [("dbeta summed over the wrong axis: one beta per feature, sum over the batch, axis=0",
                   lambda: dout.sum(axis=1) if N == D else None),
                  ("dbeta averaged: sum over the batch", lambda: dout.mean(axis=0)),
                  ("dgamma and dbeta swapped", lambda: (dout * xh).sum(axis=0))],
    }
    return want, models


def _norm_hints(N, D):
    return {(q, (N,)): f"{q} summed over the wrong axis: one {q[1:]} per feature, sum over the batch, axis=0"
            for q in ("dgamma", "dbeta")}


def _bn_setting(part, N, D, seed, mode="train", scale=2.0, **extra):
    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, (N, D), scale, 1.0)
        gamma, beta = _normal(rng, (D,), 1.0, 1.0), _normal(rng, (D,))
        param = {"mode": mode}
        if "momentum" in extra:
            param["momentum"] = extra["momentum"]
        if "eps" in extra:
            param["eps"] = extra["eps"]
        if extra.get("running") or mode == "test":
            param["running_mean"] = _normal(rng, (D,), 0.5, 1.0)
            param["running_var"] = rng.uniform(0.5, 3.0, size=D)
        return x, gamma, beta, param
    text = f"x ({N}, {D}), mode {mode!r}" + "".join(f", {k} {v}" for k, v in extra.items() if k != "running")
    if extra.get("running"):
        text += ", running averages given"
    return _Setting(part, text, make, _norm_hints(N, D))


_BN_SETTINGS = [
    _bn_setting("'train' mode", 4, 3, 51),
    _bn_setting("'train' mode, several calls' running averages", 6, 5, 52, momentum=0.7, running=True),
    _bn_setting("'train' mode, a larger eps", 5, 4, 53, scale=0.05, eps=1e-2),
    _bn_setting("as many features as examples", 5, 5, 54),
    _bn_setting("'test' mode", 5, 4, 55, mode="test", eps=1e-3),
]
_BN_BACKWARD_SETTINGS = [s for s in _BN_SETTINGS if "'test'" not in s.part] + [
    _bn_setting("a larger batch", 10, 3, 56)]


def _norm_forward_check(forward, layer_norm=False):
    """``run_one`` of batch norm (running averages compared too) or layer norm forward on (N, D) inputs."""
    from .layers import batchnorm_forward, layernorm_forward

    if layer_norm:
        call = lambda x, g, b, param: forward(x, g, b, {"eps": param.get("eps", 1e-5)})  # noqa: E731
    else:
        call = forward

    def run_one(s):
        x, gamma, beta, param = s.make()
        notes = []
        want, models = _bn_forward_models(x, gamma, beta, param, stats_axis=1 if layer_norm else 0)
        ours = layernorm_forward(x, gamma, beta, {"eps": param.get("eps", 1e-5)}) if layer_norm \
            else batchnorm_forward(x, gamma, beta, _copy_param(param))
        want["out"] = ours[0]
        theirs = _copy_param(param)
        result, err = _call(call, x.copy(), gamma.copy(), beta.copy(), theirs)
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
            if not layer_norm:
                D = x.shape[1]
                for key in ("running_mean", "running_var"):
                    # a key never stored back reads as CS231n's default, zeros, on the next call
                    got[key] = _array(theirs.get(key, np.zeros(D)))
        return _Outcome(got, want, models, notes, err)

    return run_one


@register("batchnorm_forward", "forward pass of batch normalization (modes and running averages)")
def _check_batchnorm_forward(functions) -> CheckResult:
    return _one_ddof_finding(
        _compare("batchnorm_forward", _BN_SETTINGS, _norm_forward_check(functions["batchnorm_forward"])))


def _norm_backward_on_their_cache(name, forward_name, forward, backward, args, dout, out, want, models, notes):
    """Run the student's ``backward`` on the cache of the student's ``forward(*args)`` (their caches
    are theirs to define) and compare the three gradients (dx, dgamma, dbeta) with ``want``.
    ``out`` is our forward output, to say when a wrong cache comes from a wrong forward pass."""
    if forward is None:
        notes.append(f"not checked: {name} reads the cache of your {forward_name}, which was not given")
        return _Outcome({}, want, models, notes, None)
    result, err = _call(forward, *args)
    if err is not None or not (isinstance(result, (tuple, list)) and len(result) == 2):
        notes.append(f"not checked where your {forward_name} fails: {name} reads its cache")
        return _Outcome({}, want, models, notes, None)
    if not _same(_array(result[0]), out):
        notes.append(f"your {forward_name} gives another output here (see its own line), and its cache "
                     "carries that difference: fix the forward pass first")
    result, err = _call(backward, dout.copy(), result[1])
    got = {}
    parts = None if err is not None else _unpack(result, 3, "the three gradients (dx, dgamma, dbeta)", notes)
    if parts is not None:
        got = dict(zip(("dx", "dgamma", "dbeta"), (_array(p) for p in parts)))
    return _Outcome(got, want, models, notes, err)


def _bn_backward_check(functions, name, forward_name, settings, layer_norm=False):
    from .layers import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward

    backward, forward = functions[name], functions.get(forward_name)

    def run_one(s):
        x, gamma, beta, param = s.make()
        param = {"mode": "train", "eps": param.get("eps", 1e-5)} if not layer_norm else {"eps": param.get("eps", 1e-5)}
        notes = []
        dout = _normal(np.random.default_rng(x.size), x.shape)
        if layer_norm:
            out, cache = layernorm_forward(x, gamma, beta, dict(param))
            want = dict(zip(("dx", "dgamma", "dbeta"), layernorm_backward(dout, cache)))
        else:
            out, cache = batchnorm_forward(x, gamma, beta, dict(param))
            want = dict(zip(("dx", "dgamma", "dbeta"), batchnorm_backward(dout, cache)))
        _, models = _bn_backward_models(dout, x, gamma, param["eps"], stats_axis=1 if layer_norm else 0)
        return _norm_backward_on_their_cache(name, forward_name, forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), dict(param)), dout, out, want,
                                             models, notes)

    return _compare(name, settings, run_one)


@register("batchnorm_backward", "backward pass of batch normalization ('train' mode)", uses=("batchnorm_forward",))
def _check_batchnorm_backward(functions) -> CheckResult:
    return _bn_backward_check(functions, "batchnorm_backward", "batchnorm_forward", _BN_BACKWARD_SETTINGS)


@register("batchnorm_backward_alt", "backward pass of batch normalization, simplified ('train' mode)",
          uses=("batchnorm_forward",))
def _check_batchnorm_backward_alt(functions) -> CheckResult:
    return _bn_backward_check(functions, "batchnorm_backward_alt", "batchnorm_forward", _BN_BACKWARD_SETTINGS)


_LN_SETTINGS = [
    _bn_setting("rows (N, D)", 4, 5, 61),
    _bn_setting("more examples than features", 7, 3, 62),
    _bn_setting("a larger eps", 5, 4, 63, scale=0.05, eps=1e-2),
    _bn_setting("as many features as examples", 5, 5, 64),
]


@register("layernorm_forward", "forward pass of layer normalization")
def _check_layernorm_forward(functions) -> CheckResult:
    return _compare("layernorm_forward", _LN_SETTINGS,
                    _norm_forward_check(functions["layernorm_forward"], layer_norm=True))


@register("layernorm_backward", "backward pass of layer normalization", uses=("layernorm_forward",))
def _check_layernorm_backward(functions) -> CheckResult:
    return _bn_backward_check(functions, "layernorm_backward", "layernorm_forward", _LN_SETTINGS, layer_norm=True)


# ------------------------------------------------------------------ spatial batch norm and group norm
def _to_rows(x):
    """(N, C, H, W) -> (N*H*W, C): one column per channel (how spatial batch norm reuses batch norm)."""
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _from_rows(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


_PER_POSITION = ("statistics of every channel and position over the batch only (axis 0): spatial batch norm "
                 "takes each channel's over the batch and all positions, axes (0, 2, 3), one number per channel")
_NO_TRANSPOSE = ("x.reshape(-1, C) without moving the channels last: each column then mixes channels and "
                 "positions; transpose first, x.transpose(0, 2, 3, 1).reshape(-1, C), and back at the end")


def _spatial_setting(part, shape, seed, mode="train", **extra):
    N, C, H, W = shape

    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, shape, 2.0, 1.0) + np.arange(C)[None, :, None, None]  # channels differ in mean
        gamma, beta = _normal(rng, (C,), 1.0, 1.0), _normal(rng, (C,))
        param = {"mode": mode, **{k: v for k, v in extra.items() if k != "running"}}
        if extra.get("running") or mode == "test":
            param["running_mean"] = _normal(rng, (C,), 0.5, 1.0)
            param["running_var"] = rng.uniform(0.5, 3.0, size=C)
        return x, gamma, beta, param
    text = f"x {shape}, mode {mode!r}" + "".join(f", {k} {v}" for k, v in extra.items() if k != "running")
    if extra.get("running"):
        text += ", running averages given"
    hints = {(q, (C, H, W)): _PER_POSITION for q in ("running_mean", "running_var")}
    hints.update({(q, (1, C, 1, 1)): "gradients of gamma and beta with shape (1, C, 1, 1): spatial batch norm's "
                                     "gamma and beta are (C,), and so are dgamma and dbeta" for q in ("dgamma", "dbeta")})
    return _Setting(part, text, make, hints)


_SPATIAL_SETTINGS = [
    _spatial_setting("'train' mode", (2, 3, 4, 5), 71),
    _spatial_setting("'train' mode, running averages given", (3, 2, 2, 4), 72, momentum=0.7, running=True),
    _spatial_setting("more channels", (2, 5, 3, 3), 73),
    _spatial_setting("'test' mode", (2, 3, 3, 2), 74, mode="test"),
]


@register("spatial_batchnorm_forward", "forward pass of spatial batch normalization")
def _check_spatial_batchnorm_forward(functions) -> CheckResult:
    from .layers import spatial_batchnorm_forward as ours

    forward = functions["spatial_batchnorm_forward"]

    def run_one(s):
        x, gamma, beta, param = s.make()
        notes = []
        N, C, H, W = x.shape
        want, models = _bn_forward_models(_to_rows(x), gamma, beta, param)
        want["out"] = ours(x, gamma, beta, _copy_param(param))[0]
        models["out"] = [(text, lambda f=f: None if f() is None else _from_rows(f(), x.shape))
                         for text, f in models["out"]]
        wrong_want, _ = _bn_forward_models(x.reshape(-1, C), gamma, beta, param)
        models["out"].insert(0, (_NO_TRANSPOSE, lambda: wrong_want["out"].reshape(x.shape)))
        for key in ("running_mean", "running_var"):
            models[key].insert(0, (_NO_TRANSPOSE, lambda key=key: wrong_want[key]))
        train = param["mode"] == "train"
        eps = param.get("eps", 1e-5)
        g4, b4 = gamma[None, :, None, None], beta[None, :, None, None]
        models["out"].append(
            (_PER_POSITION, lambda: g4 * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + b4 if train else None))
        theirs = _copy_param(param)
        result, err = _call(forward, x.copy(), gamma.copy(), beta.copy(), theirs)
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
            for key in ("running_mean", "running_var"):
                got[key] = _array(theirs.get(key, np.zeros(C)))
        return _Outcome(got, want, models, notes, err)

    return _one_ddof_finding(_compare("spatial_batchnorm_forward", _SPATIAL_SETTINGS, run_one))


@register("spatial_batchnorm_backward", "backward pass of spatial batch normalization ('train' mode)",
          uses=("spatial_batchnorm_forward",))
def _check_spatial_batchnorm_backward(functions) -> CheckResult:
    from .layers import spatial_batchnorm_backward, spatial_batchnorm_forward

    backward, forward = functions["spatial_batchnorm_backward"], functions.get("spatial_batchnorm_forward")

    def run_one(s):
        x, gamma, beta, param = s.make()
        param = {"mode": "train", "eps": param.get("eps", 1e-5)}
        notes = []
        C = x.shape[1]
        dout = _normal(np.random.default_rng(x.size), x.shape)
        out, cache = spatial_batchnorm_forward(x, gamma, beta, dict(param))
        want = dict(zip(("dx", "dgamma", "dbeta"), spatial_batchnorm_backward(dout, cache)))
        _, rows = _bn_backward_models(_to_rows(dout), _to_rows(x), gamma, param["eps"])
        models = {"dx": [(t, lambda f=f: None if f() is None else _from_rows(f(), x.shape)) for t, f in rows["dx"]],
                  "dgamma": rows["dgamma"], "dbeta": rows["dbeta"]}
        wrong, _ = _bn_backward_models(dout.reshape(-1, C), x.reshape(-1, C), gamma, param["eps"])
        xr = _to_rows(x)
        xh = (xr - xr.mean(axis=0)) / np.sqrt(xr.var(axis=0) + param["eps"])
        dr = dout.reshape(-1, C)                   # dout without the transpose, the cache's x_hat right
        mixed = {"dx": _standardize_backward(dr * gamma, xh, xr.var(axis=0), param["eps"], 0),
                 "dgamma": (dr * xh).sum(axis=0), "dbeta": dr.sum(axis=0)}
        for q in ("dx", "dgamma", "dbeta"):
            models[q][:0] = [(_NO_TRANSPOSE, lambda q=q: wrong[q].reshape(x.shape) if q == "dx" else wrong[q]),
                             (_NO_TRANSPOSE, lambda q=q: mixed[q].reshape(x.shape) if q == "dx" else mixed[q])]
        return _norm_backward_on_their_cache("spatial_batchnorm_backward", "spatial_batchnorm_forward", forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), dict(param)), dout, out, want, models, notes)

    return _compare("spatial_batchnorm_backward", _SPATIAL_SETTINGS[:3], run_one)


_GROUPS_INTERLEAVED = ("groups made of every G-th channel: group g holds the C/G neighbouring channels "
                       "g*C/G .. (g+1)*C/G - 1, x.reshape(N, G, C // G, H, W)")


def _gn_parts(x, G, eps, grouping="right"):
    """x_hat (N, C, H, W), and the pieces its backward pass needs, for one way of grouping."""
    N, C, H, W = x.shape
    if grouping == "interleaved":
        xg, axes = x.reshape(N, C // G, G, H, W), (1, 3, 4)
    elif grouping == "batch":
        xg, axes = x.reshape(N, G, C // G, H, W), (0, 2, 3, 4)
    else:
        groups = {"right": G, "all channels": 1, "each channel": C}[grouping]
        xg, axes = x.reshape(N, groups, C // groups, H, W), (2, 3, 4)
    m, v = xg.mean(axis=axes, keepdims=True), xg.var(axis=axes, keepdims=True)
    xh = (xg - m) / np.sqrt(v + eps)
    return xh.reshape(x.shape), (xg.shape, xh, v, axes)


def _gn_backward(dout, gamma, x, G, eps, grouping="right", constants=False):
    xh4, (gshape, xh, v, axes) = _gn_parts(x, G, eps, grouping)
    dxh = (dout * gamma).reshape(gshape)
    if constants:
        return (dxh / np.sqrt(v + eps)).reshape(x.shape)
    return _standardize_backward(dxh, xh, v, eps, axes).reshape(x.shape)


def _gn_setting(part, shape, G, seed, eps=1e-5):
    N, C, H, W = shape

    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, shape, 2.0, 1.0) + np.arange(C)[None, :, None, None]
        gamma, beta = _normal(rng, (1, C, 1, 1), 1.0, 1.0), _normal(rng, (1, C, 1, 1))
        return x, gamma, beta, G, {"eps": eps}
    hints = {(q, (C,)): "gradients of gamma and beta with shape (C,): group norm's gamma and beta are (1, C, 1, 1), "
                        "and so are dgamma and dbeta (sum with keepdims=True)" for q in ("dgamma", "dbeta")}
    return _Setting(part, f"x {shape}, G = {G}" + (f", eps {eps}" if eps != 1e-5 else ""), make, hints)


_GN_SETTINGS = [
    _gn_setting("two groups", (2, 6, 3, 3), 2, 81),
    _gn_setting("three groups", (2, 6, 4, 4), 3, 82),
    _gn_setting("non-square images", (3, 4, 2, 5), 2, 83),
    _gn_setting("one group (layer norm of each image)", (2, 4, 3, 3), 1, 84),
    _gn_setting("a larger eps", (2, 4, 2, 2), 2, 85, eps=1e-1),
]


@register("spatial_groupnorm_forward", "forward pass of group normalization")
def _check_spatial_groupnorm_forward(functions) -> CheckResult:
    from .layers import spatial_groupnorm_forward as ours

    forward = functions["spatial_groupnorm_forward"]

    def run_one(s):
        x, gamma, beta, G, param = s.make()
        notes = []
        eps = param["eps"]
        scale = lambda grouping: gamma * _gn_parts(x, G, eps, grouping)[0] + beta  # noqa: E731
        N, C, H, W = x.shape
        xg = x.reshape(N, G, C // G, H, W)
        m, v = xg.mean(axis=(2, 3, 4), keepdims=True), xg.var(axis=(2, 3, 4), keepdims=True)
        models = {"out": [
            (_GROUPS_INTERLEAVED, lambda: scale("interleaved")),
            ("G ignored: all channels of an image normalized together (that is G = 1)", lambda: scale("all channels")),
            ("every channel normalized alone (that is G = C, instance norm)", lambda: scale("each channel")),
            ("statistics over the batch too: group norm normalizes each image on its own", lambda: scale("batch")),
            ("variance with N - 1 (ddof=1): normalization divides by the number of values",
             lambda: gamma * ((xg - m) / np.sqrt(xg.var(axis=(2, 3, 4), ddof=1, keepdims=True) + eps)).reshape(x.shape)
             + beta),
            ("eps outside the square root: divide by np.sqrt(var + eps)",
             lambda: gamma * ((xg - m) / (np.sqrt(v) + eps)).reshape(x.shape) + beta),
            ("gamma and beta swapped: out = gamma * x_hat + beta", lambda: beta * _gn_parts(x, G, eps)[0] + gamma),
        ]}
        result, err = _call(forward, x.copy(), gamma.copy(), beta.copy(), G, dict(param))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _array(parts[0])
        return _Outcome(got, {"out": ours(x, gamma, beta, G, dict(param))[0]}, models, notes, err)

    return _compare("spatial_groupnorm_forward", _GN_SETTINGS, run_one)


@register("spatial_groupnorm_backward", "backward pass of group normalization", uses=("spatial_groupnorm_forward",))
def _check_spatial_groupnorm_backward(functions) -> CheckResult:
    from .layers import spatial_groupnorm_backward, spatial_groupnorm_forward

    backward, forward = functions["spatial_groupnorm_backward"], functions.get("spatial_groupnorm_forward")

    def run_one(s):
        x, gamma, beta, G, param = s.make()
        eps = param["eps"]
        notes = []
        dout = _normal(np.random.default_rng(x.size), x.shape)
        out, cache = spatial_groupnorm_forward(x, gamma, beta, G, dict(param))
        want = dict(zip(("dx", "dgamma", "dbeta"), spatial_groupnorm_backward(dout, cache)))
        xh = _gn_parts(x, G, eps)[0]
        ref = functools.partial(_gn_backward, dout, gamma, x, G, eps)
        models = {
            "dx": [(_CONSTANTS, lambda: ref(constants=True)),
                   (_GROUPS_INTERLEAVED, lambda: ref(grouping="interleaved")),
                   ("G ignored: all channels of an image normalized together (that is G = 1)",
                    lambda: ref(grouping="all channels")),
                   ("gamma forgotten in dx: the gradient reaching x_hat is dout * gamma",
                    lambda: _gn_backward(dout, np.ones_like(gamma), x, G, eps))],
            "dgamma": [("dgamma = sum(dout * x): multiply by x_hat, the normalized input",
                        lambda: (dout * x).sum(axis=(0, 2, 3), keepdims=True)),
                       ("dgamma summed over the images only: sum over the images and positions, axes (0, 2, 3)",
                        lambda: (dout * xh).sum(axis=0, keepdims=True) if x.shape[2:] == (1, 1) else None),
                       ("dgamma and dbeta swapped", lambda: dout.sum(axis=(0, 2, 3), keepdims=True))],
            "dbeta": [("dgamma and dbeta swapped", lambda: (dout * xh).sum(axis=(0, 2, 3), keepdims=True))],
        }
        return _norm_backward_on_their_cache("spatial_groupnorm_backward", "spatial_groupnorm_forward", forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), G, dict(param)), dout, out, want, models, notes)

    return _compare("spatial_groupnorm_backward", _GN_SETTINGS, run_one)


# ------------------------------------------------------------------ dropout
_DROPOUT_CASES = ((0.3, 71), (0.75, 72))  # (keep probability p, seed)
_DROPOUT_SWAPPED = "train/test mode swapped: 'train' mode drops units, 'test' mode passes x through unchanged"


def _dropout_x(shape=(400, 500), dtype=np.float64):
    return _quarters(np.random.default_rng(7), shape).astype(dtype)   # no zeros: a 0 in out is a dropped unit


@register("dropout_forward", "forward pass of inverted dropout (p = probability of keeping)")
def _check_dropout_forward(functions) -> CheckResult:
    """Dropout draws random masks from the student's own generator, so it is checked by what any
    right mask shows: the kept fraction is p, kept units are x / p, 'test' mode returns x, and the
    same seed gives the same mask."""
    forward = functions["dropout_forward"]
    name = "dropout_forward"
    x = _dropout_x()
    findings, measured, crashes = [], [], []
    setting = lambda text: _Setting(text, text, None)  # noqa: E731

    def out_of(param, xin=x):
        result, err = _call(forward, xin.copy(), dict(param))
        if err is not None:
            crashes.append((setting(f"{param['mode']!r} mode, p = {param['p']}"), err))
            return None
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            findings.append("return the pair (out, cache), as CS231n's API does")
            return None
        out = _array(result[0])
        if out is None or out.shape != xin.shape:
            findings.append(f"out must have the shape of x, {xin.shape}; got {None if out is None else out.shape}")
            return None
        return out

    train_seen = []
    for p, seed in _DROPOUT_CASES:
        out = out_of({"mode": "train", "p": p, "seed": seed})
        if out is None:
            continue
        kept = out != 0
        frac = float(kept.mean())
        ratio = out[kept] / x[kept] if kept.any() else np.array([np.nan])
        scale = float(np.median(ratio))
        train_seen.append((p, frac, scale, bool(np.allclose(ratio, scale))))
    test = out_of({"mode": "test", "p": 0.3, "seed": 1})
    test_drops = test is not None and float(np.mean(test == 0)) > 0.05
    problems = []
    for p, frac, scale, uniform in train_seen:
        where = f"(in 'train' mode with p = {p}: kept {frac:.3f} of the units, kept units times {scale:.4g})"
        if frac == 1.0 and test_drops:
            problems.append((_DROPOUT_SWAPPED, where))
            continue
        keeps_one_minus_p = abs(frac - (1 - p)) < 0.01 and abs(frac - p) >= 0.01
        right_scale = 1 / (1 - p) if keeps_one_minus_p else 1 / p   # keeping 1 - p, dividing by 1 - p is one mistake
        if keeps_one_minus_p:
            problems.append(("dropout keeping 1 - p: p is the probability of KEEPING a unit, "
                             "mask = (np.random.rand(*x.shape) < p) / p", where))
        elif abs(frac - p) >= 0.01:
            problems.append(("the kept fraction is not p: keep each unit with probability p, "
                             "np.random.rand(*x.shape) < p", where))
        if not uniform:
            problems.append(("kept units are scaled unevenly: each kept unit is x / p", where))
        elif abs(scale - 1.0) < 1e-9:
            problems.append(("not inverted: divide the kept units by p in 'train' mode, mask = (np.random.rand("
                             "*x.shape) < p) / p, so that 'test' mode can return x as it is", where))
        elif abs(scale - p) < 1e-9:
            problems.append(("kept units multiplied by p: inverted dropout divides them by p", where))
        elif abs(scale - 1 / (1 - p)) < 1e-9 and not keeps_one_minus_p:
            problems.append(("kept units divided by 1 - p: divide by p, the probability of keeping", where))
        elif abs(scale - right_scale) >= 1e-9:
            problems.append((f"kept units times {scale:.4g}: inverted dropout divides them by p", where))
    if test is not None and not np.array_equal(test, x) and not any(t == _DROPOUT_SWAPPED for t, _ in problems):
        if np.allclose(test, x * 0.3):
            problems.append(("'test' mode multiplies by p: inverted dropout scaled the kept units in training "
                             "already, so 'test' mode returns x unchanged", "(in 'test' mode with p = 0.3)"))
        else:
            problems.append(("'test' mode changes x: it returns x unchanged", "(in 'test' mode with p = 0.3)"))
    # the seed: the same seed gives the same mask, another seed another mask
    a = out_of({"mode": "train", "p": 0.5, "seed": 3}, x[:50])
    b = out_of({"mode": "train", "p": 0.5, "seed": 3}, x[:50])
    c = out_of({"mode": "train", "p": 0.5, "seed": 4}, x[:50])
    if a is not None and b is not None and c is not None and np.any(a == 0):
        if not np.array_equal(a != 0, b != 0) or np.array_equal(a != 0, c != 0):
            problems.append(("the seed is ignored: with dropout_param['seed'] given, call np.random.seed(seed) "
                             "before drawing the mask, so that two calls drop the same units (gradient checks "
                             "need that)", "(two calls with seed 3, one with seed 4)"))
    result, err = _call(forward, x[:20].astype(np.float32), {"mode": "train", "p": 0.5, "seed": 3})
    if err is None and isinstance(result, (tuple, list)) and len(result) == 2:
        dtype = np.asarray(result[0]).dtype
        if dtype != np.float32:
            problems.append((f"out is {dtype} for a float32 x: keep x's dtype, out.astype(x.dtype, copy=False)",
                             "(x of dtype float32)"))
    shown = set()
    for text, where in problems:
        if text not in shown:
            shown.add(text)
            findings.append(f"{text} {where}")
    findings = list(dict.fromkeys(findings)) + _crash_findings(crashes)
    if train_seen:
        measured.append("kept fractions " + ", ".join(f"{frac:.3f} at p = {p}" for p, frac, _, _ in train_seen)
                        + f" ({x.size:,} units each; within 0.01 of p counts as p); kept units times "
                        + ", ".join(f"{scale:.4g}" for _, _, scale, _ in train_seen))
    return CheckResult(name, CHECKS[name].title, "failed" if findings else "passed", findings, measured)


def _dropout_setting(part, p, mode, seed):
    def make():
        return _dropout_x((40, 30)), {"mode": mode, "p": p, "seed": seed}
    return _Setting(part, f"x (40, 30), mode {mode!r}, p = {p}, seed {seed}", make)


_DROPOUT_BACKWARD_SETTINGS = [_dropout_setting("'train' mode", 0.3, "train", 91),
                              _dropout_setting("'train' mode, most units kept", 0.8, "train", 92),
                              _dropout_setting("'test' mode", 0.3, "test", 93)]


@register("dropout_backward", "backward pass of inverted dropout", uses=("dropout_forward",))
def _check_dropout_backward(functions) -> CheckResult:
    """With the student's own mask: dx must be dout times what multiplied x (out / x)."""
    backward, forward = functions["dropout_backward"], functions.get("dropout_forward")

    def run_one(s):
        x, param = s.make()
        notes = []
        dout = _quarters(np.random.default_rng(5), x.shape)
        if forward is None:
            notes.append("not checked: dropout_backward reads the cache of your dropout_forward, which was not given")
            return _Outcome({}, {"dx": dout}, {}, notes, None)
        result, err = _call(forward, x.copy(), dict(param))
        if err is not None or not (isinstance(result, (tuple, list)) and len(result) == 2) \
                or _array(result[0]) is None or np.shape(result[0]) != x.shape:
            notes.append("not checked where your dropout_forward fails (see its own line): the backward pass "
                         "reads its cache")
            return _Outcome({}, {"dx": dout}, {}, notes, None)
        mask = _array(result[0]) / x          # 0 or 1/p where your forward pass kept the unit
        p = param["p"]
        train = param["mode"] == "train"
        want = dout * mask
        models = {"dx": [
            ("dx not divided by p: multiply dout by the same mask as the forward pass (0 or 1/p)",
             lambda: dout * (mask != 0) if train else None),
            ("the mask ignored: in 'train' mode only the kept units pass the gradient, dx = dout * mask",
             lambda: dout if train else None),
            ("dx multiplied by p: multiply dout by the forward pass's mask (0 or 1/p)",
             lambda: dout * (mask != 0) * p if train else None),
        ]}
        result, err = _call(backward, dout.copy(), result[1])
        got = {} if err is not None else {"dx": _array(result)}
        return _Outcome(got, {"dx": want}, models, notes, err)

    return _compare("dropout_backward", _DROPOUT_BACKWARD_SETTINGS, run_one)


# ------------------------------------------------------------------ the classifiers (fc_net.py, cnn.py)
def _net_setting(part, kwargs, N, seed):
    def make():
        rng = np.random.default_rng(seed)
        dim = kwargs.get("input_dim", 5)
        shape = (N,) + (tuple(dim) if isinstance(dim, (tuple, list)) else (dim,))
        return dict(kwargs), _normal(rng, shape), rng.integers(kwargs["num_classes"], size=N)
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return _Setting(part, f"({args}), {N} examples", make)


_FC_SETTINGS = [
    _net_setting("one hidden layer", {"hidden_dims": [6], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5}, 7, 1),
    _net_setting("three hidden layers", {"hidden_dims": [6, 4, 5], "input_dim": 5, "num_classes": 3,
                                         "weight_scale": 0.5}, 7, 2),
    _net_setting("regularization", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                    "reg": 0.7}, 6, 3),
    _net_setting("batch norm", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                "normalization": "batchnorm", "reg": 0.3}, 8, 4),
    _net_setting("layer norm", {"hidden_dims": [5, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                "normalization": "layernorm", "reg": 0.3}, 6, 5),
    _net_setting("dropout", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                             "dropout_keep_ratio": 0.6, "seed": 3, "reg": 0.1}, 6, 6),
]
_CNN_SETTINGS = [
    _net_setting("a small net", {"input_dim": (3, 8, 8), "num_filters": 3, "filter_size": 3, "hidden_dim": 7,
                                 "num_classes": 4, "weight_scale": 0.1}, 3, 7),
    _net_setting("regularization", {"input_dim": (3, 8, 8), "num_filters": 3, "filter_size": 3, "hidden_dim": 7,
                                    "num_classes": 4, "weight_scale": 0.1, "reg": 0.5}, 3, 8),
    _net_setting("5x5 filters", {"input_dim": (2, 6, 6), "num_filters": 2, "filter_size": 5, "hidden_dim": 5,
                                 "num_classes": 3, "weight_scale": 0.1, "reg": 0.1}, 2, 9),
]
_REG_HALF = ("regularization without the factor 0.5: the loss adds 0.5 * reg * sum(W**2) over the weights, "
             "whose gradient is reg * W")


def _numerical_grads(loss_fn, params, h=1e-5):
    """Centred differences of ``loss_fn()`` for every array in ``params`` (changed in place and put back)."""
    out = {}
    for key, value in params.items():
        grad = np.zeros(np.shape(value))
        flat = value.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            plus = loss_fn()
            flat[i] = old - h
            minus = loss_fn()
            flat[i] = old
            grad.reshape(-1)[i] = (plus - minus) / (2 * h)
        out[key] = grad
    return out


_DROPOUT_AT_TEST = ("loss(X) drops units: without y the net runs in 'test' mode, dropout_param['mode'] = 'test' "
                    "(your test-mode scores differ only where the net has dropout)")


def _net_check(name, settings, ours_cls, takes_seed):
    cls = None
    scores_differ = {}   # setting part -> whether the test-mode scores differ from the library's

    def run_one(s):
        kw, X, y = s.make()
        notes = []
        ours = ours_cls(**dict(kw, seed=kw.get("seed", 0)) if takes_seed else kw, dtype=np.float64,
                        **({} if takes_seed else {"seed": 0}))
        keys = sorted(ours.params)
        rng = np.random.default_rng(len(X))
        for k in keys:   # biases, gammas and betas away from 0 and 1: no ReLU sits exactly at its kink
            if not k.startswith("W"):
                ours.params[k] = ours.params[k] + 0.1 * rng.standard_normal(ours.params[k].shape)
        empty = _Outcome({}, {}, {}, notes, None)
        theirs, err = _call(cls, **kw, dtype=np.float64)
        if err is not None:
            return _Outcome({}, {"scores": np.zeros(1)}, {}, notes, err)
        params = getattr(theirs, "params", None)
        if not isinstance(params, dict):
            notes.append("the net has no dict `params`: CS231n's nets keep their weights in self.params")
            return empty
        missing, extra = sorted(set(keys) - set(params)), sorted(set(params) - set(keys))
        if missing or extra:
            notes.append("params has the wrong names: " + "; ".join(
                part for part in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "")
                if part) + f" (the assignment names them {', '.join(keys)})")
            return empty
        shapes = [f"params[{k!r}] is {np.shape(params[k])}, expected {ours.params[k].shape}"
                  for k in keys if np.shape(params[k]) != ours.params[k].shape]
        if shapes:
            notes.append("; ".join(shapes))
            return empty
        for k in keys:
            params[k] = ours.params[k].copy()
        reg = float(kw.get("reg", 0.0))
        weights = [k for k in keys if k.startswith("W")]
        loss_ours, grads_ours = ours.loss(X, y)
        scores_ours = ours.loss(X)
        want = {"scores (test mode)": scores_ours}
        models = {"scores (test mode)": [("scores through a ReLU: the last affine layer gives the scores as they are",
                                          lambda: np.maximum(scores_ours, 0))]}
        got = {}
        dropout = kw.get("dropout_keep_ratio", 1) != 1
        if not dropout:
            half = 0.5 * reg * sum(float(np.sum(ours.params[k] ** 2)) for k in weights)
            rest = 0.5 * reg * sum(float(np.sum(ours.params[k] ** 2)) for k in keys if k not in weights)
            want["loss"] = loss_ours
            models["loss"] = [
                (_REG_HALF, lambda: loss_ours + half if reg else None),
                ("regularization missing from the loss: add 0.5 * reg * sum(W**2) over the weights",
                 lambda: loss_ours - half if reg else None),
                ("regularization of the biases (and gammas, betas) too: only the weights W1, W2, ... are "
                 "regularized", lambda: loss_ours + rest if reg else None)]
            for k in keys:
                g, p = grads_ours[k], ours.params[k]
                want[f"grads[{k!r}]"] = g
                if k in weights:
                    models[f"grads[{k!r}]"] = [
                        (_REG_HALF, lambda g=g, p=p: g + reg * p if reg else None),
                        ("regularization missing from the gradients: grads['W'] += reg * W",
                         lambda g=g, p=p: g - reg * p if reg else None)]
                else:
                    models[f"grads[{k!r}]"] = [
                        ("regularization of the biases (and gammas, betas) too: only the weights W1, W2, ... are "
                         "regularized", lambda g=g, p=p: g + reg * p if reg else None)]
        result, err = _call(theirs.loss, X.copy(), y.copy())
        if err is not None:
            return _Outcome({}, want, models, notes, err)
        parts = _unpack(result, 2, "the pair (loss, grads) from loss(X, y)", notes)
        if parts is None:
            return _Outcome({}, want, models, notes, None)
        loss, grads = parts
        if not isinstance(grads, dict) or sorted(grads) != keys:
            notes.append(f"grads must have the keys of params, {keys}; got "
                         f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
            grads = {}
        if dropout:
            # the masks come from your own generator: compare with the numerical gradient of your own loss
            again, err2 = _call(theirs.loss, X.copy(), y.copy())
            if err2 is None and isinstance(again, (tuple, list)) and float(again[0]) != float(loss):
                notes.append("with dropout_param['seed'] set, loss(X, y) must give the same loss on every call "
                             "(the same mask): the gradient check relies on it")
            else:
                plain = ours_cls(**dict(kw, dropout_keep_ratio=1), dtype=np.float64)
                plain.params = {k: v.copy() for k, v in ours.params.items()}
                if abs(float(plain.loss(X, y)[0]) - float(loss)) < 1e-12:
                    notes.append("loss(X, y) drops no unit: in 'train' mode apply dropout after every ReLU")
                numeric, err3 = _call(_numerical_grads, lambda: float(theirs.loss(X, y)[0]), params)
                off = {k: rel_error(numeric[k], _array(grads[k])) for k in grads
                       if err3 is None and _array(grads[k]) is not None and np.shape(grads[k]) == numeric[k].shape}
                off = {k: e for k, e in off.items() if not e < 1e-6}   # centred differences: ~1e-8 when right
                if off:
                    notes.append("with dropout, " + ", ".join(f"grads[{k!r}]" for k in off) + " disagree with the "
                                 "numerical gradient of your own loss(X, y) (relative error up to "
                                 f"{_magnitude(max(off.values()))}): the backward pass of dropout, or of the "
                                 "layers around it")
        else:
            got["loss"] = _array(loss)
            got.update({f"grads[{k!r}]": _array(grads[k]) for k in grads})
        scores, err = _call(theirs.loss, X.copy())
        if err is not None:
            return _Outcome(got, want, models, notes, err)
        again, _ = _call(theirs.loss, X.copy())
        if again is not None and not np.array_equal(_array(scores), _array(again)):
            notes.append("loss(X) gives other scores on every call: without y the net runs in 'test' mode "
                         "(no dropout, batch norm with its running averages)")
        got["scores (test mode)"] = _array(scores)
        scores_differ[s.part] = not _same(got["scores (test mode)"], scores_ours)
        return _Outcome(got, want, models, notes, None)

    def check(functions):
        nonlocal cls
        cls = functions[name]
        scores_differ.clear()
        result = _compare(name, settings, run_one)
        findings = _merge_gradient_findings(result.findings)
        if scores_differ.get("dropout") and not any(v for k, v in scores_differ.items() if k != "dropout"):
            findings = [_DROPOUT_AT_TEST + " (first in the setting 'dropout')" if f.startswith("scores (test mode) differs")
                        else f for f in findings]
        others = [f for f in findings if not f.startswith("with dropout, ")]
        if others:   # the numerical check with dropout then fails for the same reason
            findings = others
        result.findings = findings
        result.status = "failed" if findings else result.status
        return result
    return check


def _merge_gradient_findings(findings):
    """Several "grads['W1'] differs in ..." lines become one line naming every such gradient."""
    plain = [f for f in findings if f.startswith("grads[") and " differs in " in f]
    if len(plain) < 2:
        return findings
    names = [f.split(" differs")[0] for f in plain]
    example = plain[0][plain[0].index("(largest difference"):]
    merged = (f"{', '.join(names)} differ from the library's while the other gradients agree: look at the "
              f"backward pass of those layers {example}")
    out = [f for f in findings if f not in plain]
    out.insert(findings.index(plain[0]) if plain[0] in findings else len(out), merged)
    return out


@register("FullyConnectedNet", "the fully connected net of fc_net.py (loss, gradients and test-mode scores)")
def _check_fully_connected_net(functions) -> CheckResult:
    from .nets import FullyConnectedNet

    return _net_check("FullyConnectedNet", _FC_SETTINGS, FullyConnectedNet, takes_seed=True)(functions)


@register("ThreeLayerConvNet", "the three-layer ConvNet of cnn.py (loss, gradients and scores)")
def _check_three_layer_convnet(functions) -> CheckResult:
    from .nets import ThreeLayerConvNet

    return _net_check("ThreeLayerConvNet", _CNN_SETTINGS, ThreeLayerConvNet, takes_seed=False)(functions)


# ================================================================== a student's assignment folder
class Assignment(NamedTuple):
    """What :func:`load_assignment` found: the functions to check (by name), the files it
    imported (relative to ``root``), and what could not be imported (one line each)."""

    root: pathlib.Path
    functions: Dict[str, Callable]
    imported: List[str]
    problems: List[str]


def _import_quietly(load):
    """``(module, printed, error)``: run ``load()`` with stdout and stderr captured."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load(), printed.getvalue(), None
    except (Exception, SystemExit) as err:
        return None, printed.getvalue(), err


def _import_problem(rel, err):
    text = f"could not import {rel}: {type(err).__name__}: {err}{_where(err)}"
    if isinstance(err, ImportError) and "relative import" in str(err):
        text += ("; this file imports from its package (from .layers import ...): give the folder that holds "
                 "cs231n/ instead of the file")
    elif isinstance(err, (ImportError, ModuleNotFoundError)) and "cs231n" in str(err):
        text += "; give the assignment folder, the one that holds cs231n/, so that its imports work"
    return text + "; the other files are checked"


def load_assignment(path) -> Assignment:
    """Import a student's ``layers.py``, ``fast_layers.py`` and ``classifiers/*.py``, and nothing else.

    ``path`` is the assignment folder (e.g. ``assignment2``, the one that holds ``cs231n/``), the
    ``cs231n`` folder itself, or one ``.py`` file.  The files are imported as the package they
    belong to, so their own imports (``from .layers import *``, ``from cs231n.im2col import *``)
    work; no notebook runs and nothing is downloaded (``data_utils.py`` and ``solver.py`` are not
    imported).  Afterwards ``sys.path`` and ``sys.modules`` are as they were.  A file that raises
    while importing is reported in ``problems``; the others are still checked.  A path that does
    not exist, or a folder without any of those files, raises ValueError.
    """
    path = pathlib.Path(path).expanduser()
    names = _checked_names()
    if not path.exists():
        raise ValueError(f"{path} does not exist: give your assignment folder (the one that holds cs231n/), "
                         "its cs231n folder, or a .py file with your layers.")
    if path.is_file():
        if path.suffix != ".py":
            raise ValueError(f"{path} is not a .py file: give your assignment folder or a .py file.")

        def load():
            spec = importlib.util.spec_from_file_location(f"_student_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        module, printed, err = _import_quietly(load)
        if err is not None:
            return Assignment(path.parent, {}, [], [_import_problem(path.name, err)])
        functions = {k: v for k, v in vars(module).items() if k in names and callable(v)}
        return Assignment(path.parent, functions, [path.name], _printed_problems(path.name, printed))
    pkg = path / "cs231n" if (path / "cs231n").is_dir() else path
    targets = [m for m in ("layers", "fast_layers") if (pkg / f"{m}.py").is_file()]
    if (pkg / "classifiers").is_dir():
        targets += [f"classifiers.{f.stem}" for f in sorted((pkg / "classifiers").glob("*.py")) if f.stem != "__init__"]
    if not targets:
        raise ValueError(f"found no layers.py, fast_layers.py or classifiers/ in {path} nor in {path / 'cs231n'}: "
                         "give your assignment folder (the one that holds cs231n/) or a .py file.")
    root, package = pkg.parent.resolve(), pkg.name
    mine = lambda key: key == package or key.startswith(package + ".")  # noqa: E731
    saved = {k: v for k, v in sys.modules.items() if mine(k)}
    for key in saved:
        del sys.modules[key]
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    functions, imported, problems = {}, [], []
    try:
        for target in targets:
            rel = f"{package}/{target.replace('.', '/')}.py"
            module, printed, err = _import_quietly(lambda: importlib.import_module(f"{package}.{target}"))
            if err is not None:
                problems.append(_import_problem(rel, err))
                continue
            imported.append(rel)
            problems += _printed_problems(rel, printed)
            for key, value in vars(module).items():
                if key in names and callable(value) and getattr(value, "__module__", None) == module.__name__:
                    functions.setdefault(key, value)
    finally:
        sys.path.remove(str(root))
        for key in [k for k in sys.modules if mine(k)]:
            del sys.modules[key]
        sys.modules.update(saved)
    return Assignment(root, functions, imported, problems)


def _printed_problems(rel, printed):
    """A file that prints while it is imported: say so once (the Cython message of fast_layers.py
    means its fast conv layers will fail)."""
    if not printed.strip():
        return []
    if "cython" in printed.lower():
        return [f"{rel} says while importing that its Cython extension is not built, so the fast layers that "
                f"need it will raise: {_CYTHON_FIX}"]
    return []


def main(argv=None) -> int:
    """``python -m cs231n_lib.check PATH``: one line per function found; exit status 0 when every
    one matches cs231n_lib, 1 when one differs, 2 when nothing could be checked."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.check",
        description="Check your CS231n assignment code against cs231n_lib: every function it finds runs on "
                    "random float64 inputs of several shapes, and each line says 'same', or what differs first "
                    "and the mistake behind it where one is recognisable.")
    parser.add_argument("path", help="your assignment folder (the one that holds cs231n/), its cs231n folder, "
                                     "or one .py file")
    parser.add_argument("--details", action="store_true",
                        help="every finding and the measured errors, instead of one line per function")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="check only these functions (e.g. batchnorm_forward)")
    args = parser.parse_args(argv)
    try:
        found = load_assignment(args.path)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - set(CHECKS))
        if unknown:
            print(f"no check for {unknown}; the checks are: {', '.join(CHECKS)}.", file=sys.stderr)
            return 2
    print(f"{args.path}: imported {', '.join(found.imported) if found.imported else 'nothing'}")
    wanted = [name for name in CHECKS if name in found.functions and (not args.only or name in args.only)]
    report = Report([_run_one(CHECKS[name], found.functions) for name in wanted], found.problems)
    print(str(report) if args.details else report.summary())
    same = sum(r.passed for r in report.results)
    print(f"{same} of {len(report.results)} functions the same as cs231n_lib"
          + ("" if args.details or same == len(report.results) else "; --details shows every finding"))
    if not report.results:
        return 2
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
