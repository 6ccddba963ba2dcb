"""The overview of a large map: the most critical providers, everyone else in groups that open on demand."""

from __future__ import annotations

import datetime as dt
import json
import re

from kg.analysis.criticality import criticality
from kg.analysis.graph import build_graph
from kg.views.overview import MIN_GROUP, overview_view

DAY = dt.date(2021, 1, 7)


def test_every_actor_is_kept_or_in_exactly_one_group(bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    view = overview_view(graph, top=6)
    kept = [n for n in view.nodes if not n.startswith("group:")]
    ranking = [row.provider for row in criticality(graph)]
    assert len(kept) == 6 and set(kept) <= set(ranking)
    members = [m for group in view.groups.values() for m in group["members"]]
    assert len(members) == len(set(members)) and sorted(members + kept) == sorted(graph.graph)
    for group, content in view.groups.items():
        named = group.removeprefix("group:").split("+") if group != "group:other" else []
        assert set(named) <= set(kept)
        # each arrow from a group goes to a provider it is named after and counts the members' dependencies
        for edge in (e for e in view.edges.values() if e["from"] == group):
            assert edge["to"] in named
            expected = sum(
                1
                for member in content["members"]
                for _, provider in graph.graph.out_edges(member)
                if provider == edge["to"]
            )
            assert edge["facts"]["count"] == expected == int(edge["label"].replace(",", ""))
        if len(named) == 2:
            assert len(content["members"]) >= MIN_GROUP  # smaller ones fold into their first provider's group


def test_minimum_criticality_keeps_only_providers_that_reach_it(bundled_facts):
    graph = build_graph(bundled_facts, DAY)
    scores = {row.provider: row.total_offline + row.total_degraded for row in criticality(graph)}
    view = overview_view(graph, top=60, min_criticality=3)
    kept = [n for n in view.nodes if not n.startswith("group:")]
    assert kept and all(scores[p] >= 3 for p in kept)
    assert {p for p, score in scores.items() if score >= 3} <= set(kept)


def page_data(path):
    embedded = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', path.read_text())
    return json.loads(embedded.group(1))


def test_kg_render_chooses_the_overview_for_a_big_map_and_says_so(invoke, tmp_path, monkeypatch):
    import kg.views.viewmodel

    monkeypatch.setattr(kg.views.viewmodel, "OVERVIEW_LIMIT", 50)  # the bundled map counts as big
    out = tmp_path / "map.html"
    result = invoke("render", "--as-of", "2021-01-07", "-q", "--out", out)
    assert result.exit_code == 0 and "overview of" in result.output and "--view full draws every actor" in result.output
    data = page_data(out)
    assert data["groups"] and all(not n["id"].startswith("parler") for n in data["nodes"] if n["shape"] == "hexagon")
    assert "parler" in data["facts"]["nodes"]  # every member travels in the page, for search and details
    full = invoke("render", "--as-of", "2021-01-07", "--view", "full", "-q", "--out", tmp_path / "full.html")
    assert "overview" not in full.output and not page_data(tmp_path / "full.html")["groups"]
    refused = invoke("render", "--focus", "parler", "--view", "overview", "-q", "--out", tmp_path / "x.html")
    assert refused.exit_code == 2 and "--view overview draws a whole map" in refused.output


def test_an_impact_on_a_big_map_draws_what_changes_and_what_supplies_it(bundled_facts, monkeypatch):
    import kg.views.viewmodel
    from kg.analysis.impact import assess
    from kg.analysis.scenario import make_scenario
    from kg.views.viewmodel import impact_view

    graph = build_graph(bundled_facts, DAY)
    impact = assess(graph, make_scenario(graph, remove=["aws"]))
    whole = impact_view(impact)
    monkeypatch.setattr(kg.views.viewmodel, "OVERVIEW_LIMIT", 50)
    view = impact_view(impact)
    changed = {status.identifier for status in impact.affected}
    suppliers = {p for node in changed for p in graph.graph[node]}
    assert set(view.nodes) == changed | suppliers and len(view.nodes) < len(whole.nodes)
    assert f"Of {len(graph.graph):,} actors, the {len(view.nodes):,} it changes" in view.subtitle
    assert view.summary == whole.summary
