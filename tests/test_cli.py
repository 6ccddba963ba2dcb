"""The kg command: each command on real data, and every error path with its exit code and message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

MINI = Path(__file__).resolve().parent / "data" / "mini"
EXAMPLES = Path(__file__).resolve().parent.parent / "ontology" / "examples"


@pytest.mark.slow
def test_demo_shows_the_parler_case(invoke):
    result = invoke("demo")
    assert result.exit_code == EXIT_OK
    out = result.output
    assert "Parler [parler]" in out
    for line in (
        "app-store-android  Google Play",
        "app-store-ios      Apple App Store",
        "hosting            Amazon Web Services",
    ):
        assert line in out
    assert "2021-01-11  hosting from Amazon Web Services ends (cut off by the provider)" in out
    assert "2021-02-15  starts using SkySilk for hosting" in out
    assert "observed offline until 2021-02-15" in out
    assert "source: BuzzFeed News, 2021-01-09, https://www.buzzfeednews.com/" in out


@pytest.mark.slow
def test_demo_other_case_and_unknown_case(invoke):
    assert "Kiwi Farms [kiwi-farms]" in invoke("demo", "--case", "kiwi farms", "--no-sources").output
    result = invoke("demo", "--case", "Parlr")
    assert result.exit_code == EXIT_USAGE
    assert (
        result.output.strip() == "Error: unknown entity 'Parlr'; did you mean 'parler', 'Parler'?"
        or "unknown entity 'Parlr'; did you mean" in result.output
    )


def test_validate_bundled_data(invoke):
    result = invoke("validate")
    assert result.exit_code == EXIT_OK
    assert "bundled dataset conforms: 0 violation(s), 0 warning(s)" in result.output


@pytest.mark.slow
def test_validate_reports_node_and_rule_and_exits_1(invoke):
    result = invoke("validate", EXAMPLES / "invalid" / "missing-provider.ttl")
    assert result.exit_code == EXIT_FINDINGS
    assert "violation: dependency:no-provider pd:provider: A dependency has exactly one provider" in result.output
    assert "[MinCountConstraintComponent]" in result.output


def test_validate_warnings_exit_0(invoke):
    result = invoke("validate", EXAMPLES / "invalid" / "unsourced-dependency.ttl")
    assert result.exit_code == EXIT_OK
    assert "warning: dependency:unsourced prov:wasDerivedFrom" in result.output


def test_validate_json(invoke):
    result = invoke("validate", "--json", EXAMPLES / "invalid" / "end-before-start.ttl")
    assert result.exit_code == EXIT_FINDINGS
    document = json.loads(result.output)
    assert document["conforms"] is False
    assert document["findings"][0]["rule"] == "LessThanOrEqualsConstraintComponent"


def test_stats(invoke):
    result = invoke("stats", "--json")
    assert result.exit_code == EXIT_OK
    stats = json.loads(result.output)
    assert stats["dependencies_by_service"]["hosting"] >= 10
    assert stats["unsourced"] == [] and stats["first_date"] <= "2010-12-01"
    text = invoke("stats", MINI).output
    assert "dependencies: 5 (3 open, 1 self-provided, 1 between providers)" in text
    assert "date range: 2019-05-01 .. 2021-02-15" in text


@pytest.mark.parametrize("rdf_format", ["turtle", "nt", "jsonld", "xml"])
def test_export_formats_round_trip(invoke, tmp_path, rdf_format):
    from rdflib.compare import isomorphic

    from kg.io.loading import load

    suffix = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "xml": ".rdf"}[rdf_format]
    out = tmp_path / f"out{suffix}"
    result = invoke("export", MINI, "--format", rdf_format, "--out", out)
    assert result.exit_code == EXIT_OK
    assert isomorphic(load([out], ontology=False), load([MINI], ontology=False))


@pytest.mark.slow
def test_export_direct_triples(invoke):
    result = invoke("export", "--direct", "--as-of", "2021-01-07", "--format", "nt")
    assert result.exit_code == EXIT_OK
    aws = "<https://w3id.org/pdkg/id/entity/aws>"
    assert (
        f"<https://w3id.org/pdkg/id/entity/parler> <https://w3id.org/pdkg/ontology#hostedBy> {aws} ." in result.output
    )
    assert "<https://w3id.org/pdkg/id/entity/skysilk>" not in result.output.split("#hostedBy>")[1].split("\n")[0]


@pytest.mark.slow
def test_import_csv_and_webdep_write_turtle(invoke, tmp_path):
    out = tmp_path / "mini.ttl"
    result = invoke("import", MINI, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    assert out.read_text().startswith("@prefix")


@pytest.mark.slow
def test_import_streams_sorted_n_triples_holding_the_same_graph_as_the_turtle(invoke, tmp_path):
    import tempfile

    from rdflib import Graph
    from rdflib.compare import isomorphic

    webdep = tmp_path / "webdep"
    webdep.mkdir()
    (webdep / "websites.csv").write_text("1000,example.com\n1000,other.org\n")
    (webdep / "dns.csv").write_text("1000,example.com,amazon.com,Third\n1000,other.org,other.org,Pvt\n")
    (webdep / "cdn.csv").write_text("1000,example.com,cloudfront,unknown\n")
    (webdep / "ca.csv").write_text("1000,example.com,amazon,Third,True\n")
    before = set(Path(tempfile.gettempdir()).glob("pdkg-import-*"))
    nt, ttl = tmp_path / "x.nt", tmp_path / "x.ttl"
    for out, syntax in ((nt, "nt"), (ttl, "turtle")):
        result = invoke("import", MINI, "--webdep", webdep, "--format", syntax, "--out", out)
        assert result.exit_code == EXIT_OK, result.output
    lines = nt.read_text().splitlines()
    assert lines == sorted(set(lines)) and f"wrote {len(lines)} triples" in result.output
    assert isomorphic(Graph().parse(nt), Graph().parse(ttl))
    assert "<https://w3id.org/pdkg/id/dependency/example.com-cdn-aws>" in nt.read_text()
    assert set(Path(tempfile.gettempdir()).glob("pdkg-import-*")) == before  # no work files left


# -- error paths: one clear line, exit 2, nothing written ------------------------------------------


def assert_usage_error(result, *fragments):
    assert result.exit_code == EXIT_USAGE, result.output
    message = result.output.strip()
    assert message.count("\n") == 0, message
    for fragment in fragments:
        assert fragment in message


def test_missing_file(invoke, tmp_path):
    assert_usage_error(invoke("validate", tmp_path / "nope.ttl"), "nope.ttl: no such file")


@pytest.mark.slow
def test_syntax_error_names_file_and_line(invoke, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    assert_usage_error(invoke("stats", bad), "bad.ttl:3: Turtle syntax error")


def test_bad_date_option(invoke):
    assert_usage_error(invoke("export", "--direct", "--as-of", "2021-02-30"), "bad date '2021-02-30'", "--as-of")
    assert_usage_error(invoke("export", "--direct", "--as-of", "yesterday"), "bad date 'yesterday'")


def test_bad_date_in_csv(invoke, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(MINI, folder)
    text = (folder / "dependencies.csv").read_text().replace("2019-05-01", "2019-13-01")
    (folder / "dependencies.csv").write_text(text)
    out = tmp_path / "out.ttl"
    assert_usage_error(invoke("import", folder, "--out", out), "dependencies.csv:2: bad start '2019-13-01'")
    assert not out.exists()


@pytest.mark.slow
def test_unknown_service(invoke, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(MINI, folder)
    (folder / "dependencies.csv").write_text(
        (folder / "dependencies.csv").read_text().replace(",hosting,", ",hostin,", 1)
    )
    assert_usage_error(
        invoke("validate", folder), "dependencies.csv:2: unknown service 'hostin'; did you mean 'hosting'"
    )


def test_unknown_name(invoke):
    assert_usage_error(
        invoke("show", "Amazon Web Service"),
        "unknown entity 'Amazon Web Service'",
        "did you mean 'Amazon Web Services'",
    )


def test_unknown_option_and_format_exit_2(invoke):
    assert invoke("export", "--format", "yaml").exit_code == EXIT_USAGE
    assert invoke("stats", "--frobnicate").exit_code == EXIT_USAGE


@pytest.mark.slow
def test_import_with_violations_writes_nothing_and_exits_1(invoke, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(MINI, folder)
    text = (folder / "dependencies.csv").read_text().replace("2019-05-01,2021-01-11", "2021-05-01,2021-01-11")
    (folder / "dependencies.csv").write_text(text)
    out = tmp_path / "out.ttl"
    out.write_text("previous content\n")
    result = invoke("import", folder, "--out", out)
    assert result.exit_code == EXIT_FINDINGS
    assert "LessThanOrEqualsConstraintComponent" in result.output
    assert out.read_text() == "previous content\n"
    assert list(tmp_path.glob(".out.ttl.*")) == []


def test_output_into_missing_folder_is_usage_error(invoke, tmp_path):
    assert_usage_error(
        invoke("export", MINI, "--out", tmp_path / "no" / "such" / "x.ttl"), "output folder does not exist"
    )


def test_import_needs_input(invoke, tmp_path):
    assert_usage_error(invoke("import", "--out", tmp_path / "x.ttl"), "nothing to import")


def test_show_entity_and_json(invoke):
    result = invoke("show", "aws")
    assert result.exit_code == EXIT_OK
    assert "Amazon Web Services [aws]" in result.output and "owned by: Amazon.com, Inc. [amazon]" in result.output
    assert "Parler" in result.output and "WikiLeaks" in result.output
    document = json.loads(invoke("show", "Parler", "--json").output)
    assert document["entity"]["identifier"] == "parler"


def test_services_lists_the_vocabulary(invoke):
    out = invoke("services").output
    for line in ("hosting ", "registrar", "app-store-ios", "sms"):
        assert line in out
    assert "essential" in out and "channel" in out


def test_query_binds_parameters(invoke):
    result = invoke("query", "dependencies-of", "-p", "dependent=parler", "-p", "asOf=2021-01-07")
    assert result.exit_code == EXIT_OK
    assert "entity/aws" in result.output and "entity/skysilk" not in result.output
    # A hostile value is a name to look up, not SPARQL to run.
    assert_usage_error(invoke("query", "dependencies-of", "-p", "dependent=x> } DROP ALL #"), "unknown entity")
    assert_usage_error(invoke("query", "dependencies-of", "-p", "when=2021-01-07"), "has no parameter 'when'")
    assert "cut-offs:" in invoke("query").output


def test_every_command_documents_an_example(runner):
    from kg.cli import main

    for name in main.commands:
        help_text = runner.invoke(main, [name, "--help"]).output
        assert "Example:" in help_text and f"kg {name}" in help_text, name


@pytest.mark.slow
def test_query_formats_and_out(invoke, tmp_path):
    import xml.etree.ElementTree as ElementTree

    args = ("query", "dependencies-of", "-p", "dependent=parler", "-p", "asOf=2021-01-07")
    document = json.loads(invoke(*args, "--format", "json").output)
    assert document["head"]["vars"] == ["dependency", "provider", "service", "start", "end"]
    providers = {row["provider"]["value"] for row in document["results"]["bindings"]}
    assert "https://w3id.org/pdkg/id/entity/aws" in providers and len(providers) == 6
    tsv = invoke(*args, "--format", "tsv").output.splitlines()
    assert tsv[0].split("\t")[0] == "?dependency" and len(tsv) == 7
    assert "entity:aws" in invoke(*args, "--format", "table").output
    out = tmp_path / "answer.xml"
    assert invoke(*args, "--format", "xml", "--out", out).exit_code == EXIT_OK
    assert ElementTree.parse(out).getroot().tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    triples = invoke("query", "direct-dependencies", "-p", "asOf=2021-01-07", "--format", "nt").output
    assert "<https://w3id.org/pdkg/id/entity/parler> <https://w3id.org/pdkg/ontology#hostedBy>" in triples
    assert_usage_error(invoke(*args, "--format", "turtle"), "gives solutions")
    assert_usage_error(invoke("query", "direct-dependencies", "--format", "csv"), "gives triples")


def test_query_parameters_by_iri_required_and_checked(invoke):
    by_id = invoke("query", "dependencies-of", "-p", "dependent=parler").output
    by_iri = invoke("query", "dependencies-of", "-p", "dependent=<https://w3id.org/pdkg/id/entity/parler>").output
    by_name = invoke("query", "dependencies-of", "-p", "dependent=Parler").output
    assert by_id == by_iri == by_name and "entity/aws" in by_id
    assert_usage_error(invoke("query", "dependencies-of"), "needs dependent")
    assert_usage_error(
        invoke("query", "dependencies-of", "-p", "dependent=https://example.org/x"), "not the IRI of an entity"
    )
    assert_usage_error(
        invoke("query", "dependencies-of", "-p", "dependent=parler", "-p", "asOf=2021-02-30"), "bad date"
    )


def test_own_query_files_read_only_and_local(invoke, tmp_path):
    own = tmp_path / "platforms.rq"
    own.write_text(
        "PREFIX pd: <https://w3id.org/pdkg/ontology#>\nSELECT (COUNT(?p) AS ?n) WHERE { ?p a pd:Platform }\n"
    )
    result = invoke("query", own)
    assert result.exit_code == EXIT_OK and result.output.splitlines()[0] == "n"
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n")
    assert_usage_error(invoke("query", service), "service.rq: calls another server (SERVICE)")
    update = tmp_path / "update.rq"
    update.write_text("PREFIX ex: <http://e/>\nDELETE WHERE { ?s ?p ?o }\n")
    assert_usage_error(invoke("query", update), "update.rq: an update (DELETE)")
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT * WHERE { ?s ?p }\n")
    assert_usage_error(invoke("query", broken), "broken.rq: SPARQL syntax error")
    assert_usage_error(invoke("query", "../../etc/passwd"), "unknown query")
    # A variable or property named like a keyword is not one.
    named = tmp_path / "named.rq"
    named.write_text(
        "PREFIX pd: <https://w3id.org/pdkg/ontology#>\n"
        "SELECT ?service ?insert WHERE { ?d pd:service ?service . BIND(1 AS ?insert) } LIMIT 1\n"
    )
    assert invoke("query", named).exit_code == EXIT_OK


def _output_over_an_input(tmp_path):
    """Copies of the mini data (CSV, Turtle from it, a query), and the ways an --out can name one of them."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    turtle = tmp_path / "mini.ttl"
    turtle.write_bytes((Path(__file__).resolve().parent.parent / "queries" / "cut-offs.rq").read_bytes())
    query = tmp_path / "mine.rq"
    query.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n")
    (tmp_path / "link.csv").symlink_to(folder / "entities.csv")
    (tmp_path / "hard.csv").hardlink_to(folder / "sources.csv")
    return folder, query, [
        ("import", folder, "--out", folder / "entities.csv"),
        ("import", folder, "--out", tmp_path / "link.csv"),
        ("import", folder / "entities.csv", folder / "dependencies.csv", folder / "sources.csv",
         "--out", tmp_path / "hard.csv"),
        ("export", folder, "--out", folder / "dependencies.csv"),
        ("export", folder, "--out", tmp_path / "mini" / ".." / "mini" / "sources.csv"),
        ("render", "--data", folder, "--as-of", "2021-01-07", "--out", folder / "events.csv"),
        ("describe", "--data", folder, "--out", folder / "availability.csv"),
        ("query", query, "--data", folder, "--out", query),
    ]


