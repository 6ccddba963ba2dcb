"""A run of ``kg measure`` into a folder: domains measured (DNS, the origins of their addresses,
certificate and landing page, registration), each appended to the run's log as it finishes
(:mod:`kg.measure.runlog`), and the run's tables written from the log at the end.

DNS first (:mod:`kg.measure.dns`); then for each site, as its DNS is done, the routing-table lookups of
its addresses (:mod:`kg.measure.asn`), its certificate and landing page (:mod:`kg.measure.web`, connecting
to the addresses DNS gave) and its registration (:mod:`kg.measure.rdap`), at most ``web_concurrency``
sites at once (the DNS of further domains waits meanwhile, so memory holds a bounded number of them). What
each domain's measurements show is decided by :func:`kg.measure.findings.findings` and written by
:func:`kg.measure.assemble.record_of`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import InputError, SourceLocation
from kg.measure.assemble import RunInfo, record_of
from kg.measure.dns import DnsResult
from kg.measure.evidence import Evidence, whole_second
from kg.measure.findings import SiteMeasurement

__all__ = ["RunSummary", "Shard", "measure", "new_run_identifier", "parse_shard"]


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
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name given, why): no host name, not asked


def _host_name(domain: str) -> tuple[str, str]:
    """A given domain's ASCII form, and why it cannot be measured ("" when it can)."""
    from kg.measure.hosts import idna_forms, is_host_name

    try:
        name = idna_forms(domain)[0]
    except ValueError as error:
        return "", f"not a domain name: {error}"
    if not is_host_name(name):
        return "", f"not a host name: {name!r} (letters, digits and inner hyphens in each label)"
    return name, ""


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
    from kg.measure import runlog
    from kg.model.countries import country_code
    from kg.model.resources import package_version

    folder = Path(folder)
    vantage_country = country_code(country, "vantage country")
    resolvers = tuple(part.strip() for part in resolver.split(",") if part.strip())
    from kg.measure.dns import parse_server

    if not resolvers:
        raise InputError("no resolver given: HOST[:PORT], one or more")
    for text in resolvers:
        parse_server(text)
    tools = _Tools.load(asn_db, as_org, rdap_bootstrap, providers)
    # What a resumed run must share with its start: where it measures from, its part of the list, the files.
    settings = {"country": vantage_country, "network": network, "shard": str(shard), "files": tools.note(Shard())}
    state = runlog.interrupted(folder)
    if state is not None and not resume:
        raise InputError(
            f"holds the interrupted run {state['info']['identifier']}: give --resume to carry it on, or remove "
            f"{runlog.STATE} and {runlog.LOG}",
            SourceLocation(str(folder)),
        )
    if state is not None:
        if state.get("settings") != settings:
            differ = sorted(k for k in settings if (state.get("settings") or {}).get(k) != settings[k])
            raise InputError(
                f"the interrupted run {state['info']['identifier']} was started with another "
                f"{', '.join(differ) or 'setting'}: resume it as it was started",
                SourceLocation(str(folder / runlog.STATE)),
            )
        info = RunInfo(**{**state["info"], "resolvers": tuple(state["info"]["resolvers"])})
        started = dt.datetime.fromisoformat(state["start"])
    else:
        started = whole_second(dt.datetime.now(dt.UTC))
        info = RunInfo(
            identifier or new_run_identifier(shard, started),
            vantage_country,
            version=package_version(),
            network=network,
            resolvers=resolvers,
            contact=contact,
            note=tools.note(shard),
        )
        runlog.begin(folder, runlog.state_of(info, started, settings))
    seen: dict[str, None] = {}
    refused: list[tuple[str, str]] = []
    for domain in domains:
        name, why = _host_name(domain.strip())
        if why:
            refused.append((domain, why))
        elif name not in seen and shard.holds(name):
            seen[name] = None
    names = list(seen)
    log = runlog.RunLog(folder)
    try:
        done = log.progress(nameserver_depth, set(seen))
        todo = [d for d in names if d not in done.done]
        summary = RunSummary(info, folder, resumed=len(done.done), refused=refused)
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
    ended = whole_second(dt.datetime.now(dt.UTC), up=True)
    summary.rows = runlog.write_tables_from_log(folder, runlog.run_row(info, started, ended))
    return summary


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
    from kg.measure.dns import stream_measurements

    numbered = done.evidence
    total = len(todo)
    finished = 0
    rest = _Rest(tools, web_options, options)

    def write(measurement: SiteMeasurement, depth: int) -> None:
        nonlocal numbered, finished
        record = record_of(measurement, info.identifier, numbered, depth, tools.providers)
        numbered += len(record["evidence"])
        log.write(record)
        if measurement.dns.failed or record["outcome"] == "error":
            summary.failures.append((measurement.dns.domain, measurement.dns.detail or record["outcome"]))
        for e in measurement.origin_evidence:
            if e.detail.startswith(_NOT_MEASURED):
                summary.failures.append((measurement.dns.domain, e.detail))
        if measurement.dns.found_via:
            summary.followed += 1
            return
        summary.outcomes[record["outcome"]] = summary.outcomes.get(record["outcome"], 0) + 1
        finished += 1
        if progress is not None:
            progress("measuring", finished, total)

    async def settle(pending: set[asyncio.Task], keep: int) -> set[asyncio.Task]:
        """Write the finished domains, waiting until at most ``keep`` are left measuring."""
        while len(pending) > keep or any(task.done() for task in pending):
            finished_now, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in finished_now:
                write(*task.result())
        return pending

    pending: set[asyncio.Task] = set()
    limit = max(1, web_options["web_concurrency"] * 2)
    async with rest:
        stream = stream_measurements(
            todo,
            check_nameservers=True,
            max_cname_hops=8,
            progress=None,
            followups=done.followups,
            measured=done.done,
            **options,
        )
        async for _index, depth, result in stream:
            if result.found_via or not result.ascii or result.outcome == "nxdomain":
                write(SiteMeasurement(result), depth)
            else:
                pending.add(asyncio.ensure_future(rest.measure(result, depth)))
            pending = await settle(pending, limit - 1)
        await settle(pending, 0)


