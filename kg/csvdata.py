"""The CSV interchange format: read analysts' spreadsheets and convert them to RDF, deterministically.

A dataset is a set of CSV files, each one table: ``entities``, ``sources``, ``dependencies``, ``events``
and ``availability``. ``data/README.md`` documents every column. A file is recognised by its name
(``dependencies.csv``) or, failing that, by its header row. Every problem is reported as an
:class:`~kg.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.errors import InputError, SourceLocation, UnknownNameError
from kg.namespace import DCTERMS, PD, PREFIXES, PROV, RDF, RDFS, SCHEMA, WD, XSD, data_iri
from kg.vocabulary import Vocabulary, vocabulary

__all__ = ["TABLES", "CsvDataset", "csv_paths", "csv_to_graph", "read_csv_dataset"]

IDENTIFIER = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
QID = re.compile(r"^Q[1-9][0-9]*$")
_EXTRA = "\0extra"  # DictReader's key for fields beyond the header


@dataclass(frozen=True)
class Table:
    """One kind of CSV file: its required and optional columns."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


#: The tables of the format, in the order they are converted.
TABLES = {
    table.name: table
    for table in (
        Table("sources", ("id", "publisher", "date", "title", "url")),
        Table("entities", ("id", "name", "kind"), ("owner", "country", "homepage", "wikidata", "source")),
        Table(
            "dependencies",
            ("id", "dependent", "provider", "service"),
            ("start", "end", "ended_by", "effect", "source", "note"),
        ),
        Table("events", ("id", "kind", "date", "dependency", "description"), ("source",)),
        Table("availability", ("dependent", "status", "start"), ("end", "source", "note")),
    )
}


