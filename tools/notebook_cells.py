"""The cells every notebook starts with, defined once.

Each notebook begins with
  1. a markdown cell: the title, then the Colab/Binder badges;
  2. the Colab setup cell below (first code cell), byte for byte;
  3. a cell with `%matplotlib inline` and the imports the notebook needs.

tests/test_notebook_hygiene.py checks 1 and 2 against this file, and
`python tools/notebook_cells.py` rewrites 1 (badges) and 2 in every notebook
after the repository URL in pyproject.toml changes.
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def repository_url():
    """The one repository URL setting: [project.urls] Repository in pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^Repository\s*=\s*"(https://github\.com/[^"]+)"', text, re.M)
    if not match:
        raise SystemExit("pyproject.toml has no [project.urls] Repository = \"https://github.com/...\"")
    return match.group(1).rstrip("/")


def colab_setup_source(url=None):
    """Source of the first code cell: installs the package in Colab, does nothing elsewhere."""
    url = url or repository_url()
    return f'''# Colab only: fetch the repository and install its helper package. Elsewhere this does nothing.
import sys
if "google.colab" in sys.modules:
    import os, subprocess
    _repo = "/content/cs231n-notebooks"
    if not os.path.isdir(_repo):
        subprocess.run(["git", "clone", "--depth", "1", "{url}", _repo], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", _repo], check=True)
    sys.path.insert(0, _repo)
    os.chdir(_repo + "/notebooks")'''


def badges_markdown(notebook_name, url=None):
    """Open-in-Colab and Binder badges for one notebook file name."""
    url = url or repository_url()
    slug = url.split("github.com/", 1)[1]
    colab = f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{notebook_name}"
    binder = f"https://mybinder.org/v2/gh/{slug}/main?labpath=notebooks%2F{notebook_name}"
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
        f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder})"
    )


def _rewrite_notebook(path, url):
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    text = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
    lines = text.split("\n")
    badge = badges_markdown(path.name, url)
    lines = [badge if line.startswith("[![Open In Colab]") else line for line in lines]
    if badge not in lines:
        lines[1:1] = ["", badge]
    first["source"] = "\n".join(lines)
    nb["cells"][1]["source"] = colab_setup_source(url)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _rewrite_readme(url):
    readme = ROOT / "README.md"
    rows = []
    for line in readme.read_text(encoding="utf-8").split("\n"):
        match = re.match(r"^\| (\d\d) \| \[notebooks/(\S+\.ipynb)\]", line)
        if match:
            cells = line.split(" | ")
            cells[-1] = badges_markdown(match.group(2), url) + " |"
            line = " | ".join(cells)
        rows.append(line)
    readme.write_text("\n".join(rows), encoding="utf-8")


if __name__ == "__main__":
    # Rewrite the badges (notebooks and README table) and the Colab setup cells
    # from the repository URL in pyproject.toml.
    url = repository_url()
    for nb_path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        _rewrite_notebook(nb_path, url)
    _rewrite_readme(url)
    print(f"badges and setup cells now point at {url}")
