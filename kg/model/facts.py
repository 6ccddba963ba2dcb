"""Typed records read out of an RDF graph: entities, dependencies, events, observations and their sources.

A measured dependency or observation carries the identifiers of the evidence it rests on (``evidence``),
which source it as a publication would; the runs and the evidence themselves stay in the RDF, for SPARQL.

These plain dataclasses are what analysis and output work on, so neither has to know RDF. Reading is
one pass per kind of node over the graph's triples.

Reference reader; pairs with :mod:`kg.store.extract` (records out of a store with SPARQL), held to the same
records by ``tests/test_store.py::test_the_store_holds_the_same_records_as_rdflib_reads``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kg.model.namespace import DCTERMS, PD, PROV, RDF, RDFS, SCHEMA, identifier_of
from kg.model.vocabulary import vocabulary

__all__ = [
    "Dependency",
    "Entity",
    "Event",
    "Facts",
    "Observation",
    "Outage",
    "Source",
    "check_analysable",
    "in_period",
    "owners_of",
    "parse_day",
    "parse_instant",
    "read_facts",
    "refuse_unanalysable",
    "unanalysable",
]


@dataclass(frozen=True, order=True)
class Source:
    """A publication a fact rests on."""

    date: str  # ISO 8601: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known
    publisher: str
    title: str
    url: str
    identifier: str

    def cite(self) -> str:
        """A one-line citation: publisher, date, URL."""
        return f"{self.publisher}, {self.date or 'undated'}, {self.url}"


#: The kind of a provider the sources show existed but do not name (``pd:UnnamedProvider``).
UNNAMED_KIND = "unnamed"


@dataclass(frozen=True)
class Entity:
    """An actor: platform, provider or company."""

    identifier: str
    iri: URIRef
    name: str
    kinds: tuple[str, ...]
    owner: str | None = None
    country: str | None = None
    homepage: str | None = None
    sources: tuple[Source, ...] = ()

    @property
    def is_platform(self) -> bool:
        return any(kind in vocabulary().platform_kinds for kind in self.kinds)

    @property
    def unnamed(self) -> bool:
        """A provider the sources show existed but do not name: it supplies, but is never a cut target."""
        return UNNAMED_KIND in self.kinds


@dataclass(frozen=True)
class Dependency:
    """That ``dependent`` obtained ``service`` from ``provider`` on dates ``start <= d < end``."""

    identifier: str
    iri: URIRef
    dependent: str
    provider: str
    service: str
    start: dt.date | None = None
    end: dt.date | None = None
    ended_by: str | None = None  # "provider", "dependent", "unknown"
    effect: str | None = None  # override: "essential" or "channel"
    note: str | None = None
    sources: tuple[Source, ...] = ()
    start_time: dt.datetime | None = None  # the instant of ``start`` where sources give a time (UTC)
    end_time: dt.datetime | None = None  # the instant of ``end`` where sources give a time (UTC)
    countries: tuple[str, ...] = ()  # where it applies (ISO codes); empty: everywhere
    upstream: tuple[str, ...] | None = None  # services it is resold on; None: the service's default
    partial: bool = False  # supplied only in part (pd:partial): it keeps the dependent up but impaired
    evidence: tuple[str, ...] = ()  # measured: the identifiers of the pd:Evidence it rests on

    @property
    def sourced(self) -> bool:
        """Whether a publication or a measurement's evidence backs it."""
        return bool(self.sources or self.evidence)

    @property
    def relies_on(self) -> tuple[str, ...]:
        """The services the provider must itself have to supply this (its own override, else the service's
        default in the vocabulary, ``pd:resoldOn``); nothing for self-provision."""
        if self.self_provided:
            return ()
        if self.upstream is not None:
            return self.upstream
        service = vocabulary().services.get(self.service)
        return service.upstream if service is not None else ()

    @property
    def self_provided(self) -> bool:
        """Whether the dependent provides this service to itself (self-hosting)."""
        return self.dependent == self.provider

    def active_on(self, day: dt.date) -> bool:
        """Whether the dependency holds on ``day`` (start <= day < end; open ends hold).

        Examples
        --------
        >>> d = Dependency("d", URIRef("x"), "a", "b", "hosting", dt.date(2020, 1, 1), dt.date(2021, 1, 11))
        >>> d.active_on(dt.date(2021, 1, 10)), d.active_on(dt.date(2021, 1, 11))
        (True, False)
        """
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Event:
    """A dated cut-off, warning or restoration acting on a dependency."""

    identifier: str
    iri: URIRef
    kind: str  # "cut-off", "warning", "restoration"
    when: dt.date | dt.datetime
    dependency: str
    description: str = ""
    sources: tuple[Source, ...] = ()
    countries: tuple[str, ...] = ()  # where the cut-off applies; empty: everywhere
    issuer: str | None = None  # the authority that ordered a cut-off

    @property
    def day(self) -> dt.date:
        """The UTC calendar date of the event."""
        if isinstance(self.when, dt.datetime):
            moment = self.when.astimezone(dt.UTC) if self.when.tzinfo else self.when
            return moment.date()
        return self.when


