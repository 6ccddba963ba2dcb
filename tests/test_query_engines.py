"""Every shipped query gives the same answer on four engines: rdflib, pyoxigraph, a real Oxigraph server
and a real Virtuoso server (both on 127.0.0.1), bound the portable way (values in WHERE), in the same
order. rdflib's answers are checked against the Python engine in test_queries.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.model.namespace import data_iri
from kg.sparql.queries import available_queries, bind_in_where, read_query, run_query_on_endpoint, run_query_on_store

from .servers import Oxigraph, Virtuoso
from .test_queries import _example_terms

pytestmark = [pytest.mark.server]

KG = str(Path(sys.executable).with_name("kg"))
GRAPH = "https://w3id.org/pdkg/graph"
DAY = Literal("2021-01-07", datatype=XSD.date)

#: Beyond each header's example: other parameter values, and the optional ones left out.
EXTRA = {
    "dependencies-of": [
        {"dependent": data_iri("entity", "parler")},
        {"dependent": data_iri("entity", "wikileaks"), "asOf": Literal("2010-12-05", datatype=XSD.date)},
    ],
    "dependents-of": [{"provider": data_iri("entity", "cloudflare")}],
    "direct-dependencies": [{}],
    "direct-exit": [{"provider": data_iri("entity", "voxility"), "asOf": Literal("2019-08-04", datatype=XSD.date)}],
    "provider-concentration": [{}],
    "single-provider-dependencies": [{}],
    "dependents-transitive": [{"provider": data_iri("entity", "aws")}],
    "timeline": [{"platform": data_iri("entity", "wikileaks")}],
}


CASES = [
    (name, bindings)
    for name in available_queries()
    for bindings in [_example_terms(read_query(name)), *EXTRA.get(name, [])]
]


def _numeric(datatype: str) -> bool:
    return datatype.rsplit("#", 1)[-1] in ("integer", "int", "long", "short", "decimal", "nonNegativeInteger")


def _term(term) -> str:
    """A term engine-neutrally: IRIs in brackets, literals as lexical form and datatype, integers by
    value (engines differ in which integer type a COUNT has), plain strings without xsd:string."""
    if term is None:
        return ""
    kind = type(term).__name__
    if kind in ("URIRef", "NamedNode"):
        return f"<{term}>" if kind == "URIRef" else f"<{term.value}>"
    rdflib_term = type(term).__module__.startswith("rdflib")
    value = str(term) if rdflib_term else term.value  # the lexical form (rdflib's .value is a Python object)
    datatype = getattr(term, "datatype", None)
    datatype = "" if datatype is None else (datatype.value if hasattr(datatype, "value") else str(datatype))
    if datatype and _numeric(datatype):
        return f"{int(value)}"
    if datatype.endswith("#string"):
        datatype = ""
    if datatype.endswith("#dateTime"):  # rdflib writes UTC as +00:00, the others keep Z
        import datetime as dt

        value = dt.datetime.fromisoformat(value).isoformat()
    return f'"{value}"^^{datatype}' if datatype else f'"{value}"'


def _rdflib_rows(result) -> list:
    if result.type == "CONSTRUCT":
        return sorted(" ".join(_term(t) for t in triple) for triple in result)
    return [tuple(_term(row[v]) for v in result.vars) for row in result]


def _oxigraph_rows(result) -> list:
    import pyoxigraph
    from rdflib import Graph

    if isinstance(result, Graph):
        return _rdflib_rows(result.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    if isinstance(result, pyoxigraph.QueryTriples):
        return sorted(
            " ".join(_term(t) for t in (triple.subject, triple.predicate, triple.object)) for triple in result
        )
    names = [variable.value for variable in result.variables]
    return [tuple(_term(solution[name]) for name in names) for solution in result]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """The four engines, each holding the bundled data with the ontology."""
    from kg.io.loading import load
    from kg.sparql.client import RemoteEndpoint
    from kg.store.dataset import open_dataset

    folder = tmp_path_factory.mktemp("engines")
    everything = folder / "pdkg.nt"
    exported = subprocess.run(
        [KG, "export", "--with-ontology", "--format", "nt", "--out", str(everything)], capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    oxigraph = Oxigraph(folder / "oxigraph")
    virtuoso = Virtuoso(folder / "virtuoso")
    try:
        pushed = subprocess.run([KG, "push", "-q", "--endpoint", oxigraph.base], capture_output=True, text=True)
        assert pushed.returncode == 0, pushed.stderr
        virtuoso.load(everything, GRAPH)
        graph, dataset = load(), open_dataset()
        yield {
            "rdflib": lambda query, bindings: _rdflib_rows(graph.query(bind_in_where(query.text, bindings))),
            "pyoxigraph": lambda query, bindings: _oxigraph_rows(run_query_on_store(dataset, query, **bindings)),
            "oxigraph-server": lambda query, bindings: _oxigraph_rows(
                run_query_on_endpoint(RemoteEndpoint(f"{oxigraph.base}/query", GRAPH), query, **bindings)
            ),
            "virtuoso": lambda query, bindings: _oxigraph_rows(
                run_query_on_endpoint(RemoteEndpoint(virtuoso.url, GRAPH), query, **bindings)
            ),
        }
    finally:
        oxigraph.stop()
        virtuoso.stop()


@pytest.mark.parametrize("engine", ["pyoxigraph", "oxigraph-server", "virtuoso"])
@pytest.mark.parametrize(
    ("name", "bindings"), CASES, ids=[f"{n}-{'-'.join(sorted(b)) or 'none'}-{i}" for i, (n, b) in enumerate(CASES)]
)
def test_every_engine_gives_rdflibs_answer_in_the_same_order(engines, engine, name, bindings):
    query = read_query(name)
    expected = engines["rdflib"](query, bindings)
    assert engines[engine](query, bindings) == expected
    example = query.header["example"]
    if bindings == _example_terms(query) and "rows" in example:  # the example is no empty answer by accident
        assert len(expected) == example["rows"]
