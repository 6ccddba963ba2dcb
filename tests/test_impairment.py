"""Impairment along resale chains (issue 20, item 12), checked against the rule written out by brute force.

The rule (README, "Partial supplies"): a service is *lost* when every supply of it is gone (cut, its
provider exited or offline, or its provider lost a service the supply is resold on); a service not lost is
*impaired* when no supply of it is whole, a supply being only in part when it is partial itself, when its
provider's own operation is impaired (an essential service kept only in part, or a partial outage:
everything it supplies is then impaired, whatever the supply is resold on, as an offline provider supplies
nothing whatever it is resold on), or when its provider keeps a service the supply is resold on only in
part. An additive service is impaired as soon as one of its supplies is gone. Loss comes first: impairment
never takes anything away, so single points of failure, cut sets and the criticality table, which count
losses, are unchanged by it (their brute-force checks are in test_analysis_properties.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.analysis.graph import OPERATION, build_graph
from kg.analysis.impact import propagate
from kg.model.vocabulary import vocabulary

from .builders import DAY, facts_of
from .test_analysis_properties import SETTINGS, graphs


def rule(graph, removed: set[str]) -> dict[str, tuple[str, set[str], set[str]]]:
    """Each actor's (status, lost services, impaired services) after ``removed`` exit, by the rule above,
    iterated to its least fixpoint: first the losses (they never depend on impairment), then impairment."""
    needs = graph.needs
    additive = vocabulary().additive
    lost: dict[str, set[str]] = {a: set() for a in needs}
    offline: set[str] = set()

    def dead(d) -> bool:
        if d.self_provided:
            return False
        resold_on_lost = any(u in lost.get(d.provider, ()) for u in d.relies_on)
        return d.provider in removed or d.provider in offline or resold_on_lost

    changed = True
    while changed:
        changed = False
        for actor, services in needs.items():
            if actor in removed:  # an offline actor goes on losing what it loses: its status says all
                continue
            for service, need in services.items():
                if service in lost[actor]:
                    continue
                if need.supplies:
                    gone = all(dead(d) for d in need.supplies)
                else:
                    gone = not (need.outage is not None and need.outage.partial)
                if gone:
                    lost[actor].add(service)
                    changed = True
            if actor not in offline and any(needs[actor][s].essential for s in lost[actor]):
                offline.add(actor)
                changed = True
    in_part: dict[str, set[str]] = {a: set() for a in needs}

    def operation_impaired(actor: str) -> bool:
        return any(needs[actor][s].essential or s == OPERATION for s in in_part.get(actor, ()))

    def whole(d) -> bool:
        return d.self_provided or not (
            d.partial or operation_impaired(d.provider) or any(u in in_part.get(d.provider, ()) for u in d.relies_on)
        )

    changed = True
    while changed:
        changed = False
        for actor, services in needs.items():
            if actor in removed or actor in offline:
                continue
            for service, need in services.items():
                if service in lost[actor] or service in in_part[actor]:
                    continue
                alive = [d for d in need.supplies if not dead(d)]
                if not need.supplies:
                    impaired = True  # a partial outage (a full one is a loss)
                elif any(d.self_provided for d in alive):
                    impaired = False
                elif service in additive and len(alive) < len(need.supplies):
                    impaired = True
                else:
                    impaired = not any(whole(d) for d in alive)
                if impaired:
                    in_part[actor].add(service)
                    changed = True
    result = {}
    for actor in needs:
        if actor in removed:
            result[actor] = ("exited", set(), set())
        elif actor in offline:
            result[actor] = ("offline", lost[actor], set())
        elif lost[actor] or in_part[actor]:
            result[actor] = ("degraded", lost[actor], in_part[actor])
        else:
            result[actor] = ("online", set(), set())
    return result


def engine(graph, removed: set[str]) -> dict[str, tuple[str, set[str], set[str]]]:
    statuses = propagate(graph, removed={p: "exits" for p in removed})
    result = {}
    for actor in graph.needs:
        status = statuses.get(actor)
        if status is None:
            result[actor] = ("online", set(), set())
            continue
        lost = {loss.service for loss in status.losses if not loss.partial}
        impaired = {loss.service for loss in status.losses if loss.partial} if status.status == "degraded" else set()
        result[actor] = (status.status, lost if status.status != "exited" else set(), impaired)
    return result


@pytest.mark.fuzz
@SETTINGS
@given(graphs(), st.data())
def test_statuses_follow_the_written_rule(graph, data):
    pool = sorted(graph.providers())
    removed = set(data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=3))) if pool else set()
    assert engine(graph, removed) == rule(graph, removed)


@st.composite
def resale_graphs(draw):
    """Small graphs dense in what the rule is about: channels resold on channels (app-store listings,
    payments on payments and banking, CDN on hosting), many supplies in part, upstream overrides."""
    from dataclasses import replace

    nodes = [f"n{i}" for i in range(5)]
    services = ["app-store-ios", "payments", "banking", "cdn", "hosting", "dns"]
    upstream = [None, None, None, (), ("payments",), ("app-store-ios",), ("banking", "payments")]
    rows = [
        (draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes)), draw(st.sampled_from(services)))
        for _ in range(draw(st.integers(1, 12)))
    ]
    facts = facts_of(*rows)
    for key, dependency in list(facts.dependencies.items()):
        facts.dependencies[key] = replace(
            dependency, partial=draw(st.sampled_from([False, False, True])), upstream=draw(st.sampled_from(upstream))
        )
    return build_graph(facts, DAY)


@pytest.mark.fuzz
@SETTINGS
@given(resale_graphs(), st.data())
def test_statuses_on_resale_chains_follow_the_written_rule(graph, data):
    pool = sorted(graph.providers())
    removed = set(data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=2))) if pool else set()
    assert engine(graph, removed) == rule(graph, removed)


def _partial(facts, *providers: str):
    from dataclasses import replace

    for key, dependency in list(facts.dependencies.items()):
        if dependency.provider in providers:
            facts.dependencies[key] = replace(dependency, partial=True)
    return facts


def test_a_listing_resold_on_a_listing_kept_in_part_is_impaired():
    """a <- p app-store-ios, p <- q app-store-ios partial: A's listing was left whole, yet Q's exit takes
    it away by resale. It is impaired, as P's own listing is."""
    graph = build_graph(_partial(facts_of(("a", "p", "app-store-ios"), ("p", "q", "app-store-ios")), "q"), DAY)
    statuses = propagate(graph)
    assert statuses["a"].status == "degraded"
    assert [(loss.service, loss.partial) for loss in statuses["a"].losses] == [("app-store-ios", True)]
    assert [c.how for c in statuses["a"].losses[0].causes] == ["impaired"]
    after = propagate(graph, removed={"q": "exits"})
    assert [(loss.service, loss.partial) for loss in after["a"].losses] == [("app-store-ios", False)]


def test_a_supply_not_resold_on_the_service_kept_in_part_stays_whole():
    """p's payments are kept in part; a's hosting from p is not resold on payments: it stays whole."""
    graph = build_graph(_partial(facts_of(("a", "p", "hosting"), ("p", "q", "payments")), "q"), DAY)
    statuses = propagate(graph)
    assert "a" not in statuses
    assert statuses["p"].status == "degraded"


def test_an_impaired_operation_impairs_whatever_is_resold_on_nothing():
    """p's hosting kept in part impairs its operation: a's DNS from p is impaired even with upstream=none,
    as an offline provider supplies nothing whatever its supplies are resold on."""
    from dataclasses import replace

    facts = _partial(facts_of(("a", "p", "dns"), ("p", "q", "hosting")), "q")
    for key, dependency in list(facts.dependencies.items()):
        if dependency.dependent == "a":
            facts.dependencies[key] = replace(dependency, upstream=())
    statuses = propagate(build_graph(facts, DAY))
    assert [(loss.service, loss.partial) for loss in statuses["a"].losses] == [("dns", True)]
    assert [c.how for c in statuses["a"].losses[0].causes] == ["impaired"]
