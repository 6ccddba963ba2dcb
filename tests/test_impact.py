"""Propagation rules on small literal graphs with known answers."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.analysis.graph import build_graph
from kg.analysis.impact import assess, propagate
from kg.analysis.scenario import make_scenario
from kg.errors import InputError

from .builders import DAY, facts_of


def statuses(facts, removed=(), day=DAY, **scenario):
    graph = build_graph(facts, day)
    if scenario:
        return assess(graph, make_scenario(graph, remove=removed, **scenario)).after
    return propagate(graph, removed={p: "exits" for p in removed})


def status(result, node):
    return result[node].status if node in result else "online"


def test_losing_the_only_essential_provider_takes_the_dependent_offline():
    result = statuses(facts_of(("site", "host", "hosting")), removed=["host"])
    assert status(result, "site") == "offline"
    assert result["site"].lost_essentials == ["hosting"]


def test_redundancy_keeps_the_dependent_online_until_every_provider_is_gone():
    facts = facts_of(("site", "a", "dns"), ("site", "b", "dns"))
    assert status(statuses(facts, removed=["a"]), "site") == "online"
    assert status(statuses(facts, removed=["a", "b"]), "site") == "offline"


def test_self_hosting_cannot_be_cut():
    facts = facts_of(("site", "host", "hosting"), ("site", "site", "hosting"))
    assert status(statuses(facts, removed=["host"]), "site") == "online"


def test_losing_a_channel_degrades_and_lists_it():
    facts = facts_of(
        ("app", "host", "hosting"), ("app", "store", "app-store-ios"), ("app", "play", "app-store-android")
    )
    result = statuses(facts, removed=["store", "play"])
    assert status(result, "app") == "degraded"
    assert result["app"].lost_channels == ["app-store-android", "app-store-ios"]


def test_a_dependency_can_override_the_default_effect():
    facts = facts_of(("app", "store", "app-store-ios", None, None, None, "essential"), ("site", "cdn", "cdn"))
    assert status(statuses(facts, removed=["store"]), "app") == "offline"
    facts = facts_of(("site", "dns1", "dns", None, None, None, "channel"))
    assert status(statuses(facts, removed=["dns1"]), "site") == "degraded"


def test_failure_cascades_through_providers():
    facts = facts_of(("site", "cdn", "hosting"), ("cdn", "net", "ip-transit"), ("net", "power", "hosting"))
    result = statuses(facts, removed=["power"])
    assert [status(result, n) for n in ("net", "cdn", "site")] == ["offline"] * 3
    text = assess(build_graph(facts, DAY), make_scenario(build_graph(facts, DAY), remove=["power"])).explain("site")
    assert text.startswith(
        "Site: offline since 2021-01-07: lost hosting; its only hosting provider, Cdn, is offline (Cdn:"
    )
    assert "Power, exits" in text


def test_a_degraded_provider_still_provides():
    facts = facts_of(("site", "host", "hosting"), ("host", "pay", "payments"))
    result = statuses(facts, removed=["pay"])
    assert status(result, "host") == "degraded" and status(result, "site") == "online"


def test_cycles_terminate_and_fail_together():
    facts = facts_of(
        ("a", "b", "dns"), ("b", "a", "dns"), ("a", "h", "hosting"), ("b", "h", "hosting"), ("s", "a", "dns")
    )
    result = statuses(facts, removed=["h"])
    assert status(result, "a") == status(result, "b") == status(result, "s") == "offline"


def test_a_cycle_with_an_outside_alternative():
    facts = facts_of(("a", "b", "dns"), ("a", "x", "dns"), ("b", "a", "dns"))
    assert status(statuses(facts, removed=["b"]), "a") == "online"
    assert status(statuses(facts, removed=["a"]), "b") == "offline"
    assert status(statuses(facts, removed=["x"]), "a") == "online"


def test_cycle_without_outside_failure_stays_online():
    facts = facts_of(("a", "b", "dns"), ("b", "a", "dns"))
    assert propagate(build_graph(facts, DAY)) == {}


def test_dates_select_the_active_dependencies():
    facts = facts_of(
        ("site", "old", "hosting", None, "2021-01-11", "dependent"), ("site", "new", "hosting", "2021-01-11")
    )
    assert status(statuses(facts, removed=["old"], day=dt.date(2021, 1, 10)), "site") == "offline"
    assert status(statuses(facts, removed=["old"], day=dt.date(2021, 1, 11)), "site") == "online"


def test_a_service_lost_to_a_cut_off_stays_needed():
    facts = facts_of(("site", "host", "hosting", None, "2021-01-11", "provider"))
    result = propagate(build_graph(facts, dt.date(2021, 1, 12)))
    assert status(result, "site") == "offline"
    assert result["site"].losses[0].causes[0].how == "lost"


def test_a_service_the_dependent_left_is_no_longer_needed():
    facts = facts_of(("site", "host", "hosting", None, "2021-01-11", "dependent"))
    assert propagate(build_graph(facts, dt.date(2021, 1, 12))) == {}


def test_a_later_replacement_restores_the_service():
    facts = facts_of(
        ("site", "host", "hosting", None, "2021-01-11", "provider"), ("site", "new", "hosting", "2021-02-15")
    )
    assert status(propagate(build_graph(facts, dt.date(2021, 2, 14))), "site") == "offline"
    assert status(propagate(build_graph(facts, dt.date(2021, 2, 15))), "site") == "online"


def test_cut_one_dependency_only():
    facts = facts_of(("a", "host", "hosting"), ("b", "host", "hosting"))
    graph = build_graph(facts, DAY)
    after = assess(graph, make_scenario(graph, cuts=[("a", "host", None)])).after
    assert status(after, "a") == "offline" and status(after, "b") == "online"


def test_cut_with_a_service_cuts_only_that_service():
    facts = facts_of(("a", "co", "hosting"), ("a", "co", "dns"), ("a", "other", "dns"))
    graph = build_graph(facts, DAY)
    after = assess(graph, make_scenario(graph, cuts=[("a", "co", "dns")])).after
    assert status(after, "a") == "online"


def test_owner_and_country_groups_exit_together():
    facts = facts_of(
        ("a", "play", "app-store-android"),
        ("a", "cloud", "hosting"),
        ("b", "ru-host", "hosting"),
        owners={"play": "goog", "cloud": "goog"},
        countries={"ru-host": "RU"},
    )
    graph = build_graph(facts, DAY)
    after = assess(graph, make_scenario(graph, owners=["goog"])).after
    assert status(after, "a") == "offline" and after["play"].status == after["cloud"].status == "exited"
    after = assess(graph, make_scenario(graph, countries=["ru"])).after
    assert status(after, "b") == "offline" and status(after, "a") == "online"


def test_recorded_cut_offs_up_to_a_date():
    facts = facts_of(
        ("a", "host", "hosting", None, "2021-01-11", "provider"),
        ("a", "store", "app-store-ios", None, "2021-01-09", "provider"),
        events=[
            ("e1", "cut-off", "2021-01-11", "a-host-hosting-0"),
            ("e2", "cut-off", "2021-01-09", "a-store-app-store-ios-1"),
        ],
    )
    graph = build_graph(facts, DAY)
    after = assess(graph, make_scenario(graph, recorded_until=dt.date(2021, 1, 9))).after
    assert status(after, "a") == "degraded"
    after = assess(graph, make_scenario(graph, recorded_until=dt.date(2021, 1, 12))).after
    assert status(after, "a") == "offline"
    assert after["a"].since == dt.date(2021, 1, 11)


def test_scenario_errors():
    graph = build_graph(facts_of(("a", "host", "hosting")), DAY)
    with pytest.raises(InputError, match="has no dependency on"):
        make_scenario(graph, cuts=[("host", "a", None)])
    with pytest.raises(InputError, match="unknown entity 'hots'; did you mean 'host'"):
        make_scenario(graph, remove=["hots"])
    with pytest.raises(InputError, match="unknown service 'hostng'"):
        make_scenario(graph, cuts=[("a", "host", "hostng")])
    with pytest.raises(InputError, match="ISO 3166-1"):
        make_scenario(graph, countries=["USA"])


def test_a_service_that_goes_from_impaired_to_lost_is_a_change():
    """Issue 20.11: a partial payments supply cut was reported as "nothing changes" (with --platform,
    changed: false) while the explanation said "lost payments"."""
    from dataclasses import replace

    facts = facts_of(("a", "p", "payments"), ("b", "q", "hosting"))
    for key, dependency in list(facts.dependencies.items()):
        if dependency.provider == "p":
            facts.dependencies[key] = replace(dependency, partial=True)
    graph = build_graph(facts, DAY)
    impact = assess(graph, make_scenario(graph, cuts=[("a", "p", None)]))
    assert [s.identifier for s in impact.affected] == ["a"]
    assert impact.status("a", before=True).status == impact.status("a").status == "degraded"
    assert [(loss.service, loss.partial) for loss in impact.status("a", before=True).losses] == [("payments", True)]
    assert [(loss.service, loss.partial) for loss in impact.status("a").losses] == [("payments", False)]
    assert "lost payments" in impact.explain("a")
