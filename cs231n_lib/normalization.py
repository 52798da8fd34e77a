"""Normalization layers, measured: AlexNet's local response normalization, none, and batch normalization.

The CS231n notes say of normalization layers that "these layers have since fallen out of favor
because in practice their contribution has been shown to be minimal, if any".  That was written about
layers like AlexNet's local response normalization (LRN; Krizhevsky et al. 2012, section 3.3),
not about batch normalization (Ioffe and Szegedy 2015), which came later and stayed.  This
module measures the three on the shapes net of the model zoo (``shapes_convnet``) trained by
its own recipe:

* ``"none"``: the zoo's architecture as it is;
* ``"lrn"``: AlexNet's LRN (k = 2, n = 5, alpha = 1e-4, beta = 0.75) after the ReLU of the
  first two conv layers, before their pooling, where AlexNet puts it;
* ``"batchnorm"``: spatial batch norm after every conv layer and batch norm after the hidden
  affine layer, each before its ReLU, where Ioffe and Szegedy put it.

The experiment (one BLAS thread; a progress bar; about an hour and a half on one idle core)::

    python -m cs231n_lib.normalization --experiment

trains every run of :func:`plan` -- the three variants with the zoo's recipe over
:data:`SEEDS`, and a sweep of the learning rate and the weight scale (no normalization
against batch norm, on a shorter recipe) -- and writes ``data/normalization_results.json``
(recipe, seeds, library version, machine, every run's numbers) and its ``.sha256``.  Runs
already in the file are kept, so an interrupted experiment resumes; a file that exists (the
shipped one) is never replaced without ``--force``: the runs it holds are copied and the results
go to ``normalization_results.new.json`` beside it (``--force`` also resumes an interrupted
run in its own file).  The notebook reads the
file with :func:`load_results`; :func:`comparison` and :func:`sweep` summarise it.

The controls (about ten minutes on one idle core)::

    python -m cs231n_lib.normalization --controls

take the batch norm net at weight scale 1, where the sweep sees it fail, apart: the weights of the
normalized layers (each conv and the hidden affine layer, each followed by batch norm) and the
weights of the last layer (FC-10, which feeds the softmax directly) are set to scale 1 or to He's
scale independently, and the normalized layers' learning rate is optionally multiplied by
``1 / sqrt(2 / fan_in)``.  Batch norm makes the loss blind to the scale of the weights before it,
and Adam's step has about the same size whatever the scale of the gradient, so weights ``s`` times
He's scale trained at learning rate ``s * lr`` follow the path of He's weights at ``lr`` (Adam's
and batch norm's ``eps`` and float32 rounding aside): the multiplied learning rate isolates what
the scale does through the learning rate.  :func:`control_plan` lists the runs, ``data/normalization_controls.json``
holds them (made after the float32 softmax-gradient fix, so the two settings shared with the sweep
are run again), :func:`controls` summarises them.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import math
import pathlib
import platform
import sys
import time

import numpy as np

from . import __version__, contract
from .outputs import add_force_option, kept_note, output_path
from .nets import SequentialNet, batchnorm, lrn, spatial_batchnorm
from .recipes import shapes_convnet

__all__ = ["VARIANTS", "SEEDS", "RECIPE", "SWEEP_RECIPE", "LEARNING_RATES", "WEIGHT_SCALES", "SWEEP_SEEDS",
           "RESULTS_PATH", "Run", "layers_of", "build", "plan", "train_run", "run_experiment",
           "load_results", "machine", "same_machine", "merge_results", "comparison", "sweep", "cheapest_run", "lrn_terms",
           "CONTROL_SETTINGS", "CONTROL_SEEDS", "CONTROLS_PATH", "NORMALIZED_LAYERS", "LAST_LAYER", "he_scale",
           "params_sha256", "control_plan", "run_controls", "load_controls", "controls", "control_label", "follow_scale"]

VARIANTS = ("lrn", "none", "batchnorm")
"""The three nets compared, in the order of their history: AlexNet's LRN (2012), none, batch norm (2015)."""

SEEDS = (0, 1, 2)
"""Seeds of the comparison: each sets the initial weights and the order of the minibatches (the data stay)."""

