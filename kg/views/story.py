"""What a scenario did, in plain sentences: the summary an impact page and ``kg impact`` open with.

:func:`impact_story` turns an :class:`~kg.analysis.impact.Impact` into short sentences a reader takes in at once
("2 cuts on 2021-01-07 change 1 actor.", "Parler goes offline: it loses hosting (its only hosting
provider, Amazon Web Services, is cut off)."), worst outcome first. The full chains of causes, with their
sources, stay in the explanations; the story names only the first step of each.
"""

from __future__ import annotations

from kg.analysis.impact import Cause, Impact, Loss, NodeStatus, impaired_provider

__all__ = ["impact_story"]

_VERB = {"offline": "goes offline", "degraded": "is degraded", "online": "is back online", "exited": "exits"}


def _how(impact: Impact, cause: Cause) -> str:
    """What happened to one supply, as a short predicate for its provider."""
    name = impact.graph.name
    return {
        "cut": "is cut off",
        "recorded": "cut it off" + (f" on the order of {name(cause.issuer)}" if cause.issuer else ""),
        "exit": "exits",
        "offline": "is offline",
        "lost": "had cut it off before",
        "resold": f"lost the {cause.detail} it resells it on",
        "partial": "supplies it only in part",
        "impaired": impaired_provider(cause.detail),
    }.get(cause.how, cause.how)


def _loss(impact: Impact, loss: Loss) -> str:
    verb = "keeps" if loss.partial else "loses"
    if loss.causes and loss.causes[0].how == "outage":
        return f"{'a partial outage' if loss.partial else 'an outage'}: {loss.causes[0].detail.rstrip('.')}"
    name = impact.graph.name
    if len(loss.causes) == 1:
        cause = loss.causes[0]
        why = f"its only {loss.service} provider, {name(cause.provider)}, {_how(impact, cause)}"
    else:
        gone = {_how(impact, c) for c in loss.causes}
        how = gone.pop() if len(gone) == 1 else "are gone"
        providers = ", ".join(name(c.provider) for c in loss.causes)
        why = f"all {len(loss.causes)} of its {loss.service} providers ({providers}) " + (
            how if how == "are gone" else f"{how.replace('is ', 'are ', 1)}"
        )
    if loss.partial:
        return f"it {verb} {loss.service} only in part ({why})"
    return f"it {verb} {loss.service} ({why})"


def _sentence(impact: Impact, status: NodeStatus) -> str:
    before = impact.status(status.identifier, before=True).status
    verb = _VERB.get(status.status, status.status)
    if status.status == "degraded" and before == "offline":
        verb = "comes back, degraded"
    if status.status == "exited":
        reason = status.reason if status.reason and status.reason != "exits" else ""
        return f"{status.name} exits" + (f" ({reason})." if reason else ".")
    offline = status.status == "offline"
    had = {old.service for old in impact.status(status.identifier, before=True).losses}
    losses = [loss for loss in status.losses if loss.takes_offline or not offline]
    new = [loss for loss in losses if loss.service not in had] or losses
    parts = "; ".join(_loss(impact, loss) for loss in sorted(new, key=lambda loss: loss.service))
    channels = [service for service in status.lost_channels if service not in had]
    also = f" It also loses {_and(channels)}." if offline and channels else ""
    return f"{status.name} {verb}" + (f": {parts}." if parts else ".") + also


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def impact_story(impact: Impact, *, limit: int = 12) -> list[str]:
    """The scenario and what it changed, as plain sentences, worst outcome first (at most ``limit`` actors).

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.analysis.graph import build_graph
    >>> from kg.model.facts import read_facts
    >>> from kg.analysis.impact import assess
    >>> from kg.io.loading import load
    >>> from kg.analysis.scenario import make_scenario
    >>> graph = build_graph(read_facts(load()), dt.date(2021, 1, 7))
    >>> story = impact_story(assess(graph, make_scenario(graph, remove=["aws"])))
    >>> story[0]
    'Amazon Web Services exits, as of 2021-01-07: 5 actors change.'
    >>> [line for line in story if line.startswith("Parler")]
    ['Parler goes offline: it loses hosting (its only hosting provider, Amazon Web Services, exits).']
    """
    affected = impact.affected
    scenario = "; ".join(impact.scenario.description) or "No cut"
    scenario = scenario[0].upper() + scenario[1:]
    count = len(affected)
    head = f"{scenario}, as of {impact.graph.when}: " + (
        f"{count} actor{'s' if count != 1 else ''} change{'s' if count == 1 else ''}." if count else "nothing changes."
    )
    lines = [head] + [_sentence(impact, status) for status in affected[:limit]]
    if count > limit:
        lines.append(f"... and {count - limit} more (see each actor's details).")
    return lines
