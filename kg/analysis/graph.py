"""The analysis graph: who depends on whom on one date, as a networkx graph plus each dependent's needs.

Nodes are entity identifiers; each dependency active on the date is an edge from dependent to provider
whose key is the dependency identifier. Beside the edges, every dependent has a :class:`Need` per
service: the service's supplies (its active dependencies, alternatives to each other) and, when none is
left, the dependency whose loss left it unprovided. A service lost to a cut-off stays needed; only a
dependency the dependent ended itself drops the need (:func:`still_needed` decides same-day ends). An
actor in an outage on the date has one more need, of its own :data:`OPERATION`, with no supply: essential
for a full outage (it is offline), a channel for a partial one (degraded).

Reference engine; pairs with :mod:`kg.analysis.arrays.graph` (the fast engine), held to the same
answers by ``tests/test_array_engine.py`` (``test_networkx_view_has_the_reference_edges`` and the cascades).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx

from kg.analysis.viewpoint import Viewpoint, facts_at
from kg.model.facts import Dependency, Entity, Event, Facts, Outage
from kg.model.vocabulary import OPERATION, vocabulary

__all__ = ["OPERATION", "AnalysisGraph", "Need", "build_graph", "least_fixpoint", "solve_in_order", "still_needed"]


@dataclass
class Need:
    """One service a dependent needs on the graph's date, and who supplies it."""

    dependent: str
    service: str
    essential: bool
    supplies: list[Dependency] = field(default_factory=list)  # active on the date: alternatives
    lost_with: Dependency | None = None  # when no supply is left: the dependency whose end lost it
    outage: Outage | None = None  # for the need of the actor's own ``operation``: the outage under way

    @property
    def self_provided(self) -> bool:
        """Whether the dependent supplies this service to itself (an alternative nobody can cut)."""
        return any(dep.self_provided for dep in self.supplies)


