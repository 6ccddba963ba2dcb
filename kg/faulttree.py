"""Minimal cut sets and single points of failure, computed along the AND/OR structure of dependencies.

As fault-tree tools do, the cut sets of an event are combined from those of the events below it rather
than found by trying every subset of providers:

* a dependent is offline if it loses any essential service (OR);
* it loses a service if every supply fails (AND); a self-provided supply never fails;
* a supply fails if its provider exits, is itself offline, or has lost a service it resells this supply on
  (a payment gateway whose own card acquirer cut it off), OR, recursively.

Sets larger than the requested order are dropped as they are formed, and only minimal sets are kept.
Dependency cycles are solved as a least fixpoint: the cut sets of a strongly connected group of
actors are recomputed until they no longer change. A service already lost on the date has the empty
cut set: nothing more needs to fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.depgraph import AnalysisGraph, Need, least_fixpoint
from kg.errors import InputError
from kg.impact import explain, propagate

__all__ = ["CutSets", "SinglePoints", "cut_sets", "minimize", "single_points_of_failure"]

Family = frozenset[frozenset[str]]
NEVER: Family = frozenset()  # no set of exits brings it about
ALREADY: Family = frozenset({frozenset()})  # already true: the empty set suffices


def minimize(sets: Iterable[frozenset[str]], max_order: int) -> Family:
    """Keep the sets of at most ``max_order`` members that contain no other kept set.

    Examples
    --------
    >>> sorted(map(sorted, minimize([frozenset("ab"), frozenset("a"), frozenset("bcd")], 2)))
    [['a']]
    """
    kept: list[frozenset[str]] = []
    for candidate in sorted({s for s in sets if len(s) <= max_order}, key=lambda s: (len(s), sorted(s))):
        if not any(k <= candidate for k in kept):
            kept.append(candidate)
    return frozenset(kept)


def _both(left: Family, right: Family, max_order: int) -> Family:
    return minimize((a | b for a in left for b in right), max_order)


class _Solver:
    """Cut sets of 'X is offline' (and of 'X loses service s') for every actor reachable from a target."""

    def __init__(self, graph: AnalysisGraph, max_order: int) -> None:
        self.graph = graph
        self.max_order = max_order
        #: actor -> (cut sets of its going offline, ((service, cut sets of losing it), ...)): the fixpoint's value
        self.state: dict[str, tuple[Family, tuple[tuple[str, Family], ...]]] = {}

    @property
    def offline(self) -> dict[str, Family]:
        return {node: value[0] for node, value in self.state.items()}

    def _offline(self, node: str) -> Family:
        value = self.state.get(node)
        return value[0] if value is not None else NEVER

    def _lost(self, node: str, service: str) -> Family:
        value = self.state.get(node)
        return dict(value[1]).get(service, NEVER) if value is not None else NEVER

    def supply_fails(self, dependency) -> Family:
        """A supply fails when its provider exits (unless unnamed), goes offline, or loses a service it
        resells this on."""
        provider = dependency.provider
        families = [*self._offline(provider)]
        if not self.graph.unnamed(provider):  # never a cut target: it fails only if what it stands on does
            families.append(frozenset({provider}))
        for service in dependency.relies_on:
            families.extend(self._lost(provider, service))
        return minimize(families, self.max_order)

    def lost(self, need: Need) -> Family:
        if not need.supplies:
            return ALREADY
        if need.self_provided:
            return NEVER
        result = ALREADY
        for dependency in need.supplies:
            result = _both(result, self.supply_fails(dependency), self.max_order)
        return result

    def node_state(self, node: str) -> tuple[Family, tuple[tuple[str, Family], ...]]:
        needs = sorted(self.graph.needs.get(node, {}).items())
        lost = tuple((service, self.lost(need)) for service, need in needs)
        essential = {service for service, need in needs if need.essential}
        offline = minimize((s for service, family in lost if service in essential for s in family), self.max_order)
        return offline, lost

    def solve(self, target: str) -> None:
        least_fixpoint(self.graph, self.node_state, self.state, (NEVER, ()), start=target)


@dataclass
class CutSets:
    """Minimal sets of provider exits that take ``target`` offline, up to ``max_order`` providers each."""

    target: str
    max_order: int
    sets: list[tuple[str, ...]]
    already_offline: bool
    channels: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # channel -> sets that cut it


def cut_sets(graph: AnalysisGraph, target: str, max_order: int = 3) -> CutSets:
    """Compute the minimal cut sets of ``target`` going offline (and of losing each of its channels).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> from kg.depgraph import build_graph
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> cut_sets(graph, "parler", 2).sets
    [('aws',)]
    """
    if max_order < 1:
        raise InputError(f"the order of cut sets must be at least 1, not {max_order}")
    solver = _Solver(graph, max_order)
    if target in graph.graph:
        solver.solve(target)
    # The target's own exit is not one of its failures: drop sets that need it (reachable through cycles).
    family = frozenset(s for s in solver.offline.get(target, NEVER) if target not in s)
    channels = {}
    for service, need in sorted(graph.needs.get(target, {}).items()):
        if not need.essential:
            lost = frozenset(s for s in solver.lost(need) if target not in s)
            if lost != ALREADY:
                channels[service] = _ordered(lost)
    return CutSets(target, max_order, _ordered(family) if family != ALREADY else [], family == ALREADY, channels)


def _ordered(family: Family) -> list[tuple[str, ...]]:
    return sorted((tuple(sorted(s)) for s in family), key=lambda s: (len(s), s))


@dataclass
class SinglePoints:
    """Providers whose exit alone takes ``target`` offline, and channels a single exit would cut."""

    target: str
    offline: list[str]  # providers whose exit alone takes the target offline
    channels: dict[str, list[str]]  # provider -> channels its exit alone would cut
    already_offline: bool
    why: dict[str, str] = field(default_factory=dict)  # provider -> how its exit takes the target offline


def single_points_of_failure(graph: AnalysisGraph, target: str) -> SinglePoints:
    """The order-1 cut sets of ``target``: single exits that take it offline or cut a channel.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> from kg.depgraph import build_graph
    >>> points = single_points_of_failure(build_graph(read_facts(load()), dt.date(2021, 1, 7)), "parler")
    >>> points.offline, points.channels["apple-app-store"]
    (['aws'], ['app-store-ios'])
    """
    sets = cut_sets(graph, target, 1)
    offline = [s[0] for s in sets.sets]
    channels: dict[str, list[str]] = {}
    for channel, families in sets.channels.items():
        for (provider,) in families:
            if provider not in offline:
                channels.setdefault(provider, []).append(channel)
    why = {provider: explain(propagate(graph, removed={provider: "exits"}), graph, target) for provider in offline}
    return SinglePoints(target, offline, dict(sorted(channels.items())), sets.already_offline, why)
