"""The view model: what a page shows, as plain data, built from the analysis.

A :class:`View` is nodes and edges with their style and facts, in one or more *states* (the graph before
and after a scenario; a replay's dates). :func:`graph_view`, :func:`impact_view` and :func:`replay_view`
build one from an analysis graph, an impact or a history; :mod:`kg.views.overview` folds a big map into
groups; :mod:`kg.views.html` draws a view as a page and :mod:`kg.views.snapshot` as a picture. Colours mean
one thing on every page: a fixed colour per service, and status colours none of which is a service's.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import networkx as nx

from kg.analysis.criticality import criticality
from kg.analysis.graph import AnalysisGraph, build_graph
from kg.analysis.impact import Impact, NodeStatus, explain, propagate
from kg.analysis.replay import Replay
from kg.model.facts import Dependency
from kg.model.progress import EVERY, Progress
from kg.model.vocabulary import vocabulary

__all__ = [
    "OVERVIEW_LIMIT",
    "View",
    "graph_view",
    "impact_view",
    "layout",
    "replay_view",
    "service_colours",
    "short_label",
]

#: Above this many actors, a map is drawn as an overview (:mod:`kg.views.overview`) unless asked for the
#: full graph, and an impact on a whole map shows what changes and its providers.
OVERVIEW_LIMIT = 1500
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#9edae5",
    "#dbdb8d",
    "#393b79",
]
#: Pages that show statuses (impact, replay) use only these colours, none of which is a service colour, so
#: that one colour means one thing on a page; their arrows are neutral grey and name their service.
STATUS_COLOURS = {"online": "#1a9850", "degraded": "#f0a30a", "offline": "#b2182b", "exited": "#111111"}
MUTED = "#c9ced6"  # an actor the scenario does not change
ACTIVE_LINE = "#8d949e"
PLATFORM_COLOUR, COMPANY_COLOUR = "#34495e", "#95a5a6"
CUT, LOST, DOWN = "#7b3294", "#b9bec6", "#e7298a"
#: Labels longer than this are cut with an ellipsis (the full name stays in search and details).
LABEL_LENGTH = 40


def service_colours() -> dict[str, str]:
    """A fixed colour for every service of the vocabulary (the same on every page)."""
    return {service: PALETTE[i % len(PALETTE)] for i, service in enumerate(sorted(vocabulary().services))}


def short_label(name: str, limit: int = LABEL_LENGTH) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis, on one line.

    >>> short_label("Amazon Web Services"), short_label("x" * 50)[-3:], len(short_label("x" * 50))
    ('Amazon Web Services', 'xx…', 40)
    """
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


@dataclass
class View:
    """What a page shows: nodes, edges, and the states it can switch between."""

    title: str
    subtitle: str
    summary: list[str] = field(default_factory=list)  # plain sentences shown first (an impact's story)
    #: For an overview: group id -> {"members": {id: node style}, "edges": {id: edge style}}, drawn on demand.
    groups: dict[str, dict] = field(default_factory=dict)
    #: Positions computed by the view itself (an overview): drawn as they are, with physics off.
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    nodes: dict[str, dict] = field(default_factory=dict)  # id -> base style and facts
    edges: dict[str, dict] = field(default_factory=dict)  # id -> from, to, base style and facts
    states: list[dict] = field(default_factory=list)  # [{"label", "nodes": {id: patch}, "edges": {id: patch}}]
    legend: dict = field(default_factory=dict)
    seed: int = 7


def _sources(sources) -> list[dict]:
    return [{"publisher": s.publisher, "date": s.date, "title": s.title, "url": s.url} for s in sources]


def _dependency_facts(dep: Dependency) -> dict:
    return {
        "dependency": dep.identifier,
        "service": dep.service,
        "start": dep.start.isoformat() if dep.start else None,
        "end": dep.end.isoformat() if dep.end else None,
        "ended_by": dep.ended_by,
        "effect": dep.effect,
        "note": dep.note,
        "sources": _sources(dep.sources),
    }


