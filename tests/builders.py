"""Small literal graphs for analysis tests: build Facts straight from tuples."""

from __future__ import annotations

import datetime as dt

from rdflib import URIRef

from kg.model.facts import Dependency, Entity, Event, Facts, Observation

DAY = dt.date(2021, 1, 7)


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def facts_of(*rows, events=(), observations=(), owners=None, countries=None) -> Facts:
    """Rows are (dependent, provider, service[, start[, end[, ended_by[, effect]]]]).

    Every name becomes an entity (a website if it depends on something, else a provider).
    """
    facts = Facts()
    owners, countries = owners or {}, countries or {}
    dependents = {row[0] for row in rows}
    names = {name for row in rows for name in row[:2]} | set(owners) | set(owners.values()) | set(countries)
    for name in sorted(names):
        kinds = ("website",) if name in dependents else ("provider",)
        facts.entities[name] = Entity(
            name, URIRef(f"urn:{name}"), name.title(), kinds, owners.get(name), countries.get(name)
        )
    for number, row in enumerate(rows):
        dependent, provider, service, *rest = row
        rest += [None] * (4 - len(rest))
        start, end, ended_by, effect = rest
        identifier = f"{dependent}-{provider}-{service}-{number}"
        facts.dependencies[identifier] = Dependency(
            identifier,
            URIRef(f"urn:{identifier}"),
            dependent,
            provider,
            service,
            day(start),
            day(end),
            ended_by,
            effect,
        )
    for identifier, kind, when, dependency in events:
        facts.events[identifier] = Event(identifier, URIRef(f"urn:{identifier}"), kind, day(when), dependency)
    for actor, status, start, end in observations:
        identifier = f"{actor}-{status}-{start}"
        facts.observations[identifier] = Observation(identifier, actor, status, day(start), day(end))
    return facts


def dependency_id(facts: Facts, dependent: str, provider: str, service: str | None = None) -> str:
    return next(
        d.identifier
        for d in facts.dependencies.values()
        if (d.dependent, d.provider) == (dependent, provider) and service in (None, d.service)
    )
