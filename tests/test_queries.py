"""Every shipped query is documented and gives the Python engine's answer on the same data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.facts import read_facts
from kg.loading import load
from kg.namespace import PD, data_iri
from kg.queries import available_queries, derive_direct, read_query, run_query
from kg.vocabulary import vocabulary

MINI = Path(__file__).resolve().parent / "data" / "mini"


@pytest.fixture(scope="module", params=["bundled", "mini"])
def graph(request):
    return load() if request.param == "bundled" else load([MINI])


@pytest.mark.parametrize("name", available_queries())
def test_every_query_has_a_header(name):
    query = read_query(name)
    assert query.purpose and query.parameters and query.returns, name
    assert query.text.lstrip().startswith("# Purpose:")


def test_dependencies_by_service_matches_python(graph):
    rows = {str(r.service): int(r.dependencies) for r in run_query(graph, "dependencies-by-service")}
    facts = read_facts(graph)
    assert rows == dict(Counter(d.service for d in facts.dependencies.values()))


def test_unsourced_facts_matches_python(tmp_path):
    unsourced = tmp_path / "unsourced.csv"
    unsourced.write_text(
        (MINI / "dependencies.csv").read_text().replace(",news-1,self-hosted DNS", ",,self-hosted DNS")
    )
    graph = load([MINI / "entities.csv", MINI / "sources.csv", unsourced])
    rows = {str(r.fact) for r in run_query(graph, "unsourced-facts")}
    facts = read_facts(graph)
    assert (
        rows
        == {str(d.iri) for d in facts.dependencies.values() if not d.sources}
        == {str(data_iri("dependency", "acme-self-dns"))}
    )


@pytest.mark.parametrize("day", [None, "2021-01-07", "2021-01-11", "2021-03-01"])
def test_dependencies_of_matches_python(graph, day):
    facts = read_facts(graph)
    for entity in ("parler", "acme"):
        if entity not in facts.entities:
            continue
        bindings = {"dependent": data_iri("entity", entity)}
        if day:
            bindings["asOf"] = Literal(day, datatype=XSD.date)
        rows = {str(r.dependency) for r in run_query(graph, "dependencies-of", **bindings)}
        expected = {
            str(d.iri)
            for d in facts.dependencies.values()
            if d.dependent == entity and (day is None or d.active_on(dt.date.fromisoformat(day)))
        }
        assert rows == expected
        assert rows or day == "2021-01-11"  # Parler had nothing left that day: all cut, nothing new yet


def test_cut_offs_match_python(graph):
    rows = [(str(r.event), str(r.date)[:10]) for r in run_query(graph, "cut-offs")]
    facts = read_facts(graph)
    expected = sorted((e.when.isoformat()[:10], str(e.iri)) for e in facts.events.values() if e.kind == "cut-off")
    assert sorted((d, e) for e, d in rows) == expected
    assert [d for _, d in rows] == sorted(d for _, d in rows)


@pytest.mark.parametrize("day", [None, "2021-01-07", "2021-03-01"])
def test_direct_triples_match_python(graph, day):
    facts = read_facts(graph)
    services = vocabulary().services
    derived = derive_direct(graph, Literal(day, datatype=XSD.date) if day else None)
    expected = set()
    for d in facts.dependencies.values():
        if day is None or d.active_on(dt.date.fromisoformat(day)):
            a, b = data_iri("entity", d.dependent), data_iri("entity", d.provider)
            expected |= {(a, services[d.service].direct_property, b), (a, PD.dependsOn, b)}
    assert set(derived) == expected


def test_parler_hosting_shortcut(bundled_graph):
    before = derive_direct(bundled_graph, Literal("2021-01-07", datatype=XSD.date))
    after = derive_direct(bundled_graph, Literal("2021-03-01", datatype=XSD.date))
    parler = data_iri("entity", "parler")
    assert set(before.objects(parler, PD.hostedBy)) == {data_iri("entity", "aws")}
    assert set(after.objects(parler, PD.hostedBy)) == {data_iri("entity", "skysilk")}
