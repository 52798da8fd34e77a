"""One training epoch of the reference ConvNet: cs231n_lib (numpy) against the same net in PyTorch.

    pip install -e ".[bench]"                   # torch==2.13.0 (CPU) and threadpoolctl
    python benchmarks/bench_train.py            # 1 thread each, 2000 shapes images
    python benchmarks/bench_train.py --threads 2 --num-train 4000

Both sides train the shapes_convnet recipe's architecture (conv-relu-pool x3,
affine-relu-affine) with Adam, minibatches of 50, float32, on the same images and the same
initial weights, for one epoch, and the script prints both wall times and their ratio (the
issue's target: numpy within 3x of PyTorch on CPU).  Timings on a shared machine are noisy:
run it more than once.
"""
import argparse
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--num-train", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy is imported

    import numpy as np

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from cs231n_lib import data, optim
    from cs231n_lib.recipes import shapes_convnet

    try:
        import torch
    except ImportError:
        raise SystemExit("needs PyTorch: pip install -e '.[bench]' (torch==2.13.0, CPU)")
    torch.set_num_threads(args.threads)

    d = data.load_shapes(num_train=args.num_train, num_val=0, num_test=0, seed=0)
    X, y = d["X_train"], d["y_train"]
    order = np.random.default_rng(0).permutation(len(X))
    batches = [order[i:i + args.batch_size] for i in range(0, len(X) - args.batch_size + 1, args.batch_size)]

    # numpy: the library's net and update rule, one epoch
    net = shapes_convnet.build(seed=0)
    init = {k: v.copy() for k, v in net.params.items()}
    configs = {k: {"learning_rate": 1e-3} for k in net.params}
    start = time.perf_counter()
    for idx in batches:
        loss, grads = net.loss(X[idx], y[idx])
        for k in net.params:
            net.params[k], configs[k] = optim.adam(net.params[k], grads[k], configs[k])
    t_numpy = time.perf_counter() - start

    # PyTorch: the same layers and the same initial weights
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    with torch.no_grad():
        for layer, name in zip((model[0], model[3], model[6]), ("conv1", "conv2", "conv3")):
            layer.weight.copy_(torch.from_numpy(init[f"{name}.W"]))
            layer.bias.copy_(torch.from_numpy(init[f"{name}.b"]))
        for layer, name in zip((model[10], model[12]), ("fc1", "fc2")):
            layer.weight.copy_(torch.from_numpy(init[f"{name}.W"].T.copy()))  # ours is (D, M), torch's (M, D)
            layer.bias.copy_(torch.from_numpy(init[f"{name}.b"]))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X - shapes_convnet.INPUT_MEAN), torch.from_numpy(y)
    start = time.perf_counter()
    for idx in batches:
        ti = torch.from_numpy(idx)
        opt.zero_grad()
        loss_t = nn.functional.cross_entropy(model(Xt[ti]), yt[ti])
        loss_t.backward()
        opt.step()
    t_torch = time.perf_counter() - start

    print(f"one epoch, {len(batches)} minibatches of {args.batch_size}, {args.threads} thread(s)")
    print(f"  cs231n_lib (numpy): {t_numpy:7.2f} s   last loss {float(loss):.3f}")
    print(f"  PyTorch (CPU):      {t_torch:7.2f} s   last loss {float(loss_t.detach()):.3f}")
    print(f"  ratio numpy / torch: {t_numpy / t_torch:.2f}  (target: at most 3)")


if __name__ == "__main__":
    main()