@dataclass(frozen=True)
class Observation:
    """An observed availability status of an actor over ``start <= d < end``."""

    identifier: str
    actor: str
    status: str  # "online", "degraded", "offline"
    start: dt.date
    end: dt.date | None = None
    note: str | None = None
    sources: tuple[Source, ...] = ()
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    countries: tuple[str, ...] = ()  # where it was observed; empty: everywhere
    evidence: tuple[str, ...] = ()  # measured: the identifiers of the pd:Evidence it rests on

    @property
    def sourced(self) -> bool:
        """Whether a publication or a measurement's evidence backs it."""
        return bool(self.sources or self.evidence)


@dataclass(frozen=True)
class Outage:
    """A period ``start <= d < end`` in which ``actor`` could not run its own service, wholly or in part,
    for a reason that is no provider's cut-off (a power failure, a raid, an attack, its own shutdown)."""

    identifier: str
    iri: URIRef
    actor: str
    start: dt.date
    end: dt.date | None = None
    partial: bool = False  # degraded, not offline; what it supplies is impaired
    description: str = ""
    sources: tuple[Source, ...] = ()
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    countries: tuple[str, ...] = ()  # where it applies; empty: everywhere
    issuer: str | None = None  # the authority that ordered it (a raid), if any

    def holds(self, day: dt.date, moment: dt.datetime | None = None) -> bool:
        """Whether the outage is under way on ``day`` (at ``moment``, where its start or end has a time).

        >>> o = Outage("o", URIRef("o"), "x", dt.date(2025, 1, 19), dt.date(2025, 1, 20))
        >>> o.holds(dt.date(2025, 1, 19)), o.holds(dt.date(2025, 1, 20))
        (True, False)
        """
        return in_period(self, day, moment)


def owners_of(entities, identifier: str) -> list[Entity]:
    """The ownership chain of ``identifier`` in ``entities`` (identifier -> :class:`Entity`), nearest owner
    first; it stops at an owner not recorded and never goes round a loop.

    >>> def company(name, owner):
    ...     return Entity(name, URIRef(f"urn:{name}"), name.upper(), ("company",), owner=owner)
    >>> [owner.identifier for owner in owners_of({"a": company("a", "b"), "b": company("b", "a")}, "a")]
    ['b']
    """
    owners, seen = [], {identifier}
    owner = entities[identifier].owner if identifier in entities else None
    while owner and owner not in seen and owner in entities:
        owners.append(entities[owner])
        seen.add(owner)
        owner = entities[owner].owner
    return owners


def in_period(period, day: dt.date, moment: dt.datetime | None = None) -> bool:
    """Whether ``period`` (anything with ``start``, ``end``, ``start_time``, ``end_time``: an outage, an
    observation) covers ``day``, at ``moment`` where both it and the question have a time of day: the
    date rule ``start <= day < end``, with the instants compared instead where they are known.

    >>> four = dt.datetime(2025, 1, 19, 4, tzinfo=dt.UTC)
    >>> o = Outage("o", URIRef("o"), "x", dt.date(2025, 1, 19), None, start_time=four)
    >>> in_period(o, dt.date(2025, 1, 19)), in_period(o, four.date(), four - dt.timedelta(hours=1))
    (True, False)
    """
    if moment is not None and period.start_time is not None:
        started = period.start_time <= moment
    else:
        started = period.start <= day
    if period.end is None:
        return started
    if moment is not None and period.end_time is not None:
        return started and moment < period.end_time
    return started and day < period.end


@dataclass
class Facts:
    """Every record of a graph, keyed by identifier."""

    entities: dict[str, Entity] = field(default_factory=dict)
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    observations: dict[str, Observation] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    outages: dict[str, Outage] = field(default_factory=dict)


