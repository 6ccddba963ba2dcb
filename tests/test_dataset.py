"""The bundled curated dataset: generated from its CSV, complete for Parler, sourced throughout."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from rdflib import Graph

from kg.io.csvdata import csv_to_graph, read_csv_dataset
from kg.io.export import serialize
from kg.io.loading import load
from kg.model.resources import BUNDLED_CSV, BUNDLED_DATASET


@pytest.mark.slow
def test_committed_turtle_is_exactly_what_kg_import_makes_from_the_csv():
    regenerated = serialize(csv_to_graph(read_csv_dataset([BUNDLED_CSV])), "turtle")
    assert regenerated == BUNDLED_DATASET.read_bytes(), "run: kg import data/csv --out data/pdkg-data.ttl"


def dependencies_of(facts, dependent):
    return [d for d in facts.dependencies.values() if d.dependent == dependent]


def test_parler_three_cut_offs_with_their_dates(bundled_facts):
    deps = dependencies_of(bundled_facts, "parler")
    google = [d for d in deps if d.provider == "google-play" and d.end]
    apple = [d for d in deps if d.provider == "apple-app-store" and d.end]
    [aws] = [d for d in deps if (d.provider, d.service) == ("aws", "hosting")]
    assert [(d.service, d.end, d.ended_by) for d in google] == [("app-store-android", dt.date(2021, 1, 8), "provider")]
    assert [(d.service, d.end, d.ended_by) for d in apple] == [("app-store-ios", dt.date(2021, 1, 9), "provider")]
    # 23:59 Pacific on 2021-01-10 is 2021-01-11 UTC: the dependency holds on the 10th and not on the 11th.
    assert aws.end == dt.date(2021, 1, 11) and aws.ended_by == "provider"
    assert aws.active_on(dt.date(2021, 1, 10)) and not aws.active_on(dt.date(2021, 1, 11))
    cut_offs = sorted(
        (e.day, bundled_facts.dependencies[e.dependency].provider)
        for e in bundled_facts.events.values()
        if e.kind == "cut-off"
        and bundled_facts.dependencies[e.dependency].dependent == "parler"
        and bundled_facts.dependencies[e.dependency].provider in {"google-play", "apple-app-store", "aws"}
    )
    assert cut_offs == [
        (dt.date(2021, 1, 8), "google-play"),
        (dt.date(2021, 1, 9), "apple-app-store"),
        (dt.date(2021, 1, 11), "aws"),
    ]


def test_parler_recovery_providers_and_observed_outage(bundled_facts):
    deps = {(d.provider, d.service): d for d in dependencies_of(bundled_facts, "parler")}
    assert deps[("skysilk", "hosting")].start == dt.date(2021, 2, 15)
    assert ("epik", "registrar") in deps and ("ddos-guard", "ddos-protection") in deps
    # What Parler regained: both app stores, on their own dates.
    regained = sorted(
        d.start for d in dependencies_of(bundled_facts, "parler") if d.service.startswith("app-store") and d.start
    )
    assert regained == [dt.date(2021, 5, 17), dt.date(2022, 9, 2)]
    offline = [o for o in bundled_facts.observations.values() if o.actor == "parler" and o.status == "offline"]
    assert [(o.start, o.end) for o in offline] == [(dt.date(2021, 1, 11), dt.date(2021, 2, 15))]


def test_at_least_ten_further_cases_across_services(bundled_facts):
    cut = {d.dependent for d in bundled_facts.dependencies.values() if d.ended_by == "provider"}
    platforms = {p for p in cut if bundled_facts.entities[p].is_platform}
    assert len(platforms - {"parler"}) >= 10
    assert {
        "gab",
        "8chan",
        "daily-stormer",
        "kiwi-farms",
        "wikileaks",
        "infowars",
        "fortnite",
        "tiktok",
        "stormfront",
        "pornhub",
        "hkmap-live",
        "switter",
    } <= platforms
    services = {d.service for d in bundled_facts.dependencies.values() if d.ended_by == "provider"}
    assert {
        "hosting",
        "registrar",
        "dns",
        "ddos-protection",
        "app-store-ios",
        "app-store-android",
        "payments",
    } <= services


def test_provider_to_provider_links_are_recorded(bundled_facts):
    links = [
        d
        for d in bundled_facts.dependencies.values()
        if not bundled_facts.entities[d.dependent].is_platform and not d.self_provided
    ]
    assert any(d.dependent == "bitmitigate" and d.provider == "voxility" and d.ended_by == "provider" for d in links)


def test_every_fact_is_sourced_with_publisher_date_and_url(bundled_facts):
    for record in [
        *bundled_facts.dependencies.values(),
        *bundled_facts.events.values(),
        *bundled_facts.observations.values(),
    ]:
        assert record.sources, record.identifier
    for source in bundled_facts.sources.values():
        assert source.publisher and source.title, source.identifier
        # A full date, or only the month or year where that is all the page shows (the README allows it).
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", source.date), source.identifier
        padded = source.date + "-01" * (2 - source.date.count("-"))
        assert dt.date(2010, 1, 1) <= dt.date.fromisoformat(padded) <= dt.date.today(), source.identifier
        assert urlparse(source.url).scheme in {"http", "https"} and urlparse(source.url).netloc, source.identifier


def test_every_source_is_cited(bundled_graph):
    from kg.model.stats import compute_stats

    assert compute_stats(bundled_graph).unused_sources == []


def test_events_fall_on_their_dependency_dates(bundled_facts):
    for event in bundled_facts.events.values():
        dep = bundled_facts.dependencies[event.dependency]
        if event.kind == "cut-off":
            assert dep.end is not None and dep.end >= event.day, event.identifier
        if event.kind == "restoration" and dep.start:
            assert dep.start <= event.day + dt.timedelta(days=1), event.identifier


def test_the_shipped_dataset_description_is_current():
    from kg import __version__
    from kg.io.description import DATASET_IRI, describe
    from kg.model.namespace import VOID
    from kg.model.resources import DATA

    data = load(ontology=False)
    regenerated = serialize(describe(data, version=__version__), "turtle")
    committed = (DATA / "pdkg-data.void.ttl").read_bytes()
    assert regenerated == committed, "run: kg describe --out data/pdkg-data.void.ttl"
    described = Graph().parse(data=committed.decode(), format="turtle")
    assert int(described.value(DATASET_IRI, VOID.triples)) == len(data) > 0
