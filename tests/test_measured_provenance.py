"""Measured facts are sourced by the measurement that made them (issue 21, provenance and time).

``tests/data/measured/`` is CSV made by hand in the format ``kg measure`` writes: two ``.test`` domains over two
runs, forum.test moving its DNS from Host Co to Other DNS and video.test ceasing to exist, with every question
asked kept as evidence (answers, a NODATA, a timeout, an NXDOMAIN).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS, XSD

from kg.errors import InputError
from kg.io.csvdata import ALL_TABLES, EVIDENCE_KINDS, OUTCOMES, TABLES, csv_to_graph, read_csv_dataset
from kg.io.loading import load
from kg.model.facts import read_facts
from kg.model.namespace import PD, PROV, RDF, data_iri
from kg.model.resources import ONTOLOGY, SHAPES

HERE = Path(__file__).resolve().parent
MEASURED = HERE / "data" / "measured"
ROOT = HERE.parent
EXAMPLES = ROOT / "ontology" / "examples"
RUN_1, RUN_2 = data_iri("run", "run-2026-12-01"), data_iri("run", "run-2026-12-08")


@pytest.fixture(scope="module")
def measured_graph() -> Graph:
    return csv_to_graph(read_csv_dataset([MEASURED]))


def copy_of_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "measured"
    shutil.copytree(MEASURED, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the model: ontology, shapes and code name the same outcomes and kinds ---------------------------------


def test_outcomes_are_the_ontologys_and_the_evidence_records():
    from kg.measure.evidence import OUTCOMES as RECORDED

    ontology = Graph().parse(ONTOLOGY)
    members = set(ontology.subjects(RDF.type, PD.Outcome))
    assert tuple(OUTCOMES) == RECORDED
    assert set(OUTCOMES.values()) == members
    assert {str(ontology.value(term, SKOS.notation)): term for term in members} == OUTCOMES


def test_evidence_kinds_are_the_shapes():
    shapes = Graph().parse(SHAPES)
    (node,) = shapes.subjects(SH.path, PD.questionKind)
    assert [str(kind) for kind in Collection(shapes, shapes.value(node, SH["in"]))] == list(EVIDENCE_KINDS)


def _hermit(*paths: Path, tmp_path: Path) -> tuple[bool, str]:
    from tests.test_ontology import hermit_consistent

    return hermit_consistent(*paths, tmp_path=tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_measured_facts_are_consistent_with_the_ontology(tmp_path):
    consistent, output = _hermit(ONTOLOGY, EXAMPLES / "valid" / "measured-facts.ttl", tmp_path=tmp_path)
    assert consistent, output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_the_imported_sample_is_consistent_for_the_reasoner(tmp_path):
    # HermiT reads instants to the millisecond at most, and rdflib writes any fraction with six digits: the
    # importer keeps instants to the second, as every date-time of the format.
    from kg.store.importing import import_data

    out = tmp_path / "measured.ttl"
    assert import_data([MEASURED], out=out).written
    consistent, output = _hermit(ONTOLOGY, out, tmp_path=tmp_path)
    assert consistent, output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_evidence_is_no_publication_for_the_reasoner(tmp_path):
    # pd:Evidence and pd:Source are disjoint: an answer recorded by a tool is not a published source.
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix pd: <https://w3id.org/pdkg/ontology#> .\n"
        "<https://w3id.org/pdkg/id/evidence/x> a pd:Evidence , pd:Source .\n"
    )
    consistent, output = _hermit(ONTOLOGY, bad, tmp_path=tmp_path)
    assert not consistent, output


# -- CSV to RDF -------------------------------------------------------------------------------------------


def test_a_run_becomes_a_prov_activity_with_its_vantage_point(measured_graph):
    g = measured_graph
    assert (RUN_1, RDF.type, PD.MeasurementRun) in g
    assert g.value(RUN_1, PD.tool) == Literal("kg measure")
    assert g.value(RUN_1, PD.toolVersion) == Literal("0.2.0")
    assert g.value(RUN_1, PROV.startedAtTime) == Literal("2026-12-01T10:00:00+00:00", datatype=XSD.dateTime)
    assert g.value(RUN_1, PROV.endedAtTime) == Literal("2026-12-01T10:02:00+00:00", datatype=XSD.dateTime)
    assert g.value(RUN_1, PD.vantageCountry) == Literal("DE")
    assert g.value(RUN_1, PD.vantageNetwork) == Literal("AS64500")
    assert g.value(RUN_1, PD.resolver) == Literal("127.0.0.1:5353")
    assert g.value(RUN_1, PD.contact) == Literal("mailto:measure@example.org")


def test_evidence_records_the_question_the_server_the_instant_and_the_raw_answer(measured_graph):
    g = measured_graph
    ns = data_iri("evidence", "r1-forum-ns")
    assert (ns, RDF.type, PD.Evidence) in g
    assert g.value(ns, PROV.wasGeneratedBy) == RUN_1
    assert g.value(ns, PROV.generatedAtTime) == Literal("2026-12-01T10:00:01+00:00", datatype=XSD.dateTime)
    assert [str(g.value(ns, p)) for p in (PD.questionKind, PD.questionType, PD.questionName, PD.measuredDomain)] == [
        "dns",
        "NS",
        "forum.test",
        "forum.test",
    ]
    assert g.value(ns, PD.server) == Literal("127.0.0.1:5353")
    assert g.value(ns, PD.outcome) == PD.Answered
    assert str(g.value(ns, PD.answer)) == "ns1.hostco.test.\nns2.hostco.test."
    timeout = data_iri("evidence", "r2-forum-aaaa")
    assert g.value(timeout, PD.outcome) == PD.TimedOut and g.value(timeout, PD.answer) is None
    assert str(g.value(timeout, PD.note)) == "no answer in 5 s after 2 tries"
    assert g.value(data_iri("evidence", "r2-video-ns"), PD.outcome) == PD.NoSuchName


def test_a_measured_fact_is_generated_by_its_runs_and_derived_from_its_evidence(measured_graph):
    g = measured_graph
    hosting = data_iri("dependency", "forum.test-hostco-hosting")
    assert set(g.objects(hosting, PROV.wasGeneratedBy)) == {RUN_1, RUN_2}
    assert set(g.objects(hosting, PROV.wasDerivedFrom)) == {
        data_iri("evidence", e) for e in ("r1-forum-a", "r1-forum-asn", "r2-forum-a", "r2-forum-asn")
    }
    assert str(g.value(hosting, PD.classificationRule)) == "known-third-party: AS64501 is hostco's"
    offline = next(g.subjects(PD.observedActor, data_iri("entity", "video.test")))
    assert g.value(offline, PROV.wasGeneratedBy) == RUN_2
    assert g.value(offline, PROV.wasDerivedFrom) == data_iri("evidence", "r2-video-ns")


@pytest.mark.slow
def test_the_sample_conforms_and_the_sparql_checks_agree():
    from kg.store.dataset import open_dataset
    from kg.validation import validate
    from kg.validation.sparql import validate_store

    report = validate(load([MEASURED]))
    assert report.findings == []
    assert validate_store(open_dataset([MEASURED])).findings == report.findings


@pytest.mark.slow
def test_kg_import_writes_the_sample_and_refuses_evidence_of_another_run(tmp_path):
    from kg.store.importing import import_data

    assert import_data([MEASURED], out=tmp_path / "measured.ttl").written
    folder = copy_of_sample(tmp_path)
    # The DNS move of the second run, said to rest on the first run's answer: only the shapes can tell.
    edit(folder / "dependencies.csv", "run-2026-12-08,r2-forum-ns", "run-2026-12-08,r1-forum-ns")
    result = import_data([folder], out=tmp_path / "wrong.ttl")
    assert not result.written and not (tmp_path / "wrong.ttl").exists()
    assert {f.rule for f in result.validation.violations} == {"SPARQLConstraintComponent"}
    # Both checks fire, in the SPARQL engine and in pySHACL alike: the evidence's run is not the fact's,
    # and the fact's run gathered none of its evidence.
    from kg.store.dataset import open_dataset
    from kg.validation import validate
    from kg.validation.sparql import validate_store

    messages = {f.message.split(" (")[0] for f in result.validation.violations}
    assert messages == {
        "A fact derived from evidence was generated by the run that gathered it",
        "A fact generated by a measurement run rests on evidence that run gathered",
    }
    assert validate(load([folder])).findings == validate_store(open_dataset([folder])).findings


def test_the_curated_tables_stay_those_of_the_template():
    assert list(TABLES) == ["sources", "entities", "dependencies", "events", "availability", "outages"]
    assert list(ALL_TABLES) == ["sources", "entities", "runs", "evidence", *list(TABLES)[2:]]


def test_data_readme_documents_every_column_of_every_table():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name, table in ALL_TABLES.items():
        start = re.search(rf"^(### )?`{name}\.csv`[:,]", text, re.M).start()  # its heading, or its paragraph
        rows = re.search(r"\n((?:\|.*\|\n)+)", text[start:]).group(1)
        documented = {c for line in rows.splitlines() for c in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
        assert set(table.columns) <= documented, (name, set(table.columns) - documented)


# -- every bad row: one line naming the file and line ------------------------------------------------------

BAD_ROWS = [
    (
        "runs.csv",
        "DE,AS64500,127.0.0.1:5353,mailto:measure@example.org,first",
        ",AS64500,127.0.0.1:5353,x,first",
        2,
        "country is empty",
    ),
    (
        "runs.csv",
        "2026-12-01T10:00:00Z,2026-12-01T10:02:00Z",
        "2026-12-01T10:00:00,2026-12-01T10:02:00Z",
        2,
        "bad start '2026-12-01T10:00:00': expected an instant",
    ),
    (
        "runs.csv",
        "2026-12-01T10:00:00Z,2026-12-01T10:02:00Z",
        "2026-12-01T10:00:00Z,2026-12-01T09:00:00Z",
        2,
        "run ends (2026-12-01T09:00:00Z) before it starts",
    ),
    ("runs.csv", ",DE,AS64500", ",ZZ,AS64500", 2, "ZZ"),
    (
        "evidence.csv",
        "r1-forum-a,run-2026-12-01,",
        "r1-forum-a,run-2026-12-02,",
        4,
        "unknown run 'run-2026-12-02'; did you mean",
    ),
    (
        "evidence.csv",
        "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01Z,ok",
        "A,forum.test,127.0.0.1:5353,2026-12-01T11:00:00Z,ok",
        4,
        "time 2026-12-01T11:00:00Z is outside run 'run-2026-12-01'",
    ),
    (
        "evidence.csv",
        "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01Z,ok",
        "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01Z,okay",
        4,
        "unknown outcome 'okay'; did you mean 'ok'",
    ),
    (
        "evidence.csv",
        "r1-forum-a,run-2026-12-01,forum.test,dns",
        "r1-forum-a,run-2026-12-01,forum.test,dnss",
        4,
        "unknown evidence kind 'dnss'",
    ),
    ("evidence.csv", "ok,192.0.2.10,\nr1-forum-asn", "ok,,\nr1-forum-asn", 4, "outcome ok needs the answer"),
    (
        "evidence.csv",
        "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01Z,ok",
        "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01.250Z,ok",
        4,
        "bad time '2026-12-01T10:00:01.250Z': expected an instant",
    ),
    (
        "evidence.csv",
        "r1-forum-a,run-2026-12-01,forum.test,",
        "r1-forum-a,run-2026-12-01,bücher.test,",
        4,
        "domain 'bücher.test' is not a domain name in ASCII",
    ),
    ("evidence.csv", "ok,192.0.2.10,", "ok,192.0.2.10\x1b[2J,", 4, "a control character in answer (\\x1b)"),
    (
        "dependencies.csv",
        ",unknown,run-2026-12-01,r1-forum-ns,",
        ",unknown,run-2026-12-01,r1-forum-nx,",
        2,
        "unknown evidence 'r1-forum-nx'",
    ),
    (
        "dependencies.csv",
        'r1-forum-ns,"known-third-party: ns1.hostco.test, ns2.hostco.test are hostco\'s name servers",',
        "r1-forum-ns,,",
        2,
        "rule empty: a measured fact names the run that made it",
    ),
    ("availability.csv", ",run-2026-12-08,r2-video-ns,", ",,r2-video-ns,", 2, "run empty: a measured fact"),
]


@pytest.mark.parametrize(("file", "old", "new", "line", "message"), BAD_ROWS, ids=lambda v: str(v)[:24])
def test_a_bad_measured_row_is_one_error_naming_file_and_line(tmp_path, file, old, new, line, message):
    folder = copy_of_sample(tmp_path)
    edit(folder / file, old, new)
    with pytest.raises(InputError) as caught:
        read = read_csv_dataset([folder])
        csv_to_graph(read)
    text = str(caught.value)
    assert text.startswith(f"{folder / file}:{line}: ") and "\n" not in text, text
    assert message in text, text


def test_the_kg_import_message_is_one_line_and_exit_2(invoke, tmp_path):
    folder = copy_of_sample(tmp_path)
    edit(
        folder / "evidence.csv", "A,forum.test,127.0.0.1:5353,2026-12-01T10:00:01Z,ok", "A,forum.test,x,2026-12-01,okay"
    )
    result = invoke("import", folder, "--out", tmp_path / "out.ttl")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {folder / 'evidence.csv'}:4: bad time '2026-12-01': expected an instant, YYYY-MM-DDThh:mm[:ss] "
        "with its offset (Z or +hh:mm)"
    ]


# -- measured facts are sourced facts, through every way data is read ---------------------------------------


def test_measured_facts_count_as_sourced(measured_graph):
    from kg.model.stats import compute_stats

    stats = compute_stats(measured_graph)
    assert stats.dependencies == 7 and stats.observations == 1 and stats.sources == 0
    assert stats.unsourced == []


@pytest.mark.slow
@pytest.mark.parametrize("form", ["csv", "turtle"])
def test_evidence_reaches_the_facts_from_graph_tables_and_json(tmp_path, form):
    from kg.model.stats import compute_stats
    from kg.store.dataset import open_dataset
    from kg.store.factsjson import dump_facts, load_facts
    from kg.store.importing import import_data
    from kg.store.tablebuilder import tables_from_facts

    expected = read_facts(load([MEASURED]))
    assert expected.dependencies["forum.test-hostco-dns"].evidence == ("r1-forum-ns",)
    assert expected.observations["video.test-offline-2026-12-08"].evidence == ("r2-video-ns",)
    source = MEASURED
    if form == "turtle":  # read back from RDF with SPARQL (kg.store.extract), not from the CSV rows
        source = tmp_path / "measured.ttl"
        assert import_data([MEASURED], out=source).written
    dataset = open_dataset([source], store=tmp_path / "store")
    assert dataset.facts == expected
    tables = tables_from_facts(expected)
    assert tables.to_facts() == expected
    tables.save(tmp_path)
    assert type(tables).load(tmp_path).to_facts() == expected
    dump_facts(expected, tmp_path / "facts.json")
    assert load_facts(tmp_path / "facts.json") == expected
    assert compute_stats(facts=dataset.facts, triples=0).unsourced == []


# -- analyses on measured data -------------------------------------------------------------------------------


def test_kg_status_sees_the_domain_that_stopped_resolving(invoke):
    result = invoke("status", "video.test", "-q", MEASURED, "--as-of", "2026-12-09")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("video.test at 2026-12-09 (worldwide): offline")
    assert "Observed: offline from 2026-12-08 (agrees)" in result.output
    before = invoke("status", "video.test", "-q", MEASURED, "--as-of", "2026-12-05")
    assert before.output.startswith("video.test at 2026-12-05 (worldwide): online")


def test_kg_show_lists_the_dns_move_between_runs(invoke):
    result = invoke("show", "forum.test", "-q", MEASURED)
    assert result.exit_code == 0, result.output
    assert re.search(r"dns +Host Co +2026-12-01 10:00 UTC \.\. 2026-12-08 10:00 UTC +ended by unknown", result.output)
    assert re.search(r"dns +Other DNS +2026-12-08 10:00 UTC \.\. open +active", result.output)
    document = json.loads(invoke("show", "forum.test", "-q", MEASURED, "--json").output)
    assert {d["identifier"]: d["evidence"] for d in document["depends_on"]}["forum.test-otherdns-dns"] == [
        "r2-forum-ns"
    ]


def test_kg_rank_follows_a_providers_own_measured_dns(invoke):
    # Cloudy hosts video.test and runs Host Co's DNS, which forum.test's DNS relied on before the move.
    result = invoke("rank", "-q", MEASURED, "--as-of", "2026-12-05")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith(("Cloudy", "Host Co", "Test CA"))]
    assert rows[0][:5] == ["Cloudy", "dns,hosting", "2", "2", "3"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (Debian raptor2-utils) is not installed")
def test_the_imported_sample_parses_with_rapper(tmp_path):
    from kg.store.importing import import_data

    out = tmp_path / "measured.ttl"
    assert import_data([MEASURED], out=out).written
    result = subprocess.run(["rapper", "-i", "turtle", "-c", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
