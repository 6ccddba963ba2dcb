"""Serialising graphs to Turtle, N-Triples, JSON-LD or RDF/XML.

Output is deterministic: the same graph gives the same bytes, whatever order its triples were added
in, so generated files can be committed and compared (:mod:`kg.outputs` writes them).
"""

from __future__ import annotations

import json

from rdflib import Graph

from kg.errors import InputError
from kg.namespace import PREFIXES

__all__ = ["EXPORT_FORMATS", "serialize", "with_prefixes"]

#: Format names accepted by :func:`serialize`, and the rdflib serialiser for each.
EXPORT_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "pretty-xml"}


def with_prefixes(graph: Graph) -> Graph:
    """Return ``graph`` with the project's prefixes bound (in place)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def serialize(graph: Graph, rdf_format: str = "turtle") -> bytes:
    """Serialise ``graph`` in one of :data:`EXPORT_FORMATS`, deterministically.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> g = Graph()
    >>> g.add((URIRef("http://e/b"), URIRef("http://e/p"), URIRef("http://e/c")))
    <Graph identifier=... (<class 'rdflib.graph.Graph'>)>
    >>> g.add((URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/c")))
    <Graph identifier=... (<class 'rdflib.graph.Graph'>)>
    >>> print(serialize(g, "nt").decode(), end="")
    <http://e/a> <http://e/p> <http://e/c> .
    <http://e/b> <http://e/p> <http://e/c> .
    """
    if rdf_format not in EXPORT_FORMATS:
        raise InputError(f"unknown format {rdf_format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if rdf_format == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
    if rdf_format == "jsonld":
        # Compact JSON-LD with the project's prefixes as an inline context (no remote context to fetch).
        # rdflib's JSON-LD writer follows the graph's internal order, so nodes and values are re-sorted.
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
        nodes = document.get("@graph", []) if "@graph" in document else [document] if len(document) > 1 else []
        for node in nodes:
            node.pop("@context", None)
            for key, values in node.items():
                if isinstance(values, list):
                    node[key] = sorted(values, key=lambda value: json.dumps(value, sort_keys=True))
        nodes.sort(key=lambda node: node.get("@id", ""))
        result = {"@context": context, "@graph": nodes}
        return (json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    # rdflib's writers follow the store's insertion order: rebuild the graph in sorted order first.
    ordered = with_prefixes(Graph())
    for triple in sorted(graph, key=lambda t: tuple(term.n3() for term in t)):
        ordered.add(triple)
    return ordered.serialize(format=EXPORT_FORMATS[rdf_format], encoding="utf-8")
