"""The analysis graph on arrays: the same needs and supplies as :mod:`kg.analysis.graph`, as integer columns.

For one date, every dependent's needs (one per service) and their supplies are numpy arrays indexed by
actor and dependency numbers from the store's column tables (:mod:`kg.store.tables`), built with sorts
and group-bys rather than per-record Python, so a million dependencies fit in tens of megabytes. The
rules are those of :func:`kg.analysis.graph.build_graph`, which stays the reference (the tests compare the two
on random graphs):

* a dependency holds on ``day`` when ``start <= day < end``; its dependent needs its service;
* a need's supplies are its active dependencies (alternatives to each other), ordered by provider;
* a need with no supply left is still a need, lost with the dependency that ended last (by end date,
  then identifier), unless the dependent itself ended that one;
* a need is essential when any active supply is (an ``effect`` overrides the service's default).

:meth:`ArrayGraph.to_networkx` and :meth:`ArrayGraph.analysis_graph` give the networkx view and the
full :class:`~kg.analysis.graph.AnalysisGraph` for whoever wants them.

Fast engine; pairs with :mod:`kg.analysis.graph`, held to the same answers by
``tests/test_array_engine.py`` on random graphs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kg.errors import InputError
from kg.model.vocabulary import OPERATION
from kg.store.encodings import EFFECTS, ENDINGS, day_number, upstream_services
from kg.store.tables import Tables

__all__ = ["ArrayGraph", "build_array_graph", "gather"]

_DEPENDENT = ENDINGS.index("dependent")
_PROVIDER = ENDINGS.index("provider")
_ESSENTIAL, _CHANNEL = EFFECTS.index("essential"), EFFECTS.index("channel")


def gather(pointer: np.ndarray, items: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The items of CSR ``rows`` concatenated, with the row each came from (vectorised; no Python loop).

    >>> gather(np.array([0, 2, 3, 5]), np.array([10, 11, 12, 13, 14]), np.array([2, 0]))
    (array([13, 14, 10, 11]), array([2, 2, 0, 0]))
    """
    starts, ends = pointer[rows], pointer[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return items[:0], rows[:0]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    positions = offsets + np.arange(total)
    return items[positions], np.repeat(rows, lengths)


@dataclass
class ArrayGraph:
    """Needs and supplies on one date. Needs are ordered by (dependent, service); the supplies of need
    ``i`` are ``supply_*[need_pointer[i]:need_pointer[i + 1]]``, ordered by provider then dependency."""

    day: dt.date
    tables: Tables
    need_node: np.ndarray  # int32 actor number of the dependent
    need_service: np.ndarray  # int16 index into tables.services
    need_essential: np.ndarray  # bool
    need_lost: np.ndarray  # int32 dependency number whose end lost it (no supply left), else -1; -2 - k for
    # the need of an actor's own operation during outage ``k`` (an index into ``tables.outages``)
    need_self: np.ndarray  # bool: one supply is self-provision
    need_pointer: np.ndarray  # int64, len(needs) + 1
    supply_dep: np.ndarray  # int32 dependency number
    supply_provider: np.ndarray  # int32 actor number
    supply_need: np.ndarray  # int32 need number
    view: object = None  # the kg.analysis.viewpoint.Viewpoint the arrays were built at

    @property
    def when(self) -> str:
        """The date, with the instant and the country where the arrays have them."""
        return self.view.describe() if self.view is not None else self.day.isoformat()

    @property
    def actor_count(self) -> int:
        return len(self.tables.actor_id)

    @property
    def need_count(self) -> int:
        return len(self.need_node)

    @cached_property
    def supply_count(self) -> np.ndarray:
        """How many supplies each need has."""
        return np.diff(self.need_pointer)

    @cached_property
    def by_provider(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR from provider to the supply numbers it provides: (pointer, supply numbers)."""
        order = np.argsort(self.supply_provider, kind="stable").astype(np.int64)
        counts = np.bincount(self.supply_provider, minlength=self.actor_count)
        pointer = np.zeros(self.actor_count + 1, dtype=np.int64)
        np.cumsum(counts, out=pointer[1:])
        return pointer, order

    @cached_property
    def ids(self) -> list[str]:
        return self.tables.actor_id.tolist()

    @cached_property
    def number(self) -> dict[str, int]:
        """Actor identifier -> actor number."""
        return {identifier: index for index, identifier in enumerate(self.ids)}

    def name(self, identifier: str) -> str:
        """Display name of an actor (its identifier when it has none)."""
        index = self.number.get(identifier)
        if index is None:
            return identifier
        return self.tables.actor_name[index] or identifier

    @cached_property
    def outside_supply(self) -> np.ndarray:
        """Per supply: the provider is not the dependent itself."""
        return self.supply_provider != self.need_node[self.supply_need]

    @cached_property
    def resold_on(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR from need to the supplies its actor resells on it: (pointer, supply numbers).

        A supply relies on the services of its dependency's ``upstream`` (else its service's default in the
        vocabulary, ``pd:resoldOn``); where its provider has a need of such a service, losing that need
        loses the supply. Only needs that are channels for their actor are kept: losing an essential one
        takes the actor offline, which ends all its supplies anyway.
        """
        from kg.model.vocabulary import vocabulary

        tables = self.tables
        width = max(len(tables.services), 1)
        index = {service: number for number, service in enumerate(tables.services)}
        vocab = vocabulary()
        outside = np.flatnonzero(self.outside_supply)
        deps = self.supply_dep[outside]
        given = np.diff(tables.dep_upstream.offsets)[deps] > 0 if len(deps) else np.zeros(0, dtype=bool)
        service_of = self.need_service[self.supply_need[outside]]
        supplies, upstream = [], []
        for service, number in index.items():
            known = vocab.services.get(service)
            chosen = outside[(service_of == number) & ~given]
            for relied in known.upstream if known is not None else ():
                if relied in index and len(chosen):
                    supplies.append(chosen)
                    upstream.append(np.full(len(chosen), index[relied], dtype=np.int64))
        for supply, dep in zip(outside[given].tolist(), deps[given].tolist(), strict=True):
            relied = [index[s] for s in upstream_services(tables.dep_upstream[dep]) or () if s in index]
            supplies.append(np.full(len(relied), supply, dtype=np.int64))
            upstream.append(np.asarray(relied, dtype=np.int64))
        supply = np.concatenate(supplies) if supplies else np.zeros(0, dtype=np.int64)
        service = np.concatenate(upstream) if upstream else np.zeros(0, dtype=np.int64)
        need_key = self.need_node.astype(np.int64) * width + self.need_service
        key = self.supply_provider[supply].astype(np.int64) * width + service
        found = np.minimum(np.searchsorted(need_key, key), max(len(need_key) - 1, 0))
        keep = (need_key[found] == key) & ~self.need_essential[found] if len(need_key) else key[:0] > 0
        need, supply = found[keep], supply[keep]
        order = np.lexsort((supply, need))
        pointer = np.zeros(self.need_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(need, minlength=self.need_count), out=pointer[1:])
        return pointer, supply[order]

    @cached_property
    def impairable(self) -> np.ndarray:
        """Actors that may keep a service only in part, a bool mask: those with a partial supply, a need of
        an additive service with several supplies or a partial outage, and everyone who depends on them,
        transitively (an impaired provider impairs what it supplies). Mostly empty: then nothing costs."""
        from kg.model.vocabulary import vocabulary

        seeds = np.zeros(self.actor_count, dtype=bool)
        partial = self.tables.dep_partial[self.supply_dep]
        seeds[self.need_node[self.supply_need[partial]]] = True
        additive = [i for i, s in enumerate(self.tables.services) if s in vocabulary().additive]
        if additive:
            several = np.isin(self.need_service, additive) & (self.supply_count > 1)
            seeds[self.need_node[several]] = True
        outage = (self.need_lost <= -2) & ~self.need_essential
        seeds[self.need_node[outage]] = True
        if not seeds.any():
            return seeds
        return self.reach(np.flatnonzero(seeds), upstream=True)

    # -- reachability and views -------------------------------------------------------------------
    @cached_property
    def _links(self) -> tuple[np.ndarray, np.ndarray]:
        """(dependent, provider) of every outside supply, as two actor-number arrays (repeats kept)."""
        outside = self.outside_supply
        return self.need_node[self.supply_need[outside]].astype(np.int64), self.supply_provider[outside].astype(
            np.int64
        )

    def _csr(self, source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(source, kind="stable")
        pointer = np.zeros(self.actor_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(source, minlength=self.actor_count), out=pointer[1:])
        return pointer, target[order]

    @cached_property
    def _downstream(self) -> tuple[np.ndarray, np.ndarray]:
        dependents, providers = self._links
        return self._csr(dependents, providers)

    @cached_property
    def _upstream(self) -> tuple[np.ndarray, np.ndarray]:
        dependents, providers = self._links
        return self._csr(providers, dependents)

    def reach(self, seeds: np.ndarray, *, upstream: bool = False, within: np.ndarray | None = None) -> np.ndarray:
        """Actors reachable from ``seeds`` (included) along supplies: towards providers (what they depend
        on, transitively), or with ``upstream`` towards dependents (who depends on them); with ``within``
        (a bool mask), only through those actors. A bool mask."""
        pointer, items = self._upstream if upstream else self._downstream
        seen = np.zeros(self.actor_count, dtype=bool) if within is None else ~within
        frontier = np.unique(np.asarray(seeds, dtype=np.int64))
        seen[frontier] = True
        while len(frontier):
            found, _ = gather(pointer, items, frontier)
            found = np.unique(found[~seen[found]])
            seen[found] = True
            frontier = found
        if within is not None:
            seen &= within
            seen[np.asarray(seeds, dtype=np.int64)] = True
        return seen

    def providers(self, service: str | None = None) -> set[str]:
        """Every actor supplying some service (or ``service``) to another on this date."""
        chosen = self.outside_supply
        if service is not None:
            chosen = chosen & (self.need_service[self.supply_need] == self.tables.services.index(service))
        ids = self.ids
        return {ids[p] for p in np.unique(self.supply_provider[chosen]).tolist()}

    def users(self, service: str) -> dict[str, set[str]]:
        """Provider -> the others it supplies with ``service`` on this date."""
        if service not in self.tables.services:
            return {}
        chosen = self.outside_supply & (self.need_service[self.supply_need] == self.tables.services.index(service))
        ids = self.ids
        found: dict[str, set[str]] = {}
        pairs = zip(
            self.supply_provider[chosen].tolist(), self.need_node[self.supply_need[chosen]].tolist(), strict=True
        )
        for provider, dependent in pairs:
            found.setdefault(ids[provider], set()).add(ids[dependent])
        return found

    def analysis_graph(
        self, nodes: np.ndarray | None = None, entities: dict | None = None, *, terminations: bool = True
    ):
        """The reference :class:`~kg.analysis.graph.AnalysisGraph`, with the needs of ``nodes`` only (a bool mask
        over actors; default: everyone).

        Give a set closed under dependency (every provider of a member is a member, as :meth:`reach`
        returns): the analyses of its members then answer exactly as on the whole graph. Who provides
        what to whom (``providers``, alternatives) still comes from the whole date's data. Without
        ``terminations``, the dependencies providers ended (used only to list alternatives) are left out.
        """
        import networkx as nx

        tables = self.tables
        sources = tables.source_objects()
        entities = entities if entities is not None else tables.to_entities(sources)
        chosen_needs = np.arange(self.need_count) if nodes is None else np.flatnonzero(nodes[self.need_node])
        needs = self._needs(chosen_needs, sources)
        graph = nx.MultiDiGraph()
        member_ids = entities.keys() if nodes is None else [self.ids[i] for i in np.flatnonzero(nodes).tolist()]
        for identifier in member_ids:
            entity = entities.get(identifier)
            if entity is not None:
                graph.add_node(identifier, name=entity.name, kinds=entity.kinds)
        for dependent, by_service in needs.items():
            for service, need in by_service.items():
                for dependency in need.supplies:
                    key, provider = dependency.identifier, dependency.provider
                    graph.add_edge(dependent, provider, key=key, service=service, dependency=dependency)
        return self._analysis_graph(graph, needs, entities, sources, terminations=terminations)

    def propagation_graph(self, nodes: np.ndarray, lost: np.ndarray, entities: dict):
        """An :class:`~kg.analysis.graph.AnalysisGraph` for :func:`kg.analysis.impact.propagate` alone: of the actors in
        ``nodes`` (a bool mask), only the needs in ``lost`` (a bool mask over needs), and no edges.

        Give as ``lost`` every need a scenario's cascade finds lost, before or after it (a need can be
        lost only by then), and as ``nodes`` a set outside which nobody is offline before or after: the
        propagation then visits the members in the same order and gives them the same statuses and causes
        as on the whole graph, since a need that is never lost never yields a loss. Who depends on whom
        (for the work list) comes from the arrays, over every active supply.
        """
        sources = self.tables.source_objects()
        needs = self._needs(np.flatnonzero(lost & nodes[self.need_node]), sources)
        materialised = np.zeros(self.actor_count, dtype=bool)
        materialised[[self.number[identifier] for identifier in needs]] = True
        # provider -> its dependents among the materialised actors, over every active supply
        dependent, provider = self._links
        chosen = materialised[dependent]
        pairs = np.unique(provider[chosen] * self.actor_count + dependent[chosen])
        ids = self.ids
        dependents: dict[str, set[str]] = {}
        for key in pairs.tolist():
            dependents.setdefault(ids[key // self.actor_count], set()).add(ids[key % self.actor_count])

        def dependents_from(provider: str) -> set[str]:
            return dependents.get(provider, set())

        return self._analysis_graph(None, needs, entities, sources, terminations=True, dependents_from=dependents_from)

    def _needs(self, chosen_needs: np.ndarray, sources) -> dict:
        """The :class:`~kg.analysis.graph.Need` records of needs ``chosen_needs``: dependent -> service -> need."""
        from kg.analysis.graph import Need

        tables = self.tables
        supply_rows = gather(self.need_pointer, np.arange(len(self.supply_dep)), chosen_needs)[0]
        lost_rows = self.need_lost[chosen_needs]
        rows = np.unique(np.r_[self.supply_dep[supply_rows], lost_rows[lost_rows >= 0]]).astype(np.int64)
        records = dict(zip(rows.tolist(), tables.dependencies(rows, sources), strict=True))
        needs: dict[str, dict[str, Need]] = {}
        services, ids = tables.services, self.ids
        outages = tables.outages_of(None, sources) if (lost_rows <= -2).any() else []
        supply_dep = self.supply_dep[supply_rows].tolist()  # the chosen needs' supplies, need after need
        ends = np.cumsum(self.supply_count[chosen_needs]).tolist()
        columns = zip(
            self.need_node[chosen_needs].tolist(),
            self.need_service[chosen_needs].tolist(),
            self.need_essential[chosen_needs].tolist(),
            lost_rows.tolist(),
            ends,
            strict=True,
        )
        start = 0
        for node, service_number, essential, lost, end in columns:
            dependent, service = ids[node], services[service_number]
            supplies = [records[d] for d in supply_dep[start:end]]
            start = end
            outage = outages[-2 - lost] if lost <= -2 else None
            needs.setdefault(dependent, {})[service] = Need(
                dependent, service, essential, supplies, records[lost] if lost >= 0 else None, outage
            )
        return needs

    def _analysis_graph(self, graph, needs, entities, sources, *, terminations: bool, dependents_from=None):
        import networkx as nx

        from kg.analysis.graph import AnalysisGraph

        tables = self.tables
        today = day_number(self.day, 0)
        ended = np.flatnonzero((tables.dep_ended_by == _PROVIDER) & (tables.dep_end <= today))
        ended_by_provider: dict[tuple[str, str], list] = {}
        chosen = tables.dependencies(ended, sources) if terminations else []
        for dependency in sorted(chosen, key=lambda d: (d.end, d.identifier)):
            ended_by_provider.setdefault((dependency.provider, dependency.service), []).append(dependency)
        cut_offs: dict[str, list] = {}
        for event in sorted(tables.events_by_id(sources).values(), key=lambda e: (e.day, e.identifier)):
            if event.kind == "cut-off":
                cut_offs.setdefault(event.dependency, []).append(event)
        graph = graph if graph is not None else nx.MultiDiGraph()
        return AnalysisGraph(
            self.day,
            graph,
            needs,
            entities,
            cut_offs,
            ended_by_provider,
            whole=self,
            dependents_from=dependents_from,
            view=self.view,
        )

    def to_networkx(self):
        """The dependencies active on the date as a networkx ``MultiDiGraph`` (dependent -> provider),
        keyed by dependency identifier, with the service on each edge."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        ids, dep_ids, services = self.ids, self.tables.dep_id, self.tables.services
        for index in np.flatnonzero(self.tables.actor_is_entity).tolist():
            graph.add_node(ids[index], name=self.tables.actor_name[index] or ids[index])
        for need, dep, provider in zip(
            self.supply_need.tolist(), self.supply_dep.tolist(), self.supply_provider.tolist(), strict=True
        ):
            dependent = ids[self.need_node[need]]
            graph.add_edge(dependent, ids[provider], key=dep_ids[dep], service=services[self.need_service[need]])
        return graph


def _essential_rows(tables: Tables, rows: np.ndarray) -> np.ndarray:
    from kg.model.vocabulary import vocabulary

    vocab = vocabulary()
    default = np.array([vocab.services[s].essential for s in tables.services], dtype=bool)
    effect = tables.dep_effect[rows]
    return (effect == _ESSENTIAL) | ((effect == 0) & default[tables.dep_service[rows]])


def _still_needed(tables, rows, end, starts, sizes, ended_count, has_active):
    """:func:`kg.analysis.graph.still_needed` for every (dependent, service) group without a supply at once.

    ``rows`` and ``end`` are sorted by group, then end, then row (= identifier order), so a group's ended
    periods come first and its last ended one sits at ``starts + ended_count - 1``. Returns, per group, the
    dependency row to cite (-1 when the service is no longer needed) and whether the need is essential.
    """
    groups = len(starts)
    lost_row = np.full(groups, -1, dtype=np.int64)
    lost_essential = np.zeros(groups, dtype=bool)
    if not groups:
        return lost_row, lost_essential
    group = np.repeat(np.arange(groups, dtype=np.int64), sizes)
    last_end = end[starts + np.maximum(ended_count, 1) - 1]
    candidates = np.flatnonzero(
        ~has_active[group]
        & (ended_count[group] > 0)
        & (end == last_end[group])
        & (tables.dep_ended_by[rows] != _DEPENDENT)
    )
    chosen_rows, chosen_group = rows[candidates], group[candidates]
    essential = _essential_rows(tables, chosen_rows)
    order = np.lexsort(
        (
            chosen_rows,
            tables.dep_provider[chosen_rows],
            ~essential,
            tables.dep_ended_by[chosen_rows] != _PROVIDER,
            chosen_group,
        )
    )
    chosen_rows, ordered_group = chosen_rows[order], chosen_group[order]
    first = np.r_[True, ordered_group[1:] != ordered_group[:-1]] if len(order) else np.zeros(0, dtype=bool)
    lost_row[ordered_group[first]] = chosen_rows[first]
    np.logical_or.at(lost_essential, chosen_group, essential)
    return lost_row, lost_essential


def _outage_needs(tables: Tables, view, services: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The needs of their own operation of the actors in an outage at ``view``: (need key, ``-2 - k`` for
    outage ``k``, essential), one per actor (a full outage before a partial one, then the earliest)."""
    if not tables.outages or OPERATION not in tables.services:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=bool)
    operation = tables.services.index(OPERATION)
    number = {identifier: index for index, identifier in enumerate(tables.actor_id.tolist())}
    chosen: dict[int, tuple[tuple, int, bool]] = {}
    for k, outage in enumerate(tables.outages_of(None, [])):
        actor = number.get(outage.actor)
        if actor is None or not outage.holds(view.day, view.moment):
            continue
        rank = (outage.partial, outage.start, outage.identifier)
        if actor not in chosen or rank < chosen[actor][0]:
            chosen[actor] = (rank, k, not outage.partial)
    actors = sorted(chosen)
    key = np.asarray([a * services + operation for a in actors], dtype=np.int64)
    lost = np.asarray([-2 - chosen[a][1] for a in actors], dtype=np.int32)
    return key, lost, np.asarray([chosen[a][2] for a in actors], dtype=bool)


def build_array_graph(tables: Tables, day: dt.date | None = None, view=None) -> ArrayGraph:
    """The needs and supplies of ``tables`` on ``day`` (default: today, UTC), as arrays; ``view`` as for
    :func:`kg.analysis.graph.build_graph` (default: worldwide, at the date).

    Raises :class:`~kg.errors.InputError` for a dependency whose service is not in the vocabulary.
    """
    from kg.analysis.viewpoint import Viewpoint, tables_at

    day = view.day if view is not None else day or dt.datetime.now(dt.UTC).date()
    tables = tables_at(tables, view or Viewpoint(day))
    today = day_number(day, 0)
    unknown = np.flatnonzero(tables.dep_service < 0)
    if len(unknown):
        raise InputError(f"dependency {tables.dep_id[int(unknown[0])]!r} has no service of the vocabulary")
    services = max(len(tables.services), 1)
    rows = np.flatnonzero(tables.dep_start <= today).astype(np.int64)
    if OPERATION in tables.services:  # nobody supplies an actor's own operation
        rows = rows[tables.dep_service[rows] != tables.services.index(OPERATION)]
    key = tables.dep_dependent[rows].astype(np.int64) * services + tables.dep_service[rows]
    end = tables.dep_end[rows]
    order = np.lexsort((rows, end, key))
    rows, key, end = rows[order], key[order], end[order]
    active = end > today
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(rows) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(rows)])
    active_count = np.add.reduceat(active.astype(np.int64), starts) if len(starts) else sizes
    ended_count = sizes - active_count
    has_active = active_count > 0
    lost_row, lost_essential = _still_needed(tables, rows, end, starts, sizes, ended_count, has_active)
    keep = has_active | (lost_row >= 0)
    need_key = key[starts][keep]
    need_lost = np.where(has_active, -1, lost_row)[keep].astype(np.int32)
    lost_essential = lost_essential[keep]
    outage_key, outage_lost, outage_essential = _outage_needs(tables, view or Viewpoint(day), services)
    if len(outage_key):
        need_key, need_lost = np.r_[need_key, outage_key], np.r_[need_lost, outage_lost].astype(np.int32)
        lost_essential = np.r_[lost_essential, outage_essential]
        order = np.argsort(need_key, kind="stable")
        need_key, need_lost, lost_essential = need_key[order], need_lost[order], lost_essential[order]

    supplies = rows[active]
    supply_key = key[active]
    providers = tables.dep_provider[supplies]
    order = np.lexsort((supplies, providers, supply_key))
    supplies, supply_key, providers = supplies[order], supply_key[order], providers[order]
    pointer = np.r_[np.searchsorted(supply_key, need_key, side="left"), len(supplies)].astype(np.int64)
    counts = np.diff(pointer)
    supply_need = np.repeat(np.arange(len(need_key), dtype=np.int32), counts)
    need_node = (need_key // services).astype(np.int32)
    essential_rows = _essential_rows(tables, supplies)
    with_supply = np.flatnonzero(counts > 0)
    need_essential = np.zeros(len(need_key), dtype=bool)
    need_self = np.zeros(len(need_key), dtype=bool)
    if len(with_supply):
        need_essential[with_supply] = np.logical_or.reduceat(essential_rows, pointer[with_supply])
        own = providers == need_node[supply_need]
        need_self[with_supply] = np.logical_or.reduceat(own, pointer[with_supply])
    lost = need_lost != -1
    need_essential[lost] = lost_essential[lost]
    return ArrayGraph(
        day=day,
        tables=tables,
        need_node=need_node,
        need_service=(need_key % services).astype(np.int16),
        need_essential=need_essential,
        need_lost=need_lost,
        need_self=need_self,
        need_pointer=pointer,
        supply_dep=supplies.astype(np.int32),
        supply_provider=providers.astype(np.int32),
        supply_need=supply_need,
        view=view or Viewpoint(day),
    )