def unanalysable(dependencies) -> tuple[str, int]:
    """The first dependency an analysis cannot use, described (no dependent, no provider, or a service that
    is not in the vocabulary), and how many such there are; ``("", 0)`` when all can be used."""
    first, count = "", 0
    for dependency in dependencies:
        missing = [
            what
            for what, value in (("dependent", dependency.dependent), ("provider", dependency.provider))
            if not value
        ]
        if not dependency.service:
            missing.append("service of the vocabulary")
        if missing:
            count += 1
            first = first or f"dependency <{dependency.iri}> has no {' and no '.join(missing)}"
    return first, count


def check_analysable(facts: Facts) -> None:
    """Raise :class:`~kg.errors.InputError` when a dependency cannot be analysed (see :func:`unanalysable`):
    an analysis would otherwise drop it or name an empty provider without a word."""
    refuse_unanalysable(*unanalysable(facts.dependencies.values()))


def refuse_unanalysable(first: str, count: int) -> None:
    """Raise :class:`~kg.errors.InputError` for what :func:`unanalysable` (or the column tables' version of
    it) found, if anything."""
    from kg.errors import InputError

    if count:
        more = f" (and {count - 1} more)" if count > 1 else ""
        raise InputError(f"{first}{more}: kg validate says what the data lacks")


def parse_day(value: Literal | None) -> dt.date | None:
    """Return the date of an ``xsd:date`` literal, or ``None`` when absent or ill-formed."""
    if value is None:
        return None
    python = value.toPython() if isinstance(value, Literal) else value
    if isinstance(python, dt.datetime):
        return python.date()
    return python if isinstance(python, dt.date) else None


def parse_instant(value: Literal | None) -> dt.datetime | None:
    """Return the UTC instant of an ``xsd:dateTime`` literal with an offset, or ``None`` (absent, ill-formed,
    or without an offset: a local time without a zone names no instant)."""
    python = value.toPython() if isinstance(value, Literal) else value
    if isinstance(python, dt.datetime) and python.tzinfo is not None:
        return python.astimezone(dt.UTC)
    return None


def _upstream(graph: Graph, node, services: dict) -> tuple[str, ...] | None:
    """A dependency's own ``pd:resoldOn`` services (``()`` when ``pd:standalone``), or ``None``: the default."""
    standalone = graph.value(node, PD.standalone)
    if standalone is not None and standalone.toPython() is True:
        return ()
    listed = sorted(services[s] for s in graph.objects(node, PD.resoldOn) if s in services)
    return tuple(listed) if listed else None


def _countries(graph: Graph, node) -> tuple[str, ...]:
    return tuple(sorted({str(code) for code in graph.objects(node, PD.appliesIn)}))


def _text(graph: Graph, node, predicate) -> str | None:
    value = graph.value(node, predicate)
    return str(value) if value is not None else None


