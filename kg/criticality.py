"""Provider criticality and market concentration.

Following Kashaf, Sekar and Agarwal ("Analyzing Third Party Service Dependencies in Modern Web Services",
IMC 2020), a dependent depends *critically* on a provider for a service when no alternative provider or
self-provision covers that service. A provider's criticality is how many dependents its exit alone would
take offline or degrade: *directly* (it is their only provider of a service) and *in total* (with
cascades through providers that go offline).

The whole table comes from one pass, not one cascade per provider: for every actor X we compute F(X),
the set of providers whose exit alone takes X offline:

    F(X) = union over X's essential services s of
           intersection over the supplies of s of ({provider} | F(provider))

(self-provision makes the intersection empty). This is a least fixpoint, solved over the strongly
connected components of the graph in dependency order, so cycles are handled. Membership of one
provider p in F(X) is exactly "X is offline after p exits", which is what a cascade computes; the tests
check the table against one cascade per provider.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.depgraph import AnalysisGraph, Need, least_fixpoint
from kg.impact import propagate

__all__ = ["ProviderCriticality", "ServiceConcentration", "concentration", "criticality", "exit_sets"]


@dataclass(frozen=True)
class ProviderCriticality:
    """What one provider's exit alone would do."""

    provider: str
    name: str
    services: tuple[str, ...]  # the services it supplies to others on the date
    dependents: int  # distinct dependents it supplies
    direct_offline: int  # dependents for which it is the only provider of an essential service
    direct_degraded: int  # ... of a channel only (and not offline directly)
    total_offline: int  # dependents offline after its exit, cascades included
    total_degraded: int  # dependents that stay online but lose a channel they had


@dataclass
class _Sets:
    offline: dict[str, frozenset[str]]  # X -> providers whose exit alone takes X offline
    channel: dict[str, frozenset[str]]  # X -> providers whose exit alone cuts one of X's channels
    direct_offline: dict[str, frozenset[str]]
    direct_channel: dict[str, frozenset[str]]
    baseline_offline: set[str]


def exit_sets(graph: AnalysisGraph) -> _Sets:
    """For every actor, the providers whose exit alone takes it offline or cuts one of its channels."""
    statuses = propagate(graph)
    baseline = {node for node, status in statuses.items() if status.status == "offline"}
    lost_already = {
        (node, loss.service) for node, status in statuses.items() for loss in status.losses if not loss.partial
    }
    empty: frozenset[str] = frozenset()
    state: dict[str, tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]] = {}

    def alive(need: Need) -> list:
        """The supplies that still work on the date: provider online, nothing they are resold on lost."""
        return [
            d
            for d in need.supplies
            if d.provider not in baseline and not any((d.provider, u) in lost_already for u in d.relies_on)
        ]

    def common(need: Need, member) -> frozenset[str]:
        supplies = alive(need)
        if not supplies or any(d.self_provided for d in supplies):
            return empty
        result = None
        for dependency in supplies:
            result = member(dependency) if result is None else result & member(dependency)
            if not result:
                break
        return result or empty

    def kills(dependency) -> frozenset[str]:
        """The exits that end one supply: its provider's, those taking the provider offline, and those
        losing the provider a service the supply is resold on."""
        provider = dependency.provider
        offline, lost = state.get(provider, (empty, ()))
        found = set(offline) | {provider}
        for service, exits in lost:
            if service in dependency.relies_on:
                found |= exits
        return frozenset(found)

    def compute(node: str):
        if node in baseline:
            return empty, ()
        needs = sorted(graph.needs.get(node, {}).items())
        lost = tuple((service, common(need, kills)) for service, need in needs)
        essential = {service for service, need in needs if need.essential}
        return frozenset().union(*(exits for service, exits in lost if service in essential)), lost

    least_fixpoint(graph, compute, state, (empty, ()))
    offline = {node: value[0] for node, value in state.items()}
    channel, direct_offline, direct_channel = {}, {}, {}

    def only(dependency) -> frozenset[str]:
        return frozenset({dependency.provider})

    for node, needs in graph.needs.items():
        if node in baseline:
            continue
        lost = dict(state.get(node, (empty, ()))[1])
        channel[node] = frozenset().union(*(lost.get(s, empty) for s, n in needs.items() if not n.essential))
        direct_offline[node] = frozenset().union(*(common(n, only) for n in needs.values() if n.essential))
        direct_channel[node] = frozenset().union(*(common(n, only) for n in needs.values() if not n.essential))
    return _Sets(offline, channel, direct_offline, direct_channel, baseline)


