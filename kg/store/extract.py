"""Records out of RDF in a pyoxigraph store, with SPARQL: what :func:`kg.model.facts.read_facts` reads, as records.

RDF that did not come from the CSV format (Turtle, N-Triples, RDF/XML, JSON-LD written by hand or by
other tools) is loaded into the store as it is; these queries then read every actor, dependency,
event, observation and source back as records for :class:`~kg.store.tablebuilder.TablesBuilder`, following
the same rules as :mod:`kg.model.facts` (an actor is a node typed with an actor kind; its identifier is its
``dcterms:identifier`` or else the last segment of its IRI; ill-formed dates are left out).

Fast reader; pairs with :func:`kg.model.facts.read_facts`, held to the same records by
``tests/test_store.py::test_the_store_holds_the_same_records_as_rdflib_reads``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from kg.io.queryrows import Term, select_rows
from kg.model.namespace import DCTERMS, PD, PROV, RDFS, SCHEMA, XSD, identifier_of
from kg.model.vocabulary import Vocabulary

__all__ = ["extract_records", "find_faults", "iso_day", "iso_instant"]

_DCTERMS_DESCRIPTION = str(DCTERMS.description)
_DCTERMS_ISSUED = str(DCTERMS.issued)
_DCTERMS_PUBLISHER = str(DCTERMS.publisher)
_DCTERMS_TITLE = str(DCTERMS.title)
_PD_ACTSON = str(PD.actsOn)
_PD_COUNTRYCODE = str(PD.countryCode)
_PD_DATE = str(PD.date)
_PD_DEPENDENT = str(PD.dependent)
_PD_EFFECT = str(PD.effect)
_PD_ENDDATE = str(PD.endDate)
_PD_ENDEDBY = str(PD.endedBy)
_PD_ENDTIME = str(PD.endTime)
_PD_ORDEREDBY = str(PD.orderedBy)
_PD_STARTTIME = str(PD.startTime)
_PD_STANDALONE = str(PD.standalone)
_PD_NOTE = str(PD.note)
_PD_OBSERVEDACTOR = str(PD.observedActor)
_PD_OUTAGEOF = str(PD.outageOf)
_PD_PARTIAL = str(PD.partial)
_PD_OWNEDBY = str(PD.ownedBy)
_PD_PROVIDER = str(PD.provider)
_PD_SERVICE = str(PD.service)
_PD_STARTDATE = str(PD.startDate)
_PD_STATUS = str(PD.status)
_RDFS_LABEL = str(RDFS.label)
_SCHEMA_URL = str(SCHEMA.url)


def _values(store, subject_type_clause: str, predicates) -> dict[str, dict[str, Term]]:
    """For every subject matching the clause, the first object of each predicate (keyed by predicate)."""
    found: dict[str, dict[str, Term]] = defaultdict(dict)
    listed = " ".join(f"<{p}>" for p in predicates)
    query = f"SELECT ?s ?p ?o WHERE {{ {subject_type_clause} ?s ?p ?o . VALUES ?p {{ {listed} }} }}"
    for subject, predicate, obj in select_rows(store, query):
        found[subject.value].setdefault(predicate.value, obj)
    return found


def _text(term: Term | None) -> str | None:
    return None if term is None else term.value


def iso_day(term) -> str:
    """The ISO date of an ``xsd:date`` (or the date of an ``xsd:dateTime``) literal; "" when ill-formed."""
    moment = _moment(term)
    if isinstance(moment, dt.datetime):
        return moment.date().isoformat()
    return moment.isoformat() if isinstance(moment, dt.date) else ""


def iso_instant(term) -> str:
    """The UTC instant of an ``xsd:dateTime`` literal with an offset, ISO 8601; "" when absent or ill-formed."""
    moment = _moment(term)
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).isoformat()
    return ""


def _true(term: Term | None) -> bool:
    """Whether an ``xsd:boolean`` term is true."""
    return term is not None and term.value in ("true", "1")


def _upstream(standalone: Term | None, services: list[str] | None) -> str:
    """A dependency's ``upstream`` as the tables keep it: "" (the default), "-" (none) or services joined by ";"."""
    if _true(standalone):
        return "-"
    return ";".join(sorted(set(services or ())))