def node_facts(graph: AnalysisGraph, node: str, scores: dict[str, tuple[int, int]]) -> dict:
    entity = graph.entities.get(node)
    kinds = list(entity.kinds) if entity else ["provider"]
    platform = any(kind in vocabulary().platform_kinds for kind in kinds)
    provides = sorted({data["service"] for _, _, data in graph.graph.in_edges(node, data=True)} - {None})
    offline, degraded = scores.get(node, (0, 0))
    if platform:
        shape, colour = "square", PLATFORM_COLOUR
    elif provides:
        counts = {}
        for dependent, _, data in graph.graph.in_edges(node, data=True):
            if dependent != node:
                counts[data["service"]] = counts.get(data["service"], 0) + 1
        main = max(sorted(counts), key=counts.get) if counts else provides[0]
        shape, colour = "dot", service_colours()[main]
    else:
        shape, colour = "triangle", COMPANY_COLOUR
    return {
        "label": short_label(graph.name(node)),
        "shape": shape,
        "color": colour,
        "size": round(10 + 3 * math.sqrt(offline + degraded / 2), 2),
        "facts": {
            "id": node,
            "name": graph.name(node),
            "kinds": kinds,
            "country": entity.country if entity else None,
            "owner": graph.name(entity.owner) if entity and entity.owner else None,
            "provides": provides,
            "criticality": {"offline": offline, "degraded": degraded},
            "sources": _sources(entity.sources) if entity else [],
        },
    }


def criticality_scores(graph: AnalysisGraph, progress: Progress | None = None) -> dict[str, tuple[int, int]]:
    rows = criticality(graph, progress=progress)
    return {row.provider: (row.total_offline, row.total_degraded) for row in rows}


def advancing(items, progress: Progress | None, step: str):
    """``items``, reporting to ``progress`` once per :data:`~kg.model.progress.EVERY` (which may stop the work)."""
    if progress is None:
        yield from items
        return
    total = len(items) if hasattr(items, "__len__") else None
    for done, item in enumerate(items):
        if done % EVERY == 0:
            progress(step, done, total)
        yield item


def _select(
    graph: AnalysisGraph, focus: str | None, depth: int, service: str | None, only: set[str] | None = None
) -> tuple[set[str], list]:
    """The nodes and (dependent, provider, key, dependency, state) edges a view shows (among ``only``)."""
    edges = []
    for dependent, provider, key, data in graph.graph.edges(keys=True, data=True):
        if dependent != provider and (service is None or data["service"] == service):
            edges.append((dependent, provider, key, data["dependency"], "active"))
    for dependent, needs in graph.needs.items():
        for need in needs.values():
            lost = need.lost_with
            if lost is not None and lost.provider != dependent and (service is None or need.service == service):
                edges.append((dependent, lost.provider, lost.identifier, lost, "lost"))
    if only is not None:
        edges = [edge for edge in edges if edge[0] in only and edge[1] in only]
    nodes = {n for edge in edges for n in edge[:2]} | (only or set())
    if focus is not None:
        undirected = nx.Graph()
        undirected.add_node(focus)
        undirected.add_edges_from(edge[:2] for edge in edges)
        nodes = set(nx.single_source_shortest_path_length(undirected, focus, cutoff=depth))
        edges = [edge for edge in edges if edge[0] in nodes and edge[1] in nodes]
    return nodes, sorted(edges, key=lambda edge: edge[2])


def edge_data(dependent: str, provider: str, dependency: Dependency, state: str, colours: dict[str, str]) -> dict:
    style = {
        "from": dependent,
        "to": provider,
        "label": dependency.service,
        "color": colours[dependency.service],
        "dashes": False,
        "width": 1.5,
        "facts": {**_dependency_facts(dependency), "state": state},
    }
    if state == "lost":
        style.update(color=LOST, dashes=True, width=1)
    return style


