"""What an input file may not make the tool do: open a connection, read another file, or expand without bound.

RDF syntaxes can ask a parser to fetch or read things: a JSON-LD ``@context`` given as an address, an XML
entity that names another file (XXE), entities defined by other entities, nested until a small file
expands to gigabytes ("billion laughs"). Files are checked here before any parser sees them, and such a
file is refused with an :class:`~kg.errors.InputError` naming the file, the line and what it asked for.
What stays allowed: JSON-LD with its context inline, and RDF/XML whose document type declares plain
entities for namespaces, as Protégé writes them (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.errors import InputError, SourceLocation

__all__ = ["DEPTH_LIMIT", "EXPANSION_LIMIT", "check_input", "check_jsonld", "check_rdfxml"]

#: The most characters the entities of an RDF/XML file may add when expanded.
EXPANSION_LIMIT = 16 * 1024 * 1024

#: The deepest nesting of elements read in RDF/XML (the parser's time grows with the square of the depth:
#: 40,000 levels take 23 s; real files nest a few dozen).
DEPTH_LIMIT = 1000

_DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s]+)\s+(.*?)>", re.DOTALL)
_VALUE = re.compile(rb"""^("([^"]*)"|'([^']*)')\s*$""", re.DOTALL)
_NAMED_REFERENCE = re.compile(rb"&[A-Za-z_:][\w.:-]*;")
_HEAD = 1024 * 1024  # the document type declaration must be within the first MiB


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_rdfxml(path: Path) -> None:
    """Refuse an RDF/XML file whose document type declares external, parameter or nested entities, or
    whose entities would expand by more than :data:`EXPANSION_LIMIT` characters."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    doctype = _DOCTYPE.search(head)
    if doctype is None:
        if b"<!ENTITY" in head:
            raise InputError("a document type declaration this tool cannot check", SourceLocation(str(path)))
    else:
        _check_entities(path, head, doctype)
    _check_depth(path, entities_checked=doctype is not None)


class _TooDeep(Exception):
    pass


def _check_depth(path: Path, *, entities_checked: bool) -> None:
    """Refuse elements nested deeper than :data:`DEPTH_LIMIT` (read by expat, which has no such cost),
    and entity declarations that were not checked (a document type declaration past the first MiB)."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    depth = [0]

    def declared(name, *_rest):
        if not entities_checked:
            raise _TooDeep(parser.CurrentLineNumber, f"an entity ({name!r}) declared past the first MiB: not read")

    def start(_name, _attributes):
        depth[0] += 1
        if depth[0] > DEPTH_LIMIT:
            raise _TooDeep(parser.CurrentLineNumber)

    def end(_name):
        depth[0] -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.EntityDeclHandler = declared
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_HEAD):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TooDeep as deep:
        line, *why = deep.args
        message = why[0] if why else f"elements nested more than {DEPTH_LIMIT:,} deep: not read"
        raise InputError(message, SourceLocation(str(path), line)) from None
    except xml.parsers.expat.ExpatError:
        return  # malformed: the RDF/XML parser says where


def _check_entities(path: Path, head: bytes, doctype: re.Match) -> None:
    """Refuse external, parameter and nested entities, and entities that would expand too far."""
    values: dict[bytes, int] = {}
    for entity in _ENTITY.finditer(doctype.group(1)):
        where = SourceLocation(str(path), _line(head, doctype.start(1) + entity.start()))
        name = entity.group(2).decode("utf-8", "replace")
        if entity.group(1):
            raise InputError(f"parameter entity {name!r} is not read (nothing in a file may load more)", where)
        value = _VALUE.match(entity.group(3).strip())
        if value is None:
            raise InputError(
                f"entity {name!r} names another file or resource (an external entity): it is not read", where
            )
        text = value.group(2) if value.group(2) is not None else value.group(3)
        if _NAMED_REFERENCE.search(text):
            raise InputError(
                f"entity {name!r} is made of other entities: nested entities are not expanded "
                "(a file must not grow without bound when read)",
                where,
            )
        values[b"&" + entity.group(2) + b";"] = len(text)
    if not values:
        return
    added = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HEAD), b""):
            for reference in _NAMED_REFERENCE.findall(chunk):  # a reference split between chunks is missed
                added += values.get(reference, 0)
            if added > EXPANSION_LIMIT:
                raise InputError(
                    f"its entities would expand to more than {EXPANSION_LIMIT // 1024 // 1024} MiB: not read",
                    SourceLocation(str(path)),
                )


def _remote_context(node) -> str | None:
    """The first ``@context`` in a JSON-LD document that is an address (not inline), or ``None``."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            context = item.get("@context")
            for entry in context if isinstance(context, list) else [context]:
                if isinstance(entry, str):
                    return entry
                if isinstance(entry, dict) and isinstance(entry.get("@import"), str):
                    return entry["@import"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def check_jsonld(path: Path) -> None:
    """Refuse a JSON-LD file whose ``@context`` (or ``@import``) is an address: it is never fetched."""
    try:
        document = json.loads(path.read_bytes())
    except json.JSONDecodeError as error:
        raise InputError(f"JSON syntax error: {error.msg}", SourceLocation(str(path), error.lineno)) from None
    except (UnicodeDecodeError, RecursionError):
        return  # the parser reports it
    address = _remote_context(document)
    if address is not None:
        raise InputError(
            f"JSON-LD @context {address[:80]!r} is an address: it is not fetched (nothing in a file may make kg "
            "open a connection or read another file); put the context in the file",
            SourceLocation(str(path)),
        )


def check_input(path: Path, rdf_format: str) -> None:
    """Check an RDF file of ``rdf_format`` (``xml``, ``json-ld``, ...) before it is parsed (see the module)."""
    if rdf_format == "xml":
        check_rdfxml(path)
    elif rdf_format == "json-ld":
        check_jsonld(path)
