"""What-if on arrays: provider-exit cascades and the whole criticality table, as joins and group-bys.

These compute what :func:`kg.analysis.impact.propagate` and :func:`kg.analysis.criticality.criticality` compute, on an
:class:`~kg.analysis.arrays.graph.ArrayGraph`, without a Python object per actor:

* :func:`cascade` is the same least fixpoint as ``propagate``, advanced a whole frontier at a time: the
  supplies of the actors that just went offline are marked dead, dead supplies are counted per need
  (a group-by), and a need whose supplies are all dead is lost; an actor losing an essential need goes
  offline and forms the next frontier.
* :func:`criticality_table` solves F(X), the providers whose exit alone takes X offline, first for the
  few actors that supply others, as shared sets in dependency order (:mod:`kg.analysis.sharedsets`: linear down a
  chain of providers), with, for a supplier that resells supplies on a channel it needs, the exits that
  lose it that channel (a resale chain: payments resold on payments); then for every need at once: a
  need's exits are the meet of what ends each of its supplies (the supplier's set, with the channels the
  supply is resold on), an actor's the union over its needs, and each provider's count is read off the
  sets' forest without writing a set out.

Both are written as operations over edge tables (filter, join on an id, group-by and count), the form a
distributed engine runs; the criticality table's only Python loops are over the actors that supply others,
the distinct groups of redundant suppliers and the supplies resold on a channel, its per-need and
per-actor steps join on the positions of the sets' Euler tour. The tests check them against the reference
implementations on random graphs.

Fast engine; pairs with :mod:`kg.analysis.impact` and :mod:`kg.analysis.criticality`, held to their answers by
``tests/test_array_engine.py`` (``test_cascades_agree_with_propagate``,
``test_criticality_table_agrees_with_the_reference``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import numpy as np

from kg.analysis.arrays.graph import ArrayGraph, gather
from kg.analysis.criticality import ProviderCriticality, ServiceConcentration
from kg.analysis.graph import solve_in_order
from kg.analysis.sharedsets import Forest, SharedSet, intersection, union

__all__ = ["Cascade", "cascade", "concentration_table", "criticality_table"]


def _distinct(values: np.ndarray, size: int) -> np.ndarray:
    """The distinct values (integers below ``size``), sorted: a mask, not a hash table, unless they are
    few (a sort then: a cascade's frontier down a chain must not cost the whole graph each round)."""
    if len(values) * 64 < size:
        return _distinct_keys(np.asarray(values, dtype=np.int64))
    seen = np.zeros(size, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


def _distinct_keys(values: np.ndarray) -> np.ndarray:
    """The distinct values of a large integer array, sorted (a sort, faster here than np.unique's hashing)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


@dataclass
class Cascade:
    """The outcome of a scenario on arrays."""

    offline: np.ndarray  # bool per actor: offline (not counting the actors that exit)
    exited: np.ndarray  # bool per actor
    lost: np.ndarray  # bool per need: every supply is gone
    rounds: int  # frontiers processed (the depth of the cascade)

    def degraded(self, graph: ArrayGraph) -> np.ndarray:
        """Actors still online that lost a need (a channel)."""
        touched = np.zeros(len(self.offline), dtype=bool)
        touched[graph.need_node[self.lost]] = True
        return touched & ~self.offline & ~self.exited


def cascade(graph: ArrayGraph, removed: np.ndarray | None = None, cut: np.ndarray | None = None) -> Cascade:
    """Apply provider exits (``removed``: actor numbers) and cut dependencies (``cut``: dependency
    numbers) to ``graph``; return who is offline, who exited, and which needs are lost."""
    actors = graph.actor_count
    exited = np.zeros(actors, dtype=bool)
    if removed is not None and len(removed):
        exited[np.asarray(removed, dtype=np.int64)] = True
    dead = exited[graph.supply_provider]
    if cut is not None and len(cut):
        is_cut = np.zeros(len(graph.tables.dep_id), dtype=bool)
        is_cut[np.asarray(cut, dtype=np.int64)] = True
        dead |= is_cut[graph.supply_dep]
    counts = graph.supply_count
    dead_count = np.bincount(graph.supply_need, weights=dead, minlength=graph.need_count).astype(np.int64)
    lost = (counts == 0) | ((dead_count == counts) & ~graph.need_self)
    offline = np.zeros(actors, dtype=bool)
    pointer, by_provider = graph.by_provider
    resold_pointer, resold = graph.resold_on
    reselling = bool(len(resold))
    newly = np.flatnonzero(lost)  # the needs just lost: their actors may go offline, their resales end
    rounds = 0
    while len(newly):  # each round costs its frontier, not the graph: linear down a chain
        frontier = _newly_offline(graph, newly, offline, exited)
        offline[frontier] = True
        supplies, _ = gather(pointer, by_provider, frontier)
        if reselling:
            supplies = _distinct(np.concatenate([supplies, gather(resold_pointer, resold, newly)[0]]), len(dead))
        supplies = supplies[~dead[supplies]]
        if len(frontier):
            rounds += 1
        if not len(supplies):
            break
        dead[supplies] = True
        needs = graph.supply_need[supplies]
        np.add.at(dead_count, needs, 1)
        needs = _distinct(needs, graph.need_count)
        newly = needs[(dead_count[needs] == counts[needs]) & ~graph.need_self[needs] & ~lost[needs]]
        lost[newly] = True
    return Cascade(offline, exited, lost, rounds)


def _newly_offline(graph: ArrayGraph, lost: np.ndarray, offline: np.ndarray, exited: np.ndarray) -> np.ndarray:
    """The actors of the needs ``lost`` (need numbers) that lose an essential one and were not down yet."""
    nodes = _distinct(graph.need_node[lost[graph.need_essential[lost]]], graph.actor_count)
    return nodes[~offline[nodes] & ~exited[nodes]]


# -- criticality ---------------------------------------------------------------------------------------


def _closure_keys(graph: ArrayGraph, supplies: np.ndarray) -> tuple[np.ndarray, list[tuple[int, tuple[int, ...]]]]:
    """Per supply, which exits end it, as a key: its provider's number when it is resold on nothing its
    provider can lose, else ``actor_count + k`` for the ``k``-th distinct (provider, the provider's needs
    it is resold on) of the returned list."""
    keys = graph.supply_provider[supplies].astype(np.int64)
    resold_pointer, resold = graph.resold_on
    if not len(resold) or not len(supplies):
        return keys, []
    position = np.full(len(graph.supply_dep), -1, dtype=np.int64)
    position[supplies] = np.arange(len(supplies))
    need = np.repeat(np.arange(graph.need_count), np.diff(resold_pointer))
    chosen = position[resold] >= 0
    at, need = position[resold[chosen]], need[chosen]
    order = np.lexsort((need, at))
    combos: dict[tuple[int, tuple[int, ...]], int] = {}
    for place, group in groupby(zip(at[order].tolist(), need[order].tolist(), strict=True), itemgetter(0)):
        combo = (int(keys[place]), tuple(n for _, n in group))
        keys[place] = graph.actor_count + combos.setdefault(combo, len(combos))
    return keys, list(combos)


def _supplier_sets(graph: ArrayGraph, groups: _Groups, baseline: np.ndarray, suppliers: np.ndarray):
    """F(q) for every supplier q, the suppliers whose exit alone takes q offline, and L(n) for each of its
    needs that a supply of it is resold on, the exits that lose it that need, as shared sets of supplier
    numbers (:class:`~kg.analysis.sharedsets.SharedSet`): a least fixpoint in dependency order, linear down a chain
    (a resale chain too).

    Returns ``closure``: a function giving, for a key of :func:`_closure_keys`, the exits that end such a
    supply: ``{q} | F(q)``, and the L of the needs it is resold on (one shared set per key once solved)."""
    import networkx as nx

    actors = graph.actor_count
    resold_pointer, _ = graph.resold_on
    is_supplier = np.zeros(actors, dtype=bool)
    is_supplier[suppliers] = True
    need_of, keys = groups.need_of, groups.providers
    resold_need = np.diff(resold_pointer) > 0
    chosen = is_supplier[graph.need_node[need_of]] & (graph.need_essential[need_of] | resold_need[need_of])
    needs_of: dict[int, list[tuple[int, bool, list[int]]]] = {}
    chosen_needs = need_of[chosen]
    rows = zip(
        chosen_needs.tolist(),
        graph.need_node[chosen_needs].tolist(),
        graph.need_essential[chosen_needs].tolist(),
        keys[chosen].tolist(),
        strict=True,
    )
    for need, group in groupby(rows, itemgetter(0)):
        members = list(group)
        _, node, essential, _ = members[0]
        needs_of.setdefault(node, []).append((need, essential, sorted({key for *_, key in members})))
    combos = groups.combos
    values: dict[int, tuple] = {}
    empty: tuple = (None, {})
    closures: dict[int, tuple] = {}

    def closure(key: int) -> SharedSet:
        if key < actors:
            below = values.get(key, empty)[0]
            parts: tuple = (below,)
        else:
            provider, needs = combos[key - actors]
            lost = values.get(provider, empty)[1]  # the needs a supply is resold on are its provider's
            parts = (closure(provider), *(lost.get(n) for n in needs))
        found = closures.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], parts, strict=True)):
            if key < actors:
                made = SharedSet(frozenset({key}), parts[0])
            else:
                made = parts[0]
                for part in parts[1:]:
                    made = union(made, part)
            found = closures[key] = (parts, made)
        return found[1]

    def compute(node: int):
        if baseline[node]:
            return empty
        offline, lost = None, {}
        for need, essential, members in needs_of.get(node, ()):
            exits = _meet_all(closure(k) for k in members)
            if essential:
                offline = union(offline, exits)
            elif exits is not None:
                lost[need] = exits
        return offline, lost

    def providers(key: int) -> int:
        return key if key < actors else combos[key - actors][0]

    structure = nx.DiGraph()
    structure.add_nodes_from(suppliers.tolist())
    structure.add_edges_from(
        (node, providers(k))
        for node, needs in needs_of.items()
        for *_, members in needs
        for k in members
        if providers(k) != node
    )
    solve_in_order(structure, compute, values, empty)
    return closure


def _meet_all(sets) -> SharedSet | None:
    """The intersection of shared sets (``None`` once it is empty)."""
    common = None
    for position, member in enumerate(sets):
        common = member if position == 0 else intersection(common, member)
        if common is None:
            break
    return common


@dataclass
class _Groups:
    """The live supplies of the needs an exit can lose (see :func:`_live_supplies`), grouped by need."""

    need_of: np.ndarray  # per live supply, its need (in need order)
    providers: np.ndarray  # per live supply, its provider (or its key of _closure_keys, in order within a need)
    starts: np.ndarray  # per need with live supplies, where its supplies start
    lowest: np.ndarray  # ... its lowest provider number
    single: np.ndarray  # ... whether all its live supplies come from one provider (then ``lowest``)
    combos: list = field(default_factory=list)  # keys from actor_count on: (provider, needs resold on)

    @property
    def sole(self) -> tuple[np.ndarray, np.ndarray]:
        """The needs whose live supplies all come from one provider, and that provider."""
        return self.need_of[self.starts][self.single], self.lowest[self.single]


def _groups(graph: ArrayGraph, live: tuple[np.ndarray, np.ndarray], *, by_exits: bool = False) -> _Groups:
    """The live supplies grouped by need, each named by its provider, or with ``by_exits`` by its key of
    :func:`_closure_keys` (what ends it: a supply resold on a need of its provider has its own)."""
    supplies, need_of = live
    combos: list = []
    if by_exits:
        providers, combos = _closure_keys(graph, supplies)
        order = np.lexsort((providers, need_of))
        need_of, providers = need_of[order], providers[order]
    else:
        providers = graph.supply_provider[supplies]
    if not len(need_of):
        nothing = np.zeros(0, dtype=np.int64)
        return _Groups(need_of, providers, nothing, nothing, nothing.astype(bool), combos)
    starts = np.flatnonzero(np.r_[True, need_of[1:] != need_of[:-1]])
    lowest, highest = np.minimum.reduceat(providers, starts), np.maximum.reduceat(providers, starts)
    return _Groups(need_of, providers, starts, lowest, lowest == highest, combos)


def _need_exits(graph: ArrayGraph, groups: _Groups, closure) -> tuple[np.ndarray, list]:
    """Per need, the exits that lose it (the intersection, over its live supplies, of the closure of what
    ends each: ``groups`` by exits), as a number into the returned list of shared sets; -1 where no exit
    alone can."""
    need_of, providers, starts, single = groups.need_of, groups.providers, groups.starts, groups.single
    anchor = np.full(graph.need_count, -1, dtype=np.int64)
    sets: list[SharedSet] = []
    if not len(need_of):
        return anchor, sets

    def keep(common: SharedSet | None) -> int:
        """The number of a need's set of exits (-1: none)."""
        if common is None:
            return -1
        sets.append(common)
        return len(sets) - 1

    # One provider: its closure, shared by every need it alone supplies.
    sole_needs, sole_providers = groups.sole
    actors = graph.actor_count + len(groups.combos)  # how many keys
    distinct = _distinct(sole_providers, actors)
    sets.extend(closure(provider) for provider in distinct.tolist())
    lookup = np.full(actors, -1, dtype=np.int64)
    lookup[distinct] = np.arange(len(distinct))
    anchor[sole_needs] = lookup[sole_providers]
    # Several providers: the meet of their closures, once per distinct group of providers. A need's supplies
    # run in provider order, so its distinct providers are where the provider changes; most groups are
    # pairs, keyed by one number, the rest by a tuple.
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(need_of)]))
    several = ~single[group]
    new = several & np.r_[True, (providers[1:] != providers[:-1]) | (group[1:] != group[:-1])]
    pair_group, pair_provider = group[new], providers[new].astype(np.int64)
    size = np.bincount(pair_group, minlength=len(starts))
    first = np.r_[True, pair_group[1:] != pair_group[:-1]] if len(pair_group) else np.zeros(0, dtype=bool)
    two = size[pair_group[first]] == 2
    heads = np.flatnonzero(first)
    keys = pair_provider[heads[two]] * actors + pair_provider[heads[two] + 1]
    distinct_keys, which = np.unique(keys, return_inverse=True)
    positions = np.array(
        [keep(intersection(closure(key // actors), closure(key % actors))) for key in distinct_keys.tolist()],
        dtype=np.int64,
    )
    anchor[need_of[starts[pair_group[heads[two]]]]] = positions[which]
    ends = np.r_[heads[1:], len(pair_group)]
    number: dict[tuple[int, ...], int] = {}
    for head, end in zip(heads[~two].tolist(), ends[~two].tolist(), strict=True):
        providers_of = tuple(pair_provider[head:end].tolist())
        if providers_of not in number:
            number[providers_of] = keep(_meet_all(closure(p) for p in providers_of))
        anchor[need_of[starts[pair_group[head]]]] = number[providers_of]
    return anchor, sets


def _exit_counts(graph: ArrayGraph, anchor: np.ndarray, chosen: np.ndarray, forest: Forest) -> np.ndarray:
    """Per actor number: how many actors (itself not counted) a single exit of it cuts some ``chosen`` need
    of, where ``anchor`` gives each need's exits as a node of ``forest`` (-1: none).

    An actor's exits are the union of its needs' sets: its deepest set is counted on the forest, and the
    members of its other sets only where that one does not hold them, each (actor, member) pair once."""
    needs = np.flatnonzero(chosen & (anchor >= 0))
    actor, node = graph.need_node[needs].astype(np.int64), anchor[needs]
    depth = forest.depth[node]
    order = np.lexsort((-depth, actor))
    actor, node = actor[order], node[order]
    first = np.r_[True, actor[1:] != actor[:-1]] if len(actor) else np.zeros(0, dtype=bool)
    main_actor, main_node = actor[first], node[first]
    size = graph.actor_count
    counts = forest.counts((), nodes=main_node)
    counts -= np.bincount(main_actor[forest.holds((), main_actor, nodes=main_node)], minlength=size)
    # The other sets: written out per distinct set (shallow, as the deepest is counted on the forest).
    main_of = np.full(size, -1, dtype=np.int64)
    main_of[main_actor] = main_node
    rest = ~first & (node != main_of[actor])
    if rest.any():
        pairs = _distinct_keys(actor[rest] * (len(forest.entry) + 1) + node[rest])
        extra_actor, extra_node = pairs // (len(forest.entry) + 1), pairs % (len(forest.entry) + 1)
        distinct = _distinct(extra_node, len(forest.entry))
        written = [np.fromiter(forest.sets[n].members(), dtype=np.int64) for n in distinct.tolist()]
        pointer = np.zeros(len(forest.entry) + 1, dtype=np.int64)
        pointer[distinct + 1] = [len(w) for w in written]
        np.cumsum(pointer, out=pointer)
        items = np.concatenate(written) if written else np.zeros(0, dtype=np.int64)
        members, _ = gather(pointer, items, extra_node)
        owners = np.repeat(extra_actor, pointer[extra_node + 1] - pointer[extra_node])
        keys = _distinct_keys(owners * size + members)
        owners, members = keys // size, keys % size
        new = ~forest.holds((), members, nodes=main_of[owners]) & (members != owners)
        counts += np.bincount(members[new], minlength=size)
    return counts


def _live_supplies(graph: ArrayGraph, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The live supplies of the needs that an exit can lose (some live supply, none self-provided),
    in need order, with the need of each."""
    needs = graph.need_count
    live_count = np.bincount(graph.supply_need, weights=alive, minlength=needs).astype(np.int64)
    has_self_alive = np.zeros(needs, dtype=bool)
    own = alive & ~graph.outside_supply
    has_self_alive[graph.supply_need[own]] = True
    usable = (live_count > 0) & ~has_self_alive
    supplies = np.flatnonzero(alive & usable[graph.supply_need])
    return supplies, graph.supply_need[supplies]


def _direct_counts(graph: ArrayGraph, groups: _Groups, chosen: np.ndarray) -> np.ndarray:
    """Per actor number: how many actors (itself not counted) it alone supplies, directly (no cascade),
    some ``chosen`` need of: the one provider of all that need's live supplies. A distinct count of
    (actor, provider) pairs."""
    needs, providers = groups.sole
    keep = chosen[needs]
    size = graph.actor_count
    pairs = _distinct_keys(graph.need_node[needs[keep]].astype(np.int64) * size + providers[keep])
    actors, providers = pairs // size, pairs % size
    return np.bincount(providers[actors != providers], minlength=size)


def criticality_table(graph: ArrayGraph, service: str | None = None) -> list[ProviderCriticality]:
    """The criticality table of :func:`kg.analysis.criticality.criticality`, computed on arrays."""
    base = cascade(graph)
    baseline = base.offline
    alive = ~baseline[graph.supply_provider]
    resold_pointer, resold = graph.resold_on
    if len(resold):  # supplies resold on a service their provider has already lost are gone too
        alive[gather(resold_pointer, resold, np.flatnonzero(base.lost))[0]] = False
    outside = graph.outside_supply
    suppliers = _distinct(graph.supply_provider[outside], graph.actor_count)
    live = _live_supplies(graph, alive)
    groups = _groups(graph, live)
    counted = ~baseline[graph.need_node]
    direct_offline = _direct_counts(graph, groups, counted & graph.need_essential)[suppliers]
    direct_degraded = _direct_counts(graph, groups, counted)[suppliers] - direct_offline
    exits = _groups(graph, live, by_exits=True) if len(resold) else groups
    closure = _supplier_sets(graph, exits, baseline, suppliers)
    anchor, sets = _need_exits(graph, exits, closure)
    forest = Forest(sets, graph.actor_count)
    anchor = np.r_[forest.nodes(sets), -1][anchor]  # set number -> forest node; -1 stays -1
    offline_counts = _exit_counts(graph, anchor, counted & graph.need_essential, forest)
    either_counts = _exit_counts(graph, anchor, counted, forest)
    total_offline, total_degraded = offline_counts[suppliers], (either_counts - offline_counts)[suppliers]

    # Who each provider supplies (outside itself), and which services. In the by-provider order, each
    # provider's supplies run in need order, so its dependents come sorted: a pair is new where either
    # changes (no sort needed).
    _, order = graph.by_provider
    ordered = order[outside[order]]
    providers = graph.supply_provider[ordered]
    dependents = graph.need_node[graph.supply_need[ordered]]
    new = np.r_[True, (providers[1:] != providers[:-1]) | (dependents[1:] != dependents[:-1])][: len(providers)]
    dependent_count = np.bincount(providers[new], minlength=graph.actor_count)
    n_services = max(len(graph.tables.services), 1)
    offered = np.bincount(
        providers.astype(np.int64) * n_services + graph.need_service[graph.supply_need[ordered]],
        minlength=graph.actor_count * n_services,
    )
    services_of: dict[int, list[str]] = {}
    for key in np.flatnonzero(offered).tolist():
        services_of.setdefault(key // n_services, []).append(graph.tables.services[key % n_services])
    ids = graph.ids
    result = []
    for position, provider in enumerate(suppliers.tolist()):
        names = tuple(sorted(services_of.get(provider, [])))
        if service is not None and service not in names:
            continue
        if graph.tables.unnamed(provider):
            continue  # a provider the sources do not name is never a cut target
        result.append(
            ProviderCriticality(
                provider=ids[provider],
                name=graph.tables.actor_name[provider] or ids[provider],
                services=names,
                dependents=int(dependent_count[provider]),
                direct_offline=int(direct_offline[position]),
                direct_degraded=int(direct_degraded[position]),
                total_offline=int(total_offline[position]),
                total_degraded=int(total_degraded[position]),
            )
        )
    return sorted(result, key=lambda r: (-r.total_offline, -r.total_degraded, -r.dependents, r.name.casefold()))


def concentration_table(graph: ArrayGraph, service: str) -> ServiceConcentration:
    """The market concentration of :func:`kg.analysis.criticality.concentration`, computed on arrays."""
    index = graph.tables.services.index(service)
    chosen = graph.outside_supply & (graph.need_service[graph.supply_need] == index)
    providers = graph.supply_provider[chosen].astype(np.int64)
    dependents = graph.need_node[graph.supply_need[chosen]]
    pairs = _distinct_keys(providers * graph.actor_count + dependents)
    per_provider = np.bincount(pairs // graph.actor_count, minlength=graph.actor_count)
    total = int(per_provider.sum())
    ids = graph.ids
    shares = sorted(
        ((ids[p], int(per_provider[p]), int(per_provider[p]) / total) for p in np.flatnonzero(per_provider).tolist()),
        key=lambda row: (-row[1], row[0]),
    )
    hhi = sum((share * 100) ** 2 for _, _, share in shares)
    return ServiceConcentration(service, len(_distinct(dependents, graph.actor_count)), tuple(shares), round(hhi, 1))
