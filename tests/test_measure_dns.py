"""kg.measure.dns against a real authoritative server (NSD) on 127.0.0.1, and small faulty stand-ins.

NSD serves the zones below on a free port and is given to the code as its "resolver": every name asked is
in a zone NSD holds or delegates, so answers are standard (NXDOMAIN and NODATA told apart) and nothing
leaves 127.0.0.1. The name servers of the zones all have the address 127.0.0.1, and the code asks them at
NSD's port (``nameserver_port``), so the authority check reaches NSD too, or a stand-in that refuses or
never answers. Unbound, a recursive resolver whose every zone is a stub at NSD, checks that the code
finds the same through a recursive resolver as from the authoritative server.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from kg.errors import InputError
from kg.measure.dns import measure_dns_sync, stream_dns

pytestmark = [pytest.mark.server]

SOA = "SOA {mname} {rname} {serial} 3600 600 86400 300"

# Zone name -> zone file (its SOA and NS first). ``test.`` and ``example.`` hold the delegations (with
# glue), each child zone its own records.
ZONES = {
    "test": f"""
@ {SOA.format(mname="ns.test.", rname="hostmaster.test.", serial=1)}
@ NS ns
ns A 127.0.0.1
site NS ns1.site
site NS ns2.site
ns1.site A 127.0.0.1
ns2.site A 127.0.0.1
loop NS ns1.provider.example.
long NS ns1.provider.example.
v6only NS ns1.provider.example.
broken NS ns1.provider.example.
; delegated, but no server holds lame.test; its second name server does not exist
lame NS ns1.provider.example.
lame NS ns.nowhere.test.
""",
    "example": f"""
@ {SOA.format(mname="ns.example.", rname="hostmaster.example.", serial=1)}
@ NS ns
ns A 127.0.0.1
provider NS ns1.provider
provider NS ns2.provider
ns1.provider A 127.0.0.1
ns2.provider A 127.0.0.1
shop NS ns1.provider
shop NS ns2.provider
cdn NS ns1.provider
xn--bcher-kva NS ns1.provider
""",
    # A site on its own name servers.
    "site.test": f"""
@ {SOA.format(mname="ns1.site.test.", rname="hostmaster.site.test.", serial=2026120701)}
@ NS ns1
@ NS ns2
ns1 A 127.0.0.1
ns2 A 127.0.0.1
@ A 192.0.2.10
@ AAAA 2001:db8::10
www CNAME @
mail TXT "a name with no address"
blog CNAME shop.example.
""",
    # A DNS provider, on its own name servers too.
    "provider.example": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="dns-admin.provider.example.", serial=42)}
@ NS ns1
@ NS ns2
ns1 A 127.0.0.1
ns2 A 127.0.0.1
@ A 192.0.2.53
""",
    # A customer of the provider whose www is a two-hop CNAME chain into a CDN's zone.
    "shop.example": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=7)}
@ NS ns1.provider.example.
@ NS ns2.provider.example.
@ A 192.0.2.20
www CNAME shop.cdn.example.
""",
    "cdn.example": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=8)}
@ NS ns1.provider.example.
shop CNAME edge
edge A 198.51.100.7
edge AAAA 2001:db8::7
""",
    "loop.test": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=1)}
@ NS ns1.provider.example.
@ A 192.0.2.30
www CNAME a
a CNAME b
b CNAME a
""",
    # www is ten hops from an address.
    "long.test": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=1)}
@ NS ns1.provider.example.
@ A 192.0.2.40
www CNAME c1
"""
    + "".join(f"c{i} CNAME c{i + 1}\n" for i in range(1, 10))
    + "c10 A 192.0.2.41\n",
    # No IPv4 at all, and no www.
    "v6only.test": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=1)}
@ NS ns1.provider.example.
@ AAAA 2001:db8::6
""",
    # bücher.example
    "xn--bcher-kva.example": f"""
