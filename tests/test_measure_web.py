"""kg.measure.web against real servers on 127.0.0.1: an HTTPS server whose certificates (from a trustme test
CA: good, expired, self-signed, an internationalised name) are chosen by SNI, OpenSSL's own server stapling
an OCSP response, a server that never answers and a port that refuses (issue 21)."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import itertools
import socket
import ssl
import subprocess
import threading
import time

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from kg.measure.web import WebSettings, fetch_landing_page, measure_certificate, measure_site, measure_sites

from .servers import Silent, free_port

NOW = dt.datetime.now(dt.UTC)
IDN = "xn--bcher-kva.test"  # bücher.test
OCSP = AuthorityInformationAccessOID.OCSP
PAGE = (
    b"<html><head><script src='https://js.stripe.com/v3/'></script><script src='/own.js'></script>"
    b"<script src='https://www.site.test/same-host.js'></script>"
    b"<script src='//cdn.jsdelivr.net/npm/x.js'></script><script>inline()</script></head>"
    b"<body>" + b"x" * 3000 + b"<script src='https://late.example/far.js'></script></body></html>"
)
CDN = [
    ("Server", "cloudflare"),
    ("CF-Ray", "8f1e2d3c4b5a6978-AMS"),
    ("Via", "1.1 varnish"),
    ("X-Cache", "HIT"),
    ("X-Served-By", "cache-ams21080-AMS"),
    ("X-Amz-Cf-Id", "abc=="),
]
ROUTES = {
    ("site.test", "/"): (301, [("Location", "https://www.site.test/")], b""),
    ("www.site.test", "/"): (200, [*CDN, ("Content-Type", "text/html; charset=utf-8")], PAGE),
    ("loop.test", "/"): (302, [("Location", "/again")], b""),
    ("loop.test", "/again"): (302, [("Location", "/")], b""),
}


def _context(chain_and_key: bytes, folder, name: str) -> ssl.SSLContext:
    path = folder / f"{name}.pem"
    path.write_bytes(chain_and_key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(path)
    return context


def _self_signed(name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(
            x509.AuthorityInformationAccess(
                [x509.AccessDescription(OCSP, x509.UniformResourceIdentifier(f"http://ocsp.{name}/"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem_key + certificate.public_bytes(serialization.Encoding.PEM)


class HttpsSite(http.server.ThreadingHTTPServer):
    """HTTPS on ``address`` (127.0.0.1 or ::1): the certificate chosen by SNI (``default`` when no context
    has the name), the answer by Host and path (``routes``: :data:`ROUTES` when not given); it records each
    connection's start, SNI name, Host and User-Agent."""

    daemon_threads = True

    def __init__(self, contexts: dict[str, ssl.SSLContext], *, address: str = "127.0.0.1", port: int = 0,
                 routes: dict | None = None, default: str = "site.test") -> None:  # fmt: skip
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        super().__init__((address, port), _Handler)
        self.contexts, self.routes, self.default_name = contexts, ROUTES if routes is None else routes, default
        self.accepted: list[float] = []
        self.sni: list[str] = []
        self.requests: list[tuple[str, str, str]] = []
        self.default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.default.sni_callback = self._choose
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def _choose(self, connection: ssl.SSLObject, name: str | None, _context) -> None:
        self.sni.append(name or "")
        connection.context = self.contexts.get(name or "", self.contexts[self.default_name])

    def get_request(self):
        connection, address = self.socket.accept()
        self.accepted.append(time.monotonic())
        return self.default.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address) -> None:  # clients that hang up on a bad certificate
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        host = self.headers.get("Host", "").split(":")[0]
        self.server.requests.append((host, self.path, self.headers.get("User-Agent", "")))
        plain = (200, [("Content-Type", "text/plain")], b"ok")
        status, headers, body = self.server.routes.get((host, self.path), plain)
        self.send_response_only(status)
        for name, value in [*headers, ("Content-Length", str(len(body))), ("Connection", "close")]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def ca():
    return trustme.CA(organization_name="Pdkg Test CA")


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("trust") / "ca.pem"
    ca.cert_pem.write_to_path(path)
    return str(path)


