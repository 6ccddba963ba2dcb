"""A domain's registrar, status and dates, from its registry's RDAP server.

The server is found in IANA's bootstrap file for domain names (``dns.json``, `RFC 9224
<https://www.rfc-editor.org/rfc/rfc9224>`_), which the user gives as a file: the tool never fetches it
(:data:`IANA_DNS_BOOTSTRAP` says where it is published). The query is ``GET {base}domain/{name}`` (`RFC 9082
<https://www.rfc-editor.org/rfc/rfc9082#section-3.1.3>`_) and the answer is read as `RFC 9083
<https://www.rfc-editor.org/rfc/rfc9083>`_ defines it: the entity whose ``roles`` include ``registrar``
(its vCard ``fn`` and its ``IANA Registrar ID`` among ``publicIds``), ``status`` and ``events``.

Every request is an :class:`~kg.measure.evidence.Evidence`; a domain the registry does not know (404) is
``nxdomain``, a refusal or rate limit (403, 429) ``refused``, a server error ``servfail``, and no server in
the bootstrap file, a timeout or an answer that is not RDAP are evidence too, never an exception out of
:func:`lookup_registration`.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from kg.errors import InputError, SourceLocation
from kg.measure.asking import HostPacer, as_done, describe_failure, user_agent
from kg.measure.evidence import Evidence
from kg.measure.hosts import ascii_domain

__all__ = [
    "IANA_DNS_BOOTSTRAP",
    "Bootstrap",
    "RdapSettings",
    "Registration",
    "http_client",
    "load_bootstrap",
    "lookup_registration",
    "lookup_registrations",
    "read_registration",
]

#: Where IANA publishes the bootstrap file for domain names; download it yourself and give its path.
IANA_DNS_BOOTSTRAP = "https://data.iana.org/rdap/dns.json"

_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Bootstrap:
    """The RDAP base URLs of each domain-name suffix, from a bootstrap file (and that file, for the sources)."""

    path: str
    publication: str  # when IANA published it (the file's ``publication``)
    services: Mapping[str, tuple[str, ...]]  # suffix (A-labels) -> base URLs, HTTPS first

    def base_urls(self, domain: str) -> tuple[str, ...]:
        """The base URLs for ``domain`` (A-labels): those of the longest suffix listed, label by label.

        Examples
        --------
        >>> b = Bootstrap("dns.json", "", {"test": ("https://rdap.test/",), "co.test": ("https://co.test/rdap/",)})
        >>> b.base_urls("shop.co.test"), b.base_urls("gab.test"), b.base_urls("gab.example")
        (('https://co.test/rdap/',), ('https://rdap.test/',), ())
        """
        labels = domain.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            urls = self.services.get(".".join(labels[start:]))
            if urls:
                return urls
        return ()


def load_bootstrap(path: str | Path) -> Bootstrap:
    """Read a bootstrap file in RFC 9224's format; :class:`~kg.errors.InputError` naming the file if not.

    Examples
    --------
    >>> import tempfile
    >>> services = [[["com", "net"], ["http://rdap.example/com/", "https://rdap.example/com/"]]]
    >>> text = json.dumps({"version": "1.0", "publication": "2026-11-30T18:00:01Z", "services": services})
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    ...     _ = f.write(text)
    >>> load_bootstrap(f.name).base_urls("gab.com")
    ('https://rdap.example/com/', 'http://rdap.example/com/')
    >>> Path(f.name).unlink()
    """
    where = SourceLocation(str(path))
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read the RDAP bootstrap file: {error.strerror}", where) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"not an RDAP bootstrap file (not JSON: {error})", where) from None
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        raise InputError("not an RDAP bootstrap file: no 'services' list (RFC 9224, section 3)", where)
    services: dict[str, tuple[str, ...]] = {}
    for number, service in enumerate(document["services"], start=1):
        if not (isinstance(service, list) and len(service) == 2 and all(isinstance(part, list) for part in service)):
            raise InputError(f"service {number} is not a pair of lists [entries, URLs] (RFC 9224, section 3)", where)
        entries, urls = service
        bases = [url if url.endswith("/") else f"{url}/" for url in urls if isinstance(url, str)]
        ordered = tuple(sorted(bases, key=lambda url: not url.startswith("https:")))  # RFC 9224: HTTPS first
        for entry in entries:
            if isinstance(entry, str) and entry:
                services[entry.lower().rstrip(".")] = ordered
    return Bootstrap(str(path), str(document.get("publication", "")), services)


@dataclass(frozen=True)
class RdapSettings:
    """How to ask: who is asking (``contact``, in the User-Agent), whom to trust, how fast."""

    contact: str
    ca_file: str | None = None  # trust store (PEM); ``None``: the system's
    timeout: float = 15.0  # seconds for one request
    concurrency: int = 10  # domains looked up at once
    rate: float | None = 1.0  # requests a second to one RDAP server (registries rate-limit hard)
    max_redirects: int = 3
    vantage: Mapping[str, str] = field(default_factory=dict)  # where from: country, network


@dataclass(frozen=True)
class Registration:
    """What the registry says of a domain: its registrar, status and dates (empty when not learnt)."""

    domain: str
    registrar: str = ""  # the registrar entity's vCard fn
    registrar_iana_id: str = ""  # its IANA Registrar ID
    status: tuple[str, ...] = ()
    registered: dt.datetime | None = None
    expires: dt.datetime | None = None
    changed: dt.datetime | None = None  # "last changed"
    url: str = ""  # the last URL asked
    evidence: tuple[Evidence, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether no answer came (a domain the registry does not know is an answer)."""
        return not self.evidence or self.evidence[-1].failed


