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
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal

from kg.csvdata import CsvDataset, Row, csv_to_graph
from kg.errors import InputError, SourceLocation
from kg.namespace import DCTERMS, PD, PREFIXES, PROV, RDF, RDFS, SCHEMA, XSD, data_iri
from kg.vocabulary import vocabulary

__all__ = ["FILES", "ImportReport", "import_webdep", "provider_aliases"]

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


def _read_rows(path: Path):
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            yield from enumerate(csv.reader(handle), start=1)
    except FileNotFoundError:
        raise InputError("no such file (is this the webdep-us-2023 folder?)", SourceLocation(str(path))) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", SourceLocation(str(path))) from None


def import_webdep(folder: str | Path) -> tuple[Graph, ImportReport]:
    """Convert the measurement folder to an RDF data graph; return it with an :class:`ImportReport`.

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
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder (give the webdep-us-2023 folder)", SourceLocation(str(folder)))
    aliases = provider_aliases()
    services = vocabulary().services
    report = ImportReport()
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    source = data_iri("source", SOURCE_ID)
    graph.add((source, RDF.type, PD.Source))
    graph.add(
        (source, DCTERMS.publisher, Literal("Aqsa Kashaf, Vyas Sekar and Yuvraj Agarwal (GitHub AqsaKashaf/Webdep)"))
    )
    graph.add((source, DCTERMS.issued, Literal("2023-06", datatype=XSD.gYearMonth)))
    graph.add(
        (source, DCTERMS.title, Literal("Webdep: DNS, CDN and CA dependencies of top US websites (CrUX, April 2023)"))
    )
    graph.add((source, SCHEMA.url, Literal("https://github.com/AqsaKashaf/Webdep", datatype=XSD.anyURI)))

    websites: set[str] = set()
    providers: dict[str, str] = {}  # identifier -> measured name of first sight

    def add_website(domain: str) -> str:
        identifier = _identifier(domain)
        if identifier not in websites:
            websites.add(identifier)
            node = data_iri("entity", identifier)
            graph.add((node, RDF.type, PD.Website))
            graph.add((node, RDFS.label, Literal(domain.strip().lower())))
            graph.add((node, DCTERMS.identifier, Literal(identifier)))
            graph.add((node, PROV.wasDerivedFrom, source))
        return identifier

    for _line, row in _read_rows(folder / "websites.csv"):
        report.rows["websites.csv"] += 1
        if len(row) < 2 or not row[1].strip():
            report.skipped["no domain"] += 1
            continue
        add_website(row[1])

    seen: set[str] = set()
    for filename, service in FILES.items():
        for _line, row in _read_rows(folder / filename):
            report.rows[filename] += 1
            fields = [value.strip() for value in row]
            # ca.csv rows sometimes carry the OCSP responder host as an extra third column.
            if service == "certificate-authority" and len(fields) == 6:
                fields = fields[:2] + fields[3:]
            if len(fields) < 4 or not fields[1] or not fields[2]:
                report.skipped["no provider named"] += 1
                continue
            domain, measured, classification = fields[1], fields[2], fields[3]
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
            node = data_iri("dependency", identifier)
            graph.add((node, RDF.type, PD.Dependency))
            graph.add((node, PD.dependent, data_iri("entity", site)))
            graph.add((node, PD.provider, data_iri("entity", provider)))
            graph.add((node, PD.service, services[service].iri))
            graph.add((node, PD.measuredName, Literal(measured)))
            graph.add((node, PROV.wasDerivedFrom, source))
            if classification not in ("Pvt", "Third"):
                graph.add((node, PD.note, Literal(f"measured as {classification!r}: not known whether third party")))
            if service == "certificate-authority" and len(fields) >= 5 and fields[4] in ("True", "False"):
                stapled = fields[4] == "True"
                graph.add((node, PD.ocspStapling, Literal(stapled)))
                if stapled and provider != site:
                    # A stapling site keeps serving while its CA is unreachable: not a critical dependency.
                    graph.add((node, PD.effect, PD.Channel))
            report.dependencies += 1
            report.self_provided += provider == site

    canonical = _canonical_providers(set(providers))
    graph += canonical
    for identifier, measured in providers.items():
        node = data_iri("entity", identifier)
        graph.add((node, RDF.type, PD.Provider))
        if (node, RDFS.label, None) not in canonical:
            graph.add((node, DCTERMS.identifier, Literal(identifier)))
            if identifier not in websites:
                graph.add((node, RDFS.label, Literal(measured)))
    report.websites = len(websites)
    report.providers = len(providers)
    return graph, report
