"""Every shipped query is documented and gives the Python engine's answer on the same data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.io.loading import load
from kg.model.facts import read_facts
from kg.model.namespace import PD, data_iri
from kg.model.vocabulary import vocabulary
from kg.sparql.queries import available_queries, derive_direct, read_query, run_query

MINI = Path(__file__).resolve().parent / "data" / "mini"


@pytest.fixture(scope="module", params=["bundled", "mini"])
def graph(request):
    return load() if request.param == "bundled" else load([MINI])


@pytest.mark.parametrize("name", available_queries())
def test_every_query_has_a_machine_readable_header(name):
    import re

    query = read_query(name)
    assert query.text.startswith("#+ summary: ")
    assert query.purpose and query.columns and query.header.get("needs"), name
    for spec in query.params.values():
        assert spec["type"] in ("entity", "xsd:date") and isinstance(spec["required"], bool) and spec["doc"]
    lines = re.findall(r"^  VALUES \?(\w+) \{ UNDEF \}$", query.text, re.MULTILINE)
    assert lines == list(query.params)  # the portable parameter lines: one per documented parameter
    if query.params:
        assert query.header["binding"].startswith("values in WHERE")
    example = query.header["example"]
    assert set(example["params"]) >= query.required


def _example_terms(query) -> dict:
    return {
        name: Literal(value, datatype=XSD.date)
        if query.params[name]["type"] == "xsd:date"
        else data_iri("entity", value)
        for name, value in query.header["example"]["params"].items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", available_queries())
def test_every_example_result_is_what_the_query_gives(name):
    """The header's example (row count, first row, columns) holds on rdflib and on the store."""
    from kg.sparql.queries import run_query_on_store
    from kg.store.dataset import open_dataset

    query = read_query(name)
    example = query.header["example"]
    terms = _example_terms(query)
    result = run_query(load(), name, **terms)
    stored = run_query_on_store(open_dataset(), name, **terms)
    if result.type == "CONSTRUCT":
        assert len(result) == example["triples"] == len(list(stored))
        return
    rows = list(result)
    assert [str(v) for v in result.vars] == list(query.columns)
    assert len(rows) == example["rows"]
    first = {key: str(rows[0][key]) for key in query.columns if rows and rows[0][key] is not None}
    assert first == example.get("first", {})
    solutions = list(stored)
    assert len(solutions) == example["rows"]
    assert {key: solutions[0][key].value for key in first} == first if solutions else not first


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
    rows = [(str(r.event), str(r.date)[:10], str(r.source) if r.source else None) for r in run_query(graph, "cut-offs")]
    facts = read_facts(graph)
    events = [e for e in facts.events.values() if e.kind == "cut-off"]
    assert sorted({(d, e) for e, d, _ in rows}) == sorted((e.when.isoformat()[:10], str(e.iri)) for e in events)
    for event in events:  # one row per source
        cited = sorted(str(data_iri("source", s.identifier)) for s in event.sources)
        assert sorted(source for e, _, source in rows if e == str(event.iri) and source) == cited
    assert [d for _, d, _ in rows] == sorted(d for _, d, _ in rows)


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


PARAMETERIZED = {
    "dependencies-of": [
        {"dependent": data_iri("entity", "parler")},
        {"dependent": data_iri("entity", "parler"), "asOf": Literal("2021-01-07", datatype=XSD.date)},
        {"dependent": data_iri("entity", "wikileaks"), "asOf": Literal("2010-12-05", datatype=XSD.date)},
    ],
    "direct-dependencies": [{}, {"asOf": Literal("2021-01-07", datatype=XSD.date)}],
    "dependents-of": [{"provider": data_iri("entity", "aws"), "asOf": Literal("2021-01-07", datatype=XSD.date)}],
    "single-provider-dependencies": [{"asOf": Literal("2021-01-07", datatype=XSD.date)}],
    "provider-concentration": [{}, {"asOf": Literal("2019-08-04", datatype=XSD.date)}],
    "dependents-transitive": [{"provider": data_iri("entity", "voxility")}],
    "timeline": [{"platform": data_iri("entity", "parler")}],
}


def _filled(text: str, bindings: dict) -> str:
    """The query with its parameter lines written out, as a user of another RDF tool does it."""
    for name, value in bindings.items():
        text = text.replace(f"VALUES ?{name} {{ UNDEF }}", f"VALUES ?{name} {{ {value.n3()} }}", 1)
    return text


def _answer(result) -> set:
    """Rows or triples of a result, engine-neutral (N-Triples forms)."""
    from rdflib import Graph

    from kg.io.export import serialize

    if result.type == "SELECT":
        return {tuple(term.n3() if term is not None else "" for term in row) for row in result}
    graph = Graph()
    for triple in result:
        graph.add(triple)
    return set(serialize(graph, "nt").decode().splitlines())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMETERIZED))
