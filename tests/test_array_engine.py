"""The array engine (kg.analysis.arrays.graph, kg.analysis.arrays.cascade) gives the reference engine's answers
on random graphs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.analysis.arrays.cascade import cascade, concentration_table, criticality_table
from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.criticality import concentration, criticality
from kg.analysis.graph import build_graph
from kg.analysis.impact import propagate
from kg.analysis.scenario import Cut
from kg.model.facts import Outage
from kg.model.vocabulary import OPERATION
from kg.store.dataset import open_dataset
from kg.store.tablebuilder import tables_from_facts

from .builders import facts_of

DAY = dt.date(2021, 1, 7)
NODES = [f"n{i}" for i in range(8)]
SERVICES = ["hosting", "dns", "cdn", "app-store-ios", "endpoint"]  # endpoints are additive
DATES = [None, "2020-06-01", "2021-01-01", "2021-01-07", "2021-01-08", "2022-01-01"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def datasets(draw):
    rows = []
    for _ in range(draw(st.integers(1, 20))):
        dependent = draw(st.sampled_from(NODES))
        provider = draw(st.sampled_from(NODES)) if draw(st.integers(0, 9)) else dependent
        service = draw(st.sampled_from(SERVICES))
        start, end = draw(st.sampled_from(DATES)), draw(st.sampled_from(DATES))
        ended_by = draw(st.sampled_from([None, "provider", "dependent", "unknown"])) if end else None
        effect = draw(st.sampled_from([None, None, None, "essential", "channel"]))
        rows.append((dependent, provider, service, start, end, ended_by, effect))
    return with_outages(with_upstream(facts_of(*rows), draw), draw)


UPSTREAM = [None, None, None, (), ("app-store-ios",), ("cdn",), ("cdn", "hosting")]


def with_upstream(facts, draw):
    """``facts`` with some supplies resold on services of their provider (an override, or none)."""
    for key, dependency in list(facts.dependencies.items()):
        facts.dependencies[key] = replace(dependency, upstream=draw(st.sampled_from(UPSTREAM)))
    return facts


def with_outages(facts, draw, nodes=None):
    """``facts`` with some partial supplies and some outages (full or partial) of random actors."""
    for key, dependency in list(facts.dependencies.items()):
        facts.dependencies[key] = replace(dependency, partial=draw(st.sampled_from([False] * 5 + [True])))
    for number in range(draw(st.integers(0, 2))):
        start = draw(st.sampled_from([d for d in DATES if d]))
        end = draw(st.sampled_from([None, *(d for d in DATES if d and d > start)]))
        actor = draw(st.sampled_from(nodes or NODES))
        identifier = f"outage-{number}"
        facts.outages[identifier] = Outage(
            identifier,
            URIRef(f"urn:{identifier}"),
            actor,
            dt.date.fromisoformat(start),
            dt.date.fromisoformat(end) if end else None,
            partial=draw(st.booleans()),
        )
    return facts


def reference_outcome(graph, removed, cuts):
    """Statuses and lost needs; the cascade on arrays knows nothing of impairment (partial supplies, a lost
    endpoint among several), so a status degraded by that alone is left out, and impaired services too
    (but a partial outage, which the arrays see as a lost channel of the actor's own operation, is kept)."""
    result = propagate(graph, {d: Cut(d, "cut", DAY) for d in cuts}, {p: "exits" for p in removed})
    outcome = {}
    for node, status in result.items():
        lost = sorted(loss.service for loss in status.losses if not loss.partial or loss.service == OPERATION)
        if status.status != "degraded" or lost:
            outcome[node] = (status.status, lost)
    return outcome


def array_outcome(arrays, removed, cuts):
    numbers = {identifier: index for index, identifier in enumerate(arrays.tables.dep_id.tolist())}
    result = cascade(arrays, np.array([arrays.number[p] for p in removed]), np.array([numbers[d] for d in cuts]))
    degraded = result.degraded(arrays)
    outcome = {}
    for index in range(arrays.actor_count):
        lost = sorted(
            arrays.tables.services[arrays.need_service[n]]
            for n in np.flatnonzero(result.lost & (arrays.need_node == index))
        )
        identifier = arrays.ids[index]
        if result.exited[index]:
            outcome[identifier] = ("exited", [])
        elif result.offline[index]:
            outcome[identifier] = ("offline", lost)
        elif degraded[index]:
            outcome[identifier] = ("degraded", lost)
    return outcome


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.data())
def test_cascades_agree_with_propagate(facts, data):
    graph = build_graph(facts, DAY)
    arrays = build_array_graph(tables_from_facts(facts), DAY)
    providers = sorted({d.provider for d in facts.dependencies.values()})
    removed = data.draw(st.lists(st.sampled_from(providers), unique=True, max_size=3))
    cuts = data.draw(st.lists(st.sampled_from(sorted(facts.dependencies)), unique=True, max_size=3))
    assert array_outcome(arrays, removed, cuts) == reference_outcome(graph, removed, cuts)


@pytest.mark.fuzz
@SETTINGS
@given(datasets())
def test_criticality_table_agrees_with_the_reference(facts):
    graph = build_graph(facts, DAY)
    arrays = build_array_graph(tables_from_facts(facts), DAY)
    assert criticality_table(arrays) == criticality(graph)
    for service in SERVICES:
        assert criticality_table(arrays, service) == criticality(graph, service)
        if any(d.service == service and d.dependent != d.provider for d in facts.dependencies.values()):
            assert concentration_table(arrays, service) == concentration(graph, service)


