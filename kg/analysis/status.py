"""The status of one actor at one viewpoint, with why: what it stands on, what it lost, what was observed.

:func:`actor_status` answers "was X up on that date (at that time, in that country), and why?" for any
actor, also when nothing changed that day: an online platform lists the providers it stood on, an offline
one the chain of losses (as ``kg impact`` explains them), and where sources recorded the actor's
availability over that moment, the observation is given beside the prediction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kg.analysis.graph import AnalysisGraph
from kg.analysis.impact import explain, propagate
from kg.analysis.viewpoint import Viewpoint
from kg.model.facts import Observation, in_period

__all__ = ["ActorStatus", "ServiceState", "actor_status", "agrees", "covers"]


def agrees(observed: str | None, predicted: str) -> bool | None:
    """Whether a prediction agrees with an observed status (``None`` when nothing was observed).

    An observation of ``reachable`` (the sources say the site was up, not whether every channel worked)
    agrees with ``online`` and ``degraded``; the others only with themselves.

    >>> agrees("reachable", "degraded"), agrees("reachable", "offline"), agrees("online", "degraded"), agrees(None, "x")
    (True, False, False, None)
    """
    if observed is None:
        return None
    if observed == "reachable":
        return predicted in ("online", "degraded")
    return observed == predicted


@dataclass(frozen=True)
class ServiceState:
    """One service an actor needs at the viewpoint: who supplies it, or that it is lost."""

    service: str
    essential: bool
    providers: tuple[str, ...]  # live suppliers (identifiers), the actor itself for self-provision
    lost: bool
    impaired: bool = False  # kept only in part (partial supplies, a lost endpoint among several)


@dataclass(frozen=True)
class ActorStatus:
    """An actor's predicted status at a viewpoint, with its explanation and the observation covering it."""

    identifier: str
    name: str
    view: Viewpoint
    status: str  # "online", "degraded", "offline"
    since: dt.date | None
    lost_essential: tuple[str, ...]
    lost_channels: tuple[str, ...]
    explanation: str
    services: tuple[ServiceState, ...]
    observed: Observation | None = None
    impaired: tuple[str, ...] = ()  # services kept only in part

    @property
    def matches(self) -> bool | None:
        """Whether the prediction equals the observation (``None`` when nothing was observed)."""
        return agrees(self.observed.status if self.observed is not None else None, self.status)

    @property
    def disagreement(self) -> str | None:
        """Why the prediction and the observation differ, in one clause (``None`` unless they differ).

        An observation dated by day holds all that day: asked at an instant of its first day (29 minutes
        before AWS cut Parler off), it covers hours before what it reports.

        >>> from kg.analysis.graph import build_graph
        >>> from kg.model.facts import read_facts
        >>> from kg.io.loading import load
        >>> facts = read_facts(load())
        >>> view = Viewpoint(dt.date(2021, 1, 11), dt.datetime(2021, 1, 11, 7, 30, tzinfo=dt.UTC))
        >>> status = actor_status(build_graph(facts, view=view), "parler", view, facts.observations.values())
        >>> print(status.disagreement)  # doctest: +NORMALIZE_WHITESPACE
        predicted degraded, observed offline: the observation is dated 2021-01-11 with no time of day, so it
        holds from that day's start, before 07:30 UTC
        """
        observed = self.observed
        if observed is None or self.matches:
            return None
        clause = f"predicted {self.status}, observed {observed.status}"
        moment = self.view.moment
        if moment is not None and observed.start_time is None and observed.start == self.view.day:
            return (
                f"{clause}: the observation is dated {observed.start.isoformat()} with no time of day, so it holds "
                f"from that day's start, before {moment:%H:%M} UTC"
            )
        last_day = observed.end is not None and observed.end_time is None and (observed.end - self.view.day).days == 1
        if moment is not None and last_day:  # a difference, not date + 1 day: 9999-12-31 has no next day
            return (
                f"{clause}: the observation ends on {observed.end.isoformat()} with no time of day, so it holds "
                f"to the end of {self.view.day.isoformat()}, after {moment:%H:%M} UTC"
            )
        return clause


def covers(observation: Observation, day: dt.date, moment: dt.datetime | None) -> bool:
    """Whether ``observation`` covers ``day`` (at ``moment``, where both it and the question have a time)."""
    return in_period(observation, day, moment)


def actor_status(
    graph: AnalysisGraph, actor: str, view: Viewpoint, observations: Iterable[Observation] = ()
) -> ActorStatus:
    """The status of ``actor`` on ``graph`` (built at ``view``), checked against ``observations`` of it.

    Observations specific to the view's country take precedence over worldwide ones; among those that
    cover the moment, the latest-starting report wins (the newest news).

    Examples
    --------
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> facts = read_facts(load())
    >>> day = dt.date(2021, 1, 12)
    >>> status = actor_status(build_graph(facts, day), "parler", Viewpoint(day), facts.observations.values())
    >>> status.status, status.observed.status, status.lost_essential
    ('offline', 'offline', ('hosting',))
    """
    statuses = propagate(graph)
    state = statuses.get(actor)
    down = {node for node, s in statuses.items() if s.status in ("offline", "exited")}
    lost = {loss.service for loss in state.losses if not loss.partial} if state else set()
    impaired = set(state.impaired) if state else set()
    services = []
    for service, need in sorted(graph.needs.get(actor, {}).items()):
        live = sorted({d.provider for d in need.supplies if d.provider not in down or d.provider == actor})
        gone = service in lost or (not live and service not in impaired)
        services.append(ServiceState(service, need.essential, tuple(live), gone, service in impaired))
    mine = [o for o in observations if o.actor == actor and covers(o, view.day, view.moment)]
    regional = [o for o in mine if view.region is not None and view.region in o.countries]
    chosen = regional or [o for o in mine if not o.countries]
    chosen.sort(key=lambda o: (o.start, o.start_time or dt.datetime.min.replace(tzinfo=dt.UTC), o.identifier))
    status = state.status if state else "online"
    return ActorStatus(
        identifier=actor,
        name=graph.name(actor),
        view=view,
        status=status,
        since=state.since if state else None,
        lost_essential=tuple(state.lost_essentials) if state else (),
        lost_channels=tuple(state.lost_channels) if state else (),
        impaired=tuple(state.impaired) if state else (),
        explanation=explain(statuses, graph, actor),
        services=tuple(services),
        observed=chosen[-1] if chosen else None,
    )
