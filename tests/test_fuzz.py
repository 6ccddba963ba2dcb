"""Fuzzing with hypothesis: the CSV reader and importer, the RDF loader path, the scenario parser, dates
and regions, the name resolver and kg query parameters. On any input each either answers or raises the
library's :class:`~kg.errors.InputError` (a one-line message, exit 2 on the command line): never anything
else. ``KG_FUZZ_EXAMPLES`` sets the examples per target (CI runs the default; a long session is reported
in the README)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError

pytestmark = [pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "60"))
MINI = Path(__file__).resolve().parent / "data" / "mini"
fuzz = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))

# Text as hostile input holds it: any code point (but lone surrogates, which no file can hold), with
# the characters that matter to CSV, Turtle, SPARQL and terminals drawn more often.
SPECIAL = list(",;\"'\n\r\t<>{}#@^\\:/.-_=+%&?$ \x00\x1b\u202e")
hostile = st.text(alphabet=st.characters(exclude_categories=("Cs",)) | st.sampled_from(SPECIAL), max_size=60)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from kg.store.dataset import open_dataset

    os.environ.setdefault("KG_CACHE", str(tmp_path_factory.mktemp("cache")))
    return open_dataset()


@pytest.fixture(scope="module")
def graph(dataset):
    from kg.analysis.graph import build_graph

    return build_graph(dataset.facts, dt.date(2021, 1, 7))


def _csv_folder(table: str, content: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    for path in MINI.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    (folder / f"{table}.csv").write_bytes(content)
    return folder


def _import_csv(folder: Path) -> None:
    from kg.io.csvdata import stream_csv_to_ntriples

    try:
        stream_csv_to_ntriples([folder], lambda line: None)
    except InputError as error:
        assert "\n" not in str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


TABLES = ["entities", "dependencies", "sources", "events", "availability", "outages"]


@fuzz
@given(st.sampled_from(TABLES), st.binary(max_size=400))
def test_csv_bytes(table, content):
    _import_csv(_csv_folder(table, content))


@fuzz
@given(st.sampled_from(TABLES), st.lists(st.lists(hostile, max_size=12), max_size=6), st.booleans())
def test_csv_rows(table, rows, keep_header):
    """Rows of hostile text under the table's real header (or none): quoted as a spreadsheet writes them."""
    import csv
    import io

    header = (
        (MINI / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0] if (MINI / f"{table}.csv").exists() else ""
    )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    text = (header + "\n" if keep_header and header else "") + buffer.getvalue()
    _import_csv(_csv_folder(table, text.encode("utf-8", "surrogatepass")))


@fuzz
@given(st.sampled_from(["turtle", "nt", "json-ld", "xml"]), st.one_of(hostile, st.binary(max_size=300)))
def test_rdf_loader(syntax, content):
    """Whatever a file holds, loading it into a store gives triples or an InputError naming the file."""
    import pyoxigraph

    from kg.store.build import _load_rdf

    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    path = folder / {"turtle": "x.ttl", "nt": "x.nt", "json-ld": "x.jsonld", "xml": "x.rdf"}[syntax]
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    try:
        _load_rdf(pyoxigraph.Store(), path, syntax)
    except InputError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@fuzz
@given(hostile, hostile, st.one_of(st.none(), hostile), hostile, hostile, hostile)
def test_scenario_parser(graph, dependent, provider, service, removed, owner, country):
    from kg.analysis.scenario import make_scenario

    for arguments in (
        {"cuts": [(dependent, provider, service)]},
        {"remove": [removed]},
        {"owners": [owner]},
        {"countries": [country]},
    ):
        with contextlib.suppress(InputError):
            make_scenario(graph, **arguments)


@fuzz
@given(hostile)
def test_dates_and_regions(text):
    from kg.analysis.viewpoint import parse_as_of, parse_region

    for parse in (parse_as_of, parse_region):
        with contextlib.suppress(InputError):
            parse(text)


@fuzz
@given(hostile)
def test_name_resolver(dataset, name):
    from kg.model.names import NameIndex

    try:
        entity = NameIndex(dataset.entities).resolve(name)
    except InputError as error:
        assert "\n" not in str(error).replace("\\n", "")
    else:
        assert entity.identifier in dataset.entities


@fuzz
@given(st.sampled_from(["dependent", "provider", "asOf"]), hostile, st.sampled_from(["parler", "gab", "8chan"]))
def test_query_parameters(dataset, parameter, value, platform):
    """A parameter value reaches the query as a bound term or is refused: the query never changes shape.

    Whatever the value, the answer is the platform's dependencies (all, or those of one date): the rows of
    the same query with the value left out, or fewer."""
    from kg.sparql.queries import parameter_terms, read_query, run_query_on_store

    query = read_query("dependencies-of")
    base = {"dependent": platform}
    everything = {
        str(row["dependency"])
        for row in run_query_on_store(dataset, query, **parameter_terms(query, base, dataset.entities))
    }
    try:
        terms = parameter_terms(query, {**base, parameter: value}, dataset.entities)
    except InputError as error:
        assert "\n" not in str(error)
        return
    rows = {str(row["dependency"]) for row in run_query_on_store(dataset, query, **terms)}
    if parameter == "asOf":
        assert rows <= everything
    else:  # another actor, named some other way: its own dependencies, each of which names it
        for row in run_query_on_store(dataset, query, **terms):
            assert row["provider"] is not None


NAMES = ["parler", "Amazon Web Services", "aws", "gab", "Cloudflare", "8chan", "epik", "us", "alphabet"]
# Mostly valid dates, so that most runs reach the analysis; and hostile text in their place.
days = st.one_of(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(str), hostile)
# Real names, real names made hostile, and hostile text.
scenario_names = st.one_of(st.sampled_from(NAMES), st.tuples(st.sampled_from(NAMES), hostile).map("".join), hostile)


@settings(max_examples=max(10, EXAMPLES // 6), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.sampled_from(["--cut", "--remove", "--owner", "--country"]), scenario_names), max_size=3),
    days,
)
def test_command_line_scenarios(dataset, flags, day):
    """The same through the command line: exit 0 or 2 with one line, never a traceback."""
    from kg.cli import main

    arguments = ["impact", "--quiet", "--as-of", day]
    for flag, value in flags:
        arguments += [flag, f"parler:{value}" if flag == "--cut" else value]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code in (0, 2), (arguments, result.output[-300:])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
