"""Slider latency of every explorer in JupyterLab, before and after issue 25, in one run.

    python benchmarks/bench_widgets.py [--rounds 3] [--before f6ac570] [--no-before] [NN_name.ipynb ...]

Uses the browser test's machinery (tests/test_browser.py): JupyterLab on 127.0.0.1, Debian's
Chromium through Playwright, each notebook of the EXPLORERS table run top to bottom, then its
explorer's steps replayed ``--rounds`` times, one change at a time, each change timed from the
browser's event (Enter typed in a slider's readout, a dropdown choice) to the insertion of the
new picture. Then one slider of the explorer (the table's ``drag``) is dragged with the mouse
for about a second.

Two JupyterLab servers run side by side: "after" imports ``cs231n_lib`` from this checkout,
"before" from commit ``--before`` (f6ac570, the explorers before issue 25), exported with
``git archive`` into a scratch folder; the notebooks are this checkout's. Each explorer is
measured before and then after, one right after the other, so that both see the same load.

Prints per explorer and code:

* ``updates``: the changes that drew a picture (a change to an invalid setting draws none; one
  that only changes the text draws none after issue 25);
* ``median``, ``p90``, ``max``: milliseconds from the event to the picture, over all rounds;
* ``new med``: the median over the first round, whose settings the explorer had not drawn yet
  (later rounds revisit them, and after issue 25 an explorer keeps the pictures it drew);
* ``text``: median milliseconds to the first change of the explorer's output (the text panel);
* ``CPU``, ``CPU new``: the kernel's CPU milliseconds per update (Linux /proc: the work an
  update costs whatever else loads the machine), median over all rounds and over the first;
* ``PNG KB`` and ``pixels`` of the picture the kernel sends;
* the drag: pictures shown while the mouse moved, and milliseconds from the release to the last
  picture (before issue 25 the sliders update only on release).

The machine's load average is printed before each explorer: wall times grow with it, the CPU
times much less. Issue 25's targets, on a quiet machine (load average under 1): median at most
100 ms, p90 at most 200 ms, kernel CPU per update at most 60 ms.
"""
import argparse
import contextlib
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402

BEFORE = "f6ac570"  # main before issue 25: the explorers redrew whole figures through the inline backend


def kernel_cpu(home):
    """A function returning the CPU seconds used so far by the kernels that JupyterLab (run with
    its private folders under ``home``) started: the work one update costs, whatever the load.
    (The kernels of the explorers timed before are shut down.)"""
    marker = str(home).encode()

    def seconds():
        total = 0.0
        for cmdline in pathlib.Path("/proc").glob("[0-9]*/cmdline"):
            try:
                cmd = cmdline.read_bytes().split(b"\0")
                if b"ipykernel_launcher" in cmd and any(marker in part for part in cmd):
                    fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
                    total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
            except OSError:
                continue
        return total

    return seconds