@dataclass
class AnalysisGraph:
    """The dependency structure on one date."""

    day: dt.date
    graph: nx.MultiDiGraph
    needs: dict[str, dict[str, Need]]  # dependent -> service -> need
    entities: dict[str, Entity]
    cut_off_events: dict[str, list[Event]]  # dependency id -> recorded cut-offs acting on it
    terminations: dict[tuple[str, str], list[Dependency]]  # (provider, service) -> dependencies it cut, by the date
    _users: dict[str, dict[str, set[str]]] = field(default_factory=dict, repr=False, compare=False)
    _alternatives: dict[str, list] = field(default_factory=dict, repr=False, compare=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: When this graph holds only part of the date's needs: the whole date's arrays, which answer
    #: :meth:`providers` and :meth:`users` (see :meth:`kg.analysis.arrays.graph.ArrayGraph.analysis_graph`).
    whole: object | None = field(default=None, repr=False, compare=False)
    #: When set, who depends on a provider (:meth:`dependents_of`) comes from here, not from the edges:
    #: see :meth:`kg.analysis.arrays.graph.ArrayGraph.propagation_graph`, whose graph has no edges.
    dependents_from: Callable[[str], set[str]] | None = field(default=None, repr=False, compare=False)
    #: When this graph is the part of a remote graph a scenario needs: who supplies each service across
    #: the whole remote graph on the date (:class:`kg.store.remote.Market`), which ranks alternatives.
    market: object | None = field(default=None, repr=False, compare=False)
    #: Where and when the graph stands (:class:`kg.analysis.viewpoint.Viewpoint`): the date, an instant, a country.
    view: Viewpoint | None = field(default=None, repr=False, compare=False)

    @property
    def when(self) -> str:
        """The date, with the instant and the country where the graph has them (``2021-01-11 07:30 UTC in US``)."""
        return self.view.describe() if self.view is not None else self.day.isoformat()

    def name(self, identifier: str) -> str:
        """Display name of an entity (its identifier when it has none)."""
        if self.whole is not None:  # from the name column, without making the entity
            name = self._names.get(identifier)
            if name is None:
                name = self._names[identifier] = self.whole.name(identifier)
            return name
        entity = self.entities.get(identifier)
        return entity.name if entity else identifier

    def dependents_of(self, provider: str) -> set[str]:
        """Who has an active dependency on ``provider`` (excluding the provider itself)."""
        if self.dependents_from is not None:
            return self.dependents_from(provider)
        if provider not in self.graph:
            return set()
        return {d for d in self.graph.predecessors(provider) if d != provider}

    def users(self, service: str) -> dict[str, set[str]]:
        """Provider -> the others it supplies with ``service`` on this date (computed once per service)."""
        if service not in self._users and self.whole is not None:
            self._users[service] = self.whole.users(service)
        if service not in self._users:
            found: dict[str, set[str]] = defaultdict(set)
            for dependent, provider, data in self.graph.edges(data=True):
                if data["service"] == service and dependent != provider:
                    found[provider].add(dependent)
            self._users[service] = dict(found)
        return self._users[service]

    def unnamed(self, node: str) -> bool:
        """Whether ``node`` is a provider the sources do not name (:attr:`kg.model.facts.Entity.unnamed`)."""
        entity = self.entities.get(node)
        return entity is not None and entity.unnamed

    def providers(self, service: str | None = None) -> set[str]:
        """Every actor supplying some service (or ``service``) to another on this date."""
        if self.whole is not None:
            return self.whole.providers(service)
        return {
            provider
            for _, provider, data in self.graph.edges(data=True)
            if (service is None or data["service"] == service) and not data["dependency"].self_provided
        }


def _essential(dependency: Dependency) -> bool:
    if dependency.effect:
        return dependency.effect == "essential"
    return vocabulary().services[dependency.service].essential


def still_needed(ended: Iterable[Dependency]) -> list[Dependency]:
    """The periods that keep a service needed once every period of it has ended, the one to cite first.

    The rule: the service is still needed when a period that ended on the latest end day was ended by
    the provider (a cut-off) or for an unknown reason. A period the dependent ended on that same day does
    not outweigh it: a same-day end by the provider or of unknown cause keeps the need. Nothing depends on
    identifiers, so renaming them never changes an answer. The periods come back ordered for citing: a
    cut-off first, then an essential one, then by provider and identifier; empty when the service is no
    longer needed (the last periods were all ended by the dependent).

    >>> from rdflib import URIRef
    >>> day = dt.date(2021, 1, 9)
    >>> left = Dependency("x-a", URIRef("x-a"), "x", "a", "hosting", None, day, "dependent")
    >>> cut = Dependency("x-b", URIRef("x-b"), "x", "b", "hosting", None, day, "provider")
    >>> [d.identifier for d in still_needed([left, cut])], [d.identifier for d in still_needed([left])]
    (['x-b'], [])
    """
    ended = list(ended)
    if not ended:
        return []
    last = max(d.end for d in ended)
    keeping = [d for d in ended if d.end == last and d.ended_by != "dependent"]
    return sorted(keeping, key=lambda d: (d.ended_by != "provider", not _essential(d), d.provider, d.identifier))


def build_graph(facts: Facts, day: dt.date | None = None, view: Viewpoint | None = None) -> AnalysisGraph:
    """Build the :class:`AnalysisGraph` of ``facts`` as it stood on ``day`` (default: today, UTC).

    ``view`` (default: worldwide, at the date) selects what holds: in one country, at one instant (see
    :mod:`kg.analysis.viewpoint`); facts that apply in some countries only never count worldwide.

    Examples
    --------
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 12))
    >>> hosting = graph.needs["parler"]["hosting"]
    >>> hosting.supplies, hosting.lost_with.provider
    ([], 'aws')
    """
    day = view.day if view is not None else day or dt.datetime.now(dt.UTC).date()
    facts = facts_at(facts, view or Viewpoint(day))
    graph = nx.MultiDiGraph()
    for identifier, entity in facts.entities.items():
        graph.add_node(identifier, name=entity.name, kinds=entity.kinds)
    by_need: dict[tuple[str, str], list[Dependency]] = defaultdict(list)
    for dependency in facts.dependencies.values():
        if dependency.service == OPERATION:  # nobody supplies an actor's own operation
            continue
        if dependency.start is None or dependency.start <= day:
            by_need[(dependency.dependent, dependency.service)].append(dependency)
    needs: dict[str, dict[str, Need]] = defaultdict(dict)
    for (dependent, service), dependencies in sorted(by_need.items()):
        active = sorted((d for d in dependencies if d.active_on(day)), key=lambda d: (d.provider, d.identifier))
        if active:
            need = Need(dependent, service, any(_essential(d) for d in active), active)
        else:
            keeping = still_needed(d for d in dependencies if d.end is not None and d.end <= day)
            if not keeping:
                continue
            need = Need(dependent, service, any(_essential(d) for d in keeping), [], keeping[0])
        needs[dependent][service] = need
        for dependency in active:
            graph.add_edge(
                dependent, dependency.provider, key=dependency.identifier, service=service, dependency=dependency
            )
    moment = view.moment if view is not None else None
    for outage in sorted(facts.outages.values(), key=lambda o: (o.partial, o.start, o.identifier)):
        if outage.actor and outage.holds(day, moment) and OPERATION not in needs[outage.actor]:
            needs[outage.actor][OPERATION] = Need(outage.actor, OPERATION, not outage.partial, [], None, outage)
            needs[outage.actor] = dict(sorted(needs[outage.actor].items()))
            if outage.actor not in graph:
                graph.add_node(outage.actor, name=outage.actor, kinds=())
    terminations: dict[tuple[str, str], list[Dependency]] = defaultdict(list)
    for dependency in sorted(facts.dependencies.values(), key=lambda d: (d.end or day, d.identifier)):
        if dependency.ended_by == "provider" and dependency.end is not None and dependency.end <= day:
            terminations[(dependency.provider, dependency.service)].append(dependency)
    cut_offs: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(facts.events.values(), key=lambda e: (e.day, e.identifier)):
        if event.kind == "cut-off":
            cut_offs[event.dependency].append(event)
    return AnalysisGraph(
        day, graph, dict(needs), facts.entities, dict(cut_offs), dict(terminations), view=view or Viewpoint(day)
    )


Value = TypeVar("Value")
Node = TypeVar("Node")


def least_fixpoint(
    graph: AnalysisGraph,
    compute: Callable[[str], Value],
    values: dict[str, Value],
    empty: Value,
    start: str | None = None,
) -> dict[str, Value]:
    """Fill ``values[node] = compute(node)`` for every actor, providers before their dependents.

    ``compute`` reads the values of a node's providers from ``values``. Actors in a dependency cycle are
    recomputed until nothing changes, starting from ``empty``: the least fixpoint, so a cycle by itself
    causes nothing. With ``start``, only that actor and those it depends on, transitively, are solved.
    Self-provision is not a dependency on another actor and is left out of the order.
    """
    nodes = nx.descendants(graph.graph, start) | {start} if start is not None else set(graph.graph)
    structure = nx.DiGraph()
    structure.add_nodes_from(nodes)
    for dependent in nodes:
        structure.add_edges_from((dependent, p) for _, p in graph.graph.out_edges(dependent) if p != dependent)
    return solve_in_order(structure, compute, values, empty)


def solve_in_order(
    structure: nx.DiGraph, compute: Callable[[Node], Value], values: dict[Node, Value], empty: Value
) -> dict[Node, Value]:
    """Fill ``values[node] = compute(node)`` for every node of ``structure`` (edges run from a node to
    those its value depends on), in dependency order; strongly connected groups are recomputed until
    nothing changes, starting from ``empty`` (the least fixpoint)."""
    condensed = nx.condensation(structure)
    for component in reversed(list(nx.topological_sort(condensed))):
        members = sorted(condensed.nodes[component]["members"])
        changed = True
        while changed:  # one pass for an acyclic actor; repeated for a cycle
            changed = False
            for node in members:
                value = compute(node)
                if value != values.get(node, empty):
                    values[node] = value
                    changed = True
            if len(members) == 1:
                break
    return values