def criticality(graph: AnalysisGraph, service: str | None = None) -> list[ProviderCriticality]:
    """The criticality table of every provider (of ``service``, if given), most critical first.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> from kg.depgraph import build_graph
    >>> table = criticality(build_graph(read_facts(load()), dt.date(2021, 1, 7)))
    >>> aws = next(row for row in table if row.provider == "aws")
    >>> aws.direct_offline >= 1
    True
    """
    sets = exit_sets(graph)
    total_offline, total_degraded = Counter(), Counter()
    direct_offline, direct_degraded = Counter(), Counter()
    for node, providers in sets.offline.items():
        total_offline.update(p for p in providers if p != node)
    for node, providers in sets.channel.items():
        total_degraded.update(p for p in providers - sets.offline.get(node, frozenset()) if p != node)
    for node, providers in sets.direct_offline.items():
        direct_offline.update(p for p in providers if p != node)
    for node, providers in sets.direct_channel.items():
        direct_degraded.update(p for p in providers - sets.direct_offline[node] if p != node)
    supplied: dict[str, set[str]] = defaultdict(set)
    services: dict[str, set[str]] = defaultdict(set)
    for dependent, provider, data in graph.graph.edges(data=True):
        if dependent != provider:
            supplied[provider].add(dependent)
            services[provider].add(data["service"])
    rows = [
        ProviderCriticality(
            provider=provider,
            name=graph.name(provider),
            services=tuple(sorted(services[provider])),
            dependents=len(supplied[provider]),
            direct_offline=direct_offline[provider],
            direct_degraded=direct_degraded[provider],
            total_offline=total_offline[provider],
            total_degraded=total_degraded[provider],
        )
        for provider in supplied
        if (service is None or service in services[provider]) and not graph.unnamed(provider)
    ]
    return sorted(rows, key=lambda r: (-r.total_offline, -r.total_degraded, -r.dependents, r.name.casefold()))


@dataclass(frozen=True)
class ServiceConcentration:
    """How concentrated the market for one service is on the date."""

    service: str
    dependents: int  # dependents with at least one outside provider of the service
    shares: tuple[tuple[str, int, float], ...]  # (provider, dependents, share of all provider-dependent links)
    hhi: float  # Herfindahl-Hirschman index, 0 to 10,000

    def top(self, n: int = 5) -> tuple[tuple[str, int, float], ...]:
        return self.shares[:n]


def concentration(graph: AnalysisGraph, service: str) -> ServiceConcentration:
    """Each provider's share of the dependents of ``service`` and the Herfindahl-Hirschman index.

    A dependent with two providers counts once for each, so shares sum to 1; self-provision is left out.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.facts import read_facts
    >>> from kg.loading import load
    >>> from kg.depgraph import build_graph
    >>> ios = concentration(build_graph(read_facts(load()), dt.date(2021, 1, 7)), "app-store-ios")
    >>> ios.shares[0][0], ios.hhi
    ('apple-app-store', 10000.0)
    """
    by_provider: dict[str, set[str]] = defaultdict(set)
    dependents = set()
    for dependent, provider, data in graph.graph.edges(data=True):
        if data["service"] == service and dependent != provider:
            by_provider[provider].add(dependent)
            dependents.add(dependent)
    total = sum(len(d) for d in by_provider.values())
    shares = sorted(
        ((provider, len(users), len(users) / total) for provider, users in by_provider.items()),
        key=lambda row: (-row[1], row[0]),
    )
    hhi = sum((share * 100) ** 2 for _, _, share in shares)
    return ServiceConcentration(service, len(dependents), tuple(shares), round(hhi, 1))
