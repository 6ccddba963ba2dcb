"""Focused graphs (kg.analysis.arrays.focus) answer impact, single-point and cut-set questions as the whole
graph does."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.analysis.arrays.focus import assess_focused, graph_for_scenario, graph_for_target
from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.faulttree import cut_sets, single_points_of_failure
from kg.analysis.graph import build_graph
from kg.analysis.impact import assess
from kg.analysis.scenario import make_scenario
from kg.store.dataset import open_dataset
from kg.store.tablebuilder import tables_from_facts
from kg.views.jsondoc import cutsets_json, impact_json, spof_json

from .test_array_engine import DAY, datasets

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def both_ways(facts, day, **scenario):
    whole = build_graph(facts, day)
    expected = impact_json(assess(whole, make_scenario(whole, **scenario)))
    arrays = build_array_graph(tables_from_facts(facts), day)
    graph, made = graph_for_scenario(arrays, whole.entities, **scenario)
    return impact_json(assess_focused(arrays, graph, made)), expected


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.data())
def test_focused_impact_is_the_whole_graphs(facts, data):
    providers = sorted({d.provider for d in facts.dependencies.values() if d.provider != d.dependent})
    if not providers:
        return
    remove = data.draw(st.lists(st.sampled_from(providers), unique=True, min_size=1, max_size=2))
    whole = build_graph(facts, DAY)
    remove = [p for p in remove if p in whole.providers()]
    if not remove:
        return
    active = sorted((d.dependent, d.provider, d.service) for _, _, d in whole.graph.edges(data="dependency"))
    cuts = data.draw(st.lists(st.sampled_from(active), unique=True, max_size=2)) if active else []
    got, expected = both_ways(facts, DAY, remove=remove, cuts=cuts)
    assert got == expected


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.data())
def test_focused_single_points_and_cut_sets_are_the_whole_graphs(facts, data):
    target = data.draw(st.sampled_from(sorted(facts.entities)))
    whole = build_graph(facts, DAY)
    arrays = build_array_graph(tables_from_facts(facts), DAY)
    focused = graph_for_target(arrays, target, whole.entities)
    assert spof_json(single_points_of_failure(focused, target), focused) == spof_json(
        single_points_of_failure(whole, target), whole
    )
    assert cutsets_json(cut_sets(focused, target, 2), focused) == cutsets_json(cut_sets(whole, target, 2), whole)


def test_bundled_cases_with_recorded_cut_offs():
    facts = open_dataset().facts
    for day, until in ((dt.date(2021, 1, 7), dt.date(2021, 1, 12)), (dt.date(2019, 8, 4), dt.date(2019, 8, 6))):
        got, expected = both_ways(facts, day, recorded_until=until)
        assert got == expected and got["affected"]
    got, expected = both_ways(facts, dt.date(2021, 1, 7), cuts=[("parler", "aws", None)], owners=["alphabet"])
    assert got == expected and got["affected"]
