"""DNS: a domain's name servers, SOA, CNAME chains and addresses, asked of a resolver the caller gives.

For each domain :func:`measure_dns` asks, and records every question as an
:class:`~kg.measure.evidence.Evidence`:

* ``NS`` and ``SOA`` of the domain (of its zone when the domain is a name inside one), then ``A`` and
  ``AAAA`` of each name server and, without recursion, ``SOA`` of the zone at each of their addresses:
  a server that does not answer with authority (a referral, a refusal, silence, no address) is *lame*;
* the CNAME chains of the domain and of its ``www.`` name, one ``CNAME`` question per hop, so that loops
  and over-long chains are seen and reported, then ``A`` and ``AAAA`` of the chain's last name;
* the registered domains of the name servers, which the caller may measure in turn
  (``nameserver_depth``): a DNS provider's own DNS.

Every question to the resolver asks for recursion. A recursive resolver answers as usual; an
authoritative server answers for its own zones with authority and ignores the request, which is how the
tests use one as "resolver": since chains are followed hop by hop and name servers asked directly, both
give the same results for names the authoritative server holds. A server that is neither (it answers with
a referral) gives the delegation's name servers for the ``NS`` question and an ``error`` ("referral")
for the rest.

Outcomes are those of :data:`~kg.measure.evidence.OUTCOMES`: ``nodata`` is a name that exists without
records of the type asked, ``nxdomain`` a name that does not exist. A domain that cannot be measured (not
a domain name, a resolver that fails or never answers) comes back as a :class:`DnsResult` whose outcome
and evidence say why; no exception leaves the measuring functions for a domain's sake.

Internationalised names go in as Unicode and are asked in their IDNA (punycode) form; results keep the
name as given, its ASCII form and its Unicode form; evidence names the domain in ASCII.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, replace

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from kg.errors import InputError, quoted
from kg.measure.asking import HostPacer
from kg.measure.evidence import FAILURES, Evidence
from kg.measure.hosts import idna_forms, registered_domain

__all__ = [
    "DnsResult",
    "Host",
    "NameServer",
    "Soa",
    "ZoneAuthorities",
    "measure_dns",
    "measure_dns_sync",
    "parse_server",
    "stream_dns",
    "stream_measurements",
]

#: A label of a host name once in ASCII (underscores allowed: ``_dmarc`` and the like exist).


def parse_server(text: str, default_port: int = 53) -> tuple[str, int]:
    """The address and port of a server written ``HOST[:PORT]`` (IPv6 as ``[ADDRESS]:PORT``).

    Raises :class:`~kg.errors.InputError` for anything else (a host name: a resolver is an address).

    Examples
    --------
    >>> parse_server("127.0.0.1:5353"), parse_server("9.9.9.9"), parse_server("[::1]:53"), parse_server("::1")
    (('127.0.0.1', 5353), ('9.9.9.9', 53), ('::1', 53), ('::1', 53))
    """
    import ipaddress

    host, port = text.strip(), str(default_port)
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        address = str(ipaddress.ip_address(host))
        number = int(port)
    except ValueError:
        raise InputError(f"not a server address HOST[:PORT]: {quoted(text)}") from None
    if not 0 < number < 65536:
        raise InputError(f"not a port number in {quoted(text)}")
    return address, number


@dataclass(frozen=True)
class Soa:
    """A zone's start of authority: its primary server, its contact (a mailbox as a name) and serial."""

    zone: str
    mname: str
    rname: str
    serial: int


@dataclass(frozen=True)
class NameServer:
    """A name server of the domain, its addresses, and whether it answered for the zone with authority.

    ``status`` is ``ok`` (every address answered with authority), ``lame`` (an address did not, or the
    server has no address: ``detail`` says how) or ``unchecked`` (not asked, or its address unknown
    because the resolver failed).
    """

    name: str
    domain: str
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    status: str = "unchecked"
    detail: str = ""