def test_an_output_that_is_one_of_the_inputs_is_refused(invoke, tmp_path):
    """Issue 20.6: `kg import DIR --out DIR/entities.csv` replaced the input CSV with Turtle and exited 0.
    Every command with --out refuses an output that is one of its inputs (the same file, by device and
    inode, whatever name reaches it), before doing any work."""
    folder, query, commands = _output_over_an_input(tmp_path)
    before = {path: path.read_bytes() for path in [*folder.iterdir(), query]}
    for command in commands:
        result = invoke(*command)
        assert result.exit_code == EXIT_USAGE, (command, result.output)
        out = str(command[-1])
        assert result.stderr == f"Error: {out}: is one of this command's inputs; not replaced\n", command
    assert {path: path.read_bytes() for path in [*folder.iterdir(), query]} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in MINI.iterdir())


def test_the_bundled_data_is_an_input_when_no_files_are_given(invoke):
    from kg.model.resources import BUNDLED_DATASET, ONTOLOGY

    before = BUNDLED_DATASET.read_bytes(), ONTOLOGY.read_bytes()
    for target in (BUNDLED_DATASET, ONTOLOGY):
        result = invoke("export", "--out", target)
        assert result.exit_code == EXIT_USAGE
        assert "is one of this command's inputs" in result.stderr
    assert (BUNDLED_DATASET.read_bytes(), ONTOLOGY.read_bytes()) == before


