"""The CSV interchange format: conversion, determinism, round trips and every input error."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kg.errors import InputError, UnknownNameError
from kg.io.csvdata import csv_to_graph, read_csv_dataset
from kg.io.export import EXPORT_FORMATS, serialize
from kg.io.loading import load
from kg.model.namespace import PD, PROV, RDF, data_iri

MINI = Path(__file__).resolve().parent / "data" / "mini"
SUFFIX = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "xml": ".rdf"}


def mini_graph() -> Graph:
    return csv_to_graph(read_csv_dataset([MINI]))


def test_rows_become_the_documented_triples():
    g = mini_graph()
    dep = data_iri("dependency", "acme-hostco-hosting")
    assert (dep, RDF.type, PD.Dependency) in g
    assert (dep, PD.dependent, data_iri("entity", "acme")) in g
    assert (dep, PD.service, PD.Hosting) in g
    assert (dep, PD.endDate, Literal("2021-01-11", datatype=XSD.date)) in g
    assert (dep, PD.endedBy, PD.TerminatedByProvider) in g
    assert (dep, PROV.wasDerivedFrom, data_iri("source", "news-1")) in g
    assert (data_iri("dependency", "acme-store-ios"), PD.effect, PD.Essential) in g
    assert (data_iri("entity", "acme"), RDF.type, PD.SocialNetwork) in g
    assert (data_iri("entity", "acme"), RDF.type, PD.App) in g
    assert (data_iri("entity", "hostco"), PD.ownedBy, data_iri("entity", "parentco")) in g
    cut = data_iri("event", "hostco-cuts-acme")
    assert (cut, PD.date, Literal("2021-01-10T23:59:00-08:00", datatype=XSD.dateTime)) in g
    assert (data_iri("source", "dataset-1"), None, Literal("2023-06", datatype=XSD.gYearMonth)) in g
    observations = set(g.subjects(RDF.type, PD.AvailabilityObservation))
    assert len(observations) == 2


def test_self_provision_is_a_dependency_on_oneself():
    g = mini_graph()
    dep = data_iri("dependency", "acme-self-dns")
    assert g.value(dep, PD.provider) == g.value(dep, PD.dependent) == data_iri("entity", "acme")


@pytest.mark.slow
def test_mini_dataset_validates():
    from kg.validation import validate

    assert validate(load([MINI])).findings == []


def shuffled_copy(tmp_path: Path, seed: int) -> Path:
    folder = tmp_path / f"copy-{seed}"
    folder.mkdir()
    for path in MINI.glob("*.csv"):
        rows = list(csv.reader(path.open(newline="")))
        body = rows[1:]
        random.Random(seed).shuffle(body)
        with (folder / path.name).open("w", newline="") as handle:
            csv.writer(handle).writerows([rows[0], *body])
    return folder


@pytest.mark.parametrize("rdf_format", list(EXPORT_FORMATS))
def test_conversion_is_deterministic_whatever_the_row_order(tmp_path, rdf_format):
    outputs = {
        serialize(csv_to_graph(read_csv_dataset([shuffled_copy(tmp_path, seed)])), rdf_format) for seed in (1, 2, 3)
    }
    assert len(outputs) == 1


@pytest.mark.parametrize("rdf_format", list(EXPORT_FORMATS))
def test_csv_to_turtle_to_export_to_reload_is_isomorphic(tmp_path, rdf_format):
    original = mini_graph()
    turtle = tmp_path / "mini.ttl"
    turtle.write_bytes(serialize(original, "turtle"))
    exported = tmp_path / f"mini{SUFFIX[rdf_format]}"
    exported.write_bytes(serialize(load([turtle], ontology=False), rdf_format))
    assert isomorphic(load([exported], ontology=False), original)


@pytest.mark.slow
def test_bundled_csv_round_trips_through_every_format(tmp_path):
    from kg.model.resources import BUNDLED_CSV

    original = csv_to_graph(read_csv_dataset([BUNDLED_CSV]))
    for rdf_format, suffix in SUFFIX.items():
        path = tmp_path / f"all{suffix}"
        path.write_bytes(serialize(original, rdf_format))
        assert isomorphic(load([path], ontology=False), original), rdf_format


def write_case(tmp_path: Path, table: str, text: str) -> Path:
    """Copy the mini dataset and replace one table's content."""
    folder = tmp_path / "case"
    shutil.copytree(MINI, folder)
    (folder / f"{table}.csv").write_text(text)
    return folder


