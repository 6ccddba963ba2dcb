"""Overview first, details on demand: a map of thousands of actors drawn as a few hundred.

:func:`overview_view` keeps the providers that matter most (the ``top`` by criticality, and any whose exit
alone would take at least ``min_criticality`` dependents offline or degrade them) and folds everyone else
into *groups* of actors that share their main kept providers ("2,314 sites using Cloudflare and Amazon Web
Services"), each drawn once, sized by its members, with one arrow per provider carrying how many
dependencies it stands for. Every member, with its own dependencies and sources, travels in the page: a
group opens into its members on demand and closes again, and search finds any actor, grouped or not.

The grouping is a join and a group-by over the edge table (member, kept provider), so the same overview
can be computed on a distributed engine.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from kg.analysis.graph import AnalysisGraph
from kg.model.progress import Progress

__all__ = ["overview_view", "separate"]

GROUP_COLOUR = "#6c8ebf"
#: Groups smaller than this fold into the group of their first provider alone, and then into "others".
MIN_GROUP = 10


def _signature(kept_rank: dict[str, int], providers: set[str], width: int) -> tuple[str, ...]:
    return tuple(sorted(providers, key=kept_rank.__getitem__)[:width])


def overview_view(
    graph: AnalysisGraph,
    *,
    top: int = 60,
    min_criticality: int | None = None,
    seed: int = 7,
    progress: Progress | None = None,
):
    """The overview of ``graph``: its most critical providers, everyone else folded into groups.

    ``progress`` is called as the work advances (see :mod:`kg.model.progress`); it may stop it by raising, as
    ``kg render --time-limit`` does.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> view = overview_view(graph, top=5)
    >>> kept = [n for n in view.nodes if not n.startswith("group:")]
    >>> len(kept), sum(len(group["members"]) for group in view.groups.values()) + len(kept) == len(graph.graph)
    (5, True)
    """
    from kg.views.viewmodel import (
        View,
        advancing,
        criticality_scores,
        edge_data,
        legend_of,
        node_facts,
        service_colours,
        short_label,
    )

    scores = criticality_scores(graph, progress)
    dependents: dict[str, set[str]] = defaultdict(set)
    for dependent, provider, _key in graph.graph.edges(keys=True):
        if dependent != provider:
            dependents[provider].add(dependent)
    reach = {provider: sum(scores.get(provider, (0, 0))) for provider in dependents}  # offline + degraded
    ranked = sorted(dependents, key=lambda p: (-reach[p], -len(dependents[p]), p))
    kept = [p for p in ranked[:top] if min_criticality is None or reach[p] >= min_criticality]
    kept_rank = {provider: index for index, provider in enumerate(kept)}
    colours = service_colours()

    # Each actor that is not a kept provider joins the group of its first kept providers.
    uses: dict[str, set[str]] = defaultdict(set)
    for dependent, provider in graph.graph.edges():
        if provider in kept_rank and dependent not in kept_rank and dependent != provider:
            uses[dependent].add(provider)
    members_of: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for node in sorted(graph.graph):
        if node in kept_rank:
            continue
        members_of[_signature(kept_rank, uses.get(node, set()), 2)].append(node)
    for width in (2, 1):
        for signature in sorted((s for s in members_of if len(s) == width), key=lambda s: (len(members_of[s]), s)):
            if len(members_of[signature]) < MIN_GROUP:
                members_of[signature[:-1]].extend(members_of.pop(signature))

    view = View(
        title=f"Overview of dependencies on {graph.when}: the {len(kept)} most critical providers",
        subtitle=(
            f"{len(graph.graph):,} actors drawn as {len(kept) + len(members_of):,}: everyone else is folded into "
            "groups that share their main providers. Double-click a group (or use its details) to open it."
        ),
        seed=seed,
    )
    for provider in kept:
        view.nodes[provider] = node_facts(graph, provider, scores)
        offline, degraded = scores.get(provider, (0, 0))  # sized on a log scale: hubs stay readable
        view.nodes[provider]["size"] = round(10 + 4 * math.log2(1 + offline + degraded / 2), 2)
    for dependent, provider, key, data in sorted(graph.graph.edges(keys=True, data=True), key=lambda e: e[2]):
        if dependent in kept_rank and provider in kept_rank and dependent != provider:
            view.edges[key] = edge_data(dependent, provider, data["dependency"], "active", colours)

    group_of: dict[str, str] = {}
    for signature, members in sorted(members_of.items(), key=lambda item: (-len(item[1]), item[0])):
        members.sort()
        group = "group:" + ("+".join(signature) or "other")
        names = [graph.name(p) for p in signature]
        platforms = sum(graph.entities.get(m) is not None and graph.entities[m].is_platform for m in members)
        what = "platform" if platforms == len(members) else "actor"
        plural = "s" if len(members) != 1 else ""
        label = (
            f"{len(members):,} {what}{plural} using {' and '.join(names)}"
            if names
            else (f"{len(members):,} {what}{plural} on smaller providers")
        )
        view.nodes[group] = {
            "label": short_label(label),
            "shape": "hexagon",
            "color": GROUP_COLOUR,
            "size": round(12 + 6 * math.log2(len(members)), 2),
            "facts": {
                "id": group,
                "name": label,
                "kinds": ["group"],
                "group": True,
                "count": len(members),
                "providers": names,
                "members": [graph.name(m) for m in members[:50]],
            },
        }
        member_nodes, member_edges = {}, {}
        counted: Counter = Counter()
        services: dict[str, set[str]] = defaultdict(set)
        for member in advancing(members, progress, "grouped actors"):
            member_nodes[member] = node_facts(graph, member, scores)
            for _, provider, key, data in graph.graph.out_edges(member, keys=True, data=True):
                if provider == member:
                    continue
                member_edges[key] = edge_data(member, provider, data["dependency"], "active", colours)
                if provider in kept_rank:
                    counted[provider] += 1
                    services[provider].add(data["service"])
        view.nodes[group]["facts"]["uses"] = [
            f"{graph.name(provider)}: {count:,}" for provider, count in counted.most_common()
        ]
        for provider, count in sorted(counted.items()):
            if provider not in signature:  # the group's other providers are in its details, not on the map
                continue
            service = next(iter(services[provider])) if len(services[provider]) == 1 else None
            view.edges[f"{group}>{provider}"] = {
                "from": group,
                "to": provider,
                "label": f"{count:,}",
                "color": colours[service] if service else "#8d949e",
                "dashes": False,
                "width": round(1 + math.log2(count), 2),
                "facts": {
                    "service": service or ", ".join(sorted(services[provider])),
                    "state": "active",
                    "count": count,
                    "sources": [],
                    "dependency": None,
                },
            }
        view.groups[group] = {"members": member_nodes, "edges": member_edges}
        group_of.update(dict.fromkeys(members, group))
    # A kept provider's own dependencies on grouped actors appear when their group opens.
    for dependent, provider, key, data in graph.graph.edges(keys=True, data=True):
        if dependent in kept_rank and provider in group_of:
            view.groups[group_of[provider]]["edges"][key] = edge_data(
                dependent, provider, data["dependency"], "active", colours
            )
    view.positions = _layout(view, kept, members_of, dependents, seed)
    view.states = [{"label": graph.when, "nodes": {}, "edges": {}}]
    view.legend = legend_of(graph, view, status=None)
    view.legend["shapes"].append(["hexagon", "a group of actors sharing their main providers (its size: members)"])
    view.legend["lines"].append(
        ["from a group", "to the providers it is named after; the number: how many dependencies it stands for", None]
    )
    return view


def _layout(view, kept, members_of, dependents, seed: int) -> dict[str, tuple[float, float]]:
    """Providers by a force layout weighted by the dependents they share (a few dozen nodes); each group
    beside the providers it is named after, pushed outwards; the group of the rest on an outer ring."""
    import hashlib

    import networkx as nx

    together = nx.Graph()
    together.add_nodes_from(kept)
    for index, first in enumerate(kept):
        for second in kept[index + 1 :]:
            shared = len(dependents.get(first, set()) & dependents.get(second, set()))
            if shared:
                together.add_edge(first, second, weight=shared)
    scale = 260.0 * math.sqrt(max(len(kept), 1))
    placed = nx.spring_layout(together, seed=seed, scale=scale, weight="weight", iterations=100) if kept else {}
    positions = {node: (float(x), float(y)) for node, (x, y) in placed.items()}
    for signature, members in sorted(members_of.items(), key=lambda item: (-len(item[1]), item[0])):
        group = "group:" + ("+".join(signature) or "other")
        digest = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16)
        angle = (digest % 3600) / 3600 * 2 * math.pi
        if signature:
            cx = sum(positions[p][0] for p in signature) / len(signature)
            cy = sum(positions[p][1] for p in signature) / len(signature)
            norm = math.hypot(cx, cy) or 1.0
            reach = 160 + 30 * math.log2(len(members) + 1)
            x, y = cx + cx / norm * reach + 40 * math.cos(angle), cy + cy / norm * reach + 40 * math.sin(angle)
        else:
            x, y = (scale * 1.4) * math.cos(angle), (scale * 1.4) * math.sin(angle)
        positions[group] = (x, y)
    boxes = {node: _box(style) for node, style in view.nodes.items() if node in positions}
    positions = separate(positions, boxes)
    return {node: (round(x, 1), round(y, 1)) for node, (x, y) in positions.items()}


def _box(style: dict) -> tuple[float, float]:
    """Half the width and height a node takes with its label (14 px text under the shape)."""
    size = float(style.get("size", 10))
    return max(size, 3.8 * len(str(style.get("label", "")))) + 8, size + 14


def separate(
    positions: dict[str, tuple[float, float]], boxes: dict[str, tuple[float, float]], rounds: int = 60
) -> dict[str, tuple[float, float]]:
    """Move overlapping boxes apart, each pair along its shorter overlap, until none overlap (or after
    ``rounds``). Pairs are found through a grid of cells as big as the largest box, so each round costs
    time near-linear in the number of nodes.

    >>> moved = separate({"a": (0.0, 0.0), "b": (1.0, 0.0)}, {"a": (10.0, 5.0), "b": (10.0, 5.0)})
    >>> abs(moved["a"][0] - moved["b"][0]) >= 20 or abs(moved["a"][1] - moved["b"][1]) >= 10
    True
    """
    points = {node: list(xy) for node, xy in positions.items()}
    if not boxes:
        return positions
    cell = 2 * max(max(w, h) for w, h in boxes.values())
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for node in sorted(boxes):
            x, y = points[node]
            grid[(int(x // cell), int(y // cell))].append(node)
        moved = False
        for (cx, cy), members in sorted(grid.items()):
            near = [n for dx in (-1, 0, 1) for dy in (-1, 0, 1) for n in grid.get((cx + dx, cy + dy), ())]
            for first in members:
                for second in near:
                    if second <= first:
                        continue
                    (x1, y1), (x2, y2) = points[first], points[second]
                    (w1, h1), (w2, h2) = boxes[first], boxes[second]
                    overlap_x, overlap_y = w1 + w2 - abs(x1 - x2), h1 + h2 - abs(y1 - y2)
                    if overlap_x <= 0 or overlap_y <= 0:
                        continue
                    moved = True
                    if overlap_x < overlap_y:
                        push = overlap_x / 2 + 0.5
                        sign = 1 if x2 >= x1 else -1
                        points[first][0] -= sign * push
                        points[second][0] += sign * push
                    else:
                        push = overlap_y / 2 + 0.5
                        sign = 1 if y2 >= y1 else -1
                        points[first][1] -= sign * push
                        points[second][1] += sign * push
        if not moved:
            break
    return {node: (x, y) for node, (x, y) in points.items()}
