"""Scenarios: sets of cuts applied to the analysis graph on its date.

A scenario cuts single dependencies (a dependent from a provider, optionally for one service), removes
providers entirely (they stop serving everyone), removes groups at once (everything an owner controls,
every provider in a country), and can apply the recorded cut-off events up to a date. Every cut keeps
why it was made, so results can explain themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.analysis.graph import AnalysisGraph
from kg.errors import InputError, UnknownNameError
from kg.model.countries import country_code
from kg.model.facts import Source
from kg.model.names import NameIndex
from kg.model.vocabulary import vocabulary

__all__ = ["Cut", "Scenario", "controlled_by", "make_scenario"]


@dataclass(frozen=True)
class Cut:
    """Why one dependency is cut in a scenario."""

    dependency: str
    how: str  # "cut" (asked for), "recorded" (a recorded cut-off event)
    day: dt.date
    sources: tuple[Source, ...] = ()
    issuer: str | None = None  # the authority that ordered a recorded cut-off


@dataclass
class Scenario:
    """What a scenario cuts: dependencies, and providers that exit (with the reason for each)."""

    day: dt.date
    cuts: dict[str, Cut] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)  # provider -> why it exits
    description: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.cuts and not self.removed


def controlled_by(graph: AnalysisGraph, owner: str) -> set[str]:
    """The owner and every entity whose ownership chain leads to it (Alphabet: Google, Google Play...)."""
    found = {owner}
    for identifier, entity in graph.entities.items():
        seen, current = set(), entity.owner
        while current and current not in seen:
            if current == owner:
                found.add(identifier)
                break
            seen.add(current)
            current = graph.entities[current].owner if current in graph.entities else None
    return found


def make_scenario(
    graph: AnalysisGraph,
    *,
    cuts: Sequence[tuple[str, str, str | None]] = (),
    remove: Iterable[str] = (),
    owners: Iterable[str] = (),
    countries: Iterable[str] = (),
    recorded_until: dt.date | None = None,
) -> Scenario:
    """Resolve names and build a :class:`Scenario` on the graph's date.

    Parameters
    ----------
    cuts : (dependent, provider, service or None) triples, by name or identifier: cut that dependent off
        from that provider (for every service, or just the one named).
    remove : providers that exit entirely.
    owners : owners whose whole group exits (the owner and everything it controls, transitively).
    countries : ISO 3166-1 alpha-2 codes: every provider in that country exits.
    recorded_until : also cut every active dependency that a recorded cut-off event acted on up to
        this date (what the data says happened).

    Raises :class:`InputError` for an unknown name or service, or a cut that matches no dependency.

    Examples
    --------
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> sorted(make_scenario(graph, cuts=[("Parler", "AWS", None)]).cuts)
    ['parler-aws-hosting']
    """
    index = NameIndex(graph.entities)
    providers = graph.providers()
    scenario = Scenario(graph.day)
    for dependent_name, provider_name, service in cuts:
        dependent = index.resolve(dependent_name).identifier
        provider = index.resolve(provider_name).identifier
        if service is not None:
            service = vocabulary().service(service).identifier
        matched = (
            [
                data["dependency"]
                for _, target, data in graph.graph.out_edges(dependent, data=True)
                if target == provider and (service is None or data["service"] == service)
            ]
            if dependent in graph.graph
            else []
        )
        if not matched:
            what = f" for {service}" if service else ""
            raise InputError(
                f"{graph.name(dependent)} has no dependency on {graph.name(provider)}{what} active on {graph.when}"
            )
        for dependency in matched:
            scenario.cuts[dependency.identifier] = Cut(dependency.identifier, "cut", graph.day)
        only = f" ({service})" if service else ""
        _say(scenario, f"cut {graph.name(dependent)} off from {graph.name(provider)}{only}")
    for name in remove:
        provider = index.resolve(name).identifier
        if graph.unnamed(provider):
            raise InputError(f"{graph.name(provider)} is a provider the sources do not name: it cannot be cut as such")
        if provider not in providers:
            raise InputError(f"{graph.name(provider)} provides no service to anyone on {graph.when}")
        scenario.removed.setdefault(provider, "exits")
        _say(scenario, f"{graph.name(provider)} exits")
    for name in owners:
        owner = index.resolve(name).identifier
        members = sorted(controlled_by(graph, owner) & providers)
        if not members:
            raise InputError(f"nothing {graph.name(owner)} controls provides a service on {graph.when}")
        for member in members:
            scenario.removed.setdefault(member, f"exits with everything {graph.name(owner)} controls")
        named = ", ".join(graph.name(m) for m in members)
        _say(scenario, f"everything {graph.name(owner)} controls exits ({named})")
    for code in countries:
        country = country_code(code)
        members = sorted(i for i, e in graph.entities.items() if e.country == country and i in providers)
        if not members:
            known = sorted({e.country for i, e in graph.entities.items() if e.country and i in providers})
            raise UnknownNameError("country (no provider there on that date)", country, known[:3])
        for member in members:
            scenario.removed.setdefault(member, f"exits with every provider in {country}")
        named = ", ".join(graph.name(m) for m in members)
        _say(scenario, f"every provider in {country} exits ({named})")
    if recorded_until is not None:
        for _, _, data in sorted(graph.graph.edges(data=True), key=lambda edge: edge[2]["dependency"].identifier):
            dependency = data["dependency"]
            events = [e for e in graph.cut_off_events.get(dependency.identifier, []) if e.day <= recorded_until]
            if events:
                first = events[0]
                scenario.cuts.setdefault(
                    dependency.identifier,
                    Cut(dependency.identifier, "recorded", first.day, first.sources, first.issuer),
                )
        _say(scenario, f"the recorded cut-offs up to {recorded_until.isoformat()}")
    return scenario


def _say(scenario: Scenario, sentence: str) -> None:
    """Add ``sentence`` to the scenario's description, once: the same cut given twice (or 5,000 times, or
    by name and by identifier) is one part of the scenario."""
    if sentence not in scenario.description:
        scenario.description.append(sentence)
