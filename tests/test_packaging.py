"""pyproject.toml and environment.yml must describe the same environment."""
import pathlib
import re
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    tomllib = pytest.importorskip("tomli")

# Packages pip needs but conda does not list by the same name, or conda-only tools.
CONDA_ONLY = {"python", "pip"}
# conda-forge names of packages that PyPI names differently.
PIP_NAME_OF = {"playwright-python": "playwright"}
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(requirement):
    name, spec = NAME.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pip_requirements():
    project = pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in ("lab", "test"):
        reqs += project["optional-dependencies"][extra]
    return dict(_parse(r) for r in reqs)


def conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    parsed = dict(_parse(d.replace("=", "==", 1) if re.match(r"^[\w.-]+=[^=]", d) else d) for d in deps)
    return {PIP_NAME_OF.get(k, k): v for k, v in parsed.items() if k not in CONDA_ONLY}, env


def test_environment_lists_the_same_packages_as_pyproject():
    conda, _ = conda_requirements()
    assert conda == pip_requirements(), (
        "environment.yml and pyproject.toml (dependencies + lab + test extras) differ; "
        "add or change the package in both"
    )


def test_environment_is_binder_ready():
    _, env = conda_requirements()
    assert env["channels"][0] == "conda-forge"
    assert "python=3.11" in env["dependencies"]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section == [{"pip": ["-e ."]}], "the package itself must be installed by pip"
    assert not (ROOT / "binder").exists(), "a binder/ folder would shadow environment.yml"


def test_colab_floors_do_not_upgrade_colab():
    deps = dict(_parse(r) for r in pyproject()["project"]["dependencies"])
    # Colab ships ipywidgets 7.7.1: the floor must admit it.
    assert deps["ipywidgets"] == ">=7.7"
    assert deps["numpy"] == ">=1.22" and deps["matplotlib"] == ">=3.5"


def test_nbval_is_strict_and_covers_the_notebooks():
    options = pyproject()["tool"]["pytest"]["ini_options"]
    addopts = options["addopts"].split()
    assert "--nbval" in addopts and "--nbval-lax" not in addopts
    assert "--nbval-current-env" in addopts
    assert addopts[addopts.index("--nbval-sanitize-with") + 1] == "tests/sanitize.cfg"
    assert "notebooks" in options["testpaths"] and "tests" in options["testpaths"]


def test_importing_the_package_is_light():
    import subprocess

    code = "import sys, cs231n_lib.arithmetic; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