@pytest.mark.slow
def test_an_output_beside_the_inputs_is_written(invoke, tmp_path):
    folder, _, _ = _output_over_an_input(tmp_path)
    result = invoke("import", folder, "--out", tmp_path / "mini.ttl")
    assert result.exit_code == EXIT_OK, result.output


@pytest.mark.slow
def test_a_folder_stands_for_the_files_read_from_it(invoke, tmp_path):
    """kg import reads only the CSV of a folder: a Turtle output of an earlier run there is no input."""
    folder, _, _ = _output_over_an_input(tmp_path)
    for _ in range(2):
        result = invoke("import", folder, "--out", folder / "out.ttl")
        assert result.exit_code == EXIT_OK, result.output
    # kg export reads the Turtle of a folder too: there it is one of the inputs.
    result = invoke("export", folder, "--out", folder / "out.ttl")
    assert result.exit_code == EXIT_USAGE
    assert "is one of this command's inputs" in result.stderr


# -- data FILES: positional and -d/--data alike on every command that reads data (issue 20, item 15) ----


def test_every_command_that_reads_data_takes_files_both_ways(tmp_path):
    """`kg serve base.ttl` said "unexpected extra argument": FILES were positional on stats, export and
    validate and -d/--data elsewhere. Every command that reads data takes both, after its own arguments."""
    import click

    from kg.cli import main

    readers = {name for name, c in main.commands.items() if {"files", "csv_files"} & {p.name for p in c.params}}
    # measure reads the Internet; changes reads measurement folders run by run, not a dataset
    assert set(main.commands) - readers == {"changes", "demo", "measure", "services"}
    for name in sorted(readers):
        command = main.commands[name]
        own = [p for p in command.params if isinstance(p, click.Argument) and p.name not in ("files", "csv_files")]
        needed = [arg for p in command.params if isinstance(p, click.Option) and p.required for arg in (p.opts[0], "x")]
        args = [*(["parler"] * len(own)), "a.ttl", "-d", "b.ttl", "--data", "c.ttl", "d.ttl", *needed]
        context = command.make_context(name, args)
        files = context.params.get("files", context.params.get("csv_files"))
        assert [str(path) for path in files] == ["a.ttl", "d.ttl", "b.ttl", "c.ttl"], name
        assert "data_files" not in context.params


