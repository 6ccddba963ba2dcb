"""An address's origin AS and its organisation, from a routing table and an AS-to-organisation file the user
gives (``--asn-db``, ``--as-org``): nothing is shipped or downloaded.

Routing tables, plain or gzip-compressed, one or several files (an IPv4 and an IPv6 one):

* pyasn's IPASN text format, as ``pyasn_util_convert.py`` writes it from a RouteViews or RIPE RIS dump:
  comment lines starting with ``;``, then ``prefix/length<TAB>AS number`` per line (``1.0.0.0/24<TAB>13335``);
* a CSV of inclusive address ranges ``start,end,AS number[,organisation]`` without a header, such as the
  ASN tables of ip-location-db (``asn-ipv4.csv``, ``asn-ipv6.csv``, CC BY 4.0). Ranges given as numbers
  (its ``-num`` files) are refused: which family a number is cannot be told from the number.

An address takes the most specific route that covers it (longest-prefix match). The routes are flattened
once into disjoint ranges, each carrying the most specific route over it, and a lookup is a bisection:
pure Python, under 10 microseconds a lookup; a table the size of a full RouteViews dump (1.1 million
routes) loads in about 7 seconds and 400 MB on one core. (pyasn does the same in a C extension, published as
source to compile, and reads its own format only.)

AS-to-organisation files are CAIDA's as2org, plain or gzip-compressed, in either of its formats: the text
one, whose ``# format:aut|changed|aut_name|org_id|opaque_id|source`` and
``# format:org_id|changed|org_name|country|source`` lines say what the ``|``-separated lines after them
hold, or the JSON lines one (``{"type": "ASN", "asn": ..., "organizationId": ...}``).

Every file read is described by a :class:`FileSource` (path, size, modification time, SHA-256) for the
measurement's provenance. A malformed line is an :class:`~kg.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import socket
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError, SourceLocation, quoted

__all__ = [
    "AsOrganisation",
    "AsOrganisations",
    "FileSource",
    "Origin",
    "RoutingTable",
    "file_source",
    "load_as_organisations",
    "load_routing_table",
    "origin",
]

#: A route as read: (first address, last address, AS number, organisation, file number, line number).
_Route = tuple[int, int, int, str, int, int]
_FAMILIES = {4: (socket.AF_INET, 32), 6: (socket.AF_INET6, 128)}
_MAPPED = 0xFFFF << 32  # ::ffff:0:0/96, IPv4 addresses written as IPv6 ones


@dataclass(frozen=True)
class FileSource:
    """A file a measurement read: where it was, how big, when last changed, and its SHA-256."""

    path: str
    size: int
    modified: dt.datetime  # UTC
    sha256: str

    def __str__(self) -> str:
        return f"{self.path} ({self.size:,} bytes, modified {self.modified:%Y-%m-%dT%H:%M:%SZ}, sha256 {self.sha256})"


def file_source(path: str | Path) -> FileSource:
    """Describe ``path`` for a measurement's provenance.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".dat") as handle:
    ...     _ = handle.write(b"1.0.0.0/24\\t13335\\n"); handle.flush()
    ...     source = file_source(handle.name)
    >>> source.size, source.sha256[:12]
    (17, '992bef27a17b')
    """
    return _read(Path(path))[1]


def _read(path: Path) -> tuple[Iterable[str], FileSource]:
    """The lines of a file (gzip or plain, UTF-8), decoded as they are read, and its description."""
    try:
        data = path.read_bytes()
        status = path.stat()
    except OSError as error:
        raise InputError(f"cannot read it: {error.strerror or error}", SourceLocation(str(path))) from None
    source = FileSource(
        str(path),
        status.st_size,
        dt.datetime.fromtimestamp(status.st_mtime, dt.UTC).replace(microsecond=0),
        hashlib.sha256(data).hexdigest(),
    )
    return _lines(data, str(path)), source


def _lines(data: bytes, path: str) -> Iterator[str]:
    # Streamed, not split at once: the lines of a full routing table as a list take 100 MB.
    stream: BinaryIO = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)
    try:
        yield from io.TextIOWrapper(stream, encoding="utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read it as gzip or UTF-8 text: {error}", SourceLocation(path)) from None


def _address(text: str) -> tuple[int, int] | None:
    """(family, value) of an address, or None when ``text`` is none."""
    for family, (af, _) in _FAMILIES.items():
        try:
            return family, int.from_bytes(socket.inet_pton(af, text), "big")
        except (OSError, ValueError):
            continue
    return None


def _text(family: int, value: int) -> str:
    af, bits = _FAMILIES[family]
    return socket.inet_ntop(af, value.to_bytes(bits // 8, "big"))


@dataclass(frozen=True)
class Origin:
    """Where an address is routed from: the most specific route over it, its origin AS and organisation."""

    address: str
    prefix: str  # the route: "1.0.0.0/24", or "start-end" for a range that is no prefix
    asn: int
    as_name: str = ""
    organisation: str = ""
    org_id: str = ""
    country: str = ""


class _Family:
    """The routes of one address family, flattened into disjoint ranges for bisection."""

    def __init__(self, family: int) -> None:
        self.family = family
        # IPv4 bounds packed as 64-bit integers (a full table has a million routes); IPv6 ones need 128 bits
        self.starts: array[int] | list[int] = array("Q") if family == 4 else []
        self.ends: array[int] | list[int] = array("Q") if family == 4 else []
        # per segment, its route: first and last address, AS number and organisation (an index in names)
        self.route_starts: array[int] | list[int] = array("Q") if family == 4 else []
        self.route_ends: array[int] | list[int] = array("Q") if family == 4 else []
        self.asns = array("L")
        self.organisations = array("L")
        self.names: list[str] = [""]
        self._name_numbers: dict[str, int] = {"": 0}

    def build(self, routes: Iterable[_Route], paths: Sequence[str]) -> None:
        """Flatten nested routes: each address gets the innermost one. Ranges that overlap without one
        containing the other cannot be flattened so and are refused; a route listed twice keeps its first."""
        open_routes: list[_Route] = []
        cursor = 0

        def emit(start: int, end: int, route: _Route) -> None:
            if start <= end:
                self.starts.append(start)
                self.ends.append(end)
                self.route_starts.append(route[0])
                self.route_ends.append(route[1])
                self.asns.append(route[2])
                self.organisations.append(self._name_number(route[3]))

        for route in sorted(routes, key=lambda r: (r[0], -r[1])):
            start, end = route[0], route[1]
            while open_routes and open_routes[-1][1] < start:
                closed = open_routes.pop()
                emit(cursor, closed[1], closed)
                cursor = closed[1] + 1
            if open_routes:
                outer = open_routes[-1]
                if (outer[0], outer[1]) == (start, end):
                    continue
                if end > outer[1]:
                    raise InputError(
                        f"{_text(self.family, start)}-{_text(self.family, end)} overlaps "
                        f"{_text(self.family, outer[0])}-{_text(self.family, outer[1])} "
                        f"({paths[outer[4]]}:{outer[5]}) without either containing the other",
                        SourceLocation(paths[route[4]], route[5]),
                    )
                emit(cursor, start - 1, outer)
            cursor = start
            open_routes.append(route)
        while open_routes:
            closed = open_routes.pop()
            emit(cursor, closed[1], closed)
            cursor = closed[1] + 1

    def _name_number(self, name: str) -> int:
        if name not in self._name_numbers:
            self._name_numbers[name] = len(self.names)
            self.names.append(name)
        return self._name_numbers[name]

    def find(self, value: int) -> tuple[int, int, int, str] | None:
        """(first address, last address, AS number, organisation) of the route over ``value``, if any."""
        i = bisect.bisect_right(self.starts, value) - 1
        if i < 0 or value > self.ends[i]:
            return None
        return self.route_starts[i], self.route_ends[i], self.asns[i], self.names[self.organisations[i]]


class RoutingTable:
    """Routes (prefixes or ranges, IPv4 and IPv6) with their origin AS; see :func:`load_routing_table`."""

    def __init__(self, sources: Sequence[FileSource], families: dict[int, _Family], routes: int) -> None:
        self.sources = list(sources)
        self._families = families
        self.routes = routes  # as read, before flattening

    def lookup(self, address: str) -> Origin | None:
        """The origin of the most specific route over ``address``, None when no route covers it.

        An IPv4 address written as IPv6 (``::ffff:192.0.2.1``) is looked up as IPv4. Raises ValueError for a
        text that is no address.
        """
        parsed = _address(address.strip())
        if parsed is None:
            raise ValueError(f"{quoted(address)} is no IP address")
        family, value = parsed
        if family == 6 and value >> 32 == 0xFFFF:
            family, value = 4, value - _MAPPED
        found = self._families[family].find(value)
        if found is None:
            return None
        start, end, asn, organisation = found
        return Origin(address, _route_text(family, start, end), asn, organisation=organisation)


def _route_text(family: int, start: int, end: int) -> str:
    size = end - start + 1
    length = _FAMILIES[family][1] - (size.bit_length() - 1)
    if size & (size - 1) == 0 and start % size == 0:
        return f"{_text(family, start)}/{length}"
    return f"{_text(family, start)}-{_text(family, end)}"


def load_routing_table(paths: str | Path | Sequence[str | Path]) -> RoutingTable:
    """Read one or more routing tables (pyasn IPASN text or CSV ranges, plain or gzip, told apart by their
    first line), for longest-prefix lookups of IPv4 and IPv6 addresses.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".dat") as handle:
    ...     _ = handle.write("; IP-ASN32-DAT file\\n8.0.0.0/9\\t3356\\n8.8.8.0/24\\t15169\\n"); handle.flush()
    ...     table = load_routing_table(handle.name)
    >>> table.lookup("8.8.8.8").asn, table.lookup("8.8.8.8").prefix, table.lookup("8.1.2.3").prefix
    (15169, '8.8.8.0/24', '8.0.0.0/9')
    >>> table.lookup("9.9.9.9") is None
    True
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    routes: dict[int, list[_Route]] = {4: [], 6: []}
    sources = []
    for number, path in enumerate(map(Path, paths)):
        lines, source = _read(path)
        sources.append(source)
        for family, route in _routes(lines, str(path), number):
            routes[family].append(route)
    families = {family: _Family(family) for family in _FAMILIES}
    for family, listed in routes.items():
        families[family].build(listed, [source.path for source in sources])
    return RoutingTable(sources, families, sum(len(listed) for listed in routes.values()))


