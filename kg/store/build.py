"""Building a store from files, and publishing it only when it is complete.

A build writes into a fresh folder beside its destination (``.build-<key>-<pid>``) and renames it into
place as its last step; a rename is atomic, so a build killed at any point (SIGKILL, a full disk,
Ctrl-C) leaves at worst a stray build folder, removed by the next build, and never a half-built store.

CSV files take the fast path: they are converted row by row to N-Triples on one thread while
pyoxigraph bulk-loads the previous chunk on another, and their column tables are collected as they
are converted, so no RDF is parsed back. Other RDF goes into the store with pyoxigraph's own parsers;
its tables are then read back with SPARQL (:mod:`kg.store.extract`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.io.inputsafety import check_input
from kg.io.outputs import remove_orphans
from kg.store.keys import STORE_FORMAT

__all__ = ["BuildReport", "Progress", "build_store", "publish"]

#: Triples per bulk-load chunk: pyoxigraph's memory grows with the chunk (about 1 GB at a million).
CHUNK_TRIPLES = 250_000

#: ``progress(step, done, total)``: called as a build advances (``total`` may be ``None``).
Progress = Callable[[str, int, "int | None"], None]  # as kg.model.progress.Progress

_SYNTAX_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON", "xml": "XML"}
_OX_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "json-ld": "JSON_LD",
    "xml": "RDF_XML",
}


@dataclass
class BuildReport:
    """What a build loaded."""

    triples: int
    dependencies: int
    actors: int
    seconds: float


def _no_progress(step: str, done: int, total: int | None) -> None:
    return None


def _ox():
    import pyoxigraph

    return pyoxigraph


def _load_rdf(store, path: Path, rdf_format: str, graph=None) -> None:
    ox = _ox()
    check_input(path, rdf_format)
    try:
        store.bulk_load(path=str(path), format=getattr(ox.RdfFormat, _OX_FORMATS[rdf_format]), to_graph=graph)
    except SyntaxError as error:
        detail = re.sub(r"^Parser error (at|between) line \d+ ", "", str(error.msg))
        label = _SYNTAX_NAMES[rdf_format]
        raise InputError(f"{label} syntax error: {detail}", SourceLocation(str(path), error.lineno)) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", SourceLocation(str(path))) from None
    except ValueError as error:
        raise InputError(f"cannot parse as {rdf_format}: {error}", SourceLocation(str(path))) from None
    except MemoryError as error:  # pyoxigraph's parsers hold one token (a literal, an IRI) of at most 16 MiB
        raise InputError(
            f"a term too long to read ({error}): a literal or IRI of more than 16 MiB", SourceLocation(str(path))
        ) from None


def _known_entities(store) -> set[str]:
    from kg.io.csvdata import known_entities_query

    return {solution["i"].value for solution in store.query(known_entities_query())}


def _stream_csv(store, csv_files: list[Path], known: set[str], add, progress: Progress) -> int:
    """Convert CSV files on this thread while another bulk-loads the chunks; return the triple count."""
    from kg.io.csvdata import stream_csv_to_ntriples

    ox = _ox()
    chunks: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []
    stop = threading.Event()
    loaded = [0]

    def load() -> None:
        while (chunk := chunks.get()) is not None:
            if stop.is_set():
                continue
            try:
                store.bulk_load(chunk[0], format=ox.RdfFormat.N_TRIPLES, lenient=True)
                loaded[0] += chunk[1]
                progress("loading triples", loaded[0], None)
            except BaseException as error:
                failure.append(error)
                stop.set()

    loader = threading.Thread(target=load, name="pdkg-bulk-load", daemon=True)
    loader.start()
    lines: list[str] = []

    def flush() -> None:
        if lines:
            chunks.put(("".join(lines).encode("utf-8"), len(lines)))
            lines.clear()

    def write(line: str) -> None:
        if stop.is_set():
            raise failure[0] if failure else KeyboardInterrupt
        lines.append(line)
        if len(lines) >= CHUNK_TRIPLES:
            flush()

    try:
        conversion = stream_csv_to_ntriples(csv_files, write, known_entities=known, on_record=add)
        flush()
    finally:
        chunks.put(None)
        loader.join()
    if failure:
        raise failure[0]
    return conversion.triples


def build_store(inputs: Sequence[tuple[str, Path]], folder: Path, progress: Progress | None = None) -> BuildReport:
    """Build a complete store from ``inputs`` (pairs of role and path) into the empty ``folder``."""
    from kg.model.namespace import ONTOLOGY_IRI
    from kg.model.resources import ONTOLOGY
    from kg.model.vocabulary import vocabulary
    from kg.store.extract import extract_records, find_faults
    from kg.store.factsjson import SMALL, dump_facts
    from kg.store.tablebuilder import TablesBuilder

    ox = _ox()
    progress = progress or _no_progress
    started = time.perf_counter()
    vocab = vocabulary()
    store = ox.Store(str(folder / "oxigraph"))
    try:
        _load_rdf(store, ONTOLOGY, "turtle", ox.NamedNode(str(ONTOLOGY_IRI)))
        ontology_triples = len(store)
        rdf_files = [(role.split(":", 1)[1], path) for role, path in inputs if role.startswith("rdf:")]
        csv_files = [path for role, path in inputs if role.startswith("csv:")]
        for rdf_format, path in rdf_files:
            progress(f"loading {path.name}", 0, None)
            _load_rdf(store, path, rdf_format)
        builder = TablesBuilder(sorted(vocab.services))
        triples = 0
        if csv_files:
            known = _known_entities(store) if rdf_files else set()
            collect = None if rdf_files else builder.add
            triples += _stream_csv(store, csv_files, known, collect, progress)
        faults = ("", 0)
        if rdf_files or not csv_files:
            progress("reading records", 0, None)
            extract_records(store, vocab, builder.add)
            faults = find_faults(store)  # CSV input is checked as it is converted
        progress("packing tables", 0, None)
        tables = builder.finish()
        store.flush()
        tables.save(folder)
        if tables.dependency_count <= SMALL:
            dump_facts(tables.to_facts(), folder / "facts.json")
        triples = len(store) - ontology_triples if rdf_files else triples
    finally:
        del store
        gc.collect()
    report = BuildReport(triples, tables.dependency_count, len(tables.actor_id), time.perf_counter() - started)
    files = {entry.name: entry.stat().st_size for entry in os.scandir(folder) if entry.is_file()}
    meta = {
        "format": STORE_FORMAT,
        "inputs": [[role, str(path)] for role, path in inputs],
        "triples": report.triples,
        "dependencies": report.dependencies,
        "actors": report.actors,
        "seconds": round(report.seconds, 3),
        "faults": list(faults),
        "files": files,  # each file's size, checked when the store is opened (kg.store.dataset.Dataset.check)
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return report


def remove_stale_builds(root: Path) -> list[Path]:
    """Remove the build folders (``.build-KEY-PID``) of builds whose process is gone (killed mid-way); return
    them. Nothing else under ``root`` is touched."""
    return remove_orphans(root, re.compile(r"\.build-[0-9a-f]+-(\d+)"))


def publish(
    inputs: Sequence[tuple[str, Path]], root: Path, key: str, progress: Progress | None = None
) -> tuple[Path, BuildReport | None]:
    """The store of ``key`` under ``root``, built first if it is not there; returns it and the build report.

    Nothing under ``root/key`` is ever incomplete: the build happens in a sibling folder renamed into
    place at the end. If another process publishes the same key first, its store is used.
    """
    target = root / key
    if (target / "meta.json").is_file():
        return target, None
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_builds(root)
        building = root / f".build-{key}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
    except OSError as error:
        raise InputError(f"cannot create the store: {error.strerror or error}", SourceLocation(str(root))) from None
    try:
        report = build_store(inputs, building, progress)
        try:
            os.rename(building, target)
        except OSError:
            if not (target / "meta.json").is_file():
                shutil.rmtree(target, ignore_errors=True)
                os.rename(building, target)
    except OSError as error:
        raise InputError(f"cannot build the store: {error.strerror or error}", SourceLocation(str(root))) from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(building, ignore_errors=True)
    return target, report
