"""The CSV interchange format: read analysts' spreadsheets and convert them to RDF, deterministically.

A dataset is a set of CSV files, each one table: ``entities``, ``sources``, ``dependencies``, ``events``,
``availability`` and ``outages`` (:data:`TABLES`), and for measured data ``runs`` and ``evidence``
(:data:`MEASUREMENT_TABLES`), which the ``run``, ``evidence`` and ``rule`` columns of dependencies and
availability refer to. ``data/README.md`` documents every column. A file is recognised by its name
(``dependencies.csv``) or, failing that, by its header row. Every problem is reported as an
:class:`~kg.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.errors import InputError, SourceLocation, UnknownNameError
from kg.io import ntriples as nt
from kg.io.csvfiles import records
from kg.model.countries import country_code
from kg.model.namespace import DCTERMS, PD, PREFIXES, PROV, RDF, RDFS, SCHEMA, WD, XSD
from kg.model.text import CONTROL_CHARACTERS
from kg.model.vocabulary import Vocabulary, vocabulary

__all__ = [
    "ALL_TABLES",
    "EVIDENCE_KINDS",
    "MEASUREMENT_TABLES",
    "OUTCOMES",
    "TABLES",
    "Conversion",
    "CsvDataset",
    "Record",
    "csv_paths",
    "csv_to_graph",
    "csv_to_ntriples",
    "read_csv_dataset",
    "stream_csv_to_ntriples",
]

IDENTIFIER = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$")
#: A domain name in ASCII (an internationalised one as its xn-- A-labels), as the shapes check it.
DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])*[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_ANSWER_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")  # a raw answer keeps its tabs and line breaks
_CONTROL = re.compile(f"[\t\n{CONTROL_CHARACTERS}]")  # a one-line text refuses tab and newline too
QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Table:
    """One kind of CSV file: its required and optional columns."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


#: The tables of curated facts, in the order they are converted (``kg import --template`` writes these).
TABLES = {
    table.name: table
    for table in (
        Table("sources", ("id", "publisher", "date", "title", "url")),
        Table("entities", ("id", "name", "kind"), ("owner", "country", "homepage", "wikidata", "source")),
        Table(
            "dependencies",
            ("id", "dependent", "provider", "service"),
            (
                *("start", "end", "ended_by", "effect", "extent", "countries", "upstream"),
                *("source", "run", "evidence", "rule", "note"),
            ),
        ),
        Table("events", ("id", "kind", "date", "dependency", "description"), ("countries", "issuer", "source")),
        Table(
            "availability",
            ("dependent", "status", "start"),
            ("end", "countries", "source", "run", "evidence", "rule", "note"),
        ),
        Table("outages", ("id", "actor", "start"), ("end", "extent", "countries", "issuer", "description", "source")),
    )
}
#: The tables of a measurement (``kg measure`` writes them): its runs, and the evidence its facts rest on.
MEASUREMENT_TABLES = {
    table.name: table
    for table in (
        Table(
            "runs", ("id", "tool", "version", "start", "country"), ("end", "network", "resolvers", "contact", "note")
        ),
        Table(
            "evidence",
            ("id", "run", "domain", "kind", "type", "name", "server", "time", "outcome"),
            ("answer", "detail"),
        ),
    )
}
#: Every table the importer reads; runs and evidence are converted before the facts that cite them.
ALL_TABLES = {
    name: {**TABLES, **MEASUREMENT_TABLES}[name]
    for name in ("sources", "entities", "runs", "evidence", "dependencies", "events", "availability", "outages")
}
#: How a question is asked (``evidence.csv``'s ``kind``).
EVIDENCE_KINDS = ("dns", "tls", "http", "rdap", "asn")
#: How a question ended (``evidence.csv``'s ``outcome``): the notations of the ontology's ``pd:Outcome``
#: individuals, the outcomes of :class:`kg.measure.evidence.Evidence` (a test holds the three together).
OUTCOMES = {
    "ok": PD.Answered,
    "nodata": PD.NoData,
    "nxdomain": PD.NoSuchName,
    "servfail": PD.ServerFailure,
    "refused": PD.Refused,
    "timeout": PD.TimedOut,
    "error": PD.OtherError,
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

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in ALL_TABLES})

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def csv_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the CSV files they hold (sorted), keeping files as given.

    A folder that holds no CSV file is an :class:`InputError` (it is surely not what was meant).
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            if not inside:
                raise InputError("holds no CSV files (entities.csv, dependencies.csv, ...)", SourceLocation(str(path)))
            found.extend(inside)
        else:
            found.append(path)
    return found


def _table_for(path: Path, header: Sequence[str]) -> Table:
    if path.stem.lower() in ALL_TABLES:
        return ALL_TABLES[path.stem.lower()]
    for table in ALL_TABLES.values():
        if set(table.required) <= set(header) <= set(table.columns):
            return table
    names = ", ".join(f"{t.name}.csv" for t in ALL_TABLES.values())
    raise InputError(
        f"cannot tell which table this is from its name or header {list(header)}; name it one of {names}",
        SourceLocation(str(path), 1),
    )


