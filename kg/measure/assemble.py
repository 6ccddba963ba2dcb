"""A run of ``kg measure``: domains measured (DNS, the origins of their addresses, certificate and landing
page, registration), their findings turned into the interchange format's tables (runs, evidence, entities,
classified dependencies), as ``kg import`` and ``kg load`` read them (``data/README.md``, *Measured facts*).

:func:`measure` runs the measurement into a folder: DNS first (:mod:`kg.measure.dns`), then for each
site, as its DNS is done, the routing-table lookups of its addresses (:mod:`kg.measure.asn`), its
certificate and landing page (:mod:`kg.measure.web`, connecting to the addresses DNS gave) and its
registration (:mod:`kg.measure.rdap`); each finished domain is appended to the run's log
(:mod:`kg.measure.runlog`), from which an interrupted run resumes and the tables are written at the end.
What each measurement shows is decided by :func:`kg.measure.findings.findings`; every question asked is
evidence, cited by the dependencies it shows.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.measure.dns import DnsResult
from kg.measure.evidence import Evidence, instant_text
from kg.measure.findings import SiteMeasurement, findings
from kg.measure.runlog import COLUMNS

__all__ = [
    "MeasuredRun",
    "RunInfo",
    "RunSummary",
    "Shard",
    "assemble_dns",
    "measure",
    "new_run_identifier",
    "parse_shard",
    "record_of",
    "write_rows",
    "write_tables",
]


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
    ids: dict[Evidence, str] = {}
    evidence_rows = []
    for evidence in measurement.evidence:
        numbered += 1
        ids.setdefault(evidence, f"{run}-e{numbered}")
        evidence_rows.append(_evidence_row(evidence, f"{run}-e{numbered}", run))
    site = result.ascii or result.domain
    entities = [{"id": site, "name": result.unicode or site, "kind": "provider" if result.found_via else "website"}]
    dependencies = []
    for found in findings(measurement, providers) if result.ascii else []:
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


@dataclass(frozen=True)
class Shard:
    """Which part of a domain list this run measures: the ``number``-th of ``count`` (1-based), by a hash
    of each domain's ASCII form, the same on every machine."""

    number: int = 1
    count: int = 1

    def holds(self, domain: str) -> bool:
        """Whether ``domain`` is in this shard.

        >>> [Shard(1, 2).holds(d) for d in ("a.test", "b.test", "c.test")]
        [True, False, False]
        """
        if self.count == 1:
            return True
        digest = hashlib.sha256(domain.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.number - 1

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``I/N`` as a :class:`Shard`; :class:`~kg.errors.InputError` for anything else.

    >>> parse_shard("2/4")
    Shard(number=2, count=4)
    """
    number, _, count = text.partition("/")
    try:
        shard = Shard(int(number), int(count))
    except ValueError:
        shard = Shard(0, 0)
    if not 1 <= shard.number <= shard.count:
        raise InputError(f"not a shard I/N with 1 <= I <= N: {text[:40]!r}")
    return shard


@dataclass
class RunSummary:
    """What a run did: its info and folder, the domains measured by outcome, the rows written, and each
    domain that could not be measured with the reason, in one line."""

    info: RunInfo
    folder: Path
    resumed: int = 0  # domains the interrupted run had done already
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> domains given
    followed: int = 0  # name servers' domains measured in turn
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    failures: list[tuple[str, str]] = field(default_factory=list)  # (domain, why), this session's


def _ascii(domain: str) -> str:
    from kg.measure.hosts import idna_forms

    try:
        return idna_forms(domain)[0]
    except ValueError:
        return domain


def new_run_identifier(shard: Shard = Shard(), started: dt.datetime | None = None) -> str:
    """``run-YYYYMMDD-HHMMSS-XXXX``: the start in UTC and 16 random bits, so runs started in the same second
    (shards on several machines) differ; a shard says which (``-s2of4``).

    >>> import re
    >>> bool(re.fullmatch(r"run-\\d{8}-\\d{6}-[0-9a-f]{4}-s2of4", new_run_identifier(Shard(2, 4))))
    True
    """
    started = started or dt.datetime.now(dt.UTC)
    part = f"-s{shard.number}of{shard.count}" if shard.count > 1 else ""
    return f"run-{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}{part}"


def measure(
    domains: Iterable[str],
    folder: str | Path,
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
    asn_db: Sequence[str | Path] = (),
    as_org: str | Path | None = None,
    web: bool = True,
    https_port: int = 443,
    ca_file: str | Path | None = None,
    web_timeout: float = 10.0,
    web_concurrency: int = 20,
    web_rate: float | None = 1.0,
    scripts: bool = False,
    rdap_bootstrap: str | Path | None = None,
    rdap_rate: float | None = 1.0,
    providers: str | Path | None = None,
    resume: bool = False,
    shard: Shard = Shard(),
    identifier: str | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> RunSummary:
    """Measure ``domains`` into ``folder`` and write the run's tables there (see the module docstring).

    What is measured: always DNS through ``resolver`` (and the name servers' own domains in turn, to
    ``nameserver_depth``); hosting when a routing table is given (``asn_db``: pyasn IPASN or CSV range
    files; ``as_org``: CAIDA's as2org); the certificate authority, OCSP stapling and CDN headers unless
    ``web`` is false (connections go to the addresses DNS gave, at ``https_port``, trusting ``ca_file`` or
    the system's store); third-party script hosts with ``scripts``; the registrar when an IANA RDAP
    bootstrap file is given. ``providers`` replaces the provider table (``kg/measure/providers.csv``).

    ``resume`` carries on the run interrupted in ``folder`` (the same vantage point): the domains its log
    holds are not measured again. Without it, a folder holding an interrupted run is refused. ``shard``
    measures the part of ``domains`` it holds; ``identifier`` names a new run (:func:`new_run_identifier`
    when not given). ``progress(step, done, total)`` is called as domains are done.

    Raises :class:`~kg.errors.InputError` for a bad resolver, country, limit or file (naming it); never for
    a domain (a domain that cannot be measured is evidence of its failure, listed in the summary).
    """
    import kg
    from kg.countries import country_code
    from kg.measure import runlog

    folder = Path(folder)
    vantage_country = country_code(country, "vantage country")
    resolvers = tuple(part.strip() for part in resolver.split(",") if part.strip())
    from kg.measure.dns import parse_server

    if not resolvers:
        raise InputError("no resolver given: HOST[:PORT], one or more")
    for text in resolvers:
        parse_server(text)
    tools = _Tools.load(asn_db, as_org, rdap_bootstrap, providers)
    settings = {"country": vantage_country, "network": network, "shard": str(shard)}
    state = runlog.interrupted(folder)
    if state is not None and not resume:
        raise InputError(
            f"holds the interrupted run {state['info']['identifier']}: give --resume to carry it on, or remove "
            f"{runlog.STATE} and {runlog.LOG}",
            SourceLocation(str(folder)),
        )
    if state is not None:
        if state.get("settings") != settings:
            raise InputError(
                f"the interrupted run {state['info']['identifier']} measured with {state.get('settings')}, not "
                f"{settings}: resume it as it was started",
                SourceLocation(str(folder / runlog.STATE)),
            )
        info = RunInfo(**{**state["info"], "resolvers": tuple(state["info"]["resolvers"])})
        started = dt.datetime.fromisoformat(state["start"])
    else:
        started = _second(dt.datetime.now(dt.UTC))
        info = RunInfo(
            identifier or new_run_identifier(shard, started),
            vantage_country,
            version=kg.__version__,
            network=network,
            resolvers=resolvers,
            contact=contact,
            note=tools.note(shard),
        )
        runlog.begin(folder, runlog.state_of(info, started, settings))
    seen: dict[str, None] = {}
    for domain in domains:
        name = _ascii(domain.strip())
        if name and name not in seen and shard.holds(name):
            seen[name] = None
    names = list(seen)
    log = runlog.RunLog(folder)
    try:
        done = log.progress(nameserver_depth, set(seen))
        todo = [d for d in names if _ascii(d) not in done.done]
        summary = RunSummary(info, folder, resumed=len(done.done))
        options = {
            "resolver": list(resolvers), "timeout": timeout, "retries": retries, "concurrency": concurrency,
            "rate": rate, "nameserver_port": nameserver_port, "nameserver_depth": nameserver_depth,
            "vantage": {"country": vantage_country, **({"network": network} if network else {})},
        }  # fmt: skip
        web_options = {
            "web": web, "https_port": https_port, "ca_file": str(ca_file) if ca_file else None,
            "web_timeout": web_timeout, "web_concurrency": web_concurrency, "web_rate": web_rate, "scripts": scripts,
            "rdap_rate": rdap_rate, "contact": contact,
        }  # fmt: skip
        asyncio.run(_measure(todo, done, info, tools, options, web_options, log, summary, progress))
    finally:
        log.close()
    ended = _second(dt.datetime.now(dt.UTC), up=True)
    summary.rows = runlog.write_tables_from_log(folder, runlog.run_row(_as_dict(info), started, ended))
    return summary


def _as_dict(info: RunInfo) -> dict:
    from dataclasses import asdict

    return asdict(info)


@dataclass
class _Tools:
    """The files a run reads: routing table, AS organisations, RDAP bootstrap, provider table."""

    table: object = None
    organisations: object = None
    bootstrap: object = None
    providers: object = None

    @classmethod
    def load(cls, asn_db, as_org, rdap_bootstrap, providers) -> _Tools:
        from kg.measure.asn import load_as_organisations, load_routing_table
        from kg.measure.classify import load_providers
        from kg.measure.rdap import load_bootstrap

        if as_org and not asn_db:
            raise InputError("--as-org names the organisations of ASes: give the routing table too (--asn-db)")
        return cls(
            load_routing_table(list(asn_db)) if asn_db else None,
            load_as_organisations(as_org) if as_org else None,
            load_bootstrap(rdap_bootstrap) if rdap_bootstrap else None,
            load_providers(providers),
        )

    def note(self, shard: Shard) -> str:
        """The run's note: the files it read (path, size, modification time, SHA-256), its shard."""
        parts = []
        if self.table is not None:
            parts.append("routing table " + "; ".join(map(str, self.table.sources)))
        if self.organisations is not None:
            parts.append(f"AS organisations {self.organisations.source}")
        if self.bootstrap is not None:
            published = f", published {self.bootstrap.publication}" if self.bootstrap.publication else ""
            parts.append(f"RDAP bootstrap {self.bootstrap.path}{published}")
        if shard.count > 1:
            parts.append(f"shard {shard} of the domains")
        return "; ".join(parts)


async def _measure(todo, done, info, tools, options, web_options, log, summary, progress) -> None:
    """DNS for every domain; for each site, once its DNS is done, its routes, web and registration; each
    domain appended to ``log`` as it finishes."""
    from kg.measure.dns import _stream

    numbered = done.evidence
    total = len(todo)
    finished = 0
    rest = _Rest(tools, web_options, info.country, options["vantage"])

    def write(measurement: SiteMeasurement, depth: int) -> None:
        nonlocal numbered, finished
        record = record_of(measurement, info.identifier, numbered, depth, tools.providers)
        numbered += len(record["evidence"])
        log.write(record)
        if measurement.dns.found_via:
            summary.followed += 1
        else:
            summary.outcomes[record["outcome"]] = summary.outcomes.get(record["outcome"], 0) + 1
        if measurement.dns.failed or record["outcome"] == "error":
            summary.failures.append((measurement.dns.domain, measurement.dns.detail or record["outcome"]))
        if not measurement.dns.found_via:
            finished += 1
            if progress is not None:
                progress("measuring", finished, total)

    pending: set[asyncio.Task] = set()
    limit = max(1, web_options["web_concurrency"] * 2)
    async with rest:
        stream = _stream(
            todo,
            check_nameservers=True,
            max_cname_hops=8,
            progress=None,
            followups=done.followups,
            measured=done.done,
            **options,
        )
        async for _index, depth, result in stream:
            for task in [t for t in pending if t.done()]:
                pending.discard(task)
                write(*task.result())
            if result.found_via or not result.ascii or result.outcome in ("nxdomain",):
                write(SiteMeasurement(result), depth)
                continue
            pending.add(asyncio.ensure_future(rest.measure(result, depth)))
            while len(pending) >= limit:
                finished_now, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished_now:
                    write(*task.result())
        while pending:
            finished_now, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in finished_now:
                write(*task.result())


class _Rest:
    """Everything measured of a site after its DNS: routes, certificate and landing page, registration."""

    def __init__(self, tools: _Tools, web_options: dict, country: str, vantage: dict) -> None:
        from kg.measure.asking import HostPacer

        self.tools = tools
        self.options = web_options
        self.vantage = vantage
        self.web_limit = asyncio.Semaphore(web_options["web_concurrency"])
        self.web_pacer = HostPacer(web_options["web_rate"])
        self.rdap_pacer = HostPacer(web_options["rdap_rate"])
        self.web_settings = None
        self.rdap_settings = None
        self._clients: list = []

    async def __aenter__(self) -> _Rest:
        from kg.measure import rdap, web

        o = self.options
        if o["web"]:
            self.web_settings = web.WebSettings(
                o["contact"], ca_file=o["ca_file"], port=o["https_port"], timeout=o["web_timeout"],
                concurrency=o["web_concurrency"], rate=o["web_rate"], vantage=self.vantage, scripts=o["scripts"],
            )  # fmt: skip
            self.web_client = web._client(self.web_settings)
            self._clients.append(self.web_client)
        if self.tools.bootstrap is not None:
            self.rdap_settings = rdap.RdapSettings(
                o["contact"], ca_file=o["ca_file"], timeout=o["web_timeout"], rate=o["rdap_rate"], vantage=self.vantage
            )
            self.rdap_client = rdap._client(self.rdap_settings)
            self._clients.append(self.rdap_client)
        return self

    async def __aexit__(self, *_exc) -> None:
        for client in self._clients:
            await client.aclose()

    def origins(self, result: DnsResult) -> tuple[tuple, tuple]:
        from kg.measure.asn import origin
        from kg.measure.findings import _hosted_name

        host = _hosted_name(result)
        if self.tools.table is None or host is None:
            return (), ()
        table, organisations = self.tools.table, self.tools.organisations
        files = ", ".join(Path(s.path).name for s in table.sources)
        if organisations is not None:
            files += f"; {Path(organisations.source.path).name}"
        found, evidence = [], []
        for address in host.ipv4 + host.ipv6:
            where = origin(address, table, organisations)
            found.append((address, where))
            now = dt.datetime.now(dt.UTC)
            if where is None:
                evidence.append(Evidence(result.ascii, "asn", f"ASN {address}", files, now, "nodata",
                                         detail="no route covers the address", vantage=self.vantage))  # fmt: skip
                continue
            answer = (
                f"route {where.prefix}", f"origin AS{where.asn}",
                *((f"as_name {where.as_name}",) if where.as_name else ()),
                *((f"organisation {where.organisation}",) if where.organisation else ()),
                *((f"org_id {where.org_id}",) if where.org_id else ()),
                *((f"country {where.country}",) if where.country else ()),
            )  # fmt: skip
            evidence.append(Evidence(result.ascii, "asn", f"ASN {address}", files, now, "ok", answer,
                                     vantage=self.vantage))  # fmt: skip
        return tuple(found), tuple(evidence)

    async def site(self, result: DnsResult):
        from kg.measure.findings import _hosted_name
        from kg.measure.web import measure_site

        if self.web_settings is None:
            return None
        host = _hosted_name(result)
        if host is None:
            return None
        port = self.web_settings.port
        routes = {result.ascii: (host.ipv4 + host.ipv6)[0]}
        if result.www is not None and (result.www.ipv4 or result.www.ipv6):
            routes[f"www.{result.ascii}"] = (result.www.ipv4 + result.www.ipv6)[0]
        settings = replace(self.web_settings, connect_to={h: (a, port) for h, a in routes.items()})
        async with self.web_limit:
            return await measure_site(result.ascii, settings, client=self.web_client, pacer=self.web_pacer)

    async def registration(self, result: DnsResult):
        from kg.measure.hosts import registered_domain
        from kg.measure.rdap import lookup_registration

        if self.rdap_settings is None:
            return None
        asked = registered_domain(result.ascii) or result.ascii
        found = await lookup_registration(
            asked, self.tools.bootstrap, self.rdap_settings, client=self.rdap_client, pacer=self.rdap_pacer
        )
        return replace(found, evidence=tuple(replace(e, domain=result.ascii) for e in found.evidence))

    async def measure(self, result: DnsResult, depth: int) -> tuple[SiteMeasurement, int]:
        origins, evidence = self.origins(result)
        site, registration = await asyncio.gather(self.site(result), self.registration(result))
        return SiteMeasurement(result, origins, evidence, site, registration), depth


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
    for name, columns in COLUMNS.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows[name])
        written.append(write_output(folder / name, text.getvalue().encode("utf-8")))
    return written
