"""Chains of providers, one for each service, give the answers of a formula and of brute force (issue 20,
item 5), and ``kg render --time-limit`` stops like ``kg spof`` and ``kg cutsets``.

A chain of a service has ``site`` depend on p0 for it, p0 on p1, and so on. Where the service is resold on
itself (``kg services``: hosting, payments, the app stores, email, SMS) each supply also ends when its
provider loses the service, so the chain is a resale chain even for a channel. How fast the engines go
down such chains is measured in ``bench/deep_graphs.py``, never here.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.arrays.cascade import cascade, criticality_table
from kg.analysis.arrays.graph import build_array_graph
from kg.analysis.criticality import criticality
from kg.analysis.faulttree import TimeLimitExceeded, cut_sets, deadline_progress, single_points_of_failure
from kg.analysis.graph import build_graph
from kg.analysis.impact import assess, propagate
from kg.analysis.scenario import make_scenario
from kg.analysis.sharedsets import SharedSet, union
from kg.model.vocabulary import OPERATION, vocabulary
from kg.store.tablebuilder import tables_from_facts

from .builders import DAY, facts_of

SERVICES = sorted(s for s in vocabulary().services if s != OPERATION)


def chain(service: str, depth: int, upstream: tuple[str, ...] | None = None):
    """``site`` on p0 for ``service``, p0 on p1, ... p(depth - 1); ``upstream`` overrides what each
    supply is resold on."""
    rows = [("site", "p0", service)] + [(f"p{i}", f"p{i + 1}", service) for i in range(depth - 1)]
    facts = facts_of(*rows)
    if upstream is not None:
        for key, dependency in list(facts.dependencies.items()):
            facts.dependencies[key] = replace(dependency, upstream=upstream)
    return facts


def shape(service: str, upstream: tuple[str, ...] | None = None) -> tuple[bool, bool]:
    """Whether losing the service takes a dependent offline, and whether a supply of it ends when its
    provider loses the service itself (a resale chain)."""
    known = vocabulary().services[service]
    return known.essential, service in (known.upstream if upstream is None else upstream)


def expected_reach(service: str, j: int, upstream=None) -> int:
    """How many actors p_j's exit takes offline (an essential service) or degrades (a channel): everyone
    above it down a chain that carries losses up (essential, or resold on itself), else its one dependent."""
    essential, resold = shape(service, upstream)
    return j + 1 if essential or resold else 1


def brute_force(graph, providers):
    """Per provider, the site's status and what it lost, and how many actors go offline and are degraded,
    by one propagation per exit."""
    found = {}
    for provider in providers:
        after = propagate(graph, removed={provider: "exits"})
        site = after.get("site")
        lost = sorted(loss.service for loss in site.losses) if site else []
        offline = sum(status.status == "offline" for status in after.values())
        degraded = sum(status.status == "degraded" for status in after.values())
        found[provider] = (site.status if site else "online", lost, offline, degraded)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_chain_of_each_service_gives_the_formula_and_brute_force(service):
    depth = 25
    facts = chain(service, depth)
    graph = build_graph(facts, DAY)
    providers = [f"p{i}" for i in range(depth)]
    essential, resold = shape(service)
    exact = brute_force(graph, providers)
    for j, provider in enumerate(providers):
        status, lost, offline, degraded = exact[provider]
        reach = expected_reach(service, j)
        assert (offline, degraded) == ((reach, 0) if essential else (0, reach)), provider
        if essential:
            assert status == "offline"
        else:
            assert (status, lost) == (("degraded", [service]) if resold or j == 0 else ("online", [])), provider
    points = single_points_of_failure(graph, "site", why_limit=3)
    carried = [p for p in providers if exact[p][0] != "online"]
    assert sorted(points.offline) == (sorted(carried) if essential else [])
    assert points.channels == ({} if essential else {p: [service] for p in carried})
    sets = cut_sets(graph, "site", 3)
    assert sets.sets == (sorted((p,) for p in carried) if essential else [])
    assert sets.channels == ({} if essential else {service: sorted((p,) for p in carried)})
    table = criticality(graph)
    assert table == criticality_table(build_array_graph(tables_from_facts(facts), DAY))
    reference = {row.provider: row for row in table}
    for provider in providers:
        _, _, offline, degraded = exact[provider]
        assert (reference[provider].total_offline, reference[provider].total_degraded) == (offline, degraded)


@pytest.mark.parametrize(
    ("service", "upstream"),
    [("cdn", ("cdn",)), ("ip-transit", ("ip-transit",)), ("payments", ()), ("app-store-ios", ("app-store-android",))],
)
def test_an_upstream_override_makes_or_breaks_a_resale_chain(service, upstream):
    depth = 20
    facts = chain(service, depth, upstream)
    graph = build_graph(facts, DAY)
    exact = brute_force(graph, [f"p{i}" for i in range(depth)])
    essential = shape(service, upstream)[0]
    for j in range(depth):
        reach = expected_reach(service, j, upstream)
        assert exact[f"p{j}"][2:] == ((reach, 0) if essential else (0, reach))
    table = criticality(graph)
    assert table == criticality_table(build_array_graph(tables_from_facts(facts), DAY))
    assert {row.provider: row.total_offline + row.total_degraded for row in table} == {
        f"p{j}": expected_reach(service, j, upstream) for j in range(depth)
    }


def test_a_payments_chain_resold_on_each_processors_banking():
    """Each processor resells payments on its own payments and banking: a bank's exit cuts its processor's
    banking, and the payments of everyone above it; every engine agrees with one propagation per exit."""
    depth = 12
    rows = [("site", "p0", "payments")] + [(f"p{i}", f"p{i + 1}", "payments") for i in range(depth - 1)]
    rows += [(f"p{i}", f"bank{i}", "banking") for i in range(depth)]
    facts = facts_of(*rows)
    graph = build_graph(facts, DAY)
    exact = brute_force(graph, [f"bank{i}" for i in range(depth)] + [f"p{i}" for i in range(depth)])
    for j in range(depth):
        assert exact[f"bank{j}"] == ("degraded", ["payments"], 0, j + 2)  # p_j (banking), p_(j-1)...p0, site
    points = single_points_of_failure(graph, "site", why_limit=0)
    assert sorted(points.channels) == sorted(exact)
    table = criticality(graph)
    assert table == criticality_table(build_array_graph(tables_from_facts(facts), DAY))
    assert all(row.total_degraded == exact[row.provider][3] for row in table)


@pytest.mark.slow
@pytest.mark.parametrize("service", ["hosting", "payments", "app-store-ios"])
def test_a_resale_chain_two_thousand_deep_gives_the_formula(service):
    """Deep enough that a quadratic walk or a recursion would show; its speed is measured in bench/."""
    depth = 2_000
    facts = chain(service, depth)
    graph = build_graph(facts, DAY)
    essential, _ = shape(service)
    last = f"p{depth - 1}"
    points = single_points_of_failure(graph, "site", why_limit=1)
    if essential:
        assert len(points.offline) == depth and not points.channels
    else:
        assert not points.offline and len(points.channels) == depth
    assert list(points.why) == (["p0"] if essential else [])  # the first explained, down the whole chain
    arrays = build_array_graph(tables_from_facts(facts), DAY)
    table = {row.provider: row for row in criticality_table(arrays)}
    assert all(
        (table[f"p{j}"].total_offline if essential else table[f"p{j}"].total_degraded) == j + 1 for j in range(depth)
    )
    assert {row.provider: row for row in criticality(graph)} == table
    result = cascade(arrays, np.array([arrays.number[last]]))
    lost = arrays.need_service[result.lost] == arrays.tables.services.index(service)
    assert int(lost.sum()) == depth  # site, p0 ... p(depth - 2) lose it
    impact = assess(graph, make_scenario(graph, remove=[last]))
    assert len(impact.affected) == depth + 1  # everyone, the exiting provider included


def written(value) -> set:
    return value.members() if isinstance(value, SharedSet) else set()


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.frozensets(st.integers(0, 6), max_size=3))))
def test_union_of_shared_sets_is_the_union_of_their_members(program):
    """Sets built on earlier ones (a head on a tail) and unions of two earlier ones, at every depth."""
    sets: list = [None]
    for first, second, head in program:
        left, right = sets[first % len(sets)], sets[second % len(sets)]
        sets.append(SharedSet(head, left) if head else union(left, right))
        assert written(sets[-1]) == written(left) | (head or written(right))


def test_a_set_joined_with_the_set_it_stands_on_is_itself():
    tail = None
    for element in range(5_000):
        tail = SharedSet(frozenset({element}), tail)
        on_top = SharedSet(frozenset({-element}), tail)
        assert union(on_top, tail) is on_top and union(tail, on_top) is on_top


# -- kg render --time-limit -------------------------------------------------------------------------


def one_line_error(result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0 and fragment in result.output, result.output


def test_every_view_stops_at_a_passed_deadline(bundled_facts):
    from kg.analysis.replay import replay
    from kg.views.html import render
    from kg.views.overview import overview_view
    from kg.views.viewmodel import graph_view, impact_view, replay_view

    past = deadline_progress(time.monotonic() - 1, "rendering")
    graph = build_graph(bundled_facts, dt.date(2021, 1, 7))
    impact = assess(graph, make_scenario(graph, remove=["aws"]))
    for draw in (
        lambda: graph_view(graph, progress=past),
        lambda: overview_view(graph, top=5, progress=past),
        lambda: impact_view(impact, progress=past),
        lambda: replay_view(replay(bundled_facts, "parler"), bundled_facts, progress=past),
        lambda: render(graph_view(graph, focus="parler", depth=1), progress=past),
    ):
        with pytest.raises(TimeLimitExceeded, match=r"^rendering stopped at the time limit \(--time-limit\): "):
            draw()
    assert graph_view(graph, progress=deadline_progress(None, "rendering")).nodes  # no deadline: never stops


def write_chain(folder, depth: int, service: str = "hosting"):
    folder.mkdir()
    with (folder / "entities.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["id", "name", "kind"],
                ["site", "Site", "website"],
                *([f"p{i}", f"P{i}", "provider"] for i in range(depth)),
            ]
        )
    rows = [["d-site", "site", "p0", service, "s"]] + [
        [f"d{i}", f"p{i}", f"p{i + 1}", service, "s"] for i in range(depth - 1)
    ]
    with (folder / "dependencies.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "dependent", "provider", "service", "source"], *rows])
    with (folder / "sources.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["id", "publisher", "date", "title", "url"],
                ["s", "Generated", "2020-01-01", "Chain", "https://example.org/"],
            ]
        )
    return folder


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["render", "--remove", "p599"],
        ["render"],
        ["render", "--view", "overview"],
        ["render", "--focus", "site", "--depth", "3"],
        ["render", "--remove", "p599", "--format", "svg"],
        ["spof", "site"],
        ["cutsets", "site"],
    ],
)
def test_past_the_time_limit_is_one_line_exit_2_and_nothing_written(invoke, tmp_path, monkeypatch, command):
    """The deadline is moved into the past (no test waits on the clock): the command stops with one line."""
    import kg.api.pictures
    import kg.api.whatif

    data = write_chain(tmp_path / "chain", 600)
    for module in (kg.api.whatif, kg.api.pictures):  # the deadline moved into the past
        monkeypatch.setattr(module, "deadline", lambda seconds: time.monotonic() - 1 if seconds else None)
    out = tmp_path / "page.html"
    given = ["--out", out] if command[0] == "render" else []
    result = invoke(*command, "--data", data, "--as-of", "2024-01-01", "-q", "--time-limit", "5", *given)
    one_line_error(result, "stopped at the time limit (--time-limit)")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["chain"]
    if command[0] == "render":
        assert invoke(*command, "--data", data, "--as-of", "2024-01-01", "-q", *given).exit_code == 0
        assert out.exists()


def test_render_replay_stops_at_the_time_limit(invoke, tmp_path, monkeypatch):
    import kg.api.pictures
    import kg.api.whatif

    for module in (kg.api.whatif, kg.api.pictures):  # the deadline moved into the past
        monkeypatch.setattr(module, "deadline", lambda seconds: time.monotonic() - 1 if seconds else None)
    out = tmp_path / "replay.html"
    result = invoke("render", "--replay", "parler", "-q", "--time-limit", "5", "--out", out)
    one_line_error(result, "rendering stopped at the time limit (--time-limit)")
    assert not out.exists()