def _open_table(path: Path) -> tuple[Table, list[str]]:
    """Read the header of one CSV file: its table and column names, checked."""
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", SourceLocation(str(path)))
    header = [name.strip() for name in next((fields for _, fields in records(path)), [])]
    if not header:
        raise InputError("empty file: a header row is needed", SourceLocation(str(path), 1))
    table = _table_for(path, header)
    _check_header(table, header, path)
    return table, header


def _data_records(path: Path) -> Iterator[tuple[SourceLocation, list[str], list[str]]]:
    """``(location, header, fields)`` of each non-blank data row of one CSV file, the header checked first.

    A row shorter than the header is padded with empty fields; a longer one is an error.
    """
    _, header = _open_table(path)
    width = len(header)
    name = str(path)
    rows = records(path, width)
    next(rows, None)  # the header row
    for line, fields in rows:
        if len(fields) > width:
            raise InputError(f"row has {len(fields)} fields, header has {width}", SourceLocation(name, line))
        if not "".join(fields).strip():
            continue
        yield SourceLocation(name, line), header, fields + [""] * (width - len(fields))


def _file_rows(path: Path) -> Iterator[Row]:
    """The non-blank data rows of one CSV file, each with its location; the header is checked first."""
    for location, header, fields in _data_records(path):
        yield Row(dict(zip(header, fields, strict=True)), location)


def _file_ids(path: Path) -> Iterator[tuple[str, int]]:
    """The ``id`` column of one CSV file with the line of each (rows as :func:`_file_rows` yields them)."""
    column = None
    for location, header, fields in _data_records(path):
        column = header.index("id") if column is None else column
        yield fields[column].strip(), location.line


def read_csv_dataset(paths: Iterable[str | Path]) -> CsvDataset:
    """Read CSV files (or folders of them) into a :class:`CsvDataset`, checking each header.

    Raises :class:`InputError` for a missing or unreadable file, an unknown table, a missing or unknown
    column, or a row with more fields than the header.
    """
    dataset = CsvDataset()
    for path in csv_paths(paths):
        table, _ = _open_table(path)
        dataset.rows[table.name].extend(_file_rows(path))
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


class _Ids:
    """The identifiers of one table with where each was first seen (kept compact for big inputs)."""

    def __init__(self, files: dict[str, int]) -> None:
        self.files = files  # file name -> index, shared by the tables of one conversion
        self.where: dict[str, int] = {}

    def __contains__(self, value: str) -> bool:
        return value in self.where

    def __iter__(self):
        return iter(self.where)

    def add(self, value: str, location: SourceLocation) -> None:
        index = self.files.setdefault(location.path, len(self.files))
        self.where[value] = index << 32 | (location.line or 0)

    def location(self, value: str) -> SourceLocation:
        code = self.where[value]
        name = next(name for name, index in self.files.items() if index == code >> 32)
        return SourceLocation(name, code & 0xFFFFFFFF or None)


_P = {
    name: nt.iri(term)
    for name, term in {
        "type": RDF.type,
        "label": RDFS.label,
        "identifier": DCTERMS.identifier,
        "publisher": DCTERMS.publisher,
        "title": DCTERMS.title,
        "issued": DCTERMS.issued,
        "description": DCTERMS.description,
        "url": SCHEMA.url,
        "derived": PROV.wasDerivedFrom,
        "ownedBy": PD.ownedBy,
        "countryCode": PD.countryCode,
        "wikidataItem": PD.wikidataItem,
        "dependent": PD.dependent,
        "provider": PD.provider,
        "service": PD.service,
        "startDate": PD.startDate,
        "endDate": PD.endDate,
        "startTime": PD.startTime,
        "endTime": PD.endTime,
        "appliesIn": PD.appliesIn,
        "resoldOn": PD.resoldOn,
        "standalone": PD.standalone,
        "partial": PD.partial,
        "outageOf": PD.outageOf,
        "Outage": PD.Outage,
        "orderedBy": PD.orderedBy,
        "endedBy": PD.endedBy,
        "effect": PD.effect,
        "note": PD.note,
        "date": PD.date,
        "actsOn": PD.actsOn,
        "observedActor": PD.observedActor,
        "status": PD.status,
        "Source": PD.Source,
        "Dependency": PD.Dependency,
        "AvailabilityObservation": PD.AvailabilityObservation,
        "MeasurementRun": PD.MeasurementRun,
        "Evidence": PD.Evidence,
        "generatedBy": PROV.wasGeneratedBy,
        "generatedAt": PROV.generatedAtTime,
        "startedAt": PROV.startedAtTime,
        "endedAt": PROV.endedAtTime,
        "tool": PD.tool,
        "toolVersion": PD.toolVersion,
        "vantageCountry": PD.vantageCountry,
        "vantageNetwork": PD.vantageNetwork,
        "resolver": PD.resolver,
        "contact": PD.contact,
        "measuredDomain": PD.measuredDomain,
        "questionKind": PD.questionKind,
        "questionType": PD.questionType,
        "questionName": PD.questionName,
        "server": PD.server,
        "outcome": PD.outcome,
        "answer": PD.answer,
        "classificationRule": PD.classificationRule,
    }.items()
}
_XSD_DATE, _XSD_DATETIME, _XSD_ANYURI = str(XSD.date), str(XSD.dateTime), str(XSD.anyURI)
_XSD_GYEAR, _XSD_GYEARMONTH = str(XSD.gYear), str(XSD.gYearMonth)
#: The data kind (IRI path) of the rows of a table that other rows refer to.
_KIND = {"entities": "entity", "dependencies": "dependency", "sources": "source", "runs": "run", "evidence": "evidence"}


