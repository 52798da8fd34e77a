"""The widget tests pass under ipywidgets 8 and under Colab's ipywidgets 7.7.1 (and matplotlib).

The README's test command installs the newest ipywidgets (8.x), so
tests/test_widgets.py runs under 8 in the main environment. Colab ships
ipywidgets 7.7.1 (and ipykernel 6, matplotlib 3.10), so this test builds a throwaway virtual
environment with those and runs the widget tests (WIDGET_TESTS) again there. It needs
PyPI (or a pip cache) the first time; later runs reuse pip's cache.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    tomllib = pytest.importorskip("tomli")

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Colab's ipywidgets and matplotlib, from its pinned runtime (tests/colab-runtime-2026-08.txt): the
# explorers' fast renderer (widgets._render) rebuilds matplotlib's text drawing where it can and must
# fall back to plain Agg on Colab's older matplotlib
COLAB_RUNTIME = (ROOT / "tests" / "colab-runtime-2026-08.txt").read_text()
COLAB_IPYWIDGETS = re.search(r"^ipywidgets==(\S+)", COLAB_RUNTIME, re.M).group(1)
COLAB_MATPLOTLIB = re.search(r"^matplotlib==(\S+)", COLAB_RUNTIME, re.M).group(1)
# Every test file that builds an explorer's widgets (each notebook's explorer has its own).
WIDGET_TESTS = ["test_widgets.py", "test_pool_widgets.py", "test_architecture_helpers.py", "test_explorer_edges.py",
                "test_notebook02_helpers.py", "test_adversarial_widgets.py",
                "test_understanding_widgets.py",
                "test_gradients_widgets.py", "test_conv_steps.py", "test_widgets_wiring.py",
                "test_widgets_pictures.py"]


# Test files that build explorers only inside a notebook kernel (JupyterLab, nbclient), never in
# the pytest process: the ipywidgets 7.7.1 environment has no browser or notebook runner.
KERNEL_ONLY = {"test_browser.py", "test_static_fallbacks.py"}


def test_every_widget_test_file_is_listed():
    building = {p.name for p in (ROOT / "tests").glob("test_*.py")
                if p.name != pathlib.Path(__file__).name and re.search(
                    r"_explorer\(|budget_calculator\(", p.read_text(encoding="utf-8"))}
    assert building - KERNEL_ONLY <= set(WIDGET_TESTS)


def test_main_environment_runs_the_widget_tests_under_ipywidgets_8():
    import ipywidgets

    assert int(ipywidgets.__version__.split(".")[0]) >= 8, (
        f"ipywidgets {ipywidgets.__version__} here: tests/test_widgets.py must also run under 8; "
        "set the environment up again with the README's test command"
    )


def _run(cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_widget_tests_pass_under_colab_ipywidgets_7(tmp_path):
    venv = tmp_path / "ipywidgets7"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # The package's other run-time dependencies and what the widget tests import, with
    # Colab's kernel generation...
    runtime = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
               ["project"]["dependencies"] if not d.startswith(("ipywidgets", "matplotlib"))]
    _run(pip + runtime + [f"matplotlib=={COLAB_MATPLOTLIB}", "scipy", "pytest", "ipykernel<7", "ipython_genutils",
                          "traitlets"])
    # ...and Colab's ipywidgets. Its other requirements (widgetsnbextension 3 pulls the whole
    # classic notebook server) only carry the browser side, which Python never imports.
    _run(pip + ["--no-deps", f"ipywidgets=={COLAB_IPYWIDGETS}"])

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    env["PYTHONPATH"] = str(ROOT)
    version = _run([python, "-c", "import ipywidgets, matplotlib, cs231n_lib.widgets; "
                                  "print(ipywidgets.__version__, matplotlib.__version__)"], env=env, cwd=tmp_path)
    assert version.split() == [COLAB_IPYWIDGETS, COLAB_MATPLOTLIB]

    out = _run([python, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q", "-rs"]
               + [ROOT / "tests" / name for name in WIDGET_TESTS], env=env, cwd=ROOT)
    summary = out.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary and "failed" not in summary, out[-3000:]
