"""JSON documents of results, for scripts: the stable schema that ``--json`` prints, and its one encoder.

Every document is plain JSON (strings, numbers, lists, objects); dates are ISO 8601 strings. The docs
describe each document's fields; fields are only ever added, never renamed or removed. Every ``--json``
is written by :func:`json_text`: UTF-8 as it is, with the characters a terminal would act on escaped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict

from kg.analysis.criticality import ProviderCriticality, ServiceConcentration
from kg.analysis.faulttree import CutSets, SinglePoints
from kg.analysis.impact import Impact, NodeStatus
from kg.analysis.replay import Replay
from kg.model.facts import Source
from kg.model.progress import EVERY, Progress
from kg.model.text import TERMINAL_CONTROLS
from kg.views.story import impact_story

__all__ = [
    "SCHEMA_VERSION",
    "changes_json",
    "cutsets_json",
    "impact_json",
    "json_text",
    "profile_json",
    "rank_json",
    "replay_json",
    "spof_json",
    "status_json",
    "validation_json",
]

SCHEMA_VERSION = 1

#: How many of the dependents an alternative has cut are listed (``has_cut_count`` gives them all).
HAS_CUT_LISTED = 10


def json_text(document) -> str:
    """``document`` as indented JSON: non-ASCII text as it is (``tingsrätt``); the characters a terminal
    would act on (C0 controls, DEL, C1, bidirectional overrides) escaped (``\\u001b``), as JSON allows.

    >>> print(json_text({"name": "tingsrätt\x1b[2J"}))
    {
      "name": "tingsrätt\\u001b[2J"
    }
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)  # C0 controls are escaped already;
    return TERMINAL_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)  # DEL, C1, bidi are not


def validation_json(report) -> dict:
    """A :class:`~kg.validation.ValidationReport`: whether the data conforms, and every finding."""
    return {"conforms": report.conforms, "findings": [finding.__dict__ for finding in report.findings]}


def profile_json(profile) -> dict:
    """One entity's :class:`~kg.model.profile.Profile`: the entity, its owners, what it depends on and
    provides, and its timeline."""

    def dependency(dep):
        return {**asdict(dep, dict_factory=_dated), "iri": str(dep.iri)}

    return {
        "entity": {**asdict(profile.entity, dict_factory=_dated), "iri": str(profile.entity.iri)},
        "owners": [owner.identifier for owner in profile.owners],
        "depends_on": [dependency(d) for d in profile.depends_on],
        "provides": [dependency(d) for d in profile.provides],
        "timeline": [{"date": e.day.isoformat(), "text": e.text} for e in profile.timeline],
    }


def _dated(fields) -> dict:
    """A record's fields with its dates and instants as ISO 8601 text (for :func:`dataclasses.asdict`)."""
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in fields}


def _iso_day(value) -> str | None:
    return value.isoformat() if value else None


def _where(view) -> dict:
    """``time`` (the instant asked about, or null) and ``region`` (the country, or null) of a viewpoint."""
    moment = view.moment if view is not None else None
    return {"time": moment.isoformat() if moment else None, "region": view.region if view is not None else None}


def _source(source: Source) -> dict:
    return {"publisher": source.publisher, "date": source.date, "title": source.title, "url": source.url}


def _status(impact: Impact, status: NodeStatus) -> dict:
    before = impact.status(status.identifier, before=True)
    return {
        "id": status.identifier,
        "name": status.name,
        "status": status.status,
        "before": before.status,
        "since": _iso_day(status.since),
        "lost_essential": status.lost_essentials,
        "lost_channels": status.lost_channels,
        "impaired": status.impaired,
        "explanation": impact.explain(status.identifier),
        "losses": [
            {
                "service": loss.service,
                "essential": loss.essential,
                "partial": loss.partial,
                "causes": [
                    {
                        "provider": cause.provider,
                        "dependency": cause.dependency,
                        "how": cause.how,
                        "date": _iso_day(cause.day),
                        "detail": cause.detail,
                        "issuer": cause.issuer,
                        "sources": [_source(s) for s in cause.sources],
                    }
                    for cause in loss.causes
                ],
            }
            for loss in status.losses
        ],
        "alternatives": {
            loss.service: [
                {
                    "provider": a.provider,
                    "name": a.name,
                    "dependents": a.dependents,
                    "has_cut": list(a.has_cut[:HAS_CUT_LISTED]),
                    "has_cut_count": len(a.has_cut),
                }
                for a in impact.alternatives(status, loss, 5)
            ]
            for loss in status.losses
        },
    }


def impact_json(impact: Impact, *, platforms: Iterable[str] = (), progress: Progress | None = None) -> dict:
    """The document of ``kg impact --json`` (``progress(step, done, total)`` is called as it is made).

    With ``platforms`` (the actors asked about), ``affected`` keeps only those, and ``platforms`` lists every
    one of them with its status before and after, also when it does not change.
    """
    affected = impact.affected
    documents = []
    for done, status in enumerate(affected, start=1):
        if progress is not None and done % EVERY == 0:
            progress("explaining", done, len(affected))
        documents.append(_status(impact, status))
    document = {
        "schema": SCHEMA_VERSION,
        "date": impact.day.isoformat(),
        **_where(impact.graph.view),
        "scenario": impact.scenario.description,
        "summary": impact_story(impact),
        "affected": documents,
    }
    asked = sorted(set(platforms))
    if asked:
        document["affected"] = [a for a in documents if a["id"] in asked]
        document["platforms"] = [
            {
                "id": node,
                "name": impact.graph.name(node),
                "status": impact.status(node).status,
                "before": impact.status(node, before=True).status,
                "changed": any(a["id"] == node for a in documents),
                "explanation": impact.explain(node),
            }
            for node in asked
        ]
    return document


