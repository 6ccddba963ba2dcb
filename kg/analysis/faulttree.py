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

import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.analysis.graph import AnalysisGraph, Need, least_fixpoint
from kg.analysis.impact import explain, propagate
from kg.analysis.sharedsets import EVERY, SharedSet, meet, split, union
from kg.errors import InputError
from kg.model.progress import Progress

__all__ = [
    "CutSets",
    "SinglePoints",
    "TimeLimitExceeded",
    "cut_sets",
    "deadline_progress",
    "minimize",
    "single_exit_sets",
    "single_points_of_failure",
]

Family = frozenset[frozenset[str]]


def minimize(sets: Iterable[frozenset[str]], max_order: int) -> Family:
    """Keep the sets of at most ``max_order`` members that contain no other kept set.

    A candidate is checked against the kept sets one by one, or, once there are more kept sets than it has
    subsets, by looking its subsets up: linear in the number of sets for small orders.

    Examples
    --------
    >>> sorted(map(sorted, minimize([frozenset("ab"), frozenset("a"), frozenset("bcd")], 2)))
    [['a']]
    """
    kept: list[frozenset[str]] = []
    index: set[frozenset[str]] = set()
    for candidate in sorted({s for s in sets if len(s) <= max_order}, key=lambda s: (len(s), sorted(s))):
        if frozenset() in index:
            break  # the empty set is in every other
        if len(kept) < 2 ** len(candidate):
            covered = any(k <= candidate for k in kept)
        else:
            members = sorted(candidate)
            covered = any(
                frozenset(subset) in index
                for size in range(1, len(members))
                for subset in itertools.combinations(members, size)
            )
        if not covered:
            kept.append(candidate)
            index.add(candidate)
    return frozenset(kept)


class _Families:
    """The algebra of minimal cut sets up to an order.

    A value is ``(singles, multiples)``: the providers whose exit alone brings it about, as shared
    :class:`SharedSet` (``None``: none; ``EVERY``: it has already happened), and the minimal sets of two or
    more exits that contain none of those. Singles are shared down chains of providers, so a deep chain
    costs linear time and memory; only where supplies are redundant are sets of several exits formed, and
    those are bounded by the order (at order 1, single points of failure, none are).
    """

    never = (None, frozenset())
    already = (EVERY, frozenset())

    def __init__(self, max_order: int) -> None:
        self.max_order = max_order

    def single(self, provider: str):
        return SharedSet(frozenset({provider}), None), frozenset()

    def _without(self, singles, sets) -> frozenset:
        """``sets`` minimal, and none holding a single exit that already suffices."""
        if not sets:
            return frozenset()
        members = singles.members() if isinstance(singles, SharedSet) else set()
        return frozenset(s for s in minimize(sets, self.max_order) if members.isdisjoint(s))

    def either(self, values):
        """Any of them happening (OR): the union, minimal."""
        singles, sets = None, set()
        for value_singles, value_sets in values:
            singles = union(singles, value_singles)
            sets |= value_sets
        if singles is EVERY:
            return self.already
        return singles, self._without(singles, sets)

    def both(self, left, right):
        """Both happening (AND): each way of one joined with each way of the other, minimal."""
        (left_singles, left_sets), (right_singles, right_sets) = left, right
        if left_singles is EVERY:
            return right
        if right_singles is EVERY:
            return left
        common, left_above, right_above = split(left_singles, right_singles)
        singles = meet(common, left_above, right_above)
        if self.max_order == 1:
            return singles, frozenset()
        shared = left_above & right_above
        left_only, right_only = left_above - shared, right_above - shared
        sets: set[frozenset[str]] = {frozenset((a, b)) for a in left_only for b in right_only}
        for only, other in ((left_only, right_sets), (right_only, left_sets)):
            for group in other:
                if not only.isdisjoint(group):
                    sets.add(group)  # one of its exits is already a single exit of this side
                elif len(group) < self.max_order:
                    sets.update(group | {provider} for provider in only)
        sets.update(a | b for a in left_sets for b in right_sets)
        return singles, self._without(singles, sets)


