"""Notebook 04 (architectures): the receptive-field explorer and the budget calculator."""
from __future__ import annotations

from typing import NamedTuple, Optional

from .. import arithmetic
from .. import specs as _specs
from ..vis import architectures as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _panel, _wire

__all__ = ["RF_RANGES", "RF_SCHEDULES", "RF_MAX_DRAWN", "RF_MAX_LAYERS", "RFView", "rf_view", "rf_explorer", "BUDGET_RANGES", "BUDGET_MAX_LAYERS", "BUDGET_CHOICES", "BudgetView", "budget_view", "budget_calculator"]

RF_RANGES = {
    "layers": range(1, 7),
    "F": range(1, 8),
    "S": range(1, 4),
    "dilation": range(1, 5),
}


RF_SCHEDULES = ("same for every layer", "doubles each layer")


RF_MAX_DRAWN = 200  # wider fields are described but not drawn


RF_MAX_LAYERS = 64  # the table shows one row per layer


class RFView(NamedTuple):
    """What the receptive-field explorer shows: ``layers`` (LayerDims, or None when
    nothing is drawn), ``text`` (the table and the formula with numbers, or why
    there is no drawing) and ``size`` (the final receptive field)."""

    valid: bool
    text: str
    layers: Optional[tuple]
    size: Optional[int]

    @property
    def html(self) -> str:
        return _panel(self.valid, self.text)


def rf_view(layers=3, F=3, S=1, dilation=1, schedule=RF_SCHEDULES[0]) -> RFView:
    """The receptive-field explorer for ``layers`` conv layers of ``F x F`` filters at
    stride ``S`` with dilation ``dilation`` (or 1, 2, 4, ... when ``schedule`` is
    'doubles each layer'; then ``dilation`` is ignored).  Never raises for
    slider values; fields too wide to draw give ``valid=False`` and the numbers."""
    try:
        if schedule not in RF_SCHEDULES:
            raise ValueError(f"schedule must be one of {RF_SCHEDULES}, got {schedule!r}.")
        layers = arithmetic.as_int(layers, "layers", 1)
        F, S, dilation = (arithmetic.as_int(v, name, 1) for v, name in ((F, "F"), (S, "S"), (dilation, "dilation")))
        if layers > RF_MAX_LAYERS:
            raise ValueError(f"layers = {layers}: the explorer stacks at most {RF_MAX_LAYERS} layers "
                             "(arithmetic.receptive_field takes any number).")
        dils = [2 ** i if schedule == RF_SCHEDULES[1] else dilation for i in range(layers)]
        dims = tuple(
            arithmetic.LayerDims("conv", F, 1, S, 0, d,
                                 f"conv{i + 1}: F={F}" + (f", d={d}" if d > 1 else "")
                                 + (f", S={S}" if S > 1 else ""))
            for i, d in enumerate(dils))
        rows = arithmetic.receptive_field(dims)
    except ValueError as err:
        return RFView(False, str(err), None, None)
    terms = [f"({row.k}-1)*{prev}" for row, prev in
             zip(rows, [1] + [r.stride for r in rows[:-1]])]
    if len(terms) > 8:
        terms = terms[:3] + ["..."] + terms[-2:]
    last = rows[-1]
    text = "\n".join([
        _specs.format_receptive_field(rows),
        f"r = 1 + sum of (k_l - 1) * (stride so far) = 1 + {' + '.join(terms)} = {last.size}",
        f"neighbouring output units are S = {last.stride} input pixels apart",
    ])
    if last.size > RF_MAX_DRAWN:
        return RFView(False, text + f"\nA field of {last.size} pixels is too wide to draw "
                      f"(limit {RF_MAX_DRAWN}): use fewer layers, a smaller stride or dilation.",
                      None, last.size)
    return RFView(True, text, dims, last.size)


def rf_explorer(layers=3, F=3, S=1, dilation=1, schedule=RF_SCHEDULES[0]):
    """Sliders for the number of layers, filter size, stride and dilation (and a
    dilation schedule); shows the receptive-field table and how the field grows
    on the input (:func:`cs231n_lib.vis.draw_receptive_field`, redrawn in place while a
    slider is dragged).  Every integer is shown as given (a slider widens to hold it;
    ``layers=0`` shows why no field exists); a value that is not an integer, or an
    unknown schedule, raises ValueError saying so."""
    import ipywidgets as w

    values = {"layers": layers, "F": F, "S": S, "dilation": dilation}
    names = {"layers": "conv layers", "F": "filter size F", "S": "stride S",
             "dilation": "dilation"}
    controls = {key: _int_slider(values[key], RF_RANGES[key], names[key], key, continuous=True)
                for key in RF_RANGES}
    controls["schedule"] = _choice(schedule, RF_SCHEDULES, "dilation", "schedule", numeric=False)
    fig, axes = vis.receptive_field_axes()

    def render(**settings):
        view = rf_view(**settings)
        if not view.valid:
            return view.html, None
        # the picture depends on the layers alone (a dilation the schedule ignores changes nothing)
        return view.html, Drawing(tuple(view.layers), lambda: vis.draw_receptive_field(axes, view.layers) or fig)

    text, picture, wiring, state = _wire(controls, render, "Receptive-field explorer")
    left = w.VBox([controls[k] for k in ("layers", "F", "S")])
    right = w.VBox([controls["dilation"], controls["schedule"]])
    return _explorer_box("Receptive-field explorer", [w.HBox([left, right]), text, picture, wiring],
                         controls, state)


