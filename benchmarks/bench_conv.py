"""Time the conv layers against the bare matrix multiply and PyTorch, side by side.

    pip install -e ".[bench]"            # torch==2.13.0 (CPU) and threadpoolctl
    python benchmarks/bench_conv.py                 # 1 thread for everybody
    python benchmarks/bench_conv.py --threads 2 --repeat 15
    python benchmarks/bench_conv.py --skip-naive    # the naive loops take about a minute

For three layer shapes, in float32, it prints the median time of

* ``naive``  -- cs231n_lib.layers.conv_*_naive (four Python loops);
* ``im2col`` -- cs231n_lib.fast_layers.conv_*_im2col;
* ``fast``   -- cs231n_lib.fast_layers.conv_*_fast;
* ``matmul`` -- the bare numpy matrix multiplies an im2col convolution must do
  (forward: W_row @ X_col; forward+backward: that plus dout_rows @ X_col.T
  and W_row.T @ dout_rows), on ready-made contiguous arrays;
* ``torch``  -- torch.nn.functional.conv2d (forward under no_grad; forward +
  backward with gradients for x, w and b);

for the forward pass and for forward + backward, and the ratios the issue's
targets are stated in.  The minimum ("best") of the runs is printed too: on
a shared, busy machine it is less sensitive to the other users.  numpy's BLAS and PyTorch get the same number of
threads (threadpoolctl and torch.set_num_threads; the OMP/OPENBLAS/MKL
variables are set too, before numpy is imported).
"""
import argparse
import os
import statistics
import sys
import time

SHAPES = [
    # (x shape, w shape, stride, pad)
    ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1),
    ((50, 3, 32, 32), (32, 3, 7, 7), 1, 3),
    ((32, 64, 16, 16), (64, 64, 3, 3), 1, 1),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS and PyTorch (default 1)")
    parser.add_argument("--repeat", type=int, default=11, help="timed runs per measurement (median)")
    parser.add_argument("--naive-repeat", type=int, default=1, help="timed runs of the naive loops")
    parser.add_argument("--skip-naive", action="store_true", help="do not time the naive loops")
    return parser.parse_args(argv)


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from cs231n_lib import fast_layers, layers  # noqa: E402


def round_robin_ms(candidates, repeat, warmup=True):
    """Median wall time (ms) of each callable, timed in interleaved rounds.

    Every round runs each candidate once, in turn, so a change in the load
    of a shared machine hits all of them alike instead of whichever happened
    to run at that moment.  One untimed warm-up run each, if ``warmup``.
    """
    for fn in candidates.values() if warmup else ():
        fn()
    times = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (1e3 * statistics.median(t), 1e3 * min(t)) for name, t in times.items()}


def bench_shape(x_shape, w_shape, stride, pad, torch, repeat, naive_repeat, skip_naive):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    w = rng.standard_normal(w_shape, dtype=np.float32)
    b = rng.standard_normal(w_shape[0], dtype=np.float32)
    param = {"stride": stride, "pad": pad}
    out, _ = fast_layers.conv_forward_fast(x, w, b, param)
    dout = rng.standard_normal(out.shape, dtype=np.float32)

    def fwd_bwd(forward, backward):
        def run():
            o, cache = forward(x, w, b, param)
            backward(dout, cache)
        return run

    forward, both = {}, {}
    forward["im2col"] = lambda: fast_layers.conv_forward_im2col(x, w, b, param)
    both["im2col"] = fwd_bwd(fast_layers.conv_forward_im2col, fast_layers.conv_backward_im2col)
    forward["fast"] = lambda: fast_layers.conv_forward_fast(x, w, b, param)
    both["fast"] = fwd_bwd(fast_layers.conv_forward_fast, fast_layers.conv_backward_fast)
    # The bare matrix multiplies of an im2col convolution, on ready contiguous arrays.
    F = w_shape[0]
    K = int(np.prod(w_shape[1:]))
    P = out.shape[0] * out.shape[2] * out.shape[3]
    w_row = w.reshape(F, K)
    cols = rng.standard_normal((K, P), dtype=np.float32)
    d_rows = rng.standard_normal((F, P), dtype=np.float32)

    def gemms():
        w_row @ cols
        d_rows @ cols.T
        w_row.T @ d_rows

    forward["matmul"] = lambda: w_row @ cols
    both["matmul"] = gemms
    if torch is not None:
        import torch.nn.functional as tf

        tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
        td = torch.from_numpy(dout)

        def torch_forward():
            with torch.no_grad():
                tf.conv2d(tx, tw, tb, stride=stride, padding=pad)

        gx, gw, gb = (t.clone().requires_grad_(True) for t in (tx, tw, tb))

        def torch_fwd_bwd():
            for t in (gx, gw, gb):
                t.grad = None
            tf.conv2d(gx, gw, gb, stride=stride, padding=pad).backward(td)

        forward["torch"], both["torch"] = torch_forward, torch_fwd_bwd
        with torch.no_grad():  # sanity: the same numbers
            ref = tf.conv2d(tx, tw, tb, stride=stride, padding=pad).numpy()
        assert np.allclose(out, ref, rtol=1e-3, atol=1e-3), "fast and torch disagree"
    f_ms, b_ms = round_robin_ms(forward, repeat), round_robin_ms(both, repeat)
    # res[stat][name] = (forward ms, forward+backward ms); stat 0 = median, 1 = minimum
    res = [{name: (f_ms[name][k], b_ms[name][k]) for name in forward} for k in (0, 1)]
    if not skip_naive:
        naive = round_robin_ms(
            {"f": lambda: layers.conv_forward_naive(x, w, b, param),
             "fb": fwd_bwd(layers.conv_forward_naive, layers.conv_backward_naive)},
            naive_repeat, warmup=False,
        )
        for k in (0, 1):
            res[k]["naive"] = (naive["f"][k], naive["fb"][k])
    return res


