"""The topic packages (vis, widgets, exercises): one module per topic, every public name
re-exported, and the one-way data flow of DESIGN.md kept."""
import ast
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIB = ROOT / "cs231n_lib"
PACKAGES = ["vis", "widgets", "exercises"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_topic_module_is_listed_and_reexported(package):
    pkg = importlib.import_module(f"cs231n_lib.{package}")
    files = {p.stem for p in (LIB / package).glob("*.py") if not p.stem.startswith("_")}
    listed = {m.__name__.rsplit(".", 1)[1] for m in pkg.TOPICS}
    assert files == listed, f"{package}/__init__.py TOPICS must list every topic module"
    for topic in pkg.TOPICS:
        for name in topic.__all__:
            assert getattr(pkg, name) is getattr(topic, name), f"{package}.{name}"


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            yield node.level, node.module or "", [a.name for a in node.names]


def test_no_module_calls_a_private_name_of_another_module():
    """`from .x import _private` or `x._private(` across modules: use a public name instead.
    (A package's own `_base` module is shared by its topic modules.)"""
    offenders = []
    for path in LIB.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for level, module, names in _imports(path):
            if module.split(".")[-1] in ("_base", "_checks"):
                continue
            offenders += [f"{path.relative_to(ROOT)}: {module}.{n}" for n in names
                          if n.startswith("_") and n != "__version__"]
        for mod in ("arithmetic", "layers", "fast_layers", "nets", "data", "specs", "im2col"):
            if f"{mod}._" in text.replace(f"{mod}.__", ""):
                offenders.append(f"{path.relative_to(ROOT)}: {mod}._...")
    assert not offenders, offenders


def test_light_import():
    """import cs231n_lib and its figure/explorer packages does not import matplotlib or ipywidgets."""
    import subprocess
    import sys

    code = ("import sys, cs231n_lib.vis, cs231n_lib.widgets, cs231n_lib.exercises; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'skimage') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