def _platform_header(graph, target: str, already_offline: bool) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "date": graph.day.isoformat(),
        **_where(graph.view),
        "platform": target,
        "name": graph.name(target),
        "already_offline": already_offline,
    }


def spof_json(points: SinglePoints, graph) -> dict:
    """The document of ``kg spof --json``."""
    return {
        **_platform_header(graph, points.target, points.already_offline),
        "offline": [
            {
                "provider": provider,
                "name": graph.name(provider),
                "explanation": points.why.get(provider),  # null past the first WHY_LIMIT
            }
            for provider in points.offline
        ],
        "channels": [
            {"provider": provider, "name": graph.name(provider), "channels": channels}
            for provider, channels in points.channels.items()
        ],
    }


def cutsets_json(sets: CutSets, graph) -> dict:
    """The document of ``kg cutsets --json``."""
    return {
        **_platform_header(graph, sets.target, sets.already_offline),
        "max_order": sets.max_order,
        "cut_sets": [list(s) for s in sets.sets],
        "channels": {channel: [list(s) for s in families] for channel, families in sets.channels.items()},
    }


def rank_json(rows: list[ProviderCriticality], concentrations: list[ServiceConcentration], graph) -> dict:
    """The document of ``kg rank --json``."""
    return {
        "schema": SCHEMA_VERSION,
        "date": graph.day.isoformat(),
        **_where(graph.view),
        "providers": [
            {
                "provider": r.provider,
                "name": r.name,
                "services": list(r.services),
                "dependents": r.dependents,
                "direct_offline": r.direct_offline,
                "direct_degraded": r.direct_degraded,
                "total_offline": r.total_offline,
                "total_degraded": r.total_degraded,
            }
            for r in rows
        ],
        "concentration": [
            {
                "service": c.service,
                "dependents": c.dependents,
                "hhi": c.hhi,
                "shares": [{"provider": p, "dependents": n, "share": round(s, 6)} for p, n, s in c.shares],
            }
            for c in concentrations
        ],
    }


def replay_json(history: Replay) -> dict:
    """The document of ``kg replay --json``."""
    matched, compared = history.agreement
    return {
        "schema": SCHEMA_VERSION,
        "platform": history.platform,
        "name": history.name,
        "region": history.region,
        "agreement": {"matched": matched, "compared": compared},
        "steps": [
            {
                "date": step.day.isoformat(),
                "time": step.moment.isoformat() if step.moment else None,
                "status": step.status,
                "lost_channels": list(step.lost_channels),
                "impaired": list(step.impaired),
                "observed": step.observed,
                "matches": step.matches,
                "events": [{"id": e.identifier, "kind": e.kind, "description": e.description} for e in step.events],
                "explanation": step.explanation,
            }
            for step in history.steps
        ],
    }


def status_json(status, graph) -> dict:
    """The document of ``kg status --json``."""
    observed = status.observed
    return {
        "schema": SCHEMA_VERSION,
        "id": status.identifier,
        "name": status.name,
        "date": status.view.day.isoformat(),
        **_where(status.view),
        "status": status.status,
        "since": _iso_day(status.since),
        "lost_essential": list(status.lost_essential),
        "lost_channels": list(status.lost_channels),
        "impaired": list(status.impaired),
        "explanation": status.explanation,
        "services": [
            {
                "service": state.service,
                "essential": state.essential,
                "lost": state.lost,
                "impaired": state.impaired,
                "providers": [{"id": p, "name": graph.name(p)} for p in state.providers],
            }
            for state in status.services
        ],
        "observed": None
        if observed is None
        else {
            "status": observed.status,
            "start": _iso_day(observed.start),
            "end": _iso_day(observed.end),
            "countries": list(observed.countries),
            "sources": [_source(s) for s in observed.sources],
            "note": observed.note,
        },
        "matches": status.matches,
        "disagreement": status.disagreement,
    }


def changes_json(steps, name=lambda identifier: identifier) -> dict:
    """The document of ``kg changes --json``: each step from a measurement run to the next (runs, instants),
    the providers each dependent stopped and started using per service, and the dependents whose answering
    changed (``status``: ``unreachable`` or ``reachable``), each with its sentence (``name`` gives the names
    the sentences use)."""
    return {
        "schema": SCHEMA_VERSION,
        "steps": [
            {
                "old": {"run": step.old.identifier, "time": step.old.instant.isoformat()},
                "new": {"run": step.new.identifier, "time": step.new.instant.isoformat()},
                "changes": [
                    {
                        "dependent": c.dependent,
                        "service": c.service,
                        "ended": list(c.ended),
                        "began": list(c.began),
                        "sentence": c.sentence(name),
                    }
                    for c in step.changes
                ],
                "statuses": [
                    {
                        "dependent": s.dependent,
                        "old": s.old,
                        "new": s.new,
                        "status": s.status,
                        "sentence": s.sentence(name),
                    }
                    for s in step.statuses
                ],
            }
            for step in steps
        ],
    }
