"""What the Solver's safety checks cost: one epoch of the reference ConvNet through the Solver
against the same updates in a bare loop.

    python benchmarks/bench_solver.py                 # 1 BLAS thread, 1000 shapes images, 3 rounds
    python benchmarks/bench_solver.py --num-train 2000 --rounds 5

The Solver checks every minibatch for NaN/inf, every loss for divergence, every update for its
shape and finiteness, and the reference net (input convention "unit") checks the range of every
batch.  Both sides run the same net from the same weights on the same minibatches with Adam;
the script prints the wall time of each (the best of the interleaved rounds), the Solver's
overhead in percent, and whether both ended with the same weights.  No accuracy checks run in
the timed epoch (the Solver's are measured separately at its first iteration and at the end).
"""
import argparse
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--num-train", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy is imported

    import numpy as np

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from cs231n_lib import data, optim
    from cs231n_lib.recipes import shapes_convnet
    from cs231n_lib.solver import Solver

    d = data.load_shapes(num_train=args.num_train, num_val=0, num_test=0, seed=0)
    X, y = d["X_train"], d["y_train"]
    n_iter = max(len(X) // args.batch_size, 1)

    def bare():
        net = shapes_convnet.build(seed=0)
        net.input_convention = None  # no range check: the loop CS231n's Solver runs
        configs = {k: {"learning_rate": 1e-3} for k in net.params}
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        for _ in range(n_iter):
            idx = rng.choice(len(X), args.batch_size, replace=False)
            _, grads = net.loss(X[idx], y[idx])
            for k in net.params:
                net.params[k], configs[k] = optim.adam(net.params[k], grads[k], configs[k])
        return time.perf_counter() - start, net.params

    def checked():
        net = shapes_convnet.build(seed=0)
        solver = Solver(net, {"X_train": X, "y_train": y, "X_val": X[:0], "y_val": y[:0]}, update_rule="adam",
                        optim_config={"learning_rate": 1e-3}, batch_size=args.batch_size, num_epochs=1,
                        verbose=False, progress=False, seed=0)
        start = time.perf_counter()
        for t in range(n_iter):
            solver._step(t, n_iter)  # the training step alone, without the accuracy checks
        return time.perf_counter() - start, net.params

    times = {"bare loop": [], "Solver": []}
    for r in range(args.rounds):  # interleaved, the order alternating, so load changes hit both
        for name in (("bare loop", "Solver") if r % 2 == 0 else ("Solver", "bare loop")):
            t, params = bare() if name == "bare loop" else checked()
            times[name].append(t)
            if name == "bare loop":
                p_bare = params
            else:
                p_solver = params
    same = all(np.array_equal(p_bare[k], p_solver[k]) for k in p_bare)
    best = {k: min(v) for k, v in times.items()}
    print(f"one epoch of {n_iter} minibatches of {args.batch_size}, {args.threads} BLAS thread(s), "
          f"best of {args.rounds} rounds")
    for k, v in best.items():
        print(f"  {k:>9}: {v:6.2f} s")
    print("  every round: " + "; ".join(f"{k} " + ", ".join(f"{t:.2f}" for t in v) for k, v in times.items()))
    print(f"  Solver overhead: {100 * (best['Solver'] / best['bare loop'] - 1):+.1f} %; same final weights: {same}")


if __name__ == "__main__":
    main()
