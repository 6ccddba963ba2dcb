"""``kg import``: CSV interchange files and web measurements to one RDF file, validated before it is written.

The converters write N-Triples lines as they read (:func:`kg.io.csvdata.stream_csv_to_ntriples`,
:func:`kg.io.webdep.stream_webdep`) into a temporary file; the SHACL shapes run as SPARQL checks on a
temporary store of it (:mod:`kg.validation.sparql`, the verdicts of pySHACL); only data that conforms reaches
the output, written atomically. N-Triples output is the sorted, distinct lines, never an rdflib graph;
the other syntaxes are serialised by :func:`kg.io.export.serialize` from a graph of the checked lines.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.model.progress import Progress

__all__ = ["ImportResult", "import_data"]


@dataclass
class ImportResult:
    """What :func:`import_data` did."""

    triples: int  # distinct triples converted
    webdep: object | None  # the :class:`kg.io.webdep.ImportReport`, when web measurements were imported
    validation: object | None  # the :class:`kg.validation.ValidationReport`, unless validation was skipped
    written: bool  # False when the data violates a shape (nothing was written)


def import_data(
    csv_files: Sequence[str | Path] = (),
    *,
    out: str | Path,
    webdep: str | Path | None = None,
    rdf_format: str = "turtle",
    validate: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Convert ``csv_files`` (files or folders in the interchange format) and the ``webdep`` measurement
    folder to RDF in ``out`` (``rdf_format``: turtle, nt, jsonld or xml).

    With ``validate`` (the default) the result is checked against the shapes first; if it violates one,
    nothing is written and :attr:`ImportResult.written` is False. Raises
    :class:`~kg.errors.InputError` for unreadable or malformed input (naming the file and line) and an
    output folder that does not exist or an ``out`` that is one of the inputs; the previous ``out`` is then
    left as it was. The same input
    always gives the same bytes.
    """
    from kg.errors import InputError, SourceLocation
    from kg.io.export import EXPORT_FORMATS
    from kg.io.outputs import private_folder, refuse_inputs

    if rdf_format not in EXPORT_FORMATS:
        raise InputError(f"unknown format {rdf_format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    from kg.io.csvdata import csv_paths

    inputs = [*csv_paths(csv_files), *([webdep] if webdep is not None else [])]  # what is read, not more
    refuse_inputs(out, inputs)
    work = private_folder("pdkg-import")
    try:
        return _import(csv_files, out, webdep, rdf_format, validate, progress, work, inputs)
    except OSError as error:  # the work files: a full disk, a file size limit
        where = SourceLocation(str(error.filename or work))
        raise InputError(f"cannot write the work files: {error.strerror or error}", where) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _import(csv_files, out, webdep, rdf_format, validate, progress, work: Path, inputs: list) -> ImportResult:
    """:func:`import_data`'s work, its temporary files in ``work``."""
    from kg.io.csvdata import stream_csv_to_ntriples
    from kg.io.outputs import write_output

    converted = work / "data.nt"
    webdep_report = None
    with converted.open("w", encoding="utf-8") as handle:
        if webdep is not None:
            from kg.io.webdep import stream_webdep

            webdep_report = stream_webdep(webdep, handle.write)
        if csv_files:
            stream_csv_to_ntriples(csv_files, handle.write)
    validation = None
    if validate:
        from kg.store.dataset import open_dataset
        from kg.validation import validate_dataset

        dataset = open_dataset([converted], store=work / "store", progress=progress)
        validation = validate_dataset(dataset, engine="sparql", progress=progress)
        del dataset  # closes the store before its folder goes
        if not validation.conforms:
            return ImportResult(0, webdep_report, validation, written=False)
    lines = sorted({line for line in converted.read_text(encoding="utf-8").splitlines() if line.strip()})
    if rdf_format == "nt":
        data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    else:
        data = _serialize_lines(lines, rdf_format)
    write_output(out, data, inputs=inputs)
    return ImportResult(len(lines), webdep_report, validation, written=True)


def _serialize_lines(lines: list[str], rdf_format: str) -> bytes:
    from rdflib import Graph

    from kg.io.export import serialize
    from kg.model.namespace import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if lines:
        graph.parse(data="\n".join(lines) + "\n", format="nt")
    return serialize(graph, rdf_format)