@dataclass(frozen=True)
class Host:
    """A name, its CNAME chain (hop by hop) and the addresses at the chain's end.

    ``ending`` says how the chain ended: ``ok`` (at a name without CNAME), ``loop``, ``too-long``, or the
    outcome of the question that ended it (``nxdomain``, ``servfail``, ``timeout``...).

    Examples
    --------
    >>> Host("www.site.test", ("site.test",), "ok", ("192.0.2.10",)).canonical
    'site.test'
    """

    name: str
    chain: tuple[str, ...] = ()
    ending: str = "ok"
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        """The chain's last name (the name itself when it has no CNAME)."""
        return self.chain[-1] if self.chain else self.name


@dataclass(frozen=True)
class DnsResult:
    """What DNS says about one domain, with the evidence of every question asked.

    ``outcome`` is ``ok``, ``nxdomain`` (the domain does not exist) or the failure that kept part of it
    from being measured (``servfail``, ``refused``, ``timeout``, ``error``: ``detail`` names the question);
    lame name servers, CNAME loops and a missing ``www.`` are findings, not failures. ``found_via`` is the
    domain whose name servers led to this one (``nameserver_depth``).

    Examples
    --------
    >>> servers = (NameServer("ns1.site.test", "site.test"), NameServer("ns.host.example", "host.example"))
    >>> r = DnsResult("site.test", "site.test", "site.test", "ok", nameservers=servers)
    >>> r.nameserver_domains, r.failed
    (('host.example', 'site.test'), False)
    """

    domain: str
    ascii: str
    unicode: str
    outcome: str
    detail: str = ""
    zone: str = ""
    soa: Soa | None = None
    nameservers: tuple[NameServer, ...] = ()
    apex: Host | None = None
    www: Host | None = None
    evidence: tuple[Evidence, ...] = ()
    found_via: str = ""

    @property
    def nameserver_domains(self) -> tuple[str, ...]:
        """The registered domains of the name servers, sorted, each once."""
        return tuple(sorted({server.domain for server in self.nameservers}))

    @property
    def failed(self) -> bool:
        """Whether part of the domain could not be measured (a failure ends no dependency)."""
        return self.outcome in FAILURES


@dataclass
class _Answer:
    evidence: Evidence
    records: list  # the rdata of the type asked (NS targets, addresses...), empty unless "ok"
    authority: list  # the authority section's RRsets (an SOA for a negative answer, NS for a referral)
    authoritative: bool = False