DEP_HEADER = "id,dependent,provider,service,start,end,ended_by,effect,source,note\n"


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hostng,,,,,news-1,\n",
            "dependencies.csv:2: unknown service 'hostng'; did you mean 'hosting'",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,2021-02-30,,,,news-1,\n",
            "dependencies.csv:2: bad start '2021-02-30': day is out of range for month",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,01/02/2021,,,,news-1,\n",
            "dependencies.csv:2: bad start '01/02/2021': expected YYYY-MM-DD",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostcorp,hosting,,,,,news-1,\n",
            "dependencies.csv:2: unknown entity 'hostcorp'; did you mean 'hostco'",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,,,,,news-2,\n",
            "dependencies.csv:2: unknown source 'news-2'; did you mean 'news-1'",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,,,,,news-1,\nd1,acme,hostco,dns,,,,,news-1,\n",
            "dependencies.csv:3: duplicate dependencies id 'd1' (first at",
        ),
        (
            "dependencies",
            DEP_HEADER + "D 1,acme,hostco,hosting,,,,,news-1,\n",
            "dependencies.csv:2: id 'D 1' is not a valid identifier",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,,,by-provider,,news-1,\n",
            "dependencies.csv:2: unknown ended_by value 'by-provider'; did you mean 'provider'",
        ),
        (
            "dependencies",
            DEP_HEADER + "d1,acme,hostco,hosting,,,,,news-1,,extra\n",
            "dependencies.csv:2: row has 11 fields, header has 10",
        ),
        (
            "dependencies",
            "id,dependent,provider,service,sorce\n",
            "dependencies.csv:1: unknown column 'sorce' in dependencies table; did you mean 'source'",
        ),
        ("dependencies", "id,dependent,service\n", "dependencies.csv:1: dependencies table lacks column(s) provider"),
        (
            "events",
            "id,kind,date,dependency,description,source\ne1,cutoff,2021-01-10,acme-hostco-hosting,x,news-1\n",
            "events.csv:2: unknown event kind 'cutoff'; did you mean 'cut-off'",
        ),
        (
            "events",
            "id,kind,date,dependency,description,source\ne1,cut-off,2021-01-10T25:00:00Z,acme-hostco-hosting,x,news-1\n",
            "events.csv:2: bad date '2021-01-10T25:00:00Z'",
        ),
        (
            "events",
            "id,kind,date,dependency,description,source\ne1,cut-off,2021-01-10,acme-hostco,x,news-1\n",
            "events.csv:2: unknown dependency 'acme-hostco'",
        ),
        (
            "entities",
            "id,name,kind,owner,country\nacme,Acme,socialnetwork,,US\n",
            "entities.csv:2: unknown kind 'socialnetwork'; did you mean 'social-network'",
        ),
        (
            "entities",
            "id,name,kind,owner,country\nacme,Acme,website,,USA\n",
            "entities.csv:2: country 'USA' is not an ISO 3166-1",
        ),
        (
            "sources",
            "id,publisher,date,title,url\nnews-1,X,2021-01-09,T,javascript:alert(1)\n",
            "sources.csv:2: url 'javascript:alert(1)' is not an http(s) URL",
        ),
        ("availability", "dependent,status,start\nacme,down,2021-01-11\n", "availability.csv:2: unknown status 'down'"),
        (
            "dependencies",
            "id,dependent,provider,service,countries,source\nd1,acme,hostco,hosting,US;Brazil,news-1\n",
            "dependencies.csv:2: country 'BRAZIL' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            "dependencies",
            "id,dependent,provider,service,upstream,source\nd1,acme,hostco,hosting,transit,news-1\n",
            "dependencies.csv:2: unknown upstream service 'transit'; did you mean",
        ),
        (
            "dependencies",
            "id,dependent,provider,service,end,ended_by,source\nd1,acme,hostco,hosting,2021-01-10T23:59,provider,news-1\n",
            "dependencies.csv:2: bad end '2021-01-10T23:59': expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm",
        ),
        (
            "events",
            "id,kind,date,dependency,description,issuer,source\n"
            "e1,warning,2021-01-09,acme-hostco-hosting,x,parentco,news-1\n",
            "events.csv:2: only a cut-off has an issuer (the authority that ordered it)",
        ),
        (
            "events",
            "id,kind,date,dependency,description,issuer,source\n"
            "e1,cut-off,2021-01-10,acme-hostco-hosting,x,court-x,news-1\n",
            "events.csv:2: unknown entity 'court-x'",
        ),
        (
            "availability",
            "dependent,status,start,countries\nacme,offline,2021-01-11T07:59:00,US\n",
            "availability.csv:2: bad start '2021-01-11T07:59:00': expected YYYY-MM-DD or YYYY-MM-DDThh:mm",
        ),
        (
            "dependencies",
            "id,dependent,provider,service,extent,source\nd1,acme,hostco,hosting,partly,news-1\n",
            "dependencies.csv:2: unknown extent 'partly'; did you mean 'partial'",
        ),
        (
            "dependencies",
            "id,dependent,provider,service,source\nd1,acme,hostco,operation,news-1\n",
            "dependencies.csv:2: service 'operation' is an actor's own running of its service",
        ),
        ("outages", "id,actor,start,source\no1,nobody,2021-01-11,news-1\n", "outages.csv:2: unknown entity 'nobody'"),
        (
            "outages",
            "id,actor,end,source\no1,acme,2021-01-11,news-1\n",
            "outages.csv:1: outages table lacks column(s) start",
        ),
        (
            "outages",
            "id,actor,start,end,source\no1,acme,2021-01-11,2021-01-10,news-1\n",
            "outages.csv:2: outage ends (2021-01-10) before it starts (2021-01-11)",
        ),
        (
            "outages",
            "id,actor,start,extent,source\no1,acme,2021-01-11,total,news-1\n",
            "outages.csv:2: unknown extent 'total'",
        ),
    ],
)
def test_input_errors_name_file_line_and_value(tmp_path, table, text, message):
    folder = write_case(tmp_path, table, text)
    with pytest.raises(InputError) as caught:
        csv_to_graph(read_csv_dataset([folder]))
    assert message in str(caught.value)
    assert str(caught.value).count("\n") == 0


