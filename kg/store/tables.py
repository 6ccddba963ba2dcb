"""Column tables: the records of a dataset as compact arrays, for analysis at scale and fast reopening.

A store keeps, beside its RDF, every actor, dependency, event, observation and source as columns:
integers for what the analysis computes on (who depends on whom, for which service, from when to
when, how it ended, its effect) and packed strings for what output shows (identifiers, names, notes).
A million dependencies take tens of megabytes and reopen in well under a second, with no RDF parsing.

Tables are built from *records* (plain dicts, one per row, as :mod:`kg.io.csvdata` emits them while it
converts, or as :mod:`kg.store.extract` reads them from RDF with SPARQL) and turned into
:class:`~kg.model.facts.Facts` on demand.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.model.facts import UNNAMED_KIND, Dependency, Entity, Event, Facts, Observation, Outage, Source
from kg.model.namespace import data_iri

__all__ = [
    "NO_END",
    "NO_START",
    "NO_TIME",
    "EntityTable",
    "StringColumn",
    "Tables",
    "TablesBuilder",
    "day_number",
    "from_day_number",
    "from_instant_number",
    "instant_number",
    "tables_from_facts",
    "upstream_services",
]

#: Day numbers (days since 1970-01-01) standing for "no start" and "no end".
NO_START, NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max
_EPOCH = dt.date(1970, 1, 1)
#: Codes of ``ended_by`` and ``effect`` (index 0: not given).
ENDINGS = ("", "provider", "dependent", "unknown")
EFFECTS = ("", "essential", "channel")
FORMAT_VERSION = 5
#: ``dep_start_time`` / ``dep_end_time`` where no time of day is known.
NO_TIME = np.iinfo(np.int64).min


def instant_number(value: str | dt.datetime | None) -> int:
    """Seconds since 1970-01-01T00:00Z of an ISO date-time with an offset (:data:`NO_TIME` when empty).

    >>> instant_number("1970-01-01T01:00:00+01:00"), instant_number("") == NO_TIME
    (0, True)
    """
    if not value:
        return int(NO_TIME)
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return int(moment.timestamp())


def from_instant_number(number: int) -> dt.datetime | None:
    """The UTC instant of :func:`instant_number`, or ``None`` for :data:`NO_TIME`."""
    if number == NO_TIME:
        return None
    return dt.datetime.fromtimestamp(int(number), dt.UTC)


def upstream_services(value: str) -> tuple[str, ...] | None:
    """Decode ``dep_upstream``: ``None`` for the service's default, ``()`` for none, else the services.

    >>> upstream_services(""), upstream_services("-"), upstream_services("banking;payments")
    (None, (), ('banking', 'payments'))
    """
    if not value:
        return None
    return () if value == "-" else tuple(value.split(";"))


def _upstream_text(value: tuple[str, ...] | None) -> str:
    if value is None:
        return ""
    return ";".join(value) if value else "-"


def _countries(value) -> tuple[str, ...]:
    return tuple(value.split(";")) if isinstance(value, str) and value else tuple(value or ())


def _listed(value: str) -> tuple[str, ...]:
    return tuple(value.split(";")) if value else ()


def day_number(value: str | dt.date | None, missing: int) -> int:
    """Days since 1970-01-01 of an ISO date (or ``missing`` when empty).

    >>> day_number("1970-01-02", NO_START), day_number("", NO_END) == NO_END
    (1, True)
    """
    if not value:
        return missing
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (day - _EPOCH).days


def from_day_number(number: int) -> dt.date | None:
    """The date of a day number, or ``None`` for :data:`NO_START` / :data:`NO_END`."""
    if number in (NO_START, NO_END):
        return None
    return _EPOCH + dt.timedelta(days=int(number))


class StringColumn:
    """Many strings packed into one: the text and each string's start offset (in characters)."""

    def __init__(self, text: str, offsets: np.ndarray) -> None:
        self.text = text
        self.offsets = offsets

    @classmethod
    def of(cls, values: Sequence[str]) -> StringColumn:
        """Pack ``values``.

        >>> column = StringColumn.of(["parler", "", "aws"])
        >>> column[2], len(column), column.tolist()
        ('aws', 3, ['parler', '', 'aws'])
        """
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls("".join(values), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.text[self.offsets[index] : self.offsets[index + 1]]

    def tolist(self) -> list[str]:
        text, offsets = self.text, self.offsets.tolist()
        return [text[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {
            f"{name}.text": np.frombuffer(self.text.encode("utf-8"), dtype=np.uint8),
            f"{name}.offsets": self.offsets,
        }

    @classmethod
    def from_arrays(cls, arrays, name: str) -> StringColumn:
        return cls(arrays[f"{name}.text"].tobytes().decode("utf-8"), arrays[f"{name}.offsets"])


def _csr(lists: Iterable[Sequence[int]], count: int) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(count + 1, dtype=np.int64)
    flat: list[int] = []
    for index, values in enumerate(lists):
        flat.extend(values)
        pointer[index + 1] = len(flat)
    return pointer, np.asarray(flat, dtype=np.int32)


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
            iri=_iri(self.actor_iri[index]) or data_iri("entity", identifier),
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
                    countries=_countries(self.dep_countries[index]),
                    upstream=upstream_services(self.dep_upstream[index]),
                    partial=bool(self.dep_partial[index]),
                    evidence=_listed(self.dep_evidence[index]),
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
                iri=_iri(record.get("iri", "")) or data_iri("event", record["id"]),
                kind=record["kind"],
                when=moment,
                dependency=record["dependency"],
                description=record["description"],
                sources=cited_ids(record["sources"]),
                countries=_countries(record.get("countries")),
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
        chain = {identifier}  # the owners up their chain, whether or not a dependency names them too
        owner = entities[identifier].owner if identifier in entities else None
        while owner and owner not in chain and owner in entities:
            chain.add(owner)
            owner = entities[owner].owner
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
                iri=_iri(record.get("iri", "")) or data_iri("outage", record["id"]),
                actor=record["actor"],
                start=dt.date.fromisoformat(record["start"]),
                end=dt.date.fromisoformat(record["end"]) if record["end"] else None,
                partial=bool(record.get("partial")),
                description=record.get("description") or "",
                sources=tuple(sorted({by_id[i] for i in record["sources"] if i in by_id})),
                start_time=from_instant_number(instant_number(record.get("start_time"))),
                end_time=from_instant_number(instant_number(record.get("end_time"))),
                countries=_countries(record.get("countries")),
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
                countries=_countries(record.get("countries")),
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


def _iri(text: str):
    from rdflib import URIRef

    return URIRef(text) if text else None


class TablesBuilder:
    """Collects records (``add(table, record)``) and packs them into :class:`Tables`.

    Dependencies are packed as they arrive (actors, services, dates and sources as small integers), so a
    million of them cost tens of megabytes, not a dict each.
    """

    def __init__(self, services: Sequence[str]) -> None:
        self.services = list(services)
        self.service_number = {service: index for index, service in enumerate(self.services)}
        self.entities: list[dict] = []
        self.records: dict[str, list[dict]] = {"sources": [], "events": [], "availability": [], "outages": []}
        self.actor_names: list[str] = []  # in order of first mention
        self.actor_number: dict[str, int] = {}
        self.source_lists: dict[tuple[str, ...], int] = {}
        self.dates: dict[str, int] = {}
        self.dep_id: list[str] = []
        self.dep_iri: dict[int, str] = {}
        self.dep_note: dict[int, str] = {}
        self.dep_times: dict[int, tuple[int, int]] = {}
        self.dep_countries: dict[int, str] = {}
        self.dep_upstream: dict[int, str] = {}
        self.dep_partial: set[int] = set()
        self.dep_evidence: dict[int, str] = {}
        self.columns = {
            "dependent": array("i"),
            "provider": array("i"),
            "service": array("h"),
            "start": array("i"),
            "end": array("i"),
            "ended_by": array("b"),
            "effect": array("b"),
            "sources": array("i"),
        }

    def _actor(self, identifier: str) -> int:
        number = self.actor_number.get(identifier)
        if number is None:
            number = self.actor_number[identifier] = len(self.actor_names)
            self.actor_names.append(identifier)
        return number

    def _day(self, value: str, missing: int) -> int:
        if not value:
            return missing
        number = self.dates.get(value)
        if number is None:
            number = self.dates[value] = day_number(value, missing)
        return number

    def add(self, table: str, record: dict) -> None:
        if table == "dependencies":
            index = len(self.dep_id)
            self.dep_id.append(record["id"])
            columns = self.columns
            columns["dependent"].append(self._actor(record["dependent"]))
            columns["provider"].append(self._actor(record["provider"]))
            columns["service"].append(self.service_number.get(record["service"], -1))
            columns["start"].append(self._day(record["start"], NO_START))
            columns["end"].append(self._day(record["end"], NO_END))
            ended_by, effect = record["ended_by"], record["effect"]
            columns["ended_by"].append(ENDINGS.index(ended_by) if ended_by in ENDINGS else 3)
            columns["effect"].append(EFFECTS.index(effect) if effect in EFFECTS else 2)
            cited = tuple(record["sources"])
            columns["sources"].append(self.source_lists.setdefault(cited, len(self.source_lists)))
            if record.get("iri"):
                self.dep_iri[index] = record["iri"]
            if record["note"]:
                self.dep_note[index] = record["note"]
            if record.get("start_time") or record.get("end_time"):
                self.dep_times[index] = (
                    instant_number(record.get("start_time")),
                    instant_number(record.get("end_time")),
                )
            if record.get("countries"):
                self.dep_countries[index] = ";".join(_countries(record["countries"]))
            if record.get("upstream"):
                self.dep_upstream[index] = record["upstream"]
            if record.get("partial"):
                self.dep_partial.add(index)
            if record.get("evidence"):
                self.dep_evidence[index] = ";".join(sorted(record["evidence"]))
        elif table == "entities":
            self.entities.append(record)
            self._actor(record["id"])
            if record.get("owner"):
                self._actor(record["owner"])
        else:
            if table == "outages" and record.get("actor"):
                self._actor(record["actor"])  # an actor in an outage is an actor, described or not
            self.records[table].append(record)

    def finish(self) -> Tables:
        """Number actors and dependencies in identifier order and pack every column."""
        entity_by_id = {record["id"]: record for record in self.entities}
        actor_ids = sorted(self.actor_names)
        count = len(actor_ids)
        renumber = np.empty(max(len(self.actor_names), 1), dtype=np.int32)
        position = {identifier: index for index, identifier in enumerate(actor_ids)}
        for old, identifier in enumerate(self.actor_names):
            renumber[old] = position[identifier]
        sources = sorted(self.records["sources"], key=lambda s: s["id"])
        source_number = {source["id"]: index for index, source in enumerate(sources)}

        def field(key: str) -> list[str]:
            return [entity_by_id.get(i, {}).get(key) or "" for i in actor_ids]

        order = np.asarray(sorted(range(len(self.dep_id)), key=self.dep_id.__getitem__), dtype=np.int64)
        columns = {
            key: np.frombuffer(values, dtype=values.typecode) if len(values) else np.zeros(0, dtype=values.typecode)
            for key, values in self.columns.items()
        }
        cited_lists = [[source_number[s] for s in cited if s in source_number] for cited in self.source_lists]
        list_pointer, list_items = _csr(cited_lists, len(cited_lists))
        dep_lists = columns["sources"][order] if len(order) else np.zeros(0, dtype=np.int64)
        dep_sources = gather_lists(list_pointer, list_items, dep_lists)
        order_list = order.tolist()
        return Tables(
            services=self.services,
            actor_id=StringColumn.of(actor_ids),
            actor_is_entity=np.fromiter((i in entity_by_id for i in actor_ids), dtype=bool, count=count),
            actor_iri=StringColumn.of(field("iri")),
            actor_name=StringColumn.of(field("name")),
            actor_kinds=StringColumn.of([";".join(entity_by_id.get(i, {}).get("kinds", ())) for i in actor_ids]),
            actor_owner=np.asarray([position.get(o, -1) if o else -1 for o in field("owner")], dtype=np.int32),
            actor_country=StringColumn.of(field("country")),
            actor_homepage=StringColumn.of(field("homepage")),
            actor_sources=_csr(
                (
                    [source_number[s] for s in entity_by_id.get(i, {}).get("sources", ()) if s in source_number]
                    for i in actor_ids
                ),
                count,
            ),
            dep_id=StringColumn.of([self.dep_id[i] for i in order_list]),
            dep_iri=StringColumn.of([self.dep_iri.get(i, "") for i in order_list]),
            dep_dependent=renumber[columns["dependent"][order]] if len(order) else np.zeros(0, dtype=np.int32),
            dep_provider=renumber[columns["provider"][order]] if len(order) else np.zeros(0, dtype=np.int32),
            dep_service=columns["service"][order].astype(np.int16),
            dep_start=columns["start"][order].astype(np.int32),
            dep_end=columns["end"][order].astype(np.int32),
            dep_ended_by=columns["ended_by"][order].astype(np.int8),
            dep_effect=columns["effect"][order].astype(np.int8),
            dep_note=StringColumn.of([self.dep_note.get(i, "") for i in order_list]),
            dep_start_time=np.asarray(
                [self.dep_times.get(i, (NO_TIME, NO_TIME))[0] for i in order_list], dtype=np.int64
            ),
            dep_end_time=np.asarray([self.dep_times.get(i, (NO_TIME, NO_TIME))[1] for i in order_list], dtype=np.int64),
            dep_countries=StringColumn.of([self.dep_countries.get(i, "") for i in order_list]),
            dep_upstream=StringColumn.of([self.dep_upstream.get(i, "") for i in order_list]),
            dep_partial=np.fromiter((i in self.dep_partial for i in order_list), dtype=bool, count=len(order_list)),
            dep_evidence=StringColumn.of([self.dep_evidence.get(i, "") for i in order_list]),
            dep_sources=dep_sources,
            sources=sources,
            events=sorted(self.records["events"], key=lambda e: e["id"]),
            observations=sorted(self.records["availability"], key=lambda o: o["id"]),
            outages=sorted(self.records["outages"], key=lambda o: o["id"]),
        )


def gather_lists(pointer: np.ndarray, items: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR whose row ``i`` is row ``rows[i]`` of (``pointer``, ``items``).

    >>> gather_lists(np.array([0, 1, 3]), np.array([7, 8, 9], dtype=np.int32), np.array([1, 1, 0]))
    (array([0, 2, 4, 5]), array([8, 9, 8, 9, 7], dtype=int32))
    """
    lengths = (pointer[rows + 1] - pointer[rows]) if len(rows) else np.zeros(0, dtype=np.int64)
    out_pointer = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out_pointer[1:])
    total = int(out_pointer[-1])
    if total == 0:
        return out_pointer, np.zeros(0, dtype=np.int32)
    positions = np.repeat(pointer[rows] - out_pointer[:-1], lengths) + np.arange(total)
    return out_pointer, items[positions].astype(np.int32)


def tables_from_facts(facts: Facts) -> Tables:
    """Column tables of records already read as :class:`~kg.model.facts.Facts` (the inverse of ``to_facts``).

    >>> from kg.store.dataset import open_dataset
    >>> facts = open_dataset().facts
    >>> tables_from_facts(facts).to_facts() == facts
    True
    """
    from kg.model.vocabulary import vocabulary

    def ids(sources) -> list[str]:
        return [source.identifier for source in sources]

    def iso(value) -> str:
        return value.isoformat() if value is not None else ""

    builder = TablesBuilder(sorted(vocabulary().services))
    for source in facts.sources.values():
        record = {"id": source.identifier, "date": source.date, "publisher": source.publisher}
        builder.add("sources", {**record, "title": source.title, "url": source.url})
    for entity in facts.entities.values():
        builder.add(
            "entities",
            {
                "id": entity.identifier,
                "iri": str(entity.iri),
                "name": entity.name,
                "kinds": list(entity.kinds),
                "owner": entity.owner or "",
                "country": entity.country or "",
                "homepage": entity.homepage or "",
                "sources": ids(entity.sources),
            },
        )
    for dep in facts.dependencies.values():
        builder.add(
            "dependencies",
            {
                "id": dep.identifier,
                "iri": str(dep.iri),
                "dependent": dep.dependent,
                "provider": dep.provider,
                "service": dep.service,
                "start": iso(dep.start),
                "end": iso(dep.end),
                "ended_by": dep.ended_by or "",
                "effect": dep.effect or "",
                "note": dep.note or "",
                "sources": ids(dep.sources),
                "start_time": iso(dep.start_time),
                "end_time": iso(dep.end_time),
                "countries": list(dep.countries),
                "upstream": _upstream_text(dep.upstream),
                "partial": dep.partial,
                "evidence": list(dep.evidence),
            },
        )
    for event in facts.events.values():
        builder.add(
            "events",
            {
                "id": event.identifier,
                "iri": str(event.iri),
                "kind": event.kind,
                "when": event.when.isoformat(),
                "dependency": event.dependency,
                "description": event.description,
                "sources": ids(event.sources),
                "countries": list(event.countries),
                "issuer": event.issuer or "",
            },
        )
    for observation in facts.observations.values():
        builder.add(
            "availability",
            {
                "id": observation.identifier,
                "actor": observation.actor,
                "status": observation.status,
                "start": iso(observation.start),
                "end": iso(observation.end),
                "note": observation.note or "",
                "sources": ids(observation.sources),
                "start_time": iso(observation.start_time),
                "end_time": iso(observation.end_time),
                "countries": list(observation.countries),
                "evidence": list(observation.evidence),
            },
        )
    for outage in facts.outages.values():
        builder.add("outages", outage_record(outage))
    return builder.finish()


def outage_record(outage: Outage) -> dict:
    """The record :class:`TablesBuilder` keeps for an outage (``outages`` table)."""

    def iso(value) -> str:
        return value.isoformat() if value is not None else ""

    return {
        "id": outage.identifier,
        "iri": str(outage.iri),
        "actor": outage.actor,
        "start": iso(outage.start),
        "end": iso(outage.end),
        "partial": outage.partial,
        "description": outage.description,
        "sources": [source.identifier for source in outage.sources],
        "start_time": iso(outage.start_time),
        "end_time": iso(outage.end_time),
        "countries": list(outage.countries),
        "issuer": outage.issuer or "",
    }