class _Solver:
    """What takes 'X offline' (and 'X loses service s') for every actor reachable from a target, in the
    algebra of minimal cut sets (:class:`_Families`)."""

    def __init__(self, graph: AnalysisGraph, algebra, check=lambda: None) -> None:
        self.graph = graph
        self.algebra = algebra
        self.check = check
        #: actor -> (what takes it offline, ((service, what loses it), ...)): the fixpoint's value
        self.state: dict[str, tuple] = {}

    def offline(self, node: str):
        value = self.state.get(node)
        return value[0] if value is not None else self.algebra.never

    def _lost(self, node: str, service: str):
        value = self.state.get(node)
        return dict(value[1]).get(service, self.algebra.never) if value is not None else self.algebra.never

    def supply_fails(self, dependency):
        """A supply fails when its provider exits (unless unnamed), goes offline, or loses a service it
        resells this on."""
        provider = dependency.provider
        parts = [self.offline(provider)]
        if not self.graph.unnamed(provider):  # never a cut target: it fails only if what it stands on does
            parts.append(self.algebra.single(provider))
        parts.extend(self._lost(provider, service) for service in dependency.relies_on)
        return self.algebra.either(parts)

    def lost(self, need: Need):
        algebra = self.algebra
        if not need.supplies:
            return algebra.already
        if need.self_provided:
            return algebra.never
        result = algebra.already
        for dependency in need.supplies:
            result = algebra.both(result, self.supply_fails(dependency))
            if result is algebra.never:
                break
        return result

    def node_state(self, node: str) -> tuple:
        self.check()
        needs = sorted(self.graph.needs.get(node, {}).items())
        lost = tuple((service, self.lost(need)) for service, need in needs)
        essential = {service for service, need in needs if need.essential}
        return self.algebra.either(value for service, value in lost if service in essential), lost

    def solve(self, target: str | None = None) -> None:
        """Solve for ``target`` and every actor it depends on (``None``: for every actor)."""
        least_fixpoint(self.graph, self.node_state, self.state, (self.algebra.never, ()), start=target)


@dataclass
class CutSets:
    """Minimal sets of provider exits that take ``target`` offline, up to ``max_order`` providers each."""

    target: str
    max_order: int
    sets: list[tuple[str, ...]]
    already_offline: bool
    channels: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # channel -> sets that cut it


def cut_sets(graph: AnalysisGraph, target: str, max_order: int = 3, *, deadline: float | None = None) -> CutSets:
    """Compute the minimal cut sets of ``target`` going offline (and of losing each of its channels).

    ``deadline`` (a :func:`time.monotonic` value) stops the computation with :class:`TimeLimitExceeded`.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> cut_sets(graph, "parler", 2).sets
    [('aws',)]
    """
    return _cut_sets(graph, target, max_order, _deadline_check(deadline, "cut sets"))


def single_exit_sets(graph: AnalysisGraph, *, progress: Progress | None = None) -> dict[str, tuple]:
    """For every actor, the providers whose exit alone takes it offline, and per service it needs those
    whose exit alone loses it that service: ``{actor: (offline, {service: lost})}``, each a
    :class:`~kg.analysis.sharedsets.SharedSet` (``None``: no single exit does; :data:`~kg.analysis.sharedsets.EVERY`: it
    has already happened on the date). Linear in the graph down a chain of providers, a resale chain
    too. ``progress`` is called as ``progress("single exits", actors solved, None)`` as it advances.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> offline, lost = single_exit_sets(build_graph(read_facts(load()), dt.date(2021, 1, 7)))["parler"]
    >>> sorted(offline.members()), sorted(lost["app-store-ios"].members())
    (['aws'], ['apple-app-store'])
    """
    solver = _Solver(graph, _Families(1), _every(progress, "single exits"))
    solver.solve()
    return {
        node: (offline[0], {service: value[0] for service, value in lost})
        for node, (offline, lost) in solver.state.items()
    }


def _cut_sets(graph: AnalysisGraph, target: str, max_order: int, check) -> CutSets:
    if max_order < 1:
        raise InputError(f"the order of cut sets must be at least 1, not {max_order}")
    solver = _Solver(graph, _Families(max_order), check)
    if target in graph.graph:
        solver.solve(target)
    offline = solver.offline(target)
    already = offline[0] is EVERY
    channels = {}
    for service, need in sorted(graph.needs.get(target, {}).items()):
        if not need.essential:
            lost = solver.lost(need)
            if lost[0] is not EVERY:
                channels[service] = _ordered(lost, target)
    return CutSets(target, max_order, [] if already else _ordered(offline, target), already, channels)


