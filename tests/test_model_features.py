"""The richer model on a small dataset that uses all of it (tests/data/model): resale chains, regions and
government orders, times of day, unnamed providers and platforms reached through several endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import EXIT_OK
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.store.dataset import open_dataset

MODEL = Path(__file__).parent / "data" / "model"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE", str(tmp_path / "cache"))


@pytest.mark.slow
def test_every_loading_path_reads_the_same_records(cache, invoke, tmp_path):
    turtle = tmp_path / "model.ttl"
    assert invoke("import", MODEL, "--out", turtle).exit_code == EXIT_OK
    expected = read_facts(load([MODEL], ontology=False))
    assert open_dataset([MODEL]).facts == expected  # the CSV fast path
    assert open_dataset([turtle]).facts == expected  # RDF read back from the store with SPARQL
    assert open_dataset([MODEL]).tables.to_facts() == expected
    dependency = expected.dependencies
    assert dependency["web.ch-unnamed-hosting"].upstream == () and dependency["web.ch-dns1-dns"].upstream == (
        "hosting",
        "ip-transit",
    )
    assert dependency["app-gateway-payments"].upstream is None
    assert dependency["app-gateway-payments"].relies_on == ("banking", "payments")
    assert dependency["app-isps-br"].countries == ("BR",)
    assert str(dependency["app-store-us"].end_time) == "2025-01-19 14:00:00+00:00"
    assert expected.events["court-orders-block"].issuer == "court"


def status(invoke, *args):
    result = invoke("status", *args, "-q", "-d", MODEL, "--json")
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.output)


def test_a_lost_upstream_service_takes_what_is_resold_on_it(invoke):
    before = status(invoke, "app", "--as-of", "2011-07-07")
    assert before["status"] == "online"
    after = status(invoke, "app", "--as-of", "2011-07-09")
    assert (after["status"], after["lost_channels"]) == ("degraded", ["payments"])
    assert "Card Gateway, resells it on its own payments, which it lost on 2011-07-08" in after["explanation"]
    assert after["matches"] is True
    spof = json.loads(invoke("spof", "app", "--as-of", "2011-01-01", "-q", "-d", MODEL, "--json").output)
    assert {c["provider"]: c["channels"] for c in spof["channels"]}["acquirer"] == ["payments"]
    rank = json.loads(invoke("rank", "--as-of", "2011-01-01", "-q", "-d", MODEL, "--json").output)
    acquirer = next(row for row in rank["providers"] if row["provider"] == "acquirer")
    assert (acquirer["direct_degraded"], acquirer["total_degraded"]) == (1, 2)


def test_a_government_order_applies_in_its_country(invoke):
    brazil = status(invoke, "app", "--as-of", "2024-09-01", "--region", "BR")
    assert (brazil["status"], brazil["lost_essential"], brazil["matches"]) == ("offline", ["internet-access"], True)
    assert "cut it on 2024-08-31 on the order of Supreme Court of Brazil" in brazil["explanation"]
    impact = invoke(
        "impact",
        "--as-of",
        "2024-08-30",
        "--recorded-until",
        "2024-09-01",
        "--region",
        "BR",
        "--json",
        "-q",
        "-d",
        MODEL,
    )
    (app,) = [a for a in json.loads(impact.output)["affected"] if a["id"] == "app"]
    (cause,) = [c for loss in app["losses"] for c in loss["causes"] if loss["service"] == "internet-access"]
    assert (cause["how"], cause["issuer"]) == ("recorded", "court")
    assert status(invoke, "app", "--as-of", "2024-09-01")["status"] == "degraded"  # payments only
    assert status(invoke, "app", "--as-of", "2024-08-31T02:59Z", "--region", "BR")["status"] == "degraded"


def test_several_endpoints_and_an_unnamed_host(invoke):
    web = status(invoke, "web", "--as-of", "2010-12-04")
    # Reached through web.ch alone: up, but degraded (those who went to web.org are cut off).
    assert (web["status"], web["impaired"], web["lost_essential"]) == ("degraded", ["endpoint"], [])
    assert web["services"] == [
        {
            "service": "endpoint",
            "essential": True,
            "lost": False,
            "impaired": True,
            "providers": [{"id": "web.ch", "name": "web.ch"}],
        }
    ]
    assert "impaired endpoint (its other endpoint providers remain); web.org is offline" in web["explanation"]
    assert status(invoke, "web.org", "--as-of", "2010-12-04")["status"] == "offline"
    # After web.org lost its registrar (03:00 UTC) and before web.ch was reachable (11:00 UTC), Web was down.
    assert status(invoke, "web", "--as-of", "2010-12-03T02:00Z")["status"] == "online"
    assert status(invoke, "web", "--as-of", "2010-12-03T04:00Z")["status"] == "offline"
    cuts = json.loads(invoke("cutsets", "web", "--as-of", "2010-12-04", "-q", "-d", MODEL, "--json").output)
    assert cuts["cut_sets"] == [["dns1"], ["transit"], ["web.ch"]]  # never the unnamed host itself
    refused = invoke("impact", "--as-of", "2010-12-04", "--remove", "unnamed-web-hosting", "-q", "-d", MODEL)
    assert refused.exit_code == 2 and "provider the sources do not name" in refused.output


def test_partial_supplies_and_outages(invoke):
    # A partial supply (a block that got around) keeps App up in Brazil, impaired.
    br = status(invoke, "app", "--as-of", "2024-09-20", "--region", "BR")
    assert (br["status"], br["impaired"], br["lost_essential"]) == ("degraded", ["internet-access"], [])
    assert "impaired internet-access; its only internet-access provider" in br["explanation"]
    assert "supplies it only in part since 2024-09-18" in br["explanation"]
    assert br["observed"]["status"] == "offline" and br["matches"] is False  # the observation says otherwise
    assert br["disagreement"] == "predicted degraded, observed offline"  # by day, asked at a day: no more to say
    # App's own outage in the US, from 04:00 to 17:00 UTC: offline only then, and only there.
    dark = status(invoke, "app", "--as-of", "2025-01-19T10:00Z", "--region", "US")
    assert (dark["status"], dark["lost_essential"]) == ("offline", ["operation"])
    assert (
        "outage since 2025-01-19: App stopped serving its US users itself (source: Example News" in dark["explanation"]
    )
    assert status(invoke, "app", "--as-of", "2025-01-19T03:59Z", "--region", "US")["status"] != "offline"
    assert status(invoke, "app", "--as-of", "2025-01-19T17:00Z", "--region", "US")["status"] != "offline"
    assert status(invoke, "app", "--as-of", "2025-01-19T10:00Z")["status"] != "offline"  # worldwide
    # A partial outage of a transit provider impairs what rests on it, transitively: the unnamed host keeps
    # its transit only in part, so web.ch keeps its hosting only in part.
    site = status(invoke, "web.ch", "--as-of", "2011-01-15")
    assert (site["status"], site["impaired"]) == ("degraded", ["hosting"])
    assert "keeps its own ip-transit only in part" in site["explanation"]
    assert "partial outage since 2011-01-10: A power failure at one of Transit Co's sites" in site["explanation"]
    assert status(invoke, "web.ch", "--as-of", "2011-01-20")["status"] == "online"
    # Offline questions see a partial supply as a supply and a full outage as an actor already down.
    cuts = json.loads(
        invoke("cutsets", "app", "--as-of", "2024-09-20", "--region", "BR", "-q", "-d", MODEL, "--json").output
    )
    assert ["isps-br"] in cuts["cut_sets"]
    down = json.loads(
        invoke("spof", "app", "--as-of", "2025-01-19T10:00Z", "--region", "US", "-q", "-d", MODEL, "--json").output
    )
    assert down["already_offline"] is True
