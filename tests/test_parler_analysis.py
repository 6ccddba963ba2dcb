"""The Parler questions a journalist would ask, answered from the bundled data."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.analysis.criticality import criticality
from kg.analysis.faulttree import cut_sets, single_points_of_failure
from kg.analysis.graph import build_graph
from kg.analysis.impact import assess, propagate
from kg.analysis.replay import replay
from kg.analysis.scenario import make_scenario

BEFORE = dt.date(2021, 1, 7)
APP_STORES = ["app-store-android", "app-store-ios"]


@pytest.fixture(scope="module")
def before(bundled_facts):
    return build_graph(bundled_facts, BEFORE)


def test_cutting_google_apple_and_aws_takes_parler_offline_with_both_app_channels_lost(before):
    scenario = make_scenario(
        before,
        cuts=[
            ("Parler", "Google Play", None),
            ("Parler", "Apple App Store", None),
            ("Parler", "Amazon Web Services", None),
        ],
    )
    parler = assess(before, scenario).after["parler"]
    assert parler.status == "offline"
    assert parler.lost_essentials == ["hosting"]
    assert set(APP_STORES) <= set(parler.lost_channels)


def test_recorded_history_as_of_january_12_says_the_same(bundled_facts):
    graph = build_graph(bundled_facts, dt.date(2021, 1, 12))
    parler = propagate(graph)["parler"]
    assert parler.status == "offline" and set(APP_STORES) <= set(parler.lost_channels)
    text = assess(graph, make_scenario(graph)).explain("parler")
    assert text.startswith(
        "Parler: offline since 2021-01-11: lost hosting; its only hosting provider, "
        "Amazon Web Services, cut it on 2021-01-11 (source: BuzzFeed News, 2021-01-09, https://"
    )
    # The same from the recorded cut-offs applied to the graph of January 7.
    applied = assess(
        build_graph(bundled_facts, BEFORE),
        make_scenario(build_graph(bundled_facts, BEFORE), recorded_until=dt.date(2021, 1, 12)),
    )
    assert applied.after["parler"].status == "offline"


def test_cutting_only_the_app_stores_leaves_parler_online_but_degraded(before):
    scenario = make_scenario(before, cuts=[("parler", "google-play", None), ("parler", "apple-app-store", None)])
    parler = assess(before, scenario).after["parler"]
    assert parler.status == "degraded" and parler.lost_channels == APP_STORES


def test_on_its_new_host_parler_is_online_but_still_without_both_app_stores(bundled_facts):
    parler = propagate(build_graph(bundled_facts, dt.date(2021, 3, 1)))["parler"]
    assert parler.status == "degraded"
    assert set(APP_STORES) <= set(parler.lost_channels)
    assert "hosting" not in parler.lost_essentials


def test_which_companies_alone_could_have_taken_parler_offline(before):
    points = single_points_of_failure(before, "parler")
    assert points.offline == ["aws"]
    assert points.channels == {
        "apple-app-store": ["app-store-ios"],
        "google-play": ["app-store-android"],
        "okta": ["authentication"],
        "twilio": ["sms"],
        "zendesk": ["customer-support"],
    }
    assert cut_sets(before, "parler", 3).sets == [("aws",)]


def test_who_else_aws_leaving_would_take_down(bundled_facts):
    graph = build_graph(bundled_facts, BEFORE)
    aws = next(row for row in criticality(graph) if row.provider == "aws")
    after = propagate(graph, removed={"aws": "exits"})
    offline = {n for n, s in after.items() if s.status == "offline"} - {
        n for n, s in propagate(graph).items() if s.status == "offline"
    }
    assert aws.total_offline == len(offline) and "parler" in offline


def test_replay_of_parler_agrees_with_every_observation(bundled_facts):
    history = replay(bundled_facts, "parler")
    assert history.agreement == (7, 7)  # six dates and the instant of AWS's cut
    by_day = {step.day: step.status for step in history.steps}
    assert by_day[dt.date(2021, 1, 9)] == "degraded" and by_day[dt.date(2021, 1, 11)] == "offline"
    assert by_day[dt.date(2021, 2, 15)] == "degraded"
