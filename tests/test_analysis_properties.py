"""Invariants of the what-if engine on random dependency graphs (hypothesis), checked by brute force.

The graphs carry resale chains (upstream overrides), dependencies that apply in some countries only,
cut-offs at a time of day, partial supplies, additive endpoints and outages (full or partial), and are
built at a random viewpoint (worldwide or in one country, at a date or an instant)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.analysis.criticality import criticality
from kg.analysis.faulttree import cut_sets, single_points_of_failure
from kg.analysis.graph import build_graph
from kg.analysis.impact import STATUS_ORDER, propagate
from kg.analysis.viewpoint import Viewpoint

from .builders import facts_of
from .test_array_engine import with_outages, with_upstream

pytestmark = [pytest.mark.fuzz]

DAY = dt.date(2021, 1, 7)
NODES = [f"n{i}" for i in range(7)]
SERVICES = ["hosting", "dns", "cdn", "app-store-ios", "endpoint"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def graphs(draw):
    rows = []
    for _ in range(draw(st.integers(1, 16))):
        dependent = draw(st.sampled_from(NODES))
        provider = draw(st.sampled_from(NODES)) if draw(st.integers(0, 9)) else dependent  # some self-provision
        service = draw(st.sampled_from(SERVICES))
        effect = draw(st.sampled_from([None, None, None, "essential", "channel"]))
        if draw(st.integers(0, 7)) == 0:  # a past cut-off (maybe that very day): the service stays needed
            end = draw(st.sampled_from(["2021-01-01", "2021-01-07"]))
            rows.append((dependent, provider, service, None, end, "provider", effect))
        else:
            rows.append((dependent, provider, service, None, None, None, effect))
    facts = with_outages(with_upstream(facts_of(*rows), draw), draw, NODES)
    for key, dependency in list(facts.dependencies.items()):  # some only in one country, some cut at a time
        end_time = draw(st.sampled_from([None, dt.time(7, 59)])) if dependency.end else None
        facts.dependencies[key] = replace(
            dependency,
            countries=draw(st.sampled_from([(), (), (), ("US",), ("BR", "US")])),
            end_time=dt.datetime.combine(dependency.end, end_time, dt.UTC) if end_time else None,
        )
    region = draw(st.sampled_from([None, None, "US", "BR"]))
    time = draw(st.sampled_from([None, None, dt.time(6, 0), dt.time(12, 0)]))
    moment = dt.datetime.combine(DAY, time, dt.UTC) if time else None
    return build_graph(facts, view=Viewpoint(DAY, moment, region))


def outcome(graph, removed):
    result = propagate(graph, removed={p: "exits" for p in removed})
    return {node: (STATUS_ORDER[s.status], {loss.service for loss in s.losses}) for node, s in result.items()}


def is_down(graph, target, removed) -> bool:
    status = propagate(graph, removed={p: "exits" for p in removed}).get(target)
    return status is not None and status.status in ("offline", "exited")


def providers(graph):
    return sorted(graph.providers())


@SETTINGS
@given(graphs(), st.data())
def test_cutting_more_never_helps(graph, data):
    pool = providers(graph)
    bigger = set(data.draw(st.lists(st.sampled_from(pool), unique=True))) if pool else set()
    smaller = set(data.draw(st.lists(st.sampled_from(sorted(bigger)), unique=True))) if bigger else set()
    before, after = outcome(graph, smaller), outcome(graph, bigger)
    for node, (rank, lost) in before.items():
        later_rank, later_lost = after[node]
        assert later_rank >= rank and (later_lost >= lost or later_rank == STATUS_ORDER["exited"])


@SETTINGS
@given(graphs(), st.sampled_from(NODES), st.integers(1, 3))
def test_cut_sets_are_real_minimal_and_complete(graph, target, order):
    result = cut_sets(graph, target, order)
    assert result.already_offline == is_down(graph, target, [])
    if result.already_offline:
        return
    pool = [p for p in providers(graph) if p != target]
    for members in result.sets:
        assert is_down(graph, target, members), members
        for member in members:
            assert not is_down(graph, target, [m for m in members if m != member]), (members, member)
    brute = []
    for size in range(1, order + 1):
        for combo in combinations(pool, size):
            if is_down(graph, target, combo) and not any(set(b) <= set(combo) for b in brute):
                brute.append(combo)
    assert sorted(result.sets) == sorted(tuple(sorted(b)) for b in brute)


@SETTINGS
@given(graphs(), st.sampled_from(NODES))
def test_single_points_of_failure_are_the_order_one_cut_sets(graph, target):
    points = single_points_of_failure(graph, target)
    assert points.offline == [s[0] for s in cut_sets(graph, target, 1).sets]
    if not points.already_offline:
        assert points.offline == [p for p in providers(graph) if p != target and is_down(graph, target, [p])]


@SETTINGS
@given(graphs())
def test_fast_criticality_equals_one_cascade_per_provider(graph):
    baseline = propagate(graph)
    base_offline = {n for n, s in baseline.items() if s.status == "offline"}
    for row in criticality(graph):
        after = propagate(graph, removed={row.provider: "exits"})
        offline = {n for n, s in after.items() if s.status == "offline"} - base_offline - {row.provider}
        degraded = {
            n
            for n, s in after.items()
            if s.status == "degraded" and set(s.lost_channels) - set(baseline[n].lost_channels if n in baseline else [])
        }
        assert (row.total_offline, row.total_degraded) == (len(offline), len(degraded)), row
        assert row.direct_offline <= row.total_offline
