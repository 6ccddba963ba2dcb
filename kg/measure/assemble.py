"""A run's answers as the interchange format's tables: runs, evidence, entities and classified
dependencies, as ``kg import`` and ``kg load`` read them (``data/README.md``, *Measured facts*).

:func:`record_of` turns one measured domain (:class:`~kg.measure.findings.SiteMeasurement`) into its rows:
every question asked is evidence, numbered in the run, and cited by the dependencies it shows
(:func:`kg.measure.findings.findings` decides them, with their rules). :func:`assemble_dns` and
:func:`write_tables` do the same for a run held in memory; :mod:`kg.measure.run` measures a run into a
folder and writes its tables from its log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.measure.dns import DnsResult
from kg.measure.evidence import Evidence, instant_text, whole_second
from kg.measure.findings import SiteMeasurement, findings
from kg.measure.hosts import is_host_name
from kg.measure.runlog import COLUMNS, run_row, write_csv

__all__ = ["MeasuredRun", "RunInfo", "assemble_dns", "record_of", "write_rows", "write_tables"]


@dataclass(frozen=True)
class RunInfo:
    """Who measured, from where, with what."""

    identifier: str  # e.g. run-20261207-100000
    country: str  # ISO 3166-1 alpha-2 code of the vantage point
    tool: str = "kg measure"
    version: str = ""
    network: str = ""
    resolvers: tuple[str, ...] = ()
    contact: str = ""
    note: str = ""


@dataclass
class MeasuredRun:
    """One run in the interchange format's terms: rows for each table, ready to write."""

    info: RunInfo
    start: dt.datetime
    end: dt.datetime
    evidence: list[dict] = field(default_factory=list)
    entities: dict[str, dict] = field(default_factory=dict)
    dependencies: list[dict] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # domain -> ok, nxdomain or its failure


def assemble_dns(results: Iterable[DnsResult], info: RunInfo) -> MeasuredRun:
    """The tables of one run from its DNS results (sites and the name servers' domains measured in turn).

    Examples
    --------
    >>> t = dt.datetime(2026, 12, 7, 10, 0, 1, 250_000, tzinfo=dt.UTC)
    >>> from kg.measure.dns import NameServer
    >>> ns = Evidence("shop.test", "dns", "NS shop.test", "127.0.0.1:53", t, "ok",
    ...               ("shop.test. 300 IN NS ns1.hostco.test.",))
    >>> result = DnsResult("shop.test", "shop.test", "shop.test", "ok", zone="shop.test",
    ...                    nameservers=(NameServer("ns1.hostco.test", "hostco.test"),), evidence=(ns,))
    >>> run = assemble_dns([result], RunInfo("run-1", "DE"))
    >>> [(d["dependent"], d["provider"], d["service"], d["start"], d["evidence"]) for d in run.dependencies]
    [('shop.test', 'hostco.test', 'dns', '2026-12-07T10:00:01Z', 'run-1-e1')]
    >>> sorted(run.entities), run.start.isoformat(), run.end.isoformat()
    (['hostco.test', 'shop.test'], '2026-12-07T10:00:01+00:00', '2026-12-07T10:00:02+00:00')
    """
    results = list(results)
    every = [e for r in results for e in r.evidence]
    if not every:
        raise ValueError("a run with no evidence: nothing was asked")
    start, end = min(e.instant for e in every), max(e.instant for e in every)
    run = MeasuredRun(info, whole_second(start), whole_second(end, up=True))
    number = 0
    for result in results:
        record = record_of(SiteMeasurement(result), info.identifier, number)
        number += len(record["evidence"])
        run.evidence += record["evidence"]
        run.dependencies += record["dependencies"]
        run.outcomes[result.ascii] = result.outcome
        for row in record["entities"]:
            run.entities.setdefault(row["id"], row)
    return run


def record_of(measurement: SiteMeasurement, run: str, numbered: int, depth: int = 0, providers=None) -> dict:
    """One measured domain as the run's log keeps it: its evidence rows (numbered from ``numbered`` + 1,
    ``{run}-e{n}``), entities, dependencies (:func:`~kg.measure.findings.findings`) and outcome, and the
    name-server domains it leads to."""
    result = measurement.dns
    if not is_host_name(result.ascii):  # nothing the tables can name: no rows (the run reports it)
        return {
            "domain": result.domain, "ascii": result.ascii, "outcome": "error", "via": result.found_via,
            "detail": result.detail or "not a host name", "depth": depth, "followups": [], "evidence": [],
            "entities": [], "dependencies": [],
        }  # fmt: skip
    ids: dict[Evidence, str] = {}
    evidence_rows = []
    for evidence in measurement.evidence:
        numbered += 1
        ids.setdefault(evidence, f"{run}-e{numbered}")
        evidence_rows.append(_evidence_row(evidence, f"{run}-e{numbered}", run))
    site = result.ascii
    entities = [{"id": site, "name": result.unicode or site, "kind": "provider" if result.found_via else "website"}]
    dependencies = []
    for found in findings(measurement, providers):
        if not is_host_name(found.provider):
            continue  # an answer naming what is no host (a hostile server): evidence, not a fact
        if found.provider != site:
            entities.append({"id": found.provider, "name": found.name, "kind": "provider"})
        cited = [ids[e] for e in found.evidence if e in ids] or [evidence_rows[0]["id"]]
        dependencies.append(
            {
                "id": f"{site}-{found.provider}-{found.service}",
                "dependent": site,
                "provider": found.provider,
                "service": found.service,
                "start": instant_text(
                    min(e.instant for e in found.evidence) if found.evidence else result.evidence[0].instant
                ),
                "effect": found.effect,
                "run": run,
                "evidence": ";".join(dict.fromkeys(cited)),
                "rule": found.rule,
                "note": found.note,
            }
        )
    return {
        "domain": result.domain,
        "ascii": result.ascii,
        "outcome": result.outcome,
        "detail": result.detail,
        "via": result.found_via,
        "depth": depth,
        "followups": list(result.nameserver_domains),
        "evidence": evidence_rows,
        "entities": entities,
        "dependencies": dependencies,
    }


def _evidence_row(evidence: Evidence, identifier: str, run: str) -> dict:
    kind, _, name = evidence.question.partition(" ")
    return {
        "id": identifier,
        "run": run,
        "domain": evidence.domain,
        "kind": evidence.kind,
        "type": kind,
        "name": name,
        "server": evidence.server,
        "time": instant_text(evidence.instant),
        "outcome": evidence.outcome,
        "answer": "\n".join(evidence.answer),
        "detail": evidence.detail,
    }


def write_tables(run: MeasuredRun, folder: str | Path) -> list[Path]:
    """Write the run's tables into ``folder`` (made if missing), each file whole or not at all. Returns the
    paths written."""
    rows = {
        "runs.csv": [run_row(run.info, run.start, run.end)],
        "evidence.csv": run.evidence,
        "entities.csv": sorted(run.entities.values(), key=lambda row: row["id"]),
        "dependencies.csv": run.dependencies,
    }
    return write_rows(rows, folder)


def write_rows(rows: dict[str, list[dict]], folder: str | Path) -> list[Path]:
    """Write the measured tables (``runs.csv``, ``evidence.csv``, ``entities.csv``, ``dependencies.csv``:
    file name -> rows) into ``folder``, each file whole or not at all (:func:`kg.measure.runlog.write_csv`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        write_csv(folder / name, columns, rows[name])
    return [folder / name for name in COLUMNS]