class _Converter:
    """Turns checked rows into N-Triples lines; one instance per conversion.

    ``rows(table)`` yields the rows of one table (it is called twice for the identified tables: once to
    collect identifiers, so references may point forwards and across files, once to convert).
    """

    def __init__(
        self,
        rows: Callable[[str], Iterable[Row]],
        write: Callable[[str], object],
        vocab: Vocabulary,
        known_entities: set[str],
        on_record: Callable[[str, Record], object] | None = None,
        id_column: Callable[[str], Iterable[tuple[str, SourceLocation]]] | None = None,
    ) -> None:
        self.rows = rows
        self.write = write
        self.vocab = vocab
        files: dict[str, int] = {}
        self.ids: dict[str, _Ids] = {name: _Ids(files) for name in ALL_TABLES}
        self.run_period: dict[str, tuple[dt.datetime, dt.datetime | None]] = {}  # runs are few
        self.id_column = id_column
        self.known_entities = known_entities
        self.on_record = on_record
        self.triples = 0
        self.counts = {name: 0 for name in ALL_TABLES}

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.write(f"{subject} {predicate} {obj} .\n")
        self.triples += 1

    # -- field parsers -------------------------------------------------------------------------
    def identifier(self, row: Row, column: str, table: str) -> str:
        return self.check_identifier(row.get(column), row.location, column, table)

    def check_identifier(self, value: str, location: SourceLocation, column: str, table: str) -> str:
        if not IDENTIFIER.match(value):
            raise InputError(
                f"{column} {value!r} is not a valid identifier "
                "(lower-case letters and digits, with '-', '.' or '_' inside)",
                location,
            )
        if value in self.ids[table]:
            first = self.ids[table].location(value)
            raise InputError(f"duplicate {table} id {value!r} (first at {first})", location)
        self.ids[table].add(value, location)
        return value

    def iso_date(self, row: Row, column: str, *, allow_time: bool = False) -> tuple[str, str] | None:
        """The value of a date column as (lexical form, datatype IRI), checked; ``None`` when empty."""
        value = row.get(column)
        if not value:
            return None
        try:
            if DATE.match(value):
                return dt.date.fromisoformat(value).isoformat(), _XSD_DATE
            if allow_time and DATETIME.match(value):
                parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                return parsed.isoformat(), _XSD_DATETIME
        except ValueError as error:
            raise InputError(f"bad {column} {value!r}: {error}", row.location) from None
        shape = "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm" if allow_time else "YYYY-MM-DD"
        raise InputError(f"bad {column} {value!r}: expected {shape}", row.location)

    def moment(self, row: Row, column: str) -> tuple[str, str]:
        """A start or end column (a date, or a date-time with offset) as (UTC date, date-time or ``""``).

        A date-time's UTC calendar date is the date (``2021-01-10T23:59:00-08:00`` is 2021-01-11); the
        date-time itself is kept beside it. Both are ``""`` when the column is empty.
        """
        value = self.iso_date(row, column, allow_time=True)
        if value is None:
            return "", ""
        if value[1] == _XSD_DATE:
            return value[0], ""
        moment = dt.datetime.fromisoformat(value[0])  # DATETIME requires the offset
        return moment.astimezone(dt.UTC).date().isoformat(), value[0]

    def add_moment(self, node: str, row: Row, column: str) -> tuple[str, str]:
        """Write a start or end column as its date and, when a time is given, its date-time."""
        day, moment = self.moment(row, column)
        if day:
            self.add(node, _P[f"{column}Date"], nt.literal(day, _XSD_DATE))
        if moment:
            self.add(node, _P[f"{column}Time"], nt.literal(moment, _XSD_DATETIME))
        return day, moment

    def country_codes(self, row: Row) -> list[str]:
        """The ``countries`` column (ISO codes separated by ``;``, empty: everywhere), checked and sorted."""
        codes = sorted({part.strip().upper() for part in row.get("countries").split(";") if part.strip()})
        for code in codes:
            country_code(code, "country", row.location)
        return codes

    def countries(self, node: str, row: Row, codes: list[str] | None = None) -> list[str]:
        """Write the ``countries`` column (or ``codes`` already read from it); return the codes."""
        codes = self.country_codes(row) if codes is None else codes
        for code in codes:
            self.add(node, _P["appliesIn"], nt.literal(code))
        return codes

    def upstream(self, node: str, row: Row) -> str:
        """Write the ``upstream`` column: services separated by ``;``, or ``none``; return it as stored in
        the tables (``""`` for the service's default, ``"-"`` for none, else the services joined by ``;``)."""
        value = row.get("upstream").strip().lower()
        if not value:
            return ""
        if value == "none":
            self.add(node, _P["standalone"], nt.literal("true", str(XSD.boolean)))
            return "-"
        services = []
        for part in sorted({p.strip() for p in value.split(";") if p.strip()}):
            try:
                services.append(self.vocab.service(part))
            except UnknownNameError as error:
                raise UnknownNameError("upstream service", part, error.suggestions, row.location) from None
        for service in services:
            self.add(node, _P["resoldOn"], nt.iri(service.iri))
        return ";".join(service.identifier for service in services)

    def extent(self, node: str, row: Row) -> bool:
        """Write the ``extent`` column (``full``, the default, or ``partial``); return whether it is partial."""
        value = row.get("extent").lower()
        if value not in ("", "full", "partial"):
            close = difflib.get_close_matches(value, ["full", "partial"], n=1)
            raise UnknownNameError("extent", value, close, row.location)
        if value == "partial":
            self.add(node, _P["partial"], nt.literal("true", str(XSD.boolean)))
        return value == "partial"

    def date(self, row: Row, column: str, *, allow_time: bool = False) -> str | None:
        value = self.iso_date(row, column, allow_time=allow_time)
        return nt.literal(*value) if value else None

    def publication_date(self, row: Row) -> str:
        value = row.get("date")
        if re.match(r"^\d{4}-(0[1-9]|1[0-2])$", value):
            return nt.literal(value, _XSD_GYEARMONTH)
        if re.match(r"^\d{4}$", value):
            return nt.literal(value, _XSD_GYEAR)
        return self.date(row, "date")

    def term(self, row: Row, column: str, table: dict, what: str) -> str | None:
        value = row.get(column).lower()
        if not value:
            return None
        if value not in table:
            raise UnknownNameError(what, value, difflib.get_close_matches(value, list(table), n=3), row.location)
        return nt.iri(table[value])

    def reference(self, row: Row, column: str, table: str, *, required: bool = True) -> str | None:
        value = row.get(column)
        if not value:
            if required:
                raise InputError(f"{column} is empty", row.location)
            return None
        if value not in self.ids[table] and not (table == "entities" and value in self.known_entities):
            known = sorted(set(self.ids[table]) | (self.known_entities if table == "entities" else set()))
            raise UnknownNameError(_KIND[table], value, difflib.get_close_matches(value, known, n=3), row.location)
        return nt.data(_KIND[table], value)

    def sources(self, row: Row, subject: str) -> None:
        for value in filter(None, (part.strip() for part in row.get("source").split(";"))):
            if value not in self.ids["sources"]:
                close = difflib.get_close_matches(value, sorted(self.ids["sources"]), n=3)
                raise UnknownNameError("source", value, close, row.location)
            self.add(subject, _P["derived"], nt.data("source", value))

    def listed(self, row: Row, column: str, table: str) -> list[str]:
        """The identifiers of a column listing rows of ``table`` (separated by ``;``), each checked, sorted."""
        values = sorted({part.strip() for part in row.get(column).split(";") if part.strip()})
        for value in values:
            if value not in self.ids[table]:
                close = difflib.get_close_matches(value, sorted(self.ids[table]), n=3)
                raise UnknownNameError(_KIND[table], value, close, row.location)
        return values

    def measurement(self, node: str, row: Row) -> list[str]:
        """Write what makes a fact measured: the runs that generated it (``run``), the evidence it rests on
        (``evidence``) and the rule that classified it (``rule``), all three or none; return the evidence."""
        given = {column: row.get(column) for column in ("run", "evidence", "rule")}
        if not any(given.values()):
            return []
        missing = [column for column, value in given.items() if not value]
        if missing:
            raise InputError(
                f"{' and '.join(missing)} empty: a measured fact names the run that made it, the evidence it "
                "rests on and the rule that classified it",
                row.location,
            )
        for run in self.listed(row, "run", "runs"):
            self.add(node, _P["generatedBy"], nt.data("run", run))
        evidence = self.listed(row, "evidence", "evidence")
        for value in evidence:
            self.add(node, _P["derived"], nt.data("evidence", value))
        self.add(node, _P["classificationRule"], nt.literal(self.one_line(row, "rule")))
        return evidence

    def instant(self, row: Row, column: str, *, required: bool = True) -> dt.datetime | None:
        """A column holding an instant (a date-time with its offset), parsed; ``None`` when empty and allowed."""
        value = row.get(column)
        if not value:
            if required:
                raise InputError(f"{column} is empty", row.location)
            return None
        if not DATETIME.match(value):  # to the second, as every date-time of the format (and OWL reasoners)
            raise InputError(
                f"bad {column} {value!r}: expected an instant, YYYY-MM-DDThh:mm[:ss] with its offset (Z or +hh:mm)",
                row.location,
            )
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise InputError(f"bad {column} {value!r}: {error}", row.location) from None

    def required_line(self, node: str, predicate: str, row: Row, column: str) -> str:
        """Write a required one-line text column; return it."""
        value = self.one_line(row, column)
        if not value:
            raise InputError(f"{column} is empty", row.location)
        self.add(node, predicate, nt.literal(value))
        return value

    def one_line(self, row: Row, column: str) -> str:
        """A column that must be one line of plain text (a name, a title): no control characters, no
        bidirectional overrides (they would rewrite terminals and reorder what readers see); in Unicode's
        composed form (NFC), so that a name is stored the same however its accents were typed."""
        value = unicodedata.normalize("NFC", row.get(column))
        bad = _CONTROL.search(value)
        if bad:
            shown = bad.group().encode("unicode_escape").decode("ascii")
            raise InputError(
                f"a control character in {column} ({shown}): a {column} is one line of plain text", row.location
            )
        return value

    def text(self, subject: str, predicate: str, row: Row, column: str) -> None:
        value = row.get(column)
        if value:
            self.add(subject, predicate, nt.literal(value))

    def url(self, row: Row, column: str) -> str | None:
        value = row.get(column)
        if not value:
            return None
        if not re.match(r"^https?://[^\s<>\"]+$", value):
            raise InputError(f"{column} {value!r} is not an http(s) URL", row.location)
        return nt.literal(value, _XSD_ANYURI)

    # -- tables --------------------------------------------------------------------------------
    def convert(self) -> None:
        # Collect ids first so that references may point forwards and across files. Dependency ids are
        # checked as their rows are converted: only events, converted after them, refer to them (a
        # separate pass over millions of dependency rows would leave the store loader idle).
        for table in ("sources", "entities"):
            if self.id_column is None:
                for row in self.rows(table):
                    self.identifier(row, "id", table)
            else:
                for value, location in self.id_column(table):
                    self.check_identifier(value, location, "id", table)
        for table, method in (
            ("sources", self.source),
            ("entities", self.entity),
            ("runs", self.run),
            ("evidence", self.evidence),
            ("dependencies", self.dependency),
            ("events", self.event),
            ("availability", self.observation),
            ("outages", self.outage),
        ):
            for row in self.rows(table):
                method(row)
                self.counts[table] += 1

    def source(self, row: Row) -> None:
        node = nt.data("source", row.get("id"))
        for column in ("publisher", "title", "url", "date"):
            if not row.get(column):
                raise InputError(f"source {column} is empty", row.location)
        self.add(node, _P["type"], _P["Source"])
        self.add(node, _P["publisher"], nt.literal(self.one_line(row, "publisher")))
        self.add(node, _P["title"], nt.literal(self.one_line(row, "title")))
        self.add(node, _P["issued"], self.publication_date(row))
        self.add(node, _P["url"], self.url(row, "url"))
        if self.on_record is not None:
            values = {column: row.get(column) for column in ("publisher", "date", "title", "url")}
            self.on_record("sources", {"id": row.get("id"), **values})

    def run(self, row: Row) -> None:
        identifier = self.identifier(row, "id", "runs")
        node = nt.data("run", identifier)
        self.add(node, _P["type"], _P["MeasurementRun"])
        self.required_line(node, _P["tool"], row, "tool")
        self.required_line(node, _P["toolVersion"], row, "version")
        start = self.instant(row, "start")
        end = self.instant(row, "end", required=False)
        if end is not None and end < start:
            raise InputError(f"run ends ({row.get('end')}) before it starts ({row.get('start')})", row.location)
        self.add(node, _P["startedAt"], nt.literal(start.isoformat(), _XSD_DATETIME))
        if end is not None:
            self.add(node, _P["endedAt"], nt.literal(end.isoformat(), _XSD_DATETIME))
        self.run_period[identifier] = (start, end)
        country = row.get("country").upper()
        if not country:
            raise InputError("country is empty: a run names the country it asked from", row.location)
        country_code(country, "country", row.location)
        self.add(node, _P["vantageCountry"], nt.literal(country))
        for column, predicate in (("network", "vantageNetwork"), ("contact", "contact")):
            value = self.one_line(row, column)
            if value:
                self.add(node, _P[predicate], nt.literal(value))
        resolvers = sorted({part.strip() for part in self.one_line(row, "resolvers").split(";") if part.strip()})
        for resolver in resolvers:
            self.add(node, _P["resolver"], nt.literal(resolver))
        self.text(node, _P["note"], row, "note")

    def evidence(self, row: Row) -> None:
        identifier = self.identifier(row, "id", "evidence")
        node = nt.data("evidence", identifier)
        self.add(node, _P["type"], _P["Evidence"])
        run = row.get("run")
        self.add(node, _P["generatedBy"], self.reference(row, "run", "runs"))
        domain = row.get("domain").lower()
        if not DOMAIN.match(domain):
            raise InputError(
                f"domain {row.get('domain')!r} is not a domain name in ASCII (write an internationalised one as "
                "its xn-- A-labels)",
                row.location,
            )
        self.add(node, _P["measuredDomain"], nt.literal(domain))
        kind = row.get("kind").lower()
        if kind not in EVIDENCE_KINDS:
            raise UnknownNameError("evidence kind", kind, difflib.get_close_matches(kind, EVIDENCE_KINDS), row.location)
        self.add(node, _P["questionKind"], nt.literal(kind))
        self.required_line(node, _P["questionType"], row, "type")
        self.required_line(node, _P["questionName"], row, "name")
        self.required_line(node, _P["server"], row, "server")
        moment = self.instant(row, "time")
        start, end = self.run_period[run]
        if moment < start or (end is not None and moment > end):
            until = end.isoformat() if end is not None else "its end"
            raise InputError(
                f"time {row.get('time')} is outside run {run!r} ({start.isoformat()} to {until})", row.location
            )
        self.add(node, _P["generatedAt"], nt.literal(moment.isoformat(), _XSD_DATETIME))
        self.add(node, _P["outcome"], nt.iri(self.outcome(row)))
        answer = row.values.get("answer") or ""
        answer = "\n".join(line.rstrip("\r") for line in answer.strip().split("\n"))
        bad = _ANSWER_CONTROL.search(answer)
        if bad:
            shown = bad.group().encode("unicode_escape").decode("ascii")
            raise InputError(f"a control character in answer ({shown}): write the raw answer as text", row.location)
        if answer:
            self.add(node, _P["answer"], nt.literal(answer))
        elif row.get("outcome").lower() == "ok":
            raise InputError("outcome ok needs the answer (one without the records asked for is nodata)", row.location)
        self.text(node, _P["note"], row, "detail")

    def outcome(self, row: Row) -> str:
        value = row.get("outcome").lower()
        if value not in OUTCOMES:
            raise UnknownNameError("outcome", value, difflib.get_close_matches(value, list(OUTCOMES)), row.location)
        return OUTCOMES[value]

    def entity(self, row: Row) -> None:
        identifier = row.get("id")
        node = nt.data("entity", identifier)
        if not row.get("name"):
            raise InputError("entity name is empty", row.location)
        kinds = [part.strip().lower() for part in row.get("kind").split(";") if part.strip()]
        if not kinds:
            raise InputError("entity kind is empty", row.location)
        for kind in kinds:
            kind_term = self.term(Row({"kind": kind}, row.location), "kind", self.vocab.actor_kinds, "kind")
            self.add(node, _P["type"], kind_term)
        self.add(node, _P["label"], nt.literal(self.one_line(row, "name")))
        self.add(node, _P["identifier"], nt.literal(identifier))
        owner = self.reference(row, "owner", "entities", required=False)
        if owner is not None:
            if owner == node:
                raise InputError(f"entity {identifier!r} cannot own itself", row.location)
            self.add(node, _P["ownedBy"], owner)
        country = row.get("country")
        if country:
            country_code(country, "country", row.location)
            self.add(node, _P["countryCode"], nt.literal(country))
        homepage = self.url(row, "homepage")
        if homepage is not None:
            self.add(node, _P["url"], homepage)
        qid = row.get("wikidata")
        if qid:
            if not QID.match(qid):
                raise InputError(f"wikidata {qid!r} is not a Wikidata item id such as Q42", row.location)
            self.add(node, _P["wikidataItem"], nt.iri(WD[qid]))
        self.sources(row, node)
        if self.on_record is not None:
            self.on_record(
                "entities",
                {
                    "id": identifier,
                    "name": self.one_line(row, "name"),
                    "kinds": sorted(set(kinds)),
                    "owner": row.get("owner"),
                    "country": country,
                    "homepage": row.get("homepage"),
                    "sources": _source_ids(row),
                },
            )

    def dependency(self, row: Row) -> None:
        identifier = self.identifier(row, "id", "dependencies")
        node = nt.data("dependency", identifier)
        self.add(node, _P["type"], _P["Dependency"])
        self.add(node, _P["dependent"], self.reference(row, "dependent", "entities"))
        self.add(node, _P["provider"], self.reference(row, "provider", "entities"))
        service = row.get("service")
        if not service:
            raise InputError("service is empty", row.location)
        try:
            known = self.vocab.service(service)
        except UnknownNameError as error:
            raise UnknownNameError("service", service, error.suggestions, row.location) from None
        if known.identifier == "operation":
            raise InputError(
                "service 'operation' is an actor's own running of its service, which no provider supplies: "
                "record its interruption in outages.csv",
                row.location,
            )
        self.add(node, _P["service"], nt.iri(known.iri))
        start, start_time = self.add_moment(node, row, "start")
        end, end_time = self.add_moment(node, row, "end")
        if start and start == end and not (start_time and end_time):
            raise InputError(
                f"end {end} is the start: an empty period (the end is the first day without it; give times "
                "for a dependency of some hours)",
                row.location,
            )
        countries = self.countries(node, row)
        upstream = self.upstream(node, row)
        partial = self.extent(node, row)
        ending = self.term(row, "ended_by", self.vocab.endings, "ended_by value")
        if ending is not None:
            self.add(node, _P["endedBy"], ending)
        effect = self.term(row, "effect", self.vocab.effects, "effect")
        if effect is not None:
            self.add(node, _P["effect"], effect)
        self.text(node, _P["note"], row, "note")
        self.sources(row, node)
        evidence = self.measurement(node, row)
        if self.on_record is not None:
            self.on_record(
                "dependencies",
                {
                    "id": identifier,
                    "dependent": row.get("dependent"),
                    "provider": row.get("provider"),
                    "service": known.identifier,
                    "start": start,
                    "end": end,
                    "start_time": start_time,
                    "end_time": end_time,
                    "ended_by": row.get("ended_by").lower(),
                    "effect": row.get("effect").lower(),
                    "countries": countries,
                    "upstream": upstream,
                    "partial": partial,
                    "note": row.get("note"),
                    "sources": _source_ids(row),
                    "evidence": evidence,
                },
            )

    def event(self, row: Row) -> None:
        node = nt.data("event", self.identifier(row, "id", "events"))
        kind = row.get("kind")
        if not kind:
            raise InputError("event kind is empty", row.location)
        self.add(node, _P["type"], self.term(row, "kind", self.vocab.event_kinds, "event kind"))
        date = self.date(row, "date", allow_time=True)
        if date is None:
            raise InputError("event date is empty", row.location)
        self.add(node, _P["date"], date)
        self.add(node, _P["actsOn"], self.reference(row, "dependency", "dependencies"))
        countries = self.countries(node, row)
        issuer = self.reference(row, "issuer", "entities", required=False)
        if issuer is not None:
            if kind.lower() != "cut-off":
                raise InputError("only a cut-off has an issuer (the authority that ordered it)", row.location)
            self.add(node, _P["orderedBy"], issuer)
        self.text(node, _P["description"], row, "description")
        self.sources(row, node)
        if self.on_record is not None:
            when = self.iso_date(row, "date", allow_time=True)
            self.on_record(
                "events",
                {
                    "id": row.get("id"),
                    "kind": kind.lower(),
                    "when": when[0],
                    "dependency": row.get("dependency"),
                    "countries": countries,
                    "issuer": row.get("issuer"),
                    "description": row.get("description"),
                    "sources": _source_ids(row),
                },
            )

    def observation(self, row: Row) -> None:
        dependent = self.reference(row, "dependent", "entities")
        status = self.term(row, "status", self.vocab.statuses, "status")
        start, start_time = self.moment(row, "start")
        if status is None or not start:
            raise InputError("availability needs a status and a start date", row.location)
        codes = self.country_codes(row)
        identifier = "-".join([row.get("dependent"), row.get("status").lower(), start, *(c.lower() for c in codes)])
        if identifier in self.ids["availability"]:
            first = self.ids["availability"].location(identifier)
            raise InputError(f"duplicate availability row (first at {first})", row.location)
        self.ids["availability"].add(identifier, row.location)
        node = nt.data("observation", identifier)
        self.add(node, _P["type"], _P["AvailabilityObservation"])
        self.add(node, _P["observedActor"], dependent)
        self.add(node, _P["status"], status)
        self.add_moment(node, row, "start")
        end, end_time = self.add_moment(node, row, "end")
        countries = self.countries(node, row, codes)
        self.text(node, _P["note"], row, "note")
        self.sources(row, node)
        evidence = self.measurement(node, row)
        if self.on_record is not None:
            self.on_record(
                "availability",
                {
                    "id": identifier,
                    "actor": row.get("dependent"),
                    "status": row.get("status").lower(),
                    "start": start,
                    "end": end,
                    "start_time": start_time,
                    "end_time": end_time,
                    "countries": countries,
                    "note": row.get("note"),
                    "sources": _source_ids(row),
                    "evidence": evidence,
                },
            )

    def outage(self, row: Row) -> None:
        identifier = self.identifier(row, "id", "outages")
        node = nt.data("outage", identifier)
        self.add(node, _P["type"], _P["Outage"])
        self.add(node, _P["outageOf"], self.reference(row, "actor", "entities"))
        start, start_time = self.add_moment(node, row, "start")
        if not start:
            raise InputError("outage start is empty", row.location)
        end, end_time = self.add_moment(node, row, "end")
        if end and (end, end_time or end) < (start, start_time or start):
            raise InputError(f"outage ends ({end}) before it starts ({start})", row.location)
        partial = self.extent(node, row)
        countries = self.countries(node, row)
        issuer = self.reference(row, "issuer", "entities", required=False)
        if issuer is not None:
            self.add(node, _P["orderedBy"], issuer)
        self.text(node, _P["description"], row, "description")
        self.sources(row, node)
        if self.on_record is not None:
            self.on_record(
                "outages",
                {
                    "id": identifier,
                    "actor": row.get("actor"),
                    "start": start,
                    "end": end,
                    "start_time": start_time,
                    "end_time": end_time,
                    "partial": partial,
                    "countries": countries,
                    "issuer": row.get("issuer"),
                    "description": row.get("description"),
                    "sources": _source_ids(row),
                },
            )


