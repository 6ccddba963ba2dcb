"""Serialising graphs to Turtle, N-Triples, JSON-LD or RDF/XML.

Output is deterministic: the same graph gives the same bytes, whatever order its triples were added
in, so generated files can be committed and compared (:mod:`kg.io.outputs` writes them).
"""

from __future__ import annotations

import contextlib
import json

from rdflib import Graph

from kg.errors import InputError
from kg.model.namespace import PREFIXES

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
    # rdflib's writers follow the store's order: rebuild the graph in sorted order first, in a store that
    # keeps it (its default store lists all triples from a set, whose order changes from run to run).
    ordered = with_prefixes(Graph(store="SimpleMemory"))
    for triple in sorted(graph, key=lambda t: tuple(term.n3() for term in t)):
        ordered.add(triple)
    if rdf_format == "xml":
        return _rdfxml(ordered)
    return ordered.serialize(format=EXPORT_FORMATS[rdf_format], encoding="utf-8")


def _rdfxml(graph: Graph) -> bytes:
    """RDF/XML of ``graph``, the same bytes in every run: rdflib's writer names namespaces it has no prefix
    for (``ns1``...) and declares them in the order of a set of predicates, which varies from process to
    process. The names are made here in sorted order first, and the declarations are sorted."""
    from rdflib import RDF

    names = graph.namespace_manager
    for term in sorted({*graph.predicates(), *graph.objects(None, RDF.type)}, key=str):
        with contextlib.suppress(ValueError, KeyError):  # a term no namespace can be made for: rdflib fails alike
            names.compute_qname_strict(str(term))
    lines = graph.serialize(format=EXPORT_FORMATS["xml"], encoding="utf-8").decode("utf-8").split("\n")
    start = lines.index("<rdf:RDF") + 1 if "<rdf:RDF" in lines else len(lines)
    end = start
    while end < len(lines) and lines[end].startswith("  xmlns"):
        end += 1
    lines[start:end] = sorted(lines[start:end])
    return "\n".join(lines).encode("utf-8")
