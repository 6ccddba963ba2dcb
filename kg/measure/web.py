"""A site's web providers: its TLS certificate (the certificate authority), OCSP stapling, and its landing
page's response headers (CDN) and third-party script hosts.

Every connection made is an :class:`~kg.measure.evidence.Evidence` with its raw answer (certificate
fields, the OpenSSL client's OCSP lines, response headers); a refused connection, a timeout, a TLS error or
an expired, self-signed or untrusted certificate is evidence too, never an exception out of
:func:`measure_site`. Where a connection goes is the caller's: ``connect_to`` sends a host's connections to
another address and port while SNI, certificate checks and the ``Host`` header keep the host's name (how
the tests point ``.test`` names at 127.0.0.1, like curl's ``--connect-to``).

OCSP stapling: the standard library's :mod:`ssl` cannot ask for a stapled response (no
``status_request`` extension) and :mod:`cryptography` parses OCSP responses but makes no TLS connection.
pyOpenSSL's ``Connection.request_ocsp`` does it, but each of its releases caps :mod:`cryptography` below the
current major (26.4 wants ``<51``, this project runs 51), so stapling is asked of the ``openssl s_client
-status`` program, OpenSSL's own client (what the published studies ran), on TLS 1.3 and 1.2 alike. With
no such program, or no handshake, stapling is unknown (``None``), never guessed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from kg.measure.asking import HostPacer, as_done, describe_failure, user_agent
from kg.measure.evidence import Evidence
from kg.measure.hosts import ascii_domain

__all__ = [
    "CDN_HEADERS",
    "Certificate",
    "LandingPage",
    "SiteWeb",
    "TlsMeasurement",
    "WebSettings",
    "fetch_landing_page",
    "http_client",
    "measure_certificate",
    "measure_site",
    "measure_sites",
    "read_certificate",
    "script_hosts",
]

#: Response headers that name a CDN or a cache in front of the site (kept raw with all the others).
CDN_HEADERS = (
    "server",
    "via",
    "x-cache",
    "x-cache-hits",
    "cf-ray",
    "x-amz-cf-id",
    "x-amz-cf-pop",
    "x-served-by",
    "x-fastly-request-id",
    "x-akamai-transformed",
    "x-azure-ref",
    "x-cdn",
)

_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class WebSettings:
    """How to measure: who is measuring, whom to trust, where connections go, and how fast.

    ``contact`` goes into the User-Agent (an address or URL a site's operator can write to);
    ``ca_file`` is the trust store (PEM; ``None``: the system's); ``connect_to`` maps a host name to the
    ``(address, port)`` its connections go to instead of its own addresses and ``port``; ``vantage`` is
    copied into every Evidence.
    """

    contact: str
    ca_file: str | None = None
    connect_to: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    port: int = 443
    timeout: float = 10.0  # seconds for one connection, handshake or request
    concurrency: int = 20  # sites measured at once
    rate: float | None = 1.0  # connections a second started at one server (``None``: no limit)
    vantage: Mapping[str, str] = field(default_factory=dict)  # where from: country, network
    max_redirects: int = 5
    max_body: int = 1_000_000  # bytes of a landing page read for its scripts
    scripts: bool = True  # read the landing page's HTML for script hosts
    openssl: str = "openssl"  # the program asked whether the server staples OCSP

    def __post_init__(self) -> None:  # hosts are looked up as asked on the wire
        object.__setattr__(self, "connect_to", {ascii_domain(h): (a, int(p)) for h, (a, p) in self.connect_to.items()})


@dataclass(frozen=True)
class Certificate:
    """The fields of a site's certificate that name its providers, and whether it could be trusted."""

    issuer: str  # RFC 4514, as the certificate has it
    issuer_organization: str
    issuer_common_name: str
    subject: str
    subject_common_name: str
    names: tuple[str, ...]  # subjectAltName DNS names
    not_before: dt.datetime
    not_after: dt.datetime
    serial: str  # hexadecimal
    sha256: str  # fingerprint of the DER, hexadecimal
    ocsp_urls: tuple[str, ...]  # the CA's OCSP responders (authorityInfoAccess)
    expired: bool
    self_signed: bool
    verified: bool  # chain and name checked against the trust store
    verify_error: str = ""  # why not, as OpenSSL said it

    def fields(self) -> tuple[str, ...]:
        """The certificate as raw ``name=value`` items for an Evidence answer."""
        return (
            f"issuer={self.issuer}",
            f"issuer_o={self.issuer_organization}",
            f"issuer_cn={self.issuer_common_name}",
            f"subject={self.subject}",
            f"subject_cn={self.subject_common_name}",
            *(f"san={name}" for name in self.names),
            f"not_before={self.not_before.isoformat()}",
            f"not_after={self.not_after.isoformat()}",
            f"serial={self.serial}",
            f"sha256={self.sha256}",
            *(f"ocsp={url}" for url in self.ocsp_urls),
            f"expired={'yes' if self.expired else 'no'}",
            f"self_signed={'yes' if self.self_signed else 'no'}",
            f"verified={'yes' if self.verified else 'no'}",
            *((f"verify_error={self.verify_error}",) if self.verify_error else ()),
        )


@dataclass(frozen=True)
class TlsMeasurement:
    """A site's certificate (``None`` when no handshake succeeded) and whether it staples OCSP
    (``None``: unknown)."""

    domain: str
    certificate: Certificate | None
    stapled: bool | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class LandingPage:
    """The landing page after redirects: its URL, status and raw headers, and its script hosts."""

    domain: str
    url: str  # the last URL asked
    status: int | None  # ``None``: no answer
    headers: tuple[tuple[str, str], ...]  # raw, in the order sent
    redirects: tuple[str, ...]  # the URLs that redirected, in order
    script_hosts: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    @property
    def cdn_headers(self) -> tuple[tuple[str, str], ...]:
        """The headers among :data:`CDN_HEADERS` (or starting ``x-akamai``), raw."""
        return tuple((k, v) for k, v in self.headers if k.lower() in CDN_HEADERS or k.lower().startswith("x-akamai"))


@dataclass(frozen=True)
class SiteWeb:
    """Everything :func:`measure_site` learnt of one site."""

    domain: str
    tls: TlsMeasurement
    landing: LandingPage

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.tls.evidence + self.landing.evidence


def read_certificate(der: bytes, *, verify_error: str = "", now: dt.datetime | None = None) -> Certificate:
    """The fields of a DER certificate; ``verify_error`` is why it failed verification (empty: verified).

    Examples
    --------
    >>> import trustme
    >>> ca = trustme.CA(organization_name="Test CA")
    >>> leaf = ca.issue_cert("site.test", "www.site.test", common_name="site.test")
    >>> pem = leaf.cert_chain_pems[0].bytes()
    >>> from cryptography.hazmat.primitives.serialization import Encoding
    >>> c = read_certificate(x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER))
    >>> c.issuer_organization, c.subject_common_name, c.names, c.expired, c.self_signed, c.verified
    ('Test CA', 'site.test', ('site.test', 'www.site.test'), False, False, True)
    """
    certificate = x509.load_der_x509_certificate(der)
    now = now or dt.datetime.now(dt.UTC)
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(names.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        dns_names = ()
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp = tuple(a.access_location.value for a in access if a.access_method == AuthorityInformationAccessOID.OCSP)
    except x509.ExtensionNotFound:
        ocsp = ()
    return Certificate(
        issuer=certificate.issuer.rfc4514_string(),
        issuer_organization=_attribute(certificate.issuer, NameOID.ORGANIZATION_NAME),
        issuer_common_name=_attribute(certificate.issuer, NameOID.COMMON_NAME),
        subject=certificate.subject.rfc4514_string(),
        subject_common_name=_attribute(certificate.subject, NameOID.COMMON_NAME),
        names=dns_names,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        serial=format(certificate.serial_number, "x"),
        sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        ocsp_urls=ocsp,
        expired=now > certificate.not_valid_after_utc,
        self_signed=_self_signed(certificate),
        verified=not verify_error,
        verify_error=verify_error,
    )


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _self_signed(certificate: x509.Certificate) -> bool:
    """Signed by its own key (the subject being the issuer is not enough: a CA may reuse its name)."""
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _asked(settings: WebSettings, domain: str, kind: str, question: str, server: str) -> partial[Evidence]:
    """An Evidence about ``domain`` (its A-labels) waiting for its instant, outcome, answer and detail."""
    return partial(Evidence, domain, kind, question, server, vantage=dict(settings.vantage))


def _where(host: str, port: int, settings: WebSettings) -> tuple[str, int]:
    return settings.connect_to.get(host, (host, port))


def _server(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _trust(settings: WebSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


def _no_trust() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _peer_certificate(name: str, address: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes:
    """The DER certificate the server at ``address:port`` shows for SNI ``name``."""
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(address, port, ssl=context, server_hostname=name, ssl_handshake_timeout=timeout),
        timeout,
    )
    try:
        return writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), timeout)


async def measure_certificate(domain: str, settings: WebSettings, *, pacer: HostPacer | None = None) -> TlsMeasurement:
    """The certificate ``domain`` presents (SNI ``domain``) and whether it staples an OCSP response.

    A certificate that fails verification (expired, self-signed, untrusted, another name) is read again
    without verifying, so that its issuer is known: one Evidence for the failed check, one for the reading.
    Stapling is asked only of a server whose certificate could be read.

    Examples
    --------
    >>> import socket
    >>> closed = socket.socket(); closed.bind(("127.0.0.1", 0))  # bound, not listening: refuses
    >>> settings = WebSettings("ops@example.org", connect_to={"shut.test": closed.getsockname()})
    >>> tls = asyncio.run(measure_certificate("shut.test", settings))
    >>> tls.certificate, tls.stapled, [(e.kind, e.question, e.outcome) for e in tls.evidence]
    (None, None, [('tls', 'TLS shut.test:443', 'refused')])
    >>> closed.close()
    """
    pacer = pacer or HostPacer(settings.rate)
    try:
        name = ascii_domain(domain)
    except ValueError as error:
        bad = _asked(settings, domain, "tls", f"TLS {domain}", "")(_now(), "error", detail=str(error))
        return TlsMeasurement(domain, None, None, (bad,))
    address, port = _where(name, settings.port, settings)
    server = _server(address, port)
    asked = _asked(settings, name, "tls", f"TLS {name}:{settings.port}", server)
    evidence: list[Evidence] = []
    certificate = None
    verify_error = ""
    for context in (_trust(settings), _no_trust()):
        await pacer.wait(server)
        try:
            der = await _peer_certificate(name, address, port, context, settings.timeout)
        except ssl.SSLCertVerificationError as error:
            verify_error = str(error.verify_message)
            evidence.append(asked(_now(), "error", detail=f"certificate not trusted: {verify_error}"))
            continue
        except OSError as error:  # refused, unreachable, timed out, TLS failures other than trust
            outcome, detail = describe_failure(error)
            evidence.append(asked(_now(), outcome, detail=detail))
            break
        try:
            certificate = read_certificate(der, verify_error=verify_error)
        except ValueError as error:
            evidence.append(asked(_now(), "error", detail=f"unreadable certificate: {error}"))
            break
        note = f"read without verifying, after: {verify_error}" if verify_error else ""
        evidence.append(asked(_now(), "ok", certificate.fields(), note))
        break
    if certificate is None:  # no handshake: asking OpenSSL would fail the same way
        return TlsMeasurement(domain, None, None, tuple(evidence))
    stapled, stapling = await _stapling(name, address, port, settings, pacer)
    return TlsMeasurement(domain, certificate, stapled, (*evidence, stapling))


async def _stapling(
    name: str, address: str, port: int, settings: WebSettings, pacer: HostPacer
) -> tuple[bool | None, Evidence]:
    """Whether the server staples an OCSP response, asked of ``openssl s_client -status``."""
    server = _server(address, port)
    asked = _asked(settings, name, "tls", f"OCSP {name}:{settings.port}", server)
    command = [settings.openssl, "s_client", "-connect", server, "-servername", name, "-status"]
    await pacer.wait(server)
    pipe = asyncio.subprocess.PIPE
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=pipe, stderr=pipe
        )
    except OSError as error:
        return None, asked(
            _now(), "error", detail=f"stapling unknown: cannot run {settings.openssl!r} ({error.strerror})"
        )
    try:
        out, err = await asyncio.wait_for(process.communicate(), settings.timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None, asked(_now(), "timeout", detail="stapling unknown: no answer in time")
    instant = _now()
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    if process.returncode != 0 or "OCSP response:" not in stdout:
        outcome = "refused" if "Connection refused" in stderr or "errno=111" in stderr else "error"
        last = [line.strip() for line in stderr.splitlines() if line.strip()][-1:] or ["no handshake"]
        return None, asked(instant, outcome, detail=f"stapling unknown: {last[0]}")
    lines = _ocsp_lines(stdout)
    return "OCSP response: no response sent" not in lines, asked(instant, "ok", lines)


def _ocsp_lines(stdout: str) -> tuple[str, ...]:
    """The OCSP block of ``openssl s_client -status``: ``OCSP response: no response sent``, or from
    ``OCSP response:`` to the rule that closes the response printed under it."""
    lines: list[str] = []
    for line in stdout.splitlines():
        if not lines and not line.startswith("OCSP response:"):
            continue
        text = line.strip()
        if text == "OCSP response: no response sent":
            return (text,)
        if text.startswith("="):
            if len(lines) > 1:
                break
            continue
        if text:
            lines.append(text)
    return tuple(lines)


class _ScriptSources(HTMLParser):
    """The ``src`` of every ``<script>``, and the ``<base href>`` they are relative to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self.base = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.sources.append(values["src"].strip())
        elif tag == "base" and values.get("href") and not self.base:
            self.base = values["href"].strip()


def script_hosts(html: str, url: str) -> tuple[str, ...]:
    """The hosts, other than ``url``'s own, that the page at ``url`` loads scripts from, in page order.

    Examples
    --------
    >>> page = ('<script src="https://js.stripe.com/v3/"></script><script src="/app.js"></script>'
    ...         '<SCRIPT SRC="//cdn.jsdelivr.net/x.js"></SCRIPT><script>inline()</script>')
    >>> script_hosts(page, "https://site.test/")
    ('js.stripe.com', 'cdn.jsdelivr.net')
    """
    parser = _ScriptSources()
    parser.feed(html)
    parser.close()
    page_host = (urlsplit(url).hostname or "").lower()
    base = urljoin(url, parser.base) if parser.base else url
    hosts: dict[str, None] = {}
    for source in parser.sources:
        try:
            parts = urlsplit(urljoin(base, source))
            host = (parts.hostname or "").lower()
        except ValueError:  # an unparseable src (a bad IPv6 literal) names no host
            continue
        if parts.scheme in ("http", "https") and host and host != page_host:
            hosts[host] = None
    return tuple(hosts)


def http_client(settings: WebSettings) -> httpx.AsyncClient:
    """One client for every request: the trust store given, the polite User-Agent, no redirects followed
    by httpx (each hop is its own Evidence), no connection reused (``connect_to`` may send two hosts to one
    address, and a reused connection would skip the second host's certificate check), and nothing read from
    the environment (proxies, certificate files)."""
    return httpx.AsyncClient(
        verify=_trust(settings),
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": user_agent(settings.contact), "Accept": "text/html,*/*;q=0.8"},
        follow_redirects=False,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
        trust_env=False,
    )


async def fetch_landing_page(
    domain: str, settings: WebSettings, *, client: httpx.AsyncClient | None = None, pacer: HostPacer | None = None
) -> LandingPage:
    """``GET https://{domain}/``, following at most ``settings.max_redirects`` redirects, and the script
    hosts of the HTML it ends on. Each request is an Evidence (its status line and raw headers).

    Examples
    --------
    >>> import socket
    >>> closed = socket.socket(); closed.bind(("127.0.0.1", 0))
    >>> settings = WebSettings("ops@example.org", connect_to={"shut.test": closed.getsockname()})
    >>> page = asyncio.run(fetch_landing_page("shut.test", settings))
    >>> page.status, [(e.question, e.outcome) for e in page.evidence]
    (None, [('GET https://shut.test/', 'refused')])
    >>> closed.close()
    """
    if client is None:
        async with http_client(settings) as own:
            return await fetch_landing_page(domain, settings, client=own, pacer=pacer)
    pacer = pacer or HostPacer(settings.rate)
    try:
        name = ascii_domain(domain)
    except ValueError as error:
        bad = _asked(settings, domain, "http", f"GET https://{domain}/", "")(_now(), "error", detail=str(error))
        return LandingPage(domain, "", None, (), (), (), (bad,))
    url = f"https://{name}/" if settings.port == 443 else f"https://{name}:{settings.port}/"
    evidence: list[Evidence] = []
    redirects: list[str] = []
    while True:
        target = httpx.URL(url)
        host = target.raw_host.decode("ascii")  # A-labels (``target.host`` is decoded to Unicode)
        own_port = target.port or (443 if target.scheme == "https" else 80)
        address, port = _where(host, own_port, settings)
        server = _server(address, port)
        asked = _asked(settings, name, "http", f"GET {url}", server)
        request = client.build_request("GET", target.copy_with(host=address, port=port))
        if (address, port) != (host, own_port):
            request.headers["Host"] = target.netloc.decode("ascii")
            request.extensions["sni_hostname"] = host
        await pacer.wait(server)
        try:
            response = await client.send(request, stream=True)
        except (httpx.HTTPError, OSError) as error:
            outcome, detail = describe_failure(error)
            evidence.append(asked(_now(), outcome, detail=detail))
            return LandingPage(domain, url, None, (), tuple(redirects), (), tuple(evidence))
        try:
            headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
            status_line = f"{response.http_version} {response.status_code} {response.reason_phrase}"
            evidence.append(asked(_now(), "ok", (status_line, *(f"{k}: {v}" for k, v in headers))))
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                if len(redirects) == settings.max_redirects:
                    evidence[-1] = replace(evidence[-1], detail=f"stopped after {settings.max_redirects} redirects")
                    page = (url, response.status_code, headers, tuple(redirects), ())
                    return LandingPage(domain, *page, tuple(evidence))
                redirects.append(url)
                url = urljoin(url, location)
                continue
            hosts: tuple[str, ...] = ()
            if settings.scripts and "html" in response.headers.get("content-type", ""):
                body = await _read_at_most(response, settings.max_body)
                hosts = script_hosts(body.decode(response.encoding or "utf-8", errors="replace"), url)
                read = f"first {len(body):,} bytes of the page"
                scripts = _asked(settings, name, "http", f"SCRIPTS {url}", server)
                evidence.append(scripts(_now(), "ok", hosts, read))
            page = (url, response.status_code, headers, tuple(redirects), hosts)
            return LandingPage(domain, *page, tuple(evidence))
        finally:
            await response.aclose()


async def _read_at_most(response: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    with contextlib.suppress(httpx.HTTPError):  # a body cut short still has its scripts so far
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= limit:
                break
    return bytes(body[:limit])


async def measure_site(
    domain: str, settings: WebSettings, *, client: httpx.AsyncClient | None = None, pacer: HostPacer | None = None
) -> SiteWeb:
    """The certificate, OCSP stapling and landing page of ``domain``; failures are Evidence.

    A site whose TLS port refused or did not answer is not asked for its landing page (the same port).

    Examples
    --------
    >>> import socket
    >>> closed = socket.socket(); closed.bind(("127.0.0.1", 0))
    >>> settings = WebSettings("ops@example.org", connect_to={"shut.test": closed.getsockname()})
    >>> site = asyncio.run(measure_site("shut.test", settings))
    >>> [(e.kind, e.outcome) for e in site.evidence]
    [('tls', 'refused')]
    >>> closed.close()
    """
    if client is None:
        async with http_client(settings) as own:
            return await measure_site(domain, settings, client=own, pacer=pacer)
    pacer = pacer or HostPacer(settings.rate)
    tls = await measure_certificate(domain, settings, pacer=pacer)
    if tls.certificate is None and tls.evidence[-1].outcome in ("refused", "timeout"):
        return SiteWeb(domain, tls, LandingPage(domain, "", None, (), (), (), ()))
    landing = await fetch_landing_page(domain, settings, client=client, pacer=pacer)
    return SiteWeb(domain, tls, landing)


async def measure_sites(domains: Iterable[str], settings: WebSettings) -> AsyncIterator[SiteWeb]:
    """:func:`measure_site` for each domain, at most ``settings.concurrency`` at once, as each finishes.

    ``domains`` is read as the sites are measured, so a list of any length takes memory for
    ``concurrency`` sites only.

    Examples
    --------
    >>> import socket
    >>> closed = socket.socket(); closed.bind(("127.0.0.1", 0))
    >>> shut = closed.getsockname()
    >>> settings = WebSettings("ops@example.org", connect_to={"a.test": shut, "b.test": shut}, rate=None)
    >>> async def run():
    ...     return sorted([site.domain async for site in measure_sites(["a.test", "b.test"], settings)])
    >>> asyncio.run(run())
    ['a.test', 'b.test']
    >>> closed.close()
    """
    pacer = HostPacer(settings.rate)
    async with http_client(settings) as client:

        def measure(domain: str):
            return measure_site(domain, settings, client=client, pacer=pacer)

        async for site in as_done(domains, measure, settings.concurrency):
            yield site
