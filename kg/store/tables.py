"""Column tables: the records of a dataset as compact arrays, for analysis at scale and fast reopening.

A store keeps, beside its RDF, every actor, dependency, event, observation and source as columns:
integers for what the analysis computes on (who depends on whom, for which service, from when to
when, how it ended, its effect) and packed strings for what output shows (identifiers, names, notes).
A million dependencies take tens of megabytes and reopen in well under a second, with no RDF parsing.

Tables are built (:mod:`kg.store.tablebuilder`) from *records* (plain dicts, one per row, as
:mod:`kg.io.csvdata` emits them while it converts, or as :mod:`kg.store.extract` reads them from RDF with
SPARQL), encoded as :mod:`kg.store.encodings` says, and turned into :class:`~kg.model.facts.Facts` on demand.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.model.facts import (
    UNNAMED_KIND,
    Dependency,
    Entity,
    Event,
    Facts,
    Observation,
    Outage,
    Source,
    owners_of,
)
from kg.model.namespace import data_iri
from kg.store.encodings import (
    EFFECTS,
    ENDINGS,
    StringColumn,
    country_codes,
    from_day_number,
    from_instant_number,
    instant_number,
    listed,
    optional_iri,
    upstream_services,
)

__all__ = ["FORMAT_VERSION", "EntityTable", "Tables"]

FORMAT_VERSION = 5


@dataclass
class Tables:
    """Every record of a dataset as columns. Actors are numbered ``0..n-1`` in identifier order, and so
    are dependencies; ``dep_dependent`` and ``dep_provider`` hold actor numbers."""

    services: list[str]  # service identifiers; ``dep_service`` indexes this list
    actor_id: StringColumn
    actor_is_entity: np.ndarray  # bool: described as an entity (not only named by a dependency)
    actor_iri: StringColumn
    actor_name: StringColumn
    actor_kinds: StringColumn  # ";"-joined
    actor_owner: np.ndarray  # int32 actor number, -1 for none
    actor_country: StringColumn
    actor_homepage: StringColumn
    actor_sources: tuple[np.ndarray, np.ndarray]  # CSR into ``sources``
    dep_id: StringColumn
    dep_iri: StringColumn  # "" where it is the usual data IRI
    dep_dependent: np.ndarray  # int32
    dep_provider: np.ndarray  # int32
    dep_service: np.ndarray  # int16
    dep_start: np.ndarray  # int32 day number, NO_START when open
    dep_end: np.ndarray  # int32 day number, NO_END when open
    dep_ended_by: np.ndarray  # int8 index into ENDINGS
    dep_effect: np.ndarray  # int8 index into EFFECTS
    dep_note: StringColumn
    dep_sources: tuple[np.ndarray, np.ndarray]
    dep_start_time: np.ndarray  # int64 seconds since the epoch (UTC), NO_TIME when no time is known
    dep_end_time: np.ndarray  # int64, as dep_start_time
    dep_countries: StringColumn  # ";"-joined ISO codes where it applies; "" everywhere
    dep_upstream: StringColumn  # services it is resold on: "" the service's default, "-" none, else ";"-joined
    dep_partial: np.ndarray  # bool: supplied only in part (pd:partial)
    dep_evidence: StringColumn  # measured: the identifiers of the evidence it rests on, ";"-joined; "" none
    sources: list[dict]
    events: list[dict]
    observations: list[dict]
    outages: list[dict]

    @property
    def dependency_count(self) -> int:
        return len(self.dep_dependent)

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the tables into ``folder`` (``tables.npz`` and ``records.json``)."""
        arrays: dict[str, np.ndarray] = {}
        for name in ("actor_id", "actor_iri", "actor_name", "actor_kinds", "actor_country", "actor_homepage"):
            arrays.update(getattr(self, name).arrays(name))
        for name in ("dep_id", "dep_iri", "dep_note", "dep_countries", "dep_upstream", "dep_evidence"):
            arrays.update(getattr(self, name).arrays(name))
        for name in ("actor_is_entity", "actor_owner", "dep_dependent", "dep_provider", "dep_service", "dep_partial"):
            arrays[name] = getattr(self, name)
        for name in ("dep_start", "dep_end", "dep_ended_by", "dep_effect", "dep_start_time", "dep_end_time"):
            arrays[name] = getattr(self, name)
        for name in ("actor_sources", "dep_sources"):
            arrays[f"{name}.pointer"], arrays[f"{name}.index"] = getattr(self, name)
        with (folder / "tables.npz").open("wb") as handle:
            np.savez(handle, **arrays)
        records = {
            "format": FORMAT_VERSION,
            "services": self.services,
            "sources": self.sources,
            "events": self.events,
            "observations": self.observations,
            "outages": self.outages,
        }
        (folder / "records.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Tables:
        """Read tables written by :meth:`save`."""
        records = json.loads((folder / "records.json").read_text(encoding="utf-8"))
        with np.load(folder / "tables.npz", allow_pickle=False) as arrays:
            data = {name: arrays[name] for name in arrays.files}
        strings = {
            name: StringColumn.from_arrays(data, name)
            for name in (
                "actor_id",
                "actor_iri",
                "actor_name",
                "actor_kinds",
                "actor_country",
                "actor_homepage",
                "dep_id",
                "dep_iri",
                "dep_note",
                "dep_countries",
                "dep_upstream",
                "dep_evidence",
            )
        }
        return cls(
            services=records["services"],
            actor_is_entity=data["actor_is_entity"],
            actor_owner=data["actor_owner"],
            actor_sources=(data["actor_sources.pointer"], data["actor_sources.index"]),
            dep_dependent=data["dep_dependent"],
            dep_provider=data["dep_provider"],
            dep_service=data["dep_service"],
            dep_start=data["dep_start"],
            dep_end=data["dep_end"],
            dep_ended_by=data["dep_ended_by"],
            dep_effect=data["dep_effect"],
            dep_start_time=data["dep_start_time"],
            dep_end_time=data["dep_end_time"],
            dep_partial=data["dep_partial"],
            dep_sources=(data["dep_sources.pointer"], data["dep_sources.index"]),
            sources=records["sources"],
            events=records["events"],
            observations=records["observations"],
            outages=records["outages"],
            **strings,
        )

    # -- records -----------------------------------------------------------------------------------
    def source_objects(self) -> list[Source]:
        return [
            Source(date=s["date"], publisher=s["publisher"], title=s["title"], url=s["url"], identifier=s["id"])
            for s in self.sources
        ]

    def to_entities(self, sources: list[Source] | None = None) -> dict[str, Entity]:
        """The actors described as entities, by identifier."""
        sources = self.source_objects() if sources is None else sources
        return {
            self.actor_id[index]: self.entity(index, sources) for index in np.flatnonzero(self.actor_is_entity).tolist()
        }

    def unanalysable(self) -> tuple[str, int]:
        """:func:`kg.model.facts.unanalysable` over the columns: only the rows that lack something are made."""
        from kg.model.facts import unanalysable

        bad = self.dep_service < 0
        if len(self.actor_id) and self.actor_id[0] == "":  # "" sorts first: a dependency naming no actor
            bad |= (self.dep_dependent == 0) | (self.dep_provider == 0)
        rows = np.flatnonzero(bad)
        if not len(rows):
            return "", 0
        first, _ = unanalysable(self.dependencies(rows[:1], self.source_objects()))
        return first, len(rows)

    def unnamed(self, index: int) -> bool:
        """Whether actor ``index`` is a provider the sources do not name (:attr:`kg.model.facts.Entity.unnamed`)."""
        return UNNAMED_KIND in self.actor_kinds[index].split(";")

    def entity(self, index: int, sources: list[Source]) -> Entity:
        """Actor number ``index`` as an :class:`~kg.model.facts.Entity`."""
        identifier = self.actor_id[index]
        pointer, cited = self.actor_sources
        owner = int(self.actor_owner[index])
        kinds = self.actor_kinds[index]
        return Entity(
            identifier=identifier,
            iri=optional_iri(self.actor_iri[index]) or data_iri("entity", identifier),
            name=self.actor_name[index] or identifier,
            kinds=tuple(kinds.split(";")) if kinds else (),
            owner=self.actor_id[owner] if owner >= 0 else None,
            country=self.actor_country[index] or None,
            homepage=self.actor_homepage[index] or None,
            sources=tuple(sorted({sources[i] for i in cited[pointer[index] : pointer[index + 1]].tolist()})),
        )

    def dependencies(self, rows, sources: list[Source] | None = None) -> list[Dependency]:
        """The dependencies numbered ``rows`` as :class:`~kg.model.facts.Dependency` records."""
        from rdflib import URIRef

        sources = self.source_objects() if sources is None else sources
        rows = np.asarray(rows, dtype=np.int64)
        ids = self.actor_id
        pointer, cited_items = self.dep_sources
        starts, ends = pointer[rows].tolist(), pointer[rows + 1].tolist()
        iri_prefix = str(data_iri("dependency", ""))
        empty: tuple[Source, ...] = ()
        columns = zip(
            rows.tolist(),
            self.dep_dependent[rows].tolist(),
            self.dep_provider[rows].tolist(),
            self.dep_service[rows].tolist(),
            self.dep_start[rows].tolist(),
            self.dep_end[rows].tolist(),
            self.dep_ended_by[rows].tolist(),
            self.dep_effect[rows].tolist(),
            self.dep_start_time[rows].tolist(),
            self.dep_end_time[rows].tolist(),
            strict=True,
        )
        names: dict[int, str] = {}

        def actor(number: int) -> str:
            name = names.get(number)
            if name is None:
                name = names[number] = ids[number]
            return name

        found = []
        for (
            index,
            dependent,
            provider,
            service,
            start,
            end,
            ended_by,
            effect,
            start_time,
            end_time,
        ), first, last in zip(columns, starts, ends, strict=True):
            identifier = self.dep_id[index]
            if last - first == 1:
                cited: tuple[Source, ...] = (sources[int(cited_items[first])],)
            elif last == first:
                cited = empty
            else:
                cited = tuple(sorted({sources[i] for i in cited_items[first:last].tolist()}))
            iri = self.dep_iri[index]
            found.append(
                Dependency(
                    identifier=identifier,
                    iri=URIRef(iri) if iri else URIRef(iri_prefix + identifier),
                    dependent=actor(dependent),
                    provider=actor(provider),
                    service=self.services[service] if service >= 0 else "",
                    start=from_day_number(start),
                    end=from_day_number(end),
                    ended_by=ENDINGS[ended_by] or None,
                    effect=EFFECTS[effect] or None,
                    note=self.dep_note[index] or None,
                    sources=cited,
                    start_time=from_instant_number(start_time),
                    end_time=from_instant_number(end_time),
                    countries=country_codes(self.dep_countries[index]),
                    upstream=upstream_services(self.dep_upstream[index]),
                    partial=bool(self.dep_partial[index]),
                    evidence=listed(self.dep_evidence[index]),
                )
            )
        return found

    def events_by_id(self, sources: list[Source] | None = None, acting_on: set[str] | None = None) -> dict[str, Event]:
        """Every event (or those acting on the dependencies ``acting_on``), by identifier."""
        sources = self.source_objects() if sources is None else sources
        by_id = {source.identifier: source for source in sources}

        def cited_ids(identifiers) -> tuple[Source, ...]:
            return tuple(sorted({by_id[i] for i in identifiers if i in by_id}))

        events = {}
        for record in self.events:
            if acting_on is not None and record["dependency"] not in acting_on:
                continue
            when = record["when"]
            moment = dt.datetime.fromisoformat(when) if "T" in when else dt.date.fromisoformat(when)
            events[record["id"]] = Event(
                identifier=record["id"],
                iri=optional_iri(record.get("iri", "")) or data_iri("event", record["id"]),
                kind=record["kind"],
                when=moment,
                dependency=record["dependency"],
                description=record["description"],
                sources=cited_ids(record["sources"]),
                countries=country_codes(record.get("countries")),
                issuer=record.get("issuer") or None,
            )
        return events

    def to_facts(self) -> Facts:
        """Every record as :class:`~kg.model.facts.Facts`, as :func:`kg.model.facts.read_facts` gives them from RDF."""
        facts = Facts()
        sources = self.source_objects()
        for source in sources:
            facts.sources[source.identifier] = source
        by_id = {source.identifier: source for source in sources}

        def cited_ids(identifiers: Iterable[str]) -> tuple[Source, ...]:
            return tuple(sorted({by_id[i] for i in identifiers if i in by_id}))

        facts.entities.update(self.to_entities(sources))
        for dependency in self.dependencies(range(self.dependency_count), sources):
            facts.dependencies[dependency.identifier] = dependency
        facts.events.update(self.events_by_id(sources))
        for observation in self.observations_of(None, sources):
            facts.observations[observation.identifier] = observation
        for outage in self.outages_of(None, sources):
            facts.outages[outage.identifier] = outage
        return facts

    def facts_about(self, identifier: str) -> Facts:
        """The records about actor ``identifier``, as :class:`~kg.model.facts.Facts`: its entity and owners up their
        chain, its dependencies either way, the events acting on them, its observations and outages, the
        entities they name, and the sources cited. A column scan: one actor among a million costs a
        fraction of a second, where :meth:`to_facts` makes every record."""
        facts = Facts()
        sources = self.source_objects()
        ids = self.actor_id.tolist()
        index = bisect.bisect_left(ids, identifier)  # actor identifiers are sorted
        found = index < len(ids) and ids[index] == identifier
        rows = np.flatnonzero((self.dep_dependent == index) | (self.dep_provider == index)) if found else []
        for dependency in self.dependencies(rows, sources):
            facts.dependencies[dependency.identifier] = dependency
        entities = EntityTable(self)
        named = {identifier} | {a for d in facts.dependencies.values() for a in (d.dependent, d.provider)}
        chain = {owner.identifier for owner in owners_of(entities, identifier)}  # named by a dependency or not
        facts.entities.update((a, entities[a]) for a in sorted(named | chain) if a in entities)
        facts.events.update(self.events_by_id(sources, acting_on=set(facts.dependencies)))
        facts.observations.update((o.identifier, o) for o in self.observations_of(identifier, sources))
        facts.outages.update((o.identifier, o) for o in self.outages_of(identifier, sources))
        cited = {
            source
            for group in (facts.entities, facts.dependencies, facts.events, facts.observations, facts.outages)
            for record in group.values()
            for source in record.sources
        }
        facts.sources.update((source.identifier, source) for source in sorted(cited))
        return facts

    def outages_of(self, actor: str | None, sources: list[Source] | None = None) -> list[Outage]:
        """The outages of ``actor`` (of every actor for ``None``)."""
        by_id = {source.identifier: source for source in (self.source_objects() if sources is None else sources)}
        return [
            Outage(
                identifier=record["id"],
                iri=optional_iri(record.get("iri", "")) or data_iri("outage", record["id"]),
                actor=record["actor"],
                start=dt.date.fromisoformat(record["start"]),
                end=dt.date.fromisoformat(record["end"]) if record["end"] else None,
                partial=bool(record.get("partial")),
                description=record.get("description") or "",
                sources=tuple(sorted({by_id[i] for i in record["sources"] if i in by_id})),
                start_time=from_instant_number(instant_number(record.get("start_time"))),
                end_time=from_instant_number(instant_number(record.get("end_time"))),
                countries=country_codes(record.get("countries")),
                issuer=record.get("issuer") or None,
            )
            for record in self.outages
            if actor is None or record["actor"] == actor
        ]

    def observations_of(self, actor: str | None, sources: list[Source] | None = None) -> list[Observation]:
        """The availability observations of ``actor`` (of every actor for ``None``)."""
        by_id = {source.identifier: source for source in (self.source_objects() if sources is None else sources)}
        return [
            Observation(
                identifier=record["id"],
                actor=record["actor"],
                status=record["status"],
                start=dt.date.fromisoformat(record["start"]),
                end=dt.date.fromisoformat(record["end"]) if record["end"] else None,
                note=record["note"] or None,
                sources=tuple(sorted({by_id[i] for i in record["sources"] if i in by_id})),
                start_time=from_instant_number(instant_number(record.get("start_time"))),
                end_time=from_instant_number(instant_number(record.get("end_time"))),
                countries=country_codes(record.get("countries")),
                evidence=tuple(record.get("evidence", ())),
            )
            for record in self.observations
            if actor is None or record["actor"] == actor
        ]


class EntityTable(Mapping):
    """The entities of :class:`Tables` as a read-only mapping (identifier -> :class:`~kg.model.facts.Entity`)
    whose records are made only when asked for: looking up a few names in a million costs nothing."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._made: dict[str, Entity] = {}
        self._number: dict[str, int] | None = None
        self._sources: list[Source] | None = None

    @property
    def number(self) -> dict[str, int]:
        if self._number is None:
            ids = self.tables.actor_id.tolist()
            self._number = {ids[i]: i for i in np.flatnonzero(self.tables.actor_is_entity).tolist()}
        return self._number

    def __getitem__(self, identifier: str) -> Entity:
        entity = self._made.get(identifier)
        if entity is None:
            index = self.number[identifier]  # KeyError for an unknown identifier
            if self._sources is None:
                self._sources = self.tables.source_objects()
            entity = self._made[identifier] = self.tables.entity(index, self._sources)
        return entity

    def get(self, identifier: str, default=None):
        entity = self._made.get(identifier)
        if entity is not None:
            return entity
        return self[identifier] if identifier in self.number else default

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.number

    def __iter__(self):
        return iter(self.number)

    def __len__(self) -> int:
        return len(self.number)

    def labels(self) -> list[tuple[str, str]]:
        """(identifier, name) of every entity, without making the records."""
        names = self.tables.actor_name
        return [(identifier, names[index] or identifier) for identifier, index in self.number.items()]