BUDGET_RANGES = {"N": range(0, 4), "M": range(0, 6), "K": range(0, 3)}


BUDGET_MAX_LAYERS = 500  # one table row per layer


BUDGET_CHOICES = {
    "input_size": (24, 28, 32, 64, 96, 224),
    "filters": (8, 16, 32, 64),
    "dtype": ("float32", "float64"),
}


class BudgetView(NamedTuple):
    """What the budget calculator shows: the ``spec`` string it built, and either
    the budget (``budget`` and the table in ``text``) or the parse error in ``text``."""

    valid: bool
    spec: str
    text: str
    budget: Optional[arithmetic.Budget]

    @property
    def html(self) -> str:
        return _panel(True, f"spec: {self.spec}") + _panel(self.valid, self.text)


def budget_view(N=2, M=3, K=1, input_size=32, filters=32, dtype="float32",
                spec: Optional[str] = None) -> BudgetView:
    """Parse a spec string (or build the notes' pattern ``INPUT -> [[CONV -> RELU]*N
    -> POOL]*M -> [FC -> RELU]*K -> FC`` from the sliders) and size it.  Never raises:
    a bad spec gives ``valid=False`` and the parser's caret message."""
    try:
        if spec is None:
            counts = [arithmetic.as_int(v, name, 0) for v, name in ((N, "N"), (M, "M"), (K, "K"))]
            input_size = arithmetic.as_int(input_size, "input_size", 1)
            filters = arithmetic.as_int(filters, "filters", 1)
            size = (2 * counts[0] + 1) * counts[1] + 2 * counts[2] + 1
            if size > BUDGET_MAX_LAYERS:
                raise ValueError(f"N = {N}, M = {M}, K = {K} make {size:,} layers; the calculator lists at "
                                 f"most {BUDGET_MAX_LAYERS} (specs.parse takes any number).")
        text = spec if spec is not None else _specs.general_pattern(
            N, M, K, input_size=input_size, filters=filters)
    except ValueError as err:
        return BudgetView(False, "(none)", str(err), None)
    except Exception as err:
        return BudgetView(False, repr(spec), f"unexpected error: {err!r}", None)
    try:
        if dtype not in BUDGET_CHOICES["dtype"]:
            raise ValueError(f"dtype must be one of {BUDGET_CHOICES['dtype']}, got {dtype!r}.")
        b = _specs.parse(text).budget(bytes_per_value=4 if dtype == "float32" else 8)
    except ValueError as err:
        return BudgetView(False, text, str(err), None)
    return BudgetView(True, text, _specs.format_budget(b, formulas=False), b)


def budget_calculator(N=2, M=3, K=1, input_size=32, filters=32, dtype="float32"):
    """Sliders for the notes' layer pattern (N convs per pool, M pools, K hidden FC
    layers), the input size, the filter count and the number type; shows the spec,
    the per-layer table and the totals.  Bad settings show the parser's message.
    Every integer is shown as given (sliders widen, menus add the number); a value
    that is not an integer, or a dtype other than float32 and float64, raises
    ValueError saying so."""
    import ipywidgets as w

    values = {"N": N, "M": M, "K": K}
    names = {"N": "N (CONV-RELU per pool)", "M": "M (pools)", "K": "K (hidden FC)"}
    controls = {key: _int_slider(values[key], BUDGET_RANGES[key], names[key], key) for key in BUDGET_RANGES}
    controls["input_size"] = _choice(input_size, BUDGET_CHOICES["input_size"], "input size", "input_size")
    controls["filters"] = _choice(filters, BUDGET_CHOICES["filters"], "filters per conv", "filters")
    controls["dtype"] = _choice(dtype, BUDGET_CHOICES["dtype"], "numbers", "dtype", numeric=False)

    def render(**settings):
        return budget_view(**settings).html, None

    text, _, wiring, state = _wire(controls, render)
    left = w.VBox([controls[k] for k in ("N", "M", "K")])
    right = w.VBox([controls[k] for k in ("input_size", "filters", "dtype")])
    return _explorer_box("Budget calculator", [w.HBox([left, right]), text, wiring], controls, state)