def _moment(term: Term | None) -> dt.date | dt.datetime | None:
    if term is None or term.datatype is None:
        return None
    datatype, lexical = term.datatype, term.value
    try:
        if datatype == str(XSD.date):
            return dt.date.fromisoformat(lexical[:10]) if len(lexical) in (10, 11, 16) else None
        if datatype == str(XSD.dateTime):
            return dt.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


_DATE_VALUES = f"""
SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ <{PD.startDate}> <{PD.endDate}> <{PD.date}> <{PD.startTime}> <{PD.endTime}> }}
  ?s ?p ?o .
  BIND(IF(datatype(?o) = <{XSD.dateTime}>, <{XSD.dateTime}>(str(?o)), <{XSD.date}>(str(?o))) AS ?value)
  FILTER(!BOUND(?value) || !isLiteral(?o) || datatype(?o) NOT IN (<{XSD.date}>, <{XSD.dateTime}>))
}}
"""

_SINGLE_VALUES = f"""
SELECT ?s ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{
  VALUES ?p {{ <{PD.dependent}> <{PD.provider}> <{PD.service}> <{PD.startDate}> <{PD.endDate}> <{PD.startTime}>
             <{PD.endTime}> <{PD.endedBy}> <{PD.effect}> }}
  ?s a <{PD.Dependency}> ; ?p ?o .
}} GROUP BY ?s ?p HAVING (COUNT(DISTINCT ?o) > 1)
"""


def find_faults(store) -> tuple[str, int]:
    """What in the store's default graph an analysis could only read wrongly: a date that is not a valid
    ``xsd:date`` or ``xsd:dateTime`` (it would be taken as no date), a dependency with more than one
    dependent, provider or service (one would be picked). Returns the first, described, and how many.
    """
    first, count = "", 0
    for subject, predicate, value in select_rows(store, _DATE_VALUES):
        count += 1
        shown = value.value if value is not None else ""
        first = first or f"<{subject.value}> has {identifier_of(predicate.value)} {shown[:60]!r}, not a valid date"
    for subject, predicate, number in select_rows(store, _SINGLE_VALUES):
        count += 1
        first = first or f"dependency <{subject.value}> has {number.value} values of {identifier_of(predicate.value)}"
    return first, count


