"""Alternatives: for a lost service, the other providers in the graph that offer it, flagging those that
have cut off dependents from that service before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from kg.analysis.graph import AnalysisGraph

__all__ = ["Alternative", "alternatives", "ranked"]


@dataclass(frozen=True)
class Alternative:
    """A provider that could replace a lost one."""

    provider: str
    name: str
    service: str
    dependents: int  # how many others it supplies with this service on the date
    has_cut: tuple[str, ...]  # dependents it has cut off from this service before (by the date), sorted

    def has_cut_summary(self, limit: int = 3) -> str:
        """The dependents it has cut, at most ``limit`` named: ``"a, b, c and 12 more"`` (empty if none)."""
        shown = ", ".join(self.has_cut[:limit])
        rest = len(self.has_cut) - limit
        return f"{shown} and {rest:,} more" if rest > 0 else shown


def ranked(graph: AnalysisGraph, service: str) -> list[Alternative]:
    """Every provider of ``service`` on the graph's date, the most used first (computed once per service)."""
    cache = graph._alternatives
    market = graph.market
    if service not in cache and market is not None and service in market.counts:
        cut = market.cut.get(service, {})
        found = [
            Alternative(provider, graph.name(provider), service, count, tuple(cut.get(provider, ())))
            for provider, count in market.counts[service].items()
        ]
        cache[service] = sorted(found, key=lambda a: (-a.dependents, a.name.casefold()))
    if service not in cache:
        found = [
            Alternative(
                provider,
                graph.name(provider),
                service,
                len(dependents),
                tuple(sorted({d.dependent for d in graph.terminations.get((provider, service), [])})),
            )
            for provider, dependents in graph.users(service).items()
        ]
        cache[service] = sorted(found, key=lambda a: (-a.dependents, a.name.casefold()))
    return cache[service]


def alternatives(
    graph: AnalysisGraph, service: str, unavailable: Iterable[str] = (), limit: int | None = None
) -> list[Alternative]:
    """Providers of ``service`` on the graph's date, except ``unavailable`` ones; the most used first
    (at most ``limit`` of them).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 12))
    >>> [a.provider for a in alternatives(graph, "hosting")][:3]
    ['bahnhof', 'ovh', 'piratpartiet']
    """
    excluded = set(unavailable)
    return list(islice((a for a in ranked(graph, service) if a.provider not in excluded), limit))