class _Asker:
    """Asks questions of the resolvers (round robin, the next one on a retry) or of a given server."""

    def __init__(self, resolvers, timeout, retries, concurrency, rate, vantage) -> None:
        self.resolvers = resolvers
        self.timeout = timeout
        self.retries = retries
        self.limit = asyncio.Semaphore(concurrency)
        self.pacer = HostPacer(rate)
        self.vantage = dict(vantage or {})
        self.turn = 0

    async def ask(self, domain: str, name: str, rdtype: str, server: tuple[str, int] | None = None) -> _Answer:
        if server is None:
            self.turn += 1
            servers = [self.resolvers[(self.turn + i) % len(self.resolvers)] for i in range(self.retries + 1)]
        else:
            servers = [server] * (self.retries + 1)
        query = dns.message.make_query(
            name, rdtype, use_edns=0, payload=1232, flags=dns.flags.RD if server is None else 0
        )
        qname = query.question[0].name
        tries = len(servers)
        failure = ("timeout", f"no answer in {self.timeout:g} s, {tries} {'try' if tries == 1 else 'tries'}")
        where = ""
        for address, port in servers:
            where = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
            await self.pacer.wait(where)
            try:
                async with self.limit:
                    response, tcp = await dns.asyncquery.udp_with_fallback(query, address, self.timeout, port)
            except dns.exception.Timeout:
                continue
            except OSError as exc:  # the network, not the server: the next try may do better
                failure = ("error", exc.strerror or str(exc))
                continue
            except dns.exception.DNSException as exc:
                answer = self._answer(domain, rdtype, name, where, "error", detail=f"bad answer: {exc}")
                break
            answer = self._read(domain, rdtype, name, qname, where, response, tcp)
            break
        else:
            answer = self._answer(domain, rdtype, name, where, failure[0], detail=failure[1])
        if server is not None:  # a name server asked directly: say so, the same question goes to the resolver
            note = "; ".join(filter(None, ["asked without recursion", answer.evidence.detail]))
            answer.evidence = replace(answer.evidence, detail=note)
        return answer

    def _answer(self, domain, rdtype, name, where, outcome, answer=(), detail="", records=(), authority=(), aa=False):
        instant = dt.datetime.now(dt.UTC)
        evidence = Evidence(domain, "dns", f"{rdtype} {name}", where, instant, outcome, tuple(answer), detail,
                            self.vantage)  # fmt: skip
        return _Answer(evidence, list(records), list(authority), aa)

    def _read(self, domain, rdtype, name, qname, where, response, tcp) -> _Answer:
        rcode = response.rcode()
        aa = bool(response.flags & dns.flags.AA)
        lines = [line for rrset in response.answer for line in rrset.to_text().splitlines()]
        notes = ["over TCP"] if tcp else []
        authority = list(response.authority)
        soa = next((rrset for rrset in authority if rrset.rdtype == dns.rdatatype.SOA), None)
        if soa is not None:
            notes.append(f"authority: {soa.to_text().splitlines()[0]}")
        wanted = dns.rdatatype.from_text(rdtype)
        if rcode == dns.rcode.NOERROR:
            rrset = response.get_rrset(response.answer, qname, dns.rdataclass.IN, wanted)
            if rrset is not None:
                return self._answer(domain, rdtype, name, where, "ok", lines, "; ".join(notes), rrset, authority, aa)
            referral = next((r for r in authority if r.rdtype == dns.rdatatype.NS), None)
            if referral is not None and soa is None and not aa and not lines:
                cut = referral.name.to_text(omit_final_dot=True)
                detail = f"referral to {cut} (the server is neither authoritative for the name nor recursive)"
                records = referral if wanted == dns.rdatatype.NS and referral.name == qname else ()
                raw = referral.to_text().splitlines()
                return self._answer(domain, rdtype, name, where, "ok" if records else "error", raw,
                                    "; ".join([detail, *notes]), records, authority, aa)  # fmt: skip
            if any(r.rdtype == dns.rdatatype.CNAME and r.name == qname for r in response.answer):
                notes.insert(0, "the name is an alias (CNAME)")
            return self._answer(domain, rdtype, name, where, "nodata", lines, "; ".join(notes), (), authority, aa)
        outcome = {dns.rcode.NXDOMAIN: "nxdomain", dns.rcode.SERVFAIL: "servfail", dns.rcode.REFUSED: "refused"}
        if rcode not in outcome:
            notes.insert(0, f"rcode {dns.rcode.to_text(rcode)}")
        return self._answer(domain, rdtype, name, where, outcome.get(rcode, "error"), lines, "; ".join(notes),
                            (), authority, aa)  # fmt: skip


def _host_name(rdata) -> str:
    return rdata.target.to_text(omit_final_dot=True).lower()


async def _host(asker: _Asker, domain: str, name: str, max_hops: int, evidence: list) -> Host:
    """Follow ``name``'s CNAME chain one question per hop, then ask the addresses of its end."""
    chain: list[str] = []
    current, ending = name, "ok"
    while True:
        answer = await asker.ask(domain, current, "CNAME")
        if answer.evidence.outcome != "ok":
            evidence.append(answer.evidence)
            ending = "ok" if answer.evidence.outcome == "nodata" else answer.evidence.outcome
            break
        target = _host_name(answer.records[0])
        if target == name or target in chain:
            ending = "loop"
            evidence.append(replace(answer.evidence, detail=f"CNAME loop: {current} points back to {target}"))
            break
        if len(chain) >= max_hops:
            ending = "too-long"
            evidence.append(replace(answer.evidence, detail=f"CNAME chain longer than {max_hops} hops"))
            break
        evidence.append(answer.evidence)
        chain.append(target)
        current = target
    if ending != "ok":
        return Host(name, tuple(chain), ending)
    v4, v6 = await asyncio.gather(asker.ask(domain, current, "A"), asker.ask(domain, current, "AAAA"))
    evidence += [v4.evidence, v6.evidence]
    return Host(name, tuple(chain), ending, _addresses(v4), _addresses(v6))


def _addresses(answer: _Answer) -> tuple[str, ...]:
    return tuple(sorted(rdata.address for rdata in answer.records))


