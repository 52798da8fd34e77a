"""A twin of Google Colab's runtime: run every notebook there as a Colab user would.

    python tools/colab_twin.py                         # every notebook, in a throwaway twin
    python tools/colab_twin.py notebooks/03_*.ipynb --venv /tmp/twin   # keep (and reuse) the twin

The twin is a Python 3.13 virtual environment with exactly the package versions of
Colab's default runtime that tests/colab-runtime-2026-08.txt pins (a subset of Colab's
pip freeze, published by Google in googlecolab/backend-info). For each notebook it

1. copies this working tree where the notebook's setup cell will look for its clone
   (a stand-in `git` does the copy: the twin has no network but the package index);
2. executes the notebook top to bottom with nbclient in a kernel of the twin that looks
   like Colab's (`google.colab` importable), so that its own first cell installs this
   package with pip exactly as it does in Colab, from the package index;
3. compares the installed distributions before and after: pip must have changed none of
   Colab's versions and added nothing but this package (else Colab would ask for a
   runtime restart, or would install something it lacks);
4. reports every error output and every warning a student would see: anything on stderr
   in a cell (numpy's and matplotlib's warnings land there), and DeprecationWarnings that
   our own code triggers (shown, where Python would hide them by default).

tests/test_colab_twin.py runs this under CI (and locally when CS231N_COLAB_TWIN=1).
Every execution step has a time limit and is retried once (see PITFALLS: kernel clients
can miss their last message).
"""
import argparse
import glob
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "tests" / "colab-runtime-2026-08.txt"
PACKAGE = "cs231n-notebooks"
COLAB_CLONE = "/content/cs231n-notebooks"  # where the setup cell clones the repository in Colab
KERNEL = "colab-twin"
INSTALL_LIMIT = 1200  # seconds for pip to build the twin
RUN_LIMIT = 420       # seconds for one notebook (its setup cell's pip install included); they take < 1 min
CELL_LIMIT = 300      # seconds for one cell
PIP_QUIET = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore", "PIP_NO_INPUT": "1"}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path=RUNTIME):
    """{normalized name: version} of the pinned runtime file."""
    versions = {}
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            versions[normalize(name)] = version.strip()
    return versions


def _version_of(python):
    try:
        out = subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python313():
    """A Python 3.13 interpreter (path), or None: $CS231N_PYTHON313, python3.13 on PATH, pyenv's."""
    candidates = [os.environ.get("CS231N_PYTHON313"), shutil.which("python3.13")]
    pyenv_roots = [os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv")]
    if shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        pyenv_roots.insert(0, root)
    for root in filter(None, pyenv_roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "3.13*", "bin", "python3.13")), reverse=True)
    for candidate in filter(None, candidates):
        if _version_of(candidate) == "3.13":  # a pyenv shim answers only when 3.13 is selected
            return pathlib.Path(candidate)
    return None


