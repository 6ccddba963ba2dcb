"""Building column tables (:class:`~kg.store.tables.Tables`) from records, as a dataset is converted or
extracted, and from :class:`~kg.model.facts.Facts`."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from kg.model.facts import (
    Facts,
    Outage,
)
from kg.store.encodings import (
    EFFECTS,
    ENDINGS,
    NO_END,
    NO_START,
    NO_TIME,
    StringColumn,
    country_codes,
    csr,
    day_number,
    gather_lists,
    instant_number,
    upstream_text,
)
from kg.store.tables import Tables

__all__ = ["TablesBuilder", "outage_record", "tables_from_facts"]


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

    def _day_number(self, value: str, missing: int) -> int:
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
            columns["start"].append(self._day_number(record["start"], NO_START))
            columns["end"].append(self._day_number(record["end"], NO_END))
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
                self.dep_countries[index] = ";".join(country_codes(record["countries"]))
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
        list_pointer, list_items = csr(cited_lists, len(cited_lists))
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
            actor_sources=csr(
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
                "upstream": upstream_text(dep.upstream),
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