def graph_view(
    graph: AnalysisGraph,
    *,
    focus: str | None = None,
    depth: int = 2,
    service: str | None = None,
    seed: int = 7,
    only: set[str] | None = None,
    progress: Progress | None = None,
) -> View:
    """The dependency map on the graph's date (a neighbourhood or one service, if asked).

    ``progress`` is called as the work advances (see :mod:`kg.model.progress`); it may stop it by raising, as
    ``kg render --time-limit`` does.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> view = graph_view(build_graph(read_facts(load()), dt.date(2021, 1, 7)), focus="parler", depth=1)
    >>> sorted(view.nodes)[:3], len(view.states)
    (['apple-app-store', 'aws', 'google-play'], 1)
    """
    nodes, edges = _select(graph, focus, depth, service, only)
    scores = criticality_scores(graph, progress)
    colours = service_colours()
    where = f" around {graph.name(focus)} (depth {depth})" if focus else ""
    view = View(
        title=f"Dependencies on {graph.when}{where}" + (f", {service} only" if service else ""),
        subtitle="Arrows point from a dependent to its provider. Grey dashed: lost to a cut-off before this date.",
        seed=seed,
    )
    view.nodes = {node: node_facts(graph, node, scores) for node in advancing(sorted(nodes), progress, "actors")}
    view.edges = {key: edge_data(d, p, dep, state, colours) for d, p, key, dep, state in edges}
    statuses = propagate(graph, progress=progress)
    for node, style in advancing(view.nodes.items(), progress, "explanations"):
        style["facts"]["status"] = statuses[node].status if node in statuses else "online"
        style["facts"]["explanation"] = explain(statuses, graph, node) if node in statuses else ""
    view.states = [{"label": graph.when, "nodes": {}, "edges": {}}]
    view.legend = legend_of(graph, view, status=None)
    return view


def _status_patch(status: NodeStatus | None, explanation: str) -> dict:
    name = status.status if status else "online"
    return {"color": STATUS_COLOURS[name], "facts": {"status": name, "explanation": explanation}}


def _neutral_edges(view: View) -> None:
    """Arrows in neutral grey (their service in the label and details): statuses own the colours."""
    for style in view.edges.values():
        lost = style["facts"]["state"] == "lost"
        style.update(color=LOST if lost else ACTIVE_LINE)


def impact_view(
    impact: Impact,
    *,
    focus: str | None = None,
    depth: int = 2,
    service: str | None = None,
    seed: int = 7,
    progress: Progress | None = None,
) -> View:
    """Before and after a scenario, with its story: only the actors it changes wear status colours (the
    others are muted), cut dependencies purple and dashed, arrows to providers it takes offline dotted.
    ``progress`` as for :func:`graph_view`."""
    from kg.views.story import impact_story

    graph = impact.graph
    changed = {status.identifier for status in impact.affected} | set(impact.scenario.removed)
    cut_providers = {provider for _, provider, key in graph.graph.edges(keys=True) if key in impact.scenario.cuts}
    only = None
    if focus is None and len(graph.graph) > OVERVIEW_LIMIT:  # a big map: what changes, and its providers
        only = changed | cut_providers | {p for node in changed if node in graph.graph for p in graph.graph[node]}
    base = graph_view(graph, focus=focus, depth=depth, service=service, seed=seed, only=only, progress=progress)
    _neutral_edges(base)
    cut = set(impact.scenario.cuts)
    gone = ("offline", "exited")
    was_down = {n for n, s in impact.baseline.items() if s.status in gone}
    down = {n for n, s in impact.after.items() if s.status in gone} - was_down  # taken down by the scenario
    states = []
    labels = (
        ("before", f"Before the scenario ({graph.when})", impact.baseline),
        ("after", f"After it ({graph.when}): " + ("; ".join(impact.scenario.description) or "no cuts"), impact.after),
    )
    for phase, label, table in labels:
        nodes = {}
        for node in advancing(base.nodes, progress, f"explanations {phase} the scenario"):
            patch = _status_patch(table.get(node), explain(table, graph, node))
            if node not in changed:
                patch["color"] = MUTED
                patch["facts"]["changed"] = False
            nodes[node] = patch
        edges = {}
        for key, style in base.edges.items():
            if phase == "after" and (key in cut or style["to"] in impact.scenario.removed):
                edges[key] = {"color": CUT, "dashes": [8, 6], "width": 3, "facts": {"state": "cut"}}
            elif phase == "after" and style["to"] in down and style["facts"]["state"] == "active":
                edges[key] = {"color": DOWN, "dashes": [2, 4], "width": 2, "facts": {"state": "provider down"}}
            else:
                state = style["facts"]["state"]
                edges[key] = {"color": style["color"], "dashes": style["dashes"], "width": style["width"]}
                edges[key]["facts"] = {"state": state}
        states.append({"label": label, "phase": phase, "nodes": nodes, "edges": edges})
    base.title = f"Impact as of {graph.when}: " + ("; ".join(impact.scenario.description) or "no cuts")
    base.subtitle = (
        "Only the actors this scenario changes are coloured, by their status before or after it; the others are grey."
    )
    if only is not None:
        base.subtitle += (
            f" Of {len(graph.graph):,} actors, the {len(base.nodes):,} it changes or that supply them are drawn."
        )
    base.summary = impact_story(impact)
    base.states = states
    base.legend = legend_of(graph, base, status="impact")
    return base


