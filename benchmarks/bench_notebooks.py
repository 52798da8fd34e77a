"""Time every notebook's top-to-bottom execution in a fresh kernel (target: under 45 s each).

    python benchmarks/bench_notebooks.py [notebooks/NN_*.ipynb ...]

Prints one line per notebook: the median of --repeat runs, and whether it meets the
target. Runs on copies, so the committed notebooks are not touched.
"""
import argparse
import pathlib
import statistics
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET_SECONDS = 45.0


def run_once(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"{'notebook':40s} {'median s':>9s} {'runs':>20s}  target {TARGET_SECONDS:.0f} s")
    worst = 0.0
    for path in paths:
        times = [run_once(path) for _ in range(args.repeat)]
        median = statistics.median(times)
        worst = max(worst, median)
        runs = ", ".join(f"{t:.1f}" for t in times)
        verdict = "ok" if median < TARGET_SECONDS else "TOO SLOW"
        print(f"{path.name:40s} {median:9.1f} {runs:>20s}  {verdict}", flush=True)
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
