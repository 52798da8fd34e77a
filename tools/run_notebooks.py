"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/run_notebooks.py                      # every notebook
    python tools/run_notebooks.py notebooks/01_*.ipynb # some of them

Use this (not a hand-run in Jupyter) before committing a notebook: execution
counts come out 1..n, widget state is not stored (GitHub refuses widget
metadata without state), and the kernel sees the same environment as
`pytest --nbval`.  Each run has a time limit and is retried once, because
kernel clients can miss their last message on widget-heavy notebooks
(see PITFALLS.md).
"""
import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent


def execute(path, timeout=120):
    """Run one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(pathlib.Path(path).parent)}},
        store_widget_state=True,  # False trips nbclient on Output widgets; the state is dropped below
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    os.environ.pop("MPLBACKEND", None)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        for attempt in (1, 2):
            try:
                print(f"{path.name}: {execute(path):.1f} s", flush=True)
                break
            except TimeoutError as err:  # nbclient raises a TimeoutError subclass
                if attempt == 2:
                    raise
                print(f"{path.name}: timed out ({err}); retrying once", file=sys.stderr)


if __name__ == "__main__":
    main()