def replay_view(history: Replay, facts, *, seed: int = 7, progress: Progress | None = None) -> View:
    """One page stepping through a replay: the platform's providers and statuses on each date, opening on
    the day before its first recorded change. Each date shows the providers the platform depends on then,
    directly or through other providers, and nothing else. ``progress`` as for :func:`graph_view`."""
    import datetime as dt

    from kg.analysis.viewpoint import Viewpoint

    steps: list[tuple[dt.date, dt.datetime | None, str, list[str]]] = []
    if history.steps and history.steps[0].day > dt.date.min:  # nothing is before the first day there is
        first = history.steps[0].day - dt.timedelta(days=1)
        steps.append((first, None, f"{first.isoformat()}: before the recorded changes", []))
    for step in history.steps:
        observed = f", observed {step.observed}" if step.observed else ""
        when = step.moment.strftime("%Y-%m-%d %H:%M UTC") if step.moment else step.day.isoformat()
        events = [f"{e.kind}: {e.description}" for e in step.events]
        steps.append((step.day, step.moment, f"{when}: {step.status}{observed}", events))
    graphs = [
        build_graph(facts, view=Viewpoint(day, moment, history.region))
        for day, moment, _, _ in advancing(steps, progress, "dates")
    ]
    views = []
    for g in graphs:
        shown = {history.platform} | (
            nx.descendants(g.graph, history.platform) if history.platform in g.graph else set()
        )
        shown |= {d.provider for need in g.needs.get(history.platform, {}).values() if (d := need.lost_with)}
        step_view = graph_view(g, seed=seed, only=shown, progress=progress)
        _neutral_edges(step_view)
        views.append(step_view)
    view = View(
        title=f"History of {history.name}" + (f" in {history.region}" if history.region else ""),
        subtitle="Step through the dates of its recorded history; colours show the predicted status.",
        seed=seed,
    )
    for step_view in views:
        for node, style in step_view.nodes.items():
            view.nodes.setdefault(node, style)
        for key, style in step_view.edges.items():
            view.edges.setdefault(key, style)
    for (_, _, label, events), g, step_view in zip(steps, graphs, views, strict=True):
        statuses = propagate(g, progress=progress)
        nodes = {
            node: {
                **_status_patch(statuses.get(node), explain(statuses, g, node)),
                "hidden": node not in step_view.nodes,
            }
            for node in view.nodes
        }
        edges = {}
        for key in view.edges:
            shown = step_view.edges.get(key)
            if shown is None:
                edges[key] = {"hidden": True}
            else:
                edges[key] = {
                    "hidden": False,
                    "color": shown["color"],
                    "dashes": shown["dashes"],
                    "width": shown["width"],
                    "facts": {"state": shown["facts"]["state"]},
                }
        view.states.append({"label": label, "nodes": nodes, "edges": edges, "events": events})
    view.legend = legend_of(graphs[-1], view, status="replay") if graphs else {}
    return view


