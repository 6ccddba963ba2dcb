"""History replay: a platform's predicted status on each date its recorded history changes, checked against
what was observed.

On every date where one of the platform's dependencies (or one of its providers' dependencies) starts or
ends, a recorded event acts on them, or an availability observation starts or ends, the analysis graph
is rebuilt as it stood that day and propagated. Where an observation covers the day, the prediction is
compared with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import networkx as nx

from kg.depgraph import build_graph
from kg.facts import Event, Facts
from kg.impact import explain, propagate
from kg.names import NameIndex

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

    @property
    def matches(self) -> bool | None:
        """Whether the prediction equals the observation (``None`` when nothing was observed)."""
        return None if self.observed is None else self.observed == self.status


@dataclass
class Replay:
    """The replay of one platform's history."""

    platform: str
    name: str
    steps: list[ReplayStep] = field(default_factory=list)

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


def replay(facts: Facts, name: str) -> Replay:
    """Replay the recorded history of the platform called ``name``.

    Examples
    --------
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> history = replay(read_facts(load()), "Parler")
    >>> [(s.day.isoformat(), s.status) for s in history.steps if s.day.isoformat() == "2021-01-11"]
    [('2021-01-11', 'offline')]
    """
    platform = NameIndex(facts.entities.values()).resolve(name).identifier
    involved_actors = involved(facts, platform)
    dependencies = [d for d in facts.dependencies.values() if d.dependent in involved_actors]
    own = {d.identifier for d in dependencies if d.dependent == platform}
    observations = sorted((o for o in facts.observations.values() if o.actor == platform), key=lambda o: o.start)
    events = sorted((e for e in facts.events.values() if e.dependency in own), key=lambda e: (e.day, e.identifier))
    days = {d for dep in dependencies for d in (dep.start, dep.end) if d}
    days |= {e.day for e in events} | {d for o in observations for d in (o.start, o.end) if d}
    history = Replay(platform, facts.entities[platform].name)
    for day in sorted(days):
        graph = build_graph(facts, day)
        statuses = propagate(graph)
        status = statuses.get(platform)
        covering = [o for o in observations if o.start <= day and (o.end is None or day < o.end)]
        observed = covering[-1].status if covering else None  # the latest-starting report is the newest news
        history.steps.append(
            ReplayStep(
                day=day,
                status=status.status if status else "online",
                lost_channels=tuple(status.lost_channels) if status else (),
                explanation=explain(statuses, graph, platform),
                events=tuple(e for e in events if e.day == day),
                observed=observed,
            )
        )
    return history


def replay_all(facts: Facts) -> list[Replay]:
    """Replay every platform that has recorded availability observations.

    Examples
    --------
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> [h.agreement for h in replay_all(read_facts(load())) if h.platform == "parler"]
    [(6, 6)]
    """
    platforms = sorted({o.actor for o in facts.observations.values()})
    return [replay(facts, platform) for platform in platforms]
