"""kg.measure.rdap against an RDAP server stub on 127.0.0.1 and bootstrap files made here in IANA's format
(RFC 9224): the registrar, status and dates of a domain, and every failure as evidence (issue 21)."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import itertools
import json
import socket
import threading
import time

import pytest

from kg.errors import InputError
from kg.measure.rdap import RdapSettings, load_bootstrap, lookup_registration, lookup_registrations

from .servers import Silent

IDN = "xn--bcher-kva.test"  # bücher.test


def domain_object(name: str, registrar: str, iana_id: str, *, nested: bool = False) -> dict:
    """An RDAP domain object shaped as registries send them (RFC 9083, section 5.3)."""
    entity = {
        "objectClassName": "entity",
        "handle": iana_id,
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": iana_id}],
        "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]],
        "entities": [{"objectClassName": "entity", "roles": ["abuse"], "vcardArray": ["vcard", [
            ["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse Desk"]]]}],
    }  # fmt: skip
    return {
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
        "handle": "2138514_DOMAIN_COM-VRSN",
        "ldhName": name.upper(),
        "links": [{"value": f"https://rdap.test/domain/{name}", "rel": "self", "href": "x"}],
        "status": ["client delete prohibited", "client transfer prohibited"],
        "entities": [{"objectClassName": "entity", "roles": ["sponsor"], "entities": [entity]}] if nested else [entity],
        "events": [
            {"eventAction": "registration", "eventDate": "2016-08-15T17:30:01Z"},
            {"eventAction": "expiration", "eventDate": "2027-08-15T17:30:01Z"},
            {"eventAction": "last changed", "eventDate": "2026-07-30T08:12:44Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-12-07T21:00:00Z"},
        ],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": "NS1.HOSTCO.TEST"}],
        "secureDNS": {"delegationSigned": False},
        "notices": [{"title": "Terms of Use", "description": ["Service subject to Terms of Use."]}],
    }


ERROR = {"errorCode": 404, "title": "Not Found"}
ROUTES = {
    "/rdap/domain/gab.test": (200, "application/rdap+json", domain_object("gab.test", "Epik Inc.", "617")),
    "/rdap/domain/nested.test": (200, "application/rdap+json", domain_object("nested.test", "Nest", "9", nested=True)),
    f"/rdap/domain/{IDN}": (200, "application/rdap+json", domain_object(IDN, "Umlaut Registrar", "1234")),
    "/rdap/domain/missing.test": (404, "application/rdap+json", ERROR),
    "/rdap/domain/busy.test": (429, "application/rdap+json", {"errorCode": 429}),
    "/rdap/domain/broken.test": (500, "text/plain", "oops"),
    "/rdap/domain/html.test": (200, "text/html", "<html>a login page</html>"),
    "/rdap/domain/moved.test": (302, "/thick/domain/moved.test", None),
    "/thick/domain/moved.test": (200, "application/rdap+json", domain_object("moved.test", "Thick Reg", "42")),
    "/rdap/domain/loop.test": (302, "/rdap/domain/loop.test", None),
    "/co/domain/shop.co.test": (200, "application/rdap+json", domain_object("shop.co.test", "Co Registrar", "77")),
}  # fmt: skip


class RdapStub(http.server.ThreadingHTTPServer):
    """An RDAP server on 127.0.0.1 answering :data:`ROUTES`; it records each request's path, headers and time."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, str, float]] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        headers = self.headers
        self.server.requests.append((self.path, headers["User-Agent"], headers["Accept"], time.monotonic()))
        status, kind, body = ROUTES.get(self.path, (404, "application/rdap+json", ERROR))
        self.send_response(status)
        if body is None:
            self.send_header("Location", kind)
            data = b""
        else:
            self.send_header("Content-Type", kind)
            data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def stub():
    server = RdapStub()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def silent():
    return Silent()


