"""Interactive HTML pages of a view (:class:`~kg.views.viewmodel.View`), built on pyvis or, for big maps, WebGL.

:func:`render` turns a view into a pyvis network and a single, self-contained HTML page: vis-network's
script and style are inlined, the page's content security policy forbids any network request, every name,
fact and source reaches the page as JSON data and is put into the document as text (never as markup), and
only ``http(s)`` sources become links.

Large graphs are laid out in Python (providers by force layout, their dependents around them) and drawn
with physics off, so thousands of nodes are interactive at once; small ones settle with physics from a
fixed seed. The same input always gives the same bytes.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from kg.model.progress import Progress
from kg.views.viewmodel import View, layout

__all__ = ["PHYSICS_LIMIT", "WEBGL_LIMIT", "Rendered", "render", "render_webgl"]

#: Above this many nodes the layout is computed in Python and physics is off.
PHYSICS_LIMIT = 300
#: In a large view, only providers with at least this many dependents shown carry a label.
LABEL_THRESHOLD = 5
#: The zoom a large map opens at: 14 px labels drawn about 12 px high.
OPENING_SCALE = 0.85
#: A map (one state, no groups) of more than this many nodes is drawn with WebGL (sigma.js), not vis-network.
WEBGL_LIMIT = 1500
#: The vendored scripts of WebGL pages (kg/views/templates/vendor, from npm).
WEBGL_ASSETS = {"graphology_js": "graphology-0.26.0.umd.min.js", "sigma_js": "sigma-3.0.3.min.js"}


@dataclass
class Rendered:
    """A rendered page: the pyvis network it was built from and the HTML of the page."""

    network: object  # pyvis.network.Network (None for a WebGL page)
    html: str
    view: View

    def write(self, path: str | Path) -> Path:
        """Write the page atomically."""
        from kg.io.outputs import write_output

        return write_output(path, self.html.encode("utf-8"))

    def _repr_html_(self) -> str:  # Jupyter shows the page in a sandboxed frame
        frame = 'sandbox="allow-scripts" style="width:100%;height:720px;border:0"'
        return f'<iframe {frame} srcdoc="{html.escape(self.html)}"></iframe>'


def _in_degree(view: View) -> dict[str, int]:
    """How many arrows point at each node of ``view``."""
    counts: dict[str, int] = {}
    for style in view.edges.values():
        counts[style["to"]] = counts.get(style["to"], 0) + 1
    return counts


def _hub(in_degree: dict[str, int]) -> str | None:
    """The node a large map opens on: the provider with the most arrows in (then the first by id)."""
    return max(sorted(in_degree), key=in_degree.get) if in_degree else None


def _asset(name: str) -> str:
    import pyvis

    return (Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def _json_for_script(value) -> str:
    """JSON that cannot end a <script> element or start markup: <, > and & become \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(["html"])
    )


def render_webgl(view: View) -> Rendered:
    """The self-contained page of a large one-state map, drawn with WebGL (sigma.js on graphology, inlined):
    positions from :func:`layout`, every name and fact as data put into the document as text."""
    positions = layout(view, view.seed)
    nodes = [
        {
            "key": node,
            "attributes": {
                "x": positions[node][0],
                "y": -positions[node][1],
                "size": round(2 + float(style["size"]) / 5, 2),
                "color": style["color"],
                "label": style["label"],
            },
        }
        for node, style in view.nodes.items()
    ]
    edges = [
        {
            "key": key,
            "source": style["from"],
            "target": style["to"],
            "attributes": {"color": style["color"], "size": round(max(float(style["width"]) * 0.6, 0.5), 2)},
        }
        for key, style in view.edges.items()
    ]
    legend = dict(view.legend)
    legend["shapes"] = [["circle", "every actor (platforms dark, providers by their main service)"]]
    legend["lines"] = [  # WebGL draws no dashes: lines differ by colour alone
        [line.replace(" dashed", "").replace("grey", "light grey"), text, *rest]
        if "dashed" in line
        else [line, text, *rest]
        for line, text, *rest in view.legend.get("lines", [])
    ]
    data = {
        "title": view.title,
        "subtitle": view.subtitle.replace("Grey dashed", "Light grey") + " Drawn with WebGL: zoom in for more labels.",
        "summary": view.summary,
        "nodes": nodes,
        "edges": edges,
        "facts": {
            "nodes": {n: s["facts"] for n, s in view.nodes.items()},
            "edges": {k: s["facts"] for k, s in view.edges.items()},
        },
        "legend": legend,
        "services": sorted({style["facts"]["service"] for style in view.edges.values()}),
    }
    vendor = Path(__file__).with_name("templates") / "vendor"
    assets = {name: (vendor / file).read_text(encoding="utf-8") for name, file in WEBGL_ASSETS.items()}
    page = (
        _environment()
        .get_template("graph-webgl.html")
        .render(title=view.title, data=_json_for_script(data), vis=False, **assets)
    )
    return Rendered(None, page, view)