def read_registration(domain: str, document: Mapping) -> Registration:
    """The registrar, status and dates in an RDAP domain object (RFC 9083, section 5.3).

    Examples
    --------
    >>> answer = {"objectClassName": "domain", "ldhName": "GAB.COM", "status": ["client transfer prohibited"],
    ...           "entities": [{"objectClassName": "entity", "roles": ["registrar"],
    ...                         "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
    ...                                                  ["fn", {}, "text", "Epik Inc."]]],
    ...                         "publicIds": [{"type": "IANA Registrar ID", "identifier": "617"}]}],
    ...           "events": [{"eventAction": "registration", "eventDate": "2016-08-15T17:30:01Z"}]}
    >>> r = read_registration("gab.com", answer)
    >>> r.registrar, r.registrar_iana_id, r.status, r.registered.isoformat()
    ('Epik Inc.', '617', ('client transfer prohibited',), '2016-08-15T17:30:01+00:00')
    """
    registrar = _registrar(document.get("entities"))
    events = {
        event.get("eventAction"): _date(event.get("eventDate"))
        for event in _list(document.get("events"))
        if isinstance(event, dict)
    }
    return Registration(
        domain,
        registrar=_vcard_name(registrar),
        registrar_iana_id=next(
            (
                str(public.get("identifier", ""))
                for public in _list(registrar.get("publicIds"))
                if isinstance(public, dict) and public.get("type") == "IANA Registrar ID"
            ),
            "",
        ),
        status=tuple(str(s) for s in _list(document.get("status"))),
        registered=events.get("registration"),
        expires=events.get("expiration"),
        changed=events.get("last changed"),
    )


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _registrar(entities) -> dict:
    """The first entity, at any depth, whose roles include ``registrar`` (``{}``: none)."""
    for entity in _list(entities):
        if not isinstance(entity, dict):
            continue
        if "registrar" in _list(entity.get("roles")):
            return entity
        inner = _registrar(entity.get("entities"))
        if inner:
            return inner
    return {}


def _vcard_name(entity: dict) -> str:
    """The ``fn`` of a jCard (RFC 7095): ``["vcard", [[name, parameters, type, value], ...]]``."""
    card = _list(entity.get("vcardArray"))
    for item in _list(card[1] if len(card) > 1 else None):
        if isinstance(item, list) and len(item) >= 4 and item[0] == "fn":
            return str(item[3])
    return ""


def _date(text) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _answer_items(document: Mapping, registration: Registration) -> tuple[str, ...]:
    """The raw values read from an RDAP answer, as ``name=value`` items for an Evidence."""
    return (
        f"ldhName={document.get('ldhName', '')}",
        f"registrar={registration.registrar}",
        f"registrar_iana_id={registration.registrar_iana_id}",
        *(f"status={s}" for s in registration.status),
        *(
            f"event={event.get('eventAction')} {event.get('eventDate')}"
            for event in _list(document.get("events"))
            if isinstance(event, dict)
        ),
        *(
            f"nameserver={server.get('ldhName')}"
            for server in _list(document.get("nameservers"))
            if isinstance(server, dict)
        ),
    )


def http_client(settings: RdapSettings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        verify=ssl.create_default_context(cafile=settings.ca_file),
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": user_agent(settings.contact), "Accept": "application/rdap+json, application/json"},
        follow_redirects=False,
        trust_env=False,
    )


