"""The rows of a SPARQL SELECT on a pyoxigraph store, as plain terms, read fast.

Reading solution objects one by one costs a Python call per cell; the store serialises the whole result
as SPARQL TSV instead (Turtle syntax for terms), and :func:`select_rows` parses it line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["Term", "select_rows"]


class Term(NamedTuple):
    """An RDF term read from a query result: an IRI, a blank node or a literal (lexical form, datatype)."""

    value: str
    datatype: str | None = None
    blank: bool = False


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _SIMPLE.get(code, code)


def _term(cell: str) -> Term | None:
    """Parse one cell of SPARQL TSV results (Turtle syntax for terms)."""
    if not cell:
        return None
    if cell[0] == "<":
        return Term(cell[1:-1])
    if cell.startswith("_:"):
        return Term(cell, blank=True)
    if cell[0] == '"':
        end = cell.rindex('"')
        body, suffix = cell[1:end], cell[end + 1 :]
        if "\\" in body:
            body = _ESCAPE.sub(_unescape, body)
        return Term(body, suffix[3:-1] if suffix.startswith("^^<") else None)
    return Term(cell)  # a bare number or boolean


def select_rows(store, query: str) -> Iterator[list[Term | None]]:
    """The solutions of a SELECT query, serialised to TSV by the store and parsed here (much faster than
    reading solution objects one by one)."""
    import pyoxigraph

    text = store.query(query).serialize(format=pyoxigraph.QueryResultsFormat.TSV).decode("utf-8")
    lines = text.split("\n")
    for line in lines[1:]:
        if line:
            yield [_term(cell) for cell in line.split("\t")]
