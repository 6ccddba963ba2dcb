"""Rendering results as plain text for the terminal: tables, profiles, validation reports, statistics.

Functions here take result objects and return strings; they never print.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.facts import Dependency
from kg.profile import Profile
from kg.stats import Stats
from kg.validation import ValidationReport

__all__ = ["format_profile", "format_stats", "format_validation", "table"]


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
    start = dep.start.isoformat() if dep.start else "?"
    end = dep.end.isoformat() if dep.end else "open"
    return f"{start} .. {end}"


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