async def _nameserver(asker, domain, zone, host, port, check, probed, evidence) -> NameServer:
    """A name server's addresses, and whether each answers ``SOA zone`` with authority, without recursion."""
    v4, v6 = await asyncio.gather(asker.ask(domain, host, "A"), asker.ask(domain, host, "AAAA"))
    evidence += [v4.evidence, v6.evidence]
    server = NameServer(host, registered_domain(host), _addresses(v4), _addresses(v6))
    if not check:
        return server
    addresses = server.ipv4 + server.ipv6
    if not addresses:
        lookups = (v4.evidence.outcome, v6.evidence.outcome)
        if any(outcome in FAILURES for outcome in lookups):
            return replace(server, detail=f"its address is unknown ({'/'.join(lookups)})")
        return replace(server, status="lame", detail=f"it has no address ({'/'.join(lookups)})")
    problems = []
    for address in addresses:
        if address not in probed:
            probed[address] = asyncio.ensure_future(asker.ask(domain, zone, "SOA", server=(address, port)))
        answer = await probed[address]
        if answer.evidence not in evidence:
            evidence.append(answer.evidence)
        if answer.evidence.outcome != "ok" or not answer.authoritative:
            said = answer.evidence.outcome if answer.evidence.outcome != "ok" else "an answer without authority"
            if "referral" in answer.evidence.detail:
                said = "a referral"
            problems.append(f"{address} gave {said}")
    if problems:
        return replace(server, status="lame", detail=f"no authoritative answer for {zone}: {'; '.join(problems)}")
    return replace(server, status="ok")


async def _measure_one(asker, given, *, port, check, max_hops, found_via="") -> DnsResult:
    try:
        name, unicode_form = idna_forms(given)
    except ValueError as exc:
        where = ", ".join(f"{a}:{p}" for a, p in asker.resolvers)
        bad = Evidence(given, "dns", f"NS {given}", where, dt.datetime.now(dt.UTC), "error",
                       detail=f"not a domain name: {exc}", vantage=asker.vantage)  # fmt: skip
        return DnsResult(given, "", "", "error", bad.detail, evidence=(bad,), found_via=found_via)
    core: list[Evidence] = []
    apex_evidence: list[Evidence] = []
    www_evidence: list[Evidence] = []
    ns, soa_answer, apex, www = await asyncio.gather(
        asker.ask(name, name, "NS"),
        asker.ask(name, name, "SOA"),
        _host(asker, name, name, max_hops, apex_evidence),
        _host(asker, name, f"www.{name}", max_hops, www_evidence),
    )
    core += [ns.evidence, soa_answer.evidence]
    soa = _soa(soa_answer)
    if soa is None and soa_answer.evidence.outcome == "nodata" and soa_answer.evidence.answer and "." in name:
        # An alias (CNAME): the answers speak of its target's zone; the zone holding it is its parent's.
        parent = await asker.ask(name, name.split(".", 1)[1], "SOA")
        core.append(parent.evidence)
        soa = _soa(parent)
    zone = soa.zone if soa else name
    if ns.evidence.outcome == "nodata" and zone != name:
        ns = await asker.ask(name, zone, "NS")  # a name inside a zone: the zone's name servers
        core.append(ns.evidence)
    probed: dict = {}
    servers_evidence: list[Evidence] = []
    hosts = sorted({_host_name(rdata) for rdata in ns.records})
    servers = await asyncio.gather(
        *(_nameserver(asker, name, zone, h, port, check, probed, servers_evidence) for h in hosts)
    )
    outcome, detail = "ok", ""
    if "nxdomain" in (ns.evidence.outcome, soa_answer.evidence.outcome):
        outcome, detail = "nxdomain", f"{name} does not exist"
    else:
        for evidence in core + apex_evidence + www_evidence:
            if evidence.outcome in FAILURES:
                outcome = evidence.outcome
                detail = f"{evidence.question}: {evidence.outcome} at {evidence.server}"
                detail += f" ({evidence.detail})" if evidence.detail else ""
                break
    return DnsResult(
        given, name, unicode_form, outcome, detail, zone, soa, tuple(servers), apex, www,
        tuple(core + apex_evidence + www_evidence + servers_evidence), found_via,
    )  # fmt: skip


