"""Build the notebooks, with their stored outputs, into a static HTML book.

    python tools/build_book.py                 # writes docs/_build/html (open index.html)
    python tools/build_book.py --out DIR

Needs the `docs` extra (`pip install -e ".[docs]"`; the `test` extra has it too).
Nothing is executed and nothing is fetched: the pages show the outputs committed in
notebooks/NN_*.ipynb (run tools/run_notebooks.py first if they are stale).

The notebooks are staged into a scratch folder before Sphinx (docs/conf.py) reads them:
  * every notebook matching notebooks/[0-9][0-9]_*.ipynb, so a new notebook joins the
    book, and the table of contents (docs/index.md) lists them in teaching order;
  * a widget output (an explorer, a progress bar) has no state and needs a kernel: it is
    replaced by the static fallback stored with it (an image, HTML or Markdown in the same
    output, a text/plain written for readers rather than ipywidgets' own repr, or a
    progress bar's text in its final state) or,
    without one, by a note saying what the live notebook shows there;
  * the Colab and Binder badge pictures come from docs/_static/badges (the links stay the
    notebook's own), so that reading the book fetches nothing from other sites;
  * a link to a file of the repository outside the book (../cs231n_lib/...) points at it
    on GitHub; a link to another notebook stays a link inside the book.
"""
import argparse
import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DEFAULT_OUT = DOCS / "_build" / "html"
BUILD_LIMIT = 600  # seconds

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# What a notebook may store next to a widget view as its static fallback, best first.
STATIC_FALLBACK = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/latex")
BADGES = {
    "https://colab.research.google.com/assets/colab-badge.svg": "colab.svg",
    "https://mybinder.org/badge_logo.svg": "binder.svg",
}
PROGRESS_BAR = re.compile(r"\d+%\|")  # tqdm's text of a progress bar
FINISHED_BAR = re.compile(r"100%\|")  # ... stored in its final state (cs231n_lib.progress does that)
DEFAULT_REPR = re.compile(r"^\w+\(\w+=")  # ipywidgets' own repr: VBox(children=(...  IntSlider(value=7, ...

EXPLORER_NOTE = (
    '<div class="widget-fallback"><p><strong>Interactive explorer.</strong> In a running notebook '
    "this cell shows sliders, and what it shows follows them. Open the notebook in Colab or Binder "
    "(badges at the top of this page) to use it; the cells next to it show fixed settings as "
    "static figures and numbers.</p></div>"
)
PROGRESS_NOTE = (
    '<div class="widget-fallback"><p><strong>Progress bar.</strong> In a running notebook a bar '
    "here counts the training iterations as they run; the results are printed below.</p></div>"
)


def notebooks():
    """The book's notebooks, in teaching order (their number)."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def static_output(output):
    """The output as the book shows it: a widget view becomes its static fallback."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return output
    fallback = {mime: data[mime] for mime in STATIC_FALLBACK if mime in data}
    text = _text(data.get("text/plain", ""))
    unfinished_bar = PROGRESS_BAR.search(text) and not FINISHED_BAR.search(text)
    if not fallback and text.strip() and not DEFAULT_REPR.match(text) and not unfinished_bar:
        # a text written for readers without a kernel, or a progress bar in its final state
        fallback = {"text/plain": text}
    if not fallback:
        fallback = {"text/html": PROGRESS_NOTE if PROGRESS_BAR.search(text) else EXPLORER_NOTE}
    shown = {k: v for k, v in output.items() if k not in ("data", "execution_count")}
    shown["output_type"] = "display_data"
    shown["data"] = fallback
    shown.setdefault("metadata", {})
    return shown


def repository_url():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^Repository\s*=\s*"([^"]+)"', text, re.M).group(1).rstrip("/")


def _repository_link(match):
    """A Markdown link from a notebook to a file of the repository outside the book (say
    ../cs231n_lib/arithmetic.py) points at that file on GitHub; other links stay as written."""
    target, fragment = match.group(2).partition("#")[::2]
    path = (ROOT / "notebooks" / target).resolve()
    inside_book = path.parent == ROOT / "notebooks" and re.fullmatch(r"\d\d_.+\.ipynb", path.name)
    if inside_book or not path.exists() or ROOT not in path.parents:
        return match.group(0)
    kind = "tree" if path.is_dir() else "blob"
    url = f"{repository_url()}/{kind}/main/{path.relative_to(ROOT).as_posix()}" + (f"#{fragment}" if fragment else "")
    return f"{match.group(1)}({url})"


LOCAL_LINK = re.compile(r"(\[[^\]]*\])\((?!https?:|mailto:|#)([^)\s]+)\)")


def static_notebook(nb, badge_dir="../_badges"):
    """A copy of notebook ``nb`` (a dict) as the book shows it."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = _text(cell["source"])
            for url, name in BADGES.items():
                source = source.replace(f"]({url})", f"]({badge_dir}/{name})")
            cell["source"] = LOCAL_LINK.sub(_repository_link, source)
        elif cell["cell_type"] == "code":
            cell["outputs"] = [static_output(out) for out in cell.get("outputs", [])]
    return nb


def stage(src, paths=None):
    """Write the book's sources (the notebooks ``paths``, default all) into the empty folder ``src``."""
    src = pathlib.Path(src)
    (src / "notebooks").mkdir(parents=True)
    shutil.copy2(DOCS / "index.md", src / "index.md")
    shutil.copytree(DOCS / "_static" / "badges", src / "_badges")
    for path in paths or notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        (src / "notebooks" / path.name).write_text(json.dumps(static_notebook(nb), indent=1), encoding="utf-8")
    return src


def offline_env():
    """Environment for the build: any attempt to reach the network fails at once."""
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env[name] = "http://127.0.0.1:9"  # the discard port: nothing listens there
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def build(out=DEFAULT_OUT, python=sys.executable, paths=None):
    """Stage the notebooks (``paths``, default all) and build the HTML book into ``out``
    (replaced); return ``out``.

    Sphinx runs with -W: any warning (a broken reference, a missing image, a formula that
    does not convert) fails the build, with Sphinx's messages in the exception.
    """
    out = pathlib.Path(out)
    with tempfile.TemporaryDirectory(prefix="cs231n-book-") as scratch:
        src = stage(pathlib.Path(scratch) / "src", paths)
        if out.exists():
            shutil.rmtree(out)
        cmd = [python, "-m", "sphinx", "-b", "html", "-c", str(DOCS), "-W", "--keep-going", "-q",
               "-d", str(pathlib.Path(scratch) / "doctrees"), str(src), str(out)]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_LIMIT, env=offline_env())
    if result.returncode != 0:
        raise RuntimeError(f"the book did not build ({' '.join(cmd)}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        out = build(args.out)
    except RuntimeError as err:
        sys.exit(str(err))
    print(f"the book is in {out} (open {out / 'index.html'})")


if __name__ == "__main__":
    main()
