"""Every notebook, run in a twin of today's Colab runtime (tools/colab_twin.py).

The twin is a throwaway Python 3.13 virtual environment with exactly the versions that
tests/colab-runtime-2026-08.txt pins (Colab's default runtime, August 2026). Each
notebook runs there top to bottom, with nbclient, in a kernel that looks like Colab's, so
its own setup cell installs this package with pip from the package index, as in Colab.
The test fails when pip changes any of Colab's versions (Colab would ask for a runtime
restart), on any error output, and on any warning a student would see.
test_the_twin_fails_a_notebook_that_uses_an_api_colab_lacks runs a deliberately broken
copy of a notebook (fixture below) to show that those checks fail.

It takes minutes (it installs Colab's whole stack, from pip's cache when warm), so it is
opt-in locally: CS231N_COLAB_TWIN=1 python -m pytest tests/test_colab_twin.py. Under CI
(environment variable CI set) it always runs. Without a Python 3.13 (found through
CS231N_PYTHON313, python3.13 on PATH, or pyenv) it is skipped saying so, and fails under CI.
"""
import json
import os
import pathlib
import runpy
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
tool = runpy.run_path(str(ROOT / "tools" / "colab_twin.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OPT_IN = "CS231N_COLAB_TWIN"


def _require_twin():
    """The Python 3.13 to build the twin with; skip (or, under CI, fail) saying why not."""
    ci = bool(os.environ.get("CI"))
    if not ci and os.environ.get(OPT_IN) != "1":
        pytest.skip(f"Colab twin skipped: set {OPT_IN}=1 to run it (it builds Python 3.13 with Colab's "
                    "packages and runs every notebook: several minutes); CI always runs it")
    python = tool["find_python313"]()
    if python is None and ci:
        pytest.fail("Colab twin cannot run in CI: no Python 3.13 found (CS231N_PYTHON313, python3.13 on PATH, "
                    "pyenv versions); install one, e.g. `pyenv install 3.13`")
    if python is None:
        pytest.skip("Colab twin skipped: no Python 3.13 found (CS231N_PYTHON313, python3.13 on PATH, pyenv "
                    "versions); `pyenv install 3.13` gives one. CI requires it")
    return python


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    python = _require_twin()
    scratch = tmp_path_factory.mktemp("colab-twin")
    built = tool["build"](scratch / "venv", python)
    return tool["Twin"](built, scratch / "home")


# ---------------------------------------------------------------- the twin itself
def test_the_twin_is_colabs_runtime(twin):
    version = subprocess.run([str(twin.python), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "(3, 13)"
    got = tool["installed"](twin.python)
    wrong = {name: (version, got.get(name)) for name, version in tool["pinned"]().items() if got.get(name) != version}
    assert wrong == {}, f"(pinned, installed) differ: {wrong}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_in_the_colab_twin(twin, path, tmp_path):
    report = tool["run_notebook"](twin, path, tmp_path)
    assert report["pip"] == [], "installing us in Colab would change its runtime:\n" + "\n".join(report["pip"])
    assert report["problems"] == [], "a student in Colab would see:\n" + "\n".join(report["problems"])
    code = [c for c in report["executed"]["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code if "".join(c["source"]).strip()), "not every cell ran"
    stored = json.loads(path.read_text(encoding="utf-8"))
    n_outputs = sum(len(c.get("outputs", [])) for c in stored["cells"] if c["cell_type"] == "code")
    assert sum(len(c.get("outputs", [])) for c in code) >= n_outputs * 0.9, "the twin run lost outputs"


# ---------------------------------------------------------------- the deliberately broken copy
BROKEN_CELLS = [
    # numpy.matvec arrived in numpy 2.2; Colab has 2.1.3
    "y = np.matvec(np.eye(2), np.array([1.0, 2.0]))\nprint(y.tolist())",
    # a numpy warning a student sees under the cell
    "print(float(np.log(np.zeros(1))[0]))",
    # a DeprecationWarning raised from inside our package (Python hides these by default)
    "exec(\"import warnings\\nwarnings.warn('old API', DeprecationWarning)\", {'__name__': 'cs231n_lib._probe'})",
]


@pytest.fixture
def broken_notebook(tmp_path):
    """A copy of the first notebook, cut after its import cell, that uses APIs Colab lacks."""
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    nb["cells"] = nb["cells"][:code[1] + 1]  # title, setup cell, imports
    assert "import numpy as np" in "".join(nb["cells"][-1]["source"])
    for source in BROKEN_CELLS:
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                            "source": source})
    path = tmp_path / "broken" / "99_broken_copy.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_the_twin_fails_a_notebook_that_uses_an_api_colab_lacks(twin, broken_notebook, tmp_path):
    report = tool["run_notebook"](twin, broken_notebook, tmp_path / "twin")
    problems = "\n".join(report["problems"])
    assert "AttributeError" in problems and "matvec" in problems, problems
    assert "RuntimeWarning: divide by zero" in problems, problems
    assert "DeprecationWarning: old API" in problems, problems
    assert report["pip"] == []

    # The same copy runs without an error in the environment of this test (newer numpy):
    # the twin's failure comes from Colab's versions, not from a cell that cannot work.
    executed = tmp_path / "here.ipynb"
    subprocess.run([sys.executable, twin.home / "driver.py", broken_notebook, executed, ROOT / "notebooks",
                    "python3", "120"], check=True, timeout=600, capture_output=True)
    here = json.loads(executed.read_text(encoding="utf-8"))
    errors = [o for c in here["cells"] if c["cell_type"] == "code" for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == [], tool["student_visible"](here)


# ---------------------------------------------------------------- the checks, without a twin
def test_pip_changes_names_every_change():
    runtime = {"numpy": "2.1.3", "ipywidgets": "7.7.1"}
    before = {"numpy": "2.1.3", "ipywidgets": "7.7.1", "six": "1.16.0", "zipp": "3.0"}
    assert tool["pip_changes"](before, {**before, "cs231n-notebooks": "0.1.0"}, runtime) == []
    after = {"numpy": "2.4.0", "six": "1.17.0", "widgetsnbextension": "4.0.1"}
    found = tool["pip_changes"](before, after, runtime)
    assert found == [
        "ipywidgets 7.7.1 (Colab's) became uninstalled",
        "numpy 2.1.3 (Colab's) became 2.4.0",
        "zipp 3.0 was uninstalled",
        "six 1.16.0 became 1.17.0",
        "widgetsnbextension 4.0.1 was installed (Colab's runtime file does not list it)",
        "cs231n-notebooks was not installed by the setup cell",
    ]


def test_student_visible_reports_errors_and_stderr_only():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "# x"},
        {"cell_type": "code", "source": "print(1)", "outputs": [{"output_type": "stream", "name": "stdout", "text": "1"}]},
        {"cell_type": "code", "source": "np.matvec", "outputs": [
            {"output_type": "error", "ename": "AttributeError", "evalue": "no matvec", "traceback": []}]},
        {"cell_type": "code", "source": ["fig = f()\n", "fig"], "outputs": [
            {"output_type": "stream", "name": "stderr", "text": ["x.py:3: UserWarning: tight_layout\n"]}]},
    ]}
    assert tool["student_visible"](nb) == [
        "code cell 2 (np.matvec): AttributeError: no matvec",
        "code cell 3 (fig = f()) printed to stderr: x.py:3: UserWarning: tight_layout",
    ]


def test_the_colab_copy_clones_where_it_is_told():
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    copy = tool["colab_copy"](nb, "/tmp/somewhere/cs231n-notebooks")
    setup = "".join(next(c for c in copy["cells"] if c["cell_type"] == "code")["source"])
    assert '_repo = "/tmp/somewhere/cs231n-notebooks"' in setup and "/content" not in setup
    nb["cells"][1]["source"] = "print('not the setup cell')"
    with pytest.raises(ValueError, match="standard cell"):
        tool["colab_copy"](nb, "/tmp/x")


def test_the_runtime_file_pins_what_the_notebooks_need():
    runtime = tool["pinned"]()
    for name in ("numpy", "matplotlib", "ipywidgets", "ipython", "ipykernel", "scikit-learn", "scikit-image",
                 "nbclient"):
        assert name in runtime, f"{name} is missing from {tool['RUNTIME'].name}"
    assert runtime["ipywidgets"] == "7.7.1" and runtime["numpy"] == "2.1.3"


def test_without_python_313_students_get_a_skip_and_ci_a_failure(monkeypatch):
    monkeypatch.setitem(tool, "find_python313", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(OPT_IN, raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"set {OPT_IN}=1"):
        _require_twin()
    monkeypatch.setenv(OPT_IN, "1")
    with pytest.raises(pytest.skip.Exception, match="no Python 3.13 found"):
        _require_twin()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        _require_twin()