def test_unknown_names_carry_suggestions(tmp_path):
    folder = write_case(tmp_path, "dependencies", DEP_HEADER + "d1,acme,hostco,hostng,,,,,news-1,\n")
    with pytest.raises(UnknownNameError) as caught:
        csv_to_graph(read_csv_dataset([folder]))
    assert caught.value.suggestions[0] == "hosting"


def test_an_unrecognisable_file_is_named(tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"mystery.csv:1: cannot tell which table"):
        read_csv_dataset([path])


def test_a_table_is_recognised_by_its_header(tmp_path):
    path = tmp_path / "my-sources-sheet.csv"
    path.write_text((MINI / "sources.csv").read_text())
    assert len(read_csv_dataset([path]).rows["sources"]) == 2


def test_csv_rows_may_refer_to_entities_defined_in_rdf(tmp_path):
    entities = tmp_path / "entities.ttl"
    entities.write_bytes(
        serialize(csv_to_graph(read_csv_dataset([MINI / "entities.csv", MINI / "sources.csv"])), "turtle")
    )
    deps = tmp_path / "dependencies.csv"
    deps.write_text(DEP_HEADER + "d1,acme,hostco,hosting,,,,,,\n")
    graph = load([entities, deps])
    assert (data_iri("dependency", "d1"), PD.provider, data_iri("entity", "hostco")) in graph


@pytest.mark.parametrize(
    "note",
    [
        "Timeline:\n2021-01-09, Apple warns, Google removes, the 24 hours pass, AWS warns, a, b, c\nthe end",
        "Sources read:\nBuzzFeed News, The Verge, Reuters, AP, the BBC, CNN, NPR, the Guardian, Vox\nall agree",
        "In short:\n- hosting, dns, registrar, ip-transit, cdn, ddos-protection, payments, a, b",
    ],
    ids=["dated-lines", "a-list", "a-bulleted-list"],
)
def test_a_multi_line_note_whose_lines_have_many_commas_is_read(tmp_path, note):
    """Issue 20.10: a valid CSV whose quoted multi-line note had a line that looked like a row was refused;
    only a line that reads as a whole record (as many fields, an identifier first) is taken for one."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "dependencies.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["note"] = note
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    dataset = read_csv_dataset([folder])
    graph = csv_to_graph(dataset)
    assert any(str(o) == note for o in graph.objects(None, None))


def test_a_quote_left_open_over_whole_records_is_still_refused(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "dependencies.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += ',"a note left open' if not lines[1].endswith(",") else '"a note left open'
    lines[-1] += '"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="lines that look like records: is a closing quote missing"):
        read_csv_dataset([folder])
