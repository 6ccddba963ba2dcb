"""Records out of RDF in a pyoxigraph store, with SPARQL: what :func:`kg.facts.read_facts` reads, as records.

RDF that did not come from the CSV format (Turtle, N-Triples, RDF/XML, JSON-LD written by hand or by
other tools) is loaded into the store as it is; these queries then read every actor, dependency,
event, observation and source back as records for :class:`~kg.store.tables.TablesBuilder`, following
the same rules as :mod:`kg.facts` (an actor is a node typed with an actor kind; its identifier is its
``dcterms:identifier`` or else the last segment of its IRI; ill-formed dates are left out).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from kg.namespace import DCTERMS, PD, PROV, RDF, RDFS, SCHEMA, XSD, identifier_of
from kg.vocabulary import Vocabulary

__all__ = ["extract_records"]


def _values(store, subject_type_clause: str, predicates) -> dict[str, dict[str, object]]:
    """For every subject matching the clause, the first object of each predicate (keyed by predicate)."""
    found: dict[str, dict[str, object]] = defaultdict(dict)
    listed = " ".join(f"<{p}>" for p in predicates)
    query = f"SELECT ?s ?p ?o WHERE {{ {subject_type_clause} ?s ?p ?o . VALUES ?p {{ {listed} }} }}"
    for solution in store.query(query):
        found[_key(solution["s"])].setdefault(solution["p"].value, solution["o"])
    return found


def _key(term) -> str:
    return term.value if hasattr(term, "value") and not _is_blank(term) else str(term)


def _is_blank(term) -> bool:
    return type(term).__name__ == "BlankNode"


def _text(term) -> str | None:
    return None if term is None else term.value


def _day(term) -> str:
    """The ISO date of an ``xsd:date`` (or the date of an ``xsd:dateTime``) literal; "" when ill-formed."""
    moment = _moment(term)
    if isinstance(moment, dt.datetime):
        return moment.date().isoformat()
    return moment.isoformat() if isinstance(moment, dt.date) else ""


def _moment(term) -> dt.date | dt.datetime | None:
    if term is None or not hasattr(term, "datatype"):
        return None
    datatype, lexical = term.datatype.value, term.value
    try:
        if datatype == str(XSD.date):
            return dt.date.fromisoformat(lexical[:10]) if len(lexical) in (10, 11, 16) else None
        if datatype == str(XSD.dateTime):
            return dt.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def extract_records(store, vocab: Vocabulary, add: Callable[[str, dict], object]) -> None:
    """Read every record of the store's default graph and pass each to ``add(table, record)``."""
    identifiers = {
        _key(solution["n"]): solution["i"].value
        for solution in store.query(f"SELECT ?n ?i WHERE {{ ?n <{DCTERMS.identifier}> ?i }}")
    }

    def entity_id(node) -> str:
        key = _key(node)
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
                "date": _text(values.get(str(DCTERMS.issued))) or "",
                "publisher": _text(values.get(str(DCTERMS.publisher))) or "",
                "title": _text(values.get(str(DCTERMS.title))) or "",
                "url": _text(values.get(str(SCHEMA.url))) or "",
            },
        )
    for solution in store.query(f"SELECT ?s ?t WHERE {{ ?s <{PROV.wasDerivedFrom}> ?t }}"):
        target = _key(solution["t"])
        if target in source_ids:
            cited[_key(solution["s"])].append(source_ids[target])

    kinds_by_iri = {str(iri): key for key, iri in vocab.actor_kinds.items()}
    listed = " ".join(f"<{iri}>" for iri in kinds_by_iri)
    kinds: dict[str, set[str]] = defaultdict(set)
    nodes = {}
    for solution in store.query(f"SELECT ?e ?k WHERE {{ ?e a ?k . VALUES ?k {{ {listed} }} }}"):
        key = _key(solution["e"])
        kinds[key].add(kinds_by_iri[solution["k"].value])
        nodes[key] = solution["e"]
    entity_clause = f"?s a ?kind . VALUES ?kind {{ {listed} }}"
    entity_values = _values(store, entity_clause, [RDFS.label, PD.ownedBy, PD.countryCode, SCHEMA.url])
    for key, node in nodes.items():
        values = entity_values.get(key, {})
        identifier = entity_id(node)
        owner = values.get(str(PD.ownedBy))
        add(
            "entities",
            {
                "id": identifier,
                "iri": key,
                "name": _text(values.get(str(RDFS.label))) or identifier,
                "kinds": sorted(kinds[key]),
                "owner": entity_id(owner) if owner is not None else "",
                "country": _text(values.get(str(PD.countryCode))) or "",
                "homepage": _text(values.get(str(SCHEMA.url))) or "",
                "sources": cited.get(key, []),
            },
        )

    services = {str(service.iri): key for key, service in vocab.services.items()}
    dependency_properties = [PD.dependent, PD.provider, PD.service, PD.startDate, PD.endDate, PD.endedBy, PD.effect]
    dependency_values = _values(store, f"?s a <{PD.Dependency}> .", [*dependency_properties, PD.note])
    for key, values in dependency_values.items():
        identifier = identifier_of(key)
        dependent, provider = values.get(str(PD.dependent)), values.get(str(PD.provider))
        service = values.get(str(PD.service))
        add(
            "dependencies",
            {
                "id": identifier,
                "iri": key,
                "dependent": entity_id(dependent) if dependent is not None else "",
                "provider": entity_id(provider) if provider is not None else "",
                "service": services.get(service.value, "") if service is not None else "",
                "start": _day(values.get(str(PD.startDate))),
                "end": _day(values.get(str(PD.endDate))),
                "ended_by": notation_of(values.get(str(PD.endedBy))),
                "effect": notation_of(values.get(str(PD.effect))),
                "note": _text(values.get(str(PD.note))) or "",
                "sources": cited.get(key, []),
            },
        )
    _ = RDF  # the queries use the `a` keyword for rdf:type

    event_kinds = {str(iri): key for key, iri in vocab.event_kinds.items()}
    listed = " ".join(f"<{iri}>" for iri in event_kinds)
    event_kind_of = {
        _key(solution["e"]): event_kinds[solution["k"].value]
        for solution in store.query(f"SELECT ?e ?k WHERE {{ ?e a ?k . VALUES ?k {{ {listed} }} }}")
    }
    event_values = _values(
        store, f"?s a ?kind . VALUES ?kind {{ {listed} }}", [PD.date, PD.actsOn, DCTERMS.description]
    )
    for key, kind in event_kind_of.items():
        values = event_values.get(key, {})
        moment = _moment(values.get(str(PD.date)))
        if moment is None:
            continue
        target = values.get(str(PD.actsOn))
        add(
            "events",
            {
                "id": identifier_of(key),
                "iri": key,
                "kind": kind,
                "when": moment.isoformat(),
                "dependency": identifier_of(target.value) if target is not None else "",
                "description": _text(values.get(str(DCTERMS.description))) or "",
                "sources": cited.get(key, []),
            },
        )

    observation_properties = [PD.observedActor, PD.status, PD.startDate, PD.endDate, PD.note]
    for key, values in _values(store, f"?s a <{PD.AvailabilityObservation}> .", observation_properties).items():
        start, status = _day(values.get(str(PD.startDate))), values.get(str(PD.status))
        if not start or status is None:
            continue
        actor = values.get(str(PD.observedActor))
        add(
            "availability",
            {
                "id": identifier_of(key),
                "actor": entity_id(actor) if actor is not None else "",
                "status": notation_of(status),
                "start": start,
                "end": _day(values.get(str(PD.endDate))),
                "note": _text(values.get(str(PD.note))) or "",
                "sources": cited.get(key, []),
            },
        )