def shut_down_kernels(url):
    """Stop every kernel of the JupyterLab at ``url`` (through its REST API)."""
    with urllib.request.urlopen(f"{url}/api/kernels", timeout=10) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except OSError:
            pass


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def measure(browser, url, served, home, explorer, rounds):
    """One explorer on one server: its notebook run, its steps replayed, one slider dragged."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        name = tb._prepare(served, explorer)
        tb._open_and_run(page, url, name)
        home_values = tb.control_values(page, explorer)
        time.sleep(1.0)  # let the first drawing settle
        trace = []
        ms = tb.time_explorer(page, explorer, home_values, rounds=rounds, trace=trace, probe=kernel_cpu(home))
        drag = None
        if explorer.drag:
            tb.restore_controls(page, explorer, home_values)
            drag = tb.drag_slider(page, explorer, *explorer.drag[:2])
    finally:
        context.close()
        shut_down_kernels(url)
    drawn = [t for t in trace if t["figure_ms"] is not None]
    first = [t for t in drawn if t["round"] == 0]
    return {
        "updates": len(ms), "median": median(ms), "p90": percentile(ms, 0.9) if ms else float("nan"),
        "max": max(ms) if ms else float("nan"), "new": median([t["figure_ms"] for t in first]),
        "text": median([t["text_ms"] for t in drawn]),
        "cpu": median([t["probe"] for t in drawn]) * 1000, "cpu_new": median([t["probe"] for t in first]) * 1000,
        "png_kb": median([t["png_kb"] for t in drawn]), "pixels": drawn[-1]["pixels"] if drawn else "-",
        "drag": drag,
    }


def row(label, code, r):
    drag = r["drag"]
    dragged = ("-" if drag is None else
               f"{drag['pictures']:3d} pictures, release +{drag['after_release_ms']:.0f} ms, to {drag['value']}"
               if drag["after_release_ms"] is not None else
               f"{drag['pictures']:3d} pictures, none after release, to {drag['value']}")
    return (f"{label:34s} {code:6s} {r['updates']:7d} {r['median']:7.0f} {r['p90']:6.0f} {r['max']:6.0f} "
            f"{r['new']:7.0f} {r['text']:6.0f} {r['cpu']:6.0f} {r['cpu_new']:7.0f} {r['png_kb']:6.0f} "
            f"{r['pixels']:>9s}  {dragged}")


def export(commit, folder):
    """``cs231n_lib`` and ``data`` of ``commit``, written into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "cs231n_lib", "data"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names of the EXPLORERS table (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="replays of each explorer's steps")
    parser.add_argument("--before", default=BEFORE, help=f"the commit measured as 'before' (default {BEFORE})")
    parser.add_argument("--no-before", action="store_true", help="measure this checkout only")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # stop the servers on the way out
    reason = tb._missing()
    if reason:
        sys.exit(f"cannot run: {reason}")
    explorers = [e for e in tb.EXPLORERS if not args.notebooks or e.notebook in args.notebooks]
    from playwright.sync_api import sync_playwright

    codes = ["after"] if args.no_before else ["before", "after"]
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"before = {args.before}, after = this checkout; {args.rounds} rounds")
    print(f"{'explorer':34s} {'code':6s} {'updates':>7s} {'median':>7s} {'p90':>6s} {'max':>6s} {'new med':>7s} "
          f"{'text':>6s} {'CPU':>6s} {'CPU new':>7s} {'PNG KB':>6s} {'pixels':>9s}  drag (times in ms)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-widgets-") as scratch, sync_playwright() as p:
        scratch = pathlib.Path(scratch)
        servers = {}
        with contextlib.ExitStack() as stack:
            for code in codes:
                folder = scratch / code
                (folder / "home").mkdir(parents=True)
                (folder / "served").mkdir()
                source = ROOT
                if code == "before":
                    source = folder / "code"
                    source.mkdir()
                    export(args.before, source)
                url = stack.enter_context(tb.jupyterlab(folder / "home", folder / "served", code=source))
                servers[code] = (url, folder / "served", folder / "home")
            browser = p.chromium.launch(executable_path=tb.CHROMIUM, headless=True, args=tb.CHROMIUM_FLAGS)
            stack.callback(browser.close)
            for explorer in explorers:
                label = f"{explorer.notebook[:2]} {explorer.cell.split('(')[0].replace('widgets.', '')}"
                print(f"-- {explorer.notebook}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                      flush=True)
                for code in codes:
                    url, served, home = servers[code]
                    try:
                        r = measure(browser, url, served, home, explorer, args.rounds)
                    except Exception as err:  # e.g. a notebook that needs code 'before' lacks
                        print(f"{label:34s} {code:6s} could not run: {str(err).splitlines()[0][:100]}", flush=True)
                        continue
                    results[(explorer.notebook, code)] = r
                    print(row(label, code, r), flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    after = [r for (_, code), r in results.items() if code == "after"]
    print(f"targets (quiet machine): median <= {tb.MEDIAN_TARGET_MS} ms, p90 <= {tb.P90_TARGET_MS} ms, "
          f"kernel CPU <= {tb.CPU_TARGET_MS} ms per update; after, here: median up to "
          f"{max((r['median'] for r in after), default=float('nan')):.0f} ms, p90 up to "
          f"{max((r['p90'] for r in after), default=float('nan')):.0f} ms, CPU up to "
          f"{max((r['cpu'] for r in after), default=float('nan')):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
