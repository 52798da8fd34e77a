"""Slider latency of every explorer in JupyterLab: from a slider change to the new figure on the page.

    python benchmarks/bench_widgets.py [--rounds 3] [NN_name.ipynb ...]

Uses the browser test's machinery (tests/test_browser.py): JupyterLab on 127.0.0.1,
Debian's Chromium through Playwright, each notebook of the EXPLORERS table run top to
bottom, then its explorer's steps replayed ``--rounds`` times, one change at a time,
each change timed from the browser's event (Enter typed in a slider's readout, a
dropdown choice) to the insertion of the new picture. Prints per explorer the number
of timed updates, the median, the 90th percentile and the maximum, whether the median
meets the target (250 ms on 2 cores), and what explains the time: the median time to
the first change of the text panel (the round trip to the kernel and the view's
arithmetic), the kernel's CPU time per update (Linux /proc; the work an update costs
whatever else loads the machine, so a lower bound of the latency on an idle machine),
and the size of the PNG the kernel draws, encodes and sends for each update.
"""
import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402


def kernel_cpu(home):
    """A function returning the CPU seconds used so far by the kernels that JupyterLab (run with
    its private folders under ``home``) started: the work one update costs, whatever the load.
    (The kernels of the explorers timed before stay idle and add nothing.)"""
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


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names of the EXPLORERS table (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="replays of each explorer's steps")
    args = parser.parse_args()
    reason = tb._missing()
    if reason:
        sys.exit(f"cannot run: {reason}")
    explorers = [e for e in tb.EXPLORERS if not args.notebooks or e.notebook in args.notebooks]
    from playwright.sync_api import sync_playwright

    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'explorer':60s} {'updates':>7s} {'median ms':>9s} {'p90 ms':>7s} {'max ms':>7s} "
          f"{'text ms':>7s} {'kernel CPU ms':>13s} {'PNG KB':>6s} {'pixels':>9s}  target {tb.LATENCY_TARGET_MS} ms")
    missed = []
    with tempfile.TemporaryDirectory(prefix="bench-widgets-") as scratch:
        scratch = pathlib.Path(scratch)
        (scratch / "home").mkdir()
        (scratch / "served").mkdir()
        with tb.jupyterlab(scratch / "home", scratch / "served") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=tb.CHROMIUM, headless=True, args=tb.CHROMIUM_FLAGS)
            for explorer in explorers:
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(60_000)
                name = tb._prepare(scratch / "served", explorer)
                tb._open_and_run(page, url, name)
                home = tb.control_values(page, explorer)
                time.sleep(1.0)  # let the first drawing settle
                trace = []
                ms = tb.time_explorer(page, explorer, home, rounds=args.rounds, trace=trace,
                                      probe=kernel_cpu(scratch / "home"))
                context.close()
                drawn = [t for t in trace if t["figure_ms"] is not None]
                text_ms = statistics.median(t["text_ms"] for t in drawn) if drawn else float("nan")
                png_kb = statistics.median(t["png_kb"] for t in drawn) if drawn else float("nan")
                pixels = drawn[-1]["pixels"] if drawn else "-"
                cpu_ms = statistics.median(t["probe"] for t in drawn) * 1000 if drawn else float("nan")
                label = f"{explorer.notebook}: {explorer.cell.split('(')[0]}"
                if not ms:
                    print(f"{label:60s} {0:7d}  (no update drew a figure)")
                    continue
                median = statistics.median(ms)
                verdict = "ok" if median < tb.LATENCY_TARGET_MS else "MISSED"
                if verdict != "ok":
                    missed.append(explorer.notebook)
                print(f"{label:60s} {len(ms):7d} {median:9.0f} {percentile(ms, 0.9):7.0f} {max(ms):7.0f} "
                      f"{text_ms:7.0f} {cpu_ms:13.0f} {png_kb:6.0f} {pixels:>9s}  {verdict}", flush=True)
            browser.close()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
