"""Loading: any mix of Turtle, N-Triples, JSON-LD, RDF/XML and CSV files into one RDF graph.

This is the one door data comes in by. Every other module takes the :class:`rdflib.Graph` it returns,
so a later back end (a SPARQL endpoint, an on-disk store) only has to produce the same graph shape.
Syntax errors are reported as :class:`~kg.errors.InputError` with the file and line.
"""

from __future__ import annotations

import json
import xml.sax
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import InputError, SourceLocation
from kg.io.csvdata import csv_to_graph, known_entities_query, read_csv_dataset
from kg.io.inputsafety import check_input
from kg.model.namespace import PREFIXES
from kg.model.resources import BUNDLED_DATASET, ONTOLOGY

__all__ = ["RDF_FORMATS", "data_files", "format_of", "load", "load_ontology", "parse_rdf"]

#: File endings understood, and the rdflib parser for each (``csv`` is the interchange format).
RDF_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".csv": "csv",
}


def format_of(path: str | Path) -> str:
    """Return the format of a file from its ending, or raise :class:`InputError`.

    Examples
    --------
    >>> format_of("data/pdkg-data.ttl")
    'turtle'
    >>> format_of("cases/dependencies.csv")
    'csv'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in RDF_FORMATS:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(f"unknown file type {suffix or '(none)'!r}; use one of {known}", SourceLocation(str(path)))
    return RDF_FORMATS[suffix]


def data_files(paths: Sequence[str | Path]) -> list[tuple[str, Path]]:
    """The files behind ``paths`` with the format of each (see :data:`RDF_FORMATS`), checked to exist.

    A folder stands for the data files directly in it (any known ending, sorted by name); a folder that
    holds none is an :class:`InputError`, as is a missing path or a file of an unknown type.

    >>> [fmt for fmt, _ in data_files(["data/csv"])][:2]
    ['csv', 'csv']
    """
    found: list[tuple[str, Path]] = []
    for path in map(Path, paths):
        if not path.exists():
            raise InputError("no such file or folder", SourceLocation(str(path)))
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in RDF_FORMATS and p.is_file())
            if not inside:
                known = ", ".join(sorted(RDF_FORMATS))
                raise InputError(f"holds no data files (endings {known})", SourceLocation(str(path)))
            found.extend((format_of(p), p) for p in inside)
            continue
        if not path.is_file():
            raise InputError("not a file", SourceLocation(str(path)))
        found.append((format_of(path), path))
    return found


def _first_bad_ntriples_line(path: Path) -> int | None:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    Graph().parse(data=line, format="nt")
                except Exception:
                    return number
    return None


def parse_rdf(graph: Graph, path: Path, rdf_format: str) -> None:
    """Parse one RDF file into ``graph``, turning parser failures into an :class:`InputError`."""
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", SourceLocation(str(path)))
    check_input(path, rdf_format)
    try:
        graph.parse(path, format=rdf_format)
    except BadSyntax as error:
        why = getattr(error, "_why", None) or str(error).splitlines()[0]
        raise InputError(f"Turtle syntax error: {why}", SourceLocation(str(path), error.lines + 1)) from None
    except ParserError as error:
        line = _first_bad_ntriples_line(path) if rdf_format == "nt" else None
        raise InputError(f"syntax error: {error}", SourceLocation(str(path), line)) from None
    except json.JSONDecodeError as error:
        raise InputError(f"JSON syntax error: {error.msg}", SourceLocation(str(path), error.lineno)) from None
    except xml.sax.SAXParseException as error:
        message = f"XML syntax error: {error.getMessage()}"
        raise InputError(message, SourceLocation(str(path), error.getLineNumber())) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", SourceLocation(str(path))) from None
    except OSError as error:
        raise InputError(error.strerror or str(error), SourceLocation(str(path))) from None
    except Exception as error:
        raise InputError(f"cannot parse as {rdf_format}: {error}", SourceLocation(str(path))) from None


def load_ontology() -> Graph:
    """Return a new graph holding the ontology (classes, properties, the service vocabulary)."""
    graph = Graph()
    graph.parse(ONTOLOGY, format="turtle")
    return graph


def load(paths: Sequence[str | Path] | None = None, *, ontology: bool = True) -> Graph:
    """Load files into one graph: RDF in any supported syntax plus CSV interchange files.

    Parameters
    ----------
    paths : files or folders; a folder stands for the data files in it. ``None`` or empty loads the
        bundled curated dataset.
    ontology : also load the ontology, so the graph carries the vocabulary and class hierarchy.

    CSV rows may refer to entities defined in the RDF files given alongside them.

    Examples
    --------
    >>> graph = load()
    >>> from kg.model.namespace import PD, RDF
    >>> len(set(graph.subjects(RDF.type, PD.Dependency))) > 0
    True
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if ontology:
        graph.parse(ONTOLOGY, format="turtle")
    csv_files: list[Path] = []
    for rdf_format, path in data_files(paths or [BUNDLED_DATASET]):
        if rdf_format == "csv":
            csv_files.append(path)
        else:
            parse_rdf(graph, path, rdf_format)
    if csv_files:
        known = {str(row[0]) for row in graph.query(known_entities_query())}
        graph += csv_to_graph(read_csv_dataset(csv_files), known_entities=known)
    return graph