RECIPE = dict(shapes_convnet.RECIPE)
"""The zoo's recipe of shapes_convnet: Adam, 16,000 training images, 8 epochs, batches of 50,
learning rate 3e-3 decayed by 0.85 per epoch; the parameters of the best validation epoch kept."""

SWEEP_RECIPE = dict(RECIPE, num_train=4000, num_epochs=4)
"""The sweep's shorter recipe: the same, on 4,000 images for 4 epochs."""

LEARNING_RATES = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
"""The sweep's learning rates (at He initialisation); 3e-3 is the recipe's."""

WEIGHT_SCALES = (1e-3, 1e-2, 1e-1, 1.0)
"""The sweep's weight scales (at the recipe's learning rate): every weight starts as
``weight_scale * N(0, 1)`` (SequentialNet's ``weight_scale``), against He initialisation
``sqrt(2 / fan_in) * N(0, 1)`` (from 0.06 to 0.27 in this net)."""

SWEEP_VARIANTS = ("none", "batchnorm")
SWEEP_SEEDS = (0, 1, 2)

RESULTS_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "normalization_results.json"
CONTROLS_PATH = RESULTS_PATH.with_name("normalization_controls.json")
_PLACES = {"lrn": ("relu1", "relu2"),                            # AlexNet: after the ReLU, before the pool
           "batchnorm": ("conv1", "conv2", "conv3", "fc1")}     # Ioffe and Szegedy: before the ReLU
NORMALIZED_LAYERS = _PLACES["batchnorm"]
"""The layers of the batch norm net whose output batch norm normalizes (their weights' scale cancels)."""
LAST_LAYER = shapes_convnet.LAYERS[-1][0]
"""FC-10: feeds the softmax with no batch norm after it."""

SAME = "same"
CONTROL_SEEDS = (0, 1, 2)
CONTROL_SETTINGS = (
    # (weight scale of the normalized layers, of the last layer, normalized layers' learning rate x scale / He)
    (None, SAME, False),   # He everywhere: the sweep's reference, run again
    (1.0, SAME, False),    # scale 1 everywhere: where the sweep sees batch norm fail, run again
    (1.0, None, False),    # the last layer back at He's scale
    (None, 1.0, False),    # only the last layer at scale 1
    (1.0, SAME, True),     # scale 1 everywhere, the normalized layers' steps as large, relative to them, as at He
    (1.0, None, True),     # both: should follow He's path
)
"""The controls of the batch norm net at weight scale 1 (sweep recipe, :data:`CONTROL_SEEDS`)."""


