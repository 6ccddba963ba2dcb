"""N-Triples text: terms and lines written directly as strings, with no rdflib objects in between.

Converters that make millions of triples (the CSV interchange format, the web-data importer) write
their output with these functions; the store loads it as it is, and small outputs are parsed back into
an :class:`rdflib.Graph` where a caller wants one. Only IRIs the caller has already checked may be
passed to :func:`iri` (identifiers are validated before they become IRIs).
"""

from __future__ import annotations

from kg.model.namespace import DATA

__all__ = ["data", "iri", "literal", "triple"]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    """The N-Triples form of an IRI.

    >>> iri("https://w3id.org/pdkg/id/entity/parler")
    '<https://w3id.org/pdkg/id/entity/parler>'
    """
    return f"<{value}>"


def data(kind: str, identifier: str) -> str:
    """The N-Triples form of a data node's IRI (as :func:`kg.model.namespace.data_iri`, for a checked
    identifier and kind).

    >>> data("entity", "parler")
    '<https://w3id.org/pdkg/id/entity/parler>'
    """
    return f"<{DATA}{kind}/{identifier}>"


def literal(value: str, datatype: str | None = None) -> str:
    """The N-Triples form of a literal, escaped; ``datatype`` is an IRI (``None``: a plain string).

    >>> literal('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    >>> literal("2021-01-10", "http://www.w3.org/2001/XMLSchema#date")
    '"2021-01-10"^^<http://www.w3.org/2001/XMLSchema#date>'
    """
    text = f'"{value.translate(_ESCAPES)}"'
    return f"{text}^^<{datatype}>" if datatype else text


def triple(subject: str, predicate: str, obj: str) -> str:
    """One N-Triples line from terms already in N-Triples form."""
    return f"{subject} {predicate} {obj} .\n"
