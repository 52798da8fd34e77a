"""The widget tests pass under ipywidgets 8 and under Colab's ipywidgets 7.7.1.

The README's test command installs the newest ipywidgets (8.x), so
tests/test_widgets.py runs under 8 in the main environment. Colab ships
ipywidgets 7.7.1 (and ipykernel 6), so this test builds a throwaway virtual
environment with those and runs tests/test_widgets.py again there. It needs
PyPI (or a pip cache) the first time; later runs reuse pip's cache.
"""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLAB_IPYWIDGETS = "7.7.1"


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
    # What tests/test_widgets.py imports, with Colab's kernel generation...
    _run(pip + ["numpy", "matplotlib", "pytest", "ipykernel<7", "ipython_genutils", "traitlets"])
    # ...and Colab's ipywidgets. Its other requirements (widgetsnbextension 3 pulls the whole
    # classic notebook server) only carry the browser side, which Python never imports.
    _run(pip + ["--no-deps", f"ipywidgets=={COLAB_IPYWIDGETS}"])

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    env["PYTHONPATH"] = str(ROOT)
    version = _run([python, "-c", "import ipywidgets, cs231n_lib.widgets; print(ipywidgets.__version__)"],
                   env=env, cwd=tmp_path)
    assert version.strip() == COLAB_IPYWIDGETS

    out = _run([python, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q", "-rs",
                ROOT / "tests" / "test_widgets.py"], env=env, cwd=ROOT)
    summary = out.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary and "failed" not in summary, out[-3000:]