def layers_of(variant):
    """The ``(name, layer)`` list of a variant: the zoo's shapes net with LRN or batch norm inserted."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}.")
    out = []
    for name, spec in shapes_convnet.LAYERS:
        out.append((name, dict(spec)))
        if name in _PLACES.get(variant, ()):
            k = _PLACES[variant].index(name) + 1
            if variant == "lrn":
                out.append((f"lrn{k}", lrn().spec()))  # AlexNet's k = 2, n = 5, alpha = 1e-4, beta = 0.75
            elif spec["kind"] == "conv":
                out.append((f"bn{k}", spatial_batchnorm().spec()))
            else:
                out.append((f"bn{k}", batchnorm().spec()))
    return out


def build(variant, seed=0, weight_scale=None, dtype=np.float32, last_layer_scale=SAME):
    """A fresh net of ``variant`` for (3, 32, 32) shapes images in [0, 1] (it centres them itself).

    weight_scale : None for He initialisation ``sqrt(2 / fan_in) * N(0, 1)``, or a number ``s``
        for ``s * N(0, 1)``.  The same seed draws the same ``N(0, 1)`` numbers at every scale.
    last_layer_scale : the scale of the last layer's weights (FC-10): ``"same"`` as the others,
        None for He's, or a number.
    """
    def net_at(scale):
        return SequentialNet(layers_of(variant), input_dim=(3, 32, 32), seed=seed, weight_scale=scale,
                             dtype=dtype, input_mean=shapes_convnet.INPUT_MEAN, input_convention="unit")

    net = net_at(weight_scale)
    if last_layer_scale != SAME and last_layer_scale != weight_scale:
        net.params[f"{LAST_LAYER}.W"] = net_at(last_layer_scale).params[f"{LAST_LAYER}.W"].copy()
    return net


def he_scale(net, layer):
    """He's scale ``sqrt(2 / fan_in)`` of ``layer``'s weights in ``net`` (fan_in: inputs of one unit)."""
    W = net.params[f"{layer}.W"]
    fan_in = int(np.prod(W.shape[1:])) if W.ndim == 4 else int(W.shape[0])
    return math.sqrt(2.0 / fan_in)


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run: which net, which seed, which recipe and settings."""

    part: str                 # "comparison" or "sweep"
    variant: str
    seed: int
    learning_rate: float
    weight_scale: float = None  # None: He initialisation
    num_train: int = RECIPE["num_train"]
    num_epochs: int = RECIPE["num_epochs"]
    last_layer_scale: object = SAME   # the last layer's weight scale: SAME as weight_scale, None (He) or a number
    lr_follows_scale: bool = False    # the normalized layers' learning rate times weight_scale / He's scale

    @property
    def key(self):
        ws = "He" if self.weight_scale is None else f"{self.weight_scale:g}"
        extra = ""
        if self.last_layer_scale != SAME:
            extra += "/last " + ("He" if self.last_layer_scale is None else f"{self.last_layer_scale:g}")
        if self.lr_follows_scale:
            extra += "/lr x scale/He"
        return (f"{self.part}/{self.variant}/seed {self.seed}/lr {self.learning_rate:g}/weights {ws}{extra}/"
                f"{self.num_train} x {self.num_epochs}")

    def settings(self):
        """The recipe's settings of this run (what :func:`train_run` reads)."""
        base = RECIPE if self.part == "comparison" else SWEEP_RECIPE
        return dict(base, seed=self.seed, learning_rate=self.learning_rate, num_train=self.num_train,
                    num_epochs=self.num_epochs)


def plan():
    """Every run of the experiment: the sweep (cheap) first, then the comparison."""
    runs = []
    lr0 = RECIPE["learning_rate"]
    sweep_kw = dict(num_train=SWEEP_RECIPE["num_train"], num_epochs=SWEEP_RECIPE["num_epochs"])
    for variant in SWEEP_VARIANTS:
        for seed in SWEEP_SEEDS:
            for lr in LEARNING_RATES:
                runs.append(Run("sweep", variant, seed, lr, None, **sweep_kw))
            for ws in WEIGHT_SCALES:
                runs.append(Run("sweep", variant, seed, lr0, ws, **sweep_kw))
    for variant in VARIANTS:
        for seed in SEEDS:
            runs.append(Run("comparison", variant, seed, lr0))
    return runs


@functools.lru_cache(maxsize=2)
def _data(num_train, num_val, num_test, seed):
    from .data import load_shapes

    return load_shapes(num_train=num_train, num_val=num_val, num_test=num_test, seed=seed)


def params_sha256(net):
    """sha256 of the net's parameters and state, in a fixed order (equal bytes, equal digest): what
    every run records as ``params_sha256``."""
    h = hashlib.sha256()
    for group in (net.params, net.state):
        for key in sorted(group):
            h.update(key.encode())
            h.update(np.ascontiguousarray(group[key]).tobytes())
    return h.hexdigest()


def lrn_terms(net, X, batch_size=250):
    """What AlexNet's LRN does on ``net``'s activations for the images ``X``.

    For every LRN layer: the neighbours' term ``alpha * sum(a_j**2) / k`` of each activation's
    denominator ``k**beta * (1 + alpha * sum(a_j**2) / k)**beta`` (its median, 99th percentile
    and maximum), and ``spread``, the largest divisor over the smallest: how much more one
    activation is divided than another (1.0: LRN would be the constant factor k**-beta).
    """
    from .layers import lrn_forward

    X = contract.check_images(net, X, who="lrn_terms")
    out = {}
    names = [n for n in net.names if net.layers[n].kind == "lrn"]
    for name in names:
        layer = net.layers[name]
        before = net.names[net.names.index(name) - 1]
        terms = []
        for start in range(0, len(X), batch_size):
            a = net.activations(X[start:start + batch_size], before).astype(np.float64)
            _, (_, d, _) = lrn_forward(a, layer.lrn_param)      # d = k + alpha * sum of squares
            terms.append(((d - layer.k) / layer.k).ravel())
        t = np.concatenate(terms)
        out[name] = {"median": float(np.median(t)), "p99": float(np.percentile(t, 99)), "max": float(t.max()),
                     "spread": float((1 + t.max()) ** layer.beta / (1 + t.min()) ** layer.beta),
                     "constant_factor": float(layer.k ** -layer.beta)}
    return out


