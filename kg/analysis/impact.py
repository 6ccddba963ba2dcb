"""Propagation: what a scenario does to every dependent, with redundancy, self-provision and cascades.

A dependent loses a service when every supply of it on the date is cut, comes from a provider that
exits, or comes from a provider that is itself offline; self-provision cannot be cut. Losing an
essential service takes the dependent offline; losing a channel degrades it. An offline provider stops
providing to its own dependents, transitively; the computation is a least fixpoint over a work list,
so cycles terminate. Every status carries the causes that explain it.

A service can also be *impaired* rather than lost (a :class:`Loss` with ``partial``): every supply left
is partial (a block that failed for most users), comes from a provider in a partial outage or with an
essential service impaired itself, or, for an additive service (endpoints), some supplies are gone while
others remain. An impaired service degrades the dependent, whatever its effect. An outage
(:class:`kg.model.facts.Outage`) is a need of the actor's own ``operation`` with nothing to supply it: a full
one takes the actor offline, a partial one degrades it and impairs what it supplies.

Reference engine; pairs with :func:`kg.analysis.arrays.cascade.cascade` (the fast one), held to the same
statuses by ``tests/test_array_engine.py::test_cascades_agree_with_propagate``; :mod:`kg.analysis.arrays.focus`
runs this one on the part of a big graph a scenario can touch (``tests/test_focus.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

from kg.analysis.alternatives import Alternative, ranked
from kg.analysis.graph import OPERATION, AnalysisGraph, Need
from kg.analysis.scenario import Cut, Scenario
from kg.model.facts import Source
from kg.model.progress import EVERY, Progress
from kg.model.vocabulary import vocabulary

__all__ = ["Cause", "Impact", "Loss", "NodeStatus", "assess", "propagate"]

STATUS_ORDER = {"online": 0, "degraded": 1, "offline": 2, "exited": 3}


@dataclass(frozen=True)
class Cause:
    """Why one supply of a service is gone."""

    provider: str
    dependency: str
    how: str  # "cut", "recorded" (a recorded cut-off), "exit", "offline" (provider down), "lost" (before the date),
    # "resold" (the provider lost the service it resells this on: ``detail``), "outage" (the actor's own outage:
    # ``dependency`` is the outage, ``detail`` its description), "partial" (a partial supply), "impaired" (the
    # provider's own ``detail`` service is impaired)
    day: dt.date | None = None
    detail: str = ""  # e.g. why a provider exits
    sources: tuple[Source, ...] = ()
    issuer: str | None = None  # the authority that ordered the cut-off (a government order)


@dataclass(frozen=True)
class Loss:
    """A service a dependent no longer has, and why."""

    service: str
    essential: bool
    causes: tuple[Cause, ...]
    partial: bool = False  # impaired, not lost: it degrades the dependent whatever its effect

    @property
    def takes_offline(self) -> bool:
        """Whether this loss alone takes its actor offline: an essential service lost, not impaired."""
        return self.essential and not self.partial

    @cached_property
    def day(self) -> dt.date | None:
        """When the last supply went: the service is lost once all of them are."""
        days = [cause.day for cause in self.causes if cause.day is not None]
        return max(days) if days else None


@dataclass
class NodeStatus:
    """The state of one actor under a scenario."""

    identifier: str
    name: str
    status: str  # "online", "degraded", "offline", "exited"
    losses: list[Loss] = field(default_factory=list)
    reason: str = ""  # for "exited": why the provider exits

    @property
    def lost_channels(self) -> list[str]:
        return sorted(loss.service for loss in self.losses if not loss.essential and not loss.partial)

    @property
    def lost_essentials(self) -> list[str]:
        return sorted(loss.service for loss in self.losses if loss.takes_offline)

    @property
    def impaired(self) -> list[str]:
        """The services it keeps only in part (a partial outage of its own ``operation`` included)."""
        return sorted(loss.service for loss in self.losses if loss.partial)

    @cached_property
    def since(self) -> dt.date | None:
        """When it went offline (its first essential loss) or was first degraded."""
        offline = self.status == "offline"
        relevant = [loss.day for loss in self.losses if loss.takes_offline == offline and loss.day]
        return min(relevant) if relevant else None


def _losses(
    graph: AnalysisGraph,
    node: str,
    cuts: dict[str, Cut],
    removed: dict[str, str],
    down: dict[str, NodeStatus],
    lost_of: dict[str, dict[str, Loss]],
    impaired_of: dict[str, str] | None = None,
    partial_of: dict[str, set[str]] | None = None,
) -> list[Loss]:
    losses = []
    for need in graph.needs.get(node, {}).values():
        causes = _dead_supplies(graph, need, cuts, removed, down, lost_of)
        if causes is not None:
            partial = need.outage is not None and need.outage.partial
            losses.append(Loss(need.service, need.essential, tuple(causes), partial))
        elif (
            impairment := _impairment(graph, need, cuts, removed, down, lost_of, impaired_of or {}, partial_of or {})
        ) is not None:
            losses.append(Loss(need.service, need.essential, tuple(impairment), True))
    return losses


def _resold_in_part(dependency, partial_of: dict[str, set[str]]) -> str | None:
    """A service ``dependency``'s supply is resold on that its provider keeps only in part, or ``None``."""
    kept = partial_of.get(dependency.provider)
    return next((u for u in dependency.relies_on if u in kept), None) if kept else None