def test_files_given_either_way_answer_the_same(invoke):
    for args, mini in (
        (["show", "acme"], "Acme [acme]"),
        (["status", "acme", "--as-of", "2021-01-12"], "Acme at 2021-01-12 (worldwide): offline"),
        (["stats"], "dependencies: 5"),
        (["rank", "--as-of", "2021-01-07"], "Host Co"),
    ):
        positional, option = invoke(*args, MINI), invoke(*args, "-d", MINI)
        assert positional.exit_code == EXIT_OK and positional.output == option.output, args
        assert mini in positional.output, args
    every = invoke("replay", "--all", "-q", MINI, "--json")  # --all takes no PLATFORM: its arguments are FILES
    assert every.exit_code == EXIT_OK and every.output == invoke("replay", "--all", "-q", "-d", MINI, "--json").output
    assert [document["platform"] for document in json.loads(every.output)] == ["acme"]


def test_an_output_among_files_given_with_data_is_refused(invoke, tmp_path):
    folder, _, _ = _output_over_an_input(tmp_path)
    result = invoke("export", "-d", folder, "--out", folder / "entities.csv")
    assert result.exit_code == EXIT_USAGE and "is one of this command's inputs" in result.stderr


# -- a first hour: starting a dataset, saying what was validated (issue 20, item 15) -----------------------


