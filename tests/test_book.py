"""The notebooks as a static website: the book that tools/build_book.py builds.

The book is built from the committed notebooks (nothing executed, nothing fetched), served
on 127.0.0.1, and every page is opened in Chromium. Each page must have its title (a
notebook's page the notebook's own "NN · Title"), every image on it must load, every link
that stays inside the book must reach an existing page and anchor, a notebook page must
show as many figures as the notebook stores, its Colab and Binder badges, and a note in
place of each widget (never a widget's `VBox(children=...` repr); no page may request
anything from another host. test_the_checks_catch_a_broken_book breaks a copy of the
built book on purpose and checks that the same checks fail.

Needs the `docs` packages (in the `test` extra) and Debian's Chromium at /usr/bin/chromium
(`apt-get install chromium`; never `playwright install`). Without them the tests are
skipped with the reason, except under CI (environment variable CI set), where that fails.
"""
import functools
import html.parser
import http.server
import json
import os
import pathlib
import re
import runpy
import shutil
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
book_tool = runpy.run_path(str(ROOT / "tools" / "build_book.py"))
notebook_cells = runpy.run_path(str(ROOT / "tools" / "notebook_cells.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_REPR = re.compile(r"\b[VH]Box\(children=|IntSlider\(|\d+%\|\s+\|")


# ---------------------------------------------------------------- what each notebook holds
def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def notebook_title(nb):
    """'NN · Title' from the first line of the first cell ('# NN · Title')."""
    first = _text(nb["cells"][0]["source"]).split("\n", 1)[0]
    assert first.startswith("# "), first
    return first[2:].strip()


def stored_outputs(nb):
    return [out for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", [])]


def stored_figures(nb):
    """Outputs that carry a picture (a widget view's own picture is its static fallback)."""
    return sum(1 for out in stored_outputs(nb) if any(m.startswith("image/") for m in out.get("data", {})))


def bare_widgets(nb):
    """Widget views stored without a static fallback of their own (their text/plain, if any,
    is ipywidgets' repr or an unfinished progress bar): the book shows a note for each."""
    def bare(text):
        unfinished_bar = re.search(r"\d+%\|", text) and not re.search(r"100%\|", text)
        return WIDGET_REPR.search(text) or not text.strip() or unfinished_bar

    return sum(1 for out in stored_outputs(nb)
               if WIDGET_VIEW in out.get("data", {}) and set(out["data"]) <= {WIDGET_VIEW, "text/plain"}
               and bare(_text(out["data"].get("text/plain", ""))))


# ---------------------------------------------------------------- requirements
def _missing():
    for module, why in (("sphinx", "Sphinx"), ("myst_nb", "myst-nb"), ("sphinx_book_theme", "sphinx-book-theme"),
                        ("latex2mathml", "latex2mathml"), ("playwright.sync_api", "Playwright for Python")):
        try:
            __import__(module)
        except ImportError:
            return f"{why} is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found: install Debian's Chromium with `sudo apt-get install chromium`"
    return None


@pytest.fixture(scope="module")
def requirements():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"book tests cannot run in CI: {reason}")
    if reason:
        pytest.skip(f"book tests skipped: {reason} (they are required when CI is set)")


# ---------------------------------------------------------------- unit tests of the staging
def _widget_output(extra=None, text="VBox(children=(HBox(children=(IntSlider(value=7, ..."):
    data = {WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": text}
    data.update(extra or {})
    return {"output_type": "execute_result", "execution_count": 3, "metadata": {}, "data": data}


def test_a_widget_without_fallback_becomes_a_note():
    shown = book_tool["static_output"](_widget_output())
    assert shown["output_type"] == "display_data" and list(shown["data"]) == ["text/html"]
    assert "Interactive explorer" in shown["data"]["text/html"] and "Colab or Binder" in shown["data"]["text/html"]


def test_a_progress_bar_becomes_its_own_note():
    shown = book_tool["static_output"](_widget_output(text="training:   0%|          | 0/96 [00:00<?, ?it/s]"))
    assert "Progress bar" in shown["data"]["text/html"]


def test_a_finished_progress_bar_shows_its_text():
    text = "training: 100%|##########| 96/96 [00:03<00:00, 30.01it/s, loss=1.305]"
    assert book_tool["static_output"](_widget_output(text=text))["data"] == {"text/plain": text}


def test_a_widget_with_a_stored_fallback_shows_the_fallback():
    shown = book_tool["static_output"](_widget_output({"image/png": "iVBORw0KGgo=", "text/html": "<b>W=7</b>"}))
    assert shown["data"] == {"text/html": "<b>W=7</b>", "image/png": "iVBORw0KGgo="}


def test_a_widget_with_a_text_for_readers_shows_that_text():
    text = "conv explorer at W=7, F=3, S=2, P=0: output 3x3x8 (run the notebook to move the sliders)"
    assert book_tool["static_output"](_widget_output(text=text))["data"] == {"text/plain": text}


def test_links_to_repository_files_point_at_github_and_links_between_notebooks_stay():
    url = notebook_cells["repository_url"]()
    nb = {"metadata": {}, "cells": [{"cell_type": "markdown", "source": (
        f"See [the layer](../cs231n_lib/layers.py#L10), [the data](../data), [the next one]({NOTEBOOKS[-1].name}), "
        "[a section](#exercises), [numpy](https://numpy.org) and [a typo](../no_such_file.py).")}]}
    text = book_tool["static_notebook"](nb)["cells"][0]["source"]
    assert f"[the layer]({url}/blob/main/cs231n_lib/layers.py#L10)" in text
    assert f"[the data]({url}/tree/main/data)" in text
    assert f"[the next one]({NOTEBOOKS[-1].name})" in text
    assert "[a section](#exercises)" in text and "[numpy](https://numpy.org)" in text
    assert "[a typo](../no_such_file.py)" in text  # left broken: the build fails on it


def test_a_broken_link_in_a_notebook_fails_the_build(requirements, tmp_path):
    nb = _notebook(NOTEBOOKS[0])
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": "Read [this](../no_such_file.py)."})
    broken = tmp_path / NOTEBOOKS[0].name
    broken.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(RuntimeError, match="no_such_file"):
        book_tool["build"](tmp_path / "html", paths=[broken])


def test_other_outputs_are_untouched_and_badges_become_local():
    nb = _notebook(NOTEBOOKS[0])
    staged = book_tool["static_notebook"](nb)
    plain = [o for o in stored_outputs(nb) if WIDGET_VIEW not in o.get("data", {})]
    assert [o for o in stored_outputs(staged) if WIDGET_VIEW not in o.get("data", {}) and o in plain] == plain
    first = _text(staged["cells"][0]["source"])
    assert "](../_badges/colab.svg)" in first and "](../_badges/binder.svg)" in first
    assert "colab.research.google.com/assets" not in first
    assert _text(nb["cells"][0]["source"]) != first, "the committed notebook must not change"


# ---------------------------------------------------------------- the built book in a browser
@pytest.fixture(scope="module")
def book(requirements, tmp_path_factory):
    """The book built from the committed notebooks, in a scratch folder."""
    return book_tool["build"](tmp_path_factory.mktemp("book") / "html")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(book):
    """(base URL, folder): a static file server on 127.0.0.1 for the built book."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", book
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(requirements):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


def book_pages(folder):
    """Every HTML page of the book (theme and source folders excluded), as paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in pathlib.Path(folder).rglob("*.html")
                  if not p.relative_to(folder).parts[0].startswith("_"))


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _anchors(path):
    parser = _Ids()
    parser.feed(pathlib.Path(path).read_text(encoding="utf-8"))
    return frozenset(parser.ids)


_IMAGES_JS = """async () => Promise.all([...document.querySelectorAll('img')].map(async img => {
    const probe = new Image();
    probe.src = img.currentSrc || img.src;
    let ok = true;
    try { await probe.decode(); } catch (e) { ok = false; }
    return {src: img.getAttribute('src'), ok: ok && probe.naturalWidth > 0,
            inArticle: !!img.closest('article'), link: img.closest('a') ? img.closest('a').href : null};
}))"""


def check_page(page, base, folder, rel):
    """Open one page of the book; return its problems (an empty list when it is right)."""
    problems, outside = [], []
    page.unroute("**/*")

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    response = page.goto(base + rel, wait_until="load")
    if response is None or response.status != 200:
        return [f"{rel}: the page did not load ({response.status if response else 'no response'})"]

    # its title
    title = page.title().strip()
    headings = page.locator("article h1") if page.locator("article h1").count() else page.locator("h1")
    h1 = [t.strip().rstrip("#¶").strip() for t in headings.all_inner_texts()]
    h1 = [t for t in h1 if t]
    if not title or not h1 or not h1[0]:
        problems.append(f"{rel}: no title (<title> {title!r}, <h1> {h1})")
    name = pathlib.PurePosixPath(rel).name
    notebook = next((p for p in NOTEBOOKS if p.stem + ".html" == name and rel.startswith("notebooks/")), None)
    nb = _notebook(notebook) if notebook else None
    if nb is not None:
        expected = notebook_title(nb)
        if not h1 or h1[0] != expected or not title.startswith(expected):
            problems.append(f"{rel}: title {title!r} / heading {h1[:1]} is not the notebook's {expected!r}")

    # its images load
    images = page.evaluate(_IMAGES_JS)
    for img in images:
        if not img["ok"]:
            problems.append(f"{rel}: broken image {img['src']}")

    # its links inside the book lead somewhere
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    for href in sorted(set(hrefs)):
        if not href.startswith(base):
            continue
        target, _, fragment = href[len(base):].partition("#")
        target = urllib.parse.unquote(target.split("?", 1)[0])
        path = folder / target
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            problems.append(f"{rel}: broken link {href} (no {target})")
        elif fragment and path.suffix == ".html" and urllib.parse.unquote(fragment) not in _anchors(path):
            problems.append(f"{rel}: broken link {href} (no anchor #{fragment} in {target})")

    if nb is not None:
        figures = [i for i in images if i["inArticle"] and "/_images/" in (i["src"] or "") and "_badges" not in i["src"]
                   and not i["src"].endswith(("colab.svg", "binder.svg"))]
        if len(figures) != stored_figures(nb):
            problems.append(f"{rel}: {len(figures)} figures shown, the notebook stores {stored_figures(nb)}")
        for service, url in (("Colab", "https://colab.research.google.com/github/"),
                             ("Binder", "https://mybinder.org/v2/gh/")):
            badge = [i for i in images if i["link"] and i["link"].startswith(url) and notebook.name in i["link"]]
            if not badge or not all(i["ok"] for i in badge):
                problems.append(f"{rel}: no working {service} badge for {notebook.name}")
        badges = re.findall(r"\)\]\((https://[^)]+)\)", notebook_cells["badges_markdown"](notebook.name))
        missing = [u for u in badges if u not in hrefs]
        if missing:
            problems.append(f"{rel}: badge links {missing} are not the notebook's")
        notes = page.locator(".widget-fallback").count()
        if notes != bare_widgets(nb):
            problems.append(f"{rel}: {notes} widget notes for {bare_widgets(nb)} widgets without a fallback")
    text = page.locator("article").first.inner_text() if page.locator("article").count() else page.inner_text("body")
    if WIDGET_REPR.search(text):
        problems.append(f"{rel}: shows a widget's repr ({WIDGET_REPR.search(text).group(0)!r}) instead of its fallback")
    if outside:
        problems.append(f"{rel}: requests to other hosts: {sorted(set(outside))[:5]}")
    return problems


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def test_the_book_has_a_page_for_every_notebook_in_teaching_order(served, page):
    base, folder = served
    pages = book_pages(folder)
    assert {"index.html", "search.html", "genindex.html"} <= set(pages)
    assert [p for p in pages if p.startswith("notebooks/")] == [f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS]
    page.goto(base + "index.html")
    toc = page.locator("article .toctree-wrapper a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert toc == [f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS], "the table of contents is not in teaching order"
    captions = page.locator("article .toctree-wrapper a").all_inner_texts()
    assert captions == [notebook_title(_notebook(nb)) for nb in NOTEBOOKS]


def test_every_page_has_its_title_figures_and_working_links(served, page):
    base, folder = served
    problems = []
    for rel in book_pages(folder):
        problems += check_page(page, base, folder, rel)
    assert problems == []


def test_the_checks_catch_a_broken_book(served, page, tmp_path):
    """Break a copy of the book in six ways; each must be reported by check_page."""
    base, folder = served
    broken = tmp_path / "html"
    shutil.copytree(folder, broken)
    first, second = f"notebooks/{NOTEBOOKS[0].stem}.html", f"notebooks/{NOTEBOOKS[-1].stem}.html"
    # a figure file lost
    html1 = (broken / first).read_text(encoding="utf-8")
    figure = re.search(r'src="\.\./(_images/[0-9a-f]{16,}\.png)"', html1).group(1)
    (broken / figure).unlink()
    # a link to a missing page and to a missing anchor, a page without its heading
    html2 = (broken / second).read_text(encoding="utf-8")
    html2 = html2.replace("<article", '<a href="no-such-page.html">x</a><a href="#no-such-anchor">y</a><article', 1)
    html2 = re.sub(r"<h1>.*?</h1>", "", html2, flags=re.S)
    # a figure dropped from the page
    html2 = re.sub(r'<img[^>]*src="\.\./_images/[0-9a-f]{16,}\.png"[^>]*/?>', "", html2, count=1)
    # the widget note replaced by the widget's repr
    html2 = html2.replace('<div class="widget-fallback">', '<div>VBox(children=(IntSlider(value=7))) ', 1)
    (broken / second).write_text(html2, encoding="utf-8")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(broken)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        found = check_page(page, url, broken, first) + check_page(page, url, broken, second)
    finally:
        server.shutdown()
        server.server_close()
    report = "\n".join(found)
    assert f"broken image ../{figure}" in report
    assert f"{second}: {stored_figures(_notebook(NOTEBOOKS[-1])) - 1} figures shown" in report
    assert "(no notebooks/no-such-page.html)" in report
    assert "(no anchor #no-such-anchor" in report
    assert f"{second}: no title" in report
    if bare_widgets(_notebook(NOTEBOOKS[-1])):
        assert "shows a widget's repr" in report


def test_the_docs_extra_is_in_the_test_extra():
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        tomllib = pytest.importorskip("tomli")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras["docs"] and set(extras["docs"]) <= set(extras["test"]), (
        "the test command builds the book: every package of the docs extra must be in the test extra")


def test_the_conv_step_explorer_plays_in_the_book_and_shows_a_strip_without_scripts(served, browser):
    """Notebook 01's step-through explorer (issue 28): the book page plays the notes' example
    (18 positions, one per second, a pause button that holds it, next that steps), and a page
    that runs no scripts (as GitHub) shows the strip of the first three positions instead."""
    from playwright.sync_api import expect

    base, _ = served
    (notebook,) = [nb for nb in NOTEBOOKS if nb.name.startswith("01_")]
    url = f"{base}notebooks/{notebook.stem}.html"
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        page.goto(url, wait_until="load")
        demo = page.locator(".conv-steps")
        expect(demo).to_have_count(1)
        animation, strip = demo.locator(".conv-steps-animation"), demo.locator(".conv-steps-strip")
        expect(animation).to_be_visible()
        expect(strip).to_be_hidden()
        slider, picture = animation.locator("input.anim-slider"), animation.locator(".animation img")
        expect(slider).to_have_attribute("max", "17")        # 18 frames
        page.wait_for_function("s => +s.value >= 2", arg=slider.element_handle(), timeout=10_000)  # it plays
        animation.locator("button", has_text="pause").click()
        held = slider.input_value()
        page.wait_for_timeout(2_500)
        assert slider.input_value() == held, "the pause button did not stop the animation"
        before = picture.get_attribute("src")
        animation.locator("button", has_text="next").click()
        assert int(slider.input_value()) == (int(held) + 1) % 18
        assert picture.get_attribute("src") != before and picture.get_attribute("src").startswith("data:image/png")
        assert page.evaluate("img => img.naturalWidth", picture.element_handle()) > 600
    finally:
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        strip = page.locator(".conv-steps-strip")
        expect(strip).to_be_visible()
        shown = strip.locator("img")
        expect(shown).to_have_count(3)
        widths = shown.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        assert min(widths) > 600, widths
        expect(page.locator(".conv-steps-animation")).to_be_hidden()
    finally:
        context.close()