def main():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    try:
        import torch
        torch.set_num_threads(ARGS.threads)
    except ImportError:
        torch = None
        print("PyTorch is not installed (pip install -e '.[bench]'): its column stays empty.")
    limiter = threadpool_limits(limits=ARGS.threads, user_api="blas") if threadpool_limits else None
    if threadpool_limits:
        from threadpoolctl import threadpool_info
        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture', '?')} kernels)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        print("numpy's BLAS: " + (", ".join(blas) or "not found by threadpoolctl"))
    print(f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else "")
          + f"; threads: {ARGS.threads} (BLAS{' via threadpoolctl' if limiter else ' via env vars'}"
          + (f", torch {torch.get_num_threads()}" if torch else "") + f"); float32; median of {ARGS.repeat} interleaved rounds"
          + (f" (naive: {ARGS.naive_repeat}, no warm-up)" if not ARGS.skip_naive else ""))
    methods = ["naive", "im2col", "fast", "matmul", "torch"]
    summary = ([], [])
    for x_shape, w_shape, stride, pad in SHAPES:
        both_stats = bench_shape(x_shape, w_shape, stride, pad, torch, ARGS.repeat, ARGS.naive_repeat,
                                 ARGS.skip_naive)
        print(f"\nx {x_shape} * w {w_shape}, stride {stride}, pad {pad}   (times in ms)")
        print(f"  {'':22s}" + "".join(f"{m:>10s}" for m in methods))
        for stat, res in zip(("median", "best"), both_stats):
            for k, label in enumerate(("forward", "fwd+bwd")):
                cells = [f"{res[m][k]:10.2f}" if m in res else f"{'-':>10s}" for m in methods]
                print(f"  {label + ' ' + stat:22s}" + "".join(cells))
        for stat, res, rows in zip(("median", "best"), both_stats, summary):
            row = _ratios(res)
            print(f"  ratios ({stat}): " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()))
            rows.append(row)
    print("\nTargets: fast/torch fwd <= 1.5, fast/matmul fwd <= 2, fast/torch fwd+bwd <= 2 "
          "(median of the three shapes); naive/fast fwd >= 100 on the first shape.")
    for stat, rows in zip(("median times", "best times"), summary):
        print(f"from the {stat}: median over the three shapes (per shape)")
        for key in rows[0]:
            values = [row[key] for row in rows if key in row]
            print(f"  {key:20s} {statistics.median(values):8.2f}   ("
                  + ", ".join(f"{v:.2f}" for v in values) + ")")


def _ratios(res):
    fast_f, fast_fb = res["fast"]
    row = {"fast/matmul fwd": fast_f / res["matmul"][0]}
    if "torch" in res:
        row["fast/torch fwd"] = fast_f / res["torch"][0]
        row["fast/torch fwd+bwd"] = fast_fb / res["torch"][1]
    if "naive" in res:
        row["naive/fast fwd"] = res["naive"][0] / fast_f
        row["naive/fast fwd+bwd"] = res["naive"][1] / fast_fb
    return row

if __name__ == "__main__":
    main()
