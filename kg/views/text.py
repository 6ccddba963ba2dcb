"""Rendering results as plain text for the terminal: tables, profiles, validation reports, statistics.

Functions here take result objects and return strings; they never print.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from kg.model.progress import EVERY

if TYPE_CHECKING:  # only for annotations: importing these costs start-up time (pySHACL, rdflib)
    from kg.model.facts import Dependency
    from kg.model.profile import Profile
    from kg.model.stats import Stats
    from kg.validation import ValidationReport

__all__ = [
    "format_profile",
    "format_stats",
    "format_validation",
    "table",
]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return an aligned text table.

    Examples
    --------
    >>> print(table(["a", "bb"], [[1, "x"], [22, "yyy"]]))
    a   bb
    --  ---
    1   x
    22  yyy
    """
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _period(dep: Dependency) -> str:
    """``2020-01-01 .. 2021-01-11 07:59 UTC``, with ``[US]`` when it applies in some countries only."""

    def moment(day, instant, missing: str) -> str:
        if instant is not None:
            return instant.strftime("%Y-%m-%d %H:%M UTC")
        return day.isoformat() if day else missing

    text = f"{moment(dep.start, dep.start_time, '?')} .. {moment(dep.end, dep.end_time, 'open')}"
    return text + (f" [{', '.join(dep.countries)}]" if dep.countries else "")


def format_profile(profile: Profile, *, with_sources: bool = True) -> str:
    """Render an entity profile: facts, dependencies, what it provides, and its dated timeline."""
    entity = profile.entity
    lines = [f"{entity.name} [{entity.identifier}]: {', '.join(entity.kinds)}"]
    if profile.owners:
        lines.append("owned by: " + " -> ".join(f"{o.name} [{o.identifier}]" for o in profile.owners))
    if entity.country:
        lines.append(f"country: {entity.country}")
    if profile.depends_on:
        count = _plural(len(profile.depends_on), "dependency", "dependencies")
        lines += ["", f"Depends on ({count}; a period runs from start to the day before end):"]
        rows = []
        for dep in profile.depends_on:
            who = "itself (self-provided)" if dep.self_provided else profile.name(dep.provider)
            how = f"ended by {dep.ended_by}" if dep.end else "active"
            rows.append([dep.service, who, _period(dep), how])
        lines.append(table(["service", "provider", "period", "status"], rows))
    if profile.provides:
        lines += ["", f"Provides ({_plural(len(profile.provides), 'dependency', 'dependencies')}):"]
        rows = [[profile.name(d.dependent), d.service, _period(d), d.ended_by or ""] for d in profile.provides]
        lines.append(table(["dependent", "service", "period", "ended by"], rows))
    if profile.timeline:
        lines += ["", "Timeline (UTC dates):"]
        for entry in profile.timeline:
            lines.append(f"  {entry.day.isoformat()}  {entry.text}")
            if with_sources:
                for source in entry.sources:
                    lines.append(f"              source: {source.cite()}")
    return "\n".join(lines)


def format_stats(stats: Stats) -> str:
    """Render dataset statistics."""
    lines = [
        f"triples: {stats.triples}",
        f"entities: {stats.entities}",
        table(["kind", "entities"], list(stats.entities_by_kind.items())),
        "",
        f"dependencies: {stats.dependencies} ({stats.open_dependencies} open, {stats.self_provided} self-provided, "
        f"{stats.provider_to_provider} between providers)",
        table(["service", "dependencies"], list(stats.dependencies_by_service.items())),
        "",
        "ended by: " + (", ".join(f"{k} {v}" for k, v in stats.ended_by.items()) or "none"),
        "events: " + (", ".join(f"{k} {v}" for k, v in stats.events_by_kind.items()) or "none"),
        f"availability observations: {stats.observations}",
        f"outages: {stats.outages}",
        f"sources: {stats.sources} ({len(stats.unused_sources)} cited by nothing)",
        f"date range: {stats.first_date or '-'} .. {stats.last_date or '-'}",
        f"facts without a source: {len(stats.unsourced)}",
    ]
    lines += [f"  {fact}" for fact in stats.unsourced]
    return "\n".join(lines)