def legend_of(graph: AnalysisGraph, view: View, *, status: str | None) -> dict:
    """What each shape, colour and line means on this page (``status``: ``"impact"``, ``"replay"`` or None)."""
    colours = service_colours()
    used = sorted({style["facts"]["service"] for style in view.edges.values()} & set(colours))
    if status is None:
        return {
            "shapes": [
                ["square", "platform (dependent)"],
                ["dot", "provider, coloured by its main service"],
                ["triangle", "company (owner only)"],
            ],
            "services": [[service, colours[service]] for service in used],
            "statuses": [],
            "lines": [
                ["solid, coloured by service", "dependency active on the date", None],
                ["grey dashed", "lost to a cut-off before the date", LOST],
            ],
            "size": "node size: how many dependents the provider's exit alone would take offline or degrade",
        }
    who = "actors this scenario changes" if status == "impact" else "each actor"
    statuses = [[name, colour] for name, colour in STATUS_COLOURS.items()]
    if status == "impact":
        statuses.append(["not changed by this scenario", MUTED])
    lines = [
        ["grey", "dependency active on the date (its service on the arrow and in details)", ACTIVE_LINE],
        ["light grey dashed", "lost to a cut-off before the date", LOST],
    ]
    if status == "impact":
        lines += [["purple dashed", "cut in this scenario", CUT], ["pink dotted", "its provider goes offline", DOWN]]
    return {
        "shapes": [
            ["square", f"platform, coloured by its status ({who})"],
            ["dot", f"provider, coloured by its status ({who})"],
            ["triangle", "company (owner only)"],
        ],
        "services": [],
        "statuses": statuses,
        "lines": lines,
        "size": "node size: how many dependents the provider's exit alone would take offline or degrade",
    }


def layout(view: View, seed: int) -> dict[str, tuple[float, float]]:
    """Positions for a large view: hubs by force layout, every other node around its hubs' centre."""
    undirected = nx.Graph((e["from"], e["to"]) for e in view.edges.values())
    undirected.add_nodes_from(view.nodes)
    degree = dict(undirected.degree())
    hubs = sorted((n for n in view.nodes if degree[n] > 1), key=lambda n: (-degree[n], n))[:300]
    hub_set = set(hubs)
    hub_graph = nx.Graph()
    hub_graph.add_nodes_from(hubs)
    for node in view.nodes:
        linked = sorted(hub_set & set(undirected[node]))
        hub_graph.add_edges_from((a, b) for i, a in enumerate(linked) for b in linked[i + 1 :])
        if node in hub_set:
            hub_graph.add_edges_from((node, other) for other in linked)
    scale = 60 * math.sqrt(max(len(view.nodes), 1))
    positions = {n: tuple(p) for n, p in nx.spring_layout(hub_graph, seed=seed, iterations=60, scale=scale).items()}
    placed: dict[str, tuple[float, float]] = {n: (float(x), float(y)) for n, (x, y) in positions.items()}
    ring = 0
    for node in sorted(view.nodes):
        if node in placed:
            continue
        anchors = [placed[h] for h in undirected[node] if h in hub_set]
        digest = int(hashlib.sha256(node.encode()).hexdigest()[:8], 16)
        angle = (digest % 3600) / 3600 * 2 * math.pi
        if anchors:
            cx = sum(a[0] for a in anchors) / len(anchors)
            cy = sum(a[1] for a in anchors) / len(anchors)
            radius = 40 + (digest // 3600) % 120
        else:
            ring += 1
            cx, cy, radius = 0.0, 0.0, scale * 1.2 + 8 * math.sqrt(ring)
        placed[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.items()}
