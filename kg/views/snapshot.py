"""Still pictures of a view for papers and articles: SVG drawn in Python, PNG taken by headless Chromium.

:func:`svg_snapshot` draws a :class:`~kg.views.viewmodel.View` in the state its page opens on (after the scenario,
the first date of a replay) as a standalone SVG: the same shapes, colours, dashes and labels as the page,
the title and the legend, laid out in Python with a fixed seed, so the same input gives the same bytes.
Every name is XML text, never markup. :func:`png_snapshot` opens the rendered page in Debian's Chromium,
headless and with every host name unresolvable (nothing leaves the machine), and returns its screenshot.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from kg.errors import InputError

__all__ = ["CHROMIUM_ENV", "png_snapshot", "svg_snapshot"]

#: Environment variable naming the Chromium to take PNG snapshots with (default: ``chromium`` on the PATH).
CHROMIUM_ENV = "KG_CHROMIUM"
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def _opening_state(view) -> dict:
    """The state a page opens on: the last of a before/after pair, else the first."""
    states = view.states or [{"nodes": {}, "edges": {}}]
    phased = len(states) > 1 and all(state.get("phase") for state in states)
    return states[-1] if phased else states[0]


def _styled(base: dict, patch: dict) -> dict:
    return {**base, **{key: value for key, value in patch.items() if key != "facts"}}


def _positions(view, seed: int) -> dict[str, tuple[float, float]]:
    from kg.views.html import PHYSICS_LIMIT
    from kg.views.viewmodel import layout

    if len(view.nodes) > PHYSICS_LIMIT:
        return layout(view, seed)
    import networkx as nx

    graph = nx.Graph((e["from"], e["to"]) for e in view.edges.values())
    graph.add_nodes_from(sorted(view.nodes))
    scale = 90 * math.sqrt(max(len(view.nodes), 1))
    placed = nx.spring_layout(graph, seed=seed, scale=scale, k=2 / math.sqrt(max(len(view.nodes), 1)))
    return {node: (float(x), float(y)) for node, (x, y) in placed.items()}


def _shape(shape: str, x: float, y: float, r: float, colour: str) -> str:
    fill = f'fill={quoteattr(colour)} stroke="#333" stroke-width="0.6"'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {fill}/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - r:.1f} {x - r:.1f},{y + r * 0.8:.1f} {x + r:.1f},{y + r * 0.8:.1f}"
        return f'<polygon points="{points}" {fill}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {fill}/>'


def svg_snapshot(view, *, width: int = 1600, seed: int | None = None) -> str:
    """A standalone SVG picture of ``view`` (a :class:`kg.views.viewmodel.View`) in the state its page opens on.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.views.viewmodel import graph_view
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> picture = svg_snapshot(graph_view(graph, focus="parler", depth=1))
    >>> picture.startswith("<svg") and ">Parler</text>" in picture
    True
    """
    state = _opening_state(view)
    nodes = {n: _styled(style, state.get("nodes", {}).get(n, {})) for n, style in view.nodes.items()}
    edges = {k: _styled(style, state.get("edges", {}).get(k, {})) for k, style in view.edges.items()}
    nodes = {n: s for n, s in nodes.items() if not s.get("hidden")}
    edges = {k: e for k, e in edges.items() if not e.get("hidden") and e["from"] in nodes and e["to"] in nodes}
    positions = _positions(view, view.seed if seed is None else seed)
    xs = [positions[n][0] for n in nodes] or [0.0]
    ys = [positions[n][1] for n in nodes] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    legend_width, top, margin = 380, 70, 40
    drawing = width - legend_width - 2 * margin
    factor = drawing / span
    height = int(top + margin * 2 + (max(ys) - min(ys)) * factor) + 20

    def at(node: str) -> tuple[float, float]:
        x, y = positions[node]
        return margin + (x - min(xs)) * factor, top + margin + (y - min(ys)) * factor

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{max(height, 480)}" '
        f'viewBox="0 0 {width} {max(height, 480)}" font-family="sans-serif">',
        "<defs>",
    ]
    colours = sorted({e["color"] for e in edges.values()})
    for index, colour in enumerate(colours):
        parts.append(
            f'<marker id="a{index}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
            f'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill={quoteattr(colour)}/></marker>'
        )
    parts.append("</defs>")
    parts.append('<rect width="100%" height="100%" fill="#ffffff"/>')
    parts.append(f'<text x="{margin}" y="30" font-size="18" font-weight="bold">{escape(view.title)}</text>')
    parts.append(f'<text x="{margin}" y="52" font-size="12" fill="#555">{escape(view.subtitle)}</text>')
    radius = {n: max(4.0, min(float(s.get("size", 10)), 30.0)) * 0.6 for n, s in nodes.items()}
    from kg.views.html import PHYSICS_LIMIT

    small = len(nodes) <= PHYSICS_LIMIT
    for key in sorted(edges):
        edge = edges[key]
        (x1, y1), (x2, y2) = at(edge["from"]), at(edge["to"])
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        x2 -= (x2 - x1) / length * (radius[edge["to"]] + 1)
        y2 -= (y2 - y1) / length * (radius[edge["to"]] + 1)
        dashes = edge.get("dashes")
        dash = ""
        if dashes:
            dash = ' stroke-dasharray="' + (" ".join(map(str, dashes)) if isinstance(dashes, list) else "6 4") + '"'
        marker = colours.index(edge["color"])
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke={quoteattr(edge["color"])} '
            f'stroke-width="{float(edge.get("width", 1)):.1f}"{dash} marker-end="url(#a{marker})"/>'
        )
        if small and edge.get("label"):
            parts.append(
                f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 3:.1f}" font-size="9" fill="#666" '
                f'text-anchor="middle">{escape(str(edge["label"]))}</text>'
            )
    for node in sorted(nodes):
        style = nodes[node]
        x, y = at(node)
        parts.append(_shape(style.get("shape", "dot"), x, y, radius[node], style.get("color", "#999")))
        label = str(style.get("label", "")).strip()
        if label:
            parts.append(
                f'<text x="{x:.1f}" y="{y + radius[node] + 12:.1f}" font-size="11" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.extend(_legend(view.legend, width - legend_width, top, view.summary))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _legend(legend: dict, x: int, y: int, summary: list[str]) -> list[str]:
    rows = []
    for colour_rows in (legend.get("services", []), legend.get("statuses", [])):
        rows += [(colour, name) for name, colour in colour_rows]
    rows += [(colour, f"{line}: {text}") for line, text, *rest in legend.get("lines", []) for colour in rest[:1]]
    import textwrap

    parts = []
    for index, sentence in enumerate(summary):  # an impact's story first, as on the page
        weight = ' font-weight="bold"' if index == 0 else ""
        for line in textwrap.wrap(sentence, 56):
            parts.append(f'<text x="{x}" y="{y + 4}" font-size="11"{weight}>{escape(line)}</text>')
            y += 15
        y += 4
    y += 10 if summary else 0
    parts.append(f'<text x="{x}" y="{y + 4}" font-size="13" font-weight="bold">Legend</text>')
    top = y + 24
    for colour, text in rows:
        if colour:
            parts.append(f'<rect x="{x}" y="{top - 10}" width="12" height="12" fill={quoteattr(colour)}/>')
        for line in textwrap.wrap(text, 52) or [""]:
            parts.append(f'<text x="{x + 18}" y="{top}" font-size="11">{escape(line)}</text>')
            top += 15
        top += 3
    return parts


def chromium_path() -> str:
    """The Chromium to run: ``$KG_CHROMIUM``, else ``chromium`` on the PATH; :class:`InputError` if none."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise InputError(
            "a PNG snapshot needs Chromium: install Debian's chromium, or set KG_CHROMIUM to its path "
            "(an SVG snapshot needs nothing: --format svg)"
        )
    return found


def png_snapshot(page_html: str, *, width: int = 1600, height: int = 1000, timeout: float = 120.0) -> bytes:
    """The PNG screenshot of a rendered page (:attr:`kg.views.html.Rendered.html`) in headless Chromium, once its
    layout has settled. Nothing leaves the machine: every host name is unresolvable."""
    from kg.io.outputs import private_folder

    chromium = chromium_path()
    folder = private_folder("kg-snapshot")
    try:
        page = Path(folder) / "page.html"
        page.write_text(page_html, encoding="utf-8")
        picture = Path(folder) / "page.png"
        command = [
            chromium,
            *_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={width},{height}",
            "--virtual-time-budget=20000",
            f"--screenshot={picture}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"Chromium took more than {timeout:.0f} s to draw the page") from None
        if not picture.exists() or picture.stat().st_size == 0:
            raise InputError(f"Chromium ({chromium}) wrote no picture")
        return picture.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