def render(view: View, *, physics: bool | None = None, progress: Progress | None = None) -> Rendered:
    """Build the self-contained HTML page of ``view``: a pyvis network, or for a large one-state map
    (over :data:`WEBGL_LIMIT` nodes) a WebGL page (:func:`render_webgl`). ``progress`` is told before the
    page is laid out and written, and may stop the work by raising."""
    if progress is not None:
        progress("the page", 0, None)
    if len(view.nodes) > WEBGL_LIMIT and len(view.states) <= 1 and not view.groups and physics is None:
        return render_webgl(view)
    from pyvis.edge import Edge
    from pyvis.network import Network

    if physics is None:
        physics = len(view.nodes) <= PHYSICS_LIMIT and not view.positions
    positions = {} if physics else (view.positions or layout(view, view.seed))
    network = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    large = not physics and len(view.nodes) > PHYSICS_LIMIT  # many nodes: labels on hubs only
    in_degree = _in_degree(view)
    for node, style in view.nodes.items():
        extra = {"x": positions[node][0], "y": positions[node][1]} if node in positions else {}
        if large and in_degree.get(node, 0) < LABEL_THRESHOLD:
            extra["label"] = " "  # at scale only hubs carry a label; every name stays in search and details
        fields = {"label": style["label"], "shape": style["shape"], "color": style["color"], "size": style["size"]}
        network.add_node(node, **{**fields, **extra})
    for key, style in view.edges.items():
        # Edge() directly: pyvis's add_edge checks node membership in a list, quadratic at scale.
        network.edges.append(
            Edge(
                style["from"],
                style["to"],
                True,
                id=key,
                label=style["label"] if not large or style["facts"].get("count") else None,  # counts stay
                color=style["color"],
                dashes=style["dashes"],
                width=style["width"],
            ).options
        )
    options = {
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 140},
            "stabilization": {"enabled": physics, "iterations": 300, "fit": True},
        },
        "layout": {"randomSeed": view.seed, "improvedLayout": physics},
        "edges": {
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "font": {"size": 10, "align": "middle"},
        },
        "nodes": {"font": {"size": 14}},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large},
    }
    network.set_options(json.dumps(options))
    member_facts, edge_facts, groups = {}, {}, {}
    for group, content in view.groups.items():
        members = {}
        for node, style in content["members"].items():
            label = style["label"] if not large or in_degree.get(node, 0) >= LABEL_THRESHOLD else " "
            members[node] = {"label": label, "shape": style["shape"], "color": style["color"], "size": style["size"]}
            member_facts[node] = style["facts"]
        links = {}
        for key, style in content["edges"].items():
            links[key] = {
                "from": style["from"],
                "to": style["to"],
                "arrows": "to",
                "color": style["color"],
                "dashes": style["dashes"],
                "width": style["width"],
            }
            edge_facts[key] = style["facts"]
        groups[group] = {"members": members, "edges": links}
    data = {
        "title": view.title,
        "subtitle": view.subtitle,
        "summary": view.summary,
        "nodes": network.nodes,
        "edges": network.edges,
        "facts": {
            "nodes": {**member_facts, **{n: s["facts"] for n, s in view.nodes.items()}},
            "edges": {**edge_facts, **{k: s["facts"] for k, s in view.edges.items()}},
        },
        "groups": groups,
        # A large map opens where its labels are readable (a label about 12 px high), on its most critical
        # provider; "Fit all" shows everything.
        "opening": {"scale": OPENING_SCALE, "focus": _hub(in_degree)} if large or view.groups else None,
        "states": view.states,
        "legend": view.legend,
        "services": sorted({style["facts"]["service"] for style in view.edges.values()}),
        "options": options,
    }
    page = (
        _environment()
        .get_template("graph.html")
        .render(
            vis=True,
            title=view.title,
            data=_json_for_script(data),
            vis_js=_asset("vis-network.min.js"),
            vis_css=_asset("vis-network.css"),
        )
    )
    return Rendered(network, page, view)