@ {SOA.format(mname="ns1.provider.example.", rname="hostmaster.provider.example.", serial=3)}
@ NS ns1.provider.example.
@ A 192.0.2.44
www CNAME @
""",
    # Configured, but its file does not load: NSD answers SERVFAIL for the zone.
    "broken.test": "@ SOA this is not a zone file\n",
}

NSD_CONF = """server:
  ip-address: 127.0.0.1@{port}
  username: ""
  chroot: ""
  zonesdir: "{dir}"
  pidfile: "{dir}/nsd.pid"
  database: ""
  xfrdfile: "{dir}/xfrd.state"
  zonelistfile: "{dir}/zone.list"
  xfrdir: "{dir}"
  logfile: "{dir}/server.log"
  server-count: 1
  do-ip6: no
  rrl-ratelimit: 0
  verbosity: 1
remote-control:
  control-enable: no
"""


UNBOUND_CONF = """server:
  interface: 127.0.0.1@{port}
  port: {port}
  do-ip6: no
  username: ""
  chroot: ""
  directory: "{dir}"
  pidfile: "{dir}/unbound.pid"
  use-syslog: no
  logfile: "{dir}/server.log"
  do-not-query-localhost: no
  module-config: "iterator"
  num-threads: 1
  local-zone: "test." nodefault
  local-zone: "invalid." nodefault
remote-control:
  control-enable: no
"""


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (NSD takes both)."""
    while True:
        with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def binary(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install {package})")
    return found


class Daemon:
    """A DNS server run in the foreground from a configuration in ``folder``, on a free port of 127.0.0.1;
    ready once it answers ``SOA`` of ``ready_name``."""

    def __init__(self, argv: list[str], folder: Path, port: int, ready_name: str = "site.test") -> None:
        self.port, self.folder = port, folder
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                query = dns.message.make_query(ready_name, "SOA")
                if dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5).answer:
                    return
            except (dns.exception.Timeout, OSError):
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                log = folder / "server.log"
                raise RuntimeError(f"{argv[0]} did not start: {log.read_text() if log.exists() else 'no log'}")
            time.sleep(0.05)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def start_nsd(folder: Path, zones: dict[str, str] | None = None, ready_name: str = "site.test") -> Daemon:
    """NSD serving ``zones`` (zone name -> zone file text; :data:`ZONES` when not given)."""
    port = free_port()
    conf = NSD_CONF.format(port=port, dir=folder)
    for zone, text in (ZONES if zones is None else zones).items():
        (folder / f"{zone}.zone").write_text(f"$ORIGIN {zone}.\n$TTL 300\n{text.lstrip()}")
        conf += f'zone:\n  name: "{zone}"\n  zonefile: "{zone}.zone"\n'
    (folder / "nsd.conf").write_text(conf)
    return Daemon([binary("nsd", "nsd"), "-d", "-c", str(folder / "nsd.conf")], folder, port, ready_name)


def start_unbound(folder: Path, nsd: Daemon) -> Daemon:
    """Unbound, a recursive resolver that finds every zone (and the root) at NSD: nothing else is asked.

    A real recursion asks a zone's name servers at port 53; here each zone NSD holds is a stub at NSD's
    port instead. lame.test, which NSD only delegates, is left out of the comparison: Unbound would go on
    asking its name server at port 53 for longer than a test waits."""
    port = free_port()
    stubs = "".join(f'stub-zone:\n  name: "{zone}"\n  stub-addr: 127.0.0.1@{nsd.port}\n' for zone in [".", *ZONES])
    (folder / "unbound.conf").write_text(UNBOUND_CONF.format(port=port, dir=folder) + stubs)
    return Daemon([binary("unbound", "unbound"), "-d", "-c", str(folder / "unbound.conf")], folder, port)