#: One converted row: column name -> checked value (``sources``: a list of source identifiers).
Record = dict


def _source_ids(row: Row) -> list[str]:
    return [part.strip() for part in row.get("source").split(";") if part.strip()]


@dataclass
class Conversion:
    """What a streamed conversion wrote: triples, and rows per table."""

    triples: int
    rows: dict[str, int]


def csv_to_ntriples(
    dataset: CsvDataset,
    write: Callable[[str], object],
    *,
    vocab: Vocabulary | None = None,
    known_entities: Iterable[str] = (),
    on_record: Callable[[str, Record], object] | None = None,
) -> Conversion:
    """Convert a :class:`CsvDataset` to N-Triples lines passed to ``write`` (no ontology triples).

    ``on_record``, when given, also receives every converted row as ``(table, record)``: the row's values
    checked and normalised (identifiers, ISO dates, notations, source identifiers as a list), for
    building column tables beside the triples.
    """
    converter = _Converter(
        lambda table: dataset.rows[table], write, vocab or vocabulary(), set(known_entities), on_record
    )
    converter.convert()
    return Conversion(converter.triples, converter.counts)


def known_entities_query(vocab: Vocabulary | None = None) -> str:
    """SPARQL selecting ``?i``, the identifiers of the actors that RDF loaded beside CSV files defines
    (what the rows may refer to without defining), for rdflib and pyoxigraph alike."""
    kinds = " ".join(f"<{iri}>" for iri in (vocab or vocabulary()).actor_kinds.values())
    return (
        f"SELECT DISTINCT ?i WHERE {{ ?n a ?k ; <{DCTERMS.identifier}> ?i . VALUES ?k {{ {kinds} }} "
        f"FILTER NOT EXISTS {{ ?n a <{PD.Dependency}> }} }}"
    )


