"""Establish the training record (kept epoch, kept updates) of the zoo's shipped files, which were
saved before the zoo recorded it, without changing their weights.

The recipes keep the weights of the best validation epoch, not the last. The ten nets of notebooks
05-09 were trained by their recipes with the library as it stood at main's commit 2753152, before
the softmax fix of issue 23 (which changes float32 training in the last bits, and so every later
weight); notebook 10's three with main's 3df5516. This tool exports such a commit's library
(``git archive``), retrains a recipe with it and one BLAS thread, records the Solver's validation
history, and compares the retrained weights with the shipped file's, byte for byte. Only when they
are equal is the kept epoch known exactly; then ``write`` adds the record to the shipped file's
metadata (``pretrained.rewrite_meta``: the arrays stay byte for byte, the ``.sha256`` changes).

    python tools/zoo_training_record.py retrain mnist_convnet shapes_convnet --out records.jsonl
    python tools/zoo_training_record.py retrain shapes_zf_like --commit 3df5516 --out records.jsonl
    python tools/zoo_training_record.py write records.jsonl

``retrain`` takes as long as the recipes (one to three CPU minutes each here); it appends one JSON
line per net. ``write`` refuses a net whose retrained weights differ from the shipped ones.
"""
import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMMIT = "2753152"   # main just before the softmax fix: the library the shipped nets were trained with

# Run in a child process with the old library first on sys.path: retrain NAME, print one JSON line.
CHILD = r"""
import hashlib, json, os, sys, time
import numpy as np
old, shipped_dir, name, out = sys.argv[1:5]
sys.path.insert(0, old)
import cs231n_lib
assert cs231n_lib.__file__.startswith(old), cs231n_lib.__file__
from cs231n_lib import pretrained, solver as solver_module

seen = []
_train = solver_module.Solver.train
def train(self):
    seen.append(self)
    return _train(self)
solver_module.Solver.train = train

def arrays(path):
    import zipfile
    with zipfile.ZipFile(path) as zf:
        return {i.filename: hashlib.sha256(zf.read(i)).hexdigest() for i in zf.infolist() if i.filename != "meta.npy"}

load = os.getloadavg()
wall, cpu = time.perf_counter(), time.process_time()
path, digest, meta = pretrained.retrain(name, out=out, progress=False)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
s = seen[-1]   # the net's own Solver: a recipe that trains a teacher first (distillation) trains the net last
ipe = max(len(s.X_train) // s.batch_size, 1)
checks = [1] + [ipe * (e + 1) for e in range(s.num_epochs)]   # the Solver checks after update 1 and every epoch
assert len(checks) == len(s.val_acc_history)
best = next(i for i, v in enumerate(s.val_acc_history) if v == max(s.val_acc_history))  # the first of equals
assert s.val_acc_history[best] == s.best_val_acc
shipped = os.path.join(shipped_dir, name + ".npz")
print(json.dumps({
    "name": name, "same_weights": arrays(path) == arrays(shipped), "retrained_sha256": digest,
    "shipped_sha256": pretrained.sha256_of(shipped),
    "training": {"kept_by": "best validation accuracy (the first of equals)", "num_epochs": s.num_epochs,
                 "updates_per_epoch": ipe, "updates": s.num_epochs * ipe, "kept_epoch": best,
                 "kept_updates": checks[best], "checks_after_updates": checks,
                 "val_accuracy": [float(v) for v in s.val_acc_history],
                 "train_accuracy": [float(v) for v in s.train_acc_history]},
    "test_accuracy": meta["test_accuracy"], "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
    "load_average_before": [round(x, 2) for x in load], "load_average_after": [round(x, 2) for x in os.getloadavg()]}))
"""


def export_library(commit, where):
    """``cs231n_lib`` and ``data`` of ``commit``, unpacked into ``where``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "cs231n_lib", "data"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)


def retrain(names, out, commit=COMMIT):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH="")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "lib").mkdir()
        (tmp / "nets").mkdir()
        export_library(commit, tmp / "lib")
        for name in names:
            line = subprocess.run([sys.executable, "-c", CHILD, str(tmp / "lib"), str(ROOT / "data" / "zoo"), name,
                                   str(tmp / "nets")], env=env, check=True, capture_output=True, text=True,
                                  cwd=tmp).stdout.strip().splitlines()[-1]
            record = json.loads(line)
            record.update(library_commit=commit, cpu=_cpu(), python=platform.python_version())
            with open(out, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
            t = record["training"]
            print(f"{name}: {'same weights' if record['same_weights'] else 'OTHER WEIGHTS'}; kept epoch "
                  f"{t['kept_epoch']} of {t['num_epochs']} ({t['kept_updates']:,} of {t['updates']:,} updates); "
                  f"{record['cpu_seconds']:.0f} CPU s", flush=True)


def _cpu():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def write(records_file):
    sys.path.insert(0, str(ROOT))
    from cs231n_lib import pretrained

    for line in pathlib.Path(records_file).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        name = record["name"]
        current = pretrained.sha256_of(pretrained.ZOO_DIR / f"{name}.npz")
        if not record["same_weights"]:
            print(f"{name}: the retrained weights differ from the shipped ones; no record written")
            continue
        if current != record["shipped_sha256"]:
            print(f"{name}: the shipped file changed since the record was made (sha256 {current[:16]}...); skipped")
            continue
        extra = pretrained.load_pretrained(name).meta
        extra["training"] = dict(record["training"], established=(
            f"retrained by its recipe with the library of commit {record['library_commit']} (one BLAS thread, "
            f"{record['cpu']}): the same weights, byte for byte"))
        digest = pretrained.rewrite_meta(name, extra)
        print(f"{name}: record written; sha256 {current[:16]}... -> {digest[:16]}...")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("retrain", help="retrain recipes with the old library and record their Solver's history")
    r.add_argument("names", nargs="+")
    r.add_argument("--out", required=True, help="JSON-lines file to append to")
    r.add_argument("--commit", default=COMMIT)
    w = sub.add_parser("write", help="add the records whose weights matched to the shipped files' metadata")
    w.add_argument("records")
    args = parser.parse_args(argv)
    if args.command == "retrain":
        retrain(args.names, args.out, args.commit)
    else:
        write(args.records)


if __name__ == "__main__":
    main()