@pytest.fixture(scope="module")
def site(ca, tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    good = ca.issue_cert("site.test", "www.site.test", "loop.test", common_name="site.test")
    expired = ca.issue_cert(
        "expired.test", not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=1)
    )
    idn = ca.issue_cert(IDN)
    contexts = {
        name: _context(pem, folder, name)
        for name, pem in [
            ("site.test", good.private_key_and_cert_chain_pem.bytes()),
            ("expired.test", expired.private_key_and_cert_chain_pem.bytes()),
            ("selfsigned.test", _self_signed("selfsigned.test")),
            (IDN, idn.private_key_and_cert_chain_pem.bytes()),
        ]
    }
    contexts["www.site.test"] = contexts["loop.test"] = contexts["site.test"]
    server = HttpsSite(contexts)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def stapling_site(ca, tmp_path_factory):
    """``openssl s_server`` with a certificate for stapled.test and a good OCSP response for it from the CA."""
    folder = tmp_path_factory.mktemp("stapling")
    leaf = ca.issue_cert("stapled.test")
    leaf.private_key_and_cert_chain_pem.write_to_path(folder / "leaf.pem")
    issuer = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()),
            issuer=issuer,
            algorithm=hashes.SHA256(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=NOW,
            next_update=NOW + dt.timedelta(days=3),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        .sign(serialization.load_pem_private_key(ca.private_key_pem.bytes(), None), hashes.SHA256())
    )
    (folder / "ocsp.der").write_bytes(response.public_bytes(serialization.Encoding.DER))
    port = free_port()
    process = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(folder / "leaf.pem"),
         "-status_file", str(folder / "ocsp.der"), "-www", "-quiet"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "openssl s_server did not start"
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(10)