@pytest.fixture(scope="module")
def bootstrap(stub, silent, tmp_path_factory):
    """A bootstrap file as IANA publishes it, its servers on 127.0.0.1 (one base without its final slash)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{stub.port}"
    document = {
        "description": "RDAP bootstrap file for Domain Name System registrations",
        "publication": "2026-11-30T18:00:01Z",
        "services": [
            [["test", "example"], [f"{base}/rdap"]],
            [["co.test"], [f"{base}/co/"]],
            [["slow"], [f"http://127.0.0.1:{silent.port}/"]],
            [["shut"], [f"http://127.0.0.1:{closed.getsockname()[1]}/"]],
        ],
        "version": "1.0",
    }
    path = tmp_path_factory.mktemp("rdap") / "dns.json"
    path.write_text(json.dumps(document, indent=2))
    yield load_bootstrap(path)
    closed.close()


SETTINGS = RdapSettings("measure@example.org", rate=None)


def lookup(domain, bootstrap, settings=SETTINGS):
    return asyncio.run(lookup_registration(domain, bootstrap, settings))


def test_the_registrar_status_and_dates_come_from_the_registry(stub, bootstrap):
    r = lookup("gab.test", bootstrap)
    assert (r.registrar, r.registrar_iana_id) == ("Epik Inc.", "617")
    assert r.status == ("client delete prohibited", "client transfer prohibited")
    assert r.registered == dt.datetime(2016, 8, 15, 17, 30, 1, tzinfo=dt.UTC)
    assert r.expires == dt.datetime(2027, 8, 15, 17, 30, 1, tzinfo=dt.UTC)
    assert r.changed == dt.datetime(2026, 7, 30, 8, 12, 44, tzinfo=dt.UTC)
    [e] = r.evidence
    assert (e.kind, e.question, e.outcome) == ("rdap", f"GET http://127.0.0.1:{stub.port}/rdap/domain/gab.test", "ok")
    assert e.server == f"http://127.0.0.1:{stub.port}" and e.answer[0] == "HTTP/1.1 200 OK"
    assert {"registrar=Epik Inc.", "registrar_iana_id=617", "event=expiration 2027-08-15T17:30:01Z"} <= set(e.answer)
    assert not r.failed


def test_the_request_is_polite_and_asks_for_rdap(stub, bootstrap):
    lookup("gab.test", bootstrap)
    path, agent, accept, _ = stub.requests[-1]
    assert path == "/rdap/domain/gab.test"
    assert agent.startswith("pdkg/") and "measure@example.org" in agent
    assert accept.startswith("application/rdap+json")


def test_a_registrar_inside_another_entity_is_found(bootstrap):
    assert lookup("nested.test", bootstrap).registrar == "Nest"


def test_the_longest_suffix_in_the_bootstrap_file_wins(bootstrap):
    r = lookup("shop.co.test", bootstrap)
    assert r.registrar == "Co Registrar" and "/co/domain/shop.co.test" in r.url


def test_an_internationalised_domain_is_asked_by_its_a_labels(bootstrap):
    r = lookup("Bücher.test", bootstrap)
    assert r.domain == "Bücher.test" and r.registrar == "Umlaut Registrar"
    assert r.url.endswith(f"/rdap/domain/{IDN}") and r.evidence[0].domain == IDN


def test_a_redirect_is_followed_and_each_request_is_evidence(stub, bootstrap):
    r = lookup("moved.test", bootstrap)
    assert r.registrar == "Thick Reg"
    assert [e.question.rsplit("/", 3)[1] for e in r.evidence] == ["rdap", "thick"]
    assert r.evidence[0].answer == ("HTTP/1.1 302 Found", "Location: /thick/domain/moved.test")


def test_a_redirect_loop_stops_at_the_limit(bootstrap):
    r = lookup("loop.test", bootstrap, RdapSettings("measure@example.org", rate=None, max_redirects=2))
    assert len(r.evidence) == 3 and r.evidence[-1].detail == "stopped after 2 redirects" and r.registrar == ""


@pytest.mark.parametrize(
    ("domain", "outcome", "detail"),
    [
        ("missing.test", "nxdomain", "the registry has no such domain (404)"),
        ("busy.test", "refused", "refused (429)"),
        ("broken.test", "servfail", "server error (500)"),
        ("html.test", "error", "the answer is not an RDAP JSON object"),
        ("shut.shut", "refused", "connection refused"),
        ("nowhere.invalid", "error", "no RDAP server for 'nowhere.invalid' in "),
    ],
)
def test_failures_are_evidence_not_exceptions(bootstrap, domain, outcome, detail):
    r = lookup(domain, bootstrap)
    [e] = r.evidence
    assert (e.outcome, r.registrar) == (outcome, "")
    assert e.detail.startswith(detail)
    assert r.failed == (outcome != "nxdomain")


@pytest.mark.slow
def test_a_server_that_never_answers_times_out(bootstrap):
    started = time.monotonic()
    r = lookup("x.slow", bootstrap, RdapSettings("measure@example.org", timeout=0.5))
    assert [e.outcome for e in r.evidence] == ["timeout"] and time.monotonic() - started < 5


@pytest.mark.slow
def test_many_domains_are_paced_per_server_and_the_list_is_read_as_they_are_looked_up(stub, bootstrap):
    drawn: list[str] = []

    def domains():
        for name in ("gab.test", "nested.test", "shop.co.test"):
            drawn.append(name)
            yield name

    async def run():
        settings = RdapSettings("measure@example.org", rate=1 / 0.15, concurrency=1)
        return [(r.domain, len(drawn)) async for r in lookup_registrations(domains(), bootstrap, settings)]

    start = len(stub.requests)
    assert asyncio.run(run()) == [("gab.test", 2), ("nested.test", 3), ("shop.co.test", 3)]
    times = [t for *_, t in stub.requests[start:]]
    assert len(times) == 3 and min(b - a for a, b in itertools.pairwise(times)) >= 0.14


def test_the_bootstrap_file_is_read_as_rfc_9224_writes_it(bootstrap, stub):
    assert bootstrap.publication == "2026-11-30T18:00:01Z"
    assert bootstrap.base_urls("a.example") == (f"http://127.0.0.1:{stub.port}/rdap/",)  # final slash added
    assert bootstrap.base_urls("GAB.TEST.") == bootstrap.base_urls("gab.test")


def test_https_bases_come_first(tmp_path):
    path = tmp_path / "dns.json"
    services = [[["test"], ["http://rdap.test/", "https://rdap.test/"]]]
    path.write_text(json.dumps({"version": "1.0", "publication": "", "services": services}))
    assert load_bootstrap(path).base_urls("gab.test") == ("https://rdap.test/", "http://rdap.test/")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "cannot read the RDAP bootstrap file"),
        ("{not json", "not an RDAP bootstrap file (not JSON"),
        ('{"version": "1.0"}', "not an RDAP bootstrap file: no 'services' list"),
        ('{"services": [["test", "https://rdap.test/"]]}', "service 1 is not a pair of lists"),
    ],
)
def test_a_bad_bootstrap_file_is_an_input_error_naming_it(tmp_path, text, message):
    path = tmp_path / "dns.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_bootstrap(path)
    assert str(caught.value).startswith(f"{path}: {message}")
