"""What-if questions: a scenario's impact, one actor's status, single points of failure, cut sets,
provider criticality, history replay: each answered by the engine that fits the data, with one answer type."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.progress import Progress

if TYPE_CHECKING:
    from kg.analysis.arrays.graph import ArrayGraph
    from kg.analysis.criticality import ProviderCriticality, ServiceConcentration
    from kg.analysis.faulttree import CutSets, SinglePoints
    from kg.analysis.graph import AnalysisGraph
    from kg.analysis.impact import Impact
    from kg.analysis.status import ActorStatus


from kg.api.sources import (
    arrays_at,
    deadline,
    facts_of,
    graph_at,
    identifier_of,
    load,
    scope_for,
    target_graph,
    viewpoint,
)

__all__ = [
    "CutSetsAnswer",
    "ImpactAnswer",
    "RankAnswer",
    "SpofAnswer",
    "StatusAnswer",
    "cutsets",
    "impact",
    "rank",
    "replay",
    "scenario_needs",
    "spof",
    "status",
]


@dataclass(frozen=True)
class ImpactAnswer:
    """What a scenario does (:class:`~kg.analysis.impact.Impact`), and the actors the report is limited
    to (identifiers; empty: everyone the scenario changes)."""

    impact: Impact
    platforms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StatusAnswer:
    """One actor's :class:`~kg.analysis.status.ActorStatus`, and the graph its names come from."""

    status: ActorStatus
    graph: AnalysisGraph


@dataclass(frozen=True)
class SpofAnswer:
    """A platform's :class:`~kg.analysis.faulttree.SinglePoints`, and the graph its names come from."""

    points: SinglePoints
    graph: AnalysisGraph


@dataclass(frozen=True)
class CutSetsAnswer:
    """A platform's minimal :class:`~kg.analysis.faulttree.CutSets`, and the graph its names come from."""

    sets: CutSets
    graph: AnalysisGraph


@dataclass(frozen=True)
class RankAnswer:
    """Provider criticality rows (most critical first), the concentration of the service asked about (if
    any), and the array graph their names come from."""

    rows: list[ProviderCriticality]
    concentrations: list[ServiceConcentration]
    graph: ArrayGraph


def scenario_needs(cuts, remove, owners, countries, recorded_until, platforms=()) -> dict:
    """What a scenario needs of a remote graph (:class:`kg.store.remote.Scope` fields): everything downstream
    of what it cuts and exits, the records it names, the owners' and countries' providers, the cut-offs
    recorded until a date."""
    return dict(
        downstream=[dependent for dependent, _, _ in cuts] + list(remove),
        records=[provider for _, provider, _ in cuts] + list(platforms),
        owners=list(owners),
        countries=list(countries),
        cut_offs_until=recorded_until,
    )


def _closure(data, name: str, at, region, progress):
    """The viewpoint of a question about one actor, the dataset (from an endpoint, only what the actor
    stands on), the graph of the actor's dependency closure and the actor's identifier."""
    view = viewpoint(at, region)
    dataset = load(data, scope=scope_for(data, upstream=[name], day=view.day, region=view.region), progress=progress)
    return (view, dataset, *target_graph(dataset, view, name))


