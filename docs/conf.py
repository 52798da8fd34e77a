"""Sphinx configuration of the book: every notebook with its stored outputs, as a website.

Do not run sphinx-build on this folder directly: `python tools/build_book.py` stages
the notebooks (widget outputs replaced by their static fallback, badges drawn from
local files) and runs `sphinx-build -c docs STAGE OUT`. Nothing is executed and
nothing is fetched, at build time or when a page is read.
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

_pyproject = (HERE.parent / "pyproject.toml").read_text(encoding="utf-8")
REPOSITORY = re.search(r'^Repository\s*=\s*"([^"]+)"', _pyproject, re.M).group(1)

project = "cs231n-notebooks"
html_title = "cs231n-notebooks: convolutional networks, one notebook at a time"
author = "the cs231n-notebooks authors"
copyright = "the cs231n-notebooks authors (MIT licence)"

extensions = ["myst_nb", "mathml"]

# The notebooks are committed with their outputs: show those, never run anything.
nb_execution_mode = "off"
# Widget cells carry no widget state; their JavaScript would come from a CDN. The staging
# step replaces each widget output with its static fallback, so no widget JavaScript is needed.
nb_ipywidgets_js = {}
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# Formulas become MathML at build time (docs/_ext/mathml.py): no MathJax from a CDN.
html_math_renderer = "mathml"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": REPOSITORY,
    "use_repository_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # The download button would offer the staged copies of the notebooks; the badges open the real ones.
    "use_download_button": False,
}
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
suppress_warnings = ["myst.header"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