def extract_records(store, vocab: Vocabulary, add: Callable[[str, dict], object]) -> None:
    """Read every record of the store's default graph and pass each to ``add(table, record)``."""
    identifiers = {
        node.value: value.value
        for node, value in select_rows(store, f"SELECT ?n ?i WHERE {{ ?n <{DCTERMS.identifier}> ?i }}")
    }

    def entity_id(node) -> str:
        key = node.value
        return identifiers.get(key) or identifier_of(key)

    notation = {str(iri): key for key, iri in vocab.endings.items()}
    notation.update({str(iri): key for key, iri in vocab.effects.items()})
    notation.update({str(iri): key for key, iri in vocab.statuses.items()})

    def notation_of(term) -> str:
        return "" if term is None else notation.get(term.value) or identifier_of(term.value)

    cited: dict[str, list[str]] = defaultdict(list)
    source_values = _values(
        store, f"?s a <{PD.Source}> .", [DCTERMS.issued, DCTERMS.publisher, DCTERMS.title, SCHEMA.url]
    )
    source_ids = {node: identifier_of(node) for node in source_values}
    for node, values in source_values.items():
        add(
            "sources",
            {
                "id": source_ids[node],
                "date": _text(values.get(_DCTERMS_ISSUED)) or "",
                "publisher": _text(values.get(_DCTERMS_PUBLISHER)) or "",
                "title": _text(values.get(_DCTERMS_TITLE)) or "",
                "url": _text(values.get(_SCHEMA_URL)) or "",
            },
        )
    measured: dict[str, list[str]] = defaultdict(list)  # fact -> the identifiers of the evidence it rests on
    evidence_query = f"SELECT ?s ?t WHERE {{ ?s <{PROV.wasDerivedFrom}> ?t . ?t a <{PD.Evidence}> }}"
    for subject, target in select_rows(store, evidence_query):
        measured[subject.value].append(identifier_of(target.value))
    for subject, target in select_rows(store, f"SELECT ?s ?t WHERE {{ ?s <{PROV.wasDerivedFrom}> ?t }}"):
        if target.value in source_ids:
            cited[subject.value].append(source_ids[target.value])

    kinds_by_iri = {str(iri): key for key, iri in vocab.actor_kinds.items()}
    listed = " ".join(f"<{iri}>" for iri in kinds_by_iri)
    kinds: dict[str, set[str]] = defaultdict(set)
    nodes = {}
    for node, kind in select_rows(store, f"SELECT ?e ?k WHERE {{ ?e a ?k . VALUES ?k {{ {listed} }} }}"):
        kinds[node.value].add(kinds_by_iri[kind.value])
        nodes[node.value] = node
    entity_clause = f"?s a ?kind . VALUES ?kind {{ {listed} }}"
    entity_values = _values(store, entity_clause, [RDFS.label, PD.ownedBy, PD.countryCode, SCHEMA.url])
    for key, node in nodes.items():
        values = entity_values.get(key, {})
        identifier = entity_id(node)
        owner = values.get(_PD_OWNEDBY)
        add(
            "entities",
            {
                "id": identifier,
                "iri": key,
                "name": _text(values.get(_RDFS_LABEL)) or identifier,
                "kinds": sorted(kinds[key]),
                "owner": entity_id(owner) if owner is not None else "",
                "country": _text(values.get(_PD_COUNTRYCODE)) or "",
                "homepage": _text(values.get(_SCHEMA_URL)) or "",
                "sources": cited.get(key, []),
            },
        )

    applies: dict[str, list[str]] = defaultdict(list)
    for subject, code in select_rows(store, f"SELECT ?s ?c WHERE {{ ?s <{PD.appliesIn}> ?c }}"):
        applies[subject.value].append(code.value)
    services = {str(service.iri): key for key, service in vocab.services.items()}
    resold: dict[str, list[str]] = defaultdict(list)
    for subject, service in select_rows(store, f"SELECT ?s ?u WHERE {{ ?s <{PD.resoldOn}> ?u ; a <{PD.Dependency}> }}"):
        if service.value in services:
            resold[subject.value].append(services[service.value])
    dependency_properties = [PD.dependent, PD.provider, PD.service, PD.startDate, PD.endDate, PD.endedBy, PD.effect]
    times = [PD.startTime, PD.endTime]
    dependency_values = _values(
        store, f"?s a <{PD.Dependency}> .", [*dependency_properties, *times, PD.standalone, PD.partial, PD.note]
    )
    for key, values in dependency_values.items():
        identifier = identifier_of(key)
        dependent, provider = values.get(_PD_DEPENDENT), values.get(_PD_PROVIDER)
        service = values.get(_PD_SERVICE)
        add(
            "dependencies",
            {
                "id": identifier,
                "iri": key,
                "dependent": entity_id(dependent) if dependent is not None else "",
                "provider": entity_id(provider) if provider is not None else "",
                "service": services.get(service.value, "") if service is not None else "",
                "start": iso_day(values.get(_PD_STARTDATE)),
                "end": iso_day(values.get(_PD_ENDDATE)),
                "start_time": iso_instant(values.get(_PD_STARTTIME)),
                "end_time": iso_instant(values.get(_PD_ENDTIME)),
                "ended_by": notation_of(values.get(_PD_ENDEDBY)),
                "effect": notation_of(values.get(_PD_EFFECT)),
                "countries": sorted(set(applies.get(key, ()))),
                "upstream": _upstream(values.get(_PD_STANDALONE), resold.get(key)),
                "partial": _true(values.get(_PD_PARTIAL)),
                "note": _text(values.get(_PD_NOTE)) or "",
                "sources": cited.get(key, []),
                "evidence": sorted(set(measured.get(key, ()))),
            },
        )

    event_kinds = {str(iri): key for key, iri in vocab.event_kinds.items()}
    listed = " ".join(f"<{iri}>" for iri in event_kinds)
    event_kind_of = {
        node.value: event_kinds[kind.value]
        for node, kind in select_rows(store, f"SELECT ?e ?k WHERE {{ ?e a ?k . VALUES ?k {{ {listed} }} }}")
    }
    event_values = _values(
        store, f"?s a ?kind . VALUES ?kind {{ {listed} }}", [PD.date, PD.actsOn, PD.orderedBy, DCTERMS.description]
    )
    for key, kind in event_kind_of.items():
        values = event_values.get(key, {})
        moment = _moment(values.get(_PD_DATE))
        if moment is None:
            continue
        target = values.get(_PD_ACTSON)
        add(
            "events",
            {
                "id": identifier_of(key),
                "iri": key,
                "kind": kind,
                "when": moment.isoformat(),
                "dependency": identifier_of(target.value) if target is not None else "",
                "countries": sorted(set(applies.get(key, ()))),
                "issuer": entity_id(issuer) if (issuer := values.get(_PD_ORDEREDBY)) is not None else "",
                "description": _text(values.get(_DCTERMS_DESCRIPTION)) or "",
                "sources": cited.get(key, []),
            },
        )

    observation_properties = [PD.observedActor, PD.status, PD.startDate, PD.endDate, *times, PD.note]
    for key, values in _values(store, f"?s a <{PD.AvailabilityObservation}> .", observation_properties).items():
        start, status = iso_day(values.get(_PD_STARTDATE)), values.get(_PD_STATUS)
        if not start or status is None:
            continue
        actor = values.get(_PD_OBSERVEDACTOR)
        add(
            "availability",
            {
                "id": identifier_of(key),
                "actor": entity_id(actor) if actor is not None else "",
                "status": notation_of(status),
                "start": start,
                "end": iso_day(values.get(_PD_ENDDATE)),
                "start_time": iso_instant(values.get(_PD_STARTTIME)),
                "end_time": iso_instant(values.get(_PD_ENDTIME)),
                "countries": sorted(set(applies.get(key, ()))),
                "note": _text(values.get(_PD_NOTE)) or "",
                "sources": cited.get(key, []),
                "evidence": sorted(set(measured.get(key, ()))),
            },
        )

    outage_properties = [PD.outageOf, PD.startDate, PD.endDate, *times, PD.partial, PD.orderedBy, DCTERMS.description]
    for key, values in _values(store, f"?s a <{PD.Outage}> .", outage_properties).items():
        start = iso_day(values.get(_PD_STARTDATE))
        if not start:
            continue
        actor = values.get(_PD_OUTAGEOF)
        add(
            "outages",
            {
                "id": identifier_of(key),
                "iri": key,
                "actor": entity_id(actor) if actor is not None else "",
                "start": start,
                "end": iso_day(values.get(_PD_ENDDATE)),
                "start_time": iso_instant(values.get(_PD_STARTTIME)),
                "end_time": iso_instant(values.get(_PD_ENDTIME)),
                "partial": _true(values.get(_PD_PARTIAL)),
                "countries": sorted(set(applies.get(key, ()))),
                "issuer": entity_id(issuer) if (issuer := values.get(_PD_ORDEREDBY)) is not None else "",
                "description": _text(values.get(_DCTERMS_DESCRIPTION)) or "",
                "sources": cited.get(key, []),
            },
        )
