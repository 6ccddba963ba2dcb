"""Focused analysis graphs: only the part of a big graph that a question can touch is materialised.

Whether an actor is offline depends only on the actors it depends on, transitively. So the single
points of failure and cut sets of one platform need only that platform's dependency closure, and a
scenario can change only the actors that depend (transitively) on what it cuts, which in turn need
their own closures. These functions find those sets on the arrays (:meth:`ArrayGraph.reach`) and build
the reference :class:`~kg.analysis.graph.AnalysisGraph` for them alone, so a question about one site of a
million-dependency graph costs what the site's neighbourhood costs. The answers are the same as on the
whole graph (the tests compare them).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np

from kg.analysis.arrays.graph import ArrayGraph
from kg.analysis.graph import AnalysisGraph
from kg.analysis.impact import Impact, assess
from kg.analysis.scenario import Scenario, make_scenario
from kg.errors import InputError
from kg.model.names import NameIndex
from kg.model.progress import Progress

__all__ = ["assess_focused", "graph_for_scenario", "graph_for_target"]


def _mask(arrays: ArrayGraph, numbers: Iterable[int]) -> np.ndarray:
    mask = np.zeros(arrays.actor_count, dtype=bool)
    mask[np.fromiter(numbers, dtype=np.int64)] = True
    return mask


def graph_for_target(arrays: ArrayGraph, target: str, entities: dict | None = None) -> AnalysisGraph:
    """The analysis graph of ``target`` (an actor identifier) and everything it depends on, for single
    points of failure and cut sets (it carries no terminations, so it lists no alternatives)."""
    number = arrays.number.get(target)
    if number is None:
        return arrays.analysis_graph(np.zeros(arrays.actor_count, dtype=bool), entities, terminations=False)
    return arrays.analysis_graph(arrays.reach(np.array([number])), entities, terminations=False)


def _dependency_number(arrays: ArrayGraph, identifier: str) -> int | None:
    ids = arrays.tables.dep_id  # numbered in identifier order
    position = bisect.bisect_left(ids, identifier)
    return position if position < len(ids) and ids[position] == identifier else None


def graph_for_scenario(
    arrays: ArrayGraph,
    entities: dict,
    *,
    cuts: Sequence[tuple[str, str, str | None]] = (),
    remove: Iterable[str] = (),
    owners: Iterable[str] = (),
    countries: Iterable[str] = (),
    recorded_until: dt.date | None = None,
) -> tuple[AnalysisGraph, Scenario]:
    """The :class:`~kg.analysis.scenario.Scenario` of :func:`kg.analysis.scenario.make_scenario`, and the
    analysis graph of the actors it changes and of everyone offline before or after it (found by cascades
    on the arrays)."""
    index = NameIndex(entities)
    named = set()
    for dependent, _, _ in cuts:
        try:
            named.add(index.resolve(dependent).identifier)
        except InputError:
            continue  # make_scenario reports it
    tables = arrays.tables
    if recorded_until is not None:
        for event in tables.events:
            number = _dependency_number(arrays, event["dependency"])
            if event["kind"] == "cut-off" and number is not None:
                named.add(arrays.ids[int(tables.dep_dependent[number])])
    numbers = [arrays.number[name] for name in named if name in arrays.number]
    first = arrays.analysis_graph(_mask(arrays, numbers), entities, terminations=False)
    scenario = make_scenario(
        first, cuts=cuts, remove=remove, owners=owners, countries=countries, recorded_until=recorded_until
    )
    members, lost = _changing(arrays, scenario)
    return arrays.propagation_graph(members, lost, entities), scenario


def _scenario_cascade(arrays: ArrayGraph, scenario: Scenario):
    from kg.analysis.arrays.cascade import cascade

    removed = np.array([arrays.number[p] for p in scenario.removed if p in arrays.number], dtype=np.int64)
    cut = [_dependency_number(arrays, identifier) for identifier in scenario.cuts]
    return cascade(arrays, removed, np.array([c for c in cut if c is not None], dtype=np.int64))


def _changing(arrays: ArrayGraph, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """The actors whose status or losses the scenario changes, with everyone offline before or after
    (a mask over actors), and the needs lost before or after it (a mask over needs).

    The set is closed under "is supplied by an actor that is offline, or that lost a service it resells
    the supply on": whoever is offline outside it
    (offline before and after, unchanged) supplies nobody in it, and so, as it goes down in the
    reference propagation, requeues no member. The propagation over the lost needs of this set alone
    therefore visits its members in the same order and gives them the same statuses and causes as over
    the whole graph (actors that may keep a service only in part, :attr:`ArrayGraph.impairable`, are
    members with all their needs), while the many actors that were already offline and depend on nothing changed
    (sites whose last host left long before) are never materialised.
    """
    from kg.analysis.arrays.cascade import cascade

    before, after = cascade(arrays), _scenario_cascade(arrays, scenario)
    changed = (after.offline & ~before.offline) | after.exited  # exited: the providers the scenario removes
    changed[arrays.need_node[after.lost != before.lost]] = True
    # A reseller that lost a service it resells supplies on ends those supplies while online: it belongs
    # with the offline actors (outside the set, nobody ends a member's supply).
    pointer, _ = arrays.resold_on
    resellers = np.zeros(arrays.actor_count, dtype=bool)
    resellers[arrays.need_node[(before.lost | after.lost) & (np.diff(pointer) > 0)]] = True
    # Who may keep a service only in part is decided by the reference propagation, over all its needs.
    impairable = arrays.impairable
    changed |= impairable
    members = arrays.reach(np.flatnonzero(changed), within=changed | before.offline | after.offline | resellers)
    return members, before.lost | after.lost | impairable[arrays.need_node]


def assess_focused(
    arrays: ArrayGraph, graph: AnalysisGraph, scenario: Scenario, *, progress: Progress | None = None
) -> Impact:
    """:func:`kg.analysis.impact.assess` on a focused graph; who is unavailable afterwards (which rules out
    alternatives) comes from a cascade over the whole date's arrays."""
    impact = assess(graph, scenario, progress=progress)
    result = _scenario_cascade(arrays, scenario)
    ids = arrays.ids
    impact.unavailable_actors = frozenset(scenario.removed) | {ids[i] for i in np.flatnonzero(result.offline).tolist()}
    return impact
