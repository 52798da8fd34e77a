"""Time pooling, forward + backward: naive loops, the fast routes, and PyTorch.

    python benchmarks/bench_pool.py                 # float32, PyTorch on 1 thread
    python benchmarks/bench_pool.py --dtype float64 --threads 2

PyTorch is optional (``pip install -e ".[bench]"``); without it the script
times only our two implementations.  Timings are the best of several runs
and are noisy on a shared machine: read the ratios, not the milliseconds.

The shapes are the issue's: (100, 3, 32, 32) with 2x2 windows at stride 2
(the 'reshape' route), and (32, 64, 15, 15) with overlapping 3x3 windows at
stride 2 (the 'windows' route).  The issue asked for (32, 64, 16, 16), but
(16 - 3)/2 + 1 = 7.5 is not an integer, so our layers refuse it; PyTorch
silently floors it to 7 and never reads the last row and column, which is
exactly what it computes on the 15 x 15 crop used here.
"""
import argparse
import sys
import timeit

import numpy as np

from cs231n_lib import fast_layers, layers

CASES = [
    ((100, 3, 32, 32), 2, 2),
    ((32, 64, 15, 15), 3, 2),
]


def best_time(func, repeat, number=1):
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call."""
    return min(timeit.repeat(func, repeat=repeat, number=number)) / number


def ours(forward, backward, x, pool_param):
    def run():
        out, cache = forward(x, pool_param)
        backward(np.ones_like(out), cache)
    return run


def torch_pool(torch, kind, x, size, stride):
    import torch.nn.functional as F
    pool = {"max": F.max_pool2d, "avg": F.avg_pool2d}[kind]
    xt = torch.from_numpy(x).requires_grad_(True)

    def run():
        xt.grad = None
        out = pool(xt, size, stride)
        out.backward(torch.ones_like(out))
    return run


def agrees_with_torch(torch, kind, x, pool_param):
    """Do our fast forward and backward passes give PyTorch's numbers (ties included)?"""
    import torch.nn.functional as F
    size, stride = pool_param["pool_height"], pool_param["stride"]
    out, cache = getattr(fast_layers, f"{kind}_pool_forward_fast")(x, pool_param)
    dout = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)
    dx = getattr(fast_layers, f"{kind}_pool_backward_fast")(dout, cache)
    xt = torch.from_numpy(x).requires_grad_(True)
    out_t = {"max": F.max_pool2d, "avg": F.avg_pool2d}[kind](xt, size, stride)
    out_t.backward(torch.from_numpy(dout))
    tol = 1e-5 if x.dtype == np.float32 else 1e-12
    return (np.allclose(out, out_t.detach().numpy(), rtol=tol, atol=tol)
            and np.allclose(dx, xt.grad.numpy(), rtol=tol, atol=tol))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=1, help="PyTorch intra-op threads")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(args.threads)
        torch_text = f"PyTorch {torch.__version__} ({args.threads} thread(s))"
    except ImportError:
        torch = None
        torch_text = "PyTorch not installed: pip install -e '.[bench]'"
    print(f"numpy {np.__version__}, {args.dtype}; {torch_text}")
    print("forward + backward, best of several runs, milliseconds per call\n")
    header = (f"{'kind':4} {'shape':>17} {'window':>8} {'naive':>9} {'fast':>8} {'torch':>8} "
              f"{'naive/fast':>11} {'fast/torch':>11} {'same numbers':>13}")
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(0)
    for shape, size, stride in CASES:
        x = rng.standard_normal(shape).astype(args.dtype)
        pp = {"pool_height": size, "pool_width": size, "stride": stride}
        for kind in ("max", "avg", "l2"):
            naive = ours(getattr(layers, f"{kind}_pool_forward_naive"),
                         getattr(layers, f"{kind}_pool_backward_naive"), x, pp)
            fast = ours(getattr(fast_layers, f"{kind}_pool_forward_fast"),
                        getattr(fast_layers, f"{kind}_pool_backward_fast"), x, pp)
            t_naive = best_time(naive, repeat=2)
            t_fast = best_time(fast, repeat=args.repeat, number=5)
            t_torch = None
            if torch is not None and kind in ("max", "avg"):
                t_torch = best_time(torch_pool(torch, kind, x, size, stride), repeat=args.repeat, number=5)
            torch_ms = f"{t_torch * 1e3:8.2f}" if t_torch else f"{'-':>8}"
            ratio = f"{t_fast / t_torch:10.1f}x" if t_torch else f"{'-':>11}"
            same = "-"
            if t_torch:
                same = str(agrees_with_torch(torch, kind, x, pp))
                # Ties too: an all-zero input has every window tied.
                same_ties = agrees_with_torch(torch, kind, np.zeros_like(x), pp)
                same = f"{same}/{same_ties}"
            print(f"{kind:4} {str(shape):>17} {f'{size}x{size}/{stride}':>8} {t_naive * 1e3:9.1f} "
                  f"{t_fast * 1e3:8.2f} {torch_ms} {t_naive / t_fast:10.0f}x {ratio} {same:>13}")
    print("\n'same numbers': our fast forward and backward equal PyTorch's on random input / on an")
    print("all-zero input (every window tied: both give the gradient to the first maximum).")
    print("Targets (max pooling): fast >= 30x naive; fast <= 2x PyTorch.")
    print(f"Route taken by fast: {[fast_layers.pool_method(s, {'pool_height': f, 'pool_width': f, 'stride': st}) for s, f, st in CASES]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