def stream_csv_to_ntriples(
    paths: Iterable[str | Path],
    write: Callable[[str], object],
    *,
    vocab: Vocabulary | None = None,
    known_entities: Iterable[str] = (),
    on_record: Callable[[str, Record], object] | None = None,
) -> Conversion:
    """Like :func:`csv_to_ntriples`, but reads the files as it goes instead of holding every row.

    Memory stays proportional to the number of identifiers, not of rows, so files of millions of rows
    convert in bounded memory. The output is the same as for :func:`read_csv_dataset` then
    :func:`csv_to_ntriples`.
    """
    by_table: dict[str, list[Path]] = {name: [] for name in ALL_TABLES}
    for path in csv_paths(paths):
        by_table[_open_table(path)[0].name].append(path)

    def rows(table: str) -> Iterable[Row]:
        for path in by_table[table]:
            yield from _file_rows(path)

    def ids(table: str) -> Iterable[tuple[str, SourceLocation]]:
        for path in by_table[table]:
            for value, line in _file_ids(path):
                yield value, SourceLocation(str(path), line)

    converter = _Converter(rows, write, vocab or vocabulary(), set(known_entities), on_record, ids)
    converter.convert()
    return Conversion(converter.triples, converter.counts)


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
    >>> from kg.model.namespace import data_iri
    >>> (data_iri("dependency", "acme-host"), PD.provider, data_iri("entity", "host")) in graph
    True
    """
    lines: list[str] = []
    csv_to_ntriples(dataset, lines.append, vocab=vocab, known_entities=known_entities)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if lines:
        graph.parse(data="".join(lines), format="nt")
    return graph