def _outcome(status: int) -> tuple[str, str]:
    if status == 404:
        return "nxdomain", "the registry has no such domain (404)"
    if status in (403, 429):
        return "refused", f"refused ({status})"
    if status >= 500:
        return "servfail", f"server error ({status})"
    return "error", f"unexpected status {status}"


async def lookup_registration(
    domain: str,
    bootstrap: Bootstrap,
    settings: RdapSettings,
    *,
    client: httpx.AsyncClient | None = None,
    pacer: HostPacer | None = None,
) -> Registration:
    """Ask ``domain``'s registry (from ``bootstrap``) for its registration, following at most
    ``settings.max_redirects`` redirects; each request is an Evidence.

    Examples
    --------
    >>> nowhere = Bootstrap("dns.json", "", {})  # no server for any domain
    >>> import asyncio
    >>> r = asyncio.run(lookup_registration("gab.example", nowhere, RdapSettings("ops@example.org")))
    >>> r.registrar, r.failed, [(e.kind, e.outcome, e.detail) for e in r.evidence]
    ('', True, [('rdap', 'error', "no RDAP server for 'gab.example' in dns.json")])
    """
    if client is None:
        async with http_client(settings) as own:
            return await lookup_registration(domain, bootstrap, settings, client=own, pacer=pacer)
    pacer = pacer or HostPacer(settings.rate)
    vantage = dict(settings.vantage)
    try:
        name = ascii_domain(domain)
    except ValueError as error:
        bad = Evidence(domain, "rdap", f"RDAP domain {domain}", "", _now(), "error", detail=str(error), vantage=vantage)
        return Registration(domain, evidence=(bad,))
    bases = bootstrap.base_urls(name)
    if not bases:
        detail = f"no RDAP server for {name!r} in {bootstrap.path}"
        missing = Evidence(name, "rdap", f"RDAP domain {name}", bootstrap.path, _now(), "error", detail=detail,
                           vantage=vantage)  # fmt: skip
        return Registration(domain, evidence=(missing,))
    url = urljoin(bases[0], f"domain/{name}")
    evidence: list[Evidence] = []
    for _hop in range(settings.max_redirects + 1):
        parts = urlsplit(url)
        server = f"{parts.scheme}://{parts.netloc}"
        asked = partial(Evidence, name, "rdap", f"GET {url}", server, vantage=vantage)
        await pacer.wait(server)
        try:
            response = await client.get(url)
        except (httpx.HTTPError, OSError) as error:
            outcome, detail = describe_failure(error)
            evidence.append(asked(_now(), outcome, detail=detail))
            return Registration(domain, url=url, evidence=tuple(evidence))
        status_line = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            evidence.append(asked(_now(), "ok", (status_line, f"Location: {location}")))
            url = urljoin(url, location)
            continue
        if response.status_code != 200:
            outcome, detail = _outcome(response.status_code)
            evidence.append(asked(_now(), outcome, (status_line,), detail))
            return Registration(domain, url=url, evidence=tuple(evidence))
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            evidence.append(asked(_now(), "error", (status_line,), "the answer is not an RDAP JSON object"))
            return Registration(domain, url=url, evidence=tuple(evidence))
        registration = read_registration(domain, document)
        evidence.append(asked(_now(), "ok", (status_line, *_answer_items(document, registration))))
        return replace(registration, url=url, evidence=tuple(evidence))
    evidence[-1] = replace(evidence[-1], detail=f"stopped after {settings.max_redirects} redirects")
    return Registration(domain, url=url, evidence=tuple(evidence))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def lookup_registrations(
    domains: Iterable[str], bootstrap: Bootstrap, settings: RdapSettings
) -> AsyncIterator[Registration]:
    """:func:`lookup_registration` for each domain, at most ``settings.concurrency`` at once and
    ``settings.rate`` requests a second to each RDAP server, as each finishes (``domains`` read as it goes).

    Examples
    --------
    >>> import asyncio
    >>> async def run():
    ...     found = lookup_registrations(["a.example", "b.example"], Bootstrap("dns.json", "", {}), RdapSettings(""))
    ...     return sorted([r.domain async for r in found])
    >>> asyncio.run(run())
    ['a.example', 'b.example']
    """
    pacer = HostPacer(settings.rate)
    async with http_client(settings) as client:

        def lookup(domain: str):
            return lookup_registration(domain, bootstrap, settings, client=client, pacer=pacer)

        async for registration in as_done(domains, lookup, settings.concurrency):
            yield registration
