"""The records of a small dataset as JSON beside its tables, so that analysing small data needs no numpy.

A command on the bundled dataset should start about as fast as importing rdflib and networkx; reading
the column tables would add numpy's import to every such command. Stores of at most :data:`SMALL`
dependencies therefore also keep their :class:`~kg.model.facts.Facts` as plain JSON, read back exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kg.model.facts import Dependency, Entity, Event, Facts, Observation, Outage, Source

__all__ = ["SMALL", "dump_facts", "load_facts"]

#: Stores with at most this many dependencies keep their facts as JSON (and are analysed without arrays).
SMALL = 20_000


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _instant(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _times(record) -> dict:
    return {"start_time": _iso(record.start_time), "end_time": _iso(record.end_time)}


def _read_times(record: dict) -> dict:
    return {
        "start_time": _instant(record.get("start_time")),
        "end_time": _instant(record.get("end_time")),
        "countries": tuple(record.get("countries", ())),
    }


def dump_facts(facts: Facts, path: Path) -> None:
    """Write ``facts`` as JSON to ``path``."""

    def ids(sources) -> list[str]:
        return [source.identifier for source in sources]

    document = {
        "sources": [vars(source) for source in facts.sources.values()],
        "entities": [
            {**vars(e), "iri": str(e.iri), "kinds": list(e.kinds), "sources": ids(e.sources)}
            for e in facts.entities.values()
        ],
        "dependencies": [
            {
                **vars(d),
                **_times(d),
                "iri": str(d.iri),
                "start": _iso(d.start),
                "end": _iso(d.end),
                "sources": ids(d.sources),
            }
            for d in facts.dependencies.values()
        ],
        "events": [
            {**vars(e), "iri": str(e.iri), "when": e.when.isoformat(), "sources": ids(e.sources)}
            for e in facts.events.values()
        ],
        "observations": [
            {**vars(o), **_times(o), "start": _iso(o.start), "end": _iso(o.end), "sources": ids(o.sources)}
            for o in facts.observations.values()
        ],
        "outages": [
            {
                **vars(o),
                **_times(o),
                "iri": str(o.iri),
                "start": _iso(o.start),
                "end": _iso(o.end),
                "sources": ids(o.sources),
            }
            for o in facts.outages.values()
        ],
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def load_facts(path: Path) -> Facts:
    """Read facts written by :func:`dump_facts`."""
    from rdflib import URIRef

    document = json.loads(path.read_text(encoding="utf-8"))
    facts = Facts()
    for record in document["sources"]:
        facts.sources[record["identifier"]] = Source(**record)

    def cited(identifiers: list[str]) -> tuple[Source, ...]:
        return tuple(facts.sources[i] for i in identifiers)

    for r in document["entities"]:
        facts.entities[r["identifier"]] = Entity(
            **{**r, "iri": URIRef(r["iri"]), "kinds": tuple(r["kinds"]), "sources": cited(r["sources"])}
        )
    for r in document["dependencies"]:
        facts.dependencies[r["identifier"]] = Dependency(
            **{
                **r,
                "iri": URIRef(r["iri"]),
                "start": _date(r["start"]),
                "end": _date(r["end"]),
                "sources": cited(r["sources"]),
                **_read_times(r),
                "upstream": tuple(r["upstream"]) if r.get("upstream") is not None else None,
                "evidence": tuple(r.get("evidence", ())),
            }
        )
    for r in document["events"]:
        when = dt.datetime.fromisoformat(r["when"]) if "T" in r["when"] else dt.date.fromisoformat(r["when"])
        facts.events[r["identifier"]] = Event(
            **{
                **r,
                "iri": URIRef(r["iri"]),
                "when": when,
                "sources": cited(r["sources"]),
                "countries": tuple(r.get("countries", ())),
            }
        )
    for r in document["observations"]:
        facts.observations[r["identifier"]] = Observation(
            **{
                **r,
                "start": _date(r["start"]),
                "end": _date(r["end"]),
                "sources": cited(r["sources"]),
                **_read_times(r),
                "evidence": tuple(r.get("evidence", ())),
            }
        )
    for r in document.get("outages", ()):
        facts.outages[r["identifier"]] = Outage(
            **{
                **r,
                "iri": URIRef(r["iri"]),
                "start": _date(r["start"]),
                "end": _date(r["end"]),
                "sources": cited(r["sources"]),
                **_read_times(r),
            }
        )
    return facts