def follow_scale(solver, net, weight_scale):
    """Multiply the learning rate of each normalized layer's weights and bias by ``weight_scale / He's scale``.

    ``solver`` is a :class:`~cs231n_lib.solver.Solver` of ``net`` (the batch norm net) not yet
    trained.  Batch norm makes the loss blind to the scale of the weights before it (``L(c w) =
    L(w)``, so the gradient at ``c w`` is the gradient at ``w`` divided by ``c``), and Adam's step
    ``lr * m / (sqrt(v) + eps)`` does not change when the gradient is divided by ``c`` (``eps``
    and batch norm's own ``eps`` aside).  Weights ``c`` times He's trained at ``c * lr`` therefore
    stay ``c`` times the path of He's weights at ``lr``: this isolates what the scale does through
    the learning rate.
    """
    for layer in NORMALIZED_LAYERS:
        factor = weight_scale / he_scale(net, layer)
        for p in ("W", "b"):
            solver.optim_configs[f"{layer}.{p}"]["learning_rate"] *= factor


def train_run(run, progress=False):
    """Train one :class:`Run` (with whatever BLAS threads the caller allows); returns its numbers.

    The recipe is the zoo's (``recipes.shapes_convnet.train``): Adam, the learning rate
    decayed every epoch, the parameters (and running averages) of the best validation epoch
    kept.  A run that diverges (the Solver stops it: a NaN or a loss 100 times its start) is
    recorded with ``diverged`` (the iteration and the Solver's message) and measured with the
    best parameters seen before.
    """
    from .recipes import adam_solver

    s = run.settings()
    data = _data(s["num_train"], s["num_val"], s["num_test"], RECIPE["seed"])
    net = build(run.variant, seed=run.seed, weight_scale=run.weight_scale, last_layer_scale=run.last_layer_scale)
    solver = adam_solver(net, data, s, progress)   # seed: s["seed"] is run.seed
    if run.lr_follows_scale:
        if run.variant != "batchnorm" or run.weight_scale is None:
            raise ValueError("lr_follows_scale needs the batch norm net and a weight_scale (the normalized layers' "
                             f"learning rate is multiplied by weight_scale / He's scale); got {run}.")
        follow_scale(solver, net, run.weight_scale)
    start = time.perf_counter()
    diverged = None
    try:
        solver.train()
    except FloatingPointError as err:
        diverged = {"iteration": len(solver.loss_history), "message": str(err).split(". ")[0]}
    seconds = time.perf_counter() - start
    finite = [v for v in solver.loss_history if math.isfinite(v)]
    record = dataclasses.asdict(run)
    record.update(
        key=run.key,
        test_accuracy=float(np.mean(net.predict(data["X_test"]) == data["y_test"])),
        best_val_accuracy=float(solver.best_val_acc),
        iterations=len(solver.loss_history),
        loss_first_10=float(np.mean(finite[:10])) if finite else None,
        loss_last_10=float(np.mean(finite[-10:])) if finite else None,
        diverged=diverged,
        params_sha256=params_sha256(net),
        seconds=round(seconds, 1),
    )
    if run.part == "control":       # the parts made before kept no history
        per_epoch = max(s["num_train"] // s["batch_size"], 1)
        checks = [1] + [per_epoch * (k + 1) for k in range(len(solver.val_acc_history) - 1)]
        record.update(val_accuracy=[float(a) for a in solver.val_acc_history], checks_after_updates=checks,
                      kept_updates=checks[int(np.argmax(solver.val_acc_history))])   # the first of equal ones
    if run.variant == "lrn":
        record["lrn"] = lrn_terms(net, data["X_test"])
    return record


def machine():
    """Where the numbers were made: CPU, operating system, Python, numpy and its BLAS."""
    cpu = platform.processor() or ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        blas = sorted({f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')})"
                       for i in threadpool_info() if i.get("user_api") == "blas"})
    except Exception:  # pragma: no cover - threadpoolctl is a dependency
        blas = []
    return {"cpu": cpu, "platform": platform.platform(), "python": platform.python_version(),
            "numpy": np.__version__, "blas": blas}


def same_machine(results):
    """True when ``results`` were made on this kind of machine: the same CPU model, numpy and BLAS
    (what fixes the order of float32 sums, so a re-run gives the same bytes)."""
    here, there = machine(), results.get("machine", {})
    return all(here[k] == there.get(k) for k in ("cpu", "numpy", "blas"))


def _header():
    return {"what": "AlexNet's local response normalization, no normalization and batch normalization on "
                    "the zoo's shapes_convnet (cs231n_lib.normalization)",
            "variants": {v: [name for name, _ in layers_of(v)] for v in VARIANTS},
            "recipe": RECIPE, "sweep_recipe": SWEEP_RECIPE, "seeds": list(SEEDS), "sweep_seeds": list(SWEEP_SEEDS),
            "learning_rates": list(LEARNING_RATES), "weight_scales": list(WEIGHT_SCALES),
            "data": "load_shapes(num_train, num_val=500, num_test=1000, seed=0): the same images for every seed",
            "library_version": __version__, "machine": machine(), "blas_threads": 1}


def _write(results, path):
    path = pathlib.Path(path)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def _one(run):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return train_run(run)


def run_experiment(path=RESULTS_PATH, progress=True, runs=None, resume=None):
    """Train every run of :func:`plan` (or ``runs``) not yet in ``resume`` (default ``path``); write
    ``path`` after each run.

    One BLAS thread (deterministic on one machine).  Returns the results dict.
    """
    path = pathlib.Path(path)
    source = path if resume is None else pathlib.Path(resume)
    results = _header()
    done = {}
    if source.exists():
        old = json.loads(source.read_text(encoding="utf-8"))
        if old.get("machine", {}).get("cpu") == results["machine"]["cpu"]:
            done = {r["key"]: r for r in old.get("runs", [])}
        results["elapsed_seconds"] = old.get("elapsed_seconds", 0.0)
    todo = [r for r in (plan() if runs is None else runs) if r.key not in done]
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(total=len(todo), desc="runs", unit="run")
    start = time.perf_counter()
    elapsed = results.get("elapsed_seconds", 0.0)
    for run in todo:
        if bar is not None:
            bar.set_postfix_str(run.key)
        done[run.key] = _one(run)
        results["runs"] = [done[r.key] for r in plan() if r.key in done] + \
                          [v for k, v in done.items() if k not in {r.key for r in plan()}]
        results["elapsed_seconds"] = round(elapsed + time.perf_counter() - start, 1)
        results["complete"] = all(r.key in done for r in plan())
        _write(results, path)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if not todo:
        results["runs"] = list(done.values())
        results["complete"] = all(r.key in done for r in plan())
    return results


def merge_results(path, other, to=None):
    """Fold the runs of the results file ``other`` (e.g. a part of the plan run in a second
    process, ``run_experiment(other, runs=...)``) into ``path``; both must come from the same
    machine.  Writes the merged file to ``to`` (default: rewrites ``path``) and its sha256;
    returns the merged results."""
    path, other = pathlib.Path(path), pathlib.Path(other)
    mine, theirs = json.loads(path.read_text(encoding="utf-8")), json.loads(other.read_text(encoding="utf-8"))
    if not same_machine(theirs) or not same_machine(mine):
        raise ValueError(f"{other.name} and {path.name} must both come from this machine (CPU, numpy, BLAS).")
    done = {r["key"]: r for r in mine["runs"]}
    for r in theirs["runs"]:
        done.setdefault(r["key"], r)
    keys = [run.key for run in plan()]
    mine.update(_header())
    mine["runs"] = [done[k] for k in keys if k in done] + [r for k, r in done.items() if k not in keys]
    mine["complete"] = all(k in done for k in keys)
    mine["elapsed_seconds"] = round(mine.get("elapsed_seconds", 0.0) + theirs.get("elapsed_seconds", 0.0), 1)
    _write(mine, path if to is None else to)
    return mine


# ------------------------------------------------------------------ reading the results
def load_results(path=RESULTS_PATH, verify=True):
    """The shipped results (a dict; ``runs`` is the list of every run's numbers), checked by sha256."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is not there: restore it with `git checkout -- data/` or rerun "
                                "`python -m cs231n_lib.normalization --experiment` (about an hour and a half).")
    if verify:
        pin = path.with_suffix(".sha256")
        want = pin.read_text(encoding="utf-8").split()[0] if pin.exists() else None
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if want != got:
            raise ValueError(f"{path.name} does not match {pin.name} (sha256 {got}, pinned {want}): it was changed "
                             "or damaged. Restore it with `git checkout -- data/`.")
    return json.loads(path.read_text(encoding="utf-8"))


def _stats(values):
    v = np.asarray(values, dtype=np.float64)
    return {"n": int(v.size), "mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "min": float(v.min()), "max": float(v.max()), "values": [float(x) for x in v]}


def comparison(results):
    """Test accuracy of each variant over the comparison's seeds: ``{variant: stats}`` with
    ``n``, ``mean``, ``std`` (sample standard deviation, ddof=1), ``min``, ``max``, ``values``
    (in seed order) and ``seconds`` (mean training time of a run)."""
    out = {}
    for variant in VARIANTS:
        rows = sorted((r for r in results["runs"] if r["part"] == "comparison" and r["variant"] == variant),
                      key=lambda r: r["seed"])
        if rows:
            out[variant] = dict(_stats([r["test_accuracy"] for r in rows]),
                                seconds=float(np.mean([r["seconds"] for r in rows])),
                                seeds=[r["seed"] for r in rows])
    return out


def sweep(results, axis):
    """The sweep along ``axis`` ('learning_rate' at He initialisation, or 'weight_scale' at the
    recipe's learning rate, where None stands for He): ``{variant: [(value, [test accuracy per
    seed], [diverged per seed]), ...]}`` in the order of the values."""
    if axis not in ("learning_rate", "weight_scale"):
        raise ValueError(f"axis must be 'learning_rate' or 'weight_scale', got {axis!r}.")
    lr0 = RECIPE["learning_rate"]
    values = list(LEARNING_RATES) if axis == "learning_rate" else list(WEIGHT_SCALES[:3]) + [None, WEIGHT_SCALES[3]]
    out = {}
    for variant in SWEEP_VARIANTS:
        rows = []
        for value in values:
            if axis == "learning_rate":
                runs = [r for r in results["runs"] if r["part"] == "sweep" and r["variant"] == variant
                        and r["weight_scale"] is None and r["learning_rate"] == value]
            else:
                runs = [r for r in results["runs"] if r["part"] == "sweep" and r["variant"] == variant
                        and r["learning_rate"] == lr0 and r["weight_scale"] == value]
            runs.sort(key=lambda r: r["seed"])
            if runs:
                rows.append((value, [r["test_accuracy"] for r in runs], [r["diverged"] is not None for r in runs]))
        out[variant] = rows
    return out


def cheapest_run(results):
    """The run that trains on the fewest images (a sweep run that did not diverge; ties: no
    normalization, then the smallest seed and learning rate): what the tests re-run."""
    rows = [r for r in results["runs"] if r["diverged"] is None]
    rank = {"none": 0, "lrn": 1, "batchnorm": 2}
    best = min(rows, key=lambda r: (r["num_train"] * r["num_epochs"], rank[r["variant"]], r["seed"],
                                    r["weight_scale"] is not None, r["learning_rate"]))
    return Run(best["part"], best["variant"], best["seed"], best["learning_rate"], best["weight_scale"],
               best["num_train"], best["num_epochs"]), best


# ------------------------------------------------------------------ the controls at weight scale 1
def control_plan():
    """Every run of the controls: the batch norm net on the sweep's recipe, :data:`CONTROL_SETTINGS` x seeds."""
    lr0 = RECIPE["learning_rate"]
    kw = dict(num_train=SWEEP_RECIPE["num_train"], num_epochs=SWEEP_RECIPE["num_epochs"])
    return [Run("control", "batchnorm", seed, lr0, ws, last_layer_scale=last, lr_follows_scale=follow, **kw)
            for ws, last, follow in CONTROL_SETTINGS for seed in CONTROL_SEEDS]