def _impairment(graph, need: Need, cuts, removed, down, lost_of, impaired_of, partial_of) -> list[Cause] | None:
    """The causes if ``need``, not lost, is impaired: every supply left is partial, from a provider with
    something essential impaired (its operation), or resold on a service its provider keeps only in part;
    or (for an additive service) some supplies are gone; else ``None``."""
    additive = need.service in vocabulary().additive
    if not additive and not any(
        d.partial or d.provider in impaired_of or _resold_in_part(d, partial_of) for d in need.supplies
    ):
        return None
    gone, partial, whole = [], [], 0
    for dependency in need.supplies:
        if dependency.self_provided:
            return None
        dead = _dead_supply(graph, dependency, cuts, removed, down, lost_of)
        if dead is not None:
            gone.append(dead)
        elif dependency.partial:
            cause = Cause(
                dependency.provider, dependency.identifier, "partial", dependency.start, "", dependency.sources
            )
            partial.append(cause)
        elif dependency.provider in impaired_of:
            service = impaired_of[dependency.provider]
            partial.append(Cause(dependency.provider, dependency.identifier, "impaired", None, service))
        elif service := _resold_in_part(dependency, partial_of):
            partial.append(Cause(dependency.provider, dependency.identifier, "impaired", None, service))
        else:
            whole += 1
    if not whole and partial:
        return partial + gone
    return gone if additive and gone else None


def _dead_supplies(graph, need: Need, cuts, removed, down, lost_of) -> list[Cause] | None:
    """The causes if every supply of ``need`` is gone, else ``None``."""
    if not need.supplies and need.outage is not None:
        outage = need.outage
        how, day, text = "outage", outage.start, outage.description
        return [Cause(need.dependent, outage.identifier, how, day, text, outage.sources, outage.issuer)]
    if not need.supplies:
        lost = need.lost_with
        events = graph.cut_off_events.get(lost.identifier, [])
        day = events[0].day if events else lost.end
        sources = events[0].sources if events else lost.sources
        issuer = events[0].issuer if events else None
        return [Cause(lost.provider, lost.identifier, "lost", day, lost.ended_by or "", sources, issuer)]
    causes = []
    for dependency in need.supplies:
        if dependency.self_provided:
            return None
        cause = _dead_supply(graph, dependency, cuts, removed, down, lost_of)
        if cause is None:
            return None
        causes.append(cause)
    return causes


def _dead_supply(graph, dependency, cuts, removed, down, lost_of) -> Cause | None:
    """Why one (outside) supply is gone, or ``None`` while it works."""
    if dependency.identifier in cuts:
        cut = cuts[dependency.identifier]
        return Cause(dependency.provider, dependency.identifier, cut.how, cut.day, "", cut.sources, cut.issuer)
    if dependency.provider in removed:
        return Cause(dependency.provider, dependency.identifier, "exit", graph.day, removed[dependency.provider])
    if dependency.provider in down:
        return Cause(dependency.provider, dependency.identifier, "offline", down[dependency.provider].since)
    if upstream := [u for u in dependency.relies_on if u in lost_of.get(dependency.provider, {})]:
        loss = lost_of[dependency.provider][upstream[0]]
        return Cause(dependency.provider, dependency.identifier, "resold", loss.day, upstream[0])
    return None


