"""An entity's profile: what it depended on and provided, the events that acted on those dependencies,
and what was observed of its availability, in date order. ``kg show`` and ``kg demo`` print it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kg.model.facts import Dependency, Entity, Event, Facts, Observation, owners_of
from kg.model.names import NameIndex

__all__ = ["Profile", "TimelineEntry", "entity_profile"]


@dataclass(frozen=True, order=True)
class TimelineEntry:
    """One dated line of a profile's timeline."""

    day: dt.date
    order: int  # ties on one day: starts, then events, then ends, then observations
    text: str
    sources: tuple = field(default=(), compare=False)


@dataclass
class Profile:
    """Everything the graph records about one entity."""

    entity: Entity
    owners: list[Entity]  # the ownership chain, nearest first
    depends_on: list[Dependency]
    provides: list[Dependency]
    events: list[Event]
    observations: list[Observation]
    timeline: list[TimelineEntry]
    names: dict[str, str]  # identifier -> display name, for every entity mentioned

    def name(self, identifier: str) -> str:
        return self.names.get(identifier, identifier)


def entity_profile(facts: Facts, name: str) -> Profile:
    """Build the :class:`Profile` of the entity called ``name`` (identifier or name, any case).

    Examples
    --------
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> profile = entity_profile(read_facts(load()), "Parler")
    >>> [d.provider for d in profile.depends_on if d.service == "hosting"][:1]
    ['aws']
    """
    entity = NameIndex(facts.entities.values()).resolve(name)
    owners = owners_of(facts.entities, entity.identifier)
    order = {"hosting": 0, "dns": 1, "registrar": 2}

    def sort_key(dep: Dependency):
        return (order.get(dep.service, 9), dep.service, dep.start or dt.date.min, dep.provider)

    depends_on = sorted((d for d in facts.dependencies.values() if d.dependent == entity.identifier), key=sort_key)
    provides = sorted(
        (d for d in facts.dependencies.values() if d.provider == entity.identifier and not d.self_provided),
        key=lambda d: (d.dependent, d.service, d.start or dt.date.min),
    )
    mine = {d.identifier for d in depends_on} | {d.identifier for d in provides}
    events = sorted((e for e in facts.events.values() if e.dependency in mine), key=lambda e: (e.day, e.identifier))
    observations = sorted(
        (o for o in facts.observations.values() if o.actor == entity.identifier), key=lambda o: o.start
    )
    names = {identifier: e.name for identifier, e in facts.entities.items()}
    timeline = []
    for dep in depends_on:
        who = "itself" if dep.self_provided else names.get(dep.provider, dep.provider)
        if dep.start:
            timeline.append(TimelineEntry(dep.start, 0, f"starts using {who} for {dep.service}", dep.sources))
        if dep.end:
            how = {"provider": "cut off by the provider", "dependent": "left", "unknown": "ended"}
            text = f"{dep.service} from {who} ends ({how.get(dep.ended_by or 'unknown', 'ended')})"
            timeline.append(TimelineEntry(dep.end, 2, text, dep.sources))
    for event in events:
        timeline.append(TimelineEntry(event.day, 1, f"{event.kind}: {event.description}", event.sources))
    for obs in observations:
        until = f" until {obs.end.isoformat()}" if obs.end else ""
        timeline.append(TimelineEntry(obs.start, 3, f"observed {obs.status}{until}", obs.sources))
    return Profile(entity, owners, depends_on, provides, events, observations, sorted(timeline), names)