def _controls_header():
    return {"what": "controls of the batch norm net at weight scale 1 (cs231n_lib.normalization.control_plan): "
                    "the normalized layers' and the last layer's weight scale set apart, and the normalized "
                    "layers' learning rate multiplied by weight_scale / He's scale",
            "settings": [list(x) for x in CONTROL_SETTINGS], "normalized_layers": list(NORMALIZED_LAYERS),
            "last_layer": LAST_LAYER, "recipe": SWEEP_RECIPE, "seeds": list(CONTROL_SEEDS),
            "data": "load_shapes(4000, num_val=500, num_test=1000, seed=0): the sweep's images",
            "softmax_gradient": "the true-class entry as minus the sum of the other probabilities (issue 23)",
            "library_version": __version__, "machine": machine(), "blas_threads": 1}


def run_controls(path=CONTROLS_PATH, progress=True, runs=None, resume=None):
    """Train every run of :func:`control_plan` (or ``runs``) not yet in ``resume`` (default ``path``;
    one BLAS thread), writing ``path`` and its sha256 after each run; returns the results dict."""
    path = pathlib.Path(path)
    source = path if resume is None else pathlib.Path(resume)
    results, done = _controls_header(), {}
    if source.exists():
        old = json.loads(source.read_text(encoding="utf-8"))
        if same_machine(old):
            done = {r["key"]: r for r in old.get("runs", [])}
            results["elapsed_seconds"] = old.get("elapsed_seconds", 0.0)
    keys = [r.key for r in control_plan()]
    todo = [r for r in (control_plan() if runs is None else runs) if r.key not in done]
    elapsed, start = results.get("elapsed_seconds", 0.0), time.perf_counter()
    bar = None
    if progress and todo:
        from .progress import progress_bar

        bar = progress_bar(total=len(todo), desc="controls", unit="run")
    for run in todo:
        done[run.key] = _one(run)
        results["runs"] = [done[k] for k in keys if k in done] + [v for k, v in done.items() if k not in keys]
        results["elapsed_seconds"] = round(elapsed + time.perf_counter() - start, 1)
        results["complete"] = all(k in done for k in keys)
        _write(results, path)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    results.setdefault("runs", [done[k] for k in keys if k in done])
    results["complete"] = all(k in done for k in keys)
    return results