def impact(
    data=None,
    *,
    at=None,
    region: str | None = None,
    cuts: Iterable[tuple[str, str, str | None]] = (),
    remove: Iterable[str] = (),
    owners: Iterable[str] = (),
    countries: Iterable[str] = (),
    recorded_until: dt.date | None = None,
    platforms: Iterable[str] = (),
    progress: Progress | None = None,
) -> ImpactAnswer:
    """What a scenario of cuts does: who goes offline or loses channels, and why.

    ``cuts`` are (dependent, provider, service or None); ``remove`` providers exit; every provider of an
    ``owners`` group or in a ``countries`` list exits; ``recorded_until`` also applies the recorded cut-offs
    up to that date. ``platforms`` limits the report to those actors (names or identifiers).
    """
    view = viewpoint(at, region)
    cuts, remove, platforms = list(cuts), list(remove), list(platforms)
    needs = scenario_needs(cuts, remove, owners, countries, recorded_until, platforms)
    dataset = load(
        data, scope=scope_for(data, day=view.day, region=view.region, market=True, **needs), progress=progress
    )
    scenario_flags = dict(cuts=cuts, remove=remove, owners=owners, countries=countries, recorded_until=recorded_until)
    if dataset.small:  # the whole graph, no arrays (and no numpy import)
        from kg.analysis.impact import assess
        from kg.analysis.scenario import make_scenario

        graph = graph_at(dataset, view)
        scenario = make_scenario(graph, **scenario_flags)
    else:
        from kg.analysis.arrays.focus import assess_focused, graph_for_scenario

        arrays = arrays_at(dataset, view)
        graph, scenario = graph_for_scenario(arrays, entities=dataset.entities, **scenario_flags)
        assess = functools.partial(assess_focused, arrays)
    graph.market = dataset.market
    only = frozenset(identifier_of(graph.entities, name) for name in platforms)
    return ImpactAnswer(assess(graph, scenario, progress=progress), only)


def status(name: str, *, data=None, at=None, region: str | None = None, progress: Progress | None = None):
    """The status of one actor at a moment, for users in a region, with why: what it stands on, what it
    lost, and what sources observed then (a :class:`StatusAnswer`)."""
    from kg.analysis.status import actor_status

    view, dataset, graph, target = _closure(data, name, at, region, progress)
    observations = dataset.facts.observations.values() if dataset.small else dataset.tables.observations_of(target)
    return StatusAnswer(actor_status(graph, target, view, observations), graph)


def spof(
    platform: str, *, data=None, at=None, region: str | None = None, time_limit: float | None = None, progress=None
) -> SpofAnswer:
    """Single points of failure: the providers whose exit alone takes ``platform`` offline, and the
    channels one exit cuts. Raises :class:`~kg.analysis.faulttree.TimeLimitExceeded` past ``time_limit``
    seconds."""
    from kg.analysis.faulttree import single_points_of_failure

    _, _, graph, target = _closure(data, platform, at, region, progress)
    return SpofAnswer(single_points_of_failure(graph, target, deadline=deadline(time_limit)), graph)


def cutsets(
    platform: str,
    *,
    data=None,
    at=None,
    region: str | None = None,
    max_order: int = 3,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> CutSetsAnswer:
    """Minimal cut sets: the smallest sets of provider exits (up to ``max_order`` providers) that together
    take ``platform`` offline."""
    from kg.analysis.faulttree import cut_sets

    _, _, graph, target = _closure(data, platform, at, region, progress)
    return CutSetsAnswer(cut_sets(graph, target, max_order, deadline=deadline(time_limit)), graph)


def rank(
    data=None, *, at=None, region: str | None = None, service: str | None = None, progress: Progress | None = None
) -> RankAnswer:
    """Provider criticality: how many dependents each provider's exit alone would take offline or degrade
    (directly, and with cascades); with ``service``, only its providers, with that market's concentration."""
    from kg.analysis.arrays.cascade import concentration_table, criticality_table
    from kg.model.vocabulary import vocabulary

    view = viewpoint(at, region)
    services = [vocabulary().service(service).identifier] if service else []
    graph = arrays_at(load(data, progress=progress), view)  # every provider's exit: the whole graph
    rows = criticality_table(graph, services[0] if services else None)
    return RankAnswer(rows, [concentration_table(graph, s) for s in services], graph)


def replay(platform: str | None = None, *, data=None, region: str | None = None, progress=None) -> list:
    """A platform's recorded history replayed: the predicted status at each date (and instant), checked
    against what was observed, for users in ``region``. Without ``platform``, every platform with recorded
    observations, worldwide and in each country observed on its own (filtered to ``region`` if given).
    Returns a list of :class:`~kg.analysis.replay.Replay`."""
    from kg.analysis.replay import replay as replay_one
    from kg.analysis.replay import replay_all

    scope = None if platform is None else scope_for(data, upstream=[platform], region=region)
    facts = facts_of(load(data, scope=scope, progress=progress))
    if platform is None:
        return [history for history in replay_all(facts) if region in (None, history.region)]
    return [replay_one(facts, platform, region)]
