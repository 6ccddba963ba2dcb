"""Benchmark: render a graph of about 5,000 nodes and 20,000 edges and time it in headless Chromium.

Run on demand: ``.venv/bin/python bench/render_scale.py [DEPENDENCIES]`` (default 22,000). Needs Debian's
/usr/bin/chromium. Prints the Python render time, the file size, the time until the page is interactive
(network built and first frame drawn) and the time of one redraw after zooming.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis_scale import synthetic

from kg.depgraph import build_graph
from kg.render import graph_view, render

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


def main() -> None:
    from playwright.sync_api import sync_playwright

    target = int(sys.argv[1]) if len(sys.argv) > 1 else 22_000
    graph = build_graph(synthetic(target), dt.date(2024, 1, 1))
    start = time.perf_counter()
    view = graph_view(graph)
    page_html = render(view)
    print(
        f"render in Python: {time.perf_counter() - start:.2f} s for {len(view.nodes):,} nodes, "
        f"{len(view.edges):,} edges ({len(page_html.html) / 1e6:.1f} MB)"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.html"
        page_html.write(path)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("window.kgNetwork !== undefined")
            page.evaluate(FRAME)
            print(f"interactive in Chromium after {time.perf_counter() - start:.2f} s")
            start = time.perf_counter()
            page.evaluate("kgNetwork.moveTo({scale: 0.8})")
            page.evaluate(FRAME)
            print(f"one redraw after zooming: {time.perf_counter() - start:.2f} s")
            browser.close()


if __name__ == "__main__":
    main()