class Responder:
    """A UDP server on 127.0.0.1 answering every question with ``rcode`` after ``delay`` seconds, or never
    (``rcode=None``); it notes when each question came and the most it held unanswered at once."""

    def __init__(self, rcode: int | None, delay: float = 0.0) -> None:
        self.rcode, self.delay = rcode, delay
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.arrivals: list[float] = []
        self.waiting = self.most_waiting = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                wire, client = self.socket.recvfrom(4096)
            except OSError:
                return
            self.arrivals.append(time.monotonic())
            if self.rcode is None:
                continue
            with self.lock:
                self.waiting += 1
                self.most_waiting = max(self.most_waiting, self.waiting)
            threading.Timer(self.delay, self._answer, (wire, client)).start()

    def _answer(self, wire: bytes, client) -> None:
        response = dns.message.make_response(dns.message.from_wire(wire))
        response.set_rcode(self.rcode)
        with self.lock:
            self.waiting -= 1
        with contextlib.suppress(OSError):  # the test is over
            self.socket.sendto(response.to_wire(), client)

    def stop(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    server = start_nsd(tmp_path_factory.mktemp("nsd"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def unbound(tmp_path_factory, nsd):
    server = start_unbound(tmp_path_factory.mktemp("unbound"), nsd)
    yield server
    server.stop()


@pytest.fixture
def responder():
    started: list[Responder] = []

    def start(rcode: int | None, delay: float = 0.0) -> Responder:
        started.append(Responder(rcode, delay))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def measure(nsd: Daemon, domain: str, **options):
    """One domain measured with NSD as resolver and as every name server."""
    options = {"resolver": nsd.address, "nameserver_port": nsd.port, "timeout": 1.0, **options}
    return measure_dns_sync([domain], **options)[0]


def outcomes(result) -> dict[str, str]:
    """Each question asked of the resolver and how it ended (the authority checks left out)."""
    return {e.question: e.outcome for e in result.evidence if not e.detail.startswith("asked without recursion")}


def test_a_site_on_its_own_name_servers(nsd):
    result = measure(nsd, "site.test")
    assert (result.outcome, result.detail, result.zone) == ("ok", "", "site.test")
    assert [s.name for s in result.nameservers] == ["ns1.site.test", "ns2.site.test"]
    assert result.nameserver_domains == ("site.test",)
    assert {(s.ipv4, s.status) for s in result.nameservers} == {(("127.0.0.1",), "ok")}
    soa = result.soa
    assert (soa.zone, soa.mname, soa.rname, soa.serial) == (
        "site.test",
        "ns1.site.test",
        "hostmaster.site.test",
        2026120701,
    )
    assert (result.apex.chain, result.apex.ipv4, result.apex.ipv6) == ((), ("192.0.2.10",), ("2001:db8::10",))
    assert (result.www.chain, result.www.canonical, result.www.ipv4) == (("site.test",), "site.test", ("192.0.2.10",))
    ns = next(e for e in result.evidence if e.question == "NS site.test")
    assert (ns.server, ns.outcome, ns.kind, ns.domain) == (nsd.address, "ok", "dns", "site.test")
    assert ns.answer == ("site.test. 300 IN NS ns1.site.test.", "site.test. 300 IN NS ns2.site.test.")
    assert ns.instant.tzinfo is not None
    # One authority check for the one address both name servers share, asked without recursion.
    checks = [e for e in result.evidence if e.question == "SOA site.test" and e.server == nsd.address]
    assert len(checks) == 2  # the SOA question to the resolver, and the check of 127.0.0.1


def test_a_third_party_dns_provider_and_a_cname_chain_across_zones(nsd):
    result = measure(nsd, "shop.example")
    assert result.outcome == "ok"
    assert result.nameserver_domains == ("provider.example",)
    assert (result.soa.mname, result.soa.serial) == ("ns1.provider.example", 7)
    assert result.www.chain == ("shop.cdn.example", "edge.cdn.example")
    assert (result.www.ending, result.www.ipv4, result.www.ipv6) == ("ok", ("198.51.100.7",), ("2001:db8::7",))
    asked = [e.question for e in result.evidence if e.question.startswith("CNAME ")]
    assert asked[-3:] == ["CNAME www.shop.example", "CNAME shop.cdn.example", "CNAME edge.cdn.example"]


def test_a_cname_loop_is_reported_not_followed(nsd):
    result = measure(nsd, "loop.test")
    assert result.outcome == "ok"  # the domain was measured; its www is broken
    assert (result.www.ending, result.www.chain) == ("loop", ("a.loop.test", "b.loop.test"))
    assert (result.www.ipv4, result.www.ipv6) == ((), ())
    closing = [e for e in result.evidence if e.detail.startswith("CNAME loop")]
    assert [(e.question, e.detail) for e in closing] == [
        ("CNAME b.loop.test", "CNAME loop: b.loop.test points back to a.loop.test")
    ]
    assert result.apex.ipv4 == ("192.0.2.30",)


def test_an_over_long_chain_stops_at_the_limit(nsd):
    short = measure(nsd, "long.test")
    assert (short.www.ending, len(short.www.chain)) == ("too-long", 8)
    assert sum(e.question.startswith("CNAME c") for e in short.evidence) == 8
    longer = measure(nsd, "long.test", max_cname_hops=10)
    assert (longer.www.ending, longer.www.canonical, longer.www.ipv4) == ("ok", "c10.long.test", ("192.0.2.41",))


def test_an_ipv6_only_host_has_no_ipv4_and_no_www(nsd):
    result = measure(nsd, "v6only.test")
    assert result.outcome == "ok"
    assert (result.apex.ipv4, result.apex.ipv6) == ((), ("2001:db8::6",))
    asked = outcomes(result)
    assert (asked["A v6only.test"], asked["AAAA v6only.test"]) == ("nodata", "ok")
    # No www: an observation about the domain, not a failure to measure it.
    assert (result.www.ending, asked["CNAME www.v6only.test"]) == ("nxdomain", "nxdomain")


def test_nxdomain_and_nodata_are_told_apart(nsd):
    missing = measure(nsd, "missing.test")
    assert (missing.outcome, missing.failed, missing.nameservers) == ("nxdomain", False, ())
    assert outcomes(missing)["NS missing.test"] == "nxdomain"
    nxdomain = next(e for e in missing.evidence if e.question == "NS missing.test")
    assert "authority: test. 300 IN SOA ns.test." in nxdomain.detail
    # mail.site.test exists (a TXT record) without addresses; a name inside a zone gets the zone's servers.
    mail = measure(nsd, "mail.site.test")
    asked = outcomes(mail)
    assert (asked["NS mail.site.test"], asked["A mail.site.test"], asked["AAAA mail.site.test"]) == ("nodata",) * 3
    assert (mail.outcome, mail.zone, mail.nameserver_domains) == ("ok", "site.test", ("site.test",))
    assert asked["NS site.test"] == "ok"


def test_an_alias_is_in_its_parents_zone_and_hosted_where_it_points(nsd):
    result = measure(nsd, "blog.site.test")
    assert (result.outcome, result.zone, result.nameserver_domains) == ("ok", "site.test", ("site.test",))
    assert (result.apex.chain, result.apex.ipv4) == (("shop.example",), ("192.0.2.20",))
    assert outcomes(result)["SOA blog.site.test"] == "nodata"


def test_a_lame_delegation(nsd):
    """lame.test is delegated to ns1.provider.example (a server that does not hold the zone: it answers
    with a referral) and to ns.nowhere.test (a name that does not exist)."""
    result = measure(nsd, "lame.test")
    servers = {s.name: s for s in result.nameservers}
    assert list(servers) == ["ns.nowhere.test", "ns1.provider.example"]
    assert {s.status for s in servers.values()} == {"lame"}
    assert servers["ns.nowhere.test"].detail == "it has no address (nxdomain/nxdomain)"
    assert servers["ns1.provider.example"].detail == "no authoritative answer for lame.test: 127.0.0.1 gave a referral"
    ns = next(e for e in result.evidence if e.question == "NS lame.test")
    assert ns.outcome == "ok" and ns.detail.startswith("referral to lame.test")
    # Asked of a server that does not recurse, the rest of the domain is a referral: no answer.
    asked = outcomes(result)
    assert (result.outcome, asked["SOA lame.test"], asked["CNAME lame.test"]) == ("error", "error", "error")
    assert result.detail.startswith(f"SOA lame.test: error at {nsd.address} (referral to lame.test")


@pytest.mark.parametrize(("rcode", "said"), [(dns.rcode.REFUSED, "refused"), (None, "timeout"), ("closed", "timeout")])
def test_name_servers_that_refuse_or_never_answer_are_lame(nsd, responder, rcode, said):
    """The name servers are asked at a port where a server refuses, one that never answers, or nothing."""
    port = free_port() if rcode == "closed" else responder(rcode).port
    result = measure(nsd, "site.test", nameserver_port=port, timeout=0.5, retries=1)
    assert result.outcome == "ok"  # the resolver answered: the domain is measured
    assert {(s.status, s.detail) for s in result.nameservers} == {
        ("lame", f"no authoritative answer for site.test: 127.0.0.1 gave {said}")
    }
    checks = [e for e in result.evidence if e.detail.startswith("asked without recursion")]
    assert [(e.question, e.server) for e in checks] == [("SOA site.test", f"127.0.0.1:{port}")]  # one per address


def test_servfail_from_a_zone_that_does_not_load(nsd):
    result = measure(nsd, "broken.test")
    assert (result.outcome, result.failed) == ("servfail", True)
    assert result.detail == f"NS broken.test: servfail at {nsd.address}"


def test_servfail_and_refused_from_the_resolver(nsd, responder):
    failing = responder(dns.rcode.SERVFAIL)
    result = measure_dns_sync(["site.test"], resolver=failing.address)[0]
    assert (result.outcome, result.nameservers, result.www.ending) == ("servfail", (), "servfail")
    assert {e.outcome for e in result.evidence} == {"servfail"}
    # NSD refuses a name outside the zones it holds.
    elsewhere = measure(nsd, "elsewhere.invalid")
    assert (elsewhere.outcome, elsewhere.failed) == ("refused", True)


def test_a_resolver_that_never_answers_times_out(responder):
    silent = responder(None)
    started = time.monotonic()
    result = measure_dns_sync(["site.test"], resolver=silent.address, timeout=0.2, retries=1)[0]
    assert time.monotonic() - started < 3
    assert (result.outcome, result.failed) == ("timeout", True)
    assert {(e.outcome, e.detail) for e in result.evidence} == {("timeout", "no answer in 0.2 s, 2 tries")}
    assert len(silent.arrivals) == 2 * len(result.evidence)


def test_a_retry_goes_to_the_next_resolver(nsd, responder):
    silent = responder(None)
    result = measure_dns_sync(
        ["site.test"], resolver=[silent.address, nsd.address], nameserver_port=nsd.port, timeout=0.5
    )[0]
    assert result.outcome == "ok"
    assert {e.server for e in result.evidence} == {nsd.address}


def test_an_internationalised_name_is_asked_in_punycode(nsd):
    result = measure(nsd, "Bücher.example")
    assert (result.domain, result.ascii, result.unicode) == (
        "Bücher.example",
        "xn--bcher-kva.example",
        "bücher.example",
    )
    assert result.outcome == "ok"
    assert (result.apex.ipv4, result.www.chain) == (("192.0.2.44",), ("xn--bcher-kva.example",))
    assert {e.domain for e in result.evidence} == {"xn--bcher-kva.example"}
    assert "NS xn--bcher-kva.example" in outcomes(result)
    same = measure(nsd, "xn--bcher-kva.example")
    assert (same.unicode, same.apex) == ("bücher.example", result.apex)


@pytest.mark.parametrize("bad", ["", "a..test", "a" * 64 + ".test", "exa mple.test", "xn--zz.test", "bad!.test"])
def test_a_name_that_is_no_domain_is_evidence_not_an_exception(nsd, bad):
    result = measure(nsd, bad)
    assert (result.outcome, result.ascii, len(result.evidence)) == ("error", "", 1)
    assert result.evidence[0].outcome == "error"
    assert result.detail.startswith("not a domain name: ")


def test_the_name_servers_domains_are_measured_in_turn(nsd):
    results = measure_dns_sync(
        ["shop.example", "site.test"], resolver=nsd.address, nameserver_port=nsd.port, nameserver_depth=2
    )
    assert [(r.domain, r.found_via) for r in results] == [
        ("shop.example", ""),
        ("site.test", ""),
        ("provider.example", "shop.example"),  # site.test is on its own servers: nothing new
    ]
    provider = results[-1]
    assert (provider.outcome, provider.nameserver_domains) == ("ok", ("provider.example",))


def test_results_in_order_with_progress_and_as_a_stream(nsd):
    domains = ["site.test", "missing.test", "shop.example", "v6only.test"]
    seen = []
    results = measure_dns_sync(
        domains, resolver=nsd.address, nameserver_port=nsd.port, progress=lambda *p: seen.append(p)
    )
    assert [r.domain for r in results] == domains
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]

    async def streamed():
        lazily = (d for d in domains)  # an iterable of unknown length
        return [r async for r in stream_dns(lazily, resolver=nsd.address, nameserver_port=nsd.port, concurrency=2)]

    assert sorted(r.domain for r in asyncio.run(streamed())) == sorted(domains)


def test_the_rate_limit_spaces_questions_to_each_server(nsd):
    started = time.monotonic()
    result = measure(nsd, "site.test", rate=40)
    elapsed = time.monotonic() - started
    asked = len(result.evidence)  # the resolver and the name servers are the same server here
    assert asked > 10
    assert elapsed >= (asked - 1) / 40 * 0.95


def test_the_concurrency_limit_bounds_questions_in_flight(responder):
    slow = responder(dns.rcode.REFUSED, delay=0.05)
    results = measure_dns_sync([f"d{i}.test" for i in range(20)], resolver=slow.address, concurrency=3)
    assert {r.outcome for r in results} == {"refused"}
    assert len(slow.arrivals) == sum(len(r.evidence) for r in results)
    assert slow.most_waiting <= 3


def test_the_vantage_point_is_kept_in_every_evidence(nsd):
    result = measure(nsd, "site.test", vantage={"country": "DE", "network": "AS64500"})
    assert {tuple(sorted(e.vantage.items())) for e in result.evidence} == {(("country", "DE"), ("network", "AS64500"))}


@pytest.mark.parametrize("resolver", ["", "resolver.example", "127.0.0.1:99999", "1.2.3.4:x"])
def test_a_resolver_that_is_no_address_is_an_input_error(resolver):
    with pytest.raises(InputError):
        measure_dns_sync(["site.test"], resolver=resolver)


def findings(result) -> tuple:
    """What a result says about the domain, without the evidence (which names the server asked)."""
    return (result.outcome, result.zone, result.soa, result.nameservers, result.apex, result.www)


@pytest.mark.parametrize(
    "domain",
    ["site.test", "shop.example", "loop.test", "long.test", "v6only.test", "missing.test", "Bücher.example",
     "blog.site.test", "mail.site.test", "broken.test"],
)  # fmt: skip
def test_a_recursive_resolver_gives_the_same_findings(nsd, unbound, domain):
    """Through Unbound (recursing to NSD) as when NSD is asked directly, for every zone it holds."""
    direct = measure(nsd, domain)
    recursive = measure(nsd, domain, resolver=unbound.address)
    assert findings(recursive) == findings(direct)
    assert {e.server for e in recursive.evidence if not e.detail.startswith("asked without")} == {unbound.address}
