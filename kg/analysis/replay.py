"""History replay: a platform's predicted status on each date its recorded history changes, checked against
what was observed.

On every date where one of the platform's dependencies (or one of its providers' dependencies) starts or
ends, a recorded event acts on them, or an availability observation starts or ends, the analysis graph
is rebuilt as it stood that day and propagated. Where an observation covers the day, the prediction is
compared with it.

Where sources give a time of day (a cut at 23:59 Pacific, a return seven hours later), the replay also
stops at that instant, so an outage shorter than a day shows; the step of a date without a time comes
after that date's instants (it holds what the date rule says of the whole day). A replay is worldwide or
for one country: in a country, dependencies that apply there replace the worldwide ones (see
:mod:`kg.analysis.viewpoint`) and the predictions are checked against what was observed in that country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import networkx as nx

from kg.analysis.graph import build_graph
from kg.analysis.impact import explain, propagate
from kg.analysis.status import agrees, covers
from kg.analysis.viewpoint import Viewpoint, applies
from kg.model.facts import Event, Facts
from kg.model.names import NameIndex

__all__ = ["Replay", "ReplayStep", "replay", "replay_all"]


@dataclass(frozen=True)
class ReplayStep:
    """The predicted (and, where known, observed) status on one date."""

    day: dt.date
    status: str  # "online", "degraded", "offline"
    lost_channels: tuple[str, ...]
    explanation: str
    events: tuple[Event, ...] = ()  # recorded events on the platform's dependencies that day
    observed: str | None = None  # the observed status covering the day, if any
    moment: dt.datetime | None = None  # the instant (UTC) of a step at a time of day
    impaired: tuple[str, ...] = ()  # services kept only in part

    @property
    def matches(self) -> bool | None:
        """Whether the prediction equals the observation (``None`` when nothing was observed)."""
        return agrees(self.observed, self.status)


@dataclass
class Replay:
    """The replay of one platform's history."""

    platform: str
    name: str
    steps: list[ReplayStep] = field(default_factory=list)
    region: str | None = None  # the country replayed; None: worldwide

    @property
    def compared(self) -> list[ReplayStep]:
        return [step for step in self.steps if step.observed is not None]

    @property
    def agreement(self) -> tuple[int, int]:
        """(steps whose prediction matched the observation, steps with an observation)."""
        return sum(bool(step.matches) for step in self.compared), len(self.compared)


def involved(facts: Facts, platform: str) -> set[str]:
    """The platform and every actor it depends on, directly or through providers, at any time."""
    structure = nx.DiGraph((d.dependent, d.provider) for d in facts.dependencies.values())
    return ({platform} | nx.descendants(structure, platform)) if platform in structure else {platform}


def _instant(event: Event) -> dt.datetime | None:
    """The UTC instant of an event dated with a time (``None`` for a date)."""
    if isinstance(event.when, dt.datetime) and event.when.tzinfo is not None:
        return event.when.astimezone(dt.UTC)
    return None


def _step_key(step: tuple[dt.date, dt.datetime | None]) -> tuple:
    day, moment = step
    return (day, moment is None, moment or dt.datetime.min.replace(tzinfo=dt.UTC))


def replay(facts: Facts, name: str, region: str | None = None) -> Replay:
    """Replay the recorded history of the platform called ``name``.

    Examples
    --------
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> history = replay(read_facts(load()), "Parler")
    >>> [(str(s.moment), s.status) for s in history.steps if s.day.isoformat() == "2021-01-11"]
    [('2021-01-11 07:59:00+00:00', 'offline'), ('None', 'offline')]
    """
    platform = NameIndex(facts.entities.values()).resolve(name).identifier
    involved_actors = involved(facts, platform)
    dependencies = [
        d for d in facts.dependencies.values() if d.dependent in involved_actors and applies(d.countries, region)
    ]
    own = {d.identifier for d in dependencies if d.dependent == platform}
    observations = sorted(
        (
            o
            for o in facts.observations.values()
            if o.actor == platform and (region in o.countries if region else not o.countries)
        ),
        key=lambda o: (o.start, o.start_time or dt.datetime.min.replace(tzinfo=dt.UTC)),
    )
    events = sorted((e for e in facts.events.values() if e.dependency in own), key=lambda e: (e.day, e.identifier))
    steps = {(d, None) for dep in dependencies for d in (dep.start, dep.end) if d}
    steps |= {(e.day, None) for e in events} | {(d, None) for o in observations for d in (o.start, o.end) if d}
    steps |= {(t.date(), t) for dep in dependencies for t in (dep.start_time, dep.end_time) if t}
    steps |= {(t.date(), t) for o in observations for t in (o.start_time, o.end_time) if t}
    outages = [o for o in facts.outages.values() if o.actor in involved_actors and applies(o.countries, region)]
    steps |= {(d, None) for o in outages for d in (o.start, o.end) if d}
    steps |= {(t.date(), t) for o in outages for t in (o.start_time, o.end_time) if t}
    history = Replay(platform, facts.entities[platform].name, region=region)
    ordered = sorted(steps, key=_step_key)
    instants = {moment for _, moment in ordered if moment is not None}
    # An event with a time goes to the step at that instant, if there is one; the others to their date's step.
    at_instant = {e.identifier: _instant(e) for e in events if _instant(e) in instants}
    for day, moment in ordered:
        graph = build_graph(facts, view=Viewpoint(day, moment, region))
        statuses = propagate(graph)
        status = statuses.get(platform)
        covering = [o for o in observations if covers(o, day, moment)]
        observed = covering[-1].status if covering else None  # the latest-starting report is the newest news
        history.steps.append(
            ReplayStep(
                day=day,
                status=status.status if status else "online",
                lost_channels=tuple(status.lost_channels) if status else (),
                impaired=tuple(status.impaired) if status else (),
                explanation=explain(statuses, graph, platform),
                events=tuple(
                    e
                    for e in events
                    if (
                        at_instant.get(e.identifier) == moment
                        if moment
                        else e.day == day and e.identifier not in at_instant
                    )
                ),
                observed=observed,
                moment=moment,
            )
        )
    return history


def replay_all(facts: Facts) -> list[Replay]:
    """Replay every platform that has recorded availability observations, worldwide and in every country
    it was observed in on its own.

    Examples
    --------
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> [h.agreement for h in replay_all(read_facts(load())) if h.platform == "parler"]
    [(7, 7)]
    """
    regions: dict[str, set[str | None]] = {}
    for observation in facts.observations.values():
        regions.setdefault(observation.actor, set()).update(observation.countries or [None])
    return [
        replay(facts, platform, region)
        for platform in sorted(regions)
        for region in sorted(regions[platform], key=lambda r: (r is not None, r or ""))
    ]