def load_controls(path=CONTROLS_PATH, verify=True):
    """The shipped controls (a dict like :func:`load_results`'), checked by sha256."""
    return load_results(path, verify)


def control_label(weight_scale, last_layer_scale=SAME, lr_follows_scale=False):
    """A setting of :data:`CONTROL_SETTINGS` in a few words, e.g. ``"weights 1, last layer He, lr x scale/He"``:
    the scale of the normalized layers' weights, of the last layer's, and whether the normalized
    layers' learning rate follows their scale."""
    def scale(v):
        return "He" if v is None else f"{v:g}"

    last = weight_scale if last_layer_scale == SAME else last_layer_scale
    return f"weights {scale(weight_scale)}, last layer {scale(last)}" + (", lr x scale/He" if lr_follows_scale else "")


def controls(results):
    """The controls per setting, in the order of :data:`CONTROL_SETTINGS`: a list of dicts with
    ``setting`` (the tuple), ``label``, ``values`` (test accuracy per seed, in seed order),
    ``seeds``, ``mean`` and ``kept_updates`` (per seed)."""
    out = []
    for ws, last, follow in CONTROL_SETTINGS:
        rows = sorted((r for r in results["runs"] if r["part"] == "control" and r["weight_scale"] == ws
                       and r["last_layer_scale"] == last and r["lr_follows_scale"] == follow),
                      key=lambda r: r["seed"])
        if rows:
            values = [r["test_accuracy"] for r in rows]
            out.append({"setting": (ws, last, follow), "label": control_label(ws, last, follow), "values": values,
                        "seeds": [r["seed"] for r in rows], "mean": float(np.mean(values)),
                        "kept_updates": [r["kept_updates"] for r in rows]})
    return out


