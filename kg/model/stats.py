"""Summary statistics of a graph: what it holds, by kind and service, over which dates, and what lacks a source."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field

from rdflib import Graph

from kg.model.facts import Facts, read_facts
from kg.model.vocabulary import vocabulary

__all__ = ["Stats", "compute_stats"]


@dataclass
class Stats:
    """Counts describing a dataset. ``unsourced`` lists the facts that cite no source: neither a publication
    nor, for a measured fact, the evidence of a measurement."""

    triples: int = 0
    entities: int = 0
    entities_by_kind: dict[str, int] = field(default_factory=dict)
    dependencies: int = 0
    dependencies_by_service: dict[str, int] = field(default_factory=dict)
    open_dependencies: int = 0
    ended_by: dict[str, int] = field(default_factory=dict)
    self_provided: int = 0
    provider_to_provider: int = 0
    events_by_kind: dict[str, int] = field(default_factory=dict)
    observations: int = 0
    outages: int = 0
    sources: int = 0
    unused_sources: list[str] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    unsourced: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The statistics as JSON-ready data."""
        return asdict(self)


def compute_stats(graph: Graph | None = None, facts: Facts | None = None, *, triples: int | None = None) -> Stats:
    """Count what ``graph`` holds, or what ``facts`` hold when given (then ``triples`` is their count of
    triples, as a store knows it, and no graph is needed).

    Examples
    --------
    >>> from kg.io.loading import load
    >>> stats = compute_stats(load())
    >>> stats.dependencies_by_service["hosting"] > 0 and not stats.unsourced
    True
    """
    if facts is None:
        facts = read_facts(graph)
    if triples is None:
        triples = len(graph)
    platform_kinds = set(vocabulary().platform_kinds)
    kinds = Counter(kind for entity in facts.entities.values() for kind in entity.kinds)
    platforms = {e.identifier for e in facts.entities.values() if platform_kinds & set(e.kinds)}
    dependencies = list(facts.dependencies.values())
    dates: list[dt.date] = [d for dep in dependencies for d in (dep.start, dep.end) if d]
    dates += [event.day for event in facts.events.values()]
    dates += [d for obs in facts.observations.values() for d in (obs.start, obs.end) if d]
    dates += [d for outage in facts.outages.values() for d in (outage.start, outage.end) if d]
    cited = {
        s.identifier
        for records in (facts.entities, facts.dependencies, facts.events, facts.observations, facts.outages)
        for record in records.values()
        for s in record.sources
    }
    unsourced = [f"dependency:{d.identifier}" for d in dependencies if not d.sourced]
    unsourced += [f"event:{e.identifier}" for e in facts.events.values() if not e.sources]
    unsourced += [f"observation:{o.identifier}" for o in facts.observations.values() if not o.sourced]
    unsourced += [f"outage:{o.identifier}" for o in facts.outages.values() if not o.sources]
    return Stats(
        triples=triples,
        entities=len(facts.entities),
        entities_by_kind=dict(sorted(kinds.items())),
        dependencies=len(dependencies),
        dependencies_by_service=dict(sorted(Counter(d.service for d in dependencies).items())),
        open_dependencies=sum(d.end is None for d in dependencies),
        ended_by=dict(sorted(Counter(d.ended_by or "unknown" for d in dependencies if d.end).items())),
        self_provided=sum(d.self_provided for d in dependencies),
        provider_to_provider=sum(d.dependent not in platforms and not d.self_provided for d in dependencies),
        events_by_kind=dict(sorted(Counter(e.kind for e in facts.events.values()).items())),
        observations=len(facts.observations),
        outages=len(facts.outages),
        sources=len(facts.sources),
        unused_sources=sorted(set(facts.sources) - cited),
        first_date=min(dates).isoformat() if dates else None,
        last_date=max(dates).isoformat() if dates else None,
        unsourced=sorted(unsourced),
    )
