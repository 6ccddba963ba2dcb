"""Provider criticality and market concentration.

Following Kashaf, Sekar and Agarwal ("Analyzing Third Party Service Dependencies in Modern Web Services",
IMC 2020), a dependent depends *critically* on a provider for a service when no alternative provider or
self-provision covers that service. A provider's criticality is how many dependents its exit alone would
take offline or degrade: *directly* (it is their only provider of a service) and *in total* (with
cascades through providers that go offline).

The whole table comes from one pass, not one cascade per provider: for every actor X we compute F(X),
the set of providers whose exit alone takes X offline:

    F(X) = union over X's essential services s of
           intersection over the supplies of s of ({provider} | F(provider) | L(provider, u) ...)

where L(Y, u), the providers whose exit alone loses Y the service u, is the same intersection for Y's
need of u, and the u are the services the supply is resold on (a resale chain: a payment gateway's
supply ends when it loses its own payments); self-provision makes the intersection empty. This is a
least fixpoint, solved over the strongly connected components of the graph in dependency order, so cycles
are handled. Membership of one provider p in F(X) is exactly "X is offline after p exits", which is what
a cascade computes; the tests check the table against one cascade per provider. The sets are those of
single points of failure (:func:`kg.analysis.faulttree.single_exit_sets`), shared down chains of providers, and a
provider's count is read off their forest (:class:`kg.analysis.sharedsets.Forest`) without writing any set out:
linear down a chain, a resale chain too.

Reference engine; pairs with :func:`kg.analysis.arrays.cascade.criticality_table`, held to the same table by
``tests/test_array_engine.py::test_criticality_table_agrees_with_the_reference``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.analysis.graph import AnalysisGraph, Need
from kg.analysis.impact import propagate
from kg.analysis.sharedsets import EVERY, Forest, union
from kg.model.progress import Progress

__all__ = ["ProviderCriticality", "ServiceConcentration", "concentration", "criticality"]


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


def _direct_sets(
    graph: AnalysisGraph, progress: Progress | None = None
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """For every actor online on the date, the providers whose exit alone cuts one of its services
    directly (the only provider of all its working supplies): of essential services, and of channels."""
    statuses = propagate(graph, progress=progress, step="statuses on the date")
    baseline = {node for node, status in statuses.items() if status.status == "offline"}
    lost_already = {
        (node, loss.service) for node, status in statuses.items() for loss in status.losses if not loss.partial
    }
    empty: frozenset[str] = frozenset()

    def only(need: Need) -> frozenset[str]:
        """The one provider of the supplies that still work (provider online, nothing they are resold on
        lost), if they have just one and none is self-provision."""
        supplies = [
            d
            for d in need.supplies
            if d.provider not in baseline and not any((d.provider, u) in lost_already for u in d.relies_on)
        ]
        providers = {d.provider for d in supplies}
        if len(providers) != 1 or any(d.self_provided for d in supplies):
            return empty
        return frozenset(providers)

    offline, channel = {}, {}
    for node, needs in graph.needs.items():
        if node not in baseline:
            offline[node] = frozenset().union(*(only(n) for n in needs.values() if n.essential))
            channel[node] = frozenset().union(*(only(n) for n in needs.values() if not n.essential))
    return offline, channel


def _total_counts(graph: AnalysisGraph, progress: Progress | None = None) -> tuple[Counter, Counter]:
    """Per provider, the actors its exit alone takes offline, and those it cuts a channel of that stay
    online (itself not counted): counted over the shared sets of :func:`kg.analysis.faulttree.single_exit_sets`,
    never writing one out, so a chain of ten thousand providers costs linear time and memory."""
    import numpy as np

    from kg.analysis.faulttree import single_exit_sets

    sets = single_exit_sets(graph, progress=progress)
    number = {node: position for position, node in enumerate(graph.graph)}
    owners, offline, either = [], [], []
    for node in graph.graph:
        down, lost = sets.get(node, (None, {}))
        if down is EVERY:
            continue  # offline on the date already
        needs = graph.needs.get(node, {})
        channel = None
        for service, value in lost.items():
            if not needs[service].essential and value is not EVERY:
                channel = union(channel, value)
        owners.append(number[node])
        offline.append(down)
        either.append(union(down, channel))
    forest = Forest(offline + either, len(number), number.__getitem__)
    own = np.array(owners, dtype=np.int64)

    def count(values: list) -> np.ndarray:
        """How many actors' sets hold each provider, the provider's own set not counted."""
        itself = np.bincount(own[forest.holds(values, own)], minlength=len(number))
        return forest.counts(values) - itself

    total_offline = count(offline)
    total_degraded = count(either) - total_offline
    ids = list(number)
    return (
        Counter({ids[p]: int(total_offline[p]) for p in np.flatnonzero(total_offline).tolist()}),
        Counter({ids[p]: int(total_degraded[p]) for p in np.flatnonzero(total_degraded).tolist()}),
    )


def criticality(
    graph: AnalysisGraph, service: str | None = None, *, progress: Progress | None = None
) -> list[ProviderCriticality]:
    """The criticality table of every provider (of ``service``, if given), most critical first.

    ``progress`` is called as the work advances (see :mod:`kg.model.progress`); it may stop it by raising.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
    >>> table = criticality(build_graph(read_facts(load()), dt.date(2021, 1, 7)))
    >>> aws = next(row for row in table if row.provider == "aws")
    >>> aws.direct_offline >= 1
    True
    """
    total_offline, total_degraded = _total_counts(graph, progress)
    direct_offline, direct_degraded = Counter(), Counter()
    only_offline, only_channel = _direct_sets(graph, progress)
    for node, providers in only_offline.items():
        direct_offline.update(p for p in providers if p != node)
    for node, providers in only_channel.items():
        direct_degraded.update(p for p in providers - only_offline[node] if p != node)
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
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.graph import build_graph
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
