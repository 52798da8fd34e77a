"""Time occlusion maps (notebook 06): one forward pass per position, per image, or across images.

    python benchmarks/bench_occlusion.py            # 20 test shapes, 8x8 patches, stride 4
    python benchmarks/bench_occlusion.py --stride 2 --images 10

Three routes to the same maps of ``shapes_convnet`` (the notebook measures 200 images this way):

* ``loop``: one occluded image per forward pass, as the notes describe the experiment;
* ``per image``: ``understanding.occlusion_map``, every position of one image in one batch;
* ``across images``: ``understanding.occlusion_maps``, the positions of all images in batches
  of ``batch_size`` (64, 256, 1024).

One BLAS thread; the best of three runs, in milliseconds per image. Timings are noisy on a
shared machine: read the ratios.
"""
import argparse
import timeit

import numpy as np
from threadpoolctl import threadpool_limits

from cs231n_lib import data, pretrained, understanding


def loop(net, X, y, size, stride):
    for x, label in zip(X, y):
        H = x.shape[1]
        for top in range(0, H - size + 1, stride):
            for left in range(0, H - size + 1, stride):
                img = x.copy()
                img[:, top:top + size, left:left + size] = 0.5
                understanding.softmax(net.loss(img[None]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--stride", type=int, default=4)
    args = parser.parse_args(argv)
    net = pretrained.load_pretrained("shapes_convnet")
    d = data.load_shapes(num_train=0, num_val=0, num_test=args.images, seed=0)
    X, y = d["X_test"], d["y_test"]
    side = (32 - args.size) // args.stride + 1
    routes = {"loop": lambda: loop(net, X, y, args.size, args.stride),
              "per image": lambda: [understanding.occlusion_map(net, x, c, args.size, args.stride)
                                    for x, c in zip(X, y)]}
    for batch in (64, 256, 1024):
        routes[f"across images, batches of {batch}"] = (
            lambda b=batch: understanding.occlusion_maps(net, X, y, args.size, args.stride, batch_size=b))
    print(f"{args.images} images, {side} x {side} = {side * side} positions each, one BLAS thread")
    with threadpool_limits(limits=1, user_api="blas"):
        first = None
        for name, run in routes.items():
            ms = min(timeit.repeat(run, repeat=3, number=1)) / args.images * 1000
            first = first or ms
            print(f"{name:>30}: {ms:7.1f} ms per image ({first / ms:4.1f}x the loop)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
