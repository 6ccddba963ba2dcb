"""A run's answers turned into the interchange format: runs, evidence, entities and classified
dependencies, as ``kg import`` and ``kg load`` read them (``data/README.md``, *Measured facts*).

This is the DNS part: each measured domain's name servers are classified (:func:`kg.measure.classify.
classify_host`, the rule recorded on the dependency) into a ``dns`` dependency on each provider, or
self-provision when they are the domain's own; the name servers' own domains, measured in turn, give
provider-to-provider edges. Every question asked is evidence, cited by the dependencies it shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.measure.classify import classify_host
from kg.measure.dns import DnsResult
from kg.measure.evidence import Evidence, instant_text

__all__ = ["MeasuredRun", "RunInfo", "assemble_dns", "measure", "write_rows", "write_tables"]


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


def _second(moment: dt.datetime, up: bool = False) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    whole = moment.replace(microsecond=0)
    return whole + dt.timedelta(seconds=1) if up and whole < moment else whole


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
    run = MeasuredRun(info, _second(min(e.instant for e in every)), _second(max(e.instant for e in every), up=True))
    number = 0
    for result in results:
        ids: dict[int, str] = {}
        for evidence in result.evidence:
            number += 1
            ids[id(evidence)] = f"{info.identifier}-e{number}"
            run.evidence.append(_evidence_row(evidence, ids[id(evidence)], info.identifier))
        run.outcomes[result.ascii] = result.outcome
        kind = "provider" if result.found_via else "website"
        run.entities.setdefault(result.ascii, {"id": result.ascii, "name": result.unicode, "kind": kind})
        if result.outcome != "ok" or not result.nameservers:
            continue
        shown = [e for e in result.evidence if e.question == f"NS {result.zone}" and e.outcome == "ok"]
        cited = ";".join(ids[id(e)] for e in shown) or ";".join(ids[id(e)] for e in result.evidence[:1])
        start = instant_text(min(e.instant for e in (shown or result.evidence)))
        soa = (result.soa.mname, result.soa.rname) if result.soa else None
        by_provider: dict[str, list] = {}
        for server in result.nameservers:
            found = classify_host(server.name, result.ascii, service="dns", site_soa=soa)
            provider = result.ascii if found.party == "own" else found.provider
            by_provider.setdefault(provider, []).append(found)
        for provider, found in sorted(by_provider.items()):
            if provider != result.ascii:
                name = found[0].name or provider
                run.entities.setdefault(provider, {"id": provider, "name": name, "kind": "provider"})
                if run.entities[provider]["kind"] == "website" and result.found_via:
                    run.entities[provider]["kind"] = "provider"
            rules = sorted({f.explanation for f in found})
            run.dependencies.append(
                {
                    "id": f"{result.ascii}-{provider}-dns",
                    "dependent": result.ascii,
                    "provider": provider,
                    "service": "dns",
                    "start": start,
                    "run": info.identifier,
                    "evidence": cited,
                    "rule": "; ".join(rules),
                    "note": "name servers " + ", ".join(sorted(f.observed for f in found)),
                }
            )
    return run


def measure(
    domains: Iterable[str],
    *,
    resolver: str,
    country: str,
    network: str = "",
    contact: str = "",
    timeout: float = 2.0,
    retries: int = 2,
    concurrency: int = 64,
    rate: float | None = None,
    nameserver_port: int = 53,
    nameserver_depth: int = 1,
    progress=None,
) -> MeasuredRun:
    """Measure ``domains`` (their DNS so far) through ``resolver`` and assemble the run's tables.

    The run is named after its start in UTC (``run-20261207-100000``); ``country`` (ISO 3166-1 alpha-2) and
    ``network`` say where it was measured from. The name servers' own domains are measured in turn to
    ``nameserver_depth``. ``progress(step, done, total)`` is called as domains are done. Raises
    :class:`~kg.errors.InputError` for a bad resolver, country or limit; never for a domain (a domain that
    cannot be measured is evidence of its failure).
    """
    import kg
    from kg.countries import country_code
    from kg.measure.dns import measure_dns_sync

    vantage_country = country_code(country, "vantage country")
    started = dt.datetime.now(dt.UTC)
    results = measure_dns_sync(
        domains,
        resolver=resolver,
        timeout=timeout,
        retries=retries,
        concurrency=concurrency,
        rate=rate,
        nameserver_port=nameserver_port,
        nameserver_depth=nameserver_depth,
        vantage={"country": vantage_country, **({"network": network} if network else {})},
        progress=(lambda done, total: progress("measuring", done, total)) if progress else None,
    )
    info = RunInfo(
        f"run-{started:%Y%m%d-%H%M%S}",
        vantage_country,
        version=kg.__version__,
        network=network,
        resolvers=tuple(part.strip() for part in resolver.split(",") if part.strip()),
        contact=contact,
    )
    return assemble_dns(results, info)


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


_COLUMNS = {
    "runs.csv": ["id", "tool", "version", "start", "end", "country", "network", "resolvers", "contact", "note"],
    "evidence.csv": ["id", "run", "domain", "kind", "type", "name", "server", "time", "outcome", "answer", "detail"],
    "entities.csv": ["id", "name", "kind"],
    "dependencies.csv": [
        "id", "dependent", "provider", "service", "start", "end", "ended_by", "run", "evidence", "rule", "note"
    ],
}


def write_tables(run: MeasuredRun, folder: str | Path) -> list[Path]:
    """Write the run's tables into ``folder`` (made if missing) with :func:`kg.outputs.write_output`: each
    file whole or not at all. Returns the paths written."""
    info = run.info
    rows = {
        "runs.csv": [
            {
                "id": info.identifier,
                "tool": info.tool,
                "version": info.version,
                "start": instant_text(run.start),
                "end": instant_text(run.end),
                "country": info.country,
                "network": info.network,
                "resolvers": ";".join(info.resolvers),
                "contact": info.contact,
                "note": info.note,
            }
        ],
        "evidence.csv": run.evidence,
        "entities.csv": sorted(run.entities.values(), key=lambda row: row["id"]),
        "dependencies.csv": run.dependencies,
    }
    return write_rows(rows, folder)


def write_rows(rows: dict[str, list[dict]], folder: str | Path) -> list[Path]:
    """Write the measured tables (``runs.csv``, ``evidence.csv``, ``entities.csv``, ``dependencies.csv``:
    file name -> rows) into ``folder``, each file whole or not at all (:func:`kg.outputs.write_output`)."""
    from kg.outputs import write_output

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in _COLUMNS.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows[name])
        written.append(write_output(folder / name, text.getvalue().encode("utf-8")))
    return written
