"""Providers the sources do not name: they supply, are never a cut target, and are flagged in explanations."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kg.analysis.arrays.cascade import criticality_table
from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.criticality import criticality
from kg.analysis.faulttree import cut_sets, single_points_of_failure
from kg.analysis.graph import build_graph
from kg.analysis.impact import assess
from kg.analysis.scenario import make_scenario
from kg.errors import InputError
from kg.store.tablebuilder import tables_from_facts

from .builders import facts_of

DAY = dt.date(2021, 1, 7)


@pytest.fixture
def facts():
    """``site`` is hosted by a provider no source names (itself on ``transit``) and registered with ``reg``."""
    facts = facts_of(
        ("site", "unnamed-site-hosting", "hosting"),
        ("site", "reg", "registrar"),
        ("unnamed-site-hosting", "transit", "ip-transit"),
        ("other", "unnamed-site-hosting", "hosting"),
        ("other", "host", "hosting"),
    )
    entity = facts.entities["unnamed-site-hosting"]
    facts.entities[entity.identifier] = replace(entity, kinds=("provider", "unnamed"), name="Unnamed host of Site")
    return facts


def test_an_unnamed_provider_is_never_in_a_cut_set(facts):
    graph = build_graph(facts, DAY)
    assert cut_sets(graph, "site", 2).sets == [("reg",), ("transit",)]
    assert single_points_of_failure(graph, "site").offline == ["reg", "transit"]
    assert cut_sets(graph, "other", 2).sets == [("host", "transit")]


def test_an_unnamed_provider_has_no_row_in_the_criticality_table(facts):
    graph = build_graph(facts, DAY)
    rows = {row.provider for row in criticality(graph)}
    assert rows == {"reg", "transit", "host"}
    arrays = build_array_graph(tables_from_facts(facts), DAY)
    assert criticality_table(arrays) == criticality(graph)


def test_an_unnamed_provider_cannot_be_removed_but_supplies_and_is_flagged(facts):
    graph = build_graph(facts, DAY)
    with pytest.raises(InputError, match="provider the sources do not name"):
        make_scenario(graph, remove=["unnamed-site-hosting"])
    impact = assess(graph, make_scenario(graph, remove=["transit"]))
    assert impact.status("site").status == "offline"
    assert "Unnamed host of Site (not named by the sources), is offline" in impact.explain("site")
    assert impact.status("other").status == "online"