def test_parameters_bind_the_same_on_rdflib_and_pyoxigraph(name):
    """One portable parameter form: bound variables (rdflib), the VALUES line written out (rdflib and
    pyoxigraph), and kg's own binding on the store all give the same answer."""
    import pyoxigraph

    from kg.io.export import serialize
    from kg.sparql.queries import bind_in_where

    graph = load()
    store = pyoxigraph.Store()
    store.load(serialize(graph, "nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    query = read_query(name)
    assert "UNDEF" in query.text

    def on_store(text: str) -> set:
        result = store.query(text)
        if isinstance(result, pyoxigraph.QueryTriples):
            return {f"{s} {p} {o} ." for s, p, o in result}
        names = [v.value for v in result.variables]
        return {tuple(str(row[n]) if row[n] is not None else "" for n in names) for row in result}

    for bindings in PARAMETERIZED[name]:
        bound = _answer(run_query(graph, name, **bindings))
        filled_text = _filled(query.text, bindings)
        assert _answer(graph.query(filled_text)) == bound
        assert on_store(filled_text) == on_store(bind_in_where(query.text, bindings))
        assert len(on_store(filled_text)) == len(bound) > 0


def test_a_values_block_after_the_query_cannot_set_the_date():
    """Why the parameter line sits inside WHERE: a trailing VALUES is joined after the FILTER (SPARQL 1.1,
    18.2.4), so the date is silently ignored (queries/README.md says so)."""
    import pyoxigraph

    from kg.io.export import serialize

    store = pyoxigraph.Store()
    store.load(serialize(load(), "nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    text = read_query("dependencies-of").text
    bindings = {"dependent": data_iri("entity", "parler"), "asOf": Literal("2021-01-07", datatype=XSD.date)}
    inside = len(list(store.query(_filled(text, bindings))))
    after = len(
        list(
            store.query(
                f"{text}\nVALUES (?dependent ?asOf) {{ ({bindings['dependent'].n3()} {bindings['asOf'].n3()}) }}"
            )
        )
    )
    assert (inside, after) == (6, 11)


def _active(facts, day: str | None):
    return [
        d for d in facts.dependencies.values() if d.service and (day is None or d.active_on(dt.date.fromisoformat(day)))
    ]


@pytest.mark.parametrize("day", [None, "2021-01-07", "2021-01-11"])
def test_dependents_of_a_provider_match_python(graph, day):
    facts = read_facts(graph)
    for provider in ("aws", "google-play", "host"):
        if provider not in facts.entities:
            continue
        bindings = {"provider": data_iri("entity", provider)}
        if day:
            bindings["asOf"] = Literal(day, datatype=XSD.date)
        rows = {(str(r.dependent), str(r.service)) for r in run_query(graph, "dependents-of", **bindings)}
        expected = {
            (str(data_iri("entity", d.dependent)), d.service)
            for d in _active(facts, day)
            if d.provider == provider and d.dependent != provider
        }
        assert rows == expected


@pytest.mark.parametrize("day", [None, "2021-01-07", "2021-01-11"])
def test_single_provider_dependencies_match_python(graph, day):
    facts = read_facts(graph)
    bindings = {"asOf": Literal(day, datatype=XSD.date)} if day else {}
    rows = {
        (str(r.dependent), str(r.service), str(r.provider))
        for r in run_query(graph, "single-provider-dependencies", **bindings)
    }
    providers: dict[tuple[str, str], set[str]] = {}
    for d in _active(facts, day):
        if not d.countries:  # the query answers worldwide, as kg does without --region
            providers.setdefault((d.dependent, d.service), set()).add(d.provider)
    expected = {
        (str(data_iri("entity", dependent)), service, str(data_iri("entity", only)))
        for (dependent, service), found in providers.items()
        for only in found
        if len(found) == 1 and only != dependent
    }
    assert rows == expected and rows


@pytest.mark.slow
@pytest.mark.parametrize("day", ["2021-01-07", "2019-08-04"])
def test_provider_concentration_matches_kg_rank(day):
    from kg.analysis.criticality import concentration
    from kg.analysis.graph import build_graph

    graph = load()
    analysis = build_graph(read_facts(graph), dt.date.fromisoformat(day))
    rows = run_query(graph, "provider-concentration", asOf=Literal(day, datatype=XSD.date))
    found: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        found.setdefault(str(r.service), []).append((str(r.provider).rsplit("/", 1)[-1], int(r.dependents)))
    for service, shares in found.items():
        expected = [(provider, count) for provider, count, _ in concentration(analysis, service).shares]
        assert shares == expected, service
    assert found


def test_transitive_dependents_match_python(graph):
    facts = read_facts(graph)
    users: dict[str, set[str]] = {}
    for d in facts.dependencies.values():
        users.setdefault(d.provider, set()).add(d.dependent)
    for provider in ("aws", "cloudflare", "host", "voxility"):
        if provider not in facts.entities:
            continue
        seen, frontier = set(), [provider]
        while frontier:
            frontier = [u for p in frontier for u in users.get(p, ()) if u not in seen]
            seen.update(frontier)
        rows = [
            str(r.dependent) for r in run_query(graph, "dependents-transitive", provider=data_iri("entity", provider))
        ]
        assert rows == sorted(rows) and set(rows) == {str(data_iri("entity", e)) for e in seen - {provider}}


def test_timeline_matches_python(graph):
    facts = read_facts(graph)
    for platform in ("parler", "wikileaks", "acme"):
        if platform not in facts.entities:
            continue
        mine = {d.identifier: d for d in facts.dependencies.values() if d.dependent == platform}
        expected = set()
        for d in mine.values():
            if d.start:
                expected.add((d.start.isoformat(), "start", str(d.iri)))
            if d.end:
                expected.add((d.end.isoformat(), "end", str(d.iri)))
        for event in facts.events.values():
            if event.dependency in mine:
                expected.add((event.when.isoformat(), event.kind, str(event.iri)))
        rows = [
            (str(r.date), str(r.what), str(r.item))
            for r in run_query(graph, "timeline", platform=data_iri("entity", platform))
        ]
        assert set(rows) == expected and len(rows) == len(expected) and expected
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)


INVALID = Path(__file__).resolve().parent.parent / "ontology" / "examples" / "invalid"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "example", "expected"),
    [
        ("end-before-start-violation", "end-before-start", {("dependency", "backwards")}),
        ("cut-off-violation", "cut-off-after-end", {("event", "early-cut")}),
        ("dependency-violation", "missing-dependent", {("dependency", "no-dependent")}),
        ("dependency-violation", "missing-provider", {("dependency", "no-provider")}),
        ("dependency-violation", "two-services", {("dependency", "two-services")}),
    ],
)
def test_violation_checks_find_the_invalid_example_and_nothing_on_good_data(name, example, expected):
    import pyoxigraph

    from kg.io.export import serialize

    text = read_query(name).text
    assert list(load().query(text)) == []
    invalid = load([INVALID / f"{example}.ttl"])
    found = {str(row[0]) for row in invalid.query(text)}
    assert found == {str(data_iri(kind, identifier)) for kind, identifier in expected}
    store = pyoxigraph.Store()
    store.load(serialize(invalid, "nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert {solution[0].value for solution in store.query(text)} == found


def _direct_outcomes(rows) -> dict[str, str]:
    """Dependent -> "offline" (an essential service lost) or "degraded" (channels only)."""
    outcome: dict[str, str] = {}
    for dependent, effect in rows:
        if effect == "essential" or outcome.get(dependent) == "offline":
            outcome[dependent] = "offline"
        else:
            outcome[dependent] = "degraded"
    return outcome


@pytest.mark.slow
@pytest.mark.parametrize("day", ["2017-08-10", "2019-08-04", "2021-01-07"])
def test_direct_exit_is_the_sole_provider_rule(graph, day):
    """Each row is a need the provider alone supplies (no other provider, no self-provision) on the day,
    marked essential when a supply of it is; checked against the needs of the Python engine."""
    from kg.analysis.graph import build_graph

    analysis = build_graph(read_facts(graph), dt.date.fromisoformat(day))
    for provider in sorted(analysis.providers()):
        rows = run_query(
            graph, "direct-exit", provider=data_iri("entity", provider), asOf=Literal(day, datatype=XSD.date)
        )
        found = {(str(r.dependent).rsplit("/", 1)[-1], str(r.service), str(r.effect)) for r in rows}
        expected = {
            (dependent, service, "essential" if need.essential else "channel")
            for dependent, needs in analysis.needs.items()
            for service, need in needs.items()
            if need.supplies and {d.provider for d in need.supplies} == {provider} and dependent != provider
        }
        assert found == expected, provider


@pytest.mark.slow
def test_direct_exit_is_kg_rank_direct_column_when_nobody_is_offline_before(tmp_path):
    """On the real web measurements (nobody offline on the date), the query gives kg rank's direct columns
    for every provider; on the curated data it differs only where kg rank discounts actors already
    offline (the query's header says so)."""
    from kg.analysis.criticality import criticality
    from kg.analysis.graph import build_graph
    from kg.analysis.impact import propagate
    from kg.io.webdep import import_webdep
    from kg.sparql.queries import run_query_on_store
    from kg.store.dataset import open_dataset

    from .test_webdep import WEBDEP

    path = tmp_path / "web.nt"
    path.write_bytes(import_webdep(WEBDEP)[0].serialize(format="nt", encoding="utf-8"))
    stored = open_dataset([path])
    day = dt.date(2023, 4, 30)
    analysis = build_graph(stored.facts, day)
    assert not any(s.status == "offline" for s in propagate(analysis).values())
    table = {row.provider: (row.direct_offline, row.direct_degraded) for row in criticality(analysis)}
    assert len(table) > 500
    when = Literal(day.isoformat(), datatype=XSD.date)
    for provider, expected in table.items():
        solutions = run_query_on_store(stored, "direct-exit", provider=data_iri("entity", provider), asOf=when)
        outcome = _direct_outcomes((s["dependent"].value, s["effect"].value) for s in solutions)
        found = (sum(v == "offline" for v in outcome.values()), sum(v == "degraded" for v in outcome.values()))
        assert found == expected, provider