def _soa(answer: _Answer) -> Soa | None:
    """The SOA from the answer, or from the authority section of a negative answer (a name in a zone)."""
    if answer.records:
        rdata, owner = answer.records[0], answer.evidence.question.split(" ", 1)[1]
    else:
        rrset = next((r for r in answer.authority if r.rdtype == dns.rdatatype.SOA), None)
        if rrset is None or answer.evidence.outcome != "nodata" or answer.evidence.answer:
            return None  # no SOA, or the name is an alias: the authority is the target's zone
        rdata, owner = rrset[0], rrset.name.to_text(omit_final_dot=True).lower()
    text = {key: getattr(rdata, key).to_text(omit_final_dot=True).lower() for key in ("mname", "rname")}
    return Soa(owner, text["mname"], text["rname"], rdata.serial)


class ZoneAuthorities:
    """The SOA records of domains, asked of the resolvers once per domain however many sites ask (the
    published rules compare a site's SOA with a provider domain's), each answer an Evidence.

    Takes the parameters of :func:`measure_dns` that say how to ask.
    """

    def __init__(self, resolver, *, timeout=2.0, retries=2, concurrency=64, rate=None, vantage=None) -> None:
        self._asker = _Asker(_resolvers(resolver), timeout, retries, concurrency, rate, vantage)
        self._asked: dict[str, asyncio.Future] = {}

    async def soa(self, domain: str, measured: str) -> tuple[Soa | None, Evidence]:
        """The SOA of ``domain`` (None when it has none or the question failed), and the Evidence of the
        question, filed under ``measured``: the domain whose classification used it."""
        if domain not in self._asked:
            self._asked[domain] = asyncio.ensure_future(self._asker.ask(measured, domain, "SOA"))
        answer = await self._asked[domain]
        return _soa(answer), replace(answer.evidence, domain=measured)


def _resolvers(resolver: str | Sequence[str]) -> list[tuple[str, int]]:
    texts = resolver.split(",") if isinstance(resolver, str) else list(resolver)
    servers = [parse_server(text) for text in texts if text.strip()]
    if not servers:
        raise InputError("no resolver given: HOST[:PORT], one or more")
    return servers


async def stream_measurements(
    domains, *, resolver, timeout, retries, concurrency, rate, nameserver_port, check_nameservers, max_cname_hops,
    nameserver_depth, vantage, progress, followups=(), measured=()
) -> AsyncIterator[tuple[int, int, DnsResult]]:  # fmt: skip
    """:func:`stream_dns` with each result's index (domains first, then those followed) and depth (0: a
    domain given, 1: a name server's domain of one, ...), as ``(index, depth, result)``.

    ``followups``: ``(domain, found via, depth)`` to measure in turn besides those the results lead to;
    ``measured``: domains (ASCII) measured already, never followed (a resumed run's)."""
    if concurrency < 1 or retries < 0 or timeout <= 0:
        raise InputError("concurrency must be at least 1, retries at least 0 and the timeout above 0")
    asker = _Asker(_resolvers(resolver), timeout, retries, concurrency, rate, vantage)
    seen: set[str] = set(measured)
    if nameserver_depth > 0:
        domains = list(domains)
        seen.update(_ascii_or_self(d) for d in domains)
    total = len(domains) if isinstance(domains, Sized) else None
    source = enumerate(domains)
    followed: deque[tuple[int, str, str, int]] = deque()
    count, done = total or 0, 0
    for domain, via, depth in followups:
        if domain not in seen:
            seen.add(domain)
            followed.append((count, domain, via, depth))
            count += 1
            total = count if total is not None else None
    running: dict[asyncio.Task, tuple[int, int]] = {}
    options = {"port": nameserver_port, "check": check_nameservers, "max_hops": max_cname_hops}
    try:
        while True:
            while len(running) < concurrency:
                if followed:
                    index, name, via, depth = followed.popleft()
                else:
                    index, name = next(source, (None, None))
                    via, depth = "", 0
                    if index is None:
                        break
                task = asyncio.ensure_future(_measure_one(asker, name, found_via=via, **options))
                running[task] = (index, depth)
            if not running:
                return
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                index, depth = running.pop(task)
                result = task.result()
                if depth < nameserver_depth:
                    for domain in result.nameserver_domains:
                        if domain not in seen:
                            seen.add(domain)
                            followed.append((count, domain, result.domain, depth + 1))
                            count += 1
                            total = count if total is not None else None
                done += 1
                if progress is not None:
                    progress(done, total)
                yield index, depth, result
    finally:
        for task in running:
            task.cancel()