@pytest.mark.slow
def test_import_template_starts_a_dataset_of_bundled_rows_that_imports(invoke, tmp_path):
    """The README's `kg import my-cases/` named a folder a new user does not have: --template makes one."""
    import csv

    from kg.io.csvdata import TABLES
    from kg.model.resources import BUNDLED_CSV

    folder = tmp_path / "my-cases"
    result = invoke("import", "--template", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert f"then: kg import {folder} --out FILE.ttl" in result.stderr
    for name, table in TABLES.items():
        with (folder / f"{name}.csv").open(newline="") as handle:
            reader = csv.DictReader(handle)
            assert tuple(reader.fieldnames) == table.columns
            rows = list(reader)
        with (BUNDLED_CSV / f"{name}.csv").open(newline="") as handle:
            bundled = list(csv.DictReader(handle))
        assert rows and all(any(row.items() >= b.items() for b in bundled) for row in rows), name  # nothing invented
    imported = invoke("import", folder, "--out", tmp_path / "my-cases.ttl")
    assert imported.exit_code == EXIT_OK and "wrote" in imported.stderr, imported.output
    assert "offline" in invoke("status", "parler", "-q", folder, "--as-of", "2021-01-12").output
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert_usage_error(invoke("import", "--template", folder), "is a folder that is not empty")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert_usage_error(invoke("import", "--template", tmp_path / "new", MINI), "give it alone")
    assert not (tmp_path / "new").exists()
    assert_usage_error(invoke("import", MINI), "missing option --out")


def test_validate_a_store_says_which_store(invoke, tmp_path):
    """`kg validate --store DIR` said "bundled dataset conforms" of a store holding other data."""
    store = tmp_path / "store"
    assert invoke("load", MINI, "--store", store, "-q").exit_code == EXIT_OK
    result = invoke("validate", "--store", store, "-q")
    assert result.exit_code == EXIT_OK
    verdict = "conforms: 0 violation(s), 0 warning(s)"
    assert result.output.strip() == f"store {store} (loaded from 5 files in {MINI}) {verdict}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("media_type", "said"),
    [
        ("text/html", "Unsupported Content-Type returned by service"),
        ("application/sparql-results+json", "Parser error at line 1"),
    ],
    ids=["html", "not-json"],
)
def test_a_service_answering_something_else_is_one_line(invoke, tmp_path, media_type, said):
    """Issue 20.9: with --allow-service, a SERVICE answering the wrong content type (or garbage of the right
    one) was an internal error (exit 3); it is a failed query, exit 2, one line."""
    from .servers import Canned

    canned = Canned(200, b"<html>not sparql</html>", media_type)
    try:
        query = tmp_path / "service.rq"
        query.write_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{canned.port}/x> {{ ?s ?p ?o }} }}\n")
        result = invoke("query", query, "--allow-service")
    finally:
        canned.close()
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith(f"Error: the query failed as it ran: {said}"), result.stderr
    assert result.stderr.count("\n") == 1


