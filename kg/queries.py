"""The shipped SPARQL queries (``queries/*.rq``): reading them with their documentation, and running them.

Each file opens with comment lines ``# Purpose:``, ``# Parameters:`` and ``# Returns:``. Parameters are
passed as bindings (never pasted into the query text), so a user's value cannot change the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Variable
from rdflib.query import Result

from kg.errors import InputError, UnknownNameError
from kg.resources import QUERIES

__all__ = [
    "Query",
    "available_queries",
    "bind_in_where",
    "derive_direct",
    "read_query",
    "run_query",
    "run_query_on_store",
]


@dataclass(frozen=True)
class Query:
    """A query file with its header documentation."""

    name: str
    path: Path
    text: str
    purpose: str
    parameters: str
    returns: str

    @property
    def variables(self) -> set[str]:
        """The parameter names (``?asOf``...) the header documents."""
        return set(re.findall(r"\?(\w+)", self.parameters))


def _header_field(text: str, label: str) -> str:
    lines = text.splitlines()
    collected, inside = [], False
    for line in lines:
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith(f"{label}:"):
            inside = True
            collected.append(body[len(label) + 1 :].strip())
        elif inside and body and not re.match(r"^[A-Z][a-z]+:", body):
            collected.append(body)
        else:
            inside = False
    return " ".join(collected)


def available_queries() -> list[str]:
    """Names of the shipped queries, e.g. ``['cut-offs', 'dependencies-by-service', ...]``."""
    return sorted(path.stem for path in QUERIES.glob("*.rq"))


def read_query(name: str) -> Query:
    """Read the query called ``name`` (file stem) with its header."""
    path = QUERIES / f"{name}.rq"
    if not path.is_file():
        import difflib

        raise UnknownNameError("query", name, difflib.get_close_matches(name, available_queries(), n=3))
    text = path.read_text(encoding="utf-8")
    return Query(
        name=name,
        path=path,
        text=text,
        purpose=_header_field(text, "Purpose"),
        parameters=_header_field(text, "Parameters"),
        returns=_header_field(text, "Returns"),
    )


def _query_for(name: str, bindings: dict) -> Query:
    """The shipped query ``name``, after checking that it takes every parameter in ``bindings``."""
    query = read_query(name)
    unknown = set(bindings) - query.variables
    if unknown:
        raise InputError(f"query {name!r} takes no parameter(s) {', '.join(sorted(unknown))}")
    return query


def run_query(graph: Graph, name: str, **bindings) -> Result:
    """Run a shipped query on ``graph`` with parameters bound to rdflib terms.

    Examples
    --------
    >>> from kg.loading import load
    >>> rows = run_query(load(), "dependencies-by-service")
    >>> any(str(row.service) == "hosting" for row in rows)
    True
    """
    query = _query_for(name, bindings)
    return graph.query(query.text, initBindings={Variable(k): v for k, v in bindings.items()})


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_in_where(text: str, bindings: dict) -> str:
    """The query with ``bindings`` (variable name -> rdflib term) as a ``VALUES`` block opening its WHERE.

    This is the form of binding every SPARQL engine honours, unlike engine-specific initial bindings:
    the values join the whole group, so FILTERs in it see them. Values are written as RDF terms by
    rdflib (IRIs checked, literals escaped), never pasted as text.

    >>> from rdflib import Literal
    >>> print(bind_in_where("SELECT * WHERE { ?s ?p ?o }", {"o": Literal("x")}))
    SELECT * WHERE { VALUES (?o) { ("x") } ?s ?p ?o }
    """
    if not bindings:
        return text
    body = "\n".join(" " * len(line) if line.lstrip().startswith("#") else line for line in text.split("\n"))
    match = _WHERE.search(body)
    if match is None:
        raise InputError("the query has no WHERE clause to bind parameters in")
    names = sorted(bindings)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(bindings[n].n3() for n in names)}) }}"
    return text[: match.end()] + block + text[match.end() :]


def run_query_on_store(dataset, name: str, **bindings):
    """Run a shipped query on a dataset's store (pyoxigraph) with parameters bound as in :func:`run_query`.

    Returns pyoxigraph's result (solutions, a boolean, or triples).
    """
    query = _query_for(name, bindings)
    return dataset.query(bind_in_where(query.text, bindings))


def derive_direct(graph: Graph, as_of=None) -> Graph:
    """Return the shortcut triples (``pd:hostedBy``...) of ``queries/direct-dependencies.rq``.

    ``graph`` must hold the ontology too (it says which shortcut each service has).
    """
    result = run_query(graph, "direct-dependencies", **({"asOf": as_of} if as_of is not None else {}))
    derived = Graph()
    for triple in result:
        derived.add(triple)
    return derived