def format_validation(report: ValidationReport, *, label: str = "data") -> str:
    """Render a validation report: one line per finding, then a summary line."""
    lines = [str(finding) for finding in report.findings]
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{label} {verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return "\n".join(lines)


def format_impact(impact, *, only: set[str] | None = None, progress=None) -> str:
    """Render an impact: the scenario, a table of affected actors, then each one's explanation
    (``progress(step, done, total)`` is called as the explanations are written)."""
    return "\n".join(impact_lines(impact, only=only, progress=progress))


def impact_lines(impact, *, only: set[str] | None = None, progress=None) -> Iterator[str]:
    """The lines of :func:`format_impact`, made one at a time (a big impact is printed as it is explained)."""
    yield f"Scenario on {impact.graph.when}: " + ("; ".join(impact.scenario.description) or "no cuts")
    affected = [s for s in impact.affected if only is None or s.identifier in only]
    unchanged = sorted(set(only or ()) - {s.identifier for s in affected}, key=lambda n: impact.graph.name(n))
    if not affected:
        yield "Nothing changes" + (" for the platforms asked about:" if only else ".")
        for node in unchanged:
            yield f"- {impact.explain(node)} (unchanged)"
        return
    rows = []
    for status in affected:
        before = impact.status(status.identifier, before=True).status
        lost = ", ".join(status.lost_essentials + status.lost_channels + [f"{s} impaired" for s in status.impaired])
        rows.append([status.name, f"{before} -> {status.status}", status.since or "", lost])
    yield ""
    yield table(["actor", "status", "since", "lost"], rows)
    del rows
    yield ""
    yield "Why:"
    for done, status in enumerate(affected, start=1):
        if progress is not None and done % EVERY == 0:
            progress("explaining", done, len(affected))
        if status.status == "exited":
            continue
        yield f"- {impact.explain(status.identifier)}"
        for loss in status.losses:
            options = impact.alternatives(status, loss, 3)
            if options:
                named = ", ".join(a.name + (f" (has cut {a.has_cut_summary()})" if a.has_cut else "") for a in options)
                yield f"    alternatives for {loss.service}: {named}"
    if unchanged:
        yield ""
        yield "Unchanged among the platforms asked about:"
        for node in unchanged:
            yield f"- {impact.explain(node)}"


def format_spof(points, graph) -> str:
    """Render single points of failure of a platform."""
    from kg.analysis.impact import explain, propagate

    name = graph.name(points.target)
    lines = [f"Single points of failure of {name} on {graph.when}:"]
    if points.already_offline:
        lines.append(f"  {name} is already offline on that date: {explain(propagate(graph), graph, points.target)}")
        return "\n".join(lines)
    if points.offline:
        lines.append("Exits that alone take it offline:")
        for provider in points.offline:
            why = points.why.get(provider)
            lines.append(f"  - {graph.name(provider)}: {why}" if why else f"  - {graph.name(provider)}")
        if len(points.why) < len(points.offline):
            lines.append(
                f"  ({len(points.offline) - len(points.why):,} of them without an explanation: "
                "kg impact --remove PROVIDER explains one)"
            )
    else:
        lines.append("No single exit takes it offline.")
    if points.channels:
        lines.append("Exits that alone cut a channel:")
        for provider, channels in points.channels.items():
            lines.append(f"  - {graph.name(provider)}: {', '.join(channels)}")
    return "\n".join(lines)


def format_cutsets(sets, graph) -> str:
    """Render the minimal cut sets of a platform."""
    name = graph.name(sets.target)
    lines = [f"Minimal sets of provider exits (up to {sets.max_order}) that take {name} offline on {graph.when}:"]
    if sets.already_offline:
        lines.append(f"  none needed: {name} is already offline on that date")
    elif not sets.sets:
        lines.append(f"  none of {sets.max_order} providers or fewer")
    for members in sets.sets:
        lines.append(f"  {{{', '.join(graph.name(m) for m in members)}}}")
    for channel, families in sets.channels.items():
        shown = "; ".join("{" + ", ".join(graph.name(m) for m in f) + "}" for f in families) or "none in that order"
        lines.append(f"  channel {channel}: {shown}")
    return "\n".join(lines)


def format_rank(rows, concentrations, graph, top: int) -> str:
    """Render the provider criticality table and service concentration."""
    lines = [f"Provider criticality on {graph.when} (what each provider's exit alone would do):"]
    body = [
        [
            r.name,
            ",".join(r.services),
            r.dependents,
            r.direct_offline,
            r.total_offline,
            r.direct_degraded,
            r.total_degraded,
        ]
        for r in rows[:top]
    ]
    headers = [
        "provider",
        "services",
        "dependents",
        "offline direct",
        "offline total",
        "degraded direct",
        "degraded total",
    ]
    lines.append(table(headers, body))
    for c in concentrations:
        shares = ", ".join(f"{graph.name(p)} {s:.1%}" for p, _, s in c.top(5))
        lines.append(f"\n{c.service}: {c.dependents} dependents, HHI {c.hhi:.0f}; top shares: {shares}")
    return "\n".join(lines)


def step_when(step) -> str:
    """A replay step's date, with its time of day (UTC) when it is a step at an instant."""
    return step.moment.strftime("%Y-%m-%d %H:%M") if step.moment else step.day.isoformat()


def replay_title(history) -> str:
    """The replayed platform's name, with the country of a regional replay."""
    return f"{history.name} in {history.region}" if history.region else history.name


def format_replay(history, *, causes: bool = True) -> str:
    """Render a history replay, step by step, with the agreement with observations (and the causes)."""
    lines = [f"History of {replay_title(history)}: predicted status on each date its recorded history changes"]
    rows = []
    for step in history.steps:
        mark = {True: "yes", False: "NO", None: ""}[step.matches]
        lost = [*step.lost_channels, *(f"{service} impaired" for service in step.impaired)]
        status = step.status + (f" ({', '.join(lost)})" if lost else "")
        rows.append([step_when(step), status, step.observed or "", mark])
    lines.append(table(["date", "predicted", "observed", "match"], rows))
    matched, compared = history.agreement
    lines.append(f"\nAgreement with observations: {matched} of {compared}")
    if not causes:
        return "\n".join(lines)
    lines.append("\nCauses:")
    previous = None
    for step in history.steps:
        for event in step.events:
            lines.append(f"  {step_when(step)}  {event.kind}: {event.description}")
        if step.explanation != previous:
            lines.append(f"  {step_when(step)}  => {step.explanation}")
            previous = step.explanation
    return "\n".join(lines)


def format_agreement(histories) -> str:
    """Render the agreement of every replayed platform with its observations."""
    rows = []
    total_matched = total = 0
    for history in histories:
        matched, compared = history.agreement
        total_matched, total = total_matched + matched, total + compared
        misses = "; ".join(f"{step_when(s)} {s.status}/{s.observed}" for s in history.compared if not s.matches)
        rows.append([replay_title(history), f"{matched}/{compared}", misses])
    rows.append(["all", f"{total_matched}/{total}", ""])
    return table(["platform", "agreement", "mismatches (date predicted/observed)"], rows)


def format_status(status, graph) -> str:
    """Render one actor's status at a viewpoint: the verdict, why, the services it stands on, what was seen."""
    where = "" if status.view.region else " (worldwide)"
    lines = [f"{status.name} at {status.view.describe()}{where}: {status.status}"]
    lines.append(f"  {status.explanation}")
    if status.services:
        rows = []
        for state in status.services:
            providers = ", ".join(
                "itself" if p == status.identifier else graph.name(p) + (" (unnamed)" if graph.unnamed(p) else "")
                for p in state.providers
            )
            supplied = "LOST" if state.lost else providers + (" (only in part)" if state.impaired else "")
            rows.append([state.service, "essential" if state.essential else "channel", supplied])
        lines.append("")
        lines.append(table(["service", "effect", "supplied by"], rows))
    observed = status.observed
    if observed is None:
        lines.append("\nObserved: nothing recorded for this moment")
    else:
        period = f"from {observed.start.isoformat()}" + (f" to {observed.end.isoformat()}" if observed.end else "")
        verdict = "agrees" if status.matches else f"DISAGREES: {status.disagreement}"
        lines.append(f"\nObserved: {observed.status} {period} ({verdict})")
        if observed.note:
            lines.append(f"  note: {observed.note}")
        lines.extend(f"  {source.cite()}" for source in observed.sources)
    return "\n".join(lines)
