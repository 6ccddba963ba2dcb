"""Benchmark: the what-if engine on a synthetic graph of about a million dependencies.

Run on demand: ``.venv/bin/python bench/analysis_scale.py [DEPENDENCIES]`` (default 1,000,000). Builds
synthetic platforms that use one or two providers per service, with popularity skewed like the real web
data (a few providers serve most), and providers that depend on other providers (transit, DNS), then
times each analysis step and, for comparison, a sample of naive per-provider cascades.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import time

from rdflib import URIRef

from kg.analysis.criticality import concentration, criticality
from kg.analysis.faulttree import cut_sets
from kg.analysis.graph import build_graph
from kg.analysis.impact import propagate
from kg.model.facts import Dependency, Entity, Facts

DAY = dt.date(2024, 1, 1)
SERVICES = ["hosting", "dns", "cdn", "certificate-authority"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(target: int, seed: int = 7) -> Facts:
    rng = random.Random(seed)
    facts = Facts()
    providers = [f"p{i}" for i in range(max(50, target // 400))]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(providers))]  # Zipf-like popularity
    for name in providers:
        facts.entities[name] = Entity(name, URIRef(f"urn:e:{name}"), name, ("provider",))
    count = 0

    def add(dependent: str, provider: str, service: str) -> None:
        nonlocal count
        identifier = f"d{count}"
        facts.dependencies[identifier] = Dependency(
            identifier, URIRef(f"urn:d:{identifier}"), dependent, provider, service
        )
        count += 1

    # Provider-to-provider links: beyond ten tier-1 providers, each has two upstreams for transit
    # (redundant) and one for DNS, all among the more popular providers.
    for index, name in enumerate(providers[10:], start=10):
        for provider in rng.sample(providers[:index], 2):
            add(name, provider, "ip-transit")
        add(name, rng.choice(providers[:index]), "dns")
    platform = 0
    while count < target:
        name = f"s{platform}"
        platform += 1
        facts.entities[name] = Entity(name, URIRef(f"urn:e:{name}"), name, ("website",))
        for service in SERVICES:
            chosen = set(rng.choices(providers, weights, k=2 if rng.random() < 0.2 else 1))
            if rng.random() < 0.05:
                chosen = {name}  # self-provision
            for provider in chosen:
                add(name, provider, service)
    return facts


def step(label, function):
    start = time.perf_counter()
    result = function()
    print(f"{label:<46} {time.perf_counter() - start:8.2f} s   peak {peak_mb():7.0f} MB")
    return result


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    facts = step(f"generate {target:,} synthetic dependencies", lambda: synthetic(target))
    print(f"  {len(facts.entities):,} entities, {len(facts.dependencies):,} dependencies")
    graph = step("build the analysis graph (networkx)", lambda: build_graph(facts, DAY))
    table = step("criticality table, all providers (one pass)", lambda: criticality(graph))
    top = table[0]
    print(
        f"  {len(table):,} providers; most critical {top.provider}: {top.total_offline:,} offline, "
        f"{top.total_degraded:,} degraded"
    )
    step("concentration of dns (shares, HHI)", lambda: concentration(graph, "dns"))
    baseline = step("one full propagation (baseline)", lambda: propagate(graph))
    sample = [row.provider for row in table[:5]]
    start = time.perf_counter()
    for provider in sample:
        propagate(graph, removed={provider: "exits"})
    per = (time.perf_counter() - start) / len(sample)
    print(
        f"{'naive: one cascade per provider, measured':<46} {per:8.2f} s each -> {per * len(table):,.0f} s "
        f"for all {len(table):,} (estimate)"
    )
    platform = next(node for node in graph.needs if node.startswith("s") and node not in baseline)
    step(f"minimal cut sets of {platform}, order 3", lambda: cut_sets(graph, platform, 3))


if __name__ == "__main__":
    main()