def _routes(lines: Iterable[str], path: str, file_number: int) -> Iterable[tuple[int, _Route]]:
    kind = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if kind is None:
            kind = "ranges" if "," in stripped else "ipasn" if "/" in stripped else None
            if kind is None:
                raise InputError(
                    f"expected 'prefix/length<TAB>AS number' (pyasn) or 'start,end,AS number[,organisation]' "
                    f"(ranges), found {quoted(stripped)}",
                    SourceLocation(path, number),
                )
            if kind == "ranges" and stripped.split(",", 1)[0].replace("_", "").isalpha():
                continue  # a header row names its columns
        try:
            family, start, end, asn, organisation = (_range_route if kind == "ranges" else _prefix_route)(stripped)
        except ValueError as error:
            raise InputError(str(error), SourceLocation(path, number)) from None
        yield family, (start, end, asn, organisation, file_number, number)


def _asn(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or int(text) >= 2**32:
        raise ValueError(f"{quoted(text)} is no AS number (0 to 4294967295)")
    return int(text)


def _prefix_route(line: str) -> tuple[int, int, int, int, str]:
    """(family, first address, last address, AS number, organisation) of a pyasn line; ValueError saying why
    the line is none."""
    fields = line.split()
    if len(fields) != 2 or fields[0].count("/") != 1:
        raise ValueError(f"expected 'prefix/length<TAB>AS number', found {quoted(line)}")
    network, _, length_text = fields[0].partition("/")
    parsed = _address(network)
    if parsed is None or not length_text.isdigit() or int(length_text) > _FAMILIES[parsed[0]][1]:
        raise ValueError(f"{quoted(fields[0])} is no IPv4 or IPv6 prefix")
    family, start = parsed
    host_bits = _FAMILIES[family][1] - int(length_text)
    if start & ((1 << host_bits) - 1):
        raise ValueError(f"{quoted(fields[0])} has bits set after its length")
    return family, start, start + (1 << host_bits) - 1, _asn(fields[1]), ""


def _range_route(line: str) -> tuple[int, int, int, int, str]:
    """As :func:`_prefix_route`, for a line of ranges."""
    fields = next(csv.reader([line]))
    if len(fields) < 3:
        raise ValueError(f"expected 'start,end,AS number[,organisation]', found {quoted(line)}")
    first, last = _address(fields[0].strip()), _address(fields[1].strip())
    if first is None or last is None:
        numeric = fields[0].strip().isdigit() and fields[1].strip().isdigit()
        hint = " (numbers: give the file with addresses, not a -num one)" if numeric else ""
        raise ValueError(f"{quoted(fields[0])}-{quoted(fields[1])} is no address range{hint}")
    if first[0] != last[0] or first[1] > last[1]:
        raise ValueError(f"{fields[0]}-{fields[1]} is no range: its end is before its start or another family")
    organisation = ",".join(fields[3:]).strip()  # an organisation with unquoted commas keeps them
    return first[0], first[1], last[1], _asn(fields[2]), organisation


@dataclass(frozen=True)
class AsOrganisation:
    """An AS and the organisation that holds it, as CAIDA's as2org says."""

    asn: int
    as_name: str
    org_id: str
    name: str  # the organisation's name, "" when the file lists the AS but not its organisation
    country: str
    registry: str  # the RIR or NIR the record comes from


class AsOrganisations:
    """CAIDA's AS-to-organisation mapping; see :func:`load_as_organisations`."""

    def __init__(
        self, source: FileSource, ases: dict[int, tuple[str, str, str]], orgs: dict[str, tuple[str, str, str]]
    ):
        self.source = source
        self._ases = ases  # asn -> (as name, org id, registry)
        self._orgs = orgs  # org id -> (name, country, registry)

    def __len__(self) -> int:
        return len(self._ases)

    def get(self, asn: int) -> AsOrganisation | None:
        """The AS's record, None when the file does not list it."""
        if asn not in self._ases:
            return None
        as_name, org_id, registry = self._ases[asn]
        name, country, _ = self._orgs.get(org_id, ("", "", ""))
        return AsOrganisation(asn, as_name, org_id, name, country, registry)


def load_as_organisations(path: str | Path) -> AsOrganisations:
    """Read CAIDA's as2org file (text with ``# format:`` lines, or JSON lines; plain or gzip).

    Examples
    --------
    >>> import tempfile
    >>> text = ("# format:org_id|changed|org_name|country|source\\nLVLT-ARIN|20120130|Level 3 Parent, LLC|US|ARIN\\n"
    ...         "# format:aut|changed|aut_name|org_id|opaque_id|source\\n3356|20120224|LEVEL3|LVLT-ARIN||ARIN\\n")
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
    ...     _ = handle.write(text); handle.flush()
    ...     organisations = load_as_organisations(handle.name)
    >>> organisations.get(3356).name, organisations.get(3356).country, organisations.get(1) is None
    ('Level 3 Parent, LLC', 'US', True)
    """
    lines, source = _read(Path(path))
    ases: dict[int, tuple[str, str, str]] = {}
    orgs: dict[str, tuple[str, str, str]] = {}
    columns: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        where = SourceLocation(str(path), number)
        stripped = line.strip()
        if stripped.startswith("#"):
            header = stripped.lstrip("#").strip()
            if header.startswith("format:"):
                columns = [c.strip() for c in header.removeprefix("format:").split("|")]
                if "aut" not in columns and "org_id" not in columns:
                    raise InputError(f"a format line with neither 'aut' nor 'org_id': {quoted(stripped)}", where)
            continue
        if not stripped:
            continue
        if stripped.startswith("{"):
            _json_record(stripped, where, ases, orgs)
            continue
        if columns is None:
            raise InputError("a record before any '# format:' line says what its fields are", where)
        fields = stripped.split("|")
        if len(fields) != len(columns):
            raise InputError(f"expected {len(columns)} fields ({'|'.join(columns)}), found {len(fields)}", where)
        record = dict(zip(columns, fields, strict=True))
        if "aut" in record:
            ases[_as_number(record["aut"], where)] = (
                record.get("aut_name", record.get("name", "")),
                record.get("org_id", ""),
                record.get("source", ""),
            )
        else:
            orgs[record["org_id"]] = (
                record.get("org_name", record.get("name", "")),
                record.get("country", ""),
                record.get("source", ""),
            )
    return AsOrganisations(source, ases, orgs)


def _as_number(text: str, where: SourceLocation) -> int:
    try:
        return _asn(text)
    except ValueError as error:
        raise InputError(str(error), where) from None


def _json_record(line: str, where: SourceLocation, ases: dict, orgs: dict) -> None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"not a JSON record: {error.msg}", where) from None
    if not isinstance(record, dict):
        raise InputError("a JSON line that is no record", where)
    kind = record.get("type")
    if kind == "ASN":
        ases[_as_number(str(record.get("asn", "")), where)] = (
            str(record.get("name", "")),
            str(record.get("organizationId", "")),
            str(record.get("source", "")),
        )
    elif kind == "Organization":
        orgs[str(record.get("organizationId", ""))] = (
            str(record.get("name", "")),
            str(record.get("country", "")),
            str(record.get("source", "")),
        )
    else:
        raise InputError(f"a record of type {quoted(str(kind))}: expected 'ASN' or 'Organization'", where)


def origin(address: str, table: RoutingTable, organisations: AsOrganisations | None = None) -> Origin | None:
    """An address's origin AS and its organisation: the route from ``table``, the AS's name and its
    organisation from ``organisations`` when given and listing it, else the organisation the routing
    table's row names (ip-location-db's ranges carry one).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv") as handle:
    ...     _ = handle.write('2001:db8::,2001:db8::ffff,64500,"Example, Inc."\\n'); handle.flush()
    ...     table = load_routing_table(handle.name)
    >>> origin("2001:db8::1", table)
    Origin(address='2001:db8::1', prefix='2001:db8::/112', asn=64500, as_name='', organisation='Example, Inc.', \
org_id='', country='')
    """
    found = table.lookup(address)
    if found is None or organisations is None:
        return found
    record = organisations.get(found.asn)
    if record is None:
        return found
    return Origin(
        found.address,
        found.prefix,
        found.asn,
        record.as_name,
        record.name or found.organisation,
        record.org_id,
        record.country,
    )