def _ascii_or_self(domain: str) -> str:
    try:
        return idna_forms(domain)[0]
    except ValueError:
        return domain


async def stream_dns(
    domains: Iterable[str],
    *,
    resolver: str | Sequence[str],
    timeout: float = 2.0,
    retries: int = 2,
    concurrency: int = 64,
    rate: float | None = None,
    nameserver_port: int = 53,
    check_nameservers: bool = True,
    max_cname_hops: int = 8,
    nameserver_depth: int = 0,
    vantage: dict[str, str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> AsyncIterator[DnsResult]:
    """Measure domains, yielding each :class:`DnsResult` as it is done (memory flat in their number).

    Takes the parameters of :func:`measure_dns`.

    Examples
    --------
    >>> async def first(domains):
    ...     async for result in stream_dns(domains, resolver="127.0.0.1:53"):
    ...         return result.outcome, result.detail
    >>> asyncio.run(first(["a..b"]))
    ('error', 'not a domain name: A DNS label is empty.')
    """
    options = dict(locals())
    async for _, _, result in stream_measurements(options.pop("domains"), **options):
        yield result


async def measure_dns(
    domains: Iterable[str],
    *,
    resolver: str | Sequence[str],
    timeout: float = 2.0,
    retries: int = 2,
    concurrency: int = 64,
    rate: float | None = None,
    nameserver_port: int = 53,
    check_nameservers: bool = True,
    max_cname_hops: int = 8,
    nameserver_depth: int = 0,
    vantage: dict[str, str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> list[DnsResult]:
    """Measure domains; the results in the order of the domains, then the name servers' domains followed.

    Raises :class:`~kg.errors.InputError` for a resolver that is not ``HOST[:PORT]`` or a bad limit;
    never for a domain.

    Parameters
    ----------
    domains
        The domains, Unicode or ASCII; any iterable (read as it goes unless ``nameserver_depth`` > 0).
    resolver
        The resolver(s) asked, ``HOST[:PORT]``: a list or a comma-separated string; questions go round
        them, and a retry goes to the next one.
    timeout, retries
        Seconds to wait for each answer, and how many times a question without answer is asked again.
    concurrency
        The most questions in flight at once (and domains measured at once).
    rate
        The most questions a second to any one server (a resolver, a domain's name server); ``None``: no
        limit.
    nameserver_port
        The port at which name servers are asked whether they are authoritative (53 but in tests).
    check_nameservers
        Whether to ask each name server for the zone's SOA without recursion (lame delegation).
    max_cname_hops
        The longest CNAME chain followed; a longer one ends ``too-long``.
    nameserver_depth
        How many times to measure in turn the registered domains of the name servers found (0: never).
    vantage
        Where the questions are asked from (``country``, ``network``), kept in every evidence.
    progress
        Called with ``(done, total)`` after each domain (``total`` is ``None`` for an iterable of unknown
        length).

    Examples
    --------
    >>> results = asyncio.run(measure_dns(["a..b", "a" * 64 + ".test"], resolver="127.0.0.1"))
    >>> for r in results:
    ...     print(r.outcome, r.detail)
    error not a domain name: A DNS label is empty.
    error not a domain name: A DNS label is > 63 octets long.
    """
    options = dict(locals())
    results = [(index, result) async for index, _, result in stream_measurements(options.pop("domains"), **options)]
    return [result for _, result in sorted(results, key=lambda pair: pair[0])]


def measure_dns_sync(domains: Iterable[str], **options) -> list[DnsResult]:
    """:func:`measure_dns` in its own event loop, for callers that have none running.

    Examples
    --------
    >>> [result.outcome for result in measure_dns_sync(["exa mple.test"], resolver="127.0.0.1:5353")]
    ['error']
    """
    return asyncio.run(measure_dns(domains, **options))