#: How the evidence of a site whose measuring past DNS failed by a defect begins.
_NOT_MEASURED = "not measured past DNS"


class _Rest:
    """Everything measured of a site after its DNS: routes, certificate and landing page, registration."""

    def __init__(self, tools: _Tools, web_options: dict, dns_options: dict) -> None:
        from kg.measure.asking import HostPacer
        from kg.measure.dns import ZoneAuthorities

        vantage = dns_options["vantage"]
        asking = ("timeout", "retries", "concurrency", "rate", "vantage")
        self.authorities = ZoneAuthorities(dns_options["resolver"], **{k: dns_options[k] for k in asking})
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
            self.web_client = web.http_client(self.web_settings)
            self._clients.append(self.web_client)
        if self.tools.bootstrap is not None:
            self.rdap_settings = rdap.RdapSettings(
                o["contact"], ca_file=o["ca_file"], timeout=o["web_timeout"], rate=o["rdap_rate"], vantage=self.vantage
            )
            self.rdap_client = rdap.http_client(self.rdap_settings)
            self._clients.append(self.rdap_client)
        return self

    async def __aexit__(self, *_exc) -> None:
        for client in self._clients:
            await client.aclose()

    def origins(self, result: DnsResult) -> tuple[tuple, tuple]:
        from kg.measure.asn import origin
        from kg.measure.findings import hosted_name

        host = hosted_name(result)
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
        from kg.measure.findings import hosted_name
        from kg.measure.web import measure_site

        if self.web_settings is None:
            return None
        host = hosted_name(result)
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
        """The site's measurements past DNS. An unexpected error in them (a defect) is evidence of the
        failure, with the DNS kept: one domain never ends the run."""
        try:
            return await self._measure(result, depth)
        except Exception as error:  # reported as evidence, and in the run's summary
            detail = f"{_NOT_MEASURED}: {type(error).__name__}: {error}"
            bad = Evidence(result.ascii, "tls", f"TLS {result.ascii}", "", dt.datetime.now(dt.UTC), "error",
                           detail=detail, vantage=self.vantage)  # fmt: skip
            return SiteMeasurement(result, origin_evidence=(bad,)), depth

    async def _measure(self, result: DnsResult, depth: int) -> tuple[SiteMeasurement, int]:
        from kg.measure.findings import soa_questions

        origins, evidence = self.origins(result)
        site, registration = await asyncio.gather(self.site(result), self.registration(result))
        measured = SiteMeasurement(result, origins, evidence, site, registration)
        wanted = soa_questions(measured, self.tools.providers)
        asked = await asyncio.gather(*(self.authorities.soa(domain, result.ascii) for domain in wanted))
        soas = tuple((domain, soa) for domain, (soa, _) in zip(wanted, asked, strict=True))
        return replace(measured, soas=soas, soa_evidence=tuple(e for _, e in asked)), depth
