"""Benchmark: large maps through ``kg render`` (overview and full) and in headless Chromium.

Run on demand (not part of the tests)::

    .venv/bin/python bench/render_scale.py [--work /var/tmp/pdkg-render] [--size 22000]

Needs Debian's /usr/bin/chromium. Two datasets: the web measurements of data/samples/webdep-us-2023
(imported once with ``kg import --webdep``) and a synthetic one of about ``--size`` dependencies (about
5,000 actors and 20,000 dependencies, ``bench/generate.py``). For each, ``kg render`` runs as its own
process with ``--view overview`` and with ``--view full`` (the baseline, same run): wall and CPU time and
peak memory from the operating system's accounting, and the page size. Each page is then opened in
Chromium (every host name unresolvable): the time until it is interactive (the network built and two
frames drawn), the drawing work of one redraw measured in the page, the time from a zoom or pan until two
frames are painted (median and worst), and how many of the drawn nodes carry a label. Figures vary with
the machine's load: compare the two views of one run, not runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import KG, PYTHON, WEBDEP, measure  # noqa: E402

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
WEBGL_MOVES = [
    "kgRenderer.getCamera().setState({ratio: 0.6})",
    "kgRenderer.getCamera().setState({ratio: 0.2})",
    "kgRenderer.getCamera().setState({x: 0.3, y: 0.6})",
    "kgRenderer.getCamera().setState({x: 0.7, y: 0.4})",
    "kgRenderer.getCamera().setState({ratio: 1.2})",
    "kgRenderer.getCamera().setState({x: 0.5, y: 0.5, ratio: 1})",
]
RENDER_WEBGL = """() => { const c = kgRenderer.getCamera(), times = [];
  for (const r of [0.6, 0.2, 0.4, 1.2, 1]) { const t = performance.now(); c.setState({ratio: r}); kgRenderer.refresh();
    times.push(performance.now() - t); }
  times.sort((a, b) => a - b); return times[Math.floor(times.length / 2)]; }"""
RENDER_VIS = """() => { const times = [];
  for (const s of [0.6, 1.2, 0.3, 0.9, 0.5]) { const t = performance.now(); kgNetwork.moveTo({scale: s});
    kgNetwork.renderer._redraw(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); return times[Math.floor(times.length / 2)]; }"""
MOVES = [
    "kgNetwork.moveTo({scale: 0.6})",
    "kgNetwork.moveTo({scale: 1.2})",
    "kgNetwork.moveTo({position: {x: 300, y: -200}})",
    "kgNetwork.moveTo({position: {x: -300, y: 250}})",
    "kgNetwork.moveTo({scale: 0.3})",
    "kgNetwork.fit({animation: false})",
]


def datasets(work: Path, size: int) -> list[tuple[str, Path, str]]:
    """(name, data file or folder, date) of the web measurements and a synthetic dataset (made once)."""
    work.mkdir(parents=True, exist_ok=True)
    found = []
    webdep = work / "webdep.ttl"
    if not webdep.exists() and WEBDEP.is_dir():
        command = [KG, "import", "--webdep", str(WEBDEP), "--no-validate", "--out", str(webdep)]
        subprocess.run(command, check=True, capture_output=True)
    if webdep.exists():
        found.append(("web measurements", webdep, "2023-04-30"))
    synthetic = work / f"synthetic-{size}"
    if not (synthetic / "dependencies.csv").exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(size), str(synthetic)], check=True, capture_output=True)
    found.append((f"synthetic {size:,}", synthetic, "2024-01-01"))
    return found


def browse(page_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        page.goto(page_path.as_uri(), timeout=600_000)
        page.wait_for_function("() => window.kgNetwork !== undefined || window.kgReady === true", timeout=600_000)
        page.evaluate(FRAME)
        interactive = time.perf_counter() - started
        font = page.evaluate("window.kgNetwork ? kgNetwork.getScale() * 14 : 0")  # a label's height, opening zoom
        webgl = page.evaluate("window.kgRenderer !== undefined")
        moves = WEBGL_MOVES if webgl else MOVES
        redraws = []
        for move in moves:
            begun = time.perf_counter()
            page.evaluate(move)
            page.evaluate(FRAME)
            redraws.append((time.perf_counter() - begun) * 1000)
        # The drawing work alone, in the page: a synchronous redraw after each camera move.
        render = page.evaluate(RENDER_WEBGL if webgl else RENDER_VIS)
        if webgl:
            drawn, labelled = page.evaluate("[kgGraph.order, kgRenderer.getNodeDisplayedLabels().size]")
            font = page.evaluate("kgRenderer.getSetting('labelSize')")
        else:
            drawn, labelled = page.evaluate(
                "[kgNodes.get({filter: n => !n.hidden}).length,"
                " kgNodes.get({filter: n => !n.hidden && String(n.label || '').trim() !== ''}).length]"
            )
        browser.close()
    return {
        "interactive": interactive,
        "redraw": statistics.median(redraws),
        "render": render,
        "worst": max(redraws),
        "drawn": drawn,
        "labelled": labelled,
        "font": font,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pdkg-render-bench")
    parser.add_argument("--size", type=int, default=22_000)
    args = parser.parse_args()
    rows = []
    for name, data, day in datasets(args.work, args.size):
        for shape in ("overview", "full"):
            out = args.work / f"{name.split()[0]}-{shape}.html"
            command = [KG, "render", "-d", str(data), "--as-of", day, "--view", shape, "-q", "--out", str(out)]
            run = measure(f"kg render --view {shape} ({name})", command)
            seen = browse(out) if run.status == 0 else {}
            rows.append((name, shape, run, out.stat().st_size / 1e6 if out.exists() else 0.0, seen))
    header = (
        f"{'dataset':<20} {'view':<9} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'page MB':>8} "
        f"{'ready s':>8} {'draw ms':>8} {'frame ms':>9} {'worst ms':>9} {'labelled':>12} {'label px':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, shape, run, size, seen in rows:
        labelled = f"{seen.get('labelled', 0):,}/{seen.get('drawn', 0):,}" if seen else "-"
        print(
            f"{name:<20} {shape:<9} {run.wall:7.2f} {run.cpu:7.2f} {run.peak_mb:8.0f} {size:8.1f} "
            f"{seen.get('interactive', float('nan')):8.2f} {seen.get('render', float('nan')):8.0f} "
            f"{seen.get('redraw', float('nan')):9.0f} "
            f"{seen.get('worst', float('nan')):9.0f} {labelled:>12} {seen.get('font', float('nan')):9.1f}"
            + (f"  ({run.note})" if run.note else "")
        )
    print(
        "\nGoals (issue 10): interactive under 5 s, every redraw under 100 ms, kg render under 5 s, the labels"
        " of everything on screen readable at the opening zoom (label px: a label's height there).\n"
        "draw ms: the drawing work of one redraw in the page (median); frame ms: a camera move until two frames\n"
        "are painted, seen from outside (median; in headless Chromium without a GPU this adds the software\n"
        "compositing of every canvas, WebGL ones most); labelled: nodes drawn with a label at the opening view."
    )


if __name__ == "__main__":
    main()