def _run(cmd, timeout, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def twin_python(venv):
    return pathlib.Path(venv) / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def build(venv, python=None):
    """Create the twin at ``venv`` (a new folder) and install the pinned runtime; return its python."""
    python = python or find_python313()
    if python is None:
        raise RuntimeError("no Python 3.13 found (pyenv install 3.13, or set CS231N_PYTHON313)")
    _run([python, "-m", "venv", venv], timeout=300)
    twin = twin_python(venv)
    env = {**os.environ, **PIP_QUIET}
    _run([twin, "-m", "pip", "install", "-q", "-r", RUNTIME], timeout=INSTALL_LIMIT, env=env)
    return twin


def installed(python):
    """{normalized name: version} of every distribution in the environment of ``python``."""
    code = ("import importlib.metadata as m, json; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")
    return {normalize(k): v for k, v in json.loads(_run([python, "-c", code], timeout=120)).items()}


def pip_changes(before, after, runtime):
    """What pip did to the runtime, as sentences (empty: nothing but this package was added)."""
    found = []
    for name, version in sorted(runtime.items()):
        if after.get(name) != version:
            found.append(f"{name} {version} (Colab's) became {after.get(name, 'uninstalled')}")
    for name in sorted(set(before) - set(after) - set(runtime)):
        found.append(f"{name} {before[name]} was uninstalled")
    for name in sorted(set(before) & set(after) - set(runtime)):
        if before[name] != after[name]:
            found.append(f"{name} {before[name]} became {after[name]}")
    for name in sorted(set(after) - set(before) - {PACKAGE}):
        found.append(f"{name} {after[name]} was installed (Colab's runtime file does not list it)")
    if PACKAGE not in after:
        found.append(f"{PACKAGE} was not installed by the setup cell")
    return found


# ---------------------------------------------------------------- the Colab-like kernel
STARTUP = '''\
# Colab twin: the kernel looks like Colab's to the notebooks (their setup cell checks this).
import sys as _sys, types as _types, warnings as _warnings
_google = _sys.modules.setdefault("google", _types.ModuleType("google"))
_google.colab = _sys.modules["google.colab"] = _types.ModuleType("google.colab")
# Deprecations that our own code triggers are shown (Python hides them outside __main__).
for _category in (DeprecationWarning, PendingDeprecationWarning):
    _warnings.filterwarnings("default", category=_category, module=r"cs231n_lib(\\..*)?$")
del _sys, _types, _warnings, _google, _category
'''

FAKE_GIT = '''\
#!{python}
"""Colab twin: stands in for `git clone --depth 1 URL DEST` (no network): copies the working tree."""
import pathlib, shutil, sys

args = sys.argv[1:]
if len(args) != 5 or args[:3] != ["clone", "--depth", "1"] or args[3] != {url!r}:
    sys.exit(f"colab twin: unexpected git command {{args}} (expected clone --depth 1 {url} DEST)")
dest = pathlib.Path(args[4])
src = pathlib.Path({root!r})
for rel in {files!r}:
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / rel, target)
'''

DRIVER = '''\
import inspect
import queue
import sys
import time

import jupyter_client.channels
import nbformat
from nbclient import NotebookClient


def _polling(original):
    # jupyter_client waits for a kernel message in one long poll (forever on iopub, the
    # whole cell time limit on shell); the wake-up for a message can be missed and both
    # sides then sit idle (see PITFALLS.md). Wait in short slices instead, and look at the
    # socket directly (zmq_poll, timeout 0) before each one.
    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return await original(self, 0)
            except queue.Empty:
                pass
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                raise queue.Empty
            try:
                return await original(self, left)
            except queue.Empty:
                pass

    return get_msg


for _cls in list(vars(jupyter_client.channels).values()):
    if isinstance(_cls, type) and inspect.iscoroutinefunction(_cls.__dict__.get("get_msg")):
        _cls.get_msg = _polling(_cls.__dict__["get_msg"])

src, dst, cwd, kernel, cell_limit = sys.argv[1:6]
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, timeout=int(cell_limit), kernel_name=kernel, allow_errors=True,
                        resources={"metadata": {"path": cwd}})
client.execute()
nbformat.write(nb, dst)
'''


def repository_files():
    """The files a clone of this repository has (tracked or new, not ignored), relative paths."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        files = [f for f in out.split("\0") if f and (ROOT / f).is_file()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: everything but local clutter
        skip = {".git", ".venv", "test-artifacts", "_build", "__pycache__", ".hypothesis", ".pytest_cache"}
        files = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    return sorted(files)


def repository_url():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^Repository\s*=\s*"([^"]+)"', text, re.M).group(1).rstrip("/")


class Twin:
    """A built twin (its python) plus the private Jupyter/IPython folders of its kernel."""

    def __init__(self, python, home):
        self.python = pathlib.Path(python)
        self.home = pathlib.Path(home)
        kernel_dir = self.home / "jupyter-data" / "kernels" / KERNEL
        kernel_dir.mkdir(parents=True, exist_ok=True)
        (kernel_dir / "kernel.json").write_text(json.dumps({
            "argv": [str(self.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Colab twin (Python 3.13)", "language": "python"}))
        startup = self.home / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-colab-twin.py").write_text(STARTUP)
        bin_dir = self.home / "bin"
        bin_dir.mkdir(exist_ok=True)
        git = bin_dir / "git"
        git.write_text(FAKE_GIT.format(python=sys.executable, url=repository_url(), root=str(ROOT),
                                       files=repository_files()))
        git.chmod(0o755)
        (self.home / "driver.py").write_text(DRIVER)

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "IPYTHON", "PYTHON", "VIRTUAL_ENV", "MPLBACKEND", "CONDA"))}
        env.update(PIP_QUIET)
        env.update({
            "PATH": os.pathsep.join([str(self.home / "bin"), str(self.python.parent), env.get("PATH", "")]),
            "JUPYTER_DATA_DIR": str(self.home / "jupyter-data"),
            "JUPYTER_CONFIG_DIR": str(self.home / "jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "jupyter-runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(self.home / "ipython"),
            # ipykernel 6.17 on Python 3.13 prints a debugger warning at start without this
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        })
        return env


def colab_copy(nb, clone):
    """The notebook with its setup cell cloning into ``clone`` instead of Colab's /content."""
    nb = json.loads(json.dumps(nb))
    setup = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = "".join(setup["source"]) if isinstance(setup["source"], list) else setup["source"]
    literal = json.dumps(COLAB_CLONE)
    if source.count(literal) != 1:
        raise ValueError(f"the setup cell does not name {literal} exactly once: is it still the standard cell?")
    setup["source"] = source.replace(literal, json.dumps(str(clone)))
    return nb


def student_visible(nb):
    """Problems a student would see in the executed notebook ``nb`` (a dict): errors and warnings."""
    found = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code, 1):
        first = ("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]).strip()
        first = first.splitlines()[0][:70] if first else ""
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"code cell {number} ({first}): {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                found.append(f"code cell {number} ({first}) printed to stderr: {text.strip()[:500]}")
    return found


def run_notebook(twin, path, workdir, cell_limit=CELL_LIMIT, run_limit=RUN_LIMIT):
    """Run notebook ``path`` in the twin as in a new Colab session. Returns a dict:
    seconds, problems (errors and warnings), pip (what pip changed), executed (the notebook)."""
    workdir = pathlib.Path(workdir)
    content = workdir / "content"  # Colab's working folder; the clone goes inside
    clone = content / "cs231n-notebooks"
    content.mkdir(parents=True)
    env = twin.env()
    subprocess.run([str(twin.python), "-m", "pip", "uninstall", "-q", "-y", PACKAGE],
                   capture_output=True, env=env, timeout=300)  # a new session: not installed yet
    runtime = pinned()
    before = installed(twin.python)
    src = workdir / "colab.ipynb"
    src.write_text(json.dumps(colab_copy(json.loads(pathlib.Path(path).read_text(encoding="utf-8")), clone)))
    dst = workdir / "executed.ipynb"
    start = time.perf_counter()
    for attempt in (1, 2):
        try:
            _run([twin.python, twin.home / "driver.py", src, dst, content, KERNEL, cell_limit],
                 timeout=run_limit, env=env, cwd=content)
            break
        except subprocess.TimeoutExpired:
            if attempt == 2:
                raise
            shutil.rmtree(clone, ignore_errors=True)  # retry from a fresh session
    seconds = time.perf_counter() - start
    executed = json.loads(dst.read_text(encoding="utf-8"))
    return {"seconds": seconds, "problems": student_visible(executed),
            "pip": pip_changes(before, installed(twin.python), runtime), "executed": executed}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--venv", type=pathlib.Path, help="build the twin here, or reuse the one built here")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="colab-twin-") as scratch:
        scratch = pathlib.Path(scratch)
        venv = args.venv or scratch / "venv"
        start = time.perf_counter()
        python = twin_python(venv) if twin_python(venv).exists() else build(venv)
        print(f"twin at {venv}: {time.perf_counter() - start:.0f} s to build", flush=True)
        twin = Twin(python, scratch / "home")
        failed = False
        for path in paths:
            report = run_notebook(twin, path, scratch / path.stem)
            problems = report["pip"] + report["problems"]
            failed |= bool(problems)
            print(f"{path.name}: {report['seconds']:.0f} s, {'ok' if not problems else 'FAILED'}", flush=True)
            for problem in problems:
                print(f"    {problem}")
    print(f"wall time {time.perf_counter() - wall:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
