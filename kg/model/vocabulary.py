"""The controlled vocabularies, read from the ontology: services, kinds of actor and event, endings, statuses.

Each term has a short identifier (its ``skos:notation``) that CSV files and the command line use:
``hosting``, ``app-store-ios``, ``social-network``, ``cut-off``... The ontology is the single source of
truth; nothing here lists them again.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rdflib import Graph, Literal, URIRef

from kg.errors import UnknownNameError
from kg.model.namespace import PD, RDF, RDFS, SKOS
from kg.model.resources import ONTOLOGY

__all__ = ["OPERATION", "Service", "Vocabulary", "vocabulary"]

#: The service that is an actor's own running of its service (``pd:Operation``): no provider supplies it,
#: an outage (``pd:Outage``) takes it away.
OPERATION = "operation"


@dataclass(frozen=True)
class Service:
    """A service of the vocabulary, with what losing it does by default."""

    identifier: str
    iri: URIRef
    label: str
    description: str
    default_effect: str  # "essential" or "channel"
    direct_property: URIRef | None
    upstream: tuple[str, ...] = ()  # services a provider of it relies on to supply it (pd:resoldOn)
    additive: bool = False  # each provider serves its own users: losing some degrades (pd:additive)

    @property
    def essential(self) -> bool:
        """Whether losing every provider of this service takes the dependent offline by default."""
        return self.default_effect == "essential"


@dataclass(frozen=True)
class Vocabulary:
    """Identifier-to-IRI tables for every controlled vocabulary of the ontology."""

    services: dict[str, Service]
    platform_kinds: dict[str, URIRef]  # social-network, forum... and "platform" itself
    actor_kinds: dict[str, URIRef]  # the platform kinds plus provider and company
    event_kinds: dict[str, URIRef]
    endings: dict[str, URIRef]
    statuses: dict[str, URIRef]
    effects: dict[str, URIRef]

    @cached_property
    def additive(self) -> frozenset[str]:
        """The services whose providers each serve their own users (``pd:additive``): endpoints."""
        return frozenset(key for key, service in self.services.items() if service.additive)

    def service(self, identifier: str) -> Service:
        """Return the service with this identifier, or raise :class:`UnknownNameError` with suggestions.

        Examples
        --------
        >>> vocabulary().service("hosting").essential
        True
        >>> vocabulary().service("app-store-ios").default_effect
        'channel'
        """
        return _lookup(self.services, identifier, "service")

    @cached_property
    def _notations(self) -> dict[URIRef, str]:
        table = {service.iri: key for key, service in self.services.items()}
        for terms in (self.actor_kinds, self.event_kinds, self.endings, self.statuses, self.effects):
            table.update({iri: key for key, iri in terms.items()})
        return table

    def notation(self, iri: URIRef) -> str:
        """Return the identifier of any vocabulary term, e.g. ``PD.Hosting`` -> ``'hosting'``.

        Examples
        --------
        >>> from kg.model.namespace import PD
        >>> vocabulary().notation(PD.TerminatedByProvider)
        'provider'
        """
        return self._notations[iri]


def _lookup(table: dict, identifier: str, what: str):
    key = identifier.strip().lower()
    if key in table:
        return table[key]
    raise UnknownNameError(what, identifier, difflib.get_close_matches(key, list(table), n=3, cutoff=0.5))


def _notations(graph: Graph, members: set[URIRef]) -> dict[str, URIRef]:
    table = {}
    for member in members:
        notation = graph.value(member, SKOS.notation)
        if notation is not None:
            table[str(notation)] = member
    return dict(sorted(table.items()))


def _subclasses(graph: Graph, root: URIRef) -> set[URIRef]:
    found = {root}
    for sub in graph.transitive_subjects(RDFS.subClassOf, root):
        found.add(sub)
    return found


@lru_cache(maxsize=4)
def vocabulary(ontology_path: str = str(ONTOLOGY)) -> Vocabulary:
    """Read the controlled vocabularies from the ontology file (cached).

    Examples
    --------
    >>> sorted(vocabulary().effects)
    ['channel', 'essential']
    >>> "registrar" in vocabulary().services
    True
    """
    graph = Graph().parse(ontology_path, format="turtle")
    services = {}
    notation_of = {iri: str(graph.value(iri, SKOS.notation)) for iri in graph.subjects(RDF.type, PD.Service)}
    for iri in graph.subjects(RDF.type, PD.Service):
        identifier = str(graph.value(iri, SKOS.notation))
        effect = graph.value(iri, PD.defaultEffect)
        services[identifier] = Service(
            identifier=identifier,
            iri=iri,
            label=str(graph.value(iri, RDFS.label)),
            description=str(graph.value(iri, RDFS.comment)),
            default_effect=str(graph.value(effect, SKOS.notation)),
            direct_property=graph.value(iri, PD.directProperty),
            upstream=tuple(sorted(notation_of[u] for u in graph.objects(iri, PD.resoldOn))),
            additive=graph.value(iri, PD.additive) == Literal(True),
        )
    platform_kinds = _notations(graph, _subclasses(graph, PD.Platform))
    return Vocabulary(
        services=dict(sorted(services.items())),
        platform_kinds=platform_kinds,
        actor_kinds=_notations(graph, _subclasses(graph, PD.Actor)),
        event_kinds=_notations(graph, _subclasses(graph, PD.Event)),
        endings=_notations(graph, set(graph.subjects(RDF.type, PD.Ending))),
        statuses=_notations(graph, set(graph.subjects(RDF.type, PD.Status))),
        effects=_notations(graph, set(graph.subjects(RDF.type, PD.Effect))),
    )