@pytest.mark.fuzz
@SETTINGS
@given(datasets())
def test_networkx_view_has_the_reference_edges(facts):
    graph = build_graph(facts, DAY)
    view = build_array_graph(tables_from_facts(facts), DAY).to_networkx()
    assert sorted(view.edges(keys=True)) == sorted(graph.graph.edges(keys=True))


@pytest.mark.slow
def test_bundled_data_on_every_date_of_the_record():
    facts = open_dataset().facts
    arrays_tables = tables_from_facts(facts)
    days = sorted(
        {d.start for d in facts.dependencies.values() if d.start}
        | {d.end for d in facts.dependencies.values() if d.end}
    )
    for day in days[:: max(1, len(days) // 12)]:
        graph = build_graph(facts, day)
        assert criticality_table(build_array_graph(arrays_tables, day)) == criticality(graph), day


def test_a_deep_chain_cascades_in_one_round_per_link():
    rows = [(f"a{i}", f"a{i + 1}", "hosting") for i in range(2000)]
    arrays = build_array_graph(tables_from_facts(facts_of(*rows)), DAY)
    result = cascade(arrays, np.array([arrays.number["a2000"]]))
    assert int(result.offline.sum()) == 2000 and result.rounds == 2000
    table = {row.provider: row for row in criticality_table(arrays)}
    assert table["a2000"].total_offline == 2000 and table["a2000"].direct_offline == 1


def renamed(facts, name):
    """``facts`` with every dependency identifier replaced by ``name(identifier)`` (events follow)."""
    copy = type(facts)()
    copy.entities = dict(facts.entities)
    copy.outages = dict(facts.outages)
    copy.dependencies = {
        name(d.identifier): replace(d, identifier=name(d.identifier)) for d in facts.dependencies.values()
    }
    return copy


@pytest.mark.fuzz
@SETTINGS
@given(datasets(), st.data())
def test_renaming_dependencies_never_changes_an_answer(facts, data):
    """Same-day ends of one service are decided by who ended them, not by which identifier sorts last."""
    identifiers = sorted(facts.dependencies)
    shuffled = data.draw(st.permutations(identifiers))
    name = dict(zip(identifiers, (f"d{index:03d}" for index in range(len(identifiers))), strict=True))
    name = {old: name[new] for old, new in zip(identifiers, shuffled, strict=True)}
    other = renamed(facts, name.__getitem__)
    providers = sorted({d.provider for d in facts.dependencies.values()})
    removed = data.draw(st.lists(st.sampled_from(providers), unique=True, max_size=2))
    cuts = data.draw(st.lists(st.sampled_from(identifiers), unique=True, max_size=2))
    expected = reference_outcome(build_graph(facts, DAY), removed, cuts)
    assert reference_outcome(build_graph(other, DAY), removed, [name[c] for c in cuts]) == expected
    arrays = build_array_graph(tables_from_facts(other), DAY)
    assert array_outcome(arrays, removed, [name[c] for c in cuts]) == expected


def test_a_same_day_end_by_the_provider_keeps_the_need_whatever_the_ids():
    for first, second in (("x-a", "x-b"), ("x-b", "x-a")):
        facts = facts_of(("x", "a", "hosting", None, "2021-01-09", "provider"))
        facts = renamed(facts, {"x-a-hosting-0": first}.__getitem__)
        left = facts_of(("x", "b", "hosting", None, "2021-01-09", "dependent"))
        facts.dependencies.update(renamed(left, {"x-b-hosting-0": second}.__getitem__).dependencies)
        day = dt.date(2021, 1, 10)
        need = build_graph(facts, day).needs["x"]["hosting"]
        assert (need.lost_with.identifier, need.essential) == (first, True)
        arrays = build_array_graph(tables_from_facts(facts), day)
        (row,) = arrays.need_lost[arrays.need_node == arrays.number["x"]].tolist()
        assert arrays.tables.dep_id[row] == first


@pytest.mark.slow
def test_criticality_down_a_deep_chain_with_customers_at_every_level():
    """Providers p0 <- p1 <- ... (each on the next for IP transit), every one with a customer site, and a
    ladder site on two levels: both engines count, without writing the sets out, what one cascade finds."""
    depth = 1_500
    rows = [(f"p{i}", f"p{i + 1}", "ip-transit") for i in range(depth - 1)]
    rows += [(f"c{i}", f"p{i}", "hosting") for i in range(depth)]
    rows += [("ladder", "p10", "hosting"), ("ladder", "p700", "dns")]
    facts = facts_of(*rows)
    graph = build_graph(facts, DAY)
    table = criticality(graph)
    assert table == criticality_table(build_array_graph(tables_from_facts(facts), DAY))
    total = {row.provider: row.total_offline for row in table}
    # p_j's exit takes p0..p(j-1) and the customers c0..cj offline, and the ladder site from j >= 10.
    assert all(total[f"p{j}"] == 2 * j + 1 + (j >= 10) for j in range(depth)), "counts down the chain"
    last = f"p{depth - 1}"
    after = propagate(graph, removed={last: "exits"})
    assert total[last] == sum(status.status == "offline" for status in after.values())