@dataclass
class Row:
    """One data row with where it came from."""

    values: dict[str, str]
    location: SourceLocation

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass
class CsvDataset:
    """The rows of every table of a CSV dataset, as read (not yet checked against each other)."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def csv_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the CSV files they hold (sorted), keeping files as given."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            found.append(path)
    return found


def _table_for(path: Path, header: Sequence[str]) -> Table:
    if path.stem.lower() in TABLES:
        return TABLES[path.stem.lower()]
    for table in TABLES.values():
        if set(table.required) <= set(header) <= set(table.columns):
            return table
    names = ", ".join(f"{t.name}.csv" for t in TABLES.values())
    raise InputError(
        f"cannot tell which table this is from its name or header {list(header)}; name it one of {names}",
        SourceLocation(str(path), 1),
    )


def read_csv_dataset(paths: Iterable[str | Path]) -> CsvDataset:
    """Read CSV files (or folders of them) into a :class:`CsvDataset`, checking each header.

    Raises :class:`InputError` for a missing or unreadable file, an unknown table, a missing or unknown
    column, or a row with more fields than the header.
    """
    dataset = CsvDataset()
    for path in csv_paths(paths):
        if not path.is_file():
            raise InputError("no such file", SourceLocation(str(path)))
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle, restkey=_EXTRA)
                header = [name.strip() for name in (reader.fieldnames or [])]
                if not header:
                    raise InputError("empty file: a header row is needed", SourceLocation(str(path), 1))
                reader.fieldnames = header
                table = _table_for(path, header)
                _check_header(table, header, path)
                for values in reader:
                    location = SourceLocation(str(path), reader.line_num)
                    if _EXTRA in values:
                        count = len(header) + len(values[_EXTRA])
                        raise InputError(f"row has {count} fields, header has {len(header)}", location)
                    if not any((value or "").strip() for value in values.values()):
                        continue
                    dataset.rows[table.name].append(Row(values, location))
        except UnicodeDecodeError as error:
            raise InputError(f"not UTF-8 text ({error.reason})", SourceLocation(str(path))) from None
        except csv.Error as error:
            raise InputError(f"malformed CSV: {error}", SourceLocation(str(path))) from None
        except OSError as error:
            raise InputError(error.strerror or str(error), SourceLocation(str(path))) from None
    return dataset


def _check_header(table: Table, header: list[str], path: Path) -> None:
    location = SourceLocation(str(path), 1)
    missing = [c for c in table.required if c not in header]
    if missing:
        raise InputError(f"{table.name} table lacks column(s) {', '.join(missing)}", location)
    for column in header:
        if column not in table.columns:
            close = difflib.get_close_matches(column, table.columns, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known columns: {', '.join(table.columns)}"
            raise InputError(f"unknown column {column!r} in {table.name} table{hint}", location)
    duplicates = {c for c in header if header.count(c) > 1}
    if duplicates:
        raise InputError(f"column(s) {', '.join(sorted(duplicates))} appear twice", location)


class _Converter:
    """Turns checked rows into triples; one instance per conversion."""

    def __init__(self, dataset: CsvDataset, vocab: Vocabulary, known_entities: set[str]) -> None:
        self.dataset = dataset
        self.vocab = vocab
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.ids: dict[str, dict[str, SourceLocation]] = {name: {} for name in TABLES}
        self.known_entities = known_entities

    # -- field parsers -------------------------------------------------------------------------
    def identifier(self, row: Row, column: str, table: str) -> str:
        value = row.get(column)
        if not IDENTIFIER.match(value):
            raise InputError(
                f"{column} {value!r} is not a valid identifier "
                "(lower-case letters and digits, with '-', '.' or '_' inside)",
                row.location,
            )
        if table and value in self.ids[table]:
            raise InputError(f"duplicate {table} id {value!r} (first at {self.ids[table][value]})", row.location)
        if table:
            self.ids[table][value] = row.location
        return value

    def date(self, row: Row, column: str, *, allow_time: bool = False) -> Literal | None:
        value = row.get(column)
        if not value:
            return None
        try:
            if DATE.match(value):
                return Literal(dt.date.fromisoformat(value).isoformat(), datatype=XSD.date)
            if allow_time and DATETIME.match(value):
                parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                return Literal(parsed.isoformat(), datatype=XSD.dateTime)
        except ValueError as error:
            raise InputError(f"bad {column} {value!r}: {error}", row.location) from None
        shape = "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm" if allow_time else "YYYY-MM-DD"
        raise InputError(f"bad {column} {value!r}: expected {shape}", row.location)

    def publication_date(self, row: Row) -> Literal:
        value = row.get("date")
        if re.match(r"^\d{4}-(0[1-9]|1[0-2])$", value):
            return Literal(value, datatype=XSD.gYearMonth)
        if re.match(r"^\d{4}$", value):
            return Literal(value, datatype=XSD.gYear)
        return self.date(row, "date")

    def term(self, row: Row, column: str, table: dict, what: str) -> URIRef | None:
        value = row.get(column).lower()
        if not value:
            return None
        if value not in table:
            raise UnknownNameError(what, value, difflib.get_close_matches(value, list(table), n=3), row.location)
        return table[value]

    def reference(self, row: Row, column: str, table: str, *, required: bool = True) -> URIRef | None:
        value = row.get(column)
        if not value:
            if required:
                raise InputError(f"{column} is empty", row.location)
            return None
        if value not in self.ids[table] and not (table == "entities" and value in self.known_entities):
            known = sorted(self.ids[table].keys() | (self.known_entities if table == "entities" else set()))
            what = {"entities": "entity", "dependencies": "dependency", "sources": "source"}[table]
            raise UnknownNameError(what, value, difflib.get_close_matches(value, known, n=3), row.location)
        kind = {"entities": "entity", "dependencies": "dependency", "sources": "source"}[table]
        return data_iri(kind, value)

    def sources(self, row: Row, subject: URIRef) -> None:
        for value in filter(None, (part.strip() for part in row.get("source").split(";"))):
            if value not in self.ids["sources"]:
                close = difflib.get_close_matches(value, sorted(self.ids["sources"]), n=3)
                raise UnknownNameError("source", value, close, row.location)
            self.graph.add((subject, PROV.wasDerivedFrom, data_iri("source", value)))

    def text(self, subject: URIRef, predicate: URIRef, row: Row, column: str) -> None:
        value = row.get(column)
        if value:
            self.graph.add((subject, predicate, Literal(value)))

    def url(self, row: Row, column: str) -> Literal | None:
        value = row.get(column)
        if not value:
            return None
        if not re.match(r"^https?://[^\s<>\"]+$", value):
            raise InputError(f"{column} {value!r} is not an http(s) URL", row.location)
        return Literal(value, datatype=XSD.anyURI)

    # -- tables --------------------------------------------------------------------------------
    def convert(self) -> Graph:
        rows = self.dataset.rows
        # Collect ids first so that references may point forwards and across files.
        for table in ("sources", "entities", "dependencies"):
            for row in rows[table]:
                self.identifier(row, "id", table)
        for row in rows["sources"]:
            self.source(row)
        for row in rows["entities"]:
            self.entity(row)
        for row in rows["dependencies"]:
            self.dependency(row)
        for row in rows["events"]:
            self.event(row)
        for row in rows["availability"]:
            self.observation(row)
        return self.graph

    def source(self, row: Row) -> None:
        node = data_iri("source", row.get("id"))
        for column in ("publisher", "title", "url", "date"):
            if not row.get(column):
                raise InputError(f"source {column} is empty", row.location)
        g = self.graph
        g.add((node, RDF.type, PD.Source))
        g.add((node, DCTERMS.publisher, Literal(row.get("publisher"))))
        g.add((node, DCTERMS.title, Literal(row.get("title"))))
        g.add((node, DCTERMS.issued, self.publication_date(row)))
        g.add((node, SCHEMA.url, self.url(row, "url")))

    def entity(self, row: Row) -> None:
        identifier = row.get("id")
        node = data_iri("entity", identifier)
        g = self.graph
        if not row.get("name"):
            raise InputError("entity name is empty", row.location)
        kinds = [part.strip().lower() for part in row.get("kind").split(";") if part.strip()]
        if not kinds:
            raise InputError("entity kind is empty", row.location)
        for kind in kinds:
            g.add(
                (node, RDF.type, self.term(Row({"kind": kind}, row.location), "kind", self.vocab.actor_kinds, "kind"))
            )
        g.add((node, RDFS.label, Literal(row.get("name"))))
        g.add((node, DCTERMS.identifier, Literal(identifier)))
        owner = self.reference(row, "owner", "entities", required=False)
        if owner is not None:
            if owner == node:
                raise InputError(f"entity {identifier!r} cannot own itself", row.location)
            g.add((node, PD.ownedBy, owner))
        country = row.get("country")
        if country:
            if not COUNTRY.match(country):
                raise InputError(f"country {country!r} is not an ISO 3166-1 alpha-2 code such as US", row.location)
            g.add((node, PD.countryCode, Literal(country)))
        homepage = self.url(row, "homepage")
        if homepage is not None:
            g.add((node, SCHEMA.url, homepage))
        qid = row.get("wikidata")
        if qid:
            if not QID.match(qid):
                raise InputError(f"wikidata {qid!r} is not a Wikidata item id such as Q42", row.location)
            g.add((node, PD.wikidataItem, WD[qid]))
        self.sources(row, node)

    def dependency(self, row: Row) -> None:
        node = data_iri("dependency", row.get("id"))
        g = self.graph
        g.add((node, RDF.type, PD.Dependency))
        g.add((node, PD.dependent, self.reference(row, "dependent", "entities")))
        g.add((node, PD.provider, self.reference(row, "provider", "entities")))
        service = row.get("service")
        if not service:
            raise InputError("service is empty", row.location)
        try:
            g.add((node, PD.service, self.vocab.service(service).iri))
        except UnknownNameError as error:
            raise UnknownNameError("service", service, error.suggestions, row.location) from None
        for column, predicate in (("start", PD.startDate), ("end", PD.endDate)):
            value = self.date(row, column)
            if value is not None:
                g.add((node, predicate, value))
        ending = self.term(row, "ended_by", self.vocab.endings, "ended_by value")
        if ending is not None:
            g.add((node, PD.endedBy, ending))
        effect = self.term(row, "effect", self.vocab.effects, "effect")
        if effect is not None:
            g.add((node, PD.effect, effect))
        self.text(node, PD.note, row, "note")
        self.sources(row, node)

    def event(self, row: Row) -> None:
        node = data_iri("event", self.identifier(row, "id", "events"))
        g = self.graph
        kind = row.get("kind")
        if not kind:
            raise InputError("event kind is empty", row.location)
        g.add((node, RDF.type, self.term(row, "kind", self.vocab.event_kinds, "event kind")))
        date = self.date(row, "date", allow_time=True)
        if date is None:
            raise InputError("event date is empty", row.location)
        g.add((node, PD.date, date))
        g.add((node, PD.actsOn, self.reference(row, "dependency", "dependencies")))
        self.text(node, DCTERMS.description, row, "description")
        self.sources(row, node)

    def observation(self, row: Row) -> None:
        dependent = self.reference(row, "dependent", "entities")
        status = self.term(row, "status", self.vocab.statuses, "status")
        start = self.date(row, "start")
        if status is None or start is None:
            raise InputError("availability needs a status and a start date", row.location)
        identifier = f"{row.get('dependent')}-{row.get('status').lower()}-{start}"
        if identifier in self.ids["availability"]:
            raise InputError(
                f"duplicate availability row (first at {self.ids['availability'][identifier]})", row.location
            )
        self.ids["availability"][identifier] = row.location
        node = data_iri("observation", identifier)
        g = self.graph
        g.add((node, RDF.type, PD.AvailabilityObservation))
        g.add((node, PD.observedActor, dependent))
        g.add((node, PD.status, status))
        g.add((node, PD.startDate, start))
        end = self.date(row, "end")
        if end is not None:
            g.add((node, PD.endDate, end))
        self.text(node, PD.note, row, "note")
        self.sources(row, node)


def csv_to_graph(dataset: CsvDataset, *, vocab: Vocabulary | None = None, known_entities: Iterable[str] = ()) -> Graph:
    """Convert a :class:`CsvDataset` to an RDF graph of data (no ontology triples).

    ``known_entities`` are entity identifiers defined elsewhere (in RDF files loaded alongside) that
    the rows may refer to. The result depends only on the rows' content, not their order.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "entities.csv").write_text("id,name,kind\\nacme,Acme,website\\nhost,Host Co,provider\\n")
    >>> _ = (folder / "dependencies.csv").write_text("id,dependent,provider,service\\nacme-host,acme,host,hosting\\n")
    >>> graph = csv_to_graph(read_csv_dataset([folder]))
    >>> (data_iri("dependency", "acme-host"), PD.provider, data_iri("entity", "host")) in graph
    True
    """
    return _Converter(dataset, vocab or vocabulary(), set(known_entities)).convert()
