"""The Colab setup cell, as stored in each notebook, run with a fake Colab.

The cell's source is executed with a fake `google.colab` module and fake
`subprocess.run` / `os.chdir` / `os.path.isdir`: nothing is cloned or installed,
the test records what would have been. The expected repository URL is read from
pyproject.toml here, independently of tools/notebook_cells.py.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import types

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    tomllib = pytest.importorskip("tomli")

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
URL = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Repository"]
CLONE = "/content/cs231n-notebooks"


def setup_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    src = code[0]["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.fixture
def fake_machine(monkeypatch):
    """Record subprocess.run and os.chdir calls; pretend nothing is on disk yet."""
    calls = {"run": [], "chdir": [], "existing": set()}
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls["run"].append((list(cmd), kw)))
    monkeypatch.setattr(os, "chdir", lambda path: calls["chdir"].append(path))
    monkeypatch.setattr(os.path, "isdir", lambda path: path in calls["existing"])
    monkeypatch.setattr(sys, "path", list(sys.path))
    return calls


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_setup_cell_in_colab_clones_installs_and_enters_notebooks(path, fake_machine, monkeypatch):
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(compile(setup_cell(path), f"{path.name}[setup]", "exec"), {})
    commands = [cmd for cmd, _ in fake_machine["run"]]
    assert commands == [
        ["git", "clone", "--depth", "1", URL, CLONE],
        [sys.executable, "-m", "pip", "install", "-q", "-e", CLONE],
    ]
    assert all(kw.get("check") for _, kw in fake_machine["run"]), "a failed clone or install must stop the cell"
    assert fake_machine["chdir"] == [CLONE + "/notebooks"]
    assert sys.path[0] == CLONE

    # Run again (Colab keeps the clone within a session): no second clone or install.
    fake_machine["run"].clear()
    fake_machine["existing"].add(CLONE)
    exec(compile(setup_cell(path), f"{path.name}[setup]", "exec"), {})
    assert fake_machine["run"] == []
    assert fake_machine["chdir"][-1] == CLONE + "/notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_setup_cell_does_nothing_outside_colab(path, fake_machine, monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    before = list(sys.path)
    exec(compile(setup_cell(path), f"{path.name}[setup]", "exec"), {})
    assert fake_machine["run"] == [] and fake_machine["chdir"] == [] and sys.path == before


def colab_runtime():
    """{name: version} of Colab's default runtime, from the pinned file (read here independently
    of tools/colab_twin.py): tests/colab-runtime-2026-08.txt."""
    versions = {}
    for line in (ROOT / "tests" / "colab-runtime-2026-08.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            versions[re.sub(r"[-_.]+", "-", name).lower()] = version
    return versions


def test_install_upgrades_nothing_colab_ships():
    """pip install -e . in Colab must not upgrade anything Colab ships (its ipywidgets 7.7.1 above all):
    every dependency is preinstalled there, and its floor is at or below Colab's version."""
    from packaging.requirements import Requirement

    colab = colab_runtime()
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for dep in map(Requirement, deps):
        name = re.sub(r"[-_.]+", "-", dep.name).lower()
        assert name in colab, f"{dep.name} is not preinstalled in Colab: the setup cell would install it"
        assert dep.specifier.contains(colab[name]), f"{dep} would upgrade Colab's {dep.name} {colab[name]}"


def test_the_floor_check_catches_a_floor_above_colab():
    from packaging.requirements import Requirement

    colab = colab_runtime()
    assert not Requirement("numpy>=2.2").specifier.contains(colab["numpy"])
    assert not Requirement("ipywidgets>=8").specifier.contains(colab["ipywidgets"])
    assert Requirement("ipywidgets>=7.7").specifier.contains(colab["ipywidgets"])