def _ordered(value, target: str) -> list[tuple[str, ...]]:
    """The sets of a :class:`_Families` value in order (size, then names), without those that need the
    target's own exit (reachable through cycles: not one of its failures)."""
    singles, sets = value
    found = [(member,) for member in (singles.members() if isinstance(singles, SharedSet) else ()) if member != target]
    found += [tuple(sorted(s)) for s in sets if target not in s]
    return sorted(found, key=lambda s: (len(s), s))


@dataclass
class SinglePoints:
    """Providers whose exit alone takes ``target`` offline, and channels a single exit would cut."""

    target: str
    offline: list[str]  # providers whose exit alone takes the target offline
    channels: dict[str, list[str]]  # provider -> channels its exit alone would cut
    already_offline: bool
    why: dict[str, str] = field(default_factory=dict)  # provider -> how its exit takes the target offline


#: How many single points of failure get an explanation (each costs one cascade); kg impact explains any other.
WHY_LIMIT = 20


def _every(progress: Progress | None, step: str, every: int = 256):
    """A function to call once per actor solved: it reports to ``progress`` once per ``every`` calls."""
    calls = [0]

    def check() -> None:
        calls[0] += 1
        if progress is not None and calls[0] % every == 0:
            progress(step, calls[0], None)

    return check


def _deadline_check(deadline: float | None, what: str):
    return _every(deadline_progress(deadline, what) if deadline is not None else None, "actors solved")


class TimeLimitExceeded(InputError):
    """An analysis ran past the time it was given; nothing was printed or written."""


def deadline_progress(deadline: float | None, what: str) -> Progress:
    """A progress callback (:data:`kg.model.progress.Progress`) that stops the work it is given to once past
    ``deadline`` (a :func:`time.monotonic` value; ``None``: never), with :class:`TimeLimitExceeded` naming
    ``what`` and the step it reached.

    Examples
    --------
    >>> deadline_progress(None, "rendering")("statuses", 4096, None)  # no deadline: never stops
    >>> deadline_progress(time.monotonic() - 1, "rendering")("statuses", 4096, None)
    Traceback (most recent call last):
    ...
    kg.analysis.faulttree.TimeLimitExceeded: rendering stopped at the time limit (--time-limit): statuses, 4,096 done
    """

    def report(step: str, done: int, total: int | None) -> None:
        if deadline is not None and time.monotonic() > deadline:
            so_far = f", {done:,} done" if done else ""
            raise TimeLimitExceeded(f"{what} stopped at the time limit (--time-limit): {step}{so_far}")

    return report


def single_points_of_failure(
    graph: AnalysisGraph, target: str, *, deadline: float | None = None, why_limit: int = WHY_LIMIT
) -> SinglePoints:
    """The order-1 cut sets of ``target``: single exits that take it offline or cut a channel.

    The cut sets of order 1, on shared sets (see :class:`SharedSet`): linear in the graph down a chain.
    The first ``why_limit`` providers (by name) get an explanation. ``deadline`` (a
    :func:`time.monotonic` value) stops the computation with :class:`TimeLimitExceeded`.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> points = single_points_of_failure(build_graph(read_facts(load()), dt.date(2021, 1, 7)), "parler")
    >>> points.offline, points.channels["apple-app-store"]
    (['aws'], ['app-store-ios'])
    """
    check = _deadline_check(deadline, "single points of failure")
    sets = _cut_sets(graph, target, 1, check)
    offline = [s[0] for s in sets.sets]
    down = set(offline)
    channels: dict[str, list[str]] = {}
    for channel, families in sets.channels.items():
        for (provider,) in families:
            if provider not in down:
                channels.setdefault(provider, []).append(channel)
    why = {}
    for provider in offline[:why_limit]:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimitExceeded(
                f"single points of failure stopped at the time limit (--time-limit) explaining {provider!r}"
            )
        why[provider] = explain(propagate(graph, removed={provider: "exits"}), graph, target)
    return SinglePoints(target, offline, dict(sorted(channels.items())), sets.already_offline, why)