def propagate(
    graph: AnalysisGraph,
    cuts: dict[str, Cut] | None = None,
    removed: dict[str, str] | None = None,
    *,
    progress: Progress | None = None,
    step: str = "propagating",
) -> dict[str, NodeStatus]:
    """Apply cuts and exits to ``graph``; return the status of every actor that is not fully online.

    ``progress`` is called as ``progress(step, actors visited, None)`` as the work list advances.

    Examples
    --------
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> propagate(graph, removed={"aws": "exits"})["parler"].status
    'offline'
    """
    cuts, removed = cuts or {}, removed or {}
    down: dict[str, NodeStatus] = {}
    lost_of: dict[str, dict[str, Loss]] = {}  # what each actor has lost so far: resold supplies die with it
    impaired_of: dict[str, str] = {}  # actor -> an essential service (or its operation) it keeps only in part
    partial_of: dict[str, set[str]] = {}  # actor -> every service it keeps only in part: resold supplies follow
    queue = deque(sorted(graph.needs))
    queued = set(queue)
    visited = 0
    while queue:
        node = queue.popleft()
        visited += 1
        if progress is not None and visited % EVERY == 0:
            progress(step, visited, None)
        queued.discard(node)
        if node in down or node in removed:
            continue
        losses = _losses(graph, node, cuts, removed, down, lost_of, impaired_of, partial_of)
        offline = any(loss.takes_offline for loss in losses)
        whole = {loss.service: loss for loss in losses if not loss.partial}
        grew = set(whole) - set(lost_of.get(node, ()))
        if grew:
            lost_of[node] = whole
        impaired = node not in impaired_of and next(
            (loss.service for loss in losses if loss.partial and (loss.essential or loss.service == OPERATION)), None
        )
        if impaired:
            impaired_of[node] = impaired
        in_part = {loss.service for loss in losses if loss.partial} - partial_of.get(node, set())
        if in_part:
            partial_of[node] = partial_of.get(node, set()) | in_part
        if offline:
            down[node] = NodeStatus(node, graph.name(node), "offline", losses)
        if offline or grew or impaired or in_part:
            for dependent in sorted(graph.dependents_of(node)):
                if dependent not in down and dependent not in queued:
                    queue.append(dependent)
                    queued.add(dependent)
    # Record every loss with the final set of offline providers (a node may lose more after it went down).
    statuses = {}
    for done, node in enumerate(down, start=1):
        if progress is not None and done % EVERY == 0:
            progress(f"{step}: final losses", done, len(down) + len(graph.needs))
        statuses[node] = NodeStatus(
            node,
            graph.name(node),
            "offline",
            _losses(graph, node, cuts, removed, down, lost_of, impaired_of, partial_of),
        )
    for node, reason in removed.items():
        statuses[node] = NodeStatus(node, graph.name(node), "exited", [], reason)
    for done, node in enumerate(graph.needs, start=len(down) + 1):
        if progress is not None and done % EVERY == 0:
            progress(f"{step}: final losses", done, len(down) + len(graph.needs))
        if node not in statuses:
            losses = _losses(graph, node, cuts, removed, down, lost_of, impaired_of, partial_of)
            if losses:
                statuses[node] = NodeStatus(node, graph.name(node), "degraded", losses)
    return dict(sorted(statuses.items()))