@pytest.fixture
def refusing():
    """A port on 127.0.0.1 that refuses connections (bound, never listening)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    yield closed.getsockname()[1]
    closed.close()


def settings_for(port: int, *names: str, **options) -> WebSettings:
    options.setdefault("rate", None)
    return WebSettings("measure@example.org", connect_to={n: ("127.0.0.1", port) for n in names}, **options)


def tls(domain: str, settings: WebSettings):
    return asyncio.run(measure_certificate(domain, settings))


def page(domain: str, settings: WebSettings):
    return asyncio.run(fetch_landing_page(domain, settings))


# The certificate


def test_good_certificate_names_its_issuer_and_is_verified_against_the_trust_store_given(site, ca_file):
    result = tls("site.test", settings_for(site.port, "site.test", ca_file=ca_file))
    c = result.certificate
    assert (c.issuer_organization, c.subject_common_name) == ("Pdkg Test CA", "site.test")
    assert c.names == ("site.test", "www.site.test", "loop.test")
    assert c.not_before < NOW < c.not_after
    assert (c.verified, c.expired, c.self_signed, c.verify_error) == (True, False, False, "")
    [handshake, _stapling] = result.evidence
    assert (handshake.kind, handshake.question, handshake.outcome) == ("tls", "TLS site.test:443", "ok")
    assert handshake.server == f"127.0.0.1:{site.port}"
    assert "issuer_o=Pdkg Test CA" in handshake.answer and "san=www.site.test" in handshake.answer
    assert "verified=yes" in handshake.answer


def test_sni_is_the_domain_while_the_connection_goes_to_the_address_given(site, ca_file):
    before = len(site.sni)
    result = tls("selfsigned.test", settings_for(site.port, "selfsigned.test", ca_file=ca_file))
    assert site.sni[before : before + 2] == ["selfsigned.test", "selfsigned.test"]
    assert result.certificate.names == ("selfsigned.test",)


def test_without_a_trust_store_the_system_one_is_used_and_the_test_ca_is_not_in_it(site):
    result = tls("site.test", settings_for(site.port, "site.test"))
    assert result.certificate.issuer_organization == "Pdkg Test CA"  # still read
    assert not result.certificate.verified
    assert "unable to get local issuer certificate" in result.certificate.verify_error
    failed, read = result.evidence[:2]
    assert (failed.outcome, read.outcome) == ("error", "ok")
    assert failed.detail == "certificate not trusted: unable to get local issuer certificate"
    assert read.detail.startswith("read without verifying") and "verified=no" in read.answer


def test_an_expired_certificate_is_evidence_with_its_issuer(site, ca_file):
    result = tls("expired.test", settings_for(site.port, "expired.test", ca_file=ca_file))
    c = result.certificate
    assert (c.expired, c.verified, c.issuer_organization) == (True, False, "Pdkg Test CA")
    assert c.not_after < NOW
    assert result.evidence[0].outcome == "error" and "certificate has expired" in result.evidence[0].detail
    assert "expired=yes" in result.evidence[1].answer


def test_a_self_signed_certificate_is_evidence_and_said_to_be_self_signed(site, ca_file):
    result = tls("selfsigned.test", settings_for(site.port, "selfsigned.test", ca_file=ca_file))
    c = result.certificate
    assert (c.self_signed, c.verified, c.expired, c.issuer_common_name) == (True, False, False, "selfsigned.test")
    assert "self-signed" in c.verify_error
    assert c.ocsp_urls == ("http://ocsp.selfsigned.test/",)  # the responder a CA dependency also runs through
    assert {"self_signed=yes", "ocsp=http://ocsp.selfsigned.test/"} <= set(result.evidence[1].answer)


def test_a_certificate_for_other_names_is_read_but_not_verified(site, ca_file):
    result = tls("other.test", settings_for(site.port, "other.test", ca_file=ca_file))  # the server's default
    c = result.certificate
    assert c.subject_common_name == "site.test" and not c.verified and "other.test" in c.verify_error
    assert result.evidence[0].detail.startswith("certificate not trusted: Hostname mismatch")


def test_an_internationalised_domain_is_asked_by_its_a_labels(site, ca_file):
    result = tls("Bücher.test", settings_for(site.port, "bücher.test", ca_file=ca_file))
    assert result.certificate.verified and result.certificate.names == (IDN,)
    assert result.domain == "Bücher.test"  # as given; the evidence is about the name asked
    assert {(e.domain, e.question) for e in result.evidence} == {(IDN, f"TLS {IDN}:443"), (IDN, f"OCSP {IDN}:443")}


# OCSP stapling


@pytest.mark.server
def test_a_stapled_ocsp_response_is_detected_and_recorded_raw(stapling_site, ca_file):
    result = tls("stapled.test", settings_for(stapling_site, "stapled.test", ca_file=ca_file))
    assert result.stapled is True and result.certificate.verified
    stapling = result.evidence[-1]
    assert (stapling.question, stapling.outcome) == ("OCSP stapled.test:443", "ok")
    assert "OCSP Response Status: successful (0x0)" in stapling.answer
    assert "Cert Status: good" in stapling.answer


def test_a_server_that_does_not_staple_is_recorded_as_not_stapling(site, ca_file):
    result = tls("site.test", settings_for(site.port, "site.test", ca_file=ca_file))
    assert result.stapled is False
    assert result.evidence[-1].answer == ("OCSP response: no response sent",)


def test_stapling_is_unknown_without_an_openssl_program(site, ca_file):
    result = tls("site.test", settings_for(site.port, "site.test", ca_file=ca_file, openssl="/nonexistent/openssl"))
    assert result.stapled is None and result.certificate.verified
    assert result.evidence[-1].outcome == "error" and result.evidence[-1].detail.startswith("stapling unknown")


# Failures are evidence


def test_a_refused_connection_is_evidence_not_an_exception(refusing):
    settings = settings_for(refusing, "shut.test")
    result = tls("shut.test", settings)
    assert result.certificate is None and result.stapled is None
    assert [e.outcome for e in result.evidence] == ["refused"]  # stapling not asked of nobody
    landing = page("shut.test", settings)
    assert landing.status is None and [e.outcome for e in landing.evidence] == ["refused"]


@pytest.mark.slow
def test_a_server_that_never_answers_times_out(ca_file):
    silent = Silent()
    settings = settings_for(silent.port, "slow.test", ca_file=ca_file, timeout=0.5)
    started = time.monotonic()
    result = tls("slow.test", settings)
    landing = page("slow.test", settings)
    assert [e.outcome for e in result.evidence] == ["timeout"]
    assert [e.outcome for e in landing.evidence] == ["timeout"]
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_a_server_that_does_not_speak_tls_is_a_tls_error(ca_file):
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    plain.requests = []
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    try:
        result = tls("plain.test", settings_for(plain.server_address[1], "plain.test", ca_file=ca_file))
    finally:
        plain.shutdown()
        plain.server_close()
    assert result.evidence[0].outcome == "error" and result.evidence[0].detail.startswith("TLS error")
    assert result.stapled is None


def test_a_site_whose_tls_port_refuses_is_not_asked_for_its_page_but_a_live_one_is_measured_whole(
    refusing, site, ca_file
):
    dead = asyncio.run(measure_site("shut.test", settings_for(refusing, "shut.test")))
    assert [(e.question, e.outcome) for e in dead.evidence] == [("TLS shut.test:443", "refused")]
    assert dead.landing.status is None and dead.landing.evidence == ()
    live = asyncio.run(measure_site("www.site.test", settings_for(site.port, "www.site.test", ca_file=ca_file)))
    assert [e.question.split()[0] for e in live.evidence] == ["TLS", "OCSP", "GET", "SCRIPTS"]
    assert live.tls.certificate.verified and live.landing.status == 200


# The landing page


def test_redirects_are_followed_and_every_request_is_evidence_with_raw_headers(site, ca_file):
    landing = page("site.test", settings_for(site.port, "site.test", "www.site.test", ca_file=ca_file))
    assert (landing.url, landing.status, landing.redirects) == ("https://www.site.test/", 200, ("https://site.test/",))
    first, second = (e for e in landing.evidence if e.question.startswith("GET"))
    assert first.question == "GET https://site.test/" and first.answer[0] == "HTTP/1.1 301 Moved Permanently"
    assert "Location: https://www.site.test/" in first.answer
    assert second.question == "GET https://www.site.test/" and "CF-Ray: 8f1e2d3c4b5a6978-AMS" in second.answer
    assert landing.cdn_headers == tuple(CDN)


def test_each_hop_is_sent_with_its_own_host_and_sni_and_a_polite_user_agent(site, ca_file):
    requests, names = len(site.requests), len(site.sni)
    page("site.test", settings_for(site.port, "site.test", "www.site.test", ca_file=ca_file))
    assert [(host, path) for host, path, _ in site.requests[requests:]] == [("site.test", "/"), ("www.site.test", "/")]
    assert site.sni[names:] == ["site.test", "www.site.test"]
    agent = site.requests[-1][2]
    assert agent.startswith("pdkg/") and "measure@example.org" in agent


def test_a_redirect_loop_stops_at_the_limit(site, ca_file):
    landing = page("loop.test", settings_for(site.port, "loop.test", ca_file=ca_file, max_redirects=3))
    assert len(landing.redirects) == 3 and landing.status == 302
    assert len(landing.evidence) == 4 and landing.evidence[-1].detail == "stopped after 3 redirects"


def test_script_hosts_are_read_from_the_html_up_to_the_size_limit(site, ca_file):
    names = ("site.test", "www.site.test")
    landing = page("www.site.test", settings_for(site.port, *names, ca_file=ca_file, max_body=2000))
    assert landing.script_hosts == ("js.stripe.com", "cdn.jsdelivr.net")  # own host left out, far one not read
    scripts = landing.evidence[-1]
    assert scripts.question == "SCRIPTS https://www.site.test/"
    assert scripts.answer == landing.script_hosts and scripts.detail == "first 2,000 bytes of the page"
    whole = page("www.site.test", settings_for(site.port, *names, ca_file=ca_file))
    assert whole.script_hosts[-1] == "late.example"


def test_scripts_are_not_read_when_turned_off(site, ca_file):
    landing = page("www.site.test", settings_for(site.port, "www.site.test", ca_file=ca_file, scripts=False))
    assert landing.script_hosts == () and [e.question for e in landing.evidence] == ["GET https://www.site.test/"]


def test_a_landing_page_behind_an_expired_certificate_is_an_error_naming_it(site, ca_file):
    landing = page("expired.test", settings_for(site.port, "expired.test", ca_file=ca_file))
    assert landing.status is None
    assert landing.evidence[0].detail == "certificate not trusted: certificate has expired"


# Many sites


@pytest.mark.slow
def test_many_sites_are_paced_per_server_and_the_list_is_read_as_they_are_measured(site, ca_file):
    drawn: list[str] = []

    def domains():
        for name in ("site.test", "www.site.test", "loop.test"):
            drawn.append(name)
            yield name

    settings = settings_for(
        site.port, "site.test", "www.site.test", "loop.test", ca_file=ca_file, rate=1 / 0.15,
        concurrency=1, scripts=False, openssl="/nonexistent/openssl", max_redirects=0,
    )  # fmt: skip

    async def run():
        seen = []
        async for result in measure_sites(domains(), settings):
            seen.append((result.domain, len(drawn)))
        return seen

    start = len(site.accepted)
    seen = asyncio.run(run())
    assert seen == [("site.test", 2), ("www.site.test", 3), ("loop.test", 3)]  # one site in flight at a time
    starts = site.accepted[start:]
    assert len(starts) == 6  # a certificate and a page for each
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.14


@pytest.mark.slow
def test_every_evidence_says_where_it_was_asked_from(site, ca_file):
    vantage = {"country": "DE", "network": "AS3320"}
    names = ("site.test", "www.site.test")
    settings = settings_for(site.port, *names, ca_file=ca_file, vantage=vantage)
    evidence = [*tls("site.test", settings).evidence, *page("site.test", settings).evidence]
    assert len(evidence) == 5 and all(e.vantage == vantage for e in evidence)