def _note(target, out):
    """Say where the results went when ``target`` existed (nothing if ``out`` is ``target`` or was not written)."""
    if out != target and out.exists():
        print(kept_note(target, out))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lib.normalization", description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", action="store_true",
                        help="train every run not yet in the results file and write it (resumes)")
    parser.add_argument("--out", default=str(RESULTS_PATH), help="the results file (default: data/normalization_results.json)")
    parser.add_argument("--plan", action="store_true", help="list the runs and stop")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--merge", metavar="FILE", help="fold the runs of another results file into --out and stop")
    parser.add_argument("--controls", action="store_true",
                        help="train the controls at weight scale 1 not yet in data/normalization_controls.json")
    parser.add_argument("--only", metavar="I/N",
                        help="with --controls: only every N-th run from the I-th (0-based), for a second process "
                             "writing to its own --out; fold the files with --merge-controls")
    parser.add_argument("--merge-controls", metavar="FILE", help="fold another controls file into --out and stop")
    add_force_option(parser, "the results file --out (or the controls file) when it exists; also to resume an "
                             "interrupted run in the same file")
    args = parser.parse_args(argv)
    if args.controls or args.merge_controls:
        target = CONTROLS_PATH if args.out == str(RESULTS_PATH) else pathlib.Path(args.out)
        out = output_path(target, args.force)   # a file that exists is replaced only with --force
        if args.merge_controls:
            mine = json.loads(pathlib.Path(target).read_text(encoding="utf-8"))
            theirs = json.loads(pathlib.Path(args.merge_controls).read_text(encoding="utf-8"))
            if not (same_machine(mine) and same_machine(theirs)):
                raise SystemExit("both controls files must come from this machine (CPU, numpy, BLAS)")
            done = {r["key"]: r for r in mine["runs"] + theirs["runs"]}
            keys = [r.key for r in control_plan()]
            mine["runs"] = [done[k] for k in keys if k in done]
            mine["complete"] = all(k in done for k in keys)
            mine["elapsed_seconds"] = round(mine.get("elapsed_seconds", 0) + theirs.get("elapsed_seconds", 0), 1)
            _write(mine, out)
            print(f"{len(mine['runs'])} runs in {out}; complete: {mine['complete']}")
            _note(target, out)
            return 0
        runs = control_plan()
        if args.only:
            i, n = (int(v) for v in args.only.split("/"))
            runs = runs[i::n]
        start = time.perf_counter()
        results = run_controls(out, progress=not args.quiet, runs=runs, resume=target)
        print(f"{len(results['runs'])} runs in {out if out.exists() else target}; "
              f"{time.perf_counter() - start:.0f} s this time; complete: {results['complete']}")
        _note(target, out)
        for row in controls(results):
            print(f"{row['mean']:.3f}  {row['label']}")
        return 0
    target = pathlib.Path(args.out)
    out = output_path(target, args.force)   # a file that exists is replaced only with --force
    if args.merge:
        merged = merge_results(target, args.merge, to=out)
        print(f"{len(merged['runs'])} runs in {out}; complete: {merged['complete']}")
        _note(target, out)
        return 0
    if args.plan:
        for run in plan():
            print(run.key)
        return 0
    if not args.experiment:
        parser.print_help()
        return 0
    start = time.perf_counter()
    results = run_experiment(out, progress=not args.quiet, resume=target)
    print(f"{len(results['runs'])} runs in {out if out.exists() else target}; "
          f"{time.perf_counter() - start:.0f} s this time, "
          f"{results.get('elapsed_seconds', 0):.0f} s in all; complete: {results.get('complete')}")
    _note(target, out)
    for variant, s in comparison(results).items():
        print(f"{variant:>10}: test accuracy {s['mean']:.4f} +- {s['std']:.4f} over {s['n']} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