def _run_on(stdout_kind: str, *args: str) -> bytes:
    """What ``kg ARGS`` writes to its standard output when that is a terminal (a pseudo-terminal) or a pipe."""
    import os
    import pty
    import subprocess
    import sys

    kg = str(Path(sys.executable).with_name("kg"))
    if stdout_kind == "pipe":
        return subprocess.run([kg, *args], capture_output=True, timeout=120, check=True).stdout
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([kg, *args], stdout=follower, stderr=subprocess.DEVNULL)
        os.close(follower)
        received = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed: the process is done writing
                break
            if not chunk:
                break
            received += chunk
        assert process.wait(timeout=120) == 0
    finally:
        os.close(leader)
    return received.replace(b"\r\n", b"\n")  # the terminal's line discipline


HOSTILE_TTL = (
    "@prefix pd: <https://w3id.org/pdkg/ontology#> .\n@prefix schema: <http://schema.org/> .\n"
    '<https://w3id.org/pdkg/id/entity/x> a pd:Platform ; schema:name "Evil\\u001b]0;owned\\u0007 \\u202egnp.exe" .\n'
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "nt"],
        ["export", "--format", "turtle"],
        ["export", "--format", "xml"],
        ["query", "SELECT ?n WHERE { ?s <http://schema.org/name> ?n }", "--format", "csv"],
        ["query", "SELECT ?n WHERE { ?s <http://schema.org/name> ?n }", "--format", "tsv"],
        ["query", "SELECT ?n WHERE { ?s <http://schema.org/name> ?n }", "--format", "xml"],
        ["query", "CONSTRUCT { ?s <http://schema.org/name> ?n } WHERE { ?s <http://schema.org/name> ?n }"],
    ],
    ids=["export-nt", "export-turtle", "export-xml", "query-csv", "query-tsv", "query-xml", "query-turtle"],
)
def test_a_terminal_never_gets_raw_control_characters_and_a_pipe_gets_every_byte(tmp_path, args):
    """Issue 20.8: kg export and kg query wrote raw escape sequences to the terminal. Data written to a file
    or a pipe stays byte-exact; what goes to a terminal is escaped."""
    data = tmp_path / "hostile.ttl"
    data.write_text(HOSTILE_TTL, encoding="utf-8")
    if args[0] == "query":
        query = tmp_path / "q.rq"
        query.write_text(args[1] + "\n")
        args = ["query", str(query), "-q", "--data", str(data), *args[2:]]
    else:
        args = [*args, str(data)]
    piped = _run_on("pipe", *args)
    shown = _run_on("terminal", *args)
    assert b"\x1b" in piped and "\u202e".encode() in piped  # the data, as it is
    import subprocess
    import sys

    out = tmp_path / "out"
    kg = str(Path(sys.executable).with_name("kg"))
    subprocess.run([kg, *args, "--out", str(out)], check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == piped
    assert b"\x1b" not in shown and "\u202e".encode() not in shown and b"\x07" not in shown
    assert b"\\x1b]0;owned\\x07 \\u202egnp.exe" in shown
    assert shown == piped.decode("utf-8").replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace(
        "\u202e", "\\u202e"
    ).encode("utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("rdf_format", ["xml", "turtle", "jsonld", "nt"])
def test_export_gives_the_same_bytes_in_every_process(rdf_format):
    """RDF/XML came out in another order in each process (rdflib's default store lists its triples from a
    set, whose order follows the string hash seed): the same input must give the same bytes."""
    import os
    import subprocess
    import sys

    kg = str(Path(sys.executable).with_name("kg"))
    outputs = {
        subprocess.run(
            [kg, "export", "--format", rdf_format],
            capture_output=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def _lookalike_data(tmp_path):
    folder = tmp_path / "names"
    shutil.copytree(MINI, folder)
    path = folder / "entities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    width = lines[0].count(",")
    lines += [
        "court," + "Tingsra\u0308tt" + ",provider" + "," * (width - 2),  # decomposed: a and a combining diaeresis
        "paypal-lookalike,P\u0430ypal,provider" + "," * (width - 2),  # a Cyrillic a
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_name_is_found_however_its_accents_were_typed(invoke, tmp_path):
    """Issue 20.10: names equal after Unicode normalisation (NFC/NFD) became two entities and kg show picked
    one by how the name was typed. The importer stores names composed (NFC), and lookups compare names
    normalised (NFKC), so both spellings find the one entity."""
    folder = _lookalike_data(tmp_path)
    composed = invoke("show", "Tingsr\u00e4tt", "-d", folder)
    decomposed = invoke("show", "Tingsra\u0308tt", "-d", folder)
    assert composed.exit_code == decomposed.exit_code == EXIT_OK, composed.output
    assert composed.output == decomposed.output
    assert composed.output.startswith("Tingsr\u00e4tt [court]")  # stored composed
    exported = invoke("export", "--format", "nt", folder).output
    assert "Tingsr\u00e4tt" in exported and "Tingsra\u0308tt" not in exported


def test_lookalike_names_are_warned_of(invoke, tmp_path):
    folder = _lookalike_data(tmp_path)
    path = folder / "entities.csv"
    path.write_text(path.read_text(encoding="utf-8") + "court-2,Tingsr\u00e4tt,provider" + ",,,,," + "\n", "utf-8")
    result = invoke("validate", "-d", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert "warning: entity:court schema:name: its name is the same as court-2's once normalised" in result.output
    assert "warning: entity:paypal-lookalike schema:name: its name mixes Cyrillic and Latin letters" in result.output
    ambiguous = invoke("show", "tingsrätt", "-d", folder)
    assert ambiguous.exit_code == EXIT_USAGE
    assert "names several entities: court, court-2; use an identifier" in ambiguous.stderr


def test_kg_query_refuses_every_way_of_writing_a_service_call(invoke, tmp_path):
    """kg query found SERVICE by keyword; Oxigraph's parser also reads trueSERVICE<...>, a prefixed name
    read again as shorter tokens, and text after a `<` that compares: each of these called the server."""
    import socket

    from .test_sparqlscan import CALLS, T

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    try:
        for number, text in enumerate(CALLS):
            query = tmp_path / f"call-{number}.rq"
            query.write_text(text.replace(T, f"http://127.0.0.1:{port}/sparql"), encoding="utf-8")
            result = invoke("query", query)
            assert result.exit_code == EXIT_USAGE, (text, result.output)
            assert "calls another server (SERVICE)" in result.stderr, text
        with pytest.raises(TimeoutError):  # nobody called
            listener.accept()
    finally:
        listener.close()