@dataclass
class Impact:
    """The result of a scenario: statuses before (baseline on the date) and after, with explanations."""

    day: dt.date
    scenario: Scenario
    baseline: dict[str, NodeStatus]
    after: dict[str, NodeStatus]
    graph: AnalysisGraph
    #: Everyone offline or exited after the scenario, when ``after`` covers only part of the graph.
    unavailable_actors: frozenset[str] | None = None
    _available_by_service: dict[str, list[Alternative]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def status(self, node: str, *, before: bool = False) -> NodeStatus:
        """The status of ``node`` (after the scenario, or before with ``before=True``)."""
        table = self.baseline if before else self.after
        return table.get(node) or NodeStatus(node, self.graph.name(node), "online")

    @property
    def affected(self) -> list[NodeStatus]:
        """Actors whose status or lost services differ from the baseline, worst first: a service that goes
        from impaired (kept in part) to lost, or back, is a change too."""
        changed = [
            status
            for node, status in self.after.items()
            if status.status != self.status(node, before=True).status
            or _lost_services(status) != _lost_services(self.status(node, before=True))
        ]
        return sorted(changed, key=lambda s: (-STATUS_ORDER[s.status], s.name.casefold()))

    def explain(self, node: str) -> str:
        """A readable chain of causes, e.g. ``Parler: offline since 2021-01-11: lost hosting; ...``."""
        return explain(self.after, self.graph, node)

    @cached_property
    def _unavailable(self) -> frozenset[str]:
        if self.unavailable_actors is not None:
            return self.unavailable_actors
        down = {node for node, status in self.after.items() if status.status == "offline"}
        return frozenset(self.scenario.removed) | down

    def alternatives(self, status: NodeStatus, loss: Loss, limit: int | None = None) -> list[Alternative]:
        """Providers that could replace a lost service (at most ``limit``): none that exits or is
        offline after the scenario, none whose supply was just lost, and not the dependent itself."""
        lost = {cause.provider for cause in loss.causes} | {status.identifier}
        return list(islice((a for a in self._available(loss.service) if a.provider not in lost), limit))

    def _available(self, service: str) -> list[Alternative]:
        """The providers of ``service`` that neither exit nor are offline after the scenario, ranked:
        filtered once per service, not once per lost supply (down a chain of ten thousand providers, each
        lost hosting would scan the ten thousand offline ones)."""
        found = self._available_by_service.get(service)
        if found is None:
            unavailable = self._unavailable  # not copied: it may hold most of a big graph
            found = [a for a in ranked(self.graph, service) if a.provider not in unavailable]
            self._available_by_service[service] = found
        return found


def _lost_services(status: NodeStatus) -> set[tuple[str, bool]]:
    """What ``status`` has lost: each service with whether it is only impaired."""
    return {(loss.service, loss.partial) for loss in status.losses}


def assess(graph: AnalysisGraph, scenario: Scenario, *, progress: Progress | None = None) -> Impact:
    """Run ``scenario`` on ``graph``: the baseline statuses and the statuses after it (``progress`` as in
    :func:`propagate`).

    Examples
    --------
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.io.loading import load
    >>> from kg.analysis.scenario import make_scenario
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> impact = assess(graph, make_scenario(graph, cuts=[("parler", "google-play", None)]))
    >>> [(s.identifier, s.status, s.lost_channels) for s in impact.affected]
    [('parler', 'degraded', ['app-store-android'])]
    """
    baseline = propagate(graph, progress=progress, step="statuses before the scenario")
    after = propagate(graph, scenario.cuts, scenario.removed, progress=progress, step="statuses after it")
    return Impact(graph.day, scenario, baseline, after, graph)


def _cite(sources: tuple[Source, ...]) -> str:
    return f" (source: {sources[0].cite()})" if sources else ""


def _provider(graph, provider: str) -> str:
    """A provider's name in an explanation, flagged when the sources do not name it."""
    name = graph.name(provider)
    return f"{name} (not named by the sources)" if graph.unnamed(provider) else name


def _predicate(statuses, graph, cause: Cause, seen: set[str]) -> str:
    """What happened to one supply, as a predicate for the provider's name."""
    when = f" on {cause.day.isoformat()}" if cause.day else ""
    if cause.how == "cut":
        return "is cut off in this scenario"
    ordered = f" on the order of {graph.name(cause.issuer)}" if cause.issuer else ""
    if cause.how == "recorded":
        return f"cut it{when}{ordered}{_cite(cause.sources)}"
    if cause.how == "exit":
        return cause.detail or "exits"
    if cause.how == "lost":
        verb = {"provider": "cut it", "dependent": "was left", "unknown": "stopped"}.get(cause.detail, "stopped")
        return f"{verb}{when}{ordered}{_cite(cause.sources)}"
    if cause.how == "partial":
        return f"supplies it only in part{' since ' + cause.day.isoformat() if cause.day else ''}{_cite(cause.sources)}"
    if cause.how == "impaired":
        text = impaired_provider(cause.detail)
    elif cause.how == "resold":
        text = f"resells it on its own {cause.detail}, which it lost{when}"
    else:
        text = "is offline"
    if cause.provider in seen:
        return text
    if len(seen) >= EXPLAIN_DEPTH:
        return f"{text} ({_chain(statuses, graph, cause.provider)})"
    return f"{text} ({explain(statuses, graph, cause.provider, seen)})"


#: How many providers deep an explanation nests before it sums up the rest of the chain in one clause.
EXPLAIN_DEPTH = 6

#: Causes that pass the explanation on to the provider's own status (the chain goes on).
_PASSED_ON = frozenset({"offline", "impaired", "resold"})

_chains: dict = {}  # id(statuses) -> (statuses, {node: (steps, end)}): chain ends already walked


def _chain_end(statuses: dict[str, NodeStatus], node: str) -> tuple[int, str]:
    """How many providers a chain of 'offline because the next one is' runs through from ``node``, and the
    actor it ends at (following the first such cause of each), walked without recursion and remembered."""
    held = _chains.get(id(statuses))
    if held is None or held[0] is not statuses:
        _chains.clear()  # one scenario at a time: the memory of the last one only
        held = _chains[id(statuses)] = (statuses, {})
    known = held[1]
    path: list[str] = []
    current = node
    on_path: set[str] = set()
    while current not in known and current not in on_path:
        on_path.add(current)
        path.append(current)
        status = statuses.get(current)
        following = None
        if status is not None and status.status != "exited":
            following = next((c.provider for loss in status.losses for c in loss.causes if c.how in _PASSED_ON), None)
        if following is None:
            known[current] = (0, current)
            path.pop()
            break
        current = following
    steps, end = known.get(current, (0, current))
    for member in reversed(path):
        steps += 1
        known[member] = (steps, end)
    return known[node]


def _chain(statuses: dict[str, NodeStatus], graph, node: str) -> str:
    """A long chain summed up: how many providers it runs through and what happened at its end."""
    steps, end = _chain_end(statuses, node)
    status = statuses.get(end)
    if status is None or status.status == "online":
        what = "online"
    elif status.status == "exited":
        what = status.reason or "exits"
    else:
        roots = [
            f"{_provider(graph, c.provider)} {_predicate(statuses, graph, c, {end})}"
            for loss in status.losses
            for c in loss.causes
            if c.how not in _PASSED_ON
        ]
        what = f"{status.status}: " + "; ".join(roots) if roots else status.status
    if steps == 0:
        return f"{graph.name(node)}: {what}"
    return (
        f"{graph.name(node)}: {statuses[node].status} through a chain of {steps} providers, each because of the "
        f"next, down to {graph.name(end)}: {what}"
    )


def impaired_provider(service: str) -> str:
    """What a provider that keeps ``service`` only in part is, as a predicate (its own operation: an outage).

    >>> impaired_provider("operation"), impaired_provider("ip-transit")
    ('is in a partial outage', 'keeps its own ip-transit only in part')
    """
    return "is in a partial outage" if service == OPERATION else f"keeps its own {service} only in part"


def _outage_text(graph, loss: Loss) -> str:
    """``outage since 2025-01-19: TikTok stopped serving ... (source: ...)``: an actor's own outage."""
    cause = loss.causes[0]
    ordered = f" on the order of {graph.name(cause.issuer)}" if cause.issuer else ""
    when = f" since {cause.day.isoformat()}" if cause.day else ""
    what = f": {cause.detail.rstrip('.')}" if cause.detail else ""
    return f"{'partial outage' if loss.partial else 'outage'}{when}{ordered}{what}{_cite(cause.sources)}"


def explain(statuses: dict[str, NodeStatus], graph: AnalysisGraph, node: str, seen: set[str] | None = None) -> str:
    """Explain the status of ``node`` in ``statuses`` as one readable chain."""
    seen = (seen or set()) | {node}
    status = statuses.get(node)
    name = graph.name(node)
    if status is None or status.status == "online":
        return f"{name}: online"
    if status.status == "exited":
        return f"{name}: {status.reason or 'exits'}"
    since = f" since {status.since.isoformat()}" if status.since else ""
    parts = []
    offline = status.status == "offline"
    relevant = [loss for loss in status.losses if loss.takes_offline] if offline else status.losses
    for loss in sorted(relevant, key=lambda loss: loss.service):
        if loss.causes and loss.causes[0].how == "outage":
            parts.append(_outage_text(graph, loss))
            continue
        if loss.partial and not any(cause.how in ("partial", "impaired") for cause in loss.causes):
            reasons = "; ".join(
                f"{_provider(graph, c.provider)} {_predicate(statuses, graph, c, seen)}" for c in loss.causes
            )
            parts.append(f"impaired {loss.service} (its other {loss.service} providers remain); {reasons}")
            continue
        verb = "impaired" if loss.partial else "lost"
        if len(loss.causes) == 1:
            cause = loss.causes[0]
            predicate = _predicate(statuses, graph, cause, seen)
            text = f"its only {loss.service} provider, {_provider(graph, cause.provider)}, {predicate}"
        else:
            reasons = "; ".join(
                f"{_provider(graph, c.provider)} {_predicate(statuses, graph, c, seen)}" for c in loss.causes
            )
            dead = any(c.how not in ("partial", "impaired") for c in loss.causes)
            state = ("are gone or partial" if dead else "supply it only in part") if loss.partial else "are gone"
            text = f"all {len(loss.causes)} of its {loss.service} providers {state}: {reasons}"
        parts.append(f"{verb} {loss.service}; {text}")
    extra = ""
    if status.status == "offline" and status.lost_channels:
        extra = f" (channels also lost: {', '.join(status.lost_channels)})"
    return f"{name}: {status.status}{since}: " + "; ".join(parts) + extra
