"""Importer for the web-dependency measurements of Kashaf, Sekar and Agarwal (``webdep-us-2023``).

The measurements list, for about 8,000 popular US websites, their DNS providers, CDNs and certificate
authorities, each row marked ``Pvt`` (the site's own infrastructure), ``Third`` (a third party) or
``unknown``. The importer maps them onto the ontology:

* every website becomes a ``website`` entity whose identifier is its domain;
* a ``Third`` or ``unknown`` row becomes a dependency on the provider, whose measured name is
  normalised through ``kg/webdep-aliases.csv`` and ``kg/webdep-providers.csv`` (so ``amazon.com``
  DNS, ``cloudfront`` CDN and the ``amazon`` CA all become ``aws``, the identifier the curated
  dataset uses) or, when it is not listed there, lower-cased into an identifier of its own; the
  measured spelling is kept in
  ``pd:measuredName``;
* a ``Pvt`` row becomes a self-provided dependency (the site is its own provider): an alternative no
  outside provider can cut;
* a CA row keeps whether the site staples OCSP (``pd:ocspStapling``); a stapling site's CA dependency
  is a channel (``pd:effect pd:Channel``), since the site keeps serving while its CA is unreachable:
  as in Kashaf et al., only sites without stapling depend critically on their CA;
* rows repeated in the files count once; rows too short to name a provider, or whose provider is no
  name at all (``.``, a private IP address), are skipped and counted in the :class:`ImportReport`.

The measurements carry no dates: the dependencies have no start or end, and cite the data set.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.errors import InputError, SourceLocation
from kg.io.csvdata import CsvDataset, Row, csv_to_graph
from kg.io.csvfiles import records
from kg.io.ntriples import data, iri, literal, triple
from kg.model.namespace import DCTERMS, PD, PREFIXES, PROV, RDF, RDFS, SCHEMA, XSD, data_iri
from kg.model.vocabulary import vocabulary

__all__ = ["FILES", "ImportReport", "import_webdep", "provider_aliases", "stream_webdep"]

#: The measurement files read, with the service each one measures.
FILES = {"dns.csv": "dns", "cdn.csv": "cdn", "ca.csv": "certificate-authority"}
PROVIDERS = Path(__file__).with_name("webdep-providers.csv")
ALIASES = Path(__file__).with_name("webdep-aliases.csv")
SOURCE_ID = "webdep-us-2023"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_USABLE = re.compile(r"[A-Za-z]")
_IPV4 = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


@dataclass
class ImportReport:
    """What an import read, made and skipped."""

    rows: Counter = field(default_factory=Counter)  # per file
    skipped: Counter = field(default_factory=Counter)  # per reason
    duplicates: int = 0
    websites: int = 0
    providers: int = 0
    dependencies: int = 0
    self_provided: int = 0
    unmapped_providers: Counter = field(default_factory=Counter)  # measured names with no alias


def _commented_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def provider_aliases(path: str | Path = ALIASES) -> dict[tuple[str, str], str]:
    """Read the alias table: (service or ``*``, measured name lower-cased) -> provider identifier."""
    return {(row["service"], row["measured"].lower()): row["id"] for row in _commented_csv(Path(path))}


def _canonical_providers(used: set[str]) -> Graph:
    """The entities of ``webdep-providers.csv`` that ``used`` names, with their owners, as RDF."""
    rows = {row["id"]: row for row in _commented_csv(PROVIDERS)}
    wanted, stack = set(), [identifier for identifier in used if identifier in rows]
    while stack:
        identifier = stack.pop()
        if identifier not in wanted:
            wanted.add(identifier)
            if rows[identifier]["owner"]:
                stack.append(rows[identifier]["owner"])
    dataset = CsvDataset()
    location = SourceLocation(str(PROVIDERS))
    dataset.rows["entities"] = [Row(rows[identifier], location) for identifier in sorted(wanted)]
    return csv_to_graph(dataset)


def _identifier(text: str) -> str:
    return _UNSAFE.sub("-", text.strip().lower()).strip("-._") or "unnamed"


#: How each row of a measurement file is classified (4th field).
CLASSIFICATIONS = ("Pvt", "Third", "unknown")
_RANK = re.compile(r"^\d+$")


def _read_rows(path: Path):
    """``(line, fields)`` of each row of a measurement file, checked to have the measurements' shape:
    a rank first, and a known classification in the fourth field (which a file of another shape lacks)."""
    if not path.is_file():
        raise InputError("no such file (is this the webdep-us-2023 folder?)", SourceLocation(str(path)))
    for line, row in records(path):
        if row and not _RANK.match(row[0].strip()):
            raise InputError(
                f"not a webdep-us-2023 row: the first field should be a rank, not {row[0][:40]!r}",
                SourceLocation(str(path), line),
            )
        yield line, row


def _shape_error(path: Path, line: int, classification: str) -> InputError:
    known = ", ".join(CLASSIFICATIONS)
    return InputError(
        f"not a webdep-us-2023 row: the fourth field should be one of {known}, not {classification[:40]!r}",
        SourceLocation(str(path), line),
    )


def import_webdep(folder: str | Path) -> tuple[Graph, ImportReport]:
    """Convert the measurement folder to an RDF data graph; return it with an :class:`ImportReport`
    (:func:`stream_webdep` writes the same triples as N-Triples lines, with no graph in memory).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "websites.csv").write_text("1000,example.com\\n1000,other.org\\n")
    >>> _ = (folder / "dns.csv").write_text("1000,example.com,amazon.com,Third\\n1000,other.org,other.org,Pvt\\n")
    >>> _ = (folder / "cdn.csv").write_text("1000,example.com,cloudfront,Third\\n1000,other.org\\n")
    >>> _ = (folder / "ca.csv").write_text("1000,example.com,amazon,Third,True\\n")
    >>> graph, report = import_webdep(folder)
    >>> report.dependencies, report.self_provided, report.skipped["no provider named"]
    (4, 1, 1)
    >>> (data_iri("dependency", "example.com-cdn-aws"), PD.provider, data_iri("entity", "aws")) in graph
    True
    """
    lines: list[str] = []
    report = stream_webdep(folder, lines.append)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data="".join(lines), format="nt")
    return graph, report


def stream_webdep(folder: str | Path, write: Callable[[str], object]) -> ImportReport:
    """Convert the measurement folder to N-Triples, passing each line to ``write`` as it is made;
    return the :class:`ImportReport`. Memory grows with the websites and providers, not the rows."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder (give the webdep-us-2023 folder)", SourceLocation(str(folder)))
    aliases = provider_aliases()
    services = vocabulary().services
    report = ImportReport()
    a, label, identifier_of, derived = iri(RDF.type), iri(RDFS.label), iri(DCTERMS.identifier), iri(PROV.wasDerivedFrom)
    source = data("source", SOURCE_ID)
    publisher = "Aqsa Kashaf, Vyas Sekar and Yuvraj Agarwal (GitHub AqsaKashaf/Webdep)"
    title = "Webdep: DNS, CDN and CA dependencies of top US websites (CrUX, April 2023)"
    write(triple(source, a, iri(PD.Source)))
    write(triple(source, iri(DCTERMS.publisher), literal(publisher)))
    write(triple(source, iri(DCTERMS.issued), literal("2023-06", str(XSD.gYearMonth))))
    write(triple(source, iri(DCTERMS.title), literal(title)))
    write(triple(source, iri(SCHEMA.url), literal("https://github.com/AqsaKashaf/Webdep", str(XSD.anyURI))))
    dependency_terms = {
        name: iri(term)
        for name, term in (
            ("type", PD.Dependency),
            ("dependent", PD.dependent),
            ("provider", PD.provider),
            ("service", PD.service),
            ("measured", PD.measuredName),
            ("note", PD.note),
            ("stapling", PD.ocspStapling),
            ("effect", PD.effect),
            ("channel", PD.Channel),
        )
    }
    service_terms = {name: iri(service.iri) for name, service in services.items()}
    boolean = str(XSD.boolean)

    websites: set[str] = set()
    providers: dict[str, str] = {}  # identifier -> measured name of first sight

    def add_website(domain: str) -> str:
        identifier = _identifier(domain)
        if identifier not in websites:
            websites.add(identifier)
            node = data("entity", identifier)
            write(triple(node, a, iri(PD.Website)))
            write(triple(node, label, literal(domain.strip().lower())))
            write(triple(node, identifier_of, literal(identifier)))
            write(triple(node, derived, source))
        return identifier

    for _line, row in _read_rows(folder / "websites.csv"):
        report.rows["websites.csv"] += 1
        if len(row) < 2 or not row[1].strip():
            report.skipped["no domain"] += 1
            continue
        add_website(row[1])

    seen: set[str] = set()
    terms = dependency_terms
    for filename, service in FILES.items():
        short: list[int] = []  # lines of rows too short to name a provider
        for line, row in _read_rows(folder / filename):
            report.rows[filename] += 1
            fields = [value.strip() for value in row]
            # ca.csv rows sometimes carry the OCSP responder host as an extra third column.
            if service == "certificate-authority" and len(fields) == 6:
                fields = fields[:2] + fields[3:]
            if len(fields) < 4 or not fields[1] or not fields[2]:
                report.skipped["no provider named"] += 1
                short.append(line)
                continue
            domain, measured, classification = fields[1], fields[2], fields[3]
            if classification not in CLASSIFICATIONS:
                raise _shape_error(folder / filename, line, classification)
            if not _USABLE.search(measured.rstrip(".")) or _IPV4.match(measured.rstrip(".")):
                report.skipped["unusable provider name"] += 1
                continue
            site = add_website(domain)
            if classification == "Pvt":
                provider = site
            else:
                alias = aliases.get((service, measured.lower())) or aliases.get(("*", measured.lower()))
                provider = alias or _identifier(measured)
                if alias is None:
                    report.unmapped_providers[measured] += 1
                providers.setdefault(provider, measured)
            identifier = f"{site}-{service}-{provider}"
            if identifier in seen:
                report.duplicates += 1
                continue
            seen.add(identifier)
            node = data("dependency", identifier)
            write(triple(node, a, terms["type"]))
            write(triple(node, terms["dependent"], data("entity", site)))
            write(triple(node, terms["provider"], data("entity", provider)))
            write(triple(node, terms["service"], service_terms[service]))
            write(triple(node, terms["measured"], literal(measured)))
            write(triple(node, derived, source))
            if classification not in ("Pvt", "Third"):
                note = f"measured as {classification!r}: not known whether third party"
                write(triple(node, terms["note"], literal(note)))
            if service == "certificate-authority" and len(fields) >= 5 and fields[4] in ("True", "False"):
                stapled = fields[4] == "True"
                write(triple(node, terms["stapling"], literal("true" if stapled else "false", boolean)))
                if stapled and provider != site:
                    # A stapling site keeps serving while its CA is unreachable: not a critical dependency.
                    write(triple(node, terms["effect"], terms["channel"]))
            report.dependencies += 1
            report.self_provided += provider == site
        if len(short) * 2 > report.rows[filename]:
            raise InputError(
                f"not a webdep-us-2023 {service} file: {len(short):,} of {report.rows[filename]:,} rows lack "
                "rank, domain, provider and classification",
                SourceLocation(str(folder / filename), short[0]),
            )

    canonical = _canonical_providers(set(providers))
    for line in canonical.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines():
        if line.strip():
            write(line + "\n")
    for identifier, measured in providers.items():
        node = data("entity", identifier)
        write(triple(node, a, iri(PD.Provider)))
        if (data_iri("entity", identifier), RDFS.label, None) not in canonical:
            write(triple(node, identifier_of, literal(identifier)))
            if identifier not in websites:
                write(triple(node, label, literal(measured)))
    report.websites = len(websites)
    report.providers = len(providers)
    return report