def read_facts(graph: Graph) -> Facts:
    """Read every entity, dependency, event, observation and source of ``graph`` into :class:`Facts`."""
    vocab = vocabulary()
    facts = Facts()
    source_nodes = {}
    for node in graph.subjects(RDF.type, PD.Source):
        source = Source(
            date=_text(graph, node, DCTERMS.issued) or "",
            publisher=_text(graph, node, DCTERMS.publisher) or "",
            title=_text(graph, node, DCTERMS.title) or "",
            url=_text(graph, node, SCHEMA.url) or "",
            identifier=identifier_of(node),
        )
        source_nodes[node] = source
        facts.sources[source.identifier] = source

    cited = defaultdict(list)
    evidence = set(graph.subjects(RDF.type, PD.Evidence))
    measured = defaultdict(set)  # fact -> the identifiers of the evidence it rests on
    for subject, target in graph.subject_objects(PROV.wasDerivedFrom):
        if target in source_nodes:
            cited[subject].append(source_nodes[target])
        elif target in evidence:
            measured[subject].add(identifier_of(target))

    def sources_of(node) -> tuple[Source, ...]:
        return tuple(sorted(set(cited.get(node, ()))))

    def evidence_of(node) -> tuple[str, ...]:
        return tuple(sorted(measured.get(node, ())))

    kinds_by_iri = {iri: key for key, iri in vocab.actor_kinds.items()}
    actor_kinds = defaultdict(set)
    for kind_iri, key in kinds_by_iri.items():
        for node in graph.subjects(RDF.type, kind_iri):
            actor_kinds[node].add(key)
    for node, kinds in actor_kinds.items():
        identifier = _text(graph, node, DCTERMS.identifier) or identifier_of(node)
        owner = graph.value(node, PD.ownedBy)
        facts.entities[identifier] = Entity(
            identifier=identifier,
            iri=node,
            name=_text(graph, node, RDFS.label) or identifier,
            kinds=tuple(sorted(kinds)),
            owner=_entity_id(graph, owner),
            country=_text(graph, node, PD.countryCode),
            homepage=_text(graph, node, SCHEMA.url),
            sources=sources_of(node),
        )

    services = {service.iri: key for key, service in vocab.services.items()}
    for node in graph.subjects(RDF.type, PD.Dependency):
        ending = graph.value(node, PD.endedBy)
        effect = graph.value(node, PD.effect)
        dependency = Dependency(
            identifier=identifier_of(node),
            iri=node,
            dependent=_entity_id(graph, graph.value(node, PD.dependent)) or "",
            provider=_entity_id(graph, graph.value(node, PD.provider)) or "",
            service=services.get(graph.value(node, PD.service), ""),
            start=parse_day(graph.value(node, PD.startDate)),
            end=parse_day(graph.value(node, PD.endDate)),
            ended_by=_notation(ending),
            effect=_notation(effect),
            note=_text(graph, node, PD.note),
            sources=sources_of(node),
            start_time=parse_instant(graph.value(node, PD.startTime)),
            end_time=parse_instant(graph.value(node, PD.endTime)),
            countries=_countries(graph, node),
            upstream=_upstream(graph, node, services),
            partial=_flag(graph, node, PD.partial),
            evidence=evidence_of(node),
        )
        facts.dependencies[dependency.identifier] = dependency

    event_kinds = {iri: key for key, iri in vocab.event_kinds.items()}
    for kind_iri, kind in event_kinds.items():
        for node in graph.subjects(RDF.type, kind_iri):
            when = graph.value(node, PD.date)
            python = when.toPython() if isinstance(when, Literal) else None
            if not isinstance(python, (dt.date, dt.datetime)):
                continue
            target = graph.value(node, PD.actsOn)
            event = Event(
                identifier=identifier_of(node),
                iri=node,
                kind=kind,
                when=python,
                dependency=identifier_of(target) if target is not None else "",
                description=_text(graph, node, DCTERMS.description) or "",
                sources=sources_of(node),
                countries=_countries(graph, node),
                issuer=_entity_id(graph, graph.value(node, PD.orderedBy)),
            )
            facts.events[event.identifier] = event

    for node in graph.subjects(RDF.type, PD.AvailabilityObservation):
        start = parse_day(graph.value(node, PD.startDate))
        status = graph.value(node, PD.status)
        if start is None or status is None:
            continue
        observation = Observation(
            identifier=identifier_of(node),
            actor=_entity_id(graph, graph.value(node, PD.observedActor)) or "",
            status=_notation(status) or "",
            start=start,
            end=parse_day(graph.value(node, PD.endDate)),
            note=_text(graph, node, PD.note),
            sources=sources_of(node),
            start_time=parse_instant(graph.value(node, PD.startTime)),
            end_time=parse_instant(graph.value(node, PD.endTime)),
            countries=_countries(graph, node),
            evidence=evidence_of(node),
        )
        facts.observations[observation.identifier] = observation

    for node in graph.subjects(RDF.type, PD.Outage):
        start = parse_day(graph.value(node, PD.startDate))
        if start is None:
            continue
        outage = Outage(
            identifier=identifier_of(node),
            iri=node,
            actor=_entity_id(graph, graph.value(node, PD.outageOf)) or "",
            start=start,
            end=parse_day(graph.value(node, PD.endDate)),
            partial=_flag(graph, node, PD.partial),
            description=_text(graph, node, DCTERMS.description) or "",
            sources=sources_of(node),
            start_time=parse_instant(graph.value(node, PD.startTime)),
            end_time=parse_instant(graph.value(node, PD.endTime)),
            countries=_countries(graph, node),
            issuer=_entity_id(graph, graph.value(node, PD.orderedBy)),
        )
        facts.outages[outage.identifier] = outage
    return facts


def _flag(graph: Graph, node, predicate) -> bool:
    value = graph.value(node, predicate)
    return value is not None and value.toPython() is True


def _notation(term) -> str | None:
    if term is None:
        return None
    try:
        return vocabulary().notation(term)
    except KeyError:
        return identifier_of(term)


def _entity_id(graph: Graph, node) -> str | None:
    if node is None:
        return None
    identifier = graph.value(node, DCTERMS.identifier)
    return str(identifier) if identifier is not None else identifier_of(node)
