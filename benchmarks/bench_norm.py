"""Time batch norm's two backward passes: the graph, node by node, and the closed form ("_alt").

    python benchmarks/bench_norm.py                  # the shapes below, 41 interleaved rounds
    python benchmarks/bench_norm.py --rounds 101

CS231n's BatchNormalization.ipynb (cell 12) asks how much faster ``batchnorm_backward_alt`` is
than ``batchnorm_backward`` and measures it with one call of each.  Here every round calls
the graph version, then the closed form, ``--calls`` times each (so a round is long enough for
the clock), and the rounds are interleaved so a change in the machine's load hits both alike.
Printed: median and best time per call of each, the ratio graph / closed form from the medians
and from the bests, the spread of the single-call ratio the notebook cell would print, and the
largest difference between the two results relative to the largest gradient entry.

Both are elementwise numpy passes over (N, D) arrays: numpy runs them on one thread (no BLAS),
so the thread count does not matter.  Before timing, the script checks that both give the same
numbers.
"""
import argparse
import os
import platform
import sys
import time

import numpy as np

from cs231n_lib.layers import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward

# (N, D, dtype): the notebook cell's shape, a small layer, and hidden layers of training size
CASES = [
    (100, 500, np.float64),
    (50, 100, np.float64),
    (256, 1024, np.float32),
    (128, 4096, np.float32),
]


def _inputs(N, D, dtype, seed=231):
    rng = np.random.default_rng(seed)
    x = (5 * rng.standard_normal((N, D)) + 12).astype(dtype)
    gamma, beta = rng.standard_normal(D).astype(dtype), rng.standard_normal(D).astype(dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    return dout, cache


def _per_call(func, dout, cache, calls):
    start = time.perf_counter()
    for _ in range(calls):
        func(dout, cache)
    return (time.perf_counter() - start) / calls


def measure(N, D, dtype, rounds, calls):
    dout, cache = _inputs(N, D, dtype)
    graph, alt = batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)
    # largest difference relative to the largest gradient (float32 rounding makes the element-wise
    # relative error of entries near 0 meaningless)
    difference = max(float(np.max(np.abs(a - b)) / np.max(np.abs(b))) for a, b in zip(graph, alt))
    for func in (batchnorm_backward, batchnorm_backward_alt):  # warm up
        _per_call(func, dout, cache, calls)
    t_graph, t_alt, single = [], [], []
    for _ in range(rounds):
        t_graph.append(_per_call(batchnorm_backward, dout, cache, calls))
        t_alt.append(_per_call(batchnorm_backward_alt, dout, cache, calls))
        single.append(_per_call(batchnorm_backward, dout, cache, 1) / _per_call(batchnorm_backward_alt, dout, cache, 1))
    return {
        "difference": difference,
        "graph_median": float(np.median(t_graph)), "graph_best": min(t_graph),
        "alt_median": float(np.median(t_alt)), "alt_best": min(t_alt),
        "single": (min(single), float(np.median(single)), max(single)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--calls", type=int, default=20, help="calls per round and version")
    args = parser.parse_args(argv)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"load average {load}; {args.rounds} interleaved rounds of {args.calls} calls each")
    print()
    header = (f"{'N x D, dtype':<22} {'graph ms':>18} {'closed form ms':>18} {'graph / closed':>16} "
              f"{'one-call ratio':>20} {'max diff':>13}")
    print(header)
    print(f"{'':<22} {'median (best)':>18} {'median (best)':>18} {'median (best)':>16} "
          f"{'min / median / max':>20}")
    for N, D, dtype in CASES:
        r = measure(N, D, dtype, args.rounds, args.calls)
        name = f"{N} x {D}, {np.dtype(dtype).name}"
        lo, mid, hi = r["single"]
        print(f"{name:<22} "
              f"{1e3 * r['graph_median']:>9.3f} ({1e3 * r['graph_best']:.3f}) "
              f"{1e3 * r['alt_median']:>9.3f} ({1e3 * r['alt_best']:.3f}) "
              f"{r['graph_median'] / r['alt_median']:>9.2f} ({r['graph_best'] / r['alt_best']:.2f}) "
              f"{lo:>8.2f} / {mid:.2f} / {hi:.2f} "
              f"{r['difference']:>13.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
